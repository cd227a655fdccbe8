use crate::finding::Finding;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::yaml::Span;

declare_rule! {
    /// ## What it does
    /// Flags a document without `apiVersion` or `kind` in a file that a kustomization lists
    /// as a resource (so the file is part of a deployment unit). Empty documents (a stray
    /// `---`) and patch files are fine; files no kustomization includes (Helm values,
    /// `.sops.yaml`, CI configs) are not checked.
    ///
    /// ## Why is this bad?
    /// kustomize refuses the file ("missing Resource metadata"), so the whole unit stops
    /// reconciling; often it is a values file or a patch listed under `resources:` by
    /// mistake.
    ///
    /// ## Example
    /// ```yaml
    /// # listed in resources:
    /// metadata:
    ///   name: web
    /// spec:
    ///   replicas: 3
    /// ```
    ///
    /// ## Use instead
    /// Add `apiVersion` and `kind`, or move the file to `patches:` (or out of the unit).
    pub struct MissingApiversionOrKind {
        id: "missing-apiversion-or-kind",
        severity: Warning,
        summary: "Document in a deployment unit without apiVersion or kind",
    }
}

impl DocumentRule for MissingApiversionOrKind {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        let root = &cx.doc.root;
        if root.is_null() || cx.is_fragment() || cx.memberships().is_empty() {
            return;
        }
        let missing: Vec<&str> = ["apiVersion", "kind"]
            .into_iter()
            .filter(|k| root.get_str(k).is_none_or(str::is_empty))
            .collect();
        // (A SOPS file with a kind is exempt; looked at last, as few documents miss a field.)
        if missing.is_empty()
            || crate::manifest::is_sops_document(root) && root.get("kind").is_some()
        {
            return;
        }
        let span = if root.is_mapping() {
            Span::point(root.span.start)
        } else {
            root.span
        };
        out.push(
            Finding::new(
                &Self::META,
                cx.path,
                span,
                format!(
                    "document {} has no {} but its file is listed as a resource of {}",
                    cx.doc.index + 1,
                    missing.join(" or "),
                    cx.memberships()[0].unit
                ),
                &format!("doc{}", cx.doc.index),
            )
            .help("add apiVersion and kind, or list the file under patches: instead"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::Project;
    use crate::rules::testing::check_in;

    fn run(path: &str, src: &str) -> usize {
        let project = Project::build(
            None,
            &[(
                "app/kustomization.yaml",
                "resources: [a.yaml]\npatches:\n  - path: p.yaml\n",
            )],
        );
        check_in(&MissingApiversionOrKind, &project, path, src).len()
    }

    #[test]
    fn listed_resources_only() {
        assert_eq!(run("app/a.yaml", "metadata: {name: a}\nspec: {}\n"), 1);
        assert_eq!(
            run("app/a.yaml", "apiVersion: v1\nmetadata: {name: a}\n"),
            1
        );
        assert_eq!(
            run("app/a.yaml", "apiVersion: v1\nkind: ConfigMap\n---\n"),
            0
        );
        assert_eq!(run("app/p.yaml", "spec: {replicas: 2}\n"), 0);
        assert_eq!(run("app/values.yaml", "replicaCount: 2\n"), 0);
    }
}
