//! The cross-file stage: facts recorded per file while it is checked (in parallel), then
//! compared once all files are done. Each rule that needs more than one file owns its record
//! type and its check; this module only carries the records and runs the checks.

use crate::config::Config;
use crate::finding::Finding;
use crate::manifest::KubeObject;
use crate::project::Project;
use crate::rules::crd_version_not_served::{CrdFact, CrdVersionNotServed};
use crate::rules::duplicate_resource::{DuplicateResource, ObjectRecord};
use crate::rules::flux_source_ref_missing::{FluxSourceRefMissing, SourceFact};
use crate::rules::hpa_and_static_replicas::{HpaAndStaticReplicas, ScaleFact};
use crate::rules::missing_namespace::{MissingNamespace, NamespaceFact};

/// What the cross-file rules need of one file.
#[derive(Debug, Default)]
pub struct Facts {
    pub objects: Vec<ObjectRecord>,
    pub sources: Vec<SourceFact>,
    pub scaling: Vec<ScaleFact>,
    pub namespaces: Vec<NamespaceFact>,
    pub crds: Vec<CrdFact>,
}

/// Which facts one file must record (rules off, or not applicable to it: none).
#[derive(Clone, Copy, Debug, Default)]
pub struct Wanted {
    objects: bool,
    sources: bool,
    scaling: bool,
    namespaces: bool,
    crds: bool,
}

impl Wanted {
    pub fn for_file(path: &str, project: &Project, config: &Config) -> Wanted {
        let info = project.file(path);
        let fragment = info.fragment;
        Wanted {
            objects: !fragment
                && !info.memberships.is_empty()
                && config.is_enabled(&DuplicateResource::META),
            sources: project.whole_tree && config.is_enabled(&FluxSourceRefMissing::META),
            scaling: !fragment && config.is_enabled(&HpaAndStaticReplicas::META),
            namespaces: project.whole_tree
                && !fragment
                && config.is_enabled(&MissingNamespace::META),
            crds: !fragment && config.is_enabled(&CrdVersionNotServed::META),
        }
    }
}

impl Facts {
    /// Records the facts of one document's objects.
    pub fn collect(&mut self, path: &str, objects: &[KubeObject], project: &Project, w: Wanted) {
        if !(w.objects || w.sources || w.scaling || w.namespaces || w.crds) {
            return;
        }
        for obj in objects {
            if w.objects {
                self.objects.extend(ObjectRecord::of(path, obj));
            }
            if w.sources {
                SourceFact::collect(path, obj, project, &mut self.sources);
            }
            if w.scaling {
                ScaleFact::collect(path, obj, project, &mut self.scaling);
            }
            if w.namespaces {
                NamespaceFact::collect(path, obj, project, &mut self.namespaces);
            }
            if w.crds {
                CrdFact::collect(path, obj, &mut self.crds);
            }
        }
    }

    /// Empty facts with room for all of `parts` (merged one by one afterwards: growing the
    /// vectors as they come was most of the merge's time).
    pub fn with_capacity_for<'a>(parts: impl Iterator<Item = &'a Facts> + Clone) -> Facts {
        Facts {
            objects: Vec::with_capacity(parts.clone().map(|f| f.objects.len()).sum()),
            sources: Vec::with_capacity(parts.clone().map(|f| f.sources.len()).sum()),
            scaling: Vec::with_capacity(parts.clone().map(|f| f.scaling.len()).sum()),
            namespaces: Vec::with_capacity(parts.clone().map(|f| f.namespaces.len()).sum()),
            crds: Vec::with_capacity(parts.map(|f| f.crds.len()).sum()),
        }
    }

    pub fn extend(&mut self, other: Facts) {
        self.objects.extend(other.objects);
        self.sources.extend(other.sources);
        self.scaling.extend(other.scaling);
        self.namespaces.extend(other.namespaces);
        self.crds.extend(other.crds);
    }

    /// The findings of every cross-file rule (suppressions and snippets not yet applied).
    /// The rules are independent: they run side by side on the scan's thread pool.
    pub fn check(&self, project: &Project) -> Vec<Finding> {
        let ((mut out, flux), (hpa, (namespaces, crds))) = rayon::join(
            || {
                rayon::join(
                    || DuplicateResource::check(&self.objects, project),
                    || FluxSourceRefMissing::check(&self.sources),
                )
            },
            || {
                rayon::join(
                    || HpaAndStaticReplicas::check(&self.scaling),
                    || {
                        rayon::join(
                            || MissingNamespace::check(&self.namespaces, project),
                            || {
                                if self
                                    .crds
                                    .iter()
                                    .any(|c| matches!(c, CrdFact::Defines { .. }))
                                {
                                    CrdVersionNotServed::check(&self.crds)
                                } else {
                                    Vec::new()
                                }
                            },
                        )
                    },
                )
            },
        );
        out.extend(flux);
        out.extend(hpa);
        out.extend(namespaces);
        out.extend(crds);
        out
    }
}
