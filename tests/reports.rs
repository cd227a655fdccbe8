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
