//! Per-rule CPU cost of the document rules on a tree, single-threaded:
//! `cargo run --release --example rule_cost -- /tmp/envgate-bench/tree-20000-1`
//! Every manifest is parsed once; then each rule runs over every document, timed alone
//! (the shared per-document views are computed beforehand and timed on their own line).

use std::time::{Duration, Instant};

use envgate::config::Config;
use envgate::project::Project;
use envgate::rules::{DOCUMENT_RULES, DocumentContext};

fn main() {
    let root = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: rule_cost DIR"));
    let walked = envgate::walk::walk(&root, true, 2);
    let mut files = Vec::new();
    for f in walked.files {
        let kind = envgate::source::classify(&f.rel, &root);
        if !kind.is_parsed() {
            continue;
        }
        let Ok(src) = std::fs::read_to_string(&f.abs) else {
            continue;
        };
        files.push((f.rel, kind, src));
    }
    let t = Instant::now();
    let ks: Vec<_> = files
        .iter()
        .filter(|(_, k, _)| *k == envgate::source::FileKind::Kustomization)
        .filter_map(|(p, _, s)| envgate::project::KustomizationFile::parse(p, s))
        .collect();
    let n = ks.len();
    let known = envgate::project::KnownFiles::of(files.iter().map(|(p, _, _)| p.as_str()));
    let project = Project::from_parsed(Some(&root), ks, known);
    println!("graph: {:?} ({n} kustomizations)", t.elapsed());
    let parsed: Vec<_> = files
        .iter()
        .map(|(p, k, s)| (p, *k, s, envgate::yaml::parse_yaml(s)))
        .collect();
    let config = Config::default();
    // One context per document, its shared views computed up front (and timed), as the
    // pipeline shares them between rules.
    let t = Instant::now();
    let contexts: Vec<DocumentContext> = parsed
        .iter()
        .flat_map(|(path, kind, src, p)| {
            p.documents
                .iter()
                .map(|doc| DocumentContext::new(path, src, *kind, doc, &config, &project))
        })
        .collect();
    let t_new = t.elapsed();
    let t = Instant::now();
    for cx in &contexts {
        cx.objects();
        cx.containers();
        cx.pod_specs();
    }
    println!(
        "contexts: {t_new:?}; shared views (objects, containers, pod specs): {:?}",
        t.elapsed()
    );
    let mut rows: Vec<(Duration, &str, usize)> = Vec::new();
    for rule in DOCUMENT_RULES {
        let t = Instant::now();
        let mut n = 0;
        for cx in &contexts {
            let mut out = Vec::new();
            rule.check(cx, &mut out);
            n += out.len();
        }
        rows.push((t.elapsed(), rule.meta().id, n));
    }
    rows.sort();
    let total: Duration = rows.iter().map(|r| r.0).sum();
    for (d, id, n) in rows.iter().rev() {
        println!("{:>10.1?}  {id} ({n} findings)", d);
    }
    println!("{total:>10.1?}  total ({} files)", parsed.len());
}
