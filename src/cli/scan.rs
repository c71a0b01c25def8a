//! `kseal scan`.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::output::{write_stdout, write_stdout_with};
use crate::error::{Error, ExitCode};
use crate::scan::{baseline, history, report, worktree, Class};

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
A finding is a v1 Secret (YAML or JSON, any document, any item of a List, also in a Helm template
or beside a document that does not parse) with a non-empty value in data or stringData that is not
sealed; also kustomize secretGenerator literals and the env/files they read, Secrets inside a
kubectl.kubernetes.io/last-applied-configuration annotation, and committed age identities
(AGE-SECRET-KEY-1..., reported with their public key). Not findings: kseal-sealed values, SOPS
values and files, SealedSecret/ExternalSecret kinds, empty values, {{ ... }} and ${...} templates.
Placeholders (changeme, <REPLACE_ME>, XXXX, \"replace this with...\", a data value that is not
base64) are reported as their own class and do not fail the scan.

Each key is reported with a fingerprint that names the finding (its commit, path, Secret and key),
never the value or a hash of it: nobody can confirm a guessed value from a report or a baseline.

Suppress a Secret with the annotation kseal.dev/allow-plaintext: \"<reason>\", an age identity with
a TEST ONLY comment on its line or the three above, or findings with a baseline:
`kseal scan --format json > .kseal-baseline.jsonl` (read by default from the top of the work tree,
or from HEAD in a bare repository).
A baseline accepts each value it lists wherever it appears again (read back from the commits it
names), so it works for --staged too, and stops accepting a value once it changes.

Modes: --history (the default inside a git repository) reads every commit of every ref (branches,
tags, remotes, stash, notes; replace refs do not hide anything), each distinct tree and blob once,
and reports the commit that first introduced each finding (in history order), its author date, the
refs that hold it, and whether the same key with the same value is still at HEAD (and where).
--staged reads the whole staged files (use it in a pre-commit hook). --worktree (the default
outside git) reads the files on disk, skipping .gitignored ones. Submodules are not scanned (a
note says which).

A scan that could not see everything (objects missing from a partial clone, a shallow clone's
older history, a corrupt object) reports what it read, says what it missed and exits 2, unless
--allow-incomplete.

Exit codes: 0 nothing found (placeholders only), 1 findings, 2 error or incomplete scan.")]
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
    /// History mode: only commits reachable from B and not from A (e.g. origin/main..HEAD in CI;
    /// an annotated tag stands for the commit it tags: v1.2..v1.3).
    #[arg(long, value_name = "A..B", conflicts_with_all = ["staged", "worktree"])]
    pub rev_range: Option<String>,
    /// History mode: also read blobs no commit reaches (not yet pruned by git gc).
    #[arg(long, conflicts_with_all = ["staged", "worktree"])]
    pub include_unreachable: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Accept the findings listed in FILE (what `kseal scan --format json` wrote) and their values
    /// wherever they appear [default: .kseal-baseline.jsonl at the top of the work tree, if any].
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Worker threads [default: the number of cores].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Report what could be read even when the scan is incomplete (objects that cannot be read,
    /// as in a partial clone; a shallow clone's missing history), with a warning, and exit by the
    /// findings; without it, an incomplete scan exits 2.
    #[arg(long, alias = "allow-unreadable")]
    pub allow_incomplete: bool,
}

fn show_progress(phase: &str, done: usize, total: usize) {
    eprint!("\r\x1b[Kkseal: {phase} {done}/{total}");
    if phase == "reading blobs" && done == total {
        eprint!("\r\x1b[K");
    }
}

/// The repository, or the error opening it gave (opened again: errors are not `Clone`).
fn opened<'a>(
    repo: &'a Result<gix::Repository, Error>,
    path: &std::path::Path,
) -> Result<&'a gix::Repository, Error> {
    match repo {
        Ok(r) => Ok(r),
        Err(_) => Err(history::open_repo(path).err().unwrap_or_else(|| {
            Error::usage(format!("{}: the repository could not be opened", path.display()))
        })),
    }
}

/// Whether `path` is inside a folder git would call a repository (a `.git` above it), for
/// telling "not a repository" from "a repository kseal could not open".
fn inside_git(path: &std::path::Path) -> bool {
    let Ok(abs) = std::fs::canonicalize(path) else {
        return false;
    };
    abs.ancestors().any(|d| d.join(".git").exists())
}

/// The warning (allowed) or error (exit 2) for a scan that could not see everything.
fn incomplete(scanned: &history::Scanned) -> Option<String> {
    let mut parts = Vec::new();
    if !scanned.unreadable.is_empty() {
        let shown: Vec<String> = scanned
            .unreadable
            .iter()
            .take(10)
            .map(|(path, id)| format!("  {} ({})", report::printable(path), &id[..12.min(id.len())]))
            .collect();
        let more = scanned.unreadable.len().saturating_sub(shown.len());
        parts.push(format!(
            "{} object(s) could not be read, so they were not scanned:\n{}{}\n(a partial clone made with `--filter=blob:none` lacks old blobs: fetch them with `git fetch --refetch` or scan a full clone; a corrupt object: `git fsck`)",
            scanned.unreadable.len(),
            shown.join("\n"),
            if more > 0 { format!("\n  ... and {more} more") } else { String::new() }
        ));
    }
    if !scanned.shallow.is_empty() {
        let shown: Vec<&str> = scanned
            .shallow
            .iter()
            .take(5)
            .map(|id| &id[..12.min(id.len())])
            .collect();
        parts.push(format!(
            "the history is shallow: the parents of {} commit(s) ({}{}) are not in this clone, so older history was not scanned (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)",
            scanned.shallow.len(),
            shown.join(", "),
            if scanned.shallow.len() > 5 { ", ..." } else { "" }
        ));
    }
    (!parts.is_empty()).then(|| parts.join("\n"))
}

pub fn run(args: ScanArgs) -> Result<ExitCode, Error> {
    let meta = std::fs::metadata(&args.path).map_err(|e| Error::io(args.path.display().to_string(), &e))?;
    if !meta.is_dir() {
        return Err(Error::usage(format!("{} is not a folder", args.path.display())));
    }
    // Opened once: it decides the default mode and is then scanned. A repository that exists but
    // cannot be opened is an error, never a silent fallback to the files on disk.
    let repo = history::open_repo(&args.path);
    let scanned = scan(&args, &repo)?;
    if !scanned.submodules.is_empty() {
        note_submodules(&scanned.submodules);
    }
    let incomplete = incomplete(&scanned);
    let mut findings = scanned.findings;
    if let Some(found) = baseline::find(repo.as_ref().ok(), &args.path, args.baseline.as_deref())? {
        let file = found.file.display();
        if !found.baseline.legacy.is_empty() {
            say!(
                "warning: {}: {} fingerprint(s) in the pre-v2 form (a hash of the value, which confirms a guessed value); they still work, but write the baseline again: kseal scan --format json > {}",
                file,
                found.baseline.legacy.len(),
                file
            );
        }
        if !found.missing.is_empty() {
            say!(
                "warning: {}: {} entr(ies) name a commit this clone does not have ({}...); they suppress only the same finding, not the same value elsewhere",
                file,
                found.missing.len(),
                found.missing[0]
            );
        }
        baseline::apply(&mut findings, &found.baseline, &found.values);
    }
    match args.format {
        Format::Json => write_stdout_with(|out| report::json_lines(&findings, out))?,
        Format::Sarif => write_stdout(report::sarif(&findings).as_bytes())?,
        Format::Text => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            write_stdout(report::text(&findings, color).as_bytes())?;
        }
    }
    conclude(&args, &findings, incomplete)
}

/// The summary on stderr and the exit code: what to do about leaks, and whether an incomplete
/// scan is accepted.
fn conclude(
    args: &ScanArgs,
    findings: &[crate::scan::Finding],
    incomplete: Option<String>,
) -> Result<ExitCode, Error> {
    let leaks: Vec<&crate::scan::Finding> = findings.iter().filter(|f| f.class == Class::Leak).collect();
    let placeholders = findings.len() - leaks.len();
    if placeholders > 0 {
        say!(
            "{placeholders} Secret(s) with placeholder values (changeme, <...>, XXXX): reported, not failing"
        );
    }
    if let Some(what) = incomplete {
        if !args.allow_incomplete {
            return Err(Error::usage(format!(
                "{what}\nthe scan is incomplete: what could be read is reported above, but nothing is reported as clean. `--allow-incomplete` accepts this"
            )));
        }
        say!("warning: {what}\nreporting what could be read (--allow-incomplete)");
    }
    // Credentials outside Secrets (Source::is_outside_secrets) are moved, not sealed in place.
    let (elsewhere, leaks): (Vec<&crate::scan::Finding>, Vec<&crate::scan::Finding>) =
        leaks.into_iter().partition(|f| f.source.is_outside_secrets());
    if !elsewhere.is_empty() {
        let n: usize = elsewhere.iter().map(|f| f.keys.len()).sum();
        say!(
            "{n} credential{} outside Secrets (ConfigMaps, env literals, Helm values, configMapGenerators, known formats): \
             move each into a Secret, seal it, and reference it (secretKeyRef, a chart's existingSecret, \
             or `kseal seal --raw` for a value a chart's Secret template takes){}",
            if n == 1 { "" } else { "s" },
            if args.staged { "" } else { "; rotate every one that was committed: history keeps it" }
        );
    }
    if leaks.is_empty() {
        if elsewhere.is_empty() {
            say!("no plaintext Secrets found");
            return Ok(ExitCode::Success);
        }
        return Ok(ExitCode::Findings);
    }
    // What to do, with the command and the files: in a pre-commit hook nothing was committed
    // yet, so sealing is all; anywhere else a committed value is leaked and must be rotated.
    let keys: usize = leaks.iter().map(|f| f.keys.len()).sum();
    let mut paths: Vec<&str> = leaks.iter().map(|f| f.path.as_str()).collect();
    paths.sort_unstable();
    paths.dedup();
    // Control characters escaped as in the report (a path is attacker-chosen text).
    let shown: Vec<String> = paths
        .iter()
        .take(5)
        .map(|p| shell_word(&crate::scan::report::printable(p)))
        .collect();
    let more = if paths.len() > 5 { " ..." } else { "" };
    let seal = format!("kseal seal -w {}{more}", shown.join(" "));
    let plural = if leaks.len() == 1 { "" } else { "s" };
    let keys_plural = if keys == 1 { "" } else { "s" };
    if args.staged {
        say!(
            "{} plaintext Secret{plural} staged ({keys} key{keys_plural}): seal them with `{seal}`, then `git add` them \
             again; nothing was committed, so no credential needs rotating for this commit",
            leaks.len()
        );
    } else {
        say!(
            "{} plaintext Secret{plural} ({keys} key{keys_plural}): seal them (`{seal}`), and rotate every \
             credential that was ever committed: history keeps it",
            leaks.len()
        );
    }
    Ok(ExitCode::Findings)
}

/// The scan the flags ask for: the index, the files on disk, or the history.
fn scan(args: &ScanArgs, repo: &Result<gix::Repository, Error>) -> Result<history::Scanned, Error> {
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let history_only = args.rev_range.is_some() || args.include_unreachable;
    if let Err(e) = &repo {
        if !args.worktree && inside_git(&args.path) {
            return Err(Error::usage(format!(
                "{e}; kseal cannot read this repository, so its history is not scanned (`--worktree` scans the files on disk only)"
            )));
        }
    }
    Ok(if args.staged {
        crate::scan::scan_staged(opened(repo, &args.path)?)?
    } else if args.worktree || (!args.history && !history_only && repo.is_err()) {
        history::Scanned {
            findings: worktree::scan(&args.path, threads.max(1)),
            ..Default::default()
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
        history::scan(opened(repo, &args.path)?, &options)?
    })
}

/// Submodules are another repository's history: said, not scanned.
fn note_submodules(submodules: &[String]) {
    let shown: Vec<String> = submodules
        .iter()
        .take(10)
        .map(|p| report::printable(p).into_owned())
        .collect();
    say!(
        "note: {} submodule(s) not scanned (another repository's history; scan each on its own, e.g. `git submodule foreach kseal scan`): {}{}",
        submodules.len(),
        shown.join(", "),
        if submodules.len() > 10 { ", ..." } else { "" }
    );
}

/// A path as a shell word: as it is when it needs no quoting, else in single quotes.
fn shell_word(p: &str) -> String {
    if !p.is_empty()
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:@%,=".contains(&b))
    {
        p.to_string()
    } else {
        format!("'{}'", p.replace('\'', "'\\''"))
    }
}

row!(ScanArgs, "scan", |a, _, _| run(a));
