use crate::finding::{Finding, secret_hash};
use crate::redact::redact;
use crate::rules::declare_rule;
use crate::yaml::Span;

declare_rule! {
    /// ## What it does
    /// Decodes the `.dockerconfigjson` (and legacy `.dockercfg`) of a raw Secret and reports
    /// every registry credential in it: `auths.<registry>.auth` (base64 of `user:password`)
    /// and `auths.<registry>.password`, naming the registry.
    ///
    /// ## Why is this bad?
    /// An image pull secret is a registry password: with it anyone can pull (and often
    /// push) your images. `raw-secret` says the Secret is in plaintext; this rule says what
    /// leaked and where to rotate it.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Secret
    /// type: kubernetes.io/dockerconfigjson
    /// data:
    ///   .dockerconfigjson: eyJhdXRocyI6eyJnaGNyLmlvIjp7ImF1dGgiOiIuLi4ifX19
    /// ```
    ///
    /// ## Use instead
    /// Seal or SOPS-encrypt the pull secret, or use workload identity / IRSA for registry
    /// access. Revoke the registry token.
    pub struct DockerConfigAuth {
        id: "docker-config-auth",
        severity: Error,
        summary: "Registry credential inside a .dockerconfigjson",
        group: "credentials",
    }
}

impl DockerConfigAuth {
    pub fn finding(
        path: &str,
        span: Span,
        label: &str,
        registry: &str,
        field: &str,
        value: &str,
        secret: std::ops::Range<usize>,
    ) -> Finding {
        Finding::new(
            &Self::META,
            path,
            span,
            format!(
                "registry credential for {registry} ({field}) inside base64 of {label}: {}",
                redact(value)
            ),
            &format!("{registry}/{}", secret_hash(value)),
        )
        .help("seal or SOPS-encrypt the pull secret, then revoke and rotate the registry token")
        .secret(secret)
    }
}
