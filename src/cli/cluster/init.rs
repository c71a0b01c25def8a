//! `kseal cluster init`: the cluster's key pair on the first day (or what an earlier, partial
//! init left to do, or the keys of a backup), then the webhook if asked.

use std::path::PathBuf;

use clap::Args;

use super::super::output::write_stdout;
use super::super::KubeFlags;
use super::webhook::{install_webhook, ApiServerFiles};
use super::{public_key_file, recipients};
use crate::cluster::{self, keys};
use crate::crypto::Recipient;
use crate::error::Error;

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Also write the new private key encrypted to this age recipient (repeatable), to --backup-out.
    #[arg(long, value_name = "AGE1...")]
    pub backup_to: Vec<String>,
    /// Where the encrypted backup goes (created, mode 0600, never overwritten).
    #[arg(long, value_name = "FILE", default_value = "kseal-keys-backup.age")]
    pub backup_out: PathBuf,
    /// Write the public key to FILE (a recipients file for `seal -R`).
    #[arg(long, value_name = "FILE")]
    pub public_key_out: Option<PathBuf>,
    /// Also install the admission webhook (as `kseal cluster webhook install`), so Flux, Argo CD
    /// and `kubectl apply` can apply sealed manifests unchanged.
    #[arg(long)]
    pub webhook: bool,
    /// Also install `kseal controller` (deploy/controller/: the KsealSecret CRD, RBAC, Deployment)
    /// and the policy refusing sealed values in Secrets: the mode for managed control planes,
    /// which cannot call a webhook with a client certificate (README "Which in-cluster mode").
    #[arg(long, conflicts_with = "webhook")]
    pub controller: bool,
    /// With --webhook or --controller: the kseal image their Deployment runs.
    #[arg(long, value_name = "IMAGE", default_value_t = crate::cluster::webhook::default_image())]
    pub image: String,
    /// With --webhook: the API server's admission files (as `cluster webhook install`).
    #[command(flatten)]
    pub files: ApiServerFiles,
    /// With --webhook: admit the admission port from this address block only (repeatable).
    #[arg(long, value_name = "CIDR", requires = "webhook")]
    pub apiserver_cidr: Vec<String>,
    /// Set up with the keys of a backup (`cluster backup`, `--backup-to`) instead of a new key, under
    /// their entry names, as `cluster restore` does: a rebuilt cluster opens what was sealed before.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "backup_to",
        requires = "identities"
    )]
    pub from_backup: Option<PathBuf>,
    /// With --from-backup: the offline identity the backup was encrypted to (repeatable).
    #[arg(short, long = "identity", value_name = "FILE", requires = "from_backup")]
    pub identities: Vec<PathBuf>,
    #[command(flatten)]
    pub kube: KubeFlags,
}

/// `cluster init`: the key pair (or what an earlier, partial init left to do), then the webhook
/// if asked; prints the public key.
pub(super) async fn init(
    c: &cluster::Cluster,
    a: &InitArgs,
    restored: &[(String, zeroize::Zeroizing<String>)],
    context: Option<&str>,
) -> Result<(), Error> {
    let backup_to = recipients(&a.backup_to)?;
    let state = keys::init_state(c).await?;
    if a.from_backup.is_some() && !matches!(state, keys::InitState::Fresh) {
        return Err(Error::usage(format!(
            "this cluster already has keys (secret/{} in namespace {}); --from-backup only sets up a cluster without any",
            keys::KEY_SECRET,
            keys::NAMESPACE
        )));
    }
    let recipient = match state {
        keys::InitState::Complete if a.webhook || a.controller => {
            // Keys are there: --webhook or --controller adds what is missing.
            let r = keys::fetch_key(c).await?;
            say!(
                "the cluster's keys exist already (key {}); installing the {}",
                r.kid(),
                if a.webhook { "webhook" } else { "controller" }
            );
            r
        }
        keys::InitState::Complete => {
            return Err(Error::usage(format!(
                "this cluster already has secret/{} in namespace {}; `kseal cluster rotate-key` adds a key, `kseal cluster fetch-key` prints the public one",
                keys::KEY_SECRET,
                keys::NAMESPACE
            )))
        }
        keys::InitState::Partial(existing) => {
            // An earlier init stopped after storing the key: finish around that key.
            keys::complete(c, &existing).await?;
            if let Some(p) = &a.public_key_out {
                public_key_file(p, &existing, context)?;
            }
            say!(
                "completed an earlier, partial install around the existing key {} (no new key was made)",
                existing.kid()
            );
            existing
        }
        keys::InitState::Fresh if a.from_backup.is_some() => {
            let r = keys::restore(c, restored, keys::NAMESPACE).await?;
            if let Some(p) = &a.public_key_out {
                public_key_file(p, &r, context)?;
            }
            say!(
                "set up with the {} key(s) of the backup; the newest, {}, is published",
                restored.len(),
                r.kid()
            );
            r
        }
        keys::InitState::Fresh => init_fresh(c, a, &backup_to, context).await?,
    };
    if a.webhook {
        install_webhook(c, &a.image, &a.files, &a.apiserver_cidr).await?;
    } else if a.controller {
        let lines = crate::cluster::controller::install(c, &a.image).await?;
        say!(
            "installed the controller ({}): {}",
            a.image,
            lines
                .iter()
                .map(|l| l.split_whitespace().next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join(", ")
        );
    } else if a.files.out.is_some() || a.files.url.is_some() {
        return Err(Error::usage("-o/--admission-out and --url go with --webhook"));
    }
    write_stdout(format!("{recipient}\n").as_bytes())
}

/// `cluster init` on a cluster without keys: a new key, its backup and public key file first,
/// then the Secret and the rest.
async fn init_fresh(
    c: &cluster::Cluster,
    a: &InitArgs,
    backup_to: &[Recipient],
    context: Option<&str>,
) -> Result<Recipient, Error> {
    if !backup_to.is_empty() && a.backup_out.exists() {
        return Err(Error::usage(format!(
            "{} already exists; a backup is never overwritten",
            a.backup_out.display()
        )));
    }
    let key = keys::new_install_key(backup_to)?;
    // The offline backup and the public key file first: a key is never in
    // the cluster without them.
    let mut written = Vec::new();
    if let Some(armored) = &key.backup {
        super::keys::write_backup(&a.backup_out, armored)?;
        written.push(a.backup_out.clone());
    }
    if let Some(p) = &a.public_key_out {
        public_key_file(p, key.recipient(), context)?;
        written.push(p.clone());
    }
    if let Err(e) = keys::create_key_secret(c, &key).await {
        // The key never reached the cluster: its backup would only confuse.
        for f in &written {
            let _ = std::fs::remove_file(f);
        }
        return Err(e);
    }
    if let Some(p) = written.first().filter(|_| key.backup.is_some()) {
        say!(
            "the new key, encrypted to {} recipient(s), is in {}",
            backup_to.len(),
            p.display()
        );
    }
    keys::complete(c, key.recipient()).await.map_err(|mut e| {
        e.message.push_str(
            "; the key is stored (and backed up if asked): run `kseal cluster init` again to finish",
        );
        e
    })?;
    say!(
        "created namespace {0}, secret {0}/{1}, configmap {0}/{2}",
        keys::NAMESPACE,
        keys::KEY_SECRET,
        keys::PUBLIC_CONFIGMAP
    );
    if key.backup.is_none() {
        warn_no_backup(context);
    }
    Ok(key.recipient().clone())
}

/// `cluster init` without `--backup-to` (issue 39): the only copy of the private key is now in the
/// cluster, and the quickstart's `--backup-to age1...` never said where that key comes from.
fn warn_no_backup(context: Option<&str>) {
    let ctx = context.map(|c| format!("--context {c} ")).unwrap_or_default();
    say!(
        "warning: no offline backup (--backup-to): the only copy of the new private key is secret {}/{} in this cluster; \
         if the cluster is lost, nothing sealed to it can be opened again. Make an offline key and a backup now:\n  \
         kseal keygen -o offline.agekey      # prints its age1...; keep the file offline (a password manager, a safe)\n  \
         kseal {ctx}cluster backup --to age1... -o kseal-keys-backup.age",
        keys::NAMESPACE,
        keys::KEY_SECRET
    );
}
