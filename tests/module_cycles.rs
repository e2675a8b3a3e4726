//! The module tree is the pipeline: no module imports one that imports it back
//! (`scripts/module-cycles.py src`). Skipped, with a message, without python3.

use std::path::Path;
use std::process::{Command, Output};

/// Runs the cycle check on `src`; `None` when python3 is not installed.
fn module_cycles(src: &Path) -> Option<Output> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/module-cycles.py");
    match Command::new("python3").arg(script).arg(src).output() {
        Ok(out) => Some(out),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("skipped: python3 is not installed ({e})");
            None
        }
        Err(e) => panic!("cannot run python3: {e}"),
    }
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let Some(out) = module_cycles(&src) else {
        return;
    };
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_check_finds_a_cycle() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("b")).unwrap();
    std::fs::write(dir.path().join("lib.rs"), "pub mod a;\npub mod b;\n").unwrap();
    std::fs::write(dir.path().join("a.rs"), "use crate::b::c::X;\n").unwrap();
    std::fs::write(dir.path().join("b/mod.rs"), "pub mod c;\n").unwrap();
    std::fs::write(dir.path().join("b/c.rs"), "use crate::{a::Y};\n").unwrap();
    let Some(out) = module_cycles(dir.path()) else {
        return;
    };
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("cycle: ['a', 'b::c']"), "{stdout}");
}
