//! `edit`'s second half: merging an edited plain rendering back into the sealed file. Values the
//! user did not change get their original bytes back (the same ciphertext, so the diff shows
//! nothing); changed and added values are sealed; removed keys stay removed.

use std::collections::HashMap;

use granit_parser::ScalarStyle;
use zeroize::Zeroizing;

use super::edit::{self, value_range};
use super::open::{open_value, sealed_value};
use super::seal::{plaintext_of, styled};
use super::secret::{self, written_form, Field, Secret, ValueState};
use super::{binding, parse, seal_error, Policy};
use crate::crypto::sealed;
use crate::crypto::{Identity, Scope};
use crate::error::{Error, Location};

/// The result of a merge.
pub struct Merged {
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

/// Merges `edited` (the user's version of the opened file) into `original` (the sealed file).
/// `edited_at` names the edited text in errors.
pub fn merge(
    original: &str,
    file: &Location,
    edited: &str,
    edited_at: &Location,
    identities: &[Identity],
    policy: &Policy,
) -> Result<Merged, Error> {
    let default_ns = policy.namespace.as_deref();
    let orig_docs = parse(original, file)?;
    let orig_secrets = secret::find_secrets(&orig_docs, file)?;
    let mut originals: HashMap<SecretId, OriginalSecret> = HashMap::new();
    for (s, id) in orig_secrets.iter().zip(ids(&orig_secrets)) {
        let mut values = HashMap::new();
        let mut first_scope = None;
        for v in &s.values {
            if matches!(v.state(), ValueState::Foreign(_)) {
                continue;
            }
            let (plain, scope) = if let Some(value) = sealed_value(s, v, file)? {
                let plain = open_value(s, v, &value, file, identities, default_ns)?;
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
            if matches!(v.state(), ValueState::Foreign(_)) || sealed_value(s, v, edited_at)?.is_some() {
                out.kept += 1;
                continue;
            }
            let plain = plaintext_of(v.field, v.text()).map_err(|m| Error::input(at(), m))?;
            let before = values.and_then(|m| m.get(&(v.field, v.key.to_string())));
            if let Some(o) = before.filter(|o| o.plain == plain) {
                edits.push(edit::replace_value(edited, v.key_node, v.node, o.raw.to_string()));
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
            edits.push(edit::replace_value(
                edited,
                v.key_node,
                v.node,
                styled(new, style),
            ));
            out.sealed += 1;
        }
    }
    out.text = edit::apply(edited, edits);
    Ok(out)
}
