//! kseal's own test vectors (testdata/vectors/v1.json), checked both ways: each stored sealed
//! string opens to its plaintext, and sealing the plaintext again with the stored ephemeral keys
//! reproduces it byte for byte. `cargo test --test vectors -- --ignored regenerate` rewrites the
//! file (only needed if the format changes, which would make it v2).

mod common;

use kseal::crypto::hpke::derive_key_pair;
use kseal::crypto::sealed::{pad, seal_with_ephemerals, OpenError};
use kseal::crypto::{Binding, Identity, Recipient, Scope, SealedValue};
use serde_json::{json, Value};
use x25519_dalek::StaticSecret;

fn path() -> std::path::PathBuf {
    common::testdata("vectors/v1.json")
}

struct Case {
    name: &'static str,
    recipients: &'static [&'static str],
    scope: Scope,
    namespace: &'static str,
    secret: &'static str,
    key: &'static str,
    plaintext: &'static [u8],
}

const CASES: &[Case] = &[
    Case {
        name: "strict, one recipient, text",
        recipients: &["r1"],
        scope: Scope::Strict,
        namespace: "prod",
        secret: "db",
        key: "password",
        plaintext: b"correct horse battery staple",
    },
    Case {
        name: "strict, empty value",
        recipients: &["r1"],
        scope: Scope::Strict,
        namespace: "prod",
        secret: "db",
        key: "empty",
        plaintext: b"",
    },
    Case {
        name: "strict, exactly 32 bytes (two padding blocks)",
        recipients: &["r1"],
        scope: Scope::Strict,
        namespace: "a",
        secret: "b",
        key: "c",
        plaintext: b"0123456789abcdef0123456789abcdef",
    },
    Case {
        name: "namespace scope, binary bytes, two recipients",
        recipients: &["r1", "r2"],
        scope: Scope::Namespace,
        namespace: "payments",
        secret: "ignored-by-scope",
        key: "ignored-by-scope",
        plaintext: &[0x00, 0x80, 0xff, 0x00, 0x00, 0x80],
    },
    Case {
        name: "cluster scope, UTF-8, three recipients",
        recipients: &["r1", "r2", "r3"],
        scope: Scope::Cluster,
        namespace: "",
        secret: "",
        key: "",
        plaintext: "pässwörd ✓ 🔑".as_bytes(),
    },
];

fn identity(label: &str) -> Identity {
    Identity::from_secret(derive_key_pair(
        format!("kseal test vector recipient {label}").as_bytes(),
    ))
}

fn ephemeral(case: usize, i: usize) -> StaticSecret {
    derive_key_pair(format!("kseal test vector ephemeral {case}.{i}").as_bytes())
}

#[test]
#[ignore = "rewrites testdata/vectors/v1.json"]
fn regenerate() {
    let mut vectors = Vec::new();
    for (ci, c) in CASES.iter().enumerate() {
        let ids: Vec<Identity> = c.recipients.iter().map(|l| identity(l)).collect();
        let rs: Vec<Recipient> = ids.iter().map(|i| i.recipient().clone()).collect();
        let eph: Vec<StaticSecret> = (0..rs.len()).map(|i| ephemeral(ci, i)).collect();
        let b = Binding {
            namespace: c.namespace,
            name: c.secret,
            key: c.key,
        };
        let sealed = seal_with_ephemerals(c.plaintext, &rs, c.scope, &b, &eph).unwrap();
        vectors.push(json!({
            "name": c.name,
            "identities": ids.iter().map(|i| i.to_age_string().to_string()).collect::<Vec<_>>(),
            "recipients": rs.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
            "kids": rs.iter().map(|r| r.kid().to_string()).collect::<Vec<_>>(),
            "scope": c.scope.as_str(),
            "namespace": c.namespace,
            "secret": c.secret,
            "key": c.key,
            "plaintext_hex": hex::encode(c.plaintext),
            "padded_hex": hex::encode(pad(c.plaintext).as_slice()),
            "aad_hex": hex::encode(b.aad(c.scope)),
            "ephemeral_secrets_hex": eph.iter().map(|e| hex::encode(e.to_bytes())).collect::<Vec<_>>(),
            "sealed": sealed,
        }));
    }
    let doc = json!({
        "description": "kseal sealed value format v1 test vectors (docs/FORMAT.md). TEST ONLY keys. Each pair is HPKE base mode, DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / ChaCha20Poly1305, info = \"kseal v1\", with the given ephemeral secret key per recipient (in recipient order).",
        "vectors": vectors,
    });
    std::fs::write(path(), serde_json::to_string_pretty(&doc).unwrap() + "\n").unwrap();
}

fn load() -> Vec<Value> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path()).unwrap()).unwrap();
    let v = doc["vectors"].as_array().unwrap().clone();
    assert!(v.len() >= 5);
    v
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn stored_sealed_strings_open_to_their_plaintext() {
    for v in load() {
        let name = v["name"].as_str().unwrap();
        let ids: Vec<Identity> = strs(&v["identities"])
            .iter()
            .map(|s| Identity::from_age_str(s).unwrap())
            .collect();
        let sealed = SealedValue::parse(v["sealed"].as_str().unwrap()).unwrap();
        assert_eq!(sealed.scope.as_str(), v["scope"].as_str().unwrap());
        assert_eq!(
            sealed.kids().iter().map(|k| k.to_string()).collect::<Vec<_>>(),
            strs(&v["kids"]),
            "{name}"
        );
        let b = Binding {
            namespace: v["namespace"].as_str().unwrap(),
            name: v["secret"].as_str().unwrap(),
            key: v["key"].as_str().unwrap(),
        };
        assert_eq!(
            hex::encode(b.aad(sealed.scope)),
            v["aad_hex"].as_str().unwrap(),
            "{name}"
        );
        let want = hex::decode(v["plaintext_hex"].as_str().unwrap()).unwrap();
        // Every recipient opens it on its own.
        for id in &ids {
            assert_eq!(
                sealed.open(std::slice::from_ref(id), &b).unwrap().as_slice(),
                want.as_slice(),
                "{name}"
            );
        }
        if sealed.scope == Scope::Strict {
            let moved = Binding { key: "moved", ..b };
            assert!(
                matches!(sealed.open(&ids, &moved), Err(OpenError::BindingMismatch(_))),
                "{name}"
            );
        }
    }
}

#[test]
fn sealing_with_the_stored_ephemeral_keys_reproduces_each_vector() {
    for v in load() {
        let name = v["name"].as_str().unwrap();
        let rs: Vec<Recipient> = strs(&v["recipients"])
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let ids: Vec<Identity> = strs(&v["identities"])
            .iter()
            .map(|s| Identity::from_age_str(s).unwrap())
            .collect();
        assert_eq!(
            rs,
            ids.iter().map(|i| i.recipient().clone()).collect::<Vec<_>>(),
            "{name}"
        );
        let eph: Vec<StaticSecret> = strs(&v["ephemeral_secrets_hex"])
            .iter()
            .map(|h| StaticSecret::from(<[u8; 32]>::try_from(hex::decode(h).unwrap()).unwrap()))
            .collect();
        let plaintext = hex::decode(v["plaintext_hex"].as_str().unwrap()).unwrap();
        assert_eq!(
            hex::encode(pad(&plaintext).as_slice()),
            v["padded_hex"].as_str().unwrap(),
            "{name}"
        );
        let scope = Scope::parse(v["scope"].as_str().unwrap()).unwrap();
        let b = Binding {
            namespace: v["namespace"].as_str().unwrap(),
            name: v["secret"].as_str().unwrap(),
            key: v["key"].as_str().unwrap(),
        };
        let sealed = seal_with_ephemerals(&plaintext, &rs, scope, &b, &eph).unwrap();
        assert_eq!(sealed, v["sealed"].as_str().unwrap(), "{name}");
    }
}

/// An independent HPKE implementation (the `hpke` crate, which `age` itself depends on) opens
/// every pair of every vector: kseal's hand-written suite matches RFC 9180 beyond the A.2.1 values.
#[test]
fn an_independent_hpke_implementation_opens_every_vector() {
    use hpke::{
        aead::ChaCha20Poly1305, kdf::HkdfSha256, kem::X25519HkdfSha256, Deserializable, Kem, OpModeR,
    };
    for v in load() {
        let name = v["name"].as_str().unwrap();
        let sealed = SealedValue::parse(v["sealed"].as_str().unwrap()).unwrap();
        let padded = hex::decode(v["padded_hex"].as_str().unwrap()).unwrap();
        let aad = hex::decode(v["aad_hex"].as_str().unwrap()).unwrap();
        for (id_str, (_, payload)) in strs(&v["identities"]).iter().zip(&sealed.pairs) {
            // The raw secret key is the Bech32 payload of the age identity.
            let (_, data) = bech32::decode(id_str).unwrap();
            let sk = <X25519HkdfSha256 as Kem>::PrivateKey::from_bytes(&data).unwrap();
            let enc = <X25519HkdfSha256 as Kem>::EncappedKey::from_bytes(&payload[..32]).unwrap();
            let pt = hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, X25519HkdfSha256>(
                &OpModeR::Base,
                &sk,
                &enc,
                b"kseal v1",
                &payload[32..],
                &aad,
            )
            .unwrap();
            assert_eq!(pt, padded, "{name}");
        }
    }
}
