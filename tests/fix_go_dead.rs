//! Workhorse: when a Gitaly-vs-legacy branch collapses, the legacy functions
//! only it called go too (with their doc comments, and the imports they leave
//! unused), by Go's own rules: an unexported function named nowhere else in
//! its package, an exported one nowhere else in its component. The fixture
//! tree is tests/data/fix-go-dead/tree (Workhorse's 2018 shape, own code), its
//! fixed `blob.go` tests/data/fix-go-dead/expected.

use std::process::Command;

mod common;
use common::*;

#[test]
fn fix_deletes_the_go_legacy_functions_only_the_branch_called() {
    let data = root().join("tests/data/fix-go-dead");
    let (dir, tree) = fixture_tree("fix-go-dead");
    let o = fix_in(&tree, &["--write"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let notes: Vec<&str> = err.lines().filter(|l| l.contains("deleted")).collect();
    assert_eq!(
        notes,
        [
            "note: gitlab-workhorse:internal/git/blob.go:39 `sendBlobLocally`: deleted, only the removed legacy code named it",
            "note: gitlab-workhorse:internal/git/blob.go:52 `blobSize`: deleted, only the removed legacy code named it",
        ],
        "{err}"
    );
    let read = |root: &std::path::Path, f: &str| std::fs::read_to_string(root.join(f)).unwrap();
    // The legacy function and its helper go; the exported function another
    // package names, and the package's gitCommand (another file), stay.
    assert_eq!(
        read(&tree, "internal/git/blob.go"),
        read(&data.join("expected"), "internal/git/blob.go")
    );
    for f in [
        "internal/git/command.go",
        "internal/upstream/routes.go",
        "internal/gitaly/blob.go",
    ] {
        assert_eq!(read(&tree, f), read(&data.join("tree"), f), "{f}");
    }
    // gofmt-clean, when Go is installed.
    if let Ok(g) = Command::new("gofmt")
        .arg("-l")
        .arg(tree.join("internal"))
        .output()
    {
        assert_eq!(stdout(&g), "", "gofmt -l");
    }
    // --keep-dead lists them instead.
    copy_dir(&data.join("tree"), &dir.path().join("again"));
    let o = fix_in(&dir.path().join("again"), &["--keep-dead"]);
    let err = stderr(&o);
    assert!(
        err.contains("internal/git/blob.go:39: `sendBlobLocally` is now unused, kept: only the removed legacy code called it"),
        "{err}"
    );
    assert!(
        stdout(&o).contains("+\tsendBlobWithGitaly(w, r, params)"),
        "{}",
        stdout(&o)
    );
    assert!(
        !stdout(&o).contains("-func sendBlobLocally"),
        "{}",
        stdout(&o)
    );
}
