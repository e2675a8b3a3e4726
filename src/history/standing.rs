//! Where each component stands in the release calendar, for the overdue rule
//! (FL017) and the board: its current release (the tree's `VERSION` file, or
//! the repository's newest release tag) and, with `--history`, its features'
//! stages in the release tags before it.

use super::calendar::{ComponentStanding, Standing};
use super::git::Repo;
use super::{HistoryError, Release};
use crate::engine::{Settings, Sink};
use std::path::Path;

/// How `--history` was given: `None` (no history: the `VERSION` files and
/// the registry's `since` only), `Some(None)` (each component's own
/// repository), `Some(Some(repo))` (that repository for every component).
pub type HistorySource<'a> = Option<Option<&'a Path>>;

/// The components' standing; with history, reads the release tags older
/// than each component's current release (read as `flaglint history` reads them).
pub fn standing(
    settings: &Settings,
    history: HistorySource,
    sink: Sink,
    progress: bool,
) -> Result<Standing, HistoryError> {
    let mut out = Standing::default();
    let mut repos = Vec::new();
    let mut names = Vec::new();
    for c in &settings.components {
        let version = std::fs::read(c.root.join("VERSION"))
            .ok()
            .and_then(|b| Release::parse_loose(&String::from_utf8_lossy(&b)))
            .map(|r| (r, "VERSION".to_string()));
        let mut standing = ComponentStanding {
            component: c.name.clone(),
            current: version,
            ..ComponentStanding::default()
        };
        if let Some(repo_path) = history {
            let repo = Repo::open(repo_path.unwrap_or(&c.root))?;
            let tags = repo.release_tags()?;
            if standing.current.is_none() {
                standing.current = tags
                    .last()
                    .map(|(n, r)| (*r, format!("the newest release tag {n}")));
            }
            let before: Vec<(String, Release)> = match &standing.current {
                Some((cur, _)) => tags
                    .into_iter()
                    .filter(|(_, r)| (r.major, r.minor) < (cur.major, cur.minor))
                    .collect(),
                None => Vec::new(),
            };
            names.push(before.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>());
            standing.releases = before;
            repos.push(repo);
        }
        out.components.push(standing);
    }
    if history.is_some() {
        // The scanned trees keep their names: the tags' references must be
        // the same component's.
        let rename = vec![false; repos.len()];
        let read = super::read_revisions(settings, &repos, &names, &rename, false, sink, progress)?;
        for (standing, revs) in out.components.iter_mut().zip(read.revisions) {
            // The tags read (one that could not be is left out).
            standing
                .releases
                .retain(|(name, _)| revs.iter().any(|(r, _)| &r.name == name));
            let n = revs.len();
            for (i, (_, states)) in revs.into_iter().enumerate() {
                for (feature, state) in states {
                    standing
                        .states
                        .entry(feature)
                        .or_insert_with(|| vec![None; n])[i] = Some(state);
                }
            }
        }
    }
    Ok(out)
}
