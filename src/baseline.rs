//! Baselines, for adopting envgate on a repo with existing debt: `envgate baseline write
//! FILE` records today's findings; `envgate scan --baseline FILE` then reports only new ones.
//!
//! Entries are (rule, path, fingerprint): no line numbers (an edit above a finding does not
//! invalidate it) and no secret values (fingerprints are hashes). One entry per line,
//! sorted, so concurrent branches rarely conflict.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::finding::Finding;

pub const VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    pub rule: String,
    pub path: String,
    pub fingerprint: String,
}

#[derive(Debug, Default)]
pub struct Baseline {
    pub entries: BTreeSet<Entry>,
}

#[derive(Deserialize)]
struct File {
    version: u32,
    entries: Vec<Entry>,
}

impl Baseline {
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        Baseline {
            entries: findings
                .iter()
                .map(|f| Entry {
                    rule: f.rule.to_string(),
                    path: f.path.clone(),
                    fingerprint: f.fingerprint.clone(),
                })
                .collect(),
        }
    }

    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let f: File = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not an envgate baseline: {e}", path.display()))?;
        if f.version != VERSION {
            return Err(format!(
                "{}: baseline version {} is not supported (expected {VERSION})",
                path.display(),
                f.version
            ));
        }
        Ok(Baseline {
            entries: f.entries.into_iter().collect(),
        })
    }

    /// The file text: stable, sorted, one entry per line.
    pub fn render(&self) -> String {
        let mut s = format!("{{\"version\": {VERSION}, \"tool\": \"envgate\", \"entries\": [\n");
        let n = self.entries.len();
        for (i, e) in self.entries.iter().enumerate() {
            s.push_str(&serde_json::to_string(e).expect("plain strings"));
            s.push_str(if i + 1 < n { ",\n" } else { "\n" });
        }
        s.push_str("]}\n");
        s
    }

    /// Removes baselined findings; returns the entries that matched nothing (stale).
    pub fn filter(&self, findings: &mut Vec<Finding>) -> Vec<Entry> {
        let mut used = BTreeSet::new();
        findings.retain(|f| {
            let key = Entry {
                rule: f.rule.to_string(),
                path: f.path.clone(),
                fingerprint: f.fingerprint.clone(),
            };
            if self.entries.contains(&key) {
                used.insert(key);
                false
            } else {
                true
            }
        });
        self.entries.difference(&used).cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::raw_secret::RawSecret;
    use crate::yaml::{Pos, Span};

    fn f(path: &str, line: u32, identity: &str) -> Finding {
        Finding::new(
            &RawSecret::META,
            path,
            Span::point(Pos {
                line,
                col: 1,
                byte: 0,
            }),
            "m",
            identity,
        )
    }

    #[test]
    fn round_trip_ignores_lines_and_reports_stale_entries() {
        let b = Baseline::from_findings(&[f("a.yaml", 3, "x"), f("b.yaml", 9, "y")]);
        let text = b.render();
        assert_eq!(text.lines().count(), 4);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("baseline.json");
        std::fs::write(&p, &text).unwrap();
        let b = Baseline::load(&p).unwrap();
        // a.yaml's finding moved to line 30: still baselined; b.yaml's is gone; c is new.
        let mut now = vec![f("a.yaml", 30, "x"), f("c.yaml", 1, "z")];
        let stale = b.filter(&mut now);
        assert_eq!(now.len(), 1);
        assert_eq!(now[0].path, "c.yaml");
        assert_eq!(stale.len(), 1);
        assert_eq!(stale[0].path, "b.yaml");
    }
}
