//! An external test suite: the published test cases of gitleaks and noseyparker rules
//! (../shared/peer-cases). A `tp` counts when envgate reports any finding on the text; an
//! `fp` counts against envgate when a rule of the same provider fires. Targets: >= 97% of
//! tp found, <= 3% of fp hit. Prints the per-provider table.

mod common;

use std::collections::{BTreeMap, HashMap};

use envgate::scan::{DEFAULT_MAX_FILE_SIZE, ScanRequest, scan};

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The peer rule's provider key: `aws-access-token` → aws, `np.aws.1` → aws.
fn peer_provider(rule: &str) -> String {
    match rule.strip_prefix("np.") {
        Some(rest) => rest.split('.').next().unwrap().to_string(),
        None => rule.split('-').next().unwrap().to_string(),
    }
}

/// Provider keys an envgate rule answers to.
fn our_providers(rule_id: &str, by_id: &HashMap<&str, String>) -> Vec<String> {
    let mut v = vec![rule_id.split('-').next().unwrap().to_string()];
    match rule_id {
        "raw-secret" | "kustomize-secret-literal" => v.push("kubernetes".into()),
        "generic-credential" | "env-literal-secret" => v.push("generic".into()),
        "docker-config-auth" => v.push("dockerhub".into()),
        _ => {}
    }
    if let Some(p) = by_id.get(rule_id) {
        v.push(p.clone());
    }
    v
}

/// Peer rules whose positives are identifiers or locations, not credentials. envgate does
/// not report them, on purpose: env repos are full of them (IRSA role ARNs, bucket names,
/// account IDs in ECR image names, SOPS `age1…` recipients), so a finding would be noise.
/// They are scored separately and left out of the target.
const NOT_CREDENTIALS: &[(&str, &str)] = &[
    ("np.arn.1", "AWS ARNs are resource names"),
    (
        "np.aws.3",
        "AWS account IDs are in every ECR image reference",
    ),
    ("np.s3.1", "S3 bucket host names"),
    ("np.s3.2", "S3 bucket URLs"),
    ("np.gcs.1", "GCS bucket host names"),
    ("np.gcs.2", "GCS bucket URLs"),
    ("np.shopify.1", "Shopify store domains"),
    (
        "np.age.1",
        "age recipients are public keys (every .sops.yaml has them)",
    ),
    ("np.google.1", "Google OAuth client IDs are public"),
    ("np.linkedin.1", "prose mentioning a LinkedIn ID"),
    ("np.reactapp.1", "REACT_APP_*USERNAME values are user names"),
];

#[test]
fn peer_cases_score() {
    let Some(dir) = common::shared("peer-cases") else {
        return;
    };
    let mut rows = Vec::new();
    for f in ["gitleaks-verbatim.jsonl", "noseyparker.jsonl"] {
        for line in std::fs::read_to_string(dir.join(f)).unwrap().lines() {
            rows.push(serde_json::from_str::<serde_json::Value>(line).unwrap());
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let ext = r["path"]
            .as_str()
            .and_then(|p| p.rsplit_once('.').map(|x| x.1.to_string()))
            .unwrap_or_else(|| "txt".into());
        let name = format!("{i:05}.{ext}");
        std::fs::write(tmp.path().join(&name), r["text"].as_str().unwrap()).unwrap();
        names.push(name);
    }
    let res = scan(ScanRequest {
        paths: vec![tmp.path().to_path_buf()],
        stdin_filename: None,
        jobs: 2,
        respect_ignore: false,
        max_file_size: DEFAULT_MAX_FILE_SIZE,
        config: Default::default(),
        envelope_keys: Default::default(),
        staged: false,
        diff: None,
        commits: None,
        snippets: true,
    })
    .unwrap();
    let by_id: HashMap<&str, String> = envgate::secrets::Engine::builtin()
        .rules
        .iter()
        .map(|r| (r.meta.id, norm(&r.provider)))
        .collect();
    // Texts that some peer rule lists as a true positive. Both peer suites list the same
    // string as a positive of one rule and a negative of a sibling rule of the same provider
    // (a Cloudflare global key is an `fp` of the Cloudflare API-token rule): envgate must
    // report those, so they are scored as cross-type and not counted as false positives.
    let tp_texts: std::collections::HashSet<&str> = rows
        .iter()
        .filter(|r| r["kind"] == "tp")
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    let mut cross_type = 0;
    let (mut ident_found, mut ident_total) = (0, 0);
    let mut fired: HashMap<&str, Vec<&str>> = HashMap::new();
    for f in &res.findings {
        fired.entry(f.path.as_str()).or_default().push(f.rule);
    }
    // provider → (tp found, tp total, fp hit, fp total)
    let mut table: BTreeMap<String, (usize, usize, usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut fps = Vec::new();
    for (r, name) in rows.iter().zip(&names) {
        let prov = peer_provider(r["rule"].as_str().unwrap());
        let rules = fired.get(name.as_str()).cloned().unwrap_or_default();
        let e = table.entry(prov.clone()).or_default();
        let text: String = r["text"].as_str().unwrap().chars().take(70).collect();
        let peer_rule = r["rule"].as_str().unwrap();
        if r["kind"] == "tp" && NOT_CREDENTIALS.iter().any(|(id, _)| *id == peer_rule) {
            ident_total += 1;
            ident_found += usize::from(!rules.is_empty());
            continue;
        }
        if r["kind"] == "tp" {
            e.1 += 1;
            if rules.is_empty() {
                misses.push(format!("{}: {text:?}", r["rule"]));
            } else {
                e.0 += 1;
            }
        } else if tp_texts.contains(r["text"].as_str().unwrap()) {
            cross_type += 1;
        } else {
            e.3 += 1;
            let same = rules
                .iter()
                .filter(|id| our_providers(id, &by_id).contains(&prov))
                .collect::<Vec<_>>();
            if !same.is_empty() {
                e.2 += 1;
                fps.push(format!("{} ({same:?}): {text:?}", r["rule"]));
            }
        }
    }
    let (mut tp, mut tpn, mut fp, mut fpn) = (0, 0, 0, 0);
    println!("{:<14} {:>9} {:>9}", "provider", "tp found", "fp hit");
    for (p, (a, b, c, d)) in &table {
        println!("{p:<14} {:>4}/{:<4} {:>4}/{:<4}", a, b, c, d);
        tp += a;
        tpn += b;
        fp += c;
        fpn += d;
    }
    let tp_rate = tp as f64 / tpn as f64;
    let fp_rate = fp as f64 / fpn as f64;
    println!(
        "TOTAL tp {tp}/{tpn} = {:.1}%  fp {fp}/{fpn} = {:.1}%  ({cross_type} fp rows are another rule's tp: not scored)",
        tp_rate * 100.0,
        fp_rate * 100.0
    );
    println!(
        "not scored: {ident_found}/{ident_total} positives of identifier rules (ARNs, buckets, account IDs, public keys) reported"
    );
    println!("--- missed tp:\n{}", misses.join("\n"));
    println!("--- fp hit:\n{}", fps.join("\n"));
    assert!(tp_rate >= 0.97, "tp rate {:.1}% < 97%", tp_rate * 100.0);
    // The target, <= 3%, is met: 12/440 (2.7%) on 2026-11-26, after allowlisting
    // only values whose publication is documented (Firebase SDK test-fixture API keys,
    // nuget.config doc samples, Yarn's public Algolia search key). What remains are
    // contested labels, listed by this test: valid keys of a sibling credential type (an
    // Anthropic admin key, a New Relic NRAL license key), samples the peer regex misses
    // by construction and that gitleaks itself marks "False Negative" (Mailchimp), weak
    // passwords in code, and two Google API keys whose claimed publication could not be
    // traced. This bound guards against regressions.
    assert!(fp_rate <= 0.030, "fp rate {:.1}% > 3.0%", fp_rate * 100.0);
}
