//! The JSON formats (`--format json`). Versioned: `"version": 1`.

use crate::model::{Finding, Reference};
use crate::scan::Stats;
use serde::Serialize;

/// The JSON format's version.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct ListReport<'a> {
    version: u32,
    references: &'a [Reference],
    summary: Summary<'a>,
}

#[derive(Serialize)]
struct CheckReport<'a> {
    version: u32,
    findings: &'a [Finding],
    summary: Summary<'a>,
}

#[derive(Serialize)]
struct Summary<'a> {
    #[serde(flatten)]
    stats: &'a Stats,
    references: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    warnings: Option<usize>,
    elapsed_ms: u128,
}

/// `flaglint list --format json`.
pub fn list(references: &[Reference], stats: &Stats) -> String {
    let report = ListReport {
        version: VERSION,
        references,
        summary: Summary {
            stats,
            references: references.len(),
            errors: None,
            warnings: None,
            elapsed_ms: stats.elapsed.as_millis(),
        },
    };
    to_string(&report)
}

/// `flaglint check --format json`.
pub fn check(findings: &[Finding], references: usize, stats: &Stats) -> String {
    let (errors, warnings) = super::counts(findings);
    let report = CheckReport {
        version: VERSION,
        findings,
        summary: Summary {
            stats,
            references,
            errors: Some(errors),
            warnings: Some(warnings),
            elapsed_ms: stats.elapsed.as_millis(),
        },
    };
    to_string(&report)
}

fn to_string<T: Serialize>(value: &T) -> String {
    let mut s =
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}
