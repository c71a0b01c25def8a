//! `kseal render`: what an Argo CD Config Management Plugin runs to produce an application's
//! manifests: render the app the way it is written (Kustomize, Helm, or plain YAML), then open
//! every sealed value, on stdout.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Args;

use super::output::write_stdout;
use super::{GlobalArgs, IdentityArgs};
use crate::error::{Error, ExitCode, Location};

#[derive(Args, Debug)]
#[command(after_help = "\
The Argo CD plugin contract: run in the application's folder, manifests on stdout. The app is
rendered as Argo CD would: a kustomization (kustomization.yaml, .yml or Kustomization) with
`kustomize build` (else `kubectl kustomize`), a Helm chart (Chart.yaml) with `helm template`
(release ARGOCD_APP_NAME, namespace ARGOCD_APP_NAMESPACE, value files from
ARGOCD_ENV_HELM_VALUES, comma-separated), else every *.yaml/*.yml/*.json file. Then every sealed
value is opened; Secrets without a namespace are bound to ARGOCD_APP_NAMESPACE (or -n).

Example (plugin.yaml): generate: {command: [kseal, render, -i, /keys]}")]
pub struct RenderArgs {
    /// The application's folder (default: the current one, as Argo CD runs plugins).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub identities: IdentityArgs,
}

/// How an application folder is written.
#[derive(Debug, PartialEq, Eq)]
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

pub(super) fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

/// Runs a renderer; its stdout is the stream. Its stderr goes to ours (Argo CD shows it).
pub(super) fn rendered_by(mut cmd: Command, what: &str) -> Result<String, Error> {
    let out = cmd
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| Error::usage(format!("cannot run {what}: {e}")))?;
    if !out.status.success() {
        return Err(Error::input(
            Location::default(),
            format!("{what} failed ({})", out.status),
        ));
    }
    String::from_utf8(out.stdout)
        .map_err(|_| Error::input(Location::default(), format!("{what} printed non-UTF-8 output")))
}

pub fn run(args: RenderArgs, global: &GlobalArgs) -> Result<ExitCode, Error> {
    let namespace = global.namespace.clone().or_else(|| {
        std::env::var("ARGOCD_APP_NAMESPACE")
            .ok()
            .filter(|n| !n.is_empty())
    });
    let dir = &args.dir;
    let stream = match detect(dir) {
        Kind::Kustomize => {
            let mut cmd = if on_path("kustomize") {
                let mut c = Command::new("kustomize");
                c.arg("build");
                c
            } else {
                let mut c = Command::new("kubectl");
                c.arg("kustomize");
                c
            };
            cmd.arg(dir);
            rendered_by(cmd, "kustomize build")?
        }
        Kind::Helm => {
            let mut cmd = Command::new("helm");
            let release = std::env::var("ARGOCD_APP_NAME").unwrap_or_else(|_| "release".into());
            cmd.args(["template", &release]).arg(dir);
            if let Some(ns) = &namespace {
                cmd.args(["--namespace", ns]);
            }
            for f in std::env::var("ARGOCD_ENV_HELM_VALUES")
                .unwrap_or_default()
                .split(',')
                .filter(|f| !f.is_empty())
            {
                cmd.args(["--values", f]);
            }
            rendered_by(cmd, "helm template")?
        }
        Kind::Plain => {
            let mut stream = zeroize::Zeroizing::new(String::new());
            for input in super::input::collect_inputs(std::slice::from_ref(dir), &global.exclude)? {
                super::output::join_stream(&mut stream, &input.read()?);
            }
            stream.to_string()
        }
    };
    let stream = zeroize::Zeroizing::new(stream);
    let identities = args.identities.load(global)?;
    let kustomized = matches!(detect(dir), Kind::Kustomize);
    let opened = crate::manifest::open::open(
        &stream,
        &Location::file(dir.display().to_string()),
        &identities,
        namespace.as_deref(),
    )
    .map_err(|e| {
        if kustomized {
            super::kustomize::renamed_hint(e, &dir.display().to_string())
        } else {
            e
        }
    })?;
    write_stdout(opened.text.as_bytes())?;
    Ok(ExitCode::Success)
}
