//! `edit`: the sealed file read once into a plain rendering ([`prepare`]), and the edited rendering
//! merged back into it ([`merge`]). Values the
//! user did not change get their original bytes back (the same ciphertext, so the diff shows
//! nothing); changed and added values are sealed; removed keys stay removed.

use std::collections::{BTreeSet, HashMap};

use granit_parser::ScalarStyle;
use zeroize::Zeroizing;

use super::open::{open_value, render, sealed_value};
use super::seal::{plaintext_of, styled};
use super::secret::{self, written_form, Field, Secret, ValueState};
use super::splice::{self, double_quoted, value_range};
use super::{binding, parse, seal_error};
use crate::crypto::sealed;
use crate::crypto::{Identity, Kid, Scope};
use crate::error::{Error, Location};
use crate::policy::Policy;

/// The result of a merge.
pub struct Merged {
    /// The plain rendering the user edits.
    pub text: Zeroizing<String>,
    /// Values sealed because they changed or were added.
    pub sealed: usize,
    /// Values that kept their original bytes.
    pub kept: usize,
}

/// What one original value was: its exact source text and what it stands for.
struct Original {
    /// May be a plaintext value of the original, hence zeroized.
    raw: Zeroizing<String>,
    plain: Zeroizing<Vec<u8>>,
    scope: Option<Scope>,
    style: Option<ScalarStyle>,
}

/// A Secret is matched across the edit by namespace, name and how many Secrets with that
/// namespace and name came before it. A renamed Secret matches nothing, so all its values are
/// sealed anew: their old bindings would not open under the new name.
type SecretId = (Option<String>, Option<String>, usize);

/// One original Secret: the scope of its first sealed value, and its values by field and key.
struct OriginalSecret {
    scope: Option<Scope>,
    values: HashMap<(Field, String), Original>,
}

fn ids<'a>(secrets: &'a [Secret<'a>]) -> Vec<SecretId> {
    let mut seen: HashMap<(Option<&str>, Option<&str>), usize> = HashMap::new();
    secrets
        .iter()
        .map(|s| {
            let n = seen.entry((s.namespace, s.name)).or_default();
            *n += 1;
            (s.namespace.map(str::to_string), s.name.map(str::to_string), *n)
        })
        .collect()
}

/// The sealed file, read once for `edit`: the plain rendering the user edits, and what every
/// original value was (its exact bytes and its plaintext), so that the merge neither parses the
/// original again nor decrypts any value twice.
pub struct Prepared {
    /// The plain rendering (what `open` prints).
    pub opened: Zeroizing<String>,
    /// The kids the file's values are sealed to.
    pub kids: BTreeSet<Kid>,
    /// The namespace the values were opened with, for Secrets without `metadata.namespace`.
    namespace: Option<String>,
    originals: HashMap<SecretId, OriginalSecret>,
}

/// Parses `original` once and opens each sealed value once.
pub fn prepare(
    original: &str,
    file: &Location,
    identities: &[Identity],
    default_ns: Option<&str>,
) -> Result<Prepared, Error> {
    let orig_docs = parse(original, file)?;
    let orig_secrets = secret::find_secrets(&orig_docs, file)?;
    let mut originals: HashMap<SecretId, OriginalSecret> = HashMap::new();
    let mut kids = BTreeSet::new();
    let mut edits = Vec::new();
    for (s, id) in orig_secrets.iter().zip(ids(&orig_secrets)) {
        let mut values = HashMap::new();
        let mut first_scope = None;
        for v in &s.values {
            if matches!(v.state(), ValueState::Foreign(_) | ValueState::Template) {
                continue;
            }
            let (plain, scope) = if let Some(value) = sealed_value(s, v, file)? {
                let plain = open_value(s, v, &value, file, identities, default_ns)?;
                let rendered =
                    render(v.field, &plain).map_err(|m| Error::crypto(s.value_location(file, v), m))?;
                edits.push(splice::replace_value(
                    original,
                    v.key_node,
                    v.node,
                    double_quoted(&rendered),
                ));
                kids.extend(value.kids());
                first_scope.get_or_insert(value.scope);
                (plain, Some(value.scope))
            } else {
                match plaintext_of(v.field, v.text()) {
                    Ok(p) => (p, None),
                    Err(_) => continue,
                }
            };
            let (start, end, _) = value_range(original, v.key_node, v.node);
            values.insert(
                (v.field, v.key.to_string()),
                Original {
                    raw: Zeroizing::new(original[start..end].to_string()),
                    plain,
                    scope,
                    style: v.node.style(),
                },
            );
        }
        originals.insert(
            id,
            OriginalSecret {
                scope: first_scope,
                values,
            },
        );
    }
    Ok(Prepared {
        opened: splice::apply(original, edits),
        kids,
        namespace: default_ns.map(str::to_string),
        originals,
    })
}

/// Merges `edited` (the user's version of the opened file) into the original it was prepared
/// from. `edited_at` names the edited text in errors.
pub fn merge(
    prepared: &Prepared,
    edited: &str,
    edited_at: &Location,
    policy: &Policy,
) -> Result<Merged, Error> {
    // New values are bound where the old ones were opened, unless the policy names a namespace.
    let default_ns = policy.namespace.as_deref().or(prepared.namespace.as_deref());
    let originals = &prepared.originals;
    let docs = parse(edited, edited_at)?;
    let secrets = secret::find_secrets(&docs, edited_at)?;
    let mut out = Merged {
        text: Zeroizing::new(String::new()),
        sealed: 0,
        kept: 0,
    };
    let mut edits = Vec::new();
    for (s, id) in secrets.iter().zip(ids(&secrets)) {
        let matched = originals.get(&id);
        let secret_scope = matched.and_then(|o| o.scope);
        let values = matched.map(|o| &o.values);
        for v in &s.values {
            let at = || s.value_location(edited_at, v);
            if matches!(v.state(), ValueState::Foreign(_) | ValueState::Template)
                || sealed_value(s, v, edited_at)?.is_some()
            {
                out.kept += 1;
                continue;
            }
            let plain = plaintext_of(v.field, v.text()).map_err(|m| Error::input(at(), m))?;
            let before = values.and_then(|m| m.get(&(v.field, v.key.to_string())));
            if let Some(o) = before.filter(|o| o.plain == plain) {
                edits.push(splice::replace_value(
                    edited,
                    v.key_node,
                    v.node,
                    o.raw.to_string(),
                ));
                out.kept += 1;
                continue;
            }
            let scope = before
                .and_then(|o| o.scope)
                .or(secret_scope)
                .unwrap_or(policy.scope);
            let bind = binding(s, v.key, scope, default_ns, at)?;
            let new = written_form(
                v.field,
                sealed::seal(&plain, &policy.recipients, scope, &bind).map_err(seal_error)?,
            );
            let in_flow = s.field_map(v.field).is_some_and(|m| m.is_flow_mapping());
            let style = match before {
                Some(o) => o.style,
                None if in_flow => Some(ScalarStyle::DoubleQuoted),
                None => None,
            };
            edits.push(splice::replace_value(
                edited,
                v.key_node,
                v.node,
                styled(new, style),
            ));
            out.sealed += 1;
        }
    }
    out.text = splice::apply(edited, edits);
    Ok(out)
}
