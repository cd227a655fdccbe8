//! End-to-end tests on files built in memory (no fixtures needed).

use sha2::{Digest, Sha512};

use super::enc::seal;
use super::*;
use crate::yaml::parse_yaml;

const DATA_KEY: [u8; 32] = [0x11; 32];

fn iv(n: u8) -> [u8; 32] {
    [n; 32]
}

/// Builds a K8s-Secret-like sops YAML file with `encrypted_regex: ^(data|stringData)$`.
fn build(id: &age::x25519::Identity, password: &str, mac_override: Option<&str>) -> String {
    let recipient = id.to_public();
    let armored = age::encrypt_and_armor(&recipient, &DATA_KEY).unwrap();
    let lastmodified = "2026-01-02T03:04:05Z";
    // leaves in order: kind (plain), name (plain), password (enc), port (enc, int), empty (enc, "")
    let mut h = Sha512::new();
    h.update(b"Secret");
    h.update(b"app");
    h.update(password.as_bytes());
    h.update(b"5432");
    let mac_hex: String = h.finalize().iter().map(|b| format!("{b:02X}")).collect();
    let mac = seal(
        mac_override.unwrap_or(&mac_hex).as_bytes(),
        &DATA_KEY,
        &iv(9),
        lastmodified.as_bytes(),
        "str",
    );
    let pw = seal(
        password.as_bytes(),
        &DATA_KEY,
        &iv(1),
        b"stringData:password:",
        "str",
    );
    let port = seal(b"5432", &DATA_KEY, &iv(2), b"stringData:port:", "int");
    let enc_indented = armored.trim_end().replace('\n', "\n            ");
    format!(
        "kind: Secret\nmetadata:\n    name: app\nstringData:\n    password: {pw}\n    port: {port}\n    empty: \"\"\n    nothing: null\nsops:\n    age:\n        - recipient: {recipient}\n          enc: |\n            {enc_indented}\n    lastmodified: \"{lastmodified}\"\n    mac: {mac}\n    encrypted_regex: ^(data|stringData)$\n    version: 3.11.0\n"
    )
}

fn run(src: &str, ids: &[age::x25519::Identity]) -> (Vec<Problem>, CryptoVerdict) {
    let parsed = parse_yaml(src);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let d = find_in_stream(&parsed.documents).expect("sops metadata");
    (structural_problems(src, &d), verify(src, &d, ids))
}

#[test]
fn round_trip_ok_and_tamper_detection() {
    let id = age::x25519::Identity::generate();
    let src = build(&id, "hunter2", None);
    let (problems, v) = run(&src, std::slice::from_ref(&id));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(v, CryptoVerdict::Ok { decrypted: 2 });

    // another identity: no key
    let other = age::x25519::Identity::generate();
    assert!(matches!(run(&src, &[other]).1, CryptoVerdict::NoKey { .. }));
    assert!(matches!(run(&src, &[]).1, CryptoVerdict::NoKey { .. }));

    // edit a plaintext value: MAC differs, span points at the mac
    let edited = src.replace("name: app", "name: evil");
    match run(&edited, std::slice::from_ref(&id)).1 {
        CryptoVerdict::MacMismatch {
            reason: MacFailure::Differs,
            span,
        } => {
            assert!(edited[span.bytes()].starts_with("ENC[AES256_GCM"));
        }
        other => panic!("{other:?}"),
    }

    // swap the two encrypted values: AAD fails on the first one
    let pw_line = src
        .lines()
        .find(|l| l.contains("password:"))
        .unwrap()
        .to_string();
    let port_line = src
        .lines()
        .find(|l| l.contains("port:"))
        .unwrap()
        .to_string();
    let pw_val = pw_line.split_once(": ").unwrap().1;
    let port_val = port_line.split_once(": ").unwrap().1;
    let swapped = src
        .replace(&pw_line, &format!("    password: {port_val}"))
        .replace(&port_line, &format!("    port: {pw_val}"));
    match run(&swapped, std::slice::from_ref(&id)).1 {
        CryptoVerdict::ValueTampered {
            reason: ValueFailure::AuthFailed,
            path,
            span,
        } => {
            assert_eq!(path, "stringData.password");
            assert_eq!(span.start.line, 5);
        }
        other => panic!("{other:?}"),
    }

    // plaintext under an encrypted key: structural problem + NotEncrypted
    let leaked = src.replace(&pw_line, "    password: hunter2");
    let (problems, v) = run(&leaked, std::slice::from_ref(&id));
    assert_eq!(
        problems.iter().map(|p| p.kind).collect::<Vec<_>>(),
        [ProblemKind::PlaintextValue]
    );
    assert!(!problems[0].message.contains("hunter2"));
    assert!(matches!(
        v,
        CryptoVerdict::ValueTampered {
            reason: ValueFailure::NotEncrypted,
            ..
        }
    ));

    // a wrong MAC value that still decrypts
    let wrong = build(&id, "hunter2", Some("00"));
    assert!(matches!(
        run(&wrong, std::slice::from_ref(&id)).1,
        CryptoVerdict::MacMismatch {
            reason: MacFailure::Differs,
            ..
        }
    ));
}

#[test]
fn verdicts_and_problems_never_leak_values() {
    let id = age::x25519::Identity::generate();
    let src = build(&id, "s3cr3t-value", None);
    let parsed = parse_yaml(&src);
    let d = find_in_stream(&parsed.documents).unwrap();
    let dbg = format!("{d:?} {:?}", verify(&src, &d, std::slice::from_ref(&id)));
    assert!(!dbg.contains("s3cr3t"));
    let leaked = src
        .replace("name: app", "name: app\n    token: s3cr3t-value")
        .replace(
            "encrypted_regex: ^(data|stringData)$",
            "encrypted_regex: ^(data|stringData|token)$",
        );
    let parsed = parse_yaml(&leaked);
    let d = find_in_stream(&parsed.documents).unwrap();
    let problems = structural_problems(&leaked, &d);
    assert!(
        problems
            .iter()
            .any(|p| p.kind == ProblemKind::PlaintextValue)
    );
    assert!(!format!("{problems:?} {d:?}").contains("s3cr3t"));
}

#[test]
fn detection_needs_real_metadata() {
    let parsed = parse_yaml("sops:\n    enabled: true\nkey: value\n");
    assert!(find_in_stream(&parsed.documents).is_none());
    let parsed = parse_yaml("key: value\n");
    assert!(find_in_stream(&parsed.documents).is_none());
    assert!(find_dotenv("A=b\n").is_none());
    assert!(find_ini("[a]\nb = c\n").is_none());
}

#[test]
fn structural_problems_on_metadata() {
    let src = "a: ENC[AES256_GCM,data:AA==,iv:AA==,tag:AA==,type:str]\nb_unencrypted: ENC[AES256_GCM,data:AA==,iv:AA==,tag:AA==,type:str]\nsops:\n    mac: \"\"\n    encrypted_regex: x\n    unencrypted_suffix: _u\n    age: []\n";
    let parsed = parse_yaml(src);
    let d = find_in_stream(&parsed.documents).unwrap();
    let kinds: Vec<_> = structural_problems(src, &d)
        .into_iter()
        .map(|p| p.kind)
        .collect();
    for k in [
        ProblemKind::MissingMac,
        ProblemKind::MissingLastModified,
        ProblemKind::MissingVersion,
        ProblemKind::NoRecipients,
        ProblemKind::ConflictingRules,
    ] {
        assert!(kinds.contains(&k), "{k:?} missing from {kinds:?}");
    }
    assert!(matches!(
        verify(src, &d, &[]),
        CryptoVerdict::Malformed { .. }
    ));
}

#[test]
fn multi_document_stream_needs_block_everywhere() {
    let id = age::x25519::Identity::generate();
    let one = build(&id, "pw", None);
    let src = format!("{one}---\nplain: doc\n");
    let parsed = parse_yaml(&src);
    let d = find_in_stream(&parsed.documents).unwrap();
    let kinds: Vec<_> = structural_problems(&src, &d)
        .into_iter()
        .map(|p| p.kind)
        .collect();
    assert_eq!(kinds, [ProblemKind::MissingBlockInDocument]);
    // the second document's leaf is part of the MAC, so the MAC no longer matches
    assert!(matches!(
        verify(&src, &d, std::slice::from_ref(&id)),
        CryptoVerdict::MacMismatch { .. }
    ));
}
