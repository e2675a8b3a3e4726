//! The Ruby frontend: GitLab-CE and GitLab Shell (and Omnibus `gitlab.rb`).
//!
//! Parses a file with tree-sitter-ruby and extracts every reference to a Gitaly
//! feature flag: `gitaly_migrate` and `GitalyClient.migrate` toggles,
//! `feature_enabled?` checks, Flipper calls, `GITALY_*` env vars and test stubs.
//! Comments, strings and heredocs are never references: only call nodes are read.
//!
//! One module per job: `facts` (the first pass over the file: constants,
//! `let`s, assignments, candidate sites), `names` (how a site names its
//! flag), `sites` (what each candidate is), `branches` (the Gitaly and
//! legacy branches of a toggle or check) and [`calls`] (what a branch calls,
//! for endpoint inference).
//!
//! The tree is walked with a cursor, never by recursion, so deeply nested input
//! cannot overflow the stack.

mod branches;
pub mod calls;
mod facts;
mod names;
mod sites;

use super::{Deferred, FileFacts, Frontend, FrontendOptions, RawRef, SourceFile};
use crate::model::{CallForm, Form, Kind, Language};
use crate::prefilter::Prefilter;
use facts::Facts;
use tree_sitter::{Node, Tree};

/// The Ruby frontend, as registered in [`super::FRONTENDS`].
pub struct Ruby;

/// Extension-less files that are Ruby by their name.
const RUBY_FILE_NAMES: &[&str] = &["Gemfile", "Rakefile", "Guardfile"];

impl Frontend for Ruby {
    fn language(&self) -> Language {
        Language::Ruby
    }

    fn claims(&self, name: &str, head: Option<&[u8]>) -> bool {
        match name.rsplit_once('.') {
            Some((_, ext)) => matches!(ext, "rb" | "rake" | "ru" | "gemspec"),
            None if RUBY_FILE_NAMES.contains(&name) => true,
            // A script: Ruby if its shebang says so.
            None => head.is_none_or(|h| {
                super::shebang(h).is_some_and(|l| memchr::memmem::find(l, b"ruby").is_some())
            }),
        }
    }

    fn wants(&self, bytes: &[u8], prefilter: &Prefilter) -> bool {
        prefilter.matches(bytes)
    }

    fn extract(&self, file: &SourceFile, opts: &FrontendOptions) -> FileFacts {
        let gitaly_ruby = file.server && is_gitaly_ruby(file.rel);
        let x = extract_in(file.bytes, is_test_path(file.rel), gitaly_ruby, opts);
        let mut deferred = Vec::new();
        let mut refs = Vec::new();
        let waits = x.shared_params.into_iter().zip(x.facts);
        for (raw, (shared, facts)) in x.refs.into_iter().zip(waits) {
            match shared {
                Some((example, index)) => deferred.push(Deferred::SharedParam {
                    raw,
                    example,
                    index,
                }),
                None if !facts.is_empty() => deferred.push(Deferred::ToggleFacts { raw, facts }),
                None => refs.push(raw),
            }
        }
        deferred.extend(x.methods.into_iter().map(Deferred::Method));
        deferred.extend(x.includes.into_iter().map(Deferred::Include));
        deferred.extend(x.mentions.into_iter().map(Deferred::Mention));
        FileFacts {
            refs,
            deferred,
            syntax_errors: x.syntax_errors,
            note: None,
        }
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

/// The settings of the Ruby frontend: the frontends' settings.
pub type Options = FrontendOptions;

/// Methods that wrap `GitalyClient.migrate` / `feature_enabled?`: a `def` with one
/// of these names is a wrapper, and the flag it passes on is not a reference.
pub const BUILTIN_TOGGLE_METHODS: &[&str] = &["gitaly_migrate"];
const WRAPPER_DEFS: &[&str] = &["gitaly_migrate", "migrate", "feature_enabled?"];
const FLIPPER_CHECKS: &[&str] = &["enabled?", "disabled?", "get", "persisted?"];
const FLIPPER_SETS: &[&str] = &[
    "enable",
    "disable",
    "enable_percentage_of_time",
    "disable_percentage_of_time",
    "enable_percentage_of_actors",
    "remove",
];
const ITERATORS: &[&str] = &[
    "each",
    "map",
    "flat_map",
    "each_with_object",
    "select",
    "reject",
    "any?",
    "all?",
    "to_h",
    "each_with_index",
    "filter_map",
    "find",
    "detect",
    "collect",
    "none?",
];
pub(crate) const SHARED_EXAMPLES: &[&str] =
    &["shared_examples", "shared_examples_for", "shared_context"];
pub(crate) const IT_BEHAVES_LIKE: &[&str] = &[
    "it_behaves_like",
    "include_examples",
    "it_should_behave_like",
    "include_context",
];

/// GitLab Shell's migrated commands and the endpoints that serve them.
pub const DEFAULT_COMMANDS: &[(&str, &str)] = &[
    ("git-upload-pack", "SSHService/SSHUploadPack"),
    ("git-receive-pack", "SSHService/SSHReceivePack"),
    ("git-upload-archive", "SSHService/SSHUploadArchive"),
];

/// An `it_behaves_like 'example', :a, 'b'` site: the literal arguments after the name.
#[derive(Debug, Clone)]
pub struct Include {
    pub example: String,
    pub args: Vec<Option<String>>,
    pub span: crate::model::Span,
}

/// What a Ruby file yielded.
#[derive(Debug, Default)]
pub struct Extracted {
    pub refs: Vec<RawRef>,
    /// Per reference, in the order of `refs`: the call facts of its Gitaly
    /// branch (toggles and checks outside test code), for endpoint inference.
    pub facts: Vec<Vec<calls::CallFact>>,
    /// Per reference, in the order of `refs`: the shared example's parameter
    /// its name is, `(example, index)`, bound by the `it_behaves_like` sites.
    pub shared_params: Vec<Option<(String, usize)>>,
    /// The file's methods and their call facts, for endpoint inference.
    pub methods: Vec<calls::Method>,
    /// `it_behaves_like 'example', args...` sites, to bind shared-example parameters.
    pub includes: Vec<Include>,
    /// Env reads not used as a switch: flags only if their name is known.
    pub mentions: Vec<RawRef>,
    /// The parser had to recover from syntax errors.
    pub syntax_errors: bool,
}

/// Parses Ruby source with the thread's parser.
/// Whether `n` is a `begin … end` with `rescue`, `else` or `ensure` clauses
/// (a plain `begin … end` only groups its statements).
pub fn begin_with_clauses(n: Node) -> bool {
    let mut c = n.walk();
    n.kind() == "begin"
        && n.named_children(&mut c)
            .any(|x| matches!(x.kind(), "rescue" | "ensure" | "else"))
}

pub fn parse(src: &[u8]) -> Option<Tree> {
    super::parse(super::Grammar::Ruby, src)
}

/// Extracts the references of one Ruby file. `is_test` marks test code
/// (`spec/`, `*_spec.rb`): every reference there is a `test-stub`.
pub fn extract(src: &[u8], is_test: bool, opts: &Options) -> Extracted {
    extract_in(src, is_test, false, opts)
}

/// The flag of a gitaly-ruby `feature_enabled?` name: gitaly-ruby reads the
/// `gitaly-feature-ruby-<name>` headers, so `'go-update-hook'` is the Go-side
/// flag `ruby_go_update_hook` (`-` and `_` are one flag).
pub fn gitaly_ruby_flag(name: &str) -> String {
    format!("ruby_{}", name.replace('-', "_"))
}

/// Whether a file of Gitaly's tree is gitaly-ruby (its `ruby/` directory).
pub fn is_gitaly_ruby(rel: &str) -> bool {
    rel.starts_with("ruby/")
}

/// [`extract`]; `gitaly_ruby`: the file is gitaly-ruby, where
/// `feature_enabled?` on any receiver is a check (and its stubs test stubs) of
/// flag `ruby_<name>`.
pub fn extract_in(src: &[u8], is_test: bool, gitaly_ruby: bool, opts: &Options) -> Extracted {
    let Some(tree) = parse(src) else {
        return Extracted::default();
    };
    let root = tree.root_node();
    let mut file = Facts::collect(root, src, opts);
    file.gitaly_ruby = gitaly_ruby;
    let mut found = sites::Found::default();
    let candidates = std::mem::take(&mut file.candidates);
    let mut classes: Vec<(usize, String)> = Vec::new();
    for (node, def, class) in candidates {
        file.cur_def = def;
        let before = found.refs.len();
        file.extract_site(node, &mut found);
        if found.refs.len() > before {
            classes.push((node.start_byte(), class));
        }
    }
    let mut mentions = std::mem::take(&mut found.mentions);
    let (mut refs, shared_params) = found.in_source_order();
    if gitaly_ruby {
        let checks = [CallForm::FeatureEnabled, CallForm::RspecStub];
        for r in refs.iter_mut().filter(|r| checks.contains(&r.call)) {
            if r.form != Form::Dynamic {
                r.flag = gitaly_ruby_flag(&r.flag);
            }
        }
    }
    if is_test {
        for r in refs.iter_mut().chain(mentions.iter_mut()) {
            r.kind = Kind::TestStub;
        }
    }
    let includes = file.includes();
    let mut facts = vec![Vec::new(); refs.len()];
    if !is_test {
        for (r, facts) in refs.iter().zip(facts.iter_mut()) {
            let Some(branch) = r.enabled_branch else {
                continue;
            };
            if matches!(r.kind, Kind::Toggle | Kind::Check) {
                let class = classes
                    .iter()
                    .find(|(start, _)| *start == r.span.start_byte)
                    .map(|(_, c)| c.as_str())
                    .unwrap_or("");
                *facts = branches::branch_facts(root, branch, class, src);
            }
        }
    }
    // Methods matter for endpoint inference: the wrapper clients (they make
    // `GitalyClient.call`) and the classes whose toggles call their own helpers.
    // Test files are neither.
    let client = |token: &[u8]| memchr::memmem::find(src, token).is_some();
    let wants_methods = !is_test
        && (!refs.is_empty() || client(b"GitalyClient.call") || client(b"GitalyClient.stub("));
    let methods = if wants_methods {
        calls::methods(root, src)
    } else {
        Vec::new()
    };
    Extracted {
        refs,
        facts,
        shared_params,
        methods,
        includes,
        mentions,
        syntax_errors: root.has_error(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    fn refs(src: &str) -> Vec<RawRef> {
        extract(src.as_bytes(), false, &Options::default()).refs
    }

    #[test]
    fn env_reads_are_flags_only_when_used_as_a_switch() {
        let src = "a = ENV['GITALY_A'] == '1'\nputs 1 if ENV['GITALY_B']\nc = !ENV.fetch('GITALY_C', nil).present? && x\nd = %w[1 true].include?(ENV['GITALY_D'])\ne = Gitlab::Utils.to_boolean(ENV['GITALY_E'])\nf = ENV.key?('GITALY_F')\nENV['GITALY_G'] = 'true'\ns = ENV['GITALY_SOCKET'] || '/tmp/gitaly.socket'\nu = ENV.fetch('GITALY_REPO_URL')\nl = ENV['GITALY_LOG_LEVEL'].downcase\n";
        let x = extract(src.as_bytes(), false, &Options::default());
        let flags: Vec<&str> = x.refs.iter().map(|r| r.flag.as_str()).collect();
        assert_eq!(flags, ["a", "b", "c", "d", "e", "f", "g"]);
        let mentions: Vec<&str> = x.mentions.iter().map(|r| r.flag.as_str()).collect();
        assert_eq!(mentions, ["socket", "repo_url", "log_level"]);
    }

    #[test]
    fn a_status_through_a_scoped_let_or_a_local_variable_is_resolved() {
        let src = "describe X do\n  context 'a' do\n    let(:st) { Gitlab::GitalyClient::MigrationStatus::DISABLED }\n    it { described_class.feature_enabled?(:f, status: st) }\n  end\n  context 'b' do\n    let(:st) { Gitlab::GitalyClient::MigrationStatus::OPT_OUT }\n    it { described_class.feature_enabled?(:f, status: st) }\n  end\n  it do\n    s = Gitlab::GitalyClient::MigrationStatus::OPT_IN\n    allow(Gitlab::GitalyClient).to receive(:feature_enabled?).with(:g, status: s)\n  end\nend\n";
        let got: Vec<(String, Status)> =
            refs(src).into_iter().map(|r| (r.flag, r.status)).collect();
        assert_eq!(
            got,
            [
                ("f".to_string(), Status::Disabled),
                ("f".to_string(), Status::OptOut),
                ("g".to_string(), Status::OptIn)
            ]
        );
    }

    #[test]
    fn an_empty_flag_table_names_no_flag() {
        for table in ["%w[].freeze", "[]", "{}.freeze"] {
            let src = format!("FLAGS = {table}\ndef self.flags\n  FLAGS.map {{ |f| [f, feature_enabled?(f)] }}\nend\n");
            assert!(refs(&src).is_empty(), "{table}: {:?}", refs(&src));
        }
    }

    #[test]
    fn the_env_lookup_of_a_feature_enabled_wrapper_is_the_wrapper() {
        let src =
            "def feature_enabled?(feature)\n  ENV[\"GITALY_#{feature.upcase}\"] == '1'\nend\n";
        assert!(refs(src).is_empty(), "{:?}", refs(src));
        let outside = refs("x = ENV[\"GITALY_#{name.upcase}\"] == '1'\n");
        assert_eq!(outside.len(), 1);
        assert_eq!(outside[0].form, Form::Dynamic);
    }

    #[test]
    fn gitaly_ruby_checks_any_receiver_as_ruby_flags() {
        let src = "if repository.feature_enabled?('go-update-hook')\n  a\nend\n";
        let x = extract_in(src.as_bytes(), false, true, &Options::default());
        let flags: Vec<&str> = x.refs.iter().map(|r| r.flag.as_str()).collect();
        assert_eq!(flags, ["ruby_go_update_hook"]);
        // Outside gitaly-ruby a receiver's own feature_enabled? is not Gitaly's.
        assert!(refs(src).is_empty());
        let stub =
            "allow(repository).to receive(:feature_enabled?).with(:fast_mirror).and_return(true)\n";
        let x = extract_in(stub.as_bytes(), true, true, &Options::default());
        assert_eq!(x.refs.len(), 1);
        assert_eq!(x.refs[0].flag, "ruby_fast_mirror");
        assert_eq!(x.refs[0].kind, Kind::TestStub);
    }

    #[test]
    fn syntax_errors_are_flagged() {
        let src = "def x\n  gitaly_migrate(:a) { |e| e }\nend\n\ndef y(a, b\n  [1, 2,\n";
        let out = extract(src.as_bytes(), false, &Options::default());
        assert!(out.syntax_errors);
        assert_eq!(out.refs.len(), 1);
    }

    #[test]
    fn toggle_with_status_and_branches() {
        let r = refs("x ||= gitaly_migrate(:find_commit,\n  status: Gitlab::GitalyClient::MigrationStatus::OPT_OUT) do |on|\n  if on\n    a\n  else\n    b\n  end\nend\n");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].flag, "find_commit");
        assert_eq!(r[0].status, Status::OptOut);
        assert_eq!(r[0].enabled_branch.unwrap().line, 4);
        assert_eq!(r[0].legacy_branch.unwrap().line, 6);
    }

    #[test]
    fn unless_and_negation_swap_the_branches() {
        let r = refs("gitaly_migrate(:a) do |on|\n  unless !on\n    gitaly\n  else\n    legacy\n  end\nend\n");
        assert_eq!(r[0].enabled_branch.unwrap().line, 3);
        let r = refs("gitaly_migrate(:a) do |on|\n  return legacy unless on\n\n  gitaly\nend\n");
        assert_eq!(r[0].legacy_branch.unwrap().line, 2);
        assert_eq!(r[0].enabled_branch.unwrap().line, 4);
    }

    #[test]
    fn comments_strings_and_heredocs_are_not_references() {
        let r = refs("# gitaly_migrate(:a)\nx = \"gitaly_migrate(:b)\"\ny = <<~EOS\n  Gitlab::GitalyClient.migrate(:c)\nEOS\n");
        assert!(r.is_empty(), "{r:?}");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 20_000;
        let src = format!(
            "{}gitaly_migrate(:deep) {{ |e| e }}{}",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let r = refs(&src);
        assert_eq!(r.len(), 1);
    }
}

#[cfg(test)]
mod fact_tests {
    use super::*;
    use crate::frontend::ruby::calls::CallFact;

    #[test]
    fn branch_facts_name_requests_clients_and_locals() {
        let src = "class Repo\n  def root_ref\n    gitaly_migrate(:root_ref) do |is_enabled|\n      if is_enabled\n        gitaly_ref_client.default_branch_name\n      else\n        discover\n      end\n    end\n  end\nend\n";
        let x = extract(src.as_bytes(), false, &Options::default());
        assert_eq!(x.refs.len(), 1);
        assert_eq!(
            x.facts[0],
            vec![CallFact::Via(
                "gitaly_ref_client".into(),
                "default_branch_name".into()
            )]
        );
    }
}
