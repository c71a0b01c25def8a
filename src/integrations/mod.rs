//! What kseal speaks to besides the cluster: the tools that render manifests (kustomize, helm,
//! git) and the GitOps systems that decide where they land (Flux, Argo CD). The commands in `cli`
//! stand on this; it knows nothing of the command line.

pub mod helm;
pub mod kustomize;
pub mod landings;
pub mod tools;
