use crate::cross_file::SharedPath;
use crate::finding::{Finding, Severity};
use crate::manifest::KubeObject;
use crate::rules::declare_rule;
use crate::yaml::Span;
use compact_str::CompactString;

declare_rule! {
    /// ## What it does
    /// Flags a custom resource whose `apiVersion` names a version that the
    /// `CustomResourceDefinition` of its group and kind — when that CRD is in the repository
    /// — does not serve (`spec.versions[]` without it, or with `served: false`). A version the
    /// CRD marks `deprecated: true` is a warning. Kinds whose CRD is not in the repository
    /// (installed by a Helm chart's `crds/`, or by an operator) are skipped.
    ///
    /// ## Why is this bad?
    /// The API server rejects the object ("no matches for kind … in version …"), so the
    /// whole Kustomization or Application fails to apply — typically right after a CRD
    /// upgrade dropped an old version that manifests still use.
    ///
    /// ## Example
    /// ```yaml
    /// # crds/widgets.yaml serves example.com/v1 only
    /// apiVersion: example.com/v1beta1
    /// kind: Widget
    /// ```
    ///
    /// ## Use instead
    /// Move the object to a served version (and convert its fields if the schema changed).
    pub struct CrdVersionNotServed {
        id: "crd-version-not-served",
        severity: Error,
        summary: "Custom resource in a version its in-repo CRD does not serve",
        group: "api",
    }
}

/// A CRD's served versions, or a custom resource's use of one.
#[derive(Clone, Debug)]
pub enum CrdFact {
    Defines {
        group: String,
        kind: String,
        /// (version, served, deprecated)
        versions: Vec<(String, bool, bool)>,
        /// `spec.scope` (None when absent or templated).
        scope: Option<crate::kube_api::Scope>,
        path: std::sync::Arc<str>,
    },
    Uses {
        group: CompactString,
        version: CompactString,
        kind: CompactString,
        /// `namespace/name`.
        name: CompactString,
        path: std::sync::Arc<str>,
        span: Span,
    },
}

impl CrdFact {
    /// (group, kind) → scope of every CRD of the repository that declares one.
    pub fn scopes<'a>(
        facts: &[&'a CrdFact],
    ) -> rustc_hash::FxHashMap<(&'a str, &'a str), crate::kube_api::Scope> {
        facts
            .iter()
            .filter_map(|f| match f {
                CrdFact::Defines {
                    group,
                    kind,
                    scope: Some(s),
                    ..
                } => Some(((group.as_str(), kind.as_str()), *s)),
                _ => None,
            })
            .collect()
    }

    pub fn collect(path: &SharedPath, obj: &KubeObject, out: &mut Vec<CrdFact>) {
        let (Some(api), Some(kind)) = (obj.api_version, obj.kind) else {
            return;
        };
        if kind == "CustomResourceDefinition" && api.starts_with("apiextensions.k8s.io/") {
            let spec = obj.spec;
            let (Some(group), Some(k)) = (
                spec.and_then(|s| s.get_str("group")),
                spec.and_then(|s| s.get("names"))
                    .and_then(|n| n.get_str("kind")),
            ) else {
                return;
            };
            let mut versions = Vec::new();
            for v in spec
                .and_then(|s| s.get("versions"))
                .map(|v| v.items())
                .unwrap_or_default()
            {
                if let Some(name) = v.get_str("name") {
                    let flag = |f: &str| v.get_str(f) == Some("true");
                    versions.push((name.to_string(), flag("served"), flag("deprecated")));
                }
            }
            // (apiextensions v1beta1's single `spec.version` is served.)
            if let Some(v) = spec.and_then(|s| s.get_str("version")) {
                versions.push((v.to_string(), true, false));
            }
            if !versions.is_empty() {
                let scope = match spec.and_then(|s| s.get_str("scope")) {
                    Some("Namespaced") => Some(crate::kube_api::Scope::Namespaced),
                    Some("Cluster") => Some(crate::kube_api::Scope::Cluster),
                    _ => None,
                };
                out.push(CrdFact::Defines {
                    group: group.to_string(),
                    kind: k.to_string(),
                    versions,
                    scope,
                    path: path.get(),
                });
            }
            return;
        }
        let Some((group, version)) = api.rsplit_once('/') else {
            return; // core group: no CRD
        };
        if !group.contains('.') || crate::placeholder::contains_placeholder(api) {
            return; // built-in groups (apps, batch…) have no CRD
        }
        let Some(e) = obj.node.entry("apiVersion") else {
            return;
        };
        out.push(CrdFact::Uses {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
            name: compact_str::format_compact!(
                "{}/{}",
                obj.namespace.unwrap_or("-"),
                obj.name.unwrap_or("-")
            ),
            path: path.get(),
            span: e.value.span,
        });
    }
}

impl CrdVersionNotServed {
    pub fn check(facts: &[&CrdFact]) -> Vec<Finding> {
        type Versions = Vec<(String, bool, bool)>;
        let mut defined: std::collections::HashMap<(&str, &str), Vec<(&Versions, &str)>> =
            Default::default();
        for d in facts {
            if let CrdFact::Defines {
                group,
                kind,
                versions,
                path,
                ..
            } = d
            {
                defined
                    .entry((group.as_str(), kind.as_str()))
                    .or_default()
                    .push((versions, &**path));
            }
        }
        let mut out = Vec::new();
        for f in facts {
            let CrdFact::Uses {
                group,
                version,
                kind,
                name,
                path,
                span,
            } = f
            else {
                continue;
            };
            let Some(crds) = defined.get(&(group.as_str(), kind.as_str())) else {
                continue;
            };
            // Unknown CRD, or several copies of it that disagree: nothing to judge.
            let Some((versions, crd_path)) = crds.first() else {
                continue;
            };
            let served: Vec<&str> = versions
                .iter()
                .filter(|v| v.1)
                .map(|v| v.0.as_str())
                .collect();
            let this = versions.iter().find(|v| v.0 == version);
            let (severity, what) = match this {
                Some((_, true, false)) => continue,
                Some((_, true, true)) => (Severity::Warning, "deprecated"),
                Some((_, false, _)) => (Severity::Error, "not served"),
                None => (Severity::Error, "not defined"),
            };
            if crds.len() > 1
                && crds
                    .iter()
                    .any(|(v, _)| v.iter().any(|x| x.0 == version && x.1))
            {
                continue;
            }
            let mut finding = Finding::new(
                &Self::META,
                path,
                *span,
                format!(
                    "{kind} {name} uses {group}/{version}, which is {what} by the CRD in {crd_path} (served: {})",
                    if served.is_empty() { "none".to_string() } else { served.join(", ") }
                ),
                &format!("{group}/{version}/{kind}/{name}"),
            )
            .help("move the object to a served version of the CRD");
            finding.severity = severity;
            out.push(finding);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::refs;
    use crate::yaml::parse_yaml;

    const CRD: &str = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions:\n    - {name: v1, served: true, storage: true}\n    - {name: v1beta2, served: true, deprecated: true}\n    - {name: v1beta1, served: false}\n";

    fn run(files: &[(&str, &str)]) -> Vec<(String, u32, Severity)> {
        let mut facts = Vec::new();
        for (p, src) in files {
            for d in &parse_yaml(src).documents {
                for o in crate::manifest::objects(&d.root) {
                    CrdFact::collect(&crate::cross_file::SharedPath::new(p), &o, &mut facts);
                }
            }
        }
        CrdVersionNotServed::check(&refs(&facts))
            .into_iter()
            .map(|f| (f.path, f.span.start.line, f.severity))
            .collect()
    }

    fn widget(v: &str) -> String {
        format!("apiVersion: example.com/{v}\nkind: Widget\nmetadata: {{name: w}}\n")
    }

    #[test]
    fn versions() {
        assert_eq!(
            run(&[("crd.yaml", CRD), ("w.yaml", &widget("v1beta1"))]),
            [("w.yaml".into(), 1, Severity::Error)]
        );
        assert_eq!(
            run(&[("crd.yaml", CRD), ("w.yaml", &widget("v2"))]).len(),
            1
        );
        assert_eq!(
            run(&[("crd.yaml", CRD), ("w.yaml", &widget("v1beta2"))]),
            [("w.yaml".into(), 1, Severity::Warning)]
        );
        assert!(run(&[("crd.yaml", CRD), ("w.yaml", &widget("v1"))]).is_empty());
        // No CRD in the repo; a built-in group.
        assert!(run(&[("w.yaml", &widget("v9"))]).is_empty());
        assert!(
            run(&[
                ("crd.yaml", CRD),
                ("d.yaml", "apiVersion: apps/v1\nkind: Widget\n")
            ])
            .is_empty()
        );
    }
}
