//! Shared setup of the emulator tests: the endpoint, the provider, unique names.

#![allow(dead_code, unused_imports)]

use aws_sdk_dynamodb::types::AttributeValue;
use lakectl_core::{Address, CreateRequest, DeleteRequest, Provider, UpdateRequest, diff};
use lakectl_provider::AccountContext;
use lakectl_provider::testkit::emulator;
use lakectl_provider_dynamodb::DynamoDbProvider;
use serde_json::{Value, json};

/// What the tests talk to: the provider under test and a raw client for out-of-band changes.
pub struct Env {
    /// The provider under test.
    pub provider: DynamoDbProvider,
    /// A plain DynamoDB client, for changes made behind lakectl's back.
    pub raw: aws_sdk_dynamodb::Client,
    /// The emulator's account.
    pub account: AccountContext,
}

/// Connects to the emulator named by `AWS_ENDPOINT_URL`; fails the test when there is none.
pub async fn env() -> Env {
    let emu = emulator("lakectl-provider-dynamodb").await;
    Env {
        provider: DynamoDbProvider::new(&emu.config, &emu.account),
        raw: aws_sdk_dynamodb::Client::new(&emu.config),
        account: emu.account,
    }
}

pub use lakectl_provider::testkit::{drift, prepare, unique};

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

/// The live spec; fails the test when it does not exist.
pub async fn live(p: &DynamoDbProvider, name: &str) -> Value {
    lakectl_provider::testkit::live(p, name).await.spec
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
