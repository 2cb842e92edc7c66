//! The `events.rule` schema: an EventBridge rule, by pattern or schedule, and its targets.
use lakectl_core::{Prop, Schema, Type};
use lakectl_provider::names::NameRule;
use lakectl_provider::tags::tags_prop;
use serde_json::{Value, json};

/// The kind this crate manages.
pub const KIND: &str = "events.rule";

/// The schema of `events.rule`.
pub fn schema() -> Schema {
    Schema {
        kind: KIND,
        description: "an EventBridge rule: an event pattern or a schedule, and its targets",
        props: vec![
            Prop::new("name", Type::String, "the rule name (set by the loader)").immutable(),
            Prop::new("description", Type::String, "what the rule starts and why")
                .default(Value::Null),
            Prop::new(
                "event_pattern",
                Type::Json,
                "the events that match (null for a schedule)",
            )
            .default(Value::Null)
            .check(check_pattern),
            Prop::new(
                "schedule_expression",
                Type::String,
                "`rate(7 minutes)` or `cron(...)` (null for a pattern)",
            )
            .default(Value::Null)
            .check(check_schedule),
            Prop::new(
                "state",
                Type::Enum(&["ENABLED", "DISABLED"]),
                "whether it fires",
            )
            .default(json!("ENABLED")),
            Prop::new(
                "targets",
                Type::Keyed {
                    key: "id",
                    props: vec![
                        Prop::new("id", Type::String, "the target's id within the rule").required(),
                        Prop::new(
                            "arn",
                            Type::String,
                            "what is started or told: a state machine's or an SNS topic's ARN",
                        )
                        .required(),
                        Prop::new(
                            "role_arn",
                            Type::String,
                            "the role EventBridge uses to start it",
                        )
                        .default(Value::Null),
                        Prop::new("input", Type::Json, "a fixed input instead of the event")
                            .default(Value::Null),
                        Prop::new(
                            "input_transformer",
                            Type::Object(vec![
                                Prop::new(
                                    "input_paths",
                                    Type::Map(Box::new(Type::String)),
                                    "names for parts of the event: `bucket: $.detail.bucket.name`",
                                )
                                .default(json!({})),
                                Prop::new(
                                    "input_template",
                                    Type::String,
                                    "the input, with <name> where a part goes",
                                )
                                .required(),
                            ]),
                            "an input built from parts of the event",
                        )
                        .default(Value::Null),
                    ],
                },
                "what the rule starts, by id",
            )
            .default(json!([])),
            tags_prop("tags on the rule"),
        ],
        attributes: &["arn"],
        taggable: true,
        name_rule,
        name_max_len: 64,
    }
}

/// EventBridge's rule: 1–64 letters, digits, `.`, `-` and `_`.
pub fn name_rule(name: &str) -> Result<(), String> {
    NameRule {
        noun: "rule name",
        max: 64,
        symbols: ".-_",
    }
    .check(name)
}

/// A matcher's operand keeps its JSON type: EventBridge rejects `{"exists": "false"}` and
/// matches `"5.5"` differently from `5.5` (EVB-3), so a quoted boolean is refused here.
fn matcher(item: &Value, path: &str) -> Result<(), String> {
    match item.get("exists") {
        Some(Value::Bool(_)) | None => Ok(()),
        Some(other) => Err(format!(
            "`{}` in the event pattern has `exists: {other}`; `exists` takes true or false, unquoted",
            path.trim_start_matches('.')
        )),
    }
}

/// A pattern is a mapping whose leaves are lists of values or of matchers.
fn check_pattern(v: &Value) -> Result<(), String> {
    fn leaves(v: &Value, path: &str) -> Result<(), String> {
        match v {
            Value::Object(m) if !m.is_empty() => m
                .iter()
                .try_for_each(|(k, x)| leaves(x, &format!("{path}.{k}"))),
            Value::Array(items) => items.iter().try_for_each(|i| matcher(i, path)),
            other => Err(format!(
                "`{}` in the event pattern is {other}; a pattern's values are lists: `[\"Object Created\"]`",
                path.trim_start_matches('.')
            )),
        }
    }
    match v {
        Value::Null => Ok(()),
        Value::Object(_) => leaves(v, ""),
        other => Err(format!("an event pattern is a mapping, not {other}")),
    }
}

/// `rate(N unit)` with the unit singular for 1 and plural otherwise, or `cron(6 fields)`.
fn check_schedule(v: &Value) -> Result<(), String> {
    let Some(s) = v.as_str() else { return Ok(()) };
    if let Some(inner) = s.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')) {
        let (n, unit) = inner.split_once(' ').unwrap_or((inner, ""));
        let n: u64 = n.parse().map_err(|_| {
            format!("`{s}`: a rate is a whole number and a unit, `rate(7 minutes)`")
        })?;
        let want = match (n, unit.trim_end_matches('s')) {
            (0, _) => return Err(format!("`{s}`: a rate is at least 1")),
            (1, u @ ("minute" | "hour" | "day")) => u.to_string(),
            (_, u @ ("minute" | "hour" | "day")) => format!("{u}s"),
            _ => return Err(format!("`{s}`: the unit is minutes, hours or days")),
        };
        return match unit == want {
            true => Ok(()),
            false => Err(format!("`{s}`: write `rate({n} {want})`")),
        };
    }
    if let Some(inner) = s.strip_prefix("cron(").and_then(|r| r.strip_suffix(')')) {
        return match inner.split_whitespace().count() {
            6 => Ok(()),
            n => Err(format!(
                "`{s}` has {n} fields; EventBridge's cron has 6: minutes hours day-of-month month day-of-week year"
            )),
        };
    }
    Err(format!("`{s}` is neither `rate(...)` nor `cron(...)`"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakectl_provider::testkit::assert_validates;

    #[test]
    fn patterns_and_schedules_are_checked_before_any_call() {
        assert_validates(
            &schema(),
            &[
                (
                    "new raw objects",
                    json!({"event_pattern": {"source": ["aws.s3"], "detail-type": ["Object Created"],
                           "detail": {"object": {"key": [{"prefix": "raw/"}]}}}}),
                    &[],
                ),
                (
                    "every 7 minutes",
                    json!({"schedule_expression": "rate(7 minutes)"}),
                    &[],
                ),
                (
                    "every minute",
                    json!({"schedule_expression": "rate(1 minute)"}),
                    &[],
                ),
                (
                    "nightly",
                    json!({"schedule_expression": "cron(0 2 * * ? *)"}),
                    &[],
                ),
                (
                    "a plural the emulator accepts and AWS does not",
                    json!({"schedule_expression": "rate(7 minute)"}),
                    &["write `rate(7 minutes)`"],
                ),
                (
                    "five cron fields",
                    json!({"schedule_expression": "cron(0 2 * * ?)"}),
                    &["has 5 fields"],
                ),
                (
                    "a pattern value that is not a list",
                    json!({"event_pattern": {"source": "aws.s3"}}),
                    &["`source` in the event pattern"],
                ),
                (
                    "exists as text (EVB-3: EventBridge refuses it)",
                    json!({"event_pattern": {"detail": {"error": [{"exists": "false"}]}}}),
                    &["`detail.error` in the event pattern has `exists: \"false\"`"],
                ),
                (
                    "exists and numbers keep their types",
                    json!({"event_pattern": {"detail": {"error": [{"exists": false}],
                           "severity": [{"numeric": [">", 5.5]}]}}}),
                    &[],
                ),
                (
                    "a target twice",
                    json!({"targets": [{"id": "a", "arn": "arn:x"}, {"id": "a", "arn": "arn:y"}]}),
                    &["listed twice"],
                ),
            ],
        );
    }
}
