//! `.kseal.yaml`: repository rules that say which recipients, scope and default namespace apply
//! to which files. Found by walking up from the file being sealed, stopping at the root of the git
//! work tree (or at `/` outside git), so a file in one repository never takes a rule from a folder
//! above it; the first rule whose `path` glob matches the file (relative to the config's folder)
//! wins.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{GlobBuilder, GlobMatcher};
use serde::Deserialize;

use crate::crypto::{keys, Recipient, Scope};
use crate::error::{Error, Location};

/// The config file kseal looks for, in the folder of each input and above it.
pub const FILE_NAME: &str = ".kseal.yaml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    rules: Vec<RuleFile>,
    /// Globs (relative to this file's folder) that folder walks leave out: Helm charts, vendored
    /// manifests, rendered output.
    #[serde(default)]
    ignore: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    path: String,
    #[serde(default)]
    recipients: Vec<String>,
    scope: Option<Scope>,
    namespace: Option<String>,
}

/// One rule with its recipients resolved.
#[derive(Clone, Debug)]
pub struct Rule {
    /// The glob the rule matches, relative to the config file's folder.
    pub pattern: String,
    matcher: GlobMatcher,
    /// Who to seal to (`age1...`, or from a recipients file).
    pub recipients: Vec<Recipient>,
    /// The recipients files the rule names, joined to the config's folder.
    pub recipient_files: Vec<PathBuf>,
    /// The scope to seal with; strict when not set.
    pub scope: Option<Scope>,
    /// The namespace for Secrets that name none.
    pub namespace: Option<String>,
}

/// A parsed `.kseal.yaml`.
#[derive(Debug)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    /// Its folder: rules match paths below it.
    pub dir: PathBuf,
    /// The rules, in file order: the first that matches a file applies.
    pub rules: Vec<Rule>,
    /// `ignore:` globs, relative to `dir`.
    pub ignore: Vec<String>,
}

impl Config {
    /// Parses a config file; recipient files are read relative to its folder.
    pub fn load(path: &Path) -> Result<Config, Error> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(&shown, &e))?;
        let file: ConfigFile = serde_saphyr::from_str(&text).map_err(|e| {
            // serde-saphyr's message quotes the source line, which may hold a key pasted by mistake:
            // keep only its first line, redacted, and the position.
            let first = e.to_string().lines().next().unwrap_or_default().to_string();
            let first = first.trim_start_matches("error: ");
            // The position is in the location already.
            let first = match first.split_once(": ") {
                Some((pos, rest)) if pos.starts_with("line ") && pos.contains(" column ") => rest,
                _ => first,
            };
            let at = match e.location() {
                Some(l) => Location::file(&shown).at(l.line() as usize, l.column() as usize),
                None => Location::file(&shown),
            };
            Error::input(
                at,
                format!("invalid {FILE_NAME}: {}", keys::redact_secret_keys(first)),
            )
        })?;
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let mut rules = Vec::with_capacity(file.rules.len());
        for (i, r) in file.rules.into_iter().enumerate() {
            let at = || Location::file(&shown).with_key(format!("rules[{i}]"));
            let matcher = GlobBuilder::new(&r.path)
                .literal_separator(true)
                .build()
                .map_err(|e| Error::input(at(), format!("bad path glob `{}`: {}", r.path, e.kind())))?
                .compile_matcher();
            let mut recipients = Vec::new();
            let mut recipient_files = Vec::new();
            for entry in &r.recipients {
                if keys::looks_like_identity(entry) {
                    return Err(Error::input(
                        at(),
                        keys::KeyError::SecretKeyAsRecipient.to_string(),
                    ));
                }
                if entry.starts_with("age1") {
                    recipients.push(
                        keys::parse_recipient_arg(entry)
                            .map_err(|e| Error::input(at(), format!("recipient {e}")).with_source(e))?,
                    );
                } else {
                    recipients.extend(read_recipients_file(&dir.join(entry))?);
                    recipient_files.push(dir.join(entry));
                }
            }
            let recipients = keys::distinct_recipients(recipients)
                .map_err(|e| Error::input(at(), e.to_string()).with_source(e))?;
            rules.push(Rule {
                pattern: r.path,
                matcher,
                recipients,
                recipient_files,
                scope: r.scope,
                namespace: r.namespace,
            });
        }
        Ok(Config {
            path: path.to_path_buf(),
            dir,
            rules,
            ignore: file.ignore,
        })
    }

    /// The first rule whose glob matches `file` (made relative to the config's folder).
    pub fn rule_for(&self, file: &Path) -> Option<&Rule> {
        let abs_dir = std::path::absolute(&self.dir).ok()?;
        let abs_file = std::path::absolute(file).ok()?;
        let rel = abs_file.strip_prefix(&abs_dir).ok()?;
        self.rules.iter().find(|r| r.matcher.is_match(rel))
    }
}

/// A recipients file's text with every line that is `old` (the whole line, trimmed) replaced by
/// `new`, comments and other keys kept; `None` when no line is `old`.
pub fn replace_recipient(text: &str, old: &Recipient, new: &Recipient) -> Option<String> {
    let old = old.to_string();
    let mut hit = false;
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if body.trim() == old {
            hit = true;
            out.push_str(&body.replace(&old, &new.to_string()));
            out.push_str(&line[body.len()..]);
        } else {
            out.push_str(line);
        }
    }
    hit.then_some(out)
}

/// Reads a recipients file: one `age1...` per line, `#` comments.
pub fn read_recipients_file(path: &Path) -> Result<Vec<Recipient>, Error> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(&shown, &e))?;
    let recipients = keys::parse_recipients(&text)
        .map_err(|e| Error::input(Location::file(&shown), e.to_string()).with_source(e))?;
    if recipients.is_empty() {
        return Err(Error::input(Location::file(&shown), "no recipients in this file"));
    }
    Ok(recipients)
}

/// Finds and caches the `.kseal.yaml` that governs each folder.
#[derive(Default)]
pub struct ConfigCache {
    by_dir: HashMap<PathBuf, Option<Arc<Config>>>,
    /// What has been said on stderr about the rules used, so each is said once.
    pub announced: std::collections::HashSet<String>,
}

/// The files below `dir` that git tracks although a .gitignore pattern matches them, relative to
/// `dir` (`git ls-files --cached --ignored --exclude-standard`); none outside a repository or
/// without git. .gitignore applies to untracked files only: such a file is still committed,
/// pushed and applied, so folder walks (verify, seal, scan) read it (issue 36).
pub fn tracked_but_ignored(dir: &Path) -> Vec<std::path::PathBuf> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--ignored",
            "--exclude-standard",
            "--",
            ".",
        ])
        .stderr(std::process::Stdio::null())
        .output();
    match out {
        Ok(o) if o.status.success() => o
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .filter_map(|p| std::str::from_utf8(p).ok().map(std::path::PathBuf::from))
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether `dir` is the top of a git work tree: `.git` is a folder, or a file in a linked worktree
/// or a submodule.
fn is_work_tree_root(dir: &Path) -> bool {
    dir.join(".git").exists()
}

impl ConfigCache {
    /// The nearest `.kseal.yaml` at or above `dir`, up to the root of its git work tree.
    pub fn for_dir(&mut self, dir: &Path) -> Result<Option<Arc<Config>>, Error> {
        let dir = std::path::absolute(dir).map_err(|e| Error::io(dir.display().to_string(), &e))?;
        if let Some(hit) = self.by_dir.get(&dir) {
            return Ok(hit.clone());
        }
        let candidate = dir.join(FILE_NAME);
        let found = if candidate.is_file() {
            Some(Arc::new(Config::load(&candidate)?))
        } else if is_work_tree_root(&dir) {
            None
        } else {
            match dir.parent() {
                Some(parent) => self.for_dir(parent)?,
                None => None,
            }
        };
        self.by_dir.insert(dir, found.clone());
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_matching_rule_wins_and_recipients_resolve() {
        let dir = tempfile::tempdir().unwrap();
        let id = crate::crypto::Identity::generate();
        std::fs::create_dir_all(dir.path().join("keys")).unwrap();
        std::fs::write(
            dir.path().join("keys/prod.pub"),
            format!("# prod\n{}\n", id.recipient()),
        )
        .unwrap();
        let other = crate::crypto::Identity::generate();
        std::fs::write(
            dir.path().join(FILE_NAME),
            format!(
                "rules:\n  - path: \"clusters/prod/**\"\n    recipients: [keys/prod.pub, \"{}\"]\n    scope: strict\n  - path: \"**\"\n    recipients: [keys/prod.pub]\n    scope: cluster\n    namespace: dev\n",
                other.recipient()
            ),
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("clusters/prod/app")).unwrap();
        let mut cache = ConfigCache::default();
        let cfg = cache
            .for_dir(&dir.path().join("clusters/prod/app"))
            .unwrap()
            .unwrap();
        let rule = cfg
            .rule_for(&dir.path().join("clusters/prod/app/s.yaml"))
            .unwrap();
        assert_eq!(rule.pattern, "clusters/prod/**");
        assert_eq!(rule.recipients.len(), 2);
        assert_eq!(rule.scope, Some(Scope::Strict));
        let rule = cfg.rule_for(&dir.path().join("other/s.yaml")).unwrap();
        assert_eq!(rule.namespace.as_deref(), Some("dev"));
        assert_eq!(rule.scope, Some(Scope::Cluster));
    }

    #[test]
    fn a_rotated_key_replaces_its_line_only() {
        let ids: Vec<crate::crypto::Identity> = (0..3).map(|_| crate::crypto::Identity::generate()).collect();
        let (a, b, c) = (ids[0].recipient(), ids[1].recipient(), ids[2].recipient());
        let text = format!("# prod cluster\n{a}\r\n{c}\n");
        let new = replace_recipient(&text, a, b).unwrap();
        assert_eq!(new, format!("# prod cluster\n{b}\r\n{c}\n"));
        assert!(replace_recipient(&text, b, a).is_none());
    }

    #[test]
    fn discovery_stops_at_the_git_work_tree_root() {
        let dir = tempfile::tempdir().unwrap();
        let id = crate::crypto::Identity::generate();
        // A rule above the repository must not apply inside it.
        std::fs::write(
            dir.path().join(FILE_NAME),
            format!(
                "rules:\n  - path: \"**\"\n    recipients: [\"{}\"]\n",
                id.recipient()
            ),
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("repo/.git")).unwrap();
        std::fs::create_dir_all(dir.path().join("repo/app")).unwrap();
        let mut cache = ConfigCache::default();
        assert!(cache.for_dir(&dir.path().join("repo/app")).unwrap().is_none());
        // Outside the repository it still applies; a worktree's `.git` file counts as a root too.
        assert!(cache.for_dir(&dir.path().join("repo/..")).unwrap().is_some());
        std::fs::create_dir_all(dir.path().join("wt/x")).unwrap();
        std::fs::write(dir.path().join("wt/.git"), "gitdir: /elsewhere\n").unwrap();
        assert!(cache.for_dir(&dir.path().join("wt/x")).unwrap().is_none());
    }

    #[test]
    fn config_errors_never_show_a_secret_key() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(FILE_NAME);
        let sk = crate::crypto::Identity::generate().to_age_string();
        std::fs::write(
            &p,
            format!("rules:\n  - path: \"**\"\n    recipients: [{}\n", sk.as_str()),
        )
        .unwrap();
        let err = Config::load(&p).unwrap_err().to_string();
        assert!(!err.contains(&sk[16..30]), "{err}");
        assert!(err.contains("line 3"), "{err}");
        std::fs::write(
            &p,
            format!(
                "rules:\n  - path: \"**\"\n    recipients: [\"{}\"]\n",
                sk.as_str()
            ),
        )
        .unwrap();
        let err = Config::load(&p).unwrap_err().to_string();
        assert!(!err.contains(&sk[16..30]) && err.contains("secret key"), "{err}");
        std::fs::write(&p, format!("rules:\n  - path: \"**\"\n    {}: x\n", sk.as_str())).unwrap();
        let err = Config::load(&p).unwrap_err().to_string();
        assert!(!err.to_uppercase().contains(&sk[16..30]), "{err}");
    }

    #[test]
    fn unknown_fields_and_bad_scopes_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(FILE_NAME);
        std::fs::write(&p, "rules:\n  - path: x\n    recipent: []\n").unwrap();
        assert!(Config::load(&p).unwrap_err().to_string().contains(".kseal.yaml"));
        std::fs::write(&p, "rules:\n  - path: x\n    scope: global\n").unwrap();
        assert!(Config::load(&p).is_err());
    }
}
