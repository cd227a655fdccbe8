use crate::finding::Finding;
use crate::placeholder::contains_placeholder;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::workload::{PodSpec, as_int, is_true};
use crate::yaml::{Node, Span};

declare_rule! {
    /// ## What it does
    /// Off by default. Checks every pod spec (Pod, Deployment, StatefulSet, DaemonSet,
    /// ReplicaSet, ReplicationController, Job, CronJob, PodTemplate; kustomize patches are
    /// skipped) against the Kubernetes Pod Security Standards **baseline** profile, the
    /// level Pod Security admission enforces with `pod-security.kubernetes.io/enforce:
    /// baseline`. One finding per violation, at the offending field:
    ///
    /// - HostProcess: `windowsOptions.hostProcess: true` (pod or container);
    /// - host namespaces: `hostNetwork`, `hostPID`, `hostIPC: true`;
    /// - privileged containers: `securityContext.privileged: true`;
    /// - capabilities: `capabilities.add` beyond `AUDIT_WRITE CHOWN DAC_OVERRIDE FOWNER
    ///   FSETID KILL MKNOD NET_BIND_SERVICE SETFCAP SETGID SETPCAP SETUID SYS_CHROOT`
    ///   (compared exactly, as admission does: `CAP_CHOWN` is not `CHOWN`);
    /// - `hostPath` volumes;
    /// - host ports: a non-zero `ports[].hostPort`;
    /// - AppArmor: `appArmorProfile.type` other than `RuntimeDefault`/`Localhost`, or a
    ///   `container.apparmor.security.beta.kubernetes.io/*` annotation other than
    ///   `runtime/default`/`localhost/*`;
    /// - SELinux: `seLinuxOptions.type` other than `container_t`, `container_init_t`,
    ///   `container_kvm_t`, `container_engine_t`, or any `user`/`role`;
    /// - `/proc` mount: `procMount` other than `Default`;
    /// - seccomp: `seccompProfile.type: Unconfined` (pod or container);
    /// - sysctls outside the safe set (`kernel.shm_rmid_forced`,
    ///   `net.ipv4.ip_local_port_range`, `net.ipv4.ip_unprivileged_port_start`,
    ///   `net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range`,
    ///   `net.ipv4.ip_local_reserved_ports`, `net.ipv4.tcp_keepalive_time`,
    ///   `net.ipv4.tcp_fin_timeout`, `net.ipv4.tcp_keepalive_intvl`,
    ///   `net.ipv4.tcp_keepalive_probes`).
    ///
    /// Values written with placeholders (`${VAR}`, `{{ }}`) are not judged. A pod whose
    /// Namespace object, defined in the same file, is labeled
    /// `pod-security.kubernetes.io/enforce: privileged` is exempt (Namespaces in other
    /// files are not looked up). Some controls overlap default-on rules
    /// (`privileged-container`, `host-namespace`): this rule reports what admission would
    /// reject, in one place. Pair it with `pss-restricted`, which reports only the
    /// restricted profile's additional controls.
    ///
    /// ## Why is this bad?
    /// A cluster that enforces the baseline level rejects such a pod at admission: the
    /// GitOps controller syncs, the Deployment exists, and its ReplicaSet never creates a
    /// pod. Each of these fields breaks container isolation (node access, kernel
    /// capabilities, disabled confinement), which is why the profile forbids them.
    ///
    /// Enable it with `rules: {pss-baseline: warning}` in `.envgate.yaml`.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostNetwork: true
    ///   volumes:
    ///     - name: data
    ///       hostPath: {path: /srv/data}
    ///   containers:
    ///     - name: web
    ///       image: ghcr.io/acme/web:1.4.2
    ///       ports: [{containerPort: 8080, hostPort: 8080}]
    ///       securityContext:
    ///         capabilities: {add: [NET_RAW]}
    ///         seccompProfile: {type: Unconfined}
    /// ```
    ///
    /// ## Use instead
    /// Remove the fields; use a PersistentVolumeClaim or emptyDir instead of `hostPath`, a
    /// Service instead of `hostPort`, `seccompProfile: {type: RuntimeDefault}`. A node agent
    /// that needs them belongs in a namespace labeled
    /// `pod-security.kubernetes.io/enforce: privileged`.
    pub struct PssBaseline {
        id: "pss-baseline",
        severity: Warning,
        summary: "Pod spec violates the Pod Security Standards baseline profile",
        group: "workloads",
        default_on: false,
    }
}

/// Capabilities the baseline profile lets a container add.
pub const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

const SELINUX_TYPES: &[&str] = &[
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

/// A scalar's value when it is a literal (not null, not a placeholder).
fn literal(n: &Node) -> Option<&str> {
    let v = n.as_str()?;
    (!n.is_null() && !contains_placeholder(v)).then_some(v)
}

/// Collects one pod spec's violations.
struct Report<'c, 'a> {
    cx: &'c DocumentContext<'a>,
    pod: &'c PodSpec<'a>,
    out: &'c mut Vec<Finding>,
}

impl Report<'_, '_> {
    fn push(&mut self, span: Span, what: String, id: &str) {
        self.out.push(
            self.pod
                .pss_finding(&PssBaseline::META, self.cx.path, span, &what, id)
                .help("remove it, or label the namespace `pod-security.kubernetes.io/enforce: privileged` for a node agent"),
        );
    }

    /// The checks shared by the pod's and the containers' `securityContext`; `whose` is
    /// `pod` or `container `name``.
    fn security_context(&mut self, sc: &Node, whose: &str) {
        if let Some(v) = sc.get("windowsOptions").and_then(|w| w.get("hostProcess"))
            && is_true(v)
        {
            self.push(
                v.span,
                format!("HostProcess {whose} (windowsOptions.hostProcess: true)"),
                &format!("{whose}/hostProcess"),
            );
        }
        if let Some(v) = sc.get("seccompProfile").and_then(|s| s.get("type"))
            && literal(v) == Some("Unconfined")
        {
            self.push(
                v.span,
                format!("seccomp profile Unconfined on {whose}"),
                &format!("{whose}/seccomp"),
            );
        }
        if let Some(v) = sc.get("appArmorProfile").and_then(|s| s.get("type"))
            && let Some(t) = literal(v)
            && !matches!(t, "RuntimeDefault" | "Localhost")
        {
            self.push(
                v.span,
                format!("AppArmor profile {t} on {whose}"),
                &format!("{whose}/appArmor"),
            );
        }
        if let Some(se) = sc.get("seLinuxOptions") {
            if let Some(v) = se.get("type")
                && let Some(t) = literal(v)
                && !t.is_empty()
                && !SELINUX_TYPES.contains(&t)
            {
                self.push(
                    v.span,
                    format!("SELinux type `{t}` on {whose}"),
                    &format!("{whose}/seLinux.type"),
                );
            }
            for field in ["user", "role"] {
                if let Some(v) = se.get(field)
                    && let Some(t) = literal(v)
                    && !t.is_empty()
                {
                    self.push(
                        v.span,
                        format!("SELinux {field} `{t}` set on {whose}"),
                        &format!("{whose}/seLinux.{field}"),
                    );
                }
            }
        }
    }

    fn pod_level(&mut self) {
        let spec = self.pod.spec;
        for field in ["hostNetwork", "hostPID", "hostIPC"] {
            if let Some(v) = spec.get(field)
                && is_true(v)
            {
                self.push(v.span, format!("host namespace `{field}: true`"), field);
            }
        }
        for vol in spec.get("volumes").map(Node::items).unwrap_or(&[]) {
            if let Some(e) = vol.entry("hostPath") {
                let name = vol.get_str("name").unwrap_or("?");
                self.push(
                    e.key.span,
                    format!("hostPath volume `{name}`"),
                    &format!("volume/{name}/hostPath"),
                );
            }
        }
        let Some(sc) = spec.get("securityContext") else {
            return;
        };
        self.security_context(sc, "pod");
        for s in sc.get("sysctls").map(Node::items).unwrap_or(&[]) {
            if let Some(v) = s.get("name")
                && let Some(name) = literal(v)
                && !SAFE_SYSCTLS.contains(&name)
            {
                self.push(
                    v.span,
                    format!("unsafe sysctl `{name}`"),
                    &format!("sysctl/{name}"),
                );
            }
        }
    }

    fn apparmor_annotations(&mut self) {
        let Some(ann) = self.pod.pod_metadata().and_then(|m| m.get("annotations")) else {
            return;
        };
        for e in ann.entries() {
            let Some(container) = e
                .key
                .as_str()
                .and_then(|k| k.strip_prefix("container.apparmor.security.beta.kubernetes.io/"))
            else {
                continue;
            };
            let Some(v) = literal(&e.value) else { continue };
            if v != "runtime/default" && !v.starts_with("localhost/") {
                self.push(
                    e.value.span,
                    format!("AppArmor profile `{v}` for container `{container}`"),
                    &format!("{container}/appArmor"),
                );
            }
        }
    }

    fn containers(&mut self) {
        for c in self.pod.containers() {
            let whose = format!("container `{}`", c.name);
            for p in c.node.get("ports").map(Node::items).unwrap_or(&[]) {
                if let Some(v) = p.get("hostPort")
                    && as_int(v).is_some_and(|n| n != 0)
                {
                    self.push(
                        v.span,
                        format!("hostPort {} on {whose}", v.as_str().unwrap_or("?")),
                        &format!("{}/hostPort/{}", c.name, v.as_str().unwrap_or("?")),
                    );
                }
            }
            let Some(sc) = c.node.get("securityContext") else {
                continue;
            };
            if let Some(v) = sc.get("privileged")
                && is_true(v)
            {
                self.push(
                    v.span,
                    format!("privileged {whose}"),
                    &format!("{}/privileged", c.name),
                );
            }
            let add = sc.get("capabilities").and_then(|k| k.get("add"));
            for cap in add.map(Node::items).unwrap_or(&[]) {
                if let Some(name) = literal(cap)
                    && !BASELINE_CAPABILITIES.contains(&name)
                {
                    self.push(
                        cap.span,
                        format!("capability {name} added to {whose}"),
                        &format!("{}/capabilities/{name}", c.name),
                    );
                }
            }
            if let Some(v) = sc.get("procMount")
                && let Some(m) = literal(v)
                && m != "Default"
            {
                self.push(
                    v.span,
                    format!("procMount {m} on {whose}"),
                    &format!("{}/procMount", c.name),
                );
            }
            self.security_context(sc, &whose);
        }
    }
}

impl DocumentRule for PssBaseline {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        if cx.is_fragment() {
            return;
        }
        for pod in cx.pod_specs() {
            if pod.enforced_level(cx) == Some("privileged") {
                continue;
            }
            let mut r = Report { cx, pod, out };
            r.pod_level();
            r.apparmor_annotations();
            r.containers();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    fn lines_and_messages(src: &str) -> Vec<(u32, String)> {
        check(&PssBaseline, "p.yaml", src)
            .into_iter()
            .map(|f| (f.span.start.line, f.message))
            .collect()
    }

    #[test]
    fn every_baseline_control() {
        let src = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata:
      annotations:
        container.apparmor.security.beta.kubernetes.io/web: unconfined
        container.apparmor.security.beta.kubernetes.io/ok: runtime/default
    spec:
      hostNetwork: true
      hostPID: false
      volumes:
        - name: data
          hostPath: {path: /srv/data}
        - name: tmp
          emptyDir: {}
      securityContext:
        seccompProfile: {type: Unconfined}
        sysctls:
          - {name: net.ipv4.tcp_syncookies, value: '1'}
          - {name: kernel.msgmax, value: '65536'}
        windowsOptions: {hostProcess: true}
      containers:
        - name: web
          image: ghcr.io/acme/web:1.4.2
          ports:
            - {containerPort: 8080, hostPort: 8080}
            - {containerPort: 9090, hostPort: 0}
          securityContext:
            privileged: true
            procMount: Unmasked
            capabilities: {add: [CHOWN, NET_RAW, CAP_KILL]}
            appArmorProfile: {type: Unconfined}
            seLinuxOptions: {type: spc_t, user: system_u, level: 's0:c1,c2'}
";
        let got = lines_and_messages(src);
        let lines: Vec<u32> = got.iter().map(|(l, _)| *l).collect();
        assert_eq!(
            lines,
            [11, 15, 23, 19, 22, 8, 28, 31, 33, 33, 32, 34, 35, 35],
            "{got:#?}"
        );
        assert_eq!(
            got[1].1,
            "PSS baseline: hostPath volume `data` (Deployment shop/web)"
        );
        let all = got.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>();
        for want in [
            "host namespace `hostNetwork: true`",
            "seccomp profile Unconfined on pod",
            "unsafe sysctl `kernel.msgmax`",
            "HostProcess pod",
            "AppArmor profile `unconfined` for container `web`",
            "hostPort 8080 on container `web`",
            "privileged container `web`",
            "capability NET_RAW added",
            "capability CAP_KILL added",
            "procMount Unmasked",
            "AppArmor profile Unconfined on container `web`",
            "SELinux type `spc_t`",
            "SELinux user `system_u`",
        ] {
            assert!(all.iter().any(|m| m.contains(want)), "{want}: {all:#?}");
        }
    }

    #[test]
    fn compliant_pods_and_traps() {
        for src in [
            // every allowed value
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {container.apparmor.security.beta.kubernetes.io/a: localhost/my-profile}\nspec:\n  hostNetwork: false\n  securityContext:\n    seccompProfile: {type: RuntimeDefault}\n    sysctls: [{name: net.ipv4.ip_local_port_range, value: '1024 65535'}]\n    seLinuxOptions: {type: container_init_t, level: 's0:c1'}\n  containers:\n    - name: a\n      image: x:1\n      ports: [{containerPort: 80, hostPort: 0}]\n      securityContext:\n        privileged: false\n        procMount: Default\n        capabilities: {add: [NET_BIND_SERVICE, SYS_CHROOT], drop: [ALL]}\n        appArmorProfile: {type: Localhost, localhostProfile: p}\n        seccompProfile: {type: Localhost, localhostProfile: p.json}\n",
            // placeholders are unknown
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      image: x:1\n      ports: [{containerPort: 80, hostPort: '${HOST_PORT}'}]\n      securityContext:\n        capabilities: {add: ['${CAP}']}\n        seccompProfile: {type: '{{ .Values.seccomp }}'}\n",
            // a HelmRelease's values are not a pod spec
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: r}\nspec:\n  values:\n    hostNetwork: true\n    securityContext: {privileged: true}\n",
            // a Namespace in the same file that enforces `privileged` exempts its pods
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: monitoring\n  labels: {pod-security.kubernetes.io/enforce: privileged}\n---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: node-exporter, namespace: monitoring}\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      hostPID: true\n      volumes: [{name: root, hostPath: {path: /}}]\n      containers: [{name: e, image: x:1}]\n",
        ] {
            assert!(lines_and_messages(src).is_empty(), "{src}");
        }
    }

    #[test]
    fn namespace_labels_other_than_privileged_do_not_exempt() {
        let src = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n  labels: {pod-security.kubernetes.io/enforce: baseline, pod-security.kubernetes.io/warn: privileged}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: apps}\nspec:\n  hostIPC: true\n  containers: [{name: a, image: x:1}]\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: other\n  labels: {pod-security.kubernetes.io/enforce: privileged}\n";
        let got = lines_and_messages(src);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].0, 11);
    }
}
