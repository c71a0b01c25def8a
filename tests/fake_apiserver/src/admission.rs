//! Mutating admission webhooks, called as the real kube-apiserver calls them for Secrets: the
//! `MutatingWebhookConfiguration` objects stored in the fake, in name order; rules, namespace
//! selector and `matchConditions` decide which webhooks see a write; each gets an `AdmissionReview`
//! v1 over HTTPS (the `clientConfig.url`, trusting `caBundle`), and its JSONPatch is applied. A
//! denial and a failed call (with `failurePolicy: Fail`) become the real server's Status answers;
//! `tests/webhook.rs` compares them with the real server's.
//!
//! What the fake does not do: evaluate CEL. `matchConditions` may only hold the one expression
//! kseal ships (evaluated natively here); any other expression is refused with a 500 that says so,
//! never silently taken as true. ValidatingAdmissionPolicies are stored but not enforced.

use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

use crate::apply::Failure;
use crate::{Key, State};

#[path = "../../common/https.rs"]
#[allow(dead_code)]
mod https;

/// The form of kseal's `matchConditions` expression (`deploy/webhook/webhook.yaml`, made by
/// `kseal_core::crypto::spelling::cel_holds`): for each `data` value's base64 text, regular
/// expressions on its first 2, its first 4 and its first N characters, which the fake evaluates
/// as CEL's `matches` does (RE2 syntax, which the `regex` crate shares for these expressions).
const KSEAL_CONDITION: (&str, &str) = ("has(object.data) && object.data.exists(k, ", ")");

/// kseal's per-value test, read back from its text: exactly that shape, or nothing (so no other
/// expression is ever taken for it).
struct KsealTest {
    /// `(prefix length, pattern)`, each a necessary condition of the next.
    steps: Vec<(usize, regex::Regex)>,
}

impl KsealTest {
    fn parse(body: &str) -> Option<KsealTest> {
        let shape = regex::Regex::new(concat!(
            r"^size\(object\.data\[k\]\) > 0",
            r" && object\.data\[k\]\.substring\(0, 2\)\.matches\('([^']*)'\)",
            r" && object\.data\[k\]\.substring\(0, 4\)\.matches\('([^']*)'\)",
            r" && \(size\(object\.data\[k\]\) > (\d+) \? object\.data\[k\]\.substring\(0, (\d+)\) : object\.data\[k\]\)\.matches\('([^']*)'\)$",
        ))
        .ok()?;
        let c = shape.captures(body)?;
        let n: usize = c[3].parse().ok()?;
        if c[4] != c[3] {
            return None;
        }
        let re = |i: usize| regex::Regex::new(&c[i]).ok();
        Some(KsealTest {
            steps: vec![(2, re(1)?), (4, re(2)?), (n, re(5)?)],
        })
    }

    fn holds(&self, text: &str) -> bool {
        !text.is_empty()
            && self
                .steps
                .iter()
                .all(|(n, re)| re.is_match(&text[..text.len().min(*n)]))
    }
}

fn list_has(v: &Value, want: &str) -> bool {
    v.as_array()
        .is_some_and(|a| a.iter().any(|x| x == want || x == "*"))
}

fn rules_match(hook: &Value, operation: &str) -> bool {
    hook["rules"].as_array().is_some_and(|rules| {
        rules.iter().any(|r| {
            list_has(&r["apiGroups"], "")
                && list_has(&r["apiVersions"], "v1")
                && list_has(&r["resources"], "secrets")
                && list_has(&r["operations"], operation)
        })
    })
}

/// A label selector (matchLabels, matchExpressions) against a namespace's labels, which always
/// include `kubernetes.io/metadata.name`, as the real server sets it.
fn selector_matches(selector: &Value, labels: &serde_json::Map<String, Value>) -> bool {
    if selector.is_null() {
        return true;
    }
    let label = |k: &str| labels.get(k).and_then(Value::as_str);
    let by_labels = selector["matchLabels"]
        .as_object()
        .is_none_or(|m| m.iter().all(|(k, v)| label(k) == v.as_str()));
    let by_expressions = selector["matchExpressions"].as_array().is_none_or(|exprs| {
        exprs.iter().all(|e| {
            let key = e["key"].as_str().unwrap_or_default();
            let values: Vec<&str> = e["values"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            match e["operator"].as_str() {
                Some("In") => label(key).is_some_and(|v| values.contains(&v)),
                Some("NotIn") => label(key).is_none_or(|v| !values.contains(&v)),
                Some("Exists") => label(key).is_some(),
                Some("DoesNotExist") => label(key).is_none(),
                _ => false,
            }
        })
    });
    by_labels && by_expressions
}

fn namespace_labels(state: &State, ns: &str) -> serde_json::Map<String, Value> {
    let k = Key {
        plural: "namespaces".into(),
        namespace: None,
        name: ns.into(),
    };
    let mut labels = state
        .objects
        .get(&k)
        .and_then(|o| o.object["metadata"]["labels"].as_object().cloned())
        .unwrap_or_default();
    labels.insert("kubernetes.io/metadata.name".into(), json!(ns));
    labels
}

fn conditions_match(hook: &Value, obj: &Value) -> Result<bool, Failure> {
    let Some(conds) = hook["matchConditions"].as_array() else {
        return Ok(true);
    };
    for c in conds {
        let expr = c["expression"].as_str().unwrap_or_default();
        let test = expr
            .strip_prefix(KSEAL_CONDITION.0)
            .and_then(|r| r.strip_suffix(KSEAL_CONDITION.1))
            .and_then(KsealTest::parse);
        let Some(test) = test else {
            return Err(Failure::new(
                500,
                "InternalError",
                format!("the fake API server cannot evaluate CEL; it knows only kseal's matchCondition, not {expr:?}"),
            ));
        };
        let holds = obj["data"]
            .as_object()
            .is_some_and(|d| d.values().any(|v| v.as_str().is_some_and(|s| test.holds(s))));
        if !holds {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Why a call failed, in the words the real server's Go client uses.
fn call(
    url: &str,
    ca_pem: &str,
    cert: Option<&(String, String)>,
    timeout: Duration,
    body: &[u8],
) -> Result<Value, String> {
    let rest = url
        .strip_prefix("https://")
        .ok_or_else(|| format!("unsupported scheme in {url:?}"))?;
    let (addr, path) = rest
        .split_once('/')
        .map(|(a, p)| (a, format!("/{p}")))
        .unwrap_or((rest, "/".into()));
    let seconds = timeout.as_secs();
    let post = format!("Post \"{url}?timeout={seconds}s\"");
    let cert = cert.map(|(c, k)| (c.as_str(), k.as_str()));
    let mut client = https::Client::connect_with_timeout(addr, ca_pem, cert, timeout).map_err(|e| {
        if e.kind() == std::io::ErrorKind::ConnectionRefused {
            format!("{post}: dial tcp {addr}: connect: connection refused")
        } else {
            format!("{post}: {e}")
        }
    })?;
    let (status, answer) = client
        .request("POST", &format!("{path}?timeout={seconds}s"), body)
        .map_err(|e| format!("{post}: {e}"))?;
    if status != 200 {
        return Err(format!("{post}: the server responded with status {status}"));
    }
    serde_json::from_slice(&answer).map_err(|e| format!("{post}: {e}"))
}

/// Runs every matching mutating webhook on a Secret about to be written (after `stringData` was
/// merged into `data`), patching `obj` in place.
pub fn mutate_secret(
    state: &State,
    operation: &str,
    name: &str,
    obj: &mut Value,
    old: Option<&Value>,
    dry_run: bool,
) -> Result<(), Failure> {
    let ns = obj["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let labels = namespace_labels(state, &ns);
    let configs: Vec<&Value> = state
        .objects
        .iter()
        .filter(|(k, _)| k.plural == "mutatingwebhookconfigurations")
        .map(|(_, s)| &s.object)
        .collect();
    for config in configs {
        for hook in config["webhooks"].as_array().into_iter().flatten() {
            let hook_name = hook["name"].as_str().unwrap_or_default();
            if !rules_match(hook, operation) || !selector_matches(&hook["namespaceSelector"], &labels) {
                continue;
            }
            if !conditions_match(hook, obj)? {
                continue;
            }
            let side_effects = hook["sideEffects"].as_str().unwrap_or("Unknown");
            if dry_run && !matches!(side_effects, "None" | "NoneOnDryRun") {
                return Err(Failure::new(
                    400,
                    "BadRequest",
                    format!("admission webhook \"{hook_name}\" does not support dry run"),
                ));
            }
            let fail_closed = hook["failurePolicy"].as_str().unwrap_or("Fail") == "Fail";
            let failed = |why: String| {
                Failure::new(
                    500,
                    "InternalError",
                    format!("Internal error occurred: failed calling webhook \"{hook_name}\": failed to call webhook: {why}"),
                )
            };
            let url = hook["clientConfig"]["url"].as_str();
            let ca = hook["clientConfig"]["caBundle"]
                .as_str()
                .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            let timeout = Duration::from_secs(hook["timeoutSeconds"].as_u64().unwrap_or(10));
            let review = json!({
                "apiVersion": "admission.k8s.io/v1",
                "kind": "AdmissionReview",
                "request": {
                    "uid": format!("fake-{}", state.resource_version + 1),
                    "kind": {"group": "", "version": "v1", "kind": "Secret"},
                    "resource": {"group": "", "version": "v1", "resource": "secrets"},
                    "requestKind": {"group": "", "version": "v1", "kind": "Secret"},
                    "requestResource": {"group": "", "version": "v1", "resource": "secrets"},
                    "name": name,
                    "namespace": ns,
                    "operation": operation,
                    "userInfo": {"username": "fake"},
                    "object": obj,
                    "oldObject": old,
                    "dryRun": dry_run,
                    "options": {"apiVersion": "meta.k8s.io/v1", "kind": if operation == "CREATE" { "CreateOptions" } else { "UpdateOptions" }},
                }
            });
            let answer = match url {
                // A service reference needs the cluster's network, which the fake does not have.
                None => Err(format!(
                    "service {:?} is not reachable from the fake API server",
                    hook["clientConfig"]["service"]["name"]
                )),
                Some(url) => call(
                    url,
                    &ca,
                    state.webhook_client_cert.as_ref(),
                    timeout,
                    review.to_string().as_bytes(),
                ),
            };
            let answer = match answer {
                Ok(a) => a,
                Err(why) if fail_closed => return Err(failed(why)),
                Err(_) => continue,
            };
            let response = &answer["response"];
            if response["allowed"] != json!(true) {
                let status = &response["status"];
                let code = status["code"].as_u64().unwrap_or(400) as u16;
                let message = status["message"].as_str().unwrap_or_default();
                let reason = match code {
                    403 => "Forbidden",
                    _ => "BadRequest",
                };
                return Err(Failure::new(
                    code,
                    reason,
                    format!("admission webhook \"{hook_name}\" denied the request: {message}"),
                ));
            }
            if let Some(p) = response["patch"].as_str() {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(p)
                    .map_err(|e| failed(format!("the patch is not base64: {e}")))?;
                let patch: json_patch::Patch = serde_json::from_slice(&bytes)
                    .map_err(|e| failed(format!("the patch is not a JSONPatch: {e}")))?;
                json_patch::patch(obj, &patch)
                    .map_err(|e| failed(format!("the patch does not apply: {e}")))?;
            }
        }
    }
    Ok(())
}
