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
    sb.write("keys.yaml", &both);
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
        stderr(&out).contains("3 SealedSecrets imported, 4 values sealed"),
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
    sb.write("new-only.pem", &sb.read("new.key"));
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
