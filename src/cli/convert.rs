//! `kseal convert --to secret|ksealsecret`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::input::{collect_inputs, each_input};
use super::{ExcludeFlag, Flags};
use crate::error::{Error, ExitCode};
use crate::manifest::convert::{convert, Kind};

#[derive(Args, Debug)]
#[command(after_help = "\
A KsealSecret (apiVersion kseal.dev/v1) is shaped exactly like a Secret, and its values are sealed
and bound the same way (to its namespace, name and key), so switching a file between the two kinds
changes its `apiVersion` and `kind` values and nothing else: no key is needed, every other byte
stays, and converting back gives the file as it was. Secrets and KsealSecrets in Lists are
converted too; other documents pass through.

Which kind: a Secret when the admission webhook opens values as they are written; a KsealSecret
when `kseal controller` runs (managed control planes): it opens each KsealSecret into a Secret of
the same name (README, \"Which in-cluster mode\").

Examples:
  kseal convert --to ksealsecret -w clusters/prod/
  kseal convert --to secret app/db.yaml > db-secret.yaml")]
pub struct ConvertArgs {
    /// The kind to write.
    #[arg(long, value_enum, value_name = "KIND")]
    pub to: ToKind,
    /// Files or folders (recursively: *.yaml, *.yml, *.json); `-` or nothing reads stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Write each file in place (atomically: temporary file, then rename).
    #[arg(short, long, conflicts_with = "output")]
    pub write: bool,
    /// Write the result to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub exclude: ExcludeFlag,
}

/// `--to`'s values.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ToKind {
    /// apiVersion v1, kind Secret.
    Secret,
    /// apiVersion kseal.dev/v1, kind KsealSecret (for `kseal controller`).
    Ksealsecret,
}

pub fn run(args: ConvertArgs, global: &Flags) -> Result<ExitCode, Error> {
    if let Some(o) = &args.output {
        super::output_file(o)?;
    }
    let to = match args.to {
        ToKind::Secret => Kind::Secret,
        ToKind::Ksealsecret => Kind::KsealSecret,
    };
    let inputs = collect_inputs(&args.paths, &global.exclude)?;
    if args.write && inputs.iter().any(|i| i.path.is_none()) {
        return Err(Error::usage(
            "-w writes files in place and cannot be used with stdin; use -o FILE or stdout",
        ));
    }
    let mut converted = 0;
    // Everything converted before anything is written.
    let done = each_input(&inputs, Some("converting"), true, |input, src| {
        let out = convert(src, &input.location(), to)?;
        converted += out.converted;
        Ok(((out.text.as_str() != src, out.text), 0))
    })?;
    let changed = super::input::write_results(done, args.write, args.output.as_deref(), "converted")?;
    say!(
        "converted {converted} {} to {}, in {changed} file{}",
        if converted == 1 { "Secret" } else { "Secrets" },
        match to {
            Kind::KsealSecret => "KsealSecret (kseal.dev/v1)",
            _ => "Secret (v1)",
        },
        if changed == 1 { "" } else { "s" }
    );
    Ok(ExitCode::Success)
}

row!(ConvertArgs, "convert", |a, flags, _| run(a, flags), takes: |a| (None, None, Some(&a.exclude)));
