//! `.sops.yaml` creation rules, and whether a SOPS file still matches the rule that governs
//! it (`sops-policy-mismatch`).
//!
//! Lookup (documented in the README): the nearest `.sops.yaml` from the file's directory up
//! to the scan root. (sops itself starts from the working directory; in an env repo the
//! two agree when sops runs from the repo root.) The path matched against `path_regex` is
//! the file's path relative to the `.sops.yaml`'s directory; the first matching rule wins;
//! a rule without `path_regex` matches every file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::sops::{KeyKind, RuleKind, SopsDocument};
use crate::yaml::{Node, NodeKind, Span, parse_yaml};

/// Recipients by kind, normalised (age as written, PGP fingerprints upper-case without
/// spaces, cloud key ids as written).
pub type Recipients = BTreeSet<(&'static str, String)>;

#[derive(Debug)]
pub struct CreationRule {
    pub path_regex: Option<regex::bytes::Regex>,
    pub path_regex_src: Option<String>,
    pub recipients: Recipients,
    pub selection: Option<(String, String)>,
    pub mac_only_encrypted: bool,
    pub span: Span,
}

#[derive(Debug)]
pub struct SopsConfig {
    /// The `.sops.yaml`, relative to the scan root (for messages).
    pub path: String,
    pub rules: Vec<CreationRule>,
}

impl SopsConfig {
    /// The first creation rule whose `path_regex` matches `rel` (relative to the config).
    pub fn rule_for(&self, rel: &str) -> Option<&CreationRule> {
        self.rules.iter().find(|r| {
            r.path_regex
                .as_ref()
                .is_none_or(|re| re.is_match(rel.as_bytes()))
        })
    }
}

fn list(n: &Node) -> Vec<String> {
    match &n.kind {
        NodeKind::Scalar(s) => s
            .value
            .split(',')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect(),
        NodeKind::Sequence(items) => items
            .iter()
            .filter_map(|i| match &i.kind {
                NodeKind::Scalar(s) => Some(s.value.trim().to_string()),
                // kms/gcp/azure entries as mappings: their first identifying field
                NodeKind::Mapping(_) => ["arn", "resource_id", "vaultUrl", "key_id"]
                    .iter()
                    .find_map(|k| i.get_str(k).map(str::to_string)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

const KINDS: &[(&str, &str)] = &[
    ("age", "age"),
    ("pgp", "pgp"),
    ("kms", "kms"),
    ("gcp_kms", "gcp_kms"),
    ("hckms", "hckms"),
];

fn normalise(kind: &str, id: &str) -> String {
    if kind == "pgp" {
        id.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase()
    } else {
        id.trim().to_string()
    }
}

fn recipients_of(n: &Node, out: &mut Recipients) {
    for (field, kind) in KINDS {
        if let Some(v) = n.get(field) {
            for id in list(v) {
                out.insert((kind, normalise(kind, &id)));
            }
        }
    }
}

/// Parses a `.sops.yaml`. Errors name the position (bad YAML, a `path_regex` that does not
/// compile).
pub fn parse(path: &str, text: &str) -> Result<SopsConfig, (Span, String)> {
    let parsed = parse_yaml(text);
    let root = match parsed.documents.first() {
        Some(d) => &d.root,
        None => {
            return Ok(SopsConfig {
                path: path.to_string(),
                rules: Vec::new(),
            });
        }
    };
    let mut rules = Vec::new();
    for r in root.get("creation_rules").map(Node::items).unwrap_or(&[]) {
        let mut recipients = Recipients::new();
        match r.get("key_groups") {
            Some(groups) => {
                for g in groups.items() {
                    recipients_of(g, &mut recipients);
                    for m in g.get("merge").map(Node::items).unwrap_or(&[]) {
                        recipients_of(m, &mut recipients);
                    }
                }
            }
            None => recipients_of(r, &mut recipients),
        }
        let (path_regex, path_regex_src) = match r.get("path_regex").and_then(Node::as_str) {
            Some(src) if !src.is_empty() => {
                // Go's `\d`, `\w`, `\s`, `\b` are ASCII, as without Unicode here (which also
                // compiles in microseconds instead of milliseconds); matched on the path's
                // bytes (paths are ASCII in practice: `.` then means the same).
                let re = regex::bytes::RegexBuilder::new(src)
                    .unicode(false)
                    .build()
                    .or_else(|_| regex::bytes::Regex::new(src))
                    .map_err(|e| {
                        (
                            r.get("path_regex").unwrap().span,
                            format!("path_regex does not compile: {e}"),
                        )
                    })?;
                (Some(re), Some(src.to_string()))
            }
            _ => (None, None),
        };
        let selection = RuleKind::ALL.iter().find_map(|(name, _)| {
            r.get_str(name)
                .filter(|v| !v.is_empty())
                .map(|v| (name.to_string(), v.to_string()))
        });
        rules.push(CreationRule {
            path_regex,
            path_regex_src,
            recipients,
            selection,
            mac_only_encrypted: r.get_str("mac_only_encrypted") == Some("true"),
            span: r.span,
        });
    }
    Ok(SopsConfig {
        path: path.to_string(),
        rules,
    })
}

/// The recipients a SOPS file is encrypted to.
pub fn file_recipients(d: &SopsDocument) -> Recipients {
    let mut out = Recipients::new();
    for g in &d.metadata.key_groups {
        for k in &g.keys {
            let kind = match k.kind {
                KeyKind::Age => "age",
                KeyKind::Pgp => "pgp",
                KeyKind::Kms => "kms",
                KeyKind::GcpKms => "gcp_kms",
                KeyKind::Hckms => "hckms",
                KeyKind::AzureKv | KeyKind::HcVault => continue,
            };
            if let Some(id) = &k.id {
                out.insert((kind, normalise(kind, &id.value)));
            }
        }
    }
    out
}

/// What differs between a file and its creation rule, as sentences (recipients are public
/// keys: safe to name).
pub fn differences(d: &SopsDocument, rule: &CreationRule) -> (Vec<String>, Vec<String>) {
    let mut recipient_issues = Vec::new();
    let mut drift = Vec::new();
    let have = file_recipients(d);
    // Only compare the kinds the rule names, plus any the file has that the rule lacks.
    let short = |id: &str| {
        if id.len() > 24 {
            format!("{}…", &id[..20])
        } else {
            id.to_string()
        }
    };
    for (kind, id) in rule.recipients.difference(&have) {
        recipient_issues.push(format!("not encrypted to {kind} recipient {}", short(id)));
    }
    for (kind, id) in have.difference(&rule.recipients) {
        recipient_issues.push(format!(
            "encrypted to {kind} recipient {} that the rule does not list",
            short(id)
        ));
    }
    let file_sel = d
        .metadata
        .rules
        .first()
        .map(|(k, f)| (rule_name(*k).to_string(), f.value.to_string()));
    if let Some(want) = &rule.selection
        && file_sel.as_ref() != Some(want)
    {
        drift.push(format!(
            "the rule says {}: {:?}, the file has {}",
            want.0,
            want.1,
            file_sel.map_or("none".to_string(), |(k, v)| format!("{k}: {v:?}"))
        ));
    }
    if rule.mac_only_encrypted != d.metadata.mac_only_encrypted {
        drift.push(format!(
            "the rule says mac_only_encrypted: {}, the file has {}",
            rule.mac_only_encrypted, d.metadata.mac_only_encrypted
        ));
    }
    (recipient_issues, drift)
}

fn rule_name(k: RuleKind) -> &'static str {
    RuleKind::ALL
        .iter()
        .find(|(_, x)| *x == k)
        .map_or("?", |(n, _)| n)
}

/// A parsed `.sops.yaml`, or where and why it failed to parse.
pub type LoadedConfig = Arc<Result<SopsConfig, (Span, String)>>;

/// Finds and caches the `.sops.yaml` governing a file: nearest from its directory up to
/// the scan root.
pub struct PolicyLookup {
    root: PathBuf,
    cwd: PathBuf,
    cache: Mutex<rustc_hash::FxHashMap<std::ffi::OsString, Option<LoadedConfig>>>,
    /// A file's directory → the governing config and the directory holding it (one lookup
    /// per file instead of one per directory level).
    by_dir: std::sync::RwLock<
        rustc_hash::FxHashMap<std::ffi::OsString, Option<(LoadedConfig, PathBuf)>>,
    >,
}

impl PolicyLookup {
    /// `root`: the scan root; relative paths are taken from the current directory.
    /// Paths are normalised lexically (no `canonicalize` per file: the walk does not
    /// follow symlinks, and a syscall per file is measurable on 20,000 files).
    pub fn new(root: &Path) -> PolicyLookup {
        let cwd = std::env::current_dir().unwrap_or_default();
        PolicyLookup {
            root: crate::walk::normalise(&cwd.join(root)),
            cwd,
            cache: Mutex::new(Default::default()),
            by_dir: Default::default(),
        }
    }

    /// (config, path of the file relative to the config's directory).
    pub fn for_file(&self, file: &Path) -> Option<(LoadedConfig, String)> {
        // Keyed by the directory as given (a hash of its bytes): no normalising, and no
        // component-wise `Path` hashing, for the files of a directory already seen.
        let key = file.parent()?.as_os_str();
        let known = self.by_dir.read().unwrap().get(key).cloned();
        let found = match known {
            Some(f) => f,
            None => {
                let abs = crate::walk::normalise(&self.cwd.join(file));
                let f = self.search(abs.parent()?);
                self.by_dir
                    .write()
                    .unwrap()
                    .insert(key.to_os_string(), f.clone());
                f
            }
        };
        let (cfg, dir) = found?;
        let abs = crate::walk::normalise(&self.cwd.join(file));
        Some((cfg, crate::walk::relative(&abs, &dir)))
    }

    /// The nearest config from `dir` up to the root, and its directory.
    fn search(&self, mut dir: &Path) -> Option<(LoadedConfig, PathBuf)> {
        loop {
            if let Some(cfg) = self.load(dir) {
                return Some((cfg, dir.to_path_buf()));
            }
            if dir == self.root {
                return None;
            }
            dir = dir.parent()?;
            if !dir.starts_with(&self.root) {
                return None;
            }
        }
    }

    fn load(&self, dir: &Path) -> Option<LoadedConfig> {
        if let Some(c) = self.cache.lock().unwrap().get(dir.as_os_str()) {
            return c.clone();
        }
        let file = dir.join(".sops.yaml");
        let loaded = std::fs::read_to_string(&file).ok().map(|text| {
            let rel = crate::walk::relative(&file, &self.root);
            Arc::new(parse(&rel, &text))
        });
        self.cache
            .lock()
            .unwrap()
            .insert(dir.as_os_str().to_os_string(), loaded.clone());
        loaded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_matching_rule_wins() {
        let cfg = parse(
            ".sops.yaml",
            "creation_rules:\n  - path_regex: talos/.*\\.sops\\.ya?ml\n    age: age1aaa\n  - path_regex: kubernetes/.*\\.sops\\.ya?ml\n    encrypted_regex: ^(data|stringData)$\n    age: \"age1bbb, age1ccc\"\n  - pgp: 'ABCD 1234'\n",
        )
        .unwrap();
        assert_eq!(
            cfg.rule_for("talos/x.sops.yaml").unwrap().recipients.len(),
            1
        );
        let r = cfg.rule_for("kubernetes/apps/s.sops.yaml").unwrap();
        assert_eq!(r.recipients.len(), 2);
        assert_eq!(r.selection.as_ref().unwrap().0, "encrypted_regex");
        let catch_all = cfg.rule_for("other.yaml").unwrap();
        assert!(
            catch_all
                .recipients
                .contains(&("pgp", "ABCD1234".to_string()))
        );
        assert!(parse("s", "creation_rules:\n  - path_regex: '('\n").is_err());
    }

    #[test]
    fn lexical_normalisation() {
        assert_eq!(
            crate::walk::normalise(Path::new("/a/./b/../c")),
            PathBuf::from("/a/c")
        );
    }
}
