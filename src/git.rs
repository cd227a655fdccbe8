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

/// Lines changed (added or modified, in the new version) per file since the merge base of
/// `base` and HEAD, including uncommitted changes in the working tree. Deleted files are
/// not listed. Paths are relative to the work-tree root.
pub fn changed_lines(
    dir: &Path,
    base: &str,
) -> Result<std::collections::BTreeMap<String, Vec<(u32, u32)>>, String> {
    let top = toplevel(dir)?;
    let (base, head) = match base.split_once("..") {
        Some((b, h)) => (b.to_string(), Some(h.trim_start_matches('.').to_string())),
        None => (base.to_string(), None),
    };
    let head_ref = head.clone().unwrap_or_else(|| "HEAD".to_string());
    let mb = git(&top, &["merge-base", &base, &head_ref])
        .map_err(|e| format!("bad revision `{base}`: {e}"))?;
    let mb = String::from_utf8_lossy(&mb).trim().to_string();
    // Against the working tree when no HEAD was given (a PR checkout, or local edits).
    let mut args = vec![
        "diff",
        "-U0",
        "--no-color",
        "--no-ext-diff",
        "--diff-filter=ACMR",
        &mb,
    ];
    if let Some(h) = &head {
        args.push(h);
    }
    let out = git(&top, &args)?;
    let mut map: std::collections::BTreeMap<String, Vec<(u32, u32)>> = Default::default();
    let mut current: Option<String> = None;
    for line in String::from_utf8_lossy(&out).lines() {
        if let Some(p) = line.strip_prefix("+++ ") {
            current = p.strip_prefix("b/").map(str::to_string);
            if let Some(c) = &current {
                map.entry(c.clone()).or_default();
            }
        } else if let Some(h) = line.strip_prefix("@@ ")
            && let Some(c) = &current
        {
            // @@ -a,b +c,d @@
            let plus = h.split(' ').find(|t| t.starts_with('+')).unwrap_or("+0");
            let (start, count) = match plus[1..].split_once(',') {
                Some((s, n)) => (s.parse().unwrap_or(0), n.parse().unwrap_or(0)),
                None => (plus[1..].parse().unwrap_or(0), 1),
            };
            if count > 0 {
                map.get_mut(c).unwrap().push((start, start + count - 1));
            }
        }
    }
    // Untracked files are new: every line counts.
    if head.is_none() {
        let untracked = git(&top, &["ls-files", "--others", "--exclude-standard", "-z"])?;
        for p in untracked.split(|b| *b == 0).filter(|p| !p.is_empty()) {
            map.insert(String::from_utf8_lossy(p).into_owned(), vec![(1, u32::MAX)]);
        }
    }
    Ok(map)
}

/// A blob added by a commit of a range: (commit, path, content), each blob once, with the
/// first (oldest) commit that introduced it.
pub struct CommitBlob {
    pub commit: String,
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Every blob that a commit of `range` (`BASE..HEAD`) adds or modifies, including ones a
/// later commit of the range removes again.
pub fn range_blobs(dir: &Path, range: &str) -> Result<(PathBuf, Vec<CommitBlob>), String> {
    let top = toplevel(dir)?;
    if !range.contains("..") {
        return Err(format!(
            "--commits expects a range BASE..HEAD, got `{range}`"
        ));
    }
    let out = git(
        &top,
        &[
            "log",
            "--reverse",
            "--no-renames",
            "--raw",
            "--no-abbrev",
            "-z",
            "--format=%x00commit %H",
            range,
        ],
    )
    .map_err(|e| format!("bad range `{range}`: {e}"))?;
    // -z output: "\0commit <sha>\n" then ":<mode> <mode> <old> <new> <status>\0<path>\0"…
    let mut seen = std::collections::HashSet::new();
    let mut wanted: Vec<(String, String, String)> = Vec::new(); // (commit, path, blob)
    let mut commit = String::new();
    let fields: Vec<&[u8]> = out.split(|b| *b == 0).collect();
    let mut i = 0;
    while i < fields.len() {
        let f = String::from_utf8_lossy(fields[i]);
        let f = f.trim_start_matches('\n');
        if let Some(c) = f.strip_prefix("commit ") {
            commit = c.trim().to_string();
            i += 1;
            continue;
        }
        if let Some(meta) = f.strip_prefix(':') {
            let parts: Vec<&str> = meta.split(' ').collect();
            let path = fields
                .get(i + 1)
                .map(|p| String::from_utf8_lossy(p).into_owned());
            i += 2;
            if parts.len() == 5
                && matches!(parts[4].chars().next(), Some('A' | 'M'))
                && parts[1] != "160000"
                && let Some(path) = path
                && seen.insert(parts[3].to_string())
            {
                wanted.push((commit.clone(), path, parts[3].to_string()));
            }
            continue;
        }
        i += 1;
    }
    let mut child = Command::new("git")
        .current_dir(&top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git cat-file: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped");
    let request: String = wanted.iter().map(|(_, _, b)| format!("{b}\n")).collect();
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut data = Vec::new();
    child
        .stdout
        .take()
        .expect("piped")
        .read_to_end(&mut data)
        .map_err(|e| e.to_string())?;
    let _ = writer.join();
    child.wait().map_err(|e| e.to_string())?;
    let mut rest = &data[..];
    let mut blobs = Vec::new();
    for (commit, path, _) in wanted {
        let nl = rest
            .iter()
            .position(|b| *b == b'\n')
            .ok_or("truncated git output")?;
        let header = String::from_utf8_lossy(&rest[..nl]).into_owned();
        rest = &rest[nl + 1..];
        let parts: Vec<&str> = header.split(' ').collect();
        if parts.len() != 3 {
            continue;
        }
        let size: usize = parts[2].parse().map_err(|_| "bad cat-file header")?;
        blobs.push(CommitBlob {
            commit,
            path,
            bytes: rest[..size].to_vec(),
        });
        rest = &rest[size + 1..];
    }
    Ok((top, blobs))
}
