//! Step 2: walk every commit's tree, in parallel, for the first sighting of each blob and the
//! finding groups each commit holds.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use gix::ObjectId;

use super::commits::{Commits, Origin};
use super::holders::{group_key, GroupKey};
use super::preread::Preread;
use super::store::pack_indices;
use super::store::{git_error, own_store};
use super::tree_reader::{TreeCache, TreeReader};
use super::Options;
use kseal_core::error::Error;

/// What one tree walker saw.
#[derive(Default)]
pub(super) struct Walked {
    pub first_seen: gix::hashtable::HashMap<ObjectId, (Origin, String)>,
    pub submodules: BTreeSet<String>,
    pub unreadable: Vec<(String, String)>,
    /// Per commit whose tree holds a finding known before the walk: (commit, set in `sets`).
    pub holds: Vec<(u32, u32)>,
    sets: GroupSets,
    /// Per group of [`Known`], the commits whose tree holds it and none of whose parents do.
    pub holding: Vec<Vec<u32>>,
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
pub(super) struct Known {
    pub groups: HashMap<GroupKey, u32>,
    pub blobs: gix::hashtable::HashMap<ObjectId, Box<[u64]>>,
    pub words: usize,
}

impl Known {
    pub fn new(packed: &Preread) -> Self {
        let mut known = Known::default();
        let mut members: Vec<(ObjectId, u32)> = Vec::new();
        for (blob, scan) in &packed.scanned {
            // What stays of a blob's findings depends on its path (`settle_for_path`): a values
            // file keeps its values findings, any other file its known formats on those lines.
            // The groups of both, so that the walk knows either.
            let as_values = crate::detect::settle_for_path("values.yaml", scan.findings.clone());
            let elsewhere = crate::detect::settle_for_path("", scan.findings.clone());
            for f in as_values.iter().chain(&elsewhere) {
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

/// The trees a walker has entered, each with its set of groups once finished (`ENTERED` until
/// then), looked up once per tree entry: 21 million lookups on helm/charts, where a big folder
/// (`stable/`, 300 charts) comes back in nearly every commit with nearly the same entries. Those
/// lookups in the whole table (225k trees, megabytes) each missed the CPU's caches; the last
/// finished trees are kept in a small table too, by the low bits of their id (ids are uniformly
/// spread), which stays in the L2 cache and answers nearly all of them.
#[derive(Default)]
pub(super) struct TreeMemo {
    all: gix::hashtable::HashMap<ObjectId, u32>,
    recent: Vec<(ObjectId, u32)>,
}

/// A tree entered and not yet finished.
const ENTERED: u32 = u32::MAX;
/// Slots of [`TreeMemo::recent`]: 4096 x 24 bytes.
const RECENT: usize = 4096;

impl TreeMemo {
    fn slot(id: &ObjectId) -> usize {
        let b = id.as_bytes();
        usize::from(u16::from_le_bytes([b[0], b[1]])) % RECENT
    }

    /// The set of a finished tree; `None` while it is being walked, or not yet entered.
    fn finished(&mut self, id: &ObjectId) -> Option<u32> {
        if self.recent.is_empty() {
            self.recent = vec![(ObjectId::null(id.kind()), ENTERED); RECENT];
        }
        let slot = &mut self.recent[Self::slot(id)];
        // An unused slot holds the null id with ENTERED: never an answer.
        if slot.0 == *id && slot.1 != ENTERED {
            return Some(slot.1);
        }
        let set = self.all.get(id).copied().filter(|s| *s != ENTERED)?;
        *slot = (*id, set);
        Some(set)
    }

    fn entered(&self, id: &ObjectId) -> bool {
        self.all.contains_key(id)
    }

    fn insert(&mut self, id: ObjectId, set: u32) {
        self.all.insert(id, set);
    }
}

/// Walks the tree `root`, calling `blob(id, path)` for each blob (`prefix` is put before every
/// path), and returns the set of groups of `known` it holds, anywhere in it. `memo` has each tree's set once it is walked (a tree
/// shared by many commits is walked once); a tree is finished after all its subtrees, which
/// the stack order guarantees (a subtree already entered is finished, or it would contain its
/// parent).
pub(super) fn walk_tree(
    reader: &mut TreeReader,
    root: ObjectId,
    prefix: &str,
    known: &Known,
    memo: &mut TreeMemo,
    out: &mut Walked,
    mut blob: impl FnMut(&mut Walked, ObjectId, &dyn Fn() -> String),
) -> u32 {
    enum Frame {
        Enter(ObjectId, String),
        /// A tree whose own blobs' groups are `set`, waiting for `subtrees` to finish.
        Finish(ObjectId, Vec<u64>, Vec<ObjectId>),
    }
    let hash = reader.repo().object_hash();
    let mut stack = vec![Frame::Enter(root, prefix.to_string())];
    while let Some(frame) = stack.pop() {
        match frame {
            Frame::Enter(tree_id, prefix) => {
                if memo.entered(&tree_id) {
                    continue;
                }
                memo.insert(tree_id, ENTERED);
                let mut set = vec![0u64; known.words];
                let mut waiting = Vec::new();
                let mut enter = Vec::new();
                match reader.tree(&tree_id) {
                    None => out
                        .unreadable
                        .push((format!("{prefix}(tree)"), tree_id.to_string())),
                    Some(tree) => {
                        for entry in gix::objs::TreeRefIter::from_bytes(tree, hash) {
                            let Ok(entry) = entry else {
                                out.unreadable
                                    .push((format!("{prefix}(tree)"), tree_id.to_string()));
                                break;
                            };
                            let id = entry.oid.to_owned();
                            if entry.mode.is_tree() {
                                match memo.finished(&id) {
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
                    let done = memo.finished(&id).unwrap_or(0);
                    out.sets.add(&mut set, done);
                }
                let id = out.sets.intern(set);
                memo.insert(tree_id, id);
            }
        }
    }
    memo.finished(&root).unwrap_or(0)
}

/// Where blobs were first seen: origin and path (keyed by the id itself, as gix's tables are: no
/// SipHash of every blob entry of every tree walked).
type Sightings = gix::hashtable::HashMap<ObjectId, (Origin, String)>;

/// Step 2: the first origin and path of every distinct blob, walked in parallel runs.
pub(super) fn first_sightings(
    repo: &gix::Repository,
    commits: &Commits,
    known: &Known,
    options: &Options,
) -> Result<Walked, Error> {
    let before = boundary_blobs(repo, commits);
    let parts = walk_in_parallel(repo, commits, known, options, &before);
    let mut all = merge(parts, commits, known.groups.len());
    add_object_tips(repo, commits, &mut all);
    if options.include_unreachable {
        add_unreachable(repo, &before, &mut all)?;
    }
    Ok(all)
}

/// A range: the blobs its boundary commits had, which are not new.
fn boundary_blobs(repo: &gix::Repository, commits: &Commits) -> Sightings {
    let mut boundary_trees = TreeMemo::default();
    let mut boundary = Walked::default();
    let mut reader = TreeReader::plain(repo);
    for id in &commits.boundary {
        if let Ok(c) = repo.find_commit(*id) {
            if let Ok(tree) = c.tree_id() {
                walk_tree(
                    &mut reader,
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
    boundary.first_seen
}

/// Every commit's tree walked, by `options.threads` walkers; what each saw.
fn walk_in_parallel(
    repo: &gix::Repository,
    commits: &Commits,
    known: &Known,
    options: &Options,
    before: &Sightings,
) -> Vec<Walked> {
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
    let indices = pack_indices(repo);
    let walk = || {
        let mut memo = TreeMemo::default();
        let mut cache = TreeCache::default();
        let mut walked = Walked {
            sets: GroupSets::new(known.words),
            ..Walked::default()
        };
        while let Some(chunk) = take() {
            let mut reader = TreeReader::new(own_store(&sync), &indices, cache);
            for i in chunk {
                let d = done.fetch_add(1, Ordering::Relaxed);
                if let Some(progress) = options.progress.filter(|_| d.is_multiple_of(1024)) {
                    progress("walking trees", d, n);
                }
                let origin = Origin::Commit(i as u32);
                let set = walk_tree(
                    &mut reader,
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
            cache = reader.into_cache();
        }
        walked
    };
    std::thread::scope(|s| {
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
    })
}

/// The walkers' sightings merged, keeping the earliest, and per group the commits holding it
/// where none of their parents does: what the refs are computed from (a ref that reaches a
/// commit reaches its parents), and a list of every holding commit was 23 million entries on
/// helm/charts (560 groups, most in most of 118k commits).
fn merge(parts: Vec<Walked>, commits: &Commits, groups: usize) -> Walked {
    let mut all = Walked {
        holding: vec![Vec::new(); groups],
        ..Walked::default()
    };
    // Per commit, the walker that walked it and its set there (0: none).
    let mut held: Vec<(usize, u32)> = vec![(0, 0); commits.ids.len()];
    for (p, part) in parts.iter().enumerate() {
        for (commit, set) in &part.holds {
            held[*commit as usize] = (p, *set);
        }
    }
    let words = groups.div_ceil(64);
    let bits_of = |(p, set): (usize, u32)| -> &[u64] { &parts[p].sets.sets[set as usize] };
    let mut new = vec![0u64; words];
    for (commit, own) in held.iter().enumerate() {
        if own.1 == 0 {
            continue;
        }
        new.copy_from_slice(bits_of(*own));
        for parent in &commits.parents[commit] {
            let theirs = held[*parent as usize];
            if theirs == *own {
                new.iter_mut().for_each(|w| *w = 0);
                break;
            }
            if theirs.1 != 0 {
                new.iter_mut().zip(bits_of(theirs)).for_each(|(a, b)| *a &= !b);
            }
        }
        for (w, word) in new.iter().enumerate() {
            let mut bits = *word;
            while bits != 0 {
                all.holding[w * 64 + bits.trailing_zeros() as usize].push(commit as u32);
                bits &= bits - 1;
            }
        }
    }
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
    }
    all
}

/// Refs that point at a tree or a blob (`git tag v1-files <tree>`): reachable, so scanned.
fn add_object_tips(repo: &gix::Repository, commits: &Commits, all: &mut Walked) {
    for (i, (name, id)) in commits.object_tips.iter().enumerate() {
        let origin = Origin::Ref(i as u32);
        match repo.find_header(*id).map(|h| h.kind()) {
            Ok(gix::object::Kind::Blob) => {
                all.first_seen.entry(*id).or_insert((origin, name.clone()));
            }
            _ => {
                let prefix = format!("{name}:");
                walk_tree(
                    &mut TreeReader::plain(repo),
                    *id,
                    &prefix,
                    &Known::default(),
                    &mut Default::default(),
                    all,
                    |w, blob, path| {
                        w.first_seen.entry(blob).or_insert_with(|| (origin, path()));
                    },
                );
            }
        }
    }
}

/// `--include-unreachable`: blobs no commit or ref reaches.
fn add_unreachable(repo: &gix::Repository, before: &Sightings, all: &mut Walked) -> Result<(), Error> {
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::commits::resolve_commits;
    use crate::history::preread::PackedCommits;
    use crate::history::testrepo::Repo;

    fn id(first: u8, second: u8, last: u8) -> ObjectId {
        let mut b = [0u8; 20];
        (b[0], b[1], b[19]) = (first, second, last);
        ObjectId::from_bytes_or_panic(&b)
    }

    #[test]
    fn the_memo_answers_finished_trees_only_and_survives_slot_collisions() {
        let mut memo = TreeMemo::default();
        let (a, b) = (id(1, 0, 1), id(1, 0, 2)); // the same slot, different ids
        assert_eq!(memo.finished(&a), None);
        memo.insert(a, ENTERED);
        assert!(memo.entered(&a));
        assert_eq!(memo.finished(&a), None, "entered is not finished");
        memo.insert(a, 7);
        memo.insert(b, 9);
        for _ in 0..2 {
            assert_eq!(memo.finished(&a), Some(7));
            assert_eq!(memo.finished(&b), Some(9));
        }
        assert_eq!(memo.finished(&id(2, 0, 0)), None);
        assert_eq!(memo.finished(&ObjectId::null(gix::hash::Kind::Sha1)), None);
    }

    #[test]
    fn each_blob_is_first_seen_where_history_first_has_it() {
        let Some(r) = Repo::new() else { return };
        r.commit(&[("a/s.yaml", "same"), ("x", "1")], 1_000);
        // The same content again at another path, later: still first seen at a/s.yaml.
        r.commit(&[("b/t.yaml", "same"), ("x", "2")], 2_000);
        r.git(&["rm", "-q", "a/s.yaml"], 0);
        std::fs::write(r.dir.path().join("x"), "3").unwrap();
        r.git(&["add", "x"], 0);
        // A submodule: a gitlink in the index (`add -A` would drop it, there is no checkout).
        let gitlink = format!("160000,{},sub", r.id("HEAD"));
        r.git(&["update-index", "--add", "--cacheinfo", &gitlink], 0);
        r.git(&["commit", "-q", "-m", "c"], 3_000);
        let loose = r.blob("HEAD:x");
        r.git(&["tag", "just-a-blob", &r.blob("HEAD~1:x").to_string()], 0);
        let repo = r.open();
        let commits = resolve_commits(&repo, &PackedCommits::default(), None).unwrap();
        let options = Options {
            threads: 2,
            ..Options::default()
        };
        let walked = first_sightings(&repo, &commits, &Known::default(), &options).unwrap();
        let seen = |id: ObjectId| walked.first_seen.get(&id).cloned();
        assert_eq!(
            seen(r.blob("HEAD~2:a/s.yaml")),
            Some((Origin::Commit(0), "a/s.yaml".into()))
        );
        assert_eq!(seen(r.blob("HEAD~2:x")), Some((Origin::Commit(0), "x".into())));
        assert_eq!(seen(loose), Some((Origin::Commit(2), "x".into())));
        // A blob a commit already has is first seen there, not at the tag naming it.
        assert_eq!(seen(r.blob("HEAD~1:x")), Some((Origin::Commit(1), "x".into())));
        assert_eq!(walked.first_seen.len(), 4);
        assert_eq!(walked.submodules.iter().collect::<Vec<_>>(), vec!["sub"]);
        assert!(walked.unreadable.is_empty());
    }

    #[test]
    fn a_range_leaves_out_what_its_boundary_had() {
        let Some(r) = Repo::new() else { return };
        r.commit(&[("old", "1")], 1_000);
        r.commit(&[("new", "2")], 2_000);
        let repo = r.open();
        let commits = resolve_commits(&repo, &PackedCommits::default(), Some("HEAD~1..HEAD")).unwrap();
        let walked = first_sightings(&repo, &commits, &Known::default(), &Options::default()).unwrap();
        let paths: Vec<&str> = walked.first_seen.values().map(|(_, p)| p.as_str()).collect();
        assert_eq!(paths, vec!["new"]);
    }
}
