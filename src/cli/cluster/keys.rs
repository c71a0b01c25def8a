//! `kseal cluster fetch-key|rotate-key|backup|restore`: the keys once the cluster has them.

use std::path::{Path, PathBuf};

use clap::Args;

use super::super::output::{write_new, write_stdout};
use super::super::KubeFlags;
use super::{public_key_file, recipients};
use crate::cluster::{self, keys, webhook};
use crate::error::Error;

#[derive(Args, Debug)]
pub struct FetchArgs {
    /// Write the public key to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub kube: KubeFlags,
}

#[derive(Args, Debug)]
pub struct RotateArgs {
    /// Write the new public key to FILE.
    #[arg(long, value_name = "FILE")]
    pub public_key_out: Option<PathBuf>,
    /// Leave the recipients files of the `.kseal.yaml` here as they are. By default a file that
    /// holds the cluster's previous key gets the new one in its place (other keys and comments
    /// kept), so `seal` uses the new key and `verify` reports values still sealed to the old one.
    #[arg(long)]
    pub keep_recipients: bool,
    #[command(flatten)]
    pub kube: KubeFlags,
}

#[derive(Args, Debug)]
#[command(after_help = "\
The way back from `kseal cluster backup` or `cluster init --backup-to`: the backup is opened with
an offline identity (-i), and its keys go into a new kseal-keys Secret under the names they had
(<yyyymmdd>-<kid>.agekey); the public ConfigMap names the newest. A cluster that has keys is never
touched (the Secret is created, not replaced).

Example:
  kseal --context new-prod cluster restore -i offline.agekey prod-keys.age")]
pub struct RestoreArgs {
    /// The backup file (age, armored or binary).
    #[arg(value_name = "FILE")]
    pub backup: PathBuf,
    /// The offline identity the backup was encrypted to (repeatable).
    #[arg(short, long = "identity", value_name = "FILE", required = true)]
    pub identities: Vec<PathBuf>,
    /// Make the key Secret in this namespace instead of kseal's own: Argo CD's (`argocd`), whose
    /// repo-server sidecar mounts secret kseal-keys (deploy/argocd/). Only the Secret is made there;
    /// the namespace must exist.
    #[arg(long, value_name = "NS", default_value = crate::cluster::keys::NAMESPACE)]
    pub keys_namespace: String,
    #[command(flatten)]
    pub kube: KubeFlags,
}

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// Encrypt to this age recipient (repeatable; at least one).
    #[arg(long = "to", value_name = "AGE1...", required = true)]
    pub to: Vec<String>,
    /// The backup file (created, mode 0600, never overwritten).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    #[command(flatten)]
    pub kube: KubeFlags,
}

/// The key entries of `cluster restore`'s backup, opened with its identities.
pub(super) fn restore_entries(
    backup: &std::path::Path,
    identities: &[PathBuf],
) -> Result<Vec<(String, zeroize::Zeroizing<String>)>, Error> {
    let shown = backup.display().to_string();
    let file = std::fs::read(backup).map_err(|e| Error::io(&shown, &e))?;
    let ids = crate::keyfiles::load_identities(identities)?;
    let plain = crate::crypto::keys::age_decrypt(&file, &ids).map_err(|e| {
        Error::crypto(
            crate::error::Location::file(&shown),
            format!("the backup does not open with the given identities: {e}"),
        )
    })?;
    let text = std::str::from_utf8(&plain).map_err(|_| {
        Error::input(
            crate::error::Location::file(&shown),
            "the backup is not key files",
        )
    })?;
    keys::entries_from_backup(text).map_err(|e| e.within(&crate::error::Location::file(&shown)))
}

pub(super) fn write_backup(path: &Path, armored: &str) -> Result<(), Error> {
    let shown = path.display().to_string();
    write_new(path, armored.as_bytes(), 0o600).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => {
            Error::usage(format!("{shown} already exists; a backup is never overwritten"))
        }
        _ => Error::io(&shown, &e),
    })?;
    warn_if_committable(path);
    Ok(())
}

/// A key backup belongs in offline storage: if it was written inside a git work tree where git
/// would add it (`git add .`), say so. It is encrypted, but a copy of the cluster's keys in the
/// repository's history stays there for good, opened by whoever ever gets the offline key.
fn warn_if_committable(path: &Path) {
    if super::super::output::git_would_commit(path) {
        say!(
            "warning: the key backup {} is inside a git work tree and not ignored: move it to offline storage, \
             or add it to .gitignore, so that `git add` never commits it",
            path.display()
        );
    }
}

/// `cluster fetch-key`: the newest public key, to stdout or a recipients file.
pub(super) async fn fetch_key(
    c: &cluster::Cluster,
    a: &FetchArgs,
    context: Option<&str>,
) -> Result<(), Error> {
    let r = keys::fetch_key(c).await?;
    match &a.output {
        Some(p) => public_key_file(p, &r, context),
        None => write_stdout(format!("{r}\n").as_bytes()),
    }
}

/// `cluster rotate-key`: prints the new public key.
pub(super) async fn rotate_key(
    c: &cluster::Cluster,
    a: &RotateArgs,
    context: Option<&str>,
) -> Result<(), Error> {
    // The key sealing used until now: recipients files that hold it move to the new one.
    let before = match a.keep_recipients {
        true => None,
        false => keys::fetch_key(c).await.ok(),
    };
    let r = keys::rotate_key(c).await?;
    if let Some(p) = &a.public_key_out {
        public_key_file(p, &r, context)?;
    }
    say!(
        "added key {}; seal with it from now on, then `kseal reseal` the repository",
        r.kid()
    );
    if let Some(old) = before {
        update_recipients_files(&old, &r)?;
    }
    if webhook::is_installed(c).await {
        say!(
            "the webhook reads key {0} when the kubelet updates its volume (about a minute): until its log says `reloaded: ...{0}...`, Secrets sealed to {0} are denied (apply them again after)",
            r.kid()
        );
    }
    write_stdout(format!("{r}\n").as_bytes())
}

/// The recipients files the `.kseal.yaml` here names that hold `old` (the cluster's key before
/// rotation): that line becomes `new`, each file replaced atomically, and said. Otherwise `seal`
/// and `verify` would go on using the old key without a word.
fn update_recipients_files(
    old: &crate::crypto::Recipient,
    new: &crate::crypto::Recipient,
) -> Result<(), Error> {
    let Some(config) = crate::config::ConfigCache::default().for_dir(std::path::Path::new("."))? else {
        return Ok(());
    };
    let mut files: Vec<&std::path::PathBuf> = config.rules.iter().flat_map(|r| &r.recipient_files).collect();
    files.sort();
    files.dedup();
    let here = std::path::absolute(".").unwrap_or_default();
    let relative = |p: &std::path::Path| p.strip_prefix(&here).unwrap_or(p).display().to_string();
    for f in files {
        let shown = relative(f);
        let text = std::fs::read_to_string(f).map_err(|e| Error::io(&shown, &e))?;
        if let Some(updated) = crate::config::replace_recipient(&text, old, new) {
            super::super::output::write_atomic(
                f,
                updated.as_bytes(),
                super::super::output::Perm::NewFile(0o644),
            )?;
            say!(
                "updated {shown} ({} names it): key {} -> {}; commit it, then `kseal reseal`",
                relative(&config.path),
                old.kid(),
                new.kid()
            );
        }
    }
    Ok(())
}

/// `cluster restore`: the backup's keys into a cluster without any; prints the newest public key.
pub(super) async fn restore(
    c: &cluster::Cluster,
    entries: &[(String, zeroize::Zeroizing<String>)],
    namespace: &str,
) -> Result<(), Error> {
    let r = keys::restore(c, entries, namespace).await?;
    let newest = if namespace == keys::NAMESPACE {
        format!("; the newest, {}, is published", r.kid())
    } else {
        format!(" (nothing published there; the newest is {})", r.kid())
    };
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    say!(
        "restored {} key(s) into secret {}/{} ({}){newest}",
        entries.len(),
        namespace,
        keys::KEY_SECRET,
        names.join(", ")
    );
    write_stdout(format!("{r}\n").as_bytes())
}

/// `cluster backup`: every key, age-encrypted to the recipients, never over an existing file.
pub(super) async fn backup(c: &cluster::Cluster, a: &BackupArgs) -> Result<(), Error> {
    let to = recipients(&a.to)?;
    if a.output.exists() {
        return Err(Error::usage(format!(
            "{} already exists; a backup is never overwritten",
            a.output.display()
        )));
    }
    let (n, armored) = keys::backup(c, &to).await?;
    write_backup(&a.output, &armored)?;
    say!(
        "{n} key(s) written to {}, encrypted to {} recipient(s)",
        a.output.display(),
        to.len()
    );
    Ok(())
}
