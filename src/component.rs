//! Components: each scanned tree is one client repo (GitLab-CE, Workhorse, Shell, ...).

use std::path::{Path, PathBuf};

/// A scanned tree.
#[derive(Debug, Clone)]
pub struct Component {
    pub name: String,
    pub root: PathBuf,
}

impl Component {
    /// From a command-line argument: `PATH` or `NAME=PATH`.
    pub fn from_arg(arg: &str) -> Component {
        if let Some((name, path)) = arg.split_once('=') {
            let valid = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
            if valid && !Path::new(arg).exists() {
                return Component {
                    name: name.to_string(),
                    root: PathBuf::from(path),
                };
            }
        }
        let root = PathBuf::from(arg);
        Component {
            name: detect_name(&root),
            root,
        }
    }
}

/// Whether a tree is Gitaly itself (the server side of the flags): its
/// `go.mod` declares module `gitlab.com/gitlab-org/gitaly` (any major
/// version), or it has `cmd/gitaly/` (the eras before Go modules).
pub fn is_server(root: &Path) -> bool {
    if root.join("cmd/gitaly").is_dir() {
        return true;
    }
    let Ok(bytes) = std::fs::read(root.join("go.mod")) else {
        return false;
    };
    go_mod_is_gitaly(&String::from_utf8_lossy(&bytes))
}

/// Whether a `go.mod` declares module `gitlab.com/gitlab-org/gitaly` (any
/// major version).
pub fn go_mod_is_gitaly(text: &str) -> bool {
    text.lines().any(|l| {
        l.trim()
            .strip_prefix("module")
            .map(str::trim)
            .and_then(|m| m.strip_prefix("gitlab.com/gitlab-org/gitaly"))
            .is_some_and(|rest| rest.is_empty() || rest.starts_with("/v"))
    })
}

/// Names a tree by what it holds: Gitaly ([`is_server`]); GitLab-CE has `lib/gitlab/gitaly_client.rb`
/// (or a Gemfile that names gitaly); Workhorse is a Go module named
/// gitlab-workhorse or has `internal/gitaly/`; Shell has `bin/gitlab-shell` or
/// `lib/gitlab_shell.rb`; otherwise the directory's name.
pub fn detect_name(root: &Path) -> String {
    let has = |p: &str| root.join(p).exists();
    let read = |p: &str| std::fs::read(root.join(p)).ok();
    if is_server(root) {
        return "gitaly".to_string();
    }
    if let Some(name) = detect_client(&has, &read) {
        return name.to_string();
    }
    let dir = if root.is_file() {
        root.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        root.to_path_buf()
    };
    std::fs::canonicalize(&dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "root".to_string())
}

/// A client tree's name by what it holds (see [`detect_name`]): `has` tells
/// whether a path exists, `read` reads a file (a directory or a git tree).
pub fn detect_client(
    has: &dyn Fn(&str) -> bool,
    read: &dyn Fn(&str) -> Option<Vec<u8>>,
) -> Option<&'static str> {
    let contains = |p: &str, needle: &str| {
        read(p).is_some_and(|b| memchr::memmem::find(&b, needle.as_bytes()).is_some())
    };
    if has("lib/gitlab/gitaly_client.rb") || (has("app") && contains("Gemfile", "gitaly")) {
        return Some("gitlab-ce");
    }
    if has("bin/gitlab-shell") || has("lib/gitlab_shell.rb") {
        return Some("gitlab-shell");
    }
    if contains("go.mod", "gitlab-workhorse") || has("internal/gitaly") {
        return Some("gitlab-workhorse");
    }
    None
}
