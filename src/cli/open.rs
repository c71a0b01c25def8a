//! `kseal open`.

use std::path::PathBuf;

use clap::Args;
use zeroize::Zeroizing;

use super::input::{collect_inputs, each_input, Outcome};
use super::output::{write_rendered, Perm};
use super::policy::{config_rule, default_namespace};
use super::{ExcludeFlag, Flags, IdentityArgs, NamespaceFlag};
use crate::config::ConfigCache;
use crate::error::{Error, ExitCode};
use crate::manifest::open::open;
use crate::manifest::sops;

#[derive(Args, Debug)]
#[command(after_help = "\
Every sealed value is opened in memory and written as a plain (double-quoted) value in the same
field: data values as base64, stringData values as text. Everything else passes through as it was.
If any value fails to open, nothing at all is printed and the exit code is 3.

SOPS files (YAML or JSON, data key encrypted to age) are opened too: the MAC is checked, values
get their types back and the `sops` block is removed. Use `kseal import-sops` to convert them.

The plain manifests go to stdout, never to a file unless you name one with -o (created mode 0600).

Namespace of a Secret without metadata.namespace (strict and namespace scope): -n, else the
matching .kseal.yaml rule's. For stdin only -n: stdin is how Helm runs a post-renderer, and helm
passes its --namespace to no post-renderer, so a rule's namespace could open a Secret for a
namespace helm was not asked for (--post-renderer-args -n --post-renderer-args NS).

Examples:
  kseal open -i cluster.agekey manifests/ | kubectl apply -f -
  KSEAL_IDENTITY_FILE=/keys/cluster.agekey kseal open app.yaml")]
pub struct OpenArgs {
    /// Files or folders (recursively: *.yaml, *.yml, *.json); `-` or nothing reads stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub identities: IdentityArgs,
    /// Open SOPS files even when their MAC does not match (the values may have been altered).
    #[arg(long)]
    pub ignore_mac: bool,
    /// Write the plain manifests to FILE (mode 0600) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub namespace: NamespaceFlag,
    #[command(flatten)]
    pub exclude: ExcludeFlag,
}

pub fn run(args: OpenArgs, global: &Flags) -> Result<ExitCode, Error> {
    if let Some(o) = &args.output {
        super::output_file(o)?;
    }
    let identities = args.identities.load(global)?;
    let inputs = collect_inputs(&args.paths, &global.exclude)?;
    let mut cache = ConfigCache::default();
    let done = each_input(&inputs, Some("opening"), false, |input, src| {
        let (_, rule) = config_rule(&mut cache, input)?;
        // Stdin is how Helm runs a post-renderer, and helm tells it nothing of its --namespace:
        // a rule's namespace would open (and write into the output) a namespace helm was not
        // asked for. Only -n says where stdin's Secrets without a namespace go (issue 37).
        let rule = rule.filter(|_| input.path.is_some());
        let namespace = default_namespace(global, rule.as_ref());
        if sops::is_sops(src) {
            let opened = sops::open(src, &input.location(), &identities, args.ignore_mac)?;
            for w in &opened.warnings {
                say!("warning: {w}");
            }
            Ok((opened.text, 0))
        } else {
            let opened = open(src, &input.location(), &identities, namespace.as_deref()).map_err(|e| {
                if input.path.is_none() {
                    post_renderer_hint(e)
                } else {
                    e
                }
            })?;
            Ok((opened.text, opened.opened))
        }
    })?;
    let texts: Vec<Zeroizing<String>> = done
        .into_iter()
        .filter_map(|(_, o)| match o {
            Outcome::Done(text) => Some(text),
            Outcome::Unparseable(_) => None,
        })
        .collect();
    for t in &texts {
        super::output::refuse_identity_leak(t, &identities)?;
    }
    write_rendered(
        &texts.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        args.output.as_deref(),
        Perm::Private,
    )?;
    Ok(ExitCode::Success)
}

/// Stdin without a namespace is how Helm runs a post-renderer (charts rarely set
/// `metadata.namespace`): say the exact arguments, since helm passes its `--namespace` to no
/// post-renderer.
fn post_renderer_hint(mut e: Error) -> Error {
    if crate::manifest::needs_namespace(&e) {
        e.message.push_str(
            "; as a Helm post-renderer: --post-renderer kseal --post-renderer-args open \
             --post-renderer-args -n --post-renderer-args NAMESPACE (helm passes its --namespace to no post-renderer)",
        );
    }
    e
}

row!(OpenArgs, "open", |a, flags, _| run(a, flags), takes: |a| (Some(&a.identities.kube), Some(&a.namespace), Some(&a.exclude)));
