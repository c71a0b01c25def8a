//! The cluster side: connecting with kube (kubeconfig, context, in-cluster service account),
//! `apply`, and the cluster key pair stored in the cluster.

pub mod apply;
pub mod controller;
pub mod keys;
pub mod webhook;

use std::path::{Path, PathBuf};

use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::error::Error;

/// Where to connect: kubectl's `--kubeconfig`, `--context`, `-n` and `--request-timeout`.
#[derive(Clone, Debug, Default)]
pub struct Target {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub namespace: Option<String>,
    /// How long one request may take (connecting, sending, reading the answer); `None` waits
    /// forever. A server that accepts the connection and never answers then fails the request.
    pub request_timeout: Option<std::time::Duration>,
}

/// A connected client and the namespace for objects that name none: `-n`, else the context's,
/// else the service account's (in a Pod), else `default`.
pub struct Cluster {
    pub client: kube::Client,
    pub namespace: String,
    pub server: String,
    /// The API server's `Warning` headers seen so far (deprecations, field problems), each once.
    pub warnings: std::sync::Arc<std::sync::Mutex<std::collections::BTreeSet<String>>>,
}

impl Cluster {
    /// The warnings collected so far, in the order of their text, and forgets them.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *self.warnings.lock().unwrap_or_else(|e| e.into_inner()))
            .into_iter()
            .collect()
    }
}

/// Whether the kubeconfig user's client certificate (inline or a file) is X.509 version 1.
fn client_certificate_is_x509_v1(auth: &kube::config::AuthInfo) -> bool {
    use base64::Engine;
    let pem = match (&auth.client_certificate_data, &auth.client_certificate) {
        (Some(data), _) => base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok()),
        (None, Some(path)) => std::fs::read_to_string(path).ok(),
        _ => None,
    };
    pem.as_deref()
        .and_then(first_pem_der)
        .is_some_and(|der| is_x509_v1(&der))
}

/// The DER bytes of the first PEM block of `text`.
fn first_pem_der(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let body: String = text
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    base64::engine::general_purpose::STANDARD.decode(body).ok()
}

/// Whether a DER certificate is version 1: in `Certificate ::= SEQUENCE { tbsCertificate SEQUENCE
/// { [0] EXPLICIT version DEFAULT v1, ...` the `[0]` tag (0xA0) is absent. Read by hand: two DER
/// headers are all it takes, and no X.509 crate is otherwise needed.
fn is_x509_v1(der: &[u8]) -> bool {
    /// Skips one DER tag and length; returns the offset of the contents.
    fn header(der: &[u8], at: usize) -> Option<usize> {
        let len = *der.get(at + 1)?;
        Some(if len < 0x80 {
            at + 2
        } else {
            at + 2 + usize::from(len & 0x7f)
        })
    }
    let (Some(&0x30), Some(tbs)) = (der.first(), header(der, 0)) else {
        return false;
    };
    match (der.get(tbs), header(der, tbs)) {
        (Some(0x30), Some(first)) => der.get(first) != Some(&0xa0),
        _ => false,
    }
}

/// The text of a `Warning` header as kubectl shows it: `299 - "text"` is `text`.
fn warning_text(header: &str) -> String {
    let rest = header.splitn(3, ' ').nth(2).unwrap_or(header).trim();
    rest.strip_prefix('"')
        .and_then(|r| r.rsplit_once('"').map(|(t, _)| t))
        .unwrap_or(rest)
        .replace("\\\"", "\"")
}

/// The single-threaded runtime the cluster commands run on: requests are I/O bound, and
/// concurrency comes from having many in flight, not from threads.
pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::cluster(format!("cannot start the async runtime: {e}")))
}

/// The service account folder of a Pod; `KSEAL_SERVICEACCOUNT_DIR` points elsewhere (tests, or a
/// projected token mounted at another path).
pub const SERVICEACCOUNT_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// In-cluster configuration, built the way kube's `Config::incluster` builds it
/// (`KUBERNETES_SERVICE_HOST`/`_PORT`, the service account's token file, CA and namespace), but
/// from a folder that can be moved.
fn in_cluster() -> Result<kube::Config, Error> {
    let dir = std::env::var_os("KSEAL_SERVICEACCOUNT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(SERVICEACCOUNT_DIR));
    let host = std::env::var("KUBERNETES_SERVICE_HOST")
        .map_err(|_| Error::usage("KUBERNETES_SERVICE_HOST is not set"))?;
    let port = std::env::var("KUBERNETES_SERVICE_PORT").unwrap_or_else(|_| "443".into());
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host
    };
    let url = format!("https://{host}:{port}");
    let uri = url
        .parse()
        .map_err(|e| Error::usage(format!("in-cluster API address {url}: {e}")))?;
    let read = |name: &str| {
        let p = dir.join(name);
        std::fs::read(&p).map_err(|e| Error::io(p.display().to_string(), &e))
    };
    let ca = read("ca.crt")?;
    let roots: Vec<Vec<u8>> = {
        use rustls_pki_types::pem::PemObject;
        rustls_pki_types::CertificateDer::pem_slice_iter(&ca)
            .map(|c| c.map(|c| c.to_vec()))
            .collect::<Result<_, _>>()
            .map_err(|e| Error::usage(format!("{}/ca.crt: {e}", dir.display())))?
    };
    let mut config = kube::Config::new(uri);
    config.root_cert = Some(roots);
    config.root_cert_file = Some(dir.join("ca.crt"));
    config.auth_info.token_file = Some(dir.join("token").display().to_string());
    if let Ok(ns) = read("namespace") {
        let ns = String::from_utf8_lossy(&ns).trim().to_string();
        if !ns.is_empty() {
            config.default_namespace = ns;
        }
    }
    Ok(config)
}

fn default_kubeconfig_exists() -> bool {
    std::env::var_os("KUBECONFIG").is_some_and(|v| !v.is_empty())
        || std::env::var_os("HOME").is_some_and(|h| Path::new(&h).join(".kube/config").is_file())
}

/// Connects as kubectl would: `--kubeconfig`, else `KUBECONFIG` (colon-separated files, merged),
/// else `~/.kube/config`, else the in-cluster service account; `--context` picks the context.
pub async fn connect(target: &Target) -> Result<Cluster, Error> {
    let options = KubeConfigOptions {
        context: target.context.clone(),
        cluster: None,
        user: None,
    };
    let bad = |e: kube::config::KubeconfigError| Error::usage(format!("kubeconfig: {e}"));
    let config = if let Some(path) = &target.kubeconfig {
        let kc = Kubeconfig::read_from(path).map_err(|e| Error::usage(format!("{}: {e}", path.display())))?;
        kube::Config::from_custom_kubeconfig(kc, &options)
            .await
            .map_err(bad)?
    } else if default_kubeconfig_exists() {
        kube::Config::from_kubeconfig(&options).await.map_err(bad)?
    } else if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() {
        if target.context.is_some() {
            return Err(Error::usage(
                "--context needs a kubeconfig; inside a Pod there is none",
            ));
        }
        in_cluster()?
    } else {
        return Err(Error::usage(
            "no cluster configured: pass --kubeconfig FILE, set KUBECONFIG, create ~/.kube/config, or run inside a Pod",
        ));
    };
    let mut config = config;
    config.connect_timeout = target.request_timeout;
    config.read_timeout = target.request_timeout;
    config.write_timeout = target.request_timeout;
    let server = config.cluster_url.to_string();
    let namespace = target
        .namespace
        .clone()
        .unwrap_or_else(|| config.default_namespace.clone());
    let warnings = std::sync::Arc::new(std::sync::Mutex::new(std::collections::BTreeSet::new()));
    let seen = warnings.clone();
    let collect =
        tower::util::MapResponseLayer::new(move |res: http::Response<Box<kube::client::DynBody>>| {
            for v in res.headers().get_all("warning") {
                if let Ok(text) = v.to_str() {
                    seen.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(warning_text(text));
                }
            }
            res
        });
    let v1_cert = client_certificate_is_x509_v1(&config.auth_info);
    let client = kube::client::ClientBuilder::try_from(config)
        .map_err(|e| match v1_cert {
            // rustls reports this as "invalid private key": say what is really wrong.
            true => Error::usage(format!(
                "the kubeconfig's client certificate for {server} is an X.509 version 1 certificate, which \
                 kseal's TLS library (rustls) does not accept; issue a version 3 certificate (any v3 \
                 extension, e.g. `openssl x509 -req ... -extfile <(echo extendedKeyUsage=clientAuth)`)"
            ))
            .with_source(e),
            false => Error::cluster(format!("cannot set up a client for {server}: {e}")).with_source(e),
        })?
        .with_layer(&collect)
        .build();
    Ok(Cluster {
        client,
        namespace,
        server,
        warnings,
    })
}

/// An API error as a message that names the object, the verb and the server's reason.
pub fn api_error(what: &str, verb: &str, server: &str, e: kube::Error) -> Error {
    api_error_about(what, verb, server, e, false)
}

/// Like [`api_error`], for a request that carried Secret values. A 5xx message is not shown,
/// because it can quote a value: the real kube-apiserver answers a type error in `data` with a 500
/// that quotes the value it could not decode (`../shared/apiserver/` recording). Its 4xx messages
/// name objects, keys, fields and permissions, never values, and are shown as they are. The status
/// code, the reason and the fields named by its causes are enough to act on.
pub fn api_error_about_secret(what: &str, verb: &str, server: &str, e: kube::Error) -> Error {
    api_error_about(what, verb, server, e, true)
}

fn api_error_about(what: &str, verb: &str, server: &str, e: kube::Error, may_quote_values: bool) -> Error {
    match e {
        kube::Error::Api(status) if may_quote_values && status.code >= 500 => {
            let reason = if status.reason.is_empty() {
                "Failure"
            } else {
                status.reason.as_str()
            };
            let fields: Vec<String> = status
                .details
                .iter()
                .flat_map(|d| &d.causes)
                .filter(|c| !c.field.is_empty())
                .map(|c| format!("{} ({})", c.field, c.reason))
                .collect();
            let fields = if fields.is_empty() {
                String::new()
            } else {
                format!(": {}", fields.join(", "))
            };
            // No source either: the status it would keep holds the message.
            Error::cluster(format!(
                "{what}: {verb} failed: {} {reason}{fields} (the server's message is not shown: it may quote a Secret value)",
                status.code
            ))
        }
        kube::Error::Api(status) => {
            let reason = if status.reason.is_empty() {
                "Failure"
            } else {
                status.reason.as_str()
            };
            let message = format!(
                "{what}: {verb} failed: {} {reason}: {}",
                status.code, status.message
            );
            Error::cluster(message).with_source(kube::Error::Api(status))
        }
        other => {
            // The root cause (connection refused, certificate unknown) is at the end of the chain.
            let mut msg = other.to_string();
            let mut source = std::error::Error::source(&other);
            while let Some(s) = source {
                msg = format!("{msg}: {s}");
                source = s.source();
            }
            Error::cluster(format!(
                "{what}: {verb} failed: cannot reach the API server at {server}: {msg}"
            ))
            .with_source(other)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real kube-apiserver 1.36 answers `data: {k: 5}` with a 500 whose message quotes the value
    /// (`../shared/apiserver/` recording, probe `secret.apply.data_number`). For Secrets, kseal
    /// shows the code and reason, never the message.
    #[test]
    fn x509_versions_are_told_apart() {
        // The DER openings of a v3 certificate (rcgen's) and of a v1 one (`openssl x509 -req`).
        let v3 = rcgen_like_v3();
        assert!(!is_x509_v1(&v3));
        let v1 = [0x30, 0x82, 0x01, 0x00, 0x30, 0x81, 0xa0, 0x02, 0x14, 0x01];
        assert!(is_x509_v1(&v1));
        assert!(!is_x509_v1(&[]));
        assert!(!is_x509_v1(&[0x31, 0x00]));
    }

    fn rcgen_like_v3() -> Vec<u8> {
        vec![
            0x30, 0x82, 0x01, 0x00, 0x30, 0x81, 0xa5, 0xa0, 0x03, 0x02, 0x01, 0x02,
        ]
    }

    #[test]
    fn warning_headers_read_as_kubectl_shows_them() {
        assert_eq!(
            warning_text(
                r#"299 - "spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use \"kubernetes.io/os\" instead""#
            ),
            r#"spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" instead"#
        );
        assert_eq!(warning_text("plain"), "plain");
    }

    #[test]
    fn secret_errors_never_show_the_servers_message() {
        let status = |message: &str| {
            kube::Error::Api(Box::new(kube::core::Status {
                code: 500,
                message: message.into(),
                reason: String::new(),
                ..Default::default()
            }))
        };
        let quoted = "failed to create typed patch object (probe1/s2i; /v1, Kind=Secret): .data.k: expected string, got &value.valueUnstructured{Value:5}";
        let shown = api_error_about_secret("secret/s2i", "apply", "https://x", status(quoted)).to_string();
        assert!(
            !shown.contains("Value:5") && !shown.contains("expected string"),
            "{shown}"
        );
        assert!(
            shown.contains("500 Failure") && shown.contains("not shown"),
            "{shown}"
        );
        // Other objects keep the server's words.
        let shown = api_error("configmap/c", "apply", "https://x", status("field is immutable")).to_string();
        assert!(shown.contains("field is immutable"), "{shown}");
    }
}
