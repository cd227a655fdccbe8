//! `--format github`: GitHub Actions workflow commands (annotations on the pull request's
//! diff), plus a Markdown summary appended to `$GITHUB_STEP_SUMMARY` when it is set.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::finding::{Finding, Severity};
use crate::scan::ScanResult;

/// Escapes a workflow-command message (`%`, CR, LF).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value (also `:` and `,`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(f: &Finding) -> String {
    let level = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut props = format!(
        "file={},line={},col={}",
        escape_property(&f.path),
        f.span.start.line,
        f.span.start.col
    );
    if f.span.end > f.span.start {
        props.push_str(&format!(
            ",endLine={},endColumn={}",
            f.span.end.line, f.span.end.col
        ));
    }
    props.push_str(&format!(
        ",title={}",
        escape_property(&format!("envgate {}", f.rule))
    ));
    let mut msg = f.message.clone();
    if let Some(h) = &f.help {
        msg.push_str("\nhelp: ");
        msg.push_str(h);
    }
    format!("::{level} {props}::{}", escape_data(&msg))
}

pub fn render(result: &ScanResult, w: &mut dyn Write) -> io::Result<()> {
    for f in &result.findings {
        writeln!(w, "{}", command(f))?;
    }
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)?;
        file.write_all(summary(result).as_bytes())?;
    }
    Ok(())
}

/// The job summary: counts by rule, the first findings, how to suppress.
pub fn summary(result: &ScanResult) -> String {
    let (e, wn, i) = super::counts(&result.findings);
    let mut s = String::from("## envgate\n\n");
    if result.findings.is_empty() {
        s.push_str(&format!(
            "No findings in {} files.\n",
            result.stats.files_scanned
        ));
        return s;
    }
    s.push_str(&format!(
        "**{e} errors, {wn} warnings, {i} info** in {} files.\n\n| rule | findings |\n|---|---|\n",
        result.stats.files_scanned
    ));
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &result.findings {
        *by_rule.entry(f.rule).or_default() += 1;
    }
    for (r, n) in by_rule {
        s.push_str(&format!("| `{r}` | {n} |\n"));
    }
    s.push_str("\n| severity | location | rule | message |\n|---|---|---|---|\n");
    for f in result.findings.iter().take(20) {
        s.push_str(&format!(
            "| {} | `{}:{}:{}` | `{}` | {} |\n",
            f.severity.as_str(),
            f.path,
            f.span.start.line,
            f.span.start.col,
            f.rule,
            f.message.replace('|', "\\|").replace('\n', " ")
        ));
    }
    if result.findings.len() > 20 {
        s.push_str(&format!("\n… and {} more.\n", result.findings.len() - 20));
    }
    s.push_str(
        "\nTo accept a finding, fix it or add `# envgate:allow RULE -- reason` on its line (or \
         the line above); see `envgate explain RULE`.\n",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
