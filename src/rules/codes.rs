//! Rule codes (`FL001` …): the identity of every rule, as a leaf module that
//! imports nothing, so that the configuration (`[rules]`), suppressions,
//! baselines and reports can name rules without depending on the rules.
//!
//! `rule_list!` is the one list of rules: code, name and the type that
//! implements it. This module generates [`RuleCode`] from it;
//! [`crate::rules`] generates the module declarations and [`crate::rules::all`]
//! from the same list. Adding a rule is one line here and one file in
//! `src/rules/`.

use std::fmt;

/// Calls `$m!` with the list of rules: `CODE "name" => module::Type`, in code
/// order.
macro_rules! rule_list {
    ($m:ident) => {
        $m! {
            FL001 "name-not-derived" => fl001_name_not_derived::NameNotDerived,
            FL002 "mandatory-leftover" => fl002_mandatory_leftover::MandatoryLeftover,
            FL003 "stage-mismatch" => fl003_stage_mismatch::StageMismatch,
            FL004 "inconsistent-status" => fl004_inconsistent_status::InconsistentStatus,
            FL005 "unknown-feature" => fl005_unknown_feature::UnknownFeature,
            FL006 "unused-feature" => fl006_unused_feature::UnusedFeature,
            FL007 "dynamic-flag" => fl007_dynamic_flag::DynamicFlag,
            FL008 "env-name-mismatch" => fl008_env_name_mismatch::EnvNameMismatch,
            FL009 "unknown-endpoint" => fl009_unknown_endpoint::UnknownEndpoint,
            FL010 "unused-suppression" => fl010_unused_suppression::UnusedSuppression,
            FL011 "suppression-without-reason" => fl011_suppression_without_reason::SuppressionWithoutReason,
            FL012 "defined-not-checked" => fl012_defined_not_checked::DefinedNotChecked,
            FL013 "checked-not-defined" => fl013_checked_not_defined::CheckedNotDefined,
            FL014 "client-flag-not-served" => fl014_client_flag_not_served::ClientFlagNotServed,
            FL015 "server-flag-not-sent" => fl015_server_flag_not_sent::ServerFlagNotSent,
            FL016 "stage-gates" => fl016_stage_gates::StageGates,
            FL017 "overdue" => fl017_overdue::Overdue,
        }
    };
}
pub(crate) use rule_list;

macro_rules! define_codes {
    ($($code:ident $name:literal => $module:ident :: $ty:ident),* $(,)?) => {
        /// A rule's code. Ordered as the codes sort as text (`FL002` < `FL010`);
        /// written as the code (`"FL002"`) in JSON and messages.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum RuleCode {
            $(
                #[doc = concat!("`", $name, "`")]
                $code,
            )*
        }

        impl RuleCode {
            /// Every code, in order.
            pub const ALL: &'static [RuleCode] = &[$(RuleCode::$code),*];

            /// The code as written: `FL002`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(RuleCode::$code => stringify!($code),)*
                }
            }

            /// The rule's name: `mandatory-leftover`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(RuleCode::$code => $name,)*
                }
            }
        }
    };
}
rule_list!(define_codes);

impl RuleCode {
    /// The rule a code (`FL002`, case-insensitive) or name
    /// (`mandatory-leftover`) stands for.
    pub fn parse(code_or_name: &str) -> Option<RuleCode> {
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(code_or_name) || c.name() == code_or_name)
    }

    /// The code or name closest to `got` (Jaro-Winkler ≥ 0.8), for a
    /// did-you-mean.
    pub fn closest(got: &str) -> Option<&'static str> {
        let got = got.to_ascii_lowercase();
        Self::ALL
            .iter()
            .flat_map(|c| [c.as_str(), c.name()])
            .map(|c| (strsim::jaro_winkler(&got, &c.to_ascii_lowercase()), c))
            .filter(|(score, _)| *score >= 0.8)
            // The first best: on a tie the lower code (`FL02` → `FL002`, not `FL012`).
            .fold(None::<(f64, &str)>, |best, x| match best {
                Some(b) if b.0 >= x.0 => Some(b),
                _ => Some(x),
            })
            .map(|(_, c)| c)
    }
}

impl fmt::Display for RuleCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The code reads as its text (`code.chars()`, `&*code`).
impl std::ops::Deref for RuleCode {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl serde::Serialize for RuleCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::RuleCode;

    #[test]
    fn codes_parse_by_code_any_case_or_name() {
        assert_eq!(RuleCode::parse("fl002"), Some(RuleCode::FL002));
        assert_eq!(RuleCode::parse("FL002"), Some(RuleCode::FL002));
        assert_eq!(RuleCode::parse("dynamic-flag"), Some(RuleCode::FL007));
        assert_eq!(RuleCode::parse("Dynamic-Flag"), None);
        assert_eq!(RuleCode::parse("FL999"), None);
        assert_eq!(RuleCode::parse("all"), None);
    }

    #[test]
    fn order_and_text_agree() {
        let mut by_text: Vec<RuleCode> = RuleCode::ALL.to_vec();
        by_text.sort_by_key(|c| c.as_str());
        assert_eq!(by_text, RuleCode::ALL);
        let mut sorted = RuleCode::ALL.to_vec();
        sorted.sort();
        assert_eq!(sorted, RuleCode::ALL);
        assert_eq!(
            serde_json::to_string(&RuleCode::FL010).unwrap(),
            "\"FL010\""
        );
        assert_eq!(format!("{:<6}|", RuleCode::FL001), "FL001 |");
    }

    #[test]
    fn did_you_mean() {
        assert_eq!(
            RuleCode::closest("mandatory-leftovers"),
            Some("mandatory-leftover")
        );
        assert_eq!(RuleCode::closest("zzz"), None);
    }
}
