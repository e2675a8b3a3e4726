use super::{Context, Rule};
use crate::model::{Finding, Kind};
use std::collections::HashSet;

declare_rule! {
    /// ## What it does
    /// When Gitaly and at least one client were scanned in the same run, reports a
    /// flag Gitaly defines that no scanned client references at all: no Flipper
    /// check, no `Feature::Gitaly` call, no header, no test stub, no configuration.
    /// One finding per flag, at its definition.
    ///
    /// ## Why
    /// A Gitaly flag is turned on by the clients (GitLab-Rails sends the
    /// `gitaly-feature-<name>` header of its `gitaly_<name>` Flipper flag). A flag no
    /// client names cannot be rolled out from the code the team reviews, nor tested
    /// on the client side; once the feature is default, the definition is left over
    /// on the server side.
    ///
    /// ## Example
    /// ```go
    /// // no client has Feature::Gitaly.enabled?(:go_list_conflict_files)
    /// GoListConflictFiles = FeatureFlag{Name: "go_list_conflict_files", OnByDefault: false}
    /// ```
    ///
    /// ## How to fix
    /// Add the client side (a `Feature::Gitaly` check or spec stub in GitLab-Rails),
    /// or, once the feature is settled, delete the flag from Gitaly. Scan every
    /// client of this Gitaly in one run, or a flag only another client sends is
    /// reported.
    ServerFlagNotSent {
        code: FL015,
        severity: Warning,
        summary: "a Gitaly flag that no scanned client references",
    }
}

impl Rule for ServerFlagNotSent {
    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        if cx.sides.servers.is_empty() || cx.sides.clients.is_empty() {
            return;
        }
        let sent: HashSet<&str> = cx
            .named()
            .filter(|r| cx.sides.is_client(r))
            .map(|r| r.flag.as_str())
            .collect();
        let mut seen = HashSet::new();
        for r in cx.server_refs() {
            let flag = r.flag.as_str();
            if r.kind != Kind::Definition || sent.contains(flag) || !seen.insert(flag) {
                continue;
            }
            out.push(Self::INFO.at(
                r,
                format!("no scanned client sends Gitaly flag `{flag}`"),
                "defined here, named by no client".to_string(),
                "add the client side (a `Feature::Gitaly` check), or delete the flag once settled"
                    .to_string(),
            ));
        }
    }
}
