//! Shared setup of the emulator tests: the endpoint, the provider, unique names.

#![allow(dead_code)]

use aws_sdk_dynamodb::types::AttributeValue;
use lakectl_core::{
    Address, CreateRequest, DeleteRequest, Observation, Provider, UpdateRequest, diff,
};
use lakectl_provider::{AccountContext, AwsTarget};
use lakectl_provider_dynamodb::DynamoDbProvider;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// What the tests talk to: the provider under test and a raw client for out-of-band changes.
pub struct Env {
    /// The provider under test.
    pub provider: DynamoDbProvider,
    /// A plain DynamoDB client, for changes made behind lakectl's back.
    pub raw: aws_sdk_dynamodb::Client,
    /// The emulator's account.
    pub account: AccountContext,
}

const HOW: &str = "run `scripts/test`, or `scripts/emulator up 4602` and then \
    `AWS_ENDPOINT_URL=http://127.0.0.1:4602 AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
    AWS_REGION=us-east-1 cargo test -p lakectl-provider-dynamodb`";

/// Connects to the emulator named by `AWS_ENDPOINT_URL`; fails the test when there is none.
pub async fn env() -> Env {
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            panic!("AWS_ENDPOINT_URL is not set; these tests need the emulator: {HOW}")
        });
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "us-east-1".into());
    let config = lakectl_provider::sdk_config(&AwsTarget {
        region: region.clone(),
        endpoint: Some(endpoint.clone()),
    })
    .await;
    let sts = aws_sdk_sts::Client::new(&config);
    let identity = sts.get_caller_identity().send().await.unwrap_or_else(|e| {
        panic!(
            "nothing usable answers at {endpoint} ({}): {HOW}",
            aws_sdk_sts::error::DisplayErrorContext(&e)
        )
    });
    let account = AccountContext {
        account_id: identity.account().expect("an account id").to_string(),
        partition: AccountContext::partition_of(&region).to_string(),
        region,
    };
    Env {
        provider: DynamoDbProvider::new(&config, &account),
        raw: aws_sdk_dynamodb::Client::new(&config),
        account,
    }
}

/// A table name no other test (or earlier run) uses.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos();
    format!(
        "{prefix}-{}-{}-{}",
        std::process::id(),
        nanos % 1_000_000_000,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A table with every property set, written the way a user would (defaults left out where
/// they fit, indexes out of order).
pub fn full_spec(name: &str) -> Value {
    json!({
        "name": name,
        "partition_key": {"name": "customer"},
        "sort_key": {"name": "run_at", "type": "N"},
        "billing_mode": "PROVISIONED",
        "read_capacity": 5,
        "write_capacity": 2,
        "global_secondary_indexes": [
            {"name": "by-status", "partition_key": {"name": "status"},
             "sort_key": {"name": "run_at", "type": "N"},
             "projection": "INCLUDE", "non_key_attributes": ["rows", "error"]},
            {"name": "by-job", "partition_key": {"name": "job", "type": "S"},
             "projection": "KEYS_ONLY"}
        ],
        "point_in_time_recovery": true,
        "ttl_attribute": "expires_at",
        "deletion_protection": true,
        "tags": {
            "lakectl:stack": "lake",
            "lakectl:env": "test",
            "lakectl:address": "lineage_table",
            "team": "data"
        }
    })
}

/// The smallest table: a partition key and ownership tags.
pub fn minimal_spec(name: &str) -> Value {
    json!({
        "name": name,
        "partition_key": {"name": "id"},
        "tags": {"lakectl:stack": "lake", "lakectl:env": "test", "lakectl:address": "settings"}
    })
}

/// Defaults, canonical form and normalization, as the engine prepares both sides.
pub fn prepare(p: &DynamoDbProvider, spec: &Value) -> Value {
    let mut s = spec.clone();
    p.schema().apply_defaults(&mut s);
    p.schema().canonicalize(&mut s);
    p.normalize(&mut s);
    s
}

/// The live spec; fails the test when the table does not exist or is not settled.
pub async fn live(p: &DynamoDbProvider, name: &str) -> Value {
    match p.observe(name).await.expect("observe") {
        Observation::Exists(live) => live.spec,
        other => panic!("{name} should exist, observed {other:?}"),
    }
}

/// Paths of the fields that differ between `desired` and the live table.
pub async fn drift(p: &DynamoDbProvider, name: &str, desired: &Value) -> Vec<String> {
    let live = prepare(p, &live(p, name).await);
    diff(p.schema(), &prepare(p, desired), &live)
        .into_iter()
        .map(|c| c.path)
        .collect()
}

/// A create request for `spec`.
pub fn create_request(name: &str, spec: &Value) -> CreateRequest {
    CreateRequest {
        address: Address::new("lineage_table", None),
        name: name.to_string(),
        spec: spec.clone(),
        wait_limit: std::time::Duration::from_secs(60),
    }
}

/// An update request from the live table to `desired`, with the changes the engine would
/// compute.
pub async fn update_request(p: &DynamoDbProvider, name: &str, desired: &Value) -> UpdateRequest {
    let desired = prepare(p, desired);
    let live = prepare(p, &live(p, name).await);
    UpdateRequest {
        address: Address::new("lineage_table", None),
        name: name.to_string(),
        changes: diff(p.schema(), &desired, &live),
        desired,
        live,
        wait_limit: std::time::Duration::from_secs(60),
    }
}

/// A delete request.
pub fn delete_request(name: &str, allow_data_loss: bool) -> DeleteRequest {
    DeleteRequest {
        address: Address::new("lineage_table", None),
        name: name.to_string(),
        allow_data_loss,
        wait_limit: std::time::Duration::from_secs(60),
    }
}

/// Writes `n` items keyed `id` = 0..n.
pub async fn put_items(raw: &aws_sdk_dynamodb::Client, name: &str, n: usize) {
    for i in 0..n {
        raw.put_item()
            .table_name(name)
            .item("id", AttributeValue::S(i.to_string()))
            .send()
            .await
            .expect("put_item");
    }
}
