//! Formats for CI and editors: SARIF 2.1.0 (GitHub code scanning), GitLab
//! Code Quality, GitHub Actions workflow commands, and a concise one-line
//! format. Their paths are the files as scanned (`fixtures/gitlab-ce/lib/x.rb`;
//! relative to the repository root when flaglint runs there).

use crate::model::{Finding, Severity};
use crate::rules;
use serde_json::{json, Value};

/// Where the rules are documented (the README's rule section).
pub const RULES_URL: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/README.md");

/// The file of a finding as scanned, `/`-separated, without a leading `./`.
pub fn file_of(f: &Finding) -> String {
    let p = f.abs_path.to_string_lossy().replace('\\', "/");
    let mut s = p.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// SARIF 2.1.0, as GitHub code scanning accepts it.
pub fn sarif(findings: &[Finding]) -> String {
    let all = rules::all();
    let rules: Vec<Value> = all
        .iter()
        .map(|r| {
            let i = r.info();
            json!({
                "id": i.code,
                "name": i.name,
                "shortDescription": { "text": i.summary },
                "fullDescription": { "text": i.summary },
                "help": { "text": i.doc_text(), "markdown": i.doc_text() },
                "helpUri": format!("{RULES_URL}#{}", i.code.to_ascii_lowercase()),
                "defaultConfiguration": { "level": level(i.severity) },
                "properties": { "tags": ["gitaly", "feature-flags"] }
            })
        })
        .collect();
    let location = |file: String, s: &crate::model::Span| {
        json!({
            "physicalLocation": {
                "artifactLocation": { "uri": file },
                "region": {
                    "startLine": s.line,
                    "startColumn": s.column,
                    "endLine": s.end_line,
                    "endColumn": s.end_column.max(1)
                }
            }
        })
    };
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let index = all.iter().position(|r| r.info().code == f.code);
            let mut result = json!({
                "ruleId": f.code,
                "level": level(f.severity),
                "message": { "text": format!("{} ({})", f.message, f.help) },
                "locations": [location(file_of(f), &f.span)],
                "partialFingerprints": { "flaglint/v1": f.fingerprint },
            });
            if let Some(i) = index {
                result["ruleIndex"] = json!(i);
            }
            if !f.related.is_empty() {
                let base = file_of(f);
                let dir_of_component = base.strip_suffix(&f.path).unwrap_or("").to_string();
                result["relatedLocations"] = Value::Array(
                    f.related
                        .iter()
                        .enumerate()
                        .map(|(i, r)| {
                            let mut l = location(format!("{dir_of_component}{}", r.path), &r.span);
                            l["id"] = json!(i);
                            l["message"] = json!({ "text": r.message });
                            l
                        })
                        .collect(),
                );
            }
            result
        })
        .collect();
    let report = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "flaglint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "rules": rules
                }
            },
            "results": results
        }]
    });
    pretty(&report)
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
                "location": { "path": file_of(f), "lines": { "begin": f.span.line } }
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
            f.span.line,
            f.span.column,
            f.span.end_line,
            f.span.end_column,
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
            f.span.line,
            f.span.column,
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
    fn workflow_commands_are_escaped() {
        assert_eq!(escape_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
