use crate::envelope::sealed::{Problem, Severity as Hint};
use crate::finding::{Finding, Severity};
use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// With `--sealed-secrets-key FILE|DIR` (the controller's private keys, PEM or its
    /// `kubernetes.io/tls` Secret backup), really decrypts every value (RSA-OAEP-SHA256 with
    /// the scope label, then AES-256-GCM) and reports values that no key opens, with a
    /// diagnosis when a key opens them under another scope ("copied to another namespace",
    /// "scope changed after sealing").
    ///
    /// ## Why is this bad?
    /// This is exactly what the controller will do: a value that does not decrypt here does
    /// not decrypt in the cluster. It is the only check that proves a SealedSecret works
    /// before the merge.
    ///
    /// ## Example
    /// A strict-scope SealedSecret renamed in Git.
    ///
    /// ## Use instead
    /// Re-seal with `kubeseal` for the object's final name and namespace.
    pub struct SealedSecretUndecryptable {
        id: "sealed-secret-undecryptable",
        severity: Error,
        summary: "A SealedSecret value no given private key unseals",
        group: "envelopes",
    }
}

impl SealedSecretUndecryptable {
    pub fn finding(path: &str, p: &Problem) -> Finding {
        let mut f = Finding::new(&Self::META, path, p.span, p.message.clone(), &p.message);
        if p.severity_hint == Hint::Warning {
            f.severity = Severity::Warning;
        }
        f
    }
}
