//! What to seal with, for one file: recipients, scope and default namespace, resolved from what the
//! user said explicitly and from the matching `.kseal.yaml` rule. Plain values in, plain values out,
//! so the precedence is unit-tested here rather than through the command line.
//!
//! The precedence: explicit recipients (`-r`/`-R`) replace the rule entirely, its scope and
//! namespace too: a user who names the keys gets exactly what the flags say (strict scope unless
//! `--scope`). Otherwise the rule gives recipients, scope and namespace, and `--scope` / `-n`
//! replace the rule's scope and namespace.

use std::path::PathBuf;

use crate::config::{self, Config, Rule};
use crate::crypto::sealed::MAX_RECIPIENTS;
use crate::crypto::{Recipient, Scope};
use crate::error::{Error, Location};

/// What to seal with, resolved for one file from the command line and `.kseal.yaml`.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Who to seal to.
    pub recipients: Vec<Recipient>,
    /// The scope to seal with.
    pub scope: Scope,
    /// Namespace for Secrets without `metadata.namespace` (`-n`, else the config rule).
    pub namespace: Option<String>,
}

/// Where a policy's recipients came from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// `-r` / `-R`.
    CommandLine,
    /// A rule of a `.kseal.yaml`.
    Rule {
        /// The rule's path glob.
        pattern: String,
        /// The config file it is in.
        config: PathBuf,
    },
}

/// A resolved policy and where it came from.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// What to seal with.
    pub policy: Policy,
    /// Where it came from.
    pub source: Source,
}

impl Resolved {
    /// One line for stderr: which keys, from where, which scope.
    pub fn describe(&self) -> String {
        let kids: Vec<String> = self
            .policy
            .recipients
            .iter()
            .map(|r| r.kid().to_string())
            .collect();
        let source = match &self.source {
            Source::Rule { pattern, config } => format!("rule `{pattern}` of {}", config.display()),
            Source::CommandLine => "the command line".to_string(),
        };
        format!(
            "sealing to key{} {} ({source}), {} scope",
            if kids.len() == 1 { "" } else { "s" },
            kids.join(", "),
            self.policy.scope
        )
    }
}

/// What the user said explicitly.
#[derive(Clone, Debug, Default)]
pub struct Explicit {
    /// `-r` / `-R`, deduplicated.
    pub recipients: Vec<Recipient>,
    /// `--scope`.
    pub scope: Option<Scope>,
    /// `-n`.
    pub namespace: Option<String>,
}

/// The namespace for Secrets without `metadata.namespace`: `-n`, else the rule's.
pub fn default_namespace(explicit: Option<&str>, rule: Option<&Rule>) -> Option<String> {
    explicit
        .map(str::to_string)
        .or_else(|| rule.and_then(|r| r.namespace.clone()))
}

/// Resolves the policy for the input named by `input` (for errors). `config` and `rule` are the
/// nearest `.kseal.yaml` and its matching rule; they are ignored when recipients are explicit.
pub fn resolve(
    input: &Location,
    explicit: &Explicit,
    config: Option<&Config>,
    rule: Option<&Rule>,
) -> Result<Resolved, Error> {
    let from_flags = !explicit.recipients.is_empty();
    let rule = if from_flags { None } else { rule };
    let recipients = if from_flags {
        explicit.recipients.clone()
    } else {
        rule.map(|r| r.recipients.clone()).unwrap_or_default()
    };
    if recipients.is_empty() {
        let hint = match (config, rule) {
            (Some(c), None) => format!(
                "no rule in {} matches this file; a rule's `path` is matched against the file's path \
                 relative to that folder, and `*` stays within one folder: `clusters/*` does not match \
                 clusters/prod/db.yaml, `clusters/**` does",
                c.path.display()
            ),
            (Some(c), Some(r)) => format!(
                "the rule `{}` in {} lists no recipients",
                r.pattern,
                c.path.display()
            ),
            (None, _) => format!(
                "no {} found in this folder or above it in the repository",
                config::FILE_NAME
            ),
        };
        return Err(Error::input(
            input.clone(),
            format!(
                "no recipients: pass -r age1... or -R FILE, or add a rule to {} ({hint})",
                config::FILE_NAME
            ),
        ));
    }
    if recipients.len() > MAX_RECIPIENTS {
        return Err(Error::usage(format!(
            "{} recipients: a value can be sealed to at most {MAX_RECIPIENTS}",
            recipients.len()
        )));
    }
    let source = match (config, rule) {
        (Some(c), Some(r)) => Source::Rule {
            pattern: r.pattern.clone(),
            config: c.path.clone(),
        },
        _ => Source::CommandLine,
    };
    Ok(Resolved {
        policy: Policy {
            recipients,
            scope: explicit
                .scope
                .or(rule.and_then(|r| r.scope))
                .unwrap_or(Scope::Strict),
            namespace: default_namespace(explicit.namespace.as_deref(), rule),
        },
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Identity;

    fn config_with_rule(
        scope: Option<Scope>,
        namespace: Option<&str>,
        recipients: Vec<Recipient>,
    ) -> (Config, Rule) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(config::FILE_NAME);
        let mut text = String::from("rules:\n  - path: \"**\"\n    recipients: [");
        text.push_str(
            &recipients
                .iter()
                .map(|r| format!("\"{r}\""))
                .collect::<Vec<_>>()
                .join(", "),
        );
        text.push_str("]\n");
        if let Some(s) = scope {
            text.push_str(&format!("    scope: {s}\n"));
        }
        if let Some(n) = namespace {
            text.push_str(&format!("    namespace: {n}\n"));
        }
        std::fs::write(&path, text).unwrap();
        let config = Config::load(&path).unwrap();
        let rule = config.rules[0].clone();
        (config, rule)
    }

    #[test]
    fn the_rule_gives_recipients_scope_and_namespace_and_flags_replace_scope_and_namespace() {
        let a = Identity::generate().recipient().clone();
        let (config, rule) = config_with_rule(Some(Scope::Cluster), Some("dev"), vec![a.clone()]);
        let at = Location::file("f.yaml");
        let r = resolve(&at, &Explicit::default(), Some(&config), Some(&rule)).unwrap();
        assert_eq!(r.policy.recipients, vec![a.clone()]);
        assert_eq!(r.policy.scope, Scope::Cluster);
        assert_eq!(r.policy.namespace.as_deref(), Some("dev"));
        assert!(matches!(&r.source, Source::Rule { pattern, .. } if pattern == "**"));
        assert!(r
            .describe()
            .contains(&format!("sealing to key {} (rule `**` of ", a.kid())));
        let flags = Explicit {
            scope: Some(Scope::Namespace),
            namespace: Some("prod".into()),
            ..Explicit::default()
        };
        let r = resolve(&at, &flags, Some(&config), Some(&rule)).unwrap();
        assert_eq!(
            (r.policy.scope, r.policy.namespace.as_deref()),
            (Scope::Namespace, Some("prod"))
        );
    }

    /// Regression: explicit recipients used to keep the rule's scope.
    #[test]
    fn explicit_recipients_replace_the_rule_entirely() {
        let a = Identity::generate().recipient().clone();
        let b = Identity::generate().recipient().clone();
        let (config, rule) = config_with_rule(Some(Scope::Cluster), Some("dev"), vec![a]);
        let flags = Explicit {
            recipients: vec![b.clone()],
            ..Explicit::default()
        };
        let r = resolve(&Location::file("f"), &flags, Some(&config), Some(&rule)).unwrap();
        assert_eq!(r.policy.recipients, vec![b]);
        assert_eq!(r.policy.scope, Scope::Strict);
        assert_eq!(r.policy.namespace, None);
        assert_eq!(r.source, Source::CommandLine);
        assert!(r.describe().ends_with("(the command line), strict scope"));
    }

    #[test]
    fn no_recipients_says_why() {
        let at = Location::file("f.yaml");
        let err = resolve(&at, &Explicit::default(), None, None)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("f.yaml: no recipients") && err.contains("in the repository"),
            "{err}"
        );
        let (config, _) = config_with_rule(None, None, vec![Identity::generate().recipient().clone()]);
        let err = resolve(&at, &Explicit::default(), Some(&config), None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no rule in ")
                && err.contains("matches this file")
                && err.contains("`*` stays within one folder"),
            "{err}"
        );
        let many = Explicit {
            recipients: (0..17)
                .map(|_| Identity::generate().recipient().clone())
                .collect(),
            ..Explicit::default()
        };
        let err = resolve(&at, &many, None, None).unwrap_err().to_string();
        assert!(err.contains("17 recipients"), "{err}");
    }
}
