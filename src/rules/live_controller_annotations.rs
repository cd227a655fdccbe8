use crate::finding::Finding;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Flags annotations and labels that Kubernetes controllers write on live objects:
    ///
    /// - annotations: `deployment.kubernetes.io/revision`,
    ///   `deployment.kubernetes.io/desired-replicas`, `deployment.kubernetes.io/max-replicas`,
    ///   `deprecated.daemonset.template.generation`, `pv.kubernetes.io/bind-completed`,
    ///   `pv.kubernetes.io/bound-by-controller`, `volume.beta.kubernetes.io/storage-provisioner`,
    ///   `volume.kubernetes.io/storage-provisioner`, `volume.kubernetes.io/selected-node`,
    ///   `control-plane.alpha.kubernetes.io/leader`,
    ///   `endpoints.kubernetes.io/last-change-trigger-time`,
    ///   `kubernetes.io/service-account.uid`, `autoscaling.alpha.kubernetes.io/conditions`,
    ///   `autoscaling.alpha.kubernetes.io/current-metrics`, `batch.kubernetes.io/job-tracking`,
    ///   `argocd.argoproj.io/tracking-id`;
    /// - labels (on the object or its pod template): `pod-template-hash`, `controller-uid`,
    ///   `batch.kubernetes.io/controller-uid`.
    ///
    /// Not flagged, because people write them: `kubernetes.io/change-cause` (set by
    /// `kubectl annotate` or the deprecated `--record` to document a rollout),
    /// `kubectl.kubernetes.io/restartedAt` (committed on purpose to force a restart),
    /// `autoscaling.alpha.kubernetes.io/metrics` and `…/behavior` (HPA v1 inputs),
    /// `volume.beta.kubernetes.io/storage-class`, and Helm's `meta.helm.sh/*` adoption
    /// annotations.
    ///
    /// ## Why is this bad?
    /// They record the state of one cluster at one moment (a revision counter, the node a
    /// volume was bound on, a leader lease, a controller's uid). Committed, they are residue
    /// of `kubectl get -o yaml`: they confuse reviewers, make Argo CD or Flux report
    /// permanent drift, and a stale `controller-uid` selector or `pod-template-hash` label
    /// can stop a controller from adopting its pods.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     deployment.kubernetes.io/revision: "7"
    /// ```
    ///
    /// ## Use instead
    /// Delete the annotation or label.
    pub struct LiveControllerAnnotations {
        id: "live-controller-annotations",
        severity: Warning,
        summary: "Controller-written annotations or labels committed (deployment revision, PV binding, pod-template-hash…)",
    }
}

const ANNOTATIONS: &[&str] = &[
    "deployment.kubernetes.io/revision",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.daemonset.template.generation",
    "pv.kubernetes.io/bind-completed",
    "pv.kubernetes.io/bound-by-controller",
    "volume.beta.kubernetes.io/storage-provisioner",
    "volume.kubernetes.io/storage-provisioner",
    "volume.kubernetes.io/selected-node",
    "control-plane.alpha.kubernetes.io/leader",
    "endpoints.kubernetes.io/last-change-trigger-time",
    "kubernetes.io/service-account.uid",
    "autoscaling.alpha.kubernetes.io/conditions",
    "autoscaling.alpha.kubernetes.io/current-metrics",
    "batch.kubernetes.io/job-tracking",
    "argocd.argoproj.io/tracking-id",
];

const LABELS: &[&str] = &[
    "pod-template-hash",
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
];

/// The metadata blocks of an object: its own and its pod template's (workloads, CronJobs).
pub(crate) fn metadata_blocks<'a>(
    obj: &crate::manifest::KubeObject<'a>,
) -> impl Iterator<Item = (&'static str, &'a Node)> + use<'a> {
    let spec = obj.spec;
    let template = spec.and_then(|s| s.get("template"));
    let job_template = spec
        .and_then(|s| s.get("jobTemplate"))
        .and_then(|j| j.get("spec"))
        .and_then(|s| s.get("template"));
    [
        ("metadata", obj.metadata),
        (
            "spec.template.metadata",
            template.and_then(|t| t.get("metadata")),
        ),
        (
            "spec.jobTemplate.spec.template.metadata",
            job_template.and_then(|t| t.get("metadata")),
        ),
    ]
    .into_iter()
    .filter_map(|(p, m)| m.filter(|m| m.is_mapping()).map(|m| (p, m)))
}

impl DocumentRule for LiveControllerAnnotations {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        for obj in cx.objects() {
            let (Some(kind), Some(_)) = (obj.kind, obj.api_version) else {
                continue;
            };
            for (path, meta) in metadata_blocks(obj) {
                for (field, list, what) in [
                    ("annotations", ANNOTATIONS, "annotation"),
                    ("labels", LABELS, "label"),
                ] {
                    for e in meta.get(field).map(Node::entries).unwrap_or(&[]) {
                        let Some(key) = e.key.as_str() else { continue };
                        if !list.contains(&key) {
                            continue;
                        }
                        out.push(
                            Finding::new(
                                &Self::META,
                                cx.path,
                                e.key.span,
                                format!(
                                    "{kind} {} has the controller-written {what} {key} ({path}.{field})",
                                    obj.display_name()
                                ),
                                &format!("{kind}/{}/{path}.{field}/{key}", obj.display_name()),
                            )
                            .help(format!("delete the {what}: a controller writes it on the live object")),
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
    fn controller_annotations_and_labels() {
        let src = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n    deployment.kubernetes.io/revision: \"7\"\n    kubernetes.io/change-cause: bump to 1.2\nspec:\n  template:\n    metadata:\n      labels:\n        app: web\n        pod-template-hash: 7d4b9c\n";
        let f = check(&LiveControllerAnnotations, "d.yaml", src);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!((f[0].span.start.line, f[0].span.start.col), (6, 5));
        assert!(
            f[1].message
                .contains("label pod-template-hash (spec.template.metadata.labels)")
        );
        let cron = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        metadata:\n          labels: {controller-uid: abc}\n";
        assert_eq!(check(&LiveControllerAnnotations, "c.yaml", cron).len(), 1);
        for src in [
            // User-written annotations.
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\n  annotations:\n    kubernetes.io/change-cause: x\n    meta.helm.sh/release-name: a\n    autoscaling.alpha.kubernetes.io/metrics: '[]'\n",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  template:\n    metadata:\n      annotations: {kubectl.kubernetes.io/restartedAt: '2024-01-01T00:00:00Z'}\n",
            // Not an object (Helm values), and the key as a value.
            "podAnnotations:\n  deployment.kubernetes.io/revision: '1'\nmetadata:\n  labels: {pod-template-hash: x}\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {app: pod-template-hash}}\n",
        ] {
            assert!(
                check(&LiveControllerAnnotations, "a.yaml", src).is_empty(),
                "{src}"
            );
        }
    }
}
