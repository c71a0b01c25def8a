//! The object store: create, delete, list, and server-side apply with managed fields, conflicts,
//! dry runs and the Secret rules of the real API server.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use super::resources::Resource;
use super::{Key, State, Stored};

/// A failed request: HTTP status, `reason`, message, and `details`.
#[derive(Debug)]
pub struct Failure {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Value,
}

impl Failure {
    pub fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            code,
            reason,
            message: message.into(),
            details: Value::Null,
        }
    }

    pub fn with_details(mut self, details: Value) -> Failure {
        self.details = details;
        self
    }

    /// The `Status` body the real API server sends.
    pub fn body(&self) -> Value {
        let mut v = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "code": self.code,
        });
        // The real server's decoding failures (500) carry no reason.
        if !self.reason.is_empty() {
            v["reason"] = Value::String(self.reason.into());
        }
        if !self.details.is_null() {
            v["details"] = self.details.clone();
        }
        v
    }
}

fn not_found(res: &Resource, name: &str) -> Failure {
    Failure::new(
        404,
        "NotFound",
        format!("{} \"{name}\" not found", qualified(res)),
    )
    .with_details(json!({"name": name, "group": res.group, "kind": res.plural}))
}

/// `secrets`, or `deployments.apps` for a named group, as the API server names resources.
fn qualified(res: &Resource) -> String {
    if res.group.is_empty() {
        res.plural.to_string()
    } else {
        format!("{}.{}", res.plural, res.group)
    }
}

fn namespace_missing(ns: &str) -> Failure {
    Failure::new(404, "NotFound", format!("namespaces \"{ns}\" not found"))
        .with_details(json!({"name": ns, "kind": "namespaces"}))
}

/// Fields that identify an object rather than belong to a manager.
fn is_identity(path: &[String]) -> bool {
    matches!(
        path.iter().map(String::as_str).collect::<Vec<_>>().as_slice(),
        ["apiVersion"] | ["kind"] | ["metadata", "name"] | ["metadata", "namespace"]
    )
}

/// Leaf paths of a value: maps are walked, everything else (scalars, lists, empty maps) is a leaf.
/// Lists are atomic, as for most fields of the built-in types.
pub fn leaf_paths(v: &Value, prefix: &mut Vec<String>, out: &mut BTreeSet<Vec<String>>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, child) in m {
                prefix.push(k.clone());
                leaf_paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {
            if !prefix.is_empty() && !is_identity(prefix) {
                out.insert(prefix.clone());
            }
        }
    }
}

fn get_path<'a>(v: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

/// Removes a leaf and any maps it leaves empty.
fn remove_path(v: &mut Value, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    if let Some(parent) = parents.iter().try_fold(&mut *v, |v, k| v.get_mut(k)) {
        if let Some(m) = parent.as_object_mut() {
            m.remove(last);
        }
    }
    if !parents.is_empty() && get_path(v, parents).is_some_and(|p| p.as_object().is_some_and(Map::is_empty)) {
        remove_path(v, parents);
    }
}

fn merge(dst: &mut Value, src: &Value) {
    match (dst, src) {
        (Value::Object(d), Value::Object(s)) => {
            for (k, sv) in s {
                match d.get_mut(k) {
                    Some(dv) if dv.is_object() && sv.is_object() => merge(dv, sv),
                    _ => {
                        d.insert(k.clone(), sv.clone());
                    }
                }
            }
        }
        (d, s) => *d = s.clone(),
    }
}

/// Managed fields in the API's `FieldsV1` form: `{"f:data": {"f:password": {}}}`.
fn fields_v1(paths: &BTreeSet<Vec<String>>) -> Value {
    let mut root = Value::Object(Map::new());
    for p in paths {
        let mut node = &mut root;
        for k in p {
            node = node
                .as_object_mut()
                .unwrap()
                .entry(format!("f:{k}"))
                .or_insert_with(|| Value::Object(Map::new()));
        }
    }
    root
}

/// Now, as the API server writes a managedFields `time`.
fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

/// `times` with `manager` stamped now.
fn stamped(mut times: BTreeMap<String, String>, manager: &str) -> BTreeMap<String, String> {
    times.insert(manager.to_string(), now());
    times
}

/// The object as the API returns it, with `metadata.managedFields`.
pub fn render(stored: &Stored) -> Value {
    let mut obj = stored.object.clone();
    let api_version = obj["apiVersion"].clone();
    let managed: Vec<Value> = stored
        .managers
        .iter()
        .map(|(m, (op, paths))| {
            json!({
                "manager": m,
                "operation": op,
                "apiVersion": api_version,
                "time": stored.times.get(m).cloned().unwrap_or_else(|| "2026-01-01T00:00:00Z".into()),
                "fieldsType": "FieldsV1",
                "fieldsV1": fields_v1(paths),
            })
        })
        .collect();
    if !managed.is_empty() {
        obj["metadata"]["managedFields"] = Value::Array(managed);
    }
    obj
}

fn is_valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 253
        && k != "."
        && k != ".."
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
}

/// The Secret rules: `stringData` is merged into `data` (base64) and dropped, `data` must be base64
/// and its keys valid, and an `immutable: true` Secret keeps its data.
/// The real server's 500 for a body its typed decoding refuses; the message quotes the value, as
/// the real one does (kseal must never print it: see `api_error_about_secret`).
fn undecodable(ns: &str, name: &str, what: String) -> Failure {
    Failure::new(
        500,
        "",
        format!("failed to create typed patch object ({ns}/{name}; /v1, Kind=Secret): {what}"),
    )
}

fn secret_rules(name: &str, obj: &mut Value, old: Option<&Value>) -> Result<(), Failure> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let ns = obj["metadata"]["namespace"].as_str().unwrap_or("").to_string();
    for field in obj
        .as_object()
        .map(|o| o.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        if ![
            "apiVersion",
            "kind",
            "metadata",
            "data",
            "stringData",
            "type",
            "immutable",
        ]
        .contains(&field.as_str())
        {
            return Err(undecodable(
                &ns,
                name,
                format!(".{field}: field not declared in schema"),
            ));
        }
    }
    if let Some(Value::Object(sd)) = obj.get("stringData") {
        for (k, v) in sd {
            if !v.is_string() {
                return Err(undecodable(
                    &ns,
                    name,
                    format!(".stringData.{k}: expected string, got &value.valueUnstructured{{Value:{v}}}"),
                ));
            }
        }
    }
    if let Some(Value::Object(data)) = obj.get_mut("data") {
        for (k, v) in data.iter_mut() {
            match v {
                // A null value is stored as an empty one.
                Value::Null => *v = Value::String(String::new()),
                Value::String(s) => {
                    // Go's base64 decoder skips line breaks; the stored value is canonical.
                    let compact: String = s.chars().filter(|c| *c != '\n' && *c != '\r').collect();
                    match b64.decode(&compact) {
                        Ok(bytes) => *v = Value::String(b64.encode(bytes)),
                        Err(e) => {
                            return Err(Failure::new(
                                500,
                                "",
                                format!(
                                    "failed to convert new object ({ns}/{name}; /v1, Kind=Secret) to proper version: unable to convert unstructured object to /v1, Kind=Secret: error decoding from json: illegal base64 data ({e})"
                                ),
                            ))
                        }
                    }
                }
                other => {
                    return Err(undecodable(
                        &ns,
                        name,
                        format!(".data.{k}: expected string, got &value.valueUnstructured{{Value:{other}}}"),
                    ));
                }
            }
        }
    }
    if let Some(Value::Object(sd)) = obj.as_object_mut().and_then(|o| o.remove("stringData")) {
        let data = obj
            .as_object_mut()
            .unwrap()
            .entry("data")
            .or_insert_with(|| Value::Object(Map::new()));
        for (k, v) in sd {
            data[k.as_str()] = Value::String(b64.encode(v.as_str().unwrap_or_default()));
        }
    }
    if let Some(Value::Object(data)) = obj.get("data") {
        for k in data.keys() {
            if !is_valid_key(k) {
                let msg = format!(
                    "Secret \"{name}\" is invalid: data[{k}]: Invalid value: \"{k}\": a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
                );
                return Err(invalid(
                    "Secret",
                    name,
                    &msg,
                    &format!("data[{k}]"),
                    "FieldValueInvalid",
                ));
            }
        }
    }
    if !is_dns_subdomain(name) {
        let msg = format!(
            "Secret \"{name}\" is invalid: metadata.name: Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'"
        );
        return Err(invalid(
            "Secret",
            name,
            &msg,
            "metadata.name",
            "FieldValueInvalid",
        ));
    }
    if let Some(old) = old {
        let old_type = old.get("type").and_then(Value::as_str).unwrap_or("Opaque");
        let new_type = obj.get("type").and_then(Value::as_str).unwrap_or("Opaque");
        if old_type != new_type {
            let msg = format!(
                "Secret \"{name}\" is invalid: type: Invalid value: \"{new_type}\": field is immutable"
            );
            return Err(invalid("Secret", name, &msg, "type", "FieldValueInvalid"));
        }
    }
    if let Some(old) = old {
        if old.get("immutable") == Some(&Value::Bool(true))
            && (old.get("data") != obj.get("data") || obj.get("immutable") != Some(&Value::Bool(true)))
        {
            let msg = format!(
                "Secret \"{name}\" is invalid: data: Forbidden: field is immutable when `immutable` is set"
            );
            return Err(invalid("Secret", name, &msg, "data", "FieldValueForbidden"));
        }
    }
    Ok(())
}

fn is_dns_subdomain(s: &str) -> bool {
    let label = |l: &str| {
        !l.is_empty()
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    !s.is_empty() && s.len() <= 253 && s.split('.').all(label)
}

fn invalid(kind: &str, name: &str, message: &str, field: &str, reason: &str) -> Failure {
    let cause = message.rsplit_once(": ").map_or(message, |(_, m)| m);
    Failure::new(422, "Invalid", message).with_details(json!({
        "name": name,
        "kind": kind,
        "causes": [{"reason": reason, "message": cause, "field": field}],
    }))
}

fn key(res: &Resource, ns: Option<&str>, name: &str) -> Key {
    Key {
        plural: res.plural.to_string(),
        namespace: ns.map(str::to_string),
        name: name.to_string(),
    }
}

fn check_namespace(state: &State, res: &Resource, ns: Option<&str>) -> Result<(), Failure> {
    match ns {
        Some(ns) if res.namespaced => {
            let k = Key {
                plural: "namespaces".into(),
                namespace: None,
                name: ns.into(),
            };
            if state.objects.contains_key(&k) {
                Ok(())
            } else {
                Err(namespace_missing(ns))
            }
        }
        _ => Ok(()),
    }
}

fn set_meta(state: &mut State, obj: &mut Value, old: Option<&Value>) {
    let uid = old
        .and_then(|o| o["metadata"].get("uid").cloned())
        .unwrap_or_else(|| Value::String(state.next_uid()));
    let created = old
        .and_then(|o| o["metadata"].get("creationTimestamp").cloned())
        .unwrap_or_else(|| Value::String("2026-01-01T00:00:00Z".into()));
    obj["metadata"]["uid"] = uid;
    obj["metadata"]["creationTimestamp"] = created;
}

fn strip_server_fields(body: &mut Value) {
    if let Some(m) = body.get_mut("metadata").and_then(Value::as_object_mut) {
        for f in [
            "managedFields",
            "uid",
            "creationTimestamp",
            "resourceVersion",
            "generation",
        ] {
            m.remove(f);
        }
    }
    if let Some(o) = body.as_object_mut() {
        o.remove("status");
    }
}

/// Checks a body against the URL: kind, apiVersion, name and namespace.
fn check_body(res: &Resource, ns: Option<&str>, name: Option<&str>, body: &Value) -> Result<(), Failure> {
    if !body.is_object() {
        return Err(Failure::new(400, "BadRequest", "the body is not an object"));
    }
    if body.get("apiVersion").and_then(Value::as_str) != Some(res.api_version().as_str())
        || body.get("kind").and_then(Value::as_str) != Some(res.kind)
    {
        return Err(Failure::new(
            400,
            "BadRequest",
            format!(
                "the API version in the data ({}) does not match the expected API version ({}) or kind",
                body.get("apiVersion").and_then(Value::as_str).unwrap_or(""),
                res.api_version()
            ),
        ));
    }
    let body_name = body["metadata"].get("name").and_then(Value::as_str);
    if let (Some(url), Some(b)) = (name, body_name) {
        if url != b {
            return Err(Failure::new(
                400,
                "BadRequest",
                format!("the name of the object ({b}) does not match the name on the URL ({url})"),
            ));
        }
    }
    if let Some(b) = body["metadata"].get("namespace").and_then(Value::as_str) {
        if res.namespaced && ns != Some(b) {
            return Err(Failure::new(
                400,
                "BadRequest",
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
    }
    Ok(())
}

/// `PATCH` with `application/apply-patch+yaml`: returns the status code (201 created, 200 otherwise)
/// and the object.
#[allow(clippy::too_many_arguments)]
pub fn apply(
    state: &mut State,
    res: &'static Resource,
    ns: Option<&str>,
    name: &str,
    mut body: Value,
    manager: &str,
    force: bool,
    dry_run: bool,
) -> Result<(u16, Value), Failure> {
    check_body(res, ns, Some(name), &body)?;
    if body["metadata"].get("name").is_none() {
        return Err(Failure::new(
            400,
            "BadRequest",
            format!("the name of the object ({name} based on URL) was undeterminable: name must be provided"),
        ));
    }
    check_namespace(state, res, ns)?;
    strip_server_fields(&mut body);
    let mut applied = BTreeSet::new();
    leaf_paths(&body, &mut Vec::new(), &mut applied);
    let k = key(res, ns, name);
    let existing = state.objects.get(&k).cloned();
    let mut obj = match &existing {
        Some(s) => s.object.clone(),
        None => {
            let mut meta = json!({"name": name});
            if let Some(ns) = ns.filter(|_| res.namespaced) {
                meta["namespace"] = Value::String(ns.into());
            }
            json!({"apiVersion": res.api_version(), "kind": res.kind, "metadata": meta})
        }
    };
    let mut managers = existing.as_ref().map(|s| s.managers.clone()).unwrap_or_default();

    // Conflicts: a field another manager owns, applied with a different value.
    let mut conflicts: Vec<(String, Vec<String>)> = Vec::new();
    for p in &applied {
        for (m, (_, owned)) in &managers {
            if m != manager && owned.contains(p) && get_path(&obj, p) != get_path(&body, p) {
                conflicts.push((m.clone(), p.clone()));
            }
        }
    }
    if !conflicts.is_empty() {
        if !force {
            let field = |p: &Vec<String>| format!(".{}", p.join("."));
            let causes: Vec<Value> = conflicts
                .iter()
                .map(|(m, p)| json!({"type": "FieldManagerConflict", "message": format!("conflict with \"{m}\""), "field": field(p)}))
                .collect();
            let list: Vec<String> = conflicts
                .iter()
                .map(|(m, p)| format!("conflict with \"{m}\": {}", field(p)))
                .collect();
            let n = conflicts.len();
            return Err(Failure::new(
                409,
                "Conflict",
                format!(
                    "Apply failed with {n} conflict{}: {}",
                    if n == 1 { "" } else { "s" },
                    list.join("\n")
                ),
            )
            .with_details(json!({"name": name, "kind": res.plural, "causes": causes})));
        }
        for (m, p) in &conflicts {
            if let Some((_, owned)) = managers.get_mut(m) {
                owned.remove(p);
            }
        }
    }
    // Fields this manager applied before and no longer applies, and nobody else owns, go away.
    let previous = managers.get(manager).map(|(_, o)| o.clone()).unwrap_or_default();
    for p in previous.difference(&applied) {
        if !managers.iter().any(|(m, (_, o))| m != manager && o.contains(p)) {
            remove_path(&mut obj, p);
        }
    }
    merge(&mut obj, &body);
    managers.insert(manager.to_string(), ("Apply".into(), applied));
    managers.retain(|_, (_, o)| !o.is_empty());
    if res.kind == "Secret" {
        secret_rules(name, &mut obj, existing.as_ref().map(|s| &s.object))?;
        let op = if existing.is_some() { "UPDATE" } else { "CREATE" };
        crate::admission::mutate_secret(
            state,
            op,
            name,
            &mut obj,
            existing.as_ref().map(|s| &s.object),
            dry_run,
        )?;
    }
    set_meta(state, &mut obj, existing.as_ref().map(|s| &s.object));
    if let Some(s) = &existing {
        let unchanged = s.managers == managers && {
            let mut a = s.object.clone();
            let mut b = obj.clone();
            a["metadata"].as_object_mut().unwrap().remove("resourceVersion");
            b["metadata"].as_object_mut().unwrap().remove("resourceVersion");
            a == b
        };
        if unchanged {
            return Ok((200, render(s)));
        }
    }
    let status = if existing.is_some() { 200 } else { 201 };
    if dry_run {
        if let Some(s) = &existing {
            obj["metadata"]["resourceVersion"] = s.object["metadata"]["resourceVersion"].clone();
        }
        let times = stamped(
            existing.as_ref().map(|s| s.times.clone()).unwrap_or_default(),
            manager,
        );
        return Ok((
            status,
            render(&Stored {
                object: obj,
                managers,
                times,
            }),
        ));
    }
    obj["metadata"]["resourceVersion"] = Value::String(state.next_rv());
    let stored = Stored {
        object: obj,
        managers,
        times: stamped(
            existing.as_ref().map(|s| s.times.clone()).unwrap_or_default(),
            manager,
        ),
    };
    let out = render(&stored);
    state.objects.insert(k, stored);
    Ok((status, out))
}

/// `POST` to a collection.
pub fn create(
    state: &mut State,
    res: &'static Resource,
    ns: Option<&str>,
    mut body: Value,
    manager: &str,
    dry_run: bool,
) -> Result<(u16, Value), Failure> {
    check_body(res, ns, None, &body)?;
    let Some(name) = body["metadata"]
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        return Err(Failure::new(
            422,
            "Invalid",
            "metadata.name: Required value: name or generateName is required",
        ));
    };
    check_namespace(state, res, ns)?;
    let k = key(res, ns, &name);
    if state.objects.contains_key(&k) {
        return Err(Failure::new(
            409,
            "AlreadyExists",
            format!("{} \"{name}\" already exists", qualified(res)),
        )
        .with_details(json!({"name": name, "kind": res.plural})));
    }
    strip_server_fields(&mut body);
    if res.namespaced {
        body["metadata"]["namespace"] = Value::String(ns.unwrap_or_default().into());
    }
    if res.kind == "Secret" {
        secret_rules(&name, &mut body, None)?;
        crate::admission::mutate_secret(state, "CREATE", &name, &mut body, None, dry_run)?;
    }
    let mut owned = BTreeSet::new();
    leaf_paths(&body, &mut Vec::new(), &mut owned);
    set_meta(state, &mut body, None);
    let mut managers = BTreeMap::new();
    managers.insert(manager.to_string(), ("Update".to_string(), owned));
    if !dry_run {
        body["metadata"]["resourceVersion"] = Value::String(state.next_rv());
    }
    let stored = Stored {
        object: body,
        managers,
        times: stamped(BTreeMap::new(), manager),
    };
    let out = render(&stored);
    if !dry_run {
        state.objects.insert(k, stored);
    }
    Ok((201, out))
}

/// `PUT`: replaces an existing object. A `metadata.resourceVersion` in the body is a precondition
/// (409 Conflict with the real server's wording when the object changed since); without one the
/// update is unconditional, as the real server allows for these kinds. The manager then owns
/// every field of the object (an Update entry), and the others keep what they still own.
pub fn update(
    state: &mut State,
    res: &'static Resource,
    ns: Option<&str>,
    name: &str,
    mut body: Value,
    manager: &str,
    dry_run: bool,
) -> Result<(u16, Value), Failure> {
    check_body(res, ns, Some(name), &body)?;
    check_namespace(state, res, ns)?;
    let k = key(res, ns, name);
    let Some(old) = state.objects.get(&k) else {
        return Err(not_found(res, name));
    };
    let stored_rv = old.object["metadata"]["resourceVersion"].clone();
    if let Some(rv) = body["metadata"].get("resourceVersion") {
        if *rv != stored_rv {
            return Err(Failure::new(
                409,
                "Conflict",
                format!(
                    "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                    qualified(res)
                ),
            )
            .with_details(json!({"name": name, "kind": res.plural})));
        }
    }
    let old_object = old.object.clone();
    let mut managers = old.managers.clone();
    let times = stamped(old.times.clone(), manager);
    strip_server_fields(&mut body);
    if res.namespaced {
        body["metadata"]["namespace"] = Value::String(ns.unwrap_or_default().into());
    }
    if res.kind == "Secret" {
        secret_rules(name, &mut body, Some(&old_object))?;
        crate::admission::mutate_secret(state, "UPDATE", name, &mut body, Some(&old_object), dry_run)?;
    }
    let mut owned = BTreeSet::new();
    leaf_paths(&body, &mut Vec::new(), &mut owned);
    for (_, (_, paths)) in managers.iter_mut() {
        paths.retain(|p| get_path(&body, p).is_some() && !owned.contains(p));
    }
    managers.retain(|_, (_, paths)| !paths.is_empty());
    managers.insert(manager.to_string(), ("Update".to_string(), owned));
    set_meta(state, &mut body, Some(&old_object));
    body["metadata"]["resourceVersion"] = if dry_run {
        stored_rv
    } else {
        Value::String(state.next_rv())
    };
    let stored = Stored {
        object: body,
        managers,
        times,
    };
    let out = render(&stored);
    if !dry_run {
        state.objects.insert(k, stored);
    }
    Ok((200, out))
}

/// RFC 7386 JSON merge patch: `null` removes a field, objects merge, anything else replaces.
fn merge_patch_value(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = json!({});
    }
    let t = target.as_object_mut().expect("made an object above");
    for (k, v) in p {
        if v.is_null() {
            t.remove(k);
        } else {
            merge_patch_value(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

/// `PATCH` with `application/merge-patch+json` (what kseal sends to remove Secret keys that only
/// stringData held). Fields it removes leave every manager's set, as on the real server.
pub fn merge_patch(
    state: &mut State,
    res: &'static Resource,
    ns: Option<&str>,
    name: &str,
    patch: &Value,
    dry_run: bool,
) -> Result<(u16, Value), Failure> {
    check_namespace(state, res, ns)?;
    let k = key(res, ns, name);
    let Some(old) = state.objects.get(&k) else {
        return Err(not_found(res, name));
    };
    let mut stored = Stored {
        object: old.object.clone(),
        managers: old.managers.clone(),
        times: old.times.clone(),
    };
    merge_patch_value(&mut stored.object, patch);
    let object = stored.object.clone();
    for (_, (_, paths)) in stored.managers.iter_mut() {
        paths.retain(|p| get_path(&object, p).is_some());
    }
    stored.managers.retain(|_, (_, paths)| !paths.is_empty());
    if !dry_run {
        stored.object["metadata"]["resourceVersion"] = Value::String(state.next_rv());
    }
    let out = render(&stored);
    if !dry_run {
        state.objects.insert(k, stored);
    }
    Ok((200, out))
}

pub fn get(state: &State, res: &'static Resource, ns: Option<&str>, name: &str) -> Result<Value, Failure> {
    state
        .objects
        .get(&key(res, ns, name))
        .map(render)
        .ok_or_else(|| not_found(res, name))
}

pub fn list(state: &State, res: &'static Resource, ns: Option<&str>) -> Value {
    let items: Vec<Value> = state
        .objects
        .iter()
        .filter(|(k, _)| k.plural == res.plural && (ns.is_none() || k.namespace.as_deref() == ns))
        .map(|(_, s)| {
            let mut v = render(s);
            let o = v.as_object_mut().unwrap();
            o.remove("apiVersion");
            o.remove("kind");
            v
        })
        .collect();
    json!({
        "kind": format!("{}List", res.kind),
        "apiVersion": res.api_version(),
        "metadata": {"resourceVersion": state.resource_version.to_string()},
        "items": items,
    })
}

pub fn delete(
    state: &mut State,
    res: &'static Resource,
    ns: Option<&str>,
    name: &str,
    dry_run: bool,
) -> Result<Value, Failure> {
    let k = key(res, ns, name);
    if !state.objects.contains_key(&k) {
        return Err(not_found(res, name));
    }
    if !dry_run {
        state.objects.remove(&k);
        if res.plural == "namespaces" {
            state.objects.retain(|k, _| k.namespace.as_deref() != Some(name));
        }
        state.next_rv();
    }
    Ok(json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
        "details": {"name": name, "group": res.group, "kind": res.plural},
    }))
}

/// Stores an object for test setup, as an Update by `test-setup`.
pub fn insert(state: &mut State, plural: &str, ns: Option<&str>, object: Value) {
    let res = super::resources::RESOURCES
        .iter()
        .find(|r| r.plural == plural)
        .expect("a known resource");
    create(state, res, ns, object, "test-setup", false).expect("test setup object is valid");
}
