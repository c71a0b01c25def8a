//! Baselines: findings a project has accepted (`scan --format json > .kseal-baseline.jsonl`).
//! A baseline lists fingerprints, never values; the values it accepts are read back, in memory,
//! from the commits its entries name, so the same value is accepted wherever it appears again.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use gix::ObjectId;
use kseal_core::error::Error;

use crate::generators::{generator_file_finding, GeneratorFile};
use crate::history::{file_at_head, file_in_tree};
use crate::ValueId;
use crate::{scan_bytes, Finding, Source};

/// The baseline file read when `--baseline` is not given, at the top of the work tree.
pub const DEFAULT_BASELINE: &str = ".kseal-baseline.jsonl";

/// A baseline as found: where it came from (a file, or `HEAD:.kseal-baseline.jsonl` in a bare
/// repository), what it accepts, and entries naming commits this clone lacks.
pub struct Found {
    pub file: PathBuf,
    pub baseline: Baseline,
    pub values: HashSet<(String, ValueId)>,
    pub missing: Vec<String>,
}

/// The baseline for a scan of `path`: `explicit` (`--baseline`), else the project's own at the
/// top of the work tree (as gitleaks reads `.gitleaksignore`), so that `hook install`'s
/// pre-commit hook and plain `kseal scan` agree. A bare repository (a CI mirror) has no work
/// tree: its baseline is the one committed at HEAD.
pub fn find(
    repo: Option<&gix::Repository>,
    path: &Path,
    explicit: Option<&Path>,
) -> Result<Option<Found>, Error> {
    let bare = repo.filter(|r| r.workdir().is_none());
    let file = explicit.map(Path::to_path_buf).or_else(|| {
        let top = repo
            .and_then(|r| r.workdir().map(Path::to_path_buf))
            .unwrap_or_else(|| path.to_path_buf());
        Some(top.join(DEFAULT_BASELINE)).filter(|p| p.is_file())
    });
    let text = match &file {
        Some(file) => std::fs::read_to_string(file).map_err(|e| Error::io(file.display().to_string(), &e))?,
        None => match bare.and_then(|r| file_at_head(r, DEFAULT_BASELINE)) {
            Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            None => return Ok(None),
        },
    };
    let baseline = parse(&text);
    let (values, missing) = match repo {
        Some(repo) => values(repo, &baseline.entries),
        None => Default::default(),
    };
    Ok(Some(Found {
        file: file.unwrap_or_else(|| PathBuf::from(format!("HEAD:{DEFAULT_BASELINE}"))),
        baseline,
        values,
        missing,
    }))
}

/// One finding of a baseline file, as `scan --format json` wrote it.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct BaselineEntry {
    pub source: Option<Source>,
    pub commit: Option<String>,
    pub path: String,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub keys: Vec<BaselineKey>,
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct BaselineKey {
    pub key: String,
    pub fingerprint: String,
}

/// What a baseline file accepts: finding fingerprints (v2, 16 hex), and the 8-hex value hashes of
/// baselines written before v2, which still work (compared in memory, never printed).
#[derive(Debug, Default)]
pub struct Baseline {
    pub fingerprints: BTreeSet<String>,
    pub legacy: BTreeSet<String>,
    pub entries: Vec<BaselineEntry>,
}

/// Reads a baseline file: JSON lines a previous `scan --format json` wrote, or plain lines of
/// fingerprints (16 hex; 8 hex for the pre-v2 form).
pub fn parse(text: &str) -> Baseline {
    let mut out = Baseline::default();
    let add = |fp: &str, out: &mut Baseline| {
        let fp = fp.to_ascii_lowercase();
        if !fp.bytes().all(|b| b.is_ascii_hexdigit()) {
            return;
        }
        match fp.len() {
            16 => out.fingerprints.insert(fp),
            8 => out.legacy.insert(fp),
            _ => false,
        };
    };
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        if let Ok(entry) = serde_json::from_str::<BaselineEntry>(line) {
            for k in &entry.keys {
                add(&k.fingerprint, &mut out);
            }
            out.entries.push(entry);
        } else {
            add(line, &mut out);
        }
    }
    out.entries.retain(|e| e.commit.is_some());
    out
}

/// Drops keys the baseline accepts (by fingerprint, by a value read back from the commits it
/// names, or by a pre-v2 value hash), and findings left without keys.
pub fn apply(findings: &mut Vec<Finding>, baseline: &Baseline, values: &HashSet<(String, ValueId)>) {
    for f in findings.iter_mut() {
        f.keys.retain(|k| {
            !(baseline.fingerprints.contains(&k.fingerprint)
                || values.contains(&k.identity())
                || baseline.legacy.iter().any(|l| k.value.matches_legacy(l)))
        });
    }
    findings.retain(|f| !f.keys.is_empty());
}

/// The values a baseline accepts, read back from history: for each entry that names a commit,
/// the finding at that commit and path is scanned again and its keys' values taken, in memory.
/// This is how a baseline suppresses the same value elsewhere (`--staged`, a moved file) without
/// holding anything derived from the value. Entries whose commit is not in this clone are
/// returned as unverifiable.
pub fn values(
    repo: &gix::Repository,
    entries: &[BaselineEntry],
) -> (HashSet<(String, ValueId)>, Vec<String>) {
    let mut values = HashSet::new();
    let mut missing = Vec::new();
    for e in entries {
        let Some(commit) = &e.commit else { continue };
        let blob = ObjectId::from_hex(commit.as_bytes())
            .ok()
            .and_then(|id| repo.find_commit(id).ok())
            .and_then(|c| c.tree_id().ok())
            .and_then(|t| file_in_tree(repo, t.detach(), &e.path));
        let Some(blob) = blob else {
            missing.push(format!("{commit}:{}", e.path));
            continue;
        };
        let mut found = scan_bytes(&e.path, &blob);
        // Findings in the files generators read are only found through their reader: rebuild it.
        if let Some(source @ (Source::SecretGenerator | Source::ConfigMapGenerator)) = e.source {
            let named = e.keys.iter().map(|k| Some(k.key.clone()));
            for key in std::iter::once(None).chain(named) {
                let gf = GeneratorFile {
                    source,
                    generator: e.name.clone(),
                    namespace: e.namespace.clone(),
                    path: e.path.clone(),
                    key,
                };
                found.extend(generator_file_finding(&gf, &e.path, &blob));
            }
        }
        let accepted: HashSet<&str> = e.keys.iter().map(|k| k.fingerprint.as_str()).collect();
        for f in found.iter_mut() {
            f.commit = Some(commit.clone());
            f.refresh_fingerprints();
        }
        for k in found.iter().flat_map(|f| &f.keys) {
            if accepted.contains(k.fingerprint.as_str()) {
                values.insert(k.identity());
            }
        }
    }
    (values, missing)
}
