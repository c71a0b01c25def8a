//! The HTTPS server of `kseal webhook`: `POST /mutate` (AdmissionReview v1), `GET /healthz`,
//! `GET /readyz`. HTTP/1.1 and HTTP/2 over rustls; keys and certificate re-read on change; on
//! SIGTERM or SIGINT it reports not ready, stops accepting, and lets open requests finish.

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

struct State {
    sources: Sources,
    current: RwLock<Arc<Loaded>>,
    shutting_down: AtomicBool,
}

impl State {
    fn loaded(&self) -> Arc<Loaded> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
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

async fn handle(req: Request<Incoming>, state: Arc<State>) -> Result<Response<Full<Bytes>>, Infallible> {
    let started = Instant::now();
    let path = req.uri().path().to_string();
    Ok(match (req.method(), path.as_str()) {
        (&Method::GET, "/healthz") => text(StatusCode::OK, "ok"),
        (&Method::GET, "/readyz") => {
            if state.shutting_down.load(Ordering::Relaxed) {
                text(StatusCode::SERVICE_UNAVAILABLE, "shutting down")
            } else {
                text(StatusCode::OK, "ok")
            }
        }
        (&Method::POST, "/mutate") => mutate(req, &state, started).await,
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

async fn mutate(req: Request<Incoming>, state: &State, started: Instant) -> Response<Full<Bytes>> {
    let declared = req
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        log(&format!(
            "refused a body of {} bytes (limit {MAX_BODY})",
            declared.unwrap_or(0)
        ));
        return text(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("an AdmissionReview is at most {MAX_BODY} bytes"),
        );
    }
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => zeroize::Zeroizing::new(b.to_bytes().to_vec()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            log(&format!("refused a body over {MAX_BODY} bytes"));
            return text(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("an AdmissionReview is at most {MAX_BODY} bytes"),
            );
        }
        Err(e) => {
            log(&format!("could not read a request body: {e}"));
            return text(StatusCode::BAD_REQUEST, "could not read the request body");
        }
    };
    let loaded = state.loaded();
    match review(&body, &loaded.identities) {
        Ok(decision) => {
            log(&format!(
                "{} ms={:.2}",
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
            log(&format!("bad request: {e}"));
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
                    "reloaded: {} key(s) ({}) and the serving certificate",
                    loaded.identities.len(),
                    kid_list(&loaded)
                ));
                *state.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(loaded);
                seen = now;
            }
            Err(e) => {
                // Retried on the next tick: the kubelet may be between two steps of its swap.
                log(&format!(
                    "keys or certificate changed but could not be read ({e}); still using the previous ones"
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

/// Serves on `listener` until SIGTERM or SIGINT.
pub async fn serve(listener: TcpListener, options: Options) -> Result<(), Error> {
    // Taken before the first load: a change made while it reads is then seen by the first poll.
    let seen = options.sources.fingerprint();
    let loaded = options.sources.load()?;
    let addr: SocketAddr = listener
        .local_addr()
        .map_err(|e| Error::io("the listening socket", &e))?;
    log(&format!(
        "listening on https://{addr} with {} key(s) ({}) from {}, certificate from {}",
        loaded.identities.len(),
        kid_list(&loaded),
        options.sources.keys.display(),
        options.sources.tls.display()
    ));
    let state = Arc::new(State {
        sources: options.sources.clone(),
        current: RwLock::new(Arc::new(loaded)),
        shutting_down: AtomicBool::new(false),
    });
    let reloader = tokio::spawn(reload_loop(state.clone(), options.reload_every, seen));
    let graceful = GracefulShutdown::new();
    let builder = auto::Builder::new(TokioExecutor::new());
    let shutdown = shutdown_signal();
    tokio::pin!(shutdown);
    loop {
        let (tcp, _peer) = tokio::select! {
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
                // Probes that connect and leave, scanners, clients that distrust the CA: not ours to log loudly.
                _ => return,
            };
            let service = hyper::service::service_fn(move |req| handle(req, state.clone()));
            let conn = builder.serve_connection(TokioIo::new(tls), service).into_owned();
            let _ = watcher.watch(conn).await;
        });
    }
    state.shutting_down.store(true, Ordering::Relaxed);
    reloader.abort();
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
    log("stopped");
    Ok(())
}
