//! Reading every commit and blob of a repository before the history walk: its packs whole, in
//! pack order, and its loose objects.
//!
//! Looking objects up one by one (what the walk does) resolves each object's delta chain on its
//! own, and a cache only helps when the chain was read recently. A pack read in order, one delta
//! family at a time (a base, then every object deltified against it), inflates each entry once:
//! on helm/charts' 367 MB pack, every commit and blob in 1.0 s with 2 threads, where reading the
//! same blobs one by one took 1.8 s and the commits 1.0 s more. gix's delta tree does the
//! resolving (`gix_pack::cache::delta::Tree`); what is ours is which entries go in it.
//!
//! Memory: a pack is mapped whole, and every page read stays resident while it is mapped (a
//! 367 MB pack would be 367 MB of RSS). So the families are cut into parts, each read through
//! its own mapping, dropped when done: the commits, then the blobs ~64 MB of pack at a time.
//! Trees are not read here: the walk reads them, and the families of commits and blobs are
//! what is scanned. Peak RSS on helm/charts: 206 MiB with 1 thread, ~235 MiB with 2.
//!
//! Threads: each part's objects are read by gix's traversal on every thread; the serial work
//! around it runs beside it, where it would otherwise leave a core idle: the pack's headers are
//! read a stretch per thread, and the commits are ordered (the caller's `order`) while the blobs
//! are read.
//!
//! Knowing every blob's findings before the walk lets the walk say which commits hold each
//! finding (`history::walk_tree`). What this could not read (objects in alternates, a pack
//! it cannot parse) is read by the walk object by object, and its findings' commits looked up
//! at the same path afterwards: slower, and a commit holding the content at another path is not
//! counted there.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;

use gix::hashtable::{HashMap, HashSet};
use gix::odb::pack;
use gix::ObjectId;
use rayon::prelude::*;

use crate::detect;
use crate::generators::{self, GeneratorFile};
use crate::Finding;

/// A commit as the history walk needs it.
pub struct PackedCommit {
    pub tree: ObjectId,
    pub parents: Vec<ObjectId>,
    /// Committer time, seconds since the epoch.
    pub time: i64,
}

/// The commits read ahead, by id.
pub type PackedCommits = HashMap<ObjectId, PackedCommit>;

/// What a blob holds for the scan; only kept for blobs that hold something.
#[derive(Default)]
pub struct BlobScan {
    /// Findings, labelled with an empty path: the walk knows where the blob is.
    pub findings: Vec<Finding>,
    /// The files this blob, as a kustomization, has a `secretGenerator` read.
    pub generators: Vec<GeneratorFile>,
}

/// The blobs read ahead (the commits went to `preread`'s `order`).
#[derive(Default)]
pub struct Preread {
    /// Every blob read and scanned, whether it held anything or not.
    pub blobs: HashSet<ObjectId>,
    pub scanned: HashMap<ObjectId, BlobScan>,
    /// Commits read, objects read from packs, how many of those were deltas, and loose objects
    /// read.
    pub counts: Counts,
}

#[derive(Default, Clone, Copy)]
pub struct Counts {
    pub commits: usize,
    pub from_packs: usize,
    pub deltas: usize,
    pub loose: usize,
}

/// Pack bytes read through one mapping before it is dropped.
const PART_BYTES: u64 = 64 << 20;

/// Reads every commit and blob of the repository's own packs and its loose objects; what it
/// cannot read is left to the walk. `order` gets the commits as soon as they are read, and runs
/// beside the blob reading when `threads > 1`: it is serial work (ordering helm/charts' 117k
/// commits takes 0.1 s) that would otherwise leave a core idle. What `order` returned; None
/// would say it did not run, which the code here does not allow.
pub fn preread<R: Send>(
    repo: &gix::Repository,
    threads: usize,
    progress: Option<fn(&str, usize, usize)>,
    order: impl FnOnce(PackedCommits) -> R + Send,
) -> (Preread, Option<R>) {
    let threads = threads.max(1);
    let mut out = Preread::default();
    let mut commits = PackedCommits::default();
    let hash = repo.object_hash();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().ok();
    let indices = super::store::pack_indices(repo);
    // A pack that cannot be planned (or a part that cannot be read) is read object by object
    // by the walk.
    let mut packs = Vec::new();
    for (i, idx) in indices.iter().enumerate() {
        if let Some(progress) = progress {
            progress("reading packs", i, indices.len());
        }
        let planned = match &pool {
            Some(pool) => pool.install(|| plan_pack(idx, hash, threads)),
            None => plan_pack(idx, hash, threads),
        };
        packs.extend(planned.ok());
    }
    let interrupt = AtomicBool::new(false);
    let jobs = |commit_parts: bool| -> Vec<(&Pack, &[usize])> {
        packs
            .iter()
            .flat_map(|(pack, parts)| {
                let parts = if commit_parts { &parts[..1] } else { &parts[1..] };
                parts.iter().map(move |p| (pack, p.as_slice()))
            })
            .filter(|(_, p)| !p.is_empty())
            .collect()
    };
    read_parts(&jobs(true), hash, threads, &interrupt, |id, read, delta| {
        out.counts.from_packs += 1;
        out.counts.deltas += usize::from(delta);
        if let Read::Commit(c) = read {
            commits.insert(id, *c);
        }
    });
    read_loose(repo, &pool, &mut commits, &mut out);
    out.counts.commits = commits.len();
    // Handed over through a lock, so that it is still here to run on this thread if the
    // system will not start another.
    let job = Mutex::new(Some((order, commits)));
    let run = || {
        let taken = job.lock().unwrap_or_else(|e| e.into_inner()).take();
        taken.map(|(order, commits)| order(commits))
    };
    let ordered = std::thread::scope(|s| {
        let mut read_blobs = || {
            read_parts(&jobs(false), hash, threads, &interrupt, |id, read, delta| {
                out.counts.from_packs += 1;
                out.counts.deltas += usize::from(delta);
                out.keep(id, read);
            })
        };
        if threads == 1 {
            let ordered = run();
            read_blobs();
            return ordered;
        }
        let ordering = std::thread::Builder::new().spawn_scoped(s, run).ok();
        read_blobs();
        let ordered =
            ordering.and_then(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        ordered.or_else(run)
    });
    (out, ordered)
}

/// The loose objects (`objects/ab/cdef...`): few after a `git gc`, all of a young repository's.
/// Read before the packs' blobs, so that the commits are all there to order; a loose copy of a
/// packed blob (git prunes them) would be read twice, to the same result.
fn read_loose(
    repo: &gix::Repository,
    pool: &Option<rayon::ThreadPool>,
    commits: &mut PackedCommits,
    out: &mut Preread,
) {
    let dir = repo.objects.store_ref().path();
    let mut ids = Vec::new();
    for fan in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let fan_name = fan.file_name();
        let Some(prefix) = fan_name.to_str().filter(|n| n.len() == 2) else {
            continue;
        };
        for file in std::fs::read_dir(fan.path()).into_iter().flatten().flatten() {
            if let Some(rest) = file.file_name().to_str() {
                if let Ok(id) = ObjectId::from_hex(format!("{prefix}{rest}").as_bytes()) {
                    if !commits.contains_key(&id) {
                        ids.push(id);
                    }
                }
            }
        }
    }
    if ids.is_empty() {
        return;
    }
    let hash = repo.object_hash();
    let sync = repo.clone().into_sync();
    let read = |repo: &mut gix::Repository, id: &ObjectId| -> (ObjectId, Read) {
        match repo.find_object(*id) {
            Ok(object) => (*id, read_object(Some(object.kind), &object.data, hash)),
            Err(_) => (*id, Read::Nothing), // the walk says what could not be read
        }
    };
    let read_all =
        || -> Vec<(ObjectId, Read)> { ids.par_iter().map_init(|| sync.to_thread_local(), read).collect() };
    let results = match pool {
        Some(pool) => pool.install(read_all),
        None => read_all(),
    };
    for (id, read) in results {
        out.counts.loose += usize::from(!matches!(read, Read::Nothing));
        match read {
            Read::Commit(c) => {
                commits.insert(id, *c);
            }
            read => out.keep(id, read),
        }
    }
}

/// One entry of the pack, as the delta tree carries it.
struct Slot {
    id: ObjectId,
    delta: bool,
    /// False for the pack's first entry when it is only there to satisfy the tree (see below).
    mine: bool,
    read: Read,
}

enum Read {
    Nothing,
    Commit(Box<PackedCommit>),
    Blob(Option<Box<BlobScan>>),
}

/// A pack and its entries in pack order.
struct Pack {
    index: pack::index::File,
    path: PathBuf,
    entries: Vec<(u64, ObjectId)>,
    /// Where the last entry ends (the trailing checksum).
    end: u64,
}

/// A pack's entries split into parts, each whole delta families: the commits first, then the
/// blobs in parts of about PART_BYTES. Trees and tags are left to the walk.
fn plan_pack(idx: &Path, hash: gix::hash::Kind, threads: usize) -> Result<(Pack, Vec<Vec<usize>>), ()> {
    let index = pack::index::File::at(idx, hash).map_err(drop)?;
    let path = idx.with_extension("pack");
    let mut entries: Vec<(u64, ObjectId)> = index.iter().map(|e| (e.pack_offset, e.oid)).collect();
    entries.sort_unstable();
    let end = std::fs::metadata(&path)
        .map_err(drop)?
        .len()
        .saturating_sub(hash.len_in_bytes() as u64);
    let pack = Pack {
        index,
        path,
        entries,
        end,
    };
    let (base, kind) = read_headers(&pack, hash, threads)?;
    let root = family_roots(&base)?;
    let members = parts(&pack, &root, &kind);
    Ok((pack, members))
}

/// A delta's base index for an entry that is a whole object.
const ROOT: u32 = u32::MAX;

/// Each entry's base (its index, or ROOT for a whole object) and the kind of whole objects, from
/// the headers alone, read through a buffer and not the mapping, so the pages are not resident;
/// a stretch of the pack per thread.
fn read_headers(
    pack: &Pack,
    hash: gix::hash::Kind,
    threads: usize,
) -> Result<(Vec<u32>, Vec<Option<gix::object::Kind>>), ()> {
    let Pack {
        index, path, entries, ..
    } = pack;
    let n = entries.len();
    let stretch = n.div_ceil(threads).max(1);
    // Per entry: its base's index (ROOT for a whole object) and the kind of a whole object.
    type Header = (u32, Option<gix::object::Kind>);
    let headers: Vec<Result<Vec<Header>, ()>> = (0..n)
        .step_by(stretch)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|from| {
            let to = (from + stretch).min(n);
            let mut reader = BufReader::with_capacity(1 << 16, std::fs::File::open(path).map_err(drop)?);
            let mut pos = 0u64;
            let mut out = Vec::with_capacity(to - from);
            for &(off, _) in &entries[from..to] {
                reader.seek_relative(off as i64 - pos as i64).map_err(drop)?;
                let entry =
                    pack::data::Entry::from_read(&mut reader, off, hash.len_in_bytes()).map_err(drop)?;
                pos = off + entry.header_size() as u64;
                let base_offset = match entry.header {
                    pack::data::entry::Header::OfsDelta { base_distance } => off.checked_sub(base_distance),
                    pack::data::entry::Header::RefDelta { base_id } => {
                        index.lookup(base_id).map(|at| index.pack_offset_at_index(at))
                    }
                    header => {
                        out.push((ROOT, header.as_kind()));
                        continue;
                    }
                };
                let at = base_offset
                    .and_then(|b| entries.binary_search_by_key(&b, |e| e.0).ok())
                    .ok_or(())?;
                out.push((at as u32, None));
            }
            Ok(out)
        })
        .collect();
    let mut base = Vec::with_capacity(n);
    let mut kind = Vec::with_capacity(n);
    for stretch in headers {
        for (b, k) in stretch? {
            base.push(b);
            kind.push(k);
        }
    }
    Ok((base, kind))
}

/// Each entry's family: the whole object its chain starts from. `Err` for a cycle.
fn family_roots(base: &[u32]) -> Result<Vec<u32>, ()> {
    let n = base.len();
    // Bases usually come first in the pack, so most entries take their base's root.
    let mut root = vec![0u32; n];
    for (i, b) in base.iter().enumerate() {
        root[i] = match *b {
            ROOT => i as u32,
            b if (b as usize) < i => root[b as usize],
            _ => {
                let (mut r, mut steps) = (i, 0);
                while base[r] != ROOT {
                    r = base[r] as usize;
                    steps += 1;
                    if steps > n {
                        return Err(()); // a cycle: not a pack git wrote
                    }
                }
                r as u32
            }
        };
    }
    Ok(root)
}

/// The entries of each part, by family: part 0 the commits, then blobs about PART_BYTES a part.
fn parts(pack: &Pack, root: &[u32], kind: &[Option<gix::object::Kind>]) -> Vec<Vec<usize>> {
    let (entries, end, n) = (&pack.entries, pack.end, pack.entries.len());
    let size = |i: usize| {
        entries
            .get(i + 1)
            .map_or(end, |e| e.0)
            .saturating_sub(entries[i].0)
    };
    let mut family_bytes = vec![0u64; n];
    for i in 0..n {
        family_bytes[root[i] as usize] += size(i);
    }
    const NONE: u32 = u32::MAX;
    let mut part_of = vec![NONE; n];
    let (mut parts, mut filled) = (1u32, 0u64);
    for i in 0..n {
        match kind[i] {
            Some(gix::object::Kind::Commit) => part_of[i] = 0,
            Some(gix::object::Kind::Blob) => {
                if filled > PART_BYTES {
                    parts += 1;
                    filled = 0;
                }
                part_of[i] = parts;
                filled += family_bytes[i];
            }
            _ => {}
        }
    }
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); parts as usize + 1];
    for i in 0..n {
        let p = part_of[root[i] as usize];
        if p != NONE {
            members[p as usize].push(i);
        }
    }
    members
}

type DeltaTree = pack::cache::delta::Tree<(u64, Slot)>;

/// Reads the parts, each through a mapping of its own, and hands `keep` each object read (id,
/// what it held, whether it was a delta). A part that cannot be read is left to the walk.
///
/// gix builds a part's delta tree by reading its headers, on one thread; building the next
/// part's tree beside this part's reading was tried and gained nothing measurable on 2 cores
/// (both are busy reading) while holding 20 MB more.
fn read_parts(
    jobs: &[(&Pack, &[usize])],
    hash: gix::hash::Kind,
    threads: usize,
    interrupt: &AtomicBool,
    mut keep: impl FnMut(ObjectId, Read, bool),
) {
    for &(pack, part) in jobs {
        let Ok(tree) = build_tree(pack, part, hash, interrupt) else {
            continue;
        };
        let Ok(slots) = traverse(pack, part, tree, hash, threads, interrupt) else {
            continue;
        };
        for slot in slots {
            keep(slot.id, slot.read, slot.delta);
        }
    }
}

/// The delta tree of the entries `part` (indices into the pack's entries, ascending, whole
/// families).
fn build_tree(
    pack: &Pack,
    part: &[usize],
    hash: gix::hash::Kind,
    interrupt: &AtomicBool,
) -> Result<DeltaTree, ()> {
    let entries = &pack.entries;
    let mut slots: Vec<(u64, Slot)> = Vec::with_capacity(part.len() + 1);
    // gix builds the tree by reading the headers from the pack's first entry onwards, so the
    // first entry must be in every part; where it belongs to another, it is read and ignored.
    if part[0] != 0 {
        slots.push((
            entries[0].0,
            Slot {
                id: entries[0].1,
                delta: false,
                mine: false,
                read: Read::Nothing,
            },
        ));
    }
    slots.extend(part.iter().map(|&i| {
        (
            entries[i].0,
            Slot {
                id: entries[i].1,
                delta: false,
                mine: true,
                read: Read::Nothing,
            },
        )
    }));
    let index = &pack.index;
    pack::cache::delta::Tree::from_offsets_in_pack(
        &pack.path,
        slots.into_iter(),
        &|s: &(u64, Slot)| s.0,
        &|id| Ok(index.lookup(id).map(|at| index.pack_offset_at_index(at))),
        &mut gix::progress::Discard,
        interrupt,
        hash,
    )
    .map_err(drop)
}

/// Reads a part's objects through a mapping of its own, dropped after: the objects it read.
fn traverse(
    pack: &Pack,
    part: &[usize],
    tree: DeltaTree,
    hash: gix::hash::Kind,
    threads: usize,
    interrupt: &AtomicBool,
) -> Result<Vec<Slot>, ()> {
    let data = pack::data::File::at(&pack.path, hash).map_err(drop)?;
    let last = *part.last().ok_or(())?;
    let part_end = pack.entries.get(last + 1).map_or(pack.end, |e| e.0);
    let outcome = tree
        .traverse(
            |range, data: &pack::data::File| data.entry_slice(range),
            &data,
            part_end,
            move |(_, slot): &mut (u64, Slot),
                  _: &dyn gix::Progress,
                  ctx: pack::cache::delta::traverse::Context<'_>| {
                if slot.mine {
                    slot.read = read_object(ctx.entry.header.as_kind(), ctx.decompressed, hash);
                    slot.delta = ctx.level > 0;
                }
                Ok(())
            },
            pack::cache::delta::traverse::Options {
                object_progress: Box::new(gix::progress::Discard),
                size_progress: &mut gix::progress::Discard,
                thread_limit: Some(threads),
                should_interrupt: interrupt,
                object_hash: hash,
                alloc_limit_bytes: None,
            },
        )
        .map_err(drop)?;
    drop(data);
    Ok(outcome
        .roots
        .into_iter()
        .chain(outcome.children)
        .map(|item| item.data.1)
        .filter(|slot| !matches!(slot.read, Read::Nothing))
        .collect())
}

impl Preread {
    /// Keeps a blob's scan (commits go to the caller's map).
    fn keep(&mut self, id: ObjectId, read: Read) {
        if let Read::Blob(scan) = read {
            self.blobs.insert(id);
            if let Some(scan) = scan {
                self.scanned.insert(id, *scan);
            }
        }
    }
}

fn read_object(kind: Option<gix::object::Kind>, data: &[u8], hash: gix::hash::Kind) -> Read {
    match kind {
        Some(gix::object::Kind::Commit) => {
            let Ok(commit) = gix::objs::CommitRef::from_bytes(data, hash) else {
                return Read::Nothing; // the walk reads it again and says what is wrong
            };
            Read::Commit(Box::new(PackedCommit {
                tree: commit.tree(),
                parents: commit.parents().collect(),
                time: commit.time().map_or(0, |t| t.seconds),
            }))
        }
        Some(gix::object::Kind::Blob) => {
            let Some(wanted) = detect::candidate(data) else {
                return Read::Blob(None);
            };
            let scan = BlobScan {
                findings: detect::scan_candidate("", data, wanted),
                generators: generators::generator_files(data),
            };
            let empty = scan.findings.is_empty() && scan.generators.is_empty();
            Read::Blob((!empty).then(|| Box::new(scan)))
        }
        _ => Read::Nothing,
    }
}
