//! Writing files the user owns.
//!
//! Reports and baselines ([`write_output`]): a regular file is replaced
//! atomically (temp file + rename, its mode kept; a new file gets the umask's
//! mode); devices, FIFOs and `/dev/stdout` are written through; a symbolic link
//! is followed and its target written (a dangling link's target is created),
//! the link stays. The fix ([`write_fixes`]): only files unchanged since they
//! were read, not read-only and with one hard link are replaced, through their
//! links. Whatever fails, the original is intact: a failed write only ever
//! touches the temporary file, which is removed. A SIGINT during a write
//! finishes the file being written and stops ([`crate::interrupt`]).

use crate::cleanup::Plan;
use crate::interrupt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` through a temporary file in the same directory.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Like [`write_atomic`], the content coming from `fill` (a failing `fill`,
/// such as a full disk, leaves `path` as it was).
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let _phase = interrupt::write_phase().ok_or_else(interrupt::interrupted_error)?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        // A new file gets the mode `>` would give it (0666 less the umask).
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    fill(&mut tmp)?;
    tmp.flush()?;
    tmp.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    test_delay();
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// For the tests only: `FLAGLINT_TEST_WRITE_DELAY_MS` sleeps with the temporary
/// file written, before its rename (a deterministic "mid-write").
fn test_delay() {
    if let Some(ms) = std::env::var_os("FLAGLINT_TEST_WRITE_DELAY_MS")
        .and_then(|v| v.to_str().and_then(|v| v.parse::<u64>().ok()))
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

/// Where a report goes.
#[derive(Debug, PartialEq, Eq)]
enum Destination {
    /// A regular file (or none yet): temp file + rename.
    Atomic(PathBuf),
    /// A device, a FIFO, a descriptor (`/dev/stdout`): opened and written.
    Through(PathBuf),
}

/// Follows `path`'s symbolic links to what they name.
fn destination(path: &Path) -> std::io::Result<Destination> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        // `/dev/stdout`, `/dev/fd/N`, `/proc/self/fd/N`: descriptors, whose
        // links (`pipe:[123]`) only the kernel follows.
        if p.starts_with("/proc") || p.starts_with("/dev/fd") {
            return Ok(Destination::Through(p));
        }
        let meta = match std::fs::symlink_metadata(&p) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Destination::Atomic(p))
            }
            Err(e) => return Err(e),
        };
        let ft = meta.file_type();
        if ft.is_symlink() {
            let target = std::fs::read_link(&p)?;
            p = match p.parent() {
                Some(dir) => dir.join(target),
                None => target,
            };
        } else if ft.is_file() {
            return Ok(Destination::Atomic(p));
        } else if ft.is_dir() {
            return Err(std::io::Error::other("is a directory"));
        } else {
            return Ok(Destination::Through(p));
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// Writes a report or a baseline to `path` (see the module documentation).
pub fn write_output(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    match destination(path)? {
        Destination::Atomic(p) => {
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                if !dir.is_dir() {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        format!("directory {} does not exist", dir.display()),
                    ));
                }
            }
            write_atomic(&p, bytes)
        }
        Destination::Through(p) => {
            let mut f = std::fs::OpenOptions::new().append(true).open(&p)?;
            f.write_all(bytes)?;
            f.flush()
        }
    }
}

/// Why the fix did not write a file.
#[derive(Debug)]
pub enum NotWritten {
    /// The file changed since it was read.
    Changed,
    /// The file is read-only: its owner did not want it changed.
    ReadOnly,
    /// The file has this many hard links, which replacing it would break.
    HardLinks(u64),
    /// A signal stopped the writing before this file.
    Interrupted,
    Io(std::io::Error),
}

impl std::fmt::Display for NotWritten {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotWritten::Changed => f.write_str("changed since it was read; not written"),
            NotWritten::ReadOnly => f.write_str("read-only; not written"),
            NotWritten::HardLinks(n) => write!(
                f,
                "has {n} hard links, which replacing it would break; not written"
            ),
            NotWritten::Interrupted => f.write_str("interrupted; not written"),
            NotWritten::Io(e) => write!(f, "not written: {e}"),
        }
    }
}

/// Replaces the content of `path` with `new` if it still is `expected`. A
/// symbolic link is followed (its target is replaced, the link stays); a file
/// with several hard links is not written.
pub fn replace_if_unchanged(path: &Path, expected: &[u8], new: &[u8]) -> Result<(), NotWritten> {
    let target = std::fs::canonicalize(path).map_err(NotWritten::Io)?;
    let meta = std::fs::metadata(&target).map_err(NotWritten::Io)?;
    if meta.permissions().readonly() {
        return Err(NotWritten::ReadOnly);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return Err(NotWritten::HardLinks(meta.nlink()));
        }
    }
    let now = std::fs::read(&target).map_err(NotWritten::Io)?;
    if now != expected {
        return Err(NotWritten::Changed);
    }
    write_atomic(&target, new).map_err(|e| match e.kind() {
        std::io::ErrorKind::Interrupted => NotWritten::Interrupted,
        _ => NotWritten::Io(e),
    })
}

/// What [`write_fixes`] did, file by file (each named as `component:path`).
#[derive(Debug, Default)]
pub struct WriteReport {
    pub written: Vec<String>,
    /// Not written: the file and why (an error for the run).
    pub failed: Vec<(String, NotWritten)>,
    /// The exit code of the signal that stopped the writing (130 for SIGINT):
    /// the files after the one being written are in `failed` as `Interrupted`.
    pub interrupted: Option<i32>,
}

/// Writes every file the plan changes (not the abandoned ones), each with
/// [`replace_if_unchanged`]. A signal stops it after the file being written.
pub fn write_fixes(plan: &Plan) -> WriteReport {
    let mut report = WriteReport::default();
    let _phase = interrupt::write_phase();
    // The same file reached twice (a link and its target, with --follow).
    let mut done: std::collections::HashMap<PathBuf, String> = Default::default();
    for f in &plan.files {
        if f.abandoned.is_some() || f.fixed == f.original {
            continue;
        }
        if let Some(code) = interrupt::pending() {
            report.interrupted = Some(code);
            report
                .failed
                .push((f.shown.clone(), NotWritten::Interrupted));
            continue;
        }
        let target = std::fs::canonicalize(&f.path).ok();
        if let Some(first) = target.as_ref().and_then(|t| done.get(t)) {
            report
                .written
                .push(format!("{} (the same file as {first})", f.shown));
            continue;
        }
        match replace_if_unchanged(&f.path, f.original.as_bytes(), f.fixed.as_bytes()) {
            Ok(()) => {
                report.written.push(f.shown.clone());
                if let Some(t) = target {
                    done.insert(t, f.shown.clone());
                }
            }
            Err(e) => report.failed.push((f.shown.clone(), e)),
        }
    }
    if report.interrupted.is_none() {
        report.interrupted = interrupt::pending();
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir_entries(d: &Path) -> usize {
        std::fs::read_dir(d).unwrap().count()
    }

    #[test]
    fn a_failing_writer_leaves_the_original_intact() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.rb");
        std::fs::write(&p, "original\n").unwrap();
        let full_disk = |w: &mut dyn Write| -> std::io::Result<()> {
            w.write_all(b"half of the ")?;
            Err(std::io::Error::other("No space left on device"))
        };
        assert!(write_atomic_with(&p, full_disk).is_err());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "original\n");
        assert_eq!(dir_entries(dir.path()), 1, "the temporary file is gone");
    }

    #[test]
    fn changed_and_read_only_files_are_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.rb");
        std::fs::write(&p, "edited by someone\n").unwrap();
        assert!(matches!(
            replace_if_unchanged(&p, b"as read\n", b"fixed\n"),
            Err(NotWritten::Changed)
        ));
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "edited by someone\n");
        let mut perms = std::fs::metadata(&p).unwrap().permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(&p, perms).unwrap();
        assert!(matches!(
            replace_if_unchanged(&p, b"edited by someone\n", b"fixed\n"),
            Err(NotWritten::ReadOnly)
        ));
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "edited by someone\n");
    }

    #[test]
    fn an_unchanged_file_is_replaced_keeping_its_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.sh");
        std::fs::write(&p, "old\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o750)).unwrap();
        }
        replace_if_unchanged(&p, b"old\n", b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o750
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_and_hard_links_refused() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("real.rb"), "old\n").unwrap();
        std::os::unix::fs::symlink("real.rb", d.join("link.rb")).unwrap();
        assert_eq!(
            destination(&d.join("link.rb")).unwrap(),
            Destination::Atomic(d.join("real.rb"))
        );
        if cfg!(target_os = "linux") {
            assert_eq!(
                destination(Path::new("/dev/stdout")).unwrap(),
                Destination::Through(PathBuf::from("/proc/self/fd/1"))
            );
        }
        replace_if_unchanged(&d.join("link.rb"), b"old\n", b"new\n").unwrap();
        assert!(std::fs::symlink_metadata(d.join("link.rb"))
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(d.join("real.rb")).unwrap(), "new\n");
        std::fs::hard_link(d.join("real.rb"), d.join("twin.rb")).unwrap();
        assert!(matches!(
            replace_if_unchanged(&d.join("real.rb"), b"new\n", b"newer\n"),
            Err(NotWritten::HardLinks(2))
        ));
    }
}
