//! The command line: parse arguments, run, map the outcome to the exit-code contract.
//!
//! Exit codes: 0 = no finding at or above `--fail-on`; 1 = such findings; 2 = usage,
//! configuration or internal error.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::{self, Config};
use crate::finding::Severity;
use crate::report::{self, Format};
use crate::rules;
use crate::scan::{self, ScanRequest};

pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

#[derive(Parser)]
#[command(
    name = "envgate",
    version,
    about = "Guards a GitOps env repo: rejects raw secrets, checks manifests before they merge.",
    after_help = "Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 usage/config/internal error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan files and directories (default: the current directory).
    Scan(ScanArgs),
    /// List every rule with its default severity.
    Rules,
    /// Print a rule's documentation.
    Explain {
        /// Rule id, e.g. raw-secret.
        rule: String,
    },
    /// Record or manage a baseline of accepted findings.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Write a commented starter .envgate.yaml here and print the pre-commit snippet.
    Init,
}

#[derive(Subcommand)]
enum BaselineCommand {
    /// Scan and write every current finding to FILE (by fingerprint: no lines, no values).
    Write {
        /// The baseline file to write.
        file: PathBuf,
        #[command(flatten)]
        scan: ScanArgs,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Args)]
struct ScanArgs {
    /// Files or directories to scan; `-` reads standard input.
    paths: Vec<PathBuf>,
    /// The file name standard input is reported and classified as.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<String>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Configuration file (default: .envgate.yaml from the scan root up to the git root).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Worker threads (default: the number of CPUs).
    #[arg(long, short, value_name = "N")]
    jobs: Option<usize>,
    /// Lowest severity that makes the exit code 1 (default: error, or the config's fail-on).
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Colour the human report (honours NO_COLOR in auto mode).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Do not honour .gitignore/.ignore files.
    #[arg(long)]
    no_ignore: bool,
    /// Scan what is staged in git (the index: what the next commit records), not the
    /// working tree. PATHs, if given, narrow it. For plain git hooks; under the pre-commit
    /// framework the working tree already equals the index.
    #[arg(long, conflicts_with_all = ["diff", "commits"])]
    staged: bool,
    /// Pull-request mode: scan the tree, report only findings in files changed since the
    /// merge base with BASE (and on changed lines). `BASE..HEAD` compares two commits.
    #[arg(long, value_name = "BASE[..HEAD]", conflicts_with = "commits")]
    diff: Option<String>,
    /// Scan what every commit of BASE..HEAD adds (each blob once), so a secret added and
    /// removed inside a pull request is still caught; findings name the commit.
    #[arg(long, value_name = "BASE..HEAD")]
    commits: Option<String>,
    /// age identity file for verifying SOPS files (repeatable; also SOPS_AGE_KEY_FILE and
    /// SOPS_AGE_KEY, as sops reads them).
    #[arg(long, value_name = "FILE")]
    age_key_file: Vec<PathBuf>,
    /// A SOPS file that no given key opens is an error (sops-no-key), not an info.
    #[arg(long)]
    require_decrypt: bool,
    /// The SealedSecrets controller's public certificate (PEM): check every value's RSA
    /// block size against it (repeatable).
    #[arg(long, value_name = "FILE")]
    sealed_secrets_cert: Vec<PathBuf>,
    /// The SealedSecrets controller's private key(s): PEM, the controller's
    /// `kubernetes.io/tls` Secret YAML, or a directory of them (repeatable). Every value is
    /// really unsealed.
    #[arg(long, value_name = "FILE|DIR")]
    sealed_secrets_key: Vec<PathBuf>,
    /// Report only findings not recorded in this baseline (see `envgate baseline write`).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Files larger than this are reported (file-too-large) and not scanned. Accepts K, M,
    /// G (or KiB, MiB, GiB) suffixes.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "10MiB")]
    max_file_size: u64,
}

/// `1048576`, `512K`, `10MiB`, `1G` → bytes (binary multiples).
fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().map_err(|_| format!("invalid size `{s}`"))?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        u => return Err(format!("unknown size unit `{u}`")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("size `{s}` too large"))
}

/// Runs the CLI with the process's arguments and returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
        }
    };
    let result = match cli.command {
        Command::Scan(args) => run_scan(args),
        Command::Rules => print_rules(),
        Command::Explain { rule } => explain(&rule),
        Command::Baseline(BaselineCommand::Write { file, scan }) => write_baseline(&file, scan),
        Command::Init => init(),
    };
    match result {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("envgate: error: {msg}");
            EXIT_ERROR
        }
    }
}

const STARTER_CONFIG: &str = r#"# envgate configuration (see the README's "Configuration" section).
# Unknown keys are errors, so typos do not silently disable anything.

# Lowest severity that fails the run: error | warning | info
fail-on: error

# Kubernetes version of the target cluster ("1.NN"), for api-removed / api-deprecated.
# Unset: the newest version envgate's data knows (recent removals are then warnings).
# kubernetes-version: "1.31"

# Registries (a host, or a host and path prefix) images may come from, for the
# off-by-default image-registry-not-allowed (give it a level under rules:).
# Unset: that rule reports nothing.
# allowed-registries: [ghcr.io/acme, docker.io/library]
# Directories that each hold one cluster's manifests (globs relative to the scan root), for
# duplicate-resource-across-units. Unset: the clusters of the Flux Kustomizations deploying
# each unit, else the top-level directory (under clusters/, envs/...: the second level).
# cluster-roots: ["clusters/*"]

# Paths never scanned, relative to this file (gitignore-like: no "/" = any depth).
exclude: []
#  - "charts/vendor/**"

# Per-rule levels: off | info | warning | error   (list: `envgate rules`)
rules: {}
#  duplicate-key: warning
#  file-too-large: off
#  rbac-wildcard: warning          # off-by-default rules are turned on by giving a level

# Accepted findings; every field given must match, a reason is required.
allow: []
#  - rule: generic-credential
#    path: "tests/fixtures/**"
#    reason: test data, never deployed
#  - rule: host-namespace              # by object: kind and name (a glob)
#    kind: DaemonSet
#    name: node-exporter
#    reason: node agent, needs the host network
# (Inside manifests: ignore comments and the envgate.dev/ignore annotation, see the
#  README's "Suppressing findings".)

# Your own credential patterns, same schema as rules/secrets/*.yaml.
secret-rules: []
#  - id: acme-deploy-token
#    title: ACME deploy token
#    keywords: [acme_dt_]
#    regex: '\b(?P<secret>acme_dt_[0-9a-f]{32})\b'
"#;

/// `envgate init`: refuses to overwrite an existing config.
fn init() -> Result<i32, String> {
    let path = std::path::Path::new(config::FILE_NAME);
    if path.exists() {
        return Err(format!(
            "{} already exists; not overwriting it",
            config::FILE_NAME
        ));
    }
    std::fs::write(path, STARTER_CONFIG)
        .map_err(|e| format!("cannot write {}: {e}", config::FILE_NAME))?;
    let snippet = "wrote .envgate.yaml\n\nAdd to .pre-commit-config.yaml:\n\nrepos:\n  - repo: <this repository's URL>\n    rev: <tag>\n    hooks:\n      - id: envgate\n";
    write_stdout(snippet.replace("\\n", "\n").as_bytes())?;
    Ok(EXIT_CLEAN)
}

fn print_rules() -> Result<i32, String> {
    let mut out = String::new();
    let width = rules::all().iter().map(|r| r.id.len()).max().unwrap_or(0);
    out.push_str(&format!(
        "{:width$}  {:11}  {:8}  {:3}  SUMMARY\n",
        "RULE", "GROUP", "SEVERITY", "ON"
    ));
    for r in rules::all() {
        out.push_str(&format!(
            "{:width$}  {:11}  {:8}  {:3}  {}\n",
            r.id,
            r.group,
            r.severity.as_str(),
            if r.default_on { "yes" } else { "off" },
            r.summary
        ));
    }
    write_stdout(out.as_bytes())?;
    Ok(EXIT_CLEAN)
}

fn explain(id: &str) -> Result<i32, String> {
    let Some(r) = rules::find(id) else {
        let ids: Vec<&str> = rules::all().iter().map(|r| r.id).collect();
        return Err(format!(
            "unknown rule `{id}`; known rules: {}",
            ids.join(", ")
        ));
    };
    let text = format!(
        "# {} ({})\n\n{}\n\n{}",
        r.id,
        r.severity.as_str(),
        r.summary,
        r.explain()
    );
    write_stdout(text.as_bytes())?;
    Ok(EXIT_CLEAN)
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn write_stdout(bytes: &[u8]) -> Result<(), String> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.to_string()),
        _ => Ok(()),
    }
}

fn write_baseline(file: &std::path::Path, args: ScanArgs) -> Result<i32, String> {
    let (result, _) = scan_with(&args)?;
    let b = crate::baseline::Baseline::from_findings(&result.findings);
    std::fs::write(file, b.render())
        .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    eprintln!(
        "envgate: wrote {} baseline entries to {}",
        b.entries.len(),
        file.display()
    );
    Ok(EXIT_CLEAN)
}

/// Loads the config and runs the scan the arguments describe.
fn scan_with(args: &ScanArgs) -> Result<(scan::ScanResult, Severity), String> {
    let first_dir = match &args.paths[..] {
        [p] if p.is_dir() => p.clone(),
        _ => PathBuf::from("."),
    };
    let config = match &args.config {
        Some(p) => Config::load(p).map_err(|e| e.to_string())?,
        None => match config::discover(&first_dir) {
            Some(p) => Config::load(&p).map_err(|e| e.to_string())?,
            None => Config::default(),
        },
    };
    let fail_on = match args.fail_on {
        Some(FailOn::Error) => Severity::Error,
        Some(FailOn::Warning) => Severity::Warning,
        Some(FailOn::Info) => Severity::Info,
        None => config.fail_on.unwrap_or(Severity::Error),
    };
    if args.jobs == Some(0) {
        return Err("--jobs must be at least 1".into());
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let envelope_keys = crate::envelope::check::EnvelopeKeys {
        age: load_age_keys(&args.age_key_file)?,
        require_decrypt: args.require_decrypt,
        sealed_certs: load_sealed_certs(&args.sealed_secrets_cert)?,
        sealed_keys: load_sealed_keys(&args.sealed_secrets_key)?,
    };
    let result = scan::scan(ScanRequest {
        envelope_keys,
        staged: args.staged,
        diff: args.diff.clone(),
        commits: args.commits.clone(),
        paths: args.paths.clone(),
        stdin_filename: args.stdin_filename.clone(),
        jobs,
        respect_ignore: !args.no_ignore,
        max_file_size: args.max_file_size,
        config,
        snippets: args.format == Format::Human,
    })
    .map_err(|e| e.0)?;
    Ok((result, fail_on))
}

/// age identities from `--age-key-file`, `SOPS_AGE_KEY_FILE` and `SOPS_AGE_KEY`. An
/// unreadable or invalid key file is a usage error (exit 2), never silently ignored.
fn load_age_keys(files: &[PathBuf]) -> Result<Vec<age::x25519::Identity>, String> {
    use crate::envelope::sops::load_identities;
    let mut ids = Vec::new();
    let mut paths: Vec<PathBuf> = files.to_vec();
    if let Some(p) = std::env::var_os("SOPS_AGE_KEY_FILE").filter(|p| !p.is_empty()) {
        paths.push(PathBuf::from(p));
    }
    for p in paths {
        let text = std::fs::read_to_string(&p)
            .map_err(|e| format!("age key file {}: {e}", p.display()))?;
        ids.extend(
            load_identities(&text).map_err(|e| format!("age key file {}: {e}", p.display()))?,
        );
    }
    if let Ok(text) = std::env::var("SOPS_AGE_KEY")
        && !text.trim().is_empty()
    {
        ids.extend(load_identities(&text).map_err(|e| format!("SOPS_AGE_KEY: {e}"))?);
    }
    Ok(ids)
}

fn load_sealed_certs(
    files: &[PathBuf],
) -> Result<Vec<crate::envelope::sealed::PublicCert>, String> {
    files
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            crate::envelope::sealed::load_cert(&text).map_err(|e| format!("{}: {e}", p.display()))
        })
        .collect()
}

/// Private keys from files, or from every file of a directory (sorted; a file that holds
/// no key there is skipped, a named file that holds none is an error).
fn load_sealed_keys(paths: &[PathBuf]) -> Result<Vec<crate::envelope::sealed::PrivateKey>, String> {
    let mut keys = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| format!("{}: {e}", p.display()))?
                .flatten()
                .map(|e| e.path())
                .filter(|f| f.is_file())
                .collect();
            files.sort();
            for f in files {
                let text = zeroize::Zeroizing::new(std::fs::read_to_string(&f).unwrap_or_default());
                if let Ok(k) = crate::envelope::sealed::load_private_keys(&text) {
                    keys.extend(k);
                }
            }
        } else {
            let text = zeroize::Zeroizing::new(
                std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?,
            );
            keys.extend(
                crate::envelope::sealed::load_private_keys(&text)
                    .map_err(|e| format!("{}: {e}", p.display()))?,
            );
        }
    }
    Ok(keys)
}

fn run_scan(args: ScanArgs) -> Result<i32, String> {
    let baseline = match &args.baseline {
        Some(p) => Some(crate::baseline::Baseline::load(p)?),
        None => None,
    };
    let t0 = std::time::Instant::now();
    let (mut result, fail_on) = scan_with(&args)?;
    std::mem::take(&mut result.scratch).leave_to_exit();
    crate::scan::trace_phase("scan", t0);
    if let Some(b) = &baseline {
        result.stale_baseline = b.filter(&mut result.findings);
    }

    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && io::stdout().is_terminal()
        }
    };
    let mut buf = Vec::new();
    report::render(args.format, &result, color, &mut buf).map_err(|e| e.to_string())?;
    crate::scan::trace_phase("report", t0);
    match &args.output {
        Some(path) => std::fs::write(path, &buf)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => write_stdout(&buf)?,
    }
    if args.format == Format::Human || args.output.is_some() {
        eprintln!("{}", report::summary_line(&result));
    }
    if !result.stale_baseline.is_empty() {
        eprintln!(
            "envgate: {} baseline entries no longer match a finding (fixed or moved; refresh with `envgate baseline write`):",
            result.stale_baseline.len()
        );
        for e in &result.stale_baseline {
            eprintln!("  {} {} {}", e.rule, e.path, e.fingerprint);
        }
    }
    let failing = result.findings.iter().any(|f| f.severity >= fail_on);
    Ok(if failing { EXIT_FINDINGS } else { EXIT_CLEAN })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10MiB"), Ok(10 << 20));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("42"), Ok(42));
        assert!(parse_size("10 parsecs").is_err());
        assert!(parse_size("MiB").is_err());
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
