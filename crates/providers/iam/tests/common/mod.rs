//! Shared setup of the emulator tests: the endpoint, the provider, unique names.

#![allow(dead_code)]

use lakectl_core::{Address, CreateRequest, DeleteRequest, Observation, Provider, diff};
use lakectl_provider::{AccountContext, AwsTarget};
use lakectl_provider_iam::IamProvider;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// What the tests talk to: the provider under test and a raw client for out-of-band changes.
pub struct Env {
    /// The provider under test.
    pub provider: IamProvider,
    /// A plain IAM client, for changes made behind lakectl's back.
    pub raw: aws_sdk_iam::Client,
    /// The emulator's account.
    pub account: AccountContext,
}

const HOW: &str = "run `scripts/test`, or `scripts/emulator up 4603` and then \
    `AWS_ENDPOINT_URL=http://127.0.0.1:4603 AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
    AWS_REGION=us-east-1 cargo test -p lakectl-provider-iam`";

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
        provider: IamProvider::new(&config, &account),
        raw: aws_sdk_iam::Client::new(&config),
        account,
    }
}

/// A role name no other test (or earlier run) uses.
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

/// The AWS-managed policy Glue jobs use.
pub const GLUE_POLICY: &str = "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole";
/// Another AWS-managed policy, for attach / detach.
pub const S3_READ_POLICY: &str = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
/// An AWS-managed policy used as a boundary.
pub const BOUNDARY: &str = "arn:aws:iam::aws:policy/PowerUserAccess";

/// A role with every property set, written the way a user would (single values unwrapped).
pub fn full_spec(name: &str, account: &str) -> Value {
    json!({
        "name": name,
        "path": "/lakectl-test/",
        "description": "runs the ingest jobs and their state machine",
        "assume_role_policy": {
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": ["states.amazonaws.com", "glue.amazonaws.com"]},
                "Action": "sts:AssumeRole"
            }]
        },
        "inline_policies": {
            "read-raw": {
                "Version": "2012-10-17",
                "Statement": {
                    "Effect": "Allow",
                    "Action": ["s3:ListBucket", "s3:GetObject"],
                    "Resource": ["arn:aws:s3:::acme-raw/*", "arn:aws:s3:::acme-raw"]
                }
            },
            "write-lineage": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "Lineage",
                    "Effect": "Allow",
                    "Action": "dynamodb:PutItem",
                    "Resource": format!("arn:aws:dynamodb:us-east-1:{account}:table/lineage"),
                    "Condition": {"Bool": {"aws:SecureTransport": true}}
                }]
            }
        },
        "managed_policy_arns": [GLUE_POLICY],
        "max_session_duration": 7200,
        "permissions_boundary": BOUNDARY,
        "tags": {
            "lakectl:stack": "lake",
            "lakectl:env": "test",
            "lakectl:address": "ingest_role",
            "team": "data"
        }
    })
}

/// Defaults, canonical form and normalization, as the engine prepares both sides.
pub fn prepare(p: &IamProvider, spec: &Value) -> Value {
    let mut s = spec.clone();
    p.schema().apply_defaults(&mut s);
    p.schema().canonicalize(&mut s);
    p.normalize(&mut s);
    s
}

/// The live spec; fails the test when the role does not exist.
pub async fn live(p: &IamProvider, name: &str) -> Value {
    match p.observe(name).await.expect("observe") {
        Observation::Exists(live) => live.spec,
        other => panic!("{name} should exist, observed {other:?}"),
    }
}

/// Paths of the fields that differ between `desired` and the live role.
pub async fn drift(p: &IamProvider, name: &str, desired: &Value) -> Vec<String> {
    let live = prepare(p, &live(p, name).await);
    diff(p.schema(), &prepare(p, desired), &live)
        .into_iter()
        .map(|c| c.path)
        .collect()
}

/// A create request for `spec`.
pub fn create_request(name: &str, spec: &Value) -> CreateRequest {
    CreateRequest {
        address: Address::new("ingest_role", None),
        name: name.to_string(),
        spec: spec.clone(),
        wait_limit: std::time::Duration::from_secs(60),
    }
}

/// A delete request.
pub fn delete_request(name: &str) -> DeleteRequest {
    DeleteRequest {
        address: Address::new("ingest_role", None),
        name: name.to_string(),
        allow_data_loss: false,
        wait_limit: std::time::Duration::from_secs(60),
    }
}
