//! Offline checks: metadata completeness, ENC syntax, and plaintext where the file's own
//! rules require encryption. No key needed.

use super::comments;
use super::enc::{self, ValueType};
use super::gofmt::GoTime;
use super::rules::Rules;
use super::typing::Typed;
use super::{Problem, ProblemKind, SopsDocument};

fn rule_name(d: &SopsDocument<'_>) -> String {
    match d.metadata.rules.as_slice() {
        [] => "default `unencrypted_suffix: _unencrypted`".to_string(),
        [(k, _), ..] => {
            let name = super::metadata::RuleKind::ALL
                .iter()
                .find(|(_, r)| r == k)
                .map_or("?", |(n, _)| n);
            format!("`{name}`")
        }
    }
}

/// All structural problems of a detected sops file, in source order of discovery.
/// Messages name keys and metadata fields, never values.
pub fn structural_problems(src: &str, d: &SopsDocument<'_>) -> Vec<Problem> {
    let md = &d.metadata;
    let mut out = d.build_problems.clone();
    let p = |kind, span, msg: &str| Problem::new(kind, span, msg.to_string());

    match &md.mac {
        None => out.push(p(
            ProblemKind::MissingMac,
            md.span,
            "sops metadata has no `mac`",
        )),
        Some(f) if f.value.is_empty() => {
            out.push(p(ProblemKind::MissingMac, f.span, "`sops.mac` is empty"))
        }
        Some(f) => match enc::parse_enc(&f.value) {
            Err(e) => out.push(Problem::new(
                ProblemKind::MalformedEnc,
                f.span,
                format!("`sops.mac`: {e}"),
            )),
            Ok(v) if v.kind != ValueType::Str => out.push(p(
                ProblemKind::MalformedEnc,
                f.span,
                "`sops.mac` must be `type:str`",
            )),
            Ok(_) => {}
        },
    }
    match &md.lastmodified {
        None => out.push(p(
            ProblemKind::MissingLastModified,
            md.span,
            "sops metadata has no `lastmodified`",
        )),
        Some(f) if f.value.is_empty() => out.push(p(
            ProblemKind::MissingLastModified,
            f.span,
            "`sops.lastmodified` is empty",
        )),
        Some(f) if GoTime::parse(f.value.trim(), false).is_none() => out.push(p(
            ProblemKind::InvalidLastModified,
            f.span,
            "`sops.lastmodified` is not an RFC 3339 timestamp",
        )),
        Some(_) => {}
    }
    match &md.version {
        None => out.push(p(
            ProblemKind::MissingVersion,
            md.span,
            "sops metadata has no `version` (sops ≥3.11 refuses: \"Version string empty\")",
        )),
        Some(f) if f.value.trim().is_empty() => out.push(p(
            ProblemKind::MissingVersion,
            f.span,
            "`sops.version` is empty",
        )),
        Some(_) => {}
    }

    if md.master_key_count() == 0 {
        out.push(p(
            ProblemKind::NoRecipients,
            md.span,
            "no master key in any key group (\"No keys found in file\")",
        ));
    }
    if md.uses_key_groups {
        for (i, g) in md.key_groups.iter().enumerate() {
            if g.keys.is_empty() {
                out.push(Problem::new(
                    ProblemKind::EmptyKeyGroup,
                    md.span,
                    format!("key group {} has no master key", i + 1),
                ));
            }
        }
        let groups = md.key_groups.len() as u32;
        if let Some(t) = md.shamir_threshold
            && groups > 1
            && t > groups
        {
            out.push(Problem::new(
                ProblemKind::BadShamirThreshold,
                md.span,
                format!("shamir_threshold {t} exceeds the {groups} key groups"),
            ));
        }
    }
    for g in &md.key_groups {
        for k in &g.keys {
            if k.enc.as_ref().is_none_or(|e| e.value.trim().is_empty()) {
                out.push(Problem::new(
                    ProblemKind::MissingWrappedKey,
                    k.span,
                    format!("`{}` master key without `enc`", k.kind.name()),
                ));
            }
        }
    }
    if md.rules.len() > 1 {
        out.push(p(
            ProblemKind::ConflictingRules,
            md.rules[1].1.span,
            "more than one of encrypted/unencrypted suffix/regex/comment_regex is set (sops refuses the file)",
        ));
    }

    let rules = Rules::new(md, &mut out);
    let rule = rule_name(d);
    for leaf in &d.leaves {
        let stack = if rules.needs_comments() {
            comments::stack(src, leaf)
        } else {
            Vec::new()
        };
        let should = rules.should_encrypt(&leaf.path, &stack);
        let path = leaf.display_path();
        match (&leaf.value, should) {
            (Typed::Unsupported(why), _) => out.push(Problem::new(
                ProblemKind::UnsupportedValue,
                leaf.span,
                format!("`{path}`: {why}; sops cannot walk it"),
            )),
            (Typed::Str(s), true) if s.is_empty() => {}
            (Typed::Str(s), true) if enc::looks_encrypted(s) => {
                if let Err(e) = enc::parse_enc(s) {
                    out.push(Problem::new(ProblemKind::MalformedEnc, leaf.span, format!("`{path}`: {e}")));
                }
            }
            (_, true) => out.push(Problem::new(
                ProblemKind::PlaintextValue,
                leaf.span,
                format!("`{path}` is plaintext but the file's {rule} says it must be encrypted"),
            )),
            (Typed::Str(s), false) if enc::looks_encrypted(s) => out.push(Problem::new(
                ProblemKind::EncryptedOutsideRules,
                leaf.span,
                format!("`{path}` holds an ENC[] value although the file's {rule} leaves it unencrypted; sops will not decrypt it"),
            )),
            _ => {}
        }
    }
    out
}
