//! The provider contract for topics and subscriptions against the emulator (needs
//! AWS_ENDPOINT_URL; `scripts/test` sets it).

use async_trait::async_trait;
use lakectl_provider::testkit::contract::{self, Subject};
use lakectl_provider::testkit::{Emulator, emulator, unique};
use lakectl_provider_sns::{SubscriptionProvider, TopicProvider, topic_arn};
use serde_json::{Value, json};
use std::sync::Arc;

struct Topics {
    raw: aws_sdk_sns::Client,
    emu: Emulator,
}

impl Topics {
    fn policy(&self, name: &str, service: &str) -> Value {
        json!({"Version": "2012-10-17", "Statement": {
            "Sid": "AlarmsPublish", "Effect": "Allow",
            "Principal": {"Service": service}, "Action": "sns:Publish",
            "Resource": topic_arn(&self.emu.account, name)}})
    }
}

#[async_trait]
impl Subject for Topics {
    fn prefix(&self) -> &'static str {
        "lakectl-test-alerts"
    }

    fn full_spec(&self, name: &str) -> Value {
        json!({"name": name, "display_name": "Lake alerts", "kms_master_key_id": "alias/aws/sns",
               "policy": self.policy(name, "cloudwatch.amazonaws.com"), "tags": {"team": "data"}})
    }

    fn updates(&self, name: &str) -> Vec<(&'static str, Value)> {
        let mut s = self.full_spec(name);
        let mut steps = Vec::new();
        s["display_name"] = json!("Data lake alerts");
        steps.push(("display name changed", s.clone()));
        s["kms_master_key_id"] = json!("alias/lakectl-test");
        steps.push(("another key", s.clone()));
        s["policy"] = self.policy(name, "events.amazonaws.com");
        steps.push(("policy changed", s.clone()));
        s["policy"] = Value::Null;
        steps.push(("policy removed: SNS's default again", s.clone()));
        s["tags"] = json!({"team": "platform", "cost-center": "42"});
        steps.push(("tags changed", s));
        steps
    }

    async fn drift(&self, name: &str) -> Vec<String> {
        self.raw
            .set_topic_attributes()
            .topic_arn(topic_arn(&self.emu.account, name))
            .attribute_name("DisplayName")
            .attribute_value("renamed by hand")
            .send()
            .await
            .expect("out-of-band display name");
        vec!["display_name".into()]
    }

    async fn create_foreign(&self, name: &str) {
        self.raw
            .create_topic()
            .name(name)
            .send()
            .await
            .expect("someone else's topic");
    }
}

#[tokio::test]
async fn topics_keep_the_provider_contract() {
    let emu = emulator("lakectl-provider-sns").await;
    contract::run(
        Arc::new(TopicProvider::new(&emu.config, &emu.account)),
        &Topics {
            raw: aws_sdk_sns::Client::new(&emu.config),
            emu,
        },
    )
    .await;
}

struct Subscriptions {
    raw: aws_sdk_sns::Client,
    emu: Emulator,
    topic: String,
}

impl Subscriptions {
    fn parts(name: &str) -> (&str, &str) {
        let mut it = name.splitn(3, ':');
        let _topic = it.next();
        (it.next().unwrap_or_default(), it.next().unwrap_or_default())
    }

    async fn arn_of(&self, name: &str) -> String {
        let (_, endpoint) = Self::parts(name);
        let subs = self
            .raw
            .list_subscriptions_by_topic()
            .topic_arn(topic_arn(&self.emu.account, &self.topic))
            .send()
            .await
            .expect("list subscriptions");
        subs.subscriptions()
            .iter()
            .find(|s| s.endpoint() == Some(endpoint))
            .and_then(|s| s.subscription_arn())
            .expect("the subscription")
            .to_string()
    }
}

#[async_trait]
impl Subject for Subscriptions {
    fn prefix(&self) -> &'static str {
        "oncall"
    }

    /// `TOPIC:email:ADDRESS`: SNS names subscriptions by what they join.
    fn fresh_name(&self) -> String {
        format!("{}:email:{}@example.com", self.topic, unique(self.prefix()))
    }

    fn full_spec(&self, name: &str) -> Value {
        json!({"name": name, "filter_policy": {"severity": ["critical"]}})
    }

    fn updates(&self, name: &str) -> Vec<(&'static str, Value)> {
        vec![
            (
                "filter widened",
                json!({"name": name, "filter_policy": {"severity": ["critical", "warning"]}}),
            ),
            (
                "filter removed: every message",
                json!({"name": name, "filter_policy": null}),
            ),
        ]
    }

    fn not_updated(&self) -> Vec<(&'static str, &'static str)> {
        vec![(
            "raw_message_delivery",
            "SQS endpoints only, and these are email subscriptions; tests/requests.rs asserts the call",
        )]
    }

    async fn drift(&self, name: &str) -> Vec<String> {
        self.raw
            .set_subscription_attributes()
            .subscription_arn(self.arn_of(name).await)
            .attribute_name("FilterPolicy")
            .attribute_value(r#"{"severity": ["info"]}"#)
            .send()
            .await
            .expect("out-of-band filter");
        vec!["filter_policy".into()]
    }

    async fn create_foreign(&self, name: &str) {
        let (protocol, endpoint) = Self::parts(name);
        self.raw
            .subscribe()
            .topic_arn(topic_arn(&self.emu.account, &self.topic))
            .protocol(protocol)
            .endpoint(endpoint)
            .send()
            .await
            .expect("someone else's subscription");
    }
}

#[tokio::test]
async fn subscriptions_keep_the_provider_contract() {
    let emu = emulator("lakectl-provider-sns").await;
    let raw = aws_sdk_sns::Client::new(&emu.config);
    let topic = unique("lakectl-test-subs");
    raw.create_topic().name(&topic).send().await.expect("topic");
    let provider = Arc::new(SubscriptionProvider::new(&emu.config, &emu.account));
    let subject = Subscriptions {
        raw: raw.clone(),
        topic: topic.clone(),
        emu,
    };
    contract::run(provider, &subject).await;
    raw.delete_topic()
        .topic_arn(topic_arn(&subject.emu.account, &topic))
        .send()
        .await
        .expect("clean up the topic");
}
