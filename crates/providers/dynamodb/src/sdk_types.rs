//! Typed table parts turned into the SDK's request types.

use crate::table::{Billing, Gsi, Key, Table};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, CreateGlobalSecondaryIndexAction, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, Projection, ProjectionType, ProvisionedThroughput, ScalarAttributeType, Tag,
};
use lakectl_core::ProviderError;

/// A request the SDK refused to build (a required field missing): a bug, reported plainly.
fn build_error(table: &str, what: &str, err: impl std::fmt::Display) -> ProviderError {
    ProviderError::invalid(table, format!("cannot build {what}: {err}"))
}

/// AttributeDefinitions for the table's keys and those of `gsis`.
pub fn attribute_definitions<'a>(
    table_name: &str,
    table: &'a Table,
    gsis: impl IntoIterator<Item = &'a Gsi>,
) -> Result<Vec<AttributeDefinition>, ProviderError> {
    let keys = table
        .attribute_definitions(gsis)
        .map_err(|e| ProviderError::invalid(table_name, e))?;
    keys.into_iter()
        .map(|k| {
            AttributeDefinition::builder()
                .attribute_name(&k.name)
                .attribute_type(ScalarAttributeType::from(k.ty.as_str()))
                .build()
                .map_err(|e| build_error(table_name, "an attribute definition", e))
        })
        .collect()
}

/// A KeySchema: the partition key, then the sort key if any.
pub fn key_schema(
    table_name: &str,
    partition: &Key,
    sort: Option<&Key>,
) -> Result<Vec<KeySchemaElement>, ProviderError> {
    std::iter::once((partition, KeyType::Hash))
        .chain(sort.map(|k| (k, KeyType::Range)))
        .map(|(k, kind)| {
            KeySchemaElement::builder()
                .attribute_name(&k.name)
                .key_type(kind)
                .build()
                .map_err(|e| build_error(table_name, "a key schema", e))
        })
        .collect()
}

/// ProvisionedThroughput for provisioned billing; `None` on demand.
pub fn throughput(
    table_name: &str,
    billing: Billing,
) -> Result<Option<ProvisionedThroughput>, ProviderError> {
    match billing {
        Billing::PayPerRequest => Ok(None),
        Billing::Provisioned { read, write } => ProvisionedThroughput::builder()
            .read_capacity_units(read)
            .write_capacity_units(write)
            .build()
            .map(Some)
            .map_err(|e| build_error(table_name, "provisioned throughput", e)),
    }
}

fn projection(gsi: &Gsi) -> Projection {
    let attrs = (!gsi.non_key_attributes.is_empty()).then(|| gsi.non_key_attributes.clone());
    Projection::builder()
        .projection_type(ProjectionType::from(gsi.projection.as_str()))
        .set_non_key_attributes(attrs)
        .build()
}

/// A GlobalSecondaryIndex for CreateTable; provisioned tables give it their capacity.
pub fn gsi_for_create(
    table_name: &str,
    gsi: &Gsi,
    billing: Billing,
) -> Result<GlobalSecondaryIndex, ProviderError> {
    GlobalSecondaryIndex::builder()
        .index_name(&gsi.name)
        .set_key_schema(Some(key_schema(
            table_name,
            &gsi.partition_key,
            gsi.sort_key.as_ref(),
        )?))
        .projection(projection(gsi))
        .set_provisioned_throughput(throughput(table_name, billing)?)
        .build()
        .map_err(|e| build_error(table_name, "a global secondary index", e))
}

/// The Create action of an UpdateTable call adding `gsi`.
pub fn gsi_create_action(
    table_name: &str,
    gsi: &Gsi,
    billing: Billing,
) -> Result<CreateGlobalSecondaryIndexAction, ProviderError> {
    CreateGlobalSecondaryIndexAction::builder()
        .index_name(&gsi.name)
        .set_key_schema(Some(key_schema(
            table_name,
            &gsi.partition_key,
            gsi.sort_key.as_ref(),
        )?))
        .projection(projection(gsi))
        .set_provisioned_throughput(throughput(table_name, billing)?)
        .build()
        .map_err(|e| build_error(table_name, "a global secondary index", e))
}

/// DynamoDB tags from key/value pairs.
pub fn tags<'a>(
    table_name: &str,
    pairs: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> Result<Vec<Tag>, ProviderError> {
    pairs
        .into_iter()
        .map(|(k, v)| {
            Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| build_error(table_name, "a tag", e))
        })
        .collect()
}
