use crate::finding::Finding;
use crate::rules::declare_rule;
use crate::yaml::Span;

declare_rule! {
    /// ## What it does
    /// Reports an inline suppression comment that names an unknown rule, or that gives no
    /// reason: `# envgate:allow RULE[,RULE] -- reason` (also `envgate:ignore`).
    ///
    /// ## Why is this bad?
    /// A suppression is a decision someone will have to revisit. Without a reason nobody
    /// can tell whether it still holds; with a misspelt rule id it silences nothing (or, for
    /// a rule added later, something unintended).
    ///
    /// ## Example
    /// ```yaml
    /// token: tkn_test_only  # envgate:allow generic-credentials
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// token: tkn_test_only  # envgate:allow generic-credential -- fixture for the e2e tests
    /// ```
    pub struct InvalidSuppression {
        id: "invalid-suppression",
        severity: Warning,
        summary: "Suppression comment with an unknown rule or no reason",
        group: "input",
    }
}

impl InvalidSuppression {
    pub fn finding(path: &str, span: Span, problem: &str) -> Finding {
        Finding::new(
            &Self::META,
            path,
            span,
            format!("suppression comment: {problem}"),
            problem,
        )
        .help("write `# envgate:allow RULE[,RULE] -- reason` with ids from `envgate rules`")
    }
}
