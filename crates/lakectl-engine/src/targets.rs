//! `--target`: a plan of some addresses and what they depend on, leaving the rest alone.

use crate::error::EngineError;
use crate::options::PlanMode;
use crate::state::ResourceRecord;
use lakectl_core::schema::closest;
use lakectl_core::{Address, DesiredStack};
use std::collections::{BTreeMap, BTreeSet};

/// The part of the stack and of the records a plan of `targets` covers. For a deploy: each
/// declared target with everything it depends on (transitively); for a destroy: each target
/// with everything that depends on it, which would be left pointing at nothing otherwise.
/// A target that only has a record (a resource removed from the stack files) is planned to
/// be deleted; one that is the earlier address of a `moved:` entry brings the resource it
/// moved to. Records of other addresses are left out, so nothing else is deleted. The
/// outputs are left out: they may need the rest.
///
/// # Errors
/// [`EngineError::UnknownTarget`] for an address neither declared nor recorded.
pub(crate) fn narrow(
    desired: &DesiredStack,
    records: BTreeMap<Address, ResourceRecord>,
    targets: &[Address],
    mode: PlanMode,
) -> Result<(DesiredStack, BTreeMap<Address, ResourceRecord>), EngineError> {
    for t in targets {
        if !desired.resources.contains_key(t) && !records.contains_key(t) {
            let known = desired.resources.keys().chain(records.keys());
            return Err(EngineError::UnknownTarget {
                address: t.to_string(),
                hint: match closest(t.as_str(), known.map(Address::as_str)) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => "targets are addresses as the plan shows them".to_string(),
                },
            });
        }
    }
    // Where a target moved to: the move is planned with it, never a delete of its record.
    let moved_to = |t: &Address| {
        desired
            .resources
            .values()
            .find(|r| r.moved_from.contains(t))
            .map(|r| r.address.clone())
    };
    let mut todo: Vec<Address> = targets
        .iter()
        .map(|t| moved_to(t).unwrap_or_else(|| t.clone()))
        .collect();
    // What depends on each resource, for a destroy.
    let mut dependents: BTreeMap<Address, Vec<Address>> = BTreeMap::new();
    for r in desired.resources.values() {
        for d in r.depends_on() {
            dependents.entry(d).or_default().push(r.address.clone());
        }
    }
    let mut keep: BTreeSet<Address> = BTreeSet::new();
    while let Some(a) = todo.pop() {
        if !keep.insert(a.clone()) {
            continue;
        }
        match mode {
            PlanMode::Deploy => {
                if let Some(r) = desired.resources.get(&a) {
                    todo.extend(r.depends_on());
                }
            }
            PlanMode::Destroy => todo.extend(dependents.get(&a).cloned().unwrap_or_default()),
        }
    }
    let mut narrowed = desired.clone();
    narrowed.resources.retain(|a, _| keep.contains(a));
    narrowed.outputs.clear();
    // A kept resource's earlier addresses keep their records, so that its move is planned.
    let earlier: BTreeSet<&Address> = narrowed
        .resources
        .values()
        .flat_map(|r| r.moved_from.iter())
        .collect();
    let records = records
        .into_iter()
        .filter(|(a, _)| keep.contains(a) || earlier.contains(a))
        .collect();
    Ok((narrowed, records))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{res, stack};
    use lakectl_core::RemovalPolicy;
    use serde_json::json;

    fn a(s: &str) -> Address {
        Address::parse(s).expect("address")
    }

    fn record(address: &str) -> ResourceRecord {
        ResourceRecord {
            address: a(address),
            kind: "fake.bucket".into(),
            name: address.into(),
            status: crate::state::RecordStatus::Owned,
            depends_on: vec![],
            attributes: Default::default(),
            removal_policy: None,
        }
    }

    #[test]
    fn a_target_brings_what_it_depends_on_and_nothing_else() {
        let d = stack(
            vec![
                res("fake.bucket", "root", json!({"key": "r"})),
                res("fake.bucket", "mid", json!({"source": "${root.arn}"})),
                res("fake.bucket", "top", json!({"source": "${mid.arn}"})),
                res("fake.bucket", "other", json!({"key": "o"})),
            ],
            RemovalPolicy::Destroy,
        );
        let records: BTreeMap<Address, ResourceRecord> = ["root", "other", "gone", "old"]
            .into_iter()
            .map(|x| (a(x), record(x)))
            .collect();
        let (narrowed, kept) = narrow(
            &d,
            records.clone(),
            &[a("mid"), a("gone")],
            PlanMode::Deploy,
        )
        .expect("narrow");
        let got: Vec<&str> = narrowed.resources.keys().map(Address::as_str).collect();
        assert_eq!(got, vec!["mid", "root"]);
        let got: Vec<&str> = kept.keys().map(Address::as_str).collect();
        assert_eq!(
            got,
            vec!["gone", "root"],
            "a recorded target, and what is kept"
        );

        let (narrowed, _) =
            narrow(&d, records.clone(), &[a("mid")], PlanMode::Destroy).expect("narrow");
        let got: Vec<&str> = narrowed.resources.keys().map(Address::as_str).collect();
        assert_eq!(
            got,
            vec!["mid", "top"],
            "a destroy takes what depends on it, not what it needs"
        );

        let mut moved = d.clone();
        let top = moved.resources.remove(&a("top")).expect("top");
        moved.resources.insert(
            a("summit"),
            lakectl_core::DesiredResource {
                address: a("summit"),
                moved_from: vec![a("old")],
                ..top
            },
        );
        let (narrowed, kept) =
            narrow(&moved, records.clone(), &[a("old")], PlanMode::Deploy).expect("narrow");
        assert!(
            narrowed.resources.contains_key(&a("summit")),
            "the move comes along"
        );
        assert!(kept.contains_key(&a("old")), "with the record it moves");

        let err = narrow(&d, records, &[a("tpo")], PlanMode::Deploy).expect_err("unknown");
        assert!(
            matches!(&err, EngineError::UnknownTarget { hint, .. } if hint.contains("`top`")),
            "{err:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_targeted_deploy_changes_only_the_target_and_keeps_the_outputs() {
        use crate::options::{ApplyOptions, PlanMode, PlanOptions};
        use crate::state::StateStore;
        use crate::testing::{Harness, Op, physical};
        let h = Harness::new(std::time::Duration::from_millis(10));
        let mut d = stack(
            vec![
                res("fake.bucket", "root", json!({"key": "r", "size": 1})),
                res(
                    "fake.bucket",
                    "mid",
                    json!({"key": "m", "source": "${root.arn}"}),
                ),
                res("fake.bucket", "solo", json!({"key": "s", "size": 1})),
                res("fake.bucket", "gone", json!({"key": "g"})),
            ],
            RemovalPolicy::Destroy,
        );
        d.outputs = BTreeMap::from([("solo".to_string(), json!("${solo.name}"))]);
        h.deploy(&d).await;
        d.resources.remove(&a("gone"));
        for x in ["root", "solo"] {
            d.resources.get_mut(&a(x)).expect("declared").spec["size"] = json!(2);
        }
        h.world.clear_calls();
        let opts = PlanOptions {
            mode: PlanMode::Deploy,
            concurrency: 4,
            targets: vec![a("mid")],
        };
        let planned = h.engine.plan(&d, &opts).await.expect("plan");
        let got: Vec<(&str, lakectl_core::Action)> = planned
            .plan
            .resources
            .iter()
            .map(|r| (r.address.as_str(), r.action))
            .collect();
        assert_eq!(
            got,
            vec![
                ("root", lakectl_core::Action::Update),
                ("mid", lakectl_core::Action::NoOp)
            ],
            "its dependency comes along; `solo` and the removed `gone` are left alone"
        );
        h.engine
            .apply(&planned, &ApplyOptions::default(), h.progress.as_ref())
            .await
            .expect("apply");
        assert_eq!(h.world.mutations(), vec![(Op::Update, physical("root"))]);
        let outputs = h.state.outputs(&Harness::at()).await.expect("outputs");
        assert_eq!(outputs["solo"], json!(physical("solo")), "kept as recorded");
    }
}
