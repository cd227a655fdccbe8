//! Walk: the files of the scan, in parallel, honouring `.gitignore`/`.ignore`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};

pub struct WalkedFile {
    pub abs: PathBuf,
    /// Relative to the walk root, `/`-separated.
    pub rel: String,
}

#[derive(Default)]
pub struct WalkResult {
    pub files: Vec<WalkedFile>,
    /// (relative path, message) of directories or files the walker could not read.
    pub errors: Vec<(String, String)>,
    pub symlinks_skipped: usize,
}

/// `/`-separated path of `path` relative to `root` (or `path` itself when not under it).
pub fn relative(path: &Path, root: &Path) -> String {
    let Ok(rel) = path.strip_prefix(root) else {
        return path.to_string_lossy().replace('\\', "/");
    };
    // Walked paths are clean: taken as they are (the component split below allocated a
    // string per component, for every file of the tree).
    if let Some(s) = rel.to_str()
        && !s.is_empty()
        && !s.starts_with("./")
        && !s.starts_with('/')
        && !s.ends_with('/')
        && !s.ends_with("/.")
        && s != "."
        && !s.contains("/./")
        && !s.contains("//")
    {
        return s.to_string();
    }
    let s: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            std::path::Component::CurDir => None,
            c => Some(c.as_os_str().to_string_lossy().into_owned()),
        })
        .collect();
    s.join("/")
}

/// `a/./b/../c` → `a/c`, lexically (no file-system access, symlinks untouched).
pub fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            c => out.push(c.as_os_str()),
        }
    }
    out
}

/// Every regular file under `root`. Never enters `.git/`, includes dotfiles, does not
/// follow symlinks. With `respect_ignore`, `.gitignore`, `.ignore` and git's global and
/// `info/exclude` rules apply (also outside a git work tree). The result is sorted.
pub fn walk(root: &Path, respect_ignore: bool, threads: usize) -> WalkResult {
    let mut b = WalkBuilder::new(root);
    b.standard_filters(respect_ignore)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .threads(threads)
        .filter_entry(|e| e.file_name() != ".git");
    let out = Mutex::new(WalkResult::default());
    b.build_parallel().run(|| {
        let out = &out;
        Box::new(move |entry| {
            match entry {
                Ok(e) => {
                    let ft = e.file_type();
                    if ft.is_some_and(|t| t.is_symlink()) {
                        out.lock().unwrap().symlinks_skipped += 1;
                    } else if ft.is_some_and(|t| t.is_file()) {
                        let rel = relative(e.path(), root);
                        let abs = e.into_path();
                        out.lock().unwrap().files.push(WalkedFile { abs, rel });
                    }
                }
                Err(err) => {
                    let path = error_path(&err).map_or_else(String::new, |p| relative(p, root));
                    out.lock().unwrap().errors.push((path, strip_path(&err)));
                }
            }
            WalkState::Continue
        })
    });
    let mut res = out.into_inner().unwrap();
    res.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    res.errors.sort();
    res
}

fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

/// The error message without the absolute path the walker prefixes.
fn strip_path(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. } => err.to_string(),
        ignore::Error::WithDepth { err, .. } => strip_path(err),
        e => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_clean_whatever_the_spelling() {
        for (path, root, want) in [
            ("/r/apps/a.yaml", "/r", "apps/a.yaml"),
            ("/r/./apps//a.yaml", "/r", "apps/a.yaml"),
            ("./apps/./a.yaml", ".", "apps/a.yaml"),
            ("/r/apps/", "/r", "apps"),
            ("/r", "/r", ""),
            ("/elsewhere/a.yaml", "/r", "/elsewhere/a.yaml"),
        ] {
            assert_eq!(relative(Path::new(path), Path::new(root)), want, "{path}");
        }
    }

    #[test]
    fn honours_gitignore_skips_git_includes_dotfiles() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        std::fs::create_dir_all(r.join(".git")).unwrap();
        std::fs::write(r.join(".git/config"), "x").unwrap();
        std::fs::write(r.join(".gitignore"), "ignored/\n").unwrap();
        std::fs::create_dir_all(r.join("ignored")).unwrap();
        std::fs::write(r.join("ignored/a.yaml"), "a: 1").unwrap();
        std::fs::write(r.join(".sops.yaml"), "creation_rules: []").unwrap();
        std::fs::create_dir_all(r.join("apps")).unwrap();
        std::fs::write(r.join("apps/b.yaml"), "b: 1").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(r.join("apps/b.yaml"), r.join("link.yaml")).unwrap();

        let w = walk(r, true, 2);
        let rels: Vec<_> = w.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, [".gitignore", ".sops.yaml", "apps/b.yaml"]);
        #[cfg(unix)]
        assert_eq!(w.symlinks_skipped, 1);

        let w = walk(r, false, 2);
        let rels: Vec<_> = w.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(
            rels,
            [".gitignore", ".sops.yaml", "apps/b.yaml", "ignored/a.yaml"]
        );
    }
}
