use crate::finding::{Finding, secret_hash};
use crate::redact::redact;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::secrets::assignment::{is_credential_key, looks_like_credential};
use crate::yaml::{Node, NodeKind};

declare_rule! {
    /// ## What it does
    /// Flags a container environment variable whose name names a credential
    /// (`DB_PASSWORD`, `API_TOKEN`, `CLIENT_SECRET`, …) and whose `value:` is a literal, in
    /// any list of `{name, value}` items: container `env` of every workload kind, Helm
    /// charts' `extraEnv`/`extraEnvVars` in values, Argo CD `helm.parameters`.
    ///
    /// Not reported: `valueFrom` (`secretKeyRef`), names ending in `_FILE`/`_PATH`/`_NAME`/
    /// `_REF`, placeholders (`$(VAR)`, `${VAR}`), and placeholder words (`changeme`).
    ///
    /// ## Why is this bad?
    /// The value is in the Deployment for everyone to read — in Git, in `kubectl get -o
    /// yaml`, in Argo CD's UI — instead of in a Secret that RBAC can protect.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: DB_PASSWORD
    ///     value: Dragon2016@8Q4
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// env:
    ///   - name: DB_PASSWORD
    ///     valueFrom:
    ///       secretKeyRef: {name: db-credentials, key: password}
    /// ```
    pub struct EnvLiteralSecret {
        id: "env-literal-secret",
        severity: Error,
        summary: "Container env var with a credential name and a literal value",
        group: "credentials",
    }
}

impl DocumentRule for EnvLiteralSecret {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        walk(&cx.doc.root, cx, out);
    }
}

fn walk(node: &Node, cx: &DocumentContext, out: &mut Vec<Finding>) {
    match &node.kind {
        NodeKind::Mapping(entries) => {
            for e in entries {
                walk(&e.value, cx, out);
            }
        }
        // Any list of `{name, value}` items: `env`, Helm charts' `extraEnv`/`extraEnvVars`,
        // Argo CD `helm.parameters`.
        NodeKind::Sequence(items) => {
            for i in items {
                check_var(i, cx, out);
                walk(i, cx, out);
            }
        }
        _ => {}
    }
}

fn check_var(item: &Node, cx: &DocumentContext, out: &mut Vec<Finding>) {
    let (Some(name), Some(value)) = (item.get_str("name"), item.get("value")) else {
        return;
    };
    let Some(v) = value.as_str() else { return };
    if !is_credential_key(name) || !looks_like_credential(v) {
        return;
    }
    out.push(
        Finding::new(
            &EnvLiteralSecret::META,
            cx.path,
            value.span,
            format!("env var {name} has a literal value: {}", redact(v)),
            &format!("{name}/{}", secret_hash(v)),
        )
        .help("use valueFrom.secretKeyRef to an encrypted Secret, and rotate the credential")
        .secret(value.span.bytes()),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    #[test]
    fn literal_env_values() {
        let src = "spec:\n  template:\n    spec:\n      containers:\n        - name: app\n          env:\n            - name: DB_PASSWORD\n              value: Dragon2016@8Q4\n            - name: LOG_LEVEL\n              value: debug\n            - name: API_TOKEN\n              valueFrom:\n                secretKeyRef: {name: a, key: b}\n            - name: PASSWORD_FILE\n              value: /run/secrets/pw\n            - name: ADMIN_PASSWORD\n              value: $(ADMIN_PW)\n      extraEnv:\n        - name: LDAP_BIND_PASSWORD\n          value: \"Monkey2020&Fnh\"\n";
        let f = check(&EnvLiteralSecret, "d.yaml", src);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!((f[0].span.start.line, f[0].span.start.col), (8, 22));
        assert_eq!(f[1].span.start.line, 20);
        assert!(f[0].message.contains("DB_PASSWORD"));
        assert!(!f[0].message.contains("Dragon2016@8Q4"));
    }
}
