//! `flaglint history`'s reports: a table per component (human), JSON and CSV.

use crate::history::{ComponentHistory, History, Phase, State};
use serde::Serialize;

/// One letter per status in the human table.
pub fn letter(status: Option<Phase>) -> char {
    match status {
        Some(Phase::Disabled) => 'd',
        Some(Phase::OptIn) => 'i',
        Some(Phase::OptOut) => 'o',
        Some(Phase::Mandatory) => 'M',
        None => '?',
    }
}

/// The legend under the human table.
pub const LEGEND: &str = "d disabled, i opt-in, o opt-out, M mandatory, ? sites without a status, \
. no reference; the number is the sites, * their statuses disagree (the least advanced is shown)";

/// A cell: `o12`, `i*3`, `.`.
fn cell(state: Option<&State>) -> String {
    match state {
        None => ".".to_string(),
        Some(s) => format!(
            "{}{}{}",
            letter(s.status),
            if s.mixed() { "*" } else { "" },
            s.sites
        ),
    }
}

/// The human report: per component, one row per feature and one column per
/// revision, then the overdue runs.
pub fn human(history: &History) -> String {
    let mut out = String::new();
    for (i, c) in history.components.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        component_table(c, &mut out);
    }
    if !history.components.is_empty() {
        out.push('\n');
        out.push_str(LEGEND);
        out.push('\n');
    }
    out
}

fn component_table(c: &ComponentHistory, out: &mut String) {
    let revs = &c.revisions;
    let span = match (revs.first(), revs.last()) {
        (Some(a), Some(b)) if revs.len() > 1 => format!("{} … {}", a.name, b.name),
        (Some(a), _) => a.name.clone(),
        _ => String::new(),
    };
    out.push_str(&format!(
        "{}: {} revision{} ({span}), {} feature{}\n",
        c.component,
        revs.len(),
        if revs.len() == 1 { "" } else { "s" },
        c.features.len(),
        if c.features.len() == 1 { "" } else { "s" },
    ));
    if c.features.is_empty() {
        return;
    }
    let heads: Vec<String> = revs
        .iter()
        .map(|r| r.release.clone().unwrap_or_else(|| short_name(&r.name)))
        .collect();
    let cells: Vec<Vec<String>> = c
        .features
        .iter()
        .map(|f| f.releases.iter().map(|s| cell(s.as_ref())).collect())
        .collect();
    let widths: Vec<usize> = (0..revs.len())
        .map(|j| {
            cells
                .iter()
                .map(|row| row[j].chars().count())
                .chain([heads[j].chars().count()])
                .max()
                .unwrap_or(1)
        })
        .collect();
    let name_w = c
        .features
        .iter()
        .map(|f| f.feature.chars().count())
        .chain(["feature".len()])
        .max()
        .unwrap_or(7);
    let rev_w = |get: &dyn Fn(&crate::history::FeatureHistory) -> String, title: &str| {
        c.features
            .iter()
            .map(|f| get(f).chars().count())
            .chain([title.len()])
            .max()
            .unwrap_or(title.len())
    };
    let appeared_w = rev_w(&|f| f.appeared.clone(), "appeared");
    let removed_w = rev_w(
        &|f| f.removed.clone().unwrap_or_else(|| "-".into()),
        "removed",
    );
    let mut line = format!(
        "  {:name_w$}  {:appeared_w$}  {:removed_w$}",
        "feature", "appeared", "removed"
    );
    for (h, w) in heads.iter().zip(&widths) {
        line.push_str(&format!("  {h:>w$}"));
    }
    out.push_str(line.trim_end());
    out.push('\n');
    for (f, row) in c.features.iter().zip(&cells) {
        let mut line = format!(
            "  {:name_w$}  {:appeared_w$}  {:removed_w$}",
            f.feature,
            f.appeared,
            f.removed.as_deref().unwrap_or("-")
        );
        for (v, w) in row.iter().zip(&widths) {
            line.push_str(&format!("  {v:>w$}"));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    for (stage, title) in [
        (
            Phase::OptOut,
            "due for Mandatory: Opt-Out for more releases than the process allows",
        ),
        (
            Phase::OptIn,
            "stale: Opt-In for more releases than the process allows",
        ),
    ] {
        let lines: Vec<String> = c
            .features
            .iter()
            .flat_map(|f| {
                f.overdue
                    .iter()
                    .filter(|o| o.stage == stage)
                    .map(move |o| overdue_line(f, o, revs))
            })
            .collect();
        if lines.is_empty() {
            continue;
        }
        out.push_str(&format!("{} {title} ({}):\n", c.component, lines.len()));
        for l in lines {
            out.push_str(&l);
            out.push('\n');
        }
    }
}

/// `  x: 4 releases, v10.6.0 … v11.0.0, due from v10.7.0; removed in v11.1.0`.
fn overdue_line(
    f: &crate::history::FeatureHistory,
    o: &crate::history::Overdue,
    revs: &[crate::history::Revision],
) -> String {
    let what = if o.stage == Phase::OptOut {
        "due"
    } else {
        "stale"
    };
    let next = revs.iter().position(|r| r.name == o.until).map(|i| i + 1);
    let after = match next.and_then(|i| Some((revs.get(i)?, f.releases.get(i)?))) {
        None => "; still there".to_string(),
        Some((r, None)) => format!("; removed in {}", r.name),
        Some((r, Some(s))) => match s.status {
            Some(p) => format!("; {} in {}", p.stage_title(), r.name),
            None => format!("; without a status in {}", r.name),
        },
    };
    format!(
        "  {}: {} releases, {} … {}, {what} from {}{after}",
        f.feature, o.releases, o.since, o.until, o.due
    )
}

/// A revision's column heading when it is no release: its name, shortened.
fn short_name(name: &str) -> String {
    if name.len() == 40 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
        name[..8].to_string()
    } else {
        name.to_string()
    }
}

/// The summary line.
pub fn summary_line(history: &History) -> String {
    let s = &history.stats;
    let features: usize = history.components.iter().map(|c| c.features.len()).sum();
    format!(
        "flaglint history: {} revisions, {} files, {} distinct blobs read, {} parsed, {} features in {:.2}s",
        s.revisions,
        s.files,
        s.blobs,
        s.parsed,
        features,
        s.elapsed.as_secs_f64()
    )
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    components: &'a [ComponentHistory],
    summary: JsonSummary,
}

#[derive(Serialize)]
struct JsonSummary {
    revisions: usize,
    files: usize,
    blobs: usize,
    parsed: usize,
    elapsed_ms: u128,
}

/// `--format json`.
pub fn json(history: &History) -> String {
    let s = &history.stats;
    let report = JsonReport {
        version: super::json::VERSION,
        components: &history.components,
        summary: JsonSummary {
            revisions: s.revisions,
            files: s.files,
            blobs: s.blobs,
            parsed: s.parsed,
            elapsed_ms: s.elapsed.as_millis(),
        },
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}

/// `--format csv`: one row per component, feature and revision.
pub fn csv(history: &History) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "component",
        "feature",
        "revision",
        "release",
        "date",
        "status",
        "sites",
        "statuses",
        "appeared",
        "removed",
    ]);
    for c in &history.components {
        for f in &c.features {
            for (r, s) in c.revisions.iter().zip(&f.releases) {
                let status = s
                    .as_ref()
                    .map(|s| s.status.map(Phase::as_str).unwrap_or("unknown"))
                    .unwrap_or("");
                let sites = s.as_ref().map(|s| s.sites).unwrap_or(0).to_string();
                let statuses = s
                    .as_ref()
                    .map(|s| {
                        s.statuses
                            .iter()
                            .map(|(p, n)| format!("{}={n}", p.as_str()))
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_default();
                let _ = w.write_record([
                    c.component.as_str(),
                    f.feature.as_str(),
                    r.name.as_str(),
                    r.release.as_deref().unwrap_or(""),
                    r.date.as_str(),
                    status,
                    sites.as_str(),
                    statuses.as_str(),
                    f.appeared.as_str(),
                    f.removed.as_deref().unwrap_or(""),
                ]);
            }
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
