//! The Helm chart for the webhook (`deploy/helm/kseal-webhook`, issue 27): `helm lint`, and
//! `helm template` renders exactly the objects of `deploy/webhook/webhook.yaml` (but its Namespace,
//! which `helm install --create-namespace` makes) with the default values, so the two cannot drift;
//! the values change only what they name; and the chart installs into a real kube-apiserver, which
//! accepts every object and then runs the policy it holds.

use serde_json::{json, Value};

use crate::common::*;

const CHART: &str = "deploy/helm/kseal-webhook";
const APPLY_CHART: &str = "deploy/helm/kseal-apply";

/// `helm template kseal CHART -n NAMESPACE ARGS...`, as objects; panics when helm fails.
fn render(namespace: &str, args: &[&str]) -> Vec<Value> {
    render_chart(CHART, namespace, args)
}

fn render_chart(chart: &str, namespace: &str, args: &[&str]) -> Vec<Value> {
    let out = std::process::Command::new("helm")
        .args(["template", "kseal"])
        .arg(repo().join(chart))
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

/// `helm install RELEASE CHART -n NAMESPACE --create-namespace ARGS...` with `kubeconfig`; its
/// output (the chart's notes); panics when helm fails.
fn helm_install(
    kubeconfig: &std::path::Path,
    release: &str,
    chart: &str,
    namespace: &str,
    args: &[&str],
) -> String {
    let out = std::process::Command::new("helm")
        .args(["install", release])
        .arg(repo().join(chart))
        .args(["-n", namespace, "--create-namespace", "--kubeconfig"])
        .arg(kubeconfig)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "helm install: {}{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

/// Each `kind/name` (in its namespace, or cluster-scoped) exists on the server.
fn exist(server: &real_apiserver::RealApiServer, objects: &[(&str, Option<&str>)]) {
    for (kind, ns) in objects {
        let mut args = vec!["get", kind, "-o", "name"];
        if let Some(ns) = ns {
            args.extend(["-n", ns]);
        }
        let got = server.kubectl(&args);
        assert!(got.status.success(), "{kind}: {}", stderr(&got));
    }
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

fn lint(chart: &str) {
    let lint = std::process::Command::new("helm")
        .arg("lint")
        .arg(repo().join(chart))
        .arg("--strict")
        .output()
        .unwrap();
    assert!(lint.status.success(), "{}{}", stdout(&lint), stderr(&lint));
}

#[test]
fn the_chart_lints_and_renders_the_shipped_webhook_manifest() {
    require_tools!("helm");
    lint(CHART);
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
            "acknowledgeInsecureNoClientAuth=true",
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
    for kind in ["Service", "ValidatingAdmissionPolicy", "PodDisruptionBudget"] {
        assert_eq!(find(&base, kind), find(&changed, kind), "{kind}");
    }
    // Values that cannot work are refused at render time, saying why.
    for (set, says) in [
        (
            "clientAuth=none",
            "clientAuth is client-ca or insecure-no-client-auth",
        ),
        ("networkPolicy.enabled=true", "needs networkPolicy.apiserverCIDRs"),
        // Issue 35: insecure mode never renders without the NetworkPolicy, unless acknowledged.
        (
            "clientAuth=insecure-no-client-auth",
            "set networkPolicy.enabled=true with networkPolicy.apiserverCIDRs",
        ),
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
    // Insecure mode says so after install (a client-side dry run renders the notes).
    let insecure = helm_install(
        &kubeconfig,
        "insecure",
        CHART,
        "kseal",
        &[
            "--dry-run=client",
            "--set",
            "clientAuth=insecure-no-client-auth",
            "--set",
            "networkPolicy.enabled=true",
            "--set",
            "networkPolicy.apiserverCIDRs={10.0.0.1/32}",
        ],
    );
    let notes_of = |all: &str| all.split("NOTES:").nth(1).unwrap_or_default().to_string();
    assert!(
        notes_of(&insecure).contains("WARNING: clientAuth=insecure-no-client-auth")
            && notes_of(&insecure).contains("10.0.0.1/32"),
        "{insecure}"
    );
    let notes = helm_install(&kubeconfig, "kseal", CHART, "kseal", &[]);
    assert!(!notes_of(&notes).contains("WARNING"), "{notes}");
    assert!(
        notes.contains("kseal cluster webhook rotate-cert -o apiserver/"),
        "{notes}"
    );
    exist(
        &server,
        &[
            ("deployment/kseal-webhook", Some("kseal")),
            ("service/kseal-webhook", Some("kseal")),
            ("poddisruptionbudget/kseal-webhook", Some("kseal")),
            ("mutatingwebhookconfiguration/kseal", None),
            ("validatingadmissionpolicy/kseal-no-sealed-values", None),
            ("validatingadmissionpolicybinding/kseal-no-sealed-values", None),
        ],
    );
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

/// The Job's chart (issue 27): with the default values it renders exactly `deploy/rbac.yaml` and
/// `deploy/job.yaml` (plus the Helm hook annotations that rerun the Job at each upgrade), with a
/// schedule exactly `deploy/rbac.yaml` and `deploy/cronjob.yaml`; its values change what they name.
#[test]
fn the_apply_chart_renders_the_shipped_job_cronjob_and_rbac() {
    require_tools!("helm");
    lint(APPLY_CHART);
    let rbac = shipped("deploy/rbac.yaml");
    let mut job = render_chart(APPLY_CHART, "kseal", &[]);
    let hook = job.iter_mut().find(|o| o["kind"] == "Job").unwrap();
    assert_eq!(
        hook["metadata"]["annotations"],
        json!({"helm.sh/hook": "post-install,post-upgrade", "helm.sh/hook-delete-policy": "before-hook-creation"})
    );
    hook["metadata"].as_object_mut().unwrap().remove("annotations");
    let want = [rbac.clone(), shipped("deploy/job.yaml")].concat();
    assert_eq!(by_name(job), by_name(want));
    let cron = render_chart(APPLY_CHART, "kseal", &["--set", "schedule=*/15 * * * *"]);
    let want = [rbac, shipped("deploy/cronjob.yaml")].concat();
    assert_eq!(by_name(cron), by_name(want));

    let changed = render_chart(
        APPLY_CHART,
        "ops",
        &[
            "--set",
            "targetNamespace=shop",
            "--set",
            "image.repository=registry.example/kseal",
            "--set",
            "image.tag=9.9.9",
            "--set",
            "keysSecret=shop-keys",
            "--set-json",
            r#"manifests.volume={"persistentVolumeClaim":{"claimName":"manifests"}}"#,
            "--set-json",
            r#"rbac.rules=[{"apiGroups":[""],"resources":["secrets"]},{"apiGroups":["apps"],"resources":["deployments"]}]"#,
        ],
    );
    let pod = &find(&changed, "Job")["spec"]["template"]["spec"];
    let c = &pod["containers"][0];
    assert_eq!(c["image"], "registry.example/kseal:9.9.9");
    assert_eq!(
        c["args"],
        json!(["apply", "-i", "/keys", "-n", "shop", "/manifests"])
    );
    assert_eq!(pod["volumes"][0]["secret"]["secretName"], "shop-keys");
    assert_eq!(
        pod["volumes"][1],
        json!({"name": "manifests", "persistentVolumeClaim": {"claimName": "manifests"}})
    );
    let role = find(&changed, "Role");
    assert_eq!(role["metadata"]["namespace"], "shop");
    assert_eq!(
        role["rules"][1],
        json!({"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "create", "patch"]})
    );
    assert_eq!(find(&changed, "RoleBinding")["subjects"][0]["namespace"], "ops");
    assert_eq!(find(&changed, "ServiceAccount")["metadata"]["namespace"], "ops");
}

/// The Job's chart into a real kube-apiserver: installed with a schedule, every object is
/// accepted (the CronJob, its ServiceAccount, the Role and binding in the target namespace); the
/// hook Job, which `helm install` would wait on (no kubelet runs here), passes a server dry run.
#[test]
fn the_apply_chart_installs_into_a_real_apiserver() {
    require_tools!("helm", "kubectl");
    let Some(server) = real_apiserver::real_apiserver() else {
        return;
    };
    let kubeconfig = server.kubeconfig(
        &server.dir.join("apply-chart.kubeconfig"),
        real_apiserver::ADMIN_TOKEN,
        None,
    );
    server.admin_apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: chart-apps}\n");
    let set = [
        "--set",
        "targetNamespace=chart-apps",
        "--set",
        "schedule=*/15 * * * *",
    ];
    let notes = helm_install(&kubeconfig, "kseal-apply", APPLY_CHART, "chart-kseal", &set);
    assert!(notes.contains("into namespace chart-apps on schedule"), "{notes}");
    exist(
        server,
        &[
            ("cronjob/kseal-apply", Some("chart-kseal")),
            ("serviceaccount/kseal-apply", Some("chart-kseal")),
            ("role/kseal-apply", Some("chart-apps")),
            ("rolebinding/kseal-apply", Some("chart-apps")),
        ],
    );
    let job = std::process::Command::new("helm")
        .args(["template", "kseal-apply"])
        .arg(repo().join(APPLY_CHART))
        .args(["-n", "chart-kseal", "--show-only", "templates/apply.yaml"])
        .args(["--set", "targetNamespace=chart-apps"])
        .output()
        .unwrap();
    assert!(job.status.success(), "{}", stderr(&job));
    let file = server.dir.join("apply-chart-job.yaml");
    std::fs::write(&file, stdout(&job)).unwrap();
    let dry = server.kubectl(&["create", "--dry-run=server", "-f", file.to_str().unwrap()]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(
        stdout(&dry).contains("job.batch/kseal-apply created (server dry run)"),
        "{}",
        stdout(&dry)
    );
}

/// Issue 27: `scripts/set-image REPO` re-points every shipped manifest and both charts at a
/// private registry, keeping the version tag; run on a copy of `deploy/`.
#[test]
fn set_image_re_points_every_manifest_and_chart() {
    require_tools!("helm", "gnu-sed");
    let sb = Sandbox::new();
    let copy = sb.path("repo");
    std::fs::create_dir_all(&copy).unwrap();
    let cp = std::process::Command::new("cp")
        .args(["-r", "deploy", "scripts"])
        .arg(&copy)
        .current_dir(repo())
        .status()
        .unwrap();
    assert!(cp.success());
    let mirror = "registry.example.com:5000/mirror/kseal";
    let tag = |file: &str| -> Vec<String> {
        let text = std::fs::read_to_string(copy.join(file)).unwrap();
        text.lines()
            .filter_map(|l| l.trim().strip_prefix("image: "))
            .map(|i| i.trim_matches('"').to_string())
            .collect()
    };
    let before: Vec<String> = tag("deploy/job.yaml");
    assert_eq!(before, ["ghcr.io/kseal/kseal:0.1.0"]);
    let refused = std::process::Command::new("bash")
        .arg(copy.join("scripts/set-image"))
        .arg("registry.example.com/kseal:1.0")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    let out = std::process::Command::new("bash")
        .arg(copy.join("scripts/set-image"))
        .arg(mirror)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let want = format!("{mirror}:0.1.0");
    for file in [
        "deploy/job.yaml",
        "deploy/cronjob.yaml",
        "deploy/webhook/webhook.yaml",
        "deploy/controller/controller.yaml",
        "deploy/argocd/repo-server-sidecar.patch.yaml",
    ] {
        // kseal's images, not Argo CD's beside it in the sidecar patch.
        let images: Vec<String> = tag(file).into_iter().filter(|i| i.contains("kseal")).collect();
        assert!(
            !images.is_empty() && images.iter().all(|i| *i == want),
            "{file}: {images:?}"
        );
    }
    for chart in [
        "deploy/helm/kseal-webhook",
        "deploy/helm/kseal-apply",
        "deploy/helm/kseal-controller",
    ] {
        let out = std::process::Command::new("helm")
            .args(["template", "x"])
            .arg(copy.join(chart))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains(&format!("image: \"{want}\"")), "{chart}: {text}");
        assert!(!text.contains("ghcr.io"), "{chart}");
    }
}

/// Issue 35: the chart can create a ServiceMonitor (and a Service for the probe port, not the
/// admission one) and the example PrometheusRule, whose rules are deploy/webhook's.
#[test]
fn the_chart_renders_metrics_objects_on_request() {
    require_tools!("helm");
    let base = render("kseal", &[]);
    let kinds = |objs: &[Value]| -> Vec<String> {
        objs.iter()
            .map(|o| o["kind"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(!kinds(&base).contains(&"ServiceMonitor".to_string()));
    let on = render(
        "kseal",
        &[
            "--set",
            "metrics.serviceMonitor.enabled=true",
            "--set",
            "metrics.serviceMonitor.labels.release=prom",
            "--set",
            "metrics.prometheusRule.enabled=true",
        ],
    );
    let monitor = find(&on, "ServiceMonitor");
    assert_eq!(monitor["metadata"]["labels"]["release"], "prom");
    assert_eq!(monitor["spec"]["endpoints"][0]["path"], "/metrics");
    let service = on
        .iter()
        .find(|o| o["metadata"]["name"] == "kseal-webhook-metrics")
        .expect("the metrics Service");
    assert_eq!(service["spec"]["ports"][0]["targetPort"], "probes");
    let shipped: Value = serde_saphyr::from_str(
        &std::fs::read_to_string(repo().join("deploy/webhook/prometheusrule.yaml")).unwrap(),
    )
    .unwrap();
    assert_eq!(find(&on, "PrometheusRule")["spec"], shipped["spec"]);
    let rules = shipped["spec"].to_string();
    for metric in [
        "kseal_webhook_admissions_total",
        "kseal_webhook_reload_failures_total",
        "kseal_webhook_certificate_expiry_seconds",
    ] {
        assert!(rules.contains(metric), "{metric}");
    }
}

/// Issue 39 (first day): the kseal-apply chart's hook Job waited five minutes for a ConfigMap the
/// README never mentioned, then failed the install naming nothing. On the real kube-apiserver:
/// with the key Secret there and no ConfigMap, `helm install` fails at once naming the ConfigMap
/// and the command that makes it, and installs nothing; with the ConfigMap and no key Secret, it
/// names the Secret; with both, it installs. Where the cluster cannot be asked (`helm template`,
/// as Argo CD renders) the volumes are optional, and `kseal apply` on the empty folder fails at
/// once (exit 2, "no manifests to apply") instead of applying nothing.
#[test]
fn the_apply_chart_fails_fast_naming_missing_manifests_or_keys() {
    require_tools!("helm", "kubectl");
    let Some(server) = real_apiserver::real_apiserver() else {
        return;
    };
    let kubeconfig = server.kubeconfig(
        &server.dir.join("apply-chart-fail.kubeconfig"),
        real_apiserver::ADMIN_TOKEN,
        None,
    );
    server.admin_apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: chart-ff}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: chart-ff-apps}\n");
    let install = |release: &str| {
        std::process::Command::new("helm")
            .args(["install", release])
            .arg(repo().join(APPLY_CHART))
            .args(["-n", "chart-ff", "--kubeconfig"])
            .arg(&kubeconfig)
            .args([
                "--set",
                "targetNamespace=chart-ff-apps",
                "--set",
                "schedule=*/15 * * * *",
            ])
            .output()
            .unwrap()
    };
    server.admin_apply("apiVersion: v1\nkind: Secret\nmetadata: {name: kseal-keys, namespace: chart-ff}\nstringData: {x.agekey: placeholder-not-a-key}\n");
    let out = install("ff-one");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("configmap chart-ff/app-manifests does not exist")
            && stderr(&out).contains("kubectl create configmap app-manifests -n chart-ff --from-file="),
        "{}",
        stderr(&out)
    );
    assert!(!server
        .kubectl(&["get", "serviceaccount", "kseal-apply", "-n", "chart-ff"])
        .status
        .success());
    server.kubectl(&["delete", "secret", "kseal-keys", "-n", "chart-ff"]);
    server.admin_apply(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-manifests, namespace: chart-ff}\ndata: {}\n",
    );
    let out = install("ff-two");
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("secret chart-ff/kseal-keys does not exist"),
        "{}",
        stderr(&out)
    );
    server.admin_apply("apiVersion: v1\nkind: Secret\nmetadata: {name: kseal-keys, namespace: chart-ff}\nstringData: {x.agekey: placeholder-not-a-key}\n");
    let out = install("ff-three");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("kubectl create configmap app-manifests -n chart-ff"),
        "{}",
        stdout(&out)
    );

    // Offline (helm template): both volumes optional, so the Pod starts and kseal speaks.
    let rendered = render_chart(APPLY_CHART, "kseal", &["--set", "schedule=*/5 * * * *"]);
    let cron = find(&rendered, "CronJob");
    for v in cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["volumes"]
        .as_array()
        .unwrap()
    {
        let source = v.get("secret").or_else(|| v.get("configMap")).unwrap();
        assert_eq!(source["optional"], true, "{v}");
    }
    // The empty folder the Pod then sees.
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.path("manifests")).unwrap();
    let out = sb
        .kseal()
        .args(["--kubeconfig"])
        .arg(&kubeconfig)
        .args(["apply", "-i", "a.agekey", "manifests"])
        .run_exits(2);
    assert!(
        stderr(&out).contains("manifests: no manifests to apply"),
        "{}",
        stderr(&out)
    );
}

/// Issue 38: the controller's chart renders exactly deploy/controller/ (CRD, RBAC, Deployment,
/// PodDisruptionBudget; it reads those files through links, so it cannot drift) and the policy of
/// deploy/webhook/webhook.yaml, in the release's namespace, with the image and replicas asked for.
#[test]
fn the_controller_chart_renders_the_shipped_controller() {
    require_tools!("helm");
    const CONTROLLER_CHART: &str = "deploy/helm/kseal-controller";
    lint(CONTROLLER_CHART);
    let mut want = shipped("deploy/controller/crd.yaml");
    want.extend(shipped("deploy/controller/controller.yaml"));
    want.retain(|o| o["kind"] != "Namespace");
    want.extend(shipped("deploy/webhook/webhook.yaml").into_iter().filter(|o| {
        o["kind"]
            .as_str()
            .is_some_and(|k| k.starts_with("ValidatingAdmissionPolicy"))
    }));
    let rendered = render_chart(CONTROLLER_CHART, "kseal", &["--include-crds"]);
    assert_eq!(by_name(rendered), by_name(want));
    let other = render_chart(
        CONTROLLER_CHART,
        "secrets-system",
        &[
            "--set",
            "image.repository=registry.example.com/kseal",
            "--set",
            "replicas=3",
            "--set",
            "policy=false",
        ],
    );
    let deployment = find(&other, "Deployment");
    assert_eq!(deployment["metadata"]["namespace"], "secrets-system");
    assert_eq!(deployment["spec"]["replicas"], 3);
    assert_eq!(
        deployment["spec"]["template"]["spec"]["containers"][0]["image"],
        "registry.example.com/kseal:0.1.0"
    );
    assert_eq!(
        find(&other, "ClusterRoleBinding")["subjects"][0]["namespace"],
        "secrets-system"
    );
    assert!(!other.iter().any(|o| o["kind"] == "ValidatingAdmissionPolicy"));
}
