use crate::finding::Finding;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::workload::is_true;

declare_rule! {
    /// ## What it does
    /// Flags a container whose `securityContext.allowPrivilegeEscalation` is explicitly
    /// `true`. An absent field is **not** reported: it defaults to `true`, so flagging it
    /// would flag nearly every manifest; requiring `false` everywhere is a Pod Security
    /// "restricted" policy choice, not a likely mistake. A privileged container is left to
    /// `privileged-container` (privileged implies escalation).
    ///
    /// ## Why is this bad?
    /// With escalation allowed, a process can gain more privileges than its parent (setuid
    /// binaries, file capabilities). Writing `true` explicitly usually comes from a
    /// copy-pasted template and opts the container out of hardening.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   allowPrivilegeEscalation: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// securityContext:
    ///   allowPrivilegeEscalation: false
    /// ```
    pub struct PrivilegeEscalationAllowed {
        id: "privilege-escalation-allowed",
        severity: Warning,
        summary: "Container explicitly allows privilege escalation",
        group: "workloads",
    }
}

impl DocumentRule for PrivilegeEscalationAllowed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        for pod in cx.pod_specs() {
            for c in pod.containers() {
                let Some(sc) = c.node.get("securityContext") else {
                    continue;
                };
                let Some(v) = sc.get("allowPrivilegeEscalation") else {
                    continue;
                };
                if is_true(v) && !sc.get("privileged").is_some_and(is_true) {
                    out.push(
                        Finding::new(
                            &Self::META,
                            cx.path,
                            v.span,
                            format!(
                                "container {} of {} allows privilege escalation",
                                c.name,
                                pod.owner()
                            ),
                            &pod.identity(&format!("{}/allowPrivilegeEscalation", c.name)),
                        )
                        .help("set `allowPrivilegeEscalation: false`"),
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
    fn explicit_true_only() {
        let src = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: a\n              image: x:1\n              securityContext:\n                allowPrivilegeEscalation: true\n            - name: b\n              image: x:1\n            - name: c\n              image: x:1\n              securityContext: {allowPrivilegeEscalation: false}\n            - name: d\n              image: x:1\n              securityContext: {privileged: true, allowPrivilegeEscalation: true}\n";
        let f = check(&PrivilegeEscalationAllowed, "c.yaml", src);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].span.start.line, f[0].span.start.col), (13, 43));
        assert!(f[0].message.contains("container a of CronJob -/c"));
    }
}
