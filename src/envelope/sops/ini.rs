//! sops' INI store (go-ini): sections are maps, values strings, metadata in `[sops]`.
//! Comments are not tracked (comment-regex rules see no comments in INI files).

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
    let mut leaves = Vec::new();
    let mut meta = Vec::new();
    let mut problems = Vec::new();
    let mut section: &str = "DEFAULT";
    let mut sops_span = None;
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
                    if section == "sops" {
                        sops_span.get_or_insert(idx.span(pos + lead, pos + lead + t.len()));
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
                meta.push((
                    key,
                    Field {
                        value: flat::decode_newlines(value),
                        span,
                    },
                ));
            } else {
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
}
