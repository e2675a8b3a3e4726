//! Stage 7: reports. Human (miette diagnostics and tables) and JSON.

pub mod ci;
pub mod history;
pub mod human;
pub mod json;

use crate::model::{Finding, Severity};
use crate::scan::Stats;
use percent_encoding::{percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

/// Counts of findings by severity.
pub fn counts(findings: &[Finding]) -> (usize, usize) {
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    (errors, findings.len() - errors)
}

/// One rule's share of the findings (`check --statistics`, the human
/// report's per-rule summary).
#[derive(Debug, serde::Serialize)]
pub struct RuleCount {
    pub code: crate::rules::RuleCode,
    pub name: &'static str,
    pub severity: Severity,
    pub count: usize,
}

/// The findings counted per rule (and severity: a rule's findings share one),
/// errors first, then by code.
pub fn statistics(findings: &[Finding]) -> Vec<RuleCount> {
    type Key = (
        std::cmp::Reverse<Severity>,
        crate::rules::RuleCode,
        &'static str,
    );
    let mut counts: std::collections::BTreeMap<Key, usize> = std::collections::BTreeMap::new();
    for f in findings {
        *counts
            .entry((std::cmp::Reverse(f.severity), f.code, f.rule))
            .or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((severity, code, name), count)| RuleCount {
            code,
            name,
            severity: severity.0,
            count,
        })
        .collect()
}

/// The one-line summary that ends human output.
pub fn summary_line(stats: &Stats, references: usize, findings: Option<&[Finding]>) -> String {
    let mut s = format!(
        "{} files walked, {} read, {} parsed; {} reference{}",
        stats.files_walked,
        stats.files_read,
        stats.files_parsed,
        references,
        if references == 1 { "" } else { "s" }
    );
    if let Some(f) = findings {
        let (e, w) = counts(f);
        s.push_str(&format!(
            "; {e} error{}, {w} warning{}",
            if e == 1 { "" } else { "s" },
            if w == 1 { "" } else { "s" }
        ));
    }
    s.push_str(&format!(" in {:.2}s", stats.elapsed.as_secs_f64()));
    s
}

/// File bytes as text with the same byte offsets: each invalid UTF-8 byte
/// becomes `?`, so spans computed on the bytes stay right.
pub fn text_keeping_offsets(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for _ in chunk.invalid() {
            out.push('?');
        }
    }
    out
}

/// The catalog's endpoints by service and method.
pub fn sorted_endpoints(catalog: &crate::catalog::Catalog) -> Vec<&crate::catalog::Endpoint> {
    let mut v: Vec<_> = catalog.endpoints().iter().collect();
    v.sort_by(|a, b| (&a.service, &a.method).cmp(&(&b.service, &b.method)));
    v
}

/// The working directory, read once (paths are shown relative to it).
fn working_dir() -> Option<&'static (PathBuf, Option<PathBuf>)> {
    static CWD: OnceLock<Option<(PathBuf, Option<PathBuf>)>> = OnceLock::new();
    CWD.get_or_init(|| {
        let cwd = std::env::current_dir().ok()?;
        let canonical = std::fs::canonicalize(&cwd).ok().filter(|c| *c != cwd);
        Some((cwd, canonical))
    })
    .as_ref()
}

/// A file as the formats meant to be opened from the working directory show
/// it (human, concise, SARIF, Code Quality, GitHub): relative to the working
/// directory (an absolute path outside it stays absolute), without `.`
/// components, `/`-separated. Each item is one path component's raw bytes.
fn shown_components(path: &Path) -> (bool, Vec<&OsStr>) {
    let mut p = path;
    if p.is_absolute() {
        if let Some((cwd, canonical)) = working_dir() {
            if let Some(rest) = p
                .strip_prefix(cwd)
                .ok()
                .or_else(|| canonical.as_ref().and_then(|c| p.strip_prefix(c).ok()))
            {
                p = rest;
            }
        }
    }
    let mut absolute = false;
    let mut parts = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::RootDir => absolute = true,
            Component::Prefix(x) => parts.push(x.as_os_str()),
            Component::ParentDir => parts.push(OsStr::new("..")),
            Component::Normal(x) => parts.push(x),
        }
    }
    (absolute, parts)
}

/// The path of a file relative to the working directory, `/`-separated,
/// without `./` (see `shown_components`); invalid UTF-8 is replaced.
pub fn shown_path(path: &Path) -> String {
    join_shown(path, "/", |p| p.to_string_lossy().into_owned())
}

/// The [`shown_components`] of `path`, each written by `segment`, joined with
/// `/`; after `root` when the path is absolute.
fn join_shown(path: &Path, root: &str, segment: impl Fn(&OsStr) -> String) -> String {
    let (absolute, parts) = shown_components(path);
    let joined = parts
        .iter()
        .map(|p| segment(p))
        .collect::<Vec<_>>()
        .join("/");
    if absolute {
        format!("{root}{joined}")
    } else {
        joined
    }
}

/// Everything but RFC 3986's unreserved characters is percent-encoded in a
/// path segment (`:` too: `a:b/x.rb` must not read as a URI scheme).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

#[cfg(unix)]
fn raw_bytes(s: &OsStr) -> std::borrow::Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    std::borrow::Cow::Borrowed(s.as_bytes())
}

#[cfg(not(unix))]
fn raw_bytes(s: &OsStr) -> std::borrow::Cow<'_, [u8]> {
    match s.to_string_lossy() {
        std::borrow::Cow::Borrowed(t) => std::borrow::Cow::Borrowed(t.as_bytes()),
        std::borrow::Cow::Owned(t) => std::borrow::Cow::Owned(t.into_bytes()),
    }
}

/// The file as a URI reference for SARIF: the [`shown_path`] with every
/// segment percent-encoded (spaces, `%`, `#`, `?`, non-ASCII as UTF-8, and on
/// Unix a name's raw bytes when it is not UTF-8); a `file://` URI when the
/// file is outside the working directory.
pub fn uri_of(path: &Path) -> String {
    join_shown(path, "file:///", |p| {
        percent_encode(&raw_bytes(p), SEGMENT).to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_shown_relative_without_dot_components() {
        assert_eq!(shown_path(Path::new("./a/./b.rb")), "a/b.rb");
        assert_eq!(shown_path(Path::new("../x/b.rb")), "../x/b.rb");
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(shown_path(&cwd.join("lib/x.rb")), "lib/x.rb");
        assert_eq!(shown_path(Path::new("/nowhere/x.rb")), "/nowhere/x.rb");
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            uri_of(Path::new("./dir with space/50%#1?.rb")),
            "dir%20with%20space/50%25%231%3F.rb"
        );
        assert_eq!(uri_of(Path::new("ü/a:b.rb")), "%C3%BC/a%3Ab.rb");
        assert_eq!(
            uri_of(Path::new("/nowhere/x y.rb")),
            "file:///nowhere/x%20y.rb"
        );
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_names_keep_their_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let name = OsStr::from_bytes(b"lat\xe9.rb");
        assert_eq!(uri_of(Path::new(name)), "lat%E9.rb");
    }
}
