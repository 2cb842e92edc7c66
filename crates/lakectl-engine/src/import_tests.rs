//! Import against the fake world: what is adopted, what is refused, and that a refusal
//! writes nothing.

use crate::error::EngineError;
use crate::import::Imported;
use crate::options::PlanMode;
use crate::state::{RecordStatus, ResourceRecord, StateStore};
use crate::testing::{Harness, our_tags, physical, res, stack};
use lakectl_core::{Action, Address, DesiredStack, RemovalPolicy};
use serde_json::json;
use std::time::Duration;

fn a(s: &str) -> Address {
    Address::parse(s).expect("address")
}

fn two_buckets() -> DesiredStack {
    stack(
        vec![
            res("fake.bucket", "raw", json!({"key": "k", "size": 1})),
            res("fake.bucket", "curated", json!({"key": "k", "size": 1})),
        ],
        RemovalPolicy::Destroy,
    )
}

#[tokio::test]
async fn an_unowned_resource_is_adopted_and_the_next_plan_updates_it_in_place() {
    let h = Harness::new(Duration::ZERO);
    let d = two_buckets();
    // Someone made `raw` by hand, with another size and no lakectl tags.
    h.world.put(
        &physical("raw"),
        json!({"key": "k", "size": 7, "tags": {"team": "data"}}),
    );
    assert!(matches!(
        h.plan(&d, PlanMode::Deploy).await,
        Err(EngineError::NotOwned { .. })
    ));

    let done = h.engine.import(&d, &[a("raw")], 4).await.expect("import");
    assert_eq!(
        done,
        vec![Imported::Adopted {
            address: a("raw"),
            kind: "fake.bucket".into(),
            name: physical("raw"),
        }]
    );
    assert!(
        h.world.mutations().is_empty(),
        "import changes nothing in AWS"
    );
    let records = h.records().await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].status, RecordStatus::Owned);
    assert_eq!(
        records[0].attributes["arn"],
        format!("arn:fake:{}", physical("raw"))
    );

    // Now ours: the plan updates it (size, tags) instead of refusing, and creates the other.
    let planned = h
        .plan(&d, PlanMode::Deploy)
        .await
        .expect("plan after import");
    let raw = planned
        .plan
        .resources
        .iter()
        .find(|r| r.address == a("raw"))
        .expect("raw planned");
    assert_eq!(raw.action, Action::Update);
    h.apply(&planned, 4, false).await.expect("apply");
    assert_eq!(
        h.world
            .spec(&physical("raw"))
            .map(|s| s["tags"]["lakectl:address"].clone()),
        Some(json!("raw")),
        "deploy added the ownership tags"
    );

    // Importing again is a no-op that says so.
    let again = h
        .engine
        .import(&d, &[a("raw")], 4)
        .await
        .expect("import again");
    assert!(
        matches!(again[0], Imported::AlreadyOwned { .. }),
        "{again:?}"
    );
}

#[tokio::test]
async fn import_refuses_what_it_cannot_adopt_and_writes_nothing() {
    let mut other = our_tags("raw");
    other["lakectl:stack"] = json!("other-lake");
    let cases: Vec<(&str, Vec<&str>, Option<serde_json::Value>, &str)> = vec![
        (
            "an address the stack does not declare",
            vec!["nope"],
            None,
            "UnknownAddress",
        ),
        (
            "a resource that does not exist",
            vec!["raw"],
            None,
            "NothingToImport",
        ),
        (
            "tags that name another stack",
            vec!["raw"],
            Some(json!({"key": "k", "tags": other})),
            "OwnedElsewhere",
        ),
        (
            "one bad address among good ones: nothing at all is written",
            vec!["curated", "raw"],
            None,
            "NothingToImport",
        ),
    ];
    for (why, addresses, raw_spec, want) in cases {
        let h = Harness::new(Duration::ZERO);
        h.world.put(&physical("curated"), json!({"key": "k"}));
        if let Some(spec) = raw_spec {
            h.world.put(&physical("raw"), spec);
        }
        let addresses: Vec<Address> = addresses.into_iter().map(a).collect();
        let err = h
            .engine
            .import(&two_buckets(), &addresses, 4)
            .await
            .expect_err(why);
        let got = match err {
            EngineError::UnknownAddress { .. } => "UnknownAddress",
            EngineError::NothingToImport { .. } => "NothingToImport",
            EngineError::OwnedElsewhere { .. } => "OwnedElsewhere",
            other => panic!("{why}: unexpected {other:?}"),
        };
        assert_eq!(got, want, "{why}");
        assert!(h.records().await.is_empty(), "{why}: no record written");
        assert!(h.world.mutations().is_empty(), "{why}: nothing changed");
    }
}

#[tokio::test]
async fn import_refuses_an_address_that_records_another_resource() {
    let h = Harness::new(Duration::ZERO);
    h.world.put(&physical("raw"), json!({"key": "k"}));
    let old = ResourceRecord {
        address: a("raw"),
        kind: "fake.bucket".into(),
        name: "lake-dev-raw-old".into(),
        status: RecordStatus::Owned,
        depends_on: vec![],
        attributes: Default::default(),
        removal_policy: None,
    };
    h.state
        .put_record(&Harness::at(), &old)
        .await
        .expect("record");
    match h.engine.import(&two_buckets(), &[a("raw")], 4).await {
        Err(EngineError::AddressTaken { name, .. }) => assert_eq!(name, "lake-dev-raw-old"),
        other => panic!("expected AddressTaken, got {other:?}"),
    }
    assert_eq!(h.records().await, vec![old], "the record is untouched");
}
