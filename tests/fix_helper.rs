//! `flaglint fix` wraps the kept code in the class's own error helper
//! (`wrapped_gitaly_errors do … end`) when the toggle method's `rescue`
//! clauses are the helper's, and inlines its `rescue` clauses otherwise: as
//! the method's own when the toggle is its whole body, else in a
//! `begin … rescue … end`.
//! The fixture tree is tests/data/fix-helper/tree, its fixed text
//! tests/data/fix-helper/expected (with `--keep-dead`: the dead code is
//! tests/fix_dead.rs's).

use std::process::Command;

mod common;
use common::*;

const FILES: &[&str] = &[
    // The helper: receiverless, in value positions, not after a bare argument.
    "lib/gitlab/git/repository.rb",
    // The helper with the sites' receivers (`repo.`, `@repository.`).
    "lib/gitlab/git/blob.rb",
    // A helper whose clauses differ: begin/rescue.
    "lib/gitlab/git/wiki.rb",
    // No helper: the method's own rescue clauses where the toggle is its whole
    // body, begin/rescue elsewhere.
    "lib/gitlab/git/remote.rb",
];

#[test]
fn fix_uses_the_classs_error_helper_only_where_its_clauses_are_the_wrappers() {
    let data = root().join("tests/data/fix-helper");
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    copy_dir(&data.join("tree"), &tree);
    let o = Command::new(env!("CARGO_BIN_EXE_flaglint"))
        .args([
            "fix",
            "--write",
            "--keep-dead",
            "--config",
            "flaglint.toml",
            ".",
        ])
        .current_dir(&tree)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("10 sites fixed in 4 files"), "{err}");
    for f in FILES {
        let original = std::fs::read_to_string(data.join("tree").join(f)).unwrap();
        let fixed = std::fs::read_to_string(tree.join(f)).unwrap();
        let expected = std::fs::read_to_string(data.join("expected").join(f)).unwrap();
        assert_eq!(fixed, expected, "{f}");
        assert!(
            flaglint::cleanup::parses_if_original_did("ruby", &original, &fixed),
            "{f}"
        );
        ruby_syntax_ok(&tree.join(f));
    }
    // One note per file that used a helper, none for the others.
    let notes: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("the kept code is wrapped in"))
        .collect();
    assert_eq!(
        notes,
        [
            "note: tree:lib/gitlab/git/blob.rb: the kept code is wrapped in `wrapped_gitaly_errors`",
            "note: tree:lib/gitlab/git/repository.rb: the kept code is wrapped in `wrapped_gitaly_errors`",
        ],
        "{err}"
    );
}
