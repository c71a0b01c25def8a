//! `kseal reseal`.

use std::path::PathBuf;

use clap::Args;

use super::input::{collect_inputs, each_input, Outcome};
use super::output::{write_atomic, write_stdout, Perm};
use super::policy::policy_for;
use super::{ExcludeFlag, Flags, IdentityArgs, NamespaceFlag, RecipientArgs, ScopeArgs};
use crate::config::ConfigCache;
use crate::crypto::Scope;
use crate::error::{Error, ExitCode};
use crate::manifest::reseal::{reseal_applied_as, Target};

#[derive(Args, Debug)]
#[command(after_help = "\
Key rotation, upgrade and repair: every sealed value whose recipients are not exactly the current
ones, or that is in format v2, is opened with the old identities (-i) and sealed again as format
v3 to the current recipients (-r/-R, else the matching .kseal.yaml rule; with -k, the union of the
rules of the kustomizations that render the file), keeping its scope and binding. With -k, a value
sealed for another place than where the kustomization applies it (its v3 binding tag names the
other place: the file's own name and namespace, or another overlay's) is opened there and sealed
for where it lands. Values already sealed to exactly the current recipients, as v3, for where
they are stay byte-identical, so running reseal twice changes nothing. Plaintext values are left
alone (that is `kseal seal`'s job). Unlike `seal`, files are rewritten in place (no -w needed): a
rotation is a change to the repository, usually of many files, and printing them all to stdout
would be a joined stream nobody can write back. Writes are atomic, and happen only after every file
has been resealed: one value that does not open leaves every file untouched (exit 3). `-` reads
stdin and writes stdout, for a pipeline.

Prints one line per file with its counts. --check needs no private key: it only reports what would
change and exits 1 if anything would.

Examples:
  kseal reseal -i old.agekey -R keys/prod.pub manifests/
  kseal reseal --check manifests/              # CI: is every value sealed to the current key?
  kseal reseal -i old.agekey -k overlays/prod  # a kustomization's Secrets, as it renders them
  kseal reseal -w -k overlays/prod -i prod.agekey   # repair what `kseal verify` says lands elsewhere")]
pub struct ResealArgs {
    /// Files or folders (recursively: *.yaml, *.yml, *.json); `-` or nothing reads stdin (result on stdout).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub identities: IdentityArgs,
    #[command(flatten)]
    pub recipients: RecipientArgs,
    /// Seal every value with this scope instead of its own (a strict value that two overlays
    /// apply under two names, moved to namespace scope).
    #[arg(long, value_name = "SCOPE", value_parser = super::scope_parser())]
    pub scope: Option<Scope>,
    /// Change nothing: report what would be resealed, exit 1 if anything would.
    #[arg(long)]
    pub check: bool,
    /// Write files in place: what reseal always does with paths; accepted so that `seal -w`
    /// habits (and the commands kseal's messages print) work.
    #[arg(short, long, conflicts_with = "check")]
    pub write: bool,
    /// The files whose Secrets the kustomization DIR renders, opened and sealed for the namespace
    /// and name it renders them as (as `seal -w -k`). Repeatable.
    #[arg(short = 'k', long = "kustomize", value_name = "DIR", conflicts_with = "paths")]
    pub kustomize: Vec<PathBuf>,
    #[command(flatten)]
    pub namespace: NamespaceFlag,
    #[command(flatten)]
    pub exclude: ExcludeFlag,
}

pub fn run(args: ResealArgs, global: &Flags) -> Result<ExitCode, Error> {
    let identities = if args.check {
        None
    } else {
        Some(args.identities.load(global)?)
    };
    let mut cache = ConfigCache::default();
    let (inputs, rendered, survey) = inputs(&args, global, &mut cache)?;
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
        let policy = if !crate::manifest::holds_sealed_values(src) {
            None
        } else if args.kustomize.is_empty() {
            Some(policy_for(
                input,
                &args.recipients,
                &ScopeArgs { scope: args.scope },
                global,
                &mut cache,
            )?)
        } else {
            Some(super::landing::policy_for_source(
                input,
                &survey,
                &args.recipients,
                &ScopeArgs { scope: args.scope },
                global,
                &mut cache,
            )?)
        };
        // Where every entry applies the file's Secrets: where a value may have been sealed for.
        let elsewhere: Vec<(Option<String>, String)> = input
            .path
            .as_ref()
            .and_then(|p| rendered.get(p))
            .map(|rs| rs.iter().map(|r| (r.namespace.clone(), r.name.clone())).collect())
            .unwrap_or_default();
        // A Secret applied under two identities cannot be resealed for both: refused, as seal -k.
        let applied = match input.path.as_ref().and_then(|p| rendered.get(p)) {
            Some(rs) => crate::integrations::kustomize::applied_as(
                src,
                &input.location(),
                rs,
                args.scope
                    .or(policy.as_ref().map(|p| p.scope))
                    .unwrap_or(Scope::Strict),
                policy.as_ref().and_then(|p| p.namespace.as_deref()),
            )?,
            None => Vec::new(),
        };
        let target = Target {
            recipients: policy.as_ref().map_or(&[][..], |p| &p.recipients),
            default_namespace: policy.as_ref().and_then(|p| p.namespace.as_deref()),
            scope: args.scope,
            applied: &applied,
            elsewhere: &elsewhere,
        };
        let out = reseal_applied_as(src, &input.location(), identities.as_deref(), &target)?;
        report.push_str(&line(input, &out, args.check));
        resealed += out.resealed;
        unchanged += out.unchanged;
        let changed = out.text.as_str() != src;
        Ok(((changed, out.text), out.resealed))
    })?;
    let results = without_templates(done);
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

/// One file's line of the report.
fn line(input: &super::input::Input, out: &crate::manifest::reseal::Resealed, check: bool) -> String {
    let verb = if check { "to reseal" } else { "resealed" };
    let why: Vec<String> = [
        (out.upgraded, "from format v2"),
        (out.repaired, "sealed for another place"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    format!(
        "{}: {} {verb}{}, {} unchanged{}\n",
        input.label(),
        out.resealed,
        if why.is_empty() {
            String::new()
        } else {
            format!(" ({})", why.join(", "))
        },
        out.unchanged,
        if out.plaintext > 0 {
            format!(", {} plaintext (not sealed; run kseal seal)", out.plaintext)
        } else {
            String::new()
        }
    )
}

/// What [`inputs`] gives: the files, how kustomizations render them, and the survey.
type Inputs = (
    Vec<super::input::Input>,
    crate::integrations::kustomize::Renders,
    crate::integrations::landings::Survey,
);

/// The inputs: the paths, or with `-k` the files the kustomizations' Secrets come from (and how
/// each renders them). With -k also the survey of the repository's kustomizations: every one
/// that renders a file decides its recipients (as `seal -k` and `verify`), and names the places
/// a value may have been sealed for.
fn inputs(args: &ResealArgs, global: &Flags, cache: &mut ConfigCache) -> Result<Inputs, Error> {
    let mut survey = match super::landing::root_of(&args.kustomize) {
        Some(root) => {
            let entries = super::landing::entries(&root, &args.kustomize, true, &global.exclude)?;
            super::landing::survey(&root, entries, cache, false)?
        }
        None => Default::default(),
    };
    let rendered = super::landing::renders_of(&mut survey, &args.kustomize)?;
    let inputs = if args.kustomize.is_empty() {
        collect_inputs(&args.paths, &global.exclude)?
    } else {
        rendered
            .keys()
            .map(|f| super::input::Input {
                path: Some(f.clone()),
                walked: false,
            })
            .collect()
    };
    Ok((inputs, rendered, survey))
}

/// What the file loop gives back: per input, whether it changed and its new text.
type Done<'a, T> = Vec<(&'a super::input::Input, Outcome<(bool, T)>)>;

/// The results of the files that parsed; a file of a folder that is not YAML (a Helm template) is
/// skipped and listed, as seal skips it.
fn without_templates<T>(done: Done<'_, T>) -> Vec<(&super::input::Input, bool, T)> {
    let mut skipped = Vec::new();
    let mut results = Vec::with_capacity(done.len());
    for (input, outcome) in done {
        match outcome {
            Outcome::Done((changed, text)) => results.push((input, changed, text)),
            Outcome::Unparseable(_) => skipped.push(input.label()),
        }
    }
    super::input::say_skipped(&skipped, "resealed");
    results
}

row!(ResealArgs, "reseal", |a, flags, _| run(a, flags), takes: |a| (Some(&a.identities.kube), Some(&a.namespace), Some(&a.exclude)));
