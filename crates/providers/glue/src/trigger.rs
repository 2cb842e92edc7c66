//! `glue.trigger` through the Glue API. The definition (description, schedule, conditions,
//! actions) goes whole through UpdateTrigger; whether it fires is StartTrigger / StopTrigger;
//! its type cannot change in place (the schema makes that a replacement).
use crate::database::string_map;
use crate::trigger_schema::trigger_schema;
use async_trait::async_trait;
use aws_sdk_glue::Client;
use aws_sdk_glue::types::{
    Action, Condition, JobRunState, Logical, LogicalOperator, Predicate, Trigger, TriggerState,
    TriggerType, TriggerUpdate,
};
use lakectl_core::{
    Attributes, CreateRequest, DeleteRequest, Live, Observation, Provider, ProviderError, Schema,
    UpdateRequest,
};
use lakectl_provider::diff::string;
use lakectl_provider::tags::{Tags, tags_of, tags_value};
use lakectl_provider::{AccountContext, Doing, Found};
use serde_json::{Value, json};

/// Manages `glue.trigger` resources.
pub struct TriggerProvider {
    client: Client,
    account: AccountContext,
    schema: Schema,
}

/// `arn:{partition}:glue:{region}:{account}:trigger/{name}`.
pub fn trigger_arn(account: &AccountContext, name: &str) -> String {
    format!(
        "arn:{}:glue:{}:{}:trigger/{name}",
        account.partition, account.region, account.account_id
    )
}

/// The trigger's definition as the SDK takes it, read once from the spec.
struct Definition {
    kind: TriggerType,
    description: Option<String>,
    schedule: Option<String>,
    predicate: Option<Predicate>,
    actions: Vec<Action>,
    enabled: bool,
}

impl Definition {
    fn of(spec: &Value) -> Self {
        let start = spec.get("start").unwrap_or(&Value::Null);
        let kind = TriggerType::from(string(start, "type").unwrap_or_default().as_str());
        let conditions: Vec<Condition> = start
            .get("conditions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| {
                Condition::builder()
                    .logical_operator(LogicalOperator::Equals)
                    .set_job_name(string(c, "job_name"))
                    .set_state(string(c, "state").map(|s| JobRunState::from(s.as_str())))
                    .build()
            })
            .collect();
        let predicate = (kind == TriggerType::Conditional).then(|| {
            Predicate::builder()
                .set_logical(string(start, "logical").map(|l| Logical::from(l.as_str())))
                .set_conditions(Some(conditions))
                .build()
        });
        let actions = spec
            .get("actions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|a| {
                Action::builder()
                    .set_job_name(string(a, "job_name"))
                    .set_arguments(Some(string_map(a, "arguments")))
                    .set_timeout(
                        a.get("timeout_minutes")
                            .and_then(Value::as_i64)
                            .and_then(|t| i32::try_from(t).ok()),
                    )
                    .build()
            })
            .collect();
        Definition {
            description: string(spec, "description"),
            schedule: string(start, "schedule"),
            predicate,
            actions,
            enabled: start
                .get("enabled")
                .and_then(Value::as_bool)
                .unwrap_or(true)
                && kind != TriggerType::OnDemand,
            kind,
        }
    }

    fn update(self, name: &str) -> TriggerUpdate {
        TriggerUpdate::builder()
            .name(name)
            .set_description(self.description)
            .set_schedule(self.schedule)
            .set_predicate(self.predicate)
            .set_actions(Some(self.actions))
            .build()
    }
}

/// The live spec of a trigger, every property present. An on-demand trigger has no
/// `enabled` of its own: it reads as the default.
pub fn trigger_spec(name: &str, t: &Trigger, tags: &Tags) -> Value {
    let kind = t.r#type().map(TriggerType::as_str);
    let predicate = t.predicate();
    let conditions: Vec<Value> = predicate
        .map(Predicate::conditions)
        .unwrap_or_default()
        .iter()
        .map(|c| json!({"job_name": c.job_name(), "state": c.state().map(JobRunState::as_str)}))
        .collect();
    let enabled = match t.state() {
        _ if kind == Some("ON_DEMAND") => true,
        Some(TriggerState::Activated | TriggerState::Activating) => true,
        _ => false,
    };
    let actions: Vec<Value> = t
        .actions()
        .iter()
        .map(|a| {
            json!({"job_name": a.job_name(),
                   "arguments": tags_value(a.arguments().into_iter().flatten()),
                   "timeout_minutes": a.timeout()})
        })
        .collect();
    json!({
        "name": name,
        "description": t.description(),
        "start": {
            "type": kind,
            "schedule": t.schedule(),
            "logical": predicate.and_then(Predicate::logical).map_or("AND", Logical::as_str),
            "conditions": conditions,
            "enabled": enabled,
        },
        "actions": actions,
        "tags": tags_value(tags),
    })
}

impl TriggerProvider {
    /// A provider using the shared SDK config; ARNs are built for `account`.
    pub fn new(config: &aws_config::SdkConfig, account: &AccountContext) -> Self {
        Self::from_client(lakectl_provider::client!(aws_sdk_glue, config), account)
    }

    /// A provider over a client built elsewhere (request-asserting tests).
    pub fn from_client(client: Client, account: &AccountContext) -> Self {
        TriggerProvider {
            client,
            account: account.clone(),
            schema: trigger_schema(),
        }
    }

    fn attributes(&self, name: &str) -> Attributes {
        Attributes::from([
            ("arn".to_string(), trigger_arn(&self.account, name)),
            ("name".to_string(), name.to_string()),
        ])
    }

    /// GetTrigger; `None` when there is no such trigger.
    async fn get(&self, name: &str) -> Result<Option<Trigger>, ProviderError> {
        let out = self
            .client
            .get_trigger()
            .name(name)
            .send()
            .await
            .doing("glue:GetTrigger", name)
            .found()?;
        Ok(out.and_then(|o| o.trigger))
    }

    /// StartTrigger or StopTrigger.
    async fn switch(&self, name: &str, on: bool) -> Result<(), ProviderError> {
        if on {
            self.client
                .start_trigger()
                .name(name)
                .send()
                .await
                .doing("glue:StartTrigger", name)?;
        } else {
            self.client
                .stop_trigger()
                .name(name)
                .send()
                .await
                .doing("glue:StopTrigger", name)?;
        }
        Ok(())
    }
}

#[async_trait]
impl Provider for TriggerProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn predict_attributes(&self, name: &str) -> Attributes {
        self.attributes(name)
    }

    async fn observe(&self, name: &str) -> Result<Observation, ProviderError> {
        let Some(trigger) = self.get(name).await? else {
            return Ok(Observation::Missing);
        };
        let arn = trigger_arn(&self.account, name);
        let Some(tags) = crate::tags::read(&self.client, &arn, name).await? else {
            return Ok(Observation::Missing);
        };
        Ok(Observation::Exists(Live {
            spec: trigger_spec(name, &trigger, &tags),
            attributes: self.attributes(name),
        }))
    }

    /// CreateTrigger with its tags, started on creation when enabled. GetTrigger asks first,
    /// so a taken name is reported, never overwritten.
    async fn create(&self, req: &CreateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        if self.get(name).await?.is_some() {
            return Err(ProviderError::already_exists("glue:CreateTrigger", name));
        }
        let d = Definition::of(&req.spec);
        self.client
            .create_trigger()
            .name(name)
            .r#type(d.kind)
            .set_description(d.description)
            .set_schedule(d.schedule)
            .set_predicate(d.predicate)
            .set_actions(Some(d.actions))
            .start_on_creation(d.enabled)
            .set_tags(Some(tags_of(name, &req.spec)?.into_iter().collect()))
            .send()
            .await
            .doing("glue:CreateTrigger", name)?;
        Ok(self.attributes(name))
    }

    /// UpdateTrigger with the whole definition when it changed; Start/StopTrigger when
    /// `enabled` did; tags apart.
    async fn update(&self, req: &UpdateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        if req.touches_other_than(&["tags", "start.enabled"]) {
            self.client
                .update_trigger()
                .name(name)
                .trigger_update(Definition::of(&req.desired).update(name))
                .send()
                .await
                .doing("glue:UpdateTrigger", name)?;
        }
        if req.touches("start.enabled") {
            self.switch(name, Definition::of(&req.desired).enabled)
                .await?;
        }
        if let Some(diff) = lakectl_provider::tags::changed(req)? {
            let arn = trigger_arn(&self.account, name);
            crate::tags::sync(&self.client, &arn, name, &diff).await?;
        }
        Ok(self.attributes(name))
    }

    /// DeleteTrigger; a trigger already gone is done.
    async fn delete(&self, req: &DeleteRequest) -> Result<(), ProviderError> {
        self.client
            .delete_trigger()
            .name(&req.name)
            .send()
            .await
            .doing("glue:DeleteTrigger", &req.name)
            .gone_is_done()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the user wrote, with the schema's defaults, as the engine compares it.
    fn desired(spec: Value) -> Value {
        let mut s = spec;
        trigger_schema().apply_defaults(&mut s);
        s
    }

    #[test]
    fn a_conditional_and_an_on_demand_trigger_read_back_as_written() {
        let conditional = Trigger::builder()
            .name("after-ingest")
            .r#type(TriggerType::Conditional)
            .state(TriggerState::Activated)
            .predicate(
                Predicate::builder()
                    .logical(Logical::Any)
                    .conditions(
                        Condition::builder()
                            .logical_operator(LogicalOperator::Equals)
                            .job_name("ingest")
                            .state(JobRunState::Failed)
                            .build(),
                    )
                    .build(),
            )
            .actions(Action::builder().job_name("cleanup").build())
            .build();
        assert_eq!(
            trigger_spec("after-ingest", &conditional, &Tags::new()),
            desired(json!({"name": "after-ingest",
                "start": {"type": "CONDITIONAL", "logical": "ANY",
                          "conditions": [{"job_name": "ingest", "state": "FAILED"}]},
                "actions": [{"job_name": "cleanup"}]}))
        );

        // Created, never started: an on-demand trigger's normal state, not a stopped one.
        let by_hand = Trigger::builder()
            .name("backfill")
            .r#type(TriggerType::OnDemand)
            .state(TriggerState::Created)
            .actions(Action::builder().job_name("ingest").timeout(30).build())
            .build();
        assert_eq!(
            trigger_spec("backfill", &by_hand, &Tags::new()),
            desired(json!({"name": "backfill", "start": {"type": "ON_DEMAND"},
                "actions": [{"job_name": "ingest", "timeout_minutes": 30}]}))
        );
    }
}
