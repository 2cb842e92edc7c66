//! Shared setup of the emulator tests: the endpoint, the provider, unique names.

#![allow(dead_code, unused_imports)]

use lakectl_core::{Address, CreateRequest, DeleteRequest};
use lakectl_provider::AccountContext;
use lakectl_provider::testkit::emulator;
use lakectl_provider_iam::IamProvider;
use serde_json::{Value, json};

/// What the tests talk to: the provider under test and a raw client for out-of-band changes.
pub struct Env {
    /// The provider under test.
    pub provider: IamProvider,
    /// A plain IAM client, for changes made behind lakectl's back.
    pub raw: aws_sdk_iam::Client,
    /// The emulator's account.
    pub account: AccountContext,
}

/// Connects to the emulator named by `AWS_ENDPOINT_URL`; fails the test when there is none.
pub async fn env() -> Env {
    let emu = emulator("lakectl-provider-iam").await;
    Env {
        provider: IamProvider::new(&emu.config, &emu.account),
        raw: aws_sdk_iam::Client::new(&emu.config),
        account: emu.account,
    }
}

pub use lakectl_provider::testkit::{drift, prepare, unique};

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

/// The live spec; fails the test when it does not exist.
pub async fn live(p: &IamProvider, name: &str) -> Value {
    lakectl_provider::testkit::live(p, name).await.spec
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
