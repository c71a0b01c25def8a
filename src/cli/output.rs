//! Writing outputs: atomically (a temporary file beside the target, then a rename), through
//! symlinks, with the right permissions; and YAML streams to stdout.

use std::io::Write;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::error::Error;

/// A progress line for long work: on a terminal only (never on a pipe or in CI logs), and only
/// once the work has taken a moment, so short runs stay silent. A thread redraws it every 100 ms on
/// one line, so it moves while one large file seals (the values count comes from kseal-core's
/// [`crate::manifest::progress`]) or while objects are applied; cleared when done.
pub struct Progress {
    shared: Option<std::sync::Arc<Shared>>,
    drawer: Option<std::thread::JoinHandle<()>>,
}

struct Shared {
    stop: std::sync::atomic::AtomicBool,
    /// Files done so far (set by [`Progress::tick`]).
    files: std::sync::atomic::AtomicUsize,
    /// Units done, for a progress whose unit is not files ([`Progress::units`]).
    #[cfg_attr(not(feature = "cluster"), allow(dead_code))] // apply's objects
    units: std::sync::atomic::AtomicUsize,
}

impl Progress {
    /// Progress of `verb`ing `total` files, with the values sealed or opened within them.
    pub fn new(verb: &'static str, total: usize) -> Progress {
        let base = crate::manifest::progress::counts();
        Progress::spawn(move |shared| {
            let (done, planned) = crate::manifest::progress::counts();
            let (done, planned) = (done - base.0, planned - base.1);
            let files = shared.files.load(std::sync::atomic::Ordering::Relaxed);
            let values = if planned > done {
                format!("{done}/{planned} values")
            } else {
                format!("{done} values")
            };
            format!("{verb} {files}/{total} files ({values})")
        })
    }

    /// Progress of `verb`ing `total` things of `unit` (objects), moved by [`Progress::add`].
    #[cfg_attr(not(feature = "cluster"), allow(dead_code))] // apply's objects
    pub fn units(verb: &'static str, total: usize, unit: &'static str) -> Progress {
        Progress::spawn(move |shared| {
            let done = shared.units.load(std::sync::atomic::Ordering::Relaxed);
            format!("{verb} {done}/{total} {unit}")
        })
    }

    fn spawn(line: impl Fn(&Shared) -> String + Send + 'static) -> Progress {
        use std::io::IsTerminal;
        if !std::io::stderr().is_terminal() {
            return Progress {
                shared: None,
                drawer: None,
            };
        }
        let shared = std::sync::Arc::new(Shared {
            stop: std::sync::atomic::AtomicBool::new(false),
            files: std::sync::atomic::AtomicUsize::new(0),
            units: std::sync::atomic::AtomicUsize::new(0),
        });
        let theirs = shared.clone();
        let drawer = std::thread::spawn(move || {
            const EVERY: std::time::Duration = std::time::Duration::from_millis(100);
            let started = std::time::Instant::now();
            let stopped = || theirs.stop.load(std::sync::atomic::Ordering::Relaxed);
            while !stopped() && started.elapsed() < quiet_for() {
                std::thread::sleep(EVERY.min(quiet_for()));
            }
            while !stopped() {
                PROGRESS_DRAWN.store(true, std::sync::atomic::Ordering::Relaxed);
                eprint!("\r\x1b[K{}: {}", super::program(), line(&theirs));
                std::thread::sleep(EVERY);
            }
        });
        Progress {
            shared: Some(shared),
            drawer: Some(drawer),
        }
    }

    /// `done` files so far (`_values`: kept for callers; the values count is kseal-core's).
    pub fn tick(&mut self, done: usize, _values: usize) {
        if let Some(s) = &self.shared {
            s.files.store(done, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// One more unit done.
    #[cfg_attr(not(feature = "cluster"), allow(dead_code))] // apply's objects
    pub fn add(&self, n: usize) {
        if let Some(s) = &self.shared {
            s.units.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Stops the drawing and clears the line, if one was drawn.
    pub fn finish(&mut self) {
        if let Some(s) = self.shared.take() {
            s.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        if let Some(d) = self.drawer.take() {
            let _ = d.join();
        }
        clear_progress();
    }
}

/// How long work runs before its progress shows: 300 ms, or `KSEAL_PROGRESS_AFTER_MS` (the tests
/// set 0: how long 600 files take depends on the machine, and a fast one finished before 300 ms).
fn quiet_for() -> std::time::Duration {
    static AFTER: std::sync::OnceLock<std::time::Duration> = std::sync::OnceLock::new();
    *AFTER.get_or_init(|| {
        let ms = std::env::var("KSEAL_PROGRESS_AFTER_MS")
            .ok()
            .and_then(|v| v.parse().ok());
        std::time::Duration::from_millis(ms.unwrap_or(300))
    })
}

/// An error returning early clears the line too, so the message starts a line of its own.
impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Whether a progress line is on the terminal now: `say!` clears it before it writes.
static PROGRESS_DRAWN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Clears a progress line, if one is drawn.
pub fn clear_progress() {
    if PROGRESS_DRAWN.swap(false, std::sync::atomic::Ordering::Relaxed) {
        eprint!("\r\x1b[K");
    }
}

/// The permissions of a file kseal writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Perm {
    /// A new file gets this mode; an existing one keeps its own.
    NewFile(u32),
    /// Always 0600, whatever the file had: the content is plaintext.
    Private,
}

/// Follows `target` through symlinks (a dangling one too) to the file that is really written, so
/// that `-w` on a link replaces the file it points to, and a link is never swapped for a file
/// while the plaintext it pointed to stays behind.
///
/// A link another user planted in a sticky world-writable folder (`/tmp`) is not followed, as the
/// kernel's `fs.protected_symlinks` refuses it: kseal resolves links itself and renames onto the
/// result, which the kernel's check never sees.
fn resolve_links(target: &Path) -> std::io::Result<PathBuf> {
    let mut p = target.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                refuse_planted_link(&p, &m)?;
                let to = std::fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// The kernel's `fs.protected_symlinks` rule: in a sticky, world-writable folder a link is
/// followed only by its owner, or when the folder's owner owns it.
#[cfg(unix)]
fn refuse_planted_link(link: &Path, meta: &std::fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let dir = link
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let folder = std::fs::metadata(dir)?;
    let sticky_and_world_writable = folder.mode() & 0o1002 == 0o1002;
    let me = rustix::process::geteuid().as_raw();
    if sticky_and_world_writable && meta.uid() != me && meta.uid() != folder.uid() {
        // `other`, not PermissionDenied: the message is what the user needs, not the kind's.
        return Err(std::io::Error::other(
            format!(
                "a symbolic link owned by another user (uid {}) in the sticky world-writable folder {}: not followed (as the kernel's fs.protected_symlinks); write somewhere only you can",
                meta.uid(),
                dir.display()
            ),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_planted_link(_: &Path, _: &std::fs::Metadata) -> std::io::Result<()> {
    Ok(())
}

/// Writes `text` to `target` atomically: a temporary file in the same folder as the real file
/// (symlinks followed), then a rename, so the target is never half-written.
pub fn write_atomic(target: &Path, text: &[u8], perm: Perm) -> Result<(), Error> {
    resolve_links(target)
        .and_then(|real| write_via_temp(&real, text, perm, true))
        .map_err(|e| Error::io(target.display().to_string(), &e))
}

/// Like [`write_atomic`], but never replaces an existing file: fails with `AlreadyExists`, also
/// when another process creates the target meanwhile (the rename is a no-clobber link).
pub fn write_new(target: &Path, text: &[u8], mode: u32) -> std::io::Result<()> {
    write_via_temp(target, text, Perm::NewFile(mode), false)
}

fn write_via_temp(target: &Path, text: &[u8], perm: Perm, replace: bool) -> std::io::Result<()> {
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // tempfile creates the file with mode 0600, so content is private until the mode below is set.
    let mut tmp = tempfile::Builder::new()
        .prefix(".kseal-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(text)?;
    tmp.as_file().sync_all()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match perm {
            Perm::Private => 0o600,
            Perm::NewFile(mode) => std::fs::metadata(target)
                .map(|m| m.permissions().mode() & 0o7777)
                .unwrap_or(mode),
        };
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = perm;
    if replace {
        tmp.persist(target).map_err(|e| e.error)?;
    } else {
        tmp.persist_noclobber(target).map_err(|e| e.error)?;
    }
    Ok(())
}

/// Writes to stdout, turning a closed pipe into a quiet exit.
pub fn write_stdout(bytes: &[u8]) -> Result<(), Error> {
    write_stdout_with(|out| out.write_all(bytes))
}

/// Writes to stdout through a buffer, as `write` produces it (output too large to build first).
pub fn write_stdout_with(
    write: impl FnOnce(&mut std::io::BufWriter<std::io::StdoutLock<'static>>) -> std::io::Result<()>,
) -> Result<(), Error> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    write(&mut out).and_then(|()| out.flush()).map_err(stdout_error)
}

/// A failed write to stdout. A closed pipe (`kseal open | head`) keeps its `io::Error` as the
/// source, which `main` finds to exit quietly.
fn stdout_error(e: std::io::Error) -> Error {
    Error::io("<stdout>", &e)
}

/// What goes between two rendered files in one YAML stream: a `---` unless the next file
/// starts with one, and a line break first if the stream so far does not end with one.
fn separator(ends_with_newline: bool, next: &str) -> &'static str {
    match (ends_with_newline, next.starts_with("---")) {
        (true, true) => "",
        (false, true) => "\n",
        (true, false) => "---\n",
        (false, false) => "\n---\n",
    }
}

/// Joins rendered files into one YAML stream, with `---` between files.
pub fn join_stream(out: &mut Zeroizing<String>, next: &str) {
    if !out.is_empty() {
        let sep = separator(out.ends_with('\n'), next);
        out.push_str(sep);
    }
    out.push_str(next);
}

/// Writes rendered files as one YAML stream: joined into `output` (atomically, with `perm`) when one is named, else straight to stdout exactly as [`join_stream`] would join them,
/// without the joined copy (which would double peak memory on a large stream).
pub fn write_rendered<S: AsRef<str>>(pieces: &[S], output: Option<&Path>, perm: Perm) -> Result<(), Error> {
    if let Some(path) = output {
        let mut stream = Zeroizing::new(String::new());
        for piece in pieces {
            join_stream(&mut stream, piece.as_ref());
        }
        return write_atomic(path, stream.as_bytes(), perm);
    }
    let mut out = std::io::stdout().lock();
    stream_to(&mut out, pieces)
        .and_then(|()| out.flush())
        .map_err(stdout_error)
}

fn stream_to<S: AsRef<str>>(out: &mut impl Write, pieces: &[S]) -> std::io::Result<()> {
    // None while nothing has been written; else whether the output so far ends with a newline.
    let mut ends_with_newline: Option<bool> = None;
    for piece in pieces.iter().map(AsRef::as_ref) {
        let sep = ends_with_newline.map_or("", |nl| separator(nl, piece));
        out.write_all(sep.as_bytes())?;
        out.write_all(piece.as_bytes())?;
        if let Some(last) = piece.chars().last().or_else(|| sep.chars().last()) {
            ends_with_newline = Some(last == '\n');
        }
    }
    Ok(())
}

/// The import commands' output: each input's new text written back over it (`-w`), else all of
/// them as one stream on stdout. Inputs read from stdin were refused with `-w` before any work.
///
/// In place, a migration writes many files (issue 40: interrupted with SIGINT while writing 2,000,
/// a `.kseal-*.tmp` stayed behind for `git add -A`, and the log already said they were imported):
/// SIGINT and SIGTERM are taken while writing; the file being written is finished (renamed) or its
/// temporary file removed, nothing more is written, and the error says how many were. Temporary
/// files an earlier, killed run left in these folders (older than a minute) are removed first.
pub fn write_imported<T: AsRef<str>>(
    results: &[(&super::input::Input, T)],
    in_place: bool,
) -> Result<(), Error> {
    if !in_place {
        let texts: Vec<&str> = results.iter().map(|(_, t)| t.as_ref()).collect();
        return write_rendered(&texts, None, Perm::NewFile(0o644));
    }
    let paths: Vec<&PathBuf> = results
        .iter()
        .map(|(input, _)| input.path.as_ref().expect("checked: -w has no stdin"))
        .collect();
    remove_stale_temporaries(&paths);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut handlers = Vec::new();
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let id = signal_hook::flag::register(sig, std::sync::Arc::clone(&stop))
            .map_err(|e| Error::usage(format!("cannot install a signal handler: {e}")))?;
        handlers.push(id);
    }
    let mut written = 0;
    let outcome = (|| {
        for ((_, text), path) in results.iter().zip(&paths) {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(Error::usage(format!(
                    "interrupted: {written} of {} files written (each whole); the others are as they were: run the same command again to finish",
                    results.len()
                )));
            }
            write_atomic(path, text.as_ref().as_bytes(), Perm::NewFile(0o644))?;
            written += 1;
        }
        Ok(())
    })();
    for id in handlers {
        signal_hook::low_level::unregister(id);
    }
    outcome
}

/// `.kseal-*.tmp` files older than a minute in the folders of `paths`: what a kseal killed while
/// writing (SIGKILL, a power cut) left. Younger ones may belong to a kseal writing right now.
fn remove_stale_temporaries(paths: &[&PathBuf]) {
    let mut dirs: Vec<&Path> = paths
        .iter()
        .map(|p| {
            p.parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
        })
        .collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let stale = e
                .metadata()
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > std::time::Duration::from_secs(60));
            if name.starts_with(".kseal-")
                && name.ends_with(".tmp")
                && stale
                && std::fs::remove_file(e.path()).is_ok()
            {
                say!(
                    "removed {}, left by an earlier run that was stopped while writing",
                    e.path().display()
                );
            }
        }
    }
}

/// Whether `git add .` would take `path` (which need not exist yet): it is inside a git work tree
/// and not ignored. Asked of git itself (`check-ignore`, from the nearest folder that exists), so
/// every .gitignore, info/exclude and core.excludesFile counts.
#[cfg(feature = "cluster")]
pub(super) fn git_would_commit(path: &Path) -> bool {
    // The nearest folder that exists, and the path from it.
    let mut dir = path;
    let rel = loop {
        match dir.parent() {
            Some(up) if !up.as_os_str().is_empty() => {
                dir = up;
                if dir.is_dir() {
                    break path.strip_prefix(dir).unwrap_or(path);
                }
            }
            _ => {
                dir = Path::new(".");
                break path;
            }
        }
    };
    // `git check-ignore` exits 0 when ignored, 1 when not, 128 outside a repository (or without git).
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["check-ignore", "-q", "--"])
        .arg(rel)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    status.is_ok_and(|s| s.code() == Some(1))
}

/// The last guard of the commands whose output others see (`render` for Argo CD, `krm`, `open` as
/// a post-renderer): none of the identities they loaded may be in it, as written or in base64 at
/// any alignment (a symlinked key file read by `.Files.Get | b64enc` ends up so). Whatever led
/// there (a symlink, a template, a value sealed from the key file itself), the key is not shown.
pub fn refuse_identity_leak(text: &str, identities: &[crate::crypto::Identity]) -> Result<(), Error> {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    for identity in identities {
        let key = identity.to_age_string();
        let lower = Zeroizing::new(key.to_ascii_lowercase());
        let mut needles: Vec<Zeroizing<String>> = vec![key.clone(), lower];
        // In base64 the key's bytes come out differently for each of the 3 offsets it can start
        // at: the characters that depend on its bytes alone (a group's first and last may mix in
        // neighbours).
        for shift in 0..3usize {
            let mut padded = Zeroizing::new(vec![0u8; shift]);
            padded.extend_from_slice(key.as_bytes());
            let encoded = Zeroizing::new(STANDARD.encode(&*padded));
            let skip = if shift == 0 { 0 } else { 4 };
            let whole = (shift + key.len()) / 3 * 4;
            if whole > skip + 8 {
                needles.push(Zeroizing::new(encoded[skip..whole].to_string()));
            }
        }
        if needles.iter().any(|n| text.contains(n.as_str())) {
            return Err(Error::input(
                crate::error::Location::default(),
                format!(
                    "the output would contain the private key of {} (one of the identities this command loaded): nothing was written. \
                     A file in the application may be a link to the key (kseal reads only inside the repository), or a template reads it",
                    identity.recipient()
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaming_writes_what_join_stream_joins() {
        let cases: &[&[&str]] = &[
            &["a: 1\n", "b: 2\n"],
            &["a: 1", "b: 2"],
            &["a: 1\n", "---\nb: 2\n", "c: 3"],
            &["", "a: 1", "", "---\nb"],
            &["a", "", "b"],
            &[""],
        ];
        for pieces in cases {
            let mut joined = Zeroizing::new(String::new());
            for p in *pieces {
                join_stream(&mut joined, p);
            }
            let mut written = Vec::new();
            stream_to(&mut written, pieces).unwrap();
            assert_eq!(String::from_utf8(written).unwrap(), joined.as_str(), "{pieces:?}");
        }
    }

    #[test]
    fn a_loaded_identity_is_refused_as_text_and_in_base64_at_every_offset() {
        let id = crate::crypto::Identity::generate();
        let other = crate::crypto::Identity::generate();
        let key = id.to_age_string();
        let ids = std::slice::from_ref(&id);
        assert!(refuse_identity_leak("kind: Secret\nstringData: {a: b}\n", ids).is_ok());
        assert!(refuse_identity_leak(&format!("x: {}\n", other.to_age_string().as_str()), ids).is_ok());
        assert!(refuse_identity_leak(&format!("x: {}\n", key.as_str()), ids).is_err());
        assert!(refuse_identity_leak(&format!("x: {}\n", key.to_ascii_lowercase()), ids).is_err());
        use base64::Engine;
        for prefix in ["", "#", "# created: 2026\n", "ab"] {
            let file = format!("{prefix}{}\n", key.as_str());
            let b64 = base64::engine::general_purpose::STANDARD.encode(file);
            let err = refuse_identity_leak(&format!("data:\n  k: {b64}\n"), ids).unwrap_err();
            assert!(!err.to_string().contains(key.as_str()), "{err}");
        }
    }
}
