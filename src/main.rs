fn main() {
    std::process::exit(flaglint::main_with_args());
}
