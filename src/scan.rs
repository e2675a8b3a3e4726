//! The pipeline: discover → prefilter → parse → extract → resolve (rules and
//! reports follow in `check`).
//!
//! Files are read, prefiltered, parsed and their references extracted in
//! parallel (rayon); results come back in (component, path) order whatever the
//! thread count. The scan knows the languages only through
//! [`frontend::FRONTENDS`]: the first frontend that claims a file reads it.

use crate::catalog::sources::is_catalog_source;
use crate::catalog::Catalog;
use crate::component::Component;
use crate::config::{Config, DEFAULT_MAX_FILE_SIZE};
use crate::discover::{self, DiscoverError, FileEntry, WalkOptions, Wanted};
use crate::frontend::{self, Frontend, FrontendOptions, SourceFile};
use crate::model::{Location, Reference, Span};
use crate::prefilter::Prefilter;
use crate::resolve::CrossFile;
use rayon::prelude::*;
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Everything a scan needs besides the components.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub walk: WalkOptions,
    pub max_file_size: u64,
    /// The frontends' settings.
    pub frontend: FrontendOptions,
    /// The catalog the run starts from (embedded and `--catalog`).
    pub catalog: Catalog,
    /// Parse only files the byte prefilter selects (false: parse every file).
    pub prefilter: bool,
    /// Show a spinner with the counts on standard error when the scan takes
    /// longer than [`PROGRESS_DELAY`] (the caller decides: a terminal, no
    /// `--quiet`).
    pub progress: bool,
}

/// Why a scan could not run (problems with single files are warnings).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("{}: no such file or directory", .0.display())]
    NoSuchPath(PathBuf),
    #[error(transparent)]
    Discover(#[from] DiscoverError),
}

/// How long a scan runs before its progress is shown.
pub const PROGRESS_DELAY: Duration = Duration::from_secs(1);

impl ScanOptions {
    /// The byte prefilter these options ask for (every file passes with
    /// `--no-prefilter`); Gitaly's trees get its [`Prefilter::for_server`].
    pub fn prefilter(&self) -> Prefilter {
        if self.prefilter {
            Prefilter::new(self.frontend.toggle_methods.iter().map(String::as_str))
                .with_calls(self.frontend.check_functions.iter().map(String::as_str))
        } else {
            Prefilter::everything()
        }
    }

    /// Settings from the registry file, before command-line overrides.
    pub fn from_config(config: &Config, threads: usize) -> ScanOptions {
        let env_ignore = config.ignored_env_vars();
        ScanOptions {
            walk: WalkOptions {
                exclude: config.exclude.clone(),
                default_excludes: config.default_excludes.unwrap_or(true),
                respect_gitignore: true,
                follow_links: false,
                threads,
            },
            max_file_size: config.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE),
            catalog: Catalog::embedded().clone(),
            prefilter: true,
            progress: false,
            frontend: FrontendOptions {
                toggle_methods: config.toggle_methods.clone(),
                check_functions: config
                    .rust_check_functions
                    .clone()
                    .unwrap_or_else(frontend::rust::default_check_functions),
                env_ignore,
                commands: frontend::ruby::DEFAULT_COMMANDS
                    .iter()
                    .map(|(c, e)| (c.to_string(), e.to_string()))
                    .chain(config.shell_commands.iter().cloned())
                    .collect(),
            },
        }
    }
}

/// What the scan's walk keeps: files a frontend may read, and catalog sources.
pub fn wanted(name: &str) -> Wanted {
    Wanted {
        read: frontend::claimant(name, None).is_some(),
        catalog_source: is_catalog_source(name),
    }
}

/// Counts for the summary line.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Stats {
    /// Files the walk saw.
    pub files_walked: usize,
    /// Files a frontend could read, read from disk.
    pub files_read: usize,
    /// Files that passed the prefilter and were parsed.
    pub files_parsed: usize,
    /// Files skipped for their size.
    pub files_skipped: usize,
    #[serde(skip)]
    pub elapsed: Duration,
}

/// What a scan found.
#[derive(Debug, Default)]
pub struct ScanResult {
    pub references: Vec<Reference>,
    pub stats: Stats,
    /// Problems that did not stop the scan (unreadable files, symlink loops).
    pub warnings: Vec<String>,
    /// Things worth knowing (skipped large files, syntax errors).
    pub notes: Vec<String>,
    /// The endpoint catalog: the run's base catalog plus the protos and
    /// generated code found in the scanned trees.
    pub catalog: Catalog,
    /// Inline suppressions found in the scanned files.
    pub directives: Vec<crate::suppress::Directive>,
}

/// The counts a scan's progress display reads (relaxed atomics: one add per
/// file, no lock).
#[derive(Debug, Default)]
pub struct Progress {
    pub walked: AtomicUsize,
    pub read: AtomicUsize,
    pub parsed: AtomicUsize,
    /// Set when the scan is over.
    pub done: std::sync::atomic::AtomicBool,
}

/// Draws `progress` on standard error from [`PROGRESS_DELAY`] after `start`
/// until it is done; draws nothing for a shorter scan. It waits parked: the
/// scan unparks it when done.
fn show_progress(progress: &Progress, start: Instant) {
    let tick = Duration::from_millis(50);
    while start.elapsed() < PROGRESS_DELAY {
        if progress.done.load(Ordering::Relaxed) {
            return;
        }
        std::thread::park_timeout(tick);
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        None,
        indicatif::ProgressDrawTarget::stderr_with_hz(10),
    )
    .with_elapsed(start.elapsed());
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} flaglint: {msg} ({elapsed})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    while !progress.done.load(Ordering::Relaxed) {
        bar.set_message(format!(
            "{} files walked, {} read, {} parsed",
            progress.walked.load(Ordering::Relaxed),
            progress.read.load(Ordering::Relaxed),
            progress.parsed.load(Ordering::Relaxed)
        ));
        bar.tick();
        std::thread::park_timeout(tick * 2);
    }
    bar.finish_and_clear();
}

/// Scans the components.
pub fn scan(
    components: &[Component],
    config: &Config,
    opts: &ScanOptions,
) -> Result<ScanResult, ScanError> {
    let start = Instant::now();
    for c in components {
        if !c.root.exists() {
            return Err(ScanError::NoSuchPath(c.root.clone()));
        }
    }
    let progress = Progress::default();
    std::thread::scope(|s| {
        let bar = opts
            .progress
            .then(|| s.spawn(|| show_progress(&progress, start)));
        let result = scan_inner(components, config, opts, &progress, start);
        progress.done.store(true, Ordering::Relaxed);
        // The scope waits for the progress thread: wake it now rather than
        // at the end of its tick (a 40 ms scan took 50 ms in a terminal).
        if let Some(bar) = &bar {
            bar.thread().unpark();
        }
        result
    })
}

fn scan_inner(
    components: &[Component],
    config: &Config,
    opts: &ScanOptions,
    progress: &Progress,
    start: Instant,
) -> Result<ScanResult, ScanError> {
    let found = discover::discover(components, &opts.walk, Some(&progress.walked), &wanted)?;
    let prefilter = opts.prefilter();
    // Gitaly's own trees get the server prefilter (see `Prefilter::for_server`).
    let server_prefilter = prefilter.for_server();
    let servers: Vec<bool> = components
        .iter()
        .map(|c| crate::component::is_server(&c.root))
        .collect();
    let side = |f: &FileEntry| {
        let server = servers.get(f.component).copied().unwrap_or(false);
        let prefilter = if server {
            &server_prefilter
        } else {
            &prefilter
        };
        (prefilter, server)
    };
    // Most files yield nothing: only their counts are kept, so memory follows
    // what was found, not the size of the tree.
    let (read, parsed, skipped) = (&progress.read, &progress.parsed, AtomicUsize::new(0));
    let count = |r: &FileOutcome| {
        read.fetch_add(r.read as usize, Ordering::Relaxed);
        parsed.fetch_add(r.parsed as usize, Ordering::Relaxed);
        skipped.fetch_add(r.skipped as usize, Ordering::Relaxed);
    };
    let mut results: Vec<FileOutcome> = found
        .files
        .par_iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let mut r = scan_file(f, components, side(f), opts, true);
            r.entry = i;
            count(&r);
            (!r.is_empty()).then_some(r)
        })
        .collect();
    // Large files to parse, one after the other on this thread: a syntax tree
    // costs 60 to 450 bytes per byte of source, and a tree freed on one thread
    // is memory the allocator keeps for that thread. Peak memory is that of
    // one large tree, whatever the thread count.
    for r in results.iter_mut().filter(|r| r.big) {
        let entry = r.entry;
        let f = &found.files[entry];
        *r = scan_file(f, components, side(f), opts, false);
        count(r);
    }

    let mut out = assemble(results, components, config, &opts.catalog);
    out.warnings.splice(0..0, found.warnings);
    out.stats.files_walked = found.walked;
    out.stats.files_read = read.load(Ordering::Relaxed);
    out.stats.files_parsed = parsed.load(Ordering::Relaxed);
    out.stats.files_skipped = skipped.into_inner();
    out.stats.elapsed = start.elapsed();
    Ok(out)
}

/// The scan's result from its files' outcomes, in (component, path) order:
/// the catalog sources added to `catalog`, the cross-file work resolved, the
/// references sorted. The counts are the caller's.
pub(crate) fn assemble(
    results: Vec<FileOutcome>,
    components: &[Component],
    config: &Config,
    catalog: &Catalog,
) -> ScanResult {
    let mut out = ScanResult::default();
    let mut cross = CrossFile::default();
    let mut catalog = catalog.clone();
    for r in results {
        for mut e in r.endpoints {
            e.sources = vec![format!("{}:{}", r.component_name, r.rel)];
            catalog.add(e);
        }
        out.warnings.extend(r.catalog_warnings);
        out.directives.extend(r.directives);
        cross.append(r.cross);
        out.references.extend(r.references);
        out.warnings.extend(r.warning);
        out.notes.extend(r.note);
    }
    out.references = crate::resolve::finish(out.references, cross, components, config, &catalog);
    out.references.sort_by(|a, b| {
        let (x, y) = (&a.location, &b.location);
        (&x.component, &x.path, x.span.start_byte, &a.flag, a.kind).cmp(&(
            &y.component,
            &y.path,
            y.span.start_byte,
            &b.flag,
            b.kind,
        ))
    });
    out.catalog = catalog;
    out
}

impl FileOutcome {
    /// Nothing to report or to resolve: only the counts matter.
    pub(crate) fn is_empty(&self) -> bool {
        self.references.is_empty()
            && self.cross.is_empty()
            && self.endpoints.is_empty()
            && self.catalog_warnings.is_empty()
            && self.directives.is_empty()
            && self.warning.is_none()
            && self.note.is_none()
            && !self.big
    }
}

/// What one file gave.
#[derive(Default, Clone)]
pub(crate) struct FileOutcome {
    /// `flaglint: disable` directives.
    directives: Vec<crate::suppress::Directive>,
    component_name: String,
    rel: String,
    /// Endpoints of a catalog source.
    endpoints: Vec<crate::catalog::Endpoint>,
    /// Problems reading a catalog source.
    catalog_warnings: Vec<String>,
    /// References complete as they are.
    references: Vec<Reference>,
    /// What the resolver finishes with the other files.
    cross: CrossFile,
    read: bool,
    pub(crate) parsed: bool,
    skipped: bool,
    /// A large file to parse, left for the sequential pass.
    big: bool,
    /// Its index in the discovered files.
    entry: usize,
    warning: Option<String>,
    note: Option<String>,
}

thread_local! {
    static CURRENT_FILE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// The file this thread is scanning, for the internal-error message of a panic.
pub fn current_file() -> Option<String> {
    CURRENT_FILE.with(|c| c.borrow().clone())
}

/// Scans one file with the registered frontends.
fn scan_file(
    entry: &FileEntry,
    components: &[Component],
    (prefilter, server): (&Prefilter, bool),
    opts: &ScanOptions,
    defer_big: bool,
) -> FileOutcome {
    let component = &components[entry.component];
    CURRENT_FILE.with(|c| *c.borrow_mut() = Some(entry.path.display().to_string()));
    let job = Job {
        frontends: frontend::FRONTENDS,
        component,
        prefilter,
        opts,
        defer_big,
        server,
    };
    let out = job.scan(entry);
    CURRENT_FILE.with(|c| *c.borrow_mut() = None);
    out
}

/// How to scan a file: with which frontends (the first that claims it reads
/// it), in which component, with which prefilter and settings.
pub(crate) struct Job<'a> {
    frontends: &'a [&'a dyn Frontend],
    component: &'a Component,
    prefilter: &'a Prefilter,
    opts: &'a ScanOptions,
    /// Leave a large file to parse for the sequential pass.
    defer_big: bool,
    /// The component is Gitaly's own tree.
    server: bool,
}

impl<'a> Job<'a> {
    /// A job with the registered frontends, large files parsed at once.
    pub(crate) fn new(
        component: &'a Component,
        prefilter: &'a Prefilter,
        opts: &'a ScanOptions,
        server: bool,
    ) -> Job<'a> {
        Job {
            frontends: frontend::FRONTENDS,
            component,
            prefilter,
            opts,
            defer_big: false,
            server,
        }
    }

    fn scan(&self, entry: &FileEntry) -> FileOutcome {
        let shown = &display_path(self.component, entry);
        let mut out = FileOutcome::default();
        let bytes = match read_limited(&entry.path, self.opts.max_file_size) {
            Ok(Some(b)) => b,
            Ok(None) => {
                out.skipped = true;
                out.note = Some(format!(
                    "{shown}: skipped, larger than the size limit ({} bytes; see max_file_size)",
                    self.opts.max_file_size
                ));
                return out;
            }
            Err(e) => {
                out.warning = Some(format!("{shown}: cannot read: {e}"));
                return out;
            }
        };
        self.scan_bytes(entry, &bytes)
    }

    /// Scans a file's bytes (read from disk, or a blob of the history).
    pub(crate) fn scan_bytes(&self, entry: &FileEntry, bytes: &[u8]) -> FileOutcome {
        let Job {
            frontends,
            component,
            prefilter,
            defer_big,
            ..
        } = *self;
        let shown = &display_path(component, entry);
        let mut out = FileOutcome {
            read: true,
            ..FileOutcome::default()
        };
        out.directives =
            crate::suppress::directives(bytes, &component.name, &entry.rel, &entry.path);
        if entry.catalog_source {
            out.component_name = component.name.clone();
            out.rel = entry.rel.clone();
            let name = entry.rel.rsplit('/').next().unwrap_or(&entry.rel);
            let (endpoints, warnings) =
                crate::catalog::sources::read(name, &String::from_utf8_lossy(bytes));
            out.endpoints = endpoints;
            out.catalog_warnings = warnings
                .into_iter()
                .map(|(line, col, m)| format!("{shown}:{line}:{col}: catalog: {m}"))
                .collect();
        }
        let name = entry.rel.rsplit('/').next().unwrap_or(&entry.rel);
        let Some(frontend) = entry
            .read
            .then(|| frontend::claimant_in(frontends, name, Some(bytes)))
            .flatten()
        else {
            return out;
        };
        if defer_big
            && frontend.builds_tree()
            && bytes.len() > BIG_FILE
            && frontend.wants(bytes, prefilter)
        {
            // Parsed later, alone (see `scan`); counted then.
            return FileOutcome {
                big: true,
                ..FileOutcome::default()
            };
        }
        if !frontend.wants(bytes, prefilter) {
            return out;
        }
        out.parsed = true;
        self.extract(frontend, entry, bytes, shown, &mut out);
        out
    }

    /// Extracts a file that passed the prefilter: its references placed in
    /// the component, and its cross-file work.
    fn extract(
        &self,
        frontend: &dyn Frontend,
        entry: &FileEntry,
        bytes: &[u8],
        shown: &str,
        out: &mut FileOutcome,
    ) {
        let file = SourceFile {
            rel: &entry.rel,
            bytes,
            server: self.server,
        };
        let facts = frontend.extract(&file, &self.opts.frontend);
        if let Some(note) = &facts.note {
            out.note = Some(format!("{shown}{note}"));
        } else if facts.syntax_errors && facts.has_references() {
            out.note = Some(format!(
                "{shown}: syntax errors; references in the broken part may be missed"
            ));
        }
        let place = Location {
            component: self.component.name.clone(),
            path: entry.rel.clone(),
            abs_path: entry.path.clone(),
            span: Span::default(),
        };
        let language = frontend.language();
        out.references = facts
            .refs
            .into_iter()
            .map(|r| r.into_reference(language, place.clone()))
            .collect();
        for d in facts.deferred {
            out.cross.add(d, language, entry.component, &place);
        }
    }
}

/// Files to parse larger than this (bytes) are parsed one at a time.
const BIG_FILE: usize = 256 * 1024;

/// `component:path` for messages.
fn display_path(component: &Component, entry: &FileEntry) -> String {
    format!("{}:{}", component.name, entry.rel)
}

/// Reads a regular file unless it is larger than `limit` (`Ok(None)`).
/// FIFOs, sockets and devices are never opened for reading.
fn read_limited(path: &std::path::Path, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if meta.len() > limit {
        return Ok(None);
    }
    let mut file = std::fs::File::open(path)?;
    let mut buf = Vec::with_capacity(meta.len() as usize + 1);
    file.by_ref().take(limit + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Ok(None);
    }
    Ok(Some(buf))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn a_short_scan_draws_no_progress() {
        let progress = Progress::default();
        progress.done.store(true, Ordering::Relaxed);
        let start = Instant::now();
        show_progress(&progress, start);
        assert!(start.elapsed() < PROGRESS_DELAY / 2);
    }

    #[test]
    fn a_file_that_vanished_after_the_walk_is_a_warning() {
        let component = Component {
            name: "c".into(),
            root: PathBuf::from("/nonexistent"),
        };
        let entry = FileEntry {
            component: 0,
            path: PathBuf::from("/nonexistent/gone.rb"),
            rel: "gone.rb".into(),
            read: true,
            catalog_source: false,
        };
        let opts = ScanOptions::from_config(&Config::default(), 1);
        let out = scan_file(
            &entry,
            &[component],
            (&Prefilter::new([]), false),
            &opts,
            true,
        );
        let warning = out.warning.expect("a warning");
        assert!(warning.starts_with("c:gone.rb: cannot read:"), "{warning}");
        assert!(!out.read && out.references.is_empty());
    }

    /// A language added as the brief promises: one type implementing
    /// [`Frontend`], registered in a list the scan walks through.
    struct Toy;

    impl Frontend for Toy {
        fn language(&self) -> crate::model::Language {
            crate::model::Language::Text
        }
        fn claims(&self, name: &str, _head: Option<&[u8]>) -> bool {
            name.ends_with(".toy")
        }
        fn wants(&self, bytes: &[u8], _prefilter: &Prefilter) -> bool {
            memchr::memmem::find(bytes, b"flag ").is_some()
        }
        fn builds_tree(&self) -> bool {
            false
        }
        fn extract(&self, file: &SourceFile, _opts: &FrontendOptions) -> frontend::FileFacts {
            use crate::model::{CallForm, Kind, Status};
            let map = frontend::SourceMap::new(file.bytes);
            let mut facts = frontend::FileFacts::default();
            let mut offset = 0;
            for line in file.bytes.split_inclusive(|&b| b == b'\n') {
                if let Some(name) = line.trim_ascii().strip_prefix(b"flag ") {
                    let raw = frontend::RawRef::direct(
                        String::from_utf8_lossy(name).into_owned(),
                        Kind::Config,
                        CallForm::EnvAssignment,
                        map.range(offset, offset + line.trim_ascii_end().len()),
                        Status::None,
                    );
                    facts.refs.push(raw.clone());
                    facts.deferred.push(frontend::Deferred::Mention(raw));
                }
                offset += line.len();
            }
            facts
        }
    }

    #[test]
    fn a_toy_frontend_is_scanned_through_the_registration_list() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.toy"), "x\nflag find_commit\n").unwrap();
        std::fs::write(dir.path().join("b.rb"), "gitaly_migrate(:x) { |on| on }\n").unwrap();
        let component = Component {
            name: "c".into(),
            root: dir.path().to_path_buf(),
        };
        let opts = ScanOptions::from_config(&Config::default(), 1);
        let frontends: &[&dyn Frontend] = &[&Toy];
        let found = discover::discover(
            std::slice::from_ref(&component),
            &opts.walk,
            None,
            &|name| Wanted {
                read: frontend::claimant_in(frontends, name, None).is_some(),
                catalog_source: false,
            },
        )
        .unwrap();
        let rels: Vec<&str> = found.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, ["a.toy"]);
        let prefilter = Prefilter::new([]);
        let job = Job {
            frontends,
            component: &component,
            prefilter: &prefilter,
            opts: &opts,
            defer_big: true,
            server: false,
        };
        let out = job.scan(&found.files[0]);
        assert!(out.read && out.parsed);
        let [r] = out.references.as_slice() else {
            panic!("{:?}", out.references)
        };
        assert_eq!(r.flag, "find_commit");
        assert_eq!(r.language, crate::model::Language::Text);
        assert_eq!(
            (r.location.component.as_str(), r.location.path.as_str()),
            ("c", "a.toy")
        );
        assert_eq!((r.location.span.line, r.location.span.column), (2, 1));
        assert!(!out.cross.is_empty(), "the mention waits for the resolver");
        // The registered frontends do not read `.toy` files.
        assert!(frontend::claimant("a.toy", None).is_none());
    }

    #[test]
    fn registered_frontends_claim_by_name_then_by_shebang() {
        use crate::model::Language;
        let lang =
            |name: &str, head: Option<&[u8]>| frontend::claimant(name, head).map(|f| f.language());
        assert_eq!(lang("a.rb", None), Some(Language::Ruby));
        assert_eq!(lang("Gemfile", Some(b"#!/bin/sh\n")), Some(Language::Ruby));
        assert_eq!(lang("x.go", None), Some(Language::Go));
        assert_eq!(lang("roles.json", None), Some(Language::Text));
        assert_eq!(lang("Gemfile.lock", None), None);
        // An extension-less script: perhaps during the walk, then by its shebang.
        assert!(lang("gitlab-shell", None).is_some());
        assert_eq!(
            lang("gitlab-shell", Some(b"#!/usr/bin/env ruby\nx")),
            Some(Language::Ruby)
        );
        assert_eq!(lang("setup", Some(b"#!/bin/bash\n")), Some(Language::Text));
        assert_eq!(lang("README", Some(b"hello\n")), None);
    }
}
