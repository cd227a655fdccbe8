//! Runs the SealedSecret checks over shared/fixtures/sealed-secrets (generated valid/ and
//! invalid/ with their keys, real/ with its public cert) and the code4ro corpus.
//! They are reported as SKIPPED when ../shared (or ENVGATE_SHARED) is absent.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use envgate::envelope::sealed::{
    self, DecryptOutcome, PrivateKey, Problem, PublicCert, Severity, Undecryptable,
};
use envgate::yaml::parse_yaml;

mod common;

/// ../shared/fixtures/sealed-secrets, or None after saying SKIPPED.
fn fixtures_opt() -> Option<PathBuf> {
    common::shared("fixtures/sealed-secrets")
}

fn fixtures() -> PathBuf {
    fixtures_opt().expect("checked by the test")
}

fn read(p: impl AsRef<Path>) -> String {
    let p = p.as_ref();
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn cert(name: &str) -> PublicCert {
    sealed::load_cert(&read(fixtures().join("generated/keys").join(name))).unwrap()
}

fn keys(name: &str) -> Vec<PrivateKey> {
    sealed::load_private_keys(&read(fixtures().join("generated/keys").join(name))).unwrap()
}

type Set = BTreeSet<(&'static str, Severity)>;

/// Findings of one file: (structural, with cert, with keys), as distinct (rule, severity).
struct Outcome {
    structural: Set,
    cert: Set,
    decrypt: Set,
    all: Vec<Problem>,
    /// (value name, key index) for every value a key opened.
    opened: Vec<(String, usize)>,
    results: Vec<sealed::DecryptResult>,
}

fn set(ps: &[Problem]) -> Set {
    ps.iter()
        .map(|p| (p.kind.rule_id(), p.severity_hint))
        .collect()
}

fn run(src: &str, cert: Option<&PublicCert>, keys: &[PrivateKey], ns: Option<&str>) -> Outcome {
    let parsed = parse_yaml(src);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let (mut st, mut ce, mut de, mut opened, mut results) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut n = 0;
    for d in &parsed.documents {
        for s in sealed::find(&d.root) {
            n += 1;
            st.extend(sealed::structural_problems(&s));
            if let Some(c) = cert {
                ce.extend(sealed::cert_problems(&s, c));
            }
            if !keys.is_empty() {
                let r = sealed::decrypt_check(&s, keys, ns);
                de.extend(sealed::undecryptable_problems(&r));
                for x in &r {
                    if let DecryptOutcome::Opened { key_index, .. } = x.outcome {
                        opened.push((x.name.clone(), key_index));
                    }
                }
                results.extend(r);
            }
        }
    }
    assert_eq!(n, 1, "one SealedSecret per fixture");
    let all = [st.clone(), ce.clone(), de.clone()].concat();
    Outcome {
        structural: set(&st),
        cert: set(&ce),
        decrypt: set(&de),
        all,
        opened,
        results,
    }
}

/// Every value that must never show in a message: sealed values, template data, template
/// annotations, and the fixtures' plaintexts.
fn values_in(src: &str) -> Vec<String> {
    let mut out = vec!["hunter2".to_string(), "admin".to_string()];
    for d in parse_yaml(src).documents {
        let spec = d.root.get("spec");
        let maps = [
            spec.and_then(|s| s.get("encryptedData")),
            spec.and_then(|s| s.get("template"))
                .and_then(|t| t.get("data")),
            spec.and_then(|s| s.get("template"))
                .and_then(|t| t.get("metadata"))
                .and_then(|m| m.get("annotations")),
        ];
        for m in maps.into_iter().flatten() {
            for e in m.entries() {
                out.extend(
                    e.value
                        .as_str()
                        .filter(|v| v.len() >= 4)
                        .map(str::to_string),
                );
            }
        }
        out.extend(spec.and_then(|s| s.get_str("data")).map(str::to_string));
    }
    out
}

fn assert_no_value_in_messages(src: &str, o: &Outcome, file: &str) {
    let vals = values_in(src);
    for p in &o.all {
        for v in &vals {
            assert!(
                !p.message.contains(v.as_str()),
                "{file}: message leaks a value: {}",
                p.message
            );
        }
    }
    let dbg = format!("{:?}", o.results);
    for v in &vals {
        assert!(
            !dbg.contains(v.as_str()),
            "{file}: Debug of results leaks a value"
        );
    }
}

const E: Severity = Severity::Error;
const W: Severity = Severity::Warning;
const INVALID: &str = "sealed-secret-invalid";
const PLAINTEXT: &str = "sealed-secret-plaintext";
const SCOPE: &str = "sealed-secret-scope";
const SIZE: &str = "sealed-secret-wrong-key-size";
const UNDEC: &str = "sealed-secret-undecryptable";

#[test]
fn generated_valid_pass() {
    if fixtures_opt().is_none() {
        return;
    }
    let (ca, cb) = (
        cert("sealing-key-a-4096.crt"),
        cert("sealing-key-b-2048.crt"),
    );
    let (ka, kb) = (
        keys("sealing-key-a-4096.key"),
        keys("sealing-key-b-2048.key"),
    );
    let dir = fixtures().join("generated/valid");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 9);
    for f in files {
        let name = f.file_name().unwrap().to_str().unwrap().to_string();
        let src = read(&f);
        let (c, k) = if name == "strict-2048.yaml" {
            (&cb, &kb)
        } else {
            (&ca, &ka)
        };
        let o = run(&src, Some(c), k, None);
        let expected_structural: Set = if name == "legacy-spec-data.yaml" {
            [(INVALID, W)].into() // deprecated spec.data: a warning only
        } else {
            Set::new()
        };
        assert_eq!(o.structural, expected_structural, "{name}");
        assert_eq!(o.cert, Set::new(), "{name}");
        assert_eq!(o.decrypt, Set::new(), "{name}");
        assert!(
            !o.opened.is_empty() && o.opened.iter().all(|(_, i)| *i == 0),
            "{name}"
        );
        assert_no_value_in_messages(&src, &o, &name);
    }
}

/// file → (structural, with cert A, with key A): distinct (rule, severity).
fn invalid_table() -> Vec<(&'static str, Set, Set, Set)> {
    let s = |v: &[(&'static str, Severity)]| v.iter().copied().collect::<Set>();
    vec![
        ("bad-base64.yaml", s(&[(INVALID, E)]), s(&[]), s(&[])),
        (
            "both-data-and-encryptedData.yaml",
            s(&[(INVALID, E)]),
            s(&[]),
            s(&[]),
        ),
        (
            "cluster-wide-annotation-removed.yaml",
            s(&[]),
            s(&[]),
            s(&[(UNDEC, E)]),
        ),
        (
            "last-applied-annotation-leak.yaml",
            s(&[(PLAINTEXT, E)]),
            s(&[]),
            s(&[]),
        ),
        (
            "length-prefix-mismatch.yaml",
            s(&[]),
            s(&[(SIZE, E)]),
            s(&[(UNDEC, E)]),
        ),
        (
            "namespace-wide-wrong-namespace.yaml",
            s(&[]),
            s(&[]),
            s(&[(UNDEC, E)]),
        ),
        (
            "plain-base64-instead-of-ciphertext.yaml",
            s(&[(PLAINTEXT, E)]),
            s(&[]),
            s(&[]),
        ),
        (
            "plaintext-in-template-data.yaml",
            s(&[(PLAINTEXT, E)]),
            s(&[]),
            s(&[]),
        ),
        (
            "scope-annotation-only-on-template.yaml",
            s(&[(SCOPE, E)]),
            s(&[]),
            s(&[(UNDEC, E)]),
        ),
        (
            "sealed-with-other-key.yaml",
            s(&[]),
            s(&[(SIZE, E)]),
            s(&[(UNDEC, E)]),
        ),
        (
            "strict-annotated-cluster-wide.yaml",
            s(&[]),
            s(&[]),
            s(&[(UNDEC, E)]),
        ),
        (
            "strict-missing-namespace.yaml",
            s(&[(SCOPE, W)]),
            s(&[]),
            s(&[(UNDEC, E)]),
        ),
        ("strict-wrong-name.yaml", s(&[]), s(&[]), s(&[(UNDEC, E)])),
        (
            "strict-wrong-namespace.yaml",
            s(&[]),
            s(&[]),
            s(&[(UNDEC, E)]),
        ),
        (
            "template-namespace-mismatch.yaml",
            s(&[(SCOPE, E)]),
            s(&[]),
            s(&[]),
        ),
        (
            "truncated-ciphertext.yaml",
            s(&[]),
            s(&[]),
            s(&[(UNDEC, E)]),
        ),
        (
            "truncated-inside-rsa-block.yaml",
            s(&[(INVALID, E)]),
            s(&[]),
            s(&[]),
        ),
    ]
}

#[test]
fn generated_invalid_get_expected_findings() {
    if fixtures_opt().is_none() {
        return;
    }
    let ca = cert("sealing-key-a-4096.crt");
    let ka = keys("sealing-key-a-4096.key");
    let dir = fixtures().join("generated/invalid");
    let table = invalid_table();
    let mut on_disk: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    on_disk.sort();
    let listed: Vec<_> = table.iter().map(|t| t.0.to_string()).collect();
    assert_eq!(on_disk, listed, "every invalid fixture is in the table");
    for (name, st, ce, de) in table {
        let src = read(dir.join(name));
        let o = run(&src, Some(&ca), &ka, None);
        assert_eq!(o.structural, st, "{name} structural: {:#?}", o.all);
        assert_eq!(o.cert, ce, "{name} cert: {:#?}", o.all);
        assert_eq!(o.decrypt, de, "{name} decrypt: {:#?}", o.all);
        assert!(
            !(o.structural.is_empty() && o.cert.is_empty() && o.decrypt.is_empty()),
            "{name}"
        );
        assert_no_value_in_messages(&src, &o, name);
    }
}

fn undecryptable_of(name: &str, keys: &[PrivateKey], ns: Option<&str>) -> Vec<Undecryptable> {
    let o = run(
        &read(fixtures().join("generated/invalid").join(name)),
        None,
        keys,
        ns,
    );
    o.results
        .into_iter()
        .filter_map(|r| match r.outcome {
            DecryptOutcome::Undecryptable(u) => Some(u),
            _ => None,
        })
        .collect()
}

#[test]
fn decrypt_diagnoses() {
    if fixtures_opt().is_none() {
        return;
    }
    let ka = keys("sealing-key-a-4096.key");
    // Scope changed after sealing: the key opens it under the other scope's label.
    for (file, desc) in [
        ("cluster-wide-annotation-removed.yaml", "cluster-wide"),
        ("strict-annotated-cluster-wide.yaml", "strict"),
        ("scope-annotation-only-on-template.yaml", "namespace-wide"),
    ] {
        let u = undecryptable_of(file, &ka, None);
        assert_eq!(u.len(), 3, "{file}");
        for x in u {
            match x {
                Undecryptable::NoKeyOpens {
                    opens_as: Some((0, d)),
                    ..
                } => {
                    assert!(d.starts_with(desc), "{file}: {d}")
                }
                other => panic!("{file}: {other:?}"),
            }
        }
    }
    assert!(matches!(
        &undecryptable_of("truncated-ciphertext.yaml", &ka, None)[..],
        [Undecryptable::GcmFailed { key_index: 0 }]
    ));
    assert!(matches!(
        &undecryptable_of("strict-wrong-namespace.yaml", &ka, None)[..],
        [Undecryptable::NoKeyOpens { opens_as: None, .. }, ..]
    ));
    // The namespace a kustomization supplies makes the strict label right.
    assert!(undecryptable_of("strict-missing-namespace.yaml", &ka, Some("payments")).is_empty());
    // With both controller keys, key B (index 1) opens what was sealed with it.
    let mut both = keys("sealing-key-a-4096.key");
    both.extend(keys("sealing-key-b-2048.key"));
    let o = run(
        &read(fixtures().join("generated/invalid/sealed-with-other-key.yaml")),
        None,
        &both,
        None,
    );
    assert_eq!(o.decrypt, Set::new());
    assert_eq!(o.opened.len(), 3);
    assert!(o.opened.iter().all(|(_, i)| *i == 1));
}

#[test]
fn controller_secret_form_and_debug() {
    if fixtures_opt().is_none() {
        return;
    }
    let from_secret = keys("sealing-key-a-4096.secret.yaml");
    assert_eq!(from_secret.len(), 1);
    assert_eq!(from_secret[0].size, 512);
    assert!(from_secret[0].source.starts_with("Secret kube-system/"));
    let dbg = format!("{:?}", from_secret[0]);
    assert!(dbg.len() < 120 && !dbg.contains("MII"), "{dbg}");
    let o = run(
        &read(fixtures().join("generated/valid/strict.yaml")),
        None,
        &from_secret,
        None,
    );
    assert_eq!(o.opened.len(), 3);
    // The cert from the Secret form, and from PEM, agree.
    let c = sealed::load_cert(&read(
        fixtures().join("generated/keys/sealing-key-a-4096.secret.yaml"),
    ))
    .unwrap();
    assert_eq!((c.bits, c.size), (4096, 512));
    let b = cert("sealing-key-b-2048.crt");
    assert_eq!((b.bits, b.size), (2048, 256));
    // Cert A: 2025-01-01 + 3650 days.
    let na = cert("sealing-key-a-4096.crt").not_after.unwrap();
    let secs = na.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    assert_eq!(secs, 1735689600 + 3650 * 86400);
}

#[test]
fn real_files_pass_cert_checks() {
    if fixtures_opt().is_none() {
        return;
    }
    let dir = fixtures().join("real/0GiS0-gitops-lemoncode");
    let c = sealed::load_cert(&read(dir.join("pub-sealed-secrets.pem"))).unwrap();
    assert_eq!(c.bits, 4096);
    // valid 2022-04-19 .. 2032-04-16
    assert!(
        !c.is_expired_at(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_900_000_000))
    );
    assert!(c.is_expired_at(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_980_000_000)));
    for f in ["db-secret-sealed.yaml", "backend-secret-sealed.yaml"] {
        let src = read(dir.join(f));
        let o = run(&src, Some(&c), &[], None);
        assert_eq!(o.structural, Set::new(), "{f}: {:#?}", o.all);
        assert_eq!(o.cert, Set::new(), "{f}: {:#?}", o.all);
    }
    // The real values were not sealed with our generated key B: wrong size shows.
    let src = read(dir.join("db-secret-sealed.yaml"));
    let o = run(&src, Some(&cert("sealing-key-b-2048.crt")), &[], None);
    assert_eq!(o.cert, [(SIZE, E)].into());
    // Same size, other key: the RSA blocks need not be below key A's modulus; whatever the
    // outcome, cert checks must not report a size problem.
    let o = run(&src, Some(&cert("sealing-key-a-4096.crt")), &[], None);
    assert!(!o.cert.contains(&(SIZE, E)));
}

/// Small deterministic PRNG (xorshift) for the mutation test.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Truncations, byte flips, line deletions and character swaps of every fixture, through
/// all checks with both keys and a cert: nothing may panic.
#[test]
fn garbled_fixtures_do_not_panic() {
    if fixtures_opt().is_none() {
        return;
    }
    let mut both = keys("sealing-key-a-4096.key");
    both.extend(keys("sealing-key-b-2048.key"));
    let ca = cert("sealing-key-a-4096.crt");
    let mut rng = Rng(0x9e3779b97f4a7c15);
    let mut inputs = Vec::new();
    for sub in ["generated/valid", "generated/invalid"] {
        for e in std::fs::read_dir(fixtures().join(sub)).unwrap() {
            inputs.push(read(e.unwrap().path()));
        }
    }
    let alphabet = b"A/+=\n :{}[]-'\"#&*!|>\t\x00\xff";
    let mut runs = 0;
    for src in &inputs {
        for _ in 0..12 {
            let mut b = src.as_bytes().to_vec();
            match rng.below(4) {
                0 => b.truncate(rng.below(b.len())),
                1 => {
                    for _ in 0..1 + rng.below(4) {
                        let i = rng.below(b.len());
                        b[i] = alphabet[rng.below(alphabet.len())];
                    }
                }
                2 => {
                    let lines: Vec<&[u8]> = b.split(|c| *c == b'\n').collect();
                    let drop = rng.below(lines.len());
                    b = lines
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i != drop)
                        .flat_map(|(_, l)| l.iter().copied().chain([b'\n']))
                        .collect();
                }
                _ => {
                    // Swap one base64 char inside a long value: framing intact, crypto fails.
                    if let Some(p) = src.find(": Ag") {
                        let i = p + 10 + rng.below(600);
                        if i < b.len() && b[i].is_ascii_alphanumeric() {
                            b[i] = if b[i] == b'A' { b'B' } else { b'A' };
                        }
                    }
                }
            }
            let text = String::from_utf8_lossy(&b);
            let parsed = parse_yaml(&text);
            for d in &parsed.documents {
                for s in sealed::find(&d.root) {
                    let _ = sealed::structural_problems(&s);
                    let _ = sealed::cert_problems(&s, &ca);
                    let r = sealed::decrypt_check(&s, &both, None);
                    let _ = sealed::undecryptable_problems(&r);
                    runs += 1;
                }
            }
        }
    }
    assert!(runs > 100, "{runs}");
}

fn walk_yaml(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk_yaml(&p, out);
        } else if matches!(p.extension().and_then(|x| x.to_str()), Some("yaml" | "yml")) {
            out.push(p);
        }
    }
}

/// 59 real SealedSecrets (no keys, no cert): no structural findings.
#[test]
fn corpus_code4ro_has_no_structural_findings() {
    let Some(dir) = common::shared("corpus/code4romania__code4ro-k8s") else {
        return;
    };
    let mut files = Vec::new();
    walk_yaml(&dir, &mut files);
    let (mut objects, mut values, mut findings) = (0, 0, Vec::new());
    for f in files {
        let src = read(&f);
        for d in parse_yaml(&src).documents {
            for s in sealed::find(&d.root) {
                objects += 1;
                values += s.values().len();
                for p in sealed::structural_problems(&s) {
                    findings.push(format!(
                        "{}:{}: {} {}",
                        f.display(),
                        p.span.start.line,
                        p.kind.rule_id(),
                        p.message
                    ));
                }
            }
        }
    }
    assert_eq!(objects, 59);
    assert_eq!(values, 642);
    assert!(findings.is_empty(), "{findings:#?}");
}
