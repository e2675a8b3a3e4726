//! The data every stage of the pipeline shares: source spans, references and findings.

use crate::rules::codes::RuleCode;
use serde::Serialize;
use std::fmt;

/// A region of a source file. Lines and columns are 1-based; columns count
/// characters (not bytes), as editors and rustc do. `end_column` is exclusive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// Byte offsets into the file, for diagnostics and fixes.
    #[serde(skip)]
    pub start_byte: usize,
    #[serde(skip)]
    pub end_byte: usize,
}

impl Span {
    /// In words, for messages: `lines 48–52`, or `line 48, columns 9–30` for a
    /// span on one line (two branches of a one-line ternary differ by columns).
    pub fn describe(&self) -> String {
        if self.line == self.end_line {
            format!(
                "line {}, columns {}–{}",
                self.line, self.column, self.end_column
            )
        } else {
            format!("lines {}–{}", self.line, self.end_line)
        }
    }
}

/// Where something is: a file of a component and a span in it. References,
/// findings, related locations and suppressions all carry one. In JSON it is
/// flattened: `component`, `path`, `line`, `column`, `end_line`, `end_column`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The component's name (`registry` for the registry file).
    pub component: String,
    /// Relative to the component's root, `/`-separated.
    pub path: String,
    /// The file as found on disk (as scanned: relative to the working
    /// directory when the PATH was).
    #[serde(skip)]
    pub abs_path: std::path::PathBuf,
    #[serde(flatten)]
    pub span: Span,
}

/// The language a frontend reads (`ruby`, `go`, `text`, `rust` in JSON):
/// a name and the place of its frontend in the report's order. Open, so a
/// new frontend declares its own (`Language::new(3, "rust")`) without a
/// change here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Language {
    order: u8,
    name: &'static str,
}

#[allow(non_upper_case_globals)]
impl Language {
    pub const Ruby: Language = Language::new(0, "ruby");
    pub const Go: Language = Language::new(1, "go");
    /// Configuration and docs (env files, Chef roles, YAML, Markdown).
    pub const Text: Language = Language::new(2, "text");

    /// A language named `name`, ordered by `order` among the others.
    pub const fn new(order: u8, name: &'static str) -> Language {
        Language { order, name }
    }

    pub fn as_str(self) -> &'static str {
        self.name
    }
}

impl Serialize for Language {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name)
    }
}

/// A name that is no [`Language`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no such language: `{0}`")]
pub struct UnknownLanguage(pub String);

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Declares [`CallForm`] with the names it has in JSON.
macro_rules! call_forms {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)*) => {
        /// How a site is written: the call or the configuration shape that
        /// names the flag (`call` in JSON; also `form` unless the name is
        /// indirect or dynamic).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum CallForm {
            $($(#[$doc])* #[serde(rename = $name)] $variant,)*
        }

        impl CallForm {
            pub fn as_str(self) -> &'static str {
                match self {
                    $(CallForm::$variant => $name,)*
                }
            }
        }
    };
}

call_forms! {
    /// `gitaly_migrate(:x)`, with or without a receiver.
    GitalyMigrate => "gitaly_migrate",
    /// `GitalyClient.migrate(:x)`.
    Migrate => "migrate",
    /// A method of `[ruby] toggle_methods`.
    ToggleMethod => "toggle_method",
    /// `GitalyClient.feature_enabled?(:x)`.
    FeatureEnabled => "feature_enabled",
    /// `Feature.enabled?(:gitaly_x)`, `Feature.enable(...)`.
    Flipper => "flipper",
    /// `Feature::Gitaly.enabled?(:x)`.
    FlipperGitaly => "flipper_gitaly",
    /// `ENV['GITALY_X']`, `os.Getenv("GITALY_X")`.
    Env => "env",
    /// `allow(GitalyClient).to receive(:feature_enabled?).with(:x)`.
    RspecStub => "rspec_stub",
    /// `stub_feature_flags(gitaly_x: true)`.
    StubFeatureFlags => "stub_feature_flags",
    /// `it_behaves_like 'example', :x`, bound to a shared example's parameter.
    SharedExample => "shared_example",
    /// GitLab Shell's table of migrated commands.
    MigratedCommands => "migrated-commands",
    /// `gitlab_rails['env'] = { 'GITALY_X' => '1' }`.
    EnvHash => "env-hash",
    /// Workhorse's `if params.GitalyServer.Address != ""`.
    GitalyServerBranch => "gitaly-server-branch",
    /// `"gitaly-feature-<name>"` gRPC metadata.
    Metadata => "metadata",
    /// `featureflag.FeatureFlag{Name: "x"}`.
    Definition => "definition",
    /// Gitaly's `featureflag.IsEnabled(ctx, featureflag.X)`, `featureflag.X.IsEnabled(ctx)`.
    FeatureflagCheck => "featureflag-check",
    /// Gitaly's test setters: `OutgoingCtxWithFeatureFlags(ctx, featureflag.X)`,
    /// `testhelper.NewFeatureSets(…)`, `[]featureflag.FeatureFlag{…}`, `HeaderKey(X)`.
    FeatureflagTest => "featureflag-test",
    /// `GITALY_X=1` in a shell, env or YAML file.
    EnvAssignment => "env-assignment",
    /// `name: gitaly_x` in YAML.
    FeatureDefinition => "feature-definition",
    /// Another mention in YAML.
    YamlMention => "yaml-mention",
    /// A mention in a code span or block of the docs.
    DocCode => "doc-code",
    /// A mention in the prose of the docs.
    DocProse => "doc-prose",
    /// A `GITALY_X` key of a JSON object.
    JsonKey => "json-key",
}

impl fmt::Display for CallForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a site is written, as `form` in JSON: its call form when the flag is
/// named outright (a literal, a constant, a `let`), else where the name comes
/// from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Form {
    Call(CallForm),
    /// Looked up in a table (`CONST[key]`, an iterated constant): one
    /// reference per possible flag.
    Indirect,
    /// Built at run time: the flag is the source text of the expression.
    Dynamic,
}

impl Form {
    pub fn as_str(self) -> &'static str {
        match self {
            Form::Call(c) => c.as_str(),
            Form::Indirect => "indirect",
            Form::Dynamic => "dynamic",
        }
    }
}

impl fmt::Display for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Form {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// What a reference does with the flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Switches between the Gitaly path and the legacy path (`gitaly_migrate`, `GitalyClient.migrate`).
    Toggle,
    /// Evaluates the flag (`feature_enabled?`, `Feature.enabled?`).
    Check,
    /// Turns the flag on or off (`Feature.enable`, `Feature.disable`).
    Set,
    /// Reads a `GITALY_*` environment variable.
    Env,
    /// Names the flag in test code (stubs, `stub_feature_flags`, any reference under `spec/`).
    TestStub,
    /// A gRPC metadata feature flag (`"gitaly-feature-<name>"`).
    Metadata,
    /// Defines the flag on the Gitaly server side (`featureflag.FeatureFlag{Name: ...}`).
    Definition,
    /// Sets the flag in configuration (env files, Chef roles, gitlab.rb, YAML).
    Config,
    /// Names the flag in docs and runbooks.
    Doc,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Toggle => "toggle",
            Kind::Check => "check",
            Kind::Set => "set",
            Kind::Env => "env",
            Kind::TestStub => "test-stub",
            Kind::Metadata => "metadata",
            Kind::Definition => "definition",
            Kind::Config => "config",
            Kind::Doc => "doc",
        }
    }
}

/// The migration status written at a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Disabled,
    OptIn,
    OptOut,
    Mandatory,
    /// No status argument: GitLab's wrappers then default to `OPT_IN`.
    Default,
    /// A status argument flaglint could not resolve statically.
    Unknown,
    /// The site carries no status at all (env vars, Flipper calls, stubs).
    None,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Disabled => "disabled",
            Status::OptIn => "opt_in",
            Status::OptOut => "opt_out",
            Status::Mandatory => "mandatory",
            Status::Default => "default",
            Status::Unknown => "unknown",
            Status::None => "none",
        }
    }

    /// The status as it behaves: no argument means `OPT_IN` in GitLab's wrappers.
    pub fn effective(self) -> Status {
        match self {
            Status::Default => Status::OptIn,
            s => s,
        }
    }

    /// Whether the site states a status that rules can compare.
    pub fn is_comparable(self) -> bool {
        !matches!(self, Status::Unknown | Status::None)
    }

    pub fn from_constant(name: &str) -> Option<Status> {
        Some(match name {
            "DISABLED" => Status::Disabled,
            "OPT_IN" => Status::OptIn,
            "OPT_OUT" => Status::OptOut,
            "MANDATORY" => Status::Mandatory,
            _ => return None,
        })
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One place in a client repo that names a Gitaly feature flag.
#[derive(Debug, Clone, Serialize)]
pub struct Reference {
    /// The flag as the feature is known, without a `gitaly_` prefix. For a
    /// dynamic reference, the source text of the name expression.
    pub flag: String,
    pub kind: Kind,
    /// How the site is written: the call form (`gitaly_migrate`, `migrate`,
    /// `feature_enabled`, ...), or `indirect` / `dynamic` when the name is
    /// looked up in a table or built at run time.
    pub form: Form,
    /// The call form, also for indirect and dynamic references.
    pub call: CallForm,
    pub language: Language,
    /// Where the site is (`component`, `path`, the span; flattened in JSON).
    #[serde(flatten)]
    pub location: Location,
    pub status: Status,
    /// The span of the Gitaly (enabled) branch, when it can be identified.
    pub enabled_branch: Option<Span>,
    /// The span of the legacy branch, when it can be identified.
    pub legacy_branch: Option<Span>,
    /// Endpoints the toggle guards (`Service/Method`); filled by the endpoint catalog.
    pub endpoints: Vec<String>,
    /// The value a configuration entry sets (`1` in `GITALY_X=1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Where a JSON key stands (`default_attributes → … → env → GITALY_X`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_path: Option<String>,
    /// The registry feature this reference resolves to (by name or alias).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
}

impl Reference {
    pub fn is_dynamic(&self) -> bool {
        self.form == Form::Dynamic
    }

    /// A flag known by name: not dynamic, and not a Go branch whose endpoint
    /// could not be inferred (empty flag).
    /// The feature it belongs to: the registry feature it resolves to, else
    /// its flag.
    pub fn feature_name(&self) -> &str {
        self.feature.as_deref().unwrap_or(&self.flag)
    }

    pub fn is_named(&self) -> bool {
        !self.is_dynamic() && !self.flag.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A secondary location of a finding (another site of the same flag, say).
#[derive(Debug, Clone, Serialize)]
pub struct Related {
    /// The related site: sites of one flag can be in several components.
    #[serde(flatten)]
    pub location: Location,
    pub message: String,
}

/// A rule's verdict on one location.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub code: RuleCode,
    /// The rule's name (`mandatory-leftover`): the code's.
    pub rule: &'static str,
    pub severity: Severity,
    pub flag: String,
    #[serde(flatten)]
    pub location: Location,
    pub message: String,
    pub help: String,
    /// Short text placed under the source snippet.
    #[serde(skip)]
    pub label: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    /// Stable across unrelated edits: see [`crate::baseline`].
    pub fingerprint: String,
}

/// What a finding says: its message, the label under its snippet and its help.
#[derive(Debug, Clone, Default)]
pub struct Text {
    pub message: String,
    pub label: String,
    pub help: String,
}

impl Finding {
    /// A finding of rule `code` at `location`, with no related locations and
    /// no fingerprint yet (the engine sets it).
    pub fn new(
        code: RuleCode,
        severity: Severity,
        flag: String,
        location: Location,
        text: Text,
    ) -> Finding {
        Finding {
            code,
            rule: code.name(),
            severity,
            flag,
            location,
            message: text.message,
            help: text.help,
            label: text.label,
            related: Vec::new(),
            fingerprint: String::new(),
        }
    }
}

/// A GitLab release: `major.minor.patch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Release {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Release {
    /// A release tag: `v10.6.0` or `10.6.0` (nothing after the patch number).
    pub fn parse_tag(name: &str) -> Option<Release> {
        let rest = name.strip_prefix('v').unwrap_or(name);
        let mut parts = rest.split('.');
        let mut num = || -> Option<u32> {
            let p = parts.next()?;
            (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        };
        let r = Release {
            major: num()?,
            minor: num()?,
            patch: num()?,
        };
        parts.next().is_none().then_some(r)
    }

    /// A release as people write it: `10.6`, `v10.6.0`, or a `VERSION` file's
    /// `10.8.0-pre` (what follows the numbers is ignored).
    pub fn parse_loose(text: &str) -> Option<Release> {
        let text = text.trim();
        let text = text.strip_prefix('v').unwrap_or(text);
        let end = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let mut nums = text[..end].split('.').map(|p| p.parse::<u32>().ok());
        let major = nums.next()??;
        let minor = nums.next()??;
        let patch = nums.next().flatten().unwrap_or(0);
        Some(Release {
            major,
            minor,
            patch,
        })
    }

    /// `10.6`.
    pub fn short(&self) -> String {
        format!("{}.{}", self.major, self.minor)
    }
}
