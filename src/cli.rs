//! The command line: argument definitions and the commands they run.

use crate::component::Component;
use crate::config::{Config, CONFIG_FILE};
use crate::rules::{self, Context};
use crate::scan::{self, ScanOptions, ScanResult};
use crate::{report, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Exit codes:
  0    no finding at or above the failing severity (--fail-on)
  1    findings at or above the failing severity
  2    usage, configuration or I/O error (or an internal error); for fix --write,
       a file it could not write
  130  interrupted by SIGINT (143: SIGTERM); a file being written is finished
  141  standard output closed by its reader (`flaglint list | head -1`)
A closed standard error does not change the exit code.

Docs: README.md; `flaglint explain` lists the rules.";

/// Static analyzer for Gitaly feature flags in the GitLab client repos.
///
/// Finds every reference to a Gitaly feature flag (toggles, checks, env vars,
/// test stubs) and checks them against the stage registry (flaglint.toml).
#[derive(Debug, Parser)]
#[command(name = "flaglint", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// When to color the output; NO_COLOR in the environment means never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check every flag reference against the rules; exit 1 on findings.
    Check(CheckArgs),
    /// List every flag reference (a table per flag and component, or JSON).
    List(ScanArgs),
    /// List the endpoint catalog with each endpoint's flag and env var. Without
    /// PATH: the embedded catalog and --catalog sources; with PATH, also the
    /// protos and generated code found in those trees.
    Endpoints(ScanArgs),
    /// The Mandatory stage's to-do list, as Markdown for an issue (or JSON).
    Checklist(ChecklistArgs),
    /// Remove the toggles of Mandatory features, keeping the Gitaly path: prints
    /// a unified diff, or applies it with --write.
    Fix(FixArgs),
    /// Print a rule's documentation (all rules when no code is given).
    Explain {
        /// A rule code (FL002) or name (mandatory-leftover).
        code: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Diagnostics with source snippets (check), tables (list, endpoints).
    Human,
    /// The complete machine format (versioned).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning (check only).
    Sarif,
    /// GitLab Code Quality report (check only).
    Codequality,
    /// GitHub Actions workflow commands: annotations (check only).
    Github,
    /// One line per finding: path:line:col: CODE message (check only).
    Concise,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Never,
}

/// Options shared by the scanning commands.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Trees to scan, each a component: PATH or NAME=PATH [default: the registry's
    /// [components], or .].
    pub paths: Vec<String>,
    /// The registry and settings [default: flaglint.toml at the first scanned root,
    /// or in the current directory].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE instead of standard output (check still prints
    /// its summary line to standard error). A regular file is replaced
    /// atomically; devices and FIFOs are written to, links followed.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Worker threads [default: the number of CPUs].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Skip paths matching GLOB (gitignore syntax; repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Also scan .git, vendor/ and node_modules/.
    #[arg(long)]
    pub no_default_excludes: bool,
    /// Do not honour .gitignore and .ignore files.
    #[arg(long)]
    pub no_ignore: bool,
    /// Follow symbolic links (loops are reported and skipped).
    #[arg(long)]
    pub follow: bool,
    /// Read endpoints from PATH: a .proto, *.pb.go or *_services_pb.rb file, or a
    /// directory of them (repeatable).
    #[arg(long, value_name = "PATH")]
    pub catalog: Vec<PathBuf>,
    /// Do not use the embedded catalog of Gitaly's endpoints.
    #[arg(long)]
    pub no_default_catalog: bool,
    /// Skip files larger than BYTES [default: 8 MiB, or max_file_size in the config].
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
    /// Parse every Ruby and Go file instead of only those the byte prefilter
    /// selects (slow; for benchmarks and for checking the prefilter).
    #[arg(long)]
    pub no_prefilter: bool,
}

/// Which features `checklist` and `fix` clean up.
#[derive(Debug, Args)]
pub struct CleanupArgs {
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Only this feature (name or alias; repeatable), whatever its stage.
    #[arg(long = "feature", value_name = "NAME")]
    pub features: Vec<String>,
    /// The stage to clean up: every feature Mandatory in the registry or in the code.
    #[arg(long, value_enum, default_value_t = CleanupStage::Mandatory)]
    pub stage: CleanupStage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CleanupStage {
    Mandatory,
}

#[derive(Debug, Args)]
pub struct ChecklistArgs {
    #[command(flatten)]
    pub cleanup: CleanupArgs,
    /// Link every location: COMPONENT=URL, the URL the path is appended to
    /// (e.g. gitlab-ce=https://gitlab.com/gitlab-org/gitlab-ce/blob/SHA/).
    #[arg(long, value_name = "COMPONENT=URL")]
    pub link_base: Vec<String>,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub cleanup: CleanupArgs,
    /// Apply the fix instead of printing its diff. Files that cannot be written
    /// (changed, read-only, hard-linked) are listed and the exit code is 2.
    #[arg(long)]
    pub write: bool,
    /// Also delete the private methods the fix leaves unused (only the removed
    /// legacy code called them) that no other Ruby file names.
    #[arg(long)]
    pub delete_dead: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Only these rules (codes or names; comma-separated or repeated).
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Not these rules (codes or names; comma-separated or repeated).
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Report only findings that the baseline FILE does not record.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in FILE (then report what it does not cover: nothing).
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
    /// Report only findings in files changed since the git revision REV.
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,
    /// The lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
}

/// Runs the parsed command line; returns the exit code.
pub fn run(cli: Cli) -> i32 {
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    };
    let result = match cli.command {
        Command::Explain { code } => explain(code.as_deref()),
        Command::List(args) => list(&args, color),
        Command::Endpoints(args) => endpoints(&args),
        Command::Checklist(args) => checklist(&args),
        Command::Fix(args) => fix(&args),
        Command::Check(args) => check(&args, color),
    };
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            if !crate::term::stdout_closed() {
                crate::errln!("{e}");
            }
            EXIT_ERROR
        }
    };
    if crate::term::stdout_closed() {
        return crate::EXIT_BROKEN_PIPE;
    }
    crate::interrupt::pending().unwrap_or(code)
}

/// An error that ends the run with exit code 2, rendered for the terminal.
type CliError = String;

fn render_diagnostic(d: &dyn miette::Diagnostic) -> String {
    let mut s = String::new();
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(120);
    if handler.render_report(&mut s, d).is_err() {
        s = d.to_string();
    }
    s
}

struct Prepared {
    components: Vec<Component>,
    config: Config,
    result: ScanResult,
}

fn prepare(args: &ScanArgs) -> Result<Prepared, CliError> {
    let mut components: Vec<Component> =
        args.paths.iter().map(|p| Component::from_arg(p)).collect();
    let config_path = args.config.clone().or_else(|| {
        let roots: Vec<PathBuf> = if components.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            components.iter().map(|c| c.root.clone()).collect()
        };
        roots
            .into_iter()
            .map(|r| r.join(CONFIG_FILE))
            .find(|p| p.is_file())
    });
    let config = match config_path {
        Some(p) => Config::load(&p).map_err(|e| render_diagnostic(&e))?,
        None => Config::default(),
    };
    if components.is_empty() {
        components = if config.components.is_empty() {
            vec![Component::from_arg(".")]
        } else {
            config
                .components
                .iter()
                .map(|(name, root)| Component {
                    name: name.clone(),
                    root: root.clone(),
                })
                .collect()
        };
    }
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let mut opts = ScanOptions::from_config(&config, threads);
    opts.walk.exclude.extend(args.exclude.iter().cloned());
    if args.no_default_excludes {
        opts.walk.default_excludes = false;
    }
    opts.walk.respect_gitignore = !args.no_ignore;
    opts.walk.follow_links = args.follow;
    if let Some(m) = args.max_file_size {
        opts.max_file_size = m;
    }
    opts.prefilter = !args.no_prefilter;
    let (catalog, catalog_warnings) =
        crate::catalog::Catalog::load(!args.no_default_catalog, &args.catalog)
            .map_err(|e| format!("error: {e}"))?;
    opts.catalog = catalog;
    for w in &catalog_warnings {
        crate::errln!("warning: {w}");
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| format!("error: cannot start {threads} threads: {e}"))?;
    let result = pool
        .install(|| scan::scan(&components, &config, &opts))
        .map_err(|e| format!("error: {e}"))?;
    for w in &result.warnings {
        crate::errln!("warning: {w}");
    }
    for n in &result.notes {
        crate::errln!("note: {n}");
    }
    Ok(Prepared {
        components,
        config,
        result,
    })
}

fn emit(args: &ScanArgs, text: &str) -> Result<(), CliError> {
    match &args.output {
        Some(path) => crate::fsutil::write_output(path, text.as_bytes())
            .map_err(|e| format!("error: cannot write {}: {e}", path.display())),
        None => print_stdout(text),
    }
}

/// Writes to standard output. A closed pipe (`flaglint list | head`) ends the
/// run quietly (`run` returns 141); any other write error is an error.
fn print_stdout(text: &str) -> Result<(), CliError> {
    crate::term::write_stdout(text.as_bytes()).map_err(|e| {
        if crate::term::stdout_closed() {
            String::new()
        } else {
            format!("error: cannot write to standard output: {e}")
        }
    })
}

/// `list` and `endpoints` write human tables or JSON only.
fn table_format(args: &ScanArgs, command: &str) -> Result<(), CliError> {
    match args.format {
        Format::Human | Format::Json => Ok(()),
        other => Err(format!(
            "error: `{command}` writes human or json; {} is a format of `check`",
            format!("{other:?}").to_ascii_lowercase()
        )),
    }
}

fn list(args: &ScanArgs, color: bool) -> Result<i32, CliError> {
    table_format(args, "list")?;
    let p = prepare(args)?;
    let _ = &p.components;
    let refs = &p.result.references;
    let text = match args.format {
        Format::Human => {
            let _ = color;
            let mut t = report::human::list_table(refs, &p.config);
            t.push('\n');
            t.push_str(&report::summary_line(&p.result.stats, refs.len(), None));
            t.push('\n');
            t
        }
        _ => report::json::list(refs, &p.result.stats),
    };
    emit(args, &text)?;
    Ok(EXIT_OK)
}

fn check(args: &CheckArgs, color: bool) -> Result<i32, CliError> {
    let p = prepare(&args.scan)?;
    let refs = &p.result.references;
    let enabled = selection(args, &p.config)?;
    let mut findings = rules::run(&Context {
        references: refs,
        config: &p.config,
        catalog: &p.result.catalog,
    });
    findings.retain(|f| enabled(f.code).is_some());
    for f in &mut findings {
        if let Some(Some(sev)) = enabled(f.code) {
            f.severity = sev;
        }
    }
    // Inline suppressions, the registry's included.
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
    let on = |code: &str| enabled(code).is_some();
    crate::suppress::apply(&mut findings, &directives, &on);
    for f in &mut findings {
        if let Some(Some(sev)) = enabled(f.code) {
            f.severity = sev;
        }
    }
    let sources = crate::baseline::load_sources(&findings);
    crate::baseline::fingerprint_all(&mut findings, &sources);
    if let Some(rev) = &args.changed_since {
        let changed =
            crate::changed::changed_files(&p.components, rev).map_err(|e| format!("error: {e}"))?;
        findings.retain(|f| {
            let abs = std::fs::canonicalize(&f.abs_path).unwrap_or_else(|_| f.abs_path.clone());
            changed.contains(&abs)
        });
    }
    if let Some(path) = &args.write_baseline {
        let n = crate::baseline::write(path, &findings).map_err(|e| format!("error: {e}"))?;
        crate::errln!(
            "flaglint: wrote {} ({} findings in {n} entries)",
            path.display(),
            findings.len()
        );
        // The baseline just written covers every finding (it is not read back:
        // it may be a FIFO or a device).
        findings.clear();
    }
    if let Some(path) = &args.baseline {
        let applied =
            crate::baseline::apply(path, &mut findings).map_err(|e| format!("error: {e}"))?;
        if args.baseline.is_some() {
            crate::errln!(
                "flaglint: the baseline covers {} finding{}{}",
                applied.suppressed,
                if applied.suppressed == 1 { "" } else { "s" },
                if applied.stale > 0 {
                    format!(
                        "; {} of its entries no longer occur and can be dropped (--write-baseline)",
                        applied.stale
                    )
                } else {
                    String::new()
                }
            );
        }
    }
    rules::sort(&mut findings);
    let color = color && args.scan.output.is_none();
    let summary = report::summary_line(&p.result.stats, refs.len(), Some(&findings));
    let text = match args.scan.format {
        Format::Json => report::json::check(&findings, refs.len(), &p.result.stats),
        Format::Sarif => report::ci::sarif(&findings),
        Format::Codequality => report::ci::codequality(&findings),
        Format::Github => report::ci::github(&findings),
        Format::Concise => report::ci::concise(&findings),
        Format::Human => {
            let mut t = report::human::findings(&findings, color, &sources);
            t.push_str(&summary);
            t.push('\n');
            t
        }
    };
    emit(&args.scan, &text)?;
    if args.scan.output.is_some() {
        crate::errln!("{summary}");
    }
    let failing = findings.iter().any(|f| match args.fail_on {
        FailOn::Never => false,
        FailOn::Warning => true,
        FailOn::Error => f.severity == crate::model::Severity::Error,
    });
    Ok(if failing { EXIT_FINDINGS } else { EXIT_OK })
}

/// Which rules run and at which severity: `--select`/`--ignore` and `[rules]`.
/// `None`: the rule is off; `Some(None)`: on at its default severity.
type Selection = Box<dyn Fn(&str) -> Option<Option<crate::model::Severity>>>;

fn selection(args: &CheckArgs, config: &Config) -> Result<Selection, CliError> {
    let codes = |names: &[String], flag: &str| -> Result<Vec<&'static str>, CliError> {
        names
            .iter()
            .map(|n| {
                rules::find(n).map(|i| i.code).ok_or_else(|| {
                    format!("error: {flag} {n}: no such rule; `flaglint explain` lists them")
                })
            })
            .collect()
    };
    let select = codes(&args.select, "--select")?;
    let ignore = codes(&args.ignore, "--ignore")?;
    let levels = config.rule_levels.clone();
    Ok(Box::new(move |code: &str| {
        if (!select.is_empty() && !select.contains(&code)) || ignore.contains(&code) {
            return None;
        }
        match levels.iter().find(|(c, _)| c == code) {
            Some((_, None)) => None,
            Some((_, Some(sev))) => Some(Some(*sev)),
            None => Some(None),
        }
    }))
}

fn endpoints(args: &ScanArgs) -> Result<i32, CliError> {
    table_format(args, "endpoints")?;
    let catalog = if args.paths.is_empty() {
        let (catalog, warnings) =
            crate::catalog::Catalog::load(!args.no_default_catalog, &args.catalog)
                .map_err(|e| format!("error: {e}"))?;
        for w in &warnings {
            crate::errln!("warning: {w}");
        }
        catalog
    } else {
        prepare(args)?.result.catalog
    };
    let text = match args.format {
        Format::Human => report::human::endpoints_table(&catalog),
        _ => report::json::endpoints(&catalog),
    };
    emit(args, &text)?;
    Ok(EXIT_OK)
}

fn cleanup_plan(
    args: &CleanupArgs,
) -> Result<(Prepared, crate::cleanup::Selection, crate::cleanup::Plan), CliError> {
    table_format(&args.scan, "checklist and fix")?;
    let p = prepare(&args.scan)?;
    let selection = crate::cleanup::Selection {
        explicit: args.features.clone(),
    };
    for name in &args.features {
        let known =
            p.config.feature(name).is_some() || p.result.references.iter().any(|r| &r.flag == name);
        if !known {
            return Err(format!(
                "error: --feature {name}: no such feature in the registry or the scanned trees"
            ));
        }
    }
    let plan = crate::cleanup::plan(&p.result.references, &p.config, &selection);
    Ok((p, selection, plan))
}

fn checklist(args: &ChecklistArgs) -> Result<i32, CliError> {
    let mut link_base = Vec::new();
    for l in &args.link_base {
        let (c, u) = l
            .split_once('=')
            .ok_or_else(|| format!("error: --link-base {l}: write COMPONENT=URL"))?;
        link_base.push((c.to_string(), u.to_string()));
    }
    let (p, selection, plan) = cleanup_plan(&args.cleanup)?;
    let sections = crate::cleanup::checklist::build(
        &p.result.references,
        &p.config,
        &selection,
        &plan,
        &link_base,
    );
    let text = match args.cleanup.scan.format {
        Format::Json => {
            let mut t = serde_json::to_string_pretty(
                &serde_json::json!({ "version": report::json::VERSION, "features": sections }),
            )
            .unwrap_or_default();
            t.push('\n');
            t
        }
        _ if sections.is_empty() => {
            "No feature is Mandatory in the registry or the code: nothing to clean up.\n"
                .to_string()
        }
        _ => crate::cleanup::checklist::markdown(&sections),
    };
    emit(&args.cleanup.scan, &text)?;
    Ok(EXIT_OK)
}

fn fix(args: &FixArgs) -> Result<i32, CliError> {
    let (p, selection, mut plan) = cleanup_plan(&args.cleanup)?;
    if args.delete_dead {
        let roots: Vec<PathBuf> = p.components.iter().map(|c| c.root.clone()).collect();
        for d in crate::cleanup::delete_dead(&mut plan, &roots) {
            crate::errln!("note: {d}: deleted, only the removed legacy code called it");
        }
    }
    for f in &plan.files {
        for d in &f.dead {
            crate::errln!(
                "note: {}:{}: `{}` is now unused: only the removed legacy code called it{}",
                f.shown,
                d.line,
                d.name,
                match (d.private, args.delete_dead) {
                    (true, false) => " (private; --delete-dead deletes it)",
                    (true, true) => " (private, but another file names it)",
                    _ => "",
                }
            );
        }
    }
    let mut diff = String::new();
    let mut problems = Vec::new();
    for f in &plan.files {
        if let Some(why) = &f.abandoned {
            problems.push(format!("{}: {why}", f.shown));
        } else if !args.write && f.fixed != f.original {
            diff.push_str(&crate::cleanup::diff(f));
        }
    }
    // Only a file unchanged since it was read, not read-only and not
    // hard-linked, is written; a signal stops the writing after the file
    // being written.
    let report = args.write.then(|| crate::fsutil::write_fixes(&plan));
    if !args.write {
        emit(&args.cleanup.scan, &diff)?;
    }
    let fixed = plan
        .outcomes
        .values()
        .filter(|o| matches!(o, crate::cleanup::Outcome::Fixed))
        .count();
    // Everything selected that the fix does not remove stays for a person.
    let mut left = 0;
    for r in p
        .result
        .references
        .iter()
        .filter(|r| selection.includes(r, &p.config))
    {
        match plan.outcome(r) {
            Some(crate::cleanup::Outcome::Fixed) => {}
            Some(crate::cleanup::Outcome::Left(why)) => {
                left += 1;
                crate::errln!(
                    "note: {}:{}:{}: {} `{}` left: {why}",
                    r.component,
                    r.path,
                    r.span.line,
                    r.kind.as_str(),
                    r.flag
                );
            }
            None => left += 1,
        }
    }
    for pr in &problems {
        crate::errln!("warning: {pr}");
    }
    let files = plan
        .files
        .iter()
        .filter(|f| f.fixed != f.original && f.abandoned.is_none())
        .count();
    let written = match &report {
        Some(r) => {
            let not_written = if r.failed.is_empty() {
                String::new()
            } else {
                format!(", {} not written", r.failed.len())
            };
            format!(", {} written{not_written}", r.written.len())
        }
        None => String::new(),
    };
    crate::errln!(
        "flaglint fix: {fixed} site{} fixed in {files} file{}{written}; {left} left for a person (`flaglint checklist` lists them)",
        if fixed == 1 { "" } else { "s" },
        if files == 1 { "" } else { "s" },
    );
    let Some(report) = report else {
        return Ok(EXIT_OK);
    };
    if let Some(code) = report.interrupted {
        crate::errln!("flaglint fix: interrupted; written:");
        for w in &report.written {
            crate::errln!("  {w}");
        }
        if report.written.is_empty() {
            crate::errln!("  (none)");
        }
        crate::errln!("not written:");
        for (f, why) in &report.failed {
            crate::errln!("  {f}: {why}");
        }
        return Ok(code);
    }
    for (f, why) in &report.failed {
        crate::errln!("error: {f}: {why}");
    }
    Ok(if report.failed.is_empty() {
        EXIT_OK
    } else {
        EXIT_ERROR
    })
}

fn explain(code: Option<&str>) -> Result<i32, CliError> {
    let mut out = String::new();
    match code {
        None => {
            let width = rules::all()
                .iter()
                .map(|r| r.info().name.len())
                .max()
                .unwrap_or(0);
            for r in rules::all() {
                let i = r.info();
                out.push_str(&format!(
                    "{}  {:<width$}  {:<8} {}\n",
                    i.code,
                    i.name,
                    i.severity.as_str(),
                    i.summary
                ));
            }
        }
        Some(c) => {
            let Some(i) = rules::find(c) else {
                return Err(format!(
                    "error: no rule `{c}`; `flaglint explain` lists them"
                ));
            };
            out.push_str(&format!(
                "# {} {} ({})\n\n{}\n",
                i.code,
                i.name,
                i.severity.as_str(),
                i.doc_text()
            ));
        }
    }
    print_stdout(&out)?;
    Ok(EXIT_OK)
}
