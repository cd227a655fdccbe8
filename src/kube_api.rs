//! Kubernetes API facts as data (`rules/api/`): which apiVersion + kind is deprecated or
//! removed in which release (Kubernetes, Flux), and which built-in kinds are cluster-scoped.
//! Each table is parsed once, on first use, with envgate's own YAML parser.

use rustc_hash::FxHashMap as HashMap;
use std::fmt;
use std::sync::LazyLock;

use crate::yaml::{Node, parse_yaml};

const PLUTO_VERSIONS: &str = include_str!("../rules/api/pluto-versions.yaml");
const GITOPS_VERSIONS: &str = include_str!("../rules/api/gitops-versions.yaml");
const KIND_SCOPE: &str = include_str!("../rules/api/k8s-kind-scope.yaml");

/// A `major.minor` release (of Kubernetes, or of a controller such as Flux).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u16,
    pub minor: u16,
}

impl Version {
    /// A Kubernetes minor as `.envgate.yaml` writes it: exactly `1.NN` (`1.31`).
    pub fn parse_kubernetes_minor(s: &str) -> Option<Version> {
        let minor = s.strip_prefix("1.")?;
        if minor.is_empty() || minor.len() > 2 || !minor.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Version {
            major: 1,
            minor: minor.parse().ok()?,
        })
    }

    /// A release as the data files write it: `v1.16.0` (`v` and patch optional).
    fn parse_release(s: &str) -> Option<Version> {
        let mut parts = s.strip_prefix('v').unwrap_or(s).split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        Some(Version { major, minor })
    }

    /// The minor `n` releases before this one (same major, saturating).
    pub fn minus_minors(self, n: u16) -> Version {
        Version {
            major: self.major,
            minor: self.minor.saturating_sub(n),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// One apiVersion + kind that is deprecated (and maybe removed).
#[derive(Debug)]
pub struct ApiDeprecation {
    pub api_version: String,
    /// Empty: every kind of the apiVersion.
    pub kind: String,
    pub deprecated_in: Version,
    pub removed_in: Option<Version>,
    /// `None`: no replacement API (e.g. PodSecurityPolicy).
    pub replacement: Option<String>,
    pub replacement_available_in: Option<Version>,
}

impl ApiDeprecation {
    /// `: use X (available since <product> 1.N)`, or `; there is no replacement API`.
    pub fn replacement_clause(&self, product: &str) -> String {
        match (&self.replacement, self.replacement_available_in) {
            (Some(r), Some(v)) => format!(": use {r} (available since {product} {v})"),
            (Some(r), None) => format!(": use {r}"),
            (None, _) => "; there is no replacement API".to_string(),
        }
    }
}

/// A deprecation table (one `component` of a pluto-format file), keyed by apiVersion.
#[derive(Debug)]
pub struct DeprecationTable {
    by_api_version: HashMap<String, Vec<ApiDeprecation>>,
    /// The newest release any entry mentions.
    newest: Version,
}

impl DeprecationTable {
    /// Parses the `deprecated-versions` of `component` from a pluto-format file, handling
    /// the quirks listed in `rules/api/README.md`.
    fn parse(src: &str, component: &str) -> Result<DeprecationTable, String> {
        let parsed = parse_yaml(src);
        if let Some(p) = parsed.problems.first() {
            return Err(format!("{p:?}"));
        }
        let root = &parsed.documents.first().ok_or("empty file")?.root;
        let entries = root
            .get("deprecated-versions")
            .ok_or("no `deprecated-versions`")?;
        let mut table = DeprecationTable {
            by_api_version: HashMap::default(),
            newest: Version { major: 0, minor: 0 },
        };
        for e in entries.items() {
            if e.get_str("component") != Some(component) {
                continue;
            }
            let field = |k: &str| e.get_str(k).map(str::trim).filter(|v| !v.is_empty());
            let release = |k: &str| -> Result<Option<Version>, String> {
                field(k)
                    .map(|v| {
                        Version::parse_release(v)
                            .ok_or_else(|| format!("bad `{k}` {v:?} at line {}", e.span.start.line))
                    })
                    .transpose()
            };
            let api_version = field("version").ok_or("entry without `version`")?;
            let kind = field("kind").unwrap_or("");
            // Not a real kind (FlowSchema and PriorityLevelConfiguration are listed too).
            if api_version == "flowcontrol.apiserver.k8s.io/v1beta1" && kind == "FlowControl" {
                continue;
            }
            let removed_in = release("removed-in")?;
            let replacement_available_in = release("replacement-available-in")?;
            // An empty `deprecated-in` with a removal (the ReplicaSet betas): deprecated since
            // the replacement existed, else since the removal.
            let Some(deprecated_in) = release("deprecated-in")?
                .or(replacement_available_in.filter(|_| removed_in.is_some()))
                .or(removed_in)
            else {
                continue; // neither deprecated nor removed: nothing to report
            };
            for v in [Some(deprecated_in), removed_in].into_iter().flatten() {
                table.newest = table.newest.max(v);
            }
            let list = table
                .by_api_version
                .entry(api_version.to_string())
                .or_default();
            if list.iter().any(|d| d.kind == kind) {
                continue; // duplicate entry
            }
            list.push(ApiDeprecation {
                api_version: api_version.to_string(),
                kind: kind.to_string(),
                deprecated_in,
                removed_in,
                replacement: field("replacement-api").map(str::to_string),
                replacement_available_in,
            });
        }
        Ok(table)
    }

    /// The entry for `api_version` + `kind` (a kind-less entry covers every kind).
    pub fn lookup(&self, api_version: &str, kind: &str) -> Option<&ApiDeprecation> {
        let list = self.by_api_version.get(api_version)?;
        list.iter()
            .find(|d| d.kind == kind)
            .or_else(|| list.iter().find(|d| d.kind.is_empty()))
    }

    /// The newest release the table knows about.
    pub fn newest(&self) -> Version {
        self.newest
    }

    pub fn len(&self) -> usize {
        self.by_api_version.values().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Kubernetes apiVersion deprecations (pluto's data, `component: k8s`).
pub fn kubernetes() -> &'static DeprecationTable {
    static T: LazyLock<DeprecationTable> = LazyLock::new(|| {
        DeprecationTable::parse(PLUTO_VERSIONS, "k8s").expect("rules/api/pluto-versions.yaml")
    });
    &T
}

/// Flux API deprecations (`rules/api/gitops-versions.yaml`, `component: flux`).
pub fn flux() -> &'static DeprecationTable {
    static T: LazyLock<DeprecationTable> = LazyLock::new(|| {
        DeprecationTable::parse(GITOPS_VERSIONS, "flux").expect("rules/api/gitops-versions.yaml")
    });
    &T
}

/// The Kubernetes version the API rules check against: `kubernetes-version` from
/// `.envgate.yaml`, else the newest version the data knows (so every known removal counts).
pub fn kubernetes_target(config: &crate::config::Config) -> Version {
    config
        .kubernetes_version
        .unwrap_or_else(|| kubernetes().newest())
}

/// Where objects of a kind live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Namespaced,
    Cluster,
}

/// The API group of an apiVersion: `apps/v1` → `apps`, `v1` → `` (core).
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// The scope of a built-in kind, `None` for kinds the data does not know (custom resources).
pub fn kind_scope(api_version: &str, kind: &str) -> Option<Scope> {
    static T: LazyLock<HashMap<String, HashMap<String, Scope>>> =
        LazyLock::new(|| parse_kind_scope(KIND_SCOPE).expect("rules/api/k8s-kind-scope.yaml"));
    // (Hashed by kind too: rules ask this of every object, and the core group lists dozens.)
    T.get(group_of(api_version))?.get(kind).copied()
}

/// Group → kind → scope (the first entry of a kind wins).
fn parse_kind_scope(src: &str) -> Result<HashMap<String, HashMap<String, Scope>>, String> {
    let parsed = parse_yaml(src);
    if let Some(p) = parsed.problems.first() {
        return Err(format!("{p:?}"));
    }
    let root: &Node = &parsed.documents.first().ok_or("empty file")?.root;
    let mut out = HashMap::default();
    for section in ["kustomize_master", "supplement"] {
        for e in root.get(section).map(Node::items).unwrap_or(&[]) {
            let (Some(group), Some(kind)) = (e.get_str("group"), e.get_str("kind")) else {
                return Err(format!(
                    "entry without group/kind at line {}",
                    e.span.start.line
                ));
            };
            let scope = match e.get_str("scope") {
                Some("Cluster") => Scope::Cluster,
                Some("Namespaced") => Scope::Namespaced,
                other => return Err(format!("bad scope {other:?} for {group}/{kind}")),
            };
            out.entry(group.to_string())
                .or_insert_with(HashMap::default)
                .entry(kind.to_string())
                .or_insert(scope);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_table_handles_the_data_quirks() {
        let t = kubernetes();
        assert!(t.len() > 70, "{}", t.len());
        assert!(
            t.newest()
                >= Version {
                    major: 1,
                    minor: 36
                }
        );
        let d = t.lookup("extensions/v1beta1", "Deployment").unwrap();
        assert_eq!(
            d.removed_in,
            Some(Version {
                major: 1,
                minor: 16
            })
        );
        assert_eq!(d.replacement.as_deref(), Some("apps/v1"));
        // empty deprecated-in on ReplicaSet: deprecated since the replacement (1.9)
        let d = t.lookup("apps/v1beta2", "ReplicaSet").unwrap();
        assert_eq!(d.deprecated_in, Version { major: 1, minor: 9 });
        // bogus FlowControl kind dropped, real kinds kept
        assert!(
            t.lookup("flowcontrol.apiserver.k8s.io/v1beta1", "FlowControl")
                .is_none()
        );
        assert!(
            t.lookup("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema")
                .is_some()
        );
        // duplicate entry merged
        assert_eq!(t.by_api_version["audit.k8s.io/v1alpha1"].len(), 4);
        // no replacement
        assert!(
            t.lookup("policy/v1beta1", "PodSecurityPolicy")
                .unwrap()
                .replacement
                .is_none()
        );
        // deprecated, not removed
        let d = t
            .lookup("storage.k8s.io/v1beta1", "VolumeAttributesClass")
            .unwrap();
        assert!(d.removed_in.is_none());
        // cert-manager / istio are other components
        assert!(
            t.lookup("certmanager.k8s.io/v1alpha1", "Certificate")
                .is_none()
        );
        assert!(t.lookup("apps/v1", "Deployment").is_none());
    }

    #[test]
    fn flux_table() {
        let t = flux();
        let d = t
            .lookup("helm.toolkit.fluxcd.io/v2beta1", "HelmRelease")
            .unwrap();
        assert_eq!(d.removed_in, Some(Version { major: 2, minor: 7 }));
        assert_eq!(
            t.lookup("notification.toolkit.fluxcd.io/v1beta2", "Receiver")
                .unwrap()
                .replacement
                .as_deref(),
            Some("notification.toolkit.fluxcd.io/v1")
        );
        assert!(
            t.lookup("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
                .is_none()
        );
        // kind-specific: a v1beta2 object of an unlisted kind is not matched
        assert!(
            t.lookup("source.toolkit.fluxcd.io/v1beta2", "Unknown")
                .is_none()
        );
    }

    #[test]
    fn versions() {
        assert_eq!(
            Version::parse_kubernetes_minor("1.31"),
            Some(Version {
                major: 1,
                minor: 31
            })
        );
        for bad in ["1.", "1", "v1.31", "1.31.0", "2.1", "1.x", "1.123", ""] {
            assert_eq!(Version::parse_kubernetes_minor(bad), None, "{bad}");
        }
        assert_eq!(
            Version::parse_release("v1.16.0").unwrap().to_string(),
            "1.16"
        );
    }

    #[test]
    fn scopes() {
        assert_eq!(kind_scope("v1", "Namespace"), Some(Scope::Cluster));
        assert_eq!(kind_scope("v1", "ConfigMap"), Some(Scope::Namespaced));
        assert_eq!(
            kind_scope("rbac.authorization.k8s.io/v1", "ClusterRole"),
            Some(Scope::Cluster)
        );
        assert_eq!(
            kind_scope("storage.k8s.io/v1", "VolumeAttributesClass"),
            Some(Scope::Cluster)
        );
        assert_eq!(kind_scope("cert-manager.io/v1", "ClusterIssuer"), None);
        assert_eq!(kind_scope("example.com/v1", "Namespace"), None);
    }
}
