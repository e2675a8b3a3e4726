//! A feature's stage per release, and what the process expects of it: the
//! state of each feature in one revision ([`states`]), its history across
//! revisions ([`features`]) and the runs of releases it stayed longer at
//! Opt-Out or Opt-In than the process allows ([`overdue_runs`], also the
//! overdue rule's measure).

pub use super::calendar::states;
use super::calendar::{Phase, Process, State};
use super::{FeatureHistory, Revision};
use serde::Serialize;
use std::collections::BTreeMap;

/// A run of releases longer than the process allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overdue {
    /// `opt-out` (due for Mandatory) or `opt-in` (stale).
    pub stage: Phase,
    /// The revision where the stage began.
    pub since: String,
    /// The last revision still in it.
    pub until: String,
    /// Releases in the stage (revisions read).
    pub releases: usize,
    /// The first revision past what the process allows.
    pub due: String,
    /// The stage reaches the newest revision read.
    pub current: bool,
}

/// Each feature's history from the revisions' states (oldest first).
pub fn features(
    revisions: &[Revision],
    per_rev: &[&BTreeMap<String, State>],
    process: &Process,
) -> Vec<FeatureHistory> {
    let mut names: Vec<&String> = per_rev.iter().flat_map(|m| m.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let releases: Vec<Option<State>> =
                per_rev.iter().map(|m| m.get(name).cloned()).collect();
            let first = releases.iter().position(Option::is_some).unwrap_or(0);
            let last = releases.iter().rposition(Option::is_some).unwrap_or(0);
            let phases: Vec<Option<Phase>> = releases
                .iter()
                .map(|s| s.as_ref().and_then(|s| s.status))
                .collect();
            FeatureHistory {
                feature: name.clone(),
                appeared: revisions[first].name.clone(),
                removed: revisions.get(last + 1).map(|r| r.name.clone()),
                overdue: overdue_runs(&phases, revisions, process),
                releases,
            }
        })
        .collect()
}

/// The runs of consecutive revisions at Opt-Out or Opt-In longer than the
/// process allows. A revision without a reference, or at another stage, ends
/// a run.
pub fn overdue_runs(
    phases: &[Option<Phase>],
    revisions: &[Revision],
    process: &Process,
) -> Vec<Overdue> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < phases.len() {
        let Some(phase) = phases[i] else {
            i += 1;
            continue;
        };
        let end = (i..phases.len())
            .find(|&j| phases[j] != Some(phase))
            .unwrap_or(phases.len());
        let len = end - i;
        if let Some(allowed) = process.allowed(phase) {
            if len > allowed {
                out.push(Overdue {
                    stage: phase,
                    since: revisions[i].name.clone(),
                    until: revisions[end - 1].name.clone(),
                    releases: len,
                    due: revisions[i + allowed].name.clone(),
                    current: end == phases.len(),
                });
            }
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn revs(n: usize) -> Vec<Revision> {
        (0..n)
            .map(|i| Revision {
                name: format!("v10.{i}.0"),
                release: Some(format!("10.{i}")),
                version: None,
                commit: String::new(),
                date: String::new(),
                references: 0,
            })
            .collect()
    }

    #[test]
    fn a_feature_opt_out_for_two_releases_is_overdue_from_the_second() {
        use Phase::*;
        let p = Process::default();
        let phases = [Some(OptIn), Some(OptOut), Some(OptOut), Some(OptOut), None];
        let runs = overdue_runs(&phases, &revs(5), &p);
        assert_eq!(
            runs,
            [Overdue {
                stage: OptOut,
                since: "v10.1.0".into(),
                until: "v10.3.0".into(),
                releases: 3,
                due: "v10.2.0".into(),
                current: false,
            }]
        );
        // One release at Opt-Out, then removed: on time.
        let on_time = [Some(OptIn), Some(OptOut), None];
        assert!(overdue_runs(&on_time, &revs(3), &p).is_empty());
        // Four releases at Opt-In: stale from the fourth; it is still there.
        let stale = [Some(OptIn); 4];
        let runs = overdue_runs(&stale, &revs(4), &p);
        assert_eq!(
            (runs[0].stage, runs[0].due.as_str(), runs[0].current),
            (OptIn, "v10.3.0", true)
        );
    }
}
