use crate::finding::Finding;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::workload::{Setting, container_anchor, resource};

declare_rule! {
    /// ## What it does
    /// Flags a long-running container (main containers and native sidecars) of a complete
    /// workload object without a CPU or memory request. A limit without a request counts as
    /// a request (Kubernetes defaults the request to the limit). Skipped: kustomize patch
    /// fragments, objects without a name, containers without an `image` (patches), init and
    /// ephemeral containers, and `resources` written with placeholders or aliases.
    ///
    /// ## Why is this bad?
    /// Without requests the scheduler packs the pod anywhere and the pod is `BestEffort`
    /// (or `Burstable` with one request): first evicted under node pressure, and
    /// autoscalers cannot reason about it.
    ///
    /// A namespace `LimitRange` can default requests — this rule cannot see that; suppress
    /// it for such paths (`ignore:` in `.envgate.yaml`).
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: ghcr.io/acme/web:1.4.2
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///     resources:
    ///       requests: {cpu: 100m, memory: 128Mi}
    /// ```
    pub struct ResourcesRequestsMissing {
        id: "resources-requests-missing",
        severity: Warning,
        summary: "Container without CPU or memory requests",
        group: "workloads",
    }
}

impl DocumentRule for ResourcesRequestsMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        if cx.is_fragment() {
            return;
        }
        for pod in cx.pod_specs() {
            for c in pod.judged_containers() {
                let missing: Vec<&str> = ["cpu", "memory"]
                    .into_iter()
                    .filter(|r| {
                        resource(c.node, "requests", r) == Setting::Missing
                            && resource(c.node, "limits", r) == Setting::Missing
                    })
                    .collect();
                if missing.is_empty() {
                    continue;
                }
                let what = missing.join(" or ");
                out.push(
                    Finding::new(
                        &Self::META,
                        cx.path,
                        container_anchor(c.node, "resources"),
                        format!(
                            "container {} of {} has no {what} request",
                            c.name,
                            pod.owner()
                        ),
                        &pod.identity(&format!("{}/resources.requests", c.name)),
                    )
                    .help(format!(
                        "set resources.requests.{}",
                        missing.join(" and resources.requests.")
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    const HEAD: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n";

    fn found(containers: &str) -> Vec<String> {
        check(
            &ResourcesRequestsMissing,
            "d.yaml",
            &format!("{HEAD}{containers}"),
        )
        .into_iter()
        .map(|f| format!("{}:{} {}", f.span.start.line, f.span.start.col, f.message))
        .collect()
    }

    #[test]
    fn missing_requests() {
        let f = found(
            "        - name: a\n          image: x:1\n        - name: b\n          image: x:1\n          resources:\n            requests: {cpu: 10m}\n",
        );
        assert_eq!(
            f,
            [
                "8:17 container a of Deployment -/web has no cpu or memory request",
                "12:11 container b of Deployment -/web has no memory request",
            ]
        );
    }

    #[test]
    fn not_missing() {
        for c in [
            "        - {name: a, image: x, resources: {requests: {cpu: 1, memory: 1Gi}}}\n",
            // limits default the requests
            "        - {name: a, image: x, resources: {limits: {cpu: 1, memory: 1Gi}}}\n",
            // a strategic-merge patch container (no image)
            "        - {name: a, env: [{name: X, value: y}]}\n",
            // placeholders and aliases: unknown
            "        - {name: a, image: x, resources: '${RESOURCES}'}\n",
            "        - {name: a, image: x, resources: {<<: {requests: {cpu: 1}}}}\n",
        ] {
            assert!(found(c).is_empty(), "{c}");
        }
        // init containers are not judged; a partial object (no name) neither
        let src = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers: [{name: i, image: x}]\n  containers: [{name: a, image: x, resources: {requests: {cpu: 1, memory: 1}}}]\n---\napiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: x}]\n";
        assert!(check(&ResourcesRequestsMissing, "p.yaml", src).is_empty());
    }
}
