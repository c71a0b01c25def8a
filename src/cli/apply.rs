//! `kseal apply`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::input::collect_inputs;
use super::policy::{config_rule, default_namespace};
use super::{ExcludeFlag, Flags, IdentityArgs, NamespaceFlag};
use crate::cluster::{self, apply};
use crate::config::ConfigCache;
use crate::error::{Error, ExitCode};
use crate::manifest::{open::open, sops};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DryRun {
    /// Apply (kubectl's word for no dry run).
    None,
    /// Open and check every object here, send nothing (kubectl's bare `--dry-run`).
    Client,
    /// Send every request with dryRun=All: the server validates and merges, and persists nothing.
    Server,
}

#[derive(Args, Debug)]
#[command(after_help = "\
Reads every document, opens every sealed value first (if one does not open, nothing is sent and the
exit code is 3), resolves each kind through API discovery, then server-side applies everything with
field manager `kseal`: namespaces first, then other cluster-scoped objects, then the rest. Prints
one line per object as kubectl does (`secret/db created`, `configured`, `unchanged`) and a summary.

Objects without metadata.namespace go to -n, else the namespace of the matching .kseal.yaml rule,
else the context's namespace, else `default`.

--diff sends a server dry run and prints, per Secret, which keys would be added (+), changed (~) or
removed (-), compared by hash: values are never shown. For other objects it says whether they would
change. Nothing is applied; the exit code is 1 when something would change, as with kubectl diff.

Objects are sent as the manifests say (a Secret's stringData stays stringData), as `kubectl apply
--server-side --field-manager=kseal` would send them: a field another manager owns is a conflict
(409) unless --force-conflicts. A key kseal applied before and the manifest no longer has is
removed, also one applied under stringData (which the API server keeps only under data).

kubectl's habits work: -f PATH (repeatable) as well as PATH, -k DIR renders a kustomization
with the real kustomize (or kubectl kustomize) and applies what it renders, --dry-run (bare:
client, as kubectl) or --dry-run=none|client|server, and --server-side (kseal always applies
server-side). In a folder, files that are no manifests (kustomization.yaml, Chart.yaml, a values
file: no document with apiVersion and kind) are skipped with a note.

Exit codes: 0 all applied, 1 --diff found changes, 2 bad input, 3 a value does not open, 4 an API
error (each one names the object, the verb and the server's reason; the other objects are still
applied).

Examples:
  kseal apply -i cluster.agekey manifests/
  kseal apply --identity-from-cluster --dry-run=server manifests/
  kseal apply -i cluster.agekey -k overlays/prod
  kubectl kseal apply --context prod -n shop --diff shop/")]
pub struct ApplyArgs {
    /// Files or folders (recursively: *.yaml, *.yml, *.json); `-` or nothing reads stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// A file or folder to apply, as kubectl's -f. Repeatable.
    #[arg(short = 'f', long = "filename", value_name = "PATH")]
    pub filenames: Vec<PathBuf>,
    /// Apply what the kustomization DIR renders (kustomize build, else kubectl kustomize), as
    /// kubectl's -k. Repeatable.
    #[arg(short = 'k', long = "kustomize", value_name = "DIR")]
    pub kustomize: Vec<PathBuf>,
    #[command(flatten)]
    pub identities: IdentityArgs,
    /// `server`: validate and merge on the server without persisting anything. `client` (or
    /// bare `--dry-run`): open and check everything here, send nothing. `none`: apply.
    #[arg(
        long,
        value_enum,
        value_name = "MODE",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "client"
    )]
    pub dry_run: Option<DryRun>,
    /// Accepted for kubectl's habit: kseal always applies server-side.
    #[arg(long)]
    pub server_side: bool,
    /// Show what would change (keys of Secrets, by hash), apply nothing.
    #[arg(long)]
    pub diff: bool,
    /// Take over fields that another field manager owns (otherwise such a change fails with 409).
    #[arg(long)]
    pub force_conflicts: bool,
    /// Drop a Secret's kubectl.kubernetes.io/last-applied-configuration annotation, left by an
    /// earlier client-side `kubectl apply` (it holds that apply's values in plain text).
    #[arg(long)]
    pub remove_last_applied: bool,
    /// Requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    #[command(flatten)]
    pub namespace: NamespaceFlag,
    #[command(flatten)]
    pub exclude: ExcludeFlag,
}

pub fn run(args: ApplyArgs, global: &Flags) -> Result<ExitCode, Error> {
    let (inputs, sources) = read_inputs(&args, global)?;
    let rt = cluster::runtime()?;
    rt.block_on(async {
        // Connecting reads the kubeconfig only; the first request is discovery, after opening.
        let cluster = cluster::connect(&global.target()).await?;
        let needs_key = sources
            .iter()
            .any(|(s, is_sops)| *is_sops || crate::manifest::holds_sealed_values(s));
        let identities = identities(&args.identities, &cluster, needs_key).await?;
        let mut cache = ConfigCache::default();
        let mut objects = Vec::new();
        for (input, (src, is_sops)) in inputs.iter().zip(&sources) {
            let (_, rule) = config_rule(&mut cache, input)?;
            // Where objects without a namespace go, and what their sealed values are bound to.
            let namespace =
                default_namespace(global, rule.as_ref()).unwrap_or_else(|| cluster.namespace.clone());
            let source = Source {
                loc: input.location(),
                src,
                is_sops: *is_sops,
                namespace: &namespace,
            };
            objects.extend(opened_objects(&source, &identities, global.namespace.as_deref())?);
        }
        if args.dry_run == Some(DryRun::Client) {
            return client_dry_run(&objects);
        }
        let opts = apply::Options {
            dry_run: args.dry_run == Some(DryRun::Server),
            diff: args.diff,
            force: args.force_conflicts,
            concurrency: usize::from(args.concurrency),
            remove_last_applied: args.remove_last_applied,
        };
        // Per object on a terminal: 2,000 objects take about 10 s.
        let mut progress = super::output::Progress::units(
            if args.diff { "diffing" } else { "applying" },
            objects.len(),
            "objects",
        );
        let report = apply::apply(&cluster, &objects, opts, &|| progress.add(1)).await;
        progress.finish();
        let report = report?;
        // The API server's own warnings, as kubectl prints them.
        let server_warnings = cluster.take_warnings();
        conclude(&report, objects.len(), &opts, &server_warnings)
    })
}

/// An input's text, and whether it is a SOPS file.
type Read = (zeroize::Zeroizing<String>, bool);

/// The inputs and their text, each with whether it is a SOPS file (decided once: it takes a
/// parse): the paths and -f files (files of a folder that are no manifests skipped, with a note),
/// then what each -k kustomization renders.
fn read_inputs(args: &ApplyArgs, global: &Flags) -> Result<(Vec<super::input::Input>, Vec<Read>), Error> {
    let mut paths = args.paths.clone();
    paths.extend(args.filenames.iter().cloned());
    let mut inputs = Vec::new();
    let mut sources = Vec::new();
    if !paths.is_empty() || args.kustomize.is_empty() {
        let mut skipped = Vec::new();
        for input in collect_inputs(&paths, &global.exclude)? {
            let src = input.read()?;
            if input.walked && !is_manifest(&input, &src) {
                skipped.push(input.label());
                continue;
            }
            let is_sops = sops::is_sops(&src);
            sources.push((src, is_sops));
            inputs.push(input);
        }
        if !skipped.is_empty() {
            say!(
                "skipped {} file{} that {} no manifest (kustomization, chart, values: no document with apiVersion and kind; use -k for a kustomization): {}",
                skipped.len(),
                if skipped.len() == 1 { "" } else { "s" },
                if skipped.len() == 1 { "is" } else { "are" },
                skipped.join(", ")
            );
        }
    }
    if inputs.is_empty() && args.kustomize.is_empty() {
        // As kubectl ("no objects passed to apply"): an empty folder is a mistake (a ConfigMap
        // volume that was never filled, the wrong path), never a successful apply of nothing.
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::usage(format!(
            "{}: no manifests to apply (no file with a document that has apiVersion and kind); nothing was sent",
            shown.join(", ")
        )));
    }
    for dir in &args.kustomize {
        let stream = crate::integrations::kustomize::build(dir)?;
        let is_sops = sops::is_sops(&stream);
        sources.push((stream, is_sops));
        inputs.push(super::input::Input {
            path: Some(dir.join("kustomization.yaml")),
            walked: false,
        });
    }
    Ok((inputs, sources))
}

/// Whether a file found in a folder is something kubectl would apply: not a kustomization or a
/// chart's `Chart.yaml`, and at least one document with apiVersion and kind (a values file has
/// none). A file that does not parse is kept: applying it says why it cannot be.
fn is_manifest(input: &super::input::Input, src: &str) -> bool {
    let name = input
        .path
        .as_deref()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("");
    if crate::integrations::landings::KUSTOMIZATION_FILES.contains(&name) || name == "Chart.yaml" {
        return false;
    }
    match crate::manifest::tree::parse(src) {
        Ok(docs) => docs
            .iter()
            .filter_map(|d| d.root.as_ref())
            .any(|r| r.get("kind").is_some() || r.get("apiVersion").is_some() || r.get("items").is_some()),
        Err(_) => true,
    }
}

/// `--dry-run=client`: every object was opened and checked; nothing is sent.
fn client_dry_run(objects: &[apply::Object]) -> Result<ExitCode, Error> {
    let mut out = String::new();
    for o in objects {
        out.push_str(&format!("{}/{} (dry run)\n", o.kind.to_lowercase(), o.name));
    }
    super::output::write_stdout(out.as_bytes())?;
    say!(
        "{} object{} opened and checked (client dry run, nothing sent)",
        objects.len(),
        if objects.len() == 1 { "" } else { "s" }
    );
    Ok(ExitCode::Success)
}

/// The identities that open the inputs: from the cluster, from `-i`, or none when nothing is
/// sealed.
async fn identities(
    args: &IdentityArgs,
    cluster: &cluster::Cluster,
    needs_key: bool,
) -> Result<Vec<crate::crypto::Identity>, Error> {
    if args.identity_from_cluster {
        cluster::keys::identities(cluster).await
    } else if !args.files.is_empty() || needs_key {
        crate::keyfiles::load_identities(&args.files).map_err(|e| {
            if args.files.is_empty() {
                Error::usage("these manifests hold sealed values: pass -i FILE, set KSEAL_IDENTITY_FILE, or use --identity-from-cluster")
            } else {
                e
            }
        })
    } else {
        Ok(Vec::new())
    }
}

/// One input to apply.
struct Source<'a> {
    loc: crate::error::Location,
    src: &'a str,
    is_sops: bool,
    /// Where its objects without a namespace go.
    namespace: &'a str,
}

/// The objects of one input, opened, each Secret checked against what was opened (one parse, one
/// truth); `-n` must agree with the namespaces the objects name, as kubectl requires.
fn opened_objects(
    source: &Source<'_>,
    identities: &[crate::crypto::Identity],
    flag: Option<&str>,
) -> Result<Vec<apply::Object>, Error> {
    let loc = &source.loc;
    let (text, opened_secrets) = if source.is_sops {
        (sops::open(source.src, loc, identities, false)?.text, None)
    } else {
        let opened = open(source.src, loc, identities, Some(source.namespace))?;
        (opened.text, Some(opened.secrets))
    };
    let mut objects = apply::objects_of(&text, loc)?;
    if let Some(opened) = &opened_secrets {
        apply::check_one_truth(opened, &objects, loc)?;
    }
    for o in &mut objects {
        let ns = o.value["metadata"].get("namespace").and_then(|n| n.as_str());
        if let (Some(flag), Some(ns)) = (flag, ns) {
            if flag != ns {
                // kubectl's own words for the same mistake.
                return Err(Error::input(
                    o.origin.clone(),
                    format!(
                        "the namespace from the provided object \"{ns}\" does not match the namespace \"{flag}\". You must pass '--namespace={ns}' to perform this operation."
                    ),
                ));
            }
        }
        if o.value["metadata"].get("namespace").is_none() {
            o.default_namespace = Some(source.namespace.to_string());
        }
    }
    Ok(objects)
}

/// What was applied on stdout, warnings and errors on stderr, and the exit code.
fn conclude(
    report: &apply::Report,
    objects: usize,
    opts: &apply::Options,
    server_warnings: &[String],
) -> Result<ExitCode, Error> {
    let mut out = String::new();
    for line in &report.lines {
        out.push_str(line);
        out.push('\n');
    }
    super::output::write_stdout(out.as_bytes())?;
    for w in server_warnings {
        eprintln!("Warning: {w}");
    }
    for w in &report.warnings {
        say!("warning: {w}");
    }
    for e in &report.errors {
        say!("error: {e}");
    }
    let counts: Vec<String> = report.counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    say!(
        "{} object{}: {}{}{}",
        objects,
        if objects == 1 { "" } else { "s" },
        if counts.is_empty() {
            "none applied".to_string()
        } else {
            counts.join(", ")
        },
        if report.errors.is_empty() {
            String::new()
        } else {
            format!(", {} failed", report.errors.len())
        },
        if opts.diff {
            " (diff only, nothing applied)"
        } else if opts.dry_run {
            " (server dry run, nothing persisted)"
        } else {
            ""
        },
    );
    let would_change = report.counts.iter().any(|(k, n)| *n > 0 && *k != "unchanged");
    Ok(if !report.errors.is_empty() {
        ExitCode::Cluster
    } else if opts.diff && would_change {
        // As `kubectl diff`: 1 when something would change.
        ExitCode::Findings
    } else {
        ExitCode::Success
    })
}

row!(ApplyArgs, "apply", |a, flags, _| run(a, flags), takes: |a| (Some(&a.identities.kube), Some(&a.namespace), Some(&a.exclude)));
