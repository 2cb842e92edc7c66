//! What can go wrong while planning or applying, each with what to do about it.

use crate::report::ApplyReport;
use crate::state::StateError;
use lakectl_core::{Address, ProviderError};
use miette::Diagnostic;
use std::time::Duration;
use thiserror::Error;

/// One resource that would lose data, for [`EngineError::DataLoss`] and
/// [`EngineError::RetainedData`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataAtRisk {
    /// The logical address.
    pub address: Address,
    /// The kind.
    pub kind: String,
    /// The physical name.
    pub name: String,
    /// What is in it, e.g. `12 objects`.
    pub contents: String,
}

/// Lists resources at risk one per line, for messages.
fn list(items: &[DataAtRisk]) -> String {
    items
        .iter()
        .map(|d| format!("\n  {} ({} {}): {}", d.address, d.kind, d.name, d.contents))
        .collect()
}

/// Errors of the engine. Every variant says which resource, what was being done, and what to
/// do next.
#[derive(Debug, Error, Diagnostic)]
pub enum EngineError {
    /// A resource with the desired physical name exists and is not ours.
    #[error(
        "{kind} {name} (declared as {address} at {location}) already exists and is not owned by this stack{}",
        owner.as_deref().map(|o| format!("; its tags say it belongs to {o}")).unwrap_or_default()
    )]
    #[diagnostic(
        code(lakectl::not_owned),
        help(
            "lakectl never adopts a resource silently: give this one another `name` in the stack file, or adopt the existing one on purpose with `lakectl import --env {env} '{address}'`"
        )
    )]
    NotOwned {
        /// The env, for the command in the help.
        env: String,
        /// The logical address.
        address: Address,
        /// The kind.
        kind: String,
        /// The physical name.
        name: String,
        /// Where the stack file declares it (`file:line:col`), or `state table` for a record.
        location: String,
        /// Who the ownership tags name, when they name another stack, env or address.
        owner: Option<String>,
    },

    /// A resource of this stack and env, tagged with another address of it: renamed in the
    /// stack files without saying so.
    #[error(
        "{kind} {name} (declared as {address} at {location}) already exists and belongs to this stack and env as `{old}`"
    )]
    #[diagnostic(
        code(lakectl::moved_without_entry),
        help(
            "if `{old}` was renamed to `{address}`, say so in a stack file and plan again:\n  moved:\n    - from: \"{old}\"\n      to: \"{address}\"\nor move its record with `lakectl state mv --env {env} '{old}' '{address}'`; otherwise give `{address}` another `name`"
        )
    )]
    MovedWithoutEntry {
        /// The env, for the command in the help.
        env: String,
        /// The address it is declared at now.
        address: Address,
        /// The address its tags name.
        old: String,
        /// The kind.
        kind: String,
        /// The physical name.
        name: String,
        /// Where the stack file declares it.
        location: String,
    },

    /// `--target` named an address that is neither declared nor recorded.
    #[error("--target `{address}` is not a resource of the stack files or the state")]
    #[diagnostic(code(lakectl::unknown_target), help("{hint}"))]
    UnknownTarget {
        /// The address as given.
        address: String,
        /// The closest known address, or what targets look like.
        hint: String,
    },

    /// `state show`, `state mv` or `state forget` named an address with no record.
    #[error("the state has no record at `{address}`")]
    #[diagnostic(
        code(lakectl::no_record),
        help("addresses with a record: {known} (`lakectl state list` shows them all)")
    )]
    NoRecord {
        /// The address as given.
        address: String,
        /// The recorded addresses, comma-separated.
        known: String,
    },

    /// `state mv` to an address the stack files declare with another kind.
    #[error("`{from}` records a {recorded}, but the stack files declare `{to}` as a {declared}")]
    #[diagnostic(
        code(lakectl::move_kind_differs),
        help("a record moves only to an address of its own kind; nothing was changed")
    )]
    MoveKindDiffers {
        /// The address moved from.
        from: Address,
        /// The address moved to.
        to: Address,
        /// The recorded kind.
        recorded: String,
        /// The declared kind.
        declared: String,
    },

    /// `state mv` to an address whose declared name is another than the recorded one.
    #[error(
        "`{to}` is declared as `{declared}`, but the resource recorded at `{from}` is `{recorded}`: moving the record would leave it behind and have the next deploy create `{declared}` anew"
    )]
    #[diagnostic(
        code(lakectl::move_renames),
        help(
            "a name derived from the address changes with it: declare the move in a stack file instead (moved: [{{from: \"{from}\", to: \"{to}\"}}]), which keeps the name, or set `properties.name: {recorded}` on `{to}`; nothing was changed"
        )
    )]
    MoveRenames {
        /// The address moved from.
        from: Address,
        /// The address moved to.
        to: Address,
        /// The recorded physical name.
        recorded: String,
        /// The name the stack files give `to`.
        declared: String,
    },

    /// `state forget` of a resource the stack files still declare.
    #[error(
        "`{address}` is still declared at {location}; forgetting it now would have the next deploy create it again"
    )]
    #[diagnostic(
        code(lakectl::still_declared),
        help("remove it from the stack files first, then forget it; nothing was changed")
    )]
    StillDeclared {
        /// The address.
        address: Address,
        /// Where it is declared.
        location: String,
    },

    /// `import` named an address the stack files do not declare.
    #[error("no resource `{address}` in the stack files")]
    #[diagnostic(
        code(lakectl::unknown_address),
        help(
            "import takes addresses as the plan shows them, e.g. `bucket[acme]`; declared: {known}"
        )
    )]
    UnknownAddress {
        /// The address as given.
        address: String,
        /// The declared addresses, comma-separated.
        known: String,
    },

    /// `import` of a resource that does not exist.
    #[error("{kind} {name} (declared as {address}) does not exist: there is nothing to import")]
    #[diagnostic(
        code(lakectl::nothing_to_import),
        help("deploy creates it; import is for a resource that exists and nobody owns")
    )]
    NothingToImport {
        /// The logical address.
        address: Address,
        /// The kind.
        kind: String,
        /// The physical name.
        name: String,
    },

    /// `import` of a resource whose tags name another stack, env or address.
    #[error(
        "{kind} {name} (declared as {address}) belongs to {owner} by its tags; it is not imported"
    )]
    #[diagnostic(
        code(lakectl::owned_elsewhere),
        help(
            "one resource has one owner: remove it from that stack first, or give this one another `name`"
        )
    )]
    OwnedElsewhere {
        /// The logical address.
        address: Address,
        /// The kind.
        kind: String,
        /// The physical name.
        name: String,
        /// `stack s, env e, address a` from its tags.
        owner: String,
    },

    /// `import` at an address whose state record names another resource.
    #[error("{address} already records {kind} {name} in the state table; it is not imported")]
    #[diagnostic(
        code(lakectl::address_taken),
        help("deploy (which replaces the recorded resource) or destroy first, then import")
    )]
    AddressTaken {
        /// The logical address.
        address: Address,
        /// The recorded kind.
        kind: String,
        /// The recorded physical name.
        name: String,
    },

    /// The plan destroys data and the user did not allow it.
    #[error("refusing to apply: {} resource(s) would lose data:{}", items.len(), list(items))]
    #[diagnostic(
        code(lakectl::data_loss),
        help("rerun with --allow-data-loss if losing this data is intended")
    )]
    DataLoss {
        /// Each resource and what is in it.
        items: Vec<DataAtRisk>,
    },

    /// The plan destroys data in an env that retains data; no flag overrides it.
    #[error("refusing to apply: {} resource(s) would lose data in env {env}:{}", items.len(), list(items))]
    #[diagnostic(
        code(lakectl::retained_data),
        help(
            "this env retains data (removal_policy: retain); empty or remove the resources by hand, or change the stack so they are kept"
        )
    )]
    RetainedData {
        /// The environment.
        env: String,
        /// Each resource and what is in it.
        items: Vec<DataAtRisk>,
    },

    /// A provider call failed (after retries, when the error was retryable).
    #[error("{doing} {address} ({kind} {name}) failed")]
    #[diagnostic(code(lakectl::provider))]
    Provider {
        /// The logical address.
        address: Address,
        /// The kind.
        kind: String,
        /// The physical name.
        name: String,
        /// What lakectl was doing: `observing`, `creating`, ...
        doing: &'static str,
        /// What the provider said.
        #[source]
        #[diagnostic_source]
        source: ProviderError,
    },

    /// Reading or writing the state table failed.
    #[error("{doing} failed")]
    #[diagnostic(code(lakectl::state))]
    State {
        /// What lakectl was doing, e.g. `recording the intent to create raw`.
        doing: String,
        /// What the state store said.
        #[source]
        #[diagnostic_source]
        source: StateError,
    },

    /// No provider is registered for a kind.
    #[error("{address} has kind `{kind}`, which no provider handles")]
    #[diagnostic(
        code(lakectl::unknown_kind),
        help(
            "known kinds: {known}; a kind removed from lakectl cannot be planned until it is back"
        )
    )]
    UnknownKind {
        /// The logical address.
        address: Address,
        /// The kind nobody handles.
        kind: String,
        /// The kinds that are handled, comma-separated.
        known: String,
    },

    /// References between resources form a cycle.
    #[error("resources reference each other in a cycle: {}", cycle.iter().map(Address::as_str).collect::<Vec<_>>().join(" -> "))]
    #[diagnostic(
        code(lakectl::cycle),
        help("break the cycle: one of these must not reference the next")
    )]
    Cycle {
        /// The addresses along the cycle.
        cycle: Vec<Address>,
    },

    /// A reference could not be resolved when it was needed.
    #[error("{address}: {reference} has no value ({why})")]
    #[diagnostic(
        code(lakectl::unresolved),
        help("reference only attributes the kind documents (`name` always exists)")
    )]
    Unresolved {
        /// The resource (or `outputs.<key>`) holding the reference.
        address: String,
        /// The reference as written.
        reference: String,
        /// Why it has no value.
        why: String,
    },

    /// A resource stayed in transition longer than lakectl waits.
    #[error("{address} ({kind} {name}) stayed {status} for {}s", waited.as_secs())]
    #[diagnostic(
        code(lakectl::pending_timeout),
        help("look at the resource in the AWS console; run plan again once it settled")
    )]
    PendingTimeout {
        /// The logical address.
        address: Address,
        /// The kind.
        kind: String,
        /// The physical name.
        name: String,
        /// AWS's last status word.
        status: String,
        /// How long lakectl waited.
        waited: Duration,
    },

    /// Something that should not happen did (a task panicked).
    #[error("internal error: {detail}")]
    #[diagnostic(
        code(lakectl::internal),
        help("this is a bug in lakectl; please report it with the command that caused it")
    )]
    Internal {
        /// What happened.
        detail: String,
    },

    /// The endpoint stopped answering during apply: what was in flight ended, nothing more
    /// was started.
    #[error("the endpoint stopped answering: {} change(s) failed ({}), {} not started, {} done; first failure: {first}",
        report.failed.len(),
        report.failed.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>().join(", "),
        report.not_started.len() + report.skipped.len(),
        report.applied.len())]
    #[diagnostic(
        code(lakectl::interrupted),
        help(
            "every change is recorded as an intent before it is made: once the endpoint answers again, deploy again and it finishes from there"
        )
    )]
    Interrupted {
        /// The first failure, as one line.
        first: String,
        /// What was applied, failed and not started.
        report: Box<ApplyReport>,
    },

    /// Some resources failed; everything that could run did.
    #[error("apply failed: {} resource(s) failed, {} skipped because of them: {}",
        report.failed.len(), report.skipped.len(),
        report.failed.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>().join(", "))]
    #[diagnostic(
        code(lakectl::apply_failed),
        help(
            "fix the cause and deploy again: what succeeded is recorded, the next plan starts from there"
        )
    )]
    ApplyFailed {
        /// The root causes, one per failed resource.
        #[related]
        causes: Vec<EngineError>,
        /// What was applied, failed and skipped.
        report: Box<ApplyReport>,
    },
}

impl EngineError {
    /// Whether the cause is an endpoint that did not answer (no connection at all).
    pub fn is_unreachable(&self) -> bool {
        let unreachable = |e: &ProviderError| matches!(e, ProviderError::Unreachable { .. });
        match self {
            EngineError::Provider { source, .. } => unreachable(source),
            EngineError::State {
                source: StateError::Provider(e),
                ..
            } => unreachable(e),
            _ => false,
        }
    }

    /// A state-store error with what was being done.
    pub(crate) fn state(doing: impl Into<String>, source: StateError) -> Self {
        EngineError::State {
            doing: doing.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_resource_and_the_owner() {
        let a = Address::new("raw", None);
        let not_owned = EngineError::NotOwned {
            env: "prod".into(),
            address: Address::new("bucket", Some("acme")),
            kind: "s3.bucket".into(),
            name: "lake-acme".into(),
            location: "x:1:1".into(),
            owner: None,
        };
        let help = Diagnostic::help(&not_owned)
            .map(|h| h.to_string())
            .unwrap_or_default();
        assert!(
            help.contains("`lakectl import --env prod 'bucket[acme]'`"),
            "a command to paste, quoted for the shell: {help}"
        );
        let cases = [
            (
                "foreign owner is named",
                EngineError::NotOwned {
                    env: "dev".into(),
                    address: a.clone(),
                    kind: "s3.bucket".into(),
                    name: "lake-raw".into(),
                    location: "stacks/lake.yaml:3:3".into(),
                    owner: Some("stack other, env dev, address raw".into()),
                },
                "s3.bucket lake-raw (declared as raw at stacks/lake.yaml:3:3) already exists and is not owned by this stack; its tags say it belongs to stack other, env dev, address raw",
            ),
            (
                "untagged: no owner clause",
                EngineError::NotOwned {
                    env: "dev".into(),
                    address: a.clone(),
                    kind: "s3.bucket".into(),
                    name: "lake-raw".into(),
                    location: "x:1:1".into(),
                    owner: None,
                },
                "s3.bucket lake-raw (declared as raw at x:1:1) already exists and is not owned by this stack",
            ),
            (
                "data loss lists each resource",
                EngineError::DataLoss {
                    items: vec![DataAtRisk {
                        address: a.clone(),
                        kind: "s3.bucket".into(),
                        name: "lake-raw".into(),
                        contents: "12 objects".into(),
                    }],
                },
                "refusing to apply: 1 resource(s) would lose data:\n  raw (s3.bucket lake-raw): 12 objects",
            ),
        ];
        for (why, err, want) in cases {
            assert_eq!(err.to_string(), want, "{why}");
        }
    }
}
