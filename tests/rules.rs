//! The rule index `flaglint explain` prints and the README's rule table name
//! the same rules, with the same names and severities.

use std::collections::BTreeSet;
use std::process::Command;

type Rule = (String, String, String);

/// `FL002  mandatory-leftover  error    a reference …` lines of the index.
fn explain_index() -> BTreeSet<Rule> {
    let o = Command::new(env!("CARGO_BIN_EXE_flaglint"))
        .arg("explain")
        .output()
        .expect("run flaglint");
    assert_eq!(o.status.code(), Some(0));
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("FL"))
        .map(|l| {
            let mut w = l.split_whitespace().map(str::to_string);
            (w.next().unwrap(), w.next().unwrap(), w.next().unwrap())
        })
        .collect()
}

/// `| <a id="fl002"></a>FL002 | `mandatory-leftover` | error | … |` rows.
fn readme_table() -> BTreeSet<Rule> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    readme
        .lines()
        .filter(|l| l.starts_with("| <a id=\"fl"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let code = cells[1].rsplit("</a>").next().unwrap();
            let name = cells[2].trim_matches('`');
            (code.to_string(), name.to_string(), cells[3].to_string())
        })
        .collect()
}

#[test]
fn explain_and_the_readme_rule_table_agree() {
    let index = explain_index();
    let table = readme_table();
    assert_eq!(index.len(), flaglint::rules::all().len(), "{index:?}");
    let only_index: Vec<_> = index.difference(&table).collect();
    let only_readme: Vec<_> = table.difference(&index).collect();
    assert!(
        only_index.is_empty() && only_readme.is_empty(),
        "only in `flaglint explain`: {only_index:?}; only in README.md: {only_readme:?}"
    );
}
