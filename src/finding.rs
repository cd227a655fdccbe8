//! The one internal result type every rule produces and every report renders.

use std::ops::Range;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::rules::RuleMeta;
use crate::yaml::Span;

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// A second place that explains a finding (e.g. the first of two duplicate keys).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// One source line prepared for display, with every sensitive value already masked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    pub line: u32,
    pub text: String,
    /// Highlighted range, in chars of `text` (0-based, end exclusive).
    pub highlight: Range<usize>,
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    /// Path relative to the scan root, `/`-separated.
    pub path: String,
    pub span: Span,
    /// Never contains a secret value (use [`crate::redact::redact`]).
    pub message: String,
    pub help: Option<String>,
    pub related: Vec<Related>,
    /// Stable across line moves: rule + path + object identity (or secret hash).
    pub fingerprint: String,
    /// Byte range of the secret value in the file, masked in every snippet. Never rendered.
    pub secret: Option<Range<usize>>,
    pub snippet: Option<Snippet>,
}

impl Finding {
    /// A finding of `rule` at `span`. `identity` names what is wrong independently of its
    /// line (e.g. `Secret/ns/name/data.key`); it feeds the fingerprint.
    pub fn new(
        rule: &'static RuleMeta,
        path: &str,
        span: Span,
        message: impl Into<String>,
        identity: &str,
    ) -> Finding {
        Finding {
            rule: rule.id,
            severity: rule.severity,
            path: path.to_string(),
            span,
            message: message.into(),
            help: None,
            related: Vec::new(),
            fingerprint: fingerprint(rule.id, path, identity),
            secret: None,
            snippet: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    pub fn related(mut self, span: Span, message: impl Into<String>) -> Finding {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }

    pub fn secret(mut self, bytes: Range<usize>) -> Finding {
        self.secret = Some(bytes);
        self
    }

    /// The total order of the report: path, line, column, rule, then the rest.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            &self.path,
            self.span.start.line,
            self.span.start.col,
            self.rule,
            self.span.end,
            &self.message,
            &self.fingerprint,
        )
    }
}

/// First 128 bits of SHA-256 over the rule, path and identity, as hex.
pub fn fingerprint(rule: &str, path: &str, identity: &str) -> String {
    let mut h = Sha256::new();
    for part in [rule, path, identity] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex(&h.finalize()[..16])
}

/// Lower-case hex of `bytes` (one allocation: a `format!` per byte made the fingerprint of
/// a finding a dozen allocations).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// Hex SHA-256 of a secret value, for identities that must not depend on its position.
pub fn secret_hash(value: &str) -> String {
    hex(&Sha256::digest(value.as_bytes())[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_position_but_not_identity() {
        let a = fingerprint("raw-secret", "a.yaml", "Secret/ns/x/data.k");
        assert_eq!(a, fingerprint("raw-secret", "a.yaml", "Secret/ns/x/data.k"));
        assert_ne!(a, fingerprint("raw-secret", "a.yaml", "Secret/ns/x/data.j"));
        assert_ne!(a, fingerprint("raw-secret", "b.yaml", "Secret/ns/x/data.k"));
        assert_eq!(a.len(), 32);
        assert_eq!(hex(&[0x00, 0x9f, 0xa0, 0xff]), "009fa0ff");
    }

    #[test]
    fn severities_are_ordered() {
        assert!(Severity::Info < Severity::Warning && Severity::Warning < Severity::Error);
        assert_eq!(Severity::parse("warning"), Some(Severity::Warning));
        assert_eq!(Severity::parse("fatal"), None);
    }
}
