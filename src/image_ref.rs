//! Container image references (the distribution reference grammar) and where manifests put
//! them.

use crate::yaml::{Node, NodeKind};

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

/// Every container `image:` scalar of a document: items of `containers`, `initContainers`
/// and `ephemeralContainers` lists at any depth (pods, workloads, templates, CronJobs).
pub fn container_images(root: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    walk(root, &mut out, false);
    out
}

fn walk<'a>(n: &'a Node, out: &mut Vec<&'a Node>, in_containers: bool) {
    match &n.kind {
        NodeKind::Mapping(entries) => {
            if in_containers
                && let Some(img) = n.get("image")
                && img.as_str().is_some()
            {
                out.push(img);
            }
            for e in entries {
                let c = matches!(
                    e.key.as_str(),
                    Some("containers" | "initContainers" | "ephemeralContainers")
                );
                walk(&e.value, out, c);
            }
        }
        NodeKind::Sequence(items) => {
            for i in items {
                walk(i, out, in_containers);
            }
        }
        _ => {}
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
