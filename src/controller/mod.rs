//! `kseal controller`: in-cluster opening with no inbound port (issue 38). It watches KsealSecrets
//! (kseal.dev/v1), opens each with the keys mounted from the `kseal-keys` Secret and server-side
//! applies the Secret of the same name, owned by the KsealSecret; it only reads from the API
//! server and opens nothing for a caller, so it is safe where the API server cannot present a
//! client certificate to a webhook (managed control planes). `reconcile` decides, `lease` elects
//! one writer among replicas, `probes` serves health and metrics.
//!
//! What it never does: overwrite a Secret it does not control (unless the KsealSecret says
//! `kseal.dev/adopt: "true"`), or put a value in a status, an Event or a log line.

pub mod lease;
pub mod probes;
pub mod reconcile;
pub mod renew;

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ApiResource, DynamicObject, Patch, PatchParams};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use kube::runtime::watcher;
use kube::Resource;

use crate::crypto::Identity;
use crate::error::Error;
use reconcile::{Failure, FIELD_MANAGER, MANAGED_LABEL};

/// How `kseal controller` runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// The folder of `*.agekey` files (the `kseal-keys` Secret's volume).
    pub keys: PathBuf,
    /// Watch only these namespaces; empty: all.
    pub namespaces: Vec<String>,
    /// How often the key folder is checked for change.
    pub reload_every: Duration,
    pub lease: lease::Options,
    /// How long after a failure a KsealSecret is tried again (a missing key may be added, an API
    /// error pass).
    pub retry_after: Duration,
    /// Add a new key when the published one is this old (`--renew-keys-every`); `None`: never.
    pub renew_keys_every: Option<Duration>,
}

/// The KsealSecret kind, for kube's dynamic API.
pub fn ksealsecret_resource() -> ApiResource {
    ApiResource {
        group: "kseal.dev".into(),
        version: "v1".into(),
        api_version: crate::manifest::secret::KSEAL_SECRET_API_VERSION.into(),
        kind: crate::manifest::secret::KSEAL_SECRET_KIND.into(),
        plural: "ksealsecrets".into(),
    }
}

fn log(line: &str) {
    eprintln!("kseal controller: {line}");
}

/// What every reconcile shares.
struct Ctx {
    client: kube::Client,
    identities: RwLock<Arc<Vec<Identity>>>,
    recorder: Recorder,
    metrics: Arc<probes::Metrics>,
    retry_after: Duration,
    /// What this replica last wrote, by KsealSecret uid: its generation and the Secret's
    /// resourceVersion after the write. A reconcile that finds both unchanged (woken by its own
    /// write, or by its own status update) has nothing to do: no value is opened again and
    /// nothing is sent. Any change to the Secret (an edit, a deletion) changes its
    /// resourceVersion; a key reload forgets everything.
    written: std::sync::Mutex<std::collections::HashMap<String, (i64, String)>>,
}

/// An API error while reconciling: retried by the error policy.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct ApiError(String);

/// Runs the controller until SIGTERM or SIGINT, or until it loses the lease (an error: its Pod
/// restarts and stands again).
pub async fn run(
    cluster: crate::cluster::Cluster,
    o: Options,
    probe_listener: Option<tokio::net::TcpListener>,
) -> Result<(), Error> {
    let client = cluster.client.clone();
    let identities = crate::keyfiles::load_identities(std::slice::from_ref(&o.keys))?;
    let metrics = Arc::new(probes::Metrics::default());
    metrics.loaded(identities.len());
    if let Some(l) = probe_listener {
        let at = l.local_addr().map_err(|e| Error::io("the probe socket", &e))?;
        log(&format!(
            "probes on http://{at} (GET /healthz, /readyz, /metrics)"
        ));
        tokio::spawn(probes::serve(l, metrics.clone()));
    }
    let leases: Api<k8s_openapi::api::coordination::v1::Lease> =
        Api::namespaced(client.clone(), &o.lease.namespace);
    log(&format!(
        "{} with {} key(s) from {}; waiting for lease {}/{}",
        o.lease.identity,
        identities.len(),
        o.keys.display(),
        o.lease.namespace,
        o.lease.name
    ));
    lease::acquire(&leases, &o.lease, |holder| {
        log(&format!("standing by: {holder} holds the lease"))
    })
    .await?;
    log("leading: reconciling KsealSecrets");
    metrics.set_leader(true);
    if let Some(every) = o.renew_keys_every {
        log(&format!(
            "renewing the keys every {}",
            humantime::format_duration(every)
        ));
        tokio::spawn(renew::renew_loop(cluster, every));
    }
    let ctx = Arc::new(Ctx {
        client: client.clone(),
        identities: RwLock::new(Arc::new(identities)),
        recorder: Recorder::new(
            client.clone(),
            Reporter {
                controller: FIELD_MANAGER.into(),
                instance: Some(o.lease.identity.clone()),
            },
        ),
        metrics,
        retry_after: o.retry_after,
        written: Default::default(),
    });
    let (reload_tx, reload_rx) = futures::channel::mpsc::unbounded::<()>();
    tokio::spawn(watch_keys(o.keys.clone(), o.reload_every, ctx.clone(), reload_tx));
    let controllers = run_controllers(client.clone(), &o.namespaces, ctx, reload_rx);
    tokio::select! {
        _ = controllers => { log("stopped"); Ok(()) }
        why = lease::hold(&leases, &o.lease) => {
            log(&format!("lost the lease: {why}; stopping"));
            Err(Error::cluster(format!("lost the leader lease: {why}")))
        }
    }
}

/// One kube-runtime Controller per watched namespace (or one for all), each also woken by the
/// Secrets it owns (a deleted or edited Secret is made again) and by a key reload.
async fn run_controllers(
    client: kube::Client,
    namespaces: &[String],
    ctx: Arc<Ctx>,
    reload: futures::channel::mpsc::UnboundedReceiver<()>,
) {
    let ar = ksealsecret_resource();
    let scopes: Vec<Option<&String>> = if namespaces.is_empty() {
        vec![None]
    } else {
        namespaces.iter().map(Some).collect()
    };
    // A reload wakes every controller: the one stream is shared by a broadcast of ().
    let (wake_tx, _) = tokio::sync::broadcast::channel::<()>(16);
    let fan = wake_tx.clone();
    tokio::spawn(reload.for_each(move |()| {
        let _ = fan.send(());
        futures::future::ready(())
    }));
    let owned = watcher::Config::default().labels(&format!("{MANAGED_LABEL}=true"));
    let runs = scopes.into_iter().map(|ns| {
        let (ks, secrets): (Api<DynamicObject>, Api<Secret>) = match ns {
            Some(ns) => (
                Api::namespaced_with(client.clone(), ns, &ar),
                Api::namespaced(client.clone(), ns),
            ),
            None => (Api::all_with(client.clone(), &ar), Api::all(client.clone())),
        };
        let wake = tokio_stream_of(wake_tx.subscribe());
        Controller::new_with(ks, watcher::Config::default(), ar.clone())
            .owns(secrets, owned.clone())
            .reconcile_all_on(wake)
            .shutdown_on_signal()
            .run(reconcile_one, error_policy, ctx.clone())
            .for_each(|_| futures::future::ready(()))
    });
    futures::future::join_all(runs).await;
}

/// A broadcast receiver as a stream of ().
fn tokio_stream_of(rx: tokio::sync::broadcast::Receiver<()>) -> impl futures::Stream<Item = ()> + Send {
    futures::stream::unfold(rx, |mut rx| async move {
        match rx.recv().await {
            // Lagged: reloads were missed, and one reconcile of everything covers them all.
            Ok(()) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => Some(((), rx)),
            Err(tokio::sync::broadcast::error::RecvError::Closed) => None,
        }
    })
}

/// Re-reads the key folder when it changes (the kubelet swaps the mounted Secret's content after
/// `kseal cluster rotate-key`), then wakes every KsealSecret: one that waited for a key opens.
async fn watch_keys(
    dir: PathBuf,
    every: Duration,
    ctx: Arc<Ctx>,
    wake: futures::channel::mpsc::UnboundedSender<()>,
) {
    let mut seen = crate::webhook::files::keys_fingerprint(&dir);
    loop {
        tokio::time::sleep(every).await;
        let now = crate::webhook::files::keys_fingerprint(&dir);
        if now == seen {
            continue;
        }
        match crate::keyfiles::load_identities(std::slice::from_ref(&dir)) {
            Ok(ids) => {
                let kids: Vec<String> = ids.iter().map(|i| i.kid().to_string()).collect();
                log(&format!("reloaded: {} key(s) ({})", ids.len(), kids.join(", ")));
                ctx.metrics.loaded(ids.len());
                *ctx.identities.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(ids);
                ctx.written.lock().unwrap_or_else(|e| e.into_inner()).clear();
                seen = now;
                let _ = wake.unbounded_send(());
            }
            // Retried on the next tick: the kubelet may be between two steps of its swap.
            Err(e) => log(&format!(
                "the keys changed but could not be read ({e}); still using the previous ones"
            )),
        }
    }
}

fn error_policy(_ks: Arc<DynamicObject>, e: &ApiError, ctx: Arc<Ctx>) -> Action {
    log(&format!("retrying after an API error: {e}"));
    Action::requeue(ctx.retry_after)
}

/// One KsealSecret: its Secret applied, or why not in its status and an Event.
async fn reconcile_one(ks: Arc<DynamicObject>, ctx: Arc<Ctx>) -> Result<Action, ApiError> {
    let started = std::time::Instant::now();
    if ks.metadata.deletion_timestamp.is_some() {
        // The garbage collector deletes its Secret (the owner reference).
        return Ok(Action::await_change());
    }
    let value = serde_json::to_value(ks.as_ref()).map_err(|e| ApiError(e.to_string()))?;
    let (Some(ns), Some(name)) = (ks.metadata.namespace.clone(), ks.metadata.name.clone()) else {
        return Ok(Action::await_change());
    };
    let secrets: Api<Secret> = Api::namespaced(ctx.client.clone(), &ns);
    let existing = secrets
        .get_metadata_opt(&name)
        .await
        .map_err(|e| ApiError(format!("reading secret {ns}/{name}: {e}")))?;
    let uid = ks.metadata.uid.clone().unwrap_or_default();
    let generation = ks.metadata.generation.unwrap_or(0);
    let seen = existing
        .as_ref()
        .and_then(|m| m.metadata.resource_version.clone());
    let current = ctx
        .written
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&uid)
        .cloned();
    if seen.is_some() && current == seen.clone().map(|rv| (generation, rv)) && is_ready(&value, generation) {
        ctx.metrics.reconciled("unchanged", started.elapsed());
        return Ok(Action::await_change());
    }
    let existing = existing.map(|m| serde_json::to_value(&m).unwrap_or_default());
    let outcome = match owner_problem(existing.as_ref(), &name, &value) {
        Some(f) => Err(f),
        None => apply_secret(&secrets, &name, &value, &ctx).await?,
    };
    let result = outcome.as_ref().map_or_else(|f| f.reason, |_| "opened");
    let outcome = match outcome {
        Ok((keys, rv)) => {
            log(&format!("{ns}/{name}: secret applied ({keys} keys)"));
            ctx.written
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(uid, (generation, rv));
            Ok(keys)
        }
        Err(f) => {
            record_failure(&ctx, &ks, &ns, &name, &f).await;
            Err(f)
        }
    };
    write_status(&ctx, &ns, &name, &value, &outcome).await?;
    // Counted once the status says so too: `opened` means the Secret and Ready=True are written.
    ctx.metrics.reconciled(result, started.elapsed());
    Ok(match outcome {
        Ok(_) => Action::await_change(),
        Err(_) => Action::requeue(ctx.retry_after),
    })
}

/// Whether the KsealSecret's status already says Ready for this generation.
fn is_ready(ks: &serde_json::Value, generation: i64) -> bool {
    ks["status"]["observedGeneration"] == generation
        && ks["status"]["conditions"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"))
}

/// A failure: one log line and a Warning Event on the KsealSecret (no value in either).
async fn record_failure(ctx: &Ctx, ks: &DynamicObject, ns: &str, name: &str, f: &Failure) {
    log(&format!("{ns}/{name}: {}: {}", f.reason, f.message));
    let reference = ks.object_ref(&ksealsecret_resource());
    let event = Event {
        type_: EventType::Warning,
        reason: f.reason.into(),
        note: Some(truncate(&f.message, 1000)),
        action: "Open".into(),
        secondary: None,
    };
    if let Err(e) = ctx.recorder.publish(&event, &reference).await {
        log(&format!("{ns}/{name}: could not record an event: {e}"));
    }
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

/// A Secret of that name exists (`existing`, its metadata) and is not controlled by this
/// KsealSecret, and adoption was not asked for: left as it is.
fn owner_problem(
    existing: Option<&serde_json::Value>,
    name: &str,
    ks: &serde_json::Value,
) -> Option<Failure> {
    let existing = existing?;
    let uid = ks["metadata"]["uid"].as_str().unwrap_or_default();
    if reconcile::controlled_by(existing, uid) || reconcile::may_adopt(ks) {
        return None;
    }
    Some(Failure {
        reason: "SecretNotOwned",
        message: format!(
            "secret {name} exists and is not controlled by this KsealSecret; it is left as it is \
             (delete it, or annotate the KsealSecret {}=\"true\" to take it over)",
            reconcile::ADOPT_ANNOTATION
        ),
    })
}

/// Opens and server-side applies: the number of keys and the Secret's new resourceVersion;
/// `Ok(Err(..))` when the KsealSecret cannot be opened or the API server refuses the Secret (both
/// said in its status), `Err` for errors worth retrying.
async fn apply_secret(
    secrets: &Api<Secret>,
    name: &str,
    ks: &serde_json::Value,
    ctx: &Ctx,
) -> Result<Result<(usize, String), Failure>, ApiError> {
    let identities = ctx.identities.read().unwrap_or_else(|e| e.into_inner()).clone();
    let desired = match reconcile::desired_secret(ks, &identities) {
        Ok(d) => d,
        Err(f) => return Ok(Err(f)),
    };
    let body = crate::manifest::ZeroizingJson(
        serde_json::from_str(&desired).map_err(|e| ApiError(format!("the opened Secret: {e}")))?,
    );
    let params = PatchParams::apply(FIELD_MANAGER).force();
    match secrets.patch(name, &params, &Patch::Apply(&*body)).await {
        Ok(s) => Ok(Ok((
            reconcile::key_count(ks),
            s.metadata.resource_version.unwrap_or_default(),
        ))),
        // The API server's message may quote a value (a recorded 500 does): only its reason.
        Err(kube::Error::Api(s)) if s.code == 422 || s.code == 400 => Ok(Err(Failure {
            reason: "SecretRefused",
            message: format!(
                "the API server refused the Secret ({}, {}): an immutable Secret cannot change, or a key is not allowed",
                s.code, s.reason
            ),
        })),
        Err(e) => Err(ApiError(format!("applying secret {name}: {e}"))),
    }
}

async fn write_status(
    ctx: &Ctx,
    ns: &str,
    name: &str,
    ks: &serde_json::Value,
    outcome: &Result<usize, Failure>,
) -> Result<(), ApiError> {
    let now = k8s_openapi::jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let status = reconcile::status(ks, outcome, &now);
    if ks["status"] == status {
        return Ok(());
    }
    let api: Api<DynamicObject> = Api::namespaced_with(ctx.client.clone(), ns, &ksealsecret_resource());
    api.patch_status(
        name,
        &PatchParams::default(),
        &Patch::Merge(serde_json::json!({ "status": status })),
    )
    .await
    .map_err(|e| ApiError(format!("writing the status of {ns}/{name}: {e}")))?;
    Ok(())
}
