//! The house rules a reviewer would otherwise check by hand (docs/DEVELOPMENT.md, "Layout"):
//! arrows point down between the modules of each crate, kseal-core builds without the CLI's,
//! cluster's and scan's dependencies, and functions and files stay small enough to read.

use std::path::{Path, PathBuf};

/// Each crate's top-level modules, lowest layer first; a module may use those of its own layer
/// or below. The program's re-exports of kseal-core and kseal-scan sit below all of its own.
const LAYERS: &[(&str, &[&[&str]])] = &[
    (
        "crates/kseal-core/src",
        &[
            &["error"],
            &["crypto"],
            &["config"],
            &["policy"],
            &["manifest"],
            &["keyfiles"],
        ],
    ),
    (
        "crates/kseal-scan/src",
        &[
            &["finding"],
            &["classify"],
            &["tolerant", "workloads", "kubeconfig"],
            &["detect"],
            &["generators", "report", "charts"],
            &["worktree", "history", "staged"],
            &["baseline"],
        ],
    ),
    (
        "src",
        &[
            &["hardening"],
            &["webhook"],
            &["cluster"],
            &["controller"],
            &["integrations"],
            &["cli"],
        ],
    ),
];

/// The longest a function may be, in lines, and a file before its unit tests.
const MAX_FUNCTION_LINES: usize = 100;
const MAX_FILE_LINES: usize = 700;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    out.sort();
    out
}

/// The module names a file refers to as `crate::NAME`, or `super::NAME` from a top-level file.
fn referenced_modules(text: &str, top_level_file: bool) -> Vec<String> {
    let mut out = Vec::new();
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let prefixes: &[&str] = if top_level_file {
        &["crate::", "super::"]
    } else {
        &["crate::"]
    };
    for prefix in prefixes {
        for (at, _) in code.match_indices(prefix) {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let name: String = code[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push(name);
            }
        }
        // `use crate::{a, b}` / `use super::{a, b}` groups.
        for (at, _) in code.match_indices(&format!("{prefix}{{")) {
            let group = &code[at + prefix.len() + 1..];
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name = item.trim().split("::").next().unwrap_or("").to_string();
                if name.chars().next().is_some_and(|c| c.is_ascii_lowercase()) && name != "self" {
                    out.push(name);
                }
            }
        }
    }
    out
}

#[test]
fn no_module_uses_a_module_above_it() {
    let mut wrong = Vec::new();
    for (dir, layers) in LAYERS {
        let layer_of = |m: &str| layers.iter().position(|l| l.contains(&m));
        let dir = root().join(dir);
        for file in rust_files(&dir) {
            let rel = file.strip_prefix(&dir).unwrap();
            let top = rel.components().next().unwrap().as_os_str().to_string_lossy();
            let top = top.trim_end_matches(".rs");
            if ["lib", "main", "bin"].contains(&top) {
                continue;
            }
            let own = layer_of(top).unwrap_or_else(|| {
                panic!(
                    "{}: module `{top}` has no layer in tests/architecture.rs",
                    file.display()
                )
            });
            let text = std::fs::read_to_string(&file).unwrap();
            let top_level_file =
                rel.components().count() == 1 || rel.ends_with("mod.rs") && rel.components().count() == 2;
            for used in referenced_modules(&text, top_level_file) {
                if let Some(theirs) = layer_of(&used) {
                    if theirs > own {
                        wrong.push(format!(
                            "{}: `{top}` uses `{used}`, a layer above it",
                            file.display()
                        ));
                    }
                }
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(wrong.is_empty(), "arrows pointing up:\n{}", wrong.join("\n"));
}

#[test]
fn the_layer_check_sees_an_arrow_pointing_up() {
    // The check itself must be able to fail: a crypto file naming the manifest module.
    let used = referenced_modules(
        "use crate::manifest::tree;\nuse crate::{error::Error, policy};\n// crate::cli\n",
        true,
    );
    assert_eq!(used, vec!["manifest", "error", "policy"]);
    let nested = referenced_modules("use super::walk;\nuse crate::detect;\n", false);
    assert_eq!(nested, vec!["detect"]);
}

#[test]
fn kseal_core_builds_without_the_cli_cluster_and_scan_dependencies() {
    let Some(cargo) = std::env::var_os("CARGO") else {
        eprintln!("skipped: not run by cargo (CARGO is not set)");
        return;
    };
    let out = std::process::Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "-p",
            "kseal-core",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo tree: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(
        tree.lines().any(|l| l.starts_with("age ")),
        "the tree is read: {tree}"
    );
    for forbidden in [
        "clap",
        "kube",
        "gix",
        "hyper",
        "tokio",
        "k8s-openapi",
        "rustls",
        "kseal-scan",
    ] {
        let hit = tree.lines().find(|l| l.split(' ').next() == Some(forbidden));
        assert!(hit.is_none(), "kseal-core depends on {forbidden}: {hit:?}");
    }
}

/// `(lines, name, first line)` of each function in `text` (rustfmt's layout: a body ends at the
/// first line that is its indentation and `}`).
fn functions(text: &str) -> Vec<(usize, String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let rest = ["pub(crate) ", "pub(super) ", "pub "]
            .iter()
            .find_map(|p| trimmed.strip_prefix(p))
            .unwrap_or(trimmed);
        let rest = rest.strip_prefix("async ").unwrap_or(rest);
        let rest = rest.strip_prefix("const ").unwrap_or(rest);
        let Some(sig) = rest.strip_prefix("fn ") else {
            continue;
        };
        if line.trim_end().ends_with('}') || line.trim_end().ends_with(';') {
            continue;
        }
        let name: String = sig
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let close = format!("{indent}}}");
        let end = (i + 1..lines.len()).find(|j| lines[*j] == close).unwrap_or(i);
        out.push((end - i + 1, name, i + 1));
    }
    out
}

/// Lines of a file before its `#[cfg(test)]` module.
fn lines_before_tests(text: &str) -> usize {
    text.lines()
        .take_while(|l| !l.starts_with("#[cfg(test)]"))
        .count()
}

#[test]
fn functions_and_files_stay_readable() {
    let mut long = Vec::new();
    for dir in ["src", "crates/kseal-core/src", "crates/kseal-scan/src"] {
        for file in rust_files(&root().join(dir)) {
            let text = std::fs::read_to_string(&file).unwrap();
            let shown = file.strip_prefix(root()).unwrap().display().to_string();
            let code = &text[..text.find("\n#[cfg(test)]").unwrap_or(text.len())];
            for (n, name, line) in functions(code) {
                if n > MAX_FUNCTION_LINES {
                    long.push(format!("{shown}:{line}: fn {name} is {n} lines"));
                }
            }
            let n = lines_before_tests(&text);
            if n > MAX_FILE_LINES {
                long.push(format!("{shown}: {n} lines before its tests"));
            }
        }
    }
    assert!(
        long.is_empty(),
        "over {MAX_FUNCTION_LINES} lines a function or {MAX_FILE_LINES} a file:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_length_check_measures_functions() {
    let text = "fn a() {}\npub(crate) fn b(\n    x: u8,\n) -> u8 {\n    x\n}\nimpl T {\n    pub fn c() {\n        1;\n    }\n}\n";
    assert_eq!(
        functions(text),
        vec![(5, "b".to_string(), 2), (3, "c".to_string(), 8)]
    );
    assert_eq!(lines_before_tests("a\nb\n#[cfg(test)]\nmod tests {}\n"), 2);
}
