//! The check engine: the library's entry point above the pipeline. It turns a
//! request (what the command line says, as plain data) into [`Settings`],
//! scans them into a [`Prepared`] run, and on that runs the rules
//! ([`check`]: selection, severities, inline suppressions, fingerprints,
//! `--changed-since`, baselines) or plans and applies the fix ([`plan_fix`],
//! [`fix`], [`checklist`]). It prints nothing: warnings and notes go to the
//! caller's [`Sink`], results come back as data; [`crate::cli`] prints them.

use crate::baseline::{Applied, Baseline, BaselineError};
use crate::catalog::Catalog;
use crate::changed::ChangedError;
use crate::cleanup::{Outcome, Plan, Selection};
use crate::component::Component;
use crate::config::{escape_controls, find_config, Config, ConfigError, ConfigSearch, CONFIG_FILE};
use crate::model::{Finding, Kind, Severity};
use crate::rules::{self, Context, RuleCode, SuppressionUse};
use crate::scan::{ScanOptions, ScanResult};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Why a run could not go on (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A broken registry, or a `[components]` entry that does not exist
    /// (shown with its span).
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Catalog(#[from] crate::catalog::CatalogError),
    #[error("cannot start {threads} threads: {source}")]
    Threads {
        threads: usize,
        source: rayon::ThreadPoolBuildError,
    },
    #[error(transparent)]
    Scan(#[from] crate::scan::ScanError),
    #[error(transparent)]
    Changed(#[from] ChangedError),
    #[error(transparent)]
    Baseline(#[from] BaselineError),
    /// `--select` or `--ignore` names no rule.
    #[error("{option} {name}: no such rule; `flaglint explain` lists them")]
    NoSuchRule { option: &'static str, name: String },
    /// `--feature` names no feature.
    #[error("--feature {0}: no such feature in the registry or the scanned trees")]
    NoSuchFeature(String),
}

/// Something worth telling while the run goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A problem that does not stop the run (`warning:`).
    Warning(String),
    /// Something worth knowing (`note:`; `--quiet` drops them).
    Note(String),
}

/// Where the engine sends its [`Message`]s, in the order they happen.
pub type Sink<'a> = &'a mut dyn FnMut(Message);

/// What to scan and how: the scanning options of the command line.
#[derive(Debug, Clone, Default)]
pub struct ScanRequest {
    /// Trees to scan: `PATH` or `NAME=PATH`; none: the registry's
    /// `[components]`, or `.`.
    pub paths: Vec<String>,
    /// `--config FILE`.
    pub config: Option<PathBuf>,
    /// `--no-config`.
    pub no_config: bool,
    /// `--threads N` (`0` or none: the number of CPUs).
    pub threads: Option<usize>,
    pub exclude: Vec<String>,
    pub no_default_excludes: bool,
    pub no_ignore: bool,
    pub follow: bool,
    /// `--catalog PATH`s.
    pub catalog: Vec<PathBuf>,
    pub no_default_catalog: bool,
    pub max_file_size: Option<u64>,
    pub no_prefilter: bool,
    /// Show the scan's progress spinner (the caller knows whether standard
    /// error is a terminal).
    pub progress: bool,
}

/// What a run is set to do, before it scans: the registry, the components
/// and the scan options (command line over registry over defaults).
pub struct Settings {
    pub search: ConfigSearch,
    pub config: Config,
    pub components: Vec<Component>,
    pub opts: ScanOptions,
    pub threads: usize,
    /// Whether `threads` is the automatic number.
    pub threads_auto: bool,
}

/// A scanned run: what the rules, the fix and the reports work on.
pub struct Prepared {
    pub components: Vec<Component>,
    pub config: Config,
    pub result: ScanResult,
    /// How the trees were walked (the fix's dead-code and spec search walks the same way).
    pub walk: crate::discover::WalkOptions,
    /// The trees' Ruby, rake and view texts, read once when the fix needs them.
    tree_texts: std::sync::OnceLock<Vec<crate::cleanup::dead::TreeText>>,
    /// The runbooks, alerts and dashboards of the `[gates]` components.
    pub gates: Option<crate::gates::Evidence>,
    /// Where each component stands in the release calendar (the overdue
    /// rule): set by the caller when it read it ([`crate::history::standing`]).
    pub standing: Option<crate::history::calendar::Standing>,
}

impl Prepared {
    /// The trees' Ruby, rake and view files with their text (read on first use).
    pub fn tree_texts(&self) -> &[crate::cleanup::dead::TreeText] {
        self.tree_texts
            .get_or_init(|| crate::cleanup::dead::tree_texts(&self.components, &self.walk))
    }
}

/// How the registry is chosen: `--config`, `--no-config`, or a search upward
/// from the first scanned root (the current directory without PATH).
pub fn config_search(req: &ScanRequest) -> ConfigSearch {
    if let Some(p) = &req.config {
        return ConfigSearch::Given(p.clone());
    }
    if req.no_config {
        return ConfigSearch::Disabled;
    }
    let roots: Vec<PathBuf> = if req.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        req.paths
            .iter()
            .map(|p| Component::from_arg(p).root)
            .collect()
    };
    let mut first = None;
    for r in roots {
        let s = find_config(&r);
        if matches!(s, ConfigSearch::Found { .. }) {
            return s;
        }
        first.get_or_insert(s);
    }
    first.unwrap_or(ConfigSearch::Disabled)
}

/// The components to scan: the paths given, else the registry's
/// `[components]` (each must exist), else `.`; a tree given twice is scanned
/// once, with a warning.
fn components(
    req: &ScanRequest,
    config: &Config,
    sink: Sink,
) -> Result<Vec<Component>, EngineError> {
    let mut components: Vec<Component> = req.paths.iter().map(|p| Component::from_arg(p)).collect();
    if components.is_empty() && config.components.is_empty() {
        components = vec![Component::from_arg(".")];
    }
    if components.is_empty() {
        for (i, (name, root)) in config.components.iter().enumerate() {
            if !root.exists() {
                let help = format!(
                    "paths in [components] are relative to {}; fix the entry, or name the trees on the command line",
                    config.path.as_deref().unwrap_or(Path::new(CONFIG_FILE)).display()
                );
                let message = format!("component `{name}`: {} does not exist", root.display());
                return Err(config.component_error(i, message, Some(help)).into());
            }
            components.push(Component {
                name: name.clone(),
                root: root.clone(),
            });
        }
    }
    // The same tree twice would count every reference twice.
    let mut seen: Vec<(PathBuf, String)> = Vec::new();
    components.retain(|c| {
        let Ok(canonical) = std::fs::canonicalize(&c.root) else {
            return true;
        };
        if let Some((_, first)) = seen.iter().find(|(p, _)| *p == canonical) {
            sink(Message::Warning(format!(
                "{} is the same tree as component `{first}`: scanned once",
                escape_controls(&c.root.display().to_string())
            )));
            return false;
        }
        seen.push((canonical, c.name.clone()));
        true
    });
    Ok(components)
}

/// The number of worker threads, and whether it is the automatic one.
fn threads(req: &ScanRequest, sink: Sink) -> (usize, bool) {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let max_threads = 4 * cpus;
    match req.threads {
        None | Some(0) => (cpus, true),
        Some(n) if n > max_threads => {
            sink(Message::Note(format!(
                "--threads {n} capped at {max_threads} (4 per CPU; this machine has {cpus})"
            )));
            (max_threads, false)
        }
        Some(n) => (n, false),
    }
}

/// The walk options of the request alone (`--exclude`, `--no-default-excludes`,
/// `--no-ignore`, `--follow`), without a registry's.
fn walk_options(req: &ScanRequest) -> crate::discover::WalkOptions {
    let mut walk = ScanOptions::from_config(&Config::default(), 1).walk;
    apply_walk_options(&mut walk, req);
    walk
}

/// The request's walk options over those of the registry.
fn apply_walk_options(walk: &mut crate::discover::WalkOptions, req: &ScanRequest) {
    walk.exclude.extend(req.exclude.iter().cloned());
    if req.no_default_excludes {
        walk.default_excludes = false;
    }
    walk.respect_gitignore = !req.no_ignore;
    walk.follow_links = req.follow;
}

/// The run's base catalog: the embedded one (unless `--no-default-catalog`)
/// and the `--catalog` sources (directories walked with the request's walk
/// options); their warnings go to `sink`.
pub fn load_catalog(req: &ScanRequest, sink: Sink) -> Result<Catalog, EngineError> {
    load_catalog_walking(req, &walk_options(req), sink)
}

fn load_catalog_walking(
    req: &ScanRequest,
    walk: &crate::discover::WalkOptions,
    sink: Sink,
) -> Result<Catalog, EngineError> {
    let (catalog, warnings) = Catalog::load(!req.no_default_catalog, &req.catalog, walk)?;
    for w in warnings {
        sink(Message::Warning(w));
    }
    Ok(catalog)
}

/// The settings of a run: loads the registry, settles the components and
/// the scan options.
pub fn settings(req: &ScanRequest, sink: Sink) -> Result<Settings, EngineError> {
    let search = config_search(req);
    let config = match search.path() {
        Some(p) => Config::load(p)?,
        None => Config::default(),
    };
    let components = components(req, &config, sink)?;
    let (threads, threads_auto) = threads(req, sink);
    let mut opts = ScanOptions::from_config(&config, threads);
    apply_walk_options(&mut opts.walk, req);
    if let Some(m) = req.max_file_size {
        opts.max_file_size = m;
    }
    opts.prefilter = !req.no_prefilter;
    opts.progress = req.progress;
    opts.catalog = load_catalog_walking(req, &opts.walk, sink)?;
    Ok(Settings {
        search,
        config,
        components,
        opts,
        threads,
        threads_auto,
    })
}

/// Scans the settled components (on `threads` workers). The scan's warnings
/// and notes stay in the result: see [`report_scan`].
pub fn scan(settings: Settings) -> Result<Prepared, EngineError> {
    let Settings {
        config,
        components,
        opts,
        threads,
        ..
    } = settings;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| EngineError::Threads { threads, source })?;
    let mut result = pool.install(|| crate::scan::scan(&components, &config, &opts))?;
    // What the stage gates (FL016) read, with the scan's warnings.
    let gates = config.gates.as_ref().map(|g| {
        let e = crate::gates::collect(g, &components, &opts.walk);
        result.warnings.extend(e.warnings.iter().cloned());
        e
    });
    Ok(Prepared {
        components,
        config,
        result,
        walk: opts.walk,
        tree_texts: std::sync::OnceLock::new(),
        gates,
        standing: None,
    })
}

/// Sends a scan's warnings, then its notes, to `sink`.
pub fn report_scan(p: &Prepared, sink: Sink) {
    for w in &p.result.warnings {
        sink(Message::Warning(w.clone()));
    }
    for n in &p.result.notes {
        sink(Message::Note(n.clone()));
    }
}

/// [`settings`], [`scan`] and [`report_scan`].
pub fn prepare(req: &ScanRequest, sink: Sink) -> Result<Prepared, EngineError> {
    let p = scan(settings(req, sink)?)?;
    report_scan(&p, sink);
    Ok(p)
}

/// Which rules run, and at which severity: `--select`/`--ignore` and `[rules]`.
#[derive(Debug, Clone, Default)]
pub struct RuleSelection {
    /// Only these (none: every rule).
    pub select: Vec<RuleCode>,
    /// Not these.
    pub ignore: Vec<RuleCode>,
    /// `[rules]`: a severity, or `None` for off.
    pub levels: Vec<(RuleCode, Option<Severity>)>,
}

impl RuleSelection {
    /// The severity findings of `code` get (its `default` unless `[rules]`
    /// says otherwise), or `None` when the rule is off.
    pub fn severity(&self, code: RuleCode, default: Severity) -> Option<Severity> {
        if (!self.select.is_empty() && !self.select.contains(&code)) || self.ignore.contains(&code)
        {
            return None;
        }
        match self.levels.iter().find(|(c, _)| *c == code) {
            Some((_, level)) => *level,
            None => Some(default),
        }
    }
}

/// The rules `--select` or `--ignore` (`option`) names; an empty item
/// (`FL002,`) is ignored.
pub fn rule_codes(names: &[String], option: &'static str) -> Result<Vec<RuleCode>, EngineError> {
    names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .map(|n| {
            RuleCode::parse(n).ok_or_else(|| EngineError::NoSuchRule {
                option,
                name: n.to_string(),
            })
        })
        .collect()
}

/// What [`check`] does besides running the rules.
#[derive(Debug, Default)]
pub struct CheckOptions {
    pub select: Vec<RuleCode>,
    pub ignore: Vec<RuleCode>,
    /// `--changed-since`: report only findings in these files (canonical).
    pub changed: Option<HashSet<PathBuf>>,
    /// `--baseline`: drop the findings it records.
    pub baseline: Option<Baseline>,
    /// `--write-baseline`: record the findings there (then report none).
    pub write_baseline: Option<PathBuf>,
}

/// A written baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BaselineWritten {
    /// The findings it records.
    pub findings: usize,
    /// Its entries (one per fingerprint).
    pub entries: usize,
}

/// What [`check`] found.
#[derive(Debug)]
pub struct CheckOutcome {
    /// The findings to report, sorted by location.
    pub findings: Vec<Finding>,
    /// The texts of the files the findings point into (for snippets).
    pub sources: HashMap<PathBuf, Option<String>>,
    /// With `write_baseline`: what was written.
    pub baseline_written: Option<BaselineWritten>,
    /// With `baseline`: what it covered.
    pub baseline_applied: Option<Applied>,
}

/// The inline suppressions of the run: the scanned files' and the registry's.
fn directives(p: &Prepared) -> Vec<crate::suppress::Directive> {
    let mut directives = p.result.directives.clone();
    if let Some(path) = &p.config.path {
        let shown = path.display().to_string().replace('\\', "/");
        directives.extend(crate::suppress::directives(
            p.config.source.as_bytes(),
            "registry",
            &shown,
            path,
        ));
    }
    directives
}

/// The selected rules' findings, less the suppressed ones, plus the
/// suppressions' own (FL010, FL011), at their effective severities.
fn findings(p: &Prepared, selection: &RuleSelection) -> Vec<Finding> {
    let mut findings = rules::run(&Context {
        references: &p.result.references,
        config: &p.config,
        catalog: &p.result.catalog,
        sides: rules::Sides::of(&p.components),
        gates: p.gates.as_ref(),
        standing: p.standing.as_ref(),
    });
    let on = |r: &rules::RuleInfo| selection.severity(r.code, r.severity).is_some();
    findings.retain(|f| on(rules::info(f.code)));
    let directives = directives(p);
    let used = crate::suppress::apply(&mut findings, &directives);
    let uses: Vec<SuppressionUse> = directives
        .iter()
        .zip(used)
        .map(|(directive, used)| SuppressionUse { directive, used })
        .collect();
    for rule in rules::all().into_iter().filter(|r| on(r.info())) {
        rule.check_suppressions(&uses, &mut findings);
    }
    for f in &mut findings {
        if let Some(severity) = selection.severity(f.code, f.severity) {
            f.severity = severity;
        }
    }
    findings
}

/// Runs the rules on a scanned run: selection and severities (`opts` and
/// `[rules]`), inline suppressions, fingerprints, `--changed-since`, then
/// the baseline (written, or applied). The findings come back sorted.
pub fn check(p: &Prepared, opts: &CheckOptions) -> Result<CheckOutcome, EngineError> {
    let selection = RuleSelection {
        select: opts.select.clone(),
        ignore: opts.ignore.clone(),
        levels: p.config.rule_levels.clone(),
    };
    let mut findings = findings(p, &selection);
    let sources = crate::baseline::load_sources(&findings);
    crate::baseline::fingerprint_all(&mut findings, &sources);
    if let Some(changed) = &opts.changed {
        findings.retain(|f| {
            let at = &f.location.abs_path;
            let abs = std::fs::canonicalize(at).unwrap_or_else(|_| at.clone());
            changed.contains(&abs)
        });
    }
    let mut baseline_written = None;
    if let Some(path) = &opts.write_baseline {
        let entries = crate::baseline::write(path, &findings)?;
        baseline_written = Some(BaselineWritten {
            findings: findings.len(),
            entries,
        });
        // The baseline just written covers every finding (it is not read back:
        // it may be a FIFO or a device).
        findings.clear();
    }
    let baseline_applied = opts
        .baseline
        .as_ref()
        .map(|b| crate::baseline::apply(b, &mut findings));
    rules::sort(&mut findings);
    Ok(CheckOutcome {
        findings,
        sources,
        baseline_written,
        baseline_applied,
    })
}

/// The features `fix` and `checklist` clean up: `features` (names or
/// aliases, each known to the registry or the scanned trees), or without
/// any every feature Mandatory in the registry or the code; and the plan.
pub fn plan_fix(p: &Prepared, features: &[String]) -> Result<(Selection, Plan), EngineError> {
    let selection = Selection {
        explicit: features.to_vec(),
    };
    for name in features {
        let known =
            p.config.feature(name).is_some() || p.result.references.iter().any(|r| &r.flag == name);
        if !known {
            return Err(EngineError::NoSuchFeature(name.clone()));
        }
    }
    // The trees' Ruby texts, read if a helper to inline needs them.
    let named_elsewhere = |name: &str, path: &std::path::Path| {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        p.tree_texts()
            .iter()
            .any(|t| t.canon != path && crate::cleanup::dead::names(&t.text, name))
    };
    let plan = crate::cleanup::plan(
        &p.result.references,
        &p.config,
        &selection,
        &named_elsewhere,
    );
    Ok((selection, plan))
}

/// The Mandatory stage's to-do list of a plan; `link_base`: a URL per
/// component to link locations to.
pub fn checklist(
    p: &Prepared,
    selection: &Selection,
    plan: &Plan,
    link_base: &[(String, String)],
) -> Vec<crate::cleanup::checklist::Section> {
    crate::cleanup::checklist::build(&p.result.references, &p.config, selection, plan, link_base)
}

/// How [`fix`] applies a plan.
#[derive(Debug, Clone, Copy, Default)]
pub struct FixOptions {
    /// Write the files (else only compute the diff).
    pub write: bool,
    /// Keep (and list) the methods and constants only the removed legacy
    /// code named, instead of deleting them.
    pub keep_dead: bool,
    /// Keep the specs of the legacy path (by default, a `:skip_gitaly_mock`
    /// / `:disable_gitaly` block of a fixed feature is deleted).
    pub keep_specs: bool,
}

/// A selected site the fix leaves for a person.
#[derive(Debug, Clone)]
pub struct LeftSite {
    pub component: String,
    pub path: String,
    pub line: usize,
    pub kind: Kind,
    pub flag: String,
    /// Why (none: the fix does not handle the site at all).
    pub why: Option<String>,
}

/// What [`fix`] did.
#[derive(Debug)]
pub struct FixOutcome {
    /// The plan, as applied (the dead definitions deleted, unless `keep_dead`).
    pub plan: Plan,
    /// The legacy-path spec blocks deleted or collapsed (`shown:line 'description': what`).
    pub specs: Vec<String>,
    /// The dead definitions deleted (`shown:line `name``).
    pub deleted: Vec<String>,
    /// The unified diff of the changed files (empty when writing).
    pub diff: String,
    /// Files abandoned, with why (`shown: why`).
    pub problems: Vec<String>,
    /// With `write`: what was written and what not.
    pub report: Option<crate::fsutil::WriteReport>,
    /// The sites fixed.
    pub fixed: usize,
    /// The files changed.
    pub files: usize,
    /// The selected sites left for a person.
    pub left: Vec<LeftSite>,
    /// Where the diff's paths start from.
    pub root: Option<PathBuf>,
}

/// Applies a plan: deletes the dead legacy code (unless `keep_dead`), computes the diff,
/// writes the files (`write`: only files unchanged since they were read, not
/// read-only and not hard-linked; a signal stops the writing after the file
/// being written), and counts what is fixed and what is left.
pub fn fix(p: &Prepared, selection: &Selection, mut plan: Plan, opts: FixOptions) -> FixOutcome {
    let mut specs = if opts.keep_specs {
        Vec::new()
    } else {
        crate::cleanup::delete_legacy_specs(
            &mut plan,
            &p.result.references,
            &p.config,
            &p.components,
            p.tree_texts(),
        )
    };
    let sweep = |plan: &mut Plan| {
        crate::cleanup::dead::sweep(plan, &p.components, p.tree_texts(), !opts.keep_dead).deleted
    };
    // The sweep, on a copy first when specs go too: a method it keeps only
    // for its own `describe '#name'` blocks goes with them, by a second sweep.
    let mut deleted = if opts.keep_specs || opts.keep_dead {
        sweep(&mut plan)
    } else {
        let mut swept = plan.clone();
        let deleted = sweep(&mut swept);
        let own =
            crate::cleanup::delete_own_specs(&mut plan, &swept, &p.components, p.tree_texts());
        if own.is_empty() {
            plan = swept;
            deleted
        } else {
            specs.extend(own);
            sweep(&mut plan)
        }
    };
    deleted.extend(crate::cleanup::go::sweep(
        &mut plan,
        &p.components,
        &p.walk,
        !opts.keep_dead,
    ));
    let root = crate::cleanup::patch_root(&p.components);
    let mut diff = String::new();
    let mut problems = Vec::new();
    for f in &plan.files {
        if let Some(why) = &f.abandoned {
            problems.push(format!("{}: {why}", f.shown));
        } else if !opts.write && f.fixed != f.original {
            diff.push_str(&crate::cleanup::diff(f, root.as_deref()));
        }
    }
    let report = opts.write.then(|| crate::fsutil::write_fixes(&plan));
    let fixed = plan
        .outcomes
        .values()
        .filter(|o| matches!(o, Outcome::Fixed))
        .count();
    let files = plan
        .files
        .iter()
        .filter(|f| f.fixed != f.original && f.abandoned.is_none())
        .count();
    let left = left_sites(p, selection, &plan);
    FixOutcome {
        plan,
        specs,
        deleted,
        diff,
        problems,
        report,
        fixed,
        files,
        left,
        root,
    }
}

/// Everything selected that the fix does not remove stays for a person.
fn left_sites(p: &Prepared, selection: &Selection, plan: &Plan) -> Vec<LeftSite> {
    let refs = &p.result.references;
    refs.iter()
        .filter(|r| selection.includes(r, &p.config))
        .filter_map(|r| {
            let why = match plan.outcome(r) {
                Some(Outcome::Fixed) => return None,
                Some(Outcome::Left(why)) => Some(why.to_string()),
                None => None,
            };
            Some(LeftSite {
                component: r.location.component.clone(),
                path: r.location.path.clone(),
                line: r.location.span.line,
                kind: r.kind,
                flag: r.flag.clone(),
                why,
            })
        })
        .collect()
}

/// The fix as data (`fix --format json`): the plan, with what was written.
pub fn fix_json(p: &Prepared, selection: &Selection, outcome: &FixOutcome) -> serde_json::Value {
    let plan = &outcome.plan;
    let written: Option<HashSet<PathBuf>> = outcome.report.as_ref().map(|r| {
        plan.files
            .iter()
            .filter(|f| !r.failed.iter().any(|(shown, _)| *shown == f.shown))
            .map(|f| f.path.clone())
            .collect()
    });
    crate::cleanup::plan_json(
        plan,
        &p.result.references,
        selection,
        &p.config,
        outcome.root.as_deref(),
        written.as_ref(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn fixture(path: &str) -> String {
        format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))
    }

    /// The GitLab-CE fixture with the fixtures' registry, through the
    /// library only; the messages the engine sent.
    fn prepared(paths: &[String]) -> (Prepared, Vec<Message>) {
        let req = ScanRequest {
            paths: paths.to_vec(),
            config: Some(fixture("flaglint.toml").into()),
            threads: Some(1),
            ..ScanRequest::default()
        };
        let mut messages = Vec::new();
        let p = prepare(&req, &mut |m| messages.push(m)).expect("the fixtures scan");
        (p, messages)
    }

    fn gitlab_ce() -> Prepared {
        prepared(&[fixture("gitlab-ce")]).0
    }

    fn per_rule(findings: &[Finding]) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for f in findings {
            *counts.entry(f.code.as_str()).or_default() += 1;
        }
        counts
    }

    #[test]
    fn check_runs_every_rule_without_the_cli() {
        let p = gitlab_ce();
        let outcome = check(&p, &CheckOptions::default()).unwrap();
        // As `check --statistics` on the same tree (tests/snapshots).
        let expected = [
            ("FL001", 10),
            ("FL002", 6),
            ("FL003", 4),
            ("FL004", 1),
            ("FL005", 13),
            ("FL006", 3),
            ("FL007", 3),
            ("FL009", 1),
        ];
        assert_eq!(per_rule(&outcome.findings), BTreeMap::from(expected));
        let f = &outcome.findings;
        assert!(f
            .windows(2)
            .all(|w| rules::location_order(&w[0], &w[1]).is_le()));
        assert!(f.iter().all(|f| f.fingerprint.len() == 16));
        assert!(f.iter().all(|f| f.rule == f.code.name()));
        assert!(outcome.baseline_written.is_none() && outcome.baseline_applied.is_none());
    }

    #[test]
    fn select_and_ignore_pick_rules() {
        let p = gitlab_ce();
        let only = CheckOptions {
            select: vec![RuleCode::FL002, RuleCode::FL007],
            ..CheckOptions::default()
        };
        let counts = per_rule(&check(&p, &only).unwrap().findings);
        assert_eq!(counts, BTreeMap::from([("FL002", 6), ("FL007", 3)]));
        let not = CheckOptions {
            ignore: vec![RuleCode::FL005],
            ..CheckOptions::default()
        };
        let counts = per_rule(&check(&p, &not).unwrap().findings);
        assert!(!counts.contains_key("FL005") && counts["FL002"] == 6);
        assert!(matches!(
            rule_codes(&["FL002,".into(), "nope".into()], "--select"),
            Err(EngineError::NoSuchRule {
                option: "--select",
                ..
            })
        ));
        assert_eq!(
            rule_codes(
                &[" fl002".into(), String::new(), "dynamic-flag".into()],
                "--ignore"
            )
            .unwrap(),
            [RuleCode::FL002, RuleCode::FL007]
        );
    }

    #[test]
    fn rule_levels_override_or_turn_off() {
        let sel = RuleSelection {
            select: Vec::new(),
            ignore: vec![RuleCode::FL003],
            levels: vec![
                (RuleCode::FL001, Some(Severity::Error)),
                (RuleCode::FL002, None),
            ],
        };
        assert_eq!(
            sel.severity(RuleCode::FL001, Severity::Warning),
            Some(Severity::Error)
        );
        assert_eq!(sel.severity(RuleCode::FL002, Severity::Error), None);
        assert_eq!(sel.severity(RuleCode::FL003, Severity::Warning), None);
        assert_eq!(
            sel.severity(RuleCode::FL004, Severity::Warning),
            Some(Severity::Warning)
        );
        let only = RuleSelection {
            select: vec![RuleCode::FL004],
            ..sel
        };
        assert_eq!(only.severity(RuleCode::FL001, Severity::Warning), None);
    }

    #[test]
    fn a_written_baseline_covers_every_finding() {
        let p = gitlab_ce();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.json");
        let write = CheckOptions {
            write_baseline: Some(path.clone()),
            ..CheckOptions::default()
        };
        let written = check(&p, &write).unwrap();
        assert!(written.findings.is_empty());
        let w = written.baseline_written.unwrap();
        assert_eq!(w.findings, 41);
        assert!(w.entries <= 41);
        let read = CheckOptions {
            baseline: Some(crate::baseline::load(&path).unwrap()),
            ..CheckOptions::default()
        };
        let outcome = check(&p, &read).unwrap();
        assert!(outcome.findings.is_empty());
        let applied = outcome.baseline_applied.unwrap();
        assert_eq!(
            (applied.suppressed, applied.recorded, applied.stale),
            (41, 41, 0)
        );
    }

    #[test]
    fn changed_since_keeps_only_findings_in_changed_files() {
        let p = gitlab_ce();
        let opts = CheckOptions {
            changed: Some(HashSet::new()),
            ..CheckOptions::default()
        };
        assert!(check(&p, &opts).unwrap().findings.is_empty());
    }

    #[test]
    fn suppressions_hide_findings_and_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let src = "def a\n  # flaglint: disable=FL007 -- built at run time\n  gitaly_migrate(name) { |e| e }\n  # flaglint: disable=FL002,FL999\n  gitaly_migrate(:find_commit) { |e| e }\nend\n";
        std::fs::write(dir.path().join("a.rb"), src).unwrap();
        let req = ScanRequest {
            paths: vec![dir.path().display().to_string()],
            no_config: true,
            threads: Some(1),
            ..ScanRequest::default()
        };
        let p = prepare(&req, &mut |_| {}).unwrap();
        let outcome = check(&p, &CheckOptions::default()).unwrap();
        let codes: Vec<(&str, usize)> = outcome
            .findings
            .iter()
            .map(|f| (f.code.as_str(), f.location.span.line))
            .collect();
        // FL007 suppressed; the second directive names no rule that reports
        // there (FL010, also for FL999) and gives no reason (FL011).
        assert!(!codes.contains(&("FL007", 3)), "{codes:?}");
        assert!(codes.contains(&("FL010", 4)), "{codes:?}");
        assert!(codes.contains(&("FL011", 4)), "{codes:?}");
        assert!(!codes.contains(&("FL011", 2)), "{codes:?}");
        // Off: FL010 and FL011 report nothing.
        let off = CheckOptions {
            ignore: vec![RuleCode::FL010, RuleCode::FL011],
            ..CheckOptions::default()
        };
        let findings = check(&p, &off).unwrap().findings;
        assert!(
            findings.iter().all(|f| f.code < RuleCode::FL010),
            "{findings:?}"
        );
    }

    #[test]
    fn a_tree_given_twice_is_scanned_once_with_a_warning() {
        let ce = fixture("gitlab-ce");
        let (p, messages) = prepared(&[ce.clone(), format!("again={ce}/.")]);
        assert_eq!(p.components.len(), 1);
        assert!(
            matches!(&messages[0], Message::Warning(w) if w.contains("is the same tree as component `gitlab-ce`")),
            "{messages:?}"
        );
    }

    #[test]
    fn the_fix_plans_and_diffs_without_writing() {
        let p = gitlab_ce();
        assert!(matches!(
            plan_fix(&p, &["no_such_feature".into()]),
            Err(EngineError::NoSuchFeature(n)) if n == "no_such_feature"
        ));
        let (selection, plan) = plan_fix(&p, &[]).unwrap();
        let sections = checklist(&p, &selection, &plan, &[]);
        assert!(!sections.is_empty());
        let outcome = fix(&p, &selection, plan, FixOptions::default());
        assert!(outcome.report.is_none() && outcome.deleted.is_empty());
        assert!(outcome.fixed > 0 && outcome.files > 0);
        assert!(outcome.diff.starts_with("--- "), "{}", outcome.diff);
        let json = fix_json(&p, &selection, &outcome);
        assert!(json.is_object());
    }
}
