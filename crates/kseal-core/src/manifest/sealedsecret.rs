//! Reading Bitnami sealed-secrets' SealedSecrets (`bitnami.com/v1alpha1`) with the controller's
//! private key, so that teams can move to kseal (`import-sealedsecret`). Only reading.
//!
//! Each value of `spec.encryptedData` is sealed-secrets' hybrid encryption (`pkg/crypto`): a
//! 2-byte big-endian length, an RSA-OAEP (SHA-256) encryption of a 32-byte session key whose
//! label is the scope (`namespace/name` strict, `namespace` namespace-wide, empty cluster-wide),
//! then AES-256-GCM of the value under that key with an all-zero nonce (each key is used once).
//! The primitives are RustCrypto's `rsa` and `aes-gcm`; only this framing is written here.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::Aes256Gcm;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::Oaep;
pub use rsa::RsaPrivateKey;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::splice::double_quoted;
use super::tree::{self, Node, NodeKind};
use crate::crypto::Scope;
use crate::error::{Error, Location};

/// The annotations sealed-secrets reads for the scope.
const NAMESPACE_WIDE: &str = "sealedsecrets.bitnami.com/namespace-wide";
const CLUSTER_WIDE: &str = "sealedsecrets.bitnami.com/cluster-wide";

/// The controller's private keys, from PEM text (PKCS#1 or PKCS#8, several blocks allowed) or from
/// the YAML of `kubectl get secret -n kube-system -l sealedsecrets.bitnami.com/sealed-secrets-key
/// -o yaml` (a List or Secrets of type `kubernetes.io/tls`, the key in `data.tls.key`).
pub fn controller_keys(text: &str, file: &Location) -> Result<Vec<RsaPrivateKey>, Error> {
    let mut pems: Vec<Zeroizing<String>> = Vec::new();
    if text.contains("-----BEGIN") {
        pems.push(Zeroizing::new(text.to_string()));
    } else {
        let docs = tree::parse(text).map_err(|e| Error::input(file.clone().at(e.line, e.col), e.message))?;
        let mut found = Vec::new();
        for d in &docs {
            if let Some(root) = &d.root {
                tls_keys(root, &mut found);
            }
        }
        for n in found {
            let b64: String = n.as_str().unwrap_or("").split_whitespace().collect();
            let pem = STANDARD
                .decode(b64)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| {
                    Error::input(
                        file.clone().at(n.line, n.col),
                        "tls.key is not base64 of a PEM key",
                    )
                })?;
            pems.push(Zeroizing::new(pem));
        }
    }
    rsa_keys(&pems, file)
}

/// The RSA private keys in PEM texts (the controller's `tls.key`s).
pub fn rsa_keys(pems: &[Zeroizing<String>], file: &Location) -> Result<Vec<RsaPrivateKey>, Error> {
    let mut keys = Vec::new();
    for pem in pems {
        for block in pem_blocks(pem) {
            // The controller's keys are RSA. Other keys in the same export (an EC key, in SEC1 or
            // PKCS#8 form alike) are not the controller's and are skipped the same way.
            if block.contains("BEGIN RSA PRIVATE KEY") {
                let key = RsaPrivateKey::from_pkcs1_pem(block).map_err(|_| {
                    Error::input(
                        file.clone(),
                        "a `BEGIN RSA PRIVATE KEY` block that is not a valid RSA key (truncated or altered?)",
                    )
                })?;
                keys.push(key);
            } else if block.contains("BEGIN PRIVATE KEY") {
                if let Ok(key) = RsaPrivateKey::from_pkcs8_pem(block) {
                    keys.push(key);
                }
            }
        }
    }
    if keys.is_empty() {
        return Err(Error::input(
            file.clone(),
            "no RSA private key found: pass the controller key as PEM, or the YAML of `kubectl get secret \
             -n kube-system -l sealedsecrets.bitnami.com/sealed-secrets-key -o yaml`",
        ));
    }
    Ok(keys)
}

/// Every `tls.key` value under `node`.
fn tls_keys<'a>(node: &'a Node, out: &mut Vec<&'a Node>) {
    match &node.kind {
        NodeKind::Mapping { entries, .. } => {
            for (k, v) in entries {
                if k.as_str() == Some("tls.key") && v.as_str().is_some() {
                    out.push(v);
                } else {
                    tls_keys(v, out);
                }
            }
        }
        NodeKind::Sequence { items, .. } => items.iter().for_each(|i| tls_keys(i, out)),
        _ => {}
    }
}

/// The `-----BEGIN ...-----` to `-----END ...-----` blocks of `text`.
fn pem_blocks(text: &str) -> Vec<&str> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN") {
        let Some(end_marker) = rest[start..].find("-----END") else {
            break;
        };
        let after = start + end_marker;
        let end = rest[after + 8..]
            .find("-----")
            .map_or(rest.len(), |e| after + 8 + e + 5);
        blocks.push(&rest[start..end]);
        rest = &rest[end..];
    }
    blocks
}

/// Why a value did not open.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// No controller key opens it with any scope.
    NoKey,
    /// A controller key opens it, but with another scope's label than the annotations say.
    Scope(&'static str),
    /// The session key opened but the value does not: altered.
    Altered,
    /// Not a SealedSecret ciphertext kseal can read.
    Malformed,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::NoKey => f.write_str(
                "none of the controller keys opens it (a key of another controller, or sealed for another \
                 namespace or name)",
            ),
            Refusal::Scope(s) => write!(
                f,
                "a controller key opens it only as {s}: the scope annotations do not match how it was sealed"
            ),
            Refusal::Altered => f.write_str("the value was altered (AES-GCM authentication failed)"),
            Refusal::Malformed => {
                f.write_str("not sealed-secrets ciphertext (too short or bad length prefix)")
            }
        }
    }
}

fn session_key(keys: &[RsaPrivateKey], wrapped: &[u8], label: &str) -> Option<Zeroizing<Vec<u8>>> {
    keys.iter().find_map(|k| {
        let oaep = Oaep::new_with_label::<Sha256, _>(label);
        k.decrypt(oaep, wrapped).ok().map(Zeroizing::new)
    })
}

/// Opens one `encryptedData` value (raw bytes) with the scope label `label`; `others` are the
/// labels of the other scopes, tried only to say why it failed.
pub fn open_value(
    keys: &[RsaPrivateKey],
    ciphertext: &[u8],
    label: &str,
    others: &[(&'static str, String)],
) -> Result<Zeroizing<Vec<u8>>, Refusal> {
    if ciphertext.len() < 2 {
        return Err(Refusal::Malformed);
    }
    let n = u16::from_be_bytes([ciphertext[0], ciphertext[1]]) as usize;
    let Some((wrapped, body)) = ciphertext[2..].split_at_checked(n) else {
        return Err(Refusal::Malformed);
    };
    let Some(key) = session_key(keys, wrapped, label) else {
        return Err(others
            .iter()
            .find(|(_, l)| session_key(keys, wrapped, l).is_some())
            .map_or(Refusal::NoKey, |(what, _)| Refusal::Scope(what)));
    };
    let cipher = Aes256Gcm::new_from_slice(&key).map_err(|_| Refusal::Malformed)?;
    cipher
        .decrypt(&[0u8; 12].into(), body)
        .map(Zeroizing::new)
        .map_err(|_| Refusal::Altered)
}

/// A string as a YAML scalar: plain when it can only read back as that string (`web`,
/// `kubernetes.io/tls`), else double-quoted.
fn scalar(s: &str) -> String {
    let plain = s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-'))
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "inf" | "nan"
        );
    if plain {
        s.to_string()
    } else {
        double_quoted(s)
    }
}

/// One document of an imported file: a SealedSecret made a plain `v1` Secret manifest with the
/// kseal scope it maps to, or (`scope` None) any other document, as written.
pub struct Imported {
    /// The Secret, as YAML, values opened.
    pub secret: Zeroizing<String>,
    /// The scope its values were sealed with.
    pub scope: Option<Scope>,
    /// How many values it has.
    pub values: usize,
    /// Comment lines inside a converted SealedSecret, which the new Secret (written afresh) does
    /// not carry: the migration report counts them.
    pub comments_dropped: usize,
}

fn get<'a>(node: &'a Node, path: &[&str]) -> Option<&'a Node> {
    path.iter().try_fold(node, |n, k| n.get(k))
}

fn string_map(node: Option<&Node>) -> Vec<(&str, &str)> {
    node.and_then(Node::entries)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.as_str()?, v.as_str()?)))
        .collect()
}

/// Whether `src` holds a SealedSecret (a document, or an item of a list): a folder walk leaves
/// the other files as they are. Text without the word is not parsed at all (Helm templates, other
/// tools' configuration); text that does not parse holds none.
pub fn holds_sealed_secret(src: &str) -> bool {
    if !src.contains("SealedSecret") {
        return false;
    }
    let Ok(docs) = super::tree::parse(src) else {
        return false;
    };
    let is = |n: &Node| n.get("kind").and_then(Node::as_str) == Some("SealedSecret");
    docs.iter()
        .filter_map(|d| d.root.as_ref())
        .any(|root| is(root) || super::secret::list_items(root).is_some_and(|items| items.iter().any(is)))
}

/// Turns every SealedSecret of `src` into a plain Secret; `namespace` is used where the
/// SealedSecret names none. Errors name the document, the SealedSecret and the key. A list
/// (`kind: List`, or anything with `items`, as kubectl reads it) becomes its items, one document
/// each, the SealedSecrets among them converted.
pub fn import(
    src: &str,
    file: &Location,
    keys: &[RsaPrivateKey],
    namespace: Option<&str>,
) -> Result<Vec<Imported>, Error> {
    let docs = super::parse_all(src, file)?;
    let mut out = Vec::new();
    let is_sealed = |n: &Node| n.get("kind").and_then(Node::as_str) == Some("SealedSecret");
    for d in &docs {
        let Some(root) = &d.root else { continue };
        let at_doc = file.clone().with_document(d.index);
        match super::secret::list_items(root) {
            Some(items) if items.iter().any(is_sealed) => {
                for item in items {
                    out.push(if is_sealed(item) {
                        convert(src, item, at_doc.clone(), keys, namespace)?
                    } else {
                        kept(src, item)
                    });
                }
            }
            _ if is_sealed(root) => out.push(convert(src, root, at_doc, keys, namespace)?),
            _ => out.push(kept(src, root)),
        }
    }
    Ok(out)
}

/// A document or list item that is no SealedSecret, kept as written (comments inside it
/// included), so `-w` loses nothing; a block list item is moved to the left margin.
fn kept(src: &str, node: &Node) -> Imported {
    let text = src[node.start..node.end].trim_end();
    let indent = node.col - 1;
    let mut lines = text.split('\n');
    let mut out = lines.next().unwrap_or_default().to_string();
    for line in lines {
        out.push('\n');
        let strip = line.len() - line.trim_start_matches(' ').len();
        out.push_str(&line[strip.min(indent)..]);
    }
    out.push('\n');
    Imported {
        secret: Zeroizing::new(out),
        scope: None,
        values: 0,
        comments_dropped: 0,
    }
}

/// One SealedSecret (`root`) as the Secret the controller would make.
fn convert(
    src: &str,
    root: &Node,
    at_doc: Location,
    keys: &[RsaPrivateKey],
    namespace: Option<&str>,
) -> Result<Imported, Error> {
    let comment_lines = src[root.start..root.end]
        .lines()
        .filter(|l| l.trim_start().starts_with('#') || l.contains(" #"))
        .count();
    let api = root.get("apiVersion").and_then(Node::as_str).unwrap_or("");
    if api != "bitnami.com/v1alpha1" {
        return Err(Error::input(
            at_doc,
            format!("a SealedSecret of apiVersion `{api}`; kseal reads bitnami.com/v1alpha1"),
        ));
    }
    let name = get(root, &["metadata", "name"])
        .and_then(Node::as_str)
        .ok_or_else(|| Error::input(at_doc.clone(), "a SealedSecret without metadata.name"))?;
    let at_doc = at_doc.with_secret(name);
    let ns = get(root, &["metadata", "namespace"])
        .and_then(Node::as_str)
        .or(namespace);
    let (scope, label, others) = sealing_scope(root, name, ns, &at_doc)?;
    let template = get(root, &["spec", "template"]);
    if let Some(t) = template.and_then(|t| t.get("data")) {
        return Err(Error::input(
            at_doc.at(t.line, t.col),
            "spec.template.data (values templated from the sealed ones) is not supported; import without it and add the keys with `kseal set`",
        ));
    }
    let data = open_entries(root, &at_doc, keys, &label, &others)?;
    Ok(Imported {
        secret: secret_text(root, name, &data),
        scope: Some(scope),
        values: data.len(),
        comments_dropped: comment_lines,
    })
}

/// The labels of the scopes a value may be sealed to: (scope, label).
type Labels = Vec<(&'static str, String)>;

/// The scope the SealedSecret was sealed with (its annotations), the label its values are bound
/// to, and the other scopes' labels (tried when opening says the first is wrong).
fn sealing_scope(
    root: &Node,
    name: &str,
    ns: Option<&str>,
    at_doc: &Location,
) -> Result<(Scope, String, Labels), Error> {
    let annotations = string_map(get(root, &["metadata", "annotations"]));
    let is = |a: &str| annotations.iter().any(|(k, v)| *k == a && *v == "true");
    let strict_label = ns.map(|ns| format!("{ns}/{name}"));
    let ns_label = ns.map(str::to_string);
    let (scope, label) = if is(CLUSTER_WIDE) {
        (Scope::Cluster, String::new())
    } else if is(NAMESPACE_WIDE) {
        ns_label.clone().map(|l| (Scope::Namespace, l)).ok_or_else(|| {
            Error::input(
                at_doc.clone(),
                "a namespace-wide SealedSecret needs a namespace: pass -n",
            )
        })?
    } else {
        strict_label.clone().map(|l| (Scope::Strict, l)).ok_or_else(|| {
            Error::input(
                at_doc.clone(),
                "a strict SealedSecret needs a namespace: set metadata.namespace or pass -n",
            )
        })?
    };
    let mut others: Vec<(&'static str, String)> = vec![("cluster-wide", String::new())];
    if let Some(l) = ns_label {
        others.push(("namespace-wide", l));
    }
    if let Some(l) = strict_label {
        others.push(("strict", l));
    }
    others.retain(|(_, l)| *l != label);
    Ok((scope, label, others))
}

/// Every `spec.encryptedData` value opened, as base64 of the plaintext, by key.
fn open_entries<'a>(
    root: &'a Node,
    at_doc: &Location,
    keys: &[RsaPrivateKey],
    label: &str,
    others: &[(&'static str, String)],
) -> Result<Vec<(&'a str, Zeroizing<String>)>, Error> {
    let Some(entries) = get(root, &["spec", "encryptedData"]).and_then(Node::entries) else {
        if let Some(old) = get(root, &["spec", "data"]) {
            return Err(Error::input(
                at_doc.clone().with_key("spec.data").at(old.line, old.col),
                "the old spec.data form (one encrypted blob, sealed-secrets before 0.7) is not supported: \
                 re-seal it with a current kubeseal (spec.encryptedData), then import",
            ));
        }
        return Err(Error::input(
            at_doc.clone(),
            "a SealedSecret without spec.encryptedData",
        ));
    };
    let mut data = Vec::with_capacity(entries.len());
    for (k, v) in entries {
        let key = k.as_str().unwrap_or("");
        let at = || {
            at_doc
                .clone()
                .with_key(format!("spec.encryptedData.{key}"))
                .at(v.line, v.col)
        };
        let raw = v
            .as_str()
            .and_then(|t| STANDARD.decode(t.split_whitespace().collect::<String>()).ok())
            .ok_or_else(|| Error::input(at(), "not base64"))?;
        let plain = open_value(keys, &raw, label, others).map_err(|r| Error::crypto(at(), r.to_string()))?;
        data.push((key, Zeroizing::new(STANDARD.encode(plain.as_slice()))));
    }
    Ok(data)
}

/// The Secret the controller would make: template metadata and type, the opened values.
fn secret_text(root: &Node, name: &str, data: &[(&str, Zeroizing<String>)]) -> Zeroizing<String> {
    let template = get(root, &["spec", "template"]);
    let mut text = Zeroizing::new(format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {}\n",
        scalar(name)
    ));
    if let Some(ns) = get(root, &["metadata", "namespace"]).and_then(Node::as_str) {
        text.push_str(&format!("  namespace: {}\n", scalar(ns)));
    }
    // The template's labels and annotations (what the controller sets), and the SealedSecret's
    // own, which GitOps tools read on the object in git (Argo CD's sync waves, Flux's prune) and
    // which the Secret now stands in for; the template's win where both name a key. The
    // controller's own `sealedsecrets.bitnami.com/` annotations (the scope) are not carried.
    for field in ["labels", "annotations"] {
        let mut map: Vec<(&str, &str)> = string_map(get(root, &["metadata", field]))
            .into_iter()
            .filter(|(k, _)| !k.starts_with("sealedsecrets.bitnami.com/"))
            .collect();
        for (k, v) in string_map(template.and_then(|t| get(t, &["metadata", field]))) {
            map.retain(|(own, _)| *own != k);
            map.push((k, v));
        }
        if !map.is_empty() {
            text.push_str(&format!("  {field}:\n"));
            for (k, v) in map {
                text.push_str(&format!("    {}: {}\n", scalar(k), scalar(v)));
            }
        }
    }
    if let Some(t) = template.and_then(|t| t.get("type")).and_then(Node::as_str) {
        text.push_str(&format!("type: {}\n", scalar(t)));
    }
    // `spec.template.immutable`: the controller makes an immutable Secret; `false` is kept too
    // (issue 40: nothing the file said is lost).
    if let Some(v @ ("true" | "false")) = template.and_then(|t| t.get("immutable")).and_then(Node::as_str) {
        text.push_str(&format!("immutable: {v}\n"));
    }
    text.push_str("data:\n");
    for (k, v) in data {
        // An empty value (`--from-literal=x=`, which the controller opens) is `""`: a bare
        // `k:` would be null, which neither the API server nor kseal takes for a value.
        let v = if v.is_empty() { "\"\"" } else { v.as_str() };
        text.push_str(&format!("  {}: {v}\n", scalar(k)));
    }
    text
}

/// The refusal for a file named on the command line that holds no SealedSecret.
pub fn none_in(file: &Location) -> Error {
    Error::input(
        file.clone(),
        "no SealedSecret (bitnami.com/v1alpha1) in this file",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_plain_only_where_they_read_back_as_the_same_string() {
        assert_eq!(scalar("web"), "web");
        assert_eq!(scalar("kubernetes.io/basic-auth"), "kubernetes.io/basic-auth");
        for quoted in ["true", "No", "1.5", "", "a: b", "#x", "-x", "${X}"] {
            assert!(scalar(quoted).starts_with('"'), "{quoted}");
        }
    }

    #[test]
    fn pem_blocks_are_found_among_other_text() {
        let text = "junk\n-----BEGIN RSA PRIVATE KEY-----\nAAA\n-----END RSA PRIVATE KEY-----\n\
                    -----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----\n";
        let blocks = pem_blocks(text);
        assert_eq!(blocks.len(), 2);
        assert!(blocks[0].starts_with("-----BEGIN RSA") && blocks[0].ends_with("KEY-----"));
        assert!(blocks[1].contains("BBB"));
    }

    #[test]
    fn short_or_mislabelled_ciphertexts_are_malformed_not_a_panic() {
        for bad in [&[][..], &[0][..], &[0xff, 0xff, 1, 2, 3][..]] {
            assert_eq!(open_value(&[], bad, "", &[]).unwrap_err(), Refusal::Malformed);
        }
        assert_eq!(open_value(&[], &[0, 1, 9], "", &[]).unwrap_err(), Refusal::NoKey);
    }

    /// The error of an import expected to fail (`Imported` has no Debug: it holds plaintext).
    fn refused(r: Result<Vec<Imported>, Error>) -> String {
        match r {
            Err(e) => e.to_string(),
            Ok(_) => panic!("imported"),
        }
    }

    #[test]
    fn missing_keys_and_unsupported_parts_are_refused_with_their_place() {
        let file = Location::file("x.yaml");
        assert!(controller_keys("kind: List\nitems: []\n", &file).is_err());
        assert!(import("kind: ConfigMap\n", &file, &[], None)
            .unwrap()
            .iter()
            .all(|i| i.scope.is_none()));
        let strict = "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: db\nspec:\n  encryptedData:\n    k: AAAA\n";
        let e = refused(import(strict, &file, &[], None));
        assert!(e.contains("needs a namespace"), "{e}");
        let templated = strict.replace("spec:\n", "spec:\n  template:\n    data:\n      url: x\n");
        let e = refused(import(&templated, &file, &[], Some("prod")));
        assert!(e.contains("spec.template.data"), "{e}");
        let e = refused(import(
            &strict.replace("v1alpha1", "v2"),
            &file,
            &[],
            Some("prod"),
        ));
        assert!(e.contains("bitnami.com/v2"), "{e}");
    }
}
