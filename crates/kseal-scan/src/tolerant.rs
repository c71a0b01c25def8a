//! Reading what the YAML parser rejects: documents one at a time, and Secrets in text that is not
//! YAML at all (Helm templates: `{{- if ... }}` lines, `{{ include ... | indent 4 }}`), or YAML
//! the parser refuses (duplicate keys). Written by hand because no crate reads "almost YAML":
//! gitleaks and trufflehog use regular expressions over lines, which is what this does, but only
//! inside a document that says `kind: Secret` and `apiVersion: v1`, and only for the keys under
//! its top-level `data:` and `stringData:`.
//!
//! Other objects in a Helm template (a Deployment's env, a ConfigMap's data) are read as YAML once
//! the template is taken out of them ([`detemplate`]): lines that are only template actions become
//! empty, and an action inside a line becomes `{{}}`, a value the credential rules know as a
//! template. What then still does not parse is not read.

use crate::classify::secret_key_hit;
use crate::finding::{Finding, KeyHit, Source, ALLOW_ANNOTATION};

/// The documents of a YAML stream as `(1-based index, 1-based first line, text)`, split at
/// `---` lines. Text before the first `---` that holds nothing but comments is not a document.
pub fn documents(text: &str) -> Vec<(usize, usize, &str)> {
    let mut starts = vec![(0usize, 1usize)];
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let body = line.trim_end_matches(['\n', '\r']);
        if i > 0 && (body == "---" || body.starts_with("--- ") || body.starts_with("---\t")) {
            starts.push((offset, i + 1));
        }
        offset += line.len();
    }
    let mut out = Vec::new();
    for (n, &(start, line)) in starts.iter().enumerate() {
        let end = starts.get(n + 1).map_or(text.len(), |s| s.0);
        let chunk = &text[start..end];
        let empty = chunk.lines().all(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#') || t == "---"
        });
        if n == 0 && empty {
            continue;
        }
        out.push((out.len() + 1, line, chunk));
    }
    out
}

/// A top-level `key: value` line's value, unquoted.
fn top_level<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(key)?.strip_prefix(':')?;
    Some(unquote(strip_comment(rest).trim()))
}

/// The value of a `key: value` line after its colon: trimmed, its comment dropped, unquoted.
pub(crate) fn value_of(rest: &str) -> &str {
    unquote(strip_comment(rest).trim())
}

fn strip_comment(s: &str) -> &str {
    match s.find(" #") {
        Some(i) if !s.trim_start().starts_with(['"', '\'']) => &s[..i],
        _ => s,
    }
}

fn unquote(s: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// A line that is only template directives (`{{- if .Values.x }}`, `{{ include ... }}`).
fn is_template_line(line: &str) -> bool {
    let t = line.trim();
    t.starts_with("{{") && t.ends_with("}}")
}

/// The Secret in one document that did not parse, if it says it is one. Template lines are
/// skipped; values that hold a template expression are not findings (as in parsed YAML).
pub fn secret(path: &str, index: usize, first_line: usize, chunk: &str) -> Option<Finding> {
    let lines: Vec<&str> = chunk.lines().collect();
    let kind = lines.iter().find_map(|l| top_level(l, "kind"));
    let api = lines.iter().find_map(|l| top_level(l, "apiVersion"));
    let secret = matches!(
        (kind, api),
        (Some("Secret"), Some("v1")) | (Some("KsealSecret"), Some("kseal.dev/v1"))
    );
    if !secret || chunk.contains(ALLOW_ANNOTATION) {
        return None;
    }
    let secret_type = lines.iter().find_map(|l| top_level(l, "type"));
    let (mut name, mut namespace) = (None, None);
    let mut hits: Vec<KeyHit> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        let field = if line.starts_with("metadata:") {
            "metadata"
        } else if top_level(line, "data") == Some("") {
            "data"
        } else if top_level(line, "stringData") == Some("") {
            "stringData"
        } else {
            continue;
        };
        // The block: the lines after it that are indented, blank, comments or templates.
        let mut child = None;
        while i < lines.len() {
            let l = lines[i];
            let t = l.trim();
            if t.is_empty() || t.starts_with('#') || is_template_line(l) {
                i += 1;
                continue;
            }
            if indent(l) == 0 {
                break;
            }
            let level = *child.get_or_insert(indent(l));
            i += 1;
            if indent(l) != level {
                continue;
            }
            let Some((key, value)) = t.split_once(':') else {
                continue;
            };
            let key = unquote(key.trim());
            let value = strip_comment(value).trim();
            if field == "metadata" {
                let v = Some(unquote(value).to_string()).filter(|v| !v.is_empty() && !v.contains("{{"));
                match key {
                    "name" if name.is_none() => name = v,
                    "namespace" if namespace.is_none() => namespace = v,
                    _ => {}
                }
                continue;
            }
            let line_no = first_line + i - 1;
            let text = if value.starts_with('|') || value.starts_with('>') {
                // A block scalar: the following lines indented deeper.
                let mut block = String::new();
                while i < lines.len() && (lines[i].trim().is_empty() || indent(lines[i]) > level) {
                    block.push_str(lines[i].trim());
                    block.push('\n');
                    i += 1;
                }
                block
            } else {
                unquote(value).to_string()
            };
            let text = zeroize::Zeroizing::new(text);
            hits.extend(secret_key_hit(field, key, &text, line_no, secret_type));
        }
    }
    let mut f = Finding {
        source: Source::Secret,
        class: Default::default(),
        path: path.to_string(),
        document: index,
        line: hits.first()?.line,
        namespace,
        name,
        keys: hits,
        commit: None,
        date: None,
        at_head: None,
        head_path: None,
        refs: Vec::new(),
    };
    f.refresh_fingerprints();
    Some(f)
}

/// The document `chunk` with its Helm template actions taken out, line for line (so lines keep
/// their numbers): a line of nothing but actions (`{{- if .Values.x }}`, `{{ include ... |
/// nindent 4 }}`, the lines of a multi-line `{{/* comment */}}`) becomes empty; an action inside a
/// line becomes `{{}}`, quoted where it starts a plain value (`value: {{ .Values.x }}-y` becomes
/// `value: '{{}}-y'`), as YAML would otherwise read it as a flow mapping.
pub fn detemplate(chunk: &str) -> String {
    let mut out = String::with_capacity(chunk.len());
    let mut in_action = false;
    for line in chunk.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let newline = &line[body.len()..];
        let (mut kept, mut rest, mut text) = (String::new(), body, false);
        loop {
            if in_action {
                let Some(end) = rest.find("}}") else { break };
                rest = &rest[end + 2..];
                in_action = false;
            }
            let Some(start) = rest.find("{{") else {
                text |= !rest.trim().is_empty();
                kept.push_str(rest);
                break;
            };
            text |= !rest[..start].trim().is_empty();
            kept.push_str(&rest[..start]);
            kept.push_str("{{}}");
            rest = &rest[start + 2..];
            in_action = true;
        }
        if text {
            out.push_str(&quote_leading_action(&kept));
        }
        out.push_str(newline);
    }
    out
}

/// `key: {{}}...` or `- {{}}...`: the value put in single quotes, so that YAML reads a string.
fn quote_leading_action(line: &str) -> String {
    let Some(at) = line.find("{{}}") else {
        return line.to_string();
    };
    let before = line[..at].trim_end();
    let starts_value = before.ends_with(':') || before.trim_start() == "-" || before.ends_with(" -");
    if !starts_value && !before.is_empty() {
        return line.to_string();
    }
    if before.is_empty() {
        // A templated key (`{{ .Values.name }}: x`): only the action quoted.
        return format!("{}'{{{{}}}}'{}", &line[..at], &line[at + 4..]);
    }
    format!("{}'{}'", &line[..at], line[at..].replace('\'', "''"))
}

/// Where the line holding `from` starts and the line holding `to` ends (before its `\n`).
fn lines_around(bytes: &[u8], from: usize, to: usize) -> (usize, usize) {
    let start = bytes[..from]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &bytes[to..]).map_or(bytes.len(), |i| to + i);
    (start, end)
}

/// Whether the `key:` at `start..end` (the colon last) has a value on its line that the credential
/// rules report (so not `password:` alone, `""`, a template, a Secret's name, a path...: charts
/// default most credentials to exactly that), or starts a block scalar (a PEM key). Parsing is
/// what costs: on helm/charts this line check leaves a fraction of the values files with
/// credential keys to parse.
pub(crate) fn with_value(bytes: &[u8], start: usize, end: usize) -> bool {
    let (line_start, line_end) = lines_around(bytes, start, end);
    let (Ok(key), Ok(rest)) = (
        std::str::from_utf8(&bytes[line_start..end - 1]),
        std::str::from_utf8(&bytes[end..line_end]),
    ) else {
        return true;
    };
    let key = key.trim().trim_start_matches("- ").trim_matches(['"', '\'']);
    let value = value_of(rest);
    value.starts_with(['|', '>']) || crate::workloads::hit(String::new(), key, value, 0).is_some()
}

/// Whether a template has an object other than a Secret (the tolerant reader's): a line that
/// starts with `kind:` and another kind. Charts' READMEs, NOTES.txt and values files have
/// `{{` and credential words too (on helm/charts they were most of the 1,077 blobs, 31 MB,
/// that the template rule parsed three times each).
pub(crate) fn template_objects(bytes: &[u8]) -> bool {
    let first = bytes.starts_with(b"kind:").then_some(0);
    first
        .into_iter()
        .chain(memchr::memmem::find_iter(bytes, b"\nkind:").map(|at| at + 1))
        .any(|at| {
            let rest = &bytes[at + 5..];
            let value = &rest[rest.iter().position(|b| *b != b' ').unwrap_or(rest.len())..];
            let secret =
                value.starts_with(b"Secret") && matches!(value.get(6), Some(b'\n' | b'\r' | b' ') | None);
            !secret && !value.starts_with(b"CustomResourceDefinition")
        })
}

/// Whether a Helm template has a literal value the credential rules report: a `KEY: value` line
/// whose key says credential (a ConfigMap's data), or a `value:` line under an env entry whose
/// `name:` says so. Templated values (`{{ .Values.x }}`) are not literals. A prefilter over
/// lines: the templates of helm/charts' history are many, and nearly all take their values
/// from `.Values`.
pub(crate) fn template_literals(bytes: &[u8]) -> bool {
    // Case variants spelled out, not `(?i)`: literals the regex searches for with SIMD, as the
    // values prefilter does (the templates of a history are many: every version of every chart's
    // deployment.yaml).
    static KEYS: std::sync::OnceLock<regex::bytes::Regex> = std::sync::OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        regex::bytes::Regex::new(
            "(?:assw|ASSW|[pP]wd|PWD|oken|OKEN|ecret|ECRET|_KEY|_key|[kK]ey|redentials|REDENTIALS)[A-Za-z0-9_]*:",
        )
        .expect("a valid pattern")
    });
    let line_at = |at: usize| lines_around(bytes, at, at);
    // `- name: DB_PASSWORD`, then `value: <a literal>` on the next line.
    let env_literal = |at: usize| {
        let (start, end) = line_at(at);
        if start == 0 || !bytes[start..at].iter().all(|b| *b == b' ') {
            return false;
        }
        let Ok(value) = std::str::from_utf8(&bytes[at + 6..end]) else {
            return false;
        };
        let value = value_of(value);
        if value.is_empty() || value.contains("{{") {
            return false;
        }
        let (previous, _) = line_at(start - 1);
        let Ok(name) = std::str::from_utf8(&bytes[previous..start - 1]) else {
            return false;
        };
        let Some(name) = name.trim().trim_start_matches("- ").strip_prefix("name:") else {
            return false;
        };
        crate::workloads::hit(String::new(), value_of(name), value, 0).is_some()
    };
    memchr::memmem::find_iter(bytes, b"value:").any(env_literal)
        || keys
            .find_iter(bytes)
            .any(|m| with_value(bytes, m.start(), m.end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_split_at_document_markers_with_their_first_lines() {
        let docs = documents("# comment\n---\na: 1\n---\nb: 2\n--- # c\nc: 3\n");
        let got: Vec<(usize, usize)> = docs.iter().map(|(i, l, _)| (*i, *l)).collect();
        assert_eq!(got, [(1, 2), (2, 4), (3, 6)]);
        let docs = documents("a: 1\n---\nb: 2\n");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].2, "a: 1\n");
    }

    #[test]
    fn a_helm_template_secret_with_literal_values_is_read() {
        let t = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ template \"x.fullname\" . }}\n  labels:\n{{ include \"x.labels\" . | indent 4 }}\ntype: Opaque\ndata:\n{{- if .Values.enabled }}\n  api-key: \"c2VjcmV0LXZhbHVl\"\n  templated: {{ .Values.password | b64enc | quote }}\n{{- end }}\nstringData:\n  cert: |\n    line one\n    line two\n";
        let f = secret("t.yaml", 2, 10, t).unwrap();
        assert_eq!(f.document, 2);
        assert_eq!(f.name, None);
        let keys: Vec<(&str, usize)> = f.keys.iter().map(|k| (k.key.as_str(), k.line)).collect();
        assert_eq!(keys, [("data.api-key", 19), ("stringData.cert", 23)]);
        assert_eq!(f.keys[0].value, crate::ValueId::of(b"secret-value"));
        assert_eq!(f.keys[1].value, crate::ValueId::of(b"line one\nline two\n"));
        assert!(secret("c.yaml", 1, 1, "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b\n").is_none());
    }

    #[test]
    fn templates_are_taken_out_line_for_line() {
        let t = "metadata:\n  name: {{ include \"x.fullname\" . }}\n  labels:\n    {{- include \"x.labels\" . | nindent 4 }}\n{{/* a comment\n   on two lines */}}\nspec:\n  image: \"{{ .Values.image }}:{{ .Values.tag }}\"\n  v: {{ .Values.v }}-x\n  w: pre-{{ .Values.w }}\n  items:\n  - {{ .Values.item }}\n  {{ .Values.key }}: 1\n";
        let d = detemplate(t);
        assert_eq!(d.lines().count(), t.lines().count());
        assert_eq!(
            d,
            "metadata:\n  name: '{{}}'\n  labels:\n\n\n\nspec:\n  image: \"{{}}:{{}}\"\n  v: '{{}}-x'\n  w: pre-{{}}\n  items:\n  - '{{}}'\n  '{{}}': 1\n"
        );
        assert!(kseal_core::manifest::tree::parse(&d).is_ok(), "{d}");
    }
}
