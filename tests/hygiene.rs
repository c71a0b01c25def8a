//! Secret hygiene across every command: with a known plaintext planted in the inputs, run each
//! command's failure paths (and the successful ones that touch plaintext), and check that the value
//! appears in no stderr, in no stdout except a successful `open`'s, and in no file except the
//! inputs that held it and outputs the user named; and that the temp and runtime folders are empty
//! afterwards.

use std::path::Path;

use crate::common::*;

const PLANT: &str = "pl4nt-HyG13ne-9f3a";

fn plain_secret(meta: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n{meta}stringData:\n  password: {PLANT}\ndata:\n  token: {}\n",
        b64(PLANT)
    )
}

struct Run {
    args: Vec<String>,
    stdin: Option<String>,
    editor: Option<&'static str>,
    /// Whether the value may appear on stdout (a successful `open`).
    stdout_may_show: bool,
}

fn run(args: &[&str]) -> Run {
    Run {
        args: args.iter().map(|s| s.to_string()).collect(),
        stdin: None,
        editor: None,
        stdout_may_show: false,
    }
}

/// Files (relative to the sandbox) that contain the planted value, in either form.
fn files_with_plant(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            let bytes = std::fs::read(e.path()).unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes);
            text.contains(PLANT) || text.contains(&b64(PLANT))
        })
        .map(|e| e.path().strip_prefix(dir).unwrap().display().to_string())
        .collect()
}

fn setup() -> Sandbox {
    let sb = Sandbox::new();
    for d in ["tmp", "rt", "home"] {
        std::fs::create_dir(sb.path(d)).unwrap();
    }
    sb.write(
        "plain.yaml",
        &plain_secret("  name: db\n  namespace: prod\n  annotations:\n    kseal.dev/allow-plaintext: \"test fixture\"\n"),
    );
    sb.write("leak.yaml", &plain_secret("  name: leak\n  namespace: prod\n"));
    sb.write(
        "nons.yaml",
        &plain_secret("  name: db\n  annotations:\n    kseal.dev/allow-plaintext: \"test fixture\"\n"),
    );
    sb.write("value.txt", PLANT);
    // The new failure paths of format v2 and one-parse-one-truth, each holding the value.
    let meta =
        "  name: db\n  namespace: prod\n  annotations:\n    kseal.dev/allow-plaintext: \"test fixture\"\n";
    sb.write(
        "alias.yaml",
        &plain_secret(meta).replace(
            &format!("password: {PLANT}"),
            &format!("password: &v {PLANT}\n  again: *v"),
        ),
    );
    sb.write(
        "tagged.yaml",
        &plain_secret(meta).replace(&format!("password: {PLANT}"), &format!("password: !!str {PLANT}")),
    );
    sb.write(
        "damaged.yaml",
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n{meta}stringData:\n  a: \"kseal:{PLANT}\"\n  b: \"kseal:v2:{PLANT}:x\"\n  c: \" kseal:v2:strict:{PLANT}\"\ndata:\n  d: {}\n",
            b64(&format!("kseal:v9:{PLANT}"))
        ),
    );
    sb.write(
        "ssh.pub",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl x\n",
    );
    let sealed = sb.seal("plain.yaml");
    sb.write("sealed.yaml", &sealed);
    // The password's ciphertext altered, the token's intact: open must print nothing at all.
    sb.write("tampered.yaml", &tamper_nth(&sealed, 1));
    std::fs::copy(
        testdata("bad/unreachable.kubeconfig"),
        sb.path("unreachable.kubeconfig"),
    )
    .unwrap();
    for (name, script) in [
        ("fail.sh", "#!/bin/sh\ncp \"$1\" \"$1.bak\"\nexit 1\n"),
        ("invalid.sh", "#!/bin/sh\nprintf 'stringData: [\\n' >> \"$1\"\n"),
        (
            "change.sh",
            "#!/bin/sh\nsed -i 's/password: .*/password: \"n3w-one\"/' \"$1\"\n",
        ),
    ] {
        let p = sb.write(name, script);
        chmod(&p, 0o755);
    }
    sb
}

#[test]
fn no_command_leaks_a_planted_value_on_any_path() {
    require_tools!("gnu-sed");
    let sb = setup();
    // Files allowed to hold the value: the plaintext inputs, and outputs the user named.
    let allowed = [
        "plain.yaml",
        "leak.yaml",
        "nons.yaml",
        "value.txt",
        "opened.yaml",
        "alias.yaml",
        "tagged.yaml",
        "damaged.yaml",
    ];
    let mut runs = vec![
        run(&["seal", "-R", "a.pub", "plain.yaml"]),
        run(&["seal", "-R", "ssh.pub", "plain.yaml"]),
        run(&["seal", "-r", "age1notakey", "plain.yaml"]),
        run(&["seal", "-R", "a.pub", "nons.yaml"]),
        run(&["seal", "-R", "a.pub", "-o", "/proc/kseal-out.yaml", "plain.yaml"]),
        run(&["seal", "-R", "a.pub", "--scope", "namespace", "nons.yaml"]),
        run(&["set", "-R", "a.pub", "sealed.yaml", "nosuch", "password"]),
        run(&["set", "-R", "a.pub", "sealed.yaml", "db", "bad/key"]),
        run(&[
            "set",
            "-R",
            "a.pub",
            "sealed.yaml",
            "db",
            "extra",
            "--from-file",
            "value.txt",
        ]),
        run(&["open", "-i", "b.agekey", "sealed.yaml"]),
        run(&["open", "-i", "a.agekey", "tampered.yaml"]),
        run(&[
            "open",
            "-i",
            "a.agekey",
            "-n",
            "other",
            "nons.yaml",
            "tampered.yaml",
        ]),
        run(&[
            "open",
            "-i",
            "a.agekey",
            "-o",
            "/proc/kseal-out.yaml",
            "sealed.yaml",
        ]),
        run(&["open", "-i", "a.agekey", "-o", "opened.yaml", "sealed.yaml"]),
        run(&["verify", "-R", "a.pub", "plain.yaml", "sealed.yaml"]),
        run(&["verify", "-R", "b.pub", "tampered.yaml"]),
        run(&["reseal", "-i", "b.agekey", "-R", "b.pub", "sealed.yaml"]),
        run(&["reseal", "--check", "-R", "b.pub", "sealed.yaml", "plain.yaml"]),
        run(&["import-sops", "-i", "a.agekey", "-R", "a.pub", "plain.yaml"]),
        run(&["textconv", "sealed.yaml"]),
        run(&["ls", "plain.yaml", "sealed.yaml", "tampered.yaml"]),
        run(&["ls", "--format", "json", "."]),
        run(&["scan", "--worktree", "."]),
        run(&["scan", "--worktree", "--format", "json", "."]),
        run(&["scan", "--worktree", "--format", "sarif", "."]),
        run(&["keygen", "-o", "a.agekey"]),
        run(&[
            "--kubeconfig",
            "unreachable.kubeconfig",
            "apply",
            "-i",
            "b.agekey",
            "sealed.yaml",
        ]),
        run(&[
            "--kubeconfig",
            "unreachable.kubeconfig",
            "apply",
            "-i",
            "a.agekey",
            "sealed.yaml",
        ]),
        run(&[
            "--kubeconfig",
            "unreachable.kubeconfig",
            "apply",
            "--diff",
            "-i",
            "a.agekey",
            "tampered.yaml",
            "plain.yaml",
        ]),
        run(&[
            "--kubeconfig",
            "unreachable.kubeconfig",
            "apply",
            "--dry-run=server",
            "-i",
            "a.agekey",
            "plain.yaml",
        ]),
        run(&[
            "--kubeconfig",
            "unreachable.kubeconfig",
            "cluster",
            "backup",
            "--to",
            "age1x",
            "-o",
            "b.age",
        ]),
    ];
    for file in ["alias.yaml", "tagged.yaml", "damaged.yaml"] {
        runs.push(run(&["seal", "-R", "a.pub", file]));
        runs.push(run(&["open", "-i", "a.agekey", file]));
        runs.push(run(&["verify", "-R", "a.pub", file]));
        runs.push(run(&["reseal", "-i", "a.agekey", "-R", "b.pub", file]));
        runs.push(run(&["ls", file]));
        runs.push(run(&[
            "--kubeconfig",
            "unreachable.kubeconfig",
            "apply",
            "-i",
            "a.agekey",
            file,
        ]));
    }
    let mut stdin_set = run(&["set", "-R", "a.pub", "sealed.yaml", "nosuch", "password"]);
    stdin_set.stdin = Some(PLANT.to_string());
    runs.push(stdin_set);
    let mut piped = run(&["seal", "-R", "a.pub", "-n", "Bad_NS"]);
    piped.stdin = Some(plain_secret("  name: db\n"));
    runs.push(piped);
    let mut opened = run(&["open", "-i", "a.agekey", "sealed.yaml"]);
    opened.stdout_may_show = true;
    runs.push(opened);
    for editor in ["fail.sh", "invalid.sh", "change.sh"] {
        let mut e = run(&["edit", "-i", "a.agekey", "sealed.yaml"]);
        e.editor = Some(editor);
        runs.push(e);
    }

    let mut failures = Vec::new();
    let mut failing_runs = 0;
    for r in &runs {
        let mut cmd = sb.kseal();
        cmd.args(&r.args)
            .env("TMPDIR", sb.path("tmp"))
            .env("XDG_RUNTIME_DIR", sb.path("rt"))
            .env("HOME", sb.path("home"))
            .env_remove("VISUAL")
            .env("NO_COLOR", "1");
        if let Some(ed) = r.editor {
            cmd.env("EDITOR", sb.path(ed));
        }
        cmd.write_stdin(r.stdin.clone().unwrap_or_default());
        let out = cmd.output().unwrap();
        if !out.status.success() {
            failing_runs += 1;
        }
        let label = r.args.join(" ");
        for shown in [PLANT.to_string(), b64(PLANT)] {
            if stderr(&out).contains(&shown) {
                failures.push(format!("{label}: the value is on stderr"));
            }
            if !r.stdout_may_show && stdout(&out).contains(&shown) {
                failures.push(format!("{label}: the value is on stdout"));
            }
        }
        if r.stdout_may_show && !stdout(&out).contains(PLANT) {
            failures.push(format!(
                "{label}: open did not print the value (the check would be vacuous)"
            ));
        }
        for d in ["tmp", "rt"] {
            let left = std::fs::read_dir(sb.path(d)).unwrap().count();
            if left > 0 {
                failures.push(format!("{label}: {left} file(s) left in {d}/"));
            }
        }
        for f in files_with_plant(sb.dir.path()) {
            if !allowed.contains(&f.as_str()) {
                failures.push(format!("{label}: the value was written to {f}"));
            }
        }
    }
    assert!(failing_runs >= 20, "only {failing_runs} failure paths ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The file the user named holds the value, privately.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(sb.path("opened.yaml"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}
