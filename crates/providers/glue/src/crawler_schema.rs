//! The `glue.crawler` schema: which S3 paths a crawler reads, into which database, when, and
//! what it may do to the tables it finds changed or gone.
use crate::schema::database_name_rule;
use lakectl_core::{Prop, Schema, Type};
use lakectl_provider::tags::tags_prop;
use serde_json::{Value, json};

/// The crawler kind.
pub const CRAWLER: &str = "glue.crawler";

/// What a crawler does to a table whose structure changed.
pub const UPDATE_BEHAVIORS: &[&str] = &["UPDATE_IN_DATABASE", "LOG"];

/// What a crawler does to a table whose data is gone.
pub const DELETE_BEHAVIORS: &[&str] = &["DEPRECATE_IN_DATABASE", "DELETE_FROM_DATABASE", "LOG"];

/// The schema of `glue.crawler`.
pub fn crawler_schema() -> Schema {
    Schema {
        kind: CRAWLER,
        description: "a Glue crawler: S3 paths catalogued into a database, on a schedule, with a schema-change policy",
        props: vec![
            Prop::new("name", Type::String, "the crawler name (set by the loader)").immutable(),
            Prop::new("description", Type::String, "what the crawler catalogues and why")
                .default(Value::Null),
            Prop::new("role", Type::String, "ARN of the role the crawler reads S3 as")
                .required()
                .check(lakectl_provider::checks::role_arn),
            Prop::new(
                "database",
                Type::String,
                "the catalog database its tables go to",
            )
            .required()
            .check(check_database),
            Prop::new(
                "s3_targets",
                Type::Keyed {
                    key: "path",
                    props: vec![
                        Prop::new("path", Type::String, "s3://bucket/prefix/ to crawl")
                            .required()
                            .check(check_path),
                        Prop::new(
                            "exclusions",
                            Type::List(Box::new(Type::String)),
                            "glob patterns under the path to leave out (`**.tmp`)",
                        )
                        .default(json!([])),
                    ],
                },
                "the S3 paths it crawls",
            )
            .required()
            .check(check_targets),
            Prop::new(
                "schedule",
                Type::String,
                "a cron expression, `cron(0 2 * * ? *)` (UTC); null: run by hand",
            )
            .default(Value::Null)
            .check(crate::trigger_schema::check_schedule),
            Prop::new(
                "table_prefix",
                Type::String,
                "put before the name of every table it creates",
            )
            .default(json!("")),
            Prop::new(
                "schema_change_policy",
                Type::Object(vec![
                    Prop::new(
                        "update_behavior",
                        Type::Enum(UPDATE_BEHAVIORS),
                        "a changed structure: change the table, or only log it",
                    )
                    .default(json!("UPDATE_IN_DATABASE")),
                    Prop::new(
                        "delete_behavior",
                        Type::Enum(DELETE_BEHAVIORS),
                        "data gone: mark the table deprecated, delete it, or only log it",
                    )
                    .default(json!("DEPRECATE_IN_DATABASE")),
                ]),
                "what it may do to tables it finds changed or gone",
            )
            .default(json!({})),
            Prop::new(
                "recrawl",
                Type::Enum(&["CRAWL_EVERYTHING", "CRAWL_NEW_FOLDERS_ONLY"]),
                "every run reads everything, or only folders added since the last run",
            )
            .default(json!("CRAWL_EVERYTHING")),
            Prop::new(
                "configuration",
                Type::Json,
                "Glue's crawler configuration document (`{Version: 1.0, Grouping: ...}`); null: none",
            )
            .default(Value::Null)
            .check(check_configuration),
            tags_prop("tags on the crawler"),
        ],
        attributes: &["arn"],
        taggable: true,
        name_rule: crawler_name_rule,
        name_max_len: 255,
    }
}

/// Glue's rule for crawler names: the same characters as a job's.
pub fn crawler_name_rule(name: &str) -> Result<(), String> {
    crate::job_schema::glue_name("Glue crawler name", name)
}

fn check_database(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if !s.contains("${") => database_name_rule(s),
        _ => Ok(()),
    }
}

fn check_path(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if !s.starts_with("s3://") && !s.starts_with("${") => Err(format!(
            "`{s}` is not an S3 location; write s3://bucket/prefix/"
        )),
        _ => Ok(()),
    }
}

fn check_targets(v: &Value) -> Result<(), String> {
    match v.as_array() {
        Some(a) if a.is_empty() => Err("a crawler crawls at least one S3 path".into()),
        _ => Ok(()),
    }
}

/// The document Glue takes as a JSON string: a mapping that says its version.
fn check_configuration(v: &Value) -> Result<(), String> {
    match v {
        Value::Null => Ok(()),
        Value::Object(m) if m.contains_key("Version") => Ok(()),
        Value::Object(_) => Err("a crawler configuration says its `Version` (1.0)".into()),
        other => Err(format!(
            "a crawler configuration is a mapping (`{{Version: 1.0, ...}}`), not {}",
            lakectl_core::schema::json_type(other)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakectl_provider::testkit::assert_validates;

    #[test]
    fn crawlers_are_checked_before_any_call() {
        let crawler = |extra: Value| {
            let mut s = json!({"role": "arn:aws:iam::111122223333:role/crawler",
                               "database": "mycompany_acme_dev",
                               "s3_targets": [{"path": "s3://mycompany-acme-dev-datalake/quarantine/"}]});
            for (k, v) in extra.as_object().into_iter().flatten() {
                s[k] = v.clone();
            }
            s
        };
        assert_validates(
            &crawler_schema(),
            &[
                (
                    "a nightly crawler",
                    crawler(json!({"schedule": "cron(0 2 * * ? *)"})),
                    &[],
                ),
                (
                    "a local path",
                    crawler(json!({"s3_targets": [{"path": "quarantine/"}]})),
                    &["not an S3 location"],
                ),
                (
                    "no paths",
                    crawler(json!({"s3_targets": []})),
                    &["at least one S3 path"],
                ),
                (
                    "an EventBridge rate",
                    crawler(json!({"schedule": "rate(1 day)"})),
                    &["Glue schedules take cron expressions only"],
                ),
                (
                    "a database Athena cannot query",
                    crawler(json!({"database": "Acme-Dev"})),
                    &["Glue database name"],
                ),
                (
                    "configuration as text",
                    crawler(json!({"configuration": "{\"Version\": 1.0}"})),
                    &["is a mapping"],
                ),
                (
                    "an unknown delete behaviour",
                    crawler(json!({"schema_change_policy": {"delete_behavior": "DROP"}})),
                    &["`DROP` is not one of"],
                ),
            ],
        );
    }
}
