//! `glue.table` through the Glue API. Glue takes a table whole (CreateTable, UpdateTable), so
//! every change sends the whole desired table; partition keys cannot change in place.
use crate::database::string_map;
use crate::formats::{format_of, storage};
use crate::live::{ColumnFacts, SERVICE_PARAMETERS, TableFacts, table_spec};
use crate::schema::table_schema;
use crate::{split_table_name, table_arn};
use async_trait::async_trait;
use aws_sdk_glue::Client;
use aws_sdk_glue::types::{Column, SerDeInfo, StorageDescriptor, Table, TableInput};
use lakectl_core::{
    Attributes, Contents, CreateRequest, DeleteRequest, Live, Observation, Provider, ProviderError,
    Schema, UpdateRequest,
};
use lakectl_provider::diff::string;
use lakectl_provider::{AccountContext, Built, Doing, Found};
use serde_json::Value;
use std::collections::BTreeMap;

/// How many partitions a delete counts before it says "at least".
const COUNT_PARTITIONS: i32 = 100;

/// Manages `glue.table` resources, named `DATABASE.TABLE`.
pub struct TableProvider {
    client: Client,
    account: AccountContext,
    schema: Schema,
}

/// The database and table of `name`, or an error that says how tables are named.
fn parts(name: &str) -> Result<(&str, &str), ProviderError> {
    split_table_name(name)
        .ok_or_else(|| ProviderError::invalid(name, "a Glue table is named DATABASE.TABLE"))
}

impl TableProvider {
    /// A provider using the shared SDK config; ARNs are built for `account`.
    pub fn new(config: &aws_config::SdkConfig, account: &AccountContext) -> Self {
        Self::from_client(lakectl_provider::client!(aws_sdk_glue, config), account)
    }

    /// A provider over a client built elsewhere (request-asserting tests).
    pub fn from_client(client: Client, account: &AccountContext) -> Self {
        TableProvider {
            client,
            account: account.clone(),
            schema: table_schema(),
        }
    }

    fn attributes(&self, name: &str) -> Attributes {
        let (database, table) = split_table_name(name).unwrap_or((name, name));
        Attributes::from([
            ("arn".to_string(), table_arn(&self.account, database, table)),
            ("database".to_string(), database.to_string()),
            ("name".to_string(), name.to_string()),
        ])
    }
}

/// The TableInput for `spec`: what CreateTable and UpdateTable both take whole. `kept` are
/// parameters the services wrote, carried over so an update does not wipe them.
fn input(
    name: &str,
    spec: &Value,
    kept: BTreeMap<String, String>,
) -> Result<TableInput, ProviderError> {
    let (_, table) = parts(name)?;
    let format = spec.get("format").and_then(Value::as_str).unwrap_or("");
    let classes = storage(format)
        .ok_or_else(|| ProviderError::invalid(name, format!("`{format}` is not a table format")))?;
    let serde = SerDeInfo::builder()
        .serialization_library(classes.serde)
        .set_parameters(Some(string_map(spec, "serde_parameters")))
        .build();
    let descriptor = StorageDescriptor::builder()
        .set_columns(Some(columns(name, spec, "columns")?))
        .set_location(string(spec, "location"))
        .input_format(classes.input)
        .output_format(classes.output)
        .serde_info(serde)
        .build();
    TableInput::builder()
        .name(table)
        .set_description(string(spec, "description"))
        .table_type("EXTERNAL_TABLE")
        .set_parameters(Some(
            kept.into_iter()
                .chain(string_map(spec, "parameters"))
                .collect(),
        ))
        .set_partition_keys(Some(columns(name, spec, "partition_keys")?))
        .storage_descriptor(descriptor)
        .build()
        .built(name, "the table input")
}

fn columns(name: &str, spec: &Value, key: &str) -> Result<Vec<Column>, ProviderError> {
    spec.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| {
            Column::builder()
                .set_name(string(c, "name"))
                .set_type(string(c, "type"))
                .set_comment(string(c, "comment"))
                .build()
                .built(name, "a column")
        })
        .collect()
}

fn column_facts(columns: &[Column]) -> Vec<ColumnFacts> {
    columns
        .iter()
        .map(|c| ColumnFacts {
            name: c.name().to_string(),
            r#type: c.r#type().unwrap_or_default().to_string(),
            comment: c.comment().map(str::to_string),
        })
        .collect()
}

/// A table as Glue returned it, as plain facts.
pub(crate) fn table_facts(name: &str, t: &Table) -> TableFacts {
    let sd = t.storage_descriptor();
    let serde = sd.and_then(StorageDescriptor::serde_info);
    TableFacts {
        name: name.to_string(),
        description: t.description().map(str::to_string),
        format: format_of(
            serde.and_then(SerDeInfo::serialization_library),
            sd.and_then(StorageDescriptor::input_format),
        ),
        location: sd.and_then(StorageDescriptor::location).map(str::to_string),
        columns: column_facts(sd.map(StorageDescriptor::columns).unwrap_or_default()),
        partition_keys: column_facts(t.partition_keys()),
        parameters: t
            .parameters()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .collect(),
        serde_parameters: serde
            .and_then(SerDeInfo::parameters)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .collect(),
    }
}

impl TableProvider {
    /// GetTable; `None` when the table or its database is missing.
    async fn get(&self, name: &str) -> Result<Option<Table>, ProviderError> {
        let (database, table) = parts(name)?;
        let out = self
            .client
            .get_table()
            .database_name(database)
            .name(table)
            .send()
            .await
            .doing("glue:GetTable", name)
            .found()?;
        Ok(out.and_then(|o| o.table))
    }
}

#[async_trait]
impl Provider for TableProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Column types as Hive reads them: names case-insensitive, spaces insignificant, so a
    /// type a crawler, the console or Athena DDL rewrote (`STRUCT<a: string>`) is no change
    /// (GLT-2). The schema already asks for the lower-case, unspaced form.
    fn normalize(&self, spec: &mut Value) {
        for key in ["columns", "partition_keys"] {
            let Some(cols) = spec.get_mut(key).and_then(Value::as_array_mut) else {
                continue;
            };
            for t in cols.iter_mut().filter_map(|c| c.get_mut("type")) {
                if let Some(text) = t.as_str() {
                    *t = Value::String(
                        text.chars()
                            .filter(|c| !c.is_whitespace())
                            .collect::<String>()
                            .to_ascii_lowercase(),
                    );
                }
            }
        }
    }

    fn predict_attributes(&self, name: &str) -> Attributes {
        self.attributes(name)
    }

    /// A table is held in its database, whose table count includes it.
    fn container(&self, name: &str) -> Option<(&'static str, String)> {
        split_table_name(name).map(|(db, _)| (crate::DATABASE, db.to_string()))
    }

    /// GetTable; a missing database reads as a missing table.
    async fn observe(&self, name: &str) -> Result<Observation, ProviderError> {
        Ok(match self.get(name).await? {
            None => Observation::Missing,
            Some(t) => Observation::Exists(Live {
                spec: table_spec(&table_facts(name, &t)),
                attributes: self.attributes(name),
            }),
        })
    }

    async fn create(&self, req: &CreateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        let (database, _) = parts(name)?;
        self.client
            .create_table()
            .database_name(database)
            .table_input(input(name, &req.spec, BTreeMap::new())?)
            .send()
            .await
            .doing("glue:CreateTable", name)?;
        Ok(self.attributes(name))
    }

    /// UpdateTable with the whole desired table (Glue keeps the old one as a table version).
    /// UpdateTable replaces the parameters too, so those Glue, Athena or a crawler wrote
    /// (statistics, `compressionType`) are read again and sent back unchanged.
    async fn update(&self, req: &UpdateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        let (database, _) = parts(name)?;
        let kept: BTreeMap<String, String> = self
            .get(name)
            .await?
            .and_then(|t| t.parameters)
            .into_iter()
            .flatten()
            .filter(|(k, _)| SERVICE_PARAMETERS.contains(&k.as_str()))
            .collect();
        self.client
            .update_table()
            .database_name(database)
            .table_input(input(name, &req.desired, kept)?)
            .send()
            .await
            .doing("glue:UpdateTable", name)?;
        Ok(self.attributes(name))
    }

    async fn delete(&self, req: &DeleteRequest) -> Result<(), ProviderError> {
        let (database, table) = parts(&req.name)?;
        self.client
            .delete_table()
            .database_name(database)
            .name(table)
            .send()
            .await
            .doing("glue:DeleteTable", &req.name)
            .gone_is_done()
    }

    fn holds_data(&self) -> bool {
        true
    }

    /// The registered partitions: a delete or replacement loses them (the files stay in S3,
    /// but the queries no longer find them until they are registered again).
    async fn contents(&self, name: &str) -> Result<Contents, ProviderError> {
        let (database, table) = parts(name)?;
        let out = self
            .client
            .get_partitions()
            .database_name(database)
            .table_name(table)
            .max_results(COUNT_PARTITIONS)
            .send()
            .await
            .doing("glue:GetPartitions", name)
            .found()?;
        let count = out.as_ref().map_or(0, |o| o.partitions().len() as u64);
        Ok(match (out, count) {
            (Some(o), 1..) => Contents::NonEmpty {
                count,
                exact: o.next_token().is_none_or(str::is_empty),
                noun: "partitions",
            },
            _ => Contents::Empty,
        })
    }
}
