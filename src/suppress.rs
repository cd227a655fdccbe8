//! Suppressions: inline comments and the config's `allow:` entries.
//!
//! Inline, on the finding's line or alone on the line above it:
//! - `# envgate:allow RULE[,RULE] -- reason` (or `envgate:ignore`; `//` comments too);
//! - `# envgate:ignore-file RULE[,RULE] -- reason` anywhere: the whole file;
//! - `gitleaks:allow` and `pragma: allowlist secret` (detect-secrets), accepted for
//!   migration: they silence credential findings on their line.

use crate::config::Config;
use crate::finding::Finding;
use crate::rules::{self, invalid_suppression::InvalidSuppression};
use crate::source::pos_at;
use crate::yaml::Span;

/// Rules that are about the file itself, not a credential: foreign markers don't touch them.
fn is_hygiene(rule: &str) -> bool {
    matches!(
        rule,
        "yaml-syntax"
            | "duplicate-key"
            | "yaml-too-complex"
            | "file-unreadable"
            | "file-too-large"
            | "invalid-suppression"
    )
}

struct Directive {
    /// Lines whose findings it covers.
    lines: (u32, u32),
    /// None: every credential rule (foreign markers).
    rules: Option<Vec<String>>,
}

fn parse(bytes: &[u8], path: &str, warnings: &mut Vec<Finding>) -> Vec<Directive> {
    let mut out = Vec::new();
    let finder = memchr::memmem::Finder::new(b"envgate:");
    let mut positions: Vec<(usize, bool)> = finder.find_iter(bytes).map(|i| (i, true)).collect();
    for marker in [&b"gitleaks:allow"[..], b"pragma: allowlist secret"] {
        positions.extend(memchr::memmem::find_iter(bytes, marker).map(|i| (i, false)));
    }
    positions.sort();
    for (at, ours) in positions {
        let ls = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
        let le = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
        let line_text = String::from_utf8_lossy(&bytes[ls..le]);
        let before = line_text[..(at - ls).min(line_text.len())].trim();
        let own_line = before.starts_with('#') || before.starts_with("//");
        if !before.contains('#') && !before.contains("//") {
            continue; // not in a comment
        }
        let line = pos_at(bytes, at).line;
        let lines = if own_line {
            (line, line + 1)
        } else {
            (line, line)
        };
        if !ours {
            out.push(Directive { lines, rules: None });
            continue;
        }
        let rest = String::from_utf8_lossy(&bytes[at + "envgate:".len()..le]).into_owned();
        let (args, lines) = if let Some(a) = rest.strip_prefix("ignore-file") {
            (a, (1, u32::MAX))
        } else if let Some(a) = rest
            .strip_prefix("allow")
            .or_else(|| rest.strip_prefix("ignore"))
        {
            (a, lines)
        } else {
            continue;
        };
        let (ids, reason) = match args.split_once("--") {
            Some((i, r)) => (i, r.trim()),
            None => (args, ""),
        };
        let span = Span::point(pos_at(bytes, at));
        let ids: Vec<String> = ids
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if ids.is_empty() {
            warnings.push(InvalidSuppression::finding(path, span, "no rule id"));
            continue;
        }
        for id in &ids {
            if rules::find(id).is_none() {
                warnings.push(InvalidSuppression::finding(
                    path,
                    span,
                    &format!("unknown rule `{id}`"),
                ));
            }
        }
        if reason.is_empty() {
            warnings.push(InvalidSuppression::finding(
                path,
                span,
                "no reason (`-- why`)",
            ));
        }
        out.push(Directive {
            lines,
            rules: Some(ids),
        });
    }
    out
}

/// A Kubernetes object of the file, for object-level suppressions: the annotation
/// `envgate.dev/ignore: "rule-a,rule-b"` and config entries with `kind`/`name`.
pub struct ObjectScope<'a> {
    pub bytes: std::ops::Range<usize>,
    pub kind: Option<&'a str>,
    pub name: Option<&'a str>,
    /// Rule ids of its `envgate.dev/ignore` annotation.
    pub ignore: Vec<&'a str>,
}

pub const IGNORE_ANNOTATION: &str = "envgate.dev/ignore";

/// The objects of parsed documents, with their `envgate.dev/ignore` annotations (unknown
/// rule ids in it are reported).
pub fn object_scopes<'a>(
    docs: &'a [crate::yaml::Document],
    path: &str,
    warnings: &mut Vec<Finding>,
) -> Vec<ObjectScope<'a>> {
    let mut out = Vec::new();
    for d in docs {
        for o in crate::manifest::objects(&d.root) {
            let ann = o
                .node
                .get("metadata")
                .and_then(|m| m.get("annotations"))
                .and_then(|a| a.get(IGNORE_ANNOTATION));
            let mut ignore = Vec::new();
            if let Some(a) = ann {
                for id in a.as_str().unwrap_or("").split(',').map(str::trim) {
                    if id.is_empty() {
                        continue;
                    }
                    if rules::find(id).is_none() {
                        warnings.push(InvalidSuppression::finding(
                            path,
                            a.span,
                            &format!("unknown rule `{id}` in {IGNORE_ANNOTATION}"),
                        ));
                    }
                    ignore.push(id);
                }
            }
            out.push(ObjectScope {
                bytes: o.node.span.bytes(),
                kind: o.kind,
                name: o.name,
                ignore,
            });
        }
    }
    out
}

/// Drops suppressed findings of one file and adds warnings about bad suppressions.
pub fn apply(findings: &mut Vec<Finding>, bytes: &[u8], path: &str, config: &Config) {
    apply_with_objects(findings, bytes, path, config, &[], Vec::new());
}

/// [`apply`], plus the object-level suppressions of `objects`.
pub fn apply_with_objects(
    findings: &mut Vec<Finding>,
    bytes: &[u8],
    path: &str,
    config: &Config,
    objects: &[ObjectScope],
    mut warnings: Vec<Finding>,
) {
    // `parse` only looks at its markers (memmem), so it is cheap on files without any.
    let directives = parse(bytes, path, &mut warnings);
    findings.retain(|f| {
        let line = f.span.start.line;
        let inline = directives.iter().any(|d| {
            line >= d.lines.0
                && line <= d.lines.1
                && match &d.rules {
                    Some(ids) => ids.iter().any(|i| i == f.rule),
                    None => !is_hygiene(f.rule),
                }
        });
        let secret = f.secret.as_ref().and_then(|r| bytes.get(r.clone()));
        if inline || config.is_allowed(f, secret, None) {
            return false;
        }
        let at = f.span.start.byte;
        // The innermost object holding the finding (a `List` item before the list).
        let obj = objects
            .iter()
            .filter(|o| o.bytes.start <= at && at < o.bytes.end.max(o.bytes.start + 1))
            .min_by_key(|o| o.bytes.end - o.bytes.start);
        match obj {
            Some(o) => {
                !o.ignore.contains(&f.rule) && !config.is_allowed(f, secret, Some((o.kind, o.name)))
            }
            None => true,
        }
    });
    findings.extend(warnings);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::Pos;

    fn finding(rule: &'static crate::rules::RuleMeta, line: u32) -> Finding {
        Finding::new(
            rule,
            "f.yaml",
            Span::point(Pos {
                line,
                col: 1,
                byte: 0,
            }),
            "m",
            "i",
        )
    }

    #[test]
    fn inline_directives() {
        use crate::rules::{
            duplicate_key::DuplicateKey, generic_credential::GenericCredential as G,
        };
        let src = b"a: 1 # envgate:allow generic-credential -- test fixture\n# envgate:ignore duplicate-key -- known\nb: 2\nc: 3 # gitleaks:allow\nd: 4\ne: 5 # envgate:allow no-such-rule\n";
        let mut f = vec![
            finding(&G::META, 1),
            finding(&DuplicateKey::META, 3),
            finding(&G::META, 4),
            finding(&DuplicateKey::META, 4),
            finding(&G::META, 5),
        ];
        apply(&mut f, src, "f.yaml", &Config::default());
        let left: Vec<_> = f.iter().map(|x| (x.rule, x.span.start.line)).collect();
        assert_eq!(
            left,
            [
                ("duplicate-key", 4),
                ("generic-credential", 5),
                ("invalid-suppression", 6),
                ("invalid-suppression", 6)
            ]
        );
    }

    #[test]
    fn ignore_file_annotation_and_object_entries() {
        use crate::rules::{
            image_tag_latest::ImageTagLatest as L, live_status_stanza::LiveStatusStanza as S,
        };
        let src = "# envgate:ignore-file live-status-stanza -- generated fixtures\napiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  annotations:\n    envgate.dev/ignore: \"image-tag-latest, nope\"\nspec: {}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\nspec: {}\n";
        let parsed = crate::yaml::parse_yaml(src);
        let at = |line: u32| {
            let byte = src
                .lines()
                .take(line as usize - 1)
                .map(|l| l.len() + 1)
                .sum();
            Span::point(Pos { line, col: 1, byte })
        };
        let mk = |rule: &'static crate::rules::RuleMeta, line| {
            Finding::new(rule, "f.yaml", at(line), "m", "i")
        };
        let run = |config: &Config| {
            let mut f = vec![mk(&L::META, 8), mk(&L::META, 14), mk(&S::META, 14)];
            let mut warnings = Vec::new();
            let scopes = object_scopes(&parsed.documents, "f.yaml", &mut warnings);
            apply_with_objects(&mut f, src.as_bytes(), "f.yaml", config, &scopes, warnings);
            f.iter()
                .map(|x| (x.rule, x.span.start.line))
                .collect::<Vec<_>>()
        };
        // Pod a's annotation silences its image finding; the file directive every status
        // finding; the unknown id in the annotation is reported.
        assert_eq!(
            run(&Config::default()),
            [("image-tag-latest", 14), ("invalid-suppression", 7)]
        );
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(".envgate.yaml");
        std::fs::write(&p, "ignore:\n  - rule: image-tag-latest\n    kind: Pod\n    name: \"b*\"\n    reason: debug pods\n").unwrap();
        let c = Config::load(&p).unwrap();
        assert_eq!(run(&c), [("invalid-suppression", 7)]);
    }
}
