//! End-to-end behaviour of the binary: exit codes, inputs, config, determinism.

mod common;

use common::*;
use predicates::prelude::*;

fn h(rule: &str, path: &str, line: u64, col: u64) -> (String, String, u64, u64) {
    (rule.into(), path.into(), line, col)
}

#[test]
fn basic_fixture_findings_are_exact() {
    let (code, v) = json(&[], &fixture("basic"));
    assert_eq!(code, 1);
    assert_eq!(
        hits(&v),
        vec![
            h(
                "memory-limit-missing",
                "apps/web/base/deployment.yaml",
                9,
                17
            ),
            h(
                "resources-requests-missing",
                "apps/web/base/deployment.yaml",
                9,
                17
            ),
            h(
                "kustomize-secret-literal",
                "apps/web/base/kustomization.yaml",
                8,
                9
            ),
            h("raw-secret", "apps/web/base/secret.yaml", 9, 3),
            h("raw-secret", "apps/web/base/secret.yaml", 10, 3),
            h("yaml-syntax", "apps/web/prod/broken.yaml", 8, 11),
            h("raw-secret", "apps/web/prod/broken.yaml", 15, 3),
            h("duplicate-key", "apps/web/prod/configmap.yaml", 8, 3),
            h("raw-secret", "misc/list.json", 1, 129),
        ]
    );
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["files_scanned"], 10);
    assert_eq!(v["summary"]["errors"], 7);
}

#[test]
fn exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ok.yaml", "apiVersion: v1\nkind: ConfigMap\n");
    assert_eq!(scan(&["."], dir.path()).0, 0);
    write(
        dir.path(),
        "s.yaml",
        "apiVersion: v1\nkind: Secret\nstringData: {a: bcdefgh}\n",
    );
    assert_eq!(scan(&["."], dir.path()).0, 1);
    // usage errors
    assert_eq!(scan(&["no-such-path"], dir.path()).0, 2);
    assert_eq!(scan(&["--format", "xml"], dir.path()).0, 2);
    assert_eq!(scan(&["--jobs", "0"], dir.path()).0, 2);
    // config errors
    write(dir.path(), "bad.yaml", "rules:\n  raw-secret: loud\n");
    let (code, _, err) = scan(&["--config", "bad.yaml"], dir.path());
    assert_eq!(code, 2);
    assert!(err.contains("bad.yaml:2:15"), "{err}");
}

#[test]
fn fail_on_and_rule_levels() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "s.yaml",
        "apiVersion: v1\nkind: Secret\nstringData: {a: bcdefgh}\n",
    );
    write(
        dir.path(),
        ".envgate.yaml",
        "rules:\n  raw-secret: warning\n",
    );
    let (code, v) = json(&[], dir.path());
    assert_eq!(code, 0, "a warning does not fail by default");
    assert_eq!(v["findings"][0]["severity"], "warning");
    assert_eq!(json(&["--fail-on", "warning"], dir.path()).0, 1);
    write(
        dir.path(),
        ".envgate.yaml",
        "fail-on: info\nrules:\n  raw-secret: info\n",
    );
    assert_eq!(json(&[], dir.path()).0, 1);
    assert_eq!(json(&["--fail-on", "error"], dir.path()).0, 0);
    write(dir.path(), ".envgate.yaml", "rules:\n  raw-secret: off\n");
    let (code, v) = json(&[], dir.path());
    assert_eq!(code, 0);
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn config_is_found_upward_to_the_git_root_and_excludes_apply() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    write(dir.path(), ".envgate.yaml", "exclude: ['legacy']\n");
    write(
        dir.path(),
        "env/legacy/s.yaml",
        "apiVersion: v1\nkind: Secret\ndata: {a: YWJj}\n",
    );
    write(
        dir.path(),
        "env/app/s.yaml",
        "apiVersion: v1\nkind: Secret\ndata: {a: YWJj}\n",
    );
    let (_, v) = json(&["env"], dir.path());
    let paths: Vec<_> = hits(&v).into_iter().map(|h| h.1).collect();
    assert_eq!(
        paths,
        ["app/s.yaml"],
        "a glob without / matches at any depth"
    );
    // Globs are relative to the config file, whatever the scan root.
    write(dir.path(), ".envgate.yaml", "exclude: ['env/legacy']\n");
    for root in [".", "env"] {
        let (_, v) = json(&[root], dir.path());
        let paths: Vec<_> = hits(&v).into_iter().map(|h| h.1).collect();
        assert_eq!(paths.len(), 1, "{root}: {paths:?}");
        assert!(paths[0].ends_with("app/s.yaml"));
    }
}

#[test]
fn explicit_files_and_stdin() {
    let base = fixture("basic");
    let (code, v) = json(&["apps/web/base/secret.yaml", "misc/app.env"], &base);
    assert_eq!(code, 1);
    assert_eq!(hits(&v).len(), 2);
    assert_eq!(v["summary"]["files_scanned"], 2);

    let out = envgate()
        .args([
            "scan",
            "--format",
            "json",
            "--stdin-filename",
            "k/secret.yaml",
            "-",
        ])
        .write_stdin("apiVersion: v1\nkind: Secret\nstringData:\n  a: bcdefgh\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(hits(&v), vec![h("raw-secret", "k/secret.yaml", 4, 3)]);
}

#[test]
fn output_file_and_summary_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.sarif");
    envgate()
        .current_dir(fixture("basic"))
        .args(["scan", "--format", "sarif", "--output"])
        .arg(&out)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("scanned 10 files"));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
    assert_eq!(v["version"], "2.1.0");
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for format in ["json", "sarif", "human"] {
        let runs: Vec<String> = ["1", "2", "7"]
            .iter()
            .map(|j| {
                scan(
                    &[
                        "--format",
                        format,
                        "--jobs",
                        j,
                        "--color",
                        "never",
                        "tests/fixtures",
                        "examples",
                    ],
                    root,
                )
                .1
            })
            .collect();
        assert!(!runs[0].is_empty());
        assert_eq!(runs[0], runs[1], "{format}");
        assert_eq!(runs[0], runs[2], "{format}");
    }
}

#[test]
fn color_follows_the_flag_and_no_color() {
    let base = fixture("basic");
    let (_, out, _) = scan(&["--color", "always"], &base);
    assert!(out.contains("\x1b["));
    let (_, out, _) = scan(&["--color", "auto"], &base);
    assert!(!out.contains("\x1b["), "not a terminal");
    let (_, out, _) = scan(&["--color", "never"], &base);
    assert!(!out.contains("\x1b["));
}

#[test]
fn rules_and_explain() {
    envgate().arg("rules").assert().success().stdout(
        predicate::str::contains("raw-secret  ").and(predicate::str::contains("file-too-large")),
    );
    envgate()
        .args(["explain", "raw-secret"])
        .assert()
        .success()
        .stdout(predicate::str::contains("## Why is this bad?"));
    envgate()
        .args(["explain", "no-such-rule"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule"));
}

#[test]
fn quickstart_example_reports_the_planted_problems() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, v) = json(&["examples/env-repo"], root);
    assert_eq!(code, 1);
    let rules: Vec<_> = hits(&v).into_iter().map(|h| (h.0, h.1)).collect();
    assert_eq!(
        rules,
        vec![
            (
                "duplicate-key".into(),
                "apps/production/configmap-dup.yaml".into()
            ),
            // `version: "20.x"`: the chart floats over every 20.* release.
            (
                "flux-helmrelease-chart-unpinned".into(),
                "apps/production/redis.yaml".into()
            ),
            ("raw-secret".into(), "apps/staging/debug-secret.yaml".into()),
            ("raw-secret".into(), "apps/staging/debug-secret.yaml".into()),
            (
                "kustomize-secret-literal".into(),
                "apps/staging/kustomization.yaml".into()
            ),
            (
                "flux-helmrelease-chart-unpinned".into(),
                "apps/staging/redis.yaml".into()
            ),
        ]
    );
}

#[test]
fn the_readme_config_example_is_valid() {
    let readme = include_str!("../README.md");
    let section = &readme[readme.find("## Configuration").unwrap()..];
    let start = section.find("```yaml\n").unwrap() + "```yaml\n".len();
    let body = &section[start..start + section[start..].find("```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".envgate.yaml", body);
    write(
        dir.path(),
        "a.env",
        "ACME=acme_dt_0123456789abcdef0123456789abcdef\n",
    );
    let (code, v) = json(&[], dir.path());
    assert_eq!(code, 1, "{v}");
    assert_eq!(hits(&v)[0].0, "acme-deploy-token");
}

#[test]
fn init_writes_a_valid_config_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    envgate()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .success()
        .stdout(predicate::str::contains("id: envgate"));
    let text = std::fs::read_to_string(dir.path().join(".envgate.yaml")).unwrap();
    assert!(text.contains("fail-on: error"));
    assert_eq!(scan(&["."], dir.path()).0, 0, "the starter config loads");
    // ...with no finding of its own, and its commented examples work when uncommented.
    let (_, v) = json(&["."], dir.path());
    assert!(hits(&v).is_empty(), "{v}");
    let uncommented: String = text
        .replace("rules: {}", "rules:")
        .replace("allow: []", "allow:")
        .replace("# cluster-roots:", "cluster-roots:")
        .lines()
        .map(|l| {
            let examples = [
                "#  rbac-wildcard",
                "#  - rule: host-namespace",
                "#    kind:",
                "#    name: node",
                "#    reason: node",
            ];
            if examples.iter().any(|e| l.starts_with(e)) {
                format!("{}\n", l.replacen('#', " ", 1))
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    assert!(uncommented.contains("\ncluster-roots: ["), "{uncommented}");
    std::fs::write(dir.path().join(".envgate.yaml"), uncommented).unwrap();
    let (code, v) = json(&["."], dir.path());
    assert_eq!(code, 0, "{v}");
    assert!(hits(&v).is_empty(), "{v}");
    std::fs::write(dir.path().join(".envgate.yaml"), &text).unwrap();
    envgate()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
}

#[test]
fn cross_file_findings_honour_suppressions_in_every_format() {
    // Two files of one unit define ConfigMap app/settings: duplicate-resource reports both.
    // One copy carries an inline marker, the other the annotation; a third pair none.
    let d = tempfile::tempdir().unwrap();
    let w = |p: &str, s: &str| {
        let f = d.path().join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, s).unwrap();
    };
    w(
        "app/kustomization.yaml",
        "namespace: app\nresources: [a.yaml, b.yaml, c.yaml, d.yaml]\n",
    );
    w(
        "app/a.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  # envgate:ignore duplicate-resource -- generated twice on purpose\n  name: settings\n",
    );
    w(
        "app/b.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  annotations:\n    envgate.dev/ignore: duplicate-resource\n",
    );
    w(
        "app/c.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: other\n",
    );
    w(
        "app/d.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: other\n",
    );
    let dups = |v: &serde_json::Value| -> Vec<String> {
        hits(v)
            .into_iter()
            .filter(|h| h.0 == "duplicate-resource")
            .map(|h| format!("{}:{}", h.1, h.2))
            .collect()
    };
    let (_, v) = json(&[], d.path());
    assert_eq!(dups(&v), ["app/c.yaml:4", "app/d.yaml:4"]);
    // The human report (which renders snippets, so re-reads every file) agrees.
    let (_, out, _) = scan(&["--format", "human", "--color", "never"], d.path());
    assert!(
        out.contains("app/c.yaml:4") && out.contains("app/d.yaml:4"),
        "{out}"
    );
    assert!(
        !out.contains("app/a.yaml:5") && !out.contains("app/b.yaml:4"),
        "{out}"
    );
    // A config entry by path suppresses without any marker in the file.
    w(
        ".envgate.yaml",
        "ignore:\n  - rule: duplicate-resource\n    path: app/c.yaml\n    reason: test\n",
    );
    let (_, v) = json(&[], d.path());
    assert_eq!(dups(&v), ["app/d.yaml:4"]);
}
