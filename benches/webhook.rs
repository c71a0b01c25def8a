//! Admission latency of `kseal webhook`: the release binary on loopback, 1,000 AdmissionReviews
//! of a Secret with 5 sealed keys each (distinct Secrets, as distinct writes), sent by 1 and by 100
//! concurrent clients, each over its own keep-alive HTTPS connection presenting a client
//! certificate (as the API server keeps authenticated connections to a webhook). Reports p50, p99 and max per request and the throughput; the target
//! is p99 <= 10 ms at 100 concurrent clients. `scripts/bench-webhook` runs it.
//!
//! Not criterion: the figure wanted is a latency distribution under concurrency, not the mean of
//! one call, so this is a plain main (`harness = false`).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier, OnceLock};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use kseal::crypto::sealed::seal;
use kseal::crypto::{Binding, Identity, Scope};
use serde_json::json;

#[path = "../tests/common/https.rs"]
mod https;

const WRITES: usize = 1000;
const KEYS: usize = 5;

fn review(id: &Identity, i: usize) -> Vec<u8> {
    let name = format!("app-{i}");
    let mut data = serde_json::Map::new();
    for k in 0..KEYS {
        let key = format!("key-{k}");
        let value = format!("value-{i}-{k}-0123456789abcdef");
        let sealed = seal(
            value.as_bytes(),
            &[id.recipient().clone()],
            Scope::Strict,
            &Binding {
                namespace: "bench",
                name: &name,
                key: &key,
            },
        )
        .unwrap();
        data.insert(key, json!(STANDARD.encode(sealed)));
    }
    serde_json::to_vec(&json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": format!("uid-{i}"),
            "kind": {"group": "", "version": "v1", "kind": "Secret"},
            "resource": {"group": "", "version": "v1", "resource": "secrets"},
            "namespace": "bench",
            "name": name,
            "operation": "CREATE",
            "object": {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": "bench"}, "type": "Opaque", "data": data},
            "dryRun": false,
        }
    }))
    .unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

/// Sends every body once, spread over `clients` connections; returns each request's latency.
/// Closed loop (`rate` None): each client sends its next request as soon as the previous answer
/// is in, so 100 clients keep 100 requests in flight. Open loop (`rate` Some, writes per second
/// over all clients): each request has a scheduled time, and its latency counts from then, so
/// time spent queued behind a slow answer is counted too. Every client connects and completes its
/// TLS handshake (client certificate included) before the clock starts, as the API server keeps
/// its connections to a webhook; `handshakes` measures those separately.
fn run(
    addr: &str,
    ca: &str,
    me: Option<&(String, String)>,
    bodies: &Arc<Vec<Vec<u8>>>,
    clients: usize,
    rate: Option<f64>,
) -> (Vec<Duration>, Duration) {
    let connected = Arc::new(Barrier::new(clients + 1));
    let go = Arc::new(Barrier::new(clients + 1));
    let start = Arc::new(OnceLock::new());
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let (addr, ca, bodies) = (addr.to_string(), ca.to_string(), bodies.clone());
            let (me, connected, go, start) = (me.cloned(), connected.clone(), go.clone(), start.clone());
            std::thread::spawn(move || {
                let cert = me.as_ref().map(|m| (m.0.as_str(), m.1.as_str()));
                let mut client = https::Client::connect(&addr, &ca, cert).unwrap();
                // The first request completes the handshake (the client connects lazily).
                assert_eq!(client.request("GET", "/healthz", b"").unwrap().0, 200);
                connected.wait();
                go.wait();
                let started: Instant = *start.get().unwrap();
                let mut out = Vec::new();
                for (n, body) in bodies.iter().skip(c).step_by(clients).enumerate() {
                    let t = match rate {
                        None => Instant::now(),
                        Some(r) => {
                            let due = started + Duration::from_secs_f64((n * clients + c) as f64 / r);
                            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                                std::thread::sleep(wait);
                            }
                            due
                        }
                    };
                    let (status, answer) = client.request("POST", "/mutate", body).unwrap();
                    out.push(t.elapsed());
                    assert_eq!(status, 200);
                    assert!(
                        answer.windows(14).any(|w| w == b"\"allowed\":true"),
                        "a review was denied"
                    );
                }
                out
            })
        })
        .collect();
    connected.wait();
    let started = Instant::now();
    start.set(started).unwrap();
    go.wait();
    let mut all: Vec<Duration> = threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
    let wall = started.elapsed();
    all.sort();
    (all, wall)
}

fn main() {
    // `cargo bench` passes harness flags (`--bench`); a filter that is not ours means skip.
    if std::env::args()
        .skip(1)
        .any(|a| !a.starts_with("--") && a != "webhook")
    {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let tls = dir.path().join("tls");
    std::fs::create_dir_all(&keys).unwrap();
    std::fs::create_dir_all(&tls).unwrap();
    let id = Identity::generate();
    let key_file = keys.join("bench.agekey");
    std::fs::write(&key_file, format!("{}\n", id.to_age_string().as_str())).unwrap();
    let serving = kseal::webhook::certs::generate(&["127.0.0.1".to_string()]).unwrap();
    std::fs::write(tls.join("tls.crt"), &serving.cert_pem).unwrap();
    std::fs::write(tls.join("tls.key"), serving.key_pem.as_bytes()).unwrap();
    // The API server's client certificate, which the webhook requires of every caller.
    let client = kseal::webhook::certs::generate_client().unwrap();
    let client_ca = dir.path().join("client-ca.crt");
    std::fs::write(&client_ca, &client.ca_pem).unwrap();
    let me = (client.cert_pem.clone(), client.key_pem.to_string());
    use std::os::unix::fs::PermissionsExt;
    for f in [&key_file, &tls.join("tls.key")] {
        std::fs::set_permissions(f, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new((0..WRITES).map(|i| review(&id, i)).collect());

    println!(
        "kseal webhook: {WRITES} Secret writes x {KEYS} sealed keys, loopback HTTPS, {} cores",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    // As shipped (every caller presents the API server's client certificate), then, for
    // comparison, with --insecure-no-client-auth.
    for authenticated in [true, false] {
        let mut args: Vec<std::ffi::OsString> = vec![
            "--keys".into(),
            keys.clone().into(),
            "--tls".into(),
            tls.clone().into(),
        ];
        if authenticated {
            args.extend(["--client-ca".into(), client_ca.clone().into()]);
        } else {
            args.push("--insecure-no-client-auth".into());
        }
        let cert = authenticated.then_some(&me);
        let log = dir.path().join(format!("webhook-{authenticated}.log"));
        let (mut child, addr) = start_webhook(&args, &log);
        println!(
            "\n{}",
            if authenticated {
                "with client certificates (as shipped):"
            } else {
                "without client authentication (--insecure-no-client-auth), for comparison:"
            }
        );
        table(&addr, &serving.ca_pem, cert, &bodies);
        let _ = Command::new("kill").arg(child.id().to_string()).status();
        let _ = child.wait();
    }
}

/// Starts `kseal webhook ARGS` on a free loopback port, its log drained into `log` (one line per
/// request, as a Pod's log would be); returns the process and the address.
fn start_webhook(args: &[std::ffi::OsString], log: &std::path::Path) -> (std::process::Child, String) {
    let log = std::fs::File::create(log).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kseal"))
        .args(["webhook", "--listen", "127.0.0.1:0"])
        .args(args)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("the webhook exited").unwrap();
        if let Some(rest) = line.split("listening on https://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || {
        use std::io::Write;
        let mut log = std::io::BufWriter::new(log);
        for l in lines.map_while(Result::ok) {
            let _ = writeln!(log, "{l}");
        }
    });
    (child, addr)
}

/// The latency table for one running webhook, and the cost of a new connection.
fn table(addr: &str, ca: &str, me: Option<&(String, String)>, bodies: &Arc<Vec<Vec<u8>>>) {
    run(addr, ca, me, bodies, 4, None); // warm-up: connections, caches, page faults
    println!(
        "{:>8} {:>14} {:>9} {:>9} {:>9} {:>11}  target",
        "clients", "load", "p50 ms", "p99 ms", "max ms", "writes/s"
    );
    for (clients, rate) in [(1, None), (100, None), (100, Some(1000.0)), (100, Some(2000.0))] {
        let (lat, wall) = run(addr, ca, me, bodies, clients, rate);
        let p99 = percentile(&lat, 0.99);
        let load = match rate {
            None => "closed loop".to_string(),
            Some(r) => format!("{r:.0}/s paced"),
        };
        let target = if clients == 100 {
            format!("p99 <= 10 ms: {}", if p99 <= 10.0 { "met" } else { "NOT met" })
        } else {
            String::new()
        };
        println!(
            "{clients:>8} {load:>14} {:>9.2} {p99:>9.2} {:>9.2} {:>11.0}  {target}",
            percentile(&lat, 0.50),
            lat.last().unwrap().as_secs_f64() * 1000.0,
            lat.len() as f64 / wall.as_secs_f64(),
        );
    }
    // A new connection's cost: TCP, TLS 1.3 with the certificates checked, and one request.
    let mut hs: Vec<Duration> = (0..200)
        .map(|_| {
            let t = Instant::now();
            let mut c = https::Client::connect(addr, ca, me.map(|m| (m.0.as_str(), m.1.as_str()))).unwrap();
            assert_eq!(c.request("GET", "/healthz", b"").unwrap().0, 200);
            t.elapsed()
        })
        .collect();
    hs.sort();
    println!(
        "new connection + 1 request: p50 {:.2} ms, p99 {:.2} ms (200, one at a time)",
        percentile(&hs, 0.50),
        percentile(&hs, 0.99)
    );
}
