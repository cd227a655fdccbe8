//! `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]` values: parsing and AES-256-GCM opening.

use std::sync::OnceLock;

use aes_gcm::AesGcm;
use aes_gcm::aead::consts::U32;
use aes_gcm::aead::generic_array::GenericArray;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::aes::Aes256;
use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use regex::Regex;
use zeroize::Zeroizing;

/// sops' nonce size (`aes/cipher.go`: `nonceSize = 32`).
pub const IV_LEN: usize = 32;
pub const TAG_LEN: usize = 16;

/// The `type:` of an encrypted value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    Str,
    Int,
    Float,
    Bool,
    /// Written by the Python sops only; accepted on decrypt.
    Bytes,
    Comment,
    /// sops 3.10+ (`time.MarshalText`).
    Time,
}

impl ValueType {
    fn parse(s: &str) -> Option<ValueType> {
        Some(match s {
            "str" => ValueType::Str,
            "int" => ValueType::Int,
            "float" => ValueType::Float,
            "bool" => ValueType::Bool,
            "bytes" => ValueType::Bytes,
            "comment" => ValueType::Comment,
            "time" => ValueType::Time,
            _ => return None,
        })
    }
}

/// Why a string is not a usable `ENC[...]` value. Never carries the value itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncError {
    /// Does not match `^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]`.
    Format,
    /// A field is not standard padded base64.
    Base64(&'static str),
    /// The IV decodes to this many bytes instead of 32.
    IvLength(usize),
    /// The tag decodes to this many bytes instead of 16.
    TagLength(usize),
    /// `type:` is not one sops knows (`Unknown datatype`).
    UnknownType,
}

impl std::fmt::Display for EncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EncError::Format => write!(
                f,
                "does not match sops' ENC[AES256_GCM,data:…,iv:…,tag:…,type:…] format"
            ),
            EncError::Base64(field) => write!(f, "`{field}` is not valid base64"),
            EncError::IvLength(n) => write!(f, "iv is {n} bytes, sops writes 32"),
            EncError::TagLength(n) => write!(f, "tag is {n} bytes, expected 16"),
            EncError::UnknownType => write!(f, "unknown value type"),
        }
    }
}

/// A parsed `ENC[...]` value.
#[derive(Clone)]
pub struct EncValue {
    pub data: Vec<u8>,
    pub iv: Vec<u8>,
    pub tag: Vec<u8>,
    pub kind: ValueType,
}

impl std::fmt::Debug for EncValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncValue")
            .field("data_len", &self.data.len())
            .field("kind", &self.kind)
            .finish()
    }
}

fn enc_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // Same pattern as sops' `aes/cipher.go` (greedy, not anchored at the end).
    RE.get_or_init(|| {
        Regex::new(r"^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]")
            .expect("static regex")
    })
}

/// Go's `base64.StdEncoding`: padding required, lenient about trailing bits.
fn b64() -> &'static GeneralPurpose {
    static E: OnceLock<GeneralPurpose> = OnceLock::new();
    E.get_or_init(|| {
        GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            GeneralPurposeConfig::new()
                .with_decode_padding_mode(DecodePaddingMode::RequireCanonical)
                .with_decode_allow_trailing_bits(true),
        )
    })
}

/// True if the string looks like sops wanted it encrypted (prefix test only).
pub fn looks_encrypted(s: &str) -> bool {
    s.starts_with("ENC[")
}

/// Parses an `ENC[...]` string, checking base64 and the field lengths sops writes.
/// The four fields of `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`, split by hand when every
/// delimiter occurs once (what sops writes: base64 has no `,` or `:`), which gives exactly
/// the greedy regex's answer without running a capturing regex on kilobytes of base64.
fn split_fields(s: &str) -> Option<[&str; 4]> {
    let rest = s.strip_prefix("ENC[AES256_GCM,data:")?;
    // One pass for the commas: exactly three, each opening the next field.
    let b = rest.as_bytes();
    let mut commas = memchr::memchr_iter(b',', b);
    let (iv, tag, ty) = (commas.next()?, commas.next()?, commas.next()?);
    if commas.next().is_some()
        || !rest[iv..].starts_with(",iv:")
        || !rest[tag..].starts_with(",tag:")
        || !rest[ty..].starts_with(",type:")
    {
        return None;
    }
    let end = memchr::memrchr(b']', b)?;
    if !(0 < iv && iv + 4 < tag && tag + 5 < ty && ty + 6 < end) {
        return None;
    }
    Some([
        &rest[..iv],
        &rest[iv + 4..tag],
        &rest[tag + 5..ty],
        &rest[ty + 6..end],
    ])
}

pub fn parse_enc(s: &str) -> Result<EncValue, EncError> {
    let fields = match split_fields(s) {
        Some(f) => f,
        None => {
            let caps = enc_regex().captures(s).ok_or(EncError::Format)?;
            let get = |i: usize| caps.get(i).map_or("", |m| m.as_str());
            [get(1), get(2), get(3), get(4)]
        }
    };
    let field = |i: usize| fields[i - 1];
    let data = b64()
        .decode(field(1))
        .map_err(|_| EncError::Base64("data"))?;
    let iv = b64().decode(field(2)).map_err(|_| EncError::Base64("iv"))?;
    let tag = b64()
        .decode(field(3))
        .map_err(|_| EncError::Base64("tag"))?;
    let kind = ValueType::parse(field(4)).ok_or(EncError::UnknownType)?;
    if iv.len() != IV_LEN {
        return Err(EncError::IvLength(iv.len()));
    }
    if tag.len() != TAG_LEN {
        return Err(EncError::TagLength(tag.len()));
    }
    Ok(EncValue {
        data,
        iv,
        tag,
        kind,
    })
}

type SopsGcm = AesGcm<Aes256, U32>;

/// Opens the value with the 32-byte data key and AAD; `None` when authentication fails.
pub fn open(value: &EncValue, key: &[u8; 32], aad: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if value.iv.len() != IV_LEN || value.tag.len() != TAG_LEN {
        return None;
    }
    let cipher = SopsGcm::new(GenericArray::from_slice(key));
    let mut ct = Vec::with_capacity(value.data.len() + TAG_LEN);
    ct.extend_from_slice(&value.data);
    ct.extend_from_slice(&value.tag);
    cipher
        .decrypt(
            GenericArray::from_slice(&value.iv),
            Payload { msg: &ct, aad },
        )
        .ok()
        .map(Zeroizing::new)
}

/// Seals a value (tests only: builds fixtures in memory).
#[cfg(test)]
pub(crate) fn seal(plain: &[u8], key: &[u8; 32], iv: &[u8; 32], aad: &[u8], kind: &str) -> String {
    let cipher = SopsGcm::new(GenericArray::from_slice(key));
    let mut ct = cipher
        .encrypt(GenericArray::from_slice(iv), Payload { msg: plain, aad })
        .unwrap();
    let tag = ct.split_off(ct.len() - TAG_LEN);
    let e = &base64::engine::general_purpose::STANDARD;
    format!(
        "ENC[AES256_GCM,data:{},iv:{},tag:{},type:{kind}]",
        e.encode(ct),
        e.encode(iv),
        e.encode(tag)
    )
}

#[cfg(test)]
mod split_tests {
    use super::*;

    #[test]
    fn hand_split_agrees_with_the_regex() {
        for v in [
            "ENC[AES256_GCM,data:Zm9v,iv:YWJj,tag:ZGVm,type:str]",
            "ENC[AES256_GCM,data:Zm9v,iv:YWJj,tag:ZGVm,type:str]trailing]",
            "ENC[AES256_GCM,data:a,iv:b,iv:c,tag:d,type:e]",
            "ENC[AES256_GCM,data:,iv:b,tag:d,type:e]",
            "ENC[AES256_GCM,data:a,iv:b,tag:d,type:]",
            "ENC[AES256_GCM,data:a,iv:b,tag:d,type:e",
        ] {
            let by_regex = enc_regex()
                .captures(v)
                .map(|c| [1, 2, 3, 4].map(|i| c.get(i).map_or("", |m| m.as_str()).to_string()));
            let by_hand = split_fields(v).map(|f| f.map(str::to_string));
            if let Some(h) = by_hand {
                assert_eq!(Some(h), by_regex, "{v}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];
    const IV: [u8; 32] = [9; 32];

    #[test]
    fn round_trip_and_aad() {
        let s = seal(b"hunter2", &KEY, &IV, b"data:password:", "str");
        let v = parse_enc(&s).unwrap();
        assert_eq!(v.kind, ValueType::Str);
        assert_eq!(&open(&v, &KEY, b"data:password:").unwrap()[..], b"hunter2");
        assert!(open(&v, &KEY, b"data:other:").is_none());
        assert!(open(&v, &[8; 32], b"data:password:").is_none());
    }

    #[test]
    fn malformed_values_never_panic() {
        let good = seal(b"x", &KEY, &IV, b"a:", "int");
        // every prefix, plus byte flips
        for i in 0..good.len() {
            let _ = parse_enc(&good[..i]);
            let mut b = good.clone().into_bytes();
            b[i] ^= 0x20;
            if let Ok(s) = String::from_utf8(b)
                && let Ok(v) = parse_enc(&s)
            {
                let _ = open(&v, &KEY, b"a:");
            }
        }
        assert_eq!(
            parse_enc("ENC[AES256_GCM,data:,iv:,tag:,type:str]").unwrap_err(),
            EncError::Format
        );
        assert!(matches!(
            parse_enc("ENC[AES256_GCM,data:!!,iv:AA==,tag:AA==,type:str]"),
            Err(EncError::Base64("data"))
        ));
        assert!(matches!(
            parse_enc("ENC[AES256_GCM,data:AA==,iv:AA==,tag:AA==,type:str]"),
            Err(EncError::IvLength(1))
        ));
        let wrong_type = good.replace("type:int", "type:blob");
        assert_eq!(parse_enc(&wrong_type).unwrap_err(), EncError::UnknownType);
        assert_eq!(parse_enc("plaintext").unwrap_err(), EncError::Format);
    }
}
