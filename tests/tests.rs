//! kseal's integration tests: one binary (each test binary links the whole program), one module
//! per feature. They run the real `kseal` binary; `common` has the helpers, including the ones
//! that skip a test visibly when an outside tool (age, kubectl, script, setpriv, GNU sed, git) is
//! missing, or fail it when `KSEAL_TEST_REQUIRE_ALL=1` (as `.ci/run` sets).

#[macro_use]
mod common;

mod age_interop;
mod architecture;
mod bad_inputs;
mod cli;
mod cluster;
mod controller;
mod corpus;
mod edit;
mod first_day;
mod gitops;
mod helm_chart;
mod hygiene;
mod ksealsecret;
mod kubectl_reading;
mod manifest_differential;
mod properties;
mod quickstart;
mod real_cluster;
mod release;
mod render_guard;
mod rotation;
mod scan;
mod scan_history;
mod sealedsecret;
mod sops;
mod vectors;
mod webhook;
mod webhook_scale;
