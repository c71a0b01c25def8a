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
fn helm_template(dir: &Path, namespace: Option<&str>, guard: &Guard) -> Result<Command, Error> {
    build_dependencies(dir, guard)?;
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
fn build_dependencies(dir: &Path, guard: &Guard) -> Result<(), Error> {
    let chart = std::fs::read_to_string(dir.join("Chart.yaml")).unwrap_or_default();
    let has_dependencies = chart.lines().any(|l| l.trim_end() == "dependencies:");
    let built = std::fs::read_dir(dir.join("charts")).is_ok_and(|mut d| d.next().is_some());
    if !has_dependencies || built {
        return Ok(());
    }
    guard.check_dependencies(dir, &chart)?;
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
    let guard = Guard::new(dir, &args.allow_chart_repository)?;
    guard.refuse_links_outside()?;
    let kind = detect(dir);
    let stream = match kind {
        Kind::Kustomize => {
            let mut cmd = super::kustomize::kustomize_command();
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
            super::kustomize::renamed_hint(e, &dir.display().to_string())
        } else {
            e
        }
    })?;
    super::output::refuse_identity_leak(&opened.text, &identities)?;
    write_stdout(opened.text.as_bytes())?;
    Ok(ExitCode::Success)
}

/// The repository holding the canonical folder `app`: Argo CD gives plugins the app's path inside
/// it (ARGOCD_APP_SOURCE_PATH) and runs them in that folder; elsewhere, the git work tree; else
/// none. Canonical.
pub(super) fn repository_root(app: &Path) -> Option<PathBuf> {
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

/// What `render` may read: the repository's root (canonical), and the chart repositories the
/// plugin's configuration allows.
struct Guard {
    root: PathBuf,
    allowed: Vec<String>,
}

impl Guard {
    fn new(dir: &Path, allowed: &[String]) -> Result<Guard, Error> {
        let shown = dir.display().to_string();
        let app = std::fs::canonicalize(dir).map_err(|e| Error::io(&shown, &e))?;
        Ok(Guard {
            // Outside a repository, the app's own folder.
            root: repository_root(&app).unwrap_or(app),
            allowed: allowed.to_vec(),
        })
    }

    /// Refuses a symlink anywhere under the root whose target resolves outside it (a dangling
    /// one leads nowhere). The whole repository, since kustomize bases, value files and charts
    /// may be anywhere in it; `.git` aside.
    fn refuse_links_outside(&self) -> Result<(), Error> {
        let mut stack = vec![self.root.clone()];
        while let Some(folder) = stack.pop() {
            let entries =
                std::fs::read_dir(&folder).map_err(|e| Error::io(folder.display().to_string(), &e))?;
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(kind) = entry.file_type() else { continue };
                if kind.is_dir() && entry.file_name() != ".git" {
                    stack.push(path);
                } else if kind.is_symlink() {
                    let Ok(target) = std::fs::canonicalize(&path) else {
                        continue;
                    };
                    if !target.starts_with(&self.root) {
                        return Err(Error::input(
                            Location::file(path.display().to_string()),
                            format!(
                                "a symlink leading outside the repository ({}): kseal render reads only inside {}, so nothing was rendered",
                                self.root.display(),
                                self.root.display()
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Each dependency of `Chart.yaml` (text `chart`) comes from inside the repository (a
    /// `file://` path) or from a repository the configuration allows; anything else is refused
    /// before `helm dependency build` runs.
    fn check_dependencies(&self, dir: &Path, chart: &str) -> Result<(), Error> {
        let at = Location::file(dir.join("Chart.yaml").display().to_string());
        let doc: serde_json::Value = serde_saphyr::from_str(chart)
            .map_err(|_| Error::input(at.clone(), "Chart.yaml does not parse"))?;
        let deps = doc["dependencies"].as_array().cloned().unwrap_or_default();
        for dep in deps {
            let name = dep["name"].as_str().unwrap_or("?");
            let repo = dep["repository"].as_str().unwrap_or("");
            if let Some(path) = repo.strip_prefix("file://") {
                let inside = std::fs::canonicalize(dir.join(path)).is_ok_and(|p| p.starts_with(&self.root));
                if !inside {
                    return Err(Error::input(
                        at.clone(),
                        format!(
                            "dependency {name}: {repo} is not inside the repository ({}): refused",
                            self.root.display()
                        ),
                    ));
                }
            } else if !repo.is_empty() && !self.allowed.iter().any(|a| allows(a, repo)) {
                return Err(Error::input(
                    at.clone(),
                    format!(
                        "dependency {name}: repository {repo} is not allowed: render fetches charts only from inside the repository \
                         unless the plugin's configuration allows it (--allow-chart-repository {repo}); or vendor the chart into charts/"
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Whether the allowed repository `allowed` covers `repo`: the same URL, or one below it (a
/// prefix ending at a `/`, so `https://charts.example.com` never allows
/// `https://charts.example.com.evil.net`).
fn allows(allowed: &str, repo: &str) -> bool {
    let base = allowed.trim_end_matches('/');
    repo.trim_end_matches('/') == base || repo.starts_with(&format!("{base}/"))
}
