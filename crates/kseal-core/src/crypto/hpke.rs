//! RFC 9180 HPKE, base mode, single shot, for exactly one suite:
//! DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / ChaCha20Poly1305 (kem 0x0020, kdf 0x0001, aead 0x0003).
//!
//! Written here on top of `x25519-dalek`, `hkdf` and `chacha20poly1305` (the primitives the format
//! names) rather than taken from the `hpke` crate, although that crate is compiled in through `age`:
//! one suite and one mode are ~150 lines, every step is checked against the RFC 9180 A.2.1 vectors
//! in `testdata/hpke/`, and it keeps the `hpke` crate an *independent* implementation, which
//! `tests/vectors.rs` uses to open every stanza of every kseal vector. Were kseal built on that
//! crate, the cross-check would compare it with itself.

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce, Tag};
use hkdf::{Hkdf, HkdfExtract};
use sha2::Sha256;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

/// Length of the encapsulated key `enc` (an X25519 public key).
pub const ENC_LEN: usize = 32;
/// Length of the ChaCha20Poly1305 tag.
pub const TAG_LEN: usize = 16;

const KEM_SUITE_ID: &[u8] = b"KEM\x00\x20";
const HPKE_SUITE_ID: &[u8] = b"HPKE\x00\x20\x00\x01\x00\x03";
const MODE_BASE: u8 = 0x00;

/// Why an HPKE operation failed. Deliberately carries no data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HpkeError {
    /// The X25519 shared secret was all zeros (a low-order public key): RFC 9180 §7.1.4.
    NonContributory,
    /// The AEAD tag did not verify: wrong key, wrong `aad`, or altered ciphertext.
    Open,
}

/// `LabeledExtract(salt, label, ikm)` = HKDF-Extract(salt, "HPKE-v1" || suite_id || label || ikm),
/// returned both as PRK bytes (which the key schedule hashes) and as a ready HKDF-Expand state.
fn labeled_extract_prk(suite_id: &[u8], salt: &[u8], label: &[u8], ikm: &[u8]) -> ([u8; 32], Hkdf<Sha256>) {
    let mut ext = HkdfExtract::<Sha256>::new(Some(salt));
    for part in [b"HPKE-v1".as_slice(), suite_id, label, ikm] {
        ext.input_ikm(part);
    }
    let (prk, hkdf) = ext.finalize();
    (prk.into(), hkdf)
}

fn labeled_extract(suite_id: &[u8], salt: &[u8], label: &[u8], ikm: &[u8]) -> Hkdf<Sha256> {
    labeled_extract_prk(suite_id, salt, label, ikm).1
}

/// `LabeledExpand(prk, label, info, L)` = HKDF-Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id || label || info, L).
fn labeled_expand(prk: &Hkdf<Sha256>, suite_id: &[u8], label: &[u8], info: &[u8], out: &mut [u8]) {
    let len = (out.len() as u16).to_be_bytes();
    prk.expand_multi_info(&[&len, b"HPKE-v1", suite_id, label, info], out)
        .expect("HPKE output lengths are far below 255 * 32");
}

/// DHKEM `ExtractAndExpand(dh, kem_context)`.
fn extract_and_expand(dh: &[u8; 32], enc: &[u8; 32], pk_r: &[u8; 32]) -> Zeroizing<[u8; 32]> {
    let prk = labeled_extract(KEM_SUITE_ID, b"", b"eae_prk", dh);
    let mut kem_context = [0u8; 64];
    kem_context[..32].copy_from_slice(enc);
    kem_context[32..].copy_from_slice(pk_r);
    let mut shared = Zeroizing::new([0u8; 32]);
    labeled_expand(
        &prk,
        KEM_SUITE_ID,
        b"shared_secret",
        &kem_context,
        shared.as_mut(),
    );
    shared
}

/// DHKEM `DeriveKeyPair(ikm)` for X25519: the private key is the expanded bytes, clamped by X25519.
pub fn derive_key_pair(ikm: &[u8]) -> StaticSecret {
    let prk = labeled_extract(KEM_SUITE_ID, b"", b"dkp_prk", ikm);
    let mut sk = Zeroizing::new([0u8; 32]);
    labeled_expand(&prk, KEM_SUITE_ID, b"sk", b"", sk.as_mut());
    StaticSecret::from(*sk)
}

/// DHKEM `Encap(pkR)` with a given ephemeral secret: returns (shared_secret, enc).
pub fn encap(pk_r: &PublicKey, sk_e: &StaticSecret) -> Result<(Zeroizing<[u8; 32]>, [u8; 32]), HpkeError> {
    let dh = sk_e.diffie_hellman(pk_r);
    if !dh.was_contributory() {
        return Err(HpkeError::NonContributory);
    }
    let enc = PublicKey::from(sk_e).to_bytes();
    Ok((extract_and_expand(dh.as_bytes(), &enc, pk_r.as_bytes()), enc))
}

/// DHKEM `Decap(enc, skR)`: returns shared_secret. `pk_r` is the public key of `sk_r`, which
/// callers keep: deriving it again would double the cost of opening.
pub fn decap(
    enc: &[u8; 32],
    sk_r: &StaticSecret,
    pk_r: &PublicKey,
) -> Result<Zeroizing<[u8; 32]>, HpkeError> {
    let pk_e = PublicKey::from(*enc);
    let dh = sk_r.diffie_hellman(&pk_e);
    if !dh.was_contributory() {
        return Err(HpkeError::NonContributory);
    }
    Ok(extract_and_expand(dh.as_bytes(), enc, pk_r.as_bytes()))
}

/// The base-mode `key_schedule_context` = mode || psk_id_hash || info_hash.
pub fn key_schedule_context(info: &[u8]) -> [u8; 65] {
    let psk_id_hash = labeled_extract_prk(HPKE_SUITE_ID, b"", b"psk_id_hash", b"").0;
    let info_hash = labeled_extract_prk(HPKE_SUITE_ID, b"", b"info_hash", info).0;
    let mut ctx = [0u8; 65];
    ctx[0] = MODE_BASE;
    ctx[1..33].copy_from_slice(&psk_id_hash);
    ctx[33..].copy_from_slice(&info_hash);
    ctx
}

/// The AEAD key and base nonce of a base-mode context (psk = "").
pub struct Context {
    /// The AEAD key.
    pub key: Zeroizing<[u8; 32]>,
    /// The base nonce (RFC 9180 §5.2).
    pub base_nonce: [u8; 12],
}

/// Base-mode `KeySchedule` after the context hash: `secret = LabeledExtract(shared_secret, "secret", "")`.
pub fn key_schedule(shared_secret: &[u8; 32], ksc: &[u8; 65]) -> Context {
    let secret = labeled_extract(HPKE_SUITE_ID, shared_secret, b"secret", b"");
    let mut key = Zeroizing::new([0u8; 32]);
    labeled_expand(&secret, HPKE_SUITE_ID, b"key", ksc, key.as_mut());
    let mut base_nonce = [0u8; 12];
    labeled_expand(&secret, HPKE_SUITE_ID, b"base_nonce", ksc, &mut base_nonce);
    Context { key, base_nonce }
}

/// The context's `exporter_secret` (only the test vectors use it; kseal exports nothing).
#[cfg(test)]
fn exporter_secret(shared_secret: &[u8; 32], ksc: &[u8; 65]) -> [u8; 32] {
    let secret = labeled_extract(HPKE_SUITE_ID, shared_secret, b"secret", b"");
    let mut out = [0u8; 32];
    labeled_expand(&secret, HPKE_SUITE_ID, b"exp", ksc, &mut out);
    out
}

/// `ComputeNonce(seq)` = base_nonce XOR I2OSP(seq, Nn).
fn compute_nonce(base_nonce: &[u8; 12], seq: u64) -> [u8; 12] {
    let mut nonce = *base_nonce;
    for (n, s) in nonce[4..].iter_mut().zip(seq.to_be_bytes()) {
        *n ^= s;
    }
    nonce
}

impl Context {
    /// `ContextS.Seal(aad, pt)` at sequence number `seq`; appends the ciphertext and tag to `out`.
    pub fn seal_into(&self, seq: u64, aad: &[u8], plaintext: &[u8], out: &mut Vec<u8>) {
        let cipher = ChaCha20Poly1305::new(Key::from_slice(self.key.as_ref()));
        let nonce = compute_nonce(&self.base_nonce, seq);
        let start = out.len();
        out.extend_from_slice(plaintext);
        let tag = cipher
            .encrypt_in_place_detached(Nonce::from_slice(&nonce), aad, &mut out[start..])
            .expect("ChaCha20Poly1305 accepts any message below 256 GiB");
        out.extend_from_slice(&tag);
    }

    /// `ContextR.Open(aad, ct)` at sequence number `seq`.
    pub fn open(&self, seq: u64, aad: &[u8], ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, HpkeError> {
        if ciphertext.len() < TAG_LEN {
            return Err(HpkeError::Open);
        }
        let (ct, tag) = ciphertext.split_at(ciphertext.len() - TAG_LEN);
        let cipher = ChaCha20Poly1305::new(Key::from_slice(self.key.as_ref()));
        let nonce = compute_nonce(&self.base_nonce, seq);
        let mut buf = Zeroizing::new(ct.to_vec());
        cipher
            .decrypt_in_place_detached(Nonce::from_slice(&nonce), aad, &mut buf, Tag::from_slice(tag))
            .map_err(|_| HpkeError::Open)?;
        Ok(buf)
    }
}

/// Single-shot `SealBase(pkR, info, aad, pt)` with a given ephemeral secret; appends
/// `enc || ciphertext` to `out`. `ksc` is [`key_schedule_context`] of `info`, which callers
/// compute once: it does not depend on the keys.
pub fn seal_base(
    pk_r: &PublicKey,
    sk_e: &StaticSecret,
    ksc: &[u8; 65],
    aad: &[u8],
    plaintext: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), HpkeError> {
    let (shared, enc) = encap(pk_r, sk_e)?;
    let ctx = key_schedule(&shared, ksc);
    out.extend_from_slice(&enc);
    ctx.seal_into(0, aad, plaintext, out);
    Ok(())
}

/// Single-shot `OpenBase(enc, skR, info, aad, ct)` on `enc || ciphertext`; `ksc` as for
/// [`seal_base`], `pk_r` as for [`decap`].
pub fn open_base(
    sk_r: &StaticSecret,
    pk_r: &PublicKey,
    ksc: &[u8; 65],
    aad: &[u8],
    enc_and_ct: &[u8],
) -> Result<Zeroizing<Vec<u8>>, HpkeError> {
    if enc_and_ct.len() < ENC_LEN + TAG_LEN {
        return Err(HpkeError::Open);
    }
    let (enc, ct) = enc_and_ct.split_at(ENC_LEN);
    let enc: [u8; 32] = enc.try_into().expect("split at 32");
    let shared = decap(&enc, sk_r, pk_r)?;
    key_schedule(&shared, ksc).open(0, aad, ct)
}

#[cfg(test)]
mod tests {
    //! RFC 9180 Appendix A.2.1 (DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305, base mode).
    use super::*;

    struct Vector(serde_json::Value);

    impl Vector {
        fn load() -> Self {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../testdata/hpke/rfc9180-a2-1.json"
            );
            Vector(serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap())
        }
        fn hex(&self, field: &str) -> Vec<u8> {
            hex::decode(self.0[field].as_str().unwrap()).unwrap()
        }
        fn arr32(&self, field: &str) -> [u8; 32] {
            self.hex(field).try_into().unwrap()
        }
    }

    #[test]
    fn rfc9180_a21_derive_key_pair() {
        let v = Vector::load();
        let sk_e = derive_key_pair(&v.hex("ikmE"));
        assert_eq!(sk_e.to_bytes().to_vec(), v.hex("skEm"));
        assert_eq!(PublicKey::from(&sk_e).to_bytes().to_vec(), v.hex("pkEm"));
        let sk_r = derive_key_pair(&v.hex("ikmR"));
        assert_eq!(sk_r.to_bytes().to_vec(), v.hex("skRm"));
        assert_eq!(PublicKey::from(&sk_r).to_bytes().to_vec(), v.hex("pkRm"));
    }

    #[test]
    fn rfc9180_a21_encap_decap_and_key_schedule() {
        let v = Vector::load();
        let sk_e = StaticSecret::from(v.arr32("skEm"));
        let pk_r = PublicKey::from(v.arr32("pkRm"));
        let (shared, enc) = encap(&pk_r, &sk_e).unwrap();
        assert_eq!(enc.to_vec(), v.hex("enc"));
        assert_eq!(shared.to_vec(), v.hex("shared_secret"));

        let sk_r = StaticSecret::from(v.arr32("skRm"));
        let shared_r = decap(&enc, &sk_r, &pk_r).unwrap();
        assert_eq!(*shared_r, *shared);

        let ksc = key_schedule_context(&v.hex("info"));
        assert_eq!(ksc.to_vec(), v.hex("key_schedule_context"));
        let ctx = key_schedule(&shared, &ksc);
        assert_eq!(ctx.key.to_vec(), v.hex("key"));
        assert_eq!(ctx.base_nonce.to_vec(), v.hex("base_nonce"));
        assert_eq!(exporter_secret(&shared, &ksc).to_vec(), v.hex("exporter_secret"));
    }

    #[test]
    fn rfc9180_a21_encryptions() {
        let v = Vector::load();
        let shared: [u8; 32] = v.arr32("shared_secret");
        let ctx = key_schedule(&shared, &key_schedule_context(&v.hex("info")));
        let pt = v.hex("plaintext");
        let encs = v.0["encryptions"].as_array().unwrap();
        assert!(encs.len() >= 3);
        for e in encs {
            let seq = e["seq"].as_u64().unwrap();
            let aad = hex::decode(e["aad"].as_str().unwrap()).unwrap();
            let want = hex::decode(e["ct"].as_str().unwrap()).unwrap();
            let mut ct = Vec::new();
            ctx.seal_into(seq, &aad, &pt, &mut ct);
            assert_eq!(ct, want, "seq {seq}");
            assert_eq!(ctx.open(seq, &aad, &want).unwrap().to_vec(), pt);
            assert_eq!(ctx.open(seq + 1, &aad, &want), Err(HpkeError::Open));
        }
    }

    #[test]
    fn single_shot_round_trip_and_rejections() {
        let sk_r = derive_key_pair(b"recipient");
        let pk_r = PublicKey::from(&sk_r);
        let sk_e = derive_key_pair(b"ephemeral");
        let ksc = key_schedule_context(b"kseal v1");
        let mut out = Vec::new();
        seal_base(&pk_r, &sk_e, &ksc, b"aad", b"hello", &mut out).unwrap();
        assert_eq!(out.len(), ENC_LEN + 5 + TAG_LEN);
        assert_eq!(
            open_base(&sk_r, &pk_r, &ksc, b"aad", &out).unwrap().to_vec(),
            b"hello"
        );
        assert_eq!(open_base(&sk_r, &pk_r, &ksc, b"aaD", &out), Err(HpkeError::Open));
        let wrong = derive_key_pair(b"someone else");
        assert_eq!(
            open_base(&wrong, &PublicKey::from(&wrong), &ksc, b"aad", &out),
            Err(HpkeError::Open)
        );
        assert_eq!(
            open_base(&sk_r, &pk_r, &ksc, b"aad", &out[..40]),
            Err(HpkeError::Open)
        );
        // A low-order point as enc (here the all-zero key) gives an all-zero DH output.
        let mut bad = out.clone();
        bad[..32].fill(0);
        assert_eq!(
            open_base(&sk_r, &pk_r, &ksc, b"aad", &bad),
            Err(HpkeError::NonContributory)
        );
    }
}
