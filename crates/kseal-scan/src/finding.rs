//! What a scan reports: findings, their keys, classes and fingerprints, and [`ValueId`], the
//! in-memory identity of a value. A finding never holds a value.
//!
//! Fingerprints name a finding, never a value: a hash of where it is (commit, path, Secret, key),
//! so nobody can confirm a guessed value from a report or a committed baseline (a hash of the
//! value would confirm "password" offline). Equality of values, which grouping, "still at HEAD"
//! and baselines need, is decided in memory with [`ValueId`], keyed by a random per-process key.

use std::sync::OnceLock;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The annotation that marks a plaintext Secret as intentional (test fixtures, examples).
pub const ALLOW_ANNOTATION: &str = "kseal.dev/allow-plaintext";
pub(crate) const LAST_APPLIED: &str = kseal_core::manifest::secret::LAST_APPLIED;
/// The prefix of an age X25519 identity: the very key kseal protects.
pub const AGE_IDENTITY: &str = "AGE-SECRET-KEY-1";

/// Where a finding came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Source {
    /// A `v1` Secret (or an item of a `v1` List).
    Secret,
    /// A kustomize `secretGenerator` literal.
    SecretGenerator,
    /// A Secret inside a `kubectl.kubernetes.io/last-applied-configuration` annotation.
    LastApplied,
    /// An age identity (`AGE-SECRET-KEY-1...`) in any file.
    AgeIdentity,
    /// A ConfigMap `data` entry whose key says credential (or a URL with a password).
    ConfigMap,
    /// A literal `env[].value` in a Pod template whose name says credential.
    PodEnv,
    /// A Helm values file (`values.yaml`, `values-*.yaml`) entry whose key says credential (or
    /// whose value has a known format).
    HelmValues,
    /// A kustomize `configMapGenerator` literal, or a line of an env file one reads, whose key says
    /// credential.
    ConfigMapGenerator,
    /// A known credential format (AWS, GitHub, GitLab, Slack, Stripe, Google, PEM private key, JWT)
    /// anywhere else in a YAML document: annotations, `args`, CRD specs.
    KnownFormat,
    /// A kubeconfig (`kind: Config`) whose users embed a client key, a token or a password.
    Kubeconfig,
}

impl Source {
    pub fn rule_id(self) -> &'static str {
        match self {
            Source::Secret => "kseal/plaintext-secret",
            Source::SecretGenerator => "kseal/plaintext-secret-generator",
            Source::LastApplied => "kseal/plaintext-last-applied",
            Source::AgeIdentity => "kseal/age-identity",
            Source::ConfigMap => "kseal/configmap-credential",
            Source::PodEnv => "kseal/env-credential",
            Source::HelmValues => "kseal/helm-values-credential",
            Source::ConfigMapGenerator => "kseal/configmap-generator-credential",
            Source::KnownFormat => "kseal/known-credential-format",
            Source::Kubeconfig => "kseal/kubeconfig-credential",
        }
    }

    /// Whether the fix is to move the value into a Secret (a credential outside Secrets), rather
    /// than to seal a Secret where it is.
    pub fn is_outside_secrets(self) -> bool {
        matches!(
            self,
            Source::ConfigMap
                | Source::PodEnv
                | Source::HelmValues
                | Source::ConfigMapGenerator
                | Source::KnownFormat
        )
    }
}

/// Whether a finding is a leak (exit 1) or only a placeholder (`changeme`, `<REPLACE_ME>`,
/// `XXXX`, a `data` value that is not base64): reported, but it does not fail the scan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Class {
    #[default]
    Leak,
    Placeholder,
}

/// The identity of a value inside one kseal process: HMAC-SHA256 under a key drawn at random when
/// the process starts (so it means nothing outside it), plus the first 4 bytes of SHA-256 of the
/// value, which baselines written by kseal before fingerprints v2 hold and which are only
/// compared, never printed. Its `Debug` shows neither.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ValueId {
    id: [u8; 16],
    legacy: [u8; 4],
}

impl std::fmt::Debug for ValueId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ValueId(..)")
    }
}

impl ValueId {
    pub fn of(value: &[u8]) -> ValueId {
        static KEY: OnceLock<[u8; 32]> = OnceLock::new();
        let key = KEY.get_or_init(|| {
            let mut k = [0u8; 32];
            rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut k);
            k
        });
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
        mac.update(value);
        let mut id = [0u8; 16];
        id.copy_from_slice(&mac.finalize().into_bytes()[..16]);
        let mut legacy = [0u8; 4];
        legacy.copy_from_slice(&Sha256::digest(value)[..4]);
        ValueId { id, legacy }
    }

    /// Whether a pre-v2 fingerprint (8 hex of SHA-256 of the value) names this value.
    pub fn matches_legacy(&self, hex8: &str) -> bool {
        hex::decode(hex8).is_ok_and(|b| b == self.legacy)
    }
}

/// One plaintext key of a finding.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct KeyHit {
    /// `data.KEY`, `stringData.KEY`, the literal's key, or `identity`.
    pub key: String,
    pub line: usize,
    /// Names this key of this finding (see [`fingerprint`]); says nothing about the value.
    pub fingerprint: String,
    /// What the value looks like, when recognisable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// History mode: whether HEAD still holds this key with this value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_head: Option<bool>,
    #[serde(skip)]
    pub value: ValueId,
    #[serde(skip)]
    pub placeholder: bool,
    /// A Helm values key: the chart's template that reads it (see [`crate::charts`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feeds: Option<Feeds>,
}

/// The template of a chart that reads a values key, and whether it renders a Secret.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Feeds {
    pub template: String,
    pub secret: bool,
}

impl KeyHit {
    /// The key as compared across versions of a file and across findings (at HEAD, baselines):
    /// its name without `data.`/`stringData.` (moving a value between the two does not change
    /// what is stored), and its value.
    pub fn identity(&self) -> (String, ValueId) {
        let name = self
            .key
            .strip_prefix("data.")
            .or_else(|| self.key.strip_prefix("stringData."))
            .unwrap_or(&self.key);
        (name.to_string(), self.value)
    }
}

/// A Secret (or generator, or identity) with at least one plaintext value.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub source: Source,
    pub class: Class,
    pub path: String,
    /// 1-based document number.
    pub document: usize,
    /// Line of the first plaintext key.
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub keys: Vec<KeyHit>,
    /// History mode: the commit that first introduced this content, in history order (full hex id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// History mode: that commit's author date (RFC 3339, UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// History mode: whether HEAD's tree still holds every one of these keys with the same value
    /// (each key says so for itself: a username shared with a live Secret does not make a deleted
    /// Secret "still at HEAD").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_head: Option<bool>,
    /// History mode: where HEAD holds it now, when `at_head`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_path: Option<String>,
    /// History mode: the refs whose history holds this content, through any commit (a squash
    /// merge or cherry-pick carries it through another commit): whoever fetches one gets it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refs: Vec<std::sync::Arc<str>>,
}

impl Finding {
    pub fn display_name(&self) -> String {
        match (&self.namespace, &self.name) {
            (Some(ns), Some(n)) => format!("{ns}/{n}"),
            (None, Some(n)) => n.clone(),
            _ => "(unnamed)".into(),
        }
    }

    /// Sets every key's fingerprint from where the finding is (call again once `commit` is known).
    pub fn refresh_fingerprints(&mut self) {
        for k in &mut self.keys {
            k.fingerprint = fingerprint(
                self.commit.as_deref(),
                &self.path,
                self.namespace.as_deref(),
                self.name.as_deref(),
                &k.key,
            );
        }
    }

    pub(crate) fn new(
        source: Source,
        path: &str,
        document: usize,
        namespace: Option<String>,
        name: Option<String>,
        keys: Vec<KeyHit>,
    ) -> Option<Finding> {
        let line = keys.first()?.line;
        Some(Finding {
            source,
            class: Class::Leak,
            path: path.to_string(),
            document,
            line,
            namespace,
            name,
            keys,
            commit: None,
            date: None,
            at_head: None,
            head_path: None,
            refs: Vec::new(),
        })
    }
}

/// A finding's key, named by its location: 16 hex of SHA-256 over the introducing commit (history
/// mode), path, Secret and key. Stable across runs and machines (so baselines and SARIF alerts
/// keep working) and independent of the value (so it confirms no guess).
pub fn fingerprint(
    commit: Option<&str>,
    path: &str,
    namespace: Option<&str>,
    name: Option<&str>,
    key: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(b"kseal scan fingerprint v2\0");
    for part in [
        commit.unwrap_or(""),
        path,
        namespace.unwrap_or(""),
        name.unwrap_or(""),
        key,
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..8])
}
