//! `flaglint.toml`: the stage registry and the scanner's settings.
//!
//! A malformed file is an error that points at the offending span; unknown keys
//! are errors with a did-you-mean.

use crate::rules::codes::RuleCode;
use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The file flaglint looks for at the root of each scanned tree.
pub const CONFIG_FILE: &str = "flaglint.toml";
/// Files larger than this are skipped with a note.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1024 * 1024;
/// `GITALY_*` environment variables that configure the client, not a feature.
pub const DEFAULT_ENV_IGNORE: &[&str] = &[
    "GITALY_FEATURE_DEFAULT_ON",
    "GITALY_DISABLE_REQUEST_LIMITS",
    "GITALY_TESTING_NO_GIT_HOOKS",
    "GITALY_TOKEN",
    "GITALY_ADDRESS",
    "GITALY_PAYLOAD",
    "GITALY_WD",
    "GITALY_INTERNAL_URL",
    "GITALY_SOCKET_PATH",
    "GITALY_BIN_DIR",
    "GITALY_RUBY_DIR",
    "GITALY_LOG_DIR",
    "GITALY_VERSION",
    "GITALY_SERVER_VERSION",
];

/// A feature's stage in the migration process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    ReadyForTesting,
    OptIn,
    OptOut,
    Mandatory,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::ReadyForTesting => "ready-for-testing",
            Stage::OptIn => "opt-in",
            Stage::OptOut => "opt-out",
            Stage::Mandatory => "mandatory",
        }
    }

    /// A stage by its registry name (`opt-out`).
    pub fn parse(name: &str) -> Option<Stage> {
        [
            Stage::ReadyForTesting,
            Stage::OptIn,
            Stage::OptOut,
            Stage::Mandatory,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }
}

/// One `[[feature]]` entry.
#[derive(Debug, Clone)]
pub struct Feature {
    pub name: String,
    pub stage: Stage,
    pub endpoint: Option<String>,
    pub issue: Option<String>,
    pub aliases: Vec<String>,
    /// Where the entry's `name` stands in the registry file (byte offset, length).
    pub name_span: (usize, usize),
    /// Where its `endpoint` value stands (byte offset, length).
    pub endpoint_span: Option<(usize, usize)>,
    /// `waive = { alert = "reason" }`: the stage gates it is exempt from.
    pub waivers: Vec<Waiver>,
    /// `since = "10.6"` (its stage's) or `since = { opt-in = "10.2", opt-out
    /// = "10.6" }`: the release each stage began in (the overdue rule).
    pub since: Vec<(Stage, crate::model::Release)>,
    /// Where the `since` value stands (byte offset, length).
    pub since_span: Option<(usize, usize)>,
}

/// `[process]`: the release cadence the overdue rule (FL017) checks.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessSettings {
    /// Releases a feature may stay Opt-Out (default 1).
    pub opt_out_releases: Option<usize>,
    /// Releases a feature may stay Opt-In before it is stale (default 3).
    pub opt_in_releases: Option<usize>,
}

/// A stage gate the process asks for before Opt-In (FL016).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Gate {
    /// A runbook that names the flag and how to disable it.
    Runbook,
    /// A Prometheus alert rule on the feature or its endpoint, linking a runbook.
    Alert,
    /// A dashboard panel or row on the endpoint or the flag.
    Dashboard,
}

impl Gate {
    pub const ALL: [Gate; 3] = [Gate::Runbook, Gate::Alert, Gate::Dashboard];

    pub fn as_str(self) -> &'static str {
        match self {
            Gate::Runbook => "runbook",
            Gate::Alert => "alert",
            Gate::Dashboard => "dashboard",
        }
    }
}

/// A gate a feature is exempt from, and why.
#[derive(Debug, Clone)]
pub struct Waiver {
    pub gate: Gate,
    pub reason: String,
    /// Where the waiver stands in the registry (byte offset, length).
    pub span: (usize, usize),
}

/// `[gates]`: the components that hold the runbooks, the alert rules and the
/// dashboards (by component name).
#[derive(Debug, Clone, Default)]
pub struct Gates {
    pub runbooks: Vec<String>,
    pub alerts: Vec<String>,
    pub dashboards: Vec<String>,
}

impl Gates {
    /// The components named for `gate`.
    pub fn components(&self, gate: Gate) -> &[String] {
        match gate {
            Gate::Runbook => &self.runbooks,
            Gate::Alert => &self.alerts,
            Gate::Dashboard => &self.dashboards,
        }
    }
}

/// The loaded configuration: registry plus scanner settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// The registry file, when there is one.
    pub path: Option<PathBuf>,
    /// Its text (for diagnostics that point into it).
    pub source: String,
    pub features: Vec<Feature>,
    /// `[process]`.
    pub process: ProcessSettings,
    pub exclude: Vec<String>,
    pub max_file_size: Option<u64>,
    pub default_excludes: Option<bool>,
    pub toggle_methods: Vec<String>,
    /// `[rust] check_functions`: the Rust functions and methods that check a
    /// flag (`None`: the Rust frontend's defaults).
    pub rust_check_functions: Option<Vec<String>>,
    pub env_ignore: Vec<String>,
    /// `[env] flags`: `GITALY_*` variables that are flags whatever the code
    /// does with them (the opposite of `env_ignore`).
    pub env_flags: Vec<String>,
    /// `[rules]`: per-rule severity; `None` turns a rule off.
    pub rule_levels: Vec<(RuleCode, Option<crate::model::Severity>)>,
    /// `[naming]`: the variants FL001 accepts.
    pub naming: Naming,
    /// `[components]`: name → root, relative to the registry file; scanned
    /// when the command line names no path.
    pub components: Vec<(String, PathBuf)>,
    /// `[shell] commands`: more git commands Shell hands to Gitaly, with endpoints.
    pub shell_commands: Vec<(String, String)>,
    /// `[gates]`: where FL016 looks for runbooks, alerts and dashboards
    /// (`None`: the table is absent and the rule has nothing to check).
    pub gates: Option<Gates>,
    /// `[fix] inline_max_lines`: the longest body (non-blank lines) of a
    /// single-use private helper `fix` inlines at its call; 0: none.
    pub fix_inline_max_lines: usize,
    /// Where each `[components]` path stands in the registry file (byte offset, length).
    component_spans: Vec<(usize, usize)>,
    /// Flag name or alias → index into `features`.
    index: HashMap<String, usize>,
}

/// `[fix] inline_max_lines` without a registry or the key.
pub const DEFAULT_INLINE_MAX_LINES: usize = 15;

impl Default for Config {
    fn default() -> Self {
        Config {
            path: None,
            source: String::new(),
            features: Vec::new(),
            process: ProcessSettings::default(),
            exclude: Vec::new(),
            max_file_size: None,
            default_excludes: None,
            toggle_methods: Vec::new(),
            rust_check_functions: None,
            env_ignore: Vec::new(),
            env_flags: Vec::new(),
            rule_levels: Vec::new(),
            naming: Naming::default(),
            components: Vec::new(),
            shell_commands: Vec::new(),
            gates: None,
            fix_inline_max_lines: DEFAULT_INLINE_MAX_LINES,
            component_spans: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl Config {
    /// The `GITALY_*` variables that are settings whatever the code does:
    /// [`DEFAULT_ENV_IGNORE`] and `[env] ignore`.
    pub fn ignored_env_vars(&self) -> Vec<String> {
        DEFAULT_ENV_IGNORE
            .iter()
            .map(|s| s.to_string())
            .chain(self.env_ignore.iter().cloned())
            .collect()
    }

    /// Whether a registry file was loaded (rules such as FL005 need one).
    pub fn has_registry(&self) -> bool {
        self.path.is_some()
    }

    /// The registry feature named `flag`, directly or by an alias.
    pub fn feature(&self, flag: &str) -> Option<&Feature> {
        self.index.get(flag).map(|&i| &self.features[i])
    }

    /// The registry feature whose `endpoint` is `endpoint` (`Service/Method`).
    pub fn feature_by_endpoint(&self, endpoint: &str) -> Option<&Feature> {
        self.features
            .iter()
            .find(|f| f.endpoint.as_deref() == Some(endpoint))
    }

    /// Loads and validates `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let bytes = std::fs::read(path).map_err(|e| ConfigError::Io {
            path: escape_controls(&path.display().to_string()),
            message: e.to_string(),
        })?;
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                return Err(ConfigError::at(
                    path,
                    lossy,
                    (at, 1),
                    format!("not valid UTF-8 at byte {at}"),
                    "invalid byte".into(),
                    Some("save flaglint.toml as UTF-8".into()),
                ));
            }
        };
        Self::parse(path, text)
    }

    /// Parses registry text; `path` only names the file in messages.
    pub fn parse(path: &Path, text: String) -> Result<Config, ConfigError> {
        let src = Source::new(path, &text);
        let mut raw = src.deserialize()?;
        let rule_levels = rule_levels(&raw.rules, &src)?;
        check_excludes(&raw.scan.exclude, &src)?;
        let features = std::mem::take(&mut raw.features);
        let mut config = Config::from_settings(raw, &src);
        config.rule_levels = rule_levels;
        for f in features {
            config.add_feature(f, &src)?;
        }
        config.source = text;
        Ok(config)
    }

    /// The configuration of `raw`'s settings, without the features.
    fn from_settings(raw: RawConfig, src: &Source) -> Config {
        let component_spans = raw.components.values().map(|p| src.span(p)).collect();
        let base = src.path.parent().unwrap_or(Path::new(""));
        Config {
            component_spans,
            path: Some(src.path.to_path_buf()),
            exclude: raw
                .scan
                .exclude
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            max_file_size: raw.scan.max_file_size,
            default_excludes: raw.scan.default_excludes,
            toggle_methods: raw.ruby.toggle_methods,
            rust_check_functions: raw.rust.check_functions,
            env_ignore: raw.env.ignore,
            env_flags: raw.env.flags,
            shell_commands: raw.shell.commands.into_iter().collect(),
            gates: raw.gates.map(|g| Gates {
                runbooks: g.runbooks,
                alerts: g.alerts,
                dashboards: g.dashboards,
            }),
            fix_inline_max_lines: raw.fix.inline_max_lines.unwrap_or(DEFAULT_INLINE_MAX_LINES),
            process: ProcessSettings {
                opt_out_releases: raw.process.opt_out_releases,
                opt_in_releases: raw.process.opt_in_releases,
            },
            naming: raw.naming.into(),
            components: raw
                .components
                .into_iter()
                .map(|(n, p)| (n, base.join(p.into_inner())))
                .collect(),
            ..Config::default()
        }
    }

    /// Validates one `[[feature]]` entry and adds it, its name and aliases to
    /// the index.
    fn add_feature(&mut self, f: RawFeature, src: &Source) -> Result<(), ConfigError> {
        let span = src.span(&f.name);
        let name = f.name.into_inner();
        check_flag_name(&name, "the feature name")
            .map_err(|e| src.error(span, e.to_string(), "this name", None))?;
        if let Some(ep) = &f.endpoint {
            check_endpoint(ep, src)?;
        }
        let mut names = vec![(name.clone(), span)];
        for a in &f.aliases {
            let s = src.span(a);
            check_flag_name(a.get_ref(), "the alias")
                .map_err(|e| src.error(s, e.to_string(), "this alias", None))?;
            names.push((a.get_ref().clone(), s));
        }
        self.index_names(&names, src)?;
        let mut waivers = Vec::new();
        for (gate, reason) in f.waive {
            let at = src.span(&gate);
            let Some(g) = Gate::ALL.into_iter().find(|g| g.as_str() == gate.get_ref()) else {
                return Err(src.error(
                    at,
                    format!("`{}` is not a stage gate", gate.get_ref()),
                    "this gate",
                    Some("waive one of `runbook`, `alert`, `dashboard`".to_string()),
                ));
            };
            waivers.push(Waiver {
                gate: g,
                reason: reason.get_ref().trim().to_string(),
                span: src.span(&reason),
            });
        }
        let stage = *f.stage.get_ref();
        let (since, since_span) = match &f.since {
            Some(v) => (read_since(v, stage, src)?, Some(src.span(v))),
            None => (Vec::new(), None),
        };
        self.features.push(Feature {
            since,
            since_span,
            waivers,
            endpoint_span: f.endpoint.as_ref().map(|e| src.span(e)),
            name,
            stage: f.stage.into_inner(),
            endpoint: f.endpoint.map(Spanned::into_inner),
            issue: f.issue,
            aliases: f.aliases.into_iter().map(Spanned::into_inner).collect(),
            name_span: span,
        });
        Ok(())
    }

    /// Indexes the names (a feature's name, then its aliases) of the feature
    /// about to be added; a name already in the index (also the feature's own,
    /// given again as an alias) is an error.
    fn index_names(
        &mut self,
        names: &[(String, (usize, usize))],
        src: &Source,
    ) -> Result<(), ConfigError> {
        let idx = self.features.len();
        for (n, s) in names {
            if let Some(&other) = self.index.get(n) {
                // `other == idx`: the feature names itself twice.
                let first = self.features.get(other).map_or(&names[0].0, |f| &f.name);
                return Err(src.error(
                    *s,
                    format!("`{n}` is already the name or an alias of feature `{first}`"),
                    "named again here",
                    Some(
                        "each flag name may appear once in the registry; merge the entries".into(),
                    ),
                ));
            }
            self.index.insert(n.clone(), idx);
        }
        Ok(())
    }
}

/// The registry text being parsed: the file named in messages, the text, and
/// where its body starts (after a UTF-8 byte-order mark), so that toml's spans
/// become byte offsets into the text.
struct Source<'a> {
    path: &'a Path,
    text: &'a str,
    body_offset: usize,
}

impl<'a> Source<'a> {
    fn new(path: &'a Path, text: &'a str) -> Self {
        // A UTF-8 byte-order mark is harmless: skip it but keep offsets right.
        let body_offset = if text.starts_with('\u{feff}') { 3 } else { 0 };
        Source {
            path,
            text,
            body_offset,
        }
    }

    /// Where a value stands in the text: (byte offset, length).
    fn span<T>(&self, value: &Spanned<T>) -> (usize, usize) {
        let s = value.span();
        (s.start + self.body_offset, s.end - s.start)
    }

    /// An error pointing at `span` of the text.
    fn error(
        &self,
        span: (usize, usize),
        message: String,
        label: &str,
        help: Option<String>,
    ) -> ConfigError {
        ConfigError::at(
            self.path,
            self.text.to_string(),
            span,
            message,
            label.into(),
            help,
        )
    }

    /// The text as TOML; a syntax error or an unknown key points at its span.
    fn deserialize(&self) -> Result<RawConfig, ConfigError> {
        toml::from_str(&self.text[self.body_offset..]).map_err(|e| {
            let span = e
                .span()
                .map(|r| (r.start + self.body_offset, r.len().max(1)))
                .unwrap_or((0, 0));
            let (message, help) = explain_toml_error(e.message());
            self.error(span, message, "here", help)
        })
    }
}

/// Why a feature name or alias is not a flag name.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
enum NameError {
    #[error("{what} is empty")]
    Empty { what: &'static str },
    #[error("{what} `{name}` is not a flag name (letters, digits and `_` only)")]
    NotAFlagName { what: &'static str, name: String },
}

/// Whether `name` (`what`: "the feature name", "the alias") is a flag name:
/// letters, digits and `_`.
fn check_flag_name(name: &str, what: &'static str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty { what });
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(NameError::NotAFlagName {
            what,
            name: name.to_string(),
        });
    }
    Ok(())
}

/// A feature's `endpoint` must read `Service/Method`.
fn check_endpoint(endpoint: &Spanned<String>, src: &Source) -> Result<(), ConfigError> {
    let v = endpoint.get_ref();
    let ok = v
        .split_once('/')
        .is_some_and(|(svc, m)| !svc.is_empty() && !m.is_empty() && !m.contains('/'));
    if ok {
        return Ok(());
    }
    Err(src.error(
        src.span(endpoint),
        format!("endpoint `{v}` is not of the form `Service/Method`"),
        "this endpoint",
        Some("write it as in the proto, e.g. `CommitService/FindCommit`".into()),
    ))
}

/// Each `[scan] exclude` glob must be a valid gitignore glob.
fn check_excludes(globs: &[Spanned<String>], src: &Source) -> Result<(), ConfigError> {
    for glob in globs {
        if let Err(e) =
            ignore::overrides::OverrideBuilder::new("/").add(&format!("!{}", glob.get_ref()))
        {
            return Err(src.error(
                src.span(glob),
                format!("`[scan] exclude` glob `{}` is invalid: {e}", glob.get_ref()),
                "this glob",
                Some("exclude takes gitignore globs, e.g. `spec/fixtures/` or `*.min.js`".into()),
            ));
        }
    }
    Ok(())
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    scan: RawScan,
    #[serde(default)]
    ruby: RawRuby,
    #[serde(default)]
    rust: RawRust,
    #[serde(default)]
    env: RawEnv,
    #[serde(default)]
    shell: RawShell,
    #[serde(default)]
    fix: RawFix,
    #[serde(default)]
    process: RawProcess,
    gates: Option<RawGates>,
    #[serde(default)]
    components: std::collections::BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    naming: RawNaming,
    #[serde(default)]
    rules: std::collections::BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default, rename = "feature")]
    features: Vec<RawFeature>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawScan {
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    max_file_size: Option<u64>,
    default_excludes: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRuby {
    #[serde(default)]
    toggle_methods: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawGates {
    #[serde(default)]
    runbooks: Vec<String>,
    #[serde(default)]
    alerts: Vec<String>,
    #[serde(default)]
    dashboards: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRust {
    check_functions: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawProcess {
    opt_out_releases: Option<usize>,
    opt_in_releases: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFix {
    inline_max_lines: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawEnv {
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    flags: Vec<String>,
}

/// The flag-name variants FL001 accepts besides the canonical name.
#[derive(Debug, Clone)]
pub struct Naming {
    /// `ref_find_branch`: the snake-case service without `Service`, then the method.
    pub service_prefix: bool,
    /// Words allowed as a qualifier suffix (`ref_exists_tags`).
    pub qualifiers: Vec<String>,
    /// Any single word is allowed as a qualifier suffix.
    pub qualifier_any_word: bool,
    /// Prefixes of flags evaluated on behalf of another client (`workhorse_`).
    pub component_prefixes: Vec<String>,
}

impl Default for Naming {
    fn default() -> Self {
        RawNaming::default().into()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNaming {
    #[serde(default = "yes")]
    service_prefix: bool,
    #[serde(default)]
    qualifiers: Vec<String>,
    #[serde(default = "yes")]
    qualifier_any_word: bool,
    #[serde(default)]
    component_prefixes: Vec<String>,
}

fn yes() -> bool {
    true
}

impl Default for RawNaming {
    fn default() -> Self {
        RawNaming {
            service_prefix: true,
            qualifiers: Vec::new(),
            qualifier_any_word: true,
            component_prefixes: Vec::new(),
        }
    }
}

impl From<RawNaming> for Naming {
    fn from(r: RawNaming) -> Self {
        Naming {
            service_prefix: r.service_prefix,
            qualifiers: r.qualifiers,
            qualifier_any_word: r.qualifier_any_word,
            component_prefixes: r.component_prefixes,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawShell {
    #[serde(default)]
    commands: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeature {
    name: Spanned<String>,
    stage: Spanned<Stage>,
    endpoint: Option<Spanned<String>>,
    issue: Option<String>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    #[serde(default)]
    waive: std::collections::BTreeMap<Spanned<String>, Spanned<String>>,
    since: Option<Spanned<toml::Value>>,
}

/// A feature's `since`: a release (its own stage's), or a table of stage →
/// release.
fn read_since(
    v: &Spanned<toml::Value>,
    stage: Stage,
    src: &Source,
) -> Result<Vec<(Stage, crate::model::Release)>, ConfigError> {
    let at = src.span(v);
    let bad = |message: String| {
        src.error(
            at,
            message,
            "this since",
            Some("write `since = \"10.6\"` (the release its stage began in) or `since = { opt-in = \"10.2\", opt-out = \"10.6\" }`".to_string()),
        )
    };
    let release = |text: &toml::Value| -> Result<crate::model::Release, ConfigError> {
        text.as_str()
            .and_then(crate::model::Release::parse_loose)
            .ok_or_else(|| bad(format!("`{text}` is not a release like \"10.6\"")))
    };
    match v.get_ref() {
        toml::Value::Table(t) => t
            .iter()
            .map(|(k, text)| {
                let s = Stage::parse(k).ok_or_else(|| bad(format!("`{k}` is not a stage")))?;
                Ok((s, release(text)?))
            })
            .collect(),
        other => Ok(vec![(stage, release(other)?)]),
    }
}

/// Turns toml's "unknown field `x`, expected one of `a`, `b`" into a message
/// and a did-you-mean.
fn explain_toml_error(message: &str) -> (String, Option<String>) {
    let message = message.trim().to_string();
    let Some(rest) = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))
    else {
        return (message, None);
    };
    let Some((got, expected)) = rest.split_once('`') else {
        return (message, None);
    };
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    let best = candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(got, c), *c))
        .filter(|(score, _)| *score >= 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    // The message already lists what is expected: help only with a close match.
    let help = best.map(|(_, c)| format!("did you mean `{c}`?"));
    (message, help)
}

/// A configuration error: exit code 2.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ConfigError {
    #[error("cannot read {path}: {message}")]
    #[diagnostic(code(flaglint::config))]
    Io { path: String, message: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(Box<InvalidConfig>),
}

/// A registry error with the span it points at.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(flaglint::config))]
pub struct InvalidConfig {
    pub message: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("{label}")]
    pub span: SourceSpan,
    pub label: String,
    #[help]
    pub help: Option<String>,
}

impl ConfigError {
    fn at(
        path: &Path,
        text: String,
        span: (usize, usize),
        message: String,
        label: String,
        help: Option<String>,
    ) -> ConfigError {
        // Nothing from the user's file reaches the terminal raw: control
        // characters (escape sequences, NUL) are shown escaped.
        let (text, span) = escape_source(&text, span);
        ConfigError::Invalid(Box::new(InvalidConfig {
            message: format!("invalid registry: {}", escape_controls(&message)),
            src: NamedSource::new(escape_controls(&path.display().to_string()), text),
            span: span.into(),
            label: escape_controls(&label),
            help: help.map(|h| escape_controls(&h)),
        }))
    }
}

impl Config {
    /// An error pointing at the `index`-th `[components]` entry (in the order
    /// of `components`); for a path that does not exist.
    pub fn component_error(
        &self,
        index: usize,
        message: String,
        help: Option<String>,
    ) -> ConfigError {
        let path = self
            .path
            .clone()
            .unwrap_or_else(|| PathBuf::from(CONFIG_FILE));
        let span = self.component_spans.get(index).copied().unwrap_or((0, 0));
        ConfigError::at(
            &path,
            self.source.clone(),
            span,
            message,
            "in [components]".into(),
            help,
        )
    }
}

/// `[rules]`: each key a rule code or name (with a did-you-mean), each value
/// `off`, `warning` or `error`.
fn rule_levels(
    rules: &std::collections::BTreeMap<Spanned<String>, Spanned<String>>,
    src: &Source,
) -> Result<Vec<(RuleCode, Option<crate::model::Severity>)>, ConfigError> {
    let mut levels = Vec::new();
    for (rule, level) in rules {
        let Some(code) = RuleCode::parse(rule.get_ref()) else {
            let help = match RuleCode::closest(rule.get_ref()) {
                Some(c) => format!("did you mean `{c}`? (`flaglint explain` lists the rules)"),
                None => "`flaglint explain` lists the rules".into(),
            };
            return Err(src.error(
                src.span(rule),
                format!("`{}` is not a flaglint rule", rule.get_ref()),
                "in [rules]",
                Some(help),
            ));
        };
        let sev = match level.get_ref().as_str() {
            "off" => None,
            "warning" => Some(crate::model::Severity::Warning),
            "error" => Some(crate::model::Severity::Error),
            other => {
                return Err(src.error(
                    src.span(level),
                    format!("`{other}` is not a severity"),
                    "here",
                    Some("write `off`, `warning` or `error`".into()),
                ))
            }
        };
        levels.push((code, sev));
    }
    Ok(levels)
}

/// Whether `c` must not reach a terminal raw: C0 and C1 controls and DEL,
/// except tab and newline.
fn is_unsafe_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape_char(c: char) -> String {
    if (c as u32) < 0x80 {
        format!("\\x{:02x}", c as u32)
    } else {
        format!("\\u{{{:x}}}", c as u32)
    }
}

/// `text` with control characters escaped (`\x1b`, `\x00`, `\u{9b}`); a
/// carriage return before a newline is kept.
pub fn escape_controls(text: &str) -> String {
    escape_source(text, (0, 0)).0
}

/// Escapes control characters like [`escape_controls`] and moves `span`
/// (byte offset, length) along with the text.
fn escape_source(text: &str, span: (usize, usize)) -> (String, (usize, usize)) {
    if !text.chars().any(is_unsafe_control) {
        return (text.to_string(), span);
    }
    let (start, end) = (span.0, span.0 + span.1);
    let mut out = String::with_capacity(text.len() + 16);
    let (mut new_start, mut new_end) = (None, None);
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if i >= start && new_start.is_none() {
            new_start = Some(out.len());
        }
        if i >= end && new_end.is_none() {
            new_end = Some(out.len());
        }
        let keep_cr = c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n');
        if is_unsafe_control(c) && !keep_cr {
            out.push_str(&escape_char(c));
        } else {
            out.push(c);
        }
    }
    let new_start = new_start.unwrap_or(out.len());
    let new_end = new_end.unwrap_or(out.len()).max(new_start);
    let len = if span.1 == 0 { 0 } else { new_end - new_start };
    (out, (new_start, len))
}

/// How the registry of a run was chosen.
#[derive(Debug, Clone)]
pub enum ConfigSearch {
    /// `--config FILE`.
    Given(PathBuf),
    /// Found by searching upward from `from`.
    Found { path: PathBuf, from: PathBuf },
    /// None found: searched from `from` up to `to` (the repository root,
    /// `$HOME` or `/`).
    NotFound { from: PathBuf, to: PathBuf },
    /// `--no-config`.
    Disabled,
}

impl ConfigSearch {
    /// The registry file to load, if any.
    pub fn path(&self) -> Option<&Path> {
        match self {
            ConfigSearch::Given(p) | ConfigSearch::Found { path: p, .. } => Some(p),
            _ => None,
        }
    }
}

/// Looks for `flaglint.toml` in `start` (a directory, or a file's directory)
/// and its parents, stopping at the repository root (the first directory that
/// holds `.git`), at `$HOME` or at `/`, like ruff and ast-grep. The path found
/// is relative to the current directory when it lies under it.
pub fn find_config(start: &Path) -> ConfigSearch {
    let dir = if start.is_file() {
        start.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        start.to_path_buf()
    };
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    let abs = std::fs::canonicalize(&dir)
        .or_else(|_| std::path::absolute(&dir))
        .unwrap_or_else(|_| dir.clone());
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|c| std::fs::canonicalize(c).ok());
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .and_then(|h| std::fs::canonicalize(h).ok());
    let shown = |p: PathBuf| -> PathBuf {
        match cwd.as_deref().and_then(|c| p.strip_prefix(c).ok()) {
            Some(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
            Some(rel) => rel.to_path_buf(),
            None => p,
        }
    };
    let mut last = abs.clone();
    for d in abs.ancestors() {
        last = d.to_path_buf();
        let candidate = d.join(CONFIG_FILE);
        if candidate.is_file() {
            return ConfigSearch::Found {
                path: shown(candidate),
                from: dir,
            };
        }
        if d.join(".git").exists() || home.as_deref() == Some(d) {
            break;
        }
    }
    ConfigSearch::NotFound {
        from: dir,
        to: shown(last),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("flaglint.toml"), text.to_string())
    }

    #[test]
    fn rules_are_validated_against_the_rule_codes() {
        let c = parse("[rules]\nfl001 = \"error\"\ndynamic-flag = \"off\"\n").unwrap();
        assert_eq!(
            c.rule_levels,
            [
                (RuleCode::FL007, None),
                (RuleCode::FL001, Some(crate::model::Severity::Error))
            ]
        );
        let e = parse("[rules]\ndynamic-flags = \"off\"\n").unwrap_err();
        let ConfigError::Invalid(e) = e else {
            panic!("{e:?}")
        };
        assert_eq!(
            e.message,
            "invalid registry: `dynamic-flags` is not a flaglint rule"
        );
        assert!(e
            .help
            .as_deref()
            .unwrap()
            .contains("did you mean `dynamic-flag`?"));
    }

    #[test]
    fn fix_inline_max_lines_defaults_to_15_and_0_disables() {
        assert_eq!(Config::default().fix_inline_max_lines, 15);
        assert_eq!(parse("").unwrap().fix_inline_max_lines, 15);
        assert_eq!(
            parse("[fix]\ninline_max_lines = 0\n")
                .unwrap()
                .fix_inline_max_lines,
            0
        );
        assert!(parse("[fix]\ninline_max_line = 3\n").is_err());
        assert!(parse("[fix]\ninline_max_lines = -1\n").is_err());
    }

    #[test]
    fn unknown_key_suggests_the_closest() {
        let err = parse("[[feature]]\nname = \"x\"\nstag = \"opt-in\"\n").unwrap_err();
        let ConfigError::Invalid(e) = err else {
            panic!()
        };
        let (help, span) = (e.help, e.span);
        assert_eq!(help.as_deref(), Some("did you mean `stage`?"));
        assert_eq!(span.offset(), 23);
    }

    #[test]
    fn unknown_stage_suggests_the_closest() {
        let err = parse("[[feature]]\nname = \"x\"\nstage = \"optout\"\n").unwrap_err();
        let ConfigError::Invalid(e) = err else {
            panic!()
        };
        let help = e.help;
        assert_eq!(help.as_deref(), Some("did you mean `opt-out`?"));
    }

    #[test]
    fn duplicate_names_and_aliases_are_errors() {
        let text = "[[feature]]\nname = \"a\"\nstage = \"opt-in\"\n[[feature]]\nname = \"b\"\nstage = \"opt-in\"\naliases = [\"a\"]\n";
        let err = parse(text).unwrap_err();
        assert!(err.to_string().contains("`a` is already the name"), "{err}");
    }

    #[test]
    fn bom_and_aliases_resolve() {
        let c = parse("\u{feff}[[feature]]\nname = \"garbage_collect\"\nstage = \"mandatory\"\naliases = [\"gc\"]\n").unwrap();
        assert_eq!(c.feature("gc").unwrap().name, "garbage_collect");
        assert_eq!(
            c.feature("garbage_collect").unwrap().stage,
            Stage::Mandatory
        );
        assert!(c.feature("other").is_none());
    }

    #[test]
    fn bad_endpoint_is_an_error() {
        let err =
            parse("[[feature]]\nname = \"a\"\nstage = \"opt-in\"\nendpoint = \"FindCommit\"\n")
                .unwrap_err();
        assert!(err.to_string().contains("Service/Method"), "{err}");
    }

    fn invalid(text: &str) -> Box<InvalidConfig> {
        match parse(text) {
            Err(ConfigError::Invalid(e)) => e,
            other => panic!("{other:?}"),
        }
    }

    /// The span of the first `needle` in `text`.
    fn span_of(text: &str, needle: &str) -> (usize, usize) {
        (text.find(needle).unwrap(), needle.len())
    }

    fn offset_len(e: &InvalidConfig) -> (usize, usize) {
        (e.span.offset(), e.span.len())
    }

    #[test]
    fn spans_count_the_byte_order_mark() {
        let text = "[[feature]]\nname = \"a-b\"\nstage = \"opt-in\"\n";
        let e = invalid(text);
        assert_eq!(offset_len(&e), span_of(text, "\"a-b\""));
        assert_eq!(e.label, "this name");
        let bom = format!("\u{feff}{text}");
        assert_eq!(offset_len(&invalid(&bom)), span_of(&bom, "\"a-b\""));
    }

    #[test]
    fn each_error_points_at_its_entry() {
        let feature = "[[feature]]\nname = \"a\"\nstage = \"opt-in\"\n";
        let text = format!("{feature}aliases = [\"ok\", \"\"]\n");
        let e = invalid(&text);
        assert_eq!(e.message, "invalid registry: the alias is empty");
        assert_eq!(e.label, "this alias");
        assert_eq!(offset_len(&e), span_of(&text, "\"\""));
        let text = format!("{feature}endpoint = \"A/B/C\"\n");
        assert_eq!(offset_len(&invalid(&text)), span_of(&text, "\"A/B/C\""));
        let text = "[scan]\nexclude = [\"ok\", \"a[\"]\n";
        let e = invalid(text);
        assert_eq!(
            (offset_len(&e), e.label.as_str()),
            (span_of(text, "\"a[\""), "this glob")
        );
        let text = "[rules]\nFL001 = \"loud\"\n";
        let e = invalid(text);
        assert_eq!(offset_len(&e), span_of(text, "\"loud\""));
        assert_eq!(e.message, "invalid registry: `loud` is not a severity");
        let text = "[rules]\nFL999 = \"off\"\n";
        let e = invalid(text);
        assert_eq!(
            (offset_len(&e), e.label.as_str()),
            (span_of(text, "FL999"), "in [rules]")
        );
    }

    #[test]
    fn flag_names_are_letters_digits_and_underscores() {
        assert_eq!(check_flag_name("find_commit2", "the alias"), Ok(()));
        assert_eq!(
            check_flag_name("", "the alias"),
            Err(NameError::Empty { what: "the alias" })
        );
        let e = check_flag_name("find-commit", "the feature name").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the feature name `find-commit` is not a flag name (letters, digits and `_` only)"
        );
    }

    #[test]
    fn settings_and_features_keep_their_spans() {
        let text = "[scan]\nexclude = [\"x/\"]\n[components]\nce = \"ce\"\n[[feature]]\nname = \"a\"\nstage = \"opt-out\"\nendpoint = \"S/M\"\n";
        let c = parse(text).unwrap();
        assert_eq!(c.exclude, ["x/"]);
        assert_eq!(c.components, [("ce".to_string(), PathBuf::from("ce"))]);
        assert_eq!(c.component_spans, [span_of(text, "\"ce\"")]);
        let f = c.feature("a").unwrap();
        assert_eq!(f.name_span, span_of(text, "\"a\""));
        assert_eq!(f.endpoint_span, Some(span_of(text, "\"S/M\"")));
        assert_eq!(c.source, text);
    }

    #[test]
    fn an_alias_repeating_the_name_is_an_error() {
        let text = "[[feature]]\nname = \"a\"\nstage = \"opt-in\"\naliases = [\"a\"]\n";
        let e = invalid(text);
        assert_eq!(
            e.message,
            "invalid registry: `a` is already the name or an alias of feature `a`"
        );
        assert_eq!(e.span.offset(), text.rfind("\"a\"").unwrap());
    }
}
