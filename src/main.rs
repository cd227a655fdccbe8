fn main() {
    std::process::exit(envgate::cli::main());
}
