use crate::finding::Finding;
use crate::rules::declare_rule;
use crate::yaml::Span;

declare_rule! {
    /// ## What it does
    /// Says that none of the age keys given to envgate opens a SOPS file, so its values and
    /// MAC were not verified (also for PGP/KMS-only files, and for constructs the verifier
    /// does not support). Reported only when keys were given; `--require-decrypt` makes it
    /// an error.
    ///
    /// ## Why is this bad?
    /// A file encrypted to the wrong recipient (or a rotated-out key) cannot be decrypted
    /// by the cluster's key either: Flux/Argo CD fail at deploy time.
    ///
    /// ## Example
    /// A file encrypted with a developer's personal age key instead of the cluster's.
    ///
    /// ## Use instead
    /// `sops updatekeys FILE` after fixing `.sops.yaml`, or re-encrypt to the right
    /// recipient.
    pub struct SopsNoKey {
        id: "sops-no-key",
        severity: Info,
        summary: "A SOPS file that no provided age key opens (crypto not verified)",
        group: "envelopes",
    }
}

impl SopsNoKey {
    pub fn finding(path: &str, span: Span, detail: &str) -> Finding {
        Finding::new(
            &Self::META,
            path,
            span,
            format!("SOPS file not cryptographically verified: {detail}"),
            "no-key",
        )
        .help(
            "give the cluster's age key with --age-key-file, or re-encrypt to the right recipient",
        )
    }
}
