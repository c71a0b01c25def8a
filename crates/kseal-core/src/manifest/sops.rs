//! Reading SOPS-encrypted YAML/JSON whose data key is wrapped for age, so that teams can move from
//! SOPS to kseal (`open`, `import-sops`). Only reading: kseal never writes SOPS files.
//!
//! The format, from getsops/sops (`sops.go`, `aes/cipher.go`, `stores/`):
//! - each encrypted leaf is `ENC[AES256_GCM,data:<b64>,iv:<b64 32 bytes>,tag:<b64 16 bytes>,type:<t>]`,
//!   AES-256-GCM with a 32-byte nonce, whose AAD is the map keys of the leaf's path, each followed
//!   by `:` (list indices are not part of the path);
//! - which leaves are encrypted follows the metadata's `unencrypted_suffix`, `encrypted_suffix`,
//!   `unencrypted_regex` and `encrypted_regex`;
//! - `sops.age[].enc` is the 32-byte data key, age-encrypted and ASCII-armored;
//! - `sops.mac` is SHA-512 over the bytes of every leaf in document order (only the encrypted ones
//!   after a fixed prefix when `mac_only_encrypted` is set), as uppercase hex, encrypted like a `str`
//!   leaf whose AAD is the `lastmodified` string.
//!
//! Written by hand because no maintained Rust crate reads SOPS files; the primitives (AES-GCM,
//! SHA-512, age) are RustCrypto's and the age crate's.

use std::io::Read;

use aes_gcm::aead::consts::U32;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::aes::Aes256;
use aes_gcm::AesGcm;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use granit_parser::ScalarStyle;
use sha2::{Digest, Sha256, Sha512};
use zeroize::Zeroizing;

use super::parse_all;
use super::splice::{self, double_quoted, Edit};
use super::tree::{Node, NodeKind};
use crate::crypto::Identity;
use crate::error::{Error, Location};

type Aes256Gcm32 = AesGcm<Aes256, U32>;

/// Whether `src` looks like a SOPS file: cheap byte checks first, then a top-level `sops` mapping
/// with a `mac` in the first document.
pub fn is_sops(src: &str) -> bool {
    let b = src.as_bytes();
    if memchr::memmem::find(b, b"sops").is_none() || memchr::memmem::find(b, b"lastmodified").is_none() {
        return false;
    }
    let Ok(docs) = super::tree::parse(src) else {
        return false;
    };
    // `lastmodified`, which sops always writes: a file whose `mac` was removed is still a SOPS
    // file (opened with --ignore-mac, refused without), never a plain manifest.
    docs.iter()
        .filter_map(|d| d.root.as_ref())
        .any(|root| root.get("sops").is_some_and(|m| m.get("lastmodified").is_some()))
}

/// Where `ENC[AES256_GCM,` first occurs in `src`, as line and column (1-based).
fn first_ciphertext(src: &str) -> Option<(usize, usize)> {
    let at = memchr::memmem::find(src.as_bytes(), b"ENC[AES256_GCM,")?;
    let before = &src[..at];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.len(), |nl| before.len() - nl - 1)
        + 1;
    Some((line, col))
}

/// Refuses SOPS's dotenv and INI files, which are not YAML: named as what they are instead of a
/// YAML syntax error, never passed through still encrypted.
pub fn refuse_other_formats(src: &str, file: &Location) -> Result<(), Error> {
    let Some((line, col)) = first_ciphertext(src) else {
        return Ok(());
    };
    let format = if src.lines().any(|l| l.starts_with("sops_mac=")) {
        "dotenv"
    } else if src.lines().any(|l| l.trim() == "[sops]") {
        "INI"
    } else {
        return Ok(());
    };
    Err(Error::input(
        file.clone().at(line, col),
        format!(
            "this is a SOPS {format} file; kseal opens SOPS YAML and JSON files only \
             (decrypt it with `sops -d`, or keep the Secret as a YAML manifest encrypted by SOPS)"
        ),
    ))
}

/// Refuses SOPS ciphertext left in a file that is opened as a plain manifest (its `sops`
/// metadata or MAC removed, values outside Secrets): never rendered still encrypted.
pub fn refuse_ciphertext(src: &str, file: &Location) -> Result<(), Error> {
    match first_ciphertext(src) {
        None => Ok(()),
        Some((line, col)) => Err(Error::input(
            file.clone().at(line, col),
            "a SOPS-encrypted value in a file without SOPS metadata kseal can read (no top-level \
             `sops` with a `mac`): the file is damaged or incomplete",
        )),
    }
}

/// A decrypted leaf's type, from the `type:` field of its `ENC[...]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Type {
    Str,
    Int,
    Float,
    Bool,
    Bytes,
    /// An encrypted YAML comment (`#ENC[...,type:comment]`).
    Comment,
    /// A YAML timestamp (an unquoted date), encrypted as its RFC 3339 text.
    Time,
}

struct Enc {
    data: Vec<u8>,
    iv: Vec<u8>,
    tag: Vec<u8>,
    ty: Type,
}

fn parse_enc(s: &str) -> Result<Enc, String> {
    let inner = s
        .strip_prefix("ENC[AES256_GCM,")
        .and_then(|r| r.strip_suffix(']'))
        .ok_or("not an ENC[AES256_GCM,...] value")?;
    let (mut data, mut iv, mut tag, mut ty) = (None, None, None, None);
    for part in inner.split(',') {
        let (name, value) = part.split_once(':').ok_or("a field without `name:`")?;
        let b64 = || {
            STANDARD
                .decode(value)
                .map_err(|_| format!("`{name}` is not base64"))
        };
        match name {
            "data" => data = Some(b64()?),
            "iv" => iv = Some(b64()?),
            "tag" => tag = Some(b64()?),
            "type" => {
                ty = Some(match value {
                    "str" => Type::Str,
                    "int" => Type::Int,
                    "float" => Type::Float,
                    "bool" => Type::Bool,
                    "bytes" => Type::Bytes,
                    "comment" => Type::Comment,
                    "time" => Type::Time,
                    other => return Err(format!("unsupported value type `{other}`")),
                })
            }
            other => return Err(format!("unknown field `{other}`")),
        }
    }
    let enc = Enc {
        data: data.ok_or("no `data`")?,
        iv: iv.ok_or("no `iv`")?,
        tag: tag.ok_or("no `tag`")?,
        ty: ty.ok_or("no `type`")?,
    };
    if enc.iv.len() != 32 || enc.tag.len() != 16 {
        return Err("the iv must be 32 bytes and the tag 16".into());
    }
    Ok(enc)
}

fn decrypt(key: &[u8; 32], enc: &Enc, aad: &str) -> Result<Zeroizing<Vec<u8>>, &'static str> {
    let cipher = Aes256Gcm32::new(key.into());
    let mut msg = Zeroizing::new(Vec::with_capacity(enc.data.len() + 16));
    msg.extend_from_slice(&enc.data);
    msg.extend_from_slice(&enc.tag);
    cipher
        .decrypt(
            enc.iv.as_slice().into(),
            Payload {
                msg: &msg,
                aad: aad.as_bytes(),
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| "does not decrypt: wrong data key, or the value or its path was altered")
}

/// The metadata rules that decide which leaves are encrypted (`shouldBeEncrypted` in sops.go).
struct Rules {
    unencrypted_suffix: Option<String>,
    encrypted_suffix: Option<String>,
    unencrypted_regex: Option<regex::Regex>,
    encrypted_regex: Option<regex::Regex>,
    mac_only_encrypted: bool,
}

impl Rules {
    fn encrypted(&self, path: &[&str]) -> bool {
        let mut enc = true;
        if let Some(s) = &self.unencrypted_suffix {
            if path.iter().any(|p| p.ends_with(s.as_str())) {
                enc = false;
            }
        }
        if let Some(s) = &self.encrypted_suffix {
            enc = path.iter().any(|p| p.ends_with(s.as_str()));
        }
        if let Some(r) = &self.unencrypted_regex {
            if path.iter().any(|p| r.is_match(p)) {
                enc = false;
            }
        }
        if let Some(r) = &self.encrypted_regex {
            enc = path.iter().any(|p| r.is_match(p));
        }
        enc
    }
}

/// What `sops` metadata kseal needs.
struct Metadata<'a> {
    rules: Rules,
    lastmodified: &'a str,
    mac: Option<&'a Node>,
    age: Vec<&'a str>,
}

fn meta_str<'a>(sops: &'a Node, key: &str) -> Option<&'a str> {
    sops.get(key).and_then(Node::as_str).filter(|s| !s.is_empty())
}

fn metadata<'a>(sops: &'a Node, at: &dyn Fn(&Node) -> Location) -> Result<Metadata<'a>, Error> {
    let bad = |n: &Node, m: String| Err(Error::input(at(n), m));
    for unsupported in ["unencrypted_comment_regex", "encrypted_comment_regex"] {
        if meta_str(sops, unsupported).is_some() {
            return bad(sops, format!("sops.{unsupported} is not supported by kseal"));
        }
    }
    if let Some(t) = sops.get("shamir_threshold").and_then(Node::as_str) {
        if !matches!(t, "" | "0" | "1") {
            return bad(
                sops,
                "SOPS key groups with a Shamir threshold are not supported by kseal".into(),
            );
        }
    }
    let regex = |key: &str| -> Result<Option<regex::Regex>, Error> {
        meta_str(sops, key)
            .map(|r| regex::Regex::new(r).map_err(|e| Error::input(at(sops), format!("sops.{key}: {e}"))))
            .transpose()
    };
    let rules = Rules {
        unencrypted_suffix: meta_str(sops, "unencrypted_suffix").map(str::to_string),
        encrypted_suffix: meta_str(sops, "encrypted_suffix").map(str::to_string),
        unencrypted_regex: regex("unencrypted_regex")?,
        encrypted_regex: regex("encrypted_regex")?,
        mac_only_encrypted: meta_str(sops, "mac_only_encrypted")
            .is_some_and(|v| v.eq_ignore_ascii_case("true")),
    };
    let Some(lastmodified) = sops.get("lastmodified").and_then(Node::as_str) else {
        return bad(sops, "sops.lastmodified is missing".into());
    };
    // Checked by `open`: missing is an error there unless --ignore-mac.
    let mac = sops.get("mac").filter(|m| m.as_str().is_some());
    let mut age = Vec::new();
    if let Some(NodeKind::Sequence { items, .. }) = sops.get("age").map(|n| &n.kind) {
        for item in items {
            match item.get("enc").and_then(Node::as_str) {
                Some(enc) => age.push(enc),
                None => return bad(item, "sops.age entry without `enc`".into()),
            }
        }
    }
    Ok(Metadata {
        rules,
        lastmodified,
        mac,
        age,
    })
}

/// Unwraps the 32-byte data key with whichever identity opens one of the age stanzas.
fn data_key(meta: &Metadata, identities: &[Identity], at: Location) -> Result<Zeroizing<[u8; 32]>, Error> {
    if meta.age.is_empty() {
        return Err(Error::crypto(
            at,
            "this SOPS file's data key is not encrypted to any age recipient (kseal reads age only, not PGP or cloud KMS)",
        ));
    }
    for enc in &meta.age {
        let reader = age::armor::ArmoredReader::new(enc.as_bytes());
        let Ok(decryptor) = age::Decryptor::new(reader) else {
            continue;
        };
        let ids = identities.iter().map(|i| i.age() as &dyn age::Identity);
        let Ok(mut stream) = decryptor.decrypt(ids) else {
            continue;
        };
        let mut key = Zeroizing::new(Vec::new());
        if stream.read_to_end(&mut key).is_ok() && key.len() == 32 {
            let mut out = Zeroizing::new([0u8; 32]);
            out.copy_from_slice(&key);
            return Ok(out);
        }
    }
    Err(Error::crypto(
        at,
        format!(
            "none of your identities opens this SOPS file's data key ({} age recipient{})",
            meta.age.len(),
            if meta.age.len() == 1 { "" } else { "s" }
        ),
    ))
}

/// The bytes sops hashes for a plain (unencrypted) scalar, as Go's yaml decoder types it and
/// sops's `ToBytes` prints it. `None` for null, which sops skips.
fn plain_mac_bytes(node: &Node) -> Option<Vec<u8>> {
    let text = node.as_str()?;
    if node.style() != Some(ScalarStyle::Plain) {
        return Some(text.as_bytes().to_vec());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => None,
        "true" | "True" | "TRUE" => Some(b"True".to_vec()),
        "false" | "False" | "FALSE" => Some(b"False".to_vec()),
        _ => {
            if let Ok(i) = text.parse::<i64>() {
                Some(i.to_string().into_bytes())
            } else if let Some(f) = text.parse::<f64>().ok().filter(|f| f.is_finite()) {
                if text
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
                {
                    Some(f.to_string().into_bytes())
                } else {
                    Some(text.as_bytes().to_vec())
                }
            } else {
                Some(text.as_bytes().to_vec())
            }
        }
    }
}

/// The bytes sops hashes for a decrypted value of type `ty`, and how kseal writes it back.
fn typed(
    ty: Type,
    plain: &[u8],
    json: bool,
) -> Result<(Zeroizing<Vec<u8>>, Zeroizing<String>), &'static str> {
    let text = std::str::from_utf8(plain).map_err(|_| "the decrypted value is not UTF-8")?;
    Ok(match ty {
        Type::Str | Type::Bytes => (
            Zeroizing::new(plain.to_vec()),
            Zeroizing::new(double_quoted(text)),
        ),
        Type::Int => {
            let i: i64 = text
                .parse()
                .map_err(|_| "an `int` value that is not an integer")?;
            (
                Zeroizing::new(i.to_string().into_bytes()),
                Zeroizing::new(i.to_string()),
            )
        }
        Type::Float => {
            let f: f64 = text.parse().map_err(|_| "a `float` value that is not a number")?;
            (
                Zeroizing::new(go_mac_float(f).into_bytes()),
                Zeroizing::new(go_float(f, json)),
            )
        }
        // sops hashes and encrypts a timestamp as its RFC 3339 text; written back as a string,
        // which is what a Secret's value is (`sops -d` prints it unquoted).
        Type::Time => (
            Zeroizing::new(plain.to_vec()),
            Zeroizing::new(double_quoted(text)),
        ),
        Type::Bool => match text {
            "true" | "True" => (Zeroizing::new(b"True".to_vec()), Zeroizing::new("true".into())),
            "false" | "False" => (Zeroizing::new(b"False".to_vec()), Zeroizing::new("false".into())),
            _ => return Err("a `bool` value that is neither true nor false"),
        },
        Type::Comment => return Err("a comment's ciphertext in place of a value"),
    })
}

/// The bytes sops hashes for a float: Go's `strconv.FormatFloat(f, 'f', -1, 64)`, whose
/// infinities and NaN are `+Inf`, `-Inf` and `NaN` (Rust writes `inf` and `NaN`).
fn go_mac_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        f.to_string()
    }
}

/// A float as `sops -d` prints it. YAML (Go's yaml.v3): `strconv.FormatFloat(f, 'g', -1, 64)`,
/// the shortest digits that read back as `f`, in exponent form when the exponent is below -4 or at
/// least 6 (`1e+06`, `1e-05`). JSON (Go's encoding/json): plain digits unless |f| < 1e-6 or
/// ≥ 1e21, then exponent form with a one-digit negative exponent kept short (`1e-7`, `1e+21`).
/// Written by hand: no crate formats floats Go's way.
fn go_float(f: f64, json: bool) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    // Rust's `{:e}` gives the same shortest round-trip digits: `1.2345e19`, `-1e-7`.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').expect("`{:e}` has an exponent");
    let exp: i32 = exp.parse().expect("`{:e}` has an integer exponent");
    let (sign, mantissa) = mantissa.strip_prefix('-').map_or(("", mantissa), |m| ("-", m));
    let exponent_form = if json {
        f.abs() < 1e-6 || f.abs() >= 1e21
    } else {
        !(-4..6).contains(&exp)
    };
    if !exponent_form {
        return format!("{sign}{}", f.abs());
    }
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let (first, rest) = digits.split_at(1);
    let dot = if rest.is_empty() { "" } else { "." };
    let esign = if exp < 0 { '-' } else { '+' };
    let width = if json && exp < 0 { 1 } else { 2 };
    format!("{sign}{first}{dot}{rest}e{esign}{:0width$}", exp.abs())
}

/// The walk over the document: decrypts leaves, feeds the MAC, collects the edits.
struct Walk<'a> {
    src: &'a str,
    key: &'a [u8; 32],
    rules: &'a Rules,
    hash: Sha512,
    edits: Vec<Edit>,
    file: &'a Location,
    decrypted: Vec<String>,
    /// A JSON file: numbers are printed as Go's encoding/json prints them.
    json: bool,
    /// The document being walked, 1-based, for error locations.
    document: usize,
}

impl Walk<'_> {
    fn at(&self, node: &Node, path: &[&str]) -> Location {
        let loc = self.file.clone().with_document(self.document);
        let loc = if path.is_empty() {
            loc
        } else {
            loc.with_key(path.join("."))
        };
        loc.at(node.line, node.col)
    }

    fn node(&mut self, key: Option<&Node>, node: &Node, path: &mut Vec<String>) -> Result<(), Error> {
        match &node.kind {
            NodeKind::Mapping { entries, .. } => {
                for (k, v) in entries {
                    let Some(name) = k.as_str() else {
                        return Err(Error::input(
                            self.at(k, &[]),
                            "a SOPS file may only have string keys",
                        ));
                    };
                    if path.is_empty() && name == "sops" {
                        continue;
                    }
                    path.push(name.to_string());
                    self.node(Some(k), v, path)?;
                    path.pop();
                }
                Ok(())
            }
            NodeKind::Sequence { items, .. } => items.iter().try_for_each(|i| self.node(None, i, path)),
            NodeKind::Alias => {
                let p: Vec<&str> = path.iter().map(String::as_str).collect();
                Err(Error::input(
                    self.at(node, &p),
                    "aliases are not supported in SOPS files",
                ))
            }
            NodeKind::Scalar { .. } => {
                let p: Vec<&str> = path.iter().map(String::as_str).collect();
                self.leaf(key, node, &p)
            }
        }
    }

    fn leaf(&mut self, key: Option<&Node>, node: &Node, path: &[&str]) -> Result<(), Error> {
        let text = node.as_str().expect("a scalar");
        let encrypted = self.rules.encrypted(path);
        if !text.starts_with("ENC[") {
            // sops leaves empty strings and nulls unencrypted whatever its rules say.
            let empty = text.is_empty() || plain_mac_bytes(node).is_none();
            if encrypted && !empty {
                return Err(Error::crypto(
                    self.at(node, path),
                    "this value should be encrypted by the file's sops rules but is not: the file was altered",
                ));
            }
            if !self.rules.mac_only_encrypted {
                if let Some(b) = plain_mac_bytes(node) {
                    self.hash.update(&b);
                }
            }
            return Ok(());
        }
        let at = || self.at(node, path);
        if !encrypted {
            // sops would not decrypt this value (its rules say the path is plain) and would print
            // the ciphertext; its MAC then fails. Altered metadata (a narrowed `encrypted_regex`)
            // does this, so that injected plain keys pass a `mac_only_encrypted` MAC: refuse.
            return Err(Error::crypto(
                at(),
                "this value is SOPS-encrypted but the file's sops rules say it is not: the metadata was altered",
            ));
        }
        let enc = parse_enc(text).map_err(|m| Error::crypto(at(), format!("malformed SOPS value: {m}")))?;
        let aad: String = path.iter().map(|p| format!("{p}:")).collect();
        let plain = decrypt(self.key, &enc, &aad).map_err(|m| Error::crypto(at(), m))?;
        let (mac_bytes, rendered) = typed(enc.ty, &plain, self.json).map_err(|m| Error::crypto(at(), m))?;
        self.hash.update(mac_bytes.as_slice());
        let edit = match key {
            Some(k) => splice::replace_value(self.src, k, node, rendered.to_string()),
            None => Edit {
                start: node.start,
                end: node.end,
                text: rendered.to_string(),
            },
        };
        self.edits.push(edit);
        self.decrypted.push(path.join("."));
        Ok(())
    }
}

/// The result of opening one SOPS file.
pub struct Opened {
    /// The plain document, `sops` metadata removed.
    pub text: Zeroizing<String>,
    /// The dotted paths of the decrypted values, in document order.
    pub decrypted: Vec<String>,
    /// Things the user should know (the MAC was not checked); the caller says them.
    pub warnings: Vec<String>,
}

/// The index and value of a document's top-level `sops` entry.
fn sops_entry(root: &Node) -> Option<(usize, &Node)> {
    root.entries().and_then(|e| {
        e.iter()
            .enumerate()
            .find(|(_, (k, _))| k.as_str() == Some("sops"))
            .map(|(i, (_, v))| (i, v))
    })
}

/// Opens a SOPS file: every `ENC[...]` leaf decrypted and written back with its type, the `sops`
/// block removed, every other byte kept. The MAC is checked unless `ignore_mac`.
pub fn open(src: &str, file: &Location, identities: &[Identity], ignore_mac: bool) -> Result<Opened, Error> {
    let docs = parse_all(src, file)?;
    // sops 3.11 writes a multi-document file with a copy of the same `sops` block in every
    // document and one MAC over the leaves of all of them, in order.
    let roots: Vec<(usize, &Node)> = docs
        .iter()
        .filter_map(|d| d.root.as_ref().map(|r| (d.index, r)))
        .collect();
    let Some(&(first_doc, root)) = roots.first() else {
        return Err(Error::input(file.clone(), "empty file"));
    };
    let at_node = |n: &Node| {
        file.clone()
            .with_document(first_doc)
            .with_key("sops")
            .at(n.line, n.col)
    };
    let Some((_, sops)) = sops_entry(root) else {
        return Err(Error::input(
            file.clone(),
            "not a SOPS file: no top-level `sops` metadata",
        ));
    };
    let json = src.trim_start().starts_with('{');
    let keys: Vec<_> = root
        .entries()
        .into_iter()
        .flatten()
        .filter_map(|(k, _)| k.as_str())
        .collect();
    // A binary file's `data` is one encrypted string; a JSON manifest whose only key is `data`
    // holds a mapping there, and is opened like any other.
    let binary = root.get("data").is_some_and(|d| d.as_str().is_some());
    if keys == ["data", "sops"] && json && binary {
        return Err(Error::input(
            file.clone(),
            "this is a SOPS binary file (a JSON object of `data` and `sops`); kseal opens SOPS YAML \
             and JSON manifests only (decrypt it with `sops -d`)",
        ));
    }
    let meta = metadata(sops, &at_node)?;
    let key = data_key(&meta, identities, at_node(sops))?;
    let mut walk = Walk {
        src,
        key: &key,
        rules: &meta.rules,
        hash: Sha512::new(),
        edits: Vec::new(),
        file,
        decrypted: Vec::new(),
        json,
        document: first_doc,
    };
    if meta.rules.mac_only_encrypted {
        // sops.go's MACOnlyEncryptedInitialization, documented as SHA-256("sops").
        walk.hash.update(Sha256::digest(b"sops"));
    }
    let mut removals = Vec::with_capacity(roots.len());
    for &(document, root) in &roots {
        walk.document = document;
        walk.node(None, root, &mut Vec::new())?;
        match sops_entry(root) {
            Some((index, _)) => removals.push(splice::remove_entry(src, root, index)),
            None => {
                return Err(Error::input(
                    file.clone().with_document(document),
                    "this document has no `sops` metadata; sops writes it in every document",
                ))
            }
        }
    }
    let computed = hex::encode_upper(walk.hash.clone().finalize());
    let mut warnings = Vec::new();
    match meta.mac {
        None if !ignore_mac => return Err(Error::input(
            at_node(sops),
            "sops.mac is missing (pass --ignore-mac to open the file anyway, as `sops -d --ignore-mac` does)",
        )),
        None => warnings.push(format!(
            "{file}: the file has no SOPS MAC; nothing vouches for its values (--ignore-mac)"
        )),
        Some(mac_node) => {
            let mac_at = || at_node(mac_node);
            let mac_text = mac_node.as_str().expect("checked");
            let stored = parse_enc(mac_text)
                .map_err(|m| Error::crypto(mac_at(), format!("malformed sops.mac: {m}")))
                .and_then(|enc| {
                    decrypt(&key, &enc, meta.lastmodified).map_err(|_| {
                        Error::crypto(
                            mac_at(),
                            "sops.mac does not decrypt: the MAC or sops.lastmodified was altered",
                        )
                    })
                });
            match stored {
                Ok(stored) if stored.as_slice() == computed.as_bytes() => {}
                Ok(_) if !ignore_mac => return Err(Error::crypto(
                    mac_at(),
                    "MAC mismatch: the file was altered after SOPS wrote it (pass --ignore-mac to open it anyway)",
                )),
                Err(e) if !ignore_mac => return Err(e),
                _ => warnings.push(format!("{file}: SOPS MAC not verified (--ignore-mac)")),
            }
        }
    }
    let mut edits = std::mem::take(&mut walk.edits);
    edits.extend(removals);
    edits.extend(comments(src, &docs, &key, &mut warnings, file));
    Ok(Opened {
        text: splice::apply(src, edits),
        decrypted: std::mem::take(&mut walk.decrypted),
        warnings,
    })
}

/// The path strings sops authenticates a comment with: the keys from the document's root to the
/// mapping the comment is in, each followed by `:` (`:` alone at the root). Every mapping's is a
/// candidate: a comment's place in sops's tree (head, line or foot comment of which node) does not
/// follow from its place in the text alone, and AES-GCM tells the right one.
fn comment_paths(node: &Node, path: &mut Vec<String>, out: &mut std::collections::BTreeSet<String>) {
    match &node.kind {
        NodeKind::Mapping { entries, .. } => {
            out.insert(format!("{}:", path.join(":")));
            for (k, v) in entries {
                if let Some(name) = k.as_str() {
                    path.push(name.to_string());
                    comment_paths(v, path, out);
                    path.pop();
                }
            }
        }
        NodeKind::Sequence { items, .. } => items.iter().for_each(|i| comment_paths(i, path, out)),
        _ => {}
    }
}

/// Decrypts the comments sops encrypted (by default it encrypts every comment, and they are part
/// of what it protects): `#ENC[...,type:comment]` becomes `#` and the comment's text, as `sops -d`
/// prints it. One that opens under no path is dropped with a warning, never left as ciphertext
/// that kseal's readers would then refuse. Comments are not part of sops's MAC.
fn comments(
    src: &str,
    docs: &[super::tree::Document],
    key: &[u8; 32],
    warnings: &mut Vec<String>,
    file: &Location,
) -> Vec<Edit> {
    let mut paths = std::collections::BTreeSet::new();
    for root in docs.iter().filter_map(|d| d.root.as_ref()) {
        comment_paths(root, &mut Vec::new(), &mut paths);
    }
    let mut edits = Vec::new();
    for at in memchr::memmem::find_iter(src.as_bytes(), b"#ENC[AES256_GCM,") {
        let end = src[at..].find(['\n', '\r']).map_or(src.len(), |n| at + n);
        let line = src[..at].matches('\n').count() + 1;
        let text = src[at + 1..end].trim_end();
        let opened = parse_enc(text)
            .ok()
            .filter(|e| e.ty == Type::Comment)
            .and_then(|enc| paths.iter().find_map(|p| decrypt(key, &enc, p).ok()))
            .and_then(|plain| String::from_utf8(plain.to_vec()).ok());
        let replacement = match opened {
            // A comment is one line: a line break in it would be text outside the comment.
            Some(c) if !c.contains(['\n', '\r']) => format!("#{c}"),
            _ => {
                warnings.push(format!(
                    "{file}: line {line}: a SOPS-encrypted comment that does not decrypt was dropped"
                ));
                String::new()
            }
        };
        edits.push(Edit {
            start: at,
            end,
            text: replacement,
        });
    }
    edits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Rules {
        Rules {
            unencrypted_suffix: None,
            encrypted_suffix: None,
            unencrypted_regex: None,
            encrypted_regex: None,
            mac_only_encrypted: false,
        }
    }

    #[test]
    fn encryption_rules_follow_sops_should_be_encrypted() {
        assert!(rules().encrypted(&["metadata", "name"]));
        let r = Rules {
            unencrypted_suffix: Some("_unencrypted".into()),
            ..rules()
        };
        assert!(!r.encrypted(&["a_unencrypted", "b"]) && r.encrypted(&["a", "b"]));
        let r = Rules {
            encrypted_regex: Some(regex::Regex::new("^(data|stringData)$").unwrap()),
            ..rules()
        };
        assert!(r.encrypted(&["stringData", "key"]) && !r.encrypted(&["metadata", "name"]));
        // The later rule wins, as in sops.go.
        let r = Rules {
            unencrypted_suffix: Some("_plain".into()),
            encrypted_suffix: Some("_secret".into()),
            ..rules()
        };
        assert!(r.encrypted(&["x_plain", "y_secret"]));
    }

    #[test]
    fn enc_values_parse_strictly() {
        let ok = "ENC[AES256_GCM,data:mHeXsmQ=,iv:vUMpILz3xchORqkzDFvgwENY7EqIHHGJdEF6C8xqbFE=,tag:IroV7hykADvD0IUaq6kikA==,type:str]";
        let e = parse_enc(ok).unwrap();
        assert_eq!(
            (e.data.len(), e.iv.len(), e.tag.len(), e.ty),
            (5, 32, 16, Type::Str)
        );
        assert!(parse_enc(&ok.replace("type:str", "type:map")).is_err());
        assert!(parse_enc(&ok.replace(",tag:IroV7hykADvD0IUaq6kikA==", "")).is_err());
        assert!(parse_enc(&ok.replace("iv:vUMp", "iv:")).is_err());
        assert!(parse_enc("ENC[AES256_CBC,data:]").is_err());
    }

    #[test]
    fn typed_values_hash_as_sops_to_bytes_prints_them() {
        let (mac, shown) = typed(Type::Bool, b"true", false).unwrap();
        assert_eq!((mac.as_slice(), shown.as_str()), (&b"True"[..], "true"));
        let (mac, shown) = typed(Type::Int, b"92", false).unwrap();
        assert_eq!((mac.as_slice(), shown.as_str()), (&b"92"[..], "92"));
        let (_, shown) = typed(Type::Str, b"a\"b", false).unwrap();
        assert_eq!(shown.as_str(), "\"a\\\"b\"");
        assert!(typed(Type::Int, b"x", false).is_err());
    }

    #[test]
    fn floats_are_printed_as_sops_prints_them() {
        // Each pair from `sops -d` 3.11 of files holding these numbers.
        let yaml = [
            (1.0e20, "1e+20"),
            (1.5, "1.5"),
            (3.0, "3"),
            (1e-7, "1e-07"),
            (0.1, "0.1"),
            (12345678901234567890.0, "1.2345678901234567e+19"),
            (123456789.0, "1.23456789e+08"),
            (1000000.0, "1e+06"),
            (100000.5, "100000.5"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-0.0, "-0"),
            (-2.5e-10, "-2.5e-10"),
        ];
        for (f, want) in yaml {
            assert_eq!(go_float(f, false), want, "{f:e}");
        }
        let json = [
            (123456789.0, "123456789"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (3.0, "3"),
        ];
        for (f, want) in json {
            assert_eq!(go_float(f, true), want, "{f:e}");
        }
    }
}
