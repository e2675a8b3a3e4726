//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

/// Runs the built flaglint in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_flaglint"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run flaglint")
}

/// The fixture tree `tests/data/NAME/tree`, copied to a temporary directory
/// (kept as long as the returned guard lives).
pub fn fixture_tree(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    copy_dir(&root().join("tests/data").join(name).join("tree"), &tree);
    (dir, tree)
}

/// `flaglint fix ARGS --config flaglint.toml .` in `tree`.
pub fn fix_in(tree: &Path, args: &[&str]) -> Output {
    let mut all = vec!["fix"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--config", "flaglint.toml", "."]);
    run_in(tree, &all)
}

/// Compares `actual` with the reviewed snapshot `tests/snapshots/NAME`
/// (`UPDATE_SNAPSHOTS=1` rewrites it).
pub fn snapshot(name: &str, actual: &str) {
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

/// A reference of `list --format json` on one line: flag, kind, form,
/// `path:line`, `[endpoints]`, the lines of its enabled and legacy branches.
pub fn reference_line(r: &serde_json::Value) -> String {
    let line = |b: &serde_json::Value| {
        b["line"]
            .as_u64()
            .map_or("-".to_string(), |l| l.to_string())
    };
    let endpoints: Vec<&str> = r["endpoints"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e.as_str())
        .collect();
    format!(
        "{} {} {} {}:{} [{}] on:{} off:{}",
        r["flag"].as_str().unwrap_or_default(),
        r["kind"].as_str().unwrap_or_default(),
        r["form"].as_str().unwrap_or_default(),
        r["path"].as_str().unwrap_or_default(),
        r["line"],
        endpoints.join(","),
        line(&r["enabled_branch"]),
        line(&r["legacy_branch"]),
    )
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Copies a directory tree (the fixtures, into a temporary directory).
pub fn copy_dir(from: &Path, to: &Path) {
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

/// `ruby -c` when Ruby is installed (skipped otherwise).
pub fn ruby_syntax_ok(file: &Path) {
    let Ok(o) = std::process::Command::new("ruby")
        .arg("-c")
        .arg(file)
        .output()
    else {
        return;
    };
    assert!(o.status.success(), "{}: {}", file.display(), stderr(&o));
}

/// Every file under `dir`, relative to it, sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// Runs git in `dir` with a fixed identity and dates (reproducible commit
/// ids); asserts that it succeeds.
pub fn git(dir: &Path, args: &[&str]) -> Output {
    let o = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "flaglint")
        .env("GIT_AUTHOR_EMAIL", "flaglint@example.com")
        .env("GIT_COMMITTER_NAME", "flaglint")
        .env("GIT_COMMITTER_EMAIL", "flaglint@example.com")
        .env("GIT_AUTHOR_DATE", "2018-01-22T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2018-01-22T12:00:00Z")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("run git");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}
