//! `flaglint history`: where every feature stood in each release, read from
//! the repositories' own release tags.
//!
//! Every revision's tree is listed from the object database ([`git`], with
//! gitoxide: no checkout), and every distinct `(path, blob)` of all the
//! revisions is scanned **once**, in parallel, with the scan's own job
//! (prefilter, frontends): releases share most of their files, so the work
//! follows the number of distinct blobs, not revisions × tree size. Each
//! revision's outcomes are then resolved together as a scan's are, and reduced
//! to one [`State`] per feature ([`timeline`]).
//!
//! What keeps it fast: a subtree already walked at the same path is not read
//! again (its wanted files are remembered as blob indexes); the blobs are read
//! in path order, so a file's versions come one after the other on one thread
//! (they share delta bases in the pack cache) and each is parsed reusing the
//! tree of the one before ([`crate::frontend::with_versions_of`]).

pub mod calendar;
pub mod git;
pub mod standing;
pub mod timeline;

use crate::component::Component;
use crate::config::{Config, Stage};
use crate::discover::{FileEntry, DEFAULT_EXCLUDED_DIRS};
use crate::engine::{EngineError, Message, ScanRequest, Sink};
use crate::prefilter::Prefilter;
use crate::scan::{FileOutcome, Job};
use git::{GitError, Repo, Rev};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub use crate::model::Release;
pub use calendar::{Phase, Process, State};
pub use timeline::Overdue;

/// What `flaglint history` is asked.
#[derive(Debug, Clone, Default)]
pub struct HistoryRequest {
    pub scan: ScanRequest,
    /// `--revs`: `A..B` (release tags from A to B), a glob of tag names, or a
    /// comma-separated list of any of these and plain revisions.
    pub revs: Option<String>,
}

/// The history of every component.
#[derive(Debug, Clone, Default, Serialize)]
pub struct History {
    pub components: Vec<ComponentHistory>,
    #[serde(skip)]
    pub stats: HistoryStats,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Default)]
pub struct HistoryStats {
    pub revisions: usize,
    /// Files of every revision the frontends may read, summed over revisions.
    pub files: usize,
    /// Distinct `(path, blob)` among them: what was read.
    pub blobs: usize,
    /// Of those, parsed (passed the prefilter).
    pub parsed: usize,
    pub elapsed: Duration,
}

/// One component's history.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentHistory {
    pub component: String,
    /// The revisions read, oldest first (as given for `--revs` lists).
    pub revisions: Vec<Revision>,
    /// Every feature that has a reference in some revision, by name.
    pub features: Vec<FeatureHistory>,
}

/// One revision read.
#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    /// As named: `v10.6.0`.
    pub name: String,
    /// The release it is (`10.6`), from the tag name or the tree's `VERSION`.
    pub release: Option<String>,
    #[serde(skip)]
    pub version: Option<Release>,
    pub commit: String,
    /// The commit date, `YYYY-MM-DD`.
    pub date: String,
    /// References found in it.
    pub references: usize,
}

/// One feature across the revisions.
#[derive(Debug, Clone, Serialize)]
pub struct FeatureHistory {
    pub feature: String,
    /// The first revision with a reference.
    pub appeared: String,
    /// The revision after its last reference, when that is not the newest.
    pub removed: Option<String>,
    /// Its state in each revision (`null` where it had no reference).
    pub releases: Vec<Option<State>>,
    /// Runs of releases longer than the process allows at Opt-Out (due for
    /// Mandatory) or Opt-In (stale).
    pub overdue: Vec<Overdue>,
}

/// Why `history` could not run (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Git(#[from] GitError),
}

/// One distinct file to scan: where it first appears, and its blob.
struct Blob {
    component: usize,
    path: String,
    blob: gix::ObjectId,
    server: bool,
    /// What the frontends read of it (by its name, and the excludes).
    wanted: crate::discover::Wanted,
}

/// One revision's files: indexes into the distinct blobs, in path order.
struct RevFiles {
    component: usize,
    rev: Rev,
    version: Option<Release>,
    files: Vec<usize>,
    /// The stages of a `flaglint.toml` at the tree's root.
    registry: HashMap<String, Stage>,
}

/// Runs the history: lists the revisions, scans their distinct blobs once and
/// reduces each revision to its features' states. `progress` draws a bar on
/// standard error (the caller decides: a terminal, no `--quiet`).
pub fn run(req: &HistoryRequest, sink: Sink, progress: bool) -> Result<History, HistoryError> {
    let start = Instant::now();
    let settings = crate::engine::settings(&req.scan, sink)?;
    let repos = settings
        .components
        .iter()
        .map(|c| Repo::open(&c.root))
        .collect::<Result<Vec<_>, _>>()?;
    let names = repos
        .iter()
        .map(|r| select_revs(r, req.revs.as_deref()))
        .collect::<Result<Vec<_>, _>>()?;
    // A component named on the command line keeps its name.
    let rename: Vec<bool> = (0..repos.len())
        .map(|ci| !req.scan.paths.get(ci).is_some_and(|p| p.contains('=')))
        .collect();
    let strict = req.revs.is_some();
    let read = read_revisions(&settings, &repos, &names, &rename, strict, sink, progress)?;
    let process = Process::from_config(&settings.config);
    let mut history = History::default();
    for (c, revs) in read.components.iter().zip(read.revisions) {
        let (revisions, states): (Vec<Revision>, Vec<BTreeMap<String, State>>) =
            revs.into_iter().unzip();
        let per_rev: Vec<&BTreeMap<String, State>> = states.iter().collect();
        let features = timeline::features(&revisions, &per_rev, &process);
        history.components.push(ComponentHistory {
            component: c.name.clone(),
            revisions,
            features,
        });
    }
    history.stats = read.stats;
    history.stats.elapsed = start.elapsed();
    Ok(history)
}

/// What [`read_revisions`] gives: the components (a bare repository renamed
/// by its tree), and per component its revisions with their features' states.
pub(crate) struct Read {
    pub components: Vec<Component>,
    pub revisions: Vec<Vec<(Revision, BTreeMap<String, State>)>>,
    pub stats: HistoryStats,
}

/// Reads the revisions `names[i]` of each component's repository `repos[i]`:
/// lists their trees, scans every distinct blob once (in parallel) and
/// resolves each revision as a scan of its files. `rename[i]`: a bare
/// repository's component may be named by its newest tree.
pub(crate) fn read_revisions(
    settings: &crate::engine::Settings,
    repos: &[Repo],
    names: &[Vec<String>],
    rename: &[bool],
    strict: bool,
    sink: Sink,
    progress: bool,
) -> Result<Read, HistoryError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(settings.threads)
        .build()
        .map_err(|source| EngineError::Threads {
            threads: settings.threads,
            source,
        })?;
    let config = &settings.config;
    let opts = &settings.opts;
    let mut components = settings.components.clone();
    let excluded = Excludes::new(&opts.walk)?;

    // The revisions and their files; the distinct blobs.
    let mut found = Found::default();
    let mut revs: Vec<RevFiles> = Vec::new();
    for (ci, repo) in repos.iter().enumerate() {
        let resolved: Vec<Result<Rev, GitError>> =
            pool.install(|| names[ci].par_iter().map(|n| repo.rev(n)).collect());
        let local = repo.repo.to_thread_local();
        // A bare repository named by its path: named by its newest tree.
        if rename[ci] && local.workdir().is_none() {
            if let Some(Ok(newest)) = resolved.iter().rev().find(|r| r.is_ok()) {
                if let Some(name) = tree_name(&local, newest.tree) {
                    components[ci].name = name;
                }
            }
        }
        let mut walk = TreeWalk {
            repo: &local,
            component: ci,
            excluded: &excluded,
            default_excludes: opts.walk.default_excludes,
            found: &mut found,
            server: false,
        };
        for rev in resolved {
            // A revision named on the command line must be read; a release
            // tag that cannot be (one that names no commit, a tree missing
            // from a mirror) is skipped with a warning.
            let listed = rev.and_then(|rev| {
                walk.server = tree_is_server(&local, rev.tree);
                let files = walk.files(rev.tree, "").map_err(|message| GitError::Rev {
                    path: repo.path.clone(),
                    rev: rev.name.clone(),
                    message,
                })?;
                Ok((rev, files))
            });
            let (rev, files) = match listed {
                Ok(l) => l,
                Err(e) if strict => return Err(e.into()),
                Err(e) => {
                    sink(Message::Warning(format!("{e}: skipped")));
                    continue;
                }
            };
            let mut files = files.to_vec();
            files.sort_by(|&a, &b| walk.found.blobs[a].path.cmp(&walk.found.blobs[b].path));
            walk.found.files += files.len();
            let version = Release::parse_tag(&rev.name).or_else(|| {
                small_blob(&local, rev.tree, "VERSION")
                    .and_then(|t| Release::parse_loose(&String::from_utf8_lossy(&t)))
            });
            let registry = small_blob(&local, rev.tree, crate::config::CONFIG_FILE)
                .and_then(|t| {
                    Config::parse(
                        Path::new(crate::config::CONFIG_FILE),
                        String::from_utf8_lossy(&t).into_owned(),
                    )
                    .ok()
                })
                .map(|c| {
                    c.features
                        .iter()
                        .map(|f| (f.name.clone(), f.stage))
                        .collect()
                })
                .unwrap_or_default();
            revs.push(RevFiles {
                component: ci,
                rev,
                version,
                files,
                registry,
            });
        }
    }
    let Found {
        blobs,
        files: file_count,
        ..
    } = found;
    let mut stats = HistoryStats {
        files: file_count,
        ..HistoryStats::default()
    };
    stats.revisions = revs.len();
    stats.blobs = blobs.len();

    // Every distinct blob, once, in parallel.
    let bar = progress_bar(progress, revs.len(), blobs.len());
    let prefilter = opts.prefilter();
    let server_prefilter = prefilter.for_server();
    let parsed = AtomicUsize::new(0);
    let missing = AtomicUsize::new(0);
    let components = &components;
    // In path order, so that a file's versions are read one after the other
    // on one thread: they share delta bases, which the pack cache then keeps.
    let mut order: Vec<usize> = (0..blobs.len()).collect();
    order.sort_by(|&a, &b| {
        (blobs[a].component, &blobs[a].path, a).cmp(&(blobs[b].component, &blobs[b].path, b))
    });
    // Runs of neighbouring blobs, each read through one repository handle
    // (one pack cache), a few runs per thread for balance.
    let run = blobs.len().div_ceil(settings.threads.max(1) * 8).max(1);
    let scanned: Vec<Option<FileOutcome>> = pool.install(|| {
        order
            .par_chunks(run)
            .flat_map_iter(|chunk| {
                let local: Vec<gix::Repository> =
                    repos.iter().map(|r| r.repo.to_thread_local()).collect();
                chunk
                    .iter()
                    .map(|&i| {
                        let b = &blobs[i];
                        let prefilter = if b.server {
                            &server_prefilter
                        } else {
                            &prefilter
                        };
                        let out = scan_blob(
                            b,
                            &local[b.component],
                            &components[b.component],
                            prefilter,
                            opts,
                            &missing,
                        );
                        if let Some(bar) = &bar {
                            bar.inc(1);
                        }
                        let out = out?;
                        parsed.fetch_add(out.parsed as usize, Ordering::Relaxed);
                        (!out.is_empty()).then_some(out)
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    });
    let mut outcomes: Vec<Option<FileOutcome>> = blobs.iter().map(|_| None).collect();
    for (i, out) in order.into_iter().zip(scanned) {
        outcomes[i] = out;
    }
    stats.parsed = parsed.into_inner();
    let missing = missing.into_inner();
    if missing > 0 {
        sink(Message::Warning(format!(
            "{missing} blob(s) missing from the object database or unreadable: skipped"
        )));
    }

    // Each revision resolved as a scan of its files, reduced to states.
    let states: Vec<BTreeMap<String, State>> = pool.install(|| {
        revs.par_iter()
            .map(|r| {
                let results: Vec<FileOutcome> = r
                    .files
                    .iter()
                    .filter_map(|&i| outcomes[i].clone())
                    .collect();
                let component = &components[r.component];
                let scanned = crate::scan::assemble(
                    results,
                    std::slice::from_ref(component),
                    config,
                    &opts.catalog,
                );
                timeline::states(&scanned.references, &r.registry)
            })
            .collect()
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }

    let mut by_component: Vec<Vec<(Revision, BTreeMap<String, State>)>> =
        components.iter().map(|_| Vec::new()).collect();
    for (r, states) in revs.iter().zip(states) {
        let revision = Revision {
            name: r.rev.name.clone(),
            release: r.version.map(|v| v.short()),
            version: r.version,
            commit: r.rev.commit.to_string(),
            date: r.rev.date.clone(),
            references: states.values().map(|s| s.sites).sum(),
        };
        by_component[r.component].push((revision, states));
    }
    Ok(Read {
        components: components.clone(),
        revisions: by_component,
        stats,
    })
}

/// Scans one blob with the scan's job; `None` when it cannot be read.
fn scan_blob(
    b: &Blob,
    repo: &gix::Repository,
    component: &Component,
    prefilter: &Prefilter,
    opts: &crate::scan::ScanOptions,
    missing: &AtomicUsize,
) -> Option<FileOutcome> {
    let bytes = match git::read_blob(repo, b.blob, opts.max_file_size) {
        Ok(Some(bytes)) => bytes,
        // Larger than the size limit: skipped, as the scan skips it.
        Ok(None) => return Some(FileOutcome::default()),
        Err(_) => {
            missing.fetch_add(1, Ordering::Relaxed);
            return None;
        }
    };
    let entry = FileEntry {
        component: 0,
        path: component.root.join(&b.path),
        rel: b.path.clone(),
        read: b.wanted.read,
        catalog_source: b.wanted.catalog_source,
    };
    let job = Job::new(component, prefilter, opts, b.server);
    // A file's versions come one after the other: each is parsed reusing the
    // tree of the one before (see `frontend::with_versions_of`).
    let key = format!("{}:{}", component.name, b.path);
    Some(crate::frontend::with_versions_of(&key, || {
        job.scan_bytes(&entry, &bytes)
    }))
}

/// The distinct blobs found so far, and the subtrees already walked.
#[derive(Default)]
struct Found {
    blobs: Vec<Blob>,
    /// A blob by component, path, id and side.
    index: HashMap<(usize, String, gix::ObjectId, bool), usize>,
    /// A walked subtree by component, path, id and side: its wanted files.
    trees: HashMap<(usize, String, gix::ObjectId, bool), std::sync::Arc<Vec<usize>>>,
    /// Files of every revision the frontends may read.
    files: usize,
}

/// Walks a revision's tree, registering the files the frontends may read
/// as distinct blobs. A subtree seen before at the same path (releases share
/// most of their directories) is neither read nor walked again.
struct TreeWalk<'a> {
    repo: &'a gix::Repository,
    component: usize,
    excluded: &'a Excludes,
    default_excludes: bool,
    found: &'a mut Found,
    /// The revision is Gitaly's tree.
    server: bool,
}

impl TreeWalk<'_> {
    /// The wanted files of the tree `id` at `prefix` (`""` or `dir/`), as
    /// blob indexes.
    fn files(
        &mut self,
        id: gix::ObjectId,
        prefix: &str,
    ) -> Result<std::sync::Arc<Vec<usize>>, String> {
        let key = (self.component, prefix.to_string(), id, self.server);
        if let Some(hit) = self.found.trees.get(&key) {
            return Ok(hit.clone());
        }
        let (dirs, files) = git::tree_entries(self.repo, id)?;
        let mut out = Vec::new();
        for (name, blob) in files {
            let wanted = crate::scan::wanted(&name);
            let path = format!("{prefix}{name}");
            let read = wanted.read && !self.excluded.excludes(&path, self.default_excludes);
            if !(read || wanted.catalog_source) {
                continue;
            }
            let next = self.found.blobs.len();
            let i = *self
                .found
                .index
                .entry((self.component, path.clone(), blob, self.server))
                .or_insert(next);
            if i == next {
                self.found.blobs.push(Blob {
                    component: self.component,
                    path,
                    blob,
                    server: self.server,
                    wanted: crate::discover::Wanted { read, ..wanted },
                });
            }
            out.push(i);
        }
        for (name, sub) in dirs {
            out.extend(self.files(sub, &format!("{prefix}{name}/"))?.iter());
        }
        let out = std::sync::Arc::new(out);
        self.found.trees.insert(key, out.clone());
        Ok(out)
    }
}

/// The bytes of a small file of the tree (`VERSION`, `flaglint.toml`).
fn small_blob(repo: &gix::Repository, tree: gix::ObjectId, path: &str) -> Option<Vec<u8>> {
    let (id, blob) = git::entry_at(repo, tree, path)?;
    blob.then(|| git::read_blob(repo, id, 1 << 20).ok().flatten())
        .flatten()
}

/// Whether a revision's tree is Gitaly's (as [`crate::component::is_server`]
/// tells for a directory).
fn tree_is_server(repo: &gix::Repository, tree: gix::ObjectId) -> bool {
    if git::entry_at(repo, tree, "cmd/gitaly").is_some_and(|(_, blob)| !blob) {
        return true;
    }
    small_blob(repo, tree, "go.mod")
        .is_some_and(|b| crate::component::go_mod_is_gitaly(&String::from_utf8_lossy(&b)))
}

/// A tree's name by what it holds, as [`crate::component::detect_name`] names
/// a directory.
fn tree_name(repo: &gix::Repository, tree: gix::ObjectId) -> Option<String> {
    if tree_is_server(repo, tree) {
        return Some("gitaly".to_string());
    }
    let has = |p: &str| git::entry_at(repo, tree, p).is_some();
    let read = |p: &str| small_blob(repo, tree, p);
    crate::component::detect_client(&has, &read).map(str::to_string)
}

/// The revisions to read: `--revs`, or the release tags.
fn select_revs(repo: &Repo, spec: Option<&str>) -> Result<Vec<String>, GitError> {
    let Some(spec) = spec else {
        let tags = repo.release_tags()?;
        if tags.is_empty() {
            return Err(GitError::NoReleases {
                path: repo.path.clone(),
            });
        }
        return Ok(tags.into_iter().map(|(n, _)| n).collect());
    };
    let bad = |message: &str| GitError::Spec {
        spec: spec.to_string(),
        message: message.to_string(),
    };
    let mut out: Vec<String> = Vec::new();
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if let Some((a, b)) = item.split_once("..") {
            let (Some(from), Some(to)) = (Release::parse_loose(a), Release::parse_loose(b)) else {
                return Err(bad("a range is two releases: `v10.0.0..v11.7.0`"));
            };
            out.extend(
                repo.release_tags()?
                    .into_iter()
                    .filter(|(_, r)| (from..=to).contains(r))
                    .map(|(n, _)| n),
            );
        } else if item.contains(['*', '?', '[']) {
            let glob = globset::Glob::new(item)
                .map_err(|e| bad(&e.to_string()))?
                .compile_matcher();
            let mut tags: Vec<(String, Option<Release>)> = repo
                .tags()?
                .into_iter()
                .filter(|(n, _)| glob.is_match(n))
                .collect();
            tags.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
            out.extend(tags.into_iter().map(|(n, _)| n));
        } else {
            out.push(item.to_string());
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|n| seen.insert(n.clone()));
    if out.is_empty() {
        return Err(bad("names no revision of this repository"));
    }
    Ok(out)
}

/// The walk's excludes applied to a tree's paths: `--exclude` globs
/// (gitignore syntax) and the default-excluded directories.
struct Excludes {
    globs: ignore::overrides::Override,
}

impl Excludes {
    fn new(walk: &crate::discover::WalkOptions) -> Result<Excludes, EngineError> {
        let mut b = ignore::overrides::OverrideBuilder::new("/");
        for glob in &walk.exclude {
            b.add(&format!("!{glob}")).map_err(|source| {
                EngineError::Scan(crate::scan::ScanError::Discover(
                    crate::discover::DiscoverError::Glob {
                        glob: glob.clone(),
                        source,
                    },
                ))
            })?;
        }
        let globs = b.build().map_err(|e| {
            EngineError::Scan(crate::scan::ScanError::Discover(
                crate::discover::DiscoverError::Globs(e),
            ))
        })?;
        Ok(Excludes { globs })
    }

    fn excludes(&self, path: &str, default_excludes: bool) -> bool {
        let dirs = path.rsplit_once('/').map_or("", |(dirs, _)| dirs);
        if default_excludes
            && !dirs.is_empty()
            && dirs.split('/').any(|d| DEFAULT_EXCLUDED_DIRS.contains(&d))
        {
            return true;
        }
        if self.globs.is_empty() {
            return false;
        }
        let abs = PathBuf::from("/").join(path);
        if self.globs.matched(&abs, false).is_ignore() {
            return true;
        }
        abs.ancestors()
            .skip(1)
            .take_while(|p| *p != Path::new("/"))
            .any(|p| self.globs.matched(p, true).is_ignore())
    }
}

/// A progress bar over the blobs (none when `show` is false).
fn progress_bar(show: bool, revisions: usize, blobs: usize) -> Option<indicatif::ProgressBar> {
    if !show {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(blobs as u64),
        indicatif::ProgressDrawTarget::stderr_with_hz(10),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "flaglint history: {msg}, {pos}/{len} blobs [{wide_bar}] ETA {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(format!("{revisions} revisions listed"));
    Some(bar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_parse_from_tags_and_version_files() {
        let r = |a, b, c| Release {
            major: a,
            minor: b,
            patch: c,
        };
        assert_eq!(Release::parse_tag("v10.6.0"), Some(r(10, 6, 0)));
        assert_eq!(Release::parse_tag("11.0.2"), Some(r(11, 0, 2)));
        assert_eq!(Release::parse_tag("v10.6.0-rc1"), None);
        assert_eq!(Release::parse_tag("v10.6"), None);
        assert_eq!(Release::parse_loose("10.8.0-pre\n"), Some(r(10, 8, 0)));
        assert_eq!(Release::parse_loose("10.6"), Some(r(10, 6, 0)));
        assert_eq!(Release::parse_loose("main"), None);
        assert_eq!(r(10, 6, 0).short(), "10.6");
    }

    #[test]
    fn excludes_follow_the_walk() {
        let walk = crate::discover::WalkOptions {
            exclude: vec!["spec/".to_string(), "*.md".to_string()],
            default_excludes: true,
            respect_gitignore: true,
            follow_links: false,
            threads: 1,
        };
        let e = Excludes::new(&walk).unwrap();
        assert!(e.excludes("vendor/gems/x.rb", true));
        assert!(!e.excludes("vendor/gems/x.rb", false));
        assert!(e.excludes("spec/lib/a_spec.rb", true));
        assert!(e.excludes("doc/README.md", true));
        assert!(!e.excludes("lib/gitlab/git/repository.rb", true));
    }
}
