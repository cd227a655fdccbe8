use crate::finding::Finding;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags `metadata.ownerReferences` on a committed object.
    ///
    /// ## Why is this bad?
    /// Owner references are written by controllers (a ReplicaSet owned by its Deployment, a
    /// Pod by its ReplicaSet, a Secret by a cert-manager Certificate). They name the owner by
    /// `uid`, which a fresh cluster never has: the garbage collector deletes the object, or it
    /// is left dangling. An object with an owner also should not be in Git at all: its
    /// controller creates it. This is residue of `kubectl get -o yaml`.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   name: web-7d4b9c
    ///   ownerReferences:
    ///     - apiVersion: apps/v1
    ///       kind: Deployment
    ///       name: web
    ///       uid: 2b1e0c1a-…
    /// ```
    ///
    /// ## Use instead
    /// Commit the owner (the Deployment) and delete the owned object, or delete the
    /// `ownerReferences` block. A deliberate reference with a fixed uid can be allowed with
    /// an `envgate:allow live-owner-references -- reason` comment.
    pub struct LiveOwnerReferences {
        id: "live-owner-references",
        severity: Warning,
        summary: "metadata.ownerReferences committed (controller-written, uid will not match)",
    }
}

impl DocumentRule for LiveOwnerReferences {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        for obj in cx.objects() {
            let (Some(kind), Some(_)) = (obj.kind, obj.api_version) else {
                continue;
            };
            let Some(e) = obj
                .node
                .get("metadata")
                .and_then(|m| m.entry("ownerReferences"))
            else {
                continue;
            };
            if e.value.is_null() || (e.value.items().is_empty() && !e.value.is_mapping()) {
                continue;
            }
            let owner = e.value.items().first().map(|o| {
                format!(
                    " (owned by {} {})",
                    o.get_str("kind").unwrap_or("?"),
                    o.get_str("name").unwrap_or("?")
                )
            });
            out.push(
                Finding::new(
                    &Self::META,
                    cx.path,
                    e.key.span,
                    format!(
                        "{kind} {} has metadata.ownerReferences{}: controller residue whose uid will not match in the cluster",
                        obj.display_name(),
                        owner.unwrap_or_default()
                    ),
                    &format!("{kind}/{}/ownerReferences", obj.display_name()),
                )
                .help("commit the owning object instead, or delete the ownerReferences block"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    #[test]
    fn owner_references() {
        let src = "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: web-1\n  ownerReferences:\n    - {apiVersion: apps/v1, kind: Deployment, name: web, uid: 1234}\n";
        let f = check(&LiveOwnerReferences, "rs.yaml", src);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].span.start.line, f[0].span.start.col), (5, 3));
        assert!(f[0].message.contains("owned by Deployment web"));
        for src in [
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  ownerReferences: []\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  ownerReferences:\n",
            // Not a Kubernetes object: a Helm values file or a CRD schema fragment.
            "metadata:\n  ownerReferences:\n    - {kind: Deployment, name: web}\n",
            // Inside a spec, the field name means something else.
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  ownerReferences: x\n",
        ] {
            assert!(
                check(&LiveOwnerReferences, "a.yaml", src).is_empty(),
                "{src}"
            );
        }
    }
}
