//! The shipped `.pre-commit-hooks.yaml`, run by the real pre-commit (PyPI) with
//! `pre-commit try-repo` against this checkout: the `envgate-system` hook, with the envgate
//! built by cargo on PATH. (The `envgate` hook, `language: rust`, runs `cargo install` of
//! the whole crate first: minutes, so it is exercised by `scripts/precommit-rust-e2e`, not
//! on every CI run.) SKIPPED when `pre-commit` is not installed (`pip install pre-commit`).

mod common;

use std::path::Path;
use std::process::Command;

use common::{git, write};

fn have_precommit() -> bool {
    Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn try_repo(dir: &Path) -> (i32, String) {
    let bin = assert_cmd::cargo::cargo_bin("envgate");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let home = dir.join(".precommit-cache");
    let out = Command::new("pre-commit")
        .current_dir(dir)
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", home)
        .args([
            "try-repo",
            env!("CARGO_MANIFEST_DIR"),
            "envgate-system",
            "--color",
            "never",
        ])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn the_real_pre_commit_runs_the_hook() {
    if !have_precommit() {
        eprintln!("SKIPPED: pre-commit not installed (pip install pre-commit)");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    git(d.path(), &["init", "-q", "-b", "main"]);
    write(
        d.path(),
        "apps/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    );
    write(d.path(), "README.md", "docs are not passed to the hook\n");
    git(d.path(), &["add", "."]);
    let (code, out) = try_repo(d.path());
    assert_eq!(code, 0, "clean staged files pass:\n{out}");

    write(
        d.path(),
        "apps/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  token: hook-must-catch-this-1\n",
    );
    git(d.path(), &["add", "apps/secret.yaml"]);
    let (code, out) = try_repo(d.path());
    assert_eq!(code, 1, "a staged raw Secret fails:\n{out}");
    assert!(out.contains("raw-secret"), "{out}");
    assert!(out.contains("apps/secret.yaml:5:3"), "{out}");
    assert!(!out.contains("hook-must-catch-this-1"), "redacted:\n{out}");
}
