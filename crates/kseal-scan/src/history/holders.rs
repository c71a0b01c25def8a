//! Step 4: findings grouped by Secret and values, the commits that hold each group, and which of
//! them are still at HEAD.

use std::collections::{BTreeSet, HashMap};

use gix::ObjectId;
use rayon::prelude::*;

use super::blobs::Found;
use super::commits::{Commits, Origin};
use super::store::{blobs_at_paths, own_store, Lookup};
use super::tree_reader::TreeReader;
use super::trees::{walk_tree, Known, Walked};
use crate::Finding;
use crate::ValueId;
use kseal_core::error::Error;

/// A group of findings of the same Secret with the same values: the earliest, and every
/// `(path, blob)` that holds it.
pub(super) struct Group {
    pub origin: Origin,
    pub finding: Finding,
    pub holders: BTreeSet<(String, ObjectId)>,
}

/// What makes findings the same: the Secret, the class and the values.
pub(super) type GroupKey = (
    crate::Source,
    crate::Class,
    Option<String>,
    Option<String>,
    BTreeSet<(String, ValueId)>,
);

pub(super) fn group_key(f: &Finding) -> GroupKey {
    let values = f.keys.iter().map(|k| (k.key.clone(), k.value)).collect();
    (f.source, f.class, f.namespace.clone(), f.name.clone(), values)
}

/// Step 4a: the same Secret with the same values survives in many blobs as a file is edited;
/// keep the earliest sighting of each, in history order, and where else it is.
pub(super) fn group(found: Vec<Found>) -> Vec<Group> {
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

/// Commits whose trees are looked up through one object store before it is dropped.
const COMMITS_PER_STORE: usize = 8192;

/// Step 4b: for each `needed` group, the commits whose tree holds one of its blobs at its path.
/// Each commit's tree is read once for all groups, in parallel. (The walk already knows this for
/// the groups found before it, in the packs.)
pub(super) fn holding_commits(
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
    let n = commits.ids.len();
    let concurrent = concurrent_commits(commits, children, groups, &wanted);
    let sync = repo.clone().into_sync();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| Error::internal(format!("starting threads: {e}"), e))?;
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
            "kseal: profile: {} groups, {} paths (first: {:?}), {checked} of {n} commits looked at",
            wanted.len(),
            paths.len(),
            paths.iter().take(3).collect::<Vec<_>>()
        );
    }
    for (g, c) in hits {
        holders[g].push(c);
    }
    Ok(holders)
}

/// Per wanted group, a bitset of the commits that need a look. Only commits neither before nor
/// after the introducing one do: its ancestors come earlier in history order, so none holds the
/// content (or the group would start there), and whatever reaches a descendant reaches the
/// introducing commit too.
fn concurrent_commits(
    commits: &Commits,
    children: &[Vec<u32>],
    groups: &[Group],
    wanted: &[usize],
) -> HashMap<usize, Vec<u64>> {
    let n = commits.ids.len();
    let words = n.div_ceil(64);
    wanted
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
        .collect()
}

/// Step 4c: HEAD's findings, by key and value, with the path HEAD holds each at.
pub(super) fn head_keys(repo: &gix::Repository, found: &[Found]) -> HashMap<(String, ValueId), String> {
    let mut out = HashMap::new();
    let Ok(tree) = repo.head_tree_id() else {
        return out;
    };
    let mut walked = Walked::default();
    walk_tree(
        &mut TreeReader::plain(repo),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::commits::resolve_commits;
    use crate::history::preread::PackedCommits;
    use crate::history::testrepo::Repo;

    const SECRET: &str =
        "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: Xk9mQ2vLp8wRt5zA}\n";

    #[test]
    fn commits_outside_the_introducing_line_that_hold_the_same_blob_are_found() {
        let Some(r) = Repo::new() else { return };
        r.commit(&[("s.yaml", SECRET)], 1_000);
        r.commit(&[("other", "1")], 2_000);
        // An unrelated root commit with the same file: neither ancestor nor descendant of the
        // first, so it is looked at; the descendant on main is not (it reaches the first).
        r.git(&["checkout", "-q", "--orphan", "copy"], 0);
        r.git(&["rm", "-q", "-r", "--cached", "."], 0);
        r.commit(&[("s.yaml", SECRET), ("unrelated", "x")], 5_000);
        let repo = r.open();
        let commits = resolve_commits(&repo, &PackedCommits::default(), None).unwrap();
        assert_eq!(commits.ids.len(), 3);
        let blob = r.blob("HEAD:s.yaml");
        let found: Vec<Found> = crate::scan_bytes("s.yaml", SECRET.as_bytes())
            .into_iter()
            .map(|f| (blob, Origin::Commit(0), f))
            .collect();
        assert_eq!(found.len(), 1);
        let groups = group(found);
        let holders = holding_commits(&repo, &commits, &commits.children(), &groups, &[true], 2).unwrap();
        assert_eq!(holders, vec![vec![2]]);
        let none = holding_commits(&repo, &commits, &commits.children(), &groups, &[false], 2).unwrap();
        assert_eq!(
            none,
            vec![Vec::<u32>::new()],
            "groups the walk answered are not looked up"
        );
    }

    #[test]
    fn the_same_values_in_many_blobs_are_one_group_kept_at_the_earliest() {
        let later = crate::scan_bytes(
            "b.yaml",
            SECRET
                .replace("{name: db}", "{name: db, labels: {a: b}}")
                .as_bytes(),
        );
        let first = crate::scan_bytes("a.yaml", SECRET.as_bytes());
        let other = crate::scan_bytes("c.yaml", SECRET.replace("Xk9m", "Zz9m").as_bytes());
        let (x, y, z) = (
            ObjectId::null(gix::hash::Kind::Sha1),
            ObjectId::empty_blob(gix::hash::Kind::Sha1),
            ObjectId::empty_tree(gix::hash::Kind::Sha1),
        );
        let found = vec![
            (y, Origin::Commit(5), later[0].clone()),
            (x, Origin::Commit(2), first[0].clone()),
            (z, Origin::Commit(1), other[0].clone()),
        ];
        let groups = group(found);
        assert_eq!(groups.len(), 2, "another value is another group");
        assert_eq!(
            (groups[0].origin, groups[0].finding.path.as_str()),
            (Origin::Commit(1), "c.yaml")
        );
        assert_eq!(
            (groups[1].origin, groups[1].finding.path.as_str()),
            (Origin::Commit(2), "a.yaml")
        );
        let holders: Vec<&str> = groups[1].holders.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(holders, vec!["a.yaml", "b.yaml"]);
    }
}
