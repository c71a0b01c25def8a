//! Credentials where manifests should not put them: a `v1` ConfigMap whose keys say credential
//! (`DB_PASSWORD`, `api-key`; issue 39: `seal` said "nothing to seal" and `verify` passed). The
//! key-name rules are kseal-scan's (`kseal/configmap-credential`), so verify, seal and scan name
//! the same entries; a line saying `kseal:allow` and the `kseal.dev/allow-plaintext` annotation
//! are honoured as there. Without the `scan` feature nothing is found.

use crate::error::Location;

/// One ConfigMap entry whose key says credential: where it is (file, document, ConfigMap, key,
/// line and column).
pub struct Credential {
    pub location: Location,
}

/// The ConfigMap entries of `src` (a file's text, shown as `file`) whose keys say credential;
/// placeholders (`changeme`, `<REPLACE_ME>`) left out.
#[cfg(feature = "scan")]
pub fn in_configmaps(src: &str, file: &Location) -> Vec<Credential> {
    // kseal-scan's own prefilter for this rule needs the word too; without this, every Secret file
    // verify or seal reads was parsed and scanned a second time for nothing.
    if !src.contains("ConfigMap") {
        return Vec::new();
    }
    let path = file.file.clone().unwrap_or_else(|| "<stdin>".to_string());
    let mut out = Vec::new();
    for f in kseal_scan::scan_bytes(&path, src.as_bytes()) {
        if f.source != kseal_scan::Source::ConfigMap || f.class != kseal_scan::Class::Leak {
            continue;
        }
        let configmap = match (&f.namespace, &f.name) {
            (Some(ns), Some(n)) => format!("{ns}/{n}"),
            (None, Some(n)) => n.clone(),
            _ => "(unnamed)".to_string(),
        };
        for hit in f.keys.iter().filter(|h| !h.placeholder) {
            let name = hit.key.strip_prefix("data.").unwrap_or(&hit.key);
            let col = src
                .lines()
                .nth(hit.line.saturating_sub(1))
                .and_then(|l| l.find(name))
                .map_or(1, |c| c + 1);
            out.push(Credential {
                location: file
                    .clone()
                    .with_document(f.document)
                    .with_key(format!("ConfigMap {configmap}: {}", hit.key))
                    .at(hit.line, col),
            });
        }
    }
    out
}

#[cfg(not(feature = "scan"))]
pub fn in_configmaps(_src: &str, _file: &Location) -> Vec<Credential> {
    Vec::new()
}

/// What to do about one: the same words for verify's problem and seal's note.
pub const MOVE_TO_SECRET: &str =
    "a credential in a ConfigMap (its key says so): plain text in git and in the cluster, \
where kseal cannot seal it. Move it into a Secret (`kseal seal` seals that), and read it with \
`secretKeyRef` or `envFrom: secretRef`";
