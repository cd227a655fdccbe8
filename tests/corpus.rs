//! Real-world smoke test over ../shared/corpus (real public env repos, see its
//! PROVENANCE.md). Skipped, with a message, when the corpus is absent.

mod common;

use std::collections::BTreeSet;

use common::*;

fn corpus_scan(repo: &str) -> Option<serde_json::Value> {
    let dir = shared(&format!("corpus/{repo}"))?;
    let (code, v) = json(&[dir.to_str().unwrap()], &std::env::temp_dir());
    assert!(code == 0 || code == 1, "{repo}: exit {code}");
    Some(v)
}

fn by_rule(v: &serde_json::Value, rule: &str) -> BTreeSet<(String, u64)> {
    hits(v)
        .into_iter()
        .filter(|h| h.0 == rule)
        .map(|h| (h.1, h.2))
        .collect()
}

const REPOS: &[&str] = &[
    "code4romania__code4ro-k8s",
    "fluxcd__flux2-kustomize-helm-example",
    "haraldkoch__kochhaus-home",
    "madhuakula__kubernetes-goat",
    "prometheus-operator__kube-prometheus",
];

#[test]
fn corpus_parses_without_syntax_findings_or_crashes() {
    for repo in REPOS {
        let Some(v) = corpus_scan(repo) else { return };
        for rule in [
            "yaml-syntax",
            "yaml-too-complex",
            "file-unreadable",
            "file-too-large",
        ] {
            assert!(
                by_rule(&v, rule).is_empty(),
                "{repo}: {rule}: {:?}",
                by_rule(&v, rule)
            );
        }
        assert!(v["summary"]["documents"].as_u64().unwrap() > 0);
    }
}

#[test]
fn raw_secret_fires_exactly_on_the_plaintext_secrets_of_provenance() {
    let expected: &[(&str, &[(&str, u64)])] = &[
        (
            "madhuakula__kubernetes-goat",
            &[
                ("scenarios/hunger-check/deployment.yaml", 44),
                ("scenarios/hunger-check/deployment.yaml", 53),
                ("scenarios/system-monitor/deployment.yaml", 8),
            ],
        ),
        (
            "prometheus-operator__kube-prometheus",
            &[
                ("manifests/alertmanager-secret.yaml", 13),
                ("manifests/grafana-config.yaml", 12),
                ("manifests/grafana-dashboardDatasources.yaml", 12),
            ],
        ),
        ("haraldkoch__kochhaus-home", &[]),
        ("code4romania__code4ro-k8s", &[]),
        ("fluxcd__flux2-kustomize-helm-example", &[]),
    ];
    for (repo, want) in expected {
        let Some(v) = corpus_scan(repo) else { return };
        let got = by_rule(&v, "raw-secret");
        let want: BTreeSet<(String, u64)> = want.iter().map(|(p, l)| (p.to_string(), *l)).collect();
        assert_eq!(got, want, "{repo}");
    }
}

#[test]
fn envelope_findings_on_the_sops_and_sealed_secret_repos() {
    // kochhaus-home: every file decrypts structurally; one talos secret is encrypted to an
    // age recipient that its .sops.yaml rule does not list (a real policy defect), and 18
    // files predate the rule's `mac_only_encrypted: true` (drift, warnings).
    let Some(v) = corpus_scan("haraldkoch__kochhaus-home") else {
        return;
    };
    let errors: BTreeSet<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // Plus one archived ScrapeConfig named `snmp_dsl`: custom resource names must be DNS
    // subdomains, so the API server rejects it (invalid-label-or-name).
    let want: BTreeSet<(String, String)> = [
        (
            "invalid-label-or-name".to_string(),
            ".archive/kubernetes/apps/monitoring/sr505n-cache/app/scrapeconfig.yaml".to_string(),
        ),
        (
            "sops-policy-mismatch".to_string(),
            "talos/registry/talsecret.sops.yaml".to_string(),
        ),
    ]
    .into();
    assert_eq!(errors, want);
    let Some(v) = corpus_scan("code4romania__code4ro-k8s") else {
        return;
    };
    assert!(
        hits(&v)
            .iter()
            .all(|h| !h.0.starts_with("sops") && !h.0.starts_with("sealed"))
    );
}
