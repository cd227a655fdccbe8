use crate::finding::Finding;
use crate::rules::declare_rule;
use crate::yaml::Span;

declare_rule! {
    /// ## What it does
    /// Reports a YAML or JSON manifest that does not parse, at the exact line and column
    /// where the parser gave up. Other documents of the same file (after the next `---`) are
    /// still checked. Also covers manifests that are not valid UTF-8 or contain NUL bytes.
    ///
    /// Go/Helm templates (files under a chart's `templates/`, or files with `{{ … }}` that
    /// break parsing) are scanned as text instead and are not reported.
    ///
    /// ## Why is this bad?
    /// Argo CD and Flux stop reconciling the whole unit on a parse error, and every other
    /// check (secrets included) cannot see inside a document it cannot parse: envgate fails
    /// closed instead of staying silent.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   labels: {app: web
    /// ```
    ///
    /// ## Use instead
    /// Fix the syntax (`yamllint` or an editor with YAML support helps).
    pub struct YamlSyntax {
        id: "yaml-syntax",
        severity: Error,
        summary: "A manifest that does not parse as YAML/JSON",
        group: "input",
    }
}

impl YamlSyntax {
    pub fn finding(path: &str, span: Span, message: &str, doc_index: usize) -> Finding {
        // The identity ignores the position so a reflowed file keeps its fingerprint.
        let identity = format!("doc{doc_index}:{message}");
        Finding::new(
            &Self::META,
            path,
            span,
            format!("invalid YAML: {message}"),
            &identity,
        )
    }
}
