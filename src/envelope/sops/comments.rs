//! The comments sops' YAML store attaches above each item, recovered from the source
//! (the tree is built without comments). Only needed for the comment-regex rules.

use std::borrow::Cow;

use super::tree::{CommentSource, Leaf, Level};

fn line_start(src: &str, byte: usize) -> usize {
    src[..byte.min(src.len())].rfind('\n').map_or(0, |i| i + 1)
}

/// Text after `#` of a comment line, or `None` if the line is not a comment.
fn comment_text(line: &str) -> Option<&str> {
    line.trim_start().strip_prefix('#')
}

fn level_comments<'s>(src: &'s str, level: &Level) -> Vec<&'s str> {
    let mut out = Vec::new();
    let start = level.start.byte.min(src.len());
    if !src.is_char_boundary(start) {
        return out;
    }
    // Head comments: whole comment lines between the previous sibling and this item.
    let mut lines_above = Vec::new();
    let mut cursor = line_start(src, start);
    let floor = level.prev_end.map(|p| p.byte.min(src.len()));
    while cursor > 0 {
        let prev_start = line_start(src, cursor - 1);
        if floor.is_some_and(|f| prev_start < f || (cursor - 1) < f) {
            break;
        }
        let line = src[prev_start..cursor - 1].trim_end_matches('\r');
        match comment_text(line) {
            Some(c) => lines_above.push(c),
            None if line.trim().is_empty() => {}
            None if floor.is_none() => break,
            None => {}
        }
        cursor = prev_start;
    }
    lines_above.reverse();
    out.extend(lines_above);
    // Inline comment after the value (or after `key:` of a nested collection).
    if let Some(p) = level.inline_from {
        let from = p.byte.min(src.len());
        if src.is_char_boundary(from) {
            let rest = &src[from..];
            let rest = rest.split('\n').next().unwrap_or("").trim_start();
            let rest = rest.strip_prefix(':').unwrap_or(rest).trim_start();
            if let Some(c) = rest.strip_prefix('#') {
                out.push(c.trim_end_matches('\r'));
            }
        }
    }
    out
}

/// The comment stack sops would hold when it reaches `leaf`, one list per level.
pub(crate) fn stack<'s>(src: &'s str, leaf: &'s Leaf<'_>) -> Vec<Vec<Cow<'s, str>>> {
    match &leaf.comments {
        CommentSource::None => Vec::new(),
        CommentSource::Given(levels) => levels
            .iter()
            .map(|l| l.iter().map(|c| Cow::Borrowed(c.as_ref())).collect())
            .collect(),
        CommentSource::Yaml(levels) => levels
            .iter()
            .map(|l| {
                level_comments(src, l)
                    .into_iter()
                    .map(Cow::Borrowed)
                    .collect()
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use crate::envelope::sops::find_in_stream;
    use crate::yaml::parse_yaml;

    #[test]
    fn head_and_inline_comments_per_level() {
        let src = "a: 1\n# top\n# sops:enc\nsecret: x # inline\nnested:\n    # inner\n    k: v\n";
        let p = parse_yaml(&format!("{src}sops:\n    mac: m\n"));
        let d = find_in_stream(&p.documents).unwrap();
        let owned = format!("{src}sops:\n    mac: m\n");
        let stacks: Vec<_> = d.leaves.iter().map(|l| super::stack(&owned, l)).collect();
        assert!(stacks[0][0].is_empty());
        assert_eq!(stacks[1][0], [" top", " sops:enc", " inline"]);
        assert!(stacks[2][0].is_empty());
        assert_eq!(stacks[2][1], [" inner"]);
    }
}
