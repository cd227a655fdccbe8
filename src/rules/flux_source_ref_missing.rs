use crate::finding::Finding;
use crate::manifest::KubeObject;
use crate::rules::declare_rule;
use crate::yaml::{Node, Span};

declare_rule! {
    /// ## What it does
    /// Flags a Flux reference to a source that no manifest of the repository defines: a
    /// `Kustomization`'s `spec.sourceRef`, a `HelmRelease`'s `spec.chart.spec.sourceRef` or
    /// `spec.chartRef`, an `ImageUpdateAutomation`'s `spec.sourceRef`. A source matches by
    /// kind, name and namespace (the reference's `namespace`, else the referrer's — its own
    /// or the one its kustomization sets); an unknown namespace on either side matches any.
    ///
    /// It runs only when whole directories are scanned. Names with `${VAR}` substitutions
    /// are not checked, nor is the cluster's bootstrap source — the source named
    /// `flux-system`, which `flux bootstrap`, the Flux Operator's `FluxInstance` or Terraform
    /// may create outside the repository. An `ArtifactGenerator` defines the
    /// `ExternalArtifact`s it lists. Sources that live in another repository are reported too (as a
    /// warning): define them here or suppress with a reason.
    ///
    /// ## Why is this bad?
    /// The object never becomes ready ("GitRepository.source.toolkit.fluxcd.io not found"),
    /// and nothing it would deploy is reconciled. Typical causes: a typo, a source renamed in
    /// one place, or a HelmRepository in another namespace.
    ///
    /// ## Example
    /// ```yaml
    /// kind: HelmRelease
    /// spec:
    ///   chart:
    ///     spec:
    ///       chart: podinfo
    ///       sourceRef: {kind: HelmRepository, name: podinfo}   # defined as `pod-info`
    /// ```
    ///
    /// ## Use instead
    /// Reference the source by its exact kind, name and namespace.
    pub struct FluxSourceRefMissing {
        id: "flux-source-ref-missing",
        severity: Warning,
        summary: "Flux object references a source the repository does not define",
        group: "gitops",
    }
}

const SOURCE_KINDS: &[&str] = &[
    "GitRepository",
    "OCIRepository",
    "HelmRepository",
    "Bucket",
    "HelmChart",
    "ExternalArtifact",
];

/// A Flux source defined, or a reference to one.
#[derive(Clone, Debug)]
pub enum SourceFact {
    Defined {
        kind: String,
        namespace: Option<String>,
        name: String,
    },
    Referenced {
        path: std::sync::Arc<str>,
        span: Span,
        referrer: String,
        kind: String,
        namespace: Option<String>,
        name: String,
    },
}

/// The namespace an object ends up in: its own, else the one every unit including it sets.
fn namespace_of(info: &crate::project::FileInfo, obj: &KubeObject) -> Option<String> {
    obj.namespace
        .or_else(|| info.unit_namespace())
        .map(str::to_string)
}

impl SourceFact {
    pub fn collect(
        path: &crate::cross_file::SharedPath,
        info: &crate::project::FileInfo,
        obj: &KubeObject,
        out: &mut Vec<SourceFact>,
    ) {
        let (Some(api), Some(kind)) = (obj.api_version, obj.kind) else {
            return;
        };
        if !api.contains(".fluxcd.io/") {
            return;
        }
        let ns = || namespace_of(info, obj);
        if api.starts_with("source.extensions.fluxcd.io/") && kind == "ArtifactGenerator" {
            let artifacts = obj.spec.and_then(|s| s.get("artifacts"));
            for a in artifacts.map(|a| a.items()).unwrap_or_default() {
                if let Some(name) = a.get_str("name") {
                    out.push(SourceFact::Defined {
                        kind: "ExternalArtifact".to_string(),
                        namespace: ns(),
                        name: name.to_string(),
                    });
                }
            }
            return;
        }
        if api.starts_with("source.toolkit.fluxcd.io/") && SOURCE_KINDS.contains(&kind) {
            if let Some(name) = obj.name {
                out.push(SourceFact::Defined {
                    kind: kind.to_string(),
                    namespace: ns(),
                    name: name.to_string(),
                });
            }
            return;
        }
        let spec = obj.spec;
        let refs: Vec<(&Node, &str)> = match kind {
            "Kustomization" | "ImageUpdateAutomation" => spec
                .and_then(|s| s.get("sourceRef"))
                .map(|r| (r, "GitRepository"))
                .into_iter()
                .collect(),
            "HelmRelease" => {
                let mut v = Vec::new();
                if let Some(r) = spec
                    .and_then(|s| s.get("chart"))
                    .and_then(|c| c.get("spec"))
                    .and_then(|c| c.get("sourceRef"))
                {
                    v.push((r, "HelmRepository"));
                }
                if let Some(r) = spec.and_then(|s| s.get("chartRef")) {
                    v.push((r, "OCIRepository"));
                }
                v
            }
            _ => Vec::new(),
        };
        for (r, default_kind) in refs {
            let Some(name) = r.entry("name") else {
                continue;
            };
            let Some(n) = name.value.as_str() else {
                continue;
            };
            let k = r.get_str("kind").unwrap_or(default_kind);
            if crate::placeholder::contains_placeholder(n)
                || !SOURCE_KINDS.contains(&k)
                || n == "flux-system"
            {
                continue;
            }
            out.push(SourceFact::Referenced {
                path: path.get(),
                span: name.value.span,
                referrer: format!("{kind} {}", obj.name.unwrap_or("-")),
                kind: k.to_string(),
                namespace: r.get_str("namespace").map(str::to_string).or_else(ns),
                name: n.to_string(),
            });
        }
    }
}

impl FluxSourceRefMissing {
    pub fn check(facts: &[&SourceFact]) -> Vec<Finding> {
        // The defined sources by (kind, name): their namespaces.
        let mut defined: rustc_hash::FxHashMap<(&str, &str), Vec<Option<&str>>> =
            Default::default();
        for f in facts {
            if let SourceFact::Defined {
                kind,
                namespace,
                name,
            } = f
            {
                defined
                    .entry((kind.as_str(), name.as_str()))
                    .or_default()
                    .push(namespace.as_deref());
            }
        }
        let mut out = Vec::new();
        for f in facts {
            let SourceFact::Referenced {
                path,
                span,
                referrer,
                kind,
                namespace,
                name,
            } = f
            else {
                continue;
            };
            let found = defined
                .get(&(kind.as_str(), name.as_str()))
                .is_some_and(|nss| {
                    nss.iter().any(|ns| {
                        ns.is_none() || namespace.is_none() || *ns == namespace.as_deref()
                    })
                });
            if !found {
                let shown = format!("{}/{name}", namespace.as_deref().unwrap_or("-"));
                out.push(
                    Finding::new(
                        &Self::META,
                        path,
                        *span,
                        format!("{referrer} references {kind} {shown}, which no manifest of the repository defines"),
                        &format!("{referrer}->{kind}/{shown}"),
                    )
                    .help("fix the reference's kind, name or namespace, or add the source"),
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::refs;
    use crate::yaml::parse_yaml;

    fn check_facts(facts: &[SourceFact]) -> Vec<Finding> {
        FluxSourceRefMissing::check(&refs(facts))
    }

    fn facts(files: &[(&str, &str)]) -> Vec<SourceFact> {
        let project = crate::project::Project::default();
        let mut out = Vec::new();
        for (path, src) in files {
            let p = parse_yaml(src);
            for d in &p.documents {
                for o in crate::manifest::objects(&d.root) {
                    SourceFact::collect(
                        &crate::cross_file::SharedPath::new(path),
                        project.file(path),
                        &o,
                        &mut out,
                    );
                }
            }
        }
        out
    }

    const REPO: &str = "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: podinfo, namespace: flux-system}\n";

    fn release(source: &str, ns: &str) -> String {
        format!(
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {{name: app, namespace: apps}}\nspec:\n  chart:\n    spec:\n      chart: podinfo\n      sourceRef:\n        kind: HelmRepository\n        name: {source}\n        namespace: {ns}\n"
        )
    }

    #[test]
    fn references() {
        let f = check_facts(&facts(&[
            ("repo.yaml", REPO),
            ("hr.yaml", &release("pod-info", "flux-system")),
        ]));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].span.start.line, 10);
        // Wrong namespace.
        assert_eq!(
            check_facts(&facts(&[("r", REPO), ("h", &release("podinfo", "apps"))])).len(),
            1
        );
        assert!(
            check_facts(&facts(&[
                ("r", REPO),
                ("h", &release("podinfo", "flux-system")),
                ("s", &release("${SOURCE}", "flux-system")),
            ]))
            .is_empty()
        );
        // A Kustomization defaults to a GitRepository in its own namespace.
        let ks = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec:\n  sourceRef: {kind: GitRepository, name: flux-system}\n";
        let git = "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: flux-system, namespace: flux-system}\n";
        assert!(check_facts(&facts(&[("k", ks), ("g", git)])).is_empty());
        // The bootstrap source may be created outside the repository.
        assert!(check_facts(&facts(&[("k", ks)])).is_empty());
        let other = ks.replace("name: flux-system}", "name: platform}");
        assert_eq!(check_facts(&facts(&[("k", &other)])).len(), 1);
        // ExternalArtifacts come from an ArtifactGenerator.
        let ea = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec:\n  sourceRef: {kind: ExternalArtifact, name: apps}\n";
        let generator = "apiVersion: source.extensions.fluxcd.io/v1beta1\nkind: ArtifactGenerator\nmetadata: {name: g, namespace: flux-system}\nspec:\n  artifacts:\n    - name: apps\n";
        assert!(check_facts(&facts(&[("k", ea), ("g", generator)])).is_empty());
        assert_eq!(check_facts(&facts(&[("k", ea)])).len(), 1);
    }
}
