//! `kseal reseal`.

use std::path::PathBuf;

use clap::Args;

use super::input::{collect_inputs, each_input, Outcome};
use super::output::{write_atomic, write_stdout, Perm};
use super::policy::policy_for;
use super::{GlobalArgs, IdentityArgs, RecipientArgs, ScopeArgs};
use crate::config::ConfigCache;
use crate::error::{Error, ExitCode};
use crate::manifest::reseal::reseal;

#[derive(Args, Debug)]
#[command(after_help = "\
Key rotation: every sealed value whose recipients are not exactly the current ones is opened with
the old identities (-i) and sealed again to the current recipients (-r/-R, else the matching
.kseal.yaml rule), keeping its scope and binding. Values already sealed to exactly the current
recipients stay byte-identical, so running reseal twice changes nothing. Plaintext values are left
alone (that is `kseal seal`'s job). Unlike `seal`, files are rewritten in place (no -w needed): a
rotation is a change to the repository, usually of many files, and printing them all to stdout
would be a joined stream nobody can write back. Writes are atomic, and happen only after every file
has been resealed: one value that does not open leaves every file untouched (exit 3). `-` reads
stdin and writes stdout, for a pipeline.

Prints one line per file with its counts. --check needs no private key: it only reports what would
change and exits 1 if anything would.

Examples:
  kseal reseal -i old.agekey -R keys/prod.pub manifests/
  kseal reseal --check manifests/              # CI: is every value sealed to the current key?")]
pub struct ResealArgs {
    /// Files or folders (recursively: *.yaml, *.yml, *.json); `-` or nothing reads stdin (result on stdout).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub identities: IdentityArgs,
    #[command(flatten)]
    pub recipients: RecipientArgs,
    /// Change nothing: report what would be resealed, exit 1 if anything would.
    #[arg(long)]
    pub check: bool,
}

pub fn run(args: ResealArgs, global: &GlobalArgs) -> Result<ExitCode, Error> {
    let identities = if args.check {
        None
    } else {
        Some(args.identities.load(global)?)
    };
    let inputs = collect_inputs(&args.paths, &global.exclude)?;
    let mut cache = ConfigCache::default();
    let to_stdout = inputs.iter().any(|i| i.path.is_none());
    if to_stdout && inputs.len() > 1 {
        return Err(Error::usage(
            "reseal rewrites files in place; stdin (`-`) cannot be mixed with paths",
        ));
    }
    let mut report = String::new();
    let (mut resealed, mut unchanged) = (0, 0);
    let done = each_input(&inputs, None, true, |input, src| {
        // A file without a sealed value (a Deployment, `.kseal.yaml` itself) needs no recipients.
        let policy = if crate::manifest::holds_sealed_values(src) {
            Some(policy_for(
                input,
                &args.recipients,
                &ScopeArgs::default(),
                global,
                &mut cache,
            )?)
        } else {
            None
        };
        let out = reseal(
            src,
            &input.location(),
            identities.as_deref(),
            policy.as_ref().map_or(&[][..], |p| &p.recipients),
            policy.as_ref().and_then(|p| p.namespace.as_deref()),
        )?;
        let verb = if args.check { "to reseal" } else { "resealed" };
        report.push_str(&format!(
            "{}: {} {verb}, {} unchanged{}\n",
            input.label(),
            out.resealed,
            out.unchanged,
            if out.plaintext > 0 {
                format!(", {} plaintext (not sealed; run kseal seal)", out.plaintext)
            } else {
                String::new()
            }
        ));
        resealed += out.resealed;
        unchanged += out.unchanged;
        let changed = out.text.as_str() != src;
        Ok(((changed, out.text), out.resealed))
    })?;
    // A file of a folder that is not YAML (a Helm template): skipped, as seal skips it.
    let mut skipped = Vec::new();
    let mut results = Vec::with_capacity(done.len());
    for (input, outcome) in done {
        match outcome {
            Outcome::Done((changed, text)) => results.push((input, changed, text)),
            Outcome::Unparseable(_) => skipped.push(input.label()),
        }
    }
    if !skipped.is_empty() {
        say!(
            "warning: skipped {} file{} that do{} not parse as YAML or JSON (templates?), nothing resealed in them: {}",
            skipped.len(),
            if skipped.len() == 1 { "" } else { "s" },
            if skipped.len() == 1 { "es" } else { "" },
            skipped.join(", ")
        );
    }
    if !args.check {
        for (input, changed, text) in &results {
            match &input.path {
                Some(path) if *changed => write_atomic(path, text.as_bytes(), Perm::NewFile(0o644))?,
                Some(_) => {}
                None => write_stdout(text.as_bytes())?,
            }
        }
    }
    if to_stdout && !args.check {
        eprint!("{report}");
    } else {
        write_stdout(report.as_bytes())?;
    }
    say!(
        "{resealed} value{} {}, {unchanged} already sealed to the current recipients",
        if resealed == 1 { "" } else { "s" },
        if args.check { "to reseal" } else { "resealed" }
    );
    Ok(if args.check && resealed > 0 {
        ExitCode::Findings
    } else {
        ExitCode::Success
    })
}
