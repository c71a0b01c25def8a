//! `kseal krm`: the kustomize KRM exec function (see `manifest::krm`).

use std::io::Read;

use clap::Args;

use super::output::write_stdout;
use super::{Flags, IdentityArgs, NamespaceFlag};
use crate::error::{Error, ExitCode};
use crate::manifest::krm;

#[derive(Args, Debug)]
#[command(after_help = "\
Two kustomize protocols. As an exec plugin (what `kubectl kustomize --enable-alpha-plugins` runs):
kustomize calls `$XDG_CONFIG_HOME/kustomize/plugin/kseal.dev/v1/open/Open CONFIG` with the resources
as a YAML stream on stdin; install deploy/kustomize/plugin/kseal.dev/v1/open/Open there (it runs
`kseal krm \"$@\"`) and list a config `{apiVersion: kseal.dev/v1, kind: Open, metadata: {name: x},
spec: {identities: [...]}}` under `transformers:`. As a KRM function (standalone kustomize with
--enable-exec, kpt): a ResourceList on stdin and stdout. Either way every sealed value of every
Secret is opened. Identities: -i / KSEAL_IDENTITY_FILE, or `spec.identities: [path, ...]` in the
config. A KRM function is run without arguments, so point it at deploy/kustomize/kseal-krm:

  # transformer.yaml, listed under `transformers:` in kustomization.yaml
  apiVersion: kseal.dev/v1
  kind: Open
  metadata:
    name: open-sealed-secrets
    annotations:
      config.kubernetes.io/function: |
        exec:
          path: ./kseal-krm
  spec:
    identities: [/keys/cluster.agekey]

  kubectl kustomize --enable-alpha-plugins --enable-exec .")]
pub struct KrmArgs {
    /// The plugin's config file, as kustomize's exec plugins are called (then stdin is a YAML
    /// stream, not a ResourceList).
    #[arg(value_name = "CONFIG")]
    pub config: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub identities: IdentityArgs,
    #[command(flatten)]
    pub namespace: NamespaceFlag,
}

pub fn run(args: KrmArgs, global: &Flags) -> Result<ExitCode, Error> {
    let mut text = zeroize::Zeroizing::new(String::new());
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| Error::io("<stdin>", &e))?;
    if let Some(config) = &args.config {
        return run_exec_plugin(&args, config, &text, global);
    }
    let mut list = crate::manifest::ZeroizingJson(krm::parse_list(&text)?);
    let mut files = args.identities.files.clone();
    files.extend(krm::configured_identities(&list).into_iter().map(Into::into));
    let identities = if args.identities.identity_from_cluster {
        args.identities.load(global)?
    } else {
        crate::keyfiles::load_identities(&files)?
    };
    let namespace = plugin_namespace(&list["functionConfig"], global);
    krm::open_items(&mut list, &identities, namespace.as_deref()).map_err(namespace_hint)?;
    let out = zeroize::Zeroizing::new(serde_json::to_string(&*list).expect("values serialize"));
    super::output::refuse_identity_leak(&out, &identities)?;
    write_stdout(out.as_bytes())?;
    Ok(ExitCode::Success)
}

/// kustomize's exec plugin protocol (what `kubectl kustomize --enable-alpha-plugins` runs): the
/// plugin's config file as the argument, the resources as a YAML stream on stdin and stdout. The
/// stream is opened in place, every other byte kept.
fn run_exec_plugin(
    args: &KrmArgs,
    config: &std::path::Path,
    stream: &str,
    global: &Flags,
) -> Result<ExitCode, Error> {
    let shown = config.display().to_string();
    let text = std::fs::read_to_string(config).map_err(|e| Error::io(&shown, &e))?;
    let config: serde_json::Value = serde_saphyr::from_str(&text)
        .map_err(|_| Error::input(crate::error::Location::file(&shown), "not a YAML plugin config"))?;
    let mut files = args.identities.files.clone();
    files.extend(
        krm::configured_identities(&serde_json::json!({ "functionConfig": config }))
            .into_iter()
            .map(Into::into),
    );
    let identities = if args.identities.identity_from_cluster {
        args.identities.load(global)?
    } else {
        crate::keyfiles::load_identities(&files)?
    };
    let namespace = plugin_namespace(&config, global);
    let opened = crate::manifest::open::open(
        stream,
        &crate::error::Location::file("<kustomize>"),
        &identities,
        namespace.as_deref(),
    )
    .map_err(namespace_hint)?;
    super::output::refuse_identity_leak(&opened.text, &identities)?;
    write_stdout(opened.text.as_bytes())?;
    Ok(ExitCode::Success)
}

/// The namespace for Secrets that name none: the config's `spec.namespace`, else `-n`, else
/// `ARGOCD_APP_NAMESPACE` (what Argo CD sets for the Application's destination). Never a silent
/// `default`: a Secret that names no namespace is applied wherever the caller says.
fn plugin_namespace(config: &serde_json::Value, global: &Flags) -> Option<String> {
    config["spec"]["namespace"]
        .as_str()
        .map(str::to_string)
        .or_else(|| global.namespace.clone())
        .or_else(|| {
            std::env::var("ARGOCD_APP_NAMESPACE")
                .ok()
                .filter(|n| !n.is_empty())
        })
}

/// Says where a plugin's namespace comes from, when a value needed one, and what to do when a
/// value was sealed for a name the kustomization changes.
fn namespace_hint(e: Error) -> Error {
    let mut e = crate::integrations::kustomize::renamed_hint(e, "OVERLAY");
    if crate::manifest::needs_namespace(&e) {
        e.message.push_str(
            "; as a kustomize plugin: `spec.namespace` in its config, or ARGOCD_APP_NAMESPACE (set by Argo CD)",
        );
    }
    e
}

row!(KrmArgs, "krm", |a, flags, _| run(a, flags), takes: |a| (Some(&a.identities.kube), Some(&a.namespace), None));
