use crate::finding::Finding;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::yaml::NodeKind;

declare_rule! {
    /// ## What it does
    /// Flags a non-empty top-level `status:` on a committed object (`status: {}` and
    /// `status: null` are what generators write and are fine). CRDs are skipped.
    ///
    /// ## Why is this bad?
    /// `status` is written by controllers. In Git it is residue of `kubectl get -o yaml`:
    /// it is ignored on apply, confuses reviewers ("is it ready?"), and makes Argo CD show
    /// permanent diffs for some resources.
    ///
    /// ## Example
    /// ```yaml
    /// status:
    ///   replicas: 3
    ///   readyReplicas: 3
    /// ```
    ///
    /// ## Use instead
    /// Delete the `status` stanza.
    pub struct LiveStatusStanza {
        id: "live-status-stanza",
        severity: Warning,
        summary: "Non-empty status stanza committed",
    }
}

impl DocumentRule for LiveStatusStanza {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        for obj in cx.objects() {
            if obj.kind == Some("CustomResourceDefinition") || obj.api_version.is_none() {
                continue;
            }
            let Some(e) = obj.node.entry("status") else {
                continue;
            };
            let empty = e.value.is_null()
                || matches!(&e.value.kind, NodeKind::Mapping(m) if m.is_empty())
                || matches!(&e.value.kind, NodeKind::Sequence(s) if s.is_empty());
            if !empty {
                out.push(
                    Finding::new(
                        &Self::META,
                        cx.path,
                        e.key.span,
                        format!(
                            "{} {} has a status stanza (written by controllers, not by you)",
                            obj.kind.unwrap_or("object"),
                            obj.display_name()
                        ),
                        &format!("{}/{}", obj.kind.unwrap_or("-"), obj.display_name()),
                    )
                    .help("delete the status stanza"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    #[test]
    fn status() {
        let f = check(
            &LiveStatusStanza,
            "d.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nstatus:\n  replicas: 3\n",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].span.start.line, 4);
        for src in [
            "apiVersion: apps/v1\nkind: Deployment\nstatus: {}\n",
            "apiVersion: apps/v1\nkind: Deployment\nstatus:\n",
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nstatus:\n  acceptedNames: {kind: ''}\n",
            "values:\n  status:\n    enabled: true\n",
        ] {
            assert!(check(&LiveStatusStanza, "d.yaml", src).is_empty(), "{src}");
        }
    }
}
