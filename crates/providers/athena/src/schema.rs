//! The `athena.workgroup` schema: where query results go, how they are encrypted, and how
//! much one query may scan.
use lakectl_core::{Prop, Schema, Type};
use lakectl_provider::names::NameRule;
use lakectl_provider::tags::tags_prop;
use serde_json::{Value, json};

/// The kind this crate manages.
pub const KIND: &str = "athena.workgroup";

/// The smallest per-query scan cutoff Athena accepts: 10 MB.
pub const MIN_CUTOFF_BYTES: i64 = 10 * 1024 * 1024;

/// The schema of `athena.workgroup`.
pub fn schema() -> Schema {
    Schema {
        kind: KIND,
        description: "an Athena workgroup: result location and encryption, enforced settings, scan cutoff",
        props: vec![
            Prop::new(
                "name",
                Type::String,
                "the workgroup name (set by the loader)",
            )
            .immutable(),
            Prop::new("description", Type::String, "who queries here").default(Value::Null),
            Prop::new(
                "state",
                Type::Enum(&["ENABLED", "DISABLED"]),
                "whether queries may run",
            )
            .default(json!("ENABLED")),
            Prop::new(
                "result_location",
                Type::String,
                "where results go: s3://bucket/prefix/",
            )
            .default(Value::Null)
            .check(check_location),
            Prop::new(
                "result_encryption",
                Type::Enum(&["SSE_S3", "SSE_KMS", "CSE_KMS"]),
                "how results are encrypted; null: not at all",
            )
            .default(Value::Null),
            Prop::new(
                "kms_key",
                Type::String,
                "the KMS key, with SSE_KMS or CSE_KMS",
            )
            .default(Value::Null),
            Prop::new(
                "enforce_workgroup_configuration",
                Type::Bool,
                "queries cannot override these settings",
            )
            .default(json!(true)),
            Prop::new(
                "publish_cloudwatch_metrics",
                Type::Bool,
                "publish query metrics to CloudWatch",
            )
            .default(json!(true)),
            Prop::new(
                "bytes_scanned_cutoff_per_query",
                Type::Int {
                    min: MIN_CUTOFF_BYTES,
                    max: i64::MAX,
                },
                "a query that would scan more is cancelled (at least 10 MB); null: no limit",
            )
            .default(Value::Null),
            tags_prop("tags on the workgroup"),
        ],
        attributes: &["arn"],
        taggable: true,
        name_rule,
        name_max_len: 128,
    }
}

/// Athena's rule: 1–128 letters, digits, `.`, `_` and `-`; `primary` is Athena's own.
pub fn name_rule(name: &str) -> Result<(), String> {
    if name == "primary" {
        return Err("`primary` is the workgroup Athena makes itself; name the lake's own".into());
    }
    NameRule {
        noun: "workgroup name",
        max: 128,
        symbols: "._-",
    }
    .check(name)
}

fn check_location(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(l) if !(l.starts_with("s3://") && l.ends_with('/')) => Err(format!(
            "`{l}` is not an S3 prefix; write s3://bucket/prefix/ (with the closing `/`)"
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakectl_provider::testkit::{assert_name_rule, assert_validates};

    #[test]
    fn workgroups_are_checked_before_any_call() {
        assert_name_rule(
            name_rule,
            &[
                ("the lake's", "mycompany-dev-analysts", None),
                ("Athena's own", "primary", Some("Athena makes itself")),
                ("a space", "my group", Some("has ` `")),
            ],
        );
        assert_validates(
            &schema(),
            &[
                (
                    "results and a cutoff",
                    json!({"result_location": "s3://results/athena/",
                           "bytes_scanned_cutoff_per_query": 10_737_418_240_i64}),
                    &[],
                ),
                (
                    "a cutoff under 10 MB",
                    json!({"bytes_scanned_cutoff_per_query": 1000}),
                    &["from 10485760"],
                ),
                (
                    "a location without its closing slash",
                    json!({"result_location": "s3://results/athena"}),
                    &["with the closing `/`"],
                ),
            ],
        );
    }
}
