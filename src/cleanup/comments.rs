//! The migration-link comments of a method whose last toggle the fix removed:
//! `# Gitaly migration: https://gitlab.com/gitlab-org/gitaly/issues/…` (and
//! `# Gitaly migration issue: …`) above the `def` or inside its body go with
//! the toggle, and a bare `#` line they leave at the end of the comment block.

use super::Edit;
use tree_sitter::Node;

/// Whether a line is a migration-link comment.
pub fn is_migration_link(line: &str) -> bool {
    let t = line.trim();
    let Some(rest) = t.strip_prefix('#') else {
        return false;
    };
    let rest = rest.trim_start();
    let Some(rest) = rest
        .strip_prefix("Gitaly migration issue:")
        .or_else(|| rest.strip_prefix("Gitaly migration:"))
    else {
        return false;
    };
    let url = rest.trim();
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.contains("gitaly")
        && !url.contains(char::is_whitespace)
}

/// Whether a method's text still toggles something.
pub(crate) fn toggles(text: &str, toggle_methods: &[String]) -> bool {
    [
        "gitaly_migrate(",
        "gitaly_migrate ",
        ".migrate(",
        "feature_enabled?(",
    ]
    .iter()
    .any(|p| text.contains(p))
        || toggle_methods
            .iter()
            .any(|m| text.contains(&format!("{m}(")))
}

/// (name, byte range) of every method of a Ruby tree.
pub(crate) fn methods(src: &str, root: Node) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if matches!(n.kind(), "method" | "singleton_method") {
            if let Some(name) = n.child_by_field_name("name") {
                out.push((
                    src[name.byte_range()].to_string(),
                    n.start_byte(),
                    n.end_byte(),
                ));
            }
        }
        let mut c = n.walk();
        stack.extend(n.named_children(&mut c));
    }
    out
}

/// Deletes the migration-link comments of the methods of `fixed` that toggled
/// something in `original` and no longer do.
pub fn drop_migration_links(original: &str, fixed: &str, toggle_methods: &[String]) -> String {
    if !fixed.contains("Gitaly migration") {
        return fixed.to_string();
    }
    let (Some(ot), Some(ft)) = (super::ruby::parse(original), super::ruby::parse(fixed)) else {
        return fixed.to_string();
    };
    let before = methods(original, ot.root_node());
    let mut edits = Vec::new();
    for (name, start, end) in methods(fixed, ft.root_node()) {
        let toggled = before
            .iter()
            .filter(|(n, _, _)| *n == name)
            .any(|(_, s, e)| toggles(&original[*s..*e], toggle_methods));
        if !toggled || toggles(&fixed[start..end], toggle_methods) {
            continue;
        }
        // The comment block directly above the def, as line ranges.
        let def_line = fixed[..start].rfind('\n').map_or(0, |i| i + 1);
        let mut block: Vec<(usize, usize)> = Vec::new();
        let mut at = def_line;
        while at > 0 {
            let prev = fixed[..at - 1].rfind('\n').map_or(0, |i| i + 1);
            if !fixed[prev..at].trim_start().starts_with('#') {
                break;
            }
            block.push((prev, at));
            at = prev;
        }
        block.reverse();
        let links: Vec<usize> = (0..block.len())
            .filter(|&k| is_migration_link(&fixed[block[k].0..block[k].1]))
            .collect();
        if !links.is_empty() {
            // The lines that stay, and a bare `#` left at the end of them.
            let mut keep: Vec<usize> = (0..block.len()).filter(|k| !links.contains(k)).collect();
            while keep
                .last()
                .is_some_and(|&k| fixed[block[k].0..block[k].1].trim() == "#")
            {
                keep.pop();
            }
            for (k, &(s, e)) in block.iter().enumerate() {
                if !keep.contains(&k) {
                    edits.push(Edit::new(s, e, String::new()));
                }
            }
        }
        // Inside the body.
        let mut from = start;
        for line in fixed[start..end].split_inclusive('\n') {
            if is_migration_link(line) {
                edits.push(Edit::new(from, from + line.len(), String::new()));
            }
            from += line.len();
        }
    }
    if edits.is_empty() {
        return fixed.to_string();
    }
    let out = super::apply_edits(fixed, edits);
    if super::ruby::parse(&out).is_some_and(|t| !t.root_node().has_error()) {
        out
    } else {
        fixed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_the_link_lines_only() {
        assert!(is_migration_link(
            "  # Gitaly migration: https://gitlab.com/gitlab-org/gitaly/issues/384\n"
        ));
        assert!(is_migration_link(
            "# Gitaly migration issue: https://gitlab.com/gitlab-org/gitaly/issues/798"
        ));
        assert!(!is_migration_link(
            "# See https://gitlab.com/gitlab-org/gitaly/issues/1"
        ));
        assert!(!is_migration_link(
            "# Gitaly migration: https://gitlab.com/gitlab-org/gitaly/issues/1 is slow"
        ));
    }

    #[test]
    fn the_links_of_a_method_without_toggles_go_with_a_bare_hash_line() {
        let original = "class A\n  # Finds blobs.\n  #\n  # Gitaly migration issue: https://gitlab.com/gitlab-org/gitaly/issues/798\n  def batch\n    gitaly_migrate(:x) do |on|\n      on ? 1 : 2\n    end\n  end\n\n  # Gitaly migration: https://gitlab.com/gitlab-org/gitaly/issues/1\n  def other\n    gitaly_migrate(:y) { |on| on }\n  end\nend\n";
        let fixed = original.replace(
            "    gitaly_migrate(:x) do |on|\n      on ? 1 : 2\n    end\n",
            "    1\n",
        );
        assert_eq!(
            drop_migration_links(original, &fixed, &[]),
            "class A\n  # Finds blobs.\n  def batch\n    1\n  end\n\n  # Gitaly migration: https://gitlab.com/gitlab-org/gitaly/issues/1\n  def other\n    gitaly_migrate(:y) { |on| on }\n  end\nend\n"
        );
    }

    #[test]
    fn a_link_inside_the_body_goes_too() {
        let original = "def f\n  # Gitaly migration: https://gitlab.com/gitlab-org/gitaly/issues/2\n  gitaly_migrate(:x) { |on| 1 }\nend\n";
        let fixed = "def f\n  # Gitaly migration: https://gitlab.com/gitlab-org/gitaly/issues/2\n  1\nend\n";
        assert_eq!(
            drop_migration_links(original, fixed, &[]),
            "def f\n  1\nend\n"
        );
    }
}
