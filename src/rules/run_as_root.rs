use crate::finding::Finding;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::workload::{as_int, is_false};
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Flags a container that is explicitly made to run as root: an effective
    /// `runAsUser: 0`, or an effective `runAsNonRoot: false` without a non-zero `runAsUser`.
    /// "Effective" follows Kubernetes: a container's `securityContext` overrides the pod's.
    /// The finding points where the root setting is written (pod-level settings are
    /// reported once per pod).
    ///
    /// Absence is **not** reported: without `runAsUser` the image's `USER` decides, which a
    /// manifest linter cannot see (requiring `runAsNonRoot: true` everywhere is a Pod
    /// Security "restricted" policy, not a likely mistake).
    ///
    /// ## Why is this bad?
    /// Root in a container is one kernel bug or one mis-mounted volume away from root on the
    /// node, and writing it down explicitly overrides an image that was built to run
    /// unprivileged.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   runAsUser: 0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// securityContext:
    ///   runAsNonRoot: true
    ///   runAsUser: 10001
    /// ```
    pub struct RunAsRoot {
        id: "run-as-root",
        severity: Warning,
        summary: "Container explicitly runs as root (runAsUser: 0 or runAsNonRoot: false)",
        group: "workloads",
    }
}

/// `securityContext.<key>`, with `null` treated as absent.
fn field<'a>(sc: Option<&'a Node>, key: &str) -> Option<&'a Node> {
    sc.and_then(|s| s.get(key)).filter(|n| !n.is_null())
}

impl DocumentRule for RunAsRoot {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        for pod in cx.pod_specs() {
            let pod_sc = pod.spec.get("securityContext");
            let pod_user = field(pod_sc, "runAsUser");
            let pod_nonroot = field(pod_sc, "runAsNonRoot");
            let mut reported: Vec<*const Node> = Vec::new();
            for c in pod.containers() {
                let sc = c.node.get("securityContext");
                let user = field(sc, "runAsUser").or(pod_user);
                let nonroot = field(sc, "runAsNonRoot").or(pod_nonroot);
                let (node, what) = match user.map(|u| (u, as_int(u))) {
                    Some((u, Some(0))) => (u, "runAsUser: 0"),
                    // a non-zero or unknown (placeholder) user: not explicit root
                    Some(_) => continue,
                    None => match nonroot {
                        Some(n) if is_false(n) => (n, "runAsNonRoot: false"),
                        _ => continue,
                    },
                };
                let at_pod = [pod_user, pod_nonroot]
                    .iter()
                    .any(|p| p.is_some_and(|p| std::ptr::eq(p, node)));
                if at_pod {
                    if reported.contains(&(node as *const Node)) {
                        continue;
                    }
                    reported.push(node);
                }
                let (subject, identity) = if at_pod {
                    (
                        format!("the pod of {}", pod.owner()),
                        pod.identity("runAsRoot"),
                    )
                } else {
                    (
                        format!("container {} of {}", c.name, pod.owner()),
                        pod.identity(&format!("{}/runAsRoot", c.name)),
                    )
                };
                out.push(
                    Finding::new(
                        &Self::META,
                        cx.path,
                        node.span,
                        format!("{subject} runs as root ({what})"),
                        &identity,
                    )
                    .help("run as a non-zero UID: `runAsNonRoot: true` and `runAsUser: <uid>`"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    fn lines(src: &str) -> Vec<u32> {
        check(&RunAsRoot, "d.yaml", src)
            .iter()
            .map(|f| f.span.start.line)
            .collect()
    }

    #[test]
    fn explicit_root() {
        // pod-level runAsUser: 0 inherited by two containers: one finding at the pod
        let src = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    runAsUser: 0\n  containers:\n    - {name: a, image: x}\n    - {name: b, image: x}\n    - {name: c, image: x, securityContext: {runAsUser: 1000}}\n";
        assert_eq!(lines(src), [6]);
        let f = check(&RunAsRoot, "d.yaml", src);
        assert!(
            f[0].message
                .contains("the pod of Pod -/p runs as root (runAsUser: 0)")
        );
        // container-level root overrides a non-root pod
        let src = "apiVersion: v1\nkind: Pod\nspec:\n  securityContext: {runAsUser: 1000, runAsNonRoot: true}\n  initContainers:\n    - name: chown\n      image: busybox:1\n      securityContext:\n        runAsUser: 0\n        runAsNonRoot: false\n  containers:\n    - {name: a, image: x}\n";
        assert_eq!(lines(src), [9]);
        // runAsNonRoot: false without a user
        let src = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: x\n      securityContext:\n        runAsNonRoot: false\n";
        assert_eq!(lines(src), [8]);
    }

    #[test]
    fn not_root() {
        for src in [
            // absence: the image decides
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - {name: a, image: x}\n",
            // runAsNonRoot: false with a non-root UID is not root
            "apiVersion: v1\nkind: Pod\nspec:\n  securityContext: {runAsNonRoot: false, runAsUser: 568}\n  containers:\n    - {name: a, image: x}\n",
            // pod root fully overridden by every container
            "apiVersion: v1\nkind: Pod\nspec:\n  securityContext: {runAsUser: 0}\n  containers:\n    - {name: a, image: x, securityContext: {runAsUser: 1}}\n",
            // placeholder user, and a quoted '0' (a string: the API rejects it; not our rule)
            "apiVersion: v1\nkind: Pod\nspec:\n  securityContext: {runAsUser: '${UID}'}\n  containers:\n    - {name: a, image: x}\n",
            // Helm values
            "securityContext:\n  runAsUser: 0\n",
        ] {
            assert!(lines(src).is_empty(), "{src}");
        }
    }
}
