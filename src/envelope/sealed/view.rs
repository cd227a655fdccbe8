//! Finding SealedSecret objects in a YAML tree and reading their fields, borrowed.

use crate::yaml::{Entry, Node, Span};

/// `sealedsecrets.bitnami.com/cluster-wide: "true"`: label is empty (wins over namespace-wide).
pub const CLUSTER_WIDE: &str = "sealedsecrets.bitnami.com/cluster-wide";
/// `sealedsecrets.bitnami.com/namespace-wide: "true"`: label is the namespace.
pub const NAMESPACE_WIDE: &str = "sealedsecrets.bitnami.com/namespace-wide";

/// How deep `kind: List` objects may nest before we stop looking (kubectl never nests them).
const MAX_LIST_DEPTH: usize = 4;

/// The encryption scope, i.e. what the RSA-OAEP label binds (`EncryptionLabel` in Go).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Label `"<namespace>/<name>"`.
    Strict,
    /// Label `"<namespace>"`.
    NamespaceWide,
    /// Empty label.
    ClusterWide,
}

impl Scope {
    /// The scope the controller derives from these annotations (`SecretScope`): only the
    /// exact string `"true"` counts, and cluster-wide wins.
    pub fn from_annotations(annotations: Option<&Node>) -> Scope {
        let on = |k: &str| annotations.and_then(|a| a.get_str(k)) == Some("true");
        if on(CLUSTER_WIDE) {
            Scope::ClusterWide
        } else if on(NAMESPACE_WIDE) {
            Scope::NamespaceWide
        } else {
            Scope::Strict
        }
    }

    /// The OAEP label (`labelFor`): not secret, made of the namespace and name.
    pub fn label(self, namespace: &str, name: &str) -> Vec<u8> {
        match self {
            Scope::Strict => format!("{namespace}/{name}").into_bytes(),
            Scope::NamespaceWide => namespace.as_bytes().to_vec(),
            Scope::ClusterWide => Vec::new(),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Strict => "strict",
            Scope::NamespaceWide => "namespace-wide",
            Scope::ClusterWide => "cluster-wide",
        }
    }
}

/// One SealedSecret object, borrowed from its YAML mapping node.
#[derive(Clone, Copy, Debug)]
pub struct SealedSecretView<'a> {
    pub object: &'a Node,
    /// Where object-level findings point: the `kind` value.
    pub anchor: Span,
    pub metadata: Option<&'a Node>,
    pub spec: Option<&'a Node>,
    /// `spec.template.metadata`.
    pub template_metadata: Option<&'a Node>,
}

/// One value to unseal: an `encryptedData` entry, or the deprecated `spec.data`.
#[derive(Clone, Copy, Debug)]
pub struct SealedValue<'a> {
    /// The Secret key (`encryptedData` key), or `spec.data` for the legacy blob.
    pub name: &'a str,
    pub key_span: Span,
    /// The value node (a scalar for anything usable).
    pub node: &'a Node,
    /// True for the deprecated `spec.data` (whole v1 Secret as JSON inside).
    pub legacy: bool,
}

impl<'a> SealedValue<'a> {
    /// The value text, when the node is a non-null scalar.
    pub fn text(&self) -> Option<&'a str> {
        if self.node.is_null() {
            None
        } else {
            self.node.as_str()
        }
    }
}

fn non_empty(n: Option<&Node>) -> Option<&str> {
    n.and_then(Node::as_str).filter(|s| !s.is_empty())
}

impl<'a> SealedSecretView<'a> {
    /// Reads `node` as a SealedSecret: a mapping with `apiVersion: bitnami.com/<v>` and
    /// `kind: SealedSecret`.
    pub fn from_node(node: &'a Node) -> Option<SealedSecretView<'a>> {
        let api = node.get_str("apiVersion")?;
        let kind = node.get("kind")?;
        if kind.as_str() != Some("SealedSecret") || !api.starts_with("bitnami.com/") {
            return None;
        }
        let metadata = node.get("metadata").filter(|m| m.is_mapping());
        let spec = node.get("spec");
        let template_metadata = spec
            .and_then(|s| s.get("template"))
            .and_then(|t| t.get("metadata"))
            .filter(|m| m.is_mapping());
        Some(SealedSecretView {
            object: node,
            anchor: kind.span,
            metadata,
            spec,
            template_metadata,
        })
    }

    /// `metadata.name`, if a non-empty string.
    pub fn name(&self) -> Option<&'a str> {
        non_empty(self.metadata.and_then(|m| m.get("name")))
    }

    /// `metadata.namespace`, if a non-empty string.
    pub fn namespace(&self) -> Option<&'a str> {
        non_empty(self.metadata.and_then(|m| m.get("namespace")))
    }

    pub fn annotations(&self) -> Option<&'a Node> {
        self.metadata.and_then(|m| m.get("annotations"))
    }

    pub fn template_annotations(&self) -> Option<&'a Node> {
        self.template_metadata.and_then(|m| m.get("annotations"))
    }

    /// The scope the controller unseals with: from the SealedSecret's own annotations.
    pub fn scope(&self) -> Scope {
        Scope::from_annotations(self.annotations())
    }

    /// The scope kubeseal's tooling (`SealedSecret.Scope()`) reads: from the template.
    pub fn template_scope(&self) -> Option<Scope> {
        self.template_metadata
            .map(|_| Scope::from_annotations(self.template_annotations()))
    }

    /// The OAEP label the controller would use. A missing namespace is taken from
    /// `default_namespace` (what kustomize/Flux/Argo apply it to), else empty, as Go does.
    pub fn label(&self, default_namespace: Option<&str>) -> Vec<u8> {
        let ns = self.namespace().or(default_namespace).unwrap_or("");
        self.scope().label(ns, self.name().unwrap_or(""))
    }

    pub fn encrypted_data(&self) -> Option<&'a Entry> {
        self.spec.and_then(|s| s.entry("encryptedData"))
    }

    /// The deprecated `spec.data`, unless null.
    pub fn legacy_data(&self) -> Option<&'a Entry> {
        self.spec
            .and_then(|s| s.entry("data"))
            .filter(|e| !e.value.is_null())
    }

    /// Every value to unseal, in file order: `encryptedData` entries with a string key,
    /// then `spec.data`.
    pub fn values(&self) -> Vec<SealedValue<'a>> {
        let mut out = Vec::new();
        if let Some(ed) = self.encrypted_data() {
            for e in ed.value.entries() {
                if let Some(name) = e.key.as_str() {
                    out.push(SealedValue {
                        name,
                        key_span: e.key.span,
                        node: &e.value,
                        legacy: false,
                    });
                }
            }
        }
        if let Some(d) = self.legacy_data() {
            out.push(SealedValue {
                name: "spec.data",
                key_span: d.key.span,
                node: &d.value,
                legacy: true,
            });
        }
        out
    }
}

/// Every SealedSecret in a document root: the root itself, or the items of a `kind: List`
/// (or `*List`) object, nested up to a small depth.
pub fn find(root: &Node) -> Vec<SealedSecretView<'_>> {
    let mut out = Vec::new();
    let mut stack: Vec<(&Node, usize)> = vec![(root, 0)];
    // Depth-first in file order: push children reversed.
    while let Some((node, depth)) = stack.pop() {
        if let Some(v) = SealedSecretView::from_node(node) {
            out.push(v);
            continue;
        }
        let is_list = node
            .get_str("kind")
            .is_some_and(|k| k == "List" || k.ends_with("List"));
        if is_list
            && depth < MAX_LIST_DEPTH
            && let Some(items) = node.get("items")
        {
            for item in items.items().iter().rev() {
                stack.push((item, depth + 1));
            }
        }
    }
    out
}
