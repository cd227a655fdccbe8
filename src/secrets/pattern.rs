//! Credential patterns as data: the schema of `rules/secrets/*.yaml` (and of `secret-rules:`
//! in `.envgate.yaml`), loaded strictly with positioned errors.
//!
//! ```yaml
//! provider: GitHub
//! rules:
//!   - id: github-pat
//!     title: GitHub personal access token (classic)
//!     severity: error                       # optional, default error
//!     keywords: [ghp_]                      # lower-case literals for the prefilter
//!     regex: '\b(?P<secret>ghp_[A-Za-z0-9]{36})\b'
//!     entropy: 3.0                          # optional floor (bits per char) of the secret
//!     allow: ['(?i)example']                # optional: secrets matching these are ignored
//!     paths: ['**/*.tf']                    # optional: only files matching these globs
//!     multiline: false                      # optional: the match may span lines (PEM)
//!     fallback: false                       # optional: only when no specific rule matched
//!                                           # the same bytes (generic header/URL rules)
//!     description: |                        # what it is, why it matters, how to rotate
//!       …
//!     examples:
//!       match: ['token: ghp_…']             # each: exactly one hit of this rule
//!       no_match: ['ghp_short']             # each: no hit of this rule
//! ```

use std::sync::OnceLock;

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::{Regex, RegexBuilder};

use crate::finding::Severity;
use crate::rules::RuleMeta;
use crate::yaml::{Node, NodeKind, Pos, parse_yaml};

/// One credential pattern.
pub struct PatternRule {
    pub meta: &'static RuleMeta,
    pub provider: String,
    pub keywords: Vec<String>,
    pub regex_src: String,
    regex: OnceLock<Regex>,
    pub entropy: Option<f64>,
    pub allow: Vec<Regex>,
    pub paths: Option<GlobSet>,
    pub multiline: bool,
    /// Reported only where no non-fallback rule matched overlapping bytes.
    pub fallback: bool,
    pub examples_match: Vec<String>,
    pub examples_no_match: Vec<String>,
}

impl PatternRule {
    /// The compiled regex, built on first use (a one-file scan compiles only the rules its
    /// keywords trigger). Validity was checked at load time.
    pub fn regex(&self) -> &Regex {
        self.regex
            .get_or_init(|| compile(&self.regex_src).expect("validated at load"))
    }

    pub fn applies_to(&self, path: &str) -> bool {
        self.paths.as_ref().is_none_or(|g| g.is_match(path))
    }
}

/// Secrets are ASCII: Unicode classes off is ~100× faster to compile and ~10× to run.
pub fn compile(src: &str) -> Result<Regex, String> {
    RegexBuilder::new(src)
        .unicode(false)
        .size_limit(4 << 20)
        .build()
        .map_err(|e| e.to_string())
}

#[derive(Debug)]
pub struct RuleFileError {
    pub file: String,
    pub pos: Option<Pos>,
    pub message: String,
}

impl std::fmt::Display for RuleFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.pos {
            Some(p) => write!(f, "{}:{}:{}: {}", self.file, p.line, p.col, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Parses a rule file: `provider:` and `rules:` at the top. Regexes are validated (compiled)
/// here; see [`parse_rule_file_unchecked`] for the built-ins.
pub fn parse_rule_file(file: &str, text: &str) -> Result<Vec<PatternRule>, RuleFileError> {
    parse_rules(file, text, true)
}

/// As [`parse_rule_file`], without compiling the regexes: for the built-in files, which
/// the test suite compiles and checks, so that a one-file scan does not pay ~0.2 ms per
/// rule at start-up. A built-in regex is compiled on first use only.
pub fn parse_rule_file_unchecked(
    file: &str,
    text: &str,
) -> Result<Vec<PatternRule>, RuleFileError> {
    parse_rules(file, text, false)
}

fn parse_rules(file: &str, text: &str, validate: bool) -> Result<Vec<PatternRule>, RuleFileError> {
    let err = |pos: Option<Pos>, message: String| RuleFileError {
        file: file.to_string(),
        pos,
        message,
    };
    let parsed = parse_yaml(text);
    if let Some(p) = parsed.problems.first() {
        return Err(err(None, format!("invalid YAML: {p:?}")));
    }
    let Some(root) = parsed.documents.first().map(|d| &d.root) else {
        return Ok(Vec::new());
    };
    let mut provider = None;
    let mut rules_node = None;
    for e in root.entries() {
        match e.key.as_str().unwrap_or("") {
            "provider" => provider = e.value.as_str(),
            "rules" => rules_node = Some(&e.value),
            other => {
                return Err(err(
                    Some(e.key.span.start),
                    format!("unknown key `{other}` (expected provider, rules)"),
                ));
            }
        }
    }
    let provider =
        provider.ok_or_else(|| err(Some(root.span.start), "missing `provider`".into()))?;
    let rules_node =
        rules_node.ok_or_else(|| err(Some(root.span.start), "missing `rules`".into()))?;
    rules_node
        .items()
        .iter()
        .map(|n| parse_rule_with(n, provider, validate).map_err(|(pos, m)| err(Some(pos), m)))
        .collect()
}

fn str_list(n: &Node) -> Result<Vec<String>, (Pos, String)> {
    match &n.kind {
        NodeKind::Sequence(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or((i.span.start, "expected a string".to_string()))
            })
            .collect(),
        _ => Err((n.span.start, "expected a list of strings".into())),
    }
}

/// Parses one rule mapping (also used for `secret-rules:` in the config).
pub fn parse_rule(n: &Node, provider: &str) -> Result<PatternRule, (Pos, String)> {
    parse_rule_with(n, provider, true)
}

fn parse_rule_with(n: &Node, provider: &str, validate: bool) -> Result<PatternRule, (Pos, String)> {
    let at = n.span.start;
    if !n.is_mapping() {
        return Err((at, "expected a rule mapping".into()));
    }
    let mut id = None;
    let mut title = None;
    let mut description = String::new();
    let mut severity = Severity::Error;
    let mut keywords = Vec::new();
    let mut regex_src = None;
    let mut entropy = None;
    let mut allow = Vec::new();
    let mut paths = None;
    let mut multiline = false;
    let mut fallback = false;
    let mut ex_match = Vec::new();
    let mut ex_no = Vec::new();
    for e in n.entries() {
        let v = &e.value;
        let vs = || {
            v.as_str()
                .map(str::to_string)
                .ok_or((v.span.start, "expected a string".to_string()))
        };
        match e.key.as_str().unwrap_or("") {
            "id" => id = Some(vs()?),
            "title" => title = Some(vs()?),
            "description" => description = vs()?,
            "severity" => {
                severity = Severity::parse(&vs()?).ok_or((
                    v.span.start,
                    "severity must be error, warning or info".into(),
                ))?
            }
            "keywords" => {
                keywords = str_list(v)?;
                if let Some(k) = keywords
                    .iter()
                    .find(|k| k.len() < 3 || *k != &k.to_ascii_lowercase())
                {
                    return Err((
                        v.span.start,
                        format!("keyword `{k}` must be lower-case, 3+ chars"),
                    ));
                }
            }
            "regex" => {
                let src = vs()?;
                if validate {
                    let re = compile(&src).map_err(|m| (v.span.start, m))?;
                    if !re.capture_names().any(|c| c == Some("secret")) {
                        return Err((v.span.start, "regex needs a `secret` capture group".into()));
                    }
                }
                regex_src = Some(src);
            }
            "entropy" => {
                entropy = Some(
                    v.as_str()
                        .and_then(|s| s.parse::<f64>().ok())
                        .filter(|x| (0.0..=8.0).contains(x))
                        .ok_or((v.span.start, "entropy must be a number in 0..8".to_string()))?,
                )
            }
            "allow" => {
                for (i, a) in str_list(v)?.iter().enumerate() {
                    allow.push(compile(a).map_err(|m| (v.items()[i].span.start, m))?);
                }
            }
            "paths" => {
                let mut b = GlobSetBuilder::new();
                for g in str_list(v)? {
                    b.add(Glob::new(&g).map_err(|x| (v.span.start, x.to_string()))?);
                }
                paths = Some(b.build().map_err(|x| (v.span.start, x.to_string()))?);
            }
            "multiline" => multiline = v.as_str() == Some("true"),
            "fallback" => fallback = v.as_str() == Some("true"),
            "examples" => {
                for x in v.entries() {
                    match x.key.as_str().unwrap_or("") {
                        "match" => ex_match = str_list(&x.value)?,
                        "no_match" => ex_no = str_list(&x.value)?,
                        o => {
                            return Err((
                                x.key.span.start,
                                format!("unknown key `{o}` in examples"),
                            ));
                        }
                    }
                }
            }
            other => return Err((e.key.span.start, format!("unknown rule key `{other}`"))),
        }
    }
    let id = id.ok_or((at, "missing `id`".to_string()))?;
    if !id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err((at, format!("rule id `{id}` must be kebab-case")));
    }
    let regex_src = regex_src.ok_or((at, format!("{id}: missing `regex`")))?;
    if keywords.is_empty() {
        return Err((
            at,
            format!("{id}: at least one keyword is required (prefilter)"),
        ));
    }
    let title = title.unwrap_or_else(|| id.clone());
    let docs = docs_for(provider, &title, &description, &ex_match);
    let meta: &'static RuleMeta = Box::leak(Box::new(RuleMeta {
        id: leak(id),
        severity,
        summary: leak(title),
        docs: leak(docs),
        group: "credentials",
        default_on: true,
    }));
    Ok(PatternRule {
        meta,
        provider: provider.to_string(),
        keywords,
        regex_src,
        regex: OnceLock::new(),
        entropy,
        allow,
        paths,
        multiline,
        fallback,
        examples_match: ex_match,
        examples_no_match: ex_no,
    })
}

/// The `envgate explain` text of a pattern rule, with the same headings as code rules.
fn docs_for(provider: &str, title: &str, description: &str, examples: &[String]) -> String {
    let mut d = format!(
        " ## What it does\n Finds a {title} ({provider}) in any text file, inside YAML scalars, \
         and inside base64-encoded Secret data.\n\n"
    );
    for l in description.trim().lines() {
        d.push(' ');
        d.push_str(l);
        d.push('\n');
    }
    d.push_str(
        "\n ## Why is this bad?\n A live credential in Git is readable by everyone with access \
         to the repository and every clone of it, forever: removing it in a later commit does \
         not remove it from history. Revoke and rotate it, then store it encrypted (SOPS, \
         SealedSecrets) or in an external secret store.\n",
    );
    if let Some(ex) = examples.first() {
        d.push_str("\n ## Example\n ```text\n");
        for l in ex.lines() {
            d.push(' ');
            d.push_str(l);
            d.push('\n');
        }
        d.push_str(" ```\n");
    }
    d
}
