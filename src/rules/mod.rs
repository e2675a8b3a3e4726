//! Stage 6: rules. One file per rule; each rule's doc comment (What it does /
//! Why / Example / How to fix) is what `flaglint explain CODE` prints.

pub mod codes;

pub use codes::RuleCode;

use crate::config::Config;
use crate::model::{Finding, Location, Reference, Severity, Text};
use crate::suppress::Directive;

/// A rule's identity and documentation.
#[derive(Debug)]
pub struct RuleInfo {
    pub code: RuleCode,
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

    /// A finding of this rule about `flag` at `location`.
    pub fn finding(&self, flag: String, location: Location, text: Text) -> Finding {
        Finding::new(self.code, self.severity, flag, location, text)
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
        let location = Location {
            component: "registry".to_string(),
            path: path.display().to_string().replace('\\', "/"),
            abs_path: path.clone(),
            span: map.range(at.0, at.0 + at.1),
        };
        let label = label.to_string();
        Some(self.finding(
            flag.to_string(),
            location,
            Text {
                message,
                label,
                help,
            },
        ))
    }

    /// A finding of this rule at an inline suppression (FL010, FL011).
    pub fn at_suppression(&self, d: &Directive, message: String, help: &str) -> Finding {
        let text = Text {
            message,
            label: "this suppression".to_string(),
            help: help.to_string(),
        };
        self.finding(String::new(), d.location.clone(), text)
    }

    /// A finding of this rule at a reference.
    pub fn at(&self, r: &Reference, message: String, label: String, help: String) -> Finding {
        let text = Text {
            message,
            label,
            help,
        };
        self.finding(r.flag.clone(), r.location.clone(), text)
    }
}

/// What the rules see.
pub struct Context<'a> {
    pub references: &'a [Reference],
    pub config: &'a Config,
    pub catalog: &'a crate::catalog::Catalog,
    /// Which scanned components are Gitaly (the server side) and which are
    /// its clients.
    pub sides: Sides,
    /// The runbooks, alerts and dashboards of the `[gates]` components (FL016).
    pub gates: Option<&'a crate::gates::Evidence>,
    /// Where each component stands in the release calendar (FL017).
    pub standing: Option<&'a crate::history::calendar::Standing>,
}

/// The scanned components by side: Gitaly trees
/// ([`crate::component::is_server`]) and client trees (every other one).
#[derive(Debug, Default, Clone)]
pub struct Sides {
    pub servers: std::collections::BTreeSet<String>,
    pub clients: std::collections::BTreeSet<String>,
}

impl Sides {
    /// Sorts the components of a run by side.
    pub fn of(components: &[crate::component::Component]) -> Sides {
        let mut sides = Sides::default();
        for c in components {
            let side = if crate::component::is_server(&c.root) {
                &mut sides.servers
            } else {
                &mut sides.clients
            };
            side.insert(c.name.clone());
        }
        sides
    }

    /// Whether a reference is on the server side (in a Gitaly tree).
    pub fn is_server(&self, r: &Reference) -> bool {
        self.servers.contains(&r.location.component)
    }

    /// Whether a reference is in a client tree.
    pub fn is_client(&self, r: &Reference) -> bool {
        self.clients.contains(&r.location.component)
    }
}

impl Context<'_> {
    /// The named server-side references (in Gitaly trees).
    pub fn server_refs(&self) -> impl Iterator<Item = &Reference> {
        self.named().filter(|r| self.sides.is_server(r))
    }

    /// The flags Gitaly defines (`featureflag.FeatureFlag{…}`, `NewFeatureFlag`,
    /// a string constant used as a flag), outside its tests; each also as
    /// `ruby_<name>`, the flag gitaly-ruby sees when Go forwards it
    /// (`OutgoingCtxWithRubyFeatureFlags`, header `gitaly-feature-ruby-<name>`).
    pub fn server_defined(&self) -> std::collections::HashSet<String> {
        self.server_refs()
            .filter(|r| r.kind == crate::model::Kind::Definition)
            .flat_map(|r| {
                [
                    r.flag.clone(),
                    crate::frontend::ruby::gitaly_ruby_flag(&r.flag),
                ]
            })
            .collect()
    }

    /// The flags Gitaly evaluates: checks, toggles and env switches (Go and
    /// gitaly-ruby), outside its tests; a gitaly-ruby check of `ruby_<name>`
    /// also checks the Go flag `<name>` it is forwarded from.
    pub fn server_checked(&self) -> std::collections::HashSet<&str> {
        use crate::model::Kind;
        self.server_refs()
            .filter(|r| matches!(r.kind, Kind::Check | Kind::Toggle | Kind::Env))
            .flat_map(|r| [Some(r.flag.as_str()), r.flag.strip_prefix("ruby_")])
            .flatten()
            .collect()
    }
}

impl Context<'_> {
    /// The references whose flag is named statically (not `dynamic`).
    pub fn named(&self) -> impl Iterator<Item = &Reference> {
        self.references.iter().filter(|r| r.is_named())
    }
}

/// An inline suppression, once the other rules' findings have been matched
/// against it: what FL010 and FL011 check.
pub struct SuppressionUse<'a> {
    pub directive: &'a Directive,
    /// Whether it suppressed a finding.
    pub used: bool,
}

/// A rule's [`RuleInfo`]: implemented by `declare_rule!` for the type it
/// declares.
pub trait Declared {
    fn info(&self) -> &'static RuleInfo;
}

/// A rule (its info comes with its declaration, [`Declared`]).
pub trait Rule: Declared + Sync {
    /// Checks the references (most rules).
    fn check(&self, cx: &Context, out: &mut Vec<Finding>);
    /// Checks the inline suppressions, after they were applied to the
    /// findings of [`Rule::check`] (FL010, FL011).
    fn check_suppressions(&self, _uses: &[SuppressionUse], _out: &mut Vec<Finding>) {}
}

/// Declares a rule type whose doc comment becomes its `explain` text; its
/// name is its code's (`codes::rule_list!`).
macro_rules! declare_rule {
    ($(#[doc = $doc:literal])* $ty:ident { code: $code:ident, severity: $sev:ident, summary: $summary:literal $(,)? }) => {
        $(#[doc = $doc])*
        pub struct $ty;
        impl $ty {
            pub const INFO: $crate::rules::RuleInfo = $crate::rules::RuleInfo {
                code: $crate::rules::RuleCode::$code,
                name: $crate::rules::RuleCode::$code.name(),
                severity: $crate::model::Severity::$sev,
                summary: $summary,
                doc: concat!($($doc, "\n"),*),
            };
        }
        impl $crate::rules::Declared for $ty {
            fn info(&self) -> &'static $crate::rules::RuleInfo {
                &Self::INFO
            }
        }
    };
}

/// Declares the rule modules and [`all`] from `codes::rule_list!`.
macro_rules! register_rules {
    ($($code:ident $name:literal => $module:ident :: $ty:ident),* $(,)?) => {
        $(mod $module;)*

        /// Every rule, in code order.
        pub fn all() -> Vec<&'static dyn Rule> {
            vec![$(&$module::$ty),*]
        }
    };
}
codes::rule_list!(register_rules);

/// Finds a rule by code (`FL002`, case-insensitive) or name (`mandatory-leftover`).
pub fn find(code_or_name: &str) -> Option<&'static RuleInfo> {
    RuleCode::parse(code_or_name).map(info)
}

/// The rule of a code.
pub fn info(code: RuleCode) -> &'static RuleInfo {
    all()
        .into_iter()
        .map(|r| r.info())
        .find(|i| i.code == code)
        .expect("every code has a rule")
}

/// Sorts findings by location (component, path, line, column), then code and flag.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(location_order);
}

/// The order of [`sort`]: location (component, path, line, column), then code and flag.
pub fn location_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    fn key(f: &Finding) -> (&str, &str, usize, usize, RuleCode, &str) {
        let l = &f.location;
        (
            &l.component,
            &l.path,
            l.span.line,
            l.span.column,
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
        assert_eq!(
            super::find("dynamic-flag").unwrap().code,
            super::RuleCode::FL007
        );
        assert!(super::find("FL999").is_none());
    }

    #[test]
    fn every_code_has_its_rule_in_order() {
        let codes: Vec<super::RuleCode> = super::all().iter().map(|r| r.info().code).collect();
        assert_eq!(codes, super::RuleCode::ALL);
        for r in super::all() {
            assert_eq!(r.info().name, r.info().code.name());
        }
    }

    #[test]
    fn the_suppression_rules_report_at_the_directive() {
        use super::SuppressionUse;
        let src = b"# flaglint: disable=FL001\n# flaglint: disable=FL999 -- why\n";
        let d = crate::suppress::directives(src, "c", "p", std::path::Path::new("p"));
        let uses: Vec<SuppressionUse> = d
            .iter()
            .map(|directive| SuppressionUse {
                directive,
                used: false,
            })
            .collect();
        let mut out = Vec::new();
        for rule in super::all() {
            rule.check_suppressions(&uses, &mut out);
        }
        let got: Vec<_> = out
            .iter()
            .map(|f| {
                (
                    f.code,
                    f.location.span.line,
                    f.label.as_str(),
                    f.flag.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (super::RuleCode::FL010, 1, "this suppression", ""),
                (super::RuleCode::FL010, 2, "this suppression", ""),
                (super::RuleCode::FL011, 1, "this suppression", ""),
            ]
        );
        assert_eq!(out[1].message, "`FL999` is not a flaglint rule");
        assert!(out[2].help.starts_with("say why after `--`"));
    }
}
