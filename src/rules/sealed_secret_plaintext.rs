use crate::envelope::sealed::{Problem, Severity as Hint};
use crate::finding::{Finding, Severity};
use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Flags clear text inside a SealedSecret: `spec.template.data` values that are not Go
    /// templates (`{{ … }}`), an `encryptedData` value that is merely base64 of printable
    /// text instead of ciphertext, and a `last-applied-configuration` annotation on the
    /// template (it holds the Secret it was sealed from).
    ///
    /// ## Why is this bad?
    /// `template.data` is copied into the Secret as is: anything there is in Git in the
    /// clear. A base64 value pasted into `encryptedData` is readable by anyone.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   template:
    ///     data:
    ///       password: correct-horse-battery
    /// ```
    ///
    /// ## Use instead
    /// Seal every secret value (`kubeseal --merge-into`); keep only templates that reference
    /// sealed keys (`{{ .password }}`) in `template.data`. Rotate what leaked.
    pub struct SealedSecretPlaintext {
        id: "sealed-secret-plaintext",
        severity: Error,
        summary: "Plaintext inside a SealedSecret (template data, base64 instead of ciphertext)",
        group: "envelopes",
    }
}

impl SealedSecretPlaintext {
    pub fn finding(path: &str, p: &Problem) -> Finding {
        let mut f = Finding::new(&Self::META, path, p.span, p.message.clone(), &p.message);
        if p.severity_hint == Hint::Warning {
            f.severity = Severity::Warning;
        }
        f
    }
}
