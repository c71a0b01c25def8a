//! A kustomize KRM function: `kseal krm` reads a `ResourceList` (kustomize's function protocol)
//! on stdin, opens the sealed values of every Secret in its `items`, and writes the list back, so
//! `kubectl kustomize --enable-alpha-plugins --enable-exec` renders sealed manifests opened.
//!
//! The list is rebuilt rather than edited in place: kustomize hands over and reads back whole
//! objects, so there is no file layout to keep. Each value is bound where kustomize says the
//! Secret is (its namespace after kustomize's own transformations, else `default`, as the API
//! server would place it).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;

use super::secret::{self, Field, ValueState};
use crate::crypto::Identity;
use crate::error::{Error, Location};

/// The identity files a function config names (`spec.identities: [path...]`), if any.
pub fn configured_identities(list: &Value) -> Vec<String> {
    list["functionConfig"]["spec"]["identities"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Parses a `ResourceList` (YAML or JSON).
pub fn parse_list(text: &str) -> Result<Value, Error> {
    let list: Value = serde_saphyr::from_str(text).map_err(|_| {
        Error::input(
            Location::file("<stdin>"),
            "not a kustomize ResourceList (YAML or JSON)",
        )
    })?;
    if list["kind"] != "ResourceList" || !list["items"].is_array() {
        return Err(Error::input(
            Location::file("<stdin>"),
            "not a kustomize ResourceList: kseal krm is run by kustomize as an exec function",
        ));
    }
    Ok(list)
}

/// Opens every sealed value of every Secret item of `list`, in place. Secrets without
/// `metadata.namespace` are bound to `default_namespace`; without one, only cluster-scoped values
/// open (there is no silent `default`: kustomize leaves the namespace to whoever applies).
pub fn open_items(
    list: &mut Value,
    identities: &[Identity],
    default_namespace: Option<&str>,
) -> Result<usize, Error> {
    let mut opened = 0;
    let items = list["items"].as_array_mut().expect("checked by parse_list");
    for (i, item) in items.iter_mut().enumerate() {
        if item["apiVersion"] != "v1" || item["kind"] != "Secret" {
            continue;
        }
        let name = item["metadata"]["name"].as_str().unwrap_or("").to_string();
        let namespace = item["metadata"]["namespace"]
            .as_str()
            .or(default_namespace)
            .unwrap_or("")
            .to_string();
        let at = |key: &str, field: Field| {
            Location::file("<ResourceList>")
                .with_document(i + 1)
                .with_secret(format!("{namespace}/{name}"))
                .with_key(format!("{field}.{key}"))
        };
        for field in [Field::Data, Field::StringData] {
            let Some(values) = item.get_mut(field.as_str()).and_then(Value::as_object_mut) else {
                continue;
            };
            for (key, v) in values.iter_mut() {
                let Some(text) = v.as_str() else { continue };
                let sealed = match secret::state_of(field, text) {
                    ValueState::Sealed(s) => s,
                    ValueState::Malformed(e) => {
                        return Err(Error::crypto(
                            at(key, field),
                            format!("malformed sealed value: {e}"),
                        ))
                    }
                    _ => continue,
                };
                let binding = super::bind(&namespace, &name, key, sealed.scope, || at(key, field))?;
                let plain = sealed
                    .open(identities, &binding)
                    .map_err(|e| Error::crypto(at(key, field), e.to_string()).with_source(e))?;
                *v = Value::String(match field {
                    Field::Data => STANDARD.encode(plain.as_slice()),
                    Field::StringData => String::from_utf8(plain.to_vec()).map_err(|_| {
                        Error::crypto(
                            at(key, field),
                            "the opened value is not UTF-8 text, which stringData requires",
                        )
                    })?,
                });
                opened += 1;
            }
        }
    }
    Ok(opened)
}
