use crate::finding::Finding;
use crate::placeholder::is_placeholder_only;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::workload::as_int;
use crate::yaml::{Node, NodeKind};

declare_rule! {
    /// ## What it does
    /// Flags a probe (`readinessProbe`, `livenessProbe`, `startupProbe`) whose
    /// `httpGet.port` or `tcpSocket.port` is a port **name** that the same container's
    /// `ports[].name` does not declare. Numeric ports need not be declared and are not
    /// checked; placeholders and containers whose `ports` are written with an alias are
    /// skipped.
    ///
    /// ## Why is this bad?
    /// The kubelet resolves a named probe port in the container's own ports only. An
    /// undeclared name (a typo, a port renamed, a name from another container) makes the
    /// probe fail forever: the pod never becomes ready, or is restarted in a loop.
    ///
    /// ## Example
    /// ```yaml
    /// ports:
    ///   - {name: http, containerPort: 8080}
    /// readinessProbe:
    ///   httpGet: {path: /healthz, port: web}
    /// ```
    ///
    /// ## Use instead
    /// Use a declared name (`port: http`) or the number (`port: 8080`).
    pub struct ProbePortNotDeclared {
        id: "probe-port-not-declared",
        severity: Warning,
        summary: "Probe uses a port name the container does not declare",
        group: "workloads",
    }
}

impl DocumentRule for ProbePortNotDeclared {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        for pod in cx.pod_specs() {
            for c in pod.containers() {
                let ports = c.node.get("ports");
                if ports.is_some_and(|p| matches!(p.kind, NodeKind::Alias(_)))
                    || ports
                        .map(Node::items)
                        .unwrap_or(&[])
                        .iter()
                        .any(|p| !p.is_mapping() || p.entry("<<").is_some())
                {
                    continue;
                }
                let declared: Vec<&str> = ports
                    .map(Node::items)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|p| p.get_str("name"))
                    .collect();
                for probe in ["readinessProbe", "livenessProbe", "startupProbe"] {
                    let Some(p) = c.node.get(probe) else { continue };
                    for handler in ["httpGet", "tcpSocket"] {
                        let Some(port) = p.get(handler).and_then(|h| h.get("port")) else {
                            continue;
                        };
                        let Some(name) = port.as_str() else { continue };
                        if as_int(port).is_some()
                            || name.parse::<u32>().is_ok()
                            || is_placeholder_only(name)
                            || name.contains("${")
                            || name.contains("{{")
                            || declared.contains(&name)
                        {
                            continue;
                        }
                        let known = if declared.is_empty() {
                            "it declares no named ports".to_string()
                        } else {
                            format!("it declares {}", declared.join(", "))
                        };
                        out.push(
                            Finding::new(
                                &Self::META,
                                cx.path,
                                port.span,
                                format!(
                                    "{probe} of container {} of {} uses port name {name}, not declared by the container ({known})",
                                    c.name,
                                    pod.owner()
                                ),
                                &pod.identity(&format!("{}/{probe}/{handler}.port", c.name)),
                            )
                            .help("use a name from the container's ports[].name, or the port number"),
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
    fn named_ports() {
        let src = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: x:1\n          ports:\n            - {name: http, containerPort: 8080}\n          readinessProbe:\n            httpGet: {path: /, port: web}\n          livenessProbe:\n            httpGet: {path: /, port: http}\n          startupProbe:\n            tcpSocket: {port: 8080}\n        - name: side\n          image: x:1\n          livenessProbe:\n            tcpSocket: {port: http}\n";
        let f = check(&ProbePortNotDeclared, "d.yaml", src);
        let pos: Vec<(u32, u32)> = f
            .iter()
            .map(|x| (x.span.start.line, x.span.start.col))
            .collect();
        assert_eq!(pos, [(13, 38), (21, 31)]);
        assert!(
            f[0].message
                .contains("uses port name web, not declared by the container (it declares http)")
        );
        assert!(f[1].message.contains("(it declares no named ports)"));
        for src in [
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - {name: a, image: x, readinessProbe: {httpGet: {port: '8080'}}}\n",
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - {name: a, image: x, readinessProbe: {httpGet: {port: '${PORT}'}}}\n",
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - {name: a, image: x, ports: &p [{name: http}], readinessProbe: {httpGet: {port: http}}}\n    - {name: b, image: x, ports: *p, readinessProbe: {httpGet: {port: http}}}\n",
        ] {
            assert!(
                check(&ProbePortNotDeclared, "p.yaml", src).is_empty(),
                "{src}"
            );
        }
    }
}
