use crate::finding::Finding;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::workload::is_true;

declare_rule! {
    /// ## What it does
    /// Flags a container (main, init or ephemeral) of a pod spec — Pod, Deployment,
    /// StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, PodTemplate —
    /// whose `securityContext.privileged` is `true`.
    ///
    /// ## Why is this bad?
    /// A privileged container has every capability and every host device: root in it is
    /// root on the node, and one compromised process owns the cluster node. CNI/CSI drivers
    /// and node agents need it; application workloads never do.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: ghcr.io/acme/web:1.4.2
    ///     securityContext:
    ///       privileged: true
    /// ```
    ///
    /// ## Use instead
    /// Remove `privileged: true` and add only the capabilities the process needs. For a node
    /// agent that really needs it, suppress the finding with a reason
    /// (`# envgate:ignore privileged-container -- CSI node plugin`).
    pub struct PrivilegedContainer {
        id: "privileged-container",
        severity: Error,
        summary: "Container runs privileged",
        group: "workloads",
    }
}

impl DocumentRule for PrivilegedContainer {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        for pod in cx.pod_specs() {
            for c in pod.containers() {
                let Some(v) = c
                    .node
                    .get("securityContext")
                    .and_then(|s| s.get("privileged"))
                else {
                    continue;
                };
                if is_true(v) {
                    out.push(
                        Finding::new(
                            &Self::META,
                            cx.path,
                            v.span,
                            format!(
                                "container {} of {} runs privileged (root on the node)",
                                c.name,
                                pod.owner()
                            ),
                            &pod.identity(&format!("{}/privileged", c.name)),
                        )
                        .help("remove `privileged: true`; add only the capabilities needed"),
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
    fn privileged() {
        let src = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent, namespace: kube-system}\nspec:\n  template:\n    spec:\n      initContainers:\n        - name: init\n          image: busybox:1\n          securityContext: {privileged: true}\n      containers:\n        - name: a\n          image: x:1\n          securityContext:\n            privileged: true\n        - name: b\n          image: x:1\n          securityContext:\n            privileged: false\n";
        let f = check(&PrivilegedContainer, "d.yaml", src);
        let lines: Vec<u32> = f.iter().map(|x| x.span.start.line).collect();
        assert_eq!(lines, [10, 15]);
        assert!(
            f[1].message
                .contains("container a of DaemonSet kube-system/agent")
        );
    }

    #[test]
    fn not_privileged() {
        for src in [
            // quoted: a string, rejected by the API, not a privileged container
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - {name: a, image: x, securityContext: {privileged: 'true'}}\n",
            // no apiVersion: a patch or values, not an object
            "kind: Pod\nspec:\n  containers:\n    - {name: a, securityContext: {privileged: true}}\n",
            // a HelmRelease's values are not a pod spec
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nspec:\n  values:\n    securityContext: {privileged: true}\n",
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - {name: a, image: x, securityContext: {privileged: false}}\n",
        ] {
            assert!(
                check(&PrivilegedContainer, "d.yaml", src).is_empty(),
                "{src}"
            );
        }
    }
}
