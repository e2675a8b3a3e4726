//! Single-use private helpers inlined at their one call.
//!
//! When a fixed toggle keeps only a call of a private method of the same file
//! (`count_commits_by_gitaly(options)`), and nothing else names that method,
//! GitLab's engineers moved the method's body to the call and deleted the
//! method. [`inline`] does the same, and only when it is safe:
//!
//! - the helper is an instance method (`def m`, not `def self.m`) defined
//!   once in the file, under `private` (or `private def m`), in the same
//!   class or module body as the method that calls it, and the file names it
//!   exactly once outside its definition (the call: symbols, strings,
//!   `send(:m)`, `method(:m)`, `alias` and comments all count), and no other
//!   file names it;
//! - the call is a statement on its own line, without a receiver (or with
//!   `self.`), a block or splats; its arguments are locals of the caller, or
//!   `k: v` pairs whose values are;
//! - the parameters are plain required or keyword parameters matching the
//!   arguments (a keyword parameter with a default only when the call passes
//!   it); a parameter whose argument has another name is renamed in the body
//!   when every occurrence is a local variable and the new name is not
//!   already used there; no parameter is assigned in the body;
//! - the body has no `return`, `yield`, `block_given?`, `super`, `binding`,
//!   `__method__`, `local_variables`, nested definitions, heredocs or
//!   multi-line literals (which moving would change), no `rescue`, `else` or
//!   `ensure` of the def, and at most `max_lines` non-blank lines;
//! - the locals the body assigns occur nowhere in the calling method, and the
//!   names the body reads from outside are not locals of the caller (no
//!   variable leaks into the caller, none is captured from it).
//!
//! The result must parse; otherwise that helper is left as it was.

use super::edit::{line_indent, reindent};
use std::collections::HashSet;
use std::ops::Range;
use tree_sitter::Node;

/// A helper inlined at its one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inlined {
    pub name: String,
    /// 1-based line of the call in the result
    pub line: usize,
}

/// Names of the methods whose call (no receiver, or `self.`) is the whole kept Gitaly code of
/// a fixed site: `kept` are byte ranges in `original` (what each fixed site keeps; see
/// `Round::kept` in mod.rs).
pub fn kept_single_calls(original: &str, kept: &[Range<usize>]) -> Vec<String> {
    let Some(tree) = super::ruby::parse(original) else {
        return Vec::new();
    };
    let root = tree.root_node();
    let mut out: Vec<String> = Vec::new();
    for k in kept {
        let Some(piece) = original.get(k.clone()) else {
            continue;
        };
        let start = k.start + (piece.len() - piece.trim_start().len());
        let end = k.start + piece.trim_end().len();
        if start >= end {
            continue;
        }
        let Some(node) = root.descendant_for_byte_range(start, end) else {
            continue;
        };
        if node.start_byte() != start || node.end_byte() != end {
            continue;
        }
        let name = match node.kind() {
            "call" if receiver_ok(node) && node.child_by_field_name("block").is_none() => node
                .child_by_field_name("method")
                .filter(|m| m.kind() == "identifier")
                .map(|m| text(original, m)),
            // `helper` without arguments or parentheses.
            "identifier" if node.parent().is_some_and(is_statement_list) => {
                Some(text(original, node))
            }
            _ => None,
        };
        if let Some(name) = name {
            if !out.iter().any(|n| n == name) {
                out.push(name.to_string());
            }
        }
    }
    out
}

/// Inlines each candidate helper of `fixed` (a Ruby file) at its one call, when safe.
/// `named_elsewhere(name)`: whether another file of the scanned trees names it (then never
/// inline). `max_lines`: the longest body (non-blank lines) inlined.
pub fn inline(
    fixed: &str,
    candidates: &[String],
    max_lines: usize,
    named_elsewhere: &dyn Fn(&str) -> bool,
) -> (String, Vec<Inlined>) {
    let mut text = fixed.to_string();
    // Each inlined helper and where its call starts in `text`.
    let mut done: Vec<(String, usize)> = Vec::new();
    if max_lines == 0 {
        return (text, Vec::new());
    }
    let mut seen = HashSet::new();
    for name in candidates {
        if !seen.insert(name.as_str()) || named_elsewhere(name) {
            continue;
        }
        let Some(step) = inline_one(&text, name, max_lines) else {
            continue;
        };
        for (_, at) in &mut done {
            *at = shift(*at, &step.edits);
        }
        done.push((name.clone(), step.call_at));
        text = step.text;
    }
    let inlined = done
        .into_iter()
        .map(|(name, at)| Inlined {
            name,
            line: text[..at.min(text.len())].matches('\n').count() + 1,
        })
        .collect();
    (text, inlined)
}

/// One helper inlined: the new text, where the inlined code starts in it, and
/// the edits made (start, end, length of the replacement) in the old text.
struct Step {
    text: String,
    call_at: usize,
    edits: Vec<(usize, usize, usize)>,
}

/// `at` in the text before `edits`, moved to the text after them.
fn shift(at: usize, edits: &[(usize, usize, usize)]) -> usize {
    let mut out = at;
    for &(start, end, len) in edits {
        if end <= at {
            out = out + len - (end - start);
        } else if start < at {
            // Inside a replaced range: its start.
            out -= at - start;
        }
    }
    out
}

fn text<'a>(src: &'a str, n: Node) -> &'a str {
    src.get(n.byte_range()).unwrap_or("")
}

fn named_children(n: Node) -> Vec<Node> {
    let mut c = n.walk();
    n.named_children(&mut c).collect()
}

/// Every node of the subtree, the root first.
fn descendants(n: Node) -> Vec<Node> {
    let mut out = Vec::new();
    let mut stack = vec![n];
    while let Some(x) = stack.pop() {
        out.push(x);
        let mut c = x.walk();
        let children: Vec<Node> = x.children(&mut c).collect();
        stack.extend(children.into_iter().rev());
    }
    out
}

/// No receiver, or `self`.
fn receiver_ok(call: Node) -> bool {
    call.child_by_field_name("receiver")
        .is_none_or(|r| r.kind() == "self")
}

/// The method name of a call (`x` of `a.x`, `x(1)`), not a variable.
fn is_method_field(n: Node) -> bool {
    n.parent().is_some_and(|p| {
        matches!(p.kind(), "call" | "method" | "singleton_method" | "alias")
            && (p.child_by_field_name("method") == Some(n)
                || p.child_by_field_name("name") == Some(n)
                || p.kind() == "alias")
    })
}

/// A list of statements (a body, a branch, a block's body).
fn is_statement_list(n: Node) -> bool {
    matches!(
        n.kind(),
        "body_statement" | "block_body" | "then" | "else" | "begin" | "do" | "ensure"
    )
}

/// A parameter's declaration (of a method, block or lambda).
fn is_declaration(n: Node) -> bool {
    n.parent().is_some_and(|p| {
        let k = p.kind();
        k.ends_with("parameters") || k.ends_with("_parameter")
    })
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Byte offsets of the word occurrences of `name` in `src[range]`: not part of
/// a longer identifier (`name?` and `name!` are other methods, unless `=`
/// follows: `name != x`).
fn word_hits(src: &str, name: &str, range: Range<usize>) -> Vec<usize> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    if name.is_empty() {
        return out;
    }
    let hay = &src[range.clone()];
    let mut from = 0;
    while let Some(i) = hay[from..].find(name).map(|i| i + from) {
        from = i + 1;
        let at = range.start + i;
        let end = at + name.len();
        if at > 0 && is_word(bytes[at - 1]) {
            continue;
        }
        if end < bytes.len() && name.as_bytes().last().is_some_and(|b| is_word(*b)) {
            let next = bytes[end];
            if is_word(next) {
                continue;
            }
            if (next == b'?' || next == b'!') && bytes.get(end + 1) != Some(&b'=') {
                continue;
            }
        }
        out.push(at);
    }
    out
}

/// A method definition and its visibility.
struct Def<'t> {
    node: Node<'t>,
    /// The statement that holds it: the `def`, or `private def …`.
    stmt: Node<'t>,
    private: bool,
}

/// Every `def` and `def self.` of the tree named `name`; visibility follows
/// `private`/`public`/`protected` in a class or module body (and
/// `private def`); definitions anywhere else count as public.
fn defs_named<'t>(src: &str, root: Node<'t>, name: &str) -> Vec<Def<'t>> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        let in_body = n.kind() == "body_statement"
            && n.parent()
                .is_some_and(|p| matches!(p.kind(), "class" | "module" | "singleton_class"));
        let mut private = false;
        for child in named_children(n) {
            if in_body && child.kind() == "identifier" {
                match text(src, child) {
                    "private" => private = true,
                    "public" | "protected" => private = false,
                    _ => {}
                }
            }
            let mut def = None;
            match child.kind() {
                "method" | "singleton_method" => def = Some((child, private && in_body)),
                // `private def m … end`
                "call"
                    if in_body
                        && child.child_by_field_name("receiver").is_none()
                        && child.child_by_field_name("block").is_none() =>
                {
                    let method = child.child_by_field_name("method").map(|m| text(src, m));
                    let args = child
                        .child_by_field_name("arguments")
                        .map(named_children)
                        .unwrap_or_default();
                    if let [d] = args.as_slice() {
                        if matches!(d.kind(), "method" | "singleton_method") {
                            def = Some((*d, method == Some("private")));
                        }
                    }
                }
                _ => {}
            }
            if let Some((d, private)) = def {
                let named = d
                    .child_by_field_name("name")
                    .is_some_and(|x| text(src, x) == name);
                if named {
                    out.push(Def {
                        node: d,
                        stmt: child,
                        private,
                    });
                }
                // Not again through `private def`'s argument list.
                stack.push(d);
            } else {
                stack.push(child);
            }
        }
    }
    out
}

/// The class, module or file whose body a node stands in.
fn scope(n: Node) -> Option<Node> {
    let mut p = n.parent();
    while let Some(x) = p {
        if matches!(x.kind(), "class" | "module" | "singleton_class" | "program") {
            return Some(x);
        }
        p = x.parent();
    }
    None
}

/// The `def` (or `def self.`) a node stands in, below its class.
fn enclosing_def(n: Node) -> Option<Node> {
    let mut p = n.parent();
    while let Some(x) = p {
        match x.kind() {
            "method" | "singleton_method" => return Some(x),
            "class" | "module" | "singleton_class" | "program" => return None,
            _ => p = x.parent(),
        }
    }
    None
}

/// Blocks whose `self` may not be the method's.
const SELF_CHANGING: &[&str] = &[
    "instance_eval",
    "instance_exec",
    "class_eval",
    "class_exec",
    "module_eval",
    "module_exec",
    "define_method",
    "new",
];

/// Names a body must not hold: they depend on the method they stand in.
const FORBIDDEN_NAMES: &[&str] = &[
    "block_given?",
    "iterator?",
    "binding",
    "__method__",
    "__callee__",
    "local_variables",
    "__LINE__",
];

/// The identifiers a subtree binds as locals: assignment targets (`x =`,
/// `x ||=`, `a, *b =`), `rescue => e`, `for x in`.
fn assigned_locals<'t>(src: &str, n: Node<'t>) -> Vec<(String, Node<'t>)> {
    let mut out = Vec::new();
    for d in descendants(n) {
        let targets: Vec<Node> = match d.kind() {
            "assignment" | "operator_assignment" => d
                .child_by_field_name("left")
                .map(|l| {
                    if l.kind() == "left_assignment_list" {
                        descendants(l)
                    } else {
                        vec![l]
                    }
                })
                .unwrap_or_default(),
            "exception_variable" => named_children(d),
            "for" => d
                .child_by_field_name("pattern")
                .map(descendants)
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        for t in targets {
            if t.kind() == "identifier" {
                out.push((text(src, t).to_string(), t));
            }
        }
    }
    out
}

/// The names a method's parameters declare (of any kind).
fn param_names(src: &str, def: Node) -> Vec<String> {
    def.child_by_field_name("parameters")
        .map(|p| {
            descendants(p)
                .into_iter()
                .filter(|d| d.kind() == "identifier")
                .map(|d| text(src, d).to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The names the blocks between `n` and `top` declare as parameters.
fn block_params_around(src: &str, n: Node, top: Node) -> Vec<String> {
    let mut out = Vec::new();
    let mut p = n.parent();
    while let Some(x) = p {
        if x.id() == top.id() {
            break;
        }
        if matches!(x.kind(), "block" | "do_block" | "lambda") {
            if let Some(params) = x.child_by_field_name("parameters") {
                out.extend(
                    descendants(params)
                        .into_iter()
                        .filter(|d| d.kind() == "identifier")
                        .map(|d| text(src, d).to_string()),
                );
            }
        }
        p = x.parent();
    }
    out
}

/// Every name the caller has as a local: its parameters, what it assigns,
/// its blocks' parameters.
fn caller_locals(src: &str, caller: Node) -> HashSet<String> {
    let mut out: HashSet<String> = param_names(src, caller).into_iter().collect();
    out.extend(assigned_locals(src, caller).into_iter().map(|(n, _)| n));
    for d in descendants(caller) {
        if matches!(d.kind(), "block_parameters" | "lambda_parameters") {
            out.extend(
                descendants(d)
                    .into_iter()
                    .filter(|x| x.kind() == "identifier")
                    .map(|x| text(src, x).to_string()),
            );
        }
    }
    out
}

/// Whether `name` is a local of `caller` where `call` stands: a parameter,
/// assigned before, or a parameter of a block around the call.
fn local_at(src: &str, caller: Node, call: Node, name: &str) -> bool {
    param_names(src, caller).iter().any(|p| p == name)
        || assigned_locals(src, caller)
            .iter()
            .any(|(n, node)| n == name && node.end_byte() <= call.start_byte())
        || block_params_around(src, call, caller)
            .iter()
            .any(|p| p == name)
}

/// The start of the line `at` stands on, and the end of the line (after its
/// newline) `end` stands on.
fn line_bounds(src: &str, at: usize, end: usize) -> (usize, usize) {
    let ls = src[..at].rfind('\n').map_or(0, |i| i + 1);
    let le = src[end..].find('\n').map_or(src.len(), |i| end + i + 1);
    (ls, le)
}

fn inline_one(src: &str, name: &str, max_lines: usize) -> Option<Step> {
    let tree = super::ruby::parse(src)?;
    let root = tree.root_node();
    if root.has_error() {
        return None;
    }
    // One instance method, private.
    let defs = defs_named(src, root, name);
    let [def] = defs.as_slice() else {
        return None;
    };
    if def.node.kind() != "method" || !def.private {
        return None;
    }
    // Its lines, and the comment block right above them.
    let (mut del_start, del_end) = line_bounds(src, def.stmt.start_byte(), def.stmt.end_byte());
    if !src[del_start..def.stmt.start_byte()].trim().is_empty()
        || !src[def.stmt.end_byte()..del_end].trim().is_empty()
    {
        return None;
    }
    while del_start > 0 {
        let prev = src[..del_start - 1].rfind('\n').map_or(0, |i| i + 1);
        if !src[prev..del_start].trim_start().starts_with('#') {
            break;
        }
        del_start = prev;
    }
    // Named once elsewhere: the call.
    let mut hits = word_hits(src, name, 0..del_start);
    hits.extend(word_hits(src, name, del_end..src.len()));
    let [at] = hits.as_slice() else {
        return None;
    };
    let ident = root.descendant_for_byte_range(*at, at + name.len())?;
    if ident.kind() != "identifier"
        || ident.start_byte() != *at
        || ident.end_byte() != at + name.len()
    {
        return None;
    }
    let call = match ident.parent() {
        Some(p) if p.kind() == "call" && p.child_by_field_name("method") == Some(ident) => p,
        _ => ident,
    };
    if call.kind() == "call" && (!receiver_ok(call) || call.child_by_field_name("block").is_some())
    {
        return None;
    }
    if !call.parent().is_some_and(is_statement_list) {
        return None;
    }
    // Alone on its line(s).
    let (call_ls, call_le) = line_bounds(src, call.start_byte(), call.end_byte());
    if !src[call_ls..call.start_byte()].trim().is_empty()
        || !src[call.end_byte()..call_le].trim().is_empty()
    {
        return None;
    }
    // In an instance method of the helper's class, with the same `self`.
    let caller = enclosing_def(call)?;
    if caller.kind() != "method" || scope(caller).map(|s| s.id()) != scope(def.node).map(|s| s.id())
    {
        return None;
    }
    let mut p = call.parent();
    while let Some(x) = p {
        if x.id() == caller.id() {
            break;
        }
        if matches!(x.kind(), "block" | "do_block") {
            let method = x
                .parent()
                .and_then(|c| c.child_by_field_name("method"))
                .map(|m| text(src, m));
            if method.is_some_and(|m| SELF_CHANGING.contains(&m)) {
                return None;
            }
        }
        p = x.parent();
    }
    // The arguments: locals, positional or `k: v`.
    let mut positional: Vec<&str> = Vec::new();
    let mut keywords: Vec<(&str, &str)> = Vec::new();
    let args = call
        .child_by_field_name("arguments")
        .map(named_children)
        .unwrap_or_default();
    for a in args {
        let value = match a.kind() {
            "identifier" => {
                positional.push(text(src, a));
                a
            }
            "pair" => {
                let key = a.child_by_field_name("key")?;
                let value = a.child_by_field_name("value")?;
                if key.kind() != "hash_key_symbol" || value.kind() != "identifier" {
                    return None;
                }
                keywords.push((text(src, key), text(src, value)));
                value
            }
            _ => return None,
        };
        if !local_at(src, caller, call, text(src, value)) {
            return None;
        }
    }
    // The parameters: required or keyword ones, as the arguments.
    let mut renames: Vec<(&str, &str)> = Vec::new();
    let params = def
        .node
        .child_by_field_name("parameters")
        .map(named_children)
        .unwrap_or_default();
    let mut positional = positional.into_iter();
    let mut keyword_params = Vec::new();
    for p in &params {
        match p.kind() {
            "identifier" => renames.push((text(src, *p), positional.next()?)),
            // A default is never used when the one call passes the keyword.
            "keyword_parameter" => {
                let pname = text(src, p.child_by_field_name("name")?);
                let (_, value) = keywords.iter().find(|(k, _)| *k == pname)?;
                keyword_params.push(pname);
                renames.push((pname, value));
            }
            _ => return None,
        }
    }
    if positional.next().is_some()
        || keywords.len() != keyword_params.len()
        || keywords.iter().any(|(k, _)| !keyword_params.contains(k))
    {
        return None;
    }
    // The body: what stands between the parameters and `end`.
    let body = def.node.child_by_field_name("body")?;
    if body.kind() != "body_statement"
        || named_children(body)
            .iter()
            .any(|c| matches!(c.kind(), "rescue" | "else" | "ensure"))
    {
        return None;
    }
    let after_params = def
        .node
        .child_by_field_name("parameters")
        .or_else(|| def.node.child_by_field_name("name"))?
        .end_byte();
    let inner: Vec<Node> = named_children(def.node)
        .into_iter()
        .filter(|c| c.start_byte() >= after_params)
        .collect();
    let body_start = inner.first()?.start_byte();
    let body_end = inner.last()?.end_byte();
    let lines = src[body_start..body_end]
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    if lines > max_lines {
        return None;
    }
    let nodes: Vec<Node> = inner.iter().flat_map(|n| descendants(*n)).collect();
    for n in &nodes {
        let multiline = n.start_position().row != n.end_position().row;
        let bad = match n.kind() {
            "return" | "yield" | "super" | "zsuper" | "retry" | "redo" | "method"
            | "singleton_method" | "class" | "module" | "singleton_class" | "heredoc_body"
            | "heredoc_beginning" | "case_match" | "match_pattern" | "test_pattern" => true,
            "string" | "subshell" | "regex" | "string_array" | "symbol_array"
            | "delimited_symbol" | "character" => {
                multiline || (n.kind() == "regex" && text(src, *n).contains("(?<"))
            }
            "identifier" | "constant" => FORBIDDEN_NAMES.contains(&text(src, *n)),
            _ => false,
        };
        if bad {
            return None;
        }
    }
    if FORBIDDEN_NAMES
        .iter()
        .any(|f| !word_hits(src, f, body_start..body_end).is_empty())
    {
        return None;
    }
    // No parameter is assigned (the caller's variable would change).
    let assigned = assigned_locals(src, body);
    let param_set: HashSet<&str> = renames.iter().map(|(p, _)| *p).collect();
    if assigned.iter().any(|(n, _)| param_set.contains(n.as_str())) {
        return None;
    }
    // Renames: every occurrence a local, the new name unused in the body.
    let mut replacements: Vec<(usize, usize, &str)> = Vec::new();
    for (param, arg) in &renames {
        if param == arg {
            continue;
        }
        if !word_hits(src, arg, body_start..body_end).is_empty() {
            return None;
        }
        for at in word_hits(src, param, body_start..body_end) {
            let n = root.descendant_for_byte_range(at, at + param.len())?;
            if n.kind() != "identifier"
                || n.start_byte() != at
                || n.end_byte() != at + param.len()
                || is_method_field(n)
                || is_declaration(n)
            {
                return None;
            }
            replacements.push((at, at + param.len(), arg));
        }
    }
    // No leak into the caller, no capture from it.
    let caller_range = caller.start_byte()..caller.end_byte();
    for (local, _) in &assigned {
        if !word_hits(src, local, caller_range.clone()).is_empty() {
            return None;
        }
    }
    let theirs = caller_locals(src, caller);
    let assigned_names: HashSet<&str> = assigned.iter().map(|(n, _)| n.as_str()).collect();
    for n in &nodes {
        if n.kind() != "identifier" || is_method_field(*n) || is_declaration(*n) {
            continue;
        }
        let name = text(src, *n);
        if param_set.contains(name) || assigned_names.contains(name) || !theirs.contains(name) {
            continue;
        }
        if block_params_around(src, *n, def.node)
            .iter()
            .any(|p| p == name)
        {
            continue;
        }
        return None;
    }
    // The body, renamed, at the call's indentation.
    replacements.sort();
    let line_start = src[..body_start].rfind('\n').map_or(0, |i| i + 1);
    let mut piece = String::from(&src[line_start..body_start]);
    let mut from = body_start;
    for (s, e, new) in &replacements {
        piece.push_str(&src[from..*s]);
        piece.push_str(new);
        from = *e;
    }
    piece.push_str(&src[from..body_end]);
    let prefix = body_start - line_start;
    let moved = reindent(
        &piece,
        prefix,
        piece.len(),
        line_indent(src, call.start_byte()),
    );
    // The definition goes, with one blank line next to it.
    let (mut del_start, mut del_end) = (del_start, del_end);
    let blank_after = src[del_end..]
        .split_inclusive('\n')
        .next()
        .filter(|l| l.trim().is_empty() && l.ends_with('\n'));
    if let Some(l) = blank_after {
        del_end += l.len();
    } else if del_start > 0 {
        let prev = src[..del_start - 1].rfind('\n').map_or(0, |i| i + 1);
        if src[prev..del_start].trim().is_empty() {
            del_start = prev;
        }
    }
    let mut edits = vec![
        (call.start_byte(), call.end_byte(), moved),
        (del_start, del_end, String::new()),
    ];
    edits.sort_by_key(|e| e.0);
    if edits[0].1 > edits[1].0 {
        return None;
    }
    let mut out = String::with_capacity(src.len());
    let mut at = 0;
    for (s, e, t) in &edits {
        out.push_str(&src[at..*s]);
        out.push_str(t);
        at = *e;
    }
    out.push_str(&src[at..]);
    if super::ruby::parse(&out).is_none_or(|t| t.root_node().has_error()) {
        return None;
    }
    let edits: Vec<(usize, usize, usize)> =
        edits.iter().map(|(s, e, t)| (*s, *e, t.len())).collect();
    let call_at = shift(call.start_byte(), &edits);
    Some(Step {
        text: out,
        call_at,
        edits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIBRARY: &str = r##"class Library
  def shelf_books(shelf)
    query = build_query(shelf)

    guarded do
      books_from_service(query)
    end
  end

  private

  def build_query(shelf)
    { shelf: shelf }
  end

  # Asks the service.
  # Two comment lines.
  def books_from_service(request)
    if request[:shelf]
      count = service.count("#{request[:shelf]}/")

      [count, service.list(request)]
    else
      []
    end
  end
end
"##;

    fn run(src: &str) -> (String, Vec<Inlined>) {
        inline(src, &["books_from_service".to_string()], 15, &|_| false)
    }

    fn unchanged(src: &str) {
        let (out, done) = run(src);
        assert_eq!(out, src);
        assert!(done.is_empty());
    }

    #[test]
    fn the_body_replaces_the_call_with_the_parameter_renamed() {
        let (out, done) = run(LIBRARY);
        assert_eq!(
            out,
            r##"class Library
  def shelf_books(shelf)
    query = build_query(shelf)

    guarded do
      if query[:shelf]
        count = service.count("#{query[:shelf]}/")

        [count, service.list(query)]
      else
        []
      end
    end
  end

  private

  def build_query(shelf)
    { shelf: shelf }
  end
end
"##
        );
        assert_eq!(
            done,
            [Inlined {
                name: "books_from_service".into(),
                line: 6
            }]
        );
    }

    #[test]
    fn the_kept_call_names_its_method() {
        let call = LIBRARY.find("books_from_service(query)").unwrap();
        let line = LIBRARY[call..].find('\n').unwrap() + call;
        let other = LIBRARY.find("query = build_query").unwrap();
        let kept = [call..line, other..other + 5, call - 7..line + 1];
        assert_eq!(kept_single_calls(LIBRARY, &kept), ["books_from_service"]);
        let bare = "def f\n  g\n  self.h(1)\n  x.y(1)\nend\n";
        let at = |s: &str| bare.find(s).unwrap()..bare.find(s).unwrap() + s.len();
        assert_eq!(
            kept_single_calls(bare, &[at("g"), at("self.h(1)"), at("x.y(1)")]),
            ["g", "h"]
        );
    }

    #[test]
    fn a_helper_called_twice_stays() {
        unchanged(&LIBRARY.replace(
            "      books_from_service(query)\n",
            "      books_from_service(query)\n      books_from_service(query)\n",
        ));
    }

    #[test]
    fn a_helper_also_named_by_send_or_method_stays() {
        for other in [
            "send(:books_from_service, query)",
            "method(:books_from_service)",
            "public_send(\"books_from_service\", query)",
        ] {
            unchanged(&LIBRARY.replace(
                "  private\n",
                &format!("  def again(query)\n    {other}\n  end\n\n  private\n"),
            ));
        }
        // Another file names it.
        let (out, done) = inline(LIBRARY, &["books_from_service".into()], 15, &|n| {
            n == "books_from_service"
        });
        assert_eq!((out.as_str(), done.len()), (LIBRARY, 0));
    }

    #[test]
    fn a_public_or_protected_helper_stays() {
        unchanged(&LIBRARY.replace("  private\n", ""));
        unchanged(&LIBRARY.replace(
            "  # Asks the service.\n",
            "  protected\n\n  # Asks the service.\n",
        ));
    }

    #[test]
    fn a_private_def_is_inlined() {
        let src = LIBRARY.replace("  private\n\n", "").replace(
            "  def books_from_service",
            "  private def books_from_service",
        );
        let (out, done) = run(&src);
        assert_eq!(done.len(), 1);
        assert!(!out.contains("books_from_service") && out.contains("if query[:shelf]"));
    }

    #[test]
    fn a_body_with_return_or_yield_stays() {
        unchanged(&LIBRARY.replace(
            "    if request[:shelf]\n",
            "    return [] unless request\n    if request[:shelf]\n",
        ));
        unchanged(&LIBRARY.replace("      []\n", "      yield\n"));
        unchanged(&LIBRARY.replace("      []\n", "      block_given?\n"));
    }

    #[test]
    fn a_parameter_that_is_also_a_method_name_or_key_is_not_renamed() {
        unchanged(&LIBRARY.replace("      []\n", "      service.request\n"));
        unchanged(&LIBRARY.replace("      []\n", "      { request: 1 }\n"));
        unchanged(&LIBRARY.replace("      []\n", "      [:request]\n"));
        unchanged(&LIBRARY.replace("      []\n", "      \"request\"\n"));
    }

    #[test]
    fn a_body_local_the_caller_uses_stays() {
        unchanged(&LIBRARY.replace(
            "    query = build_query(shelf)\n",
            "    count = 0\n    query = build_query(shelf)\n",
        ));
        // A name the body calls that is a local of the caller.
        unchanged(&LIBRARY.replace(
            "    query = build_query(shelf)\n",
            "    service = nil\n    query = build_query(shelf)\n",
        ));
    }

    #[test]
    fn a_long_body_stays() {
        let (out, done) = inline(LIBRARY, &["books_from_service".into()], 5, &|_| false);
        assert_eq!((out.as_str(), done.len()), (LIBRARY, 0));
        let (_, done) = inline(LIBRARY, &["books_from_service".into()], 6, &|_| false);
        assert_eq!(done.len(), 1);
        let (out, _) = inline(LIBRARY, &["books_from_service".into()], 0, &|_| false);
        assert_eq!(out, LIBRARY);
    }

    #[test]
    fn same_names_need_no_rename() {
        let src = LIBRARY.replace("request", "query");
        let (out, done) = run(&src);
        assert_eq!(done.len(), 1);
        assert!(out.contains(
            "      if query[:shelf]\n        count = service.count(\"#{query[:shelf]}/\")\n"
        ));
        assert!(!out.contains("books_from_service"));
        // The parameter may be used as a method name then.
        let src = src.replace("      []\n", "      service.query\n");
        assert_eq!(run(&src).1.len(), 1);
    }

    #[test]
    fn keyword_arguments_are_matched_by_name() {
        let src = LIBRARY
            .replace(
                "    query = build_query(shelf)\n",
                "    query = build_query(shelf)\n    most = 10\n",
            )
            .replace(
                "books_from_service(query)",
                "books_from_service(query, limit: most)",
            )
            .replace(
                "def books_from_service(request)",
                "def books_from_service(request, limit:)",
            )
            .replace(
                "service.list(request)",
                "service.list(request).first(limit)",
            );
        let (out, done) = run(&src);
        assert_eq!(done.len(), 1, "{out}");
        assert!(out.contains("        [count, service.list(query).first(most)]\n"));
        // A keyword the method does not take; an argument that is no local.
        unchanged(&src.replace("limit: most", "cap: most"));
        unchanged(&src.replace("limit: most", "limit: most_books"));
        // A default value: unused when the call passes the keyword, needed
        // (left) when it does not.
        let with_default = src.replace("limit:)", "limit: 3)");
        let (out, done) = run(&with_default);
        assert_eq!(done.len(), 1, "{out}");
        assert!(out.contains("        [count, service.list(query).first(most)]\n"));
        unchanged(&with_default.replace("(query, limit: most)", "(query)"));
    }

    #[test]
    fn a_parameter_the_body_assigns_stays() {
        unchanged(&LIBRARY.replace(
            "    if request[:shelf]\n",
            "    request = request.dup\n    if request[:shelf]\n",
        ));
    }

    #[test]
    fn a_call_in_a_value_position_or_with_a_block_stays() {
        unchanged(&LIBRARY.replace(
            "      books_from_service(query)\n",
            "      x = books_from_service(query)\n      x\n",
        ));
        unchanged(&LIBRARY.replace(
            "books_from_service(query)",
            "books_from_service(query) { 1 }",
        ));
        unchanged(&LIBRARY.replace("books_from_service(query)", "books_from_service(*query)"));
    }

    #[test]
    fn a_helper_of_another_class_or_under_another_self_stays() {
        let other = LIBRARY.replace("  private\n", "end\n\nclass Other\n  private\n");
        assert!(super::super::ruby::parse(&other).is_some_and(|t| !t.root_node().has_error()));
        unchanged(&other);
        unchanged(&LIBRARY.replace("    guarded do\n", "    instance_eval do\n"));
    }
}
