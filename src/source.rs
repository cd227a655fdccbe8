//! Load and classify: what a file is decides which stages see it.

use std::path::Path;

use crate::yaml::Pos;

/// How a file is scanned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// `*.yaml`, `*.yml`, `*.json`: parsed into documents, then checked by document rules.
    Manifest,
    /// `kustomization.yaml|yml`, `Kustomization`: a manifest that kustomize reads.
    Kustomization,
    /// A Go/Helm template: scanned as text only.
    Template,
    /// Any other text file: scanned as text only.
    Text,
}

impl FileKind {
    pub fn is_parsed(self) -> bool {
        matches!(self, FileKind::Manifest | FileKind::Kustomization)
    }
}

/// Classifies by file name alone.
pub fn classify_name(path: &str) -> FileKind {
    let name = path.rsplit('/').next().unwrap_or(path);
    if matches!(
        name,
        "kustomization.yaml" | "kustomization.yml" | "Kustomization"
    ) {
        return FileKind::Kustomization;
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json") {
        FileKind::Manifest
    } else if lower.ends_with(".tpl") || lower.ends_with(".gotmpl") {
        FileKind::Template
    } else {
        FileKind::Text
    }
}

/// Classifies a file found under `root`: files inside a Helm chart's `templates/`
/// directory (a sibling `Chart.yaml`) are templates whatever their extension.
pub fn classify(rel: &str, root: &Path) -> FileKind {
    let kind = classify_name(rel);
    if kind.is_parsed() {
        let parts: Vec<&str> = rel.split('/').collect();
        for (i, part) in parts.iter().enumerate().take(parts.len().saturating_sub(1)) {
            if *part == "templates" {
                let chart_dir = root.join(parts[..i].join("/"));
                if chart_dir.join("Chart.yaml").is_file() || chart_dir.join("Chart.yml").is_file() {
                    return FileKind::Template;
                }
            }
        }
    }
    kind
}

/// Bytes inspected for a NUL to call a file binary (as git and ripgrep do).
pub const BINARY_PROBE: usize = 8 * 1024;

/// Offset of the first NUL in the probe window, if any.
pub fn first_nul(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(0, &bytes[..bytes.len().min(BINARY_PROBE)])
}

/// The line/column of a byte offset in possibly invalid UTF-8 (columns count chars, a
/// stray byte counting as one).
pub fn pos_at(bytes: &[u8], offset: usize) -> Pos {
    let start = Pos {
        line: 1,
        col: 1,
        byte: 0,
    };
    advance(start, &bytes[..offset.min(bytes.len())])
}

/// The position right after `text`, which starts at `from` (lines counted with `memchr`,
/// columns in Unicode scalar values: the bytes that do not continue a UTF-8 sequence).
pub fn advance(from: Pos, text: &[u8]) -> Pos {
    let chars = |t: &[u8]| t.iter().filter(|b| (**b & 0xC0) != 0x80).count() as u32;
    let (line, col) = match memchr::memrchr(b'\n', text) {
        Some(last) => (
            from.line + memchr::memchr_iter(b'\n', text).count() as u32,
            1 + chars(&text[last + 1..]),
        ),
        None => (from.line, from.col + chars(text)),
    };
    Pos {
        line,
        col,
        byte: from.byte + text.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            classify_name("a/kustomization.yaml"),
            FileKind::Kustomization
        );
        assert_eq!(classify_name("a/Kustomization"), FileKind::Kustomization);
        assert_eq!(classify_name("a/x.YML"), FileKind::Manifest);
        assert_eq!(classify_name("a/x.json"), FileKind::Manifest);
        assert_eq!(classify_name("a/_helpers.tpl"), FileKind::Template);
        assert_eq!(classify_name("a/.env"), FileKind::Text);
    }

    #[test]
    fn chart_templates() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("charts/web/templates/sub")).unwrap();
        std::fs::write(dir.path().join("charts/web/Chart.yaml"), "name: web\n").unwrap();
        assert_eq!(
            classify("charts/web/templates/sub/deploy.yaml", dir.path()),
            FileKind::Template
        );
        assert_eq!(
            classify("apps/templates/deploy.yaml", dir.path()),
            FileKind::Manifest
        );
    }

    #[test]
    fn positions_in_raw_bytes() {
        let b = b"ab\nc\xffd\x00";
        assert_eq!(
            pos_at(b, 6),
            Pos {
                line: 2,
                col: 4,
                byte: 6
            }
        );
        assert_eq!(first_nul(b), Some(6));
        assert_eq!(
            pos_at(b, 0),
            Pos {
                line: 1,
                col: 1,
                byte: 0
            }
        );
    }

    #[test]
    fn advancing_counts_lines_and_characters() {
        let from = Pos {
            line: 3,
            col: 5,
            byte: 40,
        };
        // Same line: columns in characters (é is two bytes).
        assert_eq!(
            advance(from, "aé b".as_bytes()),
            Pos {
                line: 3,
                col: 9,
                byte: 45
            }
        );
        // Across lines: the column restarts after the last newline.
        assert_eq!(
            advance(from, "x\n\nyé".as_bytes()),
            Pos {
                line: 5,
                col: 3,
                byte: 46
            }
        );
        assert_eq!(advance(from, b""), from);
    }
}
