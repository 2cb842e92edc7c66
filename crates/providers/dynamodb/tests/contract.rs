//! The provider contract against the emulator (needs AWS_ENDPOINT_URL; `scripts/test` sets it).

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    TimeToLiveSpecification,
};
use lakectl_provider::testkit::contract::{self, Subject};
use lakectl_provider::testkit::emulator;
use lakectl_provider_dynamodb::DynamoDbProvider;
use serde_json::{Value, json};
use std::sync::Arc;

struct Tables {
    raw: aws_sdk_dynamodb::Client,
}

#[async_trait]
impl Subject for Tables {
    fn prefix(&self) -> &'static str {
        "lakectl-contract"
    }

    fn full_spec(&self, name: &str) -> Value {
        json!({
            "name": name,
            "partition_key": {"name": "pk"},
            "sort_key": {"name": "sk"},
            "billing_mode": "PROVISIONED",
            "read_capacity": 5,
            "write_capacity": 2,
            "global_secondary_indexes": [
                {"name": "by-status", "partition_key": {"name": "status"}, "projection": "ALL"}
            ],
            "point_in_time_recovery": true,
            "ttl_attribute": "expires_at",
            "deletion_protection": true,
            "tags": {"team": "data"}
        })
    }

    fn updates(&self, name: &str) -> Vec<(&'static str, Value)> {
        let mut s = self.full_spec(name);
        let mut steps = Vec::new();
        s["read_capacity"] = json!(7);
        s["write_capacity"] = json!(3);
        steps.push(("more capacity", s.clone()));
        s["billing_mode"] = json!("PAY_PER_REQUEST");
        s["read_capacity"] = Value::Null;
        s["write_capacity"] = Value::Null;
        steps.push(("on demand", s.clone()));
        s["global_secondary_indexes"] = json!([
            {"name": "by-status", "partition_key": {"name": "status"}, "projection": "ALL"},
            {"name": "by-job", "partition_key": {"name": "job"}, "projection": "KEYS_ONLY"}
        ]);
        steps.push(("an index added", s.clone()));
        s["point_in_time_recovery"] = json!(false);
        steps.push(("point-in-time recovery off", s.clone()));
        // A move to another attribute takes two deploys (one TTL change per hour).
        s["ttl_attribute"] = Value::Null;
        steps.push(("TTL off", s.clone()));
        s["ttl_attribute"] = json!("purge_at");
        steps.push(("TTL on another attribute", s.clone()));
        s["deletion_protection"] = json!(false);
        steps.push(("deletion protection off", s.clone()));
        s["tags"] = json!({"team": "platform", "cost-center": "42"});
        steps.push(("tags changed", s));
        steps
    }

    async fn drift(&self, name: &str) -> Vec<String> {
        self.raw
            .update_table()
            .table_name(name)
            .deletion_protection_enabled(true)
            .send()
            .await
            .expect("out-of-band deletion protection");
        self.raw
            .update_time_to_live()
            .table_name(name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .enabled(false)
                    .attribute_name("purge_at")
                    .build()
                    .expect("ttl spec"),
            )
            .send()
            .await
            .expect("out-of-band TTL off");
        vec!["deletion_protection".into(), "ttl_attribute".into()]
    }

    async fn create_foreign(&self, name: &str) {
        self.raw
            .create_table()
            .table_name(name)
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name("id")
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .expect("definition"),
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name("id")
                    .key_type(KeyType::Hash)
                    .build()
                    .expect("key"),
            )
            .billing_mode(BillingMode::PayPerRequest)
            .send()
            .await
            .expect("someone else's table");
    }
}

#[tokio::test]
async fn tables_keep_the_provider_contract() {
    let emu = emulator("lakectl-provider-dynamodb").await;
    contract::run(
        Arc::new(DynamoDbProvider::new(&emu.config, &emu.account)),
        &Tables {
            raw: aws_sdk_dynamodb::Client::new(&emu.config),
        },
    )
    .await;
}
