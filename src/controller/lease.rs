//! Leader election through a `coordination.k8s.io/v1` Lease, as client-go's leaderelection does:
//! several replicas run for availability, one writes. Written here because kube-rs has no leader
//! election of its own and the crates that add one lag kube's releases; it is the protocol of
//! client-go in about a hundred lines:
//!
//! - a candidate takes the Lease when it does not exist, names no holder, or its record has not
//!   changed for `leaseDurationSeconds` *as this candidate observed it* (its own clock only, so
//!   clock skew between nodes does not matter);
//! - every write carries the `resourceVersion` read before it, so two candidates cannot both win
//!   (the API server answers the second with 409);
//! - the leader renews every `renew_every`; when a renewal fails for longer than the lease lasts,
//!   it has lost the lease, and the controller stops (its Pod restarts and becomes a candidate).

use std::time::{Duration, Instant};

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::api::{Api, PostParams};

use crate::error::Error;

/// How the lease is held.
#[derive(Clone, Debug)]
pub struct Options {
    pub namespace: String,
    pub name: String,
    /// This replica's name (the Pod's name, and a random suffix).
    pub identity: String,
    pub lease_duration: Duration,
    pub renew_every: Duration,
}

/// What a candidate last saw of the lease, and when it saw it change.
struct Observed {
    record: Option<(String, Option<String>)>,
    since: Instant,
}

fn now() -> MicroTime {
    MicroTime(k8s_openapi::jiff::Timestamp::now())
}

fn record_of(lease: &Lease) -> (String, Option<String>) {
    let spec = lease.spec.clone().unwrap_or_default();
    (
        spec.holder_identity.unwrap_or_default(),
        spec.renew_time.map(|t| t.0.to_string()),
    )
}

/// Waits until this replica holds the lease. `on_wait` is called once, with the holder, when
/// another holds it.
pub async fn acquire(api: &Api<Lease>, o: &Options, mut on_wait: impl FnMut(&str)) -> Result<(), Error> {
    let mut observed = Observed {
        record: None,
        since: Instant::now(),
    };
    let mut told = false;
    loop {
        match try_take(api, o, &mut observed).await {
            Ok(None) => return Ok(()),
            Ok(Some(holder)) => {
                if !told {
                    on_wait(&holder);
                    told = true;
                }
            }
            // A conflict (another candidate wrote first) or a passing API error: try again.
            Err(_) => {}
        }
        tokio::time::sleep(o.renew_every).await;
    }
}

/// One attempt: `Ok(None)` when this replica now holds the lease, `Ok(Some(holder))` when another
/// does and its record is fresh.
async fn try_take(
    api: &Api<Lease>,
    o: &Options,
    observed: &mut Observed,
) -> Result<Option<String>, kube::Error> {
    let duration_secs = i32::try_from(o.lease_duration.as_secs()).unwrap_or(i32::MAX);
    let Some(mut lease) = api.get_opt(&o.name).await? else {
        let lease = Lease {
            metadata: ObjectMeta {
                name: Some(o.name.clone()),
                namespace: Some(o.namespace.clone()),
                ..Default::default()
            },
            spec: Some(LeaseSpec {
                holder_identity: Some(o.identity.clone()),
                lease_duration_seconds: Some(duration_secs),
                acquire_time: Some(now()),
                renew_time: Some(now()),
                lease_transitions: Some(0),
                ..Default::default()
            }),
        };
        api.create(&PostParams::default(), &lease).await?;
        return Ok(None);
    };
    let record = record_of(&lease);
    if observed.record.as_ref() != Some(&record) {
        observed.record = Some(record.clone());
        observed.since = Instant::now();
    }
    let (holder, _) = record;
    let expired = observed.since.elapsed() >= o.lease_duration;
    if !holder.is_empty() && holder != o.identity && !expired {
        return Ok(Some(holder));
    }
    let spec = lease.spec.get_or_insert_with(Default::default);
    if spec.holder_identity.as_deref() != Some(o.identity.as_str()) {
        spec.lease_transitions = Some(spec.lease_transitions.unwrap_or(0) + 1);
        spec.acquire_time = Some(now());
    }
    spec.holder_identity = Some(o.identity.clone());
    spec.lease_duration_seconds = Some(duration_secs);
    spec.renew_time = Some(now());
    // `replace` sends the resourceVersion just read: a concurrent writer makes this a 409.
    api.replace(&o.name, &PostParams::default(), &lease).await?;
    Ok(None)
}

/// Renews the lease until it cannot: returns when this replica no longer holds it (another took
/// it, or renewals failed for as long as the lease lasts), with why.
pub async fn hold(api: &Api<Lease>, o: &Options) -> String {
    let mut last_renewed = Instant::now();
    loop {
        tokio::time::sleep(o.renew_every).await;
        match renew(api, o).await {
            Ok(true) => last_renewed = Instant::now(),
            Ok(false) => return "another replica holds the lease now".into(),
            Err(e) if last_renewed.elapsed() >= o.lease_duration => {
                return format!("the lease could not be renewed for {:?} ({e})", o.lease_duration)
            }
            Err(_) => {}
        }
    }
}

/// `Ok(false)` when the lease names another holder.
async fn renew(api: &Api<Lease>, o: &Options) -> Result<bool, kube::Error> {
    let mut lease = api.get(&o.name).await?;
    let spec = lease.spec.get_or_insert_with(Default::default);
    if spec.holder_identity.as_deref() != Some(o.identity.as_str()) {
        return Ok(false);
    }
    spec.renew_time = Some(now());
    api.replace(&o.name, &PostParams::default(), &lease).await?;
    Ok(true)
}
