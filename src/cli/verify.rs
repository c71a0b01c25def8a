//! `kseal verify`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::Args;

use std::sync::Arc;

use super::input::{collect_inputs, each_input, Outcome};
use super::landing::{self, root_of};
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
known), its binding tag (format v3) is that of where it lands, and it is sealed to exactly the
expected keys: -r/-R if given, else the matching .kseal.yaml rule's recipients and scope. Also flags
a last-applied-configuration annotation on a Secret. A format v2 value has no tag: it is noted on
stderr (binding not checkable without the private key), not a failure; `kseal reseal` upgrades it.

Where values land: verify reads the repository (the git work tree, else the folder of the nearest
.kseal.yaml) for what renders its files: every kustomization no other one uses (an overlay), Flux
Kustomizations (spec.path, targetNamespace) and HelmReleases (a chart path, values, valuesFiles),
Argo CD Applications and ApplicationSets with a literal source (path, helm.valueFiles,
releaseName, destination.namespace). Each is rendered with the real kustomize and helm, and each
sealed value is checked at every place it lands (sealed for prod/db, lands as prod/shop-db, by
overlays/prod); a file those entries render is sealed to the union of the recipients of the
rules matching them (as `seal -k` seals it). Plaintext that only a render shows (a values file, a
parent chart's values for a subchart) is named at its line. An entry that does not render is a
problem: verify never calls clean what it could not read.

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
    /// Verify the files whose Secrets the kustomization DIR renders, where they land, as
    /// `kseal seal -w -k DIR` sealed them (recipients: the union of the rules of every
    /// kustomization of the repository that renders a file); and the rendered Secrets for
    /// plaintext. Repeatable.
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
    let mut cache = ConfigCache::default();
    // Where the repository's entries (overlays, Argo CD and Flux objects) land each sealed value.
    let root = if args.kustomize.is_empty() {
        root_of(&args.paths)
    } else {
        root_of(&args.kustomize)
    };
    let mut survey = match &root {
        Some(root) => {
            let entries = landing::entries(root, &args.kustomize, false, &global.exclude)?;
            landing::survey(root, entries, &mut cache, !explicit.is_empty())?
        }
        None => Default::default(),
    };
    if !args.kustomize.is_empty() {
        return verify_kustomizations(&args, &explicit, global, survey, &mut cache);
    }
    let inputs = collect_inputs(&args.paths, &global.exclude)?;
    let landed = Arc::new(std::mem::take(&mut survey.landed));
    let mut report = Report::default();
    let done = each_input(&inputs, None, true, |input, src| {
        let (_, rule) = config_rule(&mut cache, input)?;
        let mut expect = expectation(&explicit, rule.as_ref(), global);
        expect.landed = landed.clone();
        let mut found = match verify(src, &input.location(), &expect) {
            Ok(found) => found,
            // `password: {{ .Values.x | quote }}` parses as YAML (a flow mapping): in a chart's
            // templates it is a template, checked through the chart's values.
            Err(_) if in_templates(input) => return Ok((chart_template(input)?, 0)),
            Err(e) => return Err(e),
        };
        // A Secret template of a chart that parses (`"{{ .Values.x }}"` quoted) is checked
        // through the chart's values, as one that does not parse is.
        if found.iter().any(|p| p.message.starts_with(TEMPLATE_NOT_CHECKED)) && in_chart(input) {
            found.retain(|p| !p.message.starts_with(TEMPLATE_NOT_CHECKED));
            found.extend(chart_template(input)?);
        }
        found.extend(
            super::credentials::in_configmaps(src, &input.location())
                .into_iter()
                .map(|c| Problem::new(c.location, super::credentials::MOVE_TO_SECRET)),
        );
        Ok((found, 0))
    })?;
    for (input, outcome) in done {
        match outcome {
            Outcome::Done(found) => report.extend(found),
            // A file of a folder that is not YAML (a Helm template). One that renders no Secret
            // (a Deployment's template) is none of verify's business; a Secret template is checked
            // through the chart's values files.
            Outcome::Unparseable(false) => {}
            Outcome::Unparseable(true) => report.extend(chart_template(input)?),
        }
    }
    // Entries that do not render, and what only a render shows (a values file's plaintext): a
    // plaintext line the chart's own check already named is said once.
    report.extend(survey.render_problems(|_| true));
    let said: std::collections::HashSet<String> =
        report.0.iter().map(|p| plain_location(&p.location)).collect();
    report.extend(survey.problems.into_iter().filter(|p| {
        !(p.message.starts_with("not sealed (plaintext)") && said.contains(&plain_location(&p.location)))
    }));
    let problems = report.finish()?;
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

/// `verify -k DIR...`: the source files of the Secrets each kustomization renders, checked where
/// they land (by these and the repository's other entries, for the recipients), and each
/// rendered stream for plaintext a patch or generator adds.
fn verify_kustomizations(
    args: &VerifyArgs,
    explicit: &[Recipient],
    global: &Flags,
    mut survey: crate::integrations::landings::Survey,
    cache: &mut ConfigCache,
) -> Result<ExitCode, Error> {
    let mut report = Report::default();
    let given: Vec<std::path::PathBuf> = args
        .kustomize
        .iter()
        .filter_map(|d| std::fs::canonicalize(d).ok())
        .collect();
    let landed = Arc::new(std::mem::take(&mut survey.landed));
    for (file, entries) in &survey.sources {
        if !entries.iter().any(|&i| given.contains(&survey.entries[i].dir)) {
            continue;
        }
        let input = super::input::Input {
            path: Some(file.clone()),
            walked: false,
        };
        let (_, rule) = config_rule(cache, &input)?;
        let mut expect = expectation(explicit, rule.as_ref(), global);
        expect.landed = landed.clone();
        report.extend(verify(&input.read()?, &input.location(), &expect)?);
    }
    for dir in &args.kustomize {
        let stream = crate::integrations::kustomize::build(dir)?;
        let expect = Expectation {
            only_plaintext: true,
            ..Expectation::default()
        };
        let at = crate::error::Location::file(format!("kustomize build {}", dir.display()));
        report.extend(verify(&stream, &at, &expect)?);
    }
    report.extend(survey.render_problems(|e| given.contains(&e.dir)));
    let problems = report.finish()?;
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
        landed: Default::default(),
        only_plaintext: false,
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

/// What core verify says of a template value it cannot follow.
const TEMPLATE_NOT_CHECKED: &str = "a template expression: not checked here";

/// Whether a file is in a Helm chart (a `Chart.yaml` in a folder above it).
fn in_chart(input: &super::input::Input) -> bool {
    input
        .path
        .as_deref()
        .is_some_and(|p| p.ancestors().skip(1).any(|d| d.join("Chart.yaml").is_file()))
}

/// A location as compared across reports: `./x` and `x` are one file.
fn plain_location(l: &crate::error::Location) -> String {
    let shown = l.to_string();
    shown.strip_prefix("./").map(str::to_string).unwrap_or(shown)
}

/// Whether a file is a chart's template (in `templates/` of a folder with a `Chart.yaml`).
fn in_templates(input: &super::input::Input) -> bool {
    input.path.as_deref().is_some_and(|p| {
        p.ancestors().skip(1).any(|d| {
            d.file_name().is_some_and(|n| n == "templates")
                && d.parent().is_some_and(|c| c.join("Chart.yaml").is_file())
        })
    })
}

/// What verify found, printed once: problems on stdout (exit 1 if any), notes on stderr, each
/// said once (a base rendered by two overlays is read once per entry that reaches it).
#[derive(Default)]
struct Report(Vec<Problem>);

impl Report {
    fn extend(&mut self, found: impl IntoIterator<Item = Problem>) {
        self.0.extend(found);
    }

    /// Prints everything; the number of problems (notes aside).
    fn finish(mut self) -> Result<usize, Error> {
        let mut seen = std::collections::HashSet::new();
        self.0.retain(|p| seen.insert(p.to_string()));
        let mut out = String::new();
        let mut notes = 0;
        for p in &self.0 {
            if p.note {
                notes += 1;
            } else {
                out.push_str(&p.to_string());
                out.push('\n');
            }
        }
        write_stdout(out.as_bytes())?;
        let v2 = self
            .0
            .iter()
            .filter(|p| p.note && p.message == crate::manifest::verify::V2_NOTE)
            .count();
        for p in self
            .0
            .iter()
            .filter(|p| p.note && p.message != crate::manifest::verify::V2_NOTE)
        {
            say!("note: {p}");
        }
        if v2 > 0 {
            // One line, not one per value: a repository sealed before v3 has thousands.
            let first = self
                .0
                .iter()
                .find(|p| p.message == crate::manifest::verify::V2_NOTE)
                .expect("counted");
            say!(
                "note: {v2} value{} in format v2 (first: {}): binding not checkable without the private key; \
                 `kseal reseal -w -i KEY PATH` rewrites them as v3",
                if v2 == 1 { "" } else { "s" },
                first.location
            );
        }
        Ok(self.0.len() - notes)
    }
}

/// A Secret template of a Helm chart: every value its `data` and `stringData` take must be sealed
/// where it is written, in the template or in each values file of the chart (`values.yaml`,
/// `values-*.yaml`). What cannot be followed, or a template outside a chart, is not checked, and
/// that is a problem: verify never calls a tree clean that it could not read.
fn chart_template(input: &super::input::Input) -> Result<Vec<Problem>, Error> {
    let src = input.read()?;
    let path = input.path.as_deref().expect("a walked file has a path");
    let not_checked = |why: &str| {
        Problem::new(
            input.location(),
            format!("not checked: a template of a Secret, which does not parse as YAML or JSON; {why}"),
        )
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
        .map(|u| {
            Problem::new(
                input.location().at(u.line, 1),
                format!("{}: plaintext in a Secret template: take it from values.yaml, sealed with `kseal seal --raw`", u.what),
            )
        })
        .collect();
    for values in values_files(chart)? {
        let shown = values.display().to_string();
        let text = std::fs::read_to_string(&values).map_err(|e| Error::io(&shown, &e))?;
        let at = crate::error::Location::file(&shown);
        match chart::unsealed_in_values(&text, &refs.refs) {
            Ok(found) => out.extend(found.into_iter().map(|u| {
                Problem::new(
                    at.clone().at(u.line, 1),
                    format!(
                        "{} is plaintext, and {} puts it in a Secret: seal it with `kseal seal --raw -n NS --name NAME --key KEY`",
                        u.what,
                        input.label()
                    ),
                )
            })),
            Err(e) => out.push(Problem::new(at.at(e.line, e.col), format!("not checked: {}", e.message))),
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

row!(VerifyArgs, "verify", |a, flags, _| run(a, flags), takes: |a| (None, Some(&a.namespace), Some(&a.exclude)));
