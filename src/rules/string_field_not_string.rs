use crate::finding::Finding;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::yaml::{Node, NodeKind, ScalarStyle};

declare_rule! {
    /// ## What it does
    /// Flags an unquoted value that YAML reads as a boolean, number or null where
    /// Kubernetes requires a string: `metadata.labels` and `metadata.annotations` values,
    /// ConfigMap `data`, container `env[].value`, `args` and `command` items. Covers YAML 1.2
    /// (`true`, `1.10`, `0x1F`, `null`, empty) and the YAML 1.1 booleans that Kubernetes'
    /// decoder still honours (`yes`, `no`, `on`, `off`, `y`, `n`).
    ///
    /// ## Why is this bad?
    /// The API server rejects the object ("cannot unmarshal bool into … of type string"), so
    /// the sync fails after the merge; or a tool re-serialises it and `1.10` silently becomes
    /// `1.1`, `0123` becomes `83`.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   labels:
    ///     enabled: yes
    ///     version: 1.10
    /// ```
    ///
    /// ## Use instead
    /// Quote it: `enabled: "yes"`, `version: "1.10"`.
    pub struct StringFieldNotString {
        id: "string-field-not-string",
        severity: Error,
        summary: "Unquoted bool/number/null where Kubernetes requires a string",
    }
}

/// What an unquoted scalar resolves to, if not a string.
fn non_string_type(v: &str) -> Option<&'static str> {
    // Only these can start a null, a boolean or a number: most values are rejected on their
    // first byte.
    match v.as_bytes().first() {
        None => return Some("null"),
        Some(
            b'~'
            | b'n'
            | b'N'
            | b't'
            | b'T'
            | b'f'
            | b'F'
            | b'y'
            | b'Y'
            | b'o'
            | b'O'
            | b'0'..=b'9'
            | b'+'
            | b'-'
            | b'.',
        ) => {}
        Some(_) => return None,
    }
    if matches!(v, "~" | "null" | "Null" | "NULL") {
        return Some("null");
    }
    let any_case = |words: &[&str]| words.iter().any(|w| v.eq_ignore_ascii_case(w));
    if any_case(&["true", "false", "yes", "no", "on", "off", "y", "n"]) {
        return Some("a boolean");
    }
    let body = v.strip_prefix(['-', '+']).unwrap_or(v);
    let int = !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    let hex = body
        .strip_prefix("0x")
        .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()));
    let oct = body
        .strip_prefix("0o")
        .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| (b'0'..=b'7').contains(&b)));
    if int || hex || oct {
        return Some("a number");
    }
    let special = any_case(&[".inf", "-.inf", "+.inf", ".nan"]);
    let float = {
        let (mantissa, exp) = match body.find(['e', 'E']) {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        let digits_dot = !mantissa.is_empty()
            && mantissa.bytes().any(|b| b.is_ascii_digit())
            && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && mantissa.bytes().filter(|b| *b == b'.').count() <= 1;
        let exp_ok = exp.is_none_or(|e| {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
        });
        digits_dot && exp_ok
    };
    (special || float).then_some("a number")
}

/// `sensitive`: the value may be a credential (an env var named like one): shown redacted.
/// `field` names the place, for the message; it is built only when there is a finding.
fn check_scalar(
    n: &Node,
    field: impl FnOnce() -> String,
    sensitive: bool,
    cx: &DocumentContext,
    out: &mut Vec<Finding>,
) {
    let NodeKind::Scalar(s) = &n.kind else { return };
    if s.style != ScalarStyle::Plain || s.tag.is_some() {
        return;
    }
    if let Some(t) = non_string_type(&s.value) {
        let field = field();
        let shown: String = if sensitive {
            crate::redact::redact(&s.value)
        } else {
            s.value.chars().take(40).collect()
        };
        out.push(
            Finding::new(
                &StringFieldNotString::META,
                cx.path,
                n.span,
                format!("{field} `{shown}` is {t} in YAML, but Kubernetes requires a string"),
                &format!("{field}={shown}"),
            )
            .help(if sensitive {
                "quote the value".to_string()
            } else {
                format!("quote it: \"{shown}\"")
            }),
        );
    }
}

fn check_map_values(m: Option<&Node>, what: &str, cx: &DocumentContext, out: &mut Vec<Finding>) {
    for e in m.map(Node::entries).unwrap_or(&[]) {
        let field = || format!("{what}.{}", e.key.as_str().unwrap_or("?"));
        check_scalar(&e.value, field, false, cx, out);
    }
}

fn check_containers(cx: &DocumentContext, out: &mut Vec<Finding>) {
    for c in cx.containers() {
        let name = c.get_str("name").unwrap_or("?");
        for v in c.get("env").map(Node::items).unwrap_or(&[]) {
            if let Some(val) = v.get("value") {
                let var = v.get_str("name").unwrap_or("?");
                let sensitive = crate::redact::is_sensitive_key(var);
                check_scalar(
                    val,
                    || format!("container {name} env {var}"),
                    sensitive,
                    cx,
                    out,
                );
            }
        }
        for key in ["args", "command"] {
            for a in c.get(key).map(Node::items).unwrap_or(&[]) {
                check_scalar(a, || format!("container {name} {key} item"), false, cx, out);
            }
        }
    }
}

impl DocumentRule for StringFieldNotString {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        let mut any_object = false;
        for obj in cx.objects() {
            // Kubernetes objects only: Helm values and other YAML have their own types.
            if obj.api_version.is_none() || obj.kind.is_none() {
                continue;
            }
            any_object = true;
            let template = obj.spec.and_then(|s| s.get("template"));
            let metas = [obj.metadata, template.and_then(|t| t.get("metadata"))];
            for m in metas.into_iter().flatten() {
                check_map_values(m.get("labels"), "label", cx, out);
                check_map_values(m.get("annotations"), "annotation", cx, out);
            }
            if obj.kind == Some("ConfigMap") {
                check_map_values(obj.node.get("data"), "data", cx, out);
            }
        }
        // (The document's containers, once: a `List`'s items share them.)
        if any_object {
            check_containers(cx, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    #[test]
    fn resolution() {
        for v in [
            "yes", "No", "on", "true", "1.10", "0123", "42", "-1", "0x1F", "1e3", ".inf", "~", "",
            "tRuE", "OFF", "Y", "+.INF", ".NaN", "+12", "-0o17", ".5", "NULL",
        ] {
            assert!(non_string_type(v).is_some(), "{v}");
        }
        for v in [
            "v1.10",
            "1.2.3",
            "abc",
            "yesplease",
            "1e",
            "0x",
            "10m",
            "500Mi",
            "2024-01-01",
            "nginx",
            "off-peak",
            "Truefalse",
            "https://example.com",
            "nul",
            "-",
            ".",
        ] {
            assert!(non_string_type(v).is_none(), "{v}");
        }
    }

    #[test]
    fn kubernetes_string_fields() {
        let src = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    enabled: yes\n    tier: \"1\"\n  annotations:\n    version: 1.10\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          args: [--port, 8080, \"9090\"]\n          env:\n            - {name: PORT, value: 8080}\n            - {name: MODE, value: prod}\n";
        let f = check(&StringFieldNotString, "d.yaml", src);
        let mut lines: Vec<u32> = f.iter().map(|x| x.span.start.line).collect();
        lines.sort();
        assert_eq!(lines, [6, 9, 15, 17], "{f:?}");
        let cm = "apiVersion: v1\nkind: ConfigMap\ndata:\n  RETRIES: 3\n  NAME: x\n";
        assert_eq!(check(&StringFieldNotString, "c.yaml", cm).len(), 1);
        // A numeric value of a credential-named variable is reported redacted.
        let pw = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      env:\n        - {name: DB_PASSWORD, value: 20240917}\n";
        let f = check(&StringFieldNotString, "p.yaml", pw);
        assert_eq!(f.len(), 1);
        assert!(!f[0].message.contains("20240917"), "{}", f[0].message);
        // Helm values are not Kubernetes objects.
        assert!(
            check(
                &StringFieldNotString,
                "values.yaml",
                "labels:\n  enabled: yes\n"
            )
            .is_empty()
        );
    }
}
