use crate::finding::Finding;
use crate::image_ref::{ImageRef, check_images};
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a container image with neither a tag nor a digest (`nginx`,
    /// `registry:5000/team/app` — the `:5000` is a port, not a tag). Images written with
    /// placeholders (`${IMAGE}`) are skipped.
    ///
    /// ## Why is this bad?
    /// An untagged image means `:latest`: what runs depends on when a node pulled it, and
    /// Git no longer describes the cluster — the opposite of GitOps.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: web
    ///     image: ghcr.io/acme/web
    /// ```
    ///
    /// ## Use instead
    /// Pin a version tag (`ghcr.io/acme/web:1.4.2`) or a digest, or set it with a kustomize
    /// `images:` override in the overlay (this rule does not yet see overrides: suppress it
    /// in such bases with `# envgate:ignore image-tag-missing -- set by the overlay`).
    pub struct ImageTagMissing {
        id: "image-tag-missing",
        severity: Warning,
        summary: "Container image without a tag or digest",
    }
}

impl ImageTagMissing {
    fn problem(r: &ImageRef) -> Option<String> {
        if r.tag.is_none() && r.digest.is_none() {
            Some("has no tag or digest (it means :latest)".to_string())
        } else {
            None
        }
    }
}

impl DocumentRule for ImageTagMissing {
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
    fn untagged_images() {
        let src = "spec:\n  template:\n    spec:\n      initContainers:\n        - {name: i, image: busybox}\n      containers:\n        - name: a\n          image: registry:5000/team/app\n        - name: b\n          image: nginx:1.27\n        - name: c\n          image: ghcr.io/x/y@sha256:0000000000000000000000000000000000000000000000000000000000000000\n        - name: d\n          image: ${IMAGE}\nvalues:\n  image: untagged-but-not-a-container\n";
        let f = check(&ImageTagMissing, "d.yaml", src);
        let lines: Vec<u32> = f.iter().map(|x| x.span.start.line).collect();
        assert_eq!(lines, [5, 8]);
    }
}
