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

/// Byte strings one of which every Ruby reference contains.
pub const RUBY_TOKENS: &[&str] = &[
    "gitaly_migrate",
    "GitalyClient.migrate",
    ".migrate(:",
    "receive(:migrate",
    "feature_enabled?",
    "GITALY_",
    "Feature::Gitaly",
    ":gitaly_",
    "\"gitaly_",
    "'gitaly_",
    "stub_feature_flags",
];

/// The prefilter's automaton.
pub struct Prefilter {
    /// `None` if the automaton could not be built: then every file is parsed.
    ac: Option<AhoCorasick>,
}

impl Prefilter {
    /// Builds the Ruby prefilter: [`RUBY_TOKENS`] plus `extra` tokens (the
    /// configured toggle methods).
    pub fn new<'a>(extra: impl IntoIterator<Item = &'a str>) -> Prefilter {
        let mut tokens: Vec<&str> = RUBY_TOKENS.to_vec();
        tokens.extend(extra.into_iter().filter(|t| !t.is_empty()));
        tokens.sort_unstable();
        tokens.dedup();
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(&tokens)
            .ok();
        Prefilter { ac }
    }

    /// Whether the bytes can hold a reference.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        self.ac.as_ref().is_none_or(|ac| ac.is_match(bytes))
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
    }
}
