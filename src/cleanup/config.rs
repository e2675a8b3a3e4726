//! Configuration entries of a Mandatory feature: a line that sets only the
//! flag (`export GITALY_X=1`, `GITALY_X: "1"`) is deleted, an inline
//! `GITALY_X=1 cmd` loses the assignment, a JSON member is deleted and the JSON
//! stays valid with the file's indentation, a Ruby hash pair is removed.

use super::{Edit, FixError, Round};
use std::collections::HashSet;
use tree_sitter::Node;

/// The whole line around `offset`: (start, end including its newline).
fn line_of(src: &str, offset: usize) -> (usize, usize) {
    let start = src[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = src[offset..]
        .find('\n')
        .map_or(src.len(), |i| offset + i + 1);
    (start, end)
}

/// The edits for the selected entries (by start byte) of a config file.
pub fn edits(src: &str, path: &str, selected: &HashSet<usize>, out: &mut Round) {
    for &at in selected {
        if at >= src.len() {
            continue;
        }
        let (ls, le) = line_of(src, at);
        let line = &src[ls..le];
        let trimmed = line.trim();
        let var_end = src[at..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(src.len(), |i| at + i);
        let result = if path.ends_with(".json") {
            json_member(src, at, ls, le)
        } else {
            let after = &src[var_end..le];
            let before = src[ls..at].trim();
            let sole = (before.is_empty()
                || before == "export"
                || before == "-"
                || before == "\""
                || before == "- \"")
                && !after.trim_end().contains(char::is_whitespace);
            if sole {
                Ok(Edit::new(ls, le, String::new()))
            } else if let Some(eq) = after.strip_prefix('=') {
                // `GITALY_X=1 cmd`: drop the assignment and its space.
                let value_len = eq.find(char::is_whitespace).unwrap_or(eq.len());
                let end = var_end + 1 + value_len;
                let end = end + src[end..le].len() - src[end..le].trim_start().len();
                Ok(Edit::new(at, end, String::new()))
            } else {
                Err(FixError::SetsMore(trimmed.to_string()))
            }
        };
        out.record(at, result)
    }
}

/// Deletes the JSON member whose key starts at `at` (inside its quotes).
fn json_member(src: &str, at: usize, ls: usize, le: usize) -> Result<Edit, FixError> {
    let line = src[ls..le].trim();
    let key_start = at.saturating_sub(1);
    if !line.starts_with('"') || src[ls..key_start].trim() != "" {
        return Err(FixError::JsonSharedLine);
    }
    if line.ends_with('{') || line.ends_with('[') {
        return Err(FixError::JsonMultiLine);
    }
    if line.ends_with(',') {
        return Ok(Edit::new(ls, le, String::new()));
    }
    // The last member: the one before it loses its comma.
    let before = &src[..ls];
    let prev_end = before.trim_end().len();
    if before[..prev_end].ends_with(',') {
        let mut e = Edit::new(prev_end - 1, le, String::new());
        e.text = src[prev_end..ls].to_string();
        return Ok(e);
    }
    Ok(Edit::new(ls, le, String::new()))
}

/// Removes a `'GITALY_X' => '1'` pair from a Ruby hash.
pub fn ruby_pair(src: &str, pair: Node) -> Result<Edit, FixError> {
    let (mut start, mut end) = (pair.start_byte(), pair.end_byte());
    let rest = &src[end..];
    let trailing = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    if rest[trailing..].starts_with(',') {
        end += trailing + 1;
        end += src[end..].len() - src[end..].trim_start_matches([' ', '\t']).len();
    } else {
        let before = &src[..start];
        let t = before.trim_end_matches([' ', '\t']);
        if t.ends_with(',') {
            start = t.len() - 1;
        }
    }
    // Alone on its line: the whole line goes.
    let (ls, le) = line_of(src, pair.start_byte());
    if src[ls..pair.start_byte()].trim().is_empty() && src[end.min(le)..le].trim().is_empty() {
        return Ok(Edit::new(ls, le, String::new()));
    }
    Ok(Edit::new(start, end, String::new()))
}

/// Shell: `if MIGRATED.key?(cmd) && @gitaly` keeps the table lookup and drops
/// the feature check (`if MIGRATED.key?(cmd)`).
pub fn shell_condition(src: &str, stmt: Node) -> Result<Edit, FixError> {
    let cond = stmt
        .child_by_field_name("condition")
        .ok_or(FixError::NoCondition)?;
    if cond.kind() != "binary" {
        return Err(FixError::NotLookupAndCheck);
    }
    let op = cond
        .child_by_field_name("operator")
        .map(|o| &src[o.byte_range()])
        .unwrap_or("");
    let (Some(l), Some(r)) = (
        cond.child_by_field_name("left"),
        cond.child_by_field_name("right"),
    ) else {
        return Err(FixError::NotLookupAndCheck);
    };
    let is_lookup = |n: Node| {
        n.kind() == "call"
            && n.child_by_field_name("method")
                .is_some_and(|m| matches!(&src[m.byte_range()], "key?" | "has_key?" | "include?"))
    };
    let keep = match (op, is_lookup(l), is_lookup(r)) {
        ("&&" | "and", true, false) => l,
        ("&&" | "and", false, true) => r,
        _ => return Err(FixError::NotLookupAndCheck),
    };
    Ok(Edit::new(
        cond.start_byte(),
        cond.end_byte(),
        src[keep.byte_range()].to_string(),
    ))
}
