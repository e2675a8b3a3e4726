#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = flaglint::frontend::ruby::Options::default();
    let _ = flaglint::frontend::ruby::extract(data, false, &opts);
    let _ = flaglint::frontend::ruby::extract(data, true, &opts);
    for format in [
        flaglint::frontend::text::Format::Shell,
        flaglint::frontend::text::Format::Json,
        flaglint::frontend::text::Format::Yaml,
        flaglint::frontend::text::Format::Doc,
    ] {
        let _ = flaglint::frontend::text::extract(data, format, &[]);
    }
});
