//! Stage 2: decide from the bytes alone whether a file can hold a reference.
//!
//! Every Ruby reference form contains one of a few byte strings: the toggle
//! methods (`gitaly_migrate`, `GitalyClient.migrate`, `feature_enabled?`, and
//! the configured `[ruby] toggle_methods`), `GITALY_` (env vars),
//! `Feature::Gitaly`, a `gitaly_`-prefixed Flipper name as a symbol or string,
//! or `stub_feature_flags`. One Aho-Corasick search for them decides which files
//! are parsed at all: on GitLab-CE 11.0 that is 72 of 6,700 Ruby files, where a
//! bare `gitaly` would pick 207.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// Byte strings one of which every Ruby reference contains, each with the
/// byte string the file must also contain for the token to count (`None`: the
/// token alone is enough). `stub_feature_flags` and `gitaly_`-prefixed names
/// are common outside Gitaly code; they count only next to `gitaly_` or
/// `Feature` respectively.
pub const RUBY_TOKENS: &[(&str, Option<&str>)] = &[
    ("gitaly_migrate", None),
    ("GitalyClient.migrate", None),
    (".migrate(:", None),
    ("feature_enabled?", None),
    ("GITALY_", None),
    ("Feature::Gitaly", None),
    ("receive(:migrate", Some("GitalyClient")),
    (":gitaly_", Some("Feature")),
    ("\"gitaly_", Some("Feature")),
    ("'gitaly_", Some("Feature")),
    ("stub_feature_flags", Some("gitaly_")),
    // Not a reference: the wrapper clients, read for endpoint inference
    // (2017's clients call their stub directly: `GitalyClient.stub(:ref, …)`).
    ("GitalyClient.call", None),
    ("GitalyClient.stub(", None),
];

/// The prefilter's automata.
pub struct Prefilter {
    /// `None` if the automaton could not be built: then every file is parsed.
    ac: Option<AhoCorasick>,
    /// Per pattern: what else the file must contain.
    requires: Vec<Option<String>>,
    /// Go: `gitaly` in any case. Branches carry no flag name, and endpoint
    /// inference needs the functions of every Gitaly-related file (a package
    /// `gitaly` of client wrappers, the handlers that call them).
    go: Option<AhoCorasick>,
    /// Go files: [`GO_TOKENS`].
    go_tokens: Option<Tokens>,
    /// Config and docs: [`TEXT_TOKENS`].
    text_tokens: Option<Tokens>,
    /// Names of functions that check a flag (their last segment), for
    /// frontends whose checks name no Gitaly token (Rust's `[rust] check_functions`).
    calls: Vec<String>,
    /// The configured toggle methods (Ruby tokens that count alone).
    extra: Vec<String>,
}

/// Byte strings one of which a Go file with a reference (or a function on a
/// Workhorse branch's way to Gitaly) holds: the address test, Gitaly's
/// feature-flag package and type, headers, env vars, the client package.
pub const GO_TOKENS: &[&str] = &[
    "GitalyServer",
    "GitalyAddress",
    "featureflag",
    "FeatureFlag",
    "gitaly-feature-",
    "GITALY_",
    "gitaly.",
    "package gitaly",
];

/// Byte strings one of which a config or doc file with a reference holds:
/// every form the text frontend reads starts with one (`GITALY_X`,
/// `gitaly_x`, `gitaly_migrate(:x)`, `feature_enabled?(:x)`,
/// `Feature::Gitaly.enabled?(:x)`), case-sensitive as it reads them. A doc
/// that only says "Gitaly" holds none.
pub const TEXT_TOKENS: &[&str] = &["GITALY_", "gitaly_", "feature_enabled?(", "Feature::Gitaly"];

/// The Go tokens of Gitaly's own tree: its flag API, headers and env vars.
/// Workhorse's address test and client package are not there, and their
/// tokens would match Gitaly's own types (`GitalyServerFactory`) and method
/// names (`"/gitaly.RefService/FindTag"`) in most of its files.
pub const SERVER_GO_TOKENS: &[&str] = &["featureflag", "FeatureFlag", "gitaly-feature-", "GITALY_"];

/// The Ruby tokens of Gitaly's own tree (gitaly-ruby): [`RUBY_TOKENS`] with
/// `GITALY_` only as a string (`ENV['GITALY_X']`, `'GITALY_X' => '1'`; not a
/// constant such as `GITALY_INTERNAL_URL`) and `feature_enabled?` only as a
/// call with a literal flag or a stubbed method (not its definition,
/// `def feature_enabled?(flag)`, which gitaly-ruby's repository class holds),
/// and Flipper names only next to `Feature.`.
pub fn server_ruby_tokens() -> Vec<(&'static str, Option<&'static str>)> {
    let mut tokens: Vec<(&str, Option<&str>)> = RUBY_TOKENS
        .iter()
        .copied()
        .filter(|(t, _)| *t != "GITALY_" && *t != "feature_enabled?")
        // Flipper names count next to a Flipper call, not next to any
        // `Feature…` constant (gitaly-ruby's `FeatureFlags`).
        .map(|(t, r)| (t, r.map(|r| if r == "Feature" { "Feature." } else { r })))
        .collect();
    tokens.extend(
        [
            "'GITALY_",
            "\"GITALY_",
            "feature_enabled?(:",
            "feature_enabled?('",
            "feature_enabled?(\"",
            "feature_enabled?)",
            "gitaly-feature-",
        ]
        .map(|t| (t, None)),
    );
    tokens
}

/// The Ruby automaton of `tokens` and the extra tokens, and what each needs besides.
fn ruby_automaton<'a>(
    mut tokens: Vec<(&'a str, Option<&'a str>)>,
    extra: &'a [String],
) -> (Option<AhoCorasick>, Vec<Option<String>>) {
    tokens.extend(
        extra
            .iter()
            .filter(|t| !t.is_empty())
            .map(|t| (t.as_str(), None)),
    );
    let ac = AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostFirst)
        .build(tokens.iter().map(|(t, _)| t))
        .ok();
    let requires = tokens.iter().map(|(_, r)| r.map(str::to_string)).collect();
    (ac, requires)
}

/// A few byte strings, any of which matches: one `memmem` search each. On
/// Go sources that hold none of them (most of a tree), that is 20× faster
/// than one Aho-Corasick search for all, whose time went to its rare-byte
/// prefilter (Gitaly's 2020 tree, 712 Go files, 4 MB: 0.7 ms against 14.5 ms).
#[derive(Clone)]
struct Tokens(Vec<memchr::memmem::Finder<'static>>);

impl Tokens {
    fn new(tokens: &[&str]) -> Tokens {
        Tokens(
            tokens
                .iter()
                .map(|t| memchr::memmem::Finder::new(t.as_bytes()).into_owned())
                .collect(),
        )
    }

    fn is_match(&self, bytes: &[u8]) -> bool {
        self.0.iter().any(|f| f.find(bytes).is_some())
    }
}

impl Prefilter {
    /// Builds the Ruby prefilter: [`RUBY_TOKENS`] plus `extra` tokens (the
    /// configured toggle methods), which count alone.
    pub fn new<'a>(extra: impl IntoIterator<Item = &'a str>) -> Prefilter {
        let extra: Vec<String> = extra.into_iter().map(str::to_string).collect();
        let (ac, requires) = ruby_automaton(RUBY_TOKENS.to_vec(), &extra);
        let go = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(["gitaly"])
            .ok();
        let go_tokens = Some(Tokens::new(GO_TOKENS));
        let text_tokens = Some(Tokens::new(TEXT_TOKENS));
        Prefilter {
            ac,
            requires,
            go,
            go_tokens,
            text_tokens,
            calls: Vec::new(),
            extra,
        }
    }

    /// The prefilter, with the names of the functions that check a flag.
    pub fn with_calls<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Prefilter {
        self.calls = names
            .into_iter()
            .map(|n| n.rsplit("::").next().unwrap_or(n).to_string())
            .filter(|n| !n.is_empty())
            .collect();
        self
    }

    /// The names of [`Prefilter::with_calls`].
    pub fn calls(&self) -> &[String] {
        &self.calls
    }

    /// The prefilter of a Gitaly tree: Go files need one of
    /// [`SERVER_GO_TOKENS`], Ruby files one of [`server_ruby_tokens`]; text
    /// files are filtered as elsewhere.
    pub fn for_server(&self) -> Prefilter {
        let (ac, requires) = match self.ac {
            Some(_) => ruby_automaton(server_ruby_tokens(), &self.extra),
            None => (None, Vec::new()),
        };
        Prefilter {
            ac,
            requires,
            go: self.go.clone(),
            go_tokens: self
                .go_tokens
                .as_ref()
                .map(|_| Tokens::new(SERVER_GO_TOKENS)),
            text_tokens: self.text_tokens.clone(),
            calls: self.calls.clone(),
            extra: self.extra.clone(),
        }
    }

    /// A prefilter that lets every file through (`--no-prefilter`).
    pub fn everything() -> Prefilter {
        Prefilter {
            ac: None,
            requires: Vec::new(),
            go: None,
            go_tokens: None,
            text_tokens: None,
            calls: Vec::new(),
            extra: Vec::new(),
        }
    }

    /// Whether a Go, config or doc file mentions Gitaly (in any case): it can
    /// hold a reference, or a function a Go branch reaches.
    pub fn mentions_gitaly(&self, bytes: &[u8]) -> bool {
        self.go.as_ref().is_none_or(|ac| ac.is_match(bytes))
    }

    /// Whether Go bytes can hold a reference, or a function a Workhorse
    /// branch reaches: one of [`GO_TOKENS`] (not a bare `gitaly`, which
    /// every import path of Gitaly's own tree holds).
    pub fn go_matches(&self, bytes: &[u8]) -> bool {
        self.go_tokens.as_ref().is_none_or(|t| t.is_match(bytes))
    }

    /// Whether config or doc bytes can hold a reference: one of [`TEXT_TOKENS`].
    pub fn text_matches(&self, bytes: &[u8]) -> bool {
        self.text_tokens.as_ref().is_none_or(|t| t.is_match(bytes))
    }

    /// Whether Ruby bytes can hold a reference.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        let Some(ac) = &self.ac else { return true };
        let mut absent: Vec<&str> = Vec::new();
        for m in ac.find_iter(bytes) {
            match self.requires[m.pattern().as_usize()].as_deref() {
                None => return true,
                Some(req) if absent.contains(&req) => {}
                Some(req) => {
                    if memchr::memmem::find(bytes, req.as_bytes()).is_some() {
                        return true;
                    }
                    absent.push(req);
                }
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::Prefilter;

    #[test]
    fn finds_every_form_and_extra_tokens() {
        let p = Prefilter::new(["my_toggle"]);
        assert!(p.matches(b"x = ENV['GITALY_FIND_COMMIT']"));
        assert!(p.matches(b"Gitlab::GitalyClient.migrate(:x)"));
        assert!(p.matches(b"my_toggle(:x) { }"));
        assert!(p.matches(b"Feature.enabled?(:gitaly_find_commit)"));
        assert!(p.matches(b"stub_feature_flags(gitaly_x: true)"));
        assert!(!p.matches(b"def foo; bar; end"));
        assert!(!p.matches(b"Gitlab::GitalyClient::RefService.new(repo)"));
        assert!(!p.matches(b"stub_feature_flags(new_ui: true)"));
        assert!(!p.matches(b"params = { gitaly_address: x, 'gitaly_token' => y }"));
        assert!(p.matches(b"Feature.enable('gitaly_tags')"));
    }

    #[test]
    fn gitaly_ruby_files_need_a_flag_token() {
        let p = Prefilter::new(["my_toggle"]).for_server();
        assert!(p.matches(b"if feature_enabled?(:remote_branches_ls_remote)"));
        assert!(p.matches(b"'GITALY_GO_UPDATE' => repository.feature_enabled?('go-update-hook')"));
        assert!(p.matches(b"allow(repository).to receive(:feature_enabled?)"));
        assert!(p.matches(b"ENV.fetch('GITALY_RUBY_DIR')"));
        assert!(p.matches(b"my_toggle(:x)"));
        // A definition, a constant named GITALY_, a Feature-like class.
        assert!(!p.matches(b"def feature_enabled?(flag)\n  @feature_flags.enabled?(flag)\nend"));
        assert!(!p.matches(b"GITALY_INTERNAL_URL = 'ssh://gitaly/internal.git'.freeze"));
        assert!(!p.matches(b"attr_reader :gitaly_repository # FeatureFlags"));
        assert!(p.matches(b"Feature.enabled?(:gitaly_x)"));
    }

    #[test]
    fn docs_need_a_flag_token_not_the_word_gitaly() {
        let p = Prefilter::new([]);
        assert!(p.text_matches(b"export GITALY_FIND_COMMIT=1"));
        assert!(p.text_matches(b"`Feature.enable(:gitaly_find_commit)`"));
        assert!(p.text_matches(b"guarded by feature_enabled?(:x)"));
        assert!(!p.text_matches(b"Gitaly is a Git RPC service; see gitaly.md."));
        assert!(Prefilter::everything().text_matches(b"nothing"));
    }
}
