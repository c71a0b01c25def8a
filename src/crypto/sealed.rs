//! The sealed value format, version 1 (docs/FORMAT.md):
//!
//! ```text
//! kseal:v1:<scope>:<kid>:<payload>[:<kid>:<payload>]...
//! ```
//!
//! Each `<kid>:<payload>` pair is an independent single-shot HPKE message to one recipient, whose
//! `aad` binds the value to where it may be used ([`Binding`]) and whose plaintext is padded to a
//! multiple of 32 bytes so that the ciphertext does not reveal a value's exact length.

use std::fmt;
use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand_core::OsRng;
use x25519_dalek::StaticSecret;
use zeroize::Zeroizing;

use super::hpke::{self, HpkeError, ENC_LEN, TAG_LEN};
use super::keys::{Identity, Kid, Recipient};

/// The prefix every sealed value starts with. A value without it is plaintext.
pub const PREFIX: &str = "kseal:v1:";
/// HPKE `info` for every kseal v1 message.
pub const INFO: &[u8] = b"kseal v1";
/// Plaintexts are padded to a multiple of this many bytes.
pub const PAD_BLOCK: usize = 32;
/// At most this many recipients per value: enough for several clusters plus recovery keys, and a
/// bound on the work a hostile value can ask of `open` and `verify`.
pub const MAX_RECIPIENTS: usize = 16;
/// The smallest payload: enc, one padding block, tag.
pub const MIN_PAYLOAD: usize = ENC_LEN + PAD_BLOCK + TAG_LEN;

fn ksc() -> &'static [u8; 65] {
    static KSC: OnceLock<[u8; 65]> = OnceLock::new();
    KSC.get_or_init(|| hpke::key_schedule_context(INFO))
}

/// Which context a sealed value is bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Bound to namespace, Secret name and key: the value opens only where it was sealed.
    Strict,
    /// Bound to the namespace: the value may move between Secrets and keys of one namespace.
    Namespace,
    /// Bound to nothing but the cluster key.
    Cluster,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Strict => "strict",
            Scope::Namespace => "namespace",
            Scope::Cluster => "cluster",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "strict" => Some(Scope::Strict),
            "namespace" => Some(Scope::Namespace),
            "cluster" => Some(Scope::Cluster),
            _ => None,
        }
    }

    /// Whether this scope needs a namespace.
    pub fn needs_namespace(self) -> bool {
        self != Scope::Cluster
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a value lives. The `aad` of its HPKE messages is built from the fields its scope names,
/// joined by single 0x00 bytes (Kubernetes names cannot contain 0x00, so the join is unambiguous).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding<'a> {
    pub namespace: &'a str,
    pub name: &'a str,
    pub key: &'a str,
}

impl Binding<'_> {
    pub fn aad(&self, scope: Scope) -> Vec<u8> {
        let parts: &[&str] = match scope {
            Scope::Strict => &["strict", self.namespace, self.name, self.key],
            Scope::Namespace => &["namespace", self.namespace],
            Scope::Cluster => &["cluster"],
        };
        parts.join("\0").into_bytes()
    }
}

/// Why a string is not a well-formed sealed value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("not a kseal v1 value (it does not start with `kseal:v1:`)")]
    NotSealed,
    #[error("unknown scope `{0}` (expected strict, namespace or cluster)")]
    UnknownScope(String),
    #[error("no recipients: a sealed value needs at least one `<kid>:<payload>` pair")]
    NoRecipients,
    #[error("{0} recipients: at most {MAX_RECIPIENTS} are allowed per value")]
    TooManyRecipients(usize),
    #[error("truncated: a kid has no payload after it")]
    MissingPayload,
    #[error("recipient {0}: the kid must be 8 lowercase hex characters")]
    BadKid(usize),
    #[error("recipient {0}: kid {1} appears twice")]
    DuplicateKid(usize, Kid),
    #[error("recipient {0} (kid {1}): the payload is not standard base64 with padding")]
    BadBase64(usize, Kid),
    #[error("recipient {0} (kid {1}): the payload is {2} bytes; it must be 80 or more, and 48 plus a multiple of 32")]
    BadLength(usize, Kid, usize),
}

/// A parsed sealed value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedValue {
    pub scope: Scope,
    /// (kid, enc || ciphertext) per recipient, in order.
    pub pairs: Vec<(Kid, Vec<u8>)>,
}

/// Whether a string is a kseal sealed value (well formed or not).
pub fn is_sealed(s: &str) -> bool {
    s.starts_with(PREFIX)
}

impl SealedValue {
    pub fn parse(s: &str) -> Result<SealedValue, FormatError> {
        let rest = s.strip_prefix(PREFIX).ok_or(FormatError::NotSealed)?;
        let mut fields = rest.split(':');
        let scope_str = fields.next().unwrap_or("");
        let scope = Scope::parse(scope_str).ok_or_else(|| {
            // A scope is a short word; anything long is shown cut so a mangled value is not echoed.
            FormatError::UnknownScope(scope_str.chars().take(20).collect())
        })?;
        let fields: Vec<&str> = fields.collect();
        if fields.is_empty() || fields == [""] {
            return Err(FormatError::NoRecipients);
        }
        if fields.len() % 2 == 1 {
            return Err(FormatError::MissingPayload);
        }
        let n = fields.len() / 2;
        if n > MAX_RECIPIENTS {
            return Err(FormatError::TooManyRecipients(n));
        }
        let mut pairs: Vec<(Kid, Vec<u8>)> = Vec::with_capacity(n);
        for (i, pair) in fields.chunks(2).enumerate() {
            let idx = i + 1;
            let kid = Kid::parse(pair[0]).ok_or(FormatError::BadKid(idx))?;
            if pairs.iter().any(|(k, _)| *k == kid) {
                return Err(FormatError::DuplicateKid(idx, kid));
            }
            let payload = STANDARD
                .decode(pair[1])
                .map_err(|_| FormatError::BadBase64(idx, kid))?;
            if payload.len() < MIN_PAYLOAD || !(payload.len() - ENC_LEN - TAG_LEN).is_multiple_of(PAD_BLOCK) {
                return Err(FormatError::BadLength(idx, kid, payload.len()));
            }
            pairs.push((kid, payload));
        }
        Ok(SealedValue { scope, pairs })
    }

    pub fn kids(&self) -> Vec<Kid> {
        self.pairs.iter().map(|(k, _)| *k).collect()
    }

    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(PREFIX.len() + 10 + self.pairs.len() * 120);
        out.push_str(PREFIX);
        out.push_str(self.scope.as_str());
        for (kid, payload) in &self.pairs {
            out.push(':');
            out.push_str(&kid.to_string());
            out.push(':');
            STANDARD.encode_string(payload, &mut out);
        }
        out
    }
}

/// Appends `0x80` then zeros up to the next multiple of [`PAD_BLOCK`] (always at least one byte).
pub fn pad(value: &[u8]) -> Zeroizing<Vec<u8>> {
    let len = (value.len() / PAD_BLOCK + 1) * PAD_BLOCK;
    let mut out = Zeroizing::new(Vec::with_capacity(len));
    out.extend_from_slice(value);
    out.push(0x80);
    out.resize(len, 0);
    out
}

/// Strips the padding; `None` if it is malformed.
pub fn unpad(mut padded: Zeroizing<Vec<u8>>) -> Option<Zeroizing<Vec<u8>>> {
    if padded.is_empty() || !padded.len().is_multiple_of(PAD_BLOCK) {
        return None;
    }
    let marker = padded.iter().rposition(|&b| b != 0)?;
    if padded[marker] != 0x80 || padded.len() - marker > PAD_BLOCK {
        return None;
    }
    padded.truncate(marker);
    Some(padded)
}

/// Seals `value` to each recipient with fresh ephemeral keys.
pub fn seal(value: &[u8], recipients: &[Recipient], scope: Scope, binding: &Binding) -> String {
    let ephemerals: Vec<StaticSecret> = recipients
        .iter()
        .map(|_| StaticSecret::random_from_rng(OsRng))
        .collect();
    seal_with_ephemerals(value, recipients, scope, binding, &ephemerals)
        .expect("a random ephemeral key is never low order")
}

/// Seals with the given ephemeral secrets, one per recipient. Deterministic: used by the test
/// vectors, which re-derive a stored sealed string from fixed ephemeral keys.
pub fn seal_with_ephemerals(
    value: &[u8],
    recipients: &[Recipient],
    scope: Scope,
    binding: &Binding,
    ephemerals: &[StaticSecret],
) -> Result<String, HpkeError> {
    assert!(!recipients.is_empty() && recipients.len() <= MAX_RECIPIENTS);
    assert_eq!(recipients.len(), ephemerals.len());
    let padded = pad(value);
    let aad = binding.aad(scope);
    let mut pairs = Vec::with_capacity(recipients.len());
    for (r, sk_e) in recipients.iter().zip(ephemerals) {
        let mut payload = Vec::with_capacity(ENC_LEN + padded.len() + TAG_LEN);
        hpke::seal_base(r.public(), sk_e, ksc(), &aad, &padded, &mut payload)?;
        pairs.push((r.kid(), payload));
    }
    Ok(SealedValue { scope, pairs }.encode())
}

/// Why a well-formed sealed value did not open.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("no identity for this value: it is sealed for key {}, you gave {}", list(.sealed_for), list(.given))]
    NoIdentity { sealed_for: Vec<Kid>, given: Vec<Kid> },
    #[error("right key ({0}), but the binding does not match: the value was moved from another namespace, Secret or key, or it was altered")]
    BindingMismatch(Kid),
    #[error("key {0} opened the value but its padding is malformed: the value was not written by kseal")]
    BadPadding(Kid),
}

fn list(kids: &[Kid]) -> String {
    if kids.is_empty() {
        return "none".into();
    }
    kids.iter().map(Kid::to_string).collect::<Vec<_>>().join(", ")
}

impl SealedValue {
    /// Opens with whichever identity matches a kid of the value.
    pub fn open(&self, identities: &[Identity], binding: &Binding) -> Result<Zeroizing<Vec<u8>>, OpenError> {
        let Some((identity, payload)) = self.pairs.iter().find_map(|(kid, payload)| {
            identities
                .iter()
                .find(|id| id.kid() == *kid)
                .map(|id| (id, payload))
        }) else {
            return Err(OpenError::NoIdentity {
                sealed_for: self.kids(),
                given: identities.iter().map(Identity::kid).collect(),
            });
        };
        let aad = binding.aad(self.scope);
        let padded = hpke::open_base(
            identity.secret(),
            identity.recipient().public(),
            ksc(),
            &aad,
            payload,
        )
        .map_err(|_| OpenError::BindingMismatch(identity.kid()))?;
        unpad(padded).ok_or(OpenError::BadPadding(identity.kid()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding() -> Binding<'static> {
        Binding {
            namespace: "prod",
            name: "db",
            key: "password",
        }
    }

    #[test]
    fn aad_joins_scope_fields_with_nul() {
        let b = binding();
        assert_eq!(b.aad(Scope::Strict), b"strict\0prod\0db\0password");
        assert_eq!(b.aad(Scope::Namespace), b"namespace\0prod");
        assert_eq!(b.aad(Scope::Cluster), b"cluster");
    }

    #[test]
    fn padding_fills_to_32_byte_buckets() {
        assert_eq!(pad(b"").len(), 32);
        assert_eq!(pad(&[1; 31]).len(), 32);
        assert_eq!(pad(&[1; 32]).len(), 64);
        let p = pad(b"abc");
        assert_eq!(&p[..4], b"abc\x80");
        assert!(p[4..].iter().all(|&b| b == 0));
        assert_eq!(unpad(p).unwrap().as_slice(), b"abc");
        // Value bytes ending in 0x80 or zeros survive.
        let v = [0x80, 0, 0];
        assert_eq!(unpad(pad(&v)).unwrap().as_slice(), &v);
    }

    #[test]
    fn malformed_padding_is_rejected() {
        assert!(unpad(Zeroizing::new(vec![0; 32])).is_none());
        assert!(unpad(Zeroizing::new(vec![1; 32])).is_none());
        assert!(unpad(Zeroizing::new(vec![0x80; 31])).is_none());
        // Marker more than one block from the end.
        let mut v = vec![0u8; 64];
        v[10] = 0x80;
        assert!(unpad(Zeroizing::new(v)).is_none());
    }

    #[test]
    fn seal_open_and_the_two_failure_messages() {
        let a = Identity::generate();
        let b = Identity::generate();
        let sealed = seal(b"s3cret", &[a.recipient().clone()], Scope::Strict, &binding());
        assert!(sealed.starts_with("kseal:v1:strict:"));
        let v = SealedValue::parse(&sealed).unwrap();
        assert_eq!(v.encode(), sealed);
        assert_eq!(
            v.open(std::slice::from_ref(&a), &binding()).unwrap().as_slice(),
            b"s3cret"
        );

        let err = v.open(std::slice::from_ref(&b), &binding()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(&format!("sealed for key {}", a.kid())), "{msg}");
        assert!(msg.contains(&format!("you gave {}", b.kid())), "{msg}");

        let moved = Binding {
            key: "other",
            ..binding()
        };
        assert_eq!(
            v.open(std::slice::from_ref(&a), &moved),
            Err(OpenError::BindingMismatch(a.kid()))
        );
    }

    #[test]
    fn parse_rejects_malformed_values() {
        let id = Identity::generate();
        let good = seal(b"x", &[id.recipient().clone()], Scope::Cluster, &binding());
        let payload = good.rsplit(':').next().unwrap();
        let kid = id.kid();
        let cases: Vec<(String, FormatError)> = vec![
            ("plain".into(), FormatError::NotSealed),
            (
                "kseal:v1:global:aaaaaaaa:xx".into(),
                FormatError::UnknownScope("global".into()),
            ),
            ("kseal:v1:cluster".into(), FormatError::NoRecipients),
            ("kseal:v1:cluster:".into(), FormatError::NoRecipients),
            (format!("kseal:v1:cluster:{kid}"), FormatError::MissingPayload),
            (
                format!("kseal:v1:cluster:ABCDEF12:{payload}"),
                FormatError::BadKid(1),
            ),
            (
                format!("kseal:v1:cluster:{kid}:{payload}:{kid}:{payload}"),
                FormatError::DuplicateKid(2, kid),
            ),
            (
                format!("kseal:v1:cluster:{kid}:{}", &payload[..payload.len() - 1]),
                FormatError::BadBase64(1, kid),
            ),
            (
                format!("kseal:v1:cluster:{kid}:AAAA"),
                FormatError::BadLength(1, kid, 3),
            ),
        ];
        for (s, want) in cases {
            assert_eq!(SealedValue::parse(&s), Err(want), "{s}");
        }
        let many: String = (0..17u32).map(|i| format!(":{:08x}:{payload}", i)).collect();
        assert_eq!(
            SealedValue::parse(&format!("kseal:v1:cluster{many}")),
            Err(FormatError::TooManyRecipients(17))
        );
    }

    #[test]
    fn several_recipients_each_open_independently() {
        let ids: Vec<Identity> = (0..3).map(|_| Identity::generate()).collect();
        let rs: Vec<Recipient> = ids.iter().map(|i| i.recipient().clone()).collect();
        let sealed = seal(b"shared", &rs, Scope::Namespace, &binding());
        let v = SealedValue::parse(&sealed).unwrap();
        assert_eq!(v.kids(), rs.iter().map(Recipient::kid).collect::<Vec<_>>());
        for id in &ids {
            assert_eq!(
                v.open(std::slice::from_ref(id), &binding()).unwrap().as_slice(),
                b"shared"
            );
        }
    }
}
