use crate::finding::{Finding, Severity};
use crate::kube_api::{self, Version};
use crate::manifest::KubeObject;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Flags an object whose `apiVersion` + `kind` was removed from Kubernetes in a version
    /// at or below the target version, naming the replacement API and since when it exists.
    /// Also checks the items of `kind: List` documents. Data: pluto's `versions.yaml`
    /// (`rules/api/pluto-versions.yaml`, Kubernetes entries only).
    ///
    /// The target is `kubernetes-version` in `.envgate.yaml` (`"1.31"`). Without it, envgate
    /// assumes the newest Kubernetes version its data knows (1.36 today), so every known
    /// removal is reported, but it cannot know your cluster, so the severity depends on the
    /// removal's age: removed in or before the oldest of the newest three minor releases
    /// (1.34 today; no Kubernetes release still supported upstream serves the API) is an
    /// error, a later removal a warning (older supported clusters still serve it). This
    /// never fails CI for an API your cluster may still serve, and never lets an API no
    /// supported cluster serves pass. Setting `kubernetes-version` makes every removal at or
    /// below it an error and hides later ones.
    ///
    /// Kustomize patch files (fragments) are skipped: the resource they patch is reported.
    ///
    /// ## Why is this bad?
    /// The API server rejects the object: the sync fails (Argo CD `ComparisonError`, Flux
    /// `dry-run failed: no matches for kind`) as soon as the cluster runs that version, often
    /// discovered during a cluster upgrade.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: extensions/v1beta1
    /// kind: Ingress
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// ```
    /// (check the replacement's schema: some APIs changed fields, e.g. Ingress `backend`).
    pub struct ApiRemoved {
        id: "api-removed",
        severity: Error,
        summary: "An apiVersion removed in the target Kubernetes version",
        group: "api",
    }
}

/// The objects of a document with a known apiVersion + kind, and the `apiVersion` value
/// node (where API findings point). Fragments (kustomize patches) yield nothing.
pub(crate) fn api_objects<'a>(
    cx: &'a DocumentContext,
) -> impl Iterator<Item = (&'a KubeObject<'a>, &'a Node, &'a str, &'a str)> {
    let objs: &'a [KubeObject<'a>] = if cx.is_fragment() { &[] } else { cx.objects() };
    objs.iter().filter_map(|o| {
        let node = o.node.get("apiVersion")?;
        let (api, kind) = (o.api_version?, o.kind?);
        Some((o, node, api, kind))
    })
}

pub(crate) fn identity(o: &KubeObject, api: &str) -> String {
    format!("{}/{}/{api}", o.kind.unwrap_or("-"), o.display_name())
}

impl DocumentRule for ApiRemoved {
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
            let Some(removed) = d.removed_in.filter(|r| *r <= target) else {
                continue;
            };
            let mut f = Finding::new(
                &Self::META,
                cx.path,
                node.span,
                format!(
                    "{kind} {} uses {api}, removed in Kubernetes {removed}{}",
                    o.display_name(),
                    d.replacement_clause("Kubernetes")
                ),
                &identity(o, api),
            )
            .help(match &d.replacement {
                Some(r) => {
                    format!("change apiVersion to {r} and check the fields against its schema")
                }
                None => {
                    format!("{kind} no longer exists: remove the object or replace the mechanism")
                }
            });
            if cx.config.kubernetes_version.is_none() && !is_unserved_everywhere(removed) {
                f.severity = Severity::Warning;
            }
            out.push(f);
        }
    }
}

/// True when no Kubernetes version still supported upstream (the newest three minors the
/// data knows) serves an API removed in `removed`.
fn is_unserved_everywhere(removed: Version) -> bool {
    removed <= kube_api::kubernetes().newest().minus_minors(2)
}

/// Runs `rule` on `src` with `kubernetes-version: target` (tests of the API rules).
#[cfg(test)]
pub(crate) fn check_with_target(rule: &dyn DocumentRule, src: &str, target: &str) -> Vec<Finding> {
    let parsed = crate::yaml::parse_yaml(src);
    let mut config = crate::config::Config::default();
    config.kubernetes_version = Version::parse_kubernetes_minor(target);
    let project = crate::project::Project::default();
    let mut out = Vec::new();
    for doc in &parsed.documents {
        let cx = DocumentContext::new(
            "t.yaml",
            src,
            crate::source::classify_name("t.yaml"),
            doc,
            &config,
            &project,
        );
        rule.check(&cx, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    #[test]
    fn target_version() {
        let src = "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: c}\n";
        assert!(check_with_target(&ApiRemoved, src, "1.24").is_empty());
        let f = check_with_target(&ApiRemoved, src, "1.25");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        // with a target, a recent removal is an error too
        let src = "apiVersion: resource.k8s.io/v1beta1\nkind: DeviceClass\n";
        assert_eq!(
            check_with_target(&ApiRemoved, src, "1.36")[0].severity,
            Severity::Error
        );
        assert!(check_with_target(&ApiRemoved, src, "1.35").is_empty());
    }

    #[test]
    fn removed_apis() {
        let f = check(
            &ApiRemoved,
            "i.yaml",
            "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: web, namespace: prod}\n",
        );
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].span.start.line, f[0].span.start.col), (1, 13));
        assert_eq!(f[0].severity, Severity::Error);
        assert!(
            f[0].message.contains("removed in Kubernetes 1.22"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].message
                .contains("networking.k8s.io/v1 (available since Kubernetes 1.19)")
        );
        // no replacement
        let f = check(
            &ApiRemoved,
            "p.yaml",
            "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: r}\n",
        );
        assert!(f[0].message.contains("no replacement"), "{}", f[0].message);
        // List items
        let f = check(
            &ApiRemoved,
            "l.yaml",
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: batch/v1beta1\n  kind: CronJob\n  metadata: {name: c}\n- apiVersion: batch/v1\n  kind: CronJob\n",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].span.start.line, 4);
        // ReplicaSet beta (empty deprecated-in in the data)
        let f = check(
            &ApiRemoved,
            "r.yaml",
            "apiVersion: apps/v1beta2\nkind: ReplicaSet\n",
        );
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn recent_removal_is_a_warning_without_a_target() {
        let newest = kube_api::kubernetes().newest();
        assert!(is_unserved_everywhere(newest.minus_minors(2)));
        assert!(!is_unserved_everywhere(newest));
        // resource.k8s.io/v1beta1 is removed in 1.36, the newest the data knows
        let f = check(
            &ApiRemoved,
            "d.yaml",
            "apiVersion: resource.k8s.io/v1beta1\nkind: DeviceClass\nmetadata: {name: gpu}\n",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warning);
    }

    #[test]
    fn negatives() {
        for src in [
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\n",
            // deprecated but not removed: api-deprecated's business
            "apiVersion: storage.k8s.io/v1beta1\nkind: VolumeAttributesClass\n",
            // same group/version, kind not listed
            "apiVersion: apps/v1beta1\nkind: ControllerRevision\n",
            // cert-manager data is not Kubernetes data
            "apiVersion: certmanager.k8s.io/v1alpha1\nkind: Certificate\n",
            // templated apiVersion / missing kind / not an object
            "apiVersion: '{{ .Values.ingress.apiVersion }}'\nkind: Ingress\n",
            "apiVersion: extensions/v1beta1\nmetadata: {name: x}\n",
            "values:\n  apiVersion: extensions/v1beta1\n  kind: Ingress\n",
            // Helm values that happen to embed an object are not objects
            "ingress:\n  apiVersion: extensions/v1beta1\n",
        ] {
            assert!(check(&ApiRemoved, "x.yaml", src).is_empty(), "{src}");
        }
    }
}
