//! Identity files on disk, as the CLI (`-i`) and the webhook (its mounted key volume) read them:
//! files or folders of `*.agekey`, the kubelet's Secret volume layout, and ssh-like permission
//! checks.

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::crypto::{keys, Identity};
use crate::error::{Error, Location};

/// Whether `dir` is a volume the kubelet writes (a Secret or ConfigMap volume): its atomic writer
/// keeps the files in a timestamped `..<time>` folder and points `..data` at it.
pub fn is_kubelet_volume(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir.join("..data")).is_ok_and(|m| m.file_type().is_symlink())
}

/// `-i` paths with folders expanded to their `*.agekey` files, sorted: a Secret mounted as a
/// volume (`/keys/<yyyymmdd>-<kid>.agekey`, one per key) is passed as `-i /keys`. The kubelet's
/// own entries (`..data`, `..<time>`) are skipped: the per-key links already lead into them.
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
            .filter_map(|e| e.ok())
            .filter(|e| !e.file_name().to_string_lossy().starts_with(".."))
            .map(|e| e.path())
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
        #[cfg(unix)]
        check_key_file_mode(f, "identity file")?;
        let text = Zeroizing::new(std::fs::read_to_string(f).map_err(|e| Error::io(&shown, &e))?);
        let ids = keys::parse_identities(&text)
            .map_err(|e| Error::input(Location::file(&shown), e.to_string()).with_source(e))?;
        if ids.is_empty() {
            return Err(Error::input(Location::file(&shown), "no identities in this file"));
        }
        out.extend(ids);
    }
    Ok(out)
}

/// Why an identity file's permissions are refused, if they are. As ssh does, nothing others can
/// read or write, and by default nothing the group can. One exception, for a Kubernetes Secret
/// volume (the kubelet's atomic-writer layout, read-only by construction): the group may read,
/// because that is how a non-root Pod reads its Secret (`defaultMode: 0440` with `fsGroup`, which
/// the kubelet applies as the file's group), and the volume cannot be written through anyway.
/// `Err` (exit 2) when `path`, a file of private keys (`what`: "identity file", "controller key
/// file"), is readable by others, or by its group outside a kubelet Secret volume; ssh's rule.
#[cfg(unix)]
pub fn check_key_file_mode(path: &std::path::Path, what: &str) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| Error::io(&shown, &e))?;
    let mode = meta.permissions().mode() & 0o777;
    let in_volume = path.parent().is_some_and(is_kubelet_volume);
    match key_mode_problem(mode, in_volume, &shown) {
        Some(why) => Err(Error::usage(format!("{what} {shown} {why}"))),
        None => Ok(()),
    }
}

fn key_mode_problem(mode: u32, in_kubelet_volume: bool, shown: &str) -> Option<String> {
    let group_ok = if in_kubelet_volume { 0o040 } else { 0 };
    if mode & 0o007 != 0 {
        return Some(format!(
            "is accessible by others (mode {mode:04o}); run `chmod 600 {shown}` (in a Pod: defaultMode 0400, or 0440 with fsGroup)"
        ));
    }
    if mode & 0o070 & !group_ok != 0 {
        return Some(if in_kubelet_volume {
            format!("is writable or executable by its group (mode {mode:04o}); mount it with defaultMode 0400, or 0440 with fsGroup")
        } else {
            format!("is accessible by group (mode {mode:04o}); run `chmod 600 {shown}` (a Kubernetes Secret volume may be 0440)")
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_modes_as_ssh_except_group_read_on_a_kubelet_volume() {
        for (mode, in_volume, ok) in [
            (0o600, false, true),
            (0o400, false, true),
            (0o640, false, false),
            (0o440, false, false),
            (0o440, true, true),
            (0o640, true, true),
            (0o460, true, false),
            (0o444, true, false),
            (0o604, false, false),
        ] {
            assert_eq!(
                key_mode_problem(mode, in_volume, "k").is_none(),
                ok,
                "{mode:o} in volume {in_volume}"
            );
        }
    }
}
