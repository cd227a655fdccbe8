use crate::finding::Finding;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags server-assigned metadata committed with an object: `uid`, `resourceVersion`,
    /// `generation`, `selfLink`, `managedFields`, and a non-null `creationTimestamp`.
    ///
    /// ## Why is this bad?
    /// These fields are written by the API server; in Git they are residue of
    /// `kubectl get -o yaml`. A stale `resourceVersion` makes applies fail with conflicts, a
    /// `uid` ties the manifest to one cluster's object, and `managedFields` is noise that
    /// hides the real change in every review.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   name: web
    ///   uid: 6f1c…
    ///   resourceVersion: "48213"
    /// ```
    ///
    /// ## Use instead
    /// Keep only what you author: name, namespace, labels, annotations.
    pub struct LiveMetadataFields {
        id: "live-metadata-fields",
        severity: Warning,
        summary: "Server-assigned metadata (uid, resourceVersion, managedFields…) committed",
    }
}

const FIELDS: &[&str] = &[
    "uid",
    "resourceVersion",
    "generation",
    "selfLink",
    "managedFields",
];

impl DocumentRule for LiveMetadataFields {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        for obj in cx.objects() {
            let Some(meta) = obj.metadata else {
                continue;
            };
            for e in meta.entries() {
                let Some(k) = e.key.as_str() else { continue };
                let live = FIELDS.contains(&k) || (k == "creationTimestamp" && !e.value.is_null());
                if live {
                    out.push(
                        Finding::new(
                            &Self::META,
                            cx.path,
                            e.key.span,
                            format!(
                                "metadata.{k} of {} {} is assigned by the API server (kubectl get -o yaml residue)",
                                obj.kind.unwrap_or("object"),
                                obj.display_name()
                            ),
                            &format!("{}/{}/{k}", obj.kind.unwrap_or("-"), obj.display_name()),
                        )
                        .help("delete the field; Git should hold only what you author"),
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
    fn live_fields() {
        let src = "kind: ConfigMap\nmetadata:\n  name: a\n  uid: 6f1c\n  resourceVersion: \"48213\"\n  creationTimestamp: null\n  managedFields: []\n";
        let f = check(&LiveMetadataFields, "c.yaml", src);
        let keys: Vec<u32> = f.iter().map(|x| x.span.start.line).collect();
        assert_eq!(
            keys,
            [4, 5, 7],
            "creationTimestamp: null is what kubectl create writes"
        );
        assert!(
            check(
                &LiveMetadataFields,
                "c.yaml",
                "kind: ConfigMap\nmetadata:\n  name: a\n  labels: {uid: x}\n"
            )
            .is_empty()
        );
    }
}
