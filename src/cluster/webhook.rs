//! Installing `kseal webhook` in a cluster (`cluster init --webhook`, `cluster webhook install`,
//! `cluster webhook rotate-cert`). The objects are those of `deploy/webhook/webhook.yaml`, read
//! from that file at build time, so the manifests users install by hand and what kseal installs
//! never differ; kseal sets the image and the CA bundle.
//!
//! Two certificates: the webhook's serving certificate (Secret `kseal-webhook-tls`), which the API
//! server checks against the configuration's CA bundle, and the API server's client certificate
//! (Secret `kseal-webhook-client`), which the webhook requires of every caller. The webhook's Pods
//! mount only the client Secret's `ca.crt`; its `tls.crt`/`tls.key` go to the API server, through
//! the admission configuration files `admission_files` writes.

use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhookConfiguration, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding,
};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Secret, Service, ServiceAccount};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kube::Api;
use serde_json::{json, Value};

use zeroize::Zeroizing;

use super::keys::{apply_object, NAMESPACE};
use super::{api_error, Cluster};
use crate::error::Error;
use crate::webhook::certs;

pub const MANIFEST: &str = include_str!("../../deploy/webhook/webhook.yaml");
/// The NetworkPolicy admitting the admission port from the API server's addresses only; applied
/// when `install` is given those addresses.
pub const NETWORK_POLICY: &str = include_str!("../../deploy/webhook/networkpolicy.yaml");
pub const SERVICE: &str = "kseal-webhook";
pub const TLS_SECRET: &str = "kseal-webhook-tls";
/// The API server's client certificate and key, and the CA bundle the webhook trusts for callers.
pub const CLIENT_SECRET: &str = "kseal-webhook-client";
pub const CONFIGURATION: &str = "kseal";
/// The files `admission_files` writes, for the API server.
pub const ADMISSION_CONFIGURATION_FILE: &str = "kseal-admission-configuration.yaml";
pub const ADMISSION_KUBECONFIG_FILE: &str = "kseal-admission-kubeconfig.yaml";

/// Where the API server reaches the webhook: the in-cluster Service (the default), or a URL (a
/// webhook served outside the cluster: a development machine, a test).
#[derive(Clone, Debug, Default)]
pub struct Endpoint {
    pub url: Option<http::Uri>,
}

impl Endpoint {
    /// Parses `--url`: https, with a host; the path is the webhook's (`/mutate`).
    pub fn url(text: &str) -> Result<Endpoint, Error> {
        let uri: http::Uri = text
            .parse()
            .map_err(|e| Error::usage(format!("--url {text}: not a URL ({e})")))?;
        if uri.scheme_str() != Some("https") || uri.host().is_none() {
            return Err(Error::usage(format!(
                "--url {text}: the API server calls webhooks over https; give https://HOST[:PORT]/mutate"
            )));
        }
        Ok(Endpoint { url: Some(uri) })
    }

    /// The names the serving certificate must hold.
    fn serving_hosts(&self) -> Vec<String> {
        match self.url.as_ref().and_then(|u| u.host()) {
            // An IPv6 host comes bracketed; the certificate names the address.
            Some(h) => vec![h.trim_start_matches('[').trim_end_matches(']').to_string()],
            None => certs::service_hosts(SERVICE, NAMESPACE),
        }
    }

    /// The names the API server looks its webhook credentials up by (the kubeconfig's user
    /// names): a URL's host and port as written; for a Service, `NAME.NAMESPACE.svc`, with `:443`
    /// as some versions spell it.
    pub fn credential_names(&self) -> Vec<String> {
        match self.url.as_ref().and_then(|u| u.authority()) {
            Some(a) => vec![a.as_str().to_string()],
            None => vec![
                format!("{SERVICE}.{NAMESPACE}.svc"),
                format!("{SERVICE}.{NAMESPACE}.svc:443"),
            ],
        }
    }
}

/// The API server's identity towards the webhook, as stored in `kseal-webhook-client`.
pub struct ClientIdentity {
    /// The CAs the webhook trusts (PEM): the current one, then at most one previous.
    pub bundle: String,
    pub cert_pem: String,
    pub key_pem: Zeroizing<String>,
}

/// The image `install` runs: the one of this kseal's version.
pub fn default_image() -> String {
    format!("ghcr.io/kseal/kseal:{}", env!("CARGO_PKG_VERSION"))
}

/// The objects of `deploy/webhook/webhook.yaml`, with `image` in the Deployment and, if given,
/// `ca_bundle` (PEM) in the webhook configuration, for a webhook reached at `endpoint`: with a
/// URL, the configuration calls it there and the in-cluster Deployment, Service,
/// PodDisruptionBudget and NetworkPolicy are left out.
pub fn objects_for(image: &str, ca_bundle: Option<&str>, endpoint: &Endpoint) -> Vec<Value> {
    use base64::Engine;
    let mut docs: Vec<Value> =
        serde_saphyr::from_multiple(MANIFEST).expect("deploy/webhook/webhook.yaml parses");
    if endpoint.url.is_some() {
        docs.retain(|d| {
            !matches!(
                d["kind"].as_str(),
                Some("Deployment" | "Service" | "PodDisruptionBudget" | "NetworkPolicy")
            )
        });
    }
    for d in &mut docs {
        match d["kind"].as_str() {
            Some("Deployment") => d["spec"]["template"]["spec"]["containers"][0]["image"] = json!(image),
            Some("MutatingWebhookConfiguration") => {
                let config = &mut d["webhooks"][0]["clientConfig"];
                if let Some(url) = &endpoint.url {
                    *config = json!({"url": url.to_string()});
                }
                if let Some(ca) = ca_bundle {
                    config["caBundle"] = json!(base64::engine::general_purpose::STANDARD.encode(ca));
                }
            }
            _ => {}
        }
    }
    docs
}

async fn apply(cluster: &Cluster, body: Value) -> Result<(), Error> {
    match body["kind"].as_str().unwrap_or_default() {
        "Namespace" => apply_object::<Namespace>(cluster, body).await,
        "ServiceAccount" => apply_object::<ServiceAccount>(cluster, body).await,
        "Deployment" => apply_object::<Deployment>(cluster, body).await,
        "PodDisruptionBudget" => apply_object::<PodDisruptionBudget>(cluster, body).await,
        "Service" => apply_object::<Service>(cluster, body).await,
        "NetworkPolicy" => apply_object::<NetworkPolicy>(cluster, body).await,
        "Secret" => apply_object::<Secret>(cluster, body).await,
        "MutatingWebhookConfiguration" => apply_object::<MutatingWebhookConfiguration>(cluster, body).await,
        "ValidatingAdmissionPolicy" => apply_object::<ValidatingAdmissionPolicy>(cluster, body).await,
        "ValidatingAdmissionPolicyBinding" => {
            apply_object::<ValidatingAdmissionPolicyBinding>(cluster, body).await
        }
        other => unreachable!("deploy/webhook/webhook.yaml holds a {other}, which install does not know"),
    }
}

/// The CA bundle the webhook configuration trusts now (PEM), if it exists and has one.
async fn current_bundle(cluster: &Cluster) -> Result<Option<String>, Error> {
    let api: Api<MutatingWebhookConfiguration> = Api::all(cluster.client.clone());
    let what = format!("mutatingwebhookconfiguration/{CONFIGURATION}");
    let Some(c) = api
        .get_opt(CONFIGURATION)
        .await
        .map_err(|e| api_error(&what, "get", &cluster.server, e))?
    else {
        return Ok(None);
    };
    Ok(c.webhooks
        .unwrap_or_default()
        .into_iter()
        .find_map(|w| w.client_config.ca_bundle)
        .map(|b| String::from_utf8_lossy(&b.0).into_owned())
        .filter(|b| !b.trim().is_empty()))
}

/// A new serving certificate in `kseal-webhook-tls`. Returns the CA bundle the webhook
/// configuration should trust: the new CA and the newest previous one, so Pods still serving the
/// old certificate (until the kubelet brings them the new one) keep working.
async fn new_certificate(cluster: &Cluster, endpoint: &Endpoint) -> Result<String, Error> {
    use base64::Engine;
    let serving = certs::generate(&endpoint.serving_hosts())?;
    let previous = current_bundle(cluster).await?;
    let mut bundle = serving.ca_pem.clone();
    if let Some(old) = previous
        .as_deref()
        .and_then(|b| certs::split_bundle(b).into_iter().next())
    {
        bundle.push_str(&old);
    }
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let secret = json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": TLS_SECRET, "namespace": NAMESPACE, "labels": {"app.kubernetes.io/managed-by": "kseal"}},
        "type": "kubernetes.io/tls",
        "data": {"tls.crt": b64(&serving.cert_pem), "tls.key": b64(&serving.key_pem), "ca.crt": b64(&serving.ca_pem)},
    });
    apply(
        cluster,
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}),
    )
    .await?;
    apply(cluster, secret).await?;
    Ok(bundle)
}

/// Whether kseal's webhook configuration is in the cluster (false too when it cannot be read:
/// this only decides whether to say something about the webhook).
pub async fn is_installed(cluster: &Cluster) -> bool {
    let api: Api<MutatingWebhookConfiguration> = Api::all(cluster.client.clone());
    matches!(api.get_opt(CONFIGURATION).await, Ok(Some(_)))
}

/// Checks `--apiserver-cidr`: an IPv4 or IPv6 address with a prefix length that fits it.
pub fn parse_cidr(text: &str) -> Result<String, Error> {
    let bad = || {
        Error::usage(format!(
            "--apiserver-cidr {text}: not an address block; write ADDRESS/PREFIX, e.g. 10.0.0.10/32"
        ))
    };
    let (addr, prefix) = text.split_once('/').ok_or_else(bad)?;
    let addr: std::net::IpAddr = addr.parse().map_err(|_| bad())?;
    let prefix: u8 = prefix.parse().map_err(|_| bad())?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    if prefix > max {
        return Err(bad());
    }
    Ok(format!("{addr}/{prefix}"))
}

/// `deploy/webhook/networkpolicy.yaml` admitting the admission port from `cidrs` only.
pub fn network_policy(cidrs: &[String]) -> Value {
    let mut policy: Value =
        serde_saphyr::from_str(NETWORK_POLICY).expect("deploy/webhook/networkpolicy.yaml parses");
    policy["spec"]["ingress"][1]["from"] = cidrs.iter().map(|c| json!({"ipBlock": {"cidr": c}})).collect();
    policy
}

/// The API server's client identity stored in the cluster, if there is one.
async fn current_client(cluster: &Cluster) -> Result<Option<ClientIdentity>, Error> {
    let secrets: Api<Secret> = Api::namespaced(cluster.client.clone(), NAMESPACE);
    let what = format!("secret/{CLIENT_SECRET} in namespace {NAMESPACE}");
    let Some(secret) = secrets
        .get_opt(CLIENT_SECRET)
        .await
        .map_err(|e| api_error(&what, "get", &cluster.server, e))?
    else {
        return Ok(None);
    };
    let data = secret.data.unwrap_or_default();
    let text = |k: &str| {
        data.get(k)
            .map(|b| String::from_utf8_lossy(&b.0).into_owned())
            .filter(|t| !t.trim().is_empty())
    };
    Ok(match (text("ca.crt"), text("tls.crt"), text("tls.key")) {
        (Some(bundle), Some(cert_pem), Some(key)) => Some(ClientIdentity {
            bundle,
            cert_pem,
            key_pem: Zeroizing::new(key),
        }),
        // Half a Secret (edited by hand): made anew, as if there were none.
        _ => None,
    })
}

/// A new client CA and API server certificate in `kseal-webhook-client`. The bundle the webhook
/// trusts is the new CA and the newest previous one, so an API server still presenting the old
/// certificate (until its files are replaced) keeps being answered.
async fn new_client_certificate(cluster: &Cluster) -> Result<ClientIdentity, Error> {
    use base64::Engine;
    let client = certs::generate_client()?;
    let mut bundle = client.ca_pem.clone();
    if let Some(old) = current_client(cluster)
        .await?
        .and_then(|c| certs::split_bundle(&c.bundle).into_iter().next())
    {
        bundle.push_str(&old);
    }
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let secret = json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": CLIENT_SECRET, "namespace": NAMESPACE, "labels": {"app.kubernetes.io/managed-by": "kseal"}},
        "type": "kubernetes.io/tls",
        "data": {"tls.crt": b64(&client.cert_pem), "tls.key": b64(&client.key_pem), "ca.crt": b64(&bundle)},
    });
    apply(
        cluster,
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}),
    )
    .await?;
    apply(cluster, secret).await?;
    Ok(ClientIdentity {
        bundle,
        cert_pem: client.cert_pem,
        key_pem: client.key_pem,
    })
}

/// What `rotate-cert` did: how many CAs each bundle now trusts, and the API server's new identity.
pub struct Rotated {
    pub serving_cas: usize,
    pub client: ClientIdentity,
}

/// `cluster webhook rotate-cert`: a new serving certificate and a new client certificate; the
/// webhook configuration trusts the new serving CA and the previous one, the webhook the new
/// client CA and the previous one.
pub async fn rotate_cert(cluster: &Cluster, endpoint: &Endpoint) -> Result<Rotated, Error> {
    let client = new_client_certificate(cluster).await?;
    let bundle = new_certificate(cluster, endpoint).await?;
    let configuration = objects_for(&default_image(), Some(&bundle), endpoint)
        .into_iter()
        .find(|o| o["kind"] == "MutatingWebhookConfiguration")
        .expect("the manifest has the webhook configuration");
    apply(cluster, configuration).await?;
    Ok(Rotated {
        serving_cas: certs::split_bundle(&bundle).len(),
        client,
    })
}

/// Installs (or updates) the webhook: its serving and client certificates if there are none yet,
/// then every object of the manifest, the webhook configuration with the CA bundle in place.
/// Returns the API server's client identity, for `admission_files`.
pub async fn install(
    cluster: &Cluster,
    image: &str,
    endpoint: &Endpoint,
    apiserver_cidrs: &[String],
) -> Result<ClientIdentity, Error> {
    let secrets: Api<Secret> = Api::namespaced(cluster.client.clone(), NAMESPACE);
    let what = format!("secret/{TLS_SECRET} in namespace {NAMESPACE}");
    let has_cert = secrets
        .get_opt(TLS_SECRET)
        .await
        .map_err(|e| api_error(&what, "get", &cluster.server, e))?
        .is_some();
    let client = match current_client(cluster).await? {
        Some(c) => c,
        None => new_client_certificate(cluster).await?,
    };
    let bundle = match current_bundle(cluster).await? {
        Some(b) if has_cert => b,
        _ => new_certificate(cluster, endpoint).await?,
    };
    for o in objects_for(image, Some(&bundle), endpoint) {
        apply(cluster, o).await?;
    }
    if !apiserver_cidrs.is_empty() {
        apply(cluster, network_policy(apiserver_cidrs)).await?;
    }
    Ok(client)
}

/// The two files the API server needs to present `client` to the webhook: an
/// `AdmissionConfiguration` (for `--admission-control-config-file`) and the kubeconfig it names,
/// which holds the certificate and key (so it is private: mode 0600). `dir` is where they will be
/// on the API server's machine: the configuration names the kubeconfig by that absolute path.
pub fn admission_files(
    client: &ClientIdentity,
    endpoint: &Endpoint,
    dir: &std::path::Path,
) -> [(String, Zeroizing<String>); 2] {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let kubeconfig_path = dir.join(ADMISSION_KUBECONFIG_FILE);
    let configuration = format!(
        "# kseal: how the API server authenticates to kseal's admission webhook. Give it to the API server\n\
         # with --admission-control-config-file={0}/{ADMISSION_CONFIGURATION_FILE}\n\
         # (if it has an admission configuration already, add this plugin entry to it).\n\
         apiVersion: apiserver.config.k8s.io/v1\n\
         kind: AdmissionConfiguration\n\
         plugins:\n\
         - name: MutatingAdmissionWebhook\n\
         \x20 configuration:\n\
         \x20   apiVersion: apiserver.config.k8s.io/v1\n\
         \x20   kind: WebhookAdmissionConfiguration\n\
         \x20   kubeConfigFile: {1}\n",
        dir.display(),
        serde_json::to_string(&kubeconfig_path.display().to_string()).expect("a string serializes"),
    );
    let mut kubeconfig = String::from(
        "# kseal: the API server's client certificate for kseal's admission webhook (secret\n\
         # kseal/kseal-webhook-client). Private: keep it 0600, on the control plane only.\n\
         apiVersion: v1\n\
         kind: Config\n\
         users:\n",
    );
    for name in endpoint.credential_names() {
        kubeconfig.push_str(&format!(
            "- name: {}\n  user:\n    client-certificate-data: {}\n    client-key-data: {}\n",
            serde_json::to_string(&name).expect("a string serializes"),
            b64(&client.cert_pem),
            b64(&client.key_pem)
        ));
    }
    [
        (
            ADMISSION_CONFIGURATION_FILE.to_string(),
            Zeroizing::new(configuration),
        ),
        (ADMISSION_KUBECONFIG_FILE.to_string(), Zeroizing::new(kubeconfig)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The objects as `install` applies them for the in-cluster Service.
    fn objects(image: &str, ca_bundle: Option<&str>) -> Vec<Value> {
        objects_for(image, ca_bundle, &Endpoint::default())
    }

    #[test]
    fn the_manifest_is_what_install_applies_with_image_and_bundle_set() {
        let objs = objects("example/kseal:1", Some("PEM"));
        let kinds: Vec<&str> = objs.iter().map(|o| o["kind"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            [
                "Namespace",
                "ServiceAccount",
                "Deployment",
                "PodDisruptionBudget",
                "Service",
                "MutatingWebhookConfiguration",
                "ValidatingAdmissionPolicy",
                "ValidatingAdmissionPolicyBinding"
            ]
        );
        let dep = &objs[2];
        assert_eq!(dep["spec"]["replicas"], 2);
        assert_eq!(
            dep["spec"]["template"]["spec"]["containers"][0]["image"],
            "example/kseal:1"
        );
        assert_eq!(
            dep["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"],
            true
        );
        let hook = &objs[5]["webhooks"][0];
        assert_eq!(hook["clientConfig"]["caBundle"], "UEVN");
        assert_eq!(hook["failurePolicy"], "Fail");
        assert_eq!(hook["sideEffects"], "None");
        assert_eq!(
            objects("x", None)[2]["spec"]["template"]["spec"]["containers"][0]["image"],
            "x"
        );
    }

    /// The Deployment requires the API server's client certificate, mounts only the client
    /// Secret's CA bundle, and probes on the plain port (the kubelet has no client certificate).
    #[test]
    fn the_shipped_deployment_authenticates_callers_and_probes_on_its_own_port() {
        let objs = objects("x", None);
        let pod = &objs[2]["spec"]["template"]["spec"];
        let c = &pod["containers"][0];
        let args: Vec<&str> = c["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let after = |flag: &str| args[args.iter().position(|a| *a == flag).unwrap() + 1];
        assert_eq!(after("--client-ca"), "/client-ca/ca.crt");
        assert!(!args.contains(&"--insecure-no-client-auth"));
        assert_eq!(after("--probe-listen"), "0.0.0.0:8080");
        assert_eq!(c["readinessProbe"]["httpGet"]["port"], "probes");
        assert_eq!(c["livenessProbe"]["httpGet"]["port"], "probes");
        assert!(c["readinessProbe"]["httpGet"]["scheme"].is_null());
        let client = pod["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == "client-ca")
            .unwrap();
        assert_eq!(client["secret"]["secretName"], CLIENT_SECRET);
        assert_eq!(
            client["secret"]["items"],
            json!([{"key": "ca.crt", "path": "ca.crt"}]),
            "the webhook must not mount the API server's client key"
        );
    }

    /// The webhook's `matchConditions` and the policy decide "holds a kseal value" by the one rule
    /// kseal's readers use (crypto::spelling), spelled as the same expression.
    #[test]
    fn the_manifests_cel_uses_the_one_kseal_value_rule() {
        let value = crate::crypto::spelling::cel_holds("object.data[k]");
        let holds = format!("object.data.exists(k, {value})");
        let objs = objects("x", None);
        let hook = &objs[5]["webhooks"][0];
        assert_eq!(
            hook["matchConditions"][0]["expression"],
            format!("has(object.data) && {holds}"),
            "deploy/webhook/webhook.yaml's matchCondition is not the rule"
        );
        let policy = &objs[6]["spec"]["validations"][0];
        assert_eq!(policy["expression"], format!("!has(object.data) || !{holds}"));
        assert!(policy["messageExpression"]
            .as_str()
            .unwrap()
            .contains(&format!("object.data.filter(k, {value})")));
    }

    #[test]
    fn a_url_endpoint_configures_the_url_and_leaves_out_the_pods() {
        let e = Endpoint::url("https://127.0.0.1:8443/mutate").unwrap();
        let objs = objects_for("x", Some("PEM"), &e);
        let kinds: Vec<&str> = objs.iter().map(|o| o["kind"].as_str().unwrap()).collect();
        assert!(!kinds.contains(&"Deployment") && !kinds.contains(&"Service"));
        let hook = objs
            .iter()
            .find(|o| o["kind"] == "MutatingWebhookConfiguration")
            .unwrap();
        assert_eq!(
            hook["webhooks"][0]["clientConfig"],
            json!({"url": "https://127.0.0.1:8443/mutate", "caBundle": "UEVN"})
        );
        assert_eq!(e.credential_names(), ["127.0.0.1:8443"]);
        assert_eq!(e.serving_hosts(), ["127.0.0.1"]);
        assert_eq!(
            Endpoint::default().credential_names(),
            ["kseal-webhook.kseal.svc", "kseal-webhook.kseal.svc:443"]
        );
        for bad in ["http://127.0.0.1/mutate", "not a url", "/mutate"] {
            assert!(Endpoint::url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_admission_files_name_the_kubeconfig_absolutely_and_hold_the_client_identity() {
        let client = ClientIdentity {
            bundle: String::new(),
            cert_pem: "CERT".into(),
            key_pem: Zeroizing::new("KEY".into()),
        };
        let [(cfg_name, cfg), (kc_name, kc)] = admission_files(
            &client,
            &Endpoint::default(),
            std::path::Path::new("/etc/kubernetes/kseal"),
        );
        assert_eq!(
            (cfg_name.as_str(), kc_name.as_str()),
            (ADMISSION_CONFIGURATION_FILE, ADMISSION_KUBECONFIG_FILE)
        );
        let cfg: Value = serde_saphyr::from_str(&cfg).unwrap();
        assert_eq!(cfg["kind"], "AdmissionConfiguration");
        assert_eq!(cfg["plugins"][0]["name"], "MutatingAdmissionWebhook");
        assert_eq!(
            cfg["plugins"][0]["configuration"]["kubeConfigFile"],
            "/etc/kubernetes/kseal/kseal-admission-kubeconfig.yaml"
        );
        let kc: Value = serde_saphyr::from_str(&kc).unwrap();
        let users = kc["users"].as_array().unwrap();
        assert_eq!(users.len(), 2);
        assert_eq!(users[0]["name"], "kseal-webhook.kseal.svc");
        assert_eq!(users[1]["user"]["client-certificate-data"], "Q0VSVA==");
        assert_eq!(users[1]["user"]["client-key-data"], "S0VZ");
    }

    #[test]
    fn the_network_policy_admits_the_admission_port_from_the_given_blocks_only() {
        assert_eq!(parse_cidr("10.0.0.10/32").unwrap(), "10.0.0.10/32");
        assert_eq!(parse_cidr("fd00::/8").unwrap(), "fd00::/8");
        for bad in ["10.0.0.10", "10.0.0.10/33", "host/32", "::/129"] {
            assert!(parse_cidr(bad).is_err(), "{bad}");
        }
        let p = network_policy(&["10.0.0.10/32".into(), "10.0.0.11/32".into()]);
        assert_eq!(p["kind"], "NetworkPolicy");
        let ingress = p["spec"]["ingress"].as_array().unwrap();
        assert_eq!(ingress[0]["ports"][0]["port"], "probes");
        assert!(ingress[0].get("from").is_none());
        assert_eq!(ingress[1]["ports"][0]["port"], "https");
        assert_eq!(
            ingress[1]["from"],
            json!([{"ipBlock": {"cidr": "10.0.0.10/32"}}, {"ipBlock": {"cidr": "10.0.0.11/32"}}])
        );
    }
}
