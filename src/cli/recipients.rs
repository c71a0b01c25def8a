//! Keys named on the command line: `-r`/`-R` recipients and the public key files kseal writes.
//! Identity files (`-i`) are read by [`crate::keyfiles`], which the webhook shares.

use super::RecipientArgs;
use crate::config;
use crate::crypto::{keys, Recipient};
use crate::error::Error;

/// Writes a recipients file (`-R FILE`, a `.kseal.yaml` entry): a `# what` line, then the
/// recipient; folders are created, the file replaced atomically (mode 0644: it is public).
pub fn write_public_key_file(
    path: &std::path::Path,
    recipient: &crate::crypto::Recipient,
    what: &str,
) -> Result<(), Error> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir.display().to_string(), &e))?;
    }
    let text = format!("# {what}\n{recipient}\n");
    super::output::write_atomic(path, text.as_bytes(), super::output::Perm::NewFile(0o644))
}

/// Recipients from `-r` and `-R`, deduplicated, in order; two keys with one kid are refused.
pub fn explicit_recipients(args: &RecipientArgs) -> Result<Vec<Recipient>, Error> {
    let mut list: Vec<Recipient> = Vec::new();
    for r in &args.recipients {
        list.push(keys::parse_recipient_arg(r).map_err(|e| Error::usage(format!("-r {e}")).with_source(e))?);
    }
    for f in &args.recipient_files {
        list.extend(config::read_recipients_file(f)?);
    }
    keys::distinct_recipients(list).map_err(|e| Error::usage(e.to_string()).with_source(e))
}
