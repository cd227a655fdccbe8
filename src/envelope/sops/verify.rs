//! Cryptographic verification: data key → every value (AAD = key path) → MAC.

use sha2::{Digest, Sha512};
use zeroize::Zeroizing;

use super::comments;
use super::enc::{self, EncError, ValueType};
use super::gofmt::{self, GoTime};
use super::keys::{self, DataKey};
use super::rules::Rules;
use super::typing::Typed;
use super::{ProblemKind, SopsDocument};
use crate::yaml::Span;

/// `SHA-256("sops")`, fed first when `mac_only_encrypted` is set.
const MAC_ONLY_ENCRYPTED_INIT: [u8; 32] = [
    0x8a, 0x3f, 0xd2, 0xad, 0x54, 0xce, 0x66, 0x52, 0x7b, 0x10, 0x34, 0xf3, 0xd1, 0x47, 0xbe, 0x0b,
    0x0b, 0x97, 0x5b, 0x3b, 0xf4, 0x4f, 0x72, 0xc6, 0xfd, 0xad, 0xec, 0x81, 0x76, 0xf2, 0x7d, 0x69,
];

/// Why a value that must be encrypted does not decrypt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueFailure {
    /// AES-GCM authentication failed: ciphertext, IV, tag or key path (AAD) changed, or
    /// the value belongs to another file.
    AuthFailed,
    /// Not a valid `ENC[...]` value.
    Malformed(EncError),
    /// The rules say encrypted, but the value is plaintext.
    NotEncrypted,
    /// Decrypted, but the plaintext does not parse as its `type:` (int/float/bool/time).
    BadPlaintext(ValueType),
}

/// Why the MAC check failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MacFailure {
    /// `sops.mac` is empty or absent.
    Missing,
    /// `sops.mac` does not decrypt with AAD = `lastmodified` (lastmodified edited, or the
    /// mac is from another file/key), or is not a valid ENC value.
    Undecryptable,
    /// Decrypts, but differs from the MAC recomputed over the values: a plaintext value
    /// was edited/added/removed/reordered, or encrypted values were reordered.
    Differs,
}

/// Result of [`verify`]. Carries spans and key paths, never values.
#[derive(Clone, Debug, PartialEq)]
pub enum CryptoVerdict {
    /// Every value decrypts and the MAC matches.
    Ok {
        decrypted: usize,
    },
    /// None of the given identities opens the data key (PGP/KMS/… are not checked).
    NoKey {
        detail: String,
    },
    /// The file uses something this checker cannot evaluate (aliases, unusual IV size).
    Unsupported {
        span: Span,
        detail: String,
    },
    /// The metadata is unusable for decryption (no/invalid `lastmodified`, broken data key).
    Malformed {
        span: Span,
        detail: String,
    },
    /// The first value (in file order) that fails, as sops stops at the first failure.
    ValueTampered {
        span: Span,
        path: String,
        reason: ValueFailure,
    },
    MacMismatch {
        span: Span,
        reason: MacFailure,
    },
}

impl CryptoVerdict {
    pub fn is_ok(&self) -> bool {
        matches!(self, CryptoVerdict::Ok { .. })
    }
}

/// Decrypts a typed value's plaintext and returns the bytes sops feeds into the MAC.
fn typed_mac_bytes(kind: ValueType, plain: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let text = || std::str::from_utf8(plain).ok();
    Some(Zeroizing::new(match kind {
        ValueType::Str | ValueType::Bytes | ValueType::Comment => plain.to_vec(),
        ValueType::Int => gofmt::atoi(text()?)?.to_string().into_bytes(),
        ValueType::Float => gofmt::format_float(gofmt::parse_float(text()?)?).into_bytes(),
        ValueType::Bool => gofmt::format_bool(gofmt::parse_bool(text()?)?)
            .as_bytes()
            .to_vec(),
        ValueType::Time => GoTime::parse(text()?, false)?.rfc3339_nano().into_bytes(),
    }))
}

fn upper_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

/// Verifies a sops file with age identities the way `sops decrypt` does: recover the data
/// key (Shamir for several key groups), decrypt every value that the file's rules say is
/// encrypted with AAD = its key path, recompute the SHA-512 MAC over the leaves and
/// compare it with the decrypted `sops.mac` (AAD = `lastmodified`).
///
/// `src` is the file text the document was parsed from (used for YAML comments when a
/// comment-regex rule is set). Structural problems that do not stop decryption (e.g. a
/// missing `version`) are not reported here: see [`structural_problems`](super::structural_problems).
pub fn verify(
    src: &str,
    d: &SopsDocument<'_>,
    identities: &[age::x25519::Identity],
) -> CryptoVerdict {
    let md = &d.metadata;
    if let Some(p) = d
        .build_problems
        .iter()
        .find(|p| p.kind == ProblemKind::UnsupportedValue)
    {
        return CryptoVerdict::Unsupported {
            span: p.span,
            detail: p.message.clone(),
        };
    }
    let Some(lastmodified) = md.lastmodified.as_ref().filter(|f| !f.value.is_empty()) else {
        return CryptoVerdict::Malformed {
            span: md.span,
            detail: "no `lastmodified`: the MAC cannot be checked".into(),
        };
    };
    let Some(lm) = GoTime::parse(lastmodified.value.trim(), false) else {
        return CryptoVerdict::Malformed {
            span: lastmodified.span,
            detail: "`lastmodified` is not RFC 3339".into(),
        };
    };
    let key = match keys::recover(md, identities) {
        DataKey::Key(k) => k,
        DataKey::NoKey(detail) => return CryptoVerdict::NoKey { detail },
        DataKey::Broken(detail) => {
            return CryptoVerdict::Malformed {
                span: md.span,
                detail,
            };
        }
    };

    let mut ignored = Vec::new();
    let rules = Rules::new(md, &mut ignored);
    let mut hash = Sha512::new();
    if md.mac_only_encrypted {
        hash.update(MAC_ONLY_ENCRYPTED_INIT);
    }
    let mut decrypted = 0usize;
    for leaf in &d.leaves {
        let stack = if rules.needs_comments() {
            comments::stack(src, leaf)
        } else {
            Vec::new()
        };
        let encrypted = rules.should_encrypt(&leaf.path, &stack);
        let tampered = |reason| CryptoVerdict::ValueTampered {
            span: leaf.span,
            path: leaf.display_path(),
            reason,
        };
        if encrypted {
            let Typed::Str(s) = &leaf.value else {
                return tampered(ValueFailure::NotEncrypted);
            };
            if s.is_empty() {
                continue; // sops never encrypts "" and feeds nothing for it
            }
            let value = match enc::parse_enc(s) {
                Ok(v) => v,
                Err(EncError::Format) if !enc::looks_encrypted(s) => {
                    return tampered(ValueFailure::NotEncrypted);
                }
                Err(EncError::IvLength(n)) => {
                    return CryptoVerdict::Unsupported {
                        span: leaf.span,
                        detail: format!("{}: {n}-byte IV (sops writes 32)", leaf.display_path()),
                    };
                }
                Err(e) => return tampered(ValueFailure::Malformed(e)),
            };
            let Some(plain) = enc::open(&value, &key, leaf.aad().as_bytes()) else {
                return tampered(ValueFailure::AuthFailed);
            };
            let Some(bytes) = typed_mac_bytes(value.kind, &plain) else {
                return tampered(ValueFailure::BadPlaintext(value.kind));
            };
            decrypted += 1;
            if value.kind != ValueType::Comment {
                hash.update(&bytes[..]);
            }
        } else if !md.mac_only_encrypted
            && let Some(bytes) = leaf.value.mac_bytes()
        {
            hash.update(&bytes[..]);
        }
    }
    let computed = upper_hex(&hash.finalize());

    let Some(mac) = md.mac.as_ref().filter(|m| !m.value.is_empty()) else {
        return CryptoVerdict::MacMismatch {
            span: md.mac.as_ref().map_or(md.span, |m| m.span),
            reason: MacFailure::Missing,
        };
    };
    let undecryptable = CryptoVerdict::MacMismatch {
        span: mac.span,
        reason: MacFailure::Undecryptable,
    };
    let Ok(mac_value) = enc::parse_enc(&mac.value) else {
        return undecryptable;
    };
    let Some(stored) = enc::open(&mac_value, &key, lm.rfc3339().as_bytes()) else {
        return undecryptable;
    };
    if stored.as_slice() != computed.as_bytes() {
        return CryptoVerdict::MacMismatch {
            span: mac.span,
            reason: MacFailure::Differs,
        };
    }
    CryptoVerdict::Ok { decrypted }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_plaintexts() {
        let s = |k, p: &str| {
            typed_mac_bytes(k, p.as_bytes()).map(|b| String::from_utf8(b.to_vec()).unwrap())
        };
        assert_eq!(s(ValueType::Int, "42").as_deref(), Some("42"));
        assert_eq!(s(ValueType::Int, "x"), None);
        assert_eq!(s(ValueType::Float, "3").as_deref(), Some("3"));
        assert_eq!(s(ValueType::Bool, "True").as_deref(), Some("True"));
        assert_eq!(s(ValueType::Bool, "false").as_deref(), Some("False"));
        assert_eq!(
            s(ValueType::Time, "2024-01-01T00:00:00Z").as_deref(),
            Some("2024-01-01T00:00:00Z")
        );
        assert_eq!(s(ValueType::Time, "2024-01-01"), None);
        assert_eq!(upper_hex(&[0x0a, 0xff]), "0AFF");
    }
}
