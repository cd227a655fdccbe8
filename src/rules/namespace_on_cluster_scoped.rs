use crate::cross_file::SharedPath;
use crate::finding::Finding;
use crate::kube_api::{self, Scope};
use crate::manifest::KubeObject;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::yaml::Span;
use compact_str::CompactString;

declare_rule! {
    /// ## What it does
    /// Flags `metadata.namespace` on an object of a cluster-scoped built-in kind (Namespace,
    /// ClusterRole, ClusterRoleBinding, CustomResourceDefinition, PersistentVolume,
    /// StorageClass, PriorityClass, IngressClass, webhook configurations…). Also checks
    /// `kind: List` items. The scope comes from `rules/api/k8s-kind-scope.yaml` (derived from
    /// kustomize's tables of Kubernetes' OpenAPI) and, for custom resources, from the
    /// `CustomResourceDefinition`s found in the repository (`spec.scope: Cluster`); custom
    /// resources without a CRD here (ClusterIssuer, ClusterSecretStore… installed by Helm)
    /// are skipped rather than guessed. An empty or null namespace is not reported;
    /// kustomize patch files are skipped.
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
            let Some(node) = o.metadata.and_then(|m| m.get("namespace")) else {
                continue;
            };
            if node.is_null() {
                continue;
            }
            out.push(Self::finding(
                cx.path,
                node.span,
                kind,
                o.name.unwrap_or("-"),
                ns,
            ));
        }
    }
}

impl NamespaceOnClusterScoped {
    fn finding(path: &str, span: Span, kind: &str, name: &str, ns: &str) -> Finding {
        Finding::new(
            &Self::META,
            path,
            span,
            format!(
                "{kind} {name} is cluster-scoped: its metadata.namespace ({ns}) is ignored by the API server"
            ),
            &format!("{kind}/{name}/metadata.namespace"),
        )
        .help("delete metadata.namespace")
    }

    /// Custom resources with a namespace whose CRD in the repository (`crd_scopes`, from
    /// [`crate::rules::crd_version_not_served::CrdFact::scopes`]) says `scope: Cluster`.
    pub fn check_custom(
        facts: &[&CustomScopeFact],
        crd_scopes: &rustc_hash::FxHashMap<(&str, &str), Scope>,
    ) -> Vec<Finding> {
        facts
            .iter()
            .filter(|f| {
                crd_scopes.get(&(f.group.as_str(), f.kind.as_str())) == Some(&Scope::Cluster)
            })
            .map(|f| Self::finding(&f.path, f.span, &f.kind, &f.name, &f.namespace))
            .collect()
    }
}

/// A custom resource that names a namespace, kept until the repository's CRDs are known.
#[derive(Debug)]
pub struct CustomScopeFact {
    group: CompactString,
    kind: CompactString,
    name: CompactString,
    namespace: CompactString,
    path: std::sync::Arc<str>,
    span: Span,
}

impl CustomScopeFact {
    pub fn collect(path: &SharedPath, o: &KubeObject, out: &mut Vec<CustomScopeFact>) {
        let (Some(api), Some(kind), Some(ns)) = (o.api_version, o.kind, o.namespace) else {
            return;
        };
        let Some((group, _)) = api.rsplit_once('/') else {
            return; // the core group is all built-in
        };
        if ns.trim().is_empty()
            || !group.contains('.')
            || crate::placeholder::contains_placeholder(api)
            || kube_api::kind_scope(api, kind).is_some()
        {
            return;
        }
        let Some(node) = o.metadata.and_then(|m| m.get("namespace")) else {
            return;
        };
        if node.is_null() {
            return;
        }
        out.push(CustomScopeFact {
            group: group.into(),
            kind: kind.into(),
            name: o.name.unwrap_or("-").into(),
            namespace: ns.into(),
            path: path.get(),
            span: node.span,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::crd_version_not_served::CrdFact;
    use crate::rules::testing::check;
    use crate::rules::testing::refs;

    fn crd(kind: &str, scope: &str) -> String {
        format!(
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {{name: x.acme.io}}\nspec:\n  group: acme.io\n  names: {{kind: {kind}, plural: x}}\n  scope: {scope}\n  versions: [{{name: v1, served: true}}]\n"
        )
    }

    /// The cross-file half: custom resources against the repository's CRDs.
    fn custom(files: &[(&str, &str)]) -> Vec<Finding> {
        let (mut facts, mut crds) = (Vec::new(), Vec::new());
        crate::rules::testing::each_object(files, |path, _, o| {
            CustomScopeFact::collect(&SharedPath::new(path), o, &mut facts);
            CrdFact::collect(&SharedPath::new(path), o, &mut crds);
        });
        NamespaceOnClusterScoped::check_custom(&refs(&facts), &CrdFact::scopes(&refs(&crds)))
    }

    #[test]
    fn custom_resources_of_cluster_scoped_crds_in_the_repository() {
        let gadget =
            "apiVersion: acme.io/v1\nkind: Gadget\nmetadata:\n  name: g\n  namespace: tools\n";
        let f = custom(&[("crd.yaml", &crd("Gadget", "Cluster")), ("g.yaml", gadget)]);
        assert_eq!(f.len(), 1);
        assert_eq!(
            (
                f[0].path.as_str(),
                f[0].span.start.line,
                f[0].span.start.col
            ),
            ("g.yaml", 5, 14)
        );
        assert!(
            f[0].message.starts_with("Gadget g is cluster-scoped"),
            "{}",
            f[0].message
        );
        // Namespaced CRD, no CRD, empty namespace, another group's kind of the same name,
        // and the per-document rule leaves custom kinds alone.
        assert!(
            custom(&[
                ("crd.yaml", &crd("Gadget", "Namespaced")),
                ("g.yaml", gadget)
            ])
            .is_empty()
        );
        assert!(custom(&[("g.yaml", gadget)]).is_empty());
        let empty = gadget.replace("namespace: tools", "namespace: ''");
        assert!(custom(&[("crd.yaml", &crd("Gadget", "Cluster")), ("g.yaml", &empty)]).is_empty());
        let other = gadget.replace("acme.io/v1", "other.io/v1");
        assert!(custom(&[("crd.yaml", &crd("Gadget", "Cluster")), ("g.yaml", &other)]).is_empty());
        assert!(check(&NamespaceOnClusterScoped, "g.yaml", gadget).is_empty());
    }

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
