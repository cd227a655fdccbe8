use crate::finding::Finding;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::workload::check_limit;

declare_rule! {
    /// ## What it does
    /// Flags a long-running container (main containers and native sidecars) of a complete
    /// workload object without `resources.limits.cpu`. Off by default: many teams avoid CPU
    /// limits on purpose (throttling hurts latency more than sharing idle CPU). Skipped like
    /// `memory-limit-missing`.
    ///
    /// ## Why is this bad?
    /// Without a CPU limit a busy container can take every idle core of the node; teams
    /// that bill or isolate by CPU want an upper bound.
    ///
    /// ## Example
    /// ```yaml
    ///     resources:
    ///       limits: {memory: 256Mi}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///     resources:
    ///       limits: {cpu: 500m, memory: 256Mi}
    /// ```
    pub struct CpuLimitMissing {
        id: "cpu-limit-missing",
        severity: Info,
        summary: "Container without a CPU limit",
        group: "workloads",
        default_on: false,
    }
}

impl DocumentRule for CpuLimitMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        check_limit(cx, &Self::META, "cpu", "CPU", out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    #[test]
    fn cpu_limits() {
        let src = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      containers:\n        - {name: a, image: x, resources: {limits: {memory: 1Gi}}}\n        - {name: b, image: x, resources: {limits: {cpu: 1}}}\n";
        let f = check(&CpuLimitMissing, "j.yaml", src);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].span.start.line, 8);
        assert!(
            f[0].message
                .contains("container a of Job -/j has no CPU limit")
        );
    }
}
