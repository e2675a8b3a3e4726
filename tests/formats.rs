//! CI formats, baselines, suppressions and changed-files mode, end to end on
//! copies of the fixtures.

use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::*;

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flaglint"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("run flaglint")
}

fn run(args: &[&str]) -> Output {
    run_in(&root(), args)
}

const REGISTRY: &str = "fixtures/flaglint.toml";

fn validate_sarif(text: &str) {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/data/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let instance: serde_json::Value = serde_json::from_str(text).expect("SARIF is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF does not validate:\n{}",
        errors.join("\n")
    );
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let o = run(&["check", "--format", "sarif", "--config", REGISTRY]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    validate_sarif(&text);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "flaglint");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules
        .iter()
        .any(|r| r["id"] == "FL002" && r["defaultConfiguration"]["level"] == "error"));
    let results = run["results"].as_array().unwrap();
    let r = results
        .iter()
        .find(|r| {
            r["ruleId"] == "FL002"
                && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 7
        })
        .expect("the find_commit toggle");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "fixtures/gitlab-ce/lib/gitlab/git/commit.rb"
    );
    assert_eq!(
        r["partialFingerprints"]["flaglint/v1"]
            .as_str()
            .unwrap()
            .len(),
        16
    );
    // A multi-site finding (FL004) carries related locations.
    assert!(results.iter().any(|r| r["relatedLocations"].is_array()));
    // No link into someone else's project: help URIs only with a docs URL.
    assert!(!text.contains("github.com/flaglint"), "{text}");
    if option_env!("FLAGLINT_DOCS_URL").is_none() {
        assert!(!text.contains("helpUri") && !text.contains("informationUri"));
    }
    assert_eq!(run["columnKind"], "unicodeCodePoints");
}

#[test]
fn codequality_github_and_concise() {
    let o = run(&[
        "check",
        "--format",
        "codequality",
        "--config",
        REGISTRY,
        "fixtures/gitlab-ce",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let issue = v
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["check_name"] == "FL002" && i["location"]["lines"]["begin"] == 7)
        .unwrap();
    assert_eq!(issue["severity"], "major");
    assert_eq!(
        issue["location"]["path"],
        "fixtures/gitlab-ce/lib/gitlab/git/commit.rb"
    );
    assert!(issue["description"]
        .as_str()
        .unwrap()
        .starts_with("FL002 mandatory-leftover: `find_commit`"));

    let o = run(&[
        "check",
        "--format",
        "github",
        "--config",
        REGISTRY,
        "fixtures/gitlab-ce",
    ]);
    let out = stdout(&o);
    let line = out
        .lines()
        .find(|l| l.contains("commit.rb,line=7,"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.starts_with(
        "::error file=fixtures/gitlab-ce/lib/gitlab/git/commit.rb,line=7,col=11,endLine=9,endColumn=14,title=FL002 mandatory-leftover::"
    ), "{line}");
    assert!(
        line.contains("%0A"),
        "the help goes on a second line: {line}"
    );

    let o = run(&[
        "check",
        "--format",
        "concise",
        "--config",
        REGISTRY,
        "fixtures/gitlab-ce",
    ]);
    assert!(stdout(&o).lines().any(|l| l
        == "fixtures/gitlab-ce/lib/gitlab/git/commit.rb:7:11: FL002 `find_commit` is mandatory in the registry: this toggle must be removed"));
    let o = run(&["list", "--format", "sarif", "fixtures/gitlab-ce"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn output_file_gets_the_report_and_stderr_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("gl-code-quality-report.json");
    let o = run(&[
        "check",
        "--format",
        "codequality",
        "--output",
        out.to_str().unwrap(),
        "--config",
        REGISTRY,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("files walked"), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert!(v.as_array().unwrap().len() > 10);
}

/// A copy of the fixtures in a temporary directory.
fn copy_fixtures() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("fixtures"), dir.path());
    dir
}

#[test]
fn baselines_survive_unrelated_edits_and_catch_new_toggles() {
    let dir = copy_fixtures();
    let d = dir.path();
    let o = run_in(
        d,
        &[
            "check",
            "--write-baseline",
            "baseline.json",
            "--config",
            "flaglint.toml",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("0 errors, 0 warnings"),
        "{}",
        stdout(&o)
    );
    let baseline = std::fs::read_to_string(d.join("baseline.json")).unwrap();
    assert!(baseline.starts_with("{\n  \"version\": 1,\n  \"findings\": ["));

    // Insert lines above a toggle and reindent another: nothing comes back.
    let commit = d.join("gitlab-ce/lib/gitlab/git/commit.rb");
    let text = std::fs::read_to_string(&commit).unwrap();
    let edited = format!(
        "# a new comment\n\n{}",
        text.replace(
            "repo.gitaly_migrate(:find_commit)",
            "  repo.gitaly_migrate(:find_commit)"
        )
    );
    std::fs::write(&commit, &edited).unwrap();
    let o = run_in(
        d,
        &[
            "check",
            "--baseline",
            "baseline.json",
            "--config",
            "flaglint.toml",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("0 errors, 0 warnings"),
        "{}",
        stdout(&o)
    );

    // A new toggle of the same flag in the same file is reported, once.
    let added = format!(
        "{edited}\nmodule Gitlab\n  def self.again(repo, oid)\n    repo.gitaly_migrate(:find_commit) do |is_enabled|\n      is_enabled ? 1 : 2\n    end\n  end\nend\n"
    );
    std::fs::write(&commit, added).unwrap();
    let o = run_in(
        d,
        &[
            "check",
            "--baseline",
            "baseline.json",
            "--config",
            "flaglint.toml",
            "--format",
            "concise",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let lines: Vec<String> = stdout(&o).lines().map(String::from).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("FL002"), "{lines:?}");

    // Removing a toggle leaves a stale entry: said, not failed.
    std::fs::write(&commit, "# emptied\n").unwrap();
    let o = run_in(
        d,
        &[
            "check",
            "--baseline",
            "baseline.json",
            "--config",
            "flaglint.toml",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("no longer occur"), "{}", stderr(&o));
}

#[test]
fn inline_suppressions_in_ruby_and_go() {
    let dir = copy_fixtures();
    let d = dir.path();
    let commit = d.join("gitlab-ce/lib/gitlab/git/commit.rb");
    let text = std::fs::read_to_string(&commit).unwrap();
    let text = text.replacen(
        "        def lookup(repo, oid)\n",
        "        def lookup(repo, oid)\n          # flaglint: disable=FL002 -- removed in the 11.1 cleanup MR\n",
        1,
    );
    std::fs::write(&commit, text).unwrap();
    let patch = d.join("gitlab-workhorse/internal/git/patch.go");
    let text = std::fs::read_to_string(&patch).unwrap();
    let text = text.replacen(
        "\tif addr != \"\" {",
        "\tif addr != \"\" { // flaglint: disable=FL005,FL001\n",
        1,
    );
    std::fs::write(&patch, text).unwrap();
    let unused = d.join("gitlab-ce/lib/gitlab/dynamic.rb");
    let text = std::fs::read_to_string(&unused).unwrap();
    std::fs::write(
        &unused,
        format!("# flaglint: disable=FL003 -- nothing to suppress here\n{text}"),
    )
    .unwrap();

    let o = run_in(
        d,
        &["check", "--config", "flaglint.toml", "--format", "concise"],
    );
    let out = stdout(&o);
    assert!(!out.contains("commit.rb:8:11: FL002"), "{out}");
    assert!(
        !out.lines()
            .any(|l| l.contains("patch.go:30") && (l.contains("FL005") || l.contains("FL001"))),
        "{out}"
    );
    assert!(
        out.contains("patch.go:30:21: FL011 this suppression gives no reason"),
        "{out}"
    );
    assert!(
        out.contains("dynamic.rb:1:3: FL010 `flaglint: disable=FL003` suppresses nothing"),
        "{out}"
    );
}

#[test]
fn rule_selection_and_severities() {
    let o = run(&[
        "check",
        "--format",
        "concise",
        "--select",
        "FL002,stage-mismatch",
        "--config",
        REGISTRY,
    ]);
    let out = stdout(&o);
    assert!(
        out.lines()
            .all(|l| l.contains(" FL002 ") || l.contains(" FL003 ")),
        "{out}"
    );
    let o = run(&[
        "check", "--format", "concise", "--ignore", "FL002", "--ignore", "FL009", "--config",
        REGISTRY,
    ]);
    assert_eq!(o.status.code(), Some(0), "only warnings are left");
    let o = run(&["check", "--select", "FL999"]);
    assert_eq!(o.status.code(), Some(2));

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("flaglint.toml"),
        "[rules]\ndynamic-flag = \"error\"\nFL001 = \"off\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("x.rb"),
        "def f(name)\n  Gitlab::GitalyClient.feature_enabled?(\"x_#{name}\")\nend\n",
    )
    .unwrap();
    let o = run_in(dir.path(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["FL007"]);
    assert_eq!(v["findings"][0]["severity"], "error");
    std::fs::write(
        dir.path().join("flaglint.toml"),
        "[rules]\nFL077 = \"off\"\n",
    )
    .unwrap();
    let o = run_in(dir.path(), &["check"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`FL077` is not a flaglint rule"),
        "{}",
        stderr(&o)
    );
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn changed_since_reports_only_changed_files() {
    let dir = copy_fixtures();
    let d = dir.path();
    git(d, &["init", "-q"]);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "fixtures"]);
    let o = run_in(
        d,
        &[
            "check",
            "--changed-since",
            "HEAD",
            "--config",
            "flaglint.toml",
            "--format",
            "concise",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o), "");
    let commit = d.join("gitlab-ce/lib/gitlab/git/commit.rb");
    let text = std::fs::read_to_string(&commit).unwrap();
    std::fs::write(&commit, format!("{text}\n")).unwrap();
    let o = run_in(
        d,
        &[
            "check",
            "--changed-since",
            "HEAD",
            "--config",
            "flaglint.toml",
            "--format",
            "concise",
        ],
    );
    let out = stdout(&o);
    assert!(
        !out.is_empty()
            && out
                .lines()
                .all(|l| l.starts_with("gitlab-ce/lib/gitlab/git/commit.rb:")),
        "{out}"
    );
    let o = run_in(
        d,
        &[
            "check",
            "--changed-since",
            "no-such-rev",
            "--config",
            "flaglint.toml",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown revision `no-such-rev`"),
        "{}",
        stderr(&o)
    );
    let plain = tempfile::tempdir().unwrap();
    let o = run_in(plain.path(), &["check", "--changed-since", "HEAD"]);
    assert_eq!(o.status.code(), Some(2));
}

/// A GitLab-CE-shaped file with two identical toggles, as `repository.rb`
/// has two `gitaly_migrate(:branch_names)` sites.
const TWIN_TOGGLES: &str = "module Gitlab
  module Git
    class Repository
      def branch_names
        gitaly_migrate(:branch_names) do |is_enabled|
          is_enabled ? gitaly_ref_client.branch_names : branches.map(&:name)
        end
      end

      def branch_count
        gitaly_migrate(:branch_names) do |is_enabled|
          is_enabled ? gitaly_ref_client.count_branch_names : branches.size
        end
      end
    end
  end
end
";

fn twin_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("ce/lib/gitlab/git")).unwrap();
    std::fs::write(d.join("ce/lib/gitlab/git/repository.rb"), TWIN_TOGGLES).unwrap();
    std::fs::write(
        d.join("ce/flaglint.toml"),
        "[[feature]]\nname = \"branch_names\"\nstage = \"mandatory\"\n",
    )
    .unwrap();
    dir
}

fn strings(v: &serde_json::Value, pointer: &str, each: &str) -> Vec<String> {
    v.pointer(pointer)
        .and_then(|a| a.as_array())
        .unwrap_or_else(|| panic!("no {pointer} in {v}"))
        .iter()
        .map(|x| {
            x.pointer(each)
                .and_then(|s| s.as_str())
                .unwrap_or_else(|| panic!("no {each} in {x}"))
                .to_string()
        })
        .collect()
}

fn unique(v: &[String]) -> usize {
    v.iter().collect::<std::collections::HashSet<_>>().len()
}

#[test]
fn identical_sites_get_distinct_fingerprints() {
    let dir = twin_tree();
    let d = dir.path();
    let check = |format: &str| {
        let o = run_in(d, &["check", "--format", format, "ce"]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
    };
    let json = check("json");
    let n = json["findings"].as_array().unwrap().len();
    assert!(n >= 2, "{json}");
    let cq = strings(&check("codequality"), "", "/fingerprint");
    let sarif = strings(
        &check("sarif"),
        "/runs/0/results",
        "/partialFingerprints/flaglint~1v1",
    );
    let js = strings(&json, "/findings", "/fingerprint");
    for fps in [&cq, &sarif, &js] {
        assert_eq!(fps.len(), n);
        assert_eq!(unique(fps), n, "fingerprints collide: {fps:?}");
    }
    assert_eq!(cq, js);
    assert_eq!(sarif, js);

    // The same fixture on the repository's own fixtures: every finding unique.
    let o = run(&["check", "--format", "codequality", "--config", REGISTRY]);
    let all = strings(
        &serde_json::from_slice(&o.stdout).unwrap(),
        "",
        "/fingerprint",
    );
    assert_eq!(unique(&all), all.len(), "{all:?}");
}

#[test]
fn baseline_round_trip_survives_lines_inserted_between_identical_sites() {
    let dir = twin_tree();
    let d = dir.path();
    let o = run_in(d, &["check", "--write-baseline", "baseline.json", "ce"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let file = d.join("ce/lib/gitlab/git/repository.rb");
    let shifted = TWIN_TOGGLES
        .replacen(
            "module Gitlab\n",
            "# frozen_string_literal: true\n\nmodule Gitlab\n",
            1,
        )
        .replacen(
            "      def branch_count\n",
            "      # Returns the number of valid branches\n      #\n      def branch_count\n",
            1,
        );
    std::fs::write(&file, &shifted).unwrap();
    let o = run_in(
        d,
        &[
            "check",
            "--baseline",
            "baseline.json",
            "--format",
            "concise",
            "ce",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o), "");
    assert!(!stderr(&o).contains("no longer occur"), "{}", stderr(&o));

    // A third identical site, between the two, is one new finding per rule.
    let third = shifted.replacen(
        "      # Returns the number",
        "      def branch_names_again\n        gitaly_migrate(:branch_names) do |is_enabled|\n          is_enabled ? gitaly_ref_client.branch_names : branches.map(&:name)\n        end\n      end\n\n      # Returns the number",
        1,
    );
    std::fs::write(&file, &third).unwrap();
    let o = run_in(
        d,
        &[
            "check",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
            "ce",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let codes = strings(&v, "/findings", "/code");
    assert!(codes.contains(&"FL002".to_string()), "{v}");
    assert_eq!(codes.iter().filter(|c| *c == "FL002").count(), 1, "{v}");
}

#[test]
fn old_counted_baselines_still_match_and_stale_counts_are_right() {
    let dir = twin_tree();
    let d = dir.path();
    let o = run_in(d, &["check", "--format", "json", "ce"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    // A baseline as flaglint wrote it before occurrences counted: the first
    // site's fingerprint, counted twice; the other findings once each.
    let fl002: Vec<&serde_json::Value> = findings.iter().filter(|f| f["code"] == "FL002").collect();
    assert_eq!(fl002.len(), 2);
    let mut entries = vec![serde_json::json!({
        "fingerprint": fl002[0]["fingerprint"], "code": "FL002", "flag": "branch_names",
        "component": "ce", "path": "lib/gitlab/git/repository.rb", "count": 2
    })];
    for f in findings.iter().filter(|f| f["code"] != "FL002") {
        entries.push(serde_json::json!({
            "fingerprint": f["fingerprint"], "code": f["code"], "flag": f["flag"],
            "component": f["component"], "path": f["path"], "count": 1
        }));
    }
    let recorded = entries.len() + 1;
    std::fs::write(
        d.join("old.json"),
        serde_json::to_string_pretty(&serde_json::json!({"version": 1, "findings": entries}))
            .unwrap(),
    )
    .unwrap();
    let o = run_in(
        d,
        &[
            "check",
            "--baseline",
            "old.json",
            "--format",
            "concise",
            "ce",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o), "");

    // One of the two sites removed: one of the recorded findings is stale,
    // while every entry still occurs.
    let file = d.join("ce/lib/gitlab/git/repository.rb");
    let start = TWIN_TOGGLES.find("      def branch_count").unwrap();
    let end = TWIN_TOGGLES.find("    end\n  end\nend").unwrap();
    let one = format!("{}{}", &TWIN_TOGGLES[..start], &TWIN_TOGGLES[end..]);
    std::fs::write(&file, one).unwrap();
    let o = run_in(d, &["check", "--baseline", "old.json", "ce"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "; 1 of the {recorded} findings it records no longer occurs and can be dropped"
        )),
        "{err}"
    );
}

#[test]
fn option_mistakes_are_reported_before_the_scan() {
    // The scan of fixtures/gitlab-ce prints a note (a file with syntax
    // errors): an option error that comes first leaves stderr without it.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"version\": 1, \"findings\": [{]}").unwrap();
    let missing = dir.path().join("missing.json");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--select", "FL999"], "--select FL999: no such rule"),
        (vec!["--ignore", "nope"], "--ignore nope: no such rule"),
        (
            vec!["--baseline", missing.to_str().unwrap()],
            "cannot read baseline",
        ),
        (
            vec!["--baseline", bad.to_str().unwrap()],
            "not a flaglint baseline",
        ),
        (
            vec!["--changed-since", "no-such-rev"],
            "unknown revision `no-such-rev`",
        ),
    ];
    for (args, want) in cases {
        let mut all = vec!["check"];
        all.extend(&args);
        all.push("fixtures/gitlab-ce");
        let o = run(&all);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(
            !err.contains("note:"),
            "{args:?} came after the scan: {err}"
        );
    }
    // Outside a git repository.
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(
        plain.path().join("broken.rb"),
        "def x\n  gitaly_migrate(:find_commit) do |on|\n    on ? 1 : (\n  end\n",
    )
    .unwrap();
    // No registry note either: the note left is the scan's.
    let small = ["--max-file-size", "10", "--no-config"];
    let o = run_in(
        plain.path(),
        &[&["check", "--changed-since", "HEAD", "."][..], &small].concat(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!stderr(&o).contains("note:"), "{}", stderr(&o));
    // No PATH: the trees come from the registry found, still before the scan.
    std::fs::write(plain.path().join("flaglint.toml"), "").unwrap();
    let o = run_in(
        plain.path(),
        &["check", "--changed-since", "HEAD", "--max-file-size", "10"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--changed-since"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("note:"), "{}", stderr(&o));
    let o = run_in(plain.path(), &[&["check", "."][..], &small].concat());
    assert!(
        stderr(&o).contains("note:"),
        "the tree has a note: {}",
        stderr(&o)
    );
}

#[test]
fn an_empty_item_in_a_rule_list_is_ignored() {
    let o = run(&[
        "check",
        "--format",
        "concise",
        "--select",
        "FL002,",
        "--config",
        REGISTRY,
        "fixtures/gitlab-ce",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        !out.is_empty() && out.lines().all(|l| l.contains(" FL002 ")),
        "{out}"
    );
}

#[test]
fn ci_formats_show_paths_relative_to_the_working_directory() {
    // The component given as an absolute path: every format meant to be opened
    // from the working directory shows `fixtures/gitlab-ce/…`, JSON keeps the
    // component and the component-relative path.
    let abs = root().join("fixtures/gitlab-ce");
    let abs = abs.to_str().unwrap();
    let want = "fixtures/gitlab-ce/lib/gitlab/git/commit.rb";
    let o = run(&["check", "--format", "concise", "--config", REGISTRY, abs]);
    assert!(
        stdout(&o)
            .lines()
            .any(|l| l.starts_with(&format!("{want}:7:11: FL002"))),
        "{}",
        stdout(&o)
    );
    let o = run(&["check", "--format", "github", "--config", REGISTRY, abs]);
    assert!(
        stdout(&o).contains(&format!("file={want},line=7,")),
        "{}",
        stdout(&o)
    );
    let o = run(&[
        "check",
        "--format",
        "codequality",
        "--config",
        REGISTRY,
        abs,
    ]);
    let paths = strings(
        &serde_json::from_slice(&o.stdout).unwrap(),
        "",
        "/location/path",
    );
    assert!(paths.iter().any(|p| p == want), "{paths:?}");
    assert!(
        paths.iter().all(|p| p.starts_with("fixtures/")),
        "{paths:?}"
    );
    let o = run(&["check", "--format", "sarif", "--config", REGISTRY, abs]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let uris = strings(
        &v,
        "/runs/0/results",
        "/locations/0/physicalLocation/artifactLocation/uri",
    );
    assert!(uris.iter().any(|p| p == want), "{uris:?}");
    assert!(uris.iter().all(|p| p.starts_with("fixtures/")), "{uris:?}");
    let related: Vec<&serde_json::Value> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["relatedLocations"].as_array())
        .flatten()
        .collect();
    assert!(!related.is_empty());
    for r in related {
        let uri = r["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.starts_with("fixtures/gitlab-ce/"), "{uri}");
    }
    let o = run(&["check", "--format", "json", "--config", REGISTRY, abs]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(strings(&v, "/findings", "/path").contains(&"lib/gitlab/git/commit.rb".to_string()));
}

#[test]
fn sarif_uris_are_percent_encoded_and_columns_are_code_points() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let toggle = "def f\n  gitaly_migrate(:weird_name_flag) { |on| on ? 1 : 2 }\nend\n";
    let odd = d.join("lib/dir with space/50%#1?ü.rb");
    std::fs::create_dir_all(odd.parent().unwrap()).unwrap();
    std::fs::write(&odd, toggle).unwrap();
    let mut want = vec!["lib/dir%20with%20space/50%25%231%3F%C3%BC.rb".to_string()];
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"lat\xe9.rb");
        std::fs::write(d.join("lib").join(name), toggle).unwrap();
        want.push("lib/lat%E9.rb".to_string());
    }
    let o = run_in(d, &["check", "--format", "sarif", "--select", "FL001", "."]);
    let text = stdout(&o);
    validate_sarif(&text);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["runs"][0]["columnKind"], "unicodeCodePoints");
    let mut uris = strings(
        &v,
        "/runs/0/results",
        "/locations/0/physicalLocation/artifactLocation/uri",
    );
    uris.extend(
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["relatedLocations"].as_array())
            .flatten()
            .map(|l| {
                l["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string()
            }),
    );
    uris.sort();
    want.sort();
    assert_eq!(uris, want);
}
