//! The text edits every fix produces (Ruby, Go, configuration, dead
//! methods): one replacement per site, applied outermost first, with the
//! lines a deletion empties and the blank lines it leaves tidied; and the
//! re-indentation of code that moves to where its toggle stood.

/// One replacement in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// The code of the Gitaly branch the replacement keeps (its byte range
    /// in the text edited), when it keeps one: what the checklist names.
    pub kept: Option<std::ops::Range<usize>>,
}

impl Edit {
    pub fn new(start: usize, end: usize, text: String) -> Edit {
        Edit {
            start,
            end,
            text,
            kept: None,
        }
    }

    /// The edit, keeping the code at `kept`.
    pub fn keeping(self, kept: Option<std::ops::Range<usize>>) -> Edit {
        Edit { kept, ..self }
    }
}

/// The edits of one round of a file's fix, and the sites it leaves.
#[derive(Debug, Default)]
pub struct Round {
    pub edits: Vec<Edit>,
    /// Sites that cannot be fixed: (start byte, reason).
    pub left: Vec<(usize, super::error::FixError)>,
    /// The Gitaly code each fixed site keeps: (start byte, its range).
    pub kept: Vec<(usize, std::ops::Range<usize>)>,
    /// The error helpers the kept code was wrapped in (`wrapped_gitaly_errors`).
    pub helpers: Vec<String>,
}

impl Round {
    /// Records the fix of the site starting at `site`.
    pub fn record(&mut self, site: usize, result: Result<Edit, super::error::FixError>) {
        match result {
            Ok(e) => {
                if let Some(k) = &e.kept {
                    self.kept.push((site, k.clone()));
                }
                self.edits.push(e);
            }
            Err(why) => self.left.push((site, why)),
        }
    }
}

/// The indentation of the line `offset` stands on.
pub fn line_indent(src: &str, offset: usize) -> &str {
    let start = src[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &src[start..];
    let n = line.len() - line.trim_start_matches([' ', '\t']).len();
    &line[..n]
}

/// `src[start..end]` moved to `indent`: the first line keeps its place, every
/// other line loses the indentation of the first line's line and gains `indent`.
pub fn reindent(src: &str, start: usize, end: usize, indent: &str) -> String {
    let base = line_indent(src, start);
    let body = &src[start..end];
    let mut out = String::new();
    for (i, line) in body.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            if line.trim().is_empty() {
                continue;
            }
            let stripped = line.strip_prefix(base).unwrap_or_else(|| line.trim_start());
            out.push_str(indent);
            out.push_str(stripped);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// A deletion that covers a whole statement takes its lines with it, and the
/// blank line after it when the line before opens a block (no blank line is
/// left right after `def …` or `do`).
pub fn widen_deletion(text: &str, e: &mut Edit) {
    if !e.text.is_empty() {
        return;
    }
    let ls = text[..e.start].rfind('\n').map_or(0, |i| i + 1);
    let le = if e.end > 0 && text.as_bytes()[e.end - 1] == b'\n' {
        e.end
    } else {
        text[e.end..]
            .find('\n')
            .map_or(text.len(), |i| e.end + i + 1)
    };
    if !text[ls..e.start].trim().is_empty() || !text[e.end..le].trim().is_empty() {
        return;
    }
    e.start = ls;
    e.end = le;
    let prev = text[..ls].trim_end_matches('\n');
    let prev_line = prev.rsplit('\n').next().unwrap_or("").trim();
    let opener = prev_line.starts_with("def ")
        || prev_line.ends_with(" do")
        || prev_line.ends_with('|')
        || prev_line.ends_with('{')
        || prev_line.ends_with("begin")
        || prev_line.ends_with("then")
        || prev_line == "else";
    let next_end = text[le..].find('\n').map_or(text.len(), |i| le + i + 1);
    if opener && le < text.len() && text[le..next_end].trim().is_empty() {
        e.end = next_end;
    }
}

/// Applies non-overlapping edits (outermost first wins).
pub fn apply_edits(text: &str, mut edits: Vec<Edit>) -> String {
    for e in &mut edits {
        widen_deletion(text, e);
    }
    edits.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut kept: Vec<Edit> = Vec::new();
    for e in edits {
        if kept.last().is_some_and(|k| e.start < k.end) {
            continue;
        }
        kept.push(e);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in kept {
        out.push_str(&text[at..e.start]);
        out.push_str(&e.text);
        at = e.end;
    }
    out.push_str(&text[at..]);
    tidy_blank_lines(&out)
}

/// No runs of blank lines where code was removed, no trailing spaces on
/// emptied lines.
pub fn tidy_blank_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        if blank {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
            out.push_str(if line.ends_with('\n') { "\n" } else { "" });
        } else {
            blank_run = 0;
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outermost_edit_wins_and_deleted_lines_go_whole() {
        let text = "def f\n  a\n  b\nend\n";
        let a = text.find("a").unwrap();
        let b = text.find("b").unwrap();
        let edits = vec![
            Edit::new(a, b + 1, "x".into()),
            Edit::new(a, a + 1, "inner".into()),
        ];
        assert_eq!(apply_edits(text, edits), "def f\n  x\nend\n");
        // A deletion of a whole statement takes its line.
        let gone = apply_edits(text, vec![Edit::new(a, a + 1, String::new())]);
        assert_eq!(gone, "def f\n  b\nend\n");
    }

    #[test]
    fn a_deletion_after_an_opener_takes_the_blank_line_after_it() {
        let text = "foo do\n  a\n\n  b\nend\n";
        let a = text.find("a").unwrap();
        assert_eq!(
            apply_edits(text, vec![Edit::new(a, a + 1, String::new())]),
            "foo do\n  b\nend\n"
        );
    }

    #[test]
    fn moved_code_is_reindented_and_blank_runs_collapse() {
        let src = "    if x\n      y\n    end\n";
        assert_eq!(line_indent(src, 6), "    ");
        assert_eq!(reindent(src, 4, src.len() - 1, "  "), "if x\n    y\n  end");
        assert_eq!(tidy_blank_lines("a\n\n  \n\nb\n"), "a\n\nb\n");
    }
}
