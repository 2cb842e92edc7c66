//! What the Glue Data Catalog reports about a database or a table, as a spec of the shape
//! users write.
use lakectl_provider::tags::{Tags, tags_value};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Table parameters Glue, Athena and crawlers write themselves: observed, never fought.
pub const SERVICE_PARAMETERS: &[&str] = &[
    "EXTERNAL",
    "transient_lastDdlTime",
    "last_modified_by",
    "last_modified_time",
    "UPDATED_BY_CRAWLER",
    "CrawlerSchemaDeserializerVersion",
    "CrawlerSchemaSerializerVersion",
    "averageRecordSize",
    "objectCount",
    "recordCount",
    "sizeKey",
    "compressionType",
    "typeOfData",
];

/// What observe read about one database.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DatabaseFacts {
    /// The database name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// The default location of its tables.
    pub location_uri: Option<String>,
    /// Its parameters.
    pub parameters: BTreeMap<String, String>,
    /// All tags, lakectl's ownership tags included.
    pub tags: Tags,
}

/// The live spec of a database: every property, unset written as the schema's default.
pub fn database_spec(f: &DatabaseFacts) -> Value {
    json!({
        "name": f.name,
        "description": f.description,
        "location_uri": f.location_uri,
        "parameters": tags_value(&f.parameters),
        "tags": tags_value(&f.tags),
    })
}

/// One column as Glue reports it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnFacts {
    /// Its name.
    pub name: String,
    /// Its type.
    pub r#type: String,
    /// Its comment.
    pub comment: Option<String>,
}

/// What observe read about one table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableFacts {
    /// `DATABASE.TABLE`.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// The format, as [`crate::formats::format_of`] reads the storage descriptor.
    pub format: String,
    /// Where its files are.
    pub location: Option<String>,
    /// Its columns, in order.
    pub columns: Vec<ColumnFacts>,
    /// Its partition keys, in order.
    pub partition_keys: Vec<ColumnFacts>,
    /// Table parameters, those the services write included.
    pub parameters: BTreeMap<String, String>,
    /// The SerDe's parameters.
    pub serde_parameters: BTreeMap<String, String>,
}

/// The live spec of a table; parameters the services write themselves are left out.
pub fn table_spec(f: &TableFacts) -> Value {
    let columns = |cs: &[ColumnFacts]| -> Value {
        cs.iter()
            .map(|c| json!({"name": c.name, "type": c.r#type, "comment": c.comment}))
            .collect()
    };
    json!({
        "name": f.name,
        "description": f.description,
        "format": f.format,
        "location": f.location,
        "columns": columns(&f.columns),
        "partition_keys": columns(&f.partition_keys),
        "parameters": tags_value(
            f.parameters.iter().filter(|(k, _)| !SERVICE_PARAMETERS.contains(&k.as_str()))
        ),
        "serde_parameters": tags_value(&f.serde_parameters),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakectl_core::diff;

    #[test]
    fn unset_reads_back_as_the_schema_defaults() {
        let mut desired = json!({"name": "lake"});
        crate::database_schema().apply_defaults(&mut desired);
        let live = database_spec(&DatabaseFacts {
            name: "lake".into(),
            ..DatabaseFacts::default()
        });
        assert!(diff(&crate::database_schema(), &desired, &live).is_empty());
    }

    #[test]
    fn a_table_reads_back_as_written_and_service_parameters_are_not_drift() {
        let mut desired = json!({"name": "lake.orders", "format": "parquet",
            "location": "s3://b/analytics/orders/",
            "columns": [{"name": "id", "type": "bigint"}, {"name": "at", "type": "date"}],
            "parameters": {"classification": "parquet"}});
        crate::table_schema().apply_defaults(&mut desired);
        let column = |name: &str, t: &str| ColumnFacts {
            name: name.into(),
            r#type: t.into(),
            comment: None,
        };
        let mut facts = TableFacts {
            name: "lake.orders".into(),
            format: "parquet".into(),
            location: Some("s3://b/analytics/orders/".into()),
            columns: vec![column("id", "bigint"), column("at", "date")],
            parameters: BTreeMap::from([
                ("classification".into(), "parquet".into()),
                ("transient_lastDdlTime".into(), "1700000000".into()),
            ]),
            ..TableFacts::default()
        };
        assert!(diff(&crate::table_schema(), &desired, &table_spec(&facts)).is_empty());
        facts.columns[0].r#type = "int".into();
        facts.columns.push(column("extra", "string"));
        let paths: Vec<String> = diff(&crate::table_schema(), &desired, &table_spec(&facts))
            .into_iter()
            .map(|c| c.path)
            .collect();
        assert_eq!(paths, ["columns[id].type", "columns[extra]"]);
    }
}
