//! `kseal ls`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::input::collect_inputs;
use super::output::write_stdout;
use super::{ExcludeFlag, Flags};
use crate::crypto::{Kid, Recipient};
use crate::error::{Error, ExitCode};
use crate::manifest::views::{list, Listed};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Args, Debug)]
#[command(after_help = "\
Lists every Secret that holds at least one sealed value: file, document, namespace/name, the scopes
and key ids (kids) its values are sealed with, and its keys. Keys still in plaintext are counted.
Needs no private key.

Files that cannot be read or parsed are reported on stderr and skipped; the exit code is then 2.

Examples:
  kseal ls manifests/
  kseal ls --kid 1a2b3c4d .          # which Secrets still use the old key?
  kseal ls --kid age1... --format json | jq -r .file | sort -u")]
pub struct LsArgs {
    /// Files or folders (recursively: *.yaml, *.yml, *.json) [default: .]; `-` reads stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Only Secrets with a value sealed to this key: a kid (8 hex) or a recipient (age1...).
    #[arg(long, value_name = "KID|AGE1...")]
    pub kid: Option<String>,
    /// text: one aligned line per Secret; json: one JSON object per line.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    #[command(flatten)]
    pub exclude: ExcludeFlag,
}

fn parse_kid(s: &str) -> Result<Kid, Error> {
    if let Some(kid) = Kid::parse(s) {
        return Ok(kid);
    }
    s.parse::<Recipient>().map(|r| r.kid()).map_err(|_| {
        Error::usage(format!(
            "--kid {}: expected 8 lowercase hex characters or an age1... recipient",
            crate::crypto::keys::shown(s)
        ))
    })
}

#[derive(serde::Serialize)]
struct Row<'a> {
    file: &'a str,
    #[serde(flatten)]
    secret: &'a Listed,
}

pub fn run(args: LsArgs, global: &Flags) -> Result<ExitCode, Error> {
    let kid = args.kid.as_deref().map(parse_kid).transpose()?;
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let mut rows: Vec<(String, Listed)> = Vec::new();
    let mut failed = 0;
    for input in collect_inputs(&paths, &global.exclude)? {
        let listed = input.read().and_then(|src| list(&src, &input.location()));
        match listed {
            Ok(items) => rows.extend(
                items
                    .into_iter()
                    .filter(|s| kid.is_none_or(|k| s.has_kid(k)))
                    .map(|s| (input.label(), s)),
            ),
            Err(e) => {
                say!("skipped: {e}");
                failed += 1;
            }
        }
    }
    let mut out = String::new();
    match args.format {
        Format::Json => {
            for (file, secret) in &rows {
                let row = Row { file, secret };
                out.push_str(&serde_json::to_string(&row).expect("plain data serializes"));
                out.push('\n');
            }
        }
        Format::Text => {
            let table: Vec<[String; 5]> = rows
                .iter()
                .map(|(file, s)| {
                    let name = match (&s.namespace, &s.name) {
                        (Some(ns), Some(n)) => format!("{ns}/{n}"),
                        (None, Some(n)) => n.clone(),
                        _ => "(unnamed)".to_string(),
                    };
                    let mut keys = s.sealed.join(",");
                    if !s.plaintext.is_empty() {
                        keys.push_str(&format!(" (+{} plaintext)", s.plaintext.len()));
                    }
                    let join = |set: &std::collections::BTreeSet<String>| {
                        set.iter().cloned().collect::<Vec<_>>().join(",")
                    };
                    [
                        format!("{file}:{}", s.document),
                        name,
                        join(&s.scopes),
                        join(&s.kids),
                        keys,
                    ]
                })
                .collect();
            let header = ["FILE:DOC", "SECRET", "SCOPE", "KIDS", "KEYS"].map(String::from);
            let mut widths = [0; 5];
            for row in std::iter::once(&header).chain(&table) {
                for (w, cell) in widths.iter_mut().zip(row) {
                    *w = (*w).max(cell.chars().count());
                }
            }
            if !table.is_empty() {
                for row in std::iter::once(&header).chain(&table) {
                    let line: Vec<String> = row[..4]
                        .iter()
                        .zip(widths)
                        .map(|(c, w)| format!("{c:<w$}"))
                        .collect();
                    out.push_str(&format!("{}  {}\n", line.join("  "), row[4]));
                }
            }
        }
    }
    write_stdout(out.as_bytes())?;
    say!(
        "{} sealed Secret{}{}",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        kid.map(|k| format!(" with kid {k}")).unwrap_or_default()
    );
    Ok(if failed > 0 {
        ExitCode::Input
    } else {
        ExitCode::Success
    })
}

row!(LsArgs, "ls", |a, flags, _| run(a, flags), takes: |a| (None, None, Some(&a.exclude)));
