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

use super::{scan_bytes, scan_with_generators, Finding};
use crate::error::{Error, Location};

fn git_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::input(Location::default(), format!("{what}: {e}"))
}

/// The commits to scan, oldest first, with the refs whose history contains each.
struct Commits {
    ids: Vec<ObjectId>,
    /// Ref names; bit `i` of a commit's set stands for `ref_names[i]`.
    ref_names: Vec<String>,
    /// Per commit (same order as `ids`), a bit set over `ref_names`.
    reached_by: Vec<Vec<u64>>,
    /// Parents outside the walk (a range's boundary): their content is not new.
    boundary: Vec<ObjectId>,
}

impl Commits {
    fn refs_of(&self, commit: usize) -> Vec<String> {
        let set = &self.reached_by[commit];
        (0..self.ref_names.len())
            .filter(|i| set[i / 64] & (1 << (i % 64)) != 0)
            .map(|i| self.ref_names[i].clone())
            .collect()
    }
}

/// Every ref (branches, tags, remotes, stash, notes...) and HEAD that points, after peeling, at a commit.
fn ref_tips(repo: &gix::Repository) -> Result<Vec<(String, ObjectId)>, Error> {
    let mut tips = Vec::new();
    let refs = repo.references().map_err(|e| git_error("reading refs", e))?;
    for r in refs.all().map_err(|e| git_error("reading refs", e))? {
        let Ok(mut r) = r else { continue };
        let name = r.name().as_bstr().to_string();
        let Ok(id) = r.peel_to_id() else { continue };
        // Refs may point at trees or blobs (rare); only commits start a walk.
        if repo
            .find_object(id.detach())
            .is_ok_and(|o| o.kind == gix::object::Kind::Commit)
        {
            tips.push((name, id.detach()));
        }
    }
    if let Ok(head) = repo.head_id() {
        tips.push(("HEAD".to_string(), head.detach()));
    }
    Ok(tips)
}

/// Walks the commits from `tips` (minus those reachable from `hidden`), oldest first, and works
/// out which tips reach each commit by pushing each tip's bit from children to parents.
fn collect_commits(
    repo: &gix::Repository,
    tips: Vec<(String, ObjectId)>,
    hidden: Vec<ObjectId>,
) -> Result<Commits, Error> {
    let ref_names: Vec<String> = tips.iter().map(|(n, _)| n.clone()).collect();
    let words = ref_names.len().div_ceil(64).max(1);
    let mut starts: Vec<ObjectId> = tips.iter().map(|(_, id)| *id).collect();
    starts.sort();
    starts.dedup();
    if starts.is_empty() {
        return Ok(Commits {
            ids: Vec::new(),
            ref_names,
            reached_by: Vec::new(),
            boundary: Vec::new(),
        });
    }
    let walk = repo
        .rev_walk(starts)
        .with_hidden(hidden)
        .sorting(gix::revision::walk::Sorting::ByCommitTime(Default::default()))
        .all()
        .map_err(|e| git_error("walking commits", e))?;
    let mut found: Vec<(i64, ObjectId, Vec<ObjectId>)> = Vec::new();
    for info in walk {
        let info = info.map_err(|e| git_error("walking commits", e))?;
        found.push((
            info.commit_time(),
            info.id,
            info.parent_ids.iter().copied().collect(),
        ));
    }
    // Oldest first; the walk's order among equal times is kept.
    found.reverse();
    found.sort_by_key(|(t, _, _)| *t);
    let index: HashMap<ObjectId, usize> = found.iter().enumerate().map(|(i, (_, id, _))| (*id, i)).collect();

    // Children before parents (Kahn's algorithm on the walked graph), so every commit's set is
    // complete before it is pushed to its parents. Commit times alone can be skewed.
    let mut reached_by = vec![vec![0u64; words]; found.len()];
    for (bit, (_, id)) in tips.iter().enumerate() {
        if let Some(&i) = index.get(id) {
            reached_by[i][bit / 64] |= 1 << (bit % 64);
        }
    }
    let mut children = vec![0usize; found.len()];
    for (_, _, parents) in &found {
        for p in parents.iter().filter_map(|p| index.get(p)) {
            children[*p] += 1;
        }
    }
    let mut ready: Vec<usize> = (0..found.len()).filter(|&i| children[i] == 0).collect();
    while let Some(i) = ready.pop() {
        for p in found[i].2.iter().filter_map(|p| index.get(p).copied()) {
            let child = reached_by[i].clone();
            for (dst, bits) in reached_by[p].iter_mut().zip(child) {
                *dst |= bits;
            }
            children[p] -= 1;
            if children[p] == 0 {
                ready.push(p);
            }
        }
    }
    let mut boundary: Vec<ObjectId> = found
        .iter()
        .flat_map(|(_, _, parents)| parents.iter().filter(|p| !index.contains_key(*p)).copied())
        .collect();
    boundary.sort();
    boundary.dedup();
    Ok(Commits {
        ids: found.into_iter().map(|(_, id, _)| id).collect(),
        ref_names,
        reached_by,
        boundary,
    })
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

/// The repository containing `path`.
pub fn open_repo(path: &Path) -> Result<gix::Repository, Error> {
    gix::discover(path).map_err(|e| {
        Error::input(
            Location::file(path.display().to_string()),
            format!("not a git repository: {e}"),
        )
    })
}

/// The root tree of a commit.
fn tree_of(repo: &gix::Repository, commit: ObjectId) -> Result<ObjectId, Error> {
    let commit = repo
        .find_commit(commit)
        .map_err(|e| git_error("reading a commit", e))?;
    Ok(commit
        .tree_id()
        .map_err(|e| git_error("reading a commit", e))?
        .detach())
}

/// The id and content of the blob at `path` in `commit`'s tree.
fn blob_at(repo: &gix::Repository, commit: ObjectId, path: &str) -> Option<(ObjectId, Vec<u8>)> {
    let tree = repo.find_tree(tree_of(repo, commit).ok()?).ok()?;
    let entry = tree.lookup_entry_by_path(path).ok()??;
    let id = entry.object_id();
    let obj = repo.find_object(id).ok()?;
    (obj.kind == gix::object::Kind::Blob).then(|| (id, obj.data.clone()))
}

/// Options for a history scan.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub threads: usize,
    /// `A..B`: only commits reachable from B and not from A.
    pub range: Option<String>,
    /// Also read blobs that no commit reaches (dangling objects a `git gc` has not pruned yet).
    pub include_unreachable: bool,
    /// Called with (phase, done, total) while commits are walked and blobs read, for a progress display.
    pub progress: Option<fn(&str, usize, usize)>,
}

/// One blob to read: its id, the index of the commit that introduced it (`None` for an
/// unreachable blob) and its path there.
type Sighting = (ObjectId, Option<u32>, String);
/// A finding with the blob it is in and the commit that introduced that blob.
type Found = (ObjectId, Option<u32>, Finding);

/// Scans the history of the repository: the steps of the module documentation, one function each.
/// What a scan found, and what it could not read: a blob missing from a partial clone
/// (`--filter=blob:none`), a corrupt or lost object. A scan that skipped anything is incomplete
/// and must not read as an all-clear.
#[derive(Debug, Default)]
pub struct Scanned {
    pub findings: Vec<Finding>,
    /// `(path where it was first seen, object id)`, sorted.
    pub unreadable: Vec<(String, String)>,
}

pub fn scan(repo: &gix::Repository, options: &Options) -> Result<Scanned, Error> {
    let commits = resolve_commits(repo, options.range.as_deref())?;
    let sightings = first_sightings(repo, &commits, options)?;
    let unreadable = std::sync::Mutex::new(Vec::new());
    let found = read_blobs(repo, &commits, sightings, options, &unreadable)?;
    let at_head = head_fingerprints(repo, &found)?;
    let findings = earliest_per_secret(found)
        .into_iter()
        .map(|(c, f)| attribute(repo, &commits, c, f, &at_head))
        .collect::<Result<_, _>>()?;
    let mut unreadable = unreadable.into_inner().unwrap_or_else(|e| e.into_inner());
    unreadable.sort();
    Ok(Scanned { findings, unreadable })
}

/// The commits of every ref, or of `A..B`.
fn resolve_commits(repo: &gix::Repository, range: Option<&str>) -> Result<Commits, Error> {
    let Some(range) = range else {
        return collect_commits(repo, ref_tips(repo)?, Vec::new());
    };
    let (from, to) = range
        .split_once("..")
        .ok_or_else(|| Error::usage(format!("--rev-range `{range}`: expected A..B")))?;
    let resolve = |spec: &str| -> Result<ObjectId, Error> {
        let spec = if spec.is_empty() { "HEAD" } else { spec };
        repo.rev_parse_single(spec)
            .map(|id| id.detach())
            .map_err(|e| Error::usage(format!("--rev-range: cannot resolve `{spec}`: {e}")))
    };
    collect_commits(repo, vec![(to.to_string(), resolve(to)?)], vec![resolve(from)?])
}

/// Step 1, trees: the first commit and path of every distinct blob. With a range, what its
/// boundary commits already had is not new: their trees are walked first and their blobs left out.
fn first_sightings(
    repo: &gix::Repository,
    commits: &Commits,
    options: &Options,
) -> Result<Vec<Sighting>, Error> {
    let mut visited = HashSet::new();
    let mut known = HashSet::new();
    for id in &commits.boundary {
        walk_tree(repo, tree_of(repo, *id)?, &mut visited, |blob, _| {
            known.insert(blob);
        })?;
    }
    let mut first_seen: HashMap<ObjectId, (Option<u32>, String)> = HashMap::new();
    for (i, id) in commits.ids.iter().enumerate() {
        if let Some(progress) = options.progress.filter(|_| i.is_multiple_of(1024)) {
            progress("walking commits", i, commits.ids.len());
        }
        walk_tree(repo, tree_of(repo, *id)?, &mut visited, |blob, path| {
            if !known.contains(&blob) {
                first_seen.entry(blob).or_insert((Some(i as u32), path));
            }
        })?;
    }
    if options.include_unreachable {
        let all = repo.objects.iter().map_err(|e| git_error("listing objects", e))?;
        for id in all.flatten() {
            if !first_seen.contains_key(&id)
                && repo
                    .find_header(id)
                    .is_ok_and(|h| h.kind() == gix::object::Kind::Blob)
            {
                first_seen.insert(id, (None, format!("(unreachable blob {id})")));
            }
        }
    }
    Ok(first_seen.into_iter().map(|(id, (c, p))| (id, c, p)).collect())
}

/// Step 2, blobs: each read once, in parallel, through the prefilter. A kustomization's generator
/// files are read from the tree of the same commit.
fn read_blobs(
    repo: &gix::Repository,
    commits: &Commits,
    blobs: Vec<Sighting>,
    options: &Options,
    unreadable: &std::sync::Mutex<Vec<(String, String)>>,
) -> Result<Vec<Found>, Error> {
    let total = blobs.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let sync = repo.clone().into_sync();
    let commit_ids = &commits.ids;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.max(1))
        .build()
        .map_err(|e| git_error("starting threads", e))?;
    let found: Vec<Found> = pool.install(|| {
        blobs
            .par_iter()
            .map_init(
                || sync.to_thread_local(),
                |repo, (id, commit, path)| {
                    let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if let Some(progress) = options.progress {
                        if n.is_multiple_of(4096) {
                            progress("reading blobs", n, total);
                        }
                    }
                    let Ok(obj) = repo.find_object(*id) else {
                        unreadable
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push((path.clone(), id.to_string()));
                        return Vec::new();
                    };
                    let mut hits: Vec<Found> = scan_bytes(path, &obj.data)
                        .into_iter()
                        .map(|f| (*id, *commit, f))
                        .collect();
                    if let Some(c) = commit {
                        for gf in super::detect::generator_files(&obj.data) {
                            let target = super::detect::join_path(super::detect::dir_of(path), &gf.path);
                            if let Some((blob, content)) = blob_at(repo, commit_ids[*c as usize], &target) {
                                let finding = super::detect::generator_file_finding(&gf, &target, &content);
                                hits.extend(finding.map(|f| (blob, *commit, f)));
                            }
                        }
                    }
                    hits
                },
            )
            .flatten()
            .collect()
    });
    if let Some(progress) = options.progress {
        progress("reading blobs", total, total);
    }
    Ok(found)
}

/// Step 3a: the fingerprints of findings whose blob is in HEAD's tree.
fn head_fingerprints(repo: &gix::Repository, found: &[Found]) -> Result<HashSet<String>, Error> {
    let mut head_blobs = HashSet::new();
    if let Ok(tree) = repo.head_tree_id() {
        walk_tree(repo, tree.detach(), &mut HashSet::new(), |blob, _| {
            head_blobs.insert(blob);
        })?;
    }
    Ok(found
        .iter()
        .filter(|(blob, _, _)| head_blobs.contains(blob))
        .flat_map(|(_, _, f)| f.keys.iter().map(|k| k.fingerprint.clone()))
        .collect())
}

/// Step 3b: the same Secret with the same values survives in many blobs as a file is edited;
/// keep the earliest sighting of each, in history order.
fn earliest_per_secret(found: Vec<Found>) -> Vec<(Option<u32>, Finding)> {
    type GroupKey = (
        super::Source,
        Option<String>,
        Option<String>,
        BTreeSet<(String, String)>,
    );
    let mut groups: HashMap<GroupKey, (Option<u32>, Finding)> = HashMap::new();
    for (_, commit, f) in found {
        let values = f
            .keys
            .iter()
            .map(|k| (k.key.clone(), k.fingerprint.clone()))
            .collect();
        let key = (f.source, f.namespace.clone(), f.name.clone(), values);
        let keep = groups
            .get(&key)
            .is_none_or(|(c, g)| (commit, &f.path) < (*c, &g.path));
        if keep {
            groups.insert(key, (commit, f));
        }
    }
    let mut out: Vec<(Option<u32>, Finding)> = groups.into_values().collect();
    out.sort_by(|(a, fa), (b, fb)| (a, &fa.path, fa.line).cmp(&(b, &fb.path, fb.line)));
    out
}

/// Step 3c: what a finding says about history: the introducing commit and its date, the refs that
/// contain it, whether its values are still at HEAD.
fn attribute(
    repo: &gix::Repository,
    commits: &Commits,
    commit: Option<u32>,
    mut f: Finding,
    at_head: &HashSet<String>,
) -> Result<Finding, Error> {
    f.at_head = Some(f.keys.iter().any(|k| at_head.contains(&k.fingerprint)));
    let Some(c) = commit else { return Ok(f) };
    f.refs = commits.refs_of(c as usize);
    let id = commits.ids[c as usize];
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
    Ok(f)
}

/// `--staged`: the whole blob of every entry in the index (what the next commit will contain),
/// as a pre-commit hook needs, not diff hunks.
pub fn scan_staged(repo: &gix::Repository) -> Result<Scanned, Error> {
    let index = repo.open_index().map_err(|e| git_error("reading the index", e))?;
    let mut out = Vec::new();
    let mut unreadable = Vec::new();
    for entry in index.entries() {
        if !entry.mode.is_submodule() {
            let Ok(obj) = repo.find_object(entry.id) else {
                unreadable.push((entry.path(&index).to_string(), entry.id.to_string()));
                continue;
            };
            out.extend(scan_with_generators(
                &entry.path(&index).to_string(),
                &obj.data,
                |p| {
                    let e = index.entry_by_path(p.into())?;
                    repo.find_object(e.id).ok().map(|o| o.data.clone())
                },
            ));
        }
    }
    Ok(Scanned {
        findings: out,
        unreadable,
    })
}
