//! `dynamodb.item`: one item kept as the stack declares it (the ingest jobs' settings and
//! table structures in the config table). Written whole with PutItem; read with a strongly
//! consistent GetItem; the key attributes come from the table's key schema.
use crate::item_schema::{ItemName, item_schema, parse_item_name};
use crate::item_values::{normalize_numbers, to_attribute, to_object};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, KeyType, ScalarAttributeType};
use lakectl_core::{
    Attributes, CreateRequest, DeleteRequest, Live, Observation, Provider, ProviderError, Schema,
    UpdateRequest,
};
use lakectl_provider::{ClassedWhen, Doing, Found};
use serde_json::{Value, json};
use std::collections::HashMap;

/// Manages `dynamodb.item` resources.
pub struct ItemProvider {
    client: Client,
    schema: Schema,
}

/// A table's key attributes: names and types.
struct KeySchema {
    partition: (String, ScalarAttributeType),
    sort: Option<(String, ScalarAttributeType)>,
}

type Item = HashMap<String, AttributeValue>;

fn parse(name: &str) -> Result<ItemName<'_>, ProviderError> {
    parse_item_name(name).map_err(|e| ProviderError::invalid(name, e))
}

impl KeySchema {
    /// The item's key: the name's values under the table's key attributes.
    fn key(&self, name: &str, n: &ItemName<'_>) -> Result<Item, ProviderError> {
        let value = |(attr, ty): &(String, ScalarAttributeType), v: &str| match ty {
            ScalarAttributeType::S => Ok((attr.clone(), AttributeValue::S(v.to_string()))),
            ScalarAttributeType::N => Ok((attr.clone(), AttributeValue::N(v.to_string()))),
            _ => Err(ProviderError::invalid(
                name,
                format!(
                    "key `{attr}` of table `{}` is binary: items cannot name it",
                    n.table
                ),
            )),
        };
        let mut key = Item::from([value(&self.partition, n.partition)?]);
        match (&self.sort, n.sort) {
            (Some(sort), Some(v)) => {
                let (k, v) = value(sort, v)?;
                key.insert(k, v);
            }
            (None, None) => {}
            (Some((attr, _)), None) => {
                return Err(ProviderError::invalid(
                    name,
                    format!(
                        "table `{}` is keyed by `{}` and `{attr}`: name the item TABLE/PK/SK",
                        n.table, self.partition.0
                    ),
                ));
            }
            (None, Some(_)) => {
                return Err(ProviderError::invalid(
                    name,
                    format!(
                        "table `{}` has no sort key: name the item TABLE/PK",
                        n.table
                    ),
                ));
            }
        }
        Ok(key)
    }

    fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.partition.0.as_str()).chain(self.sort.iter().map(|s| s.0.as_str()))
    }
}

impl ItemProvider {
    /// A provider using the shared SDK config.
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self::from_client(lakectl_provider::client!(aws_sdk_dynamodb, config))
    }

    /// A provider over a client built elsewhere (request-asserting tests).
    pub fn from_client(client: Client) -> Self {
        ItemProvider {
            client,
            schema: item_schema(),
        }
    }

    /// The table's key schema, or `None` when the table does not exist.
    async fn key_schema(
        &self,
        name: &str,
        table: &str,
    ) -> Result<Option<KeySchema>, ProviderError> {
        let out = self
            .client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .doing("dynamodb:DescribeTable", name)
            .found()?;
        let Some(t) = out.and_then(|o| o.table) else {
            return Ok(None);
        };
        let typed = |role: KeyType| {
            let attr = t
                .key_schema()
                .iter()
                .find(|k| *k.key_type() == role)?
                .attribute_name()
                .to_string();
            let ty = t
                .attribute_definitions()
                .iter()
                .find(|d| d.attribute_name() == attr)
                .map_or(ScalarAttributeType::S, |d| d.attribute_type().clone());
            Some((attr, ty))
        };
        let partition = typed(KeyType::Hash).ok_or_else(|| {
            ProviderError::invalid(name, format!("table `{table}` reports no partition key"))
        })?;
        Ok(Some(KeySchema {
            partition,
            sort: typed(KeyType::Range),
        }))
    }

    /// The whole item to write (the key from the name plus the declared attributes), and the
    /// name of the partition key attribute.
    async fn item(&self, name: &str, spec: &Value) -> Result<(Item, String), ProviderError> {
        let n = parse(name)?;
        let keys = self.key_schema(name, n.table).await?.ok_or_else(|| {
            ProviderError::invalid(name, format!("table `{}` does not exist", n.table))
        })?;
        let mut item = keys.key(name, &n)?;
        let attributes = spec.get("attributes").and_then(Value::as_object);
        for (k, v) in attributes.into_iter().flatten() {
            if keys.names().any(|key| key == k) {
                return Err(ProviderError::invalid(
                    name,
                    format!("attribute `{k}` is the item's key: it is written in the item's name"),
                ));
            }
            item.insert(k.clone(), to_attribute(v));
        }
        Ok((item, keys.partition.0))
    }

    fn attributes(name: &str) -> Attributes {
        let table = parse_item_name(name).map_or("", |n| n.table);
        Attributes::from([
            ("name".to_string(), name.to_string()),
            ("table".to_string(), table.to_string()),
        ])
    }
}

#[async_trait]
impl Provider for ItemProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Numbers as DynamoDB keeps them, on both sides.
    fn normalize(&self, spec: &mut Value) {
        if let Some(a) = spec.get_mut("attributes") {
            normalize_numbers(a);
        }
    }

    fn predict_attributes(&self, name: &str) -> Attributes {
        Self::attributes(name)
    }

    /// An item is held in its table, whose item count includes it.
    fn container(&self, name: &str) -> Option<(&'static str, String)> {
        parse_item_name(name)
            .ok()
            .map(|n| (crate::KIND, n.table.to_string()))
    }

    /// DescribeTable for the key schema, then a strongly consistent GetItem; a missing table
    /// reads as a missing item.
    async fn observe(&self, name: &str) -> Result<Observation, ProviderError> {
        let n = parse(name)?;
        let Some(keys) = self.key_schema(name, n.table).await? else {
            return Ok(Observation::Missing);
        };
        let out = self
            .client
            .get_item()
            .table_name(n.table)
            .set_key(Some(keys.key(name, &n)?))
            .consistent_read(true)
            .send()
            .await
            .doing("dynamodb:GetItem", name)
            .found()?;
        let Some(item) = out.and_then(|o| o.item) else {
            return Ok(Observation::Missing);
        };
        let mut attributes = to_object(&item).map_err(|e| ProviderError::invalid(name, e))?;
        for key in keys.names() {
            attributes.remove(key);
        }
        Ok(Observation::Exists(Live {
            spec: json!({"name": name, "attributes": attributes}),
            attributes: Self::attributes(name),
        }))
    }

    /// PutItem on the condition that no item has the key: a taken key is reported, never
    /// overwritten, and the engine decides whose it is.
    async fn create(&self, req: &CreateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        let (item, partition_attr) = self.item(name, &req.spec).await?;
        self.client
            .put_item()
            .table_name(parse(name)?.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", partition_attr)
            .send()
            .await
            .doing("dynamodb:PutItem", name)
            .taken_when("ConditionalCheckFailedException")?;
        Ok(Self::attributes(name))
    }

    /// PutItem with the whole declared item: attributes no longer declared are removed.
    async fn update(&self, req: &UpdateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        let (item, _) = self.item(name, &req.desired).await?;
        self.client
            .put_item()
            .table_name(parse(name)?.table)
            .set_item(Some(item))
            .send()
            .await
            .doing("dynamodb:PutItem", name)?;
        Ok(Self::attributes(name))
    }

    /// DeleteItem; a missing item or table is deleted already.
    async fn delete(&self, req: &DeleteRequest) -> Result<(), ProviderError> {
        let name = req.name.as_str();
        let n = parse(name)?;
        let Some(keys) = self.key_schema(name, n.table).await? else {
            return Ok(());
        };
        self.client
            .delete_item()
            .table_name(n.table)
            .set_key(Some(keys.key(name, &n)?))
            .send()
            .await
            .doing("dynamodb:DeleteItem", name)
            .gone_is_done()
    }
}
