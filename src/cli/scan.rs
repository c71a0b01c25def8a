//! `kseal scan`.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::output::write_stdout;
use crate::error::{Error, ExitCode};
use crate::scan::{history, report, worktree};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    /// Readable text grouped by Secret (colour on a terminal unless NO_COLOR is set).
    Text,
    /// One JSON object per finding; usable as a --baseline file.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
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

Modes: --history (the default inside a git repository) reads every commit of every ref (branches,
tags, remotes, stash, notes), each distinct blob once, and reports the commit and author date that
first introduced each finding and whether its values are still at HEAD. --staged reads the whole
staged files (use it in a pre-commit hook). --worktree (the default outside git) reads the files on
disk, skipping .gitignored ones.

Exit codes: 0 nothing found, 1 findings, 2 error.")]
pub struct ScanArgs {
    /// The folder (or repository) to scan.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,
    /// Every commit of every ref [default inside a git repository].
    #[arg(long, group = "mode")]
    pub history: bool,
    /// The staged files (the index), for a pre-commit hook.
    #[arg(long, group = "mode")]
    pub staged: bool,
    /// The files on disk [default outside git]; .gitignored files are skipped.
    #[arg(long, group = "mode")]
    pub worktree: bool,
    /// History mode: only commits reachable from B and not from A (e.g. origin/main..HEAD in CI).
    #[arg(long, value_name = "A..B", conflicts_with_all = ["staged", "worktree"])]
    pub rev_range: Option<String>,
    /// History mode: also read blobs no commit reaches (not yet pruned by git gc).
    #[arg(long, conflicts_with_all = ["staged", "worktree"])]
    pub include_unreachable: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Ignore values whose fingerprints are listed in FILE.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Worker threads [default: the number of cores].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Objects that cannot be read (a partial clone's missing blobs, a corrupt object) are listed
    /// as a warning and the rest is reported, instead of failing the scan (exit 2).
    #[arg(long)]
    pub allow_unreadable: bool,
}

fn show_progress(phase: &str, done: usize, total: usize) {
    eprint!("\r\x1b[Kkseal: {phase} {done}/{total}");
    if phase == "reading blobs" && done == total {
        eprint!("\r\x1b[K");
    }
}

pub fn run(args: ScanArgs) -> Result<ExitCode, Error> {
    let meta = std::fs::metadata(&args.path).map_err(|e| Error::io(args.path.display().to_string(), &e))?;
    if !meta.is_dir() {
        return Err(Error::usage(format!("{} is not a folder", args.path.display())));
    }
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    // Opened once: it decides the default mode and is then scanned.
    let repo = history::open_repo(&args.path);
    let history_only = args.rev_range.is_some() || args.include_unreachable;
    let scanned = if args.staged {
        history::scan_staged(&repo?)?
    } else if args.worktree || (!args.history && !history_only && repo.is_err()) {
        history::Scanned {
            findings: worktree::scan(&args.path, threads.max(1)),
            unreadable: Vec::new(),
        }
    } else {
        let progress: Option<fn(&str, usize, usize)> =
            std::io::stderr().is_terminal().then_some(show_progress);
        let options = history::Options {
            threads,
            range: args.rev_range.clone(),
            include_unreachable: args.include_unreachable,
            progress,
        };
        history::scan(&repo?, &options)?
    };
    let history::Scanned {
        mut findings,
        unreadable,
    } = scanned;
    if !unreadable.is_empty() {
        let shown: Vec<String> = unreadable
            .iter()
            .take(10)
            .map(|(path, id)| format!("  {} (blob {})", report::printable(path), &id[..12.min(id.len())]))
            .collect();
        let more = unreadable.len().saturating_sub(shown.len());
        let what = format!(
            "{} object(s) could not be read, so they were not scanned:\n{}{}\n(a partial clone made with `--filter=blob:none` lacks old blobs: fetch them with `git fetch --refetch` or scan a full clone; a corrupt object: `git fsck`)",
            unreadable.len(),
            shown.join("\n"),
            if more > 0 { format!("\n  ... and {more} more") } else { String::new() }
        );
        if !args.allow_unreadable {
            return Err(Error::usage(format!(
                "{what}; the scan is incomplete: nothing is reported as clean. `--allow-unreadable` reports what could be read"
            )));
        }
        say!("warning: {what}; reporting what could be read (--allow-unreadable)");
    }
    if let Some(file) = &args.baseline {
        let text = std::fs::read_to_string(file).map_err(|e| Error::io(file.display().to_string(), &e))?;
        report::apply_baseline(&mut findings, &report::parse_baseline(&text));
    }
    let out = match args.format {
        Format::Json => report::json_lines(&findings),
        Format::Sarif => report::sarif(&findings),
        Format::Text => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            report::text(&findings, color)
        }
    };
    write_stdout(out.as_bytes())?;
    let keys: usize = findings.iter().map(|f| f.keys.len()).sum();
    if findings.is_empty() {
        say!("no plaintext Secrets found");
        Ok(ExitCode::Success)
    } else {
        say!(
            "{} plaintext Secret{} ({keys} key{}): seal them, and rotate any credential that was ever committed",
            findings.len(),
            if findings.len() == 1 { "" } else { "s" },
            if keys == 1 { "" } else { "s" }
        );
        Ok(ExitCode::Findings)
    }
}
