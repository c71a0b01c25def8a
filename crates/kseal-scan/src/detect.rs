//! Kubernetes-aware detection of plaintext Secrets in one file's bytes: parse, don't grep.
//!
//! A cheap substring prefilter (memchr's memmem) rejects almost every blob before any parsing;
//! only candidates are parsed with the manifest reader, document by document, so one broken
//! document (or a Helm template, which is not YAML) does not hide its siblings; a document that
//! does not parse is read by a tolerant line reader (`tolerant`). A finding never holds a value.
//! The findings are in [`crate::finding`], the value rules in `classify`.

use memchr::memmem;

use crate::classify::{is_secret, secret_key_hit, str_at};
use crate::finding::{Class, Finding, KeyHit, Source, ValueId, AGE_IDENTITY, ALLOW_ANNOTATION, LAST_APPLIED};
use kseal_core::manifest::tree::{self, Document, Node, NodeKind};

/// Whether the bytes could hold a finding at all. Everything that is not a candidate is skipped
/// without parsing.
pub fn is_candidate(bytes: &[u8]) -> bool {
    candidate(bytes).is_some()
}

/// Which of the rules that read every string of a document the prefilter let through: computed
/// once per file, by [`candidate`], and handed to the reader.
#[derive(Clone, Copy)]
pub(crate) struct Wanted {
    /// A known credential format's prefix is in the file.
    formats: bool,
    /// The file may be a Helm values file with a credential (or holds a format's prefix).
    values: bool,
    /// The file is a Helm template that may hold a credential outside a Secret: a known format's
    /// prefix, or a literal value under a credential's name.
    templates: bool,
}

/// A UTF-16 file with a byte order mark, as the UTF-8 kubectl reads it (issue 36: such a file
/// applied as a plaintext Secret and scan never looked).
fn transcoded(bytes: &[u8]) -> Option<zeroize::Zeroizing<String>> {
    tree::utf16_with_bom(bytes).and_then(Result::ok)
}

/// What the file's bytes may hold a finding for, or `None`: not a candidate at all.
pub(crate) fn candidate(bytes: &[u8]) -> Option<Wanted> {
    if let Some(text) = transcoded(bytes) {
        return candidate(text.as_bytes());
    }
    let formats = has_known_format_prefix(bytes);
    let values = formats || may_be_values_with_credentials(bytes);
    let templates = is_helm_template(bytes)
        && crate::tolerant::template_objects(bytes)
        && (formats || crate::tolerant::template_literals(bytes));
    let any = values
        || templates
        || says_kind_secret(bytes)
        // A SecretList's items may name no kind (kubectl fills in Secret): issue 36.
        || memmem::find(bytes, b"SecretList").is_some()
        || memmem::find(bytes, b"KsealSecret").is_some()
        || may_hold_workload_credentials(bytes, formats)
        || spells_kind_or_secret_otherwise(bytes)
        || memmem::find(bytes, b"secretGenerator").is_some()
        || memmem::find(bytes, b"configMapGenerator").is_some()
        || memmem::find(bytes, LAST_APPLIED.as_bytes()).is_some()
        || memmem::find(bytes, AGE_IDENTITY.as_bytes()).is_some()
        || crate::kubeconfig::may_hold(bytes);
    any.then_some(Wanted {
        formats,
        values,
        templates,
    })
}

/// Whether `bytes` may hold a Secret, a workload, a generator or an annotation whose rules still
/// apply to the documents of a file that does not parse as a whole.
fn may_hold_objects(bytes: &[u8], wanted: Wanted) -> bool {
    wanted.templates
        || says_kind_secret(bytes)
        || memmem::find(bytes, b"SecretList").is_some()
        || memmem::find(bytes, b"KsealSecret").is_some()
        || spells_kind_or_secret_otherwise(bytes)
        || may_hold_workload_credentials(bytes, wanted.formats)
        || memmem::find(bytes, b"Generator").is_some()
        || memmem::find(bytes, LAST_APPLIED.as_bytes()).is_some()
}

/// Whether a ConfigMap or a container's `env` may hold a credential: `ConfigMap`, or `env` and
/// `value:`, beside a word a credential's key or value has; and not a Helm template, which the
/// YAML reader cannot read (its Secrets go to the tolerant reader; its workloads are not
/// read: trying cost helm/charts' scan half again). Only a prefilter: the reader decides.
/// `formats`: a known format's prefix is in `bytes` ([`candidate`] looked once).
fn may_hold_workload_credentials(bytes: &[u8], formats: bool) -> bool {
    static WORDS: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    let words = WORDS.get_or_init(|| {
        regex::bytes::Regex::new(
            "assw|ASSW|pwd|PWD|oken|OKEN|ecret|ECRET|_KEY|_key|Key|redential|REDENTIAL|://",
        )
        .expect("a valid pattern")
    });
    let has = |w: &[u8]| memmem::find(bytes, w).is_some();
    // The rule reads an object's `kind`: a values file (`env`, `value:` and credential words in
    // most charts' values.yaml, and no `kind`) was 3,900 parses for nothing on helm/charts.
    let objects = (has(b"ConfigMap") || (has(b"env") && has(b"value:"))) && has(b"kind");
    objects && !is_helm_template(bytes) && !only_crds(bytes) && (formats || words.is_match(bytes))
}

/// Whether every top-level `kind:` in `bytes` is `CustomResourceDefinition`: CRDs' schemas are
/// full of `env`, `value:` and `secret` (prometheus-operator's are 370 KB a version, and parsing
/// them for workloads was a quarter of the parsing on helm/charts), and hold neither a pod's env
/// nor a ConfigMap's data. A kind spelled otherwise (JSON, indented) is not recognized: parsed.
fn only_crds(bytes: &[u8]) -> bool {
    let mut kinds = memmem::find_iter(bytes, b"\nkind:").map(|at| at + 1);
    let first = bytes.starts_with(b"kind:").then_some(0);
    let mut any = false;
    let all = first.into_iter().chain(&mut kinds).all(|at| {
        any = true;
        let rest = &bytes[at + 5..];
        let value = &rest[rest.iter().position(|b| *b != b' ').unwrap_or(rest.len())..];
        value.starts_with(b"CustomResourceDefinition")
            && matches!(value.get(24), Some(b'\n' | b'\r' | b' ') | None)
    });
    any && all
}

/// Whether a known credential format's prefix is in `bytes` (the rule for anywhere in a manifest).
fn has_known_format_prefix(bytes: &[u8]) -> bool {
    crate::workloads::has_format_prefix(bytes)
}

/// Whether `bytes` may be a Helm values file with a credential: a key ending in a credential word
/// (`rootPassword:`, `apiToken:`, `clientSecret:`...). A prefilter whatever the path (the history's
/// read-ahead does not know paths yet); `workloads::is_values_path` decides which findings stay.
/// One regular expression of literals over all the words (SIMD, one pass), not one `memmem` each.
fn may_be_values_with_credentials(bytes: &[u8]) -> bool {
    static WORDS: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    let words = WORDS.get_or_init(|| {
        regex::bytes::Regex::new(
            "(?:assword|ASSWORD|asswd|[pP]wd|PWD|ecret|ECRET|oken|OKEN|piKey|pi_key|PI_KEY|ecretKey|ecret_key|ECRET_KEY\
             |ccessKey|ccess_key|CCESS_KEY|rivateKey|rivate_key|redentials):",
        )
        .expect("a valid pattern")
    });
    // A Kubernetes manifest (its `apiVersion` at the start of a line) is no values file.
    let manifest = bytes.starts_with(b"apiVersion:") || memmem::find(bytes, b"\napiVersion:").is_some();
    !manifest
        && !is_helm_template(bytes)
        && words
            .find_iter(bytes)
            .any(|m| crate::tolerant::with_value(bytes, m.start(), m.end()))
}

/// Whether `bytes` reads as a Helm template rather than YAML with a templated value: a `{{` that
/// starts a line (`{{- if ...}}`) or an unquoted value (`key: {{ ... }}`), where the YAML reader
/// fails. `"{{ .Values.x }}"` in quotes is a value like any other.
fn is_helm_template(bytes: &[u8]) -> bool {
    memmem::find_iter(bytes, b"{{").any(|at| {
        let line = &bytes[bytes[..at].iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1)..at];
        let before = line.iter().rev().find(|b| !matches!(b, b' ' | b'\t'));
        matches!(before, None | Some(b':') | Some(b'-'))
    })
}

/// Whether a `kind` key has the value `Secret` somewhere in `bytes`, however YAML or JSON spells
/// it: `kind: Secret`, `"kind": "Secret"`, `{kind: 'Secret'}`, the value on the next line, a
/// `!!str` tag, `\"kind\":\"Secret\"` inside a quoted string. Only a prefilter: parsing decides.
/// Half of helm/charts' blobs that contain "Secret" do not say it (`secretKeyRef` docs,
/// `ExternalSecret`, comments), and parsing them was a fifth of a history scan.
fn says_kind_secret(bytes: &[u8]) -> bool {
    let word = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-');
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\'' | b'\\');
    memmem::find_iter(bytes, b"Secret").any(|at| {
        if word(bytes.get(at + 6)) || (at > 0 && word(bytes.get(at - 1))) {
            return false;
        }
        let mut i = at;
        let back = |i: &mut usize, skip: &dyn Fn(&u8) -> bool| {
            while *i > 0 && skip(&bytes[*i - 1]) {
                *i -= 1;
            }
        };
        back(&mut i, &blank);
        // A tag (`!!str`) between the colon and the value.
        let end = i;
        back(&mut i, &|b| !blank(b) && *b != b':');
        if !(i < end && bytes[i] == b'!') {
            i = end;
        }
        back(&mut i, &blank);
        if i == 0 || bytes[i - 1] != b':' {
            return false;
        }
        i -= 1;
        back(&mut i, &blank);
        i >= 4 && &bytes[i - 4..i] == b"kind" && !word(i.checked_sub(5).map(|j| &bytes[j]))
    })
}

/// Whether `kind` or `Secret` is spelled in a way [`says_kind_secret`] does not see, but a YAML or
/// JSON reader (kubectl's, kseal's own) decodes to it: a double-quoted string with an escape
/// (`"Secr\u0065t"`, `"Secr\x65t"`, `"ki\u006ed"`, a `\`-newline continuation), or a block
/// scalar as the `kind` value (`kind: >-` then `Secret` on the next line). Escapes are rare, so
/// this looks only around backslashes and `kind:` keys; parsing decides.
fn spells_kind_or_secret_otherwise(bytes: &[u8]) -> bool {
    let block_kind = memmem::find_iter(bytes, b"kind:").any(|at| {
        let rest = &bytes[at + 5..];
        let v = rest
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t'))
            .map(|i| &rest[i..]);
        v.is_some_and(|v| matches!(v.first(), Some(b'|' | b'>')))
    });
    block_kind
        || memchr::memchr_iter(b'\\', bytes).any(|at| {
            // The double-quoted string around this backslash, if it is short enough to be one of
            // the two words.
            let start = bytes[at.saturating_sub(48)..at]
                .iter()
                .rposition(|b| *b == b'"')
                .map(|i| at.saturating_sub(48) + i + 1);
            let end = bytes[at..(at + 64).min(bytes.len())]
                .iter()
                .enumerate()
                .skip(1)
                .find(|(i, b)| **b == b'"' && bytes[at + i - 1] != b'\\')
                .map(|(i, _)| at + i);
            match (start, end) {
                (Some(s), Some(e)) => matches!(unescape(&bytes[s..e]).as_deref(), Some("kind" | "Secret")),
                _ => false,
            }
        })
}

/// A double-quoted YAML or JSON string's content, escapes decoded (`\uXXXX`, `\UXXXXXXXX`, `\xXX`,
/// the single-letter ones, `\`-newline with the next line's indentation dropped). Written by hand:
/// a whole YAML parse per backslash would cost more than the prefilter saves.
fn unescape(s: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(s).ok()?;
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let hex = |chars: &mut std::iter::Peekable<std::str::Chars>, n: usize| -> Option<char> {
            let h: String = (0..n).filter_map(|_| chars.next()).collect();
            u32::from_str_radix(&h, 16).ok().and_then(char::from_u32)
        };
        match chars.next()? {
            'u' => out.push(hex(&mut chars, 4)?),
            'U' => out.push(hex(&mut chars, 8)?),
            'x' => out.push(hex(&mut chars, 2)?),
            '\n' | '\r' => {
                while chars
                    .peek()
                    .is_some_and(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
                {
                    chars.next();
                }
            }
            other => out.push(other),
        }
    }
    Some(out)
}

/// Plaintext keys of one Secret mapping (`line_of` maps a node to the line reported, so that
/// Secrets inside an annotation report the annotation's line).
fn secret_hits(secret: &Node, line_of: &dyn Fn(&Node) -> usize) -> Vec<KeyHit> {
    let secret_type = str_at(secret, &["type"]);
    let mut hits = Vec::new();
    for field in ["data", "stringData"] {
        let Some(entries) = secret.get(field).and_then(Node::entries) else {
            continue;
        };
        for (k, v) in entries {
            let (Some(key), Some(text)) = (k.as_str(), v.as_str()) else {
                continue;
            };
            hits.extend(secret_key_hit(field, key, text, line_of(v), secret_type));
        }
    }
    hits
}

fn allowed(secret: &Node) -> bool {
    secret
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get(ALLOW_ANNOTATION))
        .is_some()
}

fn secret_finding(
    source: Source,
    path: &str,
    document: usize,
    secret: &Node,
    hits: Vec<KeyHit>,
) -> Option<Finding> {
    Finding::new(
        source,
        path,
        document,
        str_at(secret, &["metadata", "namespace"]).map(String::from),
        str_at(secret, &["metadata", "name"]).map(String::from),
        hits,
    )
}

/// A Secret embedded as JSON in a last-applied-configuration annotation of any object.
fn last_applied(path: &str, doc: &Document, root: &Node, out: &mut Vec<Finding>) {
    let Some(ann) = root.get("metadata").and_then(|m| m.get("annotations")) else {
        return;
    };
    let Some(value) = ann.get(LAST_APPLIED) else {
        return;
    };
    let Some(json) = value.as_str() else { return };
    let Ok(inner) = tree::parse_last_wins(json) else {
        return;
    };
    let line = value.line;
    for d in &inner {
        let Some(secret) = d.root.as_ref().filter(|r| is_secret(r)) else {
            continue;
        };
        if allowed(root) || allowed(secret) {
            continue;
        }
        let hits = secret_hits(secret, &|_| line);
        out.extend(secret_finding(Source::LastApplied, path, doc.index, secret, hits));
    }
}

/// kustomize `secretGenerator` and `configMapGenerator` entries with `literals: [KEY=VALUE, ...]`:
/// every value of a Secret generator, and the credentials of a ConfigMap generator.
fn generator_literals(path: &str, doc: &Document, root: &Node, out: &mut Vec<Finding>) {
    for (field, source) in crate::workloads::GENERATORS {
        let Some(NodeKind::Sequence { items, .. }) = root.get(field).map(|n| &n.kind) else {
            continue;
        };
        for generator in items {
            let Some(NodeKind::Sequence { items: literals, .. }) = generator.get("literals").map(|n| &n.kind)
            else {
                continue;
            };
            let hits: Vec<KeyHit> = literals
                .iter()
                .filter_map(|lit| {
                    let (key, value) = lit.as_str()?.split_once('=')?;
                    crate::workloads::generator_hit(source, key, value, lit.line)
                })
                .collect();
            out.extend(Finding::new(
                source,
                path,
                doc.index,
                str_at(generator, &["namespace"]).map(String::from),
                str_at(generator, &["name"]).map(String::from),
                hits,
            ));
        }
    }
}

/// Every finding in one file. Files that are not UTF-8 or not YAML/JSON have no Secret findings
/// (an age identity is found in any file).
pub fn scan_bytes(path: &str, bytes: &[u8]) -> Vec<Finding> {
    settle_for_path(path, scan_any_path(path, bytes))
}

/// The findings of one file's bytes before its path decides which stay ([`settle_for_path`]):
/// the history's read-ahead reads blobs before the walk says where they are.
pub(crate) fn scan_any_path(path: &str, bytes: &[u8]) -> Vec<Finding> {
    match candidate(bytes) {
        Some(wanted) => scan_candidate(path, bytes, wanted),
        None => Vec::new(),
    }
}

/// [`scan_any_path`] of a file [`candidate`] let through with `wanted`.
pub(crate) fn scan_candidate(path: &str, bytes: &[u8], wanted: Wanted) -> Vec<Finding> {
    if let Some(text) = transcoded(bytes) {
        return scan_candidate(path, text.as_bytes(), wanted);
    }
    let mut out = age_identities(path, bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        match tree::parse_last_wins(text) {
            Ok(docs) => scan_documents(path, text, &docs, wanted, &mut out),
            // One bad document must not hide the others: each on its own, and the ones that
            // still do not parse (Helm templates, duplicate keys) through the tolerant reader.
            // A file that is only a candidate for the rules that read whole YAML documents (a
            // format's prefix in a README or a template, a values-like key) is not read again.
            Err(_) if !may_hold_objects(bytes, wanted) => {}
            Err(_) => {
                for (index, first_line, chunk) in crate::tolerant::documents(text) {
                    let padded = "\n".repeat(first_line - 1) + chunk;
                    match tree::parse_last_wins(&padded) {
                        Ok(mut docs) => {
                            docs.iter_mut().for_each(|d| d.index = index);
                            scan_documents(path, text, &docs, wanted, &mut out);
                        }
                        Err(_) => {
                            out.extend(crate::tolerant::secret(path, index, first_line, chunk));
                            if wanted.templates {
                                template(path, text, (index, first_line, chunk), wanted, &mut out);
                            }
                        }
                    }
                }
            }
        }
    }
    finish(out)
}

/// A Helm template's document other than a Secret (the tolerant reader reads those), read as YAML
/// with its template actions taken out (`tolerant::detemplate`): a workload's env literals, a
/// ConfigMap's data, known formats anywhere. What still does not parse is not read.
fn template(
    path: &str,
    text: &str,
    (index, first_line, chunk): (usize, usize, &str),
    wanted: Wanted,
    out: &mut Vec<Finding>,
) {
    let yaml = "\n".repeat(first_line - 1) + &crate::tolerant::detemplate(chunk);
    let Ok(mut docs) = tree::parse(&yaml) else { return };
    docs.retain(|d| !d.root.as_ref().is_some_and(is_secret));
    docs.iter_mut().for_each(|d| d.index = index);
    let before = out.len();
    scan_documents(path, text, &docs, wanted, out);
    // A templated name or namespace is not a name (`{{}}` after `detemplate`); in a key's path
    // (`containers.{{}}.env.X`), it reads as the template it was.
    for f in &mut out[before..] {
        for k in &mut f.keys {
            if k.key.contains("{{}}") {
                k.key = k.key.replace("{{}}", "{{ }}");
            }
        }
        for field in [&mut f.name, &mut f.namespace] {
            if field.as_deref().is_some_and(|n| n.contains("{{")) {
                *field = None;
            }
        }
        f.refresh_fingerprints();
    }
}

/// What stays of a file's findings at `path`: values-file findings only in a Helm values file, and
/// a known format only where no other rule reported that line or key of the document already.
pub fn settle_for_path(path: &str, mut found: Vec<Finding>) -> Vec<Finding> {
    if !crate::workloads::is_values_path(path) {
        found.retain(|f| f.source != Source::HelmValues);
    }
    if !found.iter().any(|f| f.source == Source::KnownFormat) {
        return found;
    }
    // Taken: the lines other rules reported, and their keys (a PEM block under `tls.key: |` is
    // reported at the key's line by the ConfigMap rule, at the block's first line by this one).
    let mut lines = std::collections::HashSet::new();
    let mut keys = std::collections::HashSet::new();
    for f in found.iter().filter(|f| f.source != Source::KnownFormat) {
        for k in &f.keys {
            lines.insert((f.document, k.line));
            keys.insert((f.document, k.key.clone()));
        }
    }
    found.retain_mut(|f| {
        if f.source != Source::KnownFormat {
            return true;
        }
        let document = f.document;
        f.keys
            .retain(|k| !lines.contains(&(document, k.line)) && !keys.contains(&(document, k.key.clone())));
        if let Some(line) = f.keys.first().map(|k| k.line) {
            f.line = line;
            f.refresh_fingerprints();
        }
        !f.keys.is_empty()
    });
    found
}

/// Splits each finding's placeholder keys into a finding of their own class, and names the keys.
pub(crate) fn finish(found: Vec<Finding>) -> Vec<Finding> {
    let mut out = Vec::with_capacity(found.len());
    for mut f in found {
        let (placeholders, leaks): (Vec<KeyHit>, Vec<KeyHit>) = f.keys.drain(..).partition(|k| k.placeholder);
        for (class, keys) in [(Class::Leak, leaks), (Class::Placeholder, placeholders)] {
            if let Some(line) = keys.first().map(|k| k.line) {
                let mut g = Finding {
                    class,
                    line,
                    keys,
                    ..f.clone()
                };
                g.refresh_fingerprints();
                out.push(g);
            }
        }
    }
    out
}

fn scan_documents(path: &str, text: &str, docs: &[Document], wanted: Wanted, out: &mut Vec<Finding>) {
    // A SOPS-encrypted file carries a top-level `sops:` block; its values are ciphertext.
    if docs
        .iter()
        .any(|d| d.root.as_ref().is_some_and(|r| r.get("sops").is_some()))
    {
        return;
    }
    // The rules that read every string run only where their prefilter says they may find one.
    let Wanted { formats, values, .. } = wanted;
    for doc in docs {
        let Some(root) = &doc.root else { continue };
        // As kubectl reads it: the items of anything with `items` (manifest::secret::list_items).
        let mut objects: Vec<(&Node, bool)> = vec![(root, is_secret(root))];
        if let Some(items) = kseal_core::manifest::secret::list_items(root) {
            objects.extend(
                items
                    .iter()
                    .map(|i| (i, kseal_core::manifest::secret::is_secret_item(root, i))),
            );
        }
        for (obj, is_secret) in objects {
            if is_secret && !allowed(obj) {
                let hits = secret_hits(obj, &|n| n.line);
                out.extend(secret_finding(Source::Secret, path, doc.index, obj, hits));
            } else if !allowed(obj) {
                workload(path, doc.index, obj, text, out);
            }
            last_applied(path, doc, obj, out);
            if formats {
                known_formats(path, doc.index, obj, is_secret, text, out);
            }
        }
        generator_literals(path, doc, root, out);
        out.extend(
            unallowed(text, crate::kubeconfig::hits(root))
                .and_then(|hits| Finding::new(Source::Kubeconfig, path, doc.index, None, None, hits)),
        );
        if values && root.get("kind").is_none() && root.get("apiVersion").is_none() {
            let hits = crate::workloads::values_hits(root);
            out.extend(unallowed(text, hits).and_then(|hits| {
                Finding::new(
                    Source::HelmValues,
                    path,
                    doc.index,
                    None,
                    Some(".Values".into()),
                    hits,
                )
            }));
        }
    }
}

/// Known credential formats anywhere in an object, except a Secret's values, the last-applied
/// annotation and a List's items (their own rules, or their own call, read them), and objects with
/// the allow annotation.
fn known_formats(path: &str, document: usize, obj: &Node, secret: bool, text: &str, out: &mut Vec<Finding>) {
    if allowed(obj) {
        return;
    }
    let list = kseal_core::manifest::secret::list_items(obj).is_some();
    let skip = |p: &str| {
        (secret && (p.starts_with("data.") || p.starts_with("stringData.")))
            || p.ends_with(LAST_APPLIED)
            || (list && p.starts_with("items["))
    };
    let hits = crate::workloads::anywhere_hits(obj, &skip);
    out.extend(
        unallowed(text, hits).and_then(|hits| secret_finding(Source::KnownFormat, path, document, obj, hits)),
    );
}

/// `hits` without those on a line that says `kseal:allow`; `None` when none is left.
fn unallowed(text: &str, hits: Vec<KeyHit>) -> Option<Vec<KeyHit>> {
    if hits.is_empty() {
        return None;
    }
    let lines: Vec<&str> = text.lines().collect();
    let hits: Vec<KeyHit> = hits
        .into_iter()
        .filter(|h| {
            !lines
                .get(h.line.wrapping_sub(1))
                .is_some_and(|l| l.contains("kseal:allow"))
        })
        .collect();
    (!hits.is_empty()).then_some(hits)
}

/// Credentials in a ConfigMap's data or a workload's env (see `workloads`); a line that says
/// `kseal:allow` (a comment, as gitleaks' `gitleaks:allow`) is not reported.
fn workload(path: &str, document: usize, obj: &Node, text: &str, out: &mut Vec<Finding>) {
    let Some(kind) = obj.get("kind").and_then(Node::as_str) else {
        return;
    };
    let hits = match kind {
        "ConfigMap" if str_at(obj, &["apiVersion"]).is_some_and(kseal_core::manifest::secret::is_core_v1) => {
            crate::workloads::configmap_hits(obj)
        }
        "ConfigMap" => return,
        _ => crate::workloads::env_hits(obj, kind),
    };
    let Some(hits) = unallowed(text, hits) else {
        return;
    };
    out.extend(secret_finding(
        crate::workloads::source_of(kind),
        path,
        document,
        obj,
        hits,
    ));
}

/// Committed age identities (`AGE-SECRET-KEY-1` + bech32, checksum verified by the age crate),
/// in any file: a cluster's private key. Reported with the public key it belongs to, which says
/// which key pair to rotate. An identity whose line or the three lines above it say `TEST ONLY`
/// or carry the allow annotation is a declared test identity (as in `keys/`).
fn age_identities(path: &str, bytes: &[u8]) -> Vec<Finding> {
    const BECH32: &[u8] = b"QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";
    let mut out = Vec::new();
    for start in memmem::find_iter(bytes, AGE_IDENTITY.as_bytes()) {
        let tail = &bytes[start + AGE_IDENTITY.len()..];
        let len = tail.iter().take_while(|b| BECH32.contains(b)).count();
        let Ok(candidate) = std::str::from_utf8(&bytes[start..start + AGE_IDENTITY.len() + len]) else {
            continue;
        };
        let candidate = zeroize::Zeroizing::new(candidate.to_string());
        let Ok(identity) = kseal_core::crypto::Identity::from_age_str(&candidate) else {
            continue;
        };
        let line_start = bytes[..start]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let line = bytes[..start].iter().filter(|b| **b == b'\n').count() + 1;
        // The identity's own line and the three above it.
        let mut context_start = line_start;
        for _ in 0..3 {
            if context_start == 0 {
                break;
            }
            context_start = bytes[..context_start - 1]
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1);
        }
        let context = &bytes[context_start..start + AGE_IDENTITY.len() + len];
        if memmem::find(context, b"TEST ONLY").is_some()
            || memmem::find(context, ALLOW_ANNOTATION.as_bytes()).is_some()
        {
            continue;
        }
        let hit = KeyHit {
            key: "identity".into(),
            line,
            fingerprint: String::new(),
            kind: Some("age X25519 identity (a private key)"),
            at_head: None,
            value: ValueId::of(candidate.as_bytes()),
            placeholder: false,
            feeds: None,
        };
        out.extend(Finding::new(
            Source::AgeIdentity,
            path,
            1,
            None,
            Some(identity.recipient().to_string()),
            vec![hit],
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::is_placeholder;
    use crate::finding::fingerprint;
    use sha2::{Digest, Sha256};

    fn scan(text: &str) -> Vec<Finding> {
        scan_bytes("f.yaml", text.as_bytes())
    }

    #[test]
    fn plaintext_secret_values_are_found_with_fingerprints_not_values() {
        let f = scan("apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: prod}\ndata:\n  password: aHVudGVyMg==\nstringData:\n  api-token: abc\n  empty: \"\"\n");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].display_name(), "prod/db");
        let keys: Vec<&str> = f[0].keys.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(keys, ["data.password", "stringData.api-token"]);
        assert_eq!(f[0].keys[0].value, ValueId::of(b"hunter2"));
        // The fingerprint names the place, not the value: the same value elsewhere differs, and
        // nothing in it is a hash of the value alone.
        assert_eq!(
            f[0].keys[0].fingerprint,
            fingerprint(None, "f.yaml", Some("prod"), Some("db"), "data.password")
        );
        assert_eq!(f[0].keys[0].fingerprint.len(), 16);
        assert!(!f[0].keys[0]
            .fingerprint
            .starts_with(&hex::encode(&Sha256::digest(b"hunter2")[..4])));
        assert_eq!(f[0].keys[0].kind, Some("password"));
        assert_eq!(f[0].keys[1].kind, Some("token"));
        assert_eq!(f[0].line, 5);
        assert!(!format!("{f:?}").contains("hunter2"));
    }

    #[test]
    fn sealed_sops_templates_empty_and_other_kinds_are_not_findings() {
        for text in [
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: \"kseal:v2:strict:00000000:AAAA\"}\ndata: {b: a3NlYWw6djI6c3RyaWN0}\n",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: \"ENC[AES256_GCM,data:mHeXsmQ=,iv:vUMpILz3xchORqkzDFvgwENY7EqIHHGJdEF6C8xqbFE=,tag:IroV7hykADvD0IUaq6kikA==,type:str]\"}\n",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: \"{{ .Values.password }}\", b: \"${DB_PASSWORD}\", c: \"\"}\n",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: plain}\nsops: {mac: x}\n",
            "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: s}\nspec: {encryptedData: {a: AgB}}\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Secret}\ndata: {password_file: /etc/x}\n",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s, annotations: {kseal.dev/allow-plaintext: fixture}}\nstringData: {a: x}\n",
        ] {
            assert!(scan(text).is_empty(), "{text}");
        }
        // A ConfigMap named `Secret` is a ConfigMap: its password is that finding, not a Secret's.
        let f = scan("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Secret}\ndata: {password: x}\n");
        assert_eq!((f.len(), f[0].source), (1, Source::ConfigMap));
    }

    /// Issue 28: credentials in ConfigMaps and literal env values, with their look-alikes.
    #[test]
    fn configmap_and_env_credentials_are_found_and_references_are_not() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: shop}\ndata:\n  DB_PASSWORD: \"Xk9#mQ2vLp8wRt5z\"\n  password_file: /etc/app/password\n  token_url: https://auth.example.com/token\n  DATABASE_URL: postgres://app:s3cr3t-pw@db:5432/app\n  LOG_LEVEL: debug\n  API_TOKEN: xyz123abc # kseal:allow\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        env:\n        - {name: STRIPE_SECRET_KEY, value: sk_live_51H8xQ2eZvKYlo2C}\n        - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}\n        - {name: API_TOKEN, value: \"{{ .Values.token }}\"}\n        - {name: ADMIN_PASSWORD, value: changeme}\n        - {name: LOG_LEVEL, value: info}\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: backup}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          initContainers:\n          - name: init\n            env: [{name: S3_SECRET_ACCESS_KEY, value: wJalrXUtnFEMI/K7MDENGbPxRfiCYEXAMPLEKEY}]\n";
        let f = scan(text);
        let shown: Vec<(Source, Class, String, Vec<&str>)> = f
            .iter()
            .map(|f| {
                (
                    f.source,
                    f.class,
                    f.display_name(),
                    f.keys.iter().map(|k| k.key.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            vec![
                (
                    Source::ConfigMap,
                    Class::Leak,
                    "shop/app".to_string(),
                    vec!["data.DB_PASSWORD", "data.DATABASE_URL"]
                ),
                (
                    Source::PodEnv,
                    Class::Leak,
                    "web".to_string(),
                    vec!["containers.web.env.STRIPE_SECRET_KEY"]
                ),
                (
                    Source::PodEnv,
                    Class::Placeholder,
                    "web".to_string(),
                    vec!["containers.web.env.ADMIN_PASSWORD"]
                ),
                (
                    Source::PodEnv,
                    Class::Leak,
                    "backup".to_string(),
                    vec!["initContainers.init.env.S3_SECRET_ACCESS_KEY"]
                ),
            ]
        );
        assert_eq!(
            (f[0].line, f[0].keys[1].line, f[1].line, f[3].line),
            (5, 8, 21, 37)
        );
        assert!(!format!("{f:?}").contains("Xk9#") && !format!("{f:?}").contains("sk_live"));
        // A known format is a credential whatever its key or env name says.
        let f = scan(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  SETTING: AKIAQ3EGQWERTY234567\n",
        );
        assert_eq!((f.len(), f[0].keys[0].kind), (1, Some("AWS access key id")));
        let f = scan("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    env:\n    - {name: GH, value: ghp_0123456789abcdefghijABCDEFGHIJ012345}\n");
        assert_eq!((f.len(), f[0].keys[0].kind), (1, Some("GitHub token")));
        // A PEM block under a credential key: the ConfigMap rule's, at the key's line; not again
        // as a known format at the block's first line (seen twice on helm/charts).
        let pem = ["-----BEGIN RSA PRIVATE", "KEY-----"].join(" ");
        let f = scan(&format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata:\n  tls.key: |\n    Bag Attributes\n    {pem}\n    MIIEow\n"));
        let got: Vec<(Source, usize)> = f.iter().map(|f| (f.source, f.line)).collect();
        assert_eq!(got, [(Source::ConfigMap, 6)], "{f:?}");
    }

    #[test]
    fn json_lists_multi_documents_generators_and_last_applied() {
        let f = scan("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"j\"},\"data\":{\"tls.key\":\"LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCmFiYwotLS0tLUVORCBQUklWQVRFIEtFWS0tLS0tCg==\"}}]}");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].keys[0].kind, Some("PEM private key"));

        let f = scan("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {a: x}\n");
        assert_eq!((f.len(), f[0].document, f[0].line), (1, 2, 8));

        let f = scan("secretGenerator:\n- name: gen\n  literals:\n  - password=hunter2\n  - empty=\n");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].source, Source::SecretGenerator);
        assert_eq!(f[0].keys.len(), 1);
        assert_eq!(f[0].keys[0].line, 4);

        let f = scan("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"inner\"},\"stringData\":{\"p\":\"x\"}}'\n");
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].source, f[0].line, f[0].name.as_deref()),
            (Source::LastApplied, 6, Some("inner"))
        );
    }

    #[test]
    fn placeholders_are_their_own_class_beside_real_values() {
        let f = scan("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  real: hunter2\n  a: changeme\n  b: <REPLACE_ME>\n  c: XXXX-XXXX\n  d: Replace this with your token\ndata:\n  e: not base64!\n  f: Y2hhbmdlbWU=\n");
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].class, f[0].keys.len()), (Class::Leak, 1));
        assert_eq!(f[0].keys[0].key, "stringData.real");
        assert_eq!(f[1].class, Class::Placeholder);
        let keys: Vec<&str> = f[1].keys.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "data.e",
                "data.f",
                "stringData.a",
                "stringData.b",
                "stringData.c",
                "stringData.d"
            ]
        );
        for stand_in in ["password", "foo", "REPLACE-USER-1:$apr1$x", "your-api-key-here"] {
            assert!(is_placeholder(stand_in.as_bytes()), "{stand_in}");
        }
        for real in [
            "hunter2",
            "s3cr3t-xyz",
            "tokenvalue",
            "Xk9#2",
            "MyStrongPassword1123?",
            "password1",
        ] {
            assert!(!is_placeholder(real.as_bytes()), "{real}");
        }
    }

    #[test]
    fn committed_age_identities_are_found_with_their_public_key() {
        let id = age::x25519::Identity::generate();
        use age::secrecy::ExposeSecret;
        let secret = id.to_string();
        let text = format!(
            "# created: today\n# public key: {}\n{}\n",
            id.to_public(),
            secret.expose_secret()
        );
        let f = scan_bytes("cluster.agekey", text.as_bytes());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].source, Source::AgeIdentity);
        assert_eq!(f[0].line, 3);
        assert_eq!(f[0].name, Some(id.to_public().to_string()));
        assert!(!format!("{f:?}").contains(secret.expose_secret()));
        // In any file; a bad checksum is not an identity.
        let code = format!("let k = \"{}\";", secret.expose_secret());
        assert_eq!(scan_bytes("main.rs", code.as_bytes()).len(), 1);
        let mut broken = secret.expose_secret().to_string();
        broken.pop();
        broken.push(if secret.expose_secret().ends_with('Q') {
            'P'
        } else {
            'Q'
        });
        assert!(scan_bytes("x", broken.as_bytes()).is_empty());
        // A declared test identity.
        let test = format!("# TEST ONLY: for kseal's tests\n{}\n", secret.expose_secret());
        assert!(scan_bytes("keys/t.agekey", test.as_bytes()).is_empty());
    }

    #[test]
    fn a_bad_document_or_a_template_does_not_hide_its_siblings() {
        // A document that does not parse, then a Secret; duplicate keys; a Helm template.
        let f = scan("a: [unclosed\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: after}\nstringData: {p: hunter2}\n");
        assert_eq!((f.len(), f[0].document, f[0].line), (1, 2, 6));
        assert_eq!(f[0].name.as_deref(), Some("after"));
        let f = scan(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: dup\n  name: dup\nstringData:\n  p: hunter2\n",
        );
        assert_eq!((f.len(), f[0].line), (1, 7), "{f:?}");
        let f = scan("apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n{{- if .Values.x }}\n  password: aHVudGVyMg==\n  templated: {{ .Values.p | b64enc }}\n{{- end }}\n");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].keys.len(), 1);
        assert_eq!(
            (f[0].keys[0].key.as_str(), f[0].keys[0].line),
            ("data.password", 7)
        );
    }

    /// Helm templates (not YAML until their actions are taken out): a workload's literal env
    /// values, a ConfigMap's literal data and known formats are found on their lines; templated
    /// values, `valueFrom`, names of Secrets and a Secret template (the tolerant reader's) are not
    /// reported by these rules.
    #[test]
    fn credentials_in_helm_templates_are_found_and_templated_values_are_not() {
        let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"x.fullname\" . }}\n  labels:\n    {{- include \"x.labels\" . | nindent 4 }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"\n          env:\n            - name: DB_PASSWORD\n              value: \"Xk9mQ2vLp8wRt5zq\"\n            - name: API_TOKEN\n              value: {{ .Values.token | quote }}\n            - name: ADMIN_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: {{ template \"x.fullname\" . }}\n                  key: admin-password\n            {{- range $k, $v := .Values.env }}\n            - name: {{ $k }}\n              value: {{ $v }}\n            {{- end }}\n          args: [\"--hook\", \"https://hooks.slack.com/x\"]\n          command:\n            - run\n            - --key=AKIAZ7Q3XR5T2VWLMN4P\n";
        let f = scan(deployment);
        let lines: Vec<(Source, &str, usize)> = f
            .iter()
            .flat_map(|f| f.keys.iter().map(move |k| (f.source, k.key.as_str(), k.line)))
            .collect();
        assert_eq!(
            lines,
            [
                (Source::PodEnv, "containers.app.env.DB_PASSWORD", 15),
                (
                    Source::KnownFormat,
                    "spec.template.spec.containers[0].command[1]",
                    30
                ),
            ],
            "{f:?}"
        );
        assert!(f.iter().all(|f| f.name.is_none() && f.class == Class::Leak));
        let configmap = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\ndata:\n{{- if .Values.db }}\n  DB_PASSWORD: \"Xk9#mQ2vLp8wRt5z\"\n  API_TOKEN: {{ .Values.apiToken | quote }}\n  password_file: /etc/app/password\n  token_url: https://auth.example.com/token\n{{- end }}\n";
        let f = scan(configmap);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            (f[0].source, f[0].keys.len(), f[0].keys[0].line),
            (Source::ConfigMap, 1, 7)
        );
        // Templated values only, and a Secret template (read by the tolerant reader alone): no
        // credential-outside-a-Secret finding.
        for quiet in [
            "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        env:\n        - name: DB_PASSWORD\n          value: {{ .Values.password }}\n{{- if .Values.x }}\n        - name: TOKEN\n          valueFrom: {secretKeyRef: {name: t, key: token}}\n{{- end }}\n",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}\nstringData:\n{{- if .Values.x }}\n  api-token: {{ .Values.token }}\n{{- end }}\n",
        ] {
            assert_eq!(scan(quiet), [], "{quiet}");
        }
    }

    /// Regression (issue 23): `kind` spelled with an escape or as a block scalar was skipped by
    /// the prefilter, while kubectl (and `kseal verify`) read it as a Secret.
    #[test]
    fn the_prefilter_sees_escaped_and_block_scalar_spellings() {
        for text in [
            "{\"apiVersion\":\"v1\",\"kind\":\"Secr\\u0065t\",\"data\":{}}",
            "apiVersion: v1\nkind: \"Secr\\x65t\"\n",
            "{\"apiVersion\":\"v1\",\"ki\\u006ed\":\"Secret\"}",
            "apiVersion: v1\nkind: \"Sec\\\n    ret\"\n",
            "apiVersion: v1\nkind: >-\n  Secret\n",
            "apiVersion: v1\nkind: |\n  Secret\n",
        ] {
            assert!(is_candidate(text.as_bytes()), "{text}");
        }
        for text in [
            "{\"description\":\"a \\u003cb\\u003e tag\",\"kind\":\"ConfigMap\"}",
            "kind: ConfigMap\nnote: \"Secr\\u0065ts are elsewhere\"\n",
        ] {
            assert!(!is_candidate(text.as_bytes()), "{text}");
        }
    }

    /// CRDs' schemas and values files say `env`, `value:` and `password` without any pod env or
    /// ConfigMap: the workload rule's prefilter skips them (a quarter of helm/charts' parsing),
    /// and still lets through a CRD file that also holds a workload, or an indented kind.
    #[test]
    fn the_workload_prefilter_skips_crds_and_files_without_a_kind() {
        let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  versions:\n  - schema:\n      properties:\n        env:\n          description: the password a pod reads\n        value:\n          type: string\n";
        let values = "env:\n- name: API_TOKEN\n  value: t0k3n-Xk9mQ2vLp8\n";
        let deployment = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        env:\n        - name: API_TOKEN\n          value: t0k3n-Xk9mQ2vLp8\n";
        assert!(!may_hold_workload_credentials(crd.as_bytes(), false));
        assert!(!may_hold_workload_credentials(values.as_bytes(), false));
        let both = format!("{crd}---\n{deployment}");
        assert!(may_hold_workload_credentials(both.as_bytes(), false));
        assert!(may_hold_workload_credentials(deployment.as_bytes(), false));
        let listed = format!("kind: List\nitems:\n- {}", deployment.replace('\n', "\n  "));
        assert!(may_hold_workload_credentials(listed.as_bytes(), false));
        let f = scan_bytes("crd-and-app.yaml", both.as_bytes());
        assert_eq!(f.len(), 1, "the Deployment's literal, in the file with the CRD");
        assert_eq!((f[0].document, f[0].keys[0].line), (2, 21));
        assert!(only_crds(
            b"kind: CustomResourceDefinition\n---\nkind: CustomResourceDefinition"
        ));
        assert!(!only_crds(b"kind: CustomResourceDefinitionList\n"));
        assert!(!only_crds(b"nothing: here\n"));
    }

    #[test]
    fn prefilter_skips_files_without_markers() {
        assert!(!is_candidate(b"apiVersion: v1\nkind: ConfigMap\n"));
        assert!(is_candidate(b"kind: Secret"));
        for yes in [
            "apiVersion: v1\nkind: Secret\n",
            "kind:   Secret\r\n",
            "kind: \"Secret\"",
            "kind: 'Secret'",
            "{\"kind\":\"Secret\",\"data\":{}}",
            "{ \"kind\" : \"Secret\" }",
            "{apiVersion: v1, kind: Secret}",
            "kind:\n  Secret\n",
            "kind: !!str Secret\n",
            "items:\n- kind: Secret\n",
            "a: \"{\\\"kind\\\":\\\"Secret\\\"}\"",
        ] {
            assert!(is_candidate(yes.as_bytes()), "{yes}");
        }
        for no in [
            "kind: ExternalSecret\n",
            "kind: SecretStore\n",
            "kind: SealedSecret\n",
            "# the Secret holding the password\nkind: Deployment\n",
            "valueFrom:\n  secretKeyRef: {name: Secret}\n",
            "subkind: Secret\n",
            "kind: Secrets\n",
        ] {
            assert!(!is_candidate(no.as_bytes()), "{no}");
        }
        assert!(scan_bytes("bin", b"\xff\xfeSecret").is_empty());
    }

    /// Issue 35: a committed kubeconfig with an embedded client key is a finding of its own
    /// class, a leak, and its value is not in it.
    #[test]
    fn a_kubeconfig_with_an_embedded_key_is_a_kubeconfig_finding() {
        let text = "apiVersion: v1\nkind: Config\nusers:\n- name: a\n  user:\n    client-key-data: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JR0hBZ0VBTUJN\n";
        let f = scan_bytes("apiserver/kseal-admission-kubeconfig.yaml", text.as_bytes());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].source, f[0].class), (Source::Kubeconfig, Class::Leak));
        assert_eq!(f[0].keys[0].key, "users[a].user.client-key-data");
        assert!(!format!("{f:?}").contains("LS0tLS1CRUdJTiBQUklW"));
    }
}
