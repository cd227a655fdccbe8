//! Terminal diagnostics: rustc/miette-style, with the (masked) source line.

use std::io::{self, Write};

use crate::finding::{Finding, Severity};
use crate::scan::ScanResult;

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

pub fn render(result: &ScanResult, color: bool, w: &mut dyn Write) -> io::Result<()> {
    let st = Style { on: color };
    for f in &result.findings {
        write_finding(f, &st, w)?;
    }
    Ok(())
}

fn write_finding(f: &Finding, st: &Style, w: &mut dyn Write) -> io::Result<()> {
    let (label, code) = match f.severity {
        Severity::Error => ("error", "1;31"),
        Severity::Warning => ("warning", "1;33"),
        Severity::Info => ("info", "1;36"),
    };
    writeln!(
        w,
        "{}{} {}",
        st.paint(code, &format!("{label}[{}]", f.rule)),
        st.paint("1", ":"),
        st.paint("1", &f.message)
    )?;
    let gutter = f.snippet.as_ref().map_or(1, |s| s.line.to_string().len());
    let pad = " ".repeat(gutter);
    let bar = st.paint("1;34", "|");
    writeln!(
        w,
        "{pad}{} {}:{}:{}",
        st.paint("1;34", "-->"),
        f.path,
        f.span.start.line,
        f.span.start.col
    )?;
    if let Some(s) = &f.snippet {
        writeln!(w, "{pad} {bar}")?;
        writeln!(
            w,
            "{} {bar} {}",
            st.paint("1;34", &s.line.to_string()),
            s.text
        )?;
        let under = format!(
            "{}{}",
            " ".repeat(s.highlight.start),
            "^".repeat(s.highlight.len().max(1))
        );
        writeln!(w, "{pad} {bar} {}", st.paint(code, &under))?;
    }
    for r in &f.related {
        writeln!(
            w,
            "{pad} {} note: {} at {}:{}:{}",
            st.paint("1;34", "="),
            r.message,
            f.path,
            r.span.start.line,
            r.span.start.col
        )?;
    }
    if let Some(h) = &f.help {
        writeln!(w, "{pad} {} help: {h}", st.paint("1;34", "="))?;
    }
    writeln!(w)
}
