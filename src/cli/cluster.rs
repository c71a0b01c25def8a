//! `kseal cluster init|fetch-key|rotate-key|backup`.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::output::{write_atomic, write_new, write_stdout, Perm};
use super::{Flags, KubeFlags};
use crate::cluster::{self, keys, webhook};
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

#[derive(Args, Debug)]
pub struct RotateCertArgs {
    #[command(flatten)]
    pub files: ApiServerFiles,
    #[command(flatten)]
    pub kube: KubeFlags,
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

#[derive(Args, Debug)]
#[command(after_help = "\
The webhook answers only callers presenting the API server's client certificate, which install
makes (secret kseal/kseal-webhook-client; the webhook's Pods mount only its CA bundle). The API
server presents it once it is started with the admission configuration that -o DIR writes:

  kseal cluster webhook install -o /tmp/kseal-apiserver --apiserver-dir /etc/kubernetes/kseal
  # copy both files to /etc/kubernetes/kseal on each control-plane node, then add to kube-apiserver:
  #   --admission-control-config-file=/etc/kubernetes/kseal/kseal-admission-configuration.yaml

Until then the webhook refuses the API server's calls, and Secrets holding sealed values are
refused (fail closed); other Secrets are never sent to it.")]
pub struct WebhookInstallArgs {
    /// The kseal image the webhook's Deployment runs.
    #[arg(long, value_name = "IMAGE", default_value_t = crate::cluster::webhook::default_image())]
    pub image: String,
    #[command(flatten)]
    pub files: ApiServerFiles,
    /// Also apply deploy/webhook/networkpolicy.yaml admitting the admission port from this address
    /// block only: the API server's (repeatable; README "Who may call the webhook").
    #[arg(long, value_name = "CIDR")]
    pub apiserver_cidr: Vec<String>,
    #[command(flatten)]
    pub kube: KubeFlags,
}

/// Where the API server's admission files go, and where the webhook is reached.
#[derive(Args, Debug)]
pub struct ApiServerFiles {
    /// Write the API server's admission configuration and the kubeconfig with its client
    /// certificate (0600) into DIR.
    #[arg(short = 'o', long = "admission-out", value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Where those files will be on the control plane (the configuration names the kubeconfig by
    /// this absolute path); default: DIR itself.
    #[arg(long, value_name = "DIR", requires = "out")]
    pub apiserver_dir: Option<PathBuf>,
    /// Call the webhook at this https URL instead of the in-cluster Service (a webhook run outside
    /// the cluster); the Deployment, Service and NetworkPolicy are then not installed.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Write into DIR even where git would commit the files (a git work tree that does not
    /// ignore them); kseal refuses otherwise, since the kubeconfig holds the API server's client key.
    #[arg(long, requires = "out")]
    pub force: bool,
}

impl ApiServerFiles {
    fn endpoint(&self) -> Result<webhook::Endpoint, Error> {
        match &self.url {
            Some(u) => webhook::Endpoint::url(u),
            None => Ok(webhook::Endpoint::default()),
        }
    }

    /// Writes the API server's files for `client`, or says how to get them.
    fn write(&self, client: &webhook::ClientIdentity, endpoint: &webhook::Endpoint) -> Result<(), Error> {
        let Some(out) = &self.out else {
            say!(
                "the webhook answers only the API server's client certificate (secret {}/{}): run again with -o DIR to write the API server's admission configuration, or Secrets holding sealed values will be refused",
                keys::NAMESPACE,
                webhook::CLIENT_SECRET
            );
            return Ok(());
        };
        std::fs::create_dir_all(out).map_err(|e| Error::io(out.display().to_string(), &e))?;
        let there = match &self.apiserver_dir {
            // Checked to be absolute before the cluster was asked anything (check_webhook_flags).
            Some(d) => d.clone(),
            None => std::fs::canonicalize(out).map_err(|e| Error::io(out.display().to_string(), &e))?,
        };
        for (name, text) in webhook::admission_files(client, endpoint, &there) {
            let perm = if name == webhook::ADMISSION_KUBECONFIG_FILE {
                Perm::Private
            } else {
                Perm::NewFile(0o644)
            };
            write_atomic(&out.join(&name), text.as_bytes(), perm)?;
        }
        say!(
            "wrote {0}/{1} and {0}/{2} (private: it holds the API server's client key); start kube-apiserver with --admission-control-config-file={3}/{1}",
            out.display(),
            webhook::ADMISSION_CONFIGURATION_FILE,
            webhook::ADMISSION_KUBECONFIG_FILE,
            there.display()
        );
        Ok(())
    }
}

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
    /// With --webhook: the kseal image the webhook's Deployment runs.
    #[arg(long, value_name = "IMAGE", default_value_t = crate::cluster::webhook::default_image(), requires = "webhook")]
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

fn recipients(list: &[String]) -> Result<Vec<Recipient>, Error> {
    list.iter()
        .map(|r| {
            crate::crypto::keys::parse_recipient_arg(r)
                .map_err(|e| Error::usage(e.to_string()).with_source(e))
        })
        .collect()
}

fn public_key_file(path: &Path, recipient: &Recipient, context: Option<&str>) -> Result<(), Error> {
    let what = format!(
        "kseal cluster public key{}",
        context.map(|c| format!(" (context {c})")).unwrap_or_default()
    );
    super::recipients::write_public_key_file(path, recipient, &what)
}

/// The key entries of `cluster restore`'s backup, opened with its identities.
fn restore_entries(
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

fn write_backup(path: &Path, armored: &str) -> Result<(), Error> {
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
    if super::output::git_would_commit(path) {
        say!(
            "warning: the key backup {} is inside a git work tree and not ignored: move it to offline storage, \
             or add it to .gitignore, so that `git add` never commits it",
            path.display()
        );
    }
}

/// `--url`, `--apiserver-cidr` and `--apiserver-dir` as install and rotate-cert will use them;
/// and `-o DIR` never where git would commit the API server's client key (issue 35: after the
/// quickstart's `git add .` it was committed, and nothing said so).
fn check_webhook_flags(files: &ApiServerFiles, apiserver_cidrs: &[String]) -> Result<(), Error> {
    if let Some(out) = files.out.as_deref().filter(|_| !files.force) {
        let kubeconfig = out.join(webhook::ADMISSION_KUBECONFIG_FILE);
        if super::output::git_would_commit(&kubeconfig) {
            return Err(Error::usage(format!(
                "refusing to write {}: it would hold the API server's client key inside a git work tree that does not ignore it, \
                 so `git add .` would commit it. Write it outside the repository (-o /etc/kubernetes/kseal on the control plane), \
                 add `{}/` to .gitignore, or pass --force",
                kubeconfig.display(),
                out.display()
            )));
        }
    }
    let endpoint = files.endpoint()?;
    for c in apiserver_cidrs {
        webhook::parse_cidr(c)?;
    }
    if endpoint.url.is_some() && !apiserver_cidrs.is_empty() {
        return Err(Error::usage(
            "--apiserver-cidr guards the in-cluster webhook's Pods; with --url there are none",
        ));
    }
    if let Some(d) = files.apiserver_dir.as_ref().filter(|d| !d.is_absolute()) {
        return Err(Error::usage(format!(
            "--apiserver-dir {}: the API server needs an absolute path",
            d.display()
        )));
    }
    Ok(())
}

async fn install_webhook(
    c: &cluster::Cluster,
    image: &str,
    files: &ApiServerFiles,
    apiserver_cidrs: &[String],
) -> Result<(), Error> {
    // The flags were checked before the cluster was asked anything (check_webhook_flags).
    let endpoint = files.endpoint()?;
    let cidrs = apiserver_cidrs
        .iter()
        .map(|c| webhook::parse_cidr(c))
        .collect::<Result<Vec<_>, _>>()?;
    let client = webhook::install(c, image, &endpoint, &cidrs).await?;
    if !cidrs.is_empty() {
        say!(
            "networkpolicy {}/{} admits the admission port from {} only",
            keys::NAMESPACE,
            webhook::SERVICE,
            cidrs.join(", ")
        );
    }
    match &endpoint.url {
        None => say!(
            "installed the webhook: deployment {0}/{1} ({image}), service {0}/{1}, secrets {0}/{2} and {0}/{3}, mutatingwebhookconfiguration/{4}, validatingadmissionpolicy/kseal-no-sealed-values",
            keys::NAMESPACE,
            webhook::SERVICE,
            webhook::TLS_SECRET,
            webhook::CLIENT_SECRET,
            webhook::CONFIGURATION
        ),
        Some(url) => say!(
            "installed the webhook configuration calling {url}: secrets {0}/{1} and {0}/{2}, mutatingwebhookconfiguration/{3}, validatingadmissionpolicy/kseal-no-sealed-values",
            keys::NAMESPACE,
            webhook::TLS_SECRET,
            webhook::CLIENT_SECRET,
            webhook::CONFIGURATION
        ),
    }
    files.write(&client, &endpoint)
}

pub fn run(args: ClusterArgs, global: &Flags) -> Result<ExitCode, Error> {
    let rt = cluster::runtime()?;
    let context = global.context.as_deref();
    rt.block_on(async {
        check_flags(&args.command)?;
        // The backup opens before the cluster is asked anything, once.
        let restored = match &args.command {
            ClusterCommand::Restore(a) => restore_entries(&a.backup, &a.identities)?,
            ClusterCommand::Init(a) => match &a.from_backup {
                Some(backup) => restore_entries(backup, &a.identities)?,
                None => Vec::new(),
            },
            _ => Vec::new(),
        };
        let c = cluster::connect(&global.target()).await?;
        match args.command {
            ClusterCommand::Init(a) => init(&c, &a, &restored, context).await?,
            ClusterCommand::Webhook(WebhookCommand::Install(a)) => {
                install_webhook(&c, &a.image, &a.files, &a.apiserver_cidr).await?
            }
            ClusterCommand::Webhook(WebhookCommand::RotateCert(a)) => rotate_cert(&c, &a.files).await?,
            ClusterCommand::FetchKey(a) => {
                let r = keys::fetch_key(&c).await?;
                match &a.output {
                    Some(p) => public_key_file(p, &r, context)?,
                    None => write_stdout(format!("{r}\n").as_bytes())?,
                }
            }
            ClusterCommand::RotateKey(a) => rotate_key(&c, &a, context).await?,
            ClusterCommand::Restore(a) => restore(&c, &restored, &a.keys_namespace).await?,
            ClusterCommand::Backup(a) => backup(&c, &a).await?,
        }
        Ok(ExitCode::Success)
    })
}

/// Flags are checked before anything is asked of the cluster.
fn check_flags(command: &ClusterCommand) -> Result<(), Error> {
    match command {
        ClusterCommand::Init(a) if a.webhook => check_webhook_flags(&a.files, &a.apiserver_cidr),
        ClusterCommand::Webhook(WebhookCommand::Install(a)) => {
            check_webhook_flags(&a.files, &a.apiserver_cidr)
        }
        ClusterCommand::Webhook(WebhookCommand::RotateCert(a)) => check_webhook_flags(&a.files, &[]),
        ClusterCommand::FetchKey(FetchArgs { output: Some(o), .. }) => super::output_file(o),
        ClusterCommand::Backup(a) => super::output_file(&a.output),
        _ => Ok(()),
    }
}

/// `cluster init`: the key pair (or what an earlier, partial init left to do), then the webhook
/// if asked; prints the public key.
async fn init(
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
        keys::InitState::Complete if a.webhook => {
            // Keys are there: --webhook adds what is missing.
            let r = keys::fetch_key(c).await?;
            say!("the cluster's keys exist already (key {}); installing the webhook", r.kid());
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
        write_backup(&a.backup_out, armored)?;
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
    Ok(key.recipient().clone())
}

/// `cluster webhook rotate-cert`.
async fn rotate_cert(c: &cluster::Cluster, files: &ApiServerFiles) -> Result<(), Error> {
    let endpoint = files.endpoint()?;
    let r = webhook::rotate_cert(c, &endpoint).await?;
    let n = r.serving_cas;
    say!(
        "new serving certificate in secret {0}/{1}; the webhook configuration trusts {n} CA(s) (the new one{2}); running webhooks pick the certificate up when the kubelet updates their volume",
        keys::NAMESPACE,
        webhook::TLS_SECRET,
        if n > 1 { " and the previous one" } else { "" }
    );
    say!(
        "new client certificate for the API server in secret {}/{}; the webhook trusts it and the previous one until the next rotation: give the API server the new files before then",
        keys::NAMESPACE,
        webhook::CLIENT_SECRET
    );
    files.write(&r.client, &endpoint)
}

/// `cluster rotate-key`: prints the new public key.
async fn rotate_key(c: &cluster::Cluster, a: &RotateArgs, context: Option<&str>) -> Result<(), Error> {
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
            super::output::write_atomic(f, updated.as_bytes(), super::output::Perm::NewFile(0o644))?;
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
async fn restore(
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
async fn backup(c: &cluster::Cluster, a: &BackupArgs) -> Result<(), Error> {
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
