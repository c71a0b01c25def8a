//! The `sops` metadata block: which leaves are encrypted, the MAC, and the data key (age).

use std::io::Read;

use zeroize::Zeroizing;

use crate::crypto::Identity;
use crate::error::{Error, Location};
use crate::manifest::tree::{Node, NodeKind};

/// The metadata rules that decide which leaves are encrypted (`shouldBeEncrypted` in sops.go).
pub(super) struct Rules {
    pub(super) unencrypted_suffix: Option<String>,
    pub(super) encrypted_suffix: Option<String>,
    pub(super) unencrypted_regex: Option<regex::Regex>,
    pub(super) encrypted_regex: Option<regex::Regex>,
    pub(super) mac_only_encrypted: bool,
}

impl Rules {
    pub(super) fn encrypted(&self, path: &[&str]) -> bool {
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
pub(super) struct Metadata<'a> {
    pub(super) rules: Rules,
    pub(super) lastmodified: &'a str,
    pub(super) mac: Option<&'a Node>,
    pub(super) age: Vec<&'a str>,
}

pub(super) fn meta_str<'a>(sops: &'a Node, key: &str) -> Option<&'a str> {
    sops.get(key).and_then(Node::as_str).filter(|s| !s.is_empty())
}

pub(super) fn metadata<'a>(sops: &'a Node, at: &dyn Fn(&Node) -> Location) -> Result<Metadata<'a>, Error> {
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
pub(super) fn data_key(
    meta: &Metadata,
    identities: &[Identity],
    at: Location,
) -> Result<Zeroizing<[u8; 32]>, Error> {
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
