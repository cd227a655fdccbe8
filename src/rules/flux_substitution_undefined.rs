use crate::cross_file::SharedPath;
use compact_str::CompactString;
use std::collections::BTreeMap;

use crate::finding::Finding;
use crate::flux::FluxGraph;
use crate::manifest::KubeObject;
use crate::rules::declare_rule;
use crate::yaml::{Node, NodeKind, Pos, Span};

declare_rule! {
    /// ## What it does
    /// Flags a `${VAR}` in a manifest that a Flux `Kustomization` (kustomize.toolkit.fluxcd.io)
    /// of this repository deploys — its `spec.path` covers the file — with `spec.postBuild`,
    /// when `VAR` is not a key of `postBuild.substitute`. The finding points at the `${`.
    ///
    /// Not reported: `${VAR:=default}`, `${VAR:-default}` and other forms with an operator;
    /// the escape `$${VAR}`; comments (kustomize drops them before Flux substitutes);
    /// objects with the annotation or label `kustomize.toolkit.fluxcd.io/substitute:
    /// disabled`; Flux Kustomizations without `postBuild` (nothing is substituted). When the
    /// variables may come from elsewhere nothing is reported either: the Flux Kustomization
    /// has `postBuild.substituteFrom` (ConfigMaps and Secrets, often SOPS-encrypted or
    /// created outside the repository), a Flux Kustomization deploying it has `spec.patches`
    /// that mention `postBuild` or `substituteFrom` (patches that add substitutions to every
    /// child), or a kustomization including its file rewrites it (patches, replacements).
    /// Runs only when whole directories are scanned.
    ///
    /// ## Why is this bad?
    /// Flux replaces an undefined variable with an empty string (unless `--strict` substitution
    /// is on): the object is applied with an empty host name, image tag or size, and the
    /// mistake shows up only at runtime, if the API server accepts it at all.
    ///
    /// ## Example
    /// ```yaml
    /// # clusters/prod/apps.yaml: Flux Kustomization, path ./apps/web,
    /// #   postBuild: {substitute: {DOMAIN: example.com}}
    /// spec:
    ///   rules:
    ///     - host: web.${DOMIAN}
    /// ```
    ///
    /// ## Use instead
    /// Fix the name, add the variable to `postBuild.substitute`, or give it a default:
    /// `${DOMAIN:=example.com}`.
    pub struct FluxSubstitutionUndefined {
        id: "flux-substitution-undefined",
        severity: Warning,
        summary: "Flux post-build variable not defined by the Kustomization deploying it",
        group: "gitops",
    }
}

/// A `${VAR}` without default in a manifest.
#[derive(Clone, Debug)]
pub struct VariableUse {
    pub path: std::sync::Arc<str>,
    pub span: Span,
    pub var: CompactString,
}

const DISABLE_KEY: &str = "kustomize.toolkit.fluxcd.io/substitute";

impl VariableUse {
    pub fn collect(path: &SharedPath, src: &str, obj: &KubeObject, out: &mut Vec<VariableUse>) {
        // Variables are read from the source text: an object whose text has no `${` has
        // none (most objects of a file that has one elsewhere), and needs no walk.
        let (text, base) = match src.get(obj.node.span.bytes()) {
            Some(t) => (t, obj.node.span.start.byte),
            None => (src, 0),
        };
        // Where `${` occurs: the walk enters only the nodes whose text holds one (visiting
        // every node of such an object was most of the facts' cost).
        let hits: Vec<usize> = memchr::memmem::find_iter(text.as_bytes(), b"${")
            .map(|i| base + i)
            .collect();
        if hits.is_empty() {
            return;
        }
        let meta = obj.metadata;
        let disabled = ["annotations", "labels"].iter().any(|k| {
            meta.and_then(|m| m.get(k))
                .and_then(|m| m.get_str(DISABLE_KEY))
                == Some("disabled")
        });
        if disabled {
            return;
        }
        walk(obj.node, &hits, path, src, out, 0);
    }
}

/// The variables of the scalars under `n` (`hits`: the sorted offsets of `${` in the text).
fn walk(
    n: &Node,
    hits: &[usize],
    path: &SharedPath,
    src: &str,
    out: &mut Vec<VariableUse>,
    depth: usize,
) {
    let first = hits.partition_point(|&h| h < n.span.start.byte);
    if depth > 128 || hits.get(first).is_none_or(|&h| h >= n.span.end.byte) {
        return;
    }
    match &n.kind {
        NodeKind::Scalar(s) => {
            if s.value.contains("${") {
                scan_scalar(n.span, path, src, out);
            }
        }
        NodeKind::Mapping(es) => {
            for e in es {
                walk(&e.key, hits, path, src, out, depth + 1);
                walk(&e.value, hits, path, src, out, depth + 1);
            }
        }
        NodeKind::Sequence(items) => {
            for i in items {
                walk(i, hits, path, src, out, depth + 1);
            }
        }
        NodeKind::Alias(_) => {}
    }
}

/// The `${NAME}` of a scalar's source text (escapes and operators left out).
fn scan_scalar(span: Span, path: &SharedPath, src: &str, out: &mut Vec<VariableUse>) {
    let Some(text) = src.get(span.bytes()) else {
        return;
    };
    let b = text.as_bytes();
    let mut pos = span.start;
    let mut last = 0;
    let mut from = 0;
    while let Some(i) = text[from..].find("${").map(|i| from + i) {
        from = i + 2;
        if i > 0 && b[i - 1] == b'$' {
            continue; // `$${VAR}`: an escaped literal
        }
        let rest = &b[i + 2..];
        let len = rest
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
            .count();
        if len == 0 || rest[0].is_ascii_digit() || rest.get(len) != Some(&b'}') {
            continue;
        }
        // Advance the position to `i`.
        pos = crate::source::advance(pos, &b[last..i]);
        last = i;
        let var = &text[i + 2..i + 2 + len];
        let end = Pos {
            col: pos.col + len as u32 + 3,
            byte: pos.byte + len + 3,
            ..pos
        };
        out.push(VariableUse {
            path: path.get(),
            span: Span { start: pos, end },
            var: var.into(),
        });
    }
}

impl FluxSubstitutionUndefined {
    pub fn check(uses: &[&VariableUse], graph: &FluxGraph) -> Vec<Finding> {
        let flux = graph.all;
        if uses.is_empty() || !flux.iter().any(|k| k.post_build.is_some()) {
            return Vec::new();
        }
        // Whether substitutions of a Flux Kustomization may come from outside its file.
        let mut unknown: BTreeMap<usize, bool> = BTreeMap::new();
        // The uses come grouped by file (each file's records in a row): the deployers of
        // the file are looked up when the file changes (a map keyed by path cost a string
        // comparison per level for every use).
        let mut deployers: (Option<&std::sync::Arc<str>>, Vec<usize>) = (None, Vec::new());
        let mut out = Vec::new();
        for u in uses {
            if !deployers
                .0
                .is_some_and(|p| std::sync::Arc::ptr_eq(p, &u.path) || *p == u.path)
            {
                deployers = (Some(&u.path), graph.deployers_of_file(&u.path));
            }
            let ds = &deployers.1;
            let lacking = ds.iter().copied().find(|&d| {
                let k = &flux[d];
                let Some(pb) = &k.post_build else {
                    return false; // no substitution at all
                };
                let open = *unknown.entry(d).or_insert_with(|| {
                    pb.substitute_from
                        || k.transformed
                        || graph
                            .ancestors(d)
                            .iter()
                            .any(|&a| flux[a].patches_substitution)
                });
                !open && !pb.substitute.iter().any(|s| *s == u.var)
            });
            if let Some(d) = lacking {
                let k = &flux[d];
                out.push(
                    Finding::new(
                        &Self::META,
                        &u.path,
                        u.span,
                        format!(
                            "${{{}}} is not in postBuild.substitute of the Flux Kustomization {} ({}) that deploys this file: Flux replaces it with an empty string",
                            u.var, k.name, k.file
                        ),
                        &format!("{}@{}", u.var, k.name),
                    )
                    .help("add the variable to postBuild.substitute, fix its name, or give it a default: ${VAR:=value}"),
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flux::FluxKustomization;
    use crate::project::Project;
    use crate::rules::testing::each_object;
    use crate::rules::testing::refs;

    fn run(ks: &[(&str, &str)], files: &[(&str, &str)]) -> Vec<Finding> {
        let project = Project::build(None, ks);
        let (mut uses, mut flux) = (Vec::new(), Vec::new());
        each_object(files, |path, src, o| {
            VariableUse::collect(&SharedPath::new(path), src, o, &mut uses);
            flux.extend(FluxKustomization::of(
                &SharedPath::new(path),
                project.file(path),
                o,
                &project,
            ));
        });
        FluxSubstitutionUndefined::check(&refs(&uses), &FluxGraph::new(&refs(&flux), &project))
    }

    fn flux(path: &str, extra: &str) -> String {
        format!(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {{name: web, namespace: flux-system}}\nspec:\n  path: {path}\n{extra}  sourceRef: {{kind: GitRepository, name: flux-system}}\n"
        )
    }

    const POST_BUILD: &str = "  postBuild:\n    substitute:\n      DOMAIN: example.com\n";
    const KS: &[(&str, &str)] = &[("apps/web/kustomization.yaml", "resources: [cm.yaml]\n")];

    fn cm(data: &str) -> String {
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n{data}")
    }

    #[test]
    fn undefined_variables() {
        let src = cm(
            "  host: web.${DOMAIN}\n  # ${COMMENTED}\n  url: \"https://${DOMIAN}/x ${ALSO_MISSING}\"\n",
        );
        let f = run(
            KS,
            &[
                ("apps/web/cm.yaml", &src),
                ("clusters/prod/web.yaml", &flux("./apps/web", POST_BUILD)),
            ],
        );
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!((f[0].span.start.line, f[0].span.start.col), (8, 17));
        assert_eq!(f[0].span.start.byte, src.find("${DOMIAN}").unwrap());
        assert!(f[0].message.contains("${DOMIAN}"), "{}", f[0].message);
        assert!(f[0].message.contains("web (clusters/prod/web.yaml)"));
        assert_eq!((f[1].span.start.line, f[1].span.start.col), (8, 29));
        // A plain directory (no kustomization) deployed through a parent path; a block
        // scalar spanning lines.
        let src = cm("  script: |\n    echo ok\n    echo ${NOPE}\n");
        let f = run(
            &[],
            &[
                ("apps/web/cm.yaml", &src),
                ("clusters/prod/web.yaml", &flux("./apps", POST_BUILD)),
            ],
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].span.start.line, f[0].span.start.col), (8, 10));
    }

    #[test]
    fn defined_defaulted_escaped_or_unknown() {
        let src = cm(
            "  a: ${DOMAIN}\n  b: ${X:=1}\n  c: ${Y:-2}\n  d: $${ESCAPED}\n  e: ${lower_case:=x}\n  f: $HOME ${ }\n",
        );
        let deployed = |extra: &str| {
            run(
                KS,
                &[
                    ("apps/web/cm.yaml", &src),
                    ("clusters/prod/web.yaml", &flux("./apps/web", extra)),
                ],
            )
        };
        assert!(
            deployed(POST_BUILD).is_empty(),
            "{:?}",
            deployed(POST_BUILD)
        );
        let missing = cm("  a: ${MISSING}\n");
        let with = |extra: &str, file: &str| {
            run(
                KS,
                &[
                    ("apps/web/cm.yaml", file),
                    ("clusters/prod/web.yaml", &flux("./apps/web", extra)),
                ],
            )
        };
        assert_eq!(with(POST_BUILD, &missing).len(), 1);
        // No postBuild: nothing is substituted.
        assert!(with("", &missing).is_empty());
        // substituteFrom: the variable may come from a ConfigMap or Secret.
        let from = "  postBuild:\n    substitute: {A: b}\n    substituteFrom:\n      - {kind: ConfigMap, name: vars}\n";
        assert!(with(from, &missing).is_empty());
        // Substitution disabled on the object.
        let off = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\ndata:\n  a: ${MISSING}\n";
        assert!(with(POST_BUILD, off).is_empty());
        let off_label = off.replace("annotations:", "labels:");
        assert!(with(POST_BUILD, &off_label).is_empty());
        // Not deployed by any Flux Kustomization.
        assert!(run(KS, &[("apps/web/cm.yaml", &missing)]).is_empty());
    }

    #[test]
    fn parent_patches_may_add_substitutions() {
        // kochhaus-home: the cluster's root Kustomization patches postBuild.substituteFrom
        // into every child Kustomization.
        let parent_patch = "  patches:\n    - patch: |-\n        apiVersion: kustomize.toolkit.fluxcd.io/v1\n        kind: Kustomization\n        metadata: {name: _}\n        spec:\n          postBuild:\n            substituteFrom:\n              - {kind: ConfigMap, name: cluster-settings}\n      target: {kind: Kustomization}\n";
        let missing = cm("  a: ${MISSING}\n");
        let files = |parent_extra: &str| {
            vec![
                ("apps/web/cm.yaml".to_string(), missing.clone()),
                (
                    "clusters/prod/apps/web.yaml".to_string(),
                    flux("./apps/web", POST_BUILD),
                ),
                (
                    "clusters/prod/flux/root.yaml".to_string(),
                    flux("./clusters/prod/apps", parent_extra)
                        .replace("name: web,", "name: cluster-apps,"),
                ),
            ]
        };
        let as_refs = |v: &[(String, String)]| -> Vec<Finding> {
            let r: Vec<(&str, &str)> = v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            run(KS, &r)
        };
        assert!(as_refs(&files(parent_patch)).is_empty());
        assert_eq!(as_refs(&files("")).len(), 1);
        // A kustomization that patches the child Kustomization's file.
        let ks_rw = [
            ("apps/web/kustomization.yaml", "resources: [cm.yaml]\n"),
            (
                "clusters/prod/apps/kustomization.yaml",
                "resources: [web.yaml]\npatches:\n  - path: ks-patch.yaml\n",
            ),
        ];
        let v = files("");
        let r: Vec<(&str, &str)> = v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert!(run(&ks_rw, &r).is_empty());
    }
}
