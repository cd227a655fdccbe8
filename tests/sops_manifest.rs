//! Runs the verifier over every fixture in shared/fixtures/sops/manifest.json with all
//! published age keys and compares with the recorded sops 3.11.0 and oracle verdicts.

use std::path::{Path, PathBuf};

use envgate::envelope::sops::{self, CryptoVerdict, KeyKind, ProblemKind, SopsDocument};
use envgate::yaml::parse_yaml;

mod common;

/// ../shared/fixtures/sops (real SOPS files with published test keys), or None after
/// saying SKIPPED.
fn fixtures_opt() -> Option<PathBuf> {
    common::shared("fixtures/sops")
}

fn fixtures() -> PathBuf {
    fixtures_opt().expect("checked by the test")
}

fn identities(dir: &Path) -> Vec<age::x25519::Identity> {
    let mut ids = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(dir.join("keys"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    names.sort();
    for p in names {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("age-") && name.ends_with(".txt") {
            let text = std::fs::read_to_string(&p).unwrap();
            ids.extend(sops::load_identities(&text).unwrap_or_else(|e| panic!("{name}: {e}")));
        }
    }
    ids
}

/// Known, explained differences: file → reason.
const EXPECTED_DIFFERENCES: &[(&str, &str)] = &[
    (
        "generated/k8s-secret.ssh.yaml",
        "ssh-ed25519 age recipient: only X25519 identities are supported (sops 3.11 decrypts it)",
    ),
    (
        "upstream/getsops-sops/config/test_resources/example.yaml",
        "sops 1.13 file whose PGP/KMS keys are unpublished: sops fails for lack of a key; we find it structurally clean and do not check crypto",
    ),
    (
        "upstream/getsops-sops/stores/ini/test_resources/example.json",
        "sops 1.13 file whose PGP/KMS keys are unpublished: sops fails for lack of a key; we find it structurally clean and do not check crypto",
    ),
];

struct Row {
    file: String,
    format: String,
    structural: String,
    crypto: String,
    ours_ok: bool,
    sops_ok: bool,
    oracle_ok: bool,
    crypto_checked: bool,
    agree_sops: bool,
    agree_oracle: bool,
}

fn short(v: &CryptoVerdict) -> String {
    match v {
        CryptoVerdict::Ok { decrypted } => format!("ok ({decrypted} values)"),
        CryptoVerdict::NoKey { detail } => format!("no key: {detail}"),
        CryptoVerdict::Unsupported { detail, .. } => format!("unsupported: {detail}"),
        CryptoVerdict::Malformed { detail, .. } => format!("malformed: {detail}"),
        CryptoVerdict::ValueTampered { path, reason, span } => {
            format!(
                "value tampered `{path}` line {}: {reason:?}",
                span.start.line
            )
        }
        CryptoVerdict::MacMismatch { reason, span } => {
            format!("MAC {reason:?} (line {})", span.start.line)
        }
    }
}

fn evaluate(
    src: &str,
    d: &SopsDocument<'_>,
    ids: &[age::x25519::Identity],
) -> (Vec<sops::Problem>, CryptoVerdict, bool) {
    let problems = sops::structural_problems(src, d);
    let verdict = sops::verify(src, d, ids);
    let has_age = d
        .metadata
        .key_groups
        .iter()
        .flat_map(|g| &g.keys)
        .any(|k| k.kind == KeyKind::Age);
    (problems, verdict, has_age)
}

#[test]
fn manifest_verdicts() {
    if fixtures_opt().is_none() {
        return;
    }
    let dir = fixtures();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let ids = identities(&dir);
    assert!(
        ids.len() >= 6,
        "expected the published age keys, got {}",
        ids.len()
    );
    let mut rows = Vec::new();
    for e in manifest.as_array().unwrap() {
        let file = e["file"].as_str().unwrap().to_string();
        let format = e["format"].as_str().unwrap().to_string();
        let src = std::fs::read_to_string(dir.join(&file)).unwrap();
        let parsed;
        let doc = match format.as_str() {
            "yaml" | "json" | "binary" => {
                parsed = parse_yaml(&src);
                sops::find_in_stream(&parsed.documents)
            }
            "dotenv" => sops::find_dotenv(&src),
            "ini" => sops::find_ini(&src),
            other => panic!("unknown format {other}"),
        };
        let d = doc.unwrap_or_else(|| panic!("{file}: no sops metadata found"));
        let (problems, verdict, has_age) = evaluate(&src, &d, &ids);
        let blocking: Vec<_> = problems
            .iter()
            .filter(|p| p.kind.blocks_decryption())
            .collect();
        let structural = if problems.is_empty() {
            "clean".to_string()
        } else {
            problems
                .iter()
                .map(|p| format!("{:?}", p.kind))
                .collect::<Vec<_>>()
                .join(",")
        };
        let crypto_checked = has_age || !matches!(verdict, CryptoVerdict::NoKey { .. });
        let crypto = if crypto_checked {
            short(&verdict)
        } else {
            "crypto not checked (no age recipient)".into()
        };
        let ours_ok = blocking.is_empty() && (verdict.is_ok() || !crypto_checked);
        let sops_ok = e["sops_3_11_0"].as_str().unwrap().starts_with("ok");
        let oracle_ok = e["oracle"].as_str().unwrap().starts_with("MAC ok");
        // The oracle ignores `version`; compare it with the crypto verdict alone.
        let agree_oracle = !crypto_checked || verdict.is_ok() == oracle_ok;
        rows.push(Row {
            agree_sops: ours_ok == sops_ok,
            agree_oracle,
            file,
            format,
            structural,
            crypto,
            ours_ok,
            sops_ok,
            oracle_ok,
            crypto_checked,
        });
    }

    println!(
        "\n{:<4} {:<7} {:<5} {:<5} {:<6} {:<6} file | structural | crypto",
        "#", "format", "ours", "sops", "oracle", "agree"
    );
    for (i, r) in rows.iter().enumerate() {
        let yn = |b: bool| if b { "ok" } else { "FAIL" };
        let agree = match (r.agree_sops, r.agree_oracle) {
            (true, true) => "yes",
            (false, true) => "!sops",
            (true, false) => "!orcl",
            (false, false) => "NO",
        };
        println!(
            "{:<4} {:<7} {:<5} {:<5} {:<6} {:<6} {} | {} | {}",
            i + 1,
            r.format,
            yn(r.ours_ok),
            yn(r.sops_ok),
            yn(r.oracle_ok),
            agree,
            r.file,
            r.structural,
            r.crypto
        );
    }
    let checked = rows.iter().filter(|r| r.crypto_checked).count();
    let agree_sops = rows.iter().filter(|r| r.agree_sops).count();
    let agree_oracle = rows
        .iter()
        .filter(|r| r.crypto_checked && r.agree_oracle)
        .count();
    println!(
        "\n{} files; verdict agrees with sops 3.11.0 on {agree_sops}; crypto checked on {checked}, agrees with the oracle on {agree_oracle}",
        rows.len()
    );
    let mut unexpected = Vec::new();
    for r in rows.iter().filter(|r| !r.agree_sops || !r.agree_oracle) {
        let reason = EXPECTED_DIFFERENCES
            .iter()
            .find(|(f, _)| *f == r.file)
            .map(|(_, why)| *why);
        println!(
            "disagreement: {} — {}",
            r.file,
            reason.unwrap_or("UNEXPLAINED")
        );
        if reason.is_none() {
            unexpected.push(r.file.clone());
        }
    }
    assert!(
        unexpected.is_empty(),
        "unexplained disagreements: {unexpected:#?}"
    );
}

fn load(rel: &str) -> String {
    std::fs::read_to_string(fixtures().join(rel)).unwrap()
}

fn verdict_of(rel: &str) -> (Vec<ProblemKind>, CryptoVerdict) {
    let src = load(rel);
    let ids = identities(&fixtures());
    let parsed = parse_yaml(&src);
    let d = sops::find_in_stream(&parsed.documents).unwrap();
    let (p, v, _) = evaluate(&src, &d, &ids);
    (p.into_iter().map(|p| p.kind).collect(), v)
}

#[test]
fn tampered_files_point_at_the_right_thing() {
    if fixtures_opt().is_none() {
        return;
    }
    use sops::{MacFailure, ValueFailure};
    let (_, v) = verdict_of("tampered/value-swapped.yaml");
    assert!(
        matches!(
            v,
            CryptoVerdict::ValueTampered {
                reason: ValueFailure::AuthFailed,
                ..
            }
        ),
        "{v:?}"
    );
    let (_, v) = verdict_of("tampered/plain-value-edited.yaml");
    assert!(
        matches!(
            v,
            CryptoVerdict::MacMismatch {
                reason: MacFailure::Differs,
                ..
            }
        ),
        "{v:?}"
    );
    let (_, v) = verdict_of("tampered/lastmodified-changed.yaml");
    assert!(
        matches!(
            v,
            CryptoVerdict::MacMismatch {
                reason: MacFailure::Undecryptable,
                ..
            }
        ),
        "{v:?}"
    );
    let (p, v) = verdict_of("tampered/mac-removed.yaml");
    assert!(
        matches!(
            v,
            CryptoVerdict::MacMismatch {
                reason: MacFailure::Missing,
                ..
            }
        ),
        "{v:?}"
    );
    assert!(p.contains(&ProblemKind::MissingMac));
    let (p, v) = verdict_of("tampered/plaintext-under-encrypted-key.yaml");
    assert!(
        matches!(
            v,
            CryptoVerdict::ValueTampered {
                reason: ValueFailure::NotEncrypted,
                ..
            }
        ),
        "{v:?}"
    );
    assert!(p.contains(&ProblemKind::PlaintextValue));
    let (p, _) = verdict_of("tampered/unknown-type.yaml");
    assert!(p.contains(&ProblemKind::MalformedEnc));
    let (p, _) = verdict_of("tampered/no-master-keys.yaml");
    assert!(p.contains(&ProblemKind::NoRecipients));
    let (p, v) = verdict_of("tampered/version-missing.yaml");
    assert!(p.contains(&ProblemKind::MissingVersion) && v.is_ok());
    let (_, v) = verdict_of("generated/shamir.age.yaml");
    assert!(v.is_ok(), "{v:?}");
}

/// Truncated and garbled fixtures must never panic (structure or crypto).
#[test]
fn garbled_inputs_do_not_panic() {
    if fixtures_opt().is_none() {
        return;
    }
    let dir = fixtures();
    let ids = identities(&dir);
    for rel in [
        "generated/types.age.yaml",
        "generated/shamir.age.yaml",
        "generated/app.age.json",
        "generated/app.age.env",
        "generated/app.age.ini",
        "generated/comments.age.yaml",
    ] {
        let src = load(rel);
        let mut cuts: Vec<usize> = (0..src.len()).step_by(13).collect();
        cuts.push(src.len());
        for cut in cuts {
            if !src.is_char_boundary(cut) {
                continue;
            }
            let mut variants = vec![src[..cut].to_string()];
            // flip a base64 character near the cut
            let mut flipped = src.clone().into_bytes();
            if let Some(b) = flipped.get_mut(cut)
                && b.is_ascii_alphanumeric()
            {
                *b = if *b == b'A' { b'B' } else { b'A' };
            }
            variants.push(String::from_utf8(flipped).unwrap());
            for v in &variants {
                let parsed = parse_yaml(v);
                let docs = [
                    sops::find_in_stream(&parsed.documents),
                    sops::find_dotenv(v),
                    sops::find_ini(v),
                ];
                for d in docs.iter().flatten() {
                    let _ = sops::structural_problems(v, d);
                    let _ = sops::verify(v, d, &ids);
                }
            }
        }
    }
}
