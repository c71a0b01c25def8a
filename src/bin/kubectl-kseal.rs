//! The kubectl plugin: `kubectl kseal ...` runs this binary with the same command line.
fn main() -> std::process::ExitCode {
    kseal::main_with_name("kubectl-kseal")
}
