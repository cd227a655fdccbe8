//! SOPS envelopes: detection, structural checks and (with age identities) cryptographic
//! verification, written from the sops file-format reference (`docs/sops-format.md`).
//!
//! Stores: YAML and JSON (both through [`parse_yaml`](crate::yaml::parse_yaml); the
//! binary store is the JSON store with a single `data` key), dotenv and INI (own line
//! parsers). Typical use:
//!
//! ```ignore
//! let parsed = parse_yaml(src);
//! if let Some(d) = sops::find_in_stream(&parsed.documents) {
//!     let problems = sops::structural_problems(src, &d);
//!     let verdict = sops::verify(src, &d, &identities);
//! }
//! ```
//!
//! Nothing in this module ever puts a plaintext value into a [`Problem`], a
//! [`CryptoVerdict`] or a `Debug` string; decrypted bytes live in `Zeroizing` buffers.

mod comments;
mod dotenv;
mod enc;
mod flat;
mod gofmt;
mod ini;
mod keys;
mod metadata;
mod rules;
mod shamir;
mod structural;
#[cfg(test)]
mod tests;
mod tree;
mod typing;
mod verify;

use crate::yaml::{Document, Pos, Span};

pub use enc::{EncError, ValueType};
pub use keys::load_identities;
pub use metadata::{Field, KeyGroup, KeyKind, MasterKey, Metadata, RuleKind};
pub use structural::structural_problems;
pub use verify::{CryptoVerdict, MacFailure, ValueFailure, verify};

/// Which sops store the file uses (decides scalar typing and comment handling).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Store {
    Yaml,
    /// JSON, including the binary store (`{"data": "ENC[…]", "sops": {…}}`).
    Json,
    Dotenv,
    Ini,
}

/// A structural finding. `message` names keys and fields, never values.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub span: Span,
    pub message: String,
}

impl Problem {
    pub(crate) fn new(kind: ProblemKind, span: Span, message: String) -> Problem {
        Problem {
            kind,
            span,
            message,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// `sops.mac` absent or empty (sops: "MAC mismatch. File has no MAC").
    MissingMac,
    /// `sops.lastmodified` absent or empty.
    MissingLastModified,
    /// `sops.lastmodified` is not RFC 3339 (sops refuses the file).
    InvalidLastModified,
    /// `sops.version` absent or empty (sops ≥3.11: "Version string empty").
    MissingVersion,
    /// No master key in any key group ("No keys found in file").
    NoRecipients,
    /// A key group without any master key.
    EmptyKeyGroup,
    /// `shamir_threshold` larger than the number of groups.
    BadShamirThreshold,
    /// A master key entry without `enc`.
    MissingWrappedKey,
    /// A value (or `sops.mac`) that starts like `ENC[` but is not a valid sops ENC value.
    MalformedEnc,
    /// A plaintext value where the file's own rules say it must be encrypted.
    PlaintextValue,
    /// An `ENC[...]` value where the rules say the value is not encrypted (sops treats it
    /// as an opaque string; it never decrypts it).
    EncryptedOutsideRules,
    /// More than one of the six selection options (sops refuses the file).
    ConflictingRules,
    /// A selection regex that does not compile.
    InvalidRegex,
    /// Wrong type or shape inside the `sops` block.
    MalformedMetadata,
    /// A later YAML document of the stream has no `sops` block.
    MissingBlockInDocument,
    /// Something sops cannot walk (alias, non-scalar key, integer above int64, …).
    UnsupportedValue,
}

impl ProblemKind {
    /// Whether sops itself refuses to decrypt a file with this problem.
    pub fn blocks_decryption(self) -> bool {
        !matches!(
            self,
            ProblemKind::EncryptedOutsideRules
                | ProblemKind::MissingBlockInDocument
                | ProblemKind::EmptyKeyGroup
        )
    }
}

/// A detected sops file: its metadata plus the data leaves in MAC order.
/// Borrowed from the YAML tree (or from the dotenv/INI source).
#[derive(Debug)]
pub struct SopsDocument<'a> {
    pub store: Store,
    pub metadata: Metadata<'a>,
    pub(crate) leaves: Vec<tree::Leaf<'a>>,
    /// Problems found while building (metadata shape, aliases, missing blocks).
    pub(crate) build_problems: Vec<Problem>,
}

impl SopsDocument<'_> {
    /// Number of data leaves (comments and nulls excluded).
    pub fn leaf_count(&self) -> usize {
        self.leaves.len()
    }
}

/// Finds sops metadata in one YAML/JSON document (a top-level `sops` mapping that has
/// `mac`, `lastmodified`, `version` or master-key lists). For a multi-document YAML
/// stream use [`find_in_stream`]: the MAC covers all documents.
pub fn find(doc: &Document) -> Option<SopsDocument<'_>> {
    tree::from_documents(std::slice::from_ref(doc))
}

/// Like [`find`] for a whole YAML stream: metadata from the first document that has it,
/// leaves from every document in order (as sops walks its branches).
pub fn find_in_stream(docs: &[Document]) -> Option<SopsDocument<'_>> {
    tree::from_documents(docs)
}

/// Finds sops metadata (`sops_*` keys) in a dotenv file.
pub fn find_dotenv(src: &str) -> Option<SopsDocument<'_>> {
    dotenv::parse(src)
}

/// Finds sops metadata (a `[sops]` section) in an INI file.
pub fn find_ini(src: &str) -> Option<SopsDocument<'_>> {
    ini::parse(src)
}

/// Byte offset → [`Pos`] for the line-based stores.
pub(crate) struct LineIndex<'a> {
    src: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { src, starts }
    }

    pub(crate) fn pos(&self, byte: usize) -> Pos {
        let byte = byte.min(self.src.len());
        let line = self.starts.partition_point(|&s| s <= byte) - 1;
        let start = self.starts[line];
        let col = self.src.get(start..byte).map_or(0, |s| s.chars().count());
        Pos {
            line: line as u32 + 1,
            col: col as u32 + 1,
            byte,
        }
    }

    pub(crate) fn span(&self, start: usize, end: usize) -> Span {
        Span {
            start: self.pos(start),
            end: self.pos(end),
        }
    }
}
