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
    let ns = "kubectl-utf16";
    let sb = crate::real_cluster::admin_in(s, ns);
    let text = format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: wide, namespace: {ns}}}\nstringData: {{password: hunter2}}\n");
    let le: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let be: Vec<u8> = [0xfe, 0xff]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
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
            "{file}"
        );
        std::fs::remove_dir_all(sb.path("u")).unwrap();
    }
}
