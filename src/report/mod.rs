//! Stage 7: reports. Human (miette diagnostics and tables) and JSON.

pub mod ci;
pub mod human;
pub mod json;

use crate::model::{Finding, Severity};
use crate::scan::Stats;

/// Counts of findings by severity.
pub fn counts(findings: &[Finding]) -> (usize, usize) {
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    (errors, findings.len() - errors)
}

/// The one-line summary that ends human output.
pub fn summary_line(stats: &Stats, references: usize, findings: Option<&[Finding]>) -> String {
    let mut s = format!(
        "{} files walked, {} read, {} parsed; {} reference{}",
        stats.files_walked,
        stats.files_read,
        stats.files_parsed,
        references,
        if references == 1 { "" } else { "s" }
    );
    if let Some(f) = findings {
        let (e, w) = counts(f);
        s.push_str(&format!(
            "; {e} error{}, {w} warning{}",
            if e == 1 { "" } else { "s" },
            if w == 1 { "" } else { "s" }
        ));
    }
    s.push_str(&format!(" in {:.2}s", stats.elapsed.as_secs_f64()));
    s
}

/// File bytes as text with the same byte offsets: each invalid UTF-8 byte
/// becomes `?`, so spans computed on the bytes stay right.
pub fn text_keeping_offsets(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for _ in chunk.invalid() {
            out.push('?');
        }
    }
    out
}

/// The catalog's endpoints by service and method.
pub fn sorted_endpoints(catalog: &crate::catalog::Catalog) -> Vec<&crate::catalog::Endpoint> {
    let mut v: Vec<_> = catalog.endpoints().iter().collect();
    v.sort_by(|a, b| (&a.service, &a.method).cmp(&(&b.service, &b.method)));
    v
}
