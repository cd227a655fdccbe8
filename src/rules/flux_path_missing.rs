use crate::finding::Finding;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a Flux `Kustomization` (`kustomize.toolkit.fluxcd.io`) whose `spec.path` does
    /// not exist in this repository, when its `sourceRef` is the repository itself — the
    /// `GitRepository` named `flux-system` that `flux bootstrap` creates. The path is
    /// resolved from the repository root (the git work tree, or the scan root).
    ///
    /// Sources in other repositories or OCI artifacts, and paths with `${VAR}`
    /// substitutions, are not checked.
    ///
    /// ## Why is this bad?
    /// The Kustomization fails with "kustomization path not found" and nothing under it is
    /// reconciled; with `prune: true`, a renamed directory can also make Flux delete what
    /// the old path deployed.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kustomize.toolkit.fluxcd.io/v1
    /// kind: Kustomization
    /// spec:
    ///   path: ./clusters/prod/apps   # the directory is clusters/production/apps
    ///   sourceRef: {kind: GitRepository, name: flux-system}
    /// ```
    ///
    /// ## Use instead
    /// Point `spec.path` at the directory, relative to the repository root.
    pub struct FluxPathMissing {
        id: "flux-path-missing",
        severity: Error,
        summary: "Flux Kustomization path does not exist in the repository",
        group: "gitops",
    }
}

impl DocumentRule for FluxPathMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        for obj in cx.objects() {
            if obj.kind != Some("Kustomization")
                || !obj
                    .api_version
                    .is_some_and(|a| a.starts_with("kustomize.toolkit.fluxcd.io/"))
            {
                continue;
            }
            let Some(spec) = obj.spec else {
                continue;
            };
            let own_repo = spec.get("sourceRef").is_some_and(|s| {
                s.get_str("kind").is_none_or(|k| k == "GitRepository")
                    && s.get_str("name") == Some("flux-system")
            });
            let Some(path) = spec.entry("path") else {
                continue;
            };
            let Some(p) = path.value.as_str() else {
                continue;
            };
            if !own_repo || crate::placeholder::contains_placeholder(p) {
                continue;
            }
            if !cx.project.repo_dir_exists(p) {
                out.push(
                    Finding::new(
                        &Self::META,
                        cx.path,
                        path.value.span,
                        format!(
                            "Flux Kustomization {} points at `{p}`, which is not a directory of this repository",
                            obj.display_name()
                        ),
                        &format!("{}:{p}", obj.display_name()),
                    )
                    .help("spec.path is relative to the repository root, e.g. ./clusters/prod"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::Project;
    use crate::rules::testing::check_in;

    fn run(root: &std::path::Path, src: &str) -> Vec<Finding> {
        let project = Project::build(Some(root), &[]);
        check_in(&FluxPathMissing, &project, "clusters/prod/apps.yaml", src)
    }

    fn ks(path: &str, source: &str) -> String {
        format!(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {{name: apps, namespace: flux-system}}\nspec:\n  path: {path}\n  sourceRef:\n    kind: GitRepository\n    name: {source}\n"
        )
    }

    #[test]
    fn paths() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("apps/prod")).unwrap();
        let f = run(d.path(), &ks("./apps/production", "flux-system"));
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].span.start.line, f[0].span.start.col), (5, 9));
        assert!(run(d.path(), &ks("./apps/prod", "flux-system")).is_empty());
        assert!(run(d.path(), &ks("apps/prod", "flux-system")).is_empty());
        // Another repository, a substitution.
        assert!(run(d.path(), &ks("./deploy", "platform-repo")).is_empty());
        assert!(run(d.path(), &ks("./clusters/${CLUSTER}", "flux-system")).is_empty());
    }
}
