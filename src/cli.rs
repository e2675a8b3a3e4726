//! The command line: argument definitions, and the commands they run. Each
//! command turns its arguments into the [`crate::engine`]'s options, calls
//! it, and picks the report format and prints; [`main_with_args`] is the
//! binary's whole `main`.

use crate::cleanup::{Plan, Selection};
use crate::config::{escape_controls, ConfigSearch, CONFIG_FILE};
use crate::engine::{
    self, CheckOptions, CheckOutcome, EngineError, FixOptions, Message, Prepared, ScanRequest,
};
use crate::rules;
use crate::{report, EXIT_BROKEN_PIPE, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

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

/// Static analyzer for Gitaly feature flags in the GitLab client repos and in Gitaly itself.
///
/// Finds every reference to a Gitaly feature flag (toggles, checks, env vars,
/// test stubs) and checks them against the stage registry (flaglint.toml).
#[derive(Debug, Parser)]
#[command(name = "flaglint", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// When to color the output; NO_COLOR in the environment means never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// Print only the report, warnings and errors: no notes, summary lines or
    /// progress.
    #[arg(long, short, global = true)]
    pub quiet: bool,
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
    /// Remove the toggles of Mandatory features, keeping the Gitaly path, and
    /// the legacy code and specs left dead: prints a unified diff, or applies
    /// it with --write.
    Fix(FixArgs),
    /// Move features a stage: every client site's status (GitLab-CE's
    /// `status: …MigrationStatus::X`, Gitaly's `OnByDefault`) and the registry
    /// entry; prints a unified diff, or applies it with --write. `--to
    /// mandatory` is `flaglint fix`.
    Promote(PromoteArgs),
    /// Where every feature stood in each release: reads the release tags of
    /// each PATH's git repository (no checkout) and prints, per feature, the
    /// release it appeared in, its status and sites per release, the release
    /// it was removed in, and the releases it stayed longer at Opt-Out or
    /// Opt-In than the process allows.
    History(HistoryArgs),
    /// Where every feature stands: features as rows, stages as columns, the
    /// sites per component, the overdue and gate findings and, with
    /// --history, a timeline across releases. One self-contained HTML page
    /// (--format html --output board.html) or a terminal table.
    Board(BoardArgs),
    /// Print a rule's documentation; without CODE, an index of the rules (one
    /// line each), or with --all every rule's documentation.
    Explain {
        /// A rule code (FL002) or name (mandatory-leftover).
        code: Option<String>,
        /// Every rule's full documentation.
        #[arg(long, conflicts_with = "code")]
        all: bool,
    },
    /// Print a completion script for SHELL (e.g. `flaglint completions bash >
    /// ~/.local/share/bash-completion/completions/flaglint`).
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff: `flaglint man | man -l -`), or a
    /// subcommand's (`flaglint man check > flaglint-check.1`).
    Man {
        /// The subcommand whose page to print.
        command: Option<String>,
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
    /// Comma-separated values, one row per feature and revision (history only).
    Csv,
    /// One self-contained HTML page (board only).
    Html,
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
    // The doc comment is the help text (clap): `[components]` is not a link.
    #[allow(rustdoc::broken_intra_doc_links)]
    /// Trees to scan, each a component: PATH or NAME=PATH [default: the registry's
    /// [components], or .].
    pub paths: Vec<String>,
    /// The registry and settings [default: the first flaglint.toml in a scanned
    /// root (without PATH: the current directory) or its parents, up to the
    /// repository root].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Use no flaglint.toml, not even one found in the tree: the defaults only.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Print the flaglint.toml used (or none), the components and the effective
    /// settings, then exit without scanning.
    #[arg(long)]
    pub show_settings: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE instead of standard output (check still prints
    /// its summary line to standard error). A regular file is replaced
    /// atomically; devices and FIFOs are written to, links followed.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Worker threads; 0 means the number of CPUs [default: the number of CPUs;
    /// at most 4 per CPU].
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
    /// Skip files larger than BYTES [default: 1 MiB, or max_file_size in the config].
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
    /// Parse every file a frontend reads instead of only those the byte
    /// prefilter selects (slow; for benchmarks and for checking the prefilter).
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
    // The doc comment is the help text (clap): the URL stays bare.
    #[allow(rustdoc::bare_urls)]
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
    /// Keep the legacy code the fix leaves unused (by default the methods and
    /// constants that only the removed code named are deleted); list it instead.
    #[arg(long)]
    pub keep_dead: bool,
    /// The default now (deleting the dead legacy code); accepted for old scripts.
    #[arg(long, hide = true, conflicts_with = "keep_dead")]
    pub delete_dead: bool,
    /// Keep the specs of the legacy path (by default a `:skip_gitaly_mock` /
    /// `:disable_gitaly` block about a fixed feature is deleted, and shared
    /// examples parameterised by the flag collapse to the enabled case).
    #[arg(long)]
    pub no_specs: bool,
}

#[derive(Debug, Args)]
pub struct PromoteArgs {
    #[command(flatten)]
    pub scan: ScanArgs,
    /// The features to promote (registry names or aliases), comma-separated or repeated.
    #[arg(
        long = "feature",
        value_name = "NAME",
        value_delimiter = ',',
        required = true
    )]
    pub features: Vec<String>,
    /// The stage to move them to.
    #[arg(long, value_enum)]
    pub to: PromoteStage,
    /// Apply the change instead of printing its diff (same safety as `fix --write`).
    #[arg(long)]
    pub write: bool,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub scan: ScanArgs,
    /// The revisions to read: A..B (the release tags from A to B, e.g.
    /// v10.0.0..v11.7.0), a glob of tag names (v10.*), or a comma-separated
    /// list of these, tags, branches and commit ids [default: the release tags
    /// vX.Y.0, by version].
    #[arg(long, value_name = "SPEC")]
    pub revs: Option<String>,
}

#[derive(Debug, Args)]
pub struct BoardArgs {
    #[command(flatten)]
    pub scan: ScanArgs,
    #[command(flatten)]
    pub history: HistoryArg,
    // The doc comment is the help text (clap): the URL stays bare.
    #[allow(rustdoc::bare_urls)]
    /// Link every site: COMPONENT=URL, the URL the path is appended to
    /// (e.g. gitlab-ce=https://gitlab.com/gitlab-org/gitlab-ce/blob/SHA/).
    #[arg(long, value_name = "COMPONENT=URL")]
    pub link_base: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PromoteStage {
    ReadyForTesting,
    OptIn,
    OptOut,
    Mandatory,
}

impl PromoteStage {
    fn stage(self) -> crate::config::Stage {
        use crate::config::Stage;
        match self {
            PromoteStage::ReadyForTesting => Stage::ReadyForTesting,
            PromoteStage::OptIn => Stage::OptIn,
            PromoteStage::OptOut => Stage::OptOut,
            PromoteStage::Mandatory => Stage::Mandatory,
        }
    }
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
    /// Print the number of findings per rule (code, name, severity, count)
    /// instead of the findings: a table, or with --format json an object.
    #[arg(long)]
    pub statistics: bool,
    /// Apply the fixes of the Mandatory features first (as `fix --write`),
    /// then check what is left.
    #[arg(long, conflicts_with_all = ["diff", "statistics"])]
    pub fix: bool,
    /// Print the fixes of the Mandatory features as a diff (as `fix`) instead
    /// of the findings; exit 1 if there is anything to fix.
    #[arg(long, conflicts_with = "statistics")]
    pub diff: bool,
    #[command(flatten)]
    pub history: HistoryArg,
}

/// `--history[=REPO]`, for `check` and `board`.
#[derive(Debug, Args)]
pub struct HistoryArg {
    /// Date the stages from the release tags (the overdue rule, FL017; the
    /// board's timeline): the tags before each component's current release
    /// (its VERSION file, or the newest tag) are read as `flaglint history`
    /// reads them. =REPO: the tags of that repository, for a tree that is not
    /// its checkout [default: each component's own repository].
    #[arg(
        long = "history",
        value_name = "REPO",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = ""
    )]
    pub history: Option<String>,
}

impl HistoryArg {
    /// Where each component stands: read when `--history` is given or the
    /// registry records a `since`.
    fn standing(
        &self,
        settings: &engine::Settings,
    ) -> Result<Option<crate::history::calendar::Standing>, CliError> {
        let dated = settings.config.features.iter().any(|f| !f.since.is_empty());
        if self.history.is_none() && !dated {
            return Ok(None);
        }
        let repo = self
            .history
            .as_deref()
            .filter(|r| !r.is_empty())
            .map(Path::new);
        let source = self.history.as_ref().map(|_| repo);
        let progress = !crate::term::quiet() && std::io::stderr().is_terminal();
        crate::history::standing::standing(settings, source, &mut print_message, progress)
            .map(Some)
            .map_err(CliError::from)
    }
}

/// Runs flaglint with the process's arguments; returns the exit code. A panic
/// is caught and reported as an internal error (exit 2). SIGINT ends the run
/// with 130 (see [`crate::interrupt`]).
pub fn main_with_args() -> i32 {
    crate::interrupt::install();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let printed = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    match printed {
                        Ok(()) => EXIT_OK,
                        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_BROKEN_PIPE,
                        Err(e) => {
                            crate::errln!("error: cannot write to standard output: {e}");
                            EXIT_ERROR
                        }
                    }
                }
                _ => EXIT_ERROR,
            };
        }
    };
    std::panic::set_hook(Box::new(|info| {
        let file = crate::scan::current_file();
        crate::errln!(
            "internal error: flaglint panicked{}: {info}\nThis is a bug: please report it with the file that triggered it.",
            file.map(|f| format!(" while processing {f}")).unwrap_or_default()
        );
    }));
    std::panic::catch_unwind(|| run(cli)).unwrap_or(EXIT_ERROR)
}

/// Runs the parsed command line; returns the exit code.
pub fn run(cli: Cli) -> i32 {
    crate::term::set_quiet(cli.quiet);
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    };
    let scan_args = match &cli.command {
        Command::Check(a) => Some((&a.scan, true)),
        Command::List(a) | Command::Endpoints(a) => Some((a, false)),
        Command::Checklist(a) => Some((&a.cleanup.scan, true)),
        Command::Fix(a) => Some((&a.cleanup.scan, true)),
        Command::Promote(a) => Some((&a.scan, true)),
        Command::History(a) => Some((&a.scan, false)),
        Command::Board(a) => Some((&a.scan, true)),
        _ => None,
    };
    let settings_only = scan_args.filter(|(a, _)| a.show_settings).map(|(a, _)| a);
    if let Some((args, true)) = scan_args.filter(|(a, _)| !a.show_settings) {
        registry_note(args);
    }
    let result = match settings_only {
        Some(args) => show_settings(args),
        None => dispatch(&cli.command, color),
    };
    finish(result)
}

/// Runs a command.
fn dispatch(command: &Command, color: bool) -> Result<i32, CliError> {
    match command {
        Command::Explain { code, all } => explain(code.as_deref(), *all),
        Command::List(args) => list(args, color),
        Command::Endpoints(args) => endpoints(args),
        Command::Checklist(args) => checklist(args),
        Command::Fix(args) => fix(args, color),
        Command::Promote(args) => promote(args, color),
        Command::History(args) => history(args),
        Command::Board(args) => board(args, color),
        Command::Check(args) => check(args, color),
        Command::Completions { shell } => completions(*shell),
        Command::Man { command } => man(command.as_deref()),
    }
}

fn finish(result: Result<i32, CliError>) -> i32 {
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            if !crate::term::stdout_closed() {
                crate::errln!("{}", e.render());
            }
            EXIT_ERROR
        }
    };
    if crate::term::stdout_closed() {
        return crate::EXIT_BROKEN_PIPE;
    }
    crate::interrupt::pending().unwrap_or(code)
}

/// An error that ends the run with exit code 2; its text is the line printed.
#[derive(Debug, thiserror::Error)]
enum CliError {
    /// A configuration error is rendered with its span ([`CliError::render`]).
    #[error("error: {0}")]
    Engine(#[from] EngineError),
    #[error("error: `{command}` writes human or json; {format} is a format of `check`")]
    TableFormat {
        command: &'static str,
        format: String,
    },
    #[error("error: --statistics writes human or json, not {0}")]
    StatisticsFormat(String),
    #[error("error: --diff writes a diff (human) or json, not {0}")]
    DiffFormat(String),
    #[error("error: {0}")]
    Promote(#[from] crate::promote::PromoteError),
    #[error("error: {0}")]
    History(#[from] crate::history::git::GitError),
    #[error("error: `{command}` writes {formats}, not {format}")]
    Formats {
        command: &'static str,
        formats: &'static str,
        format: String,
    },
    #[error("error: --link-base {0}: write COMPONENT=URL")]
    LinkBase(String),
    #[error("error: no rule `{}`; `flaglint explain` lists them", escape_controls(.0))]
    NoSuchRule(String),
    #[error("error: no subcommand `{}`; `flaglint --help` lists them", escape_controls(.0))]
    NoSuchSubcommand(String),
    #[error("error: cannot render the manual page: {0}")]
    Man(std::io::Error),
    #[error("error: cannot write {path}: {source}")]
    Output {
        path: String,
        source: std::io::Error,
    },
    #[error("error: cannot write to standard output: {0}")]
    Stdout(std::io::Error),
    /// Standard output was closed by its reader: nothing to say.
    #[error("")]
    StdoutClosed,
}

impl CliError {
    /// What is printed: the message, or a registry error with its span.
    fn render(&self) -> String {
        match self {
            CliError::Engine(EngineError::Config(e)) => render_diagnostic(e),
            e => e.to_string(),
        }
    }
}

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

/// The format's name, as `--format` takes it.
fn format_name(format: Format) -> String {
    format!("{format:?}").to_ascii_lowercase()
}

/// What the engine is asked to scan.
fn request(args: &ScanArgs) -> ScanRequest {
    ScanRequest {
        paths: args.paths.clone(),
        config: args.config.clone(),
        no_config: args.no_config,
        threads: args.threads,
        exclude: args.exclude.clone(),
        no_default_excludes: args.no_default_excludes,
        no_ignore: args.no_ignore,
        follow: args.follow,
        catalog: args.catalog.clone(),
        no_default_catalog: args.no_default_catalog,
        max_file_size: args.max_file_size,
        no_prefilter: args.no_prefilter,
        progress: std::io::stderr().is_terminal() && !crate::term::quiet(),
    }
}

/// Prints the engine's warnings and notes on standard error.
fn print_message(m: Message) {
    match m {
        Message::Warning(w) => crate::errln!("warning: {w}"),
        Message::Note(n) => crate::infoln!("note: {n}"),
    }
}

/// Settles and scans what `args` name, printing the warnings and notes.
fn prepare(args: &ScanArgs) -> Result<Prepared, CliError> {
    Ok(engine::prepare(&request(args), &mut print_message)?)
}

/// One note when no registry is found, for the commands whose rules need one.
fn registry_note(args: &ScanArgs) {
    if let ConfigSearch::NotFound { from, to } = engine::config_search(&request(args)) {
        crate::infoln!(
            "note: no {CONFIG_FILE} found in {} or its parents up to {}: FL005 and FL006 need a \
             registry, and Mandatory features come only from the code; create {CONFIG_FILE} at the \
             repository root or pass --config FILE",
            escape_controls(&from.display().to_string()),
            escape_controls(&to.display().to_string())
        );
    }
}

/// `--show-settings`: what a run would use, without scanning.
fn show_settings(args: &ScanArgs) -> Result<i32, CliError> {
    let s = engine::settings(&request(args), &mut print_message)?;
    let mut out = settings_sources(&s);
    out.push_str(&settings_scan(&s, args));
    out.push_str(&settings_rules(&s));
    print_stdout(&out)?;
    Ok(EXIT_OK)
}

fn shown(p: &Path) -> String {
    escape_controls(&p.display().to_string())
}

/// `[a, b]`, each quoted and escaped.
fn shown_list(v: &[String]) -> String {
    if v.is_empty() {
        "[]".to_string()
    } else {
        format!(
            "[{}]",
            v.iter()
                .map(|x| format!("{:?}", escape_controls(x)))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// The registry used and the components.
fn settings_sources(s: &engine::Settings) -> String {
    let esc = shown;
    let mut out = String::new();
    let config_line = match &s.search {
        ConfigSearch::Given(p) => format!("{} (--config)", esc(p)),
        ConfigSearch::Found { path, from } => {
            format!("{} (found from {})", esc(path), esc(from))
        }
        ConfigSearch::NotFound { from, to } => format!(
            "none (no {CONFIG_FILE} in {} or its parents up to {})",
            esc(from),
            esc(to)
        ),
        ConfigSearch::Disabled => "none (--no-config)".to_string(),
    };
    out.push_str(&format!("config: {config_line}\n"));
    let c = &s.config;
    if c.has_registry() {
        let mandatory = c
            .features
            .iter()
            .filter(|f| f.stage == crate::config::Stage::Mandatory)
            .count();
        out.push_str(&format!(
            "registry: {} features ({mandatory} mandatory)\n",
            c.features.len()
        ));
    }
    out.push_str("components:\n");
    for comp in &s.components {
        out.push_str(&format!(
            "  {} = {}\n",
            escape_controls(&comp.name),
            esc(&comp.root)
        ));
    }
    out
}

/// The scan and catalog settings.
fn settings_scan(s: &engine::Settings, args: &ScanArgs) -> String {
    let (esc, list) = (shown, shown_list);
    let mut out = String::new();
    let o = &s.opts;
    out.push_str("scan:\n");
    out.push_str(&format!("  exclude = {}\n", list(&o.walk.exclude)));
    out.push_str(&format!(
        "  default_excludes = {}{}\n",
        o.walk.default_excludes,
        if o.walk.default_excludes {
            format!(" ({})", crate::discover::DEFAULT_EXCLUDED_DIRS.join(", "))
        } else {
            String::new()
        }
    ));
    out.push_str(&format!("  gitignore = {}\n", o.walk.respect_gitignore));
    out.push_str(&format!("  follow_links = {}\n", o.walk.follow_links));
    out.push_str(&format!("  max_file_size = {}\n", o.max_file_size));
    out.push_str(&format!(
        "  threads = {}{}\n",
        s.threads,
        if s.threads_auto {
            " (auto: the number of CPUs)"
        } else {
            ""
        }
    ));
    out.push_str(&format!("  prefilter = {}\n", o.prefilter));
    let mut sources = Vec::new();
    if !args.no_default_catalog {
        sources.push("embedded".to_string());
    }
    sources.extend(args.catalog.iter().map(|p| esc(p)));
    out.push_str(&format!(
        "catalog: {} endpoints from {} (plus the sources found in the scanned trees)\n",
        o.catalog.endpoints().len(),
        if sources.is_empty() {
            "nothing".to_string()
        } else {
            sources.join(", ")
        }
    ));
    out
}

/// The frontends', naming and rule settings.
fn settings_rules(s: &engine::Settings) -> String {
    let list = shown_list;
    let mut out = String::new();
    let o = &s.opts;
    let c = &s.config;
    out.push_str("ruby:\n");
    out.push_str(&format!(
        "  toggle_methods = {}\n",
        list(&o.frontend.toggle_methods)
    ));
    out.push_str(&format!(
        "rust:\n  check_functions = {}\n",
        list(&o.frontend.check_functions)
    ));
    out.push_str(&format!(
        "env:\n  ignore = {} (besides the {} built-in settings variables)\n  flags = {}\n",
        list(&c.env_ignore),
        crate::config::DEFAULT_ENV_IGNORE.len(),
        list(&c.env_flags)
    ));
    let commands: Vec<String> = o
        .frontend
        .commands
        .iter()
        .map(|(cmd, ep)| format!("{cmd} = {ep}"))
        .collect();
    out.push_str(&format!("shell:\n  commands = {}\n", list(&commands)));
    out.push_str(&format!(
        "fix:\n  inline_max_lines = {}{}\n",
        c.fix_inline_max_lines,
        if c.fix_inline_max_lines == 0 {
            " (no helper is inlined)"
        } else {
            ""
        }
    ));
    let n = &c.naming;
    out.push_str(&format!(
        "naming:\n  service_prefix = {}\n  qualifier_any_word = {}\n  qualifiers = {}\n  component_prefixes = {}\n",
        n.service_prefix,
        n.qualifier_any_word,
        list(&n.qualifiers),
        list(&n.component_prefixes)
    ));
    out.push_str("rules:\n");
    if c.rule_levels.is_empty() {
        out.push_str("  (every rule at its default severity)\n");
    }
    for (code, level) in &c.rule_levels {
        out.push_str(&format!(
            "  {code} = {}\n",
            level.map_or("off", |l| l.as_str())
        ));
    }
    out
}

fn completions(shell: clap_complete::Shell) -> Result<i32, CliError> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "flaglint", &mut buf);
    print_stdout(&String::from_utf8_lossy(&buf))?;
    Ok(EXIT_OK)
}

fn man(sub: Option<&str>) -> Result<i32, CliError> {
    let mut cmd = Cli::command();
    if let Some(name) = sub {
        let Some(found) = cmd.find_subcommand(name).filter(|_| name != "help") else {
            return Err(CliError::NoSuchSubcommand(name.to_string()));
        };
        cmd = found
            .clone()
            .display_name(format!("flaglint-{name}"))
            .version(env!("CARGO_PKG_VERSION"));
    }
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut buf)
        .map_err(CliError::Man)?;
    print_stdout(&String::from_utf8_lossy(&buf))?;
    Ok(EXIT_OK)
}

fn emit(args: &ScanArgs, text: &str) -> Result<(), CliError> {
    match &args.output {
        Some(path) => {
            crate::fsutil::write_output(path, text.as_bytes()).map_err(|source| CliError::Output {
                path: path.display().to_string(),
                source,
            })
        }
        None => print_stdout(text),
    }
}

/// Writes to standard output. A closed pipe (`flaglint list | head`) ends the
/// run quietly (`run` returns 141); any other write error is an error.
fn print_stdout(text: &str) -> Result<(), CliError> {
    crate::term::write_stdout(text.as_bytes()).map_err(|e| {
        if crate::term::stdout_closed() {
            CliError::StdoutClosed
        } else {
            CliError::Stdout(e)
        }
    })
}

/// `list` and `endpoints` write human tables or JSON only.
fn table_format(args: &ScanArgs, command: &'static str) -> Result<(), CliError> {
    match args.format {
        Format::Human | Format::Json => Ok(()),
        other => Err(CliError::TableFormat {
            command,
            format: format_name(other),
        }),
    }
}

fn list(args: &ScanArgs, color: bool) -> Result<i32, CliError> {
    table_format(args, "list")?;
    let p = prepare(args)?;
    let refs = &p.result.references;
    let text = match args.format {
        Format::Human => {
            let _ = color;
            let mut t = report::human::list_table(refs, &p.config);
            if !crate::term::quiet() {
                t.push('\n');
                t.push_str(&report::summary_line(&p.result.stats, refs.len(), None));
                t.push('\n');
            }
            t
        }
        _ => report::json::list(refs, &p.result.stats),
    };
    emit(args, &text)?;
    Ok(EXIT_OK)
}

fn check(args: &CheckArgs, color: bool) -> Result<i32, CliError> {
    // What can be checked before the scan is: a typo must not cost a scan.
    if matches!(args.scan.format, Format::Csv | Format::Html) {
        return Err(CliError::Formats {
            command: "check",
            formats: "human, json, sarif, codequality, github or concise",
            format: format_name(args.scan.format),
        });
    }
    if args.statistics && !matches!(args.scan.format, Format::Human | Format::Json) {
        return Err(CliError::StatisticsFormat(format_name(args.scan.format)));
    }
    let select = engine::rule_codes(&args.select, "--select")?;
    let ignore = engine::rule_codes(&args.ignore, "--ignore")?;
    let baseline = match &args.baseline {
        Some(path) => Some(crate::baseline::load(path).map_err(EngineError::from)?),
        None => None,
    };
    if args.diff && !matches!(args.scan.format, Format::Human | Format::Json) {
        return Err(CliError::DiffFormat(format_name(args.scan.format)));
    }
    let req = request(&args.scan);
    let settings = engine::settings(&req, &mut print_message)?;
    let changed = match &args.changed_since {
        Some(rev) => Some(
            crate::changed::changed_files(&settings.components, rev).map_err(EngineError::from)?,
        ),
        None => None,
    };
    let standing = args.history.standing(&settings)?;
    let mut p = engine::scan(settings)?;
    p.standing = standing;
    engine::report_scan(&p, &mut print_message);
    if args.fix || args.diff {
        // Every feature Mandatory in the registry or the code, as `fix`.
        let (selection, plan) = engine::plan_fix(&p, &[])?;
        let how = FixHow {
            write: args.fix,
            keep_dead: false,
            keep_specs: false,
            diff_exit: true,
            color,
            print: args.diff,
        };
        let code = apply_fix(&args.scan, &p, &selection, plan, how)?;
        if args.diff || code != EXIT_OK {
            return Ok(code);
        }
        // The same trees again: their warnings and notes were printed.
        p = engine::scan(engine::settings(&req, &mut print_message)?)?;
    }
    let opts = CheckOptions {
        select,
        ignore,
        changed,
        baseline,
        write_baseline: args.write_baseline.clone(),
    };
    let outcome = engine::check(&p, &opts)?;
    baseline_notes(args, &outcome);
    let color = color && args.scan.output.is_none();
    let summary = report::summary_line(
        &p.result.stats,
        p.result.references.len(),
        Some(&outcome.findings),
    );
    let text = check_report(args, &p, &outcome, &summary, color);
    emit(&args.scan, &text)?;
    if args.scan.output.is_some() {
        crate::infoln!("{summary}");
    }
    let failing = outcome.findings.iter().any(|f| match args.fail_on {
        FailOn::Never => false,
        FailOn::Warning => true,
        FailOn::Error => f.severity == crate::model::Severity::Error,
    });
    Ok(if failing { EXIT_FINDINGS } else { EXIT_OK })
}

/// What `--write-baseline` wrote, or what `--baseline` covered.
fn baseline_notes(args: &CheckArgs, outcome: &CheckOutcome) {
    if let (Some(path), Some(w)) = (&args.write_baseline, &outcome.baseline_written) {
        crate::infoln!(
            "flaglint: wrote {} ({} findings in {} entries)",
            path.display(),
            w.findings,
            w.entries
        );
    }
    if let Some(applied) = &outcome.baseline_applied {
        let s = |n: usize| if n == 1 { "" } else { "s" };
        crate::infoln!(
            "flaglint: the baseline covers {} finding{}{}",
            applied.suppressed,
            s(applied.suppressed),
            if applied.stale > 0 {
                format!(
                    "; {} of the {} finding{} it records no longer occur{} and can be dropped (--write-baseline)",
                    applied.stale,
                    applied.recorded,
                    s(applied.recorded),
                    if applied.stale == 1 { "s" } else { "" }
                )
            } else {
                String::new()
            }
        );
    }
}

/// The report of `check` in the chosen format.
fn check_report(
    args: &CheckArgs,
    p: &Prepared,
    outcome: &CheckOutcome,
    summary: &str,
    color: bool,
) -> String {
    let findings = &outcome.findings;
    match args.scan.format {
        Format::Json if args.statistics => report::json::statistics(findings),
        Format::Human if args.statistics => {
            let mut t = report::human::statistics_table(findings);
            t.push('\n');
            t.push_str(summary);
            t.push('\n');
            t
        }
        Format::Json => report::json::check(findings, p.result.references.len(), &p.result.stats),
        Format::Sarif => report::ci::sarif(findings),
        Format::Codequality => report::ci::codequality(findings),
        Format::Github => report::ci::github(findings),
        Format::Concise => report::ci::concise(findings),
        // Refused before the scan (`check_format`).
        Format::Csv | Format::Html => String::new(),
        Format::Human => {
            let mut t = report::human::findings(findings, color, &outcome.sources);
            if !crate::term::quiet() {
                t.push_str(&report::human::rule_summary(findings));
                t.push_str(summary);
                t.push('\n');
            }
            t
        }
    }
}

fn endpoints(args: &ScanArgs) -> Result<i32, CliError> {
    table_format(args, "endpoints")?;
    let catalog = if args.paths.is_empty() {
        engine::load_catalog(&request(args), &mut print_message)?
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

/// `checklist` and `fix`: the scan, the selection and its plan.
fn cleanup_plan(args: &CleanupArgs) -> Result<(Prepared, Selection, Plan), CliError> {
    table_format(&args.scan, "checklist and fix")?;
    let p = prepare(&args.scan)?;
    let (selection, plan) = engine::plan_fix(&p, &args.features)?;
    Ok((p, selection, plan))
}

/// `--link-base COMPONENT=URL`s.
fn link_bases(args: &[String]) -> Result<Vec<(String, String)>, CliError> {
    args.iter()
        .map(|l| {
            l.split_once('=')
                .map(|(c, u)| (c.to_string(), u.to_string()))
                .ok_or_else(|| CliError::LinkBase(l.clone()))
        })
        .collect()
}

/// `board`: the scan, every rule, the standing; a page or a table.
fn board(args: &BoardArgs, color: bool) -> Result<i32, CliError> {
    if !matches!(
        args.scan.format,
        Format::Human | Format::Html | Format::Json
    ) {
        return Err(CliError::Formats {
            command: "board",
            formats: "human, html or json",
            format: format_name(args.scan.format),
        });
    }
    let link_base = link_bases(&args.link_base)?;
    let settings = engine::settings(&request(&args.scan), &mut print_message)?;
    let standing = args.history.standing(&settings)?;
    let mut p = engine::scan(settings)?;
    p.standing = standing;
    engine::report_scan(&p, &mut print_message);
    let outcome = engine::check(&p, &CheckOptions::default())?;
    let data = crate::board::build(&crate::board::Input {
        references: &p.result.references,
        config: &p.config,
        components: &p.components,
        findings: &outcome.findings,
        standing: p.standing.as_ref(),
        link_base: &link_base,
    });
    let text = match args.scan.format {
        Format::Html => crate::board::html::render(&data),
        Format::Json => {
            let mut t = serde_json::to_string_pretty(&data).unwrap_or_default();
            t.push('\n');
            t
        }
        _ => crate::board::terminal::render(&data, color),
    };
    emit(&args.scan, &text)?;
    Ok(EXIT_OK)
}

fn checklist(args: &ChecklistArgs) -> Result<i32, CliError> {
    let link_base = link_bases(&args.link_base)?;
    let (p, selection, plan) = cleanup_plan(&args.cleanup)?;
    let sections = engine::checklist(&p, &selection, &plan, &link_base);
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

fn fix(args: &FixArgs, color: bool) -> Result<i32, CliError> {
    let (p, selection, plan) = cleanup_plan(&args.cleanup)?;
    let how = FixHow {
        write: args.write,
        keep_dead: args.keep_dead,
        keep_specs: args.no_specs,
        diff_exit: false,
        color,
        print: true,
    };
    apply_fix(&args.cleanup.scan, &p, &selection, plan, how)
}

impl From<crate::history::HistoryError> for CliError {
    fn from(e: crate::history::HistoryError) -> CliError {
        match e {
            crate::history::HistoryError::Engine(e) => CliError::Engine(e),
            crate::history::HistoryError::Git(e) => CliError::History(e),
        }
    }
}

/// `history`: the release tags' trees, a table (or JSON, CSV) per component.
fn history(args: &HistoryArgs) -> Result<i32, CliError> {
    if !matches!(args.scan.format, Format::Human | Format::Json | Format::Csv) {
        return Err(CliError::Formats {
            command: "history",
            formats: "human, json or csv",
            format: format_name(args.scan.format),
        });
    }
    let req = crate::history::HistoryRequest {
        scan: request(&args.scan),
        revs: args.revs.clone(),
    };
    let progress = !crate::term::quiet() && std::io::stderr().is_terminal();
    let h = crate::history::run(&req, &mut print_message, progress)?;
    let text = match args.scan.format {
        Format::Json => report::history::json(&h),
        Format::Csv => report::history::csv(&h),
        _ => report::history::human(&h),
    };
    emit(&args.scan, &text)?;
    if args.scan.format == Format::Human {
        crate::infoln!("{}", report::history::summary_line(&h));
    }
    Ok(EXIT_OK)
}

/// `promote`: the sites' statuses and the registry entry, as a diff or
/// written; `--to mandatory` runs `fix` on the features.
fn promote(args: &PromoteArgs, color: bool) -> Result<i32, CliError> {
    table_format(&args.scan, "promote")?;
    let p = prepare(&args.scan)?;
    let to = args.to.stage();
    if to == crate::config::Stage::Mandatory {
        crate::infoln!(
            "note: promoting to mandatory is `flaglint fix`: running it on the features"
        );
        let (selection, plan) = engine::plan_fix(&p, &args.features)?;
        let how = FixHow {
            write: args.write,
            keep_dead: false,
            keep_specs: false,
            diff_exit: false,
            color,
            print: true,
        };
        return apply_fix(&args.scan, &p, &selection, plan, how);
    }
    let promotion = crate::promote::plan(&p.result.references, &p.config, &args.features, to)?;
    let root = crate::cleanup::patch_root(&p.components);
    for l in &promotion.left {
        crate::infoln!("note: {l}; left as it is");
    }
    for f in &promotion.plan.files {
        if let Some(why) = &f.abandoned {
            crate::errln!("warning: {}: {why}", f.shown);
        }
    }
    let files = promotion
        .plan
        .files
        .iter()
        .filter(|f| f.abandoned.is_none() && f.fixed != f.original)
        .count();
    let mut code = EXIT_OK;
    let written = if args.write {
        let report = crate::fsutil::write_fixes(&promotion.plan);
        code = write_result(&report);
        format!(", {} written", report.written.len())
    } else {
        let mut diff = String::new();
        for f in promotion
            .plan
            .files
            .iter()
            .filter(|f| f.abandoned.is_none())
        {
            if f.fixed != f.original {
                diff.push_str(&crate::cleanup::diff(f, root.as_deref()));
            }
        }
        let color = color && args.scan.output.is_none();
        emit(
            &args.scan,
            &if color {
                crate::cleanup::colorize_diff(&diff)
            } else {
                diff
            },
        )?;
        String::new()
    };
    for f in &promotion.follow_ups {
        crate::infoln!("follow-up: {f}");
    }
    crate::infoln!(
        "flaglint promote: {} site{} to {} in {files} file{}{written}",
        promotion.sites,
        if promotion.sites == 1 { "" } else { "s" },
        to.as_str(),
        if files == 1 { "" } else { "s" },
    );
    Ok(code)
}

/// How [`apply_fix`] applies a plan.
#[derive(Clone, Copy)]
struct FixHow {
    /// Write the files (else print the diff, or the JSON plan).
    write: bool,
    /// `--keep-dead`: list the dead legacy code, do not delete it.
    keep_dead: bool,
    /// `--no-specs`: keep the legacy-path spec blocks.
    keep_specs: bool,
    /// Exit 1 when the diff is not empty (`check --diff`).
    diff_exit: bool,
    /// Color the diff (a terminal).
    color: bool,
    /// Print the diff or the JSON plan (not for `check --fix`, whose report
    /// is the check's).
    print: bool,
}

/// `fix`, `check --fix` and `check --diff`: applies the plan (the engine),
/// then prints the notes on what it leaves, the diff (or JSON), a summary
/// line. Returns the exit code: 2 when a file could not be written, the
/// signal's when interrupted.
fn apply_fix(
    args: &ScanArgs,
    p: &Prepared,
    selection: &Selection,
    plan: Plan,
    how: FixHow,
) -> Result<i32, CliError> {
    let opts = FixOptions {
        write: how.write,
        keep_dead: how.keep_dead,
        keep_specs: how.keep_specs,
    };
    let outcome = engine::fix(p, selection, plan, opts);
    dead_notes(&outcome);
    helper_notes(&outcome);
    if how.print && args.format == Format::Json {
        let v = engine::fix_json(p, selection, &outcome);
        let mut text = serde_json::to_string_pretty(&v).unwrap_or_default();
        text.push('\n');
        emit(args, &text)?;
    } else if how.print && !how.write {
        let color = how.color && args.output.is_none();
        emit(
            args,
            &if color {
                crate::cleanup::colorize_diff(&outcome.diff)
            } else {
                outcome.diff.clone()
            },
        )?;
    }
    for l in &outcome.left {
        if let Some(why) = &l.why {
            crate::infoln!(
                "note: {}:{}:{}: {} `{}` left: {why}",
                l.component,
                l.path,
                l.line,
                l.kind.as_str(),
                l.flag
            );
        }
    }
    for pr in &outcome.problems {
        crate::errln!("warning: {pr}");
    }
    fix_summary(&outcome);
    let Some(report) = &outcome.report else {
        return Ok(if how.diff_exit && !outcome.diff.is_empty() {
            EXIT_FINDINGS
        } else {
            EXIT_OK
        });
    };
    Ok(write_result(report))
}

/// The definitions the fix deleted as dead, and those it made unused and kept.
fn dead_notes(outcome: &engine::FixOutcome) {
    for s in &outcome.specs {
        crate::infoln!("note: {s}");
    }
    for d in &outcome.deleted {
        crate::infoln!("note: {d}: deleted, only the removed legacy code named it");
    }
    for f in &outcome.plan.files {
        for d in &f.dead {
            crate::infoln!(
                "note: {}:{}: `{}` is now unused, kept: {}",
                f.shown,
                d.line,
                d.name,
                d.reason
            );
        }
    }
}

/// The files whose kept code is wrapped in their class's error helper.
fn helper_notes(outcome: &engine::FixOutcome) {
    for f in &outcome.plan.files {
        if f.helpers.is_empty() || f.abandoned.is_some() || f.fixed == f.original {
            continue;
        }
        let names: Vec<String> = f.helpers.iter().map(|h| format!("`{h}`")).collect();
        crate::infoln!(
            "note: {}: the kept code is wrapped in {}",
            f.shown,
            names.join(", ")
        );
    }
    // The single-use helpers the fix inlined.
    for f in &outcome.plan.files {
        if f.abandoned.is_some() || f.fixed == f.original {
            continue;
        }
        for i in &f.inlined {
            crate::infoln!(
                "note: {}:{}: inlined `{}` (its only caller)",
                f.shown,
                i.line,
                i.name
            );
        }
    }
}

/// `flaglint fix: N sites fixed in M files…`.
fn fix_summary(outcome: &engine::FixOutcome) {
    let (fixed, files) = (outcome.fixed, outcome.files);
    let written = match &outcome.report {
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
    crate::infoln!(
        "flaglint fix: {fixed} site{} fixed in {files} file{}{written}; {} left for a person (`flaglint checklist` lists them)",
        if fixed == 1 { "" } else { "s" },
        if files == 1 { "" } else { "s" },
        outcome.left.len(),
    );
}

/// The exit code of the writes: 0, 2 when a file was not written, or the
/// signal's; what was not written is listed.
fn write_result(report: &crate::fsutil::WriteReport) -> i32 {
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
        return code;
    }
    for (f, why) in &report.failed {
        crate::errln!("error: {f}: {why}");
    }
    if report.failed.is_empty() {
        EXIT_OK
    } else {
        EXIT_ERROR
    }
}

fn explain(code: Option<&str>, all: bool) -> Result<i32, CliError> {
    let doc = |i: &rules::RuleInfo| {
        format!(
            "# {} {} ({})\n\n{}\n",
            i.code,
            i.name,
            i.severity.as_str(),
            i.doc_text()
        )
    };
    let mut out = String::new();
    match code {
        None if all => {
            let docs: Vec<String> = rules::all().iter().map(|r| doc(r.info())).collect();
            out = docs.join("\n");
        }
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
            out.push_str(
                "\n`flaglint explain CODE` prints a rule's documentation, `--all` every rule's.\n",
            );
        }
        Some(c) => {
            let Some(i) = rules::find(c) else {
                return Err(CliError::NoSuchRule(c.to_string()));
            };
            out = doc(i);
        }
    }
    print_stdout(&out)?;
    Ok(EXIT_OK)
}
