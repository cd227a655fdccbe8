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

use crate::envelope::sealed;
use crate::envelope::sops_policy::{self, LoadedConfig};
use crate::rules::sealed_secret_invalid::SealedSecretInvalid;
use crate::rules::sealed_secret_plaintext::SealedSecretPlaintext;
use crate::rules::sealed_secret_scope::SealedSecretScope;
use crate::rules::sealed_secret_undecryptable::SealedSecretUndecryptable;
use crate::rules::sealed_secret_wrong_key_size::SealedSecretWrongKeySize;
use crate::rules::sops_policy_mismatch::SopsPolicyMismatch;
use crate::source::FileKind;
use crate::yaml::Document;

/// Keys and policy for cryptographic verification, decided once per scan.
#[derive(Default)]
pub struct EnvelopeKeys {
    pub age: Vec<age::x25519::Identity>,
    /// `--require-decrypt`: a file no key opens is an error, not an info.
    pub require_decrypt: bool,
    /// `--sealed-secrets-cert`: the controller's public certificate(s).
    pub sealed_certs: Vec<sealed::PublicCert>,
    /// `--sealed-secrets-key`: the controller's private keys.
    pub sealed_keys: Vec<sealed::PrivateKey>,
}

/// Checks every SealedSecret of a manifest: structure and scope offline, key size with a
/// certificate, a real unseal with private keys.
/// `unit_namespace`: the namespace every kustomization that includes the file sets (the
/// namespace a SealedSecret without one gets, and is unsealed with).
pub fn check_sealed(
    path: &str,
    docs: &[Document],
    keys: &EnvelopeKeys,
    unit_namespace: Option<&str>,
    out: &mut Vec<Finding>,
) {
    for doc in docs {
        for s in sealed::find(&doc.root) {
            let mut problems = sealed::structural_problems_in(&s, unit_namespace);
            for cert in &keys.sealed_certs {
                problems.extend(sealed::cert_problems(&s, cert));
            }
            if !keys.sealed_keys.is_empty() {
                let results = sealed::decrypt_check(&s, &keys.sealed_keys, unit_namespace);
                // A value already reported as sealed for another key size is not reported
                // again as undecryptable.
                let sized: Vec<_> = problems
                    .iter()
                    .filter(|p| p.kind == sealed::ProblemKind::WrongKeySize)
                    .map(|p| p.span)
                    .collect();
                problems.extend(
                    sealed::undecryptable_problems(&results)
                        .into_iter()
                        .filter(|p| !sized.contains(&p.span)),
                );
            }
            for p in &problems {
                out.push(match p.kind {
                    sealed::ProblemKind::Invalid => SealedSecretInvalid::finding(path, p),
                    sealed::ProblemKind::Plaintext => {
                        SealedSecretPlaintext::finding(path, p).secret(p.span.bytes())
                    }
                    sealed::ProblemKind::Scope => SealedSecretScope::finding(path, p),
                    sealed::ProblemKind::WrongKeySize => SealedSecretWrongKeySize::finding(path, p),
                    sealed::ProblemKind::Undecryptable => {
                        SealedSecretUndecryptable::finding(path, p)
                    }
                });
            }
        }
    }
}

/// The `.sops.yaml` that governs a file, and the file's path relative to it.
pub type Policy = Option<(LoadedConfig, String)>;

/// Checks a parsed YAML/JSON manifest. Returns true when it is a SOPS file.
pub fn check_manifest(
    path: &str,
    src: &str,
    docs: &[Document],
    keys: &EnvelopeKeys,
    policy: &dyn Fn() -> Policy,
    out: &mut Vec<Finding>,
) -> bool {
    if path.rsplit('/').next() == Some(".sops.yaml")
        && let Err((span, msg)) = sops_policy::parse(path, src)
    {
        out.push(SopsPolicyMismatch::finding(
            path,
            span,
            &format!("invalid .sops.yaml: {msg}"),
            false,
        ));
    }
    match sops::find_in_stream(docs) {
        Some(d) => {
            // sops reads `.json` with a strict JSON parser; the YAML parser accepts more
            // (`03`, `'x'`, comments). What sops refuses must not verify here.
            if path.to_ascii_lowercase().ends_with(".json")
                && let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(src)
            {
                out.push(SopsMetadataInvalid::finding(
                    path,
                    d.metadata.span,
                    &format!("not valid JSON, sops refuses it: {e}"),
                ));
            }
            check(path, src, &d, keys, out);
            check_policy(path, &d, policy(), out);
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
    policy: &dyn Fn() -> Policy,
    out: &mut Vec<Finding>,
) {
    let Ok(src) = std::str::from_utf8(bytes) else {
        return;
    };
    // SOPS JSON under another name (repos use `*.sops.toml` for the binary store).
    if src.trim_start().starts_with('{') && src.contains("\"sops\"") {
        let parsed = crate::yaml::parse_yaml(src);
        if let Some(d) = sops::find_in_stream(&parsed.documents) {
            check(path, src, &d, keys, out);
            check_policy(path, &d, policy(), out);
            return;
        }
    }
    let d = if src.contains("sops_version=") || src.contains("sops_mac=") {
        sops::find_dotenv(src)
    } else if src.contains("[sops]") {
        sops::find_ini(src)
    } else {
        None
    };
    match d {
        Some(d) => {
            check(path, src, &d, keys, out);
            check_policy(path, &d, policy(), out);
        }
        None if kind != FileKind::Template && SopsNotEncrypted::applies(path) => {
            out.push(SopsNotEncrypted::finding(path))
        }
        None => {}
    }
}

fn check_policy(path: &str, d: &SopsDocument, policy: Policy, out: &mut Vec<Finding>) {
    let Some((cfg, rel)) = policy else { return };
    let Ok(cfg) = cfg.as_ref() else {
        return; // reported on the .sops.yaml itself
    };
    let at = d.metadata.span;
    let Some(rule) = cfg.rule_for(&rel) else {
        out.push(SopsPolicyMismatch::finding(
            path,
            at,
            &format!("no creation rule of {} matches this file", cfg.path),
            false,
        ));
        return;
    };
    let (recipients, drift) = sops_policy::differences(d, rule);
    let rule_name = rule
        .path_regex_src
        .as_deref()
        .map_or("the catch-all rule".to_string(), |r| format!("rule `{r}`"));
    if !recipients.is_empty() {
        out.push(SopsPolicyMismatch::finding(
            path,
            at,
            &format!("{} ({rule_name}): {}", cfg.path, recipients.join("; ")),
            false,
        ));
    }
    if !drift.is_empty() {
        out.push(SopsPolicyMismatch::finding(
            path,
            at,
            &format!("{} ({rule_name}): {}", cfg.path, drift.join("; ")),
            true,
        ));
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
            // Problems sops itself tolerates (an empty key group with the threshold still
            // met, a later document without its own `sops` block, `ENC[…]` where the rules
            // say plaintext) are warnings; the rest make sops refuse the file.
            kind if !kind.blocks_decryption() => {
                let mut f = SopsMetadataInvalid::finding(path, p.span, &p.message);
                f.severity = Severity::Warning;
                f
            }
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
