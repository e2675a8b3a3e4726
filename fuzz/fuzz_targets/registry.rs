#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let _ = flaglint::config::Config::parse(std::path::Path::new("flaglint.toml"), text);
});
