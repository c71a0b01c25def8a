//! `import-sealedsecret`: SealedSecrets made by an independent implementation of sealed-secrets'
//! encryption (PyPI `aes-gcm-rsa-oaep` on pyca/cryptography) against a controller key freshly made
//! by `openssl`, exported as `kubectl get secret -n kube-system -l ... -o yaml` prints it.

use crate::common::*;

/// A controller key pair (`tls.key`, `tls.crt`) as the controller makes it, and its export.
fn controller(sb: &Sandbox, name: &str) {
    std::process::Command::new("openssl")
        .current_dir(sb.path(""))
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30"])
        .args(["-subj", "/O=sealed-secret/CN=sealed-secret"])
        .args(["-keyout", &format!("{name}.key"), "-out", &format!("{name}.crt")])
        .run_ok();
    let b = |f: &str| {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(sb.read(f))
    };
    sb.write(
        &format!("{name}-export.yaml"),
        &format!(
            "apiVersion: v1\nitems:\n- apiVersion: v1\n  data:\n    tls.crt: {}\n    tls.key: {}\n  kind: Secret\n  \
             metadata:\n    labels:\n      sealedsecrets.bitnami.com/sealed-secrets-key: active\n    name: sealed-secrets-key{name}\n    \
             namespace: kube-system\n  type: kubernetes.io/tls\nkind: List\nmetadata:\n  resourceVersion: \"\"\n",
            b(&format!("{name}.crt")),
            b(&format!("{name}.key"))
        ),
    );
    // A file of private keys: kseal refuses one others can read (issue 40).
    chmod(&sb.path(&format!("{name}-export.yaml")), 0o600);
}

/// One value sealed by the independent implementation with `label`.
fn encrypt(sb: &Sandbox, cert: &str, label: &str, value: &[u8]) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .arg(repo().join("tests/common/sealedsecret_encrypt.py"))
        .args([&sb.path(cert).display().to_string(), label])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(value).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    stdout(&out).trim().to_string()
}

fn sealed_secret(name: &str, annotations: &str, data: &[(&str, String)]) -> String {
    let mut s = format!(
        "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: {name}\n  namespace: prod\n{annotations}\
         spec:\n  encryptedData:\n"
    );
    for (k, v) in data {
        s.push_str(&format!("    {k}: {v}\n"));
    }
    s.push_str(
        "  template:\n    metadata:\n      labels:\n        app: web\n      \
         annotations:\n        team: payments\n    type: kubernetes.io/basic-auth\n",
    );
    s
}

#[test]
fn sealed_secrets_of_every_scope_import_verify_and_open_to_the_original_values() {
    require_tools!("openssl", "python3-aes-gcm-rsa-oaep");
    let sb = Sandbox::new();
    controller(&sb, "old");
    controller(&sb, "new");
    let binary: Vec<u8> = (0..=255u8).collect();
    let strict = sealed_secret(
        "db",
        "",
        &[
            ("password", encrypt(&sb, "new.crt", "prod/db", b"hunter2")),
            ("blob", encrypt(&sb, "old.crt", "prod/db", &binary)),
        ],
    );
    let ns_wide = sealed_secret(
        "ns",
        "  annotations:\n    sealedsecrets.bitnami.com/namespace-wide: \"true\"\n",
        &[("token", encrypt(&sb, "new.crt", "prod", b"ns-value"))],
    );
    let cluster_wide = sealed_secret(
        "cw",
        "  annotations:\n    sealedsecrets.bitnami.com/cluster-wide: \"true\"\n",
        &[("token", encrypt(&sb, "old.crt", "", b"cw-value"))],
    );
    let other = "apiVersion: apps/v1\nkind: Deployment # kept as written\nmetadata:\n  name: web\n";
    sb.write(
        "all.yaml",
        &format!("{strict}---\n{ns_wide}---\n{other}---\n{cluster_wide}"),
    );
    // Both controller keys (the export holds every key the controller ever made).
    let both = format!(
        "{}---\n{}",
        sb.read("old-export.yaml"),
        sb.read("new-export.yaml")
    );
    chmod(&sb.write("keys.yaml", &both), 0o600);
    let out = sb
        .kseal()
        .args([
            "import-sealedsecret",
            "--controller-key",
            "keys.yaml",
            "-R",
            "a.pub",
            "all.yaml",
        ])
        .run_ok();
    assert!(
        stderr(&out).contains(
            "all.yaml: 3 SealedSecrets imported (strict 1, namespace 1, cluster 1), 4 values sealed"
        ),
        "{}",
        stderr(&out)
    );
    let imported = stdout(&out);
    assert!(!imported.contains("hunter2") && !imported.contains("SealedSecret"));
    for kept in ["app: web", "team: payments", "kubernetes.io/basic-auth", other] {
        assert!(imported.contains(kept), "{kept} lost:\n{imported}");
    }
    sb.write("imported.yaml", &imported);
    sb.kseal()
        .args(["verify", "-R", "a.pub", "imported.yaml"])
        .run_ok();
    let out = sb.kseal().args(["ls", "imported.yaml"]).run_ok();
    let listing = stdout(&out);
    for scope in ["strict", "namespace", "cluster"] {
        assert!(listing.contains(scope), "{scope} missing:\n{listing}");
    }
    let out = sb
        .kseal()
        .args(["open", "-i", "a.agekey", "imported.yaml"])
        .run_ok();
    let opened = stdout(&out);
    use base64::Engine;
    let b64 = |v: &[u8]| base64::engine::general_purpose::STANDARD.encode(v);
    for value in [b64(b"hunter2"), b64(&binary), b64(b"ns-value"), b64(b"cw-value")] {
        assert!(
            opened.contains(&format!("\"{value}\"")),
            "{value} not in:\n{opened}"
        );
    }
    // A plain PEM file works too.
    chmod(&sb.write("new-only.pem", &sb.read("new.key")), 0o600);
    sb.write("ns.yaml", &ns_wide);
    sb.kseal()
        .args([
            "import-sealedsecret",
            "--controller-key",
            "new-only.pem",
            "-R",
            "a.pub",
            "ns.yaml",
        ])
        .run_ok();
}

#[test]
fn a_wrong_key_a_wrong_scope_and_an_altered_value_are_refused_by_name() {
    require_tools!("openssl", "python3-aes-gcm-rsa-oaep");
    let sb = Sandbox::new();
    controller(&sb, "ours");
    controller(&sb, "other");
    let import = |file: &str, text: &str| {
        sb.write(file, text);
        let out = sb
            .kseal()
            .args([
                "import-sealedsecret",
                "--controller-key",
                "ours-export.yaml",
                "-R",
                "a.pub",
                file,
            ])
            .run_exits(3);
        assert!(stdout(&out).is_empty());
        stderr(&out)
    };
    // Sealed to another controller.
    let e = import(
        "other.yaml",
        &sealed_secret(
            "db",
            "",
            &[("password", encrypt(&sb, "other.crt", "prod/db", b"x"))],
        ),
    );
    assert!(
        e.contains("Secret db: spec.encryptedData.password") && e.contains("none of the controller keys"),
        "{e}"
    );
    // Sealed cluster-wide, but the annotations say strict.
    let e = import(
        "scope.yaml",
        &sealed_secret("db", "", &[("password", encrypt(&sb, "ours.crt", "", b"x"))]),
    );
    assert!(e.contains("only as cluster-wide"), "{e}");
    // Sealed for another name in strict scope: no label of this SealedSecret opens it.
    let e = import(
        "renamed.yaml",
        &sealed_secret(
            "db",
            "",
            &[("password", encrypt(&sb, "ours.crt", "prod/other", b"x"))],
        ),
    );
    assert!(e.contains("none of the controller keys"), "{e}");
    // One byte of the AES-GCM body changed.
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    let mut raw = engine
        .decode(encrypt(&sb, "ours.crt", "prod/db", b"hunter2"))
        .unwrap();
    let last = raw.len() - 1;
    raw[last] ^= 1;
    let e = import(
        "altered.yaml",
        &sealed_secret("db", "", &[("password", engine.encode(raw))]),
    );
    assert!(e.contains("altered"), "{e}");
}

/// Issue 26, items 1, 2, 5 and 6: a repository as it really is, migrated with one `-w` run over
/// its root. Files with no SealedSecret (kustomization.yaml, a Deployment, a Helm template that is
/// no YAML, Flux's .sops.yaml) are left byte for byte; an empty value (`--from-literal=x=`)
/// imports as `""`; a `kind: List` of SealedSecrets becomes its items, converted; kubeseal's JSON
/// stays JSON. Every value opens to its original; a second run changes nothing.
#[test]
fn a_repository_migrates_in_one_run_and_a_second_run_changes_nothing() {
    require_tools!("openssl", "python3-aes-gcm-rsa-oaep");
    let sb = Sandbox::new();
    controller(&sb, "key");
    let enc = |label: &str, v: &[u8]| encrypt(&sb, "key.crt", label, v);
    let files: Vec<(&str, String)> = vec![
        ("repo/clusters/prod/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- db.yaml\n- list.yaml\n- api.json\n- deploy.yaml\n".into()),
        ("repo/clusters/prod/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web # the app\n".into()),
        ("repo/.sops.yaml", "creation_rules:\n  - path_regex: .*.yaml\n    encrypted_regex: ^(data|stringData)$\n".into()),
        ("repo/charts/web/templates/secret.yaml", "{{- if .Values.enabled }}\napiVersion: v1\nkind: Secret\n{{- end }}\n".into()),
        ("repo/clusters/prod/db.yaml", sealed_secret("db", "", &[("password", enc("prod/db", b"hunter2")), ("empty", enc("prod/db", b""))])),
        ("repo/clusters/prod/list.yaml", format!(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: bitnami.com/v1alpha1\n  kind: SealedSecret\n  metadata:\n    name: one\n    namespace: prod\n  spec:\n    encryptedData:\n      k: {}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: settings\n  data:\n    mode: fast\n- apiVersion: bitnami.com/v1alpha1\n  kind: SealedSecret\n  metadata:\n    name: two\n    namespace: prod\n  spec:\n    encryptedData:\n      k: {}\n",
            enc("prod/one", b"value-one"),
            enc("prod/two", b"value-two")
        )),
        ("repo/clusters/prod/api.json", format!(
            "{{\n  \"kind\": \"SealedSecret\",\n  \"apiVersion\": \"bitnami.com/v1alpha1\",\n  \"metadata\": {{\n    \"name\": \"api\",\n    \"namespace\": \"prod\"\n  }},\n  \"spec\": {{\n    \"template\": {{\n      \"metadata\": {{\n        \"name\": \"api\",\n        \"namespace\": \"prod\"\n      }}\n    }},\n    \"encryptedData\": {{\n      \"token\": \"{}\"\n    }}\n  }}\n}}\n",
            enc("prod/api", b"t0ken")
        )),
    ];
    for (f, text) in &files {
        sb.write(f, text);
    }
    let untouched = [
        "repo/clusters/prod/kustomization.yaml",
        "repo/clusters/prod/deploy.yaml",
        "repo/.sops.yaml",
        "repo/charts/web/templates/secret.yaml",
    ];
    let import = || {
        sb.kseal()
            .args([
                "import-sealedsecret",
                "--controller-key",
                "key-export.yaml",
                "-R",
                "a.pub",
                "-w",
                "repo",
            ])
            .output()
            .unwrap()
    };
    let out = import();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("3 files imported: 4 SealedSecrets (strict 4), 5 values; 4 files without a SealedSecret left as they were"),
        "{}",
        stderr(&out)
    );
    for f in untouched {
        let original = &files.iter().find(|(p, _)| *p == f).unwrap().1;
        assert_eq!(&sb.read(f), original, "{f} changed");
    }
    // Every value opens to its original.
    use base64::Engine;
    let b64 = |v: &[u8]| base64::engine::general_purpose::STANDARD.encode(v);
    let open = |f: &str| stdout(&sb.kseal().args(["open", "-i", "a.agekey", f]).run_ok());
    let db = open("repo/clusters/prod/db.yaml");
    let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&db).unwrap();
    assert_eq!(docs[0]["data"]["password"], b64(b"hunter2"));
    assert_eq!(docs[0]["data"]["empty"], "", "the empty value: {db}");
    let list = open("repo/clusters/prod/list.yaml");
    let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&list).unwrap();
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["Secret", "ConfigMap", "Secret"], "{list}");
    assert_eq!(docs[0]["data"]["k"], b64(b"value-one"));
    assert_eq!(docs[1]["data"]["mode"], "fast");
    assert_eq!(docs[2]["data"]["k"], b64(b"value-two"));
    let json = sb.read("repo/clusters/prod/api.json");
    let parsed: serde_json::Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("not JSON ({e}):\n{json}"));
    assert_eq!(parsed["kind"], "Secret");
    let api = open("repo/clusters/prod/api.json");
    let api: serde_json::Value = serde_json::from_str(&api).unwrap();
    assert_eq!(api["data"]["token"], b64(b"t0ken"));
    sb.kseal()
        .args(["verify", "-R", "a.pub", "repo/clusters"])
        .run_ok();

    // A second run: nothing to import anywhere, nothing changes.
    let before: Vec<String> = files.iter().map(|(f, _)| sb.read(f)).collect();
    let out = import();
    assert!(out.status.success(), "{}", stderr(&out));
    let after: Vec<String> = files.iter().map(|(f, _)| sb.read(f)).collect();
    assert_eq!(before, after);
}

/// Issue 26, item 4: `spec.template.immutable` and the SealedSecret's own labels and annotations
/// (what Argo CD and Flux read on the object in git) come over to the Secret, the controller's
/// scope annotation does not, and stderr names each SealedSecret's own scope, not "strict".
#[test]
fn immutability_and_what_gitops_tools_read_are_carried_over() {
    require_tools!("openssl", "python3-aes-gcm-rsa-oaep");
    let sb = Sandbox::new();
    controller(&sb, "key");
    let ss = format!(
        "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: cw\n  # owned by payments\n  namespace: prod\n  labels:\n    app: web\n    tier: own\n  \
         annotations:\n    sealedsecrets.bitnami.com/cluster-wide: \"true\"\n    argocd.argoproj.io/sync-wave: \"-1\"\n    kustomize.toolkit.fluxcd.io/prune: disabled\n\
         spec:\n  encryptedData:\n    token: {}\n  template:\n    immutable: true\n    metadata:\n      labels:\n        tier: template\n",
        encrypt(&sb, "key.crt", "", b"cw-value")
    );
    sb.write("cw.yaml", &ss);
    let out = sb
        .kseal()
        .args([
            "import-sealedsecret",
            "--controller-key",
            "key-export.yaml",
            "-R",
            "a.pub",
            "cw.yaml",
        ])
        .run_ok();
    let text = stdout(&out);
    let doc: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(doc["immutable"], true, "{text}");
    assert_eq!(
        doc["metadata"]["labels"],
        serde_json::json!({"app": "web", "tier": "template"})
    );
    let annotations = &doc["metadata"]["annotations"];
    assert_eq!(annotations["argocd.argoproj.io/sync-wave"], "-1");
    assert_eq!(annotations["kustomize.toolkit.fluxcd.io/prune"], "disabled");
    assert!(
        annotations
            .get("sealedsecrets.bitnami.com/cluster-wide")
            .is_none(),
        "{text}"
    );
    assert!(!stderr(&out).contains("strict scope"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("each SealedSecret's own scope"),
        "{}",
        stderr(&out)
    );
    // The migration report: scopes, and what the new Secret does not carry.
    assert!(
        stderr(&out).contains(
            "cw.yaml: 1 SealedSecret imported (cluster 1), 1 value sealed; not carried over: 1 comment line inside them"
        ),
        "{}",
        stderr(&out)
    );
    sb.write("out.yaml", &text);
    let listing = stdout(&sb.kseal().args(["ls", "out.yaml"]).run_ok());
    assert!(listing.contains("cluster"), "{listing}");
    let opened = stdout(&sb.kseal().args(["open", "-i", "a.agekey", "out.yaml"]).run_ok());
    use base64::Engine;
    assert!(opened.contains(&base64::engine::general_purpose::STANDARD.encode("cw-value")));
}

/// Issue 26, item 8: an EC key in the key export is skipped whether it is SEC1 or PKCS#8 (a
/// PKCS#8 one was a hard error without a location), and the old `spec.data` form's refusal names
/// `spec.data` and its line.
#[test]
fn ec_keys_in_an_export_are_skipped_and_the_old_spec_data_form_is_named() {
    require_tools!("openssl", "python3-aes-gcm-rsa-oaep");
    let sb = Sandbox::new();
    controller(&sb, "key");
    for (form, args) in [
        (
            "sec1",
            &["ecparam", "-genkey", "-name", "prime256v1", "-noout"][..],
        ),
        (
            "pkcs8",
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
            ][..],
        ),
    ] {
        let out = std::process::Command::new("openssl")
            .current_dir(sb.path(""))
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{form}: {}", stderr(&out));
        chmod(
            &sb.write(
                &format!("keys-{form}.pem"),
                &format!("{}{}", stdout(&out), sb.read("key.key")),
            ),
            0o600,
        );
        sb.write(
            "db.yaml",
            &sealed_secret(
                "db",
                "",
                &[("password", encrypt(&sb, "key.crt", "prod/db", b"hunter2"))],
            ),
        );
        let out = sb
            .kseal()
            .args([
                "import-sealedsecret",
                "--controller-key",
                &format!("keys-{form}.pem"),
                "-R",
                "a.pub",
                "db.yaml",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{form}: {}", stderr(&out));
    }
    sb.write(
        "old.yaml",
        "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: old\n  namespace: prod\nspec:\n  data: AgBy3i4OJSWK+PiTySYZZA==\n",
    );
    let out = sb
        .kseal()
        .args([
            "import-sealedsecret",
            "--controller-key",
            "key-export.yaml",
            "-R",
            "a.pub",
            "old.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("old.yaml: document 1: Secret old: spec.data (line 7, column 9)")
            && stderr(&out).contains("the old spec.data form"),
        "{}",
        stderr(&out)
    );
}

/// Issue 26: `--controller-keys-from-cluster` reads the controller's keys from the real API server
/// (every Secret labelled as the controller labels them, all rotations), so no key file is ever
/// written to disk.
#[test]
fn the_controller_keys_are_read_from_the_cluster() {
    require_tools!("openssl", "python3-aes-gcm-rsa-oaep");
    let s = require_real_apiserver!();
    let sb = Sandbox::new();
    controller(&sb, "live");
    let name = "sealed-secrets-keytest";
    let out = s.kubectl(&[
        "create",
        "secret",
        "tls",
        name,
        "-n",
        "kube-system",
        &format!("--cert={}", sb.path("live.crt").display()),
        &format!("--key={}", sb.path("live.key").display()),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = s.kubectl(&[
        "label",
        "secret",
        name,
        "-n",
        "kube-system",
        "sealedsecrets.bitnami.com/sealed-secrets-key=active",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    sb.write(
        "db.yaml",
        &sealed_secret(
            "db",
            "",
            &[("password", encrypt(&sb, "live.crt", "prod/db", b"hunter2"))],
        ),
    );
    // The key files are gone: only the cluster has the key.
    std::fs::remove_file(sb.path("live.key")).unwrap();
    std::fs::remove_file(sb.path("live-export.yaml")).unwrap();
    s.kubeconfig(&sb.path("kc"), crate::common::real_apiserver::ADMIN_TOKEN, None);
    let out = sb
        .kseal()
        .args([
            "--kubeconfig",
            "kc",
            "import-sealedsecret",
            "--controller-keys-from-cluster",
            "-R",
            "a.pub",
            "db.yaml",
        ])
        .output()
        .unwrap();
    let _ = s.kubectl(&["delete", "secret", name, "-n", "kube-system"]);
    assert!(out.status.success(), "{}", stderr(&out));
    sb.write("imported.yaml", &stdout(&out));
    let opened = stdout(
        &sb.kseal()
            .args(["open", "-i", "a.agekey", "imported.yaml"])
            .run_ok(),
    );
    use base64::Engine;
    assert!(
        opened.contains(&base64::engine::general_purpose::STANDARD.encode("hunter2")),
        "{opened}"
    );
}

/// Issue 26, the whole migration: a repository laid out as GitOps repositories are (Kustomize
/// base and overlays, kustomization.yaml files, a Deployment, Flux's .sops.yaml), with
/// SealedSecrets of all three scopes (an empty value, an immutable one, a List, a JSON one) and
/// SOPS files (a Secret with encrypted comments, a values file), migrated with one `-w` run per
/// tool over the root. Every Secret then opens to its original plaintext, everything else is
/// byte-identical, and a second run of both changes nothing.
#[test]
fn a_gitops_repository_migrates_from_both_tools_and_every_value_comes_through() {
    require_tools!("openssl", "python3-aes-gcm-rsa-oaep", "sops");
    let sb = Sandbox::new();
    controller(&sb, "key");
    let enc = |label: &str, v: &[u8]| encrypt(&sb, "key.crt", label, v);
    let scoped = |name: &str, annotation: &str, extra: &str, data: &[(&str, String)]| {
        let mut s = format!(
            "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: {name}\n  namespace: prod\n{annotation}spec:\n  encryptedData:\n"
        );
        for (k, v) in data {
            s.push_str(&format!("    {k}: {v}\n"));
        }
        s.push_str(extra);
        s
    };
    let mut files: Vec<(String, String)> = vec![
        ("base/kustomization.yaml".into(), "resources:\n- deploy.yaml\n".into()),
        ("base/deploy.yaml".into(), "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web # the app\n".into()),
        ("overlays/prod/kustomization.yaml".into(), "resources:\n- ../../base\n- strict.yaml\n- ns-wide.yaml\n- cluster-wide.yaml\n- list.yaml\n- api.json\n".into()),
        (".sops.yaml".into(), "creation_rules:\n  - path_regex: .*\\.sops\\.yaml$\n    encrypted_regex: ^(data|stringData)$\n".into()),
        ("overlays/prod/strict.yaml".into(), scoped("strict", "", "", &[("password", enc("prod/strict", b"s3cr3t-strict")), ("empty", enc("prod/strict", b""))])),
        ("overlays/prod/ns-wide.yaml".into(), scoped("nswide", "  annotations:\n    sealedsecrets.bitnami.com/namespace-wide: \"true\"\n", "", &[("token", enc("prod", b"s3cr3t-ns"))])),
        ("overlays/prod/cluster-wide.yaml".into(), scoped("cw", "  annotations:\n    sealedsecrets.bitnami.com/cluster-wide: \"true\"\n", "  template:\n    immutable: true\n", &[("token", enc("", b"s3cr3t-cw"))])),
        ("overlays/prod/list.yaml".into(), format!(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: bitnami.com/v1alpha1\n  kind: SealedSecret\n  metadata: {{name: one, namespace: prod}}\n  spec:\n    encryptedData:\n      k: {}\n- apiVersion: bitnami.com/v1alpha1\n  kind: SealedSecret\n  metadata: {{name: two, namespace: prod}}\n  spec:\n    encryptedData:\n      k: {}\n",
            enc("prod/one", b"s3cr3t-one"), enc("prod/two", b"s3cr3t-two"))),
        ("overlays/prod/api.json".into(), format!(
            "{{\n  \"kind\": \"SealedSecret\",\n  \"apiVersion\": \"bitnami.com/v1alpha1\",\n  \"metadata\": {{\"name\": \"api\", \"namespace\": \"prod\"}},\n  \"spec\": {{\"encryptedData\": {{\"token\": \"{}\"}}}}\n}}\n",
            enc("prod/api", b"s3cr3t-api"))),
    ];
    // SOPS files, made by the real sops 3.11 with the repository's rules.
    let sops = |plain: &str, name: &str| {
        sb.write(&format!("repo/{name}"), plain);
        let out = std::process::Command::new("sops")
            .current_dir(sb.path("repo"))
            .args([
                "--disable-version-check",
                "-e",
                "-i",
                "--age",
                &sb.recipient("a"),
                name,
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "sops: {}", stderr(&out));
        sb.read(&format!("repo/{name}"))
    };
    for (f, t) in &files {
        sb.write(&format!("repo/{f}"), t);
    }
    let db = sops(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: staging\nstringData:\n  # rotate every 90 days\n  password: s3cr3t-sops\n",
        "overlays/staging/db.sops.yaml",
    );
    assert!(db.contains("#ENC["), "sops left the comment plain:\n{db}");
    files.push(("overlays/staging/db.sops.yaml".into(), db));
    let values = sops(
        "replicas: 2\ndata:\n  token: s3cr3t-values\n",
        "overlays/staging/values.sops.yaml",
    );
    files.push(("overlays/staging/values.sops.yaml".into(), values));

    let run_both = || {
        for args in [
            vec![
                "import-sealedsecret",
                "--controller-key",
                "key-export.yaml",
                "-R",
                "a.pub",
                "-w",
                "repo",
            ],
            vec!["import-sops", "-i", "a.agekey", "-R", "a.pub", "-w", "repo"],
        ] {
            let out = sb.kseal().args(&args).output().unwrap();
            assert!(out.status.success(), "{}: {}", args[0], stderr(&out));
        }
    };
    run_both();
    let unchanged = [
        "base/kustomization.yaml",
        "base/deploy.yaml",
        "overlays/prod/kustomization.yaml",
        ".sops.yaml",
        "overlays/staging/values.sops.yaml",
    ];
    for (f, t) in &files {
        if unchanged.contains(&f.as_str()) {
            assert_eq!(&sb.read(&format!("repo/{f}")), t, "{f} changed");
        }
    }
    // Every Secret opens to its original plaintext.
    use base64::Engine;
    let b64 = |v: &str| base64::engine::general_purpose::STANDARD.encode(v);
    let expected = [
        ("strict", "password", b64("s3cr3t-strict")),
        ("strict", "empty", String::new()),
        ("nswide", "token", b64("s3cr3t-ns")),
        ("cw", "token", b64("s3cr3t-cw")),
        ("one", "k", b64("s3cr3t-one")),
        ("two", "k", b64("s3cr3t-two")),
        ("api", "token", b64("s3cr3t-api")),
        ("db", "password", "s3cr3t-sops".to_string()),
    ];
    let mut seen = Vec::new();
    for f in [
        "overlays/prod/strict.yaml",
        "overlays/prod/ns-wide.yaml",
        "overlays/prod/cluster-wide.yaml",
        "overlays/prod/list.yaml",
        "overlays/prod/api.json",
        "overlays/staging/db.sops.yaml",
    ] {
        let opened = stdout(
            &sb.kseal()
                .args(["open", "-i", "a.agekey"])
                .arg(format!("repo/{f}"))
                .run_ok(),
        );
        assert!(
            !opened.contains("ENC[") && !opened.contains("SealedSecret"),
            "{f}:\n{opened}"
        );
        let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&opened).unwrap();
        for d in docs.iter().filter(|d| d["kind"] == "Secret") {
            let name = d["metadata"]["name"].as_str().unwrap();
            for field in ["data", "stringData"] {
                for (k, v) in d[field].as_object().into_iter().flatten() {
                    seen.push((name.to_string(), k.clone(), v.as_str().unwrap().to_string()));
                }
            }
            if name == "cw" {
                assert_eq!(d["immutable"], true);
            }
        }
        if f.ends_with("db.sops.yaml") {
            assert!(opened.contains("# rotate every 90 days"), "{opened}");
        }
    }
    let mut want: Vec<(String, String, String)> = expected
        .iter()
        .map(|(n, k, v)| (n.to_string(), k.to_string(), v.clone()))
        .collect();
    want.sort();
    seen.sort();
    assert_eq!(seen, want);
    sb.kseal()
        .args(["verify", "-R", "a.pub", "repo/overlays"])
        .run_ok();

    // A second run of both tools changes nothing.
    let snapshot = || {
        files
            .iter()
            .map(|(f, _)| sb.read(&format!("repo/{f}")))
            .collect::<Vec<_>>()
    };
    let before = snapshot();
    run_both();
    assert_eq!(snapshot(), before);
}

/// Issue 40: a controller key file others can read is refused as an identity file is (it opens
/// every SealedSecret the cluster ever had), before anything is read or written; and
/// `immutable: false` in the template is kept, not dropped.
#[test]
fn a_readable_controller_key_is_refused_and_immutable_false_is_kept() {
    require_tools!("openssl", "python3-aes-gcm-rsa-oaep");
    let sb = Sandbox::new();
    controller(&sb, "key");
    let ss = format!(
        "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: db\n  namespace: prod\nspec:\n  encryptedData:\n    password: {}\n  template:\n    immutable: false\n",
        encrypt(&sb, "key.crt", "prod/db", b"mutable-pw")
    );
    sb.write("db.yaml", &ss);
    let import = |sb: &Sandbox| {
        sb.kseal()
            .args([
                "import-sealedsecret",
                "--controller-key",
                "key-export.yaml",
                "-R",
                "a.pub",
                "-w",
                "db.yaml",
            ])
            .output()
            .unwrap()
    };
    for mode in [0o644, 0o640] {
        chmod(&sb.path("key-export.yaml"), mode);
        let out = import(&sb);
        assert_eq!(out.status.code(), Some(2), "{mode:o}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("controller key file key-export.yaml is accessible by")
                && stderr(&out).contains("chmod 600 key-export.yaml"),
            "{}",
            stderr(&out)
        );
        assert_eq!(sb.read("db.yaml"), ss, "nothing written");
    }
    chmod(&sb.path("key-export.yaml"), 0o400);
    let out = import(&sb);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_saphyr::from_str(&sb.read("db.yaml")).unwrap();
    assert_eq!(doc["immutable"], false, "{}", sb.read("db.yaml"));
    let opened = stdout(&sb.kseal().args(["open", "-i", "a.agekey", "db.yaml"]).run_ok());
    assert!(
        opened.contains(&format!("password: \"{}\"", b64("mutable-pw"))),
        "{opened}"
    );
}
