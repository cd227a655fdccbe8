//! `--format junit`: JUnit XML, for CI systems that display test reports. One failing test
//! case per (file, rule), listing that rule's findings in the file; a single passing case
//! when there are none.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::finding::{Finding, Severity};
use crate::scan::ScanResult;

/// XML attribute/text escaping.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

pub fn render(result: &ScanResult, w: &mut dyn Write) -> io::Result<()> {
    let mut cases: BTreeMap<(&str, &str), Vec<&Finding>> = BTreeMap::new();
    for f in &result.findings {
        cases.entry((f.path.as_str(), f.rule)).or_default().push(f);
    }
    let failures = cases
        .values()
        .filter(|fs| fs.iter().any(|f| f.severity == Severity::Error))
        .count();
    let tests = cases.len().max(1);
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<testsuites name="envgate" tests="{tests}" failures="{failures}">"#
    )?;
    writeln!(
        w,
        r#"  <testsuite name="envgate" tests="{tests}" failures="{failures}" errors="0" skipped="0">"#
    )?;
    if cases.is_empty() {
        writeln!(
            w,
            r#"    <testcase classname="envgate" name="scan ({} files)"/>"#,
            result.stats.files_scanned
        )?;
    }
    for ((path, rule), fs) in &cases {
        let worst = fs
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Info);
        writeln!(
            w,
            r#"    <testcase classname="{}" name="{}">"#,
            xml(path),
            xml(rule)
        )?;
        let body: Vec<String> = fs
            .iter()
            .map(|f| {
                format!(
                    "{}:{}:{}: {}: {}",
                    f.path,
                    f.span.start.line,
                    f.span.start.col,
                    f.severity.as_str(),
                    f.message
                )
            })
            .collect();
        let tag = if worst == Severity::Error {
            "failure"
        } else {
            "system-out"
        };
        if tag == "failure" {
            writeln!(
                w,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                worst.as_str(),
                xml(&format!("{} finding(s) of {rule}", fs.len())),
                xml(&body.join("\n"))
            )?;
        } else {
            writeln!(
                w,
                "      <system-out>{}</system-out>",
                xml(&body.join("\n"))
            )?;
        }
        writeln!(w, "    </testcase>")?;
    }
    writeln!(w, "  </testsuite>")?;
    writeln!(w, "</testsuites>")
}
