use crate::finding::Finding;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a `kubectl.kubernetes.io/last-applied-configuration` annotation in a committed
    /// manifest (on the object, or on a pod/secret template inside it).
    ///
    /// ## Why is this bad?
    /// It is residue of `kubectl get -o yaml`: a full JSON copy of an earlier version of the
    /// object. Argo CD and Flux compare it with Git and fight over it, and on a Secret it is
    /// a second, plaintext copy of the data (even when the data itself was later removed or
    /// sealed).
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     kubectl.kubernetes.io/last-applied-configuration: |
    ///       {"apiVersion":"v1","kind":"Secret","data":{"password":"…"}}
    /// ```
    ///
    /// ## Use instead
    /// Delete the annotation; write manifests by hand or with `kubectl create --dry-run=client
    /// -o yaml`, which does not add it. Rotate anything the copy held.
    pub struct LastAppliedAnnotation {
        id: "last-applied-annotation",
        severity: Error,
        summary: "kubectl last-applied-configuration annotation committed",
    }
}

const KEY: &str = "kubectl.kubernetes.io/last-applied-configuration";

impl DocumentRule for LastAppliedAnnotation {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        for obj in cx.objects() {
            // The object's own metadata, and templates (Deployment, SealedSecret, …).
            // (A SealedSecret's template is sealed-secret-plaintext's business.)
            let template = obj
                .spec
                .filter(|_| obj.kind != Some("SealedSecret"))
                .and_then(|s| s.get("template"))
                .and_then(|t| t.get("metadata"));
            for m in [obj.metadata, template].into_iter().flatten() {
                if let Some(e) = m.get("annotations").and_then(|a| a.entry(KEY)) {
                    out.push(
                        Finding::new(
                            &Self::META,
                            cx.path,
                            e.key.span,
                            format!(
                                "{} {} carries a last-applied-configuration copy of an earlier version",
                                obj.kind.unwrap_or("object"),
                                obj.display_name()
                            ),
                            &format!("{}/{}", obj.kind.unwrap_or("-"), obj.display_name()),
                        )
                        .help("delete the annotation (kubectl get -o yaml residue); rotate what it held")
                        .secret(e.value.span.bytes()),
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
    fn on_objects_and_templates() {
        let src = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{}'\nspec:\n  template:\n    metadata:\n      annotations:\n        kubectl.kubernetes.io/last-applied-configuration: '{}'\n";
        let f = check(&LastAppliedAnnotation, "d.yaml", src);
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].span.start.line, f[0].span.start.col), (6, 5));
        assert!(
            check(
                &LastAppliedAnnotation,
                "d.yaml",
                "metadata:\n  annotations:\n    other: x\n"
            )
            .is_empty()
        );
    }
}
