use crate::envelope::sealed::{Problem, Severity as Hint};
use crate::finding::{Finding, Severity};
use crate::rules::declare_rule;

declare_rule! {
    /// ## What it does
    /// With `--sealed-secrets-cert FILE` (the controller's public certificate, as many repos
    /// commit it for `kubeseal --cert`), checks that every value's RSA block has the size of
    /// the certificate's modulus.
    ///
    /// ## Why is this bad?
    /// A value sealed with another controller's key (another cluster, a test controller, a
    /// rotated-out key of another size) cannot be unsealed by this controller.
    ///
    /// ## Example
    /// Values sealed against a local kind cluster's 2048-bit key, committed for production.
    ///
    /// ## Use instead
    /// Re-seal with the right certificate: `kubeseal --cert pub-sealed-secrets.pem`.
    pub struct SealedSecretWrongKeySize {
        id: "sealed-secret-wrong-key-size",
        severity: Error,
        summary: "SealedSecret values sealed for a key of another size than the cert",
        group: "envelopes",
    }
}

impl SealedSecretWrongKeySize {
    pub fn finding(path: &str, p: &Problem) -> Finding {
        let mut f = Finding::new(&Self::META, path, p.span, p.message.clone(), &p.message);
        if p.severity_hint == Hint::Warning {
            f.severity = Severity::Warning;
        }
        f
    }
}
