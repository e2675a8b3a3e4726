//! The JSON Schema of `flaglint.toml`, shipped at `schema/flaglint.schema.json`
//! for editors (Taplo / Even Better TOML).
//!
//! The registry parser (`src/config.rs`) is hand-written for its spans, so the
//! schema is generated here from mirror types, and the tests tie them to the
//! parser: every table accepts exactly the keys the parser accepts. When the
//! shipped file differs from the generated one the test fails;
//! `UPDATE_SNAPSHOTS=1 cargo test --test schema` rewrites it.

#![allow(dead_code)]

use schemars::JsonSchema;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

mod common;
use common::*;

/// flaglint.toml: the stage registry of the Gitaly feature flags and flaglint's settings.
#[derive(JsonSchema)]
#[schemars(title = "flaglint.toml")]
#[serde(deny_unknown_fields)]
struct Registry {
    scan: Option<Scan>,
    ruby: Option<Ruby>,
    rust: Option<Rust>,
    env: Option<Env>,
    shell: Option<Shell>,
    fix: Option<Fix>,
    process: Option<Process>,
    gates: Option<Gates>,
    naming: Option<Naming>,
    /// The trees scanned when the command line names no PATH: component name → path, relative to this file.
    components: Option<BTreeMap<String, String>>,
    /// Per-rule severity: a rule code (`FL001`) or name (`name-not-derived`) → `off`, `warning` or `error`.
    rules: Option<BTreeMap<String, Level>>,
    /// The features of the migration, one `[[feature]]` entry each.
    feature: Option<Vec<Feature>>,
}

/// What is scanned.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct Scan {
    /// Paths to skip: gitignore globs, like `--exclude`.
    exclude: Option<Vec<String>>,
    /// Files larger than this many bytes are skipped with a note (default 8388608, 8 MiB).
    max_file_size: Option<u64>,
    /// Skip `.git`, `vendor/` and `node_modules/` (default true).
    default_excludes: Option<bool>,
}

/// The Ruby frontend.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct Ruby {
    /// More wrapper methods that behave like `gitaly_migrate`.
    toggle_methods: Option<Vec<String>>,
}

/// The Rust frontend.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct Rust {
    /// The functions and methods that check a flag, by name or path suffix (`feature_enabled`, `Features::enabled`); default `["feature_enabled", "is_enabled"]`.
    check_functions: Option<Vec<String>>,
}

/// Environment variables.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct Env {
    /// `GITALY_*` variables that are settings, not flags, whatever the code does with them.
    ignore: Option<Vec<String>>,
    /// `GITALY_*` variables that are flags, even where the code reads them as a value.
    flags: Option<Vec<String>>,
}

/// GitLab Shell.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct Shell {
    /// More migrated git commands: command → endpoint (`Service/Method`).
    commands: Option<BTreeMap<String, String>>,
}

/// `flaglint fix`.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct Fix {
    /// The longest body (non-blank lines) of a single-use private helper inlined at its one call (default 15; 0: never inline).
    inline_max_lines: Option<usize>,
}

/// The release cadence the overdue rule (FL017) checks.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct Process {
    /// Releases a feature may stay Opt-Out before it is due for Mandatory (default 1).
    opt_out_releases: Option<usize>,
    /// Releases a feature may stay Opt-In before it is stale (default 3).
    opt_in_releases: Option<usize>,
}

/// The flag names FL001 `name-not-derived` accepts besides the canonical one.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct Naming {
    /// Accept the service as a prefix (`ref_find_branch`; default true).
    service_prefix: Option<bool>,
    /// Accept any one extra word as a qualifier suffix (`ref_exists_tags`; default true).
    qualifier_any_word: Option<bool>,
    /// With `qualifier_any_word = false`, the words accepted as a qualifier suffix.
    qualifiers: Option<Vec<String>>,
    /// Prefixes of flags evaluated for another client, e.g. `workhorse`, `ssh`.
    component_prefixes: Option<Vec<String>>,
}

/// A rule's severity.
#[derive(JsonSchema)]
#[serde(rename_all = "kebab-case")]
enum Level {
    Off,
    Warning,
    Error,
}

/// A feature's stage in the migration.
#[derive(JsonSchema)]
#[serde(rename_all = "kebab-case")]
enum Stage {
    ReadyForTesting,
    OptIn,
    OptOut,
    Mandatory,
}

/// One feature of the migration.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct Feature {
    /// The flag, without `gitaly_` / `GITALY_`: letters, digits and `_`.
    #[schemars(regex(pattern = r"^[A-Za-z0-9_]+$"))]
    name: String,
    stage: Stage,
    /// The endpoint the flag guards, `Service/Method` as in the proto.
    #[schemars(regex(pattern = r"^[^/]+/[^/]+$"))]
    endpoint: Option<String>,
    /// The issue that tracks the feature (a URL).
    issue: Option<String>,
    /// Other names the same feature goes by.
    aliases: Option<Vec<Alias>>,
    /// Stage gates (FL016) the feature is exempt from, each with the reason.
    waive: Option<Waive>,
    /// The release its stage began in (`"10.6"`), or per stage (`{ opt-in = "10.2", opt-out = "10.6" }`): the overdue rule (FL017) counts from it.
    since: Option<Since>,
}

/// A release (`"10.6"`), or stage → release.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum Since {
    Release(Release),
    PerStage(SincePerStage),
}

/// The release each stage began in.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SincePerStage {
    ready_for_testing: Option<Release>,
    opt_in: Option<Release>,
    opt_out: Option<Release>,
    mandatory: Option<Release>,
}

/// A GitLab release: `major.minor`, optionally `.patch`.
#[derive(JsonSchema)]
struct Release(#[schemars(regex(pattern = r"^v?[0-9]+\.[0-9]+(\.[0-9]+)?$"))] String);

/// Stage gates a feature is exempt from: gate → reason.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct Waive {
    /// Why no runbook is needed.
    runbook: Option<String>,
    /// Why no alert rule is needed.
    alert: Option<String>,
    /// Why no dashboard is needed.
    dashboard: Option<String>,
}

/// Where the stage gates (FL016) look: component names.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
struct Gates {
    /// The components whose Markdown files are runbooks.
    runbooks: Option<Vec<String>>,
    /// The components whose YAML files hold Prometheus alert rules.
    alerts: Option<Vec<String>>,
    /// The components whose Grafana JSON and jsonnet files are dashboards.
    dashboards: Option<Vec<String>>,
}

/// Another name of the feature: letters, digits and `_`.
#[derive(JsonSchema)]
struct Alias(#[schemars(regex(pattern = r"^[A-Za-z0-9_]+$"))] String);

fn generated() -> serde_json::Value {
    let schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<Registry>();
    let mut v = serde_json::to_value(schema).unwrap();
    drop_null(&mut v);
    // Rule names for completion: every code and name flaglint knows; codes
    // are case-insensitive, as in the parser.
    let mut names = Vec::new();
    let mut codes = Vec::new();
    for r in flaglint::rules::all() {
        let i = r.info();
        names.push(i.code.to_string());
        names.push(i.name.to_string());
        let any_case: String = i
            .code
            .chars()
            .map(|c| {
                if c.is_ascii_alphabetic() {
                    format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase())
                } else {
                    c.to_string()
                }
            })
            .collect();
        codes.push(any_case);
    }
    v["properties"]["rules"]["propertyNames"] = serde_json::json!({
        "anyOf": [
            { "enum": names },
            { "pattern": format!("^({})$", codes.join("|")) }
        ]
    });
    v
}

/// TOML has no null: an absent key is what `Option` means, so the `null`
/// alternatives schemars adds for `Option` go.
fn drop_null(v: &mut serde_json::Value) {
    use serde_json::Value;
    if let Value::Object(map) = v {
        if let Some(Value::Array(types)) = map.get_mut("type") {
            types.retain(|t| t != "null");
            if types.len() == 1 {
                let only = types.remove(0);
                map.insert("type".into(), only);
            }
        }
        if let Some(Value::Array(any)) = map.get("anyOf") {
            let rest: Vec<Value> = any
                .iter()
                .filter(|x| **x != serde_json::json!({"type": "null"}))
                .cloned()
                .collect();
            if rest.len() == 1 {
                map.remove("anyOf");
                if let Value::Object(inner) = &rest[0] {
                    for (k, x) in inner {
                        map.insert(k.clone(), x.clone());
                    }
                }
            }
        }
        for x in map.values_mut() {
            drop_null(x);
        }
    } else if let Value::Array(a) = v {
        for x in a {
            drop_null(x);
        }
    }
}

fn text(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap() + "\n"
}

#[test]
fn the_shipped_schema_is_the_generated_one() {
    let path = root().join("schema/flaglint.schema.json");
    let want = text(&generated());
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let shipped = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        shipped == want,
        "{} is not the generated schema: run `UPDATE_SNAPSHOTS=1 cargo test --test schema` and review the diff",
        path.display()
    );
}

/// The keys the parser accepts in a table, from its "unknown field" error.
fn parser_keys(prefix: &str) -> BTreeSet<String> {
    let text = format!("{prefix}zz_not_a_key = 1\n");
    let err = flaglint::config::Config::parse(Path::new("flaglint.toml"), text)
        .expect_err("an unknown key is an error");
    let message = err.to_string();
    let expected = message
        .split_once("expected")
        .unwrap_or_else(|| panic!("{prefix:?}: {message}"))
        .1;
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn schema_keys(v: &serde_json::Value, pointer: &str) -> BTreeSet<String> {
    let mut node = v.pointer(pointer).unwrap_or_else(|| panic!("{pointer}"));
    // `Option<Table>` is a reference, maybe wrapped in anyOf with null.
    for _ in 0..3 {
        if let Some(r) = node.get("$ref").and_then(|r| r.as_str()) {
            node = v.pointer(&r[1..]).unwrap();
        } else if let Some(any) = node.get("anyOf").or_else(|| node.get("items")) {
            node = match any {
                serde_json::Value::Array(a) => a
                    .iter()
                    .find(|x| x != &&serde_json::json!({"type": "null"}))
                    .unwrap(),
                other => other,
            };
        }
    }
    assert_eq!(
        node["additionalProperties"],
        serde_json::json!(false),
        "{pointer} must reject unknown keys, as the parser does"
    );
    node["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("{pointer}: {node}"))
        .keys()
        .cloned()
        .collect()
}

#[test]
fn every_table_has_the_keys_the_parser_accepts() {
    let v = generated();
    for (prefix, pointer) in [
        ("", ""),
        ("[scan]\n", "/properties/scan"),
        ("[ruby]\n", "/properties/ruby"),
        ("[env]\n", "/properties/env"),
        ("[shell]\n", "/properties/shell"),
        ("[fix]\n", "/properties/fix"),
        ("[process]\n", "/properties/process"),
        ("[naming]\n", "/properties/naming"),
        ("[[feature]]\n", "/properties/feature"),
    ] {
        assert_eq!(
            schema_keys(&v, pointer),
            parser_keys(prefix),
            "table {prefix:?}"
        );
    }
}

/// A validator for the generated schema (the same as the shipped one, which
/// `the_shipped_schema_is_the_generated_one` checks).
fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&generated()).expect("the schema compiles")
}

fn errors(validator: &jsonschema::Validator, toml_text: &str) -> Vec<String> {
    let value: serde_json::Value = toml::from_str(toml_text).expect("TOML");
    validator
        .iter_errors(&value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_fixtures_registry_and_the_readme_example_validate() {
    let validator = validator();
    let fixture = std::fs::read_to_string(root().join("fixtures/flaglint.toml")).unwrap();
    assert_eq!(errors(&validator, &fixture), Vec::<String>::new());
    let rules = "[rules]\nfl002 = \"warning\"\nFL001 = \"off\"\ndynamic-flag = \"error\"\n";
    assert_eq!(errors(&validator, rules), Vec::<String>::new());
    flaglint::config::Config::parse(Path::new("flaglint.toml"), rules.to_string()).unwrap();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split_once("## Configuration: `flaglint.toml`")
        .unwrap()
        .1;
    let example = section
        .split_once("```toml\n")
        .unwrap()
        .1
        .split_once("```")
        .unwrap()
        .0;
    assert!(example.contains("[[feature]]"));
    assert_eq!(errors(&validator, example), Vec::<String>::new());
    // The parser accepts what the schema accepts.
    flaglint::config::Config::parse(Path::new("flaglint.toml"), example.to_string())
        .expect("the README example parses");
}

#[test]
fn the_schema_rejects_what_the_parser_rejects() {
    let validator = validator();
    for bad in [
        "[[feature]]\nname = \"x\"\nstag = \"opt-in\"\n",
        "[[feature]]\nname = \"x\"\nstage = \"beta\"\n",
        "[[feature]]\nname = \"x-y\"\nstage = \"opt-in\"\n",
        "[[feature]]\nstage = \"opt-in\"\n",
        "[[feature]]\nname = \"x\"\nstage = \"opt-in\"\nendpoint = \"FindCommit\"\n",
        "[scan]\nmax_file_size = \"big\"\n",
        "[rules]\nFL02 = \"off\"\n",
        "[rules]\nFL999 = \"off\"\n",
        "[rules]\nMandatory-Leftover = \"off\"\n",
        "[rules]\nFL002 = \"loud\"\n",
        "[sacn]\n",
    ] {
        assert!(
            !errors(&validator, bad).is_empty(),
            "the schema accepts {bad:?}"
        );
        assert!(
            flaglint::config::Config::parse(Path::new("flaglint.toml"), bad.to_string()).is_err(),
            "the parser accepts {bad:?}"
        );
    }
}
