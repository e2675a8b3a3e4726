use super::{Context, Rule, SuppressionUse};
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
        code: FL010,
        severity: Warning,
        summary: "an inline suppression that suppresses nothing",
    }
}

impl Rule for UnusedSuppression {
    /// Its findings come from [`Rule::check_suppressions`].
    fn check(&self, _cx: &Context, _out: &mut Vec<Finding>) {}

    fn check_suppressions(&self, uses: &[SuppressionUse], out: &mut Vec<Finding>) {
        for u in uses {
            let d = u.directive;
            let unknown = d.unknown_codes();
            if u.used && unknown.is_empty() {
                continue;
            }
            let message = if unknown.is_empty() {
                format!("`flaglint: disable={}` suppresses nothing", d.codes.join(","))
            } else {
                format!("`{}` is not a flaglint rule", unknown.join(", "))
            };
            let help = "delete the suppression, or fix its codes (`flaglint explain` lists them)";
            out.push(Self::INFO.at_suppression(d, message, help));
        }
    }
}
