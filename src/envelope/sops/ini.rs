//! sops' INI store (go-ini): sections are maps, values strings, metadata in `[sops]`.
//! Comments are not tracked (comment-regex rules see no comments in INI files).

use std::collections::HashMap;

use super::metadata::{self, Field};
use super::tree::{CommentSource, Leaf};
use super::typing::Typed;
use super::{LineIndex, Problem, ProblemKind, SopsDocument, Store, flat};

/// go-ini value parsing: quotes (`"""` multi-line, `"`, `` ` ``), inline `#`/`;` comments,
/// surrounding single/double quotes. Returns (value start, value end, bytes consumed past
/// the line for multi-line values).
fn value_range(src: &str, vstart: usize, line_end: usize) -> (usize, usize, usize) {
    let line = &src[vstart..line_end];
    let lead = line.len() - line.trim_start().len();
    let v = line.trim();
    let base = vstart + lead;
    if v.is_empty() {
        return (base, base, line_end);
    }
    for q in ["\"\"\"", "`", "\""] {
        if v.starts_with(q) && (q != "\"" || (v.len() > 1 && v.ends_with('"'))) {
            let inner = base + q.len();
            if let Some(p) = src[inner..line_end].rfind(q) {
                return (inner, inner + p, line_end);
            }
            if q == "\"\"\"" {
                // multi-line: up to the closing quotes on a later line
                if let Some(p) = src[inner..].find(q) {
                    let close = inner + p;
                    let next_nl = src[close..].find('\n').map_or(src.len(), |i| close + i);
                    return (inner, close, next_nl);
                }
            }
            return (inner, line_end, line_end);
        }
    }
    let mut end = base + v.len();
    if let Some(i) = v.find(['#', ';']) {
        end = base + v[..i].trim_end().len();
    }
    let s = &src[base..end];
    if s.len() >= 2
        && ((s.starts_with('"') && s.ends_with('"')) || (s.starts_with('\'') && s.ends_with('\'')))
    {
        return (base + 1, end - 1, line_end);
    }
    (base, end, line_end)
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
    // sops 3.11 reads the metadata from the first `[sops]` section only (`GetSection`)
    // and drops every `[sops]` section from the tree.
    let mut sops_sections = 0usize;
    let mut pos = 0usize;
    while pos < src.len() {
        let line_end = src[pos..].find('\n').map_or(src.len(), |i| pos + i);
        let line_end_nocr = if src[pos..line_end].ends_with('\r') {
            line_end - 1
        } else {
            line_end
        };
        let raw = &src[pos..line_end_nocr];
        let t = raw.trim();
        let lead = raw.len() - raw.trim_start().len();
        let mut next = line_end + 1;
        if t.is_empty() || t.starts_with(';') || t.starts_with('#') {
            // blank or comment
        } else if t.starts_with('[') {
            match t.find(']') {
                Some(close) => {
                    section = t[1..close].trim();
                    seen.clear();
                    if section == "sops" {
                        sops_sections += 1;
                        let header = idx.span(pos + lead, pos + lead + t.len());
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
                None => problems.push(Problem::new(
                    ProblemKind::UnsupportedValue,
                    idx.span(pos, line_end_nocr),
                    "unclosed INI section header".into(),
                )),
            }
        } else if let Some(d) = raw.find(['=', ':']) {
            let key = raw[..d].trim();
            let (vs, ve, consumed) = value_range(src, pos + d + 1, line_end_nocr);
            next = consumed + 1;
            let value = &src[vs..ve];
            let span = idx.span(vs, ve);
            if section == "sops" {
                let field = Field {
                    value: flat::decode_newlines(value),
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
                leaves[i].value = Typed::Str(value.into());
                leaves[i].span = span;
            } else {
                seen.insert(key, leaves.len());
                leaves.push(Leaf {
                    path: vec![section, key],
                    value: Typed::Str(value.into()),
                    span,
                    comments: CommentSource::None,
                });
            }
        } else {
            problems.push(Problem::new(
                ProblemKind::UnsupportedValue,
                idx.span(pos, line_end_nocr),
                "INI line is neither a section, a key nor a comment".into(),
            ));
        }
        pos = next;
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

    #[test]
    fn values() {
        let src = "a = x ; c\nb = \"q\"\nc = \"\"\"l1\nl2\"\"\"\nd =\n";
        let r = |line_start: usize| {
            let le = src[line_start..].find('\n').unwrap() + line_start;
            let d = src[line_start..].find('=').unwrap() + line_start;
            let (s, e, _) = value_range(src, d + 1, le);
            src[s..e].to_string()
        };
        assert_eq!(r(0), "x");
        assert_eq!(r(10), "q");
        assert_eq!(r(18), "l1\nl2");
    }

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
}
