//! A small blocking HTTPS/1.1 client for talking to `kseal webhook` directly (bad bodies, the
//! latency benchmark): rustls over a `TcpStream`, one keep-alive connection per client.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};

/// A client certificate and its key (PEM), presented to the server.
pub type ClientCert<'a> = (&'a str, &'a str);

pub struct Client {
    stream: BufReader<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>,
}

impl Client {
    /// Connects to `addr` (host:port), trusting only the CA in `ca_pem`, presenting `cert` if given.
    pub fn connect(addr: &str, ca_pem: &str, cert: Option<ClientCert>) -> std::io::Result<Client> {
        Self::connect_with_timeout(addr, ca_pem, cert, std::time::Duration::from_secs(60))
    }

    /// As `connect`, with a limit on connecting and on each read and write.
    pub fn connect_with_timeout(
        addr: &str,
        ca_pem: &str,
        cert: Option<ClientCert>,
        timeout: std::time::Duration,
    ) -> std::io::Result<Client> {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(ca_pem.as_bytes()).map_err(std::io::Error::other)?)
            .map_err(std::io::Error::other)?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(std::io::Error::other)?
            .with_root_certificates(roots);
        let config = match cert {
            Some((crt, key)) => config
                .with_client_auth_cert(
                    vec![CertificateDer::from_pem_slice(crt.as_bytes()).map_err(std::io::Error::other)?],
                    PrivateKeyDer::from_pem_slice(key.as_bytes()).map_err(std::io::Error::other)?,
                )
                .map_err(std::io::Error::other)?,
            None => config.with_no_client_auth(),
        };
        let host = addr.rsplit_once(':').map(|(h, _)| h).unwrap_or(addr).to_string();
        let name = ServerName::try_from(host).map_err(std::io::Error::other)?;
        let conn = rustls::ClientConnection::new(Arc::new(config), name).map_err(std::io::Error::other)?;
        let sock: std::net::SocketAddr = addr.parse().map_err(std::io::Error::other)?;
        let tcp = TcpStream::connect_timeout(&sock, timeout)?;
        tcp.set_read_timeout(Some(timeout))?;
        tcp.set_write_timeout(Some(timeout))?;
        tcp.set_nodelay(true)?;
        Ok(Client {
            stream: BufReader::new(rustls::StreamOwned::new(conn, tcp)),
        })
    }

    /// One request; returns the status and the body.
    pub fn request(&mut self, method: &str, path: &str, body: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
        self.request_with_length(method, path, body, body.len())
    }

    /// One request whose `Content-Length` says `length` (which may differ from what is sent).
    pub fn request_with_length(
        &mut self,
        method: &str,
        path: &str,
        body: &[u8],
        length: usize,
    ) -> std::io::Result<(u16, Vec<u8>)> {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nhost: webhook\r\ncontent-type: application/json\r\ncontent-length: {length}\r\n\r\n"
        );
        let w = self.stream.get_mut();
        w.write_all(head.as_bytes())?;
        w.write_all(body)?;
        w.flush()?;
        let mut status_line = String::new();
        self.stream.read_line(&mut status_line)?;
        let status: u16 = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {status_line:?}")))?;
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            self.stream.read_line(&mut line)?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut out = vec![0; length];
        self.stream.read_exact(&mut out)?;
        Ok((status, out))
    }
}
