use crate::finding::{Finding, Severity};
use crate::rules::declare_rule;
use crate::yaml::Span;

declare_rule! {
    /// ## What it does
    /// Compares a SOPS file with the first `creation_rules` entry of the `.sops.yaml` that
    /// governs it (the nearest one from the file's directory up to the scan root;
    /// `path_regex` is matched, unanchored, against the path relative to that
    /// `.sops.yaml`; the first match wins). Reports recipients the file lacks or has in
    /// excess (error), no matching rule (error), a `.sops.yaml` whose `path_regex` does not
    /// compile (error), and, as warnings, drift of the selection rule (`encrypted_regex`,
    /// suffixes) or `mac_only_encrypted`, which `sops updatekeys` does not re-sync.
    ///
    /// ## Why is this bad?
    /// A file encrypted to the wrong recipients cannot be decrypted by the cluster (or can
    /// still be decrypted by a rotated-out key). The policy in `.sops.yaml` is what
    /// reviewers read; the file's metadata is what counts.
    ///
    /// ## Example
    /// `.sops.yaml` lists the cluster's age key, but the file was encrypted with a
    /// developer's personal key.
    ///
    /// ## Use instead
    /// `sops updatekeys FILE` (recipients), or decrypt and re-encrypt (selection rules).
    pub struct SopsPolicyMismatch {
        id: "sops-policy-mismatch",
        severity: Error,
        summary: "A SOPS file that differs from its .sops.yaml creation rule",
        group: "envelopes",
    }
}

impl SopsPolicyMismatch {
    pub fn finding(path: &str, span: Span, message: &str, warning: bool) -> Finding {
        let mut f = Finding::new(&Self::META, path, span, message.to_string(), message)
            .help("run `sops updatekeys` for recipients; re-encrypt for selection rules");
        if warning {
            f.severity = Severity::Warning;
        }
        f
    }
}
