//! Scan output: readable text grouped by Secret, or JSON lines. Both name keys and fingerprints,
//! never values.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::Finding;

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
            f.path,
            f.line,
            f.display_name()
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
        }
        for k in &f.keys {
            let kind = k.kind.map(|k| format!(", {k}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "    {} (line {}, fingerprint {}{kind})",
                k.key, k.line, k.fingerprint
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
