//! The provider contract: how the engine talks to one kind of AWS resource.
//!
//! Shaped after managed-resource reconcilers: `observe` returns facts, the engine decides,
//! and `create` / `update` / `delete` carry out one decision each. The diff between desired
//! and live is owned by the core ([`crate::diff`]), not by providers.

use crate::address::Address;
use crate::delta::FieldChange;
use crate::error::ProviderError;
use crate::plan::Detail;
use crate::schema::Schema;
use async_trait::async_trait;
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// Attributes of a live resource that dependents may reference: `name`, `arn`, ...
pub type Attributes = BTreeMap<String, String>;

/// What `observe` found.
#[derive(Debug, Clone, PartialEq)]
pub enum Observation {
    /// Nothing with that name exists.
    Missing,
    /// It exists.
    Exists(Live),
    /// It exists but is in transition (a table still CREATING); look again after the delay.
    Pending {
        /// When to look again.
        retry_after: Duration,
        /// AWS's status word, for progress output.
        status: String,
    },
}

/// A live resource: its spec in the same shape users write (only managed properties,
/// `tags` including lakectl's ownership tags) and its attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Live {
    /// The live properties.
    pub spec: Value,
    /// `name`, `arn`, ...
    pub attributes: Attributes,
}

/// Whether a resource holds data that deleting it would destroy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contents {
    /// The kind holds no user data (roles), or the resource is empty.
    Empty,
    /// It holds data: `count` items (at least; `exact` says whether more may exist).
    NonEmpty {
        /// How many objects / items were counted.
        count: u64,
        /// Whether `count` is exact (counting stops early on large buckets).
        exact: bool,
        /// The plural noun: `objects`, `items`.
        noun: &'static str,
    },
}

impl Contents {
    /// `12 objects`, `1000+ items`, or `None` when empty.
    pub fn describe(&self) -> Option<String> {
        match self {
            Contents::Empty => None,
            Contents::NonEmpty { count, exact, noun } => {
                // `noun` is plural ("objects"); exactly one reads "1 object".
                let noun = match (*count, *exact) {
                    (1, true) => noun.strip_suffix('s').unwrap_or(noun),
                    _ => noun,
                };
                Some(format!("{count}{} {noun}", if *exact { "" } else { "+" }))
            }
        }
    }
}

/// Create one resource.
#[derive(Debug, Clone)]
pub struct CreateRequest {
    /// The logical address, for messages.
    pub address: Address,
    /// The physical name.
    pub name: String,
    /// The full desired spec, references resolved, defaults applied, ownership tags in `tags`.
    pub spec: Value,
    /// How long the provider may wait for the resource to settle; set by the engine.
    pub wait_limit: Duration,
}

/// Update one resource in place.
#[derive(Debug, Clone)]
pub struct UpdateRequest {
    /// The logical address, for messages.
    pub address: Address,
    /// The physical name.
    pub name: String,
    /// The full desired spec (as for create).
    pub desired: Value,
    /// The live spec as observed.
    pub live: Value,
    /// The changed fields; a provider calls only the APIs these touch.
    pub changes: Vec<FieldChange>,
    /// How long the provider may wait for the resource to settle; set by the engine.
    pub wait_limit: Duration,
}

impl UpdateRequest {
    /// Whether any change is at `prop` or below it (`tags` matches `tags.env`).
    pub fn touches(&self, prop: &str) -> bool {
        self.changes.iter().any(|c| under(&c.path, prop))
    }

    /// Whether any change is outside all of `props`: what a provider that sends its
    /// definition whole asks before sending it (`touches_other_than(&["tags"])`).
    pub fn touches_other_than(&self, props: &[&str]) -> bool {
        self.changes
            .iter()
            .any(|c| !props.iter().any(|p| under(&c.path, p)))
    }
}

/// `path` is `prop` or below it.
fn under(path: &str, prop: &str) -> bool {
    path == prop
        || path
            .strip_prefix(prop)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// Delete one resource.
#[derive(Debug, Clone)]
pub struct DeleteRequest {
    /// The logical address, for messages.
    pub address: Address,
    /// The physical name.
    pub name: String,
    /// Empty the resource first (all object versions, all items). Without it, a resource
    /// holding data is refused with [`ProviderError::DataLoss`].
    pub allow_data_loss: bool,
    /// How long the provider may wait for the resource to go away; set by the engine.
    pub wait_limit: Duration,
}

/// Manages one kind of AWS resource.
///
/// # Guarantees a provider gives
/// - `observe` has no side effects and reports only the properties in its [`Schema`].
/// - `create` on a name that is taken fails with an error of class
///   [`crate::ErrorClass::AlreadyExists`] and changes nothing: the engine then judges whose it
///   is with the same ownership rule as the plan, and converges it through `update` only when
///   it is ours. A provider never adopts anything itself.
/// - A provider never retries or loops on its own: throttling is retried by the SDK, and an
///   eventual-consistency failure is marked ([`ProviderError::settles_later`]) for the engine
///   to run the step again. Waits go through the kit's bounded wait within `wait_limit`.
/// - `delete` on a missing resource succeeds.
/// - `delete` never destroys data unless the request allows it.
/// - Errors keep the operation, the resource, AWS's code, message and request id.
#[async_trait]
pub trait Provider: Send + Sync {
    /// The kind's schema (its `kind` names the kind).
    fn schema(&self) -> &Schema;

    /// Rewrites a spec into the form AWS reads back (policy JSON canonical, values AWS
    /// rewrites), applied to desired and live alike, so that equal things compare equal.
    fn normalize(&self, _spec: &mut Value) {}

    /// Attributes that follow from the name alone (ARNs), so plans can show them before the
    /// resource exists. Empty when they can only be known after create.
    fn predict_attributes(&self, _name: &str) -> Attributes {
        Attributes::new()
    }

    /// Reads the live state.
    async fn observe(&self, name: &str) -> Result<Observation, ProviderError>;

    /// Creates the resource and configures every property; returns its attributes.
    async fn create(&self, req: &CreateRequest) -> Result<Attributes, ProviderError>;

    /// Changes what `req.changes` names; returns the attributes.
    async fn update(&self, req: &UpdateRequest) -> Result<Attributes, ProviderError>;

    /// Deletes the resource.
    async fn delete(&self, req: &DeleteRequest) -> Result<(), ProviderError>;

    /// Whether [`Provider::preview`] asks the service what an update does.
    fn previews(&self) -> bool {
        false
    }

    /// Whether [`Provider::preview`] can ask before what the resource depends on exists: it
    /// sends what it needs itself (a template's text instead of its uploaded copy).
    fn previews_ahead(&self) -> bool {
        false
    }

    /// What the service says `req` would do below the resource, for the plan: the resources
    /// a CloudFormation change set changes. It may ask the service to compute it, but
    /// leaves nothing behind and changes nothing. Empty for kinds whose fields say it all.
    /// The engine asks only when what the resource depends on exists already, unless
    /// [`Provider::previews_ahead`].
    async fn preview(&self, _req: &UpdateRequest) -> Result<Vec<Detail>, ProviderError> {
        Ok(Vec::new())
    }

    /// What the plan should say of an update beyond its field changes: a change that AWS
    /// lets happen only in steps over time (one DynamoDB TTL change per table per hour), so
    /// that the plan tells which step this deploy makes and when the next can run. `desired`
    /// and `live` are prepared specs; `None` for most updates.
    fn plan_note(&self, _desired: &Value, _live: &Value) -> Option<String> {
        None
    }

    /// Whether the kind is where users keep data (a bucket, a table, a database): in an env
    /// with `removal_policy: retain`, one that leaves the stack is forgotten, not deleted.
    fn holds_data(&self) -> bool {
        false
    }

    /// Whether deleting the resource would destroy data.
    async fn contents(&self, _name: &str) -> Result<Contents, ProviderError> {
        Ok(Contents::Empty)
    }

    /// The resource this one is held in, as (kind, name), when that one's
    /// [`Provider::contents`] counts it: an item in its table, a table in its database. What
    /// a plan deletes itself is then not counted as data it loses.
    fn container(&self, _name: &str) -> Option<(&'static str, String)> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::{Contents, UpdateRequest};
    use crate::{Address, FieldChange};

    #[test]
    fn touches_matches_a_property_and_what_is_below_it() {
        let change = |path: &str| FieldChange {
            path: path.into(),
            before: None,
            after: None,
            forces_replace: false,
            sensitive: false,
            known_after_apply: false,
        };
        let req = |paths: &[&str]| UpdateRequest {
            address: Address::new("r", None),
            name: "r".into(),
            desired: serde_json::Value::Null,
            live: serde_json::Value::Null,
            changes: paths.iter().map(|p| change(p)).collect(),
            wait_limit: std::time::Duration::ZERO,
        };
        let tags_only = req(&["tags.team", "tags.env"]);
        assert!(tags_only.touches("tags") && !tags_only.touches("tag"));
        assert!(!tags_only.touches_other_than(&["tags"]));
        let both = req(&["tags.team", "start.enabled", "actions[ingest].arguments"]);
        assert!(both.touches("start.enabled") && !both.touches("start.schedule"));
        assert!(both.touches_other_than(&["tags", "start.enabled"]));
        assert!(!both.touches_other_than(&["tags", "start", "actions"]));
    }

    #[test]
    fn contents_read_as_counted_nouns() {
        let c = |count, exact| Contents::NonEmpty {
            count,
            exact,
            noun: "objects",
        };
        let cases = [
            ("empty", Contents::Empty, None),
            ("exactly one", c(1, true), Some("1 object")),
            ("several", c(12, true), Some("12 objects")),
            ("at least", c(10_000, false), Some("10000+ objects")),
        ];
        for (why, contents, want) in cases {
            assert_eq!(contents.describe().as_deref(), want, "{why}");
        }
    }
}
