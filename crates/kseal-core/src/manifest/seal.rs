//! `seal` and `set`: encrypt Secret values in place.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use granit_parser::ScalarStyle;
use zeroize::Zeroizing;

use super::secret::{self, written_form, Field, Secret, SecretValue, ValueState, LAST_APPLIED};
use super::splice::{self, Edit};
use super::{binding, parse, seal_error};
use crate::crypto::sealed;
use crate::crypto::{Binding, Scope};
use crate::error::{Error, Location};
use crate::policy::Policy;

/// The result of sealing one file. No Debug: `text` holds the file's other documents as they were.
pub struct Sealed {
    /// The whole file, sealed.
    pub text: Zeroizing<String>,
    /// Values encrypted by this run.
    pub sealed: usize,
    /// Values that were already sealed and left as they were.
    pub unchanged: usize,
    /// Things the user should know (the stripped last-applied annotation).
    pub notes: Vec<String>,
    /// Secrets found in the file.
    pub secrets: usize,
    /// Sealed values whose binding tag is not that of where they are (left as they are, named
    /// in `notes`).
    pub bound_elsewhere: usize,
    /// The values that were already sealed, counted by the keys they are sealed to (so a caller
    /// that names recipients can say which are sealed to others, without parsing again).
    pub already_sealed_to: std::collections::BTreeMap<std::collections::BTreeSet<crate::crypto::Kid>, usize>,
}

impl Sealed {
    /// Counts a value that was already sealed, by its keys; one sealed for another place than
    /// `here`, where it is applied (a plain seal under a namePrefix, an overlay sealed for
    /// before), seal cannot fix without the private key: it says so, and what can.
    fn count_sealed(
        &mut self,
        value: &sealed::SealedValue,
        here: Option<Binding>,
        at: impl Fn() -> Location,
    ) {
        self.unchanged += 1;
        *self
            .already_sealed_to
            .entry(value.kids().into_iter().collect())
            .or_default() += 1;
        if let Some(here) = here.filter(|b| value.bound_to(b) == Some(false)) {
            self.bound_elsewhere += 1;
            self.notes.push(format!(
                "{}: already sealed, but for another place than {}, where it is applied: \
                 `kseal reseal -w -k DIR -i KEY` seals it again for there",
                at(),
                here.describe(value.scope)
            ));
        }
    }
}

/// The bytes a value stands for: `data` is base64 (line breaks allowed, as the API server
/// accepts), `stringData` is the string itself.
pub fn plaintext_of(field: Field, text: &str) -> Result<Zeroizing<Vec<u8>>, &'static str> {
    match field {
        Field::StringData => Ok(Zeroizing::new(text.as_bytes().to_vec())),
        Field::Data => {
            let compact: Zeroizing<String> =
                Zeroizing::new(text.chars().filter(|c| !c.is_ascii_whitespace()).collect());
            STANDARD
                .decode(compact.as_bytes())
                .map(Zeroizing::new)
                .map_err(|_| {
                    "`data` values must be standard base64; put plain text under `stringData` instead"
                })
        }
    }
}

/// How a sealed value is written: plain, unless the original was quoted (JSON needs its quotes,
/// and keeping the style keeps the diff to the value itself).
pub(super) fn styled(sealed: String, style: Option<ScalarStyle>) -> String {
    match style {
        Some(ScalarStyle::DoubleQuoted) => format!("\"{sealed}\""),
        Some(ScalarStyle::SingleQuoted) => format!("'{sealed}'"),
        _ => sealed,
    }
}

/// One plaintext value to seal, with where it goes.
struct Job<'a> {
    value: &'a SecretValue<'a>,
    binding: Binding<'a>,
    plain: Zeroizing<Vec<u8>>,
}

fn strip_last_applied(
    src: &str,
    secret: &Secret,
    file: &Location,
    edits: &mut Vec<Edit>,
    notes: &mut Vec<String>,
) {
    let Some(annotations) = secret.annotations else {
        return;
    };
    let entries = annotations.entries().unwrap_or_default();
    if let Some(i) = entries.iter().position(|(k, _)| k.as_str() == Some(LAST_APPLIED)) {
        edits.push(splice::remove_entry(src, annotations, i));
        notes.push(format!(
            "{}: removed the {LAST_APPLIED} annotation, which holds the plaintext",
            secret.location(file)
        ));
    }
}

/// Seals every plaintext value of every Secret in `src`. Values are sealed in parallel (each is
/// independent); the output is the same bytes, in the same order, as a sequential run's.
pub fn seal(src: &str, file: &Location, policy: &Policy) -> Result<Sealed, Error> {
    seal_with(src, file, &mut || Ok(policy.clone()))
}

/// Like [`seal`], resolving the policy only when the file holds a value to seal: a file without
/// one (a Deployment, a sealed Secret, `.kseal.yaml` itself) needs no recipients.
///
/// A Secret that names no namespace, whose values this run binds to the policy's namespace (`-n`,
/// the rule's), gets `namespace: NS` written into its metadata (issue 39): otherwise `kubectl apply
/// -f` puts it in the context's namespace, where its values were never meant to open.
pub fn seal_with(
    src: &str,
    file: &Location,
    resolve: &mut dyn FnMut() -> Result<Policy, Error>,
) -> Result<Sealed, Error> {
    seal_inner(src, file, resolve, &[], true)
}

/// The namespace and name a Secret of a source file is applied as, when a renderer changes them
/// (a kustomization's `namePrefix`, `nameSuffix`, `namespace`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedAs {
    /// The Secret's document in the source file.
    pub document: usize,
    /// Its `metadata.name` in the source file.
    pub source_name: String,
    /// The namespace it is applied in (`None`: the one `-n` or the rule gives).
    pub namespace: Option<String>,
    /// The name it is applied as.
    pub name: String,
}

/// Like [`seal_with`], binding the Secrets listed in `applied` to the namespace and name they are
/// applied as rather than those the file writes. No namespace is written into the file: a
/// kustomize base gets its namespace from whatever uses it (`namespace:`, Flux's
/// `targetNamespace`), and one base may land in several.
pub fn seal_applied_as(
    src: &str,
    file: &Location,
    resolve: &mut dyn FnMut() -> Result<Policy, Error>,
    applied: &[AppliedAs],
) -> Result<Sealed, Error> {
    seal_inner(src, file, resolve, applied, false)
}

fn seal_inner(
    src: &str,
    file: &Location,
    resolve: &mut dyn FnMut() -> Result<Policy, Error>,
    applied: &[AppliedAs],
    write_namespace: bool,
) -> Result<Sealed, Error> {
    let docs = parse(src, file)?;
    let secrets = secret::find_secrets(&docs, file)?;
    let mut edits = Vec::new();
    let mut out = Sealed {
        text: Zeroizing::new(String::new()),
        sealed: 0,
        unchanged: 0,
        notes: notes(&docs, file),
        secrets: secrets.len(),
        bound_elsewhere: 0,
        already_sealed_to: Default::default(),
    };
    // Only a value to seal needs recipients: resolved once, before the walk.
    let needs_policy = secrets
        .iter()
        .flat_map(|s| &s.values)
        .any(|v| matches!(v.state(), ValueState::Plain));
    let policy = if needs_policy { Some(resolve()?) } else { None };
    let mut templates = 0;
    let mut jobs: Vec<(&Secret, Job)> = Vec::new();
    for s in &secrets {
        for v in &s.values {
            match v.state() {
                ValueState::Sealed(value) => {
                    let ns = policy.as_ref().and_then(|p| p.namespace.as_deref());
                    let here = applied_binding(applied, s, v.key, value.scope, ns, Location::default);
                    out.count_sealed(&value, here.ok(), || s.value_location(file, v));
                }
                ValueState::Malformed(e) => {
                    return Err(Error::crypto(
                        s.value_location(file, v),
                        format!("malformed sealed value: {e}"),
                    ))
                }
                ValueState::Template => templates += 1,
                ValueState::Foreign(tool) => out.notes.push(format!(
                    "{}: encrypted by {tool}, left as it is (`kseal import-sops` converts SOPS files)",
                    s.value_location(file, v)
                )),
                ValueState::Plain => {
                    let at = || s.value_location(file, v);
                    let policy = policy.as_ref().expect("resolved above: a plaintext value exists");
                    let bind =
                        applied_binding(applied, s, v.key, policy.scope, policy.namespace.as_deref(), at)?;
                    let plain = plaintext_of(v.field, v.text()).map_err(|m| Error::input(at(), m))?;
                    jobs.push((
                        s,
                        Job {
                            value: v,
                            binding: bind,
                            plain,
                        },
                    ));
                }
            }
        }
        strip_last_applied(src, s, file, &mut edits, &mut out.notes);
    }
    if templates > 0 {
        out.notes.push(format!(
            "{file}: {templates} template expression{} ({{{{ ... }}}} or ${{...}}) left as {}: the value comes at render time, \
             so seal the rendered output or the chart's values, never the template",
            if templates == 1 { "" } else { "s" },
            if templates == 1 { "it is" } else { "they are" }
        ));
    }
    let sealed = match &policy {
        Some(p) => seal_all(&jobs, p)?,
        None => Vec::new(),
    };
    for ((_, job), sealed) in jobs.iter().zip(sealed) {
        let v = job.value;
        edits.push(splice::replace_value(
            src,
            v.key_node,
            v.node,
            styled(written_form(v.field, sealed), v.node.style()),
        ));
        out.sealed += 1;
    }
    let bound_ns = policy
        .as_ref()
        .filter(|p| p.scope != Scope::Cluster)
        .and_then(|p| p.namespace.as_deref());
    if let (true, Some(ns)) = (write_namespace, bound_ns) {
        namespace_edits(src, file, &jobs, ns, &mut edits, &mut out.notes);
    }
    out.text = splice::apply(src, edits);
    Ok(out)
}

/// `namespace: NS` into each Secret without one whose values were just bound to NS (strict and
/// namespace scope; a cluster-scope value is bound to no namespace), one note each.
fn namespace_edits(
    src: &str,
    file: &Location,
    jobs: &[(&Secret, Job)],
    ns: &str,
    edits: &mut Vec<Edit>,
    notes: &mut Vec<String>,
) {
    let mut done: Vec<usize> = Vec::new();
    for (s, job) in jobs {
        if s.namespace.is_some() || job.binding.namespace != ns || done.contains(&s.document) {
            continue;
        }
        done.push(s.document);
        if let Some(edit) = super::open::namespace_edit(src, s, ns) {
            edits.push(edit);
            notes.push(format!(
                "{}: Secret {} names no namespace; wrote `namespace: {ns}`, where its values are bound \
                 (so `kubectl apply -f` does not put it in another)",
                file.clone().with_document(s.document),
                s.name.unwrap_or("(unnamed)")
            ));
        }
    }
}

/// The binding of one value of `s`: as [`binding`], or, when `applied` lists the Secret, for the
/// namespace and name it is applied as.
pub(super) fn applied_binding<'a>(
    applied: &'a [AppliedAs],
    s: &'a Secret,
    key: &'a str,
    scope: Scope,
    default_namespace: Option<&'a str>,
    at: impl Fn() -> Location,
) -> Result<Binding<'a>, Error> {
    let renamed = applied
        .iter()
        .find(|a| a.document == s.document && s.name == Some(a.source_name.as_str()));
    match renamed {
        Some(a) => {
            let namespace = a.namespace.as_deref().or(default_namespace);
            super::bind(namespace.unwrap_or(""), &a.name, key, scope, at)
        }
        None => binding(s, key, scope, default_namespace, at),
    }
}

/// What to say about a file before sealing it: generators and misspelled kinds, which are not sealed.
fn notes(docs: &[super::tree::Document], file: &Location) -> Vec<String> {
    let mut out = Vec::new();
    for (document, name, line, col) in secret::plaintext_generators(docs) {
        out.push(format!(
            "{}: kustomize secretGenerator `{name}` holds plaintext that kseal cannot seal in place: \
             write it as a Secret manifest (`kubectl create secret generic {name} --from-... --dry-run=client -o yaml \
             | kseal seal -o {name}.yaml`) and list that file under `resources:` instead",
            file.clone().with_document(document).at(line, col)
        ));
    }
    for d in secret::misspelled_secret_documents(docs) {
        out.push(format!(
            "{}: `kind` is not spelled `Secret`, so its values are not sealed (and Kubernetes would refuse it)",
            file.clone().with_document(d)
        ));
    }
    out
}

fn seal_all(jobs: &[(&Secret, Job)], policy: &Policy) -> Result<Vec<String>, Error> {
    use rayon::prelude::*;
    super::progress::plan(jobs.len());
    jobs.par_iter()
        .map(|(_, j)| {
            let sealed = sealed::seal(&j.plain, &policy.recipients, policy.scope, &j.binding);
            super::progress::done_one();
            sealed
        })
        .collect::<Result<Vec<String>, _>>()
        .map_err(seal_error)
}

/// Where `set` puts a value, and the Secret it goes into.
pub struct SetTarget<'a> {
    /// The Secret's name.
    pub name: &'a str,
    /// Narrows the search when several Secrets share a name.
    pub namespace: Option<&'a str>,
    /// The key.
    pub key: &'a str,
}

/// The one Secret `set` changes: named `target.name` (in `target.namespace`, if given).
fn set_target<'s, 'a>(
    secrets: &'s [Secret<'a>],
    file: &Location,
    target: &SetTarget,
) -> Result<&'s Secret<'a>, Error> {
    let matching: Vec<&Secret> = secrets
        .iter()
        .filter(|s| {
            s.name == Some(target.name) && (target.namespace.is_none() || s.namespace == target.namespace)
        })
        .collect();
    match matching.as_slice() {
        [one] => Ok(*one),
        [] => {
            let names: Vec<String> = secrets
                .iter()
                .filter_map(|s| s.name.map(|n| format!("`{n}`")))
                .collect();
            let has = if names.is_empty() {
                "it holds no Secret".to_string()
            } else {
                format!("it holds {}", names.join(", "))
            };
            Err(Error::input(
                file.clone(),
                format!(
                    "no Secret named `{}`{} in this file ({has}; `set` changes an existing Secret)",
                    target.name,
                    target
                        .namespace
                        .map(|n| format!(" in namespace `{n}`"))
                        .unwrap_or_default()
                ),
            ))
        }
        many => Err(Error::input(
            file.clone(),
            format!(
                "{} Secrets are named `{}`; pass -n/--namespace to choose one",
                many.len(),
                target.name
            ),
        )),
    }
}

/// Checks that `src` holds the Secret `set` would change, before anything else is asked for (the
/// recipients, the value).
pub fn check_set_target(src: &str, file: &Location, target: &SetTarget) -> Result<(), Error> {
    let docs = parse(src, file)?;
    let secrets = secret::find_secrets(&docs, file)?;
    set_target(&secrets, file, target).map(drop)
}

/// Seals `value` into one key of one Secret, adding the key or replacing its value, and changes
/// nothing else in the file.
pub fn set(
    src: &str,
    file: &Location,
    target: &SetTarget,
    value: &[u8],
    policy: &Policy,
) -> Result<Zeroizing<String>, Error> {
    let docs = parse(src, file)?;
    let secrets = secret::find_secrets(&docs, file)?;
    let s = set_target(&secrets, file, target)?;
    secret::check_key_name(target.key)
        .map_err(|m| Error::input(s.location(file).with_key(target.key), m.to_string()).with_source(m))?;
    let text_value = std::str::from_utf8(value).ok();
    let existing = s.values.iter().find(|v| v.key == target.key);
    let field = match existing {
        Some(v) => v.field,
        None if s.field_map(Field::Data).is_some() => Field::Data,
        None if s.field_map(Field::StringData).is_some() && text_value.is_some() => Field::StringData,
        None => Field::Data,
    };
    if field == Field::StringData && text_value.is_none() {
        return Err(Error::input(
            s.location(file).with_key(format!("stringData.{}", target.key)),
            "the new value is not UTF-8 text, so it cannot go under stringData; remove the key there first and it will be added under data",
        ));
    }
    let bind = binding(s, target.key, policy.scope, policy.namespace.as_deref(), || {
        s.location(file).with_key(format!("{field}.{}", target.key))
    })?;
    let sealed = written_form(
        field,
        sealed::seal(value, &policy.recipients, policy.scope, &bind).map_err(seal_error)?,
    );

    let json = s.root.is_flow_mapping();
    let edit = match existing {
        Some(v) => splice::replace_value(src, v.key_node, v.node, styled(sealed, v.node.style())),
        None => {
            let quote = |s: String| if json { format!("\"{s}\"") } else { s };
            let key = splice::key_text(target.key, json);
            match s.field_map(field) {
                Some(map) if map.is_flow_mapping() || !map.entries().unwrap_or_default().is_empty() => {
                    splice::insert_entry(src, map, &key, &quote(sealed))
                }
                _ if s.root.get(field.as_str()).is_some() => {
                    return Err(Error::input(
                        s.location(file).with_key(field.as_str()),
                        format!("`{field}` is empty; write `{field}: {{}}` or add a first key by hand"),
                    ))
                }
                _ if json => splice::insert_entry(
                    src,
                    s.root,
                    &format!("\"{field}\""),
                    &format!("{{{key}: {}}}", quote(sealed)),
                ),
                _ => {
                    let (first_key, _) = &s.root.entries().expect("a Secret is a mapping")[0];
                    let nl = splice::line_ending(src);
                    let indent = " ".repeat(first_key.col - 1 + 2);
                    splice::insert_entry(
                        src,
                        s.root,
                        field.as_str(),
                        &format!("{nl}{indent}{key}: {sealed}"),
                    )
                }
            }
        }
    };
    Ok(splice::apply(src, vec![edit]))
}
