//! The shipped integrations, run here as far as they can be without a hosted runner:
//! the composite GitHub Action's scan step is taken from `action.yml` (parsed, not copied),
//! its `${{ … }}` expressions filled in as the runner would, and run with bash in a real
//! git repository with a pull-request history.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

const CLEAN: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: apps\ndata:\n  LOG_LEVEL: info\n";
const SECRET: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: apps\nstringData:\n  password: hunter2-but-much-longer-Zq8\n";

/// The `run:` script of the action step whose name starts with `prefix`.
fn action_step(prefix: &str) -> String {
    let src =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml")).unwrap();
    let parsed = envgate::yaml::parse_yaml(&src);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let root = &parsed.documents[0].root;
    assert_eq!(
        root.get("runs").and_then(|r| r.get_str("using")),
        Some("composite")
    );
    let steps = root.get("runs").and_then(|r| r.get("steps")).unwrap();
    for s in steps.items() {
        if s.get("run").is_some() {
            assert_eq!(
                s.get_str("shell"),
                Some("bash"),
                "composite run steps need a shell"
            );
        }
    }
    steps
        .items()
        .iter()
        .find(|s| s.get_str("name").is_some_and(|n| n.starts_with(prefix)))
        .and_then(|s| s.get_str("run"))
        .unwrap_or_else(|| panic!("no step `{prefix}…` in action.yml"))
        .to_string()
}

fn run_step(script: &str, dir: &Path, base: &str, sarif: bool) -> (i32, String) {
    let filled = script
        .replace("${{ inputs.base }}", base)
        .replace("${{ inputs.args }}", "")
        .replace("${{ inputs.sarif }}", if sarif { "true" } else { "false" });
    assert!(!filled.contains("${{"), "unfilled expression:\n{filled}");
    let bin = assert_cmd::cargo::cargo_bin("envgate");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-c", &filled])
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn rev(d: &Path) -> String {
    let out = Command::new("git")
        .current_dir(d)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn the_action_scan_step_gates_a_pull_request() {
    let script = action_step("Scan what the pull request changes");
    let d = tempfile::tempdir().unwrap();
    git(d.path(), &["init", "-q", "-b", "main"]);
    write(d.path(), "apps/cm.yaml", CLEAN);
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-q", "-m", "base"]);
    let base = rev(d.path());

    // A clean pull request passes.
    write(d.path(), "apps/cm2.yaml", CLEAN.replace("settings", "more"));
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-q", "-m", "clean change"]);
    let (code, out) = run_step(&script, d.path(), &base, true);
    assert_eq!(code, 0, "{out}");
    assert!(d.path().join("envgate.sarif").is_file());

    // A secret added and removed again inside the pull request fails it (--commits), with
    // a GitHub annotation that does not print the value.
    write(d.path(), "apps/db.yaml", SECRET);
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-q", "-m", "oops"]);
    std::fs::remove_file(d.path().join("apps/db.yaml")).unwrap();
    git(d.path(), &["add", "-A"]);
    git(d.path(), &["commit", "-q", "-m", "remove it"]);
    let (code, out) = run_step(&script, d.path(), &base, false);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("::error file=apps/db.yaml,line=7"), "{out}");
    assert!(!out.contains("hunter2-but-much-longer"), "{out}");
}
