//! The legacy path the fix leaves behind: the methods (and constants) that
//! only the removed code named, deleted tree-wide.
//!
//! Ruby resolves calls at run time, so liveness is by name, over every Ruby
//! (and view, rake) file of the scanned trees: a name is *live* if something
//! outside the definitions under consideration names it (a call, `:symbol`,
//! `send("x")`, `method(:x)`, `alias`, delegation, a comment), or if a live
//! definition names it; a definition's own comment block belongs to it. The
//! names the fix removed are considered whether they were called bare or
//! with a receiver (`repo.rugged_x`: then only a tree that names `rugged_x`
//! nowhere else lets it go, and only if Ruby's core classes have no method
//! of that name: `output.scrub` is `String#scrub`, not the tree's own). A
//! bare mention in a class or module that defines the name means that
//! definition only (and overrides of it: a subclass, a reopening, a class
//! mixing the module in, by the names the files give); one in a module no
//! definer is, that classes mix in, means theirs. The names considered are
//! those the fix removed from a file, and what their definitions name,
//! transitively, as long as they might be dead: a cycle of legacy helpers
//! that call each other goes as a whole. A definition is deleted when its name was live before the fix and
//! is not after it: code that was already unused (an API for other
//! consumers) is left alone, and keeps what it names. A method the fix
//! edited (a toggle's) counts as used before the fix, so what its removed
//! branch named was live then, even if nothing in the trees calls it. A name
//! still named only by specs or by another component is kept and reported
//! ("now unused, kept"; where the specs name it only in its own
//! `describe '#name'` blocks, [`super::delete_own_specs`] deletes those and a
//! second sweep the method). Outside the files the fix changed, a definition
//! goes only from a `module` a fixed file mixes in (`include X`); one
//! elsewhere stays, and keeps what it names, but not its name: a dead
//! definition of the same name in a fixed file or the mixed-in module still
//! goes.
//!
//! With each deleted definition go the comment block directly above it and
//! the blank line it would leave doubled, before an `end` or after a
//! `class` / `module` line (neighbouring definitions go as one), and a
//! `private` / `protected` section left with nothing under it.

use super::Edit;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use tree_sitter::Node;

/// A method the fix made unused and left in place, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unused {
    pub name: String,
    /// 1-based line of the `def` in the fixed text.
    pub line: usize,
    /// Why it is kept (`named in spec/…`).
    pub reason: String,
}

/// A definition deleted as dead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deleted {
    pub name: String,
    /// 1-based line of the definition in the file as it was read.
    pub line: usize,
}

/// Methods Ruby or its frameworks call without naming them: never deleted.
const IMPLICIT: &[&str] = &[
    "initialize",
    "method_missing",
    "respond_to_missing?",
    "respond_to?",
    "to_s",
    "to_str",
    "to_a",
    "to_ary",
    "to_h",
    "to_hash",
    "to_proc",
    "to_param",
    "to_json",
    "as_json",
    "inspect",
    "hash",
    "eql?",
    "each",
    "call",
    "coerce",
    "inherited",
    "included",
    "extended",
    "prepended",
    "method_added",
    "initialize_copy",
    "perform",
    "execute",
];

/// Files whose text may name a Ruby method: Ruby, rake, views.
pub fn names_methods(file_name: &str) -> bool {
    const EXT: &[&str] = &[
        ".rb",
        ".rake",
        ".haml",
        ".erb",
        ".slim",
        ".builder",
        ".jbuilder",
        ".ru",
        ".gemspec",
    ];
    EXT.iter().any(|e| file_name.ends_with(e))
        || matches!(file_name, "Rakefile" | "Gemfile" | "Guardfile")
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A file of the trees that may name a Ruby method, with its text.
#[derive(Debug, Clone)]
pub struct TreeText {
    /// As walked.
    pub path: PathBuf,
    /// Canonical (to match the plan's files).
    pub canon: PathBuf,
    /// Index of its component.
    pub component: usize,
    /// Relative to the component root, `/`-separated.
    pub rel: String,
    pub text: String,
}

/// The files of the trees that may name a Ruby method, walked as the scan
/// walks them, with their text.
pub fn tree_texts(
    components: &[crate::component::Component],
    walk: &crate::discover::WalkOptions,
) -> Vec<TreeText> {
    let select = |name: &str| crate::discover::Wanted {
        read: names_methods(name),
        catalog_source: false,
    };
    let found = crate::discover::discover(components, walk, None, &select)
        .map(|d| d.files)
        .unwrap_or_default();
    found
        .par_iter()
        .filter(|e| e.read)
        .filter_map(|e| {
            let text = std::fs::read_to_string(&e.path).ok()?;
            let canon = std::fs::canonicalize(&e.path).unwrap_or_else(|_| e.path.clone());
            Some(TreeText {
                path: e.path.clone(),
                canon,
                component: e.component,
                rel: e.rel.clone(),
                text,
            })
        })
        .collect()
}

/// Whether `text` names `name` (as a word: a call, `:symbol`, string).
pub fn names(text: &str, name: &str) -> bool {
    occurrences(text, name).next().is_some()
}

/// The word tokens of a text, with their byte offsets: identifiers and
/// constants, a trailing `?` or `!` included (not the `!` of `!=`).
fn tokens(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let b = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            if (b[i].is_ascii_alphabetic() || b[i] == b'_') && (i == 0 || !is_word(b[i - 1])) {
                let start = i;
                while i < b.len() && is_word(b[i]) {
                    i += 1;
                }
                if i < b.len()
                    && (b[i] == b'?' || b[i] == b'!')
                    && b.get(i + 1).is_none_or(|&n| n != b'=')
                {
                    i += 1;
                }
                return Some((start, &text[start..i]));
            }
            i += 1;
        }
        None
    })
}

/// Where `name` occurs in `text` as a whole token (as [`tokens`] finds it).
pub(crate) fn occurrences<'a>(text: &'a str, name: &'a str) -> impl Iterator<Item = usize> + 'a {
    let b = text.as_bytes();
    text.match_indices(name)
        .map(|(at, _)| at)
        .filter(move |&at| {
            let end = at + name.len();
            let starts =
                (b[at].is_ascii_alphabetic() || b[at] == b'_') && (at == 0 || !is_word(b[at - 1]));
            let suffix = name.ends_with(['?', '!']);
            let ends = end >= b.len()
                || (!is_word(b[end])
                    && (suffix || !matches!(b[end], b'?' | b'!') || b.get(end + 1) == Some(&b'=')));
            starts && ends
        })
}

/// The names a text defines, by a line scan (`def x`, `def self.x`, `X = …`).
fn defined_names(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("def ") {
            let rest = rest.trim_start();
            let rest = rest.strip_prefix("self.").unwrap_or(rest);
            if let Some((0, name)) = tokens(rest).next() {
                out.push(name);
            }
        } else if t.as_bytes().first().is_some_and(u8::is_ascii_uppercase) {
            if let Some((0, name)) = tokens(t).next() {
                let after = t[name.len()..].trim_start();
                if name.bytes().all(|b| b.is_ascii_uppercase() || is_word(b))
                    && after.starts_with('=')
                    && !after.starts_with("==")
                    && !after.starts_with("=~")
                {
                    out.push(name);
                }
            }
        }
    }
    out
}

/// A definition in one text: a method, or a constant assignment of a class
/// or module body.
#[derive(Debug, Clone)]
struct Def {
    name: String,
    /// Byte range of the node.
    start: usize,
    end: usize,
    line: usize,
    /// The innermost `module` around it (its last name), if that is nearer
    /// than any `class`.
    module: Option<String>,
    /// Where a bare call of it would be made from: see [`Ctx`].
    ctx: Ctx,
}

/// The object a bare name (`foo`, `foo(…)`, `:foo`) is said on: the
/// innermost `class` / `module` / `class << self` around it (its start;
/// `usize::MAX` for the file's top level), and whether that is the class
/// itself (in `def self.x` or `class << self`) rather than its instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ctx {
    scope: usize,
    singleton: bool,
}

/// The definitions of a text, and its scopes (to find the [`Ctx`] of any
/// byte).
#[derive(Debug, Default)]
struct Parsed {
    defs: Vec<Def>,
    /// `class`, `module`, `class << self` nodes.
    scopes: Vec<Scope>,
    /// `def self.x` nodes: start, end.
    singleton_methods: Vec<(usize, usize)>,
}

impl Parsed {
    /// The context of the byte `at`.
    fn ctx(&self, at: usize) -> Ctx {
        let inner = self
            .scopes
            .iter()
            .filter(|s| s.start < at && at < s.end)
            .min_by_key(|s| s.end - s.start);
        let (scope, singleton) = inner.map_or((usize::MAX, false), |s| (s.start, s.singleton));
        let in_method = self
            .singleton_methods
            .iter()
            .any(|&(s, e)| s <= at && at < e && (scope == usize::MAX || s > scope));
        Ctx {
            scope,
            singleton: singleton || in_method,
        }
    }

    /// If this text defines `name` in the context of the byte `at` (in a
    /// class or module), that class or module: a bare mention there means
    /// that definition, or an override of it in a subclass, a reopening of
    /// the class or a class mixing the module in.
    fn local(&self, name: &str, at: usize) -> Option<&Scope> {
        let ctx = self.ctx(at);
        if ctx.scope == usize::MAX {
            return None;
        }
        self.defs.iter().find(|d| d.name == name && d.ctx == ctx)?;
        self.scopes.iter().find(|s| s.start == ctx.scope)
    }

    /// The scope starting at `start`.
    fn scope(&self, start: usize) -> Option<&Scope> {
        self.scopes.iter().find(|s| s.start == start)
    }
}

/// A `class`, `module` or `class << self` of a text.
#[derive(Debug, Clone)]
struct Scope {
    start: usize,
    end: usize,
    /// `class << self`.
    singleton: bool,
    module: bool,
    /// The full name, with the names of the classes and modules around it
    /// (the class's, for `class << self`).
    full: String,
    /// The superclass as written, its last segment.
    superclass: Option<String>,
}

impl Scope {
    fn last(&self) -> &str {
        self.full.rsplit("::").next().unwrap_or(&self.full)
    }
}

/// The innermost `module` around `n` (its last name), unless a `class` is nearer.
fn enclosing_module(text: &str, n: Node) -> Option<String> {
    let mut p = n.parent();
    while let Some(x) = p {
        match x.kind() {
            "class" | "singleton_class" => return None,
            "module" => {
                let name = x.child_by_field_name("name")?;
                let name = &text[name.byte_range()];
                return Some(name.rsplit("::").next().unwrap_or(name).to_string());
            }
            _ => p = x.parent(),
        }
    }
    None
}

/// Whether a text mixes in the module `name` (`include`, `extend`,
/// `prepend`, possibly with its namespace).
fn mixes_in(text: &str, name: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim_start();
        ["include ", "extend ", "prepend "].iter().any(|k| {
            t.strip_prefix(k).is_some_and(|rest| {
                rest.split(',')
                    .any(|m| m.trim().rsplit("::").next() == Some(name))
            })
        })
    })
}

/// Whether the token at `at` is named without a receiver (`foo(…)`,
/// `self.foo`, `:foo`, `"foo"`): a call that can only mean the method of
/// the same object, or a name passed around.
fn free_mention(text: &str, at: usize) -> bool {
    let before = &text[..at];
    if before.trim_end().ends_with("::") {
        return false;
    }
    !called_on_other(before)
}

/// Occurrences of each name of `set` in `text` named without a receiver.
fn count_free(text: &str, set: &HashSet<&str>) -> HashMap<String, u32> {
    let mut out: HashMap<String, u32> = HashMap::new();
    for (at, t) in tokens(text) {
        if set.contains(t) && free_mention(text, at) {
            *out.entry(t.to_string()).or_default() += 1;
        }
    }
    out
}

/// The methods of Ruby's core classes (`ruby_core_methods.txt`): a name the
/// removed code called on another object that is one of them was most likely
/// a call on a core object (`output.scrub`), not on the tree's own method of
/// that name (Loofah's `scrub` callback).
fn core_method(name: &str) -> bool {
    static CORE: std::sync::OnceLock<HashSet<&'static str>> = std::sync::OnceLock::new();
    CORE.get_or_init(|| {
        include_str!("ruby_core_methods.txt")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect()
    })
    .contains(name)
}

/// Every definition of a Ruby text.
fn all_defs(text: &str) -> Parsed {
    let every: HashSet<&str> = defined_names(text).into_iter().collect();
    parse_defs(text, &every)
}

/// The definitions of `names` in a Ruby text (none if it does not parse).
#[cfg(test)]
fn defs_in(text: &str, names: &HashSet<&str>) -> Vec<Def> {
    parse_defs(text, names).defs
}

fn parse_defs(text: &str, names: &HashSet<&str>) -> Parsed {
    let Some(tree) = super::ruby::parse(text) else {
        return Parsed::default();
    };
    let mut out = Parsed::default();
    let mut stack = vec![tree.root_node()];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "class" | "module" | "singleton_class" => out.scopes.push(scope(text, n)),
            "singleton_method" => out.singleton_methods.push((n.start_byte(), n.end_byte())),
            _ => {}
        }
        let name = match n.kind() {
            "method" | "singleton_method" => n.child_by_field_name("name"),
            "assignment" if is_body_level(n) => n
                .child_by_field_name("left")
                .filter(|l| l.kind() == "constant"),
            _ => None,
        };
        if let Some(name) = name {
            let name = &text[name.byte_range()];
            if names.contains(name) {
                out.defs.push(Def {
                    name: name.to_string(),
                    start: n.start_byte(),
                    end: n.end_byte(),
                    line: n.start_position().row + 1,
                    module: enclosing_module(text, n),
                    ctx: def_ctx(n),
                });
            }
        }
        let mut c = n.walk();
        stack.extend(n.named_children(&mut c));
    }
    out
}

/// The [`Scope`] of a `class`, `module` or `singleton_class` node.
fn scope(text: &str, n: Node) -> Scope {
    let named = |x: Node| {
        x.child_by_field_name("name")
            .map(|m| text[m.byte_range()].trim_start_matches("::").to_string())
    };
    let mut parts: Vec<String> = std::iter::successors(Some(n), |x| x.parent())
        .filter(|x| matches!(x.kind(), "class" | "module"))
        .filter_map(named)
        .collect();
    parts.reverse();
    let superclass = n
        .child_by_field_name("superclass")
        .and_then(|s| s.named_child(0))
        .map(|s| {
            let s = &text[s.byte_range()];
            s.rsplit("::").next().unwrap_or(s).to_string()
        });
    Scope {
        start: n.start_byte(),
        end: n.end_byte(),
        singleton: n.kind() == "singleton_class",
        module: n.kind() == "module",
        full: parts.join("::"),
        superclass,
    }
}

/// The context a bare call of the method `n` is made from.
fn def_ctx(n: Node) -> Ctx {
    let mut p = n.parent();
    while let Some(x) = p {
        match x.kind() {
            "class" | "module" | "singleton_class" => {
                return Ctx {
                    scope: x.start_byte(),
                    singleton: n.kind() == "singleton_method" || x.kind() == "singleton_class",
                }
            }
            _ => p = x.parent(),
        }
    }
    Ctx {
        scope: usize::MAX,
        singleton: n.kind() == "singleton_method",
    }
}

fn is_body_level(n: Node) -> bool {
    n.parent().is_some_and(|p| {
        matches!(p.kind(), "body_statement" | "program")
            && p.parent()
                .is_none_or(|g| matches!(g.kind(), "class" | "module" | "program"))
    })
}

/// One file of the trees, before and after the fix.
struct Text {
    path: PathBuf,
    shown: String,
    component: usize,
    /// A spec or test file.
    test: bool,
    original: String,
    now: String,
    /// Index in the plan's files, if the fix changed it.
    planned: Option<usize>,
}

/// Occurrences of each name of `set` in `text`.
fn count(text: &str, set: &HashSet<&str>) -> HashMap<String, u32> {
    let mut out: HashMap<String, u32> = HashMap::new();
    for (_, t) in tokens(text) {
        if set.contains(t) {
            *out.entry(t.to_string()).or_default() += 1;
        }
    }
    out
}

/// Occurrences of every defined name, file by file, in both versions (the
/// original only where it differs).
struct Index {
    now: Vec<HashMap<String, u32>>,
    original: HashMap<usize, HashMap<String, u32>>,
}

impl Index {
    fn new(texts: &[Text], defined: &HashSet<&str>) -> Index {
        let now = texts.par_iter().map(|t| count(&t.now, defined)).collect();
        let original = texts
            .par_iter()
            .enumerate()
            .filter(|(_, t)| t.planned.is_some())
            .map(|(i, t)| (i, count(&t.original, defined)))
            .collect();
        Index { now, original }
    }

    fn get(&self, v: Version, i: usize) -> &HashMap<String, u32> {
        match v {
            Version::Original => self.original.get(&i).unwrap_or(&self.now[i]),
            Version::Now => &self.now[i],
        }
    }
}

/// Which version of the texts.
#[derive(Clone, Copy, PartialEq)]
enum Version {
    Original,
    Now,
}

impl Text {
    fn get(&self, v: Version) -> &str {
        match v {
            Version::Original => &self.original,
            Version::Now => &self.now,
        }
    }
}

/// A name, everywhere (`None`) or only as the private method of one file
/// (`Some(file)`), that a bare mention in that file means.
type Key = (String, Option<usize>);

/// The liveness of the names `considered` in one version of the trees.
struct Liveness {
    live: HashSet<Key>,
    /// Per name, the files (indices) that name it outside the considered
    /// definitions.
    roots: HashMap<String, Vec<usize>>,
    /// The names some file names outside the considered definitions in a
    /// way that may mean any definition of them.
    global: HashSet<String>,
    /// The private methods named in their own file outside the considered
    /// definitions, in a way that means them only.
    local: HashSet<(String, usize)>,
    /// The definitions of the considered names, per file.
    defs: HashMap<usize, Vec<Def>>,
    /// The parse of each file in `defs`.
    parsed: HashMap<usize, std::sync::Arc<Parsed>>,
}

impl Liveness {
    /// Whether the definition of `name` in file `i` is live.
    fn def_live(&self, name: &str, i: usize) -> bool {
        self.live.contains(&(name.to_string(), None))
            || self.live.contains(&(name.to_string(), Some(i)))
    }

    /// Whether some definition of `name` is live.
    fn any_live(&self, name: &str) -> bool {
        self.live.contains(&(name.to_string(), None))
            || self
                .defs
                .iter()
                .any(|(&i, ds)| ds.iter().any(|d| d.name == name) && self.def_live(name, i))
    }

    /// Whether the definition of `name` in file `i` is named outside the
    /// considered definitions.
    fn rooted(&self, name: &str, i: usize) -> bool {
        self.global.contains(name) || self.local.contains(&(name.to_string(), i))
    }

    /// What the mention of `name` at `at` in file `i` means.
    /// (A bare mention in the class or module that defines the name means
    /// that definition only, unless another file defining the name
    /// subclasses or reopens that class, or mixes in that module.)
    fn keys(&self, trees: &Trees, v: Version, i: usize, name: &str, at: usize) -> Vec<Key> {
        let text = trees.texts[i].get(v);
        let local = free_mention(text, at)
            && self
                .parsed
                .get(&i)
                .and_then(|p| p.local(name, at))
                .is_some_and(|scope| {
                    trees.definers.get(name).is_none_or(|ds| {
                        ds.iter()
                            .all(|&k| k == i || !self.may_override(trees, k, name, scope))
                    })
                });
        if local {
            return vec![(name.to_string(), Some(i))];
        }
        let defines = trees.definers.get(name).is_some_and(|ds| ds.contains(&i));
        match trees.includers(i, name, v).filter(|_| !defines) {
            Some(ks) => ks.iter().map(|&k| (name.to_string(), Some(k))).collect(),
            None => vec![(name.to_string(), None)],
        }
    }
}

impl Liveness {
    /// Whether a definition of `name` in file `k` may be what a bare call in
    /// `scope` (which defines it) means: the same class reopened, a
    /// subclass (through the superclasses the files name), a class mixing
    /// the module in; or `k` not parsed.
    fn may_override(&self, trees: &Trees, k: usize, name: &str, scope: &Scope) -> bool {
        let Some(pk) = self.parsed.get(&k) else {
            return true;
        };
        let text = trees.texts[k].now.as_str();
        if scope.module && mixes_in(text, scope.last()) {
            return true;
        }
        pk.defs.iter().filter(|d| d.name == name).any(|d| {
            let Some(theirs) = pk.scope(d.ctx.scope) else {
                return false;
            };
            if theirs.full == scope.full {
                return true;
            }
            // Up the superclasses, by last name, a few steps.
            let mut sup = theirs.superclass.clone();
            for _ in 0..8 {
                let Some(s) = sup else {
                    return false;
                };
                if s == scope.last() {
                    return true;
                }
                sup = trees.supers.get(&s).cloned();
            }
            true
        })
    }
}

/// The texts of the trees and what the sweep knows of them.
struct Trees {
    texts: Vec<Text>,
    index: Index,
    /// The files that define each name (a line scan; both versions).
    definers: HashMap<String, Vec<usize>>,
    /// Per file holding no `class`, the files that mix in the one module of
    /// it that some file mixes in (a bare call in it means their methods).
    mixed_into: Vec<Option<Vec<usize>>>,
    /// Per class name (last segment), its superclass (last segment), as
    /// `class X < Y` lines give it.
    supers: HashMap<String, String>,
}

impl Trees {
    /// The files whose definitions a bare mention of `name` in file `i`
    /// (which defines none of the names considered) can mean, when those
    /// are known: `i` is a module that the classes of some files mix in,
    /// each of which defines `name`, and `i` names it only bare. `None`:
    /// any definition.
    fn includers(&self, i: usize, name: &str, v: Version) -> Option<&[usize]> {
        let ks = self.mixed_into[i].as_deref()?;
        let defs = self.definers.get(name)?;
        let text = self.texts[i].get(v);
        (ks.iter().all(|k| defs.contains(k))
            && occurrences(text, name).all(|at| free_mention(text, at)))
        .then_some(ks)
    }
}

/// Per class name, its superclass (last segments; a line scan).
fn supers(texts: &[Text]) -> HashMap<String, String> {
    let last = |m: &str| {
        let m = m.trim();
        m.rsplit("::").next().unwrap_or(m).to_string()
    };
    let mut out = HashMap::new();
    for t in texts {
        for l in t.now.lines() {
            if let Some((name, sup)) = l
                .trim_start()
                .strip_prefix("class ")
                .and_then(|r| r.split_once('<'))
            {
                if let (Some(n), Some(s)) = (
                    name.split_whitespace().next(),
                    sup.split_whitespace().next(),
                ) {
                    if n != "<" && !s.starts_with('<') {
                        out.insert(last(n), last(s));
                    }
                }
            }
        }
    }
    out
}

/// Per file: if it holds no `class` and exactly one of its `module`s is
/// mixed in (`include`, `extend`, `prepend`) by some files, those files.
fn mixed_into(texts: &[Text]) -> Vec<Option<Vec<usize>>> {
    let mut by_module: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, t) in texts.iter().enumerate() {
        for l in t.now.lines() {
            let l = l.trim_start();
            for k in ["include ", "extend ", "prepend "] {
                if let Some(rest) = l.strip_prefix(k) {
                    for m in rest.split(',') {
                        let m = m.trim();
                        let m = m.rsplit("::").next().unwrap_or(m);
                        if !m.is_empty() && m.bytes().all(is_word) {
                            by_module.entry(m).or_default().push(i);
                        }
                    }
                }
            }
        }
    }
    texts
        .iter()
        .map(|t| {
            let mut modules = Vec::new();
            for l in t.now.lines() {
                let l = l.trim_start();
                if l.starts_with("class ") {
                    return None;
                }
                if let Some(rest) = l.strip_prefix("module ") {
                    let m = rest.split_whitespace().next().unwrap_or("");
                    let m = m.rsplit("::").next().unwrap_or(m);
                    if let Some(ks) = by_module.get(m) {
                        modules.push(ks);
                    }
                }
            }
            match modules.as_slice() {
                [ks] => {
                    let mut ks = ks.to_vec();
                    ks.sort_unstable();
                    ks.dedup();
                    Some(ks)
                }
                _ => None,
            }
        })
        .collect()
}

/// The parses of the files, per (file, version `Now`).
type Cache = HashMap<(usize, bool), std::sync::Arc<Parsed>>;

/// Works out which names are live: `index` has the occurrences in each
/// file, `definers` the files that define each name. A bare mention of a
/// name in a file that defines it as a private method in the same context
/// means that method only (`gitaly_migrate` in `Backup::Repository` does not
/// keep `Gitlab::Git::Repository#gitaly_migrate` live); any other mention
/// means every definition of the name.
fn liveness(
    trees: &Trees,
    v: Version,
    considered: &HashSet<String>,
    cache: &mut Cache,
    staying: &HashSet<Key>,
) -> Liveness {
    let Trees {
        texts,
        index,
        definers,
        ..
    } = trees;
    let set: HashSet<&str> = considered.iter().map(String::as_str).collect();
    // A name that a file defining none of the considered names names is live
    // whatever those definitions say: its definitions need not be parsed
    // (but those of the fixed files always are, for the notes).
    let definer_files: HashSet<usize> = considered
        .iter()
        .filter_map(|n| definers.get(n))
        .flatten()
        .copied()
        .collect();
    let mut surely: HashSet<&str> = HashSet::new();
    for i in (0..texts.len()).filter(|i| !definer_files.contains(i)) {
        for name in index.get(v, i).keys() {
            if let Some(n) = set.get(name.as_str()) {
                if trees.includers(i, n, v).is_none() {
                    surely.insert(n);
                }
            }
        }
    }
    // The definitions of the considered names, file by file.
    let mut files: Vec<usize> = considered
        .iter()
        .filter(|n| !surely.contains(n.as_str()))
        .filter_map(|n| definers.get(n))
        .flatten()
        .copied()
        .chain(
            definer_files
                .iter()
                .copied()
                .filter(|&i| texts[i].planned.is_some()),
        )
        .collect();
    files.sort_unstable();
    files.dedup();
    let now = v == Version::Now;
    let missing: Vec<usize> = files
        .iter()
        .copied()
        .filter(|&i| !cache.contains_key(&(i, now)))
        .collect();
    let fresh: Vec<(usize, Parsed)> = missing
        .par_iter()
        .map(|&i| (i, all_defs(texts[i].get(v))))
        .collect();
    for (i, p) in fresh {
        cache.insert((i, now), std::sync::Arc::new(p));
    }
    let mut defs: HashMap<usize, Vec<Def>> = HashMap::new();
    let mut parsed: HashMap<usize, std::sync::Arc<Parsed>> = HashMap::new();
    for i in files {
        let all = cache
            .entry((i, now))
            .or_insert_with(|| std::sync::Arc::new(all_defs(texts[i].get(v))))
            .clone();
        let mine: Vec<Def> = all
            .defs
            .iter()
            .filter(|d| set.contains(d.name.as_str()))
            .cloned()
            .collect();
        if !mine.is_empty() {
            defs.insert(i, mine);
            parsed.insert(i, all);
        }
    }
    let mut l = Liveness {
        live: HashSet::new(),
        roots: HashMap::new(),
        global: HashSet::new(),
        local: HashSet::new(),
        defs,
        parsed,
    };
    // The mentions inside the considered definitions (each in the innermost)
    // are edges from that definition; the others are roots.
    let mut edges: HashMap<(String, usize), HashSet<Key>> = HashMap::new();
    let mut live: HashSet<Key> = staying.clone();
    for (&i, ds) in &l.defs {
        let text = texts[i].get(v);
        let mut sorted: Vec<&Def> = ds.iter().collect();
        sorted.sort_by_key(|d| d.end - d.start);
        let mut owner: HashMap<usize, &Def> = HashMap::new();
        for d in &sorted {
            // The comment block above a definition goes with it: what it
            // names (`# Blob.find_entry_by_path(…) # => …`) is the
            // definition's own mention, not a use.
            let (from, _) = with_comments(text, d.start, d.end);
            for (at, t) in tokens(&text[from..d.end]) {
                if set.contains(t) {
                    owner.entry(from + at).or_insert(d);
                }
            }
        }
        for (at, t) in tokens(text) {
            if !set.contains(t) {
                continue;
            }
            let keys = l.keys(trees, v, i, t, at);
            match owner.get(&at) {
                // `x.name` in `def name`: another object's method, maybe
                // another method of that name: after the fix, it keeps the
                // name live; before it, it does not make it live (a method
                // whose only caller was its own legacy body, `other.name`,
                // was not made dead by the fix).
                Some(d)
                    if !(v == Version::Now
                        && t == d.name
                        && at > d.start
                        && called_on_other(&text[d.start..at])) =>
                {
                    if t != d.name {
                        edges.entry((d.name.clone(), i)).or_default().extend(keys);
                    }
                }
                _ => {
                    let files = l.roots.entry(t.to_string()).or_default();
                    if files.last() != Some(&i) {
                        files.push(i);
                    }
                    for key in keys {
                        match key.1 {
                            None => l.global.insert(t.to_string()),
                            Some(k) => l.local.insert((t.to_string(), k)),
                        };
                        live.insert(key);
                    }
                }
            }
        }
    }
    for i in (0..texts.len()).filter(|i| !l.defs.contains_key(i)) {
        for (name, _) in index.get(v, i).iter().filter(|(_, &n)| n > 0) {
            if set.contains(name.as_str()) {
                l.roots.entry(name.clone()).or_default().push(i);
                match trees.includers(i, name, v) {
                    Some(ks) => {
                        for &k in ks {
                            l.local.insert((name.clone(), k));
                            live.insert((name.clone(), Some(k)));
                        }
                    }
                    None => {
                        l.global.insert(name.clone());
                        live.insert((name.clone(), None));
                    }
                }
            }
        }
    }
    for files in l.roots.values_mut() {
        files.sort_unstable();
        files.dedup();
    }
    let mut def_files: HashMap<&str, Vec<usize>> = HashMap::new();
    for (&i, ds) in &l.defs {
        for d in ds {
            def_files.entry(d.name.as_str()).or_default().push(i);
        }
    }
    let mut work: Vec<Key> = live.iter().cloned().collect();
    while let Some((name, at)) = work.pop() {
        let sources: Vec<usize> = match at {
            Some(i) => vec![i],
            None => def_files.get(name.as_str()).cloned().unwrap_or_default(),
        };
        for i in sources {
            for m in edges.get(&(name.clone(), i)).into_iter().flatten() {
                if live.insert(m.clone()) {
                    work.push(m.clone());
                }
            }
        }
    }
    l.live = live;
    l
}

/// What the sweep did.
#[derive(Debug, Default)]
pub struct Swept {
    /// `shown:line `name``, for the notes.
    pub deleted: Vec<String>,
}

/// Finds the definitions the fix made dead in the trees of `components`
/// (`tree`: their texts, as [`tree_texts`] read them) and, with `delete`, deletes them from the
/// plan's files (adding files the fix did not otherwise change); without,
/// lists them as unused. Either way, lists the names kept because only specs
/// or other components still name them.
pub fn sweep(
    plan: &mut super::Plan,
    components: &[crate::component::Component],
    tree: &[TreeText],
    delete: bool,
) -> Swept {
    let fixed: Vec<usize> = (0..plan.files.len())
        .filter(|&i| {
            let f = &plan.files[i];
            f.abandoned.is_none() && f.fixed != f.original && f.path_is_ruby()
        })
        .collect();
    if fixed.is_empty() {
        return Swept::default();
    }
    let canon = |p: &std::path::Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let planned: HashMap<PathBuf, usize> = fixed
        .iter()
        .map(|&i| (canon(&plan.files[i].path), i))
        .collect();
    let mut texts: Vec<Text> = tree
        .par_iter()
        .map(|e| {
            let shown = format!(
                "{}:{}",
                components.get(e.component).map_or("", |c| c.name.as_str()),
                e.rel
            );
            let test = crate::frontend::ruby::is_test_path(&e.rel);
            if let Some(&i) = planned.get(&e.canon) {
                let f = &plan.files[i];
                return Text {
                    path: f.path.clone(),
                    shown: f.shown.clone(),
                    component: e.component,
                    test,
                    original: f.original.clone(),
                    now: f.fixed.clone(),
                    planned: Some(i),
                };
            }
            Text {
                path: e.path.clone(),
                shown,
                component: e.component,
                test,
                original: e.text.clone(),
                now: e.text.clone(),
                planned: None,
            }
        })
        .collect();
    // A fixed file the walk did not give (excluded): still swept.
    for &i in &fixed {
        if !texts.iter().any(|t| t.planned == Some(i)) {
            let f = &plan.files[i];
            texts.push(Text {
                path: f.path.clone(),
                shown: f.shown.clone(),
                component: usize::MAX,
                test: false,
                original: f.original.clone(),
                now: f.fixed.clone(),
                planned: Some(i),
            });
        }
    }
    // Which files define which names (a line scan; both versions).
    let mut definers: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, t) in texts.iter().enumerate() {
        let mut names: HashSet<&str> = defined_names(&t.original).into_iter().collect();
        names.extend(defined_names(&t.now));
        for n in names {
            definers.entry(n.to_string()).or_default().push(i);
        }
    }
    // The seed: names the fix removed from a file, that something defines.
    let mut considered: HashSet<String> = HashSet::new();
    let index = {
        let defined: HashSet<&str> = definers.keys().map(String::as_str).collect();
        Index::new(&texts, &defined)
    };
    // Named without a receiver (a call that can only mean a method of the
    // same object, or a name passed around), or with one (`repo.rugged_x`:
    // `x.foo` may be anything's `foo`, so such a name goes only if nothing
    // in the trees names it any more, liveness decides; and not if Ruby's
    // core classes have a method of that name: `output.scrub`).
    {
        let defined: HashSet<&str> = definers.keys().map(String::as_str).collect();
        for t in texts.iter().filter(|t| t.planned.is_some()) {
            let (free_after, after) = (count_free(&t.now, &defined), count(&t.now, &defined));
            let free_before = count_free(&t.original, &defined);
            for (name, n) in count(&t.original, &defined) {
                let of = |m: &HashMap<String, u32>| m.get(&name).copied().unwrap_or(0);
                let free = of(&free_after) < of(&free_before);
                let called = of(&after) < n && !core_method(&name);
                if (free || called) && deletable_name(&name) {
                    considered.insert(name);
                }
            }
        }
    }
    if considered.is_empty() {
        return Swept::default();
    }
    let mixed_into = mixed_into(&texts);
    let supers = supers(&texts);
    let trees = Trees {
        texts,
        index,
        definers,
        mixed_into,
        supers,
    };
    let (texts, index, definers) = (&trees.texts, &trees.index, &trees.definers);
    let mut cache: Cache = HashMap::new();
    // Grow the considered set through what the definitions of names that
    // might be dead name, until it is closed (a cycle of legacy helpers is
    // then seen whole).
    let (now, orig) = loop {
        let now = liveness(
            &trees,
            Version::Now,
            &considered,
            &mut cache,
            &HashSet::new(),
        );
        let mut grown = false;
        if considered.len() < 5_000 {
            let mut more = Vec::new();
            for (&i, ds) in &now.defs {
                for d in ds.iter().filter(|d| !now.rooted(&d.name, i)) {
                    let text = &texts[i].now;
                    for (at, t) in tokens(&text[d.start..d.end]) {
                        if !considered.contains(t)
                            && definers.contains_key(t)
                            && deletable_name(t)
                            && free_mention(text, d.start + at)
                        {
                            more.push(t.to_string());
                        }
                    }
                }
            }
            // A name kept live only by a few mentions inside other methods:
            // those methods are considered too (a legacy helper that calls
            // back the one that called it: the cycle is then seen whole).
            for (name, files) in &now.roots {
                let total: u32 = files
                    .iter()
                    .map(|&i| index.get(Version::Now, i)[name])
                    .sum();
                if total > 4 {
                    continue;
                }
                let mut callers = Vec::new();
                let mut outside = false;
                for &i in files {
                    let text = &texts[i].now;
                    let all = &cache
                        .entry((i, true))
                        .or_insert_with(|| std::sync::Arc::new(all_defs(text)))
                        .defs;
                    for at in occurrences(text, name) {
                        let inner = all
                            .iter()
                            .filter(|d| d.start <= at && at < d.end)
                            .min_by_key(|d| d.end - d.start);
                        match inner {
                            Some(d) if &d.name == name || considered.contains(&d.name) => {}
                            Some(d) if deletable_name(&d.name) => callers.push(d.name.clone()),
                            _ => outside = true,
                        }
                    }
                }
                if !outside {
                    more.extend(callers);
                }
            }
            for m in more {
                grown |= considered.insert(m);
            }
        }
        if !grown {
            let orig = liveness(
                &trees,
                Version::Original,
                &considered,
                &mut cache,
                &HashSet::new(),
            );
            break (now, orig);
        }
    };
    // A method the fix edited (a toggle's) is code the fix keeps: what its
    // removed branch named was in use before the fix, even where the method
    // is public API nothing in the trees calls (its flag, `:branch_count`,
    // often its own name, brings it into the considered set).
    let edited: HashSet<String> = orig
        .defs
        .iter()
        .filter(|(&i, _)| texts[i].planned.is_some())
        .flat_map(|(&i, ds)| {
            let (before, after) = (&texts[i].original, &texts[i].now);
            let later = now.defs.get(&i);
            ds.iter().filter_map(move |d| {
                let same: Vec<&Def> = later?.iter().filter(|x| x.name == d.name).collect();
                let changed = !same.is_empty()
                    && !same
                        .iter()
                        .any(|x| after[x.start..x.end] == before[d.start..d.end]);
                changed.then(|| d.name.clone())
            })
        })
        .collect();
    let alone = orig;
    let with_edited = (!edited.is_empty()).then(|| {
        liveness(
            &trees,
            Version::Original,
            &considered,
            &mut cache,
            &edited.iter().map(|n| (n.clone(), None)).collect(),
        )
    });
    let orig = with_edited.as_ref().unwrap_or(&alone);
    // What stays keeps what it names: the names that were not live before
    // (code already unused: left alone; an edited method counts as unused
    // if nothing but itself made it live), and those with a definition that
    // may not be deleted (see `mixed_in` below).
    let mixed_in = |d: &Def| {
        d.module.as_deref().is_some_and(|m| {
            texts
                .iter()
                .filter(|t| t.planned.is_some())
                .any(|t| mixes_in(&t.original, m))
        })
    };
    let mut staying: HashSet<Key> = considered
        .iter()
        .filter(|n| edited.contains(*n) && !alone.any_live(n))
        .map(|n| (n.clone(), None))
        .collect();
    for (&i, ds) in &orig.defs {
        for d in ds.iter().filter(|d| !orig.def_live(&d.name, i)) {
            staying.insert((d.name.clone(), Some(i)));
        }
    }
    // A definition that may not be deleted keeps what it names, not its name:
    // another definition of that name (in the module a fixed file mixes in)
    // may still be dead.
    for (&i, ds) in &now.defs {
        if texts[i].planned.is_some() {
            continue;
        }
        for d in ds.iter().filter(|d| !mixed_in(d)) {
            let text = &texts[i].now;
            staying.extend(
                tokens(&text[d.start..d.end])
                    .filter(|&(_, t)| t != d.name && considered.contains(t))
                    .flat_map(|(at, t)| now.keys(&trees, Version::Now, i, t, d.start + at)),
            );
        }
    }
    let now = liveness(&trees, Version::Now, &considered, &mut cache, &staying);
    // Per file: the dead definitions (a name is deleted only where every
    // definition of it in the file is at the top of its nesting: a def inside
    // a dead def goes with it).
    // A definition in a file the fix did not change goes only if it is in a
    // module a fixed file mixes in (the legacy helpers of `Repository` in
    // `RepositoryMirroring`): elsewhere, a method of the same name may be a
    // callback its framework calls unnamed (`scrub`, `perform`).
    let mut by_file: BTreeMap<usize, Vec<Def>> = BTreeMap::new();
    for (&i, ds) in &now.defs {
        let planned = texts[i].planned.is_some();
        let mut mine: Vec<Def> = ds
            .iter()
            .filter(|d| {
                orig.def_live(&d.name, i) && !now.def_live(&d.name, i) && (planned || mixed_in(d))
            })
            .cloned()
            .collect();
        mine.sort_by_key(|d| d.start);
        let mut outer: Vec<Def> = Vec::new();
        for d in mine {
            if outer.last().is_some_and(|o| d.start < o.end) {
                continue;
            }
            outer.push(d);
        }
        if !outer.is_empty() {
            by_file.insert(i, outer);
        }
    }
    // Names kept because only specs or another component name them now,
    // where the fix removed a mention from a file of their component. A
    // mention counts outside the name's own definitions (in a method that
    // names it, live or not: `def list_files; repo.x; end` in another
    // component may be an API nothing calls).
    let outside = |v: Version, l: &Liveness, j: usize, name: &str| -> u32 {
        let n = index.get(v, j).get(name).copied().unwrap_or(0);
        let own: usize = l
            .defs
            .get(&j)
            .into_iter()
            .flatten()
            .filter(|d| d.name == name)
            .map(|d| {
                tokens(&texts[j].get(v)[d.start..d.end])
                    .filter(|&(_, t)| t == name)
                    .count()
            })
            .sum();
        n.saturating_sub(own as u32)
    };
    let mut kept: HashMap<usize, Vec<Unused>> = HashMap::new();
    for (&i, ds) in &now.defs {
        if texts[i].planned.is_none() {
            continue;
        }
        for d in ds {
            if !orig.def_live(&d.name, i) || !now.def_live(&d.name, i) {
                continue;
            }
            let comp = texts[i].component;
            let foreign = |j: &usize| texts[*j].test || texts[*j].component != comp;
            let was_local = (0..texts.len()).any(|j| {
                texts[j].planned.is_some()
                    && !foreign(&j)
                    && outside(Version::Original, orig, j, &d.name)
                        > outside(Version::Now, &now, j, &d.name)
            });
            let namers: Vec<usize> = (0..texts.len())
                .filter(|&j| outside(Version::Now, &now, j, &d.name) > 0)
                .collect();
            if was_local && !namers.is_empty() && namers.iter().all(foreign) {
                let j = namers[0];
                let why = if texts[j].test {
                    format!("{} {}", super::NAMED_IN_SPEC, texts[j].shown)
                } else {
                    format!("named in another component: {}", texts[j].shown)
                };
                kept.entry(i).or_default().push(Unused {
                    name: d.name.clone(),
                    line: d.line,
                    reason: why,
                });
            }
        }
    }
    let mut swept = Swept::default();
    for (i, v) in kept {
        if let Some(p) = texts[i].planned {
            plan.files[p].dead.extend(v);
        }
    }
    for (i, ds) in by_file {
        let t = &texts[i];
        let orig_line = |name: &str| {
            orig.defs
                .get(&i)
                .and_then(|o| o.iter().find(|d| d.name == name))
                .map(|d| d.line)
        };
        if !delete {
            let unused = ds.iter().map(|d| Unused {
                name: d.name.clone(),
                line: d.line,
                reason: "only the removed legacy code named it".into(),
            });
            match t.planned {
                Some(p) => plan.files[p].dead.extend(unused),
                // A mixed-in module the fix did not change: listed, unchanged.
                None => plan.files.push(super::FilePlan {
                    path: t.path.clone(),
                    shown: t.shown.clone(),
                    original: t.original.clone(),
                    fixed: t.original.clone(),
                    abandoned: None,
                    dead: unused.collect(),
                    deleted: Vec::new(),
                    helpers: Vec::new(),
                    inlined: Vec::new(),
                    specs: Vec::new(),
                }),
            }
            continue;
        }
        let cleaned = delete_defs(&t.now, &ds);
        if super::verify(crate::model::Language::Ruby, "", &t.original, &cleaned).is_err() {
            continue;
        }
        let gone: Vec<Deleted> = ds
            .iter()
            .map(|d| Deleted {
                name: d.name.clone(),
                line: orig_line(&d.name).unwrap_or(d.line),
            })
            .collect();
        swept.deleted.extend(
            gone.iter()
                .map(|d| format!("{}:{} `{}`", t.shown, d.line, d.name)),
        );
        match t.planned {
            Some(p) => {
                let f = &mut plan.files[p];
                for x in &mut f.inlined {
                    x.line = super::moved_line(&f.fixed, &cleaned, x.line);
                }
                for x in &mut f.dead {
                    x.line = super::moved_line(&f.fixed, &cleaned, x.line);
                }
                f.fixed = cleaned;
                f.deleted.extend(gone);
            }
            None => plan.files.push(super::FilePlan {
                path: t.path.clone(),
                shown: t.shown.clone(),
                original: t.original.clone(),
                fixed: cleaned,
                abandoned: None,
                dead: Vec::new(),
                deleted: gone,
                helpers: Vec::new(),
                inlined: Vec::new(),
                specs: Vec::new(),
            }),
        }
    }
    for f in &mut plan.files {
        f.dead.sort_by_key(|d| d.line);
        f.deleted.sort_by_key(|d| d.line);
    }
    swept
}

/// Whether the text before a name ends in a call on something other than
/// `self` (`repo.`, `client&.`).
fn called_on_other(before: &str) -> bool {
    let b = before.trim_end();
    let Some(b) = b.strip_suffix('.') else {
        return false;
    };
    let b = b.strip_suffix('&').unwrap_or(b);
    let on_self = b
        .strip_suffix("self")
        .is_some_and(|r| !r.ends_with(|c: char| is_word(c as u8) || c == '.'));
    !on_self
}

fn deletable_name(name: &str) -> bool {
    !IMPLICIT.contains(&name) && !name.ends_with('=') && name.len() > 1
}

/// Deletes the definitions (each with the comment block directly above it),
/// then the `private` / `protected` keywords left with nothing under them.
/// Neighbouring definitions (only blank lines between) go as one deletion,
/// so that no blank line is left before an `end` or after a `class` /
/// `module` line.
fn delete_defs(text: &str, defs: &[Def]) -> String {
    let edits = deletions(text, defs.iter().map(|d| (d.start, d.end)).collect());
    let out = super::apply_edits(text, edits);
    drop_empty_sections(&out)
}

/// The edits that delete the statements or definitions `ranges` (byte
/// ranges of their nodes), each with its lines and the comment block directly
/// above it; deletions with only blank lines between them merge, and the
/// blank line left before a closing `end` or after a `class` line goes
/// ([`with_blank`]).
pub(crate) fn deletions(text: &str, mut ranges: Vec<(usize, usize)>) -> Vec<Edit> {
    ranges.sort_unstable();
    let mut lines: Vec<(usize, usize)> = Vec::new();
    for (start, end) in ranges {
        let (s, e) = with_comments(text, start, end);
        match lines.last_mut() {
            Some(last) if s <= last.1 || text[last.1..s].trim().is_empty() => {
                last.1 = last.1.max(e);
            }
            _ => lines.push((s, e)),
        }
    }
    lines
        .into_iter()
        .map(|(s, e)| {
            let (s, e) = with_blank(text, s, e);
            Edit::new(s, e, String::new())
        })
        .collect()
}

/// The lines of `start..end`, with the comment lines directly above (no
/// blank line between).
fn with_comments(text: &str, start: usize, end: usize) -> (usize, usize) {
    let mut s = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let e = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    while s > 0 {
        let prev = text[..s - 1].rfind('\n').map_or(0, |i| i + 1);
        let line = text[prev..s].trim();
        if line.starts_with('#')
            && !line.starts_with("#!")
            && !line.contains("frozen_string_literal")
        {
            s = prev;
        } else {
            break;
        }
    }
    (s, e)
}

/// The whole lines `s..e`, with the blank line their deletion would leave
/// before an `end` (or at the end of the text), or after a `class` /
/// `module` line.
fn with_blank(text: &str, mut s: usize, mut e: usize) -> (usize, usize) {
    let next = text[e..].lines().next().unwrap_or("").trim();
    let prev = (s > 0).then(|| text[..s - 1].rfind('\n').map_or(0, |i| i + 1));
    let prev_line = prev.map_or("", |p| text[p..s].trim());
    if let Some(p) = prev {
        if (next == "end" || next == "}" || e >= text.len()) && prev_line.is_empty() {
            s = p;
        }
    }
    let opener = prev_line.starts_with("class ") || prev_line.starts_with("module ");
    if opener && e < text.len() && next.is_empty() {
        e = text[e..].find('\n').map_or(text.len(), |i| e + i + 1);
    }
    (s, e)
}

/// `private` / `protected` (bare) with nothing but comments and blank lines
/// after it in its body: deleted, with the blank line before it.
fn drop_empty_sections(text: &str) -> String {
    let Some(tree) = super::ruby::parse(text) else {
        return text.to_string();
    };
    let mut edits = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(n) = stack.pop() {
        let mut c = n.walk();
        let kids: Vec<Node> = n.named_children(&mut c).collect();
        for (k, child) in kids.iter().enumerate() {
            if child.kind() == "identifier"
                && matches!(&text[child.byte_range()], "private" | "protected")
                && kids[k + 1..].iter().all(|s| s.kind() == "comment")
                && n.kind() == "body_statement"
            {
                let (s, e) = with_comments_after_blank(text, child.start_byte(), child.end_byte());
                edits.push(Edit::new(s, e, String::new()));
            }
            stack.push(*child);
        }
    }
    if edits.is_empty() {
        return text.to_string();
    }
    super::apply_edits(text, edits)
}

/// The line of `start..end` and the blank line before it (and one after it,
/// before an `end`).
fn with_comments_after_blank(text: &str, start: usize, end: usize) -> (usize, usize) {
    let mut s = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let mut e = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    if s > 0 {
        let prev = text[..s - 1].rfind('\n').map_or(0, |i| i + 1);
        if text[prev..s].trim().is_empty() {
            s = prev;
        }
    }
    let mut after = text[e..].lines();
    if after.next().is_some_and(|l| l.trim().is_empty())
        && after
            .next()
            .is_some_and(|l| matches!(l.trim(), "end" | "}"))
    {
        e = text[e..].find('\n').map_or(text.len(), |i| e + i + 1);
    }
    (s, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sweeps a tree of one component `ce` written to a temporary directory:
    /// each file `(path, original, fixed)`, planned when the two differ. The
    /// plan's files after the sweep, by path, and the deletion notes.
    fn sweep_tree(
        files: &[(&str, &str, &str)],
        delete: bool,
    ) -> (BTreeMap<String, super::super::FilePlan>, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let mut plan = super::super::Plan {
            files: Vec::new(),
            outcomes: BTreeMap::new(),
            kept: BTreeMap::new(),
        };
        for (rel, original, fixed) in files {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, original).unwrap();
            if original != fixed {
                plan.files.push(super::super::FilePlan {
                    path,
                    shown: format!("ce:{rel}"),
                    original: original.to_string(),
                    fixed: fixed.to_string(),
                    abandoned: None,
                    dead: Vec::new(),
                    deleted: Vec::new(),
                    helpers: Vec::new(),
                    inlined: Vec::new(),
                    specs: Vec::new(),
                });
            }
        }
        let components = [crate::component::Component {
            name: "ce".into(),
            root: dir.path().to_path_buf(),
        }];
        let walk = crate::discover::WalkOptions {
            exclude: Vec::new(),
            default_excludes: true,
            respect_gitignore: false,
            follow_links: false,
            threads: 1,
        };
        let tree = tree_texts(&components, &walk);
        let swept = sweep(&mut plan, &components, &tree, delete);
        let by_path = plan
            .files
            .into_iter()
            .map(|f| (f.shown.trim_start_matches("ce:").to_string(), f))
            .collect();
        (by_path, swept.deleted)
    }

    const TOGGLE: &str = "class Repository\n  def branch_count\n    gitaly_migrate(:branch_count) do |is_enabled|\n      if is_enabled\n        gitaly_ref_client.count_branch_names\n      else\n        rugged_branch_count\n      end\n    end\n  end\n\n  private\n\n  def rugged_branch_count\n    rugged.branches.count\n  end\nend\n";
    const FIXED: &str = "class Repository\n  def branch_count\n    gitaly_ref_client.count_branch_names\n  end\n\n  private\n\n  def rugged_branch_count\n    rugged.branches.count\n  end\nend\n";

    #[test]
    fn the_legacy_helper_of_a_toggle_method_nothing_calls_is_dead() {
        // `branch_count` is public API nothing in the tree calls, and its flag
        // is its own name: the helper its legacy branch called still goes.
        let (files, deleted) = sweep_tree(&[("lib/repository.rb", TOGGLE, FIXED)], true);
        assert_eq!(deleted, ["ce:lib/repository.rb:14 `rugged_branch_count`"]);
        assert_eq!(
            files["lib/repository.rb"].fixed,
            "class Repository\n  def branch_count\n    gitaly_ref_client.count_branch_names\n  end\nend\n"
        );
    }

    #[test]
    fn a_same_named_method_of_an_unrelated_class_does_not_keep_the_mixed_in_one() {
        let original = TOGGLE
            .replace(
                "class Repository\n",
                "class Repository\n  include Mirroring\n\n",
            )
            .replace(
                "\n  private\n\n  def rugged_branch_count\n    rugged.branches.count\n  end\n",
                "",
            );
        let fixed = FIXED
            .replace(
                "class Repository\n",
                "class Repository\n  include Mirroring\n\n",
            )
            .replace(
                "\n  private\n\n  def rugged_branch_count\n    rugged.branches.count\n  end\n",
                "",
            );
        let mixed = "module Mirroring\n  def remote_names\n    rugged.remotes\n  end\n\n  def rugged_branch_count\n    rugged.branches.count\n  end\nend\n";
        let other = "class Audit\n  def rugged_branch_count\n    audit_branches.count\n  end\n\n  def audit_branches\n    []\n  end\nend\n";
        let (files, deleted) = sweep_tree(
            &[
                ("lib/repository.rb", &original, &fixed),
                ("lib/mirroring.rb", mixed, mixed),
                ("lib/audit.rb", other, other),
            ],
            true,
        );
        // From the module the class mixes in: deleted. From the unrelated
        // class: kept, with what it names.
        assert_eq!(deleted, ["ce:lib/mirroring.rb:6 `rugged_branch_count`"]);
        assert_eq!(
            files["lib/mirroring.rb"].fixed,
            "module Mirroring\n  def remote_names\n    rugged.remotes\n  end\nend\n"
        );
        assert!(!files.contains_key("lib/audit.rb"));
        // With --keep-dead, the module's is listed, the file unchanged.
        let (files, deleted) = sweep_tree(
            &[
                ("lib/repository.rb", &original, &fixed),
                ("lib/mirroring.rb", mixed, mixed),
                ("lib/audit.rb", other, other),
            ],
            false,
        );
        assert!(deleted.is_empty(), "{deleted:?}");
        let f = &files["lib/mirroring.rb"];
        assert_eq!(f.fixed, f.original);
        assert_eq!(
            f.dead,
            [Unused {
                name: "rugged_branch_count".into(),
                line: 6,
                reason: "only the removed legacy code named it".into(),
            }]
        );
        assert!(!files.contains_key("lib/audit.rb"));
    }

    #[test]
    fn a_helper_only_a_spec_or_another_component_names_is_kept_and_listed() {
        // The removed mention was in the toggle method (considered: its flag
        // is its name); what names the helper now is the spec.
        let original = TOGGLE.replace("\n  private\n", "");
        let fixed = FIXED.replace("\n  private\n", "");
        let spec =
            "describe Repository do\n  it { expect(repo.rugged_branch_count).to eq(1) }\nend\n";
        let (files, deleted) = sweep_tree(
            &[
                ("lib/repository.rb", &original, &fixed),
                ("spec/repository_spec.rb", spec, spec),
            ],
            true,
        );
        assert!(deleted.is_empty(), "{deleted:?}");
        assert_eq!(
            files["lib/repository.rb"].dead,
            [Unused {
                name: "rugged_branch_count".into(),
                line: 6,
                reason: "named in the spec ce:spec/repository_spec.rb".into(),
            }]
        );
        assert_eq!(files["lib/repository.rb"].fixed, fixed);
        // Below a deleted one, its line is the line in the text written.
        let original = original.replace(
            "        rugged_branch_count\n",
            "        rugged_branch_count + rugged_tag_count\n",
        );
        let fixed = fixed.replace(
            "\n  def rugged_branch_count",
            "\n  def rugged_tag_count\n    rugged.tags.count\n  end\n\n  def rugged_branch_count",
        );
        let original = original.replace(
            "\n  def rugged_branch_count",
            "\n  def rugged_tag_count\n    rugged.tags.count\n  end\n\n  def rugged_branch_count",
        );
        let (files, deleted) = sweep_tree(
            &[
                ("lib/repository.rb", &original, &fixed),
                ("spec/repository_spec.rb", spec, spec),
            ],
            true,
        );
        assert_eq!(deleted, ["ce:lib/repository.rb:12 `rugged_tag_count`"]);
        let f = &files["lib/repository.rb"];
        assert_eq!(f.fixed.lines().nth(5), Some("  def rugged_branch_count"));
        assert_eq!(f.dead[0].line, 6);
    }

    const BACKUP: &str = "module Backup\n  class Repository\n    def dump\n      gitaly_migrate(:dump) do |is_enabled|\n        if is_enabled\n          gitaly_dump\n        else\n          local_dump\n        end\n      end\n    end\n\n    private\n\n    def gitaly_dump\n      client.dump\n    end\n\n    def local_dump\n      system('tar')\n    end\n\n    def gitaly_migrate(method, &block)\n      Gitlab::GitalyClient.migrate(method, &block)\n    end\n  end\nend\n";
    const BACKUP_FIXED: &str = "module Backup\n  class Repository\n    def dump\n      gitaly_dump\n    end\n\n    private\n\n    def gitaly_dump\n      client.dump\n    end\n\n    def local_dump\n      system('tar')\n    end\n\n    def gitaly_migrate(method, &block)\n      Gitlab::GitalyClient.migrate(method, &block)\n    end\n  end\nend\n";

    #[test]
    fn a_bare_call_means_the_method_of_its_own_class_not_a_same_named_one_elsewhere() {
        // `Gitlab::Git::Repository` still calls its own `gitaly_migrate`
        // (and so does the module it mixes in): that does not keep
        // `Backup::Repository#gitaly_migrate` live.
        let repo = "module Gitlab\n  module Git\n    class Repository\n      include Gitlab::Git::Mirroring\n\n      def size\n        gitaly_migrate(:size) { |on| on ? 1 : 2 }\n      end\n\n      private\n\n      def gitaly_migrate(method, &block)\n        Gitlab::GitalyClient.migrate(method, &block)\n      end\n    end\n  end\nend\n";
        let mirroring = "module Gitlab\n  module Git\n    module Mirroring\n      def remotes\n        gitaly_migrate(:remotes) { |on| on ? 1 : 2 }\n      end\n    end\n  end\nend\n";
        let (files, deleted) = sweep_tree(
            &[
                ("lib/backup/repository.rb", BACKUP, BACKUP_FIXED),
                ("lib/gitlab/git/repository.rb", repo, repo),
                ("lib/gitlab/git/mirroring.rb", mirroring, mirroring),
            ],
            true,
        );
        assert_eq!(
            deleted,
            [
                "ce:lib/backup/repository.rb:19 `local_dump`",
                "ce:lib/backup/repository.rb:23 `gitaly_migrate`",
            ]
        );
        assert!(!files["lib/backup/repository.rb"]
            .fixed
            .contains("gitaly_migrate"));
        assert!(!files.contains_key("lib/gitlab/git/repository.rb"));
        // A module whose includer does not define the name: its bare call
        // may mean any definition, the backup's is kept.
        let repo = repo.replace("gitaly_migrate", "gitaly_call");
        let (_, deleted) = sweep_tree(
            &[
                ("lib/backup/repository.rb", BACKUP, BACKUP_FIXED),
                ("lib/gitlab/git/repository.rb", &repo, &repo),
                ("lib/gitlab/git/mirroring.rb", mirroring, mirroring),
            ],
            true,
        );
        assert_eq!(deleted, ["ce:lib/backup/repository.rb:19 `local_dump`"]);
    }

    #[test]
    fn an_override_a_superclass_calls_bare_is_kept() {
        // `Base#run` calls `hook` bare: on a `Backup::Repository < Base`, that
        // is the subclass's `hook`, even once its own legacy caller is gone.
        let base = "class Base\n  def run\n    hook\n  end\n\n  def hook\n  end\nend\n";
        let sub = |s: &str| {
            s.replace("  class Repository\n", "  class Repository < Base\n")
                .replace("system('tar')", "hook")
                .replace(
                    "\n    def gitaly_migrate",
                    "\n    def hook\n      log\n    end\n\n    def gitaly_migrate",
                )
        };
        let (files, deleted) = sweep_tree(
            &[
                ("lib/backup/repository.rb", &sub(BACKUP), &sub(BACKUP_FIXED)),
                ("lib/base.rb", base, base),
            ],
            true,
        );
        assert_eq!(
            deleted,
            [
                "ce:lib/backup/repository.rb:19 `local_dump`",
                "ce:lib/backup/repository.rb:27 `gitaly_migrate`",
            ]
        );
        assert!(files["lib/backup/repository.rb"].fixed.contains("def hook"));
        // Without the subclassing, the backup's `hook` is its own and goes.
        let alone = |s: &str| sub(s).replace(" < Base", "");
        let (_, deleted) = sweep_tree(
            &[
                (
                    "lib/backup/repository.rb",
                    &alone(BACKUP),
                    &alone(BACKUP_FIXED),
                ),
                ("lib/base.rb", base, base),
            ],
            true,
        );
        assert_eq!(
            deleted,
            [
                "ce:lib/backup/repository.rb:19 `local_dump`",
                "ce:lib/backup/repository.rb:23 `hook`",
                "ce:lib/backup/repository.rb:27 `gitaly_migrate`",
            ]
        );
    }

    #[test]
    fn neighbouring_deleted_defs_leave_no_blank_line_before_end_or_after_module() {
        let text = "class A\n  def a\n  end\n\n  private\n\n  # Legacy.\n  def b\n  end\n\n  def c\n  end\nend\n";
        let names: HashSet<&str> = ["b", "c"].into_iter().collect();
        assert_eq!(
            delete_defs(text, &defs_in(text, &names)),
            "class A\n  def a\n  end\nend\n"
        );
        let text = "class A\n  def a\n  end\n\n  def b\n  end\n\n  def c\n  end\nend\n";
        assert_eq!(
            delete_defs(text, &defs_in(text, &names)),
            "class A\n  def a\n  end\nend\n"
        );
        let text =
            "module M\n  # Legacy.\n  def b\n  end\n\n  def c\n  end\n\n  def d\n  end\nend\n";
        assert_eq!(
            delete_defs(text, &defs_in(text, &names)),
            "module M\n  def d\n  end\nend\n"
        );
    }

    #[test]
    fn tokens_take_predicate_and_bang_names_but_not_not_equal() {
        let t: Vec<&str> = tokens("a.exists? && b!=c; :sym, \"str\" x.save!")
            .map(|(_, t)| t)
            .collect();
        assert_eq!(t, ["a", "exists?", "b", "c", "sym", "str", "x", "save!"]);
    }

    #[test]
    fn defined_names_by_line() {
        let src = "class A\n  REFMAPS = {}.freeze\n  X == 1\n  def self.f(x)\n  end\n  def g?\n  end\nend\n";
        assert_eq!(defined_names(src), ["REFMAPS", "f", "g?"]);
    }

    #[test]
    fn a_deleted_def_takes_its_comments_and_an_empty_private() {
        let text =
            "class A\n  def a\n  end\n\n  private\n\n  # Legacy.\n  # More.\n  def b\n  end\nend\n";
        let names: HashSet<&str> = ["b"].into_iter().collect();
        let defs = defs_in(text, &names);
        assert_eq!(delete_defs(text, &defs), "class A\n  def a\n  end\nend\n");
    }
}
