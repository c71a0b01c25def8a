//! `kseal keygen`: a new identity in age-keygen's layout.

use std::path::PathBuf;

use clap::Args;

use super::output::{write_new, write_stdout};
use crate::crypto::{keys, Identity};
use crate::error::{Error, ExitCode};

#[derive(Args, Debug)]
#[command(after_help = "\
The file has the layout age-keygen writes (# created, # public key, AGE-SECRET-KEY-1...), so it
works with `age -d -i FILE` too. It is created with mode 0600 and never overwritten.

With -o the recipient (age1...) is printed on stdout; share it, or put it in keys/<cluster>.pub.
Without -o the identity goes to stdout and the public key to stderr, as age-keygen does.

`kseal keygen -y FILE` prints the recipient of each identity in FILE, as `age-keygen -y` does.

Example (the quickstart):
  kseal keygen -o prod.agekey --public-key-out keys/prod.pub")]
pub struct KeygenArgs {
    /// Write the identity to FILE (mode 0600; refuses to overwrite).
    #[arg(short, long, value_name = "FILE", conflicts_with = "recipients_of")]
    pub output: Option<PathBuf>,
    /// Print the recipient (age1...) of each identity in FILE instead of making one.
    #[arg(short = 'y', value_name = "FILE")]
    pub recipients_of: Option<PathBuf>,
    /// Also write the public key to FILE: the recipients file `seal -R` and `.kseal.yaml` name
    /// (e.g. keys/prod.pub).
    #[arg(long, value_name = "FILE", conflicts_with = "recipients_of")]
    pub public_key_out: Option<PathBuf>,
}

pub fn run(args: KeygenArgs) -> Result<ExitCode, Error> {
    if let Some(file) = &args.recipients_of {
        let ids = crate::keyfiles::load_identities(std::slice::from_ref(file))?;
        let text: String = ids.iter().map(|i| format!("{}\n", i.recipient())).collect();
        write_stdout(text.as_bytes())?;
        return Ok(ExitCode::Success);
    }
    if let Some(o) = &args.output {
        super::output_file(o)?;
    }
    let identity = Identity::generate();
    let created = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let text = keys::identity_file_text(&identity, &created);

    match args.output {
        None => {
            eprintln!("Public key: {}", identity.recipient());
            write_stdout(text.as_bytes())?;
        }
        Some(path) => {
            write_new_private(&path, text.as_bytes())?;
            write_stdout(format!("{}\n", identity.recipient()).as_bytes())?;
        }
    }
    // After the identity: a recipients file never names a key that was not kept.
    if let Some(p) = &args.public_key_out {
        let what = format!("kseal public key, created {created}");
        super::recipients::write_public_key_file(p, identity.recipient(), &what)?;
    }
    Ok(ExitCode::Success)
}

/// Creates `path` with mode 0600, refusing to replace anything. The key goes to a private
/// temporary file first and is linked into place, so a failure never leaves a partial key file.
fn write_new_private(path: &std::path::Path, bytes: &[u8]) -> Result<(), Error> {
    let shown = path.display().to_string();
    let exists = || {
        Error::usage(format!(
            "{shown} already exists; kseal keygen never overwrites a key file"
        ))
    };
    if path.exists() {
        return Err(exists());
    }
    write_new(path, bytes, 0o600).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => exists(),
        _ => Error::io(&shown, &e),
    })
}

row!(KeygenArgs, "keygen", |a, _, _| run(a));
