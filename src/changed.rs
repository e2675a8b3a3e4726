//! `--changed-since REV`: the files changed since a git revision (committed,
//! staged, in the work tree, or new and not ignored), for reporting only the
//! findings located in them. Cross-file rules still see the whole tree.

use crate::component::Component;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Why the changed files cannot be listed.
#[derive(Debug, thiserror::Error)]
pub enum ChangedError {
    #[error("--changed-since needs git: {0}")]
    NoGit(std::io::Error),
    #[error("--changed-since: git {args} failed in {dir}: {message}")]
    Git {
        args: String,
        dir: String,
        message: String,
    },
    #[error("--changed-since: unknown revision `{rev}` in {top}")]
    UnknownRevision { rev: String, top: String },
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, ChangedError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(ChangedError::NoGit)?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr);
        return Err(ChangedError::Git {
            args: args.join(" "),
            dir: dir.display().to_string(),
            message: msg.trim().to_string(),
        });
    }
    Ok(out.stdout)
}

/// The changed files of every component, canonicalized.
pub fn changed_files(
    components: &[Component],
    rev: &str,
) -> Result<HashSet<PathBuf>, ChangedError> {
    let mut out = HashSet::new();
    let mut tops = HashSet::new();
    for c in components {
        let dir = if c.root.is_file() {
            c.root.parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            c.root.clone()
        };
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        let top = git(&dir, &["rev-parse", "--show-toplevel"])?;
        let top = PathBuf::from(String::from_utf8_lossy(&top).trim());
        if !tops.insert(top.clone()) {
            continue;
        }
        // Verify the revision first: a clear message for a typo.
        git(
            &top,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ],
        )
        .map_err(|_| ChangedError::UnknownRevision {
            rev: rev.to_string(),
            top: top.display().to_string(),
        })?;
        let diff = git(&top, &["diff", "--name-only", "-z", rev, "--"])?;
        let new = git(&top, &["ls-files", "--others", "--exclude-standard", "-z"])?;
        for name in diff.split(|&b| b == 0).chain(new.split(|&b| b == 0)) {
            if name.is_empty() {
                continue;
            }
            let p = top.join(String::from_utf8_lossy(name).as_ref());
            out.insert(std::fs::canonicalize(&p).unwrap_or(p));
        }
    }
    Ok(out)
}
