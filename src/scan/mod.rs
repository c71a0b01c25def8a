//! `kseal scan`: find plaintext Kubernetes Secrets in a work tree, the staged changes or a git
//! history, and report them without ever printing a value.

pub mod detect;
pub mod history;
pub mod report;
pub mod worktree;

pub use detect::{scan_bytes, Finding, KeyHit, Source};
