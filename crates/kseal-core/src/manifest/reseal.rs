//! `reseal`: key rotation. Sealed values are opened with the old identities and sealed again to
//! the current recipients, with the same scope and binding. Values already sealed to exactly the
//! current recipients stay byte-identical, so a second run changes nothing.

use std::collections::BTreeSet;

use super::open::sealed_value;
use super::seal::{applied_binding, styled, AppliedAs};
use super::secret::{written_form, ValueState};
use super::splice;
use super::{parse, seal_error, secret};
use crate::crypto::sealed::{self, SealedValue};
use crate::crypto::{Binding, Identity, Kid, Recipient};
use crate::error::{Error, Location};

/// The result of resealing one file.
pub struct Resealed {
    /// The whole file, resealed.
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
    reseal_applied_as(src, file, identities, recipients, default_namespace, &[])
}

/// Like [`reseal`], for the Secrets listed in `applied` opening and sealing for the namespace and
/// name they are applied as (see [`super::seal::AppliedAs`]).
pub fn reseal_applied_as(
    src: &str,
    file: &Location,
    identities: Option<&[Identity]>,
    recipients: &[Recipient],
    default_namespace: Option<&str>,
    applied: &[AppliedAs],
) -> Result<Resealed, Error> {
    let want: BTreeSet<Kid> = recipients.iter().map(Recipient::kid).collect();
    let docs = parse(src, file)?;
    let mut out = Resealed {
        text: zeroize::Zeroizing::new(String::new()),
        resealed: 0,
        unchanged: 0,
        plaintext: 0,
    };
    let secrets = secret::find_secrets(&docs, file)?;
    // (value, its sealed form, its binding): opened and sealed again in parallel below.
    let mut jobs: Vec<(&secret::SecretValue, SealedValue, Binding, &secret::Secret)> = Vec::new();
    for s in &secrets {
        for v in &s.values {
            if matches!(
                v.state(),
                ValueState::Plain | ValueState::Foreign(_) | ValueState::Template
            ) {
                out.plaintext += 1;
                continue;
            }
            let parsed = sealed_value(s, v, file)?.expect("a sealed state");
            if parsed.kids().into_iter().collect::<BTreeSet<_>>() == want {
                out.unchanged += 1;
                continue;
            }
            out.resealed += 1;
            let bind = applied_binding(applied, s, v.key, parsed.scope, default_namespace, || {
                s.value_location(file, v)
            })?;
            jobs.push((v, parsed, bind, s));
        }
    }
    let Some(identities) = identities else {
        out.text = zeroize::Zeroizing::new(src.to_string());
        return Ok(out);
    };
    let results: Vec<Result<String, Error>> = {
        use rayon::prelude::*;
        jobs.par_iter()
            .map(|(v, parsed, bind, s)| {
                let plain = parsed
                    .open(identities, bind)
                    .map_err(|e| super::open::open_failed(s, v, parsed, bind, file, e))?;
                sealed::seal(&plain, recipients, parsed.scope, bind).map_err(seal_error)
            })
            .collect()
    };
    let mut edits = Vec::with_capacity(jobs.len());
    for ((v, ..), new) in jobs.iter().zip(results) {
        edits.push(splice::replace_value(
            src,
            v.key_node,
            v.node,
            styled(written_form(v.field, new?), v.node.style()),
        ));
    }
    out.text = splice::apply(src, edits);
    Ok(out)
}
