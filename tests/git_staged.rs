//! `--staged` against real git repositories built in temp dirs.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn git(dir: &Path, args: &[&str]) {
    let st = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .status()
        .unwrap();
    assert!(st.success(), "git {args:?}");
}

const SECRET: &str = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  token: staged-only-value-1234\n";
const CLEAN: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\n";

fn repo() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    git(d.path(), &["init", "-q", "-b", "main"]);
    write(d.path(), "apps/a.yaml", CLEAN);
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-q", "-m", "init"]);
    d
}

#[test]
fn staged_content_is_what_is_scanned() {
    // Secret only in the index: found, at the staged content's position.
    let d = repo();
    write(d.path(), "apps/a.yaml", SECRET);
    git(d.path(), &["add", "apps/a.yaml"]);
    write(d.path(), "apps/a.yaml", CLEAN); // the working tree no longer has it
    let (code, v) = json(&["--staged"], d.path());
    assert_eq!(code, 1, "{v}");
    assert_eq!(
        hits(&v),
        vec![("raw-secret".into(), "apps/a.yaml".into(), 5, 3)]
    );
    // Without --staged the working tree is clean.
    assert_eq!(json(&[], d.path()).0, 0);

    // Secret only in the working tree: not found with --staged.
    let d = repo();
    write(d.path(), "apps/b.yaml", CLEAN);
    git(d.path(), &["add", "apps/b.yaml"]);
    write(d.path(), "apps/b.yaml", SECRET);
    let (code, v) = json(&["--staged"], d.path());
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["summary"]["files_scanned"], 1);
    assert_eq!(json(&[], d.path()).0, 1);
}

#[test]
fn staged_paths_narrow_and_work_from_a_subdirectory() {
    let d = repo();
    write(d.path(), "apps/x/s.yaml", SECRET);
    write(d.path(), "other/s.yaml", SECRET);
    git(d.path(), &["add", "."]);
    let (_, v) = json(&["--staged", "apps"], d.path());
    let paths: Vec<String> = hits(&v).into_iter().map(|h| h.1).collect();
    assert_eq!(paths, ["apps/x/s.yaml"]);
    // From a subdirectory: paths stay relative to the repository root.
    let (_, v) = json(&["--staged"], &d.path().join("apps"));
    let paths: Vec<String> = hits(&v).into_iter().map(|h| h.1).collect();
    assert_eq!(paths, ["apps/x/s.yaml", "other/s.yaml"]);
}

#[test]
fn outside_a_repository_is_a_usage_error() {
    let d = tempfile::tempdir().unwrap();
    let (code, _, err) = scan(&["--staged"], d.path());
    assert_eq!(code, 2);
    assert!(err.contains("git"), "{err}");
}
