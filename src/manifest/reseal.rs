//! `reseal`: key rotation. Sealed values are opened with the old identities and sealed again to
//! the current recipients, with the same scope and binding. Values already sealed to exactly the
//! current recipients stay byte-identical, so a second run changes nothing.

use std::collections::BTreeSet;

use super::edit;
use super::open::open_value;
use super::seal::styled;
use super::{binding, parse, secret};
use crate::crypto::sealed::{self, SealedValue};
use crate::crypto::{Identity, Kid, Recipient};
use crate::error::{Error, Location};

/// The result of resealing one file.
pub struct Resealed {
    pub text: zeroize::Zeroizing<String>,
    /// Values sealed again (or, without identities, values that would be).
    pub resealed: usize,
    /// Values already sealed to exactly the current recipients.
    pub unchanged: usize,
    /// Plaintext values, left alone (`seal` is the command for those).
    pub plaintext: usize,
}

/// Reseals every sealed value of `src` whose recipients differ from `recipients`. With
/// `identities` = `None` nothing is opened and the text is returned as it was: the counts say
/// what a real run would do (`reseal --check`, which needs no private key).
pub fn reseal(
    src: &str,
    file: &Location,
    identities: Option<&[Identity]>,
    recipients: &[Recipient],
    default_namespace: Option<&str>,
) -> Result<Resealed, Error> {
    let want: BTreeSet<Kid> = recipients.iter().map(Recipient::kid).collect();
    let docs = parse(src, file)?;
    let mut out = Resealed {
        text: zeroize::Zeroizing::new(String::new()),
        resealed: 0,
        unchanged: 0,
        plaintext: 0,
    };
    let mut edits = Vec::new();
    for s in &secret::find_secrets(&docs, file)? {
        for v in &s.values {
            if !sealed::is_sealed(v.text()) {
                out.plaintext += 1;
                continue;
            }
            let at = || s.value_location(file, v);
            let parsed = SealedValue::parse(v.text())
                .map_err(|e| Error::crypto(at(), format!("malformed sealed value: {e}")))?;
            if parsed.kids().into_iter().collect::<BTreeSet<_>>() == want {
                out.unchanged += 1;
                continue;
            }
            out.resealed += 1;
            let Some(identities) = identities else {
                continue;
            };
            let (value, plain) = open_value(s, v, file, identities, default_namespace)?;
            let bind = binding(s, v.key, value.scope, default_namespace, at)?;
            let new = sealed::seal(&plain, recipients, value.scope, &bind);
            edits.push(edit::replace_value(
                src,
                v.key_node,
                v.node,
                styled(new, v.node.style()),
            ));
        }
    }
    out.text = edit::apply(src, edits);
    Ok(out)
}
