//! Step 3: every reachable blob's findings, from the read-ahead or read here, and the files
//! kustomizations' generators read, at every version they had.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use gix::ObjectId;
use rayon::prelude::*;

use super::commits::Origin;
use super::preread::Preread;
use super::store::own_store;
use super::Options;
use crate::generators::{self, GeneratorFile};
use crate::scan_bytes;
use crate::Finding;
use kseal_core::error::Error;

/// A finding with the blob it is in, where that blob was first seen.
pub(super) type Found = (ObjectId, Origin, Finding);

/// Blobs read through one object store before it is dropped (see [`own_store`]).
const BLOBS_PER_STORE: usize = 1024;

/// Step 3: every blob read once, in parallel, through the prefilter. Files that kustomizations'
/// generators read are gathered on the way and read afterwards, at every version they had.
pub(super) fn read_blobs(
    repo: &gix::Repository,
    packed: &Preread,
    blobs: &[(ObjectId, Origin, String)],
    options: &Options,
    unreadable: &Mutex<Vec<(String, String)>>,
) -> Result<Vec<Found>, Error> {
    let reader = Reader {
        packed,
        options,
        unreadable,
        total: blobs.len(),
        done: AtomicUsize::new(0),
        looked_up: AtomicUsize::new(0),
        generators: Mutex::new(HashMap::new()),
    };
    let sync = repo.clone().into_sync();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.max(1))
        .build()
        .map_err(|e| Error::internal(format!("starting threads: {e}"), e))?;
    let mut found: Vec<Found> = pool.install(|| {
        blobs
            .par_chunks(BLOBS_PER_STORE)
            .map(|chunk| {
                let repo = own_store(&sync);
                chunk
                    .iter()
                    .flat_map(|b| reader.scan_one(&repo, b))
                    .collect::<Vec<_>>()
            })
            .flatten()
            .collect()
    });
    let generators = std::mem::take(&mut *reader.generators.lock().unwrap_or_else(|e| e.into_inner()));
    if !generators.is_empty() {
        found.extend(reader.generator_findings(repo, blobs, &generators));
    }
    if let Some(progress) = options.progress {
        progress("reading blobs", reader.total, reader.total);
    }
    if std::env::var_os("KSEAL_SCAN_PROFILE").is_some_and(|v| v == "1") {
        eprintln!(
            "kseal: profile: {} of {} blobs looked up one by one",
            reader.looked_up.into_inner(),
            reader.total
        );
    }
    Ok(found)
}

/// What the blob readers share.
struct Reader<'a> {
    packed: &'a Preread,
    options: &'a Options,
    unreadable: &'a Mutex<Vec<(String, String)>>,
    total: usize,
    done: AtomicUsize,
    /// Blobs the read-ahead did not have, read one by one.
    looked_up: AtomicUsize,
    /// Files kustomizations' generators read, by path.
    generators: Mutex<HashMap<String, Vec<GeneratorFile>>>,
}

impl Reader<'_> {
    /// A blob's content, or `None` (noted as unreadable).
    fn read(&self, repo: &gix::Repository, id: &ObjectId, path: &str) -> Option<Vec<u8>> {
        match repo.find_object(*id) {
            Ok(obj) => Some(obj.detach().data),
            Err(_) => {
                self.unreadable
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((path.to_string(), id.to_string()));
                None
            }
        }
    }

    /// One blob's findings at the path the walk gave it.
    fn scan_one(
        &self,
        repo: &gix::Repository,
        (id, origin, path): &(ObjectId, Origin, String),
    ) -> Vec<Found> {
        let n = self.done.fetch_add(1, Ordering::Relaxed);
        if let Some(progress) = self.options.progress.filter(|_| n.is_multiple_of(4096)) {
            progress("reading blobs", n, self.total);
        }
        let note_generators = |files: Vec<GeneratorFile>| {
            if !files.is_empty() {
                let mut g = self.generators.lock().unwrap_or_else(|e| e.into_inner());
                for gf in files {
                    g.entry(gf.target(path)).or_default().push(gf);
                }
            }
        };
        // Read with its pack already: only where it is is new.
        if self.packed.blobs.contains(id) {
            let Some(scan) = self.packed.scanned.get(id) else {
                return Vec::new();
            };
            note_generators(scan.generators.clone());
            let here = scan
                .findings
                .iter()
                .map(|f| {
                    let mut f = f.clone();
                    f.path = path.clone();
                    f
                })
                .collect();
            return crate::detect::settle_for_path(path, here)
                .into_iter()
                .map(|f| (*id, *origin, f))
                .collect();
        }
        self.looked_up.fetch_add(1, Ordering::Relaxed);
        let Some(data) = self.read(repo, id, path) else {
            return Vec::new();
        };
        note_generators(generators::generator_files(&data));
        scan_bytes(path, &data)
            .into_iter()
            .map(|f| (*id, *origin, f))
            .collect()
    }

    /// The files generators read, at every version they had (every blob seen at their path).
    fn generator_findings(
        &self,
        repo: &gix::Repository,
        blobs: &[(ObjectId, Origin, String)],
        generators: &HashMap<String, Vec<GeneratorFile>>,
    ) -> Vec<Found> {
        let mut found = Vec::new();
        for (id, origin, path) in blobs {
            let Some(files) = generators.get(path) else {
                continue;
            };
            let Some(data) = self.read(repo, id, path) else {
                continue;
            };
            let mut unique: Vec<&GeneratorFile> = files.iter().collect();
            unique.sort_by(|a, b| (a.source, &a.generator, &a.key).cmp(&(b.source, &b.generator, &b.key)));
            unique.dedup_by(|a, b| {
                (a.source, &a.generator, &a.namespace, &a.key)
                    == (b.source, &b.generator, &b.namespace, &b.key)
            });
            for gf in unique {
                found.extend(
                    generators::generator_file_finding(gf, path, &data)
                        .into_iter()
                        .map(|f| (*id, *origin, f)),
                );
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::testrepo::Repo;

    #[test]
    fn blobs_are_scanned_at_their_path_and_missing_ones_noted() {
        let Some(r) = Repo::new() else { return };
        let secret =
            "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: Xk9mQ2vLp8wRt5zA}\n";
        r.commit(&[("s.yaml", secret), ("plain.txt", "nothing here")], 1_000);
        let repo = r.open();
        let missing = ObjectId::from_hex(b"0123456789012345678901234567890123456789").unwrap();
        let blobs = vec![
            (
                r.blob("HEAD:s.yaml"),
                Origin::Commit(0),
                "moved/s.yaml".to_string(),
            ),
            (
                r.blob("HEAD:plain.txt"),
                Origin::Commit(0),
                "plain.txt".to_string(),
            ),
            (missing, Origin::Commit(0), "gone.yaml".to_string()),
        ];
        let unreadable = Mutex::new(Vec::new());
        let options = Options {
            threads: 2,
            ..Options::default()
        };
        let found = read_blobs(&repo, &Preread::default(), &blobs, &options, &unreadable).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].2.path, "moved/s.yaml", "the path the walk gave");
        assert_eq!(
            unreadable.into_inner().unwrap(),
            vec![("gone.yaml".to_string(), missing.to_string())]
        );
    }
}
