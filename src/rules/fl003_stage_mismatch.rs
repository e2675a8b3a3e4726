use super::{Context, Rule};
use crate::config::Stage;
use crate::model::{Finding, Kind, Status};

declare_rule! {
    /// ## What it does
    /// Reports a toggle or check whose written status disagrees with the
    /// feature's stage in the registry:
    ///
    /// | registry stage      | statuses that agree                 |
    /// |---------------------|-------------------------------------|
    /// | `ready-for-testing` | `DISABLED`, `OPT_IN`, no status     |
    /// | `opt-in`            | `OPT_IN`, no status                 |
    /// | `opt-out`           | `OPT_OUT`                           |
    ///
    /// (No status means `OPT_IN` in GitLab's wrappers. Mandatory features are
    /// reported by FL002 instead.)
    ///
    /// ## Why
    /// The registry is where the Gitaly team records how far each feature has
    /// walked. If the code says otherwise, production does not behave as the
    /// team believes: an opt-out feature still written `OPT_IN` stays off
    /// everywhere nobody enabled it.
    ///
    /// ## Example
    /// ```ruby
    /// # flaglint.toml: [[feature]] name = "ref_exists", stage = "opt-in"
    /// gitaly_migrate(:ref_exists, status: Gitlab::GitalyClient::MigrationStatus::OPT_OUT) do |is_enabled|
    /// ```
    ///
    /// ## How to fix
    /// Change the status at the site to the one the stage asks for, or, if the
    /// code is right, move the feature's `stage` in `flaglint.toml`.
    StageMismatch {
        code: FL003,
        severity: Warning,
        summary: "the status written at a site disagrees with the registry stage",
    }
}

impl Rule for StageMismatch {
    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for r in cx.references {
            if !r.is_named()
                || !matches!(r.kind, Kind::Toggle | Kind::Check)
                || !r.status.is_comparable()
                || r.status == Status::Mandatory
            {
                continue;
            }
            let Some(feature) = cx.config.feature(&r.flag) else {
                continue;
            };
            let status = r.status.effective();
            let (agrees, wanted) = match feature.stage {
                Stage::ReadyForTesting => (
                    matches!(status, Status::Disabled | Status::OptIn),
                    "`DISABLED` or `OPT_IN`",
                ),
                Stage::OptIn => (status == Status::OptIn, "`OPT_IN` (or no status)"),
                Stage::OptOut => (status == Status::OptOut, "`OPT_OUT`"),
                Stage::Mandatory => continue,
            };
            if agrees {
                continue;
            }
            let written = match r.status {
                Status::Default => "no status (OPT_IN)".to_string(),
                s => s.as_str().to_ascii_uppercase(),
            };
            out.push(Self::INFO.at(
                r,
                format!(
                    "`{}` is {} in the registry, but this site says {written}",
                    r.flag,
                    feature.stage.as_str()
                ),
                format!("status here: {written}"),
                format!(
                    "write {wanted} here, or change the stage of `{}` in flaglint.toml",
                    feature.name
                ),
            ));
        }
    }
}
