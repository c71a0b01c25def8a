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
//!    Trees are read from the packs by `tree_reader`, which resolves each delta chain from its
//!    base up, keeping every tree on the way: history is read oldest first, and git deltifies
//!    older trees against newer ones.
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

mod blobs;
mod commits;
mod holders;
pub(crate) mod preread;
pub(crate) mod store;
mod tree_reader;
mod trees;

use std::sync::Mutex;

use gix::ObjectId;

use crate::Finding;
use blobs::read_blobs;
use commits::{refs_reaching, resolve_commits, Origin};
use holders::{group, group_key, head_keys, holding_commits};
use kseal_core::error::Error;
use store::own_store;
pub use store::{file_at_head, open_repo};
pub(crate) use store::{file_in_tree, git_error};
use trees::{first_sightings, Known};

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

/// Scans the history of the repository: the steps of the module documentation.
pub fn scan(repo: &gix::Repository, options: &Options) -> Result<Scanned, Error> {
    let profile = Profile::from_env();
    // The commits are ordered beside the blob reading, through their own store, so the pages of
    // the commits read are unmapped after.
    let sync = repo.clone().into_sync();
    let range = options.range.as_deref();
    let (packed, commits) = preread::preread(repo, options.threads, options.progress, |commits| {
        // The commits are dropped once ordered, before the blob reading ends.
        resolve_commits(&own_store(&sync), &commits, range)
    });
    profile.preread(&packed);
    let commits = commits.unwrap_or_else(|| Err(git_error("ordering the commits", "it did not run")))?;
    profile.step("read ahead and commits");
    let known = Known::new(&packed);
    let mut walked = first_sightings(repo, &commits, &known, options)?;
    profile.step("trees");
    let mut blobs: Vec<(ObjectId, Origin, String)> = std::mem::take(&mut walked.first_seen)
        .into_iter()
        .map(|(id, (origin, path))| (id, origin, path))
        .collect();
    // The versions of one file, read one after another: git deltifies a file against its other
    // versions, so the delta-base cache then hits instead of inflating each chain again.
    blobs.sort_unstable_by(|a, b| (&a.2, a.1).cmp(&(&b.2, b.1)));
    let unreadable = Mutex::new(std::mem::take(&mut walked.unreadable));
    let found = read_blobs(repo, &packed, &blobs, options, &unreadable)?;
    drop(blobs);
    profile.step("blobs");
    // The steps left read objects here and there (HEAD's tree, commits, chart templates):
    // through a store of their own, dropped on return, so the pack pages they map are not
    // resident while the report is written (59 MB on helm/charts).
    let late = own_store(&sync);
    let repo = &late;
    let at_head = head_keys(repo, &found);
    let groups = group(found);
    let children = commits.children();
    let holders = holders(repo, &commits, &children, &groups, &known, &mut walked, options)?;
    profile.step("refs");
    // Refs reach the commits holding a finding, or its introducing commit.
    let froms: Vec<Vec<u32>> = groups
        .iter()
        .zip(holders)
        .map(|(g, mut holding)| {
            if let Origin::Commit(c) = g.origin {
                holding.push(c);
            }
            holding
        })
        .collect();
    let refs = refs_reaching(&commits, &froms);
    drop(froms);
    let mut findings = Vec::with_capacity(groups.len());
    for (g, refs) in groups.into_iter().zip(refs) {
        findings.push(finish(repo, g, refs, &commits, &at_head)?);
    }
    // Which chart template reads each values key, at the commit that introduced it.
    crate::charts::label(&mut findings, |f, dir| {
        let tree = f
            .commit
            .as_deref()
            .and_then(|c| ObjectId::from_hex(c.as_bytes()).ok())
            .and_then(|c| repo.find_commit(c).ok()?.tree_id().ok());
        tree.map_or_else(Vec::new, |t| store::files_under(repo, t.detach(), dir))
    });
    profile.step("findings");
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

/// Per group, the commits that hold it. The walk found them for the groups whose blobs were all
/// known before it; the others (loose objects, generators' files) are looked up at their paths.
fn holders(
    repo: &gix::Repository,
    commits: &commits::Commits,
    children: &[Vec<u32>],
    groups: &[holders::Group],
    known: &Known,
    walked: &mut trees::Walked,
    options: &Options,
) -> Result<Vec<Vec<u32>>, Error> {
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
    let mut holders = holding_commits(repo, commits, children, groups, &needed, options.threads)?;
    for (h, walked) in holders.iter_mut().zip(&from_walk) {
        if let Some(commits) = walked {
            h.extend(commits.iter().copied());
        }
    }
    Ok(holders)
}

/// A group's finding as reported: whether each key is still at HEAD (and where), the refs that
/// reach a commit holding it, the introducing commit and its date, and fingerprints.
fn finish(
    repo: &gix::Repository,
    g: holders::Group,
    refs: Vec<std::sync::Arc<str>>,
    commits: &commits::Commits,
    at_head: &std::collections::HashMap<(String, crate::ValueId), String>,
) -> Result<Finding, Error> {
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
            f.refs = refs;
            attribute(repo, commits.ids[c as usize], &mut f)?;
        }
        Origin::Ref(r) => f.refs = vec![commits.object_tips[r as usize].0.as_str().into()],
        Origin::Unreachable => {}
    }
    f.refresh_fingerprints();
    Ok(f)
}

/// `KSEAL_SCAN_PROFILE=1`: each step's wall time, CPU time and memory on stderr, for the
/// benchmarks.
struct Profile(Option<std::time::Instant>);

impl Profile {
    fn from_env() -> Self {
        let on = std::env::var_os("KSEAL_SCAN_PROFILE").is_some_and(|v| v == "1");
        Profile(on.then(std::time::Instant::now))
    }

    fn preread(&self, packed: &preread::Preread) {
        if self.0.is_some() {
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
    }

    fn step(&self, name: &str) {
        let Some(start) = self.0 else { return };
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

/// Small histories built with the real `git`, for the step functions' unit tests.
#[cfg(test)]
pub(crate) mod testrepo {
    use std::path::Path;
    use std::process::Command;

    /// A repository in a temporary folder, or `None` (with a line saying so) without `git`.
    pub struct Repo {
        pub dir: tempfile::TempDir,
    }

    impl Repo {
        pub fn new() -> Option<Repo> {
            if Command::new("git").arg("--version").output().is_err() {
                // As the integration tests' `have`: CI (KSEAL_TEST_REQUIRE_ALL=1) never skips.
                assert!(
                    std::env::var("KSEAL_TEST_REQUIRE_ALL").as_deref() != Ok("1"),
                    "git is not installed, and KSEAL_TEST_REQUIRE_ALL=1 forbids skipping"
                );
                eprintln!("skipped: git is not installed (apt-get install git)");
                return None;
            }
            let repo = Repo {
                dir: tempfile::tempdir().unwrap(),
            };
            repo.git(&["init", "-q", "-b", "main"], 0);
            Some(repo)
        }

        /// Runs git with committer and author time `time` (seconds since the epoch); its stdout.
        pub fn git(&self, args: &[&str], time: i64) -> String {
            let date = format!("@{time} +0000");
            let out = Command::new("git")
                .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
                .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
                .args(args)
                .current_dir(self.dir.path())
                .env("GIT_AUTHOR_DATE", &date)
                .env("GIT_COMMITTER_DATE", &date)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "git {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap().trim().to_string()
        }

        /// Writes `files` (path, content), commits them all at `time`, and returns the commit id.
        pub fn commit(&self, files: &[(&str, &str)], time: i64) -> gix::ObjectId {
            for (path, content) in files {
                let p = self.dir.path().join(path);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, content).unwrap();
            }
            self.git(&["add", "-A"], time);
            self.git(&["commit", "-q", "--allow-empty", "-m", "c"], time);
            self.id("HEAD")
        }

        pub fn id(&self, rev: &str) -> gix::ObjectId {
            gix::ObjectId::from_hex(self.git(&["rev-parse", rev], 0).as_bytes()).unwrap()
        }

        pub fn blob(&self, rev_path: &str) -> gix::ObjectId {
            self.id(rev_path)
        }

        pub fn open(&self) -> gix::Repository {
            super::open_repo(Path::new(self.dir.path())).unwrap()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testrepo::Repo;
    use super::*;

    #[test]
    fn a_leak_is_attributed_to_its_first_commit_with_every_ref_that_reaches_it() {
        let Some(r) = Repo::new() else { return };
        let secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: prod}\nstringData: {password: Xk9mQ2vLp8wRt5zA}\n";
        let first = r.commit(&[("deploy/s.yaml", secret)], 1_000);
        r.git(&["branch", "keep"], 0);
        r.git(&["rm", "-q", "deploy/s.yaml"], 0);
        r.commit(&[("x", "1")], 2_000);
        // Packed or loose, the answer is the same: pack half of it.
        r.git(&["gc", "-q"], 0);
        r.commit(&[("y", "1")], 3_000);
        let repo = r.open();
        let scanned = scan(
            &repo,
            &Options {
                threads: 2,
                ..Options::default()
            },
        )
        .unwrap();
        assert_eq!(scanned.findings.len(), 1, "{:?}", scanned.findings);
        let f = &scanned.findings[0];
        assert_eq!(f.path, "deploy/s.yaml");
        assert_eq!(f.commit.as_deref(), Some(first.to_string().as_str()));
        assert_eq!(f.date.as_deref(), Some("1970-01-01T00:16:40Z"));
        assert_eq!(
            f.refs,
            ["HEAD", "refs/heads/keep", "refs/heads/main"].map(Into::into)
        );
        assert_eq!(f.at_head, Some(false), "HEAD no longer holds it");
        assert!(scanned.unreadable.is_empty() && scanned.shallow.is_empty());
        r.git(&["checkout", "-q", "keep"], 0);
        let scanned = scan(&r.open(), &Options::default()).unwrap();
        assert_eq!(scanned.findings[0].head_path.as_deref(), Some("deploy/s.yaml"));
    }
}
