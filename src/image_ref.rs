//! Container image references (the distribution reference grammar) and where manifests put
//! them.

use crate::finding::Finding;
use crate::placeholder::is_placeholder_only;
use crate::rules::{DocumentContext, RuleMeta};

/// `[registry[:port]/]path[:tag][@algo:hex]`.
#[derive(Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    pub name: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

pub fn parse(s: &str) -> ImageRef<'_> {
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    // A ':' after the last '/' is a tag; before it, a registry port (`registry:5000/app`).
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[last_slash..].rfind(':') {
        Some(i) => ImageRef {
            name: &rest[..last_slash + i],
            tag: Some(&rest[last_slash + i + 1..]),
            digest,
        },
        None => ImageRef {
            name: rest,
            tag: None,
            digest,
        },
    }
}

/// A digest is `sha256:` + 64 lower-case hex (or `sha512:` + 128).
pub fn digest_is_valid(d: &str) -> bool {
    let hex = |h: &str, n: usize| {
        h.len() == n
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    match d.split_once(':') {
        Some(("sha256", h)) => hex(h, 64),
        Some(("sha512", h)) => hex(h, 128),
        _ => false,
    }
}

/// The `image:` of every container of the document, with its string value.
pub fn images<'a>(
    cx: &DocumentContext<'a>,
) -> impl Iterator<Item = (&'a crate::yaml::Node, &'a str)> {
    cx.containers()
        .iter()
        .filter_map(|c| c.get("image"))
        .filter_map(|i| Some((i, i.as_str()?)))
}

/// The shared check of the image rules: `problem` judges one literal reference (images
/// written with placeholders are skipped) and returns the message of a finding.
pub fn check_images(
    cx: &DocumentContext,
    rule: &'static RuleMeta,
    problem: &dyn Fn(&ImageRef) -> Option<String>,
    out: &mut Vec<Finding>,
) {
    for (img, v) in images(cx) {
        if is_placeholder_only(v) || v.contains("${") || v.contains("{{") {
            continue;
        }
        let r = parse(v);
        // A kustomize `images:` override in every unit that includes the file replaces the
        // tag or digest written here.
        if crate::project::Project::pinned_in(cx.memberships(), r.name) {
            continue;
        }
        if let Some(msg) = problem(&r) {
            out.push(Finding::new(
                rule,
                cx.path,
                img.span,
                format!("image `{v}` {msg}"),
                v,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar() {
        assert_eq!(parse("nginx").tag, None);
        assert_eq!(parse("nginx:1.27").tag, Some("1.27"));
        let r = parse("registry:5000/team/app");
        assert_eq!((r.name, r.tag), ("registry:5000/team/app", None));
        let r = parse("registry:5000/app:v2@sha256:abc");
        assert_eq!(
            (r.name, r.tag, r.digest),
            ("registry:5000/app", Some("v2"), Some("sha256:abc"))
        );
        assert!(digest_is_valid(&format!("sha256:{}", "a".repeat(64))));
        assert!(!digest_is_valid("sha256:ABC"));
        assert!(!digest_is_valid("md5:abc"));
    }
}
