//! Whether a value is a plaintext secret, a placeholder, or exempt (sealed, another tool's
//! ciphertext, a template), and what kind of credential it looks like.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use memchr::memmem;

use crate::finding::{KeyHit, ValueId};
use kseal_core::manifest::secret::{state_of, Field, ValueState};
use kseal_core::manifest::tree::Node;

/// Values that are not plaintext secrets, by the one classifier every kseal reader uses
/// (`manifest::secret::state_of`): empty, sealed or damaged kseal values (a damaged one is an error
/// for the other commands, but no leaked plaintext), other tools' ciphertext, Helm / envsubst
/// templates. `field` is how the value is written: `data` (base64) or anything else (text).
pub(crate) fn is_exempt(field: Field, text: &str) -> bool {
    text.trim().is_empty() || !matches!(state_of(field, text), ValueState::Plain)
}

/// Obvious placeholders: whole values like `changeme`, `<REPLACE_ME>`, `XXXX-XXXX`, `****`, or
/// text asking to be replaced ("replace this with...", `your-password-here`). They are reported
/// as their own class, which does not fail the scan: nobody needs to rotate `changeme`.
pub fn is_placeholder(value: &[u8]) -> bool {
    let v = String::from_utf8_lossy(value).trim().to_ascii_lowercase();
    // Whole values chart authors and docs use as stand-ins (`password: password`, `foo`/`bar`).
    const WHOLE: &[&str] = &[
        "changeme",
        "changeit",
        "replaceme",
        "todo",
        "tbd",
        "fixme",
        "placeholder",
        "redacted",
        "dummy",
        "example",
        "password",
        "secret",
        "foo",
        "bar",
        "baz",
        "test",
    ];
    const INSIDE: &[&str] = &[
        "changeme",
        "change-me",
        "change_me",
        "change me",
        "replace me",
        "replace-me",
        "replace_me",
        "replaceme",
        "replace this",
        "replace with",
        "replace_with",
        "your-",
        "your_",
        "your ",
        "insert your",
        "put your",
    ];
    let masks = v.chars().filter(|c| matches!(c, 'x' | '*')).count();
    (v.starts_with('<') && v.ends_with('>'))
        || (masks >= 3 && v.chars().all(|c| matches!(c, 'x' | '*' | '-' | '_' | '.' | ' ')))
        || WHOLE.contains(&v.as_str())
        || v.starts_with("replace")
        || INSIDE.iter().any(|w| v.contains(w))
}

/// What a value looks like, from its key name, the Secret type and its bytes.
pub(crate) fn classify(key: &str, secret_type: Option<&str>, value: &[u8]) -> Option<&'static str> {
    let has = |needle: &[u8]| memmem::find(value, needle).is_some();
    let key_l = key.to_ascii_lowercase();
    if has(b"-----BEGIN") && has(b"PRIVATE KEY-----") {
        Some("PEM private key")
    } else if (key == ".dockerconfigjson" || key == ".dockercfg") && has(b"\"auth") {
        Some("registry credentials (.dockerconfigjson with auth)")
    } else if secret_type == Some("kubernetes.io/basic-auth")
        || key_l.contains("password")
        || key_l == "passwd"
    {
        Some("password")
    } else if key_l.contains("token") || secret_type == Some("kubernetes.io/service-account-token") {
        Some("token")
    } else if key_l.contains("key") || key_l.contains("secret") {
        Some("key")
    } else {
        None
    }
}

pub(crate) fn str_at<'a>(node: &'a Node, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(node, |n, k| n.get(k)).and_then(Node::as_str)
}

/// A v1 Secret, or a KsealSecret (the controller's kind, shaped and read as a Secret): plaintext
/// in either is a leak.
pub(crate) fn is_secret(node: &Node) -> bool {
    is_v1(node, "Secret") || kseal_core::manifest::secret::is_kseal_secret(node)
}

pub(crate) fn is_v1(node: &Node, kind: &str) -> bool {
    str_at(node, &["kind"]) == Some(kind)
        && str_at(node, &["apiVersion"]).is_some_and(kseal_core::manifest::secret::is_core_v1)
}

/// One key of a Secret's `data` or `stringData`, or `None` when its value is not a plaintext
/// secret. A `data` value that is not base64 cannot be stored by the API server as it is: it is
/// reported as a placeholder, fingerprinted as written.
pub(crate) fn secret_key_hit(
    field: &str,
    key: &str,
    text: &str,
    line: usize,
    secret_type: Option<&str>,
) -> Option<KeyHit> {
    let as_written = if field == "data" {
        Field::Data
    } else {
        Field::StringData
    };
    if is_exempt(as_written, text) {
        return None;
    }
    let mut not_base64 = false;
    let bytes = zeroize::Zeroizing::new(if field == "data" {
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        STANDARD.decode(compact).unwrap_or_else(|_| {
            not_base64 = true;
            text.as_bytes().to_vec()
        })
    } else {
        text.as_bytes().to_vec()
    });
    if bytes.is_empty() {
        return None;
    }
    Some(KeyHit {
        key: format!("{field}.{key}"),
        line,
        fingerprint: String::new(),
        kind: classify(key, secret_type, &bytes),
        at_head: None,
        value: ValueId::of(&bytes),
        placeholder: not_base64 || is_placeholder(&bytes),
        feeds: None,
    })
}

/// A literal `KEY=VALUE` (generator literal, env file line), or `None` when it is exempt.
pub(crate) fn literal_hit(key: &str, value: &str, line: usize) -> Option<KeyHit> {
    // A literal becomes a value as written; it may also hold a sealed `data` value (base64).
    if is_exempt(Field::StringData, value) || is_exempt(Field::Data, value) {
        return None;
    }
    Some(KeyHit {
        key: key.to_string(),
        line,
        fingerprint: String::new(),
        kind: classify(key, None, value.as_bytes()),
        at_head: None,
        value: ValueId::of(value.as_bytes()),
        placeholder: is_placeholder(value.as_bytes()),
        feeds: None,
    })
}
