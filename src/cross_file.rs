//! The cross-file stage: facts recorded per file while it is checked (in parallel), then
//! compared once all files are done. Each rule that needs more than one file owns its record
//! type and its check; this module only carries the records and runs the checks.

use crate::config::Config;
use crate::finding::Finding;
use crate::flux::FluxKustomization;
use crate::manifest::KubeObject;
use crate::project::Project;
use crate::rules::crd_version_not_served::{CrdFact, CrdVersionNotServed};
use crate::rules::duplicate_resource::{DuplicateResource, ObjectRecord};
use crate::rules::duplicate_resource_across_units::DuplicateResourceAcrossUnits;
use crate::rules::flux_source_ref_missing::{FluxSourceRefMissing, SourceFact};
use crate::rules::flux_substitution_undefined::{FluxSubstitutionUndefined, VariableUse};
use crate::rules::hpa_and_static_replicas::{HpaAndStaticReplicas, ScaleFact};
use crate::rules::missing_namespace::{MissingNamespace, NamespaceFact};
use crate::rules::namespace_on_cluster_scoped::{CustomScopeFact, NamespaceOnClusterScoped};

/// A file's path as its fact records hold it: one allocation per file, shared by its
/// records (made at the first one; a `String` per record was a third of the records'
/// allocations).
pub struct SharedPath<'a> {
    rel: &'a str,
    shared: std::cell::OnceCell<std::sync::Arc<str>>,
}

impl<'a> SharedPath<'a> {
    pub fn new(rel: &'a str) -> SharedPath<'a> {
        SharedPath {
            rel,
            shared: Default::default(),
        }
    }

    pub fn as_str(&self) -> &'a str {
        self.rel
    }

    /// The path for a record.
    pub fn get(&self) -> std::sync::Arc<str> {
        self.shared.get_or_init(|| self.rel.into()).clone()
    }
}

/// What the cross-file rules need of one file.
#[derive(Debug, Default)]
pub struct Facts {
    pub objects: Vec<ObjectRecord>,
    pub sources: Vec<SourceFact>,
    pub scaling: Vec<ScaleFact>,
    pub namespaces: Vec<NamespaceFact>,
    pub crds: Vec<CrdFact>,
    /// Custom resources naming a namespace (their CRD may say they are cluster-scoped).
    pub custom_scoped: Vec<CustomScopeFact>,
    /// Flux Kustomizations (the deployment graph of the repository).
    pub flux: Vec<FluxKustomization>,
    pub variables: Vec<VariableUse>,
}

/// Which facts one file must record (rules off, or not applicable to it: none).
#[derive(Clone, Copy, Debug, Default)]
pub struct Wanted {
    objects: bool,
    sources: bool,
    scaling: bool,
    namespaces: bool,
    crds: bool,
    custom_scoped: bool,
    flux: bool,
    variables: bool,
}

impl Wanted {
    /// The facts some enabled rule needs, for the whole scan (looked up once, not per file).
    pub fn for_scan(project: &Project, config: &Config) -> Wanted {
        let across = project.whole_tree && config.is_enabled(&DuplicateResourceAcrossUnits::META);
        let substitution =
            project.whole_tree && config.is_enabled(&FluxSubstitutionUndefined::META);
        Wanted {
            objects: config.is_enabled(&DuplicateResource::META) || across,
            sources: project.whole_tree && config.is_enabled(&FluxSourceRefMissing::META),
            scaling: config.is_enabled(&HpaAndStaticReplicas::META),
            namespaces: project.whole_tree && config.is_enabled(&MissingNamespace::META),
            // (CRDs also tell missing-namespace the scope of custom resources.)
            crds: config.is_enabled(&CrdVersionNotServed::META)
                || config.is_enabled(&NamespaceOnClusterScoped::META)
                || (project.whole_tree && config.is_enabled(&MissingNamespace::META)),
            custom_scoped: config.is_enabled(&NamespaceOnClusterScoped::META),
            flux: across || substitution,
            variables: substitution,
        }
    }

    /// The facts one file must record: patch files (fragments) record only the Flux graph
    /// and sources; object identities only for files some unit includes; variables only in
    /// files that use one.
    pub fn for_file(self, info: &crate::project::FileInfo, src: &str) -> Wanted {
        let whole = !info.fragment;
        Wanted {
            objects: self.objects && whole && !info.memberships.is_empty(),
            sources: self.sources,
            scaling: self.scaling && whole,
            namespaces: self.namespaces && whole,
            crds: self.crds && whole,
            custom_scoped: self.custom_scoped && whole,
            flux: self.flux,
            variables: self.variables
                && whole
                && memchr::memmem::find(src.as_bytes(), b"${").is_some(),
        }
    }
}

impl Facts {
    /// Records the facts of one document's objects.
    pub fn collect(
        &mut self,
        path: &SharedPath,
        src: &str,
        info: &crate::project::FileInfo,
        objects: &[KubeObject],
        project: &Project,
        w: Wanted,
    ) {
        if !(w.objects
            || w.sources
            || w.scaling
            || w.namespaces
            || w.crds
            || w.custom_scoped
            || w.flux
            || w.variables)
        {
            return;
        }
        for obj in objects {
            if w.objects {
                self.objects.extend(ObjectRecord::of(path, info, obj));
            }
            if w.sources {
                SourceFact::collect(path, info, obj, &mut self.sources);
            }
            if w.scaling {
                ScaleFact::collect(path, info, obj, &mut self.scaling);
            }
            if w.namespaces {
                NamespaceFact::collect(path, info, obj, project, &mut self.namespaces);
            }
            if w.custom_scoped {
                CustomScopeFact::collect(path, obj, &mut self.custom_scoped);
            }
            if w.crds {
                CrdFact::collect(path, obj, &mut self.crds);
            }
            if w.flux {
                self.flux
                    .extend(FluxKustomization::of(path, info, obj, project));
            }
            if w.variables {
                VariableUse::collect(path, src, obj, &mut self.variables);
            }
        }
    }

    /// Frees the spare capacity of the records (kept until the cross-file stage): a vector
    /// grows to 4 records at its first push, and most files record one or two of a kind, so
    /// the spare room was most of the facts' memory (~10 MB of the 20k-file tree's peak).
    pub fn shrink_to_fit(&mut self) {
        self.objects.shrink_to_fit();
        self.sources.shrink_to_fit();
        self.scaling.shrink_to_fit();
        self.namespaces.shrink_to_fit();
        self.crds.shrink_to_fit();
        self.custom_scoped.shrink_to_fit();
        self.flux.shrink_to_fit();
        self.variables.shrink_to_fit();
    }

    /// No fact recorded: the file cannot get a cross-file finding.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
            && self.sources.is_empty()
            && self.scaling.is_empty()
            && self.namespaces.is_empty()
            && self.crds.is_empty()
            && self.custom_scoped.is_empty()
            && self.flux.is_empty()
            && self.variables.is_empty()
    }
}

/// The facts of every file side by side, borrowed where the per-file stage left them
/// (moving them into one set was a serial copy into fresh memory, ~5% of a scan).
#[derive(Default)]
pub struct AllFacts<'a> {
    objects: Vec<&'a ObjectRecord>,
    sources: Vec<&'a SourceFact>,
    scaling: Vec<&'a ScaleFact>,
    namespaces: Vec<&'a NamespaceFact>,
    crds: Vec<&'a CrdFact>,
    custom_scoped: Vec<&'a CustomScopeFact>,
    flux: Vec<&'a FluxKustomization>,
    variables: Vec<&'a VariableUse>,
}

impl<'a> AllFacts<'a> {
    /// The facts of `parts` (one per file), in their order.
    pub fn gather(parts: impl Iterator<Item = &'a Facts> + Clone) -> AllFacts<'a> {
        fn all<'a, T: 'a>(
            parts: impl Iterator<Item = &'a Facts> + Clone,
            of: impl Fn(&'a Facts) -> &'a Vec<T>,
        ) -> Vec<&'a T> {
            let mut v = Vec::with_capacity(parts.clone().map(|p| of(p).len()).sum());
            for p in parts {
                v.extend(of(p));
            }
            v
        }
        AllFacts {
            objects: all(parts.clone(), |f| &f.objects),
            sources: all(parts.clone(), |f| &f.sources),
            scaling: all(parts.clone(), |f| &f.scaling),
            namespaces: all(parts.clone(), |f| &f.namespaces),
            crds: all(parts.clone(), |f| &f.crds),
            custom_scoped: all(parts.clone(), |f| &f.custom_scoped),
            flux: all(parts.clone(), |f| &f.flux),
            variables: all(parts, |f| &f.variables),
        }
    }

    /// The findings of every cross-file rule (suppressions and snippets not yet applied).
    /// The rules are independent: they run side by side on the scan's thread pool.
    pub fn check(&self, project: &Project, config: &Config) -> Vec<Finding> {
        // The Flux graph is built by the first part that needs it, beside the others.
        let graph = std::sync::OnceLock::new();
        let graph = || graph.get_or_init(|| crate::flux::FluxGraph::new(&self.flux, project));
        let crd_scopes = CrdFact::scopes(&self.crds);
        // (The pool splits the list in halves: the two slowest, duplicate-resource and the
        // Flux graph's first user, go one to each half.)
        let parts: [&(dyn Fn() -> Vec<Finding> + Sync); 8] = [
            &|| {
                if config.is_enabled(&DuplicateResource::META) {
                    DuplicateResource::check(&self.objects)
                } else {
                    Vec::new()
                }
            },
            &|| HpaAndStaticReplicas::check(&self.scaling),
            &|| MissingNamespace::check(&self.namespaces, project, &crd_scopes),
            &|| NamespaceOnClusterScoped::check_custom(&self.custom_scoped, &crd_scopes),
            &|| FluxSubstitutionUndefined::check(&self.variables, graph()),
            &|| {
                if project.whole_tree && config.is_enabled(&DuplicateResourceAcrossUnits::META) {
                    DuplicateResourceAcrossUnits::check(&self.objects, graph(), config)
                } else {
                    Vec::new()
                }
            },
            &|| FluxSourceRefMissing::check(&self.sources),
            &|| {
                if config.is_enabled(&CrdVersionNotServed::META)
                    && self
                        .crds
                        .iter()
                        .any(|c| matches!(c, CrdFact::Defines { .. }))
                {
                    CrdVersionNotServed::check(&self.crds)
                } else {
                    Vec::new()
                }
            },
        ];
        use rayon::prelude::*;
        let mut out: Vec<Vec<Finding>> = Vec::new();
        parts.par_iter().map(|f| f()).collect_into_vec(&mut out);
        out.into_iter().flatten().collect()
    }
}
