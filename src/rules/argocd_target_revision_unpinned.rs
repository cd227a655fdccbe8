use crate::finding::Finding;
use crate::revision::{chart_version_problem, git_revision_problem};
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::yaml::{Node, Span};

declare_rule! {
    /// ## What it does
    /// Flags an Argo CD `Application` (or an `ApplicationSet`'s `spec.template`) whose
    /// `source` / `sources[]` `targetRevision` moves:
    ///
    /// - Git sources: missing or empty (Argo CD follows `HEAD`), `HEAD`, a branch-like name
    ///   without any digit (`main`, `master`, `develop`, `stable`), or a range (`1.2.*`);
    /// - Helm repository sources (`chart:` set): missing, `*`, a range (`>=1.0.0`, `1.x`,
    ///   `~1.2`) or a partial version (`1.2`).
    ///
    /// A 40-hex commit SHA, a tag containing a version (`v1.4.2`, `app-2.0.1`) and an exact
    /// chart version are pinned. Values with placeholders (`{{ .revision }}` in
    /// ApplicationSets, `${REV}`) are unknown and skipped.
    ///
    /// ## Why is this bad?
    /// What runs is decided by whatever lands on the branch or in the chart repository, not
    /// by the reviewed commit of this repository; a rollback here does not roll back the
    /// application. Argo CD recommends tags or commit SHAs for production.
    ///
    /// It is off by default and informational: an app-of-apps tracking its own environment
    /// repository at `HEAD` is the standard pattern, and a single file does not tell whether
    /// `repoURL` is this repository. Turn it on with `rules: {argocd-target-revision-unpinned:
    /// info}` in `.envgate.yaml` (or `warning`/`error` for production paths), and allow
    /// self-tracking Applications by path with `allow:`.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   source:
    ///     repoURL: https://github.com/acme/payments.git
    ///     targetRevision: main
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///     targetRevision: v2.7.1
    /// ```
    pub struct ArgocdTargetRevisionUnpinned {
        id: "argocd-target-revision-unpinned",
        severity: Info,
        summary: "Argo CD Application source targetRevision is HEAD, a branch or a version range",
        group: "gitops",
        default_on: false,
    }
}

impl ArgocdTargetRevisionUnpinned {
    fn check_source(
        cx: &DocumentContext,
        kind: &str,
        name: &str,
        field: &str,
        fallback: Span,
        src: &Node,
        out: &mut Vec<Finding>,
    ) {
        if !src.is_mapping() {
            return;
        }
        let rev = src.get("targetRevision");
        if rev.is_some_and(|r| !r.is_null() && r.as_str().is_none()) {
            return;
        }
        let value = rev.filter(|r| !r.is_null()).and_then(Node::as_str);
        let chart = src.get_str("chart");
        let problem = match (chart, value) {
            (Some(_), v) => chart_version_problem(v),
            (None, None) => Some("is missing (follows the default branch, HEAD)"),
            (None, Some(v)) => git_revision_problem(v),
        };
        let Some(problem) = problem else { return };
        let what = match (chart, src.get_str("path"), src.get_str("ref")) {
            (Some(c), _, _) => format!("chart {c}"),
            (None, Some(p), _) => format!("path {p}"),
            (None, None, Some(r)) => format!("ref {r}"),
            (None, None, None) => "repository root".to_string(),
        };
        let shown = value.map_or(String::new(), |v| format!(" `{v}`"));
        out.push(
            Finding::new(
                &Self::META,
                cx.path,
                rev.map_or(fallback, |r| r.span),
                format!("{kind} {name} {field} ({what}) targetRevision{shown} {problem}"),
                &format!("{kind}/{name}/{field}.targetRevision"),
            )
            .help("pin a tag or a commit SHA (an exact version for Helm charts)"),
        );
    }
}

impl DocumentRule for ArgocdTargetRevisionUnpinned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        if cx.is_fragment() {
            return;
        }
        for obj in cx.objects() {
            if !obj
                .api_version
                .is_some_and(|a| a.starts_with("argoproj.io/"))
            {
                continue;
            }
            let (kind, spec, prefix) = match obj.kind {
                Some("Application") => ("Application", obj.spec, "spec"),
                Some("ApplicationSet") => (
                    "ApplicationSet",
                    obj.node
                        .get("spec")
                        .and_then(|s| s.get("template"))
                        .and_then(|t| t.get("spec")),
                    "spec.template.spec",
                ),
                _ => continue,
            };
            let Some(spec) = spec else { continue };
            let name = obj.display_name();
            if let Some(e) = spec.entry("source") {
                let field = format!("{prefix}.source");
                Self::check_source(cx, kind, &name, &field, e.key.span, &e.value, out);
            }
            if let Some(e) = spec.entry("sources") {
                for (i, s) in e.value.items().iter().enumerate() {
                    let field = format!("{prefix}.sources[{i}]");
                    Self::check_source(cx, kind, &name, &field, s.span, s, out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    fn app(source: &str) -> String {
        format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {{name: web, namespace: argocd}}\nspec:\n  project: default\n{source}"
        )
    }

    fn found(src: &str) -> Vec<(u32, u32)> {
        check(&ArgocdTargetRevisionUnpinned, "app.yaml", src)
            .iter()
            .map(|f| (f.span.start.line, f.span.start.col))
            .collect()
    }

    #[test]
    fn unpinned() {
        for rev in ["HEAD", "main", "master", "''", "'1.2.*'"] {
            let src = app(&format!(
                "  source:\n    repoURL: https://github.com/acme/web.git\n    path: deploy\n    targetRevision: {rev}\n"
            ));
            assert_eq!(found(&src), [(9, 21)], "{rev}");
        }
        let missing =
            app("  source:\n    repoURL: https://github.com/acme/web.git\n    path: deploy\n");
        assert_eq!(found(&missing), [(6, 3)]);
        let helm = app(
            "  sources:\n    - repoURL: https://charts.example.com\n      chart: web\n      targetRevision: '>=1.0.0'\n    - repoURL: https://github.com/acme/values.git\n      ref: values\n",
        );
        assert_eq!(found(&helm), [(9, 23), (10, 7)]);
        let set = "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: s}\nspec:\n  template:\n    spec:\n      source: {repoURL: 'https://github.com/acme/x.git', targetRevision: main}\n";
        assert_eq!(found(set).len(), 1);
    }

    #[test]
    fn pinned_or_unknown() {
        for rev in [
            "v1.4.2",
            "1.4.2",
            "app-2.0.1",
            "0123456789abcdef0123456789abcdef01234567",
            "'{{ .revision }}'",
        ] {
            let src = app(&format!(
                "  source:\n    repoURL: https://github.com/acme/web.git\n    targetRevision: {rev}\n"
            ));
            assert!(found(&src).is_empty(), "{rev}");
        }
        let helm = app(
            "  source:\n    repoURL: https://charts.example.com\n    chart: web\n    targetRevision: 1.2.3\n",
        );
        assert!(found(&helm).is_empty());
        // Not an Argo CD Application.
        let other = "apiVersion: app.k8s.io/v1beta1\nkind: Application\nspec:\n  source: {targetRevision: main}\n";
        assert!(found(other).is_empty());
    }
}
