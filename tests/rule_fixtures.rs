//! Per-rule fixtures: `tests/fixtures/rules/<rule-id>/positive/` and `negative/` are small
//! repositories (a kustomize layout when the rule is about the graph). The positive tree
//! must raise the rule — its findings are snapshotted (`rule_fixtures__<rule-id>.snap`) —
//! and the negative tree, which holds the rule's documented false-positive traps, must not.
//! An off-by-default rule's trees carry an `.envgate.yaml` that turns it on.
//!
//! Every rule of the manifest groups (hygiene, workloads, kustomize, api, gitops) must have
//! a fixture directory.

mod common;

use std::path::Path;

use common::{envgate, fixture};

const FIXTURED_GROUPS: &[&str] = &["hygiene", "workloads", "kustomize", "api", "gitops"];

/// (id, group) of every rule, from `envgate rules`.
fn rules() -> Vec<(String, String)> {
    let out = envgate().arg("rules").output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let mut it = l.split_whitespace();
            (
                it.next().unwrap().to_string(),
                it.next().unwrap().to_string(),
            )
        })
        .collect()
}

/// `path:line:col severity message` of each finding of `rule` in the tree `dir`.
fn findings_of(rule: &str, dir: &Path) -> Vec<String> {
    let out = envgate()
        .current_dir(dir)
        .args(["scan", "--format", "json", "."])
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: {e}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(code == 0 || code == 1, "{}: exit {code}", dir.display());
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            format!(
                "{}:{}:{} {} {}",
                f["path"].as_str().unwrap(),
                f["line"],
                f["column"],
                f["severity"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn every_rule_fixture_fires_on_positive_and_not_on_negative() {
    let base = fixture("rules");
    let known = rules();
    let mut dirs: Vec<_> = std::fs::read_dir(&base)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut failures = Vec::new();
    for dir in &dirs {
        let id = dir.file_name().unwrap().to_str().unwrap();
        assert!(
            known.iter().any(|(k, _)| k == id),
            "fixture {id} names no rule"
        );
        let pos = findings_of(id, &dir.join("positive"));
        if pos.is_empty() {
            failures.push(format!("{id}: positive fixture raised nothing"));
        }
        insta::assert_snapshot!(id, pos.join("\n"));
        let neg = findings_of(id, &dir.join("negative"));
        if !neg.is_empty() {
            failures.push(format!(
                "{id}: negative fixture raised:\n  {}",
                neg.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_manifest_rule_has_a_fixture() {
    let base = fixture("rules");
    let missing: Vec<String> = rules()
        .into_iter()
        .filter(|(id, group)| FIXTURED_GROUPS.contains(&group.as_str()) && !base.join(id).is_dir())
        .map(|(id, _)| id)
        .collect();
    assert!(
        missing.is_empty(),
        "rules without tests/fixtures/rules/<id>/: {missing:?}"
    );
}
