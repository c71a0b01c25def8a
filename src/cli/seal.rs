//! `kseal seal`.

use std::path::PathBuf;

use clap::Args;

use super::input::{collect_inputs, each_input};
use super::output::{write_atomic, write_rendered, Perm};
use super::policy::policy_for;
use super::{ExcludeFlag, Flags, NamespaceFlag, RecipientArgs, ScopeArgs};
use crate::config::ConfigCache;
use crate::error::{Error, ExitCode};
use crate::manifest::seal::seal_with;

#[derive(Args, Debug)]
#[command(after_help = "\
Every value of data/stringData of every v1 Secret (also inside a List) is encrypted in place;
every other byte of the file stays as it was. Values already sealed are left byte-identical, so
running seal again changes nothing. Secrets' kubectl.kubernetes.io/last-applied-configuration
annotation, which holds the plaintext, is removed (and reported on stderr).

Recipients: -r/-R, else the first rule of the nearest .kseal.yaml whose path matches the file (for
stdin, the -o file, so `kubectl create secret ... | kseal seal -o clusters/prod/db.yaml` takes the
prod rule).
Namespace (strict and namespace scope): metadata.namespace, else -n, else the rule's namespace.

One value (--raw, as kubeseal --raw): the value is read from stdin (or typed, not shown), sealed
for the Secret it will be in (-n, --name, --key; --scope as above), and printed alone: put it in a
Helm values file that a chart's Secret template takes under data (base64) or stringData.

Kustomize (-k DIR, as kubectl apply -k): the kustomization is rendered with the real kustomize
(or kubectl kustomize), each Secret traced to its source file (origin annotations), and that file
sealed in place for the name and namespace the Secret is applied as. With several -k, a Secret
applied under two identities is refused: give each overlay its own, or seal with a wider --scope.
Recipients: the union of the .kseal.yaml rules matching every kustomization of the repository that
renders the file (a base shared by a staging and a production overlay is sealed to both keys),
else the file's own rule; `verify` and `reseal -k` resolve them the same way. A value already
sealed for another place than where it is applied is named, with the command that repairs it.

Examples:
  kseal seal -r age1... secret.yaml           # sealed manifest on stdout
  kseal seal -w -k overlays/prod -k overlays/staging
  kseal seal -w manifests/                    # in place, recipients from .kseal.yaml
  kubectl create secret generic db --from-literal=password=x --dry-run=client -o yaml \\
    | kseal seal -R keys/prod.pub -n prod > db.yaml
  printf %s \"$DB_PASSWORD\" | kseal seal --raw -n prod --name db --key password")]
pub struct SealArgs {
    /// Files or folders (recursively: *.yaml, *.yml, *.json); `-` or nothing reads stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub recipients: RecipientArgs,
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Write each file in place (atomically: temporary file, then rename).
    #[arg(short, long, conflicts_with = "output")]
    pub write: bool,
    /// Write the result to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Seal, in place (-w), the files whose Secrets the kustomization DIR renders, bound to the
    /// namespace and name it renders them as (namePrefix, nameSuffix, namespace). Repeatable: a
    /// base shared by overlays must render under one identity.
    #[arg(
        short = 'k',
        long = "kustomize",
        value_name = "DIR",
        requires = "write",
        conflicts_with = "paths"
    )]
    pub kustomize: Vec<PathBuf>,
    /// Seal one value from stdin and print it alone (for a Helm values file), bound to -n,
    /// --name and --key.
    #[arg(long, requires = "key", conflicts_with_all = ["paths", "write"])]
    pub raw: bool,
    /// With --raw: the name of the Secret the value goes in (strict scope binds to it).
    #[arg(long, value_name = "NAME", requires = "raw")]
    pub name: Option<String>,
    /// With --raw: the key under data or stringData the value goes in.
    #[arg(long, value_name = "KEY", requires = "raw")]
    pub key: Option<String>,
    #[command(flatten)]
    pub namespace: NamespaceFlag,
    #[command(flatten)]
    pub exclude: ExcludeFlag,
}

pub fn run(args: SealArgs, global: &Flags) -> Result<ExitCode, Error> {
    if let Some(o) = &args.output {
        super::output_file(o)?;
    }
    if args.raw {
        return run_raw(&args, global);
    }
    if !args.kustomize.is_empty() {
        return run_kustomize(&args, global);
    }
    let inputs = collect_inputs(&args.paths, &global.exclude)?;
    if args.write && inputs.iter().any(|i| i.path.is_none()) {
        return Err(Error::usage(
            "-w writes files in place and cannot be used with stdin; use -o FILE or stdout",
        ));
    }
    let mut cache = ConfigCache::default();
    let (mut sealed, mut unchanged, mut changed_files, mut secrets) = (0, 0, 0, 0);
    // Values already sealed, but to other keys than -r/-R name: counted, and said below.
    let explicit: std::collections::BTreeSet<crate::crypto::Kid> =
        super::recipients::explicit_recipients(&args.recipients)?
            .iter()
            .map(crate::crypto::Recipient::kid)
            .collect();
    let mut to_other_keys = 0;
    // ConfigMap entries whose keys say credential: not sealable, named with what to do.
    let mut in_configmaps = 0;
    // Seal everything before writing anything: one bad file leaves every file untouched.
    let done = each_input(&inputs, Some("sealing"), true, |input, src| {
        let loc = input.location();
        // Stdin has no path for a rule to match: `-o` names where the result goes, so its rule applies.
        let rule_input = match (&input.path, &args.output) {
            (None, Some(o)) => super::input::Input {
                path: Some(o.clone()),
                walked: false,
            },
            _ => input.clone(),
        };
        let out = seal_with(src, &loc, &mut || {
            policy_for(&rule_input, &args.recipients, &args.scope, global, &mut cache)
        })?;
        secrets += out.secrets;
        for note in &out.notes {
            say!("{note}");
        }
        for c in super::credentials::in_configmaps(src, &loc) {
            say!("{}: {}", c.location, super::credentials::MOVE_TO_SECRET);
            in_configmaps += 1;
        }
        sealed += out.sealed;
        unchanged += out.unchanged;
        to_other_keys += sealed_to_other_keys(&out, &explicit);
        let changed = out.text.as_str() != src;
        changed_files += usize::from(changed);
        Ok(((changed, out.text), out.sealed))
    })?;
    // A file of a folder that is not YAML (a Helm template): skipped, and named.
    super::input::write_results(done, args.write, args.output.as_deref(), "sealed")?;
    if secrets == 0 {
        say_nothing_to_seal(inputs.len(), in_configmaps);
        return Ok(ExitCode::Success);
    }
    say!(
        "sealed {sealed} value{}, {unchanged} already sealed, in {} file{} ({changed_files} changed)",
        if sealed == 1 { "" } else { "s" },
        inputs.len(),
        if inputs.len() == 1 { "" } else { "s" },
    );
    say_other_keys(to_other_keys);
    Ok(ExitCode::Success)
}

/// No Secret in the inputs: fine (a folder of Deployments), but said rather than "sealed 0"; and
/// when ConfigMap entries look like credentials (named above), what to do with them.
fn say_nothing_to_seal(files: usize, in_configmaps: usize) {
    say!(
        "no Secret found in {files} file{}: nothing to seal (kseal seals `kind: Secret`, `apiVersion: v1`){}",
        if files == 1 { "" } else { "s" },
        match in_configmaps {
            0 => String::new(),
            n => format!(
                "; but {n} ConfigMap entr{} above look{} like credentials: move {} into a Secret, then seal it",
                if n == 1 { "y" } else { "ies" },
                if n == 1 { "s" } else { "" },
                if n == 1 { "it" } else { "them" }
            ),
        }
    );
}

/// How many of the values `out` found already sealed are sealed to other keys than `explicit`
/// (-r/-R; none without them).
fn sealed_to_other_keys(
    out: &crate::manifest::seal::Sealed,
    explicit: &std::collections::BTreeSet<crate::crypto::Kid>,
) -> usize {
    if explicit.is_empty() {
        return 0;
    }
    out.already_sealed_to
        .iter()
        .filter(|(kids, _)| *kids != explicit)
        .map(|(_, n)| n)
        .sum()
}

/// Seal leaves values sealed to other keys as they are (it has no key to open them): it says
/// so, and which command does what was probably meant.
fn say_other_keys(n: usize) {
    if n > 0 {
        say!(
            "{n} of the values already sealed {} sealed to other keys than -r/-R name, and seal leaves sealed values \
             as they are: to seal them to these keys, `kseal reseal -i OLD_KEY -r/-R ... PATH` (it needs the key they open with)",
            if n == 1 { "is" } else { "are" }
        );
    }
}

/// `seal --raw`: one value from stdin, sealed for `-n`/`--name`/`--key`, printed alone. The policy
/// is the one a manifest at `-o FILE` would get (else at stdin), so `.kseal.yaml` rules apply.
fn run_raw(args: &SealArgs, global: &Flags) -> Result<ExitCode, Error> {
    let key = args.key.as_deref().expect("clap: --raw requires --key");
    let input = super::input::Input {
        path: args.output.clone(),
        walked: false,
    };
    let policy = policy_for(
        &input,
        &args.recipients,
        &args.scope,
        global,
        &mut ConfigCache::default(),
    )?;
    if policy.scope.needs_namespace() && policy.namespace.is_none() {
        return Err(Error::usage(format!(
            "--raw with {} scope needs -n NAMESPACE (where the Secret will be), or --scope cluster",
            policy.scope
        )));
    }
    if policy.scope == crate::crypto::Scope::Strict && args.name.is_none() {
        return Err(Error::usage(
            "--raw with strict scope needs --name NAME (the Secret the value goes in), or --scope namespace",
        ));
    }
    let at = || crate::error::Location::default().with_key(key);
    let namespace = policy.namespace.as_deref().unwrap_or("");
    let binding = crate::manifest::bind(
        namespace,
        args.name.as_deref().unwrap_or(""),
        key,
        policy.scope,
        at,
    )?;
    let value = super::set::read_value(None, key)?;
    let sealed = crate::crypto::sealed::seal(&value, &policy.recipients, policy.scope, &binding)
        .map_err(crate::manifest::seal_error)?;
    write_rendered(
        &[&format!("{sealed}\n")],
        args.output.as_deref(),
        Perm::NewFile(0o644),
    )?;
    say!(
        "sealed 1 value ({} scope{}) to {} recipient{}",
        policy.scope,
        if policy.scope.needs_namespace() {
            format!(": {}", binding.describe(policy.scope))
        } else {
            String::new()
        },
        policy.recipients.len(),
        if policy.recipients.len() == 1 { "" } else { "s" }
    );
    Ok(ExitCode::Success)
}

/// `seal -w -k DIR...`: the source files of the Secrets the kustomizations render, each sealed
/// for the identity it is applied as. Everything is sealed before anything is written.
fn run_kustomize(args: &SealArgs, global: &Flags) -> Result<ExitCode, Error> {
    let mut cache = ConfigCache::default();
    // Every kustomization of the repository that renders a file decides its recipients, and
    // where it is applied, not only those named here: `verify` and `reseal -k` read the
    // repository the same way, so a Secret another overlay applies under another name is
    // refused here rather than failing there.
    let root = super::landing::root_of(&args.kustomize).expect("-k names folders");
    let entries = super::landing::entries(&root, &args.kustomize, true, &global.exclude)?;
    let mut survey = super::landing::survey(&root, entries, &mut cache, false)?;
    let by_file = super::landing::renders_of(&mut survey, &args.kustomize)?;
    let (mut sealed, mut unchanged) = (0, 0);
    let mut results = Vec::new();
    for (file, rendered) in &by_file {
        let input = super::input::Input {
            path: Some(file.clone()),
            walked: false,
        };
        let src = input.read()?;
        let loc = input.location();
        let policy = super::landing::policy_for_source(
            &input,
            &survey,
            &args.recipients,
            &args.scope,
            global,
            &mut cache,
        )?;
        let applied = crate::integrations::kustomize::applied_as(
            &src,
            &loc,
            rendered,
            policy.scope,
            policy.namespace.as_deref(),
        )?;
        let out = crate::manifest::seal::seal_applied_as(&src, &loc, &mut || Ok(policy.clone()), &applied)?;
        for note in &out.notes {
            say!("{note}");
        }
        for a in &applied {
            say!(
                "{}: Secret {} as {}{}",
                loc,
                a.source_name,
                a.namespace
                    .as_deref()
                    .map(|n| format!("{n}/"))
                    .unwrap_or_default(),
                a.name
            );
        }
        sealed += out.sealed;
        unchanged += out.unchanged;
        if out.text.as_str() != src.as_str() {
            results.push((file, out.text));
        }
    }
    for (file, text) in &results {
        write_atomic(file, text.as_bytes(), Perm::NewFile(0o644))?;
    }
    say!(
        "sealed {sealed} value{}, {unchanged} already sealed, in {} file{} that {} render{} ({} changed)",
        if sealed == 1 { "" } else { "s" },
        by_file.len(),
        if by_file.len() == 1 { "" } else { "s" },
        if args.kustomize.len() == 1 {
            "the kustomization"
        } else {
            "the kustomizations"
        },
        if args.kustomize.len() == 1 { "s" } else { "" },
        results.len()
    );
    Ok(ExitCode::Success)
}

row!(SealArgs, "seal", |a, flags, _| run(a, flags), takes: |a| (None, Some(&a.namespace), Some(&a.exclude)));
