//! Opening the repository, and the object stores each stretch of work reads through; reading
//! blobs by path in a tree.

use std::collections::HashMap;
use std::path::Path;

use gix::ObjectId;

use kseal_core::error::{Error, Location};

pub(crate) fn git_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::input(Location::default(), format!("{what}: {e}"))
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
pub(super) fn own_store(repo: &gix::ThreadSafeRepository) -> gix::Repository {
    let open = gix::open::Options::default().config_overrides(OPEN_OVERRIDES);
    gix::ThreadSafeRepository::open_opts(repo.git_dir(), open)
        .map(gix::Repository::from)
        .unwrap_or_else(|_| repo.to_thread_local())
}

/// The index files of the repository's own packs (each with its `.pack`), sorted.
pub(super) fn pack_indices(repo: &gix::Repository) -> Vec<std::path::PathBuf> {
    let dir = repo.objects.store_ref().path().join("pack");
    let mut indices: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "idx") && p.with_extension("pack").is_file())
        .collect();
    indices.sort();
    indices
}

/// A path looked up in many commits' trees: `(index, components)`.
pub(super) type Lookup<'a> = (usize, Vec<&'a str>);
pub(super) type Lookups<'a> = [Lookup<'a>];

/// The blobs at several paths under `tree` (`found[index]`), reading each tree on the way once
/// for all of them. Below the root, answers are memoized per (tree, path): subtrees are shared
/// by many commits, so most lookups stop at the first level; root trees are not memoized, as
/// nearly every commit has its own.
pub(super) fn blobs_at_paths(
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

/// The content of the blob at `path` under `tree`, if there is one.
pub(crate) fn file_in_tree(repo: &gix::Repository, tree: ObjectId, path: &str) -> Option<Vec<u8>> {
    let mut at = [None];
    let lookup = [(0, path.split('/').collect())];
    blobs_at_paths(repo, tree, 0, &lookup, &mut HashMap::new(), &mut at);
    repo.find_object(at[0]?).ok().map(|o| o.detach().data)
}

/// The files under `dir` (a folder path ending in `/`) in `tree`, with their content; none when
/// the folder is not there or cannot be walked. Blobs that cannot be read (a partial clone) are
/// left out.
pub(crate) fn files_under(repo: &gix::Repository, tree: ObjectId, dir: &str) -> Vec<(String, Vec<u8>)> {
    let folder = repo
        .find_tree(tree)
        .ok()
        .and_then(|t| t.lookup_entry_by_path(dir.trim_end_matches('/')).ok().flatten())
        .filter(|e| e.mode().is_tree())
        .and_then(|e| repo.find_tree(e.oid()).ok());
    let Some(entries) = folder.and_then(|f| f.traverse().breadthfirst.files().ok()) else {
        return Vec::new();
    };
    entries
        .into_iter()
        .filter(|e| e.mode.is_blob())
        .filter_map(|e| {
            Some((
                format!("{dir}{}", e.filepath),
                repo.find_object(e.oid).ok()?.detach().data,
            ))
        })
        .collect()
}

/// The content of `path` in HEAD's tree, if there is one.
pub fn file_at_head(repo: &gix::Repository, path: &str) -> Option<Vec<u8>> {
    file_in_tree(repo, repo.head_tree_id().ok()?.detach(), path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::testrepo::Repo;

    #[test]
    fn blobs_are_found_by_path_in_a_tree() {
        let Some(r) = Repo::new() else { return };
        r.commit(&[("a/b/c.yaml", "one"), ("a/d", "two"), ("e", "three")], 1_000);
        let repo = r.open();
        let tree = r.id("HEAD^{tree}");
        assert_eq!(
            file_in_tree(&repo, tree, "a/b/c.yaml").as_deref(),
            Some(&b"one"[..])
        );
        assert_eq!(file_at_head(&repo, "e").as_deref(), Some(&b"three"[..]));
        assert_eq!(file_in_tree(&repo, tree, "a/b"), None, "a folder is not a file");
        assert_eq!(file_in_tree(&repo, tree, "a/d/x"), None, "below a file");
        assert_eq!(file_in_tree(&repo, tree, "a/missing"), None);
        // Several paths at once, through the memo, as holding_commits asks.
        let lookups: Vec<Lookup<'_>> =
            vec![(0, vec!["a", "b", "c.yaml"]), (1, vec!["a", "d"]), (2, vec!["x"])];
        let mut found = vec![None; 3];
        let mut memo = HashMap::new();
        blobs_at_paths(&repo, tree, 0, &lookups, &mut memo, &mut found);
        assert_eq!(
            found,
            vec![Some(r.blob("HEAD:a/b/c.yaml")), Some(r.blob("HEAD:a/d")), None]
        );
        assert!(!memo.is_empty(), "answers below the root are kept");
    }

    #[test]
    fn a_folder_that_is_not_a_repository_is_an_input_error() {
        let dir = tempfile::tempdir().unwrap();
        let e = open_repo(dir.path()).err().unwrap();
        assert!(e.to_string().contains("not a git repository"), "{e}");
    }
}
