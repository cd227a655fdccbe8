use crate::finding::Finding;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::workload::{ContainerRole, PodSpec, container_anchor};
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Flags a main container of a Deployment, StatefulSet, ReplicaSet,
    /// ReplicationController or DaemonSet that declares `ports` (it serves traffic) but has
    /// no `readinessProbe`, in a pod where no main container has one (a probed main
    /// container gates the pod, so its classic sidecars need none). Not checked: Pods, Jobs and CronJobs (they run to completion),
    /// init containers and native sidecars, containers without `ports` (workers, agents),
    /// containers without an `image` (patches), kustomize patch fragments and objects
    /// without a name.
    ///
    /// ## Why is this bad?
    /// Without a readiness probe a pod receives traffic as soon as its process starts —
    /// before it listens or has warmed up — and a rolling update proceeds even when the new
    /// version never becomes able to serve: errors during every deploy.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: ghcr.io/acme/web:1.4.2
    ///     ports: [{name: http, containerPort: 8080}]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///     readinessProbe:
    ///       httpGet: {path: /healthz, port: http}
    /// ```
    pub struct ReadinessProbeMissing {
        id: "readiness-probe-missing",
        severity: Warning,
        summary: "Serving container without a readiness probe",
        group: "workloads",
    }
}

/// The containers probe-missing rules judge: main containers declaring ports, of
/// long-running controllers, written in full.
pub(crate) fn probed_containers<'a>(pod: &PodSpec<'a>) -> Vec<&'a Node> {
    if !pod.is_service_workload() {
        return Vec::new();
    }
    pod.judged_containers()
        .into_iter()
        .filter(|c| {
            c.role == ContainerRole::Main
                && c.node.get("ports").is_some_and(|p| !p.items().is_empty())
        })
        .map(|c| c.node)
        .collect()
}

/// Reports each probed container of the document that lacks `probe`.
pub(crate) fn check_probe(
    cx: &DocumentContext,
    meta: &'static RuleMeta,
    probe: &str,
    what: &str,
    out: &mut Vec<Finding>,
) {
    if cx.is_fragment() {
        return;
    }
    for pod in cx.pod_specs() {
        // The pod's readiness is the AND of its containers': once one main container has
        // the probe, the others (classic sidecars: proxies, exporters) are gated by it.
        let gated = pod
            .containers()
            .iter()
            .any(|c| c.role == ContainerRole::Main && c.node.get(probe).is_some());
        if gated {
            continue;
        }
        for c in probed_containers(pod) {
            if c.get(probe).is_some() {
                continue;
            }
            let name = c.get_str("name").unwrap_or("?");
            out.push(
                Finding::new(
                    meta,
                    cx.path,
                    container_anchor(c, "ports"),
                    format!(
                        "container {name} of {} has ports but no {what}",
                        pod.owner()
                    ),
                    &pod.identity(&format!("{name}/{probe}")),
                )
                .help(format!("add a {probe} (httpGet, tcpSocket, grpc or exec)")),
            );
        }
    }
}

impl DocumentRule for ReadinessProbeMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        check_probe(cx, &Self::META, "readinessProbe", "readiness probe", out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    #[test]
    fn readiness() {
        let src = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    spec:\n      initContainers:\n        - {name: init, image: x, ports: [{containerPort: 1}]}\n      containers:\n        - name: web\n          image: x:1\n          ports:\n            - {name: http, containerPort: 8080}\n        - name: ok\n          image: x:1\n          ports: [{containerPort: 9090}]\n          readinessProbe: {tcpSocket: {port: 9090}}\n        - {name: worker, image: x:1}\n";
        let f = check(
            &ReadinessProbeMissing,
            "d.yaml",
            &src.replace(
                "readinessProbe: {tcpSocket: {port: 9090}}",
                "livenessProbe: {}",
            ),
        );
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].span.start.line, f[0].span.start.col), (12, 11));
        assert_eq!(
            f[0].message,
            "container web of Deployment shop/web has ports but no readiness probe"
        );
        // a probed main container gates the pod: its sidecar needs no probe
        assert!(check(&ReadinessProbeMissing, "d.yaml", src).is_empty());
        for src in [
            // batch pods run to completion
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: x, ports: [{containerPort: 1}]}]\n",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: x, ports: [{containerPort: 1}]}]\n",
            // a patch: no image
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers: [{name: a, ports: [{containerPort: 1}]}]\n",
        ] {
            assert!(
                check(&ReadinessProbeMissing, "d.yaml", src).is_empty(),
                "{src}"
            );
        }
    }
}
