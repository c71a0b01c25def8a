//! Installing `kseal webhook` in a cluster (`cluster init --webhook`, `cluster webhook install`,
//! `cluster webhook rotate-cert`). The objects are those of `deploy/webhook/webhook.yaml`, read
//! from that file at build time, so the manifests users install by hand and what kseal installs
//! never differ; kseal sets the image and the CA bundle.

use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhookConfiguration, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding,
};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Secret, Service, ServiceAccount};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kube::Api;
use serde_json::{json, Value};

use super::keys::{apply_object, NAMESPACE};
use super::{api_error, Cluster};
use crate::error::Error;
use crate::webhook::certs;

pub const MANIFEST: &str = include_str!("../../deploy/webhook/webhook.yaml");
pub const SERVICE: &str = "kseal-webhook";
pub const TLS_SECRET: &str = "kseal-webhook-tls";
pub const CONFIGURATION: &str = "kseal";

/// The image `install` runs: the one of this kseal's version.
pub fn default_image() -> String {
    format!("ghcr.io/kseal/kseal:{}", env!("CARGO_PKG_VERSION"))
}

/// The objects of `deploy/webhook/webhook.yaml`, with `image` in the Deployment and, if given,
/// `ca_bundle` (PEM) in the webhook configuration.
pub fn objects(image: &str, ca_bundle: Option<&str>) -> Vec<Value> {
    use base64::Engine;
    let mut docs: Vec<Value> =
        serde_saphyr::from_multiple(MANIFEST).expect("deploy/webhook/webhook.yaml parses");
    for d in &mut docs {
        match d["kind"].as_str() {
            Some("Deployment") => d["spec"]["template"]["spec"]["containers"][0]["image"] = json!(image),
            Some("MutatingWebhookConfiguration") => {
                if let Some(ca) = ca_bundle {
                    d["webhooks"][0]["clientConfig"]["caBundle"] =
                        json!(base64::engine::general_purpose::STANDARD.encode(ca));
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
        "Role" => apply_object::<Role>(cluster, body).await,
        "RoleBinding" => apply_object::<RoleBinding>(cluster, body).await,
        "Deployment" => apply_object::<Deployment>(cluster, body).await,
        "PodDisruptionBudget" => apply_object::<PodDisruptionBudget>(cluster, body).await,
        "Service" => apply_object::<Service>(cluster, body).await,
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
async fn new_certificate(cluster: &Cluster) -> Result<String, Error> {
    use base64::Engine;
    let serving = certs::generate(&certs::service_hosts(SERVICE, NAMESPACE))?;
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

/// `cluster webhook rotate-cert`: a new serving certificate, and the webhook configuration
/// trusting its CA and the previous one. Returns how many CAs the bundle now holds.
pub async fn rotate_cert(cluster: &Cluster) -> Result<usize, Error> {
    let bundle = new_certificate(cluster).await?;
    let configuration = objects(&default_image(), Some(&bundle))
        .into_iter()
        .find(|o| o["kind"] == "MutatingWebhookConfiguration")
        .expect("the manifest has the webhook configuration");
    apply(cluster, configuration).await?;
    Ok(certs::split_bundle(&bundle).len())
}

/// Installs (or updates) the webhook: its serving certificate if there is none yet, then every
/// object of the manifest, the webhook configuration with the CA bundle in place.
pub async fn install(cluster: &Cluster, image: &str) -> Result<(), Error> {
    let secrets: Api<Secret> = Api::namespaced(cluster.client.clone(), NAMESPACE);
    let what = format!("secret/{TLS_SECRET} in namespace {NAMESPACE}");
    let has_cert = secrets
        .get_opt(TLS_SECRET)
        .await
        .map_err(|e| api_error(&what, "get", &cluster.server, e))?
        .is_some();
    let bundle = match current_bundle(cluster).await? {
        Some(b) if has_cert => b,
        _ => new_certificate(cluster).await?,
    };
    for o in objects(image, Some(&bundle)) {
        apply(cluster, o).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_is_what_install_applies_with_image_and_bundle_set() {
        let objs = objects("example/kseal:1", Some("PEM"));
        let kinds: Vec<&str> = objs.iter().map(|o| o["kind"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            [
                "Namespace",
                "ServiceAccount",
                "Role",
                "RoleBinding",
                "Deployment",
                "PodDisruptionBudget",
                "Service",
                "MutatingWebhookConfiguration",
                "ValidatingAdmissionPolicy",
                "ValidatingAdmissionPolicyBinding"
            ]
        );
        let dep = &objs[4];
        assert_eq!(dep["spec"]["replicas"], 2);
        assert_eq!(
            dep["spec"]["template"]["spec"]["containers"][0]["image"],
            "example/kseal:1"
        );
        assert_eq!(
            dep["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"],
            true
        );
        let hook = &objs[7]["webhooks"][0];
        assert_eq!(hook["clientConfig"]["caBundle"], "UEVN");
        assert_eq!(hook["failurePolicy"], "Fail");
        assert_eq!(hook["sideEffects"], "None");
        assert_eq!(
            objects("x", None)[4]["spec"]["template"]["spec"]["containers"][0]["image"],
            "x"
        );
    }
}
