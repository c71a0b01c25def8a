//! The command line's side of sealing policy: `.kseal.yaml` lookup per input, flags into
//! [`crate::policy`], and what is said on stderr about it.

use std::path::PathBuf;
use std::sync::Arc;

use super::input::Input;
use super::recipients::explicit_recipients;
use super::{Flags, RecipientArgs, ScopeArgs};
use crate::config::{Config, ConfigCache, Rule};
use crate::error::Error;
use crate::policy;
use crate::policy::Policy;

/// The nearest `.kseal.yaml` for an input, and the first of its rules that matches the file
/// (stdin is matched as `-`).
pub fn config_rule(
    cache: &mut ConfigCache,
    input: &Input,
) -> Result<(Option<Arc<Config>>, Option<Rule>), Error> {
    let config = cache.for_dir(&input.dir())?;
    let path = input.path.clone().unwrap_or_else(|| PathBuf::from("-"));
    let rule = config.as_deref().and_then(|c| c.rule_for(&path)).cloned();
    Ok((config, rule))
}

/// Namespace for Secrets without `metadata.namespace`: `-n`, else the rule's.
pub fn default_namespace(global: &Flags, rule: Option<&Rule>) -> Option<String> {
    policy::default_namespace(global.namespace.as_deref(), rule)
}

/// The policy for one input from the command line and `.kseal.yaml` (the precedence is
/// [`crate::policy::resolve`]'s). Says on stderr, once per distinct choice, which rule and which
/// key ids were used.
pub fn policy_for(
    input: &Input,
    recipients: &RecipientArgs,
    scope: &ScopeArgs,
    global: &Flags,
    cache: &mut ConfigCache,
) -> Result<Policy, Error> {
    policy_announced(input, recipients, scope, global, cache, None)
}

/// [`policy_for`], announcing `scope_note` instead of the policy's scope when the scope comes from
/// elsewhere (each imported SealedSecret's own).
pub fn policy_announced(
    input: &Input,
    recipients: &RecipientArgs,
    scope: &ScopeArgs,
    global: &Flags,
    cache: &mut ConfigCache,
    scope_note: Option<&str>,
) -> Result<Policy, Error> {
    let explicit = policy::Explicit {
        recipients: explicit_recipients(recipients)?,
        scope: scope.scope,
        namespace: global.namespace.clone(),
    };
    // The rule is only looked up when the flags do not name the keys.
    let (config, rule) = if explicit.recipients.is_empty() {
        config_rule(cache, input)?
    } else {
        (None, None)
    };
    let resolved = policy::resolve(&input.location(), &explicit, config.as_deref(), rule.as_ref())?;
    let mut line = resolved.describe();
    if let Some(note) = scope_note {
        let cut = line.rfind(", ").unwrap_or(line.len());
        line = format!("{}, {note}", &line[..cut]);
    }
    if cache.announced.insert(line.clone()) {
        say!("{line}");
    }
    Ok(resolved.policy)
}
