//! The controller's public certificate and private keys.

use std::time::SystemTime;

use base64::Engine;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::traits::PublicKeyParts;
use x509_cert::Certificate;
use x509_cert::der::{DecodePem, Encode};
use zeroize::{Zeroize, Zeroizing};

use crate::yaml::{Node, NodeKind, parse_yaml};

/// The public half of a sealing key: enough for the cert-only checks.
#[derive(Clone)]
pub struct PublicCert {
    pub bits: usize,
    /// Modulus size in bytes (= the RSA block length of every value sealed with it).
    pub size: usize,
    /// Big-endian modulus, left-padded to `size`.
    modulus: Box<[u8]>,
    /// The certificate's notAfter (None when only a bare public key was given).
    pub not_after: Option<SystemTime>,
}

impl std::fmt::Debug for PublicCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicCert")
            .field("bits", &self.bits)
            .field("not_after", &self.not_after)
            .finish()
    }
}

impl PublicCert {
    fn from_key(key: &rsa::PublicKey, not_after: Option<SystemTime>) -> PublicCert {
        let size = key.size();
        let n = key.n_bytes();
        let mut modulus = vec![0u8; size.saturating_sub(n.len())];
        modulus.extend_from_slice(&n);
        PublicCert {
            bits: key.n().bit_width() as usize,
            size,
            modulus: modulus.into(),
            not_after,
        }
    }

    /// kubeseal refuses to seal with an expired certificate (decryption ignores expiry).
    pub fn is_expired_at(&self, now: SystemTime) -> bool {
        self.not_after.is_some_and(|t| t < now)
    }

    /// True when `block` (exactly `size` bytes) is, as an integer, below the modulus, which
    /// every RSA ciphertext made with this key is.
    pub fn block_below_modulus(&self, block: &[u8]) -> bool {
        block.len() == self.modulus.len() && block < &self.modulus[..]
    }
}

/// A private sealing key. `Debug` shows only its size and where it came from.
pub struct PrivateKey {
    pub(crate) key: rsa::PrivateKey,
    pub size: usize,
    /// E.g. `PEM block 1` or `Secret kube-system/sealed-secrets-keyabcde`.
    pub source: String,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateKey")
            .field("bits", &(self.size * 8))
            .field("source", &self.source)
            .finish()
    }
}

/// `(label, whole block including the END line)` for each PEM block in `text`.
fn pem_blocks(text: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(b) = rest.find("-----BEGIN ") {
        let after = &rest[b + 11..];
        let Some(l) = after.find("-----") else { break };
        let label = &after[..l];
        let end_marker = format!("-----END {label}-----");
        let Some(e) = after.find(&end_marker) else {
            break;
        };
        let start = offset + b;
        let end = offset + b + 11 + e + end_marker.len();
        out.push((label, &text[start..end]));
        offset = end;
        rest = &text[end..];
    }
    out
}

/// Parses the controller's public certificate (`kubeseal --fetch-cert`, `pub-sealed-secrets.pem`):
/// the first `CERTIFICATE` PEM block, as kubeseal does. A bare `PUBLIC KEY` / `RSA PUBLIC KEY`
/// block, or the controller's `kubernetes.io/tls` Secret YAML (`tls.crt`), is accepted too.
pub fn load_cert(text: &str) -> Result<PublicCert, String> {
    let blocks = pem_blocks(text);
    if let Some((_, block)) = blocks.iter().find(|(l, _)| *l == "CERTIFICATE") {
        let cert = Certificate::from_pem(block.as_bytes())
            .map_err(|e| format!("certificate does not parse: {e}"))?;
        let tbs = cert.tbs_certificate();
        let spki_der = tbs
            .subject_public_key_info()
            .to_der()
            .map_err(|e| format!("certificate public key: {e}"))?;
        let key = rsa::PublicKey::from_public_key_der(&spki_der)
            .map_err(|e| format!("certificate public key is not RSA: {e}"))?;
        let not_after = SystemTime::UNIX_EPOCH + tbs.validity().not_after.to_unix_duration();
        return Ok(PublicCert::from_key(&key, Some(not_after)));
    }
    for (label, block) in &blocks {
        let key = match *label {
            "PUBLIC KEY" => rsa::PublicKey::from_public_key_pem(block).map_err(|e| e.to_string()),
            "RSA PUBLIC KEY" => rsa::PublicKey::from_pkcs1_pem(block).map_err(|e| e.to_string()),
            _ => continue,
        };
        let key = key.map_err(|e| format!("public key does not parse: {e}"))?;
        return Ok(PublicCert::from_key(&key, None));
    }
    if blocks.is_empty() {
        let mut found = Err("no PEM certificate found".to_string());
        for_each_tls_secret(text, "tls.crt", &mut |_, pem| {
            if found.is_err() {
                found = load_cert(pem);
            }
        });
        return found;
    }
    Err("no CERTIFICATE, PUBLIC KEY or RSA PUBLIC KEY PEM block found".into())
}

/// Parses the controller's private keys: PKCS#1 (`RSA PRIVATE KEY`, what the controller
/// writes) or PKCS#8 (`PRIVATE KEY`) PEM blocks, any number of them; or the controller's
/// `kubernetes.io/tls` Secret(s) as YAML/JSON (`data.tls.key` base64 or `stringData.tls.key`),
/// including a `kind: List` backup. Other PEM blocks (certificates) are skipped.
///
/// Hold `text` in a `Zeroizing<String>`; the decoded key material made here is zeroized.
pub fn load_private_keys(text: &str) -> Result<Vec<PrivateKey>, String> {
    let mut out = Vec::new();
    let blocks = pem_blocks(text);
    if blocks.is_empty() {
        let mut err = None;
        for_each_tls_secret(
            text,
            "tls.key",
            &mut |source, pem| match pem_private_keys(pem, source) {
                Ok(keys) => out.extend(keys),
                Err(e) => err = err.take().or(Some(e)),
            },
        );
        if let Some(e) = err {
            return Err(e);
        }
    } else {
        out = pem_private_keys(text, "PEM block")?;
    }
    if out.is_empty() {
        return Err("no RSA private key found (expected PEM or a kubernetes.io/tls Secret)".into());
    }
    Ok(out)
}

fn pem_private_keys(text: &str, source: &str) -> Result<Vec<PrivateKey>, String> {
    let mut out = Vec::new();
    for (i, (label, block)) in pem_blocks(text).into_iter().enumerate() {
        let key = match label {
            "RSA PRIVATE KEY" => rsa::PrivateKey::from_pkcs1_pem(block).map_err(|e| e.to_string()),
            "PRIVATE KEY" => rsa::PrivateKey::from_pkcs8_pem(block).map_err(|e| e.to_string()),
            "ENCRYPTED PRIVATE KEY" => Err("encrypted private keys are not supported".into()),
            _ => continue,
        };
        let key =
            key.map_err(|e| format!("{source} {}: private key does not parse: {e}", i + 1))?;
        out.push(PrivateKey {
            size: key.size(),
            key,
            source: if source == "PEM block" {
                format!("PEM block {}", i + 1)
            } else {
                source.to_string()
            },
        });
    }
    Ok(out)
}

/// Calls `f(source, pem_text)` for each `kind: Secret` in the YAML/JSON stream `text` that
/// has `field` under `data` (base64) or `stringData`, including items of `kind: List`.
/// Every scalar of the parsed tree is zeroized afterwards.
fn for_each_tls_secret(text: &str, field: &str, f: &mut dyn FnMut(&str, &str)) {
    let mut parsed = parse_yaml(text);
    let mut stack: Vec<&Node> = parsed.documents.iter().map(|d| &d.root).collect();
    stack.reverse();
    while let Some(n) = stack.pop() {
        match n.get_str("kind") {
            Some("Secret") => {
                let meta = n.get("metadata");
                let source = format!(
                    "Secret {}/{}",
                    meta.and_then(|m| m.get_str("namespace")).unwrap_or(""),
                    meta.and_then(|m| m.get_str("name")).unwrap_or("")
                );
                if let Some(b64) = n.get("data").and_then(|d| d.get_str(field)) {
                    let cleaned: Zeroizing<String> =
                        Zeroizing::new(b64.chars().filter(|c| !c.is_whitespace()).collect());
                    if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(&*cleaned) {
                        let bytes = Zeroizing::new(bytes);
                        if let Ok(pem) = std::str::from_utf8(&bytes) {
                            f(&source, pem);
                        }
                    }
                } else if let Some(pem) = n.get("stringData").and_then(|d| d.get_str(field)) {
                    f(&source, pem);
                }
            }
            Some(k) if k.ends_with("List") => {
                if let Some(items) = n.get("items") {
                    stack.extend(items.items().iter().rev());
                }
            }
            _ => {}
        }
    }
    for d in &mut parsed.documents {
        zeroize_scalars(&mut d.root);
    }
}

fn zeroize_scalars(root: &mut Node) {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match &mut n.kind {
            NodeKind::Scalar(s) => s.value.zeroize(),
            NodeKind::Mapping(entries) => {
                for e in entries {
                    stack.push(&mut e.value);
                }
            }
            NodeKind::Sequence(items) => stack.extend(items.iter_mut()),
            NodeKind::Alias(_) => {}
        }
    }
}
