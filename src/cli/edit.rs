//! `kseal edit`: open into a private scratch file, run the editor, merge back.

use std::collections::BTreeSet;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use zeroize::Zeroizing;

use super::input::{stdin_is_terminal, Input};
use super::output::{write_atomic, Perm};
use super::policy::{config_rule, default_namespace, policy_for};
use super::{Flags, IdentityArgs, NamespaceFlag, RecipientArgs, ScopeArgs};
use crate::config::ConfigCache;
use crate::crypto::{Identity, Kid, Scope};
use crate::error::{Error, ExitCode, Location};
use crate::manifest::edit::{merge, prepare};
use crate::policy::Policy;

#[derive(Args, Debug)]
#[command(after_help = "\
Opens FILE's sealed values into a private scratch file and runs $VISUAL, else $EDITOR, else vi.
When the editor exits successfully, values you changed or added are sealed, keys you deleted are
dropped, and every unchanged value keeps its exact ciphertext, so the diff shows only your change.
Edits outside the values (comments, labels) are kept as you made them.

The scratch file is mode 0600 in a new 0700 folder on a RAM-backed file system when there is one
($XDG_RUNTIME_DIR, else /dev/shm, else the temp folder). It is overwritten with zeros and removed
on every way out: success, no change, an editor that fails, an error, Ctrl-C, SIGTERM and SIGHUP.

If the edited text is invalid, kseal says where and, on a terminal, offers to edit it again. If
the editor exits with an error, or you answer no, FILE is left exactly as it was.

New values are sealed to -r/-R, else the .kseal.yaml rule's recipients, else the keys of your
identities that the file's values are already sealed to. A changed value keeps its scope; a new
key takes the scope of its Secret's other values.

Examples:
  kseal edit -i cluster.agekey secrets/db.yaml
  EDITOR='code --wait' kseal edit secrets/db.yaml      # identity from KSEAL_IDENTITY_FILE")]
pub struct EditArgs {
    /// The sealed manifest to edit in place.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub identities: IdentityArgs,
    #[command(flatten)]
    pub recipients: RecipientArgs,
    #[command(flatten)]
    pub scope: ScopeArgs,
    #[command(flatten)]
    pub namespace: NamespaceFlag,
}

/// A private folder for the plaintext scratch file. On drop, every file in it is overwritten
/// with zeros and the folder removed: editors leave swap and backup files beside the file too.
struct Scratch {
    dir: Option<tempfile::TempDir>,
    file: PathBuf,
}

impl Scratch {
    fn base() -> PathBuf {
        let usable = |p: &Path| p.is_dir();
        if let Some(d) = std::env::var_os("XDG_RUNTIME_DIR")
            .map(PathBuf::from)
            .filter(|p| usable(p))
        {
            return d;
        }
        if usable(Path::new("/dev/shm")) {
            return PathBuf::from("/dev/shm");
        }
        std::env::temp_dir()
    }

    /// Scratch folders are named `kseal-edit-<pid>-<random>`, so that a later `edit` can tell
    /// which ones a killed kseal (SIGKILL, a power cut) left behind.
    const PREFIX: &'static str = "kseal-edit-";

    fn create(name: &std::ffi::OsStr, text: &[u8]) -> std::io::Result<Scratch> {
        let base = Self::base();
        wipe_abandoned(&base);
        let dir = tempfile::Builder::new()
            .prefix(&format!("{}{}-", Self::PREFIX, std::process::id()))
            .tempdir_in(base)?;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))?;
            opts.mode(0o600);
        }
        let file = dir.path().join(name);
        let scratch = Scratch { dir: Some(dir), file };
        let mut f = opts.open(&scratch.file)?;
        f.write_all(text)?;
        f.sync_all()?;
        Ok(scratch)
    }
}

fn wipe(dir: &Path) {
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if entry.file_type().is_file() {
            if let Ok(len) = entry.metadata().map(|m| m.len()) {
                if let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(entry.path()) {
                    let zeros = vec![0u8; 64 * 1024];
                    let mut left = len;
                    while left > 0 {
                        let n = left.min(zeros.len() as u64) as usize;
                        if f.write_all(&zeros[..n]).is_err() {
                            break;
                        }
                        left -= n as u64;
                    }
                    let _ = f.sync_all();
                }
            }
        }
    }
}

/// Wipes and removes the scratch folders in `base` whose kseal is gone: named with a pid that no
/// longer runs, and owned by this user. A folder whose pid is alive (or was reused) is left alone.
fn wipe_abandoned(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(Scratch::PREFIX)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<i32>().ok()) else {
            continue;
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let mine = entry
                .metadata()
                .is_ok_and(|m| m.is_dir() && m.uid() == rustix::process::getuid().as_raw());
            if mine && !is_alive(pid) {
                wipe(&entry.path());
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// `kill(pid, 0)`: success or `EPERM` (owned by someone else) mean the process exists.
#[cfg(unix)]
fn is_alive(pid: i32) -> bool {
    rustix::process::Pid::from_raw(pid).is_none_or(|p| {
        matches!(
            rustix::process::test_kill_process(p),
            Ok(()) | Err(rustix::io::Errno::PERM)
        )
    })
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            wipe(dir.path());
            let _ = dir.close();
        }
    }
}

/// SIGINT, SIGTERM, SIGHUP and SIGQUIT set this flag instead of killing kseal, so the scratch
/// file is always wiped (SIGQUIT's default action is a core dump, with the key and the plaintext in
/// it). The editor, a child process, gets the default handlers back when it starts.
fn interrupt_flag() -> Result<Arc<AtomicBool>, Error> {
    let flag = Arc::new(AtomicBool::new(false));
    for sig in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGQUIT,
    ] {
        signal_hook::flag::register(sig, Arc::clone(&flag))
            .map_err(|e| Error::usage(format!("cannot install a signal handler: {e}")))?;
    }
    Ok(flag)
}

fn editor() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string())
}

/// Runs the editor through `sh -c`, so that `EDITOR='code --wait'` works as it does for git.
fn run_editor(path: &Path) -> Result<std::process::ExitStatus, Error> {
    let editor = editor();
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg("sh")
        .arg(path)
        .status()
        .map_err(|e| Error::usage(format!("cannot run the editor `{editor}`: {e}")))
}

/// Asks on the terminal whether to edit again; a signal while waiting counts as no.
fn ask_again(interrupted: &AtomicBool) -> bool {
    if !stdin_is_terminal() {
        return false;
    }
    eprint!("Edit again? [Y/n] ");
    let (tx, rx) = std::sync::mpsc::channel();
    // A thread reads the answer, so that a signal can end the wait (the read itself restarts).
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        let _ = tx.send(line);
    });
    loop {
        if interrupted.load(Ordering::SeqCst) {
            eprintln!();
            return false;
        }
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(line) => return !line.trim().to_ascii_lowercase().starts_with('n'),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
            Err(_) => return false,
        }
    }
}

/// Recipients for new values: -r/-R or .kseal.yaml as for `seal`; else the identities' keys, if
/// they are exactly the keys the file's values are sealed to (`in_file`), so that no recipient is
/// dropped.
fn edit_policy(
    input: &Input,
    args: &EditArgs,
    global: &Flags,
    identities: &[Identity],
    in_file: &BTreeSet<Kid>,
    cache: &mut ConfigCache,
) -> Result<Policy, Error> {
    let configured = policy_for(input, &args.recipients, &args.scope, global, cache);
    let explicit = !args.recipients.recipients.is_empty() || !args.recipients.recipient_files.is_empty();
    let Err(err) = configured else {
        return configured;
    };
    let held: BTreeSet<Kid> = identities.iter().map(Identity::kid).collect();
    if explicit || in_file.is_empty() || !in_file.is_subset(&held) {
        return Err(err);
    }
    let (_, rule) = config_rule(cache, input)?;
    let mut recipients: Vec<crate::crypto::Recipient> = Vec::new();
    for id in identities {
        if in_file.contains(&id.kid()) && !recipients.iter().any(|r| r.kid() == id.kid()) {
            recipients.push(id.recipient().clone());
        }
    }
    Ok(Policy {
        recipients,
        scope: args.scope.scope.unwrap_or(Scope::Strict),
        namespace: default_namespace(global, rule.as_ref()),
    })
}

pub fn run(args: EditArgs, global: &Flags) -> Result<ExitCode, Error> {
    let identities = args.identities.load(global)?;
    let input = Input {
        path: Some(args.file.clone()),
        walked: false,
    };
    let shown = input.label();
    let loc = input.location();
    let original = input.read()?;
    // The namespace values are bound to does not depend on the recipients: -n, else the rule's.
    let mut cache = ConfigCache::default();
    let (_, rule) = config_rule(&mut cache, &input)?;
    let namespace = default_namespace(global, rule.as_ref());
    // Parsed once, every value opened once: the rendering to edit and what each value was.
    let prepared = prepare(&original, &loc, &identities, namespace.as_deref())?;
    let policy = edit_policy(&input, &args, global, &identities, &prepared.kids, &mut cache)?;
    let opened = &prepared.opened;
    let name = args
        .file
        .file_name()
        .unwrap_or(std::ffi::OsStr::new("secret.yaml"));
    let interrupted = interrupt_flag()?;
    let scratch = Scratch::create(name, opened.as_bytes())
        .map_err(|e| Error::io("the scratch file for editing", &e))?;
    let edited_at = Location::file(format!("{shown} (edited)"));
    let unchanged = |why: String| Error::usage(format!("{why}; {shown} is unchanged"));
    loop {
        let status = run_editor(&scratch.file)?;
        if interrupted.load(Ordering::SeqCst) {
            return Err(unchanged("interrupted".into()));
        }
        if !status.success() {
            return Err(unchanged(format!("the editor exited with {status}")));
        }
        let bytes =
            std::fs::read(&scratch.file).map_err(|e| Error::io(scratch.file.display().to_string(), &e))?;
        let result = crate::manifest::decode(bytes, &edited_at).and_then(|edited: Zeroizing<String>| {
            if edited.as_str() == opened.as_str() {
                return Ok(None);
            }
            merge(&prepared, &edited, &edited_at, &policy).map(Some)
        });
        match result {
            Ok(None) => {
                say!("no changes; {shown} is unchanged");
                return Ok(ExitCode::Success);
            }
            Ok(Some(merged)) => {
                if merged.text.as_str() != original.as_str() {
                    write_atomic(&args.file, merged.text.as_bytes(), Perm::NewFile(0o644))?;
                }
                say!(
                    "{shown}: {} value{} sealed, {} unchanged",
                    merged.sealed,
                    if merged.sealed == 1 { "" } else { "s" },
                    merged.kept
                );
                return Ok(ExitCode::Success);
            }
            Err(mut e) => {
                if stdin_is_terminal() {
                    say!("error: {e}");
                }
                if !ask_again(&interrupted) {
                    e.message.push_str(&format!(" ({shown} is unchanged)"));
                    return Err(e);
                }
            }
        }
    }
}

row!(EditArgs, "edit", |a, flags, _| run(a, flags), takes: |a| (Some(&a.identities.kube), Some(&a.namespace), None));
