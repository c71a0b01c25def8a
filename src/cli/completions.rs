//! `kseal completions`.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::output::write_stdout;
use super::Cli;
use crate::error::{Error, ExitCode};

#[derive(Args, Debug)]
#[command(after_help = "\
Examples:
  kseal completions bash > /etc/bash_completion.d/kseal
  kseal completions zsh > \"${fpath[1]}/_kseal\"
  kseal completions fish > ~/.config/fish/completions/kseal.fish
Generated scripts are also checked in under completions/.")]
pub struct CompletionsArgs {
    /// The shell to generate for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The completion script for `shell`, for the binary called `bin_name`.
pub fn script(shell: Shell, bin_name: &str) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, bin_name, &mut out);
    out
}

pub fn run(args: CompletionsArgs, bin_name: &'static str) -> Result<ExitCode, Error> {
    write_stdout(&script(args.shell, bin_name))?;
    Ok(ExitCode::Success)
}
