use crate::finding::Finding;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Flags an environment variable defined twice in one container's `env` list, pointing
    /// at the second definition with a note at the first.
    ///
    /// ## Why is this bad?
    /// The later one wins in the pod, but `kubectl apply`'s strategic merge keys `env` by
    /// name, so updates can drop or keep the wrong one; reviewers read the first value.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - {name: LOG_LEVEL, value: info}
    ///   - {name: LOG_LEVEL, value: debug}
    /// ```
    ///
    /// ## Use instead
    /// Keep one definition (an overlay patch replaces it by name).
    pub struct DuplicateEnvVar {
        id: "duplicate-env-var",
        severity: Warning,
        summary: "The same env var twice in one container",
    }
}

fn check_container(c: &Node, cx: &DocumentContext, out: &mut Vec<Finding>) {
    let container = c.get_str("name").unwrap_or("?");
    let mut seen: Vec<(&str, &Node)> = Vec::new();
    for v in c.get("env").map(Node::items).unwrap_or(&[]) {
        let Some(name_node) = v.get("name") else {
            continue;
        };
        let Some(name) = name_node.as_str() else {
            continue;
        };
        match seen.iter().find(|(n, _)| *n == name) {
            Some((_, first)) => out.push(
                Finding::new(
                    &DuplicateEnvVar::META,
                    cx.path,
                    name_node.span,
                    format!(
                        "env var {name} is defined twice in container {container} (first at {}:{})",
                        first.span.start.line, first.span.start.col
                    ),
                    &format!("{container}/{name}"),
                )
                .related(first.span, "first defined here"),
            ),
            None => seen.push((name, name_node)),
        }
    }
}

impl DocumentRule for DuplicateEnvVar {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        for c in cx.containers() {
            check_container(c, cx, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    #[test]
    fn duplicates_per_container() {
        let src = "spec:\n  containers:\n    - name: a\n      env:\n        - {name: X, value: '1'}\n        - {name: Y, value: '2'}\n        - {name: X, value: '3'}\n    - name: b\n      env:\n        - {name: X, value: '1'}\n";
        let f = check(&DuplicateEnvVar, "d.yaml", src);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].span.start.line, 7);
        assert_eq!(f[0].related[0].span.start.line, 5);
    }
}
