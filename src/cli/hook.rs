//! `kseal hook install`: a git pre-commit hook that runs `kseal scan --staged`.

use clap::{Args, Subcommand};

use crate::error::{Error, ExitCode};

/// The hook kseal writes; recognised on a second install so that it is not "a different hook". A
/// missing kseal stops the commit with a message: a hook that silently scans nothing would let a
/// plaintext Secret through.
pub const HOOK: &str = "#!/bin/sh
# Installed by `kseal hook install`: refuse commits that stage a plaintext Kubernetes Secret.
if ! command -v kseal >/dev/null 2>&1; then
  echo \"kseal pre-commit hook: kseal is not on PATH, so the staged files were not scanned for plaintext Secrets.\" >&2
  echo \"Install kseal (cargo install --locked kseal), or commit with --no-verify if you must; the hook is $0.\" >&2
  exit 1
fi
exec kseal scan --staged
";

/// The hook of earlier kseal versions: replaced by the current one without a word.
const OLD_HOOKS: &[&str] =
    &["#!/bin/sh\n# Installed by `kseal hook install`: refuse commits that stage a plaintext Kubernetes Secret.\nexec kseal scan --staged\n"];

/// The folder git reads hooks from: `git rev-parse --git-path hooks` knows `core.hooksPath` and
/// linked worktrees (whose hooks are the main repository's). Without a git binary, gix reads the
/// same: `core.hooksPath` (relative to the work tree), else the common git folder's `hooks`.
fn hooks_dir() -> Result<std::path::PathBuf, Error> {
    if let Ok(out) = std::process::Command::new("git")
        .args(["rev-parse", "--path-format=absolute", "--git-path", "hooks"])
        .output()
    {
        if out.status.success() {
            let dir = std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
            return Ok(dir);
        }
        return Err(Error::usage(format!(
            "not inside a git repository: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let repo = gix::discover(".").map_err(|e| Error::usage(format!("not inside a git repository: {e}")))?;
    let configured = repo
        .config_snapshot()
        .string("core.hooksPath")
        .map(|p| p.to_string());
    Ok(match configured {
        Some(p) => repo.workdir().unwrap_or(repo.git_dir()).join(p),
        None => repo.common_dir().join("hooks"),
    })
}

#[derive(Args, Debug)]
pub struct HookArgs {
    #[command(subcommand)]
    pub command: HookCommand,
}

#[derive(Subcommand, Debug)]
pub enum HookCommand {
    /// Write a pre-commit hook running `kseal scan --staged` where git reads hooks (core.hooksPath,
    /// linked worktrees); never replaces a different hook.
    Install,
}

pub fn run(args: HookArgs) -> Result<ExitCode, Error> {
    let HookCommand::Install = args.command;
    let hooks = hooks_dir()?;
    let path = hooks.join("pre-commit");
    let shown = path.display().to_string();
    match std::fs::read_to_string(&path) {
        Ok(existing) if existing == HOOK => {
            say!("{shown} is already installed");
            return Ok(ExitCode::Success);
        }
        Ok(existing) if OLD_HOOKS.contains(&existing.as_str()) => {}
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

row!(HookArgs, "hook", |a, _, _| run(a));
