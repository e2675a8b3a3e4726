//! `flaglint fix` and the specs of a Mandatory feature's legacy path: a
//! `:skip_gitaly_mock` block naming the flag goes, shared examples run only
//! by the enabled context collapse into their `describe`, and shared examples
//! parameterised by the flag (`|gitaly_on|`) collapse to the enabled case:
//! each test of the parameter keeps its enabled branch, the spec's own helper
//! that only the legacy branch called goes, a hook left empty goes, and the
//! runs lose their `true`; examples then run by one bare context beside other
//! blocks take that context's place. Those of a feature still toggled stay.
//! The fixture tree is tests/data/fix-specs/tree, its fixed text
//! tests/data/fix-specs/expected.

mod common;
use common::*;

const FILES: &[&str] = &["lib/gitlab/shell.rb", "spec/lib/gitlab/shell_spec.rb"];

#[test]
fn fix_collapses_the_specs_of_a_mandatory_feature_to_the_gitaly_case() {
    let data = root().join("tests/data/fix-specs");
    let (_dir, tree) = fixture_tree("fix-specs");
    let o = fix_in(&tree, &["--write"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    for f in FILES {
        let fixed = std::fs::read_to_string(tree.join(f)).unwrap();
        let expected = std::fs::read_to_string(data.join("expected").join(f)).unwrap();
        assert_eq!(fixed, expected, "{f}");
        ruby_syntax_ok(&tree.join(f));
    }
    let notes: Vec<&str> = err.lines().filter(|l| l.starts_with("note:")).collect();
    assert_eq!(
        notes,
        [
            "note: tree:spec/lib/gitlab/shell_spec.rb:21 'without gitaly': deleted, a spec of the removed legacy path",
            "note: tree:spec/lib/gitlab/shell_spec.rb:26 'fetching a remote': collapsed to the enabled case (its parameter was the flag)",
            "note: tree:spec/lib/gitlab/shell_spec.rb:71 '#fetch_remote local': deleted, a spec of the removed legacy path",
            "note: tree:spec/lib/gitlab/shell_spec.rb:89 'collecting garbage': collapsed to the enabled case (its parameter was the flag)",
            "note: tree:spec/lib/gitlab/shell_spec.rb:107 'with Gitaly turned off': deleted, a spec of the removed legacy path",
            "note: tree:lib/gitlab/shell.rb:45 `local_fetch_remote`: deleted, only the removed legacy code named it",
        ],
        "{err}"
    );
    // A second run has nothing left to do.
    let again = fix_in(&tree, &["--write"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    for f in FILES {
        let fixed = std::fs::read_to_string(tree.join(f)).unwrap();
        let expected = std::fs::read_to_string(data.join("expected").join(f)).unwrap();
        assert_eq!(fixed, expected, "second run: {f}");
    }
}

#[test]
fn no_specs_leaves_every_spec_as_it_is() {
    let data = root().join("tests/data/fix-specs");
    let (_dir, tree) = fixture_tree("fix-specs");
    let o = fix_in(&tree, &["--write", "--no-specs"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let spec = "spec/lib/gitlab/shell_spec.rb";
    assert_eq!(
        std::fs::read_to_string(tree.join(spec)).unwrap(),
        std::fs::read_to_string(data.join("tree").join(spec)).unwrap()
    );
}
