#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for name in ["x.proto", "x.pb.go", "x_services_pb.rb"] {
        let _ = flaglint::catalog::sources::read(name, &text);
    }
});
