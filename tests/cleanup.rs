//! `flaglint checklist` and `flaglint fix`, end to end on the fixtures.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flaglint"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run flaglint")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn snapshot(name: &str, actual: &str) {
    let path = root().join("tests/snapshots").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("missing snapshot {name}"));
    assert!(
        expected == actual,
        "snapshot {name} differs; run with UPDATE_SNAPSHOTS=1 and review\n{actual}"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

const WORKHORSE_FEATURES: &[&str] = &[
    "--feature",
    "workhorse_send_blob",
    "--feature",
    "raw_patch",
    "--feature",
    "workhorse_diff",
    "--feature",
    "workhorse_archive",
    "--feature",
    "info_refs_upload_pack",
];

#[test]
fn checklist_lists_every_site_of_the_mandatory_features() {
    let o = run_in(
        &root(),
        &[
            "checklist",
            "--config",
            "fixtures/flaglint.toml",
            "--link-base",
            "gitlab-ce=https://gitlab.example/ce/blob/abc123/",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    snapshot("checklist.md", &stdout(&o));
    let o = run_in(
        &root(),
        &[
            "checklist",
            "--config",
            "fixtures/flaglint.toml",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], 1);
    let features: Vec<&str> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        features,
        [
            "find_all_tags",
            "find_commit",
            "find_default_branch_name",
            "post_upload_pack"
        ]
    );
    let o = run_in(&root(), &["checklist", "fixtures/gitlab-shell"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "No feature is Mandatory in the registry or the code: nothing to clean up.\n"
    );
    let o = run_in(
        &root(),
        &[
            "checklist",
            "--feature",
            "no_such_flag",
            "fixtures/gitlab-shell",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn fix_prints_a_diff_that_keeps_the_gitaly_path() {
    let o = run_in(&root(), &["fix", "--config", "fixtures/flaglint.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    snapshot("fix.diff", &stdout(&o));
    assert!(
        stderr(&o).contains("flaglint fix: 8 sites fixed in 5 files"),
        "{}",
        stderr(&o)
    );
    let mut args = vec!["fix", "--config", "fixtures/flaglint.toml"];
    args.extend_from_slice(WORKHORSE_FEATURES);
    args.push("fixtures/gitlab-workhorse");
    let o = run_in(&root(), &args);
    snapshot("fix-workhorse.diff", &stdout(&o));
    assert!(
        stderr(&o).contains("info-refs.go:26: toggle `info_refs_upload_pack` left: the condition tests more than the Gitaly address"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn fix_write_then_check_is_clean_and_fix_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_dir(&root().join("fixtures"), d);
    let o = run_in(d, &["fix", "--write", "--config", "flaglint.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let mut args = vec!["fix", "--write", "--config", "flaglint.toml"];
    args.extend_from_slice(WORKHORSE_FEATURES);
    args.push("gitlab-workhorse");
    run_in(d, &args);

    // Fixing again changes nothing.
    let o = run_in(d, &["fix", "--config", "flaglint.toml"]);
    assert_eq!(stdout(&o), "", "fix is not idempotent");
    let mut args = vec!["fix", "--config", "flaglint.toml"];
    args.extend_from_slice(WORKHORSE_FEATURES);
    args.push("gitlab-workhorse");
    assert_eq!(stdout(&run_in(d, &args)), "");

    // What is left of the Mandatory features is what the fix does not do.
    let o = run_in(
        d,
        &[
            "check",
            "--config",
            "flaglint.toml",
            "--format",
            "json",
            "--select",
            "FL002",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for f in v["findings"].as_array().unwrap() {
        let path = f["path"].as_str().unwrap();
        let by_hand = path.ends_with("env_toggles.rb")
            || path.ends_with("env.go")
            || path.starts_with("spec/")
            || path.ends_with(".md")
            || path.ends_with(".yml");
        assert!(
            by_hand,
            "FL002 left where the fix should have removed it: {f}"
        );
    }
    // Every fixed source still parses.
    for rel in [
        "gitlab-ce/lib/gitlab/git/repository.rb",
        "gitlab-ce/lib/gitlab/git/commit.rb",
        "config/etc/gitlab/gitlab.rb",
    ] {
        let text = std::fs::read_to_string(d.join(rel)).unwrap();
        let tree = flaglint::cleanup::ruby::parse(&text).unwrap();
        assert!(
            !tree.root_node().has_error(),
            "{rel} does not parse:\n{text}"
        );
    }
    for rel in [
        "internal/git/archive.go",
        "internal/git/blob.go",
        "internal/git/diff.go",
        "internal/git/patch.go",
    ] {
        let text = std::fs::read_to_string(d.join("gitlab-workhorse").join(rel)).unwrap();
        let tree = flaglint::cleanup::go::parse(&text).unwrap();
        assert!(
            !tree.root_node().has_error(),
            "{rel} does not parse:\n{text}"
        );
    }
    let json = std::fs::read_to_string(d.join("config/roles/gitlab-base.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).expect("the role stays valid JSON");
    assert!(
        v["default_attributes"]["omnibus-gitlab"]["gitlab_rb"]["gitlab-rails"]["env"]
            ["GITALY_FIND_COMMIT"]
            .is_null()
    );
}
