//! `kseal hook install`: a git pre-commit hook that runs `kseal scan --staged`.

use clap::{Args, Subcommand};

use crate::error::{Error, ExitCode};

/// The hook kseal writes; recognised on a second install so that it is not "a different hook".
pub const HOOK: &str = "#!/bin/sh\n# Installed by `kseal hook install`: refuse commits that stage a plaintext Kubernetes Secret.\nexec kseal scan --staged\n";

#[derive(Args, Debug)]
pub struct HookArgs {
    #[command(subcommand)]
    pub command: HookCommand,
}

#[derive(Subcommand, Debug)]
pub enum HookCommand {
    /// Write .git/hooks/pre-commit running `kseal scan --staged` (never replaces a different hook).
    Install,
}

pub fn run(args: HookArgs) -> Result<ExitCode, Error> {
    let HookCommand::Install = args.command;
    let repo = gix::discover(".").map_err(|e| Error::usage(format!("not inside a git repository: {e}")))?;
    let hooks = repo.git_dir().join("hooks");
    let path = hooks.join("pre-commit");
    let shown = path.display().to_string();
    match std::fs::read_to_string(&path) {
        Ok(existing) if existing == HOOK => {
            say!("{shown} is already installed");
            return Ok(ExitCode::Success);
        }
        Ok(_) => {
            return Err(Error::usage(format!(
                "{shown} already exists and is not kseal's; add `kseal scan --staged` to it yourself, or use the pre-commit framework (.pre-commit-hooks.yaml)"
            )))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&shown, &e)),
    }
    std::fs::create_dir_all(&hooks).map_err(|e| Error::io(hooks.display().to_string(), &e))?;
    // A new file: write_atomic gives it this mode (executable, as git requires of hooks).
    super::output::write_atomic(&path, HOOK.as_bytes(), super::output::Perm::NewFile(0o755))?;
    say!("installed {shown}");
    Ok(ExitCode::Success)
}
