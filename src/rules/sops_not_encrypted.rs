use crate::finding::Finding;
use crate::rules::declare_rule;
use crate::yaml::Span;

declare_rule! {
    /// ## What it does
    /// Flags a file named like a SOPS file (`*.sops.*`, `*.enc.*`, e.g. `secret.sops.yaml`,
    /// `values.enc.yaml`, `.env.sops`) that has no SOPS metadata: it was never encrypted,
    /// or was decrypted in place and committed.
    ///
    /// ## Why is this bad?
    /// The name promises encryption to every reviewer and tool; the content is plaintext.
    ///
    /// ## Example
    /// `apps/db/secret.sops.yaml` holding a plain `kind: Secret`.
    ///
    /// ## Use instead
    /// `sops --encrypt --in-place FILE`, then rotate whatever it holds.
    pub struct SopsNotEncrypted {
        id: "sops-not-encrypted",
        severity: Error,
        summary: "A file named *.sops.* / *.enc.* without SOPS metadata",
        group: "envelopes",
    }
}

impl SopsNotEncrypted {
    /// True for names that promise a SOPS file.
    pub fn applies(path: &str) -> bool {
        // (Asked of every manifest: no allocation.)
        let name = path.rsplit('/').next().unwrap_or(path);
        !name.eq_ignore_ascii_case(".sops.yaml")
            && !name.eq_ignore_ascii_case(".sops.yml")
            && name
                .split('.')
                .skip(1)
                .any(|p| p.eq_ignore_ascii_case("sops") || p.eq_ignore_ascii_case("enc"))
    }

    pub fn finding(path: &str) -> Finding {
        Finding::new(
            &Self::META,
            path,
            Span::file_start(),
            "named as a SOPS file but has no sops metadata: not encrypted",
            "not-encrypted",
        )
        .help("encrypt it with `sops --encrypt --in-place`, then rotate what it holds")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(SopsNotEncrypted::applies("a/secret.sops.yaml"));
        assert!(SopsNotEncrypted::applies("values.enc.yaml"));
        assert!(SopsNotEncrypted::applies("x/.env.sops"));
        assert!(!SopsNotEncrypted::applies(".sops.yaml"));
        assert!(!SopsNotEncrypted::applies("a/sops.yaml"));
        assert!(!SopsNotEncrypted::applies("a/encoder.yaml"));
    }
}
