//! `kseal render`: what an Argo CD Config Management Plugin runs to produce an application's
//! manifests: render the app the way it is written (Kustomize, Helm, or plain YAML), then open
//! every sealed value, on stdout.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Args;

use super::output::write_stdout;
use super::{ExcludeFlag, Flags, IdentityArgs, NamespaceFlag};
use crate::error::{Error, ExitCode, Location};

#[derive(Args, Debug)]
#[command(after_help = "\
The Argo CD plugin contract: run in the application's folder, manifests on stdout. The app is
rendered as Argo CD would: a kustomization (kustomization.yaml, .yml or Kustomization) with
`kustomize build` (else `kubectl kustomize`), a Helm chart (Chart.yaml) with `helm template`
(release ARGOCD_APP_NAME, namespace ARGOCD_APP_NAMESPACE, --include-crds, --kube-version
KUBE_VERSION, --api-versions for each of KUBE_API_VERSIONS, value files from ARGOCD_ENV_HELM_VALUES
and --set from ARGOCD_ENV_HELM_PARAMETERS, comma-separated; `helm dependency build` first when
charts/ is empty), else the folder's *.yaml/*.yml/*.json files (subfolders with
ARGOCD_ENV_DIRECTORY_RECURSE=true; ARGOCD_ENV_DIRECTORY_INCLUDE/_EXCLUDE globs). Then every sealed
value is opened (hook Secrets too: helm template renders them); Secrets without a namespace are
bound to ARGOCD_APP_NAMESPACE (or -n). See deploy/argocd/application.yaml.

Example (plugin.yaml): generate: {command: [kseal, render, -i, /keys]}")]
pub struct RenderArgs {
    /// The application's folder (default: the current one, as Argo CD runs plugins).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub identities: IdentityArgs,
    #[command(flatten)]
    pub namespace: NamespaceFlag,
    #[command(flatten)]
    pub exclude: ExcludeFlag,
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

/// `helm template` as Argo CD's repo-server runs it: release ARGOCD_APP_NAME, namespace, CRDs
/// included, the cluster's version and API versions (KUBE_VERSION, KUBE_API_VERSIONS, which Argo CD
/// gives plugins), value files and parameters; local dependencies built first when `charts/` lacks
/// them.
fn helm_template(dir: &Path, namespace: Option<&str>) -> Result<Command, Error> {
    build_dependencies(dir)?;
    let env = |k: &str| std::env::var(k).unwrap_or_default();
    let list = |k: &str| -> Vec<String> {
        env(k)
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let mut cmd = Command::new("helm");
    let release = std::env::var("ARGOCD_APP_NAME").unwrap_or_else(|_| "release".into());
    cmd.args(["template", &release]).arg(dir).arg("--include-crds");
    if let Some(ns) = namespace {
        cmd.args(["--namespace", ns]);
    }
    let version = env("KUBE_VERSION");
    if !version.is_empty() {
        cmd.args(["--kube-version", &version]);
    }
    for v in list("KUBE_API_VERSIONS") {
        cmd.args(["--api-versions", &v]);
    }
    for f in list("ARGOCD_ENV_HELM_VALUES") {
        cmd.args(["--values", &f]);
    }
    for p in list("ARGOCD_ENV_HELM_PARAMETERS") {
        cmd.args(["--set", &p]);
    }
    Ok(cmd)
}

/// `helm dependency build` when Chart.yaml lists dependencies and `charts/` has none of them yet
/// (a `file://` subchart, as Argo CD builds them).
fn build_dependencies(dir: &Path) -> Result<(), Error> {
    let chart = std::fs::read_to_string(dir.join("Chart.yaml")).unwrap_or_default();
    let has_dependencies = chart.lines().any(|l| l.trim_end() == "dependencies:");
    let built = std::fs::read_dir(dir.join("charts")).is_ok_and(|mut d| d.next().is_some());
    if !has_dependencies || built {
        return Ok(());
    }
    let mut cmd = Command::new("helm");
    cmd.args(["dependency", "build"])
        .arg(dir)
        .stdout(std::process::Stdio::null());
    rendered_by(cmd, "helm dependency build").map(drop)
}

/// A folder of plain manifests as Argo CD reads a directory source: its own `*.yaml`, `*.yml`
/// and `*.json` files, subfolders only with ARGOCD_ENV_DIRECTORY_RECURSE=true, and the
/// ARGOCD_ENV_DIRECTORY_INCLUDE / _EXCLUDE globs (comma-separated) as `directory.include` and
/// `exclude`.
fn plain_directory(dir: &Path, excludes: &[String]) -> Result<String, Error> {
    let recurse = std::env::var("ARGOCD_ENV_DIRECTORY_RECURSE").is_ok_and(|v| v == "true");
    let globs = |k: &str| -> Result<globset::GlobSet, Error> {
        let mut b = globset::GlobSetBuilder::new();
        for g in std::env::var(k)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|g| !g.is_empty())
        {
            b.add(globset::Glob::new(g).map_err(|e| Error::usage(format!("{k} `{g}`: {}", e.kind())))?);
        }
        b.build().map_err(|e| Error::usage(format!("{k}: {e}")))
    };
    let (include, exclude) = (
        globs("ARGOCD_ENV_DIRECTORY_INCLUDE")?,
        globs("ARGOCD_ENV_DIRECTORY_EXCLUDE")?,
    );
    let mut stream = zeroize::Zeroizing::new(String::new());
    for input in super::input::collect_inputs(&[dir.to_path_buf()], excludes)? {
        let Some(path) = &input.path else { continue };
        let rel = path.strip_prefix(dir).unwrap_or(path);
        let nested = rel.components().count() > 1;
        if (nested && !recurse) || (!include.is_empty() && !include.is_match(rel)) || exclude.is_match(rel) {
            continue;
        }
        super::output::join_stream(&mut stream, &input.read()?);
    }
    Ok(stream.to_string())
}

pub fn run(args: RenderArgs, global: &Flags) -> Result<ExitCode, Error> {
    let namespace = global.namespace.clone().or_else(|| {
        std::env::var("ARGOCD_APP_NAMESPACE")
            .ok()
            .filter(|n| !n.is_empty())
    });
    let dir = &args.dir;
    let kind = detect(dir);
    let stream = match kind {
        Kind::Kustomize => {
            let mut cmd = super::kustomize::kustomize_command();
            cmd.arg(dir);
            rendered_by(cmd, "kustomize build")?
        }
        Kind::Helm => rendered_by(helm_template(dir, namespace.as_deref())?, "helm template")?,
        Kind::Plain => plain_directory(dir, &global.exclude)?,
    };
    let stream = zeroize::Zeroizing::new(stream);
    let identities = args.identities.load(global)?;
    let opened = crate::manifest::open::open(
        &stream,
        &Location::file(dir.display().to_string()),
        &identities,
        namespace.as_deref(),
    )
    .map_err(|e| {
        if kind == Kind::Kustomize {
            super::kustomize::renamed_hint(e, &dir.display().to_string())
        } else {
            e
        }
    })?;
    write_stdout(opened.text.as_bytes())?;
    Ok(ExitCode::Success)
}
