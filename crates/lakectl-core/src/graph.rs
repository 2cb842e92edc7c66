//! The desired graph: what the stack files ask for, after loading and before any AWS call.

use crate::address::Address;
use crate::refs::refs_in;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// What may happen to data when a resource that holds it goes away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum RemovalPolicy {
    /// On the env: data-holding resources (buckets, tables, databases) removed from the stack
    /// files or destroyed are left in AWS and forgotten, and data is never destroyed, even
    /// with `--allow-data-loss` (prod). On a resource: it is left and forgotten, whatever it is.
    #[default]
    Retain,
    /// On the env: data-holding resources are deleted, those holding data only with
    /// `--allow-data-loss` (dev). On a resource: it is deleted in any env.
    Destroy,
}

/// The settings of one environment (`stacks/env/<env>.yaml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvSettings {
    /// The environment's name, e.g. `dev`.
    pub name: String,
    /// The AWS region.
    pub region: String,
    /// The only account this env may be deployed into, when set.
    pub account_id: Option<String>,
    /// An endpoint URL (the local emulator); `AWS_ENDPOINT_URL` overrides it.
    pub endpoint: Option<String>,
    /// What may happen to data.
    pub removal_policy: RemovalPolicy,
    /// It talks to a local emulator: without credentials in the environment, lakectl uses
    /// the emulator's test credentials instead of looking for AWS ones.
    #[serde(default)]
    pub emulator: bool,
}

/// One resource as the stack files declare it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesiredResource {
    /// The logical address.
    pub address: Address,
    /// The kind, e.g. `s3.bucket`.
    pub kind: String,
    /// The physical name: given in the stack file, or derived from stack, env and address.
    pub name: String,
    /// The properties: variables substituted, defaults applied, `name` set. References to
    /// other resources are left as `${address.attr}` strings for the engine to resolve.
    pub spec: Value,
    /// Where it is declared, `file:line:col`, for messages.
    pub location: String,
    /// Resources it waits for without referencing them: its `depends_on:` entries.
    /// [`Self::depends_on`] adds the references in `spec`.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub explicit_deps: BTreeSet<Address>,
    /// The addresses it had before, from the stack files' `moved:` entries, nearest first:
    /// what the state table and ownership tags may still call it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moved_from: Vec<Address>,
    /// Its own `removal_policy:`, over the env's default for data-holding kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removal_policy: Option<RemovalPolicy>,
}

impl DesiredResource {
    /// The resources this one references or declares in `depends_on`.
    pub fn depends_on(&self) -> BTreeSet<Address> {
        let mut deps: BTreeSet<Address> =
            refs_in(&self.spec).into_iter().map(|r| r.address).collect();
        deps.extend(self.explicit_deps.iter().cloned());
        deps
    }
}

/// The whole desired state of one stack in one environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DesiredStack {
    /// The stack name.
    pub stack: String,
    /// The environment.
    pub env: EnvSettings,
    /// Every resource, by address.
    pub resources: BTreeMap<Address, DesiredResource>,
    /// Named outputs; values may hold references.
    pub outputs: BTreeMap<String, Value>,
}

impl DesiredStack {
    /// Resources in an order where each comes after everything it references.
    ///
    /// # Errors
    /// The addresses on a cycle, in order, when references form one.
    pub fn topological_order(&self) -> Result<Vec<&Address>, Vec<Address>> {
        let deps: BTreeMap<&Address, BTreeSet<Address>> = self
            .resources
            .iter()
            .map(|(a, r)| (a, r.depends_on()))
            .collect();
        topo_sort(&deps)
    }
}

/// Kahn's algorithm over `node -> its dependencies`; dependencies outside the map are ignored.
///
/// # Errors
/// One cycle, as the list of addresses along it.
pub fn topo_sort<'a>(
    deps: &BTreeMap<&'a Address, BTreeSet<Address>>,
) -> Result<Vec<&'a Address>, Vec<Address>> {
    let mut remaining: BTreeMap<&Address, BTreeSet<&Address>> = deps
        .iter()
        .map(|(a, ds)| {
            (
                *a,
                ds.iter()
                    .filter_map(|d| deps.get_key_value(d).map(|(k, _)| *k))
                    .collect(),
            )
        })
        .collect();
    let mut order = Vec::with_capacity(deps.len());
    loop {
        let ready: Vec<&Address> = remaining
            .iter()
            .filter(|(_, ds)| ds.is_empty())
            .map(|(a, _)| *a)
            .collect();
        if ready.is_empty() {
            break;
        }
        for a in ready {
            remaining.remove(a);
            for ds in remaining.values_mut() {
                ds.remove(a);
            }
            order.push(a);
        }
    }
    if remaining.is_empty() {
        return Ok(order);
    }
    // Walk from any remaining node along remaining edges until a node repeats: that is a cycle.
    let mut path: Vec<&Address> = Vec::new();
    let mut node = *remaining.keys().next().expect("non-empty");
    while !path.contains(&node) {
        path.push(node);
        node = *remaining[node]
            .iter()
            .next()
            .expect("every remaining node waits on another");
    }
    let start = path
        .iter()
        .position(|a| *a == node)
        .expect("repeated node is on the path");
    Err(path[start..].iter().map(|a| (*a).clone()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Address {
        Address::parse(s).expect("address")
    }

    #[test]
    fn orders_dependencies_first_and_finds_cycles() {
        let (x, y, z) = (a("x"), a("y"), a("z"));
        let deps = BTreeMap::from([
            (&x, BTreeSet::from([y.clone()])),
            (&y, BTreeSet::from([z.clone()])),
            (&z, BTreeSet::new()),
        ]);
        assert_eq!(topo_sort(&deps), Ok(vec![&z, &y, &x]));

        let deps = BTreeMap::from([
            (&x, BTreeSet::from([y.clone()])),
            (&y, BTreeSet::from([x.clone()])),
            (&z, BTreeSet::new()),
        ]);
        assert_eq!(topo_sort(&deps), Err(vec![x.clone(), y.clone()]));
    }
}
