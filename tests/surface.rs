//! The command-line surface: shell completions, the manual page, and the
//! options `--help` lists against the README's option table.

use clap::CommandFactory;
use std::collections::BTreeSet;
use std::process::{Command, Output};

mod common;
use common::*;

fn flaglint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_flaglint"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run flaglint")
}

/// Every subcommand's name, from the clap definitions.
fn subcommands() -> Vec<String> {
    flaglint::cli::Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .filter(|n| n != "help")
        .collect()
}

#[test]
fn completions_for_each_shell_name_the_commands_and_options() {
    for shell in ["bash", "zsh", "fish"] {
        let o = flaglint(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let out = stdout(&o);
        assert!(out.len() > 500, "{shell}: {out}");
        // fish names long options `-l config`.
        let config = if shell == "fish" {
            "-l config"
        } else {
            "--config"
        };
        for word in ["check", "checklist", config, "show-settings", "fail-on"] {
            assert!(out.contains(word), "{shell} completion lacks {word}");
        }
    }
    let o = flaglint(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn the_man_page_mentions_every_subcommand() {
    let o = flaglint(&["man"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with(".ie") || out.contains(".TH flaglint"),
        "{out}"
    );
    let subs = subcommands();
    assert!(subs.len() >= 8, "{subs:?}");
    for sub in &subs {
        assert!(
            out.contains(&format!("\nflaglint\\-{sub}(1)\n")),
            "the man page lacks `{sub}`: {out}"
        );
        // Each has its own page, with its options.
        let o = flaglint(&["man", sub]);
        assert_eq!(o.status.code(), Some(0), "{sub}: {}", stderr(&o));
        assert!(stdout(&o).contains(&format!(".TH flaglint-{sub}")), "{sub}");
    }
    let page = stdout(&flaglint(&["man", "check"]));
    assert!(page.contains("fail\\-on"), "{page}");
    assert_eq!(flaglint(&["man", "nosuch"]).status.code(), Some(2));
}

/// The long options of one `--help` text (the lines that start with `-`),
/// without clap's own `--help` and `--version`.
fn help_options(help: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in help.lines() {
        let t = line.trim_start();
        if !t.starts_with('-') {
            continue;
        }
        for (i, _) in t.match_indices("--") {
            let name: String = t[i + 2..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            let option = name.starts_with(|c: char| c.is_ascii_alphanumeric());
            if option && name != "help" && name != "version" {
                out.insert(format!("--{name}"));
            }
            // Only the option's own names, not its description.
            if t[i..].contains("  ") {
                break;
            }
        }
    }
    out
}

/// The options named in the first column of the README's option tables
/// (the tables headed `| option | meaning |`).
fn readme_options(readme: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut in_table = false;
    for line in readme.lines() {
        if line.starts_with("| option | meaning |") {
            in_table = true;
            continue;
        }
        if !line.starts_with('|') {
            in_table = false;
            continue;
        }
        if !in_table {
            continue;
        }
        let cell = line.split('|').nth(1).unwrap_or("");
        for (i, _) in cell.match_indices("--") {
            let name: String = cell[i + 2..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            if name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
                out.insert(format!("--{name}"));
            }
        }
    }
    out
}

#[test]
fn help_and_the_readme_option_table_list_the_same_options() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let documented = readme_options(&readme);
    assert!(documented.contains("--config"), "no option table found");
    let mut commands = vec![String::new()];
    commands.extend(subcommands());
    let mut problems = Vec::new();
    let mut all = BTreeSet::new();
    for sub in &commands {
        let mut args: Vec<&str> = Vec::new();
        if !sub.is_empty() {
            args.push(sub);
        }
        args.push("--help");
        let o = flaglint(&args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        let options = help_options(&stdout(&o));
        for opt in &options {
            if !documented.contains(opt) {
                problems.push(format!(
                    "`flaglint {}--help` lists {opt}, which README.md's option table lacks",
                    if sub.is_empty() {
                        String::new()
                    } else {
                        format!("{sub} ")
                    }
                ));
            }
        }
        all.extend(options);
    }
    for opt in &documented {
        if !all.contains(opt) {
            problems.push(format!(
                "README.md's option table lists {opt}, which no `--help` lists"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "README.md and --help disagree:\n  {}",
        problems.join("\n  ")
    );
}
