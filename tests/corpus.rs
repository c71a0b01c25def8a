//! Byte-for-byte preservation on the corpus in testdata/corpus: after `seal`, the only changed bytes
//! are Secret values (checked against reviewed shapes in testdata/corpus-sealed-shape, where each
//! sealed value reads `<SEALED>`); values already sealed stay byte-identical; sealing twice equals
//! sealing once; `open` gives back the original values (compared with an independent YAML parser).

use std::collections::BTreeMap;

use crate::common::*;
use base64::Engine;

fn corpus() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(testdata("corpus"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert!(names.len() >= 12, "the corpus must have at least 12 manifests");
    names
}

/// Sandbox with the corpus copied in.
fn sandbox() -> Sandbox {
    let sb = Sandbox::new();
    for name in corpus() {
        let text = std::fs::read(testdata("corpus").join(&name)).unwrap();
        std::fs::write(sb.path(&name), text).unwrap();
    }
    sb
}

/// (secret, field.key) -> value bytes, read with serde-saphyr into JSON values.
fn secret_values(text: &str) -> BTreeMap<(String, String), Vec<u8>> {
    let docs: Vec<serde_json::Value> = serde_saphyr::from_str_multiple(text).unwrap();
    let mut out = BTreeMap::new();
    let mut secrets = Vec::new();
    for d in docs {
        if d["kind"] == "List" {
            secrets.extend(d["items"].as_array().unwrap().iter().cloned());
        } else {
            secrets.push(d);
        }
    }
    for s in secrets
        .iter()
        .filter(|s| s["kind"] == "Secret" && s["apiVersion"] == "v1")
    {
        let name = s["metadata"]["name"].as_str().unwrap().to_string();
        for field in ["data", "stringData"] {
            let Some(map) = s[field].as_object() else { continue };
            for (k, v) in map {
                let text = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let bytes = if field == "data" && !text.starts_with("kseal:") {
                    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
                    base64::engine::general_purpose::STANDARD.decode(compact).unwrap()
                } else {
                    text.into_bytes()
                };
                out.insert((name.clone(), format!("{field}.{k}")), bytes);
            }
        }
    }
    out
}

#[test]
fn seal_changes_only_secret_values() {
    let sb = sandbox();
    for name in corpus() {
        let sealed = sb.seal(&name);
        let shape = sealed_re().replace_all(&sealed, "<SEALED>");
        let want = std::fs::read_to_string(testdata("corpus-sealed-shape").join(&name)).unwrap();
        assert_eq!(
            shape, want,
            "{name}: sealed output differs from its reviewed shape"
        );
        // Plain values written unquoted must not have been quoted, and vice versa: the shape covers it.
    }
}

#[test]
fn values_already_sealed_are_left_byte_identical() {
    let sb = sandbox();
    for name in corpus() {
        let before = sb.read(&name);
        let sealed = sb.seal(&name);
        for token in raw_sealed_tokens(&before) {
            assert!(
                sealed.contains(&token),
                "{name}: a previously sealed value changed"
            );
        }
    }
}

#[test]
fn sealing_twice_equals_sealing_once() {
    let sb = sandbox();
    for name in corpus() {
        let once = sb.seal(&name);
        sb.write(&format!("once-{name}"), &once);
        let twice = sb.seal(&format!("once-{name}"));
        assert_eq!(once, twice, "{name}");
    }
}

#[test]
fn open_after_seal_gives_the_original_values() {
    let sb = sandbox();
    for name in corpus() {
        let original = sb.read(&name);
        let sealed = sb.seal(&name);
        sb.write(&format!("sealed-{name}"), &sealed);
        let out = sb
            .kseal()
            .args(["open", "-i", "a.agekey", &format!("sealed-{name}")])
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let opened = stdout(&out);
        assert!(
            sealed_tokens(&opened).is_empty(),
            "{name}: open left a sealed value"
        );
        let mut want = secret_values(&original);
        // Values sealed before the test ran open to what they were sealed from.
        if name == "10-half-sealed.yaml" {
            want.insert(("half".into(), "data.old-one".into()), b"old-one".to_vec());
            want.insert(("half".into(), "data.old-two".into()), b"old-two".to_vec());
        }
        assert_eq!(secret_values(&opened), want, "{name}");
    }
}

#[test]
fn verify_accepts_sealed_corpus_and_flags_plaintext() {
    let sb = sandbox();
    for name in corpus() {
        let sealed = sb.seal(&name);
        sb.write(&format!("sealed-{name}"), &sealed);
        sb.kseal()
            .args(["verify", "-R", "a.pub", &format!("sealed-{name}")])
            .run_exits(0);
        let plaintext_values = secret_values(&sb.read(&name))
            .values()
            .filter(|v| !v.starts_with(b"kseal:"))
            .count();
        let bad = sb
            .kseal()
            .args(["verify", "-R", "a.pub", &name])
            .output()
            .unwrap();
        if plaintext_values > 0 {
            assert_eq!(bad.status.code(), Some(1), "{name}");
            assert!(stdout(&bad).lines().filter(|l| l.contains("not sealed")).count() >= plaintext_values);
        }
    }
}

/// Inputs that fuzzing found mis-sealed (testdata/fuzz-regressions): sealing keeps every other
/// document and key, seals idempotently, and opens back to the original values.
#[test]
fn fuzz_regressions_seal_open_and_reseal_cleanly() {
    let sb = Sandbox::new();
    let dir = testdata("fuzz-regressions");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    for name in names {
        let original = std::fs::read_to_string(dir.join(&name)).unwrap();
        sb.write(&name, &original);
        let sealed = sb.seal(&name);
        sb.write(&format!("sealed-{name}"), &sealed);
        let again = sb.seal(&format!("sealed-{name}"));
        assert_eq!(again, sealed, "{name}: sealing twice changed the file");
        let plain: serde_json::Value = serde_saphyr::from_str(&original).unwrap();
        let sealed_doc: serde_json::Value = serde_saphyr::from_str(&sealed).unwrap();
        for (k, v) in plain.as_object().unwrap() {
            if k != "stringData" && k != "data" {
                assert_eq!(&sealed_doc[k], v, "{name}: {k} changed");
            }
        }
        let out = sb
            .kseal()
            .args(["open", "-i", "a.agekey", &format!("sealed-{name}")])
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert_eq!(secret_values(&stdout(&out)), secret_values(&original), "{name}");
    }
}
