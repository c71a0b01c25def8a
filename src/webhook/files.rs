//! What the webhook reads from disk: the cluster's keys (the `kseal-keys` Secret mounted as a
//! volume), its serving certificate (a `kubernetes.io/tls` Secret: `tls.crt`, `tls.key`) and the
//! CA bundle its callers' client certificates must chain to (the `ca.crt` of the
//! `kseal-webhook-client` Secret). All are re-read when they change, so `kseal cluster rotate-key`
//! and `kseal cluster webhook rotate-cert` take effect without a restart.
//!
//! The client CA is what makes the webhook answer only the API server: it returns plaintext to
//! whoever asks, so without it anything that reaches its port could have sealed values opened
//! (README, "Who may call the webhook").
//!
//! Change is noticed by polling a fingerprint (each entry's name, inode, size and modification
//! time, and where the kubelet's `..data` link points): the kubelet swaps a Secret volume's content
//! by re-pointing `..data` at a new timestamped folder, which inotify on the folder would see only
//! as a symlink rename, and a poll every few seconds costs a few `stat`s.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::metrics::expiry_of_der;
use crate::crypto::{Identity, Kid};
use crate::error::{Error, Location};

/// Where the webhook's files are.
#[derive(Clone, Debug)]
pub struct Sources {
    /// A folder of `*.agekey` files (the kubelet's volume layout or a plain folder).
    pub keys: PathBuf,
    /// A folder with `tls.crt` (the certificate, then its chain) and `tls.key`.
    pub tls: PathBuf,
    /// A PEM bundle of the CAs a caller's client certificate must chain to; `None` only with
    /// `--insecure-no-client-auth`, when any TLS client is served.
    pub client_ca: Option<PathBuf>,
}

/// One consistent load of both.
pub struct Loaded {
    pub identities: Vec<Identity>,
    pub tls: Arc<rustls::ServerConfig>,
    /// When the certificates just read expire (Unix seconds): `serving`, the first of `tls.crt`;
    /// `client-ca`, the earliest of the bundle. Read from the same bytes the TLS setup took.
    pub expiry: Expiry,
}

/// Which certificate (`serving`, `client-ca`) expires when (Unix seconds).
pub type Expiry = Vec<(&'static str, u64)>;

/// The verifier of callers' certificates, and when the earliest of its CAs expires.
type ClientVerifier = (Arc<dyn rustls::server::danger::ClientCertVerifier>, Option<u64>);

impl Loaded {
    pub fn kids(&self) -> Vec<Kid> {
        self.identities.iter().map(Identity::kid).collect()
    }
}

/// A cheap summary of a folder's state: equal fingerprints mean nothing to re-read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint(Vec<(String, u64, u64, Option<SystemTime>)>);

fn folder_fingerprint(dir: &Path, out: &mut Vec<(String, u64, u64, Option<SystemTime>)>) {
    if let Ok(target) = std::fs::read_link(dir.join("..data")) {
        out.push((format!("..data -> {}", target.display()), 0, 0, None));
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        out.push((format!("{} unreadable", dir.display()), 0, 0, None));
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("..") {
            continue;
        }
        // Follows the per-key links into the current timestamped folder.
        let meta = std::fs::metadata(e.path()).ok();
        #[cfg(unix)]
        let ino = meta
            .as_ref()
            .map(std::os::unix::fs::MetadataExt::ino)
            .unwrap_or(0);
        #[cfg(not(unix))]
        let ino = 0;
        out.push((
            name,
            ino,
            meta.as_ref().map(|m| m.len()).unwrap_or(0),
            meta.and_then(|m| m.modified().ok()),
        ));
    }
}

/// The fingerprint of one folder (the controller's keys).
pub fn keys_fingerprint(dir: &Path) -> Fingerprint {
    let mut out = Vec::new();
    folder_fingerprint(dir, &mut out);
    out.sort();
    Fingerprint(out)
}

impl Sources {
    pub fn fingerprint(&self) -> Fingerprint {
        let mut out = Vec::new();
        folder_fingerprint(&self.keys, &mut out);
        out.push(("--".into(), 0, 0, None));
        folder_fingerprint(&self.tls, &mut out);
        if let Some(ca) = &self.client_ca {
            // The folder, not the file: on a kubelet volume the file is a link through `..data`.
            out.push(("--".into(), 0, 0, None));
            let folder = ca.parent().filter(|p| !p.as_os_str().is_empty());
            folder_fingerprint(folder.unwrap_or(Path::new(".")), &mut out);
        }
        out.sort();
        Fingerprint(out)
    }

    /// Reads the keys and the serving certificate. Key files follow `-i`'s rules (nothing others
    /// can read; group-read only on a kubelet Secret volume).
    pub fn load(&self) -> Result<Loaded, Error> {
        let identities = crate::keyfiles::load_identities(std::slice::from_ref(&self.keys))?;
        let (tls, expiry) = self.server_config()?;
        Ok(Loaded {
            identities,
            tls: Arc::new(tls),
            expiry,
        })
    }

    /// The verifier of callers' certificates: a chain to one of the client CA bundle's
    /// certificates, with the clientAuth purpose, is required; a handshake without one fails, so
    /// no request of an unauthenticated peer is ever read.
    /// Also the earliest expiry of the bundle's certificates.
    fn client_verifier(
        &self,
        provider: &Arc<rustls::crypto::CryptoProvider>,
    ) -> Result<Option<ClientVerifier>, Error> {
        let Some(path) = &self.client_ca else {
            return Ok(None);
        };
        let shown = path.display().to_string();
        let bad = |what: String| Error::input(Location::file(&shown), what);
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
            .and_then(|it| it.collect::<Result<_, _>>())
            .map_err(|e| bad(format!("not a PEM CA bundle (--client-ca): {e}")))?;
        if certs.is_empty() {
            return Err(bad(
                "no certificate in this file (--client-ca needs the CA bundle of the API server's client certificate)".into(),
            ));
        }
        let expires = certs.iter().filter_map(|c| expiry_of_der(c)).min();
        let mut roots = rustls::RootCertStore::empty();
        for c in certs {
            roots
                .add(c)
                .map_err(|e| bad(format!("a certificate of this bundle cannot be a CA: {e}")))?;
        }
        let verifier =
            rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| bad(format!("cannot verify client certificates with this bundle: {e}")))?;
        Ok(Some((verifier, expires)))
    }

    /// The TLS setup, and when its certificates expire (see [`Loaded::expiry`]).
    fn server_config(&self) -> Result<(rustls::ServerConfig, Expiry), Error> {
        let crt = self.tls.join("tls.crt");
        let key = self.tls.join("tls.key");
        let crt_shown = crt.display().to_string();
        let key_shown = key.display().to_string();
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&crt)
            .and_then(|it| it.collect::<Result<_, _>>())
            .map_err(|e| {
                Error::input(
                    Location::file(&crt_shown),
                    format!("not a PEM certificate chain: {e}"),
                )
            })?;
        if certs.is_empty() {
            return Err(Error::input(
                Location::file(&crt_shown),
                "no certificate in this file",
            ));
        }
        // The message of a PEM error names the section kind, never the key's bytes.
        let private = PrivateKeyDer::from_pem_file(&key)
            .map_err(|e| Error::input(Location::file(&key_shown), format!("not a PEM private key: {e}")))?;
        let mut expiry: Expiry = expiry_of_der(&certs[0])
            .map(|at| ("serving", at))
            .into_iter()
            .collect();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = self.client_verifier(&provider)?.map(|(v, expires)| {
            expiry.extend(expires.map(|at| ("client-ca", at)));
            v
        });
        let builder = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::internal(format!("TLS setup: {e}"), e))?;
        let builder = match verifier {
            Some(v) => builder.with_client_cert_verifier(v),
            None => builder.with_no_client_auth(),
        };
        let mut config = builder.with_single_cert(certs, private).map_err(|e| {
            Error::input(
                Location::file(&crt_shown),
                format!("the certificate and {key_shown} do not make a serving identity: {e}"),
            )
        })?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok((config, expiry))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::certs;

    /// A handshake in memory between the webhook's TLS configuration and a client presenting
    /// `client` (certificate and key PEM), trusting `server_ca`. Ok when both sides finish.
    fn handshake(
        server: Arc<rustls::ServerConfig>,
        server_ca: &str,
        client: Option<(&str, &str)>,
    ) -> Result<(), rustls::Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(server_ca.as_bytes()).unwrap())
            .unwrap();
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots);
        let config = match client {
            Some((crt, key)) => builder
                .with_client_auth_cert(
                    vec![CertificateDer::from_pem_slice(crt.as_bytes()).unwrap()],
                    PrivateKeyDer::from_pem_slice(key.as_bytes()).unwrap(),
                )
                .unwrap(),
            None => builder.with_no_client_auth(),
        };
        let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
        let mut c = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
        let mut s = rustls::ServerConnection::new(server).unwrap();
        for _ in 0..10 {
            let mut buf = Vec::new();
            while c.wants_write() {
                c.write_tls(&mut buf).unwrap();
            }
            if !buf.is_empty() {
                s.read_tls(&mut buf.as_slice()).unwrap();
                s.process_new_packets()?;
            }
            let mut buf = Vec::new();
            while s.wants_write() {
                s.write_tls(&mut buf).unwrap();
            }
            if !buf.is_empty() {
                c.read_tls(&mut buf.as_slice()).unwrap();
                c.process_new_packets()?;
            }
            if !c.is_handshaking() && !s.is_handshaking() {
                return Ok(());
            }
        }
        panic!("the handshake neither finished nor failed");
    }

    #[test]
    fn the_admission_port_completes_a_handshake_only_with_the_client_cas_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let tls = dir.path().join("tls");
        std::fs::create_dir_all(&tls).unwrap();
        let serving = certs::generate(&["127.0.0.1".to_string()]).unwrap();
        std::fs::write(tls.join("tls.crt"), &serving.cert_pem).unwrap();
        std::fs::write(tls.join("tls.key"), serving.key_pem.as_bytes()).unwrap();
        let apiserver = certs::generate_client().unwrap();
        let stranger = certs::generate_client().unwrap();
        let ca_dir = dir.path().join("client-ca");
        std::fs::create_dir_all(&ca_dir).unwrap();
        std::fs::write(ca_dir.join("ca.crt"), &apiserver.ca_pem).unwrap();
        let sources = Sources {
            keys: dir.path().join("keys"),
            tls,
            client_ca: Some(ca_dir.join("ca.crt")),
        };
        let config = Arc::new(sources.server_config().unwrap().0);
        let ca = serving.ca_pem.as_str();
        let id = |i: &certs::Issued| (i.cert_pem.clone(), i.key_pem.to_string());
        let (crt, key) = id(&apiserver);
        handshake(config.clone(), ca, Some((&crt, &key))).unwrap();
        let e = handshake(config.clone(), ca, None).unwrap_err();
        assert!(matches!(e, rustls::Error::NoCertificatesPresented), "{e:?}");
        let (crt, key) = id(&stranger);
        let e = handshake(config.clone(), ca, Some((&crt, &key))).unwrap_err();
        assert!(matches!(e, rustls::Error::InvalidCertificate(_)), "{e:?}");
        // A serving certificate signed by the trusted CA is no client certificate either.
        std::fs::write(ca_dir.join("ca.crt"), &serving.ca_pem).unwrap();
        let config = Arc::new(sources.server_config().unwrap().0);
        let e = handshake(config, ca, Some((&serving.cert_pem, serving.key_pem.as_str()))).unwrap_err();
        assert!(matches!(e, rustls::Error::InvalidCertificate(_)), "{e:?}");

        // Without the client CA (--insecure-no-client-auth) any client is served.
        let open = Sources {
            client_ca: None,
            ..sources.clone()
        };
        handshake(Arc::new(open.server_config().unwrap().0), ca, None).unwrap();

        // A bundle that is not PEM is refused, naming the file.
        std::fs::write(ca_dir.join("ca.crt"), "not a certificate").unwrap();
        let e = sources.server_config().unwrap_err();
        assert!(e.to_string().contains("ca.crt"), "{e}");
    }

    #[test]
    fn the_fingerprint_changes_when_the_kubelet_repoints_data() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        let tls = dir.path().join("tls");
        std::fs::create_dir_all(keys.join("..2026_01_01")).unwrap();
        std::fs::create_dir_all(keys.join("..2026_01_02")).unwrap();
        std::fs::create_dir_all(&tls).unwrap();
        std::fs::write(keys.join("..2026_01_01/a.agekey"), "one").unwrap();
        std::fs::write(keys.join("..2026_01_02/a.agekey"), "two").unwrap();
        std::os::unix::fs::symlink("..2026_01_01", keys.join("..data")).unwrap();
        std::os::unix::fs::symlink("..data/a.agekey", keys.join("a.agekey")).unwrap();
        let s = Sources {
            keys: keys.clone(),
            tls,
            client_ca: None,
        };
        let before = s.fingerprint();
        assert_eq!(before, s.fingerprint());
        // The kubelet's atomic swap: a new `..data` link renamed over the old one.
        std::os::unix::fs::symlink("..2026_01_02", keys.join("..data_tmp")).unwrap();
        std::fs::rename(keys.join("..data_tmp"), keys.join("..data")).unwrap();
        assert_ne!(before, s.fingerprint());
    }
}
