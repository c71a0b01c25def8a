//! Scan output: readable text grouped by Secret, or JSON lines. Both name keys and fingerprints,
//! never values.

use std::fmt::Write;

use super::Class;
use super::Finding;

/// A path, name or key for the terminal: control characters (a file named with an escape
/// sequence, a newline) are shown escaped, never sent raw.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(char::is_control) {
        s.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect::<String>()
            .into()
    } else {
        s.into()
    }
}

/// Readable text: one block per Secret. `color` adds ANSI bold/red (a terminal without NO_COLOR).
pub fn text(findings: &[Finding], color: bool) -> String {
    let (bold, red, reset) = if color {
        ("\x1b[1m", "\x1b[31m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    let mut out = String::new();
    for f in findings {
        let what = match (f.class, f.source) {
            (Class::Placeholder, _) => "placeholder values (not failing) in",
            (_, super::Source::Secret) => "plaintext Secret",
            (_, super::Source::SecretGenerator) => "plaintext secretGenerator literals",
            (_, super::Source::LastApplied) => "plaintext Secret in a last-applied-configuration annotation",
            (_, super::Source::AgeIdentity) => "age identity (a private key) for",
            (_, super::Source::ConfigMap) => "credential in ConfigMap (move it to a sealed Secret)",
            (_, super::Source::PodEnv) => {
                "credential as a literal env value in (use a sealed Secret and secretKeyRef)"
            }
            (_, super::Source::HelmValues) => {
                "credential in a Helm values file (seal it: kseal seal --raw, or an existing Secret)"
            }
            (_, super::Source::ConfigMapGenerator) => {
                "credential in a configMapGenerator (make it a secretGenerator, sealed)"
            }
            (_, super::Source::KnownFormat) => "known credential format in (move it to a sealed Secret)",
            (_, super::Source::Kubeconfig) => {
                "kubeconfig with an embedded credential (keep it out of git; rotate the key or token)"
            }
        };
        let red = if f.class == Class::Placeholder { "" } else { red };
        let _ = writeln!(
            out,
            "{bold}{}:{}{reset}: {red}{what}{reset} {}",
            printable(&f.path),
            f.line,
            printable(&f.display_name())
        );
        if let (Some(commit), Some(date)) = (&f.commit, &f.date) {
            let head = match (&f.head_path, f.at_head) {
                (Some(p), Some(true)) if *p != f.path => format!("still at HEAD in {}", printable(p)),
                (_, Some(true)) => "still at HEAD".to_string(),
                _ => {
                    let still: Vec<&str> = f
                        .keys
                        .iter()
                        .filter(|k| k.at_head == Some(true))
                        .map(|k| k.key.as_str())
                        .collect();
                    if still.is_empty() {
                        "no longer at HEAD".to_string()
                    } else {
                        format!(
                            "no longer at HEAD as a whole (HEAD still holds {})",
                            printable(&still.join(", "))
                        )
                    }
                }
            };
            let _ = writeln!(
                out,
                "    introduced in {} ({date}), {head}",
                &commit[..commit.len().min(12)]
            );
            if !f.refs.is_empty() {
                let shown: Vec<&str> = f.refs.iter().take(5).map(|r| &**r).collect();
                let more = f.refs.len().saturating_sub(5);
                let more = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                let _ = writeln!(out, "    reachable from {}{more}", shown.join(", "));
            }
        }
        for k in &f.keys {
            let kind = k.kind.map(|k| format!(", looks like: {k}")).unwrap_or_default();
            // A values key: where the chart puts it says the fix (see `charts`).
            let feeds = match &k.feeds {
                Some(t) if t.secret => format!("; {} puts it in a Secret", printable(&t.template)),
                Some(t) => format!(
                    "; {} puts it in plain config, not a Secret",
                    printable(&t.template)
                ),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "    {} (line {}, fingerprint {}{kind}{feeds})",
                printable(&k.key),
                k.line,
                k.fingerprint
            );
        }
    }
    out
}

/// JSON lines: one object per finding.
pub fn json_lines(findings: &[Finding], out: &mut impl std::io::Write) -> std::io::Result<()> {
    // Written as it goes: on helm/charts the lines are 33 MB (each finding lists the refs that
    // reach it), which built as one string first raised the scan's peak memory by as much.
    for f in findings {
        serde_json::to_writer(&mut *out, f)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// A path as a relative URI reference: every byte but unreserved characters and `/` is
/// percent-encoded (spaces, `#`, `%`, `:` in the first segment, non-ASCII), as RFC 3986 and
/// Microsoft's SARIF validator require.
pub fn uri(path: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'/');
    percent_encoding::utf8_percent_encode(path, KEEP).to_string()
}

/// The rules kseal reports, in SARIF `tool.driver.rules` order.
const RULES: [(super::Source, &str, &str); 10] = [
    (
        super::Source::Secret,
        "PlaintextSecret",
        "A Kubernetes Secret with a value that is not sealed. Seal it (`kseal seal -w FILE`) and rotate the credential: it is in the git history.",
    ),
    (
        super::Source::SecretGenerator,
        "PlaintextSecretGenerator",
        "A kustomize secretGenerator literal holds a plaintext value. Move it into a sealed Secret and rotate the credential.",
    ),
    (
        super::Source::LastApplied,
        "PlaintextLastApplied",
        "A kubectl.kubernetes.io/last-applied-configuration annotation holds a plaintext Secret. Remove the annotation and rotate the credential.",
    ),
    (
        super::Source::AgeIdentity,
        "AgeIdentity",
        "An age identity (AGE-SECRET-KEY-1...) is committed: it opens everything sealed to its public key. Rotate the key pair (kseal keygen, then reseal) and remove the file.",
    ),
    (
        super::Source::ConfigMap,
        "ConfigMapCredential",
        "A ConfigMap data entry holds a credential (its key says password, token, secret or key, or it is a URL with a password). ConfigMaps are for non-sensitive data: move it to a Secret, seal it, and rotate the credential.",
    ),
    (
        super::Source::PodEnv,
        "EnvCredential",
        "A container's env value is a literal credential, readable by anyone who can read the workload. Put it in a sealed Secret, reference it with valueFrom.secretKeyRef, and rotate the credential.",
    ),
    (
        super::Source::HelmValues,
        "HelmValuesCredential",
        "A Helm values file holds a credential in plain text: its key says password, token, secret or key, or its value has a known credential format or is a URL with a password. Put the sealed value there instead (kseal seal --raw -n NS --name SECRET --key KEY), or point the chart at an existing sealed Secret, and rotate the credential.",
    ),
    (
        super::Source::ConfigMapGenerator,
        "ConfigMapGeneratorCredential",
        "A kustomize configMapGenerator literal or env file holds a credential: the ConfigMap it makes is for non-sensitive data. Move it to a sealed Secret (or a secretGenerator whose output you seal), and rotate the credential.",
    ),
    (
        super::Source::KnownFormat,
        "KnownCredentialFormat",
        "A value in a manifest has a known credential format (AWS access key id, GitHub or GitLab token, Slack token, Stripe live key, Google API key, PEM private key, signed JWT). Move it to a sealed Secret, reference it from there, and rotate the credential.",
    ),
    (
        super::Source::Kubeconfig,
        "KubeconfigCredential",
        "A kubeconfig embeds a credential (client-key-data, token or password under users): whoever reads the repository can act as that user, and an admission kubeconfig from `kseal cluster webhook install -o` holds the API server's client key. Remove the file, keep it outside the repository (or ignored), and rotate the credential (`kseal cluster webhook rotate-cert` for the admission one).",
    ),
];

/// Placeholders get a rule of their own, at level `note`: nothing to rotate.
const PLACEHOLDER_RULE: (&str, &str, &str) = (
    "kseal/placeholder",
    "PlaceholderValue",
    "A Secret holds a placeholder (changeme, <REPLACE_ME>, XXXX, a data value that is not base64) in plaintext. Nothing to rotate; seal the real value when there is one.",
);

/// SARIF 2.1.0, as GitHub code scanning accepts it: one result per finding, located at its first
/// plaintext key, with every key as a related location and the value fingerprints as partial
/// fingerprints (so an alert stays the same alert while the value does).
pub fn sarif(findings: &[Finding]) -> String {
    use serde_json::json;
    let rule = |id: &str, name: &str, help: &str, level: &str| {
        json!({
            "id": id,
            "name": name,
            "shortDescription": {"text": format!("{name}: a plaintext credential in a Kubernetes manifest")},
            "fullDescription": {"text": help},
            "help": {"text": help},
            "defaultConfiguration": {"level": level},
        })
    };
    let mut rules: Vec<serde_json::Value> = RULES
        .iter()
        .map(|(source, name, help)| rule(source.rule_id(), name, help, "error"))
        .collect();
    let (id, name, help) = PLACEHOLDER_RULE;
    rules.push(rule(id, name, help, "note"));
    let results: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            let (rule_id, rule_index, level) = if f.class == Class::Placeholder {
                (PLACEHOLDER_RULE.0, RULES.len(), "note")
            } else {
                let i = RULES.iter().position(|(s, _, _)| *s == f.source).unwrap_or(0);
                (f.source.rule_id(), i, "error")
            };
            let keys: Vec<String> = f
                .keys
                .iter()
                .map(|k| format!("{} (fingerprint {})", k.key, k.fingerprint))
                .collect();
            let related: Vec<serde_json::Value> = f
                .keys
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    json!({
                        "id": i,
                        "message": {"text": format!("{} (fingerprint {})", k.key, k.fingerprint)},
                        "physicalLocation": {
                            "artifactLocation": {"uri": uri(&f.path)},
                            "region": {"startLine": k.line},
                        },
                    })
                })
                .collect();
            let fingerprints: Vec<&str> = f.keys.iter().map(|k| k.fingerprint.as_str()).collect();
            let mut properties = json!({"document": f.document});
            if let (Some(commit), Some(date)) = (&f.commit, &f.date) {
                properties["commit"] = json!(commit);
                properties["authorDate"] = json!(date);
                properties["atHead"] = json!(f.at_head == Some(true));
                if let Some(p) = &f.head_path {
                    properties["headPath"] = json!(p);
                }
                properties["refs"] = json!(f.refs);
            }
            json!({
                "ruleId": rule_id,
                "ruleIndex": rule_index,
                "level": level,
                "message": {"text": format!("Plaintext values in {} {}: {}", match f.source {
                    super::Source::SecretGenerator => "secretGenerator",
                    super::Source::AgeIdentity => "the age identity of",
                    super::Source::ConfigMap => "ConfigMap",
                    super::Source::PodEnv => "the env of",
                    super::Source::HelmValues => "Helm values",
                    super::Source::ConfigMapGenerator => "configMapGenerator",
                    super::Source::KnownFormat => "the manifest",
                    super::Source::Kubeconfig => "the kubeconfig",
                    _ => "Secret",
                }, f.display_name(), keys.join(", "))},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(&f.path)},
                        "region": {"startLine": f.line},
                    },
                }],
                "relatedLocations": related,
                "partialFingerprints": {"ksealFindingFingerprints/v2": fingerprints.join(",")},
                "properties": properties,
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "kseal",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).expect("SARIF serializes") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_the_terminal_raw() {
        assert_eq!(printable("a\x1b[31mb\nc.yaml"), "a\\u{1b}[31mb\\nc.yaml");
        assert_eq!(printable("plain/path.yaml"), "plain/path.yaml");
    }

    #[test]
    fn sarif_uris_are_percent_encoded() {
        assert_eq!(uri("a b/c#d%e.yaml"), "a%20b/c%23d%25e.yaml");
        assert_eq!(uri("v1:secret.yaml"), "v1%3Asecret.yaml");
        assert_eq!(uri("dir/ü.yaml"), "dir/%C3%BC.yaml");
        assert_eq!(uri("plain/path-1_2.~yaml"), "plain/path-1_2.~yaml");
    }
}
