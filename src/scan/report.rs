//! Scan output: readable text grouped by Secret, or JSON lines. Both name keys and fingerprints,
//! never values.

use std::collections::BTreeSet;
use std::fmt::Write;

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
        let what = match f.source {
            super::Source::Secret => "plaintext Secret",
            super::Source::SecretGenerator => "plaintext secretGenerator literals",
            super::Source::LastApplied => "plaintext Secret in a last-applied-configuration annotation",
        };
        let _ = writeln!(
            out,
            "{bold}{}:{}{reset}: {red}{what}{reset} {}",
            printable(&f.path),
            f.line,
            printable(&f.display_name())
        );
        if let (Some(commit), Some(date)) = (&f.commit, &f.date) {
            let head = if f.at_head == Some(true) {
                "still at HEAD"
            } else {
                "no longer at HEAD"
            };
            let _ = writeln!(
                out,
                "    introduced in {} ({date}), {head}",
                &commit[..commit.len().min(12)]
            );
            if !f.refs.is_empty() {
                let shown: Vec<&str> = f.refs.iter().take(5).map(String::as_str).collect();
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
            let kind = k.kind.map(|k| format!(", {k}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "    {} (line {}, fingerprint {}{kind})",
                printable(&k.key),
                k.line,
                k.fingerprint
            );
        }
    }
    out
}

/// JSON lines: one object per finding.
pub fn json_lines(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&serde_json::to_string(f).expect("findings serialize"));
        out.push('\n');
    }
    out
}

/// Fingerprints listed in a baseline file: any JSON lines a previous `scan --format json` wrote
/// (every `"fingerprint"` in it counts), or plain lines of 8 hex characters.
pub fn parse_baseline(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(v) => collect_fingerprints(&v, &mut out),
            Err(_) if line.len() == 8 && line.bytes().all(|b| b.is_ascii_hexdigit()) => {
                out.insert(line.to_ascii_lowercase());
            }
            Err(_) => {}
        }
    }
    out
}

fn collect_fingerprints(v: &serde_json::Value, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("fingerprint", serde_json::Value::String(s)) => {
                        out.insert(s.clone());
                    }
                    _ => collect_fingerprints(v, out),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_fingerprints(v, out)),
        _ => {}
    }
}

/// Drops keys whose fingerprint is in the baseline, and findings left without keys.
pub fn apply_baseline(findings: &mut Vec<Finding>, baseline: &BTreeSet<String>) {
    for f in findings.iter_mut() {
        f.keys.retain(|k| !baseline.contains(&k.fingerprint));
    }
    findings.retain(|f| !f.keys.is_empty());
}

/// The rules kseal reports, in SARIF `tool.driver.rules` order.
const RULES: [(super::Source, &str, &str); 3] = [
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
];

/// SARIF 2.1.0, as GitHub code scanning accepts it: one result per finding, located at its first
/// plaintext key, with every key as a related location and the value fingerprints as partial
/// fingerprints (so an alert stays the same alert while the value does).
pub fn sarif(findings: &[Finding]) -> String {
    use serde_json::json;
    let rules: Vec<serde_json::Value> = RULES
        .iter()
        .map(|(source, name, help)| {
            json!({
                "id": source.rule_id(),
                "name": name,
                "shortDescription": {"text": format!("{name}: a plaintext credential in a Kubernetes manifest")},
                "fullDescription": {"text": help},
                "help": {"text": help},
                "defaultConfiguration": {"level": "error"},
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            let rule_index = RULES.iter().position(|(s, _, _)| *s == f.source).unwrap_or(0);
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
                            "artifactLocation": {"uri": f.path},
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
                properties["refs"] = json!(f.refs);
            }
            json!({
                "ruleId": f.source.rule_id(),
                "ruleIndex": rule_index,
                "level": "error",
                "message": {"text": format!("Plaintext values in {} {}: {}", match f.source {
                    super::Source::SecretGenerator => "secretGenerator",
                    _ => "Secret",
                }, f.display_name(), keys.join(", "))},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.path},
                        "region": {"startLine": f.line},
                    },
                }],
                "relatedLocations": related,
                "partialFingerprints": {"ksealValueFingerprints/v1": fingerprints.join(",")},
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
}
