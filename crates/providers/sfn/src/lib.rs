//! The `sfn.state_machine` resource kind, built only on the provider kit: a Step Functions
//! state machine whose definition is compared as JSON (key order and spacing never diff) and
//! shown in a plan line by line.

mod schema;

pub use schema::{KIND, LOG_LEVELS, name_rule, schema};

use async_trait::async_trait;
use aws_sdk_sfn::Client;
use aws_sdk_sfn::operation::describe_state_machine::DescribeStateMachineOutput;
use aws_sdk_sfn::types::{
    CloudWatchLogsLogGroup, LogDestination, LogLevel, LoggingConfiguration, StateMachineStatus,
    StateMachineType, Tag, TracingConfiguration,
};
use lakectl_core::{
    Attributes, CreateRequest, DeleteRequest, Live, Observation, Provider, ProviderError, Schema,
    UpdateRequest,
};
use lakectl_provider::diff::string;
use lakectl_provider::tags::{TagDiff, Tags, tags_of, tags_value};
use lakectl_provider::{AccountContext, Doing, Found};
use serde_json::{Value, json};
use std::time::Duration;

/// How soon to look again at a state machine being deleted.
const RETRY_AFTER: Duration = Duration::from_secs(5);

/// `arn:{partition}:states:{region}:{account}:stateMachine:{name}`.
pub fn state_machine_arn(account: &AccountContext, name: &str) -> String {
    format!(
        "arn:{}:states:{}:{}:stateMachine:{name}",
        account.partition, account.region, account.account_id
    )
}

/// The live spec of a state machine: every property, unset written as the schema's default.
///
/// # Errors
/// A definition that is not JSON (Step Functions stores what it accepted, which is JSON).
pub fn live_spec(name: &str, d: &DescribeStateMachineOutput, tags: &Tags) -> Result<Value, String> {
    let definition: Value = serde_json::from_str(d.definition())
        .map_err(|e| format!("the live definition is not JSON: {e}"))?;
    let logging = d.logging_configuration();
    let group = logging
        .and_then(|l| l.destinations().first())
        .and_then(LogDestination::cloud_watch_logs_log_group)
        .and_then(CloudWatchLogsLogGroup::log_group_arn);
    Ok(json!({
        "name": name,
        "definition": definition,
        "role_arn": d.role_arn(),
        "type": d.r#type().as_str(),
        "logging": {
            "level": logging.and_then(LoggingConfiguration::level).map_or("OFF", LogLevel::as_str),
            "include_execution_data": logging.is_some_and(LoggingConfiguration::include_execution_data),
            "log_group_arn": group,
        },
        "tracing": d.tracing_configuration().is_some_and(TracingConfiguration::enabled),
        "tags": tags_value(tags),
    }))
}

/// Manages `sfn.state_machine` resources.
pub struct SfnProvider {
    client: Client,
    account: AccountContext,
    schema: Schema,
}

/// The logging and tracing of `spec`, as the SDK takes them.
fn logging(spec: &Value) -> LoggingConfiguration {
    let l = spec.get("logging").unwrap_or(&Value::Null);
    let destination = string(l, "log_group_arn").map(|arn| {
        LogDestination::builder()
            .cloud_watch_logs_log_group(
                CloudWatchLogsLogGroup::builder().log_group_arn(arn).build(),
            )
            .build()
    });
    LoggingConfiguration::builder()
        .level(LogLevel::from(
            string(l, "level").unwrap_or_else(|| "OFF".into()).as_str(),
        ))
        .include_execution_data(
            l.get("include_execution_data")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        )
        .set_destinations(destination.map(|d| vec![d]))
        .build()
}

fn tracing(spec: &Value) -> TracingConfiguration {
    TracingConfiguration::builder()
        .enabled(
            spec.get("tracing")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        )
        .build()
}

/// The definition as the JSON text Step Functions takes.
fn definition(spec: &Value) -> String {
    spec.get("definition")
        .map(Value::to_string)
        .unwrap_or_default()
}

impl SfnProvider {
    /// A provider using the shared SDK config; ARNs are built for `account`.
    pub fn new(config: &aws_config::SdkConfig, account: &AccountContext) -> Self {
        Self::from_client(lakectl_provider::client!(aws_sdk_sfn, config), account)
    }

    /// A provider over a client built elsewhere (request-asserting tests).
    pub fn from_client(client: Client, account: &AccountContext) -> Self {
        SfnProvider {
            client,
            account: account.clone(),
            schema: schema(),
        }
    }

    fn arn(&self, name: &str) -> String {
        state_machine_arn(&self.account, name)
    }

    fn attributes(&self, name: &str) -> Attributes {
        Attributes::from([
            ("arn".to_string(), self.arn(name)),
            ("name".to_string(), name.to_string()),
        ])
    }

    async fn describe(
        &self,
        name: &str,
    ) -> Result<Option<DescribeStateMachineOutput>, ProviderError> {
        self.client
            .describe_state_machine()
            .state_machine_arn(self.arn(name))
            .send()
            .await
            .doing("states:DescribeStateMachine", name)
            .found()
    }

    async fn sync_tags(&self, name: &str, diff: &TagDiff) -> Result<(), ProviderError> {
        let set = sfn_tags(&diff.set);
        lakectl_provider::sync_tag_list!(&self.client, "states", &self.arn(name), name, diff, set)
    }
}

fn sfn_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

#[async_trait]
impl Provider for SfnProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn predict_attributes(&self, name: &str) -> Attributes {
        self.attributes(name)
    }

    /// DescribeStateMachine and its tags; one being deleted is waited for.
    async fn observe(&self, name: &str) -> Result<Observation, ProviderError> {
        let Some(d) = self.describe(name).await? else {
            return Ok(Observation::Missing);
        };
        if d.status() == Some(&StateMachineStatus::Deleting) {
            return Ok(Observation::Pending {
                retry_after: RETRY_AFTER,
                status: "DELETING".into(),
            });
        }
        let tags = self
            .client
            .list_tags_for_resource()
            .resource_arn(self.arn(name))
            .send()
            .await
            .doing("states:ListTagsForResource", name)
            .found()?;
        // Deleted between the two reads: report what is true now.
        let Some(tags) = tags else {
            return Ok(Observation::Missing);
        };
        let tags: Tags = tags
            .tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
            .collect();
        let spec = live_spec(name, &d, &tags).map_err(|e| ProviderError::invalid(name, e))?;
        Ok(Observation::Exists(Live {
            spec,
            attributes: self.attributes(name),
        }))
    }

    /// CreateStateMachine with the tags. DescribeStateMachine asks first: an endpoint that
    /// answered a taken name with the existing machine would otherwise keep its definition.
    async fn create(&self, req: &CreateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        if self.describe(name).await?.is_some() {
            return Err(ProviderError::already_exists(
                "states:CreateStateMachine",
                name,
            ));
        }
        let spec = &req.spec;
        self.client
            .create_state_machine()
            .name(name)
            .definition(definition(spec))
            .set_role_arn(string(spec, "role_arn"))
            .r#type(StateMachineType::from(
                string(spec, "type")
                    .unwrap_or_else(|| "STANDARD".into())
                    .as_str(),
            ))
            .logging_configuration(logging(spec))
            .tracing_configuration(tracing(spec))
            .set_tags(Some(sfn_tags(&tags_of(name, spec)?)))
            .send()
            .await
            .doing("states:CreateStateMachine", name)?;
        Ok(self.attributes(name))
    }

    /// UpdateStateMachine with the definition, role, logging and tracing together; tags apart.
    async fn update(&self, req: &UpdateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        if ["definition", "role_arn", "logging", "tracing"]
            .iter()
            .any(|p| req.touches(p))
        {
            self.client
                .update_state_machine()
                .state_machine_arn(self.arn(name))
                .definition(definition(&req.desired))
                .set_role_arn(string(&req.desired, "role_arn"))
                .logging_configuration(logging(&req.desired))
                .tracing_configuration(tracing(&req.desired))
                .send()
                .await
                .doing("states:UpdateStateMachine", name)?;
        }
        if let Some(diff) = lakectl_provider::tags::changed(req)? {
            self.sync_tags(name, &diff).await?;
        }
        Ok(self.attributes(name))
    }

    async fn delete(&self, req: &DeleteRequest) -> Result<(), ProviderError> {
        self.client
            .delete_state_machine()
            .state_machine_arn(self.arn(&req.name))
            .send()
            .await
            .doing("states:DeleteStateMachine", &req.name)
            .gone_is_done()
    }
}
