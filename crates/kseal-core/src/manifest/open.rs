//! `open`: decrypt sealed values in place, rendering plain manifests.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use zeroize::Zeroizing;

use super::secret::{self, Field, Secret, SecretValue, ValueState};
use super::splice::{self, double_quoted};
use super::{binding, parse};
use crate::crypto::sealed::{OpenError, SealedValue};
use crate::crypto::{Binding, Identity};
use crate::error::{Error, Location};

/// What one Secret was opened as: the namespace, name and keys its values were bound to. `apply`
/// checks that the object it sends is this one (one parse, one truth).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenedSecret {
    /// The document's number in the stream.
    pub document: usize,
    /// Its namespace, as bound.
    pub namespace: Option<String>,
    /// Its name.
    pub name: Option<String>,
    /// Every key of `data` and `stringData`.
    pub keys: std::collections::BTreeSet<String>,
}

/// The result of opening one file.
pub struct Opened {
    /// The whole file with every value opened.
    pub text: Zeroizing<String>,
    /// How many values were opened.
    pub opened: usize,
    /// Every Secret of the file, in order (documents, then `List` items).
    pub secrets: Vec<OpenedSecret>,
}

/// The sealed value of `v`, if it is one: `None` for plaintext, an error for a damaged kseal
/// value (exit 3) or another tool's ciphertext where kseal cannot open it (exit 2).
pub fn sealed_value(s: &Secret, v: &SecretValue, file: &Location) -> Result<Option<SealedValue>, Error> {
    match v.state() {
        ValueState::Plain | ValueState::Template => Ok(None),
        ValueState::Sealed(value) => Ok(Some(value)),
        ValueState::Malformed(e) => Err(Error::crypto(
            s.value_location(file, v),
            format!("malformed sealed value: {e}"),
        )),
        ValueState::Foreign(tool) => Err(Error::input(
            s.value_location(file, v),
            format!("the value is encrypted by {tool}, but this is not a {tool} file kseal can open (its metadata is missing)"),
        )),
    }
}

/// Opens one sealed value of a Secret, with errors that name where it is.
pub fn open_value(
    s: &Secret,
    v: &SecretValue,
    value: &SealedValue,
    file: &Location,
    identities: &[Identity],
    default_namespace: Option<&str>,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let at = || s.value_location(file, v);
    let bind = binding(s, v.key, value.scope, default_namespace, at)?;
    value
        .open(identities, &bind)
        .map_err(|e| open_failed(s, v, value, &bind, file, e))
}

/// The error of a value that did not open, at its location (exit 3). For a value sealed for
/// another place, the other keys of its Secret are the likeliest places (a value pasted under the
/// wrong key): the message names the one its tag is, when it is one of them.
pub fn open_failed(
    s: &Secret,
    v: &SecretValue,
    value: &SealedValue,
    bind: &Binding,
    file: &Location,
    e: OpenError,
) -> Error {
    let mut message = e.to_string();
    if matches!(e, OpenError::SealedElsewhere { .. }) {
        let others = s.values.iter().take(64).map(|o| Binding { key: o.key, ..*bind });
        if let Some(there) = super::sealed_for_among(value, others) {
            message.push_str(&format!("; the tag is that of {}", there.describe(value.scope)));
        }
    }
    Error::crypto(s.value_location(file, v), message).with_source(e)
}

/// How an opened value is written back: base64 under `data`, the text under `stringData`.
pub fn render(field: Field, plain: &[u8]) -> Result<Zeroizing<String>, &'static str> {
    match field {
        Field::Data => Ok(Zeroizing::new(STANDARD.encode(plain))),
        Field::StringData => std::str::from_utf8(plain)
            .map(|s| Zeroizing::new(s.to_string()))
            .map_err(|_| {
                "the opened value is not UTF-8 text, which stringData requires; seal binary values under data"
            }),
    }
}

/// A value to open, with where it is.
struct Job<'a> {
    secret: &'a Secret<'a>,
    value: &'a SecretValue<'a>,
    sealed: SealedValue,
    binding: Binding<'a>,
}

/// Opens every sealed value in `src`; plaintext values and other documents pass through. Every
/// value is checked before anything is opened (a `data` value must be base64), values are opened
/// in parallel, and the first failure in file order is reported, so that no partial output is ever
/// produced.
pub fn open(
    src: &str,
    file: &Location,
    identities: &[Identity],
    default_namespace: Option<&str>,
) -> Result<Opened, Error> {
    super::sops::refuse_other_formats(src, file)?;
    let docs = parse(src, file)?;
    let secrets = secret::find_secrets(&docs, file)?;
    let mut jobs = Vec::new();
    let mut shapes = Vec::with_capacity(secrets.len());
    for s in &secrets {
        shapes.push(OpenedSecret {
            document: s.document,
            namespace: s.namespace.map(str::to_string),
            name: s.name.map(str::to_string),
            keys: s.values.iter().map(|v| v.key.to_string()).collect(),
        });
        for v in &s.values {
            let at = || s.value_location(file, v);
            let Some(sealed) = sealed_value(s, v, file)? else {
                if v.field == Field::Data && !matches!(v.state(), ValueState::Template) {
                    super::seal::plaintext_of(Field::Data, v.text()).map_err(|m| Error::input(at(), m))?;
                }
                continue;
            };
            let bind = binding(s, v.key, sealed.scope, default_namespace, at)?;
            jobs.push(Job {
                secret: s,
                value: v,
                sealed,
                binding: bind,
            });
        }
    }
    // Secret values holding SOPS ciphertext were refused above with their key; this catches the
    // rest of the file (a ConfigMap, a values file).
    super::sops::refuse_ciphertext(src, file)?;
    let opened: Vec<_> = {
        use rayon::prelude::*;
        super::progress::plan(jobs.len());
        jobs.par_iter()
            .map(|j| {
                let plain = j.sealed.open(identities, &j.binding);
                super::progress::done_one();
                plain
            })
            .collect()
    };
    let mut edits = Vec::with_capacity(jobs.len());
    for (j, plain) in jobs.iter().zip(opened) {
        let (s, v) = (j.secret, j.value);
        let plain = plain.map_err(|e| open_failed(s, v, &j.sealed, &j.binding, file, e))?;
        let rendered = render(v.field, &plain).map_err(|m| Error::crypto(s.value_location(file, v), m))?;
        edits.push(splice::replace_value(
            src,
            v.key_node,
            v.node,
            double_quoted(&rendered),
        ));
    }
    let opened = edits.len();
    // A Secret without a namespace was opened bound to `default_namespace` (`-n`, the rule's):
    // the output says so, or `open | kubectl apply` would put it in the context's namespace,
    // where its strict values were never meant to be.
    if let Some(ns) = default_namespace {
        for s in secrets.iter().filter(|s| s.namespace.is_none()) {
            if !jobs.iter().any(|j| std::ptr::eq(j.secret, s)) {
                continue;
            }
            edits.extend(namespace_edit(src, s, ns));
        }
    }
    // A KsealSecret opens to the Secret the controller would make of it: opened values never go
    // into a KsealSecret (whose readers RBAC may grant more widely than a Secret's).
    for s in secrets.iter().filter(|s| super::secret::is_kseal_secret(s.root)) {
        edits.extend(
            super::convert::kind_edits(src, s.root, super::convert::Kind::Secret)
                .into_iter()
                .flatten(),
        );
    }
    for shape in &mut shapes {
        if shape.namespace.is_none() {
            shape.namespace = default_namespace.map(str::to_string);
        }
    }
    Ok(Opened {
        text: splice::apply(src, edits),
        opened,
        secrets: shapes,
    })
}

/// The edit that writes `namespace: NS` into the metadata of `s`, a Secret that names none, in the
/// file's own style (a block entry, a flow entry, JSON); `None` where there is no metadata mapping
/// to add it to (an empty block `metadata:`).
pub(super) fn namespace_edit(src: &str, s: &Secret, ns: &str) -> Option<splice::Edit> {
    let metadata = s.root.get("metadata").filter(|m| m.entries().is_some())?;
    let empty_block = !metadata.is_flow_mapping() && metadata.entries().is_some_and(|e| e.is_empty());
    if empty_block {
        return None;
    }
    let (key, value) = if s.root.is_flow_mapping() {
        ("\"namespace\"".to_string(), double_quoted(ns))
    } else {
        ("namespace".to_string(), ns.to_string())
    };
    Some(splice::insert_entry(src, metadata, &key, &value))
}
