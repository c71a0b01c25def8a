//! The key holder's and the reviewer's commands on the real binary: reseal (key rotation),
//! textconv (reviewable diffs through real git) and ls (inventory).

use crate::common::*;

fn secret(i: usize) -> String {
    format!(
        "# service {i}\napiVersion: v1\nkind: Secret\nmetadata:\n  name: app-{i}\n  namespace: team-{ns}\n  annotations:\n    kseal.dev/allow-plaintext: \"test fixture\"\nstringData:\n  password: rot4te-me-{i}\n  user: svc-{i}   # login\ndata:\n  token: {tok}\n",
        ns = i % 3,
        tok = base64_of(&format!("tok-{i}")),
    )
}

fn base64_of(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// A tree of `n` files sealed to key A, in a sandbox.
fn sealed_tree(n: usize) -> Sandbox {
    let sb = Sandbox::new();
    for i in 0..n {
        sb.write(&format!("tree/d{}/s{i}.yaml", i % 5), &secret(i));
    }
    sb.kseal().args(["seal", "-R", "a.pub", "-w", "tree"]).run_ok();
    sb
}

fn files(sb: &Sandbox, n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            let rel = format!("tree/d{}/s{i}.yaml", i % 5);
            let text = sb.read(&rel);
            (rel, text)
        })
        .collect()
}

#[test]
fn reseal_moves_a_tree_of_50_files_from_key_a_to_key_b_and_a_second_run_changes_nothing() {
    let sb = sealed_tree(50);
    let before = files(&sb, 50);

    let check = sb
        .kseal()
        .args(["reseal", "--check", "-R", "b.pub", "tree"])
        .run_exits(1);
    assert_eq!(stdout(&check).lines().count(), 50);
    assert!(
        stdout(&check).contains("tree/d0/s0.yaml: 3 to reseal, 0 unchanged"),
        "{}",
        stdout(&check)
    );
    assert_eq!(files(&sb, 50), before, "--check wrote a file");

    let out = sb
        .kseal()
        .args(["reseal", "-i", "a.agekey", "-R", "b.pub", "tree"])
        .run_ok();
    assert!(
        stderr(&out).contains("150 values resealed, 0 already"),
        "{}",
        stderr(&out)
    );
    let after = files(&sb, 50);
    let b_kid = kid_of(&sb, "b");
    for ((rel, old), (_, new)) in before.iter().zip(&after) {
        // Only the three value lines differ; every other byte is as it was.
        let changed: Vec<_> = old.lines().zip(new.lines()).filter(|(a, b)| a != b).collect();
        assert_eq!(changed.len(), 3, "{rel}");
        assert_eq!(old.lines().count(), new.lines().count());
        for t in sealed_tokens(new) {
            assert!(
                t.starts_with("kseal:v3:strict:") && t.split(':').nth(4) == Some(b_kid.as_str()),
                "{rel}: {t}"
            );
        }
        assert!(
            new.contains("  user: kseal:v3:") && new.contains("   # login\n"),
            "{new}"
        );
    }

    let open_b = sb.kseal().args(["open", "-i", "b.agekey", "tree"]).run_ok();
    for i in 0..50 {
        assert!(stdout(&open_b).contains(&format!("password: \"rot4te-me-{i}\"")));
    }
    let open_a = sb.kseal().args(["open", "-i", "a.agekey", "tree"]).run_exits(3);
    assert!(stdout(&open_a).is_empty());
    assert!(
        stderr(&open_a).contains("no identity for this value"),
        "{}",
        stderr(&open_a)
    );

    let again = sb
        .kseal()
        .args([
            "reseal", "-i", "a.agekey", "-i", "b.agekey", "-R", "b.pub", "tree",
        ])
        .output()
        .unwrap();
    assert!(again.status.success());
    assert!(
        stderr(&again).contains("0 values resealed, 150 already"),
        "{}",
        stderr(&again)
    );
    assert_eq!(files(&sb, 50), after);
    sb.kseal()
        .args(["reseal", "--check", "-R", "b.pub", "tree"])
        .run_exits(0);
}

fn kid_of(sb: &Sandbox, which: &str) -> String {
    // The kid is the first 4 bytes of SHA-256 of the public key: read it from a value sealed to it.
    sb.write("probe.yaml", &secret(999));
    let sealed = sb
        .kseal()
        .args(["seal", "-R", &format!("{which}.pub"), "probe.yaml"])
        .output()
        .unwrap();
    let t = sealed_tokens(&stdout(&sealed)).remove(0);
    t.split(':').nth(4).unwrap().to_string()
}

#[test]
fn reseal_needs_the_old_key_and_changes_nothing_when_one_value_does_not_open() {
    let sb = sealed_tree(4);
    // One file sealed to B: A cannot open it, so no file may be written.
    sb.write("tree/d9/other.yaml", &secret(77));
    let b = sb
        .kseal()
        .args(["seal", "-R", "b.pub", "-w", "tree/d9/other.yaml"])
        .output()
        .unwrap();
    assert!(b.status.success());
    let before = files(&sb, 4);
    let out = sb
        .kseal()
        .args([
            "reseal",
            "-i",
            "a.agekey",
            "-r",
            &sb.recipient("a"),
            "-R",
            "b.pub",
            "tree",
        ])
        .run_exits(3);
    assert!(stderr(&out).contains("tree/d9/other.yaml: document 1: Secret team-2/app-77: data.token (line 13, column 10): no identity for this value"), "{}", stderr(&out));
    assert_eq!(files(&sb, 4), before);
    assert!(!stderr(&out).contains("rot4te-me"));
}

#[test]
fn textconv_shows_changed_keys_in_git_diff_without_values() {
    require_tools!("git");
    let sb = sealed_tree(1);
    let dir = sb.path("tree");
    git(&dir, &["init", "-q"]);
    std::fs::write(dir.join(".gitattributes"), "*.yaml diff=kseal\n").unwrap();
    let bin = assert_cmd::cargo::cargo_bin("kseal");
    git(
        &dir,
        &[
            "config",
            "diff.kseal.textconv",
            &format!("{} textconv", bin.display()),
        ],
    );
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "sealed"]);

    let original = sb.read("tree/d0/s0.yaml");
    let shown = sb.kseal().args(["textconv", "tree/d0/s0.yaml"]).output().unwrap();
    assert!(shown.status.success());
    let again = sb.kseal().args(["textconv", "tree/d0/s0.yaml"]).output().unwrap();
    assert_eq!(stdout(&shown), stdout(&again), "textconv is not stable");
    assert!(sealed_tokens(&stdout(&shown)).is_empty());
    assert_eq!(stdout(&shown).lines().count(), original.lines().count());

    // Change one value with `set`; the diff names that key and no other.
    let mut set = sb.kseal();
    set.args(["set", "-R", "a.pub", "tree/d0/s0.yaml", "app-0", "password"])
        .write_stdin("n3w-s3cret");
    assert!(set.output().unwrap().status.success());
    let diff = std::process::Command::new("git")
        .args(["diff", "--no-color", "-U0"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let diff = String::from_utf8(diff.stdout).unwrap();
    let changed: Vec<&str> = diff
        .lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-')) && !l.starts_with("+++") && !l.starts_with("---")
        })
        .collect();
    assert_eq!(changed.len(), 2, "{diff}");
    assert!(changed[0].starts_with("-  password: <sealed kid="), "{diff}");
    assert!(changed[1].starts_with("+  password: <sealed kid="), "{diff}");
    assert!(sealed_tokens(&diff).is_empty() && !diff.contains("n3w-s3cret") && !diff.contains("rot4te"));
}

#[test]
fn ls_lists_sealed_secrets_and_filters_by_kid() {
    let sb = sealed_tree(6);
    sb.write("tree/d9/other.yaml", &secret(77));
    sb.kseal()
        .args(["seal", "-R", "b.pub", "-w", "tree/d9/other.yaml"])
        .assert()
        .success();
    sb.write("tree/plain.yaml", &secret(88));
    sb.write(
        "tree/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: b\n",
    );

    let all = sb.kseal().args(["ls", "tree"]).run_ok();
    let text = stdout(&all);
    assert_eq!(text.lines().count(), 1 + 7, "{text}");
    assert!(text.lines().next().unwrap().starts_with("FILE:DOC"));
    assert!(text.contains("team-0/app-0") && text.contains("team-2/app-77"));
    assert!(!text.contains("app-88"), "a plaintext Secret is not a sealed one");

    let b_only = sb
        .kseal()
        .args(["ls", "--kid", &sb.recipient("b"), "--format", "json", "tree"])
        .output()
        .unwrap();
    let lines: Vec<serde_json::Value> = stdout(&b_only)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{}", stdout(&b_only));
    assert_eq!(lines[0]["file"], "tree/d9/other.yaml");
    assert_eq!(lines[0]["name"], "app-77");
    assert_eq!(lines[0]["scopes"], serde_json::json!(["strict"]));
    assert_eq!(
        lines[0]["sealed"],
        serde_json::json!(["data.token", "stringData.password", "stringData.user"])
    );

    let kid = lines[0]["kids"][0].as_str().unwrap().to_string();
    let by_kid = sb.kseal().args(["ls", "--kid", &kid, "tree"]).output().unwrap();
    assert_eq!(stdout(&by_kid).lines().count(), 2);

    // A file that does not parse is reported and skipped, with exit 2.
    sb.write("tree/broken.yaml", "a: [\n");
    let out = sb.kseal().args(["ls", "tree"]).run_exits(2);
    assert!(stderr(&out).contains("tree/broken.yaml"));
    assert_eq!(stdout(&out).lines().count(), 8);
}
