use rustc_hash::FxHashMap as HashMap;

use crate::finding::Finding;
use crate::kustomize;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::yaml::Span;

declare_rule! {
    /// ## What it does
    /// Flags a path listed twice in one field of a kustomization (`resources`,
    /// `components`, patches, generator files — compared after resolving `./` and `..`),
    /// and two `configMapGenerator` or `secretGenerator` entries with the same name (and
    /// namespace) without `behavior: merge|replace`.
    ///
    /// ## Why is this bad?
    /// kustomize rejects a resource included twice ("may not add resource with an already
    /// registered id") and a generator defined twice, so the unit stops reconciling. It
    /// usually comes from a merge that added the same line on both sides.
    ///
    /// ## Example
    /// ```yaml
    /// resources:
    ///   - deploy.yaml
    ///   - service.yaml
    ///   - ./deploy.yaml
    /// ```
    ///
    /// ## Use instead
    /// Keep one entry.
    pub struct DuplicateKustomizeEntry {
        id: "duplicate-kustomize-entry",
        severity: Warning,
        summary: "Same path or generator listed twice in a kustomization",
        group: "kustomize",
    }
}

impl DocumentRule for DuplicateKustomizeEntry {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        if cx.doc.index != 0 || !kustomize::is_kustomization(cx.kind, &cx.doc.root) {
            return;
        }
        // (field, target, position) sorted: an entry's repeats follow it. (A kustomization
        // lists a handful of entries: no hash map per document.)
        let refs = cx.kustomize_references();
        let mut keys: Vec<(&str, &str, usize)> = refs
            .iter()
            .zip(cx.kustomize_targets())
            .enumerate()
            .map(|(i, (r, t))| (r.field, t.path.as_str(), i))
            .collect();
        keys.sort_unstable();
        for same in keys.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
            let first = refs[same[0].2].span;
            for &(_, _, i) in &same[1..] {
                let r = &refs[i];
                out.push(self.finding(cx, r.span, first, r.field, r.path));
            }
        }
        for field in ["configMapGenerator", "secretGenerator"] {
            let Some(gens) = cx.doc.root.get(field) else {
                continue;
            };
            let mut names: HashMap<(String, &str), Span> = HashMap::default();
            for g in gens.items() {
                let Some(name) = g.entry("name") else {
                    continue;
                };
                let Some(n) = name.value.as_str() else {
                    continue;
                };
                if g.get_str("behavior").is_some_and(|b| b != "create") {
                    continue;
                }
                let key = (n.to_string(), g.get_str("namespace").unwrap_or(""));
                if let Some(first) = names.get(&key) {
                    out.push(self.finding(cx, name.value.span, *first, field, n));
                } else {
                    names.insert(key, name.value.span);
                }
            }
        }
    }
}

impl DuplicateKustomizeEntry {
    fn finding(
        &self,
        cx: &DocumentContext,
        at: Span,
        first: Span,
        field: &str,
        what: &str,
    ) -> Finding {
        Finding::new(
            &Self::META,
            cx.path,
            at,
            format!(
                "`{what}` is listed twice in {field} (first at {}:{})",
                first.start.line, first.start.col
            ),
            &format!("{field}:{what}"),
        )
        .related(first, "first listed here")
        .help("remove one of the entries")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    #[test]
    fn duplicates() {
        let src = "resources:\n  - deploy.yaml\n  - svc.yaml\n  - ./deploy.yaml\nconfigMapGenerator:\n  - name: cfg\n    literals: [A=1]\n  - name: cfg\n    literals: [B=2]\n";
        let f = check(&DuplicateKustomizeEntry, "app/kustomization.yaml", src);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0].span.start.line, 4);
        assert_eq!(f[1].span.start.line, 8);
    }

    #[test]
    fn not_duplicates() {
        for src in [
            // Same file in different fields is legitimate (a CRD listed in crds and patched).
            "resources: [a.yaml]\npatches:\n  - path: a.yaml\n",
            // behavior: merge extends a generator of a base.
            "configMapGenerator:\n  - name: cfg\n    literals: [A=1]\n  - name: cfg\n    behavior: merge\n    literals: [B=2]\n",
            // Same name in different namespaces.
            "secretGenerator:\n  - name: s\n    namespace: a\n  - name: s\n    namespace: b\n",
        ] {
            assert!(
                check(&DuplicateKustomizeEntry, "kustomization.yaml", src).is_empty(),
                "{src}"
            );
        }
    }
}
