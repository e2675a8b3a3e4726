//! The board as a table for a terminal.
//!
//! [`render`] prints one line per feature: its name, its stage, the number of
//! sites per component, a short timeline when there is a history (one
//! character per release, see [`timeline_char`]), and `!` with the finding
//! codes of a highlighted feature. Columns are aligned on character counts.
//! Under the table: the timeline's legend (with releases) and the counts per
//! column.

use super::{BoardData, BoardFeature, Column};

/// Space between two columns.
const GAP: &str = "  ";
/// Bold, for the header line.
const BOLD: &str = "\x1b[1m";
/// Dim, for empty timeline cells.
const DIM: &str = "\x1b[2m";
/// Bold red, for the finding codes.
const ALERT: &str = "\x1b[1;31m";
const RESET: &str = "\x1b[0m";

/// The board as an aligned text table; with `color`, ANSI colours for the
/// stages (and the header, the timeline and the finding codes).
pub fn render(data: &BoardData, color: bool) -> String {
    let paint = Paint(color);
    let components = data.site_columns();
    let timeline = !data.releases.is_empty();

    let mut header = vec![Cell::plain("FEATURE"), Cell::plain("STAGE")];
    header.extend(components.iter().map(|c| Cell::plain(c).right()));
    if timeline {
        header.push(Cell::plain("TIMELINE"));
    }
    header.push(Cell::plain("FINDINGS"));
    for cell in &mut header {
        cell.shown = paint.wrap(BOLD, &cell.plain);
    }

    let mut rows = vec![header];
    rows.extend(
        data.features
            .iter()
            .map(|f| feature_row(f, &components, data.releases.len(), paint)),
    );

    let columns = rows[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|i| rows.iter().map(|r| r[i].width()).max().unwrap_or(0))
        .collect();

    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                line.push_str(GAP);
            }
            let pad = " ".repeat(widths[i] - cell.width());
            if cell.right {
                line.push_str(&pad);
                line.push_str(&cell.shown);
            } else {
                line.push_str(&cell.shown);
                line.push_str(&pad);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }

    out.push('\n');
    if timeline {
        out.push_str(&legend(&data.releases, paint));
        out.push('\n');
    }
    out.push_str(&counts(data, paint));
    out.push('\n');
    out
}

/// One feature's cells.
fn feature_row(
    feature: &BoardFeature,
    components: &[&str],
    releases: usize,
    paint: Paint,
) -> Vec<Cell> {
    let stage = feature.column.title();
    let mut row = vec![
        Cell::plain(&feature.name),
        Cell::painted(stage, paint.wrap(stage_color(feature.column), stage)),
    ];
    for component in components {
        let n = feature
            .sites
            .iter()
            .find(|s| s.component == *component)
            .map_or(0, |s| s.sites.len());
        let text = if n == 0 {
            "-".to_string()
        } else {
            n.to_string()
        };
        row.push(Cell::plain(&text).right());
    }
    if releases > 0 {
        let mut plain = String::with_capacity(releases);
        let mut shown = String::new();
        for i in 0..releases {
            let status = feature.timeline.get(i).copied().flatten();
            let c = timeline_char(status).to_string();
            let code = status.map_or(DIM, stage_color);
            shown.push_str(&paint.wrap(code, &c));
            plain.push_str(&c);
        }
        row.push(Cell::painted(&plain, shown));
    }
    row.push(findings(feature, paint));
    row
}

/// `!FL017 FL016` for a feature with findings (each code once, in order);
/// empty otherwise.
fn findings(feature: &BoardFeature, paint: Paint) -> Cell {
    let mut codes: Vec<&str> = Vec::new();
    for finding in &feature.findings {
        if !codes.contains(&finding.code.as_str()) {
            codes.push(&finding.code);
        }
    }
    if codes.is_empty() {
        return Cell::plain("");
    }
    let text = format!("!{}", codes.join(" "));
    let shown = paint.wrap(ALERT, &text);
    Cell::painted(&text, shown)
}

/// The timeline's character for a status: `.` no reference, `r`
/// Ready-for-Testing, `i` Opt-In, `o` Opt-Out, `M` Mandatory, `x` removed.
pub fn timeline_char(status: Option<Column>) -> char {
    match status {
        None => '.',
        Some(Column::ReadyForTesting) => 'r',
        Some(Column::OptIn) => 'i',
        Some(Column::OptOut) => 'o',
        Some(Column::Mandatory) => 'M',
        Some(Column::Removed) => 'x',
    }
}

/// The ANSI colour of a stage.
fn stage_color(column: Column) -> &'static str {
    match column {
        Column::ReadyForTesting => "\x1b[35m",
        Column::OptIn => "\x1b[34m",
        Column::OptOut => "\x1b[33m",
        Column::Mandatory => "\x1b[32m",
        Column::Removed => "\x1b[90m",
    }
}

/// The legend line of the timeline: which releases, and what each
/// character means.
fn legend(releases: &[String], paint: Paint) -> String {
    let span = match releases {
        [] => String::new(),
        [only] => only.clone(),
        [first, .., last] => format!("{first} to {last}"),
    };
    let mut line = format!("timeline ({span}, one character per release):");
    let entries = std::iter::once(None).chain(Column::ALL.into_iter().map(Some));
    for status in entries {
        let c = timeline_char(status).to_string();
        let (code, name) = match status {
            None => (DIM, "no reference"),
            Some(column) => (stage_color(column), column.title()),
        };
        line.push(' ');
        line.push_str(&paint.wrap(code, &c));
        line.push(' ');
        line.push_str(name);
        if status != Some(Column::Removed) {
            line.push(',');
        }
    }
    line
}

/// The final line: how many features, per column, and how many highlighted.
fn counts(data: &BoardData, paint: Paint) -> String {
    let total = data.features.len();
    let per_column: Vec<String> = Column::ALL
        .iter()
        .map(|&column| {
            let n = data.features.iter().filter(|f| f.column == column).count();
            format!("{} {n}", paint.wrap(stage_color(column), column.title()))
        })
        .collect();
    let highlighted = data
        .features
        .iter()
        .filter(|f| !f.findings.is_empty())
        .count();
    format!(
        "{total} feature{}: {}; {highlighted} highlighted",
        if total == 1 { "" } else { "s" },
        per_column.join(", ")
    )
}

/// Whether to print ANSI colours.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    /// `text` in `code` (and reset after), or `text` as is without colour.
    fn wrap(self, code: &str, text: &str) -> String {
        if self.0 && !text.is_empty() {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

/// One cell: its text (for the width), what is printed (the text, maybe
/// coloured), and its alignment.
struct Cell {
    plain: String,
    shown: String,
    right: bool,
}

impl Cell {
    fn plain(text: &str) -> Cell {
        Cell {
            plain: text.to_string(),
            shown: text.to_string(),
            right: false,
        }
    }

    fn painted(text: &str, shown: String) -> Cell {
        Cell {
            plain: text.to_string(),
            shown,
            right: false,
        }
    }

    /// Aligned right (numbers).
    fn right(mut self) -> Cell {
        self.right = true;
        self
    }

    /// Width in characters.
    fn width(&self) -> usize {
        self.plain.chars().count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board::{BoardFinding, ComponentSites, Site};

    fn sites(component: &str, n: usize) -> ComponentSites {
        ComponentSites {
            component: component.into(),
            sites: (1..=n)
                .map(|line| Site {
                    path: "lib/x.rb".into(),
                    line,
                    kind: "check",
                    link: None,
                })
                .collect(),
        }
    }

    fn finding(code: &str) -> BoardFinding {
        BoardFinding {
            code: code.into(),
            rule: "overdue".into(),
            severity: "error".into(),
            message: "m".into(),
            location: "gitlab-ce:lib/x.rb:1".into(),
        }
    }

    fn feature(name: &str, column: Column) -> BoardFeature {
        BoardFeature {
            name: name.into(),
            endpoint: None,
            column,
            stage_source: "registry",
            sites: vec![],
            findings: vec![],
            timeline: vec![],
        }
    }

    fn data() -> BoardData {
        let mut overdue = feature("find_commit", Column::OptOut);
        overdue.sites = vec![sites("gitlab-ce", 12), sites("gitaly", 3)];
        overdue.findings = vec![finding("FL017"), finding("FL016"), finding("FL017")];
        overdue.timeline = vec![
            Some(Column::OptIn),
            Some(Column::OptOut),
            Some(Column::OptOut),
        ];
        let mut mandatory = feature("list_refs_with_a_long_näme", Column::Mandatory);
        mandatory.sites = vec![sites("gitaly", 1)];
        mandatory.timeline = vec![None, Some(Column::ReadyForTesting), Some(Column::Mandatory)];
        let mut removed = feature("gone", Column::Removed);
        removed.timeline = vec![Some(Column::OptIn), Some(Column::Removed)];
        BoardData {
            title: "flaglint board".into(),
            components: vec!["gitlab-ce".into(), "gitaly".into()],
            releases: vec!["v10.0.0".into(), "v10.1.0".into(), "v11.0.0".into()],
            features: vec![overdue, mandatory, removed],
        }
    }

    #[test]
    fn terminal_table_plain() {
        let expected = "\
FEATURE                     STAGE      gitlab-ce  gitaly  TIMELINE  FINDINGS
find_commit                 Opt-Out           12       3  ioo       !FL017 FL016
list_refs_with_a_long_näme  Mandatory          -       1  .rM
gone                        removed            -       -  ix.

timeline (v10.0.0 to v11.0.0, one character per release): . no reference, r Ready-for-Testing, i Opt-In, o Opt-Out, M Mandatory, x removed
3 features: Ready-for-Testing 0, Opt-In 0, Opt-Out 1, Mandatory 1, removed 1; 1 highlighted
";
        assert_eq!(render(&data(), false), expected);
    }

    #[test]
    fn terminal_table_without_releases() {
        let mut d = data();
        d.releases.clear();
        d.features.truncate(1);
        let expected = "\
FEATURE      STAGE    gitlab-ce  gitaly  FINDINGS
find_commit  Opt-Out         12       3  !FL017 FL016

1 feature: Ready-for-Testing 0, Opt-In 0, Opt-Out 1, Mandatory 0, removed 0; 1 highlighted
";
        assert_eq!(render(&d, false), expected);
    }

    #[test]
    fn terminal_empty_board() {
        let d = BoardData::default();
        let expected = "\
FEATURE  STAGE  FINDINGS

0 features: Ready-for-Testing 0, Opt-In 0, Opt-Out 0, Mandatory 0, removed 0; 0 highlighted
";
        assert_eq!(render(&d, false), expected);
    }

    #[test]
    fn terminal_color_keeps_alignment() {
        let d = data();
        let colored = render(&d, true);
        assert!(colored.contains("\x1b[33mOpt-Out\x1b[0m"));
        assert!(colored.contains("\x1b[32mMandatory\x1b[0m"));
        let stripped = strip_ansi(&colored);
        assert_eq!(stripped, render(&d, false));
        assert!(!render(&d, false).contains('\x1b'));
    }

    /// Removes `ESC [ ... m` sequences.
    fn strip_ansi(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for d in chars.by_ref() {
                    if d == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }
}
