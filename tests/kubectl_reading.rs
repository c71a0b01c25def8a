//! Issue 36: kubectl's reading is the truth. Each file here is stored by the real kube-apiserver
//! as a plaintext Secret through the real `kubectl` (checked first), while kseal used to say
//! "verified", "clean" and "nothing to seal". Now verify fails it (exit 1 for plaintext, 2 for
//! a file it refuses, named), scan reports it in every mode, and seal seals or refuses it.

use crate::common::*;

/// (file, text, what kseal does: `Some(key)` seals the plaintext key, `None` refuses the file).
const CASES: &[(&str, &str, Option<&str>)] = &[
    (
        "slash.yaml",
        "apiVersion: /v1\nkind: Secret\nmetadata: {name: slash, namespace: NS}\nstringData: {password: hunter2}\n",
        Some("password"),
    ),
    (
        "kindless.yaml",
        "apiVersion: v1\nkind: SecretList\nitems:\n- kind: \"\"\n  apiVersion: \"\"\n  metadata: {name: kindless, namespace: NS}\n  stringData: {password: hunter2}\n",
        Some("password"),
    ),
    (
        "duplicate.yaml",
        "apiVersion: v1\nkind: \"Secr\\x65t\"\nmetadata: {name: first, namespace: NS}\nmetadata: {name: duplicate, namespace: NS}\nstringData: {password: hunter2}\n",
        None,
    ),
    (
        "duplicate.json",
        "{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"first\", \"namespace\": \"NS\"}, \"metadata\": {\"name\": \"json\", \"namespace\": \"NS\"}, \"stringData\": {\"password\": \"hunter2\"}}\n",
        None,
    ),
];

#[test]
fn what_kubectl_stores_as_a_plaintext_secret_kseal_never_calls_clean() {
    require_tools!("git");
    let s = require_real_apiserver!();
    let ns = "kubectl-reading";
    let sb = crate::real_cluster::admin_in(s, ns);
    git(&sb.path(""), &["init", "-q", "-b", "main"]);
    for (file, text, _) in CASES {
        let text = text.replace("NS", ns);
        sb.write(&format!("m/{file}"), &text);
        // The truth: the real kubectl and API server store a Secret with a plaintext value.
        let out = std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(sb.path("kc"))
            .args(["create", "--dry-run=server", "-o", "json", "-f"])
            .arg(sb.path(&format!("m/{file}")))
            .output()
            .unwrap();
        let stored = stdout(&out);
        assert!(
            out.status.success()
                && stored.contains("\"kind\": \"Secret\"")
                && stored.contains("aHVudGVyMg=="),
            "{file}: kubectl did not store it: {}",
            stderr(&out)
        );
    }
    // verify: the folder walk fails, naming the file it cannot read; each file alone fails.
    let out = sb.kseal().args(["verify", "m"]).output().unwrap();
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    for (file, _, seals) in CASES {
        let out = sb
            .kseal()
            .args(["verify", &format!("m/{file}")])
            .output()
            .unwrap();
        let code = out.status.code();
        match seals {
            Some(_) => assert_eq!(code, Some(1), "{file}: {}{}", stdout(&out), stderr(&out)),
            None => {
                assert_eq!(code, Some(2), "{file}: {}", stderr(&out));
                assert!(
                    stderr(&out).contains(file) && stderr(&out).contains("first at line"),
                    "{}",
                    stderr(&out)
                );
            }
        }
    }
    // scan, in every mode: each file is reported (as kubectl reads it, the last key winning).
    let scan = |mode: &str| {
        let out = sb
            .kseal()
            .args(["scan", mode, "--format", "json", "m"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{mode}: {}", stderr(&out));
        let mut paths: Vec<String> = stdout(&out)
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["path"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            // The work tree names paths below the folder scanned, the index and history below the
            // repository: compare file names.
            .map(|p| p.rsplit('/').next().unwrap_or_default().to_string())
            .collect();
        paths.sort();
        paths.dedup();
        let mut want: Vec<String> = CASES.iter().map(|(f, _, _)| f.to_string()).collect();
        want.sort();
        assert_eq!(paths, want, "{mode}");
        assert!(!stdout(&out).contains("hunter2"));
    };
    scan("--worktree");
    git(&sb.path(""), &["add", "m"]);
    scan("--staged");
    git(&sb.path(""), &["commit", "-q", "-m", "m"]);
    scan("--history");
    // seal: seals what it reads as kubectl does; refuses the file with a duplicate key.
    for (file, _, seals) in CASES {
        let out = sb
            .kseal()
            .args(["seal", "-w", "-R", "a.pub", &format!("m/{file}")])
            .output()
            .unwrap();
        match seals {
            Some(_) => {
                assert!(out.status.success(), "{file}: {}", stderr(&out));
                assert!(!sb.read(&format!("m/{file}")).contains("hunter2"), "{file}");
            }
            None => assert_eq!(out.status.code(), Some(2), "{file}: {}", stderr(&out)),
        }
    }
}

/// Issue 36: .gitignore applies to untracked files only. A tracked Secret that a later
/// .gitignore line matches is still committed and applied: verify and the work-tree scan read
/// it ("0 files verified" before); an untracked ignored file stays skipped.
#[test]
fn tracked_files_are_read_whatever_gitignore_says() {
    require_tools!("git");
    let sb = Sandbox::new();
    let d = &sb.path("");
    git(d, &["init", "-q", "-b", "main"]);
    let plain =
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: ns}\nstringData: {password: hunter2}\n";
    sb.write("m/tracked.yaml", plain);
    git(d, &["add", "m"]);
    git(d, &["commit", "-q", "-m", "m"]);
    sb.write("m/untracked.yaml", plain);
    sb.write(".gitignore", "tracked.yaml\nuntracked.yaml\n");
    let out = sb.kseal().args(["verify", "m"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("tracked.yaml") && !stdout(&out).contains("untracked.yaml"),
        "{}",
        stdout(&out)
    );
    let out = sb
        .kseal()
        .args(["scan", "--worktree", "--format", "json", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("m/tracked.yaml") && !stdout(&out).contains("untracked"),
        "{}",
        stdout(&out)
    );
}

/// Issue 36: one classifier. A value that starts like SOPS but is no SOPS leaf
/// (`ENC[AES256_GCM,hunter2`) is plaintext to verify and to scan alike; a whole leaf is another
/// tool's ciphertext to both (verify says so, scan stays silent).
#[test]
fn a_broken_sops_value_is_plaintext_to_verify_and_scan_alike() {
    let sb = Sandbox::new();
    let secret = |v: &str| {
        format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: s, namespace: ns}}\nstringData:\n  password: \"{v}\"\n")
    };
    sb.write("broken/s.yaml", &secret("ENC[AES256_GCM,hunter2"));
    sb.write(
        "whole/s.yaml",
        &secret("ENC[AES256_GCM,data:mHeXsmQ=,iv:vUMpILz3xchORqkzDFvgwENY7EqIHHGJdEF6C8xqbFE=,tag:IroV7hykADvD0IUaq6kikA==,type:str]"),
    );
    let verify = sb.kseal().args(["verify", "broken"]).output().unwrap();
    assert_eq!(verify.status.code(), Some(1));
    assert!(
        stdout(&verify).contains("not sealed (plaintext)"),
        "{}",
        stdout(&verify)
    );
    let scan = sb
        .kseal()
        .args(["scan", "--worktree", "--format", "json", "broken"])
        .output()
        .unwrap();
    assert_eq!(scan.status.code(), Some(1), "{}", stderr(&scan));
    let verify = sb.kseal().args(["verify", "whole"]).output().unwrap();
    assert!(
        stdout(&verify).contains("encrypted by SOPS"),
        "{}",
        stdout(&verify)
    );
    let scan = sb.kseal().args(["scan", "--worktree", "whole"]).output().unwrap();
    assert_eq!(scan.status.code(), Some(0), "{}", stderr(&scan));
}

/// Issue 36: a UTF-16 file with a byte order mark (kubectl transcodes it, and the API server
/// stores its Secret) is read as its text by verify and scan, and sealed (written back as UTF-8,
/// which kubectl reads the same).
#[test]
fn utf16_files_are_read_as_kubectl_reads_them() {
    let s = require_real_apiserver!();
    // It sends a sealed Secret to the server (a dry run, which admission sees too): not while
    // the webhook's cluster-wide policy is installed by its own test.
    let _not_alone = crate::webhook::CLUSTER_WIDE
        .read()
        .unwrap_or_else(|e| e.into_inner());
    let ns = "kubectl-utf16";
    let sb = crate::real_cluster::admin_in(s, ns);
    let text = format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: wide, namespace: {ns}}}\nstringData: {{password: hunter2}}\n");
    let le = utf16_with_bom(&text, true);
    let be = utf16_with_bom(&text, false);
    for (file, bytes) in [("le.yaml", le), ("be.yaml", be)] {
        std::fs::create_dir_all(sb.path("u")).unwrap();
        std::fs::write(sb.path(&format!("u/{file}")), bytes).unwrap();
        let kubectl = |path: &str| {
            std::process::Command::new("kubectl")
                .arg("--kubeconfig")
                .arg(sb.path("kc"))
                .args(["create", "--dry-run=server", "-o", "json", "-f"])
                .arg(sb.path(path))
                .output()
                .unwrap()
        };
        let out = kubectl(&format!("u/{file}"));
        assert!(
            out.status.success() && stdout(&out).contains("aHVudGVyMg=="),
            "{file}: {}",
            stderr(&out)
        );
        let verify = sb
            .kseal()
            .args(["verify", &format!("u/{file}")])
            .output()
            .unwrap();
        assert_eq!(verify.status.code(), Some(1), "{file}: {}", stderr(&verify));
        let scan = sb
            .kseal()
            .args(["scan", "--worktree", "--format", "json", "u"])
            .output()
            .unwrap();
        assert!(stdout(&scan).contains(file), "{file}: {}", stdout(&scan));
        sb.kseal()
            .args(["seal", "-w", "-R", "a.pub", &format!("u/{file}")])
            .run_ok();
        let out = kubectl(&format!("u/{file}"));
        assert!(
            out.status.success() && !stdout(&out).contains("aHVudGVyMg=="),
            "{file}: {}",
            stderr(&out)
        );
        std::fs::remove_dir_all(sb.path("u")).unwrap();
    }
}

/// Keys made from a grammar of what YAML 1.1 reads as numbers, booleans and nulls (every base
/// prefix in both cases, signs, underscores, leading zeros, exponents, overflow) and their
/// mutations, each unquoted in a Secret of its own. A fixed sample runs in CI; set
/// `KSEAL_DIFFERENTIAL_CASES` for a larger run.
fn generated_keys(count: usize) -> Vec<String> {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let pick =
        |next: &mut dyn FnMut(u64) -> u64, from: &[&str]| from[next(from.len() as u64) as usize].to_string();
    let mut out: Vec<String> = [
        "true",
        "True",
        "TRUE",
        "yes",
        "Yes",
        "YES",
        "on",
        "On",
        "ON",
        "y",
        "Y",
        "false",
        "no",
        "off",
        "n",
        "N",
        "null",
        "Null",
        "NULL",
        "~",
        ".inf",
        ".Inf",
        "+.inf",
        "-.inf",
        "-.INF",
        ".nan",
        ".NaN",
        "0",
        "-0",
        "+0",
        "00",
        "08",
        "0_8",
        "0o17",
        "0O17",
        "0x1F",
        "0X1F",
        "0b11",
        "0B11",
        "0x",
        "0b",
        "0o",
        "1e",
        "1e3",
        "1E3",
        "1.00000001",
        "99999999999999999999",
        "18446744073709551615",
        "18446744073709551616",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "1_000",
        "0x_1F",
        "1__0",
        "1.5",
        "1.",
        ".5",
        "1_0.5",
        "password",
        "tls.crt",
        "2024-01-01",
        "1.2.3",
        "0.0001",
        "0.00001",
        "100000",
        "1000000",
        "1e5",
        "1e6",
    ]
    .map(String::from)
    .to_vec();
    while out.len() < count {
        let sign = pick(&mut next, &["", "", "", "-", "+"]);
        let digits = |next: &mut dyn FnMut(u64) -> u64, alphabet: &[u8], max: u64| -> String {
            (0..1 + next(max))
                .map(|_| char::from(alphabet[next(alphabet.len() as u64) as usize]))
                .collect()
        };
        let body = match next(7) {
            0 => digits(&mut next, b"0123456789", 22),
            1 => format!("0{}", digits(&mut next, b"01234567889", 8)),
            2 => format!(
                "{}{}",
                pick(&mut next, &["0x", "0X"]),
                digits(&mut next, b"0123456789abcdefABCDEFg", 10)
            ),
            3 => format!(
                "{}{}",
                pick(&mut next, &["0b", "0B"]),
                digits(&mut next, b"0112", 12)
            ),
            4 => format!(
                "{}{}",
                pick(&mut next, &["0o", "0O"]),
                digits(&mut next, b"012345678", 8)
            ),
            5 => format!(
                "{}{}{}",
                digits(&mut next, b"0123456789", 6),
                pick(&mut next, &["", ".", "."]) + &digits(&mut next, b"0123456789", 8),
                pick(&mut next, &["", "", "e", "E", "e-", "e+"]) + &digits(&mut next, b"0123456789", 2)
            ),
            _ => format!(
                ".{}{}",
                digits(&mut next, b"0123456789", 6),
                pick(&mut next, &["", "e1", "e-7", "E+2"])
            ),
        };
        // Mutations: an underscore somewhere, a letter appended.
        let mut key = format!("{sign}{body}");
        if next(5) == 0 && key.len() > 1 {
            let at = 1 + next(key.len() as u64 - 1) as usize;
            key.insert(at, '_');
        }
        if next(12) == 0 {
            key.push('x');
        }
        if !out.contains(&key) {
            out.push(key);
        }
    }
    out
}

/// Issue 36, the differential test: for every generated key, what the real kubectl stores
/// (client-side reading, the same YAML library the API server uses) equals the key kseal reads,
/// or kseal refuses the file (exit 2); and scan reports every Secret kubectl would store. Never a
/// third answer: kseal verifying a value under a key the cluster stores under another name.
#[test]
fn generated_keys_read_as_kubectl_reads_them() {
    let s = require_real_apiserver!();
    let count = std::env::var("KSEAL_DIFFERENTIAL_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let keys = generated_keys(count);
    let sb = crate::real_cluster::admin_in(s, "kubectl-keys");
    // What kubectl stores for each key: `None` when it refuses the Secret. Asked 50 Secrets to a
    // List; a List kubectl refuses as a whole (a null key, a uint64 key) is asked one by one.
    // kubectl prints a List, or one object, or several one after the other: the objects, in order.
    let kubectl = |yaml: &str| -> Option<Vec<serde_json::Value>> {
        sb.write("ask.yaml", yaml);
        kubectl_objects(&sb.path("kc"), &sb.path("ask.yaml"))
    };
    let item = |k: &str| {
        format!("- apiVersion: v1\n  kind: Secret\n  metadata: {{name: one, namespace: kubectl-keys}}\n  data:\n    {k}: dg==\n")
    };
    let first_key = |obj: &serde_json::Value| obj["data"].as_object().and_then(|d| d.keys().next().cloned());
    let mut stored: Vec<Option<String>> = Vec::new();
    for chunk in keys.chunks(50) {
        let list: String = chunk.iter().map(|k| item(k)).collect();
        match kubectl(&format!("apiVersion: v1\nkind: List\nitems:\n{list}")) {
            Some(objects) => stored.extend(objects.iter().map(first_key)),
            None => stored.extend(chunk.iter().map(|k| {
                kubectl(&format!("apiVersion: v1\nkind: List\nitems:\n{}", item(k)))
                    .and_then(|objects| objects.first().and_then(first_key))
            })),
        }
    }
    assert_eq!(stored.len(), keys.len());
    // kseal's reading: the verify the binary runs (in-process here, a few thousand cases in a
    // moment; the binary's own exit codes for these cases are checked above in this module).
    let (mut disagreements, mut refused, mut same) = (Vec::new(), 0, 0);
    for (k, stored) in keys.iter().zip(&stored) {
        let text = format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: one, namespace: kubectl-keys}}\ndata:\n  {k}: dg==\n");
        let at = kseal::Location::file("one.yaml");
        // scan reports every Secret kubectl would store a plaintext value in, whatever the key.
        if stored.is_some() && kseal::scan::scan_bytes("one.yaml", text.as_bytes()).is_empty() {
            disagreements.push(format!("{k}: kubectl stores {stored:?}, scan finds nothing"));
        }
        match kseal::manifest::verify::verify(&text, &at, &Default::default()) {
            Err(_) => refused += 1,
            Ok(problems)
                if stored.as_deref() == Some(k.as_str())
                    && problems.len() == 1
                    && problems[0].location.to_string().contains(&format!("data.{k} ")) =>
            {
                same += 1
            }
            Ok(problems) => disagreements.push(format!(
                "{k}: kubectl stores {stored:?}, kseal reads {problems:?}"
            )),
        }
    }
    eprintln!(
        "measured: {} keys, kubectl stored {same} as written, kseal refused {refused}, disagreements {}",
        keys.len(),
        disagreements.len()
    );
    assert!(disagreements.is_empty(), "{disagreements:#?}");
    assert!(same > 0 && refused > 0);
}

/// Issue 36: a file nested past the parser's recursion limit was skipped by folder walks. Now
/// verify and seal refuse it, naming it (exit 2), and scan still reports the plaintext Secret in
/// its other document.
#[test]
fn a_file_nested_too_deep_is_named_not_skipped() {
    let sb = Sandbox::new();
    let depth = 300;
    sb.write(
        "m/deep.yaml",
        &format!(
            "apiVersion: example.com/v1\nkind: Deep\nmetadata: {{name: d}}\nspec: {}{}\n---\napiVersion: v1\nkind: Secret\nmetadata: {{name: s, namespace: ns}}\nstringData: {{password: hunter2}}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        ),
    );
    for args in [&["verify", "m"][..], &["seal", "-R", "a.pub", "m"][..]] {
        let out = sb.kseal().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("deep.yaml"), "{}", stderr(&out));
    }
    let out = sb
        .kseal()
        .args(["scan", "--worktree", "--format", "json", "m"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("\"line\":9"), "{}", stdout(&out));
}
