//! The command line: clap definitions and dispatch, one file per command. `kseal` and
//! `kubectl-kseal` share all of it; only the name in help and messages differs.

/// A line on stderr, prefixed with the program's name as the user typed it (`kseal`, or
/// `kubectl kseal` when run as the kubectl plugin).
macro_rules! say {
    ($($arg:tt)*) => {{
        $crate::cli::output::clear_progress();
        eprintln!("{}: {}", $crate::cli::program(), $crate::cli::as_typed(&format!($($arg)*)))
    }};
}

/// A command's [`Row`] (below) in one item: its arguments' type, its name, how it runs (a
/// closure of the arguments, the resolved flags and the program's name), and, when it takes any,
/// the shared flags it takes (`kube`, `namespace`, `exclude`: each `Some(&...)` or `None`).
macro_rules! row {
    ($args:ty, $name:literal, $run:expr $(, takes: |$a:ident| ($kube:expr, $ns:expr, $ex:expr))?) => {
        impl $crate::cli::Row for $args {
            const NAME: &'static str = $name;
            $(
                fn takes(&self) -> $crate::cli::Takes<'_> {
                    let $a = self;
                    $crate::cli::Takes::new($kube, $ns, $ex)
                }
            )?
            fn run(
                self,
                flags: &$crate::cli::Flags,
                bin_name: &'static str,
            ) -> Result<$crate::error::ExitCode, $crate::error::Error> {
                let run: fn(Self, &$crate::cli::Flags, &'static str) -> Result<$crate::error::ExitCode, $crate::error::Error> = $run;
                run(self, flags, bin_name)
            }
        }
    };
}

#[cfg(feature = "cluster")]
mod apply;
#[cfg(feature = "cluster")]
mod cluster;
mod completions;
#[cfg(feature = "cluster")]
mod controller;
mod convert;
mod credentials;
mod edit;
#[cfg(feature = "scan")]
mod hook;
mod import_sealedsecret;
mod import_sops;
mod input;
mod keygen;
mod krm;
mod landing;
mod ls;
mod open;
mod output;
mod policy;
mod recipients;
mod render;
mod reseal;
#[cfg(feature = "scan")]
mod scan;
mod seal;
mod set;
mod textconv;
mod verify;
mod version;
#[cfg(feature = "cluster")]
mod webhook;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::crypto::Scope;
use crate::error::{Error, ExitCode};

const ABOUT: &str = "Keep Kubernetes Secrets in git: seal each value to a cluster's public key, open them with its private key.";

const LONG_ABOUT: &str = "\
Keep Kubernetes Secrets in git.

kseal encrypts each value of a Secret's data/stringData to a cluster's public key (X25519, age key
format) and leaves every other byte of the file as it was, so reviews and diffs still work. Only the
cluster's private key opens the values again.

Typical use:
  kseal keygen -o cluster.agekey              # once, by whoever holds the cluster key
  kseal seal -r age1... -w secret.yaml        # developer, before committing
  kseal verify -r age1... manifests/          # CI: everything sealed, to the right key
  kseal open -i cluster.agekey manifests/ | kubectl apply -f -
  kseal apply -i cluster.agekey manifests/    # or --identity-from-cluster; server-side apply
  kseal edit -i cluster.agekey secret.yaml    # key holders: change values in $EDITOR
  kseal scan --worktree                       # plaintext Secrets in the files on disk

kubectl's flags (--kubeconfig, --context, --request-timeout, -n) may also come before the command,
as `kubectl kseal --context prod apply ...`; each command's --help lists those it takes.

Exit codes: 0 success, 1 findings (verify, scan), 2 usage or input error, 3 crypto failure (wrong key,
tampered value), 4 cluster/API error.";

#[derive(Parser, Debug)]
#[command(version, about = ABOUT, long_about = LONG_ABOUT, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub before: Before,
    #[command(subcommand)]
    pub command: Command,
}

/// kubectl's flags may come before the command (`kubectl kseal --context prod apply ...`), for
/// the commands that take them; each command lists its own.
#[derive(Args, Debug, Clone, Default)]
pub struct Before {
    #[command(flatten)]
    pub kube: KubeFlags,
    #[command(flatten)]
    pub namespace: NamespaceFlag,
}

/// Per argument, not per struct: a struct's heading would carry over to the options after it.
const CLUSTER_OPTIONS: &str = "Cluster options";

/// How to reach the cluster, as kubectl's flags: on the commands that talk to a cluster (and
/// those that can read keys from it), and before any command.
#[derive(Args, Debug, Clone, Default)]
pub struct KubeFlags {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, value_name = "FILE", help_heading = CLUSTER_OPTIONS)]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use.
    #[arg(long, value_name = "NAME", help_heading = CLUSTER_OPTIONS)]
    pub context: Option<String>,
    /// How long one API request may take before it fails, as kubectl's flag: `30s` (the
    /// default), `2m`; `0` waits forever.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, help_heading = CLUSTER_OPTIONS)]
    pub request_timeout: Option<std::time::Duration>,
}

/// `-n`: on the commands that seal, open or check Secrets.
#[derive(Args, Debug, Clone, Default)]
pub struct NamespaceFlag {
    /// Namespace for Secrets without metadata.namespace (overrides the .kseal.yaml rule).
    #[arg(short = 'n', long, value_name = "NS")]
    pub namespace: Option<String>,
}

/// `--exclude`: on the commands that walk folders.
#[derive(Args, Debug, Clone, Default)]
pub struct ExcludeFlag {
    /// Leave out of folder walks the files matching GLOB (below the folder named, or by file
    /// name). Repeatable. `.gitignore` and the `ignore:` list of .kseal.yaml are honoured too.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
}

/// The kubectl-style flags of the command being run, from its own flags and those given before
/// it (its own win).
#[derive(Debug, Clone, Default)]
#[cfg_attr(not(feature = "cluster"), allow(dead_code))] // the cluster ones, then, only get parsed
pub struct Flags {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub namespace: Option<String>,
    pub exclude: Vec<String>,
    pub request_timeout: std::time::Duration,
}

/// Which of the shared flags a command takes: its own copies of them.
#[derive(Default, Clone, Copy)]
struct Takes<'a> {
    kube: Option<&'a KubeFlags>,
    namespace: Option<&'a NamespaceFlag>,
    exclude: Option<&'a ExcludeFlag>,
}

impl<'a> Takes<'a> {
    fn new(
        kube: Option<&'a KubeFlags>,
        namespace: Option<&'a NamespaceFlag>,
        exclude: Option<&'a ExcludeFlag>,
    ) -> Self {
        Takes {
            kube,
            namespace,
            exclude,
        }
    }
}

/// A command's row, implemented beside its arguments in its own module: its name, the shared
/// flags it takes (`kube` where it talks to a cluster or can read keys there, `namespace` where it
/// seals, opens or checks Secrets, `exclude` where it walks folders; a flag given before a command
/// that does not take it is refused), and how it runs. Adding a command is its module, a variant
/// of [`Command`] and one arm of [`run`]'s match.
trait Row: Sized {
    const NAME: &'static str;
    fn takes(&self) -> Takes<'_> {
        Takes::default()
    }
    fn run(self, flags: &Flags, bin_name: &'static str) -> Result<ExitCode, Error>;
}

/// Resolves the flags `row` takes (its own, else those given before it) and runs it.
fn dispatch<R: Row>(row: R, before: &Before, bin_name: &'static str) -> Result<ExitCode, Error> {
    let flags = before.flags(R::NAME, row.takes())?;
    row.run(&flags, bin_name)
}

impl Before {
    /// The flags for `command`; a flag given before a command that does not take it is an error
    /// rather than silently ignored (`kseal --context prod keygen`).
    fn flags(&self, command: &str, takes: Takes) -> Result<Flags, Error> {
        let top = &self.kube;
        let given_before = [
            ("--kubeconfig", top.kubeconfig.is_some(), takes.kube.is_some()),
            ("--context", top.context.is_some(), takes.kube.is_some()),
            (
                "--request-timeout",
                top.request_timeout.is_some(),
                takes.kube.is_some(),
            ),
            (
                "--namespace",
                self.namespace.namespace.is_some(),
                takes.namespace.is_some(),
            ),
        ];
        if let Some((flag, ..)) = given_before.iter().find(|(_, given, taken)| *given && !taken) {
            return Err(Error::usage(format!(
                "{flag} does not apply to `{} {command}` (see `{} {command} --help`)",
                program(),
                program()
            )));
        }
        let own = takes.kube.cloned().unwrap_or_default();
        Ok(Flags {
            kubeconfig: own.kubeconfig.or_else(|| top.kubeconfig.clone()),
            context: own.context.or_else(|| top.context.clone()),
            request_timeout: own
                .request_timeout
                .or(top.request_timeout)
                .unwrap_or(std::time::Duration::from_secs(30)),
            namespace: takes
                .namespace
                .and_then(|n| n.namespace.clone())
                .or_else(|| self.namespace.namespace.clone()),
            exclude: takes.exclude.map(|e| e.exclude.clone()).unwrap_or_default(),
        })
    }
}

/// kubectl's `--request-timeout` values: a bare number is seconds, else a duration (`30s`, `2m`).
fn parse_timeout(s: &str) -> Result<std::time::Duration, String> {
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(std::time::Duration::from_secs(secs));
    }
    humantime::parse_duration(s).map_err(|e| format!("{e} (expected e.g. 30s, 2m or 0)"))
}

#[cfg(feature = "cluster")]
impl Flags {
    /// The cluster these flags name (kubeconfig, context, namespace).
    pub fn target(&self) -> crate::cluster::Target {
        crate::cluster::Target {
            kubeconfig: self.kubeconfig.clone(),
            context: self.context.clone(),
            namespace: self.namespace.clone(),
            request_timeout: Some(self.request_timeout).filter(|d| !d.is_zero()),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Generate a new X25519 identity in age format.
    Keygen(keygen::KeygenArgs),
    /// Seal every plaintext Secret value, changing nothing else in the file.
    Seal(seal::SealArgs),
    /// Seal one value (read from stdin or a file) into a Secret of a sealed file.
    Set(set::SetArgs),
    /// Render plain manifests on stdout: sealed values opened with your identities.
    Open(open::OpenArgs),
    /// Key rotation: open sealed values with the old key and seal them again to the current recipients.
    Reseal(reseal::ResealArgs),
    /// Edit a sealed file's values in $EDITOR; re-seals only what changed.
    Edit(edit::EditArgs),
    /// Open sealed manifests and server-side apply them to the cluster.
    #[cfg(feature = "cluster")]
    Apply(apply::ApplyArgs),
    /// The cluster's key pair, stored in the cluster: init, fetch-key, rotate-key, backup.
    #[cfg(feature = "cluster")]
    Cluster(cluster::ClusterArgs),
    /// Serve the mutating admission webhook that opens sealed Secrets as they are written.
    #[cfg(feature = "cluster")]
    Webhook(webhook::WebhookArgs),
    /// Run in the cluster: turn each KsealSecret into its Secret, with no inbound port.
    #[cfg(feature = "cluster")]
    Controller(controller::ControllerArgs),
    /// Check that every Secret value is sealed, well formed and to the right keys (no private key needed).
    Verify(verify::VerifyArgs),
    /// Switch sealed files between a Secret and a KsealSecret (for `kseal controller`); values unchanged.
    Convert(convert::ConvertArgs),
    /// Convert SOPS-encrypted Secrets (age) into kseal-sealed Secrets.
    ImportSops(import_sops::ImportSopsArgs),
    /// Convert Bitnami SealedSecrets into kseal-sealed Secrets, with the controller's private key.
    ImportSealedsecret(import_sealedsecret::ImportSealedSecretArgs),
    /// List sealed Secrets: file, name, scope, key ids, keys (no private key needed).
    Ls(ls::LsArgs),
    /// Print a file with sealed values as short placeholders, for `git diff` (diff.kseal.textconv).
    Textconv(textconv::TextconvArgs),
    /// Find plaintext Secrets in a repository's files, so leaks are found and rotated.
    #[cfg(feature = "scan")]
    Scan(scan::ScanArgs),
    /// Git hooks: `kseal hook install` adds a pre-commit hook running `kseal scan --staged`.
    #[cfg(feature = "scan")]
    Hook(hook::HookArgs),
    /// Print a shell completion script.
    Completions(completions::CompletionsArgs),
    /// Render an app (Kustomize, Helm or plain YAML) and open its sealed values: the Argo CD plugin.
    Render(render::RenderArgs),
    /// Kustomize KRM exec function: open the sealed Secrets of a ResourceList on stdin.
    Krm(krm::KrmArgs),
    /// Print kseal's version and the sealed value format it writes.
    Version(version::VersionArgs),
    /// Write a man page per command into DIR (for packagers).
    #[command(hide = true)]
    Man(completions::ManArgs),
    // completions/kubectl_complete-kseal runs it: the candidates for the last word, one per line,
    // then cobra's `:DIRECTIVE` line (completions::kubectl_complete).
    /// Complete a kubectl plugin command line (for kubectl_complete-kseal)
    #[command(name = "__complete", hide = true)]
    KubectlComplete(completions::KubectlCompleteArgs),
    /// Copy this binary into DIR (an init container of a shell-less image hands kseal to a sidecar).
    #[command(hide = true)]
    CopySelf(version::CopySelfArgs),
}

/// Which keys to seal to; shared by `seal` and `set`.
#[derive(Args, Debug, Clone, Default)]
pub struct RecipientArgs {
    /// Seal to this recipient (age1...). Repeatable: the value is sealed to each.
    #[arg(short = 'r', long = "recipient", value_name = "AGE1...")]
    pub recipients: Vec<String>,
    /// Seal to the recipients listed in FILE (one age1... per line, # comments). Repeatable.
    #[arg(short = 'R', long = "recipients-file", value_name = "FILE")]
    pub recipient_files: Vec<PathBuf>,
}

/// Identity files; shared by every command that opens values.
#[derive(Args, Debug, Clone, Default)]
pub struct IdentityArgs {
    /// Age identity file (may hold several keys), or a folder of *.agekey files (a mounted key
    /// Secret). Repeatable. Must not be readable by others.
    #[arg(
        short = 'i',
        long = "identity",
        value_name = "FILE",
        env = "KSEAL_IDENTITY_FILE"
    )]
    pub files: Vec<PathBuf>,
    /// Read the identities from the cluster's kseal-keys Secret (needs get on that one Secret).
    #[arg(long, conflicts_with = "files")]
    pub identity_from_cluster: bool,
    // For --identity-from-cluster: every command that opens values can read the keys there.
    #[command(flatten)]
    pub kube: KubeFlags,
}

impl IdentityArgs {
    pub fn load(&self, global: &Flags) -> Result<Vec<crate::crypto::Identity>, Error> {
        if self.identity_from_cluster {
            #[cfg(feature = "cluster")]
            {
                let rt = crate::cluster::runtime()?;
                return rt.block_on(async {
                    let c = crate::cluster::connect(&global.target()).await?;
                    crate::cluster::keys::identities(&c).await
                });
            }
            #[cfg(not(feature = "cluster"))]
            {
                let _ = global;
                return Err(Error::usage(
                    "--identity-from-cluster: this kseal was built without the `cluster` feature",
                ));
            }
        }
        crate::keyfiles::load_identities(&self.files)
    }
}

/// Scope selection; shared by `seal` and `set`.
#[derive(Args, Debug, Clone, Default)]
pub struct ScopeArgs {
    /// What a sealed value is bound to [default: the .kseal.yaml rule's, else strict].
    /// strict: namespace, Secret name and key. namespace: the namespace. cluster: nothing.
    #[arg(long, value_name = "SCOPE", value_parser = scope_parser())]
    pub scope: Option<Scope>,
}

/// `--scope`: the three names, listed in help and completions. The crypto core's `Scope` knows
/// nothing of clap; it parses with `FromStr`.
pub(super) fn scope_parser() -> impl clap::builder::TypedValueParser<Value = Scope> {
    use clap::builder::PossibleValue;
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new([
        PossibleValue::new("strict")
            .help("Bound to namespace, Secret name and key: the value opens only where it was sealed"),
        PossibleValue::new("namespace")
            .help("Bound to the namespace: the value may move between Secrets and keys of one namespace"),
        PossibleValue::new("cluster").help("Bound to nothing but the cluster key"),
    ])
    .map(|s| s.parse::<Scope>().expect("one of the listed names"))
}

static PROGRAM: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

/// The program's name as users type it: `kseal`, or `kubectl kseal` as the kubectl plugin.
pub fn program() -> &'static str {
    PROGRAM.get().copied().unwrap_or("kseal")
}

/// `-o yaml` / `-o json` is kubectl's and kubeseal's output *format* flag; in kseal `-o` names a
/// file. A bare format name would silently become a file called `yaml`: refuse it.
pub fn output_file(path: &std::path::Path) -> Result<(), Error> {
    let name = path.as_os_str().to_string_lossy();
    if ["yaml", "yml", "json", "wide", "name"].contains(&name.as_ref()) {
        return Err(Error::usage(format!(
            "-o {name}: in kseal, -o names an output FILE (kseal always writes YAML, or JSON for JSON input); \
             write `-o {name}.{}` or redirect stdout",
            if name == "json" { "json" } else { "yaml" }
        )));
    }
    Ok(())
}

/// `text` with the commands it suggests (`` `kseal reseal` ``) written as the user types them: as
/// the kubectl plugin, `` `kubectl kseal reseal` ``.
pub fn as_typed(text: &str) -> std::borrow::Cow<'_, str> {
    if program() == "kseal" {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.replace("`kseal ", &format!("`{} ", program())))
    }
}

/// `cmd` with every `kseal SUBCOMMAND` in help texts, examples and flag descriptions written as
/// `prefix SUBCOMMAND`. Only before a subcommand's name: "kseal encrypts" is the product's name.
fn rename_in_help(cmd: clap::Command, prefix: &'static str) -> clap::Command {
    let names: Vec<String> = cmd.get_subcommands().map(|c| c.get_name().to_string()).collect();
    let pattern = format!(r"(^|[\s`|&;(=])kseal ({})\b", names.join("|"));
    let re = regex::Regex::new(&pattern).expect("subcommand names make a valid expression");
    rename_with(cmd, prefix, &re)
}

fn rename_with(cmd: clap::Command, prefix: &'static str, re: &regex::Regex) -> clap::Command {
    let fix = |t: &clap::builder::StyledStr| {
        let fixed = re
            .replace_all(&t.to_string(), format!("${{1}}{prefix} ${{2}}").as_str())
            .into_owned();
        clap::builder::StyledStr::from(fixed)
    };
    let mut cmd = cmd;
    if let Some(t) = cmd.get_about().map(fix) {
        cmd = cmd.about(t);
    }
    if let Some(t) = cmd.get_long_about().map(fix) {
        cmd = cmd.long_about(t);
    }
    if let Some(t) = cmd.get_after_help().map(fix) {
        cmd = cmd.after_help(t);
    }
    cmd = cmd.mut_args(|a| {
        let a = match a.get_help().map(fix) {
            Some(h) => a.help(h),
            None => a,
        };
        match a.get_long_help().map(fix) {
            Some(h) => a.long_help(h),
            None => a,
        }
    });
    let names: Vec<String> = cmd.get_subcommands().map(|c| c.get_name().to_string()).collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, |c| rename_with(c, prefix, re));
    }
    cmd
}

/// Parses the command line and runs the command; returns the process exit code.
pub fn main_with_name(bin_name: &'static str) -> std::process::ExitCode {
    std::process::ExitCode::from(run_main(bin_name) as u8)
}

fn run_main(bin_name: &'static str) -> i32 {
    use clap::{CommandFactory, FromArgMatches};
    crate::hardening::no_core_dumps();
    crate::tune_allocator();
    // The name it was run by decides: `kseal` linked as `kubectl-kseal` is the kubectl plugin.
    let invoked = std::env::args_os().next().and_then(|a| {
        std::path::Path::new(&a)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
    });
    // One plugin name everywhere: the release archives, Homebrew and krew all install
    // `kubectl-kseal` (the krew index name is `kseal`: packaging/krew/README.md says why).
    let bin_name: &'static str = match invoked.as_deref() {
        Some("kubectl-kseal") => "kubectl-kseal",
        _ => bin_name,
    };
    // kubectl runs plugins as `kubectl-NAME`; help then shows `kubectl NAME`, as users type it.
    let shown: &'static str = match bin_name {
        "kubectl-kseal" => "kubectl kseal",
        other => other,
    };
    let _ = PROGRAM.set(shown);
    let command = if shown == bin_name {
        Cli::command()
    } else {
        rename_in_help(Cli::command(), shown)
    };
    let parsed = command
        .name(bin_name)
        .bin_name(shown)
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::Input as i32 } else { 0 };
        }
    };
    match run(cli, bin_name) {
        Ok(code) => code as i32,
        Err(e) if is_broken_pipe(&e) => 0,
        Err(e) => {
            // Messages never hold a secret key by construction; this is the last guard anyway.
            let shown = e.to_string();
            say!("error: {}", crate::crypto::keys::redact_secret_keys(&shown));
            e.exit_code() as i32
        }
    }
}

/// A closed stdout (`kseal open | head`) is the reader's choice, not an error: found through the
/// error chain, as ripgrep does.
fn is_broken_pipe(e: &Error) -> bool {
    e.has_io_kind(std::io::ErrorKind::BrokenPipe)
}

/// Runs a parsed command line: each command's row says its name, the flags it takes and how
/// it runs.
pub fn run(cli: Cli, bin_name: &'static str) -> Result<ExitCode, Error> {
    let b = &cli.before;
    match cli.command {
        Command::Keygen(a) => dispatch(a, b, bin_name),
        Command::Seal(a) => dispatch(a, b, bin_name),
        Command::Set(a) => dispatch(a, b, bin_name),
        Command::Open(a) => dispatch(a, b, bin_name),
        Command::Reseal(a) => dispatch(a, b, bin_name),
        Command::Edit(a) => dispatch(a, b, bin_name),
        #[cfg(feature = "cluster")]
        Command::Apply(a) => dispatch(a, b, bin_name),
        #[cfg(feature = "cluster")]
        Command::Cluster(a) => dispatch(a, b, bin_name),
        #[cfg(feature = "cluster")]
        Command::Webhook(a) => dispatch(a, b, bin_name),
        #[cfg(feature = "cluster")]
        Command::Controller(a) => dispatch(a, b, bin_name),
        Command::Verify(a) => dispatch(a, b, bin_name),
        Command::Convert(a) => dispatch(a, b, bin_name),
        Command::ImportSops(a) => dispatch(a, b, bin_name),
        Command::ImportSealedsecret(a) => dispatch(a, b, bin_name),
        Command::Ls(a) => dispatch(a, b, bin_name),
        Command::Textconv(a) => dispatch(a, b, bin_name),
        #[cfg(feature = "scan")]
        Command::Scan(a) => dispatch(a, b, bin_name),
        #[cfg(feature = "scan")]
        Command::Hook(a) => dispatch(a, b, bin_name),
        Command::Completions(a) => dispatch(a, b, bin_name),
        Command::Render(a) => dispatch(a, b, bin_name),
        Command::Krm(a) => dispatch(a, b, bin_name),
        Command::Version(a) => dispatch(a, b, bin_name),
        Command::Man(a) => dispatch(a, b, bin_name),
        Command::KubectlComplete(a) => dispatch(a, b, bin_name),
        Command::CopySelf(a) => dispatch(a, b, bin_name),
    }
}
