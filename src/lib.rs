//! kseal: keep Kubernetes Secrets in git. Seal each value of a Secret to a cluster's age/X25519
//! key, leave every other byte of the manifest as it was, and open them again with the cluster's
//! private key. See docs/FORMAT.md for the sealed value format.

pub mod cli;
#[cfg(feature = "cluster")]
pub mod cluster;
pub mod config;
pub mod crypto;
pub mod error;
pub mod hardening;
pub mod manifest;
pub mod policy;
#[cfg(feature = "scan")]
pub mod scan;
#[cfg(feature = "cluster")]
pub mod webhook;

pub use error::{Error, ExitCode, Kind, Location, Result};
