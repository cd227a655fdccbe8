//! Offline unit tests: framing, scope rules, detection, and garbled inputs (no panics).
//! The crypto round trips with real keys are in `tests/sealed_fixtures.rs`.

use super::*;
use crate::yaml::parse_yaml;

/// A well-framed fake value: prefix `rsa_len`, zero RSA block, `pt_len` + 16 bytes.
fn fake_blob(rsa_len: usize, pt_len: usize) -> String {
    use base64::Engine;
    let mut b = (rsa_len as u16).to_be_bytes().to_vec();
    b.extend(std::iter::repeat_n(0x5a, rsa_len + pt_len + 16));
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn problems_of(src: &str) -> Vec<Problem> {
    let parsed = parse_yaml(src);
    let mut out = Vec::new();
    for d in &parsed.documents {
        for s in find(&d.root) {
            out.extend(structural_problems(&s));
        }
    }
    out
}

fn kinds(ps: &[Problem]) -> Vec<(&'static str, Severity)> {
    let mut v: Vec<_> = ps
        .iter()
        .map(|p| (p.kind.rule_id(), p.severity_hint))
        .collect();
    v.sort();
    v
}

fn sealed(meta: &str, spec: &str) -> String {
    format!("apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n{meta}spec:\n{spec}")
}

#[test]
fn blob_framing() {
    assert!(SealedBlob::parse(&fake_blob(512, 0)).is_ok());
    assert_eq!(
        SealedBlob::parse(&fake_blob(512, 7))
            .unwrap()
            .plaintext_len(),
        7
    );
    assert!(SealedBlob::parse(&fake_blob(256, 3)).is_ok());
    assert!(SealedBlob::parse(&fake_blob(1024, 0)).is_ok());
    assert!(matches!(
        SealedBlob::parse(&fake_blob(500, 0)),
        Err(BlobError::ImplausibleRsaLength { rsa_len: 500 })
    ));
    // One byte short of prefix + block + tag.
    use base64::Engine;
    let mut raw = base64::engine::general_purpose::STANDARD
        .decode(fake_blob(512, 0))
        .unwrap();
    raw.pop();
    let short = base64::engine::general_purpose::STANDARD.encode(&raw);
    assert!(matches!(
        SealedBlob::parse(&short),
        Err(BlobError::TooShort {
            len: 529,
            needed: 530
        })
    ));
    // Go's StdEncoding skips CR/LF and needs padding.
    let v = fake_blob(256, 1);
    let wrapped = format!("{}\n{}\r\n", &v[..40], &v[40..]);
    assert!(SealedBlob::parse(&wrapped).is_ok());
    assert_eq!(
        SealedBlob::parse(v.trim_end_matches('=')),
        Err(BlobError::NotBase64)
    );
    assert_eq!(SealedBlob::parse(""), Err(BlobError::Empty));
    assert_eq!(
        SealedBlob::parse("AA=="),
        Err(BlobError::TooShort { len: 1, needed: 2 })
    );
    assert_eq!(
        SealedBlob::parse("aHVudGVyMg=="),
        Err(BlobError::PrintableText { decoded_len: 7 })
    );
    // Binary junk that is not a blob stays "invalid", not "plaintext".
    assert!(matches!(
        SealedBlob::parse("/////w=="),
        Err(BlobError::ImplausibleRsaLength { .. })
    ));
}

#[test]
fn clean_object_has_no_findings() {
    let src = sealed(
        "  name: a\n  namespace: n\n",
        &format!(
            "  encryptedData:\n    k: {}\n  template:\n    metadata:\n      name: a\n      namespace: n\n    data:\n      x: '{{{{ .k }}}}'\n",
            fake_blob(512, 3)
        ),
    );
    assert_eq!(problems_of(&src), vec![]);
}

#[test]
fn missing_and_both_data() {
    let p = problems_of(&sealed("  name: a\n  namespace: n\n", "  template: {}\n"));
    assert_eq!(kinds(&p), [("sealed-secret-invalid", Severity::Error)]);
    let p = problems_of(
        "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: a, namespace: n}\n",
    );
    assert_eq!(kinds(&p), [("sealed-secret-invalid", Severity::Error)]);
    let b = fake_blob(512, 1);
    let p = problems_of(&sealed(
        "  name: a\n  namespace: n\n",
        &format!("  encryptedData:\n    k: {b}\n  data: {b}\n"),
    ));
    assert_eq!(kinds(&p), [("sealed-secret-invalid", Severity::Error)]);
    let p = problems_of(&sealed(
        "  name: a\n  namespace: n\n",
        &format!("  data: {b}\n"),
    ));
    assert_eq!(kinds(&p), [("sealed-secret-invalid", Severity::Warning)]);
    let p = problems_of(&sealed(
        "  name: a\n  namespace: n\n",
        "  encryptedData: {}\n",
    ));
    assert_eq!(kinds(&p), [("sealed-secret-invalid", Severity::Warning)]);
}

#[test]
fn scope_rules() {
    let b = fake_blob(512, 1);
    let ed = format!("  encryptedData:\n    k: {b}\n");
    // both scope annotations
    let p = problems_of(&sealed(
        "  name: a\n  namespace: n\n  annotations:\n    sealedsecrets.bitnami.com/cluster-wide: \"true\"\n    sealedsecrets.bitnami.com/namespace-wide: \"true\"\n",
        &ed,
    ));
    assert_eq!(kinds(&p), [("sealed-secret-scope", Severity::Error)]);
    // unquoted boolean, and a value other than "true"
    let p = problems_of(&sealed(
        "  name: a\n  namespace: n\n  annotations:\n    sealedsecrets.bitnami.com/namespace-wide: true\n",
        &ed,
    ));
    assert_eq!(kinds(&p), [("sealed-secret-scope", Severity::Error)]);
    let p = problems_of(&sealed(
        "  name: a\n  namespace: n\n  annotations:\n    sealedsecrets.bitnami.com/namespace-wide: \"True\"\n",
        &ed,
    ));
    assert_eq!(kinds(&p), [("sealed-secret-scope", Severity::Warning)]);
    // scope on metadata only (template without annotation): warning
    let p = problems_of(&sealed(
        "  name: a\n  namespace: n\n  annotations:\n    sealedsecrets.bitnami.com/namespace-wide: \"true\"\n",
        &format!("{ed}  template:\n    metadata:\n      name: a\n"),
    ));
    assert_eq!(kinds(&p), [("sealed-secret-scope", Severity::Warning)]);
    // cluster-wide without namespace: fine; strict without namespace: warning
    let p = problems_of(&sealed(
        "  name: a\n  annotations:\n    sealedsecrets.bitnami.com/cluster-wide: \"true\"\n",
        &ed,
    ));
    assert_eq!(p, vec![]);
    let p = problems_of(&sealed("  name: a\n", &ed));
    assert_eq!(kinds(&p), [("sealed-secret-scope", Severity::Warning)]);
    // strict with neither name nor namespace: two warnings
    let p = problems_of(&sealed("  labels: {}\n", &ed));
    assert_eq!(
        kinds(&p),
        [
            ("sealed-secret-scope", Severity::Warning),
            ("sealed-secret-scope", Severity::Warning)
        ]
    );
    // template name differs
    let p = problems_of(&sealed(
        "  name: a\n  namespace: n\n",
        &format!("{ed}  template:\n    metadata:\n      name: b\n"),
    ));
    assert_eq!(kinds(&p), [("sealed-secret-scope", Severity::Error)]);
}

#[test]
fn labels() {
    let b = fake_blob(512, 1);
    let src = sealed(
        "  name: a\n  namespace: n\n",
        &format!("  encryptedData:\n    k: {b}\n"),
    );
    let parsed = parse_yaml(&src);
    let s = find(&parsed.documents[0].root).remove(0);
    assert_eq!(s.label(None), b"n/a");
    assert_eq!(Scope::NamespaceWide.label("n", "a"), b"n");
    assert_eq!(Scope::ClusterWide.label("n", "a"), b"");
    let src = sealed("  name: a\n", &format!("  encryptedData:\n    k: {b}\n"));
    let parsed = parse_yaml(&src);
    let s = find(&parsed.documents[0].root).remove(0);
    assert_eq!(s.label(None), b"/a");
    assert_eq!(s.label(Some("kz")), b"kz/a");
}

#[test]
fn find_in_lists_and_streams() {
    let b = fake_blob(512, 1);
    let one = format!(
        "{{apiVersion: bitnami.com/v1alpha1, kind: SealedSecret, metadata: {{name: a, namespace: n}}, spec: {{encryptedData: {{k: {b}}}}}}}"
    );
    let src = format!(
        "apiVersion: v1\nkind: List\nitems:\n- {one}\n- apiVersion: v1\n  kind: List\n  items:\n  - {one}\n---\n{one}\n---\napiVersion: v1\nkind: Secret\n---\napiVersion: other.io/v1\nkind: SealedSecret\n"
    );
    let parsed = parse_yaml(&src);
    let n: usize = parsed.documents.iter().map(|d| find(&d.root).len()).sum();
    assert_eq!(n, 3);
}

#[test]
fn template_plaintext_and_last_applied() {
    let b = fake_blob(512, 1);
    let p = problems_of(&sealed(
        "  name: a\n  namespace: n\n",
        &format!(
            "  encryptedData:\n    k: {b}\n  template:\n    metadata:\n      annotations:\n        kubecfg.ksonnet.io/last-applied-configuration: x\n    data:\n      a: secret-text\n      b: ''\n      c: 'x {{{{ .k }}}}'\n      d: [1]\n"
        ),
    ));
    assert_eq!(
        kinds(&p),
        [
            ("sealed-secret-invalid", Severity::Error),
            ("sealed-secret-plaintext", Severity::Error),
            ("sealed-secret-plaintext", Severity::Error),
        ]
    );
    assert!(p.iter().all(|x| !x.message.contains("secret-text")));
}

/// Shapes the CRD does not allow, or that the controller drops; none may panic.
#[test]
fn garbled_shapes_do_not_panic() {
    let b = fake_blob(512, 1);
    let shapes = [
        "spec: []".to_string(),
        "spec: x".into(),
        "spec:\n  encryptedData: [a, b]".into(),
        "spec:\n  encryptedData: {a: [1], b: {c: d}, c: ~, d: '', e: 12, f: *x}".into(),
        "spec:\n  encryptedData: {? [a] : b}".into(),
        "metadata: str\nspec:\n  encryptedData: {a: AAAA}".into(),
        "metadata: {annotations: [1, 2], name: [x], namespace: {a: b}}\nspec: {encryptedData: {k: AgA=}}".into(),
        "metadata: {annotations: {sealedsecrets.bitnami.com/cluster-wide: [x]}}\nspec: {template: 5, encryptedData: {k: x}}".into(),
        "spec: {template: {metadata: [], data: x}, encryptedData: {k: '====' }}".into(),
        "spec: {template: {metadata: {annotations: 3, name: [], namespace: {}}, data: {a: {b: c}}}, data: [x]}".into(),
        format!("spec: {{encryptedData: {{k: &a {b}, l: *a}}}}"),
        format!("spec: {{encryptedData: {{k: \"{}\"}}}}", "A".repeat(100_000)),
        "spec: {encryptedData: {k: \"\u{feff}\u{0}é\"}}".into(),
    ];
    for shape in shapes {
        for api in ["bitnami.com/v1alpha1", "bitnami.com/"] {
            let src = format!("apiVersion: {api}\nkind: SealedSecret\n{shape}\n");
            let parsed = parse_yaml(&src);
            for d in &parsed.documents {
                for s in find(&d.root) {
                    let _ = structural_problems(&s);
                    let _ = decrypt_check(&s, &[], None);
                    let _ = s.values();
                    let _ = s.label(None);
                }
            }
        }
    }
}

#[test]
fn key_and_cert_loaders_reject_garbage() {
    for junk in [
        "",
        "hello",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nnot base64\n",
        "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
        "-----BEGIN -----",
        "kind: Secret\ndata:\n  tls.key: '!!!'\n  tls.crt: 'AAAA'\n",
        "kind: List\nitems: {a: b}\n",
        "[[[[",
    ] {
        assert!(load_private_keys(junk).is_err(), "{junk:?}");
        assert!(load_cert(junk).is_err(), "{junk:?}");
    }
}
