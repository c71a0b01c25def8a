//! Kubernetes manifests: reading YAML/JSON streams with byte spans, finding Secrets, and the
//! format-preserving operations on them (seal, open, verify, set). Every operation returns the
//! new text of the whole file; only the bytes of the values it changes differ from the input.

pub mod chart;
pub mod convert;
pub mod edit;
pub mod krm;
pub mod open;
pub mod progress;
pub mod reseal;
pub mod seal;
pub mod sealedsecret;
pub mod secret;
pub mod sops;
pub(crate) mod splice;
pub mod tree;
pub mod verify;
pub mod views;
pub mod yaml11;

use crate::crypto::{Binding, Scope};
use crate::error::{Error, Location};
use secret::Secret;
use tree::Document;

/// Parses a manifest stream for the Secret commands, turning parser errors into input errors at
/// `file`. Every document is checked, but only Secrets and Lists keep their tree: a 100 MB stream
/// of rendered manifests does not have to fit in memory as nodes.
pub fn parse(src: &str, file: &Location) -> Result<Vec<Document>, Error> {
    tree::parse_keeping(src, secret::may_hold_secrets)
        .map_err(|e| Error::input(file.clone().at(e.line, e.col), e.message))
}

/// Like [`parse`], keeping every document's tree.
pub fn parse_all(src: &str, file: &Location) -> Result<Vec<Document>, Error> {
    tree::parse(src).map_err(|e| Error::input(file.clone().at(e.line, e.col), e.message))
}

/// Whether any Secret in `src` holds a kseal value (well formed or not): the commands that open
/// ask for a key only then. A text search would not do: `image: kseal:0.1` is not a sealed value.
/// A file that does not parse holds none: opening it reports the parse error, which is the one to
/// fix first.
pub fn holds_sealed_values(src: &str) -> bool {
    let file = Location::file("-");
    let Ok(docs) = parse(src, &file) else {
        return false;
    };
    let Ok(secrets) = secret::find_secrets(&docs, &file) else {
        return false;
    };
    secrets.iter().flat_map(|s| &s.values).any(|v| {
        matches!(
            v.state(),
            secret::ValueState::Sealed(_) | secret::ValueState::Malformed(_)
        )
    })
}

/// Which of `candidates` a version 3 value is bound to, by its tag: how a message names where a
/// value sealed for another place was sealed for, and how `reseal -k` finds a mis-bound value's
/// old binding. `None` for version 2 (no tag) or when none matches.
pub fn sealed_for_among<'a>(
    value: &crate::crypto::SealedValue,
    candidates: impl IntoIterator<Item = Binding<'a>>,
) -> Option<Binding<'a>> {
    candidates.into_iter().find(|b| value.bound_to(b) == Some(true))
}

/// Zeroizes every string of a JSON value (keys too): what is left of opened Secret values in a
/// `serde_json::Value` when it is done with (serde_json frees its strings as they are).
pub fn zeroize_json(v: &mut serde_json::Value) {
    use zeroize::Zeroize;
    match v {
        serde_json::Value::String(s) => s.zeroize(),
        serde_json::Value::Array(items) => items.iter_mut().for_each(zeroize_json),
        serde_json::Value::Object(map) => {
            // Keys cannot be borrowed mutably in place: the map is emptied and each taken.
            for (mut k, mut item) in std::mem::take(map) {
                zeroize_json(&mut item);
                k.zeroize();
            }
        }
        _ => {}
    }
}

/// A JSON value that may hold opened Secret values (a ResourceList, an object `apply` sends or
/// the API server's answer): zeroized when dropped (issue 36).
pub struct ZeroizingJson(pub serde_json::Value);

impl std::ops::Deref for ZeroizingJson {
    type Target = serde_json::Value;

    fn deref(&self) -> &serde_json::Value {
        &self.0
    }
}

impl std::ops::DerefMut for ZeroizingJson {
    fn deref_mut(&mut self) -> &mut serde_json::Value {
        &mut self.0
    }
}

impl Drop for ZeroizingJson {
    fn drop(&mut self) {
        zeroize_json(&mut self.0);
    }
}

/// A value that could not be sealed: the recipients were refused (they are checked when read, so
/// this is a usage error, never a panic).
pub fn seal_error(e: crate::crypto::sealed::SealError) -> Error {
    Error::usage(format!("cannot seal: {e}")).with_source(e)
}

/// Decodes input bytes as UTF-8, with the position of the first bad byte.
pub fn decode(bytes: Vec<u8>, file: &Location) -> Result<zeroize::Zeroizing<String>, Error> {
    tree::decode_utf8(bytes).map_err(|e| Error::input(file.clone().at(e.line, e.col), e.message))
}

/// The binding of one value: the namespace is `metadata.namespace`, else `default_namespace`
/// (from `-n` or `.kseal.yaml`), and is required by strict and namespace scope.
/// `at` names the value in errors.
pub fn binding<'a>(
    secret: &'a Secret,
    key: &'a str,
    scope: Scope,
    default_namespace: Option<&'a str>,
    at: impl Fn() -> Location,
) -> Result<Binding<'a>, Error> {
    let namespace = secret.namespace.or(default_namespace).unwrap_or("");
    bind(namespace, secret.name.unwrap_or(""), key, scope, at)
}

/// The cause of a binding error when a scope needs a namespace and none is known: callers that
/// know where else one can come from (a Helm post-renderer's arguments, a plugin's config) find it
/// with [`needs_namespace`] and add that to the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0} scope needs a namespace")]
pub struct NeedsNamespace(pub Scope);

/// Whether `e` is a binding that failed for want of a namespace.
pub fn needs_namespace(e: &Error) -> bool {
    std::error::Error::source(e).is_some_and(|s| s.is::<NeedsNamespace>())
}

/// The binding of a value for `namespace`/`name`/`key`, checked as the API server would check
/// them, with what `scope` needs (`""`: not known). `at` names the value in errors.
pub fn bind<'a>(
    namespace: &'a str,
    name: &'a str,
    key: &'a str,
    scope: Scope,
    at: impl Fn() -> Location,
) -> Result<Binding<'a>, Error> {
    if let Err(e) = secret::check_key_name(key) {
        return Err(Error::input(at(), e.to_string()).with_source(e));
    }
    if scope.needs_namespace() {
        if namespace.is_empty() {
            let cause = NeedsNamespace(scope);
            return Err(Error::input(
                at(),
                format!(
                    "{cause}: set metadata.namespace, pass -n/--namespace, \
                     or add `namespace:` to the matching rule in .kseal.yaml"
                ),
            )
            .with_source(cause));
        }
        if !secret::check_dns_label(namespace) {
            return Err(Error::input(
                at(),
                format!("namespace `{namespace}` is not a valid DNS label"),
            ));
        }
    }
    if scope == Scope::Strict {
        if name.is_empty() {
            return Err(Error::input(at(), "strict scope needs metadata.name"));
        }
        if !secret::check_dns_subdomain(name) {
            return Err(Error::input(
                at(),
                format!("Secret name `{name}` is not a valid DNS subdomain"),
            ));
        }
    }
    Ok(Binding { namespace, name, key })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every string of an opened object is wiped, in arrays and maps, keys included.
    #[test]
    fn zeroize_json_wipes_every_string() {
        let mut v = serde_json::json!({
            "data": {"password": "aHVudGVyMg=="},
            "list": ["hunter2", {"token": "t0k"}],
            "n": 1
        });
        zeroize_json(&mut v);
        let left = serde_json::to_string(&v).unwrap();
        assert!(
            !left.contains("hunter2") && !left.contains("aHVudGVyMg") && !left.contains("t0k"),
            "{left}"
        );
        let mut list = serde_json::json!(["a-secret", "b-secret"]);
        zeroize_json(&mut list);
        assert_eq!(list, serde_json::json!(["", ""]));
        let guarded = ZeroizingJson(serde_json::json!({"k": "v"}));
        assert_eq!(guarded["k"], "v", "readable until dropped");
    }
}
