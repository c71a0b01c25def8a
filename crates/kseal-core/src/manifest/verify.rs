//! `verify`: check sealed manifests without a private key.

use std::collections::BTreeSet;

use super::secret::{self, ValueState, LAST_APPLIED};
use super::{binding, parse};
use crate::crypto::{Kid, Scope};
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
}

/// One thing wrong, at a location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where the problem is.
    pub location: Location,
    /// What it is and what to do.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
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
        problems.push(Problem {
            location: file.clone().with_document(document).at(line, col),
            message: format!(
                "kustomize secretGenerator `{name}` holds plaintext (literals, envs or files): replace it with a \
                 sealed Secret manifest (`kseal seal`), or open sealed Secrets with kseal's KRM function"
            ),
        });
    }
    for s in &secrets {
        let has_last_applied = s
            .annotations
            .and_then(|a| a.entries())
            .is_some_and(|e| e.iter().any(|(k, _)| k.as_str() == Some(LAST_APPLIED)));
        if has_last_applied {
            problems.push(Problem {
                location: s.location(file),
                message: format!(
                    "has the {LAST_APPLIED} annotation, which holds plaintext; `kseal seal` removes it"
                ),
            });
        }
        for v in &s.values {
            let location = s.value_location(file, v);
            let mut problem = |message: String| {
                problems.push(Problem {
                    location: location.clone(),
                    message,
                })
            };
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
            if let Err(e) = binding(s, v.key, value.scope, expect.namespace.as_deref(), || {
                location.clone()
            }) {
                problem(format!("{} (this value has {} scope)", e.message, value.scope));
            }
            if let Some(scope) = expect.scope {
                if value.scope != scope {
                    problem(format!("sealed with {} scope, expected {scope}", value.scope));
                }
            }
            if let Some(want) = &expect.kids {
                let have: BTreeSet<Kid> = value.kids().into_iter().collect();
                if &have != want {
                    problem(format!(
                        "sealed for key {}, expected {}",
                        kid_list(&have),
                        kid_list(want)
                    ));
                }
            }
        }
    }
    Ok(problems)
}
