//! The specs of the legacy path of a Mandatory feature: a `context` /
//! `describe` block tagged `:skip_gitaly_mock` or `:disable_gitaly` (GitLab's
//! spec helper turns Gitaly off for it) whose description names a fixed
//! flag (`'when Gitaly commit_count feature is disabled'`), or names none but
//! says Gitaly is off (`'with gitaly disabled'`, `'without gitaly'`) inside a `describe '#method'` of a method whose
//! toggle the fix removed, only exercises the old path: it is deleted.
//!
//! Then what is left is tidied as the engineers did ([`collapse`]): shared
//! examples run once, by a context (no metadata) that does nothing else,
//! take that context's place (with only those two in a `describe`, it gets
//! their body); a `describe` left with only a `context '… gitaly … enabled'`
//! gets that context's body.
//!
//! Shared examples parameterised by the flag (`shared_examples 'x' do
//! |gitaly_on|`) whose run with `false` was such a block, and whose every
//! remaining run passes `true`, collapse to the enabled case
//! ([`collapse_flag_param`]).
//!
//! Left alone: blocks whose description names a feature still toggled.

use crate::frontend::ruby::{IT_BEHAVES_LIKE, SHARED_EXAMPLES};
use std::collections::HashSet;
use tree_sitter::Node;

/// Metadata tags that run a spec block without Gitaly.
const LEGACY_TAGS: &[&str] = &[":skip_gitaly_mock", ":disable_gitaly"];

/// A block deleted, or shared examples collapsed to the enabled case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedBlock {
    /// 1-based line in the spec as it was read.
    pub line: usize,
    /// Its description (the shared examples' name).
    pub description: String,
    /// Shared examples parameterised by the flag, collapsed (not deleted).
    pub collapsed: bool,
}

impl DeletedBlock {
    /// What happened to it, for the notes (after `'description'`).
    pub fn what(&self) -> &'static str {
        if self.collapsed {
            "collapsed to the enabled case (its parameter was the flag)"
        } else {
            "deleted, a spec of the removed legacy path"
        }
    }
}

/// Whether a spec text may hold such a block.
pub fn may_hold(text: &str) -> bool {
    LEGACY_TAGS.iter().any(|t| text.contains(t))
}

/// The names of the methods that toggled something in `original` and no
/// longer do in `fixed` (Ruby).
pub fn untoggled_methods(original: &str, fixed: &str, toggle_methods: &[String]) -> Vec<String> {
    let (Some(ot), Some(ft)) = (super::ruby::parse(original), super::ruby::parse(fixed)) else {
        return Vec::new();
    };
    let before = super::comments::methods(original, ot.root_node());
    let after = super::comments::methods(fixed, ft.root_node());
    before
        .iter()
        .filter(|(_, s, e)| super::comments::toggles(&original[*s..*e], toggle_methods))
        .filter(|(n, _, _)| {
            after
                .iter()
                .filter(|(m, _, _)| m == n)
                .all(|(_, s, e)| !super::comments::toggles(&fixed[*s..*e], toggle_methods))
        })
        .map(|(n, _, _)| n.clone())
        .collect()
}

/// The string of a call's first argument (`context 'x'`), if it is a plain string.
fn description<'a>(src: &'a str, call: Node) -> Option<&'a str> {
    let args = call.child_by_field_name("arguments")?;
    let mut c = args.walk();
    let first = args.named_children(&mut c).next()?;
    if first.kind() != "string" {
        return None;
    }
    let t = &src[first.byte_range()];
    Some(t.trim_matches(|c| c == '\'' || c == '"'))
}

fn tags(src: &str, call: Node) -> bool {
    let Some(args) = call.child_by_field_name("arguments") else {
        return false;
    };
    let mut c = args.walk();
    let found = args
        .named_children(&mut c)
        .any(|a| a.kind() == "simple_symbol" && LEGACY_TAGS.contains(&&src[a.byte_range()]));
    found
}

fn is_block_call(src: &str, n: Node) -> bool {
    n.kind() == "call"
        && n.child_by_field_name("receiver").is_none()
        && n.child_by_field_name("method")
            .is_some_and(|m| matches!(&src[m.byte_range()], "context" | "describe"))
        && n.child_by_field_name("block")
            .is_some_and(|b| b.kind() == "do_block")
}

/// Whether a description names one of the flags (as a word; `_` or spaces).
fn names_flag(desc: &str, flags: &HashSet<String>) -> bool {
    let d = desc.to_ascii_lowercase();
    flags.iter().any(|f| {
        [f.clone(), f.replace('_', " ")].iter().any(|v| {
            d.match_indices(v.as_str()).any(|(at, _)| {
                let b = d.as_bytes();
                let end = at + v.len();
                (at == 0 || !(b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_'))
                    && (end >= b.len() || !(b[end].is_ascii_alphanumeric() || b[end] == b'_'))
            })
        })
    })
}

/// `with gitaly disabled`, `without gitaly`, `with Gitaly turned off`.
fn says_gitaly_off(lower: &str) -> bool {
    lower.contains("without gitaly")
        || (lower.contains("gitaly")
            && ["disabled", "turned off", "is off"]
                .iter()
                .any(|w| lower.contains(w)))
}

/// The method a `describe '#name'` / `'.name'` is about.
fn described_method(desc: &str) -> Option<&str> {
    let d = desc.trim();
    let name = d.strip_prefix('#').or_else(|| d.strip_prefix('.'))?;
    (!name.is_empty() && !name.contains(' ')).then_some(name)
}

/// Deletes the legacy-only blocks of a spec: `fixed` flags (the features the
/// fix removed), `still` flags still toggled somewhere, `methods` the
/// methods left without toggles. Returns the new text and what went.
pub fn delete_legacy_blocks(
    text: &str,
    fixed: &HashSet<String>,
    still: &HashSet<String>,
    methods: &HashSet<String>,
) -> (String, Vec<DeletedBlock>) {
    if !may_hold(text) {
        return (text.to_string(), Vec::new());
    }
    let Some(tree) = super::ruby::parse(text) else {
        return (text.to_string(), Vec::new());
    };
    if tree.root_node().has_error() {
        return (text.to_string(), Vec::new());
    }
    let mut ranges = Vec::new();
    let mut parents: Vec<usize> = Vec::new();
    let mut gone = Vec::new();
    // The shared examples a deleted block ran with a literal `false`.
    let mut legacy_runs: HashSet<String> = HashSet::new();
    let mut stack = vec![(tree.root_node(), None::<String>)];
    while let Some((n, about)) = stack.pop() {
        let mut about = about;
        if is_block_call(text, n) {
            let desc = description(text, n).unwrap_or("");
            if tags(text, n) {
                let lower = desc.to_ascii_lowercase();
                let by_flag = names_flag(desc, fixed) && !names_flag(desc, still);
                let generic = !names_flag(desc, still)
                    && says_gitaly_off(&lower)
                    && about.as_ref().is_some_and(|m| methods.contains(m));
                if by_flag || generic {
                    legacy_runs.extend(false_runs(text, n));
                    ranges.push((n.start_byte(), n.end_byte()));
                    let mut p = n.parent();
                    while let Some(x) = p {
                        if is_block_call(text, x) {
                            parents.push(x.start_byte());
                            break;
                        }
                        p = x.parent();
                    }
                    gone.push(DeletedBlock {
                        line: n.start_position().row + 1,
                        description: desc.to_string(),
                        collapsed: false,
                    });
                    continue;
                }
            }
            if let Some(m) = described_method(desc) {
                about = Some(m.to_string());
            }
        }
        let mut c = n.walk();
        for child in n.named_children(&mut c) {
            stack.push((child, about.clone()));
        }
    }
    if ranges.is_empty() {
        return (text.to_string(), Vec::new());
    }
    // The blocks that held the deleted ones, where they start once those went.
    let edits = super::dead::deletions(text, ranges);
    let shift = |at: usize| -> usize {
        at - edits
            .iter()
            .filter(|e| e.end <= at)
            .map(|e| e.end - e.start)
            .sum::<usize>()
    };
    let scopes: Vec<usize> = parents.iter().map(|&p| shift(p)).collect();
    let mut out = collapse(&super::apply_edits(text, edits), scopes);
    if !legacy_runs.is_empty() {
        if let Some((enabled, scopes, names)) = collapse_flag_param(&out, &legacy_runs) {
            out = collapse(&enabled, scopes);
            // Where they stood in the spec as it was read.
            for name in names {
                let at = all_nodes(tree.root_node()).into_iter().find(|&n| {
                    n.kind() == "call"
                        && SHARED_EXAMPLES.contains(&method_of(text, n))
                        && description(text, n) == Some(name.as_str())
                });
                if let Some(n) = at {
                    gone.push(DeletedBlock {
                        line: n.start_position().row + 1,
                        description: name,
                        collapsed: true,
                    });
                }
            }
        }
    }
    if super::ruby::parse(&out).is_none_or(|t| t.root_node().has_error()) {
        return (text.to_string(), Vec::new());
    }
    gone.sort_by_key(|g| g.line);
    (out, gone)
}

/// Deletes the spec's own `describe '#name'` / `'.name'` blocks of the
/// methods `names` (ones the fix left unused but for their specs) where every
/// mention of the method in the spec stands inside such a block: the tests of
/// a method that goes. Returns the new text, what went, and the names whose
/// mentions all went.
pub fn delete_own_blocks(
    text: &str,
    names: &HashSet<String>,
) -> (String, Vec<DeletedBlock>, HashSet<String>) {
    let unchanged = || (text.to_string(), Vec::new(), HashSet::new());
    let mentioned: Vec<&String> = names
        .iter()
        .filter(|n| super::dead::occurrences(text, n).next().is_some())
        .collect();
    if mentioned.is_empty() {
        return unchanged();
    }
    let Some(tree) = super::ruby::parse(text) else {
        return unchanged();
    };
    if tree.root_node().has_error() {
        return unchanged();
    }
    // The outermost `describe '#name'` blocks, per name.
    let mut blocks: Vec<(&str, Node)> = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(n) = stack.pop() {
        if is_block_call(text, n) {
            if let Some(m) = description(text, n).and_then(described_method) {
                if let Some(name) = mentioned.iter().find(|x| x.as_str() == m) {
                    blocks.push((name.as_str(), n));
                    continue;
                }
            }
        }
        let mut c = n.walk();
        stack.extend(n.named_children(&mut c));
    }
    let mut ranges = Vec::new();
    let mut gone = Vec::new();
    let mut whole = HashSet::new();
    for name in mentioned {
        let mine: Vec<Node> = blocks
            .iter()
            .filter(|(b, _)| *b == name.as_str())
            .map(|(_, n)| *n)
            .collect();
        let covered = super::dead::occurrences(text, name).all(|at| {
            mine.iter()
                .any(|n| n.start_byte() <= at && at < n.end_byte())
        });
        if mine.is_empty() || !covered {
            continue;
        }
        whole.insert(name.clone());
        for n in mine {
            ranges.push((n.start_byte(), n.end_byte()));
            gone.push(DeletedBlock {
                line: n.start_position().row + 1,
                description: description(text, n).unwrap_or("").to_string(),
                collapsed: false,
            });
        }
    }
    if ranges.is_empty() {
        return unchanged();
    }
    let out = super::apply_edits(text, super::dead::deletions(text, ranges));
    if super::ruby::parse(&out).is_none_or(|t| t.root_node().has_error()) {
        return unchanged();
    }
    gone.sort_by_key(|g| g.line);
    (out, gone, whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(v: &[&str]) -> HashSet<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_disabled_context_of_a_fixed_flag_goes() {
        let text = "describe Repo do\n  describe '#commit_count' do\n    context 'when Gitaly commit_count feature is enabled' do\n      it { is_expected.to eq(1) }\n    end\n\n    context 'when Gitaly commit_count feature is disabled', :skip_gitaly_mock do\n      it { is_expected.to eq(1) }\n    end\n  end\n\n  describe '#size' do\n    context 'with gitaly disabled', :disable_gitaly do\n      it { is_expected.to eq(2) }\n    end\n  end\n\n  describe '#other' do\n    context 'with gitaly disabled', :disable_gitaly do\n      it { is_expected.to eq(3) }\n    end\n  end\nend\n";
        let (out, gone) =
            delete_legacy_blocks(text, &set(&["commit_count"]), &set(&[]), &set(&["size"]));
        assert_eq!(
            out,
            "describe Repo do\n  describe '#commit_count' do\n    it { is_expected.to eq(1) }\n  end\n\n  describe '#other' do\n    context 'with gitaly disabled', :disable_gitaly do\n      it { is_expected.to eq(3) }\n    end\n  end\nend\n"
        );
        assert_eq!(gone.len(), 2);
        assert_eq!(gone[0].line, 7);
    }

    #[test]
    fn a_methods_own_describe_goes_only_when_it_holds_every_mention() {
        let text = "describe Repo do\n  describe '#rugged_walk' do\n    it { expect(repo.rugged_walk).to eq([]) }\n  end\n\n  describe '#size' do\n    it { expect(repo.size).to eq(1) }\n  end\nend\n";
        let (out, gone, whole) = delete_own_blocks(text, &set(&["rugged_walk", "absent"]));
        assert_eq!(
            out,
            "describe Repo do\n  describe '#size' do\n    it { expect(repo.size).to eq(1) }\n  end\nend\n"
        );
        assert_eq!(gone.len(), 1, "{gone:?}");
        assert_eq!(
            (gone[0].line, gone[0].description.as_str()),
            (2, "#rugged_walk")
        );
        assert_eq!(whole, set(&["rugged_walk"]));
        // Named outside its own block too: left.
        let other = text.replace("repo.size)", "repo.rugged_walk.size)");
        let (out, _, whole) = delete_own_blocks(&other, &set(&["rugged_walk"]));
        assert_eq!(out, other);
        assert!(whole.is_empty());
    }

    const PARAMETERISED: &str = "describe Shell do
  shared_examples 'pulling' do |gitaly_on|
    def pull(prune = true)
      shell.pull(repo, 'origin', prune: prune)
    end

    # Stubs the local command.
    def expect_local(fail)
      expect(projects).to receive(:pull).and_return(!fail)
    end

    def expect_rpc(fail)
      expect_any_instance_of(RemoteService).to receive(:pull)
    end

    if gitaly_on
      def expect_call(fail)
        expect_rpc(fail)
      end
    else
      def expect_call(fail)
        expect_local(fail)
      end
    end

    it 'pulls' do
      stub_projects unless gitaly_on
      expect_call(false)

      expect(pull).to be_truthy
      expect(calls).to eq(gitaly_on ? 1 : 2)
      expect(log).to be_empty if gitaly_on
    end
  end

  describe '#pull local', :skip_gitaly_mock do
    it_should_behave_like 'pulling', false
  end

  describe '#pull gitaly' do
    it_should_behave_like 'pulling', true
  end
end
";

    #[test]
    fn shared_examples_parameterised_by_the_flag_collapse_to_the_enabled_case() {
        let (out, gone) =
            delete_legacy_blocks(PARAMETERISED, &set(&["pull"]), &set(&[]), &set(&[]));
        assert_eq!(
            gone.iter()
                .map(|g| (g.line, g.description.as_str(), g.collapsed))
                .collect::<Vec<_>>(),
            [(2, "pulling", true), (36, "#pull local", false)]
        );
        assert_eq!(
            out,
            "describe Shell do
  def pull(prune = true)
    shell.pull(repo, 'origin', prune: prune)
  end

  def expect_rpc(fail)
    expect_any_instance_of(RemoteService).to receive(:pull)
  end

  def expect_call(fail)
    expect_rpc(fail)
  end

  it 'pulls' do
    expect_call(false)

    expect(pull).to be_truthy
    expect(calls).to eq(1)
    expect(log).to be_empty
  end
end
"
        );
    }

    #[test]
    fn parameterised_examples_stay_when_the_parameter_is_used_otherwise_or_a_run_is_left() {
        // The parameter passed on: not a plain test of it.
        let passed = PARAMETERISED.replace(
            "      expect_call(false)\n",
            "      expect_call(false)\n      helper(gitaly_on)\n",
        );
        let (out, gone) = delete_legacy_blocks(&passed, &set(&["pull"]), &set(&[]), &set(&[]));
        assert_eq!(gone.len(), 1);
        assert!(
            out.contains("shared_examples 'pulling' do |gitaly_on|"),
            "{out}"
        );
        assert!(
            out.contains("it_should_behave_like 'pulling', true"),
            "{out}"
        );
        // A run with `false` left (another flag's block): stays.
        let other = PARAMETERISED.replace(
            "  describe '#pull gitaly' do\n",
            "  describe '#push local', :skip_gitaly_mock do\n    it_should_behave_like 'pulling', false\n  end\n\n  describe '#pull gitaly' do\n",
        );
        let (out, _) = delete_legacy_blocks(&other, &set(&["pull"]), &set(&["push"]), &set(&[]));
        assert!(out.contains("if gitaly_on"), "{out}");
        assert!(out.contains("'pulling', false"), "{out}");
    }

    #[test]
    fn any_line_removed_or_doubled_never_panics_and_leaves_valid_ruby() {
        let lines: Vec<&str> = PARAMETERISED.split_inclusive('\n').collect();
        for i in 0..lines.len() {
            for doubled in [false, true] {
                let mut v = lines.clone();
                if doubled {
                    v.insert(i, lines[i]);
                } else {
                    v.remove(i);
                }
                let text = v.concat();
                let (out, _) = delete_legacy_blocks(&text, &set(&["pull"]), &set(&[]), &set(&[]));
                let ok = |t: &str| {
                    super::super::ruby::parse(t).is_some_and(|t| !t.root_node().has_error())
                };
                if ok(&text) {
                    assert!(ok(&out), "line {i} doubled {doubled}:\n{out}");
                }
            }
        }
    }

    #[test]
    fn a_block_naming_a_flag_still_toggled_stays() {
        let text = "context 'when find_commit and commit_count are disabled', :skip_gitaly_mock do\n  it { 1 }\nend\n";
        let (out, gone) = delete_legacy_blocks(
            text,
            &set(&["commit_count"]),
            &set(&["find_commit"]),
            &set(&[]),
        );
        assert_eq!(out, text);
        assert!(gone.is_empty());
    }
}

/// `it_behaves_like 'name', …` (or another way to run shared examples):
/// the name and the other arguments.
fn run_of<'a>(src: &str, n: Node<'a>) -> Option<(String, Vec<Node<'a>>)> {
    if n.kind() != "call"
        || n.child_by_field_name("receiver").is_some()
        || !IT_BEHAVES_LIKE.contains(&method_of(src, n))
    {
        return None;
    }
    let name = description(src, n)?.to_string();
    let args = n.child_by_field_name("arguments")?;
    let mut c = args.walk();
    let rest: Vec<Node> = args.named_children(&mut c).skip(1).collect();
    Some((name, rest))
}

/// The shared examples run under `n` with a literal `false` argument
/// (`it_should_behave_like 'fetch_remote', false`).
fn false_runs(src: &str, n: Node) -> Vec<String> {
    all_nodes(n)
        .into_iter()
        .filter_map(|x| run_of(src, x))
        .filter(|(_, rest)| rest.iter().any(|a| a.kind() == "false"))
        .map(|(name, _)| name)
        .collect()
}

/// How often `name` stands in the text as a string (`'name'`, `"name"`),
/// other than as the description of a `describe` / `context` / `it`
/// (`describe '#create_repository'` beside `shared_examples
/// '#create_repository'`).
fn quoted(text: &str, nodes: &[Node], name: &str) -> usize {
    nodes
        .iter()
        .filter(|n| {
            n.kind() == "string"
                && text[n.byte_range()].get(1..n.byte_range().len().saturating_sub(1)) == Some(name)
        })
        .filter(|n| {
            let call = n.parent().and_then(|a| a.parent());
            let described = call.is_some_and(|c| {
                c.kind() == "call"
                    && c.child_by_field_name("receiver").is_none()
                    && matches!(method_of(text, c), "describe" | "context" | "it")
                    && c.child_by_field_name("arguments")
                        .and_then(|a| a.named_child(0))
                        == Some(**n)
            });
            !described
        })
        .count()
}

/// Every named node of the tree, in document order.
fn all_nodes(root: Node) -> Vec<Node> {
    let mut out = Vec::new();
    crate::frontend::walk_tree(root, |n, _| {
        if n.is_named() {
            out.push(n);
        }
        true
    });
    out
}

/// The text of a branch (`then` / `else` node) re-indented to `indent`, or
/// `None` when it holds nothing but comments.
fn branch_text(src: &str, branch: Node, indent: &str) -> Option<String> {
    let mut c = branch.walk();
    let kids: Vec<Node> = branch.named_children(&mut c).collect();
    if kids.iter().all(|k| k.kind() == "comment") {
        return None;
    }
    let (first, last) = (kids.first()?, kids.last()?);
    Some(super::edit::reindent(
        src,
        first.start_byte(),
        last.end_byte(),
        indent,
    ))
}

/// What goes with a statement deleted: the `before` / `after` / `around`
/// hook it is the only statement of (no empty `before do end` is left), or
/// the statement alone.
fn emptied_hook<'a>(src: &str, stmt: Node<'a>) -> Node<'a> {
    let hook = stmt
        .parent()
        .filter(|b| b.kind() == "body_statement")
        .filter(|b| {
            let mut c = b.walk();
            let n = b
                .named_children(&mut c)
                .filter(|k| k.kind() != "comment")
                .count();
            n == 1
        })
        .and_then(|b| b.parent())
        .filter(|d| d.kind() == "do_block")
        .and_then(|d| d.parent())
        .filter(|call| {
            call.kind() == "call"
                && call.child_by_field_name("receiver").is_none()
                && matches!(method_of(src, *call), "before" | "after" | "around")
        });
    hook.unwrap_or(stmt)
}

/// Shared examples parameterised by the flag (`shared_examples 'x' do
/// |gitaly_on|`), whose legacy run (`it_behaves_like 'x', false` in a block
/// just deleted) went and whose every remaining run passes `true`, collapse
/// to the enabled case: each `if`/`unless`/modifier/ternary on the
/// parameter keeps its enabled branch, the parameter and the `true`
/// arguments go, and so do the spec's own helper methods (`def` in the
/// examples) that only the removed branches called. Any other use of the
/// parameter leaves the examples as they are. Returns the new text and the
/// blocks holding the collapsed examples (for [`collapse`]) and their names.
fn collapse_flag_param(
    text: &str,
    legacy: &HashSet<String>,
) -> Option<(String, Vec<usize>, Vec<String>)> {
    let tree = super::ruby::parse(text)?;
    if tree.root_node().has_error() {
        return None;
    }
    let nodes = all_nodes(tree.root_node());
    let mut edits: Vec<super::Edit> = Vec::new();
    let mut done: Vec<String> = Vec::new();
    'shared: for &shared in &nodes {
        if shared.kind() != "call"
            || shared.child_by_field_name("receiver").is_some()
            || !SHARED_EXAMPLES.contains(&method_of(text, shared))
        {
            continue;
        }
        let Some(name) = description(text, shared) else {
            continue;
        };
        if !legacy.contains(name) {
            continue;
        }
        let Some(block) = shared.child_by_field_name("block") else {
            continue;
        };
        let Some(params) = block.child_by_field_name("parameters") else {
            continue;
        };
        let mut c = params.walk();
        let ps: Vec<Node> = params.named_children(&mut c).collect();
        let [p] = ps.as_slice() else {
            continue;
        };
        if p.kind() != "identifier" {
            continue;
        }
        let param = &text[p.byte_range()];
        // Every run passes exactly `true`; the name is used nowhere else.
        let runs: Vec<Vec<Node>> = nodes
            .iter()
            .filter_map(|&n| run_of(text, n))
            .filter(|(n, _)| n == name)
            .map(|(_, rest)| rest)
            .collect();
        if runs.is_empty()
            || runs.iter().any(|r| r.len() != 1 || r[0].kind() != "true")
            || quoted(text, &nodes, name) != runs.len() + 1
        {
            continue;
        }
        let mut mine: Vec<super::Edit> = Vec::new();
        // The parameter's uses, each a test of it.
        let mut removed: Vec<(usize, usize)> = Vec::new();
        for n in all_nodes(block) {
            if n.kind() != "identifier" || &text[n.byte_range()] != param || n == *p {
                continue;
            }
            let Some(parent) = n.parent() else {
                continue 'shared;
            };
            let is_cond = parent.child_by_field_name("condition") == Some(n);
            let indent = super::edit::line_indent(text, parent.start_byte());
            let statement = parent.parent().is_some_and(|g| {
                matches!(
                    g.kind(),
                    "body_statement" | "then" | "else" | "do_block" | "begin"
                )
            });
            let (edit, gone) = match parent.kind() {
                "if" | "unless" if is_cond && statement => {
                    let then = parent.child_by_field_name("consequence");
                    let other = parent.child_by_field_name("alternative");
                    if other.is_some_and(|o| o.kind() != "else") {
                        continue 'shared;
                    }
                    let (keep, drop) = if parent.kind() == "if" {
                        (then, other)
                    } else {
                        (other, then)
                    };
                    match keep.and_then(|k| branch_text(text, k, indent)) {
                        Some(kept) => (
                            super::Edit::new(parent.start_byte(), parent.end_byte(), kept),
                            drop.map(|d| (d.start_byte(), d.end_byte())),
                        ),
                        None => {
                            let gone = emptied_hook(text, parent);
                            (
                                super::Edit::new(gone.start_byte(), gone.end_byte(), String::new()),
                                Some((gone.start_byte(), gone.end_byte())),
                            )
                        }
                    }
                }
                "if_modifier" if is_cond => {
                    let Some(body) = parent.child_by_field_name("body") else {
                        continue 'shared;
                    };
                    (
                        super::Edit::new(
                            parent.start_byte(),
                            parent.end_byte(),
                            text[body.byte_range()].to_string(),
                        ),
                        None,
                    )
                }
                "unless_modifier" if is_cond && statement => {
                    let gone = emptied_hook(text, parent);
                    (
                        super::Edit::new(gone.start_byte(), gone.end_byte(), String::new()),
                        Some((gone.start_byte(), gone.end_byte())),
                    )
                }
                "conditional" if is_cond => {
                    let Some(then) = parent.child_by_field_name("consequence") else {
                        continue 'shared;
                    };
                    let other = parent.child_by_field_name("alternative");
                    (
                        super::Edit::new(
                            parent.start_byte(),
                            parent.end_byte(),
                            text[then.byte_range()].to_string(),
                        ),
                        other.map(|o| (o.start_byte(), o.end_byte())),
                    )
                }
                _ => continue 'shared,
            };
            mine.push(edit);
            removed.extend(gone);
        }
        mine.sort_by_key(|e| e.start);
        if mine.windows(2).any(|w| w[1].start < w[0].end) {
            continue;
        }
        // The parameter (` |gitaly_on|`) and the runs' `, true`.
        let from = if text[..params.start_byte()].ends_with(' ') {
            params.start_byte() - 1
        } else {
            params.start_byte()
        };
        mine.push(super::Edit::new(from, params.end_byte(), String::new()));
        for &n in &nodes {
            let Some((run, rest)) = run_of(text, n) else {
                continue;
            };
            let first = n
                .child_by_field_name("arguments")
                .and_then(|a| a.named_child(0));
            if let (true, Some(first), Some(flag)) = (run == name, first, rest.first()) {
                mine.push(super::Edit::new(
                    first.end_byte(),
                    flag.end_byte(),
                    String::new(),
                ));
            }
        }
        // The examples' own helpers that only the removed branches named.
        if let Some((_, stmts)) = block_statements(shared) {
            for d in stmts.iter().filter(|d| d.kind() == "method") {
                let Some(dn) = d.child_by_field_name("name") else {
                    continue;
                };
                let dname = &text[dn.byte_range()];
                let outside: Vec<usize> = super::dead::occurrences(text, dname)
                    .filter(|&at| at < d.start_byte() || at >= d.end_byte())
                    .collect();
                let in_removed = |at: usize| removed.iter().any(|&(s, e)| s <= at && at < e);
                if !outside.is_empty() && outside.iter().all(|&at| in_removed(at)) {
                    mine.extend(super::dead::deletions(
                        text,
                        vec![(d.start_byte(), d.end_byte())],
                    ));
                }
            }
        }
        edits.extend(mine);
        done.push(name.to_string());
    }
    // All of them or none: half an examples' edits (its `true` gone, its
    // parameter kept) would run the legacy case.
    edits.sort_by_key(|e| (e.start, e.end));
    if edits.is_empty() || edits.windows(2).any(|w| w[1].start < w[0].end) {
        return None;
    }
    let out = super::apply_edits(text, edits);
    let tree = super::ruby::parse(&out)?;
    if tree.root_node().has_error() {
        return None;
    }
    // The blocks holding the collapsed examples, where they are now.
    let scopes = all_nodes(tree.root_node())
        .into_iter()
        .filter(|&n| {
            n.kind() == "call"
                && SHARED_EXAMPLES.contains(&method_of(&out, n))
                && description(&out, n).is_some_and(|d| done.iter().any(|x| x == d))
        })
        .filter_map(|n| {
            let mut p = n.parent();
            while let Some(x) = p {
                if is_block_call(&out, x) {
                    return Some(x.start_byte());
                }
                p = x.parent();
            }
            None
        })
        .collect();
    Some((out, scopes, done))
}

/// The statements of a `do … end` block's body (comments aside).
fn block_statements(call: Node) -> Option<(Node, Vec<Node>)> {
    let block = call.child_by_field_name("block")?;
    if block.kind() != "do_block" {
        return None;
    }
    let mut c = block.walk();
    let found = block
        .named_children(&mut c)
        .find(|n| n.kind() == "body_statement");
    let Some(body) = found else {
        // `do end`: nothing in it.
        return Some((block, Vec::new()));
    };
    let mut c = body.walk();
    let stmts: Vec<Node> = body
        .named_children(&mut c)
        .filter(|n| n.kind() != "comment")
        .collect();
    Some((body, stmts))
}

fn method_of<'a>(src: &'a str, call: Node) -> &'a str {
    call.child_by_field_name("method")
        .map_or("", |m| &src[m.byte_range()])
}

/// `it_behaves_like 'name'` (or `include_examples`) and nothing else: the name.
fn only_includes<'a>(src: &'a str, call: Node) -> Option<&'a str> {
    let (_, stmts) = block_statements(call)?;
    let [one] = stmts.as_slice() else {
        return None;
    };
    if one.kind() != "call" || !IT_BEHAVES_LIKE.contains(&method_of(src, *one)) {
        return None;
    }
    let args = one.child_by_field_name("arguments")?;
    if args.named_child_count() != 1 || one.child_by_field_name("block").is_some() {
        return None;
    }
    description(src, *one)
}

/// After the legacy blocks went, what the engineers did with what is left:
/// shared examples run once, by a context (no metadata) that only runs them,
/// take that context's place (a `describe` holding only those two gets the
/// examples' body); a `describe` holding only a `context '… enabled'` gets
/// that context's body.
/// Only the blocks starting at `scopes` (byte offsets) are collapsed; one
/// left empty goes.
pub fn collapse(text: &str, mut scopes: Vec<usize>) -> String {
    let mut text = text.to_string();
    scopes.sort_unstable();
    scopes.dedup();
    // From the last: a change never moves the blocks before it.
    for &at in scopes.iter().rev() {
        for _ in 0..4 {
            let Some(next) = collapse_once(&text, at) else {
                break;
            };
            text = next;
        }
    }
    text
}

fn collapse_once(text: &str, at: usize) -> Option<String> {
    let tree = super::ruby::parse(text)?;
    if tree.root_node().has_error() {
        return None;
    }
    let n = tree
        .root_node()
        .descendant_for_byte_range(at, at)
        .and_then(|mut n| loop {
            if n.start_byte() == at && is_block_call(text, n) {
                return Some(n);
            }
            n = n.parent()?;
        })?;
    {
        let (_, stmts) = block_statements(n)?;
        if stmts.is_empty() {
            let out = super::apply_edits(
                text,
                super::dead::deletions(text, vec![(n.start_byte(), n.end_byte())]),
            );
            return super::ruby::parse(&out)
                .is_some_and(|t| !t.root_node().has_error())
                .then_some(out);
        }
        // The body that replaces the block's statements.
        let inner = match stmts.as_slice() {
            [_, _, ..] => {
                // Shared examples run once, by a context that does nothing
                // else (no metadata either): their body takes their place
                // and the context goes (with only those two, their body is
                // the block's).
                let nodes = std::cell::OnceCell::new();
                let (shared, user) = stmts.iter().find_map(|&s| {
                    let name = description(text, s)?;
                    let plain = SHARED_EXAMPLES.contains(&method_of(text, s))
                        && s.child_by_field_name("block")
                            .is_some_and(|b| b.child_by_field_name("parameters").is_none());
                    if !plain {
                        return None;
                    }
                    let user = stmts.iter().copied().find(|&u| {
                        is_block_call(text, u)
                            && only_includes(text, u) == Some(name)
                            && u.child_by_field_name("arguments")
                                .is_some_and(|a| a.named_child_count() == 1)
                    })?;
                    // Run nowhere else (the tree walked once, and only here).
                    let everywhere = nodes.get_or_init(|| all_nodes(tree.root_node()));
                    (quoted(text, everywhere, name) == 2).then_some((s, user))
                })?;
                if stmts.len() > 2 {
                    let (body, inner) = block_statements(shared)?;
                    if inner.is_empty() {
                        return None;
                    }
                    let indent = super::edit::line_indent(text, shared.start_byte());
                    let moved =
                        super::edit::reindent(text, body.start_byte(), body.end_byte(), indent);
                    let mut edits =
                        super::dead::deletions(text, vec![(user.start_byte(), user.end_byte())]);
                    edits.push(super::Edit::new(
                        shared.start_byte(),
                        shared.end_byte(),
                        moved,
                    ));
                    let out = super::apply_edits(text, edits);
                    return super::ruby::parse(&out)
                        .is_some_and(|t| !t.root_node().has_error())
                        .then_some(out);
                }
                shared
            }
            [only] => {
                let desc = is_block_call(text, *only)
                    .then(|| description(text, *only))
                    .flatten()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                if !(desc.contains("enabled") && desc.contains("gitaly")) || tags(text, *only) {
                    return None;
                }
                *only
            }
            _ => return None,
        };
        let (body, inner_stmts) = block_statements(inner)?;
        if inner_stmts.is_empty() {
            return None;
        }
        let first = stmts.iter().map(|s| s.start_byte()).min()?;
        let last = stmts.iter().map(|s| s.end_byte()).max()?;
        let indent = super::edit::line_indent(text, first).to_string();
        let moved = super::edit::reindent(text, body.start_byte(), body.end_byte(), &indent);
        let out = super::apply_edits(text, vec![super::Edit::new(first, last, moved)]);
        super::ruby::parse(&out)
            .is_some_and(|t| !t.root_node().has_error())
            .then_some(out)
    }
}

#[cfg(test)]
mod collapse_tests {
    use super::*;

    #[test]
    fn shared_examples_run_by_one_context_collapse_into_the_describe() {
        let text = "describe '#m' do\n  shared_examples 'counting' do\n    it { expect(a).to eq(1) }\n\n    it { expect(b).to eq(2) }\n  end\n\n  context 'when Gitaly m is enabled' do\n    it_behaves_like 'counting'\n  end\nend\n";
        assert_eq!(
            collapse(text, vec![0]),
            "describe '#m' do\n  it { expect(a).to eq(1) }\n\n  it { expect(b).to eq(2) }\nend\n"
        );
    }

    #[test]
    fn shared_examples_run_by_one_bare_context_take_its_place_beside_other_blocks() {
        let text = "describe '#perform' do\n  shared_examples 'collecting' do\n    context 'with a lease' do\n      it { expect(gc).to be_truthy }\n    end\n  end\n\n  context 'with Gitaly turned on' do\n    it_should_behave_like 'collecting'\n  end\n\n  context 'repacking' do\n    it { expect(repack).to be_truthy }\n  end\nend\n";
        assert_eq!(
            collapse(text, vec![0]),
            "describe '#perform' do\n  context 'with a lease' do\n    it { expect(gc).to be_truthy }\n  end\n\n  context 'repacking' do\n    it { expect(repack).to be_truthy }\n  end\nend\n"
        );
        // A context with metadata, or doing more than running them: left.
        let tagged = text.replace(
            "'with Gitaly turned on' do",
            "'with Gitaly turned on', :slow do",
        );
        assert_eq!(collapse(&tagged, vec![0]), tagged);
        let more = text.replace(
            "    it_should_behave_like 'collecting'\n",
            "    it_should_behave_like 'collecting'\n    it { expect(log).to be_empty }\n",
        );
        assert_eq!(collapse(&more, vec![0]), more);
    }

    #[test]
    fn a_lone_enabled_context_is_unwrapped_and_others_stay() {
        let text = "describe '#m' do\n  context 'with gitaly enabled' do\n    it { 1 }\n  end\nend\n\ndescribe '#n' do\n  context 'with a ref' do\n    it { 2 }\n  end\nend\n";
        let n = text.find("describe '#n'").unwrap();
        assert_eq!(collapse(text, vec![n]), text, "only the scopes given");
        assert_eq!(
            collapse(text, vec![0, n]),
            "describe '#m' do\n  it { 1 }\nend\n\ndescribe '#n' do\n  context 'with a ref' do\n    it { 2 }\n  end\nend\n"
        );
        // Shared examples used elsewhere too stay.
        let used = "describe '#m' do\n  shared_examples 'x' do\n    it { 1 }\n  end\n\n  context 'on' do\n    it_behaves_like 'x'\n  end\nend\n\nit_behaves_like 'x'\n";
        assert_eq!(collapse(used, vec![0]), used);
    }
}
