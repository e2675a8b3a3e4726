use super::{Context, Rule, SuppressionUse};
use crate::model::Finding;

declare_rule! {
    /// ## What it does
    /// Reports an inline suppression without a reason after `--`.
    ///
    /// ## Why
    /// A suppression is a decision; the next engineer (and the Gitaly team at
    /// cleanup time) needs to know why the finding was accepted and until when.
    ///
    /// ## Example
    /// ```go
    /// // flaglint: disable=FL001
    /// if params.GitalyServer.Address != "" {
    /// ```
    ///
    /// ## How to fix
    /// Add the reason:
    /// ```go
    /// // flaglint: disable=FL001 -- the Gitaly team keeps this name until 11.2
    /// ```
    SuppressionWithoutReason {
        code: FL011,
        severity: Warning,
        summary: "an inline suppression without a reason",
    }
}

impl Rule for SuppressionWithoutReason {
    /// Its findings come from [`Rule::check_suppressions`].
    fn check(&self, _cx: &Context, _out: &mut Vec<Finding>) {}

    fn check_suppressions(&self, uses: &[SuppressionUse], out: &mut Vec<Finding>) {
        for d in uses.iter().map(|u| u.directive) {
            if d.reason.is_some() {
                continue;
            }
            let message = "this suppression gives no reason".to_string();
            let help = "say why after `--`: `flaglint: disable=FL001 -- legacy name kept until the 11.2 cleanup`";
            out.push(Self::INFO.at_suppression(d, message, help));
        }
    }
}
