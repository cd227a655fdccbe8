use crate::finding::Finding;
use crate::revision::has_placeholder;
use crate::rules::live_controller_annotations::metadata_blocks;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Flags names, label keys, label values and annotation keys that the API server
    /// rejects:
    ///
    /// - `metadata.name` must be a DNS-1123 subdomain (≤ 253 characters, lower-case
    ///   alphanumerics, `-` and `.`, starting and ending alphanumeric); a `Namespace` name a
    ///   DNS-1123 label (≤ 63, no `.`); a `Service` name a DNS-1035 label (also starting with
    ///   a letter). RBAC objects (`Role`, `ClusterRole`, their bindings) accept any path
    ///   segment (`system:controller:x` is valid) and are only checked for `/` and `%`.
    /// - label and annotation keys: an optional DNS-subdomain prefix (≤ 253) and `/`, then a
    ///   name of ≤ 63 characters of `[A-Za-z0-9._-]` starting and ending alphanumeric;
    /// - label values: empty, or ≤ 63 characters of the same set, alphanumeric at both ends.
    ///
    /// Object and pod-template metadata are checked. Anything with a placeholder (`${VAR}`,
    /// `$(VAR)`, `{{ … }}`) is unknown and skipped, and so is a name that is a replacement
    /// target (no letter or digit at all, like `name: _`, or `PLACEHOLDER`/`REPLACE_ME`):
    /// kustomize `replacements` write the real name. Kustomize's own files are not objects.
    ///
    /// ## Why is this bad?
    /// `kubectl apply` and the GitOps controller fail on the whole object (and Argo CD or
    /// Flux on the whole sync): `metadata.name: Invalid value: "Web_API": a lowercase RFC 1123
    /// subdomain must consist of …`. Nothing reports this before the merge.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   name: Web_API
    ///   labels:
    ///     app.kubernetes.io/version: v1.2.3+build/7
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// metadata:
    ///   name: web-api
    ///   labels:
    ///     app.kubernetes.io/version: v1.2.3-build.7
    /// ```
    pub struct InvalidLabelOrName {
        id: "invalid-label-or-name",
        severity: Error,
        summary: "metadata.name, label key/value or annotation key that the API server rejects",
    }
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
fn is_dns_label_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && is_alnum(b[0])
        && is_alnum(b[b.len() - 1])
        && b.iter().all(|&c| is_alnum(c) || c == b'-')
}

fn dns1123_label(s: &str) -> Option<&'static str> {
    if s.len() > 63 {
        Some("is longer than 63 characters (DNS-1123 label)")
    } else if !is_dns_label_part(s) {
        Some(
            "is not a DNS-1123 label (lower-case letters, digits and '-', alphanumeric at both ends)",
        )
    } else {
        None
    }
}

fn dns1035_label(s: &str) -> Option<&'static str> {
    if s.len() > 63 {
        Some("is longer than 63 characters (DNS-1035 label)")
    } else if !is_dns_label_part(s) || !s.as_bytes()[0].is_ascii_lowercase() {
        Some(
            "is not a DNS-1035 label (lower-case letters, digits and '-', starting with a letter, ending alphanumeric)",
        )
    } else {
        None
    }
}

fn dns1123_subdomain(s: &str) -> Option<&'static str> {
    if s.len() > 253 {
        Some("is longer than 253 characters (DNS-1123 subdomain)")
    } else if !s.split('.').all(is_dns_label_part) {
        Some(
            "is not a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', alphanumeric at both ends)",
        )
    } else {
        None
    }
}

fn path_segment(s: &str) -> Option<&'static str> {
    if s == "." || s == ".." || s.contains(['/', '%']) {
        Some("may not be '.', '..' or contain '/' or '%'")
    } else {
        None
    }
}

/// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`, at most 63 characters.
fn is_label_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

fn qualified_name(key: &str) -> Option<&'static str> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        if p.is_empty() || name.contains('/') {
            return Some("has more than one '/' or an empty prefix");
        }
        if dns1123_subdomain(p).is_some() {
            return Some("has a prefix that is not a DNS-1123 subdomain (≤ 253, lower-case)");
        }
    }
    if name.len() > 63 {
        Some("has a name part longer than 63 characters")
    } else if !is_label_name(name) {
        Some("has a name part that is not [A-Za-z0-9._-] with alphanumeric ends")
    } else {
        None
    }
}

fn label_value(v: &str) -> Option<&'static str> {
    if v.is_empty() {
        None
    } else if v.len() > 63 {
        Some("is longer than 63 characters")
    } else if !is_label_name(v) {
        Some("is not [A-Za-z0-9._-] with alphanumeric ends")
    } else {
        None
    }
}

/// Apply-time objects only: kustomize's own kinds and local transformer configs are not
/// sent to the API server.
fn is_server_object(api_version: &str) -> bool {
    !(api_version.starts_with("kustomize.config.k8s.io/")
        || api_version == "builtin"
        || api_version.starts_with("config.kubernetes.io/"))
}

/// A name written to be replaced by kustomize `replacements` or a patch: one without any
/// letter or digit (`_`, `-`), or a conventional placeholder word.
fn is_replacement_target(name: &str) -> bool {
    !name.bytes().any(|b| b.is_ascii_alphanumeric())
        || [
            "placeholder",
            "replace_me",
            "replaceme",
            "changeme",
            "change_me",
            "to_be_replaced",
        ]
        .iter()
        .any(|w| name.eq_ignore_ascii_case(w))
}

fn shown(v: &str) -> String {
    if v.chars().count() > 80 {
        format!("{}…", v.chars().take(80).collect::<String>())
    } else {
        v.to_string()
    }
}

impl DocumentRule for InvalidLabelOrName {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        for obj in cx.objects() {
            let (Some(kind), Some(api)) = (obj.kind, obj.api_version) else {
                continue;
            };
            if !is_server_object(api) {
                continue;
            }
            let mut push = |node: &Node, what: String, problem: &str, field: &str| {
                let id = format!("{kind}/{}", obj.display_name());
                out.push(
                    Finding::new(
                        &Self::META,
                        cx.path,
                        node.span,
                        format!("{kind} {}: {what} {problem}", obj.display_name()),
                        &format!("{id}/{field}"),
                    )
                    .help("the API server rejects the object: use lower-case DNS names and Kubernetes label syntax"),
                );
            };
            if let Some(n) = obj.metadata.and_then(|m| m.get("name"))
                && let Some(name) = n
                    .as_str()
                    .filter(|v| !has_placeholder(v) && !is_replacement_target(v))
            {
                let problem = match kind {
                    "Namespace" => dns1123_label(name),
                    "Service" => dns1035_label(name),
                    "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" => {
                        path_segment(name)
                    }
                    _ => dns1123_subdomain(name),
                };
                if let Some(p) = problem {
                    push(n, format!("name `{}`", shown(name)), p, "metadata.name");
                }
            }
            for (path, meta) in metadata_blocks(obj) {
                for (field, what) in [("labels", "label"), ("annotations", "annotation")] {
                    for e in meta.get(field).map(Node::entries).unwrap_or(&[]) {
                        let Some(key) = e.key.as_str().filter(|k| !has_placeholder(k)) else {
                            continue;
                        };
                        if let Some(p) = qualified_name(key) {
                            push(
                                &e.key,
                                format!("{what} key `{}`", shown(key)),
                                p,
                                &format!("{path}.{field}/{key}"),
                            );
                            continue;
                        }
                        if field != "labels" {
                            continue;
                        }
                        if let Some(v) = e.value.as_str().filter(|v| !has_placeholder(v))
                            && let Some(p) = label_value(v)
                        {
                            push(
                                &e.value,
                                format!("label {key} value `{}`", shown(v)),
                                p,
                                &format!("{path}.{field}/{key}=value"),
                            );
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    fn positions(src: &str) -> Vec<(u32, u32)> {
        check(&InvalidLabelOrName, "a.yaml", src)
            .iter()
            .map(|f| (f.span.start.line, f.span.start.col))
            .collect()
    }

    #[test]
    fn validators() {
        assert!(dns1123_subdomain("web-api.v1").is_none());
        for bad in ["Web", "web_api", "-web", "web-", "a..b", ""] {
            assert!(dns1123_subdomain(bad).is_some(), "{bad}");
        }
        assert!(dns1123_subdomain(&"a".repeat(254)).is_some());
        assert!(dns1123_label("a.b").is_some());
        assert!(dns1035_label("1web").is_some());
        assert!(dns1035_label("web-1").is_none());
        for ok in [
            "app",
            "app.kubernetes.io/name",
            "example.com/My_Key.v1",
            "a",
        ] {
            assert!(qualified_name(ok).is_none(), "{ok}");
        }
        for bad in ["a/b/c", "/x", "Example.com/x", "x/", "-x", &"k".repeat(64)] {
            assert!(qualified_name(bad).is_some(), "{bad}");
        }
        for ok in ["", "v1.2.3", "A_b-c.9", "true"] {
            assert!(label_value(ok).is_none(), "{ok}");
        }
        for bad in ["v1.2.3+build", "a b", "-a", "a/b", &"v".repeat(64)] {
            assert!(label_value(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn names_labels_annotations() {
        let src = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: Web_API\n  labels:\n    app: web\n    version: v1.2+build\n  annotations:\n    Bad Key: x\n    example.com/ok: any value at all / is fine\nspec:\n  template:\n    metadata:\n      labels: {team/x/y: a}\n";
        assert_eq!(positions(src), [(4, 9), (7, 14), (9, 5), (14, 16)]);
        assert_eq!(
            positions("apiVersion: v1\nkind: Service\nmetadata: {name: 2fast}\n"),
            [(3, 18)]
        );
        assert_eq!(
            positions("apiVersion: v1\nkind: Namespace\nmetadata: {name: team.a}\n"),
            [(3, 18)]
        );
    }

    #[test]
    fn valid_or_unknown_is_fine() {
        for src in [
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: 'system:controller:x'}\n",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${APP}-web\n  labels: {app: '{{ .name }}', '${KEY}': x, version: ''}\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web.config-1}\n",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nmetadata: {name: Whatever_Name}\n",
            "apiVersion: builtin\nkind: PrefixSuffixTransformer\nmetadata: {name: My_Transformer}\n",
            // A Helm values file: not an object.
            "metadata:\n  name: Not_An_Object\n",
            "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n",
            // Replacement targets (kustomize `replacements` set the namespace name).
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: _}\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: REPLACE_ME}\n",
        ] {
            assert!(positions(src).is_empty(), "{src}");
        }
    }
}
