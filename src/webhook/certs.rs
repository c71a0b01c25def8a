//! The webhook's certificates. Serving: a fresh CA (ECDSA P-256, valid 10 years) signs one
//! serving certificate (valid 2 years) for the Service's DNS names. Client: another fresh CA signs
//! the one client certificate the API server presents to the webhook (its admission
//! configuration), the only caller the webhook answers. Each CA's private key is dropped right
//! after signing: nobody, kseal included, can mint another certificate the API server would trust
//! for the webhook, or the webhook would take for the API server. Rotation makes new CAs and
//! certificates; for the time the new ones need to reach the Pods and the API server, the previous
//! CA stays trusted beside the new one.

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use zeroize::Zeroizing;

use crate::error::Error;

/// A certificate, its key, and the CA that signed it (all PEM).
pub struct Issued {
    pub ca_pem: String,
    pub cert_pem: String,
    pub key_pem: Zeroizing<String>,
}

/// The names a Service `name` in `namespace` is reached by.
pub fn service_hosts(name: &str, namespace: &str) -> Vec<String> {
    vec![
        format!("{name}.{namespace}.svc"),
        format!("{name}.{namespace}.svc.cluster.local"),
        format!("{name}.{namespace}"),
        name.to_string(),
    ]
}

fn today() -> (i32, u8, u8) {
    let now = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let y = now[0..4].parse().unwrap_or(2026);
    let m = now[5..7].parse().unwrap_or(1);
    let d = now[8..10].parse::<u8>().unwrap_or(1).min(28);
    (y, m, d)
}

fn failed(e: rcgen::Error) -> Error {
    Error::internal(format!("cannot make the webhook's certificate: {e}"), e)
}

/// A new CA named `ca_name` and one certificate it signs for `names` (DNS names or IP addresses;
/// empty for a client certificate) with the purpose `usage`, named `common_name`.
fn issue(
    ca_name: &str,
    common_name: &str,
    names: &[String],
    usage: ExtendedKeyUsagePurpose,
) -> Result<Issued, Error> {
    let (y, m, d) = today();
    let ca_key = KeyPair::generate().map_err(failed)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(failed)?;
    ca.distinguished_name
        .push(DnType::CommonName, format!("{ca_name} {y:04}-{m:02}-{d:02}"));
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.not_before = date_time_ymd(y, m, d) - std::time::Duration::from_secs(86_400);
    ca.not_after = date_time_ymd(y + 10, m, d);
    let ca_cert = ca.self_signed(&ca_key).map_err(failed)?;

    let key = KeyPair::generate().map_err(failed)?;
    let mut leaf = CertificateParams::new(names.to_vec()).map_err(failed)?;
    leaf.distinguished_name.push(DnType::CommonName, common_name);
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![usage];
    leaf.not_before = date_time_ymd(y, m, d) - std::time::Duration::from_secs(86_400);
    leaf.not_after = date_time_ymd(y + 2, m, d);
    let cert = leaf.signed_by(&key, &ca_cert, &ca_key).map_err(failed)?;
    Ok(Issued {
        ca_pem: ca_cert.pem(),
        cert_pem: cert.pem(),
        key_pem: Zeroizing::new(key.serialize_pem()),
    })
}

/// A new CA and a serving certificate for `hosts` (DNS names or IP addresses).
pub fn generate(hosts: &[String]) -> Result<Issued, Error> {
    let cn = hosts.first().cloned().unwrap_or_default();
    issue(
        "kseal webhook CA",
        &cn,
        hosts,
        ExtendedKeyUsagePurpose::ServerAuth,
    )
}

/// The common name of the API server's client certificate.
pub const CLIENT_NAME: &str = "kube-apiserver (kseal webhook caller)";

/// A new client CA and the API server's client certificate (clientAuth only), which the webhook
/// requires of every caller (`--client-ca`).
pub fn generate_client() -> Result<Issued, Error> {
    issue(
        "kseal webhook client CA",
        CLIENT_NAME,
        &[],
        ExtendedKeyUsagePurpose::ClientAuth,
    )
}

/// The PEM certificates of a bundle, in order.
pub fn split_bundle(pem: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in pem.lines() {
        if line.starts_with("-----BEGIN CERTIFICATE-----") {
            cur.clear();
        }
        cur.push_str(line);
        cur.push('\n');
        if line.starts_with("-----END CERTIFICATE-----") {
            out.push(std::mem::take(&mut cur));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::client::danger::ServerCertVerifier;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName};

    #[test]
    fn the_serving_certificate_verifies_against_its_ca_for_each_host() {
        let hosts = vec!["kseal-webhook.kseal.svc".to_string(), "127.0.0.1".to_string()];
        let s = generate(&hosts).unwrap();
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(s.ca_pem.as_bytes()).unwrap())
            .unwrap();
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(roots.into(), provider)
            .build()
            .unwrap();
        let leaf = CertificateDer::from_pem_slice(s.cert_pem.as_bytes()).unwrap();
        let now = rustls::pki_types::UnixTime::now();
        for host in &hosts {
            let name = ServerName::try_from(host.as_str()).unwrap();
            verifier.verify_server_cert(&leaf, &[], &name, &[], now).unwrap();
        }
        let other = ServerName::try_from("evil.example").unwrap();
        assert!(verifier.verify_server_cert(&leaf, &[], &other, &[], now).is_err());
        assert_eq!(split_bundle(&format!("{}{}", s.ca_pem, s.cert_pem)).len(), 2);
    }

    #[test]
    fn the_client_certificate_verifies_against_its_ca_only() {
        let a = generate_client().unwrap();
        let b = generate_client().unwrap();
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let verifier = |ca: &str| {
            let mut roots = rustls::RootCertStore::empty();
            roots
                .add(CertificateDer::from_pem_slice(ca.as_bytes()).unwrap())
                .unwrap();
            rustls::server::WebPkiClientVerifier::builder_with_provider(roots.into(), provider.clone())
                .build()
                .unwrap()
        };
        let leaf = CertificateDer::from_pem_slice(a.cert_pem.as_bytes()).unwrap();
        let now = rustls::pki_types::UnixTime::now();
        assert!(verifier(&a.ca_pem).verify_client_cert(&leaf, &[], now).is_ok());
        assert!(verifier(&b.ca_pem).verify_client_cert(&leaf, &[], now).is_err());
        // A serving certificate is not a client certificate, even under the trusted CA.
        let serving = generate(&["127.0.0.1".to_string()]).unwrap();
        let server_leaf = CertificateDer::from_pem_slice(serving.cert_pem.as_bytes()).unwrap();
        assert!(verifier(&serving.ca_pem)
            .verify_client_cert(&server_leaf, &[], now)
            .is_err());
    }
}
