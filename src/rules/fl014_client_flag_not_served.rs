use super::{Context, Rule};
use crate::model::{CallForm, Finding, Kind};
use std::collections::HashSet;

declare_rule! {
    /// ## What it does
    /// When Gitaly was scanned in the same run, reports a Gitaly flag a client
    /// sends — `Feature::Gitaly.enabled?(:x)`, `Feature.enabled?(:gitaly_x)`, a
    /// `gitaly-feature-x` header — that no scanned Gitaly tree defines, checks or
    /// tests. Flags a client toggles itself (`gitaly_migrate`, `GitalyClient.migrate`)
    /// are the client's own and are not reported. One finding per flag, at its first
    /// client reference.
    ///
    /// ## Why
    /// The client's flag reaches Gitaly as a `gitaly-feature-<name>` header, and
    /// does something only if Gitaly checks that name. A flag Gitaly does not know is
    /// misspelt on one side, or was removed from Gitaly and is now dead in the
    /// client: turning it on in production changes nothing.
    ///
    /// ## Example
    /// ```ruby
    /// # Gitaly defines "go_find_all_tags"
    /// Feature::Gitaly.enabled?(:go_find_all_tag)
    /// ```
    ///
    /// ## How to fix
    /// Use the name Gitaly defines, or delete the client's checks, stubs and
    /// configuration of the flag (`flaglint list NAME`). Scan the Gitaly version the
    /// client talks to, or an older or newer one reports flags that are not yet or no
    /// longer there.
    ClientFlagNotServed {
        code: FL014,
        severity: Warning,
        summary: "a client-side Gitaly flag that no scanned Gitaly tree defines",
    }
}

impl Rule for ClientFlagNotServed {
    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        if cx.sides.servers.is_empty() {
            return;
        }
        let served: HashSet<&str> = cx.server_refs().map(|r| r.flag.as_str()).collect();
        let toggled: HashSet<&str> = cx
            .named()
            .filter(|r| r.kind == Kind::Toggle && cx.sides.is_client(r))
            .map(|r| r.flag.as_str())
            .collect();
        let servers = cx.sides.servers.iter().cloned().collect::<Vec<_>>().join(", ");
        let mut seen = HashSet::new();
        for r in cx.named().filter(|r| cx.sides.is_client(r)) {
            let sent = r.kind == Kind::Metadata
                || matches!(r.call, CallForm::FlipperGitaly | CallForm::Flipper);
            let flag = r.flag.as_str();
            if !sent || served.contains(flag) || toggled.contains(flag) || !seen.insert(flag) {
                continue;
            }
            out.push(Self::INFO.at(
                r,
                format!("client flag `{flag}` is not defined in Gitaly"),
                format!("sent to Gitaly; no scanned Gitaly tree ({servers}) knows it"),
                "use the name Gitaly defines, or delete the flag from the client".to_string(),
            ));
        }
    }
}
