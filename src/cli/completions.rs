//! `kseal completions`.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::output::write_stdout;
use super::Cli;
use crate::error::{Error, ExitCode};

#[derive(Args, Debug)]
#[command(after_help = "\
Examples:
  kseal completions bash > /etc/bash_completion.d/kseal
  kseal completions zsh > \"${fpath[1]}/_kseal\"
  kseal completions fish > ~/.config/fish/completions/kseal.fish
Generated scripts are also checked in under completions/.")]
pub struct CompletionsArgs {
    /// The shell to generate for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The completion script for `shell`, for the binary called `bin_name`.
pub fn script(shell: Shell, bin_name: &str) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, bin_name, &mut out);
    out
}

/// `kseal man DIR`: one man page per command (`kseal.1`, `kseal-seal.1`, ...), rendered by
/// clap_mangen from the same definitions as `--help`. Hidden: it is for packagers and for
/// `scripts/update-completions`, which checks the pages in under `man/`.
#[derive(Args, Debug)]
pub struct ManArgs {
    /// The folder to write the pages into (created if missing).
    #[arg(value_name = "DIR")]
    pub dir: std::path::PathBuf,
}

/// kubectl's plugin completion (kubectl 1.26+ runs `kubectl_complete-kseal WORD...` and reads
/// cobra's `__complete` output): subcommands or long options starting with the last word, each
/// `name<TAB>summary`, then `:4` (no file completion); `:0` (files) where a command takes paths.
/// Written here because clap_complete's own runtime completion is not stable yet.
pub fn kubectl_complete(words: &[String]) -> Vec<String> {
    let mut cmd = no_help(Cli::command());
    cmd.build();
    let (word, done) = match words.split_last() {
        Some((w, d)) => (w.as_str(), d),
        None => ("", &[][..]),
    };
    let mut at = &cmd;
    for w in done.iter().filter(|w| !w.starts_with('-')) {
        match at.find_subcommand(w) {
            Some(sub) => at = sub,
            None => break,
        }
    }
    let about = |t: Option<&clap::builder::StyledStr>| {
        t.map(|t| t.to_string().lines().next().unwrap_or_default().to_string())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    let directive = if word.starts_with('-') {
        for arg in at.get_arguments().filter(|a| !a.is_hide_set()) {
            if let Some(long) = arg.get_long().map(|l| format!("--{l}")) {
                if long.starts_with(word) {
                    out.push(format!("{long}\t{}", about(arg.get_help())));
                }
            }
        }
        4
    } else if at.has_subcommands() {
        for sub in at
            .get_subcommands()
            .filter(|s| !s.is_hide_set() && s.get_name().starts_with(word))
        {
            out.push(format!("{}\t{}", sub.get_name(), about(sub.get_about())));
        }
        4
    } else {
        0
    };
    out.push(format!(":{directive}"));
    out
}

/// `__complete WORD...`: what completions/kubectl_complete-kseal runs.
#[derive(clap::Args, Debug)]
pub struct KubectlCompleteArgs {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "WORD")]
    pub words: Vec<String>,
}

impl super::Row for KubectlCompleteArgs {
    const NAME: &'static str = "__complete";
    fn run(self, _flags: &super::Flags, _bin_name: &'static str) -> Result<ExitCode, Error> {
        write_stdout(format!("{}\n", kubectl_complete(&self.words).join("\n")).as_bytes())?;
        Ok(ExitCode::Success)
    }
}

impl super::Row for ManArgs {
    const NAME: &'static str = "man";
    fn run(self, _flags: &super::Flags, _bin_name: &'static str) -> Result<ExitCode, Error> {
        run_man(self)
    }
}

/// The command without `help` subcommands, at every depth.
fn no_help(c: clap::Command) -> clap::Command {
    c.disable_help_subcommand(true).mut_subcommands(no_help)
}

/// The man pages: (file name, roff text), the top command first, then each subcommand at every
/// depth (`kseal-hook-install.1`: the `kseal-hook` page refers to it). Built first, so that each
/// page lists the global options that apply (`-n`, `--exclude`, ...), and each synopsis reads
/// as typed (`kseal hook install`, not `kseal-hook-install`).
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    // No `help` subcommands: their pages would not exist, yet every page would refer to them.
    let mut cmd = no_help(Cli::command().name("kseal").bin_name("kseal"));
    cmd.build();
    let mut pages = Vec::new();
    fn walk(c: &clap::Command, file: &str, typed: &str, pages: &mut Vec<(String, Vec<u8>)>) {
        for sub in c.get_subcommands().filter(|s| !s.is_hide_set()) {
            let file = format!("{file}-{}", sub.get_name());
            let typed = format!("{typed} {}", sub.get_name());
            pages.push((
                format!("{file}.1"),
                render(sub.clone().name(file.clone()).bin_name(typed.clone())),
            ));
            walk(sub, &file, &typed, pages);
        }
    }
    fn render(mut c: clap::Command) -> Vec<u8> {
        let usage = c.render_usage().to_string();
        let name = c.get_bin_name().unwrap_or_else(|| c.get_name()).to_string();
        let mut out = Vec::new();
        clap_mangen::Man::new(c)
            .render(&mut out)
            .expect("rendering into memory cannot fail");
        with_synopsis(&String::from_utf8_lossy(&out), &name, &usage).into_bytes()
    }
    walk(&cmd, "kseal", "kseal", &mut pages);
    pages.insert(0, ("kseal.1".into(), render(cmd)));
    pages
}

/// clap_mangen's synopsis lists every option and shows a repeatable PATH as `[PATH]`; clap's own
/// usage line (`kseal seal [OPTIONS] [PATH]...`, as --help prints it) replaces it.
fn with_synopsis(page: &str, name: &str, usage: &str) -> String {
    let escape = |t: &str| t.replace('\\', "\\\\").replace('-', "\\-");
    let forms: Vec<String> = usage
        .trim()
        .trim_start_matches("Usage:")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| match l.strip_prefix(name) {
            Some(rest) => format!("\\fB{}\\fR{}", escape(name), escape(rest)),
            None => escape(l),
        })
        .collect();
    let Some(start) = page.find(".SH SYNOPSIS\n") else {
        return page.to_string();
    };
    let body = start + ".SH SYNOPSIS\n".len();
    let end = page[body..].find("\n.SH ").map_or(page.len(), |i| body + i + 1);
    format!("{}{}\n{}", &page[..body], forms.join("\n.br\n"), &page[end..])
}

pub fn run_man(args: ManArgs) -> Result<ExitCode, Error> {
    let shown = args.dir.display().to_string();
    std::fs::create_dir_all(&args.dir).map_err(|e| Error::io(&shown, &e))?;
    for (name, text) in man_pages() {
        super::output::write_atomic(&args.dir.join(&name), &text, super::output::Perm::NewFile(0o644))?;
    }
    Ok(ExitCode::Success)
}

pub fn run(args: CompletionsArgs, bin_name: &'static str) -> Result<ExitCode, Error> {
    write_stdout(&script(args.shell, bin_name))?;
    Ok(ExitCode::Success)
}

row!(CompletionsArgs, "completions", |a, _, bin_name| run(a, bin_name));
