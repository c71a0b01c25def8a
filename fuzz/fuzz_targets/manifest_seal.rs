//! Any bytes as a manifest file: `seal` either returns a clean error, or output whose re-parse is
//! the input's tree with only Secret values replaced, each by a sealed value.
#![no_main]

use kseal_core::crypto::{keys, Scope};
use kseal_core::manifest::tree::{self, Node, NodeKind};
use kseal_core::manifest::seal::seal;
use kseal_core::policy::Policy;
use kseal_core::Location;
use libfuzzer_sys::fuzz_target;

fn recipient() -> &'static keys::Recipient {
    static R: std::sync::OnceLock<keys::Recipient> = std::sync::OnceLock::new();
    R.get_or_init(|| keys::parse_recipients(include_str!("../../keys/test-a.pub")).unwrap().remove(0))
}

/// Same shape and scalars, except scalars that became sealed values. Returns how many did.
fn same_but_sealed(a: &Node, b: &Node) -> usize {
    match (&a.kind, &b.kind) {
        (NodeKind::Scalar { value: x, .. }, NodeKind::Scalar { value: y, .. }) => {
            if x == y {
                0
            } else {
                // stringData holds the sealed string, data its base64.
                assert!(
                    y.starts_with("kseal:v3:") || y.starts_with("a3NlYWw6djM6"),
                    "a scalar changed into something not sealed"
                );
                1
            }
        }
        (NodeKind::Mapping { entries: x, .. }, NodeKind::Mapping { entries: y, .. }) => {
            assert_eq!(x.len(), y.len(), "mapping size changed");
            x.iter()
                .zip(y)
                .map(|((ka, va), (kb, vb))| {
                    assert_eq!(ka.as_str(), kb.as_str(), "a key changed");
                    same_but_sealed(va, vb)
                })
                .sum()
        }
        (NodeKind::Sequence { items: x, .. }, NodeKind::Sequence { items: y, .. }) => {
            assert_eq!(x.len(), y.len(), "sequence size changed");
            x.iter().zip(y).map(|(a, b)| same_but_sealed(a, b)).sum()
        }
        (NodeKind::Alias, NodeKind::Alias) => 0,
        _ => panic!("node kind changed"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let policy = Policy {
        recipients: vec![recipient().clone()],
        scope: Scope::Strict,
        namespace: Some("fuzz".into()),
    };
    let Ok(out) = seal(src, &Location::file("fuzz.yaml"), &policy) else { return };
    let before = tree::parse(src).expect("seal succeeded, so the input parses");
    let after = tree::parse(&out.text).expect("sealed output must parse");
    assert_eq!(before.len(), after.len(), "document count changed");
    // Removing the last-applied annotation is the one structural change seal makes.
    if !out.notes.is_empty() {
        return;
    }
    let mut changed = 0;
    for (a, b) in before.iter().zip(&after) {
        match (&a.root, &b.root) {
            (Some(a), Some(b)) => changed += same_but_sealed(a, b),
            (None, None) => {}
            _ => panic!("a document appeared or vanished"),
        }
    }
    assert!(changed <= out.sealed, "more scalars changed than were sealed");
    // Sealing again changes nothing.
    let again = seal(&out.text, &Location::file("fuzz.yaml"), &policy).expect("sealed output seals again");
    assert_eq!(again.text.as_str(), out.text.as_str());
});
