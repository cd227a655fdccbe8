use crate::finding::Finding;
use crate::kube_api;
use crate::rules::api_removed::{api_objects, identity};
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a GitOps controller object written with a deprecated beta API: Flux
    /// `kustomize.toolkit.fluxcd.io/v1beta1|v1beta2` (→ `v1`),
    /// `helm.toolkit.fluxcd.io/v2beta1|v2beta2` (→ `v2`), `source.toolkit.fluxcd.io/v1beta1|v1beta2`
    /// (→ `v1`), `notification.toolkit.fluxcd.io/v1beta1|v1beta2` (→ `v1beta3` for Alert and
    /// Provider, `v1` for Receiver) and `image.toolkit.fluxcd.io/v1beta1|v1beta2` (→ `v1`). The
    /// message names the Flux release that deprecated it, the one that removed it, and since
    /// when the replacement exists. Data: `rules/api/gitops-versions.yaml` (each fact cites
    /// its source there). Argo CD (`argoproj.io/v1alpha1`) and kustomize's own
    /// `kustomization.yaml` APIs have no deprecated versions to report.
    ///
    /// Every deprecated version is reported (there is no Flux target version setting): a
    /// cluster pinned to an old Flux release that lacks the replacement can turn the rule off.
    ///
    /// ## Why is this bad?
    /// Flux removes its deprecated APIs after a few minor releases (the `v1beta1`/`v2beta1`
    /// APIs in Flux 2.7, `v1beta2`/`v2beta2` in 2.8, image and notification `v1beta2` in 2.9):
    /// once the CRDs are upgraded, the objects no longer apply and reconciliation of the
    /// whole Kustomization stops.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: helm.toolkit.fluxcd.io/v2beta1
    /// kind: HelmRelease
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: helm.toolkit.fluxcd.io/v2
    /// kind: HelmRelease
    /// ```
    /// (`flux migrate -f .` rewrites the manifests of a directory).
    pub struct GitopsApiDeprecated {
        id: "gitops-api-deprecated",
        severity: Warning,
        summary: "A deprecated Flux API version (removed in later Flux releases)",
        group: "api",
    }
}

impl DocumentRule for GitopsApiDeprecated {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        let table = kube_api::flux();
        for (o, node, api, kind) in api_objects(cx) {
            if !api.contains(".toolkit.fluxcd.io/") {
                continue;
            }
            let Some(d) = table.lookup(api, kind) else {
                continue;
            };
            let removal = match d.removed_in {
                Some(r) => format!(" and removed in Flux {r}"),
                None => String::new(),
            };
            out.push(
                Finding::new(
                    &Self::META,
                    cx.path,
                    node.span,
                    format!(
                        "{kind} {} uses {api}, deprecated since Flux {}{removal}{}",
                        o.display_name(),
                        d.deprecated_in,
                        d.replacement_clause("Flux")
                    ),
                    &identity(o, api),
                )
                .help(match &d.replacement {
                    Some(r) => format!(
                        "change apiVersion to {r} (`flux migrate -f <dir>` rewrites manifests)"
                    ),
                    None => "migrate to the GA API".to_string(),
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    #[test]
    fn flux_betas() {
        let f = check(
            &GitopsApiDeprecated,
            "hr.yaml",
            "apiVersion: helm.toolkit.fluxcd.io/v2beta1\nkind: HelmRelease\nmetadata: {name: podinfo, namespace: apps}\n",
        );
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].span.start.line, f[0].span.start.col), (1, 13));
        assert_eq!(
            f[0].message,
            "HelmRelease apps/podinfo uses helm.toolkit.fluxcd.io/v2beta1, deprecated since Flux 2.2 and removed in Flux 2.7: use helm.toolkit.fluxcd.io/v2 (available since Flux 2.3)"
        );
        // kind-specific replacement
        let f = check(
            &GitopsApiDeprecated,
            "a.yaml",
            "apiVersion: notification.toolkit.fluxcd.io/v1beta2\nkind: Alert\n---\napiVersion: notification.toolkit.fluxcd.io/v1beta2\nkind: Receiver\n",
        );
        assert_eq!(f.len(), 2);
        assert!(
            f[0].message
                .contains("use notification.toolkit.fluxcd.io/v1beta3")
        );
        assert!(
            f[0].message.contains("removed in Flux 2.9"),
            "{}",
            f[0].message
        );
        assert!(
            f[1].message
                .contains("use notification.toolkit.fluxcd.io/v1 ")
        );
        // List items
        let f = check(
            &GitopsApiDeprecated,
            "l.yaml",
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: source.toolkit.fluxcd.io/v1beta2\n  kind: OCIRepository\n",
        );
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn negatives() {
        for src in [
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n",
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n",
            "apiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Provider\n",
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\n",
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\n",
            // kustomize's own file, same kind name
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n",
            // Flux substitution placeholder
            "apiVersion: ${HELM_API}\nkind: HelmRelease\n",
        ] {
            assert!(
                check(&GitopsApiDeprecated, "x.yaml", src).is_empty(),
                "{src}"
            );
        }
    }
}
