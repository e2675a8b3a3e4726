//! Configuration and docs: no code parser, structured where the format allows.
//!
//! - shell scripts and env files: `GITALY_X=1`, `export GITALY_X=0`, `GITALY_X=1 cmd`;
//! - JSON (Chef roles): keys `GITALY_X` anywhere, with their JSON path;
//! - YAML: `name: gitaly_x` (feature-flag definitions), `GITALY_X: "1"` and
//!   `- GITALY_X=1` (env blocks), other mentions (Prometheus rules);
//! - Markdown and text: `GITALY_X`, `gitaly_x`, `Feature.enable(:gitaly_x)`,
//!   `gitaly_migrate(:x)` in code spans or prose.
//!
//! Assignments are always references (kind `config`). Plain mentions (kind
//! `doc`, and YAML mentions) are *candidates*: the scan keeps those whose flag
//! is known — a registry name or alias, a flag the code references, or the
//! canonical flag of a catalog endpoint — so `gitaly_address` or a metric
//! named `gitaly_service_client_requests_total` is not a flag.
//! Comment lines of shell, env and YAML files are skipped.

use super::{Deferred, FileFacts, Frontend, FrontendOptions, RawRef, SourceFile, SourceMap};
use crate::model::{CallForm, Kind, Language, Status};
use crate::prefilter::Prefilter;

/// The frontend of configuration and docs, as registered in [`super::FRONTENDS`].
pub struct Text;

impl Frontend for Text {
    fn language(&self) -> Language {
        Language::Text
    }

    fn claims(&self, name: &str, head: Option<&[u8]>) -> bool {
        Format::of(name, head).is_some()
    }

    fn wants(&self, bytes: &[u8], prefilter: &Prefilter) -> bool {
        prefilter.text_matches(bytes)
    }

    /// No syntax tree: large files are read in the parallel pass.
    fn builds_tree(&self) -> bool {
        false
    }

    fn extract(&self, file: &SourceFile, opts: &FrontendOptions) -> FileFacts {
        let mut out = FileFacts::default();
        let Some(format) = Format::of(file.name(), Some(file.bytes)) else {
            return out;
        };
        for t in extract(file.bytes, format, &opts.env_ignore) {
            let raw = RawRef {
                json_path: t.json_path,
                ..t.raw
            };
            if t.candidate {
                out.deferred.push(Deferred::Mention(raw));
            } else {
                out.refs.push(raw);
            }
        }
        out
    }
}

/// The text formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Shell,
    Json,
    Yaml,
    Doc,
}

impl Format {
    /// The format of the file `name` whose first bytes are `head` (see
    /// [`Frontend::claims`]): by extension, or a shell script by its shebang.
    pub fn of(name: &str, head: Option<&[u8]>) -> Option<Format> {
        match name.rsplit_once('.') {
            Some((_, "sh" | "bash" | "env")) => Some(Format::Shell),
            Some((_, "json")) => Some(Format::Json),
            Some((_, "yml" | "yaml")) => Some(Format::Yaml),
            Some((_, "md" | "markdown" | "txt" | "adoc" | "rst")) => Some(Format::Doc),
            Some(_) => None,
            None => match head {
                None => Some(Format::Shell),
                Some(head) => super::shebang(head)
                    .filter(|line| memchr::memmem::find(line, b"sh").is_some())
                    .map(|_| Format::Shell),
            },
        }
    }
}

/// A reference from a text file; `candidate` ones are kept only for known flags.
#[derive(Debug, Clone)]
pub struct TextRef {
    pub raw: RawRef,
    /// A plain mention, kept only if the flag is known.
    pub candidate: bool,
    /// The JSON path of a key, e.g. `default_attributes.omnibus-gitlab.env.GITALY_X`.
    pub json_path: Option<String>,
}

/// Extracts the references of a text file.
pub fn extract(src: &[u8], format: Format, env_ignore: &[String]) -> Vec<TextRef> {
    let map = SourceMap::new(src);
    let mut out = Vec::new();
    match format {
        Format::Json => json(src, &map, env_ignore, &mut out),
        _ => lines(src, format, &map, env_ignore, &mut out),
    }
    out.sort_by_key(|r| (r.raw.span.start_byte, r.raw.span.end_byte));
    out
}

fn raw(
    flag: String,
    kind: Kind,
    call: CallForm,
    map: &SourceMap,
    start: usize,
    end: usize,
) -> RawRef {
    RawRef::direct(flag, kind, call, map.range(start, end), Status::None)
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Every `GITALY_X` (upper case) or `gitaly_x` (lower case) word in `line`:
/// the flag is the name without the prefix, lower case.
fn prefixed_words(line: &[u8]) -> Vec<Word> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 7 <= line.len() {
        let upper = &line[i..i + 7] == b"GITALY_";
        let lower = &line[i..i + 7] == b"gitaly_";
        if (upper || lower) && (i == 0 || !is_word(line[i - 1])) {
            let mut j = i + 7;
            while j < line.len() && is_word(line[j]) {
                j += 1;
            }
            let name = &line[i + 7..j];
            let well_formed = !name.is_empty()
                && name.iter().all(|&b| {
                    if upper {
                        b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'
                    } else {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'
                    }
                })
                && !name.ends_with(b"_");
            if well_formed {
                out.push(Word {
                    start: i,
                    end: j,
                    flag: String::from_utf8_lossy(name).to_ascii_lowercase(),
                    upper,
                });
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

impl TextRef {
    /// A reference kept whatever its flag: an assignment, a definition, a call.
    fn sure(raw: RawRef) -> TextRef {
        TextRef {
            raw,
            candidate: false,
            json_path: None,
        }
    }

    /// A plain mention, kept only if the flag is known.
    fn mention(raw: RawRef) -> TextRef {
        TextRef {
            candidate: true,
            ..TextRef::sure(raw)
        }
    }
}

/// A `GITALY_X` word of a line: where it stands in the line, the flag, and
/// whether it was written upper case.
struct Word {
    start: usize,
    end: usize,
    flag: String,
    upper: bool,
}

fn lines(
    src: &[u8],
    format: Format,
    map: &SourceMap,
    env_ignore: &[String],
    out: &mut Vec<TextRef>,
) {
    let mut offset = 0;
    let mut in_fence = false;
    for line in src.split_inclusive(|&b| b == b'\n') {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_ascii_start();
        if format == Format::Doc && (trimmed.starts_with(b"```") || trimmed.starts_with(b"~~~")) {
            in_fence = !in_fence;
            continue;
        }
        let comment = trimmed.starts_with(b"#");
        if comment && matches!(format, Format::Shell | Format::Yaml) {
            continue;
        }
        // A heading in Markdown starts with `#` too: docs keep it.
        for word in prefixed_words(line) {
            let var = format!("GITALY_{}", word.flag.to_ascii_uppercase());
            if word.upper && env_ignore.contains(&var) {
                continue;
            }
            out.extend(word_ref(format, line, start, word, in_fence, map));
        }
        if format == Format::Doc {
            doc_calls(line, start, map, out);
        }
    }
}

/// The reference a `GITALY_X` word of `line` (starting at byte `start` of the
/// file; `in_fence`: inside a fenced code block) makes in a file of `format`.
fn word_ref(
    format: Format,
    line: &[u8],
    start: usize,
    word: Word,
    in_fence: bool,
    map: &SourceMap,
) -> Option<TextRef> {
    let (after, before) = (&line[word.end..], &line[..word.start]);
    if after.first() == Some(&b'(') {
        // `gitaly_migrate(`, `gitaly_repository(`: a method, not a flag.
        return None;
    }
    let (upper, name) = (word.upper, word.flag);
    let span = (start + word.start, start + word.end);
    let raw = |kind, call| raw(name.clone(), kind, call, map, span.0, span.1);
    let assigned = upper && after.first() == Some(&b'=') && after.get(1) != Some(&b'=');
    match format {
        Format::Shell if assigned => Some(env_assignment(raw, &after[1..])),
        Format::Yaml if !upper && yaml_key_is(before, b"name") => Some(TextRef::sure(raw(
            Kind::Config,
            CallForm::FeatureDefinition,
        ))),
        Format::Yaml
            if upper
                && (assigned
                    || after.first() == Some(&b':')
                    || after.starts_with(b"\":")
                    || after.starts_with(b"':")) =>
        {
            let rest = if assigned {
                &after[1..]
            } else {
                after
                    .splitn(2, |&b| b == b':')
                    .nth(1)
                    .unwrap_or(b"")
                    .trim_ascii_start()
            };
            Some(env_assignment(raw, rest))
        }
        Format::Yaml => Some(TextRef::mention(raw(Kind::Config, CallForm::YamlMention))),
        Format::Doc => {
            let in_code = in_fence || before.iter().filter(|&&b| b == b'`').count() % 2 == 1;
            let form = if in_code {
                CallForm::DocCode
            } else {
                CallForm::DocProse
            };
            Some(TextRef::mention(raw(Kind::Doc, form)))
        }
        _ => None,
    }
}

/// `GITALY_X=value` in an env file or a YAML env block: the reference (made by
/// `raw`) with the value `rest` starts with, unquoted.
fn env_assignment(raw: impl Fn(Kind, CallForm) -> RawRef, rest: &[u8]) -> TextRef {
    let v: Vec<u8> = rest
        .iter()
        .copied()
        .take_while(|&b| !b.is_ascii_whitespace() && b != b';' && b != b'#')
        .collect();
    let value = String::from_utf8_lossy(&v)
        .trim_matches(|c| c == '"' || c == '\'')
        .to_string();
    TextRef::sure(RawRef {
        value: Some(value),
        ..raw(Kind::Config, CallForm::EnvAssignment)
    })
}

/// `key:` at the start of a YAML line (after `- ` and indentation).
fn yaml_key_is(before: &[u8], key: &[u8]) -> bool {
    let t = before.trim_ascii();
    let t = t.strip_prefix(b"- ").unwrap_or(t).trim_ascii_start();
    t.strip_prefix(key).is_some_and(|r| {
        r.trim_ascii() == b":" || r.trim_ascii() == b":\"" || r.trim_ascii() == b":'"
    })
}

/// `gitaly_migrate(:x)`, `feature_enabled?(:x)` and `Feature::Gitaly.enabled?(:x)`
/// in docs: the flag named without a prefix.
fn doc_calls(line: &[u8], start: usize, map: &SourceMap, out: &mut Vec<TextRef>) {
    for pat in [
        &b"gitaly_migrate("[..],
        b"feature_enabled?(",
        b"Feature::Gitaly.enabled?(",
    ] {
        let mut from = 0;
        while let Some(i) = memchr::memmem::find(&line[from..], pat).map(|i| i + from) {
            let arg = &line[i + pat.len()..];
            let name: Vec<u8> = arg
                .strip_prefix(b":")
                .unwrap_or(b"")
                .iter()
                .copied()
                .take_while(|&b| is_word(b))
                .collect();
            if !name.is_empty() {
                let s = start + i + pat.len() + 1;
                out.push(TextRef::sure(raw(
                    String::from_utf8_lossy(&name).into_owned(),
                    Kind::Doc,
                    CallForm::DocCode,
                    map,
                    s,
                    s + name.len(),
                )));
            }
            from = i + pat.len();
        }
    }
}

/// JSON: every object key `GITALY_X`, with its path and value.
fn json(src: &[u8], map: &SourceMap, env_ignore: &[String], out: &mut Vec<TextRef>) {
    // A small tokenizer: enough to track the key path; invalid JSON degrades
    // to "keys we could see", never a failure.
    let mut path: Vec<String> = Vec::new();
    // For each open container: is it an object?
    let mut stack: Vec<bool> = Vec::new();
    let mut expect_key = false;
    let mut pending_key: Option<(String, usize, usize)> = None;
    let mut i = 0;
    while i < src.len() {
        match src[i] {
            open @ (b'{' | b'[') => {
                // A container opens: its path segment is the key it is the
                // value of (none in an array); an object expects a key.
                let object = open == b'{';
                stack.push(object);
                if let Some((k, _, _)) = pending_key.take() {
                    path.push(k);
                } else if stack.len() > 1 {
                    path.push(String::new());
                }
                expect_key = object;
                i += 1;
            }
            b'}' | b']' => {
                stack.pop();
                if !stack.is_empty() {
                    path.pop();
                }
                pending_key = None;
                i += 1;
            }
            b',' => {
                expect_key = stack.last() == Some(&true);
                pending_key = None;
                i += 1;
            }
            b':' => {
                expect_key = false;
                i += 1;
            }
            b'"' => {
                let s = i;
                i += 1;
                while i < src.len() && src[i] != b'"' {
                    i += if src[i] == b'\\' { 2 } else { 1 };
                }
                let e = (i + 1).min(src.len());
                i = e;
                let text =
                    String::from_utf8_lossy(&src[(s + 1).min(e)..e.saturating_sub(1).max(s + 1)])
                        .into_owned();
                if expect_key {
                    pending_key = Some((text, s, e));
                    expect_key = false;
                } else if let Some((key, ks, ke)) = pending_key.take() {
                    emit_json_key(&key, ks, ke, Some(text), &path, map, env_ignore, out);
                }
            }
            b if b.is_ascii_whitespace() => i += 1,
            _ => {
                // A bare value (number, true, null): ends at a delimiter.
                let s = i;
                while i < src.len() && !matches!(src[i], b',' | b'}' | b']' | b'\n') {
                    i += 1;
                }
                if let Some((key, ks, ke)) = pending_key.take() {
                    let v = String::from_utf8_lossy(&src[s..i]).trim().to_string();
                    emit_json_key(&key, ks, ke, Some(v), &path, map, env_ignore, out);
                }
            }
        }
        // A key whose value is a container: `pending_key` is consumed by `{`/`[`.
        if let Some((key, ks, ke)) = &pending_key {
            if !expect_key && key.starts_with("GITALY_") && next_is_container(src, i) {
                emit_json_key(key, *ks, *ke, None, &path, map, env_ignore, out);
            }
        }
    }
}

fn next_is_container(src: &[u8], mut i: usize) -> bool {
    while i < src.len() && (src[i].is_ascii_whitespace() || src[i] == b':') {
        i += 1;
    }
    matches!(src.get(i), Some(b'{' | b'['))
}

#[allow(clippy::too_many_arguments)]
fn emit_json_key(
    key: &str,
    ks: usize,
    ke: usize,
    value: Option<String>,
    path: &[String],
    map: &SourceMap,
    env_ignore: &[String],
    out: &mut Vec<TextRef>,
) {
    let Some(flag) = super::env_flag(key, env_ignore, true) else {
        return;
    };
    if out.iter().any(|r| r.raw.span.start_byte == ks + 1) {
        return;
    }
    let mut full: Vec<&str> = path
        .iter()
        .map(String::as_str)
        .filter(|p| !p.is_empty())
        .collect();
    full.push(key);
    out.push(TextRef {
        json_path: Some(full.join(" → ")),
        ..TextRef::sure(RawRef {
            value,
            ..raw(
                flag,
                Kind::Config,
                CallForm::JsonKey,
                map,
                ks + 1,
                ke.saturating_sub(1),
            )
        })
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(src: &str, format: Format) -> Vec<(String, &'static str, bool, Option<String>)> {
        extract(src.as_bytes(), format, &["GITALY_TOKEN".to_string()])
            .into_iter()
            .map(|r| (r.raw.flag, r.raw.form.as_str(), r.candidate, r.raw.value))
            .collect()
    }

    #[test]
    fn shell_assignments_skip_comments_and_settings() {
        let got = flags("export GITALY_FIND_COMMIT=1\n# GITALY_OFF=1\nGITALY_TOKEN=x\nGITALY_GET_BLOB='0' exec x\n", Format::Shell);
        assert_eq!(
            got,
            vec![
                (
                    "find_commit".into(),
                    "env-assignment",
                    false,
                    Some("1".into())
                ),
                ("get_blob".into(), "env-assignment", false, Some("0".into())),
            ]
        );
    }

    #[test]
    fn json_keys_with_paths() {
        let src = "{\n  \"default_attributes\": {\n    \"env\": {\n      \"GITALY_FIND_COMMIT\": \"1\",\n      \"OTHER\": 2\n    }\n  }\n}\n";
        let refs = extract(src.as_bytes(), Format::Json, &[]);
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].raw.flag, "find_commit");
        assert_eq!(refs[0].raw.span.line, 4);
        assert_eq!(
            refs[0].json_path.as_deref(),
            Some("default_attributes → env → GITALY_FIND_COMMIT")
        );
        assert_eq!(refs[0].raw.value.as_deref(), Some("1"));
    }

    #[test]
    fn broken_json_does_not_fail() {
        let refs = extract(
            b"{\"GITALY_X\": \"1\", \"a\": [1, {\"GITALY_Y\"",
            Format::Json,
            &[],
        );
        assert_eq!(refs.len(), 1);
    }

    #[test]
    fn yaml_definitions_env_and_mentions() {
        let got = flags("name: gitaly_find_commit\nenv:\n  GITALY_GET_BLOB: \"1\"\n  - GITALY_RAW_DIFF=0\nexpr: rate(gitaly_find_commit[5m])\n# name: gitaly_commented\n", Format::Yaml);
        assert_eq!(
            got,
            vec![
                ("find_commit".into(), "feature-definition", false, None),
                ("get_blob".into(), "env-assignment", false, Some("1".into())),
                ("raw_diff".into(), "env-assignment", false, Some("0".into())),
                ("find_commit".into(), "yaml-mention", true, None),
            ]
        );
    }

    #[test]
    fn docs_mentions_and_calls() {
        let got = flags("Set `GITALY_FIND_COMMIT` or run `Feature.enable(:gitaly_tags)`.\nCall gitaly_migrate(:root_ref) here.\n", Format::Doc);
        assert_eq!(
            got,
            vec![
                ("find_commit".into(), "doc-code", true, None),
                ("tags".into(), "doc-code", true, None),
                ("root_ref".into(), "doc-code", false, None),
            ]
        );
    }

    fn word_of(line: &[u8]) -> Word {
        prefixed_words(line).into_iter().next().unwrap()
    }

    #[test]
    fn an_assignment_keeps_its_unquoted_value() {
        let map = SourceMap::new(b"GITALY_X=\"1\"; y\n");
        let make = |kind, call| raw("x".into(), kind, call, &map, 0, 8);
        let r = env_assignment(make, b"\"1\"; y\n");
        assert_eq!(r.raw.value.as_deref(), Some("1"));
        assert_eq!(
            (r.raw.kind, r.raw.call),
            (Kind::Config, CallForm::EnvAssignment)
        );
        assert!(!r.candidate && r.json_path.is_none());
        let r = env_assignment(make, b"'0' # off");
        assert_eq!(r.raw.value.as_deref(), Some("0"));
    }

    #[test]
    fn a_word_makes_the_reference_of_its_format() {
        let line = b"  GITALY_FIND_COMMIT: '1'\n";
        let map = SourceMap::new(line);
        let w = word_of(line);
        assert_eq!(
            (w.start, w.end, w.flag.as_str(), w.upper),
            (2, 20, "find_commit", true)
        );
        let r = word_ref(Format::Yaml, line, 0, w, false, &map).unwrap();
        assert_eq!(
            (r.raw.call, r.raw.value.as_deref()),
            (CallForm::EnvAssignment, Some("1"))
        );
        let line = b"see `gitaly_find_commit` and gitaly_repo(x)\n";
        let map = SourceMap::new(line);
        let r = word_ref(Format::Doc, line, 0, word_of(line), false, &map).unwrap();
        assert_eq!((r.raw.call, r.candidate), (CallForm::DocCode, true));
        let method = prefixed_words(line).pop().unwrap();
        assert!(word_ref(Format::Doc, line, 0, method, false, &map).is_none());
        let line = b"GITALY_X=1\n";
        let map = SourceMap::new(line);
        assert!(word_ref(Format::Json, line, 0, word_of(line), false, &map).is_none());
    }
}
