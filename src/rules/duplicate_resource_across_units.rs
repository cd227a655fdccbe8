use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use crate::config::Config;
use crate::finding::Finding;
use crate::flux::FluxGraph;
use crate::kustomize;
use crate::rules::declare_rule;
use crate::rules::duplicate_resource::{ObjectRecord, is_cluster_scoped};
use crate::yaml::Span;

declare_rule! {
    /// ## What it does
    /// Flags an object — API group, kind, effective namespace, effective name, computed per
    /// deployment unit as `duplicate-resource` does — that two *different* deployment units
    /// deploy to the same cluster. Both places are reported, each naming the other.
    ///
    /// Which cluster a unit goes to:
    /// - `cluster-roots:` globs in `.envgate.yaml` (relative to the scan root, e.g.
    ///   `clusters/*`): each matching directory is one cluster; a unit belongs to the root it
    ///   sits under, or to the roots holding the Flux Kustomizations that deploy it (or
    ///   their deployers). Units neither under a root nor deployed by Flux are not compared.
    /// - else, in a repository with Flux `Kustomization`s: the clusters of the Flux
    ///   Kustomizations whose `spec.path` (in this repository's `flux-system` source)
    ///   deploys the unit, found by following who deploys whom up to each cluster's entry
    ///   point (the bootstrap Kustomization syncing its own directory, e.g. `clusters/prod`,
    ///   or a Kustomization nothing else deploys). `spec.targetNamespace` counts as the
    ///   namespace (unknown, and so never equal to another, when a kustomization rewrites the
    ///   Kustomization). Units no such Kustomization deploys (e.g. through an OCI or
    ///   `ExternalArtifact` source) are not compared.
    /// - else (plain kustomize): units under the same top-level directory of the scan root
    ///   are one cluster; under `clusters/`, `envs/`, `environments/`, `overlays/`, `stages/`
    ///   and `regions/` the second level separates clusters. With this guess, one base file
    ///   included by two units is not reported (overlays of one base are usually
    ///   environments).
    ///
    /// `Namespace` objects (shared by many apps on purpose), names with placeholders,
    /// `generateName` objects and patch files are skipped. Two copies within one unit are
    /// `duplicate-resource`'s, not reported here again.
    ///
    /// Off by default: which cluster a unit lands on is inferred, and one mistake upstream
    /// is reported once per object — a Flux `spec.path` covering every overlay of every app
    /// (the 20,000-file synthetic repository) gives 10,949 findings for one line. Turn it
    /// on (`rules: {duplicate-resource-across-units: warning}`) with `cluster-roots:` set.
    ///
    /// ## Why is this bad?
    /// Both units claim the same object: each sync overwrites the other's version, the
    /// controllers flap, and pruning one unit deletes the object the other still needs. Argo
    /// CD reports it only at sync time (`SharedResourceWarning`).
    ///
    /// ## Example
    /// ```yaml
    /// # clusters/prod/apps/kustomization.yaml and clusters/prod/infra/kustomization.yaml
    /// # both list a copy of
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata: {name: settings, namespace: shared}
    /// ```
    ///
    /// ## Use instead
    /// Keep the object in one unit (the one that owns it), or give the copies different
    /// names or namespaces.
    pub struct DuplicateResourceAcrossUnits {
        id: "duplicate-resource-across-units",
        severity: Warning,
        summary: "Same object deployed to one cluster by two deployment units",
        group: "kustomize",
        default_on: false,
    }
}

/// Top-level directories whose children are environments or clusters.
const ENV_CONTAINERS: &[&str] = &[
    "clusters",
    "envs",
    "environments",
    "overlays",
    "stages",
    "regions",
];

/// Marks a namespace a kustomization sets at build time (unknown here).
const BUILD_TIME: &str = "\u{0}";

/// Where a unit goes: (cluster, namespace the deployer forces, guessed from the layout).
type Placement = (String, Option<String>, bool);

struct Clusters<'a> {
    graph: &'a FluxGraph<'a>,
    config: &'a Config,
    ks_memo: BTreeMap<usize, Vec<String>>,
}

impl Clusters<'_> {
    /// The clusters a Flux Kustomization applies to.
    fn of_kustomization(&mut self, i: usize) -> Vec<String> {
        if let Some(c) = self.ks_memo.get(&i) {
            return c.clone();
        }
        let all = self.graph.all;
        let mut chain = vec![i];
        chain.extend(self.graph.ancestors(i));
        let mut out = BTreeSet::new();
        // A configured root holding the Kustomization or one of its deployers.
        if self.config.cluster_roots.is_some()
            && let Some(r) = chain
                .iter()
                .find_map(|&j| self.config.cluster_root(kustomize::dir_of(&all[j].file)))
        {
            out.insert(r.to_string());
        }
        if out.is_empty() {
            // Entry points: deployed by nothing else of the repository.
            for &j in &chain {
                let deployers = self.graph.parents(j);
                if deployers.iter().all(|&d| d == j) {
                    out.insert(if deployers.is_empty() {
                        kustomize::dir_of(&all[j].file).to_string()
                    } else {
                        all[j].dir.clone() // the bootstrap Kustomization syncs its own tree
                    });
                }
            }
        }
        let v: Vec<String> = out.into_iter().collect();
        self.ks_memo.insert(i, v.clone());
        v
    }

    fn of_unit(&mut self, unit: &str) -> Vec<Placement> {
        let dir = kustomize::dir_of(unit);
        let root = self.config.cluster_root(dir);
        let mut out = Vec::new();
        for d in self.graph.deployers_of_unit(dir) {
            let k = &self.graph.all[d];
            // A kustomization rewriting the Kustomization (`replacements` setting
            // targetNamespace is common) may give it a namespace of its own: unknown, and
            // shared with no other deployer.
            let ns = k.target_namespace.clone().or_else(|| {
                k.transformed
                    .then(|| format!("{BUILD_TIME}{}#{}", k.file, k.name))
            });
            match root {
                Some(r) => out.push((r.to_string(), ns, false)),
                None => {
                    for c in self.of_kustomization(d) {
                        out.push((c, ns.clone(), false));
                    }
                }
            }
        }
        if out.is_empty() {
            if let Some(r) = root {
                out.push((r.to_string(), None, false));
            } else if self.config.cluster_roots.is_none() && self.graph.all.is_empty() {
                // Plain kustomize (no Flux Kustomization at all): the layout decides.
                out.push((layout_cluster(dir), None, true));
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

/// The cluster guessed from the layout: the top-level directory, or the second level under
/// a directory of environments.
fn layout_cluster(dir: &str) -> String {
    let mut parts = dir.split('/');
    let first = parts.next().unwrap_or("");
    match parts.next() {
        Some(second) if ENV_CONTAINERS.contains(&first) => format!("{first}/{second}"),
        _ => first.to_string(),
    }
}

impl DuplicateResourceAcrossUnits {
    pub fn check(records: &[&ObjectRecord], graph: &FluxGraph, config: &Config) -> Vec<Finding> {
        let mut clusters = Clusters {
            graph,
            config,
            ks_memo: BTreeMap::new(),
        };
        let mut placements: rustc_hash::FxHashMap<&str, Vec<Placement>> = Default::default();
        for r in records {
            for m in r.units.iter() {
                placements
                    .entry(m.unit.as_str())
                    .or_insert_with(|| clusters.of_unit(&m.unit));
            }
        }
        // (cluster, group, kind, namespace, name), each string interned, → (location, unit,
        // guessed). Most identities of a large repo collide somewhere, so keys are compared
        // and sorted as integers, not strings.
        let mut names = Interner::default();
        type Entries<'a> = Vec<(usize, &'a str, bool)>;
        let mut by_identity: rustc_hash::FxHashMap<[u32; 5], Entries> = Default::default();
        for (i, r) in records.iter().enumerate() {
            if r.kind == "Namespace" && r.group.is_empty() {
                continue;
            }
            let (group, kind) = (
                names.id(Cow::Borrowed(&r.group)),
                names.id(Cow::Borrowed(&r.kind)),
            );
            let cluster_scoped = is_cluster_scoped(&r.kind);
            for m in r.units.iter() {
                let name = if m.prefix.is_empty() && m.suffix.is_empty() {
                    names.id(Cow::Borrowed(r.name.as_str()))
                } else {
                    names.id(Cow::Owned(m.name(&r.name)))
                };
                for (cluster, forced_ns, guessed) in &placements[m.unit.as_str()] {
                    let ns = if cluster_scoped {
                        ""
                    } else {
                        forced_ns
                            .as_deref()
                            .or(m.namespace.as_deref())
                            .or(r.namespace.as_deref())
                            .unwrap_or("")
                    };
                    let key = [
                        names.id(Cow::Borrowed(cluster)),
                        group,
                        kind,
                        names.id(Cow::Borrowed(ns)),
                        name,
                    ];
                    by_identity
                        .entry(key)
                        .or_default()
                        .push((i, m.unit.as_str(), *guessed));
                }
            }
        }
        let rank = names.ranks();
        let mut collisions: Vec<([u32; 5], Entries)> = by_identity
            .into_iter()
            .filter(|(_, e)| e.len() > 1 && e.iter().any(|x| x.1 != e[0].1))
            .map(|(k, e)| (k.map(|id| rank[id as usize]), e))
            .collect();
        // In the order of the strings (ranks), as before interning: which cluster's message
        // a location gets does not depend on hashing.
        collisions.sort_unstable_by_key(|a| a.0);
        let by_rank = names.by_rank();
        let loc = |i: usize| (&*records[i].path, records[i].span);
        let mut reported: rustc_hash::FxHashSet<(&str, Span)> = Default::default();
        let mut out: Vec<Finding> = Vec::new();
        for (key, entries) in collisions {
            let [cluster, group, kind, ns, name] = key.map(|r| by_rank[r as usize]);
            // Each location, with the units deploying it under this identity.
            let mut locations: BTreeMap<(&str, Span), (usize, BTreeSet<&str>, bool)> =
                BTreeMap::new();
            for &(i, unit, guessed) in &entries {
                let e = locations
                    .entry(loc(i))
                    .or_insert((i, BTreeSet::new(), false));
                e.1.insert(unit);
                e.2 |= guessed;
            }
            let kind_name = if group.is_empty() {
                kind.to_string()
            } else {
                format!("{kind}.{group}")
            };
            let shown_ns = if ns.is_empty() {
                "-"
            } else if ns.starts_with(BUILD_TIME) {
                "(set at build time)"
            } else {
                ns
            };
            for (&(path, span), (_, my_units, guessed)) in &locations {
                if reported.contains(&(path, span)) {
                    continue; // reported for another cluster already
                }
                // Other locations in units of their own (a copy sharing a unit with this one
                // is duplicate-resource's).
                let others: Vec<String> = locations
                    .iter()
                    .filter(|(l, (_, their, _))| **l != (path, span) && my_units.is_disjoint(their))
                    .map(|((p, s), (_, their, _))| {
                        format!(
                            "{p}:{}:{} in {}",
                            s.start.line,
                            s.start.col,
                            their.iter().copied().collect::<Vec<_>>().join(", ")
                        )
                    })
                    .collect();
                let shared = my_units.len() > 1 && !guessed;
                if others.is_empty() && !shared {
                    continue;
                }
                let mine = my_units.iter().copied().collect::<Vec<_>>().join(", ");
                let message = if others.is_empty() {
                    format!(
                        "{kind_name} {shown_ns}/{name} is deployed to cluster {cluster} by the units {mine}, which all give it the same namespace and name"
                    )
                } else {
                    format!(
                        "{kind_name} {shown_ns}/{name} in {mine} is also deployed to cluster {cluster} from {}",
                        others.join("; ")
                    )
                };
                reported.insert((path, span));
                out.push(
                    Finding::new(
                        &Self::META,
                        path,
                        span,
                        message,
                        &format!("{kind_name}/{shown_ns}/{name}@{cluster}"),
                    )
                    .help("keep the object in one unit, or give the copies different names or namespaces"),
                );
            }
        }
        out.sort_by(|a, b| (&a.path, a.span).cmp(&(&b.path, b.span)));
        out
    }
}

/// Strings as dense integer ids, and their ranks in string order.
#[derive(Default)]
struct Interner<'a> {
    ids: rustc_hash::FxHashMap<Cow<'a, str>, u32>,
    strings: Vec<Cow<'a, str>>,
}

impl<'a> Interner<'a> {
    fn id(&mut self, s: Cow<'a, str>) -> u32 {
        if let Some(&id) = self.ids.get(s.as_ref()) {
            return id;
        }
        let id = self.strings.len() as u32;
        self.strings.push(s.clone());
        self.ids.insert(s, id);
        id
    }

    /// id → rank of its string among all interned strings.
    fn ranks(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.strings.len() as u32).collect();
        order.sort_unstable_by(|a, b| self.strings[*a as usize].cmp(&self.strings[*b as usize]));
        let mut rank = vec![0; order.len()];
        for (r, id) in order.into_iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        rank
    }

    /// rank → string.
    fn by_rank(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.strings.iter().map(|s| s.as_ref()).collect();
        v.sort_unstable();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flux::FluxKustomization;
    use crate::project::Project;
    use crate::rules::testing::each_object;
    use crate::rules::testing::refs;

    struct Repo {
        project: Project,
        records: Vec<ObjectRecord>,
        flux: Vec<FluxKustomization>,
    }

    fn repo(ks: &[(&str, &str)], files: &[(&str, &str)]) -> Repo {
        let project = Project::build(None, ks);
        let (mut records, mut flux) = (Vec::new(), Vec::new());
        each_object(files, |path, _, o| {
            records.extend(ObjectRecord::of(
                &crate::cross_file::SharedPath::new(path),
                project.file(path),
                o,
            ));
            flux.extend(FluxKustomization::of(
                &crate::cross_file::SharedPath::new(path),
                project.file(path),
                o,
                &project,
            ));
        });
        Repo {
            project,
            records,
            flux,
        }
    }

    fn run_with(r: &Repo, config: &Config) -> Vec<Finding> {
        let flux = refs(&r.flux);
        let graph = FluxGraph::new(&flux, &r.project);
        DuplicateResourceAcrossUnits::check(&refs(&r.records), &graph, config)
    }

    fn run(r: &Repo) -> Vec<Finding> {
        run_with(r, &Config::default())
    }

    const CM: &str =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shared\n";
    const NS: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shared\n";

    fn flux(name: &str, path: &str, extra: &str) -> String {
        format!(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {{name: {name}, namespace: flux-system}}\nspec:\n  path: {path}\n{extra}  sourceRef: {{kind: GitRepository, name: flux-system}}\n"
        )
    }

    #[test]
    fn two_units_of_one_top_level_directory() {
        let r = repo(
            &[
                (
                    "prod/apps/kustomization.yaml",
                    "resources: [cm.yaml, ns.yaml]\n",
                ),
                (
                    "prod/infra/kustomization.yaml",
                    "resources: [cm.yaml, ns.yaml]\n",
                ),
            ],
            &[
                ("prod/apps/cm.yaml", CM),
                ("prod/infra/cm.yaml", CM),
                ("prod/apps/ns.yaml", NS),
                ("prod/infra/ns.yaml", NS),
            ],
        );
        let f = run(&r);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0].path, "prod/apps/cm.yaml");
        assert_eq!(f[0].span.start.line, 4);
        assert!(
            f[0].message.contains("ConfigMap shared/settings in prod/apps/kustomization.yaml is also deployed to cluster prod from prod/infra/cm.yaml:4:9 in prod/infra/kustomization.yaml"),
            "{}",
            f[0].message
        );
        assert_eq!(f[1].path, "prod/infra/cm.yaml");
    }

    #[test]
    fn different_clusters_namespaces_or_one_unit_are_not_reported() {
        // clusters/prod vs clusters/staging; a shared base in two overlays (a guess: not
        // reported); two copies inside one unit (duplicate-resource's).
        let r = repo(
            &[
                ("clusters/prod/kustomization.yaml", "resources: [cm.yaml]\n"),
                (
                    "clusters/staging/kustomization.yaml",
                    "resources: [cm.yaml]\n",
                ),
                ("apps/base/kustomization.yaml", "resources: [cm.yaml]\n"),
                ("apps/dev/kustomization.yaml", "resources: [../base]\n"),
                ("apps/test/kustomization.yaml", "resources: [../base]\n"),
                ("one/kustomization.yaml", "resources: [a.yaml, b.yaml]\n"),
            ],
            &[
                ("clusters/prod/cm.yaml", CM),
                ("clusters/staging/cm.yaml", CM),
                ("apps/base/cm.yaml", CM),
                ("one/a.yaml", CM),
                ("one/b.yaml", CM),
            ],
        );
        assert!(run(&r).is_empty(), "{:?}", run(&r));
        // Overlays that change the namespace.
        let r = repo(
            &[
                ("base/kustomization.yaml", "resources: [cm.yaml]\n"),
                (
                    "apps/a/kustomization.yaml",
                    "namespace: a\nresources: [../../base]\n",
                ),
                (
                    "apps/b/kustomization.yaml",
                    "namespace: b\nresources: [../../base, cm.yaml]\n",
                ),
            ],
            &[("base/cm.yaml", CM), ("apps/b/cm.yaml", CM)],
        );
        assert!(run(&r).is_empty(), "{:?}", run(&r));
    }

    #[test]
    fn clusters_from_flux() {
        // Two bootstrap Kustomizations, each syncing its own cluster directory; both
        // clusters deploy apps/web and apps/api (different units, same ConfigMap).
        let ks = [
            ("apps/web/kustomization.yaml", "resources: [cm.yaml]\n"),
            ("apps/api/kustomization.yaml", "resources: [cm.yaml]\n"),
            ("apps/solo/kustomization.yaml", "resources: [cm.yaml]\n"),
        ];
        let prod_sync = flux("flux-system", "./clusters/prod", "");
        let staging_sync = flux("flux-system", "./clusters/staging", "");
        let apps = format!(
            "{}---\n{}",
            flux("web", "./apps/web", ""),
            flux("api", "./apps/api", "")
        );
        let r = repo(
            &ks,
            &[
                ("clusters/prod/flux-system/gotk-sync.yaml", &prod_sync),
                ("clusters/staging/flux-system/gotk-sync.yaml", &staging_sync),
                ("clusters/prod/apps.yaml", &apps),
                ("clusters/staging/apps.yaml", &apps),
                ("apps/web/cm.yaml", CM),
                ("apps/api/cm.yaml", CM),
                ("apps/solo/cm.yaml", CM),
            ],
        );
        let f = run(&r);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(
            f[0].message.contains("cluster clusters/prod"),
            "{}",
            f[0].message
        );
        assert!(!f[0].message.contains("apps/solo"), "{}", f[0].message);
        // Deployed from another source (an OCI artifact): the cluster is unknown.
        let oci = apps.replace(
            "kind: GitRepository, name: flux-system",
            "kind: OCIRepository, name: apps",
        );
        let r = repo(
            &ks,
            &[
                ("clusters/prod/apps.yaml", &oci),
                ("apps/web/cm.yaml", CM),
                ("apps/api/cm.yaml", CM),
            ],
        );
        assert!(run(&r).is_empty(), "{:?}", run(&r));
        // With different target namespaces they no longer collide.
        let apps_ns = format!(
            "{}---\n{}",
            flux("web", "./apps/web", "  targetNamespace: web\n"),
            flux("api", "./apps/api", "  targetNamespace: api\n")
        );
        let r = repo(
            &ks,
            &[
                ("clusters/prod/flux-system/gotk-sync.yaml", &prod_sync),
                ("clusters/prod/apps.yaml", &apps_ns),
                ("apps/web/cm.yaml", CM),
                ("apps/api/cm.yaml", CM),
            ],
        );
        assert!(run(&r).is_empty());
        // Kustomizations rewritten by a kustomization (replacements may set their
        // targetNamespace): each has a namespace of its own.
        let ks_rw = [
            ks[0],
            ks[1],
            (
                "clusters/prod/kustomization.yaml",
                "resources: [apps.yaml]\nreplacements:\n  - path: ns.yaml\n",
            ),
        ];
        let r = repo(
            &ks_rw,
            &[
                ("clusters/prod/flux-system/gotk-sync.yaml", &prod_sync),
                ("clusters/prod/apps.yaml", &apps),
                (
                    "apps/web/cm.yaml",
                    CM.replace("  namespace: shared\n", "").as_str(),
                ),
                (
                    "apps/api/cm.yaml",
                    CM.replace("  namespace: shared\n", "").as_str(),
                ),
            ],
        );
        assert!(run(&r).is_empty(), "{:?}", run(&r));
        // One cluster per Kustomization: the same pair split across clusters.
        let r = repo(
            &ks,
            &[
                ("clusters/prod/flux-system/gotk-sync.yaml", &prod_sync),
                ("clusters/staging/flux-system/gotk-sync.yaml", &staging_sync),
                ("clusters/prod/apps.yaml", &flux("web", "./apps/web", "")),
                ("clusters/staging/apps.yaml", &flux("api", "./apps/api", "")),
                ("apps/web/cm.yaml", CM),
                ("apps/api/cm.yaml", CM),
            ],
        );
        assert!(run(&r).is_empty(), "{:?}", run(&r));
        // A shared base deployed by two units of one cluster with the same identity.
        let ks_shared = [
            ("apps/base/kustomization.yaml", "resources: [cm.yaml]\n"),
            ("apps/web/kustomization.yaml", "resources: [../base]\n"),
            ("apps/api/kustomization.yaml", "resources: [../base]\n"),
        ];
        let r = repo(
            &ks_shared,
            &[
                ("clusters/prod/flux-system/gotk-sync.yaml", &prod_sync),
                ("clusters/prod/apps.yaml", &apps),
                ("apps/base/cm.yaml", CM),
            ],
        );
        let f = run(&r);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].message
                .contains("by the units apps/api/kustomization.yaml, apps/web/kustomization.yaml"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn configured_cluster_roots() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(crate::config::FILE_NAME);
        std::fs::write(&p, "cluster-roots: ['kubernetes/*']\n").unwrap();
        let config = Config::load(&p).unwrap();
        let r = repo(
            &[
                (
                    "kubernetes/main/a/kustomization.yaml",
                    "resources: [cm.yaml]\n",
                ),
                (
                    "kubernetes/main/b/kustomization.yaml",
                    "resources: [cm.yaml]\n",
                ),
                (
                    "kubernetes/edge/a/kustomization.yaml",
                    "resources: [cm.yaml]\n",
                ),
            ],
            &[
                ("kubernetes/main/a/cm.yaml", CM),
                ("kubernetes/main/b/cm.yaml", CM),
                ("kubernetes/edge/a/cm.yaml", CM),
            ],
        );
        let f = run_with(&r, &config);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f.iter().all(|f| f.path.starts_with("kubernetes/main/")));
        assert!(f[0].message.contains("cluster kubernetes/main"));
        // Without the config, all three are one top-level directory.
        assert_eq!(run(&r).len(), 3);
        // Units outside the roots take the root of the Flux Kustomization deploying them.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(crate::config::FILE_NAME);
        std::fs::write(&p, "cluster-roots: ['clusters/*']\n").unwrap();
        let config = Config::load(&p).unwrap();
        let r = repo(
            &[
                ("apps/web/kustomization.yaml", "resources: [cm.yaml]\n"),
                ("apps/api/kustomization.yaml", "resources: [cm.yaml]\n"),
            ],
            &[
                ("clusters/prod/web.yaml", &flux("web", "./apps/web", "")),
                ("clusters/prod/api.yaml", &flux("api", "./apps/api", "")),
                ("clusters/edge/api.yaml", &flux("api", "./apps/api", "")),
                ("apps/web/cm.yaml", CM),
                ("apps/api/cm.yaml", CM),
            ],
        );
        let f = run_with(&r, &config);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(
            f[0].message.contains("cluster clusters/prod"),
            "{}",
            f[0].message
        );
    }
}
