//! `.envgate.yaml`: strict, positioned errors, typed result.
//!
//! ```yaml
//! fail-on: error            # error | warning | info
//! exclude:                  # globs relative to this file's directory (gitignore-like:
//!                           # a glob without `/` matches at any depth)
//!   - "charts/vendor/**"
//! rules:
//!   file-too-large: off     # off | info | warning | error
//! kubernetes-version: "1.31"  # target cluster for api-removed / api-deprecated
//! allowed-registries: [ghcr.io/acme, docker.io/library]  # image-registry-not-allowed
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::finding::Severity;
use crate::rules;
use crate::yaml::{Node, NodeKind, Pos, parse_yaml};

pub const FILE_NAME: &str = ".envgate.yaml";

/// A rule's configured level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

#[derive(Debug, Default)]
pub struct Config {
    /// Where it was loaded from (None: defaults).
    pub path: Option<PathBuf>,
    pub rules: BTreeMap<String, Level>,
    pub exclude: Vec<String>,
    exclude_set: GlobSet,
    pub fail_on: Option<Severity>,
    /// `allow:` entries: findings they match are suppressed.
    pub allow: Vec<AllowEntry>,
    /// `secret-rules:`: the user's own credential patterns (same schema as built-ins).
    pub custom_rules: Option<std::sync::Arc<crate::secrets::Engine>>,
    /// `kubernetes-version: "1.NN"`: the cluster version the API rules check against
    /// (None: the newest version envgate's data knows, see `api-removed`).
    pub kubernetes_version: Option<crate::kube_api::Version>,
    /// `image-tag-pattern: REGEX`: tags that count as pinned for `image-not-digest-pinned`
    /// (immutable CI tags such as `^sha-[0-9a-f]{7,40}$`); unset: only digests pin.
    pub image_tag_pattern: Option<regex::Regex>,
    /// `allowed-registries: [HOST[/PATH-PREFIX], …]`: where `image-registry-not-allowed`
    /// lets images come from, lower-cased, without a trailing `/` (None: not configured,
    /// the rule reports nothing).
    pub allowed_registries: Option<Vec<String>>,
    /// `cluster-roots:` globs (relative to the scan root) matching the directories that
    /// each hold one cluster's manifests, for `duplicate-resource-across-units`; unset: the
    /// cluster is derived from the Flux Kustomizations, else the top-level directory.
    pub cluster_roots: Option<GlobSet>,
}

/// One `allow:` entry. Every field given must match; `reason` is required.
#[derive(Debug)]
pub struct AllowEntry {
    pub rule: Option<String>,
    pub path: Option<globset::GlobMatcher>,
    pub value: Option<regex::bytes::Regex>,
    pub fingerprint: Option<String>,
    /// The finding's object: its `kind` and `metadata.name` (a glob).
    pub kind: Option<String>,
    pub name: Option<globset::GlobMatcher>,
    pub reason: String,
}

impl AllowEntry {
    fn matches(
        &self,
        f: &crate::finding::Finding,
        secret: Option<&[u8]>,
        object: Option<(Option<&str>, Option<&str>)>,
    ) -> bool {
        let wants_object = self.kind.is_some() || self.name.is_some();
        if wants_object {
            let Some((kind, name)) = object else {
                return false;
            };
            if self.kind.as_deref().is_some_and(|k| Some(k) != kind)
                || !self
                    .name
                    .as_ref()
                    .is_none_or(|g| name.is_some_and(|n| g.is_match(n)))
            {
                return false;
            }
        }
        self.rule.as_deref().is_none_or(|r| r == f.rule)
            && self.path.as_ref().is_none_or(|g| g.is_match(&f.path))
            && self
                .fingerprint
                .as_deref()
                .is_none_or(|fp| fp == f.fingerprint)
            && self
                .value
                .as_ref()
                .is_none_or(|re| secret.is_some_and(|s| re.is_match(s)))
    }
}

#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub pos: Option<Pos>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(p) => write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                p.line,
                p.col,
                self.message
            ),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl Config {
    /// True when an `allow:` entry covers the finding (`secret`: the bytes of its value;
    /// `object`: the kind and name of the object holding it, when known).
    pub fn is_allowed(
        &self,
        f: &crate::finding::Finding,
        secret: Option<&[u8]>,
        object: Option<(Option<&str>, Option<&str>)>,
    ) -> bool {
        self.allow.iter().any(|a| a.matches(f, secret, object))
    }

    /// True when an `allow:`/`ignore:` entry names an object kind or name.
    pub fn has_object_entries(&self) -> bool {
        self.allow
            .iter()
            .any(|a| a.kind.is_some() || a.name.is_some())
    }

    /// A rule by id: built-in, or one of this config's `secret-rules`.
    pub fn find_rule(&self, id: &str) -> Option<&'static rules::RuleMeta> {
        rules::find(id).or_else(|| {
            self.custom_rules
                .as_ref()?
                .rules
                .iter()
                .find(|r| r.meta.id == id)
                .map(|r| r.meta)
        })
    }

    /// The level of `rule`: configured, else its default severity.
    pub fn level(&self, rule: &rules::RuleMeta) -> Level {
        self.rules
            .get(rule.id)
            .copied()
            .unwrap_or(if rule.default_on {
                Level::On(rule.severity)
            } else {
                Level::Off
            })
    }

    pub fn is_enabled(&self, rule: &rules::RuleMeta) -> bool {
        self.level(rule) != Level::Off
    }

    /// The directory exclude globs are relative to: the config file's directory.
    pub fn base_dir(&self) -> Option<&Path> {
        self.path.as_deref().and_then(Path::parent)
    }

    /// True when `rel` (relative to [`Config::base_dir`], `/`-separated) or one of its
    /// parent directories matches an `exclude` glob.
    pub fn is_excluded(&self, rel: &str) -> bool {
        if self.exclude_set.is_empty() {
            return false;
        }
        let mut p = rel;
        loop {
            if self.exclude_set.is_match(p) {
                return true;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return false,
            }
        }
    }

    /// The outermost directory among `dir` and its parents that matches a `cluster-roots`
    /// glob (None: no glob matches, or none is configured).
    pub fn cluster_root<'d>(&self, dir: &'d str) -> Option<&'d str> {
        let set = self.cluster_roots.as_ref()?;
        let mut end = 0;
        loop {
            let next = dir[end..].find('/').map_or(dir.len(), |i| end + i);
            if next > 0 && set.is_match(&dir[..next]) {
                return Some(&dir[..next]);
            }
            if next >= dir.len() {
                return None;
            }
            end = next + 1;
        }
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let err = |pos: Option<Pos>, message: String| ConfigError {
            path: path.to_path_buf(),
            pos,
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(None, e.to_string()))?;
        let parsed = parse_yaml(&text);
        if let Some(p) = parsed.problems.first() {
            let (pos, msg) = match p {
                crate::yaml::ParseProblem::Syntax { pos, message } => (*pos, message.clone()),
                crate::yaml::ParseProblem::DuplicateKey { key, second, .. } => {
                    (second.start, format!("duplicate key `{key}`"))
                }
                crate::yaml::ParseProblem::TooDeep { pos } => (*pos, "nested too deeply".into()),
                crate::yaml::ParseProblem::AliasBomb { pos, .. } => {
                    (*pos, "alias expansion too large".into())
                }
            };
            return Err(err(Some(pos), msg));
        }
        let mut cfg = Config {
            path: Some(path.to_path_buf()),
            ..Config::default()
        };
        let Some(doc) = parsed.documents.first() else {
            return Ok(cfg); // an empty file is the default config
        };
        if parsed.documents.len() > 1 {
            return Err(err(
                Some(parsed.documents[1].root.span.start),
                "expected a single YAML document".into(),
            ));
        }
        let root = &doc.root;
        if root.is_null() {
            return Ok(cfg);
        }
        if !root.is_mapping() {
            return Err(err(Some(root.span.start), "expected a mapping".into()));
        }
        if let Some(e) = root.entry("secret-rules") {
            let mut custom = Vec::new();
            for item in e.value.items() {
                let rule = crate::secrets::pattern::parse_rule(item, "custom")
                    .map_err(|(pos, m)| err(Some(pos), m))?;
                if rules::find(rule.meta.id).is_some() {
                    return Err(err(
                        Some(item.span.start),
                        format!("rule id `{}` is already a built-in rule", rule.meta.id),
                    ));
                }
                custom.push(rule);
            }
            cfg.custom_rules = Some(std::sync::Arc::new(crate::secrets::Engine::new(custom)));
        }
        for e in root.entries() {
            let key = e.key.as_str().unwrap_or("");
            match key {
                "secret-rules" => {}
                // `ignore:` is the hygiene-flavoured name of the same list.
                "allow" | "ignore" => {
                    for item in e.value.items() {
                        cfg.allow
                            .push(parse_allow(item, &cfg).map_err(|(p, m)| err(Some(p), m))?);
                    }
                }
                "fail-on" => {
                    let v = scalar(&e.value).and_then(Severity::parse).ok_or_else(|| {
                        err(
                            Some(e.value.span.start),
                            "`fail-on` must be one of: error, warning, info".into(),
                        )
                    })?;
                    cfg.fail_on = Some(v);
                }
                "kubernetes-version" => {
                    let v = scalar(&e.value)
                        .and_then(crate::kube_api::Version::parse_kubernetes_minor)
                        .ok_or_else(|| {
                            err(
                                Some(e.value.span.start),
                                "`kubernetes-version` must be a Kubernetes minor version like \"1.31\""
                                    .into(),
                            )
                        })?;
                    cfg.kubernetes_version = Some(v);
                }
                "image-tag-pattern" => {
                    let re = scalar(&e.value)
                        .ok_or_else(|| {
                            err(Some(e.value.span.start), "expected a regex string".into())
                        })
                        .and_then(|p| {
                            regex::Regex::new(p).map_err(|x| {
                                err(Some(e.value.span.start), format!("bad regex: {x}"))
                            })
                        })?;
                    cfg.image_tag_pattern = Some(re);
                }
                "allowed-registries" => {
                    cfg.allowed_registries =
                        Some(parse_registries(&e.value).map_err(|(p, m)| err(Some(p), m))?);
                }
                "cluster-roots" => {
                    if !matches!(e.value.kind, NodeKind::Sequence(_)) {
                        return Err(err(
                            Some(e.value.span.start),
                            "`cluster-roots` must be a list of directory globs".into(),
                        ));
                    }
                    let mut set = GlobSetBuilder::new();
                    for item in e.value.items() {
                        let g = scalar(item)
                            .map(|g| g.trim_matches('/'))
                            .filter(|g| !g.is_empty())
                            .ok_or_else(|| {
                                err(Some(item.span.start), "expected a directory glob".into())
                            })?;
                        let glob = GlobBuilder::new(g.trim_start_matches("./"))
                            .literal_separator(true)
                            .build()
                            .map_err(|x| err(Some(item.span.start), format!("bad glob: {x}")))?;
                        set.add(glob);
                    }
                    cfg.cluster_roots = Some(
                        set.build()
                            .map_err(|x| err(Some(e.value.span.start), x.to_string()))?,
                    );
                }
                "exclude" => {
                    if !matches!(e.value.kind, NodeKind::Sequence(_)) {
                        return Err(err(
                            Some(e.value.span.start),
                            "`exclude` must be a list of globs".into(),
                        ));
                    }
                    let mut set = GlobSetBuilder::new();
                    for item in e.value.items() {
                        let g = scalar(item).ok_or_else(|| {
                            err(Some(item.span.start), "expected a glob string".into())
                        })?;
                        // gitignore-like: a glob without `/` matches at any depth.
                        let g_trim = g.trim_end_matches('/');
                        let pattern = if g_trim.contains('/') {
                            g_trim.trim_start_matches('/').to_string()
                        } else {
                            format!("**/{g_trim}")
                        };
                        let glob = GlobBuilder::new(&pattern)
                            .literal_separator(true)
                            .build()
                            .map_err(|x| err(Some(item.span.start), format!("bad glob: {x}")))?;
                        set.add(glob);
                        cfg.exclude.push(g.to_string());
                    }
                    cfg.exclude_set = set
                        .build()
                        .map_err(|x| err(Some(e.value.span.start), x.to_string()))?;
                }
                "rules" => {
                    if !e.value.is_mapping() && !e.value.is_null() {
                        return Err(err(
                            Some(e.value.span.start),
                            "`rules` must map rule ids to off|info|warning|error".into(),
                        ));
                    }
                    for r in e.value.entries() {
                        let id = r.key.as_str().unwrap_or("");
                        if cfg.find_rule(id).is_none() {
                            return Err(err(
                                Some(r.key.span.start),
                                format!("unknown rule `{id}` (see `envgate rules`)"),
                            ));
                        }
                        let level = match scalar(&r.value) {
                            Some("off") => Level::Off,
                            Some(s) => Level::On(Severity::parse(s).ok_or_else(|| {
                                err(
                                    Some(r.value.span.start),
                                    format!("`{s}` is not one of: off, info, warning, error"),
                                )
                            })?),
                            None => {
                                return Err(err(
                                    Some(r.value.span.start),
                                    "expected one of: off, info, warning, error".into(),
                                ));
                            }
                        };
                        cfg.rules.insert(id.to_string(), level);
                    }
                }
                other => {
                    return Err(err(
                        Some(e.key.span.start),
                        format!(
                            "unknown key `{other}` (expected one of: rules, exclude, fail-on, kubernetes-version, image-tag-pattern, allowed-registries, cluster-roots, allow, ignore, secret-rules)"
                        ),
                    ));
                }
            }
        }
        Ok(cfg)
    }
}

fn parse_allow(n: &Node, cfg: &Config) -> Result<AllowEntry, (Pos, String)> {
    if !n.is_mapping() {
        return Err((
            n.span.start,
            "an `allow` entry is a mapping (rule, path, kind, name, value, fingerprint, reason)"
                .into(),
        ));
    }
    let mut a = AllowEntry {
        rule: None,
        path: None,
        value: None,
        fingerprint: None,
        kind: None,
        name: None,
        reason: String::new(),
    };
    for e in n.entries() {
        let v = e
            .value
            .as_str()
            .ok_or((e.value.span.start, "expected a string".to_string()))?;
        let at = e.value.span.start;
        match e.key.as_str().unwrap_or("") {
            "rule" => {
                if cfg.find_rule(v).is_none() {
                    return Err((at, format!("unknown rule `{v}`")));
                }
                a.rule = Some(v.to_string());
            }
            "path" => {
                a.path = Some(
                    GlobBuilder::new(v)
                        .literal_separator(true)
                        .build()
                        .map_err(|x| (at, x.to_string()))?
                        .compile_matcher(),
                )
            }
            "value" => a.value = Some(crate::secrets::pattern::compile(v).map_err(|m| (at, m))?),
            "fingerprint" => a.fingerprint = Some(v.to_string()),
            "kind" => a.kind = Some(v.to_string()),
            "name" => {
                a.name = Some(
                    GlobBuilder::new(v)
                        .build()
                        .map_err(|x| (at, x.to_string()))?
                        .compile_matcher(),
                )
            }
            "reason" => a.reason = v.trim().to_string(),
            other => {
                return Err((
                    e.key.span.start,
                    format!(
                        "unknown key `{other}` in allow entry (rule, path, kind, name, value, fingerprint, reason)"
                    ),
                ));
            }
        }
    }
    if a.reason.is_empty() {
        return Err((n.span.start, "an `allow` entry needs a `reason`".into()));
    }
    if a.rule.is_none()
        && a.path.is_none()
        && a.value.is_none()
        && a.fingerprint.is_none()
        && a.kind.is_none()
        && a.name.is_none()
    {
        return Err((
            n.span.start,
            "an `allow` entry needs rule, path, kind, name, value or fingerprint".into(),
        ));
    }
    Ok(a)
}

/// `allowed-registries:`: a non-empty list of `host[:port][/path-prefix]` strings (no
/// scheme, tag or digest), lower-cased, trailing `/` removed.
fn parse_registries(n: &Node) -> Result<Vec<String>, (Pos, String)> {
    const SHAPE: &str = "`allowed-registries` must be a list of registry hosts, optionally with a path prefix (`ghcr.io/acme`)";
    if !matches!(n.kind, NodeKind::Sequence(_)) || n.items().is_empty() {
        return Err((n.span.start, SHAPE.into()));
    }
    let mut out = Vec::new();
    for item in n.items() {
        let at = item.span.start;
        let v = scalar(item)
            .filter(|_| !item.is_null())
            .ok_or((at, SHAPE.to_string()))?
            .trim()
            .trim_end_matches('/');
        let bad = if v.is_empty() {
            Some("an empty registry")
        } else if v.contains("://") {
            Some("a URL: write the host without a scheme")
        } else if v.chars().any(char::is_whitespace) {
            Some("whitespace in a registry")
        } else if v.contains('@') || v.split_once('/').is_some_and(|(_, p)| p.contains(':')) {
            Some("a tag or digest: list registries and path prefixes, not images")
        } else if v.starts_with('/') || v.contains("//") {
            Some("an empty path component")
        } else {
            None
        };
        if let Some(b) = bad {
            return Err((at, format!("`{v}` in allowed-registries is {b}")));
        }
        out.push(v.to_ascii_lowercase());
    }
    Ok(out)
}

/// A scalar's text; YAML 1.2 `off` is just a string, which is what we want here.
fn scalar(n: &Node) -> Option<&str> {
    n.as_str()
}

/// The config for a scan rooted at `root`: the nearest `.envgate.yaml` from `root` upward,
/// stopping at the git work-tree root (the directory holding `.git`). Outside a git
/// repository only `root` itself is searched.
pub fn discover(root: &Path) -> Option<PathBuf> {
    let root = root.canonicalize().ok()?;
    let start = if root.is_dir() {
        root.as_path()
    } else {
        root.parent()?
    };
    let inside_git = start.ancestors().any(|d| d.join(".git").exists());
    for dir in start.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if !inside_git || dir.join(".git").exists() {
            break;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_str(s: &str) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(FILE_NAME);
        std::fs::write(&p, s).unwrap();
        Config::load(&p)
    }

    #[test]
    fn full_config() {
        let c = load_str(
            "fail-on: warning\nkubernetes-version: 1.30\nexclude: ['vendor/**', 'legacy']\nrules:\n  file-too-large: off\n  raw-secret: warning\n",
        )
        .unwrap();
        assert_eq!(c.fail_on, Some(Severity::Warning));
        assert_eq!(
            c.kubernetes_version.map(|v| v.to_string()).as_deref(),
            Some("1.30")
        );
        assert!(c.is_excluded("vendor/a/b.yaml"));
        assert!(c.is_excluded("legacy/x.yaml"));
        assert!(c.is_excluded("apps/legacy/x.yaml"));
        assert!(!c.is_excluded("apps/legacy.yaml"));
        assert!(!c.is_excluded("apps/vendor/a.yaml"));
        let r = rules::find("file-too-large").unwrap();
        assert!(!c.is_enabled(r));
        let r = rules::find("raw-secret").unwrap();
        assert_eq!(c.level(r), Level::On(Severity::Warning));
    }

    #[test]
    fn custom_rules_and_allow_entries() {
        let c = load_str(
            "secret-rules:\n  - id: acme-token\n    title: ACME token\n    keywords: [acme_]\n    regex: '(?P<secret>acme_[0-9a-f]{16})'\nrules:\n  acme-token: warning\nallow:\n  - rule: acme-token\n    path: 'test/**'\n    reason: fixtures\n",
        )
        .unwrap();
        let meta = c.find_rule("acme-token").unwrap();
        assert_eq!(c.level(meta), Level::On(Severity::Warning));
        let f = crate::finding::Finding::new(meta, "test/a.yaml", Default::default(), "m", "i");
        assert!(c.is_allowed(&f, None, None));
        let f = crate::finding::Finding::new(meta, "prod/a.yaml", Default::default(), "m", "i");
        assert!(!c.is_allowed(&f, None, None));
    }

    #[test]
    fn unknown_keys_are_errors_with_positions() {
        let e = load_str("fail-on: error\nrulez: {}\n").unwrap_err();
        assert_eq!(e.pos.map(|p| (p.line, p.col)), Some((2, 1)));
        assert!(e.message.contains("unknown key `rulez`"));
        let e = load_str("rules:\n  no-such-rule: off\n").unwrap_err();
        assert_eq!(e.pos.map(|p| p.line), Some(2));
        let e = load_str("rules:\n  raw-secret: loud\n").unwrap_err();
        assert!(e.message.contains("loud"));
        let e = load_str("allow:\n  - rule: raw-secret\n").unwrap_err();
        assert!(e.message.contains("reason"), "{e}");
        let e = load_str(
            "secret-rules:\n  - id: my-tok\n    keywords: [mytok_]\n    regex: 'mytok_[0-9]+'\n",
        )
        .unwrap_err();
        assert!(e.message.contains("secret"), "{e}");
        let e = load_str("fail-on: [x]\n").unwrap_err();
        assert!(e.message.contains("fail-on"));
        assert!(load_str("a: [\n").is_err());
        let e = load_str("fail-on: error\nkubernetes-version: 1.3x\n").unwrap_err();
        assert_eq!(e.pos.map(|p| (p.line, p.col)), Some((2, 21)));
        assert!(e.message.contains("kubernetes-version"), "{e}");
        assert!(load_str("kubernetes-version: [1]\n").is_err());
        assert!(load_str("kubernetes-version: v1.31\n").is_err());
        let e = load_str("image-tag-pattern: '^sha-[0-9'\n").unwrap_err();
        assert_eq!(e.pos.map(|p| (p.line, p.col)), Some((1, 20)));
        assert!(e.message.contains("bad regex"), "{e}");
        let ok = load_str("image-tag-pattern: '^sha-[0-9a-f]{7,40}$'\n").unwrap();
        assert!(ok.image_tag_pattern.unwrap().is_match("sha-3f2a9c1"));
        assert!(load_str("").is_ok());
        let ok =
            load_str("allowed-registries: [ghcr.io/Acme/, 'registry:5000', docker.io]\n").unwrap();
        assert_eq!(
            ok.allowed_registries.unwrap(),
            ["ghcr.io/acme", "registry:5000", "docker.io"]
        );
        for (bad, want) in [
            ("allowed-registries: ghcr.io\n", "must be a list"),
            ("allowed-registries: []\n", "must be a list"),
            ("allowed-registries: [{a: b}]\n", "must be a list"),
            (
                "allowed-registries: ['https://ghcr.io']\n",
                "without a scheme",
            ),
            (
                "allowed-registries: ['ghcr.io/acme/app:1.0']\n",
                "tag or digest",
            ),
            ("allowed-registries: ['']\n", "empty"),
        ] {
            let e = load_str(bad).unwrap_err();
            assert!(e.message.contains(want), "{bad}: {e}");
            assert_eq!(e.pos.map(|p| p.line), Some(1));
        }
        let e = load_str("cluster-roots: clusters/*\n").unwrap_err();
        assert_eq!(e.pos.map(|p| (p.line, p.col)), Some((1, 16)));
        assert!(e.message.contains("cluster-roots"), "{e}");
        let e = load_str("cluster-roots:\n  - 'clusters/[a'\n").unwrap_err();
        assert_eq!(e.pos.map(|p| (p.line, p.col)), Some((2, 5)));
        assert!(load_str("cluster-roots: ['']\n").is_err());
    }

    #[test]
    fn cluster_roots_match_the_outermost_directory() {
        let c = load_str("cluster-roots: ['clusters/*', './kubernetes/*/']\n").unwrap();
        assert_eq!(
            c.cluster_root("clusters/prod/apps/web"),
            Some("clusters/prod")
        );
        assert_eq!(c.cluster_root("clusters/prod"), Some("clusters/prod"));
        assert_eq!(c.cluster_root("kubernetes/main"), Some("kubernetes/main"));
        assert_eq!(c.cluster_root("clusters"), None);
        assert_eq!(c.cluster_root("apps/base"), None);
        assert_eq!(Config::default().cluster_root("clusters/prod"), None);
    }

    #[test]
    fn discovery_stops_at_the_git_root() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("apps/web")).unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "").unwrap(); // outside the repo
        assert_eq!(discover(&repo.join("apps/web")), None);
        std::fs::write(repo.join(FILE_NAME), "").unwrap();
        assert_eq!(
            discover(&repo.join("apps/web")),
            Some(repo.canonicalize().unwrap().join(FILE_NAME))
        );
    }
}
