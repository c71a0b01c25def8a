//! Loading keys named on the command line: identity files and folders, and `-r`/`-R` recipients.

use std::path::PathBuf;

use zeroize::Zeroizing;

use super::RecipientArgs;
use crate::config;
use crate::crypto::{keys, Identity, Recipient};
use crate::error::{Error, Location};

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
