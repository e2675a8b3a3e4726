use super::{declare_rule, Context, Rule, RuleInfo};
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
        code: "FL011",
        name: "suppression-without-reason",
        severity: Warning,
        summary: "an inline suppression without a reason",
    }
}

impl Rule for SuppressionWithoutReason {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    /// Findings come from [`crate::suppress::apply`].
    fn check(&self, _cx: &Context, _out: &mut Vec<Finding>) {}
}
