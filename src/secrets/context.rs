//! What the Kubernetes structure says about a manifest's bytes: where ciphertext and
//! public material live (never secrets), which scalars are base64 to decode, and which
//! scalars embed whole documents (INI, dotenv, JSON) to scan line by line.

use std::ops::Range;

use crate::manifest::{is_sops_document, objects};
use crate::yaml::{Document, Node, NodeKind, ScalarStyle};

#[derive(Default)]
pub struct ManifestContext {
    /// Byte ranges that never hold a plaintext secret (sorted, may overlap).
    pub excluded: Vec<Range<usize>>,
    /// Base64 scalars to decode and scan: (label, scalar node).
    pub base64: Vec<(String, Range<usize>, String)>,
    /// Scalars that embed documents (block scalars, multi-line or `k=v` strings).
    pub embedded: Vec<Range<usize>>,
}

impl ManifestContext {
    pub fn is_excluded(&self, r: &Range<usize>) -> bool {
        self.excluded
            .iter()
            .any(|e| e.start <= r.start && r.end <= e.end)
    }

    pub fn is_embedded(&self, at: usize) -> bool {
        self.embedded.iter().any(|e| e.start <= at && at < e.end)
    }
}

/// Minimum length of a scalar worth base64-decoding outside Secret data.
const BASE64_MIN: usize = 24;
/// Largest base64 scalar decoded (bytes of source).
const BASE64_MAX: usize = 1 << 20;

pub fn build(docs: &[Document]) -> ManifestContext {
    let mut cx = ManifestContext::default();
    for doc in docs {
        let root = &doc.root;
        if is_sops_document(root)
            && let Some(s) = root.get("sops")
        {
            cx.excluded.push(s.span.bytes());
        }
        let mut secret_data: Vec<Range<usize>> = Vec::new();
        let mut is_crd = false;
        for obj in objects(root) {
            is_crd |= obj.kind == Some("CustomResourceDefinition");
            match (obj.api_version, obj.kind) {
                (Some(av), Some("SealedSecret")) if av.starts_with("bitnami.com/") => {
                    if let Some(spec) = obj.spec {
                        for field in ["encryptedData", "data"] {
                            if let Some(m) = spec.get(field) {
                                cx.excluded.push(m.span.bytes());
                            }
                        }
                    }
                }
                (Some("v1"), Some("Secret")) => {
                    if let Some(m) = obj.node.get("data") {
                        for e in m.entries() {
                            if let (Some(k), Some(v)) = (e.key.as_str(), e.value.as_str()) {
                                cx.base64.push((
                                    format!("data.{k}"),
                                    e.value.span.bytes(),
                                    v.to_string(),
                                ));
                                secret_data.push(e.value.span.bytes());
                            }
                        }
                    }
                }
                _ => {}
            }
            if let Some(ann) = obj.metadata.and_then(|m| m.get("annotations")) {
                for e in ann.entries() {
                    if e.key.as_str().is_some_and(|k| k.starts_with("checksum/")) {
                        cx.excluded.push(e.value.span.bytes());
                    }
                }
            }
        }
        if !is_crd {
            // A CRD is schema and prose: nothing embedded in it is configuration.
            walk(root, None, &mut cx, &secret_data);
        }
    }
    cx.excluded.sort_by_key(|r| (r.start, r.end));
    cx
}

fn walk(node: &Node, key: Option<&str>, cx: &mut ManifestContext, skip_b64: &[Range<usize>]) {
    match &node.kind {
        NodeKind::Mapping(entries) => {
            for e in entries {
                let k = e.key.as_str();
                if k == Some("caBundle") {
                    cx.excluded.push(e.value.span.bytes());
                    continue;
                }
                // Ciphertext and the sops block: nothing to decode or embed in there.
                let r = e.value.span.bytes();
                if cx
                    .excluded
                    .iter()
                    .any(|x| x.start <= r.start && r.end <= x.end)
                {
                    continue;
                }
                walk(&e.value, k, cx, skip_b64);
            }
        }
        NodeKind::Sequence(items) => {
            for i in items {
                walk(i, key, cx, skip_b64);
            }
        }
        NodeKind::Scalar(s) => {
            let r = node.span.bytes();
            let v = &*s.value;
            if v.starts_with("ENC[") {
                cx.excluded.push(r.clone());
                return;
            }
            if matches!(s.style, ScalarStyle::Literal | ScalarStyle::Folded)
                || v.contains('\n')
                || (v.contains('=') && v.len() > 8)
            {
                cx.embedded.push(r.clone());
            }
            if v.len() >= BASE64_MIN
                && v.len() <= BASE64_MAX
                && !skip_b64.contains(&r)
                && is_base64(v)
            {
                cx.base64
                    .push((key.unwrap_or("value").to_string(), r, v.to_string()));
            }
        }
        NodeKind::Alias(_) => {}
    }
}

/// Standard or URL-safe base64, padded or not, whitespace allowed between lines. Pure hex
/// (digests, checksums, git SHAs) is not: it never decodes to text.
pub fn is_base64(v: &str) -> bool {
    if v.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    let body = v.trim_end_matches('=');
    v.len() - body.len() <= 2
        && !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_' | b'\n' | b' ')
        })
}

/// Decodes base64 whose result is mostly printable text (what a credential scan can use).
pub fn decode_text(v: &str) -> Option<String> {
    use base64::Engine as _;
    let compact: String = v.chars().filter(|c| !c.is_whitespace()).collect();
    let engines = [
        &base64::engine::general_purpose::STANDARD,
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    let bytes = engines.iter().find_map(|e| e.decode(&compact).ok())?;
    let text = String::from_utf8(bytes).ok()?;
    let printable = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .count();
    (printable * 10 >= text.chars().count() * 9 && !text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_yaml;

    #[test]
    fn sealed_secrets_sops_and_checksums_are_excluded() {
        let src = "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  annotations:\n    checksum/config: abc123\nspec:\n  encryptedData:\n    DB_PASSWORD: AgBy3i4OJSWK+PiTySYZZA==\n---\napiVersion: v1\nkind: Secret\ndata:\n  token: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\nsops:\n  mac: ENC[x]\n";
        let p = parse_yaml(src);
        let cx = build(&p.documents);
        let at = |s: &str| {
            let i = src.find(s).unwrap();
            i..i + s.len()
        };
        assert!(cx.is_excluded(&at("AgBy3i4OJSWK+PiTySYZZA==")));
        assert!(cx.is_excluded(&at("abc123")));
        assert!(cx.is_excluded(&at("ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]")));
        assert!(!cx.is_excluded(&at("SealedSecret")));
    }

    #[test]
    fn base64_candidates_and_decoding() {
        let src = "apiVersion: v1\nkind: Secret\ndata:\n  k: aGVsbG8=\nextra: c29tZSBsb25nZXIgdGV4dCB0byBkZWNvZGU=\n";
        let p = parse_yaml(src);
        let cx = build(&p.documents);
        let labels: Vec<_> = cx.base64.iter().map(|b| b.0.as_str()).collect();
        assert_eq!(labels, ["data.k", "extra"]);
        assert_eq!(decode_text("aGVsbG8=").as_deref(), Some("hello"));
        assert_eq!(decode_text("AAECAwQFBgcICQ=="), None, "binary is not text");
        assert_eq!(decode_text("not base64!"), None);
    }
}
