//! What the webhook reads from disk: the cluster's keys (the `kseal-keys` Secret mounted as a
//! volume) and its serving certificate (a `kubernetes.io/tls` Secret: `tls.crt`, `tls.key`). Both
//! are re-read when they change, so `kseal cluster rotate-key` and `kseal cluster webhook
//! rotate-cert` take effect without a restart.
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

use crate::crypto::{Identity, Kid};
use crate::error::{Error, Location};

/// Where the webhook's files are.
#[derive(Clone, Debug)]
pub struct Sources {
    /// A folder of `*.agekey` files (the kubelet's volume layout or a plain folder).
    pub keys: PathBuf,
    /// A folder with `tls.crt` (the certificate, then its chain) and `tls.key`.
    pub tls: PathBuf,
}

/// One consistent load of both.
pub struct Loaded {
    pub identities: Vec<Identity>,
    pub tls: Arc<rustls::ServerConfig>,
}

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

impl Sources {
    pub fn fingerprint(&self) -> Fingerprint {
        let mut out = Vec::new();
        folder_fingerprint(&self.keys, &mut out);
        out.push(("--".into(), 0, 0, None));
        folder_fingerprint(&self.tls, &mut out);
        out.sort();
        Fingerprint(out)
    }

    /// Reads the keys and the serving certificate. Key files follow `-i`'s rules (nothing others
    /// can read; group-read only on a kubelet Secret volume).
    pub fn load(&self) -> Result<Loaded, Error> {
        let identities = crate::cli::keys::load_identities(std::slice::from_ref(&self.keys))?;
        let tls = Arc::new(self.server_config()?);
        Ok(Loaded { identities, tls })
    }

    fn server_config(&self) -> Result<rustls::ServerConfig, Error> {
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
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::usage(format!("TLS setup: {e}")))?
            .with_no_client_auth()
            .with_single_cert(certs, private)
            .map_err(|e| {
                Error::input(
                    Location::file(&crt_shown),
                    format!("the certificate and {key_shown} do not make a serving identity: {e}"),
                )
            })?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        };
        let before = s.fingerprint();
        assert_eq!(before, s.fingerprint());
        // The kubelet's atomic swap: a new `..data` link renamed over the old one.
        std::os::unix::fs::symlink("..2026_01_02", keys.join("..data_tmp")).unwrap();
        std::fs::rename(keys.join("..data_tmp"), keys.join("..data")).unwrap();
        assert_ne!(before, s.fingerprint());
    }
}
