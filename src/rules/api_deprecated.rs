use crate::finding::Finding;
use crate::kube_api;
use crate::rules::api_removed::{api_objects, identity};
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags an object whose `apiVersion` + `kind` is deprecated in a Kubernetes version at or
    /// below the target version but still served there, naming the replacement (or saying
    /// there is none) and the version that removes it. Also checks `kind: List` items.
    /// Data: pluto's `versions.yaml` (`rules/api/pluto-versions.yaml`, Kubernetes entries).
    ///
    /// The target is `kubernetes-version` in `.envgate.yaml`; without it, the newest version
    /// envgate's data knows (see `api-removed`). An API already removed at the target is
    /// reported by `api-removed` instead, never by both.
    ///
    /// ## Why is this bad?
    /// A deprecated API is removed in a later release: the manifests stop applying on the
    /// cluster upgrade after next. Migrating while both versions are served is the cheap time.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: storage.k8s.io/v1beta1
    /// kind: VolumeAttributesClass
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: storage.k8s.io/v1
    /// kind: VolumeAttributesClass
    /// ```
    pub struct ApiDeprecated {
        id: "api-deprecated",
        severity: Warning,
        summary: "An apiVersion deprecated in the target Kubernetes version",
        group: "api",
    }
}

impl DocumentRule for ApiDeprecated {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        let table = kube_api::kubernetes();
        let target = kube_api::kubernetes_target(cx.config);
        for (o, node, api, kind) in api_objects(cx) {
            let Some(d) = table.lookup(api, kind) else {
                continue;
            };
            if d.deprecated_in > target || d.removed_in.is_some_and(|r| r <= target) {
                continue;
            }
            let removal = match d.removed_in {
                Some(r) => format!(", removed in {r}"),
                None => String::new(),
            };
            out.push(
                Finding::new(
                    &Self::META,
                    cx.path,
                    node.span,
                    format!(
                        "{kind} {} uses {api}, deprecated since Kubernetes {}{removal}{}",
                        o.display_name(),
                        d.deprecated_in,
                        d.replacement_clause("Kubernetes")
                    ),
                    &identity(o, api),
                )
                .help(match &d.replacement {
                    Some(r) => format!("change apiVersion to {r} before the cluster upgrade"),
                    None => format!("plan {kind}'s removal: it has no replacement API"),
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::rules::api_removed::check_with_target;
    use crate::rules::testing::check;

    #[test]
    fn deprecated_not_removed() {
        let src = "apiVersion: storage.k8s.io/v1beta1\nkind: VolumeAttributesClass\nmetadata: {name: fast}\n";
        let f = check(&ApiDeprecated, "v.yaml", src);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!((f[0].span.start.line, f[0].span.start.col), (1, 13));
        assert!(
            f[0].message
                .contains("deprecated since Kubernetes 1.34: use storage.k8s.io/v1"),
            "{}",
            f[0].message
        );
        // before its deprecation: nothing
        assert!(check_with_target(&ApiDeprecated, src, "1.33").is_empty());
    }

    #[test]
    fn between_deprecation_and_removal() {
        let src = "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: r}\n";
        let f = check_with_target(&ApiDeprecated, src, "1.22");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("removed in 1.25"), "{}", f[0].message);
        assert!(f[0].message.contains("no replacement"), "{}", f[0].message);
        // removed at the target: api-removed reports it, not this rule
        assert!(check_with_target(&ApiDeprecated, src, "1.25").is_empty());
        assert!(check_with_target(&ApiDeprecated, src, "1.20").is_empty());
    }

    #[test]
    fn negatives() {
        for src in [
            "apiVersion: apps/v1\nkind: Deployment\n",
            // removed long ago: api-removed's business
            "apiVersion: extensions/v1beta1\nkind: Deployment\n",
            "apiVersion: cert-manager.io/v1alpha2\nkind: Certificate\n",
            "kind: Ingress\n",
        ] {
            assert!(check(&ApiDeprecated, "x.yaml", src).is_empty(), "{src}");
        }
    }
}
