//! The provider contract against the emulator (needs AWS_ENDPOINT_URL; `scripts/test` sets it).

use async_trait::async_trait;
use aws_sdk_eventbridge::Client;
use lakectl_provider::AccountContext;
use lakectl_provider::testkit::contract::{self, Subject};
use lakectl_provider::testkit::emulator;
use lakectl_provider_events::{EventsProvider, rule_arn};
use serde_json::{Value, json};
use std::sync::Arc;

struct Rules {
    raw: Client,
    account: AccountContext,
}

impl Rules {
    fn arn(&self, what: &str) -> String {
        format!(
            "arn:aws:states:{}:{}:stateMachine:{what}",
            self.account.region, self.account.account_id
        )
    }

    fn pattern(prefix: &str) -> Value {
        json!({"source": ["aws.s3"], "detail-type": ["Object Created"],
               "detail": {"object": {"key": [{"prefix": prefix}]}}})
    }
}

#[async_trait]
impl Subject for Rules {
    fn prefix(&self) -> &'static str {
        "lakectl-test-new-raw"
    }

    fn full_spec(&self, name: &str) -> Value {
        json!({"name": name, "description": "new raw files start an ingest",
               "event_pattern": Self::pattern("raw/"), "state": "ENABLED",
               "targets": [{"id": "ingest", "arn": self.arn("ingest"),
                            "role_arn": format!("arn:aws:iam::{}:role/events", self.account.account_id),
                            "input_transformer": {
                                "input_paths": {"bucket": "$.detail.bucket.name", "key": "$.detail.object.key"},
                                "input_template": "{\"bucket\": <bucket>, \"key\": <key>, \"dataset\": \"orders\"}"}}],
               "tags": {"team": "data"}})
    }

    fn updates(&self, name: &str) -> Vec<(&'static str, Value)> {
        let mut s = self.full_spec(name);
        let mut steps = Vec::new();
        s["event_pattern"] = Self::pattern("raw/orders/");
        s["description"] = json!("new orders start an ingest");
        steps.push(("a narrower pattern", s.clone()));
        s["state"] = json!("DISABLED");
        steps.push(("disabled", s.clone()));
        s["targets"] =
            json!([{"id": "audit", "arn": self.arn("audit"), "input": {"kind": "audit"}}]);
        steps.push(("one target replaced by another", s.clone()));
        s["tags"] = json!({"team": "platform"});
        steps.push(("a tag changed", s.clone()));
        s["event_pattern"] = Value::Null;
        s["schedule_expression"] = json!("rate(7 minutes)");
        steps.push(("on a schedule instead", s));
        steps
    }

    async fn drift(&self, name: &str) -> Vec<String> {
        self.raw
            .put_rule()
            .name(name)
            .description("new orders start an ingest")
            .schedule_expression("rate(1 day)")
            .state(aws_sdk_eventbridge::types::RuleState::Disabled)
            .send()
            .await
            .expect("out-of-band pattern");
        self.raw
            .tag_resource()
            .resource_arn(rule_arn(&self.account, name))
            .tags(
                aws_sdk_eventbridge::types::Tag::builder()
                    .key("added-by-hand")
                    .value("yes")
                    .build()
                    .expect("tag"),
            )
            .send()
            .await
            .expect("out-of-band tag");
        vec!["schedule_expression".into(), "tags.added-by-hand".into()]
    }

    async fn create_foreign(&self, name: &str) {
        self.raw
            .put_rule()
            .name(name)
            .schedule_expression("rate(1 day)")
            .send()
            .await
            .expect("someone else's rule");
    }
}

#[tokio::test]
async fn rules_keep_the_provider_contract() {
    let emu = emulator("lakectl-provider-events").await;
    let subject = Rules {
        raw: Client::new(&emu.config),
        account: emu.account.clone(),
    };
    contract::run(
        Arc::new(EventsProvider::new(&emu.config, &emu.account)),
        &subject,
    )
    .await;
}
