use super::{Context, Rule};
use crate::history::calendar::{releases_in_stage, states, ComponentStanding, Phase, Process};
use crate::model::{Finding, Reference};
use std::collections::HashMap;

declare_rule! {
    /// ## What it does
    /// Reports a feature that has stayed at one stage longer than the process
    /// allows: Opt-Out for more than one release (`[process] opt_out_releases
    /// = 1`) is due for Mandatory; Opt-In for more than three releases
    /// (`opt_in_releases = 3`) is stale.
    ///
    /// The stage is the one its sites state (the least advanced of their
    /// `status:` arguments or definitions; else the registry's). The release
    /// the stage began in comes from the registry's `since` (`since = "10.6"`,
    /// or `since = { opt-in = "10.2", opt-out = "10.6" }`) or, with `check
    /// --history`, from the component's release tags (the tags before the
    /// current release are read as `flaglint history` reads them). The current
    /// release is the tree's `VERSION` file, or the newest release tag. Without
    /// either source of dates the rule checks nothing.
    ///
    /// ## Why
    /// "In the next GitLab release following the change to Opt-Out feature
    /// status, the feature will be made mandatory." A flag left at Opt-Out keeps
    /// a legacy path nobody runs any more, but that still has to be maintained
    /// and tested; an Opt-In flag left for months is a migration nobody drives.
    ///
    /// ## Example
    /// ```ruby
    /// # VERSION: 10.8.0; Opt-Out since the v10.6.0 tag
    /// gitaly_migrate(:commit_languages, status: Gitlab::GitalyClient::MigrationStatus::OPT_OUT) do |on|
    /// ```
    ///
    /// ## How to fix
    /// Due for Mandatory: set the registry's `stage = "mandatory"` and run
    /// `flaglint fix --feature commit_languages` (removes the toggle, keeps the
    /// Gitaly path). Stale: move it on (`flaglint promote --feature NAME --to
    /// opt-out`) or drop the flag if the migration was abandoned. A process with
    /// another cadence sets `[process] opt_out_releases` / `opt_in_releases`.
    Overdue {
        code: FL017,
        severity: Warning,
        summary: "a feature Opt-Out longer than one release (due for Mandatory) or Opt-In longer than three (stale)",
    }
}

impl Rule for Overdue {
    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        let Some(standing) = cx.standing else {
            return;
        };
        let process = Process::from_config(cx.config);
        let registry: HashMap<String, crate::config::Stage> = cx
            .config
            .features
            .iter()
            .map(|f| (f.name.clone(), f.stage))
            .collect();
        for c in &standing.components {
            let mine: Vec<&Reference> = cx
                .named()
                .filter(|r| r.location.component == c.component)
                .collect();
            for (feature, state) in states(mine.iter().copied(), &registry) {
                let Some(phase) = state.status else { continue };
                let Some(allowed) = process.allowed(phase) else {
                    continue;
                };
                let since = cx.config.feature(&feature).and_then(|f| {
                    f.since
                        .iter()
                        .find(|(s, _)| Phase::of_stage(*s) == phase)
                        .map(|(_, r)| *r)
                });
                let Some((count, began)) = releases_in_stage(c, &feature, phase, since) else {
                    continue;
                };
                if count <= allowed {
                    continue;
                }
                let at = mine
                    .iter()
                    .find(|r| r.feature_name() == feature && Phase::of_status(r.status).is_some())
                    .or_else(|| mine.iter().find(|r| r.feature_name() == feature));
                let Some(r) = at else { continue };
                out.push(finding(c, r, &feature, phase, count, &began, allowed, since.is_some()));
            }
        }
    }
}

/// The finding: how long, since when, and what the process expects.
#[allow(clippy::too_many_arguments)]
fn finding(
    c: &ComponentStanding,
    r: &Reference,
    feature: &str,
    phase: Phase,
    count: usize,
    began: &str,
    allowed: usize,
    from_registry: bool,
) -> Finding {
    let (current, current_from) = c
        .current
        .as_ref()
        .map(|(r, from)| (r.short(), from.as_str()))
        .unwrap_or_default();
    // The release it was due in, when the releases are known one by one.
    let positions: Vec<String> = c
        .releases
        .iter()
        .map(|(_, r)| r.short())
        .chain(c.current.as_ref().map(|(r, _)| r.short()))
        .collect();
    let due = (!from_registry || !c.releases.is_empty())
        .then(|| positions.iter().position(|p| p == began))
        .flatten()
        .and_then(|i| positions.get(i + allowed));
    let dates = if from_registry {
        "the registry's `since`"
    } else {
        "the release tags"
    };
    let releases = |n: usize| if n == 1 { "release" } else { "releases" };
    let (message, help) = match phase {
        Phase::OptOut => (
            format!(
                "`{feature}` has been Opt-Out since {began}: {count} releases up to {current}; the process makes a feature Mandatory in the release after it went Opt-Out{}",
                due.map(|d| format!(" ({d})")).unwrap_or_default()
            ),
            format!(
                "make it Mandatory: set the registry's `stage = \"mandatory\"` and run `flaglint fix --feature {feature}` (removes the toggle, keeps the Gitaly path); `[process] opt_out_releases` sets how many releases Opt-Out may last ({allowed} now)"
            ),
        ),
        _ => (
            format!(
                "`{feature}` has been Opt-In since {began}: {count} releases up to {current}, more than the {allowed} {} the process allows{}",
                releases(allowed),
                due.map(|d| format!(" (stale since {d})")).unwrap_or_default()
            ),
            format!(
                "move it on (`flaglint promote --feature {feature} --to opt-out`) or drop the flag if the migration was abandoned; `[process] opt_in_releases` sets the limit ({allowed} now)"
            ),
        ),
    };
    let label = format!(
        "{} since {began} (dates: {dates}; {current} from {current_from})",
        phase.stage_title()
    );
    Overdue::INFO.at(r, message, label, help)
}
