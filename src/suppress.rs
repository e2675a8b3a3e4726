//! Inline suppressions: `# flaglint: disable=FL001 -- reason` (Ruby, shell,
//! YAML), `// flaglint: disable=FL001 -- reason` (Go), `<!-- flaglint:
//! disable=FL001 -- reason -->` (Markdown), on the line of the reference or the
//! line above; `disable-file=` anywhere in a file covers the whole file.
//! Codes may be rule names too, comma-separated. A reason is required (FL011
//! otherwise); a suppression that suppresses nothing is FL010 (both rules
//! in their files: this module parses and matches).

use crate::model::{Finding, Location};
use crate::rules::codes::RuleCode;

/// One `flaglint: disable…` directive.
#[derive(Debug, Clone)]
pub struct Directive {
    /// Where it is: from `flaglint:` to the end of the comment.
    pub location: Location,
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
            location: Location {
                component: component.to_string(),
                path: path.to_string(),
                abs_path: abs_path.to_path_buf(),
                span: map.range(start + i, start + line.trim_ascii_end().len()),
            },
            codes,
            reason,
            file_level,
        });
    }
    out
}

impl Directive {
    /// The codes it names that are no rule (`all` is one: every rule).
    pub fn unknown_codes(&self) -> Vec<&str> {
        self.codes
            .iter()
            .map(String::as_str)
            .filter(|c| *c != "all" && RuleCode::parse(c).is_none())
            .collect()
    }
}

fn matches(d: &Directive, f: &Finding) -> bool {
    let (at, to) = (&d.location, &f.location);
    let same_file = at.abs_path == to.abs_path;
    let on_line = d.file_level || to.span.line == at.span.line || to.span.line == at.span.line + 1;
    same_file
        && on_line
        && d.codes
            .iter()
            .any(|c| c.eq_ignore_ascii_case("all") || RuleCode::parse(c) == Some(f.code))
}

/// Removes the suppressed findings; returns, for each directive, whether it
/// suppressed one (FL010 and FL011 then check the directives: see
/// [`crate::rules::Rule::check_suppressions`]).
pub fn apply(findings: &mut Vec<Finding>, directives: &[Directive]) -> Vec<bool> {
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
    used
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
        assert_eq!(d[0].location.span.line, 1);
        assert!(d[1].file_level && d[1].reason.is_none());
        assert_eq!(d[2].codes, ["FL002"]);
    }
}
