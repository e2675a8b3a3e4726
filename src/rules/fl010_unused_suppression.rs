use super::{declare_rule, Context, Rule, RuleInfo};
use crate::model::Finding;

declare_rule! {
    /// ## What it does
    /// Reports an inline suppression (`flaglint: disable=…`) that suppresses
    /// nothing: no finding of the named rules on its line or the line below (or,
    /// for `disable-file=`, in its file), or a code that is not a flaglint rule.
    ///
    /// ## Why
    /// A stale suppression hides the next real finding at that place, and reads
    /// as if there were something to excuse.
    ///
    /// ## Example
    /// ```ruby
    /// # flaglint: disable=FL002 -- find_commit is still opt-out   (it is not any more)
    /// commit = gitaly_commit_client.find_commit(oid)
    /// ```
    ///
    /// ## How to fix
    /// Delete the suppression, or correct its codes.
    UnusedSuppression {
        code: "FL010",
        name: "unused-suppression",
        severity: Warning,
        summary: "an inline suppression that suppresses nothing",
    }
}

impl Rule for UnusedSuppression {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    /// Findings come from [`crate::suppress::apply`], which sees what the
    /// suppressions matched.
    fn check(&self, _cx: &Context, _out: &mut Vec<Finding>) {}
}
