//! One `AdmissionReview` v1 in, one out: the decisions of `kseal webhook`, without any I/O.
//!
//! The API server merges `stringData` into `data` before admission, so a sealed value arrives as a
//! `data` entry whose bytes are the sealed string (the format writes `data` as base64 of it, which
//! the server decodes). Each is opened with the binding the *request* names (its namespace, the
//! object's name, the key), never with anything read from the object, and the answer is a
//! JSONPatch that puts the opened bytes in place. If any value does not open, the write is denied
//! with a message naming each key and why; no value, sealed or opened, is ever in an answer or a
//! log line.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};
use zeroize::Zeroizing;

use crate::crypto::sealed::{is_kseal, Binding, SealedValue};
use crate::crypto::Identity;
use crate::manifest::secret::Field;

/// Why a body is not an `AdmissionReview` this webhook can answer (HTTP 400).
#[derive(Debug, thiserror::Error)]
pub enum BadReview {
    #[error("the body is not JSON: {0}")]
    NotJson(String),
    #[error("expected apiVersion admission.k8s.io/v1 and kind AdmissionReview, got {0}")]
    WrongKind(String),
    #[error("the AdmissionReview has no request (or a request without uid)")]
    NoRequest,
}

#[derive(Deserialize)]
struct ReviewIn {
    #[serde(rename = "apiVersion", default)]
    api_version: String,
    #[serde(default)]
    kind: String,
    request: Option<RequestIn>,
}

#[derive(Deserialize, Default)]
struct GroupVersionKind {
    #[serde(default)]
    group: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    kind: String,
}

#[derive(Deserialize)]
struct RequestIn {
    uid: String,
    #[serde(default)]
    kind: GroupVersionKind,
    #[serde(default)]
    namespace: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    operation: String,
    #[serde(default)]
    object: Option<Value>,
    #[serde(rename = "dryRun", default)]
    dry_run: bool,
}

/// What happened to one request: the answer to send and the line to log. Its `Debug` shows the
/// log line and the counts, never the answer (whose patch holds the opened values).
pub struct Decision {
    /// The `AdmissionReview` answer (HTTP 200).
    pub answer: Value,
    /// One logfmt line without values: uid, operation, object, outcome.
    pub log: String,
    pub allowed: bool,
    /// How many sealed values were opened (0 when denied).
    pub opened: usize,
    /// For the metrics: `opened`, `passed` or `denied`, and for a denial why, as one word
    /// (`malformed`, `no-identity`, `moved`, `tampered`, `no-namespace`, `no-name`).
    pub result: &'static str,
    pub reason: &'static str,
}

impl std::fmt::Debug for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decision")
            .field("log", &self.log)
            .field("allowed", &self.allowed)
            .field("opened", &self.opened)
            .field("result", &self.result)
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}

/// The word for why a value did not open (metrics: never a key or a value).
fn reason_of(e: &crate::crypto::sealed::OpenError) -> &'static str {
    use crate::crypto::sealed::OpenError as E;
    match e {
        E::NoIdentity { .. } => "no-identity",
        E::BindingMismatch(_) | E::SealedElsewhere { .. } => "moved",
        _ => "tampered",
    }
}

/// A JSON Pointer token (RFC 6901): Secret keys cannot hold `/` or `~`, but the pointer is built
/// right regardless.
fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Quotes a field for a logfmt line when it needs it (names come from the request).
fn logfmt(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._/:".contains(c))
    {
        s.to_string()
    } else {
        format!("{s:?}")
    }
}

/// Answers one `AdmissionReview` body with these identities.
pub fn review(body: &[u8], identities: &[Identity]) -> Result<Decision, BadReview> {
    let req = request(body)?;
    let object = format!(
        "{}/{}",
        if req.namespace.is_empty() {
            "-"
        } else {
            &req.namespace
        },
        if req.name.is_empty() { "-" } else { &req.name }
    );
    let mut log = format!(
        "uid={} op={} kind={} object={}{}",
        logfmt(&req.uid),
        logfmt(&req.operation),
        logfmt(&req.kind.kind),
        logfmt(&object),
        if req.dry_run { " dryRun=true" } else { "" }
    );
    let is_secret = req.kind.group.is_empty() && req.kind.version == "v1" && req.kind.kind == "Secret";
    let writes = matches!(req.operation.as_str(), "CREATE" | "UPDATE");
    let Some(obj) = req.object.as_ref().filter(|_| is_secret && writes) else {
        log.push_str(" allowed=true opened=0 note=\"not a Secret CREATE or UPDATE: left unchanged\"");
        return Ok(allow(&req.uid, None, log, 0));
    };
    let fields = match sealed_fields(obj) {
        Ok(f) => f,
        Err(why) => return Ok(deny(&req.uid, &object, "malformed", &[why], log)),
    };
    if fields.is_empty() {
        log.push_str(" allowed=true opened=0");
        return Ok(allow(&req.uid, None, log, 0));
    }
    if req.namespace.is_empty() {
        let why = "the request names no namespace (a Secret is always namespaced)".to_string();
        return Ok(deny(&req.uid, &object, "no-namespace", &[why], log));
    }
    let opened = match open_fields(&fields, &req, identities) {
        Ok(opened) => opened,
        Err((reason, problems)) => return Ok(deny(&req.uid, &object, reason, &problems, log)),
    };
    let patch = patch(obj, &opened);
    let n = opened.len();
    log.push_str(&format!(" allowed=true opened={n}"));
    let patch = Zeroizing::new(serde_json::to_vec(&patch).expect("a JSON value serializes"));
    Ok(allow(&req.uid, Some(&patch), log, n))
}

/// The request of an `AdmissionReview` v1 body.
fn request(body: &[u8]) -> Result<RequestIn, BadReview> {
    let input: ReviewIn = serde_json::from_slice(body).map_err(|e| {
        // Kind and position only: serde_json's own message quotes the offending input ("invalid
        // type: string \"...\""), and nothing from a body is echoed into a log or an answer.
        BadReview::NotJson(format!(
            "{:?} error at line {} column {}",
            e.classify(),
            e.line(),
            e.column()
        ))
    })?;
    if input.api_version != "admission.k8s.io/v1" || input.kind != "AdmissionReview" {
        return Err(BadReview::WrongKind(format!(
            "{}/{}",
            logfmt(&input.api_version),
            logfmt(&input.kind)
        )));
    }
    input
        .request
        .filter(|r| !r.uid.is_empty())
        .ok_or(BadReview::NoRequest)
}

/// A value opened for the patch: its field, key, and plaintext as base64.
type Opened = (Field, String, Zeroizing<String>);

/// Every sealed value opened for this request's namespace and name, or why each that could not
/// be was not.
fn open_fields(
    fields: &[(Field, String, String)],
    req: &RequestIn,
    identities: &[Identity],
) -> Result<Vec<Opened>, (&'static str, Vec<String>)> {
    let mut problems = Vec::new();
    // The first problem's kind names the denial in the metrics.
    let mut reason = "";
    let mut opened: Vec<Opened> = Vec::new();
    for (field, key, text) in fields {
        let value = match SealedValue::parse(text) {
            Ok(v) => v,
            Err(e) => {
                reason = if reason.is_empty() { "malformed" } else { reason };
                problems.push(format!("key {key}: {e}"));
                continue;
            }
        };
        if value.scope == crate::crypto::sealed::Scope::Strict && req.name.is_empty() {
            reason = if reason.is_empty() { "no-name" } else { reason };
            problems.push(format!(
                "key {key}: the Secret has no name yet (generateName), and a strict-scoped value is bound to one; give it a name, or seal with --scope namespace"
            ));
            continue;
        }
        let binding = Binding {
            namespace: &req.namespace,
            name: &req.name,
            key,
        };
        match value.open(identities, &binding) {
            Ok(plain) => opened.push((*field, key.clone(), Zeroizing::new(STANDARD.encode(&*plain)))),
            Err(e) => {
                reason = if reason.is_empty() { reason_of(&e) } else { reason };
                problems.push(format!("key {key}: {e}"));
            }
        }
    }
    if problems.is_empty() {
        Ok(opened)
    } else {
        Err((reason, problems))
    }
}

/// The JSON patch (RFC 6902) that puts the opened values under `data`, out of `stringData`.
fn patch(obj: &Value, opened: &[Opened]) -> Vec<Value> {
    let has_data = obj.get("data").is_some_and(Value::is_object);
    let mut patch = Vec::new();
    let mut data_added = has_data;
    for (field, key, b64) in opened {
        let token = pointer_token(key);
        if *field == Field::StringData {
            patch.push(json!({"op": "remove", "path": format!("/stringData/{token}")}));
        }
        if !data_added {
            patch.push(json!({"op": "add", "path": "/data", "value": {}}));
            data_added = true;
        }
        // `add` replaces an existing member (RFC 6902 §4.1), so it serves both fields.
        patch.push(json!({"op": "add", "path": format!("/data/{token}"), "value": b64.as_str()}));
    }
    patch
}

/// Every sealed value of a Secret object: `(field, key, sealed string)`. `data` entries whose
/// bytes are a kseal value, and (only from a caller other than the API server, which merges it
/// away before admission) `stringData` entries. A `stringData` key also under `data` wins, as the
/// API server merges it.
fn sealed_fields(obj: &Value) -> Result<Vec<(Field, String, String)>, String> {
    let mut out: BTreeMap<String, (Field, String)> = BTreeMap::new();
    if let Some(data) = obj.get("data").and_then(Value::as_object) {
        for (key, v) in data {
            let Some(b64) = v.as_str() else {
                return Err(format!("key {key}: a data value must be a base64 string"));
            };
            let Ok(bytes) = STANDARD.decode(b64) else {
                return Err(format!("key {key}: the data value is not base64"));
            };
            let bytes = Zeroizing::new(bytes);
            if looks_sealed(&bytes) {
                match std::str::from_utf8(&bytes) {
                    Ok(s) => out.insert(key.clone(), (Field::Data, s.to_string())),
                    Err(_) => {
                        return Err(format!(
                            "key {key}: starts like a kseal value but is not text: it was damaged"
                        ))
                    }
                };
            }
        }
    }
    if let Some(sd) = obj.get("stringData").and_then(Value::as_object) {
        for (key, v) in sd {
            match v.as_str() {
                Some(s) if is_kseal(s) => {
                    out.insert(key.clone(), (Field::StringData, s.to_string()));
                }
                Some(_) => {
                    out.remove(key);
                }
                None => return Err(format!("key {key}: a stringData value must be a string")),
            }
        }
    }
    Ok(out.into_iter().map(|(k, (f, s))| (f, k, s)).collect())
}

/// `is_kseal` on bytes that may not be text: the one rule, the same as the configuration's CEL.
fn looks_sealed(bytes: &[u8]) -> bool {
    crate::crypto::spelling::is_kseal_bytes(bytes)
}

fn allow(uid: &str, patch: Option<&[u8]>, log: String, opened: usize) -> Decision {
    let mut response = json!({"uid": uid, "allowed": true});
    if let Some(p) = patch {
        response["patchType"] = json!("JSONPatch");
        response["patch"] = json!(STANDARD.encode(p));
    }
    Decision {
        answer: json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": response}),
        log,
        allowed: true,
        opened,
        result: if opened > 0 { "opened" } else { "passed" },
        reason: "",
    }
}

/// How many failing keys a denial names; the rest are counted. A Secret may hold thousands of
/// damaged values, and the answer and the log line stay small whatever the request held.
const NAMED_PROBLEMS: usize = 10;

fn summary(problems: &[String]) -> String {
    let mut text = problems[..problems.len().min(NAMED_PROBLEMS)].join("; ");
    if problems.len() > NAMED_PROBLEMS {
        text.push_str(&format!("; and {} more", problems.len() - NAMED_PROBLEMS));
    }
    text
}

fn deny(uid: &str, object: &str, reason: &'static str, problems: &[String], mut log: String) -> Decision {
    let summary = summary(problems);
    let message = format!("kseal could not open the sealed values of secret {object}: {summary}");
    log.push_str(&format!(" allowed=false reason={}", logfmt(&summary)));
    Decision {
        answer: json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "response": {
                "uid": uid,
                "allowed": false,
                "status": {"code": 403, "reason": "Forbidden", "message": message},
            },
        }),
        log,
        allowed: false,
        opened: 0,
        result: "denied",
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::sealed::{seal, Scope};

    fn sealed(id: &Identity, ns: &str, name: &str, key: &str, plain: &str) -> String {
        seal(
            plain.as_bytes(),
            &[id.recipient().clone()],
            Scope::Strict,
            &Binding {
                namespace: ns,
                name,
                key,
            },
        )
        .unwrap()
    }

    fn request(ns: &str, name: &str, data: Value) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "request": {
                "uid": "u-1",
                "kind": {"group": "", "version": "v1", "kind": "Secret"},
                "resource": {"group": "", "version": "v1", "resource": "secrets"},
                "namespace": ns,
                "name": name,
                "operation": "CREATE",
                "object": {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": ns}, "data": data},
                "dryRun": false,
            }
        }))
        .unwrap()
    }

    fn patch_of(d: &Decision) -> Vec<Value> {
        let b64 = d.answer["response"]["patch"].as_str().unwrap();
        serde_json::from_slice(&STANDARD.decode(b64).unwrap()).unwrap()
    }

    #[test]
    fn sealed_data_values_are_replaced_by_their_plaintext_and_others_left_alone() {
        let id = Identity::generate();
        let s = sealed(&id, "prod", "db", "password", "hunter2");
        let body = request(
            "prod",
            "db",
            json!({"password": STANDARD.encode(&s), "user": STANDARD.encode("admin")}),
        );
        let d = review(&body, std::slice::from_ref(&id)).unwrap();
        assert!(d.allowed);
        assert_eq!(d.answer["response"]["uid"], "u-1");
        assert_eq!(d.answer["response"]["patchType"], "JSONPatch");
        assert_eq!(
            patch_of(&d),
            vec![json!({"op": "add", "path": "/data/password", "value": STANDARD.encode("hunter2")})]
        );
        assert!(
            !d.log.contains("hunter2") && !d.log.contains(&s[..20]),
            "{}",
            d.log
        );
        // Its Debug shows no value, opened or sealed, in any encoding (issue 36).
        let shown = format!("{d:?}");
        let patch = d.answer["response"]["patch"].as_str().unwrap();
        assert!(
            !shown.contains(patch) && !shown.contains(&STANDARD.encode("hunter2")),
            "{shown}"
        );
        assert_eq!((d.result, d.reason), ("opened", ""));
    }

    #[test]
    fn the_binding_comes_from_the_request_not_the_object() {
        let id = Identity::generate();
        let s = sealed(&id, "prod", "db", "password", "hunter2");
        // The object's own metadata claims prod/db, but the request is for other/db.
        let mut body: Value =
            serde_json::from_slice(&request("other", "db", json!({"password": STANDARD.encode(&s)})))
                .unwrap();
        body["request"]["object"]["metadata"]["namespace"] = json!("prod");
        let d = review(&serde_json::to_vec(&body).unwrap(), std::slice::from_ref(&id)).unwrap();
        assert!(!d.allowed);
        let msg = d.answer["response"]["status"]["message"].as_str().unwrap();
        assert!(
            msg.contains("secret other/db")
                && msg.contains("key password")
                && msg.contains("sealed for another place")
                && msg.contains("here (other/db, key password)"),
            "{msg}"
        );
        assert!(!msg.contains("hunter2"));
        assert_eq!(d.answer["response"]["status"]["code"], 403);
    }

    #[test]
    fn every_failing_key_is_named_with_its_reason() {
        let id = Identity::generate();
        let other = Identity::generate();
        let good = sealed(&id, "prod", "db", "a", "1");
        let moved = sealed(&id, "prod", "db", "a", "2");
        let foreign = sealed(&other, "prod", "db", "c", "3");
        let body = request(
            "prod",
            "db",
            json!({"a": STANDARD.encode(&good), "b": STANDARD.encode(&moved), "c": STANDARD.encode(&foreign), "d": STANDARD.encode("kseal:v2:broken")}),
        );
        let d = review(&body, std::slice::from_ref(&id)).unwrap();
        assert!(!d.allowed);
        let msg = d.answer["response"]["status"]["message"].as_str().unwrap();
        assert!(msg.contains("key b: sealed for another place"), "{msg}");
        assert!(msg.contains("key c: no identity for this value"), "{msg}");
        assert!(msg.contains("key d: "), "{msg}");
        // ("key a:" and not "key a": a random key id may start with an a.)
        assert!(!msg.contains("key a:"), "{msg}");
    }

    #[test]
    fn string_data_values_move_to_data() {
        let id = Identity::generate();
        let s = sealed(&id, "prod", "db", "token", "t0k");
        let mut body: Value = serde_json::from_slice(&request("prod", "db", json!(null))).unwrap();
        body["request"]["object"].as_object_mut().unwrap().remove("data");
        body["request"]["object"]["stringData"] = json!({"token": s, "plain": "x"});
        let d = review(&serde_json::to_vec(&body).unwrap(), std::slice::from_ref(&id)).unwrap();
        assert_eq!(
            patch_of(&d),
            vec![
                json!({"op": "remove", "path": "/stringData/token"}),
                json!({"op": "add", "path": "/data", "value": {}}),
                json!({"op": "add", "path": "/data/token", "value": STANDARD.encode("t0k")}),
            ]
        );
    }

    #[test]
    fn other_objects_and_operations_pass_unchanged_and_bad_bodies_are_refused() {
        let id = Identity::generate();
        let mut body: Value = serde_json::from_slice(&request("prod", "cm", json!({}))).unwrap();
        body["request"]["kind"] = json!({"group": "", "version": "v1", "kind": "ConfigMap"});
        let d = review(&serde_json::to_vec(&body).unwrap(), std::slice::from_ref(&id)).unwrap();
        assert!(d.allowed && d.answer["response"].get("patch").is_none());
        body["request"]["kind"]["kind"] = json!("Secret");
        body["request"]["operation"] = json!("DELETE");
        let d = review(&serde_json::to_vec(&body).unwrap(), std::slice::from_ref(&id)).unwrap();
        assert!(d.allowed && d.answer["response"].get("patch").is_none());

        assert!(matches!(review(b"{", &[]), Err(BadReview::NotJson(_))));
        assert!(matches!(review(b"[]", &[]), Err(BadReview::NotJson(_))));
        assert!(matches!(
            review(
                br#"{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview"}"#,
                &[]
            ),
            Err(BadReview::WrongKind(_))
        ));
        assert!(matches!(
            review(
                br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}"#,
                &[]
            ),
            Err(BadReview::NoRequest)
        ));
        assert!(matches!(
            review(
                br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":5}}"#,
                &[]
            ),
            Err(BadReview::NotJson(_))
        ));
    }

    #[test]
    fn strict_values_need_a_name_and_a_namespace() {
        let id = Identity::generate();
        let s = sealed(&id, "prod", "db", "k", "v");
        let d = review(
            &request("prod", "", json!({"k": STANDARD.encode(&s)})),
            std::slice::from_ref(&id),
        )
        .unwrap();
        let msg = d.answer["response"]["status"]["message"].as_str().unwrap();
        assert!(!d.allowed && msg.contains("generateName"), "{msg}");
        let d = review(
            &request("", "db", json!({"k": STANDARD.encode(&s)})),
            std::slice::from_ref(&id),
        )
        .unwrap();
        let msg = d.answer["response"]["status"]["message"].as_str().unwrap();
        assert!(!d.allowed && msg.contains("no namespace"), "{msg}");
    }
}
