//! sops' `shouldBeEncrypted`: which leaves the file's own selection options encrypt.

use std::borrow::Cow;
use std::sync::Arc;

use super::metadata::{Metadata, RuleKind};
use super::{Problem, ProblemKind};

/// A compiled selection pattern. Go's RE2 classes (`\d`, `\w`, `\s`) are ASCII, so the
/// pattern is compiled without Unicode first; patterns that need Unicode fall back.
enum Pattern {
    Bytes(regex::bytes::Regex),
    Unicode(regex::Regex),
    /// Did not compile: Go's `regexp.Match` then reports "no match".
    Invalid,
}

impl Pattern {
    /// Compiled once per process per pattern: an env repo has hundreds of SOPS files that
    /// share a handful of `encrypted_regex` values. Shared, not cloned: a cloned regex
    /// starts with an empty match cache, which every file would then rebuild.
    fn compile(p: &str) -> Arc<Pattern> {
        use std::collections::HashMap;
        use std::sync::{Mutex, OnceLock};
        static CACHE: OnceLock<Mutex<HashMap<String, Arc<Pattern>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        if let Some(hit) = cache.lock().unwrap().get(p) {
            return hit.clone();
        }
        let compiled = Arc::new(Self::compile_uncached(p));
        cache
            .lock()
            .unwrap()
            .insert(p.to_string(), compiled.clone());
        compiled
    }

    fn compile_uncached(p: &str) -> Pattern {
        if let Ok(r) = regex::bytes::RegexBuilder::new(p).unicode(false).build() {
            return Pattern::Bytes(r);
        }
        match regex::Regex::new(p) {
            Ok(r) => Pattern::Unicode(r),
            Err(_) => Pattern::Invalid,
        }
    }

    fn is_match(&self, s: &str) -> bool {
        match self {
            Pattern::Bytes(r) => r.is_match(s.as_bytes()),
            Pattern::Unicode(r) => r.is_match(s),
            Pattern::Invalid => false,
        }
    }
}

enum Matcher {
    Suffix(String),
    Regex(Arc<Pattern>),
}

/// The selection options of one file, ready to evaluate.
pub(crate) struct Rules {
    rules: Vec<(RuleKind, Matcher)>,
}

impl Rules {
    /// Compiles the file's rules; invalid regexes are reported into `problems`.
    pub(crate) fn new(md: &Metadata<'_>, problems: &mut Vec<Problem>) -> Rules {
        let mut rules = Vec::new();
        if md.rules.is_empty() {
            rules.push((
                RuleKind::UnencryptedSuffix,
                Matcher::Suffix("_unencrypted".to_string()),
            ));
        }
        for (kind, field) in &md.rules {
            let m = match kind {
                RuleKind::UnencryptedSuffix | RuleKind::EncryptedSuffix => {
                    Matcher::Suffix(field.value.to_string())
                }
                _ => {
                    let p = Pattern::compile(&field.value);
                    if matches!(*p, Pattern::Invalid) {
                        problems.push(Problem::new(
                            ProblemKind::InvalidRegex,
                            field.span,
                            "selection regex does not compile (sops then matches nothing)".into(),
                        ));
                    }
                    Matcher::Regex(p)
                }
            };
            rules.push((*kind, m));
        }
        // sops evaluates them in this fixed order, each overriding the previous.
        rules.sort_by_key(|(k, _)| RuleKind::ALL.iter().position(|(_, r)| r == k));
        Rules { rules }
    }

    pub(crate) fn needs_comments(&self) -> bool {
        self.rules.iter().any(|(k, _)| {
            matches!(
                k,
                RuleKind::UnencryptedCommentRegex | RuleKind::EncryptedCommentRegex
            )
        })
    }

    /// `shouldBeEncrypted(path, commentsStack, isComment=false)`.
    pub(crate) fn should_encrypt(&self, path: &[&str], comments: &[Vec<Cow<'_, str>>]) -> bool {
        let mut encrypted = true;
        let any_key = |f: &dyn Fn(&str) -> bool| path.iter().any(|p| f(p));
        let any_comment = |m: &Pattern| comments.iter().flatten().any(|c| m.is_match(c));
        for (kind, m) in &self.rules {
            match (kind, m) {
                (RuleKind::UnencryptedSuffix, Matcher::Suffix(s))
                    if !s.is_empty() && any_key(&|p| p.ends_with(s.as_str())) =>
                {
                    encrypted = false;
                }
                (RuleKind::EncryptedSuffix, Matcher::Suffix(s)) => {
                    encrypted = any_key(&|p| p.ends_with(s.as_str()));
                }
                (RuleKind::UnencryptedRegex, Matcher::Regex(r)) if any_key(&|p| r.is_match(p)) => {
                    encrypted = false;
                }
                (RuleKind::EncryptedRegex, Matcher::Regex(r)) => {
                    encrypted = any_key(&|p| r.is_match(p));
                }
                (RuleKind::UnencryptedCommentRegex, Matcher::Regex(r)) if any_comment(r) => {
                    encrypted = false;
                }
                (RuleKind::EncryptedCommentRegex, Matcher::Regex(r)) => {
                    encrypted = any_comment(r);
                }
                _ => {}
            }
        }
        encrypted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::sops::metadata::Field;
    use crate::yaml::Span;

    fn md(kind: RuleKind, v: &str) -> Metadata<'static> {
        Metadata {
            rules: vec![(
                kind,
                Field {
                    value: Cow::Owned(v.to_string()),
                    span: Span::default(),
                },
            )],
            ..Metadata::default()
        }
    }

    #[test]
    fn selection_rules() {
        let mut p = Vec::new();
        let none: &[Vec<Cow<str>>] = &[];
        let r = Rules::new(&Metadata::default(), &mut p);
        assert!(r.should_encrypt(&["a"], none));
        assert!(!r.should_encrypt(&["a_unencrypted", "b"], none));
        let r = Rules::new(&md(RuleKind::EncryptedRegex, "^(data|stringData)$"), &mut p);
        assert!(r.should_encrypt(&["data", "x"], none));
        assert!(!r.should_encrypt(&["metadata", "name"], none));
        assert!(!r.should_encrypt(&["mydata"], none));
        let r = Rules::new(&md(RuleKind::UnencryptedRegex, r"^\w+_id$"), &mut p);
        assert!(!r.should_encrypt(&["user_id"], none));
        let r = Rules::new(&md(RuleKind::EncryptedSuffix, "_secret"), &mut p);
        assert!(r.should_encrypt(&["db_secret"], none));
        assert!(!r.should_encrypt(&["db"], none));
        let r = Rules::new(&md(RuleKind::EncryptedCommentRegex, "sops:enc"), &mut p);
        assert!(r.should_encrypt(&["k"], &[vec![Cow::Borrowed(" sops:enc")]]));
        assert!(!r.should_encrypt(&["k"], &[vec![]]));
        assert!(p.is_empty());
        let _ = Rules::new(&md(RuleKind::EncryptedRegex, "(unclosed"), &mut p);
        assert_eq!(p.len(), 1);
    }
}
