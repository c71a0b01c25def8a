//! Credentials where manifests put them besides Secrets: a ConfigMap's `data` ("ConfigMaps are for
//! non-sensitive data") and a literal `env[].value` of a Pod template, which anyone who can read
//! the workload reads. kseal reads these as Kubernetes does, so `valueFrom.secretKeyRef` is never a
//! finding, and a key reports only when its name says credential (or a value is a connection
//! string with a password): precision over recall, as the README says.

use crate::classify::{is_exempt, is_placeholder};
use crate::finding::{KeyHit, Source, ValueId};
use kseal_core::manifest::secret::Field;
use kseal_core::manifest::tree::{Node, NodeKind};

/// Words of a key name that say credential.
const CREDENTIAL: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "apikey",
    "privatekey",
    "credential",
    "credentials",
];

/// Words that say the key is about a credential, not one: where it is (`password_file`,
/// `token_url`), what it is called (`secret_name`, `existingSecret`), how it behaves.
const NOT_A_VALUE: &[&str] = &[
    "file",
    "path",
    "dir",
    "url",
    "uri",
    "endpoint",
    "ref",
    "name",
    "names",
    "existing",
    "length",
    "len",
    "min",
    "max",
    "enabled",
    "enable",
    "disabled",
    "required",
    "type",
    "kind",
    "policy",
    "ttl",
    "expiry",
    "expires",
    "expiration",
    "lifetime",
    "header",
    "field",
    "env",
    "mount",
    "volume",
    "id",
    "rotation",
];

/// The lower-case words of a key name: split at `_`, `-`, `.` and camelCase humps, with `api key`
/// and `private key` joined.
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    let mut joined = Vec::with_capacity(out.len());
    let mut i = 0;
    while i < out.len() {
        match (out[i].as_str(), out.get(i + 1).map(String::as_str)) {
            ("api" | "private" | "access" | "client", Some("key" | "secret")) => {
                joined.push(if out[i] == "private" || out[i] == "api" {
                    format!("{}key", out[i])
                } else {
                    "secret".into()
                });
                i += 2;
            }
            _ => {
                joined.push(out[i].clone());
                i += 1;
            }
        }
    }
    joined
}

/// Whether a key name says its value is a credential.
pub(crate) fn names_credential(name: &str) -> bool {
    let w = words(name);
    w.iter().any(|x| CREDENTIAL.contains(&x.as_str())) && !w.iter().any(|x| NOT_A_VALUE.contains(&x.as_str()))
}

/// A URL with a password in it: `scheme://user:password@host`.
fn has_url_password(value: &str) -> bool {
    let Some(at) = value.find("://") else { return false };
    let rest = &value[at + 3..];
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .is_some_and(|(_, pass)| !pass.is_empty() && !pass.starts_with('$') && !pass.starts_with('{'))
}

/// The vendor formats a value is recognised by whatever its key is called, each written from the
/// vendor's public description of its tokens: (what it is, pattern over the whole value).
const FORMATS: &[(&str, &str)] = &[
    // AWS: access key ids are 20 characters, AKIA (long-term) or ASIA (temporary) + 16 of [A-Z2-7].
    ("AWS access key id", r"^(AKIA|ASIA)[A-Z2-7]{16}$"),
    // GitHub: ghp_/gho_/ghu_/ghs_/ghr_ + 36 alphanumerics; fine-grained github_pat_ + 82.
    (
        "GitHub token",
        r"^(gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})$",
    ),
    // GitLab personal/project/group access tokens: glpat- + 20 or more of [A-Za-z0-9_-].
    ("GitLab token", r"^glpat-[A-Za-z0-9_-]{20,}$"),
    // Slack: xoxb- (bot), xoxp- (user), xoxa-/xoxr-/xoxs-, then dash-separated digits and text.
    ("Slack token", r"^xox[abprs]-[0-9]{8,}-[0-9A-Za-z-]{8,}$"),
    // Stripe live secret and restricted keys: sk_live_ / rk_live_ + 24 or more alphanumerics.
    ("Stripe live key", r"^[sr]k_live_[0-9A-Za-z]{24,}$"),
    // Google API keys: AIza + 35 of [0-9A-Za-z_-].
    ("Google API key", r"^AIza[0-9A-Za-z_-]{35}$"),
    // A PEM private key block (RSA, EC, OpenSSH, PKCS#8...).
    ("PEM private key", r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    // A signed JWT: three base64url parts, the first two JSON objects (`eyJ` is base64 of `{"`).
    (
        "JWT",
        r"^eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}$",
    ),
];

/// What known credential format `value` has, if any.
pub(crate) fn known_format(value: &str) -> Option<&'static str> {
    static RES: std::sync::OnceLock<Vec<regex::Regex>> = std::sync::OnceLock::new();
    let res = RES.get_or_init(|| {
        FORMATS
            .iter()
            .map(|(_, p)| regex::Regex::new(p).expect("a valid pattern"))
            .collect()
    });
    let v = value.trim();
    FORMATS
        .iter()
        .zip(res)
        .find(|(_, re)| re.is_match(v))
        .map(|((what, _), _)| *what)
}

/// Values that are no credential whatever the key says: empty, sealed or templated (exempt), a
/// path, a URL without a password, a boolean or a number.
fn is_not_a_credential(value: &str) -> bool {
    let v = value.trim();
    v.is_empty()
        || is_exempt(Field::StringData, v)
        || v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("~/")
        || (v.contains("://") && !has_url_password(v))
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "null"
        )
        || v.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// A hit for `key` = `value` at `line`, or `None` when neither the name nor the value says
/// credential.
fn hit(key: String, name: &str, value: &str, line: usize) -> Option<KeyHit> {
    if is_not_a_credential(value) {
        return None;
    }
    let kind = if let Some(format) = known_format(value) {
        format
    } else if has_url_password(value) {
        "connection string with a password"
    } else if names_credential(name) {
        let w = words(name);
        if w.iter().any(|x| x.starts_with("pass") || x == "pwd") {
            "password"
        } else if w.iter().any(|x| x == "token") {
            "token"
        } else {
            "key"
        }
    } else {
        return None;
    };
    Some(KeyHit {
        key,
        line,
        fingerprint: String::new(),
        kind: Some(kind),
        at_head: None,
        value: ValueId::of(value.as_bytes()),
        placeholder: is_placeholder(value.as_bytes()),
    })
}

/// A ConfigMap's `data` entries that hold credentials.
pub(crate) fn configmap_hits(cm: &Node) -> Vec<KeyHit> {
    cm.get("data")
        .and_then(Node::entries)
        .unwrap_or(&[])
        .iter()
        .filter_map(|(k, v)| {
            let name = k.as_str()?;
            hit(format!("data.{name}"), name, v.as_str()?, v.line)
        })
        .collect()
}

/// The Pod spec of a workload: a Pod's `spec`, a CronJob's job template's, else `spec.template.spec`
/// of any kind that has one (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, and others').
fn pod_spec<'a>(obj: &'a Node, kind: &str) -> Option<&'a Node> {
    let at = |path: &[&str]| path.iter().try_fold(obj, |n, k| n.get(k));
    match kind {
        "Pod" => at(&["spec"]),
        "CronJob" => at(&["spec", "jobTemplate", "spec", "template", "spec"]),
        _ => at(&["spec", "template", "spec"]),
    }
}

/// Literal `env[].value`s of a workload's containers whose name (or value) says credential;
/// `valueFrom` is never one.
pub(crate) fn env_hits(obj: &Node, kind: &str) -> Vec<KeyHit> {
    let Some(spec) = pod_spec(obj, kind) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        let Some(NodeKind::Sequence { items, .. }) = spec.get(list).map(|n| &n.kind) else {
            continue;
        };
        for container in items {
            let cname = container.get("name").and_then(Node::as_str).unwrap_or("-");
            let Some(NodeKind::Sequence { items: env, .. }) = container.get("env").map(|n| &n.kind) else {
                continue;
            };
            for e in env {
                let (Some(name), Some(value)) = (e.get("name").and_then(Node::as_str), e.get("value")) else {
                    continue;
                };
                let Some(text) = value.as_str() else { continue };
                out.extend(hit(format!("{list}.{cname}.env.{name}"), name, text, value.line));
            }
        }
    }
    out
}

/// Which finding a kind's hits make, if any.
pub(crate) fn source_of(kind: &str) -> Source {
    if kind == "ConfigMap" {
        Source::ConfigMap
    } else {
        Source::PodEnv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_say_credential_or_where_one_is() {
        for yes in [
            "DB_PASSWORD",
            "password",
            "apiKey",
            "API_KEY",
            "client_secret",
            "githubToken",
            "private-key",
            "credentials",
            "STRIPE_SECRET_KEY",
            "redis.passwd",
        ] {
            assert!(names_credential(yes), "{yes}");
        }
        for no in [
            "password_file",
            "token_url",
            "secretName",
            "existingSecret",
            "passwordSecretRef",
            "PASSWORD_MIN_LENGTH",
            "tokenPath",
            "LOG_LEVEL",
            "keyspace",
            "api_key_header",
            "AWS_ACCESS_KEY_ID",
        ] {
            assert!(!names_credential(no), "{no}");
        }
    }

    #[test]
    fn values_that_are_no_credential_are_skipped() {
        for v in [
            "",
            "  ",
            "/etc/secret/password",
            "https://auth.example.com/token",
            "true",
            "8",
            "{{ .Values.db.password }}",
            "${DB_PASSWORD}",
            "kseal:v2:strict:00000000:AAAA",
        ] {
            assert!(hit("k".into(), "password", v, 1).is_none(), "{v}");
        }
        assert!(hit("k".into(), "password", "Xk9#mQ2vLp8wRt5z", 1).is_some());
        let url = hit(
            "k".into(),
            "DATABASE_URL",
            "postgres://app:s3cr3t-pw@db:5432/app",
            1,
        )
        .unwrap();
        assert_eq!(url.kind, Some("connection string with a password"));
        assert!(hit("k".into(), "DATABASE_URL", "postgres://app@db:5432/app", 1).is_none());
        assert!(hit("k".into(), "password", "changeme", 1).unwrap().placeholder);
    }

    /// Examples made for these tests from each vendor's published format (none is a real key).
    #[test]
    fn known_formats_are_found_whatever_the_key_is_called() {
        let examples = [
            ("AKIAQ3EGQWERTY234567", "AWS access key id"),
            ("ghp_0123456789abcdefghijABCDEFGHIJ012345", "GitHub token"),
            ("glpat-abcdefghij0123456789", "GitLab token"),
            ("xoxb-123456789012-abcdefghijkl", "Slack token"),
            ("sk_live_0123456789abcdefABCDEF01", "Stripe live key"),
            ("AIzaSyA0123456789abcdefghijABCDEFGHIJ_-", "Google API key"),
            (
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----\n",
                "PEM private key",
            ),
            (
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJlLXZhbHVlLWhlcmU",
                "JWT",
            ),
        ];
        for (value, what) in examples {
            assert_eq!(known_format(value), Some(what), "{value}");
            let h = hit("data.SETTING".into(), "SETTING", value, 1).unwrap();
            assert_eq!(h.kind, Some(what));
        }
        // Look-alikes: a test key (sk_test_), a short AKIA, a certificate, an unsigned JWT, text.
        for value in [
            "sk_test_0123456789abcdefABCDEF01",
            "AKIA1234",
            "-----BEGIN CERTIFICATE-----",
            "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0In0.",
            "ghp_short",
            "hello",
        ] {
            assert_eq!(known_format(value), None, "{value}");
            assert!(
                hit("data.SETTING".into(), "SETTING", value, 1).is_none(),
                "{value}"
            );
        }
    }
}
