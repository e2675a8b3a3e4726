//! Inline suppressions: `# flaglint: disable=FL001 -- reason` (Ruby, shell,
//! YAML), `// flaglint: disable=FL001 -- reason` (Go), `<!-- flaglint:
//! disable=FL001 -- reason -->` (Markdown), on the line of the reference or the
//! line above; `disable-file=` anywhere in a file covers the whole file.
//! Codes may be rule names too, comma-separated. A reason is required (FL011
//! otherwise); a suppression that suppresses nothing is FL010.

use crate::model::{Finding, Span};
use std::path::PathBuf;

/// One `flaglint: disable…` directive.
#[derive(Debug, Clone)]
pub struct Directive {
    pub component: String,
    pub path: String,
    pub abs_path: PathBuf,
    pub span: Span,
    /// Codes or names as written.
    pub codes: Vec<String>,
    pub reason: Option<String>,
    pub file_level: bool,
}

/// Finds the directives of one file (cheap: only files containing `flaglint:`).
pub fn directives(
    bytes: &[u8],
    component: &str,
    path: &str,
    abs_path: &std::path::Path,
) -> Vec<Directive> {
    let mut out = Vec::new();
    if memchr::memmem::find(bytes, b"flaglint:").is_none() {
        return out;
    }
    let map = crate::frontend::SourceMap::new(bytes);
    let mut offset = 0;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let start = offset;
        offset += line.len();
        let Some(i) = memchr::memmem::find(line, b"flaglint:") else {
            continue;
        };
        // Only in a comment: `#`, `//` or `<!--` before it on the line.
        let before = &line[..i];
        let in_comment = memchr::memmem::find(before, b"#").is_some()
            || memchr::memmem::find(before, b"//").is_some()
            || memchr::memmem::find(before, b"<!--").is_some();
        if !in_comment {
            continue;
        }
        let rest = String::from_utf8_lossy(&line[i + 9..]);
        let rest = rest.trim().trim_end_matches("-->").trim();
        let (file_level, list) = if let Some(l) = rest.strip_prefix("disable-file=") {
            (true, l)
        } else if let Some(l) = rest.strip_prefix("disable=") {
            (false, l)
        } else {
            continue;
        };
        let (codes, reason) = match list.split_once("--") {
            Some((c, r)) => (c, Some(r.trim().to_string()).filter(|r| !r.is_empty())),
            None => (list, None),
        };
        let codes: Vec<String> = codes
            .split(',')
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        out.push(Directive {
            component: component.to_string(),
            path: path.to_string(),
            abs_path: abs_path.to_path_buf(),
            span: map.range(start + i, start + line.trim_ascii_end().len()),
            codes,
            reason,
            file_level,
        });
    }
    out
}

fn matches(d: &Directive, f: &Finding) -> bool {
    let same_file = d.abs_path == f.abs_path;
    let on_line = d.file_level || f.span.line == d.span.line || f.span.line == d.span.line + 1;
    same_file
        && on_line
        && d.codes
            .iter()
            .any(|c| c.eq_ignore_ascii_case(f.code) || c == f.rule || c.eq_ignore_ascii_case("all"))
}

/// Removes the suppressed findings and adds FL010 (unused) and FL011 (no
/// reason) findings for the directives. `enabled` tells whether a rule code is
/// selected.
pub fn apply(
    findings: &mut Vec<Finding>,
    directives: &[Directive],
    enabled: &dyn Fn(&str) -> bool,
) {
    let mut used = vec![false; directives.len()];
    findings.retain(|f| {
        let mut hit = false;
        for (i, d) in directives.iter().enumerate() {
            if matches(d, f) {
                used[i] = true;
                hit = true;
            }
        }
        !hit
    });
    for (d, used) in directives.iter().zip(used) {
        let at = |info: &crate::rules::RuleInfo, message: String, help: &str| Finding {
            code: info.code,
            rule: info.name,
            severity: info.severity,
            flag: String::new(),
            component: d.component.clone(),
            path: d.path.clone(),
            abs_path: d.abs_path.clone(),
            span: d.span,
            message,
            help: help.to_string(),
            label: "this suppression".to_string(),
            related: Vec::new(),
            fingerprint: String::new(),
        };
        let unknown: Vec<&String> = d
            .codes
            .iter()
            .filter(|c| c.as_str() != "all" && crate::rules::find(c).is_none())
            .collect();
        if enabled("FL010") && (!used || !unknown.is_empty()) {
            let info = crate::rules::find("FL010").expect("FL010 is a rule");
            let message = if unknown.is_empty() {
                format!(
                    "`flaglint: disable={}` suppresses nothing",
                    d.codes.join(",")
                )
            } else {
                format!(
                    "`{}` is not a flaglint rule",
                    unknown
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            findings.push(at(
                info,
                message,
                "delete the suppression, or fix its codes (`flaglint explain` lists them)",
            ));
        }
        if enabled("FL011") && d.reason.is_none() {
            let info = crate::rules::find("FL011").expect("FL011 is a rule");
            findings.push(at(
                info,
                "this suppression gives no reason".to_string(),
                "say why after `--`: `flaglint: disable=FL001 -- legacy name kept until the 11.2 cleanup`",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_in_comments_only() {
        let src = b"x = 1 # flaglint: disable=FL001,mandatory-leftover -- kept for 11.0\n\"flaglint: disable=FL002\"\n// flaglint: disable-file=FL005\n<!-- flaglint: disable=FL002 -->\n";
        let d = directives(src, "c", "p", std::path::Path::new("p"));
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].codes, ["FL001", "mandatory-leftover"]);
        assert_eq!(d[0].reason.as_deref(), Some("kept for 11.0"));
        assert_eq!(d[0].span.line, 1);
        assert!(d[1].file_level && d[1].reason.is_none());
        assert_eq!(d[2].codes, ["FL002"]);
    }
}
