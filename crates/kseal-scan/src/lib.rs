//! `kseal scan`: find plaintext Kubernetes Secrets in a work tree, the staged changes or a git
//! history, and report them without ever printing a value.

pub mod baseline;
mod classify;
pub mod detect;
pub mod finding;
pub mod generators;
pub mod history;
pub mod report;
mod staged;
pub mod tolerant;
mod workloads;
pub mod worktree;

pub use staged::scan_staged;

pub use detect::scan_bytes;
pub use finding::{Class, Finding, KeyHit, Source, ValueId};

/// Findings in one file, plus those in the files its `secretGenerator`s read, which `read(path)`
/// looks up wherever the file was found (the work tree, the same commit, the index).
pub fn scan_with_generators(
    path: &str,
    bytes: &[u8],
    mut read: impl FnMut(&str) -> Option<Vec<u8>>,
) -> Vec<Finding> {
    let mut out = scan_bytes(path, bytes);
    for gf in generators::generator_files(bytes) {
        let target = generators::join_path(generators::dir_of(path), &gf.path);
        if let Some(content) = read(&target) {
            out.extend(generators::generator_file_finding(&gf, &target, &content));
        }
    }
    out
}
