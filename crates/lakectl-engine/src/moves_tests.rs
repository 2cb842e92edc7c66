//! Moves: a resource that gets another address keeps its physical resource and its data;
//! its record and ownership tags follow, and a run killed halfway is finished by the next.

use crate::Forgotten;
use crate::error::EngineError;
use crate::options::PlanMode;
use crate::state::StateStore;
use crate::testing::{Harness, Op, our_tags, physical, res, stack};
use lakectl_core::{Action, Address, DesiredResource, DesiredStack, RemovalPolicy};
use serde_json::json;
use std::time::Duration;

fn a(s: &str) -> Address {
    Address::parse(s).expect("address")
}

/// A bucket and an untaggable link at `bucket_at` / `link_at`, keeping the physical names
/// of `old_bucket` / `old_link` (as a derived name does across a `moved:` entry).
fn lake(bucket_at: &str, link_at: &str, moved: bool) -> DesiredStack {
    let with = |mut r: DesiredResource, old: &str| {
        r.name = physical(old);
        if moved && r.address.as_str() != old {
            r.moved_from = vec![a(old)];
        }
        r
    };
    stack(
        vec![
            with(
                res("fake.bucket", bucket_at, json!({"key": "k", "size": 1})),
                "old_bucket",
            ),
            with(
                res("fake.link", link_at, json!({"target": "t"})),
                "old_link",
            ),
        ],
        RemovalPolicy::Destroy,
    )
}

async fn addresses(h: &Harness) -> Vec<String> {
    let mut got: Vec<String> = h
        .records()
        .await
        .into_iter()
        .map(|r| r.address.to_string())
        .collect();
    got.sort();
    got
}

#[tokio::test(start_paused = true)]
async fn a_declared_move_keeps_the_resources_and_moves_records_and_tags() {
    let h = Harness::new(Duration::from_millis(10));
    h.deploy(&lake("old_bucket", "old_link", false)).await;
    h.world.clear_calls();

    let moved = lake("bucket", "link", true);
    let planned = h.plan(&moved, PlanMode::Deploy).await.expect("plan");
    let bucket = planned
        .plan
        .resources
        .iter()
        .find(|r| r.address == a("bucket"));
    let bucket = bucket.expect("bucket planned");
    assert_eq!(bucket.moved_from, Some(a("old_bucket")));
    assert_eq!(
        bucket.action,
        Action::Update,
        "only its address tag changes"
    );
    assert_eq!(
        bucket
            .changes
            .iter()
            .map(|c| c.path.as_str())
            .collect::<Vec<_>>(),
        vec!["tags.lakectl:address"]
    );
    let link = planned
        .plan
        .resources
        .iter()
        .find(|r| r.address == a("link"));
    let link = link.expect("link planned");
    assert_eq!(link.moved_from, Some(a("old_link")));
    assert_eq!(
        link.action,
        Action::NoOp,
        "an untaggable kind moves in the state only"
    );
    assert_eq!(planned.plan.summary.delete, 0);
    assert_eq!(planned.plan.summary.moved, 2);
    assert!(planned.plan.summary.has_changes());

    h.apply(&planned, 4, false).await.expect("apply");
    assert_eq!(
        h.world.mutations(),
        vec![(Op::Update, physical("old_bucket"))],
        "nothing created or deleted"
    );
    assert_eq!(addresses(&h).await, vec!["bucket", "link"]);
    assert_eq!(
        h.world.spec(&physical("old_bucket")).expect("still there")["tags"],
        our_tags("bucket")
    );
    let again = h.plan(&moved, PlanMode::Deploy).await.expect("second plan");
    assert!(
        !again.plan.summary.has_changes(),
        "{:?}",
        again.plan.summary
    );
    assert!(again.plan.resources.iter().all(|r| r.moved_from.is_none()));
}

#[tokio::test(start_paused = true)]
async fn a_rename_without_a_move_is_refused_with_the_entry_to_write() {
    let h = Harness::new(Duration::from_millis(10));
    h.deploy(&lake("old_bucket", "old_link", false)).await;
    h.world.clear_calls();
    let err = h
        .plan(&lake("bucket", "old_link", false), PlanMode::Deploy)
        .await
        .expect_err("renamed without a move");
    assert!(
        matches!(&err, EngineError::MovedWithoutEntry { old, .. } if old == "old_bucket"),
        "{err:?}"
    );
    let help = miette::Diagnostic::help(&err).expect("help").to_string();
    assert!(
        help.contains("- from: \"old_bucket\"\n      to: \"bucket\""),
        "{help}"
    );
    assert!(
        help.contains("lakectl state mv --env dev 'old_bucket' 'bucket'"),
        "{help}"
    );
    assert!(h.world.mutations().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_move_killed_between_its_two_records_is_finished_without_a_delete() {
    let h = Harness::new(Duration::from_millis(10));
    h.deploy(&lake("old_bucket", "old_link", false)).await;
    // The new record was written, the old one not yet removed.
    let at = Harness::at();
    for mut rec in h.records().await {
        rec.address = match rec.address.as_str() {
            "old_bucket" => a("bucket"),
            _ => a("link"),
        };
        h.state.put_record(&at, &rec).await.expect("put");
    }
    h.world.clear_calls();
    let moved = lake("bucket", "link", true);
    let planned = h.plan(&moved, PlanMode::Deploy).await.expect("plan");
    assert_eq!(
        planned.plan.summary.delete, 0,
        "{:?}",
        planned.plan.resources
    );
    h.apply(&planned, 4, false).await.expect("apply");
    assert_eq!(addresses(&h).await, vec!["bucket", "link"]);
    assert!(
        h.world.mutations().iter().all(|(op, _)| *op == Op::Update),
        "{:?}",
        h.world.mutations()
    );
}

#[tokio::test(start_paused = true)]
async fn a_record_moved_by_hand_retags_and_the_old_entry_is_not_needed() {
    let h = Harness::new(Duration::from_millis(10));
    h.deploy(&lake("old_bucket", "old_link", false)).await;
    let renamed = lake("bucket", "old_link", false);
    h.world.clear_calls();
    let moved = h
        .engine
        .move_record(&renamed, &a("old_bucket"), &a("bucket"))
        .await
        .expect("state mv");
    assert_eq!(moved.name, physical("old_bucket"));
    assert!(h.world.calls().is_empty(), "state mv calls no provider");
    h.world.clear_calls();
    let planned = h.plan(&renamed, PlanMode::Deploy).await.expect("plan");
    let bucket = planned
        .plan
        .resources
        .iter()
        .find(|r| r.address == a("bucket"));
    assert_eq!(
        bucket.and_then(|b| b.moved_from.clone()),
        Some(a("old_bucket"))
    );
    h.apply(&planned, 4, false).await.expect("apply");
    assert_eq!(
        h.world.mutations(),
        vec![(Op::Update, physical("old_bucket"))]
    );
    let again = h
        .plan(&renamed, PlanMode::Deploy)
        .await
        .expect("second plan");
    assert!(!again.plan.summary.has_changes());
}

#[tokio::test(start_paused = true)]
async fn destroy_after_a_move_leaves_no_record_behind() {
    let h = Harness::new(Duration::from_millis(10));
    h.deploy(&lake("old_bucket", "old_link", false)).await;
    let moved = lake("bucket", "link", true);
    let planned = h.plan(&moved, PlanMode::Destroy).await.expect("plan");
    assert_eq!(planned.plan.summary.delete, 2);
    h.apply(&planned, 4, false).await.expect("destroy");
    assert!(addresses(&h).await.is_empty());
    assert!(h.world.spec(&physical("old_bucket")).is_none());
}

#[tokio::test(start_paused = true)]
async fn state_mv_refuses_what_it_cannot_do_and_changes_nothing() {
    let h = Harness::new(Duration::from_millis(10));
    let d = lake("old_bucket", "old_link", false);
    h.deploy(&d).await;
    let before = h.records().await;
    let cases = [
        ("nowhere", "bucket", "no record"),
        ("old_bucket", "old_link", "address taken"),
    ];
    for (from, to, why) in cases {
        let err = h
            .engine
            .move_record(&d, &a(from), &a(to))
            .await
            .expect_err(why);
        match why {
            "no record" => assert!(
                matches!(&err, EngineError::NoRecord { known, .. } if known == "old_bucket, old_link"),
                "{err:?}"
            ),
            _ => assert!(matches!(err, EngineError::AddressTaken { .. }), "{err:?}"),
        }
    }
    let other_kind = lake("old_bucket", "link", false);
    let err = h
        .engine
        .move_record(&other_kind, &a("old_bucket"), &a("link"))
        .await
        .expect_err("bucket record to a link address");
    assert!(
        matches!(err, EngineError::MoveKindDiffers { .. }),
        "{err:?}"
    );
    assert_eq!(h.records().await, before);
}

#[tokio::test(start_paused = true)]
async fn forget_lets_a_resource_go_untouched_but_for_its_ownership_tags() {
    let h = Harness::new(Duration::from_millis(10));
    let d = lake("old_bucket", "old_link", false);
    h.deploy(&d).await;
    h.world.put(
        &physical("old_bucket"),
        json!({"key": "k", "size": 1, "tags": {"team": "data", "lakectl:stack": "lake", "lakectl:env": "dev", "lakectl:address": "old_bucket"}}),
    );
    let err = h
        .engine
        .forget(&d, &a("old_bucket"))
        .await
        .expect_err("still declared");
    assert!(matches!(err, EngineError::StillDeclared { .. }), "{err:?}");

    let mut without = d.clone();
    without.resources.remove(&a("old_bucket"));
    without.resources.remove(&a("old_link"));
    h.world.clear_calls();
    let (rec, done) = h
        .engine
        .forget(&without, &a("old_bucket"))
        .await
        .expect("forget bucket");
    assert_eq!(
        (rec.name.as_str(), done),
        (physical("old_bucket").as_str(), Forgotten::Untagged)
    );
    let (_, done) = h
        .engine
        .forget(&without, &a("old_link"))
        .await
        .expect("forget link");
    assert_eq!(done, Forgotten::NothingToUntag);
    assert_eq!(
        h.world.mutations(),
        vec![(Op::Update, physical("old_bucket"))]
    );
    assert_eq!(
        h.world
            .spec(&physical("old_bucket"))
            .expect("left in place"),
        json!({"key": "k", "size": 1, "tags": {"team": "data"}})
    );
    assert!(h.world.spec(&physical("old_link")).is_some());
    assert!(addresses(&h).await.is_empty());
    let planned = h.plan(&without, PlanMode::Deploy).await.expect("plan");
    assert!(
        !planned.plan.summary.has_changes(),
        "nothing left to delete"
    );
}

#[tokio::test(start_paused = true)]
async fn state_mv_refuses_a_move_that_would_change_the_physical_name() {
    let h = Harness::new(Duration::from_millis(10));
    h.deploy(&lake("old_bucket", "old_link", false)).await;
    let before = h.records().await;
    // `bucket` with the name derived from its own address, not the old one.
    let mut renamed = lake("bucket", "old_link", false);
    renamed
        .resources
        .get_mut(&a("bucket"))
        .expect("bucket")
        .name = physical("bucket");
    let err = h
        .engine
        .move_record(&renamed, &a("old_bucket"), &a("bucket"))
        .await
        .expect_err("the record would leave its resource behind");
    assert!(matches!(err, EngineError::MoveRenames { .. }), "{err:?}");
    let help = miette::Diagnostic::help(&err).expect("help").to_string();
    assert!(
        help.contains("from: \"old_bucket\", to: \"bucket\""),
        "{help}"
    );
    assert_eq!(h.records().await, before);
}

#[tokio::test(start_paused = true)]
async fn a_state_mv_killed_between_its_two_records_is_finished_by_the_next_plan() {
    let h = Harness::new(Duration::from_millis(10));
    h.deploy(&lake("old_bucket", "old_link", false)).await;
    // The new record written, the old one not removed, and no `moved:` entry.
    let at = Harness::at();
    let mut rec = h
        .records()
        .await
        .into_iter()
        .find(|r| r.address == a("old_bucket"))
        .expect("record");
    rec.address = a("bucket");
    h.state.put_record(&at, &rec).await.expect("put");
    h.world.clear_calls();
    let renamed = lake("bucket", "old_link", false);
    let planned = h.plan(&renamed, PlanMode::Deploy).await.expect("plan");
    assert_eq!(
        planned.plan.summary.delete, 0,
        "{:?}",
        planned.plan.resources
    );
    h.apply(&planned, 4, false).await.expect("apply");
    assert_eq!(addresses(&h).await, vec!["bucket", "old_link"]);
    assert_eq!(
        h.world.mutations(),
        vec![(Op::Update, physical("old_bucket"))]
    );
}

#[tokio::test(start_paused = true)]
async fn a_rename_with_a_derived_name_says_which_moved_entry_would_keep_it() {
    let h = Harness::new(Duration::from_millis(10));
    h.deploy(&lake("old_bucket", "old_link", false)).await;
    let mut renamed = lake("bucket", "old_link", false);
    renamed
        .resources
        .get_mut(&a("bucket"))
        .expect("bucket")
        .name = physical("bucket");
    let planned = h.plan(&renamed, PlanMode::Deploy).await.expect("plan");
    let old = planned
        .plan
        .resources
        .iter()
        .find(|r| r.address == a("old_bucket"));
    let reason = old.and_then(|r| r.reason.clone()).unwrap_or_default();
    assert!(
        reason.contains("if it was renamed to bucket, a `moved:` entry (from: \"old_bucket\", to: \"bucket\") keeps it"),
        "{reason}"
    );
}

#[tokio::test(start_paused = true)]
async fn forget_leaves_alone_a_resource_whose_tags_name_another_owner() {
    let h = Harness::new(Duration::from_millis(10));
    let d = lake("old_bucket", "old_link", false);
    h.deploy(&d).await;
    let theirs = json!({"key": "k", "tags": {"lakectl:stack": "other", "lakectl:env": "dev", "lakectl:address": "x"}});
    h.world.put(&physical("old_bucket"), theirs.clone());
    let mut without = d.clone();
    without.resources.remove(&a("old_bucket"));
    h.world.clear_calls();
    let (_, done) = h
        .engine
        .forget(&without, &a("old_bucket"))
        .await
        .expect("forget");
    assert_eq!(done, Forgotten::OwnedElsewhere);
    assert!(h.world.mutations().is_empty());
    assert_eq!(h.world.spec(&physical("old_bucket")), Some(theirs));
}
