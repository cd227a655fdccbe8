//! Micro-benchmarks of the manifest pack's parts, in memory (no file system): `cargo bench
//! --bench pack`. On a shared machine whose speed drifts, these in-process timings are
//! steadier than the end-to-end `scripts/cost-breakdown`, so a change to one part (the
//! kustomize graph, the per-document rules, the cross-file stage) can be judged alone.
//!
//! The repository is synthetic and shaped like `gen-env-repo`'s: per app a base
//! (Deployment, Service, ConfigMap, HPA) and three overlays that set a namespace, patch the
//! Deployment and add an overlay-only object, so every unit has a few duplicates to report.

use std::fmt::Write;

use envgate::config::Config;
use envgate::cross_file::{AllFacts, Facts, Wanted};
use envgate::project::Project;
use envgate::rules::{DOCUMENT_RULES, DocumentContext};
use envgate::source::classify_name;
use envgate::yaml::{ParsedYaml, parse_yaml};

fn main() {
    divan::main();
}

/// (path, content) of every file of `apps` applications.
fn repo(apps: usize) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for a in 0..apps {
        let base = format!("apps/app-{a}/base");
        let mut deploy = String::new();
        write!(
            deploy,
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{a}\n  labels: {{app: app-{a}}}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {{app: app-{a}}}\n  template:\n    metadata:\n      labels: {{app: app-{a}}}\n    spec:\n      containers:\n        - name: app\n          image: ghcr.io/org/app-{a}:1.{a}.0\n          ports: [{{containerPort: 8080, name: http}}]\n          readinessProbe: {{httpGet: {{path: /ready, port: http}}}}\n          resources:\n            requests: {{cpu: 100m, memory: 128Mi}}\n            limits: {{memory: 256Mi}}\n          env:\n            - {{name: LOG_LEVEL, value: info}}\n"
        )
        .unwrap();
        files.push((format!("{base}/deployment.yaml"), deploy));
        files.push((
            format!("{base}/service.yaml"),
            format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: app-{a}\nspec:\n  selector: {{app: app-{a}}}\n  ports: [{{port: 80, targetPort: http}}]\n"),
        ));
        files.push((
            format!("{base}/configmap.yaml"),
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-{a}-config\ndata:\n  LOG_LEVEL: info\n  FEATURE_X: \"true\"\n"),
        ));
        files.push((
            format!("{base}/hpa.yaml"),
            format!("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: app-{a}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: app-{a}}}\n  minReplicas: 2\n  maxReplicas: 5\n"),
        ));
        files.push((
            format!("{base}/kustomization.yaml"),
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n  - service.yaml\n  - configmap.yaml\n  - hpa.yaml\n".to_string(),
        ));
        for env in ["dev", "staging", "prod"] {
            let dir = format!("apps/app-{a}/{env}");
            files.push((
                format!("{dir}/kustomization.yaml"),
                format!("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: app-{a}-{env}\nresources:\n  - ../base\n  - hpa.yaml\npatches:\n  - path: patch-deployment.yaml\nimages:\n  - name: ghcr.io/org/app-{a}\n    newTag: 1.{a}.1\n"),
            ));
            files.push((
                format!("{dir}/patch-deployment.yaml"),
                format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{a}\nspec:\n  replicas: 3\n"),
            ));
            // The same HPA as the base's: a duplicate in the unit.
            files.push((
                format!("{dir}/hpa.yaml"),
                format!("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: app-{a}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: app-{a}}}\n  minReplicas: 3\n  maxReplicas: 9\n"),
            ));
        }
    }
    files.sort();
    files
}

fn is_kustomization(path: &str) -> bool {
    path.ends_with("kustomization.yaml")
}

fn graph(files: &[(String, String)]) -> Project {
    let ks: Vec<(&str, &str)> = files
        .iter()
        .filter(|(p, _)| is_kustomization(p))
        .map(|(p, s)| (p.as_str(), s.as_str()))
        .collect();
    Project::build(None, &ks)
}

/// The kustomize graph of the repository (parse of every kustomization included).
#[divan::bench(args = [100, 1000])]
fn kustomize_graph(bencher: divan::Bencher, apps: usize) {
    let files = repo(apps);
    bencher.bench(|| graph(divan::black_box(&files)));
}

/// Every per-document rule of the manifest groups over the parsed files (the parse is not
/// measured), against none of them: the difference is what the pack's per-document rules
/// cost.
#[divan::bench(args = ["none", "pack"])]
fn document_rules(bencher: divan::Bencher, rules: &str) {
    let files = repo(300);
    let project = graph(&files);
    let config = Config::default();
    let parsed: Vec<ParsedYaml> = files.iter().map(|(_, s)| parse_yaml(s)).collect();
    let manifest_groups = ["hygiene", "workloads", "kustomize", "api", "gitops"];
    let on: Vec<_> = DOCUMENT_RULES
        .iter()
        .copied()
        .filter(|r| rules == "pack" && manifest_groups.contains(&r.meta().group))
        .filter(|r| config.is_enabled(r.meta()))
        .collect();
    bencher.bench(|| {
        let mut findings = Vec::new();
        for ((path, src), p) in files.iter().zip(&parsed) {
            let info = project.file(path);
            for doc in &p.documents {
                let cx = DocumentContext::with_file_info(
                    path,
                    src,
                    classify_name(path),
                    doc,
                    &config,
                    &project,
                    info,
                )
                .in_file(&p.documents);
                for r in &on {
                    r.check(&cx, &mut findings);
                }
            }
        }
        findings.len()
    });
}

/// The cross-file stage: recording each file's facts, then comparing them.
#[divan::bench(args = [100, 1000])]
fn cross_file(bencher: divan::Bencher, apps: usize) {
    let files = repo(apps);
    let project = graph(&files);
    let config = Config::default();
    let parsed: Vec<ParsedYaml> = files.iter().map(|(_, s)| parse_yaml(s)).collect();
    let scan_wanted = Wanted::for_scan(&project, &config);
    bencher.bench(|| {
        let mut parts = Vec::with_capacity(files.len());
        for ((path, src), p) in files.iter().zip(&parsed) {
            let info = project.file(path);
            let wanted = scan_wanted.for_file(info, src);
            let mut facts = Facts::default();
            for doc in &p.documents {
                let objects = envgate::manifest::objects(&doc.root);
                facts.collect(
                    &envgate::cross_file::SharedPath::new(path),
                    src,
                    info,
                    &objects,
                    &project,
                    wanted,
                );
            }
            parts.push(facts);
        }
        AllFacts::gather(parts.iter())
            .check(&project, &config)
            .len()
    });
}
