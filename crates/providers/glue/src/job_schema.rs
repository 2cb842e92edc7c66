//! The `glue.job` schema: a Python shell or Spark job, its script, role and capacity.
use lakectl_core::{Prop, Schema, Type};
use lakectl_provider::names::NameRule;
use lakectl_provider::tags::tags_prop;
use serde_json::{Value, json};

/// The job kind.
pub const JOB: &str = "glue.job";

/// The job types: Python shell, Spark ETL, Spark streaming.
pub const COMMANDS: &[&str] = &["pythonshell", "glueetl", "gluestreaming"];

/// The Glue versions a job can run on.
pub const GLUE_VERSIONS: &[&str] = &["1.0", "2.0", "3.0", "4.0", "5.0"];

/// Spark worker types.
pub const WORKER_TYPES: &[&str] = &["G.025X", "G.1X", "G.2X", "G.4X", "G.8X", "Z.2X"];

/// The schema of `glue.job`.
pub fn job_schema() -> Schema {
    Schema {
        kind: JOB,
        description: "a Glue job: Python shell or Spark, its script, role, arguments and capacity",
        props: vec![
            Prop::new("name", Type::String, "the job name (set by the loader)").immutable(),
            Prop::new("description", Type::String, "what the job does").default(Value::Null),
            Prop::new("role", Type::String, "ARN of the role the job runs as")
                .required()
                .check(lakectl_provider::checks::role_arn),
            Prop::new(
                "command",
                Type::Object(vec![
                    Prop::new(
                        "name",
                        Type::Enum(COMMANDS),
                        "pythonshell, glueetl (Spark) or gluestreaming",
                    )
                    .required(),
                    Prop::new(
                        "script_location",
                        Type::String,
                        "the script: s3://bucket/key.py",
                    )
                    .required()
                    .check(check_script),
                    Prop::new(
                        "python_version",
                        Type::Enum(&["3", "3.9"]),
                        "3 (Spark), or 3.9 for a Python shell job",
                    )
                    .default(json!("3")),
                ]),
                "what the job runs",
            )
            .required(),
            Prop::new(
                "default_arguments",
                Type::Map(Box::new(Type::String)),
                "arguments every run gets (`--config_table`, `--extra-py-files`, ...)",
            )
            .default(json!({})),
            Prop::new(
                "glue_version",
                Type::Enum(GLUE_VERSIONS),
                "the Glue version the job runs on",
            )
            .required(),
            Prop::new(
                "max_capacity",
                Type::Json,
                "DPUs of a Python shell job: 0.0625 or 1; null for Spark jobs, which use workers",
            )
            .default(Value::Null)
            .check(check_capacity),
            Prop::new(
                "worker_type",
                Type::Enum(WORKER_TYPES),
                "the Spark worker type; null for a Python shell job",
            )
            .default(Value::Null),
            Prop::new(
                "number_of_workers",
                Type::Int { min: 1, max: 299 },
                "how many Spark workers; with worker_type",
            )
            .default(Value::Null),
            Prop::new(
                "timeout_minutes",
                Type::Int {
                    min: 1,
                    max: 10_080,
                },
                "a run is stopped after this many minutes",
            )
            .default(json!(2880)),
            Prop::new(
                "max_retries",
                Type::Int { min: 0, max: 10 },
                "how often Glue retries a failed run",
            )
            .default(json!(0)),
            Prop::new(
                "max_concurrent_runs",
                Type::Int { min: 1, max: 1000 },
                "how many runs may be in progress at once",
            )
            .default(json!(1)),
            tags_prop("tags on the job"),
        ],
        attributes: &["arn"],
        taggable: true,
        name_rule: job_name_rule,
        name_max_len: 255,
    }
}

/// Glue's rule for job names, kept to the characters every tool quotes safely.
pub fn job_name_rule(name: &str) -> Result<(), String> {
    glue_name("Glue job name", name)
}

/// The rule Glue's jobs, triggers and crawlers share, its messages naming `noun`.
pub(crate) fn glue_name(noun: &'static str, name: &str) -> Result<(), String> {
    NameRule {
        noun,
        max: 255,
        symbols: "-_.",
    }
    .check(name)
}

fn check_script(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if !s.starts_with("s3://") => Err(format!(
            "`{s}` is not an S3 location; write s3://bucket/key.py (a file of the stack becomes one with ${{asset:PATH}})"
        )),
        _ => Ok(()),
    }
}

fn check_capacity(v: &Value) -> Result<(), String> {
    match v {
        Value::Null => Ok(()),
        Value::Number(n) if n.as_f64().is_some_and(|c| c > 0.0 && c <= 100.0) => Ok(()),
        other => Err(format!(
            "`max_capacity` is a number of DPUs (0.0625 or 1 for a Python shell job), not {other}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakectl_provider::testkit::assert_validates;

    #[test]
    fn jobs_are_checked_before_any_call() {
        let job = |extra: Value| {
            let mut s = json!({"role": "arn:aws:iam::111122223333:role/ingest",
                "glue_version": "4.0",
                "command": {"name": "pythonshell", "script_location": "s3://assets/ingest.py",
                            "python_version": "3.9"},
                "max_capacity": 0.0625});
            for (k, v) in extra.as_object().into_iter().flatten() {
                s[k] = v.clone();
            }
            s
        };
        assert_validates(
            &job_schema(),
            &[
                ("a python shell job", job(json!({})), &[]),
                (
                    "a role name, not its ARN",
                    job(json!({"role": "ingest"})),
                    &["not a role ARN"],
                ),
                (
                    "a local script",
                    job(json!({"command": {"name": "glueetl", "script_location": "glue/x.py"}})),
                    &["not an S3 location"],
                ),
                (
                    "capacity as text",
                    job(json!({"max_capacity": "1"})),
                    &["a number of DPUs"],
                ),
                (
                    "an unknown worker type",
                    job(json!({"worker_type": "G.3X"})),
                    &["`G.3X` is not one of"],
                ),
                (
                    "no Glue version",
                    json!({"role": "arn:aws:iam::1:role/r",
                           "command": {"name": "glueetl", "script_location": "s3://a/b.py"}}),
                    &["missing required property `glue_version`"],
                ),
            ],
        );
    }
}
