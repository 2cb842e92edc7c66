//! The provider contract against the emulator (needs AWS_ENDPOINT_URL; `scripts/test` sets it).

use async_trait::async_trait;
use aws_sdk_athena::Client;
use aws_sdk_athena::types::Tag;
use lakectl_provider::AccountContext;
use lakectl_provider::testkit::contract::{self, Subject};
use lakectl_provider::testkit::emulator;
use lakectl_provider_athena::{AthenaProvider, workgroup_arn};
use serde_json::{Value, json};
use std::sync::Arc;

struct Workgroups {
    raw: Client,
    account: AccountContext,
}

#[async_trait]
impl Subject for Workgroups {
    fn prefix(&self) -> &'static str {
        "lakectl-test-analysts"
    }

    fn full_spec(&self, name: &str) -> Value {
        json!({"name": name, "description": "the lake's analysts",
               "result_location": "s3://lakectl-test-results/athena/",
               "result_encryption": "SSE_S3", "enforce_workgroup_configuration": true,
               "publish_cloudwatch_metrics": false,
               "bytes_scanned_cutoff_per_query": 10_737_418_240_i64, "tags": {"team": "data"}})
    }

    fn updates(&self, name: &str) -> Vec<(&'static str, Value)> {
        let mut s = self.full_spec(name);
        s["tags"] = json!({"team": "platform", "cost-center": "42"});
        vec![("a tag changed and one added", s)]
    }

    fn not_updated(&self) -> Vec<(&'static str, &'static str)> {
        let why =
            "moto answers UpdateWorkGroup with HTTP 500; tests/requests.rs asserts the request";
        [
            "description",
            "state",
            "result_location",
            "result_encryption",
            "kms_key",
            "enforce_workgroup_configuration",
            "publish_cloudwatch_metrics",
            "bytes_scanned_cutoff_per_query",
        ]
        .into_iter()
        .map(|p| (p, why))
        .collect()
    }

    async fn drift(&self, name: &str) -> Vec<String> {
        self.raw
            .tag_resource()
            .resource_arn(workgroup_arn(&self.account, name))
            .tags(Tag::builder().key("added-by-hand").value("yes").build())
            .send()
            .await
            .expect("out-of-band tag");
        vec!["tags.added-by-hand".into()]
    }

    async fn create_foreign(&self, name: &str) {
        self.raw
            .create_work_group()
            .name(name)
            .send()
            .await
            .expect("someone else's workgroup");
    }
}

#[tokio::test]
async fn workgroups_keep_the_provider_contract() {
    let emu = emulator("lakectl-provider-athena").await;
    let subject = Workgroups {
        raw: Client::new(&emu.config),
        account: emu.account.clone(),
    };
    contract::run(
        Arc::new(AthenaProvider::new(&emu.config, &emu.account)),
        &subject,
    )
    .await;
}
