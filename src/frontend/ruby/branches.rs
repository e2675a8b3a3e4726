//! The Ruby frontend's branch finding: the Gitaly and legacy branches of a
//! toggle's block (`do |is_enabled| if is_enabled ... else ... end end`) and
//! of a check used as a condition, and the call facts of the Gitaly branch.

use super::facts::Facts;
use crate::frontend::{climb, CheckShape, Position, Shape, ToggleShape};
use crate::model::Span;
use tree_sitter::Node;

/// The call facts of the code in a branch span.
pub(super) fn branch_facts(
    root: Node,
    span: Span,
    class: &str,
    src: &[u8],
) -> Vec<super::calls::CallFact> {
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
    super::calls::facts_of(&nodes, class, src)
}

impl<'t, 's> Facts<'t, 's>
where
    's: 't,
{
    /// The Gitaly and legacy branches of a toggle's block `do |is_enabled| ... end`.
    pub(super) fn block_branches(&self, call: Node) -> (Option<Span>, Option<Span>) {
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

    /// How a toggle call's block is written: its parameter, whether its body
    /// is a lone `begin` with `rescue`/`else`/`ensure` clauses (a plain
    /// `begin … end` only groups the branch), and where the call stands.
    pub(super) fn toggle_shape(&self, call: Node) -> Shape {
        let block = call.child_by_field_name("block");
        let param = block
            .and_then(|b| b.child_by_field_name("parameters"))
            .and_then(|p| p.named_child(0))
            .filter(|p| p.kind() == "identifier")
            .map(|p| self.text(p).to_string());
        let begin_body = block
            .and_then(|b| b.child_by_field_name("body"))
            .is_some_and(|body| {
                let mut c = body.walk();
                let stmts: Vec<Node> = body.named_children(&mut c).collect();
                matches!(stmts.as_slice(), [only] if super::begin_with_clauses(*only))
            });
        Shape::Toggle(ToggleShape {
            param,
            begin_body,
            position: position(call),
        })
    }

    /// What tests a check: the statement whose condition holds it (climbing
    /// through parentheses, `!`, `&&` and `||`), else the outermost of those
    /// around it.
    pub(super) fn check_shape(&self, call: Node) -> Shape {
        let mut node = call;
        let mut statement = None;
        for p in climb(call) {
            match p.kind() {
                "parenthesized_statements" | "unary" | "not" | "binary" => node = p,
                "if" | "unless" | "conditional" | "if_modifier" | "unless_modifier"
                    if p.child_by_field_name("condition") == Some(node) =>
                {
                    statement = Some((p.byte_range(), position(p)));
                    break;
                }
                _ => break,
            }
        }
        Shape::Check(CheckShape {
            statement,
            top: node.byte_range(),
            top_is_binary: node.kind() == "binary",
        })
    }

    /// Whether `cond` is `param` (Some(true)) or `!param` / `not param` (Some(false)).
    pub(super) fn tests_param(&self, cond: Node, param: &str) -> Option<bool> {
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
    pub(super) fn if_branches(&self, stmt: Node) -> (Option<Span>, Option<Span>) {
        let branch = |n: Option<Node>| -> Option<Span> {
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
    pub(super) fn condition_branches(&self, call: Node) -> (Option<Span>, Option<Span>) {
        let mut node = call;
        let mut positive = true;
        for parent in climb(call) {
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

/// Where an expression stands: a statement, a value, or after `return`.
fn position(n: Node) -> Position {
    let Some(p) = n.parent() else {
        return Position::Statement;
    };
    match p.kind() {
        "body_statement" | "then" | "else" | "block_body" | "program" | "begin" | "ensure" => {
            Position::Statement
        }
        "argument_list" if p.parent().is_some_and(|r| r.kind() == "return") => Position::Return,
        _ => Position::Value,
    }
}

pub(super) fn unparen(mut n: Node) -> Node {
    while n.kind() == "parenthesized_statements" && n.named_child_count() == 1 {
        match n.named_child(0) {
            Some(c) => n = c,
            None => break,
        }
    }
    n
}
