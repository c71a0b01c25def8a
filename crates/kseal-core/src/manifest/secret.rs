//! Finding Kubernetes Secrets in parsed documents as kubectl reads them: top-level `v1` `Secret`s
//! and the Secret items of anything with an `items` list. Documents that are not Secrets are never
//! touched.

pub use super::yaml11::kubectl_key;
use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use granit_parser::ScalarStyle;

use super::tree::{Document, Node, NodeKind, ANCHORED, TAGGED};
use crate::crypto::sealed::{self, FormatError, SealedValue};
use crate::error::{Error, Location};

/// Which field of a Secret a value is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Field {
    /// `data`: base64 of the bytes.
    Data,
    /// `stringData`: the text itself.
    StringData,
}

impl Field {
    /// The field's name in a manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Data => "data",
            Field::StringData => "stringData",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a Secret value is. Every command reads values through [`SecretValue::state`], so that
/// "is this sealed, by whom, and is it well formed" has one answer everywhere.
#[derive(Debug)]
#[non_exhaustive]
pub enum ValueState {
    /// Plaintext (for `data`, base64 of the plaintext, or not even base64).
    Plain,
    /// A well-formed kseal version 2 value.
    Sealed(SealedValue),
    /// Encrypted by another tool (the tool's name): never sealed again, never called plaintext.
    Foreign(&'static str),
    /// A template expression (`{{ .Values.db.password }}`, `${DB_PASSWORD}`): the value comes
    /// when the template is rendered, so it is never sealed (that would destroy the template).
    Template,
    /// A kseal value (it starts with `kseal:`, or under `data` decodes to it) that is not a
    /// well-formed version 2 value: always an error, never plaintext.
    Malformed(FormatError),
}

/// A Helm/Go template (`{{ ... }}`) or an envsubst/Flux variable (`${VAR}`) in a value.
pub fn is_template(text: &str) -> bool {
    (text.contains("{{") && text.contains("}}")) || text.find("${").is_some_and(|i| text[i..].contains('}'))
}

/// SOPS writes every encrypted leaf as `ENC[AES256_GCM,data:...,iv:...,tag:...,type:...]`. Only
/// a whole one is another tool's ciphertext: `ENC[AES256_GCM,hunter2` is plaintext, to verify and
/// scan alike (issue 36: scan called it encrypted and stayed silent).
fn foreign_tool(text: &str) -> Option<&'static str> {
    super::sops::is_enc_leaf(text.trim()).then_some("SOPS")
}

/// One value of a Secret's `data` or `stringData`.
#[derive(Debug)]
pub struct SecretValue<'a> {
    /// Which field it is under.
    pub field: Field,
    /// Its key.
    pub key: &'a str,
    /// The key's node (for edits).
    pub key_node: &'a Node,
    /// The value's node.
    pub node: &'a Node,
}

impl SecretValue<'_> {
    /// The value as written (for `data`, still base64).
    pub fn text(&self) -> &str {
        self.node.as_str().expect("find_secrets keeps only scalar values")
    }

    /// `data.KEY` / `stringData.KEY`.
    pub fn path(&self) -> String {
        format!("{}.{}", self.field, self.key)
    }

    /// Whether the value is plaintext, sealed, another tool's or a damaged kseal value.
    pub fn state(&self) -> ValueState {
        state_of(self.field, self.text())
    }
}

/// [`SecretValue::state`] of a value written as `text` under `field`.
pub fn state_of(field: Field, text: &str) -> ValueState {
    let parsed = |r: Result<SealedValue, FormatError>| match r {
        Ok(v) => ValueState::Sealed(v),
        Err(e) => ValueState::Malformed(e),
    };
    if let Some(tool) = foreign_tool(text) {
        return ValueState::Foreign(tool);
    }
    if is_template(text) {
        return ValueState::Template;
    }
    match field {
        Field::StringData if sealed::is_kseal(text) => parsed(SealedValue::parse(text)),
        Field::StringData => ValueState::Plain,
        Field::Data => {
            let compact: zeroize::Zeroizing<String> =
                zeroize::Zeroizing::new(text.chars().filter(|c| !c.is_ascii_whitespace()).collect());
            if sealed::is_kseal(&compact) {
                // A raw sealed string under `data` (how version 1 wrote it): say which it is.
                return ValueState::Malformed(match SealedValue::parse(&compact) {
                    Err(FormatError::RetiredV1) => FormatError::RetiredV1,
                    _ => FormatError::RawInData,
                });
            }
            if compact.starts_with(sealed::DATA_MARKER) {
                return parsed(SealedValue::parse_data(&compact));
            }
            // Base64 of a damaged prefix (leading space, other case) is a kseal value too, by the
            // rule the API server's CEL applies (crypto::spelling).
            let bytes = zeroize::Zeroizing::new(STANDARD.decode(compact.as_bytes()).unwrap_or_default());
            if crate::crypto::spelling::is_kseal_bytes(&bytes) {
                parsed(SealedValue::parse_data(&compact))
            } else {
                ValueState::Plain
            }
        }
    }
}

/// How a sealed string is written under `field`: itself under `stringData`, its standard base64
/// under `data`, so that every sealed manifest is a valid Kubernetes object.
pub fn written_form(field: Field, sealed: String) -> String {
    match field {
        Field::StringData => sealed,
        Field::Data => STANDARD.encode(sealed),
    }
}

/// A Secret found in a document.
#[derive(Debug)]
pub struct Secret<'a> {
    /// 1-based document number.
    pub document: usize,
    /// The Secret's mapping.
    pub root: &'a Node,
    /// `metadata.name`.
    pub name: Option<&'a str>,
    /// `metadata.namespace`.
    pub namespace: Option<&'a str>,
    /// `metadata.annotations`.
    pub annotations: Option<&'a Node>,
    /// Its values, `data` then `stringData`, in file order.
    pub values: Vec<SecretValue<'a>>,
}

impl<'a> Secret<'a> {
    /// `namespace/name`, `name`, or `(unnamed)`.
    pub fn display_name(&self) -> String {
        match (self.namespace, self.name) {
            (Some(ns), Some(n)) => format!("{ns}/{n}"),
            (None, Some(n)) => n.to_string(),
            (_, None) => "(unnamed)".to_string(),
        }
    }

    /// Location naming file, document and Secret.
    pub fn location(&self, file: &Location) -> Location {
        let mut loc = file
            .clone()
            .with_document(self.document)
            .with_secret(self.display_name());
        loc.line_col = None;
        loc
    }

    /// Location of one value, with its line and column.
    pub fn value_location(&self, file: &Location, value: &SecretValue) -> Location {
        self.location(file)
            .with_key(value.path())
            .at(value.node.line, value.node.col)
    }

    /// The `data` or `stringData` mapping node, if present and a mapping.
    pub fn field_map(&self, field: Field) -> Option<&'a Node> {
        self.root.get(field.as_str()).filter(|n| n.entries().is_some())
    }
}

/// The annotation that holds a Secret's whole previous manifest, plaintext included.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

fn is_kind(node: &Node, kind: &str) -> bool {
    node.get("kind").and_then(Node::as_str) == Some(kind)
        && node
            .get("apiVersion")
            .and_then(Node::as_str)
            .is_some_and(is_core_v1)
}

/// The custom resource the in-cluster controller turns into a Secret (docs/ARCHITECTURE.md §3):
/// shaped exactly like a Secret, its values sealed and bound as a Secret's of the same namespace
/// and name, so every reader reads it as one.
pub const KSEAL_SECRET_API_VERSION: &str = "kseal.dev/v1";
/// The kind of [`KSEAL_SECRET_API_VERSION`].
pub const KSEAL_SECRET_KIND: &str = "KsealSecret";

/// Whether a document is a `kseal.dev/v1` KsealSecret.
pub fn is_kseal_secret(node: &Node) -> bool {
    node.get("kind").and_then(Node::as_str) == Some(KSEAL_SECRET_KIND)
        && node.get("apiVersion").and_then(Node::as_str) == Some(KSEAL_SECRET_API_VERSION)
}

/// A v1 Secret or a KsealSecret: what kseal seals, opens and checks.
fn is_secret_kind(node: &Node) -> bool {
    is_kind(node, "Secret") || is_kseal_secret(node)
}

/// Whether an `apiVersion` names the core group's v1 as kubectl reads it
/// (`schema.ParseGroupVersion`): `v1`, or `/v1` (an empty group before the slash). Issue 36:
/// kubectl stored a plaintext Secret written `apiVersion: /v1` that kseal read as no Secret.
pub fn is_core_v1(api_version: &str) -> bool {
    matches!(api_version, "v1" | "/v1")
}

/// Whether a document root can hold Secrets: a v1 Secret or a v1 List, or a document whose kind
/// another YAML parser could read differently (see `ambiguous_kind`).
pub fn may_hold_secrets(root: &Node) -> bool {
    is_secret_kind(root)
        || is_list(root)
        || ambiguous_kind(root)
        || misspelled_secret(root)
        || root.get("secretGenerator").is_some()
}

/// The kustomize `secretGenerator` entries of `docs` that carry values in plain text (`literals`,
/// `envs`, `files`): (document, generator name, line, column). kseal cannot seal them in place
/// (kustomize reads them at build time), so `verify` flags them and `seal` says what to do.
pub fn plaintext_generators(docs: &[Document]) -> Vec<(usize, String, usize, usize)> {
    let mut out = Vec::new();
    for d in docs {
        let Some(NodeKind::Sequence { items, .. }) = d
            .root
            .as_ref()
            .and_then(|r| r.get("secretGenerator"))
            .map(|n| &n.kind)
        else {
            continue;
        };
        for g in items {
            let holds = ["literals", "envs", "files"].iter().any(|f| {
                g.get(f)
                    .is_some_and(|v| matches!(&v.kind, NodeKind::Sequence { items, .. } if !items.is_empty()))
            });
            if holds {
                let name = g
                    .get("name")
                    .and_then(Node::as_str)
                    .unwrap_or("(unnamed)")
                    .to_string();
                out.push((d.index, name, g.line, g.col));
            }
        }
    }
    out
}

/// A document that reads like a Secret but whose kind is spelled in another case (`kind: secret`):
/// Kubernetes would refuse it, and kseal does not treat it as a Secret, so its values would stay
/// plaintext. Commands say so.
pub fn misspelled_secret(root: &Node) -> bool {
    root.get("kind")
        .and_then(Node::as_str)
        .is_some_and(|k| k != "Secret" && k.eq_ignore_ascii_case("secret"))
        && (root.get("data").is_some() || root.get("stringData").is_some())
}

/// The 1-based numbers of the documents that [`misspelled_secret`] finds.
pub fn misspelled_secret_documents(docs: &[Document]) -> Vec<usize> {
    docs.iter()
        .filter(|d| d.root.as_ref().is_some_and(misspelled_secret))
        .map(|d| d.index)
        .collect()
}

/// A document kubectl reads as a list: any object whose `items` is a sequence, whatever its kind
/// (kubectl's `meta.IsListType` on an unstructured object), so a `v1 List`, a `SecretList`, a
/// `ConfigMapList`, an `example.com/v1 List`, even a `Deployment` with `items:` has the Secrets
/// in its items applied, and kseal reads them as kubectl does.
fn is_list(root: &Node) -> bool {
    list_items(root).is_some()
}

/// The items of a document kubectl reads as a list (`is_list`).
pub fn list_items(root: &Node) -> Option<&[Node]> {
    match root.get("items").map(|n| &n.kind) {
        Some(NodeKind::Sequence { items, .. }) => Some(items),
        _ => None,
    }
}

/// Whether an item of the list `list` is a Secret: it says so, or the list is a `SecretList`
/// and the item names no other kind: kubectl fills in the list's kind and version when both are
/// missing or empty (`kind: ""`, `apiVersion: ""`).
pub fn is_secret_item(list: &Node, item: &Node) -> bool {
    let unset = |f: &str| item.get(f).is_none_or(|v| v.as_str() == Some(""));
    is_secret_kind(item) || (is_kind(list, "SecretList") && unset("kind") && unset("apiVersion"))
}

/// A mapping whose `apiVersion` or `kind` is not a plain written string (an alias, a tagged or
/// anchored node) or is missing while a merge key (`<<`) could supply it. kseal's reading and a
/// resolving parser's (kubectl, the API server, `apply`'s own) could disagree on whether such a
/// document is a Secret.
fn ambiguous_kind(root: &Node) -> bool {
    let Some(entries) = root.entries() else {
        return false;
    };
    let has_merge = entries.iter().any(|(k, _)| is_merge_key(k));
    ["apiVersion", "kind"].iter().any(|f| match root.get(f) {
        None => has_merge,
        Some(v) => v.props != 0 || v.as_str().is_none(),
    })
}

fn is_merge_key(k: &Node) -> bool {
    k.as_str() == Some("<<") && k.style() == Some(ScalarStyle::Plain)
}

/// The first YAML anchor, alias, merge key or explicit tag in `node`, with its position.
fn first_indirection(node: &Node) -> Option<(&'static str, usize, usize)> {
    if node.props & ANCHORED != 0 {
        return Some(("an anchor (&name)", node.line, node.col));
    }
    if node.props & TAGGED != 0 {
        return Some(("an explicit tag (!tag)", node.line, node.col));
    }
    match &node.kind {
        NodeKind::Alias => Some(("an alias (*name)", node.line, node.col)),
        NodeKind::Scalar { .. } => None,
        NodeKind::Sequence { items, .. } => items.iter().find_map(first_indirection),
        NodeKind::Mapping { entries, .. } => entries.iter().find_map(|(k, v)| {
            if is_merge_key(k) {
                return Some(("a merge key (<<)", k.line, k.col));
            }
            first_indirection(k).or_else(|| first_indirection(v))
        }),
    }
}

/// One parse, one truth: the namespace, name and key a value is bound to must be what every
/// consumer of the manifest reads. YAML anchors, aliases, merge keys and tags let two parsers
/// disagree (kseal's span tree does not resolve them; kubectl and serde do), so a document that
/// holds Secrets must not use them.
fn check_one_truth(root: &Node, document: usize, file: &Location) -> Result<(), Error> {
    match first_indirection(root) {
        None => Ok(()),
        Some((what, line, col)) => Err(Error::input(
            file.clone().with_document(document).at(line, col),
            format!(
                "{what} in a document that holds a Secret: kseal refuses YAML anchors, aliases, merge keys \
                 and tags there, because they let two YAML parsers disagree about which namespace, Secret \
                 and key a value belongs to; write the document out in full"
            ),
        )),
    }
}

fn scalar(node: Option<&Node>) -> Option<&str> {
    node.and_then(Node::as_str).filter(|s| !s.is_empty())
}

fn secret_from<'a>(root: &'a Node, document: usize, file: &Location) -> Result<Secret<'a>, Error> {
    let metadata = root.get("metadata");
    let mut secret = Secret {
        document,
        root,
        name: scalar(metadata.and_then(|m| m.get("name"))),
        namespace: scalar(metadata.and_then(|m| m.get("namespace"))),
        annotations: metadata
            .and_then(|m| m.get("annotations"))
            .filter(|a| a.entries().is_some()),
        values: Vec::new(),
    };
    for field in [Field::Data, Field::StringData] {
        let Some(map) = root.get(field.as_str()) else {
            continue;
        };
        if map.is_null() {
            continue;
        }
        let Some(entries) = map.entries() else {
            return Err(Error::input(
                secret
                    .location(file)
                    .with_key(field.as_str())
                    .at(map.line, map.col),
                format!("`{field}` must be a mapping of key names to values"),
            ));
        };
        for (k, v) in entries {
            let Some(key) = k.as_str() else {
                return Err(Error::input(
                    secret.location(file).with_key(field.as_str()).at(k.line, k.col),
                    "keys must be strings",
                ));
            };
            if k.style() == Some(ScalarStyle::Plain) {
                if let Some(stored) = kubectl_key(key) {
                    return Err(Error::input(
                        secret
                            .location(file)
                            .with_key(format!("{field}.{key}"))
                            .at(k.line, k.col),
                        format!(
                            "kubectl and the API server read YAML 1.1, where the unquoted key `{key}` is `{stored}`: \
                             the cluster would store the value under `{stored}`, not `{key}`; quote the key (\"{key}\") \
                             or write `{stored}` if that is what you mean"
                        ),
                    ));
                }
            }
            let at = secret
                .location(file)
                .with_key(format!("{field}.{key}"))
                .at(v.line, v.col);
            match &v.kind {
                NodeKind::Scalar { .. } if v.is_null() => {
                    return Err(Error::input(
                        at,
                        "the value is null; give it a value or remove the key",
                    ));
                }
                NodeKind::Scalar { .. } if non_string_plain(v).is_some() => {
                    let what = non_string_plain(v).unwrap_or_default();
                    return Err(Error::input(
                        at,
                        format!(
                            "YAML reads this unquoted value as {what}, not a string, and the API server \
                             would refuse it: put it in quotes"
                        ),
                    ));
                }
                NodeKind::Scalar { .. } => {}
                NodeKind::Alias => {
                    return Err(Error::input(
                        at,
                        "YAML aliases are not supported in Secret values; write the value out",
                    ))
                }
                _ => {
                    return Err(Error::input(
                        at,
                        "the value must be a string, not a mapping or a list",
                    ))
                }
            }
            secret.values.push(SecretValue {
                field,
                key,
                key_node: k,
                node: v,
            });
        }
    }
    Ok(secret)
}

/// What a plain scalar is to YAML if it is not a string: a number or a boolean, in YAML 1.2's core
/// schema or YAML 1.1's (kubectl's YAML library reads `yes`/`on` as booleans).
fn non_string_plain(v: &Node) -> Option<&'static str> {
    if v.style() != Some(ScalarStyle::Plain) {
        return None;
    }
    let t = v.as_str()?;
    const BOOLS: &[&str] = &[
        "true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes", "YES", "no", "No", "NO", "on", "On",
        "ON", "off", "Off", "OFF", "y", "Y", "n", "N",
    ];
    if BOOLS.contains(&t) {
        return Some("a boolean");
    }
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    let is_int = !digits.is_empty()
        && (digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
            || digits
                .strip_prefix("0x")
                .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()))
            || digits
                .strip_prefix("0o")
                .is_some_and(|o| !o.is_empty() && o.bytes().all(|b| (b'0'..=b'7').contains(&b))))
        && digits.bytes().next().is_some_and(|b| b.is_ascii_digit());
    let is_float = matches!(digits, ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN")
        || (digits.bytes().any(|b| b.is_ascii_digit())
            && digits
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+' | b'_'))
            && digits
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_digit() || b == b'.')
            && digits.matches('.').count() <= 1
            && digits.matches(['e', 'E']).count() <= 1
            && (digits.contains('.') || digits.contains(['e', 'E'])));
    (is_int || is_float).then_some("a number")
}

/// Every Secret in the documents, in order. `file` names the input in errors.
pub fn find_secrets<'a>(docs: &'a [Document], file: &Location) -> Result<Vec<Secret<'a>>, Error> {
    let mut out = Vec::new();
    for doc in docs {
        let Some(root) = &doc.root else { continue };
        if may_hold_secrets(root) {
            check_one_truth(root, doc.index, file)?;
        }
        if let Some(items) = list_items(root) {
            // kubectl applies the items of anything with `items`, and not the wrapper itself.
            for item in items.iter().filter(|i| is_secret_item(root, i)) {
                out.push(secret_from(item, doc.index, file)?);
            }
        } else if is_secret_kind(root) {
            out.push(secret_from(root, doc.index, file)?);
        }
    }
    Ok(out)
}

/// Why a string is not a Secret key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyNameError {
    #[error("Kubernetes Secret keys must be 1-253 characters of letters, digits, `-`, `_` and `.`")]
    /// Characters Kubernetes does not allow, or a length over 253.
    Characters,
    #[error("a Secret key cannot be `.` or `..`")]
    /// `.` or `..`.
    Dots,
}

/// Kubernetes' rule for Secret keys: `[-._a-zA-Z0-9]+`, at most 253 characters.
pub fn check_key_name(key: &str) -> Result<(), KeyNameError> {
    if key.is_empty()
        || key.len() > 253
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
    {
        return Err(KeyNameError::Characters);
    }
    if key == "." || key == ".." {
        return Err(KeyNameError::Dots);
    }
    Ok(())
}

/// An RFC 1123 DNS label (namespaces): lowercase alphanumerics and `-`, at most 63.
pub fn check_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// An RFC 1123 DNS subdomain (object names): dot-separated labels, at most 253.
pub fn check_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(check_dns_label)
}

#[cfg(test)]
mod tests {
    use super::super::tree::parse;
    use super::*;

    #[test]
    fn finds_secrets_in_documents_and_lists_only() {
        let src = "apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: n}\nstringData: {a: b}\ndata: {c: ZA==}\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret, metadata: {name: t}, data: {x: eQ==}}\n- {apiVersion: v1, kind: ConfigMap, data: {y: z}}\n---\napiVersion: bitnami.com/v1alpha1\nkind: Secret\ndata: {q: r}\n";
        let docs = parse(src).unwrap();
        let s = find_secrets(&docs, &Location::file("f")).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].display_name(), "n/s");
        assert_eq!(s[0].document, 2);
        let keys: Vec<String> = s[0].values.iter().map(SecretValue::path).collect();
        assert_eq!(keys, ["data.c", "stringData.a"]);
        assert_eq!(s[1].display_name(), "t");
        assert_eq!(s[1].document, 3);
    }

    #[test]
    fn keys_are_read_as_kubectl_reads_them() {
        for (text, stored) in [
            ("on", Some("true")),
            ("yes", Some("true")),
            ("Y", Some("true")),
            ("off", Some("false")),
            ("n", Some("false")),
            ("true", None),
            ("false", None),
            ("0x10", Some("16")),
            ("010", Some("8")),
            ("0b101", Some("5")),
            ("1_000", Some("1000")),
            ("1e3", Some("1000")),
            ("1.0", Some("1")),
            (".5", Some("0.5")),
            (".inf", None),
            (".Inf", Some(".inf")),
            ("0o17", Some("15")),
            ("0X1F", Some("31")),
            ("0B11", Some("3")),
            ("1.00000001", Some("1")),
            ("1e8", Some("1e+08")),
            ("0.00001", Some("1e-05")),
            ("0.0001", None),
            ("99999999999999999999", Some("1e+20")),
            ("0_8", Some("8")),
            ("2024-01-01", None),
            ("null", Some("null (kubectl refuses a null key)")),
            (".3_9", Some("0.39")),
            ("9223372036854775807", None),
            ("123", None),
            ("1.5", None),
            ("0", None),
            ("password", None),
            ("tls.crt", None),
            ("ca.crt", None),
            ("1e", None),
            ("0x", None),
            ("09", Some("9")),
        ] {
            assert_eq!(kubectl_key(text).as_deref(), stored, "{text}");
        }
    }

    #[test]
    fn an_unquoted_key_that_kubectl_reads_otherwise_is_refused_and_a_quoted_one_is_not() {
        let docs =
            parse("apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: n}\nstringData:\n  on: a\n")
                .unwrap();
        let e = find_secrets(&docs, &Location::file("f.yaml")).unwrap_err();
        assert!(e.to_string().contains("stringData.on (line 5, column 3)"), "{e}");
        assert!(e.to_string().contains("is `true`"), "{e}");
        let docs = parse(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: n}\nstringData:\n  \"on\": a\n",
        )
        .unwrap();
        assert_eq!(
            find_secrets(&docs, &Location::file("f.yaml")).unwrap()[0].values[0].key,
            "on"
        );
    }

    #[test]
    fn the_items_of_anything_with_items_are_read_as_kubectl_reads_them() {
        let src = "apiVersion: v1\nkind: ConfigMapList\nitems:\n- {apiVersion: v1, kind: Secret, metadata: {name: a}, stringData: {k: v}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nitems:\n- {apiVersion: v1, kind: Secret, metadata: {name: b}, data: {k: dg==}}\n---\napiVersion: example.com/v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret, metadata: {name: c}, data: {k: dg==}}\n";
        let docs = parse(src).unwrap();
        let names: Vec<_> = find_secrets(&docs, &Location::file("f"))
            .unwrap()
            .iter()
            .map(|s| s.name.unwrap())
            .collect();
        assert_eq!(names, ["a", "b", "c"]);
    }

    #[test]
    fn items_of_a_typed_secret_list_are_secrets() {
        let src = "apiVersion: v1\nkind: SecretList\nitems:\n- metadata: {name: a, namespace: n}\n  stringData: {k: v}\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: b, namespace: n}\n  data: {k: dg==}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {k: v}}\n";
        let docs = parse(src).unwrap();
        let s = find_secrets(&docs, &Location::file("f")).unwrap();
        assert_eq!(
            s.iter().map(Secret::display_name).collect::<Vec<_>>(),
            ["n/a", "n/b"]
        );
    }

    #[test]
    fn non_string_values_are_errors_with_location() {
        let docs = parse("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  k: [1]\n").unwrap();
        let err = find_secrets(&docs, &Location::file("f.yaml")).unwrap_err();
        assert_eq!(err.to_string(), "f.yaml: document 1: Secret s: data.k (line 5, column 6): the value must be a string, not a mapping or a list");
        let docs = parse("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: x\n").unwrap();
        assert!(find_secrets(&docs, &Location::file("f")).is_err());
    }

    #[test]
    fn value_states_for_both_fields() {
        let id = crate::crypto::Identity::generate();
        let b = crate::crypto::Binding {
            namespace: "n",
            name: "s",
            key: "k",
        };
        let v = sealed::seal(
            b"x",
            std::slice::from_ref(id.recipient()),
            crate::crypto::Scope::Cluster,
            &b,
        )
        .unwrap();
        assert!(matches!(state_of(Field::StringData, &v), ValueState::Sealed(_)));
        assert!(matches!(
            state_of(Field::Data, &written_form(Field::Data, v.clone())),
            ValueState::Sealed(_)
        ));
        assert!(matches!(
            state_of(Field::Data, &v),
            ValueState::Malformed(FormatError::RawInData)
        ));
        assert!(matches!(
            state_of(Field::StringData, "hunter2"),
            ValueState::Plain
        ));
        assert!(matches!(state_of(Field::Data, "aHVudGVyMg=="), ValueState::Plain));
        assert!(matches!(state_of(Field::Data, "not base64!"), ValueState::Plain));
        assert!(matches!(
            state_of(Field::StringData, "ENC[AES256_GCM,data:mHeXsmQ=,iv:vUMpILz3xchORqkzDFvgwENY7EqIHHGJdEF6C8xqbFE=,tag:IroV7hykADvD0IUaq6kikA==,type:str]"),
            ValueState::Foreign("SOPS")
        ));
        // A broken one is plaintext (issue 36), as scan reads it too.
        for broken in [
            "ENC[AES256_GCM,hunter2",
            "ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]",
        ] {
            assert!(
                matches!(state_of(Field::StringData, broken), ValueState::Plain),
                "{broken}"
            );
        }
        // Damaged prefixes: never plaintext, in either field.
        for damaged in [
            "kseal:v2x:strict:a",
            " kseal:v2:strict",
            "kseal:v9:cluster:x",
            "Kseal:v2:cluster",
            "kseal:v1:strict:0222c381:AAAA",
        ] {
            assert!(
                matches!(state_of(Field::StringData, damaged), ValueState::Malformed(_)),
                "{damaged}"
            );
            let enc = STANDARD.encode(damaged);
            assert!(
                matches!(state_of(Field::Data, &enc), ValueState::Malformed(_)),
                "{damaged}"
            );
        }
        assert!(matches!(
            state_of(Field::Data, "kseal:v1:strict:0222c381:AAAA"),
            ValueState::Malformed(FormatError::RetiredV1)
        ));
    }

    #[test]
    fn indirections_in_secret_documents_are_refused_with_position() {
        let cases = [
            ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: &ns prod\nstringData: {a: b}\n", (5, 18), "anchor"),
            ("apiVersion: v1\nkind: Secret\nx: &ns prod\nmetadata:\n  name: db\n  namespace: *ns\n", (3, 8), "anchor"),
            ("apiVersion: v1\nkind: Secret\nmetadata:\n  <<: {namespace: attacker}\n  name: db\n", (4, 3), "merge key"),
            ("apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData:\n  k: !!str v\n", (5, 12), "tag"),
            ("<<: {apiVersion: v1, kind: Secret}\nmetadata: {name: db}\n", (1, 1), "merge key"),
            ("apiVersion: v1\nkind: List\nitems:\n- &s {apiVersion: v1, kind: Secret, metadata: {name: a}}\n- *s\n", (4, 6), "anchor"),
        ];
        for (src, (line, col), what) in cases {
            let docs = crate::manifest::tree::parse(src).unwrap();
            let err = find_secrets(&docs, &Location::file("f.yaml"))
                .err()
                .unwrap_or_else(|| panic!("{src}"));
            let shown = err.to_string();
            assert!(shown.contains(what), "{shown}");
            assert_eq!(err.location.line_col, Some((line, col)), "{src}: {shown}");
        }
        // Anchors elsewhere are fine: a ConfigMap may use them.
        let ok = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: &x b, c: *x}\n";
        assert!(
            find_secrets(&crate::manifest::tree::parse(ok).unwrap(), &Location::file("f"))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn numbers_and_booleans_are_not_strings() {
        for v in [
            "1234", "-1", "0x1f", "1.5", "1e+20", ".inf", "true", "yes", "off", "N",
        ] {
            let src = format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: s}}\nstringData:\n  k: {v}\n");
            let docs = crate::manifest::tree::parse(&src).unwrap();
            let err = find_secrets(&docs, &Location::file("f")).unwrap_err().to_string();
            assert!(
                err.contains("put it in quotes") && !err.contains(&format!(" {v} ")),
                "{v}: {err}"
            );
        }
        for v in ["\"1234\"", "'true'", "abc", "1.2.3", "e5", "12ab", "0x", "aGk="] {
            let src = format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: s}}\nstringData:\n  k: {v}\n");
            let docs = crate::manifest::tree::parse(&src).unwrap();
            assert!(find_secrets(&docs, &Location::file("f")).is_ok(), "{v}");
        }
    }

    #[test]
    fn name_rules() {
        assert!(check_key_name("tls.crt").is_ok());
        assert!(check_key_name("a/b").is_err());
        assert!(check_key_name("").is_err());
        assert!(check_key_name("..").is_err());
        assert!(check_dns_label("prod-1"));
        assert!(!check_dns_label("Prod"));
        assert!(!check_dns_label("-a"));
        assert!(check_dns_subdomain("db.example"));
    }
}
