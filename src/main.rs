fn main() {
    std::process::exit(flaglint::cli::main_with_args());
}
