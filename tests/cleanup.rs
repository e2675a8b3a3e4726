//! `flaglint checklist` and `flaglint fix`, end to end on the fixtures.

mod common;
use common::*;

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
        stderr(&o).contains("flaglint fix: 12 sites fixed in 6 files"),
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
fn fix_of_shells_command_table_keeps_the_entry_and_drops_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let all = "[[feature]]\nname = \"ssh_upload_pack\"\nstage = \"mandatory\"\n[[feature]]\nname = \"ssh_receive_pack\"\nstage = \"mandatory\"\n[[feature]]\nname = \"ssh_upload_archive\"\nstage = \"mandatory\"\n";
    std::fs::write(dir.path().join("all.toml"), all).unwrap();
    let registry = dir.path().join("all.toml");
    let o = run_in(
        &root(),
        &[
            "fix",
            "--config",
            registry.to_str().unwrap(),
            "fixtures/gitlab-shell",
        ],
    );
    snapshot("fix-shell.diff", &stdout(&o));
    let one = dir.path().join("one.toml");
    std::fs::write(
        &one,
        "[[feature]]\nname = \"ssh_receive_pack\"\nstage = \"mandatory\"\n",
    )
    .unwrap();
    let o = run_in(
        &root(),
        &[
            "fix",
            "--config",
            one.to_str().unwrap(),
            "fixtures/gitlab-shell",
        ],
    );
    assert_eq!(stdout(&o), "");
    assert!(stderr(&o).contains("the other commands of the table are not Mandatory (ssh_upload_pack, ssh_upload_archive)"), "{}", stderr(&o));
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
            || path.ends_with(".yml")
            // The Rust client's test stubs and the header it sends.
            || (f["component"] == "rust-client"
                && f["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("test stub") || m.contains("metadata flag")));
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
    let text = std::fs::read_to_string(d.join("rust-client/src/repository.rs")).unwrap();
    syn::parse_file(&text).unwrap_or_else(|e| panic!("repository.rs does not parse: {e}\n{text}"));
    let json = std::fs::read_to_string(d.join("config/roles/gitlab-base.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).expect("the role stays valid JSON");
    assert!(
        v["default_attributes"]["omnibus-gitlab"]["gitlab_rb"]["gitlab-rails"]["env"]
            ["GITALY_FIND_COMMIT"]
            .is_null()
    );
}

/// Every flag of the fixtures made Mandatory: after `fix --write`, FL002 stays
/// only where the fix leaves the work to a person (and says why), every fixed
/// file parses, and a second fix changes nothing.
#[test]
fn every_feature_mandatory_property() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_dir(&root().join("fixtures"), d);
    let o = run_in(
        d,
        &[
            "list",
            "--format",
            "json",
            "gitlab-ce",
            "gitlab-workhorse",
            "gitlab-shell",
            "config",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut names: Vec<String> = v["references"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["form"] != "dynamic" && r["flag"] != "")
        .map(|r| r["flag"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names.dedup();
    let registry: String = names
        .iter()
        .map(|n| format!("[[feature]]\nname = \"{n}\"\nstage = \"mandatory\"\n\n"))
        .collect();
    std::fs::write(d.join("all.toml"), registry).unwrap();
    let trees = ["gitlab-ce", "gitlab-workhorse", "gitlab-shell", "config"];
    let mut args = vec!["fix", "--write", "--config", "all.toml"];
    args.extend_from_slice(&trees);
    let o = run_in(d, &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let left_notes = stderr(&o);

    let mut again = vec!["fix", "--config", "all.toml"];
    again.extend_from_slice(&trees);
    let o = run_in(d, &again);
    assert_eq!(stdout(&o), "", "a second fix changes more");

    let mut check = vec![
        "check", "--config", "all.toml", "--format", "json", "--select", "FL002",
    ];
    check.extend_from_slice(&trees);
    let v: serde_json::Value = serde_json::from_slice(&run_in(d, &check).stdout).unwrap();
    for f in v["findings"].as_array().unwrap() {
        let (path, line) = (f["path"].as_str().unwrap(), f["line"].as_u64().unwrap());
        let by_hand_kind = path.starts_with("spec/")
            || path.contains("/spec/")
            || path.ends_with("_test.go")
            || path.ends_with(".md")
            || path.ends_with(".yml")
            || path.ends_with("env_toggles.rb")
            || path.ends_with("env.go")
            || path.ends_with("flipper_toggles.rb")
            || path.ends_with("metadata.go")
            || path.ends_with("gitaly_client.rb");
        let noted = left_notes.contains(&format!("{path}:"));
        assert!(
            by_hand_kind || noted,
            "FL002 left without a reason at {path}:{line}: {f}\n{left_notes}"
        );
    }
    // Every Ruby and Go file still parses.
    let mut stack = vec![d.to_path_buf()];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let e = e.unwrap().path();
            if e.is_dir() {
                if !e.ends_with("vendor") {
                    stack.push(e);
                }
                continue;
            }
            let name = e.to_string_lossy().to_string();
            if name.contains("broken_syntax") || name.contains("latin1") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&e) else {
                continue;
            };
            let tree = if name.ends_with(".rb") {
                flaglint::cleanup::ruby::parse(&text)
            } else if name.ends_with(".go") {
                flaglint::cleanup::go::parse(&text)
            } else {
                continue;
            };
            assert!(
                !tree.unwrap().root_node().has_error(),
                "{name} does not parse after the fix:\n{text}"
            );
        }
    }
}

/// The fix engine itself (without the safety net that abandons a broken
/// result) keeps every fixture that parses parseable, for every flag at once.
#[test]
fn the_fix_engine_never_needs_its_safety_net_on_the_fixtures() {
    let mut stack = vec![root().join("fixtures")];
    let mut checked = 0;
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let e = e.unwrap().path();
            if e.is_dir() {
                stack.push(e);
                continue;
            }
            let name = e.to_string_lossy().to_string();
            let language = if name.ends_with(".rb") {
                "ruby"
            } else if name.ends_with(".go") {
                "go"
            } else {
                continue;
            };
            let Ok(text) = std::fs::read_to_string(&e) else {
                continue;
            };
            let fixed = flaglint::cleanup::fix_source(language, &name, &text);
            assert!(
                flaglint::cleanup::parses_if_original_did(language, &text, &fixed),
                "{name}: the fix broke it:\n{fixed}"
            );
            checked += 1;
        }
    }
    assert!(checked > 30, "only {checked} fixture files");
}

#[test]
fn fix_write_leaves_read_only_files_intact() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let src = "def x\n  gitaly_migrate(:ro_flag) do |on|\n    on ? gitaly : legacy\n  end\nend\n";
    let p = d.join("a.rb");
    std::fs::write(&p, src).unwrap();
    let mut perms = std::fs::metadata(&p).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&p, perms).unwrap();
    let o = run_in(d, &["fix", "--write", "--feature", "ro_flag", "."]);
    assert_eq!(o.status.code(), Some(2), "a file not written is an error");
    assert!(
        stderr(&o).contains("a.rb: read-only; not written"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(&p).unwrap(), src);
}

/// The diff applies with `git apply` from the repository root: with one
/// component its paths are relative to that repository's root wherever
/// flaglint runs; with several, relative to the working directory.
#[test]
fn fix_diffs_apply_with_git_apply() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_dir(&root().join("fixtures"), &d.join("clients"));
    let ce = d.join("clients/gitlab-ce");
    git(&ce, &["init", "-q"]);
    let registry = d.join("clients/flaglint.toml");
    let registry = registry.to_str().unwrap();

    // One component, fixed from elsewhere (the temp dir) and from a subdirectory.
    for (cwd, path) in [
        (d.to_path_buf(), "clients/gitlab-ce"),
        (ce.join("lib"), ".."),
    ] {
        let o = run_in(&cwd, &["fix", "--config", registry, path]);
        let patch = stdout(&o);
        assert!(patch.contains("\n+++ b/lib/gitlab/git/"), "{patch}");
        std::fs::write(d.join("one.diff"), &patch).unwrap();
        git(
            &ce,
            &["apply", "--check", d.join("one.diff").to_str().unwrap()],
        );
    }

    // Several components: relative to the working directory.
    let clients = d.join("clients");
    git(&clients, &["init", "-q"]);
    let o = run_in(
        &clients,
        &[
            "fix",
            "--config",
            "flaglint.toml",
            "gitlab-ce",
            "gitlab-shell",
        ],
    );
    let patch = stdout(&o);
    assert!(patch.contains("\n+++ b/gitlab-ce/lib/"), "{patch}");
    std::fs::write(d.join("all.diff"), &patch).unwrap();
    git(
        &clients,
        &["apply", "--check", d.join("all.diff").to_str().unwrap()],
    );
    // And it applies for real: the fix then has nothing left to do there.
    git(&clients, &["apply", d.join("all.diff").to_str().unwrap()]);
    let o = run_in(
        &clients,
        &[
            "fix",
            "--config",
            "flaglint.toml",
            "gitlab-ce",
            "gitlab-shell",
        ],
    );
    assert_eq!(stdout(&o), "");
}

/// `check --diff` prints what `fix` would change and exits 1 while there is
/// something to fix; `check --fix` applies it and reports what is left; a
/// second `check --diff` has nothing left (exit 0).
#[test]
fn check_diff_and_check_fix() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_dir(&root().join("fixtures"), d);
    let before = run_in(d, &["fix", "--config", "flaglint.toml"]);
    let o = run_in(d, &["check", "--diff", "--config", "flaglint.toml"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stdout(&o), stdout(&before), "check --diff is fix's diff");
    assert!(stdout(&o).starts_with("--- a/"), "{}", stdout(&o));

    let o = run_in(
        d,
        &[
            "check",
            "--fix",
            "--config",
            "flaglint.toml",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "leftovers for a person remain");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON report");
    let leftovers = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "FL002")
        .count();
    assert!(stderr(&o).contains("written"), "{}", stderr(&o));
    // What is left of FL002 is what `fix` leaves to a person: env lookups,
    // test stubs, docs.
    let o = run_in(d, &["check", "--diff", "--config", "flaglint.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(stdout(&o), "");
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
    assert_eq!(v["findings"].as_array().unwrap().len(), leftovers);
}

/// `fix --format json`: the planned edits as data, and with `--write` which
/// files were written; `--color always` colors the diff.
#[test]
fn fix_json_plan_and_colored_diff() {
    let o = run_in(
        &root(),
        &[
            "fix",
            "--config",
            "fixtures/flaglint.toml",
            "--format",
            "json",
            "fixtures/gitlab-ce",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], 1);
    let commit = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "fixtures/gitlab-ce/lib/gitlab/git/commit.rb")
        .expect("commit.rb is planned");
    assert_eq!(commit["status"], "fixed");
    let hunk = &commit["hunks"][0];
    assert_eq!(hunk["old_start"], 7);
    assert!(hunk["removed"][0]
        .as_str()
        .unwrap()
        .contains("gitaly_migrate(:find_commit)"));
    assert!(commit.get("written").is_none());
    let sites = v["sites"].as_array().unwrap();
    assert!(sites
        .iter()
        .any(|s| s["flag"] == "find_commit" && s["outcome"] == "fixed"));
    assert!(sites
        .iter()
        .any(|s| s["outcome"] == "left" && s["reason"].is_string()));

    let o = run_in(
        &root(),
        &[
            "fix",
            "--config",
            "fixtures/flaglint.toml",
            "--color",
            "always",
            "fixtures/gitlab-ce",
        ],
    );
    assert!(stdout(&o).contains("\x1b[31m-"), "removed lines are red");
    assert!(stdout(&o).contains("\x1b[32m+"), "added lines are green");
    let o = run_in(
        &root(),
        &[
            "fix",
            "--config",
            "fixtures/flaglint.toml",
            "fixtures/gitlab-ce",
        ],
    );
    assert!(!stdout(&o).contains('\x1b'), "no color off a terminal");

    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("fixtures"), dir.path());
    let o = run_in(
        dir.path(),
        &[
            "fix",
            "--write",
            "--config",
            "flaglint.toml",
            "--format",
            "json",
            "gitlab-ce",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fixed")
        .all(|f| f["written"] == true));
}

/// `--quiet`: no notes or summary lines, the report and warnings stay.
#[test]
fn quiet_prints_only_the_report() {
    let loud = run_in(
        &root(),
        &[
            "check",
            "--color",
            "never",
            "--config",
            "fixtures/flaglint.toml",
        ],
    );
    let o = run_in(
        &root(),
        &[
            "check",
            "-q",
            "--color",
            "never",
            "--config",
            "fixtures/flaglint.toml",
        ],
    );
    assert_eq!(o.status.code(), loud.status.code());
    assert!(stderr(&loud).contains("note:"));
    assert!(!stderr(&o).contains("note:"), "{}", stderr(&o));
    assert!(stdout(&loud).contains("files walked"));
    assert!(!stdout(&o).contains("files walked"));
    assert!(!stdout(&o).contains("FL002 mandatory-leftover  "));
    assert!(stdout(&o).contains("FL002(mandatory-leftover)"));
    let o = run_in(
        &root(),
        &["fix", "--quiet", "--config", "fixtures/flaglint.toml"],
    );
    assert_eq!(stderr(&o), "");
}

#[test]
fn fix_dead_code_search_walks_as_the_scan_does() {
    // The fix keeps a dead method a spec names (and says so), and that search
    // honours `--exclude` like the scan (one walker for both).
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("flaglint.toml"),
        "[[feature]]\nname = \"find_x\"\nstage = \"mandatory\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("lib")).unwrap();
    std::fs::create_dir_all(root.join("spec")).unwrap();
    std::fs::write(
        root.join("lib/repo.rb"),
        "class Repo\n  def find\n    gitaly_migrate(:find_x) do |is_enabled|\n      if is_enabled\n        gitaly_find\n      else\n        legacy_find\n      end\n    end\n  end\n\n  private\n\n  def gitaly_find\n    1\n  end\n\n  def legacy_find\n    2\n  end\nend\n",
    )
    .unwrap();
    std::fs::write(
        root.join("spec/repo_spec.rb"),
        "it { expect(repo.send(:legacy_find)).to eq(2) }\n",
    )
    .unwrap();
    let config = root.join("flaglint.toml");
    let config = config.to_str().unwrap();
    let tree = root.to_str().unwrap();
    let o = run_in(root, &["fix", "--config", config, tree]);
    let err = stderr(&o);
    assert!(
        err.contains("lib/repo.rb:8: `legacy_find` is now unused, kept: named in the spec ")
            && err.contains(":spec/repo_spec.rb\n"),
        "{err}"
    );
    assert!(!stdout(&o).contains("-  def legacy_find"), "{}", stdout(&o));
    let o = run_in(
        root,
        &["fix", "--exclude", "spec/", "--config", config, tree],
    );
    let err = stderr(&o);
    assert!(
        err.contains("`legacy_find`: deleted, only the removed legacy code named it"),
        "{err}"
    );
    assert!(stdout(&o).contains("-  def legacy_find"), "{}", stdout(&o));
}

#[test]
fn fix_deletes_the_legacy_path_specs_of_the_fixed_features_only() {
    // A `:skip_gitaly_mock` / `:disable_gitaly` block naming a fixed flag, or
    // saying "without gitaly" in the `describe` of a method the fix left
    // without toggles, goes; one about a flag still toggled, an untagged one
    // and one in another method's `describe` stay; the enabled context left
    // alone in its `describe` is unwrapped. `--no-specs` keeps them all.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("flaglint.toml"),
        "[[feature]]\nname = \"find_x\"\nstage = \"mandatory\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("lib")).unwrap();
    std::fs::create_dir_all(root.join("spec/lib")).unwrap();
    std::fs::write(
        root.join("lib/repo.rb"),
        "class Repo\n  def find\n    gitaly_migrate(:find_x) do |is_enabled|\n      if is_enabled\n        gitaly_client.find\n      else\n        run_git(%w[show])\n      end\n    end\n  end\n\n  def other\n    gitaly_migrate(:other_y) do |is_enabled|\n      if is_enabled\n        gitaly_client.other\n      else\n        run_git(%w[log])\n      end\n    end\n  end\n\n  def run_git(args)\n    args\n  end\nend\n",
    )
    .unwrap();
    let spec = "describe Repo do\n  describe '#find' do\n    context 'when Gitaly find_x is enabled' do\n      it { expect(repo.find).to be_truthy }\n    end\n\n    context 'when Gitaly find_x is disabled', :skip_gitaly_mock do\n      it { expect(repo.find).to be_truthy }\n    end\n\n    context 'without gitaly', :disable_gitaly do\n      it { expect(repo.find).to be_truthy }\n    end\n  end\n\n  describe '#other' do\n    context 'without gitaly', :disable_gitaly do\n      it { expect(repo.other).to be_truthy }\n    end\n\n    context 'when other_y is disabled', :skip_gitaly_mock do\n      it { expect(repo.other).to be_truthy }\n    end\n  end\nend\n";
    std::fs::write(root.join("spec/lib/repo_spec.rb"), spec).unwrap();
    let config = root.join("flaglint.toml");
    let config = config.to_str().unwrap();
    let tree = root.to_str().unwrap();
    let o = run_in(root, &["fix", "--no-specs", "--config", config, tree]);
    assert!(!stdout(&o).contains("repo_spec.rb"), "{}", stdout(&o));
    let o = run_in(root, &["fix", "--write", "--config", config, tree]);
    let err = stderr(&o);
    assert!(
        err.contains("spec/lib/repo_spec.rb:7 'when Gitaly find_x is disabled': deleted, a spec of the removed legacy path"),
        "{err}"
    );
    assert!(
        err.contains("spec/lib/repo_spec.rb:11 'without gitaly': deleted"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("spec/lib/repo_spec.rb")).unwrap(),
        "describe Repo do\n  describe '#find' do\n    it { expect(repo.find).to be_truthy }\n  end\n\n  describe '#other' do\n    context 'without gitaly', :disable_gitaly do\n      it { expect(repo.other).to be_truthy }\n    end\n\n    context 'when other_y is disabled', :skip_gitaly_mock do\n      it { expect(repo.other).to be_truthy }\n    end\n  end\nend\n"
    );
    common::ruby_syntax_ok(&root.join("spec/lib/repo_spec.rb"));
}
