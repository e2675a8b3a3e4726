//! The Ruby frontend's name resolution: how the flag of a site is written —
//! a literal, a constant or `let` of the file, a table lookup (one flag per
//! entry), a shared example's parameter, or something built at run time.

use super::facts::{first_arg, strip_freeze, Facts, Value};
use super::{ITERATORS, SHARED_EXAMPLES, WRAPPER_DEFS};
use crate::frontend::climb;
use crate::model::Status;
use tree_sitter::Node;

/// How a flag name was written.
pub(super) enum Name {
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

impl<'t, 's> Facts<'t, 's>
where
    's: 't,
{
    /// Resolves the node that names the flag.
    pub(super) fn resolve_name(&self, arg: Node<'t>) -> Name {
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
    pub(super) fn lookup(&self, node: Node) -> Name {
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

    pub(super) fn resolve_identifier(&self, ident: Node<'t>) -> Name {
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
        for parent in climb(ident) {
            if matches!(parent.kind(), "block" | "do_block") {
                if let Some(pos) = block_param_index(parent, name, self.src) {
                    return self.block_param_name(parent, pos);
                }
            }
            if matches!(parent.kind(), "method" | "singleton_method") {
                break;
            }
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

    pub(super) fn block_param_name(&self, block: Node<'t>, pos: usize) -> Name {
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

    pub(super) fn in_wrapper(&self, _node: Node) -> bool {
        self.cur_def.is_some_and(|d| self.is_wrapper_def(d))
    }

    pub(super) fn is_wrapper_def(&self, def: Node) -> bool {
        let name = def
            .child_by_field_name("name")
            .map(|n| self.text(n))
            .unwrap_or("");
        WRAPPER_DEFS.contains(&name) || self.opts.toggle_methods.iter().any(|t| t == name)
    }
}

pub(super) fn param_name<'s>(p: Node, src: &'s [u8]) -> &'s [u8] {
    let n = if p.kind() == "identifier" {
        Some(p)
    } else {
        p.child_by_field_name("name")
    };
    n.map(|n| &src[n.byte_range()]).unwrap_or(b"")
}

pub(super) fn def_has_param(def: Node, name: &str, src: &[u8]) -> bool {
    let Some(params) = def.child_by_field_name("parameters") else {
        return false;
    };
    let mut c = params.walk();
    let found = params
        .named_children(&mut c)
        .any(|p| param_name(p, src) == name.as_bytes());
    found
}

pub(super) fn block_param_index(block: Node, name: &str, src: &[u8]) -> Option<usize> {
    let params = block.child_by_field_name("parameters")?;
    let mut c = params.walk();
    let found = params
        .named_children(&mut c)
        .position(|p| param_name(p, src) == name.as_bytes());
    found
}
