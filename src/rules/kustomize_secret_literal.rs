use crate::finding::Finding;
use crate::placeholder::is_placeholder_only;
use crate::redact::redact;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::source::FileKind;
use crate::yaml::{Node, ScalarStyle};

declare_rule! {
    /// ## What it does
    /// Flags every `secretGenerator[].literals` entry of a kustomization whose value (the part
    /// after the first `=`) is not empty and not a placeholder.
    ///
    /// ## Why is this bad?
    /// A literal is the Secret's value written in the clear in the kustomization: kustomize
    /// only base64-encodes it into the generated Secret. It is as exposed as a raw Secret.
    ///
    /// ## Example
    /// ```yaml
    /// secretGenerator:
    ///   - name: admin
    ///     literals:
    ///       - ADMIN_PASSWORD=changeme
    /// ```
    ///
    /// ## Use instead
    /// Generate from an encrypted file (`files:`/`envs:` decrypted by the kustomize SOPS
    /// plugin or Flux's SOPS decryption), or replace the generator with a SealedSecret or an
    /// ExternalSecret. Rotate the credential.
    pub struct KustomizeSecretLiteral {
        id: "kustomize-secret-literal",
        severity: Error,
        summary: "Plaintext literal in a kustomize secretGenerator",
        group: "credentials",
    }
}

fn is_kustomization(cx: &DocumentContext) -> bool {
    cx.kind == FileKind::Kustomization
        || (cx.doc.root.get_str("kind") == Some("Kustomization")
            && cx
                .doc
                .root
                .get_str("apiVersion")
                .is_some_and(|a| a.starts_with("kustomize.config.k8s.io/")))
}

impl DocumentRule for KustomizeSecretLiteral {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        if !is_kustomization(cx) {
            return;
        }
        let Some(gens) = cx.doc.root.get("secretGenerator") else {
            return;
        };
        for generator in gens.items() {
            let name = generator.get_str("name").unwrap_or("-");
            let Some(literals) = generator.get("literals") else {
                continue;
            };
            for item in literals.items() {
                let Some(text) = item.as_str() else { continue };
                let (key, value) = text.split_once('=').unwrap_or((text, ""));
                let value = unquote(value);
                if is_placeholder_only(value) {
                    continue;
                }
                let msg = format!(
                    "secretGenerator {name} has a plaintext literal {key}={}",
                    redact(value)
                );
                out.push(
                    Finding::new(
                        &Self::META,
                        cx.path,
                        item.span,
                        msg,
                        &format!("{name}/{key}"),
                    )
                    .help(
                        "generate the Secret from a SOPS-encrypted file, or use a SealedSecret or \
                         ExternalSecret; rotate the credential",
                    )
                    .secret(value_bytes(cx.source, item, key)),
                );
            }
        }
    }
}

/// Kustomize strips one pair of matching quotes around a literal's value.
fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner;
        }
    }
    v
}

/// Byte range of the value part of `KEY=value` in the source (the whole scalar when its
/// source text is escaped or folded and the split point cannot be located exactly).
fn value_bytes(src: &str, item: &Node, key: &str) -> std::ops::Range<usize> {
    let r = item.span.bytes();
    let plain_or_quoted = matches!(
        item.as_scalar().map(|s| s.style),
        Some(ScalarStyle::Plain | ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted)
    );
    if plain_or_quoted
        && let Some(text) = src.get(r.clone())
        && let Some(i) = text.find(&format!("{key}="))
    {
        let start = r.start + i + key.len() + 1;
        let end = if matches!(text.as_bytes().first(), Some(b'"' | b'\'')) {
            r.end - 1
        } else {
            r.end
        };
        if start <= end {
            return start..end;
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    #[test]
    fn flags_literals_at_the_item() {
        let src = "resources: [a.yaml]\nsecretGenerator:\n  - name: admin\n    literals:\n      - ADMIN_PASSWORD=changeme\n      - \"TOKEN='abcdef123456'\"\n      - EMPTY=\n      - REF=${TOKEN}\n    envs: [secret.env]\n";
        let f = check(&KustomizeSecretLiteral, "app/kustomization.yaml", src);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!((f[0].span.start.line, f[0].span.start.col), (5, 9));
        assert_eq!(&src[f[0].secret.clone().unwrap()], "changeme");
        assert!(f[0].message.contains("ADMIN_PASSWORD="));
        assert!(!f[0].message.contains("changeme"));
        assert!(src[f[1].secret.clone().unwrap()].contains("abcdef123456"));
    }

    #[test]
    fn only_in_kustomizations() {
        let src = "secretGenerator:\n  - name: a\n    literals: [K=v4lue]\n";
        assert!(check(&KustomizeSecretLiteral, "values.yaml", src).is_empty());
        assert_eq!(
            check(&KustomizeSecretLiteral, "x/Kustomization", src).len(),
            1
        );
        let typed =
            format!("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n{src}");
        assert_eq!(check(&KustomizeSecretLiteral, "k.yaml", &typed).len(), 1);
        // A Flux Kustomization is a different API and has no generators.
        let flux =
            format!("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n{src}");
        assert!(check(&KustomizeSecretLiteral, "k.yaml", &flux).is_empty());
    }
}
