//! Shared setup of the emulator tests: the endpoint, the provider, unique names, and the
//! engine's preparation of specs before a diff.

#![allow(dead_code, unused_imports)]

use lakectl_core::{
    Address, CreateRequest, DeleteRequest, FieldChange, Observation, Provider, UpdateRequest, diff,
};
use lakectl_provider::AccountContext;
use lakectl_provider::testkit::emulator_in;
use lakectl_provider_s3::S3Provider;
use serde_json::{Value, json};

/// What the tests talk to: the provider under test and a raw client for changes made behind
/// lakectl's back.
pub struct Env {
    /// The provider under test.
    pub provider: S3Provider,
    /// A plain S3 client (path-style, like the provider's).
    pub raw: aws_sdk_s3::Client,
    /// The emulator's account.
    pub account: AccountContext,
    /// The shared SDK config, for building providers for other regions.
    pub config: aws_config::SdkConfig,
}

/// Connects to the emulator named by `AWS_ENDPOINT_URL`; fails the test when there is none.
pub async fn env() -> Env {
    env_in(&std::env::var("AWS_REGION").unwrap_or_else(|_| "us-east-1".into())).await
}

/// As [`env`], deploying to `region`.
pub async fn env_in(region: &str) -> Env {
    let emu = emulator_in("lakectl-provider-s3", region).await;
    let raw = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&emu.config)
            .force_path_style(true)
            .build(),
    );
    Env {
        provider: S3Provider::new(&emu.config, &emu.account),
        raw,
        account: emu.account,
        config: emu.config,
    }
}

/// A bucket name no other test (or earlier run) uses.
pub fn unique(prefix: &str) -> String {
    lakectl_provider::testkit::unique(&format!("lakectl-{prefix}"))
}

pub use lakectl_provider::testkit::{changes, drift, prepare};

/// A bucket with every property set away from its default, as a user would write it, with
/// the ownership tags the engine adds. EventBridge stays off: moto cannot read it back.
pub fn full_spec(name: &str) -> Value {
    json!({
        "name": name,
        "versioning": true,
        "encryption": {"algorithm": "SSE-KMS", "kms_key_id": "alias/lakectl-test"},
        "public_access_block": {"ignore_public_acls": false},
        "enforce_tls": true,
        "lifecycle_rules": [
            {"id": "raw", "prefix": "raw/",
             "transitions": [{"days": 90, "storage_class": "GLACIER"}, {"days": 30, "storage_class": "STANDARD_IA"}],
             "expiration_days": 730, "noncurrent_version_expiration_days": 30},
            {"id": "multipart", "enabled": false, "abort_incomplete_multipart_upload_days": 7}
        ],
        "tags": {
            "lakectl:stack": "lake",
            "lakectl:env": "test",
            "lakectl:address": "raw_bucket",
            "zone": "raw"
        }
    })
}

/// The live spec; fails the test when the bucket does not exist.
pub async fn live(p: &S3Provider, name: &str) -> Value {
    lakectl_provider::testkit::live(p, name).await.spec
}

/// A create request for `spec`, with defaults applied as the engine does.
pub fn create_request(p: &S3Provider, name: &str, spec: &Value) -> CreateRequest {
    let mut spec = spec.clone();
    p.schema().apply_defaults(&mut spec);
    CreateRequest {
        address: Address::new("raw_bucket", None),
        name: name.to_string(),
        spec,
        wait_limit: std::time::Duration::from_secs(60),
    }
}

/// Creates the bucket; fails the test on error.
pub async fn create(p: &S3Provider, name: &str, spec: &Value) {
    p.create(&create_request(p, name, spec))
        .await
        .unwrap_or_else(|e| panic!("create {name}: {e}"));
}

/// Updates the bucket to `desired` the way the engine does: diff, then update with the changes.
pub async fn update_to(p: &S3Provider, name: &str, desired: &Value) -> Vec<FieldChange> {
    let found = changes(p, name, desired).await;
    let mut full = desired.clone();
    p.schema().apply_defaults(&mut full);
    let req = UpdateRequest {
        address: Address::new("raw_bucket", None),
        name: name.to_string(),
        desired: full,
        live: live(p, name).await,
        changes: found.clone(),
        wait_limit: std::time::Duration::from_secs(60),
    };
    p.update(&req)
        .await
        .unwrap_or_else(|e| panic!("update {name}: {e}"));
    found
}

/// A delete request.
pub fn delete_request(name: &str, allow_data_loss: bool) -> DeleteRequest {
    DeleteRequest {
        address: Address::new("raw_bucket", None),
        name: name.to_string(),
        allow_data_loss,
        wait_limit: std::time::Duration::from_secs(60),
    }
}

/// Puts an object through the raw client.
pub async fn put(raw: &aws_sdk_s3::Client, bucket: &str, key: &str) {
    raw.put_object()
        .bucket(bucket)
        .key(key)
        .body(aws_sdk_s3::primitives::ByteStream::from_static(b"lakectl"))
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "put {bucket}/{key}: {}",
                aws_sdk_s3::error::DisplayErrorContext(&e)
            )
        });
}
