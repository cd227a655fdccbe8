//! `--format gitlab`: GitLab Code Quality report (a JSON array of issues), shown in merge
//! requests when uploaded as `artifacts:reports:codequality`.

use std::collections::HashMap;
use std::io::{self, Write};

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::finding::Severity;
use crate::scan::ScanResult;

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}

pub fn render(result: &ScanResult, w: &mut dyn Write) -> io::Result<()> {
    // GitLab needs a unique fingerprint per issue; envgate's repeats when the same secret
    // occurs twice in a file. The n-th occurrence gets its own, still line-independent.
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let issues: Vec<_> = result
        .findings
        .iter()
        .map(|f| {
            let n = seen.entry(f.fingerprint.as_str()).or_default();
            *n += 1;
            let fp = crate::finding::hex(
                &Sha256::digest(format!("{}#{}", f.fingerprint, n).as_bytes())[..16],
            );
            json!({
                "type": "issue",
                "check_name": f.rule,
                "description": f.message,
                "categories": ["Security"],
                "severity": severity(f.severity),
                "fingerprint": fp,
                "location": {
                    "path": f.path,
                    "lines": { "begin": f.span.start.line, "end": f.span.end.line.max(f.span.start.line) },
                },
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *w, &issues)?;
    writeln!(w)
}
