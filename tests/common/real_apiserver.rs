//! A real kube-apiserver, with etcd, on loopback: for the tests whose truth is the real server's
//! (apply semantics, RBAC, concurrency). The kube-apiserver binary's path comes from
//! `KSEAL_KUBE_APISERVER` (`.ci/run` unpacks the one in `../shared/apiserver/`), etcd from PATH
//! (Debian's `etcd-server`). When either is missing the test is skipped with a line saying so, or
//! fails under `KSEAL_TEST_REQUIRE_ALL=1`.
//!
//! One server is started per test run and shared; tests use their own namespaces. Both processes
//! run under a small shell watchdog that kills them, and removes the data folder, when the test
//! process exits and closes the watchdog's stdin, since a `static` is never dropped.
//!
//! The shared server presents a client certificate to every admission webhook (an admission
//! configuration whose kubeconfig has the catch-all user `*`), as a cluster set up for kseal's
//! webhook does: webhooks in the tests run with `--client-ca` = `webhook_client_ca`. A test that
//! needs flags of its own (the admission files `cluster webhook install -o` writes) starts a
//! `dedicated` server and `restart_with` those flags, keeping its etcd data.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Tokens the server accepts: `admintoken` (group system:masters) and `devtoken` (user `dev`,
/// authenticated, no grants until a test gives some).
pub const ADMIN_TOKEN: &str = "admintoken";
pub const DEV_TOKEN: &str = "devtoken";

pub struct RealApiServer {
    pub url: String,
    /// The serving certificate (self-signed; it is its own CA).
    pub ca: PathBuf,
    pub dir: PathBuf,
    /// The CA of the client certificate the shared server presents to admission webhooks.
    pub webhook_client_ca: PathBuf,
    /// kube-apiserver's arguments (without the extra ones of `restart_with`).
    args: Vec<String>,
    /// etcd's watchdog, then kube-apiserver's: dropping one's stdin stops its process.
    watchdogs: Mutex<Vec<(Child, ChildStdin)>>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs `program args` under a watchdog: when our end of its stdin closes (this process exited),
/// the program is killed and `cleanup` removed.
fn watched(program: &Path, args: &[String], log: &Path, cleanup: Option<&Path>) -> (Child, ChildStdin) {
    let script = "\"$@\" >\"$LOG\" 2>&1 & pid=$!; read _ignored; kill -9 $pid 2>/dev/null; wait $pid; \
                  [ -n \"$CLEANUP\" ] && rm -rf \"$CLEANUP\"; exit 0";
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg("watchdog")
        .arg(program)
        .args(args)
        .env("LOG", log)
        .env(
            "CLEANUP",
            cleanup.map(|p| p.as_os_str().to_owned()).unwrap_or_default(),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    (child, stdin)
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join(name))
            .find(|c| c.is_file())
    })
}

/// The shared real kube-apiserver, or `None` (the caller returns: skipped, visibly).
pub fn real_apiserver() -> Option<&'static RealApiServer> {
    static SERVER: OnceLock<Option<RealApiServer>> = OnceLock::new();
    // A server that fails to start is reported by the first test and not started again.
    let server = SERVER
        .get_or_init(|| match std::panic::catch_unwind(start) {
            Ok(s) => s,
            Err(_) => panic!("the real kube-apiserver did not start (see the first failure)"),
        })
        .as_ref();
    if server.is_none() {
        super::skip(
            "no kube-apiserver: set KSEAL_KUBE_APISERVER to the binary (xz -dc ../shared/apiserver/kube-apiserver-*.xz) \
             and install etcd (apt-get install etcd-server)",
        );
    }
    server
}

fn kube_apiserver() -> Option<PathBuf> {
    let kas = PathBuf::from(std::env::var_os("KSEAL_KUBE_APISERVER")?);
    kas.is_file().then_some(kas)
}

/// A kube-apiserver of the calling test's own (stopped when dropped), or `None`: skipped.
pub fn dedicated() -> Option<RealApiServer> {
    let s = launch(false);
    if s.is_none() {
        super::skip("no kube-apiserver: set KSEAL_KUBE_APISERVER and install etcd-server");
    }
    s
}

fn start() -> Option<RealApiServer> {
    launch(true)
}

/// The admission configuration under which the server presents a client certificate (signed by
/// a CA of the test run's own) to every webhook: the catch-all user `*` of its kubeconfig.
fn webhook_client_identity(dir: &Path) -> Vec<String> {
    let client = kseal::webhook::certs::generate_client().unwrap();
    std::fs::write(dir.join("webhook-client-ca.crt"), &client.ca_pem).unwrap();
    std::fs::write(dir.join("webhook-client.crt"), &client.cert_pem).unwrap();
    std::fs::write(dir.join("webhook-client.key"), client.key_pem.as_bytes()).unwrap();
    std::fs::write(
        dir.join("admission-kubeconfig.yaml"),
        format!(
            "apiVersion: v1\nkind: Config\nusers:\n- name: '*'\n  user:\n    client-certificate: {}\n    client-key: {}\n",
            dir.join("webhook-client.crt").display(),
            dir.join("webhook-client.key").display()
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("admission.yaml"),
        format!(
            "apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n- name: MutatingAdmissionWebhook\n  configuration:\n    apiVersion: apiserver.config.k8s.io/v1\n    kind: WebhookAdmissionConfiguration\n    kubeConfigFile: {}\n",
            dir.join("admission-kubeconfig.yaml").display()
        ),
    )
    .unwrap();
    vec![format!(
        "--admission-control-config-file={}",
        dir.join("admission.yaml").display()
    )]
}

fn launch(shared: bool) -> Option<RealApiServer> {
    // A port picked free can be taken before etcd or kube-apiserver binds it (the tests run many
    // processes at once, and every client connection takes an ephemeral port): then start again
    // on other ports, rather than fail every test that needs the server.
    for _ in 0..4 {
        match launch_once(shared)? {
            Ok(server) => return Some(server),
            Err(in_use) => eprintln!("real kube-apiserver: {in_use}; starting again on other ports"),
        }
    }
    panic!("the real kube-apiserver found no free ports in 4 attempts");
}

/// `Err` when etcd or kube-apiserver could not bind a port picked for it.
fn launch_once(shared: bool) -> Option<Result<RealApiServer, String>> {
    let kas = kube_apiserver()?;
    let etcd = which("etcd")?;
    let dir = tempfile::Builder::new()
        .prefix("kseal-kas-")
        .tempdir()
        .unwrap()
        .keep();
    let (client, peer, secure) = (free_port(), free_port(), free_port());
    let etcd_args: Vec<String> = [
        "--name=kseal-test".to_string(),
        format!("--data-dir={}", dir.join("etcd").display()),
        format!("--listen-client-urls=http://127.0.0.1:{client}"),
        format!("--advertise-client-urls=http://127.0.0.1:{client}"),
        format!("--listen-peer-urls=http://127.0.0.1:{peer}"),
        format!("--initial-advertise-peer-urls=http://127.0.0.1:{peer}"),
        format!("--initial-cluster=kseal-test=http://127.0.0.1:{peer}"),
    ]
    .into();
    // etcd's watchdog removes the data folder: kube-apiserver may be restarted, etcd lives on.
    let mut watchdogs = vec![watched(&etcd, &etcd_args, &dir.join("etcd.log"), Some(&dir))];
    std::fs::write(
        dir.join("tokens.csv"),
        format!("{ADMIN_TOKEN},admin,admin,\"system:masters\"\n{DEV_TOKEN},dev,dev\n"),
    )
    .unwrap();
    // The service-account signing key: ECDSA P-256, the private key in PKCS#8 for signing and the
    // public key for verifying (kube-apiserver reads no public key out of a PKCS#8 private key).
    let sa = rcgen::KeyPair::generate().unwrap();
    std::fs::write(dir.join("sa.key"), sa.serialize_pem()).unwrap();
    std::fs::write(dir.join("sa.pub"), sa.public_key_pem()).unwrap();
    let certs = dir.join("certs");
    let mut kas_args: Vec<String> = [
        format!("--etcd-servers=http://127.0.0.1:{client}"),
        "--bind-address=127.0.0.1".into(),
        "--advertise-address=127.0.0.1".into(),
        format!("--secure-port={secure}"),
        format!("--cert-dir={}", certs.display()),
        format!("--token-auth-file={}", dir.join("tokens.csv").display()),
        "--authorization-mode=RBAC".into(),
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local".into(),
        format!("--service-account-key-file={}", dir.join("sa.pub").display()),
        format!(
            "--service-account-signing-key-file={}",
            dir.join("sa.key").display()
        ),
        "--service-cluster-ip-range=10.0.0.0/24".into(),
        "--endpoint-reconciler-type=none".into(),
    ]
    .into();
    let client_args = webhook_client_identity(&dir);
    if shared {
        kas_args.extend(client_args);
    }
    watchdogs.push(watched(&kas, &kas_args, &dir.join("kube-apiserver.log"), None));
    let server = RealApiServer {
        url: format!("https://127.0.0.1:{secure}"),
        ca: certs.join("apiserver.crt"),
        webhook_client_ca: dir.join("webhook-client-ca.crt"),
        dir,
        args: kas_args,
        watchdogs: Mutex::new(watchdogs),
    };
    if let Err(in_use) = server.wait_ready_or_port_taken() {
        return Some(Err(in_use));
    }
    Some(Ok(server))
}

impl RealApiServer {
    /// Stops kube-apiserver and starts it again with `extra` arguments, on the same etcd data,
    /// port and serving certificate; returns when it is ready.
    pub fn restart_with(&self, extra: &[String]) {
        let mut w = self.watchdogs.lock().unwrap();
        let (mut child, stdin) = w.pop().expect("kube-apiserver's watchdog");
        drop(stdin);
        let _ = child.wait();
        let mut args = self.args.clone();
        args.extend_from_slice(extra);
        w.push(watched(
            &kube_apiserver().unwrap(),
            &args,
            &self.dir.join("kube-apiserver.log"),
            None,
        ));
        drop(w);
        self.wait_ready();
    }

    /// Writes a kubeconfig for `token` (and a default namespace) into `path`.
    pub fn kubeconfig(&self, path: &Path, token: &str, namespace: Option<&str>) -> PathBuf {
        let ns = namespace
            .map(|n| format!("    namespace: {n}\n"))
            .unwrap_or_default();
        std::fs::write(
            path,
            format!(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: real\n  cluster:\n    server: {}\n    certificate-authority: {}\n\
                 contexts:\n- name: real\n  context:\n    cluster: real\n    user: u\n{ns}current-context: real\n\
                 users:\n- name: u\n  user:\n    token: {token}\n",
                self.url,
                self.ca.display()
            ),
        )
        .unwrap();
        path.to_path_buf()
    }

    /// `kubectl` against this server as the admin (for setting up what a test needs).
    pub fn kubectl(&self, args: &[&str]) -> std::process::Output {
        let kc = self.dir.join("admin.kubeconfig");
        if !kc.exists() {
            self.kubeconfig(&kc, ADMIN_TOKEN, None);
        }
        Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&kc)
            .args(args)
            .output()
            .unwrap()
    }

    /// `kubectl apply -f -` of `manifest` as the admin; panics on failure.
    pub fn admin_apply(&self, manifest: &str) {
        let kc = self.dir.join("admin.kubeconfig");
        if !kc.exists() {
            self.kubeconfig(&kc, ADMIN_TOKEN, None);
        }
        let mut child = Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&kc)
            .args(["apply", "--server-side", "--field-manager=test-setup", "-f", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(manifest.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "kubectl apply: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn wait_ready(&self) {
        if let Err(e) = self.wait_ready_or_port_taken() {
            panic!("kube-apiserver did not become ready: {e}");
        }
    }

    /// Waits until the server answers `/readyz`; `Err` when etcd or kube-apiserver says a port
    /// it was given is taken.
    fn wait_ready_or_port_taken(&self) -> Result<(), String> {
        let started = Instant::now();
        loop {
            for log in ["kube-apiserver.log", "etcd.log"] {
                let text = std::fs::read_to_string(self.dir.join(log)).unwrap_or_default();
                if text.contains("address already in use") {
                    return Err(format!("{log}: a port was taken before it was bound"));
                }
            }
            if self.ca.exists() {
                let out = self.kubectl(&["get", "--raw", "/readyz"]);
                if out.status.success() {
                    return Ok(());
                }
            }
            if started.elapsed() > Duration::from_secs(60) {
                let log = std::fs::read_to_string(self.dir.join("kube-apiserver.log")).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(15).collect();
                panic!(
                    "kube-apiserver did not become ready; its log ends:\n{}",
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// Skips the calling test (visibly) unless the real kube-apiserver and kubectl are available.
macro_rules! require_real_apiserver {
    () => {{
        require_tools!("kubectl");
        match $crate::common::real_apiserver::real_apiserver() {
            Some(s) => s,
            None => return,
        }
    }};
}
