//! Reading inputs, loading keys, writing outputs atomically.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use zeroize::Zeroizing;

use super::{GlobalArgs, RecipientArgs, ScopeArgs};

use crate::config::{self, Config, ConfigCache, Rule};
use crate::crypto::{keys, Identity, Recipient, Scope};
use crate::error::{io_message, Error, Location};
use crate::manifest::Policy;

/// One input: a file, or stdin.
#[derive(Debug, Clone)]
pub struct Input {
    /// `None` for stdin.
    pub path: Option<PathBuf>,
}

impl Input {
    pub fn label(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| "<stdin>".to_string(), |p| p.display().to_string())
    }

    pub fn location(&self) -> Location {
        Location::file(self.label())
    }

    /// Reads the whole input as UTF-8 text.
    pub fn read(&self) -> Result<Zeroizing<String>, Error> {
        let mut bytes = Vec::new();
        let result = match &self.path {
            Some(p) => std::fs::File::open(p).and_then(|mut f| f.read_to_end(&mut bytes)),
            None => std::io::stdin().lock().read_to_end(&mut bytes),
        };
        if let Err(e) = result {
            zeroize::Zeroize::zeroize(&mut bytes);
            return Err(Error::io(self.label(), &e));
        }
        // Rust reopens a closed stdin as /dev/null, so closed and empty look the same. Either way
        // it is a mistake (a failed command before the pipe): say so rather than print nothing.
        if self.path.is_none() && bytes.is_empty() {
            return Err(Error::input(
                self.location(),
                "no input: stdin is empty or closed; pass a file, or pipe a manifest in",
            ));
        }
        crate::manifest::decode(bytes, &self.location())
    }

    /// The folder whose `.kseal.yaml` applies: the file's, or the current one for stdin.
    pub fn dir(&self) -> PathBuf {
        match &self.path {
            Some(p) => p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_path_buf(),
            None => PathBuf::from("."),
        }
    }
}

fn is_manifest(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Expands the command-line paths: files as given, directories recursively (`*.yaml`, `*.yml`,
/// `*.json`, sorted), `-` or nothing for stdin.
pub fn collect_inputs(paths: &[PathBuf]) -> Result<Vec<Input>, Error> {
    if paths.is_empty() {
        return Ok(vec![Input { path: None }]);
    }
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Input { path: None });
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|e| Error::io(p.display().to_string(), &e))?;
        if !meta.is_dir() {
            out.push(Input {
                path: Some(p.clone()),
            });
            continue;
        }
        // walkdir follows symlinks here so linked folders count, and reports loops as errors.
        for entry in walkdir::WalkDir::new(p).follow_links(true).sort_by_file_name() {
            let entry = entry.map_err(|e| {
                let at = e.path().unwrap_or(p).display().to_string();
                if e.loop_ancestor().is_some() {
                    Error::input(Location::file(at), "symlink loop")
                } else {
                    let msg = e.io_error().map_or_else(|| e.to_string(), io_message);
                    Error::input(Location::file(at), msg)
                }
            })?;
            if entry.file_type().is_file() && is_manifest(entry.path()) {
                out.push(Input {
                    path: Some(entry.into_path()),
                });
            }
        }
    }
    Ok(out)
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
fn resolve_links(target: &Path) -> std::io::Result<PathBuf> {
    let mut p = target.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
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
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(stdout_error)
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

/// `-i` paths with folders expanded to their `*.agekey` files, sorted: a Secret mounted as a
/// volume (`/keys/<yyyymmdd>-<kid>.agekey`, one per key) is passed as `-i /keys`.
fn identity_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for p in paths {
        if !p.is_dir() {
            out.push(p.clone());
            continue;
        }
        let shown = p.display().to_string();
        let mut found: Vec<PathBuf> = std::fs::read_dir(p)
            .map_err(|e| Error::io(&shown, &e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|f| f.extension().is_some_and(|x| x == "agekey") && f.is_file())
            .collect();
        if found.is_empty() {
            return Err(Error::input(
                Location::file(&shown),
                "no *.agekey files in this folder",
            ));
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

/// Loads identities from `-i` files or folders (or `KSEAL_IDENTITY_FILE`), refusing files that
/// others can read.
pub fn load_identities(files: &[PathBuf]) -> Result<Vec<Identity>, Error> {
    if files.is_empty() {
        return Err(Error::usage(
            "no identity: pass -i FILE (an age identity file, e.g. from `kseal keygen`) or set KSEAL_IDENTITY_FILE",
        ));
    }
    let mut out = Vec::new();
    for f in &identity_files(files)? {
        let shown = f.display().to_string();
        let meta = std::fs::metadata(f).map_err(|e| Error::io(&shown, &e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(Error::usage(format!(
                    "identity file {shown} is accessible by group or others (mode {mode:04o}); run `chmod 600 {shown}`"
                )));
            }
        }
        #[cfg(not(unix))]
        let _ = meta;
        let text = Zeroizing::new(std::fs::read_to_string(f).map_err(|e| Error::io(&shown, &e))?);
        let ids =
            keys::parse_identities(&text).map_err(|e| Error::input(Location::file(&shown), e.to_string()))?;
        if ids.is_empty() {
            return Err(Error::input(Location::file(&shown), "no identities in this file"));
        }
        out.extend(ids);
    }
    Ok(out)
}

/// The nearest `.kseal.yaml` for an input, and the first of its rules that matches the file
/// (stdin is matched as `-`).
pub fn config_rule(
    cache: &mut ConfigCache,
    input: &Input,
) -> Result<(Option<Arc<Config>>, Option<Rule>), Error> {
    let config = cache.for_dir(&input.dir())?;
    let path = input.path.clone().unwrap_or_else(|| PathBuf::from("-"));
    let rule = config.as_deref().and_then(|c| c.rule_for(&path)).cloned();
    Ok((config, rule))
}

/// Namespace for Secrets without `metadata.namespace`: `-n`, else the rule's.
pub fn default_namespace(global: &GlobalArgs, rule: Option<&Rule>) -> Option<String> {
    global
        .namespace
        .clone()
        .or_else(|| rule.and_then(|r| r.namespace.clone()))
}

/// Resolves recipients, scope and default namespace for one input. Explicit `-r`/`-R` replace the
/// rule entirely (its scope and namespace too: a user who names the keys gets exactly what the
/// flags say, strict scope unless `--scope`); otherwise the nearest `.kseal.yaml` rule that matches
/// the file gives what `--scope` and `-n` do not. Says on stderr, once per distinct choice, which
/// rule and which key ids were used.
pub fn policy_for(
    input: &Input,
    recipients: &RecipientArgs,
    scope: &ScopeArgs,
    global: &GlobalArgs,
    cache: &mut ConfigCache,
) -> Result<Policy, Error> {
    let explicit = explicit_recipients(recipients)?;
    let (config, rule) = if explicit.is_empty() {
        config_rule(cache, input)?
    } else {
        (None, None)
    };
    let rule = rule.as_ref();
    let list = if explicit.is_empty() {
        rule.map(|r| r.recipients.clone()).unwrap_or_default()
    } else {
        explicit
    };
    if list.is_empty() {
        let hint = match (&config, rule) {
            (Some(c), None) => format!("no rule in {} matches this file", c.path.display()),
            (Some(c), Some(r)) => format!(
                "the rule `{}` in {} lists no recipients",
                r.pattern,
                c.path.display()
            ),
            (None, _) => format!(
                "no {} found in this folder or above it in the repository",
                config::FILE_NAME
            ),
        };
        return Err(Error::input(
            input.location(),
            format!(
                "no recipients: pass -r age1... or -R FILE, or add a rule to {} ({hint})",
                config::FILE_NAME
            ),
        ));
    }
    if list.len() > crate::crypto::sealed::MAX_RECIPIENTS {
        return Err(Error::usage(format!(
            "{} recipients: a value can be sealed to at most {}",
            list.len(),
            crate::crypto::sealed::MAX_RECIPIENTS
        )));
    }
    let policy = Policy {
        recipients: list,
        scope: scope
            .scope
            .or(rule.and_then(|r| r.scope))
            .unwrap_or(Scope::Strict),
        namespace: default_namespace(global, rule),
    };
    let kids: Vec<String> = policy.recipients.iter().map(|r| r.kid().to_string()).collect();
    let source = match (&config, rule) {
        (Some(c), Some(r)) => format!("rule `{}` of {}", r.pattern, c.path.display()),
        _ => "the command line".to_string(),
    };
    let line = format!(
        "sealing to key{} {} ({source}), {} scope",
        if kids.len() == 1 { "" } else { "s" },
        kids.join(", "),
        policy.scope
    );
    if cache.announced.insert(line.clone()) {
        say!("{line}");
    }
    Ok(policy)
}

/// Recipients from `-r` and `-R`, deduplicated, in order.
pub fn explicit_recipients(args: &RecipientArgs) -> Result<Vec<Recipient>, Error> {
    let mut list: Vec<Recipient> = Vec::new();
    for r in &args.recipients {
        list.push(keys::parse_recipient_arg(r).map_err(|e| Error::usage(format!("-r {e}")))?);
    }
    for f in &args.recipient_files {
        list.extend(config::read_recipients_file(f)?);
    }
    let mut seen = std::collections::HashSet::new();
    list.retain(|r| seen.insert(r.kid()));
    Ok(list)
}

/// Whether stdin is an interactive terminal (to print a prompt before reading a value).
pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
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
}
