use crate::finding::Finding;
use crate::placeholder::is_placeholder_only;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it does
    /// Flags a `hostPath` volume of a pod spec whose path is the node's root `/`, or is
    /// (or lies under) a sensitive node directory or socket: `/etc`, `/proc`, `/sys`, `/dev`,
    /// `/boot`, `/root`, `/var/lib/kubelet`, the container runtime sockets and directories
    /// (`/var/run/docker.sock`, `/run/containerd`, `/var/run/crio`, `cri-dockerd.sock`,
    /// both `/run` and `/var/run` spellings), and `/var/lib/docker`, `/var/lib/containerd`.
    /// Log directories (`/var/log`) and other paths are not reported. Placeholder paths
    /// (`${PATH}`) are skipped.
    ///
    /// ## Why is this bad?
    /// These mounts hand the pod the node: the runtime socket starts privileged containers,
    /// `/etc` and `/root` hold node credentials, kubelet's directory holds every pod's
    /// secrets, `/proc` and `/sys` expose the kernel. A compromise of the pod is a compromise
    /// of the node.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    ///   - name: docker
    ///     hostPath:
    ///       path: /var/run/docker.sock
    /// ```
    ///
    /// ## Use instead
    /// Use a PersistentVolumeClaim, ConfigMap, Secret or `emptyDir`. For a node agent that
    /// needs the mount, suppress with a reason.
    pub struct SensitiveHostPath {
        id: "sensitive-host-path",
        severity: Error,
        summary: "hostPath volume of a sensitive node path (/, /etc, runtime socket, …)",
        group: "workloads",
    }
}

/// Node paths that must not be mounted (the path or anything under it).
const SENSITIVE: &[&str] = &[
    "/etc",
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/root",
    "/var/lib/kubelet",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd",
    "/run/containerd",
    "/var/run/crio",
    "/run/crio",
    "/var/run/cri-dockerd.sock",
    "/run/cri-dockerd.sock",
];

/// The sensitive entry `path` falls under, after normalising `//`, `/./` and trailing `/`.
fn sensitive(path: &str) -> Option<&'static str> {
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if !path.starts_with('/') || parts.contains(&"..") {
        return None;
    }
    if parts.is_empty() {
        return Some("/");
    }
    SENSITIVE.iter().copied().find(|s| {
        let sp: Vec<&str> = s.split('/').filter(|p| !p.is_empty()).collect();
        parts.len() >= sp.len() && parts[..sp.len()] == sp[..]
    })
}

impl DocumentRule for SensitiveHostPath {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        for pod in cx.pod_specs() {
            for vol in pod.spec.get("volumes").map(|v| v.items()).unwrap_or(&[]) {
                let Some(p) = vol.get("hostPath").and_then(|h| h.get("path")) else {
                    continue;
                };
                let Some(path) = p.as_str() else { continue };
                if is_placeholder_only(path) || path.contains("${") || path.contains("{{") {
                    continue;
                }
                let Some(hit) = sensitive(path) else { continue };
                let vname = vol.get_str("name").unwrap_or("?");
                let what = if hit == path || hit == "/" {
                    String::new()
                } else {
                    format!(" (under {hit})")
                };
                out.push(
                    Finding::new(
                        &Self::META,
                        cx.path,
                        p.span,
                        format!(
                            "volume {vname} of {} mounts the node's {path}{what} from the host",
                            pod.owner()
                        ),
                        &pod.identity(&format!("volumes/{vname}/hostPath")),
                    )
                    .help("use a PVC, ConfigMap, Secret or emptyDir; node agents: suppress with a reason"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    #[test]
    fn paths() {
        for p in [
            "/",
            "//",
            "/etc",
            "/etc/",
            "/etc/kubernetes",
            "/var/run/docker.sock",
            "/run/containerd/containerd.sock",
            "/var/lib/kubelet/pods",
            "/proc",
            "/sys/fs/cgroup",
            "/dev/dri",
        ] {
            assert!(sensitive(p).is_some(), "{p}");
        }
        for p in [
            "/var/log",
            "/var/lib/rancher",
            "/data",
            "/etcd-data",
            "/var/run/secrets-store",
            "relative/etc",
            "/mnt/../etc",
            "/var/lib/kubelet-plugins",
            "/sysroot",
        ] {
            assert!(sensitive(p).is_none(), "{p}");
        }
    }

    #[test]
    fn host_path_volumes() {
        let src = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: x}]\n      volumes:\n        - name: sock\n          hostPath:\n            path: /var/run/docker.sock\n            type: Socket\n        - name: logs\n          hostPath: {path: /var/log}\n        - name: root\n          hostPath: {path: /}\n        - name: var\n          hostPath: {path: '${HOST_DIR}'}\n        - name: cfg\n          configMap: {name: etc}\n";
        let f = check(&SensitiveHostPath, "d.yaml", src);
        let lines: Vec<u32> = f.iter().map(|x| x.span.start.line).collect();
        assert_eq!(lines, [11, 16]);
        assert!(f[0].message.contains("volume sock of DaemonSet -/d"));
    }
}
