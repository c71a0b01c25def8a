//! The README's "Quickstart for your own repository", run as written (its first `sh` block, read
//! from README.md, so the test follows the README) in a fresh git repository holding a plaintext
//! Secret: the `cluster init` route against a real kube-apiserver, and the `keygen` route it names
//! for working without a cluster. Afterwards the commit holds the sealed Secret, the rules and the
//! public key, and nothing it should not (no identity, no key backup), `verify` passes and the
//! history scan is clean. (Issue 27: the quickstart's `.gitignore` once let `git add .` commit
//! init's backup.)

use crate::common::*;

const SECRET: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\nstringData:\n  password: quickstart-Pw-91x\n";

/// The quickstart's commands, from README.md.
fn quickstart() -> String {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let section = readme
        .split("## Quickstart for your own repository")
        .nth(1)
        .expect("README has the quickstart");
    let block = section.split("```sh\n").nth(1).unwrap();
    block.split("```").next().unwrap().to_string()
}

/// Runs `script` with bash in a fresh repository with one plaintext Secret; returns the sandbox.
fn run(script: &str, kubeconfig: Option<&std::path::Path>) -> Sandbox {
    let sb = Sandbox::new();
    let d = sb.path("");
    // The sandbox's own TEST ONLY identities stay outside the repository.
    let repo_dir = d.join("repo");
    std::fs::create_dir_all(repo_dir.join("clusters/prod")).unwrap();
    std::fs::write(repo_dir.join("clusters/prod/db.yaml"), SECRET).unwrap();
    git(&repo_dir, &["init", "-q", "-b", "main"]);
    let mut cmd = std::process::Command::new("bash");
    cmd.args(["-euo", "pipefail", "-c", script])
        .current_dir(&repo_dir)
        .env("PATH", path_with_kseal())
        .env("HOME", d)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env_remove("KSEAL_IDENTITY_FILE");
    match kubeconfig {
        Some(k) => cmd.env("KUBECONFIG", k),
        None => cmd.env_remove("KUBECONFIG"),
    };
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "the quickstart failed:\n{script}\n--- stdout\n{}\n--- stderr\n{}",
        stdout(&out),
        stderr(&out)
    );
    sb
}

/// What the quickstart committed: it holds the rules, the public key and the sealed Secret, and no
/// identity or backup; verify passes, the history scan is clean.
fn check_commit(sb: &Sandbox) {
    let repo_dir = sb.path("repo");
    let files = git_command(&repo_dir)
        .args(["ls-tree", "-r", "--name-only", "HEAD"])
        .output()
        .unwrap();
    let files = stdout(&files);
    for want in [
        ".gitignore",
        ".kseal.yaml",
        "keys/prod.pub",
        "clusters/prod/db.yaml",
    ] {
        assert!(files.lines().any(|l| l == want), "{want} not committed:\n{files}");
    }
    for l in files.lines() {
        assert!(
            !l.ends_with(".agekey") && !l.ends_with("kseal-keys-backup.age"),
            "committed {l}:\n{files}"
        );
    }
    let sealed = std::fs::read_to_string(repo_dir.join("clusters/prod/db.yaml")).unwrap();
    assert!(
        sealed.contains("kseal:v3:") && !sealed.contains("quickstart-Pw-91x"),
        "{sealed}"
    );
    let verify = kseal()
        .arg("verify")
        .arg(".")
        .current_dir(&repo_dir)
        .output()
        .unwrap();
    assert!(verify.status.success(), "{}", stderr(&verify));
    let scan = kseal()
        .args(["scan", "--history", "."])
        .current_dir(&repo_dir)
        .output()
        .unwrap();
    assert!(scan.status.success(), "{}{}", stdout(&scan), stderr(&scan));
    // The hook the quickstart installed refuses a plaintext Secret.
    std::fs::write(
        repo_dir.join("clusters/prod/new.yaml"),
        SECRET.replace("db", "new"),
    )
    .unwrap();
    git(&repo_dir, &["add", "clusters/prod/new.yaml"]);
    let refused = git_command(&repo_dir)
        .env("PATH", path_with_kseal())
        .args(["commit", "-q", "-m", "plain"])
        .output()
        .unwrap();
    assert!(!refused.status.success(), "the hook let a plaintext Secret in");
}

#[test]
fn the_quickstart_works_with_keygen_and_no_cluster() {
    require_tools!("git");
    let script = quickstart();
    // The route the README names for working without a cluster, in place of `cluster init`.
    let init = script
        .lines()
        .find(|l| l.starts_with("kseal cluster init"))
        .expect("the quickstart runs cluster init");
    let keygen = script
        .lines()
        .find_map(|l| {
            l.trim_start_matches(['#', ' '])
                .strip_prefix("or, without a cluster: ")
        })
        .expect("the quickstart names the keygen route");
    let sb = run(&script.replace(init, keygen), None);
    check_commit(&sb);
    // The identity keygen wrote is in the work tree, ignored.
    assert!(sb.path("repo/prod.agekey").is_file());
}

#[test]
fn the_quickstart_works_with_cluster_init_on_a_real_apiserver() {
    require_tools!("git");
    let Some(server) = real_apiserver::dedicated() else {
        return;
    };
    let kubeconfig = server.kubeconfig(
        &server.dir.join("quickstart.kubeconfig"),
        real_apiserver::ADMIN_TOKEN,
        None,
    );
    let sb = run(&quickstart(), Some(&kubeconfig));
    check_commit(&sb);
    // init's backup is in the work tree, ignored, and opens with the offline identity the
    // quickstart made first (in HOME, outside the repository).
    assert!(sb.path("repo/kseal-keys-backup.age").is_file());
    require_tools!("age");
    let opened = std::process::Command::new("age")
        .args(["-d", "-i"])
        .arg(sb.path("offline.agekey"))
        .arg(sb.path("repo/kseal-keys-backup.age"))
        .output()
        .unwrap();
    assert!(opened.status.success(), "{}", stderr(&opened));
    assert!(String::from_utf8_lossy(&opened.stdout).contains("AGE-SECRET-KEY-1"));
    let published = server.kubectl(&["get", "configmap", "-n", "kseal", "-o", "name"]);
    assert!(
        stdout(&published).contains("configmap/"),
        "{}",
        stderr(&published)
    );
}
