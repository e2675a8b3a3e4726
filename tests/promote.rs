//! `flaglint promote` (issue 15, first part) on the fixtures: every status
//! form moved a stage (a status added to a call without one — `gitaly_migrate`,
//! `GitalyClient.migrate('x')`, `feature_enabled?(:x)` in a guard clause —,
//! a constant replaced on one line and on a continuation line, a rollback),
//! the registry's `stage` edited with its comments and layout kept, Gitaly's
//! `OnByDefault`, a status that is a variable left with a note; promoting
//! twice is promoting once, and `check` then reports no FL003 for them.

mod common;
use common::*;

/// The FL003 findings of `check` in `d`: (flag, `path:line`).
fn fl003(d: &std::path::Path) -> Vec<(String, String)> {
    let o = run_in(
        d,
        &[
            "check",
            "--config",
            "flaglint.toml",
            "--select",
            "FL003",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let flag = f["flag"].as_str().unwrap_or_default().to_string();
            (
                flag,
                format!("{}:{}", f["path"].as_str().unwrap_or_default(), f["line"]),
            )
        })
        .collect()
}

/// `ruby -c` on a file: `None` when Ruby is not installed.
fn ruby_parses(file: &std::path::Path) -> Option<bool> {
    let o = std::process::Command::new("ruby")
        .arg("-c")
        .arg(file)
        .output()
        .ok()?;
    Some(o.status.success())
}

const UP: &str = "commit_deltas,workhorse_archive,find_local_branches,tag_names";
const DOWN: &str = "ref_exists,rebase_in_progress";

#[test]
fn promote_prints_the_status_changes_and_the_registry_edit() {
    let args = |features: &str, to: &str| {
        vec![
            "promote".to_string(),
            "--config".into(),
            "fixtures/flaglint.toml".into(),
            "--feature".into(),
            features.into(),
            "--to".into(),
            to.into(),
            "gitlab-ce=fixtures/gitlab-ce".into(),
            "config=fixtures/config".into(),
        ]
    };
    let run = |a: Vec<String>| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        run_in(&root(), &a)
    };
    let o = run(args(UP, "opt-out"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    snapshot("promote-opt-out.diff", &stdout(&o));
    let err = stderr(&o);
    assert!(
        err.ends_with("flaglint promote: 4 sites to opt-out in 4 files\n"),
        "{err}"
    );
    // Rollback and Ready-for-Testing → Opt-In: constants replaced, the
    // continuation line's too.
    let o = run(args(DOWN, "opt-in"));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    snapshot("promote-opt-in.diff", &stdout(&o));
    // A status passed in a variable is not guessed.
    let o = run(args("ssh_receive_pack", "opt-out"));
    assert!(
        stderr(&o).contains(
            "note: gitlab-ce:lib/api/helpers/internal_helpers.rb:16: `ssh_receive_pack`: its status is `status`, not a status constant; left as it is"
        ),
        "{}",
        stderr(&o)
    );
    // Unknown names are an error.
    let o = run(args("no_such_feature", "opt-out"));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("error: no feature `no_such_feature` in the registry or the code"));
}

#[test]
fn promote_write_twice_is_once_and_check_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_dir(&root().join("fixtures"), d);
    let features = format!("{UP},ref_exists");
    let args = [
        "promote",
        "--config",
        "flaglint.toml",
        "--feature",
        &features,
        "--to",
        "opt-out",
    ];
    let o = run_in(d, &[&args[..], &["--write"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run_in(d, &args);
    assert_eq!(stdout(&o), "", "promote is not idempotent");
    assert!(stderr(&o).contains("flaglint promote: 0 sites to opt-out in 0 files"));
    let left: Vec<String> = fl003(d).into_iter().map(|(flag, _)| flag).collect();
    assert_eq!(left, ["find_branch"], "FL003 left for a promoted feature");
    for rel in [
        "gitlab-ce/lib/gitlab/git/repository.rb",
        "gitlab-ce/lib/gitlab/workhorse.rb",
    ] {
        let text = std::fs::read_to_string(d.join(rel)).unwrap();
        let tree = flaglint::cleanup::ruby::parse(&text).unwrap();
        assert!(!tree.root_node().has_error(), "{rel} does not parse");
    }
    let registry = std::fs::read_to_string(d.join("flaglint.toml")).unwrap();
    assert!(registry.contains("# Toggled through an `unless is_enabled` body.\n[[feature]]\nname = \"find_local_branches\"\nstage = \"opt-out\"\n"));
}

#[test]
fn gitaly_definitions_get_on_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_dir(&root().join("tests/data/gitaly-server"), d);
    std::fs::write(
        d.join("flaglint.toml"),
        "[[feature]]\nname = \"fast_tag_lookup\"\nstage = \"opt-in\"\n\n[[feature]]\nname = \"stream_branches\"\nstage = \"opt-out\"\n",
    )
    .unwrap();
    let o = run_in(
        d,
        &[
            "promote",
            "--feature",
            "fast_tag_lookup",
            "--to",
            "opt-out",
            "--write",
            ".",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let flags = std::fs::read_to_string(d.join("internal/metadata/featureflag/flags.go")).unwrap();
    assert!(
        flags.contains("FastTagLookup = FeatureFlag{Name: \"fast_tag_lookup\", OnByDefault: true}"),
        "{flags}"
    );
    let o = run_in(
        d,
        &[
            "promote",
            "--feature",
            "stream_branches",
            "--to",
            "opt-in",
            "--write",
            ".",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let flags = std::fs::read_to_string(d.join("internal/metadata/featureflag/flags.go")).unwrap();
    assert!(flags
        .contains("StreamBranches = FeatureFlag{Name: \"stream_branches\", OnByDefault: false}"));
    let registry = std::fs::read_to_string(d.join("flaglint.toml")).unwrap();
    assert_eq!(
        registry,
        "[[feature]]\nname = \"fast_tag_lookup\"\nstage = \"opt-out\"\n\n[[feature]]\nname = \"stream_branches\"\nstage = \"opt-in\"\n"
    );
}

#[test]
fn promote_to_mandatory_is_fix() {
    let o = run_in(
        &root(),
        &[
            "promote",
            "--config",
            "fixtures/flaglint.toml",
            "--feature",
            "find_commit",
            "--to",
            "mandatory",
            "rust-client=fixtures/rust-client",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("-        if feature_enabled(\"find_commit\") {"));
    assert!(stderr(&o).contains("note: promoting to mandatory is `flaglint fix`"));
}

/// Every registry feature of the fixtures (but the Mandatory ones) moved to
/// every stage in turn, from whatever the previous move left: each time the
/// result parses, `check` reports no FL003 for the features, and a second
/// promote changes nothing.
#[test]
fn every_feature_to_every_stage_agrees_with_check_and_is_idempotent() {
    let registry = std::fs::read_to_string(root().join("fixtures/flaglint.toml")).unwrap();
    let mut features = Vec::new();
    let mut name = None;
    for line in registry.lines() {
        if let Some(n) = line.strip_prefix("name = \"") {
            name = n.split('"').next().map(str::to_string);
        }
        if let (Some(stage), Some(n)) = (line.strip_prefix("stage = \""), &name) {
            if !stage.starts_with("mandatory") {
                features.push(n.clone());
            }
            name = None;
        }
    }
    assert!(features.len() > 30, "{features:?}");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_dir(&root().join("fixtures"), d);
    let list = features.join(",");
    for to in ["opt-out", "ready-for-testing", "opt-in", "opt-out"] {
        let args = [
            "promote",
            "--config",
            "flaglint.toml",
            "--feature",
            &list,
            "--to",
            to,
        ];
        let o = run_in(d, &[&args[..], &["--write"]].concat());
        assert_eq!(o.status.code(), Some(0), "{to}: {}", stderr(&o));
        // Sites promote leaves (a status in a variable, a file that is not
        // UTF-8) say so; FL003 may stay there.
        let err = stderr(&o);
        let mut left: Vec<&str> = err
            .lines()
            .filter(|l| l.ends_with("; left as it is"))
            .filter_map(|l| l.strip_prefix("note: gitlab-ce:"))
            .filter_map(|l| l.split(':').next())
            .collect();
        left.dedup();
        assert_eq!(
            left,
            [
                "lib/api/helpers/internal_helpers.rb",
                "lib/gitlab/latin1.rb"
            ],
            "{err}"
        );
        let o = run_in(d, &args);
        assert_eq!(stdout(&o), "", "{to}: promoting twice changed more");
        let fl003: Vec<String> = fl003(d)
            .into_iter()
            .filter(|(_, at)| !left.iter().any(|l| at.starts_with(&format!("{l}:"))))
            .map(|(flag, at)| format!("{flag} {at}"))
            .collect();
        assert_eq!(fl003, Vec::<String>::new(), "{to}: FL003 left");
        // Every Ruby file promote changed passes `ruby -c` if it did before\n        // (when Ruby is installed).
        for f in common::files(&d.join("gitlab-ce")) {
            let now = d.join("gitlab-ce").join(&f);
            let was = root().join("fixtures/gitlab-ce").join(&f);
            if f.extension().is_some_and(|e| e == "rb")
                && std::fs::read(&now).ok() != std::fs::read(&was).ok()
                && ruby_parses(&was) == Some(true)
            {
                ruby_syntax_ok(&now);
            }
        }
    }
}
