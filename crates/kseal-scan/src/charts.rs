//! Which template of a chart a Helm values credential feeds: a chart's `Secret` template (the
//! value ends up in a Secret: keep it out of values.yaml and give it at install time) or another
//! template (a ConfigMap, a pod's env: plain text in the cluster even when values are sealed).
//!
//! Read from the chart's `templates/` beside the values file, as the scan found it (the work
//! tree, the index, or the commit that introduced the finding). A value no template names (a
//! subchart's, one read through a helper's `index`) is still reported, without a label; a value
//! every template uses only as a Secret's name (`secretKeyRef.name`, `secretName`) is a
//! reference, not a credential, and is not reported (`oauth.github.secret: OAuthBookstack`,
//! helm/charts' most repeated false alarm).

use std::collections::HashMap;

use crate::finding::{Feeds, Finding, Source};

/// The folder of the chart whose values file is `values_path`: the file's folder, or its parent
/// for the `ci/values-*.yaml` files charts keep for their tests.
pub fn chart_root(values_path: &str) -> &str {
    let dir = values_path.rsplit_once('/').map_or("", |(d, _)| d);
    match dir.rsplit_once('/') {
        Some((parent, "ci")) => parent,
        None if dir == "ci" => "",
        _ => dir,
    }
}

/// `templates/` of the chart at `root`, as a path prefix.
pub fn templates_dir(root: &str) -> String {
    if root.is_empty() {
        "templates/".into()
    } else {
        format!("{root}/templates/")
    }
}

/// One template's references to `.Values`.
struct Template {
    path: String,
    secret: bool,
    /// Every `.Values.a.b` path it names (`a.b`).
    reads: Vec<String>,
    /// The paths it names only as a Secret's name.
    names_secret: Vec<String>,
}

impl Template {
    fn read(path: String, bytes: &[u8]) -> Template {
        let text = String::from_utf8_lossy(bytes);
        let lines: Vec<&str> = text.lines().collect();
        let mut reads = Vec::new();
        let mut as_name = Vec::new();
        for (n, line) in lines.iter().enumerate() {
            for (at, m) in line.match_indices(".Values.") {
                if is_condition(&line[..at]) {
                    continue;
                }
                let rest = &line[at + m.len()..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                    .unwrap_or(rest.len());
                let read = rest[..end].trim_end_matches('.').to_string();
                if !read.is_empty() {
                    as_name.push((read.clone(), names_a_secret(&lines, n)));
                    reads.push(read);
                }
            }
        }
        reads.sort();
        reads.dedup();
        let names_secret = reads
            .iter()
            .filter(|r| as_name.iter().filter(|(a, _)| a == *r).all(|(_, named)| *named))
            .cloned()
            .collect();
        Template {
            path,
            secret: lines
                .iter()
                .any(|l| kseal_core::manifest::chart::is_kind_secret(l)),
            reads,
            names_secret,
        }
    }
}

/// Whether the template action a read sits in (`before` is its line up to the read) only tests
/// the value (`{{ if .Values.x }}`, `else if`, `unless`): that puts it nowhere.
fn is_condition(before: &str) -> bool {
    let Some(open) = before.rfind("{{") else {
        return false;
    };
    let action = before[open + 2..].trim_start_matches('-').trim_start();
    ["if ", "else if ", "unless "]
        .iter()
        .any(|w| action.starts_with(w))
}

/// Whether line `n` gives a Secret's name: `secretName:`, or `name:` right under `secretKeyRef:`
/// or `secretRef:` (a `key:` line may come between).
fn names_a_secret(lines: &[&str], n: usize) -> bool {
    let line = lines[n].trim_start().trim_start_matches("- ");
    if line.starts_with("secretName:") {
        return true;
    }
    line.starts_with("name:")
        && lines[..n]
            .iter()
            .rev()
            .take(2)
            .any(|l| matches!(l.trim(), "secretKeyRef:" | "secretRef:" | "- secretRef:"))
}

/// Whether the templates read `key` and only ever as a Secret's name.
fn only_names_a_secret(templates: &[Template], key: &str) -> bool {
    let reading: Vec<&Template> = templates
        .iter()
        .filter(|t| t.reads.iter().any(|r| r == key))
        .collect();
    !reading.is_empty() && reading.iter().all(|t| t.names_secret.iter().any(|r| r == key))
}

/// The template that reads `key` (a dotted values path; `a.b[0]` is read as `a.b`): one that names
/// the key itself before one that names a parent (`with .Values.auth`, `toYaml .Values.env`), and
/// within each a Secret's template first.
fn feeds(templates: &[Template], key: &str) -> Option<Feeds> {
    let key = key.split('[').next().unwrap_or(key);
    let names_parent = |r: &str| key.len() > r.len() && key.starts_with(r) && key.as_bytes()[r.len()] == b'.';
    for exact in [true, false] {
        let reading: Vec<&Template> = templates
            .iter()
            .filter(|t| {
                t.reads
                    .iter()
                    .any(|r| if exact { r == key } else { names_parent(r) })
            })
            .collect();
        if let Some(t) = reading.iter().find(|t| t.secret).or(reading.first()) {
            return Some(Feeds {
                template: t.path.clone(),
                secret: t.secret,
            });
        }
    }
    None
}

/// Labels every Helm values key of `findings` with the template that reads it. `templates(f,
/// dir)` lists the files under `dir` (a `templates/` folder) where `f` was found, with their
/// content; it is asked once per chart and commit.
/// Keys every template reads only as a Secret's name are dropped (a finding left without keys
/// with them).
pub fn label(
    findings: &mut Vec<Finding>,
    mut templates: impl FnMut(&Finding, &str) -> Vec<(String, Vec<u8>)>,
) {
    let mut charts: HashMap<(Option<String>, String), Vec<Template>> = HashMap::new();
    for f in findings.iter_mut().filter(|f| f.source == Source::HelmValues) {
        let dir = templates_dir(chart_root(&f.path));
        let read = charts.entry((f.commit.clone(), dir.clone())).or_insert_with(|| {
            let mut files = templates(f, &dir);
            // By path, so the template named first does not depend on how it was walked.
            files.sort_by(|a, b| a.0.cmp(&b.0));
            files
                .into_iter()
                // What Helm renders: not partials (`_helpers.tpl`), which only define what the
                // templates that include them put somewhere.
                .filter(|(p, _)| {
                    let name = p.rsplit('/').next().unwrap_or(p);
                    !name.starts_with('_')
                        && (name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".tpl"))
                })
                .map(|(p, bytes)| Template::read(p, &bytes))
                .collect()
        });
        let before = f.keys.len();
        f.keys.retain(|k| !only_names_a_secret(read, &k.key));
        for k in &mut f.keys {
            k.feeds = feeds(read, &k.key);
        }
        if f.keys.len() != before {
            if let Some(first) = f.keys.first() {
                f.line = first.line;
            }
            f.refresh_fingerprints();
        }
    }
    findings.retain(|f| !f.keys.is_empty());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_values_file_belongs_to_the_chart_it_sits_in_or_above_ci() {
        assert_eq!(chart_root("charts/db/values.yaml"), "charts/db");
        assert_eq!(chart_root("charts/db/ci/values-ha.yaml"), "charts/db");
        assert_eq!(chart_root("values.yaml"), "");
        assert_eq!(chart_root("ci/values-x.yaml"), "");
        assert_eq!(templates_dir(""), "templates/");
        assert_eq!(templates_dir("charts/db"), "charts/db/templates/");
    }

    #[test]
    fn a_key_feeds_the_secret_template_that_reads_it_before_any_other() {
        let t = |path: &str, text: &str| Template::read(path.into(), text.as_bytes());
        let templates = [
            t(
                "t/configmap.yaml",
                "kind: ConfigMap\ndata:\n  url: {{ .Values.db.url }}\n  smtp: {{ .Values.smtp.password | quote }}\n",
            ),
            t(
                "t/secret.yaml",
                "apiVersion: v1\nkind: Secret\ndata:\n  password: {{ .Values.db.password | b64enc }}\n{{- with .Values.auth }}\n  token: {{ .token | b64enc }}\n{{- end }}\n",
            ),
            t(
                "t/deployment.yaml",
                "kind: Deployment\nenv: {{- toYaml .Values.env | nindent 8 }}\npw: {{ .Values.db.password }}\n",
            ),
        ];
        let at = |key: &str| feeds(&templates, key).map(|f| (f.template, f.secret));
        assert_eq!(at("db.password"), Some(("t/secret.yaml".into(), true)));
        assert_eq!(at("smtp.password"), Some(("t/configmap.yaml".into(), false)));
        assert_eq!(
            at("auth.token"),
            Some(("t/secret.yaml".into(), true)),
            "through `with`"
        );
        assert_eq!(at("env[0].value"), Some(("t/deployment.yaml".into(), false)));
        assert_eq!(at("db.passwordHash"), None, "a longer name is another key");
        assert_eq!(at("dbx.password"), None);
        assert_eq!(at("other.secret"), None);
        let guarded = [t(
            "t/d.yaml",
            "kind: Deployment\n{{- if .Values.gcs.key }}\nvolumes: []\n{{- end }}\n",
        )];
        assert_eq!(feeds(&guarded, "gcs.key"), None, "a condition puts it nowhere");
    }

    #[test]
    fn a_key_read_only_as_a_secrets_name_is_a_reference() {
        let deployment = Template::read(
            "t/deployment.yaml".into(),
            b"env:\n- name: APP_SECRET\n  valueFrom:\n    secretKeyRef:\n      name: {{ .Values.oauth.secret | quote }}\n      key: {{ .Values.oauth.key }}\n- name: B\n  valueFrom:\n    secretKeyRef:\n      key: b\n      name: {{ .Values.b.secret }}\nvolumes:\n- secret:\n    secretName: {{ .Values.tls.secret }}\n- name: {{ .Values.both.secret }}\nargs: [--x={{ .Values.both.secret }}]\n",
        );
        assert!(only_names_a_secret(
            std::slice::from_ref(&deployment),
            "oauth.secret"
        ));
        assert!(only_names_a_secret(std::slice::from_ref(&deployment), "b.secret"));
        assert!(only_names_a_secret(
            std::slice::from_ref(&deployment),
            "tls.secret"
        ));
        assert!(!only_names_a_secret(
            std::slice::from_ref(&deployment),
            "both.secret"
        ));
        assert!(!only_names_a_secret(
            std::slice::from_ref(&deployment),
            "unread.secret"
        ));
        let config = Template::read("t/cm.yaml".into(), b"data:\n  s: {{ .Values.oauth.secret }}\n");
        assert!(
            !only_names_a_secret(&[deployment, config], "oauth.secret"),
            "also read as a value"
        );
    }
}
