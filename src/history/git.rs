//! The git side of the history: the repository's release tags and the files
//! of a revision's tree, read from the object database with gitoxide (`gix`),
//! without a checkout.

use super::Release;
use std::path::{Path, PathBuf};

/// Why a repository's history cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{}: not a git repository: {message}", .path.display())]
    Open { path: PathBuf, message: String },
    #[error("{}: cannot list its tags: {message}", .path.display())]
    Tags { path: PathBuf, message: String },
    #[error("{}: revision `{rev}`: {message}", .path.display())]
    Rev {
        path: PathBuf,
        rev: String,
        message: String,
    },
    #[error("{}: no release tags (vX.Y.0) to read; name revisions with --revs", .path.display())]
    NoReleases { path: PathBuf },
    #[error("--revs {spec}: {message}")]
    Spec { spec: String, message: String },
}

/// An opened repository.
pub struct Repo {
    pub path: PathBuf,
    pub repo: gix::ThreadSafeRepository,
    /// The component's directory inside the work tree (`sub/dir`), when it
    /// is not the work tree's root: each revision's tree is then that
    /// directory's.
    pub subdir: Option<String>,
}

/// One revision to read.
#[derive(Debug, Clone)]
pub struct Rev {
    /// As named (`v10.6.0`, `main`, a commit id).
    pub name: String,
    pub commit: gix::ObjectId,
    pub tree: gix::ObjectId,
    /// The committer's date, `YYYY-MM-DD`.
    pub date: String,
}

impl Repo {
    /// Opens the repository at or above `path` (a work tree or a bare
    /// repository).
    pub fn open(path: &Path) -> Result<Repo, GitError> {
        let repo = gix::discover(path).map_err(|e| GitError::Open {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let subdir = repo.workdir().and_then(|w| {
            let (w, p) = (
                std::fs::canonicalize(w).ok()?,
                std::fs::canonicalize(path).ok()?,
            );
            let rel = p
                .strip_prefix(&w)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            (!rel.is_empty()).then_some(rel)
        });
        Ok(Repo {
            path: path.to_path_buf(),
            repo: repo.into_sync(),
            subdir,
        })
    }

    /// Every tag name, with the release it names (`v10.6.0`, `10.6.0`) when it
    /// is one.
    pub fn tags(&self) -> Result<Vec<(String, Option<Release>)>, GitError> {
        let repo = self.repo.to_thread_local();
        let err = |e: &dyn std::fmt::Display| GitError::Tags {
            path: self.path.clone(),
            message: e.to_string(),
        };
        let platform = repo.references().map_err(|e| err(&e))?;
        let mut out = Vec::new();
        for r in platform.tags().map_err(|e| err(&e))? {
            let r = r.map_err(|e| err(&e))?;
            let name = r.name().shorten().to_string();
            let release = Release::parse_tag(&name);
            out.push((name, release));
        }
        Ok(out)
    }

    /// The release tags (`vX.Y.0`), oldest first.
    pub fn release_tags(&self) -> Result<Vec<(String, Release)>, GitError> {
        let mut tags: Vec<(String, Release)> = self
            .tags()?
            .into_iter()
            .filter_map(|(n, r)| r.filter(|r| r.patch == 0).map(|r| (n, r)))
            .collect();
        tags.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        // `v10.6.0` and `10.6.0` name one release: the first name wins.
        tags.dedup_by(|b, a| a.1 == b.1);
        Ok(tags)
    }

    /// Resolves `name` to its commit, tree and date.
    pub fn rev(&self, name: &str) -> Result<Rev, GitError> {
        let repo = self.repo.to_thread_local();
        let err = |message: String| GitError::Rev {
            path: self.path.clone(),
            rev: name.to_string(),
            message,
        };
        // A reference (tag, branch, `HEAD`), or a commit id (4 to 40 hex digits).
        let id = match repo.find_reference(name) {
            Ok(mut r) => r.peel_to_id().map_err(|e| err(e.to_string()))?.detach(),
            Err(e) => {
                let not_found = || {
                    err(format!(
                        "no such tag, branch or commit ({e}); name a tag, a branch, HEAD or a commit id"
                    ))
                };
                let prefix = (name.len() >= 4 && name.bytes().all(|b| b.is_ascii_hexdigit()))
                    .then(|| gix::hash::Prefix::from_hex(name).ok())
                    .flatten()
                    .ok_or_else(not_found)?;
                match repo.objects.lookup_prefix(prefix, None) {
                    Ok(Some(Ok(id))) => id,
                    Ok(Some(Err(()))) => {
                        return Err(err(
                            "the abbreviated commit id is ambiguous: give more digits".into(),
                        ))
                    }
                    Ok(None) => return Err(not_found()),
                    Err(e) => return Err(err(e.to_string())),
                }
            }
        };
        let commit = repo
            .find_object(id)
            .map_err(|e| err(e.to_string()))?
            .peel_to_commit()
            .map_err(|e| err(e.to_string()))?;
        let mut tree = commit.tree_id().map_err(|e| err(e.to_string()))?.detach();
        if let Some(dir) = &self.subdir {
            tree = match entry_at(&repo, tree, dir) {
                Some((id, false)) => id,
                _ => return Err(err(format!("no directory {dir} in this revision"))),
            };
        }
        let seconds = commit.time().map(|t| t.seconds).unwrap_or(0);
        Ok(Rev {
            name: name.to_string(),
            commit: commit.id().detach(),
            tree,
            date: civil_date(seconds),
        })
    }
}

/// The entry at `path` of the tree `tree` (a file or a directory): its id and
/// whether it is a blob.
pub fn entry_at(
    repo: &gix::Repository,
    tree: gix::ObjectId,
    path: &str,
) -> Option<(gix::ObjectId, bool)> {
    let tree = repo.find_tree(tree).ok()?;
    let entry = tree.lookup_entry_by_path(path).ok()??;
    Some((entry.object_id(), entry.mode().is_blob()))
}

/// Entries of a tree by name (as UTF-8, lossy).
pub type Named = Vec<(String, gix::ObjectId)>;

/// The entries of one tree: subtrees and blobs.
pub fn tree_entries(repo: &gix::Repository, tree: gix::ObjectId) -> Result<(Named, Named), String> {
    let tree = repo.find_tree(tree).map_err(|e| e.to_string())?;
    let (mut dirs, mut files) = (Vec::new(), Vec::new());
    for entry in tree.iter() {
        let entry = entry.map_err(|e| e.to_string())?;
        let mode = entry.mode();
        let name = String::from_utf8_lossy(entry.filename()).into_owned();
        if mode.is_tree() {
            dirs.push((name, entry.object_id()));
        } else if mode.is_blob() {
            files.push((name, entry.object_id()));
        }
    }
    Ok((dirs, files))
}

/// A blob's bytes, or `None` when it is larger than `limit`; an error when
/// it is missing from the object database (a mirror may lack some). The
/// blob is read whole before its size is known: asking the pack for the size
/// first costs a second lookup per blob, and no blob a frontend reads is
/// large enough for that to matter.
pub fn read_blob(
    repo: &gix::Repository,
    id: gix::ObjectId,
    limit: u64,
) -> Result<Option<Vec<u8>>, String> {
    let mut object = repo.find_object(id).map_err(|e| e.to_string())?;
    if object.data.len() as u64 > limit {
        return Ok(None);
    }
    Ok(Some(std::mem::take(&mut object.data)))
}

/// `YYYY-MM-DD` of a Unix time (UTC), by the days-from-civil algorithm.
pub fn civil_date(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil() {
        assert_eq!(civil_date(0), "1970-01-01");
        // GitLab 10.0.0 was tagged on 2017-09-22.
        assert_eq!(civil_date(1_506_038_400), "2017-09-22");
        assert_eq!(civil_date(951_782_400), "2000-02-29");
    }
}
