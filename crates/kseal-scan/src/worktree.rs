//! `--worktree`: the files on disk, walked in parallel with ripgrep's `ignore` walker (so
//! untracked `.gitignore`d files, which are not committed, are skipped; tracked ones are read).

use std::path::Path;
use std::sync::Mutex;

use super::{scan_with_generators, Finding};

/// Files larger than this are not manifests anyone reviews; they are skipped.
pub const MAX_FILE: u64 = 16 << 20;

/// Scans every file under `root`; paths in findings are relative to `root`.
pub fn scan(root: &Path, threads: usize) -> Vec<Finding> {
    let found = Mutex::new(Vec::new());
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .filter_entry(|e| e.file_name() != ".git")
        .threads(threads)
        .build_parallel();
    walker.run(|| {
        Box::new(|entry| {
            let Ok(entry) = entry else {
                return ignore::WalkState::Continue;
            };
            if is_small_file(&entry) {
                if let Ok(bytes) = std::fs::read(entry.path()) {
                    let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
                    let hits = scan_with_generators(&rel.to_string_lossy(), &bytes, |p| {
                        std::fs::read(root.join(p)).ok()
                    });
                    if !hits.is_empty() {
                        found
                            .lock()
                            .expect("no panics while holding the lock")
                            .extend(hits);
                    }
                }
            }
            ignore::WalkState::Continue
        })
    });
    let mut out = found.into_inner().expect("walk finished");
    // Tracked files that a .gitignore matches are committed all the same: read them too.
    for rel in kseal_core::config::tracked_but_ignored(root) {
        let path = root.join(&rel);
        let small = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file() && m.len() <= MAX_FILE);
        if let (true, Ok(bytes)) = (small, std::fs::read(&path)) {
            out.extend(scan_with_generators(&rel.to_string_lossy(), &bytes, |p| {
                std::fs::read(root.join(p)).ok()
            }));
        }
    }
    out.sort_by(|a, b| (&a.path, a.document, a.line).cmp(&(&b.path, b.document, b.line)));
    crate::dedup(&mut out);
    crate::charts::label(&mut out, |_, dir| files_under(root, dir));
    out
}

/// A file the scan reads: not a folder or a link, and at most [`MAX_FILE`] bytes.
fn is_small_file(entry: &ignore::DirEntry) -> bool {
    entry.file_type().is_some_and(|t| t.is_file()) && entry.metadata().is_ok_and(|m| m.len() <= MAX_FILE)
}

/// The files under `dir` (relative to `root`, ending in `/`), with their content, walked as the
/// scan walks (`.gitignore` honoured, links not followed, large files left out).
fn files_under(root: &Path, dir: &str) -> Vec<(String, Vec<u8>)> {
    ignore::WalkBuilder::new(root.join(dir))
        .hidden(false)
        .build()
        .flatten()
        .filter(is_small_file)
        .filter_map(|entry| {
            let bytes = std::fs::read(entry.path()).ok()?;
            let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
            Some((rel.to_string_lossy().into_owned(), bytes))
        })
        .collect()
}
