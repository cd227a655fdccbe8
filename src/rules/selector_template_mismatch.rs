use crate::finding::Finding;
use crate::placeholder::is_placeholder_only;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::yaml::{Node, NodeKind};

declare_rule! {
    /// ## What it does
    /// For a Deployment, StatefulSet, DaemonSet or ReplicaSet, checks that the pod
    /// template's `metadata.labels` satisfy `spec.selector`: every `matchLabels` pair, and
    /// the simple `matchExpressions` (`In`, `NotIn`, `Exists`, `DoesNotExist`). Skipped:
    /// kustomize patch fragments, objects without a template, labels or selectors written
    /// with placeholders (`${APP}`) or YAML aliases/merge keys (values this rule cannot see).
    ///
    /// ## Why is this bad?
    /// The API server rejects the object ("selector does not match template labels"), so
    /// the sync fails; and since the selector is immutable, fixing it later means deleting
    /// the workload.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: website}
    /// ```
    ///
    /// ## Use instead
    /// Give the template every selector label with the same value (kustomize `labels` with
    /// `includeSelectors: true` adds to both).
    pub struct SelectorTemplateMismatch {
        id: "selector-template-mismatch",
        severity: Error,
        summary: "Workload selector does not match its pod template labels",
        group: "workloads",
    }
}

fn unknown(n: &Node) -> bool {
    match &n.kind {
        NodeKind::Alias(_) => true,
        NodeKind::Scalar(s) => {
            is_placeholder_only(&s.value) || s.value.contains("${") || s.value.contains("{{")
        }
        NodeKind::Mapping(es) => es
            .iter()
            .any(|e| e.key.as_str() == Some("<<") || unknown(&e.key) || unknown(&e.value)),
        NodeKind::Sequence(items) => items.iter().any(unknown),
    }
}

impl DocumentRule for SelectorTemplateMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        if cx.is_fragment() {
            return;
        }
        if !matches!(
            cx.doc.root.get_str("kind"),
            Some("Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
                | Some(
                    "List"
                        | "DeploymentList"
                        | "StatefulSetList"
                        | "DaemonSetList"
                        | "ReplicaSetList"
                )
        ) {
            return;
        }
        for obj in cx.objects() {
            let Some(kind @ ("Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")) = obj.kind
            else {
                continue;
            };
            if obj.api_version.is_none() {
                continue;
            }
            let Some(spec) = obj.spec else {
                continue;
            };
            let Some(selector) = spec.get("selector") else {
                continue;
            };
            let Some(template) = spec.get("template").filter(|t| t.is_mapping()) else {
                continue;
            };
            let labels = template.get("metadata").and_then(|m| m.get("labels"));
            if unknown(selector) || labels.is_some_and(unknown) {
                continue;
            }
            let label = |k: &str| labels.and_then(|l| l.get_str(k));
            let owner = format!("{kind} {}", obj.display_name());
            let mut report = |at: &Node, key: &str, why: String| {
                out.push(
                    Finding::new(
                        &Self::META,
                        cx.path,
                        at.span,
                        format!("{owner}: selector {why}; the API server rejects it"),
                        &format!("{kind}/{}/selector/{key}", obj.display_name()),
                    )
                    .help("make spec.template.metadata.labels carry every selector label"),
                );
            };
            for e in selector
                .get("matchLabels")
                .map(Node::entries)
                .unwrap_or(&[])
            {
                let (Some(k), Some(v)) = (e.key.as_str(), e.value.as_str()) else {
                    continue;
                };
                match label(k) {
                    Some(l) if l == v => {}
                    Some(l) => report(&e.key, k, format!("{k}={v} but the template has {k}={l}")),
                    None => report(&e.key, k, format!("{k}={v} is not a template label")),
                }
            }
            for x in selector
                .get("matchExpressions")
                .map(Node::items)
                .unwrap_or(&[])
            {
                let (Some(k), Some(op)) = (x.get_str("key"), x.get_str("operator")) else {
                    continue;
                };
                let values: Vec<&str> = x
                    .get("values")
                    .map(Node::items)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(Node::as_str)
                    .collect();
                let have = label(k);
                let why = match (op, have) {
                    ("In", Some(l)) if values.contains(&l) => None,
                    ("In", Some(l)) => Some(format!(
                        "needs {k} in {values:?} but the template has {k}={l}"
                    )),
                    ("In", None) => Some(format!(
                        "needs label {k} in {values:?}, absent from the template"
                    )),
                    ("NotIn", Some(l)) if values.contains(&l) => {
                        Some(format!("excludes {k}={l}, which the template has"))
                    }
                    ("Exists", None) => Some(format!("needs label {k}, absent from the template")),
                    ("DoesNotExist", Some(_)) => {
                        Some(format!("needs label {k} absent, but the template has it"))
                    }
                    _ => None,
                };
                if let Some(why) = why {
                    let at = x.get("key").unwrap_or(x);
                    report(at, k, why);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    const HEAD: &str =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n";

    fn found(body: &str) -> Vec<String> {
        check(
            &SelectorTemplateMismatch,
            "d.yaml",
            &format!("{HEAD}{body}"),
        )
        .into_iter()
        .map(|f| format!("{}:{} {}", f.span.start.line, f.span.start.col, f.message))
        .collect()
    }

    #[test]
    fn mismatches() {
        let f = found(
            "  selector:\n    matchLabels:\n      app: web\n      tier: front\n  template:\n    metadata:\n      labels:\n        app: website\n    spec: {}\n",
        );
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(
            f[0].starts_with(
                "7:7 Deployment shop/web: selector app=web but the template has app=website"
            ),
            "{f:?}"
        );
        assert!(f[1].contains("tier=front is not a template label"));
        let f = found(
            "  selector:\n    matchExpressions:\n      - {key: app, operator: In, values: [a, b]}\n      - {key: canary, operator: DoesNotExist}\n      - {key: env, operator: Exists}\n  template:\n    metadata:\n      labels: {app: c, canary: 'true'}\n",
        );
        assert_eq!(f.len(), 3, "{f:?}");
        // no template labels at all
        let f = found("  selector:\n    matchLabels: {app: web}\n  template:\n    spec: {}\n");
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn matches_and_unknowns() {
        for body in [
            "  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web, version: v1}\n",
            "  selector:\n    matchExpressions: [{key: app, operator: In, values: [web]}, {key: x, operator: NotIn, values: [y]}]\n  template:\n    metadata:\n      labels: {app: web}\n",
            // placeholders and aliases are unknown values
            "  selector:\n    matchLabels: {app: '${APP}'}\n  template:\n    metadata:\n      labels: {app: web}\n",
            "  selector:\n    matchLabels: &l {app: web}\n  template:\n    metadata:\n      labels: *l\n",
            "  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels:\n        <<: {app: web}\n",
            // a patch without a template
            "  selector:\n    matchLabels: {app: web}\n",
        ] {
            assert!(found(body).is_empty(), "{body}");
        }
    }
}
