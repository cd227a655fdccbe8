//! Versions and Git revisions that GitOps objects point at: is a reference pinned (an exact
//! version, a tag, a commit) or does it move (a branch, `HEAD`, a semver range)?

use crate::placeholder::is_placeholder_only;

/// True when `v` contains a placeholder (`${VAR}`, `$(VAR)`, `{{ … }}`): its value is unknown.
pub fn has_placeholder(v: &str) -> bool {
    crate::placeholder::contains_placeholder(v) || is_placeholder_only(v)
}

/// True for an exact semantic version: `1.2.3`, `v1.2.3`, `=1.2.3`, `1.2.3-rc.1+build`.
pub fn is_exact_semver(v: &str) -> bool {
    let v = v.trim();
    let v = v.strip_prefix('=').unwrap_or(v).trim_start();
    let v = v.strip_prefix(['v', 'V']).unwrap_or(v);
    let core = v.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && (core.len() == v.len()
            || v[core.len() + 1..]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+')))
}

/// Why a Helm chart version constraint is not one exact version, or `None` when it is (or
/// when it is a placeholder). An empty or missing version means "latest" to Helm and Flux.
pub fn chart_version_problem(v: Option<&str>) -> Option<&'static str> {
    let Some(v) = v.map(str::trim) else {
        return Some("has no version (the newest chart is installed)");
    };
    if v.is_empty() {
        return Some("has an empty version (the newest chart is installed)");
    }
    if has_placeholder(v) || is_exact_semver(v) {
        return None;
    }
    if v == "*" || v == "x" || v == "X" {
        return Some("accepts any version (`*`)");
    }
    if v.contains(['>', '<', '~', '^', '*', '|', ',', ' '])
        || v.split('.').any(|p| p == "x" || p == "X")
    {
        return Some("is a version range");
    }
    let core = v.strip_prefix(['v', 'V']).unwrap_or(v);
    if !core.is_empty()
        && core.split('.').count() < 3
        && core
            .split('.')
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Some("is a partial version (Helm reads `1.2` as the range `1.2.x`)");
    }
    None
}

/// True for a full 40-hex (SHA-1) or 64-hex (SHA-256) commit id.
pub fn is_commit_sha(v: &str) -> bool {
    (v.len() == 40 || v.len() == 64) && v.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Why a Git revision moves, or `None` when it looks pinned: a commit SHA or a tag that
/// contains a version number (`v1.2.3`, `1.4`, `app-2.0.1`). Anything without a digit
/// (`main`, `master`, `HEAD`, `develop`, `stable`) is a branch or a moving tag.
pub fn git_revision_problem(v: &str) -> Option<&'static str> {
    let v = v.trim();
    if v.is_empty() {
        return Some("is empty (follows the default branch)");
    }
    if has_placeholder(v) || is_commit_sha(v) {
        return None;
    }
    if v == "HEAD" {
        return Some("follows the default branch");
    }
    if v.contains(['*', '>', '<', '~', '^']) || v.split('.').any(|p| p == "x" || p == "X") {
        return Some("is a version range");
    }
    if !v.bytes().any(|b| b.is_ascii_digit()) {
        return Some("looks like a branch name");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_versions() {
        for v in ["1.2.3", "v1.2.3", "=1.2.3", "1.2.3-rc.1", "0.0.1+build.5"] {
            assert!(is_exact_semver(v), "{v}");
            assert_eq!(chart_version_problem(Some(v)), None, "{v}");
        }
        for v in [
            "1.2",
            "1",
            "1.2.x",
            "*",
            ">=1.0.0",
            "~1.2",
            "^2",
            "1.2.3 - 1.4",
            "main",
        ] {
            assert!(!is_exact_semver(v), "{v}");
        }
    }

    #[test]
    fn chart_versions() {
        assert!(chart_version_problem(None).is_some());
        for v in [
            "", "*", ">=1.0.0", "1.x", "~1.2", "^1.2.3", "1.2", "v2", ">=1 <2", "1.2.*",
        ] {
            assert!(chart_version_problem(Some(v)).is_some(), "{v}");
        }
        for v in ["1.2.3", "${CHART_VERSION}", "{{ .version }}"] {
            assert_eq!(chart_version_problem(Some(v)), None, "{v}");
        }
    }

    #[test]
    fn git_revisions() {
        for v in [
            "",
            "HEAD",
            "main",
            "master",
            "develop",
            "stable",
            "feature/x",
            "1.2.*",
        ] {
            assert!(git_revision_problem(v).is_some(), "{v}");
        }
        for v in [
            "v1.2.3",
            "1.4",
            "app-2.0.1",
            "0123456789abcdef0123456789abcdef01234567",
            "{{ .revision }}",
            "${REV}",
        ] {
            assert_eq!(git_revision_problem(v), None, "{v}");
        }
    }
}
