//! The cluster key pair (README.md, "On the cluster"), stored in the cluster: namespace `kseal`, Secret
//! `kseal-keys` with one `<yyyymmdd>-<kid>.agekey` entry per key (the layout Flux's SOPS age
//! decryption also reads), ConfigMap `kseal-public-key` with the newest recipient, readable by
//! every authenticated user through a Role and RoleBinding.

use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kube::api::{ApiResource, DynamicObject, Patch, PatchParams, PostParams};
use kube::Api;
use serde_json::json;
use zeroize::Zeroizing;

use super::apply::{reference, FIELD_MANAGER};
use super::{api_error, Cluster};
use crate::crypto::{keys, Identity, Recipient};
use crate::error::{Error, Location};

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

/// The sealed-secrets controller's private keys (`tls.key` of every Secret labelled
/// `sealedsecrets.bitnami.com/sealed-secrets-key` in `namespace`, as the controller finds them), for
/// `import-sealedsecret --controller-keys-from-cluster`: read into memory, never written to disk.
pub async fn sealed_secrets_keys(
    cluster: &Cluster,
    namespace: &str,
) -> Result<Vec<Zeroizing<String>>, Error> {
    let api: Api<Secret> = Api::namespaced(cluster.client.clone(), namespace);
    let label = "sealedsecrets.bitnami.com/sealed-secrets-key";
    let what = format!("secrets labelled {label} in namespace {namespace}");
    let list = api
        .list(&kube::api::ListParams::default().labels(label))
        .await
        .map_err(|e| api_error(&what, "list", &cluster.server, e))?;
    let keys: Vec<Zeroizing<String>> = list
        .items
        .into_iter()
        .filter_map(|s| s.data.and_then(|mut d| d.remove("tls.key")))
        .map(|b| Zeroizing::new(String::from_utf8_lossy(&b.0).into_owned()))
        .collect();
    if keys.is_empty() {
        return Err(Error::cluster(format!(
            "no {what} holds a tls.key: is the controller in another namespace (--controller-namespace)?"
        )));
    }
    Ok(keys)
}

/// Server-side applies one of kseal's own objects (forcing: they are kseal's to manage).
pub(super) async fn apply_object<K: kube::Resource<DynamicType = ()>>(
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

/// The key Secret with these entries (and, for an update, the resourceVersion it replaces).
fn key_secret(
    entries: &[(String, Zeroizing<String>)],
    namespace: &str,
    resource_version: Option<String>,
) -> Secret {
    let data = entries
        .iter()
        .map(|(k, v)| (k.clone(), k8s_openapi::ByteString(v.as_bytes().to_vec())))
        .collect();
    Secret {
        metadata: kube::api::ObjectMeta {
            name: Some(KEY_SECRET.into()),
            namespace: Some(namespace.into()),
            labels: Some([(MANAGED_BY.to_string(), "kseal".to_string())].into()),
            resource_version,
            ..Default::default()
        },
        type_: Some("Opaque".into()),
        data: Some(data),
        ..Default::default()
    }
}

async fn publish(cluster: &Cluster, recipient: &Recipient) -> Result<(), Error> {
    let body = json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": PUBLIC_CONFIGMAP, "namespace": NAMESPACE, "labels": {MANAGED_BY: "kseal"}},
        "data": {"recipient": recipient.to_string()},
    });
    apply_object::<ConfigMap>(cluster, body).await
}

/// A key made by `cluster init` before anything is written to the cluster, so that its offline
/// backup and public key file can be written first: a key is never in the cluster without them.
pub struct NewKey {
    entry: String,
    identity: Identity,
    text: Zeroizing<String>,
    /// The identity file, age-encrypted to the `--backup-to` recipients (if any).
    pub backup: Option<String>,
}

impl NewKey {
    pub fn recipient(&self) -> &Recipient {
        self.identity.recipient()
    }
}

/// Makes the key `cluster init` will install.
pub fn new_install_key(backup_to: &[Recipient]) -> Result<NewKey, Error> {
    let (entry, identity, text) = new_key();
    let backup = if backup_to.is_empty() {
        None
    } else {
        Some(
            keys::age_encrypt_armored(text.as_bytes(), backup_to)
                .map_err(|e| Error::usage(format!("backup: {e}")))?,
        )
    };
    Ok(NewKey {
        entry,
        identity,
        text,
        backup,
    })
}

/// What `cluster init` found in the cluster before writing.
pub enum InitState {
    /// No key Secret: a fresh install.
    Fresh,
    /// The key Secret exists but a later object is missing (an earlier init stopped part way):
    /// init completes it around the existing key, never replacing it.
    Partial(Recipient),
    /// Everything is there.
    Complete,
}

/// Looks at what an earlier `cluster init` left.
pub async fn init_state(cluster: &Cluster) -> Result<InitState, Error> {
    let Some(entries) = key_entries(cluster).await? else {
        return Ok(InitState::Fresh);
    };
    let newest = newest_recipient(&entries)?;
    let cm: Api<ConfigMap> = Api::namespaced(cluster.client.clone(), NAMESPACE);
    let roles: Api<Role> = Api::namespaced(cluster.client.clone(), NAMESPACE);
    let bindings: Api<RoleBinding> = Api::namespaced(cluster.client.clone(), NAMESPACE);
    let get = |what: &str| format!("{what} in namespace {NAMESPACE}");
    let has_cm = cm
        .get_opt(PUBLIC_CONFIGMAP)
        .await
        .map_err(|e| {
            api_error(
                &get(&format!("configmap/{PUBLIC_CONFIGMAP}")),
                "get",
                &cluster.server,
                e,
            )
        })?
        .is_some();
    let has_role = roles
        .get_opt(READER)
        .await
        .map_err(|e| api_error(&get(&format!("role/{READER}")), "get", &cluster.server, e))?
        .is_some();
    let has_binding = bindings
        .get_opt(READER)
        .await
        .map_err(|e| api_error(&get(&format!("rolebinding/{READER}")), "get", &cluster.server, e))?
        .is_some();
    Ok(if has_cm && has_role && has_binding {
        InitState::Complete
    } else {
        InitState::Partial(newest)
    })
}

fn newest_recipient(entries: &[(String, Zeroizing<String>)]) -> Result<Recipient, Error> {
    let (name, text) = entries.last().ok_or_else(|| {
        Error::cluster(format!(
            "secret/{KEY_SECRET} in namespace {NAMESPACE} holds no key"
        ))
    })?;
    let ids = keys::parse_identities(text).map_err(|e| {
        Error::cluster(format!(
            "secret/{KEY_SECRET} in namespace {NAMESPACE}: entry {name}: {e}"
        ))
    })?;
    ids.last().map(|i| i.recipient().clone()).ok_or_else(|| {
        Error::cluster(format!(
            "secret/{KEY_SECRET} in namespace {NAMESPACE}: entry {name} holds no key"
        ))
    })
}

/// `cluster init` on a fresh cluster, first half: the namespace, then the key Secret created with
/// POST, so a second, concurrent init gets 409 AlreadyExists instead of overwriting the key. The
/// second half is [`complete`]: the public ConfigMap (only once the Secret holds the key it names),
/// the Role and the RoleBinding.
pub async fn create_key_secret(cluster: &Cluster, key: &NewKey) -> Result<(), Error> {
    create_key_secret_with(
        cluster,
        NAMESPACE,
        &[(key.entry.clone(), key.text.clone())],
        "was created meanwhile by another `kseal cluster init`: this one installed nothing; `kseal cluster fetch-key` prints the cluster's key",
    )
    .await
}

/// The namespace, then the key Secret holding `entries`, created with POST (never over a key
/// Secret that exists: that 409 is answered with `exists`, what the caller says about it).
async fn create_key_secret_with(
    cluster: &Cluster,
    namespace: &str,
    entries: &[(String, Zeroizing<String>)],
    exists: &str,
) -> Result<(), Error> {
    // kseal's own namespace is kseal's to make; another (Argo CD's) must exist already.
    if namespace == NAMESPACE {
        let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE, "labels": {MANAGED_BY: "kseal"}}});
        apply_object::<Namespace>(cluster, ns).await?;
    }
    let api: Api<Secret> = Api::namespaced(cluster.client.clone(), namespace);
    let what = format!("secret/{KEY_SECRET} in namespace {namespace}");
    api.create(
        &PostParams {
            field_manager: Some(FIELD_MANAGER.into()),
            ..Default::default()
        },
        &key_secret(entries, namespace, None),
    )
    .await
    .map_err(|e| match e {
        kube::Error::Api(s) if s.code == 409 => Error::cluster(format!("{what} {exists}")),
        kube::Error::Api(s) if s.code == 404 => Error::cluster(format!(
            "{what}: namespace {namespace} does not exist (kseal creates only its own, {NAMESPACE})"
        )),
        e => api_error(&what, "create (POST)", &cluster.server, e),
    })
    .map(drop)
}

/// The key entries of a `cluster backup` / `init --backup-to` file's plaintext (identity files one
/// after another, as `backup` writes them), named as they were in the cluster:
/// `<yyyymmdd>-<kid>.agekey`, the date from each key's `# created:` line.
pub fn entries_from_backup(text: &str) -> Result<Vec<(String, Zeroizing<String>)>, Error> {
    use zeroize::Zeroize;
    let mut out: Vec<(String, Zeroizing<String>)> = Vec::new();
    let mut seen: Vec<Zeroizing<String>> = Vec::new();
    let mut block = Zeroizing::new(String::new());
    let mut created: Option<String> = None;
    for line in text.lines() {
        if let Some(c) = line.strip_prefix("# created: ") {
            created = Some(c.trim().to_string());
        }
        block.push_str(line);
        block.push('\n');
        if line.starts_with("AGE-SECRET-KEY-") {
            let ids = keys::parse_identities(&block)
                .map_err(|e| Error::input(Location::default(), e.to_string()).with_source(e))?;
            let Some(id) = ids.last() else { continue };
            let day: String = created
                .as_deref()
                .map(|c| c.chars().take(10).filter(char::is_ascii_digit).collect())
                .filter(|d: &String| d.len() == 8)
                .unwrap_or_else(today);
            created = None;
            // The same key twice (a backup concatenated with another) is one key.
            let key = id.to_age_string();
            if seen.iter().any(|k: &Zeroizing<String>| **k == *key) {
                block.zeroize();
                block.clear();
                continue;
            }
            seen.push(key);
            // Two keys with one kid (kids are 32 bits) on one day: both kept, under two names.
            let name = unique_entry_name(&format!("{day}-{}", id.kid()), &out);
            out.push((name, std::mem::take(&mut block)));
        }
    }
    if out.is_empty() {
        return Err(Error::input(
            Location::default(),
            "no key in the backup (an age file that `kseal cluster backup` or `init --backup-to` wrote?)",
        ));
    }
    Ok(out)
}

/// `STEM.agekey`, or `STEM-2.agekey`, `STEM-3.agekey`... when an entry of `taken` has the name:
/// every key of a backup gets an entry of its own in the key Secret.
fn unique_entry_name(stem: &str, taken: &[(String, Zeroizing<String>)]) -> String {
    let free = |n: &str| !taken.iter().any(|(t, _)| t == n);
    let first = format!("{stem}.agekey");
    if free(&first) {
        return first;
    }
    (2..)
        .map(|i| format!("{stem}-{i}.agekey"))
        .find(|n| free(n))
        .expect("a free name")
}

/// `cluster restore`: a key Secret holding the backup's keys, under their names, created (POST:
/// never over keys the cluster has), then the public ConfigMap naming the newest key.
/// The newest key entry by the `# created:` time each key file carries (RFC 3339 in UTC sorts as
/// text), not by entry name: names hold only the day, and a day may have several rotations.
fn newest_entry(entries: &[(String, Zeroizing<String>)]) -> Option<&(String, Zeroizing<String>)> {
    let created = |text: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix("# created: "))
            .map(|c| c.trim().to_string())
            .unwrap_or_default()
    };
    entries
        .iter()
        .max_by(|a, b| (created(&a.1), &a.0).cmp(&(created(&b.1), &b.0)))
}

/// `cluster restore`: the backup's keys as the key Secret of `namespace`. In kseal's own namespace
/// the public ConfigMap then names the newest key (a rebuilt cluster); in another namespace
/// (Argo CD's, whose repo-server sidecar mounts `kseal-keys`) only the Secret is made.
pub async fn restore(
    cluster: &Cluster,
    entries: &[(String, Zeroizing<String>)],
    namespace: &str,
) -> Result<Recipient, Error> {
    let newest = newest_entry(entries)
        .and_then(|(_, t)| keys::parse_identities(t).ok())
        .and_then(|ids| ids.last().map(|i| i.recipient().clone()))
        .expect("entries hold parsed keys");
    create_key_secret_with(
        cluster,
        namespace,
        entries,
        "exists: this cluster has keys there; restore into a cluster without them, or into another namespace with --keys-namespace (nothing was changed)",
    )
    .await?;
    if namespace == NAMESPACE {
        complete(cluster, &newest).await?;
    }
    Ok(newest)
}

/// The objects after the key Secret: the public ConfigMap naming `recipient`, the Role and the
/// RoleBinding. Idempotent (server-side apply of kseal's own objects), so an interrupted init
/// is finished by running it again.
pub async fn complete(cluster: &Cluster, recipient: &Recipient) -> Result<(), Error> {
    publish(cluster, recipient).await?;
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
    apply_object::<RoleBinding>(cluster, binding).await
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
        .map_err(|e: keys::KeyError| Error::cluster(format!("{what}: recipient: {e}")).with_source(e))
}

/// `cluster rotate-key`: adds a newer key; the ConfigMap then names it, so sealing uses it, and
/// opening still tries every key in the Secret. The Secret is updated with its resourceVersion as
/// a precondition and the update retried on conflict, so two concurrent rotations both keep their
/// key; the ConfigMap is written only after the Secret holds the key it names.
pub async fn rotate_key(cluster: &Cluster) -> Result<Recipient, Error> {
    let (entry, id, text) = new_key();
    let api: Api<Secret> = Api::namespaced(cluster.client.clone(), NAMESPACE);
    let what = format!("secret/{KEY_SECRET} in namespace {NAMESPACE}");
    for attempt in 0.. {
        let current = api
            .get_opt(KEY_SECRET)
            .await
            .map_err(|e| api_error(&what, "get", &cluster.server, e))?
            .ok_or_else(|| {
                Error::cluster(format!("{what} does not exist: run `kseal cluster init` first"))
            })?;
        let mut entries: Vec<(String, Zeroizing<String>)> = current
            .data
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, Zeroizing::new(String::from_utf8_lossy(&v.0).into_owned())))
            .collect();
        entries.push((entry.clone(), text.clone()));
        let updated = key_secret(&entries, NAMESPACE, current.metadata.resource_version);
        let params = PostParams {
            field_manager: Some(FIELD_MANAGER.into()),
            ..Default::default()
        };
        match api.replace(KEY_SECRET, &params, &updated).await {
            Ok(_) => break,
            // Someone else changed the Secret since we read it: read it again, keep their change.
            Err(kube::Error::Api(s)) if s.code == 409 && attempt < 20 => {
                tokio::time::sleep(std::time::Duration::from_millis(10 * (attempt + 1))).await;
            }
            Err(e) => {
                return Err(api_error(
                    &what,
                    "update (PUT, with resourceVersion)",
                    &cluster.server,
                    e,
                ))
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_key_is_the_last_created_not_the_greatest_name() {
        let (a, b) = (Identity::generate(), Identity::generate());
        // Same day: the names differ only by kid, which says nothing about order.
        let (early, late) = if a.kid().to_string() > b.kid().to_string() {
            (a, b)
        } else {
            (b, a)
        };
        let text = format!(
            "{}{}",
            keys::identity_file_text(&early, "2026-11-30T08:00:00Z").as_str(),
            keys::identity_file_text(&late, "2026-11-30T09:00:00Z").as_str()
        );
        let entries = entries_from_backup(&text).unwrap();
        let newest = newest_entry(&entries).unwrap();
        assert!(newest.0.contains(&late.kid().to_string()), "{}", newest.0);
    }

    #[test]
    fn a_backup_of_several_keys_gives_each_its_entry_name() {
        let (a, b) = (Identity::generate(), Identity::generate());
        let text = format!(
            "{}{}",
            keys::identity_file_text(&a, "2025-01-02T03:04:05Z").as_str(),
            keys::identity_file_text(&b, "2026-11-30T00:00:00Z").as_str()
        );
        let entries = entries_from_backup(&text).unwrap();
        let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                format!("20250102-{}.agekey", a.kid()),
                format!("20261130-{}.agekey", b.kid())
            ]
        );
        assert_eq!(
            keys::parse_identities(&entries[1].1).unwrap()[0].recipient(),
            b.recipient()
        );
        assert!(entries_from_backup("just text\n").is_err());
    }

    /// Issue 36: a backup holding two keys under one entry name stored one of them while saying
    /// "restored 2 key(s)". Every key gets a name of its own; the same key twice is one key.
    #[test]
    fn colliding_entry_names_keep_every_key_and_duplicates_count_once() {
        let a = Identity::generate();
        let one = keys::identity_file_text(&a, "2026-11-30T08:00:00Z");
        let twice = format!("{}{}", one.as_str(), one.as_str());
        let entries = entries_from_backup(&twice).unwrap();
        assert_eq!(entries.len(), 1);
        let stem = format!("20261130-{}", a.kid());
        let taken = vec![(format!("{stem}.agekey"), Zeroizing::new(String::new()))];
        assert_eq!(unique_entry_name(&stem, &taken), format!("{stem}-2.agekey"));
        let mut more = taken.clone();
        more.push((format!("{stem}-2.agekey"), Zeroizing::new(String::new())));
        assert_eq!(unique_entry_name(&stem, &more), format!("{stem}-3.agekey"));
        assert_eq!(unique_entry_name("other", &more), "other.agekey");
    }
}
