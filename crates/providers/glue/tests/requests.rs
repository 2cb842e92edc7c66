//! The exact requests of paths the emulator cannot answer, asserted with aws-smithy-mocks:
//! moto answers Glue's UpdateJob, UpdateTrigger and UpdateCrawler with HTTP 500.

use aws_sdk_glue::Client;
use aws_sdk_glue::operation::get_table::GetTableOutput;
use aws_sdk_glue::operation::start_trigger::StartTriggerOutput;
use aws_sdk_glue::operation::tag_resource::TagResourceOutput;
use aws_sdk_glue::operation::update_crawler::UpdateCrawlerOutput;
use aws_sdk_glue::operation::update_job::UpdateJobOutput;
use aws_sdk_glue::operation::update_table::UpdateTableOutput;
use aws_sdk_glue::operation::update_trigger::UpdateTriggerOutput;
use aws_sdk_glue::types::WorkerType;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use lakectl_core::Provider;
use lakectl_provider::testkit::{test_account, update_between};
use lakectl_provider_glue::{CrawlerProvider, JobProvider, TableProvider, TriggerProvider};
use serde_json::{Value, json};

const JOB: &str = "mycompany-dev-ingest-spark";
const ROLE: &str = "arn:aws:iam::123456789012:role/mycompany-dev-glue-ingest";

fn spark(workers: i64, tags: Value) -> Value {
    json!({"name": JOB, "description": null, "role": ROLE,
           "command": {"name": "glueetl", "script_location": "s3://assets/ingest_spark.py",
                       "python_version": "3"},
           "default_arguments": {"--config_table": "mycompany-dev-config"},
           "glue_version": "4.0", "max_capacity": null, "worker_type": "G.1X",
           "number_of_workers": workers, "timeout_minutes": 120, "max_retries": 0,
           "max_concurrent_runs": 10, "tags": tags})
}

#[tokio::test]
async fn a_capacity_change_sends_the_whole_definition_once_and_no_tag_call() {
    let update = mock!(Client::update_job)
        .match_requests(|r| {
            let u = r.job_update().expect("a job update");
            r.job_name() == Some(JOB)
                && u.role() == Some(ROLE)
                && u.number_of_workers() == Some(5)
                && u.worker_type() == Some(&WorkerType::G1X)
                && u.max_capacity().is_none()
                && u.glue_version() == Some("4.0")
                && u.timeout() == Some(120)
                && u.max_retries() == 0
                && u.execution_property().map(|e| e.max_concurrent_runs()) == Some(10)
                && u.command().and_then(|c| c.script_location())
                    == Some("s3://assets/ingest_spark.py")
                && u.default_arguments().and_then(|a| a.get("--config_table"))
                    == Some(&"mycompany-dev-config".to_string())
        })
        .then_output(|| UpdateJobOutput::builder().job_name(JOB).build());
    let tag = mock!(Client::tag_resource).then_output(|| TagResourceOutput::builder().build());
    let client = mock_client!(aws_sdk_glue, RuleMode::MatchAny, [&update, &tag]);
    let p = JobProvider::from_client(client, &test_account());

    let tags = json!({"team": "data"});
    p.update(&update_between(
        &p,
        "ingest_spark_job",
        JOB,
        &spark(2, tags.clone()),
        &spark(5, tags),
    ))
    .await
    .expect("updated");
    assert_eq!((update.num_calls(), tag.num_calls()), (1, 0));
}

#[tokio::test]
async fn a_tag_change_is_a_tag_call_and_leaves_the_definition_alone() {
    let update = mock!(Client::update_job).then_output(|| UpdateJobOutput::builder().build());
    let tag = mock!(Client::tag_resource)
        .match_requests(|r| {
            r.resource_arn()
                == Some("arn:aws:glue:us-east-1:123456789012:job/mycompany-dev-ingest-spark")
                && r.tags_to_add().and_then(|t| t.get("team")) == Some(&"platform".to_string())
        })
        .then_output(|| TagResourceOutput::builder().build());
    let client = mock_client!(aws_sdk_glue, RuleMode::MatchAny, [&update, &tag]);
    let p = JobProvider::from_client(client, &test_account());

    p.update(&update_between(
        &p,
        "ingest_spark_job",
        JOB,
        &spark(2, json!({"team": "data"})),
        &spark(2, json!({"team": "platform"})),
    ))
    .await
    .expect("tagged");
    assert_eq!((update.num_calls(), tag.num_calls()), (0, 1));
}

const TRIGGER: &str = "mycompany-dev-api-acme";

fn schedule(cron: &str, enabled: bool, dataset: &str) -> Value {
    json!({"name": TRIGGER, "description": "the events API of acme",
           "start": {"type": "SCHEDULED", "schedule": cron, "logical": "AND",
                     "conditions": [], "enabled": enabled},
           "actions": [{"job_name": "mycompany-dev-api-ingest",
                        "arguments": {"--dataset": dataset,
                                      "--target_uri": "s3://mycompany-acme-dev-datalake"},
                        "timeout_minutes": null}],
           "tags": {"team": "data"}})
}

#[tokio::test]
async fn a_new_schedule_sends_the_whole_definition_and_leaves_the_trigger_running() {
    let update = mock!(Client::update_trigger)
        .match_requests(|r| {
            let u = r.trigger_update().expect("a trigger update");
            let action = u.actions().first();
            r.name() == Some(TRIGGER)
                && u.schedule() == Some("cron(0/5 * * * ? *)")
                && u.description() == Some("the events API of acme")
                && u.predicate().is_none()
                && u.actions().len() == 1
                && action.and_then(|a| a.job_name()) == Some("mycompany-dev-api-ingest")
                && action
                    .and_then(|a| a.arguments())
                    .and_then(|a| a.get("--dataset"))
                    == Some(&"orders".to_string())
        })
        .then_output(|| UpdateTriggerOutput::builder().build());
    let start = mock!(Client::start_trigger).then_output(|| StartTriggerOutput::builder().build());
    let client = mock_client!(aws_sdk_glue, RuleMode::MatchAny, [&update, &start]);
    let p = TriggerProvider::from_client(client, &test_account());

    p.update(&update_between(
        &p,
        "api_schedule",
        TRIGGER,
        &schedule("cron(0/15 * * * ? *)", true, "events"),
        &schedule("cron(0/5 * * * ? *)", true, "orders"),
    ))
    .await
    .expect("updated");
    assert_eq!((update.num_calls(), start.num_calls()), (1, 0));
}

#[tokio::test]
async fn switching_a_trigger_on_is_a_start_and_no_update() {
    let update =
        mock!(Client::update_trigger).then_output(|| UpdateTriggerOutput::builder().build());
    let start = mock!(Client::start_trigger)
        .match_requests(|r| r.name() == Some(TRIGGER))
        .then_output(|| StartTriggerOutput::builder().build());
    let client = mock_client!(aws_sdk_glue, RuleMode::MatchAny, [&update, &start]);
    let p = TriggerProvider::from_client(client, &test_account());

    p.update(&update_between(
        &p,
        "api_schedule",
        TRIGGER,
        &schedule("cron(0/15 * * * ? *)", false, "events"),
        &schedule("cron(0/15 * * * ? *)", true, "events"),
    ))
    .await
    .expect("started");
    assert_eq!((update.num_calls(), start.num_calls()), (0, 1));
}

const CRAWLER: &str = "mycompany-dev-quarantine";

fn crawler(schedule: Value, configuration: Value, tags: Value) -> Value {
    json!({"name": CRAWLER, "description": null,
           "role": "arn:aws:iam::123456789012:role/mycompany-dev-crawler",
           "database": "mycompany_acme_dev",
           "s3_targets": [{"path": "s3://mycompany-acme-dev-datalake/quarantine/", "exclusions": []}],
           "schedule": schedule, "table_prefix": "",
           "schema_change_policy": {"update_behavior": "LOG", "delete_behavior": "LOG"},
           "recrawl": "CRAWL_EVERYTHING", "configuration": configuration, "tags": tags})
}

#[tokio::test]
async fn removing_a_crawlers_schedule_and_configuration_sends_the_whole_definition_without_them() {
    let update = mock!(Client::update_crawler)
        .match_requests(|r| {
            let policy = r.schema_change_policy();
            r.name() == Some(CRAWLER)
                && r.schedule() == Some("")
                && r.configuration() == Some(r#"{"Version":1.0}"#)
                && r.database_name() == Some("mycompany_acme_dev")
                && r.role() == Some("arn:aws:iam::123456789012:role/mycompany-dev-crawler")
                && r.targets().map(|t| t.s3_targets().len()) == Some(1)
                && policy.and_then(|p| p.update_behavior()).map(|b| b.as_str()) == Some("LOG")
                && policy.and_then(|p| p.delete_behavior()).map(|b| b.as_str()) == Some("LOG")
        })
        .then_output(|| UpdateCrawlerOutput::builder().build());
    let tag = mock!(Client::tag_resource).then_output(|| TagResourceOutput::builder().build());
    let client = mock_client!(aws_sdk_glue, RuleMode::MatchAny, [&update, &tag]);
    let p = CrawlerProvider::from_client(client, &test_account());

    let tags = json!({"team": "data"});
    p.update(&update_between(
        &p,
        "quarantine_crawler",
        CRAWLER,
        &crawler(
            json!("cron(0 2 * * ? *)"),
            json!({"Version": 1.0, "Grouping": {}}),
            tags.clone(),
        ),
        &crawler(Value::Null, Value::Null, tags),
    ))
    .await
    .expect("updated");
    assert_eq!((update.num_calls(), tag.num_calls()), (1, 0));
}

#[tokio::test]
async fn a_crawlers_tag_change_leaves_its_definition_alone() {
    let update =
        mock!(Client::update_crawler).then_output(|| UpdateCrawlerOutput::builder().build());
    let tag = mock!(Client::tag_resource)
        .match_requests(|r| {
            r.resource_arn()
                == Some("arn:aws:glue:us-east-1:123456789012:crawler/mycompany-dev-quarantine")
        })
        .then_output(|| TagResourceOutput::builder().build());
    let client = mock_client!(aws_sdk_glue, RuleMode::MatchAny, [&update, &tag]);
    let p = CrawlerProvider::from_client(client, &test_account());

    p.update(&update_between(
        &p,
        "quarantine_crawler",
        CRAWLER,
        &crawler(Value::Null, Value::Null, json!({"team": "data"})),
        &crawler(Value::Null, Value::Null, json!({"team": "platform"})),
    ))
    .await
    .expect("tagged");
    assert_eq!((update.num_calls(), tag.num_calls()), (0, 1));
}

#[tokio::test]
async fn a_table_update_keeps_the_parameters_the_services_wrote() {
    // GLT-5: UpdateTable replaces the parameters whole; what a crawler or Athena wrote
    // (statistics, compressionType) must survive an update of the columns.
    let get = mock!(Client::get_table).then_output(|| {
        GetTableOutput::builder()
            .table(
                aws_sdk_glue::types::Table::builder()
                    .name("orders")
                    .parameters("classification", "parquet")
                    .parameters("compressionType", "none")
                    .parameters("recordCount", "5")
                    .build()
                    .expect("a table"),
            )
            .build()
    });
    let update = mock!(Client::update_table)
        .match_requests(|r| {
            let input = r.table_input().expect("a table input");
            let p = input.parameters().expect("parameters");
            r.database_name() == Some("mycompany_acme_dev")
                && p.get("classification").map(String::as_str) == Some("parquet")
                && p.get("compressionType").map(String::as_str) == Some("none")
                && p.get("recordCount").map(String::as_str) == Some("5")
                && input.storage_descriptor().map(|sd| sd.columns().len()) == Some(2)
        })
        .then_output(|| UpdateTableOutput::builder().build());
    let client = mock_client!(aws_sdk_glue, RuleMode::MatchAny, [&get, &update]);
    let p = TableProvider::from_client(client, &test_account());

    let table = |columns: Value| {
        json!({"name": "mycompany_acme_dev.orders", "description": null, "format": "parquet",
               "location": "s3://mycompany-acme-dev-datalake/analytics/orders/",
               "columns": columns, "partition_keys": [],
               "parameters": {"classification": "parquet"}, "serde_parameters": {}})
    };
    p.update(&update_between(
        &p,
        "orders_table",
        "mycompany_acme_dev.orders",
        &table(json!([{"name": "id", "type": "bigint", "comment": null}])),
        &table(json!([{"name": "id", "type": "bigint", "comment": null},
                      {"name": "amount", "type": "decimal(10,2)", "comment": null}])),
    ))
    .await
    .expect("updated");
    assert_eq!((get.num_calls(), update.num_calls()), (1, 1));
}

#[test]
fn a_column_type_rewritten_by_a_crawler_or_the_console_is_no_change() {
    let p = TableProvider::from_client(
        mock_client!(aws_sdk_glue, RuleMode::MatchAny, []),
        &test_account(),
    );
    let table = |t: &str| {
        let mut s = json!({"name": "db.t", "format": "parquet",
                           "columns": [{"name": "payload", "type": t, "comment": null}]});
        p.schema().apply_defaults(&mut s);
        p.normalize(&mut s);
        s
    };
    let written = table("struct<a:string,b:int>");
    assert_eq!(written, table("STRUCT<a: STRING, b: INT>"));
    assert_ne!(
        written,
        table("struct<a:string,b:bigint>"),
        "a real retype stays one"
    );
}
