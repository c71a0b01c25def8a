//! `kseal verify`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::Args;

use super::input::{collect_inputs, each_input, Outcome};
use super::output::write_stdout;
use super::policy::{config_rule, default_namespace};
use super::recipients::explicit_recipients;
use super::{GlobalArgs, RecipientArgs};
use crate::config::ConfigCache;
use crate::crypto::Recipient;
use crate::error::{Error, ExitCode};
use crate::manifest::verify::{verify, Expectation};

#[derive(Args, Debug)]
#[command(after_help = "\
Needs no private key. Checks every value of every Secret: it is sealed (not plaintext), well
formed, its scope can be opened where it is (strict: namespace and name known; namespace: namespace
known), and it is sealed to exactly the expected keys: -r/-R if given, else the matching .kseal.yaml
rule's recipients and scope. Also flags a last-applied-configuration annotation on a Secret.

Prints one line per problem on stdout and exits 1 if there is any, 0 if there is none.

Example (CI):
  kseal verify manifests/")]
pub struct VerifyArgs {
    /// Files or folders (recursively: *.yaml, *.yml, *.json); `-` or nothing reads stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub recipients: RecipientArgs,
}

fn kids(list: &[Recipient]) -> BTreeSet<crate::crypto::Kid> {
    list.iter().map(Recipient::kid).collect()
}

pub fn run(args: VerifyArgs, global: &GlobalArgs) -> Result<ExitCode, Error> {
    let explicit = explicit_recipients(&args.recipients)?;
    let inputs = collect_inputs(&args.paths, &global.exclude)?;
    let mut cache = ConfigCache::default();
    let mut report = String::new();
    let mut problems = 0;
    let done = each_input(&inputs, None, true, |input, src| {
        let (_, rule) = config_rule(&mut cache, input)?;
        let rule = rule.as_ref();
        let expect = Expectation {
            kids: if explicit.is_empty() {
                rule.filter(|r| !r.recipients.is_empty())
                    .map(|r| kids(&r.recipients))
            } else {
                Some(kids(&explicit))
            },
            scope: rule.and_then(|r| r.scope),
            namespace: default_namespace(global, rule),
        };
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
            // A file of a folder that is not YAML (a Helm template). One that may render a Secret
            // is not checked, and that is a finding: verify never calls a tree clean that it could
            // not read. One that renders no Secret (a Deployment's template) is none of its business.
            Outcome::Unparseable(src_renders_secret) => {
                if src_renders_secret {
                    report.push_str(&format!(
                        "{}: not checked: a template of a Secret, which does not parse as YAML or JSON (verify its rendered output: helm template ... | kseal verify -)\n",
                        input.label()
                    ));
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
