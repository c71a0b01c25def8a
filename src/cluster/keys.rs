//! The cluster key pair (README.md, "On the cluster"), stored in the cluster: namespace `kseal`, Secret
//! `kseal-keys` with one `<yyyymmdd>-<kid>.agekey` entry per key (the layout Flux's SOPS age
//! decryption also reads), ConfigMap `kseal-public-key` with the newest recipient, readable by
//! every authenticated user through a Role and RoleBinding.

use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kube::api::{ApiResource, DynamicObject, Patch, PatchParams};
use kube::Api;
use serde_json::json;
use zeroize::Zeroizing;

use super::apply::{reference, FIELD_MANAGER};
use super::{api_error, Cluster};
use crate::crypto::{keys, Identity, Recipient};
use crate::error::Error;

pub const NAMESPACE: &str = "kseal";
pub const KEY_SECRET: &str = "kseal-keys";
pub const PUBLIC_CONFIGMAP: &str = "kseal-public-key";
pub const READER: &str = "kseal-public-key-reader";

const MANAGED_BY: &str = "app.kubernetes.io/managed-by";

fn today() -> String {
    let now = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    now[..10].replace('-', "")
}

/// A new identity and its Secret entry.
fn new_key() -> (String, Identity, Zeroizing<String>) {
    let id = Identity::generate();
    let created = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let text = keys::identity_file_text(&id, &created);
    (format!("{}-{}.agekey", today(), id.kid()), id, text)
}

/// The key entries of `kseal-keys`, oldest first (names start with the creation date). `None` if
/// the Secret does not exist.
async fn key_entries(cluster: &Cluster) -> Result<Option<Vec<(String, Zeroizing<String>)>>, Error> {
    let api: Api<Secret> = Api::namespaced(cluster.client.clone(), NAMESPACE);
    let what = format!("secret/{KEY_SECRET} in namespace {NAMESPACE}");
    let Some(secret) = api
        .get_opt(KEY_SECRET)
        .await
        .map_err(|e| api_error(&what, "get", &cluster.server, e))?
    else {
        return Ok(None);
    };
    let mut entries: Vec<(String, Zeroizing<String>)> = secret
        .data
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| k.ends_with(".agekey"))
        .map(|(k, v)| (k, Zeroizing::new(String::from_utf8_lossy(&v.0).into_owned())))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Some(entries))
}

/// Every identity in the cluster's key Secret (`--identity-from-cluster`): opening tries all.
pub async fn identities(cluster: &Cluster) -> Result<Vec<Identity>, Error> {
    let Some(entries) = key_entries(cluster).await? else {
        return Err(Error::cluster(format!(
            "secret/{KEY_SECRET} in namespace {NAMESPACE} does not exist: run `kseal cluster init` first"
        )));
    };
    let mut out = Vec::new();
    for (name, text) in &entries {
        let ids = keys::parse_identities(text).map_err(|e| {
            Error::cluster(format!(
                "secret/{KEY_SECRET} in namespace {NAMESPACE}: entry {name}: {e}"
            ))
        })?;
        out.extend(ids);
    }
    if out.is_empty() {
        return Err(Error::cluster(format!(
            "secret/{KEY_SECRET} in namespace {NAMESPACE} holds no key"
        )));
    }
    Ok(out)
}

/// Server-side applies one of kseal's own objects (forcing: they are kseal's to manage).
async fn apply_object<K: kube::Resource<DynamicType = ()>>(
    cluster: &Cluster,
    body: serde_json::Value,
) -> Result<(), Error> {
    let ar = ApiResource::erase::<K>(&());
    let name = body["metadata"]["name"]
        .as_str()
        .expect("kseal's objects are named");
    let (api, what) = match body["metadata"]["namespace"].as_str() {
        Some(ns) => (
            Api::<DynamicObject>::namespaced_with(cluster.client.clone(), ns, &ar),
            format!("{} in namespace {ns}", reference(&ar, name)),
        ),
        None => (Api::all_with(cluster.client.clone(), &ar), reference(&ar, name)),
    };
    api.patch(
        name,
        &PatchParams::apply(FIELD_MANAGER).force(),
        &Patch::Apply(&body),
    )
    .await
    .map(drop)
    .map_err(|e| api_error(&what, "apply (server-side, PATCH)", &cluster.server, e))
}

async fn write_keys(cluster: &Cluster, entries: &[(String, Zeroizing<String>)]) -> Result<(), Error> {
    use base64::Engine;
    let data: serde_json::Map<String, serde_json::Value> = entries
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                json!(base64::engine::general_purpose::STANDARD.encode(v.as_bytes())),
            )
        })
        .collect();
    let body = json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": KEY_SECRET, "namespace": NAMESPACE, "labels": {MANAGED_BY: "kseal"}},
        "type": "Opaque",
        "data": data,
    });
    apply_object::<Secret>(cluster, body).await
}

async fn publish(cluster: &Cluster, recipient: &Recipient) -> Result<(), Error> {
    let body = json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": PUBLIC_CONFIGMAP, "namespace": NAMESPACE, "labels": {MANAGED_BY: "kseal"}},
        "data": {"recipient": recipient.to_string()},
    });
    apply_object::<ConfigMap>(cluster, body).await
}

/// What `cluster init` made.
pub struct Initialised {
    pub recipient: Recipient,
    /// The new identity file, age-encrypted to the `--backup-to` recipients (if any).
    pub backup: Option<String>,
}

/// `cluster init`: refuses if the key Secret exists; else creates the namespace, the key, the
/// public ConfigMap and the Role and RoleBinding that let every authenticated user read it.
pub async fn init(cluster: &Cluster, backup_to: &[Recipient]) -> Result<Initialised, Error> {
    if key_entries(cluster).await?.is_some() {
        return Err(Error::usage(format!(
            "this cluster already has secret/{KEY_SECRET} in namespace {NAMESPACE}; `kseal cluster rotate-key` adds a key, `kseal cluster fetch-key` prints the public one"
        )));
    }
    let (entry, id, text) = new_key();
    let backup = if backup_to.is_empty() {
        None
    } else {
        Some(
            keys::age_encrypt_armored(text.as_bytes(), backup_to)
                .map_err(|e| Error::usage(format!("backup: {e}")))?,
        )
    };
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE, "labels": {MANAGED_BY: "kseal"}}});
    apply_object::<Namespace>(cluster, ns).await?;
    write_keys(cluster, &[(entry, text)]).await?;
    publish(cluster, id.recipient()).await?;
    let role = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": READER, "namespace": NAMESPACE, "labels": {MANAGED_BY: "kseal"}},
        "rules": [{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": [PUBLIC_CONFIGMAP], "verbs": ["get"]}],
    });
    apply_object::<Role>(cluster, role).await?;
    let binding = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": READER, "namespace": NAMESPACE, "labels": {MANAGED_BY: "kseal"}},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": READER},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:authenticated"}],
    });
    apply_object::<RoleBinding>(cluster, binding).await?;
    Ok(Initialised {
        recipient: id.recipient().clone(),
        backup,
    })
}

/// `cluster fetch-key`: the newest public key, from the ConfigMap (no access to the Secret needed).
pub async fn fetch_key(cluster: &Cluster) -> Result<Recipient, Error> {
    let api: Api<ConfigMap> = Api::namespaced(cluster.client.clone(), NAMESPACE);
    let what = format!("configmap/{PUBLIC_CONFIGMAP} in namespace {NAMESPACE}");
    let cm = api
        .get_opt(PUBLIC_CONFIGMAP)
        .await
        .map_err(|e| api_error(&what, "get", &cluster.server, e))?
        .ok_or_else(|| Error::cluster(format!("{what} does not exist: run `kseal cluster init` first")))?;
    let text = cm
        .data
        .and_then(|d| d.get("recipient").cloned())
        .ok_or_else(|| Error::cluster(format!("{what} has no `recipient` entry")))?;
    text.trim()
        .parse()
        .map_err(|e: keys::KeyError| Error::cluster(format!("{what}: recipient: {e}")))
}

/// `cluster rotate-key`: adds a newer key; the ConfigMap then names it, so sealing uses it, and
/// opening still tries every key in the Secret.
pub async fn rotate_key(cluster: &Cluster) -> Result<Recipient, Error> {
    let Some(mut entries) = key_entries(cluster).await? else {
        return Err(Error::cluster(format!(
            "secret/{KEY_SECRET} in namespace {NAMESPACE} does not exist: run `kseal cluster init` first"
        )));
    };
    let (entry, id, text) = new_key();
    entries.push((entry, text));
    write_keys(cluster, &entries).await?;
    publish(cluster, id.recipient()).await?;
    Ok(id.recipient().clone())
}

/// `cluster backup`: every key of the cluster, age-encrypted to `to`.
pub async fn backup(cluster: &Cluster, to: &[Recipient]) -> Result<(usize, String), Error> {
    let Some(entries) = key_entries(cluster).await? else {
        return Err(Error::cluster(format!(
            "secret/{KEY_SECRET} in namespace {NAMESPACE} does not exist: nothing to back up"
        )));
    };
    let mut all = Zeroizing::new(String::new());
    for (_, text) in &entries {
        all.push_str(text);
    }
    let armored =
        keys::age_encrypt_armored(all.as_bytes(), to).map_err(|e| Error::usage(format!("backup: {e}")))?;
    Ok((entries.len(), armored))
}
