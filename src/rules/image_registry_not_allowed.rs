use crate::finding::Finding;
use crate::placeholder::contains_placeholder;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Off by default. Flags a container image whose registry is not listed in
    /// `allowed-registries` in `.envgate.yaml`:
    ///
    /// ```yaml
    /// allowed-registries:
    ///   - ghcr.io/acme            # a host and a path prefix: ghcr.io/acme/* only
    ///   - registry.internal:5000  # a host (with its port): anything on it
    /// rules:
    ///   image-registry-not-allowed: error
    /// ```
    ///
    /// Images are resolved as the container runtime does: no registry means `docker.io`,
    /// and a one-component name is under `library/` (`nginx` is
    /// `docker.io/library/nginx`, allowed by `docker.io` or `docker.io/library`); the
    /// first component is a registry when it has a `.` or a `:` or is `localhost`
    /// (`registry:5000/app` is on `registry:5000`). A path prefix matches whole components
    /// (`ghcr.io/acme` does not admit `ghcr.io/acme-evil/x`). Comparison ignores case.
    ///
    /// A kustomize `images:` entry with `newName` in a unit that includes the file
    /// replaces the name: the image each unit deploys is judged (a file included by no
    /// unit is judged as written). Images written with placeholders (`${VAR}`, `{{ }}`)
    /// are unknown and not judged.
    ///
    /// With the rule enabled but no `allowed-registries` configured, it reports nothing.
    ///
    /// ## Why is this bad?
    /// Images from registries outside the organisation's control bypass its mirroring,
    /// scanning and signing, are subject to Docker Hub rate limits, and can disappear or
    /// be replaced upstream. Admission policies (Kyverno `restrict-image-registries`,
    /// Gatekeeper `allowedrepos`) reject such pods at sync time; this finds them in review.
    ///
    /// ## Example
    /// ```yaml
    /// # allowed-registries: [ghcr.io/acme]
    /// containers:
    ///   - name: cache
    ///     image: redis:7.2.4          # docker.io/library/redis
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: cache
    ///     image: ghcr.io/acme/mirror/redis:7.2.4
    /// ```
    /// or rename it in the overlay (`images: [{name: redis, newName:
    /// ghcr.io/acme/mirror/redis}]`).
    pub struct ImageRegistryNotAllowed {
        id: "image-registry-not-allowed",
        severity: Error,
        summary: "Container image from a registry not in allowed-registries",
        default_on: false,
    }
}

/// The fully qualified repository of an image name (no tag or digest), lower-cased:
/// `nginx` → `docker.io/library/nginx`, `registry:5000/app` → `registry:5000/app`.
pub fn qualified(name: &str) -> String {
    let name = name.to_ascii_lowercase();
    let (first, rest) = match name.split_once('/') {
        Some((f, r)) if f.contains('.') || f.contains(':') || f == "localhost" => (f, r),
        _ => return format!("docker.io/{}", library(&name)),
    };
    match first {
        "index.docker.io" | "registry-1.docker.io" | "docker.io" => {
            format!("docker.io/{}", library(rest))
        }
        _ => format!("{first}/{rest}"),
    }
}

fn library(path: &str) -> String {
    if path.contains('/') {
        path.to_string()
    } else {
        format!("library/{path}")
    }
}

/// True when the qualified repository `repo` is `entry` or under it (whole components).
fn allowed_by(repo: &str, entry: &str) -> bool {
    repo.strip_prefix(entry)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

impl DocumentRule for ImageRegistryNotAllowed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        let Some(allowed) = cx.config.allowed_registries.as_deref() else {
            return;
        };
        for (img, v) in crate::image_ref::images(cx) {
            let v = v.trim();
            if v.is_empty() || contains_placeholder(v) {
                continue;
            }
            let name = crate::image_ref::parse(v).name;
            // (the repository deployed, the unit that renamed it)
            let mut deployed: Vec<(&str, Option<&str>)> = Vec::new();
            let ms = cx.memberships();
            if ms.is_empty() {
                deployed.push((name, None));
            }
            for m in ms {
                let n = m.image_name(name);
                let by = (n != name).then_some(m.unit.as_str());
                if !deployed.iter().any(|(d, _)| *d == n) {
                    deployed.push((n, by));
                }
            }
            for (n, by) in deployed {
                if contains_placeholder(n) {
                    continue;
                }
                let repo = qualified(n);
                if allowed.iter().any(|e| allowed_by(&repo, e)) {
                    continue;
                }
                let what = match by {
                    Some(unit) => format!(
                        "image `{v}` is deployed as `{repo}` (kustomize images newName in {unit})"
                    ),
                    None => format!("image `{v}` resolves to `{repo}`"),
                };
                out.push(
                    Finding::new(
                        &Self::META,
                        cx.path,
                        img.span,
                        format!("{what}, not under any entry of allowed-registries"),
                        &format!("{v}/{repo}"),
                    )
                    .help(format!(
                        "pull it from an allowed registry ({}), or add its registry to allowed-registries",
                        allowed.join(", ")
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::Project;
    use crate::rules::testing::check_with;

    fn config(allowed: &[&str]) -> crate::config::Config {
        let mut c = crate::config::Config::default();
        c.allowed_registries = Some(allowed.iter().map(|s| s.to_string()).collect());
        c
    }

    fn lines(allowed: &[&str], project: &Project, path: &str, src: &str) -> Vec<u32> {
        check_with(
            &ImageRegistryNotAllowed,
            &config(allowed),
            project,
            path,
            src,
        )
        .iter()
        .map(|f| f.span.start.line)
        .collect()
    }

    #[test]
    fn normalisation() {
        assert_eq!(qualified("nginx"), "docker.io/library/nginx");
        assert_eq!(qualified("bitnami/redis"), "docker.io/bitnami/redis");
        assert_eq!(qualified("docker.io/nginx"), "docker.io/library/nginx");
        assert_eq!(
            qualified("index.docker.io/nginx"),
            "docker.io/library/nginx"
        );
        assert_eq!(qualified("registry:5000/app"), "registry:5000/app");
        assert_eq!(qualified("localhost/app"), "localhost/app");
        assert_eq!(qualified("GHCR.io/Acme/App"), "ghcr.io/acme/app");
        assert!(allowed_by("ghcr.io/acme/app", "ghcr.io/acme"));
        assert!(allowed_by("ghcr.io/acme", "ghcr.io/acme"));
        assert!(!allowed_by("ghcr.io/acme-evil/app", "ghcr.io/acme"));
        assert!(!allowed_by("ghcr.io.evil.com/app", "ghcr.io"));
    }

    const SRC: &str = "containers:\n  - {name: a, image: 'ghcr.io/acme/api:1.4.2'}\n  - {name: b, image: 'nginx:1.27'}\n  - {name: c, image: 'ghcr.io/other/x:1'}\n  - {name: d, image: 'registry:5000/app@sha256:0000000000000000000000000000000000000000000000000000000000000000'}\n  - {name: e, image: '${REGISTRY}/app:1'}\n  - {name: f, image: '{{ .Values.image }}'}\n  - {name: g, image: 'ghcr.io/acme-evil/x:1'}\n";

    #[test]
    fn allowlist() {
        let p = Project::default();
        assert_eq!(lines(&["ghcr.io/acme"], &p, "p.yaml", SRC), [3, 4, 5, 8]);
        assert_eq!(
            lines(
                &["ghcr.io/acme", "docker.io/library", "registry:5000"],
                &p,
                "p.yaml",
                SRC
            ),
            [4, 8]
        );
        assert_eq!(
            lines(
                &["ghcr.io", "docker.io", "registry:5000"],
                &p,
                "p.yaml",
                SRC
            ),
            Vec::<u32>::new()
        );
        let f = check_with(
            &ImageRegistryNotAllowed,
            &config(&["ghcr.io/acme"]),
            &p,
            "p.yaml",
            SRC,
        );
        assert_eq!(
            f[0].message,
            "image `nginx:1.27` resolves to `docker.io/library/nginx`, not under any entry of allowed-registries"
        );
    }

    #[test]
    fn no_allowlist_no_findings() {
        let f = crate::rules::testing::check(&ImageRegistryNotAllowed, "p.yaml", SRC);
        assert!(f.is_empty());
    }

    #[test]
    fn kustomize_new_name_is_the_deployed_image() {
        let p = Project::build(
            None,
            &[
                (
                    "prod/kustomization.yaml",
                    "resources: [../base]\nimages:\n  - {name: nginx, newName: ghcr.io/acme/mirror/nginx}\n  - {name: ghcr.io/acme/api, newName: quay.io/acme/api}\n",
                ),
                ("base/kustomization.yaml", "resources: [deploy.yaml]\n"),
                ("dev/kustomization.yaml", "resources: [../base]\n"),
            ],
        );
        let src = "containers:\n  - {name: a, image: 'ghcr.io/acme/api:1.4.2'}\n  - {name: b, image: 'nginx:1.27'}\n";
        // dev deploys nginx as written; prod deploys api from quay.io
        let f = check_with(
            &ImageRegistryNotAllowed,
            &config(&["ghcr.io/acme"]),
            &p,
            "base/deploy.yaml",
            src,
        );
        let msgs: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(msgs.len(), 2, "{msgs:#?}");
        assert!(msgs[0].contains(
            "deployed as `quay.io/acme/api` (kustomize images newName in prod/kustomization.yaml)"
        ));
        assert!(msgs[1].contains("`nginx:1.27` resolves to `docker.io/library/nginx`"));
        // a file of prod only: nginx is renamed into the allowlist
        let p = Project::build(
            None,
            &[(
                "prod/kustomization.yaml",
                "resources: [deploy.yaml]\nimages:\n  - {name: nginx, newName: ghcr.io/acme/mirror/nginx}\n",
            )],
        );
        assert!(lines(&["ghcr.io/acme"], &p, "prod/deploy.yaml", src).is_empty());
    }
}
