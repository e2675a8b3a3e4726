//! Moving features a stage (`flaglint promote FEATURE... --to STAGE`): the
//! status every client site states, and the registry entry.
//!
//! - Ruby (GitLab-CE): a `gitaly_migrate(:x)`, `GitalyClient.migrate(:x)` or
//!   `feature_enabled?(:x)` site gets `status: …MigrationStatus::OPT_OUT`
//!   (Opt-Out), `…::OPT_IN` (Opt-In) or `…::DISABLED` (Ready-for-Testing):
//!   the constant of a `status:` argument is replaced (its path kept), or the
//!   argument is added after the last one, with the constant path the file
//!   already uses. A site without a status is Opt-In already.
//! - Go (Gitaly's definitions): `OnByDefault: true` for Opt-Out, `false` else.
//! - The registry entry's `stage`, edited in place (`toml_edit`: comments and
//!   layout stay).
//!
//! Config and doc references are listed as follow-ups (a `GITALY_X=1` that
//! only opted in; a runbook saying how to enable it): prose is not rewritten.
//! `--to mandatory` is `flaglint fix`. The result is a [`Plan`] that
//! [`crate::engine::fix`]'s diff and writing apply.

use crate::cleanup::{FilePlan, Plan};
use crate::config::{Config, Stage};
use crate::model::{CallForm, Form, Kind, Language, Reference};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// What a promotion does.
#[derive(Debug, Default)]
pub struct Promotion {
    /// The files changed (the registry among them), as the fix plans them.
    pub plan: Plan,
    /// The sites whose status changes.
    pub sites: usize,
    /// Sites left as they are, with why (`shown:line: why`).
    pub left: Vec<String>,
    /// References to review by hand (`shown:line: what`).
    pub follow_ups: Vec<String>,
}

/// Why a promotion cannot be planned.
#[derive(Debug, thiserror::Error)]
pub enum PromoteError {
    #[error("no feature `{0}` in the registry or the code")]
    Unknown(String),
    #[error("`{0}` is not in the registry: promote needs its entry (add a [[feature]] for it)")]
    NotRegistered(String),
    #[error("the registry cannot be edited: {0}")]
    Registry(String),
}

/// The status constant a stage states in GitLab-CE's code.
pub fn status_constant(stage: Stage) -> &'static str {
    match stage {
        Stage::ReadyForTesting => "DISABLED",
        Stage::OptIn => "OPT_IN",
        Stage::OptOut => "OPT_OUT",
        Stage::Mandatory => "MANDATORY",
    }
}

const STATUSES: &[&str] = &["DISABLED", "OPT_IN", "OPT_OUT", "MANDATORY"];

/// Plans moving `names` (registry names or aliases) to `to` (not Mandatory:
/// that is the fix).
pub fn plan(
    refs: &[Reference],
    config: &Config,
    names: &[String],
    to: Stage,
) -> Result<Promotion, PromoteError> {
    let mut features: Vec<&crate::config::Feature> = Vec::new();
    for n in names {
        match config.feature(n) {
            Some(f) => features.push(f),
            None if refs.iter().any(|r| &r.flag == n) => {
                return Err(PromoteError::NotRegistered(n.clone()))
            }
            None => return Err(PromoteError::Unknown(n.clone())),
        }
    }
    let selected: BTreeSet<&str> = features.iter().map(|f| f.name.as_str()).collect();
    let mut out = Promotion::default();
    let mut by_file: BTreeMap<PathBuf, Vec<&Reference>> = BTreeMap::new();
    for r in refs {
        if !r.feature.as_deref().is_some_and(|f| selected.contains(f)) {
            continue;
        }
        let shown = format!(
            "{}:{}:{}",
            r.location.component, r.location.path, r.location.span.line
        );
        match (r.language, r.kind) {
            (Language::Ruby, Kind::Toggle | Kind::Check)
                if matches!(
                    r.call,
                    CallForm::GitalyMigrate
                        | CallForm::Migrate
                        | CallForm::ToggleMethod
                        | CallForm::FeatureEnabled
                ) =>
            {
                by_file.entry(r.location.abs_path.clone()).or_default().push(r)
            }
            (Language::Go, Kind::Definition) if r.form == Form::Call(CallForm::Definition) => {
                by_file.entry(r.location.abs_path.clone()).or_default().push(r)
            }
            (_, Kind::Config) => out.follow_ups.push(format!(
                "{shown}: {} sets `{}`{}: review it for the new default",
                r.kind.as_str(),
                r.flag,
                r.value.as_deref().map(|v| format!(" to `{v}`")).unwrap_or_default()
            )),
            (_, Kind::Toggle | Kind::Check | Kind::Env)
                if r.call != CallForm::GitalyServerBranch =>
            {
                out.follow_ups.push(format!(
                "{shown}: {} `{}` ({}) states no status flaglint can change: check its default by hand",
                r.kind.as_str(),
                r.flag,
                r.call
                ))
            }
            (_, Kind::Doc) => out.follow_ups.push(format!(
                "{shown}: the docs name `{}`: update what they say about enabling or disabling it",
                r.flag
            )),
            _ => {}
        }
    }
    for (path, sites) in by_file {
        let shown = format!("{}:{}", sites[0].location.component, sites[0].location.path);
        let original = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                out.left.push(format!("{shown}: not valid UTF-8"));
                continue;
            }
            Err(e) => {
                out.left.push(format!("{shown}: cannot read: {e}"));
                continue;
            }
        };
        let mut edits = Vec::new();
        let tree = (sites[0].language == Language::Ruby)
            .then(|| crate::cleanup::ruby::parse(&original))
            .flatten();
        let prefix = status_prefix(&original);
        for r in &sites {
            let line = r.location.span.line;
            let edit = match (&tree, r.language) {
                (_, Language::Go) => go_edit(&original, r, to),
                (Some(tree), _) => {
                    let site = RubySite {
                        text: &original,
                        tree,
                        prefix: &prefix,
                    };
                    site.edit(r, to, &config.toggle_methods)
                }
                (None, _) => Err("the file does not parse".to_string()),
            };
            match edit {
                Ok(Some(e)) => {
                    out.sites += 1;
                    edits.push(e);
                }
                Ok(None) => {}
                Err(why) => out
                    .left
                    .push(format!("{shown}:{line}: `{}`: {why}", r.flag)),
            }
        }
        if edits.is_empty() {
            continue;
        }
        let fixed = crate::cleanup::apply_edits(&original, edits);
        let broken = |t: &str| match sites[0].language {
            Language::Go => crate::cleanup::go::parse(t).is_none_or(|x| x.root_node().has_error()),
            _ => crate::cleanup::ruby::parse(t).is_none_or(|x| x.root_node().has_error()),
        };
        let abandoned = (broken(&fixed) && !broken(&original))
            .then_some(crate::cleanup::FixError::WouldNotParse);
        out.plan
            .files
            .push(file_plan(path, shown, original, fixed, abandoned));
    }
    if let Some(path) = &config.path {
        let original = config.source.clone();
        let fixed = registry_edit(&original, &features, to)?;
        if fixed != original {
            let shown = format!("registry:{}", path.display());
            out.plan
                .files
                .push(file_plan(path.clone(), shown, original, fixed, None));
        }
    }
    Ok(out)
}

fn file_plan(
    path: PathBuf,
    shown: String,
    original: String,
    fixed: String,
    abandoned: Option<crate::cleanup::FixError>,
) -> FilePlan {
    FilePlan {
        path,
        shown,
        original,
        fixed,
        abandoned,
        dead: Vec::new(),
        deleted: Vec::new(),
        helpers: Vec::new(),
        inlined: Vec::new(),
        specs: Vec::new(),
    }
}

/// The `stage` of each feature's `[[feature]]` entry set to `to`, the rest of
/// the file untouched.
fn registry_edit(
    text: &str,
    features: &[&crate::config::Feature],
    to: Stage,
) -> Result<String, PromoteError> {
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| PromoteError::Registry(e.to_string()))?;
    let Some(entries) = doc
        .get_mut("feature")
        .and_then(|f| f.as_array_of_tables_mut())
    else {
        return Ok(text.to_string());
    };
    for entry in entries.iter_mut() {
        let name = entry.get("name").and_then(|n| n.as_str()).unwrap_or("");
        if !features.iter().any(|f| f.name == name) {
            continue;
        }
        match entry.get_mut("stage").and_then(|s| s.as_value_mut()) {
            Some(v) if v.as_str() == Some(to.as_str()) => {}
            Some(v) => {
                let decor = v.decor().clone();
                *v = toml_edit::Value::from(to.as_str());
                *v.decor_mut() = decor;
            }
            None => {
                entry.insert("stage", toml_edit::value(to.as_str()));
            }
        }
    }
    Ok(doc.to_string())
}

/// The status constant path the file already uses (`Gitlab::GitalyClient::MigrationStatus`).
fn status_prefix(text: &str) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (at, _) in text.match_indices("MigrationStatus::") {
        let start = text[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == ':' || c == '_'))
            .map_or(0, |i| i + 1);
        let rest = &text[at + "MigrationStatus::".len()..];
        if STATUSES.iter().any(|s| rest.starts_with(s)) {
            *counts
                .entry(&text[start..at + "MigrationStatus".len()])
                .or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(p, n)| (*n, p.len()))
        .map_or(
            "Gitlab::GitalyClient::MigrationStatus".to_string(),
            |(p, _)| p.to_string(),
        )
}

/// A Ruby file's sites: its text, its tree (parsed once), its status prefix.
struct RubySite<'a> {
    text: &'a str,
    tree: &'a tree_sitter::Tree,
    prefix: &'a str,
}

impl RubySite<'_> {
    /// The edit that makes a Ruby site state `to` (`None`: it does already).
    fn edit(
        &self,
        r: &Reference,
        to: Stage,
        toggle_methods: &[String],
    ) -> Result<Option<crate::cleanup::Edit>, String> {
        let (text, tree) = (self.text, self.tree);
        let want = status_constant(to);
        let start = r.location.span.start_byte;
        let leaf = tree
            .root_node()
            .descendant_for_byte_range(start, start)
            .ok_or("the site is not found")?;
        let methods = ["gitaly_migrate", "migrate", "feature_enabled?"];
        let call = std::iter::once(leaf)
            .chain(crate::frontend::climb(leaf))
            .filter(|n| n.kind() == "call" && n.start_byte() == start)
            .find(|n| {
                n.child_by_field_name("method")
                    .and_then(|m| m.utf8_text(text.as_bytes()).ok())
                    .is_some_and(|m| methods.contains(&m) || toggle_methods.iter().any(|t| t == m))
            })
            .ok_or("the call is not found")?;
        let args = call
            .child_by_field_name("arguments")
            .ok_or("the call has no arguments")?;
        let mut cursor = args.walk();
        let children: Vec<tree_sitter::Node> = args.named_children(&mut cursor).collect();
        let status = children.iter().find(|c| {
            c.kind() == "pair"
                && c.child_by_field_name("key")
                    .and_then(|k| k.utf8_text(text.as_bytes()).ok())
                    .is_some_and(|k| k == "status" || k == "status:")
        });
        if let Some(pair) = status {
            let value = pair.child_by_field_name("value").ok_or("no status value")?;
            let v = &text[value.byte_range()];
            let Some(current) = STATUSES
                .iter()
                .find(|s| v == **s || v.ends_with(&format!("::{s}")))
            else {
                return Err(format!("its status is `{v}`, not a status constant"));
            };
            if *current == want {
                return Ok(None);
            }
            let end = value.end_byte();
            return Ok(Some(crate::cleanup::Edit::new(
                end - current.len(),
                end,
                want.to_string(),
            )));
        }
        if to == Stage::OptIn {
            return Ok(None); // no status: Opt-In
        }
        // After the last argument, before a `&block` argument.
        let last = children
            .iter()
            .rev()
            .find(|c| c.kind() != "block_argument" && c.kind() != "comment")
            .ok_or("the call has no flag argument")?;
        let prefix = self.prefix;
        let multiline = children
            .first()
            .is_some_and(|f| f.start_position().row != last.start_position().row);
        let insert = if multiline {
            let indent = crate::cleanup::edit::line_indent(text, last.start_byte());
            format!(",\n{indent}status: {prefix}::{want}")
        } else {
            format!(", status: {prefix}::{want}")
        };
        Ok(Some(crate::cleanup::Edit::new(
            last.end_byte(),
            last.end_byte(),
            insert,
        )))
    }
}

/// The edit that makes a Go definition's `OnByDefault` what `to` says.
fn go_edit(text: &str, r: &Reference, to: Stage) -> Result<Option<crate::cleanup::Edit>, String> {
    let on = to == Stage::OptOut;
    let span = &r.location.span;
    let def = text
        .get(span.start_byte..span.end_byte)
        .ok_or("the definition is not found")?;
    let want = if on { "true" } else { "false" };
    if let Some(at) = def.find("OnByDefault:") {
        let rest = &def[at + "OnByDefault:".len()..];
        let lead = rest.len() - rest.trim_start().len();
        let value_start = span.start_byte + at + "OnByDefault:".len() + lead;
        let value: String = rest
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if value == want {
            return Ok(None);
        }
        if value != "true" && value != "false" {
            return Err(format!("its OnByDefault is `{value}`, not a literal"));
        }
        return Ok(Some(crate::cleanup::Edit::new(
            value_start,
            value_start + value.len(),
            want.to_string(),
        )));
    }
    if !on {
        return Ok(None); // off by default already
    }
    let close = def.rfind('}').ok_or("the definition is not a literal")?;
    Ok(Some(crate::cleanup::Edit::new(
        span.start_byte + close,
        span.start_byte + close,
        ", OnByDefault: true".to_string(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_is_the_one_the_file_uses() {
        assert_eq!(
            status_prefix("x(status: MigrationStatus::OPT_IN)\ny(status: MigrationStatus::OPT_OUT)\nz(status: Gitlab::GitalyClient::MigrationStatus::OPT_IN)\n"),
            "MigrationStatus"
        );
        assert_eq!(status_prefix(""), "Gitlab::GitalyClient::MigrationStatus");
    }

    #[test]
    fn the_registry_keeps_its_comments_and_layout() {
        let src = "# top\n[[feature]]\nname = \"a\"   # the flag\nstage = \"opt-in\"  # since 10.4\n\n[[feature]]\nname = \"b\"\nstage = \"opt-in\"\n";
        let f = crate::config::Feature {
            name: "a".into(),
            stage: Stage::OptIn,
            endpoint: None,
            issue: None,
            aliases: Vec::new(),
            name_span: (0, 0),
            endpoint_span: None,
            waivers: Vec::new(),
            since: Vec::new(),
            since_span: None,
        };
        let out = registry_edit(src, &[&f], Stage::OptOut).unwrap();
        assert_eq!(
            out,
            "# top\n[[feature]]\nname = \"a\"   # the flag\nstage = \"opt-out\"  # since 10.4\n\n[[feature]]\nname = \"b\"\nstage = \"opt-in\"\n"
        );
        assert_eq!(registry_edit(&out, &[&f], Stage::OptOut).unwrap(), out);
    }
}
