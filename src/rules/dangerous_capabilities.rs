use crate::finding::Finding;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a container whose `securityContext.capabilities.add` contains a capability that
    /// amounts to node or network control: `ALL`, `SYS_ADMIN`, `NET_ADMIN`, `SYS_PTRACE`,
    /// `SYS_MODULE`, `SYS_RAWIO`, `DAC_READ_SEARCH`, `BPF`, `PERFMON` (case-insensitive, with
    /// or without the `CAP_` prefix). `NET_BIND_SERVICE`, `CHOWN` and the like are fine.
    ///
    /// ## Why is this bad?
    /// `SYS_ADMIN` is "the new root" (mounts, namespaces), `SYS_MODULE` loads kernel modules,
    /// `SYS_PTRACE` reads other processes' memory, `NET_ADMIN` rewrites the pod's (or with
    /// host networking the node's) routing and firewall, `DAC_READ_SEARCH` reads any file
    /// handle, `BPF`/`PERFMON` load kernel programs. Each is a well-known container escape.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     add: [SYS_ADMIN]
    /// ```
    ///
    /// ## Use instead
    /// Drop the capability (and ideally `drop: [ALL]`); eBPF/CNI agents that need one:
    /// suppress with a reason.
    pub struct DangerousCapabilities {
        id: "dangerous-capabilities",
        severity: Error,
        summary: "Container adds a dangerous Linux capability (SYS_ADMIN, NET_ADMIN, ALL, …)",
        group: "workloads",
    }
}

const DANGEROUS: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_PTRACE",
    "SYS_MODULE",
    "SYS_RAWIO",
    "DAC_READ_SEARCH",
    "BPF",
    "PERFMON",
];

fn dangerous(cap: &str) -> Option<&'static str> {
    let c = cap.trim();
    let c = c
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("CAP_"))
        .map_or(c, |_| &c[4..]);
    DANGEROUS
        .iter()
        .copied()
        .find(|d| d.eq_ignore_ascii_case(c))
}

impl DocumentRule for DangerousCapabilities {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        for pod in cx.pod_specs() {
            for c in pod.containers() {
                let add = c
                    .node
                    .get("securityContext")
                    .and_then(|s| s.get("capabilities"))
                    .and_then(|k| k.get("add"));
                for cap in add.map(|a| a.items()).unwrap_or(&[]) {
                    let Some(name) = cap.as_str().and_then(dangerous) else {
                        continue;
                    };
                    out.push(
                        Finding::new(
                            &Self::META,
                            cx.path,
                            cap.span,
                            format!(
                                "container {} of {} adds capability {name}",
                                c.name,
                                pod.owner()
                            ),
                            &pod.identity(&format!("{}/capabilities/{name}", c.name)),
                        )
                        .help("remove it from capabilities.add (prefer `drop: [ALL]`)"),
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
    fn capabilities() {
        let src = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: n}\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: x:1\n          securityContext:\n            capabilities:\n              add:\n                - NET_BIND_SERVICE\n                - CAP_SYS_ADMIN\n                - net_admin\n              drop: [ALL]\n";
        let f = check(&DangerousCapabilities, "d.yaml", src);
        let lines: Vec<u32> = f.iter().map(|x| x.span.start.line).collect();
        assert_eq!(lines, [14, 15]);
        assert!(f[0].message.contains("adds capability SYS_ADMIN"));
        // `drop: [ALL]` is the good practice, not a finding
        let src = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - {name: a, image: x, securityContext: {capabilities: {drop: [ALL], add: [CHOWN]}}}\n";
        assert!(check(&DangerousCapabilities, "p.yaml", src).is_empty());
    }
}
