//! Reading trees for the walk: from the packs, with every delta base on a chain kept.
//!
//! git stores the newest version of a tree whole and the older ones as deltas against newer
//! ones, in chains up to `pack.depth` long, and the walk reads history oldest first: the first
//! tree it asks for is at the far end of its chain. gix's object lookup resolves a chain from
//! its base and caches only the object asked for, so each older tree inflated its chain again:
//! on the shaped history repacked with depth 10, inflating was half of all CPU time and the
//! tree walk took 4.4 CPU-seconds where `git rev-list --objects --all` (whose cache keeps
//! every base it resolves) walks the same trees in 1.6 s. Here each tree of the chain is
//! resolved once, from the base up, each put in the cache as it is made: the trees asked for
//! next, the newer versions, are then in the cache, or one delta away from it.
//!
//! The decoding itself is gix's (`pack::data::File::decode_entry`); what is ours is the order.
//! What is not in this repository's own packs (loose trees, alternates), or cannot be read
//! here, is read through the repository as before.

use std::path::PathBuf;

use gix::odb::pack;
use gix::odb::pack::cache::DecodeEntry;
use gix::ObjectId;

/// Bytes of resolved trees kept per walker: the deltaBaseCacheLimit the repositories are opened
/// with (store.rs).
const CACHE_BYTES: usize = 8 << 20;

/// Longer chains than git makes (`pack.depth` is at most 4095) are a corrupt pack's cycle.
const MAX_CHAIN: usize = 4096;

/// The cache a walker keeps from one stretch of commits to the next (the packs' mappings are
/// dropped between stretches; the pack ids the cache is keyed by stay the same): gix's, and a
/// note of what was put in it. The chain walk asks at every level whether an entry is cached,
/// and gix's cache can only answer that by copying the entry out, which where chains are short
/// (the shaped history as `git gc` leaves it: nearly every tree one delta from a cached one)
/// made reading slower than gix's own lookup. The note is a table of the last entries put, by
/// offset: it can name an entry the cache has since evicted, and then gix resolves that
/// entry's chain itself, as it would have without this reader.
pub(super) struct TreeCache {
    lru: pack::cache::lru::MemoryCappedHashmap,
    put: Box<[(u32, u64)]>,
}

/// Slots of [`TreeCache::put`]: more than the entries 8 MiB of trees makes.
const NOTED: usize = 1 << 14;

impl Default for TreeCache {
    fn default() -> Self {
        Self::with_bytes(CACHE_BYTES)
    }
}

impl TreeCache {
    fn with_bytes(bytes: usize) -> Self {
        TreeCache {
            lru: pack::cache::lru::MemoryCappedHashmap::new(bytes),
            put: vec![(u32::MAX, 0); NOTED].into(),
        }
    }

    fn slot(offset: u64) -> usize {
        // Offsets in a pack are spread but not uniformly in their low bits; mix them.
        (offset.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 50) as usize % NOTED
    }

    /// Whether the entry was put in the cache, and most likely still is.
    fn noted(&self, pack: u32, offset: u64) -> bool {
        self.put[Self::slot(offset)] == (pack, offset)
    }
}

impl DecodeEntry for TreeCache {
    fn put(&mut self, pack: u32, offset: u64, data: &[u8], kind: gix::object::Kind, compressed_size: usize) {
        self.lru.put(pack, offset, data, kind, compressed_size);
        self.put[Self::slot(offset)] = (pack, offset);
    }

    fn get(&mut self, pack: u32, offset: u64, out: &mut Vec<u8>) -> Option<(gix::object::Kind, usize)> {
        self.lru.get(pack, offset, out)
    }
}

/// Reads trees through one stretch of work's mappings of the packs.
pub(super) struct TreeReader {
    repo: gix::Repository,
    packs: Vec<(pack::index::File, pack::data::File)>,
    cache: TreeCache,
    inflate: gix::zlib::Inflate,
    chain: Vec<pack::data::Entry>,
    out: Vec<u8>,
}

impl TreeReader {
    /// A reader over `indices` (from [`pack_indices`]), keeping `cache`; `repo` answers what
    /// they do not hold.
    pub fn new(repo: gix::Repository, indices: &[PathBuf], cache: TreeCache) -> Self {
        let hash = repo.object_hash();
        let packs = indices
            .iter()
            .filter_map(|idx| {
                let index = pack::index::File::at(idx, hash).ok()?;
                let data = pack::data::File::at(idx.with_extension("pack"), hash).ok()?;
                Some((index, data))
            })
            .collect();
        TreeReader {
            repo,
            packs,
            cache,
            inflate: Default::default(),
            chain: Vec::new(),
            out: Vec::new(),
        }
    }

    /// A reader for a walk of a few trees (HEAD's, a ref's): through the repository only.
    pub fn plain(repo: &gix::Repository) -> Self {
        Self::new(repo.clone(), &[], TreeCache::default())
    }

    /// The cache, for the reader of the next stretch.
    pub fn into_cache(self) -> TreeCache {
        self.cache
    }

    pub fn repo(&self) -> &gix::Repository {
        &self.repo
    }

    /// The tree's bytes, or `None` if it cannot be read (or is not a tree).
    pub fn tree(&mut self, id: &ObjectId) -> Option<&[u8]> {
        let packed = self
            .packs
            .iter()
            .enumerate()
            .find_map(|(p, (index, _))| index.lookup(id).map(|i| (p, index.pack_offset_at_index(i))));
        let from_pack = packed
            .is_some_and(|(p, offset)| self.resolve_in_pack(p, offset) == Some(gix::object::Kind::Tree));
        if !from_pack {
            let object = self.repo.find_object(*id).ok()?;
            if object.kind != gix::object::Kind::Tree {
                return None;
            }
            self.out.clear();
            self.out.extend_from_slice(&object.data);
        }
        Some(&self.out)
    }

    /// Resolves the object at `offset` in pack `p` into `self.out`: its kind, or `None` when the
    /// pack cannot give it (the caller then reads it through the repository).
    fn resolve_in_pack(&mut self, p: usize, offset: u64) -> Option<gix::object::Kind> {
        let (index, data) = &self.packs[p];
        let cache = &mut self.cache;
        let offset_of = |id: &gix::hash::oid| index.lookup(id).map(|i| index.pack_offset_at_index(i));
        let resolve = |id: &gix::hash::oid, _: &mut Vec<u8>| {
            Ok(offset_of(id)
                .and_then(|o| data.entry(o).ok())
                .map(pack::data::decode::entry::ResolvedBase::InPack))
        };
        // The chain from the object down to the first entry that is cached or whole.
        self.chain.clear();
        let mut entry = data.entry(offset).ok()?;
        let cached = loop {
            if cache.noted(data.id, entry.data_offset) {
                break true;
            }
            let base = match entry.header {
                pack::data::entry::Header::OfsDelta { base_distance } => {
                    entry.checked_base_pack_offset(base_distance)?
                }
                pack::data::entry::Header::RefDelta { base_id } => offset_of(&base_id)?,
                _ => break false,
            };
            self.chain.push(entry);
            if self.chain.len() > MAX_CHAIN {
                return None; // a cycle: not a pack git wrote; gix's lookup says what is wrong
            }
            entry = data.entry(base).ok()?;
        };
        if self.chain.is_empty() {
            if let Some((kind, _)) = cached
                .then(|| cache.get(data.id, entry.data_offset, &mut self.out))
                .flatten()
            {
                return Some(kind);
            }
            // Whole, or evicted since: gix resolves it.
            let outcome = data
                .decode_entry(entry, &mut self.out, &mut self.inflate, &resolve, cache)
                .ok()?;
            return Some(outcome.kind);
        }
        if !cached {
            // The whole object at the chain's end: decoded, and kept as the first base.
            let at = entry.data_offset;
            let outcome = data
                .decode_entry(entry, &mut self.out, &mut self.inflate, &resolve, cache)
                .ok()?;
            cache.put(data.id, at, &self.out, outcome.kind, outcome.compressed_size);
        }
        // Each delta on the way up finds its base in the cache (or, evicted, gix resolves its
        // chain), and is put there itself.
        let mut kind = None;
        while let Some(delta) = self.chain.pop() {
            let outcome = data
                .decode_entry(delta, &mut self.out, &mut self.inflate, &resolve, cache)
                .ok()?;
            kind = Some(outcome.kind);
        }
        kind
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::testrepo::Repo;

    /// Trees in delta chains (a folder of 40 files, one changed per commit, repacked with short
    /// chains), one loose tree after the repack, and a blob.
    fn chained() -> Option<(Repo, Vec<ObjectId>, ObjectId)> {
        let r = Repo::new()?;
        let files: Vec<(String, String)> = (0..40)
            .map(|i| (format!("dir/f{i:02}"), format!("v0 {i}")))
            .collect();
        let refs: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
        r.commit(&refs, 1_000);
        for n in 1..30 {
            let content = format!("v{n}");
            r.commit(&[(&format!("dir/f{:02}", n % 40), &content)], 1_000 + n);
        }
        r.git(&["repack", "-q", "-adf", "--depth=4", "--window=50"], 0);
        r.commit(&[("dir/f00", "after the repack")], 2_000);
        let listed = r.git(&["rev-list", "--objects", "--all", "--reverse"], 0);
        let trees: Vec<ObjectId> = listed
            .lines()
            .map(|l| ObjectId::from_hex(&l.as_bytes()[..40]).unwrap())
            .filter(|id| r.git(&["cat-file", "-t", &id.to_string()], 0) == "tree")
            .collect();
        let blob = r.blob("HEAD:dir/f01");
        Some((r, trees, blob))
    }

    #[test]
    fn every_tree_reads_as_git_has_it_in_any_order_and_cache_size() {
        let Some((r, trees, blob)) = chained() else { return };
        let repo = r.open();
        // The repack made chains (a tree at depth 2 or more), or this would test nothing.
        let pack = crate::history::store::pack_indices(&repo);
        let verify = r.git(&["verify-pack", "-v", pack[0].to_str().unwrap()], 0);
        assert!(
            verify.lines().any(|l| l.contains(" tree ")
                && l.split_whitespace().nth(5).and_then(|d| d.parse::<u32>().ok()) >= Some(2)),
            "{verify}"
        );
        let want = |id: &ObjectId| repo.find_object(*id).unwrap().data.clone();
        let mut newest_first = trees.clone();
        newest_first.reverse();
        for order in [&trees, &newest_first] {
            for bytes in [CACHE_BYTES, 300] {
                let mut reader = TreeReader::new(repo.clone(), &pack, TreeCache::with_bytes(bytes));
                for id in order {
                    assert_eq!(reader.tree(id).map(<[u8]>::to_vec), Some(want(id)), "tree {id}");
                }
                assert_eq!(reader.tree(&blob), None, "a blob is not a tree");
            }
        }
        // The tree made after the repack is loose: read through the repository.
        let loose = r.id("HEAD:dir");
        let mut reader = TreeReader::new(repo.clone(), &pack, TreeCache::default());
        assert_eq!(reader.tree(&loose).map(<[u8]>::to_vec), Some(want(&loose)));
        assert_eq!(
            TreeReader::plain(&repo).tree(&loose).map(<[u8]>::to_vec),
            Some(want(&loose))
        );
    }
}
