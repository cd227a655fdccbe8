use crate::finding::Finding;
use crate::rules::declare_rule;
use crate::yaml::Span;

declare_rule! {
    /// ## What it does
    /// Checks the structure of a SOPS file (detected by its `sops` metadata, whatever its
    /// name; YAML multi-document, JSON, binary, dotenv and INI stores): `mac`,
    /// `lastmodified` and `version` present and valid, at least one recipient in every key
    /// group, a sane `shamir_threshold`, a wrapped data key for every recipient, one
    /// selection rule at most (`encrypted_regex`, `unencrypted_suffix`, …) that compiles,
    /// and every `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` well formed (base64, 32-byte
    /// IV, 16-byte tag, known type).
    ///
    /// ## Why is this bad?
    /// sops (and Flux's or Argo CD's decryption) refuses such a file at deploy time, in the
    /// cluster, after the merge. envgate says so in the pull request. Problems that sops
    /// tolerates — an empty key group while the Shamir threshold is still met, a later YAML
    /// document without its own `sops` block, an `ENC[…]` value where the rules say
    /// plaintext — are reported as warnings: the file works, but not as its author thinks.
    ///
    /// ## Example
    /// ```yaml
    /// data:
    ///   password: ENC[AES256_GCM,data:Zm9v,iv:short,tag:x,type:str]
    /// sops:
    ///   mac: ""
    /// ```
    ///
    /// ## Use instead
    /// Re-create the file with `sops --encrypt`, or fix the edit with `sops edit FILE`;
    /// never edit the encrypted file by hand.
    pub struct SopsMetadataInvalid {
        id: "sops-metadata-invalid",
        severity: Error,
        summary: "A SOPS file whose metadata or ENC values are malformed",
        group: "envelopes",
    }
}

impl SopsMetadataInvalid {
    pub fn finding(path: &str, span: Span, message: &str) -> Finding {
        Finding::new(&Self::META, path, span, format!("SOPS file: {message}"), message)
            .help("re-encrypt with `sops --encrypt` or repair with `sops edit`; do not edit encrypted files by hand")
    }
}
