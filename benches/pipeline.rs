//! Micro-benchmarks of the hot stages: `cargo bench`.
//! The end-to-end benchmark over a 20,000-file synthetic repo is `scripts/bench`.

use std::fmt::Write;

use envgate::yaml::parse_yaml;

fn main() {
    divan::main();
}

/// A manifest stream shaped like an env repo: Deployments, ConfigMaps and Secrets.
fn manifest_stream(docs: usize) -> String {
    let mut s = String::new();
    for i in 0..docs {
        write!(
            s,
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  namespace: ns-{ns}\n  labels: {{app: app-{i}, tier: web}}\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ghcr.io/org/app-{i}:1.{i}.0\n          env:\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef: {{name: db-{i}, key: password}}\n          resources:\n            limits: {{cpu: 500m, memory: 256Mi}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg-{i}\ndata:\n  LOG_LEVEL: info\n  config.json: |\n    {{\"a\": 1, \"b\": [1, 2, 3]}}\n",
            ns = i % 7
        )
        .unwrap();
    }
    s
}

#[divan::bench(args = [100, 1000])]
fn parse(bencher: divan::Bencher, docs: usize) {
    let src = manifest_stream(docs);
    bencher
        .counter(divan::counter::BytesCount::new(src.len()))
        .bench(|| parse_yaml(divan::black_box(&src)));
}

#[divan::bench]
fn scan_example_repo(bencher: divan::Bencher) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/env-repo");
    bencher.bench(|| {
        envgate::scan::scan(envgate::scan::ScanRequest {
            paths: vec![root.clone()],
            stdin_filename: None,
            jobs: 1,
            respect_ignore: true,
            max_file_size: envgate::scan::DEFAULT_MAX_FILE_SIZE,
            config: Default::default(),
            envelope_keys: Default::default(),
            staged: false,
            diff: None,
            commits: None,
            snippets: true,
        })
        .unwrap()
        .findings
        .len()
    });
}

/// The credential engine over the same bytes with the first N built-in rules vs all of
/// them: the keyword prefilter should keep the cost near-flat in the rule count.
#[divan::bench(args = [10, usize::MAX])]
fn secret_engine(bencher: divan::Bencher, n: usize) {
    use envgate::secrets::pattern::parse_rule_file;
    let mut rules = Vec::new();
    for (name, text) in envgate::secrets::engine::builtin_rule_files() {
        rules.extend(parse_rule_file(name, text).unwrap());
    }
    rules.truncate(n);
    let engine = envgate::secrets::Engine::new(rules);
    let src = manifest_stream(2000);
    let bytes = src.as_bytes();
    // Compile the regexes outside the measurement.
    engine.scan(bytes, "x.yaml", &|_| true);
    bencher
        .counter(divan::counter::BytesCount::new(bytes.len()))
        .bench(|| {
            engine
                .scan(divan::black_box(bytes), "x.yaml", &|_| true)
                .len()
        });
}
