//! The board: one page (or terminal table) that shows where every feature
//! stands — features as rows, stages as columns, the sites per component with
//! links to their files, the overdue and gate findings, and with history a
//! timeline per feature across releases.
//!
//! [`BoardData`] is plain data, built from a scan (and a history) by
//! [`build`]; [`html::render`] and [`terminal::render`] only print it.

pub mod html;
pub mod terminal;

use serde::Serialize;

/// The columns of the board, in the order of the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Column {
    ReadyForTesting,
    OptIn,
    OptOut,
    Mandatory,
    /// Its last reference is gone from every scanned tree.
    Removed,
}

impl Column {
    pub const ALL: [Column; 5] = [
        Column::ReadyForTesting,
        Column::OptIn,
        Column::OptOut,
        Column::Mandatory,
        Column::Removed,
    ];

    /// The column's heading.
    pub fn title(self) -> &'static str {
        match self {
            Column::ReadyForTesting => "Ready-for-Testing",
            Column::OptIn => "Opt-In",
            Column::OptOut => "Opt-Out",
            Column::Mandatory => "Mandatory",
            Column::Removed => "removed",
        }
    }

    /// A short, stable name (CSS classes, filters): `ready-for-testing`,
    /// `opt-in`, `opt-out`, `mandatory`, `removed`.
    pub fn key(self) -> &'static str {
        match self {
            Column::ReadyForTesting => "ready-for-testing",
            Column::OptIn => "opt-in",
            Column::OptOut => "opt-out",
            Column::Mandatory => "mandatory",
            Column::Removed => "removed",
        }
    }
}

/// Everything the board shows.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BoardData {
    /// The page's title (`flaglint board — gitlab-ce v11.0.0`).
    pub title: String,
    /// The scanned components, in order (the per-component site columns).
    pub components: Vec<String>,
    /// Release names of the history's timeline (oldest first); empty without
    /// history.
    pub releases: Vec<String>,
    pub features: Vec<BoardFeature>,
}

/// One row.
#[derive(Debug, Clone, Serialize)]
pub struct BoardFeature {
    /// The feature's name (`find_commit`).
    pub name: String,
    /// The endpoint it guards (`CommitService/FindCommit`), when known.
    pub endpoint: Option<String>,
    /// Where it stands now.
    pub column: Column,
    /// Where the stage comes from: `registry` or `code` (the sites' statuses).
    pub stage_source: &'static str,
    /// Sites per component (only components with sites).
    pub sites: Vec<ComponentSites>,
    /// Overdue (FL017) and gate (FL016) findings, and other findings of the
    /// feature, to highlight.
    pub findings: Vec<BoardFinding>,
    /// The feature's status in each of [`BoardData::releases`]: `None` where it
    /// had no reference.
    pub timeline: Vec<Option<Column>>,
}

/// A feature's sites in one component.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentSites {
    pub component: String,
    /// Every site, in path and line order.
    pub sites: Vec<Site>,
}

/// One site.
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    /// Path relative to the component root (`lib/gitlab/git/repository.rb`).
    pub path: String,
    pub line: usize,
    /// The reference kind (`toggle`, `check`, `test`, `config`, ...).
    pub kind: &'static str,
    /// A link to the line (`--link-base` + path + `#L<line>`), when a link
    /// base is given.
    pub link: Option<String>,
}

/// A finding shown on the board.
#[derive(Debug, Clone, Serialize)]
pub struct BoardFinding {
    /// `FL017`.
    pub code: String,
    /// `overdue`.
    pub rule: String,
    /// `error` or `warning`.
    pub severity: String,
    pub message: String,
    /// `component:path:line`.
    pub location: String,
}

impl BoardData {
    /// The site columns: [`BoardData::components`], then any component that
    /// only a feature's sites name (so no site is left out), in first-seen
    /// order.
    pub fn site_columns(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.components.iter().map(String::as_str).collect();
        for feature in &self.features {
            for sites in &feature.sites {
                if !names.contains(&sites.component.as_str()) {
                    names.push(&sites.component);
                }
            }
        }
        names
    }
}

impl Column {
    /// The column of a stage.
    pub fn of_phase(p: crate::history::calendar::Phase) -> Column {
        use crate::history::calendar::Phase;
        match p {
            Phase::Disabled => Column::ReadyForTesting,
            Phase::OptIn => Column::OptIn,
            Phase::OptOut => Column::OptOut,
            Phase::Mandatory => Column::Mandatory,
        }
    }
}

/// What the board is built from: a scanned run, its findings, and where the
/// components stand (with history, the timeline).
pub struct Input<'a> {
    pub references: &'a [crate::model::Reference],
    pub config: &'a crate::config::Config,
    pub components: &'a [crate::component::Component],
    pub findings: &'a [crate::model::Finding],
    pub standing: Option<&'a crate::history::calendar::Standing>,
    /// `--link-base COMPONENT=URL`.
    pub link_base: &'a [(String, String)],
}

/// Builds the board: one row per feature of the registry or the scanned
/// trees (and, with history, the features removed before the current
/// release), in process order (stage, then name).
///
/// A feature's column is its registry stage, else the least advanced status
/// its sites state; sites without a status (env switches, Flipper checks) put
/// an unregistered feature in Opt-In (off unless enabled). A feature without a
/// reference in the trees but with one in the history is `removed`.
pub fn build(input: &Input) -> BoardData {
    use crate::history::calendar::{states, Phase};
    use std::collections::{BTreeMap, BTreeSet, HashMap};
    let registry: HashMap<String, crate::config::Stage> = input
        .config
        .features
        .iter()
        .map(|f| (f.name.clone(), f.stage))
        .collect();
    let code = states(input.references.iter(), &HashMap::new());

    // The timeline's releases: every component's tags read, then its current
    // release, merged by release.
    let mut releases: BTreeSet<crate::model::Release> = BTreeSet::new();
    if let Some(s) = input.standing {
        for c in &s.components {
            releases.extend(c.releases.iter().map(|(_, r)| *r));
            releases.extend(c.current.as_ref().map(|(r, _)| *r));
        }
    }
    let key = |r: &crate::model::Release| (r.major, r.minor);
    let positions: Vec<(u32, u32)> = {
        let mut v: Vec<(u32, u32)> = releases.iter().map(key).collect();
        v.dedup();
        v
    };
    let with_history = input
        .standing
        .is_some_and(|s| s.components.iter().any(|c| !c.releases.is_empty()));

    let mut names: BTreeSet<String> = registry.keys().cloned().collect();
    names.extend(
        input
            .references
            .iter()
            .filter(|r| r.is_named())
            .map(|r| r.feature_name().to_string()),
    );
    if let (Some(s), true) = (input.standing, with_history) {
        for c in &s.components {
            names.extend(c.states.keys().cloned());
        }
    }

    let mut features = Vec::new();
    for name in names {
        let mine: Vec<&crate::model::Reference> = input
            .references
            .iter()
            .filter(|r| r.is_named() && r.feature_name() == name)
            .collect();
        let (column, stage_source) = match (registry.get(&name), code.get(&name)) {
            (Some(stage), _) => (Column::of_phase(Phase::of_stage(*stage)), "registry"),
            (None, Some(s)) => (
                s.status.map(Column::of_phase).unwrap_or(Column::OptIn),
                "code",
            ),
            (None, None) => (Column::Removed, "history"),
        };
        let mut by_component: BTreeMap<usize, Vec<Site>> = BTreeMap::new();
        for r in &mine {
            let ci = input
                .components
                .iter()
                .position(|c| c.name == r.location.component)
                .unwrap_or(usize::MAX);
            by_component.entry(ci).or_default().push(Site {
                path: r.location.path.clone(),
                line: r.location.span.line,
                kind: r.kind.as_str(),
                link: crate::cleanup::checklist::site_link(r, input.link_base),
            });
        }
        let sites = by_component
            .into_iter()
            .map(|(ci, sites)| ComponentSites {
                component: input
                    .components
                    .get(ci)
                    .map(|c| c.name.clone())
                    .or_else(|| mine.first().map(|r| r.location.component.clone()))
                    .unwrap_or_default(),
                sites,
            })
            .collect();
        let aliases: Vec<&str> = input
            .config
            .feature(&name)
            .map(|f| f.aliases.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let findings = input
            .findings
            .iter()
            .filter(|f| f.flag == name || aliases.contains(&f.flag.as_str()))
            .map(|f| BoardFinding {
                code: f.code.as_str().to_string(),
                rule: f.rule.to_string(),
                severity: f.severity.as_str().to_string(),
                message: f.message.clone(),
                location: format!(
                    "{}:{}:{}",
                    f.location.component, f.location.path, f.location.span.line
                ),
            })
            .collect();
        let endpoint = input
            .config
            .feature(&name)
            .and_then(|f| f.endpoint.clone())
            .or_else(|| mine.iter().find_map(|r| r.endpoints.first().cloned()));
        // The timeline: the tags' states, then the trees' (the current release).
        let mut timeline: Vec<Option<Column>> =
            vec![None; if with_history { positions.len() } else { 0 }];
        if let (Some(s), true) = (input.standing, with_history) {
            for c in &s.components {
                if let Some(states) = c.states.get(&name) {
                    for ((_, r), st) in c.releases.iter().zip(states) {
                        let Some(i) = positions.iter().position(|p| *p == key(r)) else {
                            continue;
                        };
                        if let Some(st) = st {
                            timeline[i] = timeline[i].or(Some(
                                st.status.map(Column::of_phase).unwrap_or(Column::OptIn),
                            ));
                        }
                    }
                }
                let here = mine.iter().any(|r| r.location.component == c.component);
                if let (true, Some((cur, _))) = (here, &c.current) {
                    if let Some(i) = positions.iter().position(|p| *p == key(cur)) {
                        let now = code
                            .get(&name)
                            .and_then(|s| s.status)
                            .map(Column::of_phase)
                            .unwrap_or(Column::OptIn);
                        timeline[i] = Some(now);
                    }
                }
            }
        }
        features.push(BoardFeature {
            name,
            endpoint,
            column,
            stage_source,
            sites,
            findings,
            timeline,
        });
    }
    features.sort_by(|a, b| (a.column, &a.name).cmp(&(b.column, &b.name)));
    // The timeline starts at the first release any feature was seen in.
    let first = (0..positions.len())
        .find(|&i| features.iter().any(|f| f.timeline[i].is_some()))
        .unwrap_or(positions.len());
    let positions = &positions[first..];
    for f in &mut features {
        f.timeline.drain(..first.min(f.timeline.len()));
        // After its last reference: removed.
        if let Some(last) = f.timeline.iter().rposition(Option::is_some) {
            for t in &mut f.timeline[last + 1..] {
                *t = Some(Column::Removed);
            }
        }
    }

    let current: Vec<String> = input
        .standing
        .map(|s| {
            s.components
                .iter()
                .filter_map(|c| {
                    c.current
                        .as_ref()
                        .map(|(r, _)| format!("{} {}", c.component, r.short()))
                })
                .collect()
        })
        .unwrap_or_default();
    let names: Vec<String> = input.components.iter().map(|c| c.name.clone()).collect();
    BoardData {
        title: format!(
            "flaglint board — {}",
            if current.is_empty() {
                names.join(", ")
            } else {
                current.join(", ")
            }
        ),
        components: names,
        releases: if with_history {
            positions.iter().map(|(a, b)| format!("{a}.{b}")).collect()
        } else {
            Vec::new()
        },
        features,
    }
}
