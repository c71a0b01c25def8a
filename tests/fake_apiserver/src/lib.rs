//! A fake Kubernetes API server for kseal's tests and benchmarks: in process, on
//! 127.0.0.1, plain HTTP or HTTPS with a generated CA. It implements what kseal uses, the way the
//! real kube-apiserver does: discovery, get/list/create/delete, server-side apply with managed
//! fields and conflicts, dry runs, Secret rules, namespaces, bearer-token authorization with real
//! `Status` bodies. Every request is recorded, so tests can assert what was and was not written.
//!
//! A crate of the workspace (`publish = false`), used by the integration tests and by
//! `examples/fake-apiserver.rs` (for scripts/bench-apply).

mod admission;
mod apply;
mod http;
mod resources;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

/// One recorded request.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    pub content_type: String,
    pub body: String,
    pub status: u16,
}

impl Request {
    pub fn is_write(&self) -> bool {
        self.method != "GET"
    }

    pub fn is_dry_run(&self) -> bool {
        self.query.split('&').any(|q| q == "dryRun=All")
    }
}

/// What a bearer token may do: (verbs, plural resources, namespace or None for all).
#[derive(Clone, Debug)]
pub struct Grant {
    pub verbs: Vec<String>,
    pub resources: Vec<String>,
    pub names: Vec<String>,
    pub namespace: Option<String>,
}

impl Grant {
    pub fn new(verbs: &[&str], resources: &[&str], namespace: Option<&str>) -> Grant {
        Grant {
            verbs: verbs.iter().map(|s| s.to_string()).collect(),
            resources: resources.iter().map(|s| s.to_string()).collect(),
            names: Vec::new(),
            namespace: namespace.map(str::to_string),
        }
    }

    pub fn named(mut self, names: &[&str]) -> Grant {
        self.names = names.iter().map(|s| s.to_string()).collect();
        self
    }

    fn allows(&self, verb: &str, plural: &str, namespace: Option<&str>, name: Option<&str>) -> bool {
        let any = |v: &[String], x: &str| v.iter().any(|e| e == "*" || e == x);
        any(&self.verbs, verb)
            && any(&self.resources, plural)
            && (self.names.is_empty() || name.is_some_and(|n| self.names.iter().any(|e| e == n)))
            && (self.namespace.is_none() || self.namespace.as_deref() == namespace)
    }
}

/// The key of a stored object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub plural: String,
    pub namespace: Option<String>,
    pub name: String,
}

/// A stored object and who manages which of its fields.
#[derive(Clone, Debug)]
pub struct Stored {
    pub object: Value,
    /// manager -> (operation, owned leaf paths)
    pub managers: BTreeMap<String, (String, BTreeSet<Vec<String>>)>,
    /// manager -> when it last changed the object (its managedFields `time`), as the real server
    /// stamps it: a no-op apply leaves it as it was.
    pub times: BTreeMap<String, String>,
}

#[derive(Default)]
pub struct State {
    pub objects: BTreeMap<Key, Stored>,
    pub resource_version: u64,
    pub requests: Vec<Request>,
    /// None: no authentication. Some: token -> (user, grants).
    pub tokens: Option<HashMap<String, (String, Vec<Grant>)>>,
    /// Respond with this status to requests whose path starts with the prefix (5xx tests).
    pub failures: Vec<(String, u16)>,
    /// Milliseconds to wait before answering a resource request (concurrency measurements).
    pub latency_ms: u64,
    /// The client certificate and key (PEM) presented to admission webhooks, as the real server's
    /// admission configuration gives one (`set_webhook_client_cert`).
    pub webhook_client_cert: Option<(String, String)>,
    uid: u64,
}

impl State {
    fn next_rv(&mut self) -> String {
        self.resource_version += 1;
        self.resource_version.to_string()
    }

    fn next_uid(&mut self) -> String {
        self.uid += 1;
        format!("00000000-0000-4000-8000-{:012x}", self.uid)
    }
}

/// A running fake API server. Dropping it stops the server.
pub struct FakeApiServer {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<State>>,
    /// PEM of the CA that signed the HTTPS certificate (TLS servers only).
    pub ca_pem: Option<String>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeApiServer {
    /// Plain HTTP on a random loopback port, with the `default` and `kube-system` namespaces.
    pub fn start() -> FakeApiServer {
        Self::start_with(false)
    }

    /// HTTPS with a freshly generated CA (see `ca_pem`), for the in-cluster path.
    pub fn start_tls() -> FakeApiServer {
        Self::start_with(true)
    }

    fn start_with(tls: bool) -> FakeApiServer {
        let state = Arc::new(Mutex::new(State::default()));
        for ns in ["default", "kube-system"] {
            let mut s = state.lock().unwrap();
            let obj = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
            apply::insert(&mut s, "namespaces", None, obj);
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
        let st = Arc::clone(&state);
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(http::serve(st, tls, tx, stop_rx));
        });
        let (addr, ca_pem) = rx.recv().expect("the fake API server started");
        FakeApiServer {
            addr,
            state,
            ca_pem,
            shutdown: Some(stop_tx),
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        let scheme = if self.ca_pem.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Writes a kubeconfig with one context per `(context, namespace, token)` pointing at this
    /// server; the first is the current context.
    pub fn kubeconfig(&self, path: &Path, contexts: &[(&str, Option<&str>, Option<&str>)]) -> PathBuf {
        let mut ctx = String::new();
        let mut users = String::new();
        for (name, ns, token) in contexts {
            ctx.push_str(&format!(
                "- name: {name}\n  context:\n    cluster: fake\n    user: {name}-user\n{}",
                ns.map(|n| format!("    namespace: {n}\n")).unwrap_or_default()
            ));
            users.push_str(&format!(
                "- name: {name}-user\n  user:\n{}",
                token.map_or_else(|| "    {}\n".to_string(), |t| format!("    token: {t}\n"))
            ));
        }
        let ca = self
            .ca_pem
            .as_ref()
            .map(|pem| {
                use base64::Engine;
                format!(
                    "    certificate-authority-data: {}\n",
                    base64::engine::general_purpose::STANDARD.encode(pem)
                )
            })
            .unwrap_or_default();
        let text = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: {}\n{ca}contexts:\n{ctx}current-context: {}\nusers:\n{users}",
            self.url(),
            contexts[0].0
        );
        std::fs::write(path, text).unwrap();
        path.to_path_buf()
    }

    /// Turns on authentication: only these tokens are accepted, each with its grants.
    pub fn set_token(&self, token: &str, user: &str, grants: Vec<Grant>) {
        let mut s = self.state.lock().unwrap();
        s.tokens
            .get_or_insert_with(HashMap::new)
            .insert(token.to_string(), (user.to_string(), grants));
    }

    pub fn fail(&self, path_prefix: &str, status: u16) {
        self.state
            .lock()
            .unwrap()
            .failures
            .push((path_prefix.to_string(), status));
    }

    /// Presents this client certificate (PEM, with its key) to every admission webhook, as the
    /// real server does with an admission configuration whose kubeconfig has the user `*`.
    pub fn set_webhook_client_cert(&self, cert_pem: &str, key_pem: &str) {
        self.state.lock().unwrap().webhook_client_cert = Some((cert_pem.to_string(), key_pem.to_string()));
    }

    pub fn set_latency_ms(&self, ms: u64) {
        self.state.lock().unwrap().latency_ms = ms;
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Requests that would change something (everything but GET), dry runs included.
    pub fn writes(&self) -> Vec<Request> {
        self.requests().into_iter().filter(Request::is_write).collect()
    }

    pub fn clear_requests(&self) {
        self.state.lock().unwrap().requests.clear();
    }

    pub fn get(&self, plural: &str, namespace: Option<&str>, name: &str) -> Option<Value> {
        let key = Key {
            plural: plural.into(),
            namespace: namespace.map(str::to_string),
            name: name.into(),
        };
        self.state.lock().unwrap().objects.get(&key).map(apply::render)
    }

    /// Stores an object directly (test setup), as if created by `manager` with an Update.
    pub fn insert(&self, plural: &str, namespace: Option<&str>, object: Value) {
        let mut s = self.state.lock().unwrap();
        apply::insert(&mut s, plural, namespace, object);
    }

    /// A snapshot of every stored object, for "nothing changed" assertions.
    pub fn snapshot(&self) -> BTreeMap<Key, Value> {
        let s = self.state.lock().unwrap();
        s.objects
            .iter()
            .map(|(k, v)| (k.clone(), v.object.clone()))
            .collect()
    }
}

impl Drop for FakeApiServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
