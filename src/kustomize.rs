//! Kustomization files read as a graph, without running kustomize: which local paths a
//! kustomization references, and in what role (a resource, a patch fragment, a generator
//! input…), with the position of every entry.

use crate::source::FileKind;
use crate::yaml::{Node, Span};

/// What a referenced path is to kustomize.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// `resources`, `bases`, `crds`: a manifest file or a directory with a kustomization.
    Resource,
    /// `components`: a directory holding a `kind: Component` kustomization.
    Component,
    /// `patches[].path`, `patchesStrategicMerge`, `patchesJson6902[].path`: a fragment
    /// merged into resources, not a resource.
    Patch,
    /// Generator inputs (`files`, `envs`, `env`), `helmCharts[].valuesFile`,
    /// `replacements[].path`, transformer/generator/validator configs, `configurations`,
    /// `openapi.path`: files kustomize reads, not resources.
    Input,
    /// `helmGlobals.chartHome`: a directory.
    Directory,
}

/// One path entry of a kustomization.
#[derive(Debug)]
pub struct Reference<'a> {
    /// The field it is listed under (`resources`, `patches`, `configMapGenerator`…).
    pub field: &'static str,
    /// The path as written (for `key=path` generator entries: the path part).
    pub path: &'a str,
    pub span: Span,
    pub role: Role,
}

/// True for a kustomization file (by name), or a document that says it is one.
pub fn is_kustomization(kind: FileKind, root: &Node) -> bool {
    if kind == FileKind::Kustomization {
        // Flux's `Kustomization` CR is another API; it never lives in these file names, but
        // a file so named that holds one is not kustomize's.
        return root
            .get_str("apiVersion")
            .is_none_or(|a| a.starts_with("kustomize.config.k8s.io/"));
    }
    matches!(root.get_str("kind"), Some("Kustomization" | "Component"))
        && root
            .get_str("apiVersion")
            .is_some_and(|a| a.starts_with("kustomize.config.k8s.io/"))
}

/// True for a file name kustomize looks for in a directory.
pub fn is_kustomization_name(name: &str) -> bool {
    matches!(
        name,
        "kustomization.yaml" | "kustomization.yml" | "Kustomization"
    )
}

/// Remote references (URLs, git and OCI addresses) are not local paths.
pub fn is_remote(entry: &str) -> bool {
    if !entry.bytes().any(|b| b == b':' || b == b'?' || b == b'@') {
        // (No scheme, query or user: only a bare host path can be remote.)
        return ["github.com/", "gitlab.com/", "bitbucket.org/"]
            .iter()
            .any(|h| entry.starts_with(h));
    }
    entry.contains("://")
        || entry.starts_with("git@")
        || entry.starts_with("git::")
        || entry.contains("?ref=")
        || entry.contains("?version=")
        || ["github.com/", "gitlab.com/", "bitbucket.org/"]
            .iter()
            .any(|h| entry.starts_with(h))
}

/// An entry whose value is not known before rendering (Flux/Helm placeholders).
fn is_templated(entry: &str) -> bool {
    crate::placeholder::contains_placeholder(entry)
}

/// Every local path entry of a kustomization document, in source order. Remote, inline
/// (multi-line patches) and templated entries are left out.
pub fn references(root: &Node) -> Vec<Reference<'_>> {
    let mut out = Vec::new();
    for e in root.entries() {
        let Some(key) = e.key.as_str() else { continue };
        let v = &e.value;
        match key {
            "resources" => list(&mut out, "resources", v, Role::Resource),
            "bases" => list(&mut out, "bases", v, Role::Resource),
            "crds" => list(&mut out, "crds", v, Role::Resource),
            "components" => list(&mut out, "components", v, Role::Component),
            "patchesStrategicMerge" => list(&mut out, "patchesStrategicMerge", v, Role::Patch),
            "patches" => field_of_items(&mut out, "patches", v, "path", Role::Patch),
            "patchesJson6902" => {
                field_of_items(&mut out, "patchesJson6902", v, "path", Role::Patch)
            }
            "replacements" => field_of_items(&mut out, "replacements", v, "path", Role::Input),
            "transformers" => list(&mut out, "transformers", v, Role::Input),
            "generators" => list(&mut out, "generators", v, Role::Input),
            "validators" => list(&mut out, "validators", v, Role::Input),
            "configurations" => list(&mut out, "configurations", v, Role::Input),
            "openapi" => {
                if let Some(p) = v.get("path") {
                    one(&mut out, "openapi", p, Role::Input);
                }
            }
            "helmGlobals" => {
                if let Some(p) = v.get("chartHome") {
                    one(&mut out, "helmGlobals", p, Role::Directory);
                }
            }
            "helmCharts" => {
                for chart in v.items() {
                    if let Some(p) = chart.get("valuesFile") {
                        one(&mut out, "helmCharts", p, Role::Input);
                    }
                    if let Some(ps) = chart.get("additionalValuesFiles") {
                        list(&mut out, "helmCharts", ps, Role::Input);
                    }
                }
            }
            "configMapGenerator" | "secretGenerator" => {
                let field = if key == "secretGenerator" {
                    "secretGenerator"
                } else {
                    "configMapGenerator"
                };
                for generator in v.items() {
                    if let Some(files) = generator.get("files") {
                        for f in files.items() {
                            generator_file(&mut out, field, f);
                        }
                    }
                    if let Some(envs) = generator.get("envs") {
                        list(&mut out, field, envs, Role::Input);
                    }
                    if let Some(env) = generator.get("env") {
                        one(&mut out, field, env, Role::Input);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn list<'a>(out: &mut Vec<Reference<'a>>, field: &'static str, v: &'a Node, role: Role) {
    for item in v.items() {
        one(out, field, item, role);
    }
}

fn field_of_items<'a>(
    out: &mut Vec<Reference<'a>>,
    field: &'static str,
    v: &'a Node,
    key: &str,
    role: Role,
) {
    for item in v.items() {
        if let Some(p) = item.get(key) {
            one(out, field, p, role);
        }
    }
}

fn one<'a>(out: &mut Vec<Reference<'a>>, field: &'static str, n: &'a Node, role: Role) {
    let Some(s) = n.as_str() else { return };
    let s_trim = s.trim();
    if s_trim.is_empty() || s.contains('\n') || is_remote(s_trim) || is_templated(s_trim) {
        return;
    }
    // A strategic-merge patch may be inline YAML on one line (`{kind: …}`).
    if role == Role::Patch && (s_trim.starts_with('{') || s_trim.contains(": ")) {
        return;
    }
    out.push(Reference {
        field,
        path: s_trim,
        span: n.span,
        role,
    });
}

/// `files:` entries: `path` or `key=path`.
fn generator_file<'a>(out: &mut Vec<Reference<'a>>, field: &'static str, n: &'a Node) {
    let Some(s) = n.as_str() else { return };
    let path = s.split_once('=').map_or(s, |(_, p)| p).trim();
    if path.is_empty() || is_remote(path) || is_templated(path) {
        return;
    }
    // Point at the path part of `key=path`.
    let mut span = n.span;
    if let Some(off) = s.find(path) {
        let raw = n.span;
        let plain = n.as_scalar().is_some_and(|sc| {
            matches!(sc.style, crate::yaml::ScalarStyle::Plain)
                && raw.end.byte - raw.start.byte == s.len()
        });
        if plain {
            span.start.byte += off;
            span.start.col += s[..off].chars().count() as u32;
        }
    }
    out.push(Reference {
        field,
        path,
        span,
        role: Role::Input,
    });
}

/// `dir` + `entry`, lexically normalised, `/`-separated; `..` that leaves the scan root is
/// kept (`../base` from the root stays `../base`).
pub fn resolve(dir: &str, entry: &str) -> String {
    // Most entries are plain relative names (`deployment.yaml`, `apps/web`): joined as they
    // are, without splitting.
    let plain = !entry.is_empty()
        && !entry.starts_with('/')
        && !entry.ends_with('/')
        && !entry.contains("//")
        && entry.split('/').all(|c| c != "." && c != "..");
    if plain {
        return if dir.is_empty() {
            entry.to_string()
        } else {
            format!("{dir}/{entry}")
        };
    }
    resolve_components(dir, entry)
}

/// [`resolve`] the long way: component by component.
fn resolve_components(dir: &str, entry: &str) -> String {
    let mut parts: Vec<&str> = if dir.is_empty() {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    let mut ups = 0usize;
    for c in entry.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    ups += 1;
                }
            }
            c => parts.push(c),
        }
    }
    let mut s = "../".repeat(ups);
    s.push_str(&parts.join("/"));
    if s.ends_with('/') {
        s.pop();
    }
    s
}

/// The directory part of a `/`-separated relative path (`""` for the root).
pub fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_yaml;

    #[test]
    fn references_and_roles() {
        let src = "\
resources:
  - deploy.yaml
  - ../base
  - https://github.com/org/repo//deploy?ref=v1.2.3
  - github.com/org/repo/deploy
patches:
  - path: patch.yaml
  - patch: |-
      - op: remove
        path: /spec/replicas
patchesStrategicMerge:
  - smp.yaml
  - |-
    apiVersion: v1
    kind: ConfigMap
configMapGenerator:
  - name: cfg
    files:
      - app.properties
      - key=conf/other.txt
    envs: [settings.env]
helmCharts:
  - name: x
    valuesFile: values.yaml
components: [../components/tls]
";
        let p = parse_yaml(src);
        let refs = references(&p.documents[0].root);
        let got: Vec<(&str, &str, Role)> = refs.iter().map(|r| (r.field, r.path, r.role)).collect();
        assert_eq!(
            got,
            vec![
                ("resources", "deploy.yaml", Role::Resource),
                ("resources", "../base", Role::Resource),
                ("patches", "patch.yaml", Role::Patch),
                ("patchesStrategicMerge", "smp.yaml", Role::Patch),
                ("configMapGenerator", "app.properties", Role::Input),
                ("configMapGenerator", "conf/other.txt", Role::Input),
                ("configMapGenerator", "settings.env", Role::Input),
                ("helmCharts", "values.yaml", Role::Input),
                ("components", "../components/tls", Role::Component),
            ]
        );
        let other = refs.iter().find(|r| r.path == "conf/other.txt").unwrap();
        assert_eq!(other.span.start.line, 20);
        assert_eq!(other.span.start.col, 13);
    }

    #[test]
    fn resolution() {
        assert_eq!(resolve("apps/prod", "../base"), "apps/base");
        assert_eq!(resolve("apps", "./x.yaml"), "apps/x.yaml");
        assert_eq!(resolve("", "../shared/x"), "../shared/x");
        assert_eq!(resolve("a", "b/"), "a/b");
        // The fast path for plain entries agrees with the component-wise one.
        for (dir, entry) in [
            ("", "x.yaml"),
            ("a/b", "c/d.yaml"),
            ("a", "b"),
            ("", "a/b/c"),
        ] {
            assert_eq!(resolve(dir, entry), resolve_components(dir, entry));
        }
        assert_eq!(dir_of("a/b/c.yaml"), "a/b");
        assert_eq!(dir_of("c.yaml"), "");
        assert!(is_remote("git::https://x/y"));
        assert!(is_remote("github.com/org/repo/path?ref=v1"));
        assert!(!is_remote("../base"));
    }
}
