use crate::finding::Finding;
use crate::placeholder::contains_placeholder;
use crate::rules::pss_baseline::BASELINE_CAPABILITIES;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::workload::{PodSpec, as_int, container_anchor, is_false, is_true};
use crate::yaml::{Node, NodeKind, Span};

declare_rule! {
    /// ## What it does
    /// Off by default. Checks every pod spec (kustomize patches skipped) against the
    /// controls the Kubernetes Pod Security Standards **restricted** profile adds to the
    /// baseline. It does not repeat the baseline's controls: enable `pss-baseline` too for
    /// the whole restricted profile.
    ///
    /// - volume types: only `configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`,
    ///   `persistentVolumeClaim`, `projected`, `secret` (`hostPath` is baseline's);
    /// - privilege escalation: every container (init and ephemeral included) sets
    ///   `allowPrivilegeEscalation: false`;
    /// - non-root: `runAsNonRoot: true` at the pod level or on every container (a container
    ///   may not set `false`), and no `runAsUser: 0`;
    /// - seccomp: `seccompProfile.type` `RuntimeDefault` or `Localhost` at the pod level or
    ///   on every container (`Unconfined` is baseline's);
    /// - capabilities: every container drops `ALL` and adds nothing but
    ///   `NET_BIND_SERVICE` (adding one outside the baseline set is baseline's).
    ///
    /// As admission does, Windows pods (`spec.os.name: windows`) are exempt from the
    /// privilege-escalation, seccomp and capability controls. Containers without an
    /// `image` (patch fragments) and objects without a name are not judged for what they
    /// lack; settings written with placeholders, aliases or merge keys are unknown. A pod
    /// whose Namespace object, in the same file, is labeled
    /// `pod-security.kubernetes.io/enforce: privileged` or `baseline` is exempt (Namespaces
    /// in other files are not looked up).
    ///
    /// ## Why is this bad?
    /// A namespace enforcing the restricted level rejects the pod at admission: the sync
    /// succeeds and no pod starts. The controls are current pod-hardening practice: a
    /// process that cannot gain privileges, run as root, make unfiltered syscalls or hold
    /// capabilities leaves little to escalate from.
    ///
    /// Enable it with `rules: {pss-restricted: warning}` in `.envgate.yaml`.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: web
    ///       image: ghcr.io/acme/web:1.4.2
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: true
    ///     seccompProfile: {type: RuntimeDefault}
    ///   containers:
    ///     - name: web
    ///       image: ghcr.io/acme/web:1.4.2
    ///       securityContext:
    ///         allowPrivilegeEscalation: false
    ///         capabilities: {drop: [ALL]}
    /// ```
    pub struct PssRestricted {
        id: "pss-restricted",
        severity: Warning,
        summary: "Pod spec violates the Pod Security Standards restricted profile",
        group: "workloads",
        default_on: false,
    }
}

const VOLUME_TYPES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// Written so that its value is not visible here: an alias, a merge key, a placeholder.
fn opaque(n: &Node) -> bool {
    match &n.kind {
        NodeKind::Alias(_) => true,
        NodeKind::Scalar(s) => !n.is_null() && contains_placeholder(&s.value),
        NodeKind::Mapping(es) => es.iter().any(|e| e.key.as_str() == Some("<<")),
        NodeKind::Sequence(_) => false,
    }
}

/// `securityContext.<key>`, with `null` treated as absent.
fn field<'a>(sc: Option<&'a Node>, key: &str) -> Option<&'a Node> {
    sc.and_then(|s| s.get(key)).filter(|n| !n.is_null())
}

fn good_seccomp(t: &Node) -> bool {
    matches!(t.as_str(), Some("RuntimeDefault" | "Localhost"))
}

struct Report<'c, 'a> {
    cx: &'c DocumentContext<'a>,
    pod: &'c PodSpec<'a>,
    out: &'c mut Vec<Finding>,
}

impl Report<'_, '_> {
    fn push(&mut self, span: Span, what: String, id: &str, help: &str) {
        self.out.push(
            self.pod
                .pss_finding(&PssRestricted::META, self.cx.path, span, &what, id)
                .help(help.to_string()),
        );
    }

    fn volumes(&mut self) {
        for vol in self.pod.spec.get("volumes").map(Node::items).unwrap_or(&[]) {
            if opaque(vol) {
                continue;
            }
            let name = vol.get_str("name").unwrap_or("?");
            for e in vol.entries() {
                let Some(t) = e.key.as_str() else { continue };
                if t == "name" || t == "hostPath" || VOLUME_TYPES.contains(&t) {
                    continue;
                }
                self.push(
                    e.key.span,
                    format!("volume `{name}` of type {t}"),
                    &format!("volume/{name}/{t}"),
                    "use configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected or secret volumes",
                );
            }
        }
    }

    fn check(&mut self) {
        self.volumes();
        let spec = self.pod.spec;
        let windows = spec.get("os").and_then(|o| o.get_str("name")) == Some("windows");
        let pod_sc = spec.get("securityContext");
        if pod_sc.is_some_and(opaque) {
            return;
        }
        let pod_nonroot = field(pod_sc, "runAsNonRoot");
        let pod_user = field(pod_sc, "runAsUser");
        let pod_seccomp = field(pod_sc, "seccompProfile").and_then(|s| field(Some(s), "type"));
        if let Some(v) = pod_nonroot
            && is_false(v)
        {
            self.push(
                v.span,
                "pod sets runAsNonRoot: false".into(),
                "pod/runAsNonRoot",
                "set `runAsNonRoot: true`",
            );
        }
        if let Some(v) = pod_user
            && as_int(v) == Some(0)
        {
            self.push(
                v.span,
                "pod sets runAsUser: 0".into(),
                "pod/runAsUser",
                "run as a non-zero UID",
            );
        }
        let pod_seccomp_ok = match pod_seccomp {
            Some(t) if good_seccomp(t) || opaque(t) => true,
            Some(t) => {
                // `Unconfined` is pss-baseline's; anything else is no valid profile
                if t.as_str() != Some("Unconfined") {
                    self.push(
                        t.span,
                        format!("pod seccompProfile type {}", t.as_str().unwrap_or("?")),
                        "pod/seccomp",
                        "use `seccompProfile: {type: RuntimeDefault}`",
                    );
                }
                false
            }
            None => false,
        };
        let pod_nonroot_ok = pod_nonroot.is_some_and(|v| is_true(v) || opaque(v));
        let partial = self.pod.is_partial();
        for c in self.pod.containers() {
            let sc = c.node.get("securityContext");
            if sc.is_some_and(opaque) {
                continue;
            }
            let who = format!("container `{}`", c.name);
            let judged = !partial && c.is_complete();
            let anchor = container_anchor(c.node, "securityContext");
            // explicit values: judged wherever they are written
            if let Some(v) = field(sc, "runAsUser")
                && as_int(v) == Some(0)
            {
                self.push(
                    v.span,
                    format!("{who} sets runAsUser: 0"),
                    &format!("{}/runAsUser", c.name),
                    "run as a non-zero UID",
                );
            }
            match field(sc, "runAsNonRoot") {
                Some(v) if is_false(v) => self.push(
                    v.span,
                    format!("{who} sets runAsNonRoot: false"),
                    &format!("{}/runAsNonRoot", c.name),
                    "set `runAsNonRoot: true`",
                ),
                Some(_) => {}
                None if judged && !pod_nonroot_ok => self.push(
                    anchor,
                    format!("neither {who} nor its pod sets runAsNonRoot: true"),
                    &format!("{}/runAsNonRoot", c.name),
                    "set `runAsNonRoot: true` in the pod's securityContext",
                ),
                None => {}
            }
            if windows {
                continue;
            }
            match field(sc, "allowPrivilegeEscalation") {
                Some(v) if is_false(v) || opaque(v) => {}
                Some(v) => self.push(
                    v.span,
                    format!("{who} does not set allowPrivilegeEscalation: false"),
                    &format!("{}/allowPrivilegeEscalation", c.name),
                    "set `allowPrivilegeEscalation: false`",
                ),
                None if judged => self.push(
                    anchor,
                    format!("{who} does not set allowPrivilegeEscalation: false"),
                    &format!("{}/allowPrivilegeEscalation", c.name),
                    "set `allowPrivilegeEscalation: false`",
                ),
                None => {}
            }
            let seccomp = field(sc, "seccompProfile").and_then(|s| field(Some(s), "type"));
            match seccomp {
                Some(t) if good_seccomp(t) || opaque(t) => {}
                Some(t) if t.as_str() == Some("Unconfined") => {} // pss-baseline's
                Some(t) => self.push(
                    t.span,
                    format!("{who} seccompProfile type {}", t.as_str().unwrap_or("?")),
                    &format!("{}/seccomp", c.name),
                    "use `seccompProfile: {type: RuntimeDefault}`",
                ),
                None if judged && !pod_seccomp_ok => self.push(
                    anchor,
                    format!(
                        "neither {who} nor its pod sets seccompProfile RuntimeDefault or Localhost"
                    ),
                    &format!("{}/seccomp", c.name),
                    "set `seccompProfile: {type: RuntimeDefault}` in the pod's securityContext",
                ),
                None => {}
            }
            let caps = field(sc, "capabilities");
            if caps.is_some_and(opaque) {
                continue;
            }
            let drop = caps.and_then(|k| k.get("drop"));
            let drops_all = drop.is_some_and(|d| {
                opaque(d)
                    || d.items().iter().any(|i| {
                        i.as_str()
                            .is_some_and(|s| s == "ALL" || contains_placeholder(s))
                    })
            });
            if !drops_all && (judged || drop.is_some()) {
                let at = caps
                    .and_then(|k| k.entry("drop"))
                    .map(|e| e.key.span)
                    .unwrap_or(anchor);
                self.push(
                    at,
                    format!("{who} does not drop ALL capabilities"),
                    &format!("{}/capabilities.drop", c.name),
                    "set `capabilities: {drop: [ALL]}`",
                );
            }
            let add = caps.and_then(|k| k.get("add"));
            for cap in add.map(Node::items).unwrap_or(&[]) {
                // outside the baseline set: pss-baseline's
                if let Some(name) = cap.as_str()
                    && name != "NET_BIND_SERVICE"
                    && BASELINE_CAPABILITIES.contains(&name)
                {
                    self.push(
                        cap.span,
                        format!("{who} adds capability {name} (only NET_BIND_SERVICE allowed)"),
                        &format!("{}/capabilities/{name}", c.name),
                        "add only NET_BIND_SERVICE",
                    );
                }
            }
        }
    }
}

impl DocumentRule for PssRestricted {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        if cx.is_fragment() {
            return;
        }
        for pod in cx.pod_specs() {
            if matches!(pod.enforced_level(cx), Some("privileged" | "baseline")) {
                continue;
            }
            Report { cx, pod, out }.check();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    fn run(src: &str) -> Vec<(u32, String)> {
        check(&PssRestricted, "p.yaml", src)
            .into_iter()
            .map(|f| (f.span.start.line, f.message))
            .collect()
    }

    const HARDENED: &str = "    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities: {drop: [ALL]}\n";

    #[test]
    fn bare_container_misses_everything() {
        let src = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: n}\nspec:\n  volumes:\n    - {name: nfs, nfs: {server: s, path: /x}}\n    - {name: h, hostPath: {path: /x}}\n    - {name: c, configMap: {name: c}}\n  containers:\n    - name: web\n      image: x:1\n";
        let got = run(src);
        let msgs: Vec<&str> = got.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "PSS restricted: volume `nfs` of type nfs (Pod n/p)",
                "PSS restricted: neither container `web` nor its pod sets runAsNonRoot: true (Pod n/p)",
                "PSS restricted: container `web` does not set allowPrivilegeEscalation: false (Pod n/p)",
                "PSS restricted: neither container `web` nor its pod sets seccompProfile RuntimeDefault or Localhost (Pod n/p)",
                "PSS restricted: container `web` does not drop ALL capabilities (Pod n/p)",
            ]
        );
        // the container findings point at the container's name (no securityContext)
        assert!(got[1..].iter().all(|(l, _)| *l == 10));
    }

    #[test]
    fn pod_level_settings_cover_containers() {
        let src = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      securityContext:\n        runAsNonRoot: true\n        seccompProfile: {type: RuntimeDefault}\n      initContainers:\n        - name: init\n          image: x:1\n      containers:\n        - name: web\n          image: x:1\n          securityContext:\n            allowPrivilegeEscalation: false\n            capabilities: {drop: [ALL]}\n";
        let got = run(src);
        // only the init container lacks allowPrivilegeEscalation and drop ALL
        let msgs: Vec<&str> = got.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(msgs.len(), 2, "{msgs:#?}");
        assert!(msgs.iter().all(|m| m.contains("container `init`")));
    }

    #[test]
    fn explicit_violations() {
        let src = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    runAsNonRoot: true\n    runAsUser: 0\n    seccompProfile: {type: Localhost, localhostProfile: p.json}\n  containers:\n    - name: a\n      image: x:1\n      securityContext:\n        runAsNonRoot: false\n        allowPrivilegeEscalation: true\n        capabilities: {drop: [NET_RAW], add: [NET_BIND_SERVICE, CHOWN, SYS_ADMIN]}\n";
        let got = run(src);
        let lines: Vec<u32> = got.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [7, 13, 14, 15, 15], "{got:#?}");
        assert!(got[4].1.contains("adds capability CHOWN"));
    }

    #[test]
    fn not_reported() {
        for src in [
            // fully hardened at the pod level plus per container
            &format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  securityContext: {{runAsNonRoot: true, runAsUser: 1000, seccompProfile: {{type: RuntimeDefault}}}}\n  volumes: [{{name: t, emptyDir: {{}}}}, {{name: s, projected: {{sources: []}}}}]\n  containers:\n  - name: a\n    image: x:1\n{HARDENED}"
            ) as &str,
            // a patch: containers without image, object without name
            "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          resources: {limits: {memory: 1Gi}}\n",
            // Windows pods: only the non-root control applies
            "apiVersion: v1\nkind: Pod\nmetadata: {name: w}\nspec:\n  os: {name: windows}\n  securityContext: {runAsNonRoot: true}\n  containers: [{name: a, image: x:1}]\n",
            // unknowns: alias, placeholder
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsNonRoot: '${NONROOT}', seccompProfile: {type: '${SECCOMP}'}}\n  containers:\n  - name: a\n    image: x:1\n    securityContext: {allowPrivilegeEscalation: '{{ .Values.ape }}', capabilities: {drop: ['${DROP}']}}\n",
            // a Namespace in the file enforcing baseline exempts its pods from restricted
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: legacy\n  labels: {pod-security.kubernetes.io/enforce: baseline}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: legacy}\nspec:\n  containers: [{name: a, image: x:1}]\n",
            // Helm values are not a pod spec
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: r}\nspec:\n  values:\n    containers: [{name: a, image: x:1}]\n",
        ] {
            assert!(run(src).is_empty(), "{src}: {:#?}", run(src));
        }
    }
}
