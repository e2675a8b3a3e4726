//! The release calendar's data, shared by the history, the overdue rule
//! (FL017) and the board: a feature's stage in a release ([`Phase`], its
//! [`State`]), the process's cadence ([`Process`]) and where each component
//! stands ([`Standing`]).

use crate::config::{Config, Stage};
use crate::model::{Reference, Release, Status};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The stage a site's status puts a feature in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// `MigrationStatus::DISABLED`: Ready-for-Testing.
    Disabled,
    OptIn,
    OptOut,
    Mandatory,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Disabled => "disabled",
            Phase::OptIn => "opt-in",
            Phase::OptOut => "opt-out",
            Phase::Mandatory => "mandatory",
        }
    }

    /// The phase a site's status states (`None` for a site without one).
    pub fn of_status(status: Status) -> Option<Phase> {
        match status.effective() {
            Status::Disabled => Some(Phase::Disabled),
            Status::OptIn => Some(Phase::OptIn),
            Status::OptOut => Some(Phase::OptOut),
            Status::Mandatory => Some(Phase::Mandatory),
            _ => None,
        }
    }

    pub fn of_stage(stage: Stage) -> Phase {
        match stage {
            Stage::ReadyForTesting => Phase::Disabled,
            Stage::OptIn => Phase::OptIn,
            Stage::OptOut => Phase::OptOut,
            Stage::Mandatory => Phase::Mandatory,
        }
    }

    /// The stage's name as the registry and the process call it.
    pub fn stage_title(self) -> &'static str {
        match self {
            Phase::Disabled => "Ready-for-Testing",
            Phase::OptIn => "Opt-In",
            Phase::OptOut => "Opt-Out",
            Phase::Mandatory => "Mandatory",
        }
    }
}

/// A feature in one revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct State {
    /// Its stage: the least advanced status its sites state (a feature is
    /// Opt-Out only when all of them are), else the revision's registry; `null`
    /// when neither says.
    pub status: Option<Phase>,
    /// Sites per stated status, when they disagree or for the record.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub statuses: BTreeMap<Phase, usize>,
    /// Its references in the revision.
    pub sites: usize,
    /// Where `status` comes from: `code` or `registry`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'static str>,
}

impl State {
    /// More than one status among the sites.
    pub fn mixed(&self) -> bool {
        self.statuses.len() > 1
    }
}

/// Every feature's state in one revision's references; `registry` (the
/// revision's own `flaglint.toml`) gives the stage of a feature whose sites
/// state none.
pub fn states<'r>(
    references: impl IntoIterator<Item = &'r Reference>,
    registry: &HashMap<String, Stage>,
) -> BTreeMap<String, State> {
    let mut out: BTreeMap<String, State> = BTreeMap::new();
    for r in references.into_iter().filter(|r| r.is_named()) {
        let name = r.feature_name().to_string();
        let s = out.entry(name).or_insert_with(|| State {
            status: None,
            statuses: BTreeMap::new(),
            sites: 0,
            source: None,
        });
        s.sites += 1;
        if let Some(p) = Phase::of_status(r.status) {
            *s.statuses.entry(p).or_default() += 1;
        }
    }
    for (name, s) in &mut out {
        if let Some((&least, _)) = s.statuses.iter().next() {
            s.status = Some(least);
            s.source = Some("code");
        } else if let Some(&stage) = registry.get(name) {
            s.status = Some(Phase::of_stage(stage));
            s.source = Some("registry");
        }
    }
    out
}

/// The process's release cadence (`[process]` in the registry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Process {
    /// Releases a feature may stay Opt-Out before it is due for Mandatory.
    pub opt_out_releases: usize,
    /// Releases a feature may stay Opt-In before it is stale.
    pub opt_in_releases: usize,
}

impl Default for Process {
    fn default() -> Process {
        Process {
            opt_out_releases: 1,
            opt_in_releases: 3,
        }
    }
}

impl Process {
    pub fn from_config(config: &Config) -> Process {
        let d = Process::default();
        Process {
            opt_out_releases: config
                .process
                .opt_out_releases
                .unwrap_or(d.opt_out_releases),
            opt_in_releases: config.process.opt_in_releases.unwrap_or(d.opt_in_releases),
        }
    }

    /// The releases `phase` may last (`None`: no limit).
    pub fn allowed(&self, phase: Phase) -> Option<usize> {
        match phase {
            Phase::OptOut => Some(self.opt_out_releases),
            Phase::OptIn => Some(self.opt_in_releases),
            Phase::Disabled | Phase::Mandatory => None,
        }
    }
}

/// Every component's standing.
#[derive(Debug, Clone, Default)]
pub struct Standing {
    pub components: Vec<ComponentStanding>,
}

/// One component's place in the release calendar.
#[derive(Debug, Clone, Default)]
pub struct ComponentStanding {
    pub component: String,
    /// The release the scanned tree is, and where that was read
    /// (`VERSION`, `the newest tag v11.0.0`).
    pub current: Option<(Release, String)>,
    /// The release tags read before the current release, oldest first
    /// (empty without history).
    pub releases: Vec<(String, Release)>,
    /// Each feature's state in those releases (`None`: no reference).
    pub states: HashMap<String, Vec<Option<State>>>,
}

impl Standing {
    pub fn component(&self, name: &str) -> Option<&ComponentStanding> {
        self.components.iter().find(|c| c.component == name)
    }
}

/// How many releases a feature has been at `phase`, counting the current one:
/// from the registry's `since` (counted in the release tags read, or, without
/// them, by version: a lower bound across a major release), else the run of
/// releases at that stage that ends in the current tree. The release the
/// stage began in comes with it.
pub fn releases_in_stage(
    c: &ComponentStanding,
    feature: &str,
    phase: Phase,
    since: Option<Release>,
) -> Option<(usize, String)> {
    let (current, _) = c.current.clone()?;
    if let Some(since) = since {
        let key = |r: &Release| (r.major, r.minor);
        if key(&since) > key(&current) {
            return None;
        }
        let count = if c.releases.is_empty() {
            if since.major == current.major {
                (current.minor - since.minor) as usize + 1
            } else {
                current.minor as usize + 2
            }
        } else {
            c.releases
                .iter()
                .filter(|(_, r)| key(r) >= key(&since))
                .count()
                + 1
        };
        return Some((count, since.short()));
    }
    if c.releases.is_empty() {
        return None;
    }
    let run = c.states.get(feature).map_or(0, |states| {
        states
            .iter()
            .rev()
            .take_while(|s| s.as_ref().and_then(|s| s.status) == Some(phase))
            .count()
    });
    let began = if run == 0 {
        current.short()
    } else {
        c.releases[c.releases.len() - run].1.short()
    };
    Some((run + 1, began))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(minor: u32) -> Release {
        Release {
            major: 10,
            minor,
            patch: 0,
        }
    }

    #[test]
    fn the_stage_counts_from_the_registry_or_the_run_that_reaches_the_tree() {
        let c = ComponentStanding {
            component: "gitlab-ce".into(),
            current: Some((rel(8), "VERSION".into())),
            releases: (5..8).map(|m| (format!("v10.{m}.0"), rel(m))).collect(),
            states: HashMap::from([(
                "x".to_string(),
                [Phase::OptIn, Phase::OptOut, Phase::OptOut]
                    .map(|p| {
                        Some(State {
                            status: Some(p),
                            statuses: BTreeMap::new(),
                            sites: 1,
                            source: Some("code"),
                        })
                    })
                    .to_vec(),
            )]),
        };
        assert_eq!(
            releases_in_stage(&c, "x", Phase::OptOut, None),
            Some((3, "10.6".to_string()))
        );
        assert_eq!(
            releases_in_stage(&c, "x", Phase::OptOut, Some(rel(7))),
            Some((2, "10.7".to_string()))
        );
        // New in the tree: one release.
        assert_eq!(
            releases_in_stage(&c, "x", Phase::OptIn, None),
            Some((1, "10.8".to_string()))
        );
        // Without tags: by version.
        let bare = ComponentStanding {
            releases: Vec::new(),
            states: HashMap::new(),
            ..c.clone()
        };
        assert_eq!(
            releases_in_stage(&bare, "x", Phase::OptOut, Some(rel(6))),
            Some((3, "10.6".to_string()))
        );
        assert_eq!(releases_in_stage(&bare, "x", Phase::OptOut, None), None);
    }
}
