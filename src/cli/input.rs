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

impl Input {
    /// Whether this input, read as `src`, is a walked file that does not parse as manifests.
    pub fn is_unparseable_walked(&self, src: &str) -> bool {
        self.walked && crate::manifest::parse(src, &self.location()).is_err()
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
    // `.kseal.yaml` is configuration, never an input of a folder walk.
    if path.file_name().is_some_and(|n| n == crate::config::FILE_NAME) {
        return false;
    }
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

/// Expands the command-line paths: files as given, directories recursively (`*.yaml`, `*.yml`,
/// `*.json`, sorted), `-` or nothing for stdin.
pub fn collect_inputs(paths: &[PathBuf]) -> Result<Vec<Input>, Error> {
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
        // walkdir follows symlinks here so linked folders count, and reports loops as errors. The
        // kubelet's `..data` and `..<time>` entries (ConfigMap and git-sync volumes) are skipped,
        // and each file is read once, by its real path, however many links lead to it.
        let walk = walkdir::WalkDir::new(p)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with(".."));
        for entry in walk {
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
                let real = std::fs::canonicalize(entry.path()).unwrap_or_else(|_| entry.path().to_path_buf());
                if seen.insert(real) {
                    out.push(Input {
                        path: Some(entry.into_path()),
                        walked: true,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// Whether stdin is an interactive terminal (to print a prompt before reading a value).
pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}
