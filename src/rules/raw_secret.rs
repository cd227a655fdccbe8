use crate::finding::Finding;
use crate::manifest::{is_sops_document, is_sops_encrypted_value};
use crate::placeholder::is_placeholder_only;
use crate::redact::redact;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::yaml::NodeKind;

declare_rule! {
    /// ## What it does
    /// Flags every non-empty value in the `data` or `stringData` of a core `v1` `kind: Secret`,
    /// in YAML or JSON, in multi-document files and inside `kind: List` items. One finding per
    /// key, at the key, naming the Secret's namespace, name and type.
    ///
    /// ## Why is this bad?
    /// `data` is only base64, not encryption: anyone who can read the env repo (every clone,
    /// fork, CI cache and backup of it) can read the credential, and Git keeps it forever.
    /// Argo CD and Flux apply it as-is, so the repo becomes the weakest copy of the secret.
    ///
    /// Not reported: documents encrypted by SOPS (a `sops:` block; their `ENC[…]` values are
    /// verified by the SOPS rules), and values that are only placeholders (`${VAR}`,
    /// `{{ … }}`, empty), which a controller substitutes later.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata: {name: db, namespace: shop}
    /// stringData:
    ///   password: correct-horse-battery
    /// ```
    ///
    /// ## Use instead
    /// Encrypt the Secret with SOPS (`sops --encrypt --in-place secret.yaml`) or seal it
    /// (`kubeseal -f secret.yaml -w sealed-secret.yaml`), or reference it from an external
    /// store (External Secrets Operator). Then rotate the credential: it is in Git history.
    pub struct RawSecret {
        id: "raw-secret",
        severity: Error,
        summary: "Plaintext value in a Kubernetes Secret's data/stringData",
        group: "credentials",
    }
}

impl DocumentRule for RawSecret {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        // A SOPS document is the SOPS rules' business (sops-plaintext-value reports a value
        // left unencrypted against the file's own rules).
        if is_sops_document(&cx.doc.root) {
            return;
        }
        let sops = false;
        for obj in cx.objects() {
            if obj.api_version != Some("v1") || obj.kind != Some("Secret") {
                continue;
            }
            let ty = obj.node.get_str("type").unwrap_or("Opaque");
            for field in ["data", "stringData"] {
                let Some(map) = obj.node.get(field) else {
                    continue;
                };
                for e in map.entries() {
                    let NodeKind::Scalar(v) = &e.value.kind else {
                        continue;
                    };
                    let key = e.key.as_str().unwrap_or("?");
                    if is_placeholder_only(&v.value)
                        || e.value.is_null()
                        || (sops && is_sops_encrypted_value(&v.value))
                    {
                        continue;
                    }
                    let where_ = if sops {
                        " (not encrypted although the file is a SOPS file)"
                    } else {
                        ""
                    };
                    let msg = format!(
                        "Secret {} ({ty}) holds a plaintext value in {field}.{key}: {}{where_}",
                        obj.display_name(),
                        redact(&v.value),
                    );
                    let identity = format!("Secret/{}/{field}.{key}", obj.display_name());
                    out.push(
                        Finding::new(&Self::META, cx.path, e.key.span, msg, &identity)
                            .help(
                                "encrypt it with SOPS or seal it with kubeseal, then rotate the \
                                 credential (it stays in Git history)",
                            )
                            .secret(e.value.span.bytes()),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    fn run(src: &str) -> Vec<Finding> {
        check(&RawSecret, "secret.yaml", src)
    }

    #[test]
    fn one_finding_per_key_at_the_key() {
        let src = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: shop\ntype: Opaque\ndata:\n  user: YWRtaW4=\n  pass: aHVudGVyMg==\nstringData:\n  token: abcdefgh12345678\n";
        let f = run(src);
        assert_eq!(f.len(), 3);
        assert_eq!((f[0].span.start.line, f[0].span.start.col), (8, 3));
        assert!(f[0].message.contains("shop/db (Opaque)"));
        assert!(f[0].message.contains("data.user"));
        assert!(f[2].message.contains("stringData.token"));
        assert_eq!(&src[f[2].secret.clone().unwrap()], "abcdefgh12345678");
        assert!(!f[2].message.contains("abcdefgh12345678"));
    }

    #[test]
    fn any_key_order_json_and_list_items() {
        let json = r#"{"data": {"k": "dg=="}, "kind": "Secret", "apiVersion": "v1", "metadata": {"name": "j"}}"#;
        assert_eq!(run(json).len(), 1);
        let list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: a}\n  data: {k: dg==}\n";
        let f = run(list);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].span.start.line, 7);
        let multi = "kind: ConfigMap\napiVersion: v1\n---\nkind: Secret\napiVersion: v1\nstringData:\n  a: b\n";
        assert_eq!(run(multi).len(), 1);
    }

    #[test]
    fn negatives() {
        // placeholders, empty values, other kinds and API groups, SOPS-encrypted values
        for src in [
            "apiVersion: v1\nkind: Secret\nstringData:\n  a: ${DB_PASS}\n  b: '{{ .pw }}'\n  c: ''\n  d:\n",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: x}\ntype: kubernetes.io/tls\n",
            "apiVersion: v1\nkind: ConfigMap\ndata:\n  password: x\n",
            "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nspec:\n  encryptedData:\n    a: AgBx\n",
            "apiVersion: external-secrets.io/v1\nkind: Secret\ndata: {a: b}\n",
            "apiVersion: v1\nkind: Secret\ndata:\n  a: ENC[AES256_GCM,data:Zm9v,iv:x,tag:y,type:str]\nsops:\n  mac: ENC[AES256_GCM,data:x]\n  lastmodified: '2024-01-01T00:00:00Z'\n",
        ] {
            assert!(run(src).is_empty(), "{src}");
        }
    }

    #[test]
    fn sops_documents_are_left_to_the_sops_rules() {
        let src = "apiVersion: v1\nkind: Secret\ndata:\n  a: ENC[AES256_GCM,data:Zm9v,iv:x,tag:y,type:str]\n  b: aHVudGVyMg==\nsops:\n  mac: ENC[x]\n";
        assert!(run(src).is_empty());
    }
}
