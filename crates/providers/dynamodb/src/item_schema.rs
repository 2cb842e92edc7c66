//! The `dynamodb.item` schema and how an item is named: `TABLE/PK` or `TABLE/PK/SK`.
use lakectl_core::{Prop, Schema, Type};
use serde_json::Value;

/// The item kind.
pub const ITEM: &str = "dynamodb.item";

/// An item's address: its table and its key values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemName<'a> {
    /// The table.
    pub table: &'a str,
    /// The partition key's value.
    pub partition: &'a str,
    /// The sort key's value, for a table that has one.
    pub sort: Option<&'a str>,
}

/// Splits `TABLE/PK[/SK]`.
///
/// # Errors
/// The message says how items are named.
pub fn parse_item_name(name: &str) -> Result<ItemName<'_>, String> {
    let mut parts = name.split('/');
    let (Some(table), Some(partition)) = (parts.next(), parts.next()) else {
        return Err(format!(
            "an item is named TABLE/PK or TABLE/PK/SK (`lake-config/dataset#orders/settings`); `{name}` has no `/`"
        ));
    };
    let sort = parts.next();
    if parts.next().is_some() {
        return Err(format!(
            "`{name}` has more than three `/`-separated parts: key values cannot contain `/`"
        ));
    }
    if partition.is_empty() || sort.is_some_and(str::is_empty) {
        return Err(format!("`{name}`: key values cannot be empty"));
    }
    crate::name_rule(table).map_err(|e| format!("the table part of `{name}`: {e}"))?;
    Ok(ItemName {
        table,
        partition,
        sort,
    })
}

fn item_name_rule(name: &str) -> Result<(), String> {
    parse_item_name(name).map(drop)
}

/// The schema of `dynamodb.item`.
pub fn item_schema() -> Schema {
    Schema {
        kind: ITEM,
        description: "one item of a DynamoDB table (settings, table structures), kept as declared",
        props: vec![
            Prop::new(
                "name",
                Type::String,
                "TABLE/PK or TABLE/PK/SK: the table and the item's key values (set by the loader)",
            )
            .immutable(),
            Prop::new(
                "attributes",
                Type::Json,
                "the item's other attributes: strings, numbers, true/false, null, lists, mappings",
            )
            .required()
            .check(check_attributes),
        ],
        attributes: &["table"],
        taggable: false,
        name_rule: item_name_rule,
        name_max_len: 2048,
    }
}

fn check_attributes(v: &Value) -> Result<(), String> {
    match v {
        Value::Object(m) if m.keys().any(String::is_empty) => {
            Err("an attribute name cannot be empty".into())
        }
        Value::Object(_) => Ok(()),
        _ => Err("`attributes` is a mapping of attribute names to values".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakectl_provider::testkit::{assert_name_rule, assert_validates};
    use serde_json::json;

    #[test]
    fn items_are_named_by_table_and_key() {
        assert_eq!(
            parse_item_name("lake-config/dataset#orders/settings"),
            Ok(ItemName {
                table: "lake-config",
                partition: "dataset#orders",
                sort: Some("settings")
            })
        );
        assert_name_rule(
            item_name_rule,
            &[
                ("partition key only", "lake-config/dataset#orders", None),
                ("no key", "lake-config", Some("TABLE/PK or TABLE/PK/SK")),
                ("a slash in a key", "t-1/a/b/c", Some("cannot contain `/`")),
                (
                    "an empty sort key",
                    "lake-config/a/",
                    Some("cannot be empty"),
                ),
                ("a bad table", "t/a", Some("the table part")),
            ],
        );
        assert_validates(
            &item_schema(),
            &[
                ("attributes", json!({"attributes": {"format": "csv"}}), &[]),
                ("a list", json!({"attributes": [1]}), &["a mapping"]),
                (
                    "missing",
                    json!({}),
                    &["missing required property `attributes`"],
                ),
            ],
        );
    }
}
