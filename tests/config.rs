//! The registry and the settings: where `flaglint.toml` is found,
//! `--show-settings`, and the errors a mistaken registry or command line gets.
//! Each test builds its tree in a temporary directory.

use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::*;

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flaglint"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("run flaglint")
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const TOGGLE: &str = "def f\n  gitaly_migrate(:find_commit) do |on|\n    on ? 1 : 2\n  end\nend\n";
const REGISTRY: &str = "[[feature]]\nname = \"find_commit\"\nstage = \"mandatory\"\n";

/// A repository (`.git`) with the registry at its root and code two levels down.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(dir.path(), "flaglint.toml", REGISTRY);
    write(dir.path(), "app/models/commit.rb", TOGGLE);
    dir
}

#[test]
fn the_registry_at_the_repository_root_is_found_from_a_subdirectory() {
    let dir = repo();
    let sub = dir.path().join("app/models");
    // No PATH: the search starts in the current directory.
    let o = run(&sub, &["check", "--color", "never"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("FL002"), "{}", stdout(&o));
    assert!(!stderr(&o).contains("no flaglint.toml"), "{}", stderr(&o));
    // With PATH: from the scanned root.
    let o = run(dir.path(), &["check", "--format", "json", "app/models"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = run(
        dir.path(),
        &["check", "--format", "json", "app/models/commit.rb"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // --no-config ignores it.
    let o = run(&sub, &["check", "--no-config", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn the_search_stops_at_the_repository_root_and_says_what_needs_a_registry() {
    let outer = tempfile::tempdir().unwrap();
    write(outer.path(), "flaglint.toml", REGISTRY);
    let inner = outer.path().join("repo");
    std::fs::create_dir_all(inner.join(".git")).unwrap();
    write(&inner, "lib/commit.rb", TOGGLE);
    let o = run(&inner.join("lib"), &["check", "--color", "never"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "the outer registry must not be used"
    );
    let err = stderr(&o);
    let notes: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("no flaglint.toml"))
        .collect();
    assert_eq!(notes.len(), 1, "{err}");
    assert!(
        notes[0].starts_with("note: ")
            && notes[0].contains("FL005 and FL006 need a registry")
            && notes[0].contains("--config"),
        "{err}"
    );
    // Only where the rules need it: not for list, endpoints or explain.
    for args in [&["list"][..], &["explain", "FL002"], &["endpoints", "."]] {
        let o = run(&inner.join("lib"), args);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        assert!(!stderr(&o).contains("no flaglint.toml"), "{args:?}");
    }
    let o = run(&inner, &["checklist"]);
    assert!(stderr(&o).contains("no flaglint.toml"), "{}", stderr(&o));
}

#[test]
fn show_settings_prints_the_config_components_and_settings_without_scanning() {
    let dir = repo();
    write(
        dir.path(),
        "flaglint.toml",
        &format!(
            "[scan]\nexclude = [\"spec/fixtures/\"]\nmax_file_size = 1000\n\n[ruby]\ntoggle_methods = [\"with_gitaly\"]\n\n[rules]\nFL001 = \"off\"\n\n[components]\nce = \"app\"\n\n{REGISTRY}"
        ),
    );
    let o = run(
        &dir.path().join("app/models"),
        &["check", "--show-settings"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    for want in [
        "config: ",
        "flaglint.toml (found from .)",
        "registry: 1 features (1 mandatory)",
        "  ce = ",
        "exclude = [\"spec/fixtures/\"]",
        "max_file_size = 1000",
        "threads = ",
        "toggle_methods = [\"with_gitaly\"]",
        "FL001 = off",
        "catalog: ",
    ] {
        assert!(out.contains(want), "{want}: {out}");
    }
    assert!(!out.contains("files walked"), "must not scan: {out}");
    assert!(!stderr(&o).contains("no flaglint.toml"));
    // The command line wins over the registry.
    let o = run(
        dir.path(),
        &[
            "list",
            "--show-settings",
            "--max-file-size",
            "5",
            "--exclude",
            "tmp/",
            "--no-config",
            ".",
        ],
    );
    let out = stdout(&o);
    assert!(out.contains("config: none (--no-config)"), "{out}");
    assert!(out.contains("max_file_size = 5"), "{out}");
    assert!(out.contains("exclude = [\"tmp/\"]"), "{out}");
    let o = run(
        dir.path(),
        &["fix", "--show-settings", "--config", "flaglint.toml"],
    );
    assert!(stdout(&o).contains("config: flaglint.toml (--config)"));
    let lone = tempfile::tempdir().unwrap();
    std::fs::create_dir(lone.path().join(".git")).unwrap();
    let o = run(lone.path(), &["check", "--show-settings"]);
    assert!(
        stdout(&o).contains("config: none (no flaglint.toml in . or its parents up to .)"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn threads_zero_means_auto_and_a_huge_count_is_capped() {
    let dir = repo();
    let o = run(dir.path(), &["list", "--threads", "0", "--show-settings"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("(auto: the number of CPUs)"),
        "{}",
        stdout(&o)
    );
    let o = run(dir.path(), &["list", "--threads", "0"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let start = std::time::Instant::now();
    let o = run(
        dir.path(),
        &["list", "--threads", "100000", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("note: --threads 100000 capped at "),
        "{}",
        stderr(&o)
    );
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
}

#[test]
fn a_tree_given_twice_is_scanned_once() {
    let dir = repo();
    let count = |o: &Output| {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        v["references"].as_array().unwrap().len()
    };
    let once = run(dir.path(), &["list", "--format", "json", "app"]);
    let twice = run(
        dir.path(),
        &["list", "--format", "json", "app", "./app/", "x=app"],
    );
    assert_eq!(count(&once), 1);
    assert_eq!(count(&twice), 1, "{}", stderr(&twice));
    let err = stderr(&twice);
    assert!(
        err.contains("warning: ./app/ is the same tree as component `app`: scanned once")
            && err.contains("warning: app is the same tree"),
        "{err}"
    );
}

#[test]
fn a_bad_exclude_glob_points_into_the_registry_or_names_the_option() {
    let dir = repo();
    write(
        dir.path(),
        "flaglint.toml",
        &format!("[scan]\nexclude = [\"ok/\", \"bad[\"]\n\n{REGISTRY}"),
    );
    let o = run(dir.path(), &["check", "--color", "never"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("`[scan] exclude` glob `bad[` is invalid"),
        "{err}"
    );
    assert!(err.contains("flaglint.toml:2:"), "{err}");
    assert!(err.contains("2 │ exclude = [\"ok/\", \"bad[\"]"), "{err}");
    assert!(!err.contains("--exclude"), "{err}");
    // On the command line it is the option's error.
    let o = run(dir.path(), &["check", "--no-config", "--exclude", "bad["]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("invalid --exclude glob `bad[`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_missing_component_path_names_the_registry_and_the_entry() {
    let dir = repo();
    write(
        dir.path(),
        "flaglint.toml",
        &format!("[components]\nce = \"app\"\nshell = \"../gitlab-shell\"\n\n{REGISTRY}"),
    );
    let o = run(dir.path(), &["check", "--color", "never"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("component `shell`"), "{err}");
    assert!(err.contains("does not exist"), "{err}");
    assert!(err.contains("flaglint.toml:3:"), "{err}");
    assert!(err.contains("3 │ shell = \"../gitlab-shell\""), "{err}");
    // Trees named on the command line do not need the entry.
    let o = run(dir.path(), &["check", "--format", "json", "app"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

#[test]
fn unknown_rule_names_get_a_did_you_mean() {
    for (key, want) in [
        ("FL02", "did you mean `FL002`?"),
        ("mandatory-lefover", "did you mean `mandatory-leftover`?"),
        ("fl0001", "did you mean `FL001`?"),
    ] {
        let dir = repo();
        write(
            dir.path(),
            "flaglint.toml",
            &format!("[rules]\n{key} = \"off\"\n\n{REGISTRY}"),
        );
        let o = run(dir.path(), &["check", "--color", "never"]);
        assert_eq!(o.status.code(), Some(2), "{key}");
        let err = stderr(&o);
        assert!(
            err.contains(&format!("`{key}` is not a flaglint rule")),
            "{err}"
        );
        assert!(err.contains(want), "{key}: {err}");
        assert!(
            err.contains("flaglint.toml:2:1"),
            "points at the key: {err}"
        );
    }
}

#[test]
fn control_characters_from_the_registry_never_reach_the_terminal() {
    let cases: &[&[u8]] = &[
        b"[[feature]]\nname = \"a\x1b[31mred\x1b]0;title\x07\"\nstage = \"opt-in\"\n",
        b"\x1b[2J\x00\x00[[feature]]\nname = ",
        b"[rules]\n\"FL\x1b[0m\" = \"off\"\n",
        b"[[feature]]\nname = \"a\"\nstage = \"\x1b[5mopt\x00\"\n",
        b"# \x1b[31m\n[[feature]]\nname = \"a\xff\xfe\"\nstage = \"opt-in\"\n",
    ];
    for text in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join("flaglint.toml"), text).unwrap();
        let o = run(dir.path(), &["check", "--color", "never"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        for (name, stream) in [("stderr", &o.stderr), ("stdout", &o.stdout)] {
            assert!(
                !stream.iter().any(|&b| b == 0x1b || b == 0 || b == 0x07),
                "raw control bytes on {name}: {:?}",
                stderr(&o)
            );
        }
        assert!(stderr(&o).contains("invalid registry"), "{}", stderr(&o));
    }
    // They are shown escaped, and invalid UTF-8 says where.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join("flaglint.toml"), cases[0]).unwrap();
    let err = stderr(&run(dir.path(), &["check", "--color", "never"]));
    assert!(err.contains("\\x1b[31mred"), "{err}");
    std::fs::write(dir.path().join("flaglint.toml"), cases[4]).unwrap();
    let err = stderr(&run(dir.path(), &["check", "--color", "never"]));
    assert!(err.contains("not valid UTF-8 at byte 29"), "{err}");
}

#[test]
fn an_empty_tree_is_a_warning_with_the_usual_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    write(dir.path(), "images/logo.png", "not read by any frontend");
    for (tree, code) in [("empty", 0), ("images", 0)] {
        let o = run(dir.path(), &["check", "--no-config", tree]);
        assert_eq!(o.status.code(), Some(code), "{}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(
            err.matches(&format!("warning: no files to scan under {tree}"))
                .count(),
            1,
            "{err}"
        );
    }
    // A tree with something to read says nothing of the kind.
    write(dir.path(), "code/a.rb", TOGGLE);
    let o = run(dir.path(), &["list", "code"]);
    assert!(!stderr(&o).contains("no files to scan"), "{}", stderr(&o));
}
