//! Views of sealed files for people: `textconv` (what `git diff` shows) and `ls` (which Secrets
//! are sealed to which keys). Neither needs a private key, and neither ever shows a value.

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};

use super::open::sealed_value;
use super::parse;
use super::secret::{self, ValueState};
use crate::crypto::sealed::{self, SealedValue};
use crate::crypto::Kid;
use crate::error::{Error, Location};

/// Characters a sealed value is made of: the prefix, scope names, hex kids, standard base64 and `:`.
fn is_sealed_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b':')
}

/// Whether a byte can continue a token of one of the two written forms.
type TokenChar = fn(u8) -> bool;

/// Characters of standard base64: a sealed value as written under `data`.
fn is_base64_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

/// `<sealed kid=… scope=… sha256:…>` for one sealed value as written (the string, or under `data`
/// its base64): what changed shows as a different hash (a re-sealed value always does, because
/// sealing is randomised), the value never shows.
pub fn placeholder(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let hash = hex::encode(&digest[..4]);
    let parsed = if sealed::is_kseal(token) {
        SealedValue::parse(token)
    } else {
        SealedValue::parse_data(token)
    };
    match parsed {
        Ok(v) => {
            let kids: Vec<String> = v.kids().iter().map(Kid::to_string).collect();
            format!("<sealed kid={} scope={} sha256:{hash}>", kids.join(","), v.scope)
        }
        Err(_) => format!("<sealed malformed sha256:{hash}>"),
    }
}

/// Replaces every sealed value in `text` (both forms) by its [`placeholder`]. This works on bytes,
/// not on a parsed manifest, because git runs textconv on whatever a `*.yaml` file holds (Helm
/// templates, half-edited files, other encodings), and a diff must still be shown for those.
pub fn textconv(text: &[u8]) -> Vec<u8> {
    let mut starts: Vec<(usize, TokenChar)> = memchr::memmem::find_iter(text, sealed::MARKER.as_bytes())
        .map(|i| (i, is_sealed_char as TokenChar))
        .chain(
            memchr::memmem::find_iter(text, sealed::DATA_MARKER.as_bytes())
                // Only at the start of a token: inside other base64 it is a coincidence.
                .filter(|&i| i == 0 || !is_base64_char(text[i - 1]))
                .map(|i| (i, is_base64_char as TokenChar)),
        )
        .collect();
    starts.sort_by_key(|(i, _)| *i);
    let mut out = Vec::with_capacity(text.len());
    let mut copied = 0;
    for (start, in_token) in starts {
        if start < copied {
            continue;
        }
        let end = start + text[start..].iter().take_while(|&&b| in_token(b)).count();
        out.extend_from_slice(&text[copied..start]);
        // The token is ASCII by construction.
        let token = std::str::from_utf8(&text[start..end]).expect("sealed characters are ASCII");
        out.extend_from_slice(placeholder(token).as_bytes());
        copied = end;
    }
    out.extend_from_slice(&text[copied..]);
    out
}

/// One Secret with at least one sealed value, as `ls` lists it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Listed {
    /// The document's number.
    pub document: usize,
    /// The Secret's namespace.
    pub namespace: Option<String>,
    /// Its name.
    pub name: Option<String>,
    /// `data.KEY` / `stringData.KEY` of the sealed values.
    pub sealed: Vec<String>,
    /// Keys whose values are still plaintext.
    pub plaintext: Vec<String>,
    /// The scopes its values are sealed with.
    pub scopes: BTreeSet<String>,
    /// The key ids they are sealed for.
    pub kids: BTreeSet<String>,
}

impl Listed {
    /// Whether a value is sealed for `kid`.
    pub fn has_kid(&self, kid: Kid) -> bool {
        self.kids.contains(&kid.to_string())
    }
}

/// Every Secret of `src` that holds at least one sealed value. A malformed sealed value is an error
/// (as in `verify`), so that an inventory never silently skips one.
pub fn list(src: &str, file: &Location) -> Result<Vec<Listed>, Error> {
    let docs = parse(src, file)?;
    let mut out = Vec::new();
    for s in secret::find_secrets(&docs, file)? {
        let mut item = Listed {
            document: s.document,
            namespace: s.namespace.map(str::to_string),
            name: s.name.map(str::to_string),
            sealed: Vec::new(),
            plaintext: Vec::new(),
            scopes: BTreeSet::new(),
            kids: BTreeSet::new(),
        };
        for v in &s.values {
            if matches!(v.state(), ValueState::Foreign(_) | ValueState::Template) {
                continue;
            }
            let Some(value) = sealed_value(&s, v, file)? else {
                item.plaintext.push(v.path());
                continue;
            };
            item.sealed.push(v.path());
            item.scopes.insert(value.scope.as_str().to_string());
            item.kids.extend(value.kids().iter().map(Kid::to_string));
        }
        if !item.sealed.is_empty() {
            out.push(item);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{Binding, Identity, Scope};
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;

    fn sealed_value() -> (String, Kid) {
        let id = Identity::generate();
        let bind = Binding {
            namespace: "ns",
            name: "db",
            key: "password",
        };
        let v = sealed::seal(
            b"hunter2",
            std::slice::from_ref(id.recipient()),
            Scope::Strict,
            &bind,
        )
        .unwrap();
        (v, id.kid())
    }

    #[test]
    fn textconv_replaces_each_sealed_value_and_nothing_else() {
        let (v, kid) = sealed_value();
        let d = STANDARD.encode(&v);
        let text = format!("a: 1\nb: {v}\nc: \"{v}\"\nd: {d}\n# kseal:v1:oops\n");
        let out = String::from_utf8(textconv(text.as_bytes())).unwrap();
        let ph = placeholder(&v);
        let phd = placeholder(&d);
        assert_eq!(
            out,
            format!(
                "a: 1\nb: {ph}\nc: \"{ph}\"\nd: {phd}\n# {}\n",
                placeholder("kseal:v1:oops")
            )
        );
        assert!(ph.starts_with(&format!("<sealed kid={kid} scope=strict sha256:")));
        assert!(phd.starts_with(&format!("<sealed kid={kid} scope=strict sha256:")));
        assert!(!out.contains(&v) && !out.contains(&d));
        assert!(placeholder("kseal:v1:oops").starts_with("<sealed malformed sha256:"));
    }

    #[test]
    fn placeholder_hash_changes_with_the_value() {
        let (a, _) = sealed_value();
        let (b, _) = sealed_value();
        assert_eq!(placeholder(&a), placeholder(&a));
        assert_ne!(placeholder(&a), placeholder(&b));
    }
}
