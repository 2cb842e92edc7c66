//! The provider contract against the emulator (needs AWS_ENDPOINT_URL; `scripts/test` sets it).

use async_trait::async_trait;
use aws_sdk_glue::Client;
use aws_sdk_glue::types::{Column, DatabaseInput, TableInput};
use lakectl_provider::testkit::contract::{self, Subject};
use lakectl_provider::testkit::{emulator, unique};
use lakectl_provider_glue::{
    CrawlerProvider, DatabaseProvider, JobProvider, TableProvider, TriggerProvider, crawler_arn,
    database_arn, job_arn, trigger_arn,
};
use serde_json::{Value, json};
use std::sync::Arc;

/// A fresh catalog name: letters, digits and `_` only.
fn catalog_name(prefix: &str) -> String {
    unique(prefix).replace('-', "_")
}

/// `spec` with `key` set to `value`.
fn with(spec: &Value, key: &str, value: Value) -> Value {
    let mut s = spec.clone();
    s[key] = value;
    s
}

struct Databases {
    raw: Client,
    account: lakectl_provider::AccountContext,
}

#[async_trait]
impl Subject for Databases {
    fn prefix(&self) -> &'static str {
        "lakectl_test_db"
    }

    fn fresh_name(&self) -> String {
        catalog_name(self.prefix())
    }

    fn full_spec(&self, name: &str) -> Value {
        json!({"name": name, "description": "the lake's tables",
               "location_uri": "s3://lakectl-test-lake/analytics/",
               "parameters": {"owner": "data-platform"}, "tags": {"team": "data"}})
    }

    fn updates(&self, name: &str) -> Vec<(&'static str, Value)> {
        let full = self.full_spec(name);
        let described = with(&full, "description", json!("all customers' tables"));
        let moved = with(
            &described,
            "location_uri",
            json!("s3://lakectl-test-lake/tables/"),
        );
        let params = with(
            &moved,
            "parameters",
            json!({"owner": "ingest", "tier": "gold"}),
        );
        let tagged = with(
            &params,
            "tags",
            json!({"team": "platform", "cost-center": "42"}),
        );
        vec![
            ("description changed", described),
            ("location moved", moved),
            ("a parameter changed and one added", params),
            ("a tag changed and one added", tagged),
        ]
    }

    async fn drift(&self, name: &str) -> Vec<String> {
        let input = DatabaseInput::builder()
            .name(name)
            .description("changed by hand")
            .location_uri("s3://lakectl-test-lake/tables/")
            .parameters("owner", "ingest")
            .parameters("tier", "gold")
            .build()
            .expect("a database input");
        self.raw
            .update_database()
            .name(name)
            .database_input(input)
            .send()
            .await
            .expect("out-of-band description");
        self.raw
            .tag_resource()
            .resource_arn(database_arn(&self.account, name))
            .tags_to_add("added-by-hand", "yes")
            .send()
            .await
            .expect("out-of-band tag");
        vec!["description".into(), "tags.added-by-hand".into()]
    }

    async fn create_foreign(&self, name: &str) {
        self.raw
            .create_database()
            .database_input(DatabaseInput::builder().name(name).build().expect("input"))
            .send()
            .await
            .expect("someone else's database");
    }
}

#[tokio::test]
async fn databases_keep_the_provider_contract() {
    let emu = emulator("lakectl-provider-glue").await;
    let subject = Databases {
        raw: Client::new(&emu.config),
        account: emu.account.clone(),
    };
    contract::run(
        Arc::new(DatabaseProvider::new(&emu.config, &emu.account)),
        &subject,
    )
    .await;
}

struct Tables {
    raw: Client,
    database: String,
}

impl Tables {
    fn column(name: &str, t: &str) -> Column {
        Column::builder()
            .name(name)
            .r#type(t)
            .build()
            .expect("a column")
    }
}

#[async_trait]
impl Subject for Tables {
    fn prefix(&self) -> &'static str {
        "orders"
    }

    fn fresh_name(&self) -> String {
        format!("{}.{}", self.database, catalog_name(self.prefix()))
    }

    fn full_spec(&self, name: &str) -> Value {
        json!({"name": name, "description": "orders as landed", "format": "csv",
               "location": "s3://lakectl-test-lake/raw/orders/",
               "columns": [
                   {"name": "order_id", "type": "bigint", "comment": "the shop's id"},
                   {"name": "amount", "type": "decimal(10,2)"},
                   {"name": "note", "type": "string"}],
               "partition_keys": [{"name": "year", "type": "string"},
                                  {"name": "month", "type": "string"}],
               "parameters": {"classification": "csv", "skip.header.line.count": "1"},
               "serde_parameters": {"field.delim": ","}})
    }

    fn updates(&self, name: &str) -> Vec<(&'static str, Value)> {
        let full = self.full_spec(name);
        let retyped = with(
            &full,
            "columns",
            json!([{"name": "order_id", "type": "bigint", "comment": "the shop's id"},
                   {"name": "amount", "type": "decimal(12,2)"},
                   {"name": "note", "type": "string"}]),
        );
        let added_removed = with(
            &retyped,
            "columns",
            json!([{"name": "order_id", "type": "bigint", "comment": "the shop's id"},
                   {"name": "amount", "type": "decimal(12,2)"},
                   {"name": "currency", "type": "string"}]),
        );
        let described = with(&added_removed, "description", json!("orders, validated"));
        let tabs = with(&described, "serde_parameters", json!({"field.delim": "\t"}));
        let params = with(&tabs, "parameters", json!({"classification": "csv"}));
        let parquet = with(
            &with(&params, "format", json!("parquet")),
            "serde_parameters",
            json!({}),
        );
        let moved = with(
            &parquet,
            "location",
            json!("s3://lakectl-test-lake/analytics/orders/"),
        );
        vec![
            ("a column retyped", retyped),
            ("a column added and one removed", added_removed),
            ("description changed", described),
            ("tab-separated", tabs),
            ("the header parameter removed", params),
            ("stored as Parquet", parquet),
            ("location moved", moved),
        ]
    }

    async fn drift(&self, name: &str) -> Vec<String> {
        let (database, table) = name.split_once('.').expect("DATABASE.TABLE");
        let live = self
            .raw
            .get_table()
            .database_name(database)
            .name(table)
            .send()
            .await
            .expect("the table")
            .table
            .expect("a table");
        let mut sd = live
            .storage_descriptor
            .clone()
            .expect("a storage descriptor");
        let mut columns = sd.columns.clone().unwrap_or_default();
        columns[0] = Self::column("order_id", "string");
        sd.columns = Some(columns);
        let input = TableInput::builder()
            .name(table)
            .set_description(live.description.clone())
            .set_table_type(live.table_type.clone())
            .set_parameters(live.parameters.clone())
            .set_partition_keys(live.partition_keys.clone())
            .storage_descriptor(sd)
            .build()
            .expect("a table input");
        self.raw
            .update_table()
            .database_name(database)
            .table_input(input)
            .send()
            .await
            .expect("out-of-band retype");
        vec![
            "columns[order_id].type".into(),
            "columns[order_id].comment".into(),
        ]
    }

    async fn create_foreign(&self, name: &str) {
        let (database, table) = name.split_once('.').expect("DATABASE.TABLE");
        self.raw
            .create_table()
            .database_name(database)
            .table_input(TableInput::builder().name(table).build().expect("input"))
            .send()
            .await
            .expect("someone else's table");
    }
}

#[tokio::test]
async fn tables_keep_the_provider_contract() {
    let emu = emulator("lakectl-provider-glue").await;
    let raw = Client::new(&emu.config);
    let database = catalog_name("lakectl_test_tables");
    raw.create_database()
        .database_input(
            DatabaseInput::builder()
                .name(&database)
                .build()
                .expect("input"),
        )
        .send()
        .await
        .expect("the tables' database");
    let subject = Tables {
        raw: raw.clone(),
        database: database.clone(),
    };
    contract::run(
        Arc::new(TableProvider::new(&emu.config, &emu.account)),
        &subject,
    )
    .await;
    raw.delete_database()
        .name(&database)
        .send()
        .await
        .expect("the tables' database removed");
}

struct Jobs {
    raw: Client,
    account: lakectl_provider::AccountContext,
}

#[async_trait]
impl Subject for Jobs {
    fn prefix(&self) -> &'static str {
        "lakectl-test-ingest"
    }

    fn full_spec(&self, name: &str) -> Value {
        json!({"name": name, "description": "raw CSV to Parquet",
               "role": format!("arn:aws:iam::{}:role/lakectl-test-glue", self.account.account_id),
               "command": {"name": "pythonshell",
                           "script_location": "s3://lakectl-test-assets/glue/ingest.py",
                           "python_version": "3.9"},
               "default_arguments": {"--config_table": "lake-config", "library-set": "analytics"},
               "glue_version": "4.0", "max_capacity": 0.0625, "timeout_minutes": 60,
               "max_retries": 1, "max_concurrent_runs": 5, "tags": {"team": "data"}})
    }

    fn updates(&self, name: &str) -> Vec<(&'static str, Value)> {
        let tagged = with(
            &self.full_spec(name),
            "tags",
            json!({"team": "platform", "cost-center": "42"}),
        );
        vec![("a tag changed and one added", tagged)]
    }

    fn not_updated(&self) -> Vec<(&'static str, &'static str)> {
        let why = "moto answers UpdateJob with HTTP 500; tests/requests.rs asserts the request";
        [
            "description",
            "role",
            "command",
            "default_arguments",
            "glue_version",
            "max_capacity",
            "worker_type",
            "number_of_workers",
            "timeout_minutes",
            "max_retries",
            "max_concurrent_runs",
        ]
        .into_iter()
        .map(|p| (p, why))
        .collect()
    }

    async fn drift(&self, name: &str) -> Vec<String> {
        self.raw
            .tag_resource()
            .resource_arn(job_arn(&self.account, name))
            .tags_to_add("added-by-hand", "yes")
            .send()
            .await
            .expect("out-of-band tag");
        vec!["tags.added-by-hand".into()]
    }

    async fn create_foreign(&self, name: &str) {
        self.raw
            .create_job()
            .name(name)
            .role(format!(
                "arn:aws:iam::{}:role/someone",
                self.account.account_id
            ))
            .command(
                aws_sdk_glue::types::JobCommand::builder()
                    .name("glueetl")
                    .script_location("s3://someone/job.py")
                    .build(),
            )
            .send()
            .await
            .expect("someone else's job");
    }
}

#[tokio::test]
async fn jobs_keep_the_provider_contract() {
    let emu = emulator("lakectl-provider-glue").await;
    let subject = Jobs {
        raw: Client::new(&emu.config),
        account: emu.account.clone(),
    };
    contract::run(
        Arc::new(JobProvider::new(&emu.config, &emu.account)),
        &subject,
    )
    .await;
}

struct Triggers {
    raw: Client,
    account: lakectl_provider::AccountContext,
}

#[async_trait]
impl Subject for Triggers {
    fn prefix(&self) -> &'static str {
        "lakectl-test-schedule"
    }

    fn full_spec(&self, name: &str) -> Value {
        json!({"name": name, "description": "one API window every 15 minutes",
               "start": {"type": "SCHEDULED", "schedule": "cron(0/15 * * * ? *)"},
               "actions": [{"job_name": "lakectl-test-api-ingest",
                            "arguments": {"--dataset": "events",
                                          "--target_uri": "s3://lakectl-test-acme"},
                            "timeout_minutes": 10}],
               "tags": {"team": "data"}})
    }

    fn updates(&self, name: &str) -> Vec<(&'static str, Value)> {
        let full = self.full_spec(name);
        let mut stopped = full.clone();
        stopped["start"]["enabled"] = json!(false);
        let tagged = with(
            &stopped,
            "tags",
            json!({"team": "platform", "cost-center": "42"}),
        );
        vec![
            ("switched off", stopped),
            ("a tag changed and one added", tagged),
        ]
    }

    fn not_updated(&self) -> Vec<(&'static str, &'static str)> {
        let why = "moto answers UpdateTrigger with HTTP 500; tests/requests.rs asserts the request";
        vec![("description", why), ("actions", why)]
    }

    async fn drift(&self, name: &str) -> Vec<String> {
        self.raw
            .start_trigger()
            .name(name)
            .send()
            .await
            .expect("started by hand");
        self.raw
            .tag_resource()
            .resource_arn(trigger_arn(&self.account, name))
            .tags_to_add("added-by-hand", "yes")
            .send()
            .await
            .expect("out-of-band tag");
        vec!["start.enabled".into(), "tags.added-by-hand".into()]
    }

    async fn create_foreign(&self, name: &str) {
        self.raw
            .create_trigger()
            .name(name)
            .r#type(aws_sdk_glue::types::TriggerType::OnDemand)
            .actions(
                aws_sdk_glue::types::Action::builder()
                    .job_name("someone-elses-job")
                    .build(),
            )
            .send()
            .await
            .expect("someone else's trigger");
    }
}

#[tokio::test]
async fn triggers_keep_the_provider_contract() {
    let emu = emulator("lakectl-provider-glue").await;
    let subject = Triggers {
        raw: Client::new(&emu.config),
        account: emu.account.clone(),
    };
    contract::run(
        Arc::new(TriggerProvider::new(&emu.config, &emu.account)),
        &subject,
    )
    .await;
}

struct Crawlers {
    raw: Client,
    account: lakectl_provider::AccountContext,
}

#[async_trait]
impl Subject for Crawlers {
    fn prefix(&self) -> &'static str {
        "lakectl-test-crawler"
    }

    fn full_spec(&self, name: &str) -> Value {
        json!({"name": name, "description": "what the ingest quarantined, for a look in Athena",
               "role": format!("arn:aws:iam::{}:role/lakectl-test-crawler", self.account.account_id),
               "database": "lakectl_test_quarantine",
               "s3_targets": [{"path": "s3://lakectl-test-acme/quarantine/", "exclusions": ["**.tmp"]}],
               "schedule": "cron(0 2 * * ? *)", "table_prefix": "q_",
               "schema_change_policy": {"update_behavior": "LOG", "delete_behavior": "LOG"},
               "recrawl": "CRAWL_NEW_FOLDERS_ONLY",
               "configuration": {"Version": 1.0,
                                 "Grouping": {"TableGroupingPolicy": "CombineCompatibleSchemas"}},
               "tags": {"team": "data"}})
    }

    fn updates(&self, name: &str) -> Vec<(&'static str, Value)> {
        let tagged = with(
            &self.full_spec(name),
            "tags",
            json!({"team": "platform", "cost-center": "42"}),
        );
        vec![("a tag changed and one added", tagged)]
    }

    fn not_updated(&self) -> Vec<(&'static str, &'static str)> {
        let why = "moto answers UpdateCrawler with HTTP 500; tests/requests.rs asserts the request";
        [
            "description",
            "role",
            "database",
            "s3_targets",
            "schedule",
            "table_prefix",
            "schema_change_policy",
            "recrawl",
            "configuration",
        ]
        .into_iter()
        .map(|p| (p, why))
        .collect()
    }

    async fn drift(&self, name: &str) -> Vec<String> {
        self.raw
            .tag_resource()
            .resource_arn(crawler_arn(&self.account, name))
            .tags_to_add("added-by-hand", "yes")
            .send()
            .await
            .expect("out-of-band tag");
        vec!["tags.added-by-hand".into()]
    }

    async fn create_foreign(&self, name: &str) {
        self.raw
            .create_crawler()
            .name(name)
            .role(format!(
                "arn:aws:iam::{}:role/someone",
                self.account.account_id
            ))
            .targets(
                aws_sdk_glue::types::CrawlerTargets::builder()
                    .s3_targets(
                        aws_sdk_glue::types::S3Target::builder()
                            .path("s3://someone/data/")
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("someone else's crawler");
    }
}

#[tokio::test]
async fn crawlers_keep_the_provider_contract() {
    let emu = emulator("lakectl-provider-glue").await;
    let subject = Crawlers {
        raw: Client::new(&emu.config),
        account: emu.account.clone(),
    };
    contract::run(
        Arc::new(CrawlerProvider::new(&emu.config, &emu.account)),
        &subject,
    )
    .await;
}
