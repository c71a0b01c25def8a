//! Committed kubeconfigs that embed a credential (issue 35): `kseal cluster webhook install -o`
//! writes one holding the API server's client key, and any `kubectl config view --raw` pasted
//! into a repository is the same leak. A kubeconfig is `kind: Config` (apiVersion `v1`) with a
//! `users` list; each user's `client-key-data`, `token` and `password` is a credential, reported
//! under `users[NAME].user.FIELD`. `client-key` and `tokenFile` name files (a PEM key committed
//! beside it is found by the known-format rule), and `exec`/`auth-provider` fetch credentials at
//! run time: neither is a value here, so neither is reported.

use kseal_core::manifest::tree::{Node, NodeKind};

use crate::classify::{literal_hit, str_at};
use crate::finding::KeyHit;

/// The user fields whose value is itself a credential.
const FIELDS: [&str; 3] = ["client-key-data", "token", "password"];

/// Whether `bytes` may hold such a kubeconfig: the prefilter. `Config` as well as `users`, since
/// values files with a `users:` list and a password are common in a history and are no kubeconfig.
pub(crate) fn may_hold(bytes: &[u8]) -> bool {
    let has = |w: &[u8]| memchr::memmem::find(bytes, w).is_some();
    has(b"Config") && has(b"users") && (has(b"client-key-data") || has(b"token") || has(b"password"))
}

/// Each embedded credential of a kubeconfig document (none when `root` is not one).
pub(crate) fn hits(root: &Node) -> Vec<KeyHit> {
    if str_at(root, &["kind"]) != Some("Config") || str_at(root, &["apiVersion"]) != Some("v1") {
        return Vec::new();
    }
    let Some(NodeKind::Sequence { items, .. }) = root.get("users").map(|n| &n.kind) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for user in items {
        let name = str_at(user, &["name"]).unwrap_or("");
        let Some(fields) = user.get("user") else { continue };
        for field in FIELDS {
            let Some(node) = fields.get(field) else { continue };
            let Some(value) = node.as_str() else { continue };
            out.extend(literal_hit(
                &format!("users[{name}].user.{field}"),
                value,
                node.line,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADMISSION: &str = "apiVersion: v1\nkind: Config\nusers:\n- name: kseal-webhook.kseal.svc\n  user:\n    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t\n    client-key-data: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JR0hBZ0VBTUJN\n- name: ops\n  user:\n    token: eyJhbGciOiJSUzI1NiJ9.abc.def\n- name: files\n  user:\n    client-key: /etc/kubernetes/pki/client.key\n    tokenFile: /var/run/token\n";

    fn keys(text: &str) -> Vec<(String, usize)> {
        let docs = kseal_core::manifest::tree::parse(text).unwrap();
        hits(docs[0].root.as_ref().unwrap())
            .into_iter()
            .map(|k| (k.key, k.line))
            .collect()
    }

    #[test]
    fn embedded_client_keys_and_tokens_are_hits() {
        assert!(may_hold(ADMISSION.as_bytes()));
        assert!(
            !may_hold(b"users:\n- name: a\n  password: x\n"),
            "a values file is no kubeconfig"
        );
        assert_eq!(
            keys(ADMISSION),
            [
                (
                    "users[kseal-webhook.kseal.svc].user.client-key-data".to_string(),
                    7
                ),
                ("users[ops].user.token".to_string(), 10)
            ]
        );
    }

    #[test]
    fn references_templates_and_other_kinds_are_not() {
        for text in [
            "apiVersion: v1\nkind: Config\nusers:\n- name: a\n  user:\n    client-key: /k\n    tokenFile: /t\n",
            "apiVersion: v1\nkind: Config\nusers:\n- name: a\n  user:\n    token: \"${TOKEN}\"\n    password: \"{{ .Values.password }}\"\n",
            "apiVersion: v1\nkind: Config\nusers:\n- name: a\n  user:\n    exec: {command: aws, args: [eks, get-token]}\n",
            "apiVersion: example.com/v1\nkind: Config\nusers:\n- name: a\n  user: {token: abc123abc123}\n",
        ] {
            assert!(keys(text).is_empty(), "{text}");
        }
    }
}
