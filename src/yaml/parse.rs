//! Builds the spanned tree from granit-parser events, without recursion, with hard limits.
//!
//! The adapter is the only place that knows the event parser, so the parser can be swapped
//! (saphyr-parser has the same event shape) without touching any rule.

use std::collections::HashMap;

use granit_parser::{ErrorKind, Event, Marker, Options, Parser, ScalarStyle as GStyle};

use super::node::{Document, Entry, Node, NodeKind, Pos, Scalar, ScalarStyle, Span};

/// Deepest nesting of collections accepted in one document (serde_yaml used 128 too).
pub const MAX_DEPTH: usize = 128;

/// Nodes that aliases may add when expanded (billion-laughs guard). Aliases are never
/// expanded in memory; this only bounds what a consumer that expands them would build.
pub const MAX_ALIAS_EXPANSION: u64 = 1_000_000;

/// Mappings up to this many keys check duplicates by a linear scan; larger ones use a hash index.
const LINEAR_KEY_SCAN: usize = 16;

/// Something wrong with the YAML itself, found while building the tree.
#[derive(Debug, Clone, PartialEq)]
pub enum ParseProblem {
    /// The parser rejected the input at `pos`; the rest of that document is skipped.
    Syntax { pos: Pos, message: String },
    /// The same key twice in one mapping.
    DuplicateKey {
        key: String,
        first: Span,
        second: Span,
    },
    /// Nesting deeper than [`MAX_DEPTH`]; the document is skipped.
    TooDeep { pos: Pos },
    /// Aliases that would expand to more than [`MAX_ALIAS_EXPANSION`] nodes.
    AliasBomb { pos: Pos, expanded: u64 },
}

#[derive(Debug, Default)]
pub struct ParsedYaml {
    pub documents: Vec<Document>,
    pub problems: Vec<ParseProblem>,
}

/// Converts a granit marker (0-based column in chars) into our position.
fn pos(m: &Marker) -> Pos {
    Pos {
        line: m.line() as u32,
        col: m.col() as u32 + 1,
        byte: m.byte_offset().unwrap_or(0),
    }
}

fn style(s: GStyle) -> ScalarStyle {
    match s {
        GStyle::Plain => ScalarStyle::Plain,
        GStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        GStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        GStyle::Literal => ScalarStyle::Literal,
        GStyle::Folded => ScalarStyle::Folded,
    }
}

enum Frame {
    Map {
        start: Pos,
        anchor: usize,
        entries: Vec<Entry>,
        pending_key: Option<Node>,
        /// Key → entry index, built once a mapping outgrows a linear scan.
        key_index: Option<HashMap<Box<str>, usize>>,
        size: u64,
    },
    Seq {
        start: Pos,
        anchor: usize,
        items: Vec<Node>,
        size: u64,
    },
}

/// Tree-building state for one document.
#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
    /// Expanded node count of every anchored node seen in this document.
    anchor_sizes: HashMap<usize, u64>,
    /// Nodes that aliases add on expansion.
    alias_added: u64,
    alias_bomb_reported: bool,
}

impl Builder {
    /// Hands a finished node (and its expanded size) to the enclosing collection.
    fn attach(&mut self, node: Node, size: u64, problems: &mut Vec<ParseProblem>) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq {
                items, size: total, ..
            }) => {
                *total = total.saturating_add(size);
                items.push(node);
            }
            Some(Frame::Map {
                entries,
                pending_key,
                key_index,
                size: total,
                ..
            }) => {
                *total = total.saturating_add(size);
                match pending_key.take() {
                    None => *pending_key = Some(node),
                    Some(key) => {
                        if let Some(k) = key.as_str() {
                            if key_index.is_none() && entries.len() >= LINEAR_KEY_SCAN {
                                let mut idx = HashMap::with_capacity(entries.len() * 2);
                                for (i, e) in entries.iter().enumerate() {
                                    if let Some(ek) = e.key.as_str() {
                                        idx.entry(ek.into()).or_insert(i);
                                    }
                                }
                                *key_index = Some(idx);
                            }
                            let prev = match key_index {
                                Some(idx) => {
                                    let prev = idx.get(k).copied();
                                    if prev.is_none() {
                                        idx.insert(k.into(), entries.len());
                                    }
                                    prev
                                }
                                None => entries.iter().position(|e| e.key.as_str() == Some(k)),
                            };
                            if let Some(p) = prev {
                                problems.push(ParseProblem::DuplicateKey {
                                    key: k.to_string(),
                                    first: entries[p].key.span,
                                    second: key.span,
                                });
                            }
                        }
                        entries.push(Entry { key, value: node });
                    }
                }
            }
        }
    }

    fn record_anchor(&mut self, anchor: usize, size: u64) {
        if anchor != 0 {
            self.anchor_sizes.insert(anchor, size);
        }
    }
}

/// Parses a YAML (or JSON) stream into spanned documents.
///
/// Never panics and never fails: every problem becomes a [`ParseProblem`], and the documents
/// that could be built are returned. A syntax error abandons only the document it is in.
pub fn parse_yaml(src: &str) -> ParsedYaml {
    let mut out = ParsedYaml::default();
    let mut opts = Options::default();
    opts.set_emit_comments(false);
    // The scanner enforces the cap for flow collections (it reads ahead of the events);
    // our builder enforces it for block ones. Both are reported as `TooDeep`.
    opts.block_nesting_limit = MAX_DEPTH + 1;
    opts.flow_nesting_limit = MAX_DEPTH;
    let mut parser = Parser::new_from_str_with_options(src, opts);
    let mut b = Builder::default();
    let mut doc_index = 0usize;
    loop {
        let abandon = match parser.next_event() {
            None => break,
            Some(Err(e)) => {
                out.problems
                    .push(if matches!(e.kind(), ErrorKind::RecursionLimitExceeded) {
                        ParseProblem::TooDeep {
                            pos: pos(e.marker()),
                        }
                    } else {
                        ParseProblem::Syntax {
                            pos: pos(e.marker()),
                            message: e.info(),
                        }
                    });
                true
            }
            Some(Ok((event, span))) => {
                let start = pos(&span.start);
                let end = pos(&span.end);
                match event {
                    Event::StreamStart | Event::StreamEnd => false,
                    Event::DocumentStart(..) => {
                        b = Builder::default();
                        false
                    }
                    Event::DocumentEnd => {
                        if let Some(root) = b.root.take() {
                            out.documents.push(Document {
                                index: doc_index,
                                root,
                            });
                        }
                        doc_index += 1;
                        false
                    }
                    Event::Scalar(value, st, anchor, tag) => {
                        let node = Node {
                            span: Span { start, end },
                            kind: NodeKind::Scalar(Scalar {
                                value: value.into(),
                                style: style(st),
                                tag: tag.map(|t| format!("{}{}", t.handle(), t.suffix()).into()),
                            }),
                        };
                        b.record_anchor(anchor, 1);
                        b.attach(node, 1, &mut out.problems);
                        false
                    }
                    Event::Alias(id) => {
                        let size = b.anchor_sizes.get(&id).copied().unwrap_or(1);
                        b.alias_added = b.alias_added.saturating_add(size);
                        if b.alias_added > MAX_ALIAS_EXPANSION && !b.alias_bomb_reported {
                            b.alias_bomb_reported = true;
                            out.problems.push(ParseProblem::AliasBomb {
                                pos: start,
                                expanded: b.alias_added,
                            });
                        }
                        let node = Node {
                            span: Span { start, end },
                            kind: NodeKind::Alias(id),
                        };
                        b.attach(node, size, &mut out.problems);
                        false
                    }
                    Event::MappingStart(..) | Event::SequenceStart(..)
                        if b.stack.len() >= MAX_DEPTH =>
                    {
                        out.problems.push(ParseProblem::TooDeep { pos: start });
                        true
                    }
                    Event::MappingStart(_, anchor, _) => {
                        b.stack.push(Frame::Map {
                            start,
                            anchor,
                            entries: Vec::new(),
                            pending_key: None,
                            key_index: None,
                            size: 1,
                        });
                        false
                    }
                    Event::SequenceStart(_, anchor, _) => {
                        b.stack.push(Frame::Seq {
                            start,
                            anchor,
                            items: Vec::new(),
                            size: 1,
                        });
                        false
                    }
                    Event::MappingEnd | Event::SequenceEnd => {
                        let (node, size, anchor) = match b.stack.pop() {
                            Some(Frame::Map {
                                start: s,
                                anchor,
                                mut entries,
                                pending_key,
                                size,
                                ..
                            }) => {
                                // A key without a value cannot come from a valid event stream;
                                // keep it with a null value rather than lose it.
                                if let Some(key) = pending_key {
                                    let null = Node {
                                        span: Span::point(key.span.end),
                                        kind: NodeKind::Scalar(Scalar {
                                            value: "".into(),
                                            style: ScalarStyle::Plain,
                                            tag: None,
                                        }),
                                    };
                                    entries.push(Entry { key, value: null });
                                }
                                let e = entries.last().map_or(end, |e| e.value.span.end);
                                (
                                    Node {
                                        span: Span { start: s, end: e },
                                        kind: NodeKind::Mapping(entries),
                                    },
                                    size,
                                    anchor,
                                )
                            }
                            Some(Frame::Seq {
                                start: s,
                                anchor,
                                items,
                                size,
                            }) => {
                                let e = items.last().map_or(end, |n| n.span.end);
                                (
                                    Node {
                                        span: Span { start: s, end: e },
                                        kind: NodeKind::Sequence(items),
                                    },
                                    size,
                                    anchor,
                                )
                            }
                            None => continue,
                        };
                        b.record_anchor(anchor, size);
                        b.attach(node, size, &mut out.problems);
                        false
                    }
                    _ => false,
                }
            }
        };
        if abandon {
            // Drop the partial document and resume at the next `---`, if any.
            b = Builder::default();
            doc_index += 1;
            match parser.proceed_next_document() {
                Ok(true) => continue,
                Ok(false) => break,
                Err(e) => {
                    out.problems.push(ParseProblem::Syntax {
                        pos: pos(e.marker()),
                        message: e.info(),
                    });
                    break;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(src: &str) -> Node {
        let p = parse_yaml(src);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.documents.len(), 1);
        p.documents.into_iter().next().unwrap().root
    }

    #[test]
    fn keys_and_values_have_exact_spans() {
        let src = "a: 1\nb:\n  c: hello\n";
        let root = one(src);
        let c = root.get("b").unwrap().entry("c").unwrap();
        assert_eq!((c.key.span.start.line, c.key.span.start.col), (3, 3));
        assert_eq!((c.value.span.start.line, c.value.span.start.col), (3, 6));
        assert_eq!(&src[c.value.span.bytes()], "hello");
        assert_eq!(&src[c.key.span.bytes()], "c");
    }

    #[test]
    fn block_scalar_span_covers_the_lines() {
        let src = "k: |\n  line1\n  line2\nz: 1\n";
        let root = one(src);
        let v = root.get("k").unwrap();
        assert_eq!(v.as_str(), Some("line1\nline2\n"));
        assert_eq!(v.span.start.line, 2);
        assert!(src[v.span.bytes()].contains("line2"));
    }

    #[test]
    fn multi_document_and_syntax_error_recovery() {
        let src = "a: 1\n---\nb: [1, 2\n---\nc: 3\n";
        let p = parse_yaml(src);
        let keys: Vec<_> = p
            .documents
            .iter()
            .map(|d| d.root.entries()[0].key.as_str().unwrap().to_string())
            .collect();
        assert_eq!(keys, ["a", "c"]);
        assert_eq!(p.documents[1].index, 2);
        assert!(matches!(p.problems[..], [ParseProblem::Syntax { .. }]));
    }

    #[test]
    fn duplicate_key_points_at_both() {
        let p = parse_yaml("a: 1\nb: 2\na: 3\n");
        match &p.problems[..] {
            [ParseProblem::DuplicateKey { key, first, second }] => {
                assert_eq!(key, "a");
                assert_eq!(first.start.line, 1);
                assert_eq!(second.start.line, 3);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn same_key_in_sibling_mappings_is_fine() {
        let p = parse_yaml("- a: 1\n- a: 2\n");
        assert!(p.problems.is_empty());
    }

    #[test]
    fn json_parses_with_positions() {
        let src = "{\"kind\": \"Secret\", \"data\": {\"k\": \"dg==\"}}";
        let root = one(src);
        let k = root.get("data").unwrap().entry("k").unwrap();
        assert_eq!(k.key.span.start.col, 29);
        assert_eq!(k.value.as_str(), Some("dg=="));
    }

    #[test]
    fn deep_nesting_is_capped() {
        let src = "[".repeat(10_000);
        let p = parse_yaml(&src);
        assert!(p.documents.is_empty());
        assert!(
            matches!(p.problems[..], [ParseProblem::TooDeep { .. }]),
            "{:?}",
            p.problems
        );
        // `- - - … x`: 10,000 nested block sequences on one line.
        let block = format!("{}x\n", "- ".repeat(10_000));
        let p = parse_yaml(&block);
        assert!(p.documents.is_empty());
        assert!(
            matches!(p.problems[..], [ParseProblem::TooDeep { .. }]),
            "{:?}",
            p.problems
        );
        let mut nested_maps = String::new();
        for i in 0..300 {
            nested_maps.push_str(&" ".repeat(i));
            nested_maps.push_str("k:\n");
        }
        let p = parse_yaml(&nested_maps);
        assert!(
            matches!(p.problems[..], [ParseProblem::TooDeep { .. }]),
            "{:?}",
            p.problems
        );
    }

    #[test]
    fn alias_bomb_is_reported_without_expanding() {
        let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let refs = vec![format!("*a{}", i - 1); 9].join(", ");
            src.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let p = parse_yaml(&src);
        assert_eq!(p.documents.len(), 1);
        assert!(
            p.problems
                .iter()
                .any(|x| matches!(x, ParseProblem::AliasBomb { .. }))
        );
    }

    #[test]
    fn modest_aliases_are_fine() {
        let p = parse_yaml("base: &b {x: 1}\nuse: *b\nmerge:\n  <<: *b\n  y: 2\n");
        assert!(p.problems.is_empty(), "{:?}", p.problems);
    }

    #[test]
    fn bom_and_crlf() {
        let src = "\u{feff}a: 1\r\nb: two\r\n";
        let root = one(src);
        let b = root.entry("b").unwrap();
        assert_eq!((b.key.span.start.line, b.key.span.start.col), (2, 1));
        assert_eq!(&src[b.value.span.bytes()], "two");
    }

    #[test]
    fn empty_input_has_no_documents() {
        let p = parse_yaml("");
        assert!(p.documents.is_empty());
        assert!(p.problems.is_empty());
    }
}
