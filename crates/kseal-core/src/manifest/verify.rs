//! `verify`: check sealed manifests without a private key.
//!
//! A value is checked where it lands: as the file writes it (its namespace, name and key), or,
//! when a renderer (kustomize, helm, through Argo CD or Flux) puts it elsewhere, at each place it
//! is rendered to ([`Expectation::landed`]). Format v3's binding tag says where a value is bound,
//! so a value sealed for another place is found with no key; a v2 value has no tag and is noted.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::secret::{self, ValueState, LAST_APPLIED};
use super::{bind, binding, parse};
use crate::crypto::{Binding, Kid, Scope, SealedValue, Version};
use crate::error::{Error, Location};

/// What a file is expected to satisfy.
#[derive(Clone, Debug, Default)]
pub struct Expectation {
    /// Every value must be sealed to exactly these keys.
    pub kids: Option<BTreeSet<Kid>>,
    /// Every value must have this scope (from `.kseal.yaml`).
    pub scope: Option<Scope>,
    /// Namespace for Secrets without `metadata.namespace`.
    pub namespace: Option<String>,
    /// Sealed values that renderers put in the cluster, by their sealed string: each is checked
    /// where it lands rather than as the file writes it.
    pub landed: Arc<Landed>,
    /// Check only that values are sealed and well formed (a rendered stream whose sealed values
    /// are checked where they are written).
    pub only_plaintext: bool,
}

/// Where sealed values land, by sealed string (the `stringData` form).
pub type Landed = HashMap<String, Landings>;

/// Every place one sealed value lands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Landings {
    /// The places.
    pub at: Vec<Landing>,
    /// The keys it must be sealed to: the union of the recipients of the `.kseal.yaml` rules
    /// matching the entries that render it (`None`: no such rule, the file's own applies).
    pub kids: Option<BTreeSet<Kid>>,
}

/// One place a sealed value lands, as a renderer said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Landing {
    /// The rendered Secret's namespace (`None`: it has none; the file's default applies).
    pub namespace: Option<String>,
    /// The rendered Secret's name.
    pub name: String,
    /// The key under `data` or `stringData`.
    pub key: String,
    /// What renders it: `overlays/prod`, `Argo CD Application argocd/shop (apps/shop.yaml)`.
    pub by: String,
}

/// One thing wrong, at a location; or a note, which is reported but does not fail `verify`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where the problem is.
    pub location: Location,
    /// What it is and what to do.
    pub message: String,
    /// Only a note (a v2 value's binding cannot be checked): reported, never a failure.
    pub note: bool,
}

impl Problem {
    /// A problem at `location`.
    pub fn new(location: Location, message: impl Into<String>) -> Problem {
        Problem {
            location,
            message: message.into(),
            note: false,
        }
    }

    /// A note at `location`.
    pub fn note(location: Location, message: impl Into<String>) -> Problem {
        Problem {
            note: true,
            ..Problem::new(location, message)
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// What `verify` says of a version 2 value.
pub const V2_NOTE: &str = "format v2: binding not checkable without the private key \
     (`kseal reseal -w -i KEY FILE` rewrites it as v3, whose tag verify checks)";

/// Where `value` is bound, as people read it, if it is one of `candidates` (by its tag); else
/// its tag.
fn sealed_for(value: &SealedValue, candidates: &[Binding]) -> String {
    match super::sealed_for_among(value, candidates.iter().copied()) {
        Some(b) => b.describe(value.scope),
        None => format!(
            "another place (binding tag {})",
            value.tag.map(|t| t.to_string()).unwrap_or_default()
        ),
    }
}

/// The problems of one sealed value at each place it lands: its binding there must be known
/// and, for v3, its tag must be that binding's. `own` is the binding the file itself gives the
/// value (a candidate for where it was sealed for; `None` for a values file, whose values are
/// sealed with `seal --raw`), `default_namespace` the file's default.
pub fn landing_problems(
    value: &SealedValue,
    landings: &[Landing],
    own: Option<Binding>,
    default_namespace: Option<&str>,
) -> Vec<String> {
    let in_secret = own.is_some();
    let mut places: Vec<Binding> = Vec::new();
    let mut out = Vec::new();
    for l in landings {
        let ns = l.namespace.as_deref().or(default_namespace).unwrap_or("");
        match bind(ns, &l.name, &l.key, value.scope, Location::default) {
            Ok(b) => places.push(b),
            Err(e) => out.push(format!(
                "lands as {}{} (by {}): {} (this value has {} scope)",
                l.namespace
                    .as_deref()
                    .map(|n| format!("{n}/"))
                    .unwrap_or_default(),
                l.name,
                l.by,
                e.message,
                value.scope
            )),
        }
    }
    let mut candidates: Vec<Binding> = own.into_iter().collect();
    candidates.extend(places.iter().copied());
    for (l, here) in landings.iter().zip(places.iter()) {
        if value.bound_to(here) == Some(false) {
            let repair = if in_secret {
                "seal it for where it lands (`kseal reseal -w -k DIR -i KEY` repairs it)".to_string()
            } else {
                format!(
                    "seal it for there: `kseal seal --raw -n {} --name {} --key {}`",
                    here.namespace, here.name, here.key
                )
            };
            out.push(format!(
                "sealed for {}, lands as {} (by {}): {repair}",
                sealed_for(value, &candidates),
                here.describe(value.scope),
                l.by
            ));
        }
    }
    out.dedup();
    out
}

fn kid_list(kids: &BTreeSet<Kid>) -> String {
    kids.iter().map(Kid::to_string).collect::<Vec<_>>().join(", ")
}

/// Returns every problem found; an `Err` only when the file cannot be read as manifests.
pub fn verify(src: &str, file: &Location, expect: &Expectation) -> Result<Vec<Problem>, Error> {
    let docs = parse(src, file)?;
    let secrets = secret::find_secrets(&docs, file)?;
    let mut problems = Vec::new();
    for (document, name, line, col) in secret::plaintext_generators(&docs) {
        problems.push(Problem::new(
            file.clone().with_document(document).at(line, col),
            format!(
                "kustomize secretGenerator `{name}` holds plaintext (literals, envs or files): replace it with a \
                 sealed Secret manifest (`kseal seal`), or open sealed Secrets with kseal's KRM function"
            ),
        ));
    }
    for s in &secrets {
        let has_last_applied = s
            .annotations
            .and_then(|a| a.entries())
            .is_some_and(|e| e.iter().any(|(k, _)| k.as_str() == Some(LAST_APPLIED)));
        if has_last_applied {
            problems.push(Problem::new(
                s.location(file),
                format!("has the {LAST_APPLIED} annotation, which holds plaintext; `kseal seal` removes it"),
            ));
        }
        for v in &s.values {
            let location = s.value_location(file, v);
            let mut problem = |message: String| problems.push(Problem::new(location.clone(), message));
            let value = match v.state() {
                ValueState::Sealed(value) => value,
                ValueState::Plain => {
                    problem("not sealed (plaintext)".into());
                    continue;
                }
                ValueState::Template => {
                    problem(
                        "a template expression: not checked here; verify the rendered output (helm template ... | kseal verify)".into(),
                    );
                    continue;
                }
                ValueState::Foreign(tool) => {
                    problem(format!(
                        "encrypted by {tool}, not sealed by kseal (`kseal import-sops` converts it)"
                    ));
                    continue;
                }
                ValueState::Malformed(e) => {
                    problem(format!("malformed sealed value: {e}"));
                    continue;
                }
            };
            if !expect.only_plaintext {
                problems.extend(
                    sealed_problems(s, v.key, &value, expect)
                        .into_iter()
                        .map(|(note, m)| Problem {
                            location: location.clone(),
                            message: m,
                            note,
                        }),
                );
            }
        }
    }
    // A file with no Secret may still hold sealed values a chart puts in one (a values file).
    if secrets.is_empty() && !expect.landed.is_empty() && !expect.only_plaintext {
        problems.extend(values_file_problems(src, file, expect));
    }
    Ok(problems)
}

/// The problems of one well-formed sealed value of `s` under `key` (and whether each is only a
/// note): its binding where it lands (as written, or where renderers put it), its scope and its
/// keys.
fn sealed_problems(
    s: &secret::Secret,
    key: &str,
    value: &SealedValue,
    expect: &Expectation,
) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let own = binding(
        s,
        key,
        value.scope,
        expect.namespace.as_deref(),
        Location::default,
    );
    let landed = if expect.landed.is_empty() {
        None
    } else {
        expect.landed.get(&value.encode())
    };
    match (landed, &own) {
        // Where renderers put it is what counts; the file's own identity is only a candidate
        // for where it was sealed for (a base without a namespace is fine).
        (Some(l), _) => out.extend(
            landing_problems(
                value,
                &l.at,
                own.as_ref().ok().copied(),
                expect.namespace.as_deref(),
            )
            .into_iter()
            .map(|m| (false, m)),
        ),
        (None, Err(e)) => out.push((
            false,
            format!("{} (this value has {} scope)", e.message, value.scope),
        )),
        (None, Ok(b)) => {
            if value.bound_to(b) == Some(false) {
                // The other keys of the Secret are candidates, a bounded number of them: a
                // Secret of 100,000 moved values must not cost 100,000 tags each.
                let others: Vec<Binding> = s
                    .values
                    .iter()
                    .take(MAX_CANDIDATES)
                    .map(|o| Binding { key: o.key, ..*b })
                    .collect();
                out.push((
                    false,
                    format!(
                        "sealed for {}, but here it is {}: the value was moved or copied, or sealed for another place",
                        sealed_for(value, &others),
                        b.describe(value.scope)
                    ),
                ));
            }
        }
    }
    if value.version == Version::V2 {
        out.push((true, V2_NOTE.to_string()));
    }
    if let Some(scope) = expect.scope.filter(|sc| *sc != value.scope) {
        out.push((
            false,
            format!("sealed with {} scope, expected {scope}", value.scope),
        ));
    }
    if let Some(want) = landed.and_then(|l| l.kids.as_ref()).or(expect.kids.as_ref()) {
        let have: BTreeSet<Kid> = value.kids().into_iter().collect();
        if have != *want {
            out.push((
                false,
                format!("sealed for key {}, expected {}", kid_list(&have), kid_list(want)),
            ));
        }
    }
    out
}

/// How many other keys of a Secret a moved value's tag is compared with, to name where it was
/// sealed for.
const MAX_CANDIDATES: usize = 64;

/// The sealed values written anywhere in `src` (a Helm values file: no Secret, so no parse
/// says where they are): each `kseal:v2:`/`kseal:v3:` string, and each `data` form (standard
/// base64 of one), with its 1-based line and column and its sealed string.
pub fn written_sealed_values(src: &str) -> Vec<(usize, usize, String)> {
    let bytes = src.as_bytes();
    let mut starts: Vec<(usize, bool)> = memchr::memmem::find_iter(bytes, b"kseal:v")
        .map(|at| (at, false))
        .chain(
            memchr::memmem::find_iter(bytes, crate::crypto::sealed::DATA_MARKER.as_bytes())
                .map(|at| (at, true)),
        )
        .collect();
    starts.sort_unstable();
    // Lines counted as the walk goes, not from the start for each value: a file of many sealed
    // values stays linear.
    let (mut line, mut line_start, mut counted) = (1, 0, 0);
    let mut out = Vec::new();
    for (start, data) in starts {
        let end = src[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | ':')))
            .map_or(src.len(), |n| start + n);
        let token = &src[start..end];
        let parsed = if data {
            SealedValue::parse_data(token)
        } else {
            SealedValue::parse(token)
        };
        let Ok(v) = parsed else { continue };
        for nl in memchr::memchr_iter(b'\n', &bytes[counted..start]) {
            line += 1;
            line_start = counted + nl + 1;
        }
        counted = start;
        out.push((line, start - line_start + 1, v.encode()));
    }
    out
}

/// [`verify`] of a file without a Secret: its sealed values that renderers land somewhere are
/// checked there.
fn values_file_problems(src: &str, file: &Location, expect: &Expectation) -> Vec<Problem> {
    let mut out = Vec::new();
    for (line, col, sealed) in written_sealed_values(src) {
        let Some(l) = expect.landed.get(&sealed) else {
            continue;
        };
        let value = SealedValue::parse(&sealed).expect("parsed above");
        let at = file.clone().at(line, col);
        for m in landing_problems(&value, &l.at, None, expect.namespace.as_deref()) {
            out.push(Problem::new(at.clone(), m));
        }
        let want = l.kids.as_ref().or(expect.kids.as_ref());
        let have: BTreeSet<Kid> = value.kids().into_iter().collect();
        if let Some(want) = want.filter(|w| **w != have) {
            out.push(Problem::new(
                at.clone(),
                format!("sealed for key {}, expected {}", kid_list(&have), kid_list(want)),
            ));
        }
        if value.version == Version::V2 {
            out.push(Problem::note(at, V2_NOTE));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Identity;

    /// A values file's sealed values, raw and in `data` form, with their lines and columns, in
    /// file order; text that only looks like one is not.
    #[test]
    fn written_sealed_values_are_found_where_they_are() {
        let id = Identity::generate();
        let b = Binding {
            namespace: "shop",
            name: "api",
            key: "token",
        };
        let sealed =
            crate::crypto::sealed::seal(b"t0k", &[id.recipient().clone()], Scope::Strict, &b).unwrap();
        let data = SealedValue::parse(&sealed).unwrap().encode_data();
        let src = format!("a:\n  token: {sealed}\n  note: kseal:v3:not-one\nb:\n    data: \"{data}\"\n");
        let found = written_sealed_values(&src);
        assert_eq!(
            found.iter().map(|(l, c, _)| (*l, *c)).collect::<Vec<_>>(),
            [(2, 10), (5, 12)]
        );
        assert!(found.iter().all(|(_, _, s)| *s == sealed));
    }
}
