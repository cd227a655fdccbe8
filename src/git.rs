//! Git as a source of file contents, through the `git` CLI (exact git semantics: worktrees,
//! `safe.directory`, sparse and partial clones; no libgit2 build). Used by `--staged`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A file as it is in the index.
pub struct StagedFile {
    /// Relative to the work-tree root, `/`-separated.
    pub path: String,
    pub bytes: Vec<u8>,
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}

/// The work-tree root of the repository containing `dir`.
pub fn toplevel(dir: &Path) -> Result<PathBuf, String> {
    let out = git(dir, &["rev-parse", "--show-toplevel"])
        .map_err(|e| format!("not inside a git work tree ({e})"))?;
    Ok(PathBuf::from(String::from_utf8_lossy(&out).trim()))
}

/// Every added, copied, modified or renamed path in the index (what `git commit` would
/// record), with its staged content, read in one `git cat-file --batch` process.
pub fn staged_files(dir: &Path) -> Result<(PathBuf, Vec<StagedFile>), String> {
    let top = toplevel(dir)?;
    let names = git(
        &top,
        &[
            "diff",
            "--cached",
            "--name-only",
            "-z",
            "--diff-filter=ACMR",
        ],
    )?;
    let paths: Vec<String> = names
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .filter(|p| !p.contains('\n'))
        .collect();
    if paths.is_empty() {
        return Ok((top, Vec::new()));
    }
    let mut child = Command::new("git")
        .current_dir(&top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git cat-file: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped");
    let request: String = paths.iter().map(|p| format!(":{p}\n")).collect();
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut out = Vec::new();
    child
        .stdout
        .take()
        .expect("piped")
        .read_to_end(&mut out)
        .map_err(|e| e.to_string())?;
    let _ = writer.join();
    let status = child.wait().map_err(|e| e.to_string())?;
    if !status.success() {
        return Err("git cat-file --batch failed".into());
    }
    let mut files = Vec::new();
    let mut rest = &out[..];
    for path in paths {
        let nl = rest
            .iter()
            .position(|b| *b == b'\n')
            .ok_or("truncated git cat-file output")?;
        let header = String::from_utf8_lossy(&rest[..nl]).into_owned();
        rest = &rest[nl + 1..];
        let parts: Vec<&str> = header.split(' ').collect();
        // "<sha> blob <size>", or "<name> missing" (a submodule / gitlink)
        if parts.len() != 3 || parts[1] != "blob" {
            continue;
        }
        let size: usize = parts[2]
            .parse()
            .map_err(|_| format!("bad cat-file header: {header}"))?;
        if rest.len() < size + 1 {
            return Err("truncated git cat-file output".into());
        }
        files.push(StagedFile {
            path,
            bytes: rest[..size].to_vec(),
        });
        rest = &rest[size + 1..];
    }
    Ok((top, files))
}
