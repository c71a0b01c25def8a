//! Seal and open per value, against the bare cost of the X25519 operations they need (seal: the
//! ephemeral key and the Diffie-Hellman; open: the Diffie-Hellman), and sealing a 1,000-Secret x
//! 5-key file. Targets: seal within 1.3x of two X25519 operations, open within 1.3x of one.
//! Whole-process figures on every core: `scripts/bench-seal`.

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use kseal::crypto::sealed::{seal, SealedValue};
use kseal::crypto::{Binding, Identity, Scope};
use kseal::Location;
use kseal::{manifest, policy::Policy};
use rand_core::OsRng;
use x25519_dalek::{PublicKey, StaticSecret};

const BINDING: Binding<'static> = Binding {
    namespace: "prod",
    name: "db",
    key: "password",
};

/// A file of `secrets` Secrets with `keys` stringData values each.
pub fn generated_file(secrets: usize, keys: usize) -> String {
    let mut s = String::with_capacity(secrets * (120 + keys * 40));
    for i in 0..secrets {
        s.push_str(&format!(
            "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: app-{i}\n  namespace: bench\nstringData:\n"
        ));
        for k in 0..keys {
            s.push_str(&format!("  key-{k}: value-{i}-{k}-0123456789abcdef\n"));
        }
    }
    s
}

fn per_value(c: &mut Criterion) {
    let id = Identity::generate();
    let recipient = id.recipient().clone();
    let mut g = c.benchmark_group("per_value");
    g.throughput(Throughput::Elements(1));

    g.bench_function("baseline_two_x25519", |b| {
        let pk = *recipient.public();
        b.iter(|| {
            let sk_e = StaticSecret::random_from_rng(OsRng);
            let enc = PublicKey::from(&sk_e);
            black_box((enc, sk_e.diffie_hellman(&pk)))
        })
    });
    g.bench_function("seal", |b| {
        let rs = [recipient.clone()];
        b.iter(|| {
            seal(
                black_box(b"correct horse battery staple"),
                &rs,
                Scope::Strict,
                &BINDING,
            )
            .unwrap()
        })
    });
    let sealed = SealedValue::parse(
        &seal(
            b"correct horse battery staple",
            &[recipient],
            Scope::Strict,
            &BINDING,
        )
        .unwrap(),
    )
    .unwrap();
    let ids = [id];
    g.bench_function("baseline_one_x25519", |b| {
        let sk = StaticSecret::random_from_rng(OsRng);
        let pk = PublicKey::from(&StaticSecret::random_from_rng(OsRng));
        b.iter(|| black_box(sk.diffie_hellman(black_box(&pk))))
    });
    g.bench_function("open", |b| {
        b.iter(|| sealed.open(black_box(&ids), &BINDING).unwrap())
    });
    g.finish();
}

fn whole_file(c: &mut Criterion) {
    let id = Identity::generate();
    let text = generated_file(1000, 5);
    let policy = Policy {
        recipients: vec![id.recipient().clone()],
        scope: Scope::Strict,
        namespace: None,
    };
    let file = Location::file("bench.yaml");
    let mut g = c.benchmark_group("file_1000x5");
    g.sample_size(10);
    g.throughput(Throughput::Elements(5000));
    g.bench_function("seal", |b| {
        b.iter_batched(
            || (),
            |()| manifest::seal::seal(&text, &file, &policy).unwrap(),
            BatchSize::PerIteration,
        )
    });
    let sealed = manifest::seal::seal(&text, &file, &policy).unwrap().text;
    let ids = [id];
    g.bench_function("open", |b| {
        b.iter(|| manifest::open::open(&sealed, &file, &ids, None).unwrap())
    });
    g.finish();
}

criterion_group!(benches, per_value, whole_file);
criterion_main!(benches);
