//! sops' dotenv store: `KEY=VALUE` lines, `#` comments, metadata in `sops_*` keys.

use std::borrow::Cow;

use super::metadata::{self, Field};
use super::tree::{CommentSource, Leaf};
use super::typing::Typed;
use super::{LineIndex, Problem, ProblemKind, SopsDocument, Store, flat};

pub(crate) fn parse(src: &str) -> Option<SopsDocument<'_>> {
    let idx = LineIndex::new(src);
    let mut leaves = Vec::new();
    let mut meta = Vec::new();
    let mut problems = Vec::new();
    let mut pending: Vec<Cow<'_, str>> = Vec::new();
    let mut meta_span = None;
    let mut offset = 0usize;
    for line in src.split('\n') {
        let start = offset;
        offset += line.len() + 1;
        if line.is_empty() {
            continue;
        }
        if let Some(c) = line.strip_prefix('#') {
            pending.push(Cow::Borrowed(c));
            continue;
        }
        let Some(eq) = line.find('=') else {
            problems.push(Problem::new(
                ProblemKind::UnsupportedValue,
                idx.span(start, start + line.len()),
                "invalid dotenv line (no `=`); sops refuses the file".into(),
            ));
            continue;
        };
        let key = &line[..eq];
        let raw = &line[eq + 1..];
        let vspan = idx.span(start + eq + 1, start + line.len());
        let value = flat::decode_newlines(raw);
        if let Some(mkey) = key.strip_prefix("sops_") {
            meta_span.get_or_insert(idx.span(start, start + line.len()));
            meta.push((mkey, Field { value, span: vspan }));
        } else {
            leaves.push(Leaf {
                path: vec![key],
                value: Typed::Str(value),
                span: vspan,
                comments: CommentSource::Given(vec![std::mem::take(&mut pending)]),
            });
        }
    }
    let span = meta_span?;
    let node = flat::unflatten(meta, span);
    if !metadata::looks_like_metadata(&node) {
        return None;
    }
    let metadata = metadata::read_metadata(&node, &mut problems);
    Some(SopsDocument {
        store: Store::Dotenv,
        metadata,
        leaves,
        build_problems: problems,
    })
}
