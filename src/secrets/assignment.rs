//! Credentials by context: which key names hold credentials, which values look like one,
//! and the line-level `key = value` finder for text files and embedded documents
//! (dotenv, INI, properties, JSON, code) where there is no YAML tree to walk.

use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use regex::bytes::Regex;

use super::entropy::shannon;
use super::pattern::compile;
use crate::placeholder::is_placeholder_only;

/// Splits a key into lower-case words: `DB_PASSWORD` → [db, password], `clientSecret` →
/// [client, secret], `api-key` → [api, key].
pub fn key_words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// Last words that name a credential.
const CREDENTIAL_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "credential",
    "credentials",
    "auth",
    "dsn",
    "privatekey",
    "secretkey",
    "accesskey",
    "apisecret",
    "clientsecret",
    "connectionstring",
];

/// Two-word endings that name a credential (`api_key`, `client_secret`, …).
const CREDENTIAL_PAIRS: &[(&str, &str)] = &[
    ("api", "key"),
    ("private", "key"),
    ("secret", "key"),
    ("access", "key"),
    ("account", "key"),
    ("master", "key"),
    ("encryption", "key"),
    ("signing", "key"),
    ("client", "secret"),
    ("connection", "string"),
];

/// Words that make a credential-named key something else: a public value, an anti-CSRF
/// nonce, or a reference to where the secret lives.
const NOT_CREDENTIAL_WORDS: &[&str] = &["public", "csrf", "xsrf", "pub"];

/// True when the key names a credential itself (not a reference to one).
///
/// `DB_PASSWORD`, `clientSecret`, `api_key`, `generic_token` → true;
/// `PASSWORD_FILE`, `secretName`, `existingSecret`, `secretKeyRef`, `token_ttl`,
/// `access_token_url`, `publicToken` → false.
pub fn is_credential_key(key: &str) -> bool {
    // Cheap rejection first: most keys in a manifest mention no credential word at all.
    if !prefilter().is_match(key) {
        return false;
    }
    let w = key_words(key);
    let Some(last) = w.last().map(String::as_str) else {
        return false;
    };
    if w.iter().any(|x| NOT_CREDENTIAL_WORDS.contains(&x.as_str())) {
        return false;
    }
    // `existingSecret`, `secretRef`: references to a Secret object, not credentials.
    if w.first().is_some_and(|f| f == "existing") {
        return false;
    }
    if CREDENTIAL_WORDS.contains(&last) {
        return true;
    }
    if w.len() >= 2 {
        let pair = (w[w.len() - 2].as_str(), last);
        return CREDENTIAL_PAIRS.contains(&pair);
    }
    false
}

/// Values that say "fill me in" rather than hold a credential.
fn is_placeholder_word(v: &str) -> bool {
    let norm: String = v
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "changeme",
        "password",
        "secret",
        "example",
        "sample",
        "dummy",
        "test",
        "testing",
        "todo",
        "tbd",
        "none",
        "null",
        "nil",
        "empty",
        "placeholder",
        "redacted",
        "replaceme",
        "notasecret",
        "insecure",
        "default",
        "undefined",
        "unset",
        "true",
        "false",
        "yes",
        "no",
        "foobar",
        "token",
        "apikey",
    ];
    WORDS.contains(&norm.as_str())
        || [
            "changeme",
            "replaceme",
            "example",
            "placeholder",
            "yourpassword",
            "yourtoken",
            "yoursecret",
            "yourapikey",
            "redacted",
            "xxxx",
        ]
        .iter()
        .any(|w| norm.contains(w))
}

/// A value that points at a credential rather than being one: paths, file names,
/// secret-store references, variables, encrypted envelopes.
fn is_reference(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("~/")
        || v.starts_with('$')
        || v.starts_with("%(")
        || v.starts_with("%{")
        || v == "%s"
        || (v.len() > 2 && v.starts_with('%') && v.ends_with('%') && !v[1..v.len() - 1].contains('%'))
        || v.starts_with('@')
        || v.contains("${")
        || v.contains("{{")
        || v.contains("$(")
        || v.starts_with("ENC[")
        || v.starts_with("AgA") && v.len() > 300 // SealedSecret ciphertext
        || [
            "file://",
            "vault:",
            "ref+",
            "arn:aws:",
            "projects/",
            "secretsmanager",
            "keyvault",
            "akv://",
            "op://",
            "env:",
            "secret:",
            "sm://",
        ]
        .iter()
        .any(|p| lower.starts_with(p))
        || [".pem", ".key", ".p12", ".pfx", ".jks", ".cer", ".crt", ".txt", ".json", ".yaml", ".keytab"]
            .iter()
            .any(|s| lower.ends_with(s))
}

fn char_classes(v: &str) -> usize {
    let mut c = [false; 4];
    for b in v.bytes() {
        match b {
            b'a'..=b'z' => c[0] = true,
            b'A'..=b'Z' => c[1] = true,
            b'0'..=b'9' => c[2] = true,
            _ => c[3] = true,
        }
    }
    c.iter().filter(|x| **x).count()
}

/// Values published on purpose, that a credential-named key may hold but that grant
/// nothing: each with the documented fact that makes it public.
const KNOWN_PUBLIC_VALUES: &[&str] = &[
    // Algolia's search-only API key of its public `npm-search` index (app OFCNCOG2CU),
    // shipped in Yarn's source (yarnpkg/berry packages/plugin-interactive-tools/sources/
    // algolia.ts, `algolia.apiKey`; yarnpkg/berry#6201) and
    // copied into many front ends. Algolia documents search-only keys as safe to expose
    // in front-end code; gitleaks lists it as a stop word of generic-api-key.
    "6fe4476ee5a1832882e326b506d14126",
    // The sample ClearTextPassword values of Microsoft's nuget.config reference
    // (learn.microsoft.com/nuget/reference/nuget-config-file, packageSourceCredentials).
    "33f!!lloppa",
    "hal+9ooo_da!sY",
];

/// True when a literal under a credential-named key looks like a real credential: not a
/// placeholder, reference, number or boolean, nor a known public value, and long or varied
/// enough.
pub fn looks_like_credential(v: &str) -> bool {
    let v = v.trim();
    if v.is_empty()
        || is_placeholder_only(v)
        || is_placeholder_word(v)
        || is_reference(v)
        || KNOWN_PUBLIC_VALUES.contains(&v)
    {
        return false;
    }
    if v.bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return false; // numbers, versions, ports
    }
    if super::engine::looks_fake(v.as_bytes()) {
        return false;
    }
    let len = v.chars().count();
    (len >= 8 || (len >= 6 && char_classes(v) >= 2)) && shannon(v.as_bytes()) >= 2.0
}

/// Stricter test for the line-level finder, which has no structure to lean on: values must
/// also look random (entropy), since code and prose mention "token" constantly.
pub fn looks_like_credential_in_text(v: &str) -> bool {
    looks_like_credential(v)
        && v.len() >= 8
        && !v.contains(' ')
        && shannon(v.as_bytes()) >= 3.0
        && char_classes(v) >= 2
}

/// A `key <sep> value` assignment found on a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub key: Range<usize>,
    pub value: Range<usize>,
}

fn prefilter() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        aho_corasick::AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build([
                "pass",
                "pwd",
                "secret",
                "token",
                "key",
                "credential",
                "auth",
                "dsn",
                "connection",
            ])
            .unwrap()
    })
}

fn assignment_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // key, optional closing quote/bracket and type (`var k string =`), a separator
        // (`=`, `:`, `:=`, `::=`, `?=`, `.=`, `=>`, `,` as in setProperty("K", "v")), then a
        // quoted value (spaces allowed) or a bare one.
        compile(
            r#"(?i)(?P<key>[a-z0-9_.\-]*(?:pass|pwd|secret|token|key|credential|auth|dsn|connection[_.\-]?string)[a-z0-9_.\-]*)["'`\]]?(?:\s+string)?\s*(?:\(\s*)?(?::{0,3}=|\?=|\.=|=>|:|,)\s*(?:string\s*=\s*)?(?:&quot;|["'`]\s*,\s*)?(?:"(?P<dq>[^"\n]{4,256})"|'(?P<sq>[^'\n]{4,256})'|`(?P<bq>[^`\n]{4,256})`|(?P<bare>[^\s"'`;,)\\<>&]{4,}))"#,
        )
        .unwrap()
    })
}

/// Every credential-looking assignment in `bytes` (one pass of a keyword prefilter; the
/// regex runs only on lines that mention a credential word).
pub fn find_assignments(bytes: &[u8]) -> Vec<Assignment> {
    let mut lines: Vec<(usize, usize)> = Vec::new();
    for m in prefilter().find_iter(bytes) {
        let ls = memchr::memrchr(b'\n', &bytes[..m.start()]).map_or(0, |i| i + 1);
        if lines.last().is_some_and(|l| l.0 == ls) {
            continue;
        }
        let le = memchr::memchr(b'\n', &bytes[m.end()..]).map_or(bytes.len(), |i| m.end() + i);
        lines.push((ls, le));
    }
    let mut out = Vec::new();
    for (ls, le) in lines {
        if memchr::memchr(b'<', &bytes[ls..le]).is_some() {
            xml_assignments(bytes, ls, le, &mut out);
        }
        for c in assignment_regex().captures_iter(&bytes[ls..le]) {
            let Some(k) = c.name("key") else { continue };
            let quoted = c.name("dq").or(c.name("sq")).or(c.name("bq"));
            let Some(v) = quoted.or(c.name("bare")) else {
                continue;
            };
            push_if_credential(
                bytes,
                ls + k.start()..ls + k.end(),
                ls + v.start()..ls + v.end(),
                quoted.is_some(),
                &mut out,
            );
        }
    }
    out
}

/// Human-chosen passwords are judged leniently; tokens and keys must look random.
fn value_fits_key(key: &str, value: &str, quoted: bool) -> bool {
    let words = key_words(key);
    let is_password = words.last().is_some_and(|w| {
        matches!(
            w.as_str(),
            "password" | "passwd" | "pwd" | "pass" | "passphrase"
        )
    });
    if is_password {
        looks_like_credential(value)
            && !is_code_reference(value)
            && (quoted || !value.contains(' '))
            && value.chars().count() <= 128
    } else {
        looks_like_credential_in_text(value) && !is_code_reference(value)
    }
}

/// `env.DB_PASSWORD`, `config.secret`, `process.env.TOKEN`, `#add-password`: code, not a
/// credential.
fn is_code_reference(v: &str) -> bool {
    if v.starts_with(['#', '+']) || v.starts_with("&lt;") || v.contains("()") || v.contains(" + ") {
        return true;
    }
    // `$VAR`, `${…}`, `$(…)`: a variable, not a value (`super$ecret` stays a value).
    let b = v.as_bytes();
    if b.windows(2)
        .any(|w| w[0] == b'$' && (w[1].is_ascii_uppercase() || matches!(w[1], b'{' | b'(' | b'_')))
    {
        return true;
    }
    // `cms/sites/passwords#update`, `auth/login`: routes and paths, not values.
    if v.contains('/')
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"/_-#.:".contains(&b))
    {
        return true;
    }
    // A bare `a=b` is another assignment (`--mount=type=secret,id=x`), not a value.
    if !v.contains(' ') && v.contains('=') && !v.ends_with('=') {
        return true;
    }
    // `env.DB_PASSWORD`, `config.db.password` — but not `s.Z4bTMtngfLeQ18AqVoBBkUAOD1`
    // (a Vault token), whose last part looks random.
    let parts: Vec<&str> = v.split('.').collect();
    let random = |p: &str| {
        p.len() >= 12
            && p.bytes().any(|b| b.is_ascii_digit())
            && p.bytes().any(|b| b.is_ascii_uppercase())
            && p.bytes().any(|b| b.is_ascii_lowercase())
    };
    parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && !random(p)
                && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && p.bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        })
}

fn xml_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // `<add key="Password" value="…"/>` (.NET config, NuGet) and `<Token>value</Token>`.
        compile(
            r#"(?i)(?:key\s*=\s*"(?P<akey>[^"]{2,80})"\s+value\s*=\s*"(?P<aval>[^"]{4,256})"|<(?P<tkey>[a-z0-9_.:\-]{2,80})>\s*(?P<tval>[^<\s][^<]{2,254}?)\s*</)"#,
        )
        .unwrap()
    })
}

/// XML forms: attribute pairs and elements, the element's text possibly on the next line.
fn xml_assignments(bytes: &[u8], ls: usize, le: usize, out: &mut Vec<Assignment>) {
    let line = &bytes[ls..le];
    for c in xml_regex().captures_iter(line) {
        let (Some(k), Some(v)) = (
            c.name("akey").or(c.name("tkey")),
            c.name("aval").or(c.name("tval")),
        ) else {
            continue;
        };
        push_if_credential(
            bytes,
            ls + k.start()..ls + k.end(),
            ls + v.start()..ls + v.end(),
            true,
            out,
        );
    }
    // `<genericToken>` alone on its line, the value on the next line.
    let trimmed = line.trim_ascii();
    if trimmed.len() > 2
        && trimmed[0] == b'<'
        && trimmed[trimmed.len() - 1] == b'>'
        && trimmed[1..trimmed.len() - 1]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
        && le < bytes.len()
    {
        let ns = le + 1;
        let ne = memchr::memchr(b'\n', &bytes[ns..]).map_or(bytes.len(), |i| ns + i);
        let next = &bytes[ns..ne];
        if let Some(vs) = next.iter().position(|b| !b.is_ascii_whitespace())
            && next[vs] != b'<'
        {
            let vend = next
                .iter()
                .rposition(|b| !b.is_ascii_whitespace())
                .map_or(next.len(), |i| i + 1);
            let kstart = ls + (line.len() - line.trim_ascii_start().len()) + 1;
            let kend = kstart + trimmed.len() - 2;
            push_if_credential(bytes, kstart..kend, ns + vs..ns + vend, false, out);
        }
    }
}

fn push_if_credential(
    bytes: &[u8],
    key: Range<usize>,
    value: Range<usize>,
    quoted: bool,
    out: &mut Vec<Assignment>,
) {
    let k = String::from_utf8_lossy(&bytes[key.clone()]);
    let v = String::from_utf8_lossy(&bytes[value.clone()]);
    if is_credential_key(&k)
        && value_fits_key(&k, &v, quoted)
        && !out.iter().any(|a| a.value == value)
    {
        out.push(Assignment { key, value });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(key_words("DB_PASSWORD"), ["db", "password"]);
        assert_eq!(key_words("clientSecret"), ["client", "secret"]);
        assert_eq!(key_words("api-key"), ["api", "key"]);
        assert_eq!(key_words("OAuth2Token"), ["oauth2", "token"]);
    }

    #[test]
    fn credential_keys() {
        for k in [
            "password",
            "DB_PASSWORD",
            "clientSecret",
            "api_key",
            "generic_token",
            "AUTH",
            "user_auth",
            "secretKey",
            "credentials",
            "connection_string",
            "SENTRY_DSN",
            "private_key",
        ] {
            assert!(is_credential_key(k), "{k}");
        }
        for k in [
            "PASSWORD_FILE",
            "secretName",
            "existingSecret",
            "secretKeyRef",
            "token_ttl",
            "access_token_url",
            "publicToken",
            "csrf-token",
            "credentialsId",
            "key",
            "schemaKey",
            "AuthSource",
            "LLM_SECRET_NAME",
            "keyVaultToStoreSecrets",
            "passwordPolicy",
        ] {
            assert!(!is_credential_key(k), "{k}");
        }
    }

    #[test]
    fn credential_values() {
        for v in [
            "Dragon2016@8Q4",
            "hunter22",
            "s3cr3t-v4lue",
            "Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB",
        ] {
            assert!(looks_like_credential(v), "{v}");
        }
        for v in [
            "",
            "${DB_PASS}",
            "changeme",
            "password",
            "fnord",
            "/run/secrets/db",
            "3600",
            "true",
            "ENC[AES256_GCM,data:x]",
            "vault:secret/data/db#password",
            "tls.key",
            "<your-token>",
            "XXXXXXXXXXXX",
            "your-api-key-here",
            "6fe4476ee5a1832882e326b506d14126",
            "hal+9ooo_da!sY",
        ] {
            assert!(!looks_like_credential(v), "{v}");
        }
    }

    #[test]
    fn xml_forms_and_vault_tokens() {
        let text = b"<add key=\"ClearTextPassword\" value=\"hal9ooo-da!sY\" />\n<apiToken>Zf3D0LXCM3EIMbgJpUNn</apiToken>\n<genericToken>\n    Zf3D0LXCM3EIMbgJpUNnkRtO\n</genericToken>\nVAULT_CLIENT_TOKEN=\"s.Z4bTMtngfLeQ18AqVoBBkUAOD1\"\npassword = config.db.password\n";
        let vals: Vec<_> = find_assignments(text)
            .iter()
            .map(|x| String::from_utf8_lossy(&text[x.value.clone()]).into_owned())
            .collect();
        assert_eq!(
            vals,
            [
                "hal9ooo-da!sY",
                "Zf3D0LXCM3EIMbgJpUNn",
                "Zf3D0LXCM3EIMbgJpUNnkRtO",
                "s.Z4bTMtngfLeQ18AqVoBBkUAOD1"
            ]
        );
    }

    #[test]
    fn line_level_assignments() {
        let text = b"export DB_PASSWORD=Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB\nPASSWORD_FILE=/run/secrets/x\ngenericToken := \"CLOJARS_34bf0e88955ff5a1c328d6a7491acc4f48e8\"\napi_key: short\n";
        let a = find_assignments(text);
        let vals: Vec<_> = a
            .iter()
            .map(|x| String::from_utf8_lossy(&text[x.value.clone()]).into_owned())
            .collect();
        assert_eq!(
            vals,
            [
                "Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB",
                "CLOJARS_34bf0e88955ff5a1c328d6a7491acc4f48e8"
            ]
        );
    }
}
