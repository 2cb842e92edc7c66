//! Applies against the fake world: ordering, parallelism, failures, retries, data safety.

use crate::error::EngineError;
use crate::options::PlanMode;
use crate::progress::ProgressEvent;
use crate::state::{RecordStatus, StateStore};
use crate::testing::{Failure, Harness, Op, physical, res, stack};
use lakectl_core::{Action, Address, DesiredStack, RemovalPolicy};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;

const STEP: Duration = Duration::from_secs(1);

fn a(s: &str) -> Address {
    Address::parse(s).expect("address")
}

/// root ← mid ← leaf, and `solo` on its own. `leaf` is untaggable and references `mid`'s id,
/// which only create returns.
fn lake(policy: RemovalPolicy) -> DesiredStack {
    let mut leaf = res("fake.link", "leaf", json!({"target": "${mid.id}"}));
    leaf.kind = "fake.link".into();
    let mut d = stack(
        vec![
            res("fake.bucket", "root", json!({"key": "r", "size": 1})),
            res(
                "fake.bucket",
                "mid",
                json!({"key": "m", "source": "${root.arn}"}),
            ),
            leaf,
            res("fake.bucket", "solo", json!({"key": "s"})),
        ],
        policy,
    );
    d.outputs = BTreeMap::from([
        ("mid_id".to_string(), json!("${mid.id}")),
        (
            "root".to_string(),
            json!({"arn": "${root.arn}", "name": "${root.name}"}),
        ),
    ]);
    d
}

fn started_at(h: &Harness, op: Op, name: &str) -> (tokio::time::Instant, tokio::time::Instant) {
    let c = h
        .world
        .calls()
        .into_iter()
        .find(|c| c.op == op && c.name == physical(name))
        .unwrap_or_else(|| panic!("no {op:?} of {name}"));
    (c.start, c.end)
}

#[tokio::test(start_paused = true)]
async fn deploy_walks_the_graph_and_resolves_references_and_outputs() {
    let h = Harness::new(STEP);
    let t0 = tokio::time::Instant::now();
    let report = h.deploy(&lake(RemovalPolicy::Destroy)).await;
    assert_eq!(report.applied.len(), 4);
    assert!(report.failed.is_empty() && report.skipped.is_empty());
    // root and solo start together; mid right after root; leaf right after mid.
    assert_eq!(started_at(&h, Op::Create, "root").0, t0 + Duration::ZERO);
    assert_eq!(started_at(&h, Op::Create, "solo").0, t0);
    assert_eq!(
        started_at(&h, Op::Create, "mid").0,
        started_at(&h, Op::Create, "root").1
    );
    assert_eq!(
        started_at(&h, Op::Create, "leaf").0,
        started_at(&h, Op::Create, "mid").1
    );
    assert_eq!(t0.elapsed(), 3 * STEP, "the critical path, not the sum");
    // leaf got mid's id from mid's create result.
    let mid_id = h
        .world
        .with_live(&physical("mid"), |l| l.attributes["id"].clone());
    assert_eq!(
        h.world.spec(&physical("leaf")),
        Some(json!({"target": mid_id.clone()}))
    );
    assert_eq!(
        h.world.spec(&physical("mid")).map(|s| s["source"].clone()),
        Some(json!("arn:fake:lake-dev-root")),
        "mid got root's real ARN from its create, not the predicted one"
    );
    assert_eq!(
        report.outputs,
        BTreeMap::from([
            ("mid_id".to_string(), json!(mid_id)),
            (
                "root".to_string(),
                json!({"arn": "arn:fake:lake-dev-root", "name": "lake-dev-root"})
            ),
        ])
    );
    assert_eq!(
        h.state.outputs(&Harness::at()).await.expect("outputs"),
        report.outputs
    );
    // Every record is confirmed, with what it depends on.
    let records = h.records().await;
    assert!(
        records.iter().all(|r| r.status == RecordStatus::Owned),
        "{records:?}"
    );
    let leaf = records
        .iter()
        .find(|r| r.address == a("leaf"))
        .expect("leaf record");
    assert_eq!(leaf.depends_on, vec![a("mid")]);
    assert!(
        leaf.attributes.contains_key("id"),
        "create's attributes recorded"
    );

    // A second deploy plans no-ops and makes no mutation.
    h.world.clear_calls();
    let report = h.deploy(&lake(RemovalPolicy::Destroy)).await;
    assert!(report.applied.is_empty());
    assert!(h.world.mutations().is_empty(), "{:?}", h.world.mutations());
    assert_eq!(report.outputs.len(), 2, "outputs from live attributes");
}

#[tokio::test(start_paused = true)]
async fn concurrency_bound_is_respected() {
    // (why, independent resources, concurrency, want max in flight, want elapsed steps)
    let cases = [
        ("bound below the width", 6, 2, 2, 3),
        ("bound of one is sequential", 3, 1, 1, 3),
        ("bound above the width", 3, 8, 3, 1),
    ];
    for (why, width, concurrency, want_max, want_steps) in cases {
        let h = Harness::new(STEP);
        let d = stack(
            (0..width)
                .map(|i| res("fake.bucket", &format!("b{i}"), json!({"key": "k"})))
                .collect(),
            RemovalPolicy::Destroy,
        );
        let planned = h.plan(&d, PlanMode::Deploy).await.expect("plan");
        let t0 = tokio::time::Instant::now();
        h.apply(&planned, concurrency, false).await.expect("apply");
        assert_eq!(h.world.max_in_flight(), want_max, "{why}");
        assert_eq!(t0.elapsed(), STEP * want_steps, "{why}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_failure_skips_only_its_dependents() {
    let h = Harness::new(STEP);
    h.world
        .fail(Op::Create, &physical("root"), Failure::Permanent);
    let planned = h
        .plan(&lake(RemovalPolicy::Destroy), PlanMode::Deploy)
        .await
        .expect("plan");
    let err = h.apply(&planned, 8, false).await.expect_err("root fails");
    let EngineError::ApplyFailed { causes, report } = &err else {
        panic!("expected ApplyFailed, got {err}");
    };
    assert_eq!(
        report.applied,
        vec![(a("solo"), Action::Create)],
        "independent ones still run"
    );
    assert_eq!(report.failed.len(), 1, "the root cause once");
    assert_eq!(report.failed[0].0, a("root"));
    assert!(
        report.failed[0]
            .1
            .contains("AccessDenied: not allowed (request id req-1)"),
        "{}",
        report.failed[0].1
    );
    assert_eq!(
        report.skipped,
        vec![(a("mid"), a("root")), (a("leaf"), a("root"))]
    );
    assert!(report.outputs.is_empty());
    assert!(matches!(
        &causes[0],
        EngineError::Provider {
            doing: "creating",
            ..
        }
    ));
    assert!(
        err.to_string()
            .starts_with("apply failed: 1 resource(s) failed, 2 skipped"),
        "{err}"
    );
    let events = h.progress.events();
    let failed = events
        .iter()
        .filter(|e| matches!(e, ProgressEvent::Failed { .. }))
        .count();
    assert_eq!(failed, 1);
    assert!(events.contains(&ProgressEvent::Skipped {
        address: a("leaf"),
        blocked_by: a("root")
    }));
    assert_eq!(
        h.world
            .mutations()
            .iter()
            .filter(|(op, _)| *op == Op::Create)
            .count(),
        2
    );
    // The intent of the failed create is left for the next run.
    let records = h.records().await;
    let root = records
        .iter()
        .find(|r| r.address == a("root"))
        .expect("root intent");
    assert_eq!(root.status, RecordStatus::Creating);
    assert!(
        records.iter().all(|r| r.address != a("mid")),
        "skipped: no intent written"
    );
}

#[tokio::test(start_paused = true)]
async fn steps_that_settle_later_are_run_again() {
    let h = Harness::new(Duration::ZERO);
    h.world
        .fail(Op::Create, &physical("solo"), Failure::Retryable(2));
    let report = h.deploy(&lake(RemovalPolicy::Destroy)).await;
    assert_eq!(report.applied.len(), 4);
    let creates = h
        .world
        .mutations()
        .into_iter()
        .filter(|m| *m == (Op::Create, physical("solo")))
        .count();
    assert_eq!(creates, 3, "twice not settled yet, then success");
    let retries: Vec<u32> = h
        .progress
        .events()
        .into_iter()
        .filter_map(|e| match e {
            ProgressEvent::Retrying {
                address,
                attempt,
                error,
            } if address == a("solo") => {
                assert!(error.contains("not settled yet"), "{error}");
                Some(attempt)
            }
            _ => None,
        })
        .collect();
    assert_eq!(retries, vec![2, 3]);
}

#[tokio::test(start_paused = true)]
async fn a_throttled_step_is_not_sent_again_on_top_of_the_sdks_retries() {
    let h = Harness::new(Duration::ZERO);
    h.world
        .fail(Op::Create, &physical("solo"), Failure::Throttled);
    let planned = h
        .plan(&lake(RemovalPolicy::Destroy), PlanMode::Deploy)
        .await
        .expect("plan");
    let report = match h.apply(&planned, 8, false).await {
        Err(EngineError::ApplyFailed { report, .. }) => report,
        other => panic!("expected the throttled create to fail the apply, got {other:?}"),
    };
    assert_eq!(report.failed.len(), 1, "{:?}", report.failed);
    let creates = h
        .world
        .mutations()
        .into_iter()
        .filter(|m| *m == (Op::Create, physical("solo")))
        .count();
    assert_eq!(
        creates, 1,
        "the SDK already retried it 6 times; the engine must not multiply that"
    );
}

#[tokio::test(start_paused = true)]
async fn a_foreign_resource_made_between_plan_and_apply_is_refused_and_left_untouched() {
    let h = Harness::new(Duration::ZERO);
    let planned = h
        .plan(&lake(RemovalPolicy::Destroy), PlanMode::Deploy)
        .await
        .expect("plan");
    // Someone else takes the name after the plan saw it free.
    let theirs = json!({"key": "s", "tags": {"team": "other"}});
    h.world.put(&physical("solo"), theirs.clone());
    let report = match h.apply(&planned, 8, false).await {
        Err(EngineError::ApplyFailed { report, .. }) => report,
        other => panic!("expected a refusal, got {other:?}"),
    };
    let (failed, why) = report.failed.first().expect("solo fails");
    assert_eq!(failed, &a("solo"));
    assert!(why.contains("not owned"), "{why}");
    assert_eq!(
        h.world.spec(&physical("solo")),
        Some(theirs),
        "left as it was"
    );
    let touched: Vec<_> = h
        .world
        .mutations()
        .into_iter()
        .filter(|(op, name)| *name == physical("solo") && *op != Op::Create)
        .collect();
    assert_eq!(
        touched,
        vec![],
        "no update or delete of someone else's resource"
    );
    let record = h
        .state
        .records(&Harness::at())
        .await
        .expect("records")
        .into_iter()
        .find(|r| r.address == a("solo"));
    assert_ne!(
        record.map(|r| r.status),
        Some(RecordStatus::Owned),
        "never recorded as ours"
    );
}

#[tokio::test(start_paused = true)]
async fn our_resource_made_between_plan_and_apply_is_brought_in_line() {
    let h = Harness::new(Duration::ZERO);
    let mut d = lake(RemovalPolicy::Destroy);
    if let Some(solo) = d.resources.get_mut(&a("solo")) {
        solo.spec["size"] = json!(2);
    }
    let planned = h.plan(&d, PlanMode::Deploy).await.expect("plan");
    // Another run of this stack created it meanwhile, with an older spec.
    h.world.put(
        &physical("solo"),
        json!({"key": "s", "size": 7, "tags": crate::testing::our_tags("solo")}),
    );
    let report = h.apply(&planned, 8, false).await.expect("apply");
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let updates: Vec<_> = h
        .world
        .calls()
        .into_iter()
        .filter(|c| c.op == Op::Update && c.name == physical("solo"))
        .map(|c| c.paths)
        .collect();
    assert_eq!(updates, vec![vec!["size".to_string()]], "only what differs");
    assert_eq!(
        h.world
            .spec(&physical("solo"))
            .and_then(|s| s.get("size").cloned()),
        Some(json!(2))
    );
}

#[tokio::test(start_paused = true)]
async fn what_the_plan_deletes_inside_a_container_is_not_data_loss() {
    let item = |n: &str| {
        let mut r = res("fake.link", n, json!({"target": "x"}));
        r.name = format!("{}/{n}", physical("solo"));
        r
    };
    let d = stack(
        vec![
            res("fake.bucket", "solo", json!({"key": "s"})),
            item("one"),
            item("two"),
        ],
        RemovalPolicy::Destroy,
    );
    // (why, what the bucket holds, the data loss the destroy plan reports)
    let cases = [
        ("only the declared items", 2, None),
        (
            "one more than declared",
            3,
            Some("1 object besides the 2 this plan deletes itself"),
        ),
    ];
    for (why, held, want) in cases {
        let h = Harness::new(Duration::ZERO);
        h.deploy(&d).await;
        h.world.set_contents(&physical("solo"), held);
        let planned = h.plan(&d, PlanMode::Destroy).await.expect("plan");
        let at_risk: Vec<_> = planned
            .plan
            .data_loss()
            .map(|r| r.data_loss.clone().unwrap_or_default())
            .collect();
        assert_eq!(
            at_risk,
            want.map(str::to_string).into_iter().collect::<Vec<_>>(),
            "{why}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn data_loss_is_refused_unless_allowed() {
    // (why, removal policy, allow flag, want: None = applies, Some(is retained) = refused);
    // under `retain` a destroy forgets the buckets instead (retain_tests).
    let cases = [
        (
            "refused without the flag",
            RemovalPolicy::Destroy,
            false,
            Some(false),
        ),
        ("allowed with the flag", RemovalPolicy::Destroy, true, None),
    ];
    for (why, policy, allow, want) in cases {
        let h = Harness::new(Duration::ZERO);
        let d = lake(policy);
        h.deploy(&d).await;
        h.world.set_contents(&physical("solo"), 12);
        h.world.set_contents(&physical("root"), 3);
        h.world.clear_calls();
        let planned = h.plan(&d, PlanMode::Destroy).await.expect("plan");
        let at_risk: Vec<_> = planned
            .plan
            .data_loss()
            .map(|r| (r.address.to_string(), r.data_loss.clone()))
            .collect();
        assert_eq!(
            at_risk,
            vec![
                ("solo".to_string(), Some("12 objects".to_string())),
                ("root".to_string(), Some("3 objects".to_string()))
            ],
            "{why}"
        );
        let result = h.apply(&planned, 4, allow).await;
        match (want, result) {
            (None, Ok(report)) => {
                assert_eq!(report.applied.len(), 4, "{why}");
                assert!(h.world.spec(&physical("solo")).is_none(), "{why}");
                assert!(h.records().await.is_empty(), "{why}: records removed");
                assert!(
                    report.outputs.is_empty(),
                    "{why}: a destroyed stack has no outputs"
                );
            }
            (Some(retained), Err(e)) => {
                let items = match (&e, retained) {
                    (EngineError::RetainedData { items, env }, true) => {
                        assert_eq!(env, "dev");
                        items
                    }
                    (EngineError::DataLoss { items }, false) => items,
                    _ => panic!("{why}: wrong refusal {e}"),
                };
                assert_eq!(items.len(), 2, "{why}");
                assert_eq!(items[0].name, physical("solo"), "{why}");
                assert!(
                    h.world.mutations().is_empty(),
                    "{why}: refused before any mutation"
                );
            }
            (want, got) => panic!(
                "{why}: wanted refusal {want:?}, got {:?}",
                got.map(|r| r.applied)
            ),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn deletes_run_dependents_first_and_replace_is_delete_then_create() {
    let h = Harness::new(STEP);
    let d = lake(RemovalPolicy::Destroy);
    h.deploy(&d).await;
    h.world.clear_calls();
    let planned = h.plan(&d, PlanMode::Destroy).await.expect("plan");
    h.apply(&planned, 8, false).await.expect("destroy");
    let deletes = h.world.mutations();
    let pos = |n: &str| {
        deletes
            .iter()
            .position(|m| *m == (Op::Delete, physical(n)))
            .expect("deleted")
    };
    assert!(
        pos("leaf") < pos("mid") && pos("mid") < pos("root"),
        "{deletes:?}"
    );
    assert!(started_at(&h, Op::Delete, "mid").0 >= started_at(&h, Op::Delete, "leaf").1);
    assert!(started_at(&h, Op::Delete, "root").0 >= started_at(&h, Op::Delete, "mid").1);

    let h = Harness::new(Duration::ZERO);
    h.deploy(&d).await;
    h.world.clear_calls();
    h.world.drift(&physical("solo"), "key", json!("changed"));
    let report = h.deploy(&d).await;
    assert_eq!(report.applied, vec![(a("solo"), Action::Replace)]);
    assert_eq!(
        h.world.mutations(),
        vec![
            (Op::Delete, physical("solo")),
            (Op::Create, physical("solo"))
        ]
    );
    assert_eq!(
        h.world.spec(&physical("solo")).map(|s| s["key"].clone()),
        Some(json!("s"))
    );
}

#[tokio::test(start_paused = true)]
async fn updates_touch_only_the_drifted_resource_and_field() {
    let h = Harness::new(Duration::ZERO);
    let d = lake(RemovalPolicy::Destroy);
    h.deploy(&d).await;
    h.world.clear_calls();
    h.world.drift(&physical("root"), "size", json!(9));
    let report = h.deploy(&d).await;
    assert_eq!(report.applied, vec![(a("root"), Action::Update)]);
    let updates: Vec<_> = h
        .world
        .calls()
        .into_iter()
        .filter(|c| c.op.is_mutation())
        .collect();
    assert_eq!(updates.len(), 1);
    assert_eq!(
        (updates[0].op, updates[0].paths.clone()),
        (Op::Update, vec!["size".to_string()])
    );
}

#[tokio::test(start_paused = true)]
async fn lost_state_is_rebuilt_from_tags_without_mutations() {
    let h = Harness::new(Duration::ZERO);
    let d = lake(RemovalPolicy::Destroy);
    h.deploy(&d).await;
    for r in h.records().await {
        h.state
            .remove_record(&Harness::at(), &r.address)
            .await
            .expect("forget");
    }
    // The untaggable leaf cannot be proven ours without its record: the plan must refuse it.
    assert!(matches!(
        h.plan(&d, PlanMode::Deploy).await,
        Err(EngineError::NotOwned { address, .. }) if address == a("leaf")
    ));
    let mut taggable_only = d.clone();
    taggable_only.resources.remove(&a("leaf"));
    taggable_only.outputs.remove("mid_id");
    h.world.clear_calls();
    let planned = h
        .plan(&taggable_only, PlanMode::Deploy)
        .await
        .expect("plan");
    assert!(
        planned
            .plan
            .resources
            .iter()
            .all(|r| r.action == Action::NoOp)
    );
    h.apply(&planned, 4, false).await.expect("apply");
    assert!(h.world.mutations().is_empty());
    let records = h.records().await;
    assert_eq!(records.len(), 3, "re-adopted from tags");
    assert!(records.iter().all(|r| r.status == RecordStatus::Owned));
}

#[tokio::test(start_paused = true)]
async fn a_deploy_killed_after_create_is_finished_by_the_next() {
    let h = Harness::new(Duration::ZERO);
    let d = lake(RemovalPolicy::Destroy);
    // The create succeeded in AWS but the deploy died before confirming: only the intent is
    // recorded, and the resource exists without our tags.
    h.world
        .fail(Op::Create, &physical("mid"), Failure::Permanent);
    let planned = h.plan(&d, PlanMode::Deploy).await.expect("plan");
    let _ = h.apply(&planned, 4, false).await.expect_err("mid fails");
    h.world.put(
        &physical("mid"),
        json!({"key": "m", "source": "arn:fake:lake-dev-root"}),
    );
    h.world
        .fail(Op::Create, &physical("mid"), Failure::Retryable(0));
    let report = h.deploy(&d).await;
    assert_eq!(
        report.applied,
        vec![(a("mid"), Action::Update), (a("leaf"), Action::Create)],
        "mid gets its tags, leaf is created"
    );
    assert!(
        h.records()
            .await
            .iter()
            .all(|r| r.status == RecordStatus::Owned)
    );
    assert_eq!(
        h.world.spec(&physical("leaf")),
        Some(json!({"target": "id-of-lake-dev-mid"})),
        "the adopted resource's observed id flows into its dependent"
    );
}

#[tokio::test(start_paused = true)]
async fn a_dependent_planned_on_a_predicted_value_is_rediffed_with_the_real_one() {
    // Replacing root makes mid's reference to root's ARN a prediction at plan time; once root
    // is created again its real ARN equals what mid has, so mid needs no call at all.
    let h = Harness::new(Duration::ZERO);
    let d = lake(RemovalPolicy::Destroy);
    h.deploy(&d).await;
    h.world.clear_calls();
    h.world.drift(&physical("root"), "key", json!("changed"));
    let planned = h.plan(&d, PlanMode::Deploy).await.expect("plan");
    let mid = planned
        .plan
        .resources
        .iter()
        .find(|r| r.address == a("mid"))
        .expect("mid");
    assert_eq!(mid.action, Action::Update);
    h.apply(&planned, 4, false).await.expect("apply");
    assert_eq!(
        h.world.mutations(),
        vec![
            (Op::Delete, physical("root")),
            (Op::Create, physical("root"))
        ]
    );
    assert_eq!(
        h.world.spec(&physical("mid")).map(|s| s["source"].clone()),
        Some(json!("arn:fake:lake-dev-root"))
    );
}

#[tokio::test(start_paused = true)]
async fn records_follow_renames_and_vanished_resources() {
    let h = Harness::new(Duration::ZERO);
    let d = lake(RemovalPolicy::Destroy);
    h.deploy(&d).await;
    h.world.clear_calls();

    // A new physical name for solo: the old bucket is deleted, the new one created.
    let mut renamed = d.clone();
    if let Some(r) = renamed.resources.get_mut(&a("solo")) {
        r.name = "lake-dev-solo-2".into();
    }
    let planned = h.plan(&renamed, PlanMode::Deploy).await.expect("plan");
    let solo = planned
        .plan
        .resources
        .iter()
        .find(|r| r.address == a("solo"))
        .expect("solo");
    assert_eq!(solo.action, Action::Replace);
    assert_eq!(
        solo.reason.as_deref(),
        Some("fake.bucket lake-dev-solo is replaced by fake.bucket lake-dev-solo-2")
    );
    h.apply(&planned, 4, false).await.expect("apply");
    assert_eq!(
        h.world.mutations(),
        vec![
            (Op::Delete, physical("solo")),
            (Op::Create, "lake-dev-solo-2".to_string())
        ]
    );

    assert_eq!(
        solo_record(&h).await.map(|r| r.name),
        Some("lake-dev-solo-2".to_string())
    );

    // Removed from the stack and already gone from AWS: no plan entry, the record is dropped.
    h.world.clear_calls();
    let mut without = renamed.clone();
    without.resources.remove(&a("solo"));
    h.world.with_remove("lake-dev-solo-2");
    let planned = h.plan(&without, PlanMode::Deploy).await.expect("plan");
    assert!(
        planned
            .plan
            .resources
            .iter()
            .all(|r| r.address != a("solo"))
    );
    h.apply(&planned, 4, false).await.expect("apply");
    assert!(solo_record(&h).await.is_none(), "stale record dropped");
    assert!(h.world.mutations().is_empty());
}

async fn solo_record(h: &Harness) -> Option<crate::state::ResourceRecord> {
    h.records()
        .await
        .into_iter()
        .find(|r| r.address == a("solo"))
}

#[tokio::test(start_paused = true)]
async fn an_endpoint_that_stops_answering_stops_new_work_and_says_so_once() {
    let h = Harness::new(STEP);
    let resources = (0..10)
        .map(|i| res("fake.bucket", &format!("b{i}"), json!({"key": "k"})))
        .collect();
    let d = stack(resources, RemovalPolicy::Destroy);
    h.world
        .fail(Op::Create, &physical("b0"), Failure::Unreachable);
    let planned = h.plan(&d, PlanMode::Deploy).await.expect("plan");
    let err = h.apply(&planned, 2, false).await.expect_err("interrupted");
    let EngineError::Interrupted { report, first } = &err else {
        panic!("{err:?}");
    };
    assert!(first.starts_with("b0: "), "{first}");
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert_eq!(
        report.applied.len(),
        1,
        "the one in flight finished: {report:?}"
    );
    assert_eq!(report.not_started.len(), 8, "{report:?}");
    assert_eq!(
        h.world.mutations().len(),
        2,
        "nothing started after the failure"
    );
    let halts = h
        .progress
        .events()
        .into_iter()
        .filter(|e| matches!(e, ProgressEvent::Halted { .. }))
        .count();
    assert_eq!(halts, 1);
}

#[tokio::test(start_paused = true)]
async fn data_written_after_a_plan_changes_its_fingerprint() {
    let h = Harness::new(STEP);
    let d = lake(RemovalPolicy::Destroy);
    h.deploy(&d).await;
    let empty = h.plan(&d, PlanMode::Destroy).await.expect("plan");
    h.world.set_contents(&physical("solo"), 3);
    let full = h.plan(&d, PlanMode::Destroy).await.expect("plan");
    let (was, now) = (empty.fingerprints(), full.fingerprints());
    assert_ne!(
        was[&a("solo")].change,
        now[&a("solo")].change,
        "what a delete destroys counts"
    );
    assert_eq!(was[&a("root")], now[&a("root")]);
}
