//! `kseal webhook`: a mutating admission webhook that opens sealed values in Secrets as the API
//! server writes them, so Flux, Argo CD and `kubectl apply` apply sealed manifests unchanged
//! (docs/ARCHITECTURE.md §3, README "In-cluster: the webhook"). `review` decides, `server` serves, `files`
//! reads keys and certificate, `certs` makes the serving certificate and its CA.

pub mod certs;
pub mod files;
pub mod metrics;
pub mod review;
pub mod server;

pub use files::Sources;
pub use server::{serve, Options};
