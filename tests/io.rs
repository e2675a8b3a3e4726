//! Writing safely: reports to devices, FIFOs and links, closed and full
//! standard streams, `fix --write` through links and on read-only trees, and
//! SIGINT in the middle of a write.
#![cfg(unix)]

use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::*;

fn flaglint() -> Command {
    Command::new(env!("CARGO_BIN_EXE_flaglint"))
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    flaglint()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run flaglint")
}

fn config() -> String {
    root().join("fixtures/flaglint.toml").display().to_string()
}

/// The write end of a pipe whose read end is already closed: every write
/// fails with EPIPE.
fn closed_pipe() -> Stdio {
    let mut fds = [0; 2];
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    unsafe {
        drop(OwnedFd::from_raw_fd(fds[0]));
        Stdio::from(OwnedFd::from_raw_fd(fds[1]))
    }
}

/// Waits for the child, failing the test after 60 seconds.
fn wait(mut child: Child) -> Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("flaglint hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn assert_no_signal(o: &Output) {
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        o.status.signal(),
        None,
        "killed by a signal: {:?}",
        o.status
    );
    assert!(!stderr(o).contains("panicked"), "{}", stderr(o));
}

fn mkfifo(p: &Path) {
    let ok = Command::new("mkfifo").arg(p).status().unwrap().success();
    assert!(ok, "mkfifo {}", p.display());
}

/// Reads the FIFO in a thread. The test holds a writer of its own until
/// `finish`, so the reader opens at once, and ends (at the FIFO's end) even
/// if flaglint never opened the FIFO, or replaced it.
struct FifoReader {
    keeper: std::fs::File,
    thread: std::thread::JoinHandle<Vec<u8>>,
}

impl FifoReader {
    fn start(path: &Path) -> FifoReader {
        // Linux opens a FIFO read-write without waiting for a reader.
        let keeper = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .unwrap();
        let mut reader = std::fs::File::open(path).unwrap();
        FifoReader {
            keeper,
            thread: std::thread::spawn(move || {
                let mut got = Vec::new();
                std::io::Read::read_to_end(&mut reader, &mut got).unwrap();
                got
            }),
        }
    }

    fn finish(self) -> Vec<u8> {
        drop(self.keeper);
        self.thread.join().unwrap()
    }
}

/// `flaglint list --format json --output TARGET` on the fixtures.
fn list_json_to(target: &str) -> Output {
    run_in(
        &root(),
        &[
            "list",
            "--config",
            &config(),
            "--format",
            "json",
            "--output",
            target,
        ],
    )
}

#[test]
fn output_and_baseline_write_through_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("report.fifo");
    mkfifo(&fifo);
    let reader = FifoReader::start(&fifo);
    let o = list_json_to(fifo.to_str().unwrap());
    let got = reader.finish();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&got).expect("the report came through");
    assert_eq!(v["version"], 1);
    let ft = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(ft.is_fifo(), "the FIFO was replaced");

    let reader = FifoReader::start(&fifo);
    let o = run_in(
        &root(),
        &[
            "check",
            "--config",
            &config(),
            "--write-baseline",
            fifo.to_str().unwrap(),
        ],
    );
    let got = reader.finish();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&got).expect("the baseline came through");
    assert!(!v["findings"].as_array().unwrap().is_empty());
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn output_through_a_symlink_writes_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("real.json"), "old\n").unwrap();
    std::os::unix::fs::symlink("real.json", d.join("link.json")).unwrap();
    std::fs::create_dir(d.join("sub")).unwrap();
    std::os::unix::fs::symlink("sub/new.json", d.join("dangling.json")).unwrap();
    for (link, target) in [
        ("link.json", "real.json"),
        ("dangling.json", "sub/new.json"),
    ] {
        let o = run_in(
            d,
            &[
                "list",
                "--config",
                &config(),
                "--format",
                "json",
                "--output",
                link,
            ],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let meta = std::fs::symlink_metadata(d.join(link)).unwrap();
        assert!(meta.file_type().is_symlink(), "{link} is no longer a link");
        let text = std::fs::read_to_string(d.join(target)).unwrap();
        assert!(text.starts_with('{'), "{target} did not get the report");
    }
    // A link to a directory that does not exist: a clear error.
    std::os::unix::fs::symlink("nowhere/x.json", d.join("lost.json")).unwrap();
    let o = run_in(d, &["list", "--config", &config(), "--output", "lost.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot write lost.json: directory nowhere does not exist"),
        "{}",
        stderr(&o)
    );
    // A new regular file gets the umask's mode, not the temporary file's 0600.
    let o = run_in(d, &["list", "--config", &config(), "--output", "new.txt"]);
    assert_eq!(o.status.code(), Some(0));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(d.join("new.txt"))
        .unwrap()
        .permissions()
        .mode();
    assert_ne!(mode & 0o777, 0o600, "mode {mode:o}");
}

#[test]
fn output_to_dev_null_and_dev_stdout_write_through() {
    let null = Path::new("/dev/null");
    if !null.exists() {
        eprintln!("skipped: no /dev/null");
        return;
    }
    let o = run_in(
        &root(),
        &["list", "--config", &config(), "--output", "/dev/null"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run_in(
        &root(),
        &[
            "check",
            "--config",
            &config(),
            "--write-baseline",
            "/dev/null",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // As root the old code replaced the device node with a regular file.
    let ft = std::fs::symlink_metadata(null).unwrap().file_type();
    assert!(ft.is_char_device(), "/dev/null is no longer a device");

    if Path::new("/dev/stdout").exists() {
        let o = list_json_to("/dev/stdout");
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
        assert_eq!(v["version"], 1);
    }
}

#[test]
fn a_closed_stdout_ends_quietly_with_141() {
    for args in [
        vec!["explain"],
        vec!["list", "--config", &config(), "--format", "json"],
        vec!["--help"],
    ] {
        let child = flaglint()
            .args(&args)
            .current_dir(root())
            .stdout(closed_pipe())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let o = wait(child);
        assert_no_signal(&o);
        assert_eq!(o.status.code(), Some(141), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            !err.contains("error:") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
    }
    // `fix … 2>&1 | head`: both streams closed.
    let mut fds = [0; 2];
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let (out, err) = unsafe {
        drop(OwnedFd::from_raw_fd(fds[0]));
        let w = OwnedFd::from_raw_fd(fds[1]);
        (Stdio::from(w.try_clone().unwrap()), Stdio::from(w))
    };
    let child = flaglint()
        .args(["fix", "--config", &config()])
        .current_dir(root())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap();
    let o = wait(child);
    assert_no_signal(&o);
    assert_eq!(o.status.code(), Some(141));
}

#[test]
fn a_closed_stderr_changes_nothing() {
    // `fix` prints notes on stderr: the old eprintln! panicked, and the panic
    // hook panicked again (SIGABRT).
    let child = flaglint()
        .args(["fix", "--config", &config()])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(closed_pipe())
        .spawn()
        .unwrap();
    let o = wait(child);
    assert_no_signal(&o);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("+++ "), "the diff is complete");
    let child = flaglint()
        .args(["check", "--config", &config()])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(closed_pipe())
        .spawn()
        .unwrap();
    let o = wait(child);
    assert_no_signal(&o);
    assert_eq!(o.status.code(), Some(1), "findings, as with an open stderr");
}

#[test]
fn a_full_stdout_is_an_error() {
    let full = Path::new("/dev/full");
    if !full.exists() {
        eprintln!("skipped: this system has no /dev/full");
        return;
    }
    let cfg = config();
    for args in [
        vec!["explain"],
        vec!["explain", "FL002"],
        vec!["list", "--config", &cfg],
        vec!["checklist", "--config", &cfg],
        vec!["fix", "--config", &cfg],
        vec!["endpoints"],
        vec!["check", "--config", &cfg],
    ] {
        let out = std::fs::OpenOptions::new().write(true).open(full).unwrap();
        let child = flaglint()
            .args(&args)
            .current_dir(root())
            .stdout(out)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let o = wait(child);
        assert_no_signal(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("error: cannot write to standard output: No space left on device"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

/// A copy of the fixtures in a temporary directory.
fn fixture_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("fixtures"), dir.path());
    dir
}

const COMMIT: &str = "gitlab-ce/lib/gitlab/git/commit.rb";
const REPOSITORY: &str = "gitlab-ce/lib/gitlab/git/repository.rb";

#[test]
fn fix_write_follow_writes_through_links_and_refuses_hard_links() {
    let dir = fixture_copy();
    let d = dir.path();
    // commit.rb becomes a link to a file outside the tree.
    let outside = tempfile::tempdir().unwrap();
    let real = outside.path().join("commit.rb");
    std::fs::rename(d.join(COMMIT), &real).unwrap();
    std::os::unix::fs::symlink(&real, d.join(COMMIT)).unwrap();
    let before = std::fs::read_to_string(&real).unwrap();
    // repository.rb gets a second hard link.
    let twin = outside.path().join("repository.rb");
    std::fs::hard_link(d.join(REPOSITORY), &twin).unwrap();
    let repo_before = std::fs::read_to_string(&twin).unwrap();

    let o = run_in(
        d,
        &["fix", "--write", "--follow", "--config", "flaglint.toml"],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let meta = std::fs::symlink_metadata(d.join(COMMIT)).unwrap();
    assert!(meta.file_type().is_symlink(), "the link was replaced");
    let after = std::fs::read_to_string(&real).unwrap();
    assert_ne!(after, before, "the link's target was not fixed");
    assert!(!after.contains("gitaly_migrate(:find_commit)"), "{after}");
    assert!(
        err.contains(
            "error: gitlab-ce:lib/gitlab/git/repository.rb: has 2 hard links, which replacing it would break; not written"
        ),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&twin).unwrap(), repo_before);
    assert_eq!(
        std::fs::read_to_string(d.join(REPOSITORY)).unwrap(),
        repo_before
    );
    use std::os::unix::fs::MetadataExt;
    assert_eq!(std::fs::metadata(&twin).unwrap().nlink(), 2);
}

#[test]
fn fix_write_on_a_read_only_tree_is_an_error() {
    let dir = fixture_copy();
    let d = dir.path();
    let mut stack = vec![d.to_path_buf()];
    let mut originals = Vec::new();
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let e = e.unwrap().path();
            if e.is_dir() {
                stack.push(e);
            } else if e.file_name().unwrap() != "flaglint.toml" {
                let mut perms = std::fs::metadata(&e).unwrap().permissions();
                perms.set_readonly(true);
                std::fs::set_permissions(&e, perms).unwrap();
                originals.push((e.clone(), std::fs::read(&e).unwrap()));
            }
        }
    }
    let o = run_in(d, &["fix", "--write", "--config", "flaglint.toml"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("0 written, 6 not written"), "{err}");
    assert!(
        err.contains("error: gitlab-ce:lib/gitlab/git/commit.rb: read-only; not written"),
        "{err}"
    );
    for (p, bytes) in originals {
        assert_eq!(std::fs::read(&p).unwrap(), bytes, "{} changed", p.display());
    }
}

fn temp_files(d: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![d.to_path_buf()];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let e = e.unwrap().path();
            if e.is_dir() {
                stack.push(e);
            } else if e.file_name().unwrap().to_string_lossy().starts_with(".tmp") {
                found.push(e);
            }
        }
    }
    found
}

/// Waits until a temporary file exists under `d` (the child is mid-write).
fn wait_for_temp_file(d: &Path, child: &mut Child) {
    let start = Instant::now();
    while temp_files(d).is_empty() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "flaglint ended before it wrote"
        );
        assert!(start.elapsed() < Duration::from_secs(60), "no write began");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn sigint(child: &Child) {
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
}

#[test]
fn sigint_during_fix_write_finishes_the_file_and_stops() {
    let dir = fixture_copy();
    let d = dir.path();
    let mut child = flaglint()
        .args(["fix", "--write", "--config", "flaglint.toml"])
        .current_dir(d)
        .env("FLAGLINT_TEST_WRITE_DELAY_MS", "400")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_temp_file(d, &mut child);
    sigint(&child);
    let o = wait(child);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert_eq!(temp_files(d), Vec::<PathBuf>::new(), "temporary files left");
    assert!(err.contains("1 written, 5 not written"), "{err}");
    assert!(
        err.contains("flaglint fix: interrupted; written:\n  "),
        "{err}"
    );
    assert_eq!(
        err.matches(": interrupted; not written").count(),
        5,
        "{err}"
    );
}

#[test]
fn sigint_during_an_output_write_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut child = flaglint()
        .args(["list", "--config", &config(), "--output", "report.txt"])
        .current_dir(d)
        .env("FLAGLINT_TEST_WRITE_DELAY_MS", "400")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_temp_file(d, &mut child);
    sigint(&child);
    let o = wait(child);
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert_eq!(temp_files(d), Vec::<PathBuf>::new(), "temporary files left");
    let report = std::fs::read_to_string(d.join("report.txt")).unwrap();
    assert!(report.contains("references"), "the report was finished");
}

#[test]
fn sigint_outside_a_write_exits_130_at_once() {
    // flaglint waits in open() on a FIFO given as its registry.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("flaglint.toml");
    mkfifo(&fifo);
    let child = flaglint()
        .args(["check", "--config", fifo.to_str().unwrap(), "."])
        .current_dir(dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    sigint(&child);
    let o = wait(child);
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
}
