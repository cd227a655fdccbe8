//! The spanned YAML tree: every node (mapping keys included) carries its exact source span.

/// A position in the source: 1-based line, 1-based column counted in Unicode scalar values
/// (what SARIF calls `unicodeCodePoints`), and the byte offset into the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
    pub byte: usize,
}

/// A half-open source range `[start, end)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub fn bytes(&self) -> std::ops::Range<usize> {
        self.start.byte..self.end.byte
    }

    /// The start of a file (1:1): where file-level findings point.
    pub fn file_start() -> Span {
        Span::point(Pos {
            line: 1,
            col: 1,
            byte: 0,
        })
    }

    /// A zero-width span at `pos`.
    pub fn point(pos: Pos) -> Span {
        Span {
            start: pos,
            end: pos,
        }
    }
}

/// How a scalar was written; rules use it to tell `yes` from `"yes"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Clone, Debug)]
pub struct Scalar {
    /// The value after YAML escape processing and line folding.
    pub value: Box<str>,
    pub style: ScalarStyle,
    /// The resolved tag, e.g. `tag:yaml.org,2002:str`, when one was written.
    pub tag: Option<Box<str>>,
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

#[derive(Clone, Debug)]
pub enum NodeKind {
    Scalar(Scalar),
    Mapping(Vec<Entry>),
    Sequence(Vec<Node>),
    /// `*name`: aliases are kept as references and never expanded.
    Alias(usize),
}

#[derive(Clone, Debug)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
}

impl Node {
    /// The scalar's value, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(&s.value),
            _ => None,
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[Entry] {
        match &self.kind {
            NodeKind::Mapping(e) => e,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.kind {
            NodeKind::Sequence(i) => i,
            _ => &[],
        }
    }

    pub fn is_mapping(&self) -> bool {
        matches!(self.kind, NodeKind::Mapping(_))
    }

    /// The entry whose key is the scalar `key` (the first one, should the key be duplicated).
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries().iter().find(|e| e.key.as_str() == Some(key))
    }

    /// The value under the scalar key `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The scalar value under `key`.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::as_str)
    }

    /// True for an explicit or implicit YAML null (`~`, `null`, empty plain scalar).
    pub fn is_null(&self) -> bool {
        match &self.kind {
            NodeKind::Scalar(s) => {
                s.style == ScalarStyle::Plain
                    && matches!(&*s.value, "" | "~" | "null" | "Null" | "NULL")
            }
            _ => false,
        }
    }
}

/// One document of a (possibly multi-document) YAML stream.
#[derive(Debug)]
pub struct Document {
    /// 0-based index of the document in its file.
    pub index: usize,
    pub root: Node,
}
