//! Helm as Argo CD runs it: `helm template` with the plugin environment, dependencies built only
//! from inside the repository (or from repositories the configuration allows), and the guard that
//! keeps `render` inside the repository.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::tools::{rendered_by, repository_root};
use crate::error::{Error, Location};

/// `helm template` as Argo CD's repo-server runs it: release ARGOCD_APP_NAME, namespace, CRDs
/// included, the cluster's version and API versions (KUBE_VERSION, KUBE_API_VERSIONS, which Argo CD
/// gives plugins), value files and parameters; local dependencies built first when `charts/` lacks
/// them.
pub fn helm_template(dir: &Path, namespace: Option<&str>, guard: &Guard) -> Result<Command, Error> {
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

/// What `render` may read: the repository's root (canonical), and the chart repositories the
/// plugin's configuration allows.
pub struct Guard {
    root: PathBuf,
    allowed: Vec<String>,
}

impl Guard {
    pub fn new(dir: &Path, allowed: &[String]) -> Result<Guard, Error> {
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
    pub fn refuse_links_outside(&self) -> Result<(), Error> {
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
