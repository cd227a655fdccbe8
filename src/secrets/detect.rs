//! Credential detection for one file: pattern hits, credential assignments in embedded and
//! text documents, and whatever hides inside base64 — filtered by the manifest's context.

use std::ops::Range;

use super::assignment::find_assignments;
use super::context::{self, ManifestContext};
use super::engine::{Engine, Hit};
use super::pattern::PatternRule;
use crate::config::Config;
use crate::finding::{Finding, secret_hash};
use crate::redact::redact;
use crate::rules::docker_config_auth::DockerConfigAuth;
use crate::rules::generic_credential::GenericCredential;
use crate::source::pos_at;
use crate::yaml::{Document, Span, parse_yaml};

/// What is enabled, decided once per scan.
pub struct Detector {
    pub engine: &'static Engine,
    enabled: Vec<bool>,
    /// The config's own `secret-rules`, if any.
    custom: Option<(std::sync::Arc<Engine>, Vec<bool>)>,
    generic: bool,
    docker: bool,
}

impl Detector {
    pub fn new(config: &Config) -> Detector {
        let engine = Engine::builtin();
        Detector {
            engine,
            enabled: engine
                .rules
                .iter()
                .map(|r| config.is_enabled(r.meta))
                .collect(),
            custom: config.custom_rules.as_ref().map(|e| {
                let on = e.rules.iter().map(|r| config.is_enabled(r.meta)).collect();
                (e.clone(), on)
            }),
            generic: config.is_enabled(&GenericCredential::META),
            docker: config.is_enabled(&DockerConfigAuth::META),
        }
    }

    /// Hits of built-in and custom rules, with the rule they belong to.
    fn scan(&self, bytes: &[u8], path: &str) -> Vec<(Hit, &PatternRule)> {
        let mut out: Vec<(Hit, &PatternRule)> = self
            .engine
            .scan(bytes, path, &|i| self.enabled[i])
            .into_iter()
            .map(|h| {
                let r = &self.engine.rules[h.rule];
                (h, r)
            })
            .collect();
        if let Some((e, on)) = &self.custom {
            for h in e.scan(bytes, path, &|i| on[i]) {
                let r = &e.rules[h.rule];
                out.push((h, r));
            }
        }
        out
    }
}

fn span(bytes: &[u8], r: &Range<usize>) -> Span {
    Span {
        start: pos_at(bytes, r.start),
        end: pos_at(bytes, r.end),
    }
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// Runs every credential check on one file. `docs` is the parsed manifest, if it is one.
pub fn detect(
    path: &str,
    bytes: &[u8],
    docs: Option<&[Document]>,
    det: &Detector,
    out: &mut Vec<Finding>,
) {
    let cx = docs.map(context::build).unwrap_or_default();
    let is_manifest = docs.is_some();
    let hits = det.scan(bytes, path);
    let mut taken: Vec<Range<usize>> = Vec::new();
    for (h, rule) in &hits {
        if cx.is_excluded(&h.secret) {
            continue;
        }
        let secret = String::from_utf8_lossy(&bytes[h.secret.clone()]);
        out.push(
            Finding::new(
                rule.meta,
                path,
                span(bytes, &h.secret),
                format!("{}: {}", rule.meta.summary, redact(&secret)),
                &secret_hash(&secret),
            )
            .help("revoke and rotate it, then keep it out of Git (SOPS, SealedSecrets or an external secret store)")
            .secret(h.secret.clone()),
        );
        taken.push(h.secret.clone());
    }
    if det.generic {
        // Text files: every line. Manifests: only inside scalars that embed documents (the
        // YAML structure itself is checked by the `generic-credential` rule on the tree).
        let assignments = if is_manifest {
            let mut v = Vec::new();
            for r in &cx.embedded {
                v.extend(find_assignments(&bytes[r.clone()]).into_iter().map(|a| {
                    super::assignment::Assignment {
                        key: a.key.start + r.start..a.key.end + r.start,
                        value: a.value.start + r.start..a.value.end + r.start,
                    }
                }));
            }
            v
        } else {
            find_assignments(bytes)
        };
        for a in assignments {
            if cx.is_excluded(&a.value) || taken.iter().any(|t| overlaps(t, &a.value)) {
                continue;
            }
            let key = String::from_utf8_lossy(&bytes[a.key.clone()]);
            let value = String::from_utf8_lossy(&bytes[a.value.clone()]);
            out.push(GenericCredential::finding(
                path,
                span(bytes, &a.value),
                &key,
                &value,
                a.value.clone(),
                "",
            ));
        }
    }
    decoded(path, bytes, &cx, det, &taken, out);
}

/// Depth of nested base64 followed (base64 of base64 of a token).
const MAX_DECODE_DEPTH: usize = 2;

fn decoded(
    path: &str,
    bytes: &[u8],
    cx: &ManifestContext,
    det: &Detector,
    taken: &[Range<usize>],
    out: &mut Vec<Finding>,
) {
    for (label, range, value) in &cx.base64 {
        // Excluded ciphertext, or bytes a rule already reported as they are (a
        // base64-encoded PEM rule, say): nothing new inside.
        if cx.is_excluded(range) || taken.iter().any(|t| overlaps(t, range)) {
            continue;
        }
        let mut text = match context::decode_text(value) {
            Some(t) => t,
            None => continue,
        };
        for _ in 1..MAX_DECODE_DEPTH {
            match context::is_base64(text.trim())
                .then(|| context::decode_text(text.trim()))
                .flatten()
            {
                Some(inner) if inner.len() >= 8 => text = inner,
                _ => break,
            }
        }
        let at = span(bytes, range);
        let file_label = label.as_str();
        if file_label.ends_with(".dockerconfigjson") || file_label.ends_with(".dockercfg") {
            if det.docker {
                docker_config(path, at, range, file_label, &text, out);
            }
            continue;
        }
        let tb = text.as_bytes();
        let mut taken = Vec::new();
        for (h, rule) in det.scan(tb, path) {
            let secret = String::from_utf8_lossy(&tb[h.secret.clone()]);
            out.push(
                Finding::new(
                    rule.meta,
                    path,
                    at,
                    format!(
                        "{} inside base64 of {file_label}: {}",
                        rule.meta.summary,
                        redact(&secret)
                    ),
                    &secret_hash(&secret),
                )
                .help("revoke and rotate it; base64 is an encoding, not encryption")
                .secret(range.clone()),
            );
            taken.push(h.secret);
        }
        if det.generic {
            for a in find_assignments(tb) {
                if taken.iter().any(|t| overlaps(t, &a.value)) {
                    continue;
                }
                let key = String::from_utf8_lossy(&tb[a.key.clone()]);
                let v = String::from_utf8_lossy(&tb[a.value.clone()]);
                out.push(GenericCredential::finding(
                    path,
                    at,
                    &key,
                    &v,
                    range.clone(),
                    &format!(" inside base64 of {file_label}"),
                ));
            }
        }
    }
}

/// `{"auths": {"registry": {"auth": base64("user:pass"), "password": …}}}`; the legacy
/// `.dockercfg` has the registries at the top level.
fn docker_config(
    path: &str,
    at: Span,
    range: &Range<usize>,
    label: &str,
    json: &str,
    out: &mut Vec<Finding>,
) {
    let parsed = parse_yaml(json);
    let Some(root) = parsed.documents.first().map(|d| &d.root) else {
        return;
    };
    let registries = root.get("auths").unwrap_or(root);
    for e in registries.entries() {
        let registry = e.key.as_str().unwrap_or("?");
        if let Some(auth) = e.value.get_str("auth")
            && let Some(plain) = context::decode_text(auth)
        {
            let pw = plain.split_once(':').map_or(plain.as_str(), |x| x.1);
            if !pw.is_empty() {
                out.push(DockerConfigAuth::finding(
                    path,
                    at,
                    label,
                    registry,
                    "auth",
                    pw,
                    range.clone(),
                ));
            }
        }
        if let Some(pw) = e.value.get_str("password").filter(|p| !p.is_empty()) {
            out.push(DockerConfigAuth::finding(
                path,
                at,
                label,
                registry,
                "password",
                pw,
                range.clone(),
            ));
        }
    }
}
