//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it. Hand-written structs:
//! only the fields code scanning uses; validated against the official schema in tests.

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::finding::{Finding, Severity};
use crate::rules::{self, RuleMeta};
use crate::scan::ScanResult;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (0–10) from the default severity.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Info => "2.0",
    }
}

/// Percent-encodes a relative path for a URI reference (RFC 3986 unreserved + `/`).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn rule_descriptor(r: &RuleMeta) -> Value {
    json!({
        "id": r.id,
        "name": r.id,
        "shortDescription": { "text": r.summary },
        "fullDescription": { "text": r.summary },
        "help": { "text": r.explain(), "markdown": r.explain() },
        "defaultConfiguration": { "level": level(r.severity) },
        "properties": {
            "tags": ["envgate"],
            "security-severity": security_severity(r.severity),
        },
    })
}

fn region(span: &crate::yaml::Span) -> Value {
    let mut r = json!({
        "startLine": span.start.line,
        "startColumn": span.start.col,
    });
    if span.end > span.start && span.end.line >= span.start.line {
        r["endLine"] = json!(span.end.line);
        r["endColumn"] = json!(span.end.col);
    }
    r
}

fn result(f: &Finding, used: &[&RuleMeta]) -> Value {
    let index = used.iter().position(|r| r.id == f.rule);
    let location = |span: &crate::yaml::Span| {
        json!({
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&f.path), "uriBaseId": "%SRCROOT%" },
                "region": region(span),
            }
        })
    };
    let mut text = f.message.clone();
    if let Some(h) = &f.help {
        text.push_str(". Help: ");
        text.push_str(h);
    }
    let mut r = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": { "text": text },
        "locations": [location(&f.span)],
        "partialFingerprints": { "envgate/v1": f.fingerprint },
    });
    if let Some(i) = index {
        r["ruleIndex"] = json!(i);
    }
    if !f.related.is_empty() {
        r["relatedLocations"] = Value::Array(
            f.related
                .iter()
                .enumerate()
                .map(|(i, rel)| {
                    let mut l = location(&rel.span);
                    l["id"] = json!(i + 1);
                    l["message"] = json!({ "text": rel.message });
                    l
                })
                .collect(),
        );
    }
    r
}

pub fn render(res: &ScanResult, w: &mut dyn Write) -> io::Result<()> {
    // Only the rules that have results: code scanning needs nothing else, and ~200 unused
    // descriptors would dwarf a typical report.
    let used: Vec<&RuleMeta> = rules::all()
        .iter()
        .copied()
        .filter(|r| res.findings.iter().any(|f| f.rule == r.id))
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "envgate",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": used.iter().map(|r| rule_descriptor(r)).collect::<Vec<_>>(),
                }
            },
            "columnKind": "unicodeCodePoints",
            "invocations": [{ "executionSuccessful": true }],
            "results": res.findings.iter().map(|f| result(f, &used)).collect::<Vec<_>>(),
        }]
    });
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("apps/my app/ä.yaml"), "apps/my%20app/%C3%A4.yaml");
    }
}
