//! `seal -k DIR`: seal Secrets for the namespace and name a kustomization applies them as.
//!
//! A kustomization may rename (`namePrefix`, `nameSuffix`) and move (`namespace:`) the Secrets it
//! takes from its bases, and a strict-scoped value is bound to the name and namespace the cluster
//! sees. So the kustomization is rendered with the real `kustomize build` (or `kubectl
//! kustomize`) with origin annotations (`buildMetadata: [originAnnotations]`, set in a wrapper
//! kustomization so the user's files are not touched), each rendered Secret is traced to the file
//! and document it comes from, and that file is sealed with the rendered identity.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use zeroize::Zeroizing;

use crate::crypto::Scope;
use crate::error::{Error, Location};
use crate::manifest::seal::AppliedAs;
use crate::manifest::secret::{self, Field};
use crate::manifest::tree::Node;

/// One Secret as a kustomization renders it. No `Debug`: its values are plaintext.
#[derive(Clone)]
pub struct Rendered {
    /// What renders it, as messages name it: the kustomization's folder (`-k DIR`), or the
    /// Argo CD or Flux object that renders it.
    pub by: String,
    /// Its namespace and name as rendered.
    pub namespace: Option<String>,
    pub name: String,
    /// `(field, key) -> value text` as rendered.
    pub values: BTreeMap<(Field, String), Zeroizing<String>>,
}

/// The Secrets the kustomizations `dirs` render, by the source file each comes from.
pub type Renders = BTreeMap<PathBuf, Vec<Rendered>>;

/// `kustomize build dir` (or `kubectl kustomize`): what is applied.
pub fn build(dir: &Path) -> Result<zeroize::Zeroizing<String>, Error> {
    let mut cmd = kustomize_command();
    cmd.arg(dir);
    let stream = super::tools::rendered_by(cmd, &format!("kustomize build {}", dir.display()))?;
    Ok(zeroize::Zeroizing::new(stream))
}

/// `kustomize build` when kustomize is installed, else `kubectl kustomize`.
pub fn kustomize_command() -> Command {
    if super::tools::on_path("kustomize") {
        let mut c = Command::new("kustomize");
        c.arg("build");
        c
    } else {
        let mut c = Command::new("kubectl");
        c.arg("kustomize");
        c
    }
}

/// Renders `dir` with origin annotations; each Secret with the source file it comes from
/// (canonical path). Secrets that a generator makes are left out (they have no source file to
/// seal; `verify` flags their literals).
pub fn render(dir: &Path) -> Result<Vec<(PathBuf, Rendered)>, Error> {
    let shown = dir.display().to_string();
    let abs = std::fs::canonicalize(dir).map_err(|e| Error::io(&shown, &e))?;
    // Where sealing may write: nowhere outside the repository (issue 36: an origin annotation the
    // kustomization set itself led `seal -w -k` to rewrite a file outside it).
    // Outside git there is no repository to stay in; the symlink rule still holds.
    let repo_root = super::tools::repository_root(&abs).unwrap_or_else(|| PathBuf::from("/"));
    refuse_written_origins(dir, &repo_root)?;
    let wrapper = tempfile::Builder::new()
        .prefix("kseal-kustomize-")
        .tempdir()
        .map_err(|e| Error::io("a temporary folder", &e))?;
    let home = std::fs::canonicalize(wrapper.path()).map_err(|e| Error::io("a temporary folder", &e))?;
    // kustomize takes resources by relative path only: from the wrapper up to `/`, then down.
    let up = "../".repeat(home.components().count().saturating_sub(1));
    let rel = format!("{up}{}", abs.strip_prefix("/").unwrap_or(&abs).display());
    let kustomization = format!(
        "resources:\n- {}\nbuildMetadata: [originAnnotations]\n",
        yaml_quoted(&rel)
    );
    std::fs::write(home.join("kustomization.yaml"), kustomization)
        .map_err(|e| Error::io("a temporary folder", &e))?;
    let mut cmd = kustomize_command();
    cmd.arg(&home);
    let stream = zeroize::Zeroizing::new(super::tools::rendered_by(
        cmd,
        &format!("kustomize build {shown}"),
    )?);
    let at = Location::file(format!("kustomize build {shown}"));
    let docs = crate::manifest::parse_all(&stream, &at)?;
    let mut out = Vec::new();
    for root in docs.iter().filter_map(|d| d.root.as_ref()) {
        if root.get("kind").and_then(Node::as_str) != Some("Secret") {
            continue;
        }
        let meta = root.get("metadata");
        let origin = meta
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get("config.kubernetes.io/origin"))
            .and_then(Node::as_str)
            .unwrap_or("");
        let Some(path) = origin_path(origin) else { continue };
        let source = source_inside(&home.join(path), &repo_root)?;
        let text = |k: &str| {
            meta.and_then(|m| m.get(k))
                .and_then(Node::as_str)
                .map(str::to_string)
        };
        let mut values = BTreeMap::new();
        for field in [Field::Data, Field::StringData] {
            for (k, v) in root.get(field.as_str()).and_then(Node::entries).unwrap_or(&[]) {
                if let (Some(k), Some(v)) = (k.as_str(), v.as_str()) {
                    values.insert((field, k.to_string()), Zeroizing::new(v.to_string()));
                }
            }
        }
        out.push((
            source,
            Rendered {
                by: dir.display().to_string(),
                namespace: text("namespace"),
                name: text("name").unwrap_or_default(),
                values,
            },
        ));
    }
    Ok(out)
}

/// An origin annotation is kustomize's word only when nothing in the repository writes one
/// (`commonAnnotations`, a patch or a resource can set it to any path, and kustomize keeps it).
/// kustomize strips `config.kubernetes.io/` annotations from a plain build, so the files are
/// asked: `git grep` over the repository's YAML and JSON, tracked and untracked. Outside git
/// there is no repository to ask; the paths must still be reached without a symlink.
fn refuse_written_origins(dir: &Path, root: &Path) -> Result<(), Error> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "grep",
            "-l",
            "--untracked",
            "-F",
            "config.kubernetes.io/origin",
            "--",
            "*.yaml",
            "*.yml",
            "*.json",
            "*Kustomization",
        ])
        .stderr(std::process::Stdio::null())
        .output();
    let Ok(out) = out else { return Ok(()) };
    // 0: found, 1: none, anything else: not a repository (or no git).
    if out.status.code() != Some(0) {
        return Ok(());
    }
    let files = String::from_utf8_lossy(&out.stdout);
    let first = files.lines().next().unwrap_or("?");
    Err(Error::input(
        Location::file(root.join(first).display().to_string()),
        format!(
            "sets the config.kubernetes.io/origin annotation, which kustomize keeps, so `seal -k {}` cannot tell which file a \
             Secret comes from and refuses: remove it (it is kustomize's own, written by `buildMetadata: [originAnnotations]`)",
            dir.display()
        ),
    ))
}

/// The file an origin path names, as it is on disk: inside the repository `root`, and reached
/// through no symlink (its canonical path is the path itself), or refused.
fn source_inside(joined: &Path, root: &Path) -> Result<PathBuf, Error> {
    let mut lexical = PathBuf::new();
    for c in joined.components() {
        match c {
            std::path::Component::ParentDir => {
                lexical.pop();
            }
            std::path::Component::CurDir => {}
            other => lexical.push(other),
        }
    }
    let shown = lexical.display().to_string();
    if !lexical.starts_with(root) {
        return Err(Error::input(
            Location::file(&shown),
            format!(
                "kustomize says a Secret comes from this file, outside the repository ({}): kseal seals only inside it",
                root.display()
            ),
        ));
    }
    let canonical = std::fs::canonicalize(&lexical).map_err(|e| Error::io(&shown, &e))?;
    if canonical != lexical {
        return Err(Error::input(
            Location::file(&shown),
            format!(
                "a Secret's source is reached through a symlink (to {}): kseal seals only files it reaches directly",
                canonical.display()
            ),
        ));
    }
    Ok(canonical)
}

/// The `path:` of an origin annotation, unless a generator made the object (`configuredIn:`) or
/// it comes from a remote base (`repo:`).
fn origin_path(origin: &str) -> Option<&str> {
    if origin
        .lines()
        .any(|l| l.starts_with("configuredIn:") || l.starts_with("repo:"))
    {
        return None;
    }
    origin
        .lines()
        .find_map(|l| l.strip_prefix("path:"))
        .map(str::trim)
}

fn yaml_quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// How each Secret of `src` (the file at `file`) is applied, from what the kustomizations
/// rendered from it. Refuses a Secret rendered under two identities (as far as `scope` binds
/// them, a Secret rendered without a namespace being in `default_namespace`), and one whose
/// rendered values differ from the file's (a patch changed them: seal where the value is written).
pub fn applied_as(
    src: &str,
    file: &Location,
    rendered: &[Rendered],
    scope: Scope,
    default_namespace: Option<&str>,
) -> Result<Vec<AppliedAs>, Error> {
    let docs = crate::manifest::parse(src, file)?;
    let secrets = secret::find_secrets(&docs, file)?;
    let mut found: BTreeMap<(usize, String), Vec<&Rendered>> = BTreeMap::new();
    for r in rendered {
        // The source Secret whose name the rendered one contains (a prefix or suffix around it);
        // the longest, so that `db` does not take `db-admin`'s.
        let s = secrets
            .iter()
            .filter(|s| s.name.is_some_and(|n| r.name.contains(n)))
            .max_by_key(|s| s.name.map_or(0, str::len))
            .ok_or_else(|| {
                Error::input(
                    file.clone(),
                    format!(
                        "{} renders Secret {} from this file, but no Secret here has a name it contains",
                        r.by, r.name
                    ),
                )
            })?;
        for v in &s.values {
            let written = v.text();
            let same = r
                .values
                .get(&(v.field, v.key.to_string()))
                .is_some_and(|t| t.as_str() == written);
            if matches!(v.state(), secret::ValueState::Plain) && !same {
                return Err(Error::input(
                    s.value_location(file, v),
                    format!(
                        "{} renders another value here (a patch?): seal the value where it is written",
                        r.by
                    ),
                ));
            }
        }
        found
            .entry((s.document, s.name.unwrap_or("").to_string()))
            .or_default()
            .push(r);
    }
    let mut out = Vec::new();
    for ((document, source_name), rs) in found {
        // A Secret rendered without a namespace is applied in the default one (-n, the rule's).
        let ns = |r: &Rendered| {
            r.namespace
                .as_deref()
                .or(default_namespace)
                .unwrap_or("-")
                .to_string()
        };
        // What the scope binds of where it is applied (the core's binding, as people read it).
        let bound = |r: &Rendered| {
            let namespace = ns(r);
            let b = crate::crypto::Binding {
                namespace: &namespace,
                name: &r.name,
                key: "",
            };
            b.describe(scope).replace(", key ", "")
        };
        let mut identities: Vec<String> = rs.iter().map(|r| format!("{} (by {})", bound(r), r.by)).collect();
        identities.sort();
        let distinct: std::collections::BTreeSet<String> = rs.iter().map(|r| bound(r)).collect();
        if distinct.len() > 1 {
            return Err(Error::input(
                file.clone().with_document(document).with_secret(&source_name),
                format!(
                    "this Secret is applied under {} identities, and a {scope}-scoped value opens under one: {}; \
                     give each overlay its own Secret, or seal with --scope {}",
                    distinct.len(),
                    identities.join(", "),
                    if scope == Scope::Strict { "namespace (if they share a namespace) or --scope cluster" } else { "cluster" }
                ),
            ));
        }
        out.push(AppliedAs {
            document,
            source_name,
            namespace: rs[0].namespace.clone(),
            name: rs[0].name.clone(),
        });
    }
    Ok(out)
}

/// A value that does not open where a kustomization renders it: when the binding is what failed,
/// the kustomization may have renamed or moved its Secret; say how to seal for what it renders.
pub fn renamed_hint(mut e: Error, dir: &str) -> Error {
    let cause =
        std::error::Error::source(&e).and_then(|s| s.downcast_ref::<crate::crypto::sealed::OpenError>());
    use crate::crypto::sealed::OpenError;
    if matches!(
        cause,
        Some(OpenError::BindingMismatch(_) | OpenError::SealedElsewhere { .. })
    ) {
        e.message.push_str(&format!(
            "; if the kustomization renames or moves this Secret (namePrefix, nameSuffix, namespace), \
             seal it for the name and namespace it renders as: kseal seal -w -k {dir}"
        ));
    }
    e
}
