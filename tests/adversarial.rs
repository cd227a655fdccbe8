//! Hostile or odd inputs: each is a clear finding or a counted skip, never a panic,
//! never unbounded memory (aliases are never expanded; depth is capped).

mod common;

use common::*;

#[test]
fn every_adversarial_file_has_a_clear_outcome() {
    let (code, v) = json(&[], &fixture("adversarial"));
    assert_eq!(code, 1);
    let got: Vec<(String, String)> = hits(&v).into_iter().map(|h| (h.1, h.0)).collect();
    let want = [
        ("alias-bomb.yaml", "yaml-too-complex"),
        ("bom.yaml", "raw-secret"),
        ("crlf.yaml", "raw-secret"),
        ("deep-block.yaml", "yaml-too-complex"),
        ("deep-flow.yaml", "yaml-too-complex"),
        ("invalid-utf8.yaml", "yaml-syntax"),
        ("nul-in-manifest.yaml", "yaml-syntax"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(got, want);
    // binary.bin is skipped and counted; empty.yaml and only-comments.yaml are clean.
    assert_eq!(v["summary"]["files_binary"], 1);
    assert_eq!(v["summary"]["files_scanned"], 9);
}

#[test]
fn positions_in_odd_encodings() {
    let (_, v) = json(
        &[
            "invalid-utf8.yaml",
            "bom.yaml",
            "crlf.yaml",
            "nul-in-manifest.yaml",
        ],
        &fixture("adversarial"),
    );
    let h = hits(&v);
    assert!(
        h.contains(&("yaml-syntax".into(), "invalid-utf8.yaml".into(), 4, 9)),
        "{h:?}"
    );
    assert!(
        h.contains(&("raw-secret".into(), "bom.yaml".into(), 4, 3)),
        "{h:?}"
    );
    assert!(
        h.contains(&("raw-secret".into(), "crlf.yaml".into(), 4, 3)),
        "{h:?}"
    );
    assert!(
        h.contains(&("yaml-syntax".into(), "nul-in-manifest.yaml".into(), 2, 16)),
        "{h:?}"
    );
}

#[test]
fn big_alias_bomb_and_very_deep_files_finish_quickly() {
    // 12 levels of 10x fan-out: 10^12 nodes if anything expanded it.
    let dir = tempfile::tempdir().unwrap();
    let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        s.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 10].join(", ")
        ));
    }
    write(dir.path(), "bomb.yaml", &s);
    write(dir.path(), "deep.yaml", "[".repeat(1_000_000));
    write(dir.path(), "deep-map.json", "{\"a\":".repeat(200_000));
    let (code, v) = json(&[], dir.path());
    assert_eq!(code, 1);
    let rules: Vec<String> = hits(&v).into_iter().map(|h| h.0).collect();
    assert_eq!(
        rules,
        ["yaml-too-complex", "yaml-too-complex", "yaml-too-complex"]
    );
}

#[test]
fn size_cap_and_unreadable_files_are_findings() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "big.yaml",
        "a: ".to_string() + &"x".repeat(2000),
    );
    write(dir.path(), "small.yaml", "a: 1\n");
    let (code, v) = json(&["--max-file-size", "1K"], dir.path());
    assert_eq!(code, 0, "file-too-large is a warning");
    assert_eq!(
        hits(&v),
        vec![("file-too-large".into(), "big.yaml".into(), 1, 1)]
    );

    // A named file that cannot be read (a dangling symlink works even as root).
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(
            dir.path().join("gone.yaml"),
            dir.path().join("dangling.yaml"),
        )
        .unwrap();
        let (code, v) = json(&["dangling.yaml"], dir.path());
        assert_eq!(code, 1);
        assert_eq!(
            hits(&v),
            vec![("file-unreadable".into(), "dangling.yaml".into(), 1, 1)]
        );
    }
}

#[cfg(unix)]
#[test]
fn unreadable_directory_is_a_finding_when_not_root() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "locked/a.yaml", "a: 1\n");
    let locked = dir.path().join("locked");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read_dir(&locked).is_ok() {
        eprintln!("SKIPPED: running as root, permissions are not enforced");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
        return;
    }
    let (code, v) = json(&[], dir.path());
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code, 1);
    assert_eq!(hits(&v)[0].0, "file-unreadable");
}

#[test]
fn helm_templates_are_text_not_syntax_errors() {
    let (_, v) = json(&["charts", "misc/values-template.yaml"], &fixture("basic"));
    assert!(hits(&v).is_empty(), "{v}");
    assert_eq!(v["summary"]["files_scanned"], 3);
}
