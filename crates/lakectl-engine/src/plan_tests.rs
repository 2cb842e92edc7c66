//! Plans against the fake world: what each situation becomes.

use crate::error::EngineError;
use crate::options::PlanMode;
use crate::progress::ProgressEvent;
use crate::state::{RecordStatus, ResourceRecord, StateStore};
use crate::testing::{Harness, Op, our_tags, physical, res, stack};
use lakectl_core::{Action, Address, DesiredStack, Plan, RemovalPolicy};
use serde_json::{Value, json};
use std::time::Duration;

/// a ← b ← c: b references a's predicted ARN, c (untaggable) references b's id, known only
/// after b is created.
fn chain() -> DesiredStack {
    stack(
        vec![
            res("fake.bucket", "c_link", json!({"target": "${b_bucket.id}"})).tap_kind("fake.link"),
            res(
                "fake.bucket",
                "b_bucket",
                json!({"key": "kb", "source": "${a_bucket.arn}"}),
            ),
            res(
                "fake.bucket",
                "a_bucket",
                json!({"key": "ka", "size": 1, "members": ["y", "x"]}),
            ),
        ],
        RemovalPolicy::Destroy,
    )
}

/// The planned change of `addr`.
fn change_of(plan: &Plan, addr: &str) -> lakectl_core::ResourceChange {
    plan.resources
        .iter()
        .find(|r| r.address.as_str() == addr)
        .expect("planned")
        .clone()
}

trait TapKind {
    fn tap_kind(self, kind: &str) -> Self;
}

impl TapKind for lakectl_core::DesiredResource {
    fn tap_kind(mut self, kind: &str) -> Self {
        self.kind = kind.into();
        self
    }
}

fn actions(plan: &Plan) -> Vec<(String, Action)> {
    plan.resources
        .iter()
        .map(|r| (r.address.to_string(), r.action))
        .collect()
}

fn a(s: &str) -> Address {
    Address::parse(s).expect("address")
}

#[tokio::test]
async fn fresh_plan_creates_everything_in_dependency_order() {
    let h = Harness::new(Duration::ZERO);
    let planned = h.plan(&chain(), PlanMode::Deploy).await.expect("plan");
    assert_eq!(
        actions(&planned.plan),
        vec![
            ("a_bucket".into(), Action::Create),
            ("b_bucket".into(), Action::Create),
            ("c_link".into(), Action::Create),
        ]
    );
    let by = |addr: &str| change_of(&planned.plan, addr);
    let b = by("b_bucket");
    let source = b
        .changes
        .iter()
        .find(|c| c.path == "source")
        .expect("source");
    assert_eq!(
        source.after,
        Some(json!("arn:predicted:lake-dev-a_bucket")),
        "predicted ARN resolved"
    );
    assert!(!source.known_after_apply);
    let tags = b.changes.iter().find(|c| c.path == "tags").expect("tags");
    assert_eq!(
        tags.after,
        Some(our_tags("b_bucket")),
        "ownership tags planned"
    );
    let target = &by("c_link").changes[0];
    assert!(target.known_after_apply, "b's id exists only after create");
    assert_eq!(by("c_link").depends_on, vec![a("b_bucket")]);
    assert_eq!(
        by("a_bucket")
            .changes
            .iter()
            .find(|c| c.path == "members")
            .and_then(|c| c.after.clone()),
        Some(json!(["x", "y"])),
        "sets are shown canonical"
    );
    assert!(h.world.mutations().is_empty(), "plan changes nothing");
    assert_eq!(planned.plan.summary.create, 3);
}

#[tokio::test]
async fn after_deploy_the_plan_is_all_noop() {
    let h = Harness::new(Duration::ZERO);
    h.deploy(&chain()).await;
    let planned = h.plan(&chain(), PlanMode::Deploy).await.expect("plan");
    assert!(
        planned
            .plan
            .resources
            .iter()
            .all(|r| r.action == Action::NoOp),
        "{:?}",
        actions(&planned.plan)
    );
    assert!(!planned.plan.summary.has_changes());
}

#[tokio::test]
async fn drift_and_immutable_changes() {
    use Action::{NoOp, Replace, Update};
    // (why, field drifted on a_bucket, its live value, want actions of a, b, c, want a's
    // changed paths)
    type Case<'a> = (&'a str, &'a str, Value, [Action; 3], Vec<&'a str>);
    let cases: Vec<Case> = vec![
        (
            "mutable drift is an update of that field",
            "size",
            json!(7),
            [Update, NoOp, NoOp],
            vec!["size"],
        ),
        (
            "a tag added by hand is removed",
            "tags",
            json!({"lakectl:stack": "lake", "lakectl:env": "dev", "lakectl:address": "a_bucket", "extra": "1"}),
            [Update, NoOp, NoOp],
            vec!["tags.extra"],
        ),
        (
            "an immutable field replaces",
            "key",
            json!("other"),
            // b references a's ARN, which after the replace is the predicted one until apply
            // knows the real one (the fake predicts differently on purpose).
            [Replace, Update, NoOp],
            vec!["key"],
        ),
        (
            "set order is not drift",
            "members",
            json!(["x", "y", "x"]),
            [NoOp, NoOp, NoOp],
            vec![],
        ),
    ];
    for (why, field, value, want, paths) in cases {
        let h = Harness::new(Duration::ZERO);
        h.deploy(&chain()).await;
        h.world.drift(&physical("a_bucket"), field, value);
        let planned = h.plan(&chain(), PlanMode::Deploy).await.expect("plan");
        let got: Vec<Action> = planned.plan.resources.iter().map(|r| r.action).collect();
        assert_eq!(got, want, "{why}");
        let a_change = &planned.plan.resources[0];
        let got_paths: Vec<&str> = a_change.changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(got_paths, paths, "{why}");
        if want[0] == Replace {
            assert_eq!(
                a_change.reason.as_deref(),
                Some("`key` cannot change in place"),
                "{why}"
            );
        }
    }
}

#[tokio::test]
async fn removed_resources_are_deleted_dependents_first() {
    let h = Harness::new(Duration::ZERO);
    h.deploy(&chain()).await;
    let mut smaller = chain();
    smaller.resources.remove(&a("b_bucket"));
    smaller.resources.remove(&a("c_link"));
    let planned = h.plan(&smaller, PlanMode::Deploy).await.expect("plan");
    assert_eq!(
        actions(&planned.plan),
        vec![
            ("a_bucket".into(), Action::NoOp),
            ("c_link".into(), Action::Delete),
            ("b_bucket".into(), Action::Delete),
        ],
        "c depends on b, so c goes first"
    );
    assert_eq!(
        planned.plan.resources[1].reason.as_deref(),
        Some("no longer declared in the stack files")
    );
}

#[tokio::test]
async fn destroy_deletes_everything_in_reverse_order() {
    let h = Harness::new(Duration::ZERO);
    h.deploy(&chain()).await;
    let planned = h.plan(&chain(), PlanMode::Destroy).await.expect("plan");
    assert_eq!(
        actions(&planned.plan),
        vec![
            ("c_link".into(), Action::Delete),
            ("b_bucket".into(), Action::Delete),
            ("a_bucket".into(), Action::Delete),
        ]
    );
    // Destroy of a stack that was never deployed plans nothing.
    let empty = Harness::new(Duration::ZERO);
    let planned = empty.plan(&chain(), PlanMode::Destroy).await.expect("plan");
    assert!(planned.plan.resources.is_empty());
}

#[tokio::test]
async fn existing_resources_that_are_not_ours_fail_the_plan() {
    let foreign_tags = json!({"tags": {"lakectl:stack": "other", "lakectl:env": "dev", "lakectl:address": "x"}, "key": "ka"});
    // (why, name taken, its spec, a record for it, want owner in the error)
    type Case<'a> = (
        &'a str,
        &'a str,
        Value,
        Option<RecordStatus>,
        Option<&'a str>,
    );
    let cases: Vec<Case> = vec![
        (
            "another stack's tags",
            "a_bucket",
            foreign_tags.clone(),
            None,
            Some("stack other, env dev, address x"),
        ),
        (
            "another stack's tags beat our record",
            "a_bucket",
            foreign_tags,
            Some(RecordStatus::Owned),
            Some("stack other, env dev, address x"),
        ),
        (
            "untagged, no record",
            "a_bucket",
            json!({"key": "ka"}),
            None,
            None,
        ),
        (
            "untaggable kind without a record",
            "c_link",
            json!({"target": "t"}),
            None,
            None,
        ),
    ];
    for (why, address, spec, record, want_owner) in cases {
        let h = Harness::new(Duration::ZERO);
        h.world.put(&physical(address), spec);
        let d = chain();
        let r = &d.resources[&a(address)];
        if let Some(status) = record {
            h.state
                .put_record(
                    &Harness::at(),
                    &ResourceRecord {
                        address: a(address),
                        kind: r.kind.clone(),
                        name: r.name.clone(),
                        status,
                        depends_on: vec![],
                        attributes: Default::default(),
                        removal_policy: None,
                    },
                )
                .await
                .expect("record");
        }
        match h.plan(&d, PlanMode::Deploy).await {
            Err(EngineError::NotOwned {
                address: got,
                name,
                location,
                owner,
                ..
            }) => {
                assert_eq!(got.as_str(), address, "{why}");
                assert_eq!(name, physical(address), "{why}");
                assert_eq!(location, "stacks/lake.yaml:1:1", "{why}");
                assert_eq!(owner.as_deref(), want_owner, "{why}");
            }
            other => panic!("{why}: expected NotOwned, got {:?}", other.map(|p| p.plan)),
        }
        assert!(h.world.mutations().is_empty(), "{why}: nothing modified");
        // Destroy refuses just the same: it never deletes what is not ours.
        assert!(
            matches!(
                h.plan(&d, PlanMode::Destroy).await,
                Err(EngineError::NotOwned { .. })
            ),
            "{why}: destroy"
        );
    }
}

#[tokio::test]
async fn an_intent_record_makes_an_untagged_resource_ours() {
    // A deploy died between create and tagging: the resource exists without tags and the
    // record says Creating. The next plan adopts it and puts the tags on.
    let h = Harness::new(Duration::ZERO);
    let d = chain();
    let r = &d.resources[&a("a_bucket")];
    h.world.put(
        &r.name,
        json!({"key": "ka", "size": 1, "members": ["x", "y"]}),
    );
    h.state
        .put_record(
            &Harness::at(),
            &ResourceRecord {
                address: a("a_bucket"),
                kind: r.kind.clone(),
                name: r.name.clone(),
                status: RecordStatus::Creating,
                depends_on: vec![],
                attributes: Default::default(),
                removal_policy: None,
            },
        )
        .await
        .expect("record");
    let planned = h
        .plan(&d, PlanMode::Deploy)
        .await
        .expect("ours by the record");
    let change = &planned.plan.resources[0];
    assert_eq!(change.action, Action::Update);
    let paths: Vec<&str> = change.changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, vec!["tags"], "only the ownership tags are added");
}

#[tokio::test(start_paused = true)]
async fn pending_resources_are_waited_for() {
    let h = Harness::new(Duration::ZERO);
    h.deploy(&chain()).await;
    h.world.pending(&physical("a_bucket"), 3);
    let started = tokio::time::Instant::now();
    let planned = h.plan(&chain(), PlanMode::Deploy).await.expect("plan");
    assert_eq!(planned.plan.resources[0].action, Action::NoOp);
    assert_eq!(
        started.elapsed(),
        Duration::from_secs(6),
        "three waits of retry_after = 2 s"
    );
    let waits = h
        .progress
        .events()
        .into_iter()
        .filter(|e| matches!(e, ProgressEvent::Waiting { address, status } if address.as_str() == "a_bucket" && status == "CREATING"))
        .count();
    assert_eq!(waits, 3);
    assert!(
        h.progress
            .events()
            .contains(&ProgressEvent::Observing { done: 3, total: 3 })
    );

    // Pending for longer than five minutes gives up.
    h.world.pending(&physical("a_bucket"), 1000);
    match h.plan(&chain(), PlanMode::Deploy).await {
        Err(EngineError::PendingTimeout {
            address,
            status,
            waited,
            ..
        }) => {
            assert_eq!(
                (address.as_str(), status.as_str()),
                ("a_bucket", "CREATING")
            );
            assert!(waited <= Duration::from_secs(300), "{waited:?}");
        }
        other => panic!("expected PendingTimeout, got {:?}", other.map(|p| p.plan)),
    }
}

#[tokio::test]
async fn broken_inputs_are_named() {
    let h = Harness::new(Duration::ZERO);
    // (why, stack, check)
    let mut unknown = chain();
    unknown
        .resources
        .insert(a("q"), res("sqs.queue", "q", json!({})));
    let mut cyclic = chain();
    if let Some(r) = cyclic.resources.get_mut(&a("a_bucket")) {
        r.spec["source"] = json!("${c_link.id}");
    }
    type Check = fn(&EngineError) -> bool;
    let cases: Vec<(&str, DesiredStack, Check)> = vec![
        (
            "unknown kind",
            unknown,
            |e| matches!(e, EngineError::UnknownKind { kind, known, .. } if kind == "sqs.queue" && known == "fake.bucket, fake.link"),
        ),
        (
            "reference cycle",
            cyclic,
            |e| matches!(e, EngineError::Cycle { cycle } if cycle.len() == 3),
        ),
    ];
    for (why, d, check) in cases {
        match h.plan(&d, PlanMode::Deploy).await {
            Err(e) => assert!(check(&e), "{why}: got {e}"),
            Ok(p) => panic!("{why}: planned {:?}", actions(&p.plan)),
        }
    }
    assert!(h.world.calls().iter().all(|c| c.op != Op::Create));
}

#[tokio::test]
async fn an_update_shows_the_services_own_changes_once_what_it_needs_exists() {
    let links = |target: &str, key: &str| {
        stack(
            vec![
                res("fake.bucket", "a_bucket", json!({"key": key})),
                res("fake.bucket", "own", json!({"target": target})).tap_kind("fake.link"),
                res("fake.bucket", "waits", json!({"target": "${a_bucket.id}"}))
                    .tap_kind("fake.link"),
            ],
            RemovalPolicy::Destroy,
        )
    };
    let h = Harness::new(Duration::ZERO);
    h.deploy(&links("x", "ka")).await;
    // `own` changes with everything in place: the service is asked. `waits` refers to a
    // bucket that is replaced: nothing can be asked of what does not exist yet.
    let planned = h
        .plan(&links("y", "kb"), PlanMode::Deploy)
        .await
        .expect("plan");
    let by = |addr: &str| change_of(&planned.plan, addr);
    let own = by("own");
    assert_eq!(own.action, Action::Update);
    let shown: Vec<&str> = own.details.iter().map(|d| d.target.as_str()).collect();
    assert_eq!(shown, [format!("{}.target", physical("own"))]);
    let waits = by("waits");
    assert_eq!(waits.action, Action::Update);
    assert!(waits.details.is_empty());
    assert_eq!(
        waits.reason.as_deref(),
        Some("the service's own change set is made at deploy, once a_bucket is in place")
    );
    // A kind that does not preview gets neither.
    let bucket = by("a_bucket");
    assert!(bucket.details.is_empty());
}
