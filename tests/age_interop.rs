//! kseal keys and age keys are the same thing, proven with the real `age` and `age-keygen`
//! (Debian package `age`, installed by .ci/run).

use std::process::Command;

use crate::common::*;

fn tool(name: &str) -> Command {
    Command::new(name)
}

#[test]
fn age_keygen_identity_seals_and_opens_with_kseal() {
    require_tools!("age", "age-keygen");
    let sb = Sandbox::new();
    let out = tool("age-keygen")
        .arg("-o")
        .arg(sb.path("age.key"))
        .output()
        .unwrap();
    assert!(out.status.success());
    chmod(&sb.path("age.key"), 0o600);
    let recipient = sb
        .read("age.key")
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .unwrap()
        .to_string();
    sb.write(
        "s.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: n}\nstringData: {k: from-age-keygen}\n",
    );
    let sealed = sb.kseal().args(["seal", "-r", &recipient, "s.yaml"]).run_ok();
    sb.write("sealed.yaml", &stdout(&sealed));
    let opened = sb.kseal().args(["open", "-i", "age.key", "sealed.yaml"]).run_ok();
    assert!(stdout(&opened).contains("k: \"from-age-keygen\""));
}

#[test]
fn kseal_identity_decrypts_what_age_encrypted_to_its_recipient() {
    require_tools!("age", "age-keygen");
    let sb = Sandbox::new();
    let out = sb.kseal().args(["keygen", "-o", "k.agekey"]).output().unwrap();
    let recipient = stdout(&out).trim().to_string();
    sb.write("plain.txt", "encrypted by age itself\n");
    tool("age")
        .args(["-r", &recipient, "-o"])
        .arg(sb.path("msg.age"))
        .arg(sb.path("plain.txt"))
        .run_ok();
    let dec = tool("age")
        .args(["-d", "-i"])
        .arg(sb.path("k.agekey"))
        .arg(sb.path("msg.age"))
        .run_ok();
    assert_eq!(stdout(&dec), "encrypted by age itself\n");
    // age derives the same recipient from the kseal identity.
    let derived = tool("age-keygen")
        .arg("-y")
        .arg(sb.path("k.agekey"))
        .output()
        .unwrap();
    assert_eq!(stdout(&derived).trim(), recipient);
}

#[test]
fn identity_files_with_several_keys_open_values_for_any_of_them() {
    require_tools!("age", "age-keygen");
    let sb = Sandbox::new();
    // An identity file with both TEST ONLY keys, comments and blank lines, like `cat a b > ab`.
    let both = format!("{}\n\n# second key\n{}", sb.read("a.agekey"), sb.read("b.agekey"));
    let p = sb.write("ab.agekey", &both);
    chmod(&p, 0o600);
    sb.write(
        "s.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: n}\nstringData: {k: v}\n",
    );
    let sealed = sb
        .kseal()
        .args(["seal", "-R", "b.pub", "s.yaml"])
        .output()
        .unwrap();
    sb.write("sealed.yaml", &stdout(&sealed));
    sb.kseal()
        .args(["open", "-i", "ab.agekey", "sealed.yaml"])
        .run_ok();
    // age accepts the same file.
    let y = tool("age-keygen").arg("-y").arg(&p).output().unwrap();
    assert_eq!(stdout(&y).lines().count(), 2);
}
