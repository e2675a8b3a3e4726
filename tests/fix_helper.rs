//! `flaglint fix` wraps the kept code in the class's own error helper
//! (`wrapped_gitaly_errors do … end`) when the toggle method's `rescue`
//! clauses are the helper's, and inlines its `rescue` clauses otherwise: as
//! the method's own when the toggle is its whole body, else in a
//! `begin … rescue … end`.
//! The fixture tree is tests/data/fix-helper/tree, its fixed text
//! tests/data/fix-helper/expected (with `--keep-dead`: the dead code is
//! tests/fix_dead.rs's).

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
    let (_dir, tree) = fixture_tree("fix-helper");
    let o = fix_in(&tree, &["--write", "--keep-dead"]);
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

/// The toggle method's `rescue` clauses name its parameter (`#{method}` in a
/// log line, as GitLab's `GitGarbageCollectWorker#gitaly_migrate` does):
/// inlined at a site, the parameter becomes the argument the site passed (a
/// symbol interpolated alone becomes its name), never a bare `method` (which
/// would call `Object#method` there). A keyword parameter the clauses use
/// leaves the site to a person. Fixture: tests/data/fix-rescue-params.
#[test]
fn inlined_rescue_clauses_get_the_sites_argument_for_the_toggle_methods_parameter() {
    let data = root().join("tests/data/fix-rescue-params");
    let (_dir, tree) = fixture_tree("fix-rescue-params");
    let o = fix_in(&tree, &["--write"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let f = "app/workers/housekeeping_worker.rb";
    let fixed = std::fs::read_to_string(tree.join(f)).unwrap();
    let expected = std::fs::read_to_string(data.join("expected").join(f)).unwrap();
    assert_eq!(fixed, expected);
    assert!(
        fixed.contains("error(\"garbage_collect failed: #{e}\")"),
        "{fixed}"
    );
    assert!(
        fixed.contains("error(\"#{TASKS[task]} failed: #{e}\")"),
        "{fixed}"
    );
    ruby_syntax_ok(&tree.join(f));
    // The keyword parameter: left, the file as it was.
    let p = "app/workers/prune_worker.rb";
    assert_eq!(
        std::fs::read_to_string(tree.join(p)).unwrap(),
        std::fs::read_to_string(data.join("tree").join(p)).unwrap()
    );
    assert!(
        err.contains("note: tree:app/workers/prune_worker.rb:3: toggle `prune_objects` left: the toggle method's `rescue` clauses use its parameter `status`, which this call does not pass as a plain value"),
        "{err}"
    );
    assert!(
        err.contains("flaglint fix: 2 sites fixed in 1 file, 1 written; 1 left for a person"),
        "{err}"
    );
}
