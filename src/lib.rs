//! flaglint: a static analyzer for Gitaly feature flags in the GitLab client repos and in Gitaly.
//!
//! The module tree is the pipeline, one module per stage, in order:
//!
//! 1. [`discover`] the files of each [`component`] (the one walker);
//! 2. [`prefilter`] their bytes: only a file that can hold a reference is parsed;
//! 3. [`frontend`]: parse and extract references, one module per language
//!    behind the [`frontend::Frontend`] trait;
//! 4. [`resolve`] the cross-file work the frontends defer, against the endpoint
//!    [`catalog`] and the registry and settings of [`config`];
//! 5. [`rules`], one module per rule, with the naming policy of [`naming`];
//!    inline suppressions ([`suppress`]), baselines ([`baseline`]) and
//!    `--changed-since` ([`changed`]) filter their findings;
//! 6. [`report`]: human, JSON and the CI formats.
//!
//! [`scan`] runs stages 1 to 4 in parallel and keeps the output order
//! deterministic; [`engine`] is the library's entry point for a whole run
//! (settings, scan, check, the Mandatory stage's fix and checklist in
//! [`cleanup`]), printing nothing; [`cli`] parses the command line, calls the
//! engine and prints its results. [`model`] holds the data every stage shares.

pub mod baseline;
pub mod board;
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
pub mod gates;
pub mod history;
pub mod interrupt;
pub mod model;
pub mod naming;
pub mod prefilter;
pub mod promote;
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
