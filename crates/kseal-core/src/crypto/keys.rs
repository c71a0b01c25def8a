//! Keys in age's X25519 format: identities `AGE-SECRET-KEY-1...`, recipients `age1...`.
//!
//! Strings are parsed and produced by the `age` crate, so that `age-keygen` output works as a kseal
//! identity and a kseal recipient works with `age -r`. `age` does not hand out the raw 32-byte keys
//! HPKE needs, so after `age` has accepted a string we read its Bech32 payload ourselves.

use std::fmt;
use std::str::FromStr;

use age::secrecy::ExposeSecret;
use bech32::primitives::decode::CheckedHrpstring;
use sha2::{Digest, Sha256};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

/// A key id: the first 4 bytes of SHA-256 of the recipient's 32-byte X25519 public key, shown as
/// 8 lowercase hex characters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Kid(pub [u8; 4]);

impl Kid {
    /// The kid of a public key: the first 4 bytes of SHA-256 of its 32 bytes.
    pub fn of(public: &PublicKey) -> Kid {
        let digest = Sha256::digest(public.as_bytes());
        Kid([digest[0], digest[1], digest[2], digest[3]])
    }

    /// Parses exactly 8 lowercase hex characters.
    pub fn parse(s: &str) -> Option<Kid> {
        parse_hex4(s).map(Kid)
    }
}

/// Exactly 8 lowercase hex characters as 4 bytes: how a kid and a binding tag are written (one
/// spelling each, so a value has one text).
pub(crate) fn parse_hex4(s: &str) -> Option<[u8; 4]> {
    if s.len() != 8
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    let mut out = [0u8; 4];
    hex::decode_to_slice(s, &mut out).ok()?;
    Some(out)
}

impl fmt::Display for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kid({self})")
    }
}

/// Reads the 32-byte payload of a Bech32 string that `age` has already validated.
fn bech32_payload(s: &str) -> Zeroizing<[u8; 32]> {
    let parsed = CheckedHrpstring::new::<bech32::Bech32>(s).expect("age validated this Bech32 string");
    let mut out = Zeroizing::new([0u8; 32]);
    let mut n = 0;
    for (slot, byte) in out.iter_mut().zip(parsed.byte_iter()) {
        *slot = byte;
        n += 1;
    }
    assert_eq!(n, 32, "age validated a 32-byte key");
    out
}

/// Whether a string is (or starts like) an age secret key, which must never be echoed back.
pub fn looks_like_identity(s: &str) -> bool {
    s.trim_start()
        .get(..15)
        .is_some_and(|p| p.eq_ignore_ascii_case("AGE-SECRET-KEY-"))
}

/// A recipient: an X25519 public key, written `age1...`.
#[derive(Clone, PartialEq, Eq)]
pub struct Recipient {
    age: age::x25519::Recipient,
    public: PublicKey,
    kid: Kid,
}

impl Recipient {
    /// The recipient of an X25519 public key.
    pub fn from_public(public: PublicKey) -> Self {
        let encoded =
            bech32::encode_lower::<bech32::Bech32>(bech32::Hrp::parse_unchecked("age"), public.as_bytes())
                .expect("a 32-byte key fits in Bech32");
        Recipient {
            age: age::x25519::Recipient::from_str(&encoded).expect("a valid X25519 recipient"),
            kid: Kid::of(&public),
            public,
        }
    }

    /// The X25519 public key.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// Its key id.
    pub fn kid(&self) -> Kid {
        self.kid
    }

    /// The same key as the `age` crate's recipient, to write age files (key backups).
    pub fn age(&self) -> &age::x25519::Recipient {
        &self.age
    }
}

/// Encrypts `plaintext` to `recipients` as an ASCII-armored age file.
pub fn age_encrypt_armored(plaintext: &[u8], recipients: &[Recipient]) -> std::io::Result<String> {
    use std::io::Write;
    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().map(|r| r.age() as &dyn age::Recipient))
            .map_err(std::io::Error::other)?;
    let mut out = Vec::new();
    let armor = age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor)?;
    let mut writer = encryptor.wrap_output(armor)?;
    writer.write_all(plaintext)?;
    writer.finish()?.finish()?;
    Ok(String::from_utf8(out).expect("armor is ASCII"))
}

/// Decrypts an age file (armored or binary) with `identities`.
pub fn age_decrypt(file: &[u8], identities: &[Identity]) -> std::io::Result<Zeroizing<Vec<u8>>> {
    use std::io::Read;
    let ids: Vec<age::x25519::Identity> = identities
        .iter()
        .filter_map(|i| i.to_age_string().as_str().parse().ok())
        .collect();
    let decryptor =
        age::Decryptor::new(age::armor::ArmoredReader::new(file)).map_err(std::io::Error::other)?;
    let mut reader = decryptor
        .decrypt(ids.iter().map(|i| i as &dyn age::Identity))
        .map_err(std::io::Error::other)?;
    let mut out = Zeroizing::new(Vec::new());
    reader.read_to_end(&mut out)?;
    Ok(out)
}

/// Why a key string was refused. Never contains the string itself (it may be a secret key).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    #[error("this is a secret key (an identity), not a recipient: give the age1... public key instead, and keep the secret key off command lines and config files")]
    /// An `AGE-SECRET-KEY-1...` given where a public key belongs.
    SecretKeyAsRecipient,
    #[error("an SSH key is not an age X25519 recipient; kseal needs a key that starts with age1 (make one with `kseal keygen`)")]
    /// An ssh key: kseal seals to X25519 age recipients only.
    SshKey,
    #[error("an age post-quantum or plugin key is not supported; kseal needs an X25519 key (age1... / AGE-SECRET-KEY-1...)")]
    /// An age plugin or post-quantum key, which kseal does not use.
    UnsupportedAge,
    #[error("not an age X25519 recipient (expected age1...): {0}")]
    /// Not a valid `age1...` recipient; why.
    BadRecipient(&'static str),
    #[error("not an age X25519 identity (expected AGE-SECRET-KEY-1...): {0}")]
    /// Not a valid `AGE-SECRET-KEY-1...` identity; why.
    BadIdentity(&'static str),
    #[error("this recipient is a low-order X25519 point: anything sealed to it could be opened by anyone (age refuses it too)")]
    /// A low-order (all-zero shared secret) public key.
    LowOrder,
}

/// Two different recipients whose key ids are the same: a sealed value names each stanza by its
/// kid, and openers refuse a kid twice, so a value sealed to both would open for nobody.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("recipients {first} and {second} have the same key id {kid} (kids are 32 bits, so two keys can collide): a value sealed to both could not be opened; seal to one of them, or make a new key for the other (`kseal keygen`)")]
pub struct KidCollision {
    /// The key id both keys have.
    pub kid: Kid,
    /// The first key with it.
    pub first: String,
    /// The second key with it.
    pub second: String,
}

/// `list` with repeated recipients dropped (first kept, order kept); two different recipients
/// with one kid are refused, naming both.
pub fn distinct_recipients(list: Vec<Recipient>) -> Result<Vec<Recipient>, KidCollision> {
    let mut out: Vec<Recipient> = Vec::with_capacity(list.len());
    for r in list {
        match out.iter().find(|o| o.kid() == r.kid()) {
            Some(o) if *o == r => {}
            Some(o) => {
                return Err(KidCollision {
                    kid: r.kid(),
                    first: o.to_string(),
                    second: r.to_string(),
                })
            }
            None => out.push(r),
        }
    }
    Ok(out)
}

/// Whether an X25519 public key is a low-order point. A clamped scalar is a multiple of the
/// cofactor 8, so its product with a point of order 1, 2, 4 or 8 is the identity, whose encoding
/// is all zeros: exactly the "non-contributory" case of RFC 7748 §6.1 and RFC 9180 §7.1.4.
fn is_low_order(public: &PublicKey) -> bool {
    !StaticSecret::from([0x55; 32])
        .diffie_hellman(public)
        .was_contributory()
}

/// `text` with every age secret key in it (any letter case) replaced by a redacted marker: the
/// last guard before a message reaches the terminal.
pub fn redact_secret_keys(text: &str) -> std::borrow::Cow<'_, str> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| regex::Regex::new(r"(?i)AGE-SECRET-KEY-[0-9A-Z]*").expect("a valid regex"));
    re.replace_all(text, "AGE-SECRET-KEY-... (redacted)")
}

/// Parses a recipient given by a user (a flag, a config field, a file line): the error names the
/// input only as [`shown`] does, so a secret key given by mistake is never echoed.
pub fn parse_recipient_arg(s: &str) -> Result<Recipient, RecipientArgError> {
    Recipient::from_str(s.trim()).map_err(|error| RecipientArgError {
        shown: shown(s),
        error,
    })
}

/// A recipient given by a user that is not one: the input as [`shown`] shows it, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{shown}: {error}")]
pub struct RecipientArgError {
    /// The input, as [`shown`] shows it (never a secret key).
    pub shown: String,
    #[source]
    /// Why it is not a recipient.
    pub error: KeyError,
}

/// How a key string given on a command line or in a config may be shown in a message: never a
/// secret key, whatever else it is, and never more than a short, printable prefix.
pub fn shown(s: &str) -> String {
    if looks_like_identity(s) || s.to_ascii_uppercase().contains("SECRET-KEY") {
        return "AGE-SECRET-KEY-... (redacted)".into();
    }
    let t: String = s
        .chars()
        .take(70)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if s.chars().count() > 70 {
        format!("{t}...")
    } else {
        t
    }
}

impl FromStr for Recipient {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, KeyError> {
        if looks_like_identity(s) {
            return Err(KeyError::SecretKeyAsRecipient);
        }
        if s.starts_with("ssh-") || s.starts_with("ecdsa-") {
            return Err(KeyError::SshKey);
        }
        // Bech32 puts the human-readable part before the last '1': `age1pq1...` and
        // `age1yubikey1...` are age keys of other types, not typos.
        if s.starts_with("age1") && s.rfind('1') > Some(3) {
            return Err(KeyError::UnsupportedAge);
        }
        let age = age::x25519::Recipient::from_str(s).map_err(KeyError::BadRecipient)?;
        let public = PublicKey::from(*bech32_payload(s));
        if is_low_order(&public) {
            return Err(KeyError::LowOrder);
        }
        Ok(Recipient {
            age,
            kid: Kid::of(&public),
            public,
        })
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.age, f)
    }
}

impl fmt::Debug for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Recipient({self}, kid {})", self.kid)
    }
}

/// An identity: an X25519 secret key, written `AGE-SECRET-KEY-1...`. The secret is zeroized on
/// drop (x25519-dalek's `zeroize` feature) and never shown by `Debug`.
#[derive(Clone)]
pub struct Identity {
    age: age::x25519::Identity,
    secret: StaticSecret,
    recipient: Recipient,
}

impl Identity {
    /// A new random identity, generated by the `age` crate.
    pub fn generate() -> Self {
        let age_identity = age::x25519::Identity::generate();
        Self::from_age_str(age_identity.to_string().expose_secret()).expect("age encodes valid identities")
    }

    /// An identity from raw key bytes (test vectors derive these with HPKE's DeriveKeyPair).
    pub fn from_secret(secret: StaticSecret) -> Self {
        let encoded = Zeroizing::new(
            bech32::encode_upper::<bech32::Bech32>(
                bech32::Hrp::parse_unchecked("AGE-SECRET-KEY-"),
                secret.as_bytes(),
            )
            .expect("a 32-byte key fits in Bech32"),
        );
        Self::from_age_str(&encoded).expect("a valid X25519 identity")
    }

    /// Parses one `AGE-SECRET-KEY-1...` string.
    pub fn from_age_str(s: &str) -> Result<Self, KeyError> {
        if s.starts_with("AGE-PLUGIN-") || s.starts_with("AGE-SECRET-KEY-PQ-") {
            return Err(KeyError::UnsupportedAge);
        }
        let age = age::x25519::Identity::from_str(s).map_err(KeyError::BadIdentity)?;
        let secret = StaticSecret::from(*bech32_payload(s));
        let recipient = Recipient::from_public(PublicKey::from(&secret));
        Ok(Identity {
            age,
            secret,
            recipient,
        })
    }

    /// The `AGE-SECRET-KEY-1...` string, encoded by the `age` crate.
    pub fn to_age_string(&self) -> Zeroizing<String> {
        Zeroizing::new(self.age.to_string().expose_secret().to_string())
    }

    /// Its public key.
    pub fn recipient(&self) -> &Recipient {
        &self.recipient
    }

    /// Its key id.
    pub fn kid(&self) -> Kid {
        self.recipient.kid
    }

    /// The same key as the `age` crate's identity, to open age files (SOPS data keys).
    pub(crate) fn age(&self) -> &age::x25519::Identity {
        &self.age
    }

    pub(crate) fn secret(&self) -> &StaticSecret {
        &self.secret
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Identity(kid {}, secret redacted)", self.kid())
    }
}

/// A problem in a key file, by 1-based line number (never the line's text: it may hold a secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {error}")]
pub struct KeyFileError {
    /// The 1-based line.
    pub line: usize,
    /// What is wrong with it.
    pub error: KeyError,
}

/// Lines that carry a key: not empty, not a `#` comment. Returns (1-based line, trimmed text).
fn key_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

/// Parses an age identity file: any number of `AGE-SECRET-KEY-1...` lines, `#` comments, blank lines.
pub fn parse_identities(text: &str) -> Result<Vec<Identity>, KeyFileError> {
    key_lines(text)
        .map(|(line, l)| Identity::from_age_str(l).map_err(|error| KeyFileError { line, error }))
        .collect()
}

/// Parses a recipients file: one `age1...` per line, `#` comments, blank lines.
pub fn parse_recipients(text: &str) -> Result<Vec<Recipient>, KeyFileError> {
    key_lines(text)
        .map(|(line, l)| Recipient::from_str(l).map_err(|error| KeyFileError { line, error }))
        .collect()
}

/// The text `kseal keygen` writes, in the layout of `age-keygen`.
pub fn identity_file_text(identity: &Identity, created_rfc3339: &str) -> Zeroizing<String> {
    Zeroizing::new(format!(
        "# created: {created_rfc3339}\n# public key: {}\n{}\n",
        identity.recipient(),
        identity.to_age_string().as_str()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    // age's own test key pair (age/src/x25519.rs tests).
    const TEST_SK: &str = "AGE-SECRET-KEY-1GQ9778VQXMMJVE8SK7J6VT8UJ4HDQAJUVSFCWCM02D8GEWQ72PVQ2Y5J33";
    const TEST_PK: &str = "age1t7rxyev2z3rw82stdlrrepyc39nvn86l5078zqkf5uasdy86jp6svpy7pa";

    /// keys/test-kid-collision.agekey's two public keys: different keys, both kid 1e192fdd.
    const COLLIDING: [&str; 2] = [
        "age1y3zqur4mf3z457ltvdasr03utnqcemzqg433k88uepdv6f2q2vsshnukqa",
        "age15ra6af7za53e86z5zz8qq3cv6fpvwp4vpzympv3apazc9549lahqk99phn",
    ];

    #[test]
    fn repeated_recipients_are_dropped_and_colliding_kids_refused() {
        let [a, b] = COLLIDING.map(|s| s.parse::<Recipient>().unwrap());
        assert_eq!(a.kid(), b.kid());
        let other: Recipient = TEST_PK.parse().unwrap();
        let kept = distinct_recipients(vec![a.clone(), other.clone(), a.clone()]).unwrap();
        assert_eq!(kept, vec![a.clone(), other.clone()]);
        let e = distinct_recipients(vec![a, other, b]).unwrap_err();
        assert_eq!(
            (e.first.as_str(), e.second.as_str()),
            (COLLIDING[0], COLLIDING[1])
        );
        assert!(e.to_string().contains("1e192fdd"), "{e}");
    }

    #[test]
    fn parses_age_key_pair_and_round_trips_strings() {
        let id = Identity::from_age_str(TEST_SK).unwrap();
        assert_eq!(id.recipient().to_string(), TEST_PK);
        assert_eq!(id.to_age_string().as_str(), TEST_SK);
        let r: Recipient = TEST_PK.parse().unwrap();
        assert_eq!(&r, id.recipient());
        assert_eq!(r.kid(), Kid::of(r.public()));
    }

    #[test]
    fn kid_is_first_four_bytes_of_sha256_of_public_key() {
        let r: Recipient = TEST_PK.parse().unwrap();
        let digest = Sha256::digest(r.public().as_bytes());
        assert_eq!(r.kid().to_string(), hex::encode(&digest[..4]));
        assert_eq!(Kid::parse(&r.kid().to_string()), Some(r.kid()));
        assert_eq!(Kid::parse("ABCDEF01"), None);
        assert_eq!(Kid::parse("abcdef0"), None);
        assert_eq!(Kid::parse("abcdef0g"), None);
    }

    #[test]
    fn identity_file_with_comments_and_several_keys() {
        let other = Identity::generate();
        let text = format!(
            "# created: x\n# public key: y\n{TEST_SK}\n\n  {}  \n",
            other.to_age_string().as_str()
        );
        let ids = parse_identities(&text).unwrap();
        assert_eq!(ids.len(), 2);
        assert_eq!(ids[1].kid(), other.kid());
    }

    #[test]
    fn bad_identity_line_is_reported_by_number_without_its_text() {
        let mut bad = TEST_SK.to_string();
        bad.replace_range(20..21, if &bad[20..21] == "Q" { "P" } else { "Q" });
        let err = parse_identities(&format!("# c\n{bad}\n")).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(!err.to_string().contains(&bad[15..]));
    }

    #[test]
    fn refuses_ssh_and_garbage_recipients() {
        assert_eq!(
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI".parse::<Recipient>(),
            Err(KeyError::SshKey)
        );
        assert!(matches!(
            "age1xyz".parse::<Recipient>(),
            Err(KeyError::BadRecipient(_))
        ));
        assert!(parse_recipients(&format!("# prod\n{TEST_PK}\n")).unwrap().len() == 1);
    }

    #[test]
    fn low_order_recipients_are_refused_not_a_panic() {
        // The all-zero point and the point of order 8 from RFC 7748's list of low-order points.
        for point in [
            [0u8; 32],
            hex_32("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
        ] {
            let encoded =
                bech32::encode_lower::<bech32::Bech32>(bech32::Hrp::parse_unchecked("age"), &point).unwrap();
            assert_eq!(encoded.parse::<Recipient>(), Err(KeyError::LowOrder), "{encoded}");
        }
        assert!(TEST_PK.parse::<Recipient>().is_ok());
    }

    fn hex_32(s: &str) -> [u8; 32] {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    #[test]
    fn recipient_errors_and_redaction_never_show_a_secret_key() {
        let err = parse_recipient_arg(TEST_SK).unwrap_err().to_string();
        assert!(
            !err.contains(&TEST_SK[15..]) && err.contains("secret key"),
            "{err}"
        );
        let text = format!("a {TEST_SK} b {}", TEST_SK.to_lowercase());
        let red = redact_secret_keys(&text);
        assert!(!red.to_uppercase().contains(&TEST_SK[16..]), "{red}");
        assert_eq!(
            red,
            "a AGE-SECRET-KEY-... (redacted) b AGE-SECRET-KEY-... (redacted)"
        );
    }

    #[test]
    fn shown_never_reveals_a_secret_key() {
        assert_eq!(shown(TEST_SK), "AGE-SECRET-KEY-... (redacted)");
        assert_eq!(shown(&TEST_SK.to_lowercase()), "AGE-SECRET-KEY-... (redacted)");
        assert_eq!(shown(&format!("  {TEST_SK}")), "AGE-SECRET-KEY-... (redacted)");
        assert_eq!(shown(TEST_PK), TEST_PK);
        assert_eq!(shown("a\u{1b}b"), "a?b");
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let id = Identity::from_age_str(TEST_SK).unwrap();
        let shown = format!("{id:?}");
        assert!(!shown.contains("AGE-SECRET"));
        assert!(shown.contains(&id.kid().to_string()));
    }
}
