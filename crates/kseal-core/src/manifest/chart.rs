//! Helm charts: which values of a chart's values files its Secret templates put under `data` or
//! `stringData`, so that `verify` can check those values are sealed where they are written (a
//! template is not YAML until rendered, and its values come from `values.yaml`).
//!
//! Read by hand, line by line, because a template is Go text, not YAML: a line `KEY: VALUE` in a
//! `data:` or `stringData:` block of a document whose `kind` is `Secret`, where VALUE is a literal or
//! one `{{ ... .Values.a.b ... }}` expression (with pipes such as `b64enc`, `quote`, `default`,
//! `required`). Anything else there (`range`, `toYaml`, `include`, several references) is
//! reported as not followed: verify then says it could not check the template, as before.

use super::secret::{state_of, Field, ValueState};
use super::tree;

/// One value a Secret template takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueRef {
    /// `data` or `stringData`, as the template writes it.
    pub field: Field,
    /// The key under it.
    pub key: String,
    /// The 1-based line of the template.
    pub line: usize,
    /// What the value is.
    pub source: RefSource,
}

/// Where a templated value comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefSource {
    /// `.Values.a.b`: the keys of the path, and whether the template base64-encodes it
    /// (`b64enc`), so that the values file holds text even under `data`.
    Values {
        /// The keys below `.Values`.
        path: Vec<String>,
        /// Whether the value goes through `b64enc`.
        encoded: bool,
    },
    /// A value written in the template itself.
    Literal(String),
}

/// What the Secret blocks of a template hold: the values followed, and the lines that could not
/// be (a `range`, a `toYaml`, two references in one value).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SecretRefs {
    /// The values followed.
    pub refs: Vec<ValueRef>,
    /// 1-based lines of the Secret blocks that could not be followed.
    pub unfollowed: Vec<usize>,
}

/// The values the `data` and `stringData` blocks of the Secret documents of `template` take.
pub fn secret_refs(template: &str) -> SecretRefs {
    let mut out = SecretRefs::default();
    for doc in documents(template) {
        if !doc.iter().any(|(_, l)| is_kind_secret(l)) {
            continue;
        }
        let mut field = None;
        for (line, text) in doc {
            let indent = text.len() - text.trim_start().len();
            let trimmed = text.trim();
            if indent == 0 && !trimmed.starts_with("{{") {
                field = match trimmed.trim_end_matches(':') {
                    "data" if trimmed.ends_with(':') => Some(Field::Data),
                    "stringData" if trimmed.ends_with(':') => Some(Field::StringData),
                    _ => None,
                };
                continue;
            }
            let Some(field) = field else { continue };
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            match value_line(trimmed) {
                Some((key, source)) => out.refs.push(ValueRef {
                    field,
                    key,
                    line,
                    source,
                }),
                None if is_trim_only(trimmed) => {}
                None => out.unfollowed.push(line),
            }
        }
    }
    out
}

/// A template's documents, as (1-based line, text) per line.
fn documents(template: &str) -> Vec<Vec<(usize, &str)>> {
    let mut docs = vec![Vec::new()];
    for (i, line) in template.lines().enumerate() {
        if line.trim_end() == "---" {
            docs.push(Vec::new());
        } else if let Some(doc) = docs.last_mut() {
            doc.push((i + 1, line));
        }
    }
    docs
}

/// Whether a template line is a document's top-level `kind: Secret` (unindented, quoted or not).
pub fn is_kind_secret(line: &str) -> bool {
    let t = line.trim();
    t.strip_prefix("kind:")
        .is_some_and(|k| k.trim().trim_matches(['"', '\'']) == "Secret")
        && line.len() == line.trim_start().len()
}

/// `{{- if ... }}`, `{{- end }}` and the like on a line of their own: no value.
fn is_trim_only(line: &str) -> bool {
    let Some(inner) = line.strip_prefix("{{").and_then(|l| l.strip_suffix("}}")) else {
        return false;
    };
    let word = inner
        .trim_matches(['-', ' '])
        .split_whitespace()
        .next()
        .unwrap_or("");
    matches!(word, "if" | "else" | "end" | "with")
}

/// `KEY: VALUE` with a literal or one `.Values` expression as VALUE.
fn value_line(line: &str) -> Option<(String, RefSource)> {
    let (key, value) = line.split_once(':')?;
    let key = key.trim().trim_matches(['"', '\'']);
    if key.is_empty() || key.contains("{{") || super::secret::check_key_name(key).is_err() {
        return None;
    }
    let value = value.trim();
    // `"{{ .Values.x }}"`: quoted so the template parses as YAML; the quotes are the template's
    // own output, not part of the expression.
    let value = ['"', '\'']
        .iter()
        .find_map(|q| {
            value
                .strip_prefix(*q)
                .and_then(|v| v.strip_suffix(*q))
                .filter(|v| v.starts_with("{{") && v.ends_with("}}"))
        })
        .unwrap_or(value);
    if !value.contains("{{") {
        let literal = value.trim_matches(['"', '\'']).to_string();
        return Some((key.to_string(), RefSource::Literal(literal)));
    }
    let inner = value
        .strip_prefix("{{")?
        .strip_suffix("}}")?
        .trim_matches(['-', ' ']);
    if inner.contains("{{") || inner.matches(".Values.").count() != 1 {
        return None;
    }
    let at = inner.find(".Values.")?;
    let path: Vec<String> = inner[at + ".Values.".len()..]
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.'))
        .next()?
        .split('.')
        .map(str::to_string)
        .collect();
    let stages: Vec<&str> = inner.split('|').map(str::trim).collect();
    let allowed = |s: &&str| {
        let word = s.split_whitespace().next().unwrap_or("");
        s.contains(".Values.")
            || matches!(
                word,
                "b64enc" | "quote" | "squote" | "trim" | "toString" | "default" | "required"
            )
    };
    if path.iter().any(String::is_empty) || !stages.iter().all(allowed) {
        return None;
    }
    let encoded = stages.contains(&"b64enc");
    Some((key.to_string(), RefSource::Values { path, encoded }))
}

/// A problem with one value a Secret template takes: where it is, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsealed {
    /// 1-based line in the values file (or the template, for a literal).
    pub line: usize,
    /// `.Values.a.b`, or the template's key for a literal.
    pub what: String,
}

/// The values `refs` take from one values file (its text) that are plaintext: not sealed, not
/// empty, not a template or another tool's ciphertext. Values the file does not set are not its
/// problem (the chart's own `values.yaml` sets the defaults).
pub fn unsealed_in_values(values: &str, refs: &[ValueRef]) -> Result<Vec<Unsealed>, tree::ParseError> {
    let docs = tree::parse(values)?;
    let Some(root) = docs.first().and_then(|d| d.root.as_ref()) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for r in refs {
        let RefSource::Values { path, encoded } = &r.source else {
            continue;
        };
        let Some(node) = path.iter().try_fold(root, |n, k| n.get(k)) else {
            continue;
        };
        let Some(text) = node.as_str() else { continue };
        let field = if *encoded { Field::StringData } else { r.field };
        if is_plain(field, text) {
            out.push(Unsealed {
                line: node.line,
                what: format!(
                    ".Values.{} ({}.{} of the template, line {})",
                    path.join("."),
                    r.field.as_str(),
                    r.key,
                    r.line
                ),
            });
        }
    }
    Ok(out)
}

/// The literal values of `refs` that are plaintext.
pub fn unsealed_literals(refs: &[ValueRef]) -> Vec<Unsealed> {
    refs.iter()
        .filter_map(|r| match &r.source {
            RefSource::Literal(text) if is_plain(r.field, text) => Some(Unsealed {
                line: r.line,
                what: format!("{}.{}", r.field.as_str(), r.key),
            }),
            _ => None,
        })
        .collect()
}

fn is_plain(field: Field, text: &str) -> bool {
    !text.trim().is_empty() && matches!(state_of(field, text), ValueState::Plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ include \"app.fullname\" . }}\n{{- if .Values.tls }}\ntype: kubernetes.io/tls\n{{- end }}\nstringData:\n  password: {{ .Values.db.password | quote }}\n  user: admin\ndata:\n  token: {{ .Values.api.token | b64enc | quote }}\n---\napiVersion: v1\nkind: ConfigMap\ndata:\n  x: {{ .Values.notASecret }}\n";

    #[test]
    fn secret_blocks_are_followed_to_their_values() {
        let refs = secret_refs(TEMPLATE);
        assert!(refs.unfollowed.is_empty(), "{refs:?}");
        let shown: Vec<(Field, &str, usize)> = refs
            .refs
            .iter()
            .map(|r| (r.field, r.key.as_str(), r.line))
            .collect();
        assert_eq!(
            shown,
            vec![
                (Field::StringData, "password", 9),
                (Field::StringData, "user", 10),
                (Field::Data, "token", 12)
            ]
        );
        assert_eq!(
            refs.refs[2].source,
            RefSource::Values {
                path: vec!["api".into(), "token".into()],
                encoded: true
            }
        );
        assert_eq!(
            unsealed_literals(&refs.refs),
            vec![Unsealed {
                line: 10,
                what: "stringData.user".into()
            }]
        );
    }

    #[test]
    fn plaintext_values_are_found_with_their_line_and_sealed_ones_pass() {
        let refs = secret_refs(TEMPLATE).refs;
        let values = "db:\n  password: kseal:v2:strict:00000000:AAAA\napi:\n  token: hunter2\n";
        let found = unsealed_in_values(values, &refs).unwrap();
        assert_eq!(
            found,
            vec![Unsealed {
                line: 4,
                what: ".Values.api.token (data.token of the template, line 12)".into()
            }]
        );
        let defaults = "db:\n  password: \"\"\napi: {}\n";
        assert!(unsealed_in_values(defaults, &refs).unwrap().is_empty());
    }

    /// Issue 37: a quoted template (so the file parses as YAML) and `required` are followed.
    #[test]
    fn quoted_templates_and_required_are_followed() {
        let t = "kind: Secret\nstringData:\n  token: \"{{ .Values.api.token }}\"\n  pw: '{{ required \"set it\" .Values.db.pw }}'\n  lit: \"plain\"\n";
        let refs = secret_refs(t);
        assert!(refs.unfollowed.is_empty(), "{refs:?}");
        let paths: Vec<&RefSource> = refs.refs.iter().map(|r| &r.source).collect();
        assert_eq!(
            paths,
            [
                &RefSource::Values {
                    path: vec!["api".into(), "token".into()],
                    encoded: false
                },
                &RefSource::Values {
                    path: vec!["db".into(), "pw".into()],
                    encoded: false
                },
                &RefSource::Literal("plain".into()),
            ]
        );
    }

    #[test]
    fn what_cannot_be_followed_is_said() {
        let t = "kind: Secret\ndata:\n{{- range $k, $v := .Values.secrets }}\n  {{ $k }}: {{ $v | b64enc }}\n{{- end }}\n  a: {{ .Values.a | default .Values.b }}\n";
        let refs = secret_refs(t);
        assert_eq!(refs.unfollowed, vec![3, 4, 6]);
    }
}
