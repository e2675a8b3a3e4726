//! The Ruby fix: a Mandatory toggle collapses to its Gitaly branch.
//!
//! - `gitaly_migrate(:x) do |on| if on A else B end end` (and
//!   `GitalyClient.migrate`, `unless`, `if !on`, ternaries, early returns,
//!   `stmt if on && other`) is replaced by `A`, re-indented to where the call
//!   stood. In a value position (`@x ||= …`, `x = …`, `return …`) one
//!   expression stays an expression and several statements become a
//!   `begin … end`. Whatever else the block does stays.
//! - The toggle method's own error handling stays: if the `gitaly_migrate`
//!   definition of the file (or, for `repo.gitaly_migrate`, the one definition
//!   of the tree) wraps the call in `wrapped_gitaly_errors do … end` or in
//!   `rescue` clauses, the kept branch is wrapped the same way — in a call
//!   of the class's own error helper when it has one with those clauses
//!   ([`Wrapper::Helper`]: `wrapped_gitaly_errors do … end`).
//! - `feature_enabled?(:x)` in a condition becomes true: `if` keeps its then
//!   branch, `unless` its else branch (or goes), a ternary its first value,
//!   `a && check` becomes `a`.

use super::edit::{line_indent, reindent, Edit};
use super::{FixError, Wrapper};
use crate::frontend::{ruby, CheckShape, Position, ToggleShape};
use tree_sitter::Node;

fn text<'a>(src: &'a str, n: Node) -> &'a str {
    src.get(n.byte_range()).unwrap_or("")
}

/// Statements `nodes` as one block of text at `indent` (each on its own line).
fn statements_text(src: &str, nodes: &[Node], indent: &str) -> String {
    let mut out = String::new();
    let mut prev_end: Option<usize> = None;
    for n in nodes {
        if let Some(pe) = prev_end {
            // Keep a blank line the author left between statements.
            let gap = &src[pe..n.start_byte()];
            out.push('\n');
            if gap.matches('\n').count() > 1 {
                out.push('\n');
            }
            out.push_str(indent);
        }
        out.push_str(&reindent(src, n.start_byte(), n.end_byte(), indent));
        prev_end = Some(n.end_byte());
    }
    out
}

fn named_children(n: Node) -> Vec<Node> {
    let mut c = n.walk();
    n.named_children(&mut c).collect()
}

/// What a condition is once the flag is on.
enum Cond {
    True,
    False,
    /// The condition without the flag part.
    Residual(String),
    /// Not a condition on the flag (or too complex).
    Other,
}

/// Simplifies `cond` given that `is_flag(node)` is true.
fn simplify(src: &str, cond: Node, is_flag: &dyn Fn(Node) -> bool) -> Cond {
    if is_flag(cond) {
        return Cond::True;
    }
    match cond.kind() {
        "parenthesized_statements" if cond.named_child_count() == 1 => match cond.named_child(0) {
            Some(c) => simplify(src, c, is_flag),
            None => Cond::Other,
        },
        "unary" | "not" => {
            let Some(op) = cond.child_by_field_name("operand") else {
                return Cond::Other;
            };
            match simplify(src, op, is_flag) {
                Cond::True => Cond::False,
                Cond::False => Cond::True,
                _ => Cond::Other,
            }
        }
        "binary" => {
            let op = cond
                .child_by_field_name("operator")
                .map(|o| text(src, o))
                .unwrap_or("");
            let (Some(l), Some(r)) = (
                cond.child_by_field_name("left"),
                cond.child_by_field_name("right"),
            ) else {
                return Cond::Other;
            };
            let (sl, sr) = (simplify(src, l, is_flag), simplify(src, r, is_flag));
            match (op, sl, sr) {
                ("&&" | "and", Cond::True, Cond::Other) => Cond::Residual(text(src, r).to_string()),
                ("&&" | "and", Cond::Other, Cond::True) => Cond::Residual(text(src, l).to_string()),
                ("&&" | "and", Cond::False, _) | ("&&" | "and", _, Cond::False) => Cond::False,
                ("||" | "or", Cond::True, _) | ("||" | "or", _, Cond::True) => Cond::True,
                ("||" | "or", Cond::False, Cond::Other) => Cond::Residual(text(src, r).to_string()),
                ("||" | "or", Cond::Other, Cond::False) => Cond::Residual(text(src, l).to_string()),
                _ => Cond::Other,
            }
        }
        _ => Cond::Other,
    }
}

/// Statements of a `then`/`else`/body node.
fn body_statements(n: Option<Node>) -> Vec<Node> {
    match n {
        None => Vec::new(),
        Some(n) if matches!(n.kind(), "then" | "else" | "body_statement" | "block_body") => {
            named_children(n)
        }
        Some(n) => vec![n],
    }
}

/// The result of collapsing one conditional statement given the flag is on:
/// `None` if it does not test the flag; `Some(Err)` if it does in a way the fix
/// cannot handle; `Some(Ok(Replacement))` otherwise.
enum Replacement<'t> {
    /// Keep these statements instead.
    Statements(Vec<Node<'t>>),
    /// Keep this text instead (a statement whose condition lost the flag part).
    Text(String),
}

fn collapse<'t>(
    src: &str,
    stmt: Node<'t>,
    is_flag: &dyn Fn(Node) -> bool,
) -> Option<Result<Replacement<'t>, FixError>> {
    let cond = stmt.child_by_field_name("condition")?;
    let c = simplify(src, cond, is_flag);
    let kind = stmt.kind();
    let unless = kind.starts_with("unless");
    let truth = match c {
        Cond::Other => return None,
        Cond::True => !unless,
        Cond::False => unless,
        Cond::Residual(rest) => {
            // Same statement, condition without the flag.
            let mut t = String::new();
            t.push_str(&src[stmt.start_byte()..cond.start_byte()]);
            t.push_str(&rest);
            t.push_str(&src[cond.end_byte()..stmt.end_byte()]);
            return Some(Ok(Replacement::Text(t)));
        }
    };
    let chosen = match kind {
        "if" | "unless" => {
            let alt = stmt.child_by_field_name("alternative");
            if truth {
                body_statements(stmt.child_by_field_name("consequence"))
            } else {
                match alt {
                    Some(a) if a.kind() == "elsif" => return Some(Err(FixError::Elsif)),
                    other => body_statements(other),
                }
            }
        }
        "conditional" => {
            let branch = if truth { "consequence" } else { "alternative" };
            stmt.child_by_field_name(branch).into_iter().collect()
        }
        "if_modifier" | "unless_modifier" => {
            if truth {
                stmt.child_by_field_name("body").into_iter().collect()
            } else {
                Vec::new()
            }
        }
        _ => return Some(Err(FixError::UnknownConditional(kind.to_string()))),
    };
    Some(Ok(Replacement::Statements(chosen)))
}

/// Is `n` the identifier `param`?
fn is_ident(src: &str, n: Node, param: &str) -> bool {
    n.kind() == "identifier" && text(src, n) == param
}

/// Whether `param` appears as an identifier anywhere in `n`.
fn mentions(src: &str, n: Node, param: &str) -> bool {
    let mut found = false;
    crate::frontend::walk_tree(n, |x, _| {
        found = is_ident(src, x, param);
        !found
    });
    found
}

/// Builds the replacement text of `kept` for the expression at `call`, which
/// stands at `pos`.
fn place(
    src: &str,
    call: Node,
    pos: Position,
    kept: &KeptCode,
    wrapper: &Wrapper,
) -> Result<String, FixError> {
    // The toggle method's clauses, its parameters bound to this call's arguments.
    let bound;
    let wrapper = match wrapper {
        Wrapper::Rescue(clauses) => {
            bound = Wrapper::Rescue(bind_parameters(src, call, clauses)?);
            &bound
        }
        w => w,
    };
    let indent = line_indent(src, call.start_byte()).to_string();
    let inner = format!("{indent}  ");
    let wrapped = !matches!(wrapper, Wrapper::None);
    if kept.is_empty() {
        return match pos {
            Position::Statement if !wrapped => Ok(String::new()),
            Position::Statement => Ok(String::new()),
            _ => Ok("nil".to_string()),
        };
    }
    let single = kept.len() == 1;
    let body = |indent: &str| kept.render(src, indent);
    let out = match (wrapper, &pos) {
        (Wrapper::None, Position::Statement) => body(&indent),
        (Wrapper::None, _) if single => body(&indent),
        (Wrapper::None, _) => format!("begin\n{inner}{}\n{indent}end", body(&inner)),
        (Wrapper::Block(head), _) => format!("{head} do\n{inner}{}\n{indent}end", body(&inner)),
        (Wrapper::Rescue(clauses), _) | (Wrapper::Helper { clauses, .. }, _) => {
            // The whole body of a method: its own `rescue` clauses, as
            // GitLab's style has them (no redundant `begin`).
            if let Some(def_indent) = sole_statement_of_def(src, call, pos) {
                return Ok(format!(
                    "{}\n{}",
                    body(&indent),
                    rescue(clauses, def_indent)
                ));
            }
            format!(
                "begin\n{inner}{}\n{}\n{indent}end",
                body(&inner),
                rescue(clauses, &indent)
            )
        }
    };
    if matches!(pos, Position::Return)
        && out.contains('\n')
        && !out.starts_with("begin")
        && !wrapped
    {
        return Err(FixError::MultiLineReturn);
    }
    Ok(out)
}

/// `rescue` clauses (each written from column 0) at `indent`.
fn rescue(clauses: &[String], indent: &str) -> String {
    let lines = clauses.iter().flat_map(|c| c.lines()).map(|l| {
        if l.trim().is_empty() {
            String::new()
        } else {
            format!("{indent}{l}")
        }
    });
    lines.collect::<Vec<_>>().join("\n")
}

/// The indentation of the `def` whose whole body is the statement `call`
/// (no other statement, no `rescue`/`ensure` of its own), if it is one.
fn sole_statement_of_def<'s>(src: &'s str, call: Node, pos: Position) -> Option<&'s str> {
    if pos != Position::Statement {
        return None;
    }
    let body = call.parent().filter(|b| b.kind() == "body_statement")?;
    let def = body
        .parent()
        .filter(|d| matches!(d.kind(), "method" | "singleton_method"))?;
    // Comments above the call may stay; one below it would end up in the
    // `rescue` clause.
    let mut c = body.walk();
    let only = body.named_children(&mut c).all(|n| {
        n.id() == call.id() || (n.kind() == "comment" && n.end_byte() <= call.start_byte())
    });
    only.then(|| line_indent(src, def.start_byte()))
}

/// What stays of a toggle: statements (source nodes) or rewritten texts.
struct KeptCode<'t> {
    parts: Vec<Part<'t>>,
}

enum Part<'t> {
    Node(Node<'t>),
    Text(usize, String),
}

impl KeptCode<'_> {
    fn len(&self) -> usize {
        self.parts.len()
    }

    fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    fn render(&self, src: &str, indent: &str) -> String {
        let mut out = String::new();
        for (i, p) in self.parts.iter().enumerate() {
            if i > 0 {
                out.push('\n');
                out.push_str(indent);
            }
            match p {
                Part::Node(n) => out.push_str(&statements_text(src, &[*n], indent)),
                Part::Text(start, t) => {
                    // Re-indent text that came from `start`.
                    let base = line_indent(src, *start).to_string();
                    let moved: Vec<String> = t
                        .split('\n')
                        .enumerate()
                        .map(|(j, l)| {
                            if j == 0 {
                                l.to_string()
                            } else {
                                format!(
                                    "{indent}{}",
                                    l.strip_prefix(base.as_str()).unwrap_or(l.trim_start())
                                )
                            }
                        })
                        .collect();
                    out.push_str(&moved.join("\n"));
                }
            }
        }
        out
    }
}

/// The edit that collapses the toggle call `call` (a `gitaly_migrate` or
/// `GitalyClient.migrate` with a block), written as `shape` says.
pub fn fix_toggle(
    src: &str,
    call: Node,
    shape: &ToggleShape,
    wrapper: &Wrapper,
) -> Result<Edit, FixError> {
    let block = call.child_by_field_name("block").ok_or(FixError::NoBlock)?;
    if shape.begin_body {
        return Err(FixError::BeginBlock);
    }
    let param = shape.param.clone();
    let body = block.child_by_field_name("body");
    let mut stmts: Vec<Node> = body.map(named_children).unwrap_or_default();
    // `do |on| begin … end end` (no clauses): the `begin` only groups the branch.
    if let [only] = stmts.as_slice() {
        if only.kind() == "begin" {
            stmts = named_children(*only);
        }
    }
    let mut parts: Vec<Part> = Vec::new();
    let Some(param) = param else {
        // No parameter: the block runs either way; keep it whole.
        parts.extend(stmts.drain(..).map(Part::Node));
        let kept = KeptCode { parts };
        return Ok(Edit::new(
            call.start_byte(),
            call.end_byte(),
            place(src, call, shape.position, &kept, wrapper)?,
        ));
    };
    let is_flag = |n: Node| is_ident(src, n, &param);
    let mut found = false;
    // The branch of the first statement on the flag: the Gitaly code kept.
    let mut kept_range = None;
    let mut found_statements = false;
    let mut i = 0;
    while i < stmts.len() {
        let stmt = stmts[i];
        match collapse(src, stmt, &is_flag) {
            None => {
                parts.push(Part::Node(stmt));
            }
            Some(Err(e)) => return Err(e),
            Some(Ok(Replacement::Text(t))) => {
                found = true;
                parts.push(Part::Text(stmt.start_byte(), t));
            }
            Some(Ok(Replacement::Statements(chosen))) => {
                found = true;
                let early_exit = matches!(stmt.kind(), "if_modifier" | "unless_modifier")
                    && chosen.iter().any(|n| n.kind() == "return");
                if !found_statements {
                    found_statements = true;
                    kept_range = range_of(&chosen);
                }
                parts.extend(chosen.into_iter().map(Part::Node));
                if early_exit {
                    // `return x if on`: what follows was the legacy path.
                    break;
                }
            }
        }
        i += 1;
    }
    if !found {
        return Err(FixError::NoBranch);
    }
    // The parameter must not be needed any more.
    for p in &parts {
        let still = match p {
            Part::Node(n) => mentions(src, *n, &param),
            Part::Text(_, t) => t
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|w| w == param),
        };
        if still {
            return Err(FixError::ParamUsedOutside(param));
        }
    }
    let kept = KeptCode { parts };
    let replacement = place(src, call, shape.position, &kept, wrapper)?;
    Ok(Edit::new(call.start_byte(), call.end_byte(), replacement).keeping(kept_range))
}

/// The edit that makes the check `call` (`feature_enabled?(:x)`) true, in
/// the statement or expression `shape` says tests it (`root`: the file's tree).
pub fn fix_check(src: &str, root: Node, call: Node, shape: &CheckShape) -> Result<Edit, FixError> {
    let is_flag = |n: Node| n.id() == call.id();
    if let Some((range, pos)) = &shape.statement {
        let stmt = node_at(root, range).ok_or(FixError::CheckCombined)?;
        return match collapse(src, stmt, &is_flag) {
            None => Err(FixError::CheckCombined),
            Some(Err(e)) => Err(e),
            Some(Ok(Replacement::Text(t))) => Ok(Edit::new(stmt.start_byte(), stmt.end_byte(), t)),
            Some(Ok(Replacement::Statements(chosen))) => {
                let kept_range = range_of(&chosen);
                let kept = KeptCode {
                    parts: chosen.into_iter().map(Part::Node).collect(),
                };
                let replacement = place(src, stmt, *pos, &kept, &Wrapper::None)?;
                Ok(Edit::new(stmt.start_byte(), stmt.end_byte(), replacement).keeping(kept_range))
            }
        };
    }
    if shape.top_is_binary {
        let node = node_at(root, &shape.top).ok_or(FixError::CheckCombined)?;
        return match simplify(src, node, &is_flag) {
            Cond::Residual(rest) => Ok(Edit::new(node.start_byte(), node.end_byte(), rest)),
            Cond::True => Ok(Edit::new(node.start_byte(), node.end_byte(), "true".into())),
            _ => Err(FixError::CheckCombined),
        };
    }
    Err(FixError::CheckValueUsed)
}

/// The source range from the first of `nodes` to the last.
fn range_of(nodes: &[Node]) -> Option<std::ops::Range<usize>> {
    Some(nodes.first()?.start_byte()..nodes.last()?.end_byte())
}

/// The node spanning exactly `range` (a range the frontend found).
pub fn node_at<'t>(root: Node<'t>, range: &std::ops::Range<usize>) -> Option<Node<'t>> {
    root.descendant_for_byte_range(range.start, range.end)
        .filter(|n| n.byte_range() == *range)
}

/// Marks, in a toggle method's `rescue` clauses, a use of one of its
/// parameters: `\u{1}i:name\u{1}` for the positional parameter `i`,
/// `\u{1}-:name\u{1}` for another kind. Inlined at a site, a mark becomes
/// that site's argument ([`bind_parameters`]): `#{method}` in
/// `GitLogger.error("#{method} failed")` names the flag the call passed.
const MARK: char = '\u{1}';

/// The parameters of a method: name and positional index (`None` for
/// keyword, block and splat parameters).
fn parameters(src: &str, def: Node) -> Vec<(String, Option<usize>)> {
    let Some(params) = def.child_by_field_name("parameters") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut i = 0;
    for p in named_children(params) {
        let (name, positional) = match p.kind() {
            "identifier" => (text(src, p), true),
            "optional_parameter" => (
                p.child_by_field_name("name").map_or("", |n| text(src, n)),
                true,
            ),
            _ => (
                p.child_by_field_name("name").map_or("", |n| text(src, n)),
                false,
            ),
        };
        if !name.is_empty() {
            out.push((name.to_string(), positional.then_some(i)));
        }
        if positional {
            i += 1;
        }
    }
    out
}

/// The `rescue` (and `ensure`) clauses of a method body, each re-indented to
/// column 0, the uses of the method's parameters marked (see [`MARK`]).
fn rescue_clauses(src: &str, def: Node) -> Vec<String> {
    let Some(body) = def.child_by_field_name("body") else {
        return Vec::new();
    };
    let params = parameters(src, def);
    named_children(body)
        .iter()
        .filter(|c| matches!(c.kind(), "rescue" | "ensure"))
        .map(|c| {
            // The parameters' uses: identifiers, not a call's method name.
            let mut uses: Vec<(std::ops::Range<usize>, String)> = Vec::new();
            crate::frontend::walk_tree(*c, |n, _| {
                if n.kind() == "identifier" {
                    let is_method = n
                        .parent()
                        .is_some_and(|p| p.child_by_field_name("method") == Some(n));
                    if let Some((name, at)) = params.iter().find(|(p, _)| p == text(src, n)) {
                        if !is_method {
                            let tag = at.map_or("-".to_string(), |i| i.to_string());
                            uses.push((n.byte_range(), format!("{MARK}{tag}:{name}{MARK}")));
                        }
                    }
                }
                true
            });
            if uses.is_empty() {
                return reindent(src, c.start_byte(), c.end_byte(), "");
            }
            let mut marked = src[..c.end_byte()].to_string();
            uses.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
            for (r, m) in &uses {
                marked.replace_range(r.clone(), m);
            }
            reindent(&marked, c.start_byte(), marked.len(), "")
        })
        .collect()
}

/// The clauses of a toggle method bound to the site `call`: each mark of a
/// positional parameter becomes the argument the call passes there (a symbol
/// interpolated alone, `#{:x}`, becomes `x`); a parameter the call does not
/// pass plainly (a keyword, a default, an expression that may not give the
/// same value twice) leaves the site to a person.
fn bind_parameters(src: &str, call: Node, clauses: &[String]) -> Result<Vec<String>, FixError> {
    if !clauses.iter().any(|c| c.contains(MARK)) {
        return Ok(clauses.to_vec());
    }
    let args: Vec<Node> = call
        .child_by_field_name("arguments")
        .map(named_children)
        .unwrap_or_default()
        .into_iter()
        .filter(|a| {
            !matches!(
                a.kind(),
                "pair" | "block_argument" | "splat_argument" | "hash_splat_argument" | "comment"
            )
        })
        .collect();
    clauses
        .iter()
        .map(|c| {
            let mut out = String::new();
            let mut rest = c.as_str();
            while let Some(at) = rest.find(MARK) {
                let Some(len) = rest[at + 1..].find(MARK) else {
                    return Err(FixError::WrapperParameter(String::new()));
                };
                let tag = &rest[at + 1..at + 1 + len];
                let (index, name) = tag.split_once(':').unwrap_or(("-", tag));
                let arg = index
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| args.get(i))
                    .filter(|a| {
                        matches!(
                            a.kind(),
                            "simple_symbol"
                                | "identifier"
                                | "constant"
                                | "scope_resolution"
                                | "element_reference"
                                | "string"
                                | "integer"
                        ) && !text(src, **a).contains('\n')
                    })
                    .ok_or_else(|| FixError::WrapperParameter(name.to_string()))?;
                let arg_text = text(src, *arg);
                let before = &rest[..at];
                let after = &rest[at + 2 + len..];
                if arg.kind() == "simple_symbol" && before.ends_with("#{") && after.starts_with('}')
                {
                    out.push_str(&before[..before.len() - 2]);
                    out.push_str(&arg_text[1..]);
                    rest = &after[1..];
                } else {
                    out.push_str(before);
                    out.push_str(arg_text);
                    rest = after;
                }
            }
            out.push_str(rest);
            Ok(out)
        })
        .collect()
}

/// How a file's `def gitaly_migrate` wraps `GitalyClient.migrate`.
pub fn wrapper_of_def(src: &str, def: Node) -> Wrapper {
    let Some(body) = def.child_by_field_name("body") else {
        return Wrapper::None;
    };
    let rescues = rescue_clauses(src, def);
    if !rescues.is_empty() {
        // Rescue clauses sit at the def's indentation; keep them relative to `begin`.
        return Wrapper::Rescue(rescues);
    }
    let stmts: Vec<Node> = named_children(body)
        .into_iter()
        .filter(|c| c.kind() != "comment")
        .collect();
    if let [only] = stmts.as_slice() {
        if only.kind() == "call" {
            if let Some(block) = only.child_by_field_name("block") {
                let inner = text(src, block);
                if inner.contains("GitalyClient.migrate") {
                    let head = src[only.start_byte()..block.start_byte()]
                        .trim_end()
                        .to_string();
                    return Wrapper::Block(head);
                }
            }
        }
    }
    Wrapper::None
}

/// Clauses compared with their white space normalized: as the sequences of
/// their words (runs of letters, digits, `_`, `:`, `@`, `$`, `?`, `!`) and
/// other characters, so `=>e` is `=> e` but `raise X` is not `raiseX`.
fn same_clauses(a: &[String], b: &[String]) -> bool {
    fn tokens(c: &str) -> Vec<&str> {
        let is_word = |ch: char| ch.is_alphanumeric() || "_:@$?!".contains(ch);
        let mut out = Vec::new();
        let mut rest = c.trim_start();
        while let Some(first) = rest.chars().next() {
            let len = if is_word(first) {
                rest.find(|ch: char| !is_word(ch)).unwrap_or(rest.len())
            } else {
                first.len_utf8()
            };
            out.push(&rest[..len]);
            rest = rest[len..].trim_start();
        }
        out
    }
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| tokens(x) == tokens(y))
}

/// The name of the `&block` parameter of a method, if it has one.
fn block_param<'s>(src: &'s str, def: Node) -> Option<&'s str> {
    let params = def.child_by_field_name("parameters")?;
    named_children(params)
        .into_iter()
        .find(|p| p.kind() == "block_parameter")
        .and_then(|p| p.child_by_field_name("name"))
        .map(|n| text(src, n))
}

/// Whether the method only runs its block: its one statement (besides
/// comments and the `rescue` clauses) is a `yield`, `block.call(…)`, or a call
/// that passes `&block` on to a method that is not a toggle (`toggles`).
fn only_yields(src: &str, def: Node, toggles: &[&str]) -> bool {
    let Some(body) = def.child_by_field_name("body") else {
        return false;
    };
    let stmts: Vec<Node> = named_children(body)
        .into_iter()
        .filter(|c| !matches!(c.kind(), "comment" | "rescue" | "ensure"))
        .collect();
    let [only] = stmts.as_slice() else {
        return false;
    };
    if only.kind() == "yield" {
        return true;
    }
    let Some(block) = block_param(src, def) else {
        return false;
    };
    if only.kind() != "call" {
        return false;
    }
    let method = only.child_by_field_name("method").map(|m| text(src, m));
    let receiver = only.child_by_field_name("receiver");
    if method == Some("call") && receiver.is_some_and(|r| is_ident(src, r, block)) {
        return true;
    }
    // `other(&block)`: passed on, to anything but a toggle method.
    let passed_on = only.child_by_field_name("arguments").is_some_and(|args| {
        named_children(args).iter().any(|a| {
            a.kind() == "block_argument"
                && a.named_child(0).is_some_and(|i| is_ident(src, i, block))
        })
    });
    let call_text = text(src, *only);
    passed_on && !call_text.contains("migrate") && !toggles.iter().any(|t| call_text.contains(t))
}

/// Whether a method is public: no `private`/`protected` line above it in its
/// class body (since the last `public`), not `private def …`, not named by a
/// `private :name` of the same body.
fn is_public(src: &str, def: Node, name: &str) -> bool {
    if def
        .parent()
        .is_some_and(|p| p.kind() == "argument_list" || p.kind() == "call")
    {
        return false;
    }
    let mut prev = def.prev_named_sibling();
    while let Some(p) = prev {
        if p.kind() == "identifier" {
            match text(src, p) {
                "private" | "protected" => return false,
                "public" => break,
                _ => {}
            }
        }
        prev = p.prev_named_sibling();
    }
    let Some(parent) = def.parent() else {
        return true;
    };
    !named_children(parent).iter().any(|c| {
        c.kind() == "call"
            && c.child_by_field_name("receiver").is_none()
            && c.child_by_field_name("method")
                .is_some_and(|m| matches!(text(src, m), "private" | "protected"))
            && c.child_by_field_name("arguments").is_some_and(|a| {
                named_children(a)
                    .iter()
                    .any(|x| x.kind() == "simple_symbol" && text(src, *x) == format!(":{name}"))
            })
    })
}

/// Every `def gitaly_migrate` (and configured toggle methods) of a file: name,
/// enclosing class path, wrapper. A toggle method that rescues errors gets
/// [`Wrapper::Helper`] when its class (in the same file) defines a method that
/// only runs its block inside the same `rescue` clauses.
pub fn toggle_defs(src: &str, root: Node, names: &[String]) -> Vec<(String, String, Wrapper)> {
    // Every instance method: name, class path, node, whether it is a
    // singleton's (`class << self`: never a helper of the instances).
    let mut methods: Vec<(String, String, Node, bool)> = Vec::new();
    crate::frontend::walk_tree(root, |n, ancestors| {
        if n.kind() == "method" {
            let name = n
                .child_by_field_name("name")
                .map(|m| text(src, m))
                .unwrap_or("");
            let class = crate::frontend::ruby::calls::class_of(ancestors, src.as_bytes());
            let singleton = ancestors.iter().any(|a| a.kind() == "singleton_class");
            methods.push((name.to_string(), class, n, singleton));
        }
        true
    });
    let is_toggle = |name: &str| name == "gitaly_migrate" || names.iter().any(|t| t == name);
    let toggles: Vec<&str> = std::iter::once("gitaly_migrate")
        .chain(names.iter().map(|s| s.as_str()))
        .collect();
    let mut out = Vec::new();
    for (name, class, def, _) in methods.iter().filter(|(n, _, _, _)| is_toggle(n)) {
        let wrapper = match wrapper_of_def(src, *def) {
            Wrapper::Rescue(clauses) => methods
                .iter()
                .filter(|(n, c, _, singleton)| c == class && !is_toggle(n) && !singleton)
                .find(|(_, _, h, _)| {
                    only_yields(src, *h, &toggles)
                        && same_clauses(&rescue_clauses(src, *h), &clauses)
                })
                .map(|(n, _, h, _)| Wrapper::Helper {
                    name: n.clone(),
                    public: is_public(src, *h, n),
                    clauses: clauses.clone(),
                })
                .unwrap_or(Wrapper::Rescue(clauses)),
            w => w,
        };
        out.push((name.clone(), class.clone(), wrapper));
    }
    out
}

/// Parses Ruby; `None` if the parser gives up.
pub fn parse(src: &str) -> Option<tree_sitter::Tree> {
    ruby::parse(src.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::Shape;

    fn call_at<'t>(tree: &'t tree_sitter::Tree, src: &str, needle: &str) -> Node<'t> {
        let at = src.find(needle).unwrap();
        let mut n = tree
            .root_node()
            .descendant_for_byte_range(at, at + needle.len())
            .unwrap();
        while n.kind() != "call" {
            n = n.parent().unwrap();
        }
        n
    }

    const TOGGLE: &str =
        "def f\n  gitaly_migrate(:x) do |on|\n    if on\n      a\n    else\n      b\n    end\n  end\nend\n";

    #[test]
    fn the_toggle_is_fixed_from_the_shape_it_is_given() {
        let tree = parse(TOGGLE).unwrap();
        let call = call_at(&tree, TOGGLE, "gitaly_migrate");
        let mut shape = ToggleShape {
            param: Some("on".into()),
            begin_body: false,
            position: Position::Statement,
        };
        let e = fix_toggle(TOGGLE, call, &shape, &Wrapper::None).unwrap();
        assert_eq!(e.text, "a");
        let a = TOGGLE.find("a\n").unwrap();
        assert_eq!(e.kept, Some(a..a + 1));
        // Another parameter name: the block tests nothing the fix knows.
        shape.param = Some("enabled".into());
        assert_eq!(
            fix_toggle(TOGGLE, call, &shape, &Wrapper::None),
            Err(FixError::NoBranch)
        );
        // The frontend saw a `begin` body: left, whatever the code is.
        shape.begin_body = true;
        assert_eq!(
            fix_toggle(TOGGLE, call, &shape, &Wrapper::None),
            Err(FixError::BeginBlock)
        );
        // In a value position one expression stays an expression.
        let shape = ToggleShape {
            param: Some("on".into()),
            begin_body: false,
            position: Position::Return,
        };
        assert_eq!(
            fix_toggle(TOGGLE, call, &shape, &Wrapper::None)
                .unwrap()
                .text,
            "a"
        );
    }

    #[test]
    fn clauses_naming_a_parameter_are_bound_to_the_sites_plain_argument_only() {
        let src = "class W\n  def run\n    gitaly_migrate(:gc) { |on| x }\n    gitaly_migrate(flag_for(t)) { |on| x }\n  end\n\n  def gitaly_migrate(method, &block)\n    yield true\n  rescue E => e\n    log(\"#{method} failed\", method.to_s, other.method)\n  end\nend\n";
        let tree = parse(src).unwrap();
        let mut defs = Vec::new();
        let mut calls = Vec::new();
        crate::frontend::walk_tree(tree.root_node(), |n, _| {
            if n.kind() == "method" && text(src, n).starts_with("def gitaly_migrate") {
                defs.push(n);
            }
            if n.kind() == "call" && text(src, n).starts_with("gitaly_migrate(") {
                calls.push(n);
            }
            true
        });
        let clauses = rescue_clauses(src, defs[0]);
        assert_eq!(
            bind_parameters(src, calls[0], &clauses).unwrap(),
            ["rescue E => e\n  log(\"gc failed\", :gc.to_s, other.method)"]
        );
        assert_eq!(
            bind_parameters(src, calls[1], &clauses),
            Err(FixError::WrapperParameter("method".into()))
        );
    }

    /// The wrapper `toggle_defs` finds for a class holding `def gitaly_migrate`
    /// (rescuing `GRPC::NotFound`) and `helper`.
    fn wrapper_with(helper: &str) -> Wrapper {
        let src = format!(
            "class R\n  def gitaly_migrate(m, &block)\n    Gitlab::GitalyClient.migrate(m, &block)\n  rescue GRPC::NotFound => e\n    raise Missing, e\n  end\n\n{helper}end\n"
        );
        let tree = parse(&src).unwrap();
        let defs = toggle_defs(&src, tree.root_node(), &[]);
        assert_eq!(defs.len(), 1, "{src}");
        defs[0].2.clone()
    }

    #[test]
    fn the_helper_is_a_method_of_the_class_that_only_runs_its_block_in_the_same_clauses() {
        let clauses = vec!["rescue GRPC::NotFound => e\n  raise Missing, e".to_string()];
        let helper = |name: &str, public| Wrapper::Helper {
            name: name.into(),
            public,
            clauses: clauses.clone(),
        };
        let rescue = "  rescue GRPC::NotFound => e\n    raise Missing, e\n  end\n";
        let yielding = format!("  def wrapped(&block)\n    yield block\n{rescue}");
        assert_eq!(wrapper_with(&yielding), helper("wrapped", true));
        // `block.call`, `&block` passed on; white space does not count.
        let call =
            "  def w(&b)\n    b.call\n  rescue   GRPC::NotFound=>e\n    raise  Missing,e\n  end\n";
        assert_eq!(wrapper_with(call), helper("w", true));
        let passed = format!("  def w(&b)\n    instrument(:x, &b)\n{rescue}");
        assert_eq!(wrapper_with(&passed), helper("w", true));
        // Private: a site with a receiver cannot call it.
        assert_eq!(
            wrapper_with(&format!("  private\n\n{yielding}")),
            helper("wrapped", false)
        );
        assert_eq!(
            wrapper_with(&format!("{yielding}  private :wrapped\n")),
            helper("wrapped", false)
        );
        // Not helpers: other handling, more than the yield, a toggle, a
        // singleton method, another class.
        let plain = Wrapper::Rescue(clauses.clone());
        let other = "  def w\n    yield\n  rescue GRPC::NotFound => e\n    nil\n  end\n";
        assert_eq!(wrapper_with(other), plain);
        let more = format!("  def w\n    log\n    yield\n{rescue}");
        assert_eq!(wrapper_with(&more), plain);
        let toggle = format!("  def w(m, &b)\n    Gitlab::GitalyClient.migrate(m, &b)\n{rescue}");
        assert_eq!(wrapper_with(&toggle), plain);
        let singleton = format!("  class << self\n{yielding}  end\n");
        assert_eq!(wrapper_with(&singleton), plain);
        let elsewhere = format!("  class Inner\n{yielding}  end\n");
        assert_eq!(wrapper_with(&elsewhere), plain);
    }

    #[test]
    fn the_check_is_fixed_in_the_statement_the_shape_names() {
        let src = "if feature_enabled?(:x) && y\n  a\nelse\n  b\nend\n";
        let tree = parse(src).unwrap();
        let root = tree.root_node();
        let call = call_at(&tree, src, "feature_enabled?");
        let stmt = CheckShape {
            statement: Some((0..src.len() - 1, Position::Statement)),
            top: 3..src.find(" y").unwrap() + 2,
            top_is_binary: true,
        };
        let e = fix_check(src, root, call, &stmt).unwrap();
        assert_eq!(e.text, "if y\n  a\nelse\n  b\nend");
        // Without the statement the fix simplifies only the `&&`.
        let expr = CheckShape {
            statement: None,
            ..stmt.clone()
        };
        assert_eq!(fix_check(src, root, call, &expr).unwrap().text, "y");
        // Neither: the value is used.
        let value = CheckShape {
            statement: None,
            top: call.byte_range(),
            top_is_binary: false,
        };
        assert_eq!(
            fix_check(src, root, call, &value),
            Err(FixError::CheckValueUsed)
        );
    }

    #[test]
    fn the_frontend_gives_the_shape_the_fix_uses() {
        let x = crate::frontend::ruby::extract(TOGGLE.as_bytes(), false, &Default::default());
        let shape = &x.refs[0].shape;
        assert_eq!(
            shape,
            &Shape::Toggle(ToggleShape {
                param: Some("on".into()),
                begin_body: false,
                position: Position::Statement,
            })
        );
        let src = "x = (feature_enabled?(:y) && z) ? 1 : 2\n";
        let x = crate::frontend::ruby::extract(src.as_bytes(), false, &Default::default());
        let Shape::Check(check) = &x.refs[0].shape else {
            panic!("{:?}", x.refs[0].shape)
        };
        let ternary = 4..src.len() - 1;
        assert_eq!(check.statement, Some((ternary, Position::Value)));
        assert!(!check.top_is_binary, "the top is the parenthesis");
    }
}
