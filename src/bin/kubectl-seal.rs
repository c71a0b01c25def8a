//! The kubectl plugin: `kubectl seal ...` runs this binary with the same command line.
fn main() -> std::process::ExitCode {
    kseal::main_with_name("kubectl-seal")
}
