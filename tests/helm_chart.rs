//! The Helm chart for the webhook (`deploy/helm/kseal-webhook`, issue 27): `helm lint`, and
//! `helm template` renders exactly the objects of `deploy/webhook/webhook.yaml` (but its Namespace,
//! which `helm install --create-namespace` makes) with the default values, so the two cannot drift;
//! the values change only what they name; and the chart installs into a real kube-apiserver, which
//! accepts every object and then runs the policy it holds.

use serde_json::{json, Value};

use crate::common::*;

const CHART: &str = "deploy/helm/kseal-webhook";

/// `helm template kseal CHART -n NAMESPACE ARGS...`, as objects; panics when helm fails.
fn render(namespace: &str, args: &[&str]) -> Vec<Value> {
    let out = std::process::Command::new("helm")
        .args(["template", "kseal"])
        .arg(repo().join(CHART))
        .args(["-n", namespace])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "helm template: {}", stderr(&out));
    serde_saphyr::from_multiple::<Value>(&stdout(&out))
        .unwrap()
        .into_iter()
        .filter(|d| !d.is_null())
        .collect()
}

fn shipped(file: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(repo().join(file)).unwrap();
    serde_saphyr::from_multiple(&text).unwrap()
}

/// Objects by `kind/name`, sorted, so that order does not matter.
fn by_name(objects: Vec<Value>) -> Vec<(String, Value)> {
    let mut v: Vec<(String, Value)> = objects
        .into_iter()
        .map(|o| {
            (
                format!(
                    "{}/{}",
                    o["kind"].as_str().unwrap(),
                    o["metadata"]["name"].as_str().unwrap()
                ),
                o,
            )
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn find<'a>(objects: &'a [Value], kind: &str) -> &'a Value {
    objects.iter().find(|o| o["kind"] == kind).unwrap()
}

#[test]
fn the_chart_lints_and_renders_the_shipped_webhook_manifest() {
    require_tools!("helm");
    let lint = std::process::Command::new("helm")
        .arg("lint")
        .arg(repo().join(CHART))
        .arg("--strict")
        .output()
        .unwrap();
    assert!(lint.status.success(), "{}{}", stdout(&lint), stderr(&lint));
    let mut want = shipped("deploy/webhook/webhook.yaml");
    want.retain(|o| o["kind"] != "Namespace");
    assert_eq!(by_name(render("kseal", &[])), by_name(want));
    // The NetworkPolicy, when enabled, is the shipped one with the given addresses.
    let rendered = render(
        "kseal",
        &[
            "--set",
            "networkPolicy.enabled=true",
            "--set",
            "networkPolicy.apiserverCIDRs={10.0.0.10/32,10.0.0.11/32}",
        ],
    );
    let mut policy = shipped("deploy/webhook/networkpolicy.yaml").remove(0);
    policy["spec"]["ingress"][1]["from"] = json!([
        {"ipBlock": {"cidr": "10.0.0.10/32"}},
        {"ipBlock": {"cidr": "10.0.0.11/32"}}
    ]);
    assert_eq!(find(&rendered, "NetworkPolicy"), &policy);
}

#[test]
fn values_change_only_what_they_name() {
    require_tools!("helm");
    let base = render("secrets-op", &[]);
    let changed = render(
        "secrets-op",
        &[
            "--set",
            "replicas=3",
            "--set",
            "image.repository=registry.example/kseal",
            "--set",
            "image.tag=9.9.9",
            "--set",
            "resources.limits.memory=256Mi",
            "--set",
            "clientAuth=insecure-no-client-auth",
            "--set",
            "skipNamespaces={kube-system,flux-system}",
        ],
    );
    // Every namespaced object is in the release's namespace, and the webhook points there.
    for o in &base {
        if !o["metadata"]["namespace"].is_null() {
            assert_eq!(o["metadata"]["namespace"], "secrets-op", "{o}");
        }
    }
    let hook = |objs: &[Value]| find(objs, "MutatingWebhookConfiguration")["webhooks"][0].clone();
    assert_eq!(hook(&base)["clientConfig"]["service"]["namespace"], "secrets-op");
    assert_eq!(
        hook(&base)["namespaceSelector"]["matchExpressions"][0]["values"],
        json!(["kube-system", "secrets-op"])
    );
    assert_eq!(
        hook(&changed)["namespaceSelector"]["matchExpressions"][0]["values"],
        json!(["kube-system", "flux-system", "secrets-op"])
    );
    let deploy = find(&changed, "Deployment");
    assert_eq!(deploy["spec"]["replicas"], 3);
    let c = &deploy["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["image"], "registry.example/kseal:9.9.9");
    assert_eq!(c["resources"]["limits"]["memory"], "256Mi");
    assert_eq!(c["resources"]["requests"]["memory"], "32Mi");
    let args: Vec<&str> = c["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(
        args.contains(&"--insecure-no-client-auth") && !args.contains(&"--client-ca"),
        "{args:?}"
    );
    let volumes = deploy["spec"]["template"]["spec"]["volumes"].to_string();
    assert!(!volumes.contains("kseal-webhook-client"), "{volumes}");
    // The same objects otherwise.
    let names = |objs: &[Value]| {
        by_name(objs.to_vec())
            .into_iter()
            .map(|(n, _)| n)
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&base), names(&changed));
    for kind in [
        "Service",
        "Role",
        "ValidatingAdmissionPolicy",
        "PodDisruptionBudget",
    ] {
        assert_eq!(find(&base, kind), find(&changed, kind), "{kind}");
    }
    // Values that cannot work are refused at render time, saying why.
    for (set, says) in [
        (
            "clientAuth=none",
            "clientAuth is client-ca or insecure-no-client-auth",
        ),
        ("networkPolicy.enabled=true", "needs networkPolicy.apiserverCIDRs"),
    ] {
        let out = std::process::Command::new("helm")
            .args(["template", "kseal"])
            .arg(repo().join(CHART))
            .args(["--set", set])
            .output()
            .unwrap();
        assert!(
            !out.status.success() && stderr(&out).contains(says),
            "{set}: {}",
            stderr(&out)
        );
    }
}

/// `helm install` into a real kube-apiserver: every object accepted; then the policy the chart
/// installed refuses a Secret that still holds a kseal value, in any namespace, while other
/// Secrets are written (no webhook Pod runs here: there is no kubelet).
#[test]
fn the_chart_installs_into_a_real_apiserver_and_its_policy_holds() {
    require_tools!("helm", "kubectl");
    let Some(server) = real_apiserver::dedicated() else {
        return;
    };
    let kubeconfig = server.kubeconfig(
        &server.dir.join("helm.kubeconfig"),
        real_apiserver::ADMIN_TOKEN,
        None,
    );
    let out = std::process::Command::new("helm")
        .arg("install")
        .arg("kseal")
        .arg(repo().join(CHART))
        .args(["-n", "kseal", "--create-namespace", "--kubeconfig"])
        .arg(&kubeconfig)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "helm install: {}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("kseal cluster webhook rotate-cert -n kseal"),
        "{}",
        stdout(&out)
    );
    for (kind, ns) in [
        ("deployment/kseal-webhook", Some("kseal")),
        ("service/kseal-webhook", Some("kseal")),
        ("role/kseal-webhook", Some("kseal")),
        ("poddisruptionbudget/kseal-webhook", Some("kseal")),
        ("mutatingwebhookconfiguration/kseal", None),
        ("validatingadmissionpolicy/kseal-no-sealed-values", None),
        ("validatingadmissionpolicybinding/kseal-no-sealed-values", None),
    ] {
        let mut args = vec!["get", kind, "-o", "name"];
        if let Some(ns) = ns {
            args.extend(["-n", ns]);
        }
        let got = server.kubectl(&args);
        assert!(got.status.success(), "{kind}: {}", stderr(&got));
    }
    // The policy binds at once; the webhook's matchCondition sends only sealed Secrets, and with
    // no webhook Pod those fail closed. kube-system is outside the webhook's selector, so there
    // the policy alone answers: a sealed value is refused, a plain one written.
    let sealed = "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: kube-system}\nstringData: {k: \"kseal:v2:strict:00000000:AAAA\"}\n";
    let plain =
        "apiVersion: v1\nkind: Secret\nmetadata: {name: p, namespace: kube-system}\nstringData: {k: plain}\n";
    let apply = |manifest: &str| {
        let file = server.dir.join("chart-secret.yaml");
        std::fs::write(&file, manifest).unwrap();
        server.kubectl(&["apply", "-f", file.to_str().unwrap()])
    };
    // The policy may take a moment to be loaded by the API server's admission.
    let refused = (0..50)
        .map(|_| {
            let out = apply(sealed);
            if out.status.success() {
                server.kubectl(&["delete", "secret", "s", "-n", "kube-system"]);
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            out
        })
        .find(|o| !o.status.success())
        .expect("the chart's policy never refused a sealed value");
    assert!(
        stderr(&refused).contains("still holds a sealed kseal value"),
        "{}",
        stderr(&refused)
    );
    let written = apply(plain);
    assert!(written.status.success(), "{}", stderr(&written));
}
