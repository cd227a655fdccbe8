//! The rule registry. A rule is one file: its doc comment (what `envgate explain` prints),
//! its metadata and its check, with its tests beside it. Adding a rule = one new file plus
//! one line in [`CODE_RULES`] (and in [`DOCUMENT_RULES`] when it inspects parsed documents).

use crate::finding::{Finding, Severity};
use crate::source::FileKind;
use crate::yaml::Document;

pub mod api_deprecated;
pub mod api_removed;
pub mod argocd_target_revision_unpinned;
pub mod cluster_admin_binding;
pub mod cpu_limit_missing;
pub mod crd_version_not_served;
pub mod cronjob_invalid_schedule;
pub mod dangerous_capabilities;
pub mod docker_config_auth;
pub mod duplicate_env_var;
pub mod duplicate_key;
pub mod duplicate_kustomize_entry;
pub mod duplicate_resource;
pub mod duplicate_resource_across_units;
pub mod env_literal_secret;
pub mod file_too_large;
pub mod file_unreadable;
pub mod flux_helmrelease_chart_unpinned;
pub mod flux_path_missing;
pub mod flux_source_ref_missing;
pub mod flux_substitution_undefined;
pub mod generic_credential;
pub mod gitops_api_deprecated;
pub mod host_namespace;
pub mod hpa_and_static_replicas;
pub mod image_digest_malformed;
pub mod image_not_digest_pinned;
pub mod image_registry_not_allowed;
pub mod image_tag_latest;
pub mod image_tag_missing;
pub mod image_tag_mutable;
pub mod invalid_label_or_name;
pub mod invalid_suppression;
pub mod keystore_file;
pub mod kustomize_missing_reference;
pub mod kustomize_orphan_manifest;
pub mod kustomize_remote_ref_unpinned;
pub mod kustomize_secret_literal;
pub mod last_applied_annotation;
pub mod live_controller_annotations;
pub mod live_metadata_fields;
pub mod live_owner_references;
pub mod live_server_assigned_spec;
pub mod live_status_stanza;
pub mod liveness_probe_missing;
pub mod memory_limit_missing;
pub mod missing_apiversion_or_kind;
pub mod missing_namespace;
pub mod namespace_on_cluster_scoped;
pub mod privilege_escalation_allowed;
pub mod privileged_container;
pub mod probe_port_not_declared;
pub mod pss_baseline;
pub mod pss_restricted;
pub mod raw_secret;
pub mod rbac_wildcard;
pub mod readiness_probe_missing;
pub mod resources_requests_missing;
pub mod run_as_root;
pub mod sealed_secret_invalid;
pub mod sealed_secret_plaintext;
pub mod sealed_secret_scope;
pub mod sealed_secret_undecryptable;
pub mod sealed_secret_wrong_key_size;
pub mod selector_template_mismatch;
pub mod sensitive_host_path;
pub mod sops_mac_mismatch;
pub mod sops_metadata_invalid;
pub mod sops_no_key;
pub mod sops_not_encrypted;
pub mod sops_plaintext_value;
pub mod sops_policy_mismatch;
pub mod sops_value_tampered;
pub mod string_field_not_string;
pub mod yaml_syntax;
pub mod yaml_too_complex;

/// What every rule declares about itself.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable kebab-case id used in config, suppressions and reports.
    pub id: &'static str,
    pub severity: Severity,
    /// One line for `envgate rules`, SARIF `shortDescription`.
    pub summary: &'static str,
    /// Markdown documentation: the rule's doc comment.
    pub docs: &'static str,
    /// What the rule is about, for `envgate rules`: `credentials`, `envelopes`, `hygiene`,
    /// `workloads`, `kustomize`, `api`, `gitops`, `input`.
    pub group: &'static str,
    /// Off-by-default rules run only when `.envgate.yaml` gives them a level.
    pub default_on: bool,
}

impl RuleMeta {
    /// The docs with rustdoc's leading space removed from every line.
    pub fn explain(&self) -> String {
        self.docs
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Everything a per-document rule may look at. Rules never read files or print.
///
/// Views that many rules need (the objects, the containers, the pod specs) are computed
/// once per document, on first use, and shared.
pub struct DocumentContext<'a> {
    /// Path relative to the scan root, `/`-separated.
    pub path: &'a str,
    pub source: &'a str,
    pub kind: FileKind,
    pub doc: &'a Document,
    pub config: &'a crate::config::Config,
    /// What the repository around the file says about it (the kustomize graph).
    pub project: &'a crate::project::Project,
    /// What the graph says about this file (looked up once).
    pub file: &'a crate::project::FileInfo,
    /// Every document of the file (this one included), for rules that look at neighbours
    /// in the same file (a Namespace's labels); empty unless set with [`Self::in_file`].
    pub file_docs: &'a [Document],
    objects: std::cell::OnceCell<Vec<crate::manifest::KubeObject<'a>>>,
    containers: std::cell::OnceCell<Vec<&'a crate::yaml::Node>>,
    pod_specs: std::cell::OnceCell<Vec<crate::workload::PodSpec<'a>>>,
    references: std::cell::OnceCell<Vec<crate::kustomize::Reference<'a>>>,
    targets: std::cell::OnceCell<std::borrow::Cow<'a, [crate::project::KustRef]>>,
}

impl<'a> DocumentContext<'a> {
    pub fn new(
        path: &'a str,
        source: &'a str,
        kind: FileKind,
        doc: &'a Document,
        config: &'a crate::config::Config,
        project: &'a crate::project::Project,
    ) -> DocumentContext<'a> {
        Self::with_file_info(path, source, kind, doc, config, project, project.file(path))
    }

    /// [`DocumentContext::new`] with what the graph says about the file looked up by the
    /// caller, once per file rather than once per document.
    pub fn with_file_info(
        path: &'a str,
        source: &'a str,
        kind: FileKind,
        doc: &'a Document,
        config: &'a crate::config::Config,
        project: &'a crate::project::Project,
        file: &'a crate::project::FileInfo,
    ) -> DocumentContext<'a> {
        DocumentContext {
            path,
            source,
            kind,
            doc,
            config,
            project,
            file,
            file_docs: &[],
            objects: Default::default(),
            containers: Default::default(),
            pod_specs: Default::default(),
            references: Default::default(),
            targets: Default::default(),
        }
    }

    /// The same context, knowing all the documents of its file.
    pub fn in_file(mut self, docs: &'a [Document]) -> DocumentContext<'a> {
        self.file_docs = docs;
        self
    }

    /// The document's objects ([`crate::manifest::objects`]).
    pub fn objects(&self) -> &[crate::manifest::KubeObject<'a>] {
        self.objects
            .get_or_init(|| crate::manifest::objects(&self.doc.root))
    }

    /// The document's containers ([`crate::manifest::containers`]).
    pub fn containers(&self) -> &[&'a crate::yaml::Node] {
        self.containers.get_or_init(|| {
            let text = self.source.get(self.doc.root.span.bytes());
            if text.is_some_and(|t| !crate::manifest::may_name_containers(t.as_bytes())) {
                return Vec::new();
            }
            crate::manifest::containers(&self.doc.root)
        })
    }

    /// The local references of a kustomization document ([`crate::kustomize::references`]),
    /// shared by the kustomization rules.
    pub fn kustomize_references(&self) -> &[crate::kustomize::Reference<'a>] {
        self.references
            .get_or_init(|| crate::kustomize::references(&self.doc.root))
    }

    /// Where each of [`Self::kustomize_references`] points, resolved against the file's
    /// directory ([`crate::kustomize::resolve`]), and whether a scan input is there: same
    /// order. The graph resolved them when it read the file; computed here otherwise.
    pub fn kustomize_targets(&self) -> &[crate::project::KustRef] {
        self.targets.get_or_init(|| {
            if self.doc.index == 0
                && let Some(refs) = self.project.kustomization_refs(self.path)
            {
                return std::borrow::Cow::Borrowed(refs);
            }
            let dir = crate::kustomize::dir_of(self.path);
            self.kustomize_references()
                .iter()
                .map(|r| {
                    let path = crate::kustomize::resolve(dir, r.path);
                    crate::project::KustRef {
                        input: self.project.input_index(&path),
                        path,
                        role: r.role,
                    }
                })
                .collect()
        })
    }

    /// The document's pod specs ([`crate::workload::pod_specs`]).
    pub fn pod_specs(&self) -> &[crate::workload::PodSpec<'a>] {
        self.pod_specs
            .get_or_init(|| crate::workload::pod_specs(&self.doc.root))
    }

    /// True when the file is a kustomize patch (a fragment merged into a resource, not a
    /// resource): resource-level rules (namespace, probes, resources…) skip it.
    pub fn is_fragment(&self) -> bool {
        self.file.fragment
    }

    /// The deployment units that include this file.
    pub fn memberships(&self) -> &'a [std::sync::Arc<crate::project::Membership>] {
        &self.file.memberships
    }
}

/// A check over one parsed YAML/JSON document.
pub trait DocumentRule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, cx: &DocumentContext, out: &mut Vec<Finding>);
}

/// Declares a rule: its doc comment becomes [`RuleMeta::docs`].
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            id: $id:literal,
            severity: $sev:ident,
            summary: $summary:literal
            $(, group: $group:literal)?
            $(, default_on: $on:literal)? $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $name {
            pub const META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
                id: $id,
                severity: $crate::finding::Severity::$sev,
                summary: $summary,
                docs: concat!($($doc, "\n"),*),
                group: $crate::rules::pick!($($group)? ; "hygiene"),
                default_on: $crate::rules::pick!($($on)? ; true),
            };
        }
    };
}
pub(crate) use declare_rule;

/// The first of an optional value and a default (for [`declare_rule!`]'s optional fields).
macro_rules! pick {
    ($v:literal ; $d:literal) => {
        $v
    };
    ( ; $d:literal) => {
        $d
    };
}
pub(crate) use pick;

/// The rules written in code, in the order `envgate rules` lists them.
pub static CODE_RULES: &[&RuleMeta] = &[
    &raw_secret::RawSecret::META,
    &kustomize_secret_literal::KustomizeSecretLiteral::META,
    &env_literal_secret::EnvLiteralSecret::META,
    &generic_credential::GenericCredential::META,
    &docker_config_auth::DockerConfigAuth::META,
    &keystore_file::KeystoreFile::META,
    &sops_metadata_invalid::SopsMetadataInvalid::META,
    &sops_plaintext_value::SopsPlaintextValue::META,
    &sops_value_tampered::SopsValueTampered::META,
    &sops_mac_mismatch::SopsMacMismatch::META,
    &sops_no_key::SopsNoKey::META,
    &sops_not_encrypted::SopsNotEncrypted::META,
    &sops_policy_mismatch::SopsPolicyMismatch::META,
    &sealed_secret_invalid::SealedSecretInvalid::META,
    &sealed_secret_plaintext::SealedSecretPlaintext::META,
    &sealed_secret_scope::SealedSecretScope::META,
    &sealed_secret_wrong_key_size::SealedSecretWrongKeySize::META,
    &sealed_secret_undecryptable::SealedSecretUndecryptable::META,
    &last_applied_annotation::LastAppliedAnnotation::META,
    &live_metadata_fields::LiveMetadataFields::META,
    &live_status_stanza::LiveStatusStanza::META,
    &image_tag_missing::ImageTagMissing::META,
    &image_tag_latest::ImageTagLatest::META,
    &image_digest_malformed::ImageDigestMalformed::META,
    &string_field_not_string::StringFieldNotString::META,
    &duplicate_env_var::DuplicateEnvVar::META,
    &kustomize_missing_reference::KustomizeMissingReference::META,
    &kustomize_orphan_manifest::KustomizeOrphanManifest::META,
    &duplicate_kustomize_entry::DuplicateKustomizeEntry::META,
    &duplicate_resource::DuplicateResource::META,
    &duplicate_resource_across_units::DuplicateResourceAcrossUnits::META,
    &flux_path_missing::FluxPathMissing::META,
    &missing_apiversion_or_kind::MissingApiversionOrKind::META,
    &flux_source_ref_missing::FluxSourceRefMissing::META,
    &flux_substitution_undefined::FluxSubstitutionUndefined::META,
    &hpa_and_static_replicas::HpaAndStaticReplicas::META,
    &missing_namespace::MissingNamespace::META,
    &crd_version_not_served::CrdVersionNotServed::META,
    &live_owner_references::LiveOwnerReferences::META,
    &live_controller_annotations::LiveControllerAnnotations::META,
    &live_server_assigned_spec::LiveServerAssignedSpec::META,
    &invalid_label_or_name::InvalidLabelOrName::META,
    &flux_helmrelease_chart_unpinned::FluxHelmreleaseChartUnpinned::META,
    &argocd_target_revision_unpinned::ArgocdTargetRevisionUnpinned::META,
    &kustomize_remote_ref_unpinned::KustomizeRemoteRefUnpinned::META,
    &image_tag_mutable::ImageTagMutable::META,
    &image_not_digest_pinned::ImageNotDigestPinned::META,
    &image_registry_not_allowed::ImageRegistryNotAllowed::META,
    &api_removed::ApiRemoved::META,
    &api_deprecated::ApiDeprecated::META,
    &gitops_api_deprecated::GitopsApiDeprecated::META,
    &namespace_on_cluster_scoped::NamespaceOnClusterScoped::META,
    &privileged_container::PrivilegedContainer::META,
    &privilege_escalation_allowed::PrivilegeEscalationAllowed::META,
    &host_namespace::HostNamespace::META,
    &sensitive_host_path::SensitiveHostPath::META,
    &dangerous_capabilities::DangerousCapabilities::META,
    &run_as_root::RunAsRoot::META,
    &pss_baseline::PssBaseline::META,
    &pss_restricted::PssRestricted::META,
    &cluster_admin_binding::ClusterAdminBinding::META,
    &cronjob_invalid_schedule::CronjobInvalidSchedule::META,
    &selector_template_mismatch::SelectorTemplateMismatch::META,
    &resources_requests_missing::ResourcesRequestsMissing::META,
    &memory_limit_missing::MemoryLimitMissing::META,
    &readiness_probe_missing::ReadinessProbeMissing::META,
    &probe_port_not_declared::ProbePortNotDeclared::META,
    &cpu_limit_missing::CpuLimitMissing::META,
    &liveness_probe_missing::LivenessProbeMissing::META,
    &rbac_wildcard::RbacWildcard::META,
    &yaml_syntax::YamlSyntax::META,
    &duplicate_key::DuplicateKey::META,
    &yaml_too_complex::YamlTooComplex::META,
    &file_unreadable::FileUnreadable::META,
    &file_too_large::FileTooLarge::META,
    &invalid_suppression::InvalidSuppression::META,
];

/// The rules run on every parsed document.
pub static DOCUMENT_RULES: &[&dyn DocumentRule] = &[
    &raw_secret::RawSecret,
    &kustomize_secret_literal::KustomizeSecretLiteral,
    &env_literal_secret::EnvLiteralSecret,
    &generic_credential::GenericCredential,
    &last_applied_annotation::LastAppliedAnnotation,
    &live_metadata_fields::LiveMetadataFields,
    &live_status_stanza::LiveStatusStanza,
    &image_tag_missing::ImageTagMissing,
    &image_tag_latest::ImageTagLatest,
    &image_digest_malformed::ImageDigestMalformed,
    &string_field_not_string::StringFieldNotString,
    &duplicate_env_var::DuplicateEnvVar,
    &kustomize_missing_reference::KustomizeMissingReference,
    &kustomize_orphan_manifest::KustomizeOrphanManifest,
    &duplicate_kustomize_entry::DuplicateKustomizeEntry,
    &flux_path_missing::FluxPathMissing,
    &missing_apiversion_or_kind::MissingApiversionOrKind,
    &live_owner_references::LiveOwnerReferences,
    &live_controller_annotations::LiveControllerAnnotations,
    &live_server_assigned_spec::LiveServerAssignedSpec,
    &invalid_label_or_name::InvalidLabelOrName,
    &flux_helmrelease_chart_unpinned::FluxHelmreleaseChartUnpinned,
    &argocd_target_revision_unpinned::ArgocdTargetRevisionUnpinned,
    &kustomize_remote_ref_unpinned::KustomizeRemoteRefUnpinned,
    &image_tag_mutable::ImageTagMutable,
    &image_not_digest_pinned::ImageNotDigestPinned,
    &image_registry_not_allowed::ImageRegistryNotAllowed,
    &api_removed::ApiRemoved,
    &api_deprecated::ApiDeprecated,
    &gitops_api_deprecated::GitopsApiDeprecated,
    &namespace_on_cluster_scoped::NamespaceOnClusterScoped,
    &privileged_container::PrivilegedContainer,
    &privilege_escalation_allowed::PrivilegeEscalationAllowed,
    &host_namespace::HostNamespace,
    &sensitive_host_path::SensitiveHostPath,
    &dangerous_capabilities::DangerousCapabilities,
    &run_as_root::RunAsRoot,
    &pss_baseline::PssBaseline,
    &pss_restricted::PssRestricted,
    &cluster_admin_binding::ClusterAdminBinding,
    &cronjob_invalid_schedule::CronjobInvalidSchedule,
    &selector_template_mismatch::SelectorTemplateMismatch,
    &resources_requests_missing::ResourcesRequestsMissing,
    &memory_limit_missing::MemoryLimitMissing,
    &readiness_probe_missing::ReadinessProbeMissing,
    &probe_port_not_declared::ProbePortNotDeclared,
    &cpu_limit_missing::CpuLimitMissing,
    &liveness_probe_missing::LivenessProbeMissing,
    &rbac_wildcard::RbacWildcard,
];

/// Every rule: the code rules, then the built-in credential patterns (`rules/secrets/`).
pub fn all() -> &'static [&'static RuleMeta] {
    static ALL: std::sync::OnceLock<Vec<&'static RuleMeta>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut v: Vec<&'static RuleMeta> = CODE_RULES.to_vec();
        v.extend(
            crate::secrets::Engine::builtin()
                .rules
                .iter()
                .map(|r| r.meta),
        );
        v
    })
}

/// The rule `id`. (A code rule is found without building the credential engine: a config
/// naming only code rules no longer compiles every pattern before the scan starts, where
/// the scan builds it beside the file walk.)
pub fn find(id: &str) -> Option<&'static RuleMeta> {
    CODE_RULES
        .iter()
        .copied()
        .find(|r| r.id == id)
        .or_else(|| all().iter().copied().find(|r| r.id == id))
}

#[cfg(test)]
pub(crate) mod testing {
    //! Runs the document rules of one rule on an in-memory file, as the pipeline would.
    use super::*;
    use crate::yaml::parse_yaml;

    /// Calls `f(path, content, object)` for every object of every in-memory
    /// `(path, content)` file: how the cross-file rules' tests collect their facts.
    pub fn each_object(
        files: &[(&str, &str)],
        mut f: impl FnMut(&str, &str, &crate::manifest::KubeObject),
    ) {
        for (path, src) in files {
            for d in &parse_yaml(src).documents {
                for o in crate::manifest::objects(&d.root) {
                    f(path, src, &o);
                }
            }
        }
    }

    /// The facts of `v` as the cross-file stage hands them to a rule (borrowed).
    pub fn refs<T>(v: &[T]) -> Vec<&T> {
        v.iter().collect()
    }

    pub fn check(rule: &dyn DocumentRule, path: &str, src: &str) -> Vec<Finding> {
        check_in(rule, &crate::project::Project::default(), path, src)
    }

    /// [`check`] inside a repository described by `project` (the kustomize graph).
    pub fn check_in(
        rule: &dyn DocumentRule,
        project: &crate::project::Project,
        path: &str,
        src: &str,
    ) -> Vec<Finding> {
        check_with(rule, &crate::config::Config::default(), project, path, src)
    }

    /// [`check_in`] under a given `.envgate.yaml`.
    pub fn check_with(
        rule: &dyn DocumentRule,
        config: &crate::config::Config,
        project: &crate::project::Project,
        path: &str,
        src: &str,
    ) -> Vec<Finding> {
        let parsed = parse_yaml(src);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        let kind = crate::source::classify_name(path);
        let mut out = Vec::new();
        for doc in &parsed.documents {
            let cx = DocumentContext::new(path, src, kind, doc, config, project)
                .in_file(&parsed.documents);
            rule.check(&cx, &mut out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for r in all() {
            assert!(seen.insert(r.id), "duplicate id {}", r.id);
            assert!(
                r.id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                r.id
            );
            let docs = r.explain();
            for heading in ["## What it does", "## Why is this bad?", "## Example"] {
                assert!(docs.contains(heading), "{} lacks {heading}", r.id);
            }
        }
        for r in DOCUMENT_RULES {
            assert!(find(r.meta().id).is_some());
        }
    }

    #[test]
    fn readme_rules_table_lists_every_rule_with_its_severity() {
        let readme = include_str!("../../README.md");
        for r in CODE_RULES {
            let row = format!("| `{}` | {} |", r.id, r.severity.as_str());
            assert!(readme.contains(&row), "README lacks the row for {}", r.id);
        }
    }
}
