//! The matching engine: one Aho-Corasick pass over a file's bytes selects (rule, line)
//! candidates from the rules' keywords; only those rules' regexes run, only on those lines.
//! Cost grows with bytes, not with the number of rules.

use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Anchored, MatchKind, dfa};

use super::entropy::shannon;
use super::pattern::{PatternRule, parse_rule_file_unchecked};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/secret_rule_files.rs"));
}

/// The embedded `rules/secrets/*.yaml` files: (file name, text).
pub fn builtin_rule_files() -> &'static [(&'static str, &'static str)] {
    embedded::RULE_FILES
}

/// Bytes after a multiline rule's keyword line that its regex may see (a PEM key block).
const MULTILINE_WINDOW: usize = 64 * 1024;

pub struct Engine {
    pub rules: Vec<PatternRule>,
    /// The keyword automaton, walked by hand (see `keyword_lines`).
    dfa: dfa::DFA,
    /// Set when a keyword is empty or spans lines: then the plain overlapping search runs.
    fallback: Option<AhoCorasick>,
    /// Keyword index → rules that declared it.
    keyword_rules: Vec<Vec<u32>>,
}

/// A confirmed match of one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule: usize,
    /// Byte range of the `secret` group.
    pub secret: Range<usize>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.rules.iter().map(|r| r.meta.id))
            .finish()
    }
}

impl Engine {
    pub fn new(rules: Vec<PatternRule>) -> Engine {
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<u32>> = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            for k in &r.keywords {
                match keywords.iter().position(|x| x == k) {
                    Some(p) => keyword_rules[p].push(i as u32),
                    None => {
                        keywords.push(k.clone());
                        keyword_rules.push(vec![i as u32]);
                    }
                }
            }
        }
        // A DFA: ~2× the NFA's scan speed over ~500 keywords for ~1 ms more build time.
        // No prefilter: short keywords (`eyj`, `://`) leave it nothing to skip, and the
        // hand-written walk below needs start states that are not special.
        let dfa = dfa::Builder::new()
            .ascii_case_insensitive(true)
            .prefilter(false)
            .match_kind(MatchKind::Standard)
            .build(&keywords)
            .expect("keywords are plain literals");
        let fallback = keywords
            .iter()
            .any(|k| k.is_empty() || k.contains('\n'))
            .then(|| {
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                    .match_kind(MatchKind::Standard)
                    .build(&keywords)
                    .expect("keywords are plain literals")
            });
        Engine {
            rules,
            dfa,
            fallback,
            keyword_rules,
        }
    }

    /// The built-in rules of `rules/secrets/`, parsed once per process.
    pub fn builtin() -> &'static Engine {
        static ENGINE: OnceLock<Engine> = OnceLock::new();
        ENGINE.get_or_init(|| {
            let mut rules = Vec::new();
            for (name, text) in embedded::RULE_FILES {
                match parse_rule_file_unchecked(name, text) {
                    Ok(r) => rules.extend(r),
                    // Built-in files are validated by the test suite; never ship a panic.
                    Err(e) => eprintln!("envgate: internal error in built-in rules: {e}"),
                }
            }
            // Benchmarking aid (scripts/bench --rule-scaling): keep only the first N
            // built-in rules, to measure how the cost grows with the rule count.
            if let Some(n) = std::env::var("ENVGATE_BENCH_RULE_LIMIT")
                .ok()
                .and_then(|v| v.parse::<usize>().ok())
            {
                rules.truncate(n);
            }
            Engine::new(rules)
        })
    }

    /// Every confirmed hit in `bytes`, sorted. `enabled(i)` filters rules (config `off`).
    pub fn scan(&self, bytes: &[u8], path: &str, enabled: &dyn Fn(usize) -> bool) -> Vec<Hit> {
        let mut cands: Vec<(u32, usize, usize)> = Vec::new();
        let mut add = |keyword: usize, start: usize, end: usize| {
            let rules = &self.keyword_rules[keyword];
            let ls = memchr::memrchr(b'\n', &bytes[..start]).map_or(0, |i| i + 1);
            let le = memchr::memchr(b'\n', &bytes[end..]).map_or(bytes.len(), |i| end + i);
            for &r in rules {
                cands.push((r, ls, le));
            }
        };
        match &self.fallback {
            Some(ac) => {
                for m in ac.find_overlapping_iter(bytes) {
                    add(m.pattern().as_usize(), m.start(), m.end());
                }
            }
            None => self.keyword_matches(bytes, &mut add),
        }
        if cands.is_empty() {
            return Vec::new();
        }
        cands.sort_unstable();
        cands.dedup();
        let mut hits = Vec::new();
        let mut last_rule = u32::MAX;
        let mut rule_ok = false;
        for (r, ls, le) in cands {
            if r != last_rule {
                last_rule = r;
                let rule = &self.rules[r as usize];
                rule_ok = enabled(r as usize) && rule.applies_to(path);
            }
            if !rule_ok {
                continue;
            }
            let rule = &self.rules[r as usize];
            let end = if rule.multiline {
                (ls + MULTILINE_WINDOW).min(bytes.len())
            } else {
                le
            };
            let hay = &bytes[ls..end];
            for caps in rule.regex().captures_iter(hay) {
                let Some(m) = caps.name("secret").or_else(|| caps.get(0)) else {
                    continue;
                };
                let secret = &hay[m.range()];
                if self.accept(rule, secret) {
                    hits.push(Hit {
                        rule: r as usize,
                        secret: ls + m.start()..ls + m.end(),
                    });
                }
                if rule.multiline {
                    break;
                }
            }
        }
        hits.sort_by_key(|h| (h.secret.start, h.secret.end, h.rule));
        hits.dedup();
        // A `fallback` rule (e.g. any `Authorization: Bearer …`) steps back where a specific
        // rule recognised overlapping bytes.
        if hits.iter().any(|h| self.rules[h.rule].fallback) {
            let specific: Vec<Range<usize>> = hits
                .iter()
                .filter(|h| !self.rules[h.rule].fallback)
                .map(|h| h.secret.clone())
                .collect();
            hits.retain(|h| {
                !self.rules[h.rule].fallback
                    || !specific
                        .iter()
                        .any(|s| s.start < h.secret.end && h.secret.start < s.end)
            });
        }
        hits
    }

    /// Every keyword occurrence in `bytes` (overlapping ones included), as (keyword, start,
    /// end), in no particular order. Keywords never span a line break, so the bytes are cut
    /// at line breaks into `LANES` pieces whose automaton walks are interleaved: a DFA walk
    /// waits on each transition's load, and independent walks hide each other's latency.
    fn keyword_matches(&self, bytes: &[u8], add: &mut dyn FnMut(usize, usize, usize)) {
        const LANES: usize = 4;
        let d = &self.dfa;
        let Ok(start) = d.start_state(Anchored::No) else {
            return;
        };
        let mut from = [0usize; LANES];
        let mut to = [bytes.len(); LANES];
        for lane in 1..LANES {
            let t = (bytes.len() * lane / LANES).max(from[lane - 1]);
            let cut = memchr::memchr(b'\n', &bytes[t..]).map_or(bytes.len(), |i| t + i);
            to[lane - 1] = cut;
            from[lane] = cut;
        }
        let mut report = |sid: StateID, at: usize| {
            for i in 0..d.match_len(sid) {
                let pid = d.match_pattern(sid, i);
                add(pid.as_usize(), at + 1 - d.pattern_len(pid), at + 1);
            }
        };
        let mut sid = [start; LANES];
        let common = (0..LANES).map(|l| to[l] - from[l]).min().unwrap_or(0);
        for k in 0..common {
            for lane in 0..LANES {
                let at = from[lane] + k;
                let s = d.next_state(Anchored::No, sid[lane], bytes[at]);
                sid[lane] = s;
                if d.is_special(s) && d.is_match(s) {
                    report(s, at);
                }
            }
        }
        // Lanes differ by up to a line: the longer ones go on together, each while it lasts.
        let longest = (0..LANES).map(|l| to[l] - from[l]).max().unwrap_or(0);
        for k in common..longest {
            for lane in 0..LANES {
                let at = from[lane] + k;
                if at < to[lane] {
                    let s = d.next_state(Anchored::No, sid[lane], bytes[at]);
                    sid[lane] = s;
                    if d.is_special(s) && d.is_match(s) {
                        report(s, at);
                    }
                }
            }
        }
    }

    fn accept(&self, rule: &PatternRule, secret: &[u8]) -> bool {
        if secret.is_empty() || looks_fake(secret) {
            return false;
        }
        if let Some(floor) = rule.entropy
            && shannon(secret) < floor
        {
            return false;
        }
        !rule.allow.iter().any(|a| a.is_match(secret))
    }
}

/// Template references and obvious fillers are never secrets: `${VAR}`, `{{ x }}`, `$(X)`,
/// `<your-token>`, and runs of a filler character (`XXXXXX`, `******`, `000000`, `......`).
/// Runs of other characters are real: unencrypted OpenSSH keys always contain `AAAAAAAA`,
/// Twitter bearer tokens start with twenty `A`s.
pub fn looks_fake(secret: &[u8]) -> bool {
    let has = |needle: &[u8]| secret.windows(needle.len()).any(|w| w == needle);
    if has(b"${")
        || has(b"{{")
        || has(b"$(")
        || (secret.first() == Some(&b'<') && secret.last() == Some(&b'>'))
    {
        return true;
    }
    let mut run = 1;
    for w in secret.windows(2) {
        if w[0] == w[1] {
            run += 1;
            if run >= 6
                && matches!(
                    w[0],
                    b'x' | b'X' | b'*' | b'0' | b'#' | b'.' | b'-' | b'_' | b' '
                )
            {
                return true;
            }
        } else {
            run = 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::pattern::parse_rule_file;

    #[test]
    fn every_builtin_file_validates_strictly() {
        for (name, text) in builtin_rule_files() {
            let rules = parse_rule_file(name, text).unwrap_or_else(|e| panic!("{e}"));
            assert!(!rules.is_empty(), "{name}");
        }
    }

    fn engine(yaml: &str) -> Engine {
        Engine::new(parse_rule_file("t.yaml", yaml).unwrap())
    }

    const TWO: &str = r#"
provider: Test
rules:
  - id: test-token
    title: Test token
    keywords: [tkn_]
    regex: '\b(?P<secret>tkn_[a-z0-9]{8})\b'
  - id: test-key
    title: Test key
    keywords: [testkey]
    regex: '(?i)testkey\s*=\s*(?P<secret>[A-Z]{10})'
"#;

    #[test]
    fn finds_only_on_keyword_lines_with_exact_ranges() {
        let e = engine(TWO);
        let text = b"a: tkn_abcd1234\nTESTKEY = QWERTYUIOP\nb: tkn_short\n";
        let hits = e.scan(text, "x", &|_| true);
        let found: Vec<_> = hits
            .iter()
            .map(|h| (h.rule, &text[h.secret.clone()]))
            .collect();
        assert_eq!(
            found,
            vec![(0, &b"tkn_abcd1234"[..]), (1, &b"QWERTYUIOP"[..])]
        );
        assert!(e.scan(text, "x", &|r| r != 0).iter().all(|h| h.rule == 1));
    }

    #[test]
    fn interleaved_walk_finds_what_an_overlapping_search_finds() {
        let e = Engine::builtin();
        let keywords: Vec<&String> = e.rules.iter().flat_map(|r| &r.keywords).collect();
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(&keywords)
            .unwrap();
        let mut text = String::new();
        for (i, k) in keywords.iter().enumerate() {
            // Overlapping, upper-cased, at line ends and starts, lines of every length.
            text.push_str(&"x".repeat(i % 7));
            text.push_str(&if i % 2 == 0 {
                k.to_uppercase()
            } else {
                k.to_string()
            });
            text.push_str(k);
            text.push(if i % 3 == 0 { '\n' } else { ' ' });
        }
        for len in [0, 1, 2, 3, 5, 17, 100, text.len() / 3, text.len()] {
            let bytes = &text.as_bytes()[..len];
            // (start, end) names the keyword: keywords are distinct lower-case literals.
            let mut want: Vec<(usize, usize)> = ac
                .find_overlapping_iter(bytes)
                .map(|m| (m.start(), m.end()))
                .collect();
            want.sort();
            want.dedup();
            let mut got = Vec::new();
            e.keyword_matches(bytes, &mut |_, s, t| got.push((s, t)));
            got.sort();
            assert_eq!(got.len(), want.len(), "len {len}: duplicate reports");
            got.dedup();
            assert!(!want.is_empty() || len < 3);
            assert_eq!(got, want, "len {len}");
        }
    }

    #[test]
    fn fakes_are_rejected() {
        assert!(looks_fake(b"${TOKEN}"));
        assert!(looks_fake(b"tkn_XXXXXXXX"));
        assert!(looks_fake(b"<your-api-key>"));
        assert!(!looks_fake(b"tkn_abcd1234"));
        assert!(!looks_fake(b"AKIA2E0A8F3B244C9986"));
        assert!(!looks_fake(
            b"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB"
        ));
        assert!(looks_fake(b"xoxb-0000000000-abc"));

        assert!(!looks_fake(b"abc123xyz"));
    }

    #[test]
    fn rejected_rule_files_say_where() {
        let bad = "provider: T\nrules:\n  - id: x\n    keywords: [abc]\n    regex: '(unclosed'\n";
        let e = parse_rule_file("f.yaml", bad).err().unwrap();
        assert_eq!(e.pos.map(|p| p.line), Some(5));
        let no_group = "provider: T\nrules:\n  - id: x\n    keywords: [abc]\n    regex: 'abc'\n";
        assert!(
            parse_rule_file("f.yaml", no_group)
                .err()
                .unwrap()
                .message
                .contains("secret")
        );
        let upper =
            "provider: T\nrules:\n  - id: x\n    keywords: [ABC]\n    regex: '(?P<secret>a)'\n";
        assert!(parse_rule_file("f.yaml", upper).is_err());
    }
}
