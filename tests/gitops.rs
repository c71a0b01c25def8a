//! Issue 37: `verify` knows where every Secret lands. Repositories shaped like
//! fluxcd/flux2-kustomize-helm-example and argoproj/argocd-example-apps, rendered with the real
//! kustomize (kubectl kustomize) and helm: verify is clean when the repository is right, fails
//! naming the landing identity when one value is sealed for another place, `reseal -k` repairs
//! it, and the render opens.

use crate::common::*;

/// A git repository in a sandbox (verify reads the work tree's entries).
fn repo(files: &[(&str, &str)]) -> Sandbox {
    let sb = Sandbox::new();
    for (path, text) in files {
        sb.write(path, text);
    }
    git(sb.dir.path(), &["init", "-q"]);
    sb
}

const DB: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  annotations:\n    kseal.dev/allow-plaintext: \"test fixture\"\nstringData:\n  password: s3cr3t-flux-pw\n";

fn flux_layout() -> Sandbox {
    repo(&[
        (
            ".kseal.yaml",
            "rules:\n  - path: \"apps/staging/**\"\n    recipients: [b.pub]\n  - path: \"apps/production/**\"\n    recipients: [a.pub]\n",
        ),
        ("apps/base/podinfo/kustomization.yaml", "namespace: podinfo\nresources:\n- secret.yaml\n"),
        ("apps/base/podinfo/secret.yaml", DB),
        ("apps/staging/kustomization.yaml", "resources:\n- ../base/podinfo\n"),
        ("apps/production/kustomization.yaml", "resources:\n- ../base/podinfo\n"),
        (
            "clusters/production/apps.yaml",
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./apps/production\n  prune: true\n",
        ),
        (
            "clusters/staging/apps.yaml",
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./apps/staging\n  prune: true\n",
        ),
        ("README.md", "# fleet\n"),
    ])
}

/// The false alarms of issue 37: a base rendered by a staging and a production overlay, one
/// cluster key each. `seal -k` of one overlay seals the base to both keys (the union of the rules
/// of the overlays that render it), and `verify .`, `verify -k` of each overlay agree: clean.
#[test]
fn a_flux_base_shared_by_two_clusters_is_sealed_to_both_and_verifies_clean() {
    require_tools!("kubectl", "git");
    let sb = flux_layout();
    let out = sb.kseal().args(["seal", "-w", "-k", "apps/production"]).run_ok();
    let err = stderr(&out);
    assert!(
        err.contains("sealing to keys ")
            && err.contains("(the rules of ")
            && err.contains("clusters/staging/apps.yaml")
            && err.contains("clusters/production/apps.yaml"),
        "{err}"
    );
    let sealed = sb.read("apps/base/podinfo/secret.yaml");
    let tokens = sealed_tokens(&sealed);
    assert_eq!(tokens.len(), 1, "{sealed}");
    let kids: Vec<&str> = tokens[0].split(':').skip(4).step_by(2).take(2).collect();
    assert_eq!(kids.len(), 2, "two stanzas: {}", tokens[0]);
    sb.kseal().args(["verify", "."]).run_ok();
    sb.kseal().args(["verify", "-k", "apps/production"]).run_ok();
    sb.kseal().args(["verify", "-k", "apps/staging"]).run_ok();
    // Each cluster's key opens it where that cluster applies it.
    for (overlay, key) in [("apps/production", "a.agekey"), ("apps/staging", "b.agekey")] {
        let out = sb
            .kseal()
            .args(["render", "-i"])
            .arg(sb.path(key))
            .arg(overlay)
            .run_ok();
        assert!(stdout(&out).contains("s3cr3t-flux-pw"), "{overlay}");
    }
}

/// The false cleans: a plain `seal -w` under a namePrefix is bound to the file's own name; the
/// render would fail. `verify .` names where it is sealed for and where it lands; `seal -k`
/// names it and the command; `reseal -w -k` repairs it, and the render opens.
#[test]
fn a_value_sealed_for_another_place_fails_verify_and_reseal_k_repairs_it() {
    require_tools!("kubectl", "git");
    let sb = repo(&[
        ("base/secret.yaml", DB),
        ("base/kustomization.yaml", "resources:\n- secret.yaml\n"),
        (
            "overlays/prod/kustomization.yaml",
            "resources:\n- ../../base\nnamePrefix: shop-\nnamespace: prod\n",
        ),
        (
            ".kseal.yaml",
            "rules:\n  - path: \"**\"\n    recipients: [a.pub]\n    namespace: prod\n",
        ),
    ]);
    sb.kseal().args(["seal", "-w", "base/secret.yaml"]).run_ok();
    let before = sb.read("base/secret.yaml");
    let out = sb.kseal().args(["verify", "."]).run_exits(1);
    let report = stdout(&out);
    assert!(
        report.contains("base/secret.yaml: document 1: Secret prod/db: stringData.password (line 9")
            && report.contains(
                "sealed for prod/db, key password, lands as prod/shop-db, key password (by overlays/prod)"
            ),
        "{report}"
    );
    sb.kseal().args(["verify", "-k", "overlays/prod"]).run_exits(1);
    // seal -k cannot fix it without the key: it says so, and how.
    let out = sb.kseal().args(["seal", "-w", "-k", "overlays/prod"]).run_ok();
    assert!(
        stderr(&out).contains("already sealed, but for another place than prod/shop-db, key password")
            && stderr(&out).contains("kseal reseal -w -k DIR -i KEY"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sb.read("base/secret.yaml"), before);
    let out = sb
        .kseal()
        .args(["reseal", "-w", "-k", "overlays/prod", "-i", "a.agekey"])
        .run_ok();
    assert!(
        stdout(&out).contains("1 resealed (1 sealed for another place)"),
        "{}",
        stdout(&out)
    );
    sb.kseal().args(["verify", "."]).run_ok();
    let out = sb
        .kseal()
        .args(["render", "-i"])
        .arg(sb.path("a.agekey"))
        .arg("overlays/prod")
        .run_ok();
    assert!(stdout(&out).contains("s3cr3t-flux-pw") && stdout(&out).contains("name: shop-db"));
    // A second run changes nothing.
    let sealed = sb.read("base/secret.yaml");
    sb.kseal()
        .args(["reseal", "-w", "-k", "overlays/prod", "-i", "a.agekey"])
        .run_ok();
    assert_eq!(sb.read("base/secret.yaml"), sealed);
}

/// Version 2 values: still opened; verify notes them (exit 0) and reseal rewrites them as v3.
#[test]
fn v2_values_are_noted_by_verify_and_upgraded_by_reseal() {
    let sb = Sandbox::new();
    std::fs::copy(testdata("bad/sealed-ok.yaml"), sb.path("s.yaml")).unwrap();
    let out = sb.kseal().args(["verify", "-R", "a.pub", "s.yaml"]).run_ok();
    assert!(
        stderr(&out).contains("note: 2 values in format v2 (first: s.yaml: document 1")
            && stderr(&out).contains("binding not checkable without the private key"),
        "{}",
        stderr(&out)
    );
    sb.kseal().args(["open", "-i", "a.agekey", "s.yaml"]).run_ok();
    let out = sb
        .kseal()
        .args(["reseal", "--check", "-R", "a.pub", "s.yaml"])
        .run_exits(1);
    assert!(
        stdout(&out).contains("2 to reseal (2 from format v2)"),
        "{}",
        stdout(&out)
    );
    sb.kseal()
        .args(["reseal", "-i", "a.agekey", "-R", "a.pub", "s.yaml"])
        .run_ok();
    let text = sb.read("s.yaml");
    assert!(
        sealed_tokens(&text)
            .iter()
            .all(|t| t.starts_with("kseal:v3:strict:")),
        "{text}"
    );
    let out = sb.kseal().args(["verify", "-R", "a.pub", "s.yaml"]).run_ok();
    assert!(!stderr(&out).contains("format v2"), "{}", stderr(&out));
    let opened = stdout(&sb.kseal().args(["open", "-i", "a.agekey", "s.yaml"]).run_ok());
    let original = stdout(
        &sb.kseal()
            .args(["open", "-i", "a.agekey"])
            .arg(testdata("bad/sealed-ok.yaml"))
            .run_ok(),
    );
    assert_eq!(opened, original);
}

const CHART_SECRET: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-api\n  annotations:\n    kseal.dev/allow-plaintext: \"test fixture\"\nstringData:\n  token: \"{{ .Values.api.token }}\"\n";

/// An Argo CD Application that renders a chart with a values file under another name, and a
/// parent chart whose values set a subchart's Secret: plaintext in either is found at its line;
/// a quoted template is checked through the values, never left "not checked"; a value sealed
/// for another release's Secret names where it lands.
#[test]
fn argo_cd_value_files_and_parent_values_are_checked_where_the_chart_puts_them() {
    require_tools!("helm", "git");
    let sb = repo(&[
        ("charts/shop/Chart.yaml", "apiVersion: v2\nname: shop\nversion: 0.1.0\n"),
        ("charts/shop/values.yaml", "api:\n  token: \"\"\n"),
        ("charts/shop/templates/secret.yaml", CHART_SECRET),
        ("charts/shop/envs/staging.yaml", "api:\n  token: pl41n-st4ging-t0ken\n"),
        (
            "apps/shop.yaml",
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\n  namespace: argocd\nspec:\n  destination:\n    namespace: shop\n  source:\n    repoURL: https://example.com/fleet.git\n    path: charts/shop\n    helm:\n      valueFiles:\n      - envs/staging.yaml\n",
        ),
        (
            "charts/parent/Chart.yaml",
            "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n- name: sub\n  version: 0.1.0\n",
        ),
        ("charts/parent/values.yaml", "sub:\n  password: pl41n-p4rent-pw\n"),
        ("charts/parent/charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n"),
        ("charts/parent/charts/sub/values.yaml", "password: \"\"\n"),
        (
            "charts/parent/charts/sub/templates/secret.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: sub-db\n  annotations:\n    kseal.dev/allow-plaintext: \"test fixture\"\nstringData:\n  password: {{ .Values.password | quote }}\n",
        ),
        (
            "apps/parent.yaml",
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: parent\n  namespace: argocd\nspec:\n  destination:\n    namespace: data\n  source:\n    path: charts/parent\n",
        ),
    ]);
    let out = sb.kseal().args(["verify", "-R", "a.pub", "."]).run_exits(1);
    let report = stdout(&out);
    assert!(
        report.contains("charts/shop/envs/staging.yaml: (line 2, column 1): not sealed (plaintext): Argo CD Application argocd/shop (apps/shop.yaml) puts it in Secret shop/shop-api, key token"),
        "{report}"
    );
    assert!(
        report.contains("charts/parent/values.yaml: (line 2, column 1): not sealed (plaintext): Argo CD Application argocd/parent")
            && report.contains("Secret data/sub-db, key password"),
        "{report}"
    );
    assert!(!report.contains("not checked"), "{report}");
    assert!(!report.contains("pl41n"), "values are never shown: {report}");
    // Sealed for where Argo CD puts them: clean.
    let raw = |ns: &str, name: &str, key: &str, value: &str| {
        let out = sb
            .kseal()
            .args([
                "seal", "--raw", "-R", "a.pub", "-n", ns, "--name", name, "--key", key,
            ])
            .write_stdin(value)
            .run_ok();
        stdout(&out).trim().to_string()
    };
    let token = raw("shop", "shop-api", "token", "st4ging-t0ken");
    sb.write(
        "charts/shop/envs/staging.yaml",
        &format!("api:\n  token: {token}\n"),
    );
    let pw = raw("data", "sub-db", "password", "p4rent-pw");
    sb.write("charts/parent/values.yaml", &format!("sub:\n  password: {pw}\n"));
    let out = sb.kseal().args(["verify", "-R", "a.pub", "."]).run_ok();
    assert!(stderr(&out).contains("verified"), "{}", stderr(&out));
    // Sealed for the Secret a release named otherwise would have: named where it lands.
    let wrong = raw("shop", "staging-api", "token", "st4ging-t0ken");
    sb.write(
        "charts/shop/envs/staging.yaml",
        &format!("api:\n  token: {wrong}\n"),
    );
    let report = stdout(&sb.kseal().args(["verify", "-R", "a.pub", "."]).run_exits(1));
    assert!(
        report.contains(
            "charts/shop/envs/staging.yaml: (line 2, column 10): sealed for another place (binding tag "
        ) && report.contains(
            "lands as shop/shop-api, key token (by Argo CD Application argocd/shop (apps/shop.yaml)): \
             seal it for there: `kseal seal --raw -n shop --name shop-api --key token`"
        ),
        "{report}"
    );
}

/// Argo CD parity: an app outside Argo CD's namespace (ARGOCD_APP_NAME `ns_name`) releases as
/// `name`; a partly filled `charts/` is completed (helm would fail on the missing subchart); and
/// a post-renderer reading stdin takes its namespace from `-n` only, never from a rule, since
/// helm tells it nothing of its own `--namespace`.
#[test]
fn argo_cd_parity_release_names_partial_charts_and_the_post_renderers_namespace() {
    require_tools!("helm", "git");
    let sb = repo(&[
        (
            "app/Chart.yaml",
            "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: one\n  version: 0.1.0\n  repository: file://../one\n- name: two\n  version: 0.1.0\n  repository: file://../two\n",
        ),
        ("app/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\n"),
        ("one/Chart.yaml", "apiVersion: v2\nname: one\nversion: 0.1.0\n"),
        ("one/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n"),
        ("two/Chart.yaml", "apiVersion: v2\nname: two\nversion: 0.1.0\n"),
        ("two/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two\n"),
    ]);
    // `charts/` holds one of the two subcharts, as a half-done `helm dependency build` leaves it.
    std::process::Command::new("helm")
        .args(["package", "one", "-d", "app/charts"])
        .current_dir(sb.path(""))
        .run_ok();
    let out = sb
        .kseal()
        .args(["render", "-i"])
        .arg(sb.path("a.agekey"))
        .arg("app")
        .env("ARGOCD_APP_NAME", "team-a_shop")
        .env("ARGOCD_APP_NAMESPACE", "team-a")
        .run_ok();
    let rendered = stdout(&out);
    assert!(
        rendered.contains("name: shop-cm")
            && rendered.contains("name: one")
            && rendered.contains("name: two"),
        "{rendered}"
    );
    // A post-renderer in a folder whose rule says `namespace: prod`: helm installs into shop.
    sb.write(
        ".kseal.yaml",
        "rules:\n  - path: \"**\"\n    recipients: [a.pub]\n    namespace: prod\n",
    );
    let plain = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  annotations:\n    kseal.dev/allow-plaintext: \"test fixture\"\nstringData:\n  password: s3cr3t-post-pw\n";
    let sealed = stdout(
        &sb.kseal()
            .args(["seal", "-R", "a.pub", "-n", "shop"])
            .write_stdin(plain)
            .run_ok(),
    );
    // What a chart's template renders: no namespace (helm gives it at install).
    let sealed = without_namespace(&sealed);
    let out = sb
        .kseal()
        .args(["open", "-i", "a.agekey"])
        .write_stdin(sealed.clone())
        .run_exits(2);
    assert!(
        stderr(&out).contains("strict scope needs a namespace")
            && stderr(&out).contains("--post-renderer-args -n"),
        "{}",
        stderr(&out)
    );
    let out = sb
        .kseal()
        .args(["open", "-i", "a.agekey", "-n", "shop"])
        .write_stdin(sealed)
        .run_ok();
    assert!(stdout(&out).contains("s3cr3t-post-pw") && stdout(&out).contains("namespace: shop"));
}

/// argocd-example-apps' shape: `pre-post-sync` reuses `kustomize-guestbook` under another
/// prefix. `seal -k` of the app alone is refused for a strict value (another entry of the
/// repository applies the Secret under another name), naming both; with namespace scope it
/// seals once for both. A strict value sealed by hand fails `verify` at both landings, and
/// `reseal -w -k --scope namespace` repairs it so that both render.
#[test]
fn a_secret_another_entry_applies_under_another_name_is_refused_then_repaired() {
    require_tools!("kubectl", "git");
    let sb = repo(&[
        (".kseal.yaml", "rules:\n  - path: \"**\"\n    recipients: [a.pub]\n    namespace: guestbook\n"),
        ("kustomize-guestbook/kustomization.yaml", "namePrefix: kustomize-\nresources:\n- secret.yaml\n"),
        ("kustomize-guestbook/secret.yaml", DB),
        ("pre-post-sync/kustomization.yaml", "namePrefix: pre-post-sync-\nresources:\n- ../kustomize-guestbook\n"),
        (
            "argocd/guestbook.yaml",
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: kustomize-guestbook\n  namespace: argocd\nspec:\n  source:\n    path: kustomize-guestbook\n  destination:\n    namespace: guestbook\n",
        ),
    ]);
    let out = sb
        .kseal()
        .args(["seal", "-w", "-k", "kustomize-guestbook"])
        .run_exits(2);
    let err = stderr(&out);
    assert!(
        err.contains("applied under 2 identities")
            && err.contains("guestbook/kustomize-db (by Argo CD Application argocd/kustomize-guestbook (argocd/guestbook.yaml))")
            && err.contains("guestbook/pre-post-sync-kustomize-db (by pre-post-sync)"),
        "{err}"
    );
    assert_eq!(sb.read("kustomize-guestbook/secret.yaml"), DB, "nothing written");
    // Sealed by hand, strict, for the name the file says: wrong at both landings.
    sb.kseal()
        .args(["seal", "-w", "kustomize-guestbook/secret.yaml"])
        .run_ok();
    let report = stdout(&sb.kseal().args(["verify", "."]).run_exits(1));
    assert!(
        report.contains("sealed for guestbook/db, key password, lands as guestbook/kustomize-db, key password (by Argo CD")
            && report.contains("lands as guestbook/pre-post-sync-kustomize-db, key password (by pre-post-sync)"),
        "{report}"
    );
    let out = sb
        .kseal()
        .args([
            "reseal",
            "-w",
            "-k",
            "kustomize-guestbook",
            "--scope",
            "namespace",
            "-i",
            "a.agekey",
        ])
        .run_ok();
    assert!(
        stdout(&out).contains("1 resealed (1 sealed for another place)"),
        "{}",
        stdout(&out)
    );
    assert!(sealed_tokens(&sb.read("kustomize-guestbook/secret.yaml"))[0].starts_with("kseal:v3:namespace:"));
    sb.kseal().args(["verify", "."]).run_ok();
    for app in ["kustomize-guestbook", "pre-post-sync"] {
        let out = sb
            .kseal()
            .args(["render", "-i"])
            .arg(sb.path("a.agekey"))
            .arg(app)
            .env("ARGOCD_APP_NAMESPACE", "guestbook")
            .run_ok();
        assert!(stdout(&out).contains("s3cr3t-flux-pw"), "{app}");
    }
}
