//! Kubernetes-aware detection of plaintext Secrets in one file's bytes: parse, don't grep.
//!
//! A cheap substring prefilter (memchr's memmem) rejects almost every blob before any parsing;
//! only candidates are parsed with the manifest reader. A finding never holds a value: each key
//! is reported with a fingerprint (first 8 hex of SHA-256 of the value) and, when recognisable,
//! what kind of credential it is.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use memchr::memmem;
use sha2::{Digest, Sha256};

use crate::crypto::sealed;
use crate::manifest::tree::{self, Document, Node, NodeKind};

/// The annotation that marks a plaintext Secret as intentional (test fixtures, examples).
pub const ALLOW_ANNOTATION: &str = "kseal.dev/allow-plaintext";
const LAST_APPLIED: &str = crate::manifest::secret::LAST_APPLIED;

/// Where a finding came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// A `v1` Secret (or an item of a `v1` List).
    Secret,
    /// A kustomize `secretGenerator` literal.
    SecretGenerator,
    /// A Secret inside a `kubectl.kubernetes.io/last-applied-configuration` annotation.
    LastApplied,
}

impl Source {
    pub fn rule_id(self) -> &'static str {
        match self {
            Source::Secret => "kseal/plaintext-secret",
            Source::SecretGenerator => "kseal/plaintext-secret-generator",
            Source::LastApplied => "kseal/plaintext-last-applied",
        }
    }
}

/// One plaintext key of a finding.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct KeyHit {
    /// `data.KEY`, `stringData.KEY` or the literal's key.
    pub key: String,
    pub line: usize,
    /// First 8 hex characters of SHA-256 of the value (the decoded bytes for `data`).
    pub fingerprint: String,
    /// What the value looks like, when recognisable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
}

/// A Secret (or generator) with at least one plaintext value.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub source: Source,
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
    /// History mode: the commit that first introduced this content (full hex id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// History mode: that commit's author date (RFC 3339, UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// History mode: whether one of these values is still in HEAD's tree.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_head: Option<bool>,
    /// History mode: the refs whose history contains the introducing commit (anyone who fetches
    /// one of them gets the value).
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
}

/// Whether the bytes could hold a finding at all. Everything that is not a candidate is skipped
/// without parsing.
pub fn is_candidate(bytes: &[u8]) -> bool {
    memmem::find(bytes, b"Secret").is_some()
        || memmem::find(bytes, b"secretGenerator").is_some()
        || memmem::find(bytes, LAST_APPLIED.as_bytes()).is_some()
}

pub fn fingerprint(value: &[u8]) -> String {
    hex::encode(&Sha256::digest(value)[..4])
}

/// Whether a `data`-style value is base64 of a kseal value, damaged prefix included (a damaged
/// sealed value is an error for kseal's other commands, but it is not a leaked plaintext).
fn decodes_to_kseal(t: &str) -> bool {
    use base64::Engine;
    // Only the first 12 characters matter: they decode to the first 9 bytes.
    let head = t.get(..12).unwrap_or(t);
    base64::engine::general_purpose::STANDARD
        .decode(head)
        .is_ok_and(|b| sealed::is_kseal(&String::from_utf8_lossy(&b)))
}

/// Values that are not plaintext secrets: empty, sealed by kseal, encrypted by SOPS, or a Helm /
/// envsubst template.
fn is_exempt(text: &str) -> bool {
    let t = text.trim();
    t.is_empty()
        || sealed::is_kseal(t)
        || t.starts_with(sealed::DATA_MARKER)
        || decodes_to_kseal(t)
        || t.starts_with("ENC[")
        || (t.contains("{{") && t.contains("}}"))
        || (t.contains("${") && t.contains('}'))
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
            if is_exempt(text) {
                continue;
            }
            // A `data` value that is not base64 is still plaintext; fingerprint it as written.
            let bytes = zeroize::Zeroizing::new(if field == "data" {
                let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
                STANDARD
                    .decode(compact)
                    .unwrap_or_else(|_| text.as_bytes().to_vec())
            } else {
                text.as_bytes().to_vec()
            });
            if bytes.is_empty() {
                continue;
            }
            hits.push(KeyHit {
                key: format!("{field}.{key}"),
                line: line_of(v),
                fingerprint: fingerprint(&bytes),
                kind: classify(key, secret_type, &bytes),
            });
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
    let line = hits.first()?.line;
    Some(Finding {
        source,
        path: path.to_string(),
        document,
        line,
        namespace: str_at(secret, &["metadata", "namespace"]).map(String::from),
        name: str_at(secret, &["metadata", "name"]).map(String::from),
        keys: hits,
        commit: None,
        date: None,
        at_head: None,
        refs: Vec::new(),
    })
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
        let mut hits = Vec::new();
        for lit in literals {
            let Some((key, value)) = lit.as_str().and_then(|s| s.split_once('=')) else {
                continue;
            };
            if is_exempt(value) {
                continue;
            }
            hits.push(KeyHit {
                key: key.to_string(),
                line: lit.line,
                fingerprint: fingerprint(value.as_bytes()),
                kind: classify(key, None, value.as_bytes()),
            });
        }
        if let Some(line) = hits.first().map(|h| h.line) {
            out.push(Finding {
                source: Source::SecretGenerator,
                path: path.to_string(),
                document: doc.index,
                line,
                namespace: str_at(generator, &["namespace"]).map(String::from),
                name: str_at(generator, &["name"]).map(String::from),
                keys: hits,
                commit: None,
                date: None,
                at_head: None,
                refs: Vec::new(),
            });
        }
    }
}

/// Every finding in one file. Files that are not UTF-8 or not YAML/JSON have none.
pub fn scan_bytes(path: &str, bytes: &[u8]) -> Vec<Finding> {
    if !is_candidate(bytes) {
        return Vec::new();
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Vec::new();
    };
    let Ok(docs) = tree::parse(text) else {
        return Vec::new();
    };
    // A SOPS-encrypted file carries a top-level `sops:` block; its values are ciphertext.
    if docs
        .iter()
        .any(|d| d.root.as_ref().is_some_and(|r| r.get("sops").is_some()))
    {
        return Vec::new();
    }
    let mut out = Vec::new();
    for doc in &docs {
        let Some(root) = &doc.root else { continue };
        let mut objects: Vec<&Node> = vec![root];
        if is_v1(root, "List") {
            if let Some(NodeKind::Sequence { items, .. }) = root.get("items").map(|n| &n.kind) {
                objects.extend(items.iter());
            }
        }
        for obj in objects {
            if is_v1(obj, "Secret") && !allowed(obj) {
                let hits = secret_hits(obj, &|n| n.line);
                out.extend(secret_finding(Source::Secret, path, doc.index, obj, hits));
            }
            last_applied(path, doc, obj, &mut out);
        }
        secret_generator(path, doc, root, &mut out);
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
        assert_eq!(f[0].keys[0].fingerprint, fingerprint(b"hunter2"));
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
    fn prefilter_skips_files_without_markers() {
        assert!(!is_candidate(b"apiVersion: v1\nkind: ConfigMap\n"));
        assert!(is_candidate(b"kind: Secret"));
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
pub fn generator_file_finding(gf: &GeneratorFile, path: &str, bytes: &[u8]) -> Option<Finding> {
    let mut keys = Vec::new();
    match &gf.key {
        Some(key) => {
            let text = String::from_utf8_lossy(bytes);
            if !is_exempt(&text) {
                keys.push(KeyHit {
                    key: key.clone(),
                    line: 1,
                    fingerprint: fingerprint(bytes),
                    kind: classify(key, None, bytes),
                });
            }
        }
        None => {
            let text = std::str::from_utf8(bytes).ok()?;
            for (i, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.starts_with('#') {
                    continue;
                }
                let Some((key, value)) = line.split_once('=') else {
                    continue;
                };
                if is_exempt(value) {
                    continue;
                }
                keys.push(KeyHit {
                    key: key.trim().to_string(),
                    line: i + 1,
                    fingerprint: fingerprint(value.as_bytes()),
                    kind: classify(key.trim(), None, value.as_bytes()),
                });
            }
        }
    }
    let line = keys.first()?.line;
    Some(Finding {
        source: Source::SecretGenerator,
        path: path.to_string(),
        document: 1,
        line,
        namespace: gf.namespace.clone(),
        name: gf.generator.clone(),
        keys,
        commit: None,
        date: None,
        at_head: None,
        refs: Vec::new(),
    })
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
        )
        .unwrap();
        let keys: Vec<(&str, usize)> = f.keys.iter().map(|k| (k.key.as_str(), k.line)).collect();
        assert_eq!(keys, [("USER", 2), ("PASSWORD", 4)]);
        assert_eq!(f.name.as_deref(), Some("app"));
        assert!(generator_file_finding(&files[2], "config/token", b"").is_none());
    }
}
