//! `kseal import-sealedsecret`.

use std::path::PathBuf;

use clap::Args;
use zeroize::Zeroizing;

use super::input::collect_inputs_to_write;
use super::output::{join_stream, write_imported};
use super::policy::policy_announced;
use super::{ExcludeFlag, Flags, KubeFlags, NamespaceFlag, RecipientArgs, ScopeArgs};
use crate::config::ConfigCache;
use crate::error::{Error, ExitCode, Location};
use crate::manifest::{seal::seal, sealedsecret};

#[derive(Args, Debug)]
#[command(after_help = "\
Turns Bitnami SealedSecrets (bitnami.com/v1alpha1) into kseal-sealed v1 Secrets: each value of
spec.encryptedData is opened with the sealed-secrets controller's private key and sealed to the
recipients (-r/-R, else .kseal.yaml). The new Secret keeps spec.template's labels, annotations and
type. Scopes map one to one: strict -> strict, namespace-wide -> namespace, cluster-wide -> cluster
(so there is no --scope). The plaintext exists only in memory.

The controller key is what this prints (one or several keys; a plain PEM file works too), into a
file only you may read (kseal refuses it otherwise):
  (umask 077; kubectl get secret -n kube-system -o yaml \\
    -l sealedsecrets.bitnami.com/sealed-secrets-key > controller-keys.yaml)

Or, with no key file on disk at all, --controller-keys-from-cluster reads them from the cluster
(get/list on those Secrets in kube-system, or --controller-namespace).

A folder is walked as a repository is: files without a SealedSecret are left as they are and
counted, so one -w run over the root migrates it and a second run changes nothing.

Examples:
  kseal import-sealedsecret --controller-key controller-keys.yaml -R keys/prod.pub \\
    db.sealedsecret.yaml > db.yaml
  kseal import-sealedsecret --controller-key controller-keys.yaml -w manifests/
  kseal import-sealedsecret --controller-keys-from-cluster --context prod -w .")]
pub struct ImportSealedSecretArgs {
    /// SealedSecret files or folders (recursively: *.yaml, *.yml, *.json); `-` reads stdin.
    #[arg(value_name = "FILE", required = true)]
    pub paths: Vec<PathBuf>,
    /// The controller's private keys: PEM, or the YAML of its key Secrets (see below); refused
    /// when group or others can read it (`chmod 600`), as identity files are.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "controller_keys_from_cluster"
    )]
    pub controller_key: Option<PathBuf>,
    /// Read the controller's keys from the cluster (the Secrets labelled
    /// sealedsecrets.bitnami.com/sealed-secrets-key), into memory only: no key file on disk.
    #[arg(long, conflicts_with = "controller_key")]
    pub controller_keys_from_cluster: bool,
    /// With --controller-keys-from-cluster: the controller's namespace.
    #[arg(
        long,
        value_name = "NS",
        default_value = "kube-system",
        requires = "controller_keys_from_cluster"
    )]
    pub controller_namespace: String,
    #[command(flatten)]
    pub recipients: RecipientArgs,
    /// Replace each file in place (atomically) instead of printing to stdout.
    #[arg(short, long)]
    pub write: bool,
    #[command(flatten)]
    pub namespace: NamespaceFlag,
    #[command(flatten)]
    pub exclude: ExcludeFlag,
    #[command(flatten)]
    pub kube: KubeFlags,
}

/// The controller's keys from the cluster (into memory only).
#[cfg(feature = "cluster")]
fn keys_from_cluster(namespace: &str, global: &Flags) -> Result<Vec<sealedsecret::RsaPrivateKey>, Error> {
    let rt = crate::cluster::runtime()?;
    let pems = rt.block_on(async {
        let c = crate::cluster::connect(&global.target()).await?;
        crate::cluster::keys::sealed_secrets_keys(&c, namespace).await
    })?;
    let loc = Location::file(format!("the controller's key Secrets in namespace {namespace}"));
    sealedsecret::rsa_keys(&pems, &loc)
}

#[cfg(not(feature = "cluster"))]
fn keys_from_cluster(_: &str, _: &Flags) -> Result<Vec<sealedsecret::RsaPrivateKey>, Error> {
    Err(Error::usage(
        "--controller-keys-from-cluster: this kseal was built without the `cluster` feature",
    ))
}

/// The controller's keys from a file (PEM, or its key Secrets as kubectl prints them).
fn keys_from_file(path: &std::path::Path) -> Result<Vec<sealedsecret::RsaPrivateKey>, Error> {
    let key_loc = Location::file(path.display().to_string());
    // Refused as an identity file is (issue 40: it was only warned about): the controller's keys
    // open every SealedSecret the cluster ever had.
    crate::keyfiles::check_key_file_mode(path, "controller key file").map_err(|mut e| {
        e.message
            .push_str("; and delete it when the migration is done (or use --controller-keys-from-cluster)");
        e
    })?;
    // The controller's private keys: wiped from memory when done.
    let key_text = std::fs::read_to_string(path).map(Zeroizing::new).map_err(|e| {
        Error::input(key_loc.clone(), format!("cannot read the controller key: {e}")).with_source(e)
    })?;
    let keys = sealedsecret::controller_keys(&key_text, &key_loc)?;
    Ok(keys)
}

pub fn run(args: ImportSealedSecretArgs, global: &Flags) -> Result<ExitCode, Error> {
    super::recipients::explicit_recipients(&args.recipients)?;
    let keys = match &args.controller_key {
        Some(path) => keys_from_file(path)?,
        None => keys_from_cluster(&args.controller_namespace, global)?,
    };
    let inputs = collect_inputs_to_write(&args.paths, args.write, &global.exclude)?;
    let mut cache = ConfigCache::default();
    let mut results = Vec::with_capacity(inputs.len());
    let mut left = 0;
    let mut report = Report::default();
    for input in &inputs {
        let src = input.read()?;
        let loc = input.location();
        // A folder holds more than SealedSecrets (kustomization.yaml, Deployments, files already
        // imported): those are left as they are, so a repository migrates in one run and a second
        // run changes nothing. A file named on the command line must hold one.
        if input.walked && !sealedsecret::holds_sealed_secret(&src) {
            left += 1;
            continue;
        }
        // The scope comes from each SealedSecret, so only recipients and namespace from the policy.
        let policy = policy_announced(
            input,
            &args.recipients,
            &ScopeArgs::default(),
            global,
            &mut cache,
            Some("each SealedSecret's own scope (strict, namespace-wide -> namespace, cluster-wide -> cluster)"),
        )?;
        let imported = sealedsecret::import(&src, &loc, &keys, policy.namespace.as_deref())?;
        if imported.iter().all(|i| i.scope.is_none()) {
            return Err(sealedsecret::none_in(&loc));
        }
        let mut text = Zeroizing::new(String::new());
        let mut count = 0;
        for one in &imported {
            let Some(scope) = one.scope else {
                join_stream(&mut text, &one.secret);
                continue;
            };
            let mut p = policy.clone();
            p.scope = scope;
            join_stream(&mut text, &seal(&one.secret, &loc, &p)?.text);
            count += 1;
        }
        // kubeseal writes JSON with `-o json`: a JSON file stays JSON (one object, or a List).
        if src.trim_start().starts_with(['{', '[']) {
            text = as_json(&text, &loc)?;
        }
        let values: usize = imported.iter().map(|i| i.values).sum();
        let scopes = scope_counts(&imported);
        let dropped: usize = imported.iter().map(|i| i.comments_dropped).sum();
        say!(
            "{}: {count} SealedSecret{} imported ({scopes}), {values} value{} sealed{}",
            input.label(),
            if count == 1 { "" } else { "s" },
            if values == 1 { "" } else { "s" },
            if dropped > 0 {
                format!(
                    "; not carried over: {dropped} comment line{} inside them",
                    if dropped == 1 { "" } else { "s" }
                )
            } else {
                String::new()
            }
        );
        report.secrets += count;
        report.values += values;
        report.all.extend(imported.iter().filter_map(|i| i.scope));
        results.push((input, text));
    }
    // Said once the files are written (issue 40: it was said before, then interrupted).
    write_imported(&results, args.write)?;
    if left > 0 || results.len() > 1 {
        say!(
            "{} file{} imported: {} SealedSecret{} ({}), {} value{}; {left} file{} without a SealedSecret left as {}",
            results.len(),
            if results.len() == 1 { "" } else { "s" },
            report.secrets,
            if report.secrets == 1 { "" } else { "s" },
            scope_counts_of(&report.all),
            report.values,
            if report.values == 1 { "" } else { "s" },
            if left == 1 { "" } else { "s" },
            if left == 1 { "it was" } else { "they were" }
        );
    }
    Ok(ExitCode::Success)
}

/// A YAML stream of converted documents as JSON: the one object, or a `v1` `List` of several.
fn as_json(yaml: &str, file: &Location) -> Result<Zeroizing<String>, Error> {
    let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(yaml)
        .map_err(|e| Error::input(file.clone(), format!("cannot write the result as JSON: {e}")))?;
    let docs: Vec<serde_json::Value> = docs.into_iter().filter(|d| !d.is_null()).collect();
    let value = match <[serde_json::Value; 1]>::try_from(docs) {
        Ok([one]) => one,
        Err(items) => serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items}),
    };
    let mut out = Zeroizing::new(serde_json::to_string_pretty(&value).expect("a JSON value serializes"));
    out.push('\n');
    Ok(out)
}

/// The migration's totals, for the report at the end.
#[derive(Default)]
struct Report {
    secrets: usize,
    values: usize,
    all: Vec<crate::crypto::Scope>,
}

fn scope_counts(imported: &[sealedsecret::Imported]) -> String {
    let scopes: Vec<crate::crypto::Scope> = imported.iter().filter_map(|i| i.scope).collect();
    scope_counts_of(&scopes)
}

/// `strict 2, namespace 1`: how many of each scope, in the order of the format's scopes.
fn scope_counts_of(scopes: &[crate::crypto::Scope]) -> String {
    use crate::crypto::Scope;
    [Scope::Strict, Scope::Namespace, Scope::Cluster]
        .iter()
        .filter_map(|s| {
            let n = scopes.iter().filter(|x| *x == s).count();
            (n > 0).then(|| format!("{s} {n}"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

row!(ImportSealedSecretArgs, "import-sealedsecret", |a, flags, _| run(a, flags), takes: |a| (Some(&a.kube), Some(&a.namespace), Some(&a.exclude)));
