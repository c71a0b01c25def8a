//! `kseal cluster init --controller`: the objects of deploy/controller/ (the KsealSecret CRD, the
//! controller's RBAC, Deployment and PodDisruptionBudget), with the image of the kseal that runs
//! it, and the ValidatingAdmissionPolicy of deploy/webhook/webhook.yaml, which refuses a Secret
//! still holding a sealed value in this mode too (a sealed Secret applied where only KsealSecrets
//! are opened). Applied with kseal's own server-side apply.

use serde_json::{json, Value};

use super::apply::{self, Object};
use super::Cluster;
use crate::error::{Error, Location};

/// deploy/controller/crd.yaml, as shipped.
pub const CRD: &str = include_str!("../../deploy/controller/crd.yaml");
/// deploy/controller/controller.yaml, as shipped.
pub const MANIFEST: &str = include_str!("../../deploy/controller/controller.yaml");

/// Every object `init --controller` applies, the Deployment running `image`.
pub fn objects_for(image: &str) -> Result<Vec<Value>, Error> {
    let parse = |text: &str, file: &str| -> Result<Vec<Value>, Error> {
        serde_saphyr::from_multiple(text)
            .map_err(|_| Error::internal(format!("{file} does not parse"), std::fmt::Error))
    };
    let mut docs = parse(CRD, "deploy/controller/crd.yaml")?;
    docs.extend(parse(MANIFEST, "deploy/controller/controller.yaml")?);
    docs.extend(
        parse(super::webhook::MANIFEST, "deploy/webhook/webhook.yaml")?
            .into_iter()
            .filter(|d| {
                matches!(
                    d["kind"].as_str(),
                    Some("ValidatingAdmissionPolicy" | "ValidatingAdmissionPolicyBinding")
                )
            }),
    );
    for d in &mut docs {
        if d["kind"] == "Deployment" {
            d["spec"]["template"]["spec"]["containers"][0]["image"] = json!(image);
        }
    }
    Ok(docs)
}

/// Applies them; the lines kubectl would print.
pub async fn install(cluster: &Cluster, image: &str) -> Result<Vec<String>, Error> {
    let text = objects_for(image)?
        .iter()
        .map(|d| serde_json::to_string(d).expect("JSON serializes"))
        .collect::<Vec<_>>()
        .join("\n---\n");
    let objects: Vec<Object> = apply::objects_of(&text, &Location::file("deploy/controller"))?;
    let options = apply::Options {
        dry_run: false,
        diff: false,
        force: true,
        concurrency: 4,
        remove_last_applied: false,
    };
    let report = apply::apply(cluster, &objects, options, &|| {}).await?;
    if let Some(e) = report.errors.into_iter().next() {
        return Err(e);
    }
    Ok(report.lines)
}
