//! Where a repository's Secrets land (docs/ARCHITECTURE.md §3): the entry points that turn its files
//! into what a cluster applies, found the way the GitOps systems find them, and rendered the way
//! they render them.
//!
//! An entry is one of: an Argo CD `Application` (or an `ApplicationSet` whose template names a
//! literal path) with a source path in the repository; a Flux `Kustomization` (`spec.path`,
//! `spec.targetNamespace`) or `HelmRelease` whose chart is a path in the repository; and every
//! `kustomization.yaml` that no other kustomization of the repository uses (an overlay, or a
//! base nothing else includes: each is something someone applies with `kubectl apply -k`). A
//! chart that no Application or HelmRelease names is not an entry: its release name, on which
//! its Secrets' names usually depend, is not known.
//!
//! Paths come from repository content, which is untrusted: an entry whose folder is not inside
//! the repository (by `..` or a symlink) is dropped, and helm's dependencies go through the same
//! guard as `render`'s.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::tools::{detect, Kind};
use crate::crypto::Kid;
use crate::error::{Error, Location};
use crate::manifest::secret::{self, ValueState};
use crate::manifest::tree::{self, Node, NodeKind};
use crate::manifest::verify::{Landed, Landing, Problem};

/// One place that renders manifests to apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The folder rendered (canonical, inside the repository).
    pub dir: PathBuf,
    /// How messages name it: `overlays/prod`, or `Argo CD Application argocd/shop
    /// (apps/shop.yaml)`.
    pub by: String,
    /// Kustomize or Helm.
    pub kind: Kind,
    /// The namespace objects without one get (Argo CD's `destination.namespace`, helm's `-n`).
    pub namespace: Option<String>,
    /// Flux's `targetNamespace`: every object's namespace, whatever it says.
    pub target_namespace: Option<String>,
    /// Helm: the release name.
    pub release: Option<String>,
    /// Helm: the values files, in order (inside the repository), and inline values (Flux
    /// `spec.values`), as YAML.
    pub values: Vec<PathBuf>,
    /// Helm: inline values, as YAML text.
    pub inline_values: Option<String>,
}

impl Entry {
    fn plain(dir: PathBuf, by: String, kind: Kind) -> Entry {
        Entry {
            dir,
            by,
            kind,
            namespace: None,
            target_namespace: None,
            release: None,
            values: Vec::new(),
            inline_values: None,
        }
    }
}

/// Names kustomize reads a kustomization from.
pub const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The entries of the repository at `root` (canonical), in a stable order.
pub fn discover(root: &Path) -> Result<Vec<Entry>, Error> {
    let mut kustomizations = Vec::new();
    let mut gitops = Vec::new();
    let walk = ignore::WalkBuilder::new(root)
        .hidden(true)
        .follow_links(false)
        .require_git(false)
        .build();
    for entry in walk.flatten() {
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        if KUSTOMIZATION_FILES.contains(&name) {
            if let Some(dir) = path.parent() {
                kustomizations.push(dir.to_path_buf());
            }
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            gitops.push(path.to_path_buf());
        }
    }
    kustomizations.sort();
    kustomizations.dedup();
    let mut used = BTreeSet::new();
    for dir in &kustomizations {
        used.extend(kustomization_uses(dir));
    }
    let mut out: Vec<Entry> = Vec::new();
    for file in gitops {
        out.extend(gitops_entries(root, &file));
    }
    let named: BTreeSet<PathBuf> = out.iter().map(|e| e.dir.clone()).collect();
    for dir in kustomizations {
        let Ok(canonical) = std::fs::canonicalize(&dir) else {
            continue;
        };
        if used.contains(&canonical) || named.contains(&canonical) || !canonical.starts_with(root) {
            continue;
        }
        let by = shown(root, &canonical);
        out.push(Entry::plain(canonical, by, Kind::Kustomize));
    }
    out.sort_by(|a, b| (&a.dir, &a.by).cmp(&(&b.dir, &b.by)));
    Ok(out)
}

/// A folder as messages show it: relative to the repository root.
pub fn shown(root: &Path, dir: &Path) -> String {
    match dir.strip_prefix(root) {
        Ok(rel) if rel.as_os_str().is_empty() => ".".into(),
        Ok(rel) => rel.display().to_string(),
        Err(_) => dir.display().to_string(),
    }
}

fn read_docs(file: &Path) -> Vec<tree::Document> {
    let Ok(text) = std::fs::read_to_string(file) else {
        return Vec::new();
    };
    tree::parse(&text).unwrap_or_default()
}

fn items(node: Option<&Node>) -> &[Node] {
    match node.map(|n| &n.kind) {
        Some(NodeKind::Sequence { items, .. }) => items,
        _ => &[],
    }
}

fn text<'a>(node: Option<&'a Node>, path: &[&str]) -> Option<&'a str> {
    let mut n = node?;
    for p in path {
        n = n.get(p)?;
    }
    n.as_str().filter(|s| !s.is_empty())
}

/// The folders a kustomization uses as resources, bases or components (canonical).
fn kustomization_uses(dir: &Path) -> Vec<PathBuf> {
    let Some(file) = KUSTOMIZATION_FILES
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.is_file())
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for doc in read_docs(&file) {
        let Some(root) = doc.root.as_ref() else { continue };
        for field in ["resources", "bases", "components"] {
            for item in items(root.get(field)) {
                let Some(rel) = item.as_str() else { continue };
                if let Ok(p) = std::fs::canonicalize(dir.join(rel)) {
                    if p.is_dir() {
                        out.push(p);
                    }
                }
            }
        }
    }
    out
}

/// The entries one YAML file declares: Argo CD Applications and ApplicationSets, Flux
/// Kustomizations and HelmReleases. A cheap text test first: most files are none of these.
fn gitops_entries(root: &Path, file: &Path) -> Vec<Entry> {
    let Ok(src) = std::fs::read_to_string(file) else {
        return Vec::new();
    };
    if !(src.contains("argoproj.io") || src.contains("toolkit.fluxcd.io")) {
        return Vec::new();
    }
    let Ok(docs) = tree::parse(&src) else {
        return Vec::new();
    };
    let at = shown(root, file);
    let mut out = Vec::new();
    for root_node in docs.iter().filter_map(|d| d.root.as_ref()) {
        let api = text(Some(root_node), &["apiVersion"]).unwrap_or("");
        let kind = text(Some(root_node), &["kind"]).unwrap_or("");
        let name = text(Some(root_node), &["metadata", "name"]).unwrap_or("?");
        let ns = text(Some(root_node), &["metadata", "namespace"]);
        let by = |what: &str| {
            format!(
                "{what} {}{name} ({at})",
                ns.map(|n| format!("{n}/")).unwrap_or_default()
            )
        };
        let spec = root_node.get("spec");
        match (api.split('/').next().unwrap_or(""), kind) {
            ("argoproj.io", "Application") => {
                out.extend(argo_sources(root, spec, name, &by("Argo CD Application")))
            }
            ("argoproj.io", "ApplicationSet") => {
                let template = spec.and_then(|s| s.get("template"));
                let app_name = text(template, &["metadata", "name"]).unwrap_or(name);
                let found = argo_sources(
                    root,
                    template.and_then(|t| t.get("spec")),
                    app_name,
                    &by("Argo CD ApplicationSet"),
                );
                // A generated path (skipped above) or name (`{{name}}`) is not a literal source.
                out.extend(
                    found
                        .into_iter()
                        .filter(|e| e.release.as_deref().is_none_or(|r| !r.contains("{{"))),
                );
            }
            ("kustomize.toolkit.fluxcd.io", "Kustomization") => {
                let Some(path) = text(spec, &["path"]) else {
                    continue;
                };
                let Some(dir) = inside(root, &root.join(path.trim_start_matches("./"))) else {
                    continue;
                };
                if detect(&dir) != Kind::Kustomize {
                    continue;
                }
                let mut e = Entry::plain(dir, by("Flux Kustomization"), Kind::Kustomize);
                e.target_namespace = text(spec, &["targetNamespace"]).map(str::to_string);
                out.push(e);
            }
            ("helm.toolkit.fluxcd.io", "HelmRelease") => {
                let release = Release {
                    root,
                    file,
                    src: &src,
                    name,
                    namespace: ns,
                };
                out.extend(release.entry(spec, by("Flux HelmRelease")));
            }
            _ => {}
        }
    }
    out
}

/// A Flux HelmRelease, as written in `file` (text `src`).
struct Release<'a> {
    root: &'a Path,
    file: &'a Path,
    src: &'a str,
    name: &'a str,
    namespace: Option<&'a str>,
}

impl Release<'_> {
    /// The entry of a HelmRelease whose chart is a path in the repository.
    fn entry(&self, spec: Option<&Node>, by: String) -> Option<Entry> {
        let root = self.root;
        let chart = spec.and_then(|s| s.get("chart")).and_then(|c| c.get("spec"));
        let path = text(chart, &["chart"])?;
        let dir = inside(root, &root.join(path.trim_start_matches("./")))?;
        if detect(&dir) != Kind::Helm {
            return None;
        }
        let mut e = Entry::plain(dir, by, Kind::Helm);
        e.release = Some(text(spec, &["releaseName"]).unwrap_or(self.name).to_string());
        e.namespace = text(spec, &["targetNamespace"])
            .or(self.namespace)
            .map(str::to_string);
        // Flux merges valuesFiles, then valuesFrom, then values, each over the last.
        e.values = items(chart.and_then(|c| c.get("valuesFiles")))
            .iter()
            .filter_map(Node::as_str)
            .filter_map(|f| inside(root, &root.join(f.trim_start_matches("./"))))
            .collect();
        let folder = self.file.parent().unwrap_or(root);
        for from in items(spec.and_then(|s| s.get("valuesFrom"))) {
            let (Some(kind), Some(name)) = (text(Some(from), &["kind"]), text(Some(from), &["name"])) else {
                continue;
            };
            let key = text(Some(from), &["valuesKey"]).unwrap_or("values.yaml");
            e.values.extend(generated_values(root, folder, kind, name, key));
        }
        // The span of a block mapping starts at its first key: indent that line as the others
        // are, so the text parses as the same mapping.
        e.inline_values = spec.and_then(|s| s.get("values")).map(|v| {
            format!(
                "{}{}\n",
                " ".repeat(v.col.saturating_sub(1)),
                &self.src[v.start..v.end]
            )
        });
        Some(e)
    }
}

/// The file a kustomization in `folder` (where a HelmRelease is) generates the ConfigMap or
/// Secret `name` from, under `key`: Flux's usual way to keep a release's values in a file
/// (`configMapGenerator: [{name: NAME, files: [values.yaml=podinfo-values.yaml]}]` and
/// `valuesFrom: [{kind: ConfigMap, name: NAME}]`). Inside the repository only.
fn generated_values(root: &Path, folder: &Path, kind: &str, name: &str, key: &str) -> Option<PathBuf> {
    let field = match kind {
        "ConfigMap" => "configMapGenerator",
        "Secret" => "secretGenerator",
        _ => return None,
    };
    let file = KUSTOMIZATION_FILES
        .iter()
        .map(|f| folder.join(f))
        .find(|p| p.is_file())?;
    for doc in read_docs(&file) {
        let Some(k) = doc.root.as_ref() else { continue };
        for g in items(k.get(field))
            .iter()
            .filter(|g| text(Some(g), &["name"]) == Some(name))
        {
            for f in items(g.get("files")).iter().filter_map(Node::as_str) {
                let (as_key, path) = f
                    .split_once('=')
                    .unwrap_or((Path::new(f).file_name().and_then(|n| n.to_str()).unwrap_or(f), f));
                if as_key == key {
                    return inside(root, &folder.join(path));
                }
            }
        }
    }
    None
}

/// The sources of an Argo CD Application spec (`source`, or each of `sources`) that are paths in
/// this repository.
fn argo_sources(root: &Path, spec: Option<&Node>, app: &str, by: &str) -> Vec<Entry> {
    let destination = text(spec, &["destination", "namespace"]).map(str::to_string);
    let mut sources: Vec<&Node> = spec.and_then(|s| s.get("source")).into_iter().collect();
    sources.extend(items(spec.and_then(|s| s.get("sources"))));
    let mut out = Vec::new();
    for source in sources {
        let Some(path) = text(Some(source), &["path"]) else {
            continue;
        };
        if path.contains("{{") {
            continue;
        }
        let Some(dir) = inside(root, &root.join(path.trim_start_matches("./"))) else {
            continue;
        };
        let kind = detect(&dir);
        if kind == Kind::Plain {
            continue;
        }
        let mut e = Entry::plain(dir.clone(), by.to_string(), kind);
        e.namespace = destination
            .clone()
            .or_else(|| text(Some(source), &["kustomize", "namespace"]).map(str::to_string));
        if kind == Kind::Helm {
            let helm = source.get("helm");
            e.release = Some(text(helm, &["releaseName"]).unwrap_or(app).to_string());
            e.values = items(helm.and_then(|h| h.get("valueFiles")))
                .iter()
                .filter_map(Node::as_str)
                .filter_map(|f| inside(root, &dir.join(f)))
                .collect();
            e.inline_values = text(helm, &["values"]).map(str::to_string);
        }
        out.push(e);
    }
    out
}

/// `path` as it is on disk, if it is inside `root` (no `..` or symlink leads out).
fn inside(root: &Path, path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok().filter(|p| p.starts_with(root))
}

/// The manifests `entry` renders, as its GitOps system would render them.
pub fn render(entry: &Entry, root: &Path) -> Result<zeroize::Zeroizing<String>, Error> {
    match entry.kind {
        Kind::Kustomize => super::kustomize::build(&entry.dir),
        Kind::Helm => {
            let guard = super::helm::Guard::within(root);
            let inline = match &entry.inline_values {
                Some(v) => {
                    let mut f = tempfile::Builder::new()
                        .prefix("kseal-values-")
                        .suffix(".yaml")
                        .tempfile()
                        .map_err(|e| Error::io("a temporary file", &e))?;
                    std::io::Write::write_all(&mut f, v.as_bytes())
                        .map_err(|e| Error::io("a temporary file", &e))?;
                    Some(f)
                }
                None => None,
            };
            let mut values = entry.values.clone();
            values.extend(inline.as_ref().map(|f| f.path().to_path_buf()));
            let cmd = super::helm::template_command(
                &entry.dir,
                entry.release.as_deref().unwrap_or("release"),
                entry.namespace.as_deref(),
                &values,
                &guard,
            )?;
            let what = format!("helm template {}", entry.dir.display());
            Ok(zeroize::Zeroizing::new(super::tools::rendered_by(cmd, &what)?))
        }
        Kind::Plain => Err(Error::input(
            Location::file(entry.dir.display().to_string()),
            "not a kustomization or a chart",
        )),
    }
}

/// What the entries of a repository render, for `verify`, `seal -k` and `reseal -k`.
#[derive(Default)]
pub struct Survey {
    /// The entries, in [`discover`]'s order.
    pub entries: Vec<Entry>,
    /// Every sealed value rendered, by sealed string: where it lands, and the keys the rules
    /// of the entries that render it ask for.
    pub landed: Landed,
    /// For each source file a kustomization renders a Secret from, the entries that do
    /// (indices into `entries`).
    pub sources: BTreeMap<PathBuf, BTreeSet<usize>>,
    /// For each such file, every Secret an entry renders from it, as that entry's GitOps
    /// system applies it (namespace as it sets it): what `seal -k` binds to, and refuses when
    /// two entries apply one Secret under two identities; and the places a value of it may have
    /// been sealed for (`reseal -k` finds the one by its tag).
    pub renders: super::kustomize::Renders,
    /// The entries that did not render (indices into `entries`), and why.
    pub failed: BTreeMap<usize, Error>,
    /// Plaintext that only a render shows (a values file a chart puts in a Secret).
    pub problems: Vec<Problem>,
}

impl Survey {
    /// A problem for each entry that did not render and that `asked` is about: verify never
    /// calls clean what it could not read.
    pub fn render_problems(&self, asked: impl Fn(&Entry) -> bool) -> Vec<Problem> {
        self.failed
            .iter()
            .map(|(i, e)| (&self.entries[*i], e))
            .filter(|(entry, _)| asked(entry))
            .map(|(entry, e)| {
                Problem::new(
                    Location::file(&entry.by),
                    format!("not checked: it does not render: {}", e.message),
                )
            })
            .collect()
    }
}

/// The key ids of the `.kseal.yaml` rule matching an entry's folder.
pub type RuleKids<'a> = dyn FnMut(&Entry) -> Result<Option<BTreeSet<Kid>>, Error> + 'a;

/// Renders every entry. `rule_kids` gives the recipients of the `.kseal.yaml` rule matching an
/// entry's folder (`None`: no rule, or one without recipients).
pub fn survey(root: &Path, entries: Vec<Entry>, rule_kids: &mut RuleKids) -> Result<Survey, Error> {
    let mut out = Survey::default();
    for (i, entry) in entries.iter().enumerate() {
        let kids = rule_kids(entry)?;
        let landed = match entry.kind {
            Kind::Kustomize => kustomize_landings(entry, &mut out, i),
            _ => helm_landings(entry, root, &mut out.problems),
        };
        let landed = match landed {
            Ok(l) => l,
            Err(e) => {
                out.failed.insert(i, e);
                continue;
            }
        };
        for (sealed, landing) in landed {
            let l = out.landed.entry(sealed).or_default();
            if !l.at.contains(&landing) {
                l.at.push(landing);
            }
            if let Some(k) = &kids {
                l.kids.get_or_insert_with(BTreeSet::new).extend(k.iter().copied());
            }
        }
    }
    out.entries = entries;
    Ok(out)
}

/// The sealed values a kustomization renders (traced to their source files by kustomize's origin
/// annotations), each with where it lands.
fn kustomize_landings(
    entry: &Entry,
    survey: &mut Survey,
    index: usize,
) -> Result<Vec<(String, Landing)>, Error> {
    let mut out = Vec::new();
    for (file, mut r) in super::kustomize::render(&entry.dir)? {
        let namespace = entry
            .target_namespace
            .clone()
            .or(r.namespace.take())
            .or_else(|| entry.namespace.clone());
        survey.sources.entry(file.clone()).or_default().insert(index);
        for ((field, key), text) in &r.values {
            if let ValueState::Sealed(v) = secret::state_of(*field, text) {
                out.push((
                    v.encode(),
                    Landing {
                        namespace: namespace.clone(),
                        name: r.name.clone(),
                        key: key.clone(),
                        by: entry.by.clone(),
                    },
                ));
            }
        }
        r.namespace = namespace;
        r.by = entry.by.clone();
        survey.renders.entry(file).or_default().push(r);
    }
    Ok(out)
}

/// The sealed values a chart renders, each with where it lands; a rendered plaintext Secret
/// value is a problem, named at the line of a values file that holds it when one does.
fn helm_landings(
    entry: &Entry,
    root: &Path,
    problems: &mut Vec<Problem>,
) -> Result<Vec<(String, Landing)>, Error> {
    let stream = render(entry, root)?;
    let at = Location::file(&entry.by);
    let docs = crate::manifest::parse(&stream, &at)?;
    let mut out = Vec::new();
    for s in secret::find_secrets(&docs, &at)? {
        let namespace = entry
            .target_namespace
            .as_deref()
            .or(s.namespace)
            .or(entry.namespace.as_deref())
            .map(str::to_string);
        for v in &s.values {
            match v.state() {
                ValueState::Sealed(sealed) => out.push((
                    sealed.encode(),
                    Landing {
                        namespace: namespace.clone(),
                        name: s.name.unwrap_or("").to_string(),
                        key: v.key.to_string(),
                        by: entry.by.clone(),
                    },
                )),
                ValueState::Plain => {
                    let plain = crate::manifest::seal::plaintext_of(v.field, v.text()).unwrap_or_default();
                    let written = std::str::from_utf8(&plain).unwrap_or("");
                    let files = values_files(entry, root);
                    let location = written_at(written, &files).unwrap_or_else(|| s.value_location(&at, v));
                    problems.push(Problem::new(
                        location,
                        format!(
                            "not sealed (plaintext): {} puts it in Secret {}{}, key {}; seal it with `kseal seal --raw -n NS --name NAME --key KEY`",
                            entry.by,
                            namespace.as_deref().map(|n| format!("{n}/")).unwrap_or_default(),
                            s.name.unwrap_or("?"),
                            v.key
                        ),
                    ));
                }
                _ => {}
            }
        }
    }
    Ok(out)
}

/// The values files a chart is rendered with: its own `values.yaml`, its parents' (a subchart's
/// values can be set by the chart that includes it), then the entry's.
fn values_files(entry: &Entry, root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = entry
        .dir
        .ancestors()
        .take_while(|d| d.starts_with(root))
        .filter(|d| d.join("Chart.yaml").is_file())
        .flat_map(|d| [d.join("values.yaml"), d.join("values.yml")])
        .filter(|p| p.is_file())
        .collect();
    // Subcharts under `charts/` of the entry's chart: their own defaults.
    for sub in std::fs::read_dir(entry.dir.join("charts"))
        .into_iter()
        .flatten()
        .flatten()
    {
        out.push(sub.path().join("values.yaml"));
    }
    out.extend(entry.values.iter().cloned());
    out.retain(|p| p.is_file());
    out
}

/// A path as messages show it: relative to the working folder when it is inside it.
pub fn relative(path: &Path) -> String {
    let cwd = std::env::current_dir().and_then(std::fs::canonicalize);
    match cwd.as_ref().ok().and_then(|c| path.strip_prefix(c).ok()) {
        Some(rel) => rel.display().to_string(),
        None => path.display().to_string(),
    }
}

/// The first line of `files` that writes `value` as a YAML scalar (`key: value`, quoted or not),
/// if `value` is long enough for that to mean something. The location names the line only: the
/// value is never shown.
fn written_at(value: &str, files: &[PathBuf]) -> Option<Location> {
    if value.len() < 4 || value.contains('\n') {
        return None;
    }
    for f in files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            let Some((_, v)) = line.split_once(": ") else {
                continue;
            };
            let v = v.trim();
            let v = v.split(" #").next().unwrap_or(v).trim();
            let unquoted = v.trim_matches('"').trim_matches('\'');
            if unquoted == value {
                return Some(Location::file(relative(f)).at(i + 1, 1));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// A Flux layout (flux2-kustomize-helm-example's shape) and an Argo CD one: what is an entry
    /// and what is not.
    #[test]
    fn entries_are_overlays_and_what_gitops_objects_name() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        write(
            &root,
            "apps/base/podinfo/kustomization.yaml",
            "resources: [secret.yaml]\n",
        );
        write(
            &root,
            "apps/staging/kustomization.yaml",
            "resources: [../base/podinfo]\n",
        );
        write(
            &root,
            "apps/production/kustomization.yaml",
            "resources: [../base/podinfo]\n",
        );
        write(
            &root,
            "clusters/production/apps.yaml",
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps, namespace: flux-system}\nspec:\n  path: ./apps/production\n  targetNamespace: prod\n",
        );
        write(
            &root,
            "charts/shop/Chart.yaml",
            "apiVersion: v2\nname: shop\nversion: 0.1.0\n",
        );
        write(&root, "charts/shop/envs/staging.yaml", "a: 1\n");
        write(
            &root,
            "argo/shop.yaml",
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: shop, namespace: argocd}\nspec:\n  destination: {namespace: shop}\n  source:\n    path: charts/shop\n    helm:\n      valueFiles: [envs/staging.yaml, ../../../outside.yaml]\n---\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: away}\nspec:\n  source: {path: ../elsewhere}\n",
        );
        let found = discover(&root).unwrap();
        let by: Vec<&str> = found.iter().map(|e| e.by.as_str()).collect();
        assert_eq!(
            by,
            [
                "Flux Kustomization flux-system/apps (clusters/production/apps.yaml)",
                "apps/staging",
                "Argo CD Application argocd/shop (argo/shop.yaml)",
            ],
            "{found:?}"
        );
        let shop = &found[2];
        assert_eq!(
            (shop.kind, shop.release.as_deref(), shop.namespace.as_deref()),
            (Kind::Helm, Some("shop"), Some("shop"))
        );
        assert_eq!(
            shop.values,
            [root.join("charts/shop/envs/staging.yaml")],
            "the outside file is dropped"
        );
        assert_eq!(found[0].target_namespace.as_deref(), Some("prod"));
    }

    /// A Flux HelmRelease of a chart in the repository: its values files, the file a
    /// configMapGenerator makes its `valuesFrom` ConfigMap from, and its inline values, which
    /// parse as the mapping they are.
    #[test]
    fn a_helm_release_renders_with_every_values_source() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        write(
            &root,
            "charts/shop/Chart.yaml",
            "apiVersion: v2\nname: shop\nversion: 0.1.0\n",
        );
        write(&root, "charts/shop/ci.yaml", "a: 1\n");
        write(&root, "apps/shop/podinfo-values.yaml", "b: 2\n");
        write(
            &root,
            "apps/shop/kustomization.yaml",
            "resources: [release.yaml]\nconfigMapGenerator:\n- name: shop-values\n  files:\n  - values.yaml=podinfo-values.yaml\n",
        );
        write(
            &root,
            "apps/shop/release.yaml",
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: shop\n  namespace: shop\nspec:\n  chart:\n    spec:\n      chart: ./charts/shop\n      valuesFiles: [charts/shop/ci.yaml]\n  valuesFrom:\n  - kind: ConfigMap\n    name: shop-values\n  values:\n    replicaCount: 2\n    db:\n      user: shop\n",
        );
        let found = discover(&root).unwrap();
        let release = found
            .iter()
            .find(|e| e.kind == Kind::Helm)
            .expect("the HelmRelease");
        assert_eq!(release.release.as_deref(), Some("shop"));
        assert_eq!(release.namespace.as_deref(), Some("shop"));
        assert_eq!(
            release.values,
            [
                root.join("charts/shop/ci.yaml"),
                root.join("apps/shop/podinfo-values.yaml")
            ]
        );
        let inline: serde_json::Value =
            serde_saphyr::from_str(release.inline_values.as_deref().unwrap()).unwrap();
        assert_eq!(
            inline,
            serde_json::json!({"replicaCount": 2, "db": {"user": "shop"}})
        );
    }
}
