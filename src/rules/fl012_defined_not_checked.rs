use super::{Context, Rule};
use crate::model::{Finding, Kind};
use std::collections::HashSet;

declare_rule! {
    /// ## What it does
    /// Reports a feature flag that Gitaly defines (`featureflag.FeatureFlag{Name: …}`,
    /// `NewFeatureFlag(…)`, or a string constant used as a flag) but that no code of
    /// Gitaly checks: no `featureflag.IsEnabled`/`IsDisabled`, no method-form check,
    /// no gitaly-ruby `feature_enabled?`, no env switch that carries it. Tests do not
    /// count as checks.
    ///
    /// ## Why
    /// A definition nothing checks is dead: the code path it guarded was removed (the
    /// feature went default or was dropped) but the definition stayed, so GitLab-Rails
    /// can still turn on a flag that changes nothing, and the flag's tests test nothing.
    ///
    /// ## Example
    /// ```go
    /// var (
    ///     // no handler calls featureflag.IsEnabled(ctx, featureflag.GoFindLicense) any more
    ///     GoFindLicense = FeatureFlag{Name: "go_find_license", OnByDefault: true}
    /// )
    /// ```
    ///
    /// ## How to fix
    /// Delete the definition and the tests that set the flag, and stop sending it
    /// from the clients (`flaglint list go_find_license` shows every site). If the
    /// check lives in code flaglint does not scan, suppress with a reason.
    DefinedNotChecked {
        code: FL012,
        severity: Warning,
        summary: "a Gitaly flag defined but never checked in Gitaly",
    }
}

impl Rule for DefinedNotChecked {
    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        let checked = cx.server_checked();
        let mut seen = HashSet::new();
        for r in cx.server_refs() {
            if r.kind != Kind::Definition || checked.contains(r.flag.as_str()) {
                continue;
            }
            if !seen.insert(r.flag.as_str()) {
                continue;
            }
            out.push(Self::INFO.at(
                r,
                format!(
                    "Gitaly defines flag `{}` but never checks it",
                    r.flag
                ),
                "defined here, checked nowhere in Gitaly".to_string(),
                "delete the definition and its tests, or check the flag where it was meant to switch"
                    .to_string(),
            ));
        }
    }
}
