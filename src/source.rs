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
    let offset = offset.min(bytes.len());
    let before = &bytes[..offset];
    let line = memchr::memchr_iter(b'\n', before).count() as u32 + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    let col = before[line_start..]
        .iter()
        .filter(|b| (**b & 0xC0) != 0x80)
        .count() as u32
        + 1;
    Pos {
        line,
        col,
        byte: offset,
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
}
