//! The `dynamodb.table` resource kind: keys, billing, global secondary indexes,
//! point-in-time recovery, TTL, deletion protection and tags; and `dynamodb.item`, one item
//! kept as declared (the ingest jobs' settings and table structures).
//!
//! Every property observe reads back has a default that means "unset", so a table made
//! from a minimal spec reads back equal to it and never shows a perpetual diff.

mod converge;
mod gsi_plan;
mod item;
mod item_schema;
mod item_values;
mod live;
mod reads;
mod schema;
mod sdk_types;
mod table;
mod writes;

pub use gsi_plan::{GsiStep, plan_gsi_steps};
pub use item::ItemProvider;
pub use item_schema::{ITEM, ItemName, item_schema, parse_item_name};
pub use item_values::{normalize_numbers, to_attribute, to_json, to_object};
pub use live::{TableFacts, live_spec, pending_status};
pub use schema::{KIND, name_rule, schema};
pub use table::{Billing, Gsi, Key, Table};

use async_trait::async_trait;
use aws_sdk_dynamodb::types::TableStatus;
use converge::{Target, converge};
use lakectl_core::{
    Attributes, Contents, CreateRequest, DeleteRequest, Live, Observation, Provider, ProviderError,
    Schema, UpdateRequest,
};
use lakectl_provider::AccountContext;
use serde_json::Value;
use std::time::Duration;

/// How soon to look again at a table in transition.
const RETRY_AFTER: Duration = Duration::from_secs(5);

/// Manages `dynamodb.table` resources through the DynamoDB API.
pub struct DynamoDbProvider {
    client: aws_sdk_dynamodb::Client,
    account: AccountContext,
    schema: Schema,
}

impl DynamoDbProvider {
    /// A provider using the shared SDK config; ARNs are built for `account`.
    pub fn new(config: &aws_config::SdkConfig, account: &AccountContext) -> Self {
        DynamoDbProvider {
            client: lakectl_provider::client!(aws_sdk_dynamodb, config),
            account: account.clone(),
            schema: schema(),
        }
    }

    fn arn(&self, name: &str) -> String {
        let a = &self.account;
        format!(
            "arn:{}:dynamodb:{}:{}:table/{name}",
            a.partition, a.region, a.account_id
        )
    }

    fn target<'a>(&'a self, name: &'a str, arn: &'a str, wait_limit: Duration) -> Target<'a> {
        Target {
            client: &self.client,
            name,
            arn,
            wait_limit,
        }
    }

    fn attributes(&self, name: &str, arn: String) -> Attributes {
        Attributes::from([
            ("arn".to_string(), arn),
            ("name".to_string(), name.to_string()),
        ])
    }
}

fn parse(name: &str, spec: &Value) -> Result<Table, ProviderError> {
    Table::from_spec(spec).map_err(|e| ProviderError::invalid(name, e))
}

#[async_trait]
impl Provider for DynamoDbProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Sorts the global secondary indexes by name.
    fn normalize(&self, spec: &mut Value) {
        table::normalize(spec);
    }

    fn predict_attributes(&self, name: &str) -> Attributes {
        self.attributes(name, self.arn(name))
    }

    async fn observe(&self, name: &str) -> Result<Observation, ProviderError> {
        let Some(table) = reads::describe(&self.client, name).await? else {
            return Ok(Observation::Missing);
        };
        if let Some(status) = pending_status(&table) {
            return Ok(Observation::Pending {
                retry_after: RETRY_AFTER,
                status,
            });
        }
        let arn = table
            .table_arn()
            .map_or_else(|| self.arn(name), str::to_string);
        let Some(facts) = reads::facts(&self.client, name, &arn, table).await? else {
            return Ok(Observation::Missing);
        };
        let spec = live_spec(name, &facts).map_err(|e| ProviderError::invalid(name, e))?;
        Ok(Observation::Exists(Live {
            spec,
            attributes: self.attributes(name, arn),
        }))
    }

    async fn create(&self, req: &CreateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        let desired = parse(name, &req.spec)?;
        writes::create_table(&self.client, name, &desired).await?;
        let table = reads::wait_settled(&self.client, name, req.wait_limit).await?;
        let arn = table
            .table_arn()
            .map_or_else(|| self.arn(name), str::to_string);
        // CreateTable took everything else; these two have their own APIs.
        if desired.pitr {
            writes::set_pitr(&self.client, name, true).await?;
        }
        if let Some(attr) = &desired.ttl_attribute {
            writes::set_ttl(&self.client, name, attr, true).await?;
        }
        Ok(self.attributes(name, arn))
    }

    fn plan_note(&self, desired: &Value, live: &Value) -> Option<String> {
        converge::ttl_note(desired, live)
    }

    async fn update(&self, req: &UpdateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        let desired = parse(name, &req.desired)?;
        let live = parse(name, &req.live)?;
        let arn = self.arn(name);
        converge(
            &self.target(name, &arn, req.wait_limit),
            &desired,
            &live,
            &|p| req.touches(p),
        )
        .await?;
        Ok(self.attributes(name, arn))
    }

    async fn delete(&self, req: &DeleteRequest) -> Result<(), ProviderError> {
        let name = req.name.as_str();
        let Some(table) = reads::describe(&self.client, name).await? else {
            return Ok(());
        };
        if !req.allow_data_loss
            && let Some(detail) = self.contents(name).await?.describe()
        {
            return Err(ProviderError::DataLoss {
                action: "delete",
                resource: name.to_string(),
                detail,
            });
        }
        if table.table_status() == Some(&TableStatus::Deleting) {
            return reads::wait_gone(&self.client, name, req.wait_limit).await;
        }
        // DeleteTable is refused while the table or an index is in transition.
        let table = match pending_status(&table) {
            Some(_) => reads::wait_settled(&self.client, name, req.wait_limit).await?,
            None => table,
        };
        // Deletion protection guards against deletes nobody approved. The engine calls
        // delete only for a plan the user approved, so lifting it here is that approval
        // taking effect, not a bypass; nothing else in lakectl turns it off.
        if table.deletion_protection_enabled() == Some(true) {
            writes::set_deletion_protection(&self.client, name, false).await?;
        }
        writes::delete_table(&self.client, name).await?;
        reads::wait_gone(&self.client, name, req.wait_limit).await
    }

    fn holds_data(&self) -> bool {
        true
    }

    async fn contents(&self, name: &str) -> Result<Contents, ProviderError> {
        reads::count_items(&self.client, name).await
    }
}
