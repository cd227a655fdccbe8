use crate::finding::Finding;
use crate::image_ref::{ImageRef, check_images};
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Off by default. Flags a container image pinned by neither a digest (`@sha256:…`) nor
    /// a tag that `image-tag-pattern` in `.envgate.yaml` declares immutable — the
    /// `digest-or-pattern` policy, e.g. `image-tag-pattern: "^sha-[0-9a-f]{7,40}$"` for tags
    /// CI derives from commits. Without the key only digests pin. A kustomize `images:`
    /// override in every unit that includes the file counts as pinning; images written with
    /// placeholders are not judged.
    ///
    /// ## Why is this bad?
    /// A tag is a pointer a registry lets anyone with push rights move: the same manifest can
    /// run different code tomorrow, a rollback to this commit may not roll back the image,
    /// and nothing in Git records what actually ran. A digest names the bytes.
    ///
    /// ## Example
    /// ```yaml
    /// image: ghcr.io/acme/api:1.4.2
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// image: ghcr.io/acme/api:1.4.2@sha256:3f2a…   # or an immutable CI tag the pattern admits
    /// ```
    pub struct ImageNotDigestPinned {
        id: "image-not-digest-pinned",
        severity: Warning,
        summary: "Container image pinned by neither a digest nor an immutable tag pattern",
        default_on: false,
    }
}

impl DocumentRule for ImageNotDigestPinned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        let pattern = cx.config.image_tag_pattern.as_ref();
        let problem = |r: &ImageRef| -> Option<String> {
            if r.digest.is_some() {
                return None;
            }
            match (r.tag, pattern) {
                (Some(t), Some(p)) if p.is_match(t) => None,
                (Some(_), Some(p)) => Some(format!(
                    "is pinned by neither a digest nor a tag matching image-tag-pattern `{}`",
                    p.as_str()
                )),
                _ => Some("is not pinned by a digest".to_string()),
            }
        };
        check_images(cx, &Self::META, &problem, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::Project;

    fn run(pattern: Option<&str>, src: &str) -> Vec<u32> {
        let mut config = crate::config::Config::default();
        config.image_tag_pattern = pattern.map(|p| regex::Regex::new(p).unwrap());
        let project = Project::default();
        let parsed = crate::yaml::parse_yaml(src);
        let mut out = Vec::new();
        for doc in &parsed.documents {
            let cx = DocumentContext::new(
                "p.yaml",
                src,
                crate::source::FileKind::Manifest,
                doc,
                &config,
                &project,
            );
            ImageNotDigestPinned.check(&cx, &mut out);
        }
        out.iter().map(|f| f.span.start.line).collect()
    }

    const SRC: &str = "containers:\n  - {name: a, image: 'app:1.4.2'}\n  - {name: b, image: 'app:sha-3f2a9c1'}\n  - {name: c, image: 'app:1.4.2@sha256:0000000000000000000000000000000000000000000000000000000000000000'}\n  - {name: d, image: '${IMAGE}'}\n  - {name: e, image: 'app'}\n";

    #[test]
    fn digest_policy() {
        assert_eq!(run(None, SRC), [2, 3, 6]);
    }

    #[test]
    fn digest_or_pattern_policy() {
        assert_eq!(run(Some("^sha-[0-9a-f]{7,40}$"), SRC), [2, 6]);
    }
}
