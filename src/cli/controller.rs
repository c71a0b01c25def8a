//! `kseal controller`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::{Flags, KubeFlags};
use crate::controller::{lease, run, Options};
use crate::error::{Error, ExitCode};

#[derive(Args, Debug)]
#[command(after_help = "\
The in-cluster mode for control planes that cannot call a webhook with a client certificate
(EKS, GKE, AKS): it has no inbound port and opens nothing for a caller. It watches KsealSecrets
(kseal.dev/v1: a Secret's shape, values sealed as a Secret's; `kseal convert --to ksealsecret`
makes them), opens each with the keys in --keys and server-side applies the Secret of the same
name and namespace (field manager kseal-controller), owned by the KsealSecret (controller: true):
labels, annotations, type and immutable carried. A changed KsealSecret updates its Secret; a
deleted Secret is made again; a key added to --keys is used without a restart.

It never overwrites a Secret it does not control: the KsealSecret then says Ready=False,
SecretNotOwned (annotate it kseal.dev/adopt=\"true\" to take the Secret over). Each KsealSecret's
status says Ready True (Opened) or False with the reason: NoIdentityForKey, SealedForAnotherPlace,
Tampered, Malformed, SecretNotOwned, SecretRefused; an Event is recorded for each failure. Never a
value in a status, an Event or a log line.

Replicas elect one writer through the Lease --lease-namespace/--lease-name; the others stand by
and take over within the lease duration. Deployed by `kseal cluster init --controller`
(deploy/controller/).

Example (outside a cluster, for a test):
  kseal controller --keys ./keys --kubeconfig kc --lease-namespace kseal --probe-listen 127.0.0.1:8080")]
pub struct ControllerArgs {
    /// The folder of *.agekey files: the kseal-keys Secret mounted as a volume. Re-read on change.
    #[arg(long, value_name = "DIR")]
    pub keys: PathBuf,
    /// Serve GET /healthz, /readyz and /metrics in plain HTTP here (the kubelet's probes).
    #[arg(long, value_name = "ADDR")]
    pub probe_listen: Option<SocketAddr>,
    /// Watch KsealSecrets in this namespace only (repeatable); default: every namespace.
    #[arg(long = "watch-namespace", value_name = "NS")]
    pub watch_namespaces: Vec<String>,
    /// The namespace of the leader Lease [default: the Pod's namespace, else kseal].
    #[arg(long, value_name = "NS")]
    pub lease_namespace: Option<String>,
    /// The name of the leader Lease.
    #[arg(long, value_name = "NAME", default_value = "kseal-controller")]
    pub lease_name: String,
    /// How long a lease lasts without renewal before another replica takes it.
    #[arg(long, value_name = "DURATION", default_value = "15s", value_parser = humantime::parse_duration)]
    pub lease_duration: Duration,
    /// How often the leader renews the lease (and candidates look at it).
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = humantime::parse_duration)]
    pub renew_every: Duration,
    /// How often the key folder is checked for change.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = humantime::parse_duration)]
    pub reload_every: Duration,
    /// How long after a failure a KsealSecret is tried again.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = humantime::parse_duration)]
    pub retry_after: Duration,
    /// Add a new key when the published one is this old (e.g. 720h, as sealed-secrets' 30 days);
    /// old keys are kept. Needs deploy/controller/renew-keys.yaml. Default: never.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub renew_keys_every: Option<Duration>,
    #[command(flatten)]
    pub kube: KubeFlags,
}

/// The Pod's namespace (the service account's), for the Lease.
fn pod_namespace() -> Option<String> {
    let dir = std::env::var_os("KSEAL_SERVICEACCOUNT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(crate::cluster::SERVICEACCOUNT_DIR));
    std::fs::read_to_string(dir.join("namespace"))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// This replica's name in the Lease: the Pod's name (POD_NAME, else the host name) and a random
/// suffix, so a restarted Pod of the same name is a new candidate.
fn identity() -> String {
    let host = std::env::var("POD_NAME")
        .ok()
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_string())
        })
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "kseal-controller".into());
    // Unique enough to tell two processes apart; nothing depends on it being unpredictable.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{host}_{:08x}", nanos ^ std::process::id().rotate_left(16))
}

pub fn run_controller(args: ControllerArgs, global: &Flags) -> Result<ExitCode, Error> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::cluster(format!("cannot start the async runtime: {e}")))?;
    rt.block_on(async {
        let probes = match args.probe_listen {
            Some(at) => Some(
                tokio::net::TcpListener::bind(at)
                    .await
                    .map_err(|e| Error::io(format!("probe address {at}"), &e))?,
            ),
            None => None,
        };
        let cluster = crate::cluster::connect(&global.target()).await?;
        let options = Options {
            keys: args.keys,
            namespaces: args.watch_namespaces,
            reload_every: args.reload_every,
            retry_after: args.retry_after,
            renew_keys_every: args.renew_keys_every,
            lease: lease::Options {
                namespace: args
                    .lease_namespace
                    .or_else(pod_namespace)
                    .unwrap_or_else(|| crate::cluster::keys::NAMESPACE.into()),
                name: args.lease_name,
                identity: identity(),
                lease_duration: args.lease_duration,
                renew_every: args.renew_every,
            },
        };
        run(cluster, options, probes).await
    })?;
    Ok(ExitCode::Success)
}

row!(ControllerArgs, "controller", |a, flags, _| run_controller(a, flags), takes: |a| (Some(&a.kube), None, None));
