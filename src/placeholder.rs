//! Values that are templates, not literals: `${VAR}`, `$(VAR)`, `{{ … }}`.

/// True when `value` is empty or made only of placeholders and whitespace, so it holds no
/// literal that could be a secret.
pub fn is_placeholder_only(value: &str) -> bool {
    let mut rest = value.trim();
    while !rest.is_empty() {
        let end = if let Some(r) = rest.strip_prefix("${") {
            r.find('}').map(|i| i + 3)
        } else if let Some(r) = rest.strip_prefix("$(") {
            r.find(')').map(|i| i + 3)
        } else if let Some(r) = rest.strip_prefix("{{") {
            r.find("}}").map(|i| i + 4)
        } else {
            None
        };
        match end {
            Some(n) => rest = rest[n..].trim_start(),
            None => return false,
        }
    }
    true
}

/// True when `value` holds a placeholder anywhere (its rendered value is unknown).
pub fn contains_placeholder(value: &str) -> bool {
    value.contains("${") || value.contains("$(") || value.contains("{{")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        for v in [
            "",
            "  ",
            "${DB_PASSWORD}",
            "{{ .password }}",
            "$(PASS)",
            "${A}${B}",
        ] {
            assert!(is_placeholder_only(v), "{v:?}");
        }
        for v in [
            "hunter2",
            "${A}x",
            "pre-${A}",
            "${unterminated",
            "{{ x }",
            "ENC[AES]",
        ] {
            assert!(!is_placeholder_only(v), "{v:?}");
        }
    }
}
