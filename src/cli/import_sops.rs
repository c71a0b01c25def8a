//! `kseal import-sops`.

use std::path::PathBuf;

use clap::Args;

use super::input::collect_inputs_to_write;
use super::output::write_imported;
use super::policy::policy_for;
use super::{ExcludeFlag, Flags, IdentityArgs, NamespaceFlag, RecipientArgs, ScopeArgs};
use crate::config::ConfigCache;
use crate::error::{Error, ExitCode};
use crate::manifest::{parse, seal::seal, secret, sops};

#[derive(Args, Debug)]
#[command(after_help = "\
Turns SOPS-encrypted Secrets (YAML or JSON, data key encrypted to age) into kseal-sealed Secrets:
the SOPS file is opened with your age identities (-i), its MAC checked, the `sops` block removed,
the comments SOPS encrypted decrypted (as `sops -d` does), and every data/stringData value sealed to
the recipients (-r/-R, else .kseal.yaml), as `kseal seal` does. Every other byte stays as it was.
The plaintext exists only in memory.

A folder is walked as a repository is: files that are not SOPS files (kustomization.yaml, Flux's
.sops.yaml), and SOPS files without a Secret, are left as they are and counted, so one -w run over
the root migrates it and a second run changes nothing.

Values that SOPS encrypted outside data/stringData (with SOPS's default rules, metadata.name too)
come out as plain text, as everything outside data/stringData is in a kseal manifest; each one is
named on stderr. A file without a Secret is refused.

Examples:
  kseal import-sops -i sops.agekey -R keys/prod.pub secret.enc.yaml > secret.yaml
  kseal import-sops -i sops.agekey -w manifests/       # in place, recipients from .kseal.yaml")]
pub struct ImportSopsArgs {
    /// SOPS files or folders (recursively: *.yaml, *.yml, *.json); `-` reads stdin.
    #[arg(value_name = "FILE", required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub identities: IdentityArgs,
    #[command(flatten)]
    pub recipients: RecipientArgs,
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Replace each file in place (atomically) instead of printing to stdout.
    #[arg(short, long)]
    pub write: bool,
    /// Import even when the SOPS MAC does not match (the values may have been altered).
    #[arg(long)]
    pub ignore_mac: bool,
    /// With -w: when some files fail, still write the ones that converted (and exit 1). Without
    /// it, every failing file is named and nothing is written.
    #[arg(long, requires = "write")]
    pub keep_going: bool,
    #[command(flatten)]
    pub namespace: NamespaceFlag,
    #[command(flatten)]
    pub exclude: ExcludeFlag,
}

pub fn run(args: ImportSopsArgs, global: &Flags) -> Result<ExitCode, Error> {
    // Recipients first: a mistake there is reported before any file is read.
    super::recipients::explicit_recipients(&args.recipients)?;
    let identities = args.identities.load(global)?;
    let inputs = collect_inputs_to_write(&args.paths, args.write, &global.exclude)?;
    let mut cache = ConfigCache::default();
    let mut results = Vec::with_capacity(inputs.len());
    let mut left = Vec::new();
    // Every file is tried, so one run names every file that fails (issue 40: only the first was).
    let mut failed: Vec<Error> = Vec::new();
    for input in &inputs {
        match import_one(input, &args, &identities, global, &mut cache) {
            Ok(Some(text)) => results.push((input, text)),
            Ok(None) => left.push(input.label()),
            Err(e) => {
                say!("error: {e}");
                failed.push(e);
            }
        }
    }
    if !failed.is_empty() && !args.keep_going {
        return Err(failures(
            &failed,
            "nothing was written; --keep-going writes the files that converted",
        ));
    }
    let others = other_sops_files(&args.paths);
    for (path, format) in &others {
        say!("{}", not_imported(path, format));
    }
    // Said once the files are written (issue 40: it was said before, then interrupted).
    write_imported(&results, args.write)?;
    if !left.is_empty() {
        say!(
            "{} file{} imported; {} file{} with nothing to import left as {}",
            results.len(),
            if results.len() == 1 { "" } else { "s" },
            left.len(),
            if left.len() == 1 { "" } else { "s" },
            if left.len() == 1 { "it was" } else { "they were" }
        );
    }
    if !failed.is_empty() {
        say!(
            "{} file{} failed (named above) and {} left as {}; the others were written",
            failed.len(),
            if failed.len() == 1 { "" } else { "s" },
            if failed.len() == 1 { "was" } else { "were" },
            if failed.len() == 1 { "it was" } else { "they were" }
        );
        return Ok(ExitCode::Findings);
    }
    if others.is_empty() {
        Ok(ExitCode::Success)
    } else {
        say!(
            "{} SOPS file{} not imported (named above): the migration is not complete",
            others.len(),
            if others.len() == 1 { "" } else { "s" }
        );
        Ok(ExitCode::Findings)
    }
}

/// One input: its imported text, `None` for a file of a folder with nothing to import (left as
/// it is), or why it cannot be imported.
fn import_one(
    input: &super::input::Input,
    args: &ImportSopsArgs,
    identities: &[crate::crypto::Identity],
    global: &Flags,
    cache: &mut ConfigCache,
) -> Result<Option<zeroize::Zeroizing<String>>, Error> {
    let src = input.read()?;
    let loc = input.location();
    // A folder holds more than SOPS files (kustomization.yaml, Flux's .sops.yaml, files
    // already imported): those are left as they are, so a repository migrates in one run and
    // a second run changes nothing. A file named on the command line must be one.
    let is_sops = sops::is_sops(&src);
    if input.walked && !is_sops {
        return Ok(None);
    }
    sops::refuse_other_formats(&src, &loc)?;
    if !is_sops {
        return Err(Error::input(loc, "not a SOPS file: no top-level `sops` metadata"));
    }
    let policy = policy_for(input, &args.recipients, &args.scope, global, cache)?;
    let plain = sops::open(&src, &loc, identities, args.ignore_mac)?;
    for w in &plain.warnings {
        say!("warning: {w}");
    }
    let docs = parse(&plain.text, &loc)?;
    let holds_a_secret = !secret::find_secrets(&docs, &loc)?.is_empty();
    if input.walked && !holds_a_secret {
        // A SOPS file of something else (a ConfigMap, a values file): not ours to convert.
        say!(
            "{}: a SOPS file without a Secret, left as it is (`kseal open` reads it)",
            input.label()
        );
        return Ok(None);
    }
    if !holds_a_secret {
        return Err(Error::input(
            loc,
            "no v1 Secret in this SOPS file: import-sops converts Secrets only (use `kseal open` to read other files)",
        ));
    }
    for path in &plain.decrypted {
        if !(path.starts_with("data.") || path.starts_with("stringData.")) {
            say!(
                "{}: `{path}` was encrypted by SOPS and is now plain text",
                input.label()
            );
        }
    }
    let out = seal(&plain.text, &loc, &policy)?;
    say!(
        "{}: {} value{} sealed",
        input.label(),
        out.sealed,
        if out.sealed == 1 { "" } else { "s" }
    );
    Ok(Some(out.text))
}

/// The error of a run where files failed: each was said as it failed; this names how many, with
/// the exit code of the first (its kind: input, crypto).
fn failures(failed: &[Error], what_now: &str) -> Error {
    Error::new(
        failed[0].kind,
        crate::error::Location::default(),
        format!(
            "{} file{} could not be imported (each named above); {what_now}",
            failed.len(),
            if failed.len() == 1 { "" } else { "s" }
        ),
    )
}

/// SOPS files in the folders given that are not YAML or JSON, which the folder walk does not read
/// (issue 40: a dotenv file a secretGenerator reads was skipped in silence): dotenv, INI, and
/// binary (a SOPS JSON document under another name). Hidden folders (`.git`) are not entered.
fn other_sops_files(paths: &[std::path::PathBuf]) -> Vec<(std::path::PathBuf, &'static str)> {
    let mut out = Vec::new();
    for root in paths.iter().filter(|p| p.is_dir()) {
        let walk = walkdir::WalkDir::new(root)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walk.filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
            let path = entry.path();
            let read_by_walk = path
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| ["yaml", "yml", "json"].contains(&x));
            if read_by_walk || entry.metadata().map_or(true, |m| m.len() > 4 << 20) {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let format = match sops::other_format(&text) {
                Some(f) => f,
                None if sops::is_sops(&text) => "binary",
                None => continue,
            };
            out.push((path.to_path_buf(), format));
        }
    }
    out
}

/// What to do with a SOPS file kseal does not turn into a Secret manifest.
fn not_imported(path: &std::path::Path, format: &str) -> String {
    let shown = path.display();
    let stem = path
        .file_name()
        .map(|n| {
            n.to_string_lossy()
                .split('.')
                .next()
                .unwrap_or("secret")
                .to_string()
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "secret".into());
    // The key a file becomes: its name without `.enc` (`app.enc.ini` -> `app.ini`).
    let key = path
        .file_name()
        .map(|n| n.to_string_lossy().replace(".enc", ""))
        .unwrap_or_else(|| "data".into());
    let from = if format == "dotenv" {
        "--from-env-file=/dev/stdin".to_string()
    } else {
        format!("--from-file={key}=/dev/stdin")
    };
    format!(
        "{shown}: a SOPS {format} file, not imported (kseal seals Secret manifests). Make one from it: \
         `sops -d {shown} | kubectl create secret generic {stem} -n NAMESPACE {from} --dry-run=client -o yaml | kseal seal -o {stem}-secret.yaml` \
         (NAMESPACE: where it is applied), then in the kustomization that reads it replace its secretGenerator entry with `resources: [{stem}-secret.yaml]`, \
         and delete {shown}"
    )
}

row!(ImportSopsArgs, "import-sops", |a, flags, _| run(a, flags), takes: |a| (Some(&a.identities.kube), Some(&a.namespace), Some(&a.exclude)));
