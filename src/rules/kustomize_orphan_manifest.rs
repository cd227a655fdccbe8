use crate::finding::Finding;
use crate::kustomize;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::source::FileKind;
use crate::yaml::Span;

declare_rule! {
    /// ## What it does
    /// Flags a manifest (a YAML file with `apiVersion` and `kind`) that sits in a directory
    /// with a `kustomization.yaml` but that no kustomization of the scan references, in any
    /// field (resources, patches, generator inputs…).
    ///
    /// It runs only when whole directories are scanned (not with file arguments or
    /// `--staged`, where a kustomization listing the file may not be among the inputs).
    /// Directories without a kustomization are not checked (Flux applies every file of such
    /// a directory). Files without Kubernetes objects (Helm values, `.sops.yaml`, CI
    /// configs) are not manifests. SOPS files beside a kustomization that has `generators:`
    /// (KSOPS) are left alone: the generator's own config lists them. A file whose name
    /// appears in a comment of the kustomization (`# - ./helmrelease.yaml`) was left out
    /// on purpose and is not reported.
    ///
    /// ## Why is this bad?
    /// Once a directory has a kustomization, Argo CD and Flux deploy only what it lists. A new
    /// file that nobody added to `resources:` is silently never applied — the change looks
    /// merged and deployed, and is not.
    ///
    /// ## Example
    /// ```yaml
    /// # apps/web/kustomization.yaml lists deploy.yaml and service.yaml;
    /// # apps/web/ingress.yaml is new and listed nowhere.
    /// ```
    ///
    /// ## Use instead
    /// Add the file to the kustomization's `resources:` (or delete it).
    pub struct KustomizeOrphanManifest {
        id: "kustomize-orphan-manifest",
        severity: Warning,
        summary: "Manifest in a kustomize directory that no kustomization lists",
        group: "kustomize",
    }
}

impl DocumentRule for KustomizeOrphanManifest {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        if !cx.project.whole_tree
            || cx.kind != FileKind::Manifest
            || !(cx.path.ends_with(".yaml") || cx.path.ends_with(".yml"))
        {
            return;
        }
        let root = &cx.doc.root;
        if root.get_str("apiVersion").is_none() || root.get_str("kind").is_none() {
            return;
        }
        if cx.file.referenced {
            return;
        }
        let dir = kustomize::dir_of(cx.path);
        let Some((kustomization, has_generators)) = cx.project.kustomization_in(dir) else {
            return;
        };
        let file = cx.path.rsplit('/').next().unwrap_or(cx.path);
        if cx.project.commented_out(dir, file)
            || (has_generators && crate::manifest::is_sops_document(root))
        {
            return;
        }
        out.push(
            Finding::new(
                &Self::META,
                cx.path,
                Span::file_start(),
                format!("no kustomization lists this manifest, so it is never deployed ({kustomization} is beside it)"),
                "orphan",
            )
            .help(format!("add it to the resources of {kustomization}, or delete it")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::Project;
    use crate::rules::testing::check_in;

    fn run(ks: &[(&str, &str)], path: &str, src: &str) -> usize {
        check_in(
            &KustomizeOrphanManifest,
            &Project::build(None, ks),
            path,
            src,
        )
        .len()
    }

    const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";

    #[test]
    fn orphans() {
        let k = [("app/kustomization.yaml", "resources: [deploy.yaml]\n")];
        assert_eq!(run(&k, "app/ingress.yaml", CM), 1);
        assert_eq!(run(&k, "app/deploy.yaml", CM), 0);
        // Commented out on purpose.
        let k4 = [(
            "app/kustomization.yaml",
            "resources:\n  # - ./hr.yaml\n  - deploy.yaml\n",
        )];
        assert_eq!(run(&k4, "app/hr.yaml", CM), 0);
        // Not beside a kustomization; not a manifest; a values file.
        assert_eq!(run(&k, "other/x.yaml", CM), 0);
        assert_eq!(run(&k, "app/values.yaml", "replicaCount: 2\n"), 0);
        // Referenced from elsewhere (a parent, a patch, a generator input).
        let k2 = [
            (
                "app/kustomization.yaml",
                "resources: [deploy.yaml]\npatches:\n  - path: p.yaml\n",
            ),
            ("kustomization.yaml", "resources: [app/extra.yaml]\n"),
        ];
        assert_eq!(run(&k2, "app/p.yaml", CM), 0);
        assert_eq!(run(&k2, "app/extra.yaml", CM), 0);
        // KSOPS: the generator config lists SOPS files.
        let k3 = [("s/kustomization.yaml", "generators: [ksops.yaml]\n")];
        let sops = "apiVersion: v1\nkind: Secret\ndata: {a: 'ENC[AES256_GCM,data:x]'}\nsops:\n  mac: ENC[x]\n";
        assert_eq!(run(&k3, "s/secret.enc.yaml", sops), 0);
    }
}
