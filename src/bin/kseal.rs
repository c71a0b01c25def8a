fn main() -> std::process::ExitCode {
    kseal::cli::main_with_name("kseal")
}
