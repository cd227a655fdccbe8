//! SealedSecret checks through the CLI, on ../shared/fixtures/sealed-secrets.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;

fn rules_per_file(v: &serde_json::Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for h in hits(v) {
        m.entry(h.1.rsplit('/').next().unwrap().to_string())
            .or_default()
            .insert(h.0);
    }
    m
}

#[test]
fn invalid_fixtures_get_their_rule_with_cert_and_key() {
    let Some(fx) = shared("fixtures/sealed-secrets/generated") else {
        return;
    };
    let cert = fx.join("keys/sealing-key-a-4096.crt");
    let key = fx.join("keys/sealing-key-a-4096.key");
    let dir = fx.join("invalid");
    let (code, v) = json(
        &[
            "--sealed-secrets-cert",
            cert.to_str().unwrap(),
            "--sealed-secrets-key",
            key.to_str().unwrap(),
            dir.to_str().unwrap(),
        ],
        &std::env::temp_dir(),
    );
    assert_eq!(code, 1);
    let got = rules_per_file(&v);
    let want: &[(&str, &[&str])] = &[
        ("bad-base64.yaml", &["sealed-secret-invalid"]),
        (
            "both-data-and-encryptedData.yaml",
            &["sealed-secret-invalid"],
        ),
        (
            "cluster-wide-annotation-removed.yaml",
            &["sealed-secret-undecryptable"],
        ),
        (
            "last-applied-annotation-leak.yaml",
            &["sealed-secret-plaintext"],
        ),
        (
            "length-prefix-mismatch.yaml",
            &["sealed-secret-wrong-key-size"],
        ),
        (
            "namespace-wide-wrong-namespace.yaml",
            &["sealed-secret-undecryptable"],
        ),
        (
            "plain-base64-instead-of-ciphertext.yaml",
            &["sealed-secret-plaintext"],
        ),
        (
            "plaintext-in-template-data.yaml",
            &["sealed-secret-plaintext", "url-credentials"],
        ),
        (
            "scope-annotation-only-on-template.yaml",
            &["sealed-secret-scope", "sealed-secret-undecryptable"],
        ),
        (
            "sealed-with-other-key.yaml",
            &["sealed-secret-wrong-key-size"],
        ),
        (
            "strict-annotated-cluster-wide.yaml",
            &["sealed-secret-undecryptable"],
        ),
        (
            "strict-missing-namespace.yaml",
            &["sealed-secret-scope", "sealed-secret-undecryptable"],
        ),
        ("strict-wrong-name.yaml", &["sealed-secret-undecryptable"]),
        (
            "strict-wrong-namespace.yaml",
            &["sealed-secret-undecryptable"],
        ),
        ("template-namespace-mismatch.yaml", &["sealed-secret-scope"]),
        (
            "truncated-ciphertext.yaml",
            &["sealed-secret-undecryptable"],
        ),
        (
            "truncated-inside-rsa-block.yaml",
            &["sealed-secret-invalid"],
        ),
    ];
    let want: BTreeMap<String, BTreeSet<String>> = want
        .iter()
        .map(|(f, r)| (f.to_string(), r.iter().map(|x| x.to_string()).collect()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn valid_fixtures_unseal_with_both_keys_and_redaction_holds() {
    let Some(fx) = shared("fixtures/sealed-secrets/generated") else {
        return;
    };
    let dir = fx.join("valid");
    let (code, v) = json(
        &[
            "--sealed-secrets-key",
            fx.join("keys").to_str().unwrap(),
            dir.to_str().unwrap(),
        ],
        &std::env::temp_dir(),
    );
    assert_eq!(code, 0, "{v}");
    let got = rules_per_file(&v);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got["legacy-spec-data.yaml"].contains("sealed-secret-invalid"));
    assert_eq!(v["findings"][0]["severity"], "warning");
    // The fixtures' plaintext never appears, whatever the format.
    for format in ["human", "json", "sarif"] {
        let (_, out, err) = scan(
            &[
                "--format",
                format,
                "--sealed-secrets-key",
                fx.join("keys").to_str().unwrap(),
                fx.to_str().unwrap(),
            ],
            &std::env::temp_dir(),
        );
        assert!(!format!("{out}{err}").contains("hunter2"), "{format}");
    }
}

#[test]
fn real_sealed_secrets_pass_the_cert_checks() {
    let Some(fx) = shared("fixtures/sealed-secrets/real/0GiS0-gitops-lemoncode") else {
        return;
    };
    let (code, v) = json(
        &[
            "--sealed-secrets-cert",
            fx.join("pub-sealed-secrets.pem").to_str().unwrap(),
            fx.to_str().unwrap(),
        ],
        &std::env::temp_dir(),
    );
    assert_eq!(code, 0, "{v}");
    assert!(hits(&v).is_empty(), "{v}");
}

/// A strict-scope SealedSecret without `metadata.namespace` unseals with the namespace its
/// kustomization sets — and with no other.
#[test]
fn the_kustomization_namespace_is_the_unsealing_namespace() {
    let Some(base) = shared("fixtures/sealed-secrets/generated") else {
        return;
    };
    let src = std::fs::read_to_string(base.join("valid/strict.yaml")).unwrap();
    assert!(src.contains("namespace: payments"));
    let no_ns: String = src
        .lines()
        .filter(|l| !l.trim_start().starts_with("namespace:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let key = base.join("keys");
    for (ns, want_undecryptable) in [("payments", false), ("other", true)] {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "app/sealed.yaml", &no_ns);
        write(
            dir.path(),
            "app/kustomization.yaml",
            format!("namespace: {ns}\nresources: [sealed.yaml]\n"),
        );
        let (_, v) = json(
            &["--sealed-secrets-key", key.to_str().unwrap(), "."],
            dir.path(),
        );
        let rules: BTreeSet<String> = hits(&v).into_iter().map(|h| h.0).collect();
        assert_eq!(
            rules.contains("sealed-secret-undecryptable"),
            want_undecryptable,
            "{ns}: {rules:?}"
        );
        assert!(!rules.contains("sealed-secret-scope"), "{ns}: {rules:?}");
    }
}
