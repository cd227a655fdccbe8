use crate::finding::Finding;
use crate::kube_api::{self, Scope};
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags `metadata.namespace` on an object of a cluster-scoped built-in kind (Namespace,
    /// ClusterRole, ClusterRoleBinding, CustomResourceDefinition, PersistentVolume,
    /// StorageClass, PriorityClass, IngressClass, webhook configurations…). Also checks
    /// `kind: List` items. The scope comes from `rules/api/k8s-kind-scope.yaml` (derived from
    /// kustomize's tables of Kubernetes' OpenAPI); custom resources (ClusterIssuer,
    /// ClusterSecretStore…) are skipped rather than guessed. An empty or null namespace is
    /// not reported; kustomize patch files are skipped.
    ///
    /// ## Why is this bad?
    /// The API server ignores the field, so what is in Git differs from what is in the
    /// cluster: GitOps tools show a permanent diff or key the object under a namespace it does
    /// not have, duplicate detection misses copies, and reviewers believe the object is
    /// confined to a namespace when it applies to the whole cluster.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: reader
    ///   namespace: monitoring
    /// ```
    ///
    /// ## Use instead
    /// Delete `namespace:` (or use a `Role` if the permission is meant for one namespace).
    pub struct NamespaceOnClusterScoped {
        id: "namespace-on-cluster-scoped",
        severity: Warning,
        summary: "metadata.namespace on a cluster-scoped kind",
        group: "api",
    }
}

impl DocumentRule for NamespaceOnClusterScoped {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        if cx.is_fragment() {
            return;
        }
        for o in cx.objects() {
            let (Some(api), Some(kind), Some(ns)) = (o.api_version, o.kind, o.namespace) else {
                continue;
            };
            if ns.trim().is_empty() || kube_api::kind_scope(api, kind) != Some(Scope::Cluster) {
                continue;
            }
            let Some(node) = o.node.get("metadata").and_then(|m| m.get("namespace")) else {
                continue;
            };
            if node.is_null() {
                continue;
            }
            let name = o.name.unwrap_or("-");
            out.push(
                Finding::new(
                    &Self::META,
                    cx.path,
                    node.span,
                    format!(
                        "{kind} {name} is cluster-scoped: its metadata.namespace ({ns}) is ignored by the API server"
                    ),
                    &format!("{kind}/{name}/metadata.namespace"),
                )
                .help("delete metadata.namespace"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    #[test]
    fn cluster_scoped_with_namespace() {
        let f = check(
            &NamespaceOnClusterScoped,
            "r.yaml",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\n  namespace: monitoring\n",
        );
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].span.start.line, f[0].span.start.col), (5, 14));
        assert_eq!(
            f[0].message,
            "ClusterRole reader is cluster-scoped: its metadata.namespace (monitoring) is ignored by the API server"
        );
        let f = check(
            &NamespaceOnClusterScoped,
            "l.yaml",
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a, namespace: a}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b, namespace: a}\n",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].span.start.line, 6);
    }

    #[test]
    fn negatives() {
        for src in [
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\n",
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n",
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: a, namespace: ''}\n",
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: a, namespace: ~}\n",
            // custom resources: scope unknown, no guessing
            "apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: le, namespace: cert-manager}\n",
            // a CRD-defined kind that shares a built-in's name in another group
            "apiVersion: example.com/v1\nkind: Namespace\nmetadata: {name: a, namespace: b}\n",
            // no apiVersion: not an object
            "kind: ClusterRole\nmetadata: {name: a, namespace: b}\n",
        ] {
            assert!(
                check(&NamespaceOnClusterScoped, "x.yaml", src).is_empty(),
                "{src}"
            );
        }
    }
}
