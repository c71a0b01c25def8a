//! `kseal set`.

use std::io::Read;
use std::path::PathBuf;

use clap::Args;
use zeroize::Zeroizing;

use super::input::{stdin_is_terminal, Input};
use super::output::{write_atomic, Perm};
use super::policy::policy_for;
use super::{Flags, NamespaceFlag, RecipientArgs, ScopeArgs};
use crate::config::ConfigCache;
use crate::error::{Error, ExitCode};
use crate::manifest::seal::{set, SetTarget};

#[derive(Args, Debug)]
#[command(after_help = "\
The value is read from stdin (exactly as given: `printf %s` does not add a newline, `echo` does)
or from --from-file, never from the command line, where it would land in shell history and ps.
An existing key keeps its field; a new key goes under data (or stringData if the Secret only has
stringData and the value is text). The file is rewritten atomically and nothing else changes.

Examples:
  printf %s \"$PASSWORD\" | kseal set db.yaml db password
  kseal set tls.yaml web-tls tls.key --from-file server.key")]
pub struct SetArgs {
    /// The sealed manifest to change in place.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// metadata.name of the Secret (use -n when several Secrets share it).
    #[arg(value_name = "SECRET")]
    pub secret: String,
    /// The key to add or replace.
    #[arg(value_name = "KEY")]
    pub key: String,
    /// Read the value from F instead of stdin.
    #[arg(long, value_name = "F")]
    pub from_file: Option<PathBuf>,
    #[command(flatten)]
    pub recipients: RecipientArgs,
    #[command(flatten)]
    pub scope: ScopeArgs,
    #[command(flatten)]
    pub namespace: NamespaceFlag,
}

/// One line from the terminal with echo turned off (restored afterwards, also on error), without
/// its line break: what a person types is the value, the Enter key is not. Piped input is read
/// byte for byte instead (see `run`).
fn read_hidden_line() -> std::io::Result<Zeroizing<Vec<u8>>> {
    use rustix::termios::{tcgetattr, tcsetattr, LocalModes, OptionalActions};
    let stdin = std::io::stdin();
    let saved = tcgetattr(&stdin)?;
    let mut quiet = saved.clone();
    quiet.local_modes.remove(LocalModes::ECHO);
    tcsetattr(&stdin, OptionalActions::Now, &quiet)?;
    let mut line = Zeroizing::new(String::new());
    let read = std::io::BufRead::read_line(&mut stdin.lock(), &mut line);
    tcsetattr(&stdin, OptionalActions::Now, &saved)?;
    read?;
    let trimmed = line.strip_suffix('\n').unwrap_or(&line);
    let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
    Ok(Zeroizing::new(trimmed.as_bytes().to_vec()))
}

/// A value to seal: from `from_file`, else typed on a terminal (not shown, asked for as `key`),
/// else all of stdin.
pub(super) fn read_value(
    from_file: Option<&std::path::Path>,
    key: &str,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut value = Zeroizing::new(Vec::new());
    match from_file {
        Some(f) => {
            std::fs::File::open(f)
                .and_then(|mut h| h.read_to_end(&mut value))
                .map_err(|e| Error::io(f.display().to_string(), &e))?;
        }
        None if stdin_is_terminal() => {
            eprint!("Value for {key} (not shown): ");
            value = read_hidden_line().map_err(|e| Error::io("<terminal>", &e))?;
            eprintln!();
        }
        None => {
            std::io::stdin()
                .lock()
                .read_to_end(&mut value)
                .map_err(|e| Error::io("<stdin>", &e))?;
        }
    }
    Ok(value)
}

pub fn run(args: SetArgs, global: &Flags) -> Result<ExitCode, Error> {
    let input = Input {
        path: Some(args.file.clone()),
        walked: false,
    };
    let src = input.read()?;
    let target = SetTarget {
        name: &args.secret,
        namespace: global.namespace.as_deref(),
        key: &args.key,
    };
    // The Secret first: a wrong name is the mistake to report, not a missing recipient.
    crate::manifest::seal::check_set_target(&src, &input.location(), &target)?;
    let policy = policy_for(
        &input,
        &args.recipients,
        &args.scope,
        global,
        &mut ConfigCache::default(),
    )?;
    let value = read_value(args.from_file.as_deref(), &args.key)?;
    let text = set(&src, &input.location(), &target, &value, &policy)?;
    write_atomic(&args.file, text.as_bytes(), Perm::NewFile(0o644))?;
    say!(
        "sealed {} into Secret {} in {}",
        args.key,
        args.secret,
        input.label()
    );
    Ok(ExitCode::Success)
}

row!(SetArgs, "set", |a, flags, _| run(a, flags), takes: |a| (None, Some(&a.namespace), None));
