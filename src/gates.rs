//! What the stage gates (FL016) look at: the runbooks, the Prometheus alert
//! rules and the dashboards of the components `[gates]` names, read once per
//! `check`.
//!
//! - runbooks: every Markdown file (`*.md`, `*.markdown`) of a runbook component;
//! - alerts: every YAML file of an alert component that parses (serde_yaml) as
//!   Prometheus rule groups (`groups: [{rules: [{alert, expr, labels, annotations}]}]`);
//! - dashboards: Grafana JSON (serde_json: every panel and row, nested, with its
//!   title and its targets' queries) and jsonnet/libsonnet sources (text: each
//!   line is scanned).

use crate::component::Component;
use crate::config::Gates;
use crate::discover::WalkOptions;
use crate::frontend::SourceMap;
use crate::model::Span;
use std::path::PathBuf;

/// A file of a gate component, for its location.
#[derive(Debug, Clone)]
pub struct Source {
    pub component: String,
    /// Relative to the component's root, `/`-separated.
    pub path: String,
    pub abs_path: PathBuf,
}

/// A runbook.
#[derive(Debug, Clone)]
pub struct Runbook {
    pub source: Source,
    pub text: String,
}

/// One alert rule.
#[derive(Debug, Clone)]
pub struct Alert {
    pub source: Source,
    /// Its `alert:` line.
    pub span: Span,
    pub name: String,
    /// `expr`, the labels and the annotations, as text.
    pub text: String,
    /// An annotation links a runbook (`runbook_url`, or a value naming a runbook).
    pub links_runbook: bool,
}

/// One dashboard panel or row (or, for jsonnet, one line).
#[derive(Debug, Clone)]
pub struct Panel {
    pub source: Source,
    /// Its title's line (a jsonnet line).
    pub span: Span,
    /// Its title and queries.
    pub text: String,
}

/// Everything the gates look at.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    pub runbooks: Vec<Runbook>,
    pub alerts: Vec<Alert>,
    pub dashboards: Vec<Panel>,
    /// `[gates]` components that are not scanned in this run.
    pub missing_components: Vec<String>,
    /// Files that could not be read or parsed (`component:path: why`).
    pub warnings: Vec<String>,
}

/// Reads the gate components of `gates` among `components`, walked as the
/// scan walks (`walk`).
pub fn collect(gates: &Gates, components: &[Component], walk: &WalkOptions) -> Evidence {
    let mut out = Evidence::default();
    let find = |name: &String, out: &mut Evidence| {
        let c = components.iter().enumerate().find(|(_, c)| &c.name == name);
        if c.is_none() && !out.missing_components.contains(name) {
            out.missing_components.push(name.clone());
        }
        c
    };
    for name in &gates.runbooks {
        let Some(c) = find(name, &mut out) else {
            continue;
        };
        for (source, text) in files(c, walk, &["md", "markdown"], &mut out.warnings) {
            out.runbooks.push(Runbook { source, text });
        }
    }
    for name in &gates.alerts {
        let Some(c) = find(name, &mut out) else {
            continue;
        };
        for (source, text) in files(c, walk, &["yml", "yaml"], &mut out.warnings) {
            alerts(&source, &text, &mut out.alerts);
        }
    }
    for name in &gates.dashboards {
        let Some(c) = find(name, &mut out) else {
            continue;
        };
        for (source, text) in files(
            c,
            walk,
            &["json", "jsonnet", "libsonnet"],
            &mut out.warnings,
        ) {
            if source.path.ends_with(".json") {
                match serde_json::from_str::<serde_json::Value>(&text) {
                    Ok(v) => panels(&source, &text, &v, &mut out.dashboards),
                    Err(e) => out.warnings.push(format!(
                        "{}:{}: not a JSON dashboard: {e}",
                        source.component, source.path
                    )),
                }
            } else {
                let map = SourceMap::new(text.as_bytes());
                for (i, line) in text.lines().enumerate() {
                    out.dashboards.push(Panel {
                        source: source.clone(),
                        span: map.line_span(i + 1),
                        text: line.to_string(),
                    });
                }
            }
        }
    }
    out
}

/// The files of component `(index, c)` with one of `extensions`, in path
/// order, walked by [`crate::discover::walk`] (excludes and ignore files as
/// in the scan).
fn files(
    (index, c): (usize, &Component),
    walk: &WalkOptions,
    extensions: &[&str],
    warnings: &mut Vec<String>,
) -> Vec<(Source, String)> {
    let select = |name: &str| crate::discover::Wanted {
        read: name
            .rsplit_once('.')
            .is_some_and(|(_, e)| extensions.contains(&e)),
        catalog_source: false,
    };
    let mut found = match crate::discover::walk(&c.root, index, walk, None, &select) {
        Ok(d) => d,
        Err(e) => {
            warnings.push(format!("{}: {e}", c.name));
            return Vec::new();
        }
    };
    found.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    let mut out = Vec::new();
    for f in found.files.into_iter().filter(|f| f.read) {
        match std::fs::read_to_string(&f.path) {
            Ok(text) => out.push((
                Source {
                    component: c.name.clone(),
                    path: f.rel,
                    abs_path: f.path,
                },
                text,
            )),
            Err(e) => warnings.push(format!("{}:{}: cannot read: {e}", c.name, f.rel)),
        }
    }
    out
}

/// A YAML value as text (keys and values, for a substring search).
fn yaml_text(v: &serde_yaml::Value, out: &mut String) {
    match v {
        serde_yaml::Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        serde_yaml::Value::Mapping(m) => {
            for (k, v) in m {
                yaml_text(k, out);
                yaml_text(v, out);
            }
        }
        serde_yaml::Value::Sequence(s) => s.iter().for_each(|v| yaml_text(v, out)),
        serde_yaml::Value::Tagged(t) => yaml_text(&t.value, out),
        serde_yaml::Value::Number(n) => out.push_str(&format!("{n}\n")),
        serde_yaml::Value::Bool(_) | serde_yaml::Value::Null => {}
    }
}

/// The alert rules of a Prometheus rules file (nothing if it is not one).
fn alerts(source: &Source, text: &str, out: &mut Vec<Alert>) {
    let map = SourceMap::new(text.as_bytes());
    let Ok(doc) = serde_yaml::from_str::<serde_yaml::Value>(text) else {
        return;
    };
    let Some(groups) = doc.get("groups").and_then(|g| g.as_sequence()) else {
        return;
    };
    let mut searched = 0;
    for rule in groups
        .iter()
        .filter_map(|g| g.get("rules").and_then(|r| r.as_sequence()))
        .flatten()
    {
        let Some(name) = rule.get("alert").and_then(|a| a.as_str()) else {
            continue;
        };
        let mut body = String::new();
        for key in ["expr", "labels", "annotations"] {
            if let Some(v) = rule.get(key) {
                yaml_text(v, &mut body);
            }
        }
        let links_runbook = rule
            .get("annotations")
            .and_then(|a| a.as_mapping())
            .is_some_and(|a| {
                a.iter().any(|(k, v)| {
                    k.as_str().is_some_and(|k| k.contains("runbook"))
                        || v.as_str().is_some_and(|v| v.contains("runbook"))
                })
            });
        // The `alert:` line: the next one naming it, from the last found.
        let line = text[searched..]
            .find(&format!("alert: {name}"))
            .map(|i| {
                searched += i + 1;
                text[..searched].matches('\n').count() + 1
            })
            .unwrap_or(1);
        out.push(Alert {
            source: source.clone(),
            span: map.line_span(line),
            name: name.to_string(),
            text: body,
            links_runbook,
        });
    }
}

/// The panels and rows of a Grafana dashboard, nested ones too.
fn panels(source: &Source, text: &str, v: &serde_json::Value, out: &mut Vec<Panel>) {
    let map = SourceMap::new(text.as_bytes());
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::Object(o) => {
                let is_panel = o.contains_key("title")
                    && (o.contains_key("targets")
                        || o.contains_key("panels")
                        || o.get("type").is_some_and(|t| t == "row"));
                if is_panel {
                    let mut body = String::new();
                    collect_strings(v, &mut body);
                    let title = o.get("title").and_then(|t| t.as_str()).unwrap_or("");
                    let line = text
                        .find(&format!("\"{title}\""))
                        .map_or(1, |i| text[..i].matches('\n').count() + 1);
                    out.push(Panel {
                        source: source.clone(),
                        span: map.line_span(line),
                        text: body,
                    });
                }
                stack.extend(o.values());
            }
            serde_json::Value::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    out.sort_by_key(|p| (p.source.path.clone(), p.span.line));
}

/// A panel's own title and queries (`title`, `expr`, `query`, `target`, `legendFormat`).
fn collect_strings(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::Object(o) => {
            for (k, v) in o {
                match v {
                    serde_json::Value::String(s)
                        if matches!(
                            k.as_str(),
                            "title" | "expr" | "query" | "target" | "legendFormat"
                        ) =>
                    {
                        out.push_str(s);
                        out.push('\n');
                    }
                    serde_json::Value::Array(_) if k == "targets" => collect_strings(v, out),
                    _ => {}
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}
