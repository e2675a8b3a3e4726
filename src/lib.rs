//! flaglint: a static analyzer for Gitaly feature flags in the GitLab client repos.
//!
//! The pipeline, one module per stage:
//! [`discover`] files → [`prefilter`] bytes → parse and extract references
//! ([`frontend`], one module per language) → [`resolve`] against the registry
//! ([`config`]) → [`rules`] → [`report`]. [`scan`] runs the first stages in
//! parallel; [`cli`] wires them to the command line.

pub mod baseline;
pub mod catalog;
pub mod changed;
pub mod cleanup;
pub mod cli;
pub mod component;
pub mod config;
pub mod discover;
pub mod frontend;
pub mod fsutil;
pub mod interrupt;
pub mod model;
pub mod prefilter;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod scan;
pub mod suppress;
pub mod term;

/// No finding at or above the failing severity.
pub const EXIT_OK: i32 = 0;
/// Findings at or above the failing severity.
pub const EXIT_FINDINGS: i32 = 1;
/// Usage, configuration or I/O error, or an internal error.
pub const EXIT_ERROR: i32 = 2;
/// Standard output was closed by its reader (`flaglint list | head -1`): 128 + SIGPIPE.
pub const EXIT_BROKEN_PIPE: i32 = term::EXIT_BROKEN_PIPE;
/// Interrupted by SIGINT: 128 + 2.
pub const EXIT_INTERRUPTED: i32 = 130;

/// Runs flaglint with the process's arguments; returns the exit code. A panic
/// is caught and reported as an internal error (exit 2). SIGINT ends the run
/// with 130 (see [`interrupt`]).
pub fn main_with_args() -> i32 {
    use clap::Parser;
    interrupt::install();
    let cli = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let printed = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    match printed {
                        Ok(()) => EXIT_OK,
                        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_BROKEN_PIPE,
                        Err(e) => {
                            errln!("error: cannot write to standard output: {e}");
                            EXIT_ERROR
                        }
                    }
                }
                _ => EXIT_ERROR,
            };
        }
    };
    std::panic::set_hook(Box::new(|info| {
        let file = scan::current_file();
        errln!(
            "internal error: flaglint panicked{}: {info}\nThis is a bug: please report it with the file that triggered it.",
            file.map(|f| format!(" while processing {f}")).unwrap_or_default()
        );
    }));
    std::panic::catch_unwind(|| cli::run(cli)).unwrap_or(EXIT_ERROR)
}
