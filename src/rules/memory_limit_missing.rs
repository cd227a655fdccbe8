use crate::finding::Finding;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::workload::check_limit;

declare_rule! {
    /// ## What it does
    /// Flags a long-running container (main containers and native sidecars) of a complete
    /// workload object without `resources.limits.memory`. Skipped like
    /// `resources-requests-missing`: kustomize patch fragments, objects without a name,
    /// containers without an `image`, init and ephemeral containers, and `resources`
    /// written with placeholders or aliases.
    ///
    /// ## Why is this bad?
    /// A leaking container without a memory limit grows until the node runs out of memory,
    /// and the kernel's OOM killer then picks victims among *other* pods too.
    ///
    /// A namespace `LimitRange` can default limits — this rule cannot see that; suppress it
    /// for such paths.
    ///
    /// ## Example
    /// ```yaml
    ///     resources:
    ///       requests: {cpu: 100m, memory: 128Mi}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///     resources:
    ///       requests: {cpu: 100m, memory: 128Mi}
    ///       limits: {memory: 256Mi}
    /// ```
    pub struct MemoryLimitMissing {
        id: "memory-limit-missing",
        severity: Warning,
        summary: "Container without a memory limit",
        group: "workloads",
    }
}

impl DocumentRule for MemoryLimitMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        check_limit(cx, &Self::META, "memory", "memory", out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    #[test]
    fn memory_limits() {
        let src = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  template:\n    spec:\n      initContainers:\n        - {name: init, image: x}\n        - {name: proxy, image: x, restartPolicy: Always}\n      containers:\n        - name: a\n          image: x:1\n          resources:\n            limits: {cpu: 1}\n        - {name: b, image: x, resources: {limits: {memory: 1Gi}}}\n        - {name: c, env: []}\n";
        let f = check(&MemoryLimitMissing, "s.yaml", src);
        let lines: Vec<u32> = f.iter().map(|x| x.span.start.line).collect();
        // the native sidecar and container a; not the init container, b, or the patch-like c
        assert_eq!(lines, [9, 13]);
        assert!(
            f[1].message
                .contains("container a of StatefulSet -/db has no memory limit")
        );
    }
}
