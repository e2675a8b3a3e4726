//! `flaglint checklist`: the Mandatory stage's to-do list, as Markdown for a
//! GitLab or GitHub issue (or JSON): per feature its endpoint, stage and
//! issue, then task items grouped by client repo, configuration, docs and
//! tests, each with its location, what it is, the concrete action, and
//! whether `flaglint fix` does it.

use super::{Outcome, Plan, Selection};
use crate::config::Config;
use crate::model::{CallForm, Form, Kind, Reference};
use serde::Serialize;
use std::collections::BTreeMap;

/// One task.
#[derive(Debug, Serialize)]
pub struct Item {
    pub group: String,
    pub component: String,
    pub path: String,
    pub line: usize,
    pub end_line: usize,
    pub kind: &'static str,
    pub form: &'static str,
    pub status: &'static str,
    pub action: String,
    /// `flaglint fix` does this item.
    pub fixable: bool,
    /// Why `flaglint fix` leaves it, when it is a form the fix knows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// One feature's section.
#[derive(Debug, Serialize)]
pub struct Section {
    pub name: String,
    pub stage: String,
    pub endpoints: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue: Option<String>,
    pub items: Vec<Item>,
}

/// Builds the checklist of the selected features.
pub fn build(
    refs: &[Reference],
    config: &Config,
    selection: &Selection,
    plan: &Plan,
    link_base: &[(String, String)],
) -> Vec<Section> {
    let mut by_feature: BTreeMap<String, Vec<&Reference>> = BTreeMap::new();
    for r in refs.iter().filter(|r| selection.includes(r, config)) {
        let name = config
            .feature(&r.flag)
            .map_or_else(|| r.flag.clone(), |f| f.name.clone());
        by_feature.entry(name).or_default().push(r);
    }
    let mut sections = Vec::new();
    for (name, sites) in by_feature {
        let feature = config.feature(&name);
        let mut endpoints: Vec<String> = match feature.and_then(|f| f.endpoint.clone()) {
            Some(e) => vec![e],
            None => sites
                .iter()
                .flat_map(|r| r.endpoints.iter().cloned())
                .collect(),
        };
        endpoints.sort();
        endpoints.dedup();
        let stage = match feature {
            Some(f) => f.stage.as_str().to_string(),
            None => "mandatory (in the code)".to_string(),
        };
        let mut items: Vec<Item> = sites.iter().map(|r| item(r, plan, link_base)).collect();
        items.sort_by(|a, b| {
            (
                group_rank(&a.group),
                &a.group,
                &a.component,
                &a.path,
                a.line,
            )
                .cmp(&(
                    group_rank(&b.group),
                    &b.group,
                    &b.component,
                    &b.path,
                    b.line,
                ))
        });
        items.dedup_by(|a, b| {
            a.path == b.path
                && a.line == b.line
                && a.component == b.component
                && a.action == b.action
        });
        sections.push(Section {
            name,
            stage,
            endpoints,
            issue: feature.and_then(|f| f.issue.clone()),
            items,
        });
    }
    sections
}

fn group_rank(g: &str) -> u8 {
    match g {
        "Configuration" => 1,
        "Docs and runbooks" => 2,
        "Tests" => 3,
        _ => 0,
    }
}

fn item(r: &Reference, plan: &Plan, link_base: &[(String, String)]) -> Item {
    let group = match r.kind {
        Kind::Config => "Configuration".to_string(),
        Kind::Doc => "Docs and runbooks".to_string(),
        Kind::TestStub => "Tests".to_string(),
        _ => r.location.component.clone(),
    };
    let span = |s: &crate::model::Span| s.describe();
    let action = match r.kind {
        // What to keep: what the fix's edit keeps, else the frontend's branch.
        Kind::Toggle | Kind::Check => match (plan.kept(r).or(r.enabled_branch), r.legacy_branch) {
            (Some(keep), Some(drop)) => format!(
                "delete the toggle and the legacy branch, {}; keep the Gitaly branch, {}",
                span(&drop),
                span(&keep)
            ),
            (Some(keep), None) => {
                format!("delete the toggle; keep the Gitaly branch, {}", span(&keep))
            }
            (None, Some(drop)) => {
                format!("delete the toggle and the legacy branch, {}", span(&drop))
            }
            (None, None) => {
                "delete the toggle and the legacy path; keep the Gitaly path".to_string()
            }
        },
        Kind::Env => format!("delete the `GITALY_{}` lookup", r.flag.to_ascii_uppercase()),
        Kind::Config if r.form == Form::Call(CallForm::YamlMention) => {
            "update or delete the mention".to_string()
        }
        Kind::Config if r.form == Form::Call(CallForm::FeatureDefinition) => {
            "delete the feature-flag definition".to_string()
        }
        Kind::Config => match &r.json_path {
            Some(p) => format!(
                "remove `GITALY_{}` from `{}`",
                r.flag.to_ascii_uppercase(),
                p.rsplit_once(" → ")
                    .map_or(p.as_str(), |(parent, _)| parent)
            ),
            None => format!(
                "remove the `GITALY_{}` setting",
                r.flag.to_ascii_uppercase()
            ),
        },
        Kind::Doc => "update or delete the mention".to_string(),
        Kind::TestStub => "delete the stub and the tests of the legacy path".to_string(),
        Kind::Set => "delete the call".to_string(),
        Kind::Metadata => "stop sending the `gitaly-feature-` header".to_string(),
        Kind::Definition => "delete the definition once no client sends the flag".to_string(),
    };
    let (fixable, reason) = match plan.outcome(r) {
        Some(Outcome::Fixed) => (true, None),
        Some(Outcome::Left(why)) => (false, Some(why.to_string())),
        None => (false, None),
    };
    let link = site_link(r, link_base);
    Item {
        group,
        component: r.location.component.clone(),
        path: r.location.path.clone(),
        line: r.location.span.line,
        end_line: r.location.span.end_line,
        kind: r.kind.as_str(),
        form: r.form.as_str(),
        status: r.status.as_str(),
        action,
        fixable,
        reason,
        link,
    }
}

/// The checklist as Markdown.
pub fn markdown(sections: &[Section]) -> String {
    let mut out = String::new();
    let n = sections.len();
    out.push_str(&format!(
        "# Gitaly cleanup: {n} feature{} to remove\n",
        if n == 1 { "" } else { "s" }
    ));
    for s in sections {
        out.push_str(&format!("\n## `{}`\n\n", s.name));
        let endpoint = if s.endpoints.is_empty() {
            "unknown".to_string()
        } else {
            s.endpoints
                .iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!("Endpoint: {endpoint} · stage: {}", s.stage));
        if let Some(i) = &s.issue {
            out.push_str(&format!(" · issue: {i}"));
        }
        out.push('\n');
        let mut group = "";
        for it in &s.items {
            if it.group != group {
                group = &it.group;
                out.push_str(&format!("\n### {group}\n\n"));
            }
            let loc = if it.line == it.end_line {
                format!("{}:{}", it.path, it.line)
            } else {
                format!("{}:{}–{}", it.path, it.line, it.end_line)
            };
            let loc = match &it.link {
                Some(l) => format!("[{loc}]({l})"),
                None => format!("`{loc}`"),
            };
            let component = if matches!(
                it.group.as_str(),
                "Configuration" | "Docs and runbooks" | "Tests"
            ) {
                format!("{}: ", it.component)
            } else {
                String::new()
            };
            let what = match it.status {
                "none" => format!("{} `{}`", it.kind, it.form),
                st => format!("{} `{}`, status {st}", it.kind, it.form),
            };
            let how = if it.fixable {
                " *(flaglint fix)*".to_string()
            } else if let Some(r) = &it.reason {
                format!(" *(by hand: {r})*")
            } else {
                String::new()
            };
            out.push_str(&format!(
                "- [ ] {component}{loc} — {what}: {}{how}\n",
                it.action
            ));
        }
    }
    out
}

/// A link to the reference's lines: the `--link-base` URL of its component
/// (`COMPONENT=URL`), the path and a line anchor (`#L12`, `#L12-L14`).
pub fn site_link(r: &Reference, link_base: &[(String, String)]) -> Option<String> {
    link_base
        .iter()
        .find(|(c, _)| *c == r.location.component)
        .map(|(_, base)| {
            let anchor = if r.location.span.line == r.location.span.end_line {
                format!("#L{}", r.location.span.line)
            } else {
                format!("#L{}-L{}", r.location.span.line, r.location.span.end_line)
            };
            format!("{base}{}{anchor}", r.location.path)
        })
}
