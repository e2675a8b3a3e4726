//! Stage 1: discover the files of each component — the one file walker of
//! flaglint: the scan, the catalog's `--catalog` directories and the fix's
//! dead-code and spec search all walk with it, so `--exclude`, `--no-ignore`,
//! `--follow` and the default excludes apply everywhere.
//!
//! A parallel, gitignore-aware walk (the `ignore` crate, ripgrep's walker).
//! `.git`, `vendor/` and `node_modules/` are skipped unless default excludes are
//! turned off (catalog sources are still read there); `--exclude` globs use
//! gitignore syntax. Walk errors (unreadable directories, symlink loops) become
//! warnings; they never stop the scan. Which files are kept is the caller's
//! choice, by name ([`Wanted`]): the walk knows no language.

use crate::component::Component;
use ignore::overrides::OverrideBuilder;
use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};
use std::path::Path;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Directory names skipped by default.
pub const DEFAULT_EXCLUDED_DIRS: &[&str] = &[".git", "vendor", "node_modules"];

/// How to walk.
#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub exclude: Vec<String>,
    pub default_excludes: bool,
    pub respect_gitignore: bool,
    pub follow_links: bool,
    pub threads: usize,
}

/// Why a walk could not start.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("invalid --exclude glob `{glob}`: {source}")]
    Glob { glob: String, source: ignore::Error },
    #[error("invalid exclude globs: {0}")]
    Globs(ignore::Error),
}

/// What the walk keeps of a file, by its name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wanted {
    /// It is to be read (a frontend may read it).
    pub read: bool,
    /// A `.proto`, `*.pb.go` or `*_services_pb.rb`: read for the endpoint
    /// catalog, also under the default-excluded directories.
    pub catalog_source: bool,
}

impl Wanted {
    fn any(self) -> bool {
        self.read || self.catalog_source
    }
}

/// Which files to keep, by name.
pub type Select<'a> = dyn Fn(&str) -> Wanted + Sync + 'a;

/// A file to scan.
#[derive(Debug, Clone)]
pub struct FileEntry {
    pub component: usize,
    pub path: PathBuf,
    /// Relative to the component root, `/`-separated.
    pub rel: String,
    /// To be read (see [`Wanted::read`]); `false` for a catalog source only
    /// (a `.proto`, or generated code under `vendor/`).
    pub read: bool,
    /// A `.proto`, `*.pb.go` or `*_services_pb.rb`: read for the endpoint catalog.
    pub catalog_source: bool,
}

/// What the walk found.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Candidate files, sorted by (component, rel).
    pub files: Vec<FileEntry>,
    /// Every file the walk saw.
    pub walked: usize,
    pub warnings: Vec<String>,
}

/// Walks every component root, keeping the files `select` wants. `walked`,
/// when given, counts the files seen as the walk goes (for a progress display).
pub fn discover(
    components: &[Component],
    opts: &WalkOptions,
    walked: Option<&AtomicUsize>,
    select: &Select,
) -> Result<Discovered, DiscoverError> {
    let mut out = Discovered::default();
    for (ci, comp) in components.iter().enumerate() {
        let root = &comp.root;
        let before = out.files.len();
        if root.is_file() {
            out.walked += 1;
            let name = root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let wanted = select(&name);
            if wanted.any() {
                out.files.push(FileEntry {
                    component: ci,
                    path: root.clone(),
                    rel: name,
                    read: wanted.read,
                    catalog_source: wanted.catalog_source,
                });
            } else {
                out.warnings.push(format!(
                    "{}: no frontend reads this file: nothing to scan",
                    root.display()
                ));
            }
            continue;
        }
        let found = walk(root, ci, opts, walked, select)?;
        out.files.extend(found.files);
        out.walked += found.walked;
        out.warnings.extend(found.warnings);
        if out.files.len() == before {
            out.warnings
                .push(format!("no files to scan under {}", root.display()));
        }
    }
    out.files
        .sort_by(|a, b| (a.component, &a.rel).cmp(&(b.component, &b.rel)));
    out.warnings.sort();
    out.warnings.dedup();
    Ok(out)
}

/// Walks the directory `root` (files numbered as component `component`),
/// keeping the files `select` wants, in no particular order.
pub fn walk(
    root: &Path,
    component: usize,
    opts: &WalkOptions,
    walked: Option<&AtomicUsize>,
    select: &Select,
) -> Result<Discovered, DiscoverError> {
    let mut overrides = OverrideBuilder::new(root);
    for glob in &opts.exclude {
        overrides
            .add(&format!("!{glob}"))
            .map_err(|source| DiscoverError::Glob {
                glob: glob.clone(),
                source,
            })?;
    }
    let overrides = overrides.build().map_err(DiscoverError::Globs)?;
    let default_excludes = opts.default_excludes;
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .git_ignore(opts.respect_gitignore)
        .git_global(opts.respect_gitignore)
        .git_exclude(opts.respect_gitignore)
        .ignore(opts.respect_gitignore)
        .parents(opts.respect_gitignore)
        .follow_links(opts.follow_links)
        .overrides(overrides)
        .threads(opts.threads)
        .filter_entry(move |e| {
            // `.git` is never entered; `vendor/` and `node_modules/` are, but
            // only for catalog sources (vendored protos and generated code).
            !(default_excludes
                && e.depth() > 0
                && e.file_type().is_some_and(|t| t.is_dir())
                && e.file_name() == ".git")
        });
    let shared = Mutex::new(Found::default());
    let mut visitors = Walk {
        default_excludes,
        ci: component,
        root,
        shared: &shared,
        walked,
        select,
    };
    builder.build_parallel().visit(&mut visitors);
    let found = shared.into_inner().unwrap_or_else(|p| p.into_inner());
    Ok(Discovered {
        files: found.files,
        walked: found.walked,
        warnings: found.warnings,
    })
}

#[derive(Default)]
struct Found {
    files: Vec<FileEntry>,
    walked: usize,
    warnings: Vec<String>,
}

/// What every walker thread shares: the component walked and how files are
/// selected, and where they are handed over. It builds the threads' visitors.
#[derive(Clone, Copy)]
struct Walk<'a> {
    default_excludes: bool,
    ci: usize,
    root: &'a Path,
    shared: &'a Mutex<Found>,
    walked: Option<&'a AtomicUsize>,
    select: &'a Select<'a>,
}

impl Walk<'_> {
    /// The entry of a walked file, if the caller selects it: `vendor/` and
    /// `node_modules/` (with the default excludes) keep only catalog sources,
    /// which are not read.
    fn entry(&self, e: DirEntry) -> Option<FileEntry> {
        let wanted = (self.select)(&e.file_name().to_string_lossy());
        if !wanted.any() {
            return None;
        }
        let rel = e
            .path()
            .strip_prefix(self.root)
            .unwrap_or(e.path())
            .to_string_lossy()
            .replace('\\', "/");
        let excluded =
            self.default_excludes && rel.split('/').any(|c| DEFAULT_EXCLUDED_DIRS.contains(&c));
        (!excluded || wanted.catalog_source).then(|| FileEntry {
            component: self.ci,
            path: e.into_path(),
            rel,
            read: wanted.read && !excluded,
            catalog_source: wanted.catalog_source,
        })
    }
}

impl<'s> ParallelVisitorBuilder<'s> for Walk<'s> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new(Visitor {
            walk: *self,
            local: Found::default(),
        })
    }
}

/// One walker thread: collects locally, hands over when dropped.
struct Visitor<'a> {
    walk: Walk<'a>,
    local: Found,
}

impl ParallelVisitor for Visitor<'_> {
    fn visit(&mut self, entry: Result<DirEntry, ignore::Error>) -> WalkState {
        match entry {
            Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                self.local.walked += 1;
                if let Some(w) = self.walk.walked {
                    w.fetch_add(1, Ordering::Relaxed);
                }
                self.local.files.extend(self.walk.entry(e));
            }
            Ok(_) => {}
            Err(err) => self.local.warnings.push(describe_walk_error(&err)),
        }
        WalkState::Continue
    }
}

impl Drop for Visitor<'_> {
    fn drop(&mut self) {
        let mut shared = self.walk.shared.lock().unwrap_or_else(|p| p.into_inner());
        shared.files.append(&mut self.local.files);
        shared.walked += self.local.walked;
        shared.warnings.append(&mut self.local.warnings);
    }
}

fn describe_walk_error(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { path, err } => {
            format!("{}: {}", path.display(), describe_walk_error(err))
        }
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            describe_walk_error(err)
        }
        ignore::Error::Loop { ancestor, child } => format!(
            "symlink loop: {} points back to {}",
            child.display(),
            ancestor.display()
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_keeps_what_the_caller_selects_with_every_option() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "lib/a.rb",
            "lib/skip/b.rb",
            "vendor/c.rb",
            "vendor/p/x.proto",
            "d.txt",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let select = |name: &str| Wanted {
            read: name.ends_with(".rb"),
            catalog_source: name.ends_with(".proto"),
        };
        let mut opts = WalkOptions {
            exclude: vec!["lib/skip/".into()],
            default_excludes: true,
            respect_gitignore: true,
            follow_links: false,
            threads: 1,
        };
        let kept = |opts: &WalkOptions| {
            let mut v: Vec<(String, bool)> = walk(root, 0, opts, None, &select)
                .unwrap()
                .files
                .into_iter()
                .map(|f| (f.rel, f.read))
                .collect();
            v.sort();
            v
        };
        // `vendor/` is entered for catalog sources only.
        assert_eq!(
            kept(&opts),
            [
                ("lib/a.rb".into(), true),
                ("vendor/p/x.proto".into(), false)
            ]
        );
        opts.default_excludes = false;
        opts.exclude.clear();
        assert_eq!(kept(&opts).len(), 4);
        opts.exclude = vec!["[".into()];
        assert!(matches!(
            walk(root, 0, &opts, None, &select),
            Err(DiscoverError::Glob { .. })
        ));
    }
}
