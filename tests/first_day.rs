//! Issue 39's first day, as a new user meets it, where no cluster is involved (the cluster's
//! items are in real_cluster.rs and helm_chart.rs, on the real kube-apiserver).

use crate::common::*;

/// A ConfigMap holding `DB_PASSWORD`: `seal` said "nothing to seal" (exit 0) and `verify` passed.
/// Now verify names each credential-named entry (file, document, ConfigMap, key, line:column) and
/// exits 1; seal names them with what to do; neither prints the value. Reference-like keys
/// (`password_file`) and placeholders are not credentials; `kseal:allow` on the line is honoured.
#[test]
fn a_configmap_holding_credentials_fails_verify_and_seal_says_to_move_it() {
    let sb = Sandbox::new();
    sb.write(
        "app/config.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: shop\ndata:\n  LOG_LEVEL: debug\n  DB_PASSWORD: Xk9mQ2vLp8wRt5zq\n  password_file: /etc/app/password\n  api-key: 7f3a9c2e51b84d06a1e9\n  ADMIN_PASSWORD: changeme\n",
    );
    let out = sb.kseal().args(["verify", "-R", "a.pub", "app"]).run_exits(1);
    let report = stdout(&out);
    assert!(
        report
            .contains("app/config.yaml: document 1: ConfigMap shop/app: data.DB_PASSWORD (line 8, column 3)")
            && report.contains("ConfigMap shop/app: data.api-key (line 10, column 3)")
            && report.contains("Move it into a Secret"),
        "{report}"
    );
    assert!(
        !report.contains("password_file") && !report.contains("ADMIN_PASSWORD"),
        "{report}"
    );
    assert!(!report.contains("Xk9mQ2vLp8wRt5zq") && !stderr(&out).contains("Xk9mQ2vLp8wRt5zq"));

    let out = sb.kseal().args(["seal", "-R", "a.pub", "-w", "app"]).run_ok();
    let err = stderr(&out);
    assert!(
        err.contains("ConfigMap shop/app: data.DB_PASSWORD (line 8, column 3)"),
        "{err}"
    );
    assert!(
        err.contains("nothing to seal")
            && err.contains("but 2 ConfigMap entries above look like credentials: move them into a Secret"),
        "{err}"
    );
    assert!(!err.contains("Xk9mQ2vLp8wRt5zq"));

    // Allowed on its line: verify passes.
    sb.write(
        "ok/config.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata:\n  DB_PASSWORD: Xk9mQ2vLp8wRt5zq # kseal:allow\n",
    );
    sb.kseal().args(["verify", "-R", "a.pub", "ok"]).run_ok();
}

/// `text` as a terminal showed it: `script` (util-linux) runs kseal on a pseudo-terminal.
fn on_terminal(sb: &Sandbox, args: &str) -> String {
    let bin = assert_cmd::cargo::cargo_bin("kseal");
    let out = std::process::Command::new("script")
        .args(["-qec", &format!("{} {args}", bin.display()), "/dev/null"])
        .current_dir(sb.dir.path())
        .env_remove("KSEAL_IDENTITY_FILE")
        .env("KSEAL_PROGRESS_AFTER_MS", "0")
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{shown}");
    shown
}

/// The largest `N` of the progress lines `... (N/TOTAL values)` on the terminal.
fn counts_shown(shown: &str, re: &regex::Regex) -> Vec<usize> {
    re.captures_iter(shown).map(|c| c[1].parse().unwrap()).collect()
}

/// Issue 39: progress was per file only, so one file of 200,000 values sealed for 14 s with no
/// sign of life. On a terminal the count now moves within the one file, for seal and open; on a
/// pipe nothing is drawn.
#[test]
fn progress_moves_within_one_large_file_on_a_terminal_only() {
    require_tools!("script");
    let sb = Sandbox::new();
    let mut text =
        String::from("apiVersion: v1\nkind: Secret\nmetadata: {name: big, namespace: n}\nstringData:\n");
    for i in 0..3000 {
        text.push_str(&format!("  k{i}: value-{i}\n"));
    }
    sb.write("big.yaml", &text);
    let shown = on_terminal(&sb, "seal -R a.pub -w big.yaml");
    let re = regex::Regex::new(r"sealing 0/1 files \((\d+)/3000 values\)").unwrap();
    let counts = counts_shown(&shown, &re);
    assert!(
        counts.iter().any(|n| *n > 0 && *n < 3000),
        "no count within the file: {counts:?}\n{shown}"
    );
    assert!(shown.contains("\x1b[Kkseal: sealed 3000 values"), "{shown}");
    let shown = on_terminal(&sb, "open -i a.agekey -o opened.yaml big.yaml");
    let re = regex::Regex::new(r"opening 0/1 files \((\d+)/3000 values\)").unwrap();
    assert!(
        counts_shown(&shown, &re).iter().any(|n| *n > 0 && *n < 3000),
        "{shown}"
    );
    // On a pipe: nothing drawn.
    let out = sb
        .kseal()
        .env("KSEAL_PROGRESS_AFTER_MS", "0")
        .args(["open", "-i", "a.agekey", "big.yaml"])
        .run_ok();
    assert!(
        !stderr(&out).contains("values)") && !stderr(&out).contains('\x1b'),
        "{}",
        stderr(&out)
    );
}
