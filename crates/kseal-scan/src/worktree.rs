//! `--worktree`: the files on disk, walked in parallel with ripgrep's `ignore` walker (so
//! `.gitignore`d files, which cannot be committed, are skipped).

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
            let is_small_file = entry.file_type().is_some_and(|t| t.is_file())
                && entry.metadata().is_ok_and(|m| m.len() <= MAX_FILE);
            if is_small_file {
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
    out.sort_by(|a, b| (&a.path, a.document, a.line).cmp(&(&b.path, b.document, b.line)));
    crate::dedup(&mut out);
    crate::charts::label(&mut out, |_, dir| {
        let mut files = Vec::new();
        files_under(root, dir, &mut files);
        files
    });
    out
}

/// The files under `dir` (relative to `root`, ending in `/`), with their content: a chart's
/// templates, so not ignored files, large ones, or links out of the folder.
fn files_under(root: &Path, dir: &str, out: &mut Vec<(String, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        match entry.file_type() {
            Ok(t) if t.is_dir() => files_under(root, &format!("{dir}{name}/"), out),
            Ok(t) if t.is_file() && entry.metadata().is_ok_and(|m| m.len() <= MAX_FILE) => {
                if let Ok(bytes) = std::fs::read(entry.path()) {
                    out.push((format!("{dir}{name}"), bytes));
                }
            }
            _ => {}
        }
    }
}
