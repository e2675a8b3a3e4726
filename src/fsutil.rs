//! Writing files the user owns: atomically (temp file + rename, mode kept),
//! and, for the fix, only files unchanged since they were read and not
//! read-only. Whatever fails, the original is intact: a failed write only ever
//! touches the temporary file, which is removed.

use std::io::Write;
use std::path::Path;

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
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    fill(&mut tmp)?;
    tmp.flush()?;
    tmp.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Why the fix did not write a file.
#[derive(Debug)]
pub enum NotWritten {
    /// The file changed since it was read.
    Changed,
    /// The file is read-only: its owner did not want it changed.
    ReadOnly,
    Io(std::io::Error),
}

impl std::fmt::Display for NotWritten {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotWritten::Changed => f.write_str("changed since it was read; not written"),
            NotWritten::ReadOnly => f.write_str("read-only; not written"),
            NotWritten::Io(e) => write!(f, "not written: {e}"),
        }
    }
}

/// Replaces the content of `path` with `new` if it still is `expected`.
pub fn replace_if_unchanged(path: &Path, expected: &[u8], new: &[u8]) -> Result<(), NotWritten> {
    let meta = std::fs::metadata(path).map_err(NotWritten::Io)?;
    if meta.permissions().readonly() {
        return Err(NotWritten::ReadOnly);
    }
    let now = std::fs::read(path).map_err(NotWritten::Io)?;
    if now != expected {
        return Err(NotWritten::Changed);
    }
    write_atomic(path, new).map_err(NotWritten::Io)
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
}
