//! Small kind schemas shaped like the real s3.bucket, dynamodb.table and iam.role: name rules,
//! required properties, enums, nested objects, maps and attributes, without the provider crates.

use lakectl_core::{Prop, Schema, Type};
use serde_json::{Value, json};

fn bucket_name(n: &str) -> Result<(), String> {
    if !(3..=63).contains(&n.len()) {
        return Err(format!(
            "a bucket name has 3 to 63 characters, this one has {}",
            n.len()
        ));
    }
    if !n
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
    {
        return Err("a bucket name uses only lower-case letters, digits, `-` and `.`".into());
    }
    Ok(())
}

fn table_name(n: &str) -> Result<(), String> {
    if !(3..=255).contains(&n.len()) {
        return Err(format!(
            "a table name has 3 to 255 characters, this one has {}",
            n.len()
        ));
    }
    if !n
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err("a table name uses only letters, digits, `_`, `-` and `.`".into());
    }
    Ok(())
}

fn role_name(n: &str) -> Result<(), String> {
    if !(1..=64).contains(&n.len()) {
        return Err(format!(
            "a role name has 1 to 64 characters, this one has {}",
            n.len()
        ));
    }
    if !n
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
    {
        return Err("a role name uses only letters, digits and `+=,.@_-`".into());
    }
    Ok(())
}

fn attribute_name(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if s.contains(' ') => {
            Err(format!("`{s}` is not an attribute name: it has a space"))
        }
        _ => Ok(()),
    }
}

/// The three test kinds.
pub fn schemas() -> Vec<Schema> {
    let key = || {
        Type::Object(vec![
            Prop::new("name", Type::String, "the key attribute").required(),
            Prop::new("type", Type::Enum(&["S", "N", "B"]), "its type").required(),
        ])
    };
    vec![
        Schema {
            kind: "s3.bucket",
            description: "a bucket",
            props: vec![
                Prop::new("name", Type::String, "the bucket name").immutable(),
                Prop::new("versioning", Type::Bool, "keep old versions").default(json!(false)),
                Prop::new(
                    "encryption",
                    Type::Object(vec![
                        Prop::new("algorithm", Type::Enum(&["SSE-S3", "aws:kms"]), "how")
                            .default(json!("SSE-S3")),
                    ]),
                    "default encryption",
                )
                .default(json!({})),
                Prop::new(
                    "expiration_days",
                    Type::Int { min: 1, max: 3650 },
                    "expire objects",
                ),
                Prop::new("tags", Type::Map(Box::new(Type::String)), "tags").default(json!({})),
            ],
            attributes: &["arn"],
            taggable: true,
            name_rule: bucket_name,
            name_max_len: 63,
        },
        Schema {
            kind: "dynamodb.table",
            description: "a table",
            props: vec![
                Prop::new("name", Type::String, "the table name").immutable(),
                Prop::new("partition_key", key(), "the partition key")
                    .required()
                    .immutable(),
                Prop::new("sort_key", key(), "the sort key").immutable(),
                Prop::new(
                    "billing_mode",
                    Type::Enum(&["PAY_PER_REQUEST", "PROVISIONED"]),
                    "billing",
                )
                .default(json!("PAY_PER_REQUEST")),
                Prop::new("ttl_attribute", Type::String, "expiry attribute").check(attribute_name),
            ],
            attributes: &["arn", "stream_arn"],
            taggable: true,
            name_rule: table_name,
            name_max_len: 255,
        },
        Schema {
            kind: "iam.role",
            description: "a role",
            props: vec![
                Prop::new("name", Type::String, "the role name").immutable(),
                Prop::new("assume_role_policy", Type::Json, "who may assume it").required(),
                Prop::new(
                    "inline_policies",
                    Type::Map(Box::new(Type::Json)),
                    "policies",
                )
                .default(json!({})),
                Prop::new(
                    "managed_policy_arns",
                    Type::Set(Box::new(Type::String)),
                    "managed policies",
                ),
                Prop::new(
                    "max_session_seconds",
                    Type::Int {
                        min: 3600,
                        max: 43200,
                    },
                    "session length",
                )
                .default(json!(3600)),
            ],
            attributes: &["arn", "role_id"],
            taggable: true,
            name_rule: role_name,
            name_max_len: 64,
        },
    ]
}
