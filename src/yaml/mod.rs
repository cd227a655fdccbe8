//! YAML 1.2 (and JSON) with a position on every key and scalar.

mod node;
mod parse;

pub use node::{Document, Entry, Node, NodeKind, Pos, Scalar, ScalarStyle, Span};
pub use parse::{MAX_ALIAS_EXPANSION, MAX_DEPTH, ParseProblem, ParsedYaml, parse_yaml};
