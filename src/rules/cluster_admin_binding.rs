use crate::finding::Finding;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a `ClusterRoleBinding` or `RoleBinding` whose `roleRef` is the ClusterRole
    /// `cluster-admin`, and a binding subject that is the group `system:masters`.
    ///
    /// ## Why is this bad?
    /// `cluster-admin` can do anything to any object, including reading every Secret and
    /// granting itself more; `system:masters` bypasses authorization entirely. Bound to an
    /// application's ServiceAccount, one compromised pod owns the cluster. (In a
    /// `RoleBinding` the power is limited to one namespace, but still includes its Secrets
    /// and RBAC.)
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRoleBinding
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: cluster-admin
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: app
    ///     namespace: shop
    /// ```
    ///
    /// ## Use instead
    /// Bind a Role or ClusterRole listing only the verbs and resources needed. Platform
    /// bootstrap (Flux, Argo CD installs) that needs it: suppress with a reason.
    pub struct ClusterAdminBinding {
        id: "cluster-admin-binding",
        severity: Warning,
        summary: "Binding grants cluster-admin (or system:masters)",
        group: "workloads",
    }
}

impl DocumentRule for ClusterAdminBinding {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        if !matches!(
            cx.doc.root.get_str("kind"),
            Some(
                "ClusterRoleBinding"
                    | "RoleBinding"
                    | "List"
                    | "ClusterRoleBindingList"
                    | "RoleBindingList"
            )
        ) {
            return;
        }
        for obj in cx.objects() {
            let Some(kind @ ("ClusterRoleBinding" | "RoleBinding")) = obj.kind else {
                continue;
            };
            if obj.api_version.is_none() {
                continue;
            }
            let owner = format!("{kind} {}", obj.display_name());
            let identity = format!("{kind}/{}", obj.display_name());
            let role = obj.node.get("roleRef");
            if let Some(name) = role.and_then(|r| r.get("name"))
                && name.as_str() == Some("cluster-admin")
                && role
                    .and_then(|r| r.get_str("kind"))
                    .is_none_or(|k| k == "ClusterRole")
            {
                out.push(
                    Finding::new(
                        &Self::META,
                        cx.path,
                        name.span,
                        format!("{owner} grants the cluster-admin ClusterRole"),
                        &format!("{identity}/roleRef"),
                    )
                    .help("bind a role with only the permissions needed"),
                );
            }
            for s in obj.node.get("subjects").map(|s| s.items()).unwrap_or(&[]) {
                if let Some(name) = s.get("name")
                    && name.as_str() == Some("system:masters")
                    && s.get_str("kind").is_none_or(|k| k == "Group")
                {
                    out.push(
                        Finding::new(
                            &Self::META,
                            cx.path,
                            name.span,
                            format!("{owner} binds the system:masters group (bypasses RBAC)"),
                            &format!("{identity}/subjects/system:masters"),
                        )
                        .help("bind a dedicated group instead of system:masters"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    #[test]
    fn bindings() {
        let src = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: app-admin}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n  - {kind: ServiceAccount, name: app, namespace: shop}\n  - {kind: Group, name: 'system:masters'}\n";
        let f = check(&ClusterAdminBinding, "b.yaml", src);
        let lines: Vec<u32> = f.iter().map(|x| x.span.start.line).collect();
        assert_eq!(lines, [7, 10]);
        assert!(f[0].message.contains("ClusterRoleBinding -/app-admin"));
        for src in [
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nroleRef: {kind: ClusterRole, name: view}\nsubjects: [{kind: User, name: cluster-admin}]\n",
            // a namespaced Role that happens to be called cluster-admin
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nroleRef: {kind: Role, name: cluster-admin}\n",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: cluster-admin}\n",
        ] {
            assert!(
                check(&ClusterAdminBinding, "b.yaml", src).is_empty(),
                "{src}"
            );
        }
    }
}
