use std::net::IpAddr;

use crate::finding::Finding;
use crate::manifest::KubeObject;
use crate::revision::has_placeholder;
use crate::rules::{DocumentContext, DocumentRule, RuleMeta, declare_rule};
use crate::yaml::{Node, Span};

declare_rule! {
    /// ## What it does
    /// Flags spec fields that the API server or a controller fills in on the live object:
    ///
    /// - Service `spec.clusterIP` / `spec.clusterIPs` with a concrete IP (`None`, headless,
    ///   and `""` are fine);
    /// - PersistentVolumeClaim `spec.volumeName` naming a dynamically provisioned volume
    ///   (`pvc-<uid>`; binding a claim to a static PV by name is deliberate and not flagged);
    /// - Pod `spec.nodeName` (written by the scheduler);
    /// - Job `spec.selector` with a `controller-uid` / `batch.kubernetes.io/controller-uid`
    ///   label (generated with the Job);
    /// - ServiceAccount `secrets` entries naming auto-generated token Secrets
    ///   (`<account>-token-xxxxx`).
    ///
    /// Values with placeholders (`${VAR}`, `{{ … }}`) are unknown and skipped. A static
    /// `nodePort` is often deliberate and not flagged.
    ///
    /// ## Why is this bad?
    /// These values pin one cluster's state: the IP was allocated from that cluster's range
    /// (apply fails elsewhere with "provided IP is already allocated" or "not in the valid
    /// range"), the volume, node, uid or token Secret exists only there. Committed, they are
    /// residue of `kubectl get -o yaml`.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   clusterIP: 10.96.14.7
    /// ```
    ///
    /// ## Use instead
    /// Delete the field and let the cluster assign it. A fixed cluster IP that is deliberate
    /// (a DNS service) can be allowed with an `envgate:allow live-server-assigned-spec --
    /// reason` comment.
    pub struct LiveServerAssignedSpec {
        id: "live-server-assigned-spec",
        severity: Warning,
        summary: "Server-assigned spec field committed (concrete clusterIP, bound pvc- volume, nodeName, controller-uid selector)",
    }
}

fn is_concrete_ip(v: &str) -> bool {
    v.trim().parse::<IpAddr>().is_ok()
}

/// `pvc-` followed by a UUID: the name the provisioner gives a dynamic volume.
fn is_dynamic_pv_name(v: &str) -> bool {
    let Some(uid) = v.strip_prefix("pvc-") else {
        return false;
    };
    let groups: Vec<&str> = uid.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `<account>-token-` + 5 lower-case alphanumerics, the legacy token controller's names.
fn is_generated_token_name(v: &str, account: &str) -> bool {
    v.strip_prefix(account)
        .and_then(|r| r.strip_prefix("-token-"))
        .is_some_and(|s| {
            s.len() == 5
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

struct Hit {
    span: Span,
    field: String,
    what: String,
}

fn scalar(n: &Node) -> Option<&str> {
    n.as_str().filter(|v| !has_placeholder(v))
}

fn hits(obj: &KubeObject, kind: &str) -> Vec<Hit> {
    let mut out = Vec::new();
    let spec = obj.spec;
    match kind {
        "Service" => {
            let Some(spec) = spec else { return out };
            if let Some(e) = spec.entry("clusterIP")
                && scalar(&e.value).is_some_and(is_concrete_ip)
            {
                out.push(Hit {
                    span: e.value.span,
                    field: "spec.clusterIP".into(),
                    what: "a concrete cluster IP (allocated by the API server)".into(),
                });
            }
            if let Some(e) = spec.entry("clusterIPs")
                && e.value
                    .items()
                    .iter()
                    .any(|i| scalar(i).is_some_and(is_concrete_ip))
            {
                out.push(Hit {
                    span: e.key.span,
                    field: "spec.clusterIPs".into(),
                    what: "concrete cluster IPs (allocated by the API server)".into(),
                });
            }
        }
        "PersistentVolumeClaim" => {
            if let Some(v) = spec.and_then(|s| s.get("volumeName"))
                && scalar(v).is_some_and(is_dynamic_pv_name)
            {
                out.push(Hit {
                    span: v.span,
                    field: "spec.volumeName".into(),
                    what: "the dynamically provisioned volume it was bound to".into(),
                });
            }
        }
        "Pod" => {
            if let Some(v) = spec.and_then(|s| s.get("nodeName"))
                && scalar(v).is_some_and(|s| !s.is_empty())
            {
                out.push(Hit {
                    span: v.span,
                    field: "spec.nodeName".into(),
                    what: "the node the scheduler placed it on".into(),
                });
            }
        }
        "Job" => {
            let labels = spec
                .and_then(|s| s.get("selector"))
                .and_then(|s| s.get("matchLabels"));
            for e in labels.map(Node::entries).unwrap_or(&[]) {
                if matches!(
                    e.key.as_str(),
                    Some("controller-uid" | "batch.kubernetes.io/controller-uid")
                ) {
                    out.push(Hit {
                        span: e.key.span,
                        field: format!(
                            "spec.selector.matchLabels.{}",
                            e.key.as_str().unwrap_or("")
                        ),
                        what: "a selector generated for one Job's uid".into(),
                    });
                }
            }
        }
        "ServiceAccount" => {
            let account = obj.name.unwrap_or("");
            for s in obj.node.get("secrets").map(Node::items).unwrap_or(&[]) {
                if let Some(v) = s.get("name")
                    && !account.is_empty()
                    && scalar(v).is_some_and(|n| is_generated_token_name(n, account))
                {
                    out.push(Hit {
                        span: v.span,
                        field: format!("secrets.{}", v.as_str().unwrap_or("")),
                        what: "an auto-generated token Secret".into(),
                    });
                }
            }
        }
        _ => {}
    }
    out
}

impl DocumentRule for LiveServerAssignedSpec {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>) {
        if cx.is_fragment() {
            return;
        }
        for obj in cx.objects() {
            let (Some(kind), Some(_)) = (obj.kind, obj.api_version) else {
                continue;
            };
            if !matches!(
                kind,
                "Service" | "PersistentVolumeClaim" | "Pod" | "Job" | "ServiceAccount"
            ) {
                continue;
            }
            for h in hits(obj, kind) {
                out.push(
                    Finding::new(
                        &Self::META,
                        cx.path,
                        h.span,
                        format!(
                            "{kind} {} has {} in {} (live state of one cluster)",
                            obj.display_name(),
                            h.what,
                            h.field
                        ),
                        &format!("{kind}/{}/{}", obj.display_name(), h.field),
                    )
                    .help(format!("delete {}: the cluster assigns it", h.field)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::check;

    fn lines(src: &str) -> Vec<(u32, u32)> {
        check(&LiveServerAssignedSpec, "a.yaml", src)
            .iter()
            .map(|f| (f.span.start.line, f.span.start.col))
            .collect()
    }

    #[test]
    fn server_assigned() {
        assert_eq!(
            lines(
                "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  clusterIP: 10.96.14.7\n  clusterIPs:\n  - 10.96.14.7\n"
            ),
            [(5, 14), (6, 3)]
        );
        assert_eq!(
            lines(
                "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: a}\nspec:\n  volumeName: pvc-0b6c6a1e-3f0e-4d2c-9a57-0c4b7e9d1a22\n"
            ),
            [(5, 15)]
        );
        assert_eq!(
            lines("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  nodeName: worker-1\n"),
            [(5, 13)]
        );
        assert_eq!(
            lines(
                "apiVersion: batch/v1\nkind: Job\nmetadata: {name: a}\nspec:\n  selector:\n    matchLabels:\n      batch.kubernetes.io/controller-uid: 1b2c\n"
            ),
            [(7, 7)]
        );
        assert_eq!(
            lines(
                "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app}\nsecrets:\n- name: app-token-x7k2p\n- name: app-registry\n"
            ),
            [(5, 9)]
        );
    }

    #[test]
    fn deliberate_or_unknown_values_are_fine() {
        for src in [
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  clusterIP: None\n",
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  clusterIP: ''\n  clusterIPs: [None]\n",
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  clusterIP: ${DNS_IP}\n",
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  type: NodePort\n  ports: [{port: 80, nodePort: 30080}]\n",
            // Static binding to a named PV.
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: a}\nspec:\n  volumeName: media-nfs\n",
            // nodeName in a pod template is a deliberate pin, and not on a Pod object.
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  template:\n    spec:\n      nodeName: worker-1\n",
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: a}\nspec:\n  selector:\n    matchLabels: {app: a}\n",
            "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app}\nsecrets:\n- name: app-token\n- name: other-token-x7k2p\n",
            // A Helm values file.
            "service:\n  clusterIP: 10.96.0.10\n",
        ] {
            assert!(lines(src).is_empty(), "{src}");
        }
    }
}
