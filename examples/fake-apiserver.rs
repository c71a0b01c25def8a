//! Runs the project's fake Kubernetes API server (tests/fake_apiserver) until stdin closes, and
//! writes a kubeconfig pointing at it. For scripts/bench-apply and for trying kseal by hand:
//!
//!     cargo run --example fake-apiserver -- /tmp/kubeconfig [LATENCY_MS]
//!     kseal --kubeconfig /tmp/kubeconfig apply manifests/

use kseal_fake_apiserver as fake_apiserver;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = std::path::PathBuf::from(
        args.next()
            .expect("usage: fake-apiserver KUBECONFIG [LATENCY_MS]"),
    );
    let fake = fake_apiserver::FakeApiServer::start();
    if let Some(ms) = args.next() {
        fake.set_latency_ms(ms.parse().expect("LATENCY_MS is a number"));
    }
    fake.kubeconfig(&path, &[("fake", None, None)]);
    println!("{}", fake.url());
    // Serve until the parent closes stdin, then report what was asked of us.
    let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new());
    let requests = fake.requests();
    let writes = requests.iter().filter(|r| r.is_write()).count();
    eprintln!("fake-apiserver: {} requests, {writes} writes", requests.len());
}
