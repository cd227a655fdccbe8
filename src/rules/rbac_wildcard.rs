use crate::finding::Finding;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags `*` in the `apiGroups`, `resources` or `verbs` of a `Role` or `ClusterRole`
    /// rule (one finding per wildcard). Off by default: operators' ClusterRoles vendored
    /// from upstream often use wildcards deliberately.
    ///
    /// ## Why is this bad?
    /// A wildcard grants everything that exists today *and* every resource or verb added
    /// later (new CRDs, `escalate`, `impersonate`), so the role's real power is unknowable
    /// from review.
    ///
    /// ## Example
    /// ```yaml
    /// rules:
    ///   - apiGroups: ["*"]
    ///     resources: ["*"]
    ///     verbs: ["*"]
    /// ```
    ///
    /// ## Use instead
    /// List the API groups, resources and verbs explicitly.
    pub struct RbacWildcard {
        id: "rbac-wildcard",
        severity: Warning,
        summary: "Role or ClusterRole rule with a `*` wildcard",
        group: "workloads",
        default_on: false,
    }
}

impl DocumentRule for RbacWildcard {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        if !matches!(
            cx.doc.root.get_str("kind"),
            Some("Role" | "ClusterRole" | "List" | "RoleList" | "ClusterRoleList")
        ) {
            return;
        }
        for obj in cx.objects() {
            let Some(kind @ ("Role" | "ClusterRole")) = obj.kind else {
                continue;
            };
            if obj.api_version.is_none() {
                continue;
            }
            for (i, rule) in obj
                .node
                .get("rules")
                .map(|r| r.items())
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                for field in ["apiGroups", "resources", "verbs"] {
                    for item in rule.get(field).map(|v| v.items()).unwrap_or(&[]) {
                        if item.as_str() != Some("*") {
                            continue;
                        }
                        out.push(
                            Finding::new(
                                &Self::META,
                                cx.path,
                                item.span,
                                format!(
                                    "{kind} {} grants `*` {field} (rule {})",
                                    obj.display_name(),
                                    i + 1
                                ),
                                &format!("{kind}/{}/rules/{i}/{field}", obj.display_name()),
                            )
                            .help(format!("list the {field} explicitly")),
                        );
                    }
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
    fn wildcards() {
        let src = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: god}\nrules:\n  - apiGroups: ['*']\n    resources: [pods, '*']\n    verbs: [get]\n  - nonResourceURLs: ['*']\n    verbs: ['*']\n";
        let f = check(&RbacWildcard, "r.yaml", src);
        let lines: Vec<u32> = f.iter().map(|x| x.span.start.line).collect();
        assert_eq!(lines, [5, 6, 9]);
        assert!(
            f[1].message
                .contains("ClusterRole -/god grants `*` resources (rule 1)")
        );
        for src in [
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nrules:\n  - {apiGroups: [''], resources: [pods/*], verbs: [get]}\n",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nrules:\n  - {verbs: ['*']}\n",
        ] {
            assert!(check(&RbacWildcard, "r.yaml", src).is_empty(), "{src}");
        }
    }
}
