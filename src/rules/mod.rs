//! Stage 6: rules. One file per rule; each rule's doc comment (What it does /
//! Why / Example / How to fix) is what `flaglint explain CODE` prints.

use crate::config::Config;
use crate::model::{Finding, Reference, Severity};

mod fl001_name_not_derived;
mod fl002_mandatory_leftover;
mod fl003_stage_mismatch;
mod fl004_inconsistent_status;
mod fl005_unknown_feature;
mod fl006_unused_feature;
mod fl007_dynamic_flag;
mod fl008_env_name_mismatch;
mod fl009_unknown_endpoint;
mod fl010_unused_suppression;
mod fl011_suppression_without_reason;

/// A rule's identity and documentation.
#[derive(Debug)]
pub struct RuleInfo {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// One line: what the rule reports.
    pub summary: &'static str,
    /// The rule's doc comment (Markdown).
    pub doc: &'static str,
}

impl RuleInfo {
    /// The doc comment with the leading space of each line removed.
    pub fn doc_text(&self) -> String {
        self.doc
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string()
    }

    /// A finding of this rule in the registry file, at the byte range `at`.
    pub fn at_registry(
        &self,
        config: &Config,
        flag: &str,
        at: (usize, usize),
        message: String,
        label: &str,
        help: String,
    ) -> Option<Finding> {
        let path = config.path.as_ref()?;
        let map = crate::frontend::SourceMap::new(config.source.as_bytes());
        Some(Finding {
            code: self.code,
            rule: self.name,
            severity: self.severity,
            flag: flag.to_string(),
            component: "registry".to_string(),
            path: path.display().to_string().replace('\\', "/"),
            abs_path: path.clone(),
            span: map.range(at.0, at.0 + at.1),
            message,
            help,
            label: label.to_string(),
            related: Vec::new(),
            fingerprint: String::new(),
        })
    }

    /// A finding of this rule at a reference.
    pub fn at(&self, r: &Reference, message: String, label: String, help: String) -> Finding {
        Finding {
            code: self.code,
            rule: self.name,
            severity: self.severity,
            flag: r.flag.clone(),
            component: r.location.component.clone(),
            path: r.location.path.clone(),
            abs_path: r.location.abs_path.clone(),
            span: r.location.span,
            message,
            help,
            label,
            related: Vec::new(),
            fingerprint: String::new(),
        }
    }
}

/// What the rules see.
pub struct Context<'a> {
    pub references: &'a [Reference],
    pub config: &'a Config,
    pub catalog: &'a crate::catalog::Catalog,
}

/// A rule.
pub trait Rule: Sync {
    fn info(&self) -> &'static RuleInfo;
    fn check(&self, cx: &Context, out: &mut Vec<Finding>);
}

/// Declares a rule type whose doc comment becomes its `explain` text.
macro_rules! declare_rule {
    ($(#[doc = $doc:literal])* $ty:ident { code: $code:literal, name: $name:literal, severity: $sev:ident, summary: $summary:literal $(,)? }) => {
        $(#[doc = $doc])*
        pub struct $ty;
        impl $ty {
            pub const INFO: $crate::rules::RuleInfo = $crate::rules::RuleInfo {
                code: $code,
                name: $name,
                severity: $crate::model::Severity::$sev,
                summary: $summary,
                doc: concat!($($doc, "\n"),*),
            };
        }
    };
}
pub(crate) use declare_rule;

/// Every rule, in code order.
pub fn all() -> Vec<&'static dyn Rule> {
    vec![
        &fl001_name_not_derived::NameNotDerived,
        &fl002_mandatory_leftover::MandatoryLeftover,
        &fl003_stage_mismatch::StageMismatch,
        &fl004_inconsistent_status::InconsistentStatus,
        &fl005_unknown_feature::UnknownFeature,
        &fl006_unused_feature::UnusedFeature,
        &fl007_dynamic_flag::DynamicFlag,
        &fl008_env_name_mismatch::EnvNameMismatch,
        &fl009_unknown_endpoint::UnknownEndpoint,
        &fl010_unused_suppression::UnusedSuppression,
        &fl011_suppression_without_reason::SuppressionWithoutReason,
    ]
}

/// Finds a rule by code (`FL002`, case-insensitive) or name (`mandatory-leftover`).
pub fn find(code_or_name: &str) -> Option<&'static RuleInfo> {
    all()
        .into_iter()
        .map(|r| r.info())
        .find(|i| i.code.eq_ignore_ascii_case(code_or_name) || i.name == code_or_name)
}

/// Sorts findings by location (component, path, line, column), then code and flag.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(location_order);
}

/// The order of [`sort`]: location (component, path, line, column), then code and flag.
pub fn location_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    fn key(f: &Finding) -> (&str, &str, usize, usize, &str, &str) {
        (
            &f.component,
            &f.path,
            f.span.line,
            f.span.column,
            f.code,
            &f.flag,
        )
    }
    key(a).cmp(&key(b))
}

/// Runs every rule; findings come back sorted by location.
pub fn run(cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in all() {
        rule.check(cx, &mut out);
    }
    sort(&mut out);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_rule_documents_what_why_example_and_fix() {
        for rule in super::all() {
            let doc = rule.info().doc_text();
            for heading in ["## What it does", "## Why", "## Example", "## How to fix"] {
                assert!(
                    doc.contains(heading),
                    "{} lacks {heading}",
                    rule.info().code
                );
            }
        }
    }

    #[test]
    fn find_by_code_or_name() {
        assert_eq!(super::find("fl002").unwrap().name, "mandatory-leftover");
        assert_eq!(super::find("dynamic-flag").unwrap().code, "FL007");
        assert!(super::find("FL999").is_none());
    }
}
