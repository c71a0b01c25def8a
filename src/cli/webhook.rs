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
open denies the write, naming the key and why. Keys and certificate are re-read when the mounted
Secrets change. SIGTERM: not ready, then open requests finish.

`kseal cluster init --webhook` (or `kseal cluster webhook install`) installs it; deploy/webhook/
holds the same objects as manifests.

Examples:
  kseal webhook --keys /keys --tls /tls                       # as the shipped Deployment runs it
  kseal webhook --keys ./keys --tls ./tls --listen 127.0.0.1:8443")]
pub struct WebhookArgs {
    /// Folder of the cluster's *.agekey files: the `kseal-keys` Secret mounted as a volume.
    #[arg(long, value_name = "DIR")]
    pub keys: PathBuf,
    /// Folder with tls.crt and tls.key: the serving certificate's Secret mounted as a volume.
    #[arg(long, value_name = "DIR")]
    pub tls: PathBuf,
    /// Address to listen on (port 0 picks a free port; the address is printed on stderr).
    #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:8443")]
    pub listen: SocketAddr,
    /// How often to check the key and certificate folders for change.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = humantime::parse_duration)]
    pub reload_every: Duration,
    /// After SIGTERM, how long open requests may take to finish.
    #[arg(long, value_name = "DURATION", default_value = "20s", value_parser = humantime::parse_duration)]
    pub drain: Duration,
}

pub fn run(args: WebhookArgs) -> Result<ExitCode, Error> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::cluster(format!("cannot start the async runtime: {e}")))?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| Error::io(format!("listen address {}", args.listen), &e))?;
        serve(
            listener,
            Options {
                sources: Sources {
                    keys: args.keys,
                    tls: args.tls,
                },
                reload_every: args.reload_every,
                drain: args.drain,
            },
        )
        .await
    })?;
    Ok(ExitCode::Success)
}
