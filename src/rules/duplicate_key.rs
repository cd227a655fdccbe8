use crate::finding::Finding;
use crate::rules::declare_rule;
use crate::yaml::Span;

declare_rule! {
    /// ## What it does
    /// Reports a mapping key that appears twice in the same mapping, pointing at the second
    /// occurrence with a note at the first.
    ///
    /// ## Why is this bad?
    /// YAML forbids it, yet most Kubernetes tooling silently keeps one of the values (often
    /// the last, sometimes the first): the manifest the reviewer reads is not the one that is
    /// applied. A duplicated `env`, `image` or `data` key is a classic GitOps surprise.
    ///
    /// ## Example
    /// ```yaml
    /// data:
    ///   LOG_LEVEL: info
    ///   LOG_LEVEL: debug
    /// ```
    ///
    /// ## Use instead
    /// Keep one key with the intended value.
    pub struct DuplicateKey {
        id: "duplicate-key",
        severity: Error,
        summary: "The same key twice in one YAML mapping",
        group: "input",
    }
}

impl DuplicateKey {
    pub fn finding(path: &str, key: &str, first: Span, second: Span) -> Finding {
        let shown: String = key.chars().take(80).collect();
        Finding::new(
            &Self::META,
            path,
            second,
            format!(
                "duplicate key `{shown}` (first defined at {}:{})",
                first.start.line, first.start.col
            ),
            &format!("{key}@{}", first.start.line),
        )
        .help("remove one of the two keys; tools disagree on which one wins")
        .related(first, "first defined here")
    }
}
