//! `verify` of one Secret with 4,000 / 40,000 / 80,000 / 400,000 sealed keys (issue 36): parsing
//! and checking must be linear in the input, the same cost per key at every size. Every key holds
//! the same sealed value (verify reads its header, scope and kids; without the private key it
//! cannot tell one ciphertext from another), so the file is made in a moment.
//! Whole numbers: `cargo bench --bench verify`; the per-key time is the reported time / keys.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use kseal::crypto::sealed::seal;
use kseal::crypto::{Binding, Identity, Scope};
use kseal::manifest::verify::{verify, Expectation};
use kseal::Location;

/// A Secret with `keys` stringData keys, each the same namespace-scoped sealed value.
fn secret_with(keys: usize, sealed: &str) -> String {
    let mut s = String::with_capacity(keys * (sealed.len() + 16) + 100);
    s.push_str("apiVersion: v1\nkind: Secret\nmetadata:\n  name: big\n  namespace: bench\nstringData:\n");
    for k in 0..keys {
        s.push_str(&format!("  key-{k:06}: {sealed}\n"));
    }
    s
}

fn verify_scale(c: &mut Criterion) {
    let id = Identity::generate();
    let binding = Binding {
        namespace: "bench",
        name: "big",
        key: "key",
    };
    let sealed = seal(b"value", &[id.recipient().clone()], Scope::Namespace, &binding).unwrap();
    let location = Location::file("bench.yaml");
    let expect = Expectation::default();
    let mut g = c.benchmark_group("verify_keys");
    g.sample_size(10);
    for keys in [4_000usize, 40_000, 80_000, 400_000] {
        let text = secret_with(keys, &sealed);
        g.throughput(Throughput::Elements(keys as u64));
        g.bench_function(format!("{keys}"), |b| {
            b.iter(|| {
                let problems = verify(black_box(&text), &location, &expect).unwrap();
                assert!(problems.is_empty());
            })
        });
    }
    g.finish();
}

criterion_group!(benches, verify_scale);
criterion_main!(benches);
