//! Human output: rustc-quality diagnostics (miette) for `check`, a table for `list`.

use super::{shown_path, text_keeping_offsets};
use crate::config::Config;
use crate::model::{Finding, Kind, Location, Reference, Related, Severity, Status};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::PathBuf;

/// Lines longer than this are shown without a snippet.
const MAX_SNIPPET_LINE: usize = 2000;

/// How many related locations of the finding's own file get a snippet.
const RELATED_SNIPPETS: usize = 3;
/// How many other related locations are listed under "see also".
const SEE_ALSO: usize = 5;

/// Each finding's file as a clickable `path` relative to the working
/// directory, prefixed with its component only where two components share
/// that path (the same tree scanned under two names).
fn names(findings: &[Finding]) -> impl Fn(&str, &std::path::Path) -> String {
    let mut owners: HashMap<String, BTreeSet<String>> = HashMap::new();
    for f in findings {
        owners
            .entry(shown_path(&f.location.abs_path))
            .or_default()
            .insert(f.location.component.clone());
        for r in &f.related {
            owners
                .entry(shown_path(&r.location.abs_path))
                .or_default()
                .insert(r.location.component.clone());
        }
    }
    move |component: &str, abs: &std::path::Path| {
        let shown = shown_path(abs);
        if owners.get(&shown).is_some_and(|c| c.len() > 1) {
            format!("{component}:{shown}")
        } else {
            shown
        }
    }
}

/// The order of the human report: errors before warnings, then by file
/// (as shown), line and column.
fn report_order(findings: &[Finding]) -> Vec<&Finding> {
    let mut v: Vec<(&Finding, String)> = findings
        .iter()
        .map(|f| (f, shown_path(&f.location.abs_path)))
        .collect();
    type Key<'a> = (
        std::cmp::Reverse<Severity>,
        &'a str,
        usize,
        usize,
        crate::rules::RuleCode,
        &'a str,
    );
    fn key<'a>((f, shown): &'a (&Finding, String)) -> Key<'a> {
        let span = &f.location.span;
        let severity = std::cmp::Reverse(f.severity);
        (severity, shown, span.line, span.column, f.code, &f.flag)
    }
    v.sort_by(|a, b| key(a).cmp(&key(b)));
    v.into_iter().map(|(f, _)| f).collect()
}

/// Renders findings: errors first, then warnings, each group in file order;
/// each finding's snippet shows its own line, and each related location of
/// the same file gets a short snippet of its own.
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
    let name_of = names(findings);
    let mut out = String::new();
    for f in report_order(findings) {
        let owned;
        let text: Option<&str> = match sources.get(&f.location.abs_path) {
            Some(t) => t.as_deref(),
            None => {
                owned = std::fs::read(&f.location.abs_path)
                    .ok()
                    .map(|b| text_keeping_offsets(&b));
                owned.as_deref()
            }
        };
        out.push_str(&finding(&handler, f, text, &name_of));
        out.push('\n');
    }
    out
}

/// One finding of the human report: its diagnostic with a snippet (when the
/// file's `text` is there and the line is not too long), the snippets of its
/// related locations in the same file, and the others as `see also` lines.
fn finding(
    handler: &GraphicalReportHandler,
    f: &Finding,
    text: Option<&str>,
    name_of: &impl Fn(&str, &std::path::Path) -> String,
) -> String {
    let name = name_of(&f.location.component, &f.location.abs_path);
    // miette lays out whole lines: a finding on a line thousands of
    // characters long is reported without its snippet.
    let fits = |byte: usize| {
        text.as_ref().is_some_and(|t| {
            let start = byte.min(t.len());
            let ls = t[..start].rfind('\n').map_or(0, |i| i + 1);
            let le = t[start..].find('\n').map_or(t.len(), |i| start + i);
            le - ls <= MAX_SNIPPET_LINE
        })
    };
    let line_fits = fits(f.location.span.start_byte);
    let (here, elsewhere): (Vec<&Related>, Vec<&Related>) = f.related.iter().partition(|r| {
        r.location.abs_path == f.location.abs_path && fits(r.location.span.start_byte)
    });
    let (snippets, more) = if line_fits {
        here.split_at(here.len().min(RELATED_SNIPPETS))
    } else {
        here.split_at(0)
    };
    let see_also: Vec<String> = more
        .iter()
        .chain(elsewhere.iter())
        .map(|r| {
            format!(
                "{}:{}:{}",
                name_of(&r.location.component, &r.location.abs_path),
                r.location.span.line,
                r.location.span.column
            )
        })
        .collect();
    let diag = FindingDiagnostic {
        finding: f,
        source: text
            .filter(|_| line_fits)
            .map(|t| Window::new(&name, t, f.location.span.start_byte, f.location.span.line)),
        see_also,
    };
    let mut rendered = render(handler, &diag, snippets, text.unwrap_or_default())
        .unwrap_or_else(|| format!("{}: {}: {}\n  help: {}\n", name, f.code, f.message, f.help));
    if !line_fits {
        // No snippet: the file vanished since the scan, or the line is too long.
        rendered.push_str(&format!(
            "  at {}:{}:{}\n",
            name, f.location.span.line, f.location.span.column
        ));
    }
    // One location a line, never wrapped: terminals and editors open them.
    for l in diag.see_also.iter().take(SEE_ALSO) {
        rendered.push_str(&format!("  see also: {l}\n"));
    }
    if diag.see_also.len() > SEE_ALSO {
        rendered.push_str(&format!(
            "  see also: {} more\n",
            diag.see_also.len() - SEE_ALSO
        ));
    }
    rendered
}

/// miette's rendering of a finding's diagnostic, then of each related
/// location's snippet in the same file (`text`); `None` if miette fails (or
/// panics).
fn render(
    handler: &GraphicalReportHandler,
    diag: &FindingDiagnostic,
    snippets: &[&Related],
    text: &str,
) -> Option<String> {
    let mut rendered = String::new();
    let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        handler.render_report(&mut rendered, diag).is_ok()
            && diag.source.as_ref().is_none_or(|source| {
                // Each related location of the file: a short snippet of its own.
                snippets.iter().all(|r| {
                    rendered.push('\n');
                    let source = &Window::new(
                        &source.name,
                        text,
                        r.location.span.start_byte,
                        r.location.span.line,
                    );
                    handler
                        .render_report(&mut rendered, &RelatedDiagnostic { related: r, source })
                        .is_ok()
                })
            })
    }))
    .unwrap_or(false);
    ok.then_some(rendered)
}

/// The per-rule summary that ends the human report: one line per rule, in
/// report order (errors first), e.g. `FL002 mandatory-leftover  6 errors`.
pub fn rule_summary(findings: &[Finding]) -> String {
    let rows = super::statistics(findings);
    let code_w = rows.iter().map(|r| r.code.len()).max().unwrap_or(0);
    let name_w = rows.iter().map(|r| r.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for r in &rows {
        let what = match (r.severity, r.count) {
            (Severity::Error, 1) => "error",
            (Severity::Error, _) => "errors",
            (Severity::Warning, 1) => "warning",
            (Severity::Warning, _) => "warnings",
        };
        out.push_str(&format!(
            "{:<code_w$} {:<name_w$}  {:>3} {what}\n",
            r.code, r.name, r.count
        ));
    }
    out
}

/// `check --statistics`: a table of the findings per rule.
pub fn statistics_table(findings: &[Finding]) -> String {
    let rows = super::statistics(findings);
    let mut table: Vec<[String; 4]> = vec![["CODE", "NAME", "SEVERITY", "COUNT"].map(String::from)];
    for r in &rows {
        table.push([
            r.code.to_string(),
            r.name.to_string(),
            r.severity.as_str().to_string(),
            r.count.to_string(),
        ]);
    }
    aligned(&table, 3)
}

/// A table with columns two spaces apart, each as wide as its widest cell:
/// those before `right_from` left-aligned, the others right-aligned; no line
/// ends with spaces.
fn aligned<const N: usize>(rows: &[[String; N]], right_from: usize) -> String {
    let mut widths = [0usize; N];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (cell, w))| {
                if i < right_from {
                    format!("{cell:<w$}")
                } else {
                    format!("{cell:>w$}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    source: Option<Window<'a>>,
    /// The related locations without a snippet, as `path:line:col`.
    see_also: Vec<String>,
}

/// `Debug`, `Display` and `Error` for a diagnostic: its message (miette
/// prints it as the header).
macro_rules! shown_as_message {
    ($ty:ident, $($field:ident).+) => {
        impl fmt::Debug for $ty<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.$($field).+)
            }
        }

        impl fmt::Display for $ty<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.$($field).+)
            }
        }

        impl std::error::Error for $ty<'_> {}
    };
}

shown_as_message!(FindingDiagnostic, finding.message);

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
        Some(Box::new(&self.finding.help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let f = self.finding;
        let source = self.source.as_ref()?;
        Some(source.primary(Some(f.label.clone()), &f.location))
    }
}

/// A related location, shown as a snippet of its own (in the finding's file).
struct RelatedDiagnostic<'a> {
    related: &'a Related,
    source: &'a Window<'a>,
}

shown_as_message!(RelatedDiagnostic, related.message);

impl Diagnostic for RelatedDiagnostic<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(self.source.primary(None, &self.related.location))
    }
}

/// The few lines of a file around one location, for miette: it scans its
/// source from the start for every snippet, so a whole file per finding
/// would cost the file's size times the findings in it.
struct Window<'a> {
    name: String,
    /// The lines shown: [`CONTEXT`] before the location's line, its line and
    /// [`CONTEXT`] after it.
    text: &'a str,
    /// Where `text` starts in the file (bytes), and its line (0-based).
    offset: usize,
    first_line: usize,
}

/// Lines of context around a snippet's line (miette's default).
const CONTEXT: usize = 1;

impl<'a> Window<'a> {
    /// The window around the byte `at`, which is on the 1-based `line`.
    fn new(name: &str, text: &'a str, at: usize, line: usize) -> Window<'a> {
        let at = floor_char(text, at.min(text.len()));
        let mut start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let mut first_line = line.saturating_sub(1);
        for _ in 0..CONTEXT {
            if start == 0 {
                break;
            }
            start = text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
            first_line = first_line.saturating_sub(1);
        }
        let mut end = at;
        for _ in 0..=CONTEXT {
            match text[end..].find('\n') {
                Some(i) => end += i + 1,
                None => {
                    end = text.len();
                    break;
                }
            }
        }
        Window {
            name: name.to_string(),
            text: &text[start..end],
            offset: start,
            first_line,
        }
    }

    /// The only label of a snippet: the first line of `location`'s span.
    fn primary(
        &self,
        label: Option<String>,
        location: &Location,
    ) -> Box<dyn Iterator<Item = LabeledSpan>> {
        let span = self.head(location.span.start_byte, location.span.end_byte);
        Box::new(std::iter::once(LabeledSpan::new_primary_with_span(
            label, span,
        )))
    }

    /// The first line of a span of the file, in the window: a toggle's head,
    /// not its whole block.
    fn head(&self, start: usize, end: usize) -> (usize, usize) {
        let start = start.saturating_sub(self.offset).min(self.text.len());
        let end = end
            .saturating_sub(self.offset)
            .clamp(start, self.text.len());
        let line_end = self.text[start..end].find('\n').map_or(end, |i| start + i);
        (start, line_end - start)
    }
}

/// The largest char boundary of `text` at or before `i`.
fn floor_char(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl SourceCode for Window<'_> {
    fn read_span<'b>(
        &'b self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'b> + 'b>, miette::MietteError> {
        let c = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            c.data(),
            *c.span(),
            c.line() + self.first_line,
            c.column(),
            c.line_count(),
        )))
    }
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
        let name = r.feature_name();
        let row = rows.entry((name, &r.location.component)).or_default();
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
    aligned(&table, 4)
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
    let mut out = aligned(&rows, rows[0].len());
    let n = rows.len() - 1;
    out.push_str(&format!(
        "\n{n} endpoint{}\n",
        if n == 1 { "" } else { "s" }
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::aligned;

    #[test]
    fn tables_align_left_then_right_without_trailing_spaces() {
        let rows = [
            ["A", "LONG", "N"].map(String::from),
            ["bb", "x", "10"].map(String::from),
            ["c", "", "7"].map(String::from),
        ];
        assert_eq!(
            aligned(&rows, 2),
            "A   LONG   N\nbb  x     10\nc          7\n"
        );
        assert_eq!(
            aligned(&rows, 3),
            "A   LONG  N\nbb  x     10\nc         7\n"
        );
        let wide = [["é", "x"].map(String::from), ["ab", "y"].map(String::from)];
        assert_eq!(aligned(&wide, 2), "é   x\nab  y\n");
    }
}
