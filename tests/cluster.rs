//! Cluster features on the real binary against the project's fake API server
//! (tests/fake_apiserver): apply, dry runs, diffs, conflicts, errors, the cluster key pair, the
//! kubectl plugin through the real kubectl, and the in-cluster path over HTTPS.

mod common;
mod fake_apiserver;

use common::*;
use fake_apiserver::{FakeApiServer, Grant};
use serde_json::json;

const PLANT: &str = "cl7ster-s3cret-v4lue";

fn secret(name: &str, ns: &str, value: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: {ns}\n  annotations:\n    kseal.dev/allow-plaintext: \"test fixture\"\nstringData:\n  password: {value}\n  user: app\n"
    )
}

/// A sandbox with a kubeconfig for `fake`, and `kseal` that sees only that kubeconfig.
struct Env {
    sb: Sandbox,
    fake: FakeApiServer,
}

impl Env {
    fn new() -> Env {
        Self::with(FakeApiServer::start())
    }

    fn with(fake: FakeApiServer) -> Env {
        let sb = Sandbox::new();
        fake.kubeconfig(&sb.path("kubeconfig"), &[("fake", Some("apps"), None)]);
        fake.insert(
            "namespaces",
            None,
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}}),
        );
        Env { sb, fake }
    }

    fn kseal(&self) -> assert_cmd::Command {
        let mut c = self.sb.kseal();
        c.env_remove("KUBECONFIG")
            .env("HOME", self.sb.path("."))
            .env_remove("KUBERNETES_SERVICE_HOST")
            .args(["--kubeconfig", "kubeconfig"]);
        c
    }

    /// Seals `text` to key A into `rel`.
    fn sealed(&self, rel: &str, text: &str) {
        self.sb.write(&format!("{rel}.plain"), text);
        let out = self
            .sb
            .kseal()
            .args(["seal", "-R", "a.pub", &format!("{rel}.plain")])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        self.sb.write(rel, &stdout(&out));
        std::fs::remove_file(self.sb.path(&format!("{rel}.plain"))).unwrap();
    }

    fn apply(&self, args: &[&str]) -> std::process::Output {
        self.kseal().arg("apply").args(args).output().unwrap()
    }
}

fn assert_no_plaintext(out: &std::process::Output) {
    for s in [stdout(out), stderr(out)] {
        assert!(!s.contains(PLANT), "a plaintext value was printed: {s}");
        assert!(
            !s.contains(&b64(PLANT)),
            "a plaintext value was printed (base64): {s}"
        );
    }
}

fn b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[test]
fn apply_creates_then_reports_unchanged_then_configured() {
    let env = Env::new();
    env.sealed(
        "app.yaml",
        &(secret("db", "apps", PLANT)
            + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  mode: fast\n"),
    );
    let first = env.apply(&["-i", "a.agekey", "app.yaml"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(stdout(&first), "secret/db created\nconfigmap/cfg created\n");
    assert!(stderr(&first).contains("2 objects: 2 created"));
    let stored = env.fake.get("secrets", Some("apps"), "db").unwrap();
    assert_eq!(stored["data"]["password"], json!(b64(PLANT)));
    assert!(stored.get("stringData").is_none());
    // The ConfigMap had no namespace: it went to the context's namespace.
    assert!(env.fake.get("configmaps", Some("apps"), "cfg").is_some());
    let managers: Vec<String> = stored["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            format!(
                "{}/{}",
                m["manager"].as_str().unwrap(),
                m["operation"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(managers, ["kseal/Apply"]);
    // Every write was a server-side apply by field manager kseal.
    for w in env.fake.writes() {
        assert_eq!(w.method, "PATCH");
        assert_eq!(w.content_type, "application/apply-patch+yaml");
        assert!(w.query.contains("fieldManager=kseal"), "{}", w.query);
    }

    let second = env.apply(&["-i", "a.agekey", "app.yaml"]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(stdout(&second), "secret/db unchanged\nconfigmap/cfg unchanged\n");
    let rv = |env: &Env| {
        env.fake.get("secrets", Some("apps"), "db").unwrap()["metadata"]["resourceVersion"].clone()
    };
    let before = rv(&env);

    let mut set = env.sb.kseal();
    set.args(["set", "-R", "a.pub", "app.yaml", "db", "password"])
        .write_stdin("n3w-value");
    assert!(set.output().unwrap().status.success());
    let third = env.apply(&["-i", "a.agekey", "app.yaml"]);
    assert!(third.status.success(), "{}", stderr(&third));
    assert_eq!(stdout(&third), "secret/db configured\nconfigmap/cfg unchanged\n");
    assert_ne!(rv(&env), before);
    assert_eq!(
        env.fake.get("secrets", Some("apps"), "db").unwrap()["data"]["password"],
        json!(b64("n3w-value"))
    );
    for o in [&first, &second, &third] {
        assert_no_plaintext(o);
    }
}

#[test]
fn dry_run_server_persists_nothing() {
    let env = Env::new();
    env.sealed("s.yaml", &secret("db", "apps", PLANT));
    let before = env.fake.snapshot();
    let out = env.apply(&["-i", "a.agekey", "--dry-run=server", "s.yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "secret/db created (server dry run)\n");
    assert_eq!(env.fake.snapshot(), before);
    let writes = env.fake.writes();
    assert!(!writes.is_empty() && writes.iter().all(|w| w.is_dry_run()));
    assert_no_plaintext(&out);
}

#[test]
fn one_unopenable_secret_among_20_documents_means_no_request_at_all() {
    let env = Env::new();
    let mut docs = Vec::new();
    for i in 0..19 {
        docs.push(format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  k: v\n"
        ));
    }
    env.sealed("good.yaml", &docs.join("---\n"));
    // Sealed to key B: key A cannot open it.
    env.sb.write("bad.plain", &secret("db", "apps", PLANT));
    let out = env
        .sb
        .kseal()
        .args(["seal", "-R", "b.pub", "bad.plain"])
        .output()
        .unwrap();
    env.sb.write("bad.yaml", &stdout(&out));
    let out = env.apply(&["-i", "a.agekey", "good.yaml", "bad.yaml"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("bad.yaml: document 1: Secret apps/db: stringData.password"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
    assert_eq!(env.fake.writes().len(), 0);
    assert_eq!(env.fake.requests().len(), 0, "opening comes before any request");
    assert_no_plaintext(&out);
}

#[test]
fn a_field_owned_by_another_manager_conflicts_unless_forced() {
    let env = Env::new();
    env.fake.insert(
        "configmaps",
        Some("apps"),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "apps"}, "data": {"mode": "slow"}}),
    );
    env.sb.write(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  mode: fast\n",
    );
    let out = env.apply(&["cm.yaml"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("configmap/cfg in namespace apps (cm.yaml: document 1): apply (server-side, PATCH) failed: 409 Conflict"), "{err}");
    assert!(err.contains("conflict with \"test-setup\": .data.mode"), "{err}");
    assert_eq!(
        env.fake.get("configmaps", Some("apps"), "cfg").unwrap()["data"]["mode"],
        "slow"
    );

    let out = env.apply(&["--force-conflicts", "cm.yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "configmap/cfg configured\n");
    assert_eq!(
        env.fake.get("configmaps", Some("apps"), "cfg").unwrap()["data"]["mode"],
        "fast"
    );
}

#[test]
fn forbidden_unreachable_and_server_errors_exit_4_naming_object_and_verb() {
    let env = Env::new();
    env.sealed("s.yaml", &secret("db", "apps", PLANT));
    env.fake.set_token(
        "t0ken",
        "ci-bot",
        vec![Grant::new(&["get", "list"], &["*"], None)],
    );
    env.fake.kubeconfig(
        &env.sb.path("kubeconfig"),
        &[("fake", Some("apps"), Some("t0ken"))],
    );
    let out = env.apply(&["-i", "a.agekey", "s.yaml"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("secret/db in namespace apps (s.yaml: document 1): apply (server-side, PATCH) failed: 403 Forbidden: secrets \"db\" is forbidden: User \"ci-bot\" cannot patch resource \"secrets\" in API group \"\" in the namespace \"apps\""),
        "{err}"
    );
    assert_no_plaintext(&out);

    // A wrong token: 401 on the first request (discovery).
    env.fake.kubeconfig(
        &env.sb.path("kubeconfig"),
        &[("fake", Some("apps"), Some("wrong"))],
    );
    let out = env.apply(&["-i", "a.agekey", "s.yaml"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stderr(&out).contains("db (kind v1 Secret, s.yaml: document 1): discovery failed"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("401"), "{}", stderr(&out));

    // A 5xx from the server.
    let env = Env::new();
    env.sealed("s.yaml", &secret("db", "apps", PLANT));
    env.fake.fail("/api/v1/namespaces/apps/secrets", 500);
    let out = env.apply(&["-i", "a.agekey", "s.yaml"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stderr(&out)
            .contains("secret/db in namespace apps (s.yaml: document 1): get failed: 500 InternalError"),
        "{}",
        stderr(&out)
    );

    // Nobody listening.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let kc = std::fs::read_to_string(env.sb.path("kubeconfig")).unwrap();
    let kc = kc.replace(&env.fake.url(), &format!("http://127.0.0.1:{port}"));
    env.sb.write("kubeconfig", &kc);
    let out = env.apply(&["-i", "a.agekey", "s.yaml"]);
    assert_eq!(out.status.code(), Some(4));
    let err = stderr(&out);
    assert!(err.contains("db (kind v1 Secret, s.yaml: document 1): discovery failed: cannot reach the API server at http://127.0.0.1:"), "{err}");
    assert_no_plaintext(&out);
}

#[test]
fn a_missing_namespace_and_an_immutable_secret_are_reported_clearly() {
    let env = Env::new();
    env.sealed("s.yaml", &secret("db", "nowhere", PLANT));
    let out = env.apply(&["-i", "a.agekey", "s.yaml"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(stderr(&out).contains("secret/db in namespace nowhere (s.yaml: document 1): apply (server-side, PATCH) failed: 404 NotFound: namespaces \"nowhere\" not found"), "{}", stderr(&out));

    let env = Env::new();
    env.sealed(
        "s.yaml",
        &secret("db", "apps", PLANT).replace("stringData:", "immutable: true\nstringData:"),
    );
    assert!(env.apply(&["-i", "a.agekey", "s.yaml"]).status.success());
    let mut set = env.sb.kseal();
    set.args(["set", "-R", "a.pub", "s.yaml", "db", "password"])
        .write_stdin("an0ther");
    assert!(set.output().unwrap().status.success());
    let out = env.apply(&["-i", "a.agekey", "s.yaml"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stderr(&out).contains("secret/db in namespace apps (s.yaml: document 1): apply (server-side, PATCH) failed: 422 Invalid: Secret \"db\" is invalid: data: Forbidden: field is immutable when `immutable` is set"),
        "{}",
        stderr(&out)
    );
    assert_no_plaintext(&out);
    assert!(!stderr(&out).contains("an0ther"));
}

#[test]
fn diff_names_keys_by_hash_and_applies_nothing() {
    let env = Env::new();
    env.sealed("s.yaml", &secret("db", "apps", PLANT));
    let out = env.apply(&["-i", "a.agekey", "--diff", "s.yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "secret/db: would be created: keys +password +user\n"
    );
    assert!(env.fake.get("secrets", Some("apps"), "db").is_none());
    assert!(env.apply(&["-i", "a.agekey", "s.yaml"]).status.success());

    // Change one key, add one, drop one.
    let text = env.sb.read("s.yaml");
    let user_line = text
        .lines()
        .find(|l| l.starts_with("  user:"))
        .unwrap()
        .to_string();
    env.sb
        .write("s.yaml", &text.replace(&format!("{user_line}\n"), ""));
    for (key, value) in [("password", "chang3d"), ("token", "fr3sh")] {
        let mut set = env.sb.kseal();
        set.args(["set", "-R", "a.pub", "s.yaml", "db", key])
            .write_stdin(value);
        assert!(set.output().unwrap().status.success());
    }
    let before = env.fake.snapshot();
    let out = env.apply(&["-i", "a.agekey", "--diff", "s.yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "secret/db: would change: keys ~password +token -user\n"
    );
    assert_eq!(env.fake.snapshot(), before);
    assert_no_plaintext(&out);
    for v in ["chang3d", "fr3sh"] {
        assert!(!stdout(&out).contains(v) && !stdout(&out).contains(&b64(v)));
    }
}
