//! The Go fix: `if params.GitalyServer.Address != "" { A } else { B }`
//! collapses to `A` (the `== ""` form to its else branch); without an else, a
//! branch that returns keeps the Gitaly side and drops the legacy statements
//! after it. An address variable left unused is removed (Go would not compile).

use super::edit::{apply_edits, line_indent, reindent, Edit};
use super::{FixError, Round};
use crate::frontend::{GoElse, GoShape, Shape};
use std::collections::HashSet;
use tree_sitter::{Node, Tree};

pub fn parse(src: &str) -> Option<Tree> {
    crate::frontend::parse(crate::frontend::Grammar::Go, src.as_bytes())
}

/// Visits every node (see [`crate::frontend::walk_tree`]).
fn walk<'t>(root: Node<'t>, f: &mut impl FnMut(Node<'t>)) {
    crate::frontend::walk_tree(root, |n, _| {
        f(n);
        true
    });
}

fn text<'a>(src: &'a str, n: Node) -> &'a str {
    src.get(n.byte_range()).unwrap_or("")
}

/// The statements of a block `{ ... }`.
fn block_statements(block: Node) -> Vec<Node> {
    let mut c = block.walk();
    let mut out = Vec::new();
    for child in block.named_children(&mut c) {
        if child.kind() == "statement_list" {
            let mut c2 = child.walk();
            out.extend(child.named_children(&mut c2));
        } else {
            out.push(child);
        }
    }
    out
}

fn stmts_text(src: &str, nodes: &[Node], indent: &str) -> String {
    let mut out = String::new();
    for (i, n) in nodes.iter().enumerate() {
        if i > 0 {
            out.push('\n');
            if src[nodes[i - 1].end_byte()..n.start_byte()]
                .matches('\n')
                .count()
                > 1
            {
                out.push('\n');
            }
            out.push_str(indent);
        }
        out.push_str(&reindent(src, n.start_byte(), n.end_byte(), indent));
    }
    out
}

/// The edits for the branches starting at `selected` (byte offsets from the
/// scan: a branch's feature comes from endpoint inference across files),
/// each fixed as the frontend found it ([`GoShape`]).
pub fn edits(src: &str, selected: &HashSet<usize>, out: &mut Round) {
    let x = crate::frontend::go::extract(src.as_bytes(), false, &[]);
    let Some(tree) = parse(src) else { return };
    let root = tree.root_node();
    for b in &x.branches {
        let start = b.raw.span.start_byte;
        let Shape::GoBranch(shape) = &b.raw.shape else {
            continue;
        };
        if !selected.contains(&start) {
            continue;
        }
        let Some(node) = root
            .descendant_for_byte_range(start, b.raw.span.end_byte)
            .filter(|n| n.kind() == "if_statement")
        else {
            continue;
        };
        out.record(start, fix_branch(src, node, shape));
    }
}

/// The edit that keeps the Gitaly side of the `if` `node`, shaped as `shape`.
pub fn fix_branch(src: &str, node: Node, shape: &GoShape) -> Result<Edit, FixError> {
    if shape.initializer {
        return Err(FixError::Initializer);
    }
    let positive = shape.plain.ok_or(FixError::CombinedAddressTest)?;
    let then = node
        .child_by_field_name("consequence")
        .ok_or(FixError::NoThen)?;
    let indent = line_indent(src, node.start_byte()).to_string();
    let then_stmts = block_statements(then);
    let else_stmts = || {
        node.child_by_field_name("alternative")
            .map(block_statements)
            .unwrap_or_default()
    };
    let else_block = node.child_by_field_name("alternative");
    // The Gitaly code kept: the block whose statements stay.
    let (keep, end, kept) = match (positive, shape.alternative) {
        (true, GoElse::None) => (
            then_stmts,
            shape.rest_end.unwrap_or(node.end_byte()),
            Some(then.byte_range()),
        ),
        (true, _) => (then_stmts, node.end_byte(), Some(then.byte_range())),
        (false, GoElse::Block) => (
            else_stmts(),
            node.end_byte(),
            else_block.map(|b| b.byte_range()),
        ),
        (false, GoElse::ElseIf) => return Err(FixError::ElseIf),
        // The statements after the `if` stay where they are.
        (false, GoElse::None) => (Vec::new(), node.end_byte(), shape.rest.clone()),
    };
    Ok(Edit::new(node.start_byte(), end, stmts_text(src, &keep, &indent)).keeping(kept))
}

/// Removes `addr := x.GitalyServer.Address` (or `x.GitalyAddress`) where `addr` is used nowhere else.
pub fn drop_unused_address_vars(src: &str) -> String {
    let Some(tree) = parse(src) else {
        return src.to_string();
    };
    let root = tree.root_node();
    let mut edits = Vec::new();
    walk(root, &mut |n| {
        if n.kind() != "short_var_declaration" {
            return;
        }
        let (Some(l), Some(r)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
            return;
        };
        // The reads the frontend takes for the address.
        let t = text(src, r);
        let address = t.ends_with("GitalyServer.Address") || t.ends_with("GitalyAddress");
        if !address || l.named_child_count() != 1 {
            return;
        }
        let name = text(src, l);
        // Uses within the enclosing function body (a bounded climb: see
        // `frontend::climb`; too deep, and the variable stays).
        let Some(func) = crate::frontend::climb(n).find(|p| {
            matches!(
                p.kind(),
                "function_declaration" | "method_declaration" | "func_literal"
            )
        }) else {
            return;
        };
        let mut uses = 0;
        walk(func, &mut |m| {
            if m.kind() == "identifier" && text(src, m) == name {
                uses += 1;
            }
        });
        if uses <= 1 {
            let line_start = src[..n.start_byte()].rfind('\n').map_or(0, |i| i + 1);
            let line_end = src[n.end_byte()..]
                .find('\n')
                .map_or(src.len(), |i| n.end_byte() + i + 1);
            edits.push(Edit::new(line_start, line_end, String::new()));
        }
    });
    apply_edits(src, edits)
}

/// Removes imports the fixed code no longer uses (Go would not compile).
pub fn drop_unused_imports(src: &str, original: &str) -> String {
    let Some(tree) = parse(src) else {
        return src.to_string();
    };
    let root = tree.root_node();
    // Package names used anywhere: `pkg.X` operands and qualified types.
    let mut used: HashSet<&str> = HashSet::new();
    walk(root, &mut |n| match n.kind() {
        "selector_expression" => {
            if let Some(op) = n
                .child_by_field_name("operand")
                .filter(|o| o.kind() == "identifier")
            {
                used.insert(text(src, op));
            }
        }
        "qualified_type" => {
            if let Some(p) = n.child_by_field_name("package") {
                used.insert(text(src, p));
            }
        }
        _ => {}
    });
    let mut edits = Vec::new();
    walk(root, &mut |n| {
        if n.kind() != "import_spec" {
            return;
        }
        let path = n
            .child_by_field_name("path")
            .map(|p| text(src, p).trim_matches('"'))
            .unwrap_or("");
        let name = match n.child_by_field_name("name") {
            Some(a) => text(src, a),
            None => path.rsplit('/').next().unwrap_or(path),
        };
        if matches!(name, "_" | ".") || used.contains(name) {
            return;
        }
        // Only imports the fix made unused: the original used them.
        if !original.contains(&format!("{name}.")) {
            return;
        }
        let line_start = src[..n.start_byte()].rfind('\n').map_or(0, |i| i + 1);
        let line_end = src[n.end_byte()..]
            .find('\n')
            .map_or(src.len(), |i| n.end_byte() + i + 1);
        let single = n.parent().is_some_and(|p| p.kind() == "import_declaration");
        if single {
            let decl = n.parent().unwrap_or(n);
            let ls = src[..decl.start_byte()].rfind('\n').map_or(0, |i| i + 1);
            edits.push(Edit::new(ls, line_end, String::new()));
        } else {
            edits.push(Edit::new(line_start, line_end, String::new()));
        }
    });
    apply_edits(src, edits)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "package x\n\nfunc f() {\n\tif params.GitalyServer.Address == \"\" {\n\t\tlegacy()\n\t} else {\n\t\tgitaly()\n\t}\n}\n";

    fn shape(plain: Option<bool>, alternative: GoElse) -> GoShape {
        GoShape {
            plain,
            initializer: false,
            alternative,
            rest_end: None,
            rest: None,
        }
    }

    #[test]
    fn the_branch_is_fixed_from_the_shape_it_is_given() {
        let tree = parse(SRC).unwrap();
        let at = SRC.find("if ").unwrap();
        let node = tree
            .root_node()
            .descendant_for_byte_range(at, at + 2)
            .unwrap()
            .parent()
            .unwrap();
        assert_eq!(node.kind(), "if_statement");
        let e = fix_branch(SRC, node, &shape(Some(false), GoElse::Block)).unwrap();
        assert_eq!(e.text, "gitaly()");
        let block = SRC.rfind("{\n\t\tgitaly").unwrap();
        assert_eq!(e.kept.map(|k| k.start), Some(block));
        // The same `if` read the other way round keeps the other side.
        let e = fix_branch(SRC, node, &shape(Some(true), GoElse::Block)).unwrap();
        assert_eq!(e.text, "legacy()");
        assert_eq!(
            fix_branch(SRC, node, &shape(None, GoElse::Block)),
            Err(FixError::CombinedAddressTest)
        );
        assert_eq!(
            fix_branch(SRC, node, &shape(Some(false), GoElse::ElseIf)),
            Err(FixError::ElseIf)
        );
    }

    #[test]
    fn the_frontend_gives_the_shape_the_fix_uses() {
        let x = crate::frontend::go::extract(SRC.as_bytes(), false, &[]);
        assert_eq!(
            x.branches[0].raw.shape,
            Shape::GoBranch(shape(Some(false), GoElse::Block))
        );
    }
}
