//! `kseal cluster webhook install|rotate-cert`, and `cluster init --webhook`'s part: the flags
//! checked before the cluster is asked anything, the install, and the API server's files.

use std::path::PathBuf;

use clap::Args;

use super::super::output::{write_atomic, Perm};
use super::super::KubeFlags;
use crate::cluster::{self, keys, webhook};
use crate::error::Error;

#[derive(Args, Debug)]
pub struct RotateCertArgs {
    #[command(flatten)]
    pub files: ApiServerFiles,
    #[command(flatten)]
    pub kube: KubeFlags,
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

/// `--url`, `--apiserver-cidr` and `--apiserver-dir` as install and rotate-cert will use them;
/// and `-o DIR` never where git would commit the API server's client key (issue 35: after the
/// quickstart's `git add .` it was committed, and nothing said so).
pub(super) fn check_webhook_flags(files: &ApiServerFiles, apiserver_cidrs: &[String]) -> Result<(), Error> {
    if let Some(out) = files.out.as_deref().filter(|_| !files.force) {
        let kubeconfig = out.join(webhook::ADMISSION_KUBECONFIG_FILE);
        if super::super::output::git_would_commit(&kubeconfig) {
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

pub(super) async fn install_webhook(
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

/// `cluster webhook rotate-cert`.
pub(super) async fn rotate_cert(c: &cluster::Cluster, files: &ApiServerFiles) -> Result<(), Error> {
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
