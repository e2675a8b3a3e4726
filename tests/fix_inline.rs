//! `flaglint fix` inlines a single-use private helper at its one call when
//! that call is all a fixed toggle keeps: the helper's body replaces the
//! call, its parameter renamed to the argument, and the helper goes. Helpers
//! with another caller, or named through `send`, stay. The fixture tree is
//! tests/data/fix-inline/tree, its fixed text tests/data/fix-inline/expected.

mod common;
use common::*;

const FILE: &str = "lib/gitlab/git/repository.rb";

#[test]
fn fix_inlines_the_single_use_helper_and_keeps_the_others() {
    let data = root().join("tests/data/fix-inline");
    let (_dir, tree) = fixture_tree("fix-inline");
    let o = fix_in(&tree, &["--write"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("4 sites fixed in 1 file"), "{err}");
    // Every file as expected (the ones expected/ lacks unchanged).
    let all = files(&tree);
    assert_eq!(all.len(), 2, "{all:?}");
    for f in &all {
        let original = std::fs::read_to_string(data.join("tree").join(f)).unwrap();
        let fixed = std::fs::read_to_string(tree.join(f)).unwrap();
        let expected = std::fs::read_to_string(data.join("expected").join(f)).unwrap_or(original);
        assert_eq!(fixed, expected, "{}", f.display());
    }
    let expected = std::fs::read_to_string(data.join("expected").join(FILE)).unwrap();
    assert!(!expected.contains("entry_count_by_gitaly"));
    assert!(expected.contains("def names_from_gitaly(kind)"));
    assert!(expected.contains("def size_by_gitaly"));
    ruby_syntax_ok(&tree.join(FILE));
    let notes: Vec<&str> = err.lines().filter(|l| l.contains("inlined")).collect();
    assert_eq!(
        notes,
        ["note: tree:lib/gitlab/git/repository.rb:12: inlined `entry_count_by_gitaly` (its only caller)"],
        "{err}"
    );
}

#[test]
fn the_plan_lists_the_inlined_helpers_and_inline_max_lines_0_turns_it_off() {
    let (_dir, tree) = fixture_tree("fix-inline");
    let o = fix_in(&tree, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        v["files"][0]["inlined"],
        serde_json::json!([{"name": "entry_count_by_gitaly", "line": 12}])
    );
    // `[fix] inline_max_lines = 0`: the call stays, and so does the helper.
    let registry = tree.join("flaglint.toml");
    let text = std::fs::read_to_string(&registry).unwrap();
    std::fs::write(&registry, format!("[fix]\ninline_max_lines = 0\n\n{text}")).unwrap();
    let o = fix_in(&tree, &["--write"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("inlined"), "{err}");
    let fixed = std::fs::read_to_string(tree.join(FILE)).unwrap();
    assert!(
        fixed.contains("        entry_count_by_gitaly(entry_options)\n      end\n"),
        "{fixed}"
    );
    assert!(fixed.contains("def entry_count_by_gitaly(options)"));
}
