//! What an apply did.

use lakectl_core::{Action, Address};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The outcome of an apply: what was changed, what failed, what was skipped because of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ApplyReport {
    /// Resources changed, in the order they finished.
    pub applied: Vec<(Address, Action)>,
    /// Root causes: resources whose change failed, with the error.
    pub failed: Vec<(Address, String)>,
    /// Resources not attempted, with the failed resource that blocked them.
    pub skipped: Vec<(Address, Address)>,
    /// Resources not started because the endpoint stopped answering.
    pub not_started: Vec<Address>,
    /// The stack's outputs, resolved (empty when anything failed, and after a destroy).
    pub outputs: BTreeMap<String, Value>,
}
