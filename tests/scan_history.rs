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
    "sh4llow-old",
    "sh4llow-new",
    "sha256-v4lue",
    "repl4ced-leak",
    "sk3wed-value",
    "squ4shed-value",
    "t4g-blob-only",
    "env-v4lue-one",
    "env-v4lue-two",
    "sh4red-user",
    "m0ved-value",
    "helm-l1teral",
    "p4cked-one",
    "p4cked-two",
    "p4cked-branch",
    "p4cked-env",
    "l00se-after-gc",
    "ch4nked-early",
    "ch4nked-late",
];

/// Writes `path` in `dir`, stages everything and commits.
fn commit(dir: &Path, path: &str, content: &str, message: &str) {
    let file = dir.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, content).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

fn rev(dir: &Path, spec: &str) -> String {
    let out = git_command(dir).args(["rev-parse", spec]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).trim().to_string()
}

/// A sandbox holding a fresh repository on branch main.
fn new_repo() -> Sandbox {
    let sb = Sandbox::new();
    git(sb.dir.path(), &["init", "-q", "-b", "main"]);
    sb
}

fn refs_of(finding: &serde_json::Value) -> Vec<&str> {
    finding["refs"]
        .as_array()
        .map(|a| a.iter().filter_map(|r| r.as_str()).collect())
        .unwrap_or_default()
}

fn names(findings: &[serde_json::Value]) -> Vec<String> {
    let mut n: Vec<String> = findings
        .iter()
        .map(|f| f["name"].as_str().unwrap_or("").to_string())
        .collect();
    n.sort();
    n
}

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
    assert_eq!(names(&ranged), ["branch"]);
    let (code, _) = scan_json(d, &["--rev-range", "feature..feature"]);
    assert_eq!(code, 0);
    // Annotated tags at either end are the commits they tag, also a tag of a tag: `main..v1`
    // once scanned nothing and said so with exit 0.
    let (code, ranged) = scan_json(d, &["--rev-range", "main..v1"]);
    assert_eq!(code, 1);
    assert_eq!(names(&ranged), ["tagged"]);
    git(
        d,
        &[
            "-c",
            "advice.nestedTag=false",
            "tag",
            "-a",
            "-m",
            "nested",
            "v1-again",
            "v1",
        ],
    );
    git(d, &["tag", "-a", "-m", "m", "on-main", "main"]);
    let (code, ranged) = scan_json(d, &["--rev-range", "on-main..v1-again"]);
    assert_eq!(code, 1);
    assert_eq!(names(&ranged), ["tagged"]);
    let (code, _) = scan_json(d, &["--rev-range", "v1-again..v1"]);
    assert_eq!(code, 0);
    let out = kseal()
        .args(["scan", "--rev-range", "main..main^{tree}"])
        .arg(d)
        .run_exits(2);
    assert!(
        stderr(&out).contains("is a tree, not a commit"),
        "{}",
        stderr(&out)
    );
    git(d, &["tag", "-d", "v1-again", "on-main"]);
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
    let said = String::from_utf8_lossy(&commit.stderr);
    assert!(said.contains("s.yaml:7: plaintext Secret hist/hooked"));
    // Issue 27: the refusal gives the command and the files, and does not ask to rotate a value
    // that was only staged; the kind after the fingerprint is labelled.
    assert!(
        said.contains("1 plaintext Secret staged (1 key): seal them with `kseal seal -w s.yaml`")
            && said.contains("nothing was committed, so no credential needs rotating")
            && !said.contains("rotate every"),
        "{said}"
    );
    assert!(said.contains(", looks like: password)"), "{said}");
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

/// A shallow clone (`git clone --depth 1`) used to fail with an obscure "object could not be
/// found" and scan nothing. Now: what is there is scanned and reported, the scan says the history
/// is shallow and exits 2; `--allow-incomplete` exits by the findings.
#[test]
fn a_shallow_clone_is_scanned_and_said_to_be_shallow() {
    require_tools!("git");
    let sb = Sandbox::new();
    let origin = sb.path("origin");
    std::fs::create_dir_all(&origin).unwrap();
    git(&origin, &["init", "-q", "-b", "main"]);
    commit(&origin, "old.yaml", &secret("old", "sh4llow-old"), "old leak");
    git(&origin, &["rm", "-q", "old.yaml"]);
    commit(&origin, "new.yaml", &secret("new", "sh4llow-new"), "new leak");
    let url = format!("file://{}", origin.display());
    git(sb.dir.path(), &["clone", "-q", "--depth", "1", &url, "shallow"]);
    let shallow = sb.path("shallow");

    let out = kseal()
        .args(["scan", "--format", "json"])
        .arg(&shallow)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the history is shallow") && err.contains("--unshallow"),
        "{err}"
    );
    let found: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(names(&found), ["new"], "what the clone holds is reported");
    assert!(!err.contains("no plaintext Secrets found"), "{err}");

    let (code, found) = scan_json(&shallow, &["--allow-incomplete"]);
    assert_eq!((code, names(&found)), (1, vec!["new".to_string()]));
    // A range inside the clone never reaches the boundary's parents: complete.
    let (code, _) = scan_json(&shallow, &["--rev-range", "HEAD..HEAD"]);
    assert_eq!(code, 0);
    let (code, found) = scan_json(&origin, &[]);
    assert_eq!(
        (code, names(&found)),
        (1, vec!["new".to_string(), "old".to_string()])
    );
}

/// SHA-256 repositories (`git init --object-format=sha256`) are refused clearly, in every mode:
/// the default mode used to fall back silently to the work tree (missing the deleted Secret), and
/// `--history` said "not a git repository". `--worktree`, asked for, still reads the files.
#[test]
fn a_sha256_repository_is_refused_clearly() {
    require_tools!("git");
    let sb = Sandbox::new();
    let d = sb.dir.path();
    git(d, &["init", "-q", "--object-format=sha256", "-b", "main"]);
    commit(d, "s.yaml", &secret("s", "sha256-v4lue"), "leak");
    git(d, &["rm", "-q", "s.yaml"]);
    commit(d, "README", "x\n", "remove");
    std::fs::create_dir_all(d.join("sub")).unwrap();
    for args in [&[][..], &["--history"][..], &["--staged"][..]] {
        for dir in [d.to_path_buf(), d.join("sub")] {
            let out = kseal().arg("scan").args(args).arg(&dir).output().unwrap();
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(
                err.contains("uses SHA-256 object ids") && err.contains("Nothing was scanned"),
                "{args:?}: {err}"
            );
            assert!(!err.contains("no plaintext Secrets found"), "{err}");
        }
    }
    sb.write("again.yaml", &secret("again", "sha256-v4lue"));
    let (code, found) = scan_json(d, &["--worktree"]);
    assert_eq!((code, names(&found)), (1, vec!["again".to_string()]));
}

/// `git replace` substitutes a clean commit for the one that leaked on every read; the scan
/// ignores replace refs, so the leak is still found, in the replaced commit.
#[test]
fn a_replace_ref_does_not_hide_the_commit_that_leaked() {
    require_tools!("git");
    let sb = new_repo();
    let d = sb.dir.path();
    commit(d, "README", "x\n", "init");
    commit(d, "db.yaml", &secret("db", "repl4ced-leak"), "leak");
    let leaked = rev(d, "HEAD");
    git(d, &["rm", "-q", "db.yaml"]);
    commit(d, "README", "y\n", "remove");
    // A clean stand-in for the leaking commit: same parent, no Secret.
    let parent = rev(d, &format!("{leaked}~1"));
    let tree = rev(d, &format!("{parent}^{{tree}}"));
    let out = git_command(d)
        .args(["commit-tree", &tree, "-p", &parent, "-m", "leak (cleaned)"])
        .output()
        .unwrap();
    let clean = stdout(&out).trim().to_string();
    git(d, &["replace", &leaked, &clean]);
    let log = git_command(d).args(["log", "--format=%s"]).output().unwrap();
    assert!(
        stdout(&log).contains("leak (cleaned)"),
        "git itself now shows the stand-in"
    );

    let (code, found) = scan_json(d, &[]);
    assert_eq!(code, 1);
    assert_eq!(names(&found), ["db"]);
    assert_eq!(found[0]["commit"], leaked.as_str());
    assert!(found[0]["refs"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| !r.as_str().unwrap().starts_with("refs/replace/")));
}

/// A submodule's content is another repository: the scan says it did not scan it.
#[test]
fn submodules_are_said_not_to_be_scanned() {
    require_tools!("git");
    let sb = Sandbox::new();
    let sub = sb.path("sub");
    std::fs::create_dir_all(&sub).unwrap();
    git(&sub, &["init", "-q", "-b", "main"]);
    commit(&sub, "README", "sub\n", "sub");
    let d = sb.path("main");
    std::fs::create_dir_all(&d).unwrap();
    git(&d, &["init", "-q", "-b", "main"]);
    commit(&d, "README", "x\n", "init");
    git(
        &d,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            &format!("file://{}", sub.display()),
            "vendor/lib",
        ],
    );
    git(&d, &["commit", "-q", "-m", "submodule"]);
    for mode in ["--history", "--staged"] {
        let out = kseal().args(["scan", mode]).arg(&d).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("1 submodule(s) not scanned") && stderr(&out).contains("vendor/lib"),
            "{mode}: {}",
            stderr(&out)
        );
    }
}

/// The introducing commit is the first in history order, whatever the clocks say: a parent whose
/// clock ran ahead of its child's, and commits made in the same second as a stash (which used to
/// move a Secret on main to `refs/stash` only).
#[test]
fn the_introducing_commit_follows_history_order_not_timestamps() {
    require_tools!("git");
    let sb = new_repo();
    let d = sb.dir.path();
    commit(d, "README", "x\n", "init");
    // The leak, committed by a machine whose clock is years ahead.
    std::fs::write(d.join("db.yaml"), secret("db", "sk3wed-value")).unwrap();
    git(d, &["add", "."]);
    let skewed = git_command(d)
        .env("GIT_AUTHOR_DATE", "2030-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2030-01-01T00:00:00Z")
        .args(["commit", "-q", "-m", "leak"])
        .output()
        .unwrap();
    assert!(skewed.status.success());
    let leaked = rev(d, "HEAD");
    // Its child, dated correctly (earlier), and a stash in the same second as everything else.
    commit(d, "README", "y\n", "child");
    std::fs::write(d.join("README"), "z\n").unwrap();
    git(d, &["stash", "-q"]);

    let (code, found) = scan_json(d, &[]);
    assert_eq!(code, 1);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["commit"], leaked.as_str());
    assert_eq!(found[0]["date"], "2030-01-01T00:00:00Z");
    assert_eq!(refs_of(&found[0]), ["HEAD", "refs/heads/main", "refs/stash"]);
}

/// A squash merge carries the content to main through another commit; main is among the refs
/// that hold it, though the branch's commit introduced it.
#[test]
fn refs_include_those_that_hold_the_content_through_a_squash_merge() {
    require_tools!("git");
    let sb = new_repo();
    let d = sb.dir.path();
    commit(d, "README", "x\n", "init");
    git(d, &["checkout", "-q", "-b", "feature"]);
    commit(
        d,
        "app/db.yaml",
        &secret("db", "squ4shed-value"),
        "leak on a branch",
    );
    let feature = rev(d, "HEAD");
    git(d, &["checkout", "-q", "main"]);
    commit(d, "other", "o\n", "main moves on");
    git(d, &["merge", "-q", "--squash", "feature"]);
    git(d, &["commit", "-q", "-m", "squashed"]);
    git(d, &["rm", "-q", "app/db.yaml"]);
    git(d, &["commit", "-q", "-m", "removed"]);
    // A PR-style ref holding only the branch.
    git(d, &["update-ref", "refs/pull/1/head", &feature]);
    git(d, &["branch", "-q", "-D", "feature"]);

    let (code, found) = scan_json(d, &[]);
    assert_eq!(code, 1);
    assert_eq!(found.len(), 1, "one finding: the same Secret and value");
    // The branch's commit and the squash commit are both first in history order (neither is
    // the other's ancestor); either may be named, the refs must be the same.
    let squashed = rev(d, "HEAD~1");
    let intro = found[0]["commit"].as_str().unwrap();
    assert!(intro == feature || intro == squashed, "{intro}");
    assert_eq!(found[0]["at_head"], false);
    assert_eq!(
        refs_of(&found[0]),
        ["HEAD", "refs/heads/main", "refs/pull/1/head"]
    );
}

/// Blobs and trees that only a tag reaches (`git tag NAME <blob>`) are read, and the tag named.
#[test]
fn blobs_and_trees_only_a_tag_reaches_are_scanned() {
    require_tools!("git");
    let sb = new_repo();
    let d = sb.dir.path();
    commit(d, "README", "x\n", "init");
    let file = sb.write("loose.yaml", &secret("tagged-blob", "t4g-blob-only"));
    let out = git_command(d)
        .args(["hash-object", "-w"])
        .arg(&file)
        .output()
        .unwrap();
    let blob = stdout(&out).trim().to_string();
    std::fs::remove_file(&file).unwrap();
    git(d, &["tag", "-a", "-m", "a blob", "blob-tag", &blob]);
    // A tree only a lightweight tag reaches, with a name that needs escaping in SARIF.
    let out = git_command(d)
        .args(["mktree"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            writeln!(c.stdin.take().unwrap(), "100644 blob {blob}\tsecret file#1.yaml")?;
            c.wait_with_output()
        })
        .unwrap();
    let tree = stdout(&out).trim().to_string();
    git(d, &["tag", "tree-tag", &tree]);

    let (code, found) = scan_json(d, &[]);
    assert_eq!(code, 1);
    assert_eq!(found.len(), 1, "the same blob, once");
    assert_eq!(found[0]["path"], "refs/tags/blob-tag");
    assert_eq!(found[0]["refs"][0], "refs/tags/blob-tag");
    assert!(found[0].get("commit").is_none());
    // Without the blob tag, the tree's path is reported, percent-encoded in SARIF.
    git(d, &["tag", "-d", "blob-tag"]);
    let (_, found) = scan_json(d, &[]);
    assert_eq!(found[0]["path"], "refs/tags/tree-tag:secret file#1.yaml");
    let out = kseal()
        .args(["scan", "--format", "sarif"])
        .arg(d)
        .output()
        .unwrap();
    let log: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "refs/tags/tree-tag%3Asecret%20file%231.yaml"
    );
}

/// A kustomize env file changed later, its kustomization untouched: every version is read.
#[test]
fn a_generator_env_file_changed_later_is_read_again() {
    require_tools!("git");
    let sb = new_repo();
    let d = sb.dir.path();
    commit(
        d,
        "app/kustomization.yaml",
        "secretGenerator:\n- name: app\n  envs: [app.env]\n",
        "kustomization",
    );
    commit(d, "app/app.env", "PASSWORD=env-v4lue-one\n", "env one");
    let first = rev(d, "HEAD");
    commit(d, "app/app.env", "PASSWORD=env-v4lue-two\n", "env two");
    let second = rev(d, "HEAD");
    let (code, found) = scan_json(d, &[]);
    assert_eq!(code, 1);
    let commits: Vec<&str> = found.iter().map(|f| f["commit"].as_str().unwrap()).collect();
    assert_eq!(commits, [first.as_str(), second.as_str()]);
    assert!(found
        .iter()
        .all(|f| f["name"] == "app" && f["path"] == "app/app.env"));
    let heads: Vec<bool> = found.iter().map(|f| f["at_head"].as_bool().unwrap()).collect();
    assert_eq!(heads, [false, true]);
}

/// "Still at HEAD" compares key and value: a deleted Secret that shares a username with a live one
/// is not at HEAD; a Secret whose file moved is, and HEAD's path is given.
#[test]
fn at_head_compares_key_and_value_and_names_the_current_path() {
    require_tools!("git");
    let sb = new_repo();
    let d = sb.dir.path();
    let two = |name: &str, password: &str| {
        format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: {name}}}\nstringData:\n  username: sh4red-user\n  password: {password}\n")
    };
    commit(d, "old.yaml", &two("old", "deleted-v4lue"), "old");
    git(d, &["rm", "-q", "old.yaml"]);
    commit(d, "live.yaml", &two("live", "first-r0tation"), "live");
    commit(d, "a/moved.yaml", &secret("moved", "m0ved-value"), "to move");
    std::fs::create_dir_all(d.join("b")).unwrap();
    git(d, &["mv", "a/moved.yaml", "b/moved.yaml"]);
    git(d, &["commit", "-q", "-m", "moved"]);
    let (code, found) = scan_json(d, &[]);
    assert_eq!(code, 1);
    let by = |n: &str| found.iter().find(|f| f["name"] == n).unwrap();
    assert_eq!(
        by("old")["at_head"],
        false,
        "only its username is still at HEAD (in live.yaml)"
    );
    assert_eq!(by("old")["keys"][0]["key"], "stringData.username");
    assert_eq!(by("old")["keys"][0]["at_head"], true);
    assert_eq!(by("old")["keys"][1]["at_head"], false);
    assert!(by("old").get("head_path").is_none());
    assert_eq!(by("live")["at_head"], true);
    assert_eq!(by("moved")["at_head"], true);
    assert_eq!(by("moved")["path"], "a/moved.yaml");
    assert_eq!(by("moved")["head_path"], "b/moved.yaml");
    let out = kseal().args(["scan"]).arg(d).output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("still at HEAD in b/moved.yaml"), "{text}");
    assert!(
        text.contains("no longer at HEAD as a whole (HEAD still holds stringData.username)"),
        "{text}"
    );
}

/// Placeholders are reported as their own class and do not fail the scan; a real value beside
/// them does. Committed age identities are found with their public key; a Helm template with a
/// literal value and a file whose other document does not parse are read.
#[test]
fn placeholders_identities_and_templates_in_history() {
    require_tools!("git");
    let sb = new_repo();
    let d = sb.dir.path();
    commit(
        d,
        "chart/values-secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: example}\nstringData:\n  password: changeme\n  token: <REPLACE_ME>\ndata:\n  key: not-base64-at-all\n",
        "placeholders",
    );
    let (code, found) = scan_json(d, &[]);
    assert_eq!(code, 0, "placeholders alone do not fail");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["class"], "placeholder");
    assert_eq!(found[0]["keys"].as_array().unwrap().len(), 3);

    commit(
        d,
        "chart/templates/secret.yaml",
        "{{- if .Values.enabled }}\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ include \"chart.fullname\" . }}\n  labels:\n{{ include \"chart.labels\" . | indent 4 }}\ndata:\n  api-key: aGVsbS1sMXRlcmFs\n  password: {{ .Values.password | b64enc | quote }}\n{{- end }}\n",
        "template",
    );
    commit(
        d,
        "broken-sibling.yaml",
        "apiVersion: v1\nkind: ConfigMap\ndata: {a: [unclosed\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: sibling}\nstringData: {password: sk3wed-value}\n",
        "broken sibling",
    );
    let id = age::x25519::Identity::generate();
    let key = {
        use age::secrecy::ExposeSecret;
        id.to_string().expose_secret().to_string()
    };
    commit(
        d,
        "ops/cluster.agekey",
        &format!("# created: 2024-01-02\n# public key: {}\n{key}\n", id.to_public()),
        "oops",
    );
    let out = kseal()
        .args(["scan", "--format", "json"])
        .arg(d)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!stdout(&out).contains(&key) && !stderr(&out).contains(&key));
    for v in ["helm-l1teral", "sk3wed-value", "changeme", "REPLACE_ME"] {
        assert!(!stdout(&out).contains(v), "{v}");
    }
    let found: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let leak = |path: &str| {
        found
            .iter()
            .find(|f| f["path"] == path && f["class"] == "leak")
            .unwrap_or_else(|| panic!("{path}: {found:?}"))
    };
    let helm = leak("chart/templates/secret.yaml");
    assert_eq!(
        helm["keys"].as_array().unwrap().len(),
        1,
        "the templated value is not a finding"
    );
    assert_eq!(
        (helm["keys"][0]["key"].as_str(), helm["keys"][0]["line"].as_u64()),
        (Some("data.api-key"), Some(9))
    );
    assert_eq!(leak("broken-sibling.yaml")["document"], 2);
    let identity = leak("ops/cluster.agekey");
    assert_eq!(identity["source"], "age-identity");
    assert_eq!(identity["name"], id.to_public().to_string().as_str());
    assert_eq!(identity["line"], 3);
    let text = kseal().args(["scan"]).arg(d).output().unwrap();
    assert!(
        stdout(&text).contains("ops/cluster.agekey:3: age identity (a private key) for age1"),
        "{}",
        stdout(&text)
    );
    assert!(
        stderr(&text).contains("1 Secret(s) with placeholder values"),
        "{}",
        stderr(&text)
    );
}

/// A baseline accepts the values it lists wherever they appear (here the pre-commit hook's
/// `--staged` over the whole index), stops accepting one that changed, is read from
/// `.kseal-baseline.jsonl` by default, and holds nothing derived from a value. Baselines written
/// before fingerprints v2 (8 hex of SHA-256 of the value) still work, with a warning.
#[test]
fn baselines_accept_known_values_everywhere_and_nothing_else() {
    require_tools!("git");
    let sb = new_repo();
    let d = sb.dir.path();
    commit(
        d,
        "legacy/db.yaml",
        &secret("db", "first-r0tation"),
        "accepted leak",
    );
    let out = kseal()
        .args(["scan", "--format", "json"])
        .arg(d)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let baseline = stdout(&out);
    let legacy = {
        use sha2::Digest;
        hex::encode(&sha2::Sha256::digest(b"first-r0tation")[..4])
    };
    assert!(!baseline.contains(&legacy), "no hash of the value in a baseline");
    sb.write("accepted.jsonl", &baseline);

    // History and the staged index (the same file, and a copy elsewhere) with the baseline.
    commit(d, "copy/db.yaml", &secret("db", "first-r0tation"), "copied");
    for mode in ["--history", "--staged", "--worktree"] {
        let out = kseal()
            .args(["scan", mode, "--baseline"])
            .arg(sb.path("accepted.jsonl"))
            .arg(d)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{mode}: {}{}",
            stdout(&out),
            stderr(&out)
        );
    }
    // The default file name at the top of the work tree.
    std::fs::write(d.join(".kseal-baseline.jsonl"), &baseline).unwrap();
    git(d, &["add", ".kseal-baseline.jsonl"]);
    let out = kseal().args(["scan", "--staged"]).arg(d).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // A bare mirror (no work tree) reads the baseline committed at HEAD.
    git(d, &["commit", "-q", "-m", "baseline"]);
    git(
        sb.dir.path(),
        &["clone", "-q", "--bare", d.to_str().unwrap(), "mirror.git"],
    );
    let out = kseal()
        .args(["scan"])
        .arg(sb.path("mirror.git"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    // A new value at the same place is not accepted.
    sb.write("legacy/db.yaml", &secret("db", "second-r0tation"));
    git(d, &["add", "legacy/db.yaml"]);
    let (code, found) = scan_json(d, &["--staged"]);
    assert_eq!((code, found.len()), (1, 1));
    assert_eq!(found[0]["path"], "legacy/db.yaml");
    // A pre-v2 baseline: 8 hex of the value's hash.
    git(d, &["rm", "-q", ".kseal-baseline.jsonl"]);
    git(d, &["checkout", "-q", "legacy/db.yaml"]);
    sb.write("old-baseline.txt", &format!("{legacy}\n"));
    let out = kseal()
        .args(["scan", "--baseline"])
        .arg(sb.path("old-baseline.txt"))
        .arg(d)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stderr(&out).contains("pre-v2 form"), "{}", stderr(&out));
}

/// The packs are read whole, in pack order, and loose objects one by one; neither may change the
/// answer. The same history scanned with loose objects, after `git gc` (deltified packs), with new
/// loose commits on top of the pack, and repacked: the same findings, field for field, in the same order.
#[test]
fn a_packed_history_reads_as_its_loose_objects_did() {
    require_tools!("git");
    let sb = new_repo();
    let d = sb.dir.path();
    // Long files, edited a little each time, so that git deltifies them against each other.
    let padded = |name: &str, value: &str, n: usize| {
        let filler: String = (0..n)
            .map(|i| format!("    # note {i}: nothing to see here\n"))
            .collect();
        format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  annotations:\n    notes: |\n{filler}stringData:\n  password: {value}\n")
    };
    commit(d, "README", "x\n", "init");
    for i in 0..6 {
        commit(d, "app/db.yaml", &padded("db", "p4cked-one", 40 + i), "grow");
    }
    commit(d, "app/db.yaml", &padded("db", "p4cked-two", 46), "rotate");
    commit(
        d,
        "gen/kustomization.yaml",
        "secretGenerator:\n- name: gen\n  envs: [gen.env]\n",
        "kustomization",
    );
    commit(d, "gen/gen.env", "PASSWORD=p4cked-env\n", "env");
    git(d, &["checkout", "-q", "-b", "feature"]);
    commit(
        d,
        "feature/x.yaml",
        &padded("branch", "p4cked-branch", 30),
        "branch leak",
    );
    git(d, &["checkout", "-q", "main"]);
    git(d, &["merge", "-q", "--squash", "feature"]);
    git(d, &["commit", "-q", "-m", "squashed"]);
    git(d, &["rm", "-q", "feature/x.yaml"]);
    git(d, &["commit", "-q", "-m", "removed"]);
    git(d, &["tag", "-a", "-m", "t", "v1", "HEAD~3"]);
    let report = |d: &Path| {
        let (code, findings) = scan_json(d, &[]);
        assert_eq!(code, 1);
        findings
    };
    let loose = report(d);
    assert_eq!(loose.len(), 4, "{loose:?}");

    git(d, &["gc", "-q"]);
    let count = git_command(d).args(["count-objects", "-v"]).output().unwrap();
    assert!(
        stdout(&count).starts_with("count: 0\n"),
        "all packed: {}",
        stdout(&count)
    );
    let verify = git_command(d)
        .args(["verify-pack", "-v"])
        .arg(
            std::fs::read_dir(d.join(".git/objects/pack"))
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .find(|p| p.extension().is_some_and(|e| e == "idx"))
                .unwrap(),
        )
        .output()
        .unwrap();
    assert!(
        stdout(&verify).contains("chain length = 1:"),
        "some blobs are deltas: {}",
        stdout(&verify)
    );
    assert_eq!(report(d), loose, "packed: the same report");
    // ... and read from the pack, deltas included, not looked up one by one.
    let out = kseal()
        .args(["scan", "--format", "json"])
        .arg(d)
        .env("KSEAL_SCAN_PROFILE", "1")
        .output()
        .unwrap();
    let profile = stderr(&out);
    let blobs = stdout(
        &git_command(d)
            .args(["cat-file", "--batch-all-objects", "--batch-check=%(objecttype)"])
            .output()
            .unwrap(),
    )
    .lines()
    .filter(|l| *l == "blob")
    .count();
    let ahead = profile
        .lines()
        .find(|l| l.contains("read ahead"))
        .unwrap_or_default();
    assert!(ahead.contains(&format!(" and {blobs} blobs")), "{profile}");
    assert!(
        !ahead.contains("(0 deltas)") && ahead.ends_with(", 0 loose"),
        "{profile}"
    );
    assert!(profile.contains(" 0 of "), "no blob looked up: {profile}");

    // New loose objects on top of the pack, one with content the pack also has.
    commit(d, "copy/db.yaml", &padded("db", "p4cked-two", 46), "copy");
    commit(d, "late.yaml", &secret("late", "l00se-after-gc"), "after gc");
    let mixed = report(d);
    assert_eq!(mixed.len(), 5, "{mixed:?}");
    git(d, &["repack", "-q", "-adf", "--depth=3", "--window=10"]);
    assert_eq!(report(d), mixed, "repacked: the same report");
}

/// A history long enough for the tree walk to cut into chunks that threads share: the report is
/// the same, byte for byte, with 1 to 4 threads, and each finding is placed at its earliest commit
/// whichever thread walked it.
#[test]
fn a_long_history_reads_the_same_with_any_number_of_threads() {
    require_tools!("git");
    let sb = new_repo();
    let d = sb.dir.path();
    // 6,000 commits through fast-import (seconds, where `git commit` would take minutes): each
    // edits one of 40 files in 8 directories. A Secret appears at commit 2,500 in `a/`, leaves
    // at 2,600 and comes back at 5,500 in `z/` (a later chunk, perhaps another thread's); another
    // appears at 5,900 only on a branch.
    let mut stream = String::new();
    let early = secret("early", "ch4nked-early");
    let late = secret("late", "ch4nked-late");
    let blob = |s: &mut String, path: &str, content: &str| {
        s.push_str(&format!(
            "M 100644 inline {path}\ndata {}\n{content}\n",
            content.len()
        ));
    };
    for i in 1..=6000u32 {
        let branch = if i == 5900 {
            "refs/heads/side"
        } else {
            "refs/heads/main"
        };
        stream.push_str(&format!(
            "commit {branch}\nmark :{i}\ncommitter t <t@example.com> {} +0000\ndata 2\nc\n",
            1_600_000_000 + i
        ));
        if i == 5900 {
            stream.push_str("from :5899\n");
        }
        let edit = format!("n: {i}\n");
        blob(&mut stream, &format!("d{}/f{}.yaml", i % 8, i % 40), &edit);
        match i {
            2500 => blob(&mut stream, "a/db.yaml", &early),
            2600 => stream.push_str("D a/db.yaml\n"),
            5500 => blob(&mut stream, "z/db.yaml", &early),
            5900 => blob(&mut stream, "side/db.yaml", &late),
            _ => {}
        }
    }
    let mut import = git_command(d)
        .args(["fast-import", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    import.stdin.take().unwrap().write_all(stream.as_bytes()).unwrap();
    assert!(import.wait().unwrap().success());
    let raw = |threads: &str| {
        let out = kseal()
            .args(["scan", "--history", "--format", "json", "--threads", threads])
            .arg(d)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        stdout(&out)
    };
    let one = raw("1");
    for threads in ["2", "3", "4"] {
        assert_eq!(raw(threads), one, "--threads {threads}");
    }
    let (code, findings) = scan_json(d, &["--history", "--threads", "3"]);
    assert_eq!(code, 1);
    assert_eq!(names(&findings), ["early", "late"]);
    let early = findings.iter().find(|f| f["name"] == "early").unwrap();
    assert_eq!(early["path"], "a/db.yaml", "first seen at its earliest commit");
    assert_eq!(early["date"], "2020-09-13T13:08:20Z", "commit 2,500's date");
    let late = findings.iter().find(|f| f["name"] == "late").unwrap();
    assert_eq!(refs_of(late), ["refs/heads/side"]);
    let mut refs = refs_of(early);
    refs.sort();
    assert_eq!(refs, ["HEAD", "refs/heads/main", "refs/heads/side"]);
}
