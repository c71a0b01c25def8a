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
    "template",
    "duration",
    "interval",
    "attempts",
    "retry",
    "timeout",
    "cache",
    "annotations",
    "labels",
    "selector",
    // Where a credential comes from or how it is used (`BASIC_AUTH_CREDENTIALS_SOURCE:
    // USER_INFO`, seen on helm/charts).
    "source",
    "provider",
    "mode",
    "method",
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
#[cfg(test)]
fn names_credential(name: &str) -> bool {
    says_credential(&words(name))
}

/// Whether a key name's [`words`] say its value is a credential.
fn says_credential(w: &[String]) -> bool {
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
/// vendor's public description of its tokens: (what it is, the token's pattern). A key's value
/// must be the token whole; the rule for any other place in a manifest finds it inside text, at
/// word boundaries (`--token=ghp_...`, a config file in a ConfigMap).
const FORMATS: &[(&str, &str)] = &[
    // AWS: access key ids are 20 characters, AKIA (long-term) or ASIA (temporary) + 16 of [A-Z2-7].
    ("AWS access key id", r"(?:AKIA|ASIA)[A-Z2-7]{16}"),
    // GitHub: ghp_/gho_/ghu_/ghs_/ghr_ + 36 alphanumerics; fine-grained github_pat_ + 82.
    (
        "GitHub token",
        r"(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{82})",
    ),
    // GitLab personal/project/group access tokens: glpat- + 20 or more of [A-Za-z0-9_-].
    ("GitLab token", r"glpat-[A-Za-z0-9_-]{20,}"),
    // Slack: xoxb- (bot), xoxp- (user), xoxa-/xoxr-/xoxs-, then dash-separated digits and text.
    ("Slack token", r"xox[abprs]-[0-9]{8,}-[0-9A-Za-z-]{8,}"),
    // Stripe live secret and restricted keys: sk_live_ / rk_live_ + 24 or more alphanumerics.
    ("Stripe live key", r"[sr]k_live_[0-9A-Za-z]{24,}"),
    // Google API keys: AIza + 35 of [0-9A-Za-z_-].
    ("Google API key", r"AIza[0-9A-Za-z_-]{35}"),
    // A PEM private key block (RSA, EC, OpenSSH, PKCS#8...): its header, wherever it is.
    ("PEM private key", r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    // A signed JWT: three base64url parts, the first two JSON objects (`eyJ` is base64 of `{"`).
    (
        "JWT",
        r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}",
    ),
];

/// The patterns of [`FORMATS`], compiled once: the whole value (a PEM header anywhere in it), and
/// inside text between word boundaries.
fn format_patterns() -> &'static [(regex::Regex, regex::Regex)] {
    static RES: std::sync::OnceLock<Vec<(regex::Regex, regex::Regex)>> = std::sync::OnceLock::new();
    RES.get_or_init(|| {
        FORMATS
            .iter()
            .map(|(what, body)| {
                let whole = if what.starts_with("PEM") {
                    body.to_string()
                } else {
                    format!("^{body}$")
                };
                let inside = format!(r"(?:^|[^A-Za-z0-9_+/-])({body})(?:$|[^A-Za-z0-9_+/=-])");
                (
                    regex::Regex::new(&whole).expect("a valid pattern"),
                    regex::Regex::new(&inside).expect("a valid pattern"),
                )
            })
            .collect()
    })
}

/// The prefixes of [`FORMATS`]' tokens, in one automaton: the prefilter for every format rule, so
/// that the regular expressions only run on text that may match.
pub(crate) fn has_format_prefix(bytes: &[u8]) -> bool {
    // One regular expression of literals: the regex crate searches them together with SIMD
    // (Teddy), several times faster here than an Aho-Corasick automaton over the same words.
    static PREFIXES: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    PREFIXES
        .get_or_init(|| {
            regex::bytes::Regex::new(
                r"AKIA|ASIA|gh[pousr]_|github_pat_|glpat-|xox[abprs]-|k_live_|AIza|PRIVATE KEY-----|eyJ",
            )
            .expect("a valid pattern")
        })
        .is_match(bytes)
}

/// What known credential format `value` has, if any (the whole value is the token).
pub(crate) fn known_format(value: &str) -> Option<&'static str> {
    let v = value.trim();
    if !has_format_prefix(v.as_bytes()) {
        return None;
    }
    FORMATS
        .iter()
        .zip(format_patterns())
        .find(|(_, (whole, _))| whole.is_match(v))
        .map(|((what, _), _)| *what)
}

/// The first known credential format inside `text`, with the byte offset where it starts.
pub(crate) fn known_format_in(text: &str) -> Option<(&'static str, usize)> {
    if !has_format_prefix(text.as_bytes()) {
        return None;
    }
    FORMATS
        .iter()
        .zip(format_patterns())
        .filter_map(|((what, _), (_, inside))| {
            let token = inside.captures(text)?.get(1)?;
            Some((*what, token.start()))
        })
        .min_by_key(|(_, at)| *at)
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
            "true" | "false" | "yes" | "no" | "null" | "~"
        )
        || v.chars().all(|c| c.is_ascii_digit() || c == '.')
        || is_duration(v)
        // A template reference that lost its braces (`value: .Values.initdbPassword`), and a file's
        // name (`DEFAULT_SECRET_KEY: key.json`): both seen in helm/charts' templates.
        || v.starts_with(".Values.")
        || v.starts_with(".Release.")
        || is_file_name(v)
}

/// A bare file name with an extension files of keys and settings have (`key.json`, `tls.pem`).
fn is_file_name(v: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        "json",
        "pem",
        "key",
        "crt",
        "cert",
        "p12",
        "pfx",
        "jks",
        "yaml",
        "yml",
        "txt",
        "conf",
        "cfg",
        "ini",
        "env",
        "properties",
    ];
    let Some((stem, ext)) = v.rsplit_once('.') else {
        return false;
    };
    !stem.is_empty()
        && stem
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
}

/// A Go duration (`720h`, `30s`, `1h30m`): a token's lifetime, not a token.
fn is_duration(v: &str) -> bool {
    let mut digits = false;
    let mut unit = false;
    for c in v.chars() {
        if c.is_ascii_digit() {
            digits = true;
        } else if digits && matches!(c, 'h' | 'm' | 's' | 'd' | 'w') {
            unit = true;
            digits = false;
        } else {
            return false;
        }
    }
    unit && !digits
}

/// A hit for `key` = `value` at `line`, or `None` when neither the name nor the value says
/// credential.
pub(crate) fn hit(key: String, name: &str, value: &str, line: usize) -> Option<KeyHit> {
    if is_not_a_credential(value) {
        return None;
    }
    let w = words(name);
    let kind = if let Some(format) = known_format(value) {
        format
    } else if has_url_password(value) {
        "connection string with a password"
    } else if says_credential(&w) && !names_a_secret_object(&w, name, value) {
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
        placeholder: is_placeholder(value.as_bytes()) || names_itself(value),
        feeds: None,
    })
}

/// Whether `value`, under a key whose only credential word, or last word, is `secret` (`tlsSecret`,
/// `pullSecret`, `basicAuth.secret`, `credentialsSecret`), is the name of a Kubernetes Secret rather than a secret: a
/// lowercase DNS-1123 name, as every object name is. (`password`, `token`, `api key`, `client
/// secret`... always mean the value itself.)
fn names_a_secret_object(w: &[String], name: &str, value: &str) -> bool {
    let says_secret = w.last().is_some_and(|x| x == "secret" || x == "secrets")
        || (w.iter().any(|x| x == "secret")
            && !w
                .iter()
                .any(|x| CREDENTIAL.contains(&x.as_str()) && x != "secret"));
    let compact = name.to_ascii_lowercase().replace(['_', '-', '.'], "");
    let only_secret = says_secret
        && !["clientsecret", "accesskey", "secretkey", "accesssecret"]
            .iter()
            .any(|w| compact.contains(w));
    let v = value.trim();
    only_secret
        && (1..=253).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && v.starts_with(|c: char| c.is_ascii_alphanumeric())
        && v.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// Whether a value only names what it stands for (`clientSecret`, `somepassword`,
/// `client-password`, `oktaAppSecretKey`: letters and separators around a credential word) or
/// stands for nothing (`none`, `'""'`): placeholders chart authors write.
fn names_itself(value: &str) -> bool {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    // Stand-ins for "no value": `none`, a quoted empty string written inside quotes.
    if matches!(lower.as_str(), "none" | "nil" | "\"\"" | "''") {
        return true;
    }
    v.bytes()
        .all(|b| b.is_ascii_alphabetic() || b == b'-' || b == b'_' || b == b' ')
        && [
            "password", "passwd", "secret", "token", "apikey", "api_key", "api-key",
        ]
        .iter()
        .any(|w| lower.contains(w))
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

/// Whether `path` is a Helm values file: `values.yaml` or `values-NAME.yaml` (`.yml` too), where
/// charts keep their defaults and deployers their overrides.
pub fn is_values_path(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let Some(stem) = name.strip_suffix(".yaml").or_else(|| name.strip_suffix(".yml")) else {
        return false;
    };
    stem == "values" || stem.strip_prefix("values-").is_some_and(|rest| !rest.is_empty())
}

/// The credentials of a Helm values document: every string under a key whose name says credential
/// (or whose value has a known format, or is a URL with a password), named by its dotted path.
pub(crate) fn values_hits(root: &Node) -> Vec<KeyHit> {
    let mut out = Vec::new();
    walk_strings(root, &mut String::new(), "", &mut |path, name, node, text| {
        out.extend(hit(path.to_string(), name, text, node.line));
    });
    out
}

/// Known credential formats anywhere in a document that is a mapping or a list (annotations,
/// `args`, CRD specs, config files inside values), except where `skip` says another rule reads (a Secret's values). The key is
/// the dotted path of the string; its line is the token's.
pub(crate) fn anywhere_hits(root: &Node, skip: &dyn Fn(&str) -> bool) -> Vec<KeyHit> {
    let mut out = Vec::new();
    // A document that is one string (a `.pem` file, a README read as YAML) is no manifest.
    if matches!(root.kind, NodeKind::Scalar { .. }) {
        return out;
    }
    walk_strings(root, &mut String::new(), "", &mut |path, _, node, text| {
        if skip(path) || is_exempt(Field::StringData, text.trim()) {
            return;
        }
        let Some((what, at)) = known_format_in(text) else {
            return;
        };
        let newlines = text[..at].bytes().filter(|b| *b == b'\n').count();
        let token = text[at..].split(|c: char| c.is_whitespace()).next().unwrap_or("");
        out.push(KeyHit {
            key: path.to_string(),
            // A block scalar's node starts at its first content line already.
            line: node.line + newlines,
            fingerprint: String::new(),
            kind: Some(what),
            at_head: None,
            value: ValueId::of(text.as_bytes()),
            // AWS's documentation key `AKIAIOSFODNN7EXAMPLE` and its kind.
            placeholder: token.contains("EXAMPLE") || is_placeholder(token.as_bytes()),
            feeds: None,
        });
    });
    out
}

/// Calls `f(path, key name, node, text)` for every string scalar under `node`: mapping values by
/// dotted path (`a.b`), sequence items by index (`a[0]`, with the sequence's key as their name).
fn walk_strings(node: &Node, path: &mut String, name: &str, f: &mut dyn FnMut(&str, &str, &Node, &str)) {
    match &node.kind {
        NodeKind::Scalar { .. } if node.is_null() => {}
        NodeKind::Scalar { value, .. } => f(path, name, node, value),
        NodeKind::Mapping { entries, .. } => {
            for (k, v) in entries {
                let Some(key) = k.as_str() else { continue };
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                walk_strings(v, path, key, f);
                path.truncate(len);
            }
        }
        NodeKind::Sequence { items, .. } => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk_strings(item, path, "", f);
                path.truncate(len);
            }
        }
        // An alias holds no string of its own; a node kind added later is read as none.
        _ => {}
    }
}

/// The kustomization fields that list generators, and the finding each makes.
pub(crate) const GENERATORS: [(&str, Source); 2] = [
    ("secretGenerator", Source::SecretGenerator),
    ("configMapGenerator", Source::ConfigMapGenerator),
];

/// The hit for one `KEY=VALUE` of a generator (a literal, an env file's line, a file's content):
/// every value of a Secret generator, and the credentials of a ConfigMap generator.
pub(crate) fn generator_hit(source: Source, key: &str, value: &str, line: usize) -> Option<KeyHit> {
    match source {
        Source::SecretGenerator => crate::classify::literal_hit(key, value, line),
        _ => hit(key.to_string(), key, value, line),
    }
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
            "CONNECT_SCHEMA_REGISTRY_BASIC_AUTH_CREDENTIALS_SOURCE",
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
            ".Values.initdbPassword",
            "key.json",
            "service-account.JSON",
        ] {
            assert!(hit("k".into(), "password", v, 1).is_none(), "{v}");
        }
        assert!(hit("k".into(), "password", "Xk9#mQ2vLp8wRt5z", 1).is_some());
        assert!(
            hit("k".into(), "password", "hunter2.", 1).is_some(),
            "no extension"
        );
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

    #[test]
    fn values_files_are_named_values_and_secret_names_durations_and_stand_ins_are_not_credentials() {
        for yes in ["values.yaml", "chart/values.yml", "a/values-prod.yaml"] {
            assert!(is_values_path(yes), "{yes}");
        }
        for no in ["values-.yaml", "myvalues.yaml", "values.json", "config/app.yaml"] {
            assert!(!is_values_path(no), "{no}");
        }
        // A Secret's name under a key that only says "secret" is a reference, not a secret.
        assert!(hit("k".into(), "tlsSecret", "app-tls", 1).is_none());
        assert!(hit("k".into(), "credentialsSecret", "gcp-creds", 1).is_none());
        assert!(hit("k".into(), "secret", "Xk9#mQ2vLp8w", 1).is_some());
        assert!(hit("k".into(), "clientSecret", "abc-def-ghi", 1).is_some());
        assert!(hit("k".into(), "refreshToken", "720h", 1).is_none());
        assert!(hit("k".into(), "secretCacheDuration", "1m", 1).is_none());
        assert!(hit("k".into(), "password", "~", 1).is_none());
        for stand_in in ["clientSecret", "somepassword", "none", "'\"\"'"] {
            let v = stand_in.trim_matches('\'');
            assert!(
                hit("k".into(), "password", v, 1).unwrap().placeholder,
                "{stand_in}"
            );
        }
        assert!(
            !hit("k".into(), "password", "Xk9#mQ2vLp8w", 1)
                .unwrap()
                .placeholder
        );
    }

    #[test]
    fn formats_are_found_inside_text_at_word_boundaries_with_their_line() {
        let root = kseal_core::manifest::tree::parse(
            "a:\n  args: [\"--key=AKIAQ3EGQWERTY234567\"]\n  ini: |\n    x = 1\n    token = glpat-abcdefghij0123456789\n  b64: xAKIAQ3EGQWERTY234567\n  sealed: \"kseal:v2:strict:0:AKIAQ3EGQWERTY234567\"\n  doc: AKIAIOSFODNN7EXAMPLE\n",
        )
        .unwrap()
        .remove(0)
        .root
        .unwrap();
        let hits = anywhere_hits(&root, &|_| false);
        let shown: Vec<(&str, usize, bool)> = hits
            .iter()
            .map(|h| (h.key.as_str(), h.line, h.placeholder))
            .collect();
        assert_eq!(
            shown,
            [("a.args[0]", 2, false), ("a.ini", 5, false), ("a.doc", 8, true)]
        );
        let skipped = anywhere_hits(&root, &|p| p.starts_with("a.args"));
        assert_eq!(skipped.len(), 2);
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
