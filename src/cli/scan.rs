//! `kseal scan`.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::io::write_stdout;
use crate::error::{Error, ExitCode};
use crate::scan::{report, worktree};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    /// Readable text grouped by Secret (colour on a terminal unless NO_COLOR is set).
    Text,
    /// One JSON object per finding; usable as a --baseline file.
    Json,
}

#[derive(Args, Debug)]
#[command(after_help = "\
A finding is a v1 Secret (YAML or JSON, any document, any item of a List) with a non-empty value
in data or stringData that is not sealed; also kustomize secretGenerator literals and Secrets inside
a kubectl.kubernetes.io/last-applied-configuration annotation. Not findings: kseal-sealed values,
SOPS values and files, SealedSecret/ExternalSecret kinds, empty values, {{ ... }} and ${...}
templates. Each key is reported with a fingerprint (first 8 hex of SHA-256 of the value), never
the value.

Suppress a Secret with the annotation kseal.dev/allow-plaintext: \"<reason>\", or known values with
--baseline FILE (`kseal scan --format json > FILE` makes one).

This version scans the files on disk (--worktree); history and staged modes are being built.

Exit codes: 0 nothing found, 1 findings, 2 error.")]
pub struct ScanArgs {
    /// The folder to scan.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,
    /// Scan the files on disk (files ignored by .gitignore are skipped).
    #[arg(long)]
    pub worktree: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Ignore values whose fingerprints are listed in FILE.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Worker threads [default: the number of cores].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

pub fn run(args: ScanArgs) -> Result<ExitCode, Error> {
    let meta = std::fs::metadata(&args.path).map_err(|e| Error::io(args.path.display().to_string(), &e))?;
    if !meta.is_dir() {
        return Err(Error::usage(format!("{} is not a folder", args.path.display())));
    }
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let mut findings = worktree::scan(&args.path, threads.max(1));
    if let Some(file) = &args.baseline {
        let text = std::fs::read_to_string(file).map_err(|e| Error::io(file.display().to_string(), &e))?;
        report::apply_baseline(&mut findings, &report::parse_baseline(&text));
    }
    let out = match args.format {
        Format::Json => report::json_lines(&findings),
        Format::Text => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            report::text(&findings, color)
        }
    };
    write_stdout(out.as_bytes())?;
    let keys: usize = findings.iter().map(|f| f.keys.len()).sum();
    if findings.is_empty() {
        eprintln!("kseal: no plaintext Secrets found");
        Ok(ExitCode::Success)
    } else {
        eprintln!(
            "kseal: {} plaintext Secret{} ({keys} key{}): seal them, and rotate any credential that was ever committed",
            findings.len(),
            if findings.len() == 1 { "" } else { "s" },
            if keys == 1 { "" } else { "s" }
        );
        Ok(ExitCode::Findings)
    }
}
