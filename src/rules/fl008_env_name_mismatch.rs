use super::{Context, Rule};
use crate::model::{CallForm, Finding, Form, Kind};

declare_rule! {
    /// ## What it does
    /// Reports an environment toggle (`ENV['GITALY_X']`, `os.Getenv("GITALY_X")`,
    /// `GITALY_X=1` in an env file or script, a `GITALY_X` key in a Chef role or
    /// `gitlab.rb`) whose name is not `GITALY_` + the upper-cased name of the
    /// feature it belongs to — it names the feature by one of its registry
    /// `aliases` — or whose value is neither `0` nor `1`.
    ///
    /// ## Why
    /// The clients read `GITALY_<FLAG>` and compare it with `1` (opt-in) or `0`
    /// (opt-out). A variable named after an alias is read by nobody, and a value
    /// such as `yes` or `true` silently means "off": either way the setting does
    /// nothing, and nobody notices until the stage changes.
    ///
    /// ## Example
    /// ```sh
    /// # flaglint.toml: [[feature]] name = "find_commit", aliases = ["commit_find"]
    /// export GITALY_COMMIT_FIND=1     # read by nobody
    /// export GITALY_FIND_COMMIT=yes   # means off
    /// ```
    ///
    /// ## How to fix
    /// Use `GITALY_` + the feature's registry name in upper case, and set it to
    /// `1` to opt in or `0` to opt out:
    /// ```sh
    /// export GITALY_FIND_COMMIT=1
    /// ```
    EnvNameMismatch {
        code: FL008,
        severity: Warning,
        summary: "an env toggle not named GITALY_<FLAG>, or set to neither 0 nor 1",
    }
}

impl Rule for EnvNameMismatch {
    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for r in cx.named() {
            let is_env_name = r.kind == Kind::Env
                || (r.kind == Kind::Config
                    && matches!(
                        r.form,
                        Form::Call(CallForm::EnvAssignment | CallForm::EnvHash | CallForm::JsonKey)
                    ))
                || (r.kind == Kind::TestStub && r.call == CallForm::Env);
            if !is_env_name {
                continue;
            }
            let var = format!("GITALY_{}", r.flag.to_ascii_uppercase());
            if let Some(feature) = r.feature.as_deref().filter(|f| *f != r.flag) {
                let wanted = format!("GITALY_{}", feature.to_ascii_uppercase());
                out.push(Self::INFO.at(
                    r,
                    format!("`{var}` names feature `{feature}` by an alias: the clients read `{wanted}`"),
                    format!("should be {wanted}"),
                    format!("rename it to `{wanted}`"),
                ));
            }
            if let Some(value) = r.value.as_deref() {
                if value != "0" && value != "1" {
                    out.push(Self::INFO.at(
                        r,
                        format!(
                            "`{var}` is set to `{value}`: Gitaly env toggles read only `0` or `1`"
                        ),
                        format!("value `{value}`"),
                        "set it to `1` to opt in or `0` to opt out".to_string(),
                    ));
                }
            }
        }
    }
}
