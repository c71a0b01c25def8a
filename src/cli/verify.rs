//! `kseal verify`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::Args;

use super::input::{collect_inputs, each_input, Outcome};
use super::output::write_stdout;
use super::policy::{config_rule, default_namespace};
use super::recipients::explicit_recipients;
use super::{ExcludeFlag, Flags, NamespaceFlag, RecipientArgs};
use crate::config::ConfigCache;
use crate::crypto::Recipient;
use crate::error::{Error, ExitCode};
use crate::manifest::chart;
use crate::manifest::verify::{verify, Expectation, Problem};

#[derive(Args, Debug)]
#[command(after_help = "\
Needs no private key. Checks every value of every Secret: it is sealed (not plaintext), well
formed, its scope can be opened where it is (strict: namespace and name known; namespace: namespace
known), and it is sealed to exactly the expected keys: -r/-R if given, else the matching .kseal.yaml
rule's recipients and scope. Also flags a last-applied-configuration annotation on a Secret.

Helm charts in a folder: a Secret template's data/stringData values that come from `.Values.x` must
be sealed (kseal seal --raw) in the chart's values.yaml and values-*.yaml, and its literal values
too; templates of other kinds are not read. What kseal cannot follow (a range over values) is
reported as not checked.

Prints one line per problem on stdout and exits 1 if there is any, 0 if there is none.

Example (CI):
  kseal verify manifests/")]
pub struct VerifyArgs {
    /// Files or folders (recursively: *.yaml, *.yml, *.json); `-` or nothing reads stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub recipients: RecipientArgs,
    /// Verify what the kustomization DIR renders (the Secrets as applied, with the rule of DIR's
    /// kustomization), as `kseal seal -w -k DIR` sealed them. Repeatable.
    #[arg(short = 'k', long = "kustomize", value_name = "DIR", conflicts_with = "paths")]
    pub kustomize: Vec<PathBuf>,
    #[command(flatten)]
    pub namespace: NamespaceFlag,
    #[command(flatten)]
    pub exclude: ExcludeFlag,
}

fn kids(list: &[Recipient]) -> BTreeSet<crate::crypto::Kid> {
    list.iter().map(Recipient::kid).collect()
}

pub fn run(args: VerifyArgs, global: &Flags) -> Result<ExitCode, Error> {
    let explicit = explicit_recipients(&args.recipients)?;
    if !args.kustomize.is_empty() {
        return verify_kustomizations(&args, &explicit, global);
    }
    let inputs = collect_inputs(&args.paths, &global.exclude)?;
    let mut cache = ConfigCache::default();
    let mut report = String::new();
    let mut problems = 0;
    let done = each_input(&inputs, None, true, |input, src| {
        let (_, rule) = config_rule(&mut cache, input)?;
        let expect = expectation(&explicit, rule.as_ref(), global);
        Ok((verify(src, &input.location(), &expect)?, 0))
    })?;
    for (input, outcome) in done {
        match outcome {
            Outcome::Done(found) => {
                for p in found {
                    report.push_str(&p.to_string());
                    report.push('\n');
                    problems += 1;
                }
            }
            // A file of a folder that is not YAML (a Helm template). One that renders no Secret
            // (a Deployment's template) is none of verify's business; a Secret template is checked
            // through the chart's values files.
            Outcome::Unparseable(false) => {}
            Outcome::Unparseable(true) => {
                for p in chart_template(input)? {
                    report.push_str(&p.to_string());
                    report.push('\n');
                    problems += 1;
                }
            }
        }
    }
    write_stdout(report.as_bytes())?;
    if problems > 0 {
        say!(
            "{problems} problem{} in {} file{}",
            if problems == 1 { "" } else { "s" },
            inputs.len(),
            if inputs.len() == 1 { "" } else { "s" }
        );
        Ok(ExitCode::Findings)
    } else {
        say!(
            "{} file{} verified",
            inputs.len(),
            if inputs.len() == 1 { "" } else { "s" }
        );
        Ok(ExitCode::Success)
    }
}

/// `verify -k DIR...`: each kustomization's rendered Secrets, as applied.
fn verify_kustomizations(
    args: &VerifyArgs,
    explicit: &[Recipient],
    global: &Flags,
) -> Result<ExitCode, Error> {
    let mut cache = ConfigCache::default();
    let mut report = String::new();
    let mut problems = 0;
    for dir in &args.kustomize {
        let stream = crate::integrations::kustomize::build(dir)?;
        let input = super::input::Input {
            path: Some(dir.join("kustomization.yaml")),
            walked: false,
        };
        let (_, rule) = config_rule(&mut cache, &input)?;
        let expect = expectation(explicit, rule.as_ref(), global);
        let at = crate::error::Location::file(format!("kustomize build {}", dir.display()));
        for p in verify(&stream, &at, &expect)? {
            report.push_str(&p.to_string());
            report.push('\n');
            problems += 1;
        }
    }
    write_stdout(report.as_bytes())?;
    let n = args.kustomize.len();
    if problems > 0 {
        say!(
            "{problems} problem{} in {n} kustomization{}",
            if problems == 1 { "" } else { "s" },
            if n == 1 { "" } else { "s" }
        );
        Ok(ExitCode::Findings)
    } else {
        say!("{n} kustomization{} verified", if n == 1 { "" } else { "s" });
        Ok(ExitCode::Success)
    }
}

/// What verify expects of a file's values: `-r/-R` if given, else the rule's recipients and scope.
fn expectation(explicit: &[Recipient], rule: Option<&crate::config::Rule>, global: &Flags) -> Expectation {
    Expectation {
        kids: if explicit.is_empty() {
            rule.filter(|r| !r.recipients.is_empty())
                .map(|r| kids(&r.recipients))
        } else {
            Some(kids(explicit))
        },
        scope: rule.and_then(|r| r.scope),
        namespace: default_namespace(global, rule),
    }
}

/// A Secret template of a Helm chart: every value its `data` and `stringData` take must be sealed
/// where it is written, in the template or in each values file of the chart (`values.yaml`,
/// `values-*.yaml`). What cannot be followed, or a template outside a chart, is not checked, and
/// that is a problem: verify never calls a tree clean that it could not read.
fn chart_template(input: &super::input::Input) -> Result<Vec<Problem>, Error> {
    let src = input.read()?;
    let path = input.path.as_deref().expect("a walked file has a path");
    let not_checked = |why: &str| Problem {
        location: input.location(),
        message: format!("not checked: a template of a Secret, which does not parse as YAML or JSON; {why}"),
    };
    let Some(chart) = path.ancestors().skip(1).find(|d| d.join("Chart.yaml").is_file()) else {
        return Ok(vec![not_checked("it is in no chart (no Chart.yaml above it): verify its rendered output (helm template ... | kseal verify -)")]);
    };
    let refs = chart::secret_refs(&src);
    if let Some(line) = refs.unfollowed.first() {
        return Ok(vec![not_checked(&format!(
            "line {line} is not one `KEY: {{{{ .Values.x }}}}` kseal can follow: verify its rendered output (helm template ... | kseal verify -)"
        ))]);
    }
    let mut out: Vec<Problem> = chart::unsealed_literals(&refs.refs)
        .into_iter()
        .map(|u| Problem {
            location: input.location().at(u.line, 1),
            message: format!("{}: plaintext in a Secret template: take it from values.yaml, sealed with `kseal seal --raw`", u.what),
        })
        .collect();
    for values in values_files(chart)? {
        let shown = values.display().to_string();
        let text = std::fs::read_to_string(&values).map_err(|e| Error::io(&shown, &e))?;
        let at = crate::error::Location::file(&shown);
        match chart::unsealed_in_values(&text, &refs.refs) {
            Ok(found) => out.extend(found.into_iter().map(|u| Problem {
                location: at.clone().at(u.line, 1),
                message: format!(
                    "{} is plaintext, and {} puts it in a Secret: seal it with `kseal seal --raw -n NS --name NAME --key KEY`",
                    u.what,
                    input.label()
                ),
            })),
            Err(e) => out.push(Problem {
                location: at.at(e.line, e.col),
                message: format!("not checked: {}", e.message),
            }),
        }
    }
    Ok(out)
}

/// A chart's values files: `values.yaml` and `values-*.yaml` (or `.yml`) beside `Chart.yaml`.
fn values_files(chart: &std::path::Path) -> Result<Vec<PathBuf>, Error> {
    let shown = chart.display().to_string();
    let mut out: Vec<PathBuf> = std::fs::read_dir(chart)
        .map_err(|e| Error::io(&shown, &e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let stem = name.strip_suffix(".yaml").or_else(|| name.strip_suffix(".yml"));
            p.is_file() && stem.is_some_and(|s| s == "values" || s.starts_with("values-"))
        })
        .collect();
    out.sort();
    Ok(out)
}
