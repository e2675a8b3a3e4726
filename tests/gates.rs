//! FL016 `stage-gates` with `tests/data/gates/flaglint.toml`: a client tree and
//! the bundled config fixture tree's `gates/` (`[gates]` names it `ops`, for
//! runbooks, alerts and dashboards) where each gate is
//! present (find_commit: runbook with `GITALY_FIND_COMMIT=0`, an alert with
//! `runbook_url`, a Grafana panel on `grpc_method="FindCommit"`), falls short
//! (tag_names: a runbook that names it without saying how to disable it, an
//! alert without a runbook link; its dashboard is a jsonnet line), is missing
//! (list_commits_by_oid) or is waived, with and without a reason
//! (commit_languages); Mandatory and Ready-for-Testing features are not gated.

mod common;
use common::*;

/// `check --select FL016 --config CONFIG MORE…` in `dir`.
fn fl016(dir: &std::path::Path, config: &str, more: &[&str]) -> std::process::Output {
    let mut args = vec!["check", "--select", "FL016", "--config", config];
    args.extend_from_slice(more);
    run_in(dir, &args)
}

#[test]
fn every_gate_present_missing_and_waived() {
    let o = fl016(
        &root(),
        "tests/data/gates/flaglint.toml",
        &["--format", "json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let got: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {}:{}:{} {}",
                f["code"].as_str().unwrap(),
                f["flag"].as_str().unwrap(),
                f["component"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                f["line"],
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "FL016 tag_names ops:alerts/gitaly.rules.yml:12 the alert `GitalyTagNamesErrors` on `tag_names` links no runbook",
            "FL016 tag_names ops:runbooks/gitaly.md:14 `tag_names` is opt-out: its runbook does not say how to disable it",
            "FL016 list_commits_by_oid registry:tests/data/gates/flaglint.toml:30 `list_commits_by_oid` is opt-in but no runbook names it (looked in ops)",
            "FL016 list_commits_by_oid registry:tests/data/gates/flaglint.toml:30 `list_commits_by_oid` is opt-in but no alert rule refers to it or its endpoint (looked in ops)",
            "FL016 list_commits_by_oid registry:tests/data/gates/flaglint.toml:30 `list_commits_by_oid` is opt-in but no dashboard panel names it or its endpoint (looked in ops)",
            "FL016 commit_languages registry:tests/data/gates/flaglint.toml:39 `commit_languages` waives the dashboard gate without a reason",
        ]
    );
}

#[test]
fn without_gates_the_rule_checks_nothing_and_a_bad_waiver_is_an_error() {
    // The bundled fixtures' registry has no [gates]: no FL016.
    let o = fl016(&root(), "fixtures/flaglint.toml", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Without the ops tree in the run, the gates are not checked.
    let o = fl016(
        &root(),
        "tests/data/gates/flaglint.toml",
        &["client=tests/data/gates/client"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("0 errors, 1 warning in"),
        "{}",
        stdout(&o)
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("flaglint.toml"),
        "[[feature]]\nname = \"x\"\nstage = \"opt-in\"\nwaive = { alerts = \"typo\" }\n",
    )
    .unwrap();
    let o = run_in(dir.path(), &["check", "--color", "never", "."]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("`alerts` is not a stage gate"), "{err}");
    assert!(
        err.contains("waive one of `runbook`, `alert`, `dashboard`"),
        "{err}"
    );
}

#[test]
fn a_dashboard_that_is_not_json_is_a_warning_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_dir(&root().join("tests/data/gates"), &d.join("gates"));
    copy_dir(&root().join("fixtures/config/gates"), &d.join("ops"));
    std::fs::write(d.join("ops/dashboards/broken.json"), "{ \"panels\": [\n").unwrap();
    let registry = std::fs::read_to_string(d.join("gates/flaglint.toml"))
        .unwrap()
        .replace("../../../fixtures/config/gates", "../ops");
    std::fs::write(d.join("gates/flaglint.toml"), registry).unwrap();
    let o = fl016(d, "gates/flaglint.toml", &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "warning: ops:dashboards/broken.json: not a JSON dashboard: EOF while parsing a list at line 2 column 0"
        ),
        "{}",
        stderr(&o)
    );
    assert!(
        stdout(&o).contains("0 errors, 6 warnings"),
        "{}",
        stdout(&o)
    );
}
