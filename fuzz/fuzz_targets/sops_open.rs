//! Any bytes as a SOPS file, opened with the key of the Flux test file: a clean error or a
//! document, never a panic.
#![no_main]

use kseal_core::crypto::keys;
use kseal_core::manifest::sops;
use kseal_core::Location;
use libfuzzer_sys::fuzz_target;

fn identity() -> &'static keys::Identity {
    static ID: std::sync::OnceLock<keys::Identity> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        keys::parse_identities(include_str!("../../testdata/sops/flux_keys_age.txt"))
            .unwrap()
            .remove(0)
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    if sops::is_sops(src) {
        let _ = sops::open(src, &Location::file("fuzz.yaml"), std::slice::from_ref(identity()), false);
    }
});
