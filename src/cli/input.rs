//! Reading inputs: files, folders walked for manifests, or stdin.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::error::{io_message, Error, Location};

/// One input: a file, or stdin.
#[derive(Debug, Clone)]
pub struct Input {
    /// `None` for stdin.
    pub path: Option<PathBuf>,
    /// Found by walking a folder (not named on the command line): a file there that does not
    /// parse (a Helm template) is skipped with a warning instead of stopping everything.
    pub walked: bool,
}

/// Whether a template (a file that does not parse: Helm's `{{ }}`) may render a Secret: a line
/// `kind: Secret`. Templates of Deployments, Services, helpers (`_helpers.tpl` is not walked, but
/// `NOTES.txt`-like YAML files are) render none, and are no concern of the Secret commands.
pub fn template_may_render_secret(src: &str) -> bool {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex::Regex::new(r#"(?m)^[\t ]*(?:-[\t ]+)?kind:[\t ]*["']?Secret["']?[\t ]*(?:#.*)?\r?$"#)
            .expect("a valid regex")
    })
    .is_match(src)
}

/// `read_to_end` without leaving plaintext behind: a growing `Vec` moves its bytes to a larger
/// allocation and frees the old one as it is, so the buffer here grows by hand and zeroizes each
/// one it leaves (issue 36).
fn read_all(from: &mut impl Read, bytes: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut buf = Zeroizing::new(vec![0u8; 64 * 1024]);
    let mut len = 0;
    loop {
        if len == buf.len() {
            let mut bigger = Zeroizing::new(vec![0u8; buf.len() * 2]);
            bigger[..len].copy_from_slice(&buf[..len]);
            buf = bigger;
        }
        match from.read(&mut buf[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    bytes.extend_from_slice(&buf[..len]);
    Ok(len)
}

impl Input {
    /// Whether this input, read as `src`, is a walked Helm (or other Go) template that does not
    /// parse as manifests: what a folder walk passes over, saying so. Any other walked file that
    /// does not parse is an error naming it (issue 36: a duplicate key, an escaped kind or a deep
    /// nesting was skipped without a word, while kubectl applies such a file).
    pub fn is_unparseable_walked(&self, src: &str) -> bool {
        self.walked && src.contains("{{") && crate::manifest::parse(src, &self.location()).is_err()
    }

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
            Some(p) => std::fs::File::open(p).and_then(|mut f| read_all(&mut f, &mut bytes)),
            None => read_all(&mut std::io::stdin().lock(), &mut bytes),
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
    // `.kseal.yaml` is configuration, never an input of a folder walk.
    if path.file_name().is_some_and(|n| n == crate::config::FILE_NAME) {
        return false;
    }
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// What a folder walk leaves out: `--exclude` globs (matched against the path below the folder
/// named on the command line, and against the file name), and the `ignore:` globs of the nearest
/// `.kseal.yaml` (matched against the path below that file's folder).
struct Skips {
    exclude: globset::GlobSet,
    config: Option<(PathBuf, globset::GlobSet)>,
}

fn glob_set<'a>(globs: impl IntoIterator<Item = &'a String>, what: &str) -> Result<globset::GlobSet, Error> {
    let mut b = globset::GlobSetBuilder::new();
    for g in globs {
        let glob = globset::GlobBuilder::new(g)
            .literal_separator(false)
            .build()
            .map_err(|e| Error::usage(format!("{what} `{g}`: {}", e.kind())))?;
        b.add(glob);
    }
    b.build().map_err(|e| Error::usage(format!("{what}: {e}")))
}

/// What a folder walk from `root` would leave out (`--exclude`, `.kseal.yaml`'s `ignore:`): what
/// `verify` uses to leave out the entries (kustomizations, charts) the user left out of the walk.
pub fn exclusions(root: &Path, excludes: &[String]) -> Result<impl Fn(&Path) -> bool, Error> {
    let skips = Skips::for_root(root, excludes)?;
    let root = root.to_path_buf();
    Ok(move |file: &Path| skips.skips(&root, file))
}

impl Skips {
    fn for_root(root: &Path, excludes: &[String]) -> Result<Skips, Error> {
        let exclude = glob_set(excludes, "--exclude")?;
        let config = crate::config::ConfigCache::default().for_dir(root)?;
        let config = match config {
            Some(c) if !c.ignore.is_empty() => {
                let dir =
                    std::path::absolute(&c.dir).map_err(|e| Error::io(c.dir.display().to_string(), &e))?;
                Some((dir, glob_set(&c.ignore, "ignore")?))
            }
            _ => None,
        };
        Ok(Skips { exclude, config })
    }

    fn skips(&self, root: &Path, file: &Path) -> bool {
        let below_root = file.strip_prefix(root).unwrap_or(file);
        if self.exclude.is_match(below_root) || file.file_name().is_some_and(|n| self.exclude.is_match(n)) {
            return true;
        }
        match (&self.config, std::path::absolute(file)) {
            (Some((dir, set)), Ok(abs)) => abs.strip_prefix(dir).is_ok_and(|rel| set.is_match(rel)),
            _ => false,
        }
    }
}

/// A file found by a folder walk.
struct WalkedFile(ignore::DirEntry);

impl WalkedFile {
    fn is_file(&self) -> bool {
        self.0.file_type().is_some_and(|t| t.is_file())
    }
    fn path(&self) -> &Path {
        self.0.path()
    }
    fn into_path(self) -> PathBuf {
        self.0.into_path()
    }
}

fn walk_error(root: &Path, e: ignore::Error) -> Error {
    fn inner(e: &ignore::Error) -> Option<(Option<&Path>, String)> {
        match e {
            ignore::Error::Loop { child, .. } => Some((Some(child.as_path()), "symlink loop".into())),
            ignore::Error::WithPath { path, err } => inner(err).map(|(p, m)| (p.or(Some(path.as_path())), m)),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => inner(err),
            ignore::Error::Io(io) => Some((None, io_message(io))),
            _ => None,
        }
    }
    let (path, message) = inner(&e).unwrap_or((None, e.to_string()));
    Error::input(
        Location::file(path.unwrap_or(root).display().to_string()),
        message,
    )
}

/// The inputs of a command whose `-w` writes each one back: stdin has nowhere to be written.
pub fn collect_inputs_to_write(
    paths: &[PathBuf],
    in_place: bool,
    excludes: &[String],
) -> Result<Vec<Input>, Error> {
    let inputs = collect_inputs(paths, excludes)?;
    if in_place && inputs.iter().any(|i| i.path.is_none()) {
        return Err(Error::usage(
            "-w writes files in place and cannot be used with stdin",
        ));
    }
    Ok(inputs)
}

/// Expands the command-line paths: files as given, directories recursively (`*.yaml`, `*.yml`,
/// `*.json`, sorted, see [`Skips`]), `-` or nothing for stdin. `excludes` are the `--exclude`
/// globs.
pub fn collect_inputs(paths: &[PathBuf], excludes: &[String]) -> Result<Vec<Input>, Error> {
    if paths.is_empty() {
        // Waiting for a manifest typed on a terminal is never what the user meant.
        if std::io::stdin().is_terminal() {
            return Err(Error::usage(
                "no input: name files or folders (e.g. `kseal seal -w manifests/`), or pipe a manifest in \
                 (`kubectl create secret ... --dry-run=client -o yaml | kseal seal -r age1...`); `-` reads a terminal anyway",
            ));
        }
        return Ok(vec![Input {
            path: None,
            walked: false,
        }]);
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Input {
                path: None,
                walked: false,
            });
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|e| Error::io(p.display().to_string(), &e))?;
        if !meta.is_dir() {
            out.push(Input {
                path: Some(p.clone()),
                walked: false,
            });
            continue;
        }
        // Folder walks follow symlinks (linked folders count; loops are errors), honour .gitignore
        // (also outside a git work tree), skip the kubelet's `..data` / `..<time>` entries and
        // `.git`, and leave out what `--exclude` and the `.kseal.yaml` `ignore:` list name. Each
        // file is read once, by its real path, however many links lead to it.
        let skip = Skips::for_root(p, excludes)?;
        let walk = ignore::WalkBuilder::new(p)
            .follow_links(true)
            .hidden(false)
            .ignore(false)
            .git_global(false)
            .require_git(false)
            .sort_by_file_name(|a, b| a.cmp(b))
            .filter_entry(|e| {
                let name = e.file_name().to_string_lossy();
                e.depth() == 0 || !(name.starts_with("..") || name == ".git")
            })
            .build();
        for entry in walk {
            let entry = entry.map_err(|e| walk_error(p, e))?;
            if entry.file_type().is_some_and(|t| t.is_file()) && skip.skips(p, entry.path()) {
                continue;
            }
            let entry = WalkedFile(entry);
            if entry.is_file() && is_manifest(entry.path()) {
                let real = std::fs::canonicalize(entry.path()).unwrap_or_else(|_| entry.path().to_path_buf());
                if seen.insert(real) {
                    out.push(Input {
                        path: Some(entry.into_path()),
                        walked: true,
                    });
                }
            }
        }
        // .gitignore applies to untracked files only (issue 36: such a file was never verified).
        let from = out.len();
        for rel in crate::config::tracked_but_ignored(p) {
            let path = p.join(&rel);
            if !is_manifest(&path) || skip.skips(p, &path) {
                continue;
            }
            let real = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if seen.insert(real) {
                out.push(Input {
                    path: Some(path),
                    walked: true,
                });
            }
        }
        out[from..].sort_by(|a, b| a.path.cmp(&b.path));
    }
    Ok(out)
}

/// What the file loop made of one input.
pub enum Outcome<T> {
    Done(T),
    /// A file of a folder walk that does not parse as YAML or JSON (a Helm template), and whether
    /// it may render a Secret ([`template_may_render_secret`]); each command says what that means
    /// for it.
    Unparseable(bool),
}

/// The loop of the commands that walk inputs (seal, open, reseal, verify): each input read in
/// order and handed to `operate` with its text, progress shown on a terminal when `progress`
/// names the verb. `operate` returns its result and how many values it handled (the progress
/// line's count). With `templates`, an error on a walked file that does not parse is
/// [`Outcome::Unparseable`] instead; any other error stops the loop, before anything is written.
pub fn each_input<'a, T>(
    inputs: &'a [Input],
    progress: Option<&'static str>,
    templates: bool,
    mut operate: impl FnMut(&'a Input, &str) -> Result<(T, usize), Error>,
) -> Result<Vec<(&'a Input, Outcome<T>)>, Error> {
    let mut shown = progress.map(|verb| super::output::Progress::new(verb, inputs.len()));
    let mut values = 0;
    let mut out = Vec::with_capacity(inputs.len());
    for (done, input) in inputs.iter().enumerate() {
        if let Some(p) = &mut shown {
            p.tick(done, values);
        }
        let src = input.read()?;
        let outcome = match operate(input, &src) {
            Ok((result, n)) => {
                values += n;
                Outcome::Done(result)
            }
            Err(_) if templates && input.is_unparseable_walked(&src) => {
                Outcome::Unparseable(template_may_render_secret(&src))
            }
            Err(e) => return Err(e),
        };
        // `src` is dropped here: on a large stream, holding input and output would double memory.
        out.push((input, outcome));
    }
    if let Some(p) = &mut shown {
        p.finish();
    }
    Ok(out)
}

/// The warning for files of a folder walk that were skipped because they do not parse (Helm
/// templates): nothing was `done` in them.
pub fn say_skipped(skipped: &[String], done: &str) {
    if !skipped.is_empty() {
        say!(
            "warning: skipped {} file{} that do{} not parse as YAML or JSON (templates?), nothing {done} in them: {}",
            skipped.len(),
            if skipped.len() == 1 { "" } else { "s" },
            if skipped.len() == 1 { "es" } else { "" },
            skipped.join(", ")
        );
    }
}

/// Whether stdin is an interactive terminal (to print a prompt before reading a value).
pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// What a rewriting command made of one input: whether it changed, and the whole text.
pub type Rewritten = (bool, zeroize::Zeroizing<String>);

/// Writes what a rewriting command (seal, convert) made of its inputs: with `write` (`-w`) each
/// changed file in place, atomically; else every result as one stream to `output` or stdout.
/// Files of a folder that do not parse (Helm templates) are skipped and named, with `done` (what
/// was done in the others). Returns how many files changed.
pub fn write_results(
    done: Vec<(&Input, Outcome<Rewritten>)>,
    write: bool,
    output: Option<&std::path::Path>,
    verb: &str,
) -> Result<usize, Error> {
    use super::output::{write_atomic, write_rendered, Perm};
    let mut skipped = Vec::new();
    let mut results = Vec::with_capacity(done.len());
    for (input, outcome) in done {
        match outcome {
            Outcome::Done((changed, text)) => results.push((input, changed, text)),
            Outcome::Unparseable(_) => skipped.push(input.label()),
        }
    }
    if write {
        for (input, changed, text) in &results {
            if *changed {
                let path = input.path.as_ref().expect("checked: -w has no stdin");
                write_atomic(path, text.as_bytes(), Perm::NewFile(0o644))?;
            }
        }
    } else {
        let texts: Vec<&str> = results.iter().map(|(_, _, t)| t.as_str()).collect();
        write_rendered(&texts, output, Perm::NewFile(0o644))?;
    }
    say_skipped(&skipped, verb);
    Ok(results.iter().filter(|(_, c, _)| *c).count())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte arrives, across the buffer's growth and short reads.
    #[test]
    fn read_all_reads_everything_past_several_growths() {
        struct Trickle(Vec<u8>, usize);
        impl Read for Trickle {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let n = out.len().min(7_000).min(self.0.len() - self.1);
                out[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
                self.1 += n;
                Ok(n)
            }
        }
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let mut got = Vec::new();
        assert_eq!(
            read_all(&mut Trickle(data.clone(), 0), &mut got).unwrap(),
            data.len()
        );
        assert_eq!(got, data);
    }
}
