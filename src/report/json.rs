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

/// `flaglint check --statistics --format json`: the findings per rule.
pub fn statistics(findings: &[Finding]) -> String {
    #[derive(Serialize)]
    struct Report {
        version: u32,
        rules: Vec<super::RuleCount>,
        errors: usize,
        warnings: usize,
    }
    let (errors, warnings) = super::counts(findings);
    to_string(&Report {
        version: VERSION,
        rules: super::statistics(findings),
        errors,
        warnings,
    })
}

fn to_string<T: Serialize>(value: &T) -> String {
    let mut s =
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}

#[derive(Serialize)]
struct EndpointRow<'a> {
    name: String,
    service: &'a str,
    method: &'a str,
    streaming: &'a str,
    flag: String,
    env: String,
    sources: &'a [String],
}

/// `flaglint endpoints --format json`.
pub fn endpoints(catalog: &crate::catalog::Catalog) -> String {
    #[derive(Serialize)]
    struct Report<'a> {
        version: u32,
        endpoints: Vec<EndpointRow<'a>>,
    }
    let rows = super::sorted_endpoints(catalog)
        .into_iter()
        .map(|e| {
            let flag = crate::catalog::canonical_flag(&e.method);
            EndpointRow {
                name: e.name(),
                service: &e.service,
                method: &e.method,
                streaming: &e.streaming,
                env: format!("GITALY_{}", flag.to_ascii_uppercase()),
                flag,
                sources: &e.sources,
            }
        })
        .collect();
    to_string(&Report {
        version: VERSION,
        endpoints: rows,
    })
}
