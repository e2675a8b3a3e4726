//! Integration tests: run the built binary on the fixtures and compare exact
//! output with reviewed snapshots in `tests/snapshots/`.
//! `UPDATE_SNAPSHOTS=1 cargo test` rewrites the snapshots (review the diff!).

use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::*;

const FIXTURE: &str = "fixtures/gitlab-ce";
const REGISTRY: &str = "fixtures/flaglint.toml";

fn flaglint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flaglint"))
        .args(args)
        .current_dir(root())
        .env_remove("NO_COLOR")
        .output()
        .expect("run flaglint")
}

/// Replaces what changes run to run (timings) with placeholders.
fn normalize(text: &str) -> String {
    text.lines()
        .map(|l| {
            if let Some(i) = l.find("\"elapsed_ms\": ") {
                format!("{}\"elapsed_ms\": 0", &l[..i])
            } else if let Some(i) = l
                .rfind(" in ")
                .filter(|_| l.ends_with('s') && l.contains("files walked"))
            {
                format!("{} in X.XXs", &l[..i])
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn assert_snapshot(name: &str, actual: &str) {
    let path = root().join("tests/snapshots").join(name);
    let actual = normalize(actual);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing snapshot {}; run with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (e, a))| e != a)
            .take(10)
            .map(|(i, (e, a))| format!("line {}:\n  expected: {e}\n  actual:   {a}", i + 1))
            .collect();
        panic!(
            "snapshot {name} differs ({} vs {} lines):\n{}",
            expected.lines().count(),
            actual.lines().count(),
            diff.join("\n")
        );
    }
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).expect("valid JSON")
}

fn flags_of(v: &serde_json::Value) -> Vec<String> {
    v["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["flag"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn list_json_matches_snapshot() {
    let o = flaglint(&["list", "--format", "json", "--config", REGISTRY, FIXTURE]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_snapshot("list.json", &stdout(&o));
}

#[test]
fn list_human_matches_snapshot() {
    let o = flaglint(&["list", "--config", REGISTRY, FIXTURE]);
    assert_eq!(o.status.code(), Some(0));
    assert_snapshot("list.txt", &stdout(&o));
}

#[test]
fn check_human_matches_snapshot_and_fails_on_errors() {
    let o = flaglint(&["check", "--color", "never", "--config", REGISTRY, FIXTURE]);
    assert_eq!(o.status.code(), Some(1), "FL002 errors must fail the run");
    assert_snapshot("check.txt", &stdout(&o));
    assert_snapshot("check.stderr.txt", &stderr(&o));
}

#[test]
fn check_json_matches_snapshot() {
    let o = flaglint(&["check", "--format", "json", "--config", REGISTRY, FIXTURE]);
    assert_eq!(o.status.code(), Some(1));
    assert_snapshot("check.json", &stdout(&o));
}

#[test]
fn fail_on_sets_the_exit_code() {
    assert_eq!(
        flaglint(&["check", "--fail-on", "never", FIXTURE])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        flaglint(&["check", "--config", REGISTRY, FIXTURE])
            .status
            .code(),
        Some(1)
    );
    // Without a registry this file has warnings only (FL001).
    let only_warnings = "fixtures/gitlab-ce/lib/gitlab/workhorse.rb";
    let o = flaglint(&["check", "--no-config", only_warnings]);
    assert!(
        stdout(&o).contains("0 errors, 6 warnings"),
        "{}",
        stdout(&o)
    );
    assert_eq!(o.status.code(), Some(0));
    let o = flaglint(&[
        "check",
        "--no-config",
        "--fail-on",
        "warning",
        only_warnings,
    ]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn comments_strings_heredocs_docs_and_vendor_are_not_references() {
    let v = json(&flaglint(&["list", "--format", "json", FIXTURE]));
    let flags = flags_of(&v);
    for absent in [
        "commented_out_flag",
        "in_a_string",
        "in_heredoc",
        "vendored_flag",
        "node_modules_flag",
        "not_a_gitaly_flag",
        "feature_default_on",
        "feature_name",
    ] {
        assert!(
            !flags.iter().any(|f| f == absent),
            "{absent} must not be a reference"
        );
    }
    // The wrappers' own bodies are not references either.
    let wrappers = v["references"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["flag"] == "method" || r["flag"] == "feature")
        .count();
    assert_eq!(wrappers, 0);
}

#[test]
fn docs_are_references_of_kind_doc() {
    let v = json(&flaglint(&["list", "--format", "json", FIXTURE]));
    let doc: Vec<&serde_json::Value> = v["references"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["flag"] == "doc_flag")
        .collect();
    assert_eq!(doc.len(), 1);
    assert_eq!(doc[0]["kind"], "doc");
    assert_eq!(doc[0]["path"], "doc/README.md");
}

#[test]
fn all_components_from_the_registry() {
    let o = flaglint(&["check", "--color", "never", "--config", REGISTRY]);
    assert_eq!(o.status.code(), Some(1));
    assert_snapshot("check-all.txt", &stdout(&o));
    let o = flaglint(&["list", "--config", REGISTRY]);
    assert_eq!(o.status.code(), Some(0));
    assert_snapshot("list-all.txt", &stdout(&o));
    let o = flaglint(&["list", "--format", "json", "--config", REGISTRY]);
    assert_snapshot("list-all.json", &stdout(&o));
    // The same trees named on the command line give the same references.
    let named = flaglint(&[
        "list",
        "--format",
        "json",
        "--config",
        REGISTRY,
        "gitlab-ce=fixtures/gitlab-ce",
        "gitlab-workhorse=fixtures/gitlab-workhorse",
        "gitlab-shell=fixtures/gitlab-shell",
        "config=fixtures/config",
        "rust-client=fixtures/rust-client",
    ]);
    let refs = |o: &Output| json(o)["references"].clone();
    assert_eq!(refs(&o), refs(&named));
}

#[test]
fn components_are_detected_by_what_they_hold() {
    let v = json(&flaglint(&[
        "list",
        "--format",
        "json",
        "fixtures/gitlab-workhorse",
        "fixtures/gitlab-shell",
        "fixtures/gitlab-ce",
    ]));
    let mut names: Vec<String> = v["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["component"].as_str().unwrap().to_string())
        .collect();
    names.dedup();
    names.sort();
    names.dedup();
    assert_eq!(names, ["gitlab-ce", "gitlab-shell", "gitlab-workhorse"]);
}

#[test]
fn workhorse_branches_reach_their_endpoints() {
    let v = json(&flaglint(&[
        "list",
        "--format",
        "json",
        "--no-config",
        "fixtures/gitlab-workhorse",
    ]));
    let got: Vec<(String, String, String)> = v["references"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["form"] == "gitaly-server-branch")
        .map(|r| {
            (
                r["path"].as_str().unwrap().to_string(),
                r["flag"].as_str().unwrap().to_string(),
                r["endpoints"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e.as_str().unwrap())
                    .collect::<Vec<_>>()
                    .join(","),
            )
        })
        .collect();
    let want = [
        (
            "internal/git/archive.go",
            "get_archive",
            "RepositoryService/GetArchive",
        ),
        ("internal/git/blob.go", "get_blob", "BlobService/GetBlob"),
        ("internal/git/blob_test.go", "", ""),
        ("internal/git/diff.go", "raw_diff", "DiffService/RawDiff"),
        (
            "internal/git/info-refs.go",
            "info_refs_receive_pack",
            "SmartHTTPService/InfoRefsReceivePack",
        ),
        (
            "internal/git/info-refs.go",
            "info_refs_upload_pack",
            "SmartHTTPService/InfoRefsUploadPack",
        ),
        ("internal/git/patch.go", "raw_patch", "DiffService/RawPatch"),
        (
            "internal/git/receive-pack.go",
            "post_receive_pack",
            "SmartHTTPService/PostReceivePack",
        ),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn default_excludes_can_be_turned_off_and_globs_excluded() {
    let v = json(&flaglint(&[
        "list",
        "--format",
        "json",
        "--no-default-excludes",
        FIXTURE,
    ]));
    let flags = flags_of(&v);
    assert!(flags.iter().any(|f| f == "vendored_flag"));
    assert!(flags.iter().any(|f| f == "node_modules_flag"));
    let v = json(&flaglint(&[
        "list",
        "--format",
        "json",
        "--exclude",
        "spec/",
        "--exclude",
        "*.rake",
        FIXTURE,
    ]));
    assert!(v["references"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| !r["path"].as_str().unwrap().starts_with("spec/")));
}

#[test]
fn output_is_the_same_whatever_the_thread_count() {
    let one = flaglint(&[
        "list",
        "--format",
        "json",
        "--threads",
        "1",
        "--config",
        REGISTRY,
    ]);
    let four = flaglint(&[
        "list",
        "--format",
        "json",
        "--threads",
        "4",
        "--config",
        REGISTRY,
    ]);
    assert_eq!(normalize(&stdout(&one)), normalize(&stdout(&four)));
}

#[test]
fn broken_files_are_still_scanned() {
    let o = flaglint(&["list", "--format", "json", FIXTURE]);
    let flags = flags_of(&json(&o));
    for present in ["broken_file_flag", "latin1_flag", "after_long_line"] {
        assert!(flags.iter().any(|f| f == present), "{present} missing");
    }
    assert!(
        stderr(&o).contains("broken_syntax.rb: syntax errors"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn large_files_are_skipped_with_a_note() {
    let o = flaglint(&["list", "--max-file-size", "100000", FIXTURE]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains(
            "note: gitlab-ce:lib/gitlab/long_line.rb: skipped, larger than the size limit"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!stdout(&o).contains("after_long_line"));
}

#[test]
fn output_file_receives_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let o = flaglint(&[
        "list",
        "--format",
        "json",
        "--output",
        out.to_str().unwrap(),
        FIXTURE,
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty());
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["version"], 1);
}

#[test]
fn explain_prints_the_rule_docs() {
    let o = flaglint(&["explain", "FL002"]);
    assert_eq!(o.status.code(), Some(0));
    assert_snapshot("explain-FL002.txt", &stdout(&o));
    let o = flaglint(&["explain"]);
    assert_snapshot("explain.txt", &stdout(&o));
    let o = flaglint(&["explain", "FL999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no rule `FL999`"));
    // --all: every rule's documentation, as `explain CODE` prints each.
    let all = stdout(&flaglint(&["explain", "--all"]));
    assert!(all.contains(&stdout(&flaglint(&["explain", "FL002"]))));
    let index = stdout(&flaglint(&["explain"]));
    let rules = index.lines().filter(|l| l.starts_with("FL0")).count();
    assert_eq!(
        all.lines().filter(|l| l.starts_with("# FL0")).count(),
        rules
    );
    let help = stdout(&flaglint(&["explain", "--help"]));
    assert!(
        help.contains("without CODE, an index of the rules"),
        "{help}"
    );
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn config_errors_point_at_the_span_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "flaglint.toml",
        "[[feature]]\nname = \"find_commit\"\nstag = \"opt-in\"\n",
    );
    let o = flaglint(&["check", "--color", "never", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("unknown field `stag`"), "{err}");
    assert!(err.contains("did you mean `stage`?"), "{err}");
    assert!(err.contains("3 │ stag = \"opt-in\""), "{err}");
}

#[test]
fn missing_path_is_an_error() {
    let o = flaglint(&["list", "does/not/exist"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("does/not/exist: no such file or directory"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        flaglint(&["check", "--format", "yaml"]).status.code(),
        Some(2)
    );
    assert_eq!(flaglint(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(flaglint(&["--version"]).status.code(), Some(0));
}

#[test]
fn named_components_and_custom_toggle_methods() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "flaglint.toml",
        "[ruby]\ntoggle_methods = [\"with_gitaly\"]\n\n[[feature]]\nname = \"find_tag\"\nstage = \"opt-out\"\n",
    );
    write(
        dir.path(),
        "app/models/tagger.rb",
        "class Tagger\n  def tag(name)\n    with_gitaly(:find_tag, status: Gitlab::GitalyClient::MigrationStatus::OPT_OUT) do |on|\n      on ? gitaly_tag(name) : rugged_tag(name)\n    end\n  end\n\n  def with_gitaly(feature, status:, &block)\n    Gitlab::GitalyClient.migrate(feature, status: status, &block)\n  end\nend\n",
    );
    let arg = format!("ce={}", dir.path().display());
    let v = json(&flaglint(&["list", "--format", "json", &arg]));
    let refs = v["references"].as_array().unwrap();
    assert_eq!(refs.len(), 1, "{refs:?}");
    assert_eq!(refs[0]["flag"], "find_tag");
    assert_eq!(refs[0]["component"], "ce");
    assert_eq!(refs[0]["status"], "opt_out");
    assert_eq!(refs[0]["form"], "toggle_method");
    assert_eq!(refs[0]["path"], "app/models/tagger.rb");
    assert_eq!(refs[0]["enabled_branch"]["line"], 4);
}

#[test]
fn endpoints_lists_the_catalog() {
    let o = flaglint(&["endpoints"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("BlobService/GetNewLFSPointers"), "{out}");
    assert!(out.contains("get_new_lfs_pointers"));
    assert!(out.contains("GITALY_SSH_UPLOAD_PACK"));
    let o = flaglint(&[
        "endpoints",
        "--no-default-catalog",
        "--catalog",
        "fixtures/protos",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_snapshot("endpoints-protos.txt", &stdout(&o));
    assert_snapshot("endpoints-protos.stderr.txt", &stderr(&o));
    let o = flaglint(&[
        "endpoints",
        "--format",
        "json",
        "--no-default-catalog",
        "--catalog",
        "fixtures/protos/ref.proto",
    ]);
    let v = json(&o);
    assert_eq!(v["version"], 1);
    assert_eq!(v["endpoints"].as_array().unwrap().len(), 5);
    assert_eq!(v["endpoints"][0]["name"], "RefService/FindAllTags");
    assert_eq!(v["endpoints"][0]["streaming"], "server-stream");
    let o = flaglint(&["endpoints", "--catalog", "does/not/exist.proto"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn ruby_toggles_get_their_endpoints_and_fl001_names_the_expected_flag() {
    let o = flaglint(&["list", "--format", "json", "fixtures/gitlab-ce/lib"]);
    let v = json(&o);
    let endpoints = |flag: &str| -> Vec<String> {
        v["references"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["flag"] == flag && r["path"] == "gitlab/git/refs.rb")
            .unwrap_or_else(|| panic!("no {flag}"))["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(endpoints("find_branch"), ["RefService/FindBranch"]);
    assert_eq!(endpoints("ref_find_all_tags"), ["RefService/FindAllTags"]);
    assert_eq!(endpoints("ref_exists_tags"), ["RefService/RefExists"]);
    assert_eq!(
        endpoints("operation_user_merge_branch"),
        ["OperationService/UserMergeBranch"]
    );
    assert_eq!(
        endpoints("commit_ancestor"),
        ["CommitService/CommitIsAncestor"]
    );
    assert_eq!(
        endpoints("lfs_changes"),
        ["BlobService/GetBlob", "BlobService/GetNewLFSPointers"]
    );
    assert_eq!(
        endpoints("user_create_tag"),
        ["OperationService/UserCreateTag"]
    );
    assert!(endpoints("operation_dynamic").is_empty());
    assert!(endpoints("rugged_free").is_empty());

    let o = flaglint(&[
        "check",
        "--format",
        "json",
        "--config",
        REGISTRY,
        "fixtures/gitlab-ce",
    ]);
    let v = json(&o);
    let fl001: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "FL001" && f["path"] == "lib/gitlab/git/refs.rb")
        .map(|f| f["flag"].as_str().unwrap().to_string())
        .collect();
    // Derived, service-prefixed and qualified names pass; commit_ancestor is a registry alias.
    assert_eq!(
        fl001,
        [
            "lfs_changes",
            "operation_dynamic",
            "rugged_free",
            "count_commitz"
        ]
    );
    let count = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "FL001" && f["flag"] == "count_commitz")
        .unwrap();
    assert!(count["help"]
        .as_str()
        .unwrap()
        .starts_with("rename it to `count_commits`"));
    let fl009: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "FL009")
        .collect();
    assert_eq!(fl009.len(), 1);
    assert!(fl009[0]["help"]
        .as_str()
        .unwrap()
        .contains("OperationService/UserCreateTag"));
}

#[test]
fn catalog_sources_in_the_trees_count_vendored_copies_too() {
    let o = flaglint(&[
        "endpoints",
        "--no-default-catalog",
        "fixtures/gitlab-workhorse",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("BlobService/GetBlob  server-stream  get_blob  GITALY_GET_BLOB  gitlab-workhorse:vendor/gitlab.com/gitlab-org/gitaly-proto/go/blob.pb.go"),
        "{out}"
    );
    // The vendored copy is read for the catalog only, never for references.
    let v = json(&flaglint(&[
        "list",
        "--format",
        "json",
        "fixtures/gitlab-workhorse",
    ]));
    assert!(v["references"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| !r["path"].as_str().unwrap().starts_with("vendor/")));
}

#[test]
fn a_far_related_site_gets_its_own_short_snippet() {
    // Two sites of one flag 60 lines apart: the primary snippet and the
    // related one are shown separately, not every line in between.
    let dir = tempfile::tempdir().unwrap();
    let filler: String = (0..58).map(|i| format!("      # line {i}\n")).collect();
    write(
        dir.path(),
        "lib/gitlab/git/repository.rb",
        &format!(
            "module Gitlab\n  module Git\n    class Repository\n      def branch_names\n        gitaly_migrate(:branch_names) do |is_enabled|\n          is_enabled ? gitaly_ref_client.branch_names : branches.map(&:name)\n        end\n      end\n{filler}      def branch_count\n        gitaly_migrate(:branch_names) do |is_enabled|\n          is_enabled ? gitaly_ref_client.count_branch_names : branches.size\n        end\n      end\n    end\n  end\nend\n"
        ),
    );
    let o = Command::new(env!("CARGO_BIN_EXE_flaglint"))
        .args(["check", "--color", "never", "--select", "FL001", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.lines().count() < 30, "{out}");
    assert_snapshot("check-far-related.txt", &out);
}

#[test]
fn statistics_count_the_findings_per_rule() {
    let o = flaglint(&["check", "--statistics", "--config", REGISTRY, FIXTURE]);
    assert_eq!(o.status.code(), Some(1), "errors still fail the run");
    assert_snapshot("check-statistics.txt", &stdout(&o));
    let v = json(&flaglint(&[
        "check",
        "--statistics",
        "--format",
        "json",
        "--config",
        REGISTRY,
        FIXTURE,
    ]));
    let all = json(&flaglint(&[
        "check", "--format", "json", "--config", REGISTRY, FIXTURE,
    ]));
    let findings = all["findings"].as_array().unwrap();
    let rules = v["rules"].as_array().unwrap();
    assert_eq!(rules[0]["code"], "FL002");
    assert_eq!(rules[0]["severity"], "error");
    for r in rules {
        let n = findings.iter().filter(|f| f["code"] == r["code"]).count();
        assert_eq!(r["count"].as_u64(), Some(n as u64), "{r}");
    }
    let total: u64 = rules.iter().map(|r| r["count"].as_u64().unwrap()).sum();
    assert_eq!(total as usize, findings.len());
    assert_eq!(v["errors"], all["summary"]["errors"]);
    let o = flaglint(&["check", "--statistics", "--format", "sarif", FIXTURE]);
    assert_eq!(o.status.code(), Some(2));
}
