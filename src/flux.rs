//! Flux `Kustomization`s (kustomize.toolkit.fluxcd.io) as a deployment graph: which
//! directory of the repository each one applies, which files that covers, and which
//! Kustomization deploys which — recorded per file, put together in the cross-file stage.

use crate::kustomize;
use crate::manifest::KubeObject;
use crate::project::{FileInfo, Project};

/// What a Flux `Kustomization` of this repository says about deploying it.
#[derive(Clone, Debug)]
pub struct FluxKustomization {
    /// The file defining it.
    pub file: std::sync::Arc<str>,
    pub name: String,
    /// `spec.path`, relative to the repository root (`./` removed).
    pub dir: String,
    /// Its source is this repository (the `flux-system` GitRepository): `dir` is a directory
    /// of the scan. Other sources (OCI, `ExternalArtifact`, other repositories) deploy
    /// something this scan cannot locate.
    pub local: bool,
    pub target_namespace: Option<String>,
    /// `spec.postBuild`, when there is one.
    pub post_build: Option<PostBuild>,
    /// Its `spec.patches` mention `postBuild` or `substituteFrom`: the Kustomizations it
    /// deploys may get substitutions its files do not show.
    pub patches_substitution: bool,
    /// A kustomization including its file rewrites it (patches, replacements): its fields
    /// may differ from what the file says.
    pub transformed: bool,
}

/// `spec.postBuild`.
#[derive(Clone, Debug, Default)]
pub struct PostBuild {
    /// The keys of `substitute`.
    pub substitute: Vec<String>,
    /// It has `substituteFrom` (variables from ConfigMaps/Secrets, maybe not in the repo).
    pub substitute_from: bool,
}

impl FluxKustomization {
    /// The record of a Flux Kustomization that is itself deployed (listed by a
    /// kustomization, or in a directory tree without one).
    pub fn of(
        path: &crate::cross_file::SharedPath,
        info: &FileInfo,
        obj: &KubeObject,
        project: &Project,
    ) -> Option<FluxKustomization> {
        let (api, kind) = (obj.api_version?, obj.kind?);
        if kind != "Kustomization" || !api.starts_with("kustomize.toolkit.fluxcd.io/") {
            return None;
        }
        if !is_deployed(path.as_str(), info, project) {
            return None;
        }
        let spec = obj.spec?;
        let own = spec.get("sourceRef").is_some_and(|r| {
            r.get_str("kind").is_none_or(|k| k == "GitRepository")
                && r.get_str("name") == Some("flux-system")
        });
        let dir = spec.get_str("path").unwrap_or("./");
        let local = own && !dir.contains("${");
        let post_build = spec.get("postBuild").map(|pb| PostBuild {
            substitute: pb
                .get("substitute")
                .map(|s| {
                    s.entries()
                        .iter()
                        .filter_map(|e| e.key.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            substitute_from: pb.get("substituteFrom").is_some(),
        });
        let patches_substitution = spec.get("patches").is_some_and(|p| {
            let mut found = false;
            mentions(p, &mut found);
            found
        });
        Some(FluxKustomization {
            file: path.get(),
            name: obj.name.unwrap_or("-").to_string(),
            dir: clean(dir),
            local,
            target_namespace: spec
                .get_str("targetNamespace")
                .filter(|n| !n.is_empty())
                .map(str::to_string),
            post_build,
            patches_substitution,
            transformed: info.memberships.iter().any(|m| m.transformed),
        })
    }
}

/// True when some scalar or key below `n` mentions `postBuild` or `substituteFrom`
/// (inline patches are strings holding YAML).
fn mentions(n: &crate::yaml::Node, found: &mut bool) {
    use crate::yaml::NodeKind;
    if *found {
        return;
    }
    match &n.kind {
        NodeKind::Scalar(s) => {
            *found = s.value.contains("postBuild") || s.value.contains("substituteFrom");
        }
        NodeKind::Mapping(es) => {
            for e in es {
                mentions(&e.key, found);
                mentions(&e.value, found);
            }
        }
        NodeKind::Sequence(items) => {
            for i in items {
                mentions(i, found);
            }
        }
        NodeKind::Alias(_) => {}
    }
}

/// A controller object counts only when it is itself deployed: listed by a kustomization,
/// or in a directory tree without one (Flux applies those whole). A commented-out
/// `ks.yaml` deploys nothing.
pub fn is_deployed(path: &str, info: &FileInfo, project: &Project) -> bool {
    !info.memberships.is_empty() || {
        let mut dir = kustomize::dir_of(path);
        loop {
            if project.kustomization_in(dir).is_some() {
                break false;
            }
            if dir.is_empty() {
                break true;
            }
            dir = kustomize::dir_of(dir);
        }
    }
}

/// A Flux `spec.path` as a directory relative to the repository root.
pub fn clean(p: &str) -> String {
    kustomize::resolve("", p.trim_start_matches("./"))
}

/// Flux generates a kustomization for a directory without one: every manifest below it,
/// descending until a directory with its own kustomization (included whole, not entered).
/// True when `unit_dir` is reached that way from `dir`.
pub fn generated_includes(project: &Project, dir: &str, unit_dir: &str) -> bool {
    let below = if dir.is_empty() {
        unit_dir
    } else {
        match unit_dir.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) {
            Some(r) => r,
            None => return false,
        }
    };
    // Every directory strictly between `dir` and `unit_dir` must lack a kustomization.
    let mut at = dir.to_string();
    let parts: Vec<&str> = below.split('/').collect();
    for p in &parts[..parts.len().saturating_sub(1)] {
        if !at.is_empty() {
            at.push('/');
        }
        at.push_str(p);
        if project.kustomization_in(&at).is_some() {
            return false;
        }
    }
    true
}

/// True when a Flux Kustomization applying `flux_dir` deploys the unit rooted at
/// `unit_dir` (the unit's own directory, or a plain parent directory that reaches it).
pub fn covers_unit(project: &Project, flux_dir: &str, unit_dir: &str) -> bool {
    flux_dir == unit_dir
        || (under(flux_dir, unit_dir)
            && project.kustomization_in(flux_dir).is_none()
            && generated_includes(project, flux_dir, unit_dir))
}

/// True when a Flux Kustomization applying `flux_dir` deploys the manifest file `path`.
pub fn covers_file(project: &Project, flux_dir: &str, path: &str) -> bool {
    let ms = project.memberships(path);
    if !ms.is_empty() {
        return ms
            .iter()
            .any(|m| covers_unit(project, flux_dir, kustomize::dir_of(&m.unit)));
    }
    let dir = kustomize::dir_of(path);
    (flux_dir == dir || under(flux_dir, dir))
        && project.kustomization_in(dir).is_none()
        && project.kustomization_in(flux_dir).is_none()
        && (flux_dir == dir || generated_includes(project, flux_dir, dir))
}

/// True when `dir` is strictly below `parent` (every directory is below the root, "").
fn under(parent: &str, dir: &str) -> bool {
    parent.is_empty()
        || (dir.len() > parent.len()
            && dir.starts_with(parent)
            && dir.as_bytes()[parent.len()] == b'/')
}

/// The Flux Kustomizations of a repository, with the questions the cross-file rules ask.
pub struct FluxGraph<'a> {
    pub all: &'a [&'a FluxKustomization],
    project: &'a Project,
    /// The deployers of each Kustomization's own file.
    parents: Vec<Vec<usize>>,
    /// The local Kustomizations by the directory they apply.
    by_dir: rustc_hash::FxHashMap<&'a str, Vec<usize>>,
}

impl<'a> FluxGraph<'a> {
    pub fn new(all: &'a [&'a FluxKustomization], project: &'a Project) -> FluxGraph<'a> {
        let mut by_dir: rustc_hash::FxHashMap<&str, Vec<usize>> = Default::default();
        for (i, k) in all.iter().enumerate() {
            if k.local {
                by_dir.entry(k.dir.as_str()).or_default().push(i);
            }
        }
        let mut g = FluxGraph {
            all,
            project,
            parents: Vec::new(),
            by_dir,
        };
        g.parents = all.iter().map(|k| g.deployers_of_file(&k.file)).collect();
        g
    }

    /// The Flux Kustomizations that deploy the file of Kustomization `i`.
    pub fn parents(&self, i: usize) -> &[usize] {
        &self.parents[i]
    }

    /// The Flux Kustomizations that deploy the file `path` (indices into `all`).
    pub fn deployers_of_file(&self, path: &str) -> Vec<usize> {
        let ms = self.project.memberships(path);
        let mut out = Vec::new();
        if ms.is_empty() {
            self.applying_above(kustomize::dir_of(path), &mut out, |d| {
                covers_file(self.project, d, path)
            });
        } else {
            for m in ms {
                let unit_dir = kustomize::dir_of(&m.unit);
                self.applying_above(unit_dir, &mut out, |d| {
                    covers_unit(self.project, d, unit_dir)
                });
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The Flux Kustomizations that deploy the unit rooted at `unit_dir`.
    pub fn deployers_of_unit(&self, unit_dir: &str) -> Vec<usize> {
        let mut out = Vec::new();
        self.applying_above(unit_dir, &mut out, |d| {
            covers_unit(self.project, d, unit_dir)
        });
        out.sort_unstable();
        out
    }

    /// Adds the Kustomizations applying `dir` or one of its parents (when `covers` says
    /// the parent reaches it).
    fn applying_above(&self, dir: &str, out: &mut Vec<usize>, covers: impl Fn(&str) -> bool) {
        let mut d = dir;
        loop {
            if let Some(v) = self.by_dir.get(d)
                && covers(d)
            {
                out.extend(v);
            }
            if d.is_empty() {
                break;
            }
            d = kustomize::dir_of(d);
        }
    }

    /// Every Flux Kustomization on the way from a cluster's entry point down to `i`
    /// (its deployer, that one's deployer…), `i` excluded; cycles stop.
    pub fn ancestors(&self, i: usize) -> Vec<usize> {
        let mut seen = vec![false; self.all.len()];
        seen[i] = true;
        let mut stack = vec![i];
        let mut out = Vec::new();
        while let Some(j) = stack.pop() {
            for &p in &self.parents[j] {
                if !seen[p] {
                    seen[p] = true;
                    out.push(p);
                    stack.push(p);
                }
            }
        }
        out.sort_unstable();
        out
    }
}
