//! Issue 36: repository content never leads `kseal render` (the Argo CD plugin, which runs beside
//! the cluster's keys and whose output anyone who may view the app sees) outside the repository:
//! a symlink to the key file in a plain app or a chart is refused before anything is rendered, a
//! chart dependency from outside the repository is refused before `helm dependency build`, and as
//! a last guard no loaded identity is ever printed, however it got into the output.

use crate::common::*;

fn render(sb: &Sandbox, dir: &str, extra: &[&str]) -> std::process::Output {
    sb.kseal()
        .args(["render", "-i"])
        .arg(sb.path("a.agekey"))
        .args(extra)
        .current_dir(sb.path(dir))
        .env("ARGOCD_APP_NAME", "shop")
        .env("ARGOCD_APP_NAMESPACE", "shop")
        .output()
        .unwrap()
}

/// Exit 2, the message says why, and neither stdout nor stderr holds the key.
fn refused(sb: &Sandbox, out: &std::process::Output, says: &str) {
    let key = sb.read("a.agekey");
    let key = key.lines().find(|l| l.starts_with("AGE-SECRET-KEY-1")).unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
    assert!(stderr(out).contains(says), "{}", stderr(out));
    assert!(stdout(out).is_empty(), "{}", stdout(out));
    assert!(!stderr(out).contains(key));
}

#[test]
fn a_symlink_to_the_key_in_a_plain_app_is_refused() {
    let sb = Sandbox::new();
    sb.write(
        "app/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n",
    );
    std::os::unix::fs::symlink(sb.path("a.agekey"), sb.path("app/leak.yaml")).unwrap();
    refused(
        &sb,
        &render(&sb, "app", &[]),
        "a symlink leading outside the repository",
    );
    // A link inside the app is fine.
    std::fs::remove_file(sb.path("app/leak.yaml")).unwrap();
    std::os::unix::fs::symlink(sb.path("app/cm.yaml"), sb.path("app/same.yaml")).unwrap();
    let out = render(&sb, "app", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_symlinked_chart_file_read_by_files_get_is_refused() {
    require_tools!("helm");
    let sb = Sandbox::new();
    sb.write("chart/Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n");
    sb.write(
        "chart/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  k: {{ .Files.Get \"key.txt\" | b64enc }}\n",
    );
    std::os::unix::fs::symlink(sb.path("a.agekey"), sb.path("chart/key.txt")).unwrap();
    refused(
        &sb,
        &render(&sb, "chart", &[]),
        "a symlink leading outside the repository",
    );
}

/// However the key got there (here: sealed as a value, so no link leads anywhere), the output
/// that would show it is refused.
#[test]
fn a_loaded_identity_is_never_printed() {
    let sb = Sandbox::new();
    let key = sb.read("a.agekey");
    let key = key.lines().find(|l| l.starts_with("AGE-SECRET-KEY-1")).unwrap();
    sb.write(
        "plain.yaml",
        &format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: k, namespace: shop}}\nstringData:\n  key: {key}\n"),
    );
    let sealed = stdout(&sb.kseal().args(["seal", "-R", "a.pub", "plain.yaml"]).run_ok());
    sb.write("app/secret.yaml", &sealed);
    refused(&sb, &render(&sb, "app", &[]), "would contain the private key");
    // `open` (the post-renderer) the same.
    let out = sb
        .kseal()
        .args(["open", "-i", "a.agekey", "app/secret.yaml"])
        .output()
        .unwrap();
    refused(&sb, &out, "would contain the private key");
}

#[test]
fn chart_dependencies_come_only_from_inside_the_repository() {
    require_tools!("helm", "git");
    let sb = Sandbox::new();
    git(&sb.path(""), &["init", "-q"]);
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("Chart.yaml"),
        "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
    )
    .unwrap();
    let chart = |repo: &str| {
        sb.write(
            "apps/web/Chart.yaml",
            &format!("apiVersion: v2\nname: web\nversion: 0.1.0\ndependencies:\n- name: sub\n  version: 0.1.0\n  repository: \"{repo}\"\n"),
        );
    };
    chart(&format!("file://{}", outside.path().display()));
    refused(&sb, &render(&sb, "apps/web", &[]), "is not inside the repository");
    chart("oci://registry.example.com/charts");
    refused(&sb, &render(&sb, "apps/web", &[]), "--allow-chart-repository");
    // A look-alike host is not the allowed one.
    let out = render(
        &sb,
        "apps/web",
        &["--allow-chart-repository", "oci://registry.example.com/char"],
    );
    refused(&sb, &out, "is not allowed");
    // Allowed: the guard lets helm try (it then fails here: no network).
    let out = render(
        &sb,
        "apps/web",
        &["--allow-chart-repository", "oci://registry.example.com/charts"],
    );
    assert!(!stderr(&out).contains("is not allowed"), "{}", stderr(&out));
    // A subchart inside the repository builds and renders.
    sb.write(
        "apps/sub/Chart.yaml",
        "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
    );
    sb.write(
        "apps/sub/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: sub}\ndata: {a: b}\n",
    );
    chart("file://../sub");
    let out = render(&sb, "apps/web", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("name: sub"), "{}", stdout(&out));
}

/// `seal -w -k` writes only where kustomize read the Secret, inside the repository and not
/// through a symlink: an origin annotation the kustomization sets itself (here through
/// `commonAnnotations`, pointing outside the repository) is refused, the outside file untouched
/// and the repository's Secret left for the user to fix, not reported sealed.
#[test]
fn seal_k_never_follows_an_origin_out_of_the_repository() {
    require_tools!("kubectl", "git");
    let sb = Sandbox::new();
    let repo = sb.path("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    let plain = "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\nstringData: {password: hunter2}\n";
    sb.write("outside/secret.yaml", plain);
    sb.write("repo/app/secret.yaml", plain);
    sb.write(
        "repo/app/kustomization.yaml",
        "resources: [secret.yaml]\ncommonAnnotations:\n  config.kubernetes.io/origin: \"path: ../../outside/secret.yaml\"\n",
    );
    let seal = || {
        sb.kseal()
            .args(["seal", "-w", "-R", "a.pub", "-k", "repo/app"])
            .output()
            .unwrap()
    };
    let out = seal();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("config.kubernetes.io/origin"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sb.read("outside/secret.yaml"), plain);
    assert_eq!(sb.read("repo/app/secret.yaml"), plain);
    // A resource reached through a symlink is not written through: one leading out of the
    // kustomization is kustomize's own refusal, one inside it is kseal's.
    sb.write("repo/real/secret.yaml", plain);
    std::fs::remove_file(sb.path("repo/app/secret.yaml")).unwrap();
    std::os::unix::fs::symlink(sb.path("repo/real/secret.yaml"), sb.path("repo/app/secret.yaml")).unwrap();
    sb.write("repo/app/kustomization.yaml", "resources: [secret.yaml]\n");
    let out = seal();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(sb.read("repo/real/secret.yaml"), plain);
    std::fs::remove_file(sb.path("repo/app/secret.yaml")).unwrap();
    sb.write("repo/app/real.yaml", plain);
    std::os::unix::fs::symlink(sb.path("repo/app/real.yaml"), sb.path("repo/app/secret.yaml")).unwrap();
    let out = seal();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("through a symlink"), "{}", stderr(&out));
    assert_eq!(sb.read("repo/app/real.yaml"), plain);
    // The plain layout seals.
    std::fs::remove_file(sb.path("repo/app/secret.yaml")).unwrap();
    std::fs::remove_file(sb.path("repo/app/real.yaml")).unwrap();
    sb.write("repo/app/secret.yaml", plain);
    let out = seal();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!sb.read("repo/app/secret.yaml").contains("hunter2"));
}
