//! Cluster features on the real binary against the project's fake API server
//! (tests/fake_apiserver): apply, dry runs, diffs, conflicts, errors, the cluster key pair, the
//! kubectl plugin through the real kubectl, and the in-cluster path over HTTPS.

use crate::common::*;
use kseal_fake_apiserver::{FakeApiServer, Grant};
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
            .run_ok();
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
    // Something would change: exit 1, as `kubectl diff`.
    let out = env.apply(&["-i", "a.agekey", "--diff", "s.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
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
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "secret/db: would change: keys ~password +token -user\n"
    );
    assert_eq!(env.fake.snapshot(), before);
    // Applied, the same diff finds nothing: exit 0.
    let applied = env.apply(&["-i", "a.agekey", "s.yaml"]);
    assert!(applied.status.success(), "{}", stderr(&applied));
    let out = env.apply(&["-i", "a.agekey", "--diff", "s.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stdout(&out), "secret/db: unchanged\n");
    assert_no_plaintext(&out);
    for v in ["chang3d", "fr3sh"] {
        assert!(!stdout(&out).contains(v) && !stdout(&out).contains(&b64(v)));
    }
}

#[test]
fn cluster_init_fetch_rotate_backup_and_identity_from_cluster() {
    let env = Env::new();
    let out = env
        .kseal()
        .args(["cluster", "init", "--public-key-out", "keys/prod.pub"])
        .run_ok();
    let first = stdout(&out).trim().to_string();
    assert!(first.starts_with("age1"), "{first}");
    assert!(env.sb.read("keys/prod.pub").lines().any(|l| l == first));
    // Namespace, Secret with one dated entry, public ConfigMap, and RBAC for it.
    assert!(env.fake.get("namespaces", None, "kseal").is_some());
    let keys = env.fake.get("secrets", Some("kseal"), "kseal-keys").unwrap();
    let entries: Vec<String> = keys["data"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(entries.len(), 1);
    assert!(
        regex::Regex::new(r"^20\d{6}-[0-9a-f]{8}\.agekey$")
            .unwrap()
            .is_match(&entries[0]),
        "{entries:?}"
    );
    assert_eq!(keys["type"], "Opaque");
    let cm = env
        .fake
        .get("configmaps", Some("kseal"), "kseal-public-key")
        .unwrap();
    assert_eq!(cm["data"]["recipient"], json!(first));
    let role = env
        .fake
        .get("roles", Some("kseal"), "kseal-public-key-reader")
        .unwrap();
    assert_eq!(
        role["rules"],
        json!([{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["kseal-public-key"], "verbs": ["get"]}])
    );
    let rb = env
        .fake
        .get("rolebindings", Some("kseal"), "kseal-public-key-reader")
        .unwrap();
    assert_eq!(rb["subjects"][0]["name"], "system:authenticated");
    assert!(!stderr(&out).contains("AGE-SECRET-KEY") && !stdout(&out).contains("AGE-SECRET-KEY"));

    // Twice: refused, nothing changed.
    let before = env.fake.snapshot();
    let again = env.kseal().args(["cluster", "init"]).run_exits(2);
    assert!(
        stderr(&again).contains("already has secret/kseal-keys"),
        "{}",
        stderr(&again)
    );
    assert_eq!(env.fake.snapshot(), before);

    // Seal with the fetched key, apply with the key read from the cluster.
    let fetched = env.kseal().args(["cluster", "fetch-key"]).output().unwrap();
    assert_eq!(stdout(&fetched).trim(), first);
    env.sb.write("s.plain", &secret("db", "apps", PLANT));
    let sealed = env
        .sb
        .kseal()
        .args(["seal", "-r", &first, "s.plain"])
        .output()
        .unwrap();
    env.sb.write("s.yaml", &stdout(&sealed));
    let out = env.apply(&["--identity-from-cluster", "s.yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "secret/db created\n");

    // The repository's rule names the cluster's key through a recipients file (the quickstart's
    // layout; a file with other keys too keeps them: config's unit test).
    env.sb.write("keys/prod.pub", &format!("# prod\n{first}\n"));
    env.sb.write(
        ".kseal.yaml",
        "rules:\n  - path: \"**\"\n    recipients: [keys/prod.pub]\n",
    );
    env.sb.kseal().args(["verify", "s.yaml"]).run_ok();

    // Rotate: a second entry, the ConfigMap names the new key, old values still open.
    let rotated = env.kseal().args(["cluster", "rotate-key"]).run_ok();
    let second = stdout(&rotated).trim().to_string();
    assert_ne!(second, first);
    // Regression (issue 27): the recipients file stayed on the old key and verify kept passing.
    assert_eq!(
        std::fs::read_to_string(env.sb.path("keys/prod.pub")).unwrap(),
        format!("# prod\n{second}\n")
    );
    assert!(
        stderr(&rotated).contains("updated keys/prod.pub"),
        "{}",
        stderr(&rotated)
    );
    let stale = env.sb.kseal().args(["verify", "s.yaml"]).output().unwrap();
    assert!(
        !stale.status.success(),
        "verify passed on values sealed to the old key"
    );
    let kept = env
        .kseal()
        .args(["cluster", "rotate-key", "--keep-recipients"])
        .run_ok();
    assert_eq!(
        std::fs::read_to_string(env.sb.path("keys/prod.pub")).unwrap(),
        format!("# prod\n{second}\n")
    );
    let third = stdout(&kept).trim().to_string();
    std::fs::remove_file(env.sb.path(".kseal.yaml")).unwrap();
    let keys = env.fake.get("secrets", Some("kseal"), "kseal-keys").unwrap();
    assert_eq!(keys["data"].as_object().unwrap().len(), 3);
    let fetched = env.kseal().args(["cluster", "fetch-key"]).output().unwrap();
    assert_eq!(stdout(&fetched).trim(), third);
    let opened = env
        .kseal()
        .args(["open", "--identity-from-cluster", "s.yaml"])
        .run_ok();
    assert!(stdout(&opened).contains(PLANT));

    // Backup: both keys, encrypted to an offline key; the real age opens it.
    env.kseal()
        .args([
            "cluster",
            "backup",
            "--to",
            &env.sb.recipient("b"),
            "-o",
            "backup.age",
        ])
        .run_ok();
    let armored = env.sb.read("backup.age");
    assert!(armored.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
    assert!(!armored.contains("AGE-SECRET-KEY"));
    // The real `age` opens the backup (skipped visibly, like every outside tool, when it is absent).
    if crate::common::have("age") {
        let age = std::process::Command::new("age")
            .args(["-d", "-i", "b.agekey", "backup.age"])
            .current_dir(env.sb.dir.path())
            .output()
            .unwrap();
        assert!(age.status.success(), "{}", String::from_utf8_lossy(&age.stderr));
        let text = String::from_utf8(age.stdout).unwrap();
        assert_eq!(text.matches("AGE-SECRET-KEY-1").count(), 3);
        assert!(
            text.contains(&format!("# public key: {first}"))
                && text.contains(&format!("# public key: {second}"))
                && text.contains(&format!("# public key: {third}"))
        );
    }
    env.kseal()
        .args([
            "cluster",
            "backup",
            "--to",
            &env.sb.recipient("b"),
            "-o",
            "backup.age",
        ])
        .run_exits(2);

    // Issue 27: `cluster init --from-backup` sets a rebuilt cluster up with the backup's keys (no
    // new key), so what was sealed before opens there; a cluster with keys is refused.
    let rebuilt = Env::new();
    rebuilt.sb.write("backup.age", &armored);
    rebuilt.sb.write("s.yaml", &env.sb.read("s.yaml"));
    let init = rebuilt
        .kseal()
        .args([
            "cluster",
            "init",
            "--from-backup",
            "backup.age",
            "-i",
            "b.agekey",
            "--public-key-out",
            "keys/prod.pub",
        ])
        .run_ok();
    // The newest by creation time is published (three rotations in one second tie: any of them).
    let published = stdout(&init).trim().to_string();
    assert!([&first, &second, &third].contains(&&published), "{published}");
    assert!(
        stderr(&init).contains("set up with the 3 key(s) of the backup"),
        "{}",
        stderr(&init)
    );
    assert!(rebuilt.sb.read("keys/prod.pub").contains(&published));
    let keys = rebuilt.fake.get("secrets", Some("kseal"), "kseal-keys").unwrap();
    assert_eq!(keys["data"].as_object().unwrap().len(), 3);
    let opened = rebuilt
        .kseal()
        .args(["open", "--identity-from-cluster", "s.yaml"])
        .run_ok();
    assert!(stdout(&opened).contains(PLANT));
    let again = rebuilt
        .kseal()
        .args(["cluster", "init", "--from-backup", "backup.age", "-i", "b.agekey"])
        .run_exits(2);
    assert!(stderr(&again).contains("already has keys"), "{}", stderr(&again));
}

/// The real kubectl runs `kubectl-kseal` from PATH and passes its flags through; KUBECONFIG may
/// name several files (the context lives in the second).
#[test]
fn kubectl_seal_apply_through_the_real_kubectl_with_context_and_namespace() {
    require_tools!("kubectl");
    let Ok(kubectl) = which("kubectl") else {
        panic!("kubectl runs but is not on PATH");
    };
    let env = Env::new();
    env.fake.insert(
        "namespaces",
        None,
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}),
    );
    // First file: an unrelated current context. Second file: the context the test selects.
    env.sb.write(
        "kc-other",
        "apiVersion: v1\nkind: Config\nclusters:\n- name: nowhere\n  cluster:\n    server: http://127.0.0.1:9\ncontexts:\n- name: nowhere\n  context:\n    cluster: nowhere\n    user: nobody\ncurrent-context: nowhere\nusers:\n- name: nobody\n  user: {}\n",
    );
    env.fake
        .kubeconfig(&env.sb.path("kc-fake"), &[("fake-ctx", Some("apps"), None)]);
    let bin_dir = env.sb.path("bin");
    std::fs::create_dir(&bin_dir).unwrap();
    std::fs::copy(
        assert_cmd::cargo::cargo_bin("kubectl-kseal"),
        bin_dir.join("kubectl-kseal"),
    )
    .unwrap();
    chmod(&bin_dir.join("kubectl-kseal"), 0o755);
    // No metadata.namespace: -n decides, for sealing and for applying alike.
    env.sb.write(
        "s.plain",
        &secret("db", "shop", PLANT).replace("  namespace: shop\n", ""),
    );
    let sealed = env
        .sb
        .kseal()
        .args(["seal", "-R", "a.pub", "-n", "shop", "s.plain"])
        .output()
        .unwrap();
    env.sb.write("s.yaml", &stdout(&sealed));

    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let kubeconfig = format!(
        "{}:{}",
        env.sb.path("kc-other").display(),
        env.sb.path("kc-fake").display()
    );
    let run = |args: &[&str]| {
        std::process::Command::new(&kubectl)
            .args(args)
            .current_dir(env.sb.dir.path())
            .env("PATH", &path)
            .env("KUBECONFIG", &kubeconfig)
            .env("HOME", env.sb.path("."))
            .env_remove("KSEAL_IDENTITY_FILE")
            .output()
            .unwrap()
    };
    // Flags before and after the subcommand, as kubectl users type them.
    let out = run(&[
        "kseal",
        "--context",
        "fake-ctx",
        "apply",
        "-n",
        "shop",
        "-i",
        "a.agekey",
        "s.yaml",
    ]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(stdout(&out), "secret/db created\n");
    assert!(env.fake.get("secrets", Some("shop"), "db").is_some());
    assert_no_plaintext(&out);
    let out = run(&[
        "kseal",
        "apply",
        "-i",
        "a.agekey",
        "s.yaml",
        "--namespace=shop",
        "--context=fake-ctx",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "secret/db unchanged\n");
    // Help shows the plugin as users invoke it.
    let help = run(&["kseal", "apply", "--help"]);
    assert!(
        stdout(&help).contains("Usage: kubectl kseal apply"),
        "{}",
        stdout(&help)
    );
}

fn which(name: &str) -> Result<std::path::PathBuf, ()> {
    std::env::var_os("PATH")
        .and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .find(|c| c.is_file())
        })
        .ok_or(())
}

/// Inside a Pod: no kubeconfig, KUBERNETES_SERVICE_HOST/PORT, and the service account's token,
/// CA and namespace files. The fake serves HTTPS with its own CA and accepts only that token.
#[test]
fn in_cluster_config_uses_the_service_account_token_and_ca_over_https() {
    let fake = FakeApiServer::start_tls();
    fake.insert(
        "namespaces",
        None,
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ci"}}),
    );
    fake.set_token(
        "sa-t0ken",
        "system:serviceaccount:ci:kseal",
        // What deploy/rbac.yaml grants: a server-side apply that creates needs `create`.
        vec![Grant::new(
            &["get", "create", "patch"],
            &["secrets", "configmaps"],
            Some("ci"),
        )],
    );
    let sb = Sandbox::new();
    let sa = sb.path("serviceaccount");
    std::fs::create_dir(&sa).unwrap();
    std::fs::write(sa.join("token"), "sa-t0ken").unwrap();
    std::fs::write(sa.join("ca.crt"), fake.ca_pem.as_ref().unwrap()).unwrap();
    std::fs::write(sa.join("namespace"), "ci").unwrap();
    sb.write("s.plain", &secret("db", "ci", PLANT));
    let sealed = sb.seal("s.plain");
    sb.write("s.yaml", &sealed);
    sb.write(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: b\n",
    );
    let run = |sa_dir: &std::path::Path| {
        sb.kseal()
            .args(["apply", "-i", "a.agekey", "s.yaml", "cm.yaml"])
            .env_remove("KUBECONFIG")
            .env("HOME", sb.path("."))
            .env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
            .env("KUBERNETES_SERVICE_PORT", fake.addr.port().to_string())
            .env("KSEAL_SERVICEACCOUNT_DIR", sa_dir)
            .output()
            .unwrap()
    };
    let out = run(&sa);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "secret/db created\nconfigmap/cfg created\n");
    // The ConfigMap went to the service account's namespace.
    assert!(fake.get("configmaps", Some("ci"), "cfg").is_some());
    assert_no_plaintext(&out);

    // A CA that did not sign the server's certificate: refused, exit 4.
    let other = FakeApiServer::start_tls();
    std::fs::write(sa.join("ca.crt"), other.ca_pem.as_ref().unwrap()).unwrap();
    let out = run(&sa);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot reach the API server at https://127.0.0.1:"),
        "{}",
        stderr(&out)
    );
}

/// deploy/: every file parses; the objects apply in a server dry run; the RBAC grants exactly
/// what is listed here; the key Secret is a read-only 0400 volume and never an env var.
#[test]
fn deploy_manifests_parse_apply_in_a_dry_run_and_grant_only_what_apply_needs() {
    let env = Env::new();
    for ns in ["kseal", "argocd"] {
        env.fake.insert(
            "namespaces",
            None,
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
        );
    }
    let deploy = repo().join("deploy");
    // The Helm chart's templates are not YAML until rendered: tests/helm_chart.rs renders them.
    // deploy/controller/ holds a CRD, which the fake does not serve: `cluster init --controller`
    // applies it to the real kube-apiserver (tests/controller.rs).
    let mut files: Vec<std::path::PathBuf> = walkdir::WalkDir::new(&deploy)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "yaml")
                && !p.starts_with(deploy.join("helm"))
                && !p.starts_with(deploy.join("controller"))
        })
        .collect();
    files.sort();
    let mut docs = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let parsed: Vec<serde_json::Value> =
            serde_saphyr::from_str_multiple(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        for d in parsed {
            if let Some(plugin) = d["data"]["plugin.yaml"].as_str() {
                let p: serde_json::Value = serde_saphyr::from_str(plugin).unwrap();
                assert_eq!(p["kind"], "ConfigManagementPlugin");
                // `kseal render` (Kustomize, Helm or plain), the binary the init container copied in.
                assert_eq!(
                    p["spec"]["generate"]["command"],
                    json!(["/custom-tools/kseal", "render", "-i", "/keys"])
                );
            }
            docs.push((f.clone(), d));
        }
    }
    let appliable: Vec<String> = files
        .iter()
        .filter(|f| !f.to_string_lossy().ends_with(".patch.yaml"))
        // An Argo CD Application, a PrometheusRule: examples for clusters with Argo CD's or the
        // Prometheus Operator's CRDs; they are parsed above.
        .filter(|f| {
            !docs.iter().any(|(g, d)| {
                g == *f
                    && d["apiVersion"].as_str().is_some_and(|v| {
                        v.starts_with("argoproj.io/") || v.starts_with("monitoring.coreos.com/")
                    })
            })
        })
        .map(|f| f.display().to_string())
        .collect();
    let before = env.fake.snapshot();
    let mut args = vec!["--dry-run=server".to_string()];
    args.extend(appliable.iter().cloned());
    let out = env.kseal().arg("apply").args(&args).run_ok();
    let printed = stdout(&out);
    let lines: Vec<&str> = printed.lines().collect();
    let objects = docs
        .iter()
        .filter(|(f, _)| appliable.contains(&f.display().to_string()))
        .count();
    assert_eq!(lines.len(), objects, "{}", stdout(&out));
    assert!(
        lines
            .iter()
            .all(|l| l.ends_with("created (server dry run)")
                || *l == "namespace/kseal unchanged (server dry run)"),
        "{}",
        stdout(&out)
    );
    assert_eq!(env.fake.snapshot(), before);

    // RBAC: exactly these rules, for kseal-apply's ServiceAccount, in one namespace; no
    // ClusterRole. `kseal apply` writes Secrets and ConfigMaps of its target namespace; the
    // webhook's ServiceAccount has no grant at all (issue 35: the kubelet mounts its Secrets).
    let roles: Vec<&serde_json::Value> = docs
        .iter()
        .map(|(_, d)| d)
        .filter(|d| d["kind"] == "Role" || d["kind"] == "ClusterRole")
        .collect();
    assert_eq!(roles.len(), 1, "one Role, no ClusterRole");
    assert_eq!(roles[0]["kind"], "Role");
    assert_eq!(roles[0]["metadata"]["namespace"], "apps");
    assert_eq!(
        roles[0]["rules"],
        json!([{"apiGroups": [""], "resources": ["secrets", "configmaps"], "verbs": ["get", "create", "patch"]}])
    );
    let bindings: Vec<&serde_json::Value> = docs
        .iter()
        .map(|(_, d)| d)
        .filter(|d| d["kind"] == "RoleBinding" || d["kind"] == "ClusterRoleBinding")
        .collect();
    assert_eq!(bindings.len(), 1);
    assert_eq!(bindings[0]["kind"], "RoleBinding");
    assert_eq!(
        bindings[0]["subjects"],
        json!([{"kind": "ServiceAccount", "name": "kseal-apply", "namespace": "kseal"}])
    );
    assert!(
        !docs
            .iter()
            .any(|(_, d)| d.to_string().contains("\"name\":\"kseal-webhook\"")
                && (d["kind"] == "RoleBinding" || d["kind"] == "ClusterRoleBinding")),
        "the webhook's ServiceAccount is bound to nothing"
    );

    // The key: a read-only volume, 0400 (0440 for the Argo CD sidecar, whose user reads it through
    // fsGroup), never others-readable, never an environment variable.
    let mut key_volumes = 0;
    for (f, d) in &docs {
        let text = d.to_string();
        assert!(
            !text.contains("secretKeyRef") && !text.contains("envFrom"),
            "{}: keys through env",
            f.display()
        );
        let mut stack = vec![d];
        while let Some(v) = stack.pop() {
            if v["secret"]["secretName"] == "kseal-keys" {
                let mode = v["secret"]["defaultMode"].as_u64().unwrap();
                assert!(mode == 0o400 || mode == 0o440, "{}: {mode:o}", f.display());
                key_volumes += 1;
            }
            if v["name"] == "keys" || v["name"] == "kseal-keys" {
                if let Some(ro) = v.get("readOnly") {
                    assert_eq!(ro, &json!(true));
                }
            }
            match v {
                serde_json::Value::Object(m) => stack.extend(m.values()),
                serde_json::Value::Array(a) => stack.extend(a.iter()),
                _ => {}
            }
        }
    }
    assert_eq!(
        key_volumes, 4,
        "Job, CronJob, the Argo CD sidecar and the webhook"
    );
}

/// `-i DIR` reads every *.agekey of a folder, as the Job passes a mounted key Secret.
#[test]
fn identities_from_a_folder_of_agekey_files_mode_0400() {
    let env = Env::new();
    env.sealed("s.yaml", &secret("db", "apps", PLANT));
    let keys = env.sb.path("keys");
    std::fs::create_dir(&keys).unwrap();
    for (src, dst) in [
        ("b.agekey", "20250101-old.agekey"),
        ("a.agekey", "20260101-new.agekey"),
    ] {
        std::fs::copy(env.sb.path(src), keys.join(dst)).unwrap();
        chmod(&keys.join(dst), 0o400);
    }
    std::fs::write(keys.join("README"), "not a key").unwrap();
    let out = env.apply(&["-i", "keys", "s.yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "secret/db created\n");
}

/// The fake itself, through kube's client: the verbs and rules kseal relies on, as the real API
/// server answers them.
#[test]
fn the_fake_answers_like_the_api_server() {
    use k8s_openapi::api::core::v1::{ConfigMap, Secret};
    use kube::api::{DeleteParams, ListParams, Patch, PatchParams, PostParams};
    use kube::Api;

    let fake = FakeApiServer::start();
    fake.insert(
        "namespaces",
        None,
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}}),
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let config = kube::Config::new(fake.url().parse().unwrap());
        let client = kube::Client::try_from(config).unwrap();
        let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "apps");
        let status = |e: kube::Error| match e {
            kube::Error::Api(s) => (s.code, s.reason.clone()),
            other => panic!("{other}"),
        };

        // create, AlreadyExists, get, list, NotFound, delete.
        let cm: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "a"}, "data": {"k": "v"}})).unwrap();
        let created = cms.create(&PostParams::default(), &cm).await.unwrap();
        assert_eq!(created.metadata.namespace.as_deref(), Some("apps"));
        assert!(created.metadata.uid.is_some() && created.metadata.resource_version.is_some());
        assert_eq!(status(cms.create(&PostParams::default(), &cm).await.unwrap_err()), (409, "AlreadyExists".into()));
        assert_eq!(cms.get("a").await.unwrap().data.unwrap()["k"], "v");
        assert_eq!(cms.list(&ListParams::default()).await.unwrap().items.len(), 1);
        assert_eq!(status(cms.get("b").await.unwrap_err()), (404, "NotFound".into()));
        cms.delete("a", &DeleteParams::default()).await.unwrap();
        assert!(cms.get_opt("a").await.unwrap().is_none());

        // Server-side apply: a field dropped from the applied configuration is removed; a field
        // another manager set stays; no-op applies keep the resourceVersion.
        let pp = PatchParams::apply("one");
        let v1 = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "s"}, "data": {"x": "1", "y": "2"}});
        let a = cms.patch("s", &pp, &Patch::Apply(&v1)).await.unwrap();
        let b = cms.patch("s", &pp, &Patch::Apply(&v1)).await.unwrap();
        assert_eq!(a.metadata.resource_version, b.metadata.resource_version);
        let other = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "s"}, "data": {"z": "3"}});
        cms.patch("s", &PatchParams::apply("two"), &Patch::Apply(&other)).await.unwrap();
        let v2 = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "s"}, "data": {"x": "1"}});
        let c = cms.patch("s", &pp, &Patch::Apply(&v2)).await.unwrap();
        let data = c.data.unwrap();
        assert_eq!(data.keys().cloned().collect::<Vec<_>>(), ["x", "z"]);
        let managers: Vec<String> = c.metadata.managed_fields.unwrap().iter().filter_map(|m| m.manager.clone()).collect();
        assert_eq!(managers, ["one", "two"]);

        // Apply and merge patches are served (other patch types are not); null removes a field, and the
        // removed field leaves its manager's set, as on the real server. Dry-run creates nothing.
        let merged = cms
            .patch("s", &PatchParams::default(), &Patch::Merge(&json!({"data": {"z": null}})))
            .await
            .unwrap();
        assert_eq!(merged.data.unwrap().keys().cloned().collect::<Vec<_>>(), ["x"]);
        let managers: Vec<String> = merged.metadata.managed_fields.unwrap().iter().filter_map(|m| m.manager.clone()).collect();
        assert_eq!(managers, ["one"]);

        let dry = PatchParams::apply("one").dry_run();
        let v3 = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "new"}, "data": {"x": "1"}});
        cms.patch("new", &dry, &Patch::Apply(&v3)).await.unwrap();
        assert!(cms.get_opt("new").await.unwrap().is_none());

        // Secrets: stringData merged into data, data must be base64, immutable holds.
        let secrets: Api<Secret> = Api::namespaced(client.clone(), "apps");
        let s = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "t"}, "stringData": {"a": "x"}, "immutable": true});
        let got = secrets.patch("t", &pp, &Patch::Apply(&s)).await.unwrap();
        assert_eq!(got.data.unwrap()["a"].0, b"x");
        assert!(got.string_data.is_none());
        let changed = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "t"}, "stringData": {"a": "y"}, "immutable": true});
        assert_eq!(status(secrets.patch("t", &pp, &Patch::Apply(&changed)).await.unwrap_err()), (422, "Invalid".into()));
        let bad = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "u"}, "data": {"a": "not base64!"}});
        // The real server answers bad base64 with a 500 (recorded as `secret.apply.bad_base64`).
        assert_eq!(status(secrets.patch("u", &pp, &Patch::Apply(&bad)).await.unwrap_err()).0, 500);

        // A namespace that does not exist.
        let nowhere: Api<ConfigMap> = Api::namespaced(client.clone(), "nowhere");
        assert_eq!(status(nowhere.patch("s", &pp, &Patch::Apply(&v1)).await.unwrap_err()), (404, "NotFound".into()));
    });
    let writes = fake.writes();
    assert!(writes.iter().any(|w| w.method == "DELETE") && writes.iter().any(|w| w.method == "POST"));
}

/// The fake must answer like the real kube-apiserver wherever kseal's behaviour could depend on
/// it. `../shared/apiserver/probe.py` sends 63 raw requests; its answers from a real
/// kube-apiserver 1.36.2 are recorded beside it. The same script runs against the fake here, and
/// every probe's status code and Status reason must match the recording, except the differences
/// listed below, each with the reason it does not matter to kseal.
#[test]
fn the_fake_answers_the_probe_like_the_recorded_real_server() {
    require_tools!("python3");
    let shared = repo().join("../shared/apiserver");
    let (probe, recording) = (
        shared.join("probe.py"),
        shared.join("recorded-kube-apiserver-1.36.2.jsonl"),
    );
    if !probe.is_file() || !recording.is_file() {
        skip("no ../shared/apiserver/probe.py and its recording beside the repository");
        return;
    }
    let fake = FakeApiServer::start();
    fake.set_token("admintoken", "admin", vec![Grant::new(&["*"], &["*"], None)]);
    fake.set_token("devtoken", "dev", vec![]);
    let out = std::process::Command::new("python3")
        .arg(&probe)
        .arg(fake.url())
        .arg("-")
        .arg("probe1")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let parse = |text: &str| -> std::collections::BTreeMap<String, serde_json::Value> {
        text.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .map(|v| (v["probe"].as_str().unwrap().to_string(), v))
            .collect()
    };
    let real = parse(&std::fs::read_to_string(&recording).unwrap());
    let ours = parse(&stdout(&out));
    // Differences that kseal's behaviour does not depend on, with why. None today; a new one
    // belongs here only with its reason.
    const ACCEPTED: &[(&str, &str)] = &[];
    let mut differences = Vec::new();
    for (name, r) in &real {
        let Some(o) = ours.get(name) else {
            differences.push(format!("{name}: not answered by the fake"));
            continue;
        };
        for field in ["code", "status.reason"] {
            if r.get(field) != o.get(field) && !ACCEPTED.iter().any(|(p, _)| p == name) {
                differences.push(format!("{name}: {field} real {} fake {}", r[field], o[field]));
            }
        }
    }
    assert!(
        differences.is_empty(),
        "{} differences:\n{}",
        differences.len(),
        differences.join("\n")
    );
}

/// Regression: against an API server that accepts the connection and does not answer, apply hung
/// forever. `--request-timeout` (kubectl's flag; 30s by default) fails the request instead.
#[test]
fn a_server_that_never_answers_fails_after_the_request_timeout() {
    let env = Env::new();
    env.sealed("s.yaml", &secret("db", "apps", PLANT));
    env.fake.set_latency_ms(20_000);
    let started = std::time::Instant::now();
    let out = env.apply(&["-i", "a.agekey", "--request-timeout", "1s", "s.yaml"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(stderr(&out).contains("secret/db"), "{}", stderr(&out));
    env.fake.set_latency_ms(0);
}

/// Regression: an apiVersion the server does not serve (a CRD not installed) was reported as
/// "Failed to parse error data" (the real server answers it with a plain-text 404).
#[test]
fn an_unserved_api_group_says_the_crd_may_be_missing() {
    let env = Env::new();
    env.sb.write(
        "w.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {a: 1}\n",
    );
    let out = env.apply(&["w.yaml"]);
    assert_eq!(out.status.code(), Some(4));
    assert!(
        stderr(&out)
            .contains("the server does not serve example.com/v1: is the CustomResourceDefinition installed?"),
        "{}",
        stderr(&out)
    );
}

/// Regression: a kubeconfig whose client certificate is X.509 version 1 (what `openssl x509 -req`
/// makes) failed with rustls's misleading "invalid private key". kseal now says what is wrong.
#[test]
fn an_x509_v1_client_certificate_is_named_as_the_problem() {
    require_tools!("openssl");
    let fake = FakeApiServer::start_tls();
    let sb = Sandbox::new();
    let d = sb.dir.path();
    let sh = |cmd: &str| {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(cmd)
            .current_dir(d)
            .run_ok();
    };
    sh("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout c.key -subj /CN=dev -out c.csr 2>/dev/null");
    sh("openssl x509 -req -in c.csr -signkey c.key -out c.crt -days 1 2>/dev/null");
    let text = sh_out(d, "openssl x509 -in c.crt -noout -text");
    assert!(text.contains("Version: 1 (0x0)"), "{text}");
    fake.kubeconfig(&sb.path("kc"), &[("fake", Some("apps"), None)]);
    let kc = sb.read("kc").replace(
        "  user:\n    {}\n",
        &format!(
            "  user:\n    client-certificate: {}\n    client-key: {}\n",
            d.join("c.crt").display(),
            d.join("c.key").display()
        ),
    );
    sb.write("kc", &kc);
    sb.write(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n",
    );
    let out = sb
        .kseal()
        .args(["--kubeconfig", "kc", "apply", "cm.yaml"])
        .run_exits(2);
    assert!(stderr(&out).contains("X.509 version 1"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("invalid private key"), "{}", stderr(&out));
}

fn sh_out(dir: &std::path::Path, cmd: &str) -> String {
    stdout(
        &std::process::Command::new("sh")
            .arg("-c")
            .arg(cmd)
            .current_dir(dir)
            .run_ok(),
    )
}

/// Issue 35: `-o DIR` of `cluster webhook rotate-cert` (and `install`, `init --webhook`) writes
/// the API server's client key; after the quickstart's `git add .` it was committed. Inside a git
/// work tree that does not ignore DIR it is refused before the cluster is asked anything, with
/// the ways out; an ignored DIR, `--force`, or a folder outside git go ahead (here to the
/// unreachable cluster, which is the next error).
#[test]
fn admission_files_are_never_written_where_git_would_commit_them() {
    require_tools!("git");
    let sb = Sandbox::new();
    sb.write(
        "kc",
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:9'}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\nusers:\n- name: u\n  user: {token: t}\n",
    );
    let run = |extra: &[&str]| {
        sb.kseal()
            .args([
                "--kubeconfig",
                "kc",
                "--request-timeout",
                "2s",
                "cluster",
                "webhook",
                "rotate-cert",
                "-o",
                "apiserver",
            ])
            .args(extra)
            .output()
            .unwrap()
    };
    let refused = |out: &std::process::Output| stderr(out).contains("refusing to write");
    // Outside git: not refused.
    let out = run(&[]);
    assert!(!refused(&out), "{}", stderr(&out));
    git(sb.dir.path(), &["init", "-q"]);
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        refused(&out) && err.contains("client key") && err.contains(".gitignore") && err.contains("--force"),
        "{err}"
    );
    assert!(!sb.path("apiserver/kseal-admission-kubeconfig.yaml").exists());
    let out = run(&["--force"]);
    assert!(!refused(&out) && out.status.code() != Some(0), "{}", stderr(&out));
    sb.write(".gitignore", "apiserver/\n");
    let out = run(&[]);
    assert!(!refused(&out), "{}", stderr(&out));
}
