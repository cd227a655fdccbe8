use crate::finding::Finding;
use crate::image_ref::{ImageRef, check_images};
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a container image tagged `:latest` without a digest.
    ///
    /// ## Why is this bad?
    /// `latest` moves: two nodes can run different code under the same manifest, a rollback
    /// to this commit does not roll back the image, and Argo CD/Flux cannot tell that
    /// anything changed.
    ///
    /// ## Example
    /// ```yaml
    /// image: nginx:latest
    /// ```
    ///
    /// ## Use instead
    /// A version tag from CI (`app:1.4.2`, `app:sha-3f2a9c1`) or a digest.
    pub struct ImageTagLatest {
        id: "image-tag-latest",
        severity: Warning,
        summary: "Container image tagged :latest",
    }
}

impl ImageTagLatest {
    fn problem(r: &ImageRef) -> Option<String> {
        if r.tag == Some("latest") && r.digest.is_none() {
            Some("uses the moving tag :latest".to_string())
        } else {
            None
        }
    }
}

impl DocumentRule for ImageTagLatest {
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
    fn latest() {
        let src = "containers:\n  - {name: a, image: 'nginx:latest'}\n  - {name: b, image: 'nginx:latest@sha256:0000000000000000000000000000000000000000000000000000000000000000'}\n  - {name: c, image: 'nginx:1.27'}\n  - {name: d, image: 'latest/app:v1'}\n";
        let f = check(&ImageTagLatest, "p.yaml", src);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].span.start.line, 2);
    }
}
