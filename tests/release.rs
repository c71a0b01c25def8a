//! The release and CI plumbing (issue 39): the workflows' permissions, CI's workflow, and the
//! GitHub Action's script run against a local release archive.

use crate::common::*;
use std::path::Path;
use std::process::Command;

fn run(cmd: &mut Command) -> std::process::Output {
    cmd.output().unwrap()
}

/// The check GitHub makes before a called workflow runs: release.yml's `custom-image` granted
/// `id-token` and `packages` only, while image.yml's jobs ask for `contents`. Today's workflows
/// pass; the release.yml of main before the fix (the `contents` grant removed) fails, naming it.
#[test]
fn reusable_workflow_calls_grant_what_the_called_jobs_ask_for() {
    require_tools!("python3-yaml");
    let sb = Sandbox::new();
    let workflows = sb.path("repo/.github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    for entry in std::fs::read_dir(repo().join(".github/workflows")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), workflows.join(entry.file_name())).unwrap();
    }
    let check = || run(Command::new(repo().join("scripts/check-workflow-permissions")).arg(&workflows));
    let out = check();
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("1 reusable-workflow calls grant"),
        "{}",
        stdout(&out)
    );

    // release.yml as it was: the publish job's grant without `contents`.
    let release = workflows.join("release.yml");
    let text = std::fs::read_to_string(&release).unwrap();
    let call = text.find("uses: ./.github/workflows/image.yml").unwrap();
    let grant = call + text[call..].find("\"contents\": \"write\"\n").unwrap();
    let before = format!(
        "{}{}",
        &text[..grant],
        &text[grant..].replacen("\"contents\": \"write\"\n      ", "", 1)
    );
    std::fs::write(&release, &before).unwrap();
    let out = check();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("job custom-image grants contents: none, but .github/workflows/image.yml job krew asks for contents: write"),
        "{}",
        stderr(&out)
    );
}

/// CI's own workflow runs .ci/run, and its macOS jobs build the two macOS targets dist ships.
#[test]
fn ci_workflow_runs_ci_run_and_builds_the_shipped_macos_targets() {
    let ci = std::fs::read_to_string(repo().join(".github/workflows/ci.yml")).unwrap();
    assert!(ci.contains("bash .ci/run"), "ci.yml does not run .ci/run");
    assert!(
        ci.contains("pull_request:"),
        "ci.yml does not run on pull requests"
    );
    let dist = std::fs::read_to_string(repo().join("dist-workspace.toml")).unwrap();
    let shipped: Vec<&str> = ["x86_64-apple-darwin", "aarch64-apple-darwin"]
        .into_iter()
        .filter(|t| dist.contains(&format!("\"{t}\"")))
        .collect();
    assert_eq!(
        shipped.len(),
        2,
        "dist-workspace.toml no longer ships both macOS targets"
    );
    for t in shipped {
        assert!(ci.contains(&format!("target: {t}")), "ci.yml does not build {t}");
    }
}

/// A release folder as GitHub serves it: `kseal-TARGET.tar.gz` (kseal-TARGET/kseal inside) and
/// its `.sha256`, with the kseal under test in it.
fn local_release(sb: &Sandbox) -> (std::path::PathBuf, String) {
    let target = match std::env::consts::ARCH {
        "x86_64" => "x86_64-unknown-linux-musl",
        _ => "aarch64-unknown-linux-musl",
    };
    let dir = sb.path(&format!("build/kseal-{target}"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(assert_cmd::cargo::cargo_bin("kseal"), dir.join("kseal")).unwrap();
    let release = sb.path("release");
    std::fs::create_dir_all(&release).unwrap();
    let archive = format!("kseal-{target}.tar.gz");
    let status = Command::new("tar")
        .arg("-czf")
        .arg(release.join(&archive))
        .arg("-C")
        .arg(sb.path("build"))
        .arg(format!("kseal-{target}"))
        .status()
        .unwrap();
    assert!(status.success());
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("sha256sum {archive} > {archive}.sha256"))
        .current_dir(&release)
        .status()
        .unwrap();
    assert!(status.success());
    (release, archive)
}

fn action(sb: &Sandbox, step: &str, env: &[(&str, String)]) -> std::process::Output {
    let mut c = Command::new(repo().join("scripts/github-action"));
    c.arg(step)
        .env("RUNNER_TEMP", sb.path("runner-temp"))
        .env("GITHUB_PATH", sb.path("github-path"))
        .env("GITHUB_OUTPUT", sb.path("github-output"))
        .env_remove("INPUT_SHA256");
    for (k, v) in env {
        c.env(k, v);
    }
    run(&mut c)
}

/// The action's install step downloads the archive for this runner from a release folder, checks
/// its SHA-256 and puts kseal on GITHUB_PATH; an archive one byte different is refused and nothing
/// is installed. Its check step, in a repository with a plaintext Secret in history, writes SARIF
/// that the SARIF 2.1.0 schema accepts and the exit codes the result step fails with.
#[test]
fn the_action_installs_a_checked_release_and_writes_valid_sarif() {
    require_tools!("git");
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.path("runner-temp")).unwrap();
    let (release, archive) = local_release(&sb);
    let url = format!("file://{}", release.display());
    let out = action(&sb, "install", &[("INPUT_DOWNLOAD_URL", url.clone())]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let bin_dir = std::fs::read_to_string(sb.path("github-path")).unwrap();
    let installed = Path::new(bin_dir.trim()).join("kseal");
    assert!(stdout(&out).contains("installed kseal"), "{}", stdout(&out));
    let version = run(Command::new(&installed).arg("version"));
    assert!(stdout(&version).contains("sealed value format v3"));

    // A tampered archive: the .sha256 no longer matches.
    std::fs::remove_file(sb.path("github-path")).unwrap();
    let mut bytes = std::fs::read(release.join(&archive)).unwrap();
    bytes.push(b'x');
    std::fs::write(release.join(&archive), &bytes).unwrap();
    let out = action(&sb, "install", &[("INPUT_DOWNLOAD_URL", url.clone())]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stderr(&out).contains("checksum mismatch"), "{}", stderr(&out));
    assert!(
        !installed.exists() && !sb.path("github-path").exists(),
        "a tampered archive was installed"
    );
    // A pinned checksum is checked instead of the release's own file.
    let out = action(
        &sb,
        "install",
        &[("INPUT_DOWNLOAD_URL", url), ("INPUT_SHA256", "0".repeat(64))],
    );
    assert!(
        stderr(&out).contains(&format!("want {}", "0".repeat(64))),
        "{}",
        stderr(&out)
    );

    // check: a repository whose history holds a plaintext Secret.
    let work = sb.path("work");
    std::fs::create_dir_all(&work).unwrap();
    git(&work, &["init", "-q", "-b", "main"]);
    std::fs::write(
        work.join("db.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\nstringData:\n  password: hunter2-but-longer\n",
    )
    .unwrap();
    git(&work, &["add", "."]);
    git(&work, &["commit", "-qm", "db"]);
    let kseal_bin = assert_cmd::cargo::cargo_bin("kseal");
    let mut c = Command::new(repo().join("scripts/github-action"));
    c.arg("check")
        .current_dir(&work)
        .env("KSEAL", &kseal_bin)
        .env("GITHUB_OUTPUT", sb.path("github-output"))
        .env("INPUT_VERIFY", "false")
        .env("INPUT_SARIF_FILE", sb.path("kseal.sarif"));
    let out = run(&mut c);
    assert!(
        out.status.success(),
        "check must not fail before the upload: {}",
        stderr(&out)
    );
    let outputs = std::fs::read_to_string(sb.path("github-output")).unwrap();
    assert!(outputs.contains("scan-exit-code=1\n"), "{outputs}");
    assert!(outputs.contains(&format!("sarif-file={}\n", sb.path("kseal.sarif").display())));
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sb.path("kseal.sarif")).unwrap()).unwrap();
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 1);
    assert!(!std::fs::read_to_string(sb.path("kseal.sarif"))
        .unwrap()
        .contains("hunter2"));
    // result: the worst exit code.
    let out = run(Command::new(repo().join("scripts/github-action"))
        .arg("result")
        .env("VERIFY_EXIT_CODE", "0")
        .env("SCAN_EXIT_CODE", "1"));
    assert_eq!(out.status.code(), Some(1));
    let out = run(Command::new(repo().join("scripts/github-action"))
        .arg("result")
        .env("VERIFY_EXIT_CODE", "0")
        .env("SCAN_EXIT_CODE", "0"));
    assert_eq!(out.status.code(), Some(0));
    // The SARIF 2.1.0 schema, by the reference JSON Schema implementation (last: it needs
    // Python's jsonschema, which Debian's python3 lacks; everything above runs without it).
    require_tools!("python3-jsonschema");
    let valid = run(Command::new("python3")
        .arg("-c")
        .arg(
            "import json, sys, jsonschema\n\
             schema = json.load(open(sys.argv[1]))\n\
             jsonschema.validators.validator_for(schema)(schema).validate(json.load(open(sys.argv[2])))",
        )
        .arg(testdata("sarif/sarif-2.1.0-rtm.5.json"))
        .arg(sb.path("kseal.sarif")));
    assert!(valid.status.success(), "{}", stderr(&valid));
}
