//! The pipeline: discover → prefilter → parse → extract → resolve (rules and
//! reports follow in `check`).
//!
//! Files are read, prefiltered, parsed and their references extracted in
//! parallel (rayon); results come back in (component, path) order whatever the
//! thread count.

use crate::catalog::Catalog;
use crate::component::Component;
use crate::config::{Config, DEFAULT_ENV_IGNORE, DEFAULT_MAX_FILE_SIZE};
use crate::discover::{self, FileEntry, Language, WalkOptions};
use crate::frontend::{go, ruby, text};
use crate::model::Reference;
use crate::prefilter::Prefilter;
use rayon::prelude::*;
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Everything a scan needs besides the components.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub walk: WalkOptions,
    pub max_file_size: u64,
    pub ruby: ruby::Options,
    /// The catalog the run starts from (embedded and `--catalog`).
    pub catalog: Catalog,
    /// Parse only files the byte prefilter selects (false: parse every file).
    pub prefilter: bool,
    /// Show a spinner with the counts on standard error when the scan takes
    /// longer than [`PROGRESS_DELAY`] (the caller decides: a terminal, no
    /// `--quiet`).
    pub progress: bool,
}

/// How long a scan runs before its progress is shown.
pub const PROGRESS_DELAY: Duration = Duration::from_secs(1);

impl ScanOptions {
    /// Settings from the registry file, before command-line overrides.
    pub fn from_config(config: &Config, threads: usize) -> ScanOptions {
        let mut env_ignore: Vec<String> =
            DEFAULT_ENV_IGNORE.iter().map(|s| s.to_string()).collect();
        env_ignore.extend(config.env_ignore.iter().cloned());
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
            ruby: ruby::Options {
                toggle_methods: config.toggle_methods.clone(),
                env_ignore,
                commands: ruby::DEFAULT_COMMANDS
                    .iter()
                    .map(|(c, e)| (c.to_string(), e.to_string()))
                    .chain(config.shell_commands.iter().cloned())
                    .collect(),
            },
        }
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
/// until it is done; draws nothing for a shorter scan.
fn show_progress(progress: &Progress, start: Instant) {
    let tick = Duration::from_millis(50);
    while start.elapsed() < PROGRESS_DELAY {
        if progress.done.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(tick);
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
        std::thread::sleep(tick * 2);
    }
    bar.finish_and_clear();
}

/// Scans the components.
pub fn scan(
    components: &[Component],
    config: &Config,
    opts: &ScanOptions,
) -> Result<ScanResult, String> {
    let start = Instant::now();
    for c in components {
        if !c.root.exists() {
            return Err(format!("{}: no such file or directory", c.root.display()));
        }
    }
    let progress = Progress::default();
    std::thread::scope(|s| {
        if opts.progress {
            s.spawn(|| show_progress(&progress, start));
        }
        let result = scan_inner(components, config, opts, &progress, start);
        progress.done.store(true, Ordering::Relaxed);
        result
    })
}

fn scan_inner(
    components: &[Component],
    config: &Config,
    opts: &ScanOptions,
    progress: &Progress,
    start: Instant,
) -> Result<ScanResult, String> {
    let found = discover::discover(components, &opts.walk, Some(&progress.walked))?;
    let prefilter = if opts.prefilter {
        Prefilter::new(opts.ruby.toggle_methods.iter().map(String::as_str))
    } else {
        Prefilter::everything()
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
            let mut r = scan_file(f, components, &prefilter, opts, true);
            r.entry = i;
            count(&r);
            (!r.is_empty()).then_some(r)
        })
        .collect();
    // Large files to parse, one after the other on this thread: a syntax tree
    // costs 60 to 450 bytes per byte of source, and a tree freed on one thread
    // is memory the allocator keeps for that thread. Peak memory is that of
    // one large tree, whatever the thread count.
    for r in results.iter_mut().filter(|r| r.deferred) {
        let entry = r.entry;
        *r = scan_file(&found.files[entry], components, &prefilter, opts, false);
        count(r);
    }

    let mut out = ScanResult {
        warnings: found.warnings,
        ..ScanResult::default()
    };
    out.stats.files_walked = found.walked;
    let mut pending = Vec::new();
    let mut includes = Vec::new();
    let mut branches = Vec::new();
    let mut funcs = Vec::new();
    let mut candidates = Vec::new();
    let mut ruby_toggles = Vec::new();
    let mut methods = Vec::new();
    let mut catalog = opts.catalog.clone();
    for r in results {
        for mut e in r.endpoints {
            e.sources = vec![format!("{}:{}", r.component_name, r.rel)];
            catalog.add(e);
        }
        out.warnings.extend(r.catalog_warnings);
        out.directives.extend(r.directives);
        candidates.extend(r.candidates);
        ruby_toggles.extend(r.ruby_toggles);
        methods.extend(r.methods);
        branches.extend(r.branches);
        funcs.extend(r.funcs);
        pending.extend(r.pending);
        includes.extend(r.includes);
        out.references.extend(r.references);
        out.warnings.extend(r.warning);
        out.notes.extend(r.note);
    }
    out.stats.files_read = read.load(Ordering::Relaxed);
    out.stats.files_parsed = parsed.load(Ordering::Relaxed);
    out.stats.files_skipped = skipped.into_inner();
    let inferred =
        crate::resolve::infer_branch_endpoints(branches, &funcs, components, config, &catalog);
    out.references.extend(inferred);
    out.references.extend(crate::resolve::infer_ruby_endpoints(
        ruby_toggles,
        &methods,
        &catalog,
    ));
    bind_shared_examples(&mut out.references, pending, &includes, components);
    crate::resolve::resolve(&mut out.references, config);
    let mentions = crate::resolve::known_mentions(candidates, &out.references, config, &catalog);
    out.references.extend(mentions);
    out.references.sort_by(|a, b| {
        (&a.component, &a.path, a.span.start_byte, &a.flag, a.kind).cmp(&(
            &b.component,
            &b.path,
            b.span.start_byte,
            &b.flag,
            b.kind,
        ))
    });
    out.catalog = catalog;
    out.stats.elapsed = start.elapsed();
    Ok(out)
}

/// A reference through a shared example's parameter, bound after the scan.
struct Pending {
    reference: Reference,
    example: String,
    index: usize,
}

impl FileOutcome {
    /// Nothing to report or to resolve: only the counts matter.
    fn is_empty(&self) -> bool {
        self.references.is_empty()
            && self.candidates.is_empty()
            && self.branches.is_empty()
            && self.funcs.is_empty()
            && self.pending.is_empty()
            && self.includes.is_empty()
            && self.ruby_toggles.is_empty()
            && self.methods.is_empty()
            && self.endpoints.is_empty()
            && self.catalog_warnings.is_empty()
            && self.directives.is_empty()
            && self.warning.is_none()
            && self.note.is_none()
            && !self.deferred
    }
}

#[derive(Default)]
struct FileOutcome {
    /// `flaglint: disable` directives.
    directives: Vec<crate::suppress::Directive>,
    component_name: String,
    rel: String,
    /// Endpoints of a catalog source.
    endpoints: Vec<crate::catalog::Endpoint>,
    /// Problems reading a catalog source.
    catalog_warnings: Vec<String>,
    /// Ruby toggles and the call facts of their Gitaly branch.
    ruby_toggles: Vec<(Reference, Vec<crate::frontend::ruby_calls::CallFact>)>,
    /// Ruby methods, for endpoint inference.
    methods: Vec<crate::frontend::ruby_calls::Method>,
    /// Plain mentions in config and docs, kept only for known flags.
    candidates: Vec<Reference>,
    /// Go branches and the calls of their Gitaly side.
    branches: Vec<(Reference, Vec<(String, bool)>)>,
    /// Go functions (component, function).
    funcs: Vec<(usize, go::Func)>,
    pending: Vec<Pending>,
    includes: Vec<(usize, String, std::path::PathBuf, ruby::Include)>,
    read: bool,
    parsed: bool,
    skipped: bool,
    /// A large file to parse, left for the sequential pass.
    deferred: bool,
    /// Its index in the discovered files.
    entry: usize,
    references: Vec<Reference>,
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

fn scan_file(
    entry: &FileEntry,
    components: &[Component],
    prefilter: &Prefilter,
    opts: &ScanOptions,
    defer_big: bool,
) -> FileOutcome {
    let component = &components[entry.component];
    let shown = display_path(component, entry);
    CURRENT_FILE.with(|c| *c.borrow_mut() = Some(entry.path.display().to_string()));
    let out = scan_file_inner(entry, component, &shown, prefilter, opts, defer_big);
    CURRENT_FILE.with(|c| *c.borrow_mut() = None);
    out
}

fn scan_file_inner(
    entry: &FileEntry,
    component: &Component,
    shown: &str,
    prefilter: &Prefilter,
    opts: &ScanOptions,
    defer_big: bool,
) -> FileOutcome {
    let mut out = FileOutcome::default();
    let bytes = match read_limited(&entry.path, opts.max_file_size) {
        Ok(Some(b)) => b,
        Ok(None) => {
            out.skipped = true;
            out.note = Some(format!(
                "{shown}: skipped, larger than the size limit ({} bytes; see max_file_size)",
                opts.max_file_size
            ));
            return out;
        }
        Err(e) => {
            out.warning = Some(format!("{shown}: cannot read: {e}"));
            return out;
        }
    };
    out.read = true;
    out.directives = crate::suppress::directives(&bytes, &component.name, &entry.rel, &entry.path);
    if entry.catalog_source {
        out.component_name = component.name.clone();
        out.rel = entry.rel.clone();
        let name = entry.rel.rsplit('/').next().unwrap_or(&entry.rel);
        let (endpoints, warnings) =
            crate::catalog::sources::read(name, &String::from_utf8_lossy(&bytes));
        out.endpoints = endpoints;
        out.catalog_warnings = warnings
            .into_iter()
            .map(|(line, col, m)| format!("{shown}:{line}:{col}: catalog: {m}"))
            .collect();
    }
    let language = match entry.language {
        None => return out,
        Some(Language::MaybeScript) => match script_kind(&bytes) {
            Some(l) => l,
            None => return out,
        },
        Some(l) => l,
    };
    let job = Job {
        bytes: &bytes,
        entry,
        component,
        shown,
        prefilter,
        opts,
    };
    match language {
        Language::Text(format) => scan_text(&job, format, &mut out),
        l if defer_big
            && bytes.len() > BIG_FILE
            && match l {
                Language::Go => prefilter.mentions_gitaly(&bytes),
                _ => prefilter.matches(&bytes),
            } =>
        {
            // Parsed later, alone (see `scan`); counted then.
            return FileOutcome {
                deferred: true,
                ..FileOutcome::default()
            };
        }
        Language::Go => scan_go(&job, &mut out),
        _ => scan_ruby(&job, &mut out),
    }
    out
}

/// Files to parse larger than this (bytes) are parsed one at a time.
const BIG_FILE: usize = 256 * 1024;

/// One file to scan, read.
struct Job<'a> {
    bytes: &'a [u8],
    entry: &'a FileEntry,
    component: &'a Component,
    shown: &'a str,
    prefilter: &'a Prefilter,
    opts: &'a ScanOptions,
}

fn scan_go(job: &Job, out: &mut FileOutcome) {
    let Job {
        bytes,
        entry,
        component,
        shown,
        prefilter,
        opts,
    } = *job;
    if !prefilter.mentions_gitaly(bytes) {
        return;
    }
    out.parsed = true;
    let x = go::extract(
        bytes,
        entry.rel.ends_with("_test.go"),
        &opts.ruby.env_ignore,
    );
    if x.syntax_errors && !(x.refs.is_empty() && x.branches.is_empty()) {
        out.note = Some(format!(
            "{shown}: syntax errors; references in the broken part may be missed"
        ));
    }
    out.references = x
        .refs
        .iter()
        .map(|r| to_reference(r, "go", component, entry))
        .collect();
    out.branches = x
        .branches
        .into_iter()
        .map(|b| (to_reference(&b.raw, "go", component, entry), b.calls))
        .collect();
    out.funcs = x.funcs.into_iter().map(|f| (entry.component, f)).collect();
}

fn scan_text(job: &Job, format: text::Format, out: &mut FileOutcome) {
    let Job {
        bytes,
        entry,
        component,
        prefilter,
        opts,
        ..
    } = *job;
    if !prefilter.mentions_gitaly(bytes) {
        return;
    }
    out.parsed = true;
    for t in text::extract(bytes, format, &opts.ruby.env_ignore) {
        let mut r = to_reference(&t.raw, "text", component, entry);
        r.json_path = t.json_path;
        if t.candidate {
            out.candidates.push(r);
        } else {
            out.references.push(r);
        }
    }
}

fn scan_ruby(job: &Job, out: &mut FileOutcome) {
    let Job {
        bytes,
        entry,
        component,
        shown,
        prefilter,
        opts,
    } = *job;
    if !prefilter.matches(bytes) {
        return;
    }
    out.parsed = true;
    let extracted = ruby::extract(bytes, is_test_path(&entry.rel), &opts.ruby);
    if extracted.syntax_errors && !extracted.refs.is_empty() {
        out.note = Some(format!(
            "{shown}: syntax errors; references in the broken part may be missed"
        ));
    }
    out.methods = extracted.methods;
    for raw in extracted.refs {
        let reference = to_reference(&raw, "ruby", component, entry);
        match raw.shared_param {
            Some((example, index)) => out.pending.push(Pending {
                reference,
                example,
                index,
            }),
            None if !raw.facts.is_empty() => out.ruby_toggles.push((reference, raw.facts)),
            None => out.references.push(reference),
        }
    }
    out.includes = extracted
        .includes
        .into_iter()
        .map(|i| (entry.component, entry.rel.clone(), entry.path.clone(), i))
        .collect();
}

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

/// An extension-less script: Ruby or shell by its shebang.
fn script_kind(bytes: &[u8]) -> Option<Language> {
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or(b"");
    if !first.starts_with(b"#!") {
        return None;
    }
    let has = |w: &[u8]| memchr::memmem::find(first, w).is_some();
    if has(b"ruby") {
        Some(Language::Ruby)
    } else if has(b"sh") {
        Some(Language::Text(text::Format::Shell))
    } else {
        None
    }
}

/// Test code: everything under a `spec/` or `test/` directory, and `*_spec.rb`.
pub fn is_test_path(rel: &str) -> bool {
    rel.starts_with("spec/")
        || rel.starts_with("test/")
        || rel.contains("/spec/")
        || rel.contains("/test/")
        || rel.ends_with("_spec.rb")
        || rel.ends_with("_test.rb")
}

fn to_reference(
    r: &crate::frontend::RawRef,
    language: &'static str,
    component: &Component,
    entry: &FileEntry,
) -> Reference {
    Reference {
        flag: r.flag.clone(),
        kind: r.kind,
        form: r.form,
        call: r.call,
        language,
        component: component.name.clone(),
        path: entry.rel.clone(),
        abs_path: entry.path.clone(),
        span: r.span,
        status: r.status,
        enabled_branch: r.enabled_branch,
        legacy_branch: r.legacy_branch,
        endpoints: r.endpoints.clone(),
        value: r.value.clone(),
        json_path: None,
        feature: None,
    }
}

/// Binds shared-example parameters to the `it_behaves_like` sites of the same
/// component: one `test-stub` reference per site and flag, at the site. A
/// parameter no site binds stays a dynamic reference where it is used.
fn bind_shared_examples(
    references: &mut Vec<Reference>,
    pending: Vec<Pending>,
    includes: &[(usize, String, std::path::PathBuf, ruby::Include)],
    components: &[Component],
) {
    let mut seen = std::collections::HashSet::new();
    let mut bound = Vec::new();
    for p in pending {
        let mut any = false;
        for (ci, rel, abs, inc) in includes {
            if components[*ci].name != p.reference.component || inc.example != p.example {
                continue;
            }
            let Some(Some(flag)) = inc.args.get(p.index) else {
                continue;
            };
            any = true;
            if seen.insert((*ci, rel.clone(), inc.span.start_byte, flag.clone())) {
                bound.push(Reference {
                    flag: flag.clone(),
                    kind: crate::model::Kind::TestStub,
                    form: "shared_example",
                    path: rel.clone(),
                    abs_path: abs.clone(),
                    span: inc.span,
                    enabled_branch: None,
                    legacy_branch: None,
                    ..p.reference.clone()
                });
            }
        }
        if !any {
            references.push(p.reference);
        }
    }
    references.extend(bound);
    references.sort_by(|a, b| {
        (&a.component, &a.path, a.span.start_byte, &a.flag).cmp(&(
            &b.component,
            &b.path,
            b.span.start_byte,
            &b.flag,
        ))
    });
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
            language: Some(Language::Ruby),
            catalog_source: false,
        };
        let opts = ScanOptions::from_config(&Config::default(), 1);
        let out = scan_file(&entry, &[component], &Prefilter::new([]), &opts, true);
        let warning = out.warning.expect("a warning");
        assert!(warning.starts_with("c:gone.rb: cannot read:"), "{warning}");
        assert!(!out.read && out.references.is_empty());
    }
}
