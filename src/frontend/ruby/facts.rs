//! The Ruby frontend's first pass: what a file defines that names flags
//! (constants, RSpec `let`s, local assignments) and the candidate sites the
//! later passes classify ([`super::sites`]).

use super::{Include, Options, FLIPPER_CHECKS, FLIPPER_SETS, IT_BEHAVES_LIKE};
use crate::frontend::SourceMap;
use crate::model::Status;
use std::collections::HashMap;
use tree_sitter::Node;

/// A value a constant or `let` holds, as far as flag names go.
#[derive(Debug, Clone)]
pub(super) enum Value {
    /// A symbol or string.
    Name(String),
    /// A hash (values) or array (elements): each a flag, perhaps with a status.
    Table(Vec<(String, Option<Status>)>),
}

/// What the first pass learns about a file.
pub(super) struct Facts<'t, 's> {
    pub(super) src: &'s [u8],
    pub(super) map: SourceMap<'s>,
    pub(super) opts: &'s Options,
    pub(super) consts: HashMap<&'s str, Value>,
    /// Literal keys of constant hashes (Shell's migrated-command tables).
    pub(super) const_keys: HashMap<&'s str, Vec<String>>,
    pub(super) lets: HashMap<String, Value>,
    /// RSpec `let`s of a migration status (`let(:status) { MigrationStatus::OPT_IN }`).
    /// (name, status, byte range of the example group that defines it).
    pub(super) let_statuses: Vec<(String, Status, std::ops::Range<usize>)>,
    /// Assignments to local variables: (name, index in a multiple assignment,
    /// rhs, enclosing def).
    pub(super) assigns: Vec<(&'s str, usize, Node<'t>, Option<Node<'t>>)>,
    /// `it_behaves_like 'name', args...` calls.
    pub(super) behaves_like: Vec<Node<'t>>,
    /// Candidate nodes with their enclosing `def` and class path (tree-sitter's
    /// `parent()` re-descends from the root: never climb to the root for these).
    pub(super) candidates: Vec<(Node<'t>, Option<Node<'t>>, String)>,
    /// The enclosing `def` of the candidate being extracted.
    pub(super) cur_def: Option<Node<'t>>,
    /// The file is gitaly-ruby (Ruby inside Gitaly's tree).
    pub(super) gitaly_ruby: bool,
}

impl<'t, 's> Facts<'t, 's>
where
    's: 't,
{
    pub(super) fn collect(root: Node<'t>, src: &'s [u8], opts: &'s Options) -> Self {
        let mut f = Facts {
            src,
            map: SourceMap::new(src),
            opts,
            consts: HashMap::new(),
            const_keys: HashMap::new(),
            lets: HashMap::new(),
            let_statuses: Vec::new(),
            assigns: Vec::new(),
            behaves_like: Vec::new(),
            candidates: Vec::new(),
            cur_def: None,
            gitaly_ruby: false,
        };
        crate::frontend::walk_tree(root, |node, ancestors| {
            f.visit(node, ancestors);
            true
        });
        f
    }

    pub(super) fn text(&self, node: Node) -> &'s str {
        std::str::from_utf8(&self.src[node.byte_range()]).unwrap_or("")
    }

    pub(super) fn visit(&mut self, node: Node<'t>, ancestors: &[Node<'t>]) {
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
                    super::calls::class_of(ancestors, self.src),
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
                    super::calls::class_of(ancestors, self.src),
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
                        if let Some(status) = self.status_constant(body) {
                            // Scoped to the example group it is defined in.
                            let group = ancestors
                                .iter()
                                .rev()
                                .find(|a| matches!(a.kind(), "do_block" | "block"))
                                .map_or(0..self.src.len(), |g| g.byte_range());
                            if let Some(name) = self.literal(arg) {
                                self.let_statuses.push((name, status, group));
                            }
                        } else if let (Some(name), Some(v)) =
                            (self.literal(arg), self.value_of(body))
                        {
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
                        super::calls::class_of(ancestors, self.src),
                    ));
                }
            }
            _ => {}
        }
    }

    pub(super) fn includes(&self) -> Vec<Include> {
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

    pub(super) fn is_candidate_method(&self, m: &str) -> bool {
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
    pub(super) fn literal(&self, node: Node) -> Option<String> {
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
    pub(super) fn hash_keys(&self, node: Node) -> Vec<String> {
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

    /// The flag-name value of a constant's or `let`'s right-hand side.
    pub(super) fn value_of(&self, node: Node) -> Option<Value> {
        let node = strip_freeze(node, self.src);
        if let Some(name) = self.literal(node) {
            return Some(Value::Name(name));
        }
        let mut c = node.walk();
        match node.kind() {
            "hash" if node.named_child_count() == 0 => Some(Value::Table(Vec::new())),
            "hash" => {
                let mut entries = Vec::new();
                for pair in node.named_children(&mut c).filter(|p| p.kind() == "pair") {
                    if let Some(v) = pair.child_by_field_name("value") {
                        entries.extend(self.table_entry(v));
                    }
                }
                (!entries.is_empty()).then_some(Value::Table(entries))
            }
            // An empty table (`SERVER_FEATURE_FLAGS = %w[]`) names no flag.
            "array" | "string_array" | "symbol_array" if node.named_child_count() == 0 => {
                Some(Value::Table(Vec::new()))
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
    pub(super) fn table_entry(&self, v: Node) -> Option<(String, Option<Status>)> {
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

    pub(super) fn status_constant(&self, node: Node) -> Option<Status> {
        match node.kind() {
            // `status: feature_status` through a `let`, or a local variable
            // assigned earlier in the same method.
            "identifier" => {
                let name = self.text(node);
                let scope = self.cur_def.map(|d| d.id());
                let local = self
                    .assigns
                    .iter()
                    .filter(|(n, i, rhs, def)| {
                        *n == name
                            && *i == 0
                            && rhs.start_byte() < node.start_byte()
                            && def.map(|d| d.id()) == scope
                    })
                    .max_by_key(|(_, _, rhs, _)| rhs.start_byte());
                match local {
                    Some(&(_, _, rhs, _)) if rhs.kind() != "identifier" => {
                        self.status_constant(rhs)
                    }
                    Some(_) => None,
                    // The innermost group around the use that defines it.
                    None => self
                        .let_statuses
                        .iter()
                        .filter(|(n, _, g)| n == name && g.contains(&node.start_byte()))
                        .min_by_key(|(_, _, g)| g.len())
                        .map(|(_, s, _)| *s),
                }
            }
            "scope_resolution" => node
                .child_by_field_name("name")
                .and_then(|n| Status::from_constant(self.text(n))),
            "constant" => Status::from_constant(self.text(node)),
            _ => None,
        }
    }
}

/// The innermost `def` among the ancestors.
pub(super) fn def_here<'t>(ancestors: &[Node<'t>]) -> Option<Node<'t>> {
    ancestors
        .iter()
        .rev()
        .find(|a| matches!(a.kind(), "method" | "singleton_method"))
        .copied()
}

/// `X.freeze` → `X`.
pub(super) fn strip_freeze<'t>(node: Node<'t>, src: &[u8]) -> Node<'t> {
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

pub(super) fn first_arg(call: Node) -> Option<Node> {
    let args = call.child_by_field_name("arguments")?;
    let mut c = args.walk();
    let first = args
        .named_children(&mut c)
        .find(|n| !matches!(n.kind(), "comment" | "pair" | "block_argument"));
    first
}

/// The value of `key:` among a call's arguments.
pub(super) fn keyword_arg<'t>(call: Node<'t>, key: &str, src: &[u8]) -> Option<Node<'t>> {
    argument_pairs(call).into_iter().find_map(|p| {
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

/// The `key: value` pairs among a call's arguments, also those of a hash
/// argument written with braces.
pub(super) fn argument_pairs(call: Node<'_>) -> Vec<Node<'_>> {
    let Some(args) = call.child_by_field_name("arguments") else {
        return Vec::new();
    };
    let mut c = args.walk();
    let mut pairs = Vec::new();
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
    pairs
}
