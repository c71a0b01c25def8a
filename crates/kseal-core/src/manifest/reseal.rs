//! `reseal`: key rotation, upgrade and repair. Sealed values are opened with the old identities
//! and sealed again to the current recipients, with the same scope, as format v3, for where they
//! are applied (a value sealed for another place is found there by its tag and moved). Values
//! already sealed to exactly the current recipients, as v3, for where they are, stay
//! byte-identical, so a second run changes nothing.

use std::collections::BTreeSet;

use super::open::sealed_value;
use super::seal::{applied_binding, styled, AppliedAs};
use super::secret::{written_form, ValueState};
use super::splice;
use super::{binding, parse, seal_error, secret};
use crate::crypto::sealed::{self, SealedValue};
use crate::crypto::{Binding, Identity, Kid, Recipient, Scope};
use crate::error::{Error, Location};

/// The result of resealing one file.
pub struct Resealed {
    /// The whole file, resealed.
    pub text: zeroize::Zeroizing<String>,
    /// Values sealed again (or, without identities, values that would be).
    pub resealed: usize,
    /// Of those, version 2 values rewritten as version 3.
    pub upgraded: usize,
    /// Of those, values that were sealed for another place than where they are applied (their
    /// old binding found among the candidates by its tag), now sealed for where they land.
    pub repaired: usize,
    /// Values already sealed to exactly the current recipients, as v3, for where they are.
    pub unchanged: usize,
    /// Plaintext values, left alone (`seal` is the command for those).
    pub plaintext: usize,
}

/// Reseals every sealed value of `src` whose recipients differ from `recipients`, or that is in
/// format v2. With `identities` = `None` nothing is opened and the text is returned as it was:
/// the counts say what a real run would do (`reseal --check`, which needs no private key).
pub fn reseal(
    src: &str,
    file: &Location,
    identities: Option<&[Identity]>,
    recipients: &[Recipient],
    default_namespace: Option<&str>,
) -> Result<Resealed, Error> {
    let target = Target {
        recipients,
        default_namespace,
        ..Target::default()
    };
    reseal_applied_as(src, file, identities, &target)
}

/// What values are resealed for.
#[derive(Clone, Copy, Debug, Default)]
pub struct Target<'a> {
    /// The recipients to seal to.
    pub recipients: &'a [Recipient],
    /// The namespace of Secrets that name none (`-n`, the rule's).
    pub default_namespace: Option<&'a str>,
    /// A scope to seal with instead of each value's own (`reseal --scope`: a strict value that
    /// two overlays apply under two names, moved to namespace scope).
    pub scope: Option<Scope>,
    /// How the Secrets are applied (see [`super::seal::AppliedAs`]).
    pub applied: &'a [AppliedAs],
    /// The namespace and name other entries render the Secrets as: where a value may have been
    /// sealed for.
    pub elsewhere: &'a [(Option<String>, String)],
}

/// One value to open and seal again: where it was sealed for (`from`; `None` for a v2 value,
/// whose binding only opening can tell: each of `tries` in turn) and where it goes (`to`).
struct Job<'a> {
    value: &'a secret::SecretValue<'a>,
    secret: &'a secret::Secret<'a>,
    parsed: SealedValue,
    to: Binding<'a>,
    /// The scope it is sealed with (its own, or `reseal --scope`'s).
    scope: Scope,
    tries: Vec<Binding<'a>>,
}

/// Like [`reseal`], for the Secrets listed in `target.applied` opening and sealing for the
/// namespace and name they are applied as. A value sealed for another place is repaired: its old
/// binding is found by its tag among the file's own identity and `target.elsewhere`, opened
/// there and sealed for where it is applied.
pub fn reseal_applied_as(
    src: &str,
    file: &Location,
    identities: Option<&[Identity]>,
    target: &Target,
) -> Result<Resealed, Error> {
    let want: BTreeSet<Kid> = target.recipients.iter().map(Recipient::kid).collect();
    let docs = parse(src, file)?;
    let mut out = Resealed {
        text: zeroize::Zeroizing::new(String::new()),
        resealed: 0,
        upgraded: 0,
        repaired: 0,
        unchanged: 0,
        plaintext: 0,
    };
    let secrets = secret::find_secrets(&docs, file)?;
    let mut jobs: Vec<Job> = Vec::new();
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
            let plan = Plan {
                file,
                want: &want,
                target,
            };
            if let Some(job) = plan.job(s, v, parsed, &mut out)? {
                jobs.push(job);
            }
        }
    }
    let Some(identities) = identities else {
        out.text = zeroize::Zeroizing::new(src.to_string());
        return Ok(out);
    };
    let results: Vec<Result<String, Error>> = {
        use rayon::prelude::*;
        super::progress::plan(jobs.len());
        jobs.par_iter()
            .map(|j| {
                let resealed = open_somewhere(j, identities, file).and_then(|plain| {
                    sealed::seal(&plain, target.recipients, j.scope, &j.to).map_err(seal_error)
                });
                super::progress::done_one();
                resealed
            })
            .collect()
    };
    let mut edits = Vec::with_capacity(jobs.len());
    for (j, new) in jobs.iter().zip(results) {
        let v = j.value;
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

/// What decides whether and how a value is resealed.
struct Plan<'p> {
    file: &'p Location,
    want: &'p BTreeSet<Kid>,
    target: &'p Target<'p>,
}

impl<'p> Plan<'p> {
    /// The job for one sealed value, `None` if it stays as it is; counted in `out`.
    fn job<'a>(
        &self,
        s: &'a secret::Secret<'a>,
        v: &'a secret::SecretValue<'a>,
        parsed: SealedValue,
        out: &mut Resealed,
    ) -> Result<Option<Job<'a>>, Error>
    where
        'p: 'a,
    {
        let at = || s.value_location(self.file, v);
        let t = self.target;
        let ns = t.default_namespace;
        let scope = t.scope.unwrap_or(parsed.scope);
        let to = applied_binding(t.applied, s, v.key, scope, ns, at)?;
        let same_keys = parsed.kids().into_iter().collect::<BTreeSet<_>>() == *self.want;
        if same_keys && scope == parsed.scope && parsed.bound_to(&to) == Some(true) {
            out.unchanged += 1;
            return Ok(None);
        }
        out.resealed += 1;
        // Where it may have been sealed for (at its own scope): where it is applied, the file's
        // own identity, and every identity another entry renders the Secret as.
        let here = applied_binding(t.applied, s, v.key, parsed.scope, ns, at)?;
        let mut tries = vec![here];
        tries.extend(binding(s, v.key, parsed.scope, ns, at).ok());
        for (other_ns, name) in t.elsewhere {
            let other_ns = other_ns.as_deref().or(ns).unwrap_or("");
            tries.extend(super::bind(other_ns, name, v.key, parsed.scope, at).ok());
        }
        match parsed.bound_to(&here) {
            None => out.upgraded += 1,
            Some(false) => {
                let Some(from) = super::sealed_for_among(&parsed, tries.iter().copied()) else {
                    let places: Vec<String> = tries.iter().map(|b| b.describe(parsed.scope)).collect();
                    return Err(Error::crypto(
                        at(),
                        format!(
                            "sealed for another place than {}, and for none of {}: open it with `kseal open` \
                             where it was sealed for, or seal the value again",
                            here.describe(parsed.scope),
                            places.join("; ")
                        ),
                    ));
                };
                tries = vec![from];
                out.repaired += 1;
            }
            Some(true) => {}
        }
        Ok(Some(Job {
            value: v,
            secret: s,
            parsed,
            to,
            scope,
            tries,
        }))
    }
}

/// Opens a job's value at the first of its bindings that opens it (a v3 value has one: the one
/// its tag names; a v2 value is tried at each). The error is the one for where it goes.
fn open_somewhere(
    j: &Job,
    identities: &[Identity],
    file: &Location,
) -> Result<zeroize::Zeroizing<Vec<u8>>, Error> {
    let mut first = None;
    for b in &j.tries {
        match j.parsed.open(identities, b) {
            Ok(plain) => return Ok(plain),
            Err(e) => {
                first.get_or_insert(e);
            }
        }
    }
    let e = first.expect("a job has at least one binding to try");
    Err(super::open::open_failed(
        j.secret, j.value, &j.parsed, &j.to, file, e,
    ))
}
