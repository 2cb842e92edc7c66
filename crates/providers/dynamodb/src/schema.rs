//! The `dynamodb.table` schema: properties, defaults meaning "unset", and AWS's naming rules.

use lakectl_core::{Prop, Schema, Type};
use lakectl_provider::tags::tags_prop;
use serde_json::{Value, json};

/// The kind this crate manages.
pub const KIND: &str = "dynamodb.table";

/// The longest table (and index) name DynamoDB accepts.
pub const NAME_MAX_LEN: usize = 255;

/// The shortest table (and index) name DynamoDB accepts.
pub const NAME_MIN_LEN: usize = 3;

/// The scalar types a key attribute can have: string, number, binary.
pub const KEY_TYPES: &[&str] = &["S", "N", "B"];

/// The two billing modes.
pub const BILLING_MODES: &[&str] = &["PAY_PER_REQUEST", "PROVISIONED"];

/// What a global secondary index copies from the table.
pub const PROJECTIONS: &[&str] = &["ALL", "KEYS_ONLY", "INCLUDE"];

/// DynamoDB's default quota of global secondary indexes per table.
const MAX_GSIS: usize = 20;

/// The schema of `dynamodb.table`.
pub fn schema() -> Schema {
    Schema {
        kind: KIND,
        description: "a DynamoDB table: keys, billing, global secondary indexes, PITR, TTL, tags",
        props: vec![
            Prop::new("name", Type::String, "the table name (set by the loader)").immutable(),
            Prop::new(
                "partition_key",
                key_type(),
                "the partition (hash) key: its attribute name and type",
            )
            .required()
            .immutable(),
            Prop::new(
                "sort_key",
                key_type(),
                "the sort (range) key: its attribute name and type; null: none",
            )
            .immutable()
            .default(Value::Null),
            Prop::new(
                "billing_mode",
                Type::Enum(BILLING_MODES),
                "PAY_PER_REQUEST (on demand) or PROVISIONED (read_capacity / write_capacity)",
            )
            .default(json!("PAY_PER_REQUEST")),
            Prop::new(
                "read_capacity",
                capacity(),
                "read capacity units; only with billing_mode PROVISIONED",
            )
            .default(Value::Null),
            Prop::new(
                "write_capacity",
                capacity(),
                "write capacity units; only with billing_mode PROVISIONED",
            )
            .default(Value::Null),
            Prop::new(
                "global_secondary_indexes",
                Type::List(Box::new(Type::Object(gsi_props()))),
                "global secondary indexes; with PROVISIONED billing each gets the table's capacity",
            )
            .default(json!([]))
            .check(check_gsis),
            Prop::new(
                "point_in_time_recovery",
                Type::Bool,
                "continuous backups, restorable to any second of the last 35 days",
            )
            .default(json!(false)),
            Prop::new(
                "ttl_attribute",
                Type::String,
                "the attribute holding each item's expiry time (epoch seconds); null: no TTL",
            )
            .default(Value::Null)
            .check(check_attribute_name),
            Prop::new(
                "deletion_protection",
                Type::Bool,
                "refuse DeleteTable from anyone (lakectl lifts it only for an approved delete)",
            )
            .default(json!(false)),
            tags_prop("tags on the table"),
        ],
        attributes: &["arn"],
        taggable: true,
        name_rule,
        name_max_len: NAME_MAX_LEN,
    }
}

fn key_type() -> Type {
    Type::Object(vec![
        Prop::new("name", Type::String, "the attribute name")
            .required()
            .check(check_attribute_name),
        Prop::new(
            "type",
            Type::Enum(KEY_TYPES),
            "S (string), N (number) or B (binary)",
        )
        .default(json!("S")),
    ])
}

fn capacity() -> Type {
    Type::Int {
        min: 1,
        max: 1_000_000,
    }
}

fn gsi_props() -> Vec<Prop> {
    vec![
        Prop::new("name", Type::String, "the index name").required(),
        Prop::new("partition_key", key_type(), "the index's partition key").required(),
        Prop::new("sort_key", key_type(), "the index's sort key; null: none").default(Value::Null),
        Prop::new(
            "projection",
            Type::Enum(PROJECTIONS),
            "which attributes the index copies: ALL, KEYS_ONLY, or INCLUDE (keys + non_key_attributes)",
        )
        .default(json!("ALL")),
        Prop::new(
            "non_key_attributes",
            Type::Set(Box::new(Type::String)),
            "with projection INCLUDE: the other attributes the index copies",
        )
        .default(json!([])),
    ]
}

/// DynamoDB's rule for table and index names: 3–255 characters of `[a-zA-Z0-9_.-]`.
///
/// # Errors
/// A message naming the rule that failed.
pub fn name_rule(name: &str) -> Result<(), String> {
    let len = name.chars().count();
    if len < NAME_MIN_LEN {
        return Err(format!(
            "`{name}` is {len} characters long; names need at least {NAME_MIN_LEN}"
        ));
    }
    if len > NAME_MAX_LEN {
        return Err(format!(
            "the name is {len} characters long; names may have at most {NAME_MAX_LEN}"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    {
        return Err(format!(
            "`{name}` contains `{c}`; names may only use letters, digits, `_`, `.` and `-`"
        ));
    }
    Ok(())
}

/// Attribute names: 1 to 255 bytes (DynamoDB's limit for key attributes).
fn check_attribute_name(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some("") => Err("an attribute name cannot be empty".into()),
        Some(s) if s.len() > 255 => Err(format!(
            "the attribute name is {} bytes long; at most 255",
            s.len()
        )),
        _ => Ok(()),
    }
}

fn check_gsis(v: &Value) -> Result<(), String> {
    let Some(items) = v.as_array() else {
        return Ok(());
    };
    if items.len() > MAX_GSIS {
        return Err(format!(
            "{} global secondary indexes; a table may have at most {MAX_GSIS}",
            items.len()
        ));
    }
    let mut seen = Vec::new();
    for gsi in items {
        let name = gsi.get("name").and_then(Value::as_str).unwrap_or_default();
        name_rule(name).map_err(|e| format!("index name: {e}"))?;
        if seen.contains(&name) {
            return Err(format!("index `{name}` is listed twice"));
        }
        seen.push(name);
        let projection = gsi
            .get("projection")
            .and_then(Value::as_str)
            .unwrap_or("ALL");
        let non_key = gsi
            .get("non_key_attributes")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        match (projection, non_key) {
            ("INCLUDE", 0) => {
                return Err(format!(
                    "index `{name}` has projection INCLUDE but no non_key_attributes; list them, or use ALL or KEYS_ONLY"
                ));
            }
            ("INCLUDE", _) | (_, 0) => {}
            (other, _) => {
                return Err(format!(
                    "index `{name}` lists non_key_attributes, which only projection INCLUDE uses (it has {other})"
                ));
            }
        }
    }
    Ok(())
}

/// DynamoDB's tag rules: keys 1–128 characters, values up to 256, no `aws:` prefix.
#[cfg(test)]
mod tests {
    use super::*;
    use lakectl_provider::testkit::assert_name_rule;

    #[test]
    fn name_rule_says_which_rule_failed() {
        let long = "a".repeat(256);
        let longest = "a".repeat(255);
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("plain", "lake-config", None),
            ("every allowed character", "Lake_config.v2-x", None),
            ("shortest allowed", "abc", None),
            ("longest allowed", &longest, None),
            ("too short", "ab", Some("at least 3")),
            ("too long", &long, Some("at most 255")),
            ("slash", "lake/config", Some("contains `/`")),
            ("space", "lake config", Some("contains ` `")),
            ("non-ascii", "läke", Some("contains `ä`")),
        ];
        assert_name_rule(name_rule, cases);
    }

    #[test]
    fn validation_catches_mistakes_before_any_aws_call() {
        let cases: &[(&str, Value, &[&str])] = &[
            (
                "minimal spec",
                json!({"partition_key": {"name": "pk"}}),
                &[],
            ),
            (
                "missing partition key",
                json!({}),
                &["missing required property `partition_key`"],
            ),
            (
                "bad key type",
                json!({"partition_key": {"name": "pk", "type": "X"}}),
                &["`X` is not one of S, N, B"],
            ),
            (
                "key without a name",
                json!({"partition_key": {"type": "N"}}),
                &["missing required property `name`"],
            ),
            (
                "empty key name",
                json!({"partition_key": {"name": ""}}),
                &["an attribute name cannot be empty"],
            ),
            (
                "capacity below one",
                json!({"partition_key": {"name": "pk"}, "read_capacity": 0}),
                &["expected a whole number from 1 to 1000000, found 0"],
            ),
            (
                "unknown billing mode",
                json!({"partition_key": {"name": "pk"}, "billing_mode": "ON_DEMAND"}),
                &["`ON_DEMAND` is not one of PAY_PER_REQUEST, PROVISIONED"],
            ),
            (
                "index name too short",
                json!({"partition_key": {"name": "pk"},
                       "global_secondary_indexes": [{"name": "ix", "partition_key": {"name": "g"}}]}),
                &["index name: `ix` is 2 characters long; names need at least 3"],
            ),
            (
                "index listed twice",
                json!({"partition_key": {"name": "pk"}, "global_secondary_indexes": [
                    {"name": "by-g", "partition_key": {"name": "g"}},
                    {"name": "by-g", "partition_key": {"name": "h"}}]}),
                &["index `by-g` is listed twice"],
            ),
            (
                "INCLUDE without attributes",
                json!({"partition_key": {"name": "pk"}, "global_secondary_indexes": [
                    {"name": "by-g", "partition_key": {"name": "g"}, "projection": "INCLUDE"}]}),
                &[
                    "index `by-g` has projection INCLUDE but no non_key_attributes; list them, or use ALL or KEYS_ONLY",
                ],
            ),
            (
                "attributes without INCLUDE",
                json!({"partition_key": {"name": "pk"}, "global_secondary_indexes": [
                    {"name": "by-g", "partition_key": {"name": "g"}, "non_key_attributes": ["a"]}]}),
                &[
                    "index `by-g` lists non_key_attributes, which only projection INCLUDE uses (it has ALL)",
                ],
            ),
            (
                "index without partition key",
                json!({"partition_key": {"name": "pk"},
                       "global_secondary_indexes": [{"name": "by-g"}]}),
                &["missing required property `partition_key`"],
            ),
            (
                "reserved tag prefix",
                json!({"partition_key": {"name": "pk"}, "tags": {"aws:x": "1"}}),
                &["tag key `aws:x`: the `aws:` prefix is reserved for AWS"],
            ),
            (
                "unknown property",
                json!({"partition_key": {"name": "pk"}, "ttl": "exp"}),
                &["unknown property `ttl`"],
            ),
        ];
        lakectl_provider::testkit::assert_validates(&schema(), cases);
    }

    #[test]
    fn defaults_mean_unset() {
        let mut spec = json!({"partition_key": {"name": "pk"},
            "global_secondary_indexes": [{"name": "by-g", "partition_key": {"name": "g"}}]});
        schema().apply_defaults(&mut spec);
        assert_eq!(
            spec,
            json!({
                "partition_key": {"name": "pk", "type": "S"},
                "sort_key": null,
                "billing_mode": "PAY_PER_REQUEST",
                "read_capacity": null,
                "write_capacity": null,
                "global_secondary_indexes": [{"name": "by-g", "partition_key": {"name": "g", "type": "S"},
                    "sort_key": null, "projection": "ALL", "non_key_attributes": []}],
                "point_in_time_recovery": false,
                "ttl_attribute": null,
                "deletion_protection": false,
                "tags": {}
            })
        );
    }
}
