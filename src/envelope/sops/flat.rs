//! sops' flattened metadata (`age__list_0__map_enc`) used by the dotenv and INI stores.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::metadata::{Field, MNode};
use crate::yaml::Span;

enum Flat<'a> {
    Leaf(Field<'a>),
    Map(Vec<(String, Flat<'a>)>, Span),
    List(BTreeMap<usize, Flat<'a>>, Span),
}

enum Seg {
    Map(String),
    List(usize),
}

fn segments(key: &str) -> Option<Vec<Seg>> {
    let mut parts = key.split("__");
    let mut out = vec![Seg::Map(parts.next()?.to_string())];
    for p in parts {
        if let Some(i) = p.strip_prefix("list_") {
            out.push(Seg::List(i.parse().ok()?));
        } else if let Some(k) = p.strip_prefix("map_") {
            out.push(Seg::Map(k.to_string()));
        } else {
            return None;
        }
    }
    Some(out)
}

fn insert<'a>(node: &mut Flat<'a>, segs: &[Seg], field: Field<'a>) {
    let Some((first, rest)) = segs.split_first() else {
        return;
    };
    let span = field.span;
    let make = |rest: &[Seg], field: Field<'a>| -> Flat<'a> {
        match rest.first() {
            None => Flat::Leaf(field),
            Some(Seg::Map(_)) => Flat::Map(Vec::new(), span),
            Some(Seg::List(_)) => Flat::List(BTreeMap::new(), span),
        }
    };
    let child = match (node, first) {
        (Flat::Map(entries, _), Seg::Map(k)) => {
            if !entries.iter().any(|(ek, _)| ek == k) {
                entries.push((k.clone(), make(rest, field.clone())));
            }
            entries.iter_mut().find(|(ek, _)| ek == k).map(|(_, v)| v)
        }
        (Flat::List(items, _), Seg::List(i)) => {
            Some(items.entry(*i).or_insert_with(|| make(rest, field.clone())))
        }
        _ => None, // shape conflict: ignored
    };
    if let Some(c) = child
        && !rest.is_empty()
    {
        insert(c, rest, field);
    }
}

fn to_mnode(f: Flat<'_>) -> MNode<'_> {
    match f {
        Flat::Leaf(field) => MNode::Scalar(field),
        Flat::Map(entries, span) => MNode::Map(
            entries
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k), to_mnode(v)))
                .collect(),
            span,
        ),
        Flat::List(items, span) => MNode::List(items.into_values().map(to_mnode).collect(), span),
    }
}

/// Rebuilds the metadata tree from flattened `(key, value)` pairs (prefix already removed).
pub(crate) fn unflatten<'a>(pairs: Vec<(&str, Field<'a>)>, span: Span) -> MNode<'a> {
    let mut root = Flat::Map(Vec::new(), span);
    for (key, field) in pairs {
        if let Some(segs) = segments(key) {
            insert(&mut root, &segs, field);
        }
    }
    to_mnode(root)
}

/// `DecodeNewLines`: `\n` escapes in metadata values become newlines.
pub(crate) fn decode_newlines(s: &str) -> Cow<'_, str> {
    if s.contains("\\n") {
        Cow::Owned(s.replace("\\n", "\n"))
    } else {
        Cow::Borrowed(s)
    }
}
