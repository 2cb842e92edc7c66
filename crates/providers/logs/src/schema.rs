//! The `logs.log_group` schema: properties, defaults meaning "unset", and the naming rule.

use lakectl_core::{Prop, Schema, Type};
use lakectl_provider::names::NameRule;
use lakectl_provider::tags::tags_prop;
use serde_json::Value;

/// The kind this crate manages.
pub const KIND: &str = "logs.log_group";

/// The longest log group name CloudWatch Logs accepts.
pub const NAME_MAX_LEN: usize = 512;

/// The retention periods CloudWatch Logs accepts, in days.
pub const RETENTION_DAYS: &[i64] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// The schema of `logs.log_group`.
pub fn schema() -> Schema {
    Schema {
        kind: KIND,
        description: "a CloudWatch Logs log group: retention, KMS key, tags",
        props: vec![
            Prop::new(
                "name",
                Type::String,
                "the log group name (set by the loader)",
            )
            .immutable(),
            Prop::new(
                "retention_in_days",
                Type::Int { min: 1, max: 3653 },
                "days to keep log events, one of CloudWatch's periods; null: forever",
            )
            .default(Value::Null)
            .check(check_retention),
            Prop::new(
                "kms_key_id",
                Type::String,
                "ARN of the KMS key that encrypts the log events; null: CloudWatch's own",
            )
            .default(Value::Null)
            .check(check_key),
            tags_prop("tags on the log group"),
        ],
        attributes: &["arn"],
        taggable: true,
        name_rule,
        name_max_len: NAME_MAX_LEN,
    }
}

/// CloudWatch Logs' rule: 1–512 characters of letters, digits and `._-/#`.
pub fn name_rule(name: &str) -> Result<(), String> {
    NameRule {
        noun: "log group name",
        max: NAME_MAX_LEN,
        symbols: "._-/#",
    }
    .check(name)
}

fn check_retention(v: &Value) -> Result<(), String> {
    match v.as_i64() {
        Some(days) if !RETENTION_DAYS.contains(&days) => {
            let closest = RETENTION_DAYS
                .iter()
                .min_by_key(|d| d.abs_diff(days))
                .copied()
                .unwrap_or(1);
            Err(format!(
                "CloudWatch Logs keeps events for one of {} days, not {days}; the closest is {closest}",
                RETENTION_DAYS
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }
        _ => Ok(()),
    }
}

fn check_key(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(k) if !(k.starts_with("arn:") && k.contains(":kms:")) => Err(format!(
            "`{k}` is not a KMS key ARN; CloudWatch Logs takes arn:aws:kms:<region>:<account>:key/<id>, not an alias or a bare id"
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakectl_provider::testkit::{assert_name_rule, assert_validates};
    use serde_json::json;

    #[test]
    fn names_follow_cloudwatchs_rule() {
        let long = "a".repeat(513);
        assert_name_rule(
            name_rule,
            &[
                (
                    "a glue job's group",
                    "/aws-glue/jobs/mycompany-dev-ingest",
                    None,
                ),
                ("every allowed symbol", "a.b_c-d/e#f", None),
                ("empty", "", Some("1 to 512")),
                ("too long", &long, Some("has 513")),
                ("no spaces", "my logs", Some("has ` `")),
            ],
        );
    }

    #[test]
    fn only_cloudwatchs_retention_periods_and_key_arns_pass() {
        assert_validates(
            &schema(),
            &[
                ("unset", json!({}), &[]),
                ("a period", json!({"retention_in_days": 14}), &[]),
                ("ten years", json!({"retention_in_days": 3653}), &[]),
                (
                    "not a period (moto accepts it, AWS does not)",
                    json!({"retention_in_days": 8}),
                    &["not 8; the closest is 7"],
                ),
                (
                    "out of range",
                    json!({"retention_in_days": 0}),
                    &["from 1 to 3653"],
                ),
                (
                    "a key ARN",
                    json!({"kms_key_id": "arn:aws:kms:eu-west-1:111122223333:key/1234"}),
                    &[],
                ),
                (
                    "an alias",
                    json!({"kms_key_id": "alias/logs"}),
                    &["not a KMS key ARN"],
                ),
                (
                    "a reserved tag",
                    json!({"tags": {"aws:x": "1"}}),
                    &["reserved for AWS"],
                ),
            ],
        );
    }
}
