//! What the repository says about each file, known before the per-file rules run: the
//! kustomize graph (which files are patches, which kustomization lists what).

use std::collections::HashSet;

/// Repository-level facts shared by every per-document rule.
#[derive(Debug, Default)]
pub struct Project {
    /// Files (relative to the scan root) that a kustomization uses as patches.
    fragments: HashSet<String>,
}

impl Project {
    /// True when a kustomization uses `path` as a patch (a fragment, not a resource).
    pub fn is_fragment(&self, path: &str) -> bool {
        self.fragments.contains(path)
    }
}
