//! `--history`: every commit of every ref, each distinct blob read once.
//!
//! 1. Walk the commits of all refs (branches, tags, remotes, stash, notes) and, oldest first,
//!    their trees, visiting each distinct tree once. The first time a blob id shows up is the
//!    commit that introduced that content, and the path it had there.
//! 2. Read every distinct reachable blob once, in parallel, through the cheap prefilter; only the
//!    few candidates are parsed.
//! 3. Group findings of the same Secret and values (the same plaintext survives in many blobs as
//!    the file is edited), keep the earliest, and mark those whose values are still at HEAD.
//!
//! Memory is the object index (one entry per tree and blob id), never the history's content.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use gix::ObjectId;
use rayon::prelude::*;

use super::{scan_bytes, Finding};
use crate::error::{Error, Location};

fn git_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::input(Location::default(), format!("{what}: {e}"))
}

/// Commit ids reachable from every ref and HEAD, oldest first.
fn commits_oldest_first(repo: &gix::Repository) -> Result<Vec<ObjectId>, Error> {
    let mut tips: Vec<ObjectId> = Vec::new();
    let refs = repo.references().map_err(|e| git_error("reading refs", e))?;
    for r in refs.all().map_err(|e| git_error("reading refs", e))? {
        let Ok(mut r) = r else { continue };
        let Ok(id) = r.peel_to_id() else { continue };
        // Refs may point at trees or blobs (rare); only commits start a walk.
        if repo
            .find_object(id.detach())
            .is_ok_and(|o| o.kind == gix::object::Kind::Commit)
        {
            tips.push(id.detach());
        }
    }
    if let Ok(head) = repo.head_id() {
        tips.push(head.detach());
    }
    tips.sort();
    tips.dedup();
    if tips.is_empty() {
        return Ok(Vec::new());
    }
    let walk = repo
        .rev_walk(tips)
        .sorting(gix::revision::walk::Sorting::ByCommitTime(Default::default()))
        .all()
        .map_err(|e| git_error("walking commits", e))?;
    let mut commits = Vec::new();
    for info in walk {
        let info = info.map_err(|e| git_error("walking commits", e))?;
        commits.push((info.commit_time(), info.id));
    }
    // Oldest first; the walk's order among equal times is kept.
    commits.reverse();
    commits.sort_by_key(|(t, _)| *t);
    Ok(commits.into_iter().map(|(_, id)| id).collect())
}

/// Walks a tree, skipping subtrees in `visited`, and calls `blob(id, path)` for each blob.
fn walk_tree(
    repo: &gix::Repository,
    root: ObjectId,
    visited: &mut HashSet<ObjectId>,
    mut blob: impl FnMut(ObjectId, String),
) -> Result<(), Error> {
    if !visited.insert(root) {
        return Ok(());
    }
    let mut stack = vec![(root, String::new())];
    while let Some((tree_id, prefix)) = stack.pop() {
        let tree = repo
            .find_object(tree_id)
            .map_err(|e| git_error("reading a tree", e))?;
        for entry in gix::objs::TreeRefIter::from_bytes(&tree.data, repo.object_hash()) {
            let entry = entry.map_err(|e| git_error("decoding a tree", e))?;
            let path = format!("{prefix}{}", entry.filename);
            if entry.mode.is_tree() {
                if visited.insert(entry.oid.to_owned()) {
                    stack.push((entry.oid.to_owned(), path + "/"));
                }
            } else if entry.mode.is_blob() {
                blob(entry.oid.to_owned(), path);
            }
        }
    }
    Ok(())
}

/// Options for a history scan.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub threads: usize,
    /// Called with (done, total) while blobs are read, for a progress display.
    pub progress: Option<fn(usize, usize)>,
}

/// Scans the history of the repository containing `path`.
pub fn scan(path: &Path, options: &Options) -> Result<Vec<Finding>, Error> {
    let repo = gix::discover(path).map_err(|e| {
        Error::input(
            Location::file(path.display().to_string()),
            format!("not a git repository: {e}"),
        )
    })?;
    let commits = commits_oldest_first(&repo)?;

    // 1. Trees: first commit and path of every distinct blob.
    let mut visited = HashSet::new();
    let mut first_seen: HashMap<ObjectId, (u32, String)> = HashMap::new();
    for (i, id) in commits.iter().enumerate() {
        let commit = repo
            .find_commit(*id)
            .map_err(|e| git_error("reading a commit", e))?;
        let tree = commit
            .tree_id()
            .map_err(|e| git_error("reading a commit", e))?
            .detach();
        walk_tree(&repo, tree, &mut visited, |blob, path| {
            first_seen.entry(blob).or_insert((i as u32, path));
        })?;
    }

    // 2. Blobs: each read once, in parallel.
    let blobs: Vec<(ObjectId, u32, String)> = first_seen.into_iter().map(|(id, (c, p))| (id, c, p)).collect();
    let total = blobs.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let sync = repo.clone().into_sync();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.max(1))
        .build()
        .map_err(|e| git_error("starting threads", e))?;
    let found: Vec<(ObjectId, u32, Finding)> = pool.install(|| {
        blobs
            .par_iter()
            .map_init(
                || sync.to_thread_local(),
                |repo, (id, commit, path)| {
                    let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if let Some(progress) = options.progress {
                        if n.is_multiple_of(4096) {
                            progress(n, total);
                        }
                    }
                    let Ok(obj) = repo.find_object(*id) else {
                        return Vec::new();
                    };
                    scan_bytes(path, &obj.data)
                        .into_iter()
                        .map(|f| (*id, *commit, f))
                        .collect::<Vec<_>>()
                },
            )
            .flatten()
            .collect()
    });
    if let Some(progress) = options.progress {
        progress(total, total);
    }

    // 3. HEAD: which fingerprints are still there.
    let mut head_blobs = HashSet::new();
    if let Ok(tree) = repo.head_tree_id() {
        walk_tree(&repo, tree.detach(), &mut HashSet::new(), |blob, _| {
            head_blobs.insert(blob);
        })?;
    }
    let head_fingerprints: HashSet<&str> = found
        .iter()
        .filter(|(blob, _, _)| head_blobs.contains(blob))
        .flat_map(|(_, _, f)| f.keys.iter().map(|k| k.fingerprint.as_str()))
        .collect();

    // Group by Secret and values; keep the earliest commit.
    type GroupKey = (
        super::Source,
        Option<String>,
        Option<String>,
        BTreeSet<(String, String)>,
    );
    let mut groups: HashMap<GroupKey, (u32, Finding)> = HashMap::new();
    for (_, commit, f) in &found {
        let values = f
            .keys
            .iter()
            .map(|k| (k.key.clone(), k.fingerprint.clone()))
            .collect();
        let key = (f.source, f.namespace.clone(), f.name.clone(), values);
        let keep = groups
            .get(&key)
            .is_none_or(|(c, g)| (*commit, &f.path) < (*c, &g.path));
        if keep {
            groups.insert(key, (*commit, f.clone()));
        }
    }
    let mut out: Vec<(u32, Finding)> = groups.into_values().collect();
    out.sort_by(|(a, fa), (b, fb)| (a, &fa.path, fa.line).cmp(&(b, &fb.path, fb.line)));
    out.into_iter()
        .map(|(c, mut f)| {
            let id = commits[c as usize];
            let commit = repo
                .find_commit(id)
                .map_err(|e| git_error("reading a commit", e))?;
            let seconds = commit
                .author()
                .ok()
                .and_then(|a| a.time().ok())
                .map_or(0, |t| t.seconds);
            let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds.max(0) as u64);
            f.commit = Some(id.to_string());
            f.date = Some(humantime::format_rfc3339_seconds(when).to_string());
            f.at_head = Some(
                f.keys
                    .iter()
                    .any(|k| head_fingerprints.contains(k.fingerprint.as_str())),
            );
            Ok(f)
        })
        .collect()
}

/// `--staged`: the whole blob of every entry in the index (what the next commit will contain),
/// as a pre-commit hook needs, not diff hunks.
pub fn scan_staged(path: &Path) -> Result<Vec<Finding>, Error> {
    let repo = gix::discover(path).map_err(|e| {
        Error::input(
            Location::file(path.display().to_string()),
            format!("not a git repository: {e}"),
        )
    })?;
    let index = repo.open_index().map_err(|e| git_error("reading the index", e))?;
    let mut out = Vec::new();
    for entry in index.entries() {
        if !entry.mode.is_submodule() {
            let Ok(obj) = repo.find_object(entry.id) else {
                continue;
            };
            out.extend(scan_bytes(&entry.path(&index).to_string(), &obj.data));
        }
    }
    Ok(out)
}
