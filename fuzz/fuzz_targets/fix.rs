#![no_main]
use libfuzzer_sys::fuzz_target;

// The fix's promise: its output parses whenever its input did.
fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for (language, path) in [("ruby", "x.rb"), ("go", "x.go")] {
        let fixed = flaglint::cleanup::fix_source(language, path, text);
        assert!(
            flaglint::cleanup::parses_if_original_did(language, text, &fixed),
            "the fix broke a {language} file that parsed"
        );
    }
});
