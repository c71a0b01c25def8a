//! kseal: keep Kubernetes Secrets in git. This crate is the program: the command line (private),
//! the cluster commands and the admission webhook. What they stand on is re-exported from
//! [`kseal_core`] (keys, the sealed value format, manifests, config and policy) and, with the
//! `scan` feature, [`kseal_scan`].

/// The static Linux release binaries (musl): musl's allocator made `scan --history` 1.7x slower
/// than the glibc build (Cargo.toml says more).
#[cfg(target_env = "musl")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;
#[cfg(feature = "cluster")]
pub mod cluster;
pub mod hardening;
#[cfg(feature = "cluster")]
pub mod webhook;

pub use cli::main_with_name;
pub use kseal_core::{config, crypto, error, keyfiles, manifest, policy};
pub use kseal_core::{Error, ExitCode, Kind, Location, Result};
#[cfg(feature = "scan")]
pub use kseal_scan as scan;
