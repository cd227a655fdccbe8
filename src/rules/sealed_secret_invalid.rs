use crate::envelope::sealed::{Problem, Severity as Hint};
use crate::finding::{Finding, Severity};
use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks a Bitnami `SealedSecret` (`bitnami.com/v1alpha1`) offline: `spec.encryptedData`
    /// present (the deprecated `spec.data` is a warning; both at once an error), and every
    /// value valid base64 whose 2-byte length prefix announces an RSA block of a plausible
    /// key size (2048/3072/4096/8192 bits) and that is long enough for that block plus the
    /// AES-GCM tag.
    ///
    /// ## Why is this bad?
    /// The controller fails to unseal it in the cluster, after the merge, and the Secret the
    /// workload needs never appears.
    ///
    /// ## Example
    /// A value truncated by an editor, or a base64 blob pasted from somewhere else.
    ///
    /// ## Use instead
    /// Re-seal with `kubeseal` from the plain Secret (kept out of Git).
    pub struct SealedSecretInvalid {
        id: "sealed-secret-invalid",
        severity: Error,
        summary: "A SealedSecret the controller cannot unseal as written",
        group: "envelopes",
    }
}

impl SealedSecretInvalid {
    pub fn finding(path: &str, p: &Problem) -> Finding {
        let mut f = Finding::new(&Self::META, path, p.span, p.message.clone(), &p.message);
        if p.severity_hint == Hint::Warning {
            f.severity = Severity::Warning;
        }
        f
    }
}
