//! `glue.database` through the Glue API.
use crate::database_arn;
use crate::live::{DatabaseFacts, database_spec};
use crate::schema::database_schema;
use async_trait::async_trait;
use aws_sdk_glue::Client;
use aws_sdk_glue::types::DatabaseInput;
use lakectl_core::{
    Attributes, Contents, CreateRequest, DeleteRequest, Live, Observation, Provider, ProviderError,
    Schema, UpdateRequest,
};
use lakectl_provider::diff::string;
use lakectl_provider::tags::tags_of;
use lakectl_provider::{AccountContext, Built, Doing, Found};
use serde_json::Value;
use std::collections::HashMap;

/// How many tables a delete counts before it says "at least".
const COUNT_TABLES: i32 = 100;

/// Manages `glue.database` resources.
pub struct DatabaseProvider {
    client: Client,
    account: AccountContext,
    schema: Schema,
}

impl DatabaseProvider {
    /// A provider using the shared SDK config; ARNs are built for `account`.
    pub fn new(config: &aws_config::SdkConfig, account: &AccountContext) -> Self {
        Self::from_client(lakectl_provider::client!(aws_sdk_glue, config), account)
    }

    /// A provider over a client built elsewhere (request-asserting tests).
    pub fn from_client(client: Client, account: &AccountContext) -> Self {
        DatabaseProvider {
            client,
            account: account.clone(),
            schema: database_schema(),
        }
    }

    fn attributes(&self, name: &str) -> Attributes {
        Attributes::from([
            ("arn".to_string(), database_arn(&self.account, name)),
            ("name".to_string(), name.to_string()),
        ])
    }

    /// The DatabaseInput for `spec`: what CreateDatabase and UpdateDatabase both take whole.
    fn input(name: &str, spec: &Value) -> Result<DatabaseInput, ProviderError> {
        DatabaseInput::builder()
            .name(name)
            .set_description(string(spec, "description"))
            .set_location_uri(string(spec, "location_uri"))
            .set_parameters(Some(string_map(spec, "parameters")))
            .build()
            .built(name, "the database input")
    }
}

/// A map of strings in `spec` (parameters), as the SDK takes it.
pub(crate) fn string_map(spec: &Value, key: &str) -> HashMap<String, String> {
    spec.get(key)
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
        .collect()
}

#[async_trait]
impl Provider for DatabaseProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn predict_attributes(&self, name: &str) -> Attributes {
        self.attributes(name)
    }

    async fn observe(&self, name: &str) -> Result<Observation, ProviderError> {
        let out = self
            .client
            .get_database()
            .name(name)
            .send()
            .await
            .doing("glue:GetDatabase", name)
            .found()?;
        let Some(db) = out.and_then(|o| o.database) else {
            return Ok(Observation::Missing);
        };
        let tags =
            crate::tags::read(&self.client, &database_arn(&self.account, name), name).await?;
        // Deleted between the two reads: report what is true now.
        let Some(tags) = tags else {
            return Ok(Observation::Missing);
        };
        let facts = DatabaseFacts {
            name: name.to_string(),
            description: db.description,
            location_uri: db.location_uri,
            parameters: db.parameters.unwrap_or_default().into_iter().collect(),
            tags,
        };
        Ok(Observation::Exists(Live {
            spec: database_spec(&facts),
            attributes: self.attributes(name),
        }))
    }

    /// CreateDatabase with the tags, so the database never exists untagged.
    async fn create(&self, req: &CreateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        self.client
            .create_database()
            .database_input(Self::input(name, &req.spec)?)
            .set_tags(Some(tags_of(name, &req.spec)?.into_iter().collect()))
            .send()
            .await
            .doing("glue:CreateDatabase", name)?;
        Ok(self.attributes(name))
    }

    async fn update(&self, req: &UpdateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        if ["description", "location_uri", "parameters"]
            .iter()
            .any(|p| req.touches(p))
        {
            self.client
                .update_database()
                .name(name)
                .database_input(Self::input(name, &req.desired)?)
                .send()
                .await
                .doing("glue:UpdateDatabase", name)?;
        }
        if let Some(diff) = lakectl_provider::tags::changed(req)? {
            crate::tags::sync(
                &self.client,
                &database_arn(&self.account, name),
                name,
                &diff,
            )
            .await?;
        }
        Ok(self.attributes(name))
    }

    /// DeleteDatabase deletes its tables with it; [`Provider::contents`] counts them first.
    async fn delete(&self, req: &DeleteRequest) -> Result<(), ProviderError> {
        self.client
            .delete_database()
            .name(&req.name)
            .send()
            .await
            .doing("glue:DeleteDatabase", &req.name)
            .gone_is_done()
    }

    fn holds_data(&self) -> bool {
        true
    }

    /// The tables in the database: deleting it deletes their definitions and partitions.
    async fn contents(&self, name: &str) -> Result<Contents, ProviderError> {
        let out = self
            .client
            .get_tables()
            .database_name(name)
            .max_results(COUNT_TABLES)
            .send()
            .await
            .doing("glue:GetTables", name)
            .found()?;
        let Some(out) = out else {
            return Ok(Contents::Empty);
        };
        let count = out.table_list().len() as u64;
        Ok(match count {
            0 => Contents::Empty,
            _ => Contents::NonEmpty {
                count,
                exact: out.next_token().is_none_or(str::is_empty),
                noun: "tables",
            },
        })
    }
}
