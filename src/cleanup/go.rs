//! The Go fix: `if params.GitalyServer.Address != "" { A } else { B }`
//! collapses to `A` (the `== ""` form to its else branch); without an else, a
//! branch that returns keeps the Gitaly side and drops the legacy statements
//! after it. An address variable left unused is removed (Go would not compile).

use super::edit::{apply_edits, line_indent, reindent, Edit};
use super::FixError;
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

fn is_address(src: &str, n: Node, vars: &HashSet<String>) -> bool {
    match n.kind() {
        "selector_expression" => {
            let t = text(src, n);
            t.ends_with("GitalyServer.Address") || t.ends_with("GitalyAddress")
        }
        "identifier" => vars.contains(text(src, n)),
        "parenthesized_expression" => n.named_child(0).is_some_and(|c| is_address(src, c, vars)),
        _ => false,
    }
}

/// `Some(true)` for `addr != ""`, `Some(false)` for `addr == ""`; `None` for
/// anything else, combined conditions included.
fn plain_test(src: &str, cond: Node, vars: &HashSet<String>) -> Option<bool> {
    match cond.kind() {
        "parenthesized_expression" => plain_test(src, cond.named_child(0)?, vars),
        "binary_expression" => {
            let op = text(src, cond.child_by_field_name("operator")?);
            let (l, r) = (
                cond.child_by_field_name("left")?,
                cond.child_by_field_name("right")?,
            );
            let empty = |n: Node| matches!(text(src, n), "\"\"" | "``");
            let ok =
                (is_address(src, l, vars) && empty(r)) || (is_address(src, r, vars) && empty(l));
            (ok && matches!(op, "==" | "!=")).then_some(op == "!=")
        }
        _ => None,
    }
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

fn ends_with_return(nodes: &[Node]) -> bool {
    nodes
        .iter()
        .rev()
        .find(|n| n.kind() != "comment")
        .is_some_and(|n| n.kind() == "return_statement")
}

/// The edits for the selected branches of a Go file.
/// The edits for the branches starting at `selected` (byte offsets from the
/// scan: a branch's feature comes from endpoint inference across files).
pub fn edits(
    src: &str,
    selected: &HashSet<usize>,
    edits: &mut Vec<Edit>,
    left: &mut Vec<(usize, FixError)>,
) {
    let x = crate::frontend::go::extract(src.as_bytes(), false, &[]);
    let Some(tree) = parse(src) else { return };
    let root = tree.root_node();
    // Address variables of the file.
    let mut vars = HashSet::new();
    walk(root, &mut |n| {
        if n.kind() == "short_var_declaration" {
            if let (Some(l), Some(r)) = (
                n.child_by_field_name("left"),
                n.child_by_field_name("right"),
            ) {
                if text(src, r).ends_with("GitalyServer.Address") && l.named_child_count() == 1 {
                    vars.insert(text(src, l).to_string());
                }
            }
        }
    });
    for b in &x.branches {
        if !selected.contains(&b.raw.span.start_byte) {
            continue;
        }
        let start = b.raw.span.start_byte;
        let Some(node) = root
            .descendant_for_byte_range(start, b.raw.span.end_byte)
            .filter(|n| n.kind() == "if_statement")
        else {
            continue;
        };
        match fix_branch(src, node, &vars) {
            Ok(e) => edits.push(e),
            Err(why) => left.push((start, why)),
        }
    }
}

fn fix_branch(src: &str, node: Node, vars: &HashSet<String>) -> Result<Edit, FixError> {
    let cond = node
        .child_by_field_name("condition")
        .ok_or(FixError::NoCondition)?;
    if node.child_by_field_name("initializer").is_some() {
        return Err(FixError::Initializer);
    }
    let positive = plain_test(src, cond, vars).ok_or(FixError::CombinedAddressTest)?;
    let then = node
        .child_by_field_name("consequence")
        .ok_or(FixError::NoThen)?;
    let other = node.child_by_field_name("alternative");
    let indent = line_indent(src, node.start_byte()).to_string();
    let then_stmts = block_statements(then);
    let (keep, drop_rest): (Vec<Node>, bool) = match (positive, other) {
        (true, Some(_)) => (then_stmts, false),
        (false, Some(o)) if o.kind() == "block" => (block_statements(o), false),
        (false, Some(_)) => return Err(FixError::ElseIf),
        (true, None) => {
            let returns = ends_with_return(&then_stmts);
            (then_stmts, returns)
        }
        (false, None) => (Vec::new(), false),
    };
    let mut end = node.end_byte();
    if drop_rest {
        // The statements after the `if` were the legacy path.
        let mut s = node.next_named_sibling();
        while let Some(n) = s {
            end = n.end_byte();
            s = n.next_named_sibling();
        }
    }
    Ok(Edit::new(
        node.start_byte(),
        end,
        stmts_text(src, &keep, &indent),
    ))
}

/// Removes `addr := x.GitalyServer.Address` where `addr` is used nowhere else.
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
        if !text(src, r).ends_with("GitalyServer.Address") || l.named_child_count() != 1 {
            return;
        }
        let name = text(src, l);
        // Uses within the enclosing function body.
        let mut f = n.parent();
        while let Some(p) = f {
            if matches!(
                p.kind(),
                "function_declaration" | "method_declaration" | "func_literal"
            ) {
                break;
            }
            f = p.parent();
        }
        let Some(func) = f else { return };
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
