//! SOPS verification through the CLI, on the real fixtures of ../shared/fixtures/sops
//! (files made with the official sops binary, and scripted tamperings of them).

mod common;

use common::*;

fn age_key_args(fixtures: &std::path::Path) -> Vec<String> {
    let mut args = Vec::new();
    let mut keys: Vec<_> = std::fs::read_dir(fixtures.join("keys"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with("age-") && n.ends_with(".txt")
        })
        .collect();
    keys.sort();
    for k in keys {
        args.push("--age-key-file".to_string());
        args.push(k.to_string_lossy().into_owned());
    }
    args
}

fn rules_by_file(v: &serde_json::Value) -> Vec<(String, String)> {
    hits(v).into_iter().map(|h| (h.1, h.0)).collect()
}

#[test]
fn tampered_files_get_the_right_rule() {
    let Some(fx) = shared("fixtures/sops") else {
        return;
    };
    let mut args = age_key_args(&fx);
    args.push(fx.join("tampered").to_string_lossy().into_owned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, v) = json(&args, &std::env::temp_dir());
    assert_eq!(code, 1);
    let want = [
        ("bad-base64-iv.yaml", "sops-metadata-invalid"),
        ("ciphertext-truncated.yaml", "sops-value-tampered"),
        ("lastmodified-changed.yaml", "sops-mac-mismatch"),
        ("mac-removed.yaml", "sops-metadata-invalid"),
        ("no-master-keys.yaml", "sops-metadata-invalid"),
        ("plain-key-added.yaml", "sops-mac-mismatch"),
        ("plain-reordered.yaml", "sops-mac-mismatch"),
        ("plain-value-edited.yaml", "sops-mac-mismatch"),
        ("plaintext-under-encrypted-key.yaml", "sops-plaintext-value"),
        ("stanza-from-other-file.yaml", "sops-value-tampered"),
        ("unknown-type.yaml", "sops-metadata-invalid"),
        ("value-swapped.yaml", "sops-value-tampered"),
        ("version-missing.yaml", "sops-metadata-invalid"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    // recipient-removed, plain-key-renamed and maconly-plain-value-edited are accepted by
    // sops 3.11 too (see the fixture README): no finding.
    assert_eq!(rules_by_file(&v), want);
}

#[test]
fn without_keys_only_structure_is_checked() {
    let Some(fx) = shared("fixtures/sops") else {
        return;
    };
    let dir = fx.join("tampered");
    let (_, v) = json(&[dir.to_str().unwrap()], &std::env::temp_dir());
    let rules: Vec<String> = hits(&v).into_iter().map(|h| h.0).collect();
    assert!(
        rules
            .iter()
            .all(|r| r == "sops-metadata-invalid" || r == "sops-plaintext-value"),
        "{rules:?}"
    );
    assert!(!rules.is_empty());
}

#[test]
fn valid_files_verify_and_keys_come_from_the_environment_too() {
    let Some(fx) = shared("fixtures/sops") else {
        return;
    };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let key = fx.join("keys/age-sops-test.txt");
    // The example repo's SOPS Secret verifies with its (published test) key.
    let (_, v) = json(
        &[
            "--age-key-file",
            key.to_str().unwrap(),
            "--require-decrypt",
            "examples/env-repo",
        ],
        root,
    );
    assert!(
        rules_by_file(&v)
            .iter()
            .all(|(_, r)| !r.starts_with("sops-")),
        "{v}"
    );
    let out = envgate()
        .current_dir(root)
        .env("SOPS_AGE_KEY_FILE", &key)
        .args([
            "scan",
            "--format",
            "json",
            "--require-decrypt",
            "examples/env-repo/apps/production",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the duplicate key is still there"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        rules_by_file(&v)
            .iter()
            .all(|(_, r)| !r.starts_with("sops-"))
    );
    // With another key, the file is not verified: info, or an error with --require-decrypt.
    let other = fx.join("keys/age-flux.txt");
    let (_, v) = json(
        &[
            "--age-key-file",
            other.to_str().unwrap(),
            "examples/env-repo/apps/production/db-credentials.sops.yaml",
        ],
        root,
    );
    assert_eq!(v["findings"][0]["rule"], "sops-no-key");
    assert_eq!(v["findings"][0]["severity"], "info");
    let (code, v) = json(
        &[
            "--age-key-file",
            other.to_str().unwrap(),
            "--require-decrypt",
            "examples/env-repo/apps/production/db-credentials.sops.yaml",
        ],
        root,
    );
    assert_eq!(code, 1);
    assert_eq!(v["findings"][0]["severity"], "error");
}

#[test]
fn a_bad_key_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "key.txt", "not an age key\n");
    let (code, _, err) = scan(&["--age-key-file", "key.txt", "."], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("key.txt"), "{err}");
    let (code, _, _) = scan(&["--age-key-file", "missing.txt", "."], dir.path());
    assert_eq!(code, 2);
}

#[test]
fn files_named_sops_must_be_encrypted() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app/secret.sops.yaml",
        "apiVersion: v1\nkind: ConfigMap\n",
    );
    write(dir.path(), ".sops.yaml", "creation_rules: []\n");
    let (code, v) = json(&[], dir.path());
    assert_eq!(code, 1);
    assert_eq!(
        rules_by_file(&v),
        vec![("app/secret.sops.yaml".into(), "sops-not-encrypted".into())]
    );
}

#[test]
fn creation_rule_policy_is_checked() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let sops_file = std::fs::read_to_string(
        root.join("examples/env-repo/apps/production/db-credentials.sops.yaml"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "apps/db.sops.yaml", &sops_file);
    // The recipient the file is encrypted to: clean.
    write(
        dir.path(),
        ".sops.yaml",
        "creation_rules:\n  - path_regex: \\.sops\\.yaml$\n    encrypted_regex: ^(data|stringData)$\n    age: age1yt3tfqlfrwdwx0z0ynwplcr6qxcxfaqycuprpmy89nr83ltx74tqdpszlw\n",
    );
    let (code, v) = json(&[], dir.path());
    assert_eq!(code, 0, "{v}");
    // Another recipient: an error naming both.
    write(
        dir.path(),
        ".sops.yaml",
        "creation_rules:\n  - path_regex: \\.sops\\.yaml$\n    encrypted_regex: ^(data|stringData)$\n    age: age1l44xcng8dqj32nlv6d930qvvrny05hglzcv9qpc7kxjc6902ma4qufys29\n",
    );
    let (code, v) = json(&[], dir.path());
    assert_eq!(code, 1);
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "sops-policy-mismatch");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("not encrypted to age recipient")
    );
    // Selection-rule drift: a warning. No matching rule: an error. Bad regex: an error.
    write(
        dir.path(),
        ".sops.yaml",
        "creation_rules:\n  - path_regex: \\.sops\\.yaml$\n    encrypted_regex: ^data$\n    age: age1yt3tfqlfrwdwx0z0ynwplcr6qxcxfaqycuprpmy89nr83ltx74tqdpszlw\n",
    );
    let (code, v) = json(&[], dir.path());
    assert_eq!(
        (code, v["findings"][0]["severity"].as_str()),
        (0, Some("warning"))
    );
    write(
        dir.path(),
        ".sops.yaml",
        "creation_rules:\n  - path_regex: ^other/\n    age: age1x\n",
    );
    let (_, v) = json(&[], dir.path());
    assert!(
        v["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no creation rule")
    );
    write(
        dir.path(),
        ".sops.yaml",
        "creation_rules:\n  - path_regex: '('\n    age: age1x\n",
    );
    let (_, v) = json(&[], dir.path());
    assert!(
        hits(&v)
            .iter()
            .any(|h| h.1 == ".sops.yaml" && h.0 == "sops-policy-mismatch"),
        "{v}"
    );
}
