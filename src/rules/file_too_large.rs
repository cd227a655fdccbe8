use crate::finding::Finding;
use crate::rules::declare_rule;
use crate::yaml::Span;

declare_rule! {
    /// ## What it does
    /// Reports a file larger than `--max-file-size` (default 10 MiB). It is not scanned.
    ///
    /// ## Why is this bad?
    /// A manifest that large is unusual in an env repo (generated bundles, vendored charts,
    /// accidentally committed dumps) and could hide anything. envgate says it skipped it
    /// rather than skipping it silently.
    ///
    /// ## Example
    /// A 40 MB `all-crds.yaml` generated into the repo.
    ///
    /// ## Use instead
    /// Split the file, exclude it in `.envgate.yaml`, or raise `--max-file-size`.
    pub struct FileTooLarge {
        id: "file-too-large",
        severity: Warning,
        summary: "A file over the size cap, not scanned",
        group: "input",
    }
}

impl FileTooLarge {
    pub fn finding(path: &str, size: u64, cap: u64) -> Finding {
        Finding::new(
            &Self::META,
            path,
            Span::file_start(),
            format!("file is {size} bytes, over the {cap}-byte cap; not scanned"),
            "too-large",
        )
        .help("split it, exclude it in .envgate.yaml, or raise --max-file-size")
    }
}
