//! The `cloudwatch.alarm` schema: a metric alarm, its threshold and its actions.
use lakectl_core::{Prop, Schema, Type};
use lakectl_provider::names::NameRule;
use lakectl_provider::tags::tags_prop;
use serde_json::{Value, json};

/// The kind this crate manages.
pub const KIND: &str = "cloudwatch.alarm";

/// The statistics an alarm can watch.
pub const STATISTICS: &[&str] = &["SampleCount", "Average", "Sum", "Minimum", "Maximum"];

/// How the statistic is compared with the threshold.
pub const COMPARISONS: &[&str] = &[
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
];

/// What a period without data counts as.
pub const MISSING_DATA: &[&str] = &["breaching", "notBreaching", "ignore", "missing"];

/// The schema of `cloudwatch.alarm`.
pub fn schema() -> Schema {
    let actions = |doc| {
        Prop::new("", Type::Set(Box::new(Type::String)), doc)
            .default(json!([]))
            .check(check_actions)
    };
    Schema {
        kind: KIND,
        description: "a CloudWatch metric alarm: metric, statistic, threshold, periods, actions",
        props: vec![
            Prop::new("name", Type::String, "the alarm name (set by the loader)").immutable(),
            Prop::new(
                "description",
                Type::String,
                "what the alarm means and what to do",
            )
            .default(Value::Null),
            Prop::new(
                "namespace",
                Type::String,
                "the metric's namespace, e.g. AWS/States",
            )
            .required(),
            Prop::new(
                "metric_name",
                Type::String,
                "the metric, e.g. ExecutionsFailed",
            )
            .required(),
            Prop::new(
                "dimensions",
                Type::Map(Box::new(Type::String)),
                "the metric's dimensions, e.g. StateMachineArn",
            )
            .default(json!({})),
            Prop::new(
                "statistic",
                Type::Enum(STATISTICS),
                "how the datapoints of a period combine",
            )
            .default(json!("Sum")),
            Prop::new(
                "period_seconds",
                Type::Int {
                    min: 10,
                    max: 86_400,
                },
                "the length of a period: 10, 30 or a multiple of 60",
            )
            .default(json!(300))
            .check(check_period),
            Prop::new(
                "evaluation_periods",
                Type::Int { min: 1, max: 1440 },
                "how many periods are compared",
            )
            .default(json!(1)),
            Prop::new(
                "datapoints_to_alarm",
                Type::Int { min: 1, max: 1440 },
                "how many of those periods must breach (M of N); null: all of them",
            )
            .default(Value::Null),
            Prop::new(
                "threshold",
                Type::Json,
                "the value the statistic is compared with (a number)",
            )
            .required()
            .check(check_threshold),
            Prop::new(
                "comparison_operator",
                Type::Enum(COMPARISONS),
                "how the statistic is compared with the threshold",
            )
            .default(json!("GreaterThanOrEqualToThreshold")),
            Prop::new(
                "treat_missing_data",
                Type::Enum(MISSING_DATA),
                "what a period without data counts as",
            )
            .default(json!("missing")),
            Prop {
                name: "alarm_actions",
                ..actions("SNS topic ARNs told when the alarm fires")
            },
            Prop {
                name: "ok_actions",
                ..actions("SNS topic ARNs told when it is OK again")
            },
            Prop::new(
                "actions_enabled",
                Type::Bool,
                "whether the actions are taken",
            )
            .default(json!(true)),
            tags_prop("tags on the alarm"),
        ],
        attributes: &["arn"],
        taggable: true,
        name_rule,
        name_max_len: 255,
    }
}

/// CloudWatch takes 1–255 printable characters; these stay readable in every console.
pub fn name_rule(name: &str) -> Result<(), String> {
    NameRule {
        noun: "alarm name",
        max: 255,
        symbols: "-_.:/ ",
    }
    .check(name)
}

fn check_period(v: &Value) -> Result<(), String> {
    match v.as_i64() {
        Some(p) if ![10, 20, 30].contains(&p) && p % 60 != 0 => Err(format!(
            "a period is 10, 20, 30 or a multiple of 60 seconds, not {p}; the closest is {}",
            ((p + 30) / 60).max(1) * 60
        )),
        _ => Ok(()),
    }
}

fn check_threshold(v: &Value) -> Result<(), String> {
    match v {
        Value::Number(_) => Ok(()),
        other => Err(format!("`threshold` is a number, not {other}")),
    }
}

fn check_actions(v: &Value) -> Result<(), String> {
    match v.as_array().and_then(|a| {
        a.iter()
            .filter_map(Value::as_str)
            .find(|a| !a.starts_with("arn:"))
    }) {
        Some(bad) => Err(format!(
            "`{bad}` is not an action ARN; give the topic's ARN, e.g. `${{alerts_topic.arn}}`"
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakectl_provider::testkit::assert_validates;

    #[test]
    fn alarms_are_checked_before_any_call() {
        let alarm = |extra: Value| {
            let mut s = json!({"namespace": "AWS/States", "metric_name": "ExecutionsFailed",
                               "threshold": 1});
            for (k, v) in extra.as_object().into_iter().flatten() {
                s[k] = v.clone();
            }
            s
        };
        assert_validates(
            &schema(),
            &[
                ("failed executions", alarm(json!({})), &[]),
                (
                    "a period AWS does not take",
                    alarm(json!({"period_seconds": 100})),
                    &["not 100; the closest is 120"],
                ),
                (
                    "a threshold as text",
                    alarm(json!({"threshold": "1"})),
                    &["is a number"],
                ),
                (
                    "a topic name for an action",
                    alarm(json!({"alarm_actions": ["alerts"]})),
                    &["not an action ARN"],
                ),
                (
                    "a statistic misspelt",
                    alarm(json!({"statistic": "sum"})),
                    &["`sum` is not one of"],
                ),
            ],
        );
    }
}
