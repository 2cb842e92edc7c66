//! The `glue.trigger` schema: what starts which jobs — a schedule, other jobs' outcomes, or a
//! hand — and with which arguments.
use crate::job_schema::glue_name;
use lakectl_core::{Prop, Schema, Type};
use lakectl_provider::tags::tags_prop;
use serde_json::{Value, json};

/// The trigger kind.
pub const TRIGGER: &str = "glue.trigger";

/// How a trigger fires, in Glue's words.
pub const TRIGGER_TYPES: &[&str] = &["SCHEDULED", "CONDITIONAL", "ON_DEMAND"];

/// The job outcomes a conditional trigger can wait for.
pub const JOB_STATES: &[&str] = &["SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED"];

/// The schema of `glue.trigger`.
pub fn trigger_schema() -> Schema {
    Schema {
        kind: TRIGGER,
        description: "a Glue trigger: a schedule or other jobs' outcomes that start jobs with arguments",
        props: vec![
            Prop::new("name", Type::String, "the trigger name (set by the loader)").immutable(),
            Prop::new("description", Type::String, "what the trigger starts and why")
                .default(Value::Null),
            Prop::new(
                "start",
                Type::Object(vec![
                    Prop::new(
                        "type",
                        Type::Enum(TRIGGER_TYPES),
                        "SCHEDULED (schedule), CONDITIONAL (conditions) or ON_DEMAND (by hand); changing it replaces the trigger",
                    )
                    .required()
                    .immutable(),
                    Prop::new(
                        "schedule",
                        Type::String,
                        "SCHEDULED: a cron expression, `cron(0/15 * * * ? *)` (UTC)",
                    )
                    .default(Value::Null)
                    .check(check_schedule),
                    Prop::new(
                        "logical",
                        Type::Enum(&["AND", "ANY"]),
                        "CONDITIONAL: all conditions (AND) or any of them",
                    )
                    .default(json!("AND")),
                    Prop::new(
                        "conditions",
                        Type::Keyed {
                            key: "job_name",
                            props: vec![
                                Prop::new("job_name", Type::String, "the job whose run is watched")
                                    .required(),
                                Prop::new(
                                    "state",
                                    Type::Enum(JOB_STATES),
                                    "the outcome that fires the trigger",
                                )
                                .default(json!("SUCCEEDED")),
                            ],
                        },
                        "CONDITIONAL: the job outcomes that fire it",
                    )
                    .default(json!([])),
                    Prop::new(
                        "enabled",
                        Type::Bool,
                        "SCHEDULED and CONDITIONAL: whether it fires (false: kept, stopped)",
                    )
                    .default(json!(true)),
                ]),
                "what fires the trigger",
            )
            .required()
            .check(check_start),
            Prop::new(
                "actions",
                Type::Keyed {
                    key: "job_name",
                    props: vec![
                        Prop::new("job_name", Type::String, "the job to start").required(),
                        Prop::new(
                            "arguments",
                            Type::Map(Box::new(Type::String)),
                            "arguments of the run, on top of the job's default arguments",
                        )
                        .default(json!({})),
                        Prop::new(
                            "timeout_minutes",
                            Type::Int {
                                min: 1,
                                max: 10_080,
                            },
                            "this run's timeout; null: the job's",
                        )
                        .default(Value::Null),
                    ],
                },
                "the jobs it starts",
            )
            .required()
            .check(check_actions),
            tags_prop("tags on the trigger"),
        ],
        attributes: &["arn"],
        taggable: true,
        name_rule: trigger_name_rule,
        name_max_len: 255,
    }
}

/// Glue's rule for trigger names: the same characters as a job's.
pub fn trigger_name_rule(name: &str) -> Result<(), String> {
    glue_name("Glue trigger name", name)
}

/// `cron(` six fields `)`: the only schedule Glue triggers and crawlers take.
pub(crate) fn check_schedule(v: &Value) -> Result<(), String> {
    let Some(s) = v.as_str() else { return Ok(()) };
    if s.starts_with("rate(") {
        return Err(format!(
            "`{s}`: Glue schedules take cron expressions only; write e.g. `cron(0/15 * * * ? *)` (rate() is for events.rule)"
        ));
    }
    let fields = s
        .strip_prefix("cron(")
        .and_then(|r| r.strip_suffix(')'))
        .map(|f| f.split_whitespace().count());
    match fields {
        Some(6) => Ok(()),
        Some(n) => Err(format!(
            "`{s}` has {n} fields; a Glue cron expression has 6: minutes hours day-of-month month day-of-week year, e.g. `cron(0/15 * * * ? *)`"
        )),
        None => Err(format!(
            "`{s}` is not a cron expression; write `cron(minutes hours day-of-month month day-of-week year)`, e.g. `cron(0/15 * * * ? *)`"
        )),
    }
}

/// Each type with exactly what it needs: a schedule, conditions, or neither.
fn check_start(v: &Value) -> Result<(), String> {
    let ty = v.get("type").and_then(Value::as_str).unwrap_or_default();
    let given = |k: &str| v.get(k).is_some_and(|x| !x.is_null());
    let conditions = v
        .get("conditions")
        .and_then(Value::as_array)
        .is_some_and(|c| !c.is_empty());
    match ty {
        "SCHEDULED" if !given("schedule") => {
            Err("a SCHEDULED trigger needs `schedule: cron(...)`".into())
        }
        "CONDITIONAL" if !conditions => {
            Err("a CONDITIONAL trigger needs `conditions:`, the job outcomes that fire it".into())
        }
        "SCHEDULED" | "ON_DEMAND" if conditions || given("logical") => Err(format!(
            "`conditions` and `logical` belong to CONDITIONAL triggers, not {ty}"
        )),
        "CONDITIONAL" | "ON_DEMAND" if given("schedule") => Err(format!(
            "`schedule` belongs to SCHEDULED triggers, not {ty}"
        )),
        "ON_DEMAND" if given("enabled") => {
            Err("an ON_DEMAND trigger fires only when started by hand: it has no `enabled`".into())
        }
        _ => Ok(()),
    }
}

fn check_actions(v: &Value) -> Result<(), String> {
    match v.as_array() {
        Some(a) if a.is_empty() => Err("a trigger starts at least one job".into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakectl_provider::testkit::assert_validates;

    #[test]
    fn triggers_are_checked_before_any_call() {
        let trigger = |start: Value| {
            json!({"start": start,
                   "actions": [{"job_name": "mycompany-dev-api-ingest",
                                "arguments": {"--dataset": "events"}}]})
        };
        let every_15 = json!({"type": "SCHEDULED", "schedule": "cron(0/15 * * * ? *)"});
        assert_validates(
            &trigger_schema(),
            &[
                ("a schedule", trigger(every_15.clone()), &[]),
                (
                    "after another job",
                    trigger(json!({"type": "CONDITIONAL",
                                   "conditions": [{"job_name": "ingest", "state": "FAILED"}]})),
                    &[],
                ),
                ("by hand", trigger(json!({"type": "ON_DEMAND"})), &[]),
                (
                    "an EventBridge rate",
                    trigger(json!({"type": "SCHEDULED", "schedule": "rate(7 minutes)"})),
                    &["Glue schedules take cron expressions only"],
                ),
                (
                    "five cron fields",
                    trigger(json!({"type": "SCHEDULED", "schedule": "cron(0/15 * * * ?)"})),
                    &["has 5 fields"],
                ),
                (
                    "scheduled without a schedule",
                    trigger(json!({"type": "SCHEDULED"})),
                    &["needs `schedule: cron(...)`"],
                ),
                (
                    "conditional without conditions",
                    trigger(json!({"type": "CONDITIONAL"})),
                    &["needs `conditions:`"],
                ),
                (
                    "a schedule on a conditional trigger",
                    trigger(
                        json!({"type": "CONDITIONAL", "schedule": "cron(0 * * * ? *)",
                                   "conditions": [{"job_name": "ingest"}]}),
                    ),
                    &["`schedule` belongs to SCHEDULED triggers"],
                ),
                (
                    "an on-demand trigger switched off",
                    trigger(json!({"type": "ON_DEMAND", "enabled": false})),
                    &["has no `enabled`"],
                ),
                (
                    "no jobs",
                    json!({"start": every_15, "actions": []}),
                    &["starts at least one job"],
                ),
            ],
        );
    }
}
