//! kseal: keep Kubernetes Secrets in git. This crate is the program: the command line (private),
//! the cluster commands and the admission webhook. What they stand on is re-exported from
//! [`kseal_core`] (keys, the sealed value format, manifests, config and policy) and, with the
//! `scan` feature, [`kseal_scan`].

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
