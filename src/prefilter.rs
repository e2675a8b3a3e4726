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
    go_tokens: Option<AhoCorasick>,
    /// Names of functions that check a flag (their last segment), for
    /// frontends whose checks name no Gitaly token (Rust's `[rust] check_functions`).
    calls: Vec<String>,
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

/// The Go tokens of Gitaly's own tree: its flag API, headers and env vars.
/// Workhorse's address test and client package are not there, and their
/// tokens would match Gitaly's own types (`GitalyServerFactory`) and method
/// names (`"/gitaly.RefService/FindTag"`) in most of its files.
pub const SERVER_GO_TOKENS: &[&str] = &["featureflag", "FeatureFlag", "gitaly-feature-", "GITALY_"];

impl Prefilter {
    /// Builds the Ruby prefilter: [`RUBY_TOKENS`] plus `extra` tokens (the
    /// configured toggle methods), which count alone.
    pub fn new<'a>(extra: impl IntoIterator<Item = &'a str>) -> Prefilter {
        let mut tokens: Vec<(&str, Option<&str>)> = RUBY_TOKENS.to_vec();
        tokens.extend(
            extra
                .into_iter()
                .filter(|t| !t.is_empty())
                .map(|t| (t, None)),
        );
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(tokens.iter().map(|(t, _)| t))
            .ok();
        let requires = tokens.iter().map(|(_, r)| r.map(str::to_string)).collect();
        let go = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(["gitaly"])
            .ok();
        let go_tokens = AhoCorasickBuilder::new().build(GO_TOKENS).ok();
        Prefilter {
            ac,
            requires,
            go,
            go_tokens,
            calls: Vec::new(),
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
    /// [`SERVER_GO_TOKENS`]; Ruby and text files are filtered as elsewhere.
    pub fn for_server(&self) -> Prefilter {
        Prefilter {
            ac: self.ac.clone(),
            requires: self.requires.clone(),
            go: self.go.clone(),
            go_tokens: self
                .go_tokens
                .as_ref()
                .and_then(|_| AhoCorasickBuilder::new().build(SERVER_GO_TOKENS).ok()),
            calls: self.calls.clone(),
        }
    }

    /// A prefilter that lets every file through (`--no-prefilter`).
    pub fn everything() -> Prefilter {
        Prefilter {
            ac: None,
            requires: Vec::new(),
            go: None,
            go_tokens: None,
            calls: Vec::new(),
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
        self.go_tokens.as_ref().is_none_or(|ac| ac.is_match(bytes))
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
}
