#!/usr/bin/env python3
"""Fast authoring loop for rules/secrets/*.yaml, without a cargo build.

Mimics the Rust engine closely (keyword prefilter on lines, `secret` group, entropy floor,
allow regexes, the fake filter) with Python's `re`, and rejects regex features Rust's regex
crate lacks (look-around, back-references). The Rust tests (tests/secret_rules.rs,
tests/peer_cases.rs) remain the ground truth.

  scripts/rulecheck.py rules/secrets/github.yaml ...        # examples of these files
  scripts/rulecheck.py --peer github rules/secrets/*.yaml   # + peer cases whose provider key is 'github'
"""
import argparse, json, math, re, sys
from collections import Counter
from pathlib import Path

import yaml

FORBIDDEN = [r"(?=", r"(?!", r"(?<=", r"(?<!", r"\1", r"\2", r"(?>", r"\Z", r"\G"]


def entropy(s):
    if not s:
        return 0.0
    c = Counter(s)
    n = len(s)
    return -sum(v / n * math.log2(v / n) for v in c.values())


def looks_fake(s):
    if "${" in s or "{{" in s or "$(" in s or (s.startswith("<") and s.endswith(">")):
        return True
    run = 1
    for a, b in zip(s, s[1:]):
        run = run + 1 if a == b else 1
        if run >= 6 and a in "xX*0#.-_ ":
            return True
    return False


def load(files):
    rules = []
    for f in files:
        doc = yaml.safe_load(open(f))
        for r in doc["rules"]:
            src = r["regex"]
            for bad in FORBIDDEN:
                if bad in src:
                    sys.exit(f"{f}: {r['id']}: regex uses {bad!r}, unsupported by Rust regex")
            for k in r["keywords"]:
                if k != k.lower() or len(k) < 3:
                    sys.exit(f"{f}: {r['id']}: keyword {k!r} must be lower-case, 3+ chars")
            r["_re"] = re.compile(src.encode(), re.ASCII if False else 0)
            if "secret" not in r["_re"].groupindex:
                sys.exit(f"{f}: {r['id']}: no secret group")
            r["_allow"] = [re.compile(a.encode()) for a in r.get("allow", [])]
            r["provider"] = doc["provider"]
            rules.append(r)
    return rules


def scan(rule, text):
    b = text.encode()
    low = b.lower()
    lines = set()
    for k in rule["keywords"]:
        start = 0
        kb = k.encode()
        while True:
            i = low.find(kb, start)
            if i < 0:
                break
            ls = b.rfind(b"\n", 0, i) + 1
            le = b.find(b"\n", i)
            lines.add((ls, len(b) if le < 0 else le))
            start = i + 1
    hits = set()
    for ls, le in sorted(lines):
        end = min(len(b), ls + 65536) if rule.get("multiline") else le
        for m in rule["_re"].finditer(b, ls, end):
            g = m.group("secret") or m.group(0)
            s = g.decode("latin1")
            if not s or looks_fake(s):
                continue
            if "entropy" in rule and entropy(s) < float(rule["entropy"]):
                continue
            if any(a.search(g) for a in rule["_allow"]):
                continue
            hits.add((m.start("secret"), s))
            if rule.get("multiline"):
                break
    return sorted(hits)


def key(s):
    return re.sub(r"[^a-z0-9]", "", s.lower())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer", action="append", default=[], help="provider key(s) to score")
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
    ap.add_argument("--corpus", action="store_true",
                    help="also scan ../shared/corpus and /tmp/bench20k (if present) and print every hit "
                         "(these trees hold no credentials except those listed in corpus/PROVENANCE.md "
                         "and the planted ones in /tmp/bench20k.truth)")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    rules = load(a.files)
    bad = 0
    for r in rules:
        for ex in r.get("examples", {}).get("match", []):
            if len(scan(r, ex)) != 1:
                print(f"FAIL {r['id']}: {len(scan(r, ex))} hits on match example {ex!r}")
                bad += 1
        for ex in r.get("examples", {}).get("no_match", []):
            if scan(r, ex):
                print(f"FAIL {r['id']}: hit on no_match example {ex!r}")
                bad += 1
        if not r.get("examples", {}).get("match") or not r.get("examples", {}).get("no_match"):
            print(f"FAIL {r['id']}: needs match and no_match examples")
            bad += 1
    print(f"{len(rules)} rules, {bad} example failures")
    if a.corpus:
        corpus(rules, a.shared)
    if a.peer:
        rows = []
        for f in ["gitleaks-verbatim.jsonl", "noseyparker.jsonl"]:
            for line in open(Path(a.shared) / "peer-cases" / f):
                rows.append(json.loads(line))
        for row in rows:
            rid = row["rule"]
            pk = rid.split(".")[1] if rid.startswith("np.") else rid.split("-")[0]
            if pk not in a.peer:
                continue
            hits = [(r["id"], h, r.get("fallback", False)) for r in rules for h in scan(r, row["text"])]
            spec = [h for _, h, fb in hits if not fb]
            hits = [(i, h) for i, h, fb in hits
                    if not fb or not any(abs(h[0] - s[0]) < max(len(h[1]), len(s[1])) for s in spec)]
            ok = bool(hits) if row["kind"] == "tp" else not hits
            status = "ok  " if ok else "MISS" if row["kind"] == "tp" else "FP  "
            print(f"{status} {row['kind']} {rid:40} {row['text'][:90]!r} {[h[0] for h in hits]}")


def corpus(rules, shared):
    import os
    for base in [Path(shared) / "corpus", Path("/tmp/bench20k")]:
        if not base.exists():
            continue
        n = 0
        for dp, _, fns in os.walk(base):
            for fn in fns:
                p = Path(dp) / fn
                try:
                    text = p.read_text(errors="replace")
                except OSError:
                    continue
                for r in rules:
                    for off, s in scan(r, text):
                        line = text.encode()[:off].count(b"\n") + 1
                        print(f"CORPUS {r['id']} {p.relative_to(base)}:{line} {s[:6]}...({len(s)})")
                        n += 1
        print(f"{base}: {n} hits")


if __name__ == "__main__":
    main()
