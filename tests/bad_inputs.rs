//! The bad-input catalogue: every `testdata/bad/*.expect` is one case, run on the real binary in
//! a fresh sandbox. A case names its input files, an optional setup, the command line (`{}` is the
//! first input), the exit code and message fragments. For every case, also:
//! - stdout is empty unless the case says otherwise (always for crypto failures);
//! - no planted value (`s3cr3t...`), private key or panic appears on stderr;
//! - every file in the sandbox is byte-identical afterwards, and no file was added (no temp files
//!   left behind, targets untouched).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::*;

#[derive(Debug, Default)]
struct Case {
    name: String,
    /// (path relative to testdata/bad, name in the sandbox)
    inputs: Vec<(String, String)>,
    setup: Option<String>,
    run: Vec<String>,
    exit: i32,
    stderr: Vec<String>,
    stdout: Option<String>,
}

fn load(expect: &Path) -> Case {
    let mut c = Case {
        name: expect.file_stem().unwrap().to_string_lossy().into_owned(),
        ..Case::default()
    };
    for line in std::fs::read_to_string(expect).unwrap().lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (k, v) = line
            .split_once(": ")
            .unwrap_or_else(|| panic!("{}: bad line {line:?}", c.name));
        match k {
            "input" => {
                let (src, dst) = match v.split_once(':') {
                    Some((s, d)) => (s.to_string(), d.to_string()),
                    None => (
                        v.to_string(),
                        Path::new(v).file_name().unwrap().to_string_lossy().into_owned(),
                    ),
                };
                c.inputs.push((src, dst));
            }
            "setup" => c.setup = Some(v.to_string()),
            "run" => c.run = v.split_whitespace().map(String::from).collect(),
            "exit" => c.exit = v.parse().unwrap(),
            "stderr" => c.stderr.push(v.replace("\\n", "\n")),
            "stdout" => c.stdout = Some(v.replace("\\n", "\n")),
            other => panic!("{}: unknown field {other}", c.name),
        }
    }
    assert!(!c.run.is_empty(), "{}: no run line", c.name);
    c
}

/// Every file under `dir` (symlinks not followed) with its bytes; symlinks by their target.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| !e.file_type().is_dir())
        .map(|e| {
            let bytes = if e.file_type().is_symlink() {
                std::fs::read_link(e.path())
                    .unwrap()
                    .into_os_string()
                    .into_encoded_bytes()
            } else {
                std::fs::read(e.path()).unwrap()
            };
            (e.path().strip_prefix(dir).unwrap().to_path_buf(), bytes)
        })
        .collect()
}

fn setup(sb: &Sandbox, case: &Case, cmd: &mut Command) {
    let dir = sb.dir.path();
    match case.setup.as_deref() {
        None => {}
        Some("chmod-600") => {
            for (_, dst) in &case.inputs {
                if !dst.ends_with(".yaml") {
                    chmod(&dir.join(dst), 0o600);
                }
            }
        }
        Some("group-readable-identity") => {
            std::fs::copy(dir.join("a.agekey"), dir.join("group.agekey")).unwrap();
            chmod(&dir.join("group.agekey"), 0o640);
        }
        Some("loose-identity") => {
            std::fs::copy(dir.join("a.agekey"), dir.join("loose.agekey")).unwrap();
            chmod(&dir.join("loose.agekey"), 0o644);
        }
        Some("symlink-loop") => {
            std::fs::create_dir(dir.join("loop")).unwrap();
            std::fs::copy(testdata("bad/plain-ok.yaml"), dir.join("loop/a.yaml")).unwrap();
            std::os::unix::fs::symlink(".", dir.join("loop/self")).unwrap();
        }
        Some("unreadable") => {
            std::os::unix::fs::symlink("/proc/self/mem", dir.join("unreadable.yaml")).unwrap()
        }
        Some("big-file") => {
            // 50 MB: a ConfigMap with one literal block of 1.5 million lines, then a Secret whose
            // last line opens a quote that never closes.
            let mut text = String::with_capacity(52_000_000);
            text.push_str("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: |\n");
            for i in 0..1_499_990 {
                text.push_str(&format!("    line {i:010} of filler text.\n"));
            }
            text.push_str("---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\nstringData:\n  password: \"s3cr3t-never-closed\n");
            assert!(text.len() >= 50_000_000, "{}", text.len());
            std::fs::write(dir.join("big.yaml"), text).unwrap();
        }
        Some("read-only-dir") => {
            // Root ignores file modes, so as root the command runs as `nobody` (see run_case).
            std::fs::create_dir(dir.join("ro")).unwrap();
            for (_, dst) in &case.inputs {
                std::fs::rename(dir.join(dst), dir.join("ro").join(dst)).unwrap();
            }
            chmod(&dir.join("ro"), 0o555);
            chmod(dir, 0o755);
        }
        Some("stdout-dev-full") => {
            cmd.stdout(std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap());
        }
        // What `kseal webhook` reads: a key volume and a serving certificate, so that only the
        // client CA of the case is wrong.
        Some("webhook-files") => {
            std::fs::create_dir(dir.join("keys")).unwrap();
            std::fs::copy(dir.join("a.agekey"), dir.join("keys/a.agekey")).unwrap();
            chmod(&dir.join("keys/a.agekey"), 0o600);
            std::fs::create_dir(dir.join("tls")).unwrap();
            let s = kseal::webhook::certs::generate(&["127.0.0.1".to_string()]).unwrap();
            std::fs::write(dir.join("tls/tls.crt"), &s.cert_pem).unwrap();
            std::fs::write(dir.join("tls/tls.key"), s.key_pem.as_bytes()).unwrap();
            chmod(&dir.join("tls/tls.key"), 0o600);
        }
        // Another user's link in a sticky world-writable folder, to a file of ours (run as root,
        // which may give the link away; see run_case).
        Some("planted-link") => {
            std::fs::create_dir(dir.join("tmp")).unwrap();
            chmod(&dir.join("tmp"), 0o1777);
            std::fs::write(dir.join("mine.txt"), "mine\n").unwrap();
            std::os::unix::fs::symlink(dir.join("mine.txt"), dir.join("tmp/out.yaml")).unwrap();
            std::os::unix::fs::lchown(dir.join("tmp/out.yaml"), Some(65534), Some(65534)).unwrap();
        }
        // No kubeconfig anywhere and not in a Pod: HOME is the sandbox (see run_case).
        Some("no-kubeconfig") => {}
        // Both handled where the command is built: `<&-` closes fd 0 before kseal starts (a
        // missing stdin, not an empty one); stdin-value pipes a value in.
        Some("stdin-closed" | "stdin-value") => {}
        Some(other) => panic!("{}: unknown setup {other}", case.name),
    }
}

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

fn run_case(case: &Case) -> Result<(), String> {
    // Root ignores file modes, so this case runs as `nobody` through setpriv (util-linux).
    if case.setup.as_deref() == Some("read-only-dir") && is_root() && !crate::common::have("setpriv") {
        return Ok(());
    }
    // Giving a link to another user needs root.
    if case.setup.as_deref() == Some("planted-link") && !is_root() {
        return Ok(());
    }
    let sb = Sandbox::new();
    let dir = sb.dir.path();
    for (src, dst) in &case.inputs {
        std::fs::copy(testdata(&format!("bad/{src}")), dir.join(dst))
            .map_err(|e| format!("copy {src}: {e}"))?;
    }
    let first = case.inputs.first().map(|(_, d)| d.clone()).unwrap_or_default();
    // `{secret-a}` is the TEST ONLY secret key of a.agekey, for cases where one is given by mistake.
    let secret_a = std::fs::read_to_string(dir.join("a.agekey")).unwrap();
    let secret_a = secret_a
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .unwrap();
    let args: Vec<String> = case
        .run
        .iter()
        .map(|a| a.replace("{}", &first).replace("{secret-a}", secret_a))
        .collect();
    let bin = assert_cmd::cargo::cargo_bin("kseal");
    let mut cmd = if case.setup.as_deref() == Some("read-only-dir") && is_root() {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&bin)
            .args(&args);
        c
    } else if case.setup.as_deref() == Some("stdin-closed") {
        let mut c = Command::new("sh");
        c.arg("-c").arg("exec \"$0\" \"$@\" <&-").arg(&bin).args(&args);
        c
    } else {
        let mut c = Command::new(&bin);
        c.args(&args);
        c
    };
    cmd.current_dir(dir)
        .env_remove("KSEAL_IDENTITY_FILE")
        .env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if case.setup.as_deref() == Some("stdin-value") {
        cmd.stdin(Stdio::piped());
    } else if case.setup.as_deref() != Some("stdin-closed") {
        cmd.stdin(Stdio::null());
    }
    setup(&sb, case, &mut cmd);
    let before = snapshot(dir);
    let mut child = cmd.spawn().map_err(|e| e.to_string())?;
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        stdin.write_all(b"s3cr3t-new-value").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let (so, se) = (stdout(&out), stderr(&out));
    let mut problems = Vec::new();
    if out.status.code() != Some(case.exit) {
        problems.push(format!("exit {:?}, expected {}", out.status.code(), case.exit));
    }
    for frag in &case.stderr {
        if !se.contains(frag.as_str()) {
            problems.push(format!("stderr lacks {frag:?}"));
        }
    }
    match case.stdout.as_deref() {
        Some("any") => {}
        Some(frag) if !so.contains(frag) => problems.push(format!("stdout lacks {frag:?}")),
        Some(_) => {}
        None if !so.is_empty() => problems.push("stdout is not empty".into()),
        None => {}
    }
    if case.exit == 3 && !so.is_empty() {
        problems.push("a crypto failure printed something on stdout".into());
    }
    for leak in ["s3cr3t", "panicked", "RUST_BACKTRACE"] {
        if se.contains(leak) {
            problems.push(format!("stderr contains {leak:?}"));
        }
    }
    if regex::Regex::new("AGE-SECRET-KEY-1[0-9A-Z]{10}")
        .unwrap()
        .is_match(&se)
    {
        problems.push("stderr shows a private key".into());
    }
    if snapshot(dir) != before {
        problems.push("the sandbox changed (a file was written, changed or left behind)".into());
    }
    if dir.join("ro").exists() {
        chmod(&dir.join("ro"), 0o755); // so that the sandbox can be removed
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: {}\n  stderr: {}",
            case.name,
            problems.join("; "),
            se.trim_end()
        ))
    }
}

#[test]
fn every_case_of_the_bad_input_catalogue_behaves_as_documented() {
    let mut expects: Vec<PathBuf> = std::fs::read_dir(testdata("bad"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "expect"))
        .collect();
    expects.sort();
    assert!(expects.len() >= 40, "only {} cases", expects.len());
    // `KSEAL_BAD_CASE=alias cargo test bad_inputs` runs the cases whose name contains `alias`.
    if let Ok(filter) = std::env::var("KSEAL_BAD_CASE") {
        expects.retain(|p| p.file_stem().unwrap().to_string_lossy().contains(&filter));
        assert!(!expects.is_empty(), "no catalogue case matches {filter:?}");
    }
    let failures: Vec<String> = expects
        .iter()
        .map(|p| run_case(&load(p)))
        .filter_map(Result::err)
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        expects.len(),
        failures.join("\n")
    );
}
