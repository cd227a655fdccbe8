//! Envelope checks for one file: the glue between the SOPS verifier and findings.

use crate::envelope::sops::{
    self, CryptoVerdict, MacFailure, ProblemKind, SopsDocument, ValueFailure,
};
use crate::finding::{Finding, Severity};
use crate::rules::{
    sops_mac_mismatch::SopsMacMismatch, sops_metadata_invalid::SopsMetadataInvalid,
    sops_no_key::SopsNoKey, sops_not_encrypted::SopsNotEncrypted,
    sops_plaintext_value::SopsPlaintextValue, sops_value_tampered::SopsValueTampered,
};
use crate::source::FileKind;
use crate::yaml::Document;

/// Keys and policy for cryptographic verification, decided once per scan.
#[derive(Default)]
pub struct EnvelopeKeys {
    pub age: Vec<age::x25519::Identity>,
    /// `--require-decrypt`: a file no key opens is an error, not an info.
    pub require_decrypt: bool,
}

/// Checks a parsed YAML/JSON manifest. Returns true when it is a SOPS file.
pub fn check_manifest(
    path: &str,
    src: &str,
    docs: &[Document],
    keys: &EnvelopeKeys,
    out: &mut Vec<Finding>,
) -> bool {
    match sops::find_in_stream(docs) {
        Some(d) => {
            check(path, src, &d, keys, out);
            true
        }
        None => {
            if SopsNotEncrypted::applies(path) {
                out.push(SopsNotEncrypted::finding(path));
            }
            false
        }
    }
}

/// Checks a text file (dotenv, INI, or a `*.sops.*` file of another format).
pub fn check_text(
    path: &str,
    bytes: &[u8],
    kind: FileKind,
    keys: &EnvelopeKeys,
    out: &mut Vec<Finding>,
) {
    let Ok(src) = std::str::from_utf8(bytes) else {
        return;
    };
    let d = if src.contains("sops_version=") || src.contains("sops_mac=") {
        sops::find_dotenv(src)
    } else if src.contains("[sops]") {
        sops::find_ini(src)
    } else {
        None
    };
    match d {
        Some(d) => check(path, src, &d, keys, out),
        None if kind != FileKind::Template && SopsNotEncrypted::applies(path) => {
            out.push(SopsNotEncrypted::finding(path))
        }
        None => {}
    }
}

fn check(path: &str, src: &str, d: &SopsDocument, keys: &EnvelopeKeys, out: &mut Vec<Finding>) {
    let problems = sops::structural_problems(src, d);
    let structural_lines: Vec<u32> = problems.iter().map(|p| p.span.start.line).collect();
    let has = |k: ProblemKind| problems.iter().any(|p| p.kind == k);
    // A crypto failure that restates a structural problem (same place, or the missing MAC
    // or recipients themselves) is reported once, by the structural rule.
    let restated = |line: u32| structural_lines.contains(&line);
    for p in problems.iter().cloned() {
        out.push(match p.kind {
            ProblemKind::PlaintextValue => SopsPlaintextValue::finding(path, p.span, &p.message),
            _ => SopsMetadataInvalid::finding(path, p.span, &p.message),
        });
    }
    if keys.age.is_empty() && !keys.require_decrypt {
        return; // structural checks only: no key was given
    }
    let no_key = |detail: &str| {
        let mut f = SopsNoKey::finding(path, d.metadata.span, detail);
        if keys.require_decrypt {
            f.severity = Severity::Error;
        }
        f
    };
    match sops::verify(src, d, &keys.age) {
        CryptoVerdict::Ok { .. } => {}
        CryptoVerdict::NoKey { .. } if has(ProblemKind::NoRecipients) => {}
        CryptoVerdict::MacMismatch {
            reason: MacFailure::Missing,
            ..
        } if has(ProblemKind::MissingMac) => {}
        CryptoVerdict::ValueTampered { span, .. } | CryptoVerdict::Malformed { span, .. }
            if restated(span.start.line) => {}
        CryptoVerdict::NoKey { detail } => out.push(no_key(&detail)),
        CryptoVerdict::Unsupported { detail, .. } => out.push(no_key(&detail)),
        CryptoVerdict::Malformed { span, detail } => {
            out.push(SopsMetadataInvalid::finding(path, span, &detail))
        }
        CryptoVerdict::ValueTampered {
            span,
            path: key_path,
            reason,
        } => {
            let why = match reason {
                ValueFailure::AuthFailed => {
                    "authentication failed (ciphertext, IV, tag or key path changed)".to_string()
                }
                ValueFailure::Malformed(e) => format!("malformed ENC value ({e})"),
                ValueFailure::NotEncrypted => {
                    "plaintext where the rules require encryption".to_string()
                }
                ValueFailure::BadPlaintext(t) => {
                    format!("decrypted value does not parse as its type ({t:?})")
                }
            };
            out.push(SopsValueTampered::finding(path, span, &key_path, &why));
        }
        CryptoVerdict::MacMismatch { span, reason } => {
            let why = match reason {
                MacFailure::Missing => "the file has no MAC",
                MacFailure::Undecryptable => {
                    "the MAC does not decrypt (lastmodified edited, or MAC from another file)"
                }
                MacFailure::Differs => {
                    "content changed without sops (a value edited, added, removed or reordered)"
                }
            };
            out.push(SopsMacMismatch::finding(path, span, why));
        }
    }
}
