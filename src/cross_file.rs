//! The cross-file stage: facts recorded per file while it is checked (in parallel), then
//! compared once all files are done. Each rule that needs more than one file owns its record
//! type and its check; this module only carries the records and runs the checks.

use crate::config::Config;
use crate::finding::Finding;
use crate::project::Project;
use crate::rules::duplicate_resource::{DuplicateResource, ObjectRecord};
use crate::rules::flux_source_ref_missing::{FluxSourceRefMissing, SourceFact};
use crate::rules::hpa_and_static_replicas::{HpaAndStaticReplicas, ScaleFact};
use crate::yaml::Document;

/// What the cross-file rules need of one file.
#[derive(Debug, Default)]
pub struct Facts {
    pub objects: Vec<ObjectRecord>,
    pub sources: Vec<SourceFact>,
    pub scaling: Vec<ScaleFact>,
}

impl Facts {
    /// Records the facts of one parsed file.
    pub fn collect(path: &str, docs: &[Document], project: &Project, config: &Config) -> Facts {
        let mut f = Facts::default();
        let in_unit = !project.memberships(path).is_empty() && !project.is_fragment(path);
        let dup = in_unit && config.is_enabled(&DuplicateResource::META);
        let src = project.whole_tree && config.is_enabled(&FluxSourceRefMissing::META);
        let hpa = !project.is_fragment(path) && config.is_enabled(&HpaAndStaticReplicas::META);
        if !(dup || src || hpa) {
            return f;
        }
        for doc in docs {
            for obj in crate::manifest::objects(&doc.root) {
                if dup {
                    f.objects.extend(ObjectRecord::of(path, &obj));
                }
                if src {
                    SourceFact::collect(path, &obj, project, &mut f.sources);
                }
                if hpa {
                    ScaleFact::collect(path, &obj, project, &mut f.scaling);
                }
            }
        }
        f
    }

    pub fn extend(&mut self, other: Facts) {
        self.objects.extend(other.objects);
        self.sources.extend(other.sources);
        self.scaling.extend(other.scaling);
    }

    /// The findings of every cross-file rule (suppressions and snippets not yet applied).
    pub fn check(&self, project: &Project) -> Vec<Finding> {
        let mut out = DuplicateResource::check(&self.objects, project);
        out.extend(FluxSourceRefMissing::check(&self.sources));
        out.extend(HpaAndStaticReplicas::check(&self.scaling));
        out
    }
}
