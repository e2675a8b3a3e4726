//! Human output: rustc-quality diagnostics (miette) for `check`, a table for `list`.

use super::text_keeping_offsets;
use crate::config::Config;
use crate::model::{Finding, Kind, Reference, Severity, Status};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::PathBuf;

/// Lines longer than this are shown without a snippet.
const MAX_SNIPPET_LINE: usize = 2000;

/// Renders findings, grouped per file in path order.
/// `sources` holds the text of the files the findings point into (read once
/// for the fingerprints: see [`crate::baseline::load_sources`]).
pub fn findings(
    findings: &[Finding],
    color: bool,
    sources: &HashMap<PathBuf, Option<String>>,
) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(120)
        .with_links(false);
    let mut out = String::new();
    for f in findings {
        let owned;
        let text: Option<&str> = match sources.get(&f.abs_path) {
            Some(t) => t.as_deref(),
            None => {
                owned = std::fs::read(&f.abs_path)
                    .ok()
                    .map(|b| text_keeping_offsets(&b));
                owned.as_deref()
            }
        };
        let name = if f.component == "registry" || f.component.is_empty() {
            f.path.clone()
        } else {
            format!("{}:{}", f.component, f.path)
        };
        // miette lays out whole lines: a finding on a line thousands of
        // characters long is reported without its snippet.
        let line_fits = text.as_ref().is_some_and(|t| {
            let start = f.span.start_byte.min(t.len());
            let ls = t[..start].rfind('\n').map_or(0, |i| i + 1);
            let le = t[start..].find('\n').map_or(t.len(), |i| start + i);
            le - ls <= MAX_SNIPPET_LINE
        });
        let diag = FindingDiagnostic {
            finding: f,
            source: text
                .as_ref()
                .filter(|_| line_fits)
                .map(|t| NamedSource::new(name.clone(), t.to_string())),
        };
        let mut rendered = String::new();
        let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            handler.render_report(&mut rendered, &diag).is_ok()
        }))
        .unwrap_or(false);
        if !ok {
            rendered = format!("{}: {}: {}\n  help: {}\n", name, f.code, f.message, f.help);
        }
        if !line_fits {
            // No snippet: the file vanished since the scan, or the line is too long.
            rendered.push_str(&format!(
                "  at {}:{}:{}\n",
                name, f.span.line, f.span.column
            ));
        }
        out.push_str(&rendered);
        out.push('\n');
    }
    out
}

struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    source: Option<NamedSource<String>>,
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!(
            "{}({})",
            self.finding.code, self.finding.rule
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let f = self.finding;
        let elsewhere: Vec<String> = f
            .related
            .iter()
            .filter(|r| r.path != f.path)
            .take(5)
            .map(|r| format!("{}:{}:{}", r.path, r.span.line, r.span.column))
            .collect();
        let mut help = f.help.clone();
        if !elsewhere.is_empty() {
            help.push_str(&format!("\nsee also: {}", elsewhere.join(", ")));
            let more = f
                .related
                .iter()
                .filter(|r| r.path != f.path)
                .count()
                .saturating_sub(5);
            if more > 0 {
                help.push_str(&format!(" and {more} more"));
            }
        }
        Some(Box::new(help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let text = self.source.as_ref()?.inner();
        let f = self.finding;
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(f.label.clone()),
            head(text, f.span.start_byte, f.span.end_byte),
        )];
        for r in f.related.iter().filter(|r| r.path == f.path).take(3) {
            labels.push(LabeledSpan::new_with_span(
                Some(r.message.clone()),
                head(text, r.span.start_byte, r.span.end_byte),
            ));
        }
        Some(Box::new(labels.into_iter()))
    }
}

/// The first line of a span: a toggle's head, not its whole block.
fn head(text: &str, start: usize, end: usize) -> (usize, usize) {
    let start = start.min(text.len());
    let end = end.clamp(start, text.len());
    let line_end = text[start..end].find('\n').map_or(end, |i| start + i);
    (start, line_end - start)
}

/// `flaglint list`: one row per flag and component.
pub fn list_table(references: &[Reference], config: &Config) -> String {
    #[derive(Default)]
    struct Row {
        statuses: BTreeSet<Status>,
        toggles: usize,
        stubs: usize,
        env: usize,
        other: usize,
    }
    let mut rows: BTreeMap<(&str, &str), Row> = BTreeMap::new();
    for r in references {
        // One row per feature: aliases join their feature's row.
        let name = r.feature.as_deref().unwrap_or(&r.flag);
        let row = rows.entry((name, &r.component)).or_default();
        if r.status != Status::None {
            row.statuses.insert(r.status);
        }
        match r.kind {
            Kind::Toggle | Kind::Check => row.toggles += 1,
            Kind::TestStub => row.stubs += 1,
            Kind::Env => row.env += 1,
            Kind::Set | Kind::Metadata | Kind::Definition | Kind::Config | Kind::Doc => {
                row.other += 1
            }
        }
    }
    let header = [
        "FLAG",
        "STAGE",
        "STATUSES",
        "COMPONENT",
        "TOGGLES",
        "STUBS",
        "ENV",
        "OTHER",
    ];
    let mut table: Vec<[String; 8]> = vec![header.map(String::from)];
    for ((flag, component), row) in &rows {
        let stage = config
            .feature(flag)
            .map(|f| f.stage.as_str().to_string())
            .unwrap_or_else(|| "-".to_string());
        let statuses: Vec<&str> = row.statuses.iter().map(|s| s.as_str()).collect();
        let statuses = if statuses.is_empty() {
            "-".to_string()
        } else {
            statuses.join(",")
        };
        table.push([
            if flag.is_empty() {
                "(no endpoint)".to_string()
            } else {
                flag.to_string()
            },
            stage,
            statuses,
            component.to_string(),
            row.toggles.to_string(),
            row.stubs.to_string(),
            row.env.to_string(),
            row.other.to_string(),
        ]);
    }
    let mut widths = [0usize; 8];
    for row in &table {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &table {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let pad = widths[i] - cell.chars().count();
            if i >= 4 {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
            if i + 1 < row.len() {
                line.push_str("  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `flaglint endpoints`: one row per endpoint.
pub fn endpoints_table(catalog: &crate::catalog::Catalog) -> String {
    let mut rows: Vec<[String; 5]> =
        vec![["ENDPOINT", "STREAMING", "FLAG", "ENV", "SOURCES"].map(String::from)];
    for e in super::sorted_endpoints(catalog) {
        let flag = crate::catalog::canonical_flag(&e.method);
        rows.push([
            e.name(),
            e.streaming.clone(),
            flag.clone(),
            format!("GITALY_{}", flag.to_ascii_uppercase()),
            e.sources.join(", "),
        ]);
    }
    let mut widths = [0usize; 5];
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = if i + 1 == r.len() { 0 } else { widths[i] }))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    let n = rows.len() - 1;
    out.push_str(&format!(
        "\n{n} endpoint{}\n",
        if n == 1 { "" } else { "s" }
    ));
    out
}
