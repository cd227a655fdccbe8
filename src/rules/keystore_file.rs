use crate::finding::Finding;
use crate::rules::declare_rule;
use crate::yaml::Span;

declare_rule! {
    /// ## What it does
    /// Reports a committed key store by its file name: PKCS#12 (`.p12`, `.pfx`), Java
    /// (`.jks`, `.keystore`, `.bcfks`). Their content is binary and usually protected by a
    /// password that is itself in the repo or trivial.
    ///
    /// ## Why is this bad?
    /// A key store holds private keys. In an env repo it is typically the TLS or signing
    /// key of a service, readable by everyone who can clone the repository.
    ///
    /// ## Example
    /// `apps/payments/base/tls/keystore.p12`
    ///
    /// ## Use instead
    /// Issue certificates in the cluster (cert-manager), or deliver the key store as a
    /// SealedSecret / SOPS-encrypted Secret (`data` holds binary fine). Revoke the key.
    pub struct KeystoreFile {
        id: "keystore-file",
        severity: Error,
        summary: "A PKCS#12 or Java key store committed to the repo",
        group: "credentials",
    }
}

const EXTENSIONS: &[&str] = &[".p12", ".pfx", ".jks", ".keystore", ".bcfks"];

impl KeystoreFile {
    pub fn applies(path: &str) -> bool {
        let lower = path.to_ascii_lowercase();
        EXTENSIONS.iter().any(|e| lower.ends_with(e))
    }

    pub fn finding(path: &str) -> Finding {
        Finding::new(
            &Self::META,
            path,
            Span::file_start(),
            "key store file committed (private keys inside)",
            "keystore",
        )
        .help("deliver it as a SealedSecret or SOPS-encrypted Secret, or issue it with cert-manager; revoke the key")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_extension() {
        assert!(KeystoreFile::applies("tls/keystore.P12"));
        assert!(KeystoreFile::applies("a/b.jks"));
        assert!(!KeystoreFile::applies("a/values.yaml"));
        assert!(!KeystoreFile::applies("a/p12.yaml"));
    }
}
