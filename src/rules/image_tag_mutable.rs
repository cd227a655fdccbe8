use crate::finding::Finding;
use crate::image_ref::{ImageRef, check_images};
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Off by default. Flags a container image (without a digest) whose tag names a moving
    /// channel rather than a release: `stable`, `main`, `master`, `dev`, `develop`,
    /// `development`, `edge`, `nightly`, `lts`, `snapshot`, `canary`, `head`, `trunk`
    /// (any case), or a bare major version (`1`, `v2`). `latest` has its own rule,
    /// `image-tag-latest`.
    ///
    /// Not flagged: `major.minor` tags (`nginx:1.27`, which float over patch releases but
    /// are a common, deliberate choice), branch-prefixed build tags (`main-3f2a9c1`, usually
    /// one commit), anything pinned by digest, and references with placeholders.
    ///
    /// ## Why is this bad?
    /// Like `latest`, these tags are re-pushed: the same manifest runs different code on
    /// different nodes and days, a rollback to this commit does not roll back the image, and
    /// Argo CD or Flux see no change to deploy. Some registries publish `stable` as an
    /// immutable alias, which is why this is a policy rule: enable it with
    /// `rules: {image-tag-mutable: warning}` in `.envgate.yaml`.
    ///
    /// ## Example
    /// ```yaml
    /// image: ghcr.io/acme/api:main
    /// image: redis:7
    /// ```
    ///
    /// ## Use instead
    /// A release or commit tag (`api:1.4.2`, `api:sha-3f2a9c1`, `redis:7.2.4`) or a digest.
    pub struct ImageTagMutable {
        id: "image-tag-mutable",
        severity: Warning,
        summary: "Container image on a moving tag (stable, main, nightly, bare major…)",
        default_on: false,
    }
}

const MOVING_TAGS: &[&str] = &[
    "stable",
    "main",
    "master",
    "dev",
    "develop",
    "development",
    "edge",
    "nightly",
    "lts",
    "snapshot",
    "canary",
    "head",
    "trunk",
];

impl ImageTagMutable {
    fn problem(r: &ImageRef) -> Option<String> {
        if r.digest.is_some() {
            return None;
        }
        let tag = r.tag?;
        if MOVING_TAGS.iter().any(|t| tag.eq_ignore_ascii_case(t)) {
            return Some(format!("uses the moving tag :{tag}"));
        }
        let major = tag.strip_prefix(['v', 'V']).unwrap_or(tag);
        if !major.is_empty() && major.bytes().all(|b| b.is_ascii_digit()) {
            return Some(format!(
                "uses the bare major version :{tag}, re-pushed with every release"
            ));
        }
        None
    }
}

impl DocumentRule for ImageTagMutable {
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
    fn moving_tags() {
        let src = "containers:\n  - {name: a, image: 'ghcr.io/acme/api:main'}\n  - {name: b, image: 'redis:7'}\n  - {name: c, image: 'app:v2'}\n  - {name: d, image: 'app:Nightly'}\n";
        let f = check(&ImageTagMutable, "p.yaml", src);
        let lines: Vec<u32> = f.iter().map(|f| f.span.start.line).collect();
        assert_eq!(lines, [2, 3, 4, 5]);
        let ok = "containers:\n  - {name: a, image: 'nginx:1.27'}\n  - {name: b, image: 'api:main-3f2a9c1'}\n  - {name: c, image: 'app:stable@sha256:0000000000000000000000000000000000000000000000000000000000000000'}\n  - {name: d, image: 'app:${TAG}'}\n  - {name: e, image: 'nginx:latest'}\n  - {name: f, image: 'registry:5000/app'}\n  - {name: g, image: 'app:stable-2024.01'}\n";
        assert!(check(&ImageTagMutable, "p.yaml", ok).is_empty());
    }
}
