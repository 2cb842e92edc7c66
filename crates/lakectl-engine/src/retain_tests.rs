//! `removal_policy: retain`: what leaves the stack is left in AWS and forgotten, with a line
//! in the plan saying so; data is never destroyed under it.

use crate::error::EngineError;
use crate::options::PlanMode;
use crate::testing::{Harness, Op, our_tags, physical, res, stack};
use lakectl_core::{Action, Address, DesiredStack, RemovalPolicy};
use serde_json::json;
use std::time::Duration;

fn a(s: &str) -> Address {
    Address::parse(s).expect("address")
}

/// Two buckets, an untaggable link on its own and a link held in the `keep` bucket.
fn lake(policy: RemovalPolicy) -> DesiredStack {
    let mut held = res("fake.link", "held", json!({"target": "t"}));
    held.name = format!("{}/item", physical("keep"));
    stack(
        vec![
            res("fake.bucket", "keep", json!({"key": "k"})),
            res("fake.bucket", "other", json!({"key": "o"})),
            res("fake.link", "link", json!({"target": "t"})),
            held,
        ],
        policy,
    )
}

fn actions(planned: &crate::PlannedChanges) -> Vec<(String, Action)> {
    let mut got: Vec<(String, Action)> = planned
        .plan
        .resources
        .iter()
        .map(|r| (r.address.to_string(), r.action))
        .collect();
    got.sort_by(|x, y| x.0.cmp(&y.0));
    got
}

#[tokio::test(start_paused = true)]
async fn destroy_in_a_retaining_env_forgets_what_holds_data_and_deletes_the_rest() {
    let h = Harness::new(Duration::from_millis(10));
    let d = lake(RemovalPolicy::Retain);
    h.deploy(&d).await;
    h.world.set_contents(&physical("keep"), 5);
    h.world.clear_calls();

    let planned = h.plan(&d, PlanMode::Destroy).await.expect("plan");
    assert_eq!(
        actions(&planned),
        vec![
            ("held".to_string(), Action::Forget),
            ("keep".to_string(), Action::Forget),
            ("link".to_string(), Action::Delete),
            ("other".to_string(), Action::Forget),
        ],
        "buckets and what they hold are kept; an empty one too"
    );
    let keep = planned
        .plan
        .resources
        .iter()
        .find(|r| r.address == a("keep"));
    let reason = keep.and_then(|r| r.reason.clone()).unwrap_or_default();
    assert!(
        reason.contains("env dev has removal_policy retain"),
        "{reason}"
    );
    let held = planned
        .plan
        .resources
        .iter()
        .find(|r| r.address == a("held"));
    let reason = held.and_then(|r| r.reason.clone()).unwrap_or_default();
    assert!(reason.contains("inside keep, which is kept"), "{reason}");
    assert!(
        planned.plan.data_loss().next().is_none(),
        "nothing is destroyed"
    );
    assert_eq!(planned.plan.summary.forget, 3);

    h.apply(&planned, 4, false).await.expect("destroy");
    let mut muts = h.world.mutations();
    muts.sort();
    let mut want = vec![
        (Op::Update, physical("keep")),
        (Op::Update, physical("other")),
        (Op::Delete, physical("link")),
    ];
    want.sort();
    assert_eq!(muts, want, "two untaggings and one delete");
    assert_eq!(
        h.world.spec(&physical("keep")).expect("left in AWS")["tags"],
        json!({}),
        "ownership tags removed"
    );
    assert!(
        h.world
            .spec(&format!("{}/item", physical("keep")))
            .is_some()
    );
    assert!(h.records().await.is_empty(), "all forgotten");
}

#[tokio::test(start_paused = true)]
async fn a_resources_own_policy_decides_also_after_it_left_the_stack_files() {
    let h = Harness::new(Duration::from_millis(10));
    let mut d = lake(RemovalPolicy::Destroy);
    d.resources
        .get_mut(&a("link"))
        .expect("link")
        .removal_policy = Some(RemovalPolicy::Retain);
    h.deploy(&d).await;
    let recorded = h.records().await;
    let link = recorded.iter().find(|r| r.address == a("link"));
    assert_eq!(
        link.and_then(|r| r.removal_policy),
        Some(RemovalPolicy::Retain)
    );

    d.resources.remove(&a("link"));
    h.world.clear_calls();
    let planned = h.plan(&d, PlanMode::Deploy).await.expect("plan");
    let change = planned
        .plan
        .resources
        .iter()
        .find(|r| r.address == a("link"));
    assert_eq!(
        change.map(|r| r.action),
        Some(Action::Forget),
        "{:?}",
        actions(&planned)
    );
    h.apply(&planned, 4, false).await.expect("apply");
    assert!(
        h.world.mutations().is_empty(),
        "an untaggable kind: nothing to call"
    );
    assert!(h.world.spec(&physical("link")).is_some());

    // `destroy` on a bucket in a retaining env: deleted, and data still protected.
    let mut d = lake(RemovalPolicy::Retain);
    d.resources.remove(&a("link"));
    d.resources
        .get_mut(&a("other"))
        .expect("other")
        .removal_policy = Some(RemovalPolicy::Destroy);
    h.deploy(&d).await;
    h.world.set_contents(&physical("other"), 2);
    let planned = h.plan(&d, PlanMode::Destroy).await.expect("plan");
    let other = planned
        .plan
        .resources
        .iter()
        .find(|r| r.address == a("other"));
    assert_eq!(other.map(|r| r.action), Some(Action::Delete));
    let err = h
        .apply(&planned, 4, true)
        .await
        .expect_err("data in a retaining env");
    assert!(matches!(err, EngineError::RetainedData { .. }), "{err:?}");
    assert_eq!(
        h.world.spec(&physical("keep")).expect("kept")["tags"],
        our_tags("keep"),
        "refused before any change"
    );
}

#[tokio::test(start_paused = true)]
async fn what_holds_a_kept_resource_is_kept_with_it() {
    let h = Harness::new(Duration::from_millis(10));
    let mut d = lake(RemovalPolicy::Destroy);
    d.resources
        .get_mut(&a("held"))
        .expect("held")
        .removal_policy = Some(RemovalPolicy::Retain);
    h.deploy(&d).await;
    let planned = h.plan(&d, PlanMode::Destroy).await.expect("plan");
    let keep = planned
        .plan
        .resources
        .iter()
        .find(|r| r.address == a("keep"));
    assert_eq!(
        keep.map(|r| r.action),
        Some(Action::Forget),
        "{:?}",
        actions(&planned)
    );
    let reason = keep.and_then(|r| r.reason.clone()).unwrap_or_default();
    assert!(reason.contains("it holds held, which is kept"), "{reason}");
    let other = planned
        .plan
        .resources
        .iter()
        .find(|r| r.address == a("other"));
    assert_eq!(
        other.map(|r| r.action),
        Some(Action::Delete),
        "the rest goes as usual"
    );
}
