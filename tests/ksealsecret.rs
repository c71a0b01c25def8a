//! Issue 38: the KsealSecret kind (kseal.dev/v1), shaped exactly like a Secret and bound alike,
//! read by every kseal reader; `convert` switches a file between the two kinds.

use crate::common::*;

const PLAIN: &str = "# the shop's database\napiVersion: kseal.dev/v1\nkind: KsealSecret\nmetadata:\n  name: db\n  namespace: shop\n  labels: {app: db}\ntype: Opaque\nstringData:\n  password: ks-hunter2-pw\n";

/// seal, verify, ls, open (to the Secret the controller would make), reseal and scan (work tree,
/// index, history) read a KsealSecret as a Secret.
#[test]
fn every_reader_reads_a_ksealsecret_as_a_secret() {
    require_tools!("git");
    let sb = Sandbox::new();
    git(sb.dir.path(), &["init", "-q", "-b", "main"]);
    sb.write("app/db.yaml", PLAIN);
    // Plaintext in a KsealSecret is a leak in every scan mode, and fails verify.
    for mode in ["--worktree", "--staged", "--history"] {
        if mode == "--staged" {
            git(sb.dir.path(), &["add", "app/db.yaml"]);
        }
        if mode == "--history" {
            git(sb.dir.path(), &["commit", "-qm", "plain"]);
        }
        let out = sb
            .kseal()
            .args(["scan", mode, "--format", "json", "."])
            .run_exits(1);
        assert!(
            stdout(&out).contains("\"name\":\"db\""),
            "{mode}: {}",
            stdout(&out)
        );
        assert!(!stdout(&out).contains("ks-hunter2-pw"));
    }
    sb.kseal().args(["verify", "-R", "a.pub", "app"]).run_exits(1);
    let out = sb.kseal().args(["seal", "-R", "a.pub", "-w", "app"]).run_ok();
    assert!(stderr(&out).contains("sealed 1 value"), "{}", stderr(&out));
    let sealed = sb.read("app/db.yaml");
    assert!(sealed.starts_with("# the shop's database\napiVersion: kseal.dev/v1\nkind: KsealSecret\n"));
    assert_eq!(sealed_tokens(&sealed).len(), 1);
    sb.kseal().args(["verify", "-R", "a.pub", "app"]).run_ok();
    sb.kseal().args(["scan", "--worktree", "app"]).run_ok();
    let ls = stdout(&sb.kseal().args(["ls", "app"]).run_ok());
    assert!(
        ls.contains("shop/db") && ls.contains("stringData.password"),
        "{ls}"
    );
    // Open gives the Secret the controller makes: only apiVersion and kind differ.
    let opened = stdout(
        &sb.kseal()
            .args(["open", "-i", "a.agekey", "app/db.yaml"])
            .run_ok(),
    );
    assert_eq!(
        opened,
        PLAIN
            .replace(
                "apiVersion: kseal.dev/v1\nkind: KsealSecret",
                "apiVersion: v1\nkind: Secret"
            )
            .replace("password: ks-hunter2-pw", "password: \"ks-hunter2-pw\"")
    );
    // Bound as a Secret of the same name: renamed, it does not open.
    sb.write("moved.yaml", &sealed.replace("name: db", "name: other"));
    sb.kseal()
        .args(["open", "-i", "a.agekey", "moved.yaml"])
        .run_exits(3);
    // reseal moves it to key b.
    sb.kseal()
        .args(["reseal", "-w", "-i", "a.agekey", "-R", "b.pub", "app"])
        .run_ok();
    let resealed = sb.read("app/db.yaml");
    assert!(resealed.contains("kind: KsealSecret") && resealed != sealed);
    let opened = stdout(
        &sb.kseal()
            .args(["open", "-i", "b.agekey", "app/db.yaml"])
            .run_ok(),
    );
    assert!(opened.contains("password: \"ks-hunter2-pw\""));
}

/// `convert --to secret` and back gives the file byte for byte; only the two lines differ; the
/// values open the same in both kinds.
#[test]
fn convert_round_trips_byte_for_byte_apart_from_two_lines() {
    let sb = Sandbox::new();
    sb.write("db.yaml", PLAIN);
    sb.kseal().args(["seal", "-R", "a.pub", "-w", "db.yaml"]).run_ok();
    let sealed = sb.read("db.yaml");
    let out = sb
        .kseal()
        .args(["convert", "--to", "secret", "-w", "db.yaml"])
        .run_ok();
    assert!(
        stderr(&out).contains("converted 1 Secret to Secret (v1), in 1 file"),
        "{}",
        stderr(&out)
    );
    let secret = sb.read("db.yaml");
    let differ: Vec<(&str, &str)> = sealed
        .lines()
        .zip(secret.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(
        differ,
        vec![
            ("apiVersion: kseal.dev/v1", "apiVersion: v1"),
            ("kind: KsealSecret", "kind: Secret")
        ]
    );
    let as_secret = stdout(&sb.kseal().args(["open", "-i", "a.agekey", "db.yaml"]).run_ok());
    sb.kseal()
        .args(["convert", "--to", "ksealsecret", "-w", "db.yaml"])
        .run_ok();
    assert_eq!(sb.read("db.yaml"), sealed);
    let as_kseal = stdout(&sb.kseal().args(["open", "-i", "a.agekey", "db.yaml"]).run_ok());
    assert_eq!(as_secret, as_kseal);
    // Converting to the kind a file has changes nothing.
    let out = sb
        .kseal()
        .args(["convert", "--to", "ksealsecret", "db.yaml"])
        .run_ok();
    assert_eq!(stdout(&out), sealed);
}
