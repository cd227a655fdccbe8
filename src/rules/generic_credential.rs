use crate::finding::{Finding, secret_hash};
use crate::manifest::{is_sops_document, objects};
use crate::redact::redact;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::secrets::assignment::{is_credential_key, looks_like_credential};
use crate::yaml::{Node, NodeKind, ScalarStyle, Span};

declare_rule! {
    /// ## What it does
    /// Flags a literal value under a key that names a credential — `password`, `passwd`,
    /// `secret`, `token`, `api_key`, `client_secret`, `private_key`, `credentials`, `auth`,
    /// `dsn`, `connection_string`, … — in YAML and JSON manifests (Helm values inside a
    /// HelmRelease included), and in `key = value` lines of dotenv, INI, properties and
    /// other text files, and of documents embedded in ConfigMap values.
    ///
    /// Not reported: references (`*_FILE`, `*_PATH`, `*_NAME`, `*_REF`, `secretName`,
    /// `existingSecret`, `secretKeyRef`, `publicToken`), placeholders (`${VAR}`, `{{ … }}`,
    /// `changeme`, `<your-token>`), paths, numbers and booleans, SOPS `ENC[…]` values and
    /// SealedSecret ciphertext. In plain text (no YAML structure) the value must also look
    /// random: at least 8 characters, two character classes, entropy ≥ 3 bits/char.
    ///
    /// ## Why is this bad?
    /// Whatever the provider, a password in the env repo is readable by everyone who can
    /// clone it, forever. Provider-specific rules cannot know your database's password.
    ///
    /// ## Example
    /// ```yaml
    /// auth:
    ///   ldap:
    ///     bindPassword: Tr0ub4dor&3
    /// ```
    ///
    /// ## Use instead
    /// Reference a Secret (`existingSecret`, `secretKeyRef`, `valuesFrom` in a HelmRelease)
    /// that is encrypted with SOPS or sealed, or an ExternalSecret. Rotate the credential.
    pub struct GenericCredential {
        id: "generic-credential",
        severity: Error,
        summary: "Literal credential under a credential-named key",
        group: "credentials",
    }
}

impl GenericCredential {
    /// A finding for a literal at `span` (whose bytes are `secret`) under `key`.
    pub fn finding(
        path: &str,
        span: Span,
        key: &str,
        value: &str,
        secret: std::ops::Range<usize>,
        context: &str,
    ) -> Finding {
        Finding::new(
            &Self::META,
            path,
            span,
            format!("literal credential in `{key}`{context}: {}", redact(value)),
            &secret_hash(value),
        )
        .help("reference an encrypted Secret (SOPS, SealedSecret, ExternalSecret) instead, and rotate the credential")
        .secret(secret)
    }
}

impl DocumentRule for GenericCredential {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        let root = &cx.doc.root;
        // Secrets and SealedSecrets have their own rules; ExternalSecret-style objects only
        // name keys of secrets kept elsewhere; CRDs hold schemas and prose.
        let skip = objects(root).iter().any(|o| {
            matches!(
                o.kind,
                Some(
                    "Secret"
                        | "SealedSecret"
                        | "ExternalSecret"
                        | "ClusterExternalSecret"
                        | "SecretStore"
                        | "ClusterSecretStore"
                        | "PushSecret"
                        | "CustomResourceDefinition"
                )
            )
        });
        if skip {
            return;
        }
        let sops = is_sops_document(root);
        walk(root, cx, sops, out, 0);
    }
}

fn walk(node: &Node, cx: &DocumentContext, sops: bool, out: &mut Vec<Finding>, depth: usize) {
    match &node.kind {
        NodeKind::Mapping(entries) => {
            for e in entries {
                let key = e.key.as_str().unwrap_or("");
                if sops && depth == 0 && key == "sops" {
                    continue;
                }
                if let NodeKind::Scalar(s) = &e.value.kind {
                    let one_line = !matches!(s.style, ScalarStyle::Literal | ScalarStyle::Folded)
                        && !s.value.contains('\n');
                    if one_line
                        && is_credential_key(key)
                        && looks_like_credential(&s.value)
                        && !names_a_secret_object(key, &s.value)
                    {
                        out.push(GenericCredential::finding(
                            cx.path,
                            e.value.span,
                            key,
                            &s.value,
                            e.value.span.bytes(),
                            "",
                        ));
                    }
                } else {
                    walk(&e.value, cx, sops, out, depth + 1);
                }
            }
        }
        NodeKind::Sequence(items) => {
            for i in items {
                walk(i, cx, sops, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// `configSecret: alertmanager-config`, `envFromSecret: grafana-env`: a key ending in
/// `secret`/`credentials`/`auth` whose value is a Kubernetes object name refers to a Secret.
fn names_a_secret_object(key: &str, value: &str) -> bool {
    let words = crate::secrets::assignment::key_words(key);
    let last = words.last().map(String::as_str).unwrap_or("");
    matches!(last, "secret" | "credential" | "credentials" | "auth") && is_dns_name(value)
}

/// A DNS-1123 name, as Kubernetes object names are.
fn is_dns_name(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 253
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && v.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && v.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    fn run(src: &str) -> Vec<Finding> {
        check(&GenericCredential, "values.yaml", src)
    }

    #[test]
    fn literal_credentials_in_values() {
        let src = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nspec:\n  values:\n    auth:\n      rootPassword: Tr0ub4dor-3x\n      existingSecret: db\n    ldap:\n      bindPassword: \"fixture-bind-pw-77\"\n";
        let f = run(src);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!((f[0].span.start.line, f[0].span.start.col), (6, 21));
        assert!(f[0].message.contains("rootPassword"));
        assert!(!f[0].message.contains("Tr0ub4dor-3x"));
    }

    #[test]
    fn negatives() {
        for src in [
            "password: ${DB_PASSWORD}\n",
            "password: changeme\n",
            "password: password\n",
            "renderer_token: fnord\n",
            "passwordFile: /run/secrets/db\n",
            "secretName: db-credentials\n",
            "token_ttl: 3600\n",
            "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nspec:\n  encryptedData:\n    DB_PASSWORD: AgBy3i4OJSWK\n",
            "apiVersion: v1\nkind: Secret\nstringData:\n  password: s3cr3t-value\n",
            "data:\n  password: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]\nsops:\n  mac: ENC[x]\n",
            "publicKey: MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8\n",
            "configSecret: alertmanager-config\n",
            "githubConfigSecret: kochhaus-home-runner-secret\n",
            "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nspec:\n  data:\n    - secretKey: hass-token-value\n",
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  x:\n    basicAuth: bearer-token-desc\n",
        ] {
            assert!(run(src).is_empty(), "{src}");
        }
    }
}
