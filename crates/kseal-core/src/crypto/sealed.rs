//! The sealed value format, version 3 (docs/FORMAT.md); version 2 still opens:
//!
//! ```text
//! kseal:v3:<scope>:<tag>:<kid>:<stanza>[:<kid>:<stanza>]...:<mac>:<body>
//! kseal:v2:<scope>:<kid>:<stanza>[:<kid>:<stanza>]...:<mac>:<body>
//! ```
//!
//! Every value has its own random 16-byte *file key*. Each stanza wraps the file key for one
//! recipient with single-shot HPKE, whose `aad` is the binding ([`Binding`]). The header MAC, keyed
//! from the file key, covers every stanza and the binding: HMAC-SHA256 under a fixed-length key
//! commits to that key, so every recipient that accepts the MAC holds the same file key and opens
//! the same value (version 1 had independent per-recipient messages, which a splice could make open
//! to different plaintexts for different keys). The body is the padded value under a key derived
//! from the file key, again with the binding as `aad`. Version 3 adds the binding tag
//! ([`BindingTag`]) to the header, so the MAC covers it and anyone can check where a value is
//! bound without the private key; its labels say `v3` where version 2's say `v2`.

use std::fmt;
use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce, Tag};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand_core::{OsRng, RngCore};
use sha2::Sha256;
use x25519_dalek::StaticSecret;
use zeroize::Zeroizing;

use super::hpke::{self, HpkeError, ENC_LEN, TAG_LEN};
use super::keys::{Identity, Kid, Recipient};

/// What every kseal value starts with, whatever its version. A string that starts with it is a
/// kseal value: well formed, or an error, never plaintext.
pub const MARKER: &str = "kseal:";
/// The prefix of a version 3 value: what `seal` writes.
pub const PREFIX: &str = "kseal:v3:";
/// The prefix of a version 2 value (opened, never written).
pub const PREFIX_V2: &str = "kseal:v2:";
/// Standard base64 of [`MARKER`] (6 bytes, so 8 characters and no padding): a `data` value that
/// starts with it decodes to a kseal value.
pub const DATA_MARKER: &str = "a3NlYWw6";
/// Standard base64 of [`PREFIX`]: how every version 3 value under `data` starts.
pub const DATA_PREFIX: &str = "a3NlYWw6djM6";
/// Standard base64 of [`PREFIX_V2`].
pub const DATA_PREFIX_V2: &str = "a3NlYWw6djI6";
/// Length of the per-value file key.
pub const FILE_KEY_LEN: usize = 16;
/// A stanza decodes to enc (32) + wrapped file key (16) + tag (16).
pub const STANZA_LEN: usize = ENC_LEN + FILE_KEY_LEN + TAG_LEN;
/// HMAC-SHA256 output.
pub const MAC_LEN: usize = 32;
/// Plaintexts are padded to a multiple of this many bytes.
pub const PAD_BLOCK: usize = 32;
/// At most this many recipients per value: enough for several clusters plus recovery keys, and a
/// bound on the work a hostile value can ask of `open` and `verify`.
pub const MAX_RECIPIENTS: usize = 16;
/// The smallest body: one padding block and the tag.
pub const MIN_BODY: usize = PAD_BLOCK + TAG_LEN;

/// A format version this kseal opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Version {
    /// Version 2: no binding tag (opened; `reseal` rewrites it as version 3).
    V2,
    /// Version 3: version 2 plus the binding tag. What `seal` writes.
    V3,
}

impl Version {
    /// How a value of this version starts.
    pub fn prefix(self) -> &'static str {
        match self {
            Version::V2 => PREFIX_V2,
            Version::V3 => PREFIX,
        }
    }

    /// HPKE `info` of every stanza.
    pub fn info(self) -> &'static [u8] {
        match self {
            Version::V2 => b"kseal v2",
            Version::V3 => b"kseal v3",
        }
    }

    /// HKDF `info` of the header MAC key.
    pub fn mac_info(self) -> &'static [u8] {
        match self {
            Version::V2 => b"kseal v2 header",
            Version::V3 => b"kseal v3 header",
        }
    }

    /// HKDF `info` of the payload key.
    pub fn payload_info(self) -> &'static [u8] {
        match self {
            Version::V2 => b"kseal v2 payload",
            Version::V3 => b"kseal v3 payload",
        }
    }

    /// The HPKE key schedule context of [`Version::info`], computed once.
    fn ksc(self) -> &'static [u8; 65] {
        static V2: OnceLock<[u8; 65]> = OnceLock::new();
        static V3: OnceLock<[u8; 65]> = OnceLock::new();
        let cell = match self {
            Version::V2 => &V2,
            Version::V3 => &V3,
        };
        cell.get_or_init(|| hpke::key_schedule_context(self.info()))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Version::V2 => "v2",
            Version::V3 => "v3",
        })
    }
}

pub use super::binding::{Binding, BindingTag, Scope, UnknownScope};

/// Why a string that is a kseal value is not a well-formed version 2 or 3 value. Messages never repeat
/// the value (it could be a damaged secret).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    #[error("not a kseal value (it does not start with `kseal:`)")]
    /// No `kseal:` prefix.
    NotKseal,
    #[error("there are characters before `kseal:` (spaces or line breaks): a sealed value is written exactly as kseal wrote it")]
    /// Text before `kseal:`.
    Prefixed,
    #[error("this is a version 1 value (`kseal:v1:`), a format retired before any release: this kseal opens versions 2 and 3; open it with the kseal that sealed it and seal it again")]
    /// A retired version 1 value.
    RetiredV1,
    #[error("unknown format version{} (this kseal reads `kseal:v3:` and `kseal:v2:`): it may need a newer kseal, or the value was damaged", shown_version(.0))]
    /// A version other than 2 or 3.
    UnknownVersion(String),
    #[error("unknown scope (expected strict, namespace or cluster)")]
    /// A scope other than strict, namespace or cluster.
    UnknownScope,
    #[error(
        "the binding tag (the field after the scope in a version 3 value) must be 8 lowercase hex characters"
    )]
    /// A version 3 value whose tag is not 8 lowercase hex digits.
    BadTag,
    #[error("no recipients: a sealed value needs at least one `<kid>:<stanza>` pair")]
    /// No recipient stanza.
    NoRecipients,
    #[error("{0} recipients: at most {MAX_RECIPIENTS} are allowed per value")]
    /// More stanzas than the limit.
    TooManyRecipients(usize),
    #[error("truncated or damaged: the fields after the scope must be kid:stanza pairs, then the MAC and the body")]
    /// The wrong number of `:`-separated fields.
    FieldCount,
    #[error("recipient {0}: the kid must be 8 lowercase hex characters")]
    /// A stanza whose kid is not 8 hex digits.
    BadKid(usize),
    #[error("recipient {0}: kid {1} appears twice")]
    /// Two stanzas for one kid.
    DuplicateKid(usize, Kid),
    #[error("recipient {0} (kid {1}): the stanza is not standard base64 of {STANZA_LEN} bytes")]
    /// A stanza that is not valid base64 of the right length.
    BadStanza(usize, Kid),
    #[error("the MAC is not standard base64 of {MAC_LEN} bytes")]
    /// A header MAC that is not valid base64 of the right length.
    BadMac,
    #[error("the body is not standard base64 with padding")]
    /// A body that is not valid base64.
    BadBodyBase64,
    #[error("the body is {0} bytes; it must be {MIN_BODY} or more, and 16 plus a multiple of 32")]
    /// A body too short for its tag.
    BadBodyLength(usize),
    #[error("under `data`, a sealed value is written as the base64 of the sealed string (it starts `a3NlYWw6djM6`), not as the string itself")]
    /// A raw (not base64) kseal value under `data`.
    RawInData,
}

/// A version is shown only if it looks like one (`v` and at most three letters or digits): the
/// field could be the start of a plaintext that merely begins with `kseal:`.
fn shown_version(v: &str) -> String {
    let looks_like_one =
        v.len() <= 4 && v.starts_with('v') && v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if looks_like_one {
        format!(" `{v}`")
    } else {
        String::new()
    }
}

/// Whether a string is a kseal value (well formed or not): it starts with `kseal:`, also after
/// leading whitespace and in any letter case, so a damaged prefix is never taken for plaintext.
/// The one rule, shared with the API server's CEL: [`super::spelling`].
pub fn is_kseal(s: &str) -> bool {
    super::spelling::is_kseal_bytes(s.as_bytes())
}

/// A parsed version 2 or 3 value. No `Debug` of the bytes: they are ciphertext, but there is no
/// need to print them either.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedValue {
    /// The format version it is written in.
    pub version: Version,
    /// The scope it was sealed with.
    pub scope: Scope,
    /// The binding tag (version 3; `None` in version 2, which has none).
    pub tag: Option<BindingTag>,
    /// (kid, enc || wrapped file key) per recipient, in order.
    pub stanzas: Vec<(Kid, [u8; STANZA_LEN])>,
    /// The header MAC over the scope, binding and stanzas.
    pub mac: [u8; MAC_LEN],
    /// ChaCha20Poly1305 of the padded value, tag included.
    pub body: Vec<u8>,
    /// The exact bytes the MAC covers: the value up to, not including, the `:` before the MAC.
    header: String,
}

impl fmt::Debug for SealedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealedValue")
            .field("version", &self.version)
            .field("scope", &self.scope)
            .field("tag", &self.tag)
            .field("kids", &self.kids())
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

fn decode_exact<const N: usize>(s: &str) -> Option<[u8; N]> {
    // Exact base64 lengths only: a longer string could still decode into a short buffer.
    if s.len() != N.div_ceil(3) * 4 {
        return None;
    }
    let mut out = [0u8; N];
    match STANDARD.decode_slice(s, &mut out) {
        Ok(n) if n == N => Some(out),
        _ => None,
    }
}

impl SealedValue {
    /// Parses a value as written under `stringData` (the sealed string itself).
    pub fn parse(s: &str) -> Result<SealedValue, FormatError> {
        let (version, rest) = if let Some(rest) = s.strip_prefix(PREFIX) {
            (Version::V3, rest)
        } else if let Some(rest) = s.strip_prefix(PREFIX_V2) {
            (Version::V2, rest)
        } else {
            return Err(Self::why_not_parsed(s));
        };
        // Counted before anything is collected: a value of millions of `:` would otherwise cost
        // 16 bytes of field slices per input byte (a webhook request is attacker-sized). The
        // count is taken as if the tag field were not there, so both versions read alike.
        let tag_fields = usize::from(version == Version::V3);
        let colons = memchr::memchr_iter(b':', rest.as_bytes())
            .count()
            .saturating_sub(tag_fields);
        if colons > 2 * (MAX_RECIPIENTS + 1) {
            return Err(if colons % 2 == 1 {
                FormatError::FieldCount
            } else {
                FormatError::TooManyRecipients(colons / 2 - 1)
            });
        }
        let mut fields: Vec<&str> = rest.split(':').collect();
        let scope_str = fields.remove(0);
        // Never echoed: a damaged value's fields could be anything, a plaintext included.
        let scope: Scope = scope_str.parse().map_err(|_| FormatError::UnknownScope)?;
        let tag = match version {
            Version::V2 => None,
            Version::V3 => {
                if fields.is_empty() {
                    return Err(FormatError::NoRecipients);
                }
                Some(BindingTag::parse(fields.remove(0)).ok_or(FormatError::BadTag)?)
            }
        };
        if fields.len() < 2 || fields.iter().all(|f| f.is_empty()) {
            return Err(FormatError::NoRecipients);
        }
        if fields.len() % 2 == 1 {
            return Err(FormatError::FieldCount);
        }
        let n = fields.len() / 2 - 1;
        if n == 0 {
            return Err(FormatError::NoRecipients);
        }
        if n > MAX_RECIPIENTS {
            return Err(FormatError::TooManyRecipients(n));
        }
        let mut stanzas: Vec<(Kid, [u8; STANZA_LEN])> = Vec::with_capacity(n);
        for (i, pair) in fields[..2 * n].chunks(2).enumerate() {
            let idx = i + 1;
            let kid = Kid::parse(pair[0]).ok_or(FormatError::BadKid(idx))?;
            if stanzas.iter().any(|(k, _)| *k == kid) {
                return Err(FormatError::DuplicateKid(idx, kid));
            }
            let stanza = decode_exact::<STANZA_LEN>(pair[1]).ok_or(FormatError::BadStanza(idx, kid))?;
            stanzas.push((kid, stanza));
        }
        let mac = decode_exact::<MAC_LEN>(fields[2 * n]).ok_or(FormatError::BadMac)?;
        let body_str = fields[2 * n + 1];
        let body = STANDARD
            .decode(body_str)
            .map_err(|_| FormatError::BadBodyBase64)?;
        if body.len() < MIN_BODY || !(body.len() - TAG_LEN).is_multiple_of(PAD_BLOCK) {
            return Err(FormatError::BadBodyLength(body.len()));
        }
        // The header ends before the MAC's `:`: the whole value minus ":<mac>:<body>".
        let header_len = s.len() - body_str.len() - 1 - fields[2 * n].len() - 1;
        Ok(SealedValue {
            version,
            scope,
            tag,
            stanzas,
            mac,
            body,
            header: s[..header_len].to_string(),
        })
    }

    /// Parses a value as written under `data`: standard base64 of the sealed string (line breaks
    /// allowed, as the API server allows them).
    pub fn parse_data(text: &str) -> Result<SealedValue, FormatError> {
        // A copy only when there are line breaks to drop (values can be megabytes).
        let compact: std::borrow::Cow<str> = if text.bytes().any(|b| b.is_ascii_whitespace()) {
            text.chars().filter(|c| !c.is_ascii_whitespace()).collect()
        } else {
            text.into()
        };
        if is_kseal(&compact) {
            return Err(FormatError::RawInData);
        }
        let decoded = STANDARD
            .decode(compact.as_bytes())
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        match decoded {
            Some(s) => Self::parse(&s),
            // Starts like base64 of `kseal:` but is not base64 of a string: damaged.
            None => Err(FormatError::FieldCount),
        }
    }

    /// The most helpful reason a kseal value is not one this kseal parses.
    fn why_not_parsed(s: &str) -> FormatError {
        if !is_kseal(s) {
            return FormatError::NotKseal;
        }
        if !s.starts_with(MARKER) {
            return FormatError::Prefixed;
        }
        let version = s[MARKER.len()..].split(':').next().unwrap_or("");
        if version == "v1" {
            return FormatError::RetiredV1;
        }
        FormatError::UnknownVersion(
            version
                .chars()
                .take(8)
                .filter(char::is_ascii_alphanumeric)
                .collect(),
        )
    }

    /// Where the value is bound, as far as anyone without the private key can tell: `Some(true)`
    /// when its tag is `binding`'s, `Some(false)` when it is another's, `None` for version 2 (no
    /// tag: only opening can tell).
    pub fn bound_to(&self, binding: &Binding) -> Option<bool> {
        self.tag.map(|t| t == binding.tag(self.scope))
    }

    /// The key ids it is sealed for, in stanza order.
    pub fn kids(&self) -> Vec<Kid> {
        self.stanzas.iter().map(|(k, _)| *k).collect()
    }

    /// The sealed string, byte for byte as parsed or sealed.
    pub fn encode(&self) -> String {
        let mut out = self.header.clone();
        out.push(':');
        STANDARD.encode_string(self.mac, &mut out);
        out.push(':');
        STANDARD.encode_string(&self.body, &mut out);
        out
    }

    /// The sealed string as written under `data`: its standard base64.
    pub fn encode_data(&self) -> String {
        STANDARD.encode(self.encode())
    }
}

/// Appends `0x80` then zeros up to the next multiple of [`PAD_BLOCK`] (always at least one byte).
pub fn pad(value: &[u8]) -> Zeroizing<Vec<u8>> {
    let len = (value.len() / PAD_BLOCK + 1) * PAD_BLOCK;
    let mut out = Zeroizing::new(Vec::with_capacity(len + TAG_LEN));
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

/// The keys derived from a file key.
struct ValueKeys {
    mac: Zeroizing<[u8; 32]>,
    payload: Zeroizing<[u8; 32]>,
}

impl ValueKeys {
    fn derive(version: Version, file_key: &[u8; FILE_KEY_LEN]) -> ValueKeys {
        let hk = Hkdf::<Sha256>::new(Some(&[]), file_key);
        let mut mac = Zeroizing::new([0u8; 32]);
        let mut payload = Zeroizing::new([0u8; 32]);
        hk.expand(version.mac_info(), mac.as_mut())
            .expect("32 bytes is a valid HKDF length");
        hk.expand(version.payload_info(), payload.as_mut())
            .expect("32 bytes is a valid HKDF length");
        ValueKeys { mac, payload }
    }

    fn mac(&self, header: &[u8], binding: &[u8]) -> Hmac<Sha256> {
        let mut m =
            <Hmac<Sha256> as Mac>::new_from_slice(self.mac.as_ref()).expect("HMAC takes any key length");
        m.update(header);
        m.update(&[0]);
        m.update(binding);
        m
    }

    fn cipher(&self) -> ChaCha20Poly1305 {
        ChaCha20Poly1305::new(Key::from_slice(self.payload.as_ref()))
    }
}

/// The payload key is used for exactly one message, so a fixed nonce is safe.
const ZERO_NONCE: [u8; 12] = [0; 12];

/// Why a value could not be sealed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    #[error("no recipients to seal to")]
    /// No recipient to seal to.
    NoRecipients,
    #[error("{0} recipients: a value can be sealed to at most {MAX_RECIPIENTS}")]
    /// More recipients than a value holds.
    TooManyRecipients(usize),
    #[error("recipient {0} is a low-order point, which would give an all-zero shared secret")]
    /// A low-order recipient key (its kid).
    LowOrder(Kid),
    /// Openers refuse a kid twice (docs/FORMAT.md), so such a value would open for nobody.
    #[error("two recipients with the key id {0}: a value names each stanza by kid, so it can hold a kid only once")]
    DuplicateKid(Kid),
}

/// Seals `value` to each recipient, with a fresh file key and fresh ephemeral keys, as a version 3
/// value.
pub fn seal(
    value: &[u8],
    recipients: &[Recipient],
    scope: Scope,
    binding: &Binding,
) -> Result<String, SealError> {
    let mut file_key = Zeroizing::new([0u8; FILE_KEY_LEN]);
    OsRng.fill_bytes(file_key.as_mut());
    let ephemerals: Vec<StaticSecret> = recipients
        .iter()
        .map(|_| StaticSecret::random_from_rng(OsRng))
        .collect();
    seal_with(value, recipients, scope, binding, &file_key, &ephemerals)
}

/// Seals (version 3) with a given file key and ephemeral secrets (one per recipient).
/// Deterministic: the test vectors re-derive each stored sealed string from them.
pub fn seal_with(
    value: &[u8],
    recipients: &[Recipient],
    scope: Scope,
    binding: &Binding,
    file_key: &[u8; FILE_KEY_LEN],
    ephemerals: &[StaticSecret],
) -> Result<String, SealError> {
    if recipients.is_empty() {
        return Err(SealError::NoRecipients);
    }
    if recipients.len() > MAX_RECIPIENTS {
        return Err(SealError::TooManyRecipients(recipients.len()));
    }
    assert_eq!(
        recipients.len(),
        ephemerals.len(),
        "one ephemeral key per recipient"
    );
    for (i, r) in recipients.iter().enumerate() {
        if recipients[..i].iter().any(|o| o.kid() == r.kid()) {
            return Err(SealError::DuplicateKid(r.kid()));
        }
    }
    let version = Version::V3;
    let aad = binding.aad(scope);
    let b64_stanza = STANZA_LEN.div_ceil(3) * 4;
    let mut header = String::with_capacity(PREFIX.len() + 19 + recipients.len() * (10 + b64_stanza));
    header.push_str(version.prefix());
    header.push_str(scope.as_str());
    header.push(':');
    header.push_str(&BindingTag::of(&aad).to_string());
    let mut stanza = Vec::with_capacity(STANZA_LEN);
    for (r, sk_e) in recipients.iter().zip(ephemerals) {
        stanza.clear();
        hpke::seal_base(r.public(), sk_e, version.ksc(), &aad, file_key, &mut stanza).map_err(
            |e| match e {
                HpkeError::NonContributory | HpkeError::Open => SealError::LowOrder(r.kid()),
            },
        )?;
        header.push(':');
        header.push_str(&r.kid().to_string());
        header.push(':');
        STANDARD.encode_string(&stanza, &mut header);
    }
    let keys = ValueKeys::derive(version, file_key);
    let mac: [u8; MAC_LEN] = keys.mac(header.as_bytes(), &aad).finalize().into_bytes().into();
    let mut body = pad(value);
    let tag = keys
        .cipher()
        .encrypt_in_place_detached(Nonce::from_slice(&ZERO_NONCE), &aad, &mut body)
        .expect("ChaCha20Poly1305 accepts any message below 256 GiB");
    let mut out = header;
    out.push(':');
    STANDARD.encode_string(mac, &mut out);
    out.push(':');
    let mut ct = body.to_vec();
    ct.extend_from_slice(&tag);
    STANDARD.encode_string(&ct, &mut out);
    Ok(out)
}

/// Why a well-formed sealed value did not open.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    #[error("no identity for this value: it is sealed for key {}, you gave {}", list(.sealed_for), list(.given))]
    /// No identity given is one the value is sealed for.
    NoIdentity {
        /// The keys it is sealed for.
        sealed_for: Vec<Kid>,
        /// The keys given.
        given: Vec<Kid>,
    },
    #[error("sealed for another place: its binding tag is {sealed}, and here ({here}) it would be {expected}: the value was moved or copied from another namespace, Secret or key, or a kustomization or chart renames the Secret it is in (seal it for where it lands), or it was altered")]
    /// A version 3 value whose tag is not the binding's: refused before any key is tried.
    SealedElsewhere {
        /// The tag the value carries.
        sealed: BindingTag,
        /// The tag of the binding where it was found.
        expected: BindingTag,
        /// That binding, as people read it.
        here: String,
    },
    #[error("right key ({}), but the binding does not match: the value was moved from another namespace, Secret or key, or it was altered", list(.0))]
    /// A key unwrapped the value, but for another namespace, Secret or key (or altered).
    BindingMismatch(Vec<Kid>),
    #[error("key {0} unwrapped the value, but its header MAC does not verify: the value was altered (stanzas spliced or changed after sealing)")]
    /// The header MAC does not verify.
    MacMismatch(Kid),
    #[error("key {0} unwrapped the value, but its body does not decrypt: the value was altered")]
    /// The body does not decrypt.
    BodyAltered(Kid),
    #[error("key {0} opened the value but its padding is malformed: the value was not written by kseal")]
    /// The plaintext's padding is malformed.
    BadPadding(Kid),
}

fn list(kids: &[Kid]) -> String {
    if kids.is_empty() {
        return "none".into();
    }
    kids.iter().map(Kid::to_string).collect::<Vec<_>>().join(", ")
}

impl SealedValue {
    /// Opens with the identities: every stanza whose kid matches one of them is tried (kids are
    /// only 32 bits, so two keys may share one); the first that unwraps gives the file key, which
    /// must then pass the header MAC (in constant time) and open the body.
    pub fn open(&self, identities: &[Identity], binding: &Binding) -> Result<Zeroizing<Vec<u8>>, OpenError> {
        let aad = binding.aad(self.scope);
        let expected = BindingTag::of(&aad);
        if let Some(sealed) = self.tag.filter(|t| *t != expected) {
            return Err(OpenError::SealedElsewhere {
                sealed,
                expected,
                here: binding.describe(self.scope),
            });
        }
        let mut tried = Vec::new();
        let mut unwrapped = None;
        'stanzas: for (kid, stanza) in &self.stanzas {
            for id in identities.iter().filter(|id| id.kid() == *kid) {
                if !tried.contains(kid) {
                    tried.push(*kid);
                }
                let Ok(key) = hpke::open_base(
                    id.secret(),
                    id.recipient().public(),
                    self.version.ksc(),
                    &aad,
                    stanza,
                ) else {
                    continue;
                };
                if let Ok(file_key) = <[u8; FILE_KEY_LEN]>::try_from(key.as_slice()) {
                    unwrapped = Some((*kid, Zeroizing::new(file_key)));
                    break 'stanzas;
                }
            }
        }
        let Some((kid, file_key)) = unwrapped else {
            if tried.is_empty() {
                return Err(OpenError::NoIdentity {
                    sealed_for: self.kids(),
                    given: identities.iter().map(Identity::kid).collect(),
                });
            }
            return Err(OpenError::BindingMismatch(tried));
        };
        let keys = ValueKeys::derive(self.version, &file_key);
        keys.mac(self.header.as_bytes(), &aad)
            .verify_slice(&self.mac)
            .map_err(|_| OpenError::MacMismatch(kid))?;
        let (ct, tag) = self.body.split_at(self.body.len() - TAG_LEN);
        let mut padded = Zeroizing::new(ct.to_vec());
        keys.cipher()
            .decrypt_in_place_detached(
                Nonce::from_slice(&ZERO_NONCE),
                &aad,
                &mut padded,
                Tag::from_slice(tag),
            )
            .map_err(|_| OpenError::BodyAltered(kid))?;
        unpad(padded).ok_or(OpenError::BadPadding(kid))
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

    fn seal1(value: &[u8], ids: &[&Identity], scope: Scope) -> String {
        let rs: Vec<Recipient> = ids.iter().map(|i| i.recipient().clone()).collect();
        seal(value, &rs, scope, &binding()).unwrap()
    }

    /// Regression (issue 23): parsing split on every `:` first, 16 bytes per input byte.
    #[test]
    fn a_value_of_many_colons_is_refused_before_it_is_split() {
        for prefix in [PREFIX, PREFIX_V2] {
            let extra = usize::from(prefix == PREFIX);
            let many = format!("{prefix}strict{}", ":".repeat(3_000_000 + extra));
            assert!(matches!(
                SealedValue::parse(&many),
                Err(FormatError::TooManyRecipients(1_499_999))
            ));
            let odd = format!("{prefix}strict{}", ":".repeat(3_000_001 + extra));
            assert!(matches!(SealedValue::parse(&odd), Err(FormatError::FieldCount)));
        }
    }

    #[test]
    fn a_kid_twice_is_never_sealed() {
        let a = Identity::generate();
        let twice = [a.recipient().clone(), a.recipient().clone()];
        assert!(matches!(
            seal(b"v", &twice, Scope::Strict, &binding()),
            Err(SealError::DuplicateKid(k)) if k == a.kid()
        ));
    }

    #[test]
    fn data_prefixes_are_base64_of_the_markers() {
        assert_eq!(STANDARD.encode(MARKER), DATA_MARKER);
        assert!(STANDARD.encode(PREFIX).starts_with(DATA_PREFIX));
        assert!(STANDARD.encode(PREFIX_V2).starts_with(DATA_PREFIX_V2));
        assert_eq!(DATA_PREFIX.len(), 12);
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
        let v = [0x80, 0, 0];
        assert_eq!(unpad(pad(&v)).unwrap().as_slice(), &v);
    }

    #[test]
    fn malformed_padding_is_rejected() {
        assert!(unpad(Zeroizing::new(vec![0; 32])).is_none());
        assert!(unpad(Zeroizing::new(vec![1; 32])).is_none());
        assert!(unpad(Zeroizing::new(vec![0x80; 31])).is_none());
        let mut v = vec![0u8; 64];
        v[10] = 0x80;
        assert!(unpad(Zeroizing::new(v)).is_none());
    }

    #[test]
    fn seal_open_shape_and_the_failure_messages() {
        let a = Identity::generate();
        let b = Identity::generate();
        let sealed = seal1(b"s3cret", &[&a], Scope::Strict);
        assert!(sealed.starts_with("kseal:v3:strict:"));
        let fields: Vec<&str> = sealed.split(':').collect();
        assert_eq!(fields.len(), 3 + 1 + 2 + 2);
        assert_eq!(fields[3], binding().tag(Scope::Strict).to_string());
        assert_eq!(fields[5].len(), 88, "a stanza is 64 bytes");
        assert_eq!(fields[6].len(), 44, "the MAC is 32 bytes");
        let v = SealedValue::parse(&sealed).unwrap();
        assert_eq!(
            (v.version, v.tag),
            (Version::V3, Some(binding().tag(Scope::Strict)))
        );
        assert_eq!(v.bound_to(&binding()), Some(true));
        assert_eq!(v.encode(), sealed);
        assert_eq!(
            v.open(std::slice::from_ref(&a), &binding()).unwrap().as_slice(),
            b"s3cret"
        );

        let msg = v
            .open(std::slice::from_ref(&b), &binding())
            .unwrap_err()
            .to_string();
        assert!(msg.contains(&format!("sealed for key {}", a.kid())), "{msg}");
        assert!(msg.contains(&format!("you gave {}", b.kid())), "{msg}");

        let moved = Binding {
            key: "other",
            ..binding()
        };
        assert_eq!(v.bound_to(&moved), Some(false));
        // Refused by the tag, before any key is tried: no identity is even needed.
        let e = v.open(&[], &moved).unwrap_err();
        assert_eq!(
            e,
            OpenError::SealedElsewhere {
                sealed: binding().tag(Scope::Strict),
                expected: moved.tag(Scope::Strict),
                here: "prod/db, key other".into(),
            }
        );
        assert!(e.to_string().starts_with("sealed for another place"), "{e}");
        // A tag rewritten to the new place's: the MAC covers it, and HPKE's aad already refuses.
        let forged = sealed.replacen(fields[3], &moved.tag(Scope::Strict).to_string(), 1);
        assert_eq!(
            SealedValue::parse(&forged)
                .unwrap()
                .open(std::slice::from_ref(&a), &moved),
            Err(OpenError::BindingMismatch(vec![a.kid()]))
        );
        // A tag changed to anything else is refused as sealed elsewhere.
        let changed = sealed.replacen(fields[3], "00000000", 1);
        assert!(matches!(
            SealedValue::parse(&changed)
                .unwrap()
                .open(std::slice::from_ref(&a), &binding()),
            Err(OpenError::SealedElsewhere { .. })
        ));
    }

    #[test]
    fn data_form_round_trips_and_raw_strings_in_data_are_refused() {
        let a = Identity::generate();
        let sealed = seal1(b"x", &[&a], Scope::Cluster);
        let v = SealedValue::parse(&sealed).unwrap();
        let data = v.encode_data();
        assert!(data.starts_with(DATA_PREFIX));
        assert_eq!(SealedValue::parse_data(&data).unwrap(), v);
        // Line-wrapped base64 is accepted, as the API server accepts it.
        let wrapped = format!("{}\n  {}", &data[..40], &data[40..]);
        assert_eq!(SealedValue::parse_data(&wrapped).unwrap(), v);
        assert_eq!(SealedValue::parse_data(&sealed), Err(FormatError::RawInData));
    }

    #[test]
    fn damaged_prefixes_and_other_versions_are_kseal_values_that_do_not_parse() {
        for s in [
            "kseal:v2x:strict",
            " kseal:v2:strict:x",
            "kseal:v9:strict:aa",
            "KSEAL:v2:cluster",
            "kseal:",
            "kseal:v1:strict:0222c381:AAAA",
            "kseal:v3:strict",
            "kseal:v3:strict:0011223:x",
        ] {
            assert!(is_kseal(s), "{s}");
            assert!(SealedValue::parse(s).is_err(), "{s}");
        }
        assert_eq!(
            SealedValue::parse("kseal:v1:strict:0222c381:AAAA"),
            Err(FormatError::RetiredV1)
        );
        assert_eq!(
            SealedValue::parse(" kseal:v2:cluster"),
            Err(FormatError::Prefixed)
        );
        assert_eq!(
            SealedValue::parse("kseal:v9:cluster"),
            Err(FormatError::UnknownVersion("v9".into()))
        );
        assert!(SealedValue::parse("kseal:v1:x")
            .unwrap_err()
            .to_string()
            .contains("version 1"));
        // A field that does not look like a version is not shown: it could be a plaintext.
        let shown = SealedValue::parse("kseal:hunter2:x").unwrap_err().to_string();
        assert!(
            !shown.contains("hunter2") && shown.starts_with("unknown format version ("),
            "{shown}"
        );
        for s in ["plain", "skseal:v2:", "ENC[AES256_GCM,data:x]", ""] {
            assert!(!is_kseal(s), "{s}");
        }
    }

    #[test]
    fn parse_rejects_malformed_values() {
        let id = Identity::generate();
        let good = seal1(b"x", &[&id], Scope::Cluster);
        let f: Vec<&str> = good.split(':').collect();
        let (tag, kid, stanza, mac, body) = (f[3], f[4], f[5], f[6], f[7]);
        let k = id.kid();
        // Every shape error reads the same in both versions: v3 has the tag after the scope.
        for p in [format!("kseal:v3:cluster:{tag}"), "kseal:v2:cluster".to_string()] {
            let cases: Vec<(String, FormatError)> = vec![
                ("plain".into(), FormatError::NotKseal),
                (p.clone(), FormatError::NoRecipients),
                (format!("{p}:"), FormatError::NoRecipients),
                (format!("{p}:{mac}:{body}"), FormatError::NoRecipients),
                (format!("{p}:{kid}:{stanza}:{mac}"), FormatError::FieldCount),
                (
                    format!("{p}:ABCDEF12:{stanza}:{mac}:{body}"),
                    FormatError::BadKid(1),
                ),
                (
                    format!("{p}:{kid}:{stanza}:{kid}:{stanza}:{mac}:{body}"),
                    FormatError::DuplicateKid(2, k),
                ),
                (
                    format!("{p}:{kid}:{}:{mac}:{body}", &stanza[..80]),
                    FormatError::BadStanza(1, k),
                ),
                (
                    format!("{p}:{kid}:{stanza}:{}:{body}", &mac[..40]),
                    FormatError::BadMac,
                ),
                (
                    format!("{p}:{kid}:{stanza}:{mac}:{}", &body[..body.len() - 1]),
                    FormatError::BadBodyBase64,
                ),
                (
                    format!("{p}:{kid}:{stanza}:{mac}:AAAA"),
                    FormatError::BadBodyLength(3),
                ),
            ];
            for (s, want) in cases {
                assert_eq!(SealedValue::parse(&s), Err(want), "{s}");
            }
            let many: String = (0..17u32).map(|i| format!(":{i:08x}:{stanza}")).collect();
            assert_eq!(
                SealedValue::parse(&format!("{p}{many}:{mac}:{body}")),
                Err(FormatError::TooManyRecipients(17))
            );
            assert_eq!(
                SealedValue::parse(&p.replace("cluster", "global")),
                Err(FormatError::UnknownScope)
            );
        }
        for bad_tag in ["ABCDEF12", "0011223", "", "0011223344"] {
            assert_eq!(
                SealedValue::parse(&format!("kseal:v3:cluster:{bad_tag}:{kid}:{stanza}:{mac}:{body}")),
                Err(FormatError::BadTag),
                "{bad_tag}"
            );
        }
        // The v2 shape of a v3 value (no tag) does not parse as v3: its kid is no tag pair.
        assert!(SealedValue::parse(&format!("kseal:v3:cluster:{kid}:{stanza}:{mac}:{body}")).is_err());
    }

    #[test]
    fn several_recipients_each_open_the_same_value() {
        let ids: Vec<Identity> = (0..3).map(|_| Identity::generate()).collect();
        let sealed = seal1(b"shared", &ids.iter().collect::<Vec<_>>(), Scope::Namespace);
        let v = SealedValue::parse(&sealed).unwrap();
        assert_eq!(v.kids(), ids.iter().map(Identity::kid).collect::<Vec<_>>());
        for id in &ids {
            assert_eq!(
                v.open(std::slice::from_ref(id), &binding()).unwrap().as_slice(),
                b"shared"
            );
        }
    }

    /// Version 1's flaw: B's stanza of one value spliced into another value. With one file key
    /// per value and the header MAC, every opener refuses the result.
    #[test]
    fn spliced_stanzas_are_refused_by_every_opener() {
        let a = Identity::generate();
        let b = Identity::generate();
        let good = seal1(b"good", &[&a, &b], Scope::Strict);
        let evil = seal1(b"EVIL", &[&a, &b], Scope::Strict);
        let g: Vec<&str> = good.split(':').collect();
        let e: Vec<&str> = evil.split(':').collect();
        // good's header with B's stanza from evil, good's MAC and body.
        let mut spliced: Vec<&str> = g.clone();
        spliced[7] = e[7];
        let spliced = spliced.join(":");
        let v = SealedValue::parse(&spliced).unwrap();
        assert_eq!(
            v.open(std::slice::from_ref(&a), &binding()),
            Err(OpenError::MacMismatch(a.kid()))
        );
        assert_eq!(
            v.open(std::slice::from_ref(&b), &binding()),
            Err(OpenError::MacMismatch(b.kid()))
        );
        // evil's whole header and MAC with good's body: the file keys differ, so the body fails.
        let mut mixed: Vec<&str> = e.clone();
        mixed[9] = g[9];
        let v = SealedValue::parse(&mixed.join(":")).unwrap();
        for id in [&a, &b] {
            assert_eq!(
                v.open(std::slice::from_ref(id), &binding()),
                Err(OpenError::BodyAltered(id.kid()))
            );
        }
    }

    /// Kids are 32 bits: two identities can share one. `keys/test-kid-collision.agekey` holds two
    /// TEST ONLY keys with the same kid (found by a birthday search); a value sealed to either
    /// opens whichever order they are given in.
    #[test]
    fn every_identity_with_a_matching_kid_is_tried() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../keys/test-kid-collision.agekey"
        );
        let ids = crate::crypto::keys::parse_identities(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(ids[0].kid(), ids[1].kid());
        assert_ne!(ids[0].recipient(), ids[1].recipient());
        for (first, second) in [(0, 1), (1, 0)] {
            let sealed = seal1(b"v", &[&ids[second]], Scope::Cluster);
            let value = SealedValue::parse(&sealed).unwrap();
            let both = [ids[first].clone(), ids[second].clone()];
            assert_eq!(value.open(&both, &binding()).unwrap().as_slice(), b"v");
            assert_eq!(
                value.open(std::slice::from_ref(&ids[first]), &binding()),
                Err(OpenError::BindingMismatch(vec![ids[0].kid()]))
            );
        }
    }

    #[test]
    fn altered_body_or_mac_is_refused() {
        let a = Identity::generate();
        let v = SealedValue::parse(&seal1(b"value", &[&a], Scope::Cluster)).unwrap();
        let mut m = v.clone();
        m.mac[0] ^= 1;
        assert_eq!(
            m.open(std::slice::from_ref(&a), &binding()),
            Err(OpenError::MacMismatch(a.kid()))
        );
        let mut bd = v.clone();
        bd.body[3] ^= 1;
        assert_eq!(
            bd.open(std::slice::from_ref(&a), &binding()),
            Err(OpenError::BodyAltered(a.kid()))
        );
    }

    #[test]
    fn sealing_to_no_or_too_many_recipients_is_an_error_not_a_panic() {
        assert_eq!(
            seal(b"x", &[], Scope::Cluster, &binding()),
            Err(SealError::NoRecipients)
        );
        let r = Identity::generate().recipient().clone();
        let many = vec![r; 17];
        assert_eq!(
            seal(b"x", &many, Scope::Cluster, &binding()),
            Err(SealError::TooManyRecipients(17))
        );
    }
}
