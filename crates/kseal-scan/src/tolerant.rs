//! Reading what the YAML parser rejects: documents one at a time, and Secrets in text that is not
//! YAML at all (Helm templates: `{{- if ... }}` lines, `{{ include ... | indent 4 }}`), or YAML
//! the parser refuses (duplicate keys). Written by hand because no crate reads "almost YAML":
//! gitleaks and trufflehog use regular expressions over lines, which is what this does, but only
//! inside a document that says `kind: Secret` and `apiVersion: v1`, and only for the keys under
//! its top-level `data:` and `stringData:`.

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
    if kind != Some("Secret") || api != Some("v1") || chunk.contains(ALLOW_ANNOTATION) {
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
}
