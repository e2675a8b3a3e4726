use super::{Context, Rule};
use crate::model::{Finding, Kind};

declare_rule! {
    /// ## What it does
    /// Reports a check of a feature flag in Gitaly (Go `featureflag.IsEnabled`/
    /// `IsDisabled`, the method form, gitaly-ruby `feature_enabled?`) whose flag
    /// no scanned Gitaly tree defines. A gitaly-ruby check of `ruby_<name>` is
    /// defined by a Go flag `ruby_<name>`, or by the Go flag `<name>` that Go
    /// forwards to gitaly-ruby.
    ///
    /// ## Why
    /// Gitaly turns a flag on from the `gitaly-feature-<name>` header GitLab-Rails
    /// sends for a defined flag. A check of a name nothing defines is a typo or a
    /// leftover of a flag whose definition was deleted: the check can never be
    /// turned on from the clients, and the code behind it is dead or always taken.
    ///
    /// ## Example
    /// ```go
    /// // featureflag.go defines "go_user_merge_branch"
    /// if featureflag.IsEnabled(ctx, "go_user_merge_branches") { // never on
    /// ```
    ///
    /// ## How to fix
    /// Use the defined flag (its constant, not a string), or, if the flag is gone,
    /// delete the check and keep the branch the feature settled on.
    CheckedNotDefined {
        code: FL013,
        severity: Error,
        summary: "a flag checked in Gitaly but not defined",
    }
}

impl Rule for CheckedNotDefined {
    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        let defined = cx.server_defined();
        if defined.is_empty() {
            // A Gitaly tree with no definition at all (a subtree, an era
            // before definitions): nothing to compare against.
            return;
        }
        for r in cx.server_refs() {
            if !matches!(r.kind, Kind::Check | Kind::Toggle) || defined.contains(&r.flag) {
                continue;
            }
            out.push(Self::INFO.at(
                r,
                format!("Gitaly checks flag `{}` but does not define it", r.flag),
                "no definition of this flag in Gitaly".to_string(),
                "check a defined flag (by its constant), or delete the check".to_string(),
            ));
        }
    }
}
