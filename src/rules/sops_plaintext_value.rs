use crate::finding::Finding;
use crate::rules::declare_rule;
use crate::yaml::Span;

declare_rule! {
    /// ## What it does
    /// Flags a value of a SOPS file that the file's own rules (`encrypted_regex`,
    /// `unencrypted_regex`, `encrypted_suffix`, `unencrypted_suffix`,
    /// `encrypted_comment_regex`, `mac_only_encrypted`) say must be encrypted, but that is
    /// plaintext. Empty strings are never encrypted by sops and are not reported.
    ///
    /// ## Why is this bad?
    /// It is the classic "edited without sops": someone added a key to an encrypted Secret
    /// in their editor. The value is in Git in the clear, and sops will refuse the file
    /// (its MAC no longer matches), so the deploy breaks too.
    ///
    /// ## Example
    /// ```yaml
    /// stringData:
    ///   password: ENC[AES256_GCM,data:…,type:str]
    ///   api_token: tok_live_added_by_hand
    /// sops:
    ///   encrypted_regex: ^(data|stringData)$
    /// ```
    ///
    /// ## Use instead
    /// `sops edit FILE` (or `sops set`), which encrypts the value and updates the MAC.
    /// Rotate the credential: it was pushed in the clear.
    pub struct SopsPlaintextValue {
        id: "sops-plaintext-value",
        severity: Error,
        summary: "A plaintext value in a SOPS file where its rules require encryption",
        group: "envelopes",
    }
}

impl SopsPlaintextValue {
    pub fn finding(path: &str, span: Span, message: &str) -> Finding {
        Finding::new(
            &Self::META,
            path,
            span,
            format!("SOPS file: {message}"),
            message,
        )
        .help("use `sops edit` to add values; rotate the credential, it was committed in the clear")
        .secret(span.bytes())
    }
}
