use super::{Context, Rule};
use crate::model::{Finding, Kind, Reference, Related, Status};
use std::collections::BTreeMap;

declare_rule! {
    /// ## What it does
    /// Reports the sites of a flag whose status differs from the status most of
    /// that flag's other sites use. No status counts as `OPT_IN`, as in GitLab's
    /// wrappers. Test stubs are not evaluations and are not compared.
    ///
    /// ## Why
    /// One feature, evaluated as `OPT_OUT` in one place and `OPT_IN` in another,
    /// is on and off at the same time: half of a request takes the Gitaly path,
    /// half the legacy path. Usually one site was forgotten when the feature
    /// moved to the next stage.
    ///
    /// ## Example
    /// ```ruby
    /// gitaly_migrate(:tag_names, status: Gitlab::GitalyClient::MigrationStatus::OPT_OUT) { |on| ... }
    /// # elsewhere:
    /// gitaly_migrate(:tag_names) { |on| ... }   # OPT_IN
    /// ```
    ///
    /// ## How to fix
    /// Give every site of the flag the status of the feature's current stage.
    InconsistentStatus {
        code: FL004,
        severity: Warning,
        summary: "one flag evaluated with different statuses at different sites",
    }
}

impl Rule for InconsistentStatus {
    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        let mut by_flag: BTreeMap<&str, Vec<&Reference>> = BTreeMap::new();
        for r in cx.references {
            if r.is_named()
                && matches!(r.kind, Kind::Toggle | Kind::Check)
                && r.status.is_comparable()
            {
                by_flag.entry(&r.flag).or_default().push(r);
            }
        }
        for (flag, sites) in by_flag {
            let mut counts: BTreeMap<Status, usize> = BTreeMap::new();
            for r in &sites {
                *counts.entry(r.status.effective()).or_default() += 1;
            }
            if counts.len() < 2 {
                continue;
            }
            // The majority status; on a tie, the status of the first site.
            let first = sites[0].status.effective();
            let majority = counts
                .iter()
                .max_by_key(|(s, n)| (**n, **s == first))
                .map(|(s, _)| *s)
                .unwrap_or(first);
            let others: Vec<&&Reference> = sites
                .iter()
                .filter(|r| r.status.effective() == majority)
                .collect();
            for r in sites.iter().filter(|r| r.status.effective() != majority) {
                let mut f = Self::INFO.at(
                    r,
                    format!(
                        "`{flag}` is evaluated as {} here but as {} at {} other site{}",
                        name(r.status.effective()),
                        name(majority),
                        others.len(),
                        if others.len() == 1 { "" } else { "s" }
                    ),
                    format!("{} here", name(r.status.effective())),
                    format!(
                        "give every site of `{flag}` the status of its current stage (most sites say {})",
                        name(majority)
                    ),
                );
                f.related = others
                    .iter()
                    .map(|o| Related {
                        location: o.location.clone(),
                        message: format!("{} here", name(majority)),
                    })
                    .collect();
                out.push(f);
            }
        }
    }
}

fn name(s: Status) -> String {
    s.as_str().to_ascii_uppercase()
}
