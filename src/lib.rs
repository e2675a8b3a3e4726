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
pub mod model;
pub mod prefilter;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod scan;
pub mod suppress;

/// No finding at or above the failing severity.
pub const EXIT_OK: i32 = 0;
/// Findings at or above the failing severity.
pub const EXIT_FINDINGS: i32 = 1;
/// Usage, configuration or I/O error, or an internal error.
pub const EXIT_ERROR: i32 = 2;

/// Runs flaglint with the process's arguments; returns the exit code. A panic
/// is caught and reported as an internal error (exit 2).
pub fn main_with_args() -> i32 {
    use clap::Parser;
    let cli = match cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    EXIT_OK
                }
                _ => EXIT_ERROR,
            };
        }
    };
    std::panic::set_hook(Box::new(|info| {
        let file = scan::current_file();
        eprintln!(
            "internal error: flaglint panicked{}: {info}\nThis is a bug: please report it with the file that triggered it.",
            file.map(|f| format!(" while processing {f}")).unwrap_or_default()
        );
    }));
    std::panic::catch_unwind(|| cli::run(cli)).unwrap_or(EXIT_ERROR)
}
