use crate::finding::Finding;
use crate::kustomize::{self, Role};
use crate::project::Target;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks every local path a kustomization lists — `resources`, `bases`, `crds`,
    /// `components`, `patches[].path`, `patchesStrategicMerge`, `patchesJson6902[].path`,
    /// generator `files` (also `key=path`), `envs` and `env`, `replacements[].path`,
    /// `transformers`, `generators`, `validators`, `configurations`, `openapi.path`,
    /// `helmCharts[].valuesFile`/`additionalValuesFiles` and `helmGlobals.chartHome` — and
    /// reports a path that does not exist, a directory listed as a resource or component that
    /// holds no `kustomization.yaml`, and a path that exists only with different letter case
    /// (it builds on macOS and Windows, then fails in Linux CI and in the cluster's
    /// controller).
    ///
    /// Remote entries (URLs, `git::`, `github.com/…`, `?ref=`), inline patches and entries
    /// with placeholders (`${VAR}`, `{{ … }}`) are not checked.
    ///
    /// ## Why is this bad?
    /// `kustomize build` fails, so Argo CD or Flux stops reconciling the whole unit — every
    /// later change to it is blocked until someone notices, usually after the merge.
    ///
    /// ## Example
    /// ```yaml
    /// # apps/prod/kustomization.yaml
    /// resources:
    ///   - ../base
    ///   - Ingress.yaml      # the file is ingress.yaml
    /// ```
    ///
    /// ## Use instead
    /// Fix the path (or add the missing file); for a directory, give it a
    /// `kustomization.yaml`.
    pub struct KustomizeMissingReference {
        id: "kustomize-missing-reference",
        severity: Error,
        summary: "Kustomization references a path that does not exist",
        group: "kustomize",
    }
}

impl DocumentRule for KustomizeMissingReference {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        if cx.doc.index != 0 || !kustomize::is_kustomization(cx.kind, &cx.doc.root) {
            return;
        }
        for (r, target) in cx.kustomize_references().iter().zip(cx.kustomize_targets()) {
            // (A scan input is a file that exists: no lookup.)
            let at = match target.input {
                Some(_) => Target::File,
                None => cx.project.target(&target.path),
            };
            let problem = match (at, r.role) {
                (Target::Unknown | Target::File, Role::Directory) => None,
                (Target::Unknown | Target::File | Target::Dir(true), _) => None,
                (Target::Dir(_), Role::Directory) => None,
                (Target::Dir(false), Role::Resource | Role::Component) => Some((
                    format!("`{}` is a directory without a kustomization.yaml", r.path),
                    "add a kustomization.yaml listing its manifests, or list the files".to_string(),
                )),
                (Target::Dir(false), _) => Some((
                    format!(
                        "`{}` is a directory, but {} expects a file",
                        r.path, r.field
                    ),
                    "point at the file".to_string(),
                )),
                (Target::Missing(Some(actual)), _) => Some((
                    format!(
                        "`{}` does not exist; `{actual}` differs only in letter case (works on macOS, fails on Linux)",
                        r.path
                    ),
                    "use the path's exact case".to_string(),
                )),
                (Target::Missing(None), _) => Some((
                    format!("`{}` ({}) does not exist", r.path, r.field),
                    "fix the path or add the file; kustomize build fails until then".to_string(),
                )),
            };
            if let Some((msg, help)) = problem {
                out.push(
                    Finding::new(
                        &Self::META,
                        cx.path,
                        r.span,
                        msg,
                        &format!("{}:{}", r.field, r.path),
                    )
                    .help(help),
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

    fn run(dir: &std::path::Path, path: &str, src: &str) -> Vec<Finding> {
        let project = Project::build(Some(dir), &[(path, src)]);
        check_in(&KustomizeMissingReference, &project, path, src)
    }

    #[test]
    fn missing_case_and_directories() {
        let d = tempfile::tempdir().unwrap();
        let w = |p: &str| {
            let p = d.path().join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        };
        w("app/deploy.yaml");
        w("app/ingress.yaml");
        w("base/kustomization.yaml");
        w("plain/x.yaml");
        let src = "resources:\n  - deploy.yaml\n  - Ingress.yaml\n  - gone.yaml\n  - ../base\n  - ../plain\n  - https://github.com/org/repo//x?ref=v1\n  - ${CLUSTER}/x.yaml\npatches:\n  - path: ../plain\n";
        let f = run(d.path(), "app/kustomization.yaml", src);
        let got: Vec<(u32, &str)> = f
            .iter()
            .map(|f| (f.span.start.line, f.message.as_str()))
            .collect();
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(got[0].1.contains("letter case") && got[0].0 == 3);
        assert!(got[1].1.contains("gone.yaml") && got[1].0 == 4);
        assert!(got[2].1.contains("without a kustomization") && got[2].0 == 6);
        assert!(got[3].1.contains("expects a file") && got[3].0 == 10);
    }

    #[test]
    fn only_kustomizations() {
        let d = tempfile::tempdir().unwrap();
        // A Flux Kustomization named kustomization.yaml is not kustomize's.
        let flux = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nresources: [gone.yaml]\n";
        assert!(run(d.path(), "kustomization.yaml", flux).is_empty());
        assert!(run(d.path(), "cm.yaml", "resources: [gone.yaml]\n").is_empty());
    }
}
