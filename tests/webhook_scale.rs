//! The admission path at production scale (issue 35), on the real kube-apiserver 1.36 with the
//! shipped `deploy/webhook/webhook.yaml`: its `matchConditions` and ValidatingAdmissionPolicy run
//! on every Secret written in the cluster, so the largest Secrets etcd accepts (a 900 KB value,
//! 20,000 keys, Helm's release Secret of a large chart) must stay within the API server's CEL
//! budget, in a namespace the webhook covers and in one it skips (the policy alone); and a sealed
//! value behind 900 KB of other data is still opened, or refused when the webhook is down.

use std::process::Command;
use std::time::Instant;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

use crate::common::*;
use crate::real_cluster::admin_in;
use crate::webhook::{admission_objects, setup, wait_for};

/// Bytes that look like what Secrets hold at scale (keys, certificates, gzip): no pattern, so
/// every branch of the gate is taken somewhere and nothing compresses.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn secret(ns: &str, name: &str, data: serde_json::Map<String, Value>) -> String {
    json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": ns}, "data": data})
        .to_string()
}

/// One 900,000-byte value.
fn large_value(ns: &str, name: &str) -> String {
    let mut data = serde_json::Map::new();
    data.insert("blob".into(), json!(STANDARD.encode(noise(7, 900_000))));
    secret(ns, name, data)
}

/// 20,000 keys of 16 random bytes: about one in six passes the gate and is matched.
fn many_keys(ns: &str, name: &str) -> String {
    let bytes = noise(11, 20_000 * 16);
    let data = bytes
        .chunks(16)
        .enumerate()
        .map(|(i, c)| (format!("k{i:05}"), json!(STANDARD.encode(c))))
        .collect();
    secret(ns, name, data)
}

/// `kubectl create -f FILE` of `manifest` as the admin; the output and the seconds it took.
fn create(sb: &Sandbox, file: &str, manifest: &str) -> (std::process::Output, f64) {
    sb.write(file, manifest);
    let started = Instant::now();
    let out = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(sb.path("kc"))
        .args(["create", "-o", "name", "-f"])
        .arg(sb.path(file))
        .output()
        .unwrap();
    (out, started.elapsed().as_secs_f64())
}

/// The policy and its binding alone, for a namespace the webhook skips (as kube-system and kseal
/// are in the shipped configuration).
fn policy_only(s: &crate::common::real_apiserver::RealApiServer, ns: &str) {
    for o in admission_objects(ns, "https://127.0.0.1:9/unused", "unused") {
        if o["kind"] != "MutatingWebhookConfiguration" {
            s.admin_apply(&o.to_string());
        }
    }
}

#[test]
fn the_largest_secrets_are_admitted_and_a_sealed_value_behind_900_kb_is_opened() {
    let s = require_real_apiserver!();
    let mut t = setup(s, "wh-scale");
    let skip = "wh-scale-skip";
    let skipped = admin_in(s, skip);
    policy_only(s, skip);
    // The policy is in force once it refuses a sealed value in the skipped namespace.
    t.seal("probe.yaml", "probe", &[("k", "v")], "a.pub");
    let probe = std::fs::read_to_string(t.sb.path("probe.yaml"))
        .unwrap()
        .replace("namespace: wh-scale\n", &format!("namespace: {skip}\n"));
    skipped.write("probe.yaml", &probe);
    wait_for("the policy to refuse in the skipped namespace", || {
        let out = Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(skipped.path("kc"))
            .args(["create", "--dry-run=server", "-f"])
            .arg(skipped.path("probe.yaml"))
            .output()
            .unwrap();
        if stderr(&out).contains("still holds a sealed kseal value") {
            Ok(())
        } else {
            Err(format!("{}{}", stdout(&out), stderr(&out)))
        }
    });

    for ns in [t.ns.as_str(), skip] {
        for (name, manifest) in [
            ("large", large_value(ns, "large")),
            ("many", many_keys(ns, "many")),
        ] {
            let (out, secs) = create(&t.sb, &format!("{name}-{ns}.json"), &manifest);
            eprintln!("measured: {name} Secret in {ns}: {secs:.2} s");
            assert!(
                out.status.success(),
                "the {name} Secret was refused in {ns}: {}",
                stderr(&out)
            );
        }
    }

    // One sealed value as the last key, behind 900 KB of other data: opened.
    let sealed = |name: &str| -> String {
        t.seal("one.yaml", name, &[("password", "hunter2")], "a.pub");
        let doc: Value =
            serde_saphyr::from_str(&std::fs::read_to_string(t.sb.path("one.yaml")).unwrap()).unwrap();
        doc["stringData"]["password"].as_str().unwrap().to_string()
    };
    let behind = |ns: &str, name: &str, sealed: &str| {
        let mut data = serde_json::Map::new();
        data.insert("blob".into(), json!(STANDARD.encode(noise(13, 900_000))));
        data.insert("password".into(), json!(STANDARD.encode(sealed)));
        secret(ns, name, data)
    };
    let (out, secs) = create(&t.sb, "behind.json", &behind(&t.ns, "behind", &sealed("behind")));
    eprintln!("measured: 900 KB Secret with one sealed value, opened: {secs:.2} s");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(t.value(s, "behind", "password"), "hunter2");

    // With the webhook down: refused by the webhook's failurePolicy where it is configured, by
    // the policy where it is not; never stored sealed.
    let down = sealed("behind-down");
    assert!(t.hook.stop());
    let (out, _) = create(&t.sb, "down.json", &behind(&t.ns, "behind-down", &down));
    assert!(
        !out.status.success() && stderr(&out).contains("secrets.kseal.dev"),
        "{}",
        stderr(&out)
    );
    let (out, _) = create(&t.sb, "down-skip.json", &behind(skip, "behind-down", &down));
    assert!(
        !out.status.success() && stderr(&out).contains("still holds a sealed kseal value"),
        "{}",
        stderr(&out)
    );
    for ns in [t.ns.as_str(), skip] {
        let out = s.kubectl(&["get", "secret", "behind-down", "-n", ns]);
        assert!(!out.status.success(), "a sealed value was stored in {ns}");
    }
}

/// Helm keeps each release in a Secret (`sh.helm.release.v1.NAME.v1`, the chart's rendered
/// manifests gzipped): a chart with one large ConfigMap writes one of over 500 KB, which the
/// expressions used to cancel. Installed in a namespace the webhook covers and in one it skips.
#[test]
fn helm_installs_a_chart_whose_release_secret_is_over_500_kb() {
    require_tools!("helm");
    let s = require_real_apiserver!();
    let t = setup(s, "wh-helm");
    let skip = "wh-helm-skip";
    let _skipped = admin_in(s, skip);
    policy_only(s, skip);
    let chart = t.sb.path("chart");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: large\nversion: 0.1.0\n",
    )
    .unwrap();
    // Random base64 text: gzip keeps about three quarters of it.
    std::fs::write(
        chart.join("templates/configmap.yaml"),
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: large\ndata:\n  blob: {}\n",
            STANDARD.encode(noise(17, 250_000))
        ),
    )
    .unwrap();
    for ns in [t.ns.as_str(), skip] {
        let started = Instant::now();
        let out = Command::new("helm")
            .arg("--kubeconfig")
            .arg(t.sb.path("kc"))
            .args(["install", "large", "-n", ns])
            .arg(&chart)
            .output()
            .unwrap();
        eprintln!(
            "measured: helm install in {ns}: {:.2} s",
            started.elapsed().as_secs_f64()
        );
        assert!(out.status.success(), "helm install in {ns}: {}", stderr(&out));
        let release =
            crate::real_cluster::field(s, ns, "secret/sh.helm.release.v1.large.v1", "{.data.release}");
        let stored = STANDARD.decode(release.trim()).unwrap().len();
        eprintln!("measured: release Secret in {ns}: {stored} bytes");
        assert!(stored > 500_000, "the release Secret holds {stored} bytes");
    }
}

/// `GET /metrics` on the probe port after real admissions through the API server: opened and
/// denied (with its reason) counted, keys loaded, both certificates' expiry; no value and no key
/// name in the metrics, no value in the log. In insecure mode every answer is logged with a
/// warning.
#[test]
fn metrics_count_admissions_and_show_no_value_or_key_name() {
    use crate::webhook::{hook_args, kubelet_volume, serving_cert, Webhook};
    use std::ffi::OsStr;
    let s = require_real_apiserver!();
    let ns = "wh-metrics";
    let sb = admin_in(s, ns);
    kubelet_volume(&sb.path("keys"), &[("a.agekey", &sb.path("a.agekey"))]);
    let ca = serving_cert(&sb.path("tls"));
    kubelet_volume(&sb.path("client-ca"), &[("ca.crt", &s.webhook_client_ca)]);
    let (keys, tls, client) = (sb.path("keys"), sb.path("tls"), sb.path("client-ca/ca.crt"));
    let mut args = hook_args(&keys, &tls, &client);
    args.extend([OsStr::new("--probe-listen"), OsStr::new("127.0.0.1:0")]);
    let hook = Webhook::start_with(&args, "127.0.0.1:0");
    for o in admission_objects(ns, &format!("https://{}/mutate", hook.addr), &ca) {
        s.admin_apply(&o.to_string());
    }
    let seal = |name: &str, bound_to: &str| -> String {
        let plain = format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {bound_to}\n  namespace: {ns}\nstringData:\n  db-password: hunter2\n"
        );
        sb.write("plain.yaml", &plain);
        let out = sb.kseal().args(["seal", "-R", "a.pub", "plain.yaml"]).run_ok();
        stdout(&out).replace(&format!("name: {bound_to}\n"), &format!("name: {name}\n"))
    };
    let kubectl = |file: &str| {
        Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(sb.path("kc"))
            .args(["apply", "-f"])
            .arg(sb.path(file))
            .output()
            .unwrap()
    };
    sb.write("good.yaml", &seal("good", "good"));
    wait_for("the webhook configuration to take effect", || {
        crate::webhook::succeeds(kubectl("good.yaml"))
    });
    // Sealed for Secret "elsewhere", written as "moved": denied, the binding does not match.
    sb.write("moved.yaml", &seal("moved", "elsewhere"));
    let out = kubectl("moved.yaml");
    assert!(!out.status.success(), "{}", stdout(&out));

    let probes = hook.probes.clone().unwrap();
    let mut conn = std::net::TcpStream::connect(&probes).unwrap();
    use std::io::{Read, Write};
    write!(
        conn,
        "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    conn.read_to_string(&mut text).unwrap();
    eprintln!("{text}");
    let count = |prefix: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {prefix} in:\n{text}"))
    };
    assert!(count("kseal_webhook_admissions_total{result=\"opened\",reason=\"\"}") >= 1.0);
    assert!(count("kseal_webhook_admissions_total{result=\"denied\",reason=\"moved\"}") >= 1.0);
    assert_eq!(count("kseal_webhook_identities"), 1.0);
    assert!(count("kseal_webhook_admission_duration_seconds_count") >= 2.0);
    for which in ["serving", "client-ca"] {
        let left = count(&format!(
            "kseal_webhook_certificate_expiry_seconds{{certificate=\"{which}\"}}"
        ));
        assert!(left > 86_400.0, "{which}: {left}");
    }
    for never in ["hunter2", "db-password", "elsewhere", ns] {
        assert!(!text.contains(never), "{never} in the metrics");
    }
    assert!(!hook.log().contains("hunter2"), "{}", hook.log());
}
