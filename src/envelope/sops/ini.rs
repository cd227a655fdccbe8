//! sops' INI store (go-ini): sections are maps, values strings, metadata in `[sops]`.
//! Comments are not tracked (comment-regex rules see no comments in INI files).
//!
//! The line grammar follows go-ini v1.67.0 (`parser.go`) with the options sops 3.11
//! passes: `LoadOptions{AllowNonUniqueSections: true}` and nothing else, i.e. `=`/`:`
//! delimiters, `\` line continuation on, inline `#`/`;` comments on (no space needed),
//! surrounding quotes stripped, no shadows, no boolean keys, case-sensitive names, no
//! Python multi-line values, unrecognizable lines are errors.

use std::borrow::Cow;
use std::collections::HashMap;

use super::metadata::{self, Field};
use super::tree::{CommentSource, Leaf};
use super::typing::Typed;
use super::{LineIndex, Problem, ProblemKind, SopsDocument, Store, flat};

const DELIMITERS: [char; 2] = ['=', ':'];

/// go-ini's `readUntil('\n')`: the source, line by line, each with its `\n`.
struct Lines<'a> {
    src: &'a str,
    pos: usize,
}

impl Lines<'_> {
    /// The next line as (start, end), `end` past its `\n`; `None` at the end.
    fn next_line(&mut self) -> Option<(usize, usize)> {
        if self.pos >= self.src.len() {
            return None;
        }
        let start = self.pos;
        let end = self.src[start..]
            .find('\n')
            .map_or(self.src.len(), |i| start + i + 1);
        self.pos = end;
        Some((start, end))
    }
}

fn lead(s: &str) -> usize {
    s.len() - s.trim_start().len()
}

/// go-ini `readKeyName` on a left-trimmed line: (key, offset of the value past the
/// delimiter). A key may be quoted with `"`, `"""` or `` ` ``.
fn read_key(line: &str) -> Result<(&str, usize), &'static str> {
    let quote = if line.starts_with('"') {
        if line.len() > 6 && line.starts_with("\"\"\"") {
            "\"\"\""
        } else {
            "\""
        }
    } else if line.starts_with('`') {
        "`"
    } else {
        ""
    };
    if !quote.is_empty() {
        let n = quote.len();
        let close = n + line[n..]
            .find(quote)
            .ok_or("missing closing INI key quote")?;
        let d = line[close + n..]
            .find(DELIMITERS)
            .ok_or("INI line is neither a section, a key nor a comment")?;
        return Ok((line[n..close].trim(), close + n + d + 1));
    }
    match line.find(DELIMITERS) {
        None => Err("INI line is neither a section, a key nor a comment"),
        Some(0) => Err("empty INI key name"),
        Some(d) => Ok((line[..d].trim(), d + 1)),
    }
}

/// go-ini `hasSurroundedQuote`: first and last byte are `quote`, no other `quote` inside.
fn surrounded(v: &str, quote: u8) -> bool {
    let b = v.as_bytes();
    b.len() >= 2 && b[0] == quote && b[b.len() - 1] == quote && !b[1..b.len() - 1].contains(&quote)
}

/// A parsed value and the source range it came from.
struct Value<'a> {
    text: Cow<'a, str>,
    start: usize,
    end: usize,
}

/// go-ini `readValue` on `src[from..to]` (the rest of the line after the delimiter, with
/// its `\n`); reads further lines from `lines` for `"""`/`` ` `` multi-line values and
/// `\` continuations. Quoting: `"""…"""` and `` `…` `` up to the **last** closing quote
/// of the line (no comment stripping); a value whose trimmed text ends in `\` is joined
/// with the following lines (each trimmed, up to the first blank line or the first line
/// not ending in `\`; no comment stripping or unquoting at all); otherwise the first `#`
/// or `;` starts a comment and one pair of surrounding `'` or `"` is removed.
fn read_value<'a>(
    lines: &mut Lines<'a>,
    from: usize,
    to: usize,
) -> Result<Value<'a>, &'static str> {
    let src = lines.src;
    let start = from + lead(&src[from..to]);
    let line = &src[start..to];
    if line.is_empty() {
        return Ok(Value {
            text: Cow::Borrowed(""),
            start,
            end: start,
        });
    }
    let quote = if line.len() > 3 && line.starts_with("\"\"\"") {
        "\"\"\""
    } else if line.starts_with('`') {
        "`"
    } else {
        ""
    };
    if !quote.is_empty() {
        let inner = start + quote.len();
        if let Some(p) = src[inner..to].rfind(quote) {
            return Ok(Value {
                text: Cow::Borrowed(&src[inner..inner + p]),
                start: inner,
                end: inner + p,
            });
        }
        // multi-line: up to the last closing quote of the first later line holding one
        // (line breaks kept as written, `\r` included)
        let resume = lines.pos;
        while let Some((ls, le)) = lines.next_line() {
            if let Some(p) = src[ls..le].rfind(quote) {
                return Ok(Value {
                    text: Cow::Borrowed(&src[inner..ls + p]),
                    start: inner,
                    end: ls + p,
                });
            }
            if !src[ls..le].ends_with('\n') {
                break;
            }
        }
        // go-ini fails on the whole file; carry on after this line to report the rest
        lines.pos = resume;
        return Err("missing closing INI value quote");
    }
    let t = line.trim();
    if let Some(first) = t.strip_suffix('\\') {
        let mut text = first.to_string();
        let mut end = start + t.len();
        while let Some((ls, le)) = lines.next_line() {
            let next = src[ls..le].trim();
            if next.is_empty() {
                break;
            }
            text.push_str(next);
            end = ls + lead(&src[ls..le]) + next.len();
            if !text.ends_with('\\') {
                break;
            }
            text.pop();
        }
        return Ok(Value {
            text: Cow::Owned(text),
            start,
            end,
        });
    }
    let v = match t.find(['#', ';']) {
        Some(i) => t[..i].trim_end(),
        None => t,
    };
    let (s, e) = if surrounded(v, b'\'') || surrounded(v, b'"') {
        (start + 1, start + v.len() - 1)
    } else {
        (start, start + v.len())
    };
    Ok(Value {
        text: Cow::Borrowed(&src[s..e]),
        start: s,
        end: e,
    })
}

pub(crate) fn parse(src: &str) -> Option<SopsDocument<'_>> {
    let idx = LineIndex::new(src);
    let mut leaves: Vec<Leaf<'_>> = Vec::new();
    let mut meta: Vec<(&str, Field<'_>)> = Vec::new();
    let mut problems = Vec::new();
    let mut section: &str = "DEFAULT";
    let mut sops_span = None;
    // go-ini (without `AllowShadows`) keeps one key per name in a section: a repeated key
    // takes the new value at the first key's position. With `AllowNonUniqueSections`
    // (which sops passes) every section header starts a new section, so this is per
    // header, not per name. Maps a key to its index in `leaves` (or `meta`).
    let mut seen: HashMap<&str, usize> = HashMap::new();
    // sops 3.11 reads the metadata from the first `[sops]` section only (`GetSection`).
    let mut sops_sections = 0usize;
    let mut lines = Lines {
        src,
        // go-ini skips a UTF-8 byte order mark
        pos: if src.starts_with('\u{feff}') { 3 } else { 0 },
    };
    while let Some((pos, line_end)) = lines.next_line() {
        let content_end = line_end - src[pos..line_end].len() + src[pos..line_end].trim_end().len();
        let problem_span = idx.span(pos, content_end);
        let start = pos + lead(&src[pos..line_end]);
        let line = &src[start..line_end];
        if line.is_empty() || line.starts_with(['#', ';']) {
            continue;
        }
        if line.starts_with('[') {
            // the name is everything up to the line's last `]`, untrimmed
            let name = match line.rfind(']') {
                None => Err("unclosed INI section header"),
                Some(1) => Err("empty INI section name"),
                Some(close) => Ok(&line[1..close]),
            };
            match name {
                Ok(name) => {
                    section = name;
                    seen.clear();
                    if section == "sops" {
                        sops_sections += 1;
                        let header = idx.span(start, content_end);
                        sops_span.get_or_insert(header);
                        if sops_sections == 2 {
                            // sops 3.11 removes `[sops]` items while ranging over the
                            // section list: it panics (slice bounds out of range) or
                            // leaves the later section in the tree.
                            problems.push(Problem::new(
                                ProblemKind::UnsupportedValue,
                                header,
                                "more than one INI [sops] section".into(),
                            ));
                        }
                    }
                }
                Err(m) => problems.push(Problem::new(
                    ProblemKind::UnsupportedValue,
                    problem_span,
                    m.into(),
                )),
            }
            continue;
        }
        let parsed = read_key(line).and_then(|(key, off)| {
            if key.is_empty() {
                return Err("empty INI key name");
            }
            if key == "-" {
                // go-ini renames it `#1`, `#2`, … (per section): not a name in the file
                return Err("INI auto-increment key `-` is not supported");
            }
            read_value(&mut lines, start + off, line_end).map(|v| (key, v))
        });
        let (key, value) = match parsed {
            Ok(kv) => kv,
            Err(m) => {
                problems.push(Problem::new(
                    ProblemKind::UnsupportedValue,
                    problem_span,
                    m.into(),
                ));
                continue;
            }
        };
        let span = idx.span(value.start, value.end);
        if section == "sops" {
            let field = Field {
                value: match value.text {
                    Cow::Borrowed(v) => flat::decode_newlines(v),
                    Cow::Owned(v) => Cow::Owned(flat::decode_newlines(&v).into_owned()),
                },
                span,
            };
            if sops_sections > 1 {
                // a later `[sops]` section: neither metadata nor tree
            } else if let Some(&i) = seen.get(key) {
                meta[i].1 = field;
            } else {
                seen.insert(key, meta.len());
                meta.push((key, field));
            }
        } else if let Some(&i) = seen.get(key) {
            leaves[i].value = Typed::Str(value.text);
            leaves[i].span = span;
        } else {
            seen.insert(key, leaves.len());
            leaves.push(Leaf {
                path: vec![section, key],
                value: Typed::Str(value.text),
                span,
                comments: CommentSource::None,
            });
        }
    }
    let span = sops_span?;
    let node = flat::unflatten(meta, span);
    if !metadata::looks_like_metadata(&node) {
        return None;
    }
    let metadata = metadata::read_metadata(&node, &mut problems);
    Some(SopsDocument {
        store: Store::Ini,
        metadata,
        leaves,
        build_problems: problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree as `section:key=value` strings, in order.
    fn tree(src: &str) -> Vec<String> {
        let d = parse(src).expect("sops INI");
        d.leaves
            .iter()
            .map(|l| match &l.value {
                Typed::Str(v) => format!("{}={v}", l.path.join(":")),
                other => panic!("INI values are strings, got {other:?}"),
            })
            .collect()
    }

    const SOPS: &str = "[sops]\nversion = 3.11.0\nmac = m\n";

    #[test]
    fn duplicate_key_keeps_first_position_last_value() {
        let src = format!("[a]\nx = 1\ny = 2\nx = 3\n{SOPS}");
        assert_eq!(tree(&src), ["a:x=3", "a:y=2"]);
        // the leaf points at the value that wins
        let d = parse(&src).unwrap();
        assert_eq!(
            &src[d.leaves[0].span.start.byte..d.leaves[0].span.end.byte],
            "3"
        );
        // DEFAULT (keys before any header) follows the same rule
        assert_eq!(tree(&format!("k = a\nk = b\n{SOPS}")), ["DEFAULT:k=b"]);
    }

    #[test]
    fn keys_are_case_sensitive_and_per_section() {
        // different names (case matters in go-ini without `Insensitive`) stay apart
        let src = format!("[a]\nx = 1\nX = 2\n[b]\nx = 3\n{SOPS}");
        assert_eq!(tree(&src), ["a:x=1", "a:X=2", "b:x=3"]);
    }

    #[test]
    fn repeated_section_header_is_a_new_section() {
        // `AllowNonUniqueSections`: each header is its own tree item, keys are not merged
        let src = format!("[a]\nx = 1\n[b]\ny = 2\n[a]\nx = 3\nx = 4\n{SOPS}");
        assert_eq!(tree(&src), ["a:x=1", "b:y=2", "a:x=4"]);
    }

    #[test]
    fn sops_metadata_from_the_first_sops_section_last_value_wins() {
        let src = "[a]\nx = 1\n[sops]\nversion = 1\nversion = 3.11.0\nmac = m\n\
                   [sops]\nversion = 9\nlastmodified = t\n";
        let d = parse(src).unwrap();
        assert_eq!(d.metadata.version.as_ref().unwrap().value, "3.11.0");
        assert!(d.metadata.lastmodified.is_none());
        assert_eq!(tree(src), ["a:x=1"]);
        assert_eq!(d.build_problems.len(), 1);
        assert!(d.build_problems[0].message.contains("more than one"));
        // one `[sops]` section: no problem
        assert!(
            parse(&format!("[a]\nx = 1\n{SOPS}"))
                .unwrap()
                .build_problems
                .is_empty()
        );
    }

    /// The problems' messages.
    fn problems(src: &str) -> Vec<String> {
        parse(src)
            .expect("sops INI")
            .build_problems
            .into_iter()
            .map(|p| p.message)
            .collect()
    }

    #[test]
    fn values_follow_go_ini() {
        let src = format!(
            "[a]\na = x ; c\nb = \"q\"\nc = \"\"\"l1\nl2\"\"\" ; z\nd =\ne = `t;#`\n\
             f = 'q'\ng = \"x;y\"\nh = \"a\"b\"\ni : j\n\"k k\" = v\nl = x#y\n{SOPS}"
        );
        assert_eq!(
            tree(&src),
            [
                "a:a=x",
                "a:b=q",
                "a:c=l1\nl2",
                "a:d=",
                "a:e=t;#",
                "a:f=q",
                // the comment is cut before quotes are looked at
                "a:g=\"x",
                // a quote inside: not a surrounding pair
                "a:h=\"a\"b\"",
                "a:i=j",
                "a:k k=v",
                "a:l=x",
            ]
        );
        assert!(problems(&src).is_empty());
    }

    #[test]
    fn continuation_joins_trimmed_lines() {
        let src = format!("[a]\nx = team\\\n  -payments\ny = 1\n{SOPS}");
        assert_eq!(tree(&src), ["a:x=team-payments", "a:y=1"]);
        assert!(problems(&src).is_empty());
        // the span runs from the first part to the end of the last one
        let d = parse(&src).unwrap();
        let l = &d.leaves[0];
        assert_eq!(
            &src[l.span.start.byte..l.span.end.byte],
            "team\\\n  -payments"
        );
        // several lines; blanks before the `\` are kept; CRLF
        let src = format!("[a]\r\nx = a \\\r\n b\\\r\n\tc\r\ny = 2\r\n{SOPS}");
        assert_eq!(tree(&src), ["a:x=a bc", "a:y=2"]);
        // no comment stripping or unquoting in a continued value, and the next line is
        // taken whatever it looks like
        let src = format!("[a]\nx = \"v\" ; c\\\n[b]\n{SOPS}");
        assert_eq!(tree(&src), ["a:x=\"v\" ; c[b]"]);
        // the value ends at a blank line (or the end of the file)
        let src = format!("[a]\nx = v\\\n\ny = 1\n{SOPS}z = w\\");
        assert_eq!(tree(&src), ["a:x=v", "a:y=1"]);
        let d = parse(&src).unwrap();
        assert!(problems(&src).is_empty());
        assert_eq!(d.metadata.version.as_ref().unwrap().value, "3.11.0");
    }

    #[test]
    fn continuation_only_for_a_trailing_backslash() {
        // inside `…`, or not the last character: a plain value
        let src = format!("[a]\nx = `v\\`\ny = a\\b\n{SOPS}");
        assert_eq!(tree(&src), ["a:x=v\\", "a:y=a\\b"]);
        // go-ini looks for the `\` before cutting the comment: `z` continues and swallows
        // the `[sops]` header, so no metadata section is left
        assert!(parse(&format!("[a]\nz = v ; c\\ \n{SOPS}")).is_none());
    }

    #[test]
    fn malformed_lines_are_problems() {
        for (line, message) in [
            ("just words", "neither a section"),
            ("= v", "empty INI key name"),
            ("\"\" = v", "empty INI key name"),
            ("\"k = v", "missing closing INI key quote"),
            ("[", "unclosed INI section header"),
            ("[]", "empty INI section name"),
            ("- = v", "auto-increment"),
        ] {
            let src = format!("[a]\n{line}\n{SOPS}");
            let p = problems(&src);
            assert!(p.len() == 1 && p[0].contains(message), "{line:?}: {p:?}");
        }
        // an unclosed multi-line value: reported, and the lines after it still parsed
        let src = format!("[a]\nx = \"\"\"open\ny = 1\n{SOPS}");
        assert_eq!(problems(&src), ["missing closing INI value quote"]);
        assert_eq!(tree(&src), ["a:y=1"]);
    }

    #[test]
    fn section_names_are_not_trimmed() {
        // go-ini keeps `[ sops ]` as the name " sops ": no metadata section
        assert!(parse("[a]\nx = 1\n[ sops ]\nversion = 3.11.0\nmac = m\n").is_none());
        let src = format!("[ a ] ; c\nx = 1\n[b]]\ny = 2\n{SOPS}");
        let d = parse(&src).unwrap();
        let paths: Vec<_> = d.leaves.iter().map(|l| l.path.clone()).collect();
        assert_eq!(paths, [vec![" a ", "x"], vec!["b]", "y"]]);
        // a UTF-8 byte order mark is skipped
        assert_eq!(tree(&format!("\u{feff}[a]\nx = 1\n{SOPS}")), ["a:x=1"]);
    }
}
