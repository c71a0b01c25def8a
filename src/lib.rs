//! kseal: keep Kubernetes Secrets in git. This crate is the program: the command line (private),
//! the cluster commands and the admission webhook. What they stand on is re-exported from
//! [`kseal_core`] (keys, the sealed value format, manifests, config and policy) and, with the
//! `scan` feature, [`kseal_scan`].

/// The static Linux release binaries (musl): musl's allocator made `scan --history` 1.7x slower
/// than the glibc build (Cargo.toml says more).
#[cfg(target_env = "musl")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Run first in `main`. With mimalloc, transparent huge pages cost more than they give: each
/// first touch of a 2 MiB page zeroes all of it (`clear_page_erms` was 8.7% of the musl binary's
/// scan of helm/charts); without them that scan took 2.28-2.33 s and 245-253 MiB instead of
/// 2.49-2.55 s and 265-281 MiB (mimalloc's `MIMALLOC_ALLOW_THP=0`, which it reads too late to
/// set from here).
pub(crate) fn tune_allocator() {
    #[cfg(all(target_env = "musl", target_os = "linux"))]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
}

mod cli;
#[cfg(feature = "cluster")]
pub mod cluster;
#[cfg(feature = "cluster")]
pub mod controller;
pub mod hardening;
pub mod integrations;
#[cfg(feature = "cluster")]
pub mod webhook;

pub use cli::main_with_name;
pub use kseal_core::{config, crypto, error, keyfiles, manifest, policy};
pub use kseal_core::{Error, ExitCode, Kind, Location, Result};
#[cfg(feature = "scan")]
pub use kseal_scan as scan;
