//! Pod specs inside workload objects: where each kind keeps its pod template, and the
//! containers of a pod spec. The workload-safety rules (`group: "workloads"`) walk these.

use crate::manifest::{KubeObject, objects};
use crate::yaml::{Node, NodeKind, ScalarStyle};

/// The pod spec of one Kubernetes object, with the owner's identity for messages.
pub struct PodSpec<'a> {
    /// The owning object's kind (`Deployment`, `CronJob`, …).
    pub kind: &'a str,
    pub name: Option<&'a str>,
    pub namespace: Option<&'a str>,
    /// The owning object's mapping (its `spec.selector`, `spec.template.metadata`…).
    pub object: &'a Node,
    /// The pod spec mapping (`spec`, `spec.template.spec`, …).
    pub spec: &'a Node,
}

/// Which list of the pod spec a container comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerRole {
    Main,
    Init,
    Ephemeral,
}

/// One container of a pod spec.
pub struct Container<'a> {
    pub node: &'a Node,
    pub name: &'a str,
    pub role: ContainerRole,
}

impl Container<'_> {
    /// A native sidecar: an init container with `restartPolicy: Always` (runs for the pod's
    /// lifetime, like a main container).
    pub fn is_sidecar(&self) -> bool {
        self.role == ContainerRole::Init && self.node.get_str("restartPolicy") == Some("Always")
    }

    /// Runs for the pod's lifetime (main containers and native sidecars).
    pub fn is_long_running(&self) -> bool {
        self.role == ContainerRole::Main || self.is_sidecar()
    }

    /// A container written in full: it has an `image` (a container without one is a
    /// strategic-merge patch or a template fragment, not something to judge as missing
    /// resources or probes).
    pub fn is_complete(&self) -> bool {
        self.node.get("image").is_some()
    }
}

impl<'a> PodSpec<'a> {
    /// `Deployment shop/web` (`-` for a missing namespace or name).
    pub fn owner(&self) -> String {
        format!(
            "{} {}/{}",
            self.kind,
            self.namespace.unwrap_or("-"),
            self.name.unwrap_or("-")
        )
    }

    /// A line-independent identity for fingerprints: `Kind/ns/name/<what>`.
    pub fn identity(&self, what: &str) -> String {
        format!(
            "{}/{}/{}/{what}",
            self.kind,
            self.namespace.unwrap_or("-"),
            self.name.unwrap_or("-")
        )
    }

    /// A partial object (no `metadata.name` nor `generateName`): a patch or template
    /// fragment, not something "missing" rules can judge.
    pub fn is_partial(&self) -> bool {
        let meta = self.object.get("metadata");
        self.name.is_none() && meta.and_then(|m| m.get("generateName")).is_none()
    }

    /// The containers "missing X" rules judge: long-running ones (main containers and
    /// native sidecars) written in full (with an `image`), in a complete object.
    pub fn judged_containers(&self) -> Vec<Container<'a>> {
        if self.is_partial() {
            return Vec::new();
        }
        let mut v = self.containers();
        v.retain(|c| c.is_long_running() && c.is_complete());
        v
    }

    /// The pod's `metadata` (the object's for a Pod, the pod template's otherwise), where
    /// pod annotations live.
    pub fn pod_metadata(&self) -> Option<&'a Node> {
        let n = self.object;
        match self.kind {
            "Pod" => n.get("metadata"),
            "CronJob" => n
                .get("spec")?
                .get("jobTemplate")?
                .get("spec")?
                .get("template")?
                .get("metadata"),
            "PodTemplate" => n.get("template")?.get("metadata"),
            _ => n.get("spec")?.get("template")?.get("metadata"),
        }
    }

    /// A finding of a Pod Security Standards profile rule (`pss-baseline`, `pss-restricted`)
    /// about this pod: "PSS <profile>: <what> (<owner>)", identified by pod and `control`.
    pub fn pss_finding(
        &self,
        rule: &'static crate::rules::RuleMeta,
        path: &str,
        span: crate::yaml::Span,
        what: &str,
        control: &str,
    ) -> crate::finding::Finding {
        let profile = rule.id.strip_prefix("pss-").unwrap_or(rule.id);
        crate::finding::Finding::new(
            rule,
            path,
            span,
            format!("PSS {profile}: {what} ({})", self.owner()),
            &self.identity(&format!("{}/{control}", rule.id)),
        )
    }

    /// The Pod Security admission level (`privileged`, `baseline`, `restricted`) that the
    /// pod's namespace enforces (label `pod-security.kubernetes.io/enforce`), when that
    /// Namespace object is in the same file. The pod's namespace is the one its deployment
    /// units set, else its own `metadata.namespace`. Namespaces defined in other files are
    /// not looked up.
    pub fn enforced_level(&self, cx: &crate::rules::DocumentContext<'a>) -> Option<&'a str> {
        let ns = cx.file.unit_namespace().or(self.namespace)?;
        cx.file_docs
            .iter()
            .flat_map(|d| objects(&d.root))
            .filter(|o| o.kind == Some("Namespace") && o.name == Some(ns))
            .find_map(|o| {
                o.node
                    .get("metadata")?
                    .get("labels")?
                    .get_str("pod-security.kubernetes.io/enforce")
            })
    }

    /// Jobs and CronJobs: pods that run to completion.
    pub fn is_batch(&self) -> bool {
        matches!(self.kind, "Job" | "CronJob")
    }

    /// Controllers of long-running, replicated pods (probes make sense there).
    pub fn is_service_workload(&self) -> bool {
        matches!(
            self.kind,
            "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController" | "DaemonSet"
        )
    }

    /// The pod spec's containers, init containers and ephemeral containers (mappings only).
    pub fn containers(&self) -> Vec<Container<'a>> {
        let mut out = Vec::new();
        for (field, role) in [
            ("initContainers", ContainerRole::Init),
            ("containers", ContainerRole::Main),
            ("ephemeralContainers", ContainerRole::Ephemeral),
        ] {
            for c in self.spec.get(field).map(Node::items).unwrap_or(&[]) {
                if c.is_mapping() {
                    out.push(Container {
                        node: c,
                        name: c.get_str("name").unwrap_or("?"),
                        role,
                    });
                }
            }
        }
        out
    }
}

/// The pod spec of `obj`, when it is one of the pod-bearing kinds: Pod (`spec`),
/// Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job
/// (`spec.template.spec`), CronJob (`spec.jobTemplate.spec.template.spec`) and PodTemplate
/// (`template.spec`). Only real objects count: `apiVersion` and `kind` must be present.
pub fn pod_spec<'a>(obj: &KubeObject<'a>) -> Option<PodSpec<'a>> {
    obj.api_version?;
    let kind = obj.kind?;
    let n = obj.node;
    let spec = match kind {
        "Pod" => n.get("spec"),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => n.get("spec")?.get("template")?.get("spec"),
        "CronJob" => n
            .get("spec")?
            .get("jobTemplate")?
            .get("spec")?
            .get("template")?
            .get("spec"),
        "PodTemplate" => n.get("template")?.get("spec"),
        _ => None,
    }?;
    spec.is_mapping().then_some(PodSpec {
        kind,
        name: obj.name,
        namespace: obj.namespace,
        object: n,
        spec,
    })
}

/// The kinds [`pod_spec`] knows.
const POD_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "PodTemplate",
];

/// The pod specs of a document's objects (the root, or the items of a `kind: List`).
pub fn pod_specs(root: &Node) -> Vec<PodSpec<'_>> {
    // Cheap pre-filter on the root's kind: most documents hold no pod spec.
    match root.get_str("kind") {
        Some(k) if POD_KINDS.contains(&k) || k.ends_with("List") => {}
        _ => return Vec::new(),
    }
    objects(root).iter().filter_map(pod_spec).collect()
}

/// Whether a container sets `resources.<section>.<name>` (`section`: `requests`/`limits`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    Set,
    Missing,
    /// Written with an alias, merge key or placeholder: the value is not visible here.
    Unknown,
}

/// Whether container `c` sets `resources.<section>.<name>`.
pub fn resource(c: &Node, section: &str, name: &str) -> Setting {
    let Some(res) = c.get("resources") else {
        return Setting::Missing;
    };
    let opaque = |n: &Node| match &n.kind {
        NodeKind::Alias(_) => true,
        NodeKind::Scalar(s) => !n.is_null() && (s.value.contains("${") || s.value.contains("{{")),
        NodeKind::Mapping(es) => es.iter().any(|e| e.key.as_str() == Some("<<")),
        NodeKind::Sequence(_) => false,
    };
    if opaque(res) {
        return Setting::Unknown;
    }
    let Some(sec) = res.get(section) else {
        return Setting::Missing;
    };
    if opaque(sec) {
        return Setting::Unknown;
    }
    match sec.get(name) {
        Some(v) if v.is_null() => Setting::Missing,
        Some(_) => Setting::Set,
        None => Setting::Missing,
    }
}

/// Where a "missing" finding about container `c` points: its `resources` key when present,
/// else its `name` value, else the container itself.
/// The shared check of the limit rules: one finding per judged container of a pod spec
/// (not in a patch fragment) without `resources.limits.<name>`; `label` names the resource
/// in the message (`CPU`, `memory`).
pub fn check_limit(
    cx: &crate::rules::DocumentContext,
    rule: &'static crate::rules::RuleMeta,
    name: &str,
    label: &str,
    out: &mut Vec<crate::finding::Finding>,
) {
    if cx.is_fragment() {
        return;
    }
    for pod in cx.pod_specs() {
        for c in pod.judged_containers() {
            if resource(c.node, "limits", name) != Setting::Missing {
                continue;
            }
            out.push(
                crate::finding::Finding::new(
                    rule,
                    cx.path,
                    container_anchor(c.node, "resources"),
                    format!(
                        "container {} of {} has no {label} limit",
                        c.name,
                        pod.owner()
                    ),
                    &pod.identity(&format!("{}/resources.limits.{name}", c.name)),
                )
                .help(format!("set resources.limits.{name}")),
            );
        }
    }
}

pub fn container_anchor(c: &Node, field: &str) -> crate::yaml::Span {
    c.entry(field)
        .map(|e| e.key.span)
        .or_else(|| c.get("name").map(|n| n.span))
        .unwrap_or(c.span)
}

/// True for a plain YAML boolean `true` (`true`, `True`, `TRUE`; the YAML 1.1 `yes`/`on`
/// that Kubernetes' decoder also reads as true). Quoted `"true"` is a string, not a bool.
pub fn is_true(n: &Node) -> bool {
    match &n.kind {
        NodeKind::Scalar(s) => {
            s.style == ScalarStyle::Plain
                && matches!(
                    &*s.value,
                    "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON"
                )
        }
        _ => false,
    }
}

/// True for a plain YAML boolean `false` (and YAML 1.1 `no`/`off`).
pub fn is_false(n: &Node) -> bool {
    match &n.kind {
        NodeKind::Scalar(s) => {
            s.style == ScalarStyle::Plain
                && matches!(
                    &*s.value,
                    "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF"
                )
        }
        _ => false,
    }
}

/// The integer value of a plain scalar (`0`, `1000`), if it is one.
pub fn as_int(n: &Node) -> Option<i64> {
    match &n.kind {
        NodeKind::Scalar(s) if s.style == ScalarStyle::Plain => s.value.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_yaml;

    fn specs(src: &str) -> Vec<(String, usize)> {
        let p = parse_yaml(src);
        pod_specs(&p.documents[0].root)
            .iter()
            .map(|s| (s.owner(), s.containers().len()))
            .collect()
    }

    #[test]
    fn pod_spec_locations() {
        let c = "{containers: [{name: a, image: x}], initContainers: [{name: i, image: y}]}";
        assert_eq!(
            specs(&format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: p, namespace: n}}\nspec: {c}\n"
            )),
            [("Pod n/p".to_string(), 2)]
        );
        for kind in [
            "Deployment",
            "StatefulSet",
            "DaemonSet",
            "ReplicaSet",
            "ReplicationController",
            "Job",
        ] {
            let s = specs(&format!(
                "apiVersion: apps/v1\nkind: {kind}\nmetadata: {{name: d}}\nspec:\n  template:\n    spec: {c}\n"
            ));
            assert_eq!(s, [(format!("{kind} -/d"), 2)]);
        }
        let s = specs(&format!(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: cj}}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec: {c}\n"
        ));
        assert_eq!(s, [("CronJob -/cj".to_string(), 2)]);
        let s = specs(&format!(
            "apiVersion: v1\nkind: PodTemplate\nmetadata: {{name: t}}\ntemplate:\n  spec: {c}\n"
        ));
        assert_eq!(s, [("PodTemplate -/t".to_string(), 2)]);
        let s = specs(&format!(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {{name: a}}\n  spec: {c}\n"
        ));
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn not_pod_specs() {
        for src in [
            "kind: Deployment\nspec:\n  template:\n    spec: {containers: []}\n",
            "apiVersion: v1\nkind: ConfigMap\ndata: {spec: x}\n",
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nspec:\n  values:\n    spec: {containers: []}\n",
            "values:\n  containers: []\n",
        ] {
            assert!(specs(src).is_empty(), "{src}");
        }
    }

    #[test]
    fn scalars() {
        let p = parse_yaml("a: true\nb: 'true'\nc: 0\nd: '0'\ne: False\n");
        let r = &p.documents[0].root;
        assert!(is_true(r.get("a").unwrap()) && !is_true(r.get("b").unwrap()));
        assert_eq!(as_int(r.get("c").unwrap()), Some(0));
        assert_eq!(as_int(r.get("d").unwrap()), None);
        assert!(is_false(r.get("e").unwrap()));
    }

    #[test]
    fn sidecars() {
        let p = parse_yaml(
            "apiVersion: v1\nkind: Pod\nspec:\n  initContainers:\n  - {name: s, restartPolicy: Always}\n  - {name: i}\n",
        );
        let s = pod_specs(&p.documents[0].root);
        let c = s[0].containers();
        assert!(c[0].is_sidecar() && c[0].is_long_running());
        assert!(!c[1].is_sidecar() && !c[1].is_long_running());
    }
}
