//! The provider contract against the emulator (needs AWS_ENDPOINT_URL; `scripts/test` sets it).

use async_trait::async_trait;
use lakectl_core::Provider;
use lakectl_provider::testkit::contract::{self, Subject};
use lakectl_provider::testkit::emulator;
use lakectl_provider_logs::LogsProvider;
use serde_json::{Value, json};
use std::sync::Arc;

struct LogGroups {
    provider: Arc<LogsProvider>,
    raw: aws_sdk_cloudwatchlogs::Client,
    key: String,
}

#[async_trait]
impl Subject for LogGroups {
    fn prefix(&self) -> &'static str {
        "/lakectl-test/contract"
    }

    fn full_spec(&self, name: &str) -> Value {
        json!({"name": name, "retention_in_days": 30, "kms_key_id": self.key,
               "tags": {"team": "data"}})
    }

    fn updates(&self, name: &str) -> Vec<(&'static str, Value)> {
        let full = self.full_spec(name);
        let with = |k: &str, v: Value| {
            let mut s = full.clone();
            s[k] = v;
            s
        };
        vec![
            (
                "retention 30 → 90 days",
                with("retention_in_days", json!(90)),
            ),
            (
                "retention removed: kept forever",
                with("retention_in_days", Value::Null),
            ),
            (
                "a tag changed and one added",
                with("retention_in_days", Value::Null)
                    .as_object()
                    .map(|o| {
                        let mut s = Value::Object(o.clone());
                        s["tags"] = json!({"team": "platform", "cost-center": "42"});
                        s
                    })
                    .unwrap_or_default(),
            ),
        ]
    }

    fn not_updated(&self) -> Vec<(&'static str, &'static str)> {
        vec![(
            "kms_key_id",
            "moto lacks AssociateKmsKey/DisassociateKmsKey; tests/requests.rs asserts the calls",
        )]
    }

    async fn drift(&self, name: &str) -> Vec<String> {
        self.raw
            .put_retention_policy()
            .log_group_name(name)
            .retention_in_days(1)
            .send()
            .await
            .expect("out-of-band retention");
        let arn = self.provider.predict_attributes(name)["arn"].clone();
        self.raw
            .tag_resource()
            .resource_arn(arn)
            .tags("added-by-hand", "yes")
            .send()
            .await
            .expect("out-of-band tag");
        vec!["retention_in_days".into(), "tags.added-by-hand".into()]
    }

    async fn create_foreign(&self, name: &str) {
        self.raw
            .create_log_group()
            .log_group_name(name)
            .send()
            .await
            .expect("someone else's log group");
    }
}

#[tokio::test]
async fn log_groups_keep_the_provider_contract() {
    let emu = emulator("lakectl-provider-logs").await;
    let key = format!(
        "arn:aws:kms:{}:{}:key/lakectl-test",
        emu.account.region, emu.account.account_id
    );
    let subject = LogGroups {
        provider: Arc::new(LogsProvider::new(&emu.config, &emu.account)),
        raw: aws_sdk_cloudwatchlogs::Client::new(&emu.config),
        key,
    };
    contract::run(subject.provider.clone(), &subject).await;
}
