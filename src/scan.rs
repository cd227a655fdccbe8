//! The pipeline, top to bottom:
//! walk → load/classify → parse (spanned) → per-document rules → sort → report.
//!
//! Files are processed in parallel; each file's findings are complete (snippets masked)
//! when its stage ends, and the final order is imposed by one sort, so the output is the
//! same whatever the thread count.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::{Config, Level};
use crate::finding::Finding;
use crate::rules::{
    self, DocumentContext, duplicate_key::DuplicateKey, file_too_large::FileTooLarge,
    file_unreadable::FileUnreadable, yaml_syntax::YamlSyntax, yaml_too_complex::YamlTooComplex,
};
use crate::snippet;
use crate::source::{self, FileKind, first_nul, pos_at};
use crate::walk::{self, relative};
use crate::yaml::{ParseProblem, Span, parse_yaml};

pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

pub struct ScanRequest {
    /// Files or directories; `-` is standard input.
    pub paths: Vec<PathBuf>,
    /// The name standard input is reported (and classified) as.
    pub stdin_filename: Option<String>,
    pub jobs: usize,
    pub respect_ignore: bool,
    pub max_file_size: u64,
    pub config: Config,
    /// Keys for verifying SOPS files cryptographically (none: structural checks only).
    pub envelope_keys: crate::envelope::check::EnvelopeKeys,
    /// `--staged`: scan the index (what the next commit records), not the work tree.
    pub staged: bool,
    /// `--diff BASE[..HEAD]`: report only findings in files changed since the merge base,
    /// and on changed lines.
    pub diff: Option<String>,
    /// `--commits BASE..HEAD`: scan every blob the commits of the range add.
    pub commits: Option<String>,
    /// Attach masked source snippets to findings. Only the human report prints them:
    /// machine formats skip the work.
    pub snippets: bool,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScanStats {
    /// Files read and checked (text or parsed).
    pub files_scanned: usize,
    /// Files skipped as binary (a NUL byte in the first 8 KiB).
    pub files_binary: usize,
    /// YAML/JSON documents parsed.
    pub documents: usize,
    pub bytes: u64,
}

pub struct ScanResult {
    pub root: PathBuf,
    pub findings: Vec<Finding>,
    /// Baseline entries that matched no finding (filled by the CLI with `--baseline`).
    pub stale_baseline: Vec<crate::baseline::Entry>,
    pub stats: ScanStats,
    pub elapsed: Duration,
    /// The scan's working memory (the kustomize graph, the per-file outcomes and facts):
    /// hundreds of thousands of small allocations, freed when this is dropped. The command
    /// line hands it to [`Scratch::leave_to_exit`]: the process ends right after reporting.
    pub scratch: Scratch,
}

/// Memory a scan kept until its end (see [`ScanResult::scratch`]).
#[derive(Default)]
pub struct Scratch {
    /// Only held (owned until dropped), never read.
    _held: Option<Box<dyn std::any::Any + Send>>,
}

impl Scratch {
    /// Leaves the memory to the operating system at process exit instead of freeing it
    /// piece by piece (~40 ms of CPU on the 20k-file tree, on the way out).
    pub fn leave_to_exit(self) {
        std::mem::forget(self);
    }
}

/// What is wrong with the request itself (exit code 2).
#[derive(Debug)]
pub struct UsageError(pub String);

enum Input {
    Disk {
        abs: PathBuf,
        rel: String,
    },
    Stdin {
        rel: String,
    },
    /// Content from git (`--staged`, `--commits`); `abs` is where it would be checked
    /// out; `commit` is the commit that added it (`--commits`).
    Blob {
        abs: PathBuf,
        rel: String,
        bytes: Vec<u8>,
        commit: Option<String>,
    },
}

impl Input {
    fn rel(&self) -> &str {
        match self {
            Input::Disk { rel, .. } | Input::Stdin { rel } | Input::Blob { rel, .. } => rel,
        }
    }
}

#[derive(Default)]
struct FileOutcome {
    findings: Vec<Finding>,
    stats: ScanStats,
    /// What the cross-file rules need of the file.
    facts: crate::cross_file::Facts,
    /// The file holds an `envgate:` suppression marker or the ignore annotation (without
    /// snippets to render, the cross-file stage re-reads only such files).
    marked: bool,
}

struct Ctx<'a> {
    root: &'a Path,
    config: &'a Config,
    keys: &'a crate::envelope::check::EnvelopeKeys,
    policies: crate::envelope::sops_policy::PolicyLookup,
    detector: crate::secrets::Detector,
    project: crate::project::Project,
    /// Some envelope rule is on (else SOPS and SealedSecret checks are skipped).
    envelopes: bool,
    max_file_size: u64,
    document_rules: Vec<&'static dyn rules::DocumentRule>,
    /// The cross-file facts the enabled rules need.
    wanted: crate::cross_file::Wanted,
    snippets: bool,
}

pub fn scan(req: ScanRequest) -> Result<ScanResult, UsageError> {
    let started = Instant::now();
    // The credential rules (embedded YAML, keyword automaton) load while the tree is walked.
    std::thread::spawn(crate::secrets::engine::Engine::builtin);
    let jobs = req.jobs.max(1);
    let cwd = std::env::current_dir().map_err(|e| UsageError(e.to_string()))?;
    let paths = if req.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        req.paths.clone()
    };
    // One directory argument: it is the scan root. Otherwise paths are shown relative to
    // the current directory.
    let mut root = match &paths[..] {
        [p] if p.as_os_str() != "-" && p.is_dir() => p.clone(),
        _ => PathBuf::from("."),
    };
    let staged = if req.staged {
        let (top, files) = crate::git::staged_files(&cwd).map_err(UsageError)?;
        root = top;
        Some(files)
    } else {
        None
    };
    let commit_blobs = match &req.commits {
        Some(range) => {
            let (top, blobs) = crate::git::range_blobs(&cwd, range).map_err(UsageError)?;
            root = top;
            Some(blobs)
        }
        None => None,
    };
    let changed = match &req.diff {
        Some(base) => {
            let top = crate::git::toplevel(&cwd).map_err(UsageError)?;
            let lines = crate::git::changed_lines(&cwd, base).map_err(UsageError)?;
            root = top;
            Some(lines)
        }
        None => None,
    };

    let excluded = exclusion(&req.config, &root, &cwd);
    let excluded_from_cwd = exclusion(&req.config, Path::new("."), &cwd);
    let mut inputs = Vec::new();
    let mut pre_findings = Vec::new();
    let mut stdin_seen = false;
    if let Some(files) = staged {
        // Paths given with --staged narrow the staged set (pre-commit passes file names).
        let filters: Vec<String> = req
            .paths
            .iter()
            .map(|p| relative(&walk::normalise(&absolute(p, &cwd)), &root))
            .collect();
        for f in files {
            let wanted = filters.is_empty()
                || filters
                    .iter()
                    .any(|p| p.is_empty() || f.path == *p || f.path.starts_with(&format!("{p}/")));
            if wanted && !excluded(&f.path) {
                inputs.push(Input::Blob {
                    abs: root.join(&f.path),
                    rel: f.path,
                    bytes: f.bytes,
                    commit: None,
                });
            }
        }
    }
    if let Some(blobs) = commit_blobs {
        for b in blobs {
            if !excluded(&b.path) {
                inputs.push(Input::Blob {
                    abs: root.join(&b.path),
                    rel: b.path,
                    bytes: b.bytes,
                    commit: Some(b.commit),
                });
            }
        }
    }
    let paths = if req.staged || req.commits.is_some() {
        Vec::new()
    } else if req.diff.is_some() {
        vec![root.clone()]
    } else {
        paths
    };
    for p in &paths {
        if p.as_os_str() == "-" {
            if stdin_seen {
                return Err(UsageError("`-` (stdin) given twice".into()));
            }
            stdin_seen = true;
            let rel = req
                .stdin_filename
                .clone()
                .unwrap_or_else(|| "<stdin>.yaml".to_string());
            inputs.push(Input::Stdin { rel });
            continue;
        }
        let meta = std::fs::symlink_metadata(p)
            .map_err(|e| UsageError(format!("{}: {e}", p.display())))?;
        if meta.is_dir() {
            let w = walk::walk(p, req.respect_ignore, jobs);
            let base = if *p == root {
                root.clone()
            } else {
                cwd.clone()
            };
            for f in w.files {
                let rel = if *p == root {
                    f.rel
                } else {
                    relative(&absolute(&f.abs, &cwd), &base)
                };
                if !excluded(&rel) {
                    inputs.push(Input::Disk { abs: f.abs, rel });
                }
            }
            for (rel, msg) in w.errors {
                pre_findings.push(FileUnreadable::finding(&rel, &msg));
            }
        } else {
            // An explicitly named file (pre-commit passes names) is scanned even when a
            // .gitignore covers it, but the config's `exclude` still applies.
            let rel = relative(&absolute(p, &cwd), &cwd);
            if !excluded_from_cwd(&rel) {
                inputs.push(Input::Disk {
                    abs: p.clone(),
                    rel,
                });
            }
        }
    }
    inputs.sort_by(|a, b| a.rel().cmp(b.rel()));
    if req.commits.is_none() {
        // (With --commits one path may come from several commits.)
        inputs.dedup_by(|a, b| a.rel() == b.rel());
    }

    trace_phase("walk", started);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| UsageError(e.to_string()))?;
    let project = if req.commits.is_some() || !needs_project(&req.config) {
        // Blobs of many commits: no one tree to build a graph of. (Or no rule asks.)
        crate::project::Project::default()
    } else {
        let mut p = pool.install(|| build_project(&inputs, &root, req.max_file_size, started));
        p.whole_tree =
            !req.staged && !stdin_seen && (req.diff.is_some() || paths.iter().all(|p| p.is_dir()));
        p.repo_root = root.canonicalize().ok().and_then(|r| {
            r.ancestors()
                .find(|d| d.join(".git").exists())
                .map(Path::to_path_buf)
        });
        p
    };
    let mut ctx = Ctx {
        root: &root,
        config: &req.config,
        keys: &req.envelope_keys,
        policies: crate::envelope::sops_policy::PolicyLookup::new(&root),
        detector: crate::secrets::Detector::new(&req.config),
        wanted: crate::cross_file::Wanted::for_scan(&project, &req.config),
        envelopes: rules::CODE_RULES
            .iter()
            .any(|r| r.group == "envelopes" && req.config.is_enabled(r)),
        project,
        max_file_size: req.max_file_size,
        snippets: req.snippets,
        document_rules: rules::DOCUMENT_RULES
            .iter()
            .copied()
            .filter(|r| req.config.is_enabled(r.meta()))
            .collect(),
    };
    trace_phase("kustomize graph", started);
    let progress = progress_bar(&req, inputs.len());
    // The kustomizations the graph parsed are checked first: their trees (a quarter of the
    // memory at that point) are freed early and their memory reused, and they are checked
    // while they are more likely to be in cache.
    let order: Vec<usize> = {
        let mut is_first = vec![false; inputs.len()];
        for i in ctx.project.parsed_inputs() {
            is_first[i] = true;
        }
        ctx.project
            .parsed_inputs()
            .chain((0..inputs.len()).filter(|&i| !is_first[i]))
            .collect()
    };
    let processed: Vec<FileOutcome> = pool.install(|| {
        order
            .par_iter()
            .map(|&index| {
                let o = process(index, &inputs[index], &ctx);
                if let Some(p) = &progress {
                    p.inc(1);
                }
                o
            })
            .collect()
    });
    // Back to input order, in place (`order[k]`: the input of `outcomes[k]`; each swap puts
    // one outcome where it belongs).
    let (mut outcomes, mut order) = (processed, order);
    for k in 0..outcomes.len() {
        while order[k] != k {
            let to = order[k];
            outcomes.swap(k, to);
            order.swap(k, to);
        }
    }
    if let Some(p) = progress {
        p.finish_and_clear();
    }

    trace_phase("per-file stage", started);
    let mut stats = ScanStats::default();
    let mut findings = pre_findings;
    findings.reserve(outcomes.iter().map(|o| o.findings.len()).sum());
    let mut marked: rustc_hash::FxHashSet<&str> = Default::default();
    for (o, i) in outcomes.iter_mut().zip(&inputs) {
        if o.marked {
            marked.insert(i.rel());
        }
        stats.files_scanned += o.stats.files_scanned;
        stats.files_binary += o.stats.files_binary;
        stats.documents += o.stats.documents;
        stats.bytes += o.stats.bytes;
        findings.append(&mut o.findings);
    }
    let facts = crate::cross_file::AllFacts::gather(outcomes.iter().map(|o| &o.facts));
    trace_phase("merge", started);
    let cross = pool.install(|| facts.check(&ctx.project, ctx.config));
    trace_phase("cross-file check", started);
    findings.extend(pool.install(|| finish_cross_file(cross, &inputs, &marked, &ctx)));
    trace_phase("cross-file finish", started);
    findings = apply_levels(findings, &req.config);
    if let Some(changed) = &changed {
        findings.retain(|f| in_diff(f, changed));
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup_by(|a, b| a.sort_key() == b.sort_key());
    trace_phase("sort", started);
    // (`facts` only borrows from the outcomes.)
    drop(facts);
    let scratch = Scratch {
        _held: Some(Box::new((std::mem::take(&mut ctx.project), outcomes))),
    };
    Ok(ScanResult {
        root,
        findings,
        stale_baseline: Vec::new(),
        stats,
        elapsed: started.elapsed(),
        scratch,
    })
}

/// Cross-file findings get what the per-file stage gives every finding: suppression
/// comments of their file, and a masked snippet.
fn finish_cross_file(
    findings: Vec<Finding>,
    inputs: &[Input],
    marked: &rustc_hash::FxHashSet<&str>,
    ctx: &Ctx,
) -> Vec<Finding> {
    let mut by_path: std::collections::BTreeMap<String, Vec<Finding>> = Default::default();
    for f in findings {
        by_path.entry(f.path.clone()).or_default().push(f);
    }
    let groups: Vec<(String, Vec<Finding>)> = by_path.into_iter().collect();
    groups
        .into_par_iter()
        .flat_map_iter(|(path, group)| finish_file(path, group, inputs, marked, ctx))
        .collect()
}

fn finish_file(
    path: String,
    mut group: Vec<Finding>,
    inputs: &[Input],
    marked: &rustc_hash::FxHashSet<&str>,
    ctx: &Ctx,
) -> Vec<Finding> {
    if !ctx.snippets && !ctx.config.has_object_entries() && !marked.contains(path.as_str()) {
        // No snippet to render and no marker in the file: only the config's path-level
        // entries can suppress (cross-file findings carry no secret bytes).
        crate::suppress::apply(&mut group, &[], &path, ctx.config);
        return group;
    }
    let input = inputs
        .binary_search_by(|i| i.rel().cmp(&path))
        .ok()
        .map(|i| &inputs[i]);
    if let Some(bytes) = input.and_then(|i| read(i, ctx.max_file_size).ok()) {
        let src = String::from_utf8_lossy(&bytes);
        // Cross-file findings point at one block-style key (`name:`, `replicas:`), whose
        // line holds nothing else to mask, and most files carry no object-level
        // suppression: parse again only when a flow-style line or one could matter.
        let flow_line = group.iter().any(|f| {
            let at = f.span.start.byte.min(bytes.len());
            let ls = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
            let le = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
            bytes[ls..le].iter().any(|b| matches!(b, b'{' | b'['))
        });
        let objects_matter = ctx.config.has_object_entries()
            || memchr::memmem::find(&bytes, crate::suppress::IGNORE_ANNOTATION.as_bytes())
                .is_some();
        let parsed = ((flow_line && ctx.snippets) || objects_matter).then(|| parse_yaml(&src));
        let docs = parsed.as_ref().map_or(&[][..], |p| &p.documents[..]);
        // (Annotation warnings were reported by the per-file stage.)
        let scopes = crate::suppress::object_scopes(docs, &path, &mut Vec::new());
        crate::suppress::apply_with_objects(
            &mut group,
            &bytes,
            &path,
            ctx.config,
            &scopes,
            Vec::new(),
        );
        if ctx.snippets {
            let sensitive = snippet::sensitive_ranges(docs, &src);
            snippet::attach(&mut group, &bytes, &sensitive);
        }
    }
    group
}

/// A progress bar for long history scans (`--commits`), on an interactive terminal only:
/// never in CI logs, never when stderr is redirected.
fn progress_bar(req: &ScanRequest, blobs: usize) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    let interactive = std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none()
        && std::env::var_os("ENVGATE_NO_PROGRESS").is_none();
    if req.commits.is_none() || !interactive || blobs < 500 {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(blobs as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "envgate: {pos}/{len} blobs of the range {wide_bar} {eta}",
        )
        .ok()?,
    );
    Some(bar)
}

/// True when an enabled rule looks at the repository around a file (the manifest groups).
fn needs_project(config: &Config) -> bool {
    rules::CODE_RULES.iter().any(|r| {
        matches!(
            r.group,
            "hygiene" | "workloads" | "kustomize" | "api" | "gitops"
        ) && config.is_enabled(r)
    })
}

/// The kustomize graph of the inputs (kustomization files are few and small: read here,
/// once, before the parallel stage).
fn build_project(
    inputs: &[Input],
    root: &Path,
    cap: u64,
    started: Instant,
) -> crate::project::Project {
    // The input list is indexed beside the kustomizations' reading (both are needed before
    // the graph is built; indexing alone was a serial ~4 ms on 20,000 files).
    let (kustomizations, known) = rayon::join(
        || {
            inputs
                .par_iter()
                .enumerate()
                .filter(|(_, i)| source::classify_name(i.rel()) == FileKind::Kustomization)
                .filter_map(|(index, i)| {
                    if matches!(i, Input::Stdin { .. }) {
                        return None;
                    }
                    let bytes = read(i, cap).ok()?;
                    let src = String::from_utf8(bytes).ok()?;
                    crate::project::KustomizationFile::parse(i.rel(), &src)
                        .map(|k| k.with_bytes(index, src.into_bytes()))
                })
                .collect::<Vec<_>>()
        },
        || crate::project::KnownFiles::of(inputs.iter().map(Input::rel)),
    );
    trace_phase("kustomizations read", started);
    crate::project::Project::from_parsed(Some(root), kustomizations, known)
}

/// The config's `exclude` test for paths relative to `root`: globs are relative to the
/// config file's directory, so the scan root's offset from it is prepended.
fn exclusion<'a>(config: &'a Config, root: &Path, cwd: &Path) -> impl Fn(&str) -> bool + 'a {
    let prefix = config.base_dir().and_then(|base| {
        let base = base.canonicalize().ok()?;
        let root = absolute(root, cwd).canonicalize().ok()?;
        root.strip_prefix(&base)
            .ok()
            .map(|p| relative(p, Path::new("")))
    });
    move |rel: &str| match prefix.as_deref() {
        Some("") | None => config.is_excluded(rel),
        Some(pre) => config.is_excluded(&format!("{pre}/{rel}")),
    }
}

/// Rules whose finding is about the whole file (reported at 1:1).
fn is_file_level(rule: &str) -> bool {
    matches!(
        rule,
        "file-too-large" | "file-unreadable" | "keystore-file" | "sops-not-encrypted"
    )
}

/// `--diff`: a finding counts when its file changed and it sits on a changed line (or is
/// about the whole file). Old debt elsewhere does not block the pull request.
fn in_diff(f: &Finding, changed: &std::collections::BTreeMap<String, Vec<(u32, u32)>>) -> bool {
    let Some(ranges) = changed.get(&f.path) else {
        return false;
    };
    is_file_level(f.rule)
        || ranges
            .iter()
            .any(|(a, b)| f.span.start.line >= *a && f.span.start.line <= *b)
}

fn absolute(p: &Path, cwd: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    }
}

/// Applies configured severities and drops findings of rules that are off.
fn apply_levels(findings: Vec<Finding>, config: &Config) -> Vec<Finding> {
    findings
        .into_iter()
        .filter_map(|mut f| {
            // A finding keeps the severity its rule gave it (a flag such as
            // --require-decrypt may raise it) unless the config sets the rule's level.
            let meta = config.find_rule(f.rule)?;
            match config.rules.get(f.rule) {
                Some(Level::Off) => None,
                Some(Level::On(sev)) => {
                    f.severity = *sev;
                    Some(f)
                }
                None => meta.default_on.then_some(f),
            }
        })
        .collect()
}

/// The `.sops.yaml` governing a file on disk (stdin has none).
fn policy(input: &Input, ctx: &Ctx) -> crate::envelope::check::Policy {
    match input {
        Input::Disk { abs, .. } | Input::Blob { abs, .. } => ctx.policies.for_file(abs),
        Input::Stdin { .. } => None,
    }
}

/// Checks input number `index` of the scan.
fn process(index: usize, input: &Input, ctx: &Ctx) -> FileOutcome {
    let mut out = process_content(index, input, ctx);
    if let Input::Blob {
        commit: Some(c), ..
    } = input
    {
        let short = &c[..c.len().min(12)];
        for f in &mut out.findings {
            f.message = format!("[commit {short}] {}", f.message);
        }
    }
    out
}

fn process_content(index: usize, input: &Input, ctx: &Ctx) -> FileOutcome {
    let mut out = FileOutcome::default();
    let rel = input.rel();
    // A kustomization was read and parsed already, for the graph.
    let pre = ctx.project.take_parsed(index);
    let (bytes, parsed) = match pre {
        Some(crate::project::Preread {
            bytes: Some(b),
            parsed,
        }) => (b, Some(parsed)),
        pre => match read(input, ctx.max_file_size) {
            Ok(b) => (b, pre.map(|p| p.parsed)),
            Err(f) => {
                out.findings.push(*f);
                return out;
            }
        },
    };
    out.stats.bytes = bytes.len() as u64;
    if rules::keystore_file::KeystoreFile::applies(rel)
        && ctx
            .config
            .is_enabled(&rules::keystore_file::KeystoreFile::META)
    {
        out.findings
            .push(rules::keystore_file::KeystoreFile::finding(rel));
    }
    let kind = match input {
        Input::Disk { .. } | Input::Blob { .. } => source::classify(rel, ctx.root),
        Input::Stdin { .. } => source::classify_name(rel),
    };
    if let Some(nul) = first_nul(&bytes) {
        if kind.is_parsed() {
            // NUL is not allowed in YAML or JSON: a manifest with one is broken (or hiding
            // something), not binary data to skip.
            out.stats.files_scanned += 1;
            out.findings.push(YamlSyntax::finding(
                rel,
                Span::point(pos_at(&bytes, nul)),
                "NUL byte in a manifest (binary content)",
                0,
            ));
        } else {
            out.stats.files_binary += 1;
        }
        return out;
    }
    out.stats.files_scanned += 1;
    if !(kind.is_parsed() && check_manifest(index, input, kind, &bytes, parsed, ctx, &mut out)) {
        // Text files, templates, and manifests that could not be parsed: credentials only.
        let mut findings = Vec::new();
        crate::secrets::detect(rel, &bytes, None, &ctx.detector, &mut findings);
        if ctx.envelopes {
            crate::envelope::check::check_text(
                rel,
                &bytes,
                kind,
                ctx.keys,
                &|| policy(input, ctx),
                &mut findings,
            );
        }
        drop_generic_duplicates(&mut findings);
        crate::suppress::apply(&mut findings, &bytes, rel, ctx.config);
        if ctx.snippets {
            snippet::attach(&mut findings, &bytes, &[]);
        }
        out.findings.extend(findings);
    }
    // Only files with facts can get cross-file findings, whose suppressions need the bytes.
    // (`envgate` starts both markers, `envgate:` comments and the ignore annotation.)
    out.marked = !ctx.snippets
        && !out.facts.is_empty()
        && memchr::memmem::find(&bytes, b"envgate").is_some();
    out
}

fn read(input: &Input, cap: u64) -> Result<Vec<u8>, Box<Finding>> {
    let rel = input.rel();
    match input {
        Input::Stdin { .. } => {
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .take(cap + 1)
                .read_to_end(&mut buf)
                .map_err(|e| Box::new(FileUnreadable::finding(rel, &e.to_string())))?;
            if buf.len() as u64 > cap {
                return Err(Box::new(FileTooLarge::finding(rel, buf.len() as u64, cap)));
            }
            Ok(buf)
        }
        Input::Blob { bytes, .. } => {
            if bytes.len() as u64 > cap {
                return Err(Box::new(FileTooLarge::finding(
                    rel,
                    bytes.len() as u64,
                    cap,
                )));
            }
            Ok(bytes.clone())
        }
        Input::Disk { abs, .. } => {
            // open + fstat + read: one path lookup (a stat by path, then `fs::read`, walked
            // the path twice more).
            let unreadable =
                |e: std::io::Error| Box::new(FileUnreadable::finding(rel, &e.to_string()));
            let mut file = std::fs::File::open(abs).map_err(unreadable)?;
            let len = file.metadata().map_err(unreadable)?.len();
            if len > cap {
                return Err(Box::new(FileTooLarge::finding(rel, len, cap)));
            }
            let mut buf = Vec::with_capacity(len as usize + 1);
            (&mut file)
                .take(cap + 1)
                .read_to_end(&mut buf)
                .map_err(unreadable)?;
            if buf.len() as u64 > cap {
                return Err(Box::new(FileTooLarge::finding(rel, buf.len() as u64, cap)));
            }
            Ok(buf)
        }
    }
}

/// A value is reported once, by the most specific rule that recognised it: provider and
/// structural rules first, then `env-literal-secret`, then `generic-credential`.
fn drop_generic_duplicates(findings: &mut Vec<Finding>) {
    let rank = |id: &str| match id {
        "generic-credential" => 2,
        "env-literal-secret" => 1,
        _ => 0,
    };
    let claimed: Vec<(u8, std::ops::Range<usize>)> = findings
        .iter()
        .filter_map(|f| f.secret.clone().map(|s| (rank(f.rule), s)))
        .collect();
    findings.retain(|f| {
        let r = rank(f.rule);
        r == 0
            || !f.secret.as_ref().is_some_and(|s| {
                claimed
                    .iter()
                    .any(|(cr, c)| *cr < r && c.start < s.end && s.start < c.end)
            })
    });
}

/// Parses and checks a manifest (input number `index`). Returns false when it must be
/// scanned as text instead (a template, or not UTF-8).
fn check_manifest(
    index: usize,
    input: &Input,
    kind: FileKind,
    bytes: &[u8],
    parsed: Option<crate::yaml::ParsedYaml>,
    ctx: &Ctx,
    out: &mut FileOutcome,
) -> bool {
    let rel = input.rel();
    let src = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            let mut f = YamlSyntax::finding(
                rel,
                Span::point(pos_at(bytes, e.valid_up_to())),
                "not valid UTF-8",
                0,
            );
            if ctx.snippets {
                snippet::attach(std::slice::from_mut(&mut f), bytes, &[]);
            }
            out.findings.push(f);
            return false;
        }
    };
    let parsed = parsed.unwrap_or_else(|| parse_yaml(src));
    let broken = parsed
        .problems
        .iter()
        .any(|p| matches!(p, ParseProblem::Syntax { .. }));
    if broken && src.contains("{{") {
        // A Go/Helm template that is not YAML until rendered: text only.
        return false;
    }
    out.stats.documents += parsed.documents.len();
    let mut findings = Vec::new();
    for p in &parsed.problems {
        findings.push(match p {
            ParseProblem::Syntax { pos, message } => {
                let doc = parsed
                    .documents
                    .iter()
                    .filter(|d| d.root.span.start.byte < pos.byte)
                    .count();
                YamlSyntax::finding(rel, Span::point(*pos), message, doc)
            }
            ParseProblem::DuplicateKey { key, first, second } => {
                DuplicateKey::finding(rel, key, *first, *second)
            }
            ParseProblem::TooDeep { pos } => YamlTooComplex::too_deep(rel, Span::point(*pos)),
            ParseProblem::AliasBomb { pos, expanded } => {
                YamlTooComplex::alias_bomb(rel, Span::point(*pos), *expanded)
            }
        });
    }
    let info = ctx.project.file_at(index);
    let wanted = ctx.wanted.for_file(info, src);
    let shared_path = crate::cross_file::SharedPath::new(rel);
    for doc in &parsed.documents {
        let cx =
            DocumentContext::with_file_info(rel, src, kind, doc, ctx.config, &ctx.project, info)
                .in_file(&parsed.documents);
        for rule in &ctx.document_rules {
            rule.check(&cx, &mut findings);
        }
        out.facts
            .collect(&shared_path, src, info, cx.objects(), &ctx.project, wanted);
    }
    out.facts.shrink_to_fit();
    crate::secrets::detect(
        rel,
        bytes,
        Some(&parsed.documents),
        &ctx.detector,
        &mut findings,
    );
    if ctx.envelopes {
        crate::envelope::check::check_sealed(
            rel,
            &parsed.documents,
            ctx.keys,
            info.unit_namespace(),
            &mut findings,
        );
        crate::envelope::check::check_manifest(
            rel,
            src,
            &parsed.documents,
            ctx.keys,
            &|| policy(input, ctx),
            &mut findings,
        );
    }
    drop_generic_duplicates(&mut findings);
    if !findings.is_empty()
        || memchr::memmem::find(bytes, crate::suppress::IGNORE_ANNOTATION.as_bytes()).is_some()
    {
        let mut warnings = Vec::new();
        let scopes = crate::suppress::object_scopes(&parsed.documents, rel, &mut warnings);
        crate::suppress::apply_with_objects(
            &mut findings,
            bytes,
            rel,
            ctx.config,
            &scopes,
            warnings,
        );
    } else {
        crate::suppress::apply(&mut findings, bytes, rel, ctx.config);
    }
    if ctx.snippets && !findings.is_empty() {
        let sensitive = snippet::sensitive_ranges(&parsed.documents, src);
        snippet::attach(&mut findings, bytes, &sensitive);
    }
    out.findings.extend(findings);
    true
}

/// `ENVGATE_TRACE_TIMING=1`: prints on stderr when a phase of the scan ends, with the time
/// since `started` and the resident memory then (a benchmarking aid, see README).
pub(crate) fn trace_phase(phase: &str, started: Instant) {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if !*ON.get_or_init(|| std::env::var_os("ENVGATE_TRACE_TIMING").is_some()) {
        return;
    }
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:").map(|v| v.trim().to_string()))
        })
        .unwrap_or_default();
    eprintln!(
        "timing: {phase} after {:?} (cpu {:?}, rss {rss})",
        started.elapsed(),
        process_cpu_time()
    );
}

/// CPU time (user + system) the process has used so far, for the timing trace (zero where
/// unknown).
fn process_cpu_time() -> Duration {
    #[cfg(target_os = "linux")]
    {
        let mut u: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: getrusage writes into the struct we own.
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } == 0 {
            let tv = |t: libc::timeval| {
                Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
            };
            return tv(u.ru_utime) + tv(u.ru_stime);
        }
    }
    Duration::ZERO
}
