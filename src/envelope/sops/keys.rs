//! Age identities and recovery of the data key from the `sops` key groups.

use std::io::Read;

use age::armor::ArmoredReader;
use zeroize::Zeroizing;

use super::metadata::{KeyKind, Metadata};
use super::shamir;

/// Parses an age identity file: `AGE-SECRET-KEY-1…` lines (X25519). Comments (`#`) and
/// blank lines are skipped, and so are identity kinds this checker cannot use
/// (`AGE-SECRET-KEY-PQ-1…`, `AGE-PLUGIN-…`). A malformed X25519 line is an error.
pub fn load_identities(text: &str) -> Result<Vec<age::x25519::Identity>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with("AGE-SECRET-KEY-1") {
            let id = line
                .parse::<age::x25519::Identity>()
                .map_err(|_| format!("line {}: not a valid age X25519 identity", i + 1))?;
            out.push(id);
        } else if !line.starts_with("AGE-SECRET-KEY-") && !line.starts_with("AGE-PLUGIN-") {
            return Err(format!("line {}: not an age identity", i + 1));
        }
    }
    Ok(out)
}

/// Opens one armored age file (a wrapped data key or Shamir share).
fn open_age(armored: &str, ids: &[age::x25519::Identity]) -> Option<Zeroizing<Vec<u8>>> {
    if ids.is_empty() {
        return None;
    }
    let dec = age::Decryptor::new_buffered(ArmoredReader::new(armored.as_bytes())).ok()?;
    let mut reader = dec
        .decrypt(ids.iter().map(|i| i as &dyn age::Identity))
        .ok()?;
    let mut out = Zeroizing::new(Vec::new());
    reader.read_to_end(&mut out).ok()?;
    Some(out)
}

pub(crate) enum DataKey {
    Key(Zeroizing<[u8; 32]>),
    /// No identity opens enough master keys (message names key kinds and counts only).
    NoKey(String),
    /// Opened, but the result is unusable (wrong length, Shamir failure).
    Broken(String),
}

/// `GetDataKeyWithKeyServices` restricted to age X25519 identities.
pub(crate) fn recover(md: &Metadata<'_>, ids: &[age::x25519::Identity]) -> DataKey {
    let mut parts: Vec<Zeroizing<Vec<u8>>> = Vec::new();
    let mut unchecked = Vec::new();
    for group in &md.key_groups {
        let mut part = None;
        for key in &group.keys {
            if key.kind != KeyKind::Age {
                unchecked.push(key.kind.name());
                continue;
            }
            if let Some(enc) = &key.enc
                && let Some(p) = open_age(&enc.value, ids)
            {
                part = Some(p);
                break;
            }
        }
        if let Some(p) = part {
            parts.push(p);
        }
    }
    unchecked.sort_unstable();
    unchecked.dedup();
    let note = if unchecked.is_empty() {
        String::new()
    } else {
        format!("; {} master keys not checked", unchecked.join("/"))
    };
    let groups = md.key_groups.len();
    let secret: Zeroizing<Vec<u8>> = if groups <= 1 {
        match parts.pop() {
            Some(p) => p,
            None => {
                let n = md.master_key_count();
                return DataKey::NoKey(if n == 0 {
                    "no master keys in file".to_string()
                } else {
                    format!("no age identity opens any of the {n} master key(s){note}")
                });
            }
        }
    } else {
        let threshold = match md.shamir_threshold {
            Some(t) if t > 0 => t as usize,
            _ => groups,
        };
        if parts.len() < threshold.max(2) {
            return DataKey::NoKey(format!(
                "opened {} of {groups} key groups, {threshold} needed{note}",
                parts.len()
            ));
        }
        match shamir::combine(&parts) {
            Ok(s) => s,
            Err(e) => return DataKey::Broken(format!("Shamir combination failed: {e}")),
        }
    };
    if secret.len() != 32 {
        return DataKey::Broken(format!("data key is {} bytes, expected 32", secret.len()));
    }
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&secret);
    DataKey::Key(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_file() {
        let id = age::x25519::Identity::generate();
        use age::secrecy::ExposeSecret;
        let text = format!(
            "# created: now\n# public key: {}\n{}\nAGE-SECRET-KEY-PQ-1XYZ\n",
            id.to_public(),
            id.to_string().expose_secret()
        );
        assert_eq!(load_identities(&text).unwrap().len(), 1);
        assert!(load_identities("AGE-SECRET-KEY-1NOPE\n").is_err());
        assert!(load_identities("hello\n").is_err());
        assert!(load_identities("").unwrap().is_empty());
    }

    #[test]
    fn garbage_age_files_do_not_open() {
        let id = age::x25519::Identity::generate();
        for junk in [
            "",
            "-----BEGIN AGE ENCRYPTED FILE-----\n",
            "age-encryption.org/v1\n-> X25519 AAAA\n",
            "\u{0}\u{1}",
        ] {
            assert!(open_age(junk, std::slice::from_ref(&id)).is_none());
        }
    }
}
