//! `kseal version`, and the hidden `copy-self` (an init container of a shell-less image hands
//! kseal to a sidecar: deploy/argocd/).

use std::path::PathBuf;

use super::output;
use crate::error::{Error, ExitCode};

/// `kseal version`: takes no arguments.
#[derive(clap::Args, Debug)]
pub struct VersionArgs {}

impl super::Row for VersionArgs {
    const NAME: &'static str = "version";
    fn run(self, _flags: &super::Flags, _bin_name: &'static str) -> Result<ExitCode, Error> {
        let text = format!(
            "kseal {} (sealed value format v3, opens v2; features:{}{})\n",
            env!("CARGO_PKG_VERSION"),
            if cfg!(feature = "cluster") { " cluster" } else { "" },
            if cfg!(feature = "scan") { " scan" } else { "" },
        );
        output::write_stdout(text.as_bytes())?;
        Ok(ExitCode::Success)
    }
}

/// `kseal copy-self DIR`.
#[derive(clap::Args, Debug)]
pub struct CopySelfArgs {
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

impl super::Row for CopySelfArgs {
    const NAME: &'static str = "copy-self";
    fn run(self, _flags: &super::Flags, _bin_name: &'static str) -> Result<ExitCode, Error> {
        let me = std::env::current_exe().map_err(|e| Error::io("the kseal binary", &e))?;
        let bytes = std::fs::read(&me).map_err(|e| Error::io(me.display().to_string(), &e))?;
        output::write_atomic(&self.dir.join("kseal"), &bytes, output::Perm::NewFile(0o755))?;
        Ok(ExitCode::Success)
    }
}
