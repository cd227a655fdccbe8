use crate::finding::Finding;
use crate::revision::chart_version_problem;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a Flux `HelmRelease` whose `spec.chart.spec.version` is missing, empty, `*`, a
    /// range (`>=1.0.0`, `1.x`, `~1.2`, `^2`) or a partial version (`1.2`, read by Helm as
    /// `1.2.x`), when the chart comes from a `HelmRepository` (or an OCI Helm repository).
    ///
    /// In a kustomize patch, only a version that is written is checked. Not flagged:
    /// `spec.chartRef` (an `OCIRepository` or `HelmChart` pins its own
    /// reference), charts from a `GitRepository` or `Bucket` (Flux ignores `version` there:
    /// the chart at the source's revision is used), and versions with placeholders
    /// (`${CHART_VERSION}`).
    ///
    /// ## Why is this bad?
    /// The release is not what the commit says: the helm-controller upgrades to the newest
    /// matching chart as soon as it is published, without a review or a commit, and
    /// reverting the repository does not revert the chart. Two clusters built from the same
    /// commit can run different charts.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: helm.toolkit.fluxcd.io/v2
    /// kind: HelmRelease
    /// spec:
    ///   chart:
    ///     spec:
    ///       chart: podinfo
    ///       version: ">=6.0.0"
    ///       sourceRef: {kind: HelmRepository, name: podinfo}
    /// ```
    ///
    /// ## Use instead
    /// An exact version (`version: 6.5.4`), bumped by Renovate or Flux image automation; or a
    /// per-path allow for development clusters that track a range on purpose.
    pub struct FluxHelmreleaseChartUnpinned {
        id: "flux-helmrelease-chart-unpinned",
        severity: Warning,
        summary: "Flux HelmRelease chart version missing, `*` or a range",
        group: "gitops",
    }
}

impl DocumentRule for FluxHelmreleaseChartUnpinned {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        // A kustomize patch sets only what it changes: its version, when it has one, is the
        // deployed one; a missing version there says nothing.
        let fragment = cx.is_fragment();
        for obj in cx.objects() {
            if obj.kind != Some("HelmRelease")
                || !obj
                    .api_version
                    .is_some_and(|a| a.starts_with("helm.toolkit.fluxcd.io/"))
            {
                continue;
            }
            let Some(spec) = obj.spec else {
                continue;
            };
            if spec.get("chartRef").is_some() {
                continue;
            }
            let Some(chart_spec) = spec.get("chart").and_then(|c| c.entry("spec")) else {
                continue;
            };
            let cs = &chart_spec.value;
            let source_kind = cs.get("sourceRef").and_then(|s| s.get_str("kind"));
            if matches!(source_kind, Some("GitRepository" | "Bucket")) {
                continue;
            }
            let version = cs.get("version");
            if version.is_some_and(|v| !v.is_null() && v.as_str().is_none()) {
                continue;
            }
            let value = version.filter(|v| !v.is_null()).and_then(|v| v.as_str());
            if fragment && value.is_none() {
                continue;
            }
            let Some(problem) = chart_version_problem(value) else {
                continue;
            };
            let chart = cs
                .get_str("chart")
                .map_or(String::new(), |c| format!(" {c}"));
            let shown = value.map_or(String::new(), |v| format!(" version `{v}`"));
            let span = version.map_or(chart_spec.key.span, |v| v.span);
            out.push(
                Finding::new(
                    &Self::META,
                    cx.path,
                    span,
                    format!(
                        "HelmRelease {} chart{chart}{shown} {problem}",
                        obj.display_name()
                    ),
                    &format!("HelmRelease/{}/spec.chart.spec.version", obj.display_name()),
                )
                .help("pin an exact chart version (spec.chart.spec.version: 1.2.3) and let Renovate bump it"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    fn hr(chart_spec: &str) -> String {
        format!(
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {{name: podinfo, namespace: apps}}\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: podinfo\n{chart_spec}"
        )
    }

    #[test]
    fn unpinned() {
        let src = hr("      sourceRef: {kind: HelmRepository, name: podinfo}\n");
        let f = check(&FluxHelmreleaseChartUnpinned, "hr.yaml", &src);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].span.start.line, f[0].span.start.col), (7, 5));
        assert!(f[0].message.contains("has no version"), "{}", f[0].message);
        for v in ["'*'", "'>=6.0.0'", "6.x", "'~6.2'", "'6.2'", "''"] {
            let src = hr(&format!(
                "      version: {v}\n      sourceRef: {{kind: HelmRepository, name: podinfo}}\n"
            ));
            let f = check(&FluxHelmreleaseChartUnpinned, "hr.yaml", &src);
            assert_eq!(f.len(), 1, "{v}");
            assert_eq!(f[0].span.start.line, 9, "{v}");
        }
    }

    #[test]
    fn pinned_or_not_applicable() {
        for src in [
            hr("      version: 6.5.4\n      sourceRef: {kind: HelmRepository, name: podinfo}\n"),
            hr("      version: ${PODINFO_VERSION}\n      sourceRef: {kind: HelmRepository, name: podinfo}\n"),
            hr("      sourceRef: {kind: GitRepository, name: flux-system}\n"),
            hr("      version: '*'\n      sourceRef: {kind: Bucket, name: charts}\n"),
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: a}\nspec:\n  chartRef: {kind: OCIRepository, name: podinfo}\n".to_string(),
            // Not Flux: another HelmRelease CRD, and a values file.
            "apiVersion: example.com/v1\nkind: HelmRelease\nspec:\n  chart:\n    spec: {chart: x}\n".to_string(),
            "chart:\n  spec:\n    chart: x\n".to_string(),
        ] {
            assert!(check(&FluxHelmreleaseChartUnpinned, "hr.yaml", &src).is_empty(), "{src}");
        }
    }
}
