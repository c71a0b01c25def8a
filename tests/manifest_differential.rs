//! Issue 36, the whole-manifest differential: manifests made from a grammar of the ways a
//! Secret can be written (apiVersion and kind spellings, escaped kinds, quoting and block
//! styles, flow and block metadata, metadata written twice, `data` and `stringData`, Lists,
//! SecretLists of kindless items, JSON, several documents with other kinds between, comments,
//! BOMs, UTF-16) and mutations of the real-looking corpus files. Each goes through the real
//! `kubectl create --dry-run=client -o json` (the reading `kubectl apply` does before it sends
//! anything) and through kseal: verify, scan and seal. For every Secret kubectl would store, and
//! every key of it, verify names that key as plaintext or refuses the file; scan reports the key;
//! seal seals every such key (kubectl reads the sealed file and finds only kseal values under
//! the same keys) or refuses the file. A fixed sample runs in CI (`KSEAL_DIFFERENTIAL_MANIFESTS`
//! for a larger run); the count of disagreements must be 0.

use base64::Engine;

use crate::common::*;

/// A small deterministic generator (xorshift64*): the same cases on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, of: &[&'a str]) -> &'a str {
        of[self.below(of.len())]
    }

    /// A value that looks like a credential (scan's heuristics report it), distinct per case.
    fn value(&mut self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        (0..20)
            .map(|_| char::from(ALPHABET[self.below(ALPHABET.len())]))
            .collect()
    }
}

/// One Secret as the grammar writes it: its name and each (field, key, value).
struct Doc {
    name: String,
    values: Vec<(&'static str, &'static str, String)>,
}

const KEYS: &[&str] = &[
    "password",
    "token",
    "api-key",
    "db.password",
    "TLS_KEY",
    "client_secret",
];

/// A Secret document in YAML, at `indent` (a List item is written with `- ` before it).
fn yaml_doc(r: &mut Rng, d: &Doc, namespace: Option<&str>, kindless: bool) -> String {
    let mut out = String::new();
    if !kindless {
        out.push_str(&format!(
            "apiVersion: {}\n",
            r.pick(&["v1", "\"v1\"", "'v1'", "/v1"])
        ));
        out.push_str(&format!(
            "kind: {}\n",
            r.pick(&[
                "Secret",
                "\"Secret\"",
                "'Secret'",
                "\"Secr\\x65t\"",
                "\"\\u0053ecret\""
            ])
        ));
    } else {
        out.push_str("apiVersion: \"\"\nkind: \"\"\n");
    }
    let meta = match namespace {
        Some(ns) => format!("{{name: {}, namespace: {ns}}}", d.name),
        None => format!("{{name: {}}}", d.name),
    };
    // metadata written twice: kubectl keeps the last.
    if r.below(6) == 0 {
        out.push_str("metadata: {name: decoy-not-stored}\n");
    }
    if r.below(2) == 0 {
        out.push_str(&format!("metadata: {meta}\n"));
    } else {
        out.push_str(&format!("metadata:\n  name: {}\n", d.name));
        if let Some(ns) = namespace {
            out.push_str(&format!("  namespace: {ns}\n"));
        }
    }
    if r.below(3) == 0 {
        out.push_str("type: Opaque\n");
    }
    for field in ["data", "stringData"] {
        let values: Vec<_> = d.values.iter().filter(|(f, _, _)| *f == field).collect();
        if values.is_empty() {
            continue;
        }
        out.push_str(&format!("{field}:\n"));
        for (_, key, value) in values {
            let written = if field == "data" {
                base64::engine::general_purpose::STANDARD.encode(value)
            } else {
                value.clone()
            };
            match r.below(5) {
                0 => out.push_str(&format!("  {key}: {written}\n")),
                1 => out.push_str(&format!("  {key}: \"{written}\"\n")),
                2 => out.push_str(&format!("  {key}: '{written}'\n")),
                3 => out.push_str(&format!("  \"{key}\": {written}   # a comment\n")),
                _ => out.push_str(&format!("  {key}: |-\n    {written}\n")),
            }
        }
    }
    out
}

/// The same Secret as JSON (one object), sometimes with `metadata` twice.
fn json_doc(r: &mut Rng, d: &Doc, namespace: Option<&str>) -> String {
    let ns = namespace
        .map(|n| format!(", \"namespace\": \"{n}\""))
        .unwrap_or_default();
    let decoy = if r.below(4) == 0 {
        "\"metadata\": {\"name\": \"decoy-not-stored\"}, "
    } else {
        ""
    };
    let mut fields = String::new();
    for field in ["data", "stringData"] {
        let entries: Vec<String> = d
            .values
            .iter()
            .filter(|(f, _, _)| *f == field)
            .map(|(_, k, v)| {
                let v = if field == "data" {
                    base64::engine::general_purpose::STANDARD.encode(v)
                } else {
                    v.clone()
                };
                format!("\"{k}\": \"{v}\"")
            })
            .collect();
        if !entries.is_empty() {
            fields.push_str(&format!(", \"{field}\": {{{}}}", entries.join(", ")));
        }
    }
    format!(
        "{{\"apiVersion\": \"v1\", \"kind\": \"Secret\", {decoy}\"metadata\": {{\"name\": \"{}\"{ns}}}{fields}}}\n",
        d.name
    )
}

fn indent_item(doc: &str) -> String {
    let mut out = String::new();
    for (i, line) in doc.lines().enumerate() {
        out.push_str(if i == 0 { "- " } else { "  " });
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// One generated file: its bytes.
fn generated_file(r: &mut Rng, case: usize) -> Vec<u8> {
    let docs: Vec<Doc> = (0..1 + r.below(3))
        .map(|i| {
            let n = 1 + r.below(3);
            let mut keys: Vec<&'static str> = KEYS.to_vec();
            let values = (0..n)
                .map(|_| {
                    let k = keys.remove(r.below(keys.len()));
                    (if r.below(2) == 0 { "data" } else { "stringData" }, k, r.value())
                })
                .collect();
            Doc {
                name: format!("s{case}-{i}"),
                values,
            }
        })
        .collect();
    let namespace = if r.below(3) == 0 { None } else { Some("diff") };
    let text = match r.below(8) {
        // A List, or a SecretList whose items name no kind (kubectl fills in Secret/v1).
        0 => {
            let items: String = docs
                .iter()
                .map(|d| indent_item(&yaml_doc(r, d, namespace, false)))
                .collect();
            format!("apiVersion: v1\nkind: List\nitems:\n{items}")
        }
        1 => {
            let items: String = docs
                .iter()
                .map(|d| indent_item(&yaml_doc(r, d, namespace, true)))
                .collect();
            format!("apiVersion: v1\nkind: SecretList\nitems:\n{items}")
        }
        2 => json_doc(r, &docs[0], namespace),
        _ => {
            let mut parts: Vec<String> = docs.iter().map(|d| yaml_doc(r, d, namespace, false)).collect();
            if r.below(3) == 0 {
                parts.insert(
                    r.below(parts.len() + 1),
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\ndata: {a: b}\n".into(),
                );
            }
            let lead = if r.below(4) == 0 { "# generated\n---\n" } else { "" };
            format!("{lead}{}", parts.join("---\n"))
        }
    };
    match r.below(10) {
        0 => [&[0xef, 0xbb, 0xbf][..], text.as_bytes()].concat(),
        1 => utf16_with_bom(&text, true),
        _ => text.into_bytes(),
    }
}

/// Mutations of the corpus: each plaintext file with its apiVersion spelled `/v1`, with a BOM,
/// and with its first `metadata:` written twice (a decoy first).
fn mutated_corpus() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let dir = testdata("corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|x| x == "yaml"))
    {
        // Without the fixtures' allow-plaintext annotation, which tells scan to let them be.
        let text = std::fs::read_to_string(f)
            .unwrap()
            .replace("kseal.dev/allow-plaintext", "example.com/note");
        out.push(
            text.replacen("apiVersion: v1\n", "apiVersion: /v1\n", 1)
                .into_bytes(),
        );
        out.push([&[0xef, 0xbb, 0xbf][..], text.as_bytes()].concat());
        out.push(
            text.replacen(
                "\nmetadata:",
                "\nmetadata: {name: decoy-not-stored}\nmetadata:",
                1,
            )
            .into_bytes(),
        );
    }
    out
}

/// What kubectl reads a file as: every Secret it would send, as (name, field, key, value), or
/// `None` when it refuses the file.
fn kubectl_secrets(sb: &Sandbox, bytes: &[u8]) -> Option<Vec<(String, String, String, String)>> {
    std::fs::write(sb.path("ask.yaml"), bytes).unwrap();
    let objects = kubectl_objects(&sb.path("kc"), &sb.path("ask.yaml"))?;
    let mut out = Vec::new();
    for obj in objects.iter().filter(|o| o["kind"] == "Secret") {
        let name = obj["metadata"]["name"].as_str().unwrap_or("").to_string();
        for field in ["data", "stringData"] {
            for (k, val) in obj[field].as_object().into_iter().flatten() {
                let val = val.as_str().unwrap_or("").to_string();
                out.push((name.clone(), field.to_string(), k.clone(), val));
            }
        }
    }
    Some(out)
}

/// Whether a value kubectl stores is a kseal value (v3, or v2 that a file already held).
fn is_sealed(field: &str, value: &str) -> bool {
    let text = match field {
        "data" => base64::engine::general_purpose::STANDARD
            .decode(value)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default(),
        _ => value.to_string(),
    };
    text.starts_with("kseal:v3:") || text.starts_with("kseal:v2:")
}

/// kseal's disagreements with kubectl on one file, if any.
fn disagreements(sb: &Sandbox, label: &str, bytes: &[u8]) -> Vec<String> {
    let Some(stored) = kubectl_secrets(sb, bytes) else {
        return Vec::new();
    };
    let plaintext: Vec<_> = stored.iter().filter(|(_, f, _, v)| !is_sealed(f, v)).collect();
    let mut out = Vec::new();
    let at = kseal::Location::file(label);
    let text = match kseal::manifest::tree::decode_utf8(bytes.to_vec()) {
        Ok(t) => t,
        Err(_) => return vec![format!("{label}: kubectl reads it, kseal cannot decode it")],
    };
    // scan: every key kubectl stores in plaintext is reported.
    let findings = kseal::scan::scan_bytes(label, bytes);
    for (name, field, key, _) in &plaintext {
        let found = findings.iter().any(|f| {
            f.name.as_deref() == Some(name.as_str())
                && f.keys.iter().any(|k| k.key == format!("{field}.{key}"))
        });
        if !found {
            out.push(format!(
                "{label}: kubectl stores {name} {field}.{key}, scan does not report it"
            ));
        }
    }
    // verify: names each such key as plaintext, or refuses the file.
    if let Ok(problems) = kseal::manifest::verify::verify(&text, &at, &Default::default()) {
        for (name, field, key, _) in &plaintext {
            let named = problems.iter().any(|p| {
                let l = p.location.to_string();
                p.message == "not sealed (plaintext)"
                    && (l.contains(&format!("Secret {name}: ")) || l.contains(&format!("/{name}: ")))
                    && l.contains(&format!("{field}.{key} ("))
            });
            if !named {
                out.push(format!(
                    "{label}: kubectl stores {name} {field}.{key}, verify does not name it: {problems:?}"
                ));
            }
        }
    }
    // seal: every key sealed where kubectl reads it, or the file refused.
    let policy = kseal::policy::Policy {
        recipients: vec![sb.recipient("a").parse().unwrap()],
        scope: kseal::crypto::Scope::Cluster,
        namespace: None,
    };
    if let Ok(sealed) = kseal::manifest::seal::seal_with(&text, &at, &mut || Ok(policy.clone())) {
        match kubectl_secrets(sb, sealed.text.as_bytes()) {
            None => out.push(format!(
                "{label}: kubectl reads the file but not kseal's sealed version"
            )),
            Some(after) => {
                let keys = |s: &[(String, String, String, String)]| {
                    let mut k: Vec<(String, String)> =
                        s.iter().map(|(n, _, k, _)| (n.clone(), k.clone())).collect();
                    k.sort();
                    k
                };
                if keys(&after) != keys(&stored) {
                    out.push(format!("{label}: sealing changed which keys kubectl stores"));
                }
                for (name, field, key, value) in &after {
                    if !is_sealed(field, value) {
                        out.push(format!(
                            "{label}: after seal, kubectl stores {name} {field}.{key} unsealed"
                        ));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn generated_manifests_read_as_kubectl_reads_them() {
    let s = require_real_apiserver!();
    let count = std::env::var("KSEAL_DIFFERENTIAL_MANIFESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let sb = crate::real_cluster::admin_in(s, "diff");
    let mut r = Rng(0x6b73_6561_6c5f_6d66);
    let mut files: Vec<(String, Vec<u8>)> = (0..count)
        .map(|i| (format!("gen-{i}.yaml"), generated_file(&mut r, i)))
        .collect();
    files.extend(
        mutated_corpus()
            .into_iter()
            .enumerate()
            .map(|(i, b)| (format!("corpus-{i}.yaml"), b)),
    );
    let (mut secrets, mut read) = (0, 0);
    let mut all = Vec::new();
    for (label, bytes) in &files {
        if let Some(stored) = kubectl_secrets(&sb, bytes) {
            read += 1;
            secrets += stored.len();
        }
        all.extend(disagreements(&sb, label, bytes));
    }
    eprintln!(
        "measured: {} files, kubectl reads {read}, {secrets} Secret keys stored, disagreements {}",
        files.len(),
        all.len()
    );
    assert!(all.is_empty(), "{all:#?}");
    assert!(read > files.len() / 2 && secrets > files.len());
}
