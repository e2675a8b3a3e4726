//! The Mandatory stage: the cleanup checklist and the automatic fix.
//!
//! [`plan`] works out, file by file, the edits that remove the toggles of the
//! selected features and keep their Gitaly path: Ruby toggles and checks
//! ([`ruby`]), Workhorse's Gitaly-server branches ([`go`]), and configuration
//! entries ([`config`]). Each file is edited to a fixpoint (a toggle nested in
//! another is fixed once the outer one is gone), re-parsed, and abandoned with
//! a reason if the result does not parse; the migration-link comments of a
//! method left without toggles go ([`comments`]), and a kept call of a
//! single-use private helper is replaced by its body ([`inline`]). When the
//! plan is applied, the legacy-path spec blocks go ([`specs`], unless
//! `--no-specs`), then the legacy path left dead, tree-wide ([`dead`], unless
//! `--keep-dead`), with the specs' own `describe '#name'` blocks of a method
//! only they still name ([`delete_own_specs`]). [`checklist`] turns the references and the plan into a
//! Markdown to-do list.

pub mod checklist;
pub mod comments;
pub mod config;
pub mod dead;
pub mod edit;
pub mod error;
pub mod go;
pub mod inline;
pub mod ruby;
pub mod specs;

pub use edit::{apply_edits, Edit, Round};
pub use error::FixError;

use crate::config::{Config, Stage};
use crate::frontend::{FrontendOptions, Shape};
use crate::model::{CallForm, Kind, Language, Reference, Status};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// What a toggle method does around `GitalyClient.migrate`, kept by the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wrapper {
    None,
    /// `wrapped_gitaly_errors do … end`: the head of the call.
    Block(String),
    /// `rescue` clauses of the method body.
    Rescue(Vec<String>),
    /// `rescue` clauses of the method body that a method of its class (the
    /// helper `name`, which only runs its block) has too: the kept code is
    /// wrapped in `helper do … end`, with the site's receiver; `public`: it
    /// may be called with one (else those sites inline the clauses).
    Helper {
        name: String,
        public: bool,
        clauses: Vec<String>,
    },
}

impl Wrapper {
    /// The wrapper at a site whose toggle call has `receiver` (`repo.`,
    /// `@repository.`, with its operator) and is an argument without
    /// parentheses (`bare_argument`, where `do … end` would bind to the outer
    /// call): a helper becomes a `helper do … end` block (returned with the
    /// helper's name), or its clauses when it cannot be called from there.
    fn at_site(&self, receiver: Option<&str>, bare_argument: bool) -> (Wrapper, Option<String>) {
        let Wrapper::Helper {
            name,
            public,
            clauses,
        } = self
        else {
            return (self.clone(), None);
        };
        let callable = match receiver {
            None => true,
            Some(r) => *public && !r.contains('\n'),
        };
        if !callable || bare_argument {
            return (Wrapper::Rescue(clauses.clone()), None);
        }
        let head = format!("{}{name}", receiver.unwrap_or(""));
        (Wrapper::Block(head), Some(name.clone()))
    }
}

/// Which features to clean up.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Names (and aliases) given with `--feature`: exactly these.
    pub explicit: Vec<String>,
}

impl Selection {
    /// Whether the reference belongs to a selected feature: named explicitly,
    /// or (without `--feature`) Mandatory in the registry or in the code.
    pub fn includes(&self, r: &Reference, config: &Config) -> bool {
        if !r.is_named() {
            return false;
        }
        let feature = config.feature(&r.flag);
        if !self.explicit.is_empty() {
            return self.explicit.iter().any(|n| {
                n == &r.flag || feature.is_some_and(|f| &f.name == n || f.aliases.contains(n))
            });
        }
        feature.is_some_and(|f| f.stage == Stage::Mandatory) || r.status == Status::Mandatory
    }

    /// The names of the selected features among the references.
    pub fn flags(&self, refs: &[Reference], config: &Config) -> HashSet<String> {
        refs.iter()
            .filter(|r| self.includes(r, config))
            .map(|r| r.flag.clone())
            .collect()
    }
}

/// What became of one reference.
#[derive(Debug, Clone)]
pub enum Outcome {
    Fixed,
    /// Left for a person, with the reason.
    Left(FixError),
}

/// The plan for one file.
#[derive(Debug, Clone)]
pub struct FilePlan {
    pub path: PathBuf,
    /// `component:path` for messages and the diff header.
    pub shown: String,
    pub original: String,
    pub fixed: String,
    /// Why the whole file was abandoned, if it was.
    pub abandoned: Option<FixError>,
    /// Methods the fix made unused and left in place, with why (Ruby).
    pub dead: Vec<dead::Unused>,
    /// Definitions deleted as dead (Ruby).
    pub deleted: Vec<dead::Deleted>,
    /// The error helpers the kept code is wrapped in (Ruby), sorted.
    pub helpers: Vec<String>,
    /// The single-use private helpers inlined at their call (Ruby).
    pub inlined: Vec<inline::Inlined>,
    /// The legacy-path spec blocks deleted (a spec).
    pub specs: Vec<specs::DeletedBlock>,
}

impl FilePlan {
    /// A Ruby file (what the dead-code sweep reads).
    pub fn path_is_ruby(&self) -> bool {
        self.path
            .file_name()
            .is_some_and(|n| dead::names_methods(&n.to_string_lossy()))
    }
}

/// The fix of a whole run.
#[derive(Debug, Default, Clone)]
pub struct Plan {
    pub files: Vec<FilePlan>,
    /// Per reference (by file and start byte): what the fix does with it.
    pub outcomes: BTreeMap<(PathBuf, usize), Outcome>,
    /// Per fixed reference (by file and start byte): the Gitaly code its
    /// edit keeps, in the original.
    pub kept: BTreeMap<(PathBuf, usize), crate::model::Span>,
}

impl Plan {
    pub fn outcome(&self, r: &Reference) -> Option<&Outcome> {
        self.outcomes
            .get(&(r.location.abs_path.clone(), r.location.span.start_byte))
    }

    /// The Gitaly code the fix of `r` keeps (what the checklist says to keep).
    pub fn kept(&self, r: &Reference) -> Option<crate::model::Span> {
        self.kept
            .get(&(r.location.abs_path.clone(), r.location.span.start_byte))
            .copied()
    }
}

/// Whether the fix handles a reference of this kind and form at all.
pub fn fixable_form(r: &Reference) -> bool {
    use crate::model::{CallForm as C, Form, Language};
    match (r.language, r.kind) {
        (Language::Ruby, Kind::Toggle) => matches!(
            r.call,
            C::GitalyMigrate | C::Migrate | C::ToggleMethod | C::MigratedCommands
        ),
        (Language::Ruby, Kind::Check) => {
            matches!(r.call, C::FeatureEnabled | C::Flipper | C::FlipperGitaly)
        }
        (Language::Go, Kind::Toggle) => r.form == Form::Call(C::GitalyServerBranch),
        (Language::Ruby | Language::Text, Kind::Config) => matches!(
            r.form,
            Form::Call(C::EnvAssignment | C::JsonKey | C::EnvHash)
        ),
        (language, _) => fixer(language).is_some_and(|f| f.fixable(r)),
    }
}

/// Plans the fix of every file holding a selected, fixable reference.
///
/// `named_elsewhere(name, path)`: whether a file of the scanned trees other
/// than `path` names `name` (a helper it names is not inlined).
pub fn plan(
    refs: &[Reference],
    config: &Config,
    selection: &Selection,
    named_elsewhere: &dyn Fn(&str, &Path) -> bool,
) -> Plan {
    let flags = selection.flags(refs, config);
    let mut by_file: BTreeMap<PathBuf, Vec<&Reference>> = BTreeMap::new();
    for r in refs.iter().filter(|r| flags.contains(&r.flag)) {
        if fixable_form(r) {
            by_file
                .entry(r.location.abs_path.clone())
                .or_default()
                .push(r);
        }
    }
    // The toggle methods' wrappers, from every Ruby file with references.
    let mut ruby_files: Vec<&PathBuf> = refs
        .iter()
        .filter(|r| r.language == Language::Ruby)
        .map(|r| &r.location.abs_path)
        .collect();
    ruby_files.sort();
    ruby_files.dedup();
    let wrappers = collect_wrappers(&ruby_files, config);
    // The frontend's settings, as the scan builds them.
    let opts = crate::scan::ScanOptions::from_config(config, 1).frontend;
    let mut plan = Plan::default();
    for (path, sites) in by_file {
        let shown = format!("{}:{}", sites[0].location.component, sites[0].location.path);
        let original = match std::fs::read(&path) {
            Ok(b) => match String::from_utf8(b) {
                Ok(s) => s,
                Err(_) => {
                    for r in &sites {
                        plan.outcomes.insert(
                            (path.clone(), r.location.span.start_byte),
                            Outcome::Left(FixError::NotUtf8),
                        );
                    }
                    continue;
                }
            },
            Err(e) => {
                for r in &sites {
                    plan.outcomes.insert(
                        (path.clone(), r.location.span.start_byte),
                        Outcome::Left(FixError::Unreadable(e.to_string())),
                    );
                }
                continue;
            }
        };
        let language = sites[0].language;
        let ctx = FileContext {
            flags: &flags,
            selected: sites.iter().map(|r| r.location.span.start_byte).collect(),
            config,
            wrappers: &wrappers,
            opts: &opts,
            language,
            path: &sites[0].location.path,
        };
        let (fixed, first) = fix_to_fixpoint(&original, &ctx);
        // The migration links of the methods left without toggles.
        let fixed = if language == Language::Ruby && fixed != original {
            comments::drop_migration_links(&original, &fixed, &config.toggle_methods)
        } else {
            fixed
        };
        // A kept call of a single-use private helper: its body instead.
        let (fixed, inlined) = if language == Language::Ruby && fixed != original {
            let kept: Vec<std::ops::Range<usize>> =
                first.kept.iter().map(|(_, k)| k.clone()).collect();
            let candidates = inline::kept_single_calls(&original, &kept);
            let named_elsewhere = |name: &str| named_elsewhere(name, &path);
            inline::inline(
                &fixed,
                &candidates,
                config.fix_inline_max_lines,
                &named_elsewhere,
            )
        } else {
            (fixed, Vec::new())
        };
        let left = first.left;
        let mut helpers = first.helpers;
        helpers.sort();
        helpers.dedup();
        let map = crate::frontend::SourceMap::new(original.as_bytes());
        for (start, k) in first.kept {
            plan.kept
                .insert((path.clone(), start), map.range(k.start, k.end));
        }
        let verdict = verify(language, &sites[0].location.path, &original, &fixed);
        for r in &sites {
            let key = (path.clone(), r.location.span.start_byte);
            let outcome = match (
                &verdict,
                left.iter().find(|(s, _)| *s == r.location.span.start_byte),
            ) {
                (Err(e), _) => Outcome::Left(e.clone()),
                (Ok(()), Some((_, why))) => Outcome::Left(why.clone()),
                (Ok(()), None) => Outcome::Fixed,
            };
            plan.outcomes.insert(key, outcome);
        }
        plan.files.push(FilePlan {
            path,
            shown,
            abandoned: verdict.err(),
            original,
            fixed,
            dead: Vec::new(),
            deleted: Vec::new(),
            helpers,
            inlined,
            specs: Vec::new(),
        });
    }
    plan
}

/// The tree-wide toggle-method wrappers: (class path of the def, wrapper).
pub type Wrappers = Vec<(String, String, Wrapper)>;

fn collect_wrappers(files: &[&PathBuf], config: &Config) -> Wrappers {
    let mut out = Vec::new();
    for path in files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        if !text.contains("def gitaly_migrate")
            && !config
                .toggle_methods
                .iter()
                .any(|m| text.contains(&format!("def {m}")))
        {
            continue;
        }
        let Some(tree) = ruby::parse(&text) else {
            continue;
        };
        out.extend(ruby::toggle_defs(
            &text,
            tree.root_node(),
            &config.toggle_methods,
        ));
    }
    out
}

struct FileContext<'a> {
    flags: &'a HashSet<String>,
    /// Start bytes of the selected references in the original text.
    selected: HashSet<usize>,
    config: &'a Config,
    wrappers: &'a Wrappers,
    /// The frontend's settings, for re-extracting each round.
    opts: &'a FrontendOptions,
    language: Language,
    path: &'a str,
}

/// Edits the file until nothing selected is left (or nothing more can be done).
/// Returns the text, and the first round's sites left and code kept, by their
/// start byte in the original.
fn fix_to_fixpoint(original: &str, ctx: &FileContext) -> (String, Round) {
    let mut text = original.to_string();
    let mut first = Round::default();
    for round in 0..8 {
        let mut r = edits_for(&text, ctx, round == 0);
        let edits = std::mem::take(&mut r.edits);
        if round == 0 {
            first = r;
        } else {
            first.helpers.append(&mut r.helpers);
        }
        if edits.is_empty() {
            break;
        }
        let next = apply_edits(&text, edits);
        if next == text {
            break;
        }
        text = next;
    }
    if ctx.language == Language::Go && text != original {
        text = go::drop_unused_address_vars(&text);
        text = go::drop_unused_imports(&text, original);
    }
    if let Some(f) = fixer(ctx.language).filter(|_| text != original) {
        text = f.tidy(original, &text);
    }
    (text, first)
}

/// The edits of one round, and the sites that cannot be fixed (start byte, reason).
fn edits_for(text: &str, ctx: &FileContext, text_is_original: bool) -> Round {
    let mut out = Round::default();
    match ctx.language {
        Language::Ruby => ruby_edits(text, ctx, &mut out),
        Language::Go if text_is_original => go::edits(text, &ctx.selected, &mut out),
        Language::Text if text_is_original => {
            config::edits(text, ctx.path, &ctx.selected, &mut out)
        }
        Language::Go | Language::Text => {}
        language if text_is_original => {
            if let Some(f) = fixer(language) {
                f.edits(text, ctx.path, &ctx.selected, ctx.opts, &mut out);
            }
        }
        _ => {}
    }
    out
}

/// The fix a frontend brings for its language (see [`crate::frontend::Fixer`]).
fn fixer(language: Language) -> Option<&'static dyn crate::frontend::Fixer> {
    crate::frontend::of_language(language).and_then(|f| f.fixer())
}

fn ruby_edits(text: &str, ctx: &FileContext, out: &mut Round) {
    let is_test = crate::frontend::ruby::is_test_path(ctx.path);
    let x = crate::frontend::ruby::extract(text.as_bytes(), is_test, ctx.opts);
    let Some(tree) = ruby::parse(text) else {
        return;
    };
    let root = tree.root_node();
    table_edits(text, root, &x.refs, ctx, out);
    site_edits(text, root, &x.refs, ctx, out);
}

/// Shell's migrated-command table: one site (the conditional the frontend
/// found), one toggle per command; fixed when every command is selected.
fn table_edits(
    text: &str,
    root: tree_sitter::Node,
    refs: &[crate::frontend::RawRef],
    ctx: &FileContext,
    out: &mut Round,
) {
    type Table<'r> = (Option<&'r std::ops::Range<usize>>, Vec<String>);
    let mut tables: BTreeMap<usize, Table> = BTreeMap::new();
    for r in refs.iter().filter(|r| r.call == CallForm::MigratedCommands) {
        let flags = r
            .endpoints
            .iter()
            .map(|e| crate::resolve::flag_of_endpoint(e, ctx.config));
        let table = tables.entry(r.span.start_byte).or_default();
        if let Shape::Conditional(stmt) = &r.shape {
            table.0 = Some(stmt);
        }
        table.1.extend(flags);
    }
    for (start, (stmt, flags)) in tables {
        let selected: Vec<&String> = flags.iter().filter(|f| ctx.flags.contains(*f)).collect();
        if selected.is_empty() {
            continue;
        }
        let result = if selected.len() == flags.len() {
            stmt.and_then(|s| ruby::node_at(root, s))
                .ok_or(FixError::NoConditional)
                .and_then(|stmt| config::shell_condition(text, stmt))
        } else {
            let others: Vec<&str> = flags
                .iter()
                .filter(|f| !ctx.flags.contains(*f))
                .map(|f| f.as_str())
                .collect();
            Err(FixError::OtherCommands(others.join(", ")))
        };
        out.record(start, result)
    }
}

/// The selected toggles, checks and env pairs of a Ruby file, each fixed as
/// the frontend found it (its [`Shape`]).
fn site_edits(
    text: &str,
    root: tree_sitter::Node,
    refs: &[crate::frontend::RawRef],
    ctx: &FileContext,
    out: &mut Round,
) {
    let own: Wrappers = ruby::toggle_defs(text, root, &ctx.config.toggle_methods);
    let mut helpers = Vec::new();
    for r in refs
        .iter()
        .filter(|r| ctx.flags.contains(&r.flag) && r.call != CallForm::MigratedCommands)
    {
        let Some(node) = root.descendant_for_byte_range(r.span.start_byte, r.span.end_byte) else {
            continue;
        };
        let result = match (r.kind, r.call, &r.shape) {
            (Kind::Toggle, CallForm::Migrate, Shape::Toggle(shape)) => {
                ruby::fix_toggle(text, node, shape, &Wrapper::None)
            }
            (Kind::Toggle, _, Shape::Toggle(shape)) => {
                let method = node
                    .child_by_field_name("method")
                    .map(|m| &text[m.byte_range()])
                    .unwrap_or("gitaly_migrate");
                let receiver = node.child_by_field_name("receiver");
                let wrapper = match (receiver, own.iter().find(|(n, _, _)| n == method)) {
                    (None, Some((_, _, w))) => Ok(w.clone()),
                    _ => tree_wrapper(ctx.wrappers, method),
                };
                // `repo.` of `repo.gitaly_migrate`: the receiver with its operator.
                let receiver = receiver.zip(node.child_by_field_name("method"));
                let receiver = receiver.map(|(r, m)| &text[r.start_byte()..m.start_byte()]);
                // `outer repo.gitaly_migrate(…) { … }`: a `do` block would be outer's
                // (not after `return`, `break` or `next`, which are no calls).
                let bare_argument = node.parent().is_some_and(|p| {
                    p.kind() == "argument_list"
                        && !text[p.byte_range()].starts_with('(')
                        && p.parent()
                            .is_none_or(|c| !matches!(c.kind(), "return" | "break" | "next"))
                });
                let wrapper = wrapper.map(|w| w.at_site(receiver, bare_argument));
                wrapper.and_then(|(w, helper)| {
                    let fixed = ruby::fix_toggle(text, node, shape, &w);
                    if let (Ok(_), Some(h)) = (&fixed, helper) {
                        helpers.push(h);
                    }
                    fixed
                })
            }
            (Kind::Check, _, Shape::Check(shape)) => ruby::fix_check(text, root, node, shape),
            (Kind::Config, CallForm::EnvHash, _) => config::ruby_pair(text, node),
            _ => continue,
        };
        out.record(r.span.start_byte, result)
    }
    out.helpers.append(&mut helpers);
}

/// The wrapper of a toggle method defined elsewhere: the definition in a
/// `Repository` class if there is one (`repo.gitaly_migrate`), else the only one.
fn tree_wrapper(wrappers: &Wrappers, method: &str) -> Result<Wrapper, FixError> {
    let defs: Vec<&(String, String, Wrapper)> =
        wrappers.iter().filter(|(n, _, _)| n == method).collect();
    // `repo.gitaly_migrate`: the definition in `Gitlab::Git::Repository` (or
    // another `Repository` class) if there is one.
    let preferred = defs
        .iter()
        .find(|(_, c, _)| c.ends_with("Git::Repository"))
        .or_else(|| {
            defs.iter()
                .find(|(_, c, _)| c.rsplit("::").next() == Some("Repository"))
        });
    if let Some((_, _, w)) = preferred {
        return Ok(w.clone());
    }
    let distinct: Vec<&Wrapper> = {
        let mut v: Vec<&Wrapper> = defs.iter().map(|(_, _, w)| w).collect();
        v.dedup();
        v
    };
    match distinct.as_slice() {
        [] => Ok(Wrapper::None),
        [w] => Ok((*w).clone()),
        _ => Err(FixError::AmbiguousWrapper(method.to_string())),
    }
}

/// The fixed file must parse if the original did.
fn verify(language: Language, path: &str, original: &str, fixed: &str) -> Result<(), FixError> {
    if original == fixed {
        return Ok(());
    }
    let broken = |t: &str| -> bool {
        match language {
            Language::Ruby => ruby::parse(t).is_none_or(|tree| tree.root_node().has_error()),
            Language::Go => go::parse(t).is_none_or(|tree| tree.root_node().has_error()),
            _ if path.ends_with(".json") => serde_json::from_str::<serde_json::Value>(t).is_err(),
            other => fixer(other).is_some_and(|f| !f.parses(t)),
        }
    };
    if broken(fixed) && !broken(original) {
        return Err(FixError::WouldNotParse);
    }
    Ok(())
}

/// A unified diff of one file's fix.
///
/// Its paths are relative to `root` (see [`patch_root`]), else to the working
/// directory, so that `git apply` or `patch -p1` applies it from there.
pub fn diff(f: &FilePlan, root: Option<&Path>) -> String {
    let name = patch_path(&f.path, root);
    similar::TextDiff::from_lines(&f.original, &f.fixed)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

/// What the paths of a diff are relative to: with one component, its
/// repository's root (the nearest directory holding `.git`, else the
/// component's root), where `git apply` runs; with several, `None`: the
/// working directory.
pub fn patch_root(components: &[crate::component::Component]) -> Option<PathBuf> {
    let [one] = components else {
        return None;
    };
    let root = std::fs::canonicalize(&one.root).ok()?;
    Some(
        root.ancestors()
            .find(|d| d.join(".git").exists())
            .unwrap_or(&root)
            .to_path_buf(),
    )
}

/// A file's path in a diff: relative to `root`, `/`-separated.
fn patch_path(path: &Path, root: Option<&Path>) -> String {
    if let (Some(root), Ok(abs)) = (root, std::fs::canonicalize(path)) {
        if let Ok(rel) = abs.strip_prefix(root) {
            return rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
        }
    }
    crate::report::shown_path(path)
}

/// Where the 1-based `line` of `old`, kept in `new`, stands there.
pub(crate) fn moved_line(old: &str, new: &str, line: usize) -> usize {
    let diff = similar::TextDiff::from_lines(old, new);
    for op in diff.ops() {
        if let similar::DiffOp::Equal {
            old_index,
            new_index,
            len,
        } = *op
        {
            if (old_index..old_index + len).contains(&(line - 1)) {
                return line - old_index + new_index;
            }
        }
    }
    line
}

/// Deletes the legacy-path spec blocks of the fixed features (see
/// [`specs`]) from the specs of the trees, adding them to the plan; returns
/// `shown:line` and the description of each block deleted.
pub fn delete_legacy_specs(
    plan: &mut Plan,
    refs: &[Reference],
    config: &Config,
    components: &[crate::component::Component],
    tree: &[dead::TreeText],
) -> Vec<String> {
    let fixed: HashSet<String> = refs
        .iter()
        .filter(|r| matches!(plan.outcome(r), Some(Outcome::Fixed)))
        .map(|r| r.flag.clone())
        .collect();
    if fixed.is_empty() {
        return Vec::new();
    }
    // Flags still toggled somewhere (not every site of theirs fixed).
    let still: HashSet<String> = refs
        .iter()
        .filter(|r| matches!(r.kind, Kind::Toggle | Kind::Check))
        .filter(|r| !matches!(plan.outcome(r), Some(Outcome::Fixed)))
        .map(|r| r.flag.clone())
        .collect();
    let fixed: HashSet<String> = fixed.difference(&still).cloned().collect();
    let mut methods: HashSet<String> = HashSet::new();
    for f in plan
        .files
        .iter()
        .filter(|f| f.abandoned.is_none() && f.fixed != f.original && f.path_is_ruby())
    {
        methods.extend(specs::untoggled_methods(
            &f.original,
            &f.fixed,
            &config.toggle_methods,
        ));
    }
    let mut out = Vec::new();
    // The specs that may hold such blocks, with the text to edit (the plan's,
    // if the fix already changed it).
    let candidates = spec_texts(plan, tree, |t| specs::may_hold(&t.text));
    use rayon::prelude::*;
    let results: Vec<(String, Vec<specs::DeletedBlock>)> = candidates
        .par_iter()
        .map(|(t, existing)| {
            let current = existing.map_or(t.text.as_str(), |i| plan.files[i].fixed.as_str());
            specs::delete_legacy_blocks(current, &fixed, &still, &methods)
        })
        .collect();
    for ((t, existing), (new, gone)) in candidates.into_iter().zip(results) {
        out.extend(set_spec_text(plan, components, t, existing, new, gone));
    }
    out
}

/// The specs of the trees that `keep` selects, each with its index in the
/// plan when the plan already changed it.
fn spec_texts<'a>(
    plan: &Plan,
    tree: &'a [dead::TreeText],
    keep: impl Fn(&dead::TreeText) -> bool,
) -> Vec<(&'a dead::TreeText, Option<usize>)> {
    tree.iter()
        .filter(|t| crate::frontend::ruby::is_test_path(&t.rel) && keep(t))
        .map(|t| {
            let existing = plan
                .files
                .iter()
                .position(|f| canonical(&f.path) == t.canon);
            (t, existing)
        })
        .collect()
}

/// A path as [`dead::TreeText::canon`] has it (the path itself if it cannot
/// be resolved).
fn canonical(p: &std::path::Path) -> std::path::PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Puts a spec's new text in the plan, with the blocks that went; returns
/// `shown:line 'description': what happened` of each.
fn set_spec_text(
    plan: &mut Plan,
    components: &[crate::component::Component],
    t: &dead::TreeText,
    existing: Option<usize>,
    new: String,
    gone: Vec<specs::DeletedBlock>,
) -> Vec<String> {
    if gone.is_empty() {
        return Vec::new();
    }
    let comp = components.get(t.component).map_or("", |c| c.name.as_str());
    let shown = format!("{comp}:{}", t.rel);
    let out = gone
        .iter()
        .map(|g| format!("{shown}:{} '{}': {}", g.line, g.description, g.what()))
        .collect();
    match existing {
        Some(i) => {
            plan.files[i].fixed = new;
            plan.files[i].specs.extend(gone);
        }
        None => plan.files.push(FilePlan {
            path: t.path.clone(),
            shown,
            original: t.text.clone(),
            fixed: new,
            abandoned: None,
            dead: Vec::new(),
            deleted: Vec::new(),
            helpers: Vec::new(),
            inlined: Vec::new(),
            specs: gone,
        }),
    }
    out
}

/// The reason the sweep gives a method kept for a spec (see [`dead::sweep`]).
pub const NAMED_IN_SPEC: &str = "named in the spec";

/// Deletes the specs' own `describe '#name'` blocks of the methods the sweep
/// of `swept` (a copy of `plan`) kept only because a spec names them, where
/// every spec naming such a method names it only there and nothing else does
/// (see [`specs::delete_own_blocks`]); `plan` then gets the specs' new
/// texts, so that a sweep of it deletes the methods too. Returns
/// `shown:line 'description': what happened` of each block.
pub fn delete_own_specs(
    plan: &mut Plan,
    swept: &Plan,
    components: &[crate::component::Component],
    tree: &[dead::TreeText],
) -> Vec<String> {
    // The kept names, with the file that defines each.
    let kept: Vec<(String, std::path::PathBuf)> = swept
        .files
        .iter()
        .flat_map(|f| {
            f.dead
                .iter()
                .filter(|u| u.reason.starts_with(NAMED_IN_SPEC))
                .map(|u| (u.name.clone(), f.path.clone()))
        })
        .collect();
    if kept.is_empty() {
        return Vec::new();
    }
    // The texts as the sweep left them.
    let now: std::collections::HashMap<std::path::PathBuf, &str> = swept
        .files
        .iter()
        .map(|f| (canonical(&f.path), f.fixed.as_str()))
        .collect();
    let kept: Vec<(String, std::path::PathBuf)> = kept
        .into_iter()
        .map(|(n, def)| (n, canonical(&def)))
        .collect();
    // A name qualifies when every file naming it (but the one defining it)
    // is a spec whose mentions all stand in the name's own blocks.
    let mut names: HashSet<String> = kept.iter().map(|(n, _)| n.clone()).collect();
    for t in tree {
        let text = now.get(&t.canon).copied().unwrap_or(&t.text);
        let mentioned: HashSet<String> = names
            .iter()
            .filter(|n| !kept.iter().any(|(k, def)| k == *n && *def == t.canon))
            .filter(|n| dead::occurrences(text, n).next().is_some())
            .cloned()
            .collect();
        if mentioned.is_empty() {
            continue;
        }
        let whole = if crate::frontend::ruby::is_test_path(&t.rel) {
            specs::delete_own_blocks(text, &mentioned).2
        } else {
            HashSet::new()
        };
        names.retain(|n| !mentioned.contains(n) || whole.contains(n));
    }
    if names.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (t, existing) in spec_texts(plan, tree, |t| {
        names
            .iter()
            .any(|n| dead::occurrences(&t.text, n).next().is_some())
    }) {
        let current = existing.map_or(t.text.clone(), |i| plan.files[i].fixed.clone());
        let (new, gone, _) = specs::delete_own_blocks(&current, &names);
        out.extend(set_spec_text(plan, components, t, existing, new, gone));
    }
    out
}

/// Fixes one source text for every flag it references (Ruby or Go), as
/// `flaglint fix` would with all of them selected, *without* the safety net
/// that abandons a fix whose result does not parse: the fuzzer checks that the
/// net is never needed.
///
/// `language` is a [`Language`] or its name (`"ruby"`, `"go"`); a name of no
/// language leaves the text as it is.
pub fn fix_source<L: TryInto<Language>>(language: L, path: &str, text: &str) -> String {
    let Ok(language) = language.try_into() else {
        return text.to_string();
    };
    let config = Config::default();
    let opts = FrontendOptions::default();
    let (flags, selected): (HashSet<String>, HashSet<usize>) = match language {
        Language::Go => {
            let x = crate::frontend::go::extract(text.as_bytes(), false, &[]);
            (
                HashSet::new(),
                x.branches.iter().map(|b| b.raw.span.start_byte).collect(),
            )
        }
        _ => {
            let x = crate::frontend::ruby::extract(text.as_bytes(), false, &opts);
            (
                x.refs.iter().map(|r| r.flag.clone()).collect(),
                HashSet::new(),
            )
        }
    };
    let wrappers = Wrappers::new();
    let ctx = FileContext {
        flags: &flags,
        selected,
        config: &config,
        wrappers: &wrappers,
        opts: &opts,
        language,
        path,
    };
    fix_to_fixpoint(text, &ctx).0
}

/// Whether a fixed text parses whenever the original did (the fix's promise).
/// `language` as for [`fix_source`].
pub fn parses_if_original_did<L: TryInto<Language>>(
    language: L,
    original: &str,
    fixed: &str,
) -> bool {
    language
        .try_into()
        .is_ok_and(|language| verify(language, "", original, fixed).is_ok())
}

/// `fix --format json`: the planned edits as data (version 1). Each changed
/// file with its patch path and hunks (1-based line ranges of the original
/// and the fixed text, the lines removed and added), abandoned files with the
/// reason, every selected site with its outcome, and the methods left unused.
/// `written`: with `--write`, which files were written.
pub fn plan_json(
    plan: &Plan,
    refs: &[Reference],
    selection: &Selection,
    config: &Config,
    root: Option<&Path>,
    written: Option<&HashSet<PathBuf>>,
) -> serde_json::Value {
    use serde_json::json;
    let files: Vec<serde_json::Value> = plan
        .files
        .iter()
        .filter(|f| f.abandoned.is_some() || f.fixed != f.original)
        .map(|f| {
            let mut v = json!({
                "path": patch_path(&f.path, root),
                "shown": f.shown,
            });
            match &f.abandoned {
                Some(why) => {
                    v["status"] = json!("abandoned");
                    v["reason"] = json!(why.to_string());
                }
                None => {
                    v["status"] = json!("fixed");
                    v["hunks"] = json!(hunks(&f.original, &f.fixed));
                    v["unused_methods"] = json!(f
                        .dead
                        .iter()
                        .map(|d| json!({"name": d.name, "line": d.line, "reason": d.reason}))
                        .collect::<Vec<_>>());
                    v["deleted_methods"] = json!(f
                        .deleted
                        .iter()
                        .map(|d| json!({"name": d.name, "line": d.line}))
                        .collect::<Vec<_>>());
                    v["inlined"] = json!(f
                        .inlined
                        .iter()
                        .map(|i| json!({"name": i.name, "line": i.line}))
                        .collect::<Vec<_>>());
                    if let Some(w) = written {
                        v["written"] = json!(w.contains(&f.path));
                    }
                }
            }
            v
        })
        .collect();
    let sites: Vec<serde_json::Value> = refs
        .iter()
        .filter(|r| selection.includes(r, config))
        .map(|r| {
            let (outcome, reason) = match plan.outcome(r) {
                Some(Outcome::Fixed) => ("fixed", None),
                Some(Outcome::Left(why)) => ("left", Some(why.to_string())),
                None => (
                    "left",
                    Some("left to a person (see `flaglint checklist`)".to_string()),
                ),
            };
            let mut v = json!({
                "flag": r.flag,
                "kind": r.kind.as_str(),
                "component": r.location.component,
                "path": r.location.path,
                "line": r.location.span.line,
                "column": r.location.span.column,
                "outcome": outcome,
            });
            if let Some(why) = reason {
                v["reason"] = json!(why);
            }
            v
        })
        .collect();
    json!({
        "version": crate::report::json::VERSION,
        "files": files,
        "sites": sites,
    })
}

/// The changed line ranges of `old` → `new`, as unified-diff hunks without
/// context.
fn hunks(old: &str, new: &str) -> Vec<serde_json::Value> {
    let diff = similar::TextDiff::from_lines(old, new);
    diff.grouped_ops(0)
        .iter()
        .map(|group| {
            let (first, last) = (&group[0], &group[group.len() - 1]);
            let old_range = first.old_range().start..last.old_range().end;
            let new_range = first.new_range().start..last.new_range().end;
            let lines = |text: &[&str], r: std::ops::Range<usize>| -> Vec<String> {
                text[r]
                    .iter()
                    .map(|l| l.strip_suffix('\n').unwrap_or(l).to_string())
                    .collect()
            };
            serde_json::json!({
                "old_start": old_range.start + 1,
                "old_lines": old_range.len(),
                "new_start": new_range.start + 1,
                "new_lines": new_range.len(),
                "removed": lines(diff.old_slices(), old_range),
                "added": lines(diff.new_slices(), new_range),
            })
        })
        .collect()
}

/// A unified diff with ANSI colors, for a terminal: headers bold, hunk
/// headers cyan, removed lines red, added lines green.
pub fn colorize_diff(diff: &str) -> String {
    let mut out = String::with_capacity(diff.len() + diff.len() / 4);
    for line in diff.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let color = if body.starts_with("---") || body.starts_with("+++") {
            "\x1b[1m"
        } else if body.starts_with("@@") {
            "\x1b[36m"
        } else if body.starts_with('-') {
            "\x1b[31m"
        } else if body.starts_with('+') {
            "\x1b[32m"
        } else {
            ""
        };
        if color.is_empty() {
            out.push_str(line);
        } else {
            out.push_str(color);
            out.push_str(body);
            out.push_str("\x1b[0m");
            out.push_str(nl);
        }
    }
    out
}

#[cfg(test)]
mod plan_tests {
    use super::*;

    #[test]
    fn hunks_give_one_based_ranges_and_the_changed_lines() {
        let h = hunks("a\nb\nc\nd\n", "a\nB\nc\nd\ne\n");
        assert_eq!(h.len(), 2);
        assert_eq!(h[0]["old_start"], 2);
        assert_eq!(h[0]["old_lines"], 1);
        assert_eq!(h[0]["removed"], serde_json::json!(["b"]));
        assert_eq!(h[0]["added"], serde_json::json!(["B"]));
        assert_eq!(h[1]["new_start"], 5);
        assert_eq!(h[1]["old_lines"], 0);
        assert_eq!(h[1]["added"], serde_json::json!(["e"]));
    }

    #[test]
    fn a_helper_is_called_with_the_sites_receiver_where_it_can_be() {
        let clauses = vec!["rescue X\n  nil".to_string()];
        let helper = |public| Wrapper::Helper {
            name: "wrapped".into(),
            public,
            clauses: clauses.clone(),
        };
        let block = |head: &str| (Wrapper::Block(head.into()), Some("wrapped".to_string()));
        let rescue = (Wrapper::Rescue(clauses.clone()), None);
        assert_eq!(helper(true).at_site(None, false), block("wrapped"));
        assert_eq!(helper(false).at_site(None, false), block("wrapped"));
        assert_eq!(
            helper(true).at_site(Some("@repository."), false),
            block("@repository.wrapped")
        );
        assert_eq!(
            helper(true).at_site(Some("repo&."), false),
            block("repo&.wrapped")
        );
        // A private helper from outside; a `do` block that would bind to the outer call.
        assert_eq!(helper(false).at_site(Some("repo."), false), rescue);
        assert_eq!(helper(true).at_site(None, true), rescue);
        // Other wrappers stay as they are.
        let r = Wrapper::Rescue(clauses.clone());
        assert_eq!(r.at_site(Some("repo."), true), (r.clone(), None));
    }

    #[test]
    fn a_kept_line_moves_with_the_lines_deleted_before_it() {
        assert_eq!(moved_line("a\nb\nc\nd\n", "a\nd\n", 4), 2);
        assert_eq!(moved_line("a\nb\nc\n", "a\nb\nc\nx\n", 2), 2);
    }

    #[test]
    fn colored_diffs_keep_every_line_and_color_only_changes() {
        let d = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n same\n";
        let c = colorize_diff(d);
        assert_eq!(
            c.replace("\x1b[1m", "")
                .replace("\x1b[36m", "")
                .replace("\x1b[31m", "")
                .replace("\x1b[32m", "")
                .replace("\x1b[0m", ""),
            d
        );
        assert!(c.contains("\x1b[31m-old\x1b[0m\n"));
        assert!(c.contains("\n same\n"));
    }
}
