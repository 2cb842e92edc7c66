//! `dynamodb.item` under the provider contract, in a table made for it (needs
//! AWS_ENDPOINT_URL; `scripts/test` sets it).

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use lakectl_core::{Observation, Provider};
use lakectl_provider::testkit::contract::{self, Subject};
use lakectl_provider::testkit::{emulator, unique};
use lakectl_provider_dynamodb::ItemProvider;
use serde_json::{Value, json};
use std::sync::Arc;

struct Items {
    raw: Client,
    table: String,
}

impl Items {
    fn key(name: &str) -> (String, String) {
        let mut parts = name.splitn(3, '/').skip(1);
        let pk = parts.next().unwrap_or_default().to_string();
        (pk, parts.next().unwrap_or_default().to_string())
    }

    async fn put(&self, name: &str, attrs: &[(&str, AttributeValue)]) {
        let (pk, sk) = Self::key(name);
        let mut put = self
            .raw
            .put_item()
            .table_name(&self.table)
            .item("pk", AttributeValue::S(pk))
            .item("sk", AttributeValue::S(sk));
        for (k, v) in attrs {
            put = put.item(*k, v.clone());
        }
        put.send().await.expect("put item by hand");
    }
}

#[async_trait]
impl Subject for Items {
    fn prefix(&self) -> &'static str {
        "dataset#orders"
    }

    fn fresh_name(&self) -> String {
        format!("{}/{}/settings", self.table, unique(self.prefix()))
    }

    fn full_spec(&self, name: &str) -> Value {
        json!({"name": name, "attributes": {
            "format": "csv", "schema_version": 1, "max_bad_fraction": 0.8,
            "csv": {"delimiter": ",", "header": true}, "null_values": [""],
            "target": {"database": "lake_dev", "table": "orders"}}})
    }

    fn updates(&self, name: &str) -> Vec<(&'static str, Value)> {
        let mut s = self.full_spec(name);
        let mut steps = Vec::new();
        s["attributes"]["max_bad_fraction"] = json!(0.5);
        steps.push(("a number changed", s.clone()));
        s["attributes"]
            .as_object_mut()
            .map(|a| a.remove("null_values"));
        s["attributes"]["engine"] = json!("spark");
        steps.push(("an attribute removed and one added", s));
        steps
    }

    async fn drift(&self, name: &str) -> Vec<String> {
        self.put(
            name,
            &[
                ("format", AttributeValue::S("jsonl".into())),
                ("schema_version", AttributeValue::N("2".into())),
            ],
        )
        .await;
        vec!["attributes".into()]
    }

    async fn create_foreign(&self, name: &str) {
        self.put(name, &[("owner", AttributeValue::S("someone else".into()))])
            .await;
    }
}

async fn table(raw: &Client) -> String {
    let table = unique("lakectl-items");
    let key = |name: &str, role| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(role)
            .build()
            .expect("key")
    };
    let def = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .expect("definition")
    };
    raw.create_table()
        .table_name(&table)
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .attribute_definitions(def("pk"))
        .attribute_definitions(def("sk"))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .expect("the items' table");
    table
}

#[tokio::test]
async fn items_keep_the_provider_contract() {
    let emu = emulator("lakectl-provider-dynamodb").await;
    let raw = Client::new(&emu.config);
    let table = table(&raw).await;
    let subject = Items {
        raw: raw.clone(),
        table: table.clone(),
    };
    contract::run(Arc::new(ItemProvider::new(&emu.config)), &subject).await;
    raw.delete_table()
        .table_name(&table)
        .send()
        .await
        .expect("cleanup");
}

#[tokio::test]
async fn items_are_named_to_fit_their_table() {
    let emu = emulator("lakectl-provider-dynamodb").await;
    let raw = Client::new(&emu.config);
    let table = table(&raw).await;
    let items = ItemProvider::new(&emu.config);
    let err = items
        .observe(&format!("{table}/dataset#orders"))
        .await
        .expect_err("the table has a sort key");
    assert!(
        err.to_string().contains("name the item TABLE/PK/SK"),
        "{err}"
    );
    let missing = items
        .observe("lakectl-no-such-table/dataset#orders/settings")
        .await
        .expect("a missing table is a missing item");
    assert_eq!(missing, Observation::Missing);
    raw.delete_table()
        .table_name(&table)
        .send()
        .await
        .expect("cleanup");
}
