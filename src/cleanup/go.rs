//! The Go fix: `if params.GitalyServer.Address != "" { A } else { B }`
//! collapses to `A` (the `== ""` form to its else branch); without an else, a
//! branch that returns keeps the Gitaly side and drops the legacy statements
//! after it. An address variable left unused is removed (Go would not compile).
//! [`sweep`] then deletes the functions only the removed legacy branches
//! called (Go's own visibility: unexported ones by package, exported ones by
//! component), and the imports they leave unused.

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

/// How often code (not a comment or string) names `name` outside `skip`.
fn code_count(src: &str, name: &str, skip: Option<(usize, usize)>) -> usize {
    let Some(tree) = parse(src) else {
        return usize::MAX;
    };
    let mut n = 0;
    walk(tree.root_node(), &mut |x| {
        if x.kind() == "identifier"
            && text(src, x) == name
            && skip.is_none_or(|(s, e)| x.start_byte() < s || x.start_byte() >= e)
        {
            n += 1;
        }
    });
    n
}

/// Functions Go or its tooling calls without naming them.
fn implicit(name: &str) -> bool {
    name == "main"
        || name == "init"
        || ["Test", "Benchmark", "Example", "Fuzz"]
            .iter()
            .any(|p| name.starts_with(p))
}

/// The top-level functions (no receiver) of a Go text: (name, byte range of
/// the declaration with its doc comment, 1-based line).
fn funcs(src: &str) -> Vec<(String, usize, usize, usize)> {
    let Some(tree) = parse(src) else {
        return Vec::new();
    };
    let root = tree.root_node();
    let mut out = Vec::new();
    let mut c = root.walk();
    for n in root.named_children(&mut c) {
        if n.kind() != "function_declaration" {
            continue;
        }
        let Some(name) = n.child_by_field_name("name") else {
            continue;
        };
        // The doc comment: the `//` lines directly above.
        let mut s = src[..n.start_byte()].rfind('\n').map_or(0, |i| i + 1);
        while s > 0 {
            let prev = src[..s - 1].rfind('\n').map_or(0, |i| i + 1);
            if src[prev..s].trim_start().starts_with("//") {
                s = prev;
            } else {
                break;
            }
        }
        let e = src[n.end_byte()..]
            .find('\n')
            .map_or(src.len(), |i| n.end_byte() + i + 1);
        // The last declaration of the file takes the blank line before it.
        if e >= src.len() && s > 0 {
            let prev = src[..s - 1].rfind('\n').map_or(0, |i| i + 1);
            if src[prev..s].trim().is_empty() {
                s = prev;
            }
        }
        out.push((
            text(src, name).to_string(),
            s,
            e,
            n.start_position().row + 1,
        ));
    }
    out
}

/// Deletes (or, without `delete`, lists) the top-level functions of the
/// fixed Go files that the removed legacy branches called and nothing names
/// any more: an unexported one named nowhere else in its package (the other
/// `.go` files of its directory, tests included), an exported one nowhere in
/// its component; then the imports and address variables left unused.
/// Returns `shown:line `name`` of each function deleted.
pub fn sweep(
    plan: &mut super::Plan,
    components: &[crate::component::Component],
    walk: &crate::discover::WalkOptions,
    delete: bool,
) -> Vec<String> {
    let fixed: Vec<usize> = (0..plan.files.len())
        .filter(|&i| {
            let f = &plan.files[i];
            f.abandoned.is_none()
                && f.fixed != f.original
                && f.path.extension().is_some_and(|e| e == "go")
        })
        .collect();
    if fixed.is_empty() {
        return Vec::new();
    }
    let select = |name: &str| crate::discover::Wanted {
        read: name.ends_with(".go"),
        catalog_source: false,
    };
    let found = crate::discover::discover(components, walk, None, &select)
        .map(|d| d.files)
        .unwrap_or_default();
    let canon = |p: &std::path::Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    // Every Go file of the trees: (component, canonical path, text).
    let others: Vec<(usize, std::path::PathBuf, String)> = found
        .iter()
        .filter(|e| e.read && !e.rel.starts_with("vendor/") && !e.rel.contains("/vendor/"))
        .filter_map(|e| {
            let text = std::fs::read_to_string(&e.path).ok()?;
            Some((e.component, canon(&e.path), text))
        })
        .collect();
    let mut deleted = Vec::new();
    for i in fixed {
        let path = canon(&plan.files[i].path);
        let dir = path.parent().map(|d| d.to_path_buf());
        let comp = others
            .iter()
            .find(|(_, p, _)| p == &path)
            .map(|(c, _, _)| *c);
        let original = plan.files[i].original.clone();
        let mut text = plan.files[i].fixed.clone();
        let mut gone: Vec<(String, usize)> = Vec::new();
        let before = funcs(&original);
        for _ in 0..8 {
            let mut dead = Vec::new();
            for (name, s, e, _) in funcs(&text) {
                // Named by code the fix (or a deletion) removed, and by no code left.
                let now = code_count(&text, &name, Some((s, e)));
                let own = before.iter().find(|(n, _, _, _)| *n == name);
                let then = code_count(&original, &name, own.map(|(_, s, e, _)| (*s, *e)));
                if implicit(&name) || now > 0 || then == 0 {
                    continue;
                }
                let exported = name.starts_with(|c: char| c.is_ascii_uppercase());
                let elsewhere = others.iter().any(|(c, p, t)| {
                    p != &path
                        && if exported {
                            Some(*c) == comp
                        } else {
                            p.parent() == dir.as_deref()
                        }
                        && super::dead::occurrences(t, &name).next().is_some()
                });
                if !elsewhere {
                    dead.push((name, s, e));
                }
            }
            if dead.is_empty() {
                break;
            }
            for (name, _, _) in &dead {
                let line = before
                    .iter()
                    .find(|(n, _, _, _)| n == name)
                    .map_or(0, |(_, _, _, l)| *l);
                gone.push((name.clone(), line));
            }
            let edits = dead
                .iter()
                .map(|(_, s, e)| Edit::new(*s, *e, String::new()))
                .collect();
            text = apply_edits(&text, edits);
            if !delete {
                break;
            }
        }
        if gone.is_empty() {
            continue;
        }
        let f = &mut plan.files[i];
        if !delete {
            f.dead.extend(gone.iter().map(|(n, l)| super::dead::Unused {
                name: n.clone(),
                line: *l,
                reason: "only the removed legacy code called it".into(),
            }));
            continue;
        }
        let text = drop_unused_imports(&drop_unused_address_vars(&text), &original);
        if parse(&text).is_none_or(|t| t.root_node().has_error()) {
            continue;
        }
        deleted.extend(gone.iter().map(|(n, l)| format!("{}:{l} `{n}`", f.shown)));
        f.deleted.extend(
            gone.into_iter()
                .map(|(name, line)| super::dead::Deleted { name, line }),
        );
        f.fixed = text;
    }
    deleted
}

#[cfg(test)]
mod sweep_tests {
    use super::*;

    #[test]
    fn go_names_are_whole_identifiers() {
        let named = |t: &str, n: &str| super::super::dead::occurrences(t, n).next().is_some();
        assert!(named("x := handleLocally(w)", "handleLocally"));
        assert!(!named("x := handleLocallyNow(w)", "handleLocally"));
        assert_eq!(
            code_count(
                "package x\nfunc f() { a(b); s := \"a\"; a_b(a) }\n",
                "a",
                None
            ),
            2
        );
        assert!(implicit("TestBlob") && implicit("init") && !implicit("handle"));
    }

    #[test]
    fn funcs_take_their_doc_comment() {
        let src = "package git\n\n// legacy sends it locally.\n// More.\nfunc legacy() {\n}\n\nfunc (b *blob) Inject() {}\n";
        let f = funcs(src);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].0, "legacy");
        assert_eq!(
            &src[f[0].1..f[0].2],
            "// legacy sends it locally.\n// More.\nfunc legacy() {\n}\n"
        );
    }
}
