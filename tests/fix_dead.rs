//! `flaglint fix` deletes the legacy code its removed branches leave dead,
//! tree-wide, and keeps what anything else still names. The fixture is two
//! components, tests/data/fix-dead/tree/ce and …/other (a client naming one
//! of ce's methods), with one toggle per case in ce's
//! lib/gitlab/git/repository.rb; tests/data/fix-dead/expected holds every
//! Ruby file as it must be after `fix --write` (the unchanged ones too).

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::*;

const REPOSITORY: &str = "ce/lib/gitlab/git/repository.rb";
const MIRRORING: &str = "ce/lib/gitlab/git/repository_mirroring.rb";
const BLAME: &str = "ce/lib/gitlab/git/blame.rb";
const AUDIT: &str = "ce/lib/gitlab/mirror_audit.rb";
const SPEC: &str = "ce/spec/lib/gitlab/git/repository_spec.rb";

/// The fixture tree, copied to a temporary directory.
fn tree() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    copy_dir(&root().join("tests/data/fix-dead/tree"), &tree);
    (dir, tree)
}

/// `flaglint fix ARGS --config flaglint.toml ce=ce other=other` in `tree`.
fn fix(tree: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_flaglint"))
        .arg("fix")
        .args(args)
        .args(["--config", "flaglint.toml", "ce=ce", "other=other"])
        .current_dir(tree)
        .output()
        .unwrap()
}

fn read(dir: &Path, f: &str) -> String {
    std::fs::read_to_string(dir.join(f)).unwrap()
}

/// The `def` lines of a text, trimmed.
fn defs(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("def "))
        .collect()
}

const DELETED: &[&str] = &[
    "note: ce:spec/lib/gitlab/git/repository_spec.rb:22 '#rugged_find_tag': deleted, a spec of the removed legacy path",
    "note: ce:lib/gitlab/git/blame.rb:41 `load_blame_by_shelling_out`: deleted, only the removed legacy code named it",
    "note: ce:lib/gitlab/git/blame.rb:46 `parse_raw_blame`: deleted, only the removed legacy code named it",
    "note: ce:lib/gitlab/git/repository.rb:10 `COUNT_ARGS`: deleted, only the removed legacy code named it",
    "note: ce:lib/gitlab/git/repository.rb:49 `rugged_ref_names`: deleted, only the removed legacy code named it",
    "note: ce:lib/gitlab/git/repository.rb:154 `rugged_find_tag`: deleted, only the removed legacy code named it",
    "note: ce:lib/gitlab/git/repository.rb:205 `rugged_branch_count`: deleted, only the removed legacy code named it",
    "note: ce:lib/gitlab/git/repository.rb:212 `count_by_shelling_out`: deleted, only the removed legacy code named it",
    "note: ce:lib/gitlab/git/repository.rb:217 `process_raw_output`: deleted, only the removed legacy code named it",
    "note: ce:lib/gitlab/git/repository.rb:224 `count_command`: deleted, only the removed legacy code named it",
    "note: ce:lib/gitlab/git/repository.rb:242 `rugged_line_count`: deleted, only the removed legacy code named it",
    "note: ce:lib/gitlab/git/repository_mirroring.rb:8 `rugged_mirror_refs`: deleted, only the removed legacy code named it",
];

#[test]
fn fix_deletes_what_only_the_removed_branches_named_and_keeps_what_else_names() {
    let data = root().join("tests/data/fix-dead");
    let (_dir, tree) = tree();
    let o = fix(&tree, &["--write"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    // The 15 toggles; the mixed-in module and the spec are files changed too.
    assert!(
        err.contains("15 sites fixed in 4 files, 4 written"),
        "{err}"
    );
    // Every file exactly as expected/ has it (the unchanged ones included).
    let all: Vec<PathBuf> = files(&tree)
        .into_iter()
        .filter(|f| f != Path::new("flaglint.toml"))
        .collect();
    assert_eq!(all, files(&data.join("expected")));
    for f in &all {
        let expected = read(&data.join("expected"), f.to_str().unwrap());
        assert_eq!(
            read(&tree, f.to_str().unwrap()),
            expected,
            "{}",
            f.display()
        );
        ruby_syntax_ok(&tree.join(f));
    }
    for f in [
        AUDIT,
        "ce/app/models/repository.rb",
        "other/lib/gitlab_projects.rb",
    ] {
        assert_eq!(read(&tree, f), read(&data.join("tree"), f), "{f}");
    }
    let repo = read(&tree, REPOSITORY);
    let gone = |name: &str| !repo.contains(name);
    // 1. A private legacy helper, with its comment block.
    assert!(gone("rugged_branch_count") && gone("Case 1:"), "{repo}");
    // 2. The cycle, its command builder and its constant.
    for name in [
        "count_by_shelling_out",
        "process_raw_output",
        "count_command",
        "COUNT_ARGS",
        "Case 2",
    ] {
        assert!(gone(name), "{name}");
    }
    // 3. A public legacy method.
    assert!(gone("rugged_ref_names"));
    // 13. A public legacy method only its own `describe` in the spec named:
    // both go; the spec's other blocks stay (case 7's too: named elsewhere).
    assert!(gone("rugged_find_tag"), "{repo}");
    let spec = read(&tree, SPEC);
    assert!(!spec.contains("describe '#rugged_find_tag'"), "{spec}");
    for kept in [
        "describe '#rugged_find_branch'",
        "describe '#find_branch'",
        "describe '#size'",
    ] {
        assert!(spec.contains(kept), "{kept}: {spec}");
    }
    // 12. A public legacy method called with a receiver from another class,
    // named by itself and by its own comment block.
    assert!(gone("rugged_line_count") && gone("Case 12"), "{repo}");
    // 4, 5. Named by `send`, `method(:x)`, `alias`, `alias_method`: kept.
    for def in [
        "def rugged_tag_count",
        "def rugged_local_branches",
        "def rugged_head_name",
        "def rugged_tag_names",
        // 6, 7. Named by another component, by the spec: kept.
        "def rugged_ls_files(ref)",
        "def rugged_find_branch(name)",
        // 14. A framework callback named like the core method the removed
        // branch called on a string (`String#scrub`): kept.
        "def scrub(node)",
        // 8. Unused before the fix, and the runner it calls: kept.
        "def fsck_output",
        "def run_git(args)",
        // What the kept legacy methods call.
        "def rugged",
    ] {
        assert!(defs(&repo).contains(&def), "{def}");
    }
    // The private section still has methods under it: it stays.
    assert!(repo.contains("\n      private\n\n      # Case 4"), "{repo}");
    // 9. Deleted from the mixed-in module; the unrelated class's stays.
    assert_eq!(defs(&read(&tree, MIRRORING)), ["def remote_names"]);
    assert!(read(&tree, AUDIT).contains("def rugged_mirror_refs(remote)"));
    // 10. A private section emptied: the `private` goes, no blank line
    // before the `end`.
    let blame = read(&tree, BLAME);
    assert!(!blame.contains("private"), "{blame}");
    // 11. A toggle whose block is a plain `begin … end`: its Gitaly branch.
    assert!(
        blame.contains(
            "def line_count\n        @repo.gitaly_commit_client.blame_line_count(@sha, @path)\n      end\n"
        ),
        "{blame}"
    );
    assert!(
        blame.ends_with("blame_line_count(@sha, @path)\n      end\n    end\n  end\nend\n"),
        "{blame}"
    );
    // No runs of blank lines, no blank line after an opening or before an
    // `end`, in any file the fix changed.
    for f in [REPOSITORY, MIRRORING, BLAME] {
        let text = read(&tree, f);
        let lines: Vec<&str> = text.lines().collect();
        for w in lines.windows(2) {
            let (a, b) = (w[0].trim(), w[1].trim());
            assert!(!(a.is_empty() && b.is_empty()), "{f}: two blank lines");
            assert!(
                !(a.is_empty() && b == "end"),
                "{f}: a blank line before `end`"
            );
            assert!(
                !(b.is_empty() && (a.starts_with("class ") || a.starts_with("module "))),
                "{f}: a blank line after `{a}`"
            );
        }
    }
    // The notes: what was deleted, and what is kept because only the spec or
    // another component names it (at its line in the text written).
    let deleted: Vec<&str> = err.lines().filter(|l| l.contains(": deleted")).collect();
    assert_eq!(deleted, DELETED, "{err}");
    let kept: Vec<&str> = err.lines().filter(|l| l.contains("now unused")).collect();
    assert_eq!(
        kept,
        [
            "note: ce:lib/gitlab/git/repository.rb:66: `rugged_ls_files` is now unused, kept: named in another component: other:lib/gitlab_projects.rb",
            "note: ce:lib/gitlab/git/repository.rb:76: `rugged_find_branch` is now unused, kept: named in the spec ce:spec/lib/gitlab/git/repository_spec.rb",
        ],
        "{err}"
    );
    assert_eq!(
        repo.lines().nth(65).map(str::trim),
        Some("def rugged_ls_files(ref)")
    );
    assert_eq!(
        repo.lines().nth(75).map(str::trim),
        Some("def rugged_find_branch(name)")
    );
    // A second run has nothing left to do.
    let o = fix(&tree, &["--write"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("0 sites fixed in 0 files"), "{err}");
    assert!(!err.contains(": deleted"), "{err}");
}

#[test]
fn keep_dead_deletes_nothing_and_lists_every_dead_method() {
    let data = root().join("tests/data/fix-dead");
    let (_dir, tree) = tree();
    let o = fix(&tree, &["--write", "--keep-dead"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("15 sites fixed in 2 files, 2 written"),
        "{err}"
    );
    assert!(!err.contains(": deleted"), "{err}");
    // Only the toggles go: every definition stays, the other files unchanged.
    for f in [REPOSITORY, BLAME] {
        let (before, after) = (read(&data.join("tree"), f), read(&tree, f));
        assert_ne!(before, after, "{f}");
        assert_eq!(defs(&after), defs(&before), "{f}");
        assert!(!after.contains("gitaly_migrate"), "{f}");
        ruby_syntax_ok(&tree.join(f));
    }
    assert!(read(&tree, REPOSITORY).contains("COUNT_ARGS = "));
    for f in [MIRRORING, AUDIT] {
        assert_eq!(read(&tree, f), read(&data.join("tree"), f), "{f}");
    }
    // Every dead method listed (at its line in the text written), and the
    // two kept for a spec or another component.
    let notes: Vec<&str> = err.lines().filter(|l| l.contains("now unused")).collect();
    let legacy = "is now unused, kept: only the removed legacy code named it";
    assert_eq!(
        notes,
        [
            format!("note: ce:lib/gitlab/git/blame.rb:27: `load_blame_by_shelling_out` {legacy}"),
            format!("note: ce:lib/gitlab/git/blame.rb:32: `parse_raw_blame` {legacy}"),
            format!("note: ce:lib/gitlab/git/repository.rb:10: `COUNT_ARGS` {legacy}"),
            format!("note: ce:lib/gitlab/git/repository.rb:31: `rugged_ref_names` {legacy}"),
            "note: ce:lib/gitlab/git/repository.rb:74: `rugged_ls_files` is now unused, kept: named in another component: other:lib/gitlab_projects.rb".into(),
            "note: ce:lib/gitlab/git/repository.rb:84: `rugged_find_branch` is now unused, kept: named in the spec ce:spec/lib/gitlab/git/repository_spec.rb".into(),
            "note: ce:lib/gitlab/git/repository.rb:94: `rugged_find_tag` is now unused, kept: named in the spec ce:spec/lib/gitlab/git/repository_spec.rb".into(),
            format!("note: ce:lib/gitlab/git/repository.rb:127: `rugged_branch_count` {legacy}"),
            format!("note: ce:lib/gitlab/git/repository.rb:134: `count_by_shelling_out` {legacy}"),
            format!("note: ce:lib/gitlab/git/repository.rb:139: `process_raw_output` {legacy}"),
            format!("note: ce:lib/gitlab/git/repository.rb:146: `count_command` {legacy}"),
            format!("note: ce:lib/gitlab/git/repository.rb:164: `rugged_line_count` {legacy}"),
            format!("note: ce:lib/gitlab/git/repository_mirroring.rb:8: `rugged_mirror_refs` {legacy}"),
        ],
        "{err}"
    );
    // Each at its `def` (or constant) in the file written.
    let repo = read(&tree, REPOSITORY);
    for (line, name) in [
        (10, "COUNT_ARGS = "),
        (31, "def rugged_ref_names"),
        (127, "def rugged_branch_count"),
        (134, "def count_by_shelling_out("),
        (139, "def process_raw_output("),
        (146, "def count_command("),
    ] {
        let text = repo.lines().nth(line - 1).unwrap_or("");
        assert!(text.trim().starts_with(name), "{line}: {text}");
    }
}

#[test]
fn the_json_plan_lists_deleted_and_unused_methods_per_file() {
    let (_dir, tree) = tree();
    let o = fix(&tree, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let by_path: std::collections::BTreeMap<&str, &serde_json::Value> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f))
        .collect();
    assert_eq!(
        by_path.keys().copied().collect::<Vec<_>>(),
        [BLAME, REPOSITORY, MIRRORING, SPEC]
    );
    let methods = |path: &str, key: &str| by_path[path][key].clone();
    use serde_json::json;
    assert_eq!(
        methods(REPOSITORY, "deleted_methods"),
        json!([
            {"name": "COUNT_ARGS", "line": 10},
            {"name": "rugged_ref_names", "line": 49},
            {"name": "rugged_find_tag", "line": 154},
            {"name": "rugged_branch_count", "line": 205},
            {"name": "count_by_shelling_out", "line": 212},
            {"name": "process_raw_output", "line": 217},
            {"name": "count_command", "line": 224},
            {"name": "rugged_line_count", "line": 242},
        ])
    );
    assert_eq!(
        methods(REPOSITORY, "unused_methods"),
        json!([
            {"name": "rugged_ls_files", "line": 66,
             "reason": "named in another component: other:lib/gitlab_projects.rb"},
            {"name": "rugged_find_branch", "line": 76,
             "reason": "named in the spec ce:spec/lib/gitlab/git/repository_spec.rb"},
        ])
    );
    assert_eq!(
        methods(MIRRORING, "deleted_methods"),
        json!([{"name": "rugged_mirror_refs", "line": 8}])
    );
    assert_eq!(
        methods(BLAME, "deleted_methods"),
        json!([
            {"name": "load_blame_by_shelling_out", "line": 41},
            {"name": "parse_raw_blame", "line": 46},
        ])
    );
    for f in [MIRRORING, BLAME] {
        assert_eq!(methods(f, "unused_methods"), json!([]), "{f}");
    }
    // Nothing written without --write.
    let data = root().join("tests/data/fix-dead/tree");
    for f in [REPOSITORY, MIRRORING, BLAME] {
        assert_eq!(read(&tree, f), read(&data, f), "{f}");
    }
}
