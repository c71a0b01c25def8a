//! `kseal scan`: find plaintext Kubernetes Secrets in a work tree, the staged changes or a git
//! history, and report them without ever printing a value.

pub mod baseline;
pub mod charts;
mod classify;
pub mod detect;
pub mod finding;
pub mod generators;
pub mod history;
mod kubeconfig;
pub mod report;
mod staged;
pub mod tolerant;
mod workloads;
pub mod worktree;

pub use staged::scan_staged;

pub use detect::scan_bytes;
pub use finding::{Class, Finding, KeyHit, Source, ValueId};

/// Findings in one file, plus those in the files its generators read, which `read(path)` looks up
/// wherever the file was found (the work tree, the same commit, the index).
pub fn scan_with_generators(
    path: &str,
    bytes: &[u8],
    mut read: impl FnMut(&str) -> Option<Vec<u8>>,
) -> Vec<Finding> {
    let mut out = scan_bytes(path, bytes);
    for gf in generators::generator_files(bytes) {
        let target = gf.target(path);
        if let Some(content) = read(&target) {
            out.extend(generators::generator_file_finding(&gf, &target, &content));
        }
    }
    out
}

/// `found` with each finding once: an env file two kustomizations read (a base and an overlay
/// that names it again) is reported once per key.
pub fn dedup(found: &mut Vec<Finding>) {
    let mut seen = std::collections::HashSet::new();
    found.retain(|f| {
        let keys: Vec<(&str, usize)> = f.keys.iter().map(|k| (k.key.as_str(), k.line)).collect();
        seen.insert(format!(
            "{:?}\0{:?}\0{}\0{}\0{:?}\0{:?}",
            f.source, f.class, f.path, f.document, f.commit, keys
        ))
    });
}
