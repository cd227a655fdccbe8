//! One `encryptedData` value: `base64(u16be(L) || RSA-OAEP block (L bytes) || AES-GCM ct || tag)`.

use base64::Engine;
use base64::alphabet::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// RSA block sizes we accept in the length prefix: RSA-2048, -3072, -4096 (the controller's
/// default) and -8192 (`--key-size 8192` is allowed by the controller, rarely used).
pub const PLAUSIBLE_RSA_BLOCK_BYTES: [usize; 4] = [256, 384, 512, 1024];

/// AES-GCM tag length.
pub const GCM_TAG_BYTES: usize = 16;

/// Go's `base64.StdEncoding`: standard alphabet, padding required, trailing bits tolerated
/// (it is not `.Strict()`); `\r` and `\n` are skipped, which we do before decoding.
const GO_STD: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical)
        .with_decode_allow_trailing_bits(true),
);

/// Why a value cannot be a sealed blob. Never holds the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlobError {
    /// Empty string.
    Empty,
    /// Not standard padded base64.
    NotBase64,
    /// Valid base64 of printable text, not a sealed blob: the secret is readable in git.
    PrintableText { decoded_len: usize },
    /// Fewer bytes than the length prefix says (`ErrTooShort` in Go).
    TooShort { len: usize, needed: usize },
    /// The length prefix is not the size of any plausible RSA modulus.
    ImplausibleRsaLength { rsa_len: usize },
}

impl BlobError {
    pub fn describe(&self) -> String {
        match *self {
            BlobError::Empty => "is empty, not a sealed value".into(),
            BlobError::NotBase64 => {
                "is not standard padded base64 (the controller cannot decode it)".into()
            }
            BlobError::PrintableText { decoded_len } => format!(
                "is plain base64 of {decoded_len} bytes of printable text, not a sealed value: \
                 the secret is readable by anyone with the repository (rotate it, then seal it \
                 with kubeseal)"
            ),
            BlobError::TooShort { len, needed } => format!(
                "is too short: {len} bytes after base64, the length prefix needs at least {needed} \
                 (truncated?)"
            ),
            BlobError::ImplausibleRsaLength { rsa_len } => format!(
                "has a length prefix of {rsa_len} bytes, which is no RSA-2048/3072/4096/8192 \
                 block size (not a sealed value, or corrupted)"
            ),
        }
    }
}

/// A decoded sealed value (ciphertext only; nothing secret).
#[derive(Clone, PartialEq, Eq)]
pub struct SealedBlob {
    bytes: Vec<u8>,
    rsa_len: usize,
}

impl std::fmt::Debug for SealedBlob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealedBlob")
            .field("len", &self.bytes.len())
            .field("rsa_len", &self.rsa_len)
            .finish()
    }
}

/// Printable text: valid UTF-8 without control characters other than tab, CR and LF.
fn is_printable_text(b: &[u8]) -> bool {
    !b.is_empty()
        && std::str::from_utf8(b).is_ok_and(|s| {
            s.chars()
                .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        })
}

impl SealedBlob {
    /// Decodes and checks the framing. With a plausible prefix the blob's first byte is
    /// 0x01, 0x02 or 0x04 (a control character), so a real blob is never "printable text".
    pub fn parse(text: &str) -> Result<SealedBlob, BlobError> {
        if text.is_empty() {
            return Err(BlobError::Empty);
        }
        let decoded = if text.contains(['\n', '\r']) {
            let cleaned: String = text.chars().filter(|c| !matches!(c, '\n' | '\r')).collect();
            GO_STD.decode(cleaned.as_bytes())
        } else {
            GO_STD.decode(text.as_bytes())
        };
        let bytes = decoded.map_err(|_| BlobError::NotBase64)?;
        let framing = if bytes.len() < 2 {
            Err(BlobError::TooShort {
                len: bytes.len(),
                needed: 2,
            })
        } else {
            let rsa_len = usize::from(u16::from_be_bytes([bytes[0], bytes[1]]));
            let needed = 2 + rsa_len + GCM_TAG_BYTES;
            if !PLAUSIBLE_RSA_BLOCK_BYTES.contains(&rsa_len) {
                Err(BlobError::ImplausibleRsaLength { rsa_len })
            } else if bytes.len() < needed {
                Err(BlobError::TooShort {
                    len: bytes.len(),
                    needed,
                })
            } else {
                Ok(rsa_len)
            }
        };
        match framing {
            Ok(rsa_len) => Ok(SealedBlob { bytes, rsa_len }),
            Err(_) if is_printable_text(&bytes) => Err(BlobError::PrintableText {
                decoded_len: bytes.len(),
            }),
            Err(e) => Err(e),
        }
    }

    /// RSA block length from the prefix (= modulus size in bytes of the sealing key).
    pub fn rsa_len(&self) -> usize {
        self.rsa_len
    }

    pub fn rsa_block(&self) -> &[u8] {
        &self.bytes[2..2 + self.rsa_len]
    }

    /// AES-GCM ciphertext followed by the 16-byte tag.
    pub fn gcm_part(&self) -> &[u8] {
        &self.bytes[2 + self.rsa_len..]
    }

    /// Length of the sealed plaintext (leaks by design).
    pub fn plaintext_len(&self) -> usize {
        self.bytes.len() - 2 - self.rsa_len - GCM_TAG_BYTES
    }
}
