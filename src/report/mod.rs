//! Reports: findings → text. The report layer knows findings, never rules' internals.

use std::io::{self, Write};

use crate::finding::{Finding, Severity};
use crate::scan::ScanResult;

pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    /// GitHub Actions workflow commands (+ job summary).
    Github,
    /// GitLab Code Quality JSON.
    Gitlab,
    /// JUnit XML.
    Junit,
}

pub fn render(
    format: Format,
    result: &ScanResult,
    color: bool,
    w: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(result, color, w),
        Format::Json => json::render(result, w),
        Format::Sarif => sarif::render(result, w),
        Format::Github => github::render(result, w),
        Format::Gitlab => gitlab::render(result, w),
        Format::Junit => junit::render(result, w),
    }
}

/// Findings per severity: (error, warning, info).
pub fn counts(findings: &[Finding]) -> (usize, usize, usize) {
    findings
        .iter()
        .fold((0, 0, 0), |(e, w, i), f| match f.severity {
            Severity::Error => (e + 1, w, i),
            Severity::Warning => (e, w + 1, i),
            Severity::Info => (e, w, i + 1),
        })
}

/// The one-line summary printed to stderr after a human report.
pub fn summary_line(result: &ScanResult) -> String {
    let (e, w, i) = counts(&result.findings);
    let s = &result.stats;
    let binary = if s.files_binary > 0 {
        format!(" ({} binary skipped)", s.files_binary)
    } else {
        String::new()
    };
    format!(
        "envgate: scanned {} files{binary}, {} documents in {:.2}s: {e} error{}, {w} warning{}, {i} info",
        s.files_scanned,
        s.documents,
        result.elapsed.as_secs_f64(),
        plural(e),
        plural(w),
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
