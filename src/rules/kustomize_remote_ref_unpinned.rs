use crate::finding::Finding;
use crate::revision::{chart_version_problem, git_revision_problem, has_placeholder};
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::source::FileKind;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// In a kustomization (`kustomization.yaml|yml`, `Kustomization`), flags remote entries
    /// of `resources`, `components` and `bases` that follow a moving revision:
    ///
    /// - a Git URL (`github.com/org/repo//path`, `https://…/repo.git`, `git::…`, `git@…`,
    ///   `ssh://…`) without `?ref=` / `?version=`, or whose ref is empty, `HEAD`, a branch-like
    ///   name without any digit (`main`, `master`, `develop`) or a range;
    /// - a plain HTTP(S) file URL whose path goes through `main`, `master`, `HEAD`, `develop`,
    ///   `trunk`, `stable` or `latest` (`raw.githubusercontent.com/org/repo/main/deploy.yaml`,
    ///   `releases/latest/download/…`); a `?ref=` on such a URL is not a Git ref and does not
    ///   pin it;
    /// - a `helmCharts` entry with a `repo` but no `version`, an empty one, `*` or a range.
    ///
    /// A ref that is a commit SHA or a tag containing a version (`v1.2.3`) is pinned; local
    /// paths and entries with placeholders are not checked.
    ///
    /// ## Why is this bad?
    /// `kustomize build` of the same commit yields different manifests tomorrow: whatever is
    /// pushed to the remote branch (or published as the newest chart) is deployed without a
    /// review in this repository, and reverting here does not revert it.
    ///
    /// ## Example
    /// ```yaml
    /// resources:
    ///   - github.com/acme/platform//base/ingress
    ///   - https://github.com/acme/platform//base/dns?ref=main
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// resources:
    ///   - https://github.com/acme/platform//base/ingress?ref=v1.8.0
    /// ```
    pub struct KustomizeRemoteRefUnpinned {
        id: "kustomize-remote-ref-unpinned",
        severity: Warning,
        summary: "Remote kustomize resource or Helm chart without a pinned ref/version",
        group: "kustomize",
    }
}

const MOVING_SEGMENTS: &[&str] = &[
    "main", "master", "HEAD", "develop", "trunk", "latest", "stable",
];

/// The URL with any `user:password@` replaced, for messages.
fn display_url(url: &str) -> String {
    if let Some(i) = url.find("://") {
        let rest = &url[i + 3..];
        let host_end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest[..host_end].rfind('@')
            && rest[..at].contains(':')
        {
            return format!("{}***{}", &url[..i + 3], &rest[at..]);
        }
    }
    url.to_string()
}

/// Why a `resources`/`components` entry follows a moving revision, if it is remote.
fn remote_problem(entry: &str) -> Option<String> {
    let e = entry.trim();
    let is_http = e.starts_with("https://") || e.starts_with("http://");
    let is_git = e.starts_with("git::")
        || e.starts_with("git@")
        || e.starts_with("ssh://")
        || ["github.com/", "gitlab.com/", "bitbucket.org/"]
            .iter()
            .any(|h| e.starts_with(h));
    if !is_http && !is_git {
        return None;
    }
    let (base, query) = e.split_once('?').unwrap_or((e, ""));
    let mut rev = None;
    for kv in query.split('&') {
        if let Some(v) = kv
            .strip_prefix("ref=")
            .or_else(|| kv.strip_prefix("version="))
        {
            rev = Some(v);
        }
    }
    if is_http {
        let path = base.split_once("://").map_or(base, |(_, r)| r);
        let last = path.rsplit('/').next().unwrap_or("");
        let is_file = [".yaml", ".yml", ".json"]
            .iter()
            .any(|x| last.to_ascii_lowercase().ends_with(x))
            && !path.contains("//")
            && !path.contains(".git/");
        if is_file {
            // Fetched with a plain HTTP GET: a `?ref=` is not a Git ref and changes nothing.
            let ignored = if rev.is_some() {
                " (its ?ref= is ignored for a file URL)"
            } else {
                ""
            };
            return path
                .split('/')
                .skip(1)
                .find(|s| MOVING_SEGMENTS.contains(s))
                .map(|s| format!("is a file URL through the moving `{s}`{ignored}"));
        }
    }
    match rev {
        None => Some("has no ?ref= (the remote default branch is followed)".to_string()),
        Some(r) => git_revision_problem(r).map(|p| format!("has ref `{r}` that {p}")),
    }
}

fn is_kustomization(cx: &DocumentContext) -> bool {
    let root = &cx.doc.root;
    cx.kind == FileKind::Kustomization
        && root.is_mapping()
        && matches!(
            root.get_str("kind"),
            None | Some("Kustomization" | "Component")
        )
        && root
            .get_str("apiVersion")
            .is_none_or(|a| a.starts_with("kustomize.config.k8s.io/"))
}

impl DocumentRule for KustomizeRemoteRefUnpinned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        if !is_kustomization(cx) {
            return;
        }
        let root = &cx.doc.root;
        for field in ["resources", "components", "bases"] {
            for item in root.get(field).map(Node::items).unwrap_or(&[]) {
                let Some(entry) = item.as_str().filter(|v| !has_placeholder(v)) else {
                    continue;
                };
                let Some(problem) = remote_problem(entry) else {
                    continue;
                };
                let url = display_url(entry);
                out.push(
                    Finding::new(
                        &Self::META,
                        cx.path,
                        item.span,
                        format!("remote {field} entry {url} {problem}"),
                        &format!("{field}/{url}"),
                    )
                    .help("pin the remote with ?ref=<tag or commit SHA>"),
                );
            }
        }
        for chart in root.get("helmCharts").map(Node::items).unwrap_or(&[]) {
            let repo = chart.get_str("repo").unwrap_or("").trim();
            if repo.is_empty() || has_placeholder(repo) {
                continue;
            }
            let version = chart.get("version");
            if version.is_some_and(|v| !v.is_null() && v.as_str().is_none()) {
                continue;
            }
            let value = version.filter(|v| !v.is_null()).and_then(Node::as_str);
            let Some(problem) = chart_version_problem(value) else {
                continue;
            };
            let name = chart.get_str("name").unwrap_or("?");
            let span = version
                .or_else(|| chart.get("name"))
                .map_or(chart.span, |n| n.span);
            out.push(
                Finding::new(
                    &Self::META,
                    cx.path,
                    span,
                    format!(
                        "helmCharts entry {name} (repo {}) {problem}",
                        display_url(repo)
                    ),
                    &format!("helmCharts/{name}"),
                )
                .help("pin an exact chart version (version: 1.2.3)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    #[test]
    fn remote_entries() {
        for e in [
            "github.com/acme/platform//base",
            "https://github.com/acme/platform//base?ref=main",
            "https://github.com/acme/platform.git?ref=HEAD",
            "git::https://gitlab.com/acme/platform.git//base",
            "git@github.com:acme/platform.git//base?ref=develop",
            "ssh://git@github.com/acme/platform//base",
            "https://raw.githubusercontent.com/acme/platform/main/deploy.yaml",
            "https://github.com/acme/x/releases/latest/download/install.yaml",
            "https://github.com/acme/platform//base?version=",
            // A raw file on the `stable` branch: the query is not a Git ref.
            "https://raw.githubusercontent.com/argoproj/argo-cd/stable/manifests/install.yaml?ref=v3.0.12",
        ] {
            assert!(remote_problem(e).is_some(), "{e}");
        }
        for e in [
            "../base",
            "deployment.yaml",
            "github.com/acme/platform//base?ref=v1.2.3",
            "https://github.com/acme/platform//base?ref=0123456789abcdef0123456789abcdef01234567&timeout=120s",
            "https://github.com/acme/platform.git?submodules=false&ref=v2.0.0",
            "https://github.com/cert-manager/cert-manager/releases/download/v1.14.0/cert-manager.yaml",
            "https://raw.githubusercontent.com/acme/platform/v1.2.3/deploy.yaml",
        ] {
            assert!(remote_problem(e).is_none(), "{e}");
        }
        assert_eq!(
            display_url("https://user:tok@github.com/a/b?ref=main"),
            "https://***@github.com/a/b?ref=main"
        );
    }

    #[test]
    fn kustomization_files_only() {
        let src = "resources:\n  - ../base\n  - github.com/acme/platform//base?ref=main\ncomponents:\n  - https://github.com/acme/c//x?ref=v1.0.0\nhelmCharts:\n  - name: podinfo\n    repo: https://stefanprodan.github.io/podinfo\n  - name: redis\n    repo: oci://registry-1.docker.io/bitnamicharts\n    version: '>=18'\n  - name: local\n    version: '*'\n  - name: pinned\n    repo: https://charts.example.com\n    version: 1.2.3\n";
        let f = check(&KustomizeRemoteRefUnpinned, "env/kustomization.yaml", src);
        let pos: Vec<_> = f
            .iter()
            .map(|f| (f.span.start.line, f.span.start.col))
            .collect();
        assert_eq!(pos, [(3, 5), (7, 11), (11, 14)], "{f:?}");
        assert!(
            f[0].message
                .contains("ref `main` that looks like a branch name")
        );
        // Same content in an ordinary manifest, or a Flux Kustomization.
        assert!(check(&KustomizeRemoteRefUnpinned, "env/other.yaml", src).is_empty());
        let flux = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nresources:\n  - github.com/a/b\n";
        assert!(check(&KustomizeRemoteRefUnpinned, "kustomization.yaml", flux).is_empty());
        let typed = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - github.com/a/b\n";
        assert_eq!(
            check(&KustomizeRemoteRefUnpinned, "Kustomization", typed).len(),
            1
        );
    }
}
