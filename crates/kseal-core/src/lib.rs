//! kseal's core: keep Kubernetes Secrets in git. Seal each value of a Secret to a cluster's
//! age/X25519 key, leave every other byte of the manifest as it was, and open them again with the
//! cluster's private key. See docs/FORMAT.md for the sealed value format.
//!
//! Layers, each using only those listed before it: [`error`], [`crypto`] (HPKE, keys, the sealed
//! value), [`manifest`] (reading Secrets and the format-preserving operations on them), [`config`]
//! and [`policy`] (`.kseal.yaml`), [`keyfiles`] (identity and recipient files on disk).
//!
//! Sealing a manifest to a key and opening it again; every byte but the values stays as it was:
//!
//! ```
//! use kseal_core::crypto::{Identity, Scope};
//! use kseal_core::manifest::{open::open, seal::seal};
//! use kseal_core::policy::Policy;
//! use kseal_core::Location;
//!
//! let identity = Identity::generate();
//! let policy = Policy {
//!     recipients: vec![identity.recipient().clone()],
//!     scope: Scope::Strict,
//!     namespace: None,
//! };
//! let file = Location::file("db.yaml");
//! let manifest = "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: prod}  # kept\ndata:\n  password: aHVudGVyMg==\n";
//! let sealed = seal(manifest, &file, &policy)?;
//! assert!(sealed.text.starts_with("apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: prod}  # kept\n"));
//! assert!(sealed.text.contains("password: a3NlYWw6djM6c3RyaWN0"), "base64 of `kseal:v3:strict`");
//!
//! // The identity opens it (values come back double-quoted)...
//! let opened = open(&sealed.text, &file, std::slice::from_ref(&identity), None)?;
//! assert_eq!(opened.text.as_str(), manifest.replace("aHVudGVyMg==", "\"aHVudGVyMg==\""));
//! // ...no other key does, and only as prod/db's `password`.
//! assert!(open(&sealed.text, &file, &[Identity::generate()], None).is_err());
//! let moved = sealed.text.replace("namespace: prod", "namespace: dev");
//! assert!(open(&moved, &file, &[identity], None).is_err());
//! # Ok::<(), kseal_core::Error>(())
//! ```

#![warn(missing_docs)]

pub mod config;
pub mod crypto;
pub mod error;
pub mod keyfiles;
pub mod manifest;
pub mod policy;

pub use error::{Error, ExitCode, Kind, Location, Result};
