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

use sha2::{Digest, Sha256, Sha512};
use zeroize::Zeroizing;

mod comments;
mod leaf;

/// Whether `text` is a whole SOPS leaf, `ENC[AES256_GCM,data:...,iv:...,tag:...,type:...]` with
/// every part in place: the one test every reader uses (a broken `ENC[` is plaintext to all).
pub(crate) fn is_enc_leaf(text: &str) -> bool {
    leaf::parse_enc(text).is_ok()
}
mod meta;

use super::parse_all;
use super::splice::{self, Edit};
use super::tree::{Node, NodeKind};
use crate::crypto::Identity;
use crate::error::{Error, Location};
use comments::comments;
use leaf::{decrypt, parse_enc, plain_mac_bytes, typed};
use meta::{data_key, metadata, Rules};

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

/// Which of SOPS's formats that are not YAML `src` is: `dotenv` or `INI` (with ciphertext and
/// their SOPS metadata), else `None`.
pub fn other_format(src: &str) -> Option<&'static str> {
    first_ciphertext(src)?;
    if src.lines().any(|l| l.starts_with("sops_mac=")) {
        Some("dotenv")
    } else if src.lines().any(|l| l.trim() == "[sops]") {
        Some("INI")
    } else {
        None
    }
}

/// Refuses SOPS's dotenv and INI files, which are not YAML: named as what they are instead of a
/// YAML syntax error, never passed through still encrypted.
pub fn refuse_other_formats(src: &str, file: &Location) -> Result<(), Error> {
    let Some((line, col)) = first_ciphertext(src) else {
        return Ok(());
    };
    let Some(format) = other_format(src) else {
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
        let enc = parse_enc(text)
            .map_err(|m| Error::crypto(at(), format!("malformed SOPS value: {m}")).with_source(m))?;
        let aad: String = path.iter().map(|p| format!("{p}:")).collect();
        let plain =
            decrypt(self.key, &enc, &aad).map_err(|m| Error::crypto(at(), m.to_string()).with_source(m))?;
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
    let mut warnings: Vec<String> = check_mac(&meta, &key, &computed, ignore_mac, &at_node, sops, file)?
        .into_iter()
        .collect();
    let mut edits = std::mem::take(&mut walk.edits);
    edits.extend(removals);
    edits.extend(comments(src, &docs, &key, &mut warnings, file));
    Ok(Opened {
        text: splice::apply(src, edits),
        decrypted: std::mem::take(&mut walk.decrypted),
        warnings,
    })
}

/// Checks the stored MAC against `computed` (uppercase hex of the leaves' SHA-512); with
/// `ignore_mac`, a missing or wrong one is the warning returned.
fn check_mac(
    meta: &meta::Metadata<'_>,
    key: &[u8; 32],
    computed: &str,
    ignore_mac: bool,
    at_node: &dyn Fn(&Node) -> Location,
    sops: &Node,
    file: &Location,
) -> Result<Option<String>, Error> {
    match meta.mac {
        None if !ignore_mac => return Err(Error::input(
            at_node(sops),
            "sops.mac is missing (pass --ignore-mac to open the file anyway, as `sops -d --ignore-mac` does)",
        )),
        None => {
            return Ok(Some(format!(
                "{file}: the file has no SOPS MAC; nothing vouches for its values (--ignore-mac)"
            )))
        }
        Some(mac_node) => {
            let mac_at = || at_node(mac_node);
            let mac_text = mac_node.as_str().expect("checked");
            let stored = parse_enc(mac_text)
                .map_err(|m| Error::crypto(mac_at(), format!("malformed sops.mac: {m}")).with_source(m))
                .and_then(|enc| {
                    decrypt(key, &enc, meta.lastmodified).map_err(|_| {
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
                _ => return Ok(Some(format!("{file}: SOPS MAC not verified (--ignore-mac)"))),
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::leaf::{go_float, Type};
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
