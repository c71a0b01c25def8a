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
