//! The Rust frontend (issue 14) on `fixtures/rust-client`: a tonic client
//! (generated `CommitServiceClient`/`RefServiceClient` modules) and a
//! repository service migrating `CommitService/FindCommit` (Mandatory in the
//! registry) and `RefService/FindLocalBranches` (behind a flag whose name does
//! not derive from it) — every reference form with its exact line, the
//! findings, and a `fix --write` whose output syn parses and that keeps the
//! Gitaly branches verbatim. The traps (a flag in a comment, a doc comment, a
//! raw string, a `macro_rules!` body, a file that does not parse) yield nothing.

use std::process::Output;

mod common;
use common::*;

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(o)))
}

const ARGS: &[&str] = &[
    "--config",
    "fixtures/flaglint.toml",
    "--format",
    "json",
    "rust-client=fixtures/rust-client",
];

#[test]
fn every_rust_form_with_its_line_branches_and_endpoints() {
    let o = run_in(&root(), &[&["list"], ARGS].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let got: Vec<String> = json(&o)["references"]
        .as_array()
        .unwrap()
        .iter()
        .inspect(|r| assert_eq!(r["language"], "rust", "{r}"))
        .map(reference_line)
        .collect();
    let expected = [
        // #[cfg(test)] module: env::set_var and an assert!(…) macro body.
        "find_commit test-stub env src/lib.rs:14 [] on:- off:-",
        "find_commit test-stub feature_enabled src/lib.rs:15 [] on:- off:-",
        // if/else, through a crate method to the generated client's gRPC path.
        "find_commit toggle feature_enabled src/repository.rs:29 [CommitService/FindCommit] on:30 off:34",
        "find_commit metadata metadata src/repository.rs:45 [] on:- off:-",
        // negated
        "find_commit toggle feature_enabled src/repository.rs:52 [CommitService/FindCommit] on:55 off:53",
        // match on the check
        "find_commit toggle feature_enabled src/repository.rs:61 [CommitService/FindCommit] on:62 off:63",
        // a method check named by a const, through a field typed RefServiceClient
        "branch_names toggle feature_enabled src/repository.rs:70 [RefService/FindLocalBranches] on:71 off:84",
        // env switch with an early return: the rest of the body is the legacy path
        "find_commit env env src/repository.rs:90 [CommitService/FindCommit] on:91 off:93",
        "tag_names env env src/settings.rs:8 [] on:- off:-",
        "list_commits_by_oid env env src/settings.rs:13 [] on:- off:-",
        // `let use_gitaly = check; if use_gitaly`
        "commit_languages toggle feature_enabled src/settings.rs:23 [] on:25 off:27",
        // if let Ok(_) = env::var(…)
        "disable_cache env env src/settings.rs:33 [] on:34 off:36",
        // debug_assert!(…) is read; the macro_rules! body is not.
        "list_commits_by_oid check feature_enabled src/traps.rs:22 [] on:- off:-",
        "tag_names env env src/traps.rs:23 [] on:- off:-",
        // tests/: test code
        "branch_names test-stub metadata tests/browse.rs:8 [] on:- off:-",
    ];
    assert_eq!(got, expected);
    // Settings read as values are no references; the file that does not parse
    // gets a note with syn's position, and the scan goes on.
    assert_eq!(
        stderr(&o),
        "note: rust-client:src/broken.rs:7:5: does not parse (unbalanced delimiters or an unterminated literal); its references are not seen\n"
    );
}

#[test]
fn check_reports_underived_names_and_mandatory_leftovers_in_rust() {
    let o = run_in(&root(), &[&["check"], ARGS].concat());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let got: Vec<String> = json(&o)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["component"] == "rust-client")
        .map(|f| {
            format!(
                "{} {} {}:{}",
                f["code"].as_str().unwrap(),
                f["flag"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                f["line"]
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "FL002 find_commit src/lib.rs:14",
            "FL002 find_commit src/lib.rs:15",
            "FL002 find_commit src/repository.rs:29",
            "FL002 find_commit src/repository.rs:45",
            "FL002 find_commit src/repository.rs:52",
            "FL002 find_commit src/repository.rs:61",
            "FL001 branch_names src/repository.rs:70",
            "FL005 branch_names src/repository.rs:70",
            "FL002 find_commit src/repository.rs:90",
            "FL001 disable_cache src/settings.rs:33",
            "FL005 disable_cache src/settings.rs:33",
            "FL005 branch_names tests/browse.rs:8",
        ]
    );
    let fl001 = json(&o)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "FL001" && f["flag"] == "branch_names")
        .cloned()
        .unwrap();
    assert_eq!(
        fl001["message"],
        "`branch_names` guards RefService/FindLocalBranches but its name does not derive from it"
    );
}

/// The fixed functions of `repository.rs`, exactly.
const FIXED: &[&str] = &[
    "    pub async fn find_commit(&mut self, revision: &str) -> Option<String> {
        // Gitaly answers for every storage.
        let commit = self.gitaly_find_commit(revision).await?;
        Some(commit)
    }
",
    "    pub async fn commit_exists(&mut self, revision: &str) -> bool {
        self.gitaly_find_commit(revision).await.is_some()
    }
",
    "    pub async fn subject(&mut self, revision: &str) -> String {
        let id = self.gitaly_find_commit(revision).await;
        id.unwrap_or_default()
    }
",
    "    pub async fn default_commit(&mut self) -> Option<String> {
        self.gitaly_find_commit(\"HEAD\").await
    }
",
];

#[test]
fn fix_write_keeps_the_gitaly_branches_verbatim_and_reparses() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    copy_dir(&root().join("fixtures"), d);
    let args = ["fix", "--config", "flaglint.toml", "rust-client"];
    let o = run_in(d, &[&args[..], &["--write"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("flaglint fix: 4 sites fixed in 1 file, 1 written"),
        "{}",
        stderr(&o)
    );
    let path = d.join("rust-client/src/repository.rs");
    let text = std::fs::read_to_string(&path).unwrap();
    syn::parse_file(&text).unwrap_or_else(|e| panic!("does not parse: {e}\n{text}"));
    for f in FIXED {
        assert!(text.contains(f), "missing:\n{f}\nin:\n{text}");
    }
    // The import only the removed code used goes; the untouched toggle stays.
    assert!(
        text.starts_with("use crate::features::Features;\n"),
        "{text}"
    );
    assert!(text.contains("if self.features.is_enabled(BRANCHES_FLAG) {"));
    // Nothing else changed: every other line of the original is still there.
    let original =
        std::fs::read_to_string(root().join("fixtures/rust-client/src/repository.rs")).unwrap();
    let gitaly = original
        .find("            let request = FindLocalBranchesRequest {")
        .unwrap();
    let end = original[gitaly..].find("        } else {").unwrap();
    assert!(text.contains(&original[gitaly..gitaly + end]));
    // Fixing again changes nothing; what is left is for a person.
    let o = run_in(d, &args);
    assert_eq!(stdout(&o), "");
    let o = run_in(
        d,
        &["checklist", "--config", "flaglint.toml", "rust-client"],
    );
    let list = stdout(&o);
    assert!(
        list.contains("- [ ] `src/repository.rs:41` — metadata `metadata`: stop sending the `gitaly-feature-` header"),
        "{list}"
    );
}

#[test]
fn files_without_gitaly_tokens_are_not_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("a.rs"),
        "fn a() { if feature_enabled(\"find_commit\") { g() } }\n",
    )
    .unwrap();
    // Tokens in no frontend's list: read, never parsed (its syntax error
    // would otherwise be a note).
    std::fs::write(
        d.join("b.rs"),
        "fn b( { let x = enabled(\"find_commit\"); }\n",
    )
    .unwrap();
    let o = run_in(
        d,
        &[
            "check",
            "--no-config",
            "--statistics",
            "--fail-on",
            "never",
            ".",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("2 files walked, 2 read, 1 parsed; 1 reference;"),
        "{out}"
    );
    assert_eq!(stderr(&o), "");
}
