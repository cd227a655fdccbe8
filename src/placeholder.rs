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
///
/// One pass over the bytes (every placeholder starts with `$` or `{`): rules ask this of
/// every label, name and path they read.
pub fn contains_placeholder(value: &str) -> bool {
    let b = value.as_bytes();
    let mut from = 0;
    while let Some(i) = memchr::memchr2(b'$', b'{', &b[from..]) {
        let i = from + i;
        if matches!(
            (b[i], b.get(i + 1)),
            (b'$', Some(b'{' | b'(')) | (b'{', Some(b'{'))
        ) {
            return true;
        }
        from = i + 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contained_placeholders() {
        for v in ["${A}", "x-$(B)", "{{ .x }}", "a${", "$$(x", "{{"] {
            assert!(contains_placeholder(v), "{v:?}");
        }
        for v in ["", "$", "{", "$x{", "{ {", "a$ (b", "plain-name", "}}"] {
            assert!(!contains_placeholder(v), "{v:?}");
        }
    }

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
