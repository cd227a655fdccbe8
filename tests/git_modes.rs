//! The git modes (`--staged`, `--diff`, `--commits`) against real repositories built in
//! temp dirs.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

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

fn commit(d: &Path, msg: &str) {
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", msg]);
}

fn rev(d: &Path, r: &str) -> String {
    let out = Command::new("git")
        .current_dir(d)
        .args(["rev-parse", r])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn diff_reports_new_findings_only() {
    let d = repo();
    // Old debt on main: a raw Secret and a duplicate key.
    write(d.path(), "apps/old.yaml", SECRET);
    write(d.path(), "apps/dup.yaml", "a: 1\nb: 2\na: 3\n");
    commit(d.path(), "old debt");
    git(d.path(), &["checkout", "-q", "-b", "feature"]);
    // The PR: a new secret in a new file, and a change far from the old duplicate key.
    write(
        d.path(),
        "apps/new.yaml",
        SECRET.replace("name: s", "name: n"),
    );
    write(d.path(), "apps/dup.yaml", "a: 1\nb: 2\na: 3\nc: 4\n");
    commit(d.path(), "feature");
    let (code, v) = json(&["--diff", "main"], d.path());
    assert_eq!(code, 1, "{v}");
    let paths: Vec<String> = hits(&v).into_iter().map(|h| h.1).collect();
    assert_eq!(paths, ["apps/new.yaml"], "old debt is not reported: {v}");
    // Uncommitted edits count too (the working tree against the merge base).
    write(d.path(), "apps/dup.yaml", "a: 1\nb: 2\na: 3\nc: 4\nc: 5\n");
    let (_, v) = json(&["--diff", "main"], d.path());
    let got: Vec<(String, u64)> = hits(&v).into_iter().map(|h| (h.1, h.2)).collect();
    assert_eq!(
        got,
        [
            ("apps/dup.yaml".to_string(), 5),
            ("apps/new.yaml".to_string(), 5)
        ]
    );
    // BASE..HEAD compares commits only.
    let (_, v) = json(&["--diff", "main..feature"], d.path());
    assert_eq!(hits(&v).len(), 1);
    // A bad revision is a usage error.
    assert_eq!(scan(&["--diff", "no-such-branch"], d.path()).0, 2);
}

#[test]
fn commits_catch_a_secret_added_and_removed_in_the_range() {
    let d = repo();
    let base = rev(d.path(), "HEAD");
    write(d.path(), "apps/leak.yaml", SECRET);
    commit(d.path(), "oops");
    let leak = rev(d.path(), "HEAD");
    std::fs::remove_file(d.path().join("apps/leak.yaml")).unwrap();
    commit(d.path(), "remove it");
    // The tree at HEAD is clean...
    assert_eq!(json(&[], d.path()).0, 0);
    // ...but the range still adds the secret, in commit `leak`.
    let (code, v) = json(&["--commits", &format!("{base}..HEAD")], d.path());
    assert_eq!(code, 1, "{v}");
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "raw-secret");
    assert_eq!(f["path"], "apps/leak.yaml");
    assert!(f["message"].as_str().unwrap().contains(&leak[..12]), "{f}");
    assert_eq!(
        scan(&["--commits", "HEAD"], d.path()).0,
        2,
        "a range is required"
    );
}

/// A long `--commits` scan shows a progress bar on an interactive terminal (a pty made by
/// `script`), and never when stderr is not a terminal (CI logs, redirects).
#[test]
fn commits_progress_only_on_a_terminal() {
    let d = repo();
    let base = rev(d.path(), "HEAD");
    for i in 0..600 {
        write(
            d.path(),
            &format!("apps/cm-{i}.yaml"),
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n"),
        );
    }
    commit(d.path(), "many");
    let range = format!("{base}..HEAD");
    let (_, _, err) = scan(&["--commits", &range], d.path());
    assert!(!err.contains("blobs of the range"), "{err}");
    let bin = assert_cmd::cargo::cargo_bin("envgate");
    let has_script = Command::new("script").arg("--version").output().is_ok();
    if !has_script {
        eprintln!("SKIPPED: `script` (util-linux) is absent: no pty to test the progress bar");
        return;
    }
    let cmd = format!(
        "{} scan --commits {range} --format json -o /dev/null",
        bin.display()
    );
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(d.path())
        .env_remove("CI")
        .env_remove("ENVGATE_NO_PROGRESS")
        .output()
        .unwrap();
    let tty = String::from_utf8_lossy(&out.stdout);
    assert!(tty.contains("blobs of the range"), "{tty}");
}
