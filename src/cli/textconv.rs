//! `kseal textconv`.

use std::io::Read;
use std::path::PathBuf;

use clap::Args;

use super::output::write_stdout;
use crate::error::{Error, ExitCode};
use crate::manifest::views::textconv;

#[derive(Args, Debug)]
#[command(after_help = "\
Prints FILE with each sealed value replaced by
  <sealed kid=<kids> scope=<scope> sha256:<first 8 hex of SHA-256 of the sealed string>>
so that `git diff` shows which keys changed, not lines of base64. Needs no key and shows no value.
An unchanged value prints the same line every time; a changed or re-sealed value prints a new hash.
Any file is accepted (also invalid YAML): only the sealed values are replaced.

Setup, once per clone:
  git config diff.kseal.textconv \"kseal textconv\"
  echo '*.yaml diff=kseal' >> .gitattributes")]
pub struct TextconvArgs {
    /// The file to show (git passes a temporary copy); `-` reads stdin.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

pub fn run(args: TextconvArgs) -> Result<ExitCode, Error> {
    let mut bytes = Vec::new();
    let result = if args.file.as_os_str() == "-" {
        std::io::stdin().lock().read_to_end(&mut bytes)
    } else {
        std::fs::File::open(&args.file).and_then(|mut f| f.read_to_end(&mut bytes))
    };
    result.map_err(|e| Error::io(args.file.display().to_string(), &e))?;
    write_stdout(&textconv(&bytes))?;
    Ok(ExitCode::Success)
}

row!(TextconvArgs, "textconv", |a, _, _| run(a));
