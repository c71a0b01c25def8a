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
    let env = |k: &str| std::env::var(k).unwrap_or_default();
    let list = |k: &str| -> Vec<String> {
        env(k)
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    let app = env("ARGOCD_APP_NAME");
    let values: Vec<PathBuf> = list("ARGOCD_ENV_HELM_VALUES")
        .into_iter()
        .map(PathBuf::from)
        .collect();
    let mut cmd = template_command(dir, release_of_app(&app), namespace, &values, guard)?;
    let version = env("KUBE_VERSION");
    if !version.is_empty() {
        cmd.args(["--kube-version", &version]);
    }
    for v in list("KUBE_API_VERSIONS") {
        cmd.args(["--api-versions", &v]);
    }
    for p in list("ARGOCD_ENV_HELM_PARAMETERS") {
        cmd.args(["--set", &p]);
    }
    Ok(cmd)
}

/// The release name Argo CD gives a chart of the app `app` (ARGOCD_APP_NAME): the app's name.
/// An app outside Argo CD's own namespace is named `<namespace>_<name>` there (a namespace cannot
/// hold `_`), and helm refuses `_` in a release name; Argo CD releases it as `<name>`.
pub fn release_of_app(app: &str) -> &str {
    match app.split_once('_') {
        Some((_, name)) if !name.is_empty() => name,
        _ if app.is_empty() => "release",
        _ => app,
    }
}

/// `helm template RELEASE DIR --include-crds [--namespace NS] [--values FILE]...`, with the
/// chart's local dependencies built first when `charts/` lacks any of them.
pub fn template_command(
    dir: &Path,
    release: &str,
    namespace: Option<&str>,
    values: &[PathBuf],
    guard: &Guard,
) -> Result<Command, Error> {
    build_dependencies(dir, guard)?;
    let mut cmd = Command::new("helm");
    cmd.args(["template", release]).arg(dir).arg("--include-crds");
    if let Some(ns) = namespace {
        cmd.args(["--namespace", ns]);
    }
    for f in values {
        cmd.arg("--values").arg(f);
    }
    Ok(cmd)
}

/// `helm dependency build` when Chart.yaml lists a dependency that `charts/` does not hold yet
/// (as `<name>/` or `<name>-<version>.tgz`): a `file://` subchart, as Argo CD builds them. A
/// partly filled `charts/` is built too (helm template would fail on the missing one).
fn build_dependencies(dir: &Path, guard: &Guard) -> Result<(), Error> {
    let chart = std::fs::read_to_string(dir.join("Chart.yaml")).unwrap_or_default();
    let names = dependency_names(&chart);
    let present: Vec<String> = std::fs::read_dir(dir.join("charts"))
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let missing = names.iter().any(|n| {
        !present.iter().any(|p| {
            p == n || (p.ends_with(".tgz") && p.strip_prefix(n.as_str()).is_some_and(|r| r.starts_with('-')))
        })
    });
    if !missing {
        return Ok(());
    }
    guard.check_dependencies(dir, &chart)?;
    let mut cmd = Command::new("helm");
    cmd.args(["dependency", "build"])
        .arg(dir)
        .stdout(std::process::Stdio::null());
    rendered_by(cmd, "helm dependency build").map(drop)
}

/// The names of the dependencies a `Chart.yaml` lists.
fn dependency_names(chart: &str) -> Vec<String> {
    let Ok(doc) = serde_saphyr::from_str::<serde_json::Value>(chart) else {
        return Vec::new();
    };
    doc["dependencies"]
        .as_array()
        .map(|deps| {
            deps.iter()
                .filter_map(|d| d["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// What `render` may read: the repository's root (canonical), and the chart repositories the
/// plugin's configuration allows.
pub struct Guard {
    root: PathBuf,
    allowed: Vec<String>,
}

impl Guard {
    /// A guard for the repository at `root` (canonical), allowing no chart repository.
    pub fn within(root: &Path) -> Guard {
        Guard {
            root: root.to_path_buf(),
            allowed: Vec::new(),
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argo_cd_app_names_give_helm_release_names() {
        assert_eq!(release_of_app("shop"), "shop");
        assert_eq!(release_of_app("team-a_shop"), "shop");
        assert_eq!(release_of_app(""), "release");
        assert_eq!(release_of_app("odd_"), "odd_");
    }

    #[test]
    fn dependency_names_come_from_chart_yaml() {
        let chart = "apiVersion: v2\nname: app\ndependencies:\n- name: one\n  repository: file://../one\n- {name: two}\n";
        assert_eq!(dependency_names(chart), ["one", "two"]);
        assert!(dependency_names("name: app\n").is_empty());
        assert!(dependency_names(": : :").is_empty());
    }

    #[test]
    fn an_allowed_repository_covers_only_itself_and_below() {
        assert!(allows(
            "https://charts.example.com",
            "https://charts.example.com/"
        ));
        assert!(allows(
            "https://charts.example.com/",
            "https://charts.example.com/stable"
        ));
        assert!(!allows(
            "https://charts.example.com",
            "https://charts.example.com.evil.net"
        ));
    }
}
