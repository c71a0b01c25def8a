//! `kseal scan --worktree` on planted files: every positive form is found, every negative form is
//! not, and no output ever contains a planted value.

use crate::common::*;

/// Values planted in positive cases; none may appear in any output.
const PLANTED: &[&str] = &[
    "pl4nted-string-data",
    "pl4nted-data-value",
    "pl4nted-literal",
    "pl4nted-applied",
    "pl4nted-json",
];

fn planted_tree() -> Sandbox {
    let sb = Sandbox::new();
    sb.write("positive/string-data.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: sd, namespace: a}\nstringData:\n  password: pl4nted-string-data\n");
    sb.write(
        "positive/multi.yaml",
        &format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\n---\napiVersion: v1\nkind: Secret\nmetadata: {{name: d, namespace: a}}\ndata:\n  token: {}\n", b64("pl4nted-data-value")),
    );
    sb.write(
        "positive/list.json",
        &format!("{{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{{\"name\":\"j\"}},\"data\":{{\"k\":\"{}\"}}}}]}}", b64("pl4nted-json")),
    );
    sb.write(
        "positive/kustomization.yaml",
        "secretGenerator:\n- name: gen\n  literals:\n  - API_KEY=pl4nted-literal\n",
    );
    sb.write(
        "positive/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"la\"},\"stringData\":{\"p\":\"pl4nted-applied\"}}'\n",
    );
    sb.write(
        "negative/sealed.yaml",
        &SEALED_PLACEHOLDER.replace("VALUE", "kseal:v1:strict:0123abcd:AAAA"),
    );
    sb.write(
        "negative/sops.yaml",
        &SEALED_PLACEHOLDER.replace("VALUE", "ENC[AES256_GCM,data:mHeXsmQ=,iv:vUMpILz3xchORqkzDFvgwENY7EqIHHGJdEF6C8xqbFE=,tag:IroV7hykADvD0IUaq6kikA==,type:str]"),
    );
    sb.write(
        "negative/template.yaml",
        &SEALED_PLACEHOLDER.replace("VALUE", "{{ .Values.password }}"),
    );
    sb.write(
        "negative/envsubst.yaml",
        &SEALED_PLACEHOLDER.replace("VALUE", "${PASSWORD}"),
    );
    sb.write("negative/empty.yaml", &SEALED_PLACEHOLDER.replace("VALUE", ""));
    sb.write(
        "negative/configmap.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Secret}\ndata: {password_file: /etc/app/password, token_url: \"https://auth.example.com/token\"}\n",
    );
    sb.write("negative/sealedsecret.yaml", "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: s}\nspec: {encryptedData: {a: AgBxyz}}\n");
    sb.write(
        "negative/allowed.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: fixture\n  annotations:\n    kseal.dev/allow-plaintext: \"test fixture\"\nstringData: {a: allowed-value}\n",
    );
    sb
}

const SEALED_PLACEHOLDER: &str =
    "apiVersion: v1\nkind: Secret\nmetadata: {name: n, namespace: a}\nstringData:\n  value: \"VALUE\"\n";

fn scan(sb: &Sandbox, args: &[&str]) -> std::process::Output {
    let out = sb.kseal().arg("scan").args(args).output().unwrap();
    for p in PLANTED {
        assert!(
            !stdout(&out).contains(p) && !stderr(&out).contains(p),
            "a planted value was printed"
        );
    }
    out
}

#[test]
fn finds_each_positive_form_and_no_negative_one() {
    let sb = planted_tree();
    let out = scan(&sb, &["--worktree", "--format", "json", "."]);
    assert_eq!(out.status.code(), Some(1));
    let findings: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut seen: Vec<(String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["source"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("positive/deploy.yaml", "last-applied"),
            ("positive/kustomization.yaml", "secret-generator"),
            ("positive/list.json", "secret"),
            ("positive/multi.yaml", "secret"),
            ("positive/string-data.yaml", "secret"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let sd = findings
        .iter()
        .find(|f| f["path"] == "positive/string-data.yaml")
        .unwrap();
    assert_eq!(sd["line"], 5);
    assert_eq!(sd["keys"][0]["key"], "stringData.password");
    // The fingerprint names the finding, not the value: the same place with another value has
    // the same fingerprint, so no guessed value can be confirmed with it (a hash of the value,
    // the pre-v2 form, confirmed "password" offline).
    let fp = sd["keys"][0]["fingerprint"].as_str().unwrap().to_string();
    assert_eq!(fp.len(), 16);
    let legacy = {
        use sha2::Digest;
        hex::encode(&sha2::Sha256::digest(b"pl4nted-string-data")[..4])
    };
    assert!(!stdout(&out).contains(&legacy));
    sb.write(
        "positive/string-data.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: sd, namespace: a}\nstringData:\n  password: another-pl4nted-value\n",
    );
    let again = scan(&sb, &["--worktree", "--format", "json", "."]);
    assert!(stdout(&again).contains(&format!("\"fingerprint\":\"{fp}\"")));
    let multi = findings
        .iter()
        .find(|f| f["path"] == "positive/multi.yaml")
        .unwrap();
    assert_eq!(
        (multi["document"].as_u64(), multi["line"].as_u64()),
        (Some(2), Some(9))
    );
}

#[test]
fn text_output_groups_keys_under_each_secret() {
    let sb = planted_tree();
    let out = scan(&sb, &["--worktree", "."]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("positive/string-data.yaml:5: plaintext Secret a/sd\n    stringData.password (line 5, fingerprint "), "{text}");
    assert!(!text.contains("\x1b["), "no colour when not a terminal");
    assert!(stderr(&out).contains("5 plaintext Secrets"));
}

#[test]
fn a_baseline_from_json_output_suppresses_known_values() {
    let sb = planted_tree();
    let out = scan(&sb, &["--worktree", "--format", "json", "."]);
    sb.write("baseline.jsonl", &stdout(&out));
    let again = scan(&sb, &["--worktree", "--baseline", "baseline.jsonl", "."]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    // A new value is still found.
    sb.write(
        "positive/new.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: new}\nstringData: {k: brand-new}\n",
    );
    let third = scan(&sb, &["--worktree", "--baseline", "baseline.jsonl", "."]);
    assert_eq!(third.status.code(), Some(1));
    assert_eq!(
        stdout(&third).lines().filter(|l| l.contains("plaintext")).count(),
        1
    );
}

#[test]
fn gitignored_files_are_skipped_and_a_clean_tree_exits_0() {
    require_tools!("git");
    let sb = Sandbox::new();
    sb.write(".gitignore", "local/\n");
    sb.write(
        "local/dev.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {k: v}\n",
    );
    // The ignore walker honours .gitignore inside a git repository.
    git(sb.dir.path(), &["init", "-q"]);
    let out = scan(&sb, &["--worktree", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = scan(&sb, &["--worktree", "missing-dir"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_repository_itself_is_clean() {
    // Its plaintext fixtures carry kseal.dev/allow-plaintext; its history must stay clean too.
    for mode in ["--worktree", "--history"] {
        kseal().args(["scan", mode]).arg(repo()).run_exits(0);
    }
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let sb = planted_tree();
    let out = scan(&sb, &["--worktree", "--format", "sarif", "."]);
    assert_eq!(out.status.code(), Some(1));
    let mut log: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    // The golden file: the same log, checked in, with the tool version masked. A change to the
    // SARIF writer shows as a diff here; `KSEAL_UPDATE_GOLDEN=1` rewrites it (then review it).
    log["runs"][0]["tool"]["driver"]["version"] = serde_json::json!("VERSION");
    let golden_path = testdata("sarif/planted-worktree.sarif.json");
    let shown = serde_json::to_string_pretty(&log).unwrap() + "\n";
    if std::env::var("KSEAL_UPDATE_GOLDEN").is_ok_and(|v| v == "1") {
        std::fs::write(&golden_path, &shown).unwrap();
    }
    assert_eq!(
        shown,
        std::fs::read_to_string(&golden_path).unwrap(),
        "SARIF output differs from {}",
        golden_path.display()
    );
    // Validity under the SARIF 2.1.0 schema, by the reference JSON Schema implementation (Python's
    // `jsonschema`; in Rust it cost ~40 crates of compile time for this one test). A broken log
    // must fail, so the check cannot pass vacuously.
    require_tools!("python3-jsonschema");
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    for (doc, valid) in [(&log, true), (&broken, false)] {
        let file = sb.write("log.sarif", &serde_json::to_string(doc).unwrap());
        let out = std::process::Command::new("python3")
            .arg("-c")
            .arg(
                "import json, sys, jsonschema\n\
                 schema = json.load(open(sys.argv[1]))\n\
                 log = json.load(open(sys.argv[2]))\n\
                 errors = [f'{e.message} at {list(e.absolute_path)}' for e in jsonschema.validators.validator_for(schema)(schema).iter_errors(log)]\n\
                 print('\\n'.join(errors))\n\
                 sys.exit(1 if errors else 0)",
            )
            .arg(testdata("sarif/sarif-2.1.0-rtm.5.json"))
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(out.status.success(), valid, "{}{}", stdout(&out), stderr(&out));
    }

    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    let sd = results
        .iter()
        .find(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "positive/string-data.yaml"
        })
        .unwrap();
    assert_eq!(sd["ruleId"], "kseal/plaintext-secret");
    assert_eq!(sd["locations"][0]["physicalLocation"]["region"]["startLine"], 5);
    assert_eq!(
        sd["partialFingerprints"]["ksealFindingFingerprints/v2"]
            .as_str()
            .unwrap()
            .len(),
        16
    );
    let rules: Vec<&str> = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "kseal/plaintext-secret",
            "kseal/plaintext-secret-generator",
            "kseal/plaintext-last-applied",
            "kseal/age-identity",
            "kseal/configmap-credential",
            "kseal/env-credential",
            "kseal/helm-values-credential",
            "kseal/configmap-generator-credential",
            "kseal/known-credential-format",
            "kseal/kubeconfig-credential",
            "kseal/placeholder"
        ]
    );
}

#[test]
fn history_mode_finds_the_same_forms_in_a_committed_tree() {
    require_tools!("git");
    let sb = planted_tree();
    let d = sb.dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["add", "positive", "negative"]);
    git(d, &["commit", "-q", "-m", "planted"]);
    let history = scan(&sb, &["--history", "--format", "json", "."]);
    assert_eq!(history.status.code(), Some(1));
    let forms = |o: &std::process::Output| {
        let mut v: Vec<(String, String, String)> = stdout(o)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .map(|f| {
                // Fingerprints differ: history's name the introducing commit too.
                let keys: Vec<(String, u64)> = f["keys"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| (k["key"].to_string(), k["line"].as_u64().unwrap()))
                    .collect();
                (
                    f["source"].to_string(),
                    f["name"].to_string(),
                    format!("{keys:?}"),
                )
            })
            .collect();
        v.sort();
        v
    };
    let h = forms(&history);
    assert_eq!(h.len(), 5, "{}", stdout(&history));
    // The same Secrets and keys as on disk; no negative form is found either way.
    let on_disk = scan(&sb, &["--worktree", "--format", "json", "."]);
    assert_eq!(h, forms(&on_disk));
}

/// Issue 28: credentials in ConfigMaps and literal env values, in the work tree, in the history
/// (with the commit that introduced them) and staged (the pre-commit hook's mode); their
/// look-alikes (`password_file`, `token_url`, `valueFrom`, templates, placeholders, a line marked
/// `kseal:allow`) are silent. Never a value in any output.
#[test]
fn credentials_in_configmaps_and_env_literals_are_found_in_every_mode() {
    require_tools!("git");
    let sb = repository_with_a_first_commit();
    let d = &sb.path("");
    sb.write(
        "deploy/app.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: shop}\ndata:\n  DB_PASSWORD: \"Xk9-mQ2vLp8wRt5z\"\n  password_file: /etc/app/password\n  token_url: https://auth.example.com/token\n  REDIS_PASSWORD: \"{{ .Values.redis }}\"\n  LEGACY_TOKEN: abcdef123456 # kseal:allow\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        env:\n        - {name: STRIPE_SECRET_KEY, value: sk_live_51H8xQ2eZvKYlo2Cabc}\n        - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}\n        - {name: ADMIN_PASSWORD, value: changeme}\n",
    );
    let planted = ["Xk9-mQ2vLp8wRt5z", "sk_live_51H8xQ2eZvKYlo2Cabc", "abcdef123456"];
    let check = |out: &std::process::Output| {
        for p in planted {
            assert!(
                !stdout(out).contains(p) && !stderr(out).contains(p),
                "a value was printed"
            );
        }
        let mut found: Vec<(String, String, u64)> = stdout(out)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .map(|f| {
                (
                    f["source"].as_str().unwrap().to_string(),
                    f["class"].as_str().unwrap().to_string(),
                    f["line"].as_u64().unwrap(),
                )
            })
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                ("config-map".to_string(), "leak".to_string(), 5),
                ("pod-env".to_string(), "leak".to_string(), 20),
                ("pod-env".to_string(), "placeholder".to_string(), 22),
            ],
            "{}",
            stdout(out)
        );
    };
    let out = sb
        .kseal()
        .args(["scan", "--worktree", "--format", "json", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    check(&out);
    git(d, &["add", "deploy"]);
    let out = sb
        .kseal()
        .args(["scan", "--staged", "--format", "json", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    check(&out);
    let text = sb.kseal().args(["scan", "--staged", "."]).output().unwrap();
    assert!(
        stderr(&text).contains("2 credentials outside Secrets"),
        "{}",
        stderr(&text)
    );
    git(d, &["commit", "-q", "-m", "app"]);
    let commit = String::from_utf8(
        git_command(d)
            .args(["rev-parse", "HEAD"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let out = sb
        .kseal()
        .args(["scan", "--history", "--format", "json", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    check(&out);
    for l in stdout(&out).lines() {
        let f: serde_json::Value = serde_json::from_str(l).unwrap();
        assert_eq!(f["commit"].as_str(), Some(commit.trim()));
        assert_eq!(f["path"].as_str(), Some("deploy/app.yaml"));
    }
}

/// Issue 28, the other places: Helm values files (by key name and format; `values-prod.yaml` too,
/// not any YAML file), kustomize `configMapGenerator` literals and the env files they read, and
/// known credential formats anywhere in a manifest (an annotation, an `args` item, a config file
/// inside a ConfigMap). Look-alikes stay silent: a Secret's name under `tlsSecret`,
/// `passwordSecretRef`, `existingSecret`, `token_url`, a duration under `refreshToken`, a
/// template, a path, a sealed value holding a key-shaped text, `sk_test_`, a YAML file that is no
/// values file, and a line marked `kseal:allow`. Found the same in the work tree, staged, in the
/// history (with the commit) and by the pre-commit hook, which refuses the commit; no value is
/// ever printed.
#[test]
fn credentials_in_values_generators_and_known_formats_are_found_in_every_mode() {
    require_tools!("git");
    let sb = repository_with_a_first_commit();
    let d = &sb.path("");
    let files = [
        (
            "chart/values.yaml",
            "db:\n  password: \"Zq8-vN2mKp4wLx7t\"\n  passwordSecretRef: db-secret\n  existingSecret: \"\"\n  rootPassword:\n  tlsSecret: app-tls\nauth:\n  token_url: https://auth.example.com/token\n  adminPassword: changeme\n  refreshToken: 720h\n  apiKey: \"{{ .Values.global.key }}\"\n  credentialsFile: /etc/creds.json\n  githubToken: ghp_0123456789abcdefghijABCDEFGHIJ012345\n  legacyToken: Tk-11aa22bb33cc # kseal:allow\noauth:\n  secret: OAuthBookstack\n",
        ),
        ("chart/values-prod.yaml", "db:\n  password: Prod-9x8y7z6w-Q\n"),
        (
            "chart/templates/secret.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}\nstringData:\n  password: {{ .Values.db.password | quote }}\n",
        ),
        // `oauth.secret` is only ever a Secret's name: a reference, silent (alone it is reported).
        (
            "chart/templates/deployment.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        env:\n        - name: OAUTH_SECRET\n          valueFrom:\n            secretKeyRef:\n              name: {{ .Values.oauth.secret | quote }}\n              key: secret\n        - name: SMTP_PASSWORD\n          value: \"Tpl-Smtp-4k9Q\"\n",
        ),
        (
            "chart/templates/_helpers.tpl",
            "{{- define \"app.token\" -}}{{ .Values.auth.githubToken }}{{- end -}}\n",
        ),
        (
            "chart/templates/config/configmap.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  github: {{ .Values.auth.githubToken }}\n  DB_PASSWORD: \"Tpl-Db-8m2X\"\n",
        ),
        ("config/app.yaml", "db:\n  password: NotAValuesFile-7\n"),
        (
            "kust/kustomization.yaml",
            "configMapGenerator:\n- name: app-config\n  literals:\n  - LOG_LEVEL=debug\n  - API_TOKEN=tok-8f7e6d5c4b3a\n  - PASSWORD_FILE=/etc/app/pw\n  envs: [app.env]\n",
        ),
        ("kust/app.env", "FEATURE=on\nDB_PASSWORD=envfile-pw-123\nSTRIPE_KEY=sk_test_0123456789abcdefABCDEF01\n"),
        (
            "deploy/web.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n    notify/slack: xoxb-123456789012-abcdefghijkl\n    sealed: \"kseal:v2:strict:00000000:AKIAQ3EGQWERTY234567\"\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        args: [\"--aws-key=AKIAQ3EGQWERTY234567\", \"--verbose\"]\n        env:\n        - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ini}\ndata:\n  app.ini: |\n    [server]\n    token = glpat-abcdefghij0123456789\n",
        ),
    ];
    for (path, text) in files {
        sb.write(path, text);
    }
    let planted = [
        "Zq8-vN2mKp4wLx7t",
        "Prod-9x8y7z6w-Q",
        "tok-8f7e6d5c4b3a",
        "envfile-pw-123",
        "xoxb-123456789012",
        "AKIAQ3EGQWERTY234567",
        "glpat-abcdefghij",
        "ghp_0123456789",
        "NotAValuesFile-7",
        "Tpl-Smtp-4k9Q",
        "Tpl-Db-8m2X",
    ];
    // The two Helm templates (not YAML) hold a literal each: found on their lines.
    let expected = [
        ("config-map", "leak", "chart/templates/config/configmap.yaml", 7),
        ("config-map-generator", "leak", "kust/app.env", 2),
        ("config-map-generator", "leak", "kust/kustomization.yaml", 5),
        ("helm-values", "leak", "chart/values-prod.yaml", 2),
        ("helm-values", "leak", "chart/values.yaml", 2),
        ("helm-values", "leak", "chart/values.yaml", 13),
        ("helm-values", "placeholder", "chart/values.yaml", 9),
        ("known-format", "leak", "deploy/web.yaml", 6),
        ("known-format", "leak", "deploy/web.yaml", 13),
        ("known-format", "leak", "deploy/web.yaml", 23),
        ("pod-env", "leak", "chart/templates/deployment.yaml", 15),
    ];
    let check = |out: &std::process::Output| {
        for p in planted {
            assert!(
                !stdout(out).contains(p) && !stderr(out).contains(p),
                "a value was printed"
            );
        }
        let mut found: Vec<(String, String, String, u64)> = stdout(out)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .flat_map(|f| {
                let keys = f["keys"].as_array().unwrap().clone();
                keys.into_iter().map(move |k| {
                    (
                        f["source"].as_str().unwrap().to_string(),
                        f["class"].as_str().unwrap().to_string(),
                        f["path"].as_str().unwrap().to_string(),
                        k["line"].as_u64().unwrap(),
                    )
                })
            })
            .collect();
        found.sort();
        let want: Vec<(String, String, String, u64)> = expected
            .iter()
            .map(|(s, c, p, l)| (s.to_string(), c.to_string(), p.to_string(), *l))
            .collect();
        assert_eq!(found, want, "{}", stdout(out));
        // Each values key names the chart template that reads it: a Secret's, or plain config.
        let mut feeds: Vec<(String, u64, String)> = stdout(out)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|f| f["source"] == "helm-values")
            .flat_map(|f| {
                let keys = f["keys"].as_array().unwrap().clone();
                let path = f["path"].as_str().unwrap().to_string();
                keys.into_iter()
                    .map(move |k| (path.clone(), k["line"].as_u64().unwrap(), k["feeds"].to_string()))
            })
            .collect();
        feeds.sort();
        let secret = r#"{"secret":true,"template":"chart/templates/secret.yaml"}"#;
        let config = r#"{"secret":false,"template":"chart/templates/config/configmap.yaml"}"#;
        assert_eq!(
            feeds,
            [
                ("chart/values-prod.yaml".to_string(), 2, secret.to_string()),
                ("chart/values.yaml".to_string(), 2, secret.to_string()),
                ("chart/values.yaml".to_string(), 9, "null".to_string()),
                ("chart/values.yaml".to_string(), 13, config.to_string()),
            ]
        );
    };
    let json = |mode: &str| {
        let out = sb
            .kseal()
            .args(["scan", mode, "--format", "json", "."])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        out
    };
    check(&json("--worktree"));
    let text = sb.kseal().args(["scan", "--worktree", "."]).output().unwrap();
    assert!(
        stdout(&text).contains("chart/templates/secret.yaml puts it in a Secret")
            && stdout(&text)
                .contains("chart/templates/config/configmap.yaml puts it in plain config, not a Secret"),
        "{}",
        stdout(&text)
    );
    git(d, &["add", "."]);
    check(&json("--staged"));
    // The pre-commit hook refuses the commit, naming the classes' fix.
    sb.kseal().args(["hook", "install"]).run_ok();
    let refused = git_command(d)
        .env("PATH", path_with_kseal())
        .args(["commit", "-q", "-m", "app"])
        .output()
        .unwrap();
    assert!(!refused.status.success(), "the hook let it in");
    let said = format!("{}{}", stdout(&refused), stderr(&refused));
    assert!(said.contains("credentials outside Secrets"), "{said}");
    assert!(said.contains("kust/app.env:2"), "{said}");
    git(d, &["commit", "-q", "--no-verify", "-m", "app"]);
    let commit = String::from_utf8(
        git_command(d)
            .args(["rev-parse", "HEAD"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let history = json("--history");
    check(&history);
    for l in stdout(&history).lines() {
        let f: serde_json::Value = serde_json::from_str(l).unwrap();
        assert_eq!(f["commit"].as_str(), Some(commit.trim()), "{l}");
    }
    // SARIF names each class's own rule.
    let sarif = sb
        .kseal()
        .args(["scan", "--worktree", "--format", "sarif", "."])
        .output()
        .unwrap();
    let log: serde_json::Value = serde_json::from_str(&stdout(&sarif)).unwrap();
    let mut rules: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    rules.sort();
    rules.dedup();
    assert_eq!(
        rules,
        [
            "kseal/configmap-credential",
            "kseal/configmap-generator-credential",
            "kseal/env-credential",
            "kseal/helm-values-credential",
            "kseal/known-credential-format",
            "kseal/placeholder"
        ]
    );
}

/// Issue 35: the admission kubeconfig `cluster webhook install -o` writes (made here by kseal's
/// own code, as that command makes it) holds the API server's client key. Committed, it is a
/// finding of its own class in the work tree, staged, in the history and by the pre-commit hook,
/// which refuses the commit; the key is never printed.
#[test]
fn a_committed_admission_kubeconfig_is_found_in_every_mode() {
    require_tools!("git");
    let sb = repository_with_a_first_commit();
    let d = &sb.path("");
    let issued = kseal::webhook::certs::generate_client().unwrap();
    let client = kseal::cluster::webhook::ClientIdentity {
        bundle: issued.ca_pem.clone(),
        cert_pem: issued.cert_pem.clone(),
        key_pem: zeroize::Zeroizing::new(issued.key_pem.to_string()),
    };
    let endpoint = kseal::cluster::webhook::Endpoint::default();
    for (name, text) in kseal::cluster::webhook::admission_files(&client, &endpoint, &sb.path("apiserver")) {
        sb.write(&format!("apiserver/{name}"), &text);
    }
    let key_b64 = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        issued.key_pem.as_bytes(),
    );
    let check = |out: &std::process::Output| {
        assert_eq!(out.status.code(), Some(1), "{}", stderr(out));
        assert!(!stdout(out).contains(&key_b64[..40]) && !stderr(out).contains(&key_b64[..40]));
        let found: Vec<serde_json::Value> = stdout(out)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(found.len(), 1, "{}", stdout(out));
        assert_eq!(found[0]["source"], "kubeconfig");
        assert_eq!(found[0]["path"], "apiserver/kseal-admission-kubeconfig.yaml");
        assert!(found[0]["keys"][0]["key"]
            .as_str()
            .unwrap()
            .ends_with(".user.client-key-data"));
    };
    let scan = |mode: &str| {
        sb.kseal()
            .args(["scan", mode, "--format", "json", "."])
            .output()
            .unwrap()
    };
    check(&scan("--worktree"));
    git(d, &["add", "apiserver"]);
    check(&scan("--staged"));
    sb.kseal().args(["hook", "install"]).run_ok();
    let commit = git_command(d)
        .env("PATH", path_with_kseal())
        .args(["commit", "-q", "-m", "apiserver files"])
        .output()
        .unwrap();
    assert!(
        !commit.status.success(),
        "the pre-commit hook let the client key in"
    );
    let said = format!("{}{}", stdout(&commit), stderr(&commit));
    assert!(said.contains("kubeconfig with an embedded credential"), "{said}");
    git(d, &["commit", "-q", "--no-verify", "-m", "apiserver files"]);
    check(&scan("--history"));
}

/// A sandbox that is a git repository (branch main) with one commit holding a README: where the
/// scans of every mode start from.
fn repository_with_a_first_commit() -> Sandbox {
    let sb = Sandbox::new();
    let d = &sb.path("");
    git(d, &["init", "-q", "-b", "main"]);
    sb.write("README.md", "app\n");
    git(d, &["add", "README.md"]);
    git(d, &["commit", "-q", "-m", "first"]);
    sb
}
