//! The controller's probe port: `GET /healthz`, `GET /readyz` (ready once it leads or stands by,
//! as a replica that waits is healthy) and `GET /metrics` in the Prometheus text format. Labels
//! are a fixed set of words (result): never a namespace, a name, a key or a value.

use std::convert::Infallible;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    result: &'static str,
}

/// What an operator needs to see the controller work.
pub struct Metrics {
    registry: Registry,
    reconciles: Family<Outcome, Counter>,
    latency: Histogram,
    identities: Gauge,
    leader: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("kseal_controller");
        let reconciles = Family::<Outcome, Counter>::default();
        registry.register(
            "reconciles",
            "KsealSecrets reconciled, by result (opened, or the Ready=False reason)",
            reconciles.clone(),
        );
        let latency = Histogram::new(exponential_buckets(0.000_5, 2.0, 14));
        registry.register(
            "reconcile_duration_seconds",
            "Time to open a KsealSecret and apply its Secret",
            latency.clone(),
        );
        let identities = Gauge::default();
        registry.register(
            "identities",
            "Keys loaded from the key folder",
            identities.clone(),
        );
        let leader = Gauge::default();
        registry.register("leader", "1 while this replica holds the lease", leader.clone());
        Metrics {
            registry,
            reconciles,
            latency,
            identities,
            leader,
        }
    }
}

impl Metrics {
    pub fn reconciled(&self, result: &'static str, took: Duration) {
        self.reconciles.get_or_create(&Outcome { result }).inc();
        self.latency.observe(took.as_secs_f64());
    }

    pub fn loaded(&self, identities: usize) {
        self.identities.set(i64::try_from(identities).unwrap_or(i64::MAX));
    }

    pub fn set_leader(&self, leading: bool) {
        self.leader.set(i64::from(leading));
    }

    fn render(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry).expect("writing to a String");
        out
    }
}

fn text(status: StatusCode, body: String, kind: &str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", kind)
        .body(Full::new(Bytes::from(body)))
        .expect("a static response")
}

async fn answer(
    req: Request<Incoming>,
    metrics: std::sync::Arc<Metrics>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    const PLAIN: &str = "text/plain; charset=utf-8";
    Ok(match (req.method(), req.uri().path()) {
        (&Method::GET, "/healthz" | "/readyz") => text(StatusCode::OK, "ok\n".into(), PLAIN),
        (&Method::GET, "/metrics") => text(
            StatusCode::OK,
            metrics.render(),
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        ),
        _ => text(
            StatusCode::NOT_FOUND,
            "kseal controller: GET /healthz, /readyz, /metrics\n".into(),
            PLAIN,
        ),
    })
}

/// Answers on `listener` (plain HTTP/1.1) until the task is aborted.
pub async fn serve(listener: tokio::net::TcpListener, metrics: std::sync::Arc<Metrics>) {
    crate::webhook::server::serve_plain(listener, move |req| answer(req, metrics.clone())).await
}
