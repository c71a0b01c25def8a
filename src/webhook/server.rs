//! The HTTPS server of `kseal webhook`: `POST /mutate` (AdmissionReview v1), `GET /healthz`,
//! `GET /readyz`, and `GET /metrics` on the probe port. HTTP/1.1 and HTTP/2 over rustls, every caller authenticated by a client
//! certificate (unless `--insecure-no-client-auth`); keys and certificates re-read on change; on
//! SIGTERM or SIGINT it reports not ready, stops accepting, and lets open requests finish.
//!
//! The kubelet's probes carry no client certificate, so `/healthz` and `/readyz` are also served
//! in plain HTTP on a port of their own (`--probe-listen`): nothing secret is there, and the
//! admission port can refuse every handshake that does not present the API server's certificate.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use super::files::{Fingerprint, Loaded, Sources};
use super::metrics::Metrics;
use super::review::review;
use crate::error::Error;

/// The API server sends at most a few MiB (a Secret is at most 1 MiB, and an UPDATE carries the
/// old object too); anything larger is refused with 413 before it is read whole.
pub const MAX_BODY: usize = 8 << 20;

/// How `kseal webhook` runs.
#[derive(Clone, Debug)]
pub struct Options {
    pub sources: Sources,
    /// How often the key and certificate folders are checked for change.
    pub reload_every: Duration,
    /// How long open requests may take to finish after SIGTERM.
    pub drain: Duration,
}

/// What `/readyz` says beside "ok" when callers are not authenticated, so whoever looks at the
/// webhook's health sees the risk too.
const INSECURE: &str =
    "WARNING: no client authentication (--insecure-no-client-auth): anything that reaches \
the admission port can have sealed values opened; only a NetworkPolicy guards this webhook";

struct State {
    sources: Sources,
    current: RwLock<Arc<Loaded>>,
    shutting_down: AtomicBool,
    metrics: Metrics,
}

impl State {
    fn readiness(&self) -> Response<Full<Bytes>> {
        if self.shutting_down.load(Ordering::Relaxed) {
            text(StatusCode::SERVICE_UNAVAILABLE, "shutting down")
        } else if self.sources.client_ca.is_none() {
            text(StatusCode::OK, &format!("ok\n{INSECURE}"))
        } else {
            text(StatusCode::OK, "ok")
        }
    }

    fn loaded(&self) -> Arc<Loaded> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Tells the metrics what was loaded: the keys, and when the certificates expire.
    fn count_loaded(&self, loaded: &Loaded) {
        self.metrics
            .loaded(loaded.identities.len(), loaded.expiry.clone());
    }
}

fn log(line: &str) {
    eprintln!("kseal webhook: {line}");
}

fn text(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(Full::new(Bytes::from(format!("{body}\n"))))
        .expect("a static response")
}

async fn handle(
    req: Request<Incoming>,
    state: Arc<State>,
    peer: SocketAddr,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let started = Instant::now();
    let path = req.uri().path().to_string();
    Ok(match (req.method(), path.as_str()) {
        (&Method::GET, "/healthz") => text(StatusCode::OK, "ok"),
        (&Method::GET, "/readyz") => state.readiness(),
        (&Method::POST, "/mutate") => mutate(req, &state, started, peer).await,
        (_, "/mutate") => text(
            StatusCode::METHOD_NOT_ALLOWED,
            "POST an AdmissionReview to /mutate",
        ),
        _ => text(
            StatusCode::NOT_FOUND,
            "kseal webhook serves POST /mutate, GET /healthz, GET /readyz",
        ),
    })
}

/// The probe port: `/healthz` and `/readyz` only, plain HTTP, never an admission.
async fn probe(req: Request<Incoming>, state: Arc<State>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(match (req.method(), req.uri().path()) {
        (&Method::GET, "/healthz") => text(StatusCode::OK, "ok"),
        (&Method::GET, "/readyz") => state.readiness(),
        (&Method::GET, "/metrics") => Response::builder()
            .status(StatusCode::OK)
            .header(
                "content-type",
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )
            .body(Full::new(Bytes::from(state.metrics.render())))
            .expect("a static response"),
        _ => text(
            StatusCode::NOT_FOUND,
            "this is the probe port: GET /healthz, GET /readyz, GET /metrics (admission is on the HTTPS port)",
        ),
    })
}

async fn mutate(
    req: Request<Incoming>,
    state: &State,
    started: Instant,
    peer: SocketAddr,
) -> Response<Full<Bytes>> {
    let declared = req
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        log(&format!(
            "peer={peer} refused a body of {} bytes (limit {MAX_BODY})",
            declared.unwrap_or(0)
        ));
        return text(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("an AdmissionReview is at most {MAX_BODY} bytes"),
        );
    }
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        // Into a Vec without a copy when the collected bytes are one buffer (the usual case).
        Ok(b) => zeroize::Zeroizing::new(Vec::from(b.to_bytes())),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            log(&format!("peer={peer} refused a body over {MAX_BODY} bytes"));
            return text(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("an AdmissionReview is at most {MAX_BODY} bytes"),
            );
        }
        Err(e) => {
            log(&format!("peer={peer} could not read a request body: {e}"));
            return text(StatusCode::BAD_REQUEST, "could not read the request body");
        }
    };
    let loaded = state.loaded();
    if state.sources.client_ca.is_none() {
        // Insecure mode says so with every answer, not only once at start (issue 35).
        log(&format!("peer={peer} {INSECURE}"));
    }
    match review(&body, &loaded.identities) {
        Ok(decision) => {
            state
                .metrics
                .admission(decision.result, decision.reason, started.elapsed());
            log(&format!(
                "{} peer={peer} ms={:.2}",
                decision.log,
                started.elapsed().as_secs_f64() * 1000.0
            ));
            let body = serde_json::to_vec(&decision.answer).expect("a JSON value serializes");
            Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from(body)))
                .expect("a static response")
        }
        Err(e) => {
            state.metrics.admission("bad-request", "", started.elapsed());
            log(&format!("peer={peer} bad request: {e}"));
            text(StatusCode::BAD_REQUEST, &e.to_string())
        }
    }
}

/// Re-reads keys and certificate when their folders change; a failed reload keeps the previous
/// ones (and says so), so a half-written update never takes the webhook down.
async fn reload_loop(state: Arc<State>, every: Duration, mut seen: Fingerprint) {
    loop {
        tokio::time::sleep(every).await;
        let now = state.sources.fingerprint();
        if now == seen {
            continue;
        }
        match state.sources.load() {
            Ok(loaded) => {
                log(&format!(
                    "reloaded: {} key(s) ({}), the serving certificate{}",
                    loaded.identities.len(),
                    kid_list(&loaded),
                    if state.sources.client_ca.is_some() {
                        " and the client CA bundle"
                    } else {
                        ""
                    }
                ));
                state.count_loaded(&loaded);
                state.metrics.reloaded(true);
                *state.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(loaded);
                seen = now;
            }
            Err(e) => {
                state.metrics.reloaded(false);
                // Retried on the next tick: the kubelet may be between two steps of its swap.
                log(&format!(
                    "keys or certificates changed but could not be read ({e}); still using the previous ones"
                ));
            }
        }
    }
}

fn kid_list(l: &Loaded) -> String {
    l.kids()
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (signal(SignalKind::terminate()), signal(SignalKind::interrupt()))
    else {
        std::future::pending::<()>().await;
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

/// Answers the kubelet's probes on `listener` (plain HTTP/1.1) until the task is aborted.
async fn serve_probes(listener: TcpListener, state: Arc<State>) {
    serve_plain(listener, move |req| probe(req, state.clone())).await
}

/// Serves `answer` on `listener` in plain HTTP/1.1 until the task is aborted: the probe ports of
/// the webhook and the controller (nothing secret is there).
pub async fn serve_plain<F, Fut>(listener: TcpListener, answer: F)
where
    F: Fn(Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Response<Full<Bytes>>, Infallible>> + Send + 'static,
{
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let answer = answer.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(answer);
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tcp), service)
                .await;
        });
    }
}

/// Serves admission on `listener` and, if given, the probes on `probes`, until SIGTERM or SIGINT.
pub async fn serve(
    listener: TcpListener,
    probes: Option<TcpListener>,
    options: Options,
) -> Result<(), Error> {
    // Taken before the first load: a change made while it reads is then seen by the first poll.
    let seen = options.sources.fingerprint();
    let loaded = options.sources.load()?;
    let addr: SocketAddr = listener
        .local_addr()
        .map_err(|e| Error::io("the listening socket", &e))?;
    let callers = match &options.sources.client_ca {
        Some(ca) => format!("callers must present a client certificate from {}", ca.display()),
        None => INSECURE.to_string(),
    };
    log(&format!(
        "listening on https://{addr} with {} key(s) ({}) from {}, certificate from {}; {callers}",
        loaded.identities.len(),
        kid_list(&loaded),
        options.sources.keys.display(),
        options.sources.tls.display()
    ));
    let state = Arc::new(State {
        sources: options.sources.clone(),
        current: RwLock::new(Arc::new(loaded)),
        shutting_down: AtomicBool::new(false),
        metrics: Metrics::default(),
    });
    state.count_loaded(&state.loaded());
    let prober = match probes {
        Some(p) => {
            let at = p.local_addr().map_err(|e| Error::io("the probe socket", &e))?;
            log(&format!(
                "probes on http://{at} (GET /healthz, /readyz, /metrics)"
            ));
            Some(tokio::spawn(serve_probes(p, state.clone())))
        }
        None => None,
    };
    let reloader = tokio::spawn(reload_loop(state.clone(), options.reload_every, seen));
    let graceful = GracefulShutdown::new();
    let builder = auto::Builder::new(TokioExecutor::new());
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    log(&format!("accept failed: {e}"));
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = tokio_rustls::TlsAcceptor::from(state.loaded().tls.clone());
        let state = state.clone();
        let builder = builder.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let tls = match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await {
                Ok(Ok(tls)) => tls,
                // A caller without a client certificate the client CA vouches for: the handshake
                // failed, so nothing it sent was read. One line, as an audit trail.
                Ok(Err(e)) if state.sources.client_ca.is_some() => {
                    log(&format!("peer={peer} refused: TLS handshake failed ({e})"));
                    return;
                }
                // Scanners, clients that distrust the CA, connections left idle: not ours to log loudly.
                _ => return,
            };
            let service = hyper::service::service_fn(move |req| handle(req, state.clone(), peer));
            let conn = builder.serve_connection(TokioIo::new(tls), service).into_owned();
            let _ = watcher.watch(conn).await;
        });
    }
    state.shutting_down.store(true, Ordering::Relaxed);
    reloader.abort();
    // The probe port keeps answering "shutting down" while open requests drain.
    drop(listener);
    log(&format!(
        "shutting down: finishing {} open connection(s)",
        graceful.count()
    ));
    if tokio::time::timeout(options.drain, graceful.shutdown())
        .await
        .is_err()
    {
        log("some connections were still open after the drain time; closing them");
    }
    if let Some(p) = prober {
        p.abort();
    }
    log("stopped");
    Ok(())
}
