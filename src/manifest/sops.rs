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

use super::edit::{self, double_quoted, Edit};
use super::parse_all;
use super::tree::{Node, NodeKind};
use crate::crypto::Identity;
use crate::error::{Error, Location};

type Aes256Gcm32 = AesGcm<Aes256, U32>;

/// Whether `src` looks like a SOPS file: cheap byte checks first, then a top-level `sops` mapping
/// with a `mac` in the first document.
pub fn is_sops(src: &str) -> bool {
    let b = src.as_bytes();
    if memchr::memmem::find(b, b"sops").is_none() || memchr::memmem::find(b, b"mac").is_none() {
        return false;
    }
    let Ok(docs) = super::tree::parse(src) else {
        return false;
    };
    docs.iter()
        .filter_map(|d| d.root.as_ref())
        .any(|root| root.get("sops").is_some_and(|m| m.get("mac").is_some()))
}

/// A decrypted leaf's type, from the `type:` field of its `ENC[...]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Type {
    Str,
    Int,
    Float,
    Bool,
    Bytes,
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
    mac: &'a Node,
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
    let Some(mac) = sops.get("mac").filter(|m| m.as_str().is_some()) else {
        return bad(sops, "sops.mac is missing".into());
    };
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
fn typed(ty: Type, plain: &[u8]) -> Result<(Zeroizing<Vec<u8>>, Zeroizing<String>), &'static str> {
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
                Zeroizing::new(f.to_string().into_bytes()),
                Zeroizing::new(text.to_string()),
            )
        }
        Type::Bool => match text {
            "true" | "True" => (Zeroizing::new(b"True".to_vec()), Zeroizing::new("true".into())),
            "false" | "False" => (Zeroizing::new(b"False".to_vec()), Zeroizing::new("false".into())),
            _ => return Err("a `bool` value that is neither true nor false"),
        },
    })
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
}

impl Walk<'_> {
    fn at(&self, node: &Node, path: &[&str]) -> Location {
        let loc = self.file.clone().with_document(1);
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
            if encrypted && !(node.style() == Some(ScalarStyle::Plain) && plain_mac_bytes(node).is_none()) {
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
        let enc = parse_enc(text).map_err(|m| Error::crypto(at(), format!("malformed SOPS value: {m}")))?;
        let aad: String = path.iter().map(|p| format!("{p}:")).collect();
        let plain = decrypt(self.key, &enc, &aad).map_err(|m| Error::crypto(at(), m))?;
        let (mac_bytes, rendered) = typed(enc.ty, &plain).map_err(|m| Error::crypto(at(), m))?;
        self.hash.update(mac_bytes.as_slice());
        let edit = match key {
            Some(k) => edit::replace_value(self.src, k, node, rendered.to_string()),
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

/// Opens a SOPS file: every `ENC[...]` leaf decrypted and written back with its type, the `sops`
/// block removed, every other byte kept. The MAC is checked unless `ignore_mac`.
pub fn open(src: &str, file: &Location, identities: &[Identity], ignore_mac: bool) -> Result<Opened, Error> {
    let docs = parse_all(src, file)?;
    let doc_count = docs.iter().filter(|d| d.root.is_some()).count();
    let Some(root) = docs.iter().find_map(|d| d.root.as_ref()) else {
        return Err(Error::input(file.clone(), "empty file"));
    };
    if doc_count != 1 {
        return Err(Error::input(
            file.clone(),
            "multi-document SOPS files are not supported; split the documents into files",
        ));
    }
    let at_node = |n: &Node| file.clone().with_document(1).with_key("sops").at(n.line, n.col);
    let Some((sops_index, sops)) = root
        .entries()
        .and_then(|e| {
            e.iter()
                .enumerate()
                .find(|(_, (k, _))| k.as_str() == Some("sops"))
        })
        .map(|(i, (_, v))| (i, v))
    else {
        return Err(Error::input(
            file.clone(),
            "not a SOPS file: no top-level `sops` metadata",
        ));
    };
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
    };
    if meta.rules.mac_only_encrypted {
        // sops.go's MACOnlyEncryptedInitialization, documented as SHA-256("sops").
        walk.hash.update(Sha256::digest(b"sops"));
    }
    walk.node(None, root, &mut Vec::new())?;
    let computed = hex::encode_upper(walk.hash.clone().finalize());
    let mac_at = || at_node(meta.mac);
    let mac_text = meta.mac.as_str().expect("checked");
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
    let mut warnings = Vec::new();
    match stored {
        Ok(stored) if stored.as_slice() == computed.as_bytes() => {}
        Ok(_) if !ignore_mac => return Err(Error::crypto(
            mac_at(),
            "MAC mismatch: the file was altered after SOPS wrote it (pass --ignore-mac to open it anyway)",
        )),
        Err(e) if !ignore_mac => return Err(e),
        _ => warnings.push(format!("{file}: SOPS MAC not verified (--ignore-mac)")),
    }
    let mut edits = std::mem::take(&mut walk.edits);
    edits.push(edit::remove_entry(src, root, sops_index));
    Ok(Opened {
        text: edit::apply(src, edits),
        decrypted: std::mem::take(&mut walk.decrypted),
        warnings,
    })
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
        let (mac, shown) = typed(Type::Bool, b"true").unwrap();
        assert_eq!((mac.as_slice(), shown.as_str()), (&b"True"[..], "true"));
        let (mac, shown) = typed(Type::Int, b"92").unwrap();
        assert_eq!((mac.as_slice(), shown.as_str()), (&b"92"[..], "92"));
        let (_, shown) = typed(Type::Str, b"a\"b").unwrap();
        assert_eq!(shown.as_str(), "\"a\\\"b\"");
        assert!(typed(Type::Int, b"x").is_err());
    }
}
