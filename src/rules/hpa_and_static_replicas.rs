use crate::finding::Finding;
use crate::manifest::KubeObject;
use crate::rules::declare_rule;
use crate::yaml::Span;

declare_rule! {
    /// ## What it does
    /// Flags `spec.replicas` on a Deployment or StatefulSet that a HorizontalPodAutoscaler
    /// or a KEDA `ScaledObject` of the repository scales (`scaleTargetRef` kind and name,
    /// same namespace — an unknown namespace on either side matches — and the same
    /// deployment unit when both are in units).
    ///
    /// ## Why is this bad?
    /// The autoscaler changes the replica count; the GitOps controller sets it back to the
    /// committed value on every sync. Pods are killed and recreated in a loop, and the app
    /// shows OutOfSync permanently.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Deployment
    /// metadata: {name: web}
    /// spec:
    ///   replicas: 3          # an HPA targets Deployment web
    /// ```
    ///
    /// ## Use instead
    /// Remove `spec.replicas` (the autoscaler's `minReplicas` sets the floor). If Argo CD
    /// `ignoreDifferences` or Flux's field manager already handle it, suppress the finding
    /// with that reason.
    pub struct HpaAndStaticReplicas {
        id: "hpa-and-static-replicas",
        severity: Warning,
        summary: "Static replicas on a workload an autoscaler scales",
        group: "gitops",
    }
}

/// An autoscaler target, or a workload with a literal replica count.
#[derive(Clone, Debug)]
pub struct ScaleFact {
    target: bool,
    kind: String,
    name: String,
    namespace: Option<String>,
    units: Vec<String>,
    path: std::sync::Arc<str>,
    span: Span,
    by: String,
}

impl ScaleFact {
    pub fn collect(
        path: &crate::cross_file::SharedPath,
        info: &crate::project::FileInfo,
        obj: &KubeObject,
        out: &mut Vec<ScaleFact>,
    ) {
        let (Some(api), Some(kind)) = (obj.api_version, obj.kind) else {
            return;
        };
        let scaler = (kind == "HorizontalPodAutoscaler" && api.starts_with("autoscaling/"))
            || (kind == "ScaledObject" && api.starts_with("keda.sh/"));
        if !scaler && !matches!(kind, "Deployment" | "StatefulSet") {
            return; // (before looking anything up: most objects are neither)
        }
        let units: Vec<String> = info.memberships.iter().map(|m| m.unit.clone()).collect();
        let ns = obj
            .namespace
            .or_else(|| info.unit_namespace())
            .map(str::to_string);
        let spec = obj.spec;
        if scaler {
            let Some(t) = spec.and_then(|s| s.get("scaleTargetRef")) else {
                return;
            };
            let Some(name) = t.get_str("name") else {
                return;
            };
            out.push(ScaleFact {
                target: true,
                kind: t.get_str("kind").unwrap_or("Deployment").to_string(),
                name: name.to_string(),
                namespace: ns,
                units,
                path: path.get(),
                span: t.span,
                by: format!("{kind} {}", obj.name.unwrap_or("-")),
            });
        } else if matches!(kind, "Deployment" | "StatefulSet") {
            let Some(r) = spec.and_then(|s| s.entry("replicas")) else {
                return;
            };
            let (Some(name), false) = (obj.name, r.value.is_null()) else {
                return;
            };
            out.push(ScaleFact {
                target: false,
                kind: kind.to_string(),
                name: name.to_string(),
                namespace: ns,
                units,
                path: path.get(),
                span: r.key.span,
                by: String::new(),
            });
        }
    }
}

impl HpaAndStaticReplicas {
    pub fn check(facts: &[&ScaleFact]) -> Vec<Finding> {
        // The scalers by target (kind, name), in fact order (the first match is reported).
        let mut scalers: rustc_hash::FxHashMap<(&str, &str), Vec<&ScaleFact>> = Default::default();
        for t in facts.iter().filter(|f| f.target) {
            scalers.entry((&t.kind, &t.name)).or_default().push(t);
        }
        let mut out = Vec::new();
        for w in facts.iter().filter(|f| !f.target) {
            let Some(candidates) = scalers.get(&(w.kind.as_str(), w.name.as_str())) else {
                continue;
            };
            let scaler = candidates.iter().find(|t| {
                (t.namespace.is_none() || w.namespace.is_none() || t.namespace == w.namespace)
                    && (t.units.is_empty()
                        || w.units.is_empty()
                        || t.units.iter().any(|u| w.units.contains(u)))
            });
            if let Some(t) = scaler {
                out.push(
                    Finding::new(
                        &Self::META,
                        &w.path,
                        w.span,
                        format!(
                            "{} {} sets spec.replicas but {} ({}:{}) scales it: the GitOps controller and the autoscaler will fight",
                            w.kind, w.name, t.by, t.path, t.span.start.line
                        ),
                        &format!("{}/{}", w.kind, w.name),
                    )
                    .help("remove spec.replicas; the autoscaler's minReplicas is the floor"),
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

    fn run(files: &[(&str, &str)]) -> Vec<Finding> {
        let project = crate::project::Project::default();
        let mut facts = Vec::new();
        for (path, src) in files {
            for d in &parse_yaml(src).documents {
                for o in crate::manifest::objects(&d.root) {
                    ScaleFact::collect(
                        &crate::cross_file::SharedPath::new(path),
                        project.file(path),
                        &o,
                        &mut facts,
                    );
                }
            }
        }
        HpaAndStaticReplicas::check(&refs(&facts))
    }

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: apps}\nspec:\n  replicas: 3\n";

    fn hpa(name: &str, ns: &str) -> String {
        format!(
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: web, namespace: {ns}}}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}}}\n  minReplicas: 2\n  maxReplicas: 5\n"
        )
    }

    #[test]
    fn fights() {
        let f = run(&[("d.yaml", DEPLOY), ("h.yaml", &hpa("web", "apps"))]);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].path.as_str(), f[0].span.start.line), ("d.yaml", 5));
        let keda = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: s, namespace: apps}\nspec:\n  scaleTargetRef: {name: web}\n";
        assert_eq!(run(&[("d.yaml", DEPLOY), ("k.yaml", keda)]).len(), 1);
    }

    #[test]
    fn no_fight() {
        assert!(run(&[("d.yaml", DEPLOY), ("h.yaml", &hpa("api", "apps"))]).is_empty());
        assert!(run(&[("d.yaml", DEPLOY), ("h.yaml", &hpa("web", "other"))]).is_empty());
        let no_replicas = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: apps}\nspec: {}\n";
        assert!(run(&[("d.yaml", no_replicas), ("h.yaml", &hpa("web", "apps"))]).is_empty());
    }
}
