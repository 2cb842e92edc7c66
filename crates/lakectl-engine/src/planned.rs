//! The result of a plan: the plan people see, and what apply needs to carry it out.

use crate::options::PlanMode;
use crate::state::{ResourceRecord, StackEnv};
use lakectl_core::{
    Action, Address, Attributes, EnvSettings, FieldChange, Live, Plan, RemovalPolicy, ResourceId,
};
use serde_json::Value;
use std::collections::BTreeMap;

/// A plan plus everything apply needs: resolved desired specs, live specs and attributes,
/// the state records and the env. Made by [`crate::Engine::plan`], consumed by
/// [`crate::Engine::apply`].
#[derive(Debug, Clone)]
pub struct PlannedChanges {
    /// What will change, in apply order.
    pub plan: Plan,
    pub(crate) at: StackEnv,
    pub(crate) mode: PlanMode,
    pub(crate) env: EnvSettings,
    pub(crate) nodes: BTreeMap<Address, Node>,
    /// Records of resources that no longer exist: apply drops them.
    pub(crate) stale: Vec<Address>,
    /// The stack's outputs as written (references unresolved).
    pub(crate) outputs: BTreeMap<String, Value>,
    /// Planned for some `--target`s only: the recorded outputs are left as they are.
    pub(crate) partial: bool,
}

/// One resource of the plan with what apply needs to change it.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub address: Address,
    pub kind: String,
    /// The physical name it has after apply (for a delete: the one deleted).
    pub name: String,
    pub action: Action,
    /// The desired spec with ownership tags, references as written; `None` for a delete.
    pub desired: Option<Value>,
    /// The desired spec resolved and prepared at plan time.
    pub resolved: Option<Value>,
    /// The live resource (spec prepared), when it exists.
    pub live: Option<Live>,
    /// What a delete or replace deletes first.
    pub delete_target: Option<ResourceId>,
    /// The state record of this address, if any.
    pub record: Option<ResourceRecord>,
    /// The changed fields, as in the plan.
    pub changes: Vec<FieldChange>,
    /// What it depends on: the desired references, or the record's for a resource no longer
    /// declared.
    pub depends_on: Vec<Address>,
    /// Attributes the provider predicts from the name.
    pub predicted: Attributes,
    /// Where it is declared (`file:line:col`), or `state table` for a record only.
    pub location: String,
    /// Earlier addresses whose ownership tags count as ours (see `Claim::former`).
    pub former: Vec<Address>,
    /// The address its record and ownership tags had before this plan gave it this one.
    pub moved_from: Option<Address>,
    /// A record under an earlier address that apply removes once this one is recorded.
    pub drop_record: Option<Address>,
    /// Its own `removal_policy`, kept in its record.
    pub removal_policy: Option<RemovalPolicy>,
    /// For a resource left in AWS and forgotten: why it is kept.
    pub kept: Option<String>,
}

/// What one resource of a plan was planned from, as hashes: enough to tell, when a saved plan
/// is applied later, whether planning again would give the same change. Values are never
/// kept, only their SHA-256, so a saved plan holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fingerprint {
    /// The declaration: kind, name, properties as written, removal policy.
    pub desired: String,
    /// The live resource: its spec and attributes (empty when it does not exist).
    pub live: String,
    /// The decision: action, resolved properties, what it moves from or deletes.
    pub change: String,
}

fn sha(value: &serde_json::Value) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(value.to_string().as_bytes()))
}

impl PlannedChanges {
    /// The fingerprint of each resource of the plan.
    pub fn fingerprints(&self) -> BTreeMap<Address, Fingerprint> {
        // What a delete or replace would destroy is part of the decision: data written since
        // the plan was made must be seen again, not deleted unreviewed.
        let data_loss: BTreeMap<&Address, &Option<String>> = self
            .plan
            .resources
            .iter()
            .map(|r| (&r.address, &r.data_loss))
            .collect();
        self.nodes
            .values()
            .map(|n| {
                let live = n
                    .live
                    .as_ref()
                    .map(|l| serde_json::json!({"spec": l.spec, "attributes": l.attributes}));
                let fp = Fingerprint {
                    desired: sha(&serde_json::json!({
                        "kind": n.kind, "name": n.name, "desired": n.desired,
                        "removal_policy": n.removal_policy,
                    })),
                    live: sha(&serde_json::json!(live)),
                    change: sha(&serde_json::json!({
                        "action": n.action, "resolved": n.resolved, "moved_from": n.moved_from,
                        "delete": n.delete_target.as_ref().map(|t| (&t.kind, &t.name)),
                        "data_loss": data_loss.get(&n.address),
                    })),
                };
                (n.address.clone(), fp)
            })
            .collect()
    }

    /// Whether this plans a destroy.
    pub fn is_destroy(&self) -> bool {
        self.mode == PlanMode::Destroy
    }
}
