//! The data leaves of a YAML/JSON sops file, in the order sops walks them.

use std::borrow::Cow;

use super::metadata::{self, MNode};
use super::typing::{self, Typed};
use super::{Problem, ProblemKind, SopsDocument, Store};
use crate::yaml::{Document, Node, NodeKind, Pos, ScalarStyle, Span};

/// Where to look for the comments sops would see above one level of a leaf's path.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Level {
    /// Start of the mapping key (or sequence item).
    pub start: Pos,
    /// End of the previous sibling, if any.
    pub prev_end: Option<Pos>,
    /// Where an inline comment of this item may start (after the scalar value, or after
    /// the key of a nested collection).
    pub inline_from: Option<Pos>,
}

#[derive(Clone, Debug)]
pub(crate) enum CommentSource<'a> {
    None,
    /// YAML: looked up in the source on demand.
    Yaml(Vec<Level>),
    /// dotenv: collected while parsing.
    Given(Vec<Vec<Cow<'a, str>>>),
}

/// One data leaf. `value` may hold a plaintext string borrowed from the file; its
/// `Debug` output is redacted.
pub(crate) struct Leaf<'a> {
    pub path: Vec<&'a str>,
    pub value: Typed<'a>,
    pub span: Span,
    pub comments: CommentSource<'a>,
}

impl std::fmt::Debug for Leaf<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Leaf")
            .field("path", &self.path)
            .field("span", &self.span)
            .finish_non_exhaustive()
    }
}

impl Leaf<'_> {
    /// The AAD sops uses for this leaf: map keys joined by `:`, plus a trailing `:`.
    pub(crate) fn aad(&self) -> String {
        let mut s = self.path.join(":");
        s.push(':');
        s
    }

    /// The key path for messages (`data.password`).
    pub(crate) fn display_path(&self) -> String {
        if self.path.is_empty() {
            "(root)".to_string()
        } else {
            self.path.join(".")
        }
    }
}

fn metadata_node(root: &Node) -> Option<&Node> {
    let v = root.get("sops")?;
    metadata::looks_like_metadata(&MNode::from_yaml(v)).then_some(v)
}

/// JSON if every top-level key is double-quoted (sops never quotes plain YAML keys).
fn guess_store(root: &Node) -> Store {
    let keys = root.entries();
    if !keys.is_empty()
        && keys
            .iter()
            .all(|e| matches!(e.key.as_scalar(), Some(s) if s.style == ScalarStyle::DoubleQuoted))
    {
        Store::Json
    } else {
        Store::Yaml
    }
}

fn version_at_least(v: Option<&str>, want: (u32, u32, u32)) -> bool {
    let Some(v) = v else { return false };
    let mut it = v.trim().split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let got = (
        it.next().unwrap_or(0),
        it.next().unwrap_or(0),
        it.next().unwrap_or(0),
    );
    got >= want
}

struct Walker<'a> {
    store: Store,
    json_ints: bool,
    leaves: Vec<Leaf<'a>>,
    problems: Vec<Problem>,
}

impl<'a> Walker<'a> {
    fn typed(&self, node: &'a Node) -> Typed<'a> {
        match &node.kind {
            NodeKind::Scalar(s) => match self.store {
                Store::Json => typing::resolve_json(s, self.json_ints),
                _ => typing::resolve_yaml(s),
            },
            _ => Typed::Null,
        }
    }

    fn walk(&mut self, node: &'a Node, path: &mut Vec<&'a str>, levels: &mut Vec<Level>) {
        match &node.kind {
            NodeKind::Scalar(_) => {
                let value = self.typed(node);
                if value != Typed::Null {
                    self.leaves.push(Leaf {
                        path: path.clone(),
                        value,
                        span: node.span,
                        comments: CommentSource::Yaml(levels.clone()),
                    });
                }
            }
            NodeKind::Mapping(entries) => {
                let mut prev_end = None;
                for e in entries {
                    let key = match e.key.as_scalar() {
                        Some(k) if matches!(self.typed(&e.key), Typed::Str(_)) => &*k.value,
                        _ => {
                            self.problems.push(Problem::new(
                                ProblemKind::UnsupportedValue,
                                e.key.span,
                                "sops only supports string keys".into(),
                            ));
                            prev_end = Some(e.value.span.end);
                            continue;
                        }
                    };
                    let inline_from = match &e.value.kind {
                        NodeKind::Scalar(_) | NodeKind::Alias(_) => Some(e.value.span.end),
                        _ => Some(e.key.span.end),
                    };
                    levels.push(Level {
                        start: e.key.span.start,
                        prev_end,
                        inline_from,
                    });
                    path.push(key);
                    self.walk(&e.value, path, levels);
                    path.pop();
                    levels.pop();
                    prev_end = Some(e.value.span.end);
                }
            }
            NodeKind::Sequence(items) => {
                let mut prev_end = None;
                for item in items {
                    let inline_from =
                        matches!(item.kind, NodeKind::Scalar(_)).then_some(item.span.end);
                    levels.push(Level {
                        start: item.span.start,
                        prev_end,
                        inline_from,
                    });
                    self.walk(item, path, levels);
                    levels.pop();
                    prev_end = Some(item.span.end);
                }
            }
            NodeKind::Alias(_) => self.problems.push(Problem::new(
                ProblemKind::UnsupportedValue,
                node.span,
                format!(
                    "alias under `{}`: sops expands aliases, this checker does not",
                    path.join(".")
                ),
            )),
        }
    }
}

/// Builds the sops view of a YAML/JSON stream; `None` when no document has sops metadata.
pub(crate) fn from_documents(docs: &[Document]) -> Option<SopsDocument<'_>> {
    let (first, md_node) = docs
        .iter()
        .find_map(|d| metadata_node(&d.root).map(|m| (d, m)))?;
    let mut problems = Vec::new();
    let metadata = metadata::read_metadata(&MNode::from_yaml(md_node), &mut problems);
    let store = guess_store(&first.root);
    let json_ints = store == Store::Json
        && version_at_least(metadata.version.as_ref().map(|v| &*v.value), (3, 13, 2));
    let mut w = Walker {
        store,
        json_ints,
        leaves: Vec::new(),
        problems,
    };
    for d in docs {
        if !d.root.is_mapping() {
            if !d.root.is_null() {
                w.problems.push(Problem::new(
                    ProblemKind::UnsupportedValue,
                    d.root.span,
                    "sops documents must be mappings".into(),
                ));
            }
            continue;
        }
        if metadata_node(&d.root).is_none() {
            w.problems.push(Problem::new(
                ProblemKind::MissingBlockInDocument,
                Span::point(d.root.span.start),
                format!("document {} has no `sops` metadata block", d.index + 1),
            ));
        }
        // sops erases the top-level `sops` key of every document, then walks the rest.
        let mut prev_end = None;
        for e in d.root.entries() {
            if e.key.as_str() == Some("sops") {
                prev_end = Some(e.value.span.end);
                continue;
            }
            let Some(key) = e
                .key
                .as_scalar()
                .filter(|_| matches!(w.typed(&e.key), Typed::Str(_)))
            else {
                w.problems.push(Problem::new(
                    ProblemKind::UnsupportedValue,
                    e.key.span,
                    "sops only supports string keys".into(),
                ));
                continue;
            };
            let inline_from = match &e.value.kind {
                NodeKind::Scalar(_) | NodeKind::Alias(_) => Some(e.value.span.end),
                _ => Some(e.key.span.end),
            };
            let mut levels = vec![Level {
                start: e.key.span.start,
                prev_end,
                inline_from,
            }];
            let mut path = vec![&*key.value];
            w.walk(&e.value, &mut path, &mut levels);
            prev_end = Some(e.value.span.end);
        }
    }
    Some(SopsDocument {
        store,
        metadata,
        leaves: w.leaves,
        build_problems: w.problems,
    })
}
