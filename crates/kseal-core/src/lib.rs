//! kseal's core: keep Kubernetes Secrets in git. Seal each value of a Secret to a cluster's
//! age/X25519 key, leave every other byte of the manifest as it was, and open them again with the
//! cluster's private key. See docs/FORMAT.md for the sealed value format.
//!
//! Layers, each using only those listed before it: [`error`], [`crypto`] (HPKE, keys, the sealed
//! value), [`manifest`] (reading Secrets and the format-preserving operations on them), [`config`]
//! and [`policy`] (`.kseal.yaml`), [`keyfiles`] (identity and recipient files on disk).

pub mod config;
pub mod crypto;
pub mod error;
pub mod keyfiles;
pub mod manifest;
pub mod policy;

pub use error::{Error, ExitCode, Kind, Location, Result};
