use crate::finding::Finding;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::workload::is_true;

declare_rule! {
    /// ## What it does
    /// Flags a pod spec with `hostNetwork`, `hostPID` or `hostIPC` set to `true`.
    ///
    /// ## Why is this bad?
    /// The pod shares the node's network stack (it can bind node ports and reach
    /// node-local services), process table (it sees and can signal every process on the
    /// node) or IPC namespace. This breaks pod isolation; only node agents (CNI, node
    /// exporters, some ingress controllers) need it.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostNetwork: true
    ///   hostPID: true
    /// ```
    ///
    /// ## Use instead
    /// Remove the fields (they default to `false`); expose the pod through a Service. For a
    /// node agent, suppress with a reason.
    pub struct HostNamespace {
        id: "host-namespace",
        severity: Error,
        summary: "Pod shares the node's network, PID or IPC namespace",
        group: "workloads",
    }
}

impl DocumentRule for HostNamespace {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        for pod in cx.pod_specs() {
            for field in ["hostNetwork", "hostPID", "hostIPC"] {
                let Some(v) = pod.spec.get(field) else {
                    continue;
                };
                if is_true(v) {
                    out.push(
                        Finding::new(
                            &Self::META,
                            cx.path,
                            v.span,
                            format!(
                                "{} sets {field}: true (shares the node's namespace)",
                                pod.owner()
                            ),
                            &pod.identity(field),
                        )
                        .help(format!(
                            "remove `{field}: true` unless this is a node agent"
                        )),
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
    fn host_namespaces() {
        let src = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: true\n  hostPID: false\n  hostIPC: true\n  containers: [{name: a, image: x}]\n";
        let f = check(&HostNamespace, "p.yaml", src);
        let lines: Vec<u32> = f.iter().map(|x| x.span.start.line).collect();
        assert_eq!(lines, [5, 7]);
        assert!(f[0].message.contains("hostNetwork"));
        for src in [
            "apiVersion: v1\nkind: Pod\nspec:\n  hostNetwork: false\n",
            // Helm values of an ingress controller are not a pod spec
            "controller:\n  hostNetwork: true\n",
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nspec:\n  values:\n    hostNetwork: true\n",
        ] {
            assert!(check(&HostNamespace, "p.yaml", src).is_empty(), "{src}");
        }
    }
}
