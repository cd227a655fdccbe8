//! Kubernetes views over the YAML tree: objects, `kind: List` items, SOPS envelopes.

use crate::yaml::Node;

/// A Kubernetes object found in a document (the root, or an item of a `*List`).
pub struct KubeObject<'a> {
    pub api_version: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub name: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub node: &'a Node,
    /// `metadata` and `spec`, looked up once for every rule.
    pub metadata: Option<&'a Node>,
    pub spec: Option<&'a Node>,
}

impl<'a> KubeObject<'a> {
    fn of(node: &'a Node) -> KubeObject<'a> {
        let meta = node.get("metadata");
        KubeObject {
            api_version: node.get_str("apiVersion"),
            kind: node.get_str("kind"),
            name: meta.and_then(|m| m.get_str("name")),
            namespace: meta.and_then(|m| m.get_str("namespace")),
            node,
            metadata: meta,
            spec: node.get("spec"),
        }
    }

    /// `namespace/name`, with `-` for a missing part.
    pub fn display_name(&self) -> String {
        format!(
            "{}/{}",
            self.namespace.unwrap_or("-"),
            self.name.unwrap_or("-")
        )
    }
}

/// The objects of a document: the root mapping, or the items of a `kind: List`
/// (`v1` `List` or any `*List`, as `kubectl get -o yaml` writes them), recursively.
pub fn objects(root: &Node) -> Vec<KubeObject<'_>> {
    let mut out = Vec::new();
    collect(root, &mut out, 0);
    out
}

fn collect<'a>(node: &'a Node, out: &mut Vec<KubeObject<'a>>, depth: usize) {
    if !node.is_mapping() {
        return;
    }
    let obj = KubeObject::of(node);
    let is_list = obj.kind.is_some_and(|k| k.ends_with("List"));
    match node.get("items") {
        Some(items) if is_list && depth < 8 => {
            for item in items.items() {
                collect(item, out, depth + 1);
            }
        }
        _ => out.push(obj),
    }
}

/// Every container of a document: the items of `containers`, `initContainers` and
/// `ephemeralContainers` lists at any depth (pods, workload and job templates, CronJobs).
pub fn containers(root: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    collect_containers(root, &mut out);
    out
}

/// False when a document's text cannot hold a `containers`, `initContainers` or
/// `ephemeralContainers` key: it has neither `ontainers` nor a backslash (an escape in a
/// double-quoted key). Most documents (CRDs, ConfigMaps, Helm values) then need no walk of
/// their whole tree.
pub fn may_name_containers(text: &[u8]) -> bool {
    memchr::memchr(b'\\', text).is_some() || memchr::memmem::find(text, b"ontainers").is_some()
}

fn collect_containers<'a>(n: &'a Node, out: &mut Vec<&'a Node>) {
    match &n.kind {
        crate::yaml::NodeKind::Mapping(entries) => {
            for e in entries {
                if matches!(
                    e.key.as_str(),
                    Some("containers" | "initContainers" | "ephemeralContainers")
                ) {
                    out.extend(e.value.items().iter().filter(|c| c.is_mapping()));
                } else {
                    collect_containers(&e.value, out);
                }
            }
        }
        crate::yaml::NodeKind::Sequence(items) => {
            items.iter().for_each(|i| collect_containers(i, out))
        }
        _ => {}
    }
}

/// True when the document carries a SOPS metadata block (`sops:` with `mac` or recipients).
pub fn is_sops_document(root: &Node) -> bool {
    root.get("sops").is_some_and(|s| {
        s.is_mapping()
            && [
                "mac",
                "lastmodified",
                "age",
                "pgp",
                "kms",
                "gcp_kms",
                "azure_kv",
                "hc_vault",
            ]
            .iter()
            .any(|k| s.get(k).is_some())
    })
}

/// True for a SOPS-encrypted value, `ENC[AES256_GCM,data:…]`.
pub fn is_sops_encrypted_value(v: &str) -> bool {
    v.starts_with("ENC[") && v.ends_with(']')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_yaml;

    #[test]
    fn list_items_are_objects() {
        let p = parse_yaml(
            "apiVersion: v1\nkind: List\nitems:\n- kind: Secret\n  metadata: {name: a, namespace: n}\n- kind: ConfigMap\n",
        );
        let objs = objects(&p.documents[0].root);
        assert_eq!(objs.len(), 2);
        assert_eq!(objs[0].display_name(), "n/a");
        assert_eq!(objs[1].kind, Some("ConfigMap"));
    }

    #[test]
    fn sops_detection() {
        let p = parse_yaml("data: {a: 'ENC[AES256_GCM,data:x]'}\nsops:\n  mac: ENC[x]\n");
        assert!(is_sops_document(&p.documents[0].root));
        let p = parse_yaml("sops: enabled\n");
        assert!(!is_sops_document(&p.documents[0].root));
    }

    #[test]
    fn containers_prefilter_keeps_escaped_keys() {
        assert!(may_name_containers(b"spec:\n  initContainers: []\n"));
        assert!(!may_name_containers(b"kind: ConfigMap\ndata: {a: b}\n"));
        // A double-quoted key spelled with an escape is still `containers`.
        let src = "spec:\n  \"\\u0063ontainers\": [{name: x, image: a}]\n";
        assert!(may_name_containers(src.as_bytes()));
        let p = parse_yaml(src);
        assert_eq!(containers(&p.documents[0].root).len(), 1);
    }
}
