//! flaglint: a static analyzer for Gitaly feature flags in the GitLab client repos.
//!
//! The pipeline, one module per stage:
//! [`discover`] files → [`prefilter`] bytes → parse and extract references
//! ([`frontend`], one module per language) → [`resolve`] against the registry
//! ([`config`]) → [`rules`] → [`report`]. [`scan`] runs the first stages in
//! parallel; [`engine`] runs a whole check or fix on them, as a library;
//! [`cli`] wires the engine to the command line.

pub mod baseline;
pub mod catalog;
pub mod changed;
pub mod cleanup;
pub mod cli;
pub mod component;
pub mod config;
pub mod discover;
pub mod engine;
pub mod frontend;
pub mod fsutil;
pub mod interrupt;
pub mod model;
pub mod naming;
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
