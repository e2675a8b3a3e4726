//! Hostile trees, built in a temporary directory by each test: the documented
//! behaviour is a warning naming the file (the scan goes on) or a clear error
//! with exit 2 — never a panic, never a hang.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

mod common;
use common::*;

/// Runs flaglint, failing the test if it takes longer than 60 seconds. The
/// output is drained while it runs (a full pipe must not look like a hang).
fn run(dir: &Path, args: &[&str]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_flaglint"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run flaglint");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(out) => out.unwrap(),
        Err(_) => panic!("flaglint hangs on {args:?}"),
    };
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "flaglint panicked: {err}");
    out
}

fn flags(o: &Output) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    v["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["flag"].as_str().unwrap().to_string())
        .collect()
}

const TOGGLE: &str = "gitaly_migrate(:ok) do |on|\n  on ? 1 : 2\nend\n";

#[test]
fn bad_bytes_empty_files_and_deep_nesting() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut bytes = b"# \xff\xfe\x00 latin1 \xe9\n".to_vec();
    bytes.extend_from_slice(b"x = \"\x00\xc3\x28\"\n");
    bytes.extend_from_slice(TOGGLE.as_bytes());
    std::fs::write(d.join("bytes.rb"), bytes).unwrap();
    std::fs::write(d.join("empty.rb"), "").unwrap();
    std::fs::write(d.join("empty.go"), "").unwrap();
    let depth = 100_000;
    let deep = format!(
        "{}gitaly_migrate(:deep) {{ |e| e ? 1 : 2 }}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    std::fs::write(d.join("deep.rb"), deep).unwrap();
    let deep_go = format!(
        "package x\nfunc f() {{\n{}if p.GitalyServer.Address != \"\" {{ y() }}{}\n}}\n",
        "{".repeat(depth),
        "}".repeat(depth)
    );
    std::fs::write(d.join("deep.go"), deep_go).unwrap();
    // Rust: syn recurses once per level, so a file nested deeper than 96
    // levels is not parsed (a note); one just under is.
    let deep_rs = format!(
        "fn f() {{ {}feature_enabled(\"deep_rust\"){} }}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    std::fs::write(d.join("deep.rs"), deep_rs).unwrap();
    let near = format!(
        "fn f() -> bool {{ {}feature_enabled(\"near_rust\"){} }}\n",
        "(".repeat(90),
        ")".repeat(90)
    );
    std::fs::write(d.join("near.rs"), near).unwrap();
    std::fs::write(d.join("empty.rs"), "").unwrap();
    std::fs::write(
        d.join("bytes.rs"),
        b"fn f() { feature_enabled(\"x\\xff\"); }\xff\n",
    )
    .unwrap();
    let o = run(d, &["list", "--format", "json", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let f = flags(&o);
    assert!(
        f.contains(&"ok".to_string()) && f.contains(&"deep".to_string()),
        "{f:?}"
    );
    assert!(f.contains(&"near_rust".to_string()), "{f:?}");
    assert!(!f.contains(&"deep_rust".to_string()), "{f:?}");
    let err = stderr(&o);
    assert!(
        err.contains("deep.rs: nested 100002 levels deep (more than 96); not parsed"),
        "{err}"
    );
    assert!(
        err.contains("bytes.rs: not valid UTF-8; not parsed"),
        "{err}"
    );
    // The rules and every report survive the depth and the long lines too.
    for format in ["human", "json", "sarif", "codequality", "github", "concise"] {
        let o = run(d, &["check", "--format", format, "--color", "never", "."]);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{format}: {}",
            stderr(&o)
        );
    }
    let o = run(d, &["fix", "--feature", "deep", "--feature", "ok", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn huge_single_line_file_is_skipped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut big = String::with_capacity(20 * 1024 * 1024 + 100);
    big.push_str("x = '");
    while big.len() < 20 * 1024 * 1024 {
        big.push_str("gitaly ");
    }
    big.push_str("'\n");
    std::fs::write(d.join("big.rb"), big).unwrap();
    std::fs::write(d.join("ok.rb"), TOGGLE).unwrap();
    let o = run(d, &["list", "--format", "json", "."]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("big.rb: skipped, larger than the size limit"),
        "{}",
        stderr(&o)
    );
    assert_eq!(flags(&o), ["ok"]);
}

#[cfg(unix)]
#[test]
fn links_fifos_and_unreadable_files() {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("sub")).unwrap();
    std::fs::write(d.join("sub/ok.rb"), TOGGLE).unwrap();
    symlink("nowhere.rb", d.join("dangling.rb")).unwrap();
    symlink("..", d.join("sub/loop")).unwrap();
    let fifo = d.join("pipe.rb");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    let locked = d.join("locked.rb");
    std::fs::write(&locked, TOGGLE).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let readable_anyway = std::fs::read(&locked).is_ok(); // root reads everything

    let o = run(d, &["list", "--format", "json", "--follow", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("symlink loop"), "{err}");
    assert!(err.contains("dangling.rb"), "{err}");
    if !readable_anyway {
        assert!(err.contains("locked.rb: cannot read"), "{err}");
    }
    assert!(flags(&o).contains(&"ok".to_string()));
    if made {
        // The FIFO was neither opened nor waited on (the run above returned).
        assert!(fifo.exists());
    }
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = run(d, &["list", "does-not-exist"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn crlf_sources_keep_their_columns_and_fix_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let src = "class A\r\n  def x\r\n    gitaly_migrate(:crlf_flag) do |on|\r\n      if on\r\n        gitaly\r\n      else\r\n        legacy\r\n      end\r\n    end\r\n  end\r\nend\r\n";
    std::fs::write(d.join("a.rb"), src).unwrap();
    let o = run(d, &["list", "--format", "json", "."]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let r = &v["references"][0];
    assert_eq!(
        (r["line"].as_u64(), r["column"].as_u64()),
        (Some(3), Some(5))
    );
    assert_eq!(r["enabled_branch"]["line"], 5);
    let o = run(d, &["fix", "--write", "--feature", "crlf_flag", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let fixed = std::fs::read_to_string(d.join("a.rb")).unwrap();
    assert_eq!(
        fixed,
        "class A\r\n  def x\r\n    gitaly\r\n  end\r\nend\r\n"
    );
}

#[test]
fn broken_registries_are_clear_errors() {
    let cases: &[(&[u8], &str)] = &[
        (b"[[feature]]\nname = \"a\"\nstage = \"opt-in\"\n[[feature]]\nname = \"a\"\nstage = \"opt-out\"\n", "`a` is already the name"),
        (b"[[feature]]\nname = \"a\"\nstage = \"beta\"\n", "unknown variant `beta`"),
        (b"[[feature]]\nname = \"a\"\nstage = 3\n", "wanted string"),
        (b"[[feature]]\nname = \"a\xff\"\nstage = \"opt-in\"\n", "not valid UTF-8"),
        (b"[[feature]\nname = ", "invalid registry"),
        (b"[rules]\nFL001 = \"loud\"\n", "`loud` is not a severity"),
    ];
    for (text, message) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("flaglint.toml"), text).unwrap();
        let o = run(dir.path(), &["check", "--color", "never"]);
        assert_eq!(o.status.code(), Some(2), "{message}");
        assert!(stderr(&o).contains(message), "{message}: {}", stderr(&o));
        assert!(stdout(&o).is_empty());
    }
    // A byte-order mark is fine.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("flaglint.toml"),
        "\u{feff}[[feature]]\nname = \"a\"\nstage = \"opt-in\"\n",
    )
    .unwrap();
    assert_eq!(run(dir.path(), &["check"]).status.code(), Some(0));
}

/// Files over the default 1 MiB limit are skipped with a note; large files
/// under it (parsed one at a time, after the others) still give their
/// references, in order.
#[test]
fn large_files_are_parsed_alone_and_the_default_limit_is_one_mib() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let filler = "x = [1, 2, 3].map { |i| i * 2 }\n";
    let big = |flag: &str, size: usize| {
        let mut s = format!("gitaly_migrate(:{flag}) do |on|\n  on ? 1 : 2\nend\n");
        while s.len() < size {
            s.push_str(filler);
        }
        s
    };
    std::fs::write(d.join("a_large.rb"), big("large_one", 300 * 1024)).unwrap();
    std::fs::write(d.join("b_small.rb"), TOGGLE).unwrap();
    std::fs::write(d.join("c_large.go"), "package x\n").unwrap();
    std::fs::write(d.join("d_large.rb"), big("large_two", 400 * 1024)).unwrap();
    std::fs::write(d.join("e_over.rb"), big("over", 1024 * 1024 + 1)).unwrap();
    let o = run(d, &["list", "--format", "json", "."]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(flags(&o), ["large_one", "ok", "large_two"]);
    let err = stderr(&o);
    assert!(
        err.contains("e_over.rb: skipped, larger than the size limit (1048576 bytes"),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["summary"]["files_read"], 4,
        "each file read and counted once"
    );
    assert_eq!(v["summary"]["files_skipped"], 1);
}
