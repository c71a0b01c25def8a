//! `kseal webhook`, end to end: the real binary as a local process, the real kube-apiserver
//! (`tests/common/real_apiserver.rs`) calling it through the shipped `deploy/webhook/webhook.yaml`
//! configuration (pointed at `https://127.0.0.1:PORT` and narrowed to the test's namespace), and
//! the real `kubectl apply`.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

use crate::common::https::Client;
use crate::common::real_apiserver::RealApiServer;
use crate::common::*;
use crate::real_cluster::{admin_in, field};

/// `--keys KEYS --tls TLS --client-ca CA`, as the shipped Deployment passes them.
pub(crate) fn hook_args<'a>(keys: &'a Path, tls: &'a Path, client_ca: &'a Path) -> Vec<&'a OsStr> {
    vec![
        "--keys".as_ref(),
        keys.as_os_str(),
        "--tls".as_ref(),
        tls.as_os_str(),
        "--client-ca".as_ref(),
        client_ca.as_os_str(),
    ]
}

/// A running `kseal webhook`, stopped (SIGTERM, then waited for) on drop.
pub(crate) struct Webhook {
    child: Option<Child>,
    pub(crate) addr: String,
    /// The plain-HTTP probe port, when started with `--probe-listen`.
    pub(crate) probes: Option<String>,
    log: Arc<Mutex<String>>,
}

impl Webhook {
    /// `kseal webhook` on a free loopback port with these keys, serving certificate and client
    /// CA bundle, as the shipped Deployment runs it.
    fn start(keys: &Path, tls: &Path, client_ca: &Path) -> Webhook {
        Self::start_with(&hook_args(keys, tls, client_ca), "127.0.0.1:0")
    }

    /// `kseal webhook ARGS --listen LISTEN`; waits for the addresses it prints (the probe
    /// port's too when ARGS has `--probe-listen`).
    pub(crate) fn start_with(args: &[&OsStr], listen: &str) -> Webhook {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("kseal"))
            .args(["webhook", "--listen", listen, "--reload-every", "100ms"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                for (kind, marker) in [
                    ("https", "listening on https://"),
                    ("probes", "probes on http://"),
                ] {
                    if let Some(rest) = line.split(marker).nth(1) {
                        let addr = rest.split_whitespace().next().unwrap().trim_end_matches(';');
                        let _ = tx.send((kind, addr.to_string()));
                    }
                }
                let mut l = sink.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
        let mut wanted = 1 + usize::from(args.contains(&OsStr::new("--probe-listen")));
        let (mut addr, mut probes) = (String::new(), None);
        while wanted > 0 {
            let (kind, at) = rx
                .recv_timeout(Duration::from_secs(20))
                .unwrap_or_else(|_| panic!("kseal webhook did not start: {}", log.lock().unwrap()));
            match kind {
                "https" => addr = at,
                _ => probes = Some(at),
            }
            wanted -= 1;
        }
        Webhook {
            child: Some(child),
            addr,
            probes,
            log,
        }
    }

    pub(crate) fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// SIGTERM, as the kubelet stops a Pod; returns whether it exited 0.
    pub(crate) fn stop(&mut self) -> bool {
        let Some(mut child) = self.child.take() else {
            return true;
        };
        let _ = Command::new("kill").arg(child.id().to_string()).status();
        let status = child.wait().unwrap();
        // Let the log thread read the last lines.
        std::thread::sleep(Duration::from_millis(100));
        status.success()
    }
}

impl Drop for Webhook {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A Secret volume as the kubelet's atomic writer lays it out: the files in a timestamped folder,
/// `..data` pointing at it, one link per key, mode 0400. `swap_volume` replaces the content the
/// way the kubelet does (a new folder, `..data` re-pointed by a rename).
pub(crate) fn kubelet_volume(dir: &Path, files: &[(&str, &Path)]) {
    std::fs::create_dir_all(dir).unwrap();
    swap_volume(dir, files, "..2026_11_23_10_00_00.1");
}

fn swap_volume(dir: &Path, files: &[(&str, &Path)], stamp: &str) {
    let folder = dir.join(stamp);
    std::fs::create_dir_all(&folder).unwrap();
    for (name, from) in files {
        std::fs::copy(from, folder.join(name)).unwrap();
        chmod(&folder.join(name), 0o400);
        let link = dir.join(name);
        if std::fs::symlink_metadata(&link).is_err() {
            std::os::unix::fs::symlink(format!("..data/{name}"), &link).unwrap();
        }
    }
    std::os::unix::fs::symlink(stamp, dir.join("..data_tmp")).unwrap();
    std::fs::rename(dir.join("..data_tmp"), dir.join("..data")).unwrap();
}

/// A serving certificate for 127.0.0.1 (kseal's own generator) in `dir`; returns the CA.
pub(crate) fn serving_cert(dir: &Path) -> String {
    let s = kseal::webhook::certs::generate(&["127.0.0.1".to_string()]).unwrap();
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("tls.crt"), &s.cert_pem).unwrap();
    std::fs::write(dir.join("tls.key"), s.key_pem.as_bytes()).unwrap();
    std::fs::write(dir.join("ca.crt"), &s.ca_pem).unwrap();
    chmod(&dir.join("tls.key"), 0o600);
    s.ca_pem
}

/// The shipped admission objects of `deploy/webhook/webhook.yaml` (webhook configuration, policy,
/// binding), renamed for one namespace, narrowed to it, and pointed at a local webhook.
pub(crate) fn admission_objects(namespace: &str, url: &str, ca: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(repo().join("deploy/webhook/webhook.yaml")).unwrap();
    let docs: Vec<Value> = serde_saphyr::from_multiple(&text).unwrap();
    let only_here = json!({"matchLabels": {"kubernetes.io/metadata.name": namespace}});
    let mut out = Vec::new();
    for mut d in docs {
        let suffix = format!("-{namespace}");
        match d["kind"].as_str().unwrap() {
            "MutatingWebhookConfiguration" => {
                d["metadata"]["name"] = json!(format!("kseal{suffix}"));
                let hook = &mut d["webhooks"][0];
                hook["clientConfig"] = json!({"url": url, "caBundle": STANDARD.encode(ca)});
                hook["namespaceSelector"] = only_here.clone();
            }
            "ValidatingAdmissionPolicy" => {
                d["metadata"]["name"] = json!(format!("kseal-no-sealed-values{suffix}"));
            }
            "ValidatingAdmissionPolicyBinding" => {
                d["metadata"]["name"] = json!(format!("kseal-no-sealed-values{suffix}"));
                d["spec"]["policyName"] = json!(format!("kseal-no-sealed-values{suffix}"));
                d["spec"]["matchResources"] = json!({"namespaceSelector": only_here.clone()});
            }
            _ => continue,
        }
        out.push(d);
    }
    assert_eq!(
        out.len(),
        3,
        "deploy/webhook/webhook.yaml lost an admission object"
    );
    out
}

/// One namespace with a running webhook and its admission objects applied.
pub(crate) struct Setup {
    pub(crate) sb: Sandbox,
    pub(crate) ns: String,
    pub(crate) hook: Webhook,
    _not_alone: std::sync::RwLockReadGuard<'static, ()>,
}

pub(crate) fn setup(s: &RealApiServer, ns: &str) -> Setup {
    let not_alone = CLUSTER_WIDE.read().unwrap_or_else(|e| e.into_inner());
    let sb = admin_in(s, ns);
    kubelet_volume(&sb.path("keys"), &[("a.agekey", &sb.path("a.agekey"))]);
    let ca = serving_cert(&sb.path("tls"));
    // The shared server presents its client certificate to every webhook.
    kubelet_volume(&sb.path("client-ca"), &[("ca.crt", &s.webhook_client_ca)]);
    let hook = Webhook::start(&sb.path("keys"), &sb.path("tls"), &sb.path("client-ca/ca.crt"));
    let objects = admission_objects(ns, &format!("https://{}/mutate", hook.addr), &ca);
    for o in &objects {
        s.admin_apply(&o.to_string());
    }
    let setup = Setup {
        sb,
        ns: ns.to_string(),
        hook,
        _not_alone: not_alone,
    };
    // The API server picks new webhook configurations up within a moment: wait until a probe
    // Secret is opened.
    setup.seal("probe.yaml", "probe", &[("k", "v")], "a.pub");
    wait_for("the webhook configuration to take effect", || {
        succeeds(setup.kubectl(&["apply", "-f", "probe.yaml"]))
    });
    setup
}

/// Polls `f` for up to 30 s; `Err` is the last reason it was not yet true.
pub(crate) fn wait_for(what: &str, mut f: impl FnMut() -> Result<(), String>) {
    let started = Instant::now();
    loop {
        match f() {
            Ok(()) => return,
            Err(why) => assert!(
                started.elapsed() < Duration::from_secs(30),
                "timed out waiting for {what}: {why}"
            ),
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

pub(crate) fn succeeds(out: std::process::Output) -> Result<(), String> {
    if out.status.success() {
        Ok(())
    } else {
        Err(stderr(&out))
    }
}

impl Setup {
    /// Writes `file`: Secret `name` in the namespace with these stringData values, sealed to `to`.
    pub(crate) fn seal(&self, file: &str, name: &str, values: &[(&str, &str)], to: &str) {
        let plain = self.manifest(name, values);
        self.sb.write("plain.yaml", &plain);
        let out = self.sb.kseal().args(["seal", "-R", to, "plain.yaml"]).run_ok();
        self.sb.write(file, &stdout(&out));
    }

    pub(crate) fn manifest(&self, name: &str, values: &[(&str, &str)]) -> String {
        let mut m = format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: {}\ntype: Opaque\nstringData:\n",
            self.ns
        );
        for (k, v) in values {
            m.push_str(&format!("  {k}: {v}\n"));
        }
        m
    }

    pub(crate) fn kubectl(&self, args: &[&str]) -> std::process::Output {
        Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(self.sb.path("kc"))
            .args(args)
            .current_dir(self.sb.dir.path())
            .output()
            .unwrap()
    }

    pub(crate) fn value(&self, s: &RealApiServer, name: &str, key: &str) -> String {
        let b64 = field(
            s,
            &self.ns,
            &format!("secret/{name}"),
            &format!("{{.data.{key}}}"),
        );
        String::from_utf8(STANDARD.decode(b64.trim()).unwrap()).unwrap()
    }

    fn resource_version(&self, s: &RealApiServer, name: &str) -> String {
        field(
            s,
            &self.ns,
            &format!("secret/{name}"),
            "{.metadata.resourceVersion}",
        )
    }
}

/// A sealed file applied with `kubectl apply` (client-side and server-side) stores the opened
/// values; applying it again changes nothing; and server-side dry runs and diffs of the sealed
/// file see no drift against the live object (what Flux and Argo CD compare).
#[test]
fn kubectl_apply_of_sealed_files_stores_opened_values_without_drift() {
    let s = require_real_apiserver!();
    let t = setup(s, "wh-apply");
    t.seal(
        "csa.yaml",
        "db",
        &[("password", "hunter2"), ("user", "admin")],
        "a.pub",
    );
    t.seal("ssa.yaml", "api", &[("token", "t0ken-value")], "a.pub");
    // These hold the sealed values under `stringData`; the `data` form is tried at the end.
    assert!(t.sb.read("csa.yaml").contains("stringData:"));

    let out = t.kubectl(&["apply", "-f", "csa.yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(t.value(s, "db", "password"), "hunter2");
    assert_eq!(t.value(s, "db", "user"), "admin");
    let rv = t.resource_version(s, "db");
    let again = t.kubectl(&["apply", "-f", "csa.yaml"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(
        t.resource_version(s, "db"),
        rv,
        "a second identical apply changed the Secret"
    );
    let diff = t.kubectl(&["diff", "-f", "csa.yaml"]);
    assert_eq!(
        diff.status.code(),
        Some(0),
        "kubectl diff sees drift:\n{}{}",
        stdout(&diff),
        stderr(&diff)
    );

    let out = t.kubectl(&["apply", "--server-side", "-f", "ssa.yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(t.value(s, "api", "token"), "t0ken-value");
    let rv = t.resource_version(s, "api");
    let again = t.kubectl(&["apply", "--server-side", "-f", "ssa.yaml"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(
        t.resource_version(s, "api"),
        rv,
        "a second server-side apply changed the Secret"
    );
    let dry = t.kubectl(&[
        "apply",
        "--server-side",
        "--dry-run=server",
        "-f",
        "ssa.yaml",
        "-o",
        "json",
    ]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    let dry: Value = serde_json::from_slice(&dry.stdout).unwrap();
    assert_eq!(dry["data"]["token"], json!(STANDARD.encode("t0ken-value")));
    assert_eq!(dry["metadata"]["resourceVersion"], json!(rv));
    let diff = t.kubectl(&["diff", "--server-side", "-f", "ssa.yaml"]);
    assert_eq!(
        diff.status.code(),
        Some(0),
        "server-side diff sees drift:\n{}{}",
        stdout(&diff),
        stderr(&diff)
    );

    // A `data`-form sealed value (base64 of the sealed string) opens the same way.
    let sealed_token = sealed_tokens(&t.sb.read("ssa.yaml")).remove(0);
    t.sb.write(
        "data.yaml",
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: api, namespace: {}}}\ndata:\n  token: {}\n",
            t.ns,
            STANDARD.encode(&sealed_token)
        ),
    );
    let diff = t.kubectl(&["diff", "--server-side", "-f", "data.yaml"]);
    assert_eq!(diff.status.code(), Some(0), "{}{}", stdout(&diff), stderr(&diff));

    let log = t.hook.log();
    for secret in ["hunter2", "t0ken-value", &STANDARD.encode("hunter2")] {
        assert!(!log.contains(secret), "the webhook logged a value:\n{log}");
    }
    assert!(
        log.contains("op=CREATE") && log.contains("dryRun=true") && log.contains("opened=2"),
        "{log}"
    );
}

/// A value sealed for another namespace, Secret or key, or to another key pair, is refused with
/// the key named and why; nothing is stored, and no value is shown.
#[test]
fn values_moved_or_sealed_elsewhere_are_denied_with_the_key_and_reason() {
    let s = require_real_apiserver!();
    let t = setup(s, "wh-deny");
    let other_ns = t
        .manifest("db", &[("password", "hunter2")])
        .replace("namespace: wh-deny", "namespace: elsewhere");
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "namespace",
            other_ns,
            "namespace: elsewhere",
            "namespace: wh-deny",
        ),
        (
            "name",
            t.manifest("other", &[("password", "hunter2")]),
            "name: other",
            "name: db",
        ),
        (
            "key",
            t.manifest("db", &[("passwd", "hunter2")]),
            "passwd:",
            "password:",
        ),
    ];
    for (what, plain, from, to) in cases {
        t.sb.write("plain.yaml", &plain);
        let out = t.sb.kseal().args(["seal", "-R", "a.pub", "plain.yaml"]).run_ok();
        t.sb.write("moved.yaml", &stdout(&out).replace(from, to));
        let out = t.kubectl(&["apply", "-f", "moved.yaml"]);
        let err = stderr(&out);
        assert!(!out.status.success(), "{what}: a moved value was admitted");
        assert!(
            err.contains("secrets.kseal.dev")
                && err.contains("secret wh-deny/db")
                && err.contains("key password: sealed for another place")
                && err.contains("here (wh-deny/db, key password)"),
            "{what}: {err}"
        );
        assert!(!err.contains("hunter2"), "{err}");
    }
    t.seal("foreign.yaml", "db", &[("password", "hunter2")], "b.pub");
    let out = t.kubectl(&["apply", "--server-side", "-f", "foreign.yaml"]);
    let err = stderr(&out);
    assert!(
        !out.status.success() && err.contains("key password: no identity for this value"),
        "{err}"
    );
    let get = t.kubectl(&["get", "secret", "db"]);
    assert!(!get.status.success(), "a denied Secret was stored");
    assert!(t.hook.log().contains("allowed=false"));
    assert!(!t.hook.log().contains("hunter2"));
}

/// Fail-closed without blocking: with the webhook stopped, Secrets without kseal values are still
/// written (matchConditions), Secrets with one are refused (failurePolicy: Fail); with its
/// configuration deleted too, the ValidatingAdmissionPolicy still refuses them.
#[test]
fn with_the_webhook_down_only_secrets_holding_kseal_values_are_refused() {
    let s = require_real_apiserver!();
    let mut t = setup(s, "wh-down");
    assert!(t.hook.stop(), "the webhook did not exit 0 on SIGTERM");
    assert!(t.hook.log().contains("stopped"), "{}", t.hook.log());

    t.sb.write("plain.yaml", &t.manifest("plain", &[("password", "not-sealed")]));
    let out = t.kubectl(&["apply", "-f", "plain.yaml"]);
    assert!(
        out.status.success(),
        "a Secret without kseal values was blocked: {}",
        stderr(&out)
    );

    t.seal("sealed.yaml", "db", &[("password", "hunter2")], "a.pub");
    let out = t.kubectl(&["apply", "-f", "sealed.yaml"]);
    let err = stderr(&out);
    assert!(
        !out.status.success() && err.contains("secrets.kseal.dev"),
        "{err}"
    );

    let out = s.kubectl(&["delete", "mutatingwebhookconfiguration", "kseal-wh-down"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Admission configuration is eventually consistent (the API server watches it): wait, with
    // dry runs that store nothing, until the configuration is gone and the policy (created a
    // moment ago by `setup`) is in force; then a real write must be refused.
    wait_for(
        "the webhook configuration to be gone and the policy to refuse",
        || {
            let out = t.kubectl(&["apply", "--server-side", "--dry-run=server", "-f", "sealed.yaml"]);
            if stderr(&out).contains("still holds a sealed kseal value") {
                Ok(())
            } else {
                Err(format!("{}{}", stdout(&out), stderr(&out)))
            }
        },
    );
    let out = t.kubectl(&["apply", "--server-side", "-f", "sealed.yaml"]);
    let last = stderr(&out);
    assert!(!out.status.success(), "ciphertext was stored as a Secret value");
    assert!(
        last.contains("key password") && last.contains("kseal-no-sealed-values-wh-down"),
        "{last}"
    );
    assert!(!t.kubectl(&["get", "secret", "db"]).status.success());
}

/// `cluster rotate-key` adds a key to the Secret; the kubelet swaps the volume's content; the
/// running webhook opens values sealed to the new key without a restart.
#[test]
fn keys_swapped_into_the_mounted_volume_are_used_without_restart() {
    let s = require_real_apiserver!();
    let t = setup(s, "wh-rotate");
    t.seal("new-key.yaml", "db", &[("password", "hunter2")], "b.pub");
    let out = t.kubectl(&["apply", "-f", "new-key.yaml"]);
    assert!(
        stderr(&out).contains("no identity for this value"),
        "{}",
        stderr(&out)
    );
    swap_volume(
        &t.sb.path("keys"),
        &[
            ("a.agekey", &t.sb.path("a.agekey")),
            ("b.agekey", &t.sb.path("b.agekey")),
        ],
        "..2026_11_23_11_00_00.2",
    );
    wait_for("the webhook to reload", || {
        let log = t.hook.log();
        if log.contains("reloaded: 2 key(s)") {
            Ok(())
        } else {
            Err(log)
        }
    });
    let out = t.kubectl(&["apply", "-f", "new-key.yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(t.value(s, "db", "password"), "hunter2");
}

/// Whatever reaches the port gets a clean answer: 400 for what is not an AdmissionReview, 413 for
/// a huge body, an unchanged admission for objects that are not Secrets; the webhook keeps
/// serving, and its log holds no value.
#[test]
fn bad_admission_reviews_get_clean_answers_and_never_crash_the_webhook() {
    let sb = Sandbox::new();
    kubelet_volume(&sb.path("keys"), &[("a.agekey", &sb.path("a.agekey"))]);
    let ca = serving_cert(&sb.path("tls"));
    let apiserver = kseal::webhook::certs::generate_client().unwrap();
    sb.write("client-ca.crt", &apiserver.ca_pem);
    let me = Some((apiserver.cert_pem.as_str(), apiserver.key_pem.as_str()));
    let mut hook = Webhook::start(&sb.path("keys"), &sb.path("tls"), &sb.path("client-ca.crt"));
    let mut c = Client::connect(&hook.addr, &ca, me).unwrap();
    let review = |request: Value| {
        json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request})
            .to_string()
    };
    let status = |c: &mut Client, method: &str, path: &str, body: &str| {
        c.request(method, path, body.as_bytes()).unwrap().0
    };

    assert_eq!(status(&mut c, "GET", "/healthz", ""), 200);
    assert_eq!(status(&mut c, "GET", "/readyz", ""), 200);
    assert_eq!(status(&mut c, "GET", "/mutate", ""), 405);
    // Its own connection: the body of a request to an unknown path is left unread, and hyper then
    // closes the connection, which a next request on it could race into (a broken pipe).
    let mut once = Client::connect(&hook.addr, &ca, me).unwrap();
    assert_eq!(status(&mut once, "POST", "/elsewhere", "{}"), 404);
    assert_eq!(status(&mut c, "POST", "/mutate", "not json"), 400);
    assert_eq!(status(&mut c, "POST", "/mutate", "{}"), 400);
    assert_eq!(
        status(
            &mut c,
            "POST",
            "/mutate",
            r#"{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"x"}}"#
        ),
        400
    );
    assert_eq!(
        status(
            &mut c,
            "POST",
            "/mutate",
            &review(json!({"kind": {"kind": "Secret"}}))
        ),
        400
    );
    let (code, body) = c
        .request(
            "POST",
            "/mutate",
            review(json!({"uid": "u1", "kind": {"group": "", "version": "v1", "kind": "ConfigMap"}, "operation": "CREATE", "namespace": "x", "name": "y", "object": {"data": {"a": "kseal:v2:x"}}})).as_bytes(),
        )
        .unwrap();
    let answer: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (code, &answer["response"]["allowed"], &answer["response"]["uid"]),
        (200, &json!(true), &json!("u1"))
    );
    assert!(answer["response"].get("patch").is_none());
    // A Secret whose data is not a string map is denied, not a crash.
    let (code, body) = c
        .request(
            "POST",
            "/mutate",
            review(json!({"uid": "u2", "kind": {"group": "", "version": "v1", "kind": "Secret"}, "operation": "CREATE", "namespace": "x", "name": "y", "object": {"data": {"a": 5}}})).as_bytes(),
        )
        .unwrap();
    let answer: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!((code, &answer["response"]["allowed"]), (200, &json!(false)));
    let secret = STANDARD.encode("kseal:v2:strict:0011aabb:AAAA:hunter2-and-more");
    let (_, body) = c
        .request(
            "POST",
            "/mutate",
            review(json!({"uid": "u3", "kind": {"group": "", "version": "v1", "kind": "Secret"}, "operation": "UPDATE", "namespace": "x", "name": "y", "object": {"data": {"a": secret}}})).as_bytes(),
        )
        .unwrap();
    let answer: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(answer["response"]["allowed"], json!(false));
    assert!(!answer.to_string().contains("hunter2"));

    // Declared too large: refused before reading. Then a body that really is too large.
    let mut big = Client::connect(&hook.addr, &ca, me).unwrap();
    assert_eq!(
        big.request_with_length("POST", "/mutate", b"", 64 << 20)
            .unwrap()
            .0,
        413
    );
    let huge = vec![b' '; 9 << 20];
    let mut big = Client::connect(&hook.addr, &ca, me).unwrap();
    match big.request("POST", "/mutate", &huge) {
        Ok((code, _)) => assert_eq!(code, 413),
        // The server may answer 413 and close while the client is still sending.
        Err(e) => assert!(
            matches!(
                e.kind(),
                std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
            ),
            "{e}"
        ),
    }
    // A client that connects and leaves without a TLS handshake.
    drop(std::net::TcpStream::connect(&hook.addr).unwrap());

    let mut c = Client::connect(&hook.addr, &ca, me).unwrap();
    assert_eq!(
        status(&mut c, "GET", "/healthz", ""),
        200,
        "the webhook stopped serving"
    );
    assert!(hook.stop());
    let log = hook.log();
    assert!(!log.contains("hunter2"), "{log}");
    assert!(
        log.contains("bad request") && log.contains("refused a body"),
        "{log}"
    );
}

/// The cluster-wide objects `cluster webhook install` makes (a webhook configuration and a policy
/// for every namespace) would also catch the other tests' Secrets: they run alone.
pub(crate) static CLUSTER_WIDE: std::sync::RwLock<()> = std::sync::RwLock::new(());

/// The certificates of a PEM bundle as trust anchors.
fn roots(bundle: &str) -> rustls::RootCertStore {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_slice_iter(bundle.as_bytes()) {
        roots.add(c.unwrap()).unwrap();
    }
    roots
}

fn pem_certs(pem: &str) -> usize {
    pem.matches("-----BEGIN CERTIFICATE-----").count()
}

/// `cluster init --webhook` installs exactly the manifest's objects (two replicas, a PDB, a
/// non-root read-only Deployment, no grant to read any Secret), a serving certificate that
/// the webhook configuration's CA bundle verifies for the Service's name; `rotate-cert` trusts the
/// new and the previous CA, never more; `install` again changes nothing.
#[test]
fn cluster_init_with_webhook_installs_it_and_rotate_cert_keeps_one_previous_ca() {
    use rustls::client::danger::ServerCertVerifier;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

    let s = require_real_apiserver!();
    let _alone = CLUSTER_WIDE.write().unwrap_or_else(|e| e.into_inner());
    let _keys = crate::real_cluster::KEYS
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    crate::real_cluster::reset_keys(s);
    let sb = Sandbox::new();
    s.kubeconfig(&sb.path("kc"), crate::common::real_apiserver::ADMIN_TOKEN, None);
    let cleanup = || remove_cluster_wide_objects(s);
    // Also when an assertion fails: the cluster-wide objects would fail every other webhook test.
    let _cleanup = OnDrop(Some(cleanup));
    let out = sb
        .kseal()
        .args([
            "--kubeconfig",
            "kc",
            "cluster",
            "init",
            "--webhook",
            "--image",
            "example.org/kseal:test",
            "-o",
            "apiserver",
            "--apiserver-dir",
            "/etc/kubernetes/kseal",
        ])
        .output()
        .unwrap();
    cleanup_on_failure(&out, cleanup);
    assert!(stderr(&out).contains("installed the webhook"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "--admission-control-config-file=/etc/kubernetes/kseal/kseal-admission-configuration.yaml"
        ),
        "{}",
        stderr(&out)
    );
    let kubeconfig = sb.path("apiserver/kseal-admission-kubeconfig.yaml");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&kubeconfig).unwrap().permissions().mode() & 0o777,
        0o600
    );

    let get = |what: &str| -> Value {
        let out = s.kubectl(&["get", "-n", "kseal", what, "-o", "json"]);
        assert!(out.status.success(), "{what}: {}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let dep = get("deployment/kseal-webhook");
    assert_eq!(dep["spec"]["replicas"], 2);
    let pod = &dep["spec"]["template"]["spec"];
    assert_eq!(pod["containers"][0]["image"], "example.org/kseal:test");
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(
        pod["containers"][0]["securityContext"]["readOnlyRootFilesystem"],
        true
    );
    assert!(pod["containers"][0]["resources"]["limits"]["memory"].is_string());
    assert_eq!(
        get("poddisruptionbudget/kseal-webhook")["spec"]["minAvailable"],
        1
    );
    assert_eq!(get("service/kseal-webhook")["spec"]["ports"][0]["port"], 443);
    // Least privilege (issue 35): the ServiceAccount reads no Secret through the API; the
    // kubelet mounts them. `kubectl auth can-i` as the ServiceAccount says no for all three.
    assert!(!s
        .kubectl(&["get", "role/kseal-webhook", "-n", "kseal"])
        .status
        .success());
    for secret in ["kseal-keys", "kseal-webhook-tls", "kseal-webhook-client"] {
        let out = s.kubectl(&[
            "auth",
            "can-i",
            "get",
            &format!("secret/{secret}"),
            "-n",
            "kseal",
            "--as",
            "system:serviceaccount:kseal:kseal-webhook",
        ]);
        assert_eq!(stdout(&out).trim(), "no", "{secret}: {}", stderr(&out));
    }
    // The webhook's Pods mount only the client CA bundle; the kubeconfig for the API server
    // holds the client Secret's certificate, and that certificate verifies against the bundle.
    let client = |name: &str| -> String {
        let v = get("secret/kseal-webhook-client");
        String::from_utf8(STANDARD.decode(v["data"][name].as_str().unwrap()).unwrap()).unwrap()
    };
    let kc: Value = serde_saphyr::from_str(&std::fs::read_to_string(&kubeconfig).unwrap()).unwrap();
    assert_eq!(kc["users"][0]["name"], "kseal-webhook.kseal.svc");
    assert_eq!(
        kc["users"][0]["user"]["client-certificate-data"],
        json!(STANDARD.encode(client("tls.crt")))
    );
    let client_verifies = |bundle: &str, cert: &str| -> bool {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let v = rustls::server::WebPkiClientVerifier::builder_with_provider(roots(bundle).into(), provider)
            .build()
            .unwrap();
        let leaf = CertificateDer::from_pem_slice(cert.as_bytes()).unwrap();
        v.verify_client_cert(&leaf, &[], UnixTime::now()).is_ok()
    };
    let first_client = client("tls.crt");
    assert_eq!(pem_certs(&client("ca.crt")), 1);
    assert!(client_verifies(&client("ca.crt"), &first_client));

    let tls = |name: &str| -> String {
        let v = get("secret/kseal-webhook-tls");
        assert_eq!(v["type"], "kubernetes.io/tls");
        String::from_utf8(STANDARD.decode(v["data"][name].as_str().unwrap()).unwrap()).unwrap()
    };
    let bundle = || -> String {
        let out = s.kubectl(&[
            "get",
            "mutatingwebhookconfiguration/kseal",
            "-o",
            "jsonpath={.webhooks[0].clientConfig.caBundle}",
        ]);
        String::from_utf8(STANDARD.decode(stdout(&out).trim()).unwrap()).unwrap()
    };
    let verifies = |bundle: &str, cert: &str| -> bool {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let v = rustls::client::WebPkiServerVerifier::builder_with_provider(roots(bundle).into(), provider)
            .build()
            .unwrap();
        let leaf = CertificateDer::from_pem_slice(cert.as_bytes()).unwrap();
        let name = ServerName::try_from("kseal-webhook.kseal.svc").unwrap();
        v.verify_server_cert(&leaf, &[], &name, &[], UnixTime::now())
            .is_ok()
    };
    let (first_cert, first_ca) = (tls("tls.crt"), tls("ca.crt"));
    assert_eq!(bundle(), first_ca);
    assert!(verifies(&bundle(), &first_cert));

    let rotate = || {
        let out = sb
            .kseal()
            .args(["--kubeconfig", "kc", "cluster", "webhook", "rotate-cert"])
            .output()
            .unwrap();
        cleanup_on_failure(&out, cleanup);
    };
    rotate();
    let (second_cert, second_ca) = (tls("tls.crt"), tls("ca.crt"));
    assert_ne!(second_cert, first_cert);
    assert_eq!(
        bundle(),
        format!("{second_ca}{first_ca}"),
        "the bundle is the new CA, then the previous one"
    );
    assert!(verifies(&bundle(), &first_cert) && verifies(&bundle(), &second_cert));
    // The API server's client certificate rotates too: the new one and the previous one are
    // trusted, so the API server keeps being answered until it is given the new files.
    let second_client = client("tls.crt");
    assert_ne!(second_client, first_client);
    assert_eq!(pem_certs(&client("ca.crt")), 2);
    assert!(client_verifies(&client("ca.crt"), &first_client));
    assert!(client_verifies(&client("ca.crt"), &second_client));
    rotate();
    assert_eq!(pem_certs(&bundle()), 2);
    assert!(
        !verifies(&bundle(), &first_cert),
        "a CA two rotations old is still trusted"
    );
    assert_eq!(pem_certs(&client("ca.crt")), 2);
    assert!(
        !client_verifies(&client("ca.crt"), &first_client),
        "a client CA two rotations old is still trusted"
    );

    let before = bundle();
    let out = sb
        .kseal()
        .args(["--kubeconfig", "kc", "cluster", "webhook", "install"])
        .output()
        .unwrap();
    cleanup_on_failure(&out, cleanup);
    assert_eq!(bundle(), before, "install replaced a working certificate");

    // With the webhook installed, rotate-key says when the webhook will have the new key.
    let out = sb
        .kseal()
        .args(["--kubeconfig", "kc", "cluster", "rotate-key"])
        .output()
        .unwrap();
    cleanup_on_failure(&out, cleanup);
    assert!(
        stderr(&out).contains("the webhook reads key") && stderr(&out).contains("are denied"),
        "{}",
        stderr(&out)
    );
}

/// Deletes what `cluster webhook install` makes cluster-wide (kept while it is running alone).
fn remove_cluster_wide_objects(s: &RealApiServer) {
    s.kubectl(&[
        "delete",
        "mutatingwebhookconfiguration/kseal",
        "validatingadmissionpolicy/kseal-no-sealed-values",
        "validatingadmissionpolicybinding/kseal-no-sealed-values",
        "--ignore-not-found",
    ]);
}

/// Runs its closure when dropped, also while a test panics.
struct OnDrop<F: FnOnce()>(Option<F>);

impl<F: FnOnce()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        if let Some(f) = self.0.take() {
            f();
        }
    }
}

fn cleanup_on_failure(out: &std::process::Output, cleanup: impl Fn()) {
    if !out.status.success() {
        cleanup();
        panic!("kseal failed: {}", stderr(out));
    }
}

/// The fake API server calls a mutating webhook as the real one does: the same stored values, and
/// for a denial, a dry run, and a webhook that is down, the same status code, reason and message.
#[test]
fn the_fake_calls_the_webhook_as_the_real_server_does() {
    use k8s_openapi::api::core::v1::Secret;
    use kseal_fake_apiserver::FakeApiServer;
    use kube::api::{Api, PostParams};

    let s = require_real_apiserver!();
    let mut t = setup(s, "wh-fake");
    let fake = FakeApiServer::start();
    // Its client certificate for webhooks: the real server's, which the webhook trusts.
    let read = |f: &str| std::fs::read_to_string(s.dir.join(f)).unwrap();
    fake.set_webhook_client_cert(&read("webhook-client.crt"), &read("webhook-client.key"));
    fake.insert(
        "namespaces",
        None,
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "wh-fake"}}),
    );
    let ca = std::fs::read_to_string(t.sb.path("tls/ca.crt")).unwrap();
    for o in admission_objects("wh-fake", &format!("https://{}/mutate", t.hook.addr), &ca) {
        if o["kind"] == "MutatingWebhookConfiguration" {
            fake.insert("mutatingwebhookconfigurations", None, o);
        }
    }
    t.seal(
        "good.yaml",
        "good",
        &[("password", "hunter2"), ("user", "admin")],
        "a.pub",
    );
    t.seal("moved.yaml", "other", &[("password", "hunter2")], "a.pub");
    let secret = |file: &str, name: &str| -> Secret {
        let docs: Vec<Value> = serde_saphyr::from_multiple(&t.sb.read(file)).unwrap();
        let mut v = docs.into_iter().next().unwrap();
        v["metadata"]["name"] = json!(name);
        serde_json::from_value(v).unwrap()
    };
    let plain: Secret =
        serde_json::from_value(json!({"metadata": {"name": "plain"}, "stringData": {"k": "not sealed"}}))
            .unwrap();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    type Outcome = Result<Value, (u16, String, String)>;
    let run = |client: kube::Client, webhook_up: bool| -> Vec<(&'static str, Outcome)> {
        rt.block_on(async {
            let api: Api<Secret> = Api::namespaced(client, "wh-fake");
            let outcome = |r: Result<Secret, kube::Error>| -> Outcome {
                match r {
                    Ok(s) => Ok(json!(s.data)),
                    Err(kube::Error::Api(st)) => Err((st.code, st.reason.clone(), st.message.clone())),
                    Err(e) => panic!("{e}"),
                }
            };
            let dry = PostParams {
                dry_run: true,
                ..Default::default()
            };
            let mut out = Vec::new();
            if webhook_up {
                out.push((
                    "opened",
                    outcome(
                        api.create(&PostParams::default(), &secret("good.yaml", "good"))
                            .await,
                    ),
                ));
                out.push((
                    "denied",
                    outcome(
                        api.create(&PostParams::default(), &secret("moved.yaml", "db"))
                            .await,
                    ),
                ));
                out.push((
                    "denied dry run",
                    outcome(api.create(&dry, &secret("moved.yaml", "db")).await),
                ));
            } else {
                out.push((
                    "down, sealed",
                    outcome(
                        api.create(&PostParams::default(), &secret("good.yaml", "again"))
                            .await,
                    ),
                ));
                out.push((
                    "down, plain",
                    outcome(api.create(&PostParams::default(), &plain).await),
                ));
            }
            out
        })
    };
    let real_client = || {
        rt.block_on(async {
            let kc = kube::config::Kubeconfig::read_from(t.sb.path("kc")).unwrap();
            let config = kube::Config::from_custom_kubeconfig(kc, &Default::default())
                .await
                .unwrap();
            kube::Client::try_from(config).unwrap()
        })
    };
    let fake_client = || {
        let _in_runtime = rt.enter();
        kube::Client::try_from(kube::Config::new(fake.url().parse().unwrap())).unwrap()
    };

    let real_up = run(real_client(), true);
    let fake_up = run(fake_client(), true);
    assert_eq!(real_up, fake_up);
    assert_eq!(
        real_up[0].1.as_ref().unwrap()["password"],
        json!(STANDARD.encode("hunter2"))
    );
    assert_eq!(real_up[1].1.as_ref().unwrap_err().0, 403);

    t.hook.stop();
    let real_down = run(real_client(), false);
    let fake_down = run(fake_client(), false);
    assert_eq!(real_down, fake_down);
    assert_eq!(real_down[0].1.as_ref().unwrap_err().0, 500, "{real_down:?}");
    assert!(real_down[1].1.is_ok());
}

/// An AdmissionReview creating Secret `db` in namespace `x` whose `password` is `hunter2`,
/// sealed (strict) to `a.pub`: what anyone who can read the repository can write.
fn sealed_review(sb: &Sandbox) -> Vec<u8> {
    sb.write(
        "db.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: x\nstringData:\n  password: hunter2\n",
    );
    let sealed: Value = serde_saphyr::from_str(&sb.seal("db.yaml")).unwrap();
    let value = sealed["stringData"]["password"].as_str().unwrap();
    json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": "u1", "kind": {"group": "", "version": "v1", "kind": "Secret"},
        "operation": "CREATE", "namespace": "x", "name": "db",
        "object": {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "x"},
                   "data": {"password": STANDARD.encode(value)}}}})
    .to_string()
    .into_bytes()
}

/// Regression (issue 23): the webhook was a decryption oracle. A caller without the API server's
/// client certificate, or with one from another CA, gets no HTTP answer at all (the handshake
/// fails before any request is read); the API server's certificate gets the opened value; the
/// probe port answers probes only.
#[test]
fn only_a_caller_with_the_api_servers_client_certificate_gets_an_answer() {
    let sb = Sandbox::new();
    kubelet_volume(&sb.path("keys"), &[("a.agekey", &sb.path("a.agekey"))]);
    let ca = serving_cert(&sb.path("tls"));
    let apiserver = kseal::webhook::certs::generate_client().unwrap();
    let stranger = kseal::webhook::certs::generate_client().unwrap();
    sb.write("client-ca.crt", &apiserver.ca_pem);
    let (keys, tls, client_ca) = (sb.path("keys"), sb.path("tls"), sb.path("client-ca.crt"));
    let mut args = hook_args(&keys, &tls, &client_ca);
    args.extend::<[&OsStr; 2]>(["--probe-listen".as_ref(), "127.0.0.1:0".as_ref()]);
    let mut hook = Webhook::start_with(&args, "127.0.0.1:0");
    let review = sealed_review(&sb);
    let opened = STANDARD.encode("hunter2");

    // The API server: answered, and the patch carries the plaintext (so the refusals below are
    // not a webhook that answers nobody).
    let me = Some((apiserver.cert_pem.as_str(), apiserver.key_pem.as_str()));
    let (code, body) = Client::connect(&hook.addr, &ca, me)
        .unwrap()
        .request("POST", "/mutate", &review)
        .unwrap();
    let answer: Value = serde_json::from_slice(&body).unwrap();
    let patch = STANDARD
        .decode(answer["response"]["patch"].as_str().unwrap())
        .unwrap();
    assert_eq!(code, 200);
    assert!(String::from_utf8(patch).unwrap().contains(&opened));

    let stranger_cert = Some((stranger.cert_pem.as_str(), stranger.key_pem.as_str()));
    for (who, cert) in [
        ("no certificate", None),
        ("another CA's certificate", stranger_cert),
    ] {
        // The client's side of a TLS 1.3 handshake ends before the server has checked its
        // certificate, so the refusal shows on the first read: no status line, no body.
        let result =
            Client::connect(&hook.addr, &ca, cert).and_then(|mut c| c.request("POST", "/mutate", &review));
        match result {
            Ok((code, body)) => panic!("{who}: answered {code} with {} bytes", body.len()),
            Err(e) => assert!(!e.to_string().contains("hunter2"), "{who}: {e}"),
        }
    }
    // The probe port: plain HTTP, probes only, never an admission.
    let probes = hook.probes.clone().unwrap();
    let plain = |method: &str, path: &str, body: &[u8]| -> String {
        use std::io::{Read, Write};
        let mut t = std::net::TcpStream::connect(&probes).unwrap();
        write!(
            t,
            "{method} {path} HTTP/1.1\r\nhost: x\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        )
        .unwrap();
        t.write_all(body).unwrap();
        let mut out = String::new();
        t.read_to_string(&mut out).unwrap();
        out
    };
    let ready = plain("GET", "/readyz", b"");
    assert!(
        ready.starts_with("HTTP/1.1 200") && ready.ends_with("ok\n"),
        "{ready}"
    );
    assert!(plain("GET", "/healthz", b"").starts_with("HTTP/1.1 200"));
    let mutate = plain("POST", "/mutate", &review);
    assert!(
        mutate.starts_with("HTTP/1.1 404") && !mutate.contains(&opened),
        "{mutate}"
    );

    assert!(hook.stop());
    let log = hook.log();
    assert_eq!(log.matches("refused: TLS handshake failed").count(), 2, "{log}");
    assert!(log.contains("peer=127.0.0.1:"), "{log}");
    assert!(!log.contains("hunter2") && !log.contains(&opened), "{log}");
}

/// Secure by default: without --client-ca the webhook does not start and says why and what to
/// do; --insecure-no-client-auth starts it, and it says so at start and in /readyz.
#[test]
fn the_webhook_refuses_to_start_without_a_client_ca_unless_told_it_is_insecure() {
    let sb = Sandbox::new();
    kubelet_volume(&sb.path("keys"), &[("a.agekey", &sb.path("a.agekey"))]);
    let ca = serving_cert(&sb.path("tls"));
    let out = sb
        .kseal()
        .args([
            "webhook",
            "--keys",
            "keys",
            "--tls",
            "tls",
            "--listen",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for needed in [
        "needs --client-ca",
        "kseal cluster webhook install -o DIR",
        "--insecure-no-client-auth",
        "NetworkPolicy",
    ] {
        assert!(err.contains(needed), "{needed}: {err}");
    }

    let (keys, tls) = (sb.path("keys"), sb.path("tls"));
    let args: Vec<&OsStr> = vec![
        "--keys".as_ref(),
        keys.as_os_str(),
        "--tls".as_ref(),
        tls.as_os_str(),
        "--insecure-no-client-auth".as_ref(),
        "--probe-listen".as_ref(),
        "127.0.0.1:0".as_ref(),
    ];
    let mut hook = Webhook::start_with(&args, "127.0.0.1:0");
    let mut c = Client::connect(&hook.addr, &ca, None).unwrap();
    let (code, body) = c.request("GET", "/readyz", b"").unwrap();
    let body = String::from_utf8(body).unwrap();
    assert_eq!(code, 200);
    assert!(body.contains("WARNING: no client authentication"), "{body}");
    assert!(hook.stop());
    assert!(
        hook.log().contains("WARNING: no client authentication"),
        "{}",
        hook.log()
    );
}

/// Regression (issue 23): `cluster init --webhook -o DIR` writes the API server's admission
/// configuration and kubeconfig, and the real kube-apiserver, restarted with the one flag install
/// prints and those files as they are, presents the client certificate: sealed Secrets applied
/// with `kubectl apply` (client- and server-side) are opened. Before the restart the same webhook
/// refuses the API server's calls, and the sealed Secret is refused (fail closed).
#[test]
fn the_admission_files_install_writes_make_the_real_api_server_authenticate() {
    require_tools!("kubectl");
    let Some(s) = crate::common::real_apiserver::dedicated() else {
        return;
    };
    let sb = Sandbox::new();
    s.kubeconfig(&sb.path("kc"), crate::common::real_apiserver::ADMIN_TOKEN, None);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("https://127.0.0.1:{port}/mutate");
    let out = sb
        .kseal()
        .args([
            "--kubeconfig",
            "kc",
            "cluster",
            "init",
            "--webhook",
            "--url",
            &url,
            "-o",
            "apiserver",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let recipient = stdout(&out);
    sb.write("cluster.pub", &recipient);
    let flag = stderr(&out)
        .split_whitespace()
        .find(|w| w.starts_with("--admission-control-config-file="))
        .unwrap_or_else(|| panic!("install did not print the flag: {}", stderr(&out)))
        .to_string();

    // The webhook as the kubelet would run it, from the Secrets install made.
    let secret = |name: &str| -> serde_json::Map<String, Value> {
        let out = s.kubectl(&["get", "-n", "kseal", "secret", name, "-o", "json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["data"].as_object().unwrap().clone()
    };
    let volume = |folder: &str, name: &str, keys: &[&str]| {
        let data = secret(name);
        let mut files = Vec::new();
        for (k, v) in &data {
            if keys.is_empty() || keys.contains(&k.as_str()) {
                let f = sb.path(&format!("src-{folder}-{k}"));
                std::fs::write(&f, STANDARD.decode(v.as_str().unwrap()).unwrap()).unwrap();
                files.push((k.clone(), f));
            }
        }
        let files: Vec<(&str, &Path)> = files.iter().map(|(k, f)| (k.as_str(), f.as_path())).collect();
        kubelet_volume(&sb.path(folder), &files);
    };
    volume("keys", "kseal-keys", &[]);
    volume("tls", "kseal-webhook-tls", &["tls.crt", "tls.key"]);
    volume("client-ca", "kseal-webhook-client", &["ca.crt"]);
    let (keys, tls, client_ca) = (sb.path("keys"), sb.path("tls"), sb.path("client-ca/ca.crt"));
    let args = hook_args(&keys, &tls, &client_ca);
    let hook = Webhook::start_with(&args, &format!("127.0.0.1:{port}"));

    let out = s.kubectl(&["create", "namespace", "app"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let kubectl = |args: &[&str]| {
        Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(sb.path("kc"))
            .args(args)
            .current_dir(sb.dir.path())
            .output()
            .unwrap()
    };
    let seal = |name: &str| {
        sb.write(
            "plain.yaml",
            &format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: app\nstringData:\n  password: hunter2\n"),
        );
        let out = sb
            .kseal()
            .args(["seal", "-R", "cluster.pub", "plain.yaml"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        sb.write(&format!("{name}.yaml"), &stdout(&out));
    };
    seal("before");
    wait_for("the API server to call the webhook and be refused", || {
        let out = kubectl(&["apply", "-f", "before.yaml"]);
        let err = stderr(&out);
        match (out.status.success(), err.contains("failed calling webhook")) {
            (false, true) => Ok(()),
            (true, _) => panic!("applied without the API server's client certificate"),
            _ => Err(err),
        }
    });
    assert!(
        hook.log().contains("refused: TLS handshake failed"),
        "{}",
        hook.log()
    );

    s.restart_with(&[flag]);
    seal("client-side");
    seal("server-side");
    wait_for("the sealed Secret to be opened", || {
        succeeds(kubectl(&["apply", "-f", "client-side.yaml"]))
    });
    let out = kubectl(&["apply", "--server-side", "-f", "server-side.yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for name in ["client-side", "server-side"] {
        let out = s.kubectl(&[
            "get",
            "-n",
            "app",
            "secret",
            name,
            "-o",
            "jsonpath={.data.password}",
        ]);
        assert_eq!(stdout(&out), STANDARD.encode("hunter2"), "{name}");
    }
    assert!(!hook.log().contains("hunter2"));
}

/// Switching a sealed file from client-side `kubectl apply` to `--server-side`, on the real
/// server: the `stringData` form switches cleanly; the `data` form conflicts with
/// `kubectl-client-side-apply` on the opened keys (the server lets a switch take over only the
/// fields whose live value equals the last-applied annotation, which holds the sealed value), and
/// `--force-conflicts` once is the step the README gives. And what Argo CD's server-side diff
/// reads: the dry-run apply answers the opened value, equal to the live one, in a field the
/// applying manager owns, so no drift with or without `IncludeMutationWebhook`.
#[test]
fn switching_to_server_side_apply_and_argo_cds_server_side_diff() {
    let s = require_real_apiserver!();
    let t = setup(s, "wh-switch");
    let write = |name: &str, form: &str| -> String {
        t.seal("src.yaml", name, &[("password", "hunter2")], "a.pub");
        let sealed = sealed_tokens(&t.sb.read("src.yaml")).remove(0);
        let value = if form == "data" {
            STANDARD.encode(&sealed)
        } else {
            sealed
        };
        let file = format!("{name}.yaml");
        t.sb.write(
            &file,
            &format!(
                "apiVersion: v1\nkind: Secret\nmetadata: {{name: {name}, namespace: {}}}\n{form}:\n  password: {value}\n",
                t.ns
            ),
        );
        file
    };
    for (name, form) in [("db", "stringData"), ("dbd", "data")] {
        let f = write(name, form);
        let out = t.kubectl(&["apply", "-f", &f]);
        assert!(out.status.success(), "{}", stderr(&out));
        let out = t.kubectl(&["apply", "--server-side", "-f", &f]);
        if form == "data" {
            assert_eq!(out.status.code(), Some(1), "{form}: {}", stderr(&out));
            assert!(
                stderr(&out).contains("conflict with \"kubectl-client-side-apply\"")
                    && stderr(&out).contains(".data.password"),
                "{}",
                stderr(&out)
            );
            let out = t.kubectl(&["apply", "--server-side", "--force-conflicts", "-f", &f]);
            assert!(out.status.success(), "{}", stderr(&out));
        } else {
            assert!(out.status.success(), "{form}: {}", stderr(&out));
        }
        let out = t.kubectl(&["apply", "--server-side", "-f", &f]);
        assert!(out.status.success(), "{form}, after the switch: {}", stderr(&out));
        assert_eq!(t.value(s, name, "password"), "hunter2");
    }
    for (name, form) in [("argo", "data"), ("argo2", "stringData")] {
        let f = write(name, form);
        let ssa = [
            "apply",
            "--server-side",
            "--field-manager=argocd-controller",
            "-f",
            &f,
        ];
        let out = t.kubectl(&ssa);
        assert!(out.status.success(), "{}", stderr(&out));
        let out = t.kubectl(
            &[
                &ssa[..],
                &["--dry-run=server", "-o", "json", "--show-managed-fields"],
            ]
            .concat(),
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let dry: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            dry["data"]["password"],
            json!(STANDARD.encode("hunter2")),
            "{form}"
        );
        let argo = dry["metadata"]["managedFields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["manager"] == "argocd-controller")
            .unwrap();
        let owned = if form == "data" { "f:data" } else { "f:stringData" };
        assert!(
            argo["fieldsV1"][owned].get("f:password").is_some(),
            "{form}: {argo}"
        );
    }
}

/// Regression (issue 23): a sealed value's fields were split before they were counted, 16 bytes
/// of memory per input byte: eight concurrent reviews of 2.9 MB of `:` took the webhook past
/// 100 MB (the shipped limit is 128Mi). Its peak RSS now stays far below.
#[test]
fn reviews_of_millions_of_colons_keep_the_webhooks_memory_small() {
    let sb = Sandbox::new();
    kubelet_volume(&sb.path("keys"), &[("a.agekey", &sb.path("a.agekey"))]);
    let ca = serving_cert(&sb.path("tls"));
    let apiserver = kseal::webhook::certs::generate_client().unwrap();
    sb.write("client-ca.crt", &apiserver.ca_pem);
    let mut hook = Webhook::start(&sb.path("keys"), &sb.path("tls"), &sb.path("client-ca.crt"));
    let pid = hook.child.as_ref().unwrap().id();
    let value = STANDARD.encode(format!("kseal:v2:strict{}", ":".repeat(2_100_000)));
    let review = Arc::new(
        json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
            "uid": "u", "kind": {"group": "", "version": "v1", "kind": "Secret"},
            "operation": "CREATE", "namespace": "x", "name": "db",
            "object": {"data": {"a": value}}}})
        .to_string(),
    );
    assert!(review.len() > 2_800_000 && review.len() < 8 << 20);
    let me = (apiserver.cert_pem.clone(), apiserver.key_pem.to_string());
    for _round in 0..3 {
        let clients: Vec<_> = (0..8)
            .map(|_| {
                let (addr, ca, me, review) = (hook.addr.clone(), ca.clone(), me.clone(), review.clone());
                std::thread::spawn(move || {
                    let mut c = Client::connect(&addr, &ca, Some((&me.0, &me.1))).unwrap();
                    let (code, body) = c.request("POST", "/mutate", review.as_bytes()).unwrap();
                    assert_eq!(code, 200);
                    let answer: Value = serde_json::from_slice(&body).unwrap();
                    assert_eq!(answer["response"]["allowed"], false);
                    assert!(body.len() < 4096, "the denial is {} bytes", body.len());
                })
            })
            .collect();
        for c in clients {
            c.join().unwrap();
        }
    }
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let peak_kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    eprintln!("webhook peak RSS: {} MiB", peak_kb / 1024);
    assert!(hook.stop());
    assert!(peak_kb < 80 * 1024, "peak RSS {} MiB", peak_kb / 1024);
}

/// The kubectl-vs-kseal reading corpus (issue 23): Secrets in `items` wrappers of several kinds
/// and with escaped or folded kinds, each checked against the real `kubectl` (a client-side dry
/// run against the real API server prints what kubectl would apply), then through every kseal
/// reader: `verify` and `scan` (work tree and history) find the plaintext, `seal` seals it, `open`
/// opens it back, and the sealed file applied with `kubectl apply` is stored opened by the webhook.
#[test]
fn every_reader_reads_secrets_as_kubectl_does() {
    let s = require_real_apiserver!();
    let t = setup(s, "wh-reading");
    let ns = t.ns.clone();
    let secret = |name: &str| {
        format!("{{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {{\"name\": \"{name}\", \"namespace\": \"{ns}\"}}, \"stringData\": {{\"password\": \"s3cr3t-{name}\"}}}}")
    };
    let cases: Vec<(&str, String)> = vec![
        ("v1-list.yaml", format!("apiVersion: v1\nkind: List\nitems:\n- {}\n", secret("r-list"))),
        ("configmaplist.yaml", format!("apiVersion: v1\nkind: ConfigMapList\nitems:\n- {}\n", secret("r-cmlist"))),
        ("crd-list.yaml", format!("apiVersion: example.com/v1\nkind: List\nitems:\n- {}\n", secret("r-crdlist"))),
        ("deployment-items.yaml", format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d}}\nitems:\n- {}\n", secret("r-deploy"))),
        ("escaped.json", secret("r-json").replace("\"Secret\"", "\"Secr\\u0065t\"")),
        ("escaped.yaml", format!("apiVersion: v1\nkind: \"Secr\\x65t\"\nmetadata: {{name: r-yaml, namespace: {ns}}}\nstringData:\n  password: s3cr3t-r-yaml\n")),
        ("folded.yaml", format!("apiVersion: v1\nkind: >-\n  Secret\nmetadata: {{name: r-folded, namespace: {ns}}}\nstringData:\n  password: s3cr3t-r-folded\n")),
    ];
    std::fs::create_dir_all(t.sb.path("repo")).unwrap();
    for (file, text) in &cases {
        let name = text
            .split("\"name\": \"")
            .nth(1)
            .or_else(|| text.split("name: ").nth(1))
            .unwrap();
        let name: String = name
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let path = t.sb.write(&format!("repo/{file}"), text);
        // kubectl's reading: a client-side dry run prints the Secret kubectl would apply. Without
        // client-side schema validation, which checks a typed list's items against the list's
        // kind (a ConfigMapList's Secret is "a ConfigMap with stringData") but does not change
        // what is applied; the API server then takes each item as what it says it is.
        let out = t.kubectl(&[
            "apply",
            "--validate=false",
            "--dry-run=client",
            "-o",
            "json",
            "-f",
            path.to_str().unwrap(),
        ]);
        // kubectl maps the wrapper's kind before it flattens the list: a `List` of a group the
        // server does not serve is refused whole. kseal reads its Secrets all the same (sealing
        // them and reporting their plaintext is the safe side of the difference).
        let kubectl_applies = *file != "crd-list.yaml";
        if kubectl_applies {
            assert!(out.status.success(), "{file}: {}", stderr(&out));
            let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
            let objects = printed["items"]
                .as_array()
                .cloned()
                .unwrap_or_else(|| vec![printed.clone()]);
            assert!(
                objects
                    .iter()
                    .any(|o| o["kind"] == "Secret" && o["metadata"]["name"] == name.as_str()),
                "{file}: kubectl does not read Secret {name}: {printed}"
            );
        } else {
            assert!(
                stderr(&out).contains("ensure CRDs are installed first"),
                "{file}: {}",
                stderr(&out)
            );
        }
        // verify: the plaintext is found.
        let out =
            t.sb.kseal()
                .args(["verify", "-R", "a.pub"])
                .arg(&path)
                .output()
                .unwrap();
        assert_eq!(out.status.code(), Some(1), "{file}: verify: {}", stderr(&out));
        // seal: sealed, nothing of the value left; open: the value back.
        let out =
            t.sb.kseal()
                .args(["seal", "-R", "a.pub"])
                .arg(&path)
                .output()
                .unwrap();
        assert!(out.status.success(), "{file}: seal: {}", stderr(&out));
        let sealed = stdout(&out);
        assert!(
            !sealed.contains("s3cr3t"),
            "{file}: seal left the value: {sealed}"
        );
        let sealed_file = t.sb.write(&format!("sealed/{file}"), &sealed);
        let out =
            t.sb.kseal()
                .args(["open", "-i", "a.agekey"])
                .arg(&sealed_file)
                .output()
                .unwrap();
        assert!(out.status.success(), "{file}: open: {}", stderr(&out));
        assert!(
            stdout(&out).contains(&format!("s3cr3t-{name}")),
            "{file}: open: {}",
            stdout(&out)
        );
        // The webhook: kubectl applies the sealed file's Secret, stored opened.
        if !kubectl_applies {
            continue;
        }
        let out = t.kubectl(&["apply", "--validate=false", "-f", sealed_file.to_str().unwrap()]);
        assert!(out.status.success(), "{file}: kubectl apply: {}", stderr(&out));
        assert_eq!(t.value(s, &name, "password"), format!("s3cr3t-{name}"), "{file}");
    }
    // scan, work tree and history: every case found, by file.
    let worktree =
        t.sb.kseal()
            .args(["scan", "--worktree", "repo"])
            .output()
            .unwrap();
    let repo = t.sb.path("repo");
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "plaintext"]);
    let history = t.sb.kseal().args(["scan", "--history", "repo"]).output().unwrap();
    for (mode, out) in [("work tree", &worktree), ("history", &history)] {
        assert_eq!(out.status.code(), Some(1), "{mode}: {}", stderr(out));
        for (file, _) in &cases {
            assert!(
                stdout(out).contains(file),
                "scan {mode} missed {file}:\n{}",
                stdout(out)
            );
        }
        assert!(!stdout(out).contains("s3cr3t") && !stderr(out).contains("s3cr3t"));
    }

    // YAML 1.1 keys: kubectl stores an unquoted `on` as `true`; kseal refuses the key, naming it.
    let path = t.sb.write(
        "yaml11.yaml",
        &format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: r-keys, namespace: {ns}}}\nstringData:\n  on: s3cr3t-a\n  0x10: s3cr3t-b\n"),
    );
    let out = t.kubectl(&[
        "apply",
        "--dry-run=client",
        "-o",
        "json",
        "-f",
        path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys: Vec<&String> = printed["stringData"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["16", "true"], "kubectl's reading of the keys");
    for args in [vec!["seal", "-R", "a.pub"], vec!["verify", "-R", "a.pub"]] {
        let out = t.sb.kseal().args(&args).arg(&path).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("stringData.on") && stderr(&out).contains("is `true`"),
            "{}",
            stderr(&out)
        );
    }
}

/// The value-spelling table (issue 23): one expected class per spelling of a value's bytes,
/// and every reader agrees with it: seal, open, verify, scan, the webhook's review, and, on the
/// real API server, the webhook's `matchConditions` (with the webhook down, a kseal value is
/// refused and a plain one stored) and the ValidatingAdmissionPolicy alone (a kseal value is
/// denied). So a value kseal calls sealed or damaged is never stored in a cluster as ciphertext.
#[test]
fn every_reader_classifies_each_value_spelling_alike() {
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Class {
        Plain,
        Sealed,
        Damaged,
    }
    use Class::*;
    let s = require_real_apiserver!();
    let sb = Sandbox::new();
    sb.write(
        "src.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: x}\nstringData:\n  k: s3cr3t-sealed-one\n",
    );
    let sealed = sealed_tokens(&stdout(
        &sb.kseal().args(["seal", "-R", "a.pub", "src.yaml"]).run_ok(),
    ))
    .remove(0);
    let rest = sealed.strip_prefix("kseal:").unwrap().to_string();
    let with = |lead: &str, marker: &str| format!("{lead}{marker}{rest}").into_bytes();
    let table: Vec<(&str, Vec<u8>, Class)> = vec![
        ("sealed", sealed.clone().into_bytes(), Sealed),
        ("plain", b"s3cr3t-plain-value".to_vec(), Plain),
        ("binary", vec![0xff, 0x00, 0x8a, 0x10, 0x20, 0xc2], Plain),
        ("one space", with(" ", "kseal:"), Damaged),
        ("64 spaces", with(&" ".repeat(64), "kseal:"), Damaged),
        ("65 spaces", with(&" ".repeat(65), "kseal:"), Plain),
        ("tab and line break", with("\t\r\n", "kseal:"), Damaged),
        ("no-break space", with("\u{a0}", "kseal:"), Damaged),
        ("byte order mark", with("\u{feff}", "kseal:"), Damaged),
        ("upper case", with("", "KSEAL:"), Damaged),
        ("mixed case after spaces", with("  ", "kSeAl:"), Damaged),
        ("other text first", with("x ", "kseal:"), Plain),
        ("no colon", with("", "kseal"), Plain),
        ("version 1", b"kseal:v1:strict:0222c381:AAAA".to_vec(), Damaged),
        ("unknown version", b"kseal:v9:strict:x".to_vec(), Damaged),
    ];
    let manifest = |bytes: &[u8]| {
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: db, namespace: x}}\ndata:\n  k: {}\n",
            STANDARD.encode(bytes)
        )
    };

    // kseal's readers, the real binary.
    let run = |args: &[&str]| sb.kseal().args(args).output().unwrap();
    for (name, bytes, class) in &table {
        sb.write("table/v.yaml", &manifest(bytes));
        let verify = run(&["verify", "-R", "a.pub", "table/v.yaml"]);
        let seal = run(&["seal", "-R", "a.pub", "table/v.yaml"]);
        let open = run(&["open", "-i", "a.agekey", "table/v.yaml"]);
        let scan = run(&["scan", "--worktree", "table"]);
        let malformed = stdout(&verify).contains("malformed") || stderr(&verify).contains("malformed");
        let got = (
            verify.status.code(),
            malformed,
            seal.status.code(),
            open.status.code(),
            scan.status.code(),
        );
        let want = match class {
            Plain => (Some(1), false, Some(0), Some(0), Some(1)),
            Sealed => (Some(0), false, Some(0), Some(0), Some(0)),
            Damaged => (Some(1), true, Some(3), Some(3), Some(0)),
        };
        assert_eq!(
            got, want,
            "{name} ({class:?}): (verify, says malformed, seal, open, scan)"
        );
        if *class == Sealed {
            assert!(
                stdout(&open).contains(&STANDARD.encode("s3cr3t-sealed-one")),
                "{name}"
            );
        }
    }
    // scan --history: the table committed as one file per spelling; exactly the plain ones found.
    let history = sb.path("history");
    std::fs::create_dir_all(&history).unwrap();
    for (i, (_, bytes, _)) in table.iter().enumerate() {
        std::fs::write(history.join(format!("v{i:02}.yaml")), manifest(bytes)).unwrap();
    }
    git(&history, &["init", "-q"]);
    git(&history, &["add", "."]);
    git(&history, &["commit", "-qm", "spellings"]);
    let out = run(&["scan", "--history", "history"]);
    for (i, (name, _, class)) in table.iter().enumerate() {
        let found = stdout(&out).contains(&format!("v{i:02}.yaml"));
        assert_eq!(
            found,
            *class == Plain,
            "scan --history: {name} ({class:?}):\n{}",
            stdout(&out)
        );
    }

    // The webhook's review, over HTTPS with the API server's client certificate.
    kubelet_volume(&sb.path("keys"), &[("a.agekey", &sb.path("a.agekey"))]);
    let ca = serving_cert(&sb.path("tls"));
    let client = kseal::webhook::certs::generate_client().unwrap();
    sb.write("client-ca.crt", &client.ca_pem);
    let hook = Webhook::start(&sb.path("keys"), &sb.path("tls"), &sb.path("client-ca.crt"));
    let mut c = Client::connect(&hook.addr, &ca, Some((&client.cert_pem, &client.key_pem))).unwrap();
    for (name, bytes, class) in &table {
        let review = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
            "uid": "u", "kind": {"group": "", "version": "v1", "kind": "Secret"}, "operation": "CREATE",
            "namespace": "x", "name": "db", "object": {"data": {"k": STANDARD.encode(bytes)}}}});
        let (code, body) = c
            .request("POST", "/mutate", review.to_string().as_bytes())
            .unwrap();
        let answer: Value = serde_json::from_slice(&body).unwrap();
        let got = (
            code,
            answer["response"]["allowed"].as_bool(),
            answer["response"].get("patch").is_some(),
        );
        let want = match class {
            Plain => (200, Some(true), false),
            Sealed => (200, Some(true), true),
            Damaged => (200, Some(false), false),
        };
        assert_eq!(got, want, "webhook: {name} ({class:?})");
    }
    drop(hook);

    // The API server's CEL: the webhook configuration with the webhook down (nothing listens at
    // its URL), and the policy alone.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let not_alone = CLUSTER_WIDE.read().unwrap_or_else(|e| e.into_inner());
    for (ns, with_webhook) in [("wh-spell-down", true), ("wh-spell-policy", false)] {
        let _ = admin_in(s, ns);
        for o in admission_objects(ns, &format!("https://{closed}/mutate"), &ca) {
            if with_webhook || o["kind"] != "MutatingWebhookConfiguration" {
                s.admin_apply(&o.to_string());
            }
        }
        let create = |name: &str, bytes: &[u8]| {
            let f = sb.write("value.bin", "");
            std::fs::write(&f, bytes).unwrap();
            s.kubectl(&[
                "create",
                "secret",
                "generic",
                name,
                "-n",
                ns,
                &format!("--from-file=k={}", f.display()),
            ])
        };
        // Admission configuration takes effect a moment after it is created.
        let mut probe = 0;
        wait_for("the admission objects to take effect", || {
            probe += 1;
            let out = create(&format!("probe-{probe}"), sealed.as_bytes());
            if out.status.success() {
                Err("a sealed value was stored".into())
            } else {
                Ok(())
            }
        });
        for (i, (name, bytes, class)) in table.iter().enumerate() {
            let out = create(&format!("v{i}"), bytes);
            let stored = out.status.success();
            assert_eq!(
                stored,
                *class == Plain,
                "{ns}: {name} ({class:?}): {}",
                stderr(&out)
            );
            if !stored {
                let why = stderr(&out);
                let expected = if with_webhook {
                    "failed calling webhook"
                } else {
                    "still holds a sealed kseal value"
                };
                assert!(why.contains(expected), "{ns}: {name}: {why}");
            }
        }
    }
    drop(not_alone);
}
