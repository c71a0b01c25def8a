fn main() {
    std::process::exit(kseal::cli::main_with_name("kseal"));
}
