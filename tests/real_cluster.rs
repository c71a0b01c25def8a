//! Against a real kube-apiserver 1.36 (`tests/common/real_apiserver.rs`): the behaviour whose truth
//! is the real server's. Skipped, visibly, where the binary or etcd is absent; `.ci/run` provides both.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::sync::Mutex;

use crate::common::real_apiserver::{RealApiServer, ADMIN_TOKEN, DEV_TOKEN};
use crate::common::*;

/// The key tests share the cluster-wide `kseal` namespace: one at a time.
pub(crate) static KEYS: Mutex<()> = Mutex::new(());

pub(crate) fn reset_keys(s: &RealApiServer) {
    s.kubectl(&["create", "namespace", "kseal"]);
    let out = s.kubectl(&[
        "delete",
        "-n",
        "kseal",
        "secret/kseal-keys",
        "configmap/kseal-public-key",
        "role/kseal-public-key-reader",
        "rolebinding/kseal-public-key-reader",
        "--ignore-not-found",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// The recipients of every key in the cluster's key Secret (from the identity files' comments).
fn stored_recipients(s: &RealApiServer) -> BTreeSet<String> {
    use base64::Engine;
    let out = s.kubectl(&["get", "-n", "kseal", "secret/kseal-keys", "-o", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["data"]
        .as_object()
        .unwrap()
        .values()
        .map(|b64| {
            let text = base64::engine::general_purpose::STANDARD
                .decode(b64.as_str().unwrap())
                .unwrap();
            let text = String::from_utf8(text).unwrap();
            text.lines()
                .find_map(|l| l.strip_prefix("# public key: "))
                .unwrap()
                .to_string()
        })
        .collect()
}

fn published_recipient(s: &RealApiServer) -> String {
    field(s, "kseal", "configmap/kseal-public-key", "{.data.recipient}")
        .trim()
        .to_string()
}

fn spawn_kseal(sb: &Sandbox, args: &[&str]) -> std::process::Child {
    Command::new(assert_cmd::cargo::cargo_bin("kseal"))
        .args(args)
        .current_dir(sb.dir.path())
        .env_remove("KUBECONFIG")
        .env_remove("KSEAL_IDENTITY_FILE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Regression: two concurrent `rotate-key` lost a private key (2 of 3 trials), and the ConfigMap
/// could name the lost key. 25 rounds of two concurrent rotations: every key ever printed is in
/// the Secret, the ConfigMap names one of them, and a value sealed to it opens from the cluster.
#[test]
fn concurrent_rotate_keys_never_lose_a_key() {
    let s = require_real_apiserver!();
    let _one_at_a_time = KEYS.lock().unwrap_or_else(|e| e.into_inner());
    reset_keys(s);
    let sb = Sandbox::new();
    s.kubeconfig(&sb.path("kc"), ADMIN_TOKEN, Some("apps"));
    let init = sb
        .kseal()
        .args(["--kubeconfig", "kc", "cluster", "init"])
        .run_ok();
    let mut printed = vec![stdout(&init).trim().to_string()];
    for round in 0..25 {
        let a = spawn_kseal(&sb, &["--kubeconfig", "kc", "cluster", "rotate-key"]);
        let b = spawn_kseal(&sb, &["--kubeconfig", "kc", "cluster", "rotate-key"]);
        for child in [a, b] {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", stderr(&out));
            printed.push(stdout(&out).trim().to_string());
        }
    }
    let stored = stored_recipients(s);
    assert_eq!(printed.len(), 51);
    for r in &printed {
        assert!(stored.contains(r), "key {r} was printed but is not in the Secret");
    }
    assert_eq!(stored.len(), 51);
    let published = published_recipient(s);
    assert!(
        stored.contains(&published),
        "the ConfigMap names a key the Secret does not hold"
    );
    // A value sealed to the published key opens with the cluster's keys.
    sb.write(
        "s.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: apps}\nstringData: {password: r0tated}\n",
    );
    let fetched = sb
        .kseal()
        .args(["--kubeconfig", "kc", "cluster", "fetch-key"])
        .run_ok();
    assert_eq!(stdout(&fetched).trim(), published);
    let sealed = sb.kseal().args(["seal", "-r", &published, "s.yaml"]).run_ok();
    sb.write("sealed.yaml", &stdout(&sealed));
    let opened = open_from_cluster(&sb);
    assert!(opened.contains("r0tated"));
}

/// Regression: two concurrent `init` both printed "created" and the Secret held one key. Now the
/// key Secret is created with POST: one init creates it; the other finds it (refused, or it
/// completes the install around the same key), and the Secret holds exactly one key, the one
/// every successful init printed.
#[test]
fn concurrent_inits_install_one_key() {
    let s = require_real_apiserver!();
    let _one_at_a_time = KEYS.lock().unwrap_or_else(|e| e.into_inner());
    for round in 0..5 {
        reset_keys(s);
        let sb = Sandbox::new();
        s.kubeconfig(&sb.path("kc"), ADMIN_TOKEN, None);
        let a = spawn_kseal(&sb, &["--kubeconfig", "kc", "cluster", "init"]);
        let b = spawn_kseal(&sb, &["--kubeconfig", "kc", "cluster", "init"]);
        let outs: Vec<_> = [a, b]
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let created = outs
            .iter()
            .filter(|o| stderr(o).contains("created namespace"))
            .count();
        assert_eq!(
            created,
            1,
            "round {round}: {:?}",
            outs.iter().map(stderr).collect::<Vec<_>>()
        );
        let stored = stored_recipients(s);
        assert_eq!(stored.len(), 1, "round {round}");
        for o in &outs {
            if o.status.success() {
                assert!(
                    stored.contains(stdout(o).trim()),
                    "round {round}: printed a key not stored"
                );
            } else {
                assert!(
                    matches!(o.status.code(), Some(2 | 4)),
                    "round {round}: {}",
                    stderr(o)
                );
            }
        }
        assert!(stored.contains(&published_recipient(s)));
    }
}

/// Regression: with RBAC that allows Secrets and ConfigMaps but not Roles, init stopped after
/// writing the key Secret and before the backup and `--public-key-out`, and a second init was
/// refused. Now the backup and public key come first, and init completes a partial install
/// without replacing the key.
#[test]
fn a_partial_init_keeps_its_backup_and_can_be_completed() {
    let s = require_real_apiserver!();
    require_tools!("age");
    let _one_at_a_time = KEYS.lock().unwrap_or_else(|e| e.into_inner());
    reset_keys(s);
    s.kubectl(&[
        "delete",
        "clusterrolebinding",
        "kseal-test-dev-partial",
        "--ignore-not-found",
    ]);
    s.admin_apply(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: kseal-test-no-roles}\nrules:\n\
         - apiGroups: [\"\"]\n  resources: [namespaces, secrets, configmaps]\n  verbs: [get, list, create, patch, update]\n\
         ---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: kseal-test-dev-partial}\n\
         roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kseal-test-no-roles}\n\
         subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: dev}]\n",
    );
    let sb = Sandbox::new();
    s.kubeconfig(&sb.path("dev.kc"), DEV_TOKEN, None);
    s.kubeconfig(&sb.path("admin.kc"), ADMIN_TOKEN, None);
    let b = sb.recipient("b");
    let first = sb
        .kseal()
        .args([
            "--kubeconfig",
            "dev.kc",
            "cluster",
            "init",
            "--backup-to",
            &b,
            "--backup-out",
            "backup.age",
            "--public-key-out",
            "keys/prod.pub",
        ])
        .run_exits(4);
    assert!(stderr(&first).contains("forbidden"), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("run `kseal cluster init` again to finish"),
        "{}",
        stderr(&first)
    );
    // The key is stored, and its offline backup and public key were written before that.
    let stored = stored_recipients(s);
    assert_eq!(stored.len(), 1);
    let key = stored.iter().next().unwrap().clone();
    assert!(sb.read("keys/prod.pub").contains(&key));
    let age = Command::new("age")
        .args(["-d", "-i", "b.agekey", "backup.age"])
        .current_dir(sb.dir.path())
        .output()
        .unwrap();
    assert!(age.status.success(), "{}", stderr(&age));
    assert!(String::from_utf8_lossy(&age.stdout).contains(&format!("# public key: {key}")));
    // With the rights, a second init completes around the same key.
    let second = sb
        .kseal()
        .args(["--kubeconfig", "admin.kc", "cluster", "init"])
        .run_ok();
    assert_eq!(stdout(&second).trim(), key);
    assert!(
        stderr(&second).contains("completed an earlier, partial install"),
        "{}",
        stderr(&second)
    );
    assert_eq!(stored_recipients(s), BTreeSet::from([key.clone()]));
    assert_eq!(published_recipient(s), key);
    // And a third says it is done.
    sb.kseal()
        .args(["--kubeconfig", "admin.kc", "cluster", "init"])
        .run_exits(2);
}

fn fresh_namespace(s: &RealApiServer, name: &str) {
    s.kubectl(&["create", "namespace", name]);
}

/// A namespace of its own and a sandbox whose `kc` is the admin's kubeconfig defaulting to it.
pub(crate) fn admin_in(s: &RealApiServer, namespace: &str) -> Sandbox {
    fresh_namespace(s, namespace);
    let sb = Sandbox::new();
    s.kubeconfig(&sb.path("kc"), ADMIN_TOKEN, Some(namespace));
    sb
}

/// `kseal --kubeconfig kc apply -i a.agekey ARGS...` in the sandbox.
fn kseal_apply(sb: &Sandbox, args: &[&str]) -> assert_cmd::Command {
    let mut c = sb.kseal();
    c.args(["--kubeconfig", "kc", "apply", "-i", "a.agekey"])
        .args(args);
    c
}

/// `kseal open --identity-from-cluster sealed.yaml` in the sandbox (kubeconfig `kc`): stdout.
fn open_from_cluster(sb: &Sandbox) -> String {
    let out = sb
        .kseal()
        .args([
            "--kubeconfig",
            "kc",
            "open",
            "--identity-from-cluster",
            "sealed.yaml",
        ])
        .run_ok();
    stdout(&out)
}

/// One field of one object, through kubectl's jsonpath.
pub(crate) fn field(s: &RealApiServer, namespace: &str, object: &str, jsonpath: &str) -> String {
    let out = s.kubectl(&[
        "get",
        "-n",
        namespace,
        object,
        "-o",
        &format!("jsonpath={jsonpath}"),
    ]);
    assert!(out.status.success(), "kubectl get {object}: {}", stderr(&out));
    stdout(&out)
}

/// Seals `plain` (a Secret manifest) to key A in the sandbox as `file`.
fn sealed(sb: &Sandbox, file: &str, plain: &str) {
    sb.write("plain.yaml", plain);
    let out = sb.kseal().args(["seal", "-R", "a.pub", "plain.yaml"]).run_ok();
    sb.write(file, &stdout(&out));
}

/// Regression: kseal folded stringData into data, so a key another manager owned under stringData
/// (kubectl apply --server-side) was overwritten with exit 0, and the two tools flip-flopped.
/// kseal sends what the manifest says: the same 409 as `kubectl apply --server-side
/// --field-manager=kseal`, with a hint; `--force-conflicts` takes the key over.
#[test]
fn string_data_another_manager_owns_is_a_conflict_as_with_kubectl() {
    let s = require_real_apiserver!();
    fresh_namespace(s, "sd-conflict");
    s.admin_apply(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: sd-conflict}\nstringData: {password: from-kubectl}\n",
    );
    let sb = Sandbox::new();
    s.kubeconfig(&sb.path("kc"), ADMIN_TOKEN, Some("sd-conflict"));
    let manifest = "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: sd-conflict}\nstringData: {password: from-kseal}\n";
    // What kubectl itself does with the same input under kseal's field manager.
    sb.write("plain-kubectl.yaml", manifest);
    let kubectl = Command::new("kubectl")
        .args([
            "--kubeconfig",
            "kc",
            "apply",
            "--server-side",
            "--field-manager=kseal",
            "-f",
            "plain-kubectl.yaml",
        ])
        .current_dir(sb.dir.path())
        .output()
        .unwrap();
    assert!(
        !kubectl.status.success() && stderr(&kubectl).contains("conflict"),
        "{}",
        stderr(&kubectl)
    );
    sealed(&sb, "s.yaml", manifest);
    let out = kseal_apply(&sb, &["s.yaml"]).run_exits(4);
    assert!(
        stderr(&out).contains("409 Conflict") && stderr(&out).contains("--force-conflicts"),
        "{}",
        stderr(&out)
    );
    let value = field(s, "sd-conflict", "secret/db", "{.data.password}");
    assert_eq!(
        value,
        b64("from-kubectl"),
        "the other manager's value was overwritten"
    );
    kseal_apply(&sb, &["--force-conflicts", "s.yaml"]).run_ok();
    let value = field(s, "sd-conflict", "secret/db", "{.data.password}");
    assert_eq!(value, b64("from-kseal"));
}

/// With stringData sent as it is, an unchanged Secret still reports `unchanged`, and a key dropped
/// from the manifest is removed, also one that was applied under stringData (which the server
/// keeps only under data, owned by nobody).
#[test]
fn unchanged_and_dropped_keys_are_right_on_the_real_server() {
    let s = require_real_apiserver!();
    let sb = admin_in(s, "sd-keys");
    let both = "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: sd-keys}\ndata: {a: YQ==}\nstringData: {b: bee, c: sea}\n";
    sealed(&sb, "s.yaml", both);
    let apply = |expect: &str| {
        let out = kseal_apply(&sb, &["s.yaml"]).run_ok();
        assert_eq!(stdout(&out), format!("secret/db {expect}\n"), "{}", stderr(&out));
    };
    apply("created");
    apply("unchanged");
    let keys = || {
        let out = s.kubectl(&["get", "-n", "sd-keys", "secret/db", "-o", "json"]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["data"].as_object().unwrap().keys().cloned().collect::<Vec<_>>()
    };
    assert_eq!(keys(), ["a", "b", "c"]);
    // Drop the stringData key b: --diff shows it, apply removes it.
    sealed(&sb, "s.yaml", &both.replace("b: bee, ", ""));
    let diff = kseal_apply(&sb, &["--diff", "s.yaml"]).run_exits(1);
    assert_eq!(stdout(&diff), "secret/db: would change: keys -b\n");
    apply("configured");
    assert_eq!(keys(), ["a", "c"]);
    // Drop the data key a: server-side apply removes it itself.
    sealed(
        &sb,
        "s.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: sd-keys}\nstringData: {c: sea}\n",
    );
    apply("configured");
    assert_eq!(keys(), ["c"]);
    apply("unchanged");
}

/// Regression: `deploy/rbac.yaml` granted get and patch, but a server-side apply that creates an
/// object needs `create`: the shipped Job got 403 on every new Secret. As the Job's own
/// ServiceAccount (a real token from the TokenRequest API), kseal creates and then updates one.
#[test]
fn the_shipped_rbac_lets_the_job_create_and_update_secrets() {
    let s = require_real_apiserver!();
    fresh_namespace(s, "kseal");
    fresh_namespace(s, "apps");
    let rbac = std::fs::read_to_string(repo().join("deploy/rbac.yaml")).unwrap();
    s.admin_apply(&rbac);
    let token = s.kubectl(&["create", "token", "kseal-apply", "-n", "kseal"]);
    assert!(token.status.success(), "{}", stderr(&token));
    let sb = Sandbox::new();
    s.kubeconfig(&sb.path("kc"), stdout(&token).trim(), Some("apps"));
    sealed(
        &sb,
        "s.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: job-made, namespace: apps}\nstringData: {password: fr0m-the-job}\n",
    );
    let out = kseal_apply(&sb, &["s.yaml"]).run_ok();
    assert_eq!(stdout(&out), "secret/job-made created\n");
    sealed(
        &sb,
        "s.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: job-made, namespace: apps}\nstringData: {password: upd4ted}\n",
    );
    let out = kseal_apply(&sb, &["s.yaml"]).run_ok();
    assert_eq!(stdout(&out), "secret/job-made configured\n");
}

/// Regression: applying over a Secret that a client-side `kubectl apply` created left its
/// last-applied-configuration annotation (the old values, in plain text) without a word. kseal
/// warns; `--remove-last-applied` drops it.
#[test]
fn a_plaintext_last_applied_annotation_is_reported_and_can_be_removed() {
    let s = require_real_apiserver!();
    let sb = admin_in(s, "last-applied");
    sb.write(
        "client-side.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: last-applied}\nstringData: {password: 0ld-plain}\n",
    );
    Command::new("kubectl")
        .args(["--kubeconfig", "kc", "apply", "-f", "client-side.yaml"])
        .current_dir(sb.dir.path())
        .run_ok();
    sealed(
        &sb,
        "s.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: last-applied}\nstringData: {password: n3w-sealed}\n",
    );
    let out = kseal_apply(&sb, &["--force-conflicts", "s.yaml"]).run_ok();
    assert!(
        stderr(&out).contains("warning: secret/db in namespace last-applied"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("--remove-last-applied"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("0ld-plain"));
    kseal_apply(&sb, &["--force-conflicts", "--remove-last-applied", "s.yaml"]).run_ok();
    let ann = field(s, "last-applied", "secret/db", "{.metadata.annotations}");
    assert!(!ann.contains("last-applied-configuration"), "{}", ann);
}

/// Regression: `kind: SecretList` (and other typed lists) was refused; kubectl applies them. Its
/// sealed items are opened, and applied one by one.
#[test]
fn a_typed_secret_list_is_opened_and_applied() {
    let s = require_real_apiserver!();
    let sb = admin_in(s, "typed-list");
    sealed(
        &sb,
        "list.yaml",
        "apiVersion: v1\nkind: SecretList\nitems:\n- metadata: {name: one, namespace: typed-list}\n  stringData: {k: f1rst}\n- metadata: {name: two, namespace: typed-list}\n  stringData: {k: s3cond}\n",
    );
    assert_eq!(
        sealed_tokens(&sb.read("list.yaml")).len(),
        2,
        "the items were sealed"
    );
    let out = kseal_apply(&sb, &["list.yaml"]).run_ok();
    assert_eq!(stdout(&out), "secret/one created\nsecret/two created\n");
    let v = field(s, "typed-list", "secret/two", "{.data.k}");
    assert_eq!(v, b64("s3cond"));
}

/// Regression: the API server's `Warning` headers were dropped. A Deployment whose pod template
/// uses a deprecated node label makes the real server warn; kseal prints it as kubectl does.
#[test]
fn the_servers_warnings_are_shown_as_kubectl_shows_them() {
    let s = require_real_apiserver!();
    let sb = admin_in(s, "warned");
    sb.write(
        "d.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: warned}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      nodeSelector: {beta.kubernetes.io/os: linux}\n      containers: [{name: c, image: busybox}]\n",
    );
    let kubectl = Command::new("kubectl")
        .args([
            "--kubeconfig",
            "kc",
            "apply",
            "--server-side",
            "--dry-run=server",
            "-f",
            "d.yaml",
        ])
        .current_dir(sb.dir.path())
        .run_ok();
    let theirs = stderr(&kubectl);
    assert!(
        theirs.contains("Warning: ") && theirs.contains("beta.kubernetes.io/os"),
        "{theirs}"
    );
    let out = sb
        .kseal()
        .args(["--kubeconfig", "kc", "apply", "d.yaml"])
        .run_ok();
    let ours = stderr(&out);
    let warning = theirs.lines().find(|l| l.starts_with("Warning: ")).unwrap();
    assert!(
        ours.lines().any(|l| l == warning),
        "kubectl: {theirs}\nkseal: {ours}"
    );
}

/// Issue 27 (first hour): the way back from a backup. `cluster init --backup-to` on one cluster,
/// the cluster rebuilt (its keys gone), `cluster restore -i OFFLINE BACKUP`: the same key under the
/// same entry name, published again, and a value sealed before the loss opens from the cluster.
/// A cluster that has keys is not touched.
#[test]
fn a_backup_restores_the_keys_under_their_names() {
    let s = require_real_apiserver!();
    let _one_at_a_time = KEYS.lock().unwrap_or_else(|e| e.into_inner());
    reset_keys(s);
    let sb = Sandbox::new();
    s.kubeconfig(&sb.path("kc"), ADMIN_TOKEN, None);
    let offline = sb.recipient("b");
    let out = sb
        .kseal()
        .args([
            "--kubeconfig",
            "kc",
            "cluster",
            "init",
            "--backup-to",
            &offline,
            "--backup-out",
            "prod-keys.age",
        ])
        .run_ok();
    let recipient = stdout(&out).trim().to_string();
    let names_before = s.kubectl(&[
        "get",
        "secret",
        "-n",
        "kseal",
        "kseal-keys",
        "-o",
        "jsonpath={.data}",
    ]);
    let names_before: serde_json::Value = serde_json::from_slice(&names_before.stdout).unwrap();
    sb.write("s.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: apps}\nstringData: {password: before-the-l0ss}\n");
    let sealed = sb.kseal().args(["seal", "-r", &recipient, "s.yaml"]).run_ok();
    sb.write("sealed.yaml", &stdout(&sealed));

    // The cluster with keys: restore refuses and changes nothing.
    let out = sb
        .kseal()
        .args([
            "--kubeconfig",
            "kc",
            "cluster",
            "restore",
            "-i",
            "b.agekey",
            "prod-keys.age",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("this cluster has keys"), "{}", stderr(&out));
    // A wrong identity: refused before the cluster is asked anything.
    let out = sb
        .kseal()
        .args([
            "--kubeconfig",
            "kc",
            "cluster",
            "restore",
            "-i",
            "a.agekey",
            "prod-keys.age",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));

    // The cluster rebuilt without its keys.
    reset_keys(s);
    let out = sb
        .kseal()
        .args([
            "--kubeconfig",
            "kc",
            "cluster",
            "restore",
            "-i",
            "b.agekey",
            "prod-keys.age",
        ])
        .run_ok();
    assert_eq!(stdout(&out).trim(), recipient);
    let names_after = s.kubectl(&[
        "get",
        "secret",
        "-n",
        "kseal",
        "kseal-keys",
        "-o",
        "jsonpath={.data}",
    ]);
    let names_after: serde_json::Value = serde_json::from_slice(&names_after.stdout).unwrap();
    assert_eq!(
        names_after.as_object().unwrap().keys().collect::<Vec<_>>(),
        names_before.as_object().unwrap().keys().collect::<Vec<_>>(),
        "the entry names"
    );
    let fetched = sb
        .kseal()
        .args(["--kubeconfig", "kc", "cluster", "fetch-key"])
        .run_ok();
    assert_eq!(stdout(&fetched).trim(), recipient);
    let opened = open_from_cluster(&sb);
    assert!(opened.contains("before-the-l0ss"));

    // Issue 27: the same keys into Argo CD's namespace, whose repo-server sidecar mounts
    // secret kseal-keys (deploy/argocd/): only the Secret is made, never the namespace.
    let ns = format!("argocd-{}", std::process::id());
    let restore_into = |ns: &str| {
        sb.kseal()
            .args([
                "--kubeconfig",
                "kc",
                "cluster",
                "restore",
                "-i",
                "b.agekey",
                "prod-keys.age",
                "--keys-namespace",
                ns,
            ])
            .output()
            .unwrap()
    };
    let missing = restore_into(&ns);
    assert_eq!(missing.status.code(), Some(4), "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains("does not exist"),
        "{}",
        stderr(&missing)
    );
    assert!(s.kubectl(&["create", "namespace", &ns]).status.success());
    let out = restore_into(&ns);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("into secret {ns}/kseal-keys")),
        "{}",
        stderr(&out)
    );
    let copied = s.kubectl(&["get", "secret", "-n", &ns, "kseal-keys", "-o", "jsonpath={.data}"]);
    let copied: serde_json::Value = serde_json::from_slice(&copied.stdout).unwrap();
    assert_eq!(
        copied.as_object().unwrap().keys().collect::<Vec<_>>(),
        names_before.as_object().unwrap().keys().collect::<Vec<_>>(),
        "the entry names, in Argo CD's namespace"
    );
    let again = restore_into(&ns);
    assert_eq!(again.status.code(), Some(4), "{}", stderr(&again));
    s.kubectl(&["delete", "namespace", &ns, "--wait=false"]);
}

/// Issue 27 (first hour): `cluster init --backup-to` in a git repository where the backup is not
/// ignored warns that `git add .` would commit it; with the quickstart's `.gitignore` line, no
/// warning (and `git add .` leaves it out).
#[test]
fn a_backup_written_where_git_would_commit_it_is_warned_about() {
    require_tools!("git");
    let s = require_real_apiserver!();
    let _one_at_a_time = KEYS.lock().unwrap_or_else(|e| e.into_inner());
    let sb = Sandbox::new();
    s.kubeconfig(&sb.path("kc"), ADMIN_TOKEN, None);
    git(sb.dir.path(), &["init", "-q"]);
    let offline = sb.recipient("b");
    for (ignored, backup) in [(false, "one.age"), (true, "kseal-keys-backup.age")] {
        reset_keys(s);
        if ignored {
            sb.write(".gitignore", "*.agekey\nkseal-keys-backup.age\n");
        }
        let out = sb
            .kseal()
            .args([
                "--kubeconfig",
                "kc",
                "cluster",
                "init",
                "--backup-to",
                &offline,
                "--backup-out",
                backup,
            ])
            .run_ok();
        let warned = stderr(&out).contains("is inside a git work tree and not ignored");
        assert_eq!(warned, !ignored, "{backup}: {}", stderr(&out));
    }
    git(sb.dir.path(), &["add", "."]);
    let staged = git_command(sb.dir.path())
        .args(["diff", "--cached", "--name-only"])
        .output()
        .unwrap();
    let staged = String::from_utf8_lossy(&staged.stdout).into_owned();
    assert!(
        !staged.contains("kseal-keys-backup.age") && staged.contains("one.age"),
        "{staged}"
    );
}

/// Issue 36: a backup of two keys that share a kid (keys/test-kid-collision.agekey, TEST ONLY)
/// restored into the real API server: both stored, each under a name of its own, the message
/// naming both entries; a value sealed to either opens from the cluster.
#[test]
fn a_backup_of_two_keys_sharing_a_kid_restores_both() {
    require_tools!("age");
    let s = require_real_apiserver!();
    let _one_at_a_time = KEYS.lock().unwrap_or_else(|e| e.into_inner());
    reset_keys(s);
    let sb = Sandbox::new();
    s.kubeconfig(&sb.path("kc"), ADMIN_TOKEN, None);
    let pair = repo().join("keys/test-kid-collision.agekey");
    std::process::Command::new("age")
        .args(["-r", &sb.recipient("b"), "-o"])
        .arg(sb.path("pair.age"))
        .arg(&pair)
        .run_ok();
    let out = sb
        .kseal()
        .args([
            "--kubeconfig",
            "kc",
            "cluster",
            "restore",
            "-i",
            "b.agekey",
            "pair.age",
        ])
        .run_ok();
    let said = stderr(&out);
    assert!(
        said.contains("restored 2 key(s) into secret kseal/kseal-keys ("),
        "{said}"
    );
    let stored = s.kubectl(&[
        "get",
        "secret",
        "-n",
        "kseal",
        "kseal-keys",
        "-o",
        "jsonpath={.data}",
    ]);
    let stored: serde_json::Value = serde_json::from_slice(&stored.stdout).unwrap();
    let names: Vec<&String> = stored.as_object().unwrap().keys().collect();
    assert_eq!(names.len(), 2, "{names:?}");
    for name in &names {
        assert!(said.contains(name.as_str()), "{name} named in: {said}");
    }
    // Each of the two keys opens a value sealed to it, from the cluster.
    let ids = kseal::crypto::keys::parse_identities(&std::fs::read_to_string(&pair).unwrap()).unwrap();
    for (i, id) in ids.iter().enumerate() {
        sb.write(
            "s.yaml",
            &format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: db, namespace: apps}}\nstringData: {{password: k3y-{i}-v4lue}}\n"),
        );
        let sealed = sb
            .kseal()
            .args(["seal", "-r", &id.recipient().to_string(), "s.yaml"])
            .run_ok();
        sb.write("sealed.yaml", &stdout(&sealed));
        let opened = open_from_cluster(&sb);
        assert!(opened.contains(&format!("k3y-{i}-v4lue")), "key {i}");
    }
    reset_keys(s);
}

/// Issue 39 (the first day): kubectl's habits. A folder holding a kustomization, a values file
/// and a sealed Secret: `-f DIR` applies the Secret and skips the two files that are no
/// manifests, with a note; bare `--dry-run` is a client dry run that sends nothing (the
/// kubeconfig points nowhere) and does not swallow the path; `--server-side` is accepted; `-k`
/// applies what the kustomization renders, `--dry-run=server` through the server.
#[test]
fn apply_takes_kubectls_flags_and_skips_what_is_no_manifest() {
    let s = require_real_apiserver!();
    let sb = admin_in(s, "habits");
    let plain = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: habits\nstringData:\n  password: h4bit-v4lue\n";
    sb.write("plain.yaml", plain);
    let sealed = sb.kseal().args(["seal", "-R", "a.pub", "plain.yaml"]).run_ok();
    sb.write("app/secret.yaml", &stdout(&sealed));
    sb.write("app/kustomization.yaml", "resources:\n- secret.yaml\n");
    sb.write("app/values.yaml", "replicas: 2\nimage: {tag: v1}\n");
    // A client dry run needs no server: a kubeconfig that points nowhere.
    sb.write(
        "nowhere",
        "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: \"https://127.0.0.1:9\"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n",
    );
    let out = sb
        .kseal()
        .args([
            "--kubeconfig",
            "nowhere",
            "apply",
            "-i",
            "a.agekey",
            "--dry-run",
            "app",
        ])
        .run_ok();
    assert_eq!(stdout(&out), "secret/db (dry run)\n");
    let err = stderr(&out);
    assert!(
        err.contains("skipped 2 files that are no manifest")
            && err.contains("kustomization.yaml")
            && err.contains("values.yaml"),
        "{err}"
    );
    assert!(err.contains("client dry run, nothing sent"), "{err}");
    // -f, --server-side: applied, opened.
    let out = kseal_apply(&sb, &["-f", "app", "--server-side"]).run_ok();
    assert!(stdout(&out).contains("secret/db created"), "{}", stdout(&out));
    assert_eq!(
        field(s, "habits", "secret/db", "{.data.password}"),
        b64("h4bit-v4lue")
    );
    // -k: what the kustomization renders; through the server without persisting.
    let out = kseal_apply(&sb, &["-k", "app", "--dry-run=server"]).run_ok();
    assert!(
        stdout(&out).contains("secret/db unchanged (server dry run)"),
        "{}",
        stdout(&out)
    );
    // --dry-run=none applies, as kubectl's.
    kseal_apply(&sb, &["--dry-run=none", "app/secret.yaml"]).run_ok();
}

/// Issue 39 (first day): `cluster init` without `--backup-to` warns that the only copy of the key
/// is in the cluster and says how to make an offline key and a backup; following its two commands
/// gives a backup that `age` opens with that key. With `--backup-to`, no warning.
#[test]
fn init_without_an_offline_backup_warns_and_says_how_to_make_one() {
    require_tools!("age");
    let s = require_real_apiserver!();
    let _one_at_a_time = KEYS.lock().unwrap_or_else(|e| e.into_inner());
    let sb = Sandbox::new();
    s.kubeconfig(&sb.path("kc"), ADMIN_TOKEN, None);
    reset_keys(s);
    let out = sb
        .kseal()
        .args(["--kubeconfig", "kc", "cluster", "init"])
        .run_ok();
    let err = stderr(&out);
    assert!(err.contains("warning: no offline backup (--backup-to)"), "{err}");
    assert!(err.contains("kseal keygen -o offline.agekey"), "{err}");
    assert!(
        err.contains("cluster backup --to age1... -o kseal-keys-backup.age"),
        "{err}"
    );
    let published = stdout(&out).trim().to_string();
    // The advice, followed.
    let out = sb.kseal().args(["keygen", "-o", "offline.agekey"]).run_ok();
    let offline = stdout(&out).trim().to_string();
    sb.kseal()
        .args([
            "--kubeconfig",
            "kc",
            "cluster",
            "backup",
            "--to",
            &offline,
            "-o",
            "kseal-keys-backup.age",
        ])
        .run_ok();
    let opened = std::process::Command::new("age")
        .args(["-d", "-i", "offline.agekey", "kseal-keys-backup.age"])
        .current_dir(sb.dir.path())
        .output()
        .unwrap();
    assert!(opened.status.success(), "{}", stderr(&opened));
    let key = String::from_utf8_lossy(&opened.stdout).into_owned();
    assert!(key.contains("AGE-SECRET-KEY-1"));
    let identity = sb.write("restored.agekey", &key);
    chmod(&identity, 0o600);
    let out = sb.kseal().args(["keygen", "-y", "restored.agekey"]).run_ok();
    assert_eq!(
        stdout(&out).trim(),
        published,
        "the backup holds the published key"
    );

    reset_keys(s);
    let out = sb
        .kseal()
        .args([
            "--kubeconfig",
            "kc",
            "cluster",
            "init",
            "--backup-to",
            &offline,
            "--backup-out",
            "b2.age",
        ])
        .run_ok();
    assert!(!stderr(&out).contains("no offline backup"), "{}", stderr(&out));
}

/// Issue 39 (first day): a Secret without `metadata.namespace`, sealed under a rule with
/// `namespace: ns-written`, gets that namespace written into the file (one line, the file's style
/// kept), so the real `kubectl apply -f` puts it where its values are bound, not in the context's
/// namespace; `kseal apply` then opens it there. A kustomize base sealed with `-k` is left without
/// one: its namespace comes from whatever uses it.
#[test]
fn seal_writes_the_bound_namespace_so_kubectl_applies_it_there() {
    require_tools!("kubectl");
    // A server of its own: kubectl applies the sealed file as it is (no webhook), which the
    // policy other tests install on the shared server would refuse.
    let Some(server) = crate::common::real_apiserver::dedicated() else {
        return;
    };
    let s = &server;
    let sb = admin_in(s, "ns-context");
    fresh_namespace(s, "ns-written");
    sb.write(
        ".kseal.yaml",
        "rules:\n  - path: \"**\"\n    recipients: [a.pub]\n    namespace: ns-written\n",
    );
    let plain = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db  # the app's database\n  labels: {app: db}\nstringData:\n  password: first-day-pw\n";
    sb.write("db.yaml", plain);
    let out = sb.kseal().args(["seal", "-w", "db.yaml"]).run_ok();
    assert!(
        stderr(&out).contains("wrote `namespace: ns-written`"),
        "{}",
        stderr(&out)
    );
    let sealed = sb.read("db.yaml");
    let expected_head = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db  # the app's database\n  labels: {app: db}\n  namespace: ns-written\nstringData:\n  password: kseal:v3:";
    assert!(sealed.starts_with(expected_head), "{sealed}");
    // The real kubectl, whose context namespace is ns-context, applies it to ns-written.
    let out = Command::new("kubectl")
        .args(["--kubeconfig", "kc", "apply", "-f", "db.yaml"])
        .current_dir(sb.dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(s
        .kubectl(&["get", "secret", "db", "-n", "ns-written"])
        .status
        .success());
    assert!(!s
        .kubectl(&["get", "secret", "db", "-n", "ns-context"])
        .status
        .success());
    // And kseal opens it there (the values are bound to ns-written).
    sb.kseal()
        .args(["--kubeconfig", "kc", "apply", "-i", "a.agekey", "db.yaml"])
        .run_ok();
    let got = s.kubectl(&[
        "get",
        "secret",
        "db",
        "-n",
        "ns-written",
        "-o",
        "jsonpath={.data.password}",
    ]);
    assert_eq!(stdout(&got), b64("first-day-pw"));

    // A kustomize base sealed with -k: no namespace written.
    sb.write("base/kustomization.yaml", "resources: [secret.yaml]\n");
    sb.write(
        "base/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: api\nstringData:\n  token: first-day-token\n",
    );
    sb.write(
        "prod/kustomization.yaml",
        "namespace: ns-written\nresources: [../base]\n",
    );
    let out = sb.kseal().args(["seal", "-w", "-k", "prod"]).run_ok();
    let base = sb.read("base/secret.yaml");
    assert!(!base.contains("namespace:"), "{base}{}", stderr(&out));
    assert!(base.contains("token: kseal:v3:"), "{base}");
}

/// Issue 39: `apply` of 2,000 objects ran 10 s with no sign of life. On a terminal it counts the
/// objects as their requests complete (the real kube-apiserver); on a pipe nothing is drawn.
#[test]
fn apply_counts_objects_on_a_terminal_only() {
    require_tools!("script");
    let s = require_real_apiserver!();
    let sb = admin_in(s, "progress");
    let mut plain = String::new();
    for i in 0..300 {
        plain.push_str(&format!(
            "---\napiVersion: v1\nkind: Secret\nmetadata: {{name: s{i}, namespace: progress}}\nstringData:\n  password: pr0gress-{i}\n"
        ));
    }
    sb.write("plain.yaml", &plain);
    let sealed = sb.kseal().args(["seal", "-R", "a.pub", "plain.yaml"]).run_ok();
    sb.write("many.yaml", &stdout(&sealed));
    let bin = assert_cmd::cargo::cargo_bin("kseal");
    let out = Command::new("script")
        .args([
            "-qec",
            &format!("{} --kubeconfig kc apply -i a.agekey many.yaml", bin.display()),
            "/dev/null",
        ])
        .current_dir(sb.dir.path())
        .env("KSEAL_PROGRESS_AFTER_MS", "0")
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{shown}");
    let re = regex::Regex::new(r"applying (\d+)/300 objects").unwrap();
    let counts: Vec<usize> = re.captures_iter(&shown).map(|c| c[1].parse().unwrap()).collect();
    assert!(counts.iter().any(|n| *n > 0), "{counts:?}\n{shown}");
    assert!(shown.contains("secret/s299 created"), "{shown}");
    // On a pipe: the lines kubectl prints, nothing drawn.
    let out = sb
        .kseal()
        .env("KSEAL_PROGRESS_AFTER_MS", "0")
        .args(["--kubeconfig", "kc", "apply", "-i", "a.agekey", "many.yaml"])
        .run_ok();
    assert!(!stderr(&out).contains('\x1b'), "{}", stderr(&out));
    assert!(!stderr(&out).contains("applying "), "{}", stderr(&out));
}
