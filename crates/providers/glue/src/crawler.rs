//! `glue.crawler` through the Glue API. UpdateCrawler takes the definition whole, schedule
//! included. What a crawler keeps about its own runs (state, last crawl, version, whether its
//! schedule is currently scheduled, the tables it wrote) is observed and never compared: it is
//! the crawler's, not the stack's.
use crate::crawler_schema::crawler_schema;
use async_trait::async_trait;
use aws_sdk_glue::Client;
use aws_sdk_glue::types::{
    Crawler, CrawlerTargets, DeleteBehavior, RecrawlBehavior, RecrawlPolicy, S3Target,
    SchemaChangePolicy, UpdateBehavior,
};
use lakectl_core::{
    Attributes, CreateRequest, DeleteRequest, Live, Observation, Provider, ProviderError, Schema,
    UpdateRequest,
};
use lakectl_provider::diff::string;
use lakectl_provider::tags::{Tags, tags_of, tags_value};
use lakectl_provider::{AccountContext, Doing, Found};
use serde_json::{Value, json};

/// The configuration sent to remove one: a document with nothing but its version.
const NO_CONFIGURATION: &str = r#"{"Version":1.0}"#;

/// Manages `glue.crawler` resources.
pub struct CrawlerProvider {
    client: Client,
    account: AccountContext,
    schema: Schema,
}

/// `arn:{partition}:glue:{region}:{account}:crawler/{name}`.
pub fn crawler_arn(account: &AccountContext, name: &str) -> String {
    format!(
        "arn:{}:glue:{}:{}:crawler/{name}",
        account.partition, account.region, account.account_id
    )
}

/// The crawler's definition as the SDK takes it, read once from the spec.
struct Definition {
    description: Option<String>,
    role: Option<String>,
    database: Option<String>,
    targets: CrawlerTargets,
    schedule: Option<String>,
    table_prefix: Option<String>,
    schema_change: SchemaChangePolicy,
    recrawl: RecrawlPolicy,
    configuration: Option<String>,
}

impl Definition {
    fn of(spec: &Value) -> Self {
        let targets = spec
            .get("s3_targets")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|t| {
                let exclusions = t.get("exclusions").and_then(Value::as_array).map(|e| {
                    e.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                });
                S3Target::builder()
                    .set_path(string(t, "path"))
                    .set_exclusions(exclusions)
                    .build()
            })
            .collect();
        let policy = spec.get("schema_change_policy").unwrap_or(&Value::Null);
        Definition {
            description: string(spec, "description"),
            role: string(spec, "role"),
            database: string(spec, "database"),
            targets: CrawlerTargets::builder()
                .set_s3_targets(Some(targets))
                .build(),
            schedule: string(spec, "schedule"),
            table_prefix: string(spec, "table_prefix"),
            schema_change: SchemaChangePolicy::builder()
                .set_update_behavior(
                    string(policy, "update_behavior").map(|b| UpdateBehavior::from(b.as_str())),
                )
                .set_delete_behavior(
                    string(policy, "delete_behavior").map(|b| DeleteBehavior::from(b.as_str())),
                )
                .build(),
            recrawl: RecrawlPolicy::builder()
                .set_recrawl_behavior(
                    string(spec, "recrawl").map(|r| RecrawlBehavior::from(r.as_str())),
                )
                .build(),
            configuration: spec
                .get("configuration")
                .filter(|c| !c.is_null())
                .map(Value::to_string),
        }
    }
}

/// The live spec of a crawler, every property present; the configuration document parsed, so
/// Glue's spacing and key order are not a change.
pub fn crawler_spec(name: &str, c: &Crawler, tags: &Tags) -> Value {
    let targets: Vec<Value> = c
        .targets()
        .map(CrawlerTargets::s3_targets)
        .unwrap_or_default()
        .iter()
        .map(|t| json!({"path": t.path(), "exclusions": t.exclusions()}))
        .collect();
    let policy = c.schema_change_policy();
    json!({
        "name": name,
        "description": c.description(),
        "role": c.role(),
        "database": c.database_name(),
        "s3_targets": targets,
        "schedule": c.schedule().and_then(|s| s.schedule_expression()),
        "table_prefix": c.table_prefix().unwrap_or_default(),
        "schema_change_policy": {
            "update_behavior": policy
                .and_then(SchemaChangePolicy::update_behavior)
                .map_or("UPDATE_IN_DATABASE", UpdateBehavior::as_str),
            "delete_behavior": policy
                .and_then(SchemaChangePolicy::delete_behavior)
                .map_or("DEPRECATE_IN_DATABASE", DeleteBehavior::as_str),
        },
        "recrawl": c
            .recrawl_policy()
            .and_then(RecrawlPolicy::recrawl_behavior)
            .map_or("CRAWL_EVERYTHING", RecrawlBehavior::as_str),
        "configuration": c
            .configuration()
            .filter(|s| !s.trim().is_empty())
            .map(|s| serde_json::from_str::<Value>(s).unwrap_or_else(|_| Value::String(s.to_string()))),
        "tags": tags_value(tags),
    })
}

/// Glue answers with the role's name where the crawler was given its ARN: a bare name reads
/// as the ARN of that role in this account (a role under a path then shows as a change, and
/// the update sends the full ARN again, never a name that could mean another role).
fn role_arn_of(account: &AccountContext, role: &str) -> String {
    match role.starts_with("arn:") {
        true => role.to_string(),
        false => format!(
            "arn:{}:iam::{}:role/{role}",
            account.partition, account.account_id
        ),
    }
}

impl CrawlerProvider {
    /// A provider using the shared SDK config; ARNs are built for `account`.
    pub fn new(config: &aws_config::SdkConfig, account: &AccountContext) -> Self {
        Self::from_client(lakectl_provider::client!(aws_sdk_glue, config), account)
    }

    /// A provider over a client built elsewhere (request-asserting tests).
    pub fn from_client(client: Client, account: &AccountContext) -> Self {
        CrawlerProvider {
            client,
            account: account.clone(),
            schema: crawler_schema(),
        }
    }

    fn attributes(&self, name: &str) -> Attributes {
        Attributes::from([
            ("arn".to_string(), crawler_arn(&self.account, name)),
            ("name".to_string(), name.to_string()),
        ])
    }

    /// GetCrawler; `None` when there is no such crawler.
    async fn get(&self, name: &str) -> Result<Option<Crawler>, ProviderError> {
        let out = self
            .client
            .get_crawler()
            .name(name)
            .send()
            .await
            .doing("glue:GetCrawler", name)
            .found()?;
        Ok(out.and_then(|o| o.crawler))
    }
}

#[async_trait]
impl Provider for CrawlerProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    /// A configuration that says only its version is no configuration: removing one sends
    /// exactly that, the document Glue takes as "nothing set".
    fn normalize(&self, spec: &mut Value) {
        if let Some(c) = spec.get_mut("configuration")
            && c.as_object().is_some_and(|m| m.len() == 1)
            && c.get("Version").and_then(Value::as_f64) == Some(1.0)
        {
            *c = Value::Null;
        }
    }

    fn predict_attributes(&self, name: &str) -> Attributes {
        self.attributes(name)
    }

    async fn observe(&self, name: &str) -> Result<Observation, ProviderError> {
        let Some(crawler) = self.get(name).await? else {
            return Ok(Observation::Missing);
        };
        let arn = crawler_arn(&self.account, name);
        let Some(tags) = crate::tags::read(&self.client, &arn, name).await? else {
            return Ok(Observation::Missing);
        };
        let mut spec = crawler_spec(name, &crawler, &tags);
        if let Some(role) = crawler.role() {
            spec["role"] = Value::String(role_arn_of(&self.account, role));
        }
        Ok(Observation::Exists(Live {
            spec,
            attributes: self.attributes(name),
        }))
    }

    /// CreateCrawler with its tags. GetCrawler asks first, so a taken name is reported, never
    /// overwritten.
    async fn create(&self, req: &CreateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        if self.get(name).await?.is_some() {
            return Err(ProviderError::already_exists("glue:CreateCrawler", name));
        }
        let d = Definition::of(&req.spec);
        self.client
            .create_crawler()
            .name(name)
            .set_description(d.description)
            .set_role(d.role)
            .set_database_name(d.database)
            .targets(d.targets)
            .set_schedule(d.schedule)
            .set_table_prefix(d.table_prefix)
            .schema_change_policy(d.schema_change)
            .recrawl_policy(d.recrawl)
            .set_configuration(d.configuration)
            .set_tags(Some(tags_of(name, &req.spec)?.into_iter().collect()))
            .send()
            .await
            .doing("glue:CreateCrawler", name)?;
        Ok(self.attributes(name))
    }

    /// UpdateCrawler with the whole definition when anything but the tags changed (an empty
    /// schedule removes it); tags apart. A running crawler refuses updates: reported as a
    /// conflict, to be run again once the crawl is over.
    async fn update(&self, req: &UpdateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        if req.touches_other_than(&["tags"]) {
            let d = Definition::of(&req.desired);
            self.client
                .update_crawler()
                .name(name)
                .set_description(d.description)
                .set_role(d.role)
                .set_database_name(d.database)
                .targets(d.targets)
                .schedule(d.schedule.unwrap_or_default())
                .set_table_prefix(d.table_prefix)
                .schema_change_policy(d.schema_change)
                .recrawl_policy(d.recrawl)
                .configuration(
                    d.configuration
                        .unwrap_or_else(|| NO_CONFIGURATION.to_string()),
                )
                .send()
                .await
                .doing("glue:UpdateCrawler", name)?;
        }
        if let Some(diff) = lakectl_provider::tags::changed(req)? {
            let arn = crawler_arn(&self.account, name);
            crate::tags::sync(&self.client, &arn, name, &diff).await?;
        }
        Ok(self.attributes(name))
    }

    /// DeleteCrawler; a crawler already gone is done. The tables it made stay: they belong to
    /// the database.
    async fn delete(&self, req: &DeleteRequest) -> Result<(), ProviderError> {
        self.client
            .delete_crawler()
            .name(&req.name)
            .send()
            .await
            .doing("glue:DeleteCrawler", &req.name)
            .gone_is_done()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_glue::types::{CrawlerState, LastCrawlInfo, Schedule, ScheduleState};

    #[test]
    fn the_role_name_glue_answers_with_reads_as_the_arn_it_was_given() {
        // GLC-1 of the perpetual diffs other tools showed; GLC-2 is the defaults test below.
        let account = AccountContext {
            account_id: "111122223333".into(),
            region: "eu-west-1".into(),
            partition: "aws".into(),
        };
        assert_eq!(
            role_arn_of(&account, "GlueCrawler"),
            "arn:aws:iam::111122223333:role/GlueCrawler"
        );
        let given = "arn:aws:iam::111122223333:role/service/GlueCrawler";
        assert_eq!(role_arn_of(&account, given), given);
    }

    #[test]
    fn what_a_crawler_keeps_about_its_own_runs_is_not_drift() {
        let mut desired = json!({"name": "c", "role": "arn:aws:iam::1:role/r", "database": "db",
            "s3_targets": [{"path": "s3://b/quarantine/"}], "schedule": "cron(0 2 * * ? *)",
            "configuration": {"Version": 1.0, "Grouping": {"TableGroupingPolicy": "CombineCompatibleSchemas"}}});
        crawler_schema().apply_defaults(&mut desired);
        // Mid-crawl, its schedule paused, after many runs, its configuration respaced.
        let running = Crawler::builder()
            .name("c")
            .role("arn:aws:iam::1:role/r")
            .database_name("db")
            .targets(
                CrawlerTargets::builder()
                    .s3_targets(S3Target::builder().path("s3://b/quarantine/").build())
                    .build(),
            )
            .schedule(
                Schedule::builder()
                    .schedule_expression("cron(0 2 * * ? *)")
                    .state(ScheduleState::NotScheduled)
                    .build(),
            )
            .state(CrawlerState::Running)
            .version(17)
            .last_crawl(LastCrawlInfo::builder().message_prefix("x").build())
            .configuration(
                r#"{"Grouping":{"TableGroupingPolicy":"CombineCompatibleSchemas"},"Version":1.0}"#,
            )
            .build();
        assert_eq!(crawler_spec("c", &running, &Tags::new()), desired);
    }
}
