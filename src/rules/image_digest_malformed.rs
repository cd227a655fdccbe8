use crate::finding::Finding;
use crate::image_ref::{ImageRef, check_images, digest_is_valid};
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags an image digest that is not `sha256:` followed by 64 lower-case hex characters
    /// (or `sha512:` and 128): truncated by copy and paste, upper-case, or the wrong
    /// algorithm.
    ///
    /// ## Why is this bad?
    /// The kubelet rejects the reference (`InvalidImageName`): the rollout stalls after the
    /// merge.
    ///
    /// ## Example
    /// ```yaml
    /// image: ghcr.io/acme/web@sha256:3f2a9c1
    /// ```
    ///
    /// ## Use instead
    /// The full digest, as `crane digest` or `docker buildx imagetools inspect` print it.
    pub struct ImageDigestMalformed {
        id: "image-digest-malformed",
        severity: Error,
        summary: "Container image digest that is not sha256:<64 hex>",
    }
}

impl ImageDigestMalformed {
    fn problem(r: &ImageRef) -> Option<String> {
        match r.digest {
            Some(d) if !digest_is_valid(d) => {
                Some("has a malformed digest (expected sha256:<64 hex>)".to_string())
            }
            _ => None,
        }
    }
}

impl DocumentRule for ImageDigestMalformed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        check_images(cx, &Self::META, &Self::problem, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    #[test]
    fn digests() {
        let good = "0".repeat(64);
        let src = format!(
            "containers:\n  - {{name: a, image: 'app@sha256:3f2a9c1'}}\n  - {{name: b, image: 'app@sha256:{good}'}}\n  - {{name: c, image: 'app@SHA256:{good}'}}\n"
        );
        let f = check(&ImageDigestMalformed, "p.yaml", &src);
        let lines: Vec<u32> = f.iter().map(|x| x.span.start.line).collect();
        assert_eq!(lines, [2, 4]);
    }
}
