//! `kseal apply`: open every sealed Secret, then server-side apply every document with field
//! manager `kseal`, kinds resolved through discovery, namespaces and other cluster-scoped objects
//! first, with bounded concurrency.

use std::collections::{BTreeMap, BTreeSet};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use futures::{FutureExt, StreamExt};
use kube::api::{ApiResource, DynamicObject, Patch, PatchParams};
use kube::discovery::{ApiCapabilities, Scope};
use kube::Api;
use serde_json::{Map, Value};

use crate::manifest::ZeroizingJson;
use sha2::{Digest, Sha256};

use super::{api_error, api_error_about_secret, Cluster};
use crate::error::{Error, Location};

/// The field manager kseal applies with.
pub const FIELD_MANAGER: &str = "kseal";

/// One document to apply, already opened.
pub struct Object {
    pub origin: Location,
    pub value: Value,
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// Where the object goes if it is namespaced and names no namespace (else the context's).
    pub default_namespace: Option<String>,
}

/// An object may be an opened Secret: its strings are zeroized when it is dropped (issue 36).
impl Drop for Object {
    fn drop(&mut self) {
        crate::manifest::zeroize_json(&mut self.value);
    }
}

impl Object {
    fn is_secret(&self) -> bool {
        self.api_version == "v1" && self.kind == "Secret"
    }
}

/// Reads the documents of one opened file (sealed values already opened) into objects: `List`
/// items are expanded and empty documents skipped. Each object is sent as the manifest says, as
/// `kubectl apply --server-side` does: a Secret's `stringData` stays `stringData`, so a key another
/// field manager owns there is a conflict, not silently overwritten.
pub fn objects_of(text: &str, file: &Location) -> Result<Vec<Object>, Error> {
    let docs: Vec<Value> = serde_saphyr::from_str_multiple(text).map_err(|e| {
        // serde-saphyr's messages quote the input; say where without showing it.
        let at = e
            .to_string()
            .lines()
            .next()
            .map(str::to_string)
            .unwrap_or_default();
        let at = at.split(" at ").last().unwrap_or("").to_string();
        Error::input(file.clone(), format!("not a valid YAML/JSON stream (at {at})"))
    })?;
    let mut out = Vec::new();
    for (i, doc) in docs.into_iter().enumerate() {
        let origin = file.clone().with_document(i + 1);
        match doc {
            Value::Null => {}
            // Anything with an `items` list (`List`, typed lists such as `SecretList`, even a kind
            // that is no list): kubectl applies the items one by one, not the wrapper (see
            // manifest::secret::list_items); items of a typed list may leave out apiVersion and kind.
            Value::Object(_) if doc["items"].is_array() => {
                let list_kind = doc["kind"].as_str().unwrap_or_default();
                let item_kind = list_kind.strip_suffix("List").filter(|k| !k.is_empty());
                for mut item in doc["items"].as_array().cloned().unwrap_or_default() {
                    if let (Some(kind), Some(obj)) = (item_kind, item.as_object_mut()) {
                        if !obj.contains_key("kind") && !obj.contains_key("apiVersion") {
                            obj.insert("kind".into(), Value::String(kind.into()));
                            obj.insert("apiVersion".into(), doc["apiVersion"].clone());
                        }
                    }
                    out.push(object(item, &origin)?);
                }
            }
            Value::Object(_) => out.push(object(doc, &origin)?),
            _ => {
                return Err(Error::input(
                    origin,
                    "a document that is not a mapping cannot be applied",
                ))
            }
        }
    }
    Ok(out)
}

fn object(value: Value, origin: &Location) -> Result<Object, Error> {
    let text = |v: &Value, field: &str| {
        v.get(field)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (Some(api_version), Some(kind)) = (text(&value, "apiVersion"), text(&value, "kind")) else {
        return Err(Error::input(
            origin.clone(),
            "every document needs apiVersion and kind",
        ));
    };
    let Some(name) = value.get("metadata").and_then(|m| text(m, "name")) else {
        return Err(Error::input(
            origin.clone(),
            format!("{kind} without metadata.name"),
        ));
    };
    Ok(Object {
        origin: origin.clone(),
        value,
        api_version,
        kind,
        name,
        default_namespace: None,
    })
}

/// The keys of a Secret's `data` and `stringData`.
fn secret_keys(v: &Value) -> BTreeSet<String> {
    ["data", "stringData"]
        .iter()
        .filter_map(|f| v.get(*f).and_then(Value::as_object))
        .flat_map(|m| m.keys().cloned())
        .collect()
}

/// The Secret keys (under `f:data` or `f:stringData`) that the managers selected by `mine` own.
fn owned_keys(object: &Value, mine: impl Fn(&str, &str) -> bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for entry in object["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let manager = entry["manager"].as_str().unwrap_or("");
        let operation = entry["operation"].as_str().unwrap_or("");
        if !mine(manager, operation) {
            continue;
        }
        for field in ["f:data", "f:stringData"] {
            if let Some(keys) = entry["fieldsV1"][field].as_object() {
                out.extend(
                    keys.keys()
                        .filter_map(|k| k.strip_prefix("f:"))
                        .map(str::to_string),
                );
            }
        }
    }
    out
}

/// Keys kseal applied before (as `data` or `stringData`), no longer in the manifest, and owned by
/// no other manager. Server-side apply removes a dropped `data` key itself; a dropped
/// `stringData` key it cannot (`stringData` is never stored: the value lives on in `data`, owned
/// by nobody), so `apply` removes those with a merge patch. Also the keys `--diff` reports as removed.
fn orphaned_keys(current: &Value, desired: &Value) -> BTreeSet<String> {
    let mine = owned_keys(current, |m, op| m == FIELD_MANAGER && op == "Apply");
    let others = owned_keys(current, |m, op| !(m == FIELD_MANAGER && op == "Apply"));
    let wanted = secret_keys(desired);
    let stored: BTreeSet<String> = current
        .get("data")
        .and_then(Value::as_object)
        .map(|d| d.keys().cloned().collect())
        .unwrap_or_default();
    mine.into_iter()
        .filter(|k| !wanted.contains(k) && !others.contains(k) && stored.contains(k))
        .collect()
}

/// One parse, one truth: the Secrets `apply` is about to send must be exactly the Secrets whose
/// values were opened, with the same namespace, name and keys (the bindings were checked against
/// those). kseal refuses the YAML features that make parsers disagree, so this never fires unless a
/// parser changes under us; it is the check that keeps a disagreement from reaching the cluster.
pub fn check_one_truth(
    opened: &[crate::manifest::open::OpenedSecret],
    objects: &[Object],
    file: &Location,
) -> Result<(), Error> {
    let sent: Vec<&Object> = objects.iter().filter(|o| o.is_secret()).collect();
    let differ = |what: String| {
        Error::input(
            file.clone(),
            format!(
                "{what}: the manifest reads differently to kseal and to the YAML parser apply sends \
                 with; refusing to apply it (write the Secrets out plainly, without YAML tricks)"
            ),
        )
    };
    if sent.len() != opened.len() {
        return Err(differ(format!(
            "{} Secrets were opened but {} would be sent",
            opened.len(),
            sent.len()
        )));
    }
    for (o, s) in sent.iter().zip(opened) {
        let namespace = o.value["metadata"]
            .get("namespace")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty());
        let keys = secret_keys(&o.value);
        if Some(o.name.as_str()) != s.name.as_deref() || namespace != s.namespace.as_deref() || keys != s.keys
        {
            return Err(differ(format!("{} ({})", o.name, o.origin)));
        }
    }
    Ok(())
}

/// What `apply` does besides applying.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// `--dry-run=server`: every request carries `dryRun=All`.
    pub dry_run: bool,
    /// `--diff`: report what would change (through a server dry run), apply nothing.
    pub diff: bool,
    /// `--force-conflicts`: take over fields another manager owns.
    pub force: bool,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// `--remove-last-applied`: drop a Secret's client-side `last-applied-configuration`
    /// annotation (it holds the values of the last `kubectl apply` in plain text).
    pub remove_last_applied: bool,
}

/// The result of applying everything.
#[derive(Default)]
pub struct Report {
    /// One line per object, in input order within each phase.
    pub lines: Vec<String>,
    pub errors: Vec<Error>,
    pub counts: BTreeMap<&'static str, usize>,
    /// Things the user should know (a plaintext last-applied annotation left on a Secret).
    pub warnings: Vec<String>,
}

/// What `apply_one` reports: the output line, what happened, and a warning if any.
type Applied = (String, &'static str, Option<String>);

/// `secret/db`, `deployment.apps/web`: how kubectl names an object.
pub(super) fn reference(ar: &ApiResource, name: &str) -> String {
    let kind = ar.kind.to_lowercase();
    if ar.group.is_empty() {
        format!("{kind}/{name}")
    } else {
        format!("{kind}.{}/{name}", ar.group)
    }
}

/// An object without what the server maintains, for "did anything change" comparisons.
fn comparable(mut v: Value) -> Value {
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        for f in ["managedFields", "resourceVersion", "generation"] {
            meta.remove(f);
        }
    }
    if let Some(o) = v.as_object_mut() {
        o.remove("status");
    }
    v
}

/// Hashes of a Secret's values by key (`data` is base64; the hash is of the decoded bytes).
fn hashed_data(v: Option<&Value>) -> BTreeMap<String, [u8; 32]> {
    let mut out = BTreeMap::new();
    if let Some(Value::Object(data)) = v.and_then(|v| v.get("data")) {
        for (k, val) in data {
            let bytes = val
                .as_str()
                .and_then(|s| STANDARD.decode(s).ok())
                .unwrap_or_default();
            out.insert(k.clone(), Sha256::digest(&bytes).into());
        }
    }
    out
}

/// Which keys a Secret change adds, changes and removes, compared by hash.
fn secret_diff(before: Option<&Value>, after: &Value) -> String {
    let (b, a) = (hashed_data(before), hashed_data(Some(after)));
    let keys: BTreeSet<&String> = b.keys().chain(a.keys()).collect();
    let mut parts = Vec::new();
    for k in keys {
        match (b.get(k), a.get(k)) {
            (None, Some(_)) => parts.push(format!("+{k}")),
            (Some(_), None) => parts.push(format!("-{k}")),
            (Some(x), Some(y)) if x != y => parts.push(format!("~{k}")),
            _ => {}
        }
    }
    if parts.is_empty() {
        "no key changes".into()
    } else {
        format!("keys {}", parts.join(" "))
    }
}

/// Resolves every kind through discovery, once per apiVersion/kind. Any unknown kind stops
/// everything before a single write.
async fn discover(
    cluster: &Cluster,
    objects: &[Object],
) -> Result<BTreeMap<(String, String), (ApiResource, ApiCapabilities)>, Error> {
    let mut out = BTreeMap::new();
    for o in objects {
        let key = (o.api_version.clone(), o.kind.clone());
        if out.contains_key(&key) {
            continue;
        }
        let (group, version) = o.api_version.split_once('/').unwrap_or(("", &o.api_version));
        let gvk = kube::api::GroupVersionKind::gvk(group, version, &o.kind);
        let what = format!("{} (kind {} {}, {})", o.name, o.api_version, o.kind, o.origin);
        let found = kube::discovery::pinned_kind(&cluster.client, &gvk)
            .await
            .map_err(|e| match e {
                kube::Error::Discovery(d) => Error::cluster(format!(
                    "{what}: discovery failed: the server does not serve this kind ({d})"
                )),
                // The real server answers an unserved group with a plain-text 404, which kube
                // reports as "Failed to parse error data": say what it means.
                kube::Error::Api(s) if s.code == 404 => Error::cluster(format!(
                    "{what}: the server does not serve {}: is the CustomResourceDefinition installed?",
                    o.api_version
                ))
                .with_source(kube::Error::Api(s)),
                e => api_error(&what, "discovery", &cluster.server, e),
            })?;
        out.insert(key, found);
    }
    Ok(out)
}

/// A JSON merge patch of one Secret (removing keys or an annotation); returns the object after it.
async fn merge_patch_secret(
    cluster: &Cluster,
    api: &Api<DynamicObject>,
    name: &str,
    patch: &Value,
    what: &str,
    verb: &str,
) -> Result<Value, Error> {
    let patched = api
        .patch(name, &PatchParams::default(), &Patch::Merge(patch))
        .await
        .map_err(|e| api_error_about_secret(what, verb, &cluster.server, e))?;
    Ok(serde_json::to_value(patched).expect("objects serialize"))
}

/// Applies one object; returns its output line and what happened.
async fn apply_one(
    cluster: &Cluster,
    o: &Object,
    ar: &ApiResource,
    caps: &ApiCapabilities,
    opts: Options,
) -> Result<Applied, Error> {
    // What is sent, what was there and what comes back may all hold opened values.
    let mut desired = ZeroizingJson(o.value.clone());
    let namespace = place(cluster, o, caps, &mut desired);
    let api: Api<DynamicObject> = match &namespace {
        Some(ns) => Api::namespaced_with(cluster.client.clone(), ns, ar),
        None => Api::all_with(cluster.client.clone(), ar),
    };
    let reference = reference(ar, &o.name);
    let what = match &namespace {
        Some(ns) => format!("{reference} in namespace {ns} ({})", o.origin),
        None => format!("{reference} ({})", o.origin),
    };
    let current = api
        .get_opt(&o.name)
        .await
        .map_err(|e| api_error(&what, "get", &cluster.server, e))?;
    let current = current.map(|c| ZeroizingJson(serde_json::to_value(c).expect("objects serialize")));
    let mut params = PatchParams::apply(FIELD_MANAGER);
    params.force = opts.force;
    params.dry_run = opts.dry_run || opts.diff;
    let result = api
        .patch(&o.name, &params, &Patch::Apply(&*desired))
        .await
        .map_err(|e| apply_error(cluster, o, &what, opts, e))?;
    let mut result = ZeroizingJson(serde_json::to_value(result).expect("objects serialize"));
    let mut warning = None;
    if o.is_secret() {
        let target = Target {
            cluster,
            api: &api,
            name: &o.name,
            what: &what,
            dry_run: params.dry_run,
        };
        let dropped = current
            .as_ref()
            .map(|c| orphaned_keys(c, &desired))
            .unwrap_or_default();
        let kept = target.remove_keys(std::mem::take(&mut *result), &dropped).await?;
        let (kept, said) = target.last_applied(kept, opts.remove_last_applied).await?;
        *result = kept;
        warning = said;
    }
    // A real write that changed anything (managed fields included) moves the resourceVersion; a
    // dry run does not, so there the content decides.
    let rv = |v: &Value| v["metadata"]["resourceVersion"].clone();
    let outcome = match &current {
        None => "created",
        Some(c) if !params.dry_run && rv(c) != rv(&result) => "configured",
        Some(c)
            if *ZeroizingJson(comparable(c.0.clone())) == *ZeroizingJson(comparable(result.0.clone())) =>
        {
            "unchanged"
        }
        Some(_) => "configured",
    };
    let line = if opts.diff {
        let change = match outcome {
            "created" => "would be created",
            "configured" => "would change",
            _ => "unchanged",
        };
        if o.is_secret() && outcome != "unchanged" {
            format!(
                "{reference}: {change}: {}",
                secret_diff(current.as_ref().map(|c| &c.0), &result)
            )
        } else {
            format!("{reference}: {change}")
        }
    } else if opts.dry_run {
        format!("{reference} {outcome} (server dry run)")
    } else {
        format!("{reference} {outcome}")
    };
    Ok((line, outcome, warning))
}

/// Where the object goes: its namespace, else the input's default, else the context's, written
/// into `desired`; `None` (and no namespace in `desired`) for a cluster-scoped kind.
fn place(cluster: &Cluster, o: &Object, caps: &ApiCapabilities, desired: &mut Value) -> Option<String> {
    if caps.scope == Scope::Namespaced {
        let ns = desired["metadata"]
            .get("namespace")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .or_else(|| o.default_namespace.clone())
            .unwrap_or_else(|| cluster.namespace.clone());
        desired["metadata"]["namespace"] = Value::String(ns.clone());
        Some(ns)
    } else {
        if let Some(m) = desired["metadata"].as_object_mut() {
            m.remove("namespace");
        }
        None
    }
}

/// A failed server-side apply, saying what to do about a conflict.
fn apply_error(cluster: &Cluster, o: &Object, what: &str, opts: Options, e: kube::Error) -> Error {
    let conflict = matches!(&e, kube::Error::Api(s) if s.code == 409);
    let mut err = if o.is_secret() {
        api_error_about_secret(what, "apply (server-side, PATCH)", &cluster.server, e)
    } else {
        api_error(what, "apply (server-side, PATCH)", &cluster.server, e)
    };
    if conflict && !opts.force {
        err.message.push_str(
            " (another field manager owns these fields: make sure kseal should own them, then pass \
             --force-conflicts to take them over, as with kubectl apply --server-side --force-conflicts)",
        );
    }
    err
}

/// An applied Secret, for what server-side apply leaves behind.
struct Target<'a> {
    cluster: &'a Cluster,
    api: &'a Api<DynamicObject>,
    name: &'a str,
    what: &'a str,
    dry_run: bool,
}

impl Target<'_> {
    /// Keys the manifest no longer has but apply left (`dropped`, see [`orphaned_keys`]) are
    /// removed; a dry run only leaves them out of the result.
    async fn remove_keys(&self, mut result: Value, dropped: &BTreeSet<String>) -> Result<Value, Error> {
        if dropped.is_empty() {
            return Ok(result);
        }
        if self.dry_run {
            if let Some(data) = result.get_mut("data").and_then(Value::as_object_mut) {
                data.retain(|k, _| !dropped.contains(k));
            }
            return Ok(result);
        }
        let patch = serde_json::json!({"data": dropped.iter().map(|k| (k.clone(), Value::Null)).collect::<Map<String, Value>>()});
        let verb = "remove keys dropped from stringData (merge PATCH)";
        merge_patch_secret(self.cluster, self.api, self.name, &patch, self.what, verb).await
    }

    /// A Secret once applied client-side keeps its old values, in plain text, in the
    /// last-applied annotation: removed when asked, else a warning.
    async fn last_applied(&self, result: Value, remove: bool) -> Result<(Value, Option<String>), Error> {
        let annotation = crate::manifest::secret::LAST_APPLIED;
        if result["metadata"]["annotations"].get(annotation).is_none() {
            return Ok((result, None));
        }
        if remove && !self.dry_run {
            let patch = serde_json::json!({"metadata": {"annotations": {annotation: null}}});
            let verb = "remove the last-applied annotation (merge PATCH)";
            let result =
                merge_patch_secret(self.cluster, self.api, self.name, &patch, self.what, verb).await?;
            return Ok((result, None));
        }
        let warning = format!(
            "{} carries the {annotation} annotation of an earlier client-side `kubectl apply`, which holds its values in plain text: rerun with --remove-last-applied to drop it",
            self.what
        );
        Ok((result, Some(warning)))
    }
}

/// Applies `objects`: namespaces first, then other cluster-scoped objects, then namespaced ones.
/// Within a phase up to `concurrency` requests are in flight; lines keep the input order. A
/// failed object is reported and the others go on; later phases still run. `each` is called as
/// each object's request completes (a progress line's count).
pub async fn apply(
    cluster: &Cluster,
    objects: &[Object],
    opts: Options,
    each: &(dyn Fn() + Sync),
) -> Result<Report, Error> {
    let kinds = discover(cluster, objects).await?;
    let phase = |o: &Object| {
        let (_, caps) = &kinds[&(o.api_version.clone(), o.kind.clone())];
        match (o.api_version.as_str(), o.kind.as_str(), &caps.scope) {
            ("v1", "Namespace", _) => 0,
            (_, _, Scope::Cluster) => 1,
            _ => 2,
        }
    };
    let mut report = Report::default();
    for p in 0..3 {
        let batch: Vec<&Object> = objects.iter().filter(|o| phase(o) == p).collect();
        let results: Vec<_> = futures::stream::iter(batch)
            .map(|o| {
                let (ar, caps) = &kinds[&(o.api_version.clone(), o.kind.clone())];
                apply_one(cluster, o, ar, caps, opts).inspect(|_| each())
            })
            .buffered(opts.concurrency.max(1))
            .collect()
            .await;
        for r in results {
            match r {
                Ok((line, outcome, warning)) => {
                    report.lines.push(line);
                    report.warnings.extend(warning);
                    *report.counts.entry(outcome).or_default() += 1;
                }
                Err(e) => report.errors.push(e),
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_data_is_sent_as_the_manifest_says() {
        let objs = objects_of(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  a: x\ndata:\n  b: eQ==\n",
            &Location::file("f"),
        )
        .unwrap();
        assert_eq!(objs[0].value["data"], serde_json::json!({"b": "eQ=="}));
        assert_eq!(objs[0].value["stringData"], serde_json::json!({"a": "x"}));
    }

    #[test]
    fn keys_dropped_from_the_manifest_that_only_kseal_owned_are_orphans() {
        // As the real server records them: kseal applied stringData.a and data.b; kubectl owns c.
        let current = serde_json::json!({
            "metadata": {"managedFields": [
                {"manager": "kseal", "operation": "Apply", "fieldsV1": {"f:data": {"f:b": {}}, "f:stringData": {"f:a": {}}}},
                {"manager": "kubectl", "operation": "Apply", "fieldsV1": {"f:data": {"f:c": {}}}},
            ]},
            "data": {"a": "eA==", "b": "eQ==", "c": "eg=="},
        });
        assert_eq!(
            orphaned_keys(&current, &serde_json::json!({"data": {"b": "eQ=="}})),
            BTreeSet::from(["a".to_string()])
        );
        assert!(orphaned_keys(
            &current,
            &serde_json::json!({"stringData": {"a": "x"}, "data": {"b": "eQ=="}})
        )
        .is_empty());
        // A key another manager also owns is left to it.
        let shared = serde_json::json!({
            "metadata": {"managedFields": [
                {"manager": "kseal", "operation": "Apply", "fieldsV1": {"f:stringData": {"f:a": {}}}},
                {"manager": "kubectl", "operation": "Apply", "fieldsV1": {"f:stringData": {"f:a": {}}}},
            ]},
            "data": {"a": "eA=="},
        });
        assert!(orphaned_keys(&shared, &serde_json::json!({})).is_empty());
    }

    #[test]
    fn typed_lists_are_expanded_as_kubectl_does() {
        let text = "apiVersion: v1\nkind: SecretList\nitems:\n- metadata: {name: a}\n  stringData: {k: v}\n---\napiVersion: apps/v1\nkind: DeploymentList\nitems:\n- metadata: {name: d}\n  spec: {}\n";
        let objs = objects_of(text, &Location::file("f")).unwrap();
        let kinds: Vec<(String, String, String)> = objs
            .iter()
            .map(|o| (o.api_version.clone(), o.kind.clone(), o.name.clone()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("v1".into(), "Secret".into(), "a".into()),
                ("apps/v1".into(), "Deployment".into(), "d".into())
            ]
        );
    }

    #[test]
    fn lists_are_expanded_and_empty_documents_skipped() {
        let text = "---\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n";
        let objs = objects_of(text, &Location::file("f")).unwrap();
        assert_eq!(
            objs.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        let err = objects_of("apiVersion: v1\nkind: ConfigMap\n", &Location::file("f"))
            .err()
            .unwrap();
        assert!(err.to_string().contains("ConfigMap without metadata.name"));
    }

    #[test]
    fn apply_refuses_objects_that_differ_from_what_was_opened() {
        use crate::manifest::open::OpenedSecret;
        let file = Location::file("f");
        let objs = objects_of(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: prod}\nstringData: {a: x}\ndata: {b: eQ==}\n",
            &file,
        )
        .unwrap();
        let opened = |ns: &str, name: &str, keys: &[&str]| OpenedSecret {
            document: 1,
            namespace: Some(ns.into()),
            name: Some(name.into()),
            keys: keys.iter().map(|k| k.to_string()).collect(),
        };
        assert!(check_one_truth(&[opened("prod", "db", &["a", "b"])], &objs, &file).is_ok());
        for other in [
            opened("attacker", "db", &["a", "b"]),
            opened("prod", "web", &["a", "b"]),
            opened("prod", "db", &["a"]),
        ] {
            let err = check_one_truth(&[other], &objs, &file).unwrap_err().to_string();
            assert!(err.contains("reads differently"), "{err}");
        }
        assert!(check_one_truth(&[], &objs, &file).is_err());
    }

    #[test]
    fn secret_diffs_name_keys_never_values() {
        let before = serde_json::json!({"data": {"a": "YQ==", "b": "Yg==", "c": "Yw=="}});
        let after = serde_json::json!({"data": {"a": "YQ==", "b": "Qg==", "d": "ZA=="}});
        assert_eq!(secret_diff(Some(&before), &after), "keys ~b -c +d");
        assert_eq!(secret_diff(Some(&before), &before), "no key changes");
    }
}
