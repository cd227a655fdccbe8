//! Secrets stay secret: the only way a secret value is ever turned into text.

/// `abcd…(40 chars)`: at most 4 leading characters (fewer for short values: a quarter of
/// the length), an ellipsis and the length. Never more of the value.
pub fn redact(value: &str) -> String {
    let len = value.chars().count();
    let shown = (len / 4).min(4);
    let prefix: String = value.chars().take(shown).collect();
    format!("{prefix}…({len} chars)")
}

/// Key names whose values are masked in snippets wherever they appear. Deliberately broader
/// than the detection test `secrets::assignment::is_credential_key` (which must not fire on
/// `secretName`): a masked harmless value costs nothing, a shown secret is a leak.
pub fn is_sensitive_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "apikey",
        "api_key",
        "api-key",
        "private_key",
        "privatekey",
        "private-key",
        "credential",
        "auth",
        "dsn",
        "connection_string",
        "connectionstring",
        "access_key",
        "accesskey",
    ];
    WORDS.iter().any(|w| k.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_at_most_four_chars_and_the_length() {
        assert_eq!(
            redact("ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
            "ghp_…(40 chars)"
        );
        assert_eq!(redact("hunter2!"), "hu…(8 chars)");
        assert_eq!(redact("abc"), "…(3 chars)");
        assert_eq!(redact(""), "…(0 chars)");
        assert_eq!(redact("пароль-пароль"), "пар…(13 chars)");
    }

    #[test]
    fn credential_keys() {
        assert!(is_sensitive_key("DB_PASSWORD"));
        assert!(is_sensitive_key("clientSecret"));
        assert!(!is_sensitive_key("replicas"));
        assert!(!is_sensitive_key("image"));
    }
}
