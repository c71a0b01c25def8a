fn main() -> std::process::ExitCode {
    kseal::main_with_name("kseal")
}
