//! `kseal webhook`: serve the mutating admission webhook (src/webhook).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::error::{Error, ExitCode};
use crate::webhook::{serve, Options, Sources};

#[derive(Args, Debug)]
#[command(after_help = "\
Opens the sealed values of Secrets as the API server writes them (CREATE and UPDATE, dry runs
too), so Flux, Argo CD and `kubectl apply` apply sealed manifests unchanged. Each value opens only
with the binding the admission request names (namespace, Secret name, key); a value that does not
open denies the write, naming the key and why. Keys and certificates are re-read when the mounted
Secrets change. SIGTERM: not ready, then open requests finish.

Only the API server may ask: the webhook answers with plaintext, so every caller must present a
client certificate chained to --client-ca (the TLS handshake fails otherwise, and nothing the
caller sent is read). The API server presents one through its admission configuration:
`kseal cluster webhook install -o DIR` makes the certificate and writes the two files to give it
(`--admission-control-config-file`). Without --client-ca the webhook refuses to start;
--insecure-no-client-auth starts it anyway, for control planes that cannot be configured, and then
only a NetworkPolicy stands between any Pod and your plaintext (README, \"Who may call the webhook\").

The kubelet's probes carry no client certificate: --probe-listen serves GET /healthz and /readyz
in plain HTTP on a port of their own.

`kseal cluster init --webhook` (or `kseal cluster webhook install`) installs it; deploy/webhook/
holds the same objects as manifests.

Examples:
  # as the shipped Deployment runs it
  kseal webhook --keys /keys --tls /tls --client-ca /client-ca/ca.crt --probe-listen 0.0.0.0:8080
  kseal webhook --keys ./keys --tls ./tls --client-ca ./client-ca.crt --listen 127.0.0.1:8443")]
pub struct WebhookArgs {
    /// Folder of the cluster's *.agekey files: the `kseal-keys` Secret mounted as a volume.
    #[arg(long, value_name = "DIR")]
    pub keys: PathBuf,
    /// Folder with tls.crt and tls.key: the serving certificate's Secret mounted as a volume.
    #[arg(long, value_name = "DIR")]
    pub tls: PathBuf,
    /// CA bundle (PEM) the callers' client certificates must chain to: the `ca.crt` of the
    /// `kseal-webhook-client` Secret, whose certificate the API server presents. Re-read on change.
    #[arg(long, value_name = "FILE")]
    pub client_ca: Option<PathBuf>,
    /// Serve any TLS client, for control planes whose admission configuration cannot be set:
    /// anything that reaches the port can then have sealed values opened (use the NetworkPolicy).
    #[arg(long, conflicts_with = "client_ca")]
    pub insecure_no_client_auth: bool,
    /// Address to listen on (port 0 picks a free port; the address is printed on stderr).
    #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:8443")]
    pub listen: SocketAddr,
    /// Also serve GET /healthz and /readyz in plain HTTP here, for the kubelet's probes (which
    /// present no client certificate).
    #[arg(long, value_name = "ADDR")]
    pub probe_listen: Option<SocketAddr>,
    /// How often to check the key and certificate folders for change.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = humantime::parse_duration)]
    pub reload_every: Duration,
    /// After SIGTERM, how long open requests may take to finish.
    #[arg(long, value_name = "DURATION", default_value = "20s", value_parser = humantime::parse_duration)]
    pub drain: Duration,
}

/// Why the webhook does not start without `--client-ca`, and the ways on.
const NO_CLIENT_CA: &str = "kseal webhook needs --client-ca FILE: it answers with plaintext, so \
without client authentication anything that can reach its port (any Pod, by default) could have \
every sealed value opened. Give it the CA bundle of the API server's client certificate \
(`kseal cluster webhook install -o DIR` makes both and writes the API server's admission \
configuration into DIR; the Secret kseal-webhook-client holds the bundle as ca.crt). If your \
control plane cannot be configured (a managed one), --insecure-no-client-auth starts it anyway: \
then apply deploy/webhook's NetworkPolicy, the only guard left";

pub fn run(args: WebhookArgs) -> Result<ExitCode, Error> {
    if args.client_ca.is_none() && !args.insecure_no_client_auth {
        return Err(Error::usage(NO_CLIENT_CA));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::cluster(format!("cannot start the async runtime: {e}")))?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| Error::io(format!("listen address {}", args.listen), &e))?;
        let probes = match args.probe_listen {
            Some(at) => Some(
                tokio::net::TcpListener::bind(at)
                    .await
                    .map_err(|e| Error::io(format!("probe address {at}"), &e))?,
            ),
            None => None,
        };
        serve(
            listener,
            probes,
            Options {
                sources: Sources {
                    keys: args.keys,
                    tls: args.tls,
                    client_ca: args.client_ca,
                },
                reload_every: args.reload_every,
                drain: args.drain,
            },
        )
        .await
    })?;
    Ok(ExitCode::Success)
}

row!(WebhookArgs, "webhook", |a, _, _| run(a));
