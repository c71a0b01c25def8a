//! Step 1: the commits of every ref (or of a range) in history order, and the refs that reach a
//! commit.

use std::collections::{BinaryHeap, HashSet};
use std::sync::Arc;

use gix::ObjectId;

use super::preread::PackedCommits;
use super::store::git_error;
use kseal_core::error::Error;

/// Where a blob was first seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Origin {
    /// The index of a commit in history order.
    Commit(u32),
    /// A ref that points (through tags) at a tree or blob, not a commit: `Commits::object_tips`.
    Ref(u32),
    /// No commit or ref reaches it (`--include-unreachable`).
    Unreachable,
}

/// The commits to scan, in history order, and what the walk met at its edges.
#[derive(Default)]
pub(super) struct Commits {
    pub ids: Vec<ObjectId>,
    pub trees: Vec<ObjectId>,
    /// Per commit, its parents' indices (parents outside the walk are left out).
    pub parents: Vec<Vec<u32>>,
    /// Refs that point at commits: (name, commit index).
    pub tips: Vec<(String, u32)>,
    /// Refs that point at a tree or blob: (name, object id).
    pub object_tips: Vec<(String, ObjectId)>,
    /// A range's boundary: parents outside it, whose content is not new.
    pub boundary: Vec<ObjectId>,
    /// Shallow boundary commits (their parents are not in the clone).
    pub shallow: Vec<ObjectId>,
    /// Commits that could not be read (not shallow): `(what, id)`.
    pub unreadable: Vec<(String, ObjectId)>,
}

impl Commits {
    /// Per commit, its children's indices.
    pub fn children(&self) -> Vec<Vec<u32>> {
        let mut children: Vec<Vec<u32>> = vec![Vec::new(); self.ids.len()];
        for (c, ps) in self.parents.iter().enumerate() {
            for p in ps {
                children[*p as usize].push(c as u32);
            }
        }
        children
    }
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

/// A commit met by the walk: id, tree, parents, committer time.
struct WalkedCommit {
    id: ObjectId,
    tree: ObjectId,
    parents: Vec<ObjectId>,
    time: i64,
}

/// Walks the commits from `tips` (minus `hidden` and its ancestors) and orders them: parents
/// before children (Kahn's algorithm), the oldest committer time first among those ready.
fn collect_commits(
    repo: &gix::Repository,
    packed: &PackedCommits,
    tips: Vec<(String, ObjectId)>,
    hidden: Option<ObjectId>,
) -> Result<Commits, Error> {
    let hidden = hidden.map(|h| ancestors(repo, packed, h)).unwrap_or_default();
    let mut out = Commits::default();
    let mut commit_tips = Vec::new();
    for (name, id) in tips {
        match peel(repo, packed, id) {
            Ok((gix::object::Kind::Commit, id)) => commit_tips.push((name, id)),
            Ok((_, id)) => out.object_tips.push((name, id)),
            Err(id) => out.unreadable.push((format!("({name})"), id)),
        }
    }
    let starts = commit_tips.iter().map(|(_, id)| *id).collect();
    let (walked, index) = walk_commits(repo, packed, starts, &hidden, &mut out)?;
    let order = order_commits(&walked, &index, &mut out);
    out.tips = commit_tips
        .into_iter()
        .filter_map(|(name, id)| Some((name, order[*index.get(&id)? as usize])))
        .collect();
    Ok(out)
}

/// Every commit reachable from `stack` and not `hidden`, in the order met, with each one's place
/// in that list. Fills `out`'s shallow boundary, range boundary and unreadable commits.
fn walk_commits(
    repo: &gix::Repository,
    packed: &PackedCommits,
    mut stack: Vec<ObjectId>,
    hidden: &HashSet<ObjectId>,
    out: &mut Commits,
) -> Result<(Vec<WalkedCommit>, gix::hashtable::HashMap<ObjectId, u32>), Error> {
    let shallow: HashSet<ObjectId> = repo
        .shallow_commits()
        .ok()
        .flatten()
        .map(|c| c.iter().copied().collect())
        .unwrap_or_default();
    // Not in a shallow clone: git keeps no commit-graph there, and a stale one would list parents
    // the clone does not have.
    let graph = if shallow.is_empty() {
        repo.commit_graph_if_enabled().ok().flatten()
    } else {
        None
    };
    let mut walked: Vec<WalkedCommit> = Vec::new();
    // Object ids are already uniform: gix's tables hash them by their first bytes, not SipHash.
    let mut index: gix::hashtable::HashMap<ObjectId, u32> = Default::default();
    let mut boundary = HashSet::new();
    // Many refs point at one commit (HEAD and its branch, a remote's copy): each is walked once.
    let mut queued: gix::hashtable::HashSet<ObjectId> = Default::default();
    stack.retain(|id| queued.insert(*id));
    while let Some(id) = stack.pop() {
        if hidden.contains(&id) {
            continue;
        }
        let Some((tree, time, mut parents)) = commit_info(repo, packed, graph.as_ref(), id)? else {
            out.unreadable.push(("(commit)".into(), id));
            continue;
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
        walked.push(WalkedCommit {
            id,
            tree,
            parents,
            time,
        });
    }
    out.boundary = boundary.into_iter().collect();
    Ok((walked, index))
}

/// A commit's tree, committer time and parents; `None` if it cannot be read. The read-ahead has
/// nearly every commit; else the commit-graph file, when git wrote one (`git gc`, `git
/// commit-graph write`), has them without decompressing the commit: 10x faster than reading it.
fn commit_info(
    repo: &gix::Repository,
    packed: &PackedCommits,
    graph: Option<&gix::commitgraph::Graph>,
    id: ObjectId,
) -> Result<Option<(ObjectId, i64, Vec<ObjectId>)>, Error> {
    if let Some(c) = packed.get(&id) {
        return Ok(Some((c.tree, c.time, c.parents.clone())));
    }
    let from_graph = graph.and_then(|g| {
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
    });
    if from_graph.is_some() {
        return Ok(from_graph);
    }
    let Ok(commit) = repo.find_commit(id) else {
        return Ok(None);
    };
    let tree = commit
        .tree_id()
        .map_err(|e| git_error("reading a commit", e))?
        .detach();
    let time = commit.time().map_or(0, |t| t.seconds);
    Ok(Some((
        tree,
        time,
        commit.parent_ids().map(|p| p.detach()).collect(),
    )))
}

/// Puts the walked commits in `out` in history order (Kahn: a commit is ready when all its walked
/// parents are placed; the oldest committer time, then the id, first among the ready), with their
/// parents as indices in that order. Returns each walked commit's place in it.
fn order_commits(
    walked: &[WalkedCommit],
    index: &gix::hashtable::HashMap<ObjectId, u32>,
    out: &mut Commits,
) -> Vec<u32> {
    let mut waiting: Vec<usize> = walked
        .iter()
        .map(|w| w.parents.iter().filter(|p| index.contains_key(*p)).count())
        .collect();
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); walked.len()];
    for (i, w) in walked.iter().enumerate() {
        for p in w.parents.iter().filter_map(|p| index.get(p)) {
            children[*p as usize].push(i as u32);
        }
    }
    let mut ready: BinaryHeap<std::cmp::Reverse<(i64, ObjectId, u32)>> = waiting
        .iter()
        .enumerate()
        .filter(|(_, w)| **w == 0)
        .map(|(i, _)| std::cmp::Reverse((walked[i].time, walked[i].id, i as u32)))
        .collect();
    let mut order = vec![u32::MAX; walked.len()];
    while let Some(std::cmp::Reverse((_, _, i))) = ready.pop() {
        order[i as usize] = out.ids.len() as u32;
        out.ids.push(walked[i as usize].id);
        out.trees.push(walked[i as usize].tree);
        for &c in &children[i as usize] {
            waiting[c as usize] -= 1;
            if waiting[c as usize] == 0 {
                let w = &walked[c as usize];
                ready.push(std::cmp::Reverse((w.time, w.id, c)));
            }
        }
    }
    out.parents = vec![Vec::new(); out.ids.len()];
    for (i, w) in walked.iter().enumerate() {
        out.parents[order[i] as usize] = w
            .parents
            .iter()
            .filter_map(|p| index.get(p))
            .map(|p| order[*p as usize])
            .collect();
    }
    order
}

/// The commits of every ref, or of `A..B`.
pub(super) fn resolve_commits(
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

/// Per set of commits in `froms`, the refs whose history reaches one of them. One forward sweep
/// over history order (parents come before children) per 64 sets, a bit per set carried from
/// each commit to its children: one breadth-first walk per finding cost helm/charts 0.25 s
/// (560 findings, each reaching most of 118k commits); the sweeps cost 9 passes.
pub(super) fn refs_reaching(commits: &Commits, froms: &[Vec<u32>]) -> Vec<Vec<Arc<str>>> {
    let mut refs: Vec<Vec<Arc<str>>> = vec![Vec::new(); froms.len()];
    let mut reach = vec![0u64; commits.ids.len()];
    // Tips by name, so each list is built sorted: sorting helm/charts' lists (19,794 refs, most
    // `refs/pull/N/head`, 4,300 a finding) cost more than the sweeps.
    let mut tips: Vec<(Arc<str>, u32)> = commits
        .tips
        .iter()
        .map(|(n, c)| (n.as_str().into(), *c))
        .collect();
    tips.sort();
    tips.dedup_by(|a, b| a.0 == b.0);
    for (batch, sets) in froms.chunks(64).enumerate() {
        reach.iter_mut().for_each(|r| *r = 0);
        for (bit, from) in sets.iter().enumerate() {
            for c in from {
                reach[*c as usize] |= 1 << bit;
            }
        }
        for c in 0..reach.len() {
            let inherited = commits.parents[c]
                .iter()
                .fold(0, |acc, p| acc | reach[*p as usize]);
            reach[c] |= inherited;
        }
        for (name, tip) in &tips {
            let mut bits = reach[*tip as usize];
            while bits != 0 {
                refs[batch * 64 + bits.trailing_zeros() as usize].push(Arc::clone(name));
                bits &= bits - 1;
            }
        }
    }
    refs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::testrepo::Repo;

    #[test]
    fn parents_come_before_children_whatever_the_clocks_say() {
        let Some(r) = Repo::new() else { return };
        let a = r.commit(&[("a", "1")], 2_000);
        // The child's clock is behind its parent's; the side branch's is between.
        let b = r.commit(&[("b", "1")], 1_000);
        r.git(&["checkout", "-q", "-b", "side", &a.to_string()], 0);
        let c = r.commit(&[("c", "1")], 1_500);
        let repo = r.open();
        let commits = resolve_commits(&repo, &PackedCommits::default(), None).unwrap();
        assert_eq!(
            commits.ids,
            vec![a, b, c],
            "parent first, then the ready ones oldest first"
        );
        assert_eq!(commits.parents, vec![vec![], vec![0], vec![0]]);
        assert_eq!(commits.children(), vec![vec![1, 2], vec![], vec![]]);
        let mut tips = commits.tips.clone();
        tips.sort();
        assert_eq!(
            tips,
            vec![
                ("HEAD".to_string(), 2),
                ("refs/heads/main".to_string(), 1),
                ("refs/heads/side".to_string(), 2)
            ]
        );
        assert!(commits.boundary.is_empty() && commits.shallow.is_empty());
        let refs = refs_reaching(&commits, &[vec![0], vec![1], vec![2], vec![1, 2], vec![]]);
        assert_eq!(refs[0].len(), 3);
        assert_eq!(refs[1], vec!["refs/heads/main".into()]);
        assert_eq!(refs[2], vec!["HEAD".into(), "refs/heads/side".into()]);
        assert_eq!(refs[3].len(), 3);
        assert!(refs[4].is_empty());
    }

    #[test]
    fn a_range_stops_at_its_boundary_and_peels_tags() {
        let Some(r) = Repo::new() else { return };
        let a = r.commit(&[("a", "1")], 1_000);
        r.git(&["tag", "-a", "-m", "v1", "v1"], 1_000);
        let b = r.commit(&[("a", "2")], 2_000);
        let c = r.commit(&[("a", "3")], 3_000);
        let repo = r.open();
        let commits = resolve_commits(&repo, &PackedCommits::default(), Some("v1..HEAD")).unwrap();
        assert_eq!(commits.ids, vec![b, c]);
        assert_eq!(commits.boundary, vec![a]);
        let e = resolve_commits(&repo, &PackedCommits::default(), Some("v1"))
            .err()
            .unwrap();
        assert!(e.to_string().contains("expected A..B"), "{e}");
        let tree = r.id("HEAD^{tree}").to_string();
        r.git(&["tag", "files", &tree], 0);
        let e = resolve_commits(&repo, &PackedCommits::default(), Some("files..HEAD"))
            .err()
            .unwrap();
        assert!(e.to_string().contains("is a tree, not a commit"), "{e}");
    }

    #[test]
    fn refs_to_trees_are_kept_apart_and_replace_refs_left_out() {
        let Some(r) = Repo::new() else { return };
        let a = r.commit(&[("a", "1")], 1_000);
        let b = r.commit(&[("a", "2")], 2_000);
        let tree = r.id("HEAD^{tree}");
        r.git(&["tag", "files", &tree.to_string()], 0);
        r.git(&["replace", &b.to_string(), &a.to_string()], 0);
        let repo = r.open();
        let commits = resolve_commits(&repo, &PackedCommits::default(), None).unwrap();
        assert_eq!(commits.ids, vec![a, b], "the replaced commit is scanned");
        assert_eq!(commits.object_tips, vec![("refs/tags/files".to_string(), tree)]);
    }
}
