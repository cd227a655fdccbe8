use compact_str::CompactString;
use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::finding::Finding;
use crate::manifest::KubeObject;
use crate::rules::declare_rule;
use crate::yaml::Span;

declare_rule! {
    /// ## What it does
    /// Flags two objects with the same identity — API **group** (not version), kind,
    /// effective namespace and effective name — in one deployment unit (a kustomize root and
    /// everything it includes through `resources`, `bases` and `components`). The effective
    /// namespace is the outermost kustomization `namespace:` on the path from the root, else
    /// the object's own; the effective name carries every `namePrefix`/`nameSuffix` on the
    /// way. Cluster-scoped kinds ignore the namespace. Both places are reported, each pointing
    /// at the other.
    ///
    /// Patch files, objects with `generateName`, names with placeholders and the same object
    /// in *different* units (`envs/dev` and `envs/prod` legitimately define the same objects)
    /// are not duplicates.
    ///
    /// ## Why is this bad?
    /// `kustomize build` fails ("may not add resource with an already registered id"), or —
    /// when the copies come from different apiVersions or plain directories — the controller
    /// applies both and the last one silently wins, flapping on every sync.
    ///
    /// ## Example
    /// ```yaml
    /// # base/deploy.yaml and overlays/prod/deploy-web.yaml both define
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata: {name: web}
    /// ```
    ///
    /// ## Use instead
    /// Keep one definition and change the other copy into a patch (`patches:`).
    pub struct DuplicateResource {
        id: "duplicate-resource",
        severity: Error,
        summary: "Same object defined twice in one deployment unit",
        group: "kustomize",
    }
}

/// Kinds whose objects have no namespace (the built-in ones a GitOps repo commonly holds).
pub fn is_cluster_scoped(kind: &str) -> bool {
    matches!(
        kind,
        "Namespace"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "CustomResourceDefinition"
            | "PersistentVolume"
            | "StorageClass"
            | "PriorityClass"
            | "IngressClass"
            | "RuntimeClass"
            | "CSIDriver"
            | "APIService"
            | "MutatingWebhookConfiguration"
            | "ValidatingWebhookConfiguration"
            | "ValidatingAdmissionPolicy"
            | "ValidatingAdmissionPolicyBinding"
            | "ClusterIssuer"
            | "VolumeSnapshotClass"
            | "Node"
    )
}

/// What the cross-file stage needs of one object: recorded while its file is checked.
#[derive(Clone, Debug)]
pub struct ObjectRecord {
    pub path: std::sync::Arc<str>,
    pub group: CompactString,
    pub kind: CompactString,
    pub namespace: Option<CompactString>,
    pub name: CompactString,
    /// Where `metadata.name`'s value is.
    pub span: Span,
    /// The deployment units including the file (its graph entry's, copied at recording:
    /// the cross-file check needs no lookup by path).
    pub units: crate::project::Units,
}

impl ObjectRecord {
    /// The record of an object, when it has a definite identity.
    pub fn of(
        path: &crate::cross_file::SharedPath,
        info: &crate::project::FileInfo,
        obj: &KubeObject,
    ) -> Option<ObjectRecord> {
        let (api, kind, name) = (obj.api_version?, obj.kind?, obj.name?);
        if crate::placeholder::contains_placeholder(name) || name.is_empty() {
            return None;
        }
        let span = obj.metadata?.entry("name")?.value.span;
        Some(ObjectRecord {
            path: path.get(),
            group: api.rsplit_once('/').map_or("", |(g, _)| g).into(),
            kind: kind.into(),
            namespace: obj.namespace.map(CompactString::from),
            name: name.into(),
            span,
            units: info.memberships.clone(),
        })
    }
}

impl DuplicateResource {
    /// Compares the objects of every unit; one finding per location of a duplicate.
    pub fn check(records: &[&ObjectRecord]) -> Vec<Finding> {
        type Identity<'a> = (&'a str, &'a str, &'a str, &'a str, Cow<'a, str>);
        /// (unit, group, kind, namespace in the unit, `name`: the name the unit gives it).
        fn identity_named<'a>(
            r: &'a ObjectRecord,
            m: &'a crate::project::Membership,
            name: Cow<'a, str>,
        ) -> Identity<'a> {
            let ns = if is_cluster_scoped(&r.kind) {
                ""
            } else {
                m.namespace
                    .as_deref()
                    .or(r.namespace.as_deref())
                    .unwrap_or("")
            };
            (m.unit.as_str(), &r.group, &r.kind, ns, name)
        }
        let identity = |i: usize, j: usize| -> Identity {
            let (r, m) = (records[i], &*records[i].units[j]);
            let name = if m.prefix.is_empty() && m.suffix.is_empty() {
                Cow::Borrowed(r.name.as_str())
            } else {
                Cow::Owned(m.name(&r.name))
            };
            identity_named(r, m, name)
        };
        // (hash of the identity, record, membership) of every object in every unit, sorted
        // by hash: equal identities end up side by side. (A hash map of location lists was
        // most of the cross-file stage: one allocation per object, in a table of fresh
        // memory. A prefixed name is built in one reused buffer: the objects that have no
        // duplicate cost no allocation.)
        let mut keyed: Vec<(u64, u32, u32)> = Vec::with_capacity(records.len() * 2);
        let mut name = String::new();
        for (i, r) in records.iter().enumerate() {
            for (j, m) in r.units.iter().enumerate() {
                name.clear();
                name.push_str(&m.prefix);
                name.push_str(&r.name);
                name.push_str(&m.suffix);
                let mut h = rustc_hash::FxHasher::default();
                std::hash::Hash::hash(&identity_named(r, m, Cow::Borrowed(&name)), &mut h);
                keyed.push((std::hash::Hasher::finish(&h), i as u32, j as u32));
            }
        }
        keyed.sort_unstable();
        let mut dups: Vec<(Identity, Vec<usize>)> = Vec::new();
        for run in keyed.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
            // (Equal hashes are nearly always equal identities; compare to be sure.)
            let mut groups: Vec<(Identity, Vec<usize>)> = Vec::new();
            for &(_, i, j) in run {
                let id = identity(i as usize, j as usize);
                match groups.iter_mut().find(|(g, _)| *g == id) {
                    Some((_, locs)) => locs.push(i as usize),
                    None => groups.push((id, vec![i as usize])),
                }
            }
            dups.extend(groups.into_iter().filter(|(_, l)| l.len() > 1));
        }
        dups.sort();
        let mut out: BTreeMap<(&str, Span), Finding> = BTreeMap::new();
        for ((unit, group, kind, ns, name), mut locs) in dups {
            locs.sort_by(|a, b| {
                (&records[*a].path, records[*a].span).cmp(&(&records[*b].path, records[*b].span))
            });
            locs.dedup_by(|a, b| {
                (&records[*a].path, records[*a].span) == (&records[*b].path, records[*b].span)
            });
            if locs.len() < 2 {
                continue;
            }
            let kind_name = if group.is_empty() {
                kind.to_string()
            } else {
                format!("{kind}.{group}")
            };
            let shown_ns = if ns.is_empty() { "-" } else { ns };
            for &i in &locs {
                let r = &records[i];
                let others: Vec<String> = locs
                    .iter()
                    .filter(|&&j| j != i)
                    .map(|&j| {
                        let o = &records[j];
                        format!("{}:{}:{}", o.path, o.span.start.line, o.span.start.col)
                    })
                    .collect();
                out.entry((&r.path, r.span)).or_insert_with(|| {
                    Finding::new(
                        &Self::META,
                        &r.path,
                        r.span,
                        format!(
                            "{kind_name} {shown_ns}/{name} is defined more than once in the unit {unit} (also at {})",
                            others.join(", ")
                        ),
                        &format!("{kind_name}/{shown_ns}/{name}"),
                    )
                    .help("keep one definition; turn the other into a patch")
                });
            }
        }
        out.into_values().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::Project;
    use crate::rules::testing::each_object;
    use crate::rules::testing::refs;

    fn records(p: &Project, path: &str, src: &str) -> Vec<ObjectRecord> {
        let mut out = Vec::new();
        each_object(&[(path, src)], |path, _, o| {
            out.extend(ObjectRecord::of(
                &crate::cross_file::SharedPath::new(path),
                p.file(path),
                o,
            ))
        });
        out
    }

    fn project(ks: &[(&str, &str)]) -> Project {
        Project::build(None, ks)
    }

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n";

    #[test]
    fn same_identity_in_one_unit() {
        let p = project(&[
            ("base/kustomization.yaml", "resources: [a.yaml]\n"),
            (
                "prod/kustomization.yaml",
                "namespace: prod\nresources: [../base, b.yaml]\n",
            ),
        ]);
        let mut rs = records(&p, "base/a.yaml", DEPLOY);
        // Another apiVersion of the same group is the same object.
        rs.extend(records(
            &p,
            "prod/b.yaml",
            "apiVersion: apps/v1beta2\nkind: Deployment\nmetadata:\n  name: web\n  namespace: other\n",
        ));
        let f = DuplicateResource::check(&refs(&rs));
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0].path, "base/a.yaml");
        assert!(f[0].message.contains("prod/b.yaml:4:9"), "{}", f[0].message);
        assert!(f[0].message.contains("Deployment.apps prod/web"));
    }

    #[test]
    fn not_duplicates() {
        // Different units; different prefixes; different kinds; different namespaces.
        let p = project(&[
            ("dev/kustomization.yaml", "resources: [a.yaml]\n"),
            (
                "prod/kustomization.yaml",
                "resources: [a.yaml, b.yaml, c.yaml]\n",
            ),
        ]);
        let mut rs = records(&p, "dev/a.yaml", DEPLOY);
        rs.extend(records(&p, "prod/a.yaml", DEPLOY));
        rs.extend(records(
            &p,
            "prod/b.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n",
        ));
        rs.extend(records(
            &p,
            "prod/c.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: x\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  generateName: web-\n",
        ));
        assert!(DuplicateResource::check(&refs(&rs)).is_empty());
        // A prefix in one branch separates the names.
        let p = project(&[
            (
                "a/kustomization.yaml",
                "namePrefix: a-\nresources: [x.yaml]\n",
            ),
            ("root/kustomization.yaml", "resources: [../a, y.yaml]\n"),
        ]);
        let mut rs = records(&p, "a/x.yaml", DEPLOY);
        rs.extend(records(&p, "root/y.yaml", DEPLOY));
        assert!(DuplicateResource::check(&refs(&rs)).is_empty());
    }
}
