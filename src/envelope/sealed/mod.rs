//! Bitnami SealedSecrets: detection, structural checks, checks against the controller's
//! public certificate and (with the controller's private keys) a full unseal of every value,
//! written from `docs/sealed-secrets-format.md` (which cites the Go source).
//!
//! ```ignore
//! let parsed = parse_yaml(src);
//! for doc in &parsed.documents {
//!     for s in sealed::find(&doc.root) {
//!         let mut problems = sealed::structural_problems(&s);
//!         if let Some(cert) = &cert { problems.extend(sealed::cert_problems(&s, cert)); }
//!         if !keys.is_empty() {
//!             let results = sealed::decrypt_check(&s, &keys, None);
//!             problems.extend(sealed::undecryptable_problems(&results));
//!         }
//!     }
//! }
//! ```
//!
//! Nothing here ever puts a value (ciphertext, plaintext or template text) into a
//! [`Problem`], a [`DecryptResult`] or a `Debug` string; messages name keys and fields only.
//! Decrypted session keys and plaintexts live in `Zeroizing` buffers and are dropped at once.

mod blob;
mod decrypt;
mod keys;
mod structural;
#[cfg(test)]
mod tests;
mod view;

use crate::yaml::Span;

pub use blob::{BlobError, PLAUSIBLE_RSA_BLOCK_BYTES, SealedBlob};
pub use decrypt::{
    DecryptOutcome, DecryptResult, Undecryptable, cert_problems, decrypt_check,
    undecryptable_problems,
};
pub use keys::{PrivateKey, PublicCert, load_cert, load_private_keys};
pub use structural::{structural_problems, structural_problems_in};
pub use view::{CLUSTER_WIDE, NAMESPACE_WIDE, Scope, SealedSecretView, SealedValue, find};

/// What a finding is about; each kind is one envgate rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProblemKind {
    /// `sealed-secret-invalid`: the object or a value cannot be what the controller unseals.
    Invalid,
    /// `sealed-secret-plaintext`: clear text in git (template data, a base64-encoded value,
    /// a last-applied-configuration annotation on the template).
    Plaintext,
    /// `sealed-secret-scope`: scope annotations, name or namespace that do not bind the
    /// ciphertext the way the author meant.
    Scope,
    /// `sealed-secret-wrong-key-size`: the RSA block does not fit the given certificate.
    WrongKeySize,
    /// `sealed-secret-undecryptable`: no given private key unseals a value.
    Undecryptable,
}

impl ProblemKind {
    pub fn rule_id(self) -> &'static str {
        match self {
            ProblemKind::Invalid => "sealed-secret-invalid",
            ProblemKind::Plaintext => "sealed-secret-plaintext",
            ProblemKind::Scope => "sealed-secret-scope",
            ProblemKind::WrongKeySize => "sealed-secret-wrong-key-size",
            ProblemKind::Undecryptable => "sealed-secret-undecryptable",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One finding. `message` names keys, fields and sizes, never a value.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub severity_hint: Severity,
    pub span: Span,
    pub message: String,
}

impl Problem {
    pub(crate) fn error(kind: ProblemKind, span: Span, message: String) -> Problem {
        Problem {
            kind,
            severity_hint: Severity::Error,
            span,
            message,
        }
    }

    pub(crate) fn warning(kind: ProblemKind, span: Span, message: String) -> Problem {
        Problem {
            kind,
            severity_hint: Severity::Warning,
            span,
            message,
        }
    }
}
