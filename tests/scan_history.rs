//! `kseal scan --history` and `--staged` on throwaway repositories built with the real `git`.

use std::path::Path;

use crate::common::*;

fn secret(name: &str, value: &str) -> String {
    format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: hist\nstringData:\n  password: {value}\n")
}

const VALUES: &[&str] = &[
    "deleted-v4lue",
    "first-r0tation",
    "second-r0tation",
    "branch-0nly",
    "tag-0nly",
    "st4ged-only",
];

fn scan_json(dir: &Path, args: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let out = kseal()
        .arg("scan")
        .args(args)
        .arg("--format")
        .arg("json")
        .arg(dir)
        .output()
        .unwrap();
    for v in VALUES {
        assert!(
            !stdout(&out).contains(v) && !stderr(&out).contains(v),
            "a planted value was printed"
        );
    }
    let findings = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out.status.code().unwrap(), findings)
}

#[test]
fn history_finds_deleted_rotated_branch_and_tag_secrets() {
    require_tools!("git");
    let sb = Sandbox::new();
    let d = sb.dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    sb.write("README", "x\n");
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "init"]);
    // Added then deleted.
    sb.write("old.yaml", &secret("old", "deleted-v4lue"));
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "add old"]);
    git(d, &["rm", "-q", "old.yaml"]);
    git(d, &["commit", "-q", "-m", "remove old"]);
    // Rotated in place: two values, the second still at HEAD.
    sb.write("app/db.yaml", &secret("db", "first-r0tation"));
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "db"]);
    sb.write("app/db.yaml", &secret("db", "second-r0tation"));
    git(d, &["commit", "-q", "-am", "rotate"]);
    // Only on an unmerged branch.
    git(d, &["checkout", "-q", "-b", "feature"]);
    sb.write("feature.json", "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"branch\"},\"stringData\":{\"k\":\"branch-0nly\"}}]}");
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "feature"]);
    git(d, &["checkout", "-q", "main"]);
    // Only in a tag (its commit is on no branch).
    git(d, &["checkout", "-q", "--detach"]);
    sb.write("tagged.yaml", &secret("tagged", "tag-0nly"));
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "tagged"]);
    git(d, &["tag", "-a", "-m", "t", "v1"]);
    git(d, &["checkout", "-q", "main"]);

    let (code, findings) = scan_json(d, &[]);
    assert_eq!(code, 1);
    let by_name =
        |n: &str| -> Vec<&serde_json::Value> { findings.iter().filter(|f| f["name"] == n).collect() };
    let old = by_name("old");
    assert_eq!(old.len(), 1);
    assert_eq!(old[0]["at_head"], false);
    assert_eq!(old[0]["path"], "old.yaml");
    assert_eq!(old[0]["date"], "2024-01-02T03:04:05Z");
    assert_eq!(old[0]["commit"].as_str().unwrap().len(), 40);
    let db = by_name("db");
    assert_eq!(db.len(), 2, "each rotation is its own finding");
    assert_ne!(db[0]["keys"][0]["fingerprint"], db[1]["keys"][0]["fingerprint"]);
    let at_head: Vec<bool> = db.iter().map(|f| f["at_head"].as_bool().unwrap()).collect();
    assert_eq!(at_head.iter().filter(|h| **h).count(), 1);
    assert_eq!(by_name("branch").len(), 1);
    assert_eq!(by_name("branch")[0]["path"], "feature.json");
    assert_eq!(by_name("tagged").len(), 1);
    assert_eq!(findings.len(), 5);

    // Which refs would hand each value to whoever fetches them.
    let refs = |n: &str| -> Vec<String> {
        let mut r: Vec<String> = by_name(n)[0]["refs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        r.sort();
        r
    };
    assert_eq!(refs("branch"), ["refs/heads/feature"]);
    assert_eq!(refs("tagged"), ["refs/tags/v1"]);
    assert_eq!(
        refs("old"),
        ["HEAD", "refs/heads/feature", "refs/heads/main", "refs/tags/v1"]
    );

    // A range scans only what it adds: main..feature is the branch's own commit.
    let (code, ranged) = scan_json(d, &["--rev-range", "main..feature"]);
    assert_eq!(code, 1);
    let names: Vec<&str> = ranged.iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["branch"]);
    let (code, _) = scan_json(d, &["--rev-range", "feature..feature"]);
    assert_eq!(code, 0);
    let out = kseal()
        .args(["scan", "--rev-range", "nope..main"])
        .arg(d)
        .run_exits(2);
    assert!(stderr(&out).contains("cannot resolve `nope`"), "{}", stderr(&out));

    // A blob no commit reaches is read only with --include-unreachable.
    let dangling = sb.write("dangling.yaml", &secret("dangling", "st4ged-only"));
    let out = std::process::Command::new("git")
        .args(["hash-object", "-w"])
        .arg(&dangling)
        .current_dir(d)
        .output()
        .unwrap();
    assert!(out.status.success());
    std::fs::remove_file(&dangling).unwrap();
    let (_, without) = scan_json(d, &[]);
    assert!(without.iter().all(|f| f["name"] != "dangling"));
    let (_, with) = scan_json(d, &["--include-unreachable"]);
    let found: Vec<&serde_json::Value> = with.iter().filter(|f| f["name"] == "dangling").collect();
    assert_eq!(found.len(), 1);
    assert!(found[0]["path"]
        .as_str()
        .unwrap()
        .starts_with("(unreachable blob "));
    assert!(found[0].get("commit").is_none());

    // The work tree (main) only has the current db value.
    let (code, wt) = scan_json(d, &["--worktree"]);
    assert_eq!(code, 1);
    assert_eq!(wt.len(), 1);
}

#[test]
fn staged_reads_the_index_not_the_work_tree() {
    require_tools!("git");
    let sb = Sandbox::new();
    let d = sb.dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    sb.write("s.yaml", &secret("staged", "st4ged-only"));
    git(d, &["add", "s.yaml"]);
    // The work tree copy is fixed after staging; the index still has the plaintext.
    sb.write("s.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
    let (code, findings) = scan_json(d, &["--staged"]);
    assert_eq!(code, 1);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["name"], "staged");
    let (code, _) = scan_json(d, &["--worktree"]);
    assert_eq!(code, 0);
    // Nothing committed yet: history is empty and clean.
    let (code, findings) = scan_json(d, &["--history"]);
    assert_eq!((code, findings.len()), (0, 0));
}

#[test]
fn history_text_output_names_commit_and_head_state() {
    require_tools!("git");
    let sb = Sandbox::new();
    let d = sb.dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    sb.write("a.yaml", &secret("a", "deleted-v4lue"));
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "a"]);
    let out = kseal().arg("scan").arg(d).run_exits(1);
    let text = stdout(&out);
    assert!(text.contains("a.yaml:7: plaintext Secret hist/a"), "{text}");
    assert!(text.contains("(2024-01-02T03:04:05Z), still at HEAD"), "{text}");
}

#[test]
fn hook_install_writes_a_pre_commit_hook_that_blocks_plaintext() {
    require_tools!("git");
    let sb = Sandbox::new();
    let d = sb.dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    sb.kseal().args(["hook", "install"]).run_ok();
    let hook = d.join(".git/hooks/pre-commit");
    let text = std::fs::read_to_string(&hook).unwrap();
    assert!(text.contains("kseal scan --staged"));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&hook).unwrap().permissions().mode() & 0o111,
        0o111
    );
    // Installing again is fine; a different hook is never replaced.
    assert!(sb
        .kseal()
        .args(["hook", "install"])
        .output()
        .unwrap()
        .status
        .success());
    std::fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();
    sb.kseal().args(["hook", "install"]).run_exits(2);
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), "#!/bin/sh\necho mine\n");

    // The installed hook, with this kseal on PATH, refuses a commit staging plaintext.
    std::fs::write(&hook, &text).unwrap();
    sb.write("s.yaml", &secret("hooked", "st4ged-only"));
    git(d, &["add", "s.yaml"]);
    let commit = git_command(d)
        .args(["commit", "-q", "-m", "leak"])
        .env("PATH", path_with_kseal())
        .output()
        .unwrap();
    assert!(
        !commit.status.success(),
        "the hook let a plaintext Secret through"
    );
    // git runs hooks with their stdout sent to its stderr.
    assert!(String::from_utf8_lossy(&commit.stderr).contains("s.yaml:7: plaintext Secret hist/hooked"));
}

#[test]
fn secret_generator_envs_and_files_are_read_where_the_kustomization_is() {
    require_tools!("git");
    let sb = Sandbox::new();
    let d = sb.dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    sb.write(
        "base/kustomization.yaml",
        "secretGenerator:\n- name: gen\n  envs: [app.env]\n  files: [tls.key=../certs/key.pem]\n",
    );
    sb.write("base/app.env", "# settings\nUSER=admin\nPASSWORD=env-pl4nted\n");
    sb.write(
        "certs/key.pem",
        "-----BEGIN PRIVATE KEY-----\nfile-pl4nted\n-----END PRIVATE KEY-----\n",
    );
    git(d, &["add", "."]);
    let check = |args: &[&str]| {
        let out = kseal()
            .arg("scan")
            .args(args)
            .args(["--format", "json"])
            .arg(d)
            .run_exits(1);
        assert!(!stdout(&out).contains("pl4nted"));
        let mut got: Vec<(String, String, String)> = stdout(&out)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .flat_map(|f| {
                let path = f["path"].as_str().unwrap().to_string();
                f["keys"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| {
                        (
                            path.clone(),
                            k["key"].as_str().unwrap().to_string(),
                            k["kind"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("base/app.env".into(), "PASSWORD".into(), "password".into()),
                ("base/app.env".into(), "USER".into(), "".into()),
                ("certs/key.pem".into(), "tls.key".into(), "PEM private key".into()),
            ],
            "{args:?}"
        );
    };
    check(&["--staged"]);
    check(&["--worktree"]);
    git(d, &["commit", "-q", "-m", "kustomize"]);
    check(&["--history"]);
}

/// Regression: `hook install` wrote to `.git/hooks` even when `core.hooksPath` was set, and to the
/// wrong place in a linked worktree; both let a plaintext Secret be committed. It installs where
/// git reads hooks, and the hook says so clearly (and stops the commit) when kseal is not on PATH.
#[test]
fn hook_install_writes_where_git_reads_hooks() {
    require_tools!("git");
    let sb = Sandbox::new();
    let d = sb.dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["config", "core.hooksPath", "team-hooks"]);
    std::fs::create_dir(d.join("sub")).unwrap();
    sb.kseal()
        .args(["hook", "install"])
        .current_dir(d.join("sub"))
        .run_ok();
    assert!(
        d.join("team-hooks/pre-commit").is_file(),
        "not installed where core.hooksPath points"
    );
    assert!(!d.join(".git/hooks/pre-commit").exists());

    // A linked worktree: git reads the main repository's hooks.
    let main = sb.path("main");
    std::fs::create_dir(&main).unwrap();
    git(&main, &["init", "-q", "-b", "main"]);
    git(&main, &["commit", "-q", "--allow-empty", "-m", "root"]);
    git(&main, &["worktree", "add", "-q", "../wt", "-b", "topic"]);
    sb.kseal()
        .args(["hook", "install"])
        .current_dir(sb.path("wt"))
        .run_ok();
    let hook = main.join(".git/hooks/pre-commit");
    assert!(hook.is_file(), "not installed in the main repository's hooks");

    // Without kseal on PATH, the commit is stopped with a message, never waved through.
    std::fs::write(sb.path("wt/s.yaml"), secret("hooked", "n0t-scanned")).unwrap();
    git(&sb.path("wt"), &["add", "s.yaml"]);
    let commit = git_command(&sb.path("wt"))
        .args(["commit", "-q", "-m", "leak"])
        .env("PATH", "/usr/bin:/bin:/usr/local/bin")
        .output()
        .unwrap();
    assert!(!commit.status.success());
    assert!(
        stderr(&commit).contains("kseal is not on PATH"),
        "{}",
        stderr(&commit)
    );
}

/// Regression: a partial clone's missing blobs (and a missing object in the index) were skipped
/// silently and the scan said "no plaintext Secrets found" with exit 0. Now: exit 2, naming what
/// could not be read; `--allow-unreadable` reports the rest with a warning. A full clone of the same
/// history finds the leak.
#[test]
fn a_partial_clone_with_missing_blobs_is_never_an_all_clear() {
    require_tools!("git");
    let sb = Sandbox::new();
    let origin = sb.path("origin");
    std::fs::create_dir_all(&origin).unwrap();
    git(&origin, &["init", "-q", "-b", "main"]);
    std::fs::write(origin.join("old.yaml"), secret("old", "deleted-v4lue")).unwrap();
    git(&origin, &["add", "."]);
    git(&origin, &["commit", "-q", "-m", "leak"]);
    git(&origin, &["rm", "-q", "old.yaml"]);
    std::fs::write(origin.join("README"), "x\n").unwrap();
    git(&origin, &["add", "."]);
    git(&origin, &["commit", "-q", "-m", "remove"]);
    git(sb.dir.path(), &["clone", "-q", "--bare", "origin", "origin.git"]);
    git(
        &sb.path("origin.git"),
        &["config", "uploadpack.allowFilter", "true"],
    );
    let url = format!("file://{}", sb.path("origin.git").display());
    git(
        sb.dir.path(),
        &["clone", "-q", "--filter=blob:none", &url, "partial"],
    );
    git(sb.dir.path(), &["clone", "-q", &url, "full"]);

    let (code, findings) = scan_json(&sb.path("full"), &["--history"]);
    assert_eq!((code, findings.len()), (1, 1), "the full clone finds the leak");

    let out = kseal()
        .args(["scan", "--history"])
        .arg(sb.path("partial"))
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("1 object(s) could not be read")
            && err.contains("old.yaml")
            && err.contains("partial clone"),
        "{err}"
    );
    assert!(!err.contains("no plaintext Secrets found"), "{err}");
    let out = kseal()
        .args(["scan", "--history", "--allow-unreadable"])
        .arg(sb.path("partial"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: 1 object(s) could not be read"),
        "{}",
        stderr(&out)
    );

    // --staged: an index entry whose blob is missing.
    let full = sb.path("full");
    git(
        &full,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            "100644,1111111111111111111111111111111111111111,ghost.yaml",
        ],
    );
    let out = kseal().args(["scan", "--staged"]).arg(&full).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("ghost.yaml"), "{}", stderr(&out));
}
