//! One KsealSecret made into its Secret: the Secret it should be (opened with the controller's
//! keys), or why it cannot be, as a condition reason. Pure functions on JSON; `mod.rs` talks to
//! the API server. Nothing here puts a value into a message: kseal-core's errors name files,
//! keys and kids, never values.

use serde_json::{json, Map, Value};
use zeroize::Zeroizing;

use crate::crypto::sealed::OpenError;
use crate::crypto::Identity;
use crate::error::{Error, Location};

/// The annotation that lets a KsealSecret take over an existing Secret it does not own.
pub const ADOPT_ANNOTATION: &str = "kseal.dev/adopt";
/// The label the controller puts on the Secrets it makes (its watch selects by it).
pub const MANAGED_LABEL: &str = "kseal.dev/controller";
/// The field manager of the controller's server-side applies.
pub const FIELD_MANAGER: &str = "kseal-controller";

/// Why a KsealSecret has no up-to-date Secret: the `Ready=False` reason, and a message that names
/// keys and kids only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub reason: &'static str,
    pub message: String,
}

impl Failure {
    fn new(reason: &'static str, message: impl Into<String>) -> Self {
        Failure {
            reason,
            message: message.into(),
        }
    }
}

/// The condition reason of an error opening a KsealSecret's values.
fn reason_of(e: &Error) -> &'static str {
    let open = std::error::Error::source(e).and_then(|s| s.downcast_ref::<OpenError>());
    match open {
        Some(OpenError::NoIdentity { .. }) => "NoIdentityForKey",
        Some(OpenError::SealedElsewhere { .. } | OpenError::BindingMismatch(_)) => "SealedForAnotherPlace",
        Some(_) => "Tampered",
        None if e.exit_code() == crate::error::ExitCode::Crypto => "Tampered",
        None => "Malformed",
    }
}

/// The Secret `ks` (a KsealSecret as the API server returns it) opens to, ready to server-side
/// apply: its labels (with [`MANAGED_LABEL`]), annotations (without kubectl's last-applied copy
/// and kseal's own), type, immutable and values carried, and an owner reference to `ks` with
/// `controller: true`. `Zeroizing`: the JSON holds opened values.
pub fn desired_secret(ks: &Value, identities: &[Identity]) -> Result<Zeroizing<String>, Failure> {
    let meta = &ks["metadata"];
    let (Some(name), Some(namespace), Some(uid)) = (
        meta["name"].as_str(),
        meta["namespace"].as_str(),
        meta["uid"].as_str(),
    ) else {
        return Err(Failure::new(
            "Malformed",
            "the KsealSecret has no name, namespace or uid",
        ));
    };
    let mut labels = meta["labels"].as_object().cloned().unwrap_or_default();
    labels.insert(MANAGED_LABEL.into(), json!("true"));
    let mut annotations: Map<String, Value> = meta["annotations"].as_object().cloned().unwrap_or_default();
    annotations.retain(|k, _| k != crate::manifest::secret::LAST_APPLIED && !k.starts_with("kseal.dev/"));
    let mut secret = json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": labels,
            "ownerReferences": [{
                "apiVersion": crate::manifest::secret::KSEAL_SECRET_API_VERSION,
                "kind": crate::manifest::secret::KSEAL_SECRET_KIND,
                "name": name,
                "uid": uid,
                "controller": true,
                "blockOwnerDeletion": true,
            }],
        },
    });
    if !annotations.is_empty() {
        secret["metadata"]["annotations"] = Value::Object(annotations);
    }
    for field in ["type", "immutable", "data", "stringData"] {
        if !ks[field].is_null() {
            secret[field] = ks[field].clone();
        }
    }
    let src = Zeroizing::new(serde_json::to_string(&secret).expect("JSON serializes"));
    let at = Location::file(format!("ksealsecret {namespace}/{name}"));
    let opened = crate::manifest::open::open(&src, &at, identities, None)
        .map_err(|e| Failure::new(reason_of(&e), e.to_string()))?;
    Ok(opened.text)
}

/// How many keys a KsealSecret's Secret has (`data` and `stringData`; the `Keys` column).
pub fn key_count(ks: &Value) -> usize {
    let keys = |f: &str| {
        ks[f]
            .as_object()
            .map(|m| m.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let mut all = keys("data");
    all.extend(keys("stringData"));
    all.sort();
    all.dedup();
    all.len()
}

/// Whether `secret` (as the API server returns it) is controlled by the KsealSecret `uid`.
pub fn controlled_by(secret: &Value, uid: &str) -> bool {
    secret["metadata"]["ownerReferences"]
        .as_array()
        .is_some_and(|refs| refs.iter().any(|r| r["uid"] == uid && r["controller"] == true))
}

/// Whether the KsealSecret asks to take over an existing Secret it does not own.
pub fn may_adopt(ks: &Value) -> bool {
    ks["metadata"]["annotations"][ADOPT_ANNOTATION] == "true"
}

/// The `status` a KsealSecret should have: `Ready` True with reason `Opened`, or False with the
/// failure's reason; `lastTransitionTime` kept while the status stays the same, so writing the
/// same status twice changes nothing (and triggers no further reconcile).
pub fn status(ks: &Value, outcome: &Result<usize, Failure>, now: &str) -> Value {
    let generation = ks["metadata"]["generation"].as_i64().unwrap_or(0);
    let (state, reason, message) = match outcome {
        Ok(keys) => (
            "True",
            "Opened",
            format!(
                "secret {} holds the opened values of {keys} key{}",
                ks["metadata"]["name"].as_str().unwrap_or(""),
                if *keys == 1 { "" } else { "s" }
            ),
        ),
        Err(f) => ("False", f.reason, f.message.clone()),
    };
    let previous = ks["status"]["conditions"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["type"] == "Ready"));
    let since = match previous {
        Some(p) if p["status"] == state && p["reason"] == reason => p["lastTransitionTime"].clone(),
        _ => json!(now),
    };
    json!({
        "observedGeneration": generation,
        "keys": key_count(ks),
        "conditions": [{
            "type": "Ready",
            "status": state,
            "reason": reason,
            "message": message,
            "lastTransitionTime": since,
            "observedGeneration": generation,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ks(extra: Value) -> Value {
        let mut v = json!({
            "apiVersion": "kseal.dev/v1", "kind": "KsealSecret",
            "metadata": {"name": "db", "namespace": "shop", "uid": "u-1", "generation": 3,
                "labels": {"app": "db"},
                "annotations": {"team": "a", "kseal.dev/adopt": "true",
                    "kubectl.kubernetes.io/last-applied-configuration": "{}"}},
            "type": "Opaque",
        });
        for (k, val) in extra.as_object().unwrap() {
            v[k] = val.clone();
        }
        v
    }

    #[test]
    fn plain_values_pass_and_metadata_is_carried_with_an_owner() {
        let out = desired_secret(&ks(json!({"stringData": {"a": "plain"}, "immutable": true})), &[]).unwrap();
        let s: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(s["kind"], "Secret");
        assert_eq!(
            s["metadata"]["labels"],
            json!({"app": "db", MANAGED_LABEL: "true"})
        );
        assert_eq!(s["metadata"]["annotations"], json!({"team": "a"}));
        assert_eq!(s["metadata"]["ownerReferences"][0]["uid"], "u-1");
        assert_eq!(s["metadata"]["ownerReferences"][0]["controller"], true);
        assert_eq!(
            (s["type"].as_str(), s["immutable"].as_bool()),
            (Some("Opaque"), Some(true))
        );
        assert_eq!(s["stringData"]["a"], "plain");
    }

    #[test]
    fn failures_have_reasons_and_never_values() {
        let f = desired_secret(&ks(json!({"data": {"a": "not*base64"}})), &[]).unwrap_err();
        assert_eq!(f.reason, "Malformed");
        assert!(
            !f.message.contains("not*base64") || f.message.contains("base64"),
            "{}",
            f.message
        );
        let f = desired_secret(&ks(json!({"stringData": {"a": "kseal:v3:broken"}})), &[]).unwrap_err();
        assert!(["Malformed", "Tampered"].contains(&f.reason), "{f:?}");
    }

    #[test]
    fn the_same_status_twice_is_the_same_object() {
        let mut k = ks(json!({"stringData": {"a": "x", "b": "y"}}));
        let first = status(&k, &Ok(2), "2026-12-07T00:00:00Z");
        assert_eq!(first["keys"], 2);
        k["status"] = first.clone();
        assert_eq!(status(&k, &Ok(2), "2026-12-07T01:00:00Z"), first);
        let failed = status(&k, &Err(Failure::new("Tampered", "m")), "2026-12-07T02:00:00Z");
        assert_eq!(
            failed["conditions"][0]["lastTransitionTime"],
            "2026-12-07T02:00:00Z"
        );
        assert!(controlled_by(
            &json!({"metadata": {"ownerReferences": [{"uid": "u-1", "controller": true}]}}),
            "u-1"
        ));
        assert!(!controlled_by(&json!({"metadata": {}}), "u-1"));
        assert!(may_adopt(&k));
    }
}
