//! `--renew-keys-every DURATION`: the leader adds a new key when the published one is older than
//! DURATION, as sealed-secrets renews its key every 30 days by default. A new key is added to the
//! `kseal-keys` Secret and published in the `kseal-public-key` ConfigMap (`kseal cluster
//! rotate-key`'s code); old keys stay, so everything sealed before keeps opening, and `seal`
//! (with `cluster fetch-key`) uses the new one. When the key was published is read from the
//! ConfigMap's `managedFields` (the time of its last write), so a restart does not reset the
//! clock. Needs deploy/controller/renew-keys.yaml (get and update on that Secret, get and patch
//! on that ConfigMap), which the default install does not grant.

use std::time::Duration;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::Api;

use crate::cluster::{keys, Cluster};
use crate::error::Error;

fn log(line: &str) {
    eprintln!("kseal controller: {line}");
}

/// How long until the published key is `every` old (zero: now).
async fn due_in(cluster: &Cluster, every: Duration) -> Result<Duration, Error> {
    let api: Api<ConfigMap> = Api::namespaced(cluster.client.clone(), keys::NAMESPACE);
    let cm = api.get(keys::PUBLIC_CONFIGMAP).await.map_err(|e| {
        Error::cluster(format!(
            "reading configmap {}/{}: {e}",
            keys::NAMESPACE,
            keys::PUBLIC_CONFIGMAP
        ))
    })?;
    let written = cm
        .metadata
        .managed_fields
        .unwrap_or_default()
        .into_iter()
        .filter_map(|f| f.time.map(|t| t.0))
        .max()
        .or(cm.metadata.creation_timestamp.map(|t| t.0));
    let Some(written) = written else {
        return Ok(Duration::ZERO);
    };
    let age = k8s_openapi::jiff::Timestamp::now().duration_since(written);
    let age = Duration::try_from(age).unwrap_or(Duration::ZERO);
    Ok(every.saturating_sub(age))
}

/// Renews the key whenever it is due, for as long as this replica leads.
pub async fn renew_loop(cluster: Cluster, every: Duration) {
    // Looked at again at least hourly: a key rotated by hand restarts the clock.
    let recheck = every.min(Duration::from_secs(3600)).max(Duration::from_secs(1));
    loop {
        match due_in(&cluster, every).await {
            Ok(wait) if wait.is_zero() => match keys::rotate_key(&cluster).await {
                Ok(r) => log(&format!(
                    "renewed the keys: added key {} and published it in configmap {}/{}; older keys are kept, so what was sealed to them still opens",
                    r.kid(),
                    keys::NAMESPACE,
                    keys::PUBLIC_CONFIGMAP
                )),
                Err(e) => {
                    log(&format!("could not renew the keys: {e}"));
                    tokio::time::sleep(recheck).await;
                }
            },
            Ok(wait) => tokio::time::sleep(wait.min(recheck)).await,
            Err(e) => {
                log(&format!("could not tell when the keys were last renewed: {e}"));
                tokio::time::sleep(recheck).await;
            }
        }
    }
}
