use super::{Context, Rule};
use crate::config::Stage;
use crate::model::Finding;
use std::collections::HashSet;

declare_rule! {
    /// ## What it does
    /// Reports a registry feature that is not Mandatory and that no scanned file
    /// references, by name or alias.
    ///
    /// ## Why
    /// A feature still in testing, opt-in or opt-out must be toggled somewhere. If
    /// nothing references it, either its toggle was removed without the registry
    /// being updated (the feature is in fact Mandatory, or was dropped), or the
    /// registry names it differently from the code.
    ///
    /// ## Example
    /// ```toml
    /// [[feature]]
    /// name = "find_all_remote_branches"   # no client mentions it any more
    /// stage = "opt-in"
    /// ```
    ///
    /// ## How to fix
    /// Set its `stage` to `mandatory` once every client is clean, delete the entry
    /// if the feature was abandoned, or add the name the code uses to `aliases`.
    /// Scan every client repo at once (`flaglint check ce/ workhorse/ shell/`), or
    /// a feature used only by another client looks unused.
    UnusedFeature {
        code: FL006,
        severity: Warning,
        summary: "a non-mandatory registry feature with no reference anywhere",
    }
}

impl Rule for UnusedFeature {
    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        let used: HashSet<&str> = cx
            .references
            .iter()
            .filter_map(|r| r.feature.as_deref())
            .collect();
        for f in &cx.config.features {
            if f.stage == Stage::Mandatory || used.contains(f.name.as_str()) {
                continue;
            }
            out.extend(
                Self::INFO.at_registry(
                    cx.config,
                    &f.name,
                    f.name_span,
                    format!(
                        "`{}` is {} but nothing references it",
                        f.name,
                        f.stage.as_str()
                    ),
                    "no reference in any scanned tree",
                    "set its stage to `mandatory` if every client is clean, or delete the entry"
                        .to_string(),
                ),
            );
        }
    }
}
