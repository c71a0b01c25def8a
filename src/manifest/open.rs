//! `open`: decrypt sealed values in place, rendering plain manifests.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use zeroize::Zeroizing;

use super::edit::{self, double_quoted};
use super::secret::{self, Field, Secret, SecretValue};
use super::{binding, parse};
use crate::crypto::sealed::{self, SealedValue};
use crate::crypto::Identity;
use crate::error::{Error, Location};

/// The result of opening one file.
pub struct Opened {
    pub text: Zeroizing<String>,
    pub opened: usize,
}

/// Opens one sealed value of a Secret, with errors that name where it is.
pub fn open_value(
    s: &Secret,
    v: &SecretValue,
    file: &Location,
    identities: &[Identity],
    default_namespace: Option<&str>,
) -> Result<(SealedValue, Zeroizing<Vec<u8>>), Error> {
    let at = || s.value_location(file, v);
    let value = SealedValue::parse(v.text())
        .map_err(|e| Error::crypto(at(), format!("malformed sealed value: {e}")))?;
    let bind = binding(s, v.key, value.scope, default_namespace, at)?;
    let plain = value
        .open(identities, &bind)
        .map_err(|e| Error::crypto(at(), e.to_string()))?;
    Ok((value, plain))
}

/// Opens every sealed value in `src`; plaintext values and other documents pass through. Fails
/// on the first value that does not open, so that no partial output is ever produced.
pub fn open(
    src: &str,
    file: &Location,
    identities: &[Identity],
    default_namespace: Option<&str>,
) -> Result<Opened, Error> {
    let docs = parse(src, file)?;
    let secrets = secret::find_secrets(&docs, file)?;
    let mut edits = Vec::new();
    for s in &secrets {
        for v in &s.values {
            let text = v.text();
            if !sealed::is_sealed(text) {
                continue;
            }
            let (_, plain) = open_value(s, v, file, identities, default_namespace)?;
            let rendered = match v.field {
                Field::Data => Zeroizing::new(STANDARD.encode(plain.as_slice())),
                Field::StringData => match std::str::from_utf8(&plain) {
                    Ok(s) => Zeroizing::new(s.to_string()),
                    Err(_) => return Err(Error::crypto(s.value_location(file, v), "the opened value is not UTF-8 text, which stringData requires; seal binary values under data")),
                },
            };
            edits.push(edit::replace_value(
                src,
                v.key_node,
                v.node,
                double_quoted(&rendered),
            ));
        }
    }
    let opened = edits.len();
    Ok(Opened {
        text: edit::apply(src, edits),
        opened,
    })
}
