//! One recipient resolution for `seal -k`, `verify` and `reseal -k` (docs/ARCHITECTURE.md §3): a
//! file that the repository's entries (overlays, Argo CD Applications, Flux objects) render is
//! sealed to the union of the recipients of the `.kseal.yaml` rules matching those entries'
//! folders; a file no entry renders, or whose entries match no rule with recipients, to its own
//! rule's.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::input::Input;
use super::policy::config_rule;
use crate::config::ConfigCache;
use crate::crypto::{Kid, Recipient};
use crate::error::Error;
use crate::integrations::landings::{self, Entry, Survey, KUSTOMIZATION_FILES};
use crate::integrations::tools::{repository_root, Kind};

/// The repository the paths are in: the git work tree of the first; outside git, the folder of
/// the nearest `.kseal.yaml` above it (where kseal's configuration says the repository is),
/// else the first folder (or a file's folder). Canonical. `None` for stdin only.
pub fn root_of(paths: &[PathBuf]) -> Option<PathBuf> {
    let first = paths.iter().find(|p| p.as_os_str() != "-")?;
    let abs = std::fs::canonicalize(first).ok()?;
    let dir = if abs.is_dir() {
        abs
    } else {
        abs.parent()?.to_path_buf()
    };
    let configured = || {
        dir.ancestors()
            .find(|d| d.join(crate::config::FILE_NAME).is_file())
            .map(Path::to_path_buf)
    };
    Some(repository_root(&dir).or_else(configured).unwrap_or(dir))
}

/// What `.kseal.yaml` rules see of an entry: the kustomization (or `Chart.yaml`) in its folder.
fn entry_input(e: &Entry) -> Input {
    let file = match e.kind {
        Kind::Helm => e.dir.join("Chart.yaml"),
        _ => KUSTOMIZATION_FILES
            .iter()
            .map(|f| e.dir.join(f))
            .find(|p| p.is_file())
            .unwrap_or_else(|| e.dir.join("kustomization.yaml")),
    };
    Input {
        path: Some(file),
        walked: false,
    }
}

/// The recipients of the rule matching an entry's folder, if it names any.
fn entry_recipients(cache: &mut ConfigCache, e: &Entry) -> Result<Option<Vec<Recipient>>, Error> {
    let (_, rule) = config_rule(cache, &entry_input(e))?;
    Ok(rule.filter(|r| !r.recipients.is_empty()).map(|r| r.recipients))
}

/// The entries of the repository at `root`, plus the kustomizations `dirs` named on the command
/// line (each an entry, whether or not something else uses it); only kustomizations when
/// `kustomize_only` (what `seal -k` and `reseal -k` can write through).
pub fn entries(
    root: &Path,
    dirs: &[PathBuf],
    kustomize_only: bool,
    excludes: &[String],
) -> Result<Vec<Entry>, Error> {
    let mut found = landings::discover(root)?;
    // What `--exclude` and `.kseal.yaml`'s `ignore:` leave out of the walk is no entry either
    // (a plugin's kustomization that only its plugin renders).
    let excluded = super::input::exclusions(root, excludes)?;
    found.retain(|e| !excluded(&entry_input(e).path.expect("an entry has a folder")));
    for d in dirs {
        let shown = d.display().to_string();
        let dir = std::fs::canonicalize(d).map_err(|e| Error::io(&shown, &e))?;
        // A kustomization named on the command line is named as it was typed.
        for e in found
            .iter_mut()
            .filter(|e| e.dir == dir && e.by == landings::shown(root, &dir))
        {
            e.by.clone_from(&shown);
        }
        if !found.iter().any(|e| e.dir == dir && e.kind == Kind::Kustomize) {
            found.push(Entry {
                by: shown,
                dir,
                kind: Kind::Kustomize,
                namespace: None,
                target_namespace: None,
                release: None,
                values: Vec::new(),
                inline_values: None,
            });
        }
    }
    if kustomize_only {
        found.retain(|e| e.kind == Kind::Kustomize);
    }
    Ok(found)
}

/// Renders every entry, with each entry's rule's key ids (none when `-r/-R` replace the rules).
pub fn survey(
    root: &Path,
    entries: Vec<Entry>,
    cache: &mut ConfigCache,
    explicit: bool,
) -> Result<Survey, Error> {
    landings::survey(root, entries, &mut |e| {
        if explicit {
            return Ok(None);
        }
        Ok(entry_recipients(cache, e)?.map(|rs| rs.iter().map(Recipient::kid).collect::<BTreeSet<Kid>>()))
    })
}

/// A union of recipients, and the entries whose rules gave them.
type Union = (Vec<Recipient>, Vec<String>);

/// The recipients a source file is sealed to: the union of the rules of the entries that render
/// it, with the entries named (`None`: no entry renders it, or none matches a rule with
/// recipients; the file's own rule applies).
pub fn recipients_for(file: &Path, survey: &Survey, cache: &mut ConfigCache) -> Result<Option<Union>, Error> {
    let Some(indices) = survey.sources.get(file) else {
        return Ok(None);
    };
    let mut union: Vec<Recipient> = Vec::new();
    let mut by = Vec::new();
    for &i in indices {
        let e = &survey.entries[i];
        if let Some(rs) = entry_recipients(cache, e)? {
            by.push(e.by.clone());
            for r in rs {
                if !union.iter().any(|u| u.kid() == r.kid()) {
                    union.push(r);
                }
            }
        }
    }
    Ok((!union.is_empty()).then_some((union, by)))
}

/// The policy of a source file that `seal -k` or `reseal -k` writes: `-r/-R` if given; else the
/// union of its entries' rules ([`recipients_for`]), with the scope from `--scope`, else the
/// file's own rule, else strict, and the namespace from `-n`, else the file's own rule; else the
/// file's own policy ([`super::policy::policy_for`]).
pub fn policy_for_source(
    input: &Input,
    survey: &Survey,
    recipients: &super::RecipientArgs,
    scope: &super::ScopeArgs,
    global: &super::Flags,
    cache: &mut ConfigCache,
) -> Result<crate::policy::Policy, Error> {
    let explicit = !super::recipients::explicit_recipients(recipients)?.is_empty();
    let path = input.path.as_deref().expect("a source file has a path");
    let union = if explicit {
        None
    } else {
        recipients_for(path, survey, cache)?
    };
    let Some((union, by)) = union else {
        return super::policy::policy_for(input, recipients, scope, global, cache);
    };
    let (_, rule) = config_rule(cache, input)?;
    let policy = crate::policy::Policy {
        scope: scope
            .scope
            .or(rule.as_ref().and_then(|r| r.scope))
            .unwrap_or(crate::crypto::Scope::Strict),
        namespace: super::policy::default_namespace(global, rule.as_ref()),
        recipients: union,
    };
    let line = format!(
        "{}: sealing to key{} {} (the rules of {}, which render it), {} scope",
        input.label(),
        if policy.recipients.len() == 1 { "" } else { "s" },
        policy
            .recipients
            .iter()
            .map(|r| r.kid().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        by.join(", "),
        policy.scope
    );
    if cache.announced.insert(line.clone()) {
        say!("{line}");
    }
    Ok(policy)
}

/// The Secrets `seal -k` and `reseal -k` write for the kustomizations `dirs`: each source file
/// they render, with how every entry of the repository applies its Secrets (so that one applied
/// under two identities is refused). A kustomization named here that does not render is an
/// error, as it was before the survey (the survey reports the others, which are not asked for).
pub fn renders_of(
    survey: &mut Survey,
    dirs: &[PathBuf],
) -> Result<crate::integrations::kustomize::Renders, Error> {
    let mut given = Vec::new();
    for d in dirs {
        let shown = d.display().to_string();
        let dir = std::fs::canonicalize(d).map_err(|e| Error::io(&shown, &e))?;
        let failed = survey
            .failed
            .keys()
            .copied()
            .find(|i| survey.entries[*i].dir == dir);
        if let Some(e) = failed.and_then(|i| survey.failed.remove(&i)) {
            return Err(e);
        }
        given.push(dir);
    }
    Ok(survey
        .renders
        .iter()
        .filter(|(file, _)| {
            survey
                .sources
                .get(*file)
                .is_some_and(|es| es.iter().any(|&i| given.contains(&survey.entries[i].dir)))
        })
        .map(|(file, rs)| (file.clone(), rs.clone()))
        .collect())
}
