use crate::finding::Finding;
use crate::rules::declare_rule;
use crate::yaml::Span;

declare_rule! {
    /// ## What it does
    /// With an age key (`--age-key-file`, `SOPS_AGE_KEY_FILE` or `SOPS_AGE_KEY`), decrypts
    /// every value of a SOPS file with its authenticated data (the key path) and reports the
    /// first one that does not authenticate: changed ciphertext, IV or tag, a value moved
    /// to another key, or copied from another file.
    ///
    /// ## Why is this bad?
    /// The file will not decrypt in the cluster; the deploy fails after the merge. A value
    /// that authenticates under another key path means someone swapped values around.
    ///
    /// ## Example
    /// Two encrypted values swapped between `username` and `password` by hand.
    ///
    /// ## Use instead
    /// Restore the file from Git and make the change with `sops edit`.
    pub struct SopsValueTampered {
        id: "sops-value-tampered",
        severity: Error,
        summary: "A SOPS value that fails authentication",
        group: "envelopes",
    }
}

impl SopsValueTampered {
    pub fn finding(path: &str, span: Span, key_path: &str, reason: &str) -> Finding {
        Finding::new(
            &Self::META,
            path,
            span,
            format!("SOPS value at {key_path} does not verify: {reason}"),
            key_path,
        )
        .help("restore the file and change values with `sops edit`")
    }
}
