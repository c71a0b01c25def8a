//! Finding Kubernetes Secrets in parsed documents: top-level `v1` `Secret`s and the items of a
//! `v1` `List`. Documents that are not Secrets are never touched.

use std::fmt;

use super::tree::{Document, Node, NodeKind};
use crate::error::{Error, Location};

/// Which field of a Secret a value is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    Data,
    StringData,
}

impl Field {
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

/// One value of a Secret's `data` or `stringData`.
#[derive(Debug)]
pub struct SecretValue<'a> {
    pub field: Field,
    pub key: &'a str,
    pub key_node: &'a Node,
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
}

/// A Secret found in a document.
#[derive(Debug)]
pub struct Secret<'a> {
    /// 1-based document number.
    pub document: usize,
    pub root: &'a Node,
    pub name: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub annotations: Option<&'a Node>,
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
        && node.get("apiVersion").and_then(Node::as_str) == Some("v1")
}

/// Whether a document root can hold Secrets: a v1 Secret or a v1 List.
pub fn may_hold_secrets(root: &Node) -> bool {
    is_kind(root, "Secret") || is_kind(root, "List")
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

/// Every Secret in the documents, in order. `file` names the input in errors.
pub fn find_secrets<'a>(docs: &'a [Document], file: &Location) -> Result<Vec<Secret<'a>>, Error> {
    let mut out = Vec::new();
    for doc in docs {
        let Some(root) = &doc.root else { continue };
        if is_kind(root, "Secret") {
            out.push(secret_from(root, doc.index, file)?);
        } else if is_kind(root, "List") {
            if let Some(NodeKind::Sequence { items, .. }) = root.get("items").map(|n| &n.kind) {
                for item in items.iter().filter(|i| is_kind(i, "Secret")) {
                    out.push(secret_from(item, doc.index, file)?);
                }
            }
        }
    }
    Ok(out)
}

/// Kubernetes' rule for Secret keys: `[-._a-zA-Z0-9]+`, at most 253 characters.
pub fn check_key_name(key: &str) -> Result<(), String> {
    if key.is_empty()
        || key.len() > 253
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
    {
        return Err(
            "Kubernetes Secret keys must be 1-253 characters of letters, digits, `-`, `_` and `.`".into(),
        );
    }
    if key == "." || key == ".." {
        return Err("a Secret key cannot be `.` or `..`".into());
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
    fn non_string_values_are_errors_with_location() {
        let docs = parse("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  k: [1]\n").unwrap();
        let err = find_secrets(&docs, &Location::file("f.yaml")).unwrap_err();
        assert_eq!(err.to_string(), "f.yaml: document 1: Secret s: data.k (line 5, column 6): the value must be a string, not a mapping or a list");
        let docs = parse("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: x\n").unwrap();
        assert!(find_secrets(&docs, &Location::file("f")).is_err());
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
