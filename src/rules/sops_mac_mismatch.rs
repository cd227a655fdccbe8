use crate::finding::Finding;
use crate::rules::declare_rule;
use crate::yaml::Span;

declare_rule! {
    /// ## What it does
    /// With an age key, decrypts the SOPS file's `mac` (authenticated with `lastmodified`)
    /// and compares it with the SHA-512 recomputed over every value, as sops does.
    ///
    /// ## Why is this bad?
    /// A mismatch means the file was changed without sops: a plaintext value edited, added,
    /// removed or reordered, encrypted values reordered, or `lastmodified` edited. sops
    /// refuses the file, and the edit bypassed encryption.
    ///
    /// ## Example
    /// A reviewer "fixes" an unencrypted `replicas:` value in a SOPS-encrypted values file.
    ///
    /// ## Use instead
    /// Make every change to an encrypted file with `sops edit`.
    pub struct SopsMacMismatch {
        id: "sops-mac-mismatch",
        severity: Error,
        summary: "A SOPS file whose MAC does not match its content",
        group: "envelopes",
    }
}

impl SopsMacMismatch {
    pub fn finding(path: &str, span: Span, reason: &str) -> Finding {
        Finding::new(
            &Self::META,
            path,
            span,
            format!("SOPS MAC check failed: {reason}"),
            reason,
        )
        .help("the file was changed without sops; redo the change with `sops edit`")
    }
}
