//! No output ever contains a secret value: plant secrets in every place a finding can
//! show, then check every format's stdout and stderr.

mod common;

use common::*;

const SECRETS: &[&str] = &[
    "c3VwZXJzZWNyZXQtYmFzZTY0LXZhbHVl",
    "plain-string-data-secret-7731",
    "kustomize-literal-secret-9902",
    "json-secret-value-44019",
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
    "duplicate-key-secret-5521",
    "broken-yaml-secret-8812",
    "quoted secret with spaces 6610",
    "ghp_Rk3vT9mLp2sQ4wZ8nB1cD6fH0jK5aE7gY3uI",
    "Dragon2016@8Q4x",
    "kLm9pQ2rS5tU8vW1xY4zA7bC0dE3fG6h",
    "b64wrapped_ghp_Zk3vT9mLp2sQ4wZ8nB1cD6fH0jK5aE7gY3uQ",
    "registry-pass-3391",
];

fn plant(dir: &std::path::Path) {
    write(
        dir,
        "secret.yaml",
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: s}}\ndata:\n  a: {}\nstringData:\n  b: {}\n  c: \"{}\"\n  key.pem: |\n    -----BEGIN PRIVATE KEY-----\n    {}\n    -----END PRIVATE KEY-----\n",
            SECRETS[0], SECRETS[1], SECRETS[7], SECRETS[4]
        ),
    );
    write(
        dir,
        "kustomization.yaml",
        format!(
            "secretGenerator:\n  - name: g\n    literals:\n      - TOKEN={}\n",
            SECRETS[2]
        ),
    );
    write(
        dir,
        "list.json",
        format!(
            "{{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"stringData\":{{\"k\":\"{}\"}}}}",
            SECRETS[3]
        ),
    );
    write(
        dir,
        "dup.yaml",
        format!(
            "db:\n  password: {}\n  password: {}\n",
            SECRETS[5], SECRETS[5]
        ),
    );
    write(
        dir,
        "broken.yaml",
        format!("db_password: {}\nbroken: [\n", SECRETS[6]),
    );
    write(
        dir,
        "deploy.yaml",
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          env:\n            - name: GH_TOKEN\n              value: {}\n            - name: DB_PASSWORD\n              value: \"{}\"\n",
            SECRETS[8], SECRETS[9]
        ),
    );
    write(dir, "app.env", format!("API_TOKEN={}\n", SECRETS[10]));
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let wrapped = b64.encode(format!(
        "GITHUB_TOKEN={}",
        &SECRETS[11]["b64wrapped_".len()..]
    ));
    let docker = b64.encode(format!(
        "{{\"auths\":{{\"ghcr.io\":{{\"auth\":\"{}\"}}}}}}",
        b64.encode(format!("bot:{}", SECRETS[12]))
    ));
    write(
        dir,
        "pull.yaml",
        format!(
            "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {docker}\n  env: {wrapped}\n"
        ),
    );
}

#[test]
fn no_format_prints_a_planted_secret() {
    let dir = tempfile::tempdir().unwrap();
    plant(dir.path());
    for format in ["human", "json", "sarif", "github", "gitlab", "junit"] {
        for color in ["never", "always"] {
            let (code, out, err) = scan(&["--format", format, "--color", color], dir.path());
            assert_eq!(code, 1);
            let all = format!("{out}{err}");
            for rule in [
                "raw-secret",
                "github-pat",
                "env-literal-secret",
                "generic-credential",
                "docker-config-auth",
                "duplicate-key",
                "yaml-syntax",
                "kustomize-secret-literal",
            ] {
                assert!(all.contains(rule), "{format}: {rule} expected:\n{all}");
            }
            for s in SECRETS {
                assert!(!all.contains(s), "{format}/{color} leaked {s}:\n{all}");
                // Not even a long-enough piece of it.
                let s = s.strip_prefix("b64wrapped_").unwrap_or(s);
                let middle = &s[4..s.len().min(16)];
                assert!(
                    !all.contains(middle),
                    "{format}/{color} leaked part of {s}:\n{all}"
                );
            }
        }
    }
}

#[test]
fn human_output_shows_prefix_and_length_only() {
    let dir = tempfile::tempdir().unwrap();
    plant(dir.path());
    let (_, out, _) = scan(&["--color", "never"], dir.path());
    assert!(out.contains("c3Vw…(32 chars)"), "{out}");
    assert!(out.contains("TOKEN=kust…(29 chars)"), "{out}");
}
