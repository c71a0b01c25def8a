//! `GET /metrics` on the probe port (issue 35): what an operator needs to see the webhook work,
//! in the Prometheus text format. Labels are a fixed set of words (result, reason, certificate):
//! never a namespace, a Secret or key name, or a value, so nothing a Secret holds or names is
//! exposed on a port that answers anyone.

use std::sync::atomic::AtomicU64;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use x509_cert::der::Decode;

/// The outcome of one admission, as counted: `opened`, `passed` (nothing sealed, or not a Secret
/// write), `denied` with a reason, or `bad-request`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    result: &'static str,
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Which {
    certificate: &'static str,
}

/// The webhook's metrics. Expiry is kept as Unix seconds and turned into "seconds left" when
/// scraped, so the number is right however long ago the certificates were loaded.
pub struct Metrics {
    registry: Registry,
    admissions: Family<Outcome, Counter>,
    latency: Histogram,
    identities: Gauge,
    reloads: Counter,
    reload_failures: Counter,
    expires_in: Family<Which, Gauge<f64, AtomicU64>>,
    not_after: std::sync::Mutex<Vec<(&'static str, u64)>>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("kseal_webhook");
        let admissions = Family::<Outcome, Counter>::default();
        registry.register(
            "admissions",
            "Admission requests answered, by result (opened, passed, denied, bad-request) and reason",
            admissions.clone(),
        );
        // 0.25 ms to about 4 s: the API server gives a webhook 5 s at most (timeoutSeconds).
        let latency = Histogram::new(exponential_buckets(0.000_25, 2.0, 15));
        registry.register(
            "admission_duration_seconds",
            "Time from a request's arrival to its answer",
            latency.clone(),
        );
        let identities = Gauge::default();
        registry.register(
            "identities",
            "Keys loaded from the key folder",
            identities.clone(),
        );
        let reloads = Counter::default();
        registry.register(
            "reloads",
            "Changes of the keys or certificates taken up without a restart",
            reloads.clone(),
        );
        let reload_failures = Counter::default();
        registry.register(
            "reload_failures",
            "Changes of the keys or certificates that could not be read (the previous ones stay in use)",
            reload_failures.clone(),
        );
        let expires_in = Family::<Which, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "certificate_expiry_seconds",
            "Seconds until a certificate expires: serving (tls.crt) and client-ca (the earliest of the bundle)",
            expires_in.clone(),
        );
        Metrics {
            registry,
            admissions,
            latency,
            identities,
            reloads,
            reload_failures,
            expires_in,
            not_after: std::sync::Mutex::new(Vec::new()),
        }
    }
}

impl Metrics {
    /// Counts one answered admission.
    pub fn admission(&self, result: &'static str, reason: &'static str, took: Duration) {
        self.admissions.get_or_create(&Outcome { result, reason }).inc();
        self.latency.observe(took.as_secs_f64());
    }

    /// What was loaded (at start, and on each reload).
    pub fn loaded(&self, identities: usize, not_after: Vec<(&'static str, u64)>) {
        self.identities.set(i64::try_from(identities).unwrap_or(i64::MAX));
        *self.not_after.lock().unwrap_or_else(|e| e.into_inner()) = not_after;
    }

    pub fn reloaded(&self, ok: bool) {
        if ok {
            self.reloads.inc();
        } else {
            self.reload_failures.inc();
        }
    }

    /// The text of `/metrics`.
    pub fn render(&self) -> String {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        for (which, at) in self.not_after.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            // Signed: a certificate already expired shows how long ago, as a negative number.
            let left = *at as f64 - now as f64;
            self.expires_in
                .get_or_create(&Which { certificate: which })
                .set(left);
        }
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// The `notAfter` of a DER certificate (Unix seconds).
pub(super) fn expiry_of_der(der: &[u8]) -> Option<u64> {
    let cert = x509_cert::Certificate::from_der(der).ok()?;
    Some(
        cert.tbs_certificate
            .validity
            .not_after
            .to_unix_duration()
            .as_secs(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_counts_by_result_and_reason_and_shows_expiry() {
        let m = Metrics::default();
        m.admission("opened", "", Duration::from_millis(2));
        m.admission("denied", "moved", Duration::from_millis(1));
        m.admission("denied", "moved", Duration::from_millis(1));
        m.reloaded(true);
        m.reloaded(false);
        use rustls::pki_types::pem::PemObject;
        let ca = crate::webhook::certs::generate_client().unwrap();
        let der = rustls::pki_types::CertificateDer::from_pem_slice(ca.ca_pem.as_bytes()).unwrap();
        let at = expiry_of_der(&der).unwrap();
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        assert!(at > now + 300 * 86_400, "a new CA lasts years: {at} vs {now}");
        m.loaded(2, vec![("client-ca", at)]);
        let text = m.render();
        for line in [
            "kseal_webhook_admissions_total{result=\"denied\",reason=\"moved\"} 2",
            "kseal_webhook_admissions_total{result=\"opened\",reason=\"\"} 1",
            "kseal_webhook_identities 2",
            "kseal_webhook_reloads_total 1",
            "kseal_webhook_reload_failures_total 1",
            "kseal_webhook_admission_duration_seconds_count 3",
        ] {
            assert!(text.contains(line), "{line} not in:\n{text}");
        }
        assert!(text.contains("kseal_webhook_certificate_expiry_seconds{certificate=\"client-ca\"} "));
        assert_eq!(expiry_of_der(b"not a certificate"), None);
    }
}
