//! Source snippets for findings, with every sensitive value masked before it leaves the
//! file's stage. Reports only ever see the masked text.

use std::ops::Range;

use crate::finding::{Finding, Snippet};
use crate::manifest::objects;
use crate::redact::{is_sensitive_key, redact};
use crate::yaml::{Document, Node, NodeKind};

/// Byte ranges of values that must never be shown: Secret data, generator literals and
/// anything under a credential-named key.
pub fn sensitive_ranges(docs: &[Document], src: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for doc in docs {
        for obj in objects(&doc.root) {
            let maps: Vec<&Node> = match obj.kind {
                Some("Secret") => ["data", "stringData"]
                    .iter()
                    .filter_map(|f| obj.node.get(f))
                    .collect(),
                // A SealedSecret's template data is copied into the Secret as is.
                Some("SealedSecret") => obj
                    .node
                    .get("spec")
                    .and_then(|s| s.get("template"))
                    .and_then(|t| t.get("data"))
                    .into_iter()
                    .collect(),
                _ => Vec::new(),
            };
            for m in maps {
                for e in m.entries() {
                    push_value(&e.value, src, &mut out);
                }
            }
        }
        walk(&doc.root, src, &mut out);
    }
    out
}

fn walk(node: &Node, src: &str, out: &mut Vec<Range<usize>>) {
    match &node.kind {
        NodeKind::Mapping(entries) => {
            // `{name: DB_PASSWORD, value: …}`: the value of a credential-named variable.
            if node.get_str("name").is_some_and(is_sensitive_key)
                && let Some(v) = node.get("value")
            {
                push_value(v, src, out);
            }
            for e in entries {
                let key = e.key.as_str().unwrap_or("");
                // last-applied-configuration holds a full copy of the object (Secret data).
                if is_sensitive_key(key) || key.ends_with("/last-applied-configuration") {
                    push_value(&e.value, src, out);
                }
                if key == "literals" {
                    // `KEY=value`: mask the value, keep the key readable.
                    for item in e.value.items() {
                        if let NodeKind::Scalar(_) = item.kind {
                            let r = unquoted(item.span.bytes(), src);
                            let eq = src.get(r.clone()).and_then(|t| t.find('='));
                            let start = eq.map_or(r.start, |i| r.start + i + 1);
                            if start < r.end {
                                out.push(start..r.end);
                            }
                        }
                    }
                }
                walk(&e.value, src, out);
            }
        }
        NodeKind::Sequence(items) => items.iter().for_each(|n| walk(n, src, out)),
        _ => {}
    }
}

fn push_value(node: &Node, src: &str, out: &mut Vec<Range<usize>>) {
    if let NodeKind::Scalar(_) = node.kind {
        let r = unquoted(node.span.bytes(), src);
        if r.start < r.end {
            out.push(r);
        }
    }
}

/// Shrinks a quoted scalar's range to its content.
fn unquoted(r: Range<usize>, src: &str) -> Range<usize> {
    unquoted_bytes(r, src.as_bytes())
}

fn unquoted_bytes(r: Range<usize>, b: &[u8]) -> Range<usize> {
    if r.end >= r.start + 2
        && r.end <= b.len()
        && matches!(b[r.start], b'"' | b'\'')
        && b[r.end - 1] == b[r.start]
    {
        r.start + 1..r.end - 1
    } else {
        r
    }
}

/// Fills `finding.snippet` for every finding from the file's bytes.
pub fn attach(findings: &mut [Finding], bytes: &[u8], sensitive: &[Range<usize>]) {
    for f in findings.iter_mut() {
        let line_no = f.span.start.line;
        let Some(line) = line_range(bytes, f.span.start.byte, line_no) else {
            continue;
        };
        let secret = f.secret.clone().map(|r| unquoted_bytes(r, bytes));
        let mut masks: Vec<Range<usize>> = sensitive
            .iter()
            .chain(secret.iter())
            .filter(|r| r.start < line.end && r.end > line.start)
            .cloned()
            .collect();
        masks.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
        let hl_start = f.span.start.byte.clamp(line.start, line.end);
        let hl_end = if f.span.end.line == line_no && f.span.end.byte > hl_start {
            f.span.end.byte.min(line.end)
        } else {
            line.end
        };
        f.snippet = Some(render_line(
            bytes,
            line.clone(),
            &masks,
            hl_start..hl_end,
            line_no,
        ));
    }
}

/// The byte range of the line holding `offset` (without the line break).
fn line_range(bytes: &[u8], offset: usize, line_no: u32) -> Option<Range<usize>> {
    if line_no == 0 || offset > bytes.len() {
        return None;
    }
    let start = memchr::memrchr(b'\n', &bytes[..offset]).map_or(0, |i| i + 1);
    let mut end = memchr::memchr(b'\n', &bytes[offset..]).map_or(bytes.len(), |i| offset + i);
    if end > start && bytes[end - 1] == b'\r' {
        end -= 1;
    }
    Some(start..end)
}

fn render_line(
    bytes: &[u8],
    line: Range<usize>,
    masks: &[Range<usize>],
    hl: Range<usize>,
    line_no: u32,
) -> Snippet {
    let mut text = String::new();
    let mut chars = 0usize;
    let (mut hl_s, mut hl_e) = (None, None);
    let mut i = line.start;
    let mut mask_iter = masks.iter().peekable();
    while i < line.end {
        if hl_s.is_none() && i >= hl.start {
            hl_s = Some(chars);
        }
        if hl_e.is_none() && i >= hl.end {
            hl_e = Some(chars);
        }
        while mask_iter.peek().is_some_and(|m| m.end <= i) {
            mask_iter.next();
        }
        if let Some(m) = mask_iter.peek().filter(|m| m.start <= i) {
            let shown = if m.start >= line.start {
                redact(&String::from_utf8_lossy(&bytes[m.start..m.end]))
            } else {
                "…(masked)".to_string()
            };
            text.push_str(&shown);
            chars += shown.chars().count();
            i = m.end.min(line.end);
            continue;
        }
        let ch_len = utf8_len(bytes[i]).min(line.end - i);
        match std::str::from_utf8(&bytes[i..i + ch_len]) {
            Ok("\t") => text.push(' '),
            Ok(s) => text.push_str(s),
            Err(_) => text.push('\u{fffd}'),
        }
        chars += 1;
        i += ch_len;
    }
    let mut hl_s = hl_s.unwrap_or(chars);
    let mut hl_e = hl_e.unwrap_or(chars).max(hl_s);
    let text = match mask_credential_assignment(&text) {
        Some((masked, value_col)) => {
            let len = masked.chars().count();
            if hl_s > value_col {
                hl_s = value_col;
            }
            hl_e = if hl_e > value_col { len } else { hl_e };
            masked
        }
        None => text,
    };
    Snippet {
        line: line_no,
        text,
        highlight: hl_s..hl_e.max(hl_s + 1),
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Last line of defence for lines no parse covered (e.g. a broken file): `key: value` or
/// `KEY=value` where the key is credential-like gets its value masked. Returns the masked
/// line and the char column where the masked value starts.
fn mask_credential_assignment(text: &str) -> Option<(String, usize)> {
    let trimmed = text.trim_start_matches([' ', '-']);
    let indent = text.len() - trimmed.len();
    let sep = trimmed.find([':', '='])?;
    let key = trimmed[..sep].trim().trim_matches(['"', '\'']);
    let after = &trimmed[sep + 1..];
    let value = after.trim();
    if !is_sensitive_key(key)
        || value.is_empty()
        || value.contains('…')
        || value.starts_with(['|', '>', '{', '[', '#'])
        || value.starts_with("ENC[")
    {
        return None;
    }
    let value_at = indent + sep + 1 + (after.len() - after.trim_start().len());
    let value_col = text[..value_at].chars().count();
    let masked = format!(
        "{}{}",
        &text[..value_at],
        redact(value.trim_matches(['"', '\'']))
    );
    Some((masked, value_col))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::raw_secret::RawSecret;
    use crate::yaml::parse_yaml;

    fn snippet_for(src: &str, line: u32) -> Snippet {
        let parsed = parse_yaml(src);
        let sens = sensitive_ranges(&parsed.documents, src);
        let start = src
            .split_inclusive('\n')
            .take(line as usize - 1)
            .map(str::len)
            .sum::<usize>();
        let text = &src[start..];
        let indent = text.len() - text.trim_start().len();
        let p = crate::yaml::Pos {
            line,
            col: indent as u32 + 1,
            byte: start + indent,
        };
        let mut f = vec![crate::finding::Finding::new(
            &RawSecret::META,
            "x.yaml",
            crate::yaml::Span::point(p),
            "m",
            "i",
        )];
        attach(&mut f, src.as_bytes(), &sens);
        f.pop().unwrap().snippet.unwrap()
    }

    #[test]
    fn secret_values_are_masked_and_highlight_stays_on_the_key() {
        let src = "apiVersion: v1\nkind: Secret\nstringData:\n  token: \"supersecretvalue123\"\n";
        let s = snippet_for(src, 4);
        assert_eq!(s.text, "  token: \"supe…(19 chars)\"");
        assert_eq!(s.highlight.start, 2);
    }

    #[test]
    fn credential_keys_anywhere_are_masked() {
        let src = "env:\n  - name: X\n    password: hunter2hunter2\n";
        let s = snippet_for(src, 3);
        assert!(!s.text.contains("hunter2hunter2"), "{}", s.text);
    }

    #[test]
    fn unparsed_lines_fall_back_to_the_heuristic() {
        let src = "db_password: s3cr3t-value\nbroken: [\n";
        let s = snippet_for(src, 1);
        assert!(!s.text.contains("s3cr3t-value"), "{}", s.text);
        let src = "image: nginx:1.27\n";
        assert_eq!(snippet_for(src, 1).text, "image: nginx:1.27");
    }

    #[test]
    fn multi_line_secret_is_masked_on_every_line() {
        let src = "apiVersion: v1\nkind: Secret\nstringData:\n  key.pem: |\n    -----BEGIN KEY-----\n    MIIEabcdefgh\n";
        let s = snippet_for(src, 6);
        assert!(!s.text.contains("MIIEabcdefgh"), "{}", s.text);
    }
}
