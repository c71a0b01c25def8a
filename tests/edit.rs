//! `kseal edit` with scripted editors: the merge keeps unchanged ciphertext byte for byte, and the
//! plaintext scratch file never outlives the command, whatever the editor does.

use std::path::Path;

use crate::common::*;

const SECRET: &str = "\
# app credentials
apiVersion: v1
kind: Secret
metadata:
  name: app
  namespace: prod
  annotations:
    kseal.dev/allow-plaintext: \"test fixture\"
stringData:
  password: ed1t-me-0ld   # rotate monthly
  user: admin
  api-token: t0ken-val
data:
  cert: aGVsbG8=
";

/// A sandbox with `s.yaml` sealed to key A, a scratch base folder `rt/`, and the editor script.
fn setup(script: &str) -> Sandbox {
    let sb = Sandbox::new();
    sb.write("plain.yaml", SECRET);
    let sealed = sb.seal("plain.yaml");
    sb.write("s.yaml", &sealed);
    std::fs::create_dir(sb.path("rt")).unwrap();
    let ed = sb.write("ed.sh", &format!("#!/bin/sh\nset -e\n{script}\n"));
    chmod(&ed, 0o755);
    sb
}

fn edit(sb: &Sandbox) -> assert_cmd::Command {
    let mut c = sb.kseal();
    c.args(["edit", "-i", "a.agekey", "s.yaml"])
        .env("XDG_RUNTIME_DIR", sb.path("rt"))
        .env_remove("VISUAL")
        .env("EDITOR", sb.path("ed.sh"));
    c
}

fn assert_scratch_gone(dir: &Path) {
    let left: Vec<_> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn edit_changes_one_key_adds_one_deletes_one_and_the_diff_is_exactly_those_lines() {
    require_tools!("gnu-sed");
    // The editor also records where the scratch file was and its permissions.
    let sb = setup(
        "stat -c '%a %n' \"$1\" \"$(dirname \"$1\")\" > \"$(dirname \"$0\")/seen\"\n\
         sed -i -e 's/password: \"ed1t-me-0ld\"/password: \"ed1t-me-n3w\"/' -e '/  user:/d' \
         -e 's/^data:/  added: \"fr3sh-one\"\\ndata:/' \"$1\"",
    );
    let before = sb.read("s.yaml");
    let out = edit(&sb).run_ok();
    assert!(
        stderr(&out).contains("2 values sealed, 2 unchanged"),
        "{}",
        stderr(&out)
    );
    let after = sb.read("s.yaml");

    let old: Vec<&str> = before.lines().collect();
    let new: Vec<&str> = after.lines().collect();
    let removed: Vec<&&str> = old.iter().filter(|l| !new.contains(l)).collect();
    let added: Vec<&&str> = new.iter().filter(|l| !old.contains(l)).collect();
    assert_eq!(removed.len(), 2, "{removed:?}");
    assert!(
        removed[0].starts_with("  password: kseal:v3:strict:") && removed[0].ends_with("   # rotate monthly")
    );
    assert!(removed[1].starts_with("  user: kseal:v3:"));
    assert_eq!(added.len(), 2, "{added:?}");
    assert!(
        added[0].starts_with("  password: kseal:v3:strict:") && added[0].ends_with("   # rotate monthly")
    );
    assert!(added[1].starts_with("  added: kseal:v3:strict:"));
    // Everything else, including the unchanged ciphertexts, is byte-identical and in order.
    let kept_old: Vec<&&str> = old.iter().filter(|l| new.contains(l)).collect();
    let kept_new: Vec<&&str> = new.iter().filter(|l| old.contains(l)).collect();
    assert_eq!(kept_old, kept_new);
    assert_eq!(new.len(), old.len());

    let opened = sb
        .kseal()
        .args(["open", "-i", "a.agekey", "s.yaml"])
        .output()
        .unwrap();
    let text = stdout(&opened);
    assert!(text.contains("password: \"ed1t-me-n3w\"") && text.contains("added: \"fr3sh-one\""));
    assert!(text.contains("api-token: \"t0ken-val\"") && !text.contains("user:"));

    let seen = sb.read("seen");
    let rt = sb.path("rt").display().to_string();
    let mut lines = seen.lines();
    let file_line = lines.next().unwrap();
    assert!(
        file_line.starts_with(&format!("600 {rt}/kseal-edit-")) && file_line.ends_with("/s.yaml"),
        "{seen}"
    );
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with(&format!("700 {rt}/kseal-edit-")),
        "{seen}"
    );
    assert_scratch_gone(&sb.path("rt"));
    for secret in ["ed1t-me", "fr3sh-one", "t0ken-val", "admin"] {
        assert!(!stderr(&out).contains(secret) && !stdout(&out).contains(secret));
    }
}

#[test]
fn a_failing_editor_leaves_the_file_byte_identical_and_no_scratch_file() {
    require_tools!("gnu-sed");
    let sb = setup("sed -i 's/ed1t-me-0ld/changed/' \"$1\"\nexit 1");
    let before = sb.read("s.yaml");
    let out = edit(&sb).run_exits(2);
    assert!(
        stderr(&out).contains("the editor exited with exit status: 1; s.yaml is unchanged"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sb.read("s.yaml"), before);
    assert_scratch_gone(&sb.path("rt"));
}

#[test]
fn an_editor_killed_by_a_signal_leaves_everything_as_it_was() {
    require_tools!("gnu-sed");
    let sb = setup("sed -i 's/ed1t-me-0ld/changed/' \"$1\"\nkill -INT $$\nsleep 5");
    let before = sb.read("s.yaml");
    let out = edit(&sb).run_exits(2);
    assert!(stderr(&out).contains("s.yaml is unchanged"));
    assert_eq!(sb.read("s.yaml"), before);
    assert_scratch_gone(&sb.path("rt"));
}

/// Sends `signal` to kseal while the editor runs; kseal must abort, wipe the scratch folder and
/// leave the file as it was.
fn signal_to_kseal_while_the_editor_runs(signal: &str) {
    require_tools!("gnu-sed");
    let sb = setup("sed -i 's/ed1t-me-0ld/changed/' \"$1\"\ntouch \"$(dirname \"$0\")/started\"\nsleep 1");
    let before = sb.read("s.yaml");
    let bin = assert_cmd::cargo::cargo_bin("kseal");
    let child = std::process::Command::new(bin)
        .args(["edit", "-i", "a.agekey", "s.yaml"])
        .current_dir(sb.dir.path())
        .env("XDG_RUNTIME_DIR", sb.path("rt"))
        .env_remove("VISUAL")
        .env_remove("KSEAL_IDENTITY_FILE")
        .env("EDITOR", sb.path("ed.sh"))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while !sb.path("started").exists() {
        assert!(started.elapsed().as_secs() < 20, "the editor never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // The shell's builtin kill: no procps needed.
    let kill = std::process::Command::new("sh")
        .args(["-c", &format!("kill -{signal} {}", child.id())])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2), "SIG{signal}: {}", stderr(&out));
    assert!(
        stderr(&out).contains("interrupted; s.yaml is unchanged"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sb.read("s.yaml"), before);
    assert_scratch_gone(&sb.path("rt"));
    assert!(!sb.path("core").exists(), "SIG{signal} left a core file");
}

#[test]
fn sigterm_to_kseal_while_the_editor_runs_aborts_and_wipes_the_scratch_file() {
    signal_to_kseal_while_the_editor_runs("TERM");
}

/// SIGQUIT's default action is a core dump holding the key and the plaintext: kseal handles it as
/// it handles SIGTERM (regression: it used to dump core and leave the scratch file).
#[test]
fn sigquit_to_kseal_is_handled_like_sigterm() {
    signal_to_kseal_while_the_editor_runs("QUIT");
}

/// Every kseal process runs with RLIMIT_CORE 0, inherited by the editor it starts.
#[test]
fn kseal_and_its_editor_run_without_core_dumps() {
    let sb = setup("grep 'Max core file size' /proc/self/limits > \"$(dirname \"$0\")/limits\"");
    edit(&sb).run_ok();
    let limits = sb.read("limits");
    let fields: Vec<&str> = limits.split_whitespace().collect();
    assert_eq!(&fields[4..6], ["0", "0"], "{limits}");
}

/// A scratch folder left by a kseal that was killed outright (its pid gone) holds plaintext: the
/// next edit wipes it. A folder of a running process is left alone.
#[test]
fn the_next_edit_wipes_scratch_folders_of_dead_edits() {
    let sb = setup("true");
    // A pid that cannot be running (above the kernel's pid_max limit of 2^22).
    let dead = sb.path("rt/kseal-edit-9999999-abcdef");
    std::fs::create_dir(&dead).unwrap();
    std::fs::write(dead.join("s.yaml"), "stringData:\n  password: ed1t-me-0ld\n").unwrap();
    let alive = sb.path(&format!("rt/kseal-edit-{}-abcdef", std::process::id()));
    std::fs::create_dir(&alive).unwrap();
    edit(&sb).run_ok();
    assert!(!dead.exists(), "the dead edit's scratch folder is still there");
    assert!(alive.exists(), "a live process's folder was removed");
    std::fs::remove_dir(&alive).unwrap();
    assert_scratch_gone(&sb.path("rt"));
}

#[test]
fn invalid_edited_text_is_reported_with_its_position_and_changes_nothing() {
    require_tools!("gnu-sed");
    let sb = setup("sed -i 's/^  user: \"admin\"/  user: [unclosed/' \"$1\"");
    let before = sb.read("s.yaml");
    let out = edit(&sb).run_exits(2);
    let err = stderr(&out);
    assert!(
        err.contains("s.yaml (edited): ") && err.contains("(line "),
        "{err}"
    );
    assert!(err.contains("s.yaml is unchanged"), "{err}");
    assert!(!err.contains("ed1t-me") && !err.contains("admin"), "{err}");
    assert_eq!(sb.read("s.yaml"), before);
    assert_scratch_gone(&sb.path("rt"));

    // Bad base64 under data: named by Secret and key.
    let sb = setup("sed -i 's/^  cert: .*/  cert: \"not base64!\"/' \"$1\"");
    let out = edit(&sb).run_exits(2);
    assert!(
        stderr(&out).contains("s.yaml (edited): document 1: Secret prod/app: data.cert"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn no_change_leaves_the_file_as_it_was() {
    let sb = setup("true");
    let before = sb.read("s.yaml");
    let out = edit(&sb).output().unwrap();
    assert!(out.status.success());
    assert!(stderr(&out).contains("no changes"));
    assert_eq!(sb.read("s.yaml"), before);
    assert_scratch_gone(&sb.path("rt"));
}

#[test]
fn without_recipients_new_values_go_to_the_keys_the_file_already_uses() {
    require_tools!("gnu-sed");
    // No -r and no .kseal.yaml: the file is sealed to A only and we hold A, so A is used.
    let sb = setup("sed -i 's/ed1t-me-0ld/n3w/' \"$1\"");
    edit(&sb).run_ok();
    // Holding B as well changes nothing: only the keys the file uses are candidates.
    let ed = sb.write("ed.sh", "#!/bin/sh\nsed -i 's/n3w/n4w/' \"$1\"\n");
    chmod(&ed, 0o755);
    let out = edit(&sb).args(["-i", "b.agekey"]).run_ok();
    assert!(stderr(&out).contains("1 value sealed"), "{}", stderr(&out));
    let ls = sb
        .kseal()
        .args(["ls", "--format", "json", "s.yaml"])
        .output()
        .unwrap();
    assert!(stdout(&ls).contains("\"kids\":[\"1f5a2189\"]"), "{}", stdout(&ls));
}

/// On a terminal, invalid edited text is reported and the editor opens again on the same text.
/// `script` (util-linux) gives kseal a pseudo-terminal; the answer `y` comes through it.
#[test]
fn on_a_terminal_invalid_text_offers_to_edit_again() {
    require_tools!("gnu-sed", "script");
    let sb = setup(
        "n=$(cat \"$(dirname \"$0\")/count\" 2>/dev/null || echo 0); n=$((n+1)); echo $n > \"$(dirname \"$0\")/count\"\n\
         if [ $n = 1 ]; then printf 'stringData: [\\n' >> \"$1\"; else sed -i '$d' \"$1\"; sed -i 's/ed1t-me-0ld/f1xed/' \"$1\"; fi",
    );
    let bin = assert_cmd::cargo::cargo_bin("kseal");
    let out = std::process::Command::new("script")
        .args([
            "-qec",
            &format!("{} edit -i a.agekey s.yaml", bin.display()),
            "/dev/null",
        ])
        .current_dir(sb.dir.path())
        .env("XDG_RUNTIME_DIR", sb.path("rt"))
        .env_remove("VISUAL")
        .env_remove("KSEAL_IDENTITY_FILE")
        .env("EDITOR", sb.path("ed.sh"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(b"y\n")?;
            child.wait_with_output()
        })
        .expect("script (util-linux) runs");
    let shown = format!("{}{}", stdout(&out), stderr(&out));
    assert!(out.status.success(), "{shown}");
    assert!(
        shown.contains("s.yaml (edited): (line") && shown.contains("Edit again? [Y/n]"),
        "{shown}"
    );
    assert_eq!(sb.read("count").trim(), "2", "the editor ran twice");
    let opened = sb
        .kseal()
        .args(["open", "-i", "a.agekey", "s.yaml"])
        .output()
        .unwrap();
    assert!(
        stdout(&opened).contains("password: \"f1xed\""),
        "{}",
        stdout(&opened)
    );
    assert_scratch_gone(&sb.path("rt"));
    assert!(!shown.contains("ed1t-me") && !shown.contains("f1xed"));
}

/// `seal`, `open` and `verify` with no path on a terminal explain instead of waiting for a manifest
/// to be typed. `script` (util-linux) gives kseal a real pseudo-terminal.
#[test]
fn no_path_on_a_terminal_explains_instead_of_waiting() {
    require_tools!("script");
    let sb = Sandbox::new();
    let bin = assert_cmd::cargo::cargo_bin("kseal");
    for cmd in ["seal -R a.pub", "open -i a.agekey", "verify"] {
        let out = std::process::Command::new("timeout")
            .args([
                "10",
                "script",
                "-qec",
                &format!("{} {cmd}", bin.display()),
                "/dev/null",
            ])
            .current_dir(sb.dir.path())
            .env_remove("KSEAL_IDENTITY_FILE")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let text = stdout(&out);
        assert!(text.contains("no input: name files or folders"), "{cmd}: {text}");
    }
}

/// Regression: `set` on a terminal echoed the value and stored the Enter key's line break. On a
/// real pseudo-terminal, it now reads one line without echo and stores exactly what was typed.
#[test]
fn set_on_a_terminal_hides_the_value_and_drops_the_line_break() {
    require_tools!("script");
    let sb = setup("true");
    let bin = assert_cmd::cargo::cargo_bin("kseal");
    let mut child = std::process::Command::new("script")
        .args([
            "-qec",
            &format!("{} set -R a.pub s.yaml app typed", bin.display()),
            "/dev/null",
        ])
        .current_dir(sb.dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"t3rm-v4lue\n").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let screen = stdout(&out);
    assert!(screen.contains("(not shown)"), "{screen}");
    assert!(!screen.contains("t3rm-v4lue"), "the value was echoed: {screen}");
    let opened = sb.kseal().args(["open", "-i", "a.agekey", "s.yaml"]).run_ok();
    // Under data (the Secret has a data field): the base64 of exactly the typed characters.
    assert!(
        stdout(&opened).contains(&format!("typed: \"{}\"", b64("t3rm-v4lue"))),
        "{}",
        stdout(&opened)
    );
}
