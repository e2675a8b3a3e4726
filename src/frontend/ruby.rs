//! The Ruby frontend: GitLab-CE and GitLab Shell.
//!
//! Parses a file with tree-sitter-ruby and extracts every reference to a Gitaly
//! feature flag: `gitaly_migrate` and `GitalyClient.migrate` toggles,
//! `feature_enabled?` checks, Flipper calls, `GITALY_*` env vars and test stubs.
//! Comments, strings and heredocs are never references: only call nodes are read.
//!
//! The tree is walked with a cursor, never by recursion, so deeply nested input
//! cannot overflow the stack.

use super::{RawRef, SourceMap};
use crate::model::{Kind, Status};
use std::collections::HashMap;
use tree_sitter::{Node, Tree};

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
const SHARED_EXAMPLES: &[&str] = &["shared_examples", "shared_examples_for", "shared_context"];
const IT_BEHAVES_LIKE: &[&str] = &[
    "it_behaves_like",
    "include_examples",
    "it_should_behave_like",
    "include_context",
];

/// Settings of the Ruby frontend.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Extra wrapper method names, treated like `gitaly_migrate` (`[ruby] toggle_methods`).
    pub toggle_methods: Vec<String>,
    /// `GITALY_*` environment variables that are settings, not flags.
    pub env_ignore: Vec<String>,
    /// Git commands GitLab Shell hands to Gitaly, with their endpoints.
    pub commands: Vec<(String, String)>,
}

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
    /// The file's methods and their call facts, for endpoint inference.
    pub methods: Vec<super::ruby_calls::Method>,
    /// `it_behaves_like 'example', args...` sites, to bind shared-example parameters.
    pub includes: Vec<Include>,
    /// The parser had to recover from syntax errors.
    pub syntax_errors: bool,
}

/// Parses Ruby source with the thread's parser.
pub fn parse(src: &[u8]) -> Option<Tree> {
    super::parse(super::Grammar::Ruby, src)
}

/// Extracts the references of one Ruby file. `is_test` marks test code
/// (`spec/`, `*_spec.rb`): every reference there is a `test-stub`.
pub fn extract(src: &[u8], is_test: bool, opts: &Options) -> Extracted {
    let Some(tree) = parse(src) else {
        return Extracted::default();
    };
    let root = tree.root_node();
    let mut file = FileFacts::collect(root, src, opts);
    let mut refs = Vec::new();
    let candidates = std::mem::take(&mut file.candidates);
    let mut classes: Vec<(usize, String)> = Vec::new();
    for (node, def, class) in candidates {
        file.cur_def = def;
        let before = refs.len();
        file.extract_site(node, &mut refs);
        if refs.len() > before {
            classes.push((node.start_byte(), class));
        }
    }
    if is_test {
        for r in &mut refs {
            r.kind = Kind::TestStub;
        }
    }
    refs.sort_by_key(|r| (r.span.start_byte, r.span.end_byte));
    let includes = file.includes();
    if !is_test {
        for r in refs
            .iter_mut()
            .filter(|r| matches!(r.kind, Kind::Toggle | Kind::Check))
        {
            if let Some(branch) = r.enabled_branch {
                let class = classes
                    .iter()
                    .find(|(start, _)| *start == r.span.start_byte)
                    .map(|(_, c)| c.as_str())
                    .unwrap_or("");
                r.facts = branch_facts(root, branch, class, src);
            }
        }
    }
    // Methods matter for endpoint inference: the wrapper clients (they make
    // `GitalyClient.call`) and the classes whose toggles call their own helpers.
    // Test files are neither.
    let wants_methods =
        !is_test && (!refs.is_empty() || memchr::memmem::find(src, b"GitalyClient.call").is_some());
    let methods = if wants_methods {
        super::ruby_calls::methods(root, src)
    } else {
        Vec::new()
    };
    Extracted {
        refs,
        methods,
        includes,
        syntax_errors: root.has_error(),
    }
}

/// The call facts of the code in a branch span.
fn branch_facts(
    root: Node,
    span: crate::model::Span,
    class: &str,
    src: &[u8],
) -> Vec<super::ruby_calls::CallFact> {
    let Some(node) = root.descendant_for_byte_range(span.start_byte, span.end_byte) else {
        return Vec::new();
    };
    let exact = node.start_byte() == span.start_byte && node.end_byte() == span.end_byte;
    let mut c = node.walk();
    let inside: Vec<Node> = node
        .named_children(&mut c)
        .filter(|n| n.start_byte() >= span.start_byte && n.end_byte() <= span.end_byte)
        .collect();
    let nodes = if exact || inside.is_empty() {
        vec![node]
    } else {
        inside
    };
    super::ruby_calls::facts_of(&nodes, class, src)
}

/// A value a constant or `let` holds, as far as flag names go.
#[derive(Debug, Clone)]
enum Value {
    /// A symbol or string.
    Name(String),
    /// A hash (values) or array (elements): each a flag, perhaps with a status.
    Table(Vec<(String, Option<Status>)>),
}

/// What the first pass learns about a file.
struct FileFacts<'t, 's> {
    src: &'s [u8],
    map: SourceMap<'s>,
    opts: &'s Options,
    consts: HashMap<&'s str, Value>,
    /// Literal keys of constant hashes (Shell's migrated-command tables).
    const_keys: HashMap<&'s str, Vec<String>>,
    lets: HashMap<String, Value>,
    /// Assignments to local variables: (name, index in a multiple assignment,
    /// rhs, enclosing def).
    assigns: Vec<(&'s str, usize, Node<'t>, Option<Node<'t>>)>,
    /// `it_behaves_like 'name', args...` calls.
    behaves_like: Vec<Node<'t>>,
    /// Candidate nodes with their enclosing `def` and class path (tree-sitter's
    /// `parent()` re-descends from the root: never climb to the root for these).
    candidates: Vec<(Node<'t>, Option<Node<'t>>, String)>,
    /// The enclosing `def` of the candidate being extracted.
    cur_def: Option<Node<'t>>,
}

/// How a flag name was written.
enum Name {
    /// Resolved statically, directly or through a constant or `let`.
    Static(Vec<(String, Option<Status>)>),
    /// Looked up in a table: one flag per entry.
    Indirect(Vec<(String, Option<Status>)>),
    /// A parameter of `shared_examples 'example' do |a, b|`: bound by the
    /// `it_behaves_like 'example', ...` sites, possibly in other files.
    SharedParam { example: String, index: usize },
    /// Built at run time.
    Dynamic,
    /// A wrapper passing its own parameter on: not a reference.
    Wrapper,
}

impl<'t, 's> FileFacts<'t, 's>
where
    's: 't,
{
    fn collect(root: Node<'t>, src: &'s [u8], opts: &'s Options) -> Self {
        let mut f = FileFacts {
            src,
            map: SourceMap::new(src),
            opts,
            consts: HashMap::new(),
            const_keys: HashMap::new(),
            lets: HashMap::new(),
            assigns: Vec::new(),
            behaves_like: Vec::new(),
            candidates: Vec::new(),
            cur_def: None,
        };
        super::walk_tree(root, |node, ancestors| {
            f.visit(node, ancestors);
            true
        });
        f
    }

    fn text(&self, node: Node) -> &'s str {
        std::str::from_utf8(&self.src[node.byte_range()]).unwrap_or("")
    }

    fn visit(&mut self, node: Node<'t>, ancestors: &[Node<'t>]) {
        match node.kind() {
            "assignment" => {
                let (Some(left), Some(right)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) else {
                    return;
                };
                match left.kind() {
                    "constant" => {
                        if let Some(v) = self.value_of(right) {
                            self.consts.insert(self.text(left), v);
                        }
                        let keys = self.hash_keys(right);
                        if !keys.is_empty() {
                            self.const_keys.insert(self.text(left), keys);
                        }
                    }
                    "identifier" => {
                        self.assigns
                            .push((self.text(left), 0, right, def_here(ancestors)))
                    }
                    "left_assignment_list" => {
                        let mut c = left.walk();
                        for (i, n) in left.named_children(&mut c).enumerate() {
                            if n.kind() == "identifier" {
                                self.assigns
                                    .push((self.text(n), i, right, def_here(ancestors)));
                            }
                        }
                    }
                    _ => {}
                }
            }
            "pair"
                if node
                    .child_by_field_name("key")
                    .and_then(|k| self.literal(k))
                    .is_some_and(|k| k.starts_with("GITALY_")) =>
            {
                self.candidates.push((
                    node,
                    def_here(ancestors),
                    super::ruby_calls::class_of(ancestors, self.src),
                ));
            }
            "element_reference"
                if node
                    .child_by_field_name("object")
                    .is_some_and(|o| self.text(o) == "ENV") =>
            {
                self.candidates.push((
                    node,
                    def_here(ancestors),
                    super::ruby_calls::class_of(ancestors, self.src),
                ));
            }
            "call" => {
                let Some(method) = node.child_by_field_name("method") else {
                    return;
                };
                let m = self.text(method);
                if m == "let" || m == "let!" {
                    let arg = first_arg(node);
                    let body = node
                        .child_by_field_name("block")
                        .and_then(|b| b.child_by_field_name("body"))
                        .filter(|b| b.named_child_count() == 1)
                        .and_then(|b| b.named_child(0));
                    if let (Some(arg), Some(body)) = (arg, body) {
                        if let (Some(name), Some(v)) = (self.literal(arg), self.value_of(body)) {
                            self.lets.insert(name, v);
                        }
                    }
                    return;
                }
                if IT_BEHAVES_LIKE.contains(&m) {
                    self.behaves_like.push(node);
                    return;
                }
                if self.is_candidate_method(m) {
                    self.candidates.push((
                        node,
                        def_here(ancestors),
                        super::ruby_calls::class_of(ancestors, self.src),
                    ));
                }
            }
            _ => {}
        }
    }

    fn includes(&self) -> Vec<Include> {
        let mut out = Vec::new();
        for site in &self.behaves_like {
            let Some(args) = site.child_by_field_name("arguments") else {
                continue;
            };
            let mut c = args.walk();
            let mut args = args.named_children(&mut c);
            let Some(example) = args.next().and_then(|a| self.literal(a)) else {
                continue;
            };
            out.push(Include {
                example,
                args: args.map(|a| self.literal(a)).collect(),
                span: self.map.span(*site),
            });
        }
        out
    }

    fn is_candidate_method(&self, m: &str) -> bool {
        matches!(
            m,
            "gitaly_migrate"
                | "migrate"
                | "feature_enabled?"
                | "fetch"
                | "key?"
                | "has_key?"
                | "include?"
                | "with"
                | "stub_feature_flags"
        ) || FLIPPER_CHECKS.contains(&m)
            || FLIPPER_SETS.contains(&m)
            || self.opts.toggle_methods.iter().any(|t| t == m)
    }

    /// The text of a symbol or a string without interpolation.
    fn literal(&self, node: Node) -> Option<String> {
        match node.kind() {
            "simple_symbol" => Some(self.text(node).trim_start_matches(':').to_string()),
            "hash_key_symbol" | "bare_symbol" | "bare_string" | "string" | "delimited_symbol" => {
                let mut c = node.walk();
                let mut out = String::new();
                for child in node.named_children(&mut c) {
                    match child.kind() {
                        "string_content" => out.push_str(self.text(child)),
                        _ => return None,
                    }
                }
                if node.kind() == "hash_key_symbol" {
                    out.push_str(self.text(node));
                }
                Some(out)
            }
            _ => None,
        }
    }

    /// The literal keys of a hash literal (`{ 'git-upload-pack' => ... }.freeze`).
    fn hash_keys(&self, node: Node) -> Vec<String> {
        let node = strip_freeze(node, self.src);
        if node.kind() != "hash" {
            return Vec::new();
        }
        let mut c = node.walk();
        let keys = node
            .named_children(&mut c)
            .filter(|p| p.kind() == "pair")
            .filter_map(|p| p.child_by_field_name("key").and_then(|k| self.literal(k)))
            .collect();
        keys
    }

    /// Shell's toggle: `if MIGRATED_COMMANDS.key?(executable) && @gitaly`, where
    /// the constant's keys are git commands of the command table. One toggle per
    /// command, attributed through the command's endpoint.
    fn migrated_commands(&self, node: Node, receiver: Option<Node>, out: &mut Vec<RawRef>) {
        let Some(keys) = receiver
            .filter(|r| r.kind() == "constant")
            .and_then(|r| self.const_keys.get(self.text(r)))
        else {
            return;
        };
        let commands: Vec<(&String, &String)> = keys
            .iter()
            .filter_map(|k| {
                self.opts
                    .commands
                    .iter()
                    .find(|(c, _)| c == k)
                    .map(|(_, e)| (k, e))
            })
            .collect();
        if commands.is_empty() {
            return;
        }
        // The toggle is the conditional the lookup stands in, joined with a
        // check of the Gitaly payload (`&& @gitaly`): without one, the command
        // always goes to Gitaly and there is nothing to toggle.
        if node.parent().is_none_or(|p| p.kind() != "binary") {
            return;
        }
        let mut site = node;
        let mut climbed = 0;
        while let Some(p) = site.parent() {
            // Never climb far: `parent()` re-descends from the root each time.
            climbed += 1;
            if climbed > crate::frontend::MAX_CLIMB {
                break;
            }
            if matches!(
                p.kind(),
                "if" | "unless" | "conditional" | "if_modifier" | "unless_modifier"
            ) {
                break;
            }
            if !matches!(
                p.kind(),
                "binary" | "parenthesized_statements" | "unary" | "not"
            ) {
                return;
            }
            site = p;
        }
        let Some(cond) = site.parent() else { return };
        if cond.child_by_field_name("condition") != Some(site) {
            return;
        }
        let (enabled, legacy) = self.condition_branches(node);
        for (_, endpoint) in commands {
            out.push(RawRef {
                enabled_branch: enabled,
                legacy_branch: legacy,
                endpoints: vec![endpoint.clone()],
                ..RawRef::new(
                    String::new(),
                    Kind::Toggle,
                    "migrated-commands",
                    "migrated-commands",
                    self.map.span(cond),
                    Status::None,
                )
            });
        }
    }

    /// The flag-name value of a constant's or `let`'s right-hand side.
    fn value_of(&self, node: Node) -> Option<Value> {
        let node = strip_freeze(node, self.src);
        if let Some(name) = self.literal(node) {
            return Some(Value::Name(name));
        }
        let mut c = node.walk();
        match node.kind() {
            "hash" => {
                let mut entries = Vec::new();
                for pair in node.named_children(&mut c).filter(|p| p.kind() == "pair") {
                    if let Some(v) = pair.child_by_field_name("value") {
                        entries.extend(self.table_entry(v));
                    }
                }
                (!entries.is_empty()).then_some(Value::Table(entries))
            }
            "array" | "string_array" | "symbol_array" => {
                let entries: Vec<_> = node
                    .named_children(&mut c)
                    .filter_map(|e| self.literal(e).map(|n| (n, None)))
                    .collect();
                (!entries.is_empty()).then_some(Value::Table(entries))
            }
            _ => None,
        }
    }

    /// A table value: `:flag`, `'flag'` or `[:flag, MigrationStatus::OPT_IN]`.
    fn table_entry(&self, v: Node) -> Option<(String, Option<Status>)> {
        if let Some(name) = self.literal(v) {
            return Some((name, None));
        }
        if v.kind() == "array" {
            let first = v.named_child(0)?;
            let name = self.literal(first)?;
            let status = v.named_child(1).and_then(|s| self.status_constant(s));
            return Some((name, status));
        }
        None
    }

    fn status_constant(&self, node: Node) -> Option<Status> {
        match node.kind() {
            "scope_resolution" => node
                .child_by_field_name("name")
                .and_then(|n| Status::from_constant(self.text(n))),
            "constant" => Status::from_constant(self.text(node)),
            _ => None,
        }
    }

    /// Classifies one candidate node and pushes its references.
    fn extract_site(&mut self, node: Node<'t>, out: &mut Vec<RawRef>) {
        if node.kind() == "pair" {
            return self.config_pair(node, out);
        }
        if node.kind() == "element_reference" {
            // ENV['GITALY_X']
            if let Some(arg) = node.named_child(1) {
                self.env_ref(node, arg, out);
            }
            return;
        }
        let method = node
            .child_by_field_name("method")
            .map(|m| self.text(m))
            .unwrap_or("");
        let receiver = node.child_by_field_name("receiver");
        let recv = receiver.map(|r| self.text(r)).unwrap_or("");
        let is_gitaly_client = |r: &str| r == "GitalyClient" || r.ends_with("::GitalyClient");
        let (kind, call): (Kind, &'static str) = match method {
            "gitaly_migrate" => (Kind::Toggle, "gitaly_migrate"),
            "migrate" if is_gitaly_client(recv) => (Kind::Toggle, "migrate"),
            "feature_enabled?"
                if receiver.is_none() || is_gitaly_client(recv) || recv == "described_class" =>
            {
                (Kind::Check, "feature_enabled")
            }
            "fetch" | "key?" | "has_key?" | "include?" if recv == "ENV" => {
                if let Some(arg) = first_arg(node) {
                    self.env_ref(node, arg, out);
                }
                return;
            }
            "key?" | "has_key?" | "include?" => return self.migrated_commands(node, receiver, out),
            "with" => return self.rspec_stub(node, receiver, out),
            "stub_feature_flags" => return self.stub_feature_flags(node, out),
            m if (recv == "Feature" || recv == "::Feature")
                && (FLIPPER_CHECKS.contains(&m) || FLIPPER_SETS.contains(&m)) =>
            {
                let kind = if FLIPPER_SETS.contains(&m) {
                    Kind::Set
                } else {
                    Kind::Check
                };
                return self.flipper(node, kind, "flipper", true, out);
            }
            m if recv.ends_with("Feature::Gitaly") && FLIPPER_CHECKS.contains(&m) => {
                return self.flipper(node, Kind::Check, "flipper_gitaly", false, out);
            }
            m if self.opts.toggle_methods.iter().any(|t| t == m) => (Kind::Toggle, "toggle_method"),
            _ => return,
        };
        let Some(arg) = first_arg(node) else { return };
        let status_arg = keyword_arg(node, "status", self.src);
        let written = match status_arg {
            None => Status::Default,
            Some(s) => self.status_constant(s).unwrap_or(Status::Unknown),
        };
        let (enabled, legacy) = if kind == Kind::Toggle {
            self.block_branches(node)
        } else {
            self.condition_branches(node)
        };
        let span = self.map.span(node);
        let mk = |flag: String, form: &'static str, status: Status| RawRef {
            enabled_branch: enabled,
            legacy_branch: legacy,
            ..RawRef::new(flag, kind, form, call, span, status)
        };
        match self.resolve_name(arg) {
            Name::Wrapper => {}
            Name::Dynamic => out.push(mk(self.text(arg).to_string(), "dynamic", written)),
            Name::Static(names) => {
                for (n, s) in names {
                    out.push(mk(n, call, pick_status(written, s)));
                }
            }
            Name::Indirect(names) => {
                for (n, s) in names {
                    out.push(mk(n, "indirect", pick_status(written, s)));
                }
            }
            Name::SharedParam { example, index } => {
                let mut r = mk(self.text(arg).to_string(), "dynamic", written);
                r.shared_param = Some((example, index));
                out.push(r);
            }
        }
    }

    /// Resolves the node that names the flag.
    fn resolve_name(&self, arg: Node<'t>) -> Name {
        if let Some(n) = self.literal(arg) {
            return Name::Static(vec![(n, None)]);
        }
        match arg.kind() {
            "string" | "delimited_symbol" => {
                // Interpolated: dynamic unless a wrapper builds it from its parameter.
                if self.in_wrapper(arg) {
                    Name::Wrapper
                } else {
                    Name::Dynamic
                }
            }
            "constant" | "scope_resolution" => {
                let name = match arg.kind() {
                    "constant" => self.text(arg),
                    _ => arg
                        .child_by_field_name("name")
                        .map(|n| self.text(n))
                        .unwrap_or(""),
                };
                match self.consts.get(name) {
                    Some(Value::Name(n)) => Name::Static(vec![(n.clone(), None)]),
                    _ => Name::Dynamic,
                }
            }
            "element_reference" => self.lookup(arg),
            "identifier" => self.resolve_identifier(arg),
            _ => Name::Dynamic,
        }
    }

    /// `CONST[key]`: one flag per value of the table.
    fn lookup(&self, node: Node) -> Name {
        let table = node
            .child_by_field_name("object")
            .and_then(|o| match o.kind() {
                "constant" => self.consts.get(self.text(o)),
                "scope_resolution" => o
                    .child_by_field_name("name")
                    .and_then(|n| self.consts.get(self.text(n))),
                _ => None,
            });
        match table {
            Some(Value::Table(entries)) => Name::Indirect(entries.clone()),
            _ => Name::Dynamic,
        }
    }

    fn resolve_identifier(&self, ident: Node<'t>) -> Name {
        let name = self.text(ident);
        let scope = self.cur_def;
        // 1. A local variable assigned earlier in the same method.
        let assigned = self
            .assigns
            .iter()
            .filter(|(n, _, rhs, def)| {
                *n == name
                    && rhs.start_byte() < ident.start_byte()
                    && def.map(|d| d.id()) == scope.map(|d| d.id())
            })
            .max_by_key(|(_, _, rhs, _)| rhs.start_byte());
        if let Some(&(_, index, rhs, _)) = assigned {
            let rhs = strip_freeze(rhs, self.src);
            if rhs.kind() == "element_reference" {
                return match (self.lookup(rhs), index) {
                    (Name::Indirect(e), 0) => Name::Indirect(e),
                    _ => Name::Dynamic,
                };
            }
            if index == 0 {
                if let Some(n) = self.literal(rhs) {
                    return Name::Static(vec![(n, None)]);
                }
            }
            return self.resolve_name(rhs);
        }
        // 2. A block parameter: iterating a table, or a shared example's parameter.
        let mut node = ident;
        let mut climbed = 0;
        while let Some(parent) = node.parent() {
            // Never climb far: `parent()` re-descends from the root each time.
            climbed += 1;
            if climbed > crate::frontend::MAX_CLIMB {
                break;
            }
            if matches!(parent.kind(), "block" | "do_block") {
                if let Some(pos) = block_param_index(parent, name, self.src) {
                    return self.block_param_name(parent, pos);
                }
            }
            if matches!(parent.kind(), "method" | "singleton_method") {
                break;
            }
            node = parent;
        }
        // 3. A method parameter.
        if let Some(def) = scope {
            if def_has_param(def, name, self.src) {
                return if self.is_wrapper_def(def) {
                    Name::Wrapper
                } else {
                    Name::Dynamic
                };
            }
        }
        // 4. An RSpec `let`.
        match self.lets.get(name) {
            Some(Value::Name(n)) => Name::Static(vec![(n.clone(), None)]),
            _ => Name::Dynamic,
        }
    }

    fn block_param_name(&self, block: Node<'t>, pos: usize) -> Name {
        let Some(call) = block.parent().filter(|c| c.kind() == "call") else {
            return Name::Dynamic;
        };
        let method = call
            .child_by_field_name("method")
            .map(|m| self.text(m))
            .unwrap_or("");
        if ITERATORS.contains(&method) && pos == 0 {
            let receiver = call
                .child_by_field_name("receiver")
                .map(|r| strip_freeze(r, self.src));
            let table = receiver.and_then(|r| match r.kind() {
                "constant" => self.consts.get(self.text(r)).cloned(),
                _ => self.value_of(r),
            });
            return match table {
                Some(Value::Table(entries)) => Name::Indirect(entries),
                _ => Name::Dynamic,
            };
        }
        if SHARED_EXAMPLES.contains(&method) {
            if let Some(example) = first_arg(call).and_then(|a| self.literal(a)) {
                return Name::SharedParam {
                    example,
                    index: pos,
                };
            }
        }
        Name::Dynamic
    }

    fn in_wrapper(&self, _node: Node) -> bool {
        self.cur_def.is_some_and(|d| self.is_wrapper_def(d))
    }

    fn is_wrapper_def(&self, def: Node) -> bool {
        let name = def
            .child_by_field_name("name")
            .map(|n| self.text(n))
            .unwrap_or("");
        WRAPPER_DEFS.contains(&name) || self.opts.toggle_methods.iter().any(|t| t == name)
    }

    /// Omnibus `gitlab.rb`: `gitlab_rails['env'] = { 'GITALY_X' => '1' }`.
    fn config_pair(&self, pair: Node, out: &mut Vec<RawRef>) {
        let Some(var) = pair
            .child_by_field_name("key")
            .and_then(|k| self.literal(k))
        else {
            return;
        };
        let Some(rest) = var.strip_prefix("GITALY_") else {
            return;
        };
        let valid = !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if !valid || self.opts.env_ignore.contains(&var) {
            return;
        }
        // A setting is a literal; `'GITALY_VERSION' => read_version` is not a toggle.
        let Some(v) = pair.child_by_field_name("value") else {
            return;
        };
        let value = match v.kind() {
            "integer" | "true" | "false" | "nil" => Some(self.text(v).to_string()),
            _ => match self.literal(v) {
                Some(l) => Some(l),
                None => return,
            },
        };
        out.push(RawRef {
            value,
            ..RawRef::new(
                rest.to_ascii_lowercase(),
                Kind::Config,
                "env-hash",
                "env-hash",
                self.map.span(pair),
                Status::None,
            )
        });
    }

    /// `ENV['GITALY_X']`, `ENV.fetch("GITALY_X")`.
    fn env_ref(&self, node: Node, arg: Node, out: &mut Vec<RawRef>) {
        let (flag, form) = match self.literal(arg) {
            Some(var) => {
                let Some(rest) = var.strip_prefix("GITALY_") else {
                    return;
                };
                if rest.is_empty() || self.opts.env_ignore.contains(&var) {
                    return;
                }
                (rest.to_ascii_lowercase(), "env")
            }
            None if arg.kind() == "string"
                && self
                    .text(arg)
                    .get(1..)
                    .is_some_and(|t| t.starts_with("GITALY_")) =>
            {
                (self.text(arg).to_string(), "dynamic")
            }
            None => return,
        };
        out.push(RawRef::new(
            flag,
            Kind::Env,
            form,
            "env",
            self.map.span(node),
            Status::None,
        ));
    }

    /// `Feature.enabled?(:gitaly_x)` (`prefixed`) or `Feature::Gitaly.enabled?(:x)`.
    fn flipper(
        &self,
        node: Node<'t>,
        kind: Kind,
        call: &'static str,
        prefixed: bool,
        out: &mut Vec<RawRef>,
    ) {
        let Some(arg) = first_arg(node) else { return };
        let (flag, form) = match self.literal(arg) {
            Some(n) if !prefixed => (n, call),
            Some(n) => match n.strip_prefix("gitaly_") {
                Some(rest) if !rest.is_empty() => (rest.to_string(), call),
                _ => return,
            },
            None => {
                let text = self.text(arg);
                let gitaly_dynamic =
                    !prefixed || text.get(1..).is_some_and(|t| t.starts_with("gitaly_"));
                if !gitaly_dynamic || self.in_wrapper(arg) {
                    return;
                }
                (text.to_string(), "dynamic")
            }
        };
        let (enabled, legacy) = if kind == Kind::Check {
            self.condition_branches(node)
        } else {
            (None, None)
        };
        out.push(RawRef {
            enabled_branch: enabled,
            legacy_branch: legacy,
            ..RawRef::new(flag, kind, form, call, self.map.span(node), Status::None)
        });
    }

    /// `receive(:feature_enabled?).with(:x, ...)`.
    fn rspec_stub(&self, node: Node<'t>, receiver: Option<Node>, out: &mut Vec<RawRef>) {
        let Some(receive) = receiver.filter(|r| r.kind() == "call") else {
            return;
        };
        let is_receive = receive
            .child_by_field_name("method")
            .is_some_and(|m| matches!(self.text(m), "receive" | "have_received"));
        let stubbed = first_arg(receive).and_then(|a| self.literal(a));
        let target_ok = match stubbed.as_deref() {
            Some("gitaly_migrate") => true,
            Some("feature_enabled?" | "migrate") => self
                .stub_target(node)
                .is_some_and(|t| t.contains("GitalyClient")),
            _ => false,
        };
        if !is_receive || !target_ok {
            return;
        }
        let Some(arg) = first_arg(node) else { return };
        let status = match keyword_arg(node, "status", self.src) {
            None => Status::Default,
            Some(s) => self.status_constant(s).unwrap_or(Status::Unknown),
        };
        let span = self.map.span(node);
        let mut push = |flag: String, form: &'static str| {
            out.push(RawRef::new(
                flag,
                Kind::TestStub,
                form,
                "rspec_stub",
                span,
                status,
            ))
        };
        match self.resolve_name(arg) {
            Name::Static(n) => n.into_iter().for_each(|(f, _)| push(f, "rspec_stub")),
            Name::Indirect(n) => n.into_iter().for_each(|(f, _)| push(f, "indirect")),
            Name::SharedParam { example, index } => {
                push(self.text(arg).to_string(), "dynamic");
                if let Some(last) = out.last_mut() {
                    last.shared_param = Some((example, index));
                }
            }
            Name::Dynamic => push(self.text(arg).to_string(), "dynamic"),
            Name::Wrapper => {}
        }
    }

    /// The `X` of `allow(X).to receive(...).with(...)` / `expect(X)...`.
    fn stub_target(&self, with: Node) -> Option<&'s str> {
        let mut node = with;
        for _ in 0..4 {
            node = node.parent()?;
            if node.kind() == "call" {
                let m = node.child_by_field_name("method").map(|m| self.text(m));
                if matches!(m, Some("to" | "not_to" | "to_not")) {
                    let target = node.child_by_field_name("receiver")?;
                    return first_arg(target).map(|a| self.text(a));
                }
            }
        }
        None
    }

    /// `stub_feature_flags(gitaly_x: true)`: one reference per `gitaly_` key.
    fn stub_feature_flags(&self, node: Node, out: &mut Vec<RawRef>) {
        let Some(args) = node.child_by_field_name("arguments") else {
            return;
        };
        let mut c = args.walk();
        let mut pairs: Vec<Node> = Vec::new();
        for a in args.named_children(&mut c) {
            match a.kind() {
                "pair" => pairs.push(a),
                "hash" => {
                    let mut c2 = a.walk();
                    pairs.extend(a.named_children(&mut c2).filter(|p| p.kind() == "pair"));
                }
                _ => {}
            }
        }
        for pair in pairs {
            let Some(key) = pair.child_by_field_name("key") else {
                continue;
            };
            let name = self
                .literal(key)
                .map(|k| k.trim_end_matches(':').to_string());
            let Some(flag) = name.as_deref().and_then(|n| n.strip_prefix("gitaly_")) else {
                continue;
            };
            if flag.is_empty() {
                continue;
            }
            out.push(RawRef::new(
                flag.to_string(),
                Kind::TestStub,
                "stub_feature_flags",
                "stub_feature_flags",
                self.map.span(pair),
                Status::None,
            ));
        }
    }

    /// The Gitaly and legacy branches of a toggle's block `do |is_enabled| ... end`.
    fn block_branches(
        &self,
        call: Node,
    ) -> (Option<crate::model::Span>, Option<crate::model::Span>) {
        let Some(block) = call.child_by_field_name("block") else {
            return (None, None);
        };
        let Some(param) = block
            .child_by_field_name("parameters")
            .and_then(|p| p.named_child(0))
            .filter(|p| p.kind() == "identifier")
        else {
            return (None, None);
        };
        let param = self.text(param);
        let Some(body) = block.child_by_field_name("body") else {
            return (None, None);
        };
        let mut c = body.walk();
        let mut stmts: Vec<Node> = body
            .named_children(&mut c)
            .filter(|n| n.kind() != "comment")
            .collect();
        // `do |on| begin ... rescue ... end end`: the branch is inside the `begin`.
        if let [only] = stmts.as_slice() {
            if only.kind() == "begin" {
                let only = *only;
                let mut c = only.walk();
                stmts = only
                    .named_children(&mut c)
                    .filter(|n| !matches!(n.kind(), "comment" | "rescue" | "ensure" | "else"))
                    .collect();
            }
        }
        for (i, stmt) in stmts.iter().enumerate() {
            let Some(cond) = stmt.child_by_field_name("condition") else {
                continue;
            };
            let Some(positive) = self.tests_param(cond, param) else {
                continue;
            };
            return match stmt.kind() {
                "if" | "unless" | "conditional" => {
                    let (then, other) = self.if_branches(*stmt);
                    if (stmt.kind() == "unless") ^ !positive {
                        (other, then)
                    } else {
                        (then, other)
                    }
                }
                "if_modifier" | "unless_modifier" => {
                    let body = stmt.child_by_field_name("body").map(|b| self.map.span(b));
                    let rest = match (stmts.get(i + 1), stmts.last()) {
                        (Some(first), Some(last)) => {
                            Some(self.map.range(first.start_byte(), last.end_byte()))
                        }
                        _ => None,
                    };
                    if (stmt.kind() == "unless_modifier") ^ !positive {
                        (rest, body)
                    } else {
                        (body, rest)
                    }
                }
                _ => (None, None),
            };
        }
        (None, None)
    }

    /// Whether `cond` is `param` (Some(true)) or `!param` / `not param` (Some(false)).
    fn tests_param(&self, cond: Node, param: &str) -> Option<bool> {
        let cond = unparen(cond);
        match cond.kind() {
            "identifier" if self.text(cond) == param => Some(true),
            "unary" | "not" => {
                let operand = cond.child_by_field_name("operand")?;
                self.tests_param(operand, param).map(|p| !p)
            }
            _ => None,
        }
    }

    /// The then- and else-branch spans of an `if`, `unless` or ternary.
    fn if_branches(&self, stmt: Node) -> (Option<crate::model::Span>, Option<crate::model::Span>) {
        let branch = |n: Option<Node>| -> Option<crate::model::Span> {
            let n = n?;
            match n.kind() {
                "then" | "else" => {
                    let mut c = n.walk();
                    let kids: Vec<Node> = n.named_children(&mut c).collect();
                    let (first, last) = (kids.first()?, kids.last()?);
                    Some(self.map.range(first.start_byte(), last.end_byte()))
                }
                _ => Some(self.map.span(n)),
            }
        };
        (
            branch(stmt.child_by_field_name("consequence")),
            branch(stmt.child_by_field_name("alternative")),
        )
    }

    /// For a check used as a condition: its Gitaly and legacy branches.
    fn condition_branches(
        &self,
        call: Node,
    ) -> (Option<crate::model::Span>, Option<crate::model::Span>) {
        let mut node = call;
        let mut positive = true;
        let mut climbed = 0;
        while let Some(parent) = node.parent() {
            // Never climb far: `parent()` re-descends from the root each time.
            climbed += 1;
            if climbed > crate::frontend::MAX_CLIMB {
                break;
            }
            match parent.kind() {
                "parenthesized_statements" => {}
                "binary"
                    if parent
                        .child_by_field_name("operator")
                        .is_some_and(|o| self.text(o) == "&&" || self.text(o) == "and")
                        && positive => {}
                "unary" | "not" => positive = !positive,
                "if" | "unless" | "conditional" | "if_modifier" | "unless_modifier"
                    if parent.child_by_field_name("condition") == Some(node) =>
                {
                    let (then, other) = match parent.kind() {
                        "if_modifier" | "unless_modifier" => (
                            parent.child_by_field_name("body").map(|b| self.map.span(b)),
                            None,
                        ),
                        _ => self.if_branches(parent),
                    };
                    let negated = parent.kind().starts_with("unless") ^ !positive;
                    return if negated {
                        (other, then)
                    } else {
                        (then, other)
                    };
                }
                _ => return (None, None),
            }
            node = parent;
        }
        (None, None)
    }
}

/// The innermost `def` among the ancestors.
fn def_here<'t>(ancestors: &[Node<'t>]) -> Option<Node<'t>> {
    ancestors
        .iter()
        .rev()
        .find(|a| matches!(a.kind(), "method" | "singleton_method"))
        .copied()
}

/// The status of an entry: the site's own when it states one, else the table's.
fn pick_status(written: Status, entry: Option<Status>) -> Status {
    match (written, entry) {
        (Status::Unknown, Some(s)) => s,
        (w, _) => w,
    }
}

fn unparen(mut n: Node) -> Node {
    while n.kind() == "parenthesized_statements" && n.named_child_count() == 1 {
        match n.named_child(0) {
            Some(c) => n = c,
            None => break,
        }
    }
    n
}

/// `X.freeze` → `X`.
fn strip_freeze<'t>(node: Node<'t>, src: &[u8]) -> Node<'t> {
    if node.kind() == "call"
        && node
            .child_by_field_name("method")
            .is_some_and(|m| &src[m.byte_range()] == b"freeze")
    {
        if let Some(r) = node.child_by_field_name("receiver") {
            return r;
        }
    }
    node
}

fn first_arg(call: Node) -> Option<Node> {
    let args = call.child_by_field_name("arguments")?;
    let mut c = args.walk();
    let first = args
        .named_children(&mut c)
        .find(|n| !matches!(n.kind(), "comment" | "pair" | "block_argument"));
    first
}

/// The value of `key:` among a call's arguments.
fn keyword_arg<'t>(call: Node<'t>, key: &str, src: &[u8]) -> Option<Node<'t>> {
    let args = call.child_by_field_name("arguments")?;
    let mut c = args.walk();
    let mut pairs: Vec<Node<'t>> = Vec::new();
    for a in args.named_children(&mut c) {
        match a.kind() {
            "pair" => pairs.push(a),
            "hash" => {
                let mut c2 = a.walk();
                pairs.extend(a.named_children(&mut c2).filter(|p| p.kind() == "pair"));
            }
            _ => {}
        }
    }
    pairs.into_iter().find_map(|p| {
        let k = p.child_by_field_name("key")?;
        let text = &src[k.byte_range()];
        let matches = match k.kind() {
            "hash_key_symbol" => text == key.as_bytes(),
            "simple_symbol" => text.strip_prefix(b":") == Some(key.as_bytes()),
            _ => false,
        };
        matches.then(|| p.child_by_field_name("value")).flatten()
    })
}

fn param_name<'s>(p: Node, src: &'s [u8]) -> &'s [u8] {
    let n = if p.kind() == "identifier" {
        Some(p)
    } else {
        p.child_by_field_name("name")
    };
    n.map(|n| &src[n.byte_range()]).unwrap_or(b"")
}

fn def_has_param(def: Node, name: &str, src: &[u8]) -> bool {
    let Some(params) = def.child_by_field_name("parameters") else {
        return false;
    };
    let mut c = params.walk();
    let found = params
        .named_children(&mut c)
        .any(|p| param_name(p, src) == name.as_bytes());
    found
}

fn block_param_index(block: Node, name: &str, src: &[u8]) -> Option<usize> {
    let params = block.child_by_field_name("parameters")?;
    let mut c = params.walk();
    let found = params
        .named_children(&mut c)
        .position(|p| param_name(p, src) == name.as_bytes());
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(src: &str) -> Vec<RawRef> {
        extract(src.as_bytes(), false, &Options::default()).refs
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
    use crate::frontend::ruby_calls::CallFact;

    #[test]
    fn branch_facts_name_requests_clients_and_locals() {
        let src = "class Repo\n  def root_ref\n    gitaly_migrate(:root_ref) do |is_enabled|\n      if is_enabled\n        gitaly_ref_client.default_branch_name\n      else\n        discover\n      end\n    end\n  end\nend\n";
        let x = extract(src.as_bytes(), false, &Options::default());
        assert_eq!(x.refs.len(), 1);
        assert_eq!(
            x.refs[0].facts,
            vec![CallFact::Via(
                "gitaly_ref_client".into(),
                "default_branch_name".into()
            )]
        );
    }
}
