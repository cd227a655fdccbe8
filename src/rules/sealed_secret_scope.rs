use crate::envelope::sealed::{Problem, Severity as Hint};
use crate::finding::{Finding, Severity};
use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks the sealing scope: `namespace-wide` and `cluster-wide` annotations not set
    /// together, the same scope on the object and its template, template name/namespace
    /// equal to the object's, and (warnings) a strict or namespace-wide scope without a
    /// namespace or name, scope annotations only on the template, values other than
    /// `"true"`/`"false"`.
    ///
    /// ## Why is this bad?
    /// The scope is bound into the ciphertext (the RSA-OAEP label). A SealedSecret whose
    /// scope, name or namespace changed after sealing never unseals: the typical "copied to
    /// another namespace" mistake.
    ///
    /// ## Example
    /// A strict-scope SealedSecret moved from `staging` to `production` by copy and paste.
    ///
    /// ## Use instead
    /// Re-seal for the target namespace, or seal with `--scope namespace-wide` /
    /// `--scope cluster-wide` if the secret really is shared.
    pub struct SealedSecretScope {
        id: "sealed-secret-scope",
        severity: Error,
        summary: "SealedSecret scope annotations, name or namespace that break unsealing",
        group: "envelopes",
    }
}

impl SealedSecretScope {
    pub fn finding(path: &str, p: &Problem) -> Finding {
        let mut f = Finding::new(&Self::META, path, p.span, p.message.clone(), &p.message);
        if p.severity_hint == Hint::Warning {
            f.severity = Severity::Warning;
        }
        f
    }
}
