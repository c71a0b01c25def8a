//! Any string as a sealed value: parsing never panics, a parsed value re-encodes to the same
//! string, and opening it (with the TEST ONLY key A) either fails cleanly or yields a value that
//! re-seals and opens again.
#![no_main]

use kseal_core::crypto::{keys, Binding, SealedValue};
use libfuzzer_sys::fuzz_target;

fn identity() -> &'static keys::Identity {
    static ID: std::sync::OnceLock<keys::Identity> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        let text = include_str!("../../keys/test-a.agekey");
        keys::parse_identities(text).unwrap().remove(0)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    // The data form (base64 of the string) must agree with the string form.
    if let Ok(d) = SealedValue::parse_data(s) {
        assert_eq!(SealedValue::parse(&d.encode()).unwrap(), d);
    }
    let Ok(v) = SealedValue::parse(s) else { return };
    assert_eq!(v.encode(), s, "parse/encode round trip");
    assert_eq!(SealedValue::parse_data(&v.encode_data()).unwrap(), v);
    let bind = Binding { namespace: "ns", name: "name", key: "key" };
    let id = identity();
    if let Ok(plain) = v.open(std::slice::from_ref(id), &bind) {
        let again = kseal_core::crypto::sealed::seal(&plain, std::slice::from_ref(id.recipient()), v.scope, &bind).unwrap();
        let reopened = SealedValue::parse(&again).unwrap().open(std::slice::from_ref(id), &bind).unwrap();
        assert_eq!(reopened.as_slice(), plain.as_slice());
    }
});
