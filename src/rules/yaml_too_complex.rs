use crate::finding::Finding;
use crate::rules::declare_rule;
use crate::yaml::{MAX_ALIAS_EXPANSION, MAX_DEPTH, Span};

declare_rule! {
    /// ## What it does
    /// Reports a document nested deeper than 128 collections, or whose aliases would expand
    /// to more than 1,000,000 nodes (a "billion laughs" alias bomb). envgate never expands
    /// aliases and skips a too-deep document, so its own memory stays bounded.
    ///
    /// ## Why is this bad?
    /// Such documents are attacks on the tools that read the repo (Argo CD's repo server,
    /// kustomize, kubectl): they exhaust memory or the stack. No real manifest needs them.
    ///
    /// ## Example
    /// ```yaml
    /// a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
    /// b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    /// c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    /// # … and so on for a few more levels
    /// ```
    ///
    /// ## Use instead
    /// Flatten the structure; use aliases only for small shared fragments.
    pub struct YamlTooComplex {
        id: "yaml-too-complex",
        severity: Error,
        summary: "Nesting or alias expansion beyond safe limits",
        group: "input",
    }
}

impl YamlTooComplex {
    pub fn too_deep(path: &str, span: Span) -> Finding {
        Finding::new(
            &Self::META,
            path,
            span,
            format!("nesting deeper than {MAX_DEPTH} levels; the document was not checked"),
            "depth",
        )
    }

    pub fn alias_bomb(path: &str, span: Span, expanded: u64) -> Finding {
        Finding::new(
            &Self::META,
            path,
            span,
            format!(
                "aliases expand to more than {MAX_ALIAS_EXPANSION} nodes (at least {expanded}): \
                 an alias bomb"
            ),
            "aliases",
        )
    }
}
