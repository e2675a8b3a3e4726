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
    String::from_utf8_lossy(&bytes).lines().any(|l| {
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
    let contains = |p: &str, needle: &str| {
        std::fs::read(root.join(p))
            .map(|b| memchr::memmem::find(&b, needle.as_bytes()).is_some())
            .unwrap_or(false)
    };
    if is_server(root) {
        return "gitaly".to_string();
    }
    if has("lib/gitlab/gitaly_client.rb") || (has("app") && contains("Gemfile", "gitaly")) {
        return "gitlab-ce".to_string();
    }
    if has("bin/gitlab-shell") || has("lib/gitlab_shell.rb") {
        return "gitlab-shell".to_string();
    }
    if contains("go.mod", "gitlab-workhorse") || has("internal/gitaly") {
        return "gitlab-workhorse".to_string();
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
