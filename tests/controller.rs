//! Issue 38: `kseal controller` on the real kube-apiserver, run by the tests as a process with a
//! kubeconfig (as it runs outside a cluster): KsealSecrets become Secrets, owned, kept, never
//! overwritten when not theirs, and one replica of two writes.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::real_apiserver::{RealApiServer, ADMIN_TOKEN};
use crate::common::*;

/// A running `kseal controller`, killed when dropped; its stderr goes to `log`.
struct Running {
    child: Child,
    log: PathBuf,
}

impl Running {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(sb: &Sandbox, name: &str, watch: &str, lease_ns: &str) -> Running {
    let log = sb.path(&format!("{name}.log"));
    let child = Command::new(assert_cmd::cargo::cargo_bin("kseal"))
        .args(["--kubeconfig", "kc", "controller", "--keys", "keys"])
        .args(["--watch-namespace", watch, "--lease-namespace", lease_ns])
        .args([
            "--lease-duration",
            "4s",
            "--renew-every",
            "1s",
            "--retry-after",
            "1s",
        ])
        .args(["--reload-every", "1s", "--probe-listen", "127.0.0.1:0"])
        .current_dir(sb.dir.path())
        .env("POD_NAME", name)
        .env_remove("KSEAL_IDENTITY_FILE")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    Running { child, log }
}

/// Polls `check` every 100 ms for up to 20 s; panics with `what` and the controller's log.
fn wait_for<T>(what: &str, logs: &[&Running], mut check: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if let Some(v) = check() {
            return v;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let logs: Vec<String> = logs.iter().map(|r| r.log()).collect();
    panic!(
        "timed out waiting for {what}; controller logs:\n{}",
        logs.join("\n---\n")
    );
}

fn get_json(s: &RealApiServer, args: &[&str]) -> Option<Value> {
    let mut all = vec!["get"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", "json"]);
    let out = s.kubectl(&all);
    out.status
        .success()
        .then(|| serde_json::from_slice(&out.stdout).unwrap())
}

fn apply_file(s: &RealApiServer, file: &Path) {
    let out = s.kubectl(&["apply", "-f", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
}

fn decoded(secret: &Value, key: &str) -> String {
    use base64::Engine;
    let b = secret["data"][key].as_str().unwrap_or_default();
    String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b).unwrap()).unwrap()
}

fn ready(s: &RealApiServer, ns: &str, name: &str) -> Option<(String, String)> {
    let ks = get_json(s, &["ksealsecret", name, "-n", ns])?;
    let c = ks["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == "Ready")?
        .clone();
    Some((
        c["status"].as_str()?.to_string(),
        c["reason"].as_str()?.to_string(),
    ))
}

/// A sealed KsealSecret file for `ns/name` with `password`.
fn sealed(sb: &Sandbox, ns: &str, name: &str, password: &str, file: &str) -> PathBuf {
    sb.write(
        &format!("{file}.plain"),
        &format!(
            "apiVersion: kseal.dev/v1\nkind: KsealSecret\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels: {{app: db}}\n  annotations: {{team: shop}}\ntype: Opaque\nstringData:\n  password: {password}\n"
        ),
    );
    let out = sb
        .kseal()
        .args(["seal", "-R", "a.pub", &format!("{file}.plain")])
        .run_ok();
    sb.write(file, &stdout(&out))
}

/// The shipped CRD, applied once for the tests that share the server.
fn crd(s: &RealApiServer) {
    static APPLIED: std::sync::Mutex<bool> = std::sync::Mutex::new(false);
    let mut applied = APPLIED.lock().unwrap_or_else(|e| e.into_inner());
    if *applied {
        return;
    }
    let crd = s.kubectl(&[
        "apply",
        "-f",
        repo().join("deploy/controller/crd.yaml").to_str().unwrap(),
    ]);
    assert!(crd.status.success(), "{}", stderr(&crd));
    let est = s.kubectl(&[
        "wait",
        "--for",
        "condition=established",
        "crd/ksealsecrets.kseal.dev",
        "--timeout=30s",
    ]);
    assert!(est.status.success(), "{}", stderr(&est));
    *applied = true;
}

fn setup(s: &RealApiServer, ns: &str, lease_ns: &str) -> Sandbox {
    crd(s);
    for n in [ns, lease_ns] {
        s.kubectl(&["create", "namespace", n]);
    }
    let sb = Sandbox::new();
    s.kubeconfig(&sb.path("kc"), ADMIN_TOKEN, Some(ns));
    std::fs::create_dir_all(sb.path("keys")).unwrap();
    std::fs::copy(sb.path("a.agekey"), sb.path("keys/a.agekey")).unwrap();
    chmod(&sb.path("keys/a.agekey"), 0o600);
    sb
}

/// A KsealSecret applied with kubectl becomes its Secret (opened values, owned, labels and
/// annotations carried, Ready=True); a changed value reaches the Secret; a deleted Secret comes
/// back; `kubectl get ksealsecrets` shows type, keys and Ready.
#[test]
fn a_ksealsecret_becomes_its_secret_and_is_kept() {
    let s = require_real_apiserver!();
    let (ns, lease_ns) = ("kss-one", "kss-one-lease");
    let sb = setup(s, ns, lease_ns);
    let c = start(&sb, "one", ns, lease_ns);
    apply_file(s, &sealed(&sb, ns, "db", "first-pw-1", "db.yaml"));
    let secret = wait_for("the Secret", &[&c], || {
        get_json(s, &["secret", "db", "-n", ns]).filter(|v| v["data"]["password"].is_string())
    });
    assert_eq!(decoded(&secret, "password"), "first-pw-1");
    let owner = &secret["metadata"]["ownerReferences"][0];
    assert_eq!(
        (owner["kind"].as_str(), owner["controller"].as_bool()),
        (Some("KsealSecret"), Some(true))
    );
    assert_eq!(secret["metadata"]["labels"]["app"], "db");
    assert_eq!(secret["metadata"]["annotations"]["team"], "shop");
    assert_eq!(secret["type"], "Opaque");
    let with_fields = get_json(s, &["secret", "db", "-n", ns, "--show-managed-fields"]).unwrap();
    let managers: Vec<&str> = with_fields["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["manager"].as_str())
        .collect();
    assert_eq!(managers, ["kseal-controller"]);
    wait_for("Ready=True", &[&c], || {
        ready(s, ns, "db").filter(|r| r.0 == "True")
    });
    let table = stdout(&s.kubectl(&["get", "ksealsecrets", "-n", ns]));
    assert!(
        table.contains("TYPE")
            && table.contains("KEYS")
            && table.contains("READY")
            && table.contains("Opaque"),
        "{table}"
    );
    let row = table.lines().find(|l| l.starts_with("db ")).unwrap();
    assert!(
        row.contains(" 1 ") && row.contains("True") && row.contains("Opened"),
        "{table}"
    );

    // A changed sealed value reaches the Secret.
    apply_file(s, &sealed(&sb, ns, "db", "second-pw-2", "db.yaml"));
    wait_for("the new value", &[&c], || {
        get_json(s, &["secret", "db", "-n", ns]).filter(|v| decoded(v, "password") == "second-pw-2")
    });
    // A deleted Secret comes back.
    assert!(s.kubectl(&["delete", "secret", "db", "-n", ns]).status.success());
    wait_for("the Secret made again", &[&c], || {
        get_json(s, &["secret", "db", "-n", ns]).filter(|v| decoded(v, "password") == "second-pw-2")
    });
    // An edited Secret goes back to what the KsealSecret says.
    let edit = s.kubectl(&[
        "patch",
        "secret",
        "db",
        "-n",
        ns,
        "-p",
        r#"{"data":{"password":"ZWRpdGVk"}}"#,
    ]);
    assert!(edit.status.success(), "{}", stderr(&edit));
    wait_for("the edit undone", &[&c], || {
        get_json(s, &["secret", "db", "-n", ns]).filter(|v| decoded(v, "password") == "second-pw-2")
    });
    // Never a value in the log or the status.
    let ks = get_json(s, &["ksealsecret", "db", "-n", ns]).unwrap();
    for text in [c.log(), ks["status"].to_string()] {
        assert!(
            !text.contains("first-pw-1") && !text.contains("second-pw-2"),
            "{text}"
        );
    }
    assert!(c.log().contains("kss-one/db: secret applied"), "{}", c.log());
}

/// One sealed for another name gives no Secret and Ready=False (SealedForAnotherPlace) with an
/// Event; an existing Secret it does not own is left as it is (SecretNotOwned) until the
/// KsealSecret asks to adopt it.
#[test]
fn failures_are_said_in_status_and_events_and_foreign_secrets_are_left() {
    let s = require_real_apiserver!();
    let (ns, lease_ns) = ("kss-two", "kss-two-lease");
    let sb = setup(s, ns, lease_ns);
    let c = start(&sb, "two", ns, lease_ns);
    // Sealed for db, applied as moved.
    let file = sealed(&sb, ns, "db", "moved-pw-3", "db.yaml");
    sb.write(
        "moved.yaml",
        &std::fs::read_to_string(&file)
            .unwrap()
            .replace("name: db", "name: moved"),
    );
    apply_file(s, &sb.path("moved.yaml"));
    wait_for("Ready=False", &[&c], || {
        ready(s, ns, "moved").filter(|r| r == &("False".to_string(), "SealedForAnotherPlace".to_string()))
    });
    assert!(get_json(s, &["secret", "moved", "-n", ns]).is_none());
    let events = wait_for("an Event", &[&c], || {
        let e = stdout(&s.kubectl(&["get", "events", "-n", ns, "-o", "json"]));
        e.contains("SealedForAnotherPlace").then_some(e)
    });
    assert!(!events.contains("moved-pw-3"));

    // A Secret someone else made.
    let theirs = s.kubectl(&[
        "create",
        "secret",
        "generic",
        "mine",
        "-n",
        ns,
        "--from-literal=password=theirs-pw",
    ]);
    assert!(theirs.status.success(), "{}", stderr(&theirs));
    let mine = sealed(&sb, ns, "mine", "ours-pw-4", "mine.yaml");
    apply_file(s, &mine);
    wait_for("SecretNotOwned", &[&c], || {
        ready(s, ns, "mine").filter(|r| r.1 == "SecretNotOwned")
    });
    let secret = get_json(s, &["secret", "mine", "-n", ns]).unwrap();
    assert_eq!(decoded(&secret, "password"), "theirs-pw");
    assert!(secret["metadata"]["ownerReferences"].is_null());
    // Adopting on purpose.
    let out = s.kubectl(&[
        "annotate",
        "ksealsecret",
        "mine",
        "-n",
        ns,
        "kseal.dev/adopt=true",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    wait_for("the adopted Secret", &[&c], || {
        get_json(s, &["secret", "mine", "-n", ns]).filter(|v| decoded(v, "password") == "ours-pw-4")
    });
    assert!(!c.log().contains("moved-pw-3") && !c.log().contains("ours-pw-4"));

    // Sealed to a key the controller does not have: NoIdentityForKey, until the key is added to
    // the mounted folder (as the kubelet does after `kseal cluster rotate-key`): then it opens,
    // without a restart.
    sb.write("b.plain", &format!("apiVersion: kseal.dev/v1\nkind: KsealSecret\nmetadata: {{name: later, namespace: {ns}}}\nstringData: {{password: later-pw-8}}\n"));
    let out = sb.kseal().args(["seal", "-R", "b.pub", "b.plain"]).run_ok();
    apply_file(s, &sb.write("later.yaml", &stdout(&out)));
    wait_for("NoIdentityForKey", &[&c], || {
        ready(s, ns, "later").filter(|r| r.1 == "NoIdentityForKey")
    });
    std::fs::copy(sb.path("b.agekey"), sb.path("keys/b.agekey")).unwrap();
    chmod(&sb.path("keys/b.agekey"), 0o600);
    wait_for("the Secret after the key reload", &[&c], || {
        get_json(s, &["secret", "later", "-n", ns]).filter(|v| decoded(v, "password") == "later-pw-8")
    });
    assert!(c.log().contains("reloaded: 2 key(s)"), "{}", c.log());
}

/// A Lease names the leader; a second replica stands by and writes nothing; when the leader
/// stops, it takes over within the lease's duration.
#[test]
fn two_replicas_elect_one_writer_and_fail_over() {
    let s = require_real_apiserver!();
    let (ns, lease_ns) = ("kss-three", "kss-three-lease");
    let sb = setup(s, ns, lease_ns);
    let first = start(&sb, "first", ns, lease_ns);
    wait_for("the first to lead", &[&first], || {
        first.log().contains("leading").then_some(())
    });
    let second = start(&sb, "second", ns, lease_ns);
    wait_for("the second to stand by", &[&second], || {
        second.log().contains("standing by: first_").then_some(())
    });
    let lease = get_json(s, &["lease", "kseal-controller", "-n", lease_ns]).unwrap();
    assert!(
        lease["spec"]["holderIdentity"]
            .as_str()
            .unwrap()
            .starts_with("first_"),
        "{lease}"
    );
    apply_file(s, &sealed(&sb, ns, "db", "lease-pw-5", "db.yaml"));
    wait_for("the Secret", &[&first, &second], || {
        get_json(s, &["secret", "db", "-n", ns])
    });
    assert!(first.log().contains("secret applied"), "{}", first.log());
    assert!(!second.log().contains("secret applied"), "{}", second.log());
    // The leader goes; the other takes the lease and writes.
    drop(first);
    wait_for("the second to lead", &[&second], || {
        second.log().contains("leading").then_some(())
    });
    apply_file(s, &sealed(&sb, ns, "db", "lease-pw-6", "db.yaml"));
    wait_for("the new value by the second", &[&second], || {
        get_json(s, &["secret", "db", "-n", ns]).filter(|v| decoded(v, "password") == "lease-pw-6")
    });
    let lease = get_json(s, &["lease", "kseal-controller", "-n", lease_ns]).unwrap();
    assert!(
        lease["spec"]["holderIdentity"]
            .as_str()
            .unwrap()
            .starts_with("second_"),
        "{lease}"
    );
}

/// `kseal cluster init --controller` installs the CRD, the controller's RBAC, Deployment and
/// PodDisruptionBudget and the policy refusing sealed values in Secrets; the controller run with
/// the token of the shipped ServiceAccount (the least RBAC it ships) makes a Secret, and that
/// account cannot delete Secrets or read ConfigMaps. A sealed Secret (not a KsealSecret) is
/// refused by the policy in this mode too.
#[test]
fn cluster_init_controller_installs_it_and_its_rbac_suffices() {
    require_tools!("kubectl");
    // A server of its own: the policy applies to every namespace, and the shared server's other
    // tests apply sealed Secrets with kubectl on purpose.
    let Some(server) = crate::common::real_apiserver::dedicated() else {
        return;
    };
    let s = &server;
    let ns = "kss-rbac";
    s.kubectl(&["create", "namespace", ns]);
    let sb = Sandbox::new();
    s.kubeconfig(&sb.path("admin.kc"), ADMIN_TOKEN, Some(ns));
    let out = sb
        .kseal()
        .args([
            "--kubeconfig",
            "admin.kc",
            "cluster",
            "init",
            "--controller",
            "--public-key-out",
            "cluster.pub",
        ])
        .args(["--backup-to", &sb.recipient("b"), "--backup-out", "b.age"])
        .run_ok();
    assert!(
        stderr(&out).contains("installed the controller"),
        "{}",
        stderr(&out)
    );
    for (kind, name, namespace) in [
        ("crd", "ksealsecrets.kseal.dev", None),
        ("clusterrole", "kseal-controller", None),
        ("clusterrolebinding", "kseal-controller", None),
        ("validatingadmissionpolicy", "kseal-no-sealed-values", None),
        ("deployment", "kseal-controller", Some("kseal")),
        ("poddisruptionbudget", "kseal-controller", Some("kseal")),
        ("role", "kseal-controller-lease", Some("kseal")),
    ] {
        let mut args = vec!["get", kind, name];
        if let Some(n) = namespace {
            args.extend(["-n", n]);
        }
        assert!(s.kubectl(&args).status.success(), "{kind}/{name} missing");
    }
    let est = s.kubectl(&[
        "wait",
        "--for",
        "condition=established",
        "crd/ksealsecrets.kseal.dev",
        "--timeout=30s",
    ]);
    assert!(est.status.success());
    // The shipped ServiceAccount's token, as the Pod would have it.
    let token = s.kubectl(&["create", "token", "kseal-controller", "-n", "kseal"]);
    assert!(token.status.success(), "{}", stderr(&token));
    s.kubeconfig(&sb.path("kc"), stdout(&token).trim(), Some(ns));
    let sa = "system:serviceaccount:kseal:kseal-controller";
    for (verb, what, allowed) in [
        ("list", "secrets", "yes"),
        ("delete", "secrets", "no"),
        ("get", "configmaps", "no"),
        ("update", "ksealsecrets.kseal.dev", "no"),
    ] {
        let out = s.kubectl(&["auth", "can-i", verb, what, "-n", ns, "--as", sa]);
        assert_eq!(stdout(&out).trim(), allowed, "{verb} {what}");
    }
    // The key the cluster made, mounted as the Pod would have it.
    std::fs::create_dir_all(sb.path("keys")).unwrap();
    let keys = get_json(s, &["secret", "kseal-keys", "-n", "kseal"]).unwrap();
    for (name, value) in keys["data"].as_object().unwrap() {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(value.as_str().unwrap())
            .unwrap();
        std::fs::write(sb.path(&format!("keys/{name}")), bytes).unwrap();
        chmod(&sb.path(&format!("keys/{name}")), 0o600);
    }
    let log = sb.path("rbac.log");
    let child = Command::new(assert_cmd::cargo::cargo_bin("kseal"))
        .args([
            "--kubeconfig",
            "kc",
            "controller",
            "--keys",
            "keys",
            "--lease-namespace",
            "kseal",
        ])
        .args(["--watch-namespace", ns, "--retry-after", "1s"])
        .current_dir(sb.dir.path())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let c = Running { child, log };
    sb.write("p.yaml", &format!("apiVersion: kseal.dev/v1\nkind: KsealSecret\nmetadata: {{name: db, namespace: {ns}}}\nstringData: {{password: rbac-pw-7}}\n"));
    let sealed = sb.kseal().args(["seal", "-R", "cluster.pub", "p.yaml"]).run_ok();
    apply_file(s, &sb.write("db.yaml", &stdout(&sealed)));
    let secret = wait_for("the Secret, with the shipped RBAC", &[&c], || {
        get_json(s, &["secret", "db", "-n", ns]).filter(|v| v["data"]["password"].is_string())
    });
    assert_eq!(decoded(&secret, "password"), "rbac-pw-7");
    wait_for("Ready=True", &[&c], || {
        ready(s, ns, "db").filter(|r| r.0 == "True")
    });
    // A sealed Secret (the webhook's kind) is refused by the policy: nothing opens it here.
    let as_secret = sb.kseal().args(["convert", "--to", "secret", "db.yaml"]).run_ok();
    sb.write(
        "db-secret.yaml",
        &stdout(&as_secret).replace("name: db", "name: db-secret"),
    );
    let refused = wait_for("the policy to refuse a sealed Secret", &[&c], || {
        let out = s.kubectl(&["apply", "-f", sb.path("db-secret.yaml").to_str().unwrap()]);
        (!out.status.success()).then(|| stderr(&out))
    });
    assert!(refused.contains("kseal-no-sealed-values"), "{refused}");
    drop(c);

    // Key renewal: with deploy/controller/renew-keys.yaml the shipped account may add a key when
    // the published one is older than --renew-keys-every; the old key stays.
    let published = || {
        get_json(s, &["configmap", "kseal-public-key", "-n", "kseal"]).unwrap()["data"]["recipient"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let first = published();
    assert!(s
        .kubectl(&[
            "auth",
            "can-i",
            "update",
            "secret/kseal-keys",
            "-n",
            "kseal",
            "--as",
            sa
        ])
        .stdout
        .starts_with(b"no"));
    apply_file(s, &repo().join("deploy/controller/renew-keys.yaml"));
    let log = sb.path("renew.log");
    let child = Command::new(assert_cmd::cargo::cargo_bin("kseal"))
        .args([
            "--kubeconfig",
            "kc",
            "controller",
            "--keys",
            "keys",
            "--lease-namespace",
            "kseal",
        ])
        .args(["--watch-namespace", ns, "--renew-keys-every", "3s"])
        .current_dir(sb.dir.path())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let renewing = Running { child, log };
    let second = wait_for("a renewed key", &[&renewing], || {
        Some(published()).filter(|p| *p != first)
    });
    let keys = get_json(s, &["secret", "kseal-keys", "-n", "kseal"]).unwrap();
    assert!(
        keys["data"].as_object().unwrap().len() >= 2,
        "the old key was kept"
    );
    assert!(
        renewing.log().contains("renewed the keys: added key"),
        "{}",
        renewing.log()
    );
    assert_ne!(first, second);
}
