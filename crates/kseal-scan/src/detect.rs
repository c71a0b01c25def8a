//! Kubernetes-aware detection of plaintext Secrets in one file's bytes: parse, don't grep.
//!
//! A cheap substring prefilter (memchr's memmem) rejects almost every blob before any parsing;
//! only candidates are parsed with the manifest reader, document by document, so one broken
//! document (or a Helm template, which is not YAML) does not hide its siblings; a document that
//! does not parse is read by a tolerant line reader (`tolerant`). A finding never holds a value.
//!
//! Fingerprints name a finding, never a value: a hash of where it is (commit, path, Secret, key),
//! so nobody can confirm a guessed value from a report or a committed baseline (a hash of the
//! value would confirm "password" offline). Equality of values, which grouping, "still at HEAD"
//! and baselines need, is decided in memory with [`ValueId`], keyed by a random per-process key.

use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use memchr::memmem;
use sha2::{Digest, Sha256};

use kseal_core::manifest::secret::{state_of, Field, ValueState};
use kseal_core::manifest::tree::{self, Document, Node, NodeKind};

/// The annotation that marks a plaintext Secret as intentional (test fixtures, examples).
pub const ALLOW_ANNOTATION: &str = "kseal.dev/allow-plaintext";
const LAST_APPLIED: &str = kseal_core::manifest::secret::LAST_APPLIED;
/// The prefix of an age X25519 identity: the very key kseal protects.
pub const AGE_IDENTITY: &str = "AGE-SECRET-KEY-1";

/// Where a finding came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// A `v1` Secret (or an item of a `v1` List).
    Secret,
    /// A kustomize `secretGenerator` literal.
    SecretGenerator,
    /// A Secret inside a `kubectl.kubernetes.io/last-applied-configuration` annotation.
    LastApplied,
    /// An age identity (`AGE-SECRET-KEY-1...`) in any file.
    AgeIdentity,
}

impl Source {
    pub fn rule_id(self) -> &'static str {
        match self {
            Source::Secret => "kseal/plaintext-secret",
            Source::SecretGenerator => "kseal/plaintext-secret-generator",
            Source::LastApplied => "kseal/plaintext-last-applied",
            Source::AgeIdentity => "kseal/age-identity",
        }
    }
}

/// Whether a finding is a leak (exit 1) or only a placeholder (`changeme`, `<REPLACE_ME>`,
/// `XXXX`, a `data` value that is not base64): reported, but it does not fail the scan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    #[default]
    Leak,
    Placeholder,
}

/// The identity of a value inside one kseal process: HMAC-SHA256 under a key drawn at random when
/// the process starts (so it means nothing outside it), plus the first 4 bytes of SHA-256 of the
/// value, which baselines written by kseal before fingerprints v2 hold and which are only
/// compared, never printed. Its `Debug` shows neither.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ValueId {
    id: [u8; 16],
    legacy: [u8; 4],
}

impl std::fmt::Debug for ValueId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ValueId(..)")
    }
}

impl ValueId {
    pub fn of(value: &[u8]) -> ValueId {
        static KEY: OnceLock<[u8; 32]> = OnceLock::new();
        let key = KEY.get_or_init(|| {
            let mut k = [0u8; 32];
            rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut k);
            k
        });
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
        mac.update(value);
        let mut id = [0u8; 16];
        id.copy_from_slice(&mac.finalize().into_bytes()[..16]);
        let mut legacy = [0u8; 4];
        legacy.copy_from_slice(&Sha256::digest(value)[..4]);
        ValueId { id, legacy }
    }

    /// Whether a pre-v2 fingerprint (8 hex of SHA-256 of the value) names this value.
    pub fn matches_legacy(&self, hex8: &str) -> bool {
        hex::decode(hex8).is_ok_and(|b| b == self.legacy)
    }
}

/// One plaintext key of a finding.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct KeyHit {
    /// `data.KEY`, `stringData.KEY`, the literal's key, or `identity`.
    pub key: String,
    pub line: usize,
    /// Names this key of this finding (see [`fingerprint`]); says nothing about the value.
    pub fingerprint: String,
    /// What the value looks like, when recognisable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// History mode: whether HEAD still holds this key with this value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_head: Option<bool>,
    #[serde(skip)]
    pub value: ValueId,
    #[serde(skip)]
    pub placeholder: bool,
}

impl KeyHit {
    /// The key as compared across versions of a file and across findings (at HEAD, baselines):
    /// its name without `data.`/`stringData.` (moving a value between the two does not change
    /// what is stored), and its value.
    pub fn identity(&self) -> (String, ValueId) {
        let name = self
            .key
            .strip_prefix("data.")
            .or_else(|| self.key.strip_prefix("stringData."))
            .unwrap_or(&self.key);
        (name.to_string(), self.value)
    }
}

/// A Secret (or generator, or identity) with at least one plaintext value.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub source: Source,
    pub class: Class,
    pub path: String,
    /// 1-based document number.
    pub document: usize,
    /// Line of the first plaintext key.
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub keys: Vec<KeyHit>,
    /// History mode: the commit that first introduced this content, in history order (full hex id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// History mode: that commit's author date (RFC 3339, UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// History mode: whether HEAD's tree still holds every one of these keys with the same value
    /// (each key says so for itself: a username shared with a live Secret does not make a deleted
    /// Secret "still at HEAD").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_head: Option<bool>,
    /// History mode: where HEAD holds it now, when `at_head`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_path: Option<String>,
    /// History mode: the refs whose history holds this content, through any commit (a squash
    /// merge or cherry-pick carries it through another commit): whoever fetches one gets it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refs: Vec<String>,
}

impl Finding {
    pub fn display_name(&self) -> String {
        match (&self.namespace, &self.name) {
            (Some(ns), Some(n)) => format!("{ns}/{n}"),
            (None, Some(n)) => n.clone(),
            _ => "(unnamed)".into(),
        }
    }

    /// Sets every key's fingerprint from where the finding is (call again once `commit` is known).
    pub fn refresh_fingerprints(&mut self) {
        for k in &mut self.keys {
            k.fingerprint = fingerprint(
                self.commit.as_deref(),
                &self.path,
                self.namespace.as_deref(),
                self.name.as_deref(),
                &k.key,
            );
        }
    }

    fn new(
        source: Source,
        path: &str,
        document: usize,
        namespace: Option<String>,
        name: Option<String>,
        keys: Vec<KeyHit>,
    ) -> Option<Finding> {
        let line = keys.first()?.line;
        Some(Finding {
            source,
            class: Class::Leak,
            path: path.to_string(),
            document,
            line,
            namespace,
            name,
            keys,
            commit: None,
            date: None,
            at_head: None,
            head_path: None,
            refs: Vec::new(),
        })
    }
}

/// A finding's key, named by its location: 16 hex of SHA-256 over the introducing commit (history
/// mode), path, Secret and key. Stable across runs and machines (so baselines and SARIF alerts
/// keep working) and independent of the value (so it confirms no guess).
pub fn fingerprint(
    commit: Option<&str>,
    path: &str,
    namespace: Option<&str>,
    name: Option<&str>,
    key: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(b"kseal scan fingerprint v2\0");
    for part in [
        commit.unwrap_or(""),
        path,
        namespace.unwrap_or(""),
        name.unwrap_or(""),
        key,
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..8])
}

/// Whether the bytes could hold a finding at all. Everything that is not a candidate is skipped
/// without parsing.
pub fn is_candidate(bytes: &[u8]) -> bool {
    says_kind_secret(bytes)
        || spells_kind_or_secret_otherwise(bytes)
        || memmem::find(bytes, b"secretGenerator").is_some()
        || memmem::find(bytes, LAST_APPLIED.as_bytes()).is_some()
        || memmem::find(bytes, AGE_IDENTITY.as_bytes()).is_some()
}

/// Whether a `kind` key has the value `Secret` somewhere in `bytes`, however YAML or JSON spells
/// it: `kind: Secret`, `"kind": "Secret"`, `{kind: 'Secret'}`, the value on the next line, a
/// `!!str` tag, `\"kind\":\"Secret\"` inside a quoted string. Only a prefilter: parsing decides.
/// Half of helm/charts' blobs that contain "Secret" do not say it (`secretKeyRef` docs,
/// `ExternalSecret`, comments), and parsing them was a fifth of a history scan.
fn says_kind_secret(bytes: &[u8]) -> bool {
    let word = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-');
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\'' | b'\\');
    memmem::find_iter(bytes, b"Secret").any(|at| {
        if word(bytes.get(at + 6)) || (at > 0 && word(bytes.get(at - 1))) {
            return false;
        }
        let mut i = at;
        let back = |i: &mut usize, skip: &dyn Fn(&u8) -> bool| {
            while *i > 0 && skip(&bytes[*i - 1]) {
                *i -= 1;
            }
        };
        back(&mut i, &blank);
        // A tag (`!!str`) between the colon and the value.
        let end = i;
        back(&mut i, &|b| !blank(b) && *b != b':');
        if !(i < end && bytes[i] == b'!') {
            i = end;
        }
        back(&mut i, &blank);
        if i == 0 || bytes[i - 1] != b':' {
            return false;
        }
        i -= 1;
        back(&mut i, &blank);
        i >= 4 && &bytes[i - 4..i] == b"kind" && !word(i.checked_sub(5).map(|j| &bytes[j]))
    })
}

/// Whether `kind` or `Secret` is spelled in a way [`says_kind_secret`] does not see, but a YAML or
/// JSON reader (kubectl's, kseal's own) decodes to it: a double-quoted string with an escape
/// (`"Secr\u0065t"`, `"Secr\x65t"`, `"ki\u006ed"`, a `\`-newline continuation), or a block
/// scalar as the `kind` value (`kind: >-` then `Secret` on the next line). Escapes are rare, so
/// this looks only around backslashes and `kind:` keys; parsing decides.
fn spells_kind_or_secret_otherwise(bytes: &[u8]) -> bool {
    let block_kind = memmem::find_iter(bytes, b"kind:").any(|at| {
        let rest = &bytes[at + 5..];
        let v = rest
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t'))
            .map(|i| &rest[i..]);
        v.is_some_and(|v| matches!(v.first(), Some(b'|' | b'>')))
    });
    block_kind
        || memchr::memchr_iter(b'\\', bytes).any(|at| {
            // The double-quoted string around this backslash, if it is short enough to be one of
            // the two words.
            let start = bytes[at.saturating_sub(48)..at]
                .iter()
                .rposition(|b| *b == b'"')
                .map(|i| at.saturating_sub(48) + i + 1);
            let end = bytes[at..(at + 64).min(bytes.len())]
                .iter()
                .enumerate()
                .skip(1)
                .find(|(i, b)| **b == b'"' && bytes[at + i - 1] != b'\\')
                .map(|(i, _)| at + i);
            match (start, end) {
                (Some(s), Some(e)) => matches!(unescape(&bytes[s..e]).as_deref(), Some("kind" | "Secret")),
                _ => false,
            }
        })
}

/// A double-quoted YAML or JSON string's content, escapes decoded (`\uXXXX`, `\UXXXXXXXX`, `\xXX`,
/// the single-letter ones, `\`-newline with the next line's indentation dropped). Written by hand:
/// a whole YAML parse per backslash would cost more than the prefilter saves.
fn unescape(s: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(s).ok()?;
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let hex = |chars: &mut std::iter::Peekable<std::str::Chars>, n: usize| -> Option<char> {
            let h: String = (0..n).filter_map(|_| chars.next()).collect();
            u32::from_str_radix(&h, 16).ok().and_then(char::from_u32)
        };
        match chars.next()? {
            'u' => out.push(hex(&mut chars, 4)?),
            'U' => out.push(hex(&mut chars, 8)?),
            'x' => out.push(hex(&mut chars, 2)?),
            '\n' | '\r' => {
                while chars
                    .peek()
                    .is_some_and(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
                {
                    chars.next();
                }
            }
            other => out.push(other),
        }
    }
    Some(out)
}

/// Values that are not plaintext secrets, by the one classifier every kseal reader uses
/// (`manifest::secret::state_of`): empty, sealed or damaged kseal values (a damaged one is an error
/// for the other commands, but no leaked plaintext), other tools' ciphertext, Helm / envsubst
/// templates. `field` is how the value is written: `data` (base64) or anything else (text).
fn is_exempt(field: Field, text: &str) -> bool {
    text.trim().is_empty() || !matches!(state_of(field, text), ValueState::Plain)
}

/// Obvious placeholders: whole values like `changeme`, `<REPLACE_ME>`, `XXXX-XXXX`, `****`, or
/// text asking to be replaced ("replace this with...", `your-password-here`). They are reported
/// as their own class, which does not fail the scan: nobody needs to rotate `changeme`.
pub fn is_placeholder(value: &[u8]) -> bool {
    let v = String::from_utf8_lossy(value).trim().to_ascii_lowercase();
    // Whole values chart authors and docs use as stand-ins (`password: password`, `foo`/`bar`).
    const WHOLE: &[&str] = &[
        "changeme",
        "changeit",
        "replaceme",
        "todo",
        "tbd",
        "fixme",
        "placeholder",
        "redacted",
        "dummy",
        "example",
        "password",
        "secret",
        "foo",
        "bar",
        "baz",
        "test",
    ];
    const INSIDE: &[&str] = &[
        "changeme",
        "change-me",
        "change_me",
        "change me",
        "replace me",
        "replace-me",
        "replace_me",
        "replaceme",
        "replace this",
        "replace with",
        "replace_with",
        "your-",
        "your_",
        "your ",
        "insert your",
        "put your",
    ];
    let masks = v.chars().filter(|c| matches!(c, 'x' | '*')).count();
    (v.starts_with('<') && v.ends_with('>'))
        || (masks >= 3 && v.chars().all(|c| matches!(c, 'x' | '*' | '-' | '_' | '.' | ' ')))
        || WHOLE.contains(&v.as_str())
        || v.starts_with("replace")
        || INSIDE.iter().any(|w| v.contains(w))
}

/// What a value looks like, from its key name, the Secret type and its bytes.
fn classify(key: &str, secret_type: Option<&str>, value: &[u8]) -> Option<&'static str> {
    let has = |needle: &[u8]| memmem::find(value, needle).is_some();
    let key_l = key.to_ascii_lowercase();
    if has(b"-----BEGIN") && has(b"PRIVATE KEY-----") {
        Some("PEM private key")
    } else if (key == ".dockerconfigjson" || key == ".dockercfg") && has(b"\"auth") {
        Some("registry credentials (.dockerconfigjson with auth)")
    } else if secret_type == Some("kubernetes.io/basic-auth")
        || key_l.contains("password")
        || key_l == "passwd"
    {
        Some("password")
    } else if key_l.contains("token") || secret_type == Some("kubernetes.io/service-account-token") {
        Some("token")
    } else if key_l.contains("key") || key_l.contains("secret") {
        Some("key")
    } else {
        None
    }
}

fn str_at<'a>(node: &'a Node, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(node, |n, k| n.get(k)).and_then(Node::as_str)
}

fn is_v1(node: &Node, kind: &str) -> bool {
    str_at(node, &["kind"]) == Some(kind) && str_at(node, &["apiVersion"]) == Some("v1")
}

/// One key of a Secret's `data` or `stringData`, or `None` when its value is not a plaintext
/// secret. A `data` value that is not base64 cannot be stored by the API server as it is: it is
/// reported as a placeholder, fingerprinted as written.
pub(crate) fn secret_key_hit(
    field: &str,
    key: &str,
    text: &str,
    line: usize,
    secret_type: Option<&str>,
) -> Option<KeyHit> {
    let as_written = if field == "data" {
        Field::Data
    } else {
        Field::StringData
    };
    if is_exempt(as_written, text) {
        return None;
    }
    let mut not_base64 = false;
    let bytes = zeroize::Zeroizing::new(if field == "data" {
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        STANDARD.decode(compact).unwrap_or_else(|_| {
            not_base64 = true;
            text.as_bytes().to_vec()
        })
    } else {
        text.as_bytes().to_vec()
    });
    if bytes.is_empty() {
        return None;
    }
    Some(KeyHit {
        key: format!("{field}.{key}"),
        line,
        fingerprint: String::new(),
        kind: classify(key, secret_type, &bytes),
        at_head: None,
        value: ValueId::of(&bytes),
        placeholder: not_base64 || is_placeholder(&bytes),
    })
}

/// A literal `KEY=VALUE` (generator literal, env file line), or `None` when it is exempt.
fn literal_hit(key: &str, value: &str, line: usize) -> Option<KeyHit> {
    // A literal becomes a value as written; it may also hold a sealed `data` value (base64).
    if is_exempt(Field::StringData, value) || is_exempt(Field::Data, value) {
        return None;
    }
    Some(KeyHit {
        key: key.to_string(),
        line,
        fingerprint: String::new(),
        kind: classify(key, None, value.as_bytes()),
        at_head: None,
        value: ValueId::of(value.as_bytes()),
        placeholder: is_placeholder(value.as_bytes()),
    })
}

/// Plaintext keys of one Secret mapping (`line_of` maps a node to the line reported, so that
/// Secrets inside an annotation report the annotation's line).
fn secret_hits(secret: &Node, line_of: &dyn Fn(&Node) -> usize) -> Vec<KeyHit> {
    let secret_type = str_at(secret, &["type"]);
    let mut hits = Vec::new();
    for field in ["data", "stringData"] {
        let Some(entries) = secret.get(field).and_then(Node::entries) else {
            continue;
        };
        for (k, v) in entries {
            let (Some(key), Some(text)) = (k.as_str(), v.as_str()) else {
                continue;
            };
            hits.extend(secret_key_hit(field, key, text, line_of(v), secret_type));
        }
    }
    hits
}

fn allowed(secret: &Node) -> bool {
    secret
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get(ALLOW_ANNOTATION))
        .is_some()
}

fn secret_finding(
    source: Source,
    path: &str,
    document: usize,
    secret: &Node,
    hits: Vec<KeyHit>,
) -> Option<Finding> {
    Finding::new(
        source,
        path,
        document,
        str_at(secret, &["metadata", "namespace"]).map(String::from),
        str_at(secret, &["metadata", "name"]).map(String::from),
        hits,
    )
}

/// A Secret embedded as JSON in a last-applied-configuration annotation of any object.
fn last_applied(path: &str, doc: &Document, root: &Node, out: &mut Vec<Finding>) {
    let Some(ann) = root.get("metadata").and_then(|m| m.get("annotations")) else {
        return;
    };
    let Some(value) = ann.get(LAST_APPLIED) else {
        return;
    };
    let Some(json) = value.as_str() else { return };
    let Ok(inner) = tree::parse(json) else { return };
    let line = value.line;
    for d in &inner {
        let Some(secret) = d.root.as_ref().filter(|r| is_v1(r, "Secret")) else {
            continue;
        };
        if allowed(root) || allowed(secret) {
            continue;
        }
        let hits = secret_hits(secret, &|_| line);
        out.extend(secret_finding(Source::LastApplied, path, doc.index, secret, hits));
    }
}

/// kustomize `secretGenerator` entries with `literals: [KEY=VALUE, ...]`.
fn secret_generator(path: &str, doc: &Document, root: &Node, out: &mut Vec<Finding>) {
    let Some(NodeKind::Sequence { items, .. }) = root.get("secretGenerator").map(|n| &n.kind) else {
        return;
    };
    for generator in items {
        let Some(NodeKind::Sequence { items: literals, .. }) = generator.get("literals").map(|n| &n.kind)
        else {
            continue;
        };
        let hits: Vec<KeyHit> = literals
            .iter()
            .filter_map(|lit| {
                let (key, value) = lit.as_str()?.split_once('=')?;
                literal_hit(key, value, lit.line)
            })
            .collect();
        out.extend(Finding::new(
            Source::SecretGenerator,
            path,
            doc.index,
            str_at(generator, &["namespace"]).map(String::from),
            str_at(generator, &["name"]).map(String::from),
            hits,
        ));
    }
}

/// Every finding in one file. Files that are not UTF-8 or not YAML/JSON have no Secret findings
/// (an age identity is found in any file).
pub fn scan_bytes(path: &str, bytes: &[u8]) -> Vec<Finding> {
    if !is_candidate(bytes) {
        return Vec::new();
    }
    let mut out = age_identities(path, bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        match tree::parse(text) {
            Ok(docs) => scan_documents(path, &docs, &mut out),
            // One bad document must not hide the others: each on its own, and the ones that
            // still do not parse (Helm templates, duplicate keys) through the tolerant reader.
            Err(_) => {
                for (index, first_line, chunk) in super::tolerant::documents(text) {
                    let padded = "\n".repeat(first_line - 1) + chunk;
                    match tree::parse(&padded) {
                        Ok(mut docs) => {
                            docs.iter_mut().for_each(|d| d.index = index);
                            scan_documents(path, &docs, &mut out);
                        }
                        Err(_) => out.extend(super::tolerant::secret(path, index, first_line, chunk)),
                    }
                }
            }
        }
    }
    finish(out)
}

/// Splits each finding's placeholder keys into a finding of their own class, and names the keys.
pub(crate) fn finish(found: Vec<Finding>) -> Vec<Finding> {
    let mut out = Vec::with_capacity(found.len());
    for mut f in found {
        let (placeholders, leaks): (Vec<KeyHit>, Vec<KeyHit>) = f.keys.drain(..).partition(|k| k.placeholder);
        for (class, keys) in [(Class::Leak, leaks), (Class::Placeholder, placeholders)] {
            if let Some(line) = keys.first().map(|k| k.line) {
                let mut g = Finding {
                    class,
                    line,
                    keys,
                    ..f.clone()
                };
                g.refresh_fingerprints();
                out.push(g);
            }
        }
    }
    out
}

fn scan_documents(path: &str, docs: &[Document], out: &mut Vec<Finding>) {
    // A SOPS-encrypted file carries a top-level `sops:` block; its values are ciphertext.
    if docs
        .iter()
        .any(|d| d.root.as_ref().is_some_and(|r| r.get("sops").is_some()))
    {
        return;
    }
    for doc in docs {
        let Some(root) = &doc.root else { continue };
        // As kubectl reads it: the items of anything with `items` (manifest::secret::list_items).
        let mut objects: Vec<(&Node, bool)> = vec![(root, is_v1(root, "Secret"))];
        if let Some(items) = kseal_core::manifest::secret::list_items(root) {
            objects.extend(
                items
                    .iter()
                    .map(|i| (i, kseal_core::manifest::secret::is_secret_item(root, i))),
            );
        }
        for (obj, is_secret) in objects {
            if is_secret && !allowed(obj) {
                let hits = secret_hits(obj, &|n| n.line);
                out.extend(secret_finding(Source::Secret, path, doc.index, obj, hits));
            }
            last_applied(path, doc, obj, out);
        }
        secret_generator(path, doc, root, out);
    }
}

/// Committed age identities (`AGE-SECRET-KEY-1` + bech32, checksum verified by the age crate),
/// in any file: a cluster's private key. Reported with the public key it belongs to, which says
/// which key pair to rotate. An identity whose line or the three lines above it say `TEST ONLY`
/// or carry the allow annotation is a declared test identity (as in `keys/`).
fn age_identities(path: &str, bytes: &[u8]) -> Vec<Finding> {
    const BECH32: &[u8] = b"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";
    let mut out = Vec::new();
    for start in memmem::find_iter(bytes, AGE_IDENTITY.as_bytes()) {
        let tail = &bytes[start + AGE_IDENTITY.len()..];
        let len = tail.iter().take_while(|b| BECH32.contains(b)).count();
        let Ok(candidate) = std::str::from_utf8(&bytes[start..start + AGE_IDENTITY.len() + len]) else {
            continue;
        };
        let candidate = zeroize::Zeroizing::new(candidate.to_string());
        let Ok(identity) = kseal_core::crypto::Identity::from_age_str(&candidate) else {
            continue;
        };
        let line_start = bytes[..start]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let line = bytes[..start].iter().filter(|b| **b == b'\n').count() + 1;
        // The identity's own line and the three above it.
        let mut context_start = line_start;
        for _ in 0..3 {
            if context_start == 0 {
                break;
            }
            context_start = bytes[..context_start - 1]
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1);
        }
        let context = &bytes[context_start..start + AGE_IDENTITY.len() + len];
        if memmem::find(context, b"TEST ONLY").is_some()
            || memmem::find(context, ALLOW_ANNOTATION.as_bytes()).is_some()
        {
            continue;
        }
        let hit = KeyHit {
            key: "identity".into(),
            line,
            fingerprint: String::new(),
            kind: Some("age X25519 identity (a private key)"),
            at_head: None,
            value: ValueId::of(candidate.as_bytes()),
            placeholder: false,
        };
        out.extend(Finding::new(
            Source::AgeIdentity,
            path,
            1,
            None,
            Some(identity.recipient().to_string()),
            vec![hit],
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(text: &str) -> Vec<Finding> {
        scan_bytes("f.yaml", text.as_bytes())
    }

    #[test]
    fn plaintext_secret_values_are_found_with_fingerprints_not_values() {
        let f = scan("apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: prod}\ndata:\n  password: aHVudGVyMg==\nstringData:\n  api-token: abc\n  empty: \"\"\n");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].display_name(), "prod/db");
        let keys: Vec<&str> = f[0].keys.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(keys, ["data.password", "stringData.api-token"]);
        assert_eq!(f[0].keys[0].value, ValueId::of(b"hunter2"));
        // The fingerprint names the place, not the value: the same value elsewhere differs, and
        // nothing in it is a hash of the value alone.
        assert_eq!(
            f[0].keys[0].fingerprint,
            fingerprint(None, "f.yaml", Some("prod"), Some("db"), "data.password")
        );
        assert_eq!(f[0].keys[0].fingerprint.len(), 16);
        assert!(!f[0].keys[0]
            .fingerprint
            .starts_with(&hex::encode(&Sha256::digest(b"hunter2")[..4])));
        assert_eq!(f[0].keys[0].kind, Some("password"));
        assert_eq!(f[0].keys[1].kind, Some("token"));
        assert_eq!(f[0].line, 5);
        assert!(!format!("{f:?}").contains("hunter2"));
    }

    #[test]
    fn sealed_sops_templates_empty_and_other_kinds_are_not_findings() {
        for text in [
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: \"kseal:v2:strict:00000000:AAAA\"}\ndata: {b: a3NlYWw6djI6c3RyaWN0}\n",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: \"ENC[AES256_GCM,data:xx,iv:yy,tag:zz,type:str]\"}\n",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: \"{{ .Values.password }}\", b: \"${DB_PASSWORD}\", c: \"\"}\n",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: plain}\nsops: {mac: x}\n",
            "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: s}\nspec: {encryptedData: {a: AgB}}\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Secret}\ndata: {password: x}\n",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s, annotations: {kseal.dev/allow-plaintext: fixture}}\nstringData: {a: x}\n",
        ] {
            assert!(scan(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn json_lists_multi_documents_generators_and_last_applied() {
        let f = scan("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"j\"},\"data\":{\"tls.key\":\"LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCmFiYwotLS0tLUVORCBQUklWQVRFIEtFWS0tLS0tCg==\"}}]}");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].keys[0].kind, Some("PEM private key"));

        let f = scan("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: x}\n");
        assert_eq!((f.len(), f[0].document, f[0].line), (1, 2, 8));

        let f = scan("secretGenerator:\n- name: gen\n  literals:\n  - password=hunter2\n  - empty=\n");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].source, Source::SecretGenerator);
        assert_eq!(f[0].keys.len(), 1);
        assert_eq!(f[0].keys[0].line, 4);

        let f = scan("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"inner\"},\"stringData\":{\"p\":\"x\"}}'\n");
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].source, f[0].line, f[0].name.as_deref()),
            (Source::LastApplied, 6, Some("inner"))
        );
    }

    #[test]
    fn placeholders_are_their_own_class_beside_real_values() {
        let f = scan("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  real: hunter2\n  a: changeme\n  b: <REPLACE_ME>\n  c: XXXX-XXXX\n  d: Replace this with your token\ndata:\n  e: not base64!\n  f: Y2hhbmdlbWU=\n");
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].class, f[0].keys.len()), (Class::Leak, 1));
        assert_eq!(f[0].keys[0].key, "stringData.real");
        assert_eq!(f[1].class, Class::Placeholder);
        let keys: Vec<&str> = f[1].keys.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "data.e",
                "data.f",
                "stringData.a",
                "stringData.b",
                "stringData.c",
                "stringData.d"
            ]
        );
        for stand_in in ["password", "foo", "REPLACE-USER-1:$apr1$x", "your-api-key-here"] {
            assert!(is_placeholder(stand_in.as_bytes()), "{stand_in}");
        }
        for real in [
            "hunter2",
            "s3cr3t-xyz",
            "tokenvalue",
            "Xk9#2",
            "MyStrongPassword1123?",
            "password1",
        ] {
            assert!(!is_placeholder(real.as_bytes()), "{real}");
        }
    }

    #[test]
    fn committed_age_identities_are_found_with_their_public_key() {
        let id = age::x25519::Identity::generate();
        use age::secrecy::ExposeSecret;
        let secret = id.to_string();
        let text = format!(
            "# created: today\n# public key: {}\n{}\n",
            id.to_public(),
            secret.expose_secret()
        );
        let f = scan_bytes("cluster.agekey", text.as_bytes());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].source, Source::AgeIdentity);
        assert_eq!(f[0].line, 3);
        assert_eq!(f[0].name, Some(id.to_public().to_string()));
        assert!(!format!("{f:?}").contains(secret.expose_secret()));
        // In any file; a bad checksum is not an identity.
        let code = format!("let k = \"{}\";", secret.expose_secret());
        assert_eq!(scan_bytes("main.rs", code.as_bytes()).len(), 1);
        let mut broken = secret.expose_secret().to_string();
        broken.pop();
        broken.push(if secret.expose_secret().ends_with('Q') {
            'P'
        } else {
            'Q'
        });
        assert!(scan_bytes("x", broken.as_bytes()).is_empty());
        // A declared test identity.
        let test = format!("# TEST ONLY: for kseal's tests\n{}\n", secret.expose_secret());
        assert!(scan_bytes("keys/t.agekey", test.as_bytes()).is_empty());
    }

    #[test]
    fn a_bad_document_or_a_template_does_not_hide_its_siblings() {
        // A document that does not parse, then a Secret; duplicate keys; a Helm template.
        let f = scan("a: [unclosed\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: after}\nstringData: {p: hunter2}\n");
        assert_eq!((f.len(), f[0].document, f[0].line), (1, 2, 6));
        assert_eq!(f[0].name.as_deref(), Some("after"));
        let f = scan(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: dup\n  name: dup\nstringData:\n  p: hunter2\n",
        );
        assert_eq!((f.len(), f[0].line), (1, 7), "{f:?}");
        let f = scan("apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n{{- if .Values.x }}\n  password: aHVudGVyMg==\n  templated: {{ .Values.p | b64enc }}\n{{- end }}\n");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].keys.len(), 1);
        assert_eq!(
            (f[0].keys[0].key.as_str(), f[0].keys[0].line),
            ("data.password", 7)
        );
    }

    /// Regression (issue 23): `kind` spelled with an escape or as a block scalar was skipped by
    /// the prefilter, while kubectl (and `kseal verify`) read it as a Secret.
    #[test]
    fn the_prefilter_sees_escaped_and_block_scalar_spellings() {
        for text in [
            "{\"apiVersion\":\"v1\",\"kind\":\"Secr\\u0065t\",\"data\":{}}",
            "apiVersion: v1\nkind: \"Secr\\x65t\"\n",
            "{\"apiVersion\":\"v1\",\"ki\\u006ed\":\"Secret\"}",
            "apiVersion: v1\nkind: \"Sec\\\n    ret\"\n",
            "apiVersion: v1\nkind: >-\n  Secret\n",
            "apiVersion: v1\nkind: |\n  Secret\n",
        ] {
            assert!(is_candidate(text.as_bytes()), "{text}");
        }
        for text in [
            "{\"description\":\"a \\u003cb\\u003e tag\",\"kind\":\"ConfigMap\"}",
            "kind: ConfigMap\nnote: \"Secr\\u0065ts are elsewhere\"\n",
        ] {
            assert!(!is_candidate(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn prefilter_skips_files_without_markers() {
        assert!(!is_candidate(b"apiVersion: v1\nkind: ConfigMap\n"));
        assert!(is_candidate(b"kind: Secret"));
        for yes in [
            "apiVersion: v1\nkind: Secret\n",
            "kind:   Secret\r\n",
            "kind: \"Secret\"",
            "kind: 'Secret'",
            "{\"kind\":\"Secret\",\"data\":{}}",
            "{ \"kind\" : \"Secret\" }",
            "{apiVersion: v1, kind: Secret}",
            "kind:\n  Secret\n",
            "kind: !!str Secret\n",
            "items:\n- kind: Secret\n",
            "a: \"{\\\"kind\\\":\\\"Secret\\\"}\"",
        ] {
            assert!(is_candidate(yes.as_bytes()), "{yes}");
        }
        for no in [
            "kind: ExternalSecret\n",
            "kind: SecretStore\n",
            "kind: SealedSecret\n",
            "# the Secret holding the password\nkind: Deployment\n",
            "valueFrom:\n  secretKeyRef: {name: Secret}\n",
            "subkind: Secret\n",
            "kind: Secrets\n",
        ] {
            assert!(!is_candidate(no.as_bytes()), "{no}");
        }
        assert!(scan_bytes("bin", b"\xff\xfeSecret").is_empty());
    }
}

/// A file a kustomize `secretGenerator` reads: an `envs` file of `KEY=VALUE` lines, or a `files`
/// entry whose whole content is one value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratorFile {
    pub generator: Option<String>,
    pub namespace: Option<String>,
    /// The path as written, relative to the kustomization's folder.
    pub path: String,
    /// `files` entries: the key (`key=path`, else the file name). `None` for `envs` files.
    pub key: Option<String>,
}

/// The files that the `secretGenerator`s of a kustomization read.
pub fn generator_files(bytes: &[u8]) -> Vec<GeneratorFile> {
    if memmem::find(bytes, b"secretGenerator").is_none() {
        return Vec::new();
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Vec::new();
    };
    let Ok(docs) = tree::parse(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for root in docs.iter().filter_map(|d| d.root.as_ref()) {
        let Some(NodeKind::Sequence { items, .. }) = root.get("secretGenerator").map(|n| &n.kind) else {
            continue;
        };
        for g in items {
            let generator = str_at(g, &["name"]).map(String::from);
            let namespace = str_at(g, &["namespace"]).map(String::from);
            let list = |field: &str| -> Vec<&str> {
                match g.get(field).map(|n| &n.kind) {
                    Some(NodeKind::Sequence { items, .. }) => items.iter().filter_map(Node::as_str).collect(),
                    Some(NodeKind::Scalar { .. }) => {
                        g.get(field).and_then(Node::as_str).into_iter().collect()
                    }
                    _ => Vec::new(),
                }
            };
            for env in list("envs").into_iter().chain(list("env")) {
                out.push(GeneratorFile {
                    generator: generator.clone(),
                    namespace: namespace.clone(),
                    path: env.to_string(),
                    key: None,
                });
            }
            for file in list("files") {
                let (key, path) = match file.split_once('=') {
                    Some((k, p)) => (k.to_string(), p.to_string()),
                    None => (
                        file.rsplit('/').next().unwrap_or(file).to_string(),
                        file.to_string(),
                    ),
                };
                out.push(GeneratorFile {
                    generator: generator.clone(),
                    namespace: namespace.clone(),
                    path,
                    key: Some(key),
                });
            }
        }
    }
    out
}

/// The folder part of a `/`-separated path (`""` at the top).
pub fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// `dir/rel` with `.` and `..` resolved, `/`-separated, as git paths are.
pub fn join_path(dir: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The finding for the content of a generator's file found at `path`.
pub fn generator_file_finding(gf: &GeneratorFile, path: &str, bytes: &[u8]) -> Vec<Finding> {
    let mut keys = Vec::new();
    match &gf.key {
        Some(key) => {
            let text = String::from_utf8_lossy(bytes);
            keys.extend(literal_hit(key, &text, 1));
        }
        None => {
            let Ok(text) = std::str::from_utf8(bytes) else {
                return Vec::new();
            };
            for (i, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.starts_with('#') {
                    continue;
                }
                if let Some((key, value)) = line.split_once('=') {
                    keys.extend(literal_hit(key.trim(), value, i + 1));
                }
            }
        }
    }
    let found = Finding::new(
        Source::SecretGenerator,
        path,
        1,
        gf.namespace.clone(),
        gf.generator.clone(),
        keys,
    );
    finish(found.into_iter().collect())
}

#[cfg(test)]
mod generator_tests {
    use super::*;

    #[test]
    fn generator_envs_and_files_are_listed_and_read() {
        let k = b"secretGenerator:\n- name: app\n  envs: [secrets.env]\n  files: [tls.key=../certs/key.pem, config/token]\n";
        let files = generator_files(k);
        assert_eq!(files.len(), 3);
        assert_eq!(
            (files[1].key.as_deref(), files[1].path.as_str()),
            (Some("tls.key"), "../certs/key.pem")
        );
        assert_eq!(files[2].key.as_deref(), Some("token"));
        assert_eq!(
            join_path("overlays/prod", "../certs/key.pem"),
            "overlays/certs/key.pem"
        );
        assert_eq!(join_path("", "./a.env"), "a.env");
        let f = generator_file_finding(
            &files[0],
            "secrets.env",
            b"# c\nUSER=admin\nEMPTY=\nPASSWORD=hunter2\n",
        );
        assert_eq!(f.len(), 1);
        let f = &f[0];
        let keys: Vec<(&str, usize)> = f.keys.iter().map(|k| (k.key.as_str(), k.line)).collect();
        assert_eq!(keys, [("USER", 2), ("PASSWORD", 4)]);
        assert_eq!(f.name.as_deref(), Some("app"));
        assert!(generator_file_finding(&files[2], "config/token", b"").is_empty());
    }
}
