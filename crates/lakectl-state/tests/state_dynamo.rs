//! The DynamoDB state store against the emulator (needs AWS_ENDPOINT_URL). Every test uses
//! its own table, so the tests run in parallel on one server without resets.

use aws_sdk_dynamodb::types::AttributeValue;
use lakectl_core::{Address, Attributes, ProviderError};
use lakectl_engine::state::lock::{LockGuard, LockOptions};
use lakectl_engine::state::{RecordStatus, ResourceRecord, StackEnv, StateError, StateStore};
use lakectl_provider::testkit::{emulator, unique};
use lakectl_state::{DEFAULT_TABLE, DynamoStateStore};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The emulator's SDK config; fails the test when no emulator is named or none answers.
async fn config() -> aws_config::SdkConfig {
    emulator("lakectl-state").await.config
}

/// A store on a fresh table of its own, created.
async fn store() -> DynamoStateStore {
    let store = DynamoStateStore::new(&config().await, unique(DEFAULT_TABLE));
    store.ensure().await.expect("ensure creates the table");
    store
}

fn at(env: &str) -> StackEnv {
    StackEnv {
        stack: "lake".into(),
        env: env.into(),
    }
}

fn record(address: &str, status: RecordStatus) -> ResourceRecord {
    ResourceRecord {
        address: Address::parse(address).expect("an address"),
        kind: "s3.bucket".into(),
        name: format!("lake-dev-{}", address.replace(['[', ']', '_'], "-")),
        status,
        depends_on: vec![Address::new("ingest_role", None), Address::new("key", None)],
        attributes: Attributes::from([
            ("arn".to_string(), "arn:aws:s3:::lake-dev-raw".to_string()),
            ("name".to_string(), "lake-dev-raw".to_string()),
        ]),
        removal_policy: None,
    }
}

fn sorted(mut records: Vec<ResourceRecord>) -> Vec<ResourceRecord> {
    records.sort_by(|a, b| a.address.cmp(&b.address));
    records
}

#[tokio::test]
async fn ensure_creates_the_table_once_and_is_idempotent() {
    let config = config().await;
    let table = unique("lakectl-state-ensure");
    let store = DynamoStateStore::new(&config, table.clone());
    assert_eq!(store.table(), table);
    store.ensure().await.expect("creates the table");
    store.ensure().await.expect("a second ensure finds it");
    let described = aws_sdk_dynamodb::Client::new(&config)
        .describe_table()
        .table_name(&table)
        .send()
        .await
        .expect("the table exists");
    let keys: Vec<_> = described
        .table()
        .map(|t| t.key_schema().iter().map(|k| k.attribute_name()).collect())
        .unwrap_or_default();
    assert_eq!(keys, ["pk", "sk"]);
    let backups = aws_sdk_dynamodb::Client::new(&config)
        .describe_continuous_backups()
        .table_name(&table)
        .send()
        .await
        .expect("backups");
    let pitr = backups
        .continuous_backups_description()
        .and_then(|c| c.point_in_time_recovery_description())
        .and_then(|p| p.point_in_time_recovery_status());
    assert_eq!(
        pitr,
        Some(&aws_sdk_dynamodb::types::PointInTimeRecoveryStatus::Enabled),
        "point-in-time recovery is turned on"
    );
    assert!(
        store.records(&at("dev")).await.expect("records").is_empty(),
        "a new table owns nothing"
    );
}

#[tokio::test]
async fn concurrent_ensures_both_succeed() {
    let config = config().await;
    let table = unique("lakectl-state-race");
    let a = DynamoStateStore::new(&config, table.clone());
    let b = DynamoStateStore::new(&config, table);
    let (ra, rb) = tokio::join!(a.ensure(), b.ensure());
    ra.expect("first ensure");
    rb.expect("second ensure");
    a.put_record(&at("dev"), &record("raw", RecordStatus::Owned))
        .await
        .expect("the table is usable");
}

#[tokio::test]
async fn ensure_refuses_a_table_that_is_not_a_state_table() {
    let config = config().await;
    let table = unique("lakectl-state-foreign");
    let client = aws_sdk_dynamodb::Client::new(&config);
    client
        .create_table()
        .table_name(&table)
        .billing_mode(aws_sdk_dynamodb::types::BillingMode::PayPerRequest)
        .attribute_definitions(
            aws_sdk_dynamodb::types::AttributeDefinition::builder()
                .attribute_name("id")
                .attribute_type(aws_sdk_dynamodb::types::ScalarAttributeType::S)
                .build()
                .expect("definition"),
        )
        .key_schema(
            aws_sdk_dynamodb::types::KeySchemaElement::builder()
                .attribute_name("id")
                .key_type(aws_sdk_dynamodb::types::KeyType::Hash)
                .build()
                .expect("key"),
        )
        .send()
        .await
        .expect("someone else's table");
    let err = DynamoStateStore::new(&config, table)
        .ensure()
        .await
        .expect_err("not ours");
    assert!(
        err.to_string().contains("is not a lakectl state table"),
        "{err}"
    );
}

#[tokio::test]
async fn records_round_trip_and_stay_within_their_stack_env() {
    let store = store().await;
    let dev = at("dev");
    let mut raw = record("customer_bucket[acme]", RecordStatus::Creating);
    let logs = ResourceRecord {
        depends_on: vec![],
        attributes: Attributes::new(),
        removal_policy: Some(lakectl_core::RemovalPolicy::Retain),
        ..record("logs", RecordStatus::Owned)
    };
    store.put_record(&dev, &raw).await.expect("put raw");
    store.put_record(&dev, &logs).await.expect("put logs");
    store
        .put_record(&at("prod"), &record("other", RecordStatus::Owned))
        .await
        .expect("put in prod");
    store
        .put_outputs(&dev, &BTreeMap::from([("x".to_string(), json!(1))]))
        .await
        .expect("outputs live in the same partition");
    assert_eq!(
        sorted(store.records(&dev).await.expect("records")),
        vec![raw.clone(), logs.clone()],
        "exactly dev's records, with attributes and depends_on"
    );

    raw.status = RecordStatus::Owned;
    raw.attributes.insert("region".into(), "us-east-1".into());
    store.put_record(&dev, &raw).await.expect("replace raw");
    store
        .remove_record(&dev, &logs.address)
        .await
        .expect("remove logs");
    store
        .remove_record(&dev, &Address::new("never_there", None))
        .await
        .expect("removing a missing record succeeds");
    assert_eq!(store.records(&dev).await.expect("records"), vec![raw]);
}

#[tokio::test]
async fn records_page_through_large_stacks() {
    let store = store().await;
    let dev = at("dev");
    // ~1 KB attributes so that the records span more than one 1 MB query page.
    let big = "x".repeat(1000);
    let mut want = Vec::new();
    for i in 0..1200 {
        let mut r = record(&format!("bucket[c{i:04}]"), RecordStatus::Owned);
        r.attributes.insert("policy".into(), big.clone());
        want.push(r);
    }
    for r in &want {
        store.put_record(&dev, r).await.expect("put");
    }
    let got = sorted(store.records(&dev).await.expect("records"));
    assert_eq!(got.len(), want.len());
    assert_eq!(got, want);
}

#[tokio::test]
async fn outputs_round_trip() {
    let store = store().await;
    let dev = at("dev");
    assert!(
        store.outputs(&dev).await.expect("outputs").is_empty(),
        "none before the first deploy"
    );
    let outputs = BTreeMap::from([
        ("raw_bucket".to_string(), json!("lake-dev-raw")),
        ("customers".to_string(), json!(["acme", "globex"])),
        ("limits".to_string(), json!({"files": 10, "strict": true})),
    ]);
    store.put_outputs(&dev, &outputs).await.expect("put");
    assert_eq!(store.outputs(&dev).await.expect("outputs"), outputs);
    let fewer = BTreeMap::from([("raw_bucket".to_string(), json!("lake-dev-raw2"))]);
    store.put_outputs(&dev, &fewer).await.expect("replace");
    assert_eq!(store.outputs(&dev).await.expect("outputs"), fewer);
    assert!(store.records(&dev).await.expect("records").is_empty());
}

#[tokio::test]
async fn concurrent_acquires_have_exactly_one_winner() {
    let store = store().await;
    let dev = at("dev");
    let lease = Duration::from_secs(30);
    let (a, b) = tokio::join!(
        store.acquire_lock(&dev, "alice@host-a pid 1", lease),
        store.acquire_lock(&dev, "bob@host-b pid 2", lease)
    );
    let (winner, loser) = match (a, b) {
        (Ok(w), Err(l)) | (Err(l), Ok(w)) => (w, l),
        (a, b) => panic!("exactly one must win: {a:?} / {b:?}"),
    };
    match loser {
        StateError::Locked { lock, stack, env } => {
            assert_eq!(lock.holder, winner.holder, "the error names the winner");
            assert_eq!((stack.as_str(), env.as_str()), ("lake", "dev"));
            assert!(lock.expires_at > SystemTime::now(), "with a live lease");
            assert!(
                StateError::Locked {
                    stack,
                    env,
                    lock: lock.clone()
                }
                .to_string()
                .contains(&winner.holder)
            );
        }
        other => panic!("expected Locked, got {other:?}"),
    }
    store
        .acquire_lock(&at("prod"), "carol", lease)
        .await
        .expect("another env has its own lock");
}

#[tokio::test]
async fn an_expired_lease_is_taken_over() {
    let store = store().await;
    let dev = at("dev");
    let old = store
        .acquire_lock(&dev, "dead@host pid 9", Duration::from_millis(300))
        .await
        .expect("free");
    tokio::time::sleep(Duration::from_millis(400)).await;
    let new = store
        .acquire_lock(&dev, "next@host pid 10", Duration::from_secs(30))
        .await
        .expect("an expired lease is taken over");
    assert_ne!(old.token, new.token);
    let renewed = store.renew_lock(&dev, &old, Duration::from_secs(30)).await;
    assert!(
        matches!(renewed, Err(StateError::LockLost { .. })),
        "the old holder cannot renew: {renewed:?}"
    );
}

#[tokio::test]
async fn renewal_extends_the_lease_only_for_the_holder() {
    let store = store().await;
    let dev = at("dev");
    let lock = store
        .acquire_lock(&dev, "alice", Duration::from_secs(5))
        .await
        .expect("free");
    let renewed = store
        .renew_lock(&dev, &lock, Duration::from_secs(60))
        .await
        .expect("ours");
    assert_eq!(
        (renewed.token.as_str(), renewed.holder.as_str()),
        (lock.token.as_str(), "alice")
    );
    assert!(renewed.expires_at > lock.expires_at + Duration::from_secs(30));
    let stale = lakectl_engine::state::LockInfo {
        token: "stale".into(),
        ..lock.clone()
    };
    let err = store
        .renew_lock(&dev, &stale, Duration::from_secs(60))
        .await;
    assert!(
        matches!(err, Err(StateError::LockLost { .. })),
        "a stale token loses: {err:?}"
    );
    let err = store
        .renew_lock(&at("nolock"), &lock, Duration::from_secs(60))
        .await;
    assert!(
        matches!(err, Err(StateError::LockLost { .. })),
        "no lock at all: {err:?}"
    );
}

#[tokio::test]
async fn release_gives_up_only_our_own_lock() {
    let store = store().await;
    let dev = at("dev");
    let lost = store
        .acquire_lock(&dev, "alice", Duration::from_secs(30))
        .await
        .expect("free");
    store.force_unlock(&dev).await.expect("force");
    let bob = store
        .acquire_lock(&dev, "bob", Duration::from_secs(30))
        .await
        .expect("free again");
    store
        .release_lock(&dev, &lost)
        .await
        .expect("releasing a lost lock is a no-op");
    let still = store
        .acquire_lock(&dev, "carol", Duration::from_secs(30))
        .await;
    assert!(
        matches!(&still, Err(StateError::Locked { lock, .. }) if lock.holder == "bob"),
        "bob keeps it: {still:?}"
    );
    store.release_lock(&dev, &bob).await.expect("release");
    store
        .acquire_lock(&dev, "carol", Duration::from_secs(30))
        .await
        .expect("free after bob released");
}

#[tokio::test]
async fn force_unlock_returns_the_holder() {
    let store = store().await;
    let dev = at("dev");
    assert_eq!(store.force_unlock(&dev).await.expect("no lock"), None);
    let lock = store
        .acquire_lock(&dev, "alice@build-1 pid 77", Duration::from_secs(30))
        .await
        .expect("free");
    let old = store.force_unlock(&dev).await.expect("force");
    assert_eq!(
        old.as_ref().map(|l| l.holder.as_str()),
        Some("alice@build-1 pid 77")
    );
    assert_eq!(old.map(|l| l.token), Some(lock.token));
    store
        .acquire_lock(&dev, "bob", Duration::from_secs(30))
        .await
        .expect("free after force unlock");
}

#[tokio::test]
async fn malformed_items_are_reported_as_corrupt_with_their_key() {
    let config = config().await;
    let store = DynamoStateStore::new(&config, unique(DEFAULT_TABLE));
    store.ensure().await.expect("ensure");
    aws_sdk_dynamodb::Client::new(&config)
        .put_item()
        .table_name(store.table())
        .item("pk", AttributeValue::S("lake#dev".into()))
        .item("sk", AttributeValue::S("resource#raw".into()))
        .item("kind", AttributeValue::S("s3.bucket".into()))
        .send()
        .await
        .expect("a hand-written item");
    match store.records(&at("dev")).await {
        Err(StateError::Corrupt { key, detail, .. }) => {
            assert_eq!(key, "lake#dev resource#raw");
            assert!(detail.contains("missing"), "{detail}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[tokio::test]
async fn a_missing_table_is_reported_with_dynamodbs_code() {
    let store = DynamoStateStore::new(&config().await, unique("lakectl-state-absent"));
    match store.records(&at("dev")).await {
        Err(StateError::Provider(ProviderError::Aws {
            operation, code, ..
        })) => {
            assert_eq!(operation, "dynamodb:Query");
            assert_eq!(code, "ResourceNotFoundException");
        }
        other => panic!("expected ResourceNotFoundException, got {other:?}"),
    }
}

#[tokio::test]
async fn the_lock_guard_holds_the_table_lock_and_frees_it_when_dropped() {
    let store: Arc<dyn StateStore> = Arc::new(store().await);
    let dev = at("dev");
    let opts = LockOptions {
        lease: Duration::from_millis(900),
        wait: None,
    };
    let guard = LockGuard::acquire(store.clone(), dev.clone(), "alice".into(), opts)
        .await
        .expect("free");
    tokio::time::sleep(Duration::from_millis(2000)).await;
    guard.check().expect("the heartbeat kept it");
    let busy = LockGuard::acquire(store.clone(), dev.clone(), "bob".into(), opts).await;
    assert!(
        matches!(&busy, Err(StateError::Locked { lock, .. }) if lock.holder == "alice"),
        "still alice's after twice its lease: {busy:?}"
    );
    drop(guard);
    let waited = LockOptions {
        wait: Some(Duration::from_secs(5)),
        ..opts
    };
    let bob = LockGuard::acquire(store.clone(), dev.clone(), "bob".into(), waited)
        .await
        .expect("alice's lease ran out");
    bob.release().await.expect("release");
    assert_eq!(
        store.force_unlock(&dev).await.expect("unlock"),
        None,
        "released"
    );
}
