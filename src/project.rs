//! What the repository says about each file, known before the per-file rules run: the
//! kustomize graph — which files are patches, which kustomization lists what, and the
//! deployment units (kustomize roots) each manifest belongs to with the namespace, name
//! prefix/suffix and image overrides the unit applies to it.
//!
//! Built once per scan from the kustomization files among the inputs; no kustomize run.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::kustomize::{self, Role};
use crate::yaml::{Node, parse_yaml};

/// One kustomization, reduced to what the graph needs.
#[derive(Debug, Default)]
struct Kust {
    /// Its file, relative to the scan root.
    path: String,
    namespace: Option<String>,
    prefix: String,
    suffix: String,
    /// Every local reference, in the order [`kustomize::references`] lists them.
    refs: Vec<KustRef>,
    /// Image names its `images:` entries pin (with `newTag` or `digest`).
    pinned_images: Vec<String>,
    /// (name, newName) of its `images:` entries that rename an image.
    image_renames: Vec<(String, String)>,
    /// It has `generators:` (e.g. KSOPS), whose configs list more input files.
    has_generators: bool,
    /// It rewrites the objects it includes (`replacements`, patches, transformers): their
    /// fields may differ from what their files say.
    transforms: bool,
    /// The text of its comments (a commented-out entry disables a file on purpose).
    comments: String,
}

/// One local reference of a kustomization, as the graph resolved it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KustRef {
    /// The path it points at, relative to the scan root ([`kustomize::resolve`]).
    pub path: String,
    pub role: Role,
    /// The scan input at that path, when it is one (a file that exists: no existence
    /// check needed).
    pub input: Option<u32>,
}

/// One kustomization file, read and reduced (the parallel part of building the graph).
#[derive(Debug)]
pub struct KustomizationFile {
    dir: String,
    kust: Kust,
    parsed: Preread,
    /// Its index among the scan's inputs, when handed over ([`Self::with_bytes`]).
    input: Option<usize>,
}

/// A kustomization file as the graph read it: handed to the per-file stage so that it is
/// neither read nor parsed twice.
#[derive(Debug)]
pub struct Preread {
    /// The file's bytes, when the caller handed them over ([`KustomizationFile::with_bytes`]).
    pub bytes: Option<Vec<u8>>,
    pub parsed: crate::yaml::ParsedYaml,
}

impl KustomizationFile {
    /// None when the file is not kustomize's (empty, or a Flux `Kustomization` CR).
    pub fn parse(path: &str, src: &str) -> Option<KustomizationFile> {
        let parsed = parse_yaml(src);
        let doc = parsed.documents.first()?;
        if !kustomize::is_kustomization(crate::source::FileKind::Kustomization, &doc.root) {
            return None;
        }
        let dir = kustomize::dir_of(path).to_string();
        let mut kust = read_kust(path, &dir, &doc.root);
        kust.comments = comments(src);
        Some(KustomizationFile {
            dir,
            kust,
            parsed: Preread {
                bytes: None,
                parsed,
            },
            input: None,
        })
    }

    /// Keeps the file's parse and bytes for the per-file stage, which finds them by the
    /// file's index among the scan's inputs (see [`Project::take_parsed`]).
    pub fn with_bytes(mut self, input: usize, bytes: Vec<u8>) -> KustomizationFile {
        self.parsed.bytes = Some(bytes);
        self.input = Some(input);
        self
    }
}

/// How a deployment unit includes a manifest file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    /// The unit's root kustomization file.
    pub unit: String,
    /// The namespace the unit sets (the outermost kustomization `namespace:` wins).
    pub namespace: Option<String>,
    pub prefix: String,
    pub suffix: String,
    /// Some kustomization on the way rewrites objects (`replacements`, patches,
    /// transformers), so a field missing from the file may be set at build time.
    pub transformed: bool,
    pinned_images: Vec<String>,
    /// (name, newName) of the `images:` renames on the way, innermost kustomization first
    /// (the order kustomize applies them).
    image_renames: Vec<(String, String)>,
}

impl Membership {
    /// The name kustomize gives an object called `name` in this unit.
    pub fn name(&self, name: &str) -> String {
        format!("{}{name}{}", self.prefix, self.suffix)
    }

    /// The image name (without tag or digest) the unit deploys for `name`, after its
    /// kustomize `images:` `newName` renames.
    pub fn image_name<'a>(&'a self, name: &'a str) -> &'a str {
        let mut cur = name;
        for (from, to) in &self.image_renames {
            if cur == from {
                cur = to;
            }
        }
        cur
    }
}

/// Repository-level facts shared by every per-document rule.
#[derive(Debug, Default)]
pub struct Project {
    /// Where paths are resolved for existence checks (None: no disk, e.g. stdin).
    root: Option<PathBuf>,
    /// What the graph says about each of the scan's inputs, by input index (the per-file
    /// stage reads its file's entry without hashing a path: a lookup in a 25,000-entry map
    /// keyed by path cost ~1 µs, mostly cache misses).
    inputs: Vec<FileInfo>,
    /// What the graph says about the other paths it mentions (directories, missing files;
    /// every path when the inputs are not known).
    files: HashMap<String, FileInfo>,
    /// The kustomization files parsed while building the graph (the per-file stage reuses
    /// them instead of parsing again), sorted by input index. (Taken by the per-file stage,
    /// so each tree is freed once its file is checked.)
    parsed: Vec<(usize, std::sync::Mutex<Option<Preread>>)>,
    /// Kustomizations by directory (hashed: the graph and the rules look them up by
    /// directory for every reference).
    by_dir: HashMap<String, Kust>,
    /// The scan's input files and their directories: existence checks answer from these
    /// before asking the file system.
    known: KnownFiles,
    /// The scan covers whole directory trees (not a list of files, not the index): rules
    /// that conclude from what is *absent* (an unlisted file, an undefined source) only run
    /// then.
    pub whole_tree: bool,
    /// The git work tree holding the scan root, when there is one (Flux paths are relative
    /// to the repository root).
    pub repo_root: Option<PathBuf>,
}

/// The scan's input files (relative to the root, with their input index) and their
/// directories.
#[derive(Debug, Default)]
pub struct KnownFiles {
    files: HashMap<String, u32>,
    dirs: HashSet<String>,
}

impl KnownFiles {
    /// The inputs, in input order (the index of each is its position).
    pub fn of<'a>(files: impl ExactSizeIterator<Item = &'a str>) -> KnownFiles {
        let mut k = KnownFiles::default();
        k.files.reserve(files.len());
        for (i, f) in files.enumerate() {
            let mut d = f;
            while let Some(i) = d.rfind('/') {
                d = &d[..i];
                // (Most files share their directory with the previous ones: no copy then.)
                if k.dirs.contains(d) {
                    break;
                }
                k.dirs.insert(d.to_string());
            }
            k.files.insert(f.to_string(), i as u32);
        }
        k
    }

    fn len(&self) -> usize {
        self.files.len()
    }
}

/// What the graph says about one file.
#[derive(Debug, Default)]
pub struct FileInfo {
    /// A kustomization uses it as a patch or generator input (a fragment, not a resource).
    pub fragment: bool,
    /// Some kustomization references it.
    pub referenced: bool,
    /// The deployment units that include it, sorted by unit. (Shared: a record of the
    /// file's objects holds them with one reference count on a per-file allocation; counting
    /// references on each membership, shared by the files of a unit, made the threads
    /// contend for those counters.)
    pub memberships: Units,
}

/// The deployment units including a file.
pub type Units = Arc<[Arc<Membership>]>;

/// A file's entry while the graph is built.
#[derive(Default)]
struct EntryBuilder {
    fragment: bool,
    referenced: bool,
    memberships: Vec<Arc<Membership>>,
}

impl EntryBuilder {
    fn build(mut self, none: &Units) -> FileInfo {
        if self.memberships.len() > 1 {
            self.memberships.sort_by(|a, b| a.unit.cmp(&b.unit));
            self.memberships.dedup();
        }
        FileInfo {
            fragment: self.fragment,
            referenced: self.referenced,
            memberships: if self.memberships.is_empty() {
                Arc::clone(none)
            } else {
                self.memberships.into()
            },
        }
    }
}

impl FileInfo {
    /// The namespace every unit including the file gives it (None when no unit includes
    /// it, or units disagree or set none).
    pub fn unit_namespace(&self) -> Option<&str> {
        let ms = &self.memberships;
        let first = ms.first()?.namespace.as_deref()?;
        ms.iter()
            .all(|m| m.namespace.as_deref() == Some(first))
            .then_some(first)
    }
}

static NO_INFO: std::sync::LazyLock<FileInfo> = std::sync::LazyLock::new(FileInfo::default);

/// What is at a referenced path.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    File,
    /// A directory; `true` when it holds a kustomization.
    Dir(bool),
    /// Nothing; `Some(actual)` when a path differing only in letter case exists (it works
    /// on case-insensitive file systems only).
    Missing(Option<String>),
    /// Unknown (no file system to look at).
    Unknown,
}

impl Project {
    /// Builds the graph from the kustomization files of a scan: (path relative to `root`,
    /// content). The scan's other inputs are not known (see [`Project::from_parsed`]).
    pub fn build(root: Option<&Path>, kustomizations: &[(&str, &str)]) -> Project {
        let parsed = kustomizations
            .iter()
            .filter_map(|(path, src)| KustomizationFile::parse(path, src))
            .collect();
        Project::from_parsed(root, parsed, KnownFiles::default())
    }

    /// Builds the graph from kustomizations parsed beforehand (in parallel, by the scan),
    /// in input order, and the scan's inputs (most existence checks then need no system
    /// call, and each input's entry is found by its index).
    pub fn from_parsed(
        root: Option<&Path>,
        mut kustomizations: Vec<KustomizationFile>,
        known: KnownFiles,
    ) -> Project {
        let mut p = Project {
            root: root.map(Path::to_path_buf),
            whole_tree: true,
            ..Project::default()
        };
        // Which references point at inputs: looked up once, in parallel (the graph and the
        // kustomization rules both need it).
        kustomizations.par_iter_mut().for_each(|k| {
            for r in &mut k.kust.refs {
                r.input = known.files.get(r.path.as_str()).copied();
            }
        });
        // Sized up front: growing these maps was a third of the (serial) graph build.
        p.by_dir.reserve(kustomizations.len());
        for KustomizationFile {
            dir,
            kust: k,
            parsed,
            input,
        } in kustomizations
        {
            if let Some(i) = input {
                p.parsed.push((i, std::sync::Mutex::new(Some(parsed))));
            }
            // (kustomize refuses two in one directory; kustomization.yaml sorts first.)
            p.by_dir.entry(dir).or_insert(k);
        }
        // What each referenced file is, and which units include it, are independent: built
        // side by side (this part of the graph build was serial, ~15 ms on 4,218
        // kustomizations), then the memberships are filed under their files.
        let ((mut inputs, mut files), members) = rayon::join(
            || referenced_files(&p.by_dir, known.len()),
            || unit_memberships(&p.by_dir),
        );
        for (target, m) in members {
            match target {
                Ok(i) => inputs[i as usize].memberships.push(m),
                Err(path) => files
                    .entry(path.to_string())
                    .or_default()
                    .memberships
                    .push(m),
            }
        }
        let none: Units = Arc::new([]);
        p.inputs = inputs.into_iter().map(|e| e.build(&none)).collect();
        p.files = files
            .into_iter()
            .map(|(k, e)| (k, e.build(&none)))
            .collect();
        p.known = known;
        p
    }

    /// True when a kustomization uses `path` as a patch or generator input.
    pub fn is_fragment(&self, path: &str) -> bool {
        self.file(path).fragment
    }

    /// What the graph says about `path` (all false and empty when it says nothing).
    pub fn file(&self, path: &str) -> &FileInfo {
        match self.known.files.get(path) {
            Some(&i) => self.file_at(i as usize),
            None => self.files.get(path).unwrap_or_else(|| &*NO_INFO),
        }
    }

    /// What the graph says about input number `input` of the scan (see [`Project::file`]).
    pub fn file_at(&self, input: usize) -> &FileInfo {
        self.inputs.get(input).unwrap_or_else(|| &*NO_INFO)
    }

    /// The inputs whose parse the graph holds (see [`Project::take_parsed`]), in order.
    pub fn parsed_inputs(&self) -> impl Iterator<Item = usize> + '_ {
        self.parsed.iter().map(|(i, _)| *i)
    }

    /// The parse (and bytes) of a kustomization file read while building the graph, handed
    /// over once (the caller owns and frees it).
    pub fn take_parsed(&self, input: usize) -> Option<Preread> {
        let at = self.parsed.binary_search_by_key(&input, |(i, _)| *i).ok()?;
        self.parsed[at].1.lock().ok()?.take()
    }

    /// True when some kustomization references `path`.
    pub fn is_referenced(&self, path: &str) -> bool {
        self.file(path).referenced
    }

    /// The references of the kustomization file `path` as the graph resolved them, in
    /// [`kustomize::references`] order (None when the graph did not read it: not a
    /// kustomization, or a second one in its directory).
    pub fn kustomization_refs(&self, path: &str) -> Option<&[KustRef]> {
        self.by_dir
            .get(kustomize::dir_of(path))
            .filter(|k| k.path == path)
            .map(|k| &k.refs[..])
    }

    /// The scan input at `path`, when it is one.
    pub fn input_index(&self, path: &str) -> Option<u32> {
        self.known.files.get(path).copied()
    }

    /// The kustomization file of `dir`, and whether it has `generators:`.
    pub fn kustomization_in(&self, dir: &str) -> Option<(&str, bool)> {
        self.by_dir
            .get(dir)
            .map(|k| (k.path.as_str(), k.has_generators))
    }

    /// True when a comment of `dir`'s kustomization names `file` (an entry commented out:
    /// the file is left out on purpose).
    pub fn commented_out(&self, dir: &str, file: &str) -> bool {
        self.by_dir
            .get(dir)
            .is_some_and(|k| !file.is_empty() && k.comments.contains(file))
    }

    /// The deployment units that include `path` (empty when none does).
    pub fn memberships(&self, path: &str) -> &[Arc<Membership>] {
        &self.file(path).memberships
    }

    /// True when every unit including `path` pins the image `name` with a kustomize
    /// `images:` override (and at least one unit includes it).
    pub fn image_pinned(&self, path: &str, name: &str) -> bool {
        Self::pinned_in(self.memberships(path), name)
    }

    /// [`Project::image_pinned`] over the memberships of a file.
    pub fn pinned_in(ms: &[Arc<Membership>], name: &str) -> bool {
        !ms.is_empty() && ms.iter().all(|m| m.pinned_images.iter().any(|i| i == name))
    }

    /// True when `path` (relative to the repository root, as Flux writes it: `./clusters/x`)
    /// exists as a directory under the scan root or the git work-tree root. Unknown (no
    /// disk): true.
    pub fn repo_dir_exists(&self, path: &str) -> bool {
        let Some(root) = &self.root else { return true };
        let rel = path.trim_start_matches("./").trim_start_matches('/');
        let rel = rel.trim_end_matches('/');
        // A directory holding a scanned file exists: no syscall (the scan root is the
        // repository root in the usual `envgate scan .`).
        self.known.dirs.contains(rel)
            || root.join(rel).is_dir()
            || self
                .repo_root
                .as_ref()
                .is_some_and(|r| r.join(rel).is_dir())
    }

    /// What is at `rel` (relative to the scan root) on disk.
    pub fn target(&self, rel: &str) -> Target {
        let Some(root) = &self.root else {
            return Target::Unknown;
        };
        if self.known.files.contains_key(rel) {
            return Target::File;
        }
        if self.known.dirs.contains(rel) && self.by_dir.contains_key(rel) {
            return Target::Dir(true);
        }
        let abs = root.join(rel);
        match std::fs::metadata(&abs) {
            Ok(m) if m.is_dir() => Target::Dir(
                ["kustomization.yaml", "kustomization.yml", "Kustomization"]
                    .iter()
                    .any(|n| abs.join(n).is_file()),
            ),
            Ok(_) => Target::File,
            Err(_) => Target::Missing(case_insensitive_match(root, rel)),
        }
    }
}

/// Every file a kustomization references, with what the references make of it: the
/// entries of the scan's inputs by input index, those of other paths by path.
fn referenced_files(
    by_dir: &HashMap<String, Kust>,
    inputs: usize,
) -> (Vec<EntryBuilder>, HashMap<String, EntryBuilder>) {
    let mut by_input: Vec<EntryBuilder> = Vec::new();
    by_input.resize_with(inputs, EntryBuilder::default);
    let mut files: HashMap<String, EntryBuilder> = HashMap::default();
    for k in by_dir.values() {
        for r in &k.refs {
            let info = match r.input {
                Some(i) => &mut by_input[i as usize],
                None => files.entry(r.path.clone()).or_default(),
            };
            info.referenced = true;
            if matches!(r.role, Role::Patch | Role::Input) {
                info.fragment = true;
            }
        }
    }
    (by_input, files)
}

/// (file, membership) for every file of every deployment unit, the file as its input index
/// (or its path, when it is not an input): the units' roots (the kustomizations no other
/// one includes) are walked in parallel.
fn unit_memberships(by_dir: &HashMap<String, Kust>) -> Vec<(Result<u32, &str>, Arc<Membership>)> {
    let included: HashSet<&str> = by_dir
        .values()
        .flat_map(|k| k.refs.iter())
        .filter(|r| r.input.is_none() && matches!(r.role, Role::Resource | Role::Component))
        .map(|r| r.path.as_str())
        .filter(|t| by_dir.contains_key(*t))
        .collect();
    let roots: Vec<(&String, &Kust)> = by_dir
        .iter()
        .filter(|(d, _)| !included.contains(d.as_str()))
        .collect();
    roots
        .par_iter()
        .flat_map_iter(|(root, k)| {
            let mut out = Vec::new();
            visit(
                by_dir,
                root,
                k,
                &mut Vec::new(),
                &mut HashSet::default(),
                &mut out,
            );
            out
        })
        .collect()
}

/// Records the memberships of every file the kustomization `k` in `dir` (reached from the
/// unit root, `chain[0]`, through `chain`) lists, and of the kustomizations it includes.
fn visit<'a>(
    by_dir: &'a HashMap<String, Kust>,
    dir: &'a str,
    k: &'a Kust,
    chain: &mut Vec<&'a Kust>,
    visiting: &mut HashSet<&'a str>,
    out: &mut Vec<(Result<u32, &'a str>, Arc<Membership>)>,
) {
    if !visiting.insert(dir) || chain.len() > 64 {
        return; // a cycle: kustomize rejects it; the graph just stops
    }
    chain.push(k);
    // Every file this kustomization lists directly shares one membership.
    let mut here: Option<Arc<Membership>> = None;
    for r in &k.refs {
        if !matches!(r.role, Role::Resource | Role::Component) {
            continue;
        }
        let target = r.path.as_str();
        // (An input is a file, not a kustomization's directory.)
        if let Some(child) = r.input.is_none().then(|| by_dir.get(target)).flatten() {
            visit(by_dir, target, child, chain, visiting, out);
        } else {
            let m = here.get_or_insert_with(|| {
                Arc::new(Membership {
                    unit: chain[0].path.clone(), // (the root's kustomization)
                    namespace: chain.iter().find_map(|k| k.namespace.clone()),
                    prefix: chain.iter().map(|k| k.prefix.as_str()).collect(),
                    suffix: chain.iter().rev().map(|k| k.suffix.as_str()).collect(),
                    transformed: chain.iter().any(|k| k.transforms),
                    pinned_images: chain
                        .iter()
                        .flat_map(|k| k.pinned_images.iter().cloned())
                        .collect(),
                    image_renames: chain
                        .iter()
                        .rev()
                        .flat_map(|k| k.image_renames.iter().cloned())
                        .collect(),
                })
            });
            out.push((r.input.ok_or(target), Arc::clone(m)));
        }
    }
    chain.pop();
    visiting.remove(dir);
}

fn read_kust(path: &str, dir: &str, root: &Node) -> Kust {
    let mut k = Kust {
        path: path.to_string(),
        namespace: root
            .get_str("namespace")
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        prefix: root.get_str("namePrefix").unwrap_or("").to_string(),
        suffix: root.get_str("nameSuffix").unwrap_or("").to_string(),
        has_generators: root
            .get("generators")
            .is_some_and(|g| !g.items().is_empty()),
        transforms: [
            "replacements",
            "patches",
            "patchesStrategicMerge",
            "patchesJson6902",
            "transformers",
        ]
        .iter()
        .any(|k| root.get(k).is_some_and(|v| !v.items().is_empty())),
        ..Kust::default()
    };
    for r in kustomize::references(root) {
        k.refs.push(KustRef {
            path: kustomize::resolve(dir, r.path),
            role: r.role,
            input: None,
        });
    }
    if let Some(images) = root.get("images") {
        for i in images.items() {
            let pins = i.get("newTag").is_some() || i.get("digest").is_some();
            if let (true, Some(name)) = (pins, i.get_str("name")) {
                k.pinned_images.push(name.to_string());
            }
            if let (Some(name), Some(new)) = (i.get_str("name"), i.get_str("newName"))
                && !new.is_empty()
            {
                k.image_renames.push((name.to_string(), new.to_string()));
            }
        }
    }
    k
}

/// The comments of a YAML file (text after a `#` that starts a line or follows a blank),
/// one per line.
fn comments(src: &str) -> String {
    let mut out = String::new();
    if memchr::memchr(b'#', src.as_bytes()).is_none() {
        return out;
    }
    for line in src.lines() {
        if memchr::memchr(b'#', line.as_bytes()).is_none() {
            continue;
        }
        let t = line.trim_start();
        let at = if t.starts_with('#') {
            Some(0)
        } else {
            t.find(" #")
        };
        if let Some(i) = at {
            out.push_str(&t[i..]);
            out.push('\n');
        }
    }
    out
}

/// The path under `root` that equals `rel` but for letter case, if one exists.
fn case_insensitive_match(root: &Path, rel: &str) -> Option<String> {
    let mut cur = root.to_path_buf();
    let mut parts = Vec::new();
    let mut changed = false;
    for comp in rel.split('/') {
        if comp == ".." || comp.is_empty() {
            return None;
        }
        let exact = cur.join(comp);
        if exact.exists() {
            cur = exact;
            parts.push(comp.to_string());
            continue;
        }
        let lower = comp.to_lowercase();
        let found = std::fs::read_dir(&cur).ok()?.find_map(|e| {
            let e = e.ok()?;
            let n = e.file_name().to_string_lossy().into_owned();
            (n.to_lowercase() == lower).then_some(n)
        })?;
        cur = cur.join(&found);
        parts.push(found);
        changed = true;
    }
    changed.then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[(&str, &str)]) -> Project {
        Project::build(None, files)
    }

    #[test]
    fn units_namespaces_prefixes_and_fragments() {
        let p = project(&[
            (
                "base/kustomization.yaml",
                "resources: [deploy.yaml]\nnamePrefix: b-\n",
            ),
            (
                "prod/kustomization.yaml",
                "namespace: prod\nnamePrefix: p-\nresources: [../base, extra.yaml]\npatches:\n  - path: replicas.yaml\nimages:\n  - name: web\n    newTag: 1.2.3\n",
            ),
            ("dev/kustomization.yaml", "resources: [../base]\n"),
        ]);
        let ms = p.memberships("base/deploy.yaml");
        assert_eq!(ms.len(), 2);
        assert_eq!(ms[0].unit, "dev/kustomization.yaml");
        assert_eq!(ms[0].namespace, None);
        assert_eq!(ms[0].name("x"), "b-x");
        assert_eq!(ms[1].unit, "prod/kustomization.yaml");
        assert_eq!(ms[1].namespace.as_deref(), Some("prod"));
        assert_eq!(ms[1].name("x"), "p-b-x");
        assert!(p.is_fragment("prod/replicas.yaml"));
        assert!(!p.is_fragment("prod/extra.yaml"));
        assert!(p.is_referenced("prod/extra.yaml"));
        // Pinned in prod only: not pinned for every unit.
        assert!(!p.image_pinned("base/deploy.yaml", "web"));
        assert!(p.image_pinned("prod/extra.yaml", "web"));
    }

    #[test]
    fn inputs_are_found_by_index() {
        let files = [
            "app/deploy.yaml",
            "app/kustomization.yaml",
            "app/patch.yaml",
            "base/kustomization.yaml",
        ];
        let ks = [
            (
                "app/kustomization.yaml",
                "resources: [deploy.yaml, ../base, gone.yaml]\npatches: [{path: patch.yaml}]\n",
            ),
            ("base/kustomization.yaml", "resources: []\n"),
        ];
        let parsed = ks
            .iter()
            .filter_map(|(p, s)| KustomizationFile::parse(p, s))
            .collect();
        let p = Project::from_parsed(None, parsed, KnownFiles::of(files.iter().copied()));
        // By index and by path alike.
        assert_eq!(p.file_at(0).memberships.len(), 1);
        assert_eq!(p.file_at(0).memberships[0].unit, "app/kustomization.yaml");
        assert!(p.file_at(2).fragment && p.is_fragment("app/patch.yaml"));
        assert!(!p.file_at(3).referenced);
        assert!(p.file_at(99).memberships.is_empty());
        // The references keep the input they point at (none for a directory or a missing file).
        let refs = p.kustomization_refs("app/kustomization.yaml").unwrap();
        let inputs: Vec<(&str, Option<u32>)> =
            refs.iter().map(|r| (r.path.as_str(), r.input)).collect();
        assert_eq!(
            inputs,
            [
                ("app/deploy.yaml", Some(0)),
                ("base", None),
                ("app/gone.yaml", None),
                ("app/patch.yaml", Some(2)),
            ]
        );
        assert!(p.kustomization_refs("app/deploy.yaml").is_none());
        assert_eq!(p.input_index("base/kustomization.yaml"), Some(3));
    }

    #[test]
    fn image_renames_apply_innermost_first() {
        let p = project(&[
            (
                "base/kustomization.yaml",
                "resources: [deploy.yaml]\nimages:\n  - {name: app, newName: mirror.local/app}\n",
            ),
            (
                "prod/kustomization.yaml",
                "resources: [../base]\nimages:\n  - {name: mirror.local/app, newName: ghcr.io/acme/app, newTag: '2'}\n",
            ),
        ]);
        let ms = p.memberships("base/deploy.yaml");
        assert_eq!(ms.len(), 1);
        assert_eq!(ms[0].image_name("app"), "ghcr.io/acme/app");
        assert_eq!(ms[0].image_name("other"), "other");
    }

    #[test]
    fn cycles_stop() {
        let p = project(&[
            ("a/kustomization.yaml", "resources: [../b, x.yaml]\n"),
            ("b/kustomization.yaml", "resources: [../a]\n"),
        ]);
        // Both include each other: neither is a root, so no unit (kustomize rejects it).
        assert!(p.memberships("a/x.yaml").is_empty());
    }

    #[test]
    fn case_mismatch_is_found() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("Apps")).unwrap();
        std::fs::write(dir.path().join("Apps/Deploy.yaml"), "").unwrap();
        let p = Project::build(Some(dir.path()), &[]);
        assert_eq!(
            p.target("apps/deploy.yaml"),
            Target::Missing(Some("Apps/Deploy.yaml".into()))
        );
        assert_eq!(p.target("Apps"), Target::Dir(false));
        assert_eq!(p.target("Apps/Deploy.yaml"), Target::File);
        assert_eq!(p.target("nope.yaml"), Target::Missing(None));
    }
}
