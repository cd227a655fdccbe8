use crate::finding::Finding;
use crate::kustomize;
use crate::manifest::KubeObject;
use crate::project::Project;
use crate::rules::declare_rule;
use crate::yaml::Span;

declare_rule! {
    /// ## What it does
    /// Flags a namespaced object (a built-in kind the Kubernetes scope data knows, or a
    /// custom resource whose `CustomResourceDefinition` in the repository says
    /// `scope: Namespaced`; other custom resources are skipped) without
    /// `metadata.namespace` that reaches the cluster with no
    /// namespace at all: its file is part of a kustomize deployment unit that sets no
    /// `namespace:` on the way, and the Flux `Kustomization` or Argo CD `Application` of
    /// this repository that deploys the unit's directory (or a parent of it) sets none either
    /// (`spec.targetNamespace`, `spec.destination.namespace`).
    ///
    /// Base directories namespaced by their overlays are judged through the graph: only a
    /// unit that really deploys the object without a namespace counts. Units that no Flux or
    /// Argo CD object of the repository deploys are not judged (how they are applied is not
    /// visible). It runs only when whole directories are scanned.
    ///
    /// ## Why is this bad?
    /// Flux's server-side apply rejects it ("namespace not specified") and the whole
    /// Kustomization fails; applied by other means it lands in `default`, next to unrelated
    /// workloads and outside the policies and quotas meant for it.
    ///
    /// ## Example
    /// ```yaml
    /// # apps/web/kustomization.yaml: resources: [deploy.yaml]   (no namespace:)
    /// # clusters/prod/apps.yaml: Flux Kustomization, path ./apps/web, no targetNamespace
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata: {name: web}
    /// ```
    ///
    /// ## Use instead
    /// Set `namespace:` in the kustomization (or `targetNamespace` on the Flux
    /// Kustomization, `destination.namespace` on the Application).
    pub struct MissingNamespace {
        id: "missing-namespace",
        severity: Warning,
        summary: "Namespaced object deployed without any namespace",
    }
}

/// A namespaced object without a namespace of its own, or a controller object that deploys
/// a directory of the repository.
#[derive(Clone, Debug)]
pub enum NamespaceFact {
    Candidate {
        path: std::sync::Arc<str>,
        span: Span,
        what: String,
        /// Root kustomization files of the units that include it without a namespace.
        bare_units: Vec<String>,
        /// (group, kind) of a custom resource whose scope only a CRD of the repository can
        /// tell (None: a built-in namespaced kind).
        custom: Option<(String, String)>,
    },
    Deploys {
        /// The directory, relative to the repository root (`./` removed).
        dir: String,
        /// It holds a kustomization: only that kustomization's unit is deployed (else Flux
        /// applies the whole tree below it).
        kustomized: bool,
        namespace: Option<String>,
    },
}

impl NamespaceFact {
    pub fn collect(
        path: &crate::cross_file::SharedPath,
        info: &crate::project::FileInfo,
        obj: &KubeObject,
        project: &Project,
        out: &mut Vec<NamespaceFact>,
    ) {
        let (Some(api), Some(kind)) = (obj.api_version, obj.kind) else {
            return;
        };
        let spec = obj.spec;
        let deployed = || crate::flux::is_deployed(path.as_str(), info, project);
        if kind == "Kustomization" && api.starts_with("kustomize.toolkit.fluxcd.io/") {
            if !deployed() {
                return;
            }
            let own = spec.and_then(|s| s.get("sourceRef")).is_some_and(|r| {
                r.get_str("kind").is_none_or(|k| k == "GitRepository")
                    && r.get_str("name") == Some("flux-system")
            });
            if let (true, Some(p)) = (own, spec.and_then(|s| s.get_str("path"))) {
                let written = spec
                    .and_then(|s| s.get_str("targetNamespace"))
                    .filter(|n| !n.is_empty())
                    .map(str::to_string);
                // A kustomization that rewrites it (`replacements` setting targetNamespace
                // on every Flux Kustomization is a common pattern) may provide one.
                let rewritten = info.memberships.iter().any(|m| m.transformed);
                let dir = clean(p);
                out.push(NamespaceFact::Deploys {
                    kustomized: project.kustomization_in(&dir).is_some(),
                    dir,
                    namespace: written.or_else(|| rewritten.then(|| "(set at build time)".into())),
                });
            }
            return;
        }
        if kind == "Application" && api.starts_with("argoproj.io/") {
            if !deployed() {
                return;
            }
            let ns = spec
                .and_then(|s| s.get("destination"))
                .and_then(|d| d.get_str("namespace"))
                .filter(|n| !n.is_empty())
                .map(str::to_string);
            let sources = spec.into_iter().flat_map(|s| {
                s.get("source")
                    .into_iter()
                    .chain(s.get("sources").map(|v| v.items()).unwrap_or_default())
            });
            for src in sources {
                if let Some(p) = src.get_str("path") {
                    let dir = clean(p);
                    out.push(NamespaceFact::Deploys {
                        kustomized: project.kustomization_in(&dir).is_some(),
                        dir,
                        namespace: ns.clone(),
                    });
                }
            }
            return;
        }
        if obj.namespace.is_some_and(|n| !n.is_empty()) {
            return;
        }
        let custom = match crate::kube_api::kind_scope(api, kind) {
            Some(crate::kube_api::Scope::Namespaced) => None,
            Some(crate::kube_api::Scope::Cluster) => return,
            // Unknown kind: a CRD found in the repository may say (checked after the scan).
            None => match api.rsplit_once('/') {
                Some((group, _))
                    if group.contains('.') && !crate::placeholder::contains_placeholder(api) =>
                {
                    Some((group.to_string(), kind.to_string()))
                }
                _ => return,
            },
        };
        let bare_units: Vec<String> = info
            .memberships
            .iter()
            .filter(|m| m.namespace.is_none())
            .map(|m| m.unit.clone())
            .collect();
        if bare_units.is_empty() {
            return;
        }
        // At `metadata:`, where the namespace belongs.
        let span = obj
            .node
            .entry("metadata")
            .map_or(Span::point(obj.node.span.start), |e| e.key.span);
        out.push(NamespaceFact::Candidate {
            path: path.get(),
            span,
            what: format!("{kind} {}", obj.name.unwrap_or("-")),
            bare_units,
            custom,
        });
    }
}

use crate::flux::{clean, generated_includes};

impl MissingNamespace {
    /// `crd_scopes`: the scopes the repository's CRDs declare ([`CrdFact::scopes`]), for
    /// custom resources the built-in scope data does not know.
    pub fn check(
        facts: &[&NamespaceFact],
        project: &Project,
        crd_scopes: &rustc_hash::FxHashMap<(&str, &str), crate::kube_api::Scope>,
    ) -> Vec<Finding> {
        let deploys: Vec<(&str, bool, Option<&str>)> = facts
            .iter()
            .filter_map(|f| match f {
                NamespaceFact::Deploys {
                    dir,
                    kustomized,
                    namespace,
                } => Some((dir.as_str(), *kustomized, namespace.as_deref())),
                NamespaceFact::Candidate { .. } => None,
            })
            .collect();
        let mut out = Vec::new();
        for f in facts {
            let NamespaceFact::Candidate {
                path,
                span,
                what,
                bare_units,
                custom,
            } = f
            else {
                continue;
            };
            if let Some((group, kind)) = custom
                && crd_scopes.get(&(group.as_str(), kind.as_str()))
                    != Some(&crate::kube_api::Scope::Namespaced)
            {
                continue; // no CRD here says it is namespaced
            }
            // A unit deployed by a controller object that sets no namespace either.
            let unprovided = bare_units.iter().find(|unit| {
                let dir = kustomize::dir_of(unit);
                let covering: Vec<Option<&str>> = deploys
                    .iter()
                    .filter(|(d, kustomized, _)| {
                        *d == dir || (!kustomized && generated_includes(project, d, dir))
                    })
                    .map(|(_, _, ns)| *ns)
                    .collect();
                !covering.is_empty() && covering.iter().any(Option::is_none)
            });
            if let Some(unit) = unprovided {
                out.push(
                    Finding::new(
                        &Self::META,
                        path,
                        *span,
                        format!(
                            "{what} has no namespace, and neither {unit} nor the Flux/Argo CD object deploying it sets one"
                        ),
                        &format!("{what}@{unit}"),
                    )
                    .help("set namespace: in the kustomization (or targetNamespace / destination.namespace)"),
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::crd_version_not_served::CrdFact;
    use crate::rules::testing::each_object;
    use crate::rules::testing::refs;

    fn run(ks: &[(&str, &str)], files: &[(&str, &str)]) -> Vec<Finding> {
        let project = Project::build(None, ks);
        let (mut facts, mut crds) = (Vec::new(), Vec::new());
        each_object(files, |path, _, o| {
            NamespaceFact::collect(
                &crate::cross_file::SharedPath::new(path),
                project.file(path),
                o,
                &project,
                &mut facts,
            );
            CrdFact::collect(&crate::cross_file::SharedPath::new(path), o, &mut crds);
        });
        MissingNamespace::check(&refs(&facts), &project, &CrdFact::scopes(&refs(&crds)))
    }

    fn crd(scope: &str) -> String {
        format!(
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {{name: widgets.acme.io}}\nspec:\n  group: acme.io\n  names: {{kind: Widget, plural: widgets}}\n  scope: {scope}\n  versions: [{{name: v1, served: true, storage: true}}]\n"
        )
    }

    #[test]
    fn custom_resources_take_their_scope_from_a_crd_of_the_repository() {
        let ks = [("apps/web/kustomization.yaml", "resources: [widget.yaml]\n")];
        let widget = "apiVersion: acme.io/v1\nkind: Widget\nmetadata:\n  name: w\n";
        let deployed = |crd_file: Option<String>| {
            let mut files = vec![
                ("apps/web/widget.yaml", widget.to_string()),
                ("clusters/apps.yaml", flux("./apps/web", "")),
            ];
            if let Some(c) = crd_file {
                files.push(("crds/widget.yaml", c));
            }
            let files: Vec<(&str, &str)> = files.iter().map(|(p, s)| (*p, s.as_str())).collect();
            run(&ks, &files)
        };
        let f = deployed(Some(crd("Namespaced")));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("Widget w"), "{}", f[0].message);
        // Cluster-scoped, no CRD in the repository, or a CRD without a scope: not judged.
        assert!(deployed(Some(crd("Cluster"))).is_empty());
        assert!(deployed(None).is_empty());
        assert!(deployed(Some(crd("${SCOPE}"))).is_empty());
    }

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n";

    fn flux(path: &str, target: &str) -> String {
        format!(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {{name: a, namespace: flux-system}}\nspec:\n  path: {path}\n{target}  sourceRef: {{kind: GitRepository, name: flux-system}}\n"
        )
    }

    #[test]
    fn deployed_without_namespace() {
        let ks = [("apps/web/kustomization.yaml", "resources: [deploy.yaml]\n")];
        let f = run(
            &ks,
            &[
                ("apps/web/deploy.yaml", DEPLOY),
                ("clusters/apps.yaml", &flux("./apps/web", "")),
            ],
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].span.start.line, 3);
        // A parent directory (without a kustomization: Flux applies its whole tree)
        // deployed without a namespace covers the unit too.
        assert_eq!(
            run(
                &ks,
                &[
                    ("apps/web/deploy.yaml", DEPLOY),
                    ("c.yaml", &flux("./apps", ""))
                ]
            )
            .len(),
            1
        );
    }

    #[test]
    fn namespace_provided_or_unknown() {
        let ks = [("apps/web/kustomization.yaml", "resources: [deploy.yaml]\n")];
        // targetNamespace; kustomization namespace; the object's own; no deployer known;
        // a cluster-scoped or custom kind.
        assert!(
            run(
                &ks,
                &[
                    ("apps/web/deploy.yaml", DEPLOY),
                    ("c.yaml", &flux("./apps/web", "  targetNamespace: web\n"))
                ]
            )
            .is_empty()
        );
        let ks_ns = [(
            "apps/web/kustomization.yaml",
            "namespace: web\nresources: [deploy.yaml]\n",
        )];
        assert!(
            run(
                &ks_ns,
                &[
                    ("apps/web/deploy.yaml", DEPLOY),
                    ("c.yaml", &flux("./apps/web", ""))
                ]
            )
            .is_empty()
        );
        let own =
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: web\n";
        assert!(
            run(
                &ks,
                &[
                    ("apps/web/deploy.yaml", own),
                    ("c.yaml", &flux("./apps/web", ""))
                ]
            )
            .is_empty()
        );
        assert!(run(&ks, &[("apps/web/deploy.yaml", DEPLOY)]).is_empty());
        let cr = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n";
        let role =
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\n";
        assert!(
            run(
                &ks,
                &[
                    ("apps/web/deploy.yaml", cr),
                    ("apps/web/r.yaml", role),
                    ("c.yaml", &flux("./apps/web", ""))
                ]
            )
            .is_empty()
        );
        // The Flux Kustomization's own kustomization rewrites it (replacements may set
        // targetNamespace): unknown, not reported.
        let ks_rw = [
            ("apps/web/kustomization.yaml", "resources: [deploy.yaml]\n"),
            (
                "clusters/kustomization.yaml",
                "resources: [c.yaml]\nreplacements:\n  - path: ks.yaml\n",
            ),
        ];
        assert!(
            run(
                &ks_rw,
                &[
                    ("apps/web/deploy.yaml", DEPLOY),
                    ("clusters/c.yaml", &flux("./apps/web", ""))
                ]
            )
            .is_empty()
        );
        // A kustomization between the Flux path and the unit decides what is included.
        let ks_mid = [
            ("apps/web/kustomization.yaml", "resources: [deploy.yaml]\n"),
            ("apps/kustomization.yaml", "resources: []\n"),
        ];
        assert!(
            run(
                &ks_mid,
                &[
                    ("apps/web/deploy.yaml", DEPLOY),
                    ("c.yaml", &flux("./", ""))
                ]
            )
            .is_empty()
        );
        // A Flux Kustomization that nothing deploys (left out of its kustomization).
        let ks_dead = [
            ("apps/web/kustomization.yaml", "resources: [deploy.yaml]\n"),
            ("clusters/kustomization.yaml", "resources: []\n"),
        ];
        assert!(
            run(
                &ks_dead,
                &[
                    ("apps/web/deploy.yaml", DEPLOY),
                    ("clusters/x/c.yaml", &flux("./apps/web", ""))
                ]
            )
            .is_empty()
        );
        // Argo CD Application with a destination namespace.
        let app = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: web}\nspec:\n  source: {repoURL: x, path: apps/web}\n  destination: {namespace: web}\n";
        assert!(run(&ks, &[("apps/web/deploy.yaml", DEPLOY), ("app.yaml", app)]).is_empty());
    }
}
