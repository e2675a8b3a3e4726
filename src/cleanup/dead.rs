//! Dead code the fix leaves behind: methods that only the removed legacy
//! branches called, and then methods only those called (same file).

use super::Edit;
use std::collections::{HashMap, HashSet};
use tree_sitter::Node;

/// A method the fix made unused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadMethod {
    pub name: String,
    /// 1-based line of the `def` in the fixed text.
    pub line: usize,
    pub private: bool,
    /// Byte range of the whole definition (its lines) in the fixed text.
    pub start: usize,
    pub end: usize,
}

struct Def {
    name: String,
    start: usize,
    end: usize,
    private: bool,
}

/// The instance and class methods of a file, with their visibility.
fn defs(src: &str, root: Node) -> Vec<Def> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        let mut private = false;
        let mut c = n.walk();
        let children: Vec<Node> = n.named_children(&mut c).collect();
        for child in children {
            match child.kind() {
                "identifier" => match &src[child.byte_range()] {
                    "private" => private = true,
                    "public" | "protected" => private = false,
                    _ => {}
                },
                "method" => {
                    if let Some(name) = child.child_by_field_name("name") {
                        out.push(Def {
                            name: src[name.byte_range()].to_string(),
                            start: child.start_byte(),
                            end: child.end_byte(),
                            private,
                        });
                    }
                }
                "class" | "module" | "body_statement" | "singleton_class" | "program" => {
                    stack.push(child)
                }
                _ => {}
            }
        }
    }
    out
}

/// Word occurrences of `name` (as a method name or `:symbol`) outside `skip`.
fn mentions(text: &str, name: &str, skip: &[(usize, usize)]) -> usize {
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'?' || b == b'!';
    let bytes = text.as_bytes();
    let mut n = 0;
    let mut from = 0;
    while let Some(i) = text[from..].find(name).map(|i| i + from) {
        from = i + name.len();
        let before_ok = i == 0 || !is_word(bytes[i - 1]) || bytes[i - 1] == b':';
        let before_ok =
            before_ok && !(i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'));
        let after_ok =
            from >= bytes.len() || !(bytes[from].is_ascii_alphanumeric() || bytes[from] == b'_');
        if before_ok && after_ok && !skip.iter().any(|(s, e)| i >= *s && i < *e) {
            n += 1;
        }
    }
    n
}

/// Methods of `fixed` that `original` used and `fixed` no longer does.
pub fn find(original: &str, fixed: &str) -> Vec<DeadMethod> {
    let (Some(ot), Some(ft)) = (super::ruby::parse(original), super::ruby::parse(fixed)) else {
        return Vec::new();
    };
    let odefs = defs(original, ot.root_node());
    let fdefs = defs(fixed, ft.root_node());
    let own = |ds: &[Def], name: &str| -> Vec<(usize, usize)> {
        ds.iter()
            .filter(|d| d.name == name)
            .map(|d| (d.start, d.end))
            .collect()
    };
    let used_before: HashSet<&str> = odefs
        .iter()
        .filter(|d| mentions(original, &d.name, &own(&odefs, &d.name)) > 0)
        .map(|d| d.name.as_str())
        .collect();
    let mut dead: HashSet<&str> = HashSet::new();
    loop {
        let mut skip: Vec<(usize, usize)> = fdefs
            .iter()
            .filter(|d| dead.contains(d.name.as_str()))
            .map(|d| (d.start, d.end))
            .collect();
        let before = dead.len();
        for d in &fdefs {
            if dead.contains(d.name.as_str()) || !used_before.contains(d.name.as_str()) {
                continue;
            }
            let mut s = skip.clone();
            s.extend(own(&fdefs, &d.name));
            if mentions(fixed, &d.name, &s) == 0 {
                dead.insert(&d.name);
            }
        }
        skip.clear();
        if dead.len() == before {
            break;
        }
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for d in &fdefs {
        *counts.entry(&d.name).or_default() += 1;
    }
    let mut out: Vec<DeadMethod> = fdefs
        .iter()
        .filter(|d| dead.contains(d.name.as_str()) && counts[d.name.as_str()] == 1)
        .map(|d| {
            let start = fixed[..d.start].rfind('\n').map_or(0, |i| i + 1);
            let end = fixed[d.end..]
                .find('\n')
                .map_or(fixed.len(), |i| d.end + i + 1);
            DeadMethod {
                name: d.name.clone(),
                line: fixed[..d.start].matches('\n').count() + 1,
                private: d.private,
                start,
                end,
            }
        })
        .collect();
    out.sort_by_key(|d| d.start);
    out
}

/// Deletes the given methods (and a blank line they leave doubled).
pub fn delete(fixed: &str, methods: &[&DeadMethod]) -> String {
    let edits = methods
        .iter()
        .map(|m| Edit::new(m.start, m.end, String::new()))
        .collect();
    super::apply_edits(fixed, edits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_only_the_legacy_branch_called() {
        let original = "class A\n  def x\n    gitaly\n    legacy\n  end\n\n  private\n\n  def legacy\n    helper\n  end\n\n  def helper\n    1\n  end\n\n  def gitaly\n    2\n  end\n\n  def unused_before\n  end\nend\n";
        let fixed = original.replace("    legacy\n", "");
        let dead = find(original, &fixed);
        let names: Vec<&str> = dead.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["legacy", "helper"]);
        assert!(dead.iter().all(|d| d.private));
        let cleaned = delete(&fixed, &dead.iter().collect::<Vec<_>>());
        assert!(
            !cleaned.contains("def legacy")
                && !cleaned.contains("def helper")
                && cleaned.contains("def gitaly")
        );
        assert!(super::super::ruby::parse(&cleaned).is_some_and(|t| !t.root_node().has_error()));
    }
}
