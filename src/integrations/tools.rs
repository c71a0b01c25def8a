//! Running the tools kseal works with (kustomize, kubectl, helm, git): finding them, reading
//! what they print, and the repository a folder belongs to.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, Location};

/// How an application folder is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Kustomize,
    Helm,
    Plain,
}

pub fn detect(dir: &Path) -> Kind {
    if ["kustomization.yaml", "kustomization.yml", "Kustomization"]
        .iter()
        .any(|f| dir.join(f).is_file())
    {
        Kind::Kustomize
    } else if dir.join("Chart.yaml").is_file() {
        Kind::Helm
    } else {
        Kind::Plain
    }
}

pub fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

/// Runs a renderer; its stdout is the stream. Its stderr is kept: on failure its last lines are
/// the error's message (`verify` renders every entry of a repository, and a page of kustomize's
/// log per entry would bury its report); on success its warnings are dropped.
pub fn rendered_by(mut cmd: Command, what: &str) -> Result<String, Error> {
    let out = cmd
        .stderr(std::process::Stdio::piped())
        .output()
        .map_err(|e| Error::usage(format!("cannot run {what}: {e}")))?;
    if !out.status.success() {
        let log = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = log
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("# Warning"))
            .collect();
        let tail = tail[tail.len().saturating_sub(3)..].join(" / ");
        return Err(Error::input(
            Location::default(),
            if tail.is_empty() {
                format!("{what} failed ({})", out.status)
            } else {
                format!("{what} failed ({}): {tail}", out.status)
            },
        ));
    }
    String::from_utf8(out.stdout)
        .map_err(|_| Error::input(Location::default(), format!("{what} printed non-UTF-8 output")))
}

/// The repository holding the canonical folder `app`: Argo CD gives plugins the app's path inside
/// it (ARGOCD_APP_SOURCE_PATH) and runs them in that folder; elsewhere, the git work tree; else
/// none. Canonical.
pub fn repository_root(app: &Path) -> Option<PathBuf> {
    let by_argo = std::env::var("ARGOCD_APP_SOURCE_PATH").ok().and_then(|p| {
        let depth = Path::new(p.trim_matches('/'))
            .components()
            .filter(|c| matches!(c, std::path::Component::Normal(_)))
            .count();
        app.ancestors().nth(depth).map(Path::to_path_buf)
    });
    let by_git = || {
        let out = Command::new("git")
            .arg("-C")
            .arg(app)
            .args(["rev-parse", "--show-toplevel"])
            .stderr(std::process::Stdio::null())
            .output()
            .ok()?;
        let top = String::from_utf8(out.stdout).ok()?;
        (out.status.success() && !top.trim().is_empty())
            .then(|| std::fs::canonicalize(top.trim()).ok())
            .flatten()
    };
    by_argo.or_else(by_git)
}
