use crate::finding::Finding;
use crate::rules::declare_rule;
use crate::yaml::Span;

declare_rule! {
    /// ## What it does
    /// Reports a file or directory that envgate could not read (permissions, I/O error, a
    /// path that vanished during the scan).
    ///
    /// ## Why is this bad?
    /// A file that was not read was not checked. envgate fails closed: it never treats
    /// "could not look" as "nothing found".
    ///
    /// ## Example
    /// A manifest with mode `000`, or a directory the CI user cannot list.
    ///
    /// ## Use instead
    /// Fix the permissions, or exclude the path in `.envgate.yaml` (`exclude:`) if it is
    /// deliberately not part of the env repo.
    pub struct FileUnreadable {
        id: "file-unreadable",
        severity: Error,
        summary: "A file or directory that could not be read",
        group: "input",
    }
}

impl FileUnreadable {
    pub fn finding(path: &str, error: &str) -> Finding {
        Finding::new(
            &Self::META,
            path,
            Span::file_start(),
            format!("could not read: {error}"),
            "unreadable",
        )
    }
}
