//! `--history`: every commit of every ref, each distinct tree and blob read once.
//!
//! 0. Read ahead (`scan::preread`): every commit and blob of the packs, in pack order, one delta
//!    family at a time, and the loose objects; each blob goes through the prefilter and the few
//!    candidates are parsed, so every blob's findings are known before the walk, without a path.
//! 1. Commits: walk every ref (branches, tags, remotes, stash, notes; not `refs/replace/`, whose
//!    substitutes would hide the commits they replace) and put the commits in history order:
//!    parents before children, commit time only breaking ties (clocks are skewed, and commits
//!    made in the same second are common). A shallow clone's boundary is noted, not an error.
//!    This runs beside step 0's blob reading, as soon as the commits are read.
//! 2. Trees, in parallel: each walker thread takes the next chunk of commits in history order
//!    (chunks shrink as the walk goes, so the threads end together) and visits each distinct
//!    tree once, keeping what it walked from chunk to chunk. The first commit (in history order)
//!    whose tree holds a blob introduced it; each walker sees its commits in order, and the
//!    walkers' sightings are merged keeping the earliest. A walker re-reads the trees that
//!    changed while another had the commits, instead of sharing a locked set.
//!    On the way, each tree's set of finding groups is computed from its subtrees' (bottom-up,
//!    once per distinct tree), so each commit's set says which findings it holds, anywhere in it.
//! 3. Blobs: each reachable blob's findings, from the read-ahead with the path the walk gave it
//!    (a blob the read-ahead did not have, in an alternate store, is read here). Files a
//!    kustomization's `secretGenerator` reads are then read at every version they had, not only
//!    when the kustomization changed.
//! 4. Findings of the same Secret, class and values (the same plaintext survives in many blobs as
//!    a file is edited) are grouped; the earliest is kept. The refs that hold it are those that
//!    reach a commit holding it (step 2; a squash merge carries content through another commit).
//!    Groups the walk could not know (generators' files, alternates) are looked up at their
//!    paths in every commit's tree. "Still at HEAD" compares key and value with HEAD's findings
//!    and gives HEAD's path.
//!
//! Memory is the object index (one entry per commit, and per tree and blob id) and the findings,
//! never content; each stretch of work reads through its own object store (or pack mapping),
//! dropped when done (see `own_store`). The commit-graph file is used when git wrote one.

use std::collections::{BTreeSet, BinaryHeap, HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use gix::ObjectId;
use rayon::prelude::*;

use super::detect::{self, GeneratorFile, ValueId};
use super::preread::{self, PackedCommits, Preread};
use super::{scan_bytes, scan_with_generators, Finding};
use kseal_core::error::{Error, Location};

fn git_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::input(Location::default(), format!("{what}: {e}"))
}

/// What a scan found, and what it could not see. A scan that skipped anything is incomplete and
/// must not read as an all-clear.
#[derive(Debug, Default)]
pub struct Scanned {
    pub findings: Vec<Finding>,
    /// `(path where it was first seen, object id)` of objects that could not be read: a blob
    /// missing from a partial clone (`--filter=blob:none`), a corrupt or lost object. Sorted.
    pub unreadable: Vec<(String, String)>,
    /// A shallow clone's boundary: commits whose parents are not in this clone, so older history
    /// was not scanned. Sorted.
    pub shallow: Vec<String>,
    /// Paths of submodules (gitlinks): another repository's content, not scanned. Sorted.
    pub submodules: Vec<String>,
}

/// Options for a history scan.
#[derive(Clone, Debug, Default)]
pub struct Options {
    pub threads: usize,
    /// `A..B`: only commits reachable from B and not from A.
    pub range: Option<String>,
    /// Also read blobs that no commit reaches (dangling objects a `git gc` has not pruned yet).
    pub include_unreachable: bool,
    /// Called with (phase, done, total) while trees are walked and blobs read, for a progress display.
    pub progress: Option<fn(&str, usize, usize)>,
}

/// How kseal opens repositories: replace refs off (below), and an 8 MiB hash-map cache of delta
/// bases instead of gix's default 64-slot list (measured on helm/charts: scan 6.6 s -> 6.0 s,
/// peak RSS 273 -> 283 MiB; 16 MiB gave 5.8 s but 312 MiB).
const OPEN_OVERRIDES: [&str; 2] = ["core.useReplaceRefs=false", "core.deltaBaseCacheLimit=8m"];

/// The repository containing `path`, opened with replace refs off: `git replace` substitutes one
/// object for another on every read, which would hide the commit that leaked.
pub fn open_repo(path: &Path) -> Result<gix::Repository, Error> {
    let open = gix::open::Options::default().config_overrides(OPEN_OVERRIDES);
    let trust = gix::sec::trust::Mapping {
        full: open.clone(),
        reduced: open,
    };
    gix::ThreadSafeRepository::discover_opts(path, Default::default(), trust)
        .map(gix::Repository::from)
        .map_err(|e| {
            let what = if uses_sha256(path) {
                "this repository uses SHA-256 object ids (extensions.objectFormat = sha256), which kseal cannot read: its git library would need a second copy of sha2, and kseal keeps one copy of each crypto crate. Nothing was scanned".to_string()
            } else {
                format!("not a git repository: {e}")
            };
            Error::input(Location::file(path.display().to_string()), what)
        })
}

/// Whether the repository around `path` says `objectFormat = sha256` in its config: read by
/// hand, because the git library refuses to open such a repository at all.
fn uses_sha256(path: &Path) -> bool {
    let Ok(abs) = std::fs::canonicalize(path) else {
        return false;
    };
    for dir in abs.ancestors() {
        let dot_git = dir.join(".git");
        let git_dir = if dot_git.is_dir() {
            dot_git
        } else if let Ok(link) = std::fs::read_to_string(&dot_git) {
            // A worktree or submodule: `gitdir: PATH`.
            let Some(target) = link.trim().strip_prefix("gitdir:") else {
                continue;
            };
            dir.join(target.trim())
        } else if dir.join("HEAD").is_file() && dir.join("objects").is_dir() {
            dir.to_path_buf()
        } else {
            continue;
        };
        let config = std::fs::read_to_string(git_dir.join("config"))
            .or_else(|_| {
                std::fs::read_to_string(git_dir.join("commondir"))
                    .and_then(|c| std::fs::read_to_string(git_dir.join(c.trim()).join("config")))
            })
            .unwrap_or_default();
        return config.lines().any(|l| {
            let l = l.trim().to_ascii_lowercase().replace([' ', '\t'], "");
            l == "objectformat=sha256"
        });
    }
    false
}

/// A handle on its own object store, for one stretch of work. gix maps each pack file whole, and
/// every page read stays mapped, so counted in resident memory, until the store that mapped it is
/// dropped: reading a 362 MB pack once (helm/charts) would leave 370 MiB resident. Each stretch
/// of a step (a run of commits, a chunk of blobs) opens its own store and drops it when done,
/// which unmaps what it read (git does the same with `core.packedGitWindowSize` windows). The
/// pages stay in the kernel's page cache, so the next stretch reads them again cheaply. Falls
/// back to a handle on the shared store if the repository cannot be opened again.
fn own_store(repo: &gix::ThreadSafeRepository) -> gix::Repository {
    let open = gix::open::Options::default().config_overrides(OPEN_OVERRIDES);
    gix::ThreadSafeRepository::open_opts(repo.git_dir(), open)
        .map(gix::Repository::from)
        .unwrap_or_else(|_| repo.to_thread_local())
}

/// Where a blob was first seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Origin {
    /// The index of a commit in history order.
    Commit(u32),
    /// A ref that points (through tags) at a tree or blob, not a commit: `Commits::object_tips`.
    Ref(u32),
    /// No commit or ref reaches it (`--include-unreachable`).
    Unreachable,
}

/// The commits to scan, in history order, and what the walk met at its edges.
#[derive(Default)]
struct Commits {
    ids: Vec<ObjectId>,
    trees: Vec<ObjectId>,
    /// Per commit, its parents' indices (parents outside the walk are left out).
    parents: Vec<Vec<u32>>,
    /// Refs that point at commits: (name, commit index).
    tips: Vec<(String, u32)>,
    /// Refs that point at a tree or blob: (name, object id).
    object_tips: Vec<(String, ObjectId)>,
    /// A range's boundary: parents outside it, whose content is not new.
    boundary: Vec<ObjectId>,
    /// Shallow boundary commits (their parents are not in the clone).
    shallow: Vec<ObjectId>,
    /// Commits that could not be read (not shallow): `(what, id)`.
    unreadable: Vec<(String, ObjectId)>,
}

/// Every ref that points, after peeling tags, at an object, and HEAD. `refs/replace/` is left
/// out: those refs are substitutes, and the replaced commits are what history holds.
fn ref_tips(repo: &gix::Repository) -> Result<Vec<(String, ObjectId)>, Error> {
    let mut tips = Vec::new();
    let refs = repo.references().map_err(|e| git_error("reading refs", e))?;
    for r in refs.all().map_err(|e| git_error("reading refs", e))? {
        let Ok(mut r) = r else { continue };
        let name = r.name().as_bstr().to_string();
        if name.starts_with("refs/replace/") {
            continue;
        }
        // The id the ref names, not peeled: peeling looks every object up (136 ms for
        // helm/charts' 19,794 refs) to find the few annotated tags, which `collect_commits`
        // peels itself. Symbolic refs (rare beyond HEAD) are followed.
        let id = match r.target().try_id() {
            Some(id) => Some(id.to_owned()),
            None => r.peel_to_id().ok().map(|id| id.detach()),
        };
        if let Some(id) = id {
            tips.push((name, id));
        }
    }
    if let Ok(head) = repo.head_id() {
        tips.push(("HEAD".to_string(), head.detach()));
    }
    Ok(tips)
}

/// What `id` is once annotated tags (and tags of tags) are peeled: a commit, tree or blob, and
/// its id; or the id that could not be read.
fn peel(
    repo: &gix::Repository,
    packed: &PackedCommits,
    mut id: ObjectId,
) -> Result<(gix::object::Kind, ObjectId), ObjectId> {
    // A tag chain longer than this is not one git makes; it is reported as unreadable.
    for _ in 0..64 {
        if packed.contains_key(&id) {
            return Ok((gix::object::Kind::Commit, id)); // 20k refs: no lookup each
        }
        match repo.find_header(id).map(|h| h.kind()) {
            Ok(gix::object::Kind::Tag) => {
                let tag = repo.find_tag(id).map_err(|_| id)?;
                id = tag.target_id().map_err(|_| id)?.detach();
            }
            Ok(kind) => return Ok((kind, id)),
            Err(_) => return Err(id),
        }
    }
    Err(id)
}

/// Every commit reachable from `from` (for a range's hidden side): from the read-ahead's
/// commits, else read.
fn ancestors(repo: &gix::Repository, packed: &PackedCommits, from: ObjectId) -> HashSet<ObjectId> {
    let mut seen = HashSet::new();
    let mut stack = vec![from];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        if let Some(c) = packed.get(&id) {
            stack.extend_from_slice(&c.parents);
        } else if let Ok(c) = repo.find_commit(id) {
            stack.extend(c.parent_ids().map(|p| p.detach()));
        }
    }
    seen
}

/// Walks the commits from `tips` (minus `hidden` and its ancestors) and orders them: parents
/// before children (Kahn's algorithm), the oldest committer time first among those ready.
fn collect_commits(
    repo: &gix::Repository,
    packed: &PackedCommits,
    tips: Vec<(String, ObjectId)>,
    hidden: Option<ObjectId>,
) -> Result<Commits, Error> {
    let shallow: HashSet<ObjectId> = repo
        .shallow_commits()
        .ok()
        .flatten()
        .map(|c| c.iter().copied().collect())
        .unwrap_or_default();
    let hidden = hidden.map(|h| ancestors(repo, packed, h)).unwrap_or_default();
    // Not in a shallow clone: git keeps no commit-graph there, and a stale one would list parents
    // the clone does not have.
    let graph = if shallow.is_empty() {
        repo.commit_graph_if_enabled().ok().flatten()
    } else {
        None
    };
    let mut out = Commits::default();
    // Per walked commit: (id, tree, parent ids, committer time).
    let mut walked: Vec<(ObjectId, ObjectId, Vec<ObjectId>, i64)> = Vec::new();
    // Object ids are already uniform: gix's tables hash them by their first bytes, not SipHash.
    let mut index: gix::hashtable::HashMap<ObjectId, u32> = Default::default();
    let mut commit_tips = Vec::new();
    let mut stack = Vec::new();
    for (name, id) in tips {
        match peel(repo, packed, id) {
            Ok((gix::object::Kind::Commit, id)) => {
                commit_tips.push((name, id));
                stack.push(id);
            }
            Ok((_, id)) => out.object_tips.push((name, id)),
            Err(id) => out.unreadable.push((format!("({name})"), id)),
        }
    }
    let mut boundary = HashSet::new();
    let mut queued: gix::hashtable::HashSet<ObjectId> = stack.iter().copied().collect();
    while let Some(id) = stack.pop() {
        if hidden.contains(&id) {
            continue;
        }
        // The read-ahead has nearly every commit; else the commit-graph file, when git wrote one
        // (`git gc`, `git commit-graph write`), has each commit's tree, parents and time without
        // decompressing the commit: 10x faster than reading it.
        let cached = packed.get(&id).map(|c| (c.tree, c.time, c.parents.clone()));
        let cached = cached.or_else(|| {
            graph.as_ref().and_then(|g| {
                let c = g.commit_by_id(id)?;
                let parents: Option<Vec<ObjectId>> = c
                    .iter_parents()
                    .map(|p| p.ok().map(|p| g.commit_at(p).id().to_owned()))
                    .collect();
                Some((
                    c.root_tree_id().to_owned(),
                    c.committer_timestamp() as i64,
                    parents?,
                ))
            })
        });
        let (tree, time, mut parents) = match cached {
            Some(c) => c,
            None => {
                let Ok(commit) = repo.find_commit(id) else {
                    out.unreadable.push(("(commit)".into(), id));
                    continue;
                };
                let tree = commit
                    .tree_id()
                    .map_err(|e| git_error("reading a commit", e))?
                    .detach();
                let time = commit.time().map_or(0, |t| t.seconds);
                (tree, time, commit.parent_ids().map(|p| p.detach()).collect())
            }
        };
        if shallow.contains(&id) {
            out.shallow.push(id);
            parents.clear();
        }
        for p in &parents {
            if hidden.contains(p) {
                boundary.insert(*p);
            } else if queued.insert(*p) {
                stack.push(*p);
            }
        }
        index.insert(id, walked.len() as u32);
        walked.push((id, tree, parents, time));
    }
    // Kahn: a commit is ready when all its walked parents are placed.
    let mut waiting: Vec<usize> = walked
        .iter()
        .map(|(_, _, ps, _)| ps.iter().filter(|p| index.contains_key(*p)).count())
        .collect();
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); walked.len()];
    for (i, (_, _, ps, _)) in walked.iter().enumerate() {
        for p in ps.iter().filter_map(|p| index.get(p)) {
            children[*p as usize].push(i as u32);
        }
    }
    let mut ready: BinaryHeap<std::cmp::Reverse<(i64, ObjectId, u32)>> = waiting
        .iter()
        .enumerate()
        .filter(|(_, w)| **w == 0)
        .map(|(i, _)| std::cmp::Reverse((walked[i].3, walked[i].0, i as u32)))
        .collect();
    let mut order = vec![u32::MAX; walked.len()];
    while let Some(std::cmp::Reverse((_, _, i))) = ready.pop() {
        order[i as usize] = out.ids.len() as u32;
        out.ids.push(walked[i as usize].0);
        out.trees.push(walked[i as usize].1);
        for &c in &children[i as usize] {
            waiting[c as usize] -= 1;
            if waiting[c as usize] == 0 {
                let w = &walked[c as usize];
                ready.push(std::cmp::Reverse((w.3, w.0, c)));
            }
        }
    }
    out.parents = vec![Vec::new(); out.ids.len()];
    for (i, (_, _, ps, _)) in walked.iter().enumerate() {
        out.parents[order[i] as usize] = ps
            .iter()
            .filter_map(|p| index.get(p))
            .map(|p| order[*p as usize])
            .collect();
    }
    out.tips = commit_tips
        .into_iter()
        .filter_map(|(name, id)| Some((name, order[*index.get(&id)? as usize])))
        .collect();
    out.boundary = boundary.into_iter().collect();
    Ok(out)
}

/// The commits of every ref, or of `A..B`.
fn resolve_commits(
    repo: &gix::Repository,
    packed: &PackedCommits,
    range: Option<&str>,
) -> Result<Commits, Error> {
    let Some(range) = range else {
        return collect_commits(repo, packed, ref_tips(repo)?, None);
    };
    let (from, to) = range
        .split_once("..")
        .ok_or_else(|| Error::usage(format!("--rev-range `{range}`: expected A..B")))?;
    // Both ends as commits: an annotated tag (`v1..v2`) is peeled to the commit it tags.
    let resolve = |spec: &str| -> Result<ObjectId, Error> {
        let spec = if spec.is_empty() { "HEAD" } else { spec };
        let id = repo
            .rev_parse_single(spec)
            .map_err(|e| Error::usage(format!("--rev-range: cannot resolve `{spec}`: {e}")))?;
        match peel(repo, packed, id.detach()) {
            Ok((gix::object::Kind::Commit, id)) => Ok(id),
            Ok((kind, _)) => Err(Error::usage(format!(
                "--rev-range: `{spec}` is a {kind}, not a commit"
            ))),
            Err(id) => Err(git_error(
                &format!("--rev-range: reading `{spec}`"),
                format!("object {id} could not be read"),
            )),
        }
    };
    collect_commits(
        repo,
        packed,
        vec![(to.to_string(), resolve(to)?)],
        Some(resolve(from)?),
    )
}

/// What one tree walker saw.
#[derive(Default)]
struct Walked {
    first_seen: HashMap<ObjectId, (Origin, String)>,
    submodules: BTreeSet<String>,
    unreadable: Vec<(String, String)>,
    /// Per commit whose tree holds a finding known before the walk: (commit, set in `sets`).
    holds: Vec<(u32, u32)>,
    sets: GroupSets,
    /// Per group of [`Known`], the commits whose tree holds it (all walkers together).
    holding: Vec<Vec<u32>>,
}

/// Sets of finding groups (bitsets over [`Known::groups`]), each distinct set stored once: a
/// tree's set is named by its index, 0 being the empty set. Most trees hold the same few.
#[derive(Default)]
struct GroupSets {
    sets: Vec<Box<[u64]>>,
    index: HashMap<Box<[u64]>, u32>,
}

impl GroupSets {
    fn new(words: usize) -> Self {
        let empty: Box<[u64]> = vec![0; words].into();
        GroupSets {
            sets: vec![empty.clone()],
            index: HashMap::from([(empty, 0)]),
        }
    }

    fn add(&mut self, into: &mut [u64], set: u32) {
        if set != 0 {
            into.iter_mut()
                .zip(&*self.sets[set as usize])
                .for_each(|(a, b)| *a |= b);
        }
    }

    fn intern(&mut self, set: Vec<u64>) -> u32 {
        if set.iter().all(|w| *w == 0) {
            return 0;
        }
        let set: Box<[u64]> = set.into();
        if let Some(i) = self.index.get(&set) {
            return *i;
        }
        let i = self.sets.len() as u32;
        self.sets.push(set.clone());
        self.index.insert(set, i);
        i
    }
}

/// Findings known before the walk (the blobs the packs held): their groups, and which groups
/// each blob is in, so the walk can tell which commits hold each group (see [`walk_tree`]).
#[derive(Default)]
struct Known {
    groups: HashMap<GroupKey, u32>,
    blobs: gix::hashtable::HashMap<ObjectId, Box<[u64]>>,
    words: usize,
}

impl Known {
    fn new(packed: &Preread) -> Self {
        let mut known = Known::default();
        let mut members: Vec<(ObjectId, u32)> = Vec::new();
        for (blob, scan) in &packed.scanned {
            for f in &scan.findings {
                let next = known.groups.len() as u32;
                let g = *known.groups.entry(group_key(f)).or_insert(next);
                members.push((*blob, g));
            }
        }
        known.words = known.groups.len().div_ceil(64);
        for (blob, g) in members {
            let bits = known
                .blobs
                .entry(blob)
                .or_insert_with(|| vec![0; known.words].into());
            bits[g as usize / 64] |= 1 << (g % 64);
        }
        known
    }
}

/// Walks the tree `root`, calling `blob(id, path)` for each blob (`prefix` is put before every
/// path), and returns the set of groups of `known` it holds, anywhere in it. `memo` has each tree's set once it is walked (a tree
/// shared by many commits is walked once); a tree is finished after all its subtrees, which
/// the stack order guarantees (a subtree already entered is finished, or it would contain its
/// parent).
fn walk_tree(
    repo: &gix::Repository,
    root: ObjectId,
    prefix: &str,
    known: &Known,
    memo: &mut gix::hashtable::HashMap<ObjectId, u32>,
    out: &mut Walked,
    mut blob: impl FnMut(&mut Walked, ObjectId, &dyn Fn() -> String),
) -> u32 {
    const ENTERED: u32 = u32::MAX;
    // A walked tree's set; None while it is being walked, or not yet entered.
    let finished = |memo: &gix::hashtable::HashMap<ObjectId, u32>, id: &ObjectId| {
        memo.get(id).copied().filter(|s| *s != ENTERED)
    };
    enum Frame {
        Enter(ObjectId, String),
        /// A tree whose own blobs' groups are `set`, waiting for `subtrees` to finish.
        Finish(ObjectId, Vec<u64>, Vec<ObjectId>),
    }
    let mut stack = vec![Frame::Enter(root, prefix.to_string())];
    while let Some(frame) = stack.pop() {
        match frame {
            Frame::Enter(tree_id, prefix) => {
                if memo.contains_key(&tree_id) {
                    continue;
                }
                memo.insert(tree_id, ENTERED);
                let mut set = vec![0u64; known.words];
                let mut waiting = Vec::new();
                let mut enter = Vec::new();
                match repo.find_object(tree_id) {
                    Err(_) => out
                        .unreadable
                        .push((format!("{prefix}(tree)"), tree_id.to_string())),
                    Ok(tree) => {
                        for entry in gix::objs::TreeRefIter::from_bytes(&tree.data, repo.object_hash()) {
                            let Ok(entry) = entry else {
                                out.unreadable
                                    .push((format!("{prefix}(tree)"), tree_id.to_string()));
                                break;
                            };
                            let id = entry.oid.to_owned();
                            if entry.mode.is_tree() {
                                match finished(memo, &id) {
                                    Some(done) => out.sets.add(&mut set, done),
                                    None => {
                                        waiting.push(id);
                                        enter.push(Frame::Enter(id, format!("{prefix}{}/", entry.filename)));
                                    }
                                }
                            } else if entry.mode.is_blob() {
                                blob(out, id, &|| format!("{prefix}{}", entry.filename));
                                if let Some(bits) = known.blobs.get(&id) {
                                    set.iter_mut().zip(&**bits).for_each(|(a, b)| *a |= b);
                                }
                            } else if entry.mode.is_commit() {
                                out.submodules.insert(format!("{prefix}{}", entry.filename));
                            }
                        }
                    }
                }
                stack.push(Frame::Finish(tree_id, set, waiting));
                stack.extend(enter);
            }
            Frame::Finish(tree_id, mut set, waiting) => {
                for id in waiting {
                    let done = finished(memo, &id).unwrap_or(0);
                    out.sets.add(&mut set, done);
                }
                let id = out.sets.intern(set);
                memo.insert(tree_id, id);
            }
        }
    }
    finished(memo, &root).unwrap_or(0)
}

/// Step 2: the first origin and path of every distinct blob, walked in parallel runs.
fn first_sightings(
    repo: &gix::Repository,
    commits: &Commits,
    known: &Known,
    options: &Options,
) -> Result<Walked, Error> {
    // A range: what its boundary commits had is not new.
    let mut boundary_trees = gix::hashtable::HashMap::default();
    let mut boundary = Walked::default();
    for id in &commits.boundary {
        if let Ok(c) = repo.find_commit(*id) {
            if let Ok(tree) = c.tree_id() {
                walk_tree(
                    repo,
                    tree.detach(),
                    "",
                    &Known::default(),
                    &mut boundary_trees,
                    &mut boundary,
                    |w, blob, _| {
                        w.first_seen
                            .entry(blob)
                            .or_insert((Origin::Unreachable, String::new()));
                    },
                );
            }
        }
    }
    let before = boundary.first_seen;

    let threads = options.threads.max(1);
    let n = commits.ids.len();
    // Each thread takes the next chunk of commits, in history order, and keeps what it walked
    // (its memo of trees) from chunk to chunk: a tree is walked at most once per thread. Chunks
    // shrink as the walk goes (guided scheduling: a share of what is left), so the threads end
    // together though the newest commits, with the largest trees, cost the most; and each chunk
    // is read through its own store, dropped after, so the pages of the pack it mapped are not
    // resident for the rest of the walk: MAX_CHUNK bounds those pages (with 30k commits a chunk
    // they made the peak RSS 352 MiB on the shaped history, 229 MiB with 8k). A chunk costs a
    // store opened and its caches warmed (a few ms), which is why they are not smaller than
    // MIN_CHUNK.
    const MIN_CHUNK: usize = 1024;
    const MAX_CHUNK: usize = 8192;
    let cursor = Mutex::new(0usize);
    let take = || -> Option<std::ops::Range<usize>> {
        let mut at = cursor.lock().unwrap_or_else(|e| e.into_inner());
        let size = ((n - *at) / (2 * threads)).clamp(MIN_CHUNK, MAX_CHUNK);
        let chunk = *at..(*at + size).min(n);
        *at = chunk.end;
        (!chunk.is_empty()).then_some(chunk)
    };
    let done = AtomicUsize::new(0);
    let sync = repo.clone().into_sync();
    let walk = || {
        let mut memo = gix::hashtable::HashMap::default();
        let mut walked = Walked {
            sets: GroupSets::new(known.words),
            ..Walked::default()
        };
        while let Some(chunk) = take() {
            let repo = own_store(&sync);
            for i in chunk {
                let d = done.fetch_add(1, Ordering::Relaxed);
                if let Some(progress) = options.progress.filter(|_| d.is_multiple_of(1024)) {
                    progress("walking trees", d, n);
                }
                let origin = Origin::Commit(i as u32);
                let set = walk_tree(
                    &repo,
                    commits.trees[i],
                    "",
                    known,
                    &mut memo,
                    &mut walked,
                    |w, blob, path| {
                        if !before.contains_key(&blob) {
                            w.first_seen.entry(blob).or_insert_with(|| (origin, path()));
                        }
                    },
                );
                if set != 0 {
                    walked.holds.push((i as u32, set));
                }
            }
        }
        walked
    };
    let parts: Vec<Walked> = std::thread::scope(|s| {
        // A thread the system will not start leaves its chunks to the others.
        let others: Vec<_> = (1..threads)
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(s, walk).ok())
            .collect();
        let mut parts = vec![walk()];
        for other in others {
            parts.push(
                other
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        parts
    });
    let mut all = Walked {
        holding: vec![Vec::new(); known.groups.len()],
        ..Walked::default()
    };
    for part in parts {
        // Each thread saw its commits in history order; first is the earliest of them all.
        for (blob, seen) in part.first_seen {
            match all.first_seen.get_mut(&blob) {
                Some(first) if seen.0 < first.0 => *first = seen,
                Some(_) => {}
                None => {
                    all.first_seen.insert(blob, seen);
                }
            }
        }
        all.submodules.extend(part.submodules);
        all.unreadable.extend(part.unreadable);
        for (commit, set) in part.holds {
            for (w, word) in part.sets.sets[set as usize].iter().enumerate() {
                let mut bits = *word;
                while bits != 0 {
                    all.holding[w * 64 + bits.trailing_zeros() as usize].push(commit);
                    bits &= bits - 1;
                }
            }
        }
    }
    // Refs that point at a tree or a blob (`git tag v1-files <tree>`): reachable, so scanned.
    for (i, (name, id)) in commits.object_tips.iter().enumerate() {
        let origin = Origin::Ref(i as u32);
        match repo.find_header(*id).map(|h| h.kind()) {
            Ok(gix::object::Kind::Blob) => {
                all.first_seen.entry(*id).or_insert((origin, name.clone()));
            }
            _ => {
                let prefix = format!("{name}:");
                walk_tree(
                    repo,
                    *id,
                    &prefix,
                    &Known::default(),
                    &mut Default::default(),
                    &mut all,
                    |w, blob, path| {
                        w.first_seen.entry(blob).or_insert_with(|| (origin, path()));
                    },
                );
            }
        }
    }
    if options.include_unreachable {
        let objects = repo.objects.iter().map_err(|e| git_error("listing objects", e))?;
        for id in objects.flatten() {
            if !all.first_seen.contains_key(&id)
                && !before.contains_key(&id)
                && repo
                    .find_header(id)
                    .is_ok_and(|h| h.kind() == gix::object::Kind::Blob)
            {
                all.first_seen
                    .insert(id, (Origin::Unreachable, format!("(unreachable blob {id})")));
            }
        }
    }
    Ok(all)
}

/// A finding with the blob it is in, where that blob was first seen.
type Found = (ObjectId, Origin, Finding);

/// Blobs read through one object store before it is dropped (see [`own_store`]).
const BLOBS_PER_STORE: usize = 1024;

/// Step 3: every blob read once, in parallel, through the prefilter. Files that kustomizations'
/// generators read are gathered on the way and read afterwards, at every version they had.
fn read_blobs(
    repo: &gix::Repository,
    packed: &Preread,
    blobs: &[(ObjectId, Origin, String)],
    options: &Options,
    unreadable: &Mutex<Vec<(String, String)>>,
) -> Result<Vec<Found>, Error> {
    let total = blobs.len();
    let done = AtomicUsize::new(0);
    let looked_up = AtomicUsize::new(0);
    let generators: Mutex<HashMap<String, Vec<GeneratorFile>>> = Mutex::new(HashMap::new());
    let sync = repo.clone().into_sync();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.max(1))
        .build()
        .map_err(|e| git_error("starting threads", e))?;
    let read = |repo: &gix::Repository, id: &ObjectId, path: &str| -> Option<Vec<u8>> {
        match repo.find_object(*id) {
            Ok(obj) => Some(obj.detach().data),
            Err(_) => {
                unreadable
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((path.to_string(), id.to_string()));
                None
            }
        }
    };
    let scan_one = |repo: &gix::Repository, (id, origin, path): &(ObjectId, Origin, String)| -> Vec<Found> {
        let n = done.fetch_add(1, Ordering::Relaxed);
        if let Some(progress) = options.progress.filter(|_| n.is_multiple_of(4096)) {
            progress("reading blobs", n, total);
        }
        let note_generators = |files: Vec<GeneratorFile>| {
            if !files.is_empty() {
                let mut g = generators.lock().unwrap_or_else(|e| e.into_inner());
                for gf in files {
                    let target = detect::join_path(detect::dir_of(path), &gf.path);
                    g.entry(target).or_default().push(gf);
                }
            }
        };
        // Read with its pack already: only where it is is new.
        if packed.blobs.contains(id) {
            let Some(scan) = packed.scanned.get(id) else {
                return Vec::new();
            };
            note_generators(scan.generators.clone());
            return scan
                .findings
                .iter()
                .map(|f| {
                    let mut f = f.clone();
                    f.path = path.clone();
                    (*id, *origin, f)
                })
                .collect();
        }
        looked_up.fetch_add(1, Ordering::Relaxed);
        let Some(data) = read(repo, id, path) else {
            return Vec::new();
        };
        note_generators(detect::generator_files(&data));
        scan_bytes(path, &data)
            .into_iter()
            .map(|f| (*id, *origin, f))
            .collect()
    };
    let mut found: Vec<Found> = pool.install(|| {
        blobs
            .par_chunks(BLOBS_PER_STORE)
            .map(|chunk| {
                let repo = own_store(&sync);
                chunk.iter().flat_map(|b| scan_one(&repo, b)).collect::<Vec<_>>()
            })
            .flatten()
            .collect()
    });
    let generators = generators.into_inner().unwrap_or_else(|e| e.into_inner());
    if !generators.is_empty() {
        for (id, origin, path) in blobs {
            let Some(files) = generators.get(path) else {
                continue;
            };
            let Some(data) = read(repo, id, path) else {
                continue;
            };
            let mut unique: Vec<&GeneratorFile> = files.iter().collect();
            unique.sort_by(|a, b| (&a.generator, &a.key).cmp(&(&b.generator, &b.key)));
            unique.dedup_by(|a, b| {
                (&a.generator, &a.namespace, &a.key) == (&b.generator, &b.namespace, &b.key)
            });
            for gf in unique {
                found.extend(
                    detect::generator_file_finding(gf, path, &data)
                        .into_iter()
                        .map(|f| (*id, *origin, f)),
                );
            }
        }
    }
    if let Some(progress) = options.progress {
        progress("reading blobs", total, total);
    }
    if std::env::var_os("KSEAL_SCAN_PROFILE").is_some_and(|v| v == "1") {
        eprintln!(
            "kseal: profile: {} of {total} blobs looked up one by one",
            looked_up.into_inner()
        );
    }
    Ok(found)
}

/// A group of findings of the same Secret with the same values: the earliest, and every
/// `(path, blob)` that holds it.
struct Group {
    origin: Origin,
    finding: Finding,
    holders: BTreeSet<(String, ObjectId)>,
}

/// What makes findings the same: the Secret, the class and the values.
type GroupKey = (
    super::Source,
    detect::Class,
    Option<String>,
    Option<String>,
    BTreeSet<(String, ValueId)>,
);

fn group_key(f: &Finding) -> GroupKey {
    let values = f.keys.iter().map(|k| (k.key.clone(), k.value)).collect();
    (f.source, f.class, f.namespace.clone(), f.name.clone(), values)
}

/// Step 4a: the same Secret with the same values survives in many blobs as a file is edited;
/// keep the earliest sighting of each, in history order, and where else it is.
fn group(found: Vec<Found>) -> Vec<Group> {
    let mut groups: HashMap<GroupKey, Group> = HashMap::new();
    for (blob, origin, f) in found {
        let key = group_key(&f);
        let holder = (f.path.clone(), blob);
        match groups.get_mut(&key) {
            Some(g) => {
                g.holders.insert(holder);
                if (origin, &f.path) < (g.origin, &g.finding.path) {
                    g.origin = origin;
                    g.finding = f;
                }
            }
            None => {
                groups.insert(
                    key,
                    Group {
                        origin,
                        finding: f,
                        holders: BTreeSet::from([holder]),
                    },
                );
            }
        }
    }
    let mut out: Vec<Group> = groups.into_values().collect();
    out.sort_by(|a, b| {
        (a.origin, &a.finding.path, a.finding.line).cmp(&(b.origin, &b.finding.path, b.finding.line))
    });
    out
}

/// A path looked up in many commits' trees: `(index, components)`.
type Lookup<'a> = (usize, Vec<&'a str>);
type Lookups<'a> = [Lookup<'a>];

/// The blobs at several paths under `tree` (`found[index]`), reading each tree on the way once
/// for all of them. Below the root, answers are memoized per (tree, path): subtrees are shared
/// by many commits, so most lookups stop at the first level; root trees are not memoized, as
/// nearly every commit has its own.
fn blobs_at_paths(
    repo: &gix::Repository,
    tree: ObjectId,
    depth: usize,
    paths: &Lookups<'_>,
    memo: &mut HashMap<(ObjectId, u32), Option<ObjectId>>,
    found: &mut [Option<ObjectId>],
) {
    let mut pending: Vec<&(usize, Vec<&str>)> = Vec::with_capacity(paths.len());
    for p in paths {
        match memo.get(&(tree, p.0 as u32)).filter(|_| depth > 0) {
            Some(hit) => found[p.0] = *hit,
            None => pending.push(p),
        }
    }
    if pending.is_empty() {
        return;
    }
    let mut children: Vec<(ObjectId, Vec<Lookup<'_>>)> = Vec::new();
    // Wide trees (helm/charts' `stable/` has 300 entries) and many paths: match by name, not
    // every entry against every path.
    let mut wanted: HashMap<&[u8], Vec<&Lookup<'_>>> = HashMap::new();
    for p in &pending {
        wanted.entry(p.1[depth].as_bytes()).or_default().push(p);
    }
    if let Ok(object) = repo.find_object(tree) {
        for entry in
            gix::objs::TreeRefIter::from_bytes(&object.data, repo.object_hash()).filter_map(Result::ok)
        {
            let Some(here) = wanted.get(AsRef::<[u8]>::as_ref(entry.filename)) else {
                continue;
            };
            let mut deeper = Vec::new();
            for p in here.iter().copied() {
                if p.1.len() == depth + 1 {
                    found[p.0] = entry.mode.is_blob().then(|| entry.oid.to_owned());
                } else if entry.mode.is_tree() {
                    deeper.push(p.clone());
                }
            }
            if !deeper.is_empty() {
                children.push((entry.oid.to_owned(), deeper));
            }
        }
    }
    for (child, deeper) in children {
        blobs_at_paths(repo, child, depth + 1, &deeper, memo, found);
    }
    if depth > 0 {
        for p in pending {
            memo.insert((tree, p.0 as u32), found[p.0]);
        }
    }
}

/// Commits whose trees are looked up through one object store before it is dropped.
const COMMITS_PER_STORE: usize = 8192;

/// Step 4b: for each `needed` group, the commits whose tree holds one of its blobs at its path.
/// Each commit's tree is read once for all groups, in parallel. (The walk already knows this for
/// the groups found before it, in the packs.)
fn holding_commits(
    repo: &gix::Repository,
    commits: &Commits,
    children: &[Vec<u32>],
    groups: &[Group],
    needed: &[bool],
    threads: usize,
) -> Result<Vec<Vec<u32>>, Error> {
    let wanted: Vec<usize> = (0..groups.len())
        .filter(|g| needed[*g] && matches!(groups[*g].origin, Origin::Commit(_)))
        .collect();
    let mut holders = vec![Vec::new(); groups.len()];
    if wanted.is_empty() {
        return Ok(holders);
    }
    let paths: Vec<&str> = wanted
        .iter()
        .flat_map(|g| groups[*g].holders.iter().map(|(p, _)| p.as_str()))
        .collect::<BTreeSet<&str>>()
        .into_iter()
        .collect();
    let lookups: Vec<(usize, Vec<&str>)> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| (i, p.split('/').collect()))
        .collect();
    // Per group, (path index, blob) pairs to look for.
    let holders_at: Vec<Vec<(usize, ObjectId)>> = groups
        .iter()
        .map(|g| {
            g.holders
                .iter()
                .filter_map(|(p, b)| Some((paths.binary_search(&p.as_str()).ok()?, *b)))
                .collect()
        })
        .collect();
    // Only commits neither before nor after the introducing one need a look: its ancestors come
    // earlier in history order, so none holds the content (or the group would start there), and
    // whatever reaches a descendant reaches the introducing commit too.
    let n = commits.ids.len();
    let words = n.div_ceil(64);
    let concurrent: HashMap<usize, Vec<u64>> = wanted
        .iter()
        .map(|&g| {
            let Origin::Commit(f) = groups[g].origin else {
                return (g, vec![0; words]);
            };
            let mut related = vec![false; n];
            for edges in [&commits.parents, children] {
                let mut stack = vec![f];
                while let Some(c) = stack.pop() {
                    if !std::mem::replace(&mut related[c as usize], true) || c == f {
                        stack.extend(edges[c as usize].iter().copied());
                    }
                }
            }
            let mut bits = vec![0u64; words];
            for (c, r) in related.iter().enumerate() {
                if !r {
                    bits[c / 64] |= 1 << (c % 64);
                }
            }
            (g, bits)
        })
        .collect();
    let sync = repo.clone().into_sync();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| git_error("starting threads", e))?;
    let look = |repo: &gix::Repository, memo: &mut HashMap<(ObjectId, u32), Option<ObjectId>>, c: usize| {
        let check: Vec<usize> = wanted
            .iter()
            .copied()
            .filter(|g| concurrent[g][c / 64] & (1 << (c % 64)) != 0)
            .collect();
        if check.is_empty() {
            return Vec::new();
        }
        let needed: BTreeSet<usize> = check
            .iter()
            .flat_map(|g| holders_at[*g].iter().map(|(p, _)| *p))
            .collect();
        let subset: Vec<Lookup<'_>> = needed.iter().map(|i| lookups[*i].clone()).collect();
        let mut at = vec![None; paths.len()];
        blobs_at_paths(repo, commits.trees[c], 0, &subset, memo, &mut at);
        check
            .into_iter()
            .filter(|g| holders_at[*g].iter().any(|(p, b)| at[*p] == Some(*b)))
            .map(|g| (g, c as u32))
            .collect::<Vec<_>>()
    };
    let hits: Vec<(usize, u32)> = pool.install(|| {
        (0..n)
            .into_par_iter()
            .chunks(COMMITS_PER_STORE)
            .map_init(HashMap::new, |memo, chunk| {
                let repo = own_store(&sync);
                chunk
                    .into_iter()
                    .flat_map(|c| look(&repo, memo, c))
                    .collect::<Vec<_>>()
            })
            .flatten()
            .collect()
    });
    if std::env::var_os("KSEAL_SCAN_PROFILE").is_some_and(|v| v == "1") {
        let checked = (0..n)
            .filter(|c| {
                wanted
                    .iter()
                    .any(|g| concurrent[g][c / 64] & (1 << (c % 64)) != 0)
            })
            .count();
        eprintln!(
            "kseal: profile: {} groups, {} paths, {checked} of {n} commits looked at",
            wanted.len(),
            paths.len()
        );
    }
    for (g, c) in hits {
        holders[g].push(c);
    }
    Ok(holders)
}

/// The refs whose history reaches one of `from`: walk children from them, collect the tips met.
fn refs_reaching(commits: &Commits, children: &[Vec<u32>], from: &[u32]) -> Vec<String> {
    let mut seen = vec![false; commits.ids.len()];
    let mut stack: Vec<u32> = from.to_vec();
    while let Some(c) = stack.pop() {
        if std::mem::replace(&mut seen[c as usize], true) {
            continue;
        }
        stack.extend(children[c as usize].iter().copied());
    }
    let mut refs: Vec<String> = commits
        .tips
        .iter()
        .filter(|(_, c)| seen[*c as usize])
        .map(|(n, _)| n.clone())
        .collect();
    refs.sort();
    refs.dedup();
    refs
}

/// Step 4c: HEAD's findings, by key and value, with the path HEAD holds each at.
fn head_keys(repo: &gix::Repository, found: &[Found]) -> HashMap<(String, ValueId), String> {
    let mut out = HashMap::new();
    let Ok(tree) = repo.head_tree_id() else {
        return out;
    };
    let mut walked = Walked::default();
    walk_tree(
        repo,
        tree.detach(),
        "",
        &Known::default(),
        &mut Default::default(),
        &mut walked,
        |w, blob, path| {
            w.first_seen
                .entry(blob)
                .or_insert_with(|| (Origin::Unreachable, path()));
        },
    );
    for (blob, _, f) in found {
        let Some((_, head_path)) = walked.first_seen.get(blob) else {
            continue;
        };
        for k in &f.keys {
            out.entry(k.identity()).or_insert_with(|| head_path.clone());
        }
    }
    out
}

/// Scans the history of the repository: the steps of the module documentation.
pub fn scan(repo: &gix::Repository, options: &Options) -> Result<Scanned, Error> {
    // `KSEAL_SCAN_PROFILE=1`: each step's wall time on stderr, for the benchmarks.
    let profile = std::env::var_os("KSEAL_SCAN_PROFILE").is_some_and(|v| v == "1");
    let start = std::time::Instant::now();
    let step = |name: &str| {
        if profile {
            // Resident memory so far (Linux), to see which step holds it.
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let field = |k: &str| {
                status
                    .lines()
                    .find(|l| l.starts_with(k))
                    .map_or(String::new(), |l| l[k.len()..].trim().to_string())
            };
            // CPU time of all threads (utime + stime, in the kernel's 100 Hz ticks): with the
            // wall time, how busy the threads were.
            let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
            let ticks: u64 = stat.rsplit_once(')').map_or(0, |(_, rest)| {
                rest.split(' ')
                    .skip(12)
                    .take(2)
                    .filter_map(|t| t.parse::<u64>().ok())
                    .sum()
            });
            eprintln!(
                "kseal: profile: {name} done at {:.2} s, CPU {:.2} s, RSS {} (peak {}, file-backed {})",
                start.elapsed().as_secs_f64(),
                ticks as f64 / 100.0,
                field("VmRSS:"),
                field("VmHWM:"),
                field("RssFile:")
            );
        }
    };
    // The commits are ordered beside the blob reading, through their own store, so the pages of
    // the commits read are unmapped after.
    let sync = repo.clone().into_sync();
    let range = options.range.as_deref();
    let (packed, commits) = preread::preread(repo, options.threads, options.progress, |commits| {
        // The commits are dropped once ordered, before the blob reading ends.
        resolve_commits(&own_store(&sync), &commits, range)
    });
    if profile {
        let c = packed.counts;
        eprintln!(
            "kseal: profile: read ahead {} commits and {} blobs: {} objects from packs ({} deltas), {} loose",
            c.commits,
            packed.blobs.len(),
            c.from_packs,
            c.deltas,
            c.loose
        );
    }
    let commits = commits.unwrap_or_else(|| Err(git_error("ordering the commits", "it did not run")))?;
    step("read ahead and commits");
    let known = Known::new(&packed);
    let mut walked = first_sightings(repo, &commits, &known, options)?;
    step("trees");
    let mut blobs: Vec<(ObjectId, Origin, String)> = walked
        .first_seen
        .into_iter()
        .map(|(id, (origin, path))| (id, origin, path))
        .collect();
    // The versions of one file, read one after another: git deltifies a file against its other
    // versions, so the delta-base cache then hits instead of inflating each chain again.
    blobs.sort_unstable_by(|a, b| (&a.2, a.1).cmp(&(&b.2, b.1)));
    let unreadable = Mutex::new(walked.unreadable);
    let found = read_blobs(repo, &packed, &blobs, options, &unreadable)?;
    drop(blobs);
    step("blobs");
    let at_head = head_keys(repo, &found);
    let groups = group(found);
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); commits.ids.len()];
    for (c, ps) in commits.parents.iter().enumerate() {
        for p in ps {
            children[*p as usize].push(c as u32);
        }
    }
    // The walk found which commits hold the groups whose blobs were all known before it; the
    // others (loose objects, generators' files) are looked up at their paths.
    let walked_holding = std::mem::take(&mut walked.holding);
    let from_walk: Vec<Option<&Vec<u32>>> = groups
        .iter()
        .map(|g| {
            let all_known = g.holders.iter().all(|(_, b)| known.blobs.contains_key(b));
            let id = known.groups.get(&group_key(&g.finding)).filter(|_| all_known)?;
            walked_holding.get(*id as usize)
        })
        .collect();
    let needed: Vec<bool> = from_walk.iter().map(Option::is_none).collect();
    let mut holders = holding_commits(repo, &commits, &children, &groups, &needed, options.threads)?;
    for (h, walked) in holders.iter_mut().zip(&from_walk) {
        if let Some(commits) = walked {
            h.extend(commits.iter().copied());
        }
    }
    step("refs");
    let mut findings = Vec::with_capacity(groups.len());
    for (g, holding) in groups.into_iter().zip(holders) {
        let mut f = g.finding;
        let mut head_path = None;
        for k in &mut f.keys {
            let path = at_head.get(&k.identity());
            k.at_head = Some(path.is_some());
            head_path = head_path.or(path.cloned());
        }
        f.at_head = Some(f.keys.iter().all(|k| k.at_head == Some(true)));
        f.head_path = head_path.filter(|_| f.at_head == Some(true));
        match g.origin {
            Origin::Commit(c) => {
                let mut from = holding;
                from.push(c);
                f.refs = refs_reaching(&commits, &children, &from);
                attribute(repo, commits.ids[c as usize], &mut f)?;
            }
            Origin::Ref(r) => f.refs = vec![commits.object_tips[r as usize].0.clone()],
            Origin::Unreachable => {}
        }
        f.refresh_fingerprints();
        findings.push(f);
    }
    let mut unreadable: Vec<(String, String)> = unreadable.into_inner().unwrap_or_else(|e| e.into_inner());
    unreadable.extend(
        commits
            .unreadable
            .iter()
            .map(|(w, id)| (w.clone(), id.to_string())),
    );
    unreadable.sort();
    unreadable.dedup();
    let mut shallow: Vec<String> = commits.shallow.iter().map(ToString::to_string).collect();
    shallow.sort();
    Ok(Scanned {
        findings,
        unreadable,
        shallow,
        submodules: walked.submodules.into_iter().collect(),
    })
}

/// The introducing commit and its author date.
fn attribute(repo: &gix::Repository, id: ObjectId, f: &mut Finding) -> Result<(), Error> {
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
    Ok(())
}

/// The content of the blob at `path` under `tree`, if there is one.
fn file_in_tree(repo: &gix::Repository, tree: ObjectId, path: &str) -> Option<Vec<u8>> {
    let mut at = [None];
    let lookup = [(0, path.split('/').collect())];
    blobs_at_paths(repo, tree, 0, &lookup, &mut HashMap::new(), &mut at);
    repo.find_object(at[0]?).ok().map(|o| o.detach().data)
}

/// The content of `path` in HEAD's tree, if there is one.
pub fn file_at_head(repo: &gix::Repository, path: &str) -> Option<Vec<u8>> {
    file_in_tree(repo, repo.head_tree_id().ok()?.detach(), path)
}

/// `--staged`: the whole blob of every entry in the index (what the next commit will contain),
/// as a pre-commit hook needs, not diff hunks.
pub fn scan_staged(repo: &gix::Repository) -> Result<Scanned, Error> {
    let index = repo.open_index().map_err(|e| git_error("reading the index", e))?;
    let mut out = Scanned::default();
    for entry in index.entries() {
        let path = entry.path(&index).to_string();
        if entry.mode.is_submodule() {
            out.submodules.push(path);
            continue;
        }
        let Ok(obj) = repo.find_object(entry.id) else {
            out.unreadable.push((path, entry.id.to_string()));
            continue;
        };
        out.findings.extend(scan_with_generators(&path, &obj.data, |p| {
            let e = index.entry_by_path(p.into())?;
            repo.find_object(e.id).ok().map(|o| o.data.clone())
        }));
    }
    Ok(out)
}

/// The values a baseline accepts, read back from history: for each entry that names a commit,
/// the finding at that commit and path is scanned again and its keys' values taken, in memory.
/// This is how a baseline suppresses the same value elsewhere (`--staged`, a moved file) without
/// holding anything derived from the value. Entries whose commit is not in this clone are
/// returned as unverifiable.
pub fn baseline_values(
    repo: &gix::Repository,
    entries: &[super::report::BaselineEntry],
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
        if e.source == Some(super::Source::SecretGenerator) {
            let named = e.keys.iter().map(|k| Some(k.key.clone()));
            for key in std::iter::once(None).chain(named) {
                let gf = GeneratorFile {
                    generator: e.name.clone(),
                    namespace: e.namespace.clone(),
                    path: e.path.clone(),
                    key,
                };
                found.extend(detect::generator_file_finding(&gf, &e.path, &blob));
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
