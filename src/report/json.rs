//! `--format json`: a versioned, documented schema (see README, "JSON output").

use std::io::{self, Write};

use serde::Serialize;

use crate::finding::Severity;
use crate::scan::ScanResult;

/// Bumped on any incompatible change to the shape below.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
    /// Baseline entries that no longer match a finding (only with `--baseline`).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    stale_baseline: &'a [crate::baseline::Entry],
    summary: Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: Severity,
    path: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    fingerprint: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    line: u32,
    column: u32,
    message: &'a str,
}

#[derive(Serialize)]
struct Summary {
    files_scanned: usize,
    files_binary: usize,
    documents: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

pub fn render(result: &ScanResult, w: &mut dyn Write) -> io::Result<()> {
    let (errors, warnings, infos) = super::counts(&result.findings);
    let report = Report {
        version: SCHEMA_VERSION,
        tool: Tool {
            name: "envgate",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings: result
            .findings
            .iter()
            .map(|f| JsonFinding {
                rule: f.rule,
                severity: f.severity,
                path: &f.path,
                line: f.span.start.line,
                column: f.span.start.col,
                end_line: f.span.end.line,
                end_column: f.span.end.col,
                message: &f.message,
                help: f.help.as_deref(),
                fingerprint: &f.fingerprint,
                related: f
                    .related
                    .iter()
                    .map(|r| JsonRelated {
                        line: r.span.start.line,
                        column: r.span.start.col,
                        message: &r.message,
                    })
                    .collect(),
            })
            .collect(),
        stale_baseline: &result.stale_baseline,
        summary: Summary {
            files_scanned: result.stats.files_scanned,
            files_binary: result.stats.files_binary,
            documents: result.stats.documents,
            errors,
            warnings,
            infos,
        },
    };
    serde_json::to_writer_pretty(&mut *w, &report)?;
    writeln!(w)
}
