//! `flaglint history`, the overdue rule (FL017) and `flaglint board`, end to
//! end on a git repository built here, shaped like GitLab-CE's 10.x
//! releases: `gitaly_migrate` toggles in `lib/gitlab/git/repository.rb` that
//! move from Opt-In to Opt-Out and are removed some releases later, one
//! release tag per minor release and a release candidate between them.

use std::path::Path;

mod common;
use common::*;

/// A `gitaly_migrate` toggle as GitLab-CE 10.x writes it.
fn toggle(flag: &str, status: Option<&str>) -> String {
    let status = status
        .map(|s| format!(", status: Gitlab::GitalyClient::MigrationStatus::{s}"))
        .unwrap_or_default();
    format!(
        "      def {flag}(arg)\n        gitaly_migrate(:{flag}{status}) do |is_enabled|\n          if is_enabled\n            gitaly_client.{flag}(arg)\n          else\n            rugged_{flag}(arg)\n          end\n        end\n      end\n"
    )
}

fn repository_rb(toggles: &[(&str, Option<&str>)]) -> String {
    let body: Vec<String> = toggles.iter().map(|(f, s)| toggle(f, *s)).collect();
    format!(
        "module Gitlab\n  module Git\n    class Repository\n{}    end\n  end\nend\n",
        body.join("\n")
    )
}

/// One commit: the repository's file and VERSION, tagged `tags`.
fn release(dir: &Path, version: &str, toggles: &[(&str, Option<&str>)], tags: &[&str]) {
    std::fs::write(dir.join("VERSION"), format!("{version}\n")).unwrap();
    std::fs::write(
        dir.join("lib/gitlab/git/repository.rb"),
        repository_rb(toggles),
    )
    .unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", version]);
    for t in tags {
        git(dir, &["tag", t]);
    }
}

/// The repository: v10.0.0 … v10.3.0 (and v10.2.0-rc1), then a work tree at
/// 10.4.0-pre.
fn gitlab_ce(dir: &Path) {
    git(dir, &["init", "-q", "-b", "master"]);
    for d in ["lib/gitlab/git", "doc", "vendor/bundle"] {
        std::fs::create_dir_all(dir.join(d)).unwrap();
    }
    std::fs::write(
        dir.join("lib/gitlab/gitaly_client.rb"),
        "module Gitlab\n  module GitalyClient\n  end\nend\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("doc/README.md"),
        "# Gitaly\n\nNothing to toggle here.\n",
    )
    .unwrap();
    // Vendored code is not the component's: skipped as the scan skips it.
    std::fs::write(
        dir.join("vendor/bundle/x.rb"),
        "gitaly_migrate(:vendored) { |on| on }\n",
    )
    .unwrap();
    let out = Some("OPT_OUT");
    release(
        dir,
        "10.0.0",
        &[("find_commit", None), ("commit_count", out)],
        &["v10.0.0"],
    );
    release(
        dir,
        "10.1.0",
        &[
            ("find_commit", out),
            ("commit_count", out),
            ("tag_names", None),
        ],
        &["v10.1.0"],
    );
    release(
        dir,
        "10.2.0-rc1",
        &[("find_commit", out), ("tag_names", None)],
        &["v10.2.0-rc1"],
    );
    release(
        dir,
        "10.2.0",
        &[("find_commit", out), ("tag_names", None)],
        &["v10.2.0"],
    );
    release(
        dir,
        "10.3.0",
        &[("tag_names", None), ("delete_branch", out)],
        &["v10.3.0"],
    );
    release(
        dir,
        "10.4.0-pre",
        &[
            ("tag_names", None),
            ("delete_branch", out),
            ("list_refs", None),
        ],
        &[],
    );
}

fn built() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    gitlab_ce(dir.path());
    dir
}

/// The run failed with exit code 2, saying `text`.
fn fails(o: &std::process::Output, text: &str) {
    assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
    assert!(stderr(o).contains(text), "{}", stderr(o));
}

fn json(o: &std::process::Output) -> serde_json::Value {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    serde_json::from_slice(&o.stdout).expect("valid JSON")
}

#[test]
fn history_reads_each_release_tag_and_each_distinct_blob_once() {
    let dir = built();
    let d = dir.path();
    let o = run_in(d, &["history", "--no-config", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    snapshot("history.txt", &stdout(&o));
    assert!(
        stderr(&o).starts_with("flaglint history: 4 revisions, 16 files, 10 distinct blobs read"),
        "{}",
        stderr(&o)
    );

    let v = json(&run_in(
        d,
        &["history", "--no-config", ".", "--format", "json"],
    ));
    let c = &v["components"][0];
    assert_eq!(c["component"], "gitlab-ce");
    let revs: Vec<&str> = c["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    // Release tags only: not the release candidate, not the untagged HEAD.
    assert_eq!(revs, ["v10.0.0", "v10.1.0", "v10.2.0", "v10.3.0"]);
    assert_eq!(c["revisions"][0]["release"], "10.0");
    assert_eq!(c["revisions"][0]["date"], "2018-01-22");
    let feature = |name: &str| {
        c["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["feature"] == name)
            .unwrap_or_else(|| panic!("no {name} in {c}"))
            .clone()
    };
    let statuses = |f: &serde_json::Value| -> Vec<String> {
        f["releases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| match s {
                serde_json::Value::Null => "-".to_string(),
                s => format!("{}:{}", s["status"].as_str().unwrap(), s["sites"]),
            })
            .collect()
    };
    let fc = feature("find_commit");
    assert_eq!(
        (fc["appeared"].as_str(), fc["removed"].as_str()),
        (Some("v10.0.0"), Some("v10.3.0"))
    );
    assert_eq!(statuses(&fc), ["opt-in:1", "opt-out:1", "opt-out:1", "-"]);
    assert_eq!(fc["overdue"][0]["stage"], "opt-out");
    assert_eq!(fc["overdue"][0]["since"], "v10.1.0");
    assert_eq!(fc["overdue"][0]["due"], "v10.2.0");
    assert_eq!(fc["overdue"][0]["releases"], 2);
    let cc = feature("commit_count");
    assert_eq!(statuses(&cc), ["opt-out:1", "opt-out:1", "-", "-"]);
    assert_eq!(cc["removed"], "v10.2.0");
    let tn = feature("tag_names");
    assert_eq!(tn["removed"], serde_json::Value::Null);
    assert!(
        tn["overdue"].as_array().unwrap().is_empty(),
        "3 releases at Opt-In are allowed"
    );
    // Vendored code is skipped.
    assert!(c["features"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["feature"] != "vendored"));
    let s = &v["summary"];
    assert_eq!(
        (
            s["revisions"].as_u64(),
            s["files"].as_u64(),
            s["blobs"].as_u64()
        ),
        (Some(4), Some(16), Some(10))
    );

    let csv = stdout(&run_in(
        d,
        &["history", "--no-config", ".", "--format", "csv"],
    ));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "component,feature,revision,release,date,status,sites,statuses,appeared,removed"
    );
    assert!(lines.contains(
        &"gitlab-ce,find_commit,v10.1.0,10.1,2018-01-22,opt-out,1,opt-out=1,v10.0.0,v10.3.0"
    ));
    assert!(lines.contains(&"gitlab-ce,find_commit,v10.3.0,10.3,2018-01-22,,0,,v10.0.0,v10.3.0"));
    assert_eq!(lines.len(), 1 + 4 * 4, "one row per feature and revision");
}

#[test]
fn revs_take_ranges_globs_and_lists() {
    let dir = built();
    let d = dir.path();
    let names = |spec: &str| -> Vec<String> {
        let v = json(&run_in(
            d,
            &[
                "history",
                "--no-config",
                ".",
                "--format",
                "json",
                "--revs",
                spec,
            ],
        ));
        v["components"][0]["revisions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names("v10.1.0..v10.2.0"), ["v10.1.0", "v10.2.0"]);
    assert_eq!(names("10.2..10.9"), ["v10.2.0", "v10.3.0"]);
    assert_eq!(names("v10.2*"), ["v10.2.0-rc1", "v10.2.0"]);
    assert_eq!(names("v10.3.0, HEAD, v10.3.0"), ["v10.3.0", "HEAD"]);
    // A commit id, abbreviated or not.
    let head = stdout(&git(d, &["rev-parse", "HEAD"])).trim().to_string();
    assert_eq!(names(&head[..8]), [&head[..8]]);
    assert_eq!(names(&head), [head.as_str()]);

    // A directory of the work tree: its subtree in every revision.
    let v = json(&run_in(
        d,
        &["history", "--no-config", "lib", "--format", "json"],
    ));
    let features: Vec<&str> = v["components"][0]["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["feature"].as_str().unwrap())
        .collect();
    assert_eq!(
        features,
        ["commit_count", "delete_branch", "find_commit", "tag_names"]
    );
    assert_eq!(
        v["summary"]["files"], 8,
        "lib/'s two files in four revisions"
    );

    let o = run_in(d, &["history", "--no-config", ".", "--revs", "v9.9.9"]);
    fails(&o, "revision `v9.9.9`: no such tag, branch or commit");
    let o = run_in(
        d,
        &["history", "--no-config", ".", "--revs", "main..v10.1.0"],
    );
    fails(&o, "a range is two releases");
    let o = run_in(d, &["history", "--no-config", ".", "--format", "sarif"]);
    fails(&o, "`history` writes human, json or csv, not sarif");
    let plain = tempfile::tempdir().unwrap();
    let o = run_in(plain.path(), &["history", "--no-config", "."]);
    fails(&o, "not a git repository");
}

#[test]
fn a_release_tag_that_names_no_commit_is_skipped_unless_named() {
    let dir = built();
    let d = dir.path();
    let blob = stdout(&git(d, &["hash-object", "-w", "VERSION"]))
        .trim()
        .to_string();
    git(d, &["tag", "v10.9.0", &blob]);
    let o = run_in(d, &["history", "--no-config", ".", "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("revision `v10.9.0`:") && stderr(&o).contains(": skipped"),
        "{}",
        stderr(&o)
    );
    assert!(!stdout(&o).contains("v10.9.0"));
    let o = run_in(d, &["history", "--no-config", ".", "--revs", "v10.9.0"]);
    fails(&o, "revision `v10.9.0`:");
    // check --history skips it too.
    let o = run_in(
        d,
        &[
            "check",
            "--no-config",
            "--history",
            "--select",
            "FL017",
            "--format",
            "concise",
            ".",
        ],
    );
    assert_eq!(stdout(&o).lines().count(), 2, "{}", stderr(&o));
}

#[test]
fn check_with_history_reports_what_stayed_too_long() {
    let dir = built();
    let d = dir.path();
    let o = run_in(
        d,
        &[
            "check",
            "--no-config",
            "--history",
            "--select",
            "FL017",
            "--format",
            "concise",
            ".",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "warnings only: {}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "lib/gitlab/git/repository.rb:5:9: FL017 `tag_names` has been Opt-In since 10.1: 4 releases up to 10.4, more than the 3 releases the process allows (stale since 10.4)\n\
         lib/gitlab/git/repository.rb:15:9: FL017 `delete_branch` has been Opt-Out since 10.3: 2 releases up to 10.4; the process makes a feature Mandatory in the release after it went Opt-Out (10.4)\n"
    );
    // Without --history (and no `since` in the registry) the rule has no dates.
    let o = run_in(
        d,
        &[
            "check",
            "--no-config",
            "--select",
            "FL017",
            "--format",
            "concise",
            ".",
        ],
    );
    assert_eq!(stdout(&o), "");
    // The cadence is the registry's.
    std::fs::write(
        d.join("flaglint.toml"),
        "[process]\nopt_out_releases = 2\nopt_in_releases = 4\n",
    )
    .unwrap();
    let o = run_in(
        d,
        &[
            "check",
            "--history",
            "--select",
            "FL017",
            "--format",
            "concise",
            ".",
        ],
    );
    assert_eq!(stdout(&o), "", "{}", stderr(&o));
}

#[test]
fn the_registry_since_dates_a_stage_without_history() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("lib/gitlab/git")).unwrap();
    std::fs::write(d.join("VERSION"), "11.1.0-pre\n").unwrap();
    std::fs::write(
        d.join("lib/gitlab/git/repository.rb"),
        repository_rb(&[
            ("find_commit", Some("OPT_OUT")),
            ("tag_names", Some("OPT_OUT")),
        ]),
    )
    .unwrap();
    std::fs::write(
        d.join("flaglint.toml"),
        "[[feature]]\nname = \"find_commit\"\nstage = \"opt-out\"\nsince = \"11.0\"\n\n\
         [[feature]]\nname = \"tag_names\"\nstage = \"opt-out\"\nsince = { opt-in = \"10.2\", opt-out = \"11.1\" }\n",
    )
    .unwrap();
    let o = run_in(
        d,
        &["check", "--select", "FL017", "--format", "concise", "."],
    );
    assert_eq!(
        stdout(&o),
        "lib/gitlab/git/repository.rb:5:9: FL017 `find_commit` has been Opt-Out since 11.0: 2 releases up to 11.1; the process makes a feature Mandatory in the release after it went Opt-Out\n",
        "{}",
        stderr(&o)
    );
    std::fs::write(
        d.join("flaglint.toml"),
        "[[feature]]\nname = \"find_commit\"\nstage = \"opt-out\"\nsince = \"eleven\"\n",
    )
    .unwrap();
    let o = run_in(d, &["check", "."]);
    fails(&o, "`\"eleven\"` is not a release like \"10.6\"");
}

#[test]
fn the_board_shows_every_feature_with_its_timeline() {
    let dir = built();
    let d = dir.path();
    let o = run_in(
        d,
        &[
            "board",
            "--no-config",
            "--history",
            "--format",
            "html",
            "--link-base",
            "gitlab-ce=https://gitlab.example.com/ce/blob/HEAD/",
            ".",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = scraper::Html::parse_document(&stdout(&o));
    assert!(
        page.errors.is_empty(),
        "HTML5 parse errors: {:?}",
        page.errors
    );
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    let rows: Vec<(String, String, String)> = page
        .select(&sel("table#features tr.feature"))
        .map(|r| {
            let v = r.value();
            (
                v.attr("data-feature").unwrap().to_string(),
                v.attr("data-column").unwrap().to_string(),
                v.classes().filter(|c| *c == "overdue").collect(),
            )
        })
        .collect();
    let row = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(
        rows,
        [
            row("list_refs", "opt-in", ""),
            row("tag_names", "opt-in", "overdue"),
            row("delete_branch", "opt-out", "overdue"),
            row("commit_count", "removed", ""),
            row("find_commit", "removed", ""),
        ]
    );
    // The timeline: 10.0 … 10.3 from the tags, 10.4 the tree.
    let axis: Vec<String> = page
        .select(&sel("th.timeline svg.axis text"))
        .map(|t| t.text().collect())
        .collect();
    assert_eq!(axis, ["10.0", "10.1", "10.2", "10.3", "10.4"]);
    let lane = |feature: &str| -> Vec<String> {
        let tr = page
            .select(&sel(&format!("tr.feature[data-feature=\"{feature}\"]")))
            .next()
            .unwrap();
        tr.select(&sel("svg.swimlane rect.cell"))
            .map(|c| {
                c.value()
                    .classes()
                    .find(|k| *k != "cell")
                    .unwrap_or("")
                    .to_string()
            })
            .collect()
    };
    assert_eq!(
        lane("find_commit"),
        ["opt-in", "opt-out", "opt-out", "removed", "removed"]
    );
    assert_eq!(
        lane("delete_branch"),
        ["none", "none", "none", "opt-out", "opt-out"]
    );
    // Sites link to their lines.
    let links: Vec<&str> = page
        .select(&sel("tr.feature[data-feature=\"tag_names\"] td.sites a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(
        links,
        ["https://gitlab.example.com/ce/blob/HEAD/lib/gitlab/git/repository.rb#L5-L11"]
    );
    // Nothing is loaded from elsewhere.
    let external: Vec<_> = page.select(&sel("[src], link, img, iframe")).collect();
    assert!(external.is_empty(), "external resources: {external:?}");

    let o = run_in(
        d,
        &["board", "--no-config", "--history", "--color", "never", "."],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    snapshot("board.txt", &stdout(&o));
}

/// Gitaly's own tree: a flag's stage is its definition's `OnByDefault`.
#[test]
fn a_gitaly_flag_moves_with_its_definition() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_dir(&root().join("tests/data/gitaly-server"), d);
    let flags = d.join("internal/metadata/featureflag/flags.go");
    let text = std::fs::read_to_string(&flags).unwrap();
    git(d, &["init", "-q", "-b", "master"]);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "13.1"]);
    git(d, &["tag", "v13.1.0"]);
    let on = text.replace(
        "FastTagLookup = FeatureFlag{Name: \"fast_tag_lookup\", OnByDefault: false}",
        "FastTagLookup = FeatureFlag{Name: \"fast_tag_lookup\", OnByDefault: true}",
    );
    assert_ne!(on, text);
    std::fs::write(&flags, on).unwrap();
    git(d, &["commit", "-q", "-am", "13.2"]);
    git(d, &["tag", "v13.2.0"]);
    let v = json(&run_in(
        d,
        &["history", "--no-config", ".", "--format", "json"],
    ));
    let c = &v["components"][0];
    assert_eq!(c["component"], "gitaly");
    let f = c["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["feature"] == "fast_tag_lookup")
        .unwrap_or_else(|| panic!("{c}"));
    let statuses: Vec<&str> = f["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(statuses, ["opt-in", "opt-out"]);
    assert_eq!(f["releases"][1]["source"], "code");
}
