//! Every built-in credential rule's own examples: each `match` example yields exactly one
//! hit of that rule, each `no_match` example none.

use envgate::secrets::Engine;

#[test]
fn every_rule_passes_its_examples() {
    let engine = Engine::builtin();
    assert!(!engine.rules.is_empty());
    let mut failures = Vec::new();
    for (i, rule) in engine.rules.iter().enumerate() {
        if rule.examples_match.is_empty() {
            failures.push(format!("{}: no match examples", rule.meta.id));
        }
        if rule.examples_no_match.is_empty() {
            failures.push(format!("{}: no no_match examples", rule.meta.id));
        }
        for ex in &rule.examples_match {
            let hits: Vec<_> = engine
                .scan(ex.as_bytes(), "example.yaml", &|r| r == i)
                .into_iter()
                .collect();
            if hits.len() != 1 {
                failures.push(format!(
                    "{}: {} hits on match example {ex:?}",
                    rule.meta.id,
                    hits.len()
                ));
            }
        }
        for ex in &rule.examples_no_match {
            let hits = engine.scan(ex.as_bytes(), "example.yaml", &|r| r == i);
            if !hits.is_empty() {
                let s = &ex.as_bytes()[hits[0].secret.clone()];
                failures.push(format!(
                    "{}: hit {:?} on no_match example {ex:?}",
                    rule.meta.id,
                    String::from_utf8_lossy(s)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn rule_ids_are_unique() {
    let mut ids: Vec<&str> = envgate::rules::all().iter().map(|r| r.id).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n);
}
