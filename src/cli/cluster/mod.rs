//! `kseal cluster`: the arguments of every subcommand and the one place they run. Each
//! subcommand's flags and work live beside it: `init` (the key pair, first day), `keys`
//! (fetch-key, rotate-key, backup, restore) and `webhook` (install, rotate-cert).

mod init;
mod keys;
mod webhook;

pub use init::InitArgs;
pub use keys::{BackupArgs, FetchArgs, RestoreArgs, RotateArgs};
pub use webhook::{RotateCertArgs, WebhookInstallArgs};

use std::path::Path;

use clap::{Args, Subcommand};

use super::{Flags, KubeFlags};
use crate::cluster;
use crate::crypto::Recipient;
use crate::error::{Error, ExitCode};

#[derive(Args, Debug)]
#[command(after_help = "\
The cluster's key pair lives in the cluster: namespace `kseal`, Secret `kseal-keys` (one
<yyyymmdd>-<kid>.agekey entry per key, the layout Flux's SOPS age decryption reads too) and
ConfigMap `kseal-public-key` (the newest recipient), which a Role and RoleBinding let every
authenticated user read. Developers seal with the public key; only the cluster (and whoever may
read that Secret) can open.

Examples:
  kseal cluster init --backup-to age1offline... --public-key-out keys/prod.pub
  kseal cluster fetch-key -o keys/prod.pub
  kseal cluster rotate-key && kseal reseal --identity-from-cluster ...   # then reseal the repo
  kseal cluster backup --to age1offline... -o prod-keys.age
  kseal cluster init --webhook -o apiserver/   # keys, the webhook that opens Secrets as they are
                                               # written, and the API server's files to call it
  kseal cluster webhook rotate-cert -o apiserver/   # new certificates (yearly; they are valid 2 years)")]
pub struct ClusterArgs {
    #[command(subcommand)]
    pub command: ClusterCommand,
}

#[derive(Subcommand, Debug)]
pub enum ClusterCommand {
    /// Create the key pair in the cluster (refuses if it exists).
    Init(InitArgs),
    /// Print the cluster's newest public key (age1...).
    FetchKey(FetchArgs),
    /// Add a newer key: sealing uses it from now on, opening still tries every key.
    RotateKey(RotateArgs),
    /// Write every key of the cluster, age-encrypted to offline recipients.
    Backup(BackupArgs),
    /// Put the keys of a backup into a cluster that has none (a rebuilt cluster), under their names.
    Restore(RestoreArgs),
    /// The admission webhook that opens sealed Secrets as they are written: install, rotate-cert.
    #[command(subcommand)]
    Webhook(WebhookCommand),
}

#[derive(Subcommand, Debug)]
pub enum WebhookCommand {
    /// Install or update the webhook (deploy/webhook/webhook.yaml) and its serving certificate.
    Install(WebhookInstallArgs),
    /// New serving and client certificates and CAs; the previous CAs stay trusted until the next rotation.
    RotateCert(RotateCertArgs),
}

impl ClusterCommand {
    /// Every cluster command talks to the cluster: its kubectl flags.
    pub fn kube(&self) -> &KubeFlags {
        match self {
            ClusterCommand::Init(a) => &a.kube,
            ClusterCommand::FetchKey(a) => &a.kube,
            ClusterCommand::RotateKey(a) => &a.kube,
            ClusterCommand::Backup(a) => &a.kube,
            ClusterCommand::Restore(a) => &a.kube,
            ClusterCommand::Webhook(WebhookCommand::Install(a)) => &a.kube,
            ClusterCommand::Webhook(WebhookCommand::RotateCert(a)) => &a.kube,
        }
    }
}

pub(super) fn recipients(list: &[String]) -> Result<Vec<Recipient>, Error> {
    list.iter()
        .map(|r| {
            crate::crypto::keys::parse_recipient_arg(r)
                .map_err(|e| Error::usage(e.to_string()).with_source(e))
        })
        .collect()
}

pub(super) fn public_key_file(
    path: &Path,
    recipient: &Recipient,
    context: Option<&str>,
) -> Result<(), Error> {
    let what = format!(
        "kseal cluster public key{}",
        context.map(|c| format!(" (context {c})")).unwrap_or_default()
    );
    super::recipients::write_public_key_file(path, recipient, &what)
}

pub fn run(args: ClusterArgs, global: &Flags) -> Result<ExitCode, Error> {
    let rt = cluster::runtime()?;
    let context = global.context.as_deref();
    rt.block_on(async {
        check_flags(&args.command)?;
        // The backup opens before the cluster is asked anything, once.
        let restored = match &args.command {
            ClusterCommand::Restore(a) => keys::restore_entries(&a.backup, &a.identities)?,
            ClusterCommand::Init(a) => match &a.from_backup {
                Some(backup) => keys::restore_entries(backup, &a.identities)?,
                None => Vec::new(),
            },
            _ => Vec::new(),
        };
        let c = cluster::connect(&global.target()).await?;
        match args.command {
            ClusterCommand::Init(a) => init::init(&c, &a, &restored, context).await?,
            ClusterCommand::Webhook(WebhookCommand::Install(a)) => {
                webhook::install_webhook(&c, &a.image, &a.files, &a.apiserver_cidr).await?
            }
            ClusterCommand::Webhook(WebhookCommand::RotateCert(a)) => {
                webhook::rotate_cert(&c, &a.files).await?
            }
            ClusterCommand::FetchKey(a) => keys::fetch_key(&c, &a, context).await?,
            ClusterCommand::RotateKey(a) => keys::rotate_key(&c, &a, context).await?,
            ClusterCommand::Restore(a) => keys::restore(&c, &restored, &a.keys_namespace).await?,
            ClusterCommand::Backup(a) => keys::backup(&c, &a).await?,
        }
        Ok(ExitCode::Success)
    })
}

/// Flags are checked before anything is asked of the cluster.
fn check_flags(command: &ClusterCommand) -> Result<(), Error> {
    match command {
        ClusterCommand::Init(a) if a.webhook => webhook::check_webhook_flags(&a.files, &a.apiserver_cidr),
        ClusterCommand::Webhook(WebhookCommand::Install(a)) => {
            webhook::check_webhook_flags(&a.files, &a.apiserver_cidr)
        }
        ClusterCommand::Webhook(WebhookCommand::RotateCert(a)) => webhook::check_webhook_flags(&a.files, &[]),
        ClusterCommand::FetchKey(FetchArgs { output: Some(o), .. }) => super::output_file(o),
        ClusterCommand::Backup(a) => super::output_file(&a.output),
        _ => Ok(()),
    }
}

row!(ClusterArgs, "cluster", |a, flags, _| run(a, flags), takes: |a| (Some(a.command.kube()), None, None));
