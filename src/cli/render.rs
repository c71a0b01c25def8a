//! `kseal render`: what an Argo CD Config Management Plugin runs to produce an application's
//! manifests: render the app the way it is written (Kustomize, Helm, or plain YAML), then open
//! every sealed value, on stdout.

use std::path::{Path, PathBuf};

use clap::Args;

use super::output::write_stdout;
use super::{ExcludeFlag, Flags, IdentityArgs, NamespaceFlag};
use crate::error::{Error, ExitCode, Location};
use crate::integrations::helm::{helm_template, Guard};
use crate::integrations::kustomize;
use crate::integrations::tools::{detect, rendered_by, Kind};

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

It runs beside the cluster's keys, and Argo CD shows its output to anyone who may view the app, so
repository content never leads it outside the repository: a symlink anywhere in the repository
(the folder above ARGOCD_APP_SOURCE_PATH, else the git work tree, else DIR) that resolves outside
it is refused before anything is rendered; a chart dependency must be a `file://` path inside the
repository unless --allow-chart-repository names its repository; and the output never holds a
loaded identity (refused, nothing printed).

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
    /// A chart repository `helm dependency build` may fetch from (repeatable; a URL prefix such
    /// as `https://charts.example.com/` or `oci://registry.example.com/charts/`). Without it,
    /// dependencies come only from inside the repository (`file://`).
    #[arg(long, value_name = "URL")]
    pub allow_chart_repository: Vec<String>,
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
    let guard = Guard::new(dir, &args.allow_chart_repository)?;
    guard.refuse_links_outside()?;
    let kind = detect(dir);
    let stream = match kind {
        Kind::Kustomize => {
            let mut cmd = kustomize::kustomize_command();
            cmd.arg(dir);
            rendered_by(cmd, "kustomize build")?
        }
        Kind::Helm => rendered_by(helm_template(dir, namespace.as_deref(), &guard)?, "helm template")?,
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
            kustomize::renamed_hint(e, &dir.display().to_string())
        } else {
            e
        }
    })?;
    super::output::refuse_identity_leak(&opened.text, &identities)?;
    write_stdout(opened.text.as_bytes())?;
    Ok(ExitCode::Success)
}

row!(RenderArgs, "render", |a, flags, _| run(a, flags), takes: |a| (Some(&a.identities.kube), Some(&a.namespace), Some(&a.exclude)));
