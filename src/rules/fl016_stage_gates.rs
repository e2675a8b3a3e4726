use super::{Context, Rule};
use crate::config::{Feature, Gate, Stage};
use crate::gates::{Evidence, Source};
use crate::model::{Finding, Location, Span, Text};

declare_rule! {
    /// ## What it does
    /// Checks the gates the process sets before a feature may be Opt-In, for
    /// every registry feature at `opt-in` or `opt-out`, in the components that
    /// `[gates]` names:
    /// - **runbook**: a Markdown file of a `runbooks` component names the flag
    ///   (`find_commit`, `gitaly_find_commit`, `GITALY_FIND_COMMIT`) and a way to
    ///   disable it (`GITALY_FIND_COMMIT=0`, `Feature.disable(:gitaly_find_commit)`);
    /// - **alert**: a Prometheus rule of an `alerts` component refers to the
    ///   flag or its endpoint (`grpc_method="FindCommit"`) in its `expr`, labels
    ///   or annotations, and an annotation links a runbook (`runbook_url`);
    /// - **dashboard**: a Grafana panel or row (JSON) or a jsonnet/libsonnet line
    ///   of a `dashboards` component names the endpoint or the flag.
    ///
    /// Each missing piece is one finding: at the runbook that names the flag
    /// without saying how to disable it, at the alert that links no runbook, or
    /// else at the registry entry, with where flaglint looked. A feature's
    /// `waive = { alert = "why" }` exempts it from a gate; a waiver without a
    /// reason is itself reported. Without `[gates]` the rule checks nothing, and
    /// a gate whose components are not in the run is not checked. A dashboard
    /// `*.json` that does not parse is a warning naming it; the run goes on.
    ///
    /// ## Why
    /// An Opt-In feature runs in production for whoever enables it: whoever is
    /// on call must find it on a dashboard, be paged when it fails, and read in
    /// the runbook how to turn it off.
    ///
    /// ## Example
    /// ```toml
    /// [gates]
    /// runbooks = ["runbooks"]
    /// alerts = ["runbooks"]
    /// dashboards = ["dashboards"]
    ///
    /// [[feature]]
    /// name = "find_commit"   # no runbook says how to disable it
    /// stage = "opt-in"
    /// endpoint = "CommitService/FindCommit"
    /// ```
    ///
    /// ## How to fix
    /// Add the runbook section (diagnosis and `GITALY_FIND_COMMIT=0` /
    /// `Feature.disable(:gitaly_find_commit)`), an alert rule on the flag or
    /// `grpc_method="FindCommit"` whose annotations carry `runbook_url`, and a
    /// dashboard row for the endpoint — or waive the gate with the reason:
    /// `waive = { alert = "covered by the generic error-rate alert" }`.
    StageGates {
        code: FL016,
        severity: Warning,
        summary: "an opt-in or opt-out feature without its runbook, alert or dashboard",
    }
}

impl Rule for StageGates {
    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        let (Some(gates), Some(evidence)) = (&cx.config.gates, cx.gates) else {
            return;
        };
        for f in &cx.config.features {
            if !matches!(f.stage, Stage::OptIn | Stage::OptOut) {
                continue;
            }
            for gate in Gate::ALL {
                let looked = gates.components(gate);
                if looked.is_empty() {
                    continue;
                }
                if let Some(w) = f.waivers.iter().find(|w| w.gate == gate) {
                    if w.reason.is_empty() {
                        out.extend(Self::INFO.at_registry(
                            cx.config,
                            &f.name,
                            w.span,
                            format!("`{}` waives the {} gate without a reason", f.name, gate.as_str()),
                            "a waiver without a reason",
                            "say why the gate does not apply: `waive = { alert = \"covered by …\" }`"
                                .to_string(),
                        ));
                    }
                    continue;
                }
                out.extend(self.gate(cx, f, gate, looked, evidence));
            }
        }
    }
}

/// The names a gate file may use for a feature: the flag, its `gitaly_`
/// form (any case: `GITALY_X`), and its endpoint's method and full name.
fn names(f: &Feature) -> Vec<String> {
    let mut n = vec![f.name.clone(), format!("gitaly_{}", f.name)];
    if let Some(ep) = &f.endpoint {
        n.push(ep.clone());
        n.extend(ep.split_once('/').map(|(_, m)| m.to_string()));
    }
    n
}

/// Whether `text` names one of `names` as a whole word (case-insensitive).
fn mentions(text: &str, names: &[String]) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    names
        .iter()
        .filter_map(|n| {
            let n = n.to_ascii_lowercase();
            lower.match_indices(&n).find_map(|(at, _)| {
                let before = at.checked_sub(1).map(|i| lower.as_bytes()[i]);
                let after = lower.as_bytes().get(at + n.len()).copied();
                (!before.is_some_and(word) && !after.is_some_and(word)).then_some(at)
            })
        })
        .min()
}

/// Whether a runbook says how to disable the flag.
fn disables(text: &str, f: &Feature) -> bool {
    let env = format!("gitaly_{}", f.name).to_ascii_uppercase();
    let flipper = format!("gitaly_{}", f.name);
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    [
        format!("{env}=0"),
        format!("{env}=false"),
        format!("{env}:\"0\""),
        format!("{env}:'0'"),
        format!("{env}:0"),
        format!("{env}:false"),
        format!("Feature.disable(:{flipper})"),
        format!("Feature.disable('{flipper}')"),
        format!("Feature.disable(\"{flipper}\")"),
    ]
    .iter()
    .any(|w| compact.contains(w.as_str()))
}

fn join(names: &[&String]) -> String {
    names
        .iter()
        .map(|n| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn location(source: &Source, span: Span) -> Location {
    Location {
        component: source.component.clone(),
        path: source.path.clone(),
        abs_path: source.abs_path.clone(),
        span,
    }
}

impl StageGates {
    /// The finding for one missing gate of `f`, if it is missing.
    fn gate(
        &self,
        cx: &Context,
        f: &Feature,
        gate: Gate,
        looked: &[String],
        evidence: &Evidence,
    ) -> Option<Finding> {
        let names = names(f);
        let stage = f.stage.as_str();
        // A gate whose components are not in this run cannot be checked.
        let scanned: Vec<&String> = looked
            .iter()
            .filter(|c| !evidence.missing_components.contains(c))
            .collect();
        if scanned.is_empty() {
            return None;
        }
        let looked = join(&scanned);
        let env = format!("GITALY_{}", f.name.to_ascii_uppercase());
        let at_file = |location: Location, message: String, label: &str, help: String| {
            let text = Text {
                message,
                label: label.to_string(),
                help,
            };
            Some(Self::INFO.finding(f.name.clone(), location, text))
        };
        match gate {
            Gate::Runbook => {
                let named: Vec<_> = evidence
                    .runbooks
                    .iter()
                    .filter_map(|r| mentions(&r.text, &names).map(|at| (r, at)))
                    .collect();
                if named.iter().any(|(r, _)| disables(&r.text, f)) {
                    return None;
                }
                let help = format!(
                    "add how to disable it: `{env}=0`, or `Feature.disable(:gitaly_{})`",
                    f.name
                );
                if let Some((r, at)) = named.first() {
                    let map = crate::frontend::SourceMap::new(r.text.as_bytes());
                    return at_file(
                        location(&r.source, map.line_span(map.line_col(*at).0)),
                        format!("`{}` is {stage}: its runbook does not say how to disable it", f.name),
                        "names the flag, not how to turn it off",
                        help,
                    );
                }
                Self::INFO.at_registry(
                    cx.config,
                    &f.name,
                    f.name_span,
                    format!(
                        "`{}` is {stage} but no runbook names it (looked in {})",
                        f.name, looked
                    ),
                    "no runbook",
                    format!("write its runbook section: diagnosis, and {help}"),
                )
            }
            Gate::Alert => {
                let refer: Vec<_> = evidence
                    .alerts
                    .iter()
                    .filter(|a| mentions(&a.text, &names).is_some())
                    .collect();
                if refer.iter().any(|a| a.links_runbook) {
                    return None;
                }
                if let Some(a) = refer.first() {
                    return at_file(
                        location(&a.source, a.span),
                        format!("the alert `{}` on `{}` links no runbook", a.name, f.name),
                        "no runbook in its annotations",
                        "add `runbook_url:` to its annotations, pointing at the flag's runbook section"
                            .to_string(),
                    );
                }
                Self::INFO.at_registry(
                    cx.config,
                    &f.name,
                    f.name_span,
                    format!(
                        "`{}` is {stage} but no alert rule refers to it or its endpoint (looked in {})",
                        f.name, looked
                    ),
                    "no alert",
                    "add a Prometheus rule on the flag or `grpc_method` whose annotations link the runbook"
                        .to_string(),
                )
            }
            Gate::Dashboard => {
                if evidence
                    .dashboards
                    .iter()
                    .any(|p| mentions(&p.text, &names).is_some())
                {
                    return None;
                }
                Self::INFO.at_registry(
                    cx.config,
                    &f.name,
                    f.name_span,
                    format!(
                        "`{}` is {stage} but no dashboard panel names it or its endpoint (looked in {})",
                        f.name, looked
                    ),
                    "no dashboard",
                    "add a dashboard row or panel for the endpoint".to_string(),
                )
            }
        }
    }
}
