//! Checks against the public certificate, and a full unseal with private keys
//! (`HybridDecrypt`: RSA-OAEP-SHA256 with the scope label, then AES-256-GCM, zero nonce).

use aes_gcm_sealed::aead::{AeadInOut, KeyInit};
use aes_gcm_sealed::{Aes256Gcm, Nonce};
use rsa::Oaep;
use rsa::sha2::Sha256;
use zeroize::Zeroizing;

use super::blob::{BlobError, SealedBlob};
use super::keys::{PrivateKey, PublicCert};
use super::view::{Scope, SealedSecretView, SealedValue};
use super::{Problem, ProblemKind};
use crate::yaml::Span;

fn what(v: &SealedValue) -> String {
    if v.legacy {
        "spec.data".to_string()
    } else {
        format!("spec.encryptedData.{}", v.name)
    }
}

/// Checks every well-formed value against the certificate: RSA block length equal to the
/// modulus size, and the block below the modulus. Malformed values are left to
/// [`structural_problems`](super::structural_problems).
pub fn cert_problems(s: &SealedSecretView, cert: &PublicCert) -> Vec<Problem> {
    let mut out = Vec::new();
    for v in s.values() {
        let Some(Ok(blob)) = v.text().map(SealedBlob::parse) else {
            continue;
        };
        if blob.rsa_len() != cert.size {
            out.push(Problem::error(
                ProblemKind::WrongKeySize,
                v.node.span,
                format!(
                    "{} has an RSA-{} block but the certificate's key is RSA-{}: sealed with \
                     another (older?) controller key, or not a sealed value",
                    what(&v),
                    blob.rsa_len() * 8,
                    cert.bits
                ),
            ));
        } else if !cert.block_below_modulus(blob.rsa_block()) {
            out.push(Problem::error(
                ProblemKind::Invalid,
                v.node.span,
                format!(
                    "{}: the RSA block is not below the certificate's modulus, so it was not \
                     made with this key (corrupted, or another key of the same size)",
                    what(&v)
                ),
            ));
        }
    }
    out
}

/// The unseal result of one value.
#[derive(Clone, Debug, PartialEq)]
pub struct DecryptResult {
    /// Secret key name, or `spec.data` for the deprecated format.
    pub name: String,
    pub legacy: bool,
    /// The value's span.
    pub span: Span,
    pub outcome: DecryptOutcome,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DecryptOutcome {
    /// `keys[key_index]` unseals it with the label the object's scope implies.
    Opened {
        key_index: usize,
        plaintext_len: usize,
    },
    Undecryptable(Undecryptable),
}

/// Why no key unseals a value. Holds labels (namespace/name, not secret), never values.
#[derive(Clone, Debug, PartialEq)]
pub enum Undecryptable {
    /// Not a string, or bad framing: already a structural finding.
    Malformed(Option<BlobError>),
    /// No given key has this RSA block size.
    NoKeyOfThisSize { rsa_len: usize },
    /// RSA-OAEP failed with every key of the right size for the expected label.
    NoKeyOpens {
        scope: Scope,
        label: String,
        /// A key that opens the RSA block under another label this manifest suggests
        /// (`(key_index, description)`): the scope/name/namespace changed after sealing.
        opens_as: Option<(usize, String)>,
    },
    /// The RSA block opened (with `key_index`) but AES-GCM authentication failed:
    /// truncated or tampered ciphertext.
    GcmFailed { key_index: usize },
}

/// Result of unsealing one blob with one key and one label.
enum Attempt {
    Opened(usize),
    RsaFailed,
    GcmFailed,
}

fn attempt(key: &PrivateKey, blob: &SealedBlob, label: &[u8]) -> Attempt {
    let session = match key
        .key
        .decrypt(Oaep::<Sha256>::new_with_label(label), blob.rsa_block())
    {
        Ok(s) => Zeroizing::new(s),
        Err(_) => return Attempt::RsaFailed,
    };
    let Ok(gcm) = Aes256Gcm::new_from_slice(&session) else {
        return Attempt::GcmFailed;
    };
    let mut buf = Zeroizing::new(blob.gcm_part().to_vec());
    match gcm.decrypt_in_place(&Nonce::default(), b"", &mut *buf) {
        Ok(()) => Attempt::Opened(buf.len()),
        Err(_) => Attempt::GcmFailed,
    }
}

fn rsa_opens(key: &PrivateKey, blob: &SealedBlob, label: &[u8]) -> bool {
    key.key
        .decrypt(Oaep::<Sha256>::new_with_label(label), blob.rsa_block())
        .map(Zeroizing::new)
        .is_ok()
}

/// Other labels the manifest suggests, for a diagnosis when the expected one fails.
fn alternative_labels(
    s: &SealedSecretView,
    default_namespace: Option<&str>,
) -> Vec<(String, Vec<u8>)> {
    let name = s.name().unwrap_or("");
    let ns = s.namespace().or(default_namespace).unwrap_or("");
    let tm = s.template_metadata;
    let t_name = tm.and_then(|m| m.get_str("name")).unwrap_or(name);
    let t_ns = tm.and_then(|m| m.get_str("namespace")).unwrap_or(ns);
    let mut out: Vec<(String, Vec<u8>)> = vec![
        (
            format!("strict scope (label \"{ns}/{name}\")"),
            Scope::Strict.label(ns, name),
        ),
        (
            format!("namespace-wide scope (label \"{ns}\")"),
            Scope::NamespaceWide.label(ns, name),
        ),
        ("cluster-wide scope (empty label)".into(), Vec::new()),
        (
            format!("strict scope with the template's name/namespace (label \"{t_ns}/{t_name}\")"),
            Scope::Strict.label(t_ns, t_name),
        ),
        (
            format!("namespace-wide scope with the template's namespace (label \"{t_ns}\")"),
            Scope::NamespaceWide.label(t_ns, t_name),
        ),
    ];
    let expected = s.label(default_namespace);
    let mut seen = vec![expected];
    out.retain(|(_, l)| {
        if seen.contains(l) {
            false
        } else {
            seen.push(l.clone());
            true
        }
    });
    out
}

/// Unseals every value (`encryptedData` entries and the deprecated `spec.data`) with each
/// key, using the label the object's own metadata implies (strict `namespace/name`,
/// namespace-wide `namespace`, cluster-wide empty). A missing `metadata.namespace` is taken
/// from `default_namespace` (e.g. the kustomization's), else empty as the Go code does.
/// Plaintext is zeroized at once and only its length is kept.
pub fn decrypt_check(
    s: &SealedSecretView,
    keys: &[PrivateKey],
    default_namespace: Option<&str>,
) -> Vec<DecryptResult> {
    let label = s.label(default_namespace);
    let mut alternatives: Option<Vec<(String, Vec<u8>)>> = None;
    s.values()
        .into_iter()
        .map(|v| {
            let outcome = match v.text().map(SealedBlob::parse) {
                None => DecryptOutcome::Undecryptable(Undecryptable::Malformed(None)),
                Some(Err(e)) => DecryptOutcome::Undecryptable(Undecryptable::Malformed(Some(e))),
                Some(Ok(blob)) => {
                    unseal(s, &blob, keys, &label, default_namespace, &mut alternatives)
                }
            };
            DecryptResult {
                name: v.name.to_string(),
                legacy: v.legacy,
                span: v.node.span,
                outcome,
            }
        })
        .collect()
}

fn unseal(
    s: &SealedSecretView,
    blob: &SealedBlob,
    keys: &[PrivateKey],
    label: &[u8],
    default_namespace: Option<&str>,
    alternatives: &mut Option<Vec<(String, Vec<u8>)>>,
) -> DecryptOutcome {
    let sized: Vec<usize> = (0..keys.len())
        .filter(|&i| keys[i].size == blob.rsa_len())
        .collect();
    if sized.is_empty() {
        return DecryptOutcome::Undecryptable(Undecryptable::NoKeyOfThisSize {
            rsa_len: blob.rsa_len(),
        });
    }
    let mut gcm_failed = None;
    for &i in &sized {
        match attempt(&keys[i], blob, label) {
            Attempt::Opened(plaintext_len) => {
                return DecryptOutcome::Opened {
                    key_index: i,
                    plaintext_len,
                };
            }
            Attempt::GcmFailed => gcm_failed = gcm_failed.or(Some(i)),
            Attempt::RsaFailed => {}
        }
    }
    if let Some(key_index) = gcm_failed {
        return DecryptOutcome::Undecryptable(Undecryptable::GcmFailed { key_index });
    }
    let alts = alternatives.get_or_insert_with(|| alternative_labels(s, default_namespace));
    let opens_as = alts.iter().find_map(|(desc, l)| {
        sized
            .iter()
            .find(|&&i| rsa_opens(&keys[i], blob, l))
            .map(|&i| (i, desc.clone()))
    });
    DecryptOutcome::Undecryptable(Undecryptable::NoKeyOpens {
        scope: s.scope(),
        label: String::from_utf8_lossy(label).into_owned(),
        opens_as,
    })
}

/// `sealed-secret-undecryptable` findings for the results of [`decrypt_check`]. Malformed
/// values are skipped: [`structural_problems`](super::structural_problems) reports them.
pub fn undecryptable_problems(results: &[DecryptResult]) -> Vec<Problem> {
    results
        .iter()
        .filter_map(|r| {
            let DecryptOutcome::Undecryptable(u) = &r.outcome else {
                return None;
            };
            let w = if r.legacy {
                "spec.data".to_string()
            } else {
                format!("spec.encryptedData.{}", r.name)
            };
            let message = match u {
                Undecryptable::Malformed(_) => return None,
                Undecryptable::NoKeyOfThisSize { rsa_len } => format!(
                    "{w}: no given key is RSA-{} (the value's RSA block size): sealed with \
                     another controller key",
                    rsa_len * 8
                ),
                Undecryptable::NoKeyOpens {
                    scope,
                    label,
                    opens_as,
                } => {
                    let mut m = format!(
                        "{w}: no given key unseals it with the {} label \"{label}\"",
                        scope.as_str()
                    );
                    match opens_as {
                        Some((i, desc)) => m.push_str(&format!(
                            "; key {} opens it as {desc}: the scope annotation, name or \
                             namespace changed after sealing",
                            i + 1
                        )),
                        None => m.push_str(
                            " (sealed with another key, or for another name/namespace/scope)",
                        ),
                    }
                    m
                }
                Undecryptable::GcmFailed { key_index } => format!(
                    "{w}: key {} opens the RSA block but AES-GCM authentication fails: the \
                     ciphertext is truncated or was modified",
                    key_index + 1
                ),
            };
            Some(Problem::error(ProblemKind::Undecryptable, r.span, message))
        })
        .collect()
}
