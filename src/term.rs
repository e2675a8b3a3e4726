//! Standard output and standard error, without panics.
//!
//! `println!`/`eprintln!` panic when the stream is closed (`flaglint … 2>&1 |
//! head`), and a panic hook that prints panics again: flaglint writes through
//! these functions only. A write error on standard error is ignored: it never
//! changes the exit code. On standard output a closed pipe ends the run
//! quietly with [`EXIT_BROKEN_PIPE`]; any other write error (a full disk) is
//! an error (exit 2).

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

/// Exit code after standard output was closed by its reader: 128 + SIGPIPE,
/// what shells report for `grep`/`cat` in the same spot.
pub const EXIT_BROKEN_PIPE: i32 = 141;

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
static QUIET: AtomicBool = AtomicBool::new(false);

/// `--quiet`: notes, summaries and progress are not printed (the report,
/// warnings and errors are).
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether `--quiet` is on.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Writes one line (`args` + newline) to standard error in one write;
/// errors are ignored. Use [`errln!`](crate::errln).
pub fn stderr_line(args: std::fmt::Arguments<'_>) {
    let mut line = std::fmt::format(args);
    line.push('\n');
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(line.as_bytes()).and_then(|_| err.flush());
}

/// A note or summary line on standard error, as [`errln!`](crate::errln),
/// unless `--quiet`.
#[macro_export]
macro_rules! infoln {
    ($($arg:tt)*) => {
        if !$crate::term::quiet() {
            $crate::term::stderr_line(::std::format_args!($($arg)*))
        }
    };
}

/// `eprintln!` that never panics: a closed or failing standard error is ignored.
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::term::stderr_line(::std::format_args!($($arg)*))
    };
}

/// Writes `bytes` to standard output and flushes. A closed pipe is remembered
/// ([`stdout_closed`]) and returned as the `BrokenPipe` error.
pub fn write_stdout(bytes: &[u8]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let r = out.write_all(bytes).and_then(|_| out.flush());
    if let Err(e) = &r {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            STDOUT_CLOSED.store(true, Ordering::SeqCst);
        }
    }
    r
}

/// Whether a write found standard output closed by its reader.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::SeqCst)
}
