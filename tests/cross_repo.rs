//! Client and server in one run (issue 13): tests/data/cross-repo holds a
//! Gitaly tree (its go.mod names gitlab.com/gitlab-org/gitaly) and a Rails
//! tree (named gitlab-ce by its gitaly_client.rb). The four cross-repo rules fire once each, and only when the sides
//! they compare were scanned.

use std::process::Command;

mod common;
use common::*;

/// `CODE flag component:path:line` of each finding of `check` on `trees`.
fn findings(trees: &[&str]) -> Vec<String> {
    let o = Command::new(env!("CARGO_BIN_EXE_flaglint"))
        .args(["check", "--format", "json"])
        .args(trees)
        .current_dir(root().join("tests/data/cross-repo"))
        .output()
        .unwrap();
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {}:{}:{}",
                f["code"].as_str().unwrap(),
                f["flag"].as_str().unwrap(),
                f["component"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                f["line"]
            )
        })
        .collect()
}

#[test]
fn both_sides_scanned_each_cross_repo_rule_fires_once() {
    assert_eq!(
        findings(&["rails", "gitaly"]),
        [
            "FL015 paged_branches gitaly:internal/metadata/featureflag/flags.go:13",
            "FL012 old_cache gitaly:internal/metadata/featureflag/flags.go:15",
            "FL013 fast_tag_lookups gitaly:internal/service/ref/refs.go:22",
            "FL001 fast_tags_lookup gitlab-ce:app/models/repository.rb:16",
            "FL014 fast_tags_lookup gitlab-ce:app/models/repository.rb:16",
        ]
    );
}

#[test]
fn one_side_alone_gets_only_the_rules_that_side_can_answer() {
    // Gitaly alone: its own definitions and checks; no client to compare with.
    assert_eq!(
        findings(&["gitaly"]),
        [
            "FL012 old_cache gitaly:internal/metadata/featureflag/flags.go:15",
            "FL013 fast_tag_lookups gitaly:internal/service/ref/refs.go:22",
        ]
    );
    // The client alone: no Gitaly tree to say which flags exist.
    // (FL001 judges every client flag by the endpoint catalog, as before.)
    assert_eq!(
        findings(&["rails"]),
        [
            "FL001 fast_tag_lookup gitlab-ce:app/models/repository.rb:4",
            "FL001 old_cache gitlab-ce:app/models/repository.rb:11",
            "FL001 fast_tags_lookup gitlab-ce:app/models/repository.rb:16",
        ]
    );
}
