//! Checks that need nothing but the manifest.

use super::blob::{BlobError, SealedBlob};
use super::view::{CLUSTER_WIDE, NAMESPACE_WIDE, Scope, SealedSecretView};
use super::{Problem, ProblemKind};
use crate::yaml::{Node, NodeKind, ScalarStyle};

/// Everything wrong with `s` that the manifest alone shows. Never includes a value.
pub fn structural_problems(s: &SealedSecretView) -> Vec<Problem> {
    structural_problems_in(s, None)
}

/// [`structural_problems`] for an object whose namespace, when it has none, is set by its
/// kustomization (`unit_namespace`): then a missing `metadata.namespace` is no problem.
pub fn structural_problems_in(s: &SealedSecretView, unit_namespace: Option<&str>) -> Vec<Problem> {
    let mut out = Vec::new();
    data_problems(s, &mut out);
    template_problems(s, &mut out);
    scope_problems(s, unit_namespace, &mut out);
    out
}

/// Checks one sealed value's framing; `what` names it (`spec.encryptedData.password`),
/// written out only when there is a problem.
fn value_problem(what: &dyn Fn() -> String, node: &Node, out: &mut Vec<Problem>) {
    match &node.kind {
        NodeKind::Scalar(_) if node.is_null() => out.push(Problem::error(
            ProblemKind::Invalid,
            node.span,
            format!("{} has no value (the controller drops it)", what()),
        )),
        NodeKind::Scalar(sc) => match SealedBlob::parse(&sc.value) {
            Ok(_) => {}
            Err(e @ BlobError::PrintableText { .. }) => out.push(Problem::error(
                ProblemKind::Plaintext,
                node.span,
                format!("{} {}", what(), e.describe()),
            )),
            Err(e) => out.push(Problem::error(
                ProblemKind::Invalid,
                node.span,
                format!("{} {}", what(), e.describe()),
            )),
        },
        _ => out.push(Problem::error(
            ProblemKind::Invalid,
            node.span,
            format!(
                "{} is not a string (the controller silently drops it)",
                what()
            ),
        )),
    }
}

fn data_problems(s: &SealedSecretView, out: &mut Vec<Problem>) {
    let Some(spec) = s.spec.filter(|n| n.is_mapping()) else {
        out.push(Problem::error(
            ProblemKind::Invalid,
            s.spec.map_or(s.anchor, |n| n.span),
            "SealedSecret has no spec mapping (nothing to unseal)".into(),
        ));
        return;
    };
    let legacy = s.legacy_data();
    match s.encrypted_data() {
        None if legacy.is_none() => out.push(Problem::error(
            ProblemKind::Invalid,
            spec.entries().first().map_or(spec.span, |e| e.key.span),
            "SealedSecret has neither spec.encryptedData nor the deprecated spec.data".into(),
        )),
        None => {}
        Some(ed) => match &ed.value.kind {
            NodeKind::Mapping(entries) => {
                if entries.is_empty() && legacy.is_none() {
                    out.push(Problem::warning(
                        ProblemKind::Invalid,
                        ed.key.span,
                        "spec.encryptedData is empty: the Secret gets no sealed values".into(),
                    ));
                }
                for e in entries {
                    match e.key.as_str() {
                        Some(k) => {
                            value_problem(&|| format!("spec.encryptedData.{k}"), &e.value, out)
                        }
                        None => out.push(Problem::error(
                            ProblemKind::Invalid,
                            e.key.span,
                            "spec.encryptedData has a key that is not a string".into(),
                        )),
                    }
                }
            }
            _ if ed.value.is_null() => {
                if legacy.is_none() {
                    out.push(Problem::warning(
                        ProblemKind::Invalid,
                        ed.key.span,
                        "spec.encryptedData is empty: the Secret gets no sealed values".into(),
                    ));
                }
            }
            _ => out.push(Problem::error(
                ProblemKind::Invalid,
                ed.value.span,
                "spec.encryptedData is not a mapping of Secret keys to sealed values".into(),
            )),
        },
    }
    if let Some(d) = legacy {
        if s.encrypted_data()
            .is_some_and(|e| !e.value.entries().is_empty())
        {
            out.push(Problem::error(
                ProblemKind::Invalid,
                d.key.span,
                "spec.encryptedData and the deprecated spec.data are both set; the controller \
                 refuses this (\"cannot use the field 'encryptedData' and the deprecated field \
                 'data' at the same time\")"
                    .into(),
            ));
        } else {
            out.push(Problem::warning(
                ProblemKind::Invalid,
                d.key.span,
                "spec.data is the deprecated v1 format (accepted only while the controller runs \
                 with --accept-deprecated-v1-data); re-seal into spec.encryptedData"
                    .into(),
            ));
        }
        value_problem(&|| "spec.data".to_string(), &d.value, out);
    }
}

fn template_problems(s: &SealedSecretView, out: &mut Vec<Problem>) {
    let Some(template) = s.spec.and_then(|sp| sp.get("template")) else {
        return;
    };
    if let Some(data) = template.get("data") {
        for e in data.entries() {
            let k = e.key.as_str().unwrap_or("?");
            match e.value.as_str() {
                Some(v) if e.value.is_null() || v.is_empty() => {}
                Some(v) if !v.contains("{{") => out.push(Problem::error(
                    ProblemKind::Plaintext,
                    e.value.span,
                    format!(
                        "spec.template.data.{k} has no template action ({{{{ … }}}}): template \
                         data is not encrypted, so this text is in clear in git; put it in \
                         encryptedData"
                    ),
                )),
                Some(_) => {}
                None => out.push(Problem::error(
                    ProblemKind::Invalid,
                    e.value.span,
                    format!("spec.template.data.{k} is not a string"),
                )),
            }
        }
    }
    if let Some(ann) = s.template_annotations() {
        for e in ann.entries() {
            if let Some(k) = e.key.as_str()
                && k.ends_with("/last-applied-configuration")
            {
                out.push(Problem::error(
                    ProblemKind::Plaintext,
                    e.key.span,
                    format!(
                        "spec.template.metadata.annotations has {k}, which holds the \
                             plaintext Secret it was sealed from (kubeseal strips it); remove \
                             it and rotate the secret"
                    ),
                ));
            }
        }
    }
}

/// Scope annotation values that are not exactly the string "true".
fn annotation_value_problems(annotations: Option<&Node>, place: &str, out: &mut Vec<Problem>) {
    let Some(ann) = annotations else { return };
    for key in [CLUSTER_WIDE, NAMESPACE_WIDE] {
        let Some(v) = ann.get(key) else { continue };
        match v.as_scalar() {
            Some(sc) if &*sc.value == "true" && sc.style == ScalarStyle::Plain => {
                out.push(Problem::error(
                    ProblemKind::Scope,
                    v.span,
                    format!(
                        "{place}.annotations.{key} is the YAML boolean true; annotations must \
                         be strings, so Kubernetes rejects the object: quote it (\"true\")"
                    ),
                ))
            }
            Some(sc) if &*sc.value == "true" || &*sc.value == "false" => {}
            _ => out.push(Problem::warning(
                ProblemKind::Scope,
                v.span,
                format!(
                    "{place}.annotations.{key} is not the string \"true\" (or \"false\"); only \
                     \"true\" enables that scope, so it has no effect"
                ),
            )),
        }
    }
}

fn scope_problems(s: &SealedSecretView, unit_namespace: Option<&str>, out: &mut Vec<Problem>) {
    annotation_value_problems(s.annotations(), "metadata", out);
    annotation_value_problems(s.template_annotations(), "spec.template.metadata", out);

    let scope = s.scope();
    let is_true = |ann: Option<&Node>, k: &str| ann.and_then(|a| a.get_str(k)) == Some("true");
    if is_true(s.annotations(), CLUSTER_WIDE) && is_true(s.annotations(), NAMESPACE_WIDE) {
        let span = s
            .annotations()
            .and_then(|a| a.get(NAMESPACE_WIDE))
            .map_or(s.anchor, |n| n.span);
        out.push(Problem::error(
            ProblemKind::Scope,
            span,
            "metadata.annotations set both namespace-wide and cluster-wide: cluster-wide wins, \
             so any namespace can unseal it; keep exactly one"
                .into(),
        ));
    }

    if let Some(tscope) = s.template_scope()
        && tscope != scope
    {
        let t_has = [CLUSTER_WIDE, NAMESPACE_WIDE]
            .iter()
            .any(|k| is_true(s.template_annotations(), k));
        let m_has = [CLUSTER_WIDE, NAMESPACE_WIDE]
            .iter()
            .any(|k| is_true(s.annotations(), k));
        let span = s
            .template_annotations()
            .or(s.annotations())
            .or(s.template_metadata)
            .map_or(s.anchor, |n| n.span);
        if m_has && !t_has {
            // The controller unseals with metadata's scope; only tooling reads the template.
            out.push(Problem::warning(
                ProblemKind::Scope,
                span,
                format!(
                    "metadata says {} scope but spec.template.metadata has no scope \
                         annotation (kubeseal writes it on both; --re-encrypt and --merge-into \
                         read the template)",
                    scope.as_str()
                ),
            ));
        } else {
            out.push(Problem::error(
                ProblemKind::Scope,
                span,
                format!(
                    "spec.template.metadata says {} scope but metadata says {}: the \
                         controller unseals with metadata's scope, kubeseal sealed with the \
                         template's; one of them was edited after sealing",
                    tscope.as_str(),
                    scope.as_str()
                ),
            ));
        }
    }

    let name_node = s.metadata.and_then(|m| m.get("name"));
    let where_ = name_node.or(s.metadata).map_or(s.anchor, |n| n.span);
    if scope != Scope::ClusterWide && s.namespace().is_none() && unit_namespace.is_none() {
        out.push(Problem::warning(
            ProblemKind::Scope,
            where_,
            format!(
                "{} scope without metadata.namespace: the label uses the namespace it is \
                 applied to (kustomization, Argo CD, Flux), so it unseals only in the namespace \
                 it was sealed for",
                scope.as_str()
            ),
        ));
    }
    if scope == Scope::Strict && s.name().is_none() {
        out.push(Problem::warning(
            ProblemKind::Scope,
            s.metadata.map_or(s.anchor, |n| n.span),
            "strict scope without metadata.name: the label \"<namespace>/<name>\" cannot be \
             known (and a namePrefix/nameSuffix would break it)"
                .into(),
        ));
    }

    if let Some(tm) = s.template_metadata {
        for (field, mine) in [("name", s.name()), ("namespace", s.namespace())] {
            let Some(tnode) = tm.get(field) else { continue };
            let Some(t) = tnode.as_str().filter(|t| !t.is_empty()) else {
                continue;
            };
            if let Some(m) = mine
                && m != t
            {
                out.push(Problem::error(
                    ProblemKind::Scope,
                    tnode.span,
                    format!(
                        "spec.template.metadata.{field} differs from metadata.{field}: kubeseal \
                             writes them equal and the controller forces metadata's, so one was \
                             edited after sealing (the label may no longer match)"
                    ),
                ));
            }
        }
    }
}
