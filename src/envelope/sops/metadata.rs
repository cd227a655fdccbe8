//! The `sops` metadata block, read from a YAML/JSON mapping or from flattened
//! dotenv/INI keys (both go through [`MNode`]).

use std::borrow::Cow;

use super::{Problem, ProblemKind};
use crate::yaml::{Node, NodeKind, Span};

/// A metadata value with its source span. The text is metadata, never a secret value.
#[derive(Clone, Debug)]
pub struct Field<'a> {
    pub value: Cow<'a, str>,
    pub span: Span,
}

/// Kind of master key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Age,
    Pgp,
    Kms,
    GcpKms,
    AzureKv,
    HcVault,
    Hckms,
}

impl KeyKind {
    const ALL: [(&'static str, KeyKind, &'static str); 7] = [
        ("age", KeyKind::Age, "recipient"),
        ("pgp", KeyKind::Pgp, "fp"),
        ("kms", KeyKind::Kms, "arn"),
        ("gcp_kms", KeyKind::GcpKms, "resource_id"),
        ("azure_kv", KeyKind::AzureKv, "vault_url"),
        ("hc_vault", KeyKind::HcVault, "vault_address"),
        ("hckms", KeyKind::Hckms, "key_id"),
    ];

    fn from_field(name: &str) -> Option<(KeyKind, &'static str)> {
        Self::ALL
            .iter()
            .find(|(n, ..)| *n == name)
            .map(|(_, k, id)| (*k, *id))
    }

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k, _)| *k == self)
            .map_or("?", |(n, ..)| n)
    }
}

/// One master key entry (`sops.age[i]`, `sops.pgp[i]`, …).
#[derive(Clone, Debug)]
pub struct MasterKey<'a> {
    pub kind: KeyKind,
    /// recipient / fp / arn / resource_id / vault_url / vault_address / key_id.
    pub id: Option<Field<'a>>,
    /// The wrapped data key (or Shamir share).
    pub enc: Option<Field<'a>>,
    pub span: Span,
}

#[derive(Clone, Debug, Default)]
pub struct KeyGroup<'a> {
    pub keys: Vec<MasterKey<'a>>,
}

/// Which of the six selection options decides what is encrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    UnencryptedSuffix,
    EncryptedSuffix,
    UnencryptedRegex,
    EncryptedRegex,
    UnencryptedCommentRegex,
    EncryptedCommentRegex,
}

impl RuleKind {
    pub(crate) const ALL: [(&'static str, RuleKind); 6] = [
        ("unencrypted_suffix", RuleKind::UnencryptedSuffix),
        ("encrypted_suffix", RuleKind::EncryptedSuffix),
        ("unencrypted_regex", RuleKind::UnencryptedRegex),
        ("encrypted_regex", RuleKind::EncryptedRegex),
        (
            "unencrypted_comment_regex",
            RuleKind::UnencryptedCommentRegex,
        ),
        ("encrypted_comment_regex", RuleKind::EncryptedCommentRegex),
    ];
}

/// The parsed `sops` block.
#[derive(Clone, Debug, Default)]
pub struct Metadata<'a> {
    /// The whole block (YAML/JSON mapping, INI `[sops]` section, first `sops_` line).
    pub span: Span,
    pub mac: Option<Field<'a>>,
    pub lastmodified: Option<Field<'a>>,
    pub version: Option<Field<'a>>,
    /// Key groups; the flat top-level lists form a single group.
    pub key_groups: Vec<KeyGroup<'a>>,
    /// True when the keys came from `key_groups:` rather than the flat lists.
    pub uses_key_groups: bool,
    pub shamir_threshold: Option<u32>,
    /// Non-empty selection options, in file order.
    pub rules: Vec<(RuleKind, Field<'a>)>,
    pub mac_only_encrypted: bool,
}

impl Metadata<'_> {
    pub fn master_key_count(&self) -> usize {
        self.key_groups.iter().map(|g| g.keys.len()).sum()
    }
}

/// A store-neutral view of a metadata subtree.
#[derive(Clone, Debug)]
pub(crate) enum MNode<'a> {
    Scalar(Field<'a>),
    Map(Vec<(Cow<'a, str>, MNode<'a>)>, Span),
    List(Vec<MNode<'a>>, Span),
    /// Null, alias or anything else without a usable value.
    Other(Span),
}

impl<'a> MNode<'a> {
    pub(crate) fn from_yaml(n: &'a Node) -> MNode<'a> {
        match &n.kind {
            _ if n.is_null() => MNode::Other(n.span),
            NodeKind::Scalar(s) => MNode::Scalar(Field {
                value: Cow::Borrowed(&s.value),
                span: n.span,
            }),
            NodeKind::Mapping(entries) => MNode::Map(
                entries
                    .iter()
                    .filter_map(|e| {
                        Some((Cow::Borrowed(e.key.as_str()?), MNode::from_yaml(&e.value)))
                    })
                    .collect(),
                n.span,
            ),
            NodeKind::Sequence(items) => {
                MNode::List(items.iter().map(MNode::from_yaml).collect(), n.span)
            }
            NodeKind::Alias(_) => MNode::Other(n.span),
        }
    }

    pub(crate) fn span(&self) -> Span {
        match self {
            MNode::Scalar(f) => f.span,
            MNode::Map(_, s) | MNode::List(_, s) | MNode::Other(s) => *s,
        }
    }

    fn get(&self, key: &str) -> Option<&MNode<'a>> {
        match self {
            MNode::Map(entries, _) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn field(&self) -> Option<Field<'a>> {
        match self {
            MNode::Scalar(f) => Some(f.clone()),
            _ => None,
        }
    }
}

/// The metadata keys that make a `sops` mapping recognisable as sops metadata.
pub(crate) fn looks_like_metadata(node: &MNode<'_>) -> bool {
    const MARKERS: [&str; 11] = [
        "mac",
        "lastmodified",
        "version",
        "age",
        "pgp",
        "kms",
        "gcp_kms",
        "azure_kv",
        "hc_vault",
        "hckms",
        "key_groups",
    ];
    match node {
        MNode::Map(entries, _) => entries.iter().any(|(k, _)| MARKERS.contains(&k.as_ref())),
        _ => false,
    }
}

fn read_group<'a>(group: &MNode<'a>, problems: &mut Vec<Problem>) -> KeyGroup<'a> {
    let mut out = KeyGroup::default();
    let MNode::Map(entries, _) = group else {
        return out;
    };
    for (name, value) in entries {
        let Some((kind, id_field)) = KeyKind::from_field(name) else {
            continue;
        };
        match value {
            MNode::List(items, _) => {
                for item in items {
                    match item {
                        MNode::Map(..) => out.keys.push(MasterKey {
                            kind,
                            id: item.get(id_field).and_then(MNode::field),
                            enc: item.get("enc").and_then(MNode::field),
                            span: item.span(),
                        }),
                        other => problems.push(Problem::new(
                            ProblemKind::MalformedMetadata,
                            other.span(),
                            format!("`sops.{name}` entries must be mappings"),
                        )),
                    }
                }
            }
            MNode::Other(_) => {} // `kms: null` (sops ≤3.9 JSON)
            other => problems.push(Problem::new(
                ProblemKind::MalformedMetadata,
                other.span(),
                format!("`sops.{name}` must be a list"),
            )),
        }
    }
    out
}

/// Reads the metadata from its store-neutral form. Problems found on the way (wrong
/// types) are appended to `problems`.
pub(crate) fn read_metadata<'a>(node: &MNode<'a>, problems: &mut Vec<Problem>) -> Metadata<'a> {
    let mut md = Metadata {
        span: node.span(),
        ..Metadata::default()
    };
    let scalar = |key: &str, problems: &mut Vec<Problem>| -> Option<Field<'a>> {
        match node.get(key)? {
            MNode::Scalar(f) => Some(f.clone()),
            MNode::Other(_) => None,
            other => {
                problems.push(Problem::new(
                    ProblemKind::MalformedMetadata,
                    other.span(),
                    format!("`sops.{key}` must be a scalar"),
                ));
                None
            }
        }
    };
    md.mac = scalar("mac", problems);
    md.lastmodified = scalar("lastmodified", problems);
    md.version = scalar("version", problems);
    if let Some(t) = scalar("shamir_threshold", problems) {
        match t.value.trim().parse::<u32>() {
            Ok(v) => md.shamir_threshold = Some(v),
            Err(_) => problems.push(Problem::new(
                ProblemKind::MalformedMetadata,
                t.span,
                "`sops.shamir_threshold` is not a non-negative integer".into(),
            )),
        }
    }
    if let Some(m) = scalar("mac_only_encrypted", problems) {
        match super::gofmt::parse_bool(m.value.trim()) {
            Some(b) => md.mac_only_encrypted = b,
            None => problems.push(Problem::new(
                ProblemKind::MalformedMetadata,
                m.span,
                "`sops.mac_only_encrypted` is not a boolean".into(),
            )),
        }
    }
    if let MNode::Map(entries, _) = node {
        for (name, _) in entries {
            if let Some((_, kind)) = RuleKind::ALL.iter().find(|(n, _)| n == name)
                && let Some(f) = scalar(name, problems)
                && !f.value.is_empty()
            {
                md.rules.push((*kind, f));
            }
        }
    }
    // Flat lists first (sops' `internalKeygroups` prefers them when any is non-empty).
    let flat = read_group(node, problems);
    if !flat.keys.is_empty() {
        md.key_groups.push(flat);
    } else if let Some(groups) = node.get("key_groups") {
        match groups {
            MNode::List(items, _) => {
                md.uses_key_groups = true;
                for g in items {
                    md.key_groups.push(read_group(g, problems));
                }
            }
            MNode::Other(_) => {}
            other => problems.push(Problem::new(
                ProblemKind::MalformedMetadata,
                other.span(),
                "`sops.key_groups` must be a list".into(),
            )),
        }
    }
    md
}
