//! Report formats: snapshots of what users see, and SARIF validated against the official
//! SARIF 2.1.0 schema (tests/schemas/sarif-schema-2.1.0.json, from oasis-tcs/sarif-spec).

mod common;

use common::*;

fn stdout(args: &[&str]) -> String {
    let mut a = vec!["--color", "never"];
    a.extend_from_slice(args);
    scan(&a, &fixture("basic")).1
}

#[test]
fn human_snapshot() {
    insta::assert_snapshot!("human", stdout(&[]));
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!("json", stdout(&["--format", "json"]));
}

#[test]
fn sarif_snapshot() {
    insta::assert_snapshot!("sarif", stdout(&["--format", "sarif"]));
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("schemas/sarif-schema-2.1.0.json")).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let validator = sarif_validator();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in [
        "tests/fixtures/basic",
        "examples/env-repo",
        "tests/fixtures/adversarial",
    ] {
        let (_, out, _) = scan(&["--format", "sarif", dir], root);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&v)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{dir}: {errors:#?}");
        assert!(!v["runs"][0]["results"].as_array().unwrap().is_empty());
    }
}

#[test]
fn the_schema_check_can_fail() {
    // Guard against a validator that accepts anything.
    let validator = sarif_validator();
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {}}]});
    assert!(validator.iter_errors(&bad).next().is_some());
    let bad_level = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
        "results": [{"message": {"text": "m"}, "level": "fatal"}]}]});
    assert!(validator.iter_errors(&bad_level).next().is_some());
}

#[test]
fn sarif_carries_what_code_scanning_needs() {
    let v: serde_json::Value = serde_json::from_str(&stdout(&["--format", "sarif"])).unwrap();
    let run = &v["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in &run["results"].as_array().unwrap()[..] {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        assert!(r["partialFingerprints"]["envgate/v1"].is_string());
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
        assert!(region["startColumn"].as_u64().unwrap() >= 1);
    }
}

#[test]
fn github_snapshot() {
    insta::assert_snapshot!("github", stdout(&["--format", "github"]));
}

#[test]
fn gitlab_snapshot() {
    insta::assert_snapshot!("gitlab", stdout(&["--format", "gitlab"]));
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!("junit", stdout(&["--format", "junit"]));
}

#[test]
fn github_annotations_escape_and_write_the_job_summary() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "odd, name:50%.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: x}\nstringData: {a: bcdefghij}\n",
    );
    let summary = dir.path().join("summary.md");
    let out = envgate()
        .current_dir(dir.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["scan", "--format", "github", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("::error file=odd%2C name%3A50%25.yaml,line=4,col=14,"),
        "{text}"
    );
    assert!(text.contains("title=envgate raw-secret::"));
    assert!(
        text.contains("%0Ahelp: "),
        "newlines in the message are escaped"
    );
    assert_eq!(text.lines().count(), 1);
    let md = std::fs::read_to_string(summary).unwrap();
    assert!(md.contains("| `raw-secret` | 1 |"), "{md}");
    assert!(md.contains("envgate:allow"));
}

#[test]
fn gitlab_fingerprints_are_unique() {
    let dir = tempfile::tempdir().unwrap();
    // The same secret twice in one file: two issues, two fingerprints.
    write(
        dir.path(),
        "a.env",
        "API_TOKEN=Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB\nOTHER_TOKEN=Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB\n",
    );
    let (_, out, _) = scan(&["--format", "gitlab"], dir.path());
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let fps: std::collections::BTreeSet<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(fps.len(), 2);
    assert_eq!(v[0]["location"]["lines"]["begin"], 1);
}
