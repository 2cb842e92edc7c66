//! The `events.rule` resource kind, built only on the provider kit: an EventBridge rule on the
//! default bus, matching an event pattern or firing on a schedule, with its targets. The
//! pattern and the targets' inputs are compared as JSON; targets are diffed one by one.

mod schema;

pub use schema::{KIND, name_rule, schema};

use async_trait::async_trait;
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::operation::describe_rule::DescribeRuleOutput;
use aws_sdk_eventbridge::types::{InputTransformer, RuleState, Tag, Target};
use lakectl_core::{
    Attributes, CreateRequest, DeleteRequest, Live, Observation, Provider, ProviderError, Schema,
    UpdateRequest,
};
use lakectl_provider::diff::string;
use lakectl_provider::tags::{TagDiff, Tags, tags_of, tags_value};
use lakectl_provider::{AccountContext, Built, Doing, Found};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// `arn:{partition}:events:{region}:{account}:rule/{name}`.
pub fn rule_arn(account: &AccountContext, name: &str) -> String {
    format!(
        "arn:{}:events:{}:{}:rule/{name}",
        account.partition, account.region, account.account_id
    )
}

/// JSON text as a value; text that is not JSON stays text, so the plan shows what is there.
fn json_of(text: Option<&str>) -> Value {
    text.map_or(Value::Null, |t| {
        serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.to_string()))
    })
}

/// The live spec of a rule and its targets.
pub fn live_spec(name: &str, rule: &DescribeRuleOutput, targets: &[Target], tags: &Tags) -> Value {
    let targets: Vec<Value> = targets
        .iter()
        .map(|t| {
            let transformer = t.input_transformer().map(|x| {
                json!({"input_paths": tags_value(x.input_paths_map().into_iter().flatten()),
                       "input_template": x.input_template()})
            });
            json!({"id": t.id(), "arn": t.arn(), "role_arn": t.role_arn(),
                   "input": json_of(t.input()), "input_transformer": transformer})
        })
        .collect();
    json!({
        "name": name,
        "description": rule.description(),
        "event_pattern": json_of(rule.event_pattern()),
        "schedule_expression": rule.schedule_expression(),
        "state": rule.state().map_or("ENABLED", RuleState::as_str),
        "targets": targets,
        "tags": tags_value(tags),
    })
}

fn event_tags(name: &str, tags: &Tags) -> Result<Vec<Tag>, ProviderError> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build().built(name, "a tag"))
        .collect()
}

/// The targets of `spec`, as PutTargets takes them.
fn targets(name: &str, spec: &Value) -> Result<Vec<Target>, ProviderError> {
    spec.get("targets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|t| {
            let transformer = match t.get("input_transformer").filter(|x| !x.is_null()) {
                None => None,
                Some(x) => Some(
                    InputTransformer::builder()
                        .set_input_paths_map(Some(
                            x.get("input_paths")
                                .and_then(Value::as_object)
                                .into_iter()
                                .flatten()
                                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                                .collect(),
                        ))
                        .set_input_template(string(x, "input_template"))
                        .build()
                        .built(name, "an input transformer")?,
                ),
            };
            Target::builder()
                .set_id(string(t, "id"))
                .set_arn(string(t, "arn"))
                .set_role_arn(string(t, "role_arn"))
                .set_input(
                    t.get("input")
                        .filter(|i| !i.is_null())
                        .map(Value::to_string),
                )
                .set_input_transformer(transformer)
                .build()
                .built(name, "a target")
        })
        .collect()
}

fn target_ids(spec: &Value) -> BTreeSet<String> {
    spec.get("targets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| string(t, "id"))
        .collect()
}

/// Manages `events.rule` resources on the default event bus.
pub struct EventsProvider {
    client: Client,
    account: AccountContext,
    schema: Schema,
}

impl EventsProvider {
    /// A provider using the shared SDK config; ARNs are built for `account`.
    pub fn new(config: &aws_config::SdkConfig, account: &AccountContext) -> Self {
        Self::from_client(
            lakectl_provider::client!(aws_sdk_eventbridge, config),
            account,
        )
    }

    /// A provider over a client built elsewhere.
    pub fn from_client(client: Client, account: &AccountContext) -> Self {
        EventsProvider {
            client,
            account: account.clone(),
            schema: schema(),
        }
    }

    fn attributes(&self, name: &str) -> Attributes {
        Attributes::from([
            ("arn".to_string(), rule_arn(&self.account, name)),
            ("name".to_string(), name.to_string()),
        ])
    }

    async fn describe(&self, name: &str) -> Result<Option<DescribeRuleOutput>, ProviderError> {
        self.client
            .describe_rule()
            .name(name)
            .send()
            .await
            .doing("events:DescribeRule", name)
            .found()
    }

    /// PutRule with the rule's own properties (not its targets).
    async fn put_rule(
        &self,
        name: &str,
        spec: &Value,
        tags: Option<Vec<Tag>>,
    ) -> Result<(), ProviderError> {
        self.client
            .put_rule()
            .name(name)
            .set_description(string(spec, "description"))
            .set_event_pattern(
                spec.get("event_pattern")
                    .filter(|p| !p.is_null())
                    .map(Value::to_string),
            )
            .set_schedule_expression(string(spec, "schedule_expression"))
            .state(RuleState::from(
                string(spec, "state")
                    .unwrap_or_else(|| "ENABLED".into())
                    .as_str(),
            ))
            .set_tags(tags)
            .send()
            .await
            .doing("events:PutRule", name)
            .map(drop)
    }

    /// PutTargets; a target EventBridge refused is an error that names it.
    async fn put_targets(&self, name: &str, targets: Vec<Target>) -> Result<(), ProviderError> {
        if targets.is_empty() {
            return Ok(());
        }
        let out = self
            .client
            .put_targets()
            .rule(name)
            .set_targets(Some(targets))
            .send()
            .await
            .doing("events:PutTargets", name)?;
        match out.failed_entries().first() {
            Some(f) => Err(ProviderError::invalid(
                name,
                format!(
                    "EventBridge refused target `{}`: {} ({})",
                    f.target_id().unwrap_or("?"),
                    f.error_message().unwrap_or("no message"),
                    f.error_code().unwrap_or("no code")
                ),
            )),
            None => Ok(()),
        }
    }

    async fn remove_targets(&self, name: &str, ids: Vec<String>) -> Result<(), ProviderError> {
        if ids.is_empty() {
            return Ok(());
        }
        self.client
            .remove_targets()
            .rule(name)
            .set_ids(Some(ids))
            .send()
            .await
            .doing("events:RemoveTargets", name)
            .map(drop)
    }

    async fn sync_tags(&self, name: &str, diff: &TagDiff) -> Result<(), ProviderError> {
        let set = event_tags(name, &diff.set)?;
        lakectl_provider::sync_tag_list!(
            &self.client,
            "events",
            &rule_arn(&self.account, name),
            name,
            diff,
            set
        )
    }
}

#[async_trait]
impl Provider for EventsProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn predict_attributes(&self, name: &str) -> Attributes {
        self.attributes(name)
    }

    async fn observe(&self, name: &str) -> Result<Observation, ProviderError> {
        let Some(rule) = self.describe(name).await? else {
            return Ok(Observation::Missing);
        };
        let targets = self
            .client
            .list_targets_by_rule()
            .rule(name)
            .send()
            .await
            .doing("events:ListTargetsByRule", name)
            .found()?;
        let tags = self
            .client
            .list_tags_for_resource()
            .resource_arn(rule_arn(&self.account, name))
            .send()
            .await
            .doing("events:ListTagsForResource", name)
            .found()?;
        // Deleted between the reads: report what is true now.
        let (Some(targets), Some(tags)) = (targets, tags) else {
            return Ok(Observation::Missing);
        };
        let tags: Tags = tags
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect();
        Ok(Observation::Exists(Live {
            spec: live_spec(name, &rule, targets.targets(), &tags),
            attributes: self.attributes(name),
        }))
    }

    /// PutRule with the tags, then PutTargets. PutRule on a taken name would rewrite that
    /// rule, so DescribeRule asks first and a taken name is reported.
    async fn create(&self, req: &CreateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        if self.describe(name).await?.is_some() {
            return Err(ProviderError::already_exists("events:PutRule", name));
        }
        let tags = event_tags(name, &tags_of(name, &req.spec)?)?;
        self.put_rule(name, &req.spec, Some(tags)).await?;
        self.put_targets(name, targets(name, &req.spec)?).await?;
        Ok(self.attributes(name))
    }

    /// PutRule when the rule changed; PutTargets for targets added or changed, RemoveTargets
    /// for those gone; tags apart.
    async fn update(&self, req: &UpdateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        if [
            "description",
            "event_pattern",
            "schedule_expression",
            "state",
        ]
        .iter()
        .any(|p| req.touches(p))
        {
            self.put_rule(name, &req.desired, None).await?;
        }
        if req.touches("targets") {
            let keep = target_ids(&req.desired);
            let gone = target_ids(&req.live).difference(&keep).cloned().collect();
            self.remove_targets(name, gone).await?;
            self.put_targets(name, targets(name, &req.desired)?).await?;
        }
        if let Some(diff) = lakectl_provider::tags::changed(req)? {
            self.sync_tags(name, &diff).await?;
        }
        Ok(self.attributes(name))
    }

    /// RemoveTargets (a rule with targets cannot be deleted), then DeleteRule.
    async fn delete(&self, req: &DeleteRequest) -> Result<(), ProviderError> {
        let name = req.name.as_str();
        let listed = self
            .client
            .list_targets_by_rule()
            .rule(name)
            .send()
            .await
            .doing("events:ListTargetsByRule", name)
            .found()?;
        let Some(listed) = listed else {
            return Ok(());
        };
        let ids = listed
            .targets()
            .iter()
            .map(|t| t.id().to_string())
            .collect();
        self.remove_targets(name, ids).await?;
        self.client
            .delete_rule()
            .name(name)
            .send()
            .await
            .doing("events:DeleteRule", name)
            .gone_is_done()
    }
}
