//! Formats for CI and editors: SARIF 2.1.0 (GitHub code scanning), GitLab
//! Code Quality, GitHub Actions workflow commands, and a concise one-line
//! format. Their paths are relative to the working directory (see
//! [`super::shown_path`]), so CI runners and editors open them from there.

use super::{shown_path, uri_of};
use crate::model::{Finding, Location, Severity};
use crate::rules;
use serde_json::{json, Value};

/// Where the rules are documented, when the build says so: the URL of the
/// README (`FLAGLINT_DOCS_URL` at build time); each rule's `helpUri` is this
/// URL + `#fl002`. Without it SARIF carries no `helpUri`/`informationUri`.
pub const DOCS_URL: Option<&str> = option_env!("FLAGLINT_DOCS_URL");

/// The file of a finding, relative to the working directory.
pub fn file_of(f: &Finding) -> String {
    shown_path(&f.location.abs_path)
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// SARIF 2.1.0, as GitHub code scanning accepts it.
pub fn sarif(findings: &[Finding]) -> String {
    sarif_with(findings, DOCS_URL)
}

fn sarif_with(findings: &[Finding], docs: Option<&str>) -> String {
    let docs = docs.map(str::trim).filter(|u| !u.is_empty());
    let all = rules::all();
    let rules: Vec<Value> = all.iter().map(|r| sarif_rule(r.info(), docs)).collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let index = all.iter().position(|r| r.info().code == f.code);
            sarif_result(f, index)
        })
        .collect();
    let mut driver = json!({
        "name": "flaglint",
        "version": env!("CARGO_PKG_VERSION"),
        "rules": rules
    });
    if let Some(url) = docs {
        driver["informationUri"] = json!(url);
    }
    let report = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            // Columns count characters (Unicode code points), as everywhere in flaglint.
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    });
    pretty(&report)
}

/// A rule's SARIF `reportingDescriptor`; `helpUri` points into `docs`.
fn sarif_rule(i: &rules::RuleInfo, docs: Option<&str>) -> Value {
    let mut rule = json!({
        "id": i.code,
        "name": i.name,
        "shortDescription": { "text": i.summary },
        "fullDescription": { "text": i.summary },
        "help": { "text": i.doc_text(), "markdown": i.doc_text() },
        "defaultConfiguration": { "level": level(i.severity) },
        "properties": { "tags": ["gitaly", "feature-flags"] }
    });
    if let Some(url) = docs {
        rule["helpUri"] = json!(format!("{url}#{}", i.code.to_ascii_lowercase()));
    }
    rule
}

/// A SARIF `location`: the file's URI and the span's region.
fn sarif_location(l: &Location) -> Value {
    let s = &l.span;
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri_of(&l.abs_path) },
            "region": {
                "startLine": s.line,
                "startColumn": s.column,
                "endLine": s.end_line,
                "endColumn": s.end_column.max(1)
            }
        }
    })
}

/// A finding as a SARIF `result`; `rule_index`: its rule's in the driver.
fn sarif_result(f: &Finding, rule_index: Option<usize>) -> Value {
    let mut result = json!({
        "ruleId": f.code,
        "level": level(f.severity),
        "message": { "text": format!("{} ({})", f.message, f.help) },
        "locations": [sarif_location(&f.location)],
        "partialFingerprints": { "flaglint/v1": f.fingerprint },
    });
    if let Some(i) = rule_index {
        result["ruleIndex"] = json!(i);
    }
    if !f.related.is_empty() {
        result["relatedLocations"] = Value::Array(
            f.related
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut l = sarif_location(&r.location);
                    l["id"] = json!(i);
                    l["message"] = json!({ "text": r.message });
                    l
                })
                .collect(),
        );
    }
    result
}

/// GitLab Code Quality (the CodeClimate subset GitLab reads).
pub fn codequality(findings: &[Finding]) -> String {
    let issues: Vec<Value> = findings
        .iter()
        .map(|f| {
            json!({
                "description": format!("{} {}: {}", f.code, f.rule, f.message),
                "check_name": f.code,
                "fingerprint": f.fingerprint,
                "severity": match f.severity { Severity::Error => "major", Severity::Warning => "minor" },
                "location": { "path": file_of(f), "lines": { "begin": f.location.span.line } }
            })
        })
        .collect();
    pretty(&Value::Array(issues))
}

/// Escapes a workflow command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands, one annotation per finding.
pub fn github(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&format!(
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            level(f.severity),
            escape_property(&file_of(f)),
            f.location.span.line,
            f.location.span.column,
            f.location.span.end_line,
            f.location.span.end_column,
            escape_property(&format!("{} {}", f.code, f.rule)),
            escape_data(&format!("{}\n{}", f.message, f.help)),
        ));
    }
    out
}

/// `path:line:col: CODE message`, one line per finding.
pub fn concise(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&format!(
            "{}:{}:{}: {} {}\n",
            file_of(f),
            f.location.span.line,
            f.location.span.column,
            f.code,
            f.message
        ));
    }
    out
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_uris_only_with_a_docs_url() {
        let without: Value = serde_json::from_str(&sarif_with(&[], None)).unwrap();
        let driver = &without["runs"][0]["tool"]["driver"];
        assert!(driver.get("informationUri").is_none());
        assert!(driver["rules"][1].get("helpUri").is_none());
        let with: Value =
            serde_json::from_str(&sarif_with(&[], Some("https://docs.example/flaglint"))).unwrap();
        let driver = &with["runs"][0]["tool"]["driver"];
        assert_eq!(driver["informationUri"], "https://docs.example/flaglint");
        assert_eq!(
            driver["rules"][1]["helpUri"],
            "https://docs.example/flaglint#fl002"
        );
        assert_eq!(with["runs"][0]["columnKind"], "unicodeCodePoints");
    }

    #[test]
    fn workflow_commands_are_escaped() {
        assert_eq!(escape_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
