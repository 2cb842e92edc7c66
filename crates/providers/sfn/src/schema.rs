//! The `sfn.state_machine` schema: the definition, role, type, logging, tracing and tags, and
//! the checks that catch a broken definition before any call.
use lakectl_core::{Prop, Schema, Type};
use lakectl_provider::names::NameRule;
use lakectl_provider::tags::tags_prop;
use serde_json::{Value, json};

/// The kind this crate manages.
pub const KIND: &str = "sfn.state_machine";

/// The log levels of a state machine's execution history in CloudWatch Logs.
pub const LOG_LEVELS: &[&str] = &["OFF", "ERROR", "FATAL", "ALL"];

/// The schema of `sfn.state_machine`.
pub fn schema() -> Schema {
    Schema {
        kind: KIND,
        description: "a Step Functions state machine: definition, role, logging, tracing, tags",
        props: vec![
            Prop::new(
                "name",
                Type::String,
                "the state machine name (set by the loader)",
            )
            .immutable(),
            Prop::new(
                "definition",
                Type::Json,
                "the Amazon States Language definition, usually `${file:sfn/NAME.asl.json}`",
            )
            .required()
            .early_check(check_definition),
            Prop::new(
                "role_arn",
                Type::String,
                "ARN of the role executions run as",
            )
            .required()
            .check(lakectl_provider::checks::role_arn),
            Prop::new(
                "type",
                Type::Enum(&["STANDARD", "EXPRESS"]),
                "STANDARD (durable, up to a year) or EXPRESS (high volume, up to 5 minutes)",
            )
            .default(json!("STANDARD"))
            .immutable(),
            Prop::new(
                "logging",
                Type::Object(vec![
                    Prop::new("level", Type::Enum(LOG_LEVELS), "OFF, ERROR, FATAL or ALL")
                        .default(json!("OFF")),
                    Prop::new(
                        "include_execution_data",
                        Type::Bool,
                        "log each state's input and output too",
                    )
                    .default(json!(false)),
                    Prop::new(
                        "log_group_arn",
                        Type::String,
                        "the log group, `${LOG_GROUP.arn}:*`; null with level OFF",
                    )
                    .default(Value::Null)
                    .check(check_log_group),
                ]),
                "where execution history is logged",
            )
            .default(json!({})),
            Prop::new("tracing", Type::Bool, "X-Ray tracing of executions").default(json!(false)),
            tags_prop("tags on the state machine"),
        ],
        attributes: &["arn"],
        taggable: true,
        name_rule,
        name_max_len: 80,
    }
}

/// Step Functions' rule: 1–80 letters, digits, `-` and `_`.
pub fn name_rule(name: &str) -> Result<(), String> {
    NameRule {
        noun: "state machine name",
        max: 80,
        symbols: "-_",
    }
    .check(name)
}

fn check_log_group(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(a) if !a.ends_with(":*") => Err(format!(
            "Step Functions takes a log group ARN ending in `:*`; write `{a}:*`"
        )),
        _ => Ok(()),
    }
}

/// The shape every definition needs, checked before references are resolved (they do not
/// change it): `StartAt` names a state, and every `Next` and `Default` names one too.
fn check_definition(v: &Value) -> Result<(), String> {
    let Some(states) = v.get("States").and_then(Value::as_object) else {
        return Err("a definition needs `States`, a mapping of state names to states".into());
    };
    let start = v
        .get("StartAt")
        .and_then(Value::as_str)
        .ok_or("a definition needs `StartAt`, the name of the first state")?;
    let known = |name: &str, what: &str| match states.contains_key(name) {
        true => Ok(()),
        false => Err(format!(
            "{what} `{name}` is not a state of this definition; states: {}",
            states.keys().cloned().collect::<Vec<_>>().join(", ")
        )),
    };
    known(start, "`StartAt` names")?;
    let mut targets = Vec::new();
    collect_targets(v, &mut targets);
    for t in targets {
        known(t, "a `Next` or `Default` names")?;
    }
    Ok(())
}

/// Every `Next` and `Default` in a definition, choices and catchers included; a `Map` or
/// `Parallel` branch has states of its own, checked as a definition of its own.
fn collect_targets<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    let Some(states) = v.get("States").and_then(Value::as_object) else {
        return;
    };
    fn walk<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    match (k.as_str(), x) {
                        ("Next" | "Default", Value::String(s)) => out.push(s),
                        ("Iterator" | "ItemProcessor" | "Branches", _) => {}
                        _ => walk(x, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    for state in states.values() {
        walk(state, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakectl_provider::testkit::assert_validates;

    #[test]
    fn broken_definitions_are_found_before_any_call() {
        let sm = |definition: Value| json!({"role_arn": "arn:aws:iam::1:role/r", "definition": definition});
        assert_validates(
            &schema(),
            &[
                (
                    "a pass state",
                    sm(json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}})),
                    &[],
                ),
                (
                    "references are fine",
                    sm(json!({"StartAt": "A", "States": {"A": {"Type": "Task",
                        "Resource": "arn:aws:states:::glue:startJobRun",
                        "Parameters": {"JobName": "${ingest_job.name}"}, "End": true}}})),
                    &[],
                ),
                (
                    "no States",
                    sm(json!({"StartAt": "A"})),
                    &["needs `States`"],
                ),
                (
                    "StartAt names nothing",
                    sm(json!({"StartAt": "B", "States": {"A": {"Type": "Pass", "End": true}}})),
                    &["`StartAt` names `B`"],
                ),
                (
                    "a choice to nowhere",
                    sm(json!({"StartAt": "A", "States": {"A": {"Type": "Choice",
                        "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "Gone"}],
                        "Default": "A"}}})),
                    &["`Gone` is not a state"],
                ),
                (
                    "a log group without :*",
                    json!({"role_arn": "arn:aws:iam::1:role/r",
                           "definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
                           "logging": {"level": "ALL",
                                       "log_group_arn": "arn:aws:logs:us-east-1:1:log-group:/sfn/x"}}),
                    &["ending in `:*`"],
                ),
                (
                    "a role name",
                    json!({"role_arn": "orchestrator",
                           "definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}}),
                    &["not a role ARN"],
                ),
            ],
        );
    }
}
