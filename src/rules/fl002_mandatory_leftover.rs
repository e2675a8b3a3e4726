use super::{Context, Rule};
use crate::config::Stage;
use crate::model::{Finding, Kind, Status};

declare_rule! {
    /// ## What it does
    /// Reports every reference to a feature that is Mandatory: its registry stage
    /// is `mandatory`, or the code itself says `MigrationStatus::MANDATORY`.
    ///
    /// ## Why
    /// At the Mandatory stage the Gitaly path is the only path. The process says
    /// the flag and the legacy path must be deleted from every client, from
    /// configuration, docs and tests. A toggle left behind keeps dead code alive
    /// and lets someone switch production back to a path nobody maintains.
    ///
    /// ## Example
    /// ```ruby
    /// # flaglint.toml: [[feature]] name = "find_commit", stage = "mandatory"
    /// commit = repo.gitaly_migrate(:find_commit) do |is_enabled|
    ///   if is_enabled
    ///     gitaly_commit_client.find_commit(oid)
    ///   else
    ///     rugged_find(oid)
    ///   end
    /// end
    /// ```
    ///
    /// ## How to fix
    /// Delete the toggle and its legacy branch and keep the Gitaly branch:
    /// ```ruby
    /// commit = gitaly_commit_client.find_commit(oid)
    /// ```
    /// Delete test stubs, `Feature.enable` calls and `GITALY_*` env lookups of the
    /// flag outright.
    MandatoryLeftover {
        code: FL002,
        severity: Error,
        summary: "a reference to a feature that is already Mandatory",
    }
}

impl Rule for MandatoryLeftover {
    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for r in cx.named() {
            let registry = cx
                .config
                .feature(&r.flag)
                .is_some_and(|f| f.stage == Stage::Mandatory);
            let in_code = r.status == Status::Mandatory;
            if !registry && !in_code {
                continue;
            }
            let why = if registry {
                "mandatory in the registry"
            } else {
                "marked MANDATORY in the code"
            };
            let message = format!(
                "`{}` is {why}: this {} must be removed",
                r.flag,
                what(r.kind)
            );
            let help = match (r.kind, r.enabled_branch, r.legacy_branch) {
                (Kind::Toggle | Kind::Check, Some(keep), Some(drop)) => format!(
                    "delete the toggle and its legacy branch ({}); keep the Gitaly branch ({})",
                    drop.describe(),
                    keep.describe()
                ),
                (Kind::Toggle | Kind::Check, Some(keep), None) => format!(
                    "delete the toggle; keep the Gitaly branch ({})",
                    keep.describe()
                ),
                (Kind::Toggle | Kind::Check, None, _) => {
                    "delete the toggle and the legacy path; keep only the Gitaly path".to_string()
                }
                (Kind::Env, ..) => format!(
                    "delete the `GITALY_{}` lookup: the Gitaly path is always on",
                    r.flag.to_ascii_uppercase()
                ),
                (Kind::TestStub, ..) => {
                    "delete the stub and the tests of the legacy path".to_string()
                }
                (Kind::Set, ..) => "delete the call: the flag no longer exists".to_string(),
                (Kind::Metadata, ..) => {
                    "stop sending the `gitaly-feature-` header for it: the flag no longer exists"
                        .to_string()
                }
                (Kind::Definition, ..) => {
                    "delete the definition once no client sends the flag".to_string()
                }
                (Kind::Config, ..) => "delete the setting from the configuration".to_string(),
                (Kind::Doc, ..) => {
                    "delete or update the mention: the flag no longer exists".to_string()
                }
            };
            out.push(Self::INFO.at(
                r,
                message,
                format!("{} of a mandatory feature", what(r.kind)),
                help,
            ));
        }
    }
}

fn what(kind: Kind) -> &'static str {
    match kind {
        Kind::Toggle => "toggle",
        Kind::Check => "check",
        Kind::Set => "flag change",
        Kind::Env => "env lookup",
        Kind::TestStub => "test stub",
        Kind::Metadata => "metadata flag",
        Kind::Definition => "flag definition",
        Kind::Config => "configuration entry",
        Kind::Doc => "mention",
    }
}
