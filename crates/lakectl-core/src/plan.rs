//! The plan: what a deploy will do to each resource. Plain, serializable data; rendering
//! for people and `--json` lives in the binary.

use crate::address::Address;
use crate::delta::FieldChange;
use serde::{Deserialize, Serialize};

/// What happens to one resource. One symbol each: `+ ~ - -/+` and nothing for no-op.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Live matches desired.
    #[serde(rename = "noop")]
    NoOp,
    /// Absent in AWS: created.
    Create,
    /// Changed in place.
    Update,
    /// An immutable property changed: deleted, then created again.
    Replace,
    /// No longer in the stack files: deleted.
    Delete,
    /// No longer in the stack files (or destroyed) under `removal_policy: retain`: left in
    /// AWS as it is; lakectl's ownership tags are removed and its record dropped.
    Forget,
}

impl Action {
    /// The symbol in human output.
    pub fn symbol(self) -> &'static str {
        match self {
            Action::NoOp => " ",
            Action::Create => "+",
            Action::Update => "~",
            Action::Replace => "-/+",
            Action::Delete => "-",
            Action::Forget => "=",
        }
    }

    /// Whether the action changes anything in AWS.
    pub fn is_change(self) -> bool {
        self != Action::NoOp
    }
}

/// The planned change of one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    /// The logical address.
    pub address: Address,
    /// The kind, e.g. `s3.bucket`.
    pub kind: String,
    /// The physical name in AWS.
    pub physical_id: String,
    /// What happens.
    pub action: Action,
    /// The changed fields (for create: every desired field; for delete: none).
    pub changes: Vec<FieldChange>,
    /// For the user only: why a replace is needed, why a delete happens, or what an update
    /// can show only at deploy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What a delete or replace would destroy (`12 objects`), when the resource holds data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_loss: Option<String>,
    /// Addresses this resource depends on (applied first).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<Address>,
    /// What the service itself says an update will do below the resource (the resources a
    /// CloudFormation change set changes), when the provider can ask it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<Detail>,
    /// The address the state table and ownership tags knew it by, when a `moved:` entry (or
    /// `lakectl state mv`) gave it this one: deploy moves its record (and retags it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_from: Option<Address>,
}

/// One change the service reports for an update: a resource of a CloudFormation stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detail {
    /// The service's word for it: `Add`, `Modify`, `Remove`, `Import`, `Dynamic`.
    pub action: String,
    /// What changes, as the service names it: a logical resource id.
    pub target: String,
    /// Its type: `AWS::IAM::Role`.
    pub kind: String,
    /// Whether the service replaces it: `True`, `False` or `Conditional`, when it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
}

/// How many resources get each action.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Resources created.
    pub create: usize,
    /// Resources updated in place.
    pub update: usize,
    /// Resources replaced.
    pub replace: usize,
    /// Resources deleted.
    pub delete: usize,
    /// Resources left as they are.
    pub noop: usize,
    /// Resources whose address changes (counted besides their action).
    #[serde(default)]
    pub moved: usize,
    /// Resources left in AWS and forgotten.
    #[serde(default)]
    pub forget: usize,
}

impl Summary {
    /// Whether the plan changes anything.
    pub fn has_changes(&self) -> bool {
        self.create + self.update + self.replace + self.delete + self.moved + self.forget > 0
    }
}

/// A whole plan. Its JSON form is stable: `format_version` changes on any incompatible edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Version of the JSON format (1).
    pub format_version: u32,
    /// The stack name.
    pub stack: String,
    /// The environment.
    pub env: String,
    /// The account planned against, when known (the command sets it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The region planned in, when known (the command sets it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Every resource of the stack and every owned resource no longer in it, in apply order.
    pub resources: Vec<ResourceChange>,
    /// Counts per action.
    pub summary: Summary,
}

impl Plan {
    /// The current JSON format version.
    pub const FORMAT_VERSION: u32 = 1;

    /// A plan over `resources`, with the summary computed.
    pub fn new(stack: &str, env: &str, resources: Vec<ResourceChange>) -> Self {
        let mut summary = Summary::default();
        for r in &resources {
            match r.action {
                Action::NoOp => summary.noop += 1,
                Action::Create => summary.create += 1,
                Action::Update => summary.update += 1,
                Action::Replace => summary.replace += 1,
                Action::Delete => summary.delete += 1,
                Action::Forget => summary.forget += 1,
            }
            if r.moved_from.is_some() {
                summary.moved += 1;
            }
        }
        Plan {
            format_version: Self::FORMAT_VERSION,
            stack: stack.to_string(),
            env: env.to_string(),
            account: None,
            region: None,
            resources,
            summary,
        }
    }

    /// Resources that would lose data (delete or replace of a non-empty bucket or table).
    pub fn data_loss(&self) -> impl Iterator<Item = &ResourceChange> {
        self.resources.iter().filter(|r| r.data_loss.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_form_is_the_documented_one() {
        let plan = Plan::new(
            "lake",
            "dev",
            vec![ResourceChange {
                address: Address::new("raw", None),
                kind: "s3.bucket".into(),
                physical_id: "b".into(),
                action: Action::Update,
                changes: vec![FieldChange {
                    path: "versioning".into(),
                    before: Some(json!(false)),
                    after: Some(json!(true)),
                    forces_replace: false,
                    sensitive: false,
                    known_after_apply: false,
                }],
                reason: None,
                data_loss: None,
                depends_on: vec![],
                details: vec![],
                moved_from: None,
            }],
        );
        let got = serde_json::to_value(&plan).expect("serializes");
        assert_eq!(
            got,
            json!({"format_version": 1, "stack": "lake", "env": "dev",
                   "resources": [{"address": "raw", "kind": "s3.bucket", "physical_id": "b", "action": "update",
                                  "changes": [{"path": "versioning", "before": false, "after": true, "forces_replace": false}]}],
                   "summary": {"create": 0, "update": 1, "replace": 0, "delete": 0, "noop": 0, "moved": 0, "forget": 0}})
        );
    }
}
